"""Service Connect beyond the namespace: TLS between the stack's Service Connect endpoints
(``ecs-platform:serviceConnect: {tls: {privateCaArn, kmsKey}}``) and a served service's proxy
settings (``serviceConnect: {appProtocol, perRequestTimeout, idleTimeout}``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Self

from pydantic import model_validator

from ecs_platform import facts as f
from ecs_platform.errors import show
from ecs_platform.specs.base import Choice, Int, Loc, Rule, Spec, raise_problems
from ecs_platform.specs.fields import KmsKeyArn


def private_ca_check(value: Any) -> str | None:
    if isinstance(value, str) and f.PRIVATE_CA_ARN_RE.fullmatch(value):
        return None
    return (f"{show(value)} is not an AWS Private CA ARN (allowed: arn:aws:acm-pca:<region>:<account>:"
            "certificate-authority/<uuid>)")  # fmt: skip


PrivateCaArn = Annotated[str, Rule(private_ca_check, "an AWS Private CA ARN", f.PRIVATE_CA_ARN_RE.pattern)]
Timeout = Annotated[int, Int(*f.SERVICE_CONNECT_TIMEOUT)]


class ServiceConnectTlsSpec(Spec):
    """TLS between Service Connect endpoints: ECS issues each served service's certificates from
    the private CA, rotates them, and keeps their keys in Secrets Manager."""

    private_ca_arn: PrivateCaArn
    """The AWS Private CA (in the stack's region; of this account or shared with it) that issues
    the certificates and that every endpoint trusts. Required."""
    kms_key: KmsKeyArn | None = None
    """The KMS key that encrypts the certificates' secrets. Default: the stack's ``kmsKey`` when it
    has one, else Secrets Manager's AWS managed key."""


class ServiceConnectStackSpec(Spec):
    """The stack's Service Connect settings (its namespace joins every service with callers)."""

    tls: ServiceConnectTlsSpec | None = None
    """``{privateCaArn, kmsKey}``: TLS 1.3 between Service Connect endpoints, for every service that
    has ``callers``. Default: plain TCP inside the VPC."""


class ServiceConnectSpec(Spec):
    """The Service Connect proxy's settings for a service its callers reach."""

    app_protocol: Annotated[str, Choice(*f.APP_PROTOCOLS)] | None = None
    """The port's application protocol for the proxy, ``http``, ``http2`` or ``grpc`` (per-protocol
    handling and metrics; needed for ``perRequestTimeout``). ECS cannot change it on a live Service
    Connect service: set it when the service is created. Default: TCP."""
    per_request_timeout: Timeout | None = None
    """Seconds the proxy waits for a complete response to a request, 0 (off)..2147483647; with
    ``appProtocol`` only. Default: the proxy's own (ECS sets none)."""
    idle_timeout: Timeout | None = None
    """Seconds a connection stays open while idle, 0 (off)..2147483647. Default: ECS's 300 (HTTP,
    HTTP2, gRPC) or 3600 (TCP)."""

    @model_validator(mode="after")
    def _timeouts(self) -> Self:
        if self.per_request_timeout is not None and self.app_protocol is None:
            raise_problems([(("perRequestTimeout",), f"{self.per_request_timeout} is set on a TCP port, where the "
                             "proxy has no requests to time (allowed: appProtocol http, http2 or grpc with it; "
                             "idleTimeout for TCP)")])  # fmt: skip
        return self


def service_connect_problems(
    services: Mapping[str, Any], stack: ServiceConnectStackSpec | None
) -> list[tuple[Loc, str]]:
    """The proxy settings and TLS apply to the services Service Connect serves, those with
    ``callers`` (each setting lives on ServiceConnectService, the served side of the
    configuration: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceConnectService.html)."""
    out: list[tuple[Loc, str]] = []
    served = [n for n, svc in services.items() if svc.callers]
    for name, svc in services.items():
        if svc.service_connect is not None and not svc.callers:
            out.append((("services", name, "serviceConnect"), "is set on a service Service Connect does not serve "
                        "(allowed: with callers, or remove it)"))  # fmt: skip
    if stack is not None and stack.tls is not None and not served:
        out.append((("serviceConnect", "tls"), "encrypts the traffic of services with callers, and no service has "
                    "callers (allowed: callers on a service, or remove it)"))  # fmt: skip
    return out


def service_connect_context_problems(stack: ServiceConnectStackSpec | None, region: str) -> list[tuple[Loc, str]]:
    """The private CA and the key are in the stack's region: ECS issues from a CA of the service's
    region, and a KMS key is regional."""
    if stack is None or stack.tls is None:
        return []
    out: list[tuple[Loc, str]] = []
    for key, arn in (("privateCaArn", stack.tls.private_ca_arn), ("kmsKey", stack.tls.kms_key)):
        # (another partition's ARN is reported once, by the partition check)
        if isinstance(arn, str) and arn.split(":")[3] != region and arn.split(":")[1] == f.PARTITION_OF_REGION.get(
                region, arn.split(":")[1]):  # fmt: skip
            out.append((("serviceConnect", "tls", key), f"{show(arn)} is in {arn.split(':')[3]}, not the stack's "
                        f"region {region} (allowed: one in {region})"))  # fmt: skip
    return out
