"""Every validation rule of real applications (issue 10): sidecars and their dependencies,
volumes and mounts (EFS and scratch), Service Connect callers.

1. Config path: each rule's exact problem line (key path, value, what is allowed) is among
   the problems ``ecs_platform.config.load`` reports for the dev stack plus one override.
2. Mock engine: for a representative subset the real program runs once per case; it must
   fail with that same line and register nothing.
3. Python path: a few rules on specs built in Python, with snake_case key paths and the same
   message after the path as on the config path.
4. Values at the edges of the rules load.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ecs_platform import ClusterRef, Service, ServiceSpec, TaskSpec
from ecs_platform.errors import ConfigError
from ecs_platform.specs import ClusterSpec, EfsSpec, PlatformSpec, SidecarSpec, VolumeSpec
from ecs_platform.tools.mock_cloud import run_program
from tests.test_validation import CLUSTER_ARN, NS, config_problems, in_program, load, spec_problems

FS = "fs-0123456789abcdef0"
FSAP = "fsap-0123456789abcdef0"
ADOPTED = {"fileSystemId": FS, "accessPointId": FSAP}
APP: dict[str, Any] = {"image": "nginx:1.27", "user": "1000", "port": 8080}
SIDE: dict[str, Any] = {"image": "busybox:1.37", "user": "2000"}
P = NS + "services.api."


def svc(**fields: Any) -> dict[str, Any]:
    """Service ``api`` (non-root, port 8080) with ``fields`` changed."""
    return {"services": {"api": {**APP, **fields}}}


def side(**fields: Any) -> dict[str, Any]:
    """A non-root sidecar with ``fields``."""
    return {**SIDE, **fields}


def pair(api: dict[str, Any], web: dict[str, Any] | None = None, **top: Any) -> dict[str, Any]:
    """Services ``api`` and ``web``, each ``APP`` with its own changes, plus top-level keys."""
    return {**top, "services": {"api": {**APP, **api}, "web": {**APP, **(web or {})}}}


def efs_svc(volume: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """Service ``api`` mounting volume ``d`` (``{"efs": volume}``) at ``/d``."""
    return svc(volumes={"d": {"efs": volume}}, mounts={"/d": "d"}, **fields)


def on(launch_type: str, services: dict[str, Any]) -> dict[str, Any]:
    return {"launchType": launch_type, **services}


ONE_KIND = " is not one volume kind (allowed: {efs: {...}}, {scratch: {}} or {ebs: {sizeGiB: ...}})"
BOTH_IDS = ("is missing (allowed: both fileSystemId and accessPointId to adopt existing ones, or neither to "
            "create them)")  # fmt: skip
PLATFORM_OWN = "is the platform's own container (allowed: another name)"
SCRATCH_NAME = "is the name of a writablePaths volume (allowed: another name)"
EXITS = "essential, so its exit stops the task (allowed: essential: false on it, or START/HEALTHY)"
NO_SC = ("runs in {mode} mode on {lt}, where Service Connect cannot admit it by security group (allowed: "
         "services on FARGATE, EC2 or MANAGED_INSTANCES in awsvpc mode)")  # fmt: skip
NO_EFS_EXTERNAL = ("is an EFS volume, and ECS Anywhere cannot mount EFS (allowed: scratch volumes on EXTERNAL, or "
                   "run the service on FARGATE or EC2)")  # fmt: skip
NO_EFS_SG = ("gives the tasks no security group for the EFS volume to admit (allowed: awsvpc with a created EFS "
             "volume)")  # fmt: skip
NOT_NUMERIC = ("is not a numeric uid[:gid], which the access point of EFS volume d would act as (allowed: e.g. "
               '"1000:1000", or the volume\'s efs.owner)')  # fmt: skip
CYCLE = "is a cycle (allowed: dependencies that end in a container waiting for nothing)"
SIDECAR_KEYS = ("command, cpu, dependsOn, entryPoint, environment, essential, healthCheck, image, memory, mounts, "
                "port, readonlyRootFilesystem, restartPolicy, secrets, secretsKmsKeys, stopTimeout, user, writablePaths")  # fmt: skip
SIDECAR_CPU = "(allowed: sidecar cpu adding up to at most the task's cpu)"
SIDECAR_MEMORY = "(allowed: sidecar memory adding up to at most the task's memory)"

#: (id, config override, the exact problem line, also run through the mock engine).
CASES: list[tuple[str, dict[str, Any], str, bool]] = [
    # --- containers: names, settings of a sidecar -----------------------------------------------
    ("sidecar name with a space", svc(sidecars={"bad name": side()}),
     f'{P}sidecars.bad name: "bad name" is not a container name (allowed: 1-255 letters, digits, hyphens and '
     "underscores)", False),
    ("sidecar named volume-init", svc(sidecars={"volume-init": side()}),
     f'{P}sidecars.volume-init: "volume-init" {PLATFORM_OWN}', True),
    ("sidecar named log-router", svc(sidecars={"log-router": side()}),
     f'{P}sidecars.log-router: "log-router" {PLATFORM_OWN}', False),
    ("dependency on volume-init", svc(dependsOn={"volume-init": "SUCCESS"}),
     f'{P}dependsOn.volume-init: "volume-init" {PLATFORM_OWN}', False),
    ("sidecars not a map", svc(sidecars=["otel"]),
     f'{P}sidecars: ["otel"] is not a map (allowed: a YAML object of key: value)', False),
    ("sidecar without image", svc(sidecars={"otel": {"user": "2000"}}),
     f"{P}sidecars.otel.image: missing (allowed: an image reference, e.g. public.ecr.aws/nginx/nginx:1.27)", False),
    ("sidecar with a task-level key", svc(sidecars={"otel": side(launchType="EC2")}),
     f"{P}sidecars.otel.launchType: unknown key (allowed: {SIDECAR_KEYS})", False),
    ("sidecar asking for exec", svc(sidecars={"otel": side(exec=True)}),
     f"{P}sidecars.otel.exec: unknown key (allowed: {SIDECAR_KEYS})", False),
    ("sidecar without user", svc(sidecars={"otel": {"image": "otel:1"}}),
     f"{P}sidecars.otel.user: missing, so the container runs as its image's user, often root (allowed: a non-root "
     'uid[:gid] or user name, e.g. "1000:1000", or waivers.ECS.20: <why it needs root>)', True),
    ("sidecar running as root", svc(sidecars={"otel": side(user="0")}),
     f'{P}sidecars.otel.user: "0" runs as root (allowed: a non-root uid[:gid] or user name, or waivers.ECS.20: '
     "<why it needs root>)", False),
    ("sidecar cpu negative", svc(sidecars={"otel": side(cpu=-1)}),
     f"{P}sidecars.otel.cpu: -1 is out of range (allowed: 0..196608)", False),
    ("sidecar memory below ECS's 6 MiB", svc(sidecars={"otel": side(memory=5)}),
     f"{P}sidecars.otel.memory: 5 is out of range (allowed: 6..1048576)", False),
    ("sidecar credential in plain environment", svc(sidecars={"otel": side(environment={"DB_PASSWORD": "x"})}),
     f'{P}sidecars.otel.environment.DB_PASSWORD: "DB_PASSWORD" looks like a credential in a plain environment '
     "variable (allowed: put it under `secrets` as a Secrets Manager or SSM parameter ARN)", False),
    ("sidecar writable path listed twice", svc(sidecars={"otel": side(writablePaths=["/tmp", "/tmp"])}),
     f'{P}sidecars.otel.writablePaths[1]: "/tmp" is already listed (allowed: distinct paths)', False),
    ("sidecar writable path not in normal form", svc(sidecars={"otel": side(writablePaths=["/tmp/"])}),
     f'{P}sidecars.otel.writablePaths[0]: "/tmp/" is not in normal form (allowed: "/tmp")', False),
    ("entryPoint empty", svc(entryPoint=[]),
     f"{P}entryPoint: [] is not a command (allowed: a list of strings, or one shell string)", False),
    ("entryPoint a number", svc(entryPoint=5),
     f"{P}entryPoint: 5 is not a command (allowed: a list of strings, or one shell string)", False),
    ("essential not a boolean", svc(essential="no"),
     f'{P}essential: "no" is not a boolean (allowed: true, false)', False),
    ("volume-init image", svc(volumeInitImage="UPPER CASE"),
     f'{P}volumeInitImage: "UPPER CASE" is not an image reference ECS accepts (allowed: up to 255 letters, '
     "digits and - _ : . / #, optionally followed by @sha256: and 64 hex digits; e.g. "
     "public.ecr.aws/nginx/nginx:1.27)", False),
    # --- dependencies ----------------------------------------------------------------------------
    ("dependency condition", svc(dependsOn={"m": "DONE"}, sidecars={"m": side(essential=False)}),
     f'{P}dependsOn.m: "DONE" is not allowed (allowed: START, COMPLETE, SUCCESS, HEALTHY)', False),
    ("unknown dependency without sidecars", svc(dependsOn={"m": "START"}),
     f"{P}dependsOn.m: is not a sidecar of this task (allowed: a sidecar)", True),
    ("unknown dependency names the sidecars", svc(dependsOn={"mm": "START"}, sidecars={"m": side(), "n": side()}),
     f"{P}dependsOn.mm: is not a sidecar of this task (allowed: m, n)", False),
    ("sidecar waiting for the application container",
     svc(sidecars={"m": side(dependsOn={"api": "START"})}),
     f"{P}sidecars.m.dependsOn.api: is not a sidecar of this task (allowed: a sidecar)", False),
    ("sidecar waiting for itself", svc(sidecars={"m": side(dependsOn={"m": "START"}), "n": side()}),
     f"{P}sidecars.m.dependsOn.m: is the container itself (allowed: n)", False),
    ("dependency cycle of two", svc(sidecars={"a": side(dependsOn={"b": "START"}), "b": side(dependsOn={"a": "START"})}),
     f"{P}sidecars.a.dependsOn: a -> b -> a {CYCLE}", True),
    ("dependency cycle of three", svc(sidecars={"a": side(dependsOn={"b": "START"}), "b": side(dependsOn={"c": "START"}),
                                                "c": side(dependsOn={"a": "START"})}),
     f"{P}sidecars.a.dependsOn: a -> b -> c -> a {CYCLE}", False),
    ("HEALTHY without a health check", svc(dependsOn={"m": "HEALTHY"}, sidecars={"m": side()}),
     f"{P}dependsOn.m: HEALTHY needs a health check on m (allowed: give it a healthCheck, or wait for START)", True),
    ("SUCCESS on an essential sidecar", svc(dependsOn={"m": "SUCCESS"}, sidecars={"m": side()}),
     f"{P}dependsOn.m: SUCCESS waits for m to exit, and it is {EXITS}", True),
    ("COMPLETE on an essential sidecar", svc(sidecars={"m": side(), "n": side(dependsOn={"m": "COMPLETE"})}),
     f"{P}sidecars.n.dependsOn.m: COMPLETE waits for m to exit, and it is {EXITS}", False),
    # --- essentials, sizes, ports ----------------------------------------------------------------
    ("no essential container", svc(essential=False, sidecars={"m": side(essential=False)}),
     f"{P}essential: false on every container (allowed: at least one essential container)", True),
    ("application alone and not essential", svc(essential=False),
     f"{P}essential: false on every container (allowed: at least one essential container)", False),
    ("sidecar cpu over the task's", svc(cpu=256, sidecars={"a": side(cpu=200), "b": side(cpu=57)}),
     f"{P}sidecars: reserve 257 cpu units, more than the task's 256 {SIDECAR_CPU}", True),
    ("sidecar memory over the task's", svc(memory=512, sidecars={"a": side(memory=513)}),
     f"{P}sidecars: take 513 MiB, more than the task's 512 {SIDECAR_MEMORY}", True),
    ("sidecar memory adding up over the task's", svc(memory=1024, sidecars={"a": side(memory=600),
                                                                            "b": side(memory=600)}),
     f"{P}sidecars: take 1200 MiB, more than the task's 1024 {SIDECAR_MEMORY}", False),
    ("sidecar on the application's port", svc(sidecars={"a": side(port=8080)}),
     f"{P}sidecars.a.port: 8080 is also the port of the application container (allowed: a port no other container of the task uses)",
     True),
    ("two sidecars on one port", svc(port=None, sidecars={"a": side(port=80), "b": side(port=80)}),
     f"{P}sidecars.b.port: 80 is also the port of sidecar a (allowed: a port no other container of the "
     "task uses)", False),
    # --- volumes ---------------------------------------------------------------------------------
    ("volume name with a space", svc(volumes={"a b": {"scratch": {}}}, mounts={"/d": "a b"}),
     f'{P}volumes.a b: "a b" is not a volume name (allowed: 1-255 letters, digits, hyphens and underscores)',
     False),
    ("volume named scratch-N", svc(volumes={"scratch-0": {"scratch": {}}}, mounts={"/d": "scratch-0"}),
     f'{P}volumes.scratch-0: "scratch-0" {SCRATCH_NAME}', True),
    ("volume named like a sidecar's scratch", svc(volumes={"x-scratch-1": {"scratch": {}}}, mounts={"/d": "x-scratch-1"}),
     f'{P}volumes.x-scratch-1: "x-scratch-1" {SCRATCH_NAME}', False),
    ("mount of a scratch-N name", svc(volumes={"scratch-0": {"scratch": {}}}, mounts={"/d": "scratch-0"}),
     f'{P}mounts./d.volume: "scratch-0" {SCRATCH_NAME}', False),
    ("volume with both kinds", svc(volumes={"d": {"efs": {}, "scratch": {}}}, mounts={"/d": "d"}),
     f'{P}volumes.d: {{"efs": {{}}, "scratch": {{}}}}{ONE_KIND}', True),
    ("volume with neither kind", svc(volumes={"d": {}}, mounts={"/d": "d"}),
     f"{P}volumes.d: {{}}{ONE_KIND}", True),
    ("volume not a map", svc(volumes={"d": "efs"}, mounts={"/d": "d"}),
     f'{P}volumes.d: "efs" is not a map (allowed: a YAML object of key: value)', False),
    ("scratch volume with a setting", svc(volumes={"d": {"scratch": {"size": 1}}}, mounts={"/d": "d"}),
     f"{P}volumes.d.scratch.size: unknown key (allowed: )", False),
    ("volume mounted by nobody", svc(volumes={"d": {"scratch": {}}}),
     f"{P}volumes.d: is mounted by no container (allowed: mount it with a container's mounts, or remove it)", True),
    # --- EFS -------------------------------------------------------------------------------------
    ("efs unknown key", efs_svc({"size": 5}),
     f"{P}volumes.d.efs.size: unknown key (allowed: accessPointId, fileSystemId, owner)", False),
    ("efs file system id", efs_svc({"fileSystemId": "fs-xyz", "accessPointId": FSAP}),
     f'{P}volumes.d.efs.fileSystemId: "fs-xyz" is not an EFS file system id (allowed: ^fs-[0-9a-f]{{8,40}}$)',
     False),
    ("efs access point id", efs_svc({"fileSystemId": FS, "accessPointId": "ap-1"}),
     f'{P}volumes.d.efs.accessPointId: "ap-1" is not an EFS access point id (allowed: ^fsap-[0-9a-f]{{8,40}}$)',
     False),
    ("efs with only fileSystemId", efs_svc({"fileSystemId": FS}), f"{P}volumes.d.efs.accessPointId: {BOTH_IDS}", True),
    ("efs with only accessPointId", efs_svc({"accessPointId": FSAP}), f"{P}volumes.d.efs.fileSystemId: {BOTH_IDS}",
     True),
    ("efs owner not numeric", efs_svc({"owner": "www-data"}),
     f'{P}volumes.d.efs.owner: "www-data" is not a numeric user (allowed: uid or uid:gid, e.g. "33:33")', False),
    ("efs owner on an adopted volume", efs_svc({**ADOPTED, "owner": "33:33"}),
     f"{P}volumes.d.efs.owner: is set on an adopted access point, whose owner is its own (allowed: owner only on "
     "a created volume)", True),
    ("efs volume and a user name", efs_svc({}, user="www-data"), f'{P}user: "www-data" {NOT_NUMERIC}', True),
    ("efs volume and the image's user", efs_svc({}, user=None, waivers={"ECS.20": "vendor image"}),
     f"{P}user: null {NOT_NUMERIC}", False),
    ("efs mounted as different users",
     efs_svc({}, user="1000:1000", sidecars={"a": side(user="2000", mounts={"/d": "d"})}),
     f"{P}volumes.d: is mounted as different users (the application: 1000:1000, a: 2000:2000) (allowed: one "
     "uid:gid for every container mounting an EFS volume)", True),
    # --- mounts ----------------------------------------------------------------------------------
    ("mount of an undeclared volume", svc(mounts={"/d": "d"}),
     f'{P}mounts./d: "d" is not a volume of this task (allowed: a name declared under volumes)', True),
    ("mount of an undeclared volume names the volumes",
     svc(mounts={"/d": "d", "/e": "e"}, volumes={"e": {"scratch": {}}}),
     f'{P}mounts./d: "d" is not a volume of this task (allowed: e)', False),
    ("sidecar mount of an undeclared volume", svc(sidecars={"a": side(mounts={"/d": "d"})}),
     f'{P}sidecars.a.mounts./d: "d" is not a volume of this task (allowed: a name declared under volumes)', False),
    ("mount of a bad volume name", svc(mounts={"/d": "a b"}),
     f'{P}mounts./d.volume: "a b" is not a volume name (allowed: 1-255 letters, digits, hyphens and underscores)',
     False),
    ("mount unknown key", svc(volumes={"d": {"scratch": {}}}, mounts={"/d": {"volume": "d", "ro": True}}),
     f"{P}mounts./d.ro: unknown key (allowed: readOnly, volume)", False),
    ("mount readOnly not a boolean", svc(volumes={"d": {"scratch": {}}}, mounts={"/d": {"volume": "d", "readOnly": "yes"}}),
     f'{P}mounts./d.readOnly: "yes" is not a boolean (allowed: true, false)', False),
    ("mount without volume", svc(volumes={"d": {"scratch": {}}}, mounts={"/d": {"readOnly": True}}),
     f"{P}mounts./d.volume: missing (allowed: a volume name)", False),
    ("mount neither name nor map", svc(volumes={"d": {"scratch": {}}}, mounts={"/d": 5}),
     f"{P}mounts./d: 5 is not a map (allowed: a YAML object of key: value)", False),
    ("mount on a writable path", svc(volumes={"d": {"scratch": {}}}, mounts={"/tmp": "d"}, writablePaths=["/tmp"]),
     f"{P}mounts./tmp: is also a writable path (allowed: each path mounted once)", False),
    ("mount path relative", svc(volumes={"d": {"scratch": {}}}, mounts={"d": "d"}),
     f'{P}mounts.d: "d" is not an absolute container path (allowed: e.g. /tmp)', False),
    ("mount path not in normal form", svc(volumes={"d": {"scratch": {}}}, mounts={"/d/": "d"}),
     f'{P}mounts./d/: "/d/" is not in normal form (allowed: "/d")', False),
    ("mount path in the kernel's", svc(volumes={"d": {"scratch": {}}}, mounts={"/proc/x": "d"}),
     f'{P}mounts./proc/x: "/proc/x" is the root or a kernel file system (allowed: a path below / outside /proc, '
     "/sys, /dev)", False),
    # --- service to service ----------------------------------------------------------------------
    ("callers without a port", svc(port=None, callers=["web"]),
     f"{P}callers: needs a port to be called on (allowed: set port, or no callers)", True),
    ("caller listed twice", pair({"callers": ["web", "web"]}),
     f'{P}callers[1]: "web" is already listed (allowed: each caller once)', False),
    ("caller not a service name", svc(callers=["Web_1"]),
     f'{P}callers[0]: "Web_1" is not a valid service name (allowed: 1-32 lowercase letters, digits and hyphens, '
     "starting with a letter and not ending with a hyphen)", False),
    ("callers not a list", svc(callers="web"), f'{P}callers: "web" is not a list (allowed: a YAML list)', False),
    ("unknown caller", pair({"callers": ["wbe"]}),
     f'{P}callers[0]: "wbe" is not a service of this stack (allowed: web)', True),
    ("caller is the service itself", svc(callers=["api"]),
     f'{P}callers[0]: "api" is the service itself (allowed: other services of the stack)', True),
    ("caller on EXTERNAL", pair({"callers": ["web"]}, {"launchType": "EXTERNAL"}, launchType="EC2", external={}),
     f"{P}callers[0]: web " + NO_SC.format(mode="bridge", lt="EXTERNAL"), True),
    ("callee on EXTERNAL", on("EXTERNAL", pair({"callers": ["web"]})),
     f"{P}callers: api " + NO_SC.format(mode="bridge", lt="EXTERNAL"), False),
    ("caller in bridge mode", on("EC2", pair({"callers": ["web"]}, {"networkMode": "bridge"})),
     f"{P}callers[0]: web " + NO_SC.format(mode="bridge", lt="EC2"), True),
    ("callee in host mode", on("EC2", pair({"callers": ["web"], "networkMode": "host"})),
     f"{P}callers: api " + NO_SC.format(mode="host", lt="EC2"), False),
    # --- container names and count ---------------------------------------------------------------
    ("sidecar named after its service", svc(sidecars={"api": side()}),
     f"{P}sidecars.api: is the name of the application container, which is the service's (allowed: another name)",
     True),
    ("eleven containers", svc(sidecars={f"s{i}": side() for i in range(10)}),
     f"{P}sidecars: make 11 containers in the task, counting the application container (allowed: at most 10 "
     "containers per task definition, an AWS quota that cannot be raised)", True),
    ("ten containers and volume-init", svc(writablePaths=["/tmp"], sidecars={f"s{i}": side() for i in range(9)}),
     f"{P}sidecars: make 11 containers in the task, counting the application container and volume-init "
     "(allowed: at most 10 containers per task definition, an AWS quota that cannot be raised)", False),
    # --- where volumes can run -------------------------------------------------------------------
    ("created EFS volume on EXTERNAL", on("EXTERNAL", efs_svc({})), f"{P}volumes.d: {NO_EFS_EXTERNAL}", True),
    ("adopted EFS volume on EXTERNAL", on("EXTERNAL", efs_svc(ADOPTED)), f"{P}volumes.d: {NO_EFS_EXTERNAL}", False),
    ("created EFS volume in bridge mode on EC2", on("EC2", efs_svc({}, networkMode="bridge")),
     f'{P}networkMode: "bridge" {NO_EFS_SG}', True),
    ("created EFS volume in host mode on EC2", on("EC2", efs_svc({}, networkMode="host")),
     f'{P}networkMode: "host" {NO_EFS_SG}', False),
]  # fmt: skip


def _params(cases: list[tuple[str, dict[str, Any], str, bool]]) -> list[Any]:
    return [pytest.param(overrides, expected, id=cid) for cid, overrides, expected, _ in cases]


def test_case_ids_are_unique() -> None:
    ids = [c[0] for c in CASES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize(("overrides", "expected"), _params(CASES))
def test_config_rule_reports_its_exact_problem(overrides: dict[str, Any], expected: str) -> None:
    problems = config_problems(overrides)
    assert expected in problems, problems


@pytest.mark.parametrize(("overrides", "expected"), _params([c for c in CASES if c[3]]))
def test_bad_application_registers_nothing(overrides: dict[str, Any], expected: str) -> None:
    run = run_program("dev", overrides)
    assert isinstance(run.error, ConfigError), run.error
    assert run.resources == []
    assert expected in run.error.problems, run.error.problems


def test_problems_of_containers_and_volumes_of_several_services_are_reported_at_once() -> None:
    run = run_program("dev", pair(
        {"dependsOn": {"m": "HEALTHY"}, "sidecars": {"m": side()}, "volumes": {"d": {"scratch": {}}}},
        {"mounts": {"/e": "e"}, "sidecars": {"n": side(port=8080)}},
    ))  # fmt: skip
    assert isinstance(run.error, ConfigError), run.error
    assert run.resources == []
    assert sorted(p.split(": ", 1)[0].removeprefix(NS) for p in run.error.problems) == [
        "services.api.dependsOn.m", "services.api.volumes.d", "services.web.mounts./e", "services.web.sidecars.n.port",
    ]  # fmt: skip


# --- Python path -------------------------------------------------------------------------------

BASE: dict[str, Any] = {"image": "nginx:1.27", "user": "1000", "port": 8080}

#: (id, config override, config key path, Python build -> problems, Python key path): the message
#: after the path is the same on both.
BOTH: list[tuple[str, dict[str, Any], str, Callable[[], list[str]], str]] = [
    ("unknown dependency", svc(dependsOn={"m": "START"}), "services.api.dependsOn.m",
     lambda: spec_problems(lambda: ServiceSpec(**BASE, depends_on={"m": "START"})), "ServiceSpec.depends_on.m"),
    ("dependency cycle",
     svc(sidecars={"a": side(dependsOn={"b": "START"}), "b": side(dependsOn={"a": "START"})}),
     "services.api.sidecars.a.dependsOn",
     lambda: spec_problems(lambda: ServiceSpec(**BASE, sidecars={
         "a": SidecarSpec(**SIDE, depends_on={"b": "START"}), "b": SidecarSpec(**SIDE, depends_on={"a": "START"})})),
     "ServiceSpec.sidecars.a.depends_on"),
    ("efs with only fileSystemId", efs_svc({"fileSystemId": FS}), "services.api.volumes.d.efs.accessPointId",
     lambda: spec_problems(lambda: EfsSpec(file_system_id=FS)), "EfsSpec.access_point_id"),
    ("volume with neither kind", svc(volumes={"d": {}}, mounts={"/d": "d"}), "services.api.volumes.d",
     lambda: spec_problems(lambda: VolumeSpec()), "VolumeSpec"),
    ("sidecar memory over the task's", svc(memory=512, sidecars={"a": side(memory=513)}), "services.api.sidecars",
     lambda: spec_problems(lambda: TaskSpec(**BASE, memory=512, sidecars={"a": SidecarSpec(**SIDE, memory=513)})),
     "TaskSpec.sidecars"),
    ("callers without a port", svc(port=None, callers=["web"]), "services.api.callers",
     lambda: spec_problems(lambda: ServiceSpec(image="nginx:1.27", user="1000", callers=["web"])),
     "ServiceSpec.callers"),
    ("unknown caller", pair({"callers": ["wbe"]}), "services.api.callers[0]",
     lambda: spec_problems(lambda: PlatformSpec(services={"api": ServiceSpec(**BASE, callers=["wbe"]),
                                                         "web": ServiceSpec(**BASE)})),
     "PlatformSpec.services.api.callers[0]"),
    ("mount of an undeclared volume, in a program", svc(mounts={"/d": "d"}), "services.api.mounts./d",
     lambda: in_program(lambda: Service("api", ServiceSpec(**BASE, mounts={"/d": "d"}),
                                        cluster=ClusterRef(arn=CLUSTER_ARN), vpc_id="vpc-0123456789abcdef0", subnet_ids=["subnet-0aaaaaaaaaaaaaaaa"])),
     "ServiceSpec.mounts./d"),
]  # fmt: skip


def _after(problems: list[str], path: str) -> str:
    head = f"{path}: "
    found = [p[len(head) :] for p in problems if p.startswith(head)]
    assert len(found) == 1, (path, problems)
    return found[0]


@pytest.mark.parametrize(
    ("overrides", "config_path", "build", "python_path"), [c[1:] for c in BOTH], ids=[c[0] for c in BOTH]
)
def test_python_path_gives_the_same_message_at_its_snake_case_path(
    overrides: dict[str, Any], config_path: str, build: Callable[[], list[str]], python_path: str
) -> None:
    assert _after(build(), python_path) == _after(config_problems(overrides), NS + config_path)


# --- values at the edges load ------------------------------------------------------------------

GOOD: list[tuple[str, dict[str, Any]]] = [
    ("sidecar cpu adding up to the task's", svc(cpu=256, sidecars={"a": side(cpu=200), "b": side(cpu=56)})),
    ("sidecar memory one MiB below the task's", svc(memory=512, sidecars={"a": side(memory=511)})),
    ("sidecar memory at ECS's 6 MiB", svc(sidecars={"a": side(memory=6)})),
    ("HEALTHY on a sidecar with a health check",
     svc(dependsOn={"m": "HEALTHY"}, sidecars={"m": side(healthCheck={"command": "true"})})),
    ("SUCCESS on a sidecar that is not essential", svc(dependsOn={"m": "SUCCESS"}, sidecars={"m": side(essential=False)})),
    ("only a sidecar essential", svc(essential=False, sidecars={"m": side()})),
    ("efs mounted as uid and as the same uid:gid",
     efs_svc({}, user="1000", sidecars={"a": side(user="1000:1000", mounts={"/d": "d"})})),
    ("efs owner settles different users", efs_svc({"owner": "33:33"}, sidecars={"a": side(mounts={"/d": "d"})})),
    ("efs owner with a user name", efs_svc({"owner": "33:33"}, user="www-data")),
    ("adopted efs in bridge mode on EC2", on("EC2", efs_svc(ADOPTED, networkMode="bridge"))),
    ("scratch volume on EXTERNAL", on("EXTERNAL", svc(volumes={"d": {"scratch": {}}}, mounts={"/d": "d"}))),
    ("caller and callee on FARGATE_SPOT and FARGATE", pair({"callers": ["web"]}, {"launchType": "FARGATE_SPOT"})),
    ("caller without a port", pair({"callers": ["web"]}, {"port": None})),
    ("ten containers", svc(sidecars={f"s{i}": side() for i in range(9)})),
    ("nine containers and volume-init", svc(writablePaths=["/tmp"], sidecars={f"s{i}": side() for i in range(8)})),
]  # fmt: skip


def test_a_component_refuses_a_sidecar_named_like_its_container() -> None:
    spec = ServiceSpec(image="nginx", user="1000", sidecars={"web": SidecarSpec(image="x", user="1")})
    cluster = ClusterRef(arn=CLUSTER_ARN, spec=ClusterSpec())

    def build() -> None:
        Service("svc", spec, cluster=cluster, vpc_id="vpc-0123456789abcdef0", subnet_ids=["subnet-0aaaaaaaaaaaaaaaa"], container_name="web")

    # in_program also asserts that nothing was registered.
    assert in_program(build) == ["Service.container_name: 'web' is also a sidecar's name (allowed: a name none "
                                 "of the spec's sidecars has)"]  # fmt: skip


@pytest.mark.parametrize("overrides", [c[1] for c in GOOD], ids=[c[0] for c in GOOD])
def test_values_at_the_edges_load(overrides: dict[str, Any]) -> None:
    load(overrides)
