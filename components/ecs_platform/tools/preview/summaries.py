"""One-line summaries the preview's resource tree shows for issue 22's resources and settings: a
service's EBS volume per task, a served Service Connect endpoint's TLS and timeouts, the VPC
Lattice resources."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ecs_platform.tools.mock_cloud import Registration


def ebs_summary(volume: dict[str, Any]) -> str:
    """A service's EBS volume per task: size, type, performance, encryption."""
    ebs = volume.get("managedEbsVolume") or {}
    perf = ", ".join(p for p in (f"{ebs['iops']} IOPS" if ebs.get("iops") else "",
                                 f"{ebs['throughput']} MiB/s" if ebs.get("throughput") else "") if p)  # fmt: skip
    key = f"KMS key {ebs['kmsKeyId']}" if ebs.get("kmsKeyId") else "the account's default EBS key"
    return (f"EBS volume {volume.get('name')} per task: {ebs.get('sizeInGb')} GiB {ebs.get('volumeType')}"
            + (f" ({perf})" if perf else "") + f" {ebs.get('fileSystemType')}, "
            + (f"encrypted with {key}" if ebs.get("encrypted") else "NOT encrypted") + ", deleted with the task")


def connect_extras(served: dict[str, Any]) -> str:
    """A served Service Connect endpoint's TLS and proxy timeouts."""
    extras = ["TLS from private CA " + str(served["tls"]["issuerCertAuthority"]["awsPcaAuthorityArn"]).rsplit("/", 1)[-1]
              ] if served.get("tls") else []  # fmt: skip
    timeout = served.get("timeout") or {}
    extras += [f"{label} {timeout[key]} s" for key, label in (("perRequestTimeoutSeconds", "per-request timeout"),
                                                              ("idleTimeoutSeconds", "idle timeout")) if key in timeout]
    return f" ({', '.join(extras)})" if extras else ""


#: Resource type -> summary of its inputs (and registration).
LATTICE_SUMMARIES: dict[str, Callable[[dict[str, Any], Registration], str]] = {
    "aws:vpclattice/serviceNetwork:ServiceNetwork": lambda i, r: f"auth {i.get('authType')}",
    "aws:vpclattice/service:Service": lambda i, r: (
        f"auth {i.get('authType')}; {(r.outputs.get('dnsEntries') or [{}])[0].get('domainName')}"),
    "aws:vpclattice/targetGroup:TargetGroup": lambda i, r: (
        f"{i.get('type')} targets on {i['config'].get('protocol')} {i['config'].get('port')}, health "
        f"{i['config']['healthCheck'].get('path')} expecting {i['config']['healthCheck']['matcher']['value']}"),
    "aws:vpclattice/listener:Listener": lambda i, r: f"{i.get('protocol')} {i.get('port')}; forward",
    "aws:vpclattice/authPolicy:AuthPolicy": lambda i, r: "invoke: " + ", ".join(
        str(p).rsplit("/", 1)[-1] for s in json.loads(i["policy"])["Statement"]
        for p in (lambda a: a if isinstance(a, list) else [a])(s["Principal"]["AWS"])),
}
