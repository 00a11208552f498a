"""Stack config -> typed, validated settings. Registers no resources.

It imports the components' plain argument types (health checks, routes,
instance specs) so that settings and components share one definition of each;
that pulls in the Pulumi SDKs, but nothing here talks to an engine.

``load()`` reads the ``ecs-platform:*`` keys as plain values, checks every rule
of :mod:`components.validation`, and either returns a :class:`PlatformSettings`
or raises one :class:`ConfigError` that lists every problem found. Defaults live
in :data:`DEFAULTS` and are the same ones ``Pulumi.yaml`` declares (a test keeps
the two in step).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from components import validation as v
from components.containers import HealthCheckArgs as HealthCheck
from components.external import check_expiration
from components.instance_types import INSTANCE_TYPE_RE, INSTANCE_TYPES, InstanceSpec
from components.routing import Route, assign
from components.service import AutoscalingArgs as Autoscaling
from components.service import TargetHealthCheckArgs as TargetHealthCheck
from components.validation import ConfigError

PROJECT = "ecs-platform"

#: Defaults of the scalar keys; Pulumi.yaml declares the same values.
DEFAULTS: dict[str, Any] = {
    "launchType": "FARGATE",
    "azCount": 3,
    "desiredCount": 2,
    "natGateways": "OnePerAz",
    "vpcCidr": "10.0.0.0/16",
    "logRetentionDays": 30,
    "containerInsights": "enabled",
    "fargateOnDemandBase": 1,
    "retainLogsOnDelete": False,
}
#: Keys whose value is a YAML object (Pulumi.yaml cannot declare object types).
OBJECT_KEYS = ("services", "vpc", "tags", "loadBalancer", "ec2", "external")
TOP_LEVEL_KEYS = tuple(DEFAULTS) + OBJECT_KEYS

SERVICE_KEYS = (
    "image", "cpu", "memory", "port", "desiredCount", "environment", "secrets",
    "command", "healthCheck", "architecture", "ephemeralStorageGiB", "stopTimeout",
    "readonlyRootFilesystem", "writablePaths", "exec", "permissions", "user",
    "minHealthyPercent", "maxPercent", "public", "routes", "targetHealthCheck",
    "deregistrationDelay", "healthCheckGracePeriod", "autoscaling", "launchType", "networkMode",
    "waivers",
)  # fmt: skip
HEALTH_CHECK_KEYS = ("command", "interval", "timeout", "retries", "startPeriod")
PERMISSION_KEYS = ("actions", "resources")
VPC_KEYS = ("vpcId", "publicSubnetIds", "privateSubnetIds")
LOAD_BALANCER_KEYS = (
    "internal", "ingressCidrs", "certificateArn", "sslPolicy", "allowPlainHttp",
    "plainHttpWaiver", "desyncMitigationMode", "deletionProtection", "accessLogs",
    "accessLogsBucket", "idleTimeout",
)  # fmt: skip
ROUTE_KEYS = ("paths", "hosts", "priority")
EC2_KEYS = (
    "instanceTypes", "minSize", "maxSize", "spotPercentage", "onDemandBase", "targetCapacity",
    "rootVolumeGiB", "instanceTypeSpecs",
)  # fmt: skip
INSTANCE_SPEC_KEYS = ("vcpu", "memoryMiB", "architecture")
EXTERNAL_KEYS = ("registrationLimit", "expirationDate")
FARGATE = ("FARGATE", "FARGATE_SPOT")
TARGET_HEALTH_KEYS = ("path", "matcher", "interval", "timeout", "healthyThreshold", "unhealthyThreshold")
AUTOSCALING_KEYS = (
    "min", "max", "cpuTarget", "memoryTarget", "requestsPerTarget", "scaleInCooldown",
    "scaleOutCooldown",
)  # fmt: skip
#: Stacks whose name says production: plain HTTP there needs a written waiver.
PROD_STACK_RE = re.compile(r"^prod(uction)?($|[-_])")

#: The service a stack runs when config has no ``services`` key: a public,
#: unprivileged nginx that passes our own defaults (non-root user, read-only
#: root filesystem with a scratch /tmp, container health check).
SAMPLE_SERVICES: dict[str, Any] = {
    "web": {
        "image": "public.ecr.aws/nginx/nginx-unprivileged:1.27-alpine",
        "port": 8080,
        "public": True,
        "user": "101:101",
        "writablePaths": ["/tmp"],
        "healthCheck": {
            "command": "wget -q -O /dev/null http://localhost:8080/ || exit 1",
            "startPeriod": 10,
        },
    }
}


def sample_services(launch_type: Any) -> dict[str, Any]:
    """The sample, public unless it runs on EXTERNAL machines (no load balancer there)."""
    if launch_type != "EXTERNAL":
        return SAMPLE_SERVICES
    return {name: {k: v for k, v in svc.items() if k != "public"} for name, svc in SAMPLE_SERVICES.items()}


@dataclass(frozen=True)
class IamStatement:
    """One Allow statement granted to a service's task role."""

    actions: tuple[str, ...]
    resources: tuple[str, ...]


@dataclass(frozen=True)
class LoadBalancerSettings:
    """The stack's application load balancer (created when a service is public)."""

    internal: bool = False
    ingress_cidrs: tuple[str, ...] = ("0.0.0.0/0",)
    certificate_arn: str | None = None
    ssl_policy: str = v.DEFAULT_SSL_POLICY
    allow_plain_http: bool = False
    plain_http_waiver: str | None = None
    desync_mitigation_mode: str = "defensive"
    deletion_protection: bool = True
    access_logs: bool = True
    access_logs_bucket: str | None = None
    idle_timeout: int = 60


@dataclass(frozen=True)
class Ec2Settings:
    """EC2 capacity: an Auto Scaling group behind an ECS capacity provider."""

    instance_types: tuple[str, ...] = ("t3.medium",)
    min_size: int = 1
    max_size: int = 10
    spot_percentage: int = 0
    on_demand_base: int = 0
    target_capacity: int = 100
    root_volume_gib: int = 30
    instance_type_specs: Mapping[str, InstanceSpec] = field(default_factory=dict)

    def spec(self, instance_type: str) -> InstanceSpec:
        return self.instance_type_specs.get(instance_type) or INSTANCE_TYPES[instance_type]

    @property
    def architecture(self) -> str:
        return self.spec(self.instance_types[0]).architecture

    @property
    def smallest(self) -> InstanceSpec:
        """What every task must fit: the least CPU and memory of any type."""
        specs = [self.spec(t) for t in self.instance_types]
        return InstanceSpec(
            min(s.vcpu for s in specs), min(s.memory_mib for s in specs), specs[0].architecture
        )


@dataclass(frozen=True)
class ExternalSettings:
    """External capacity (ECS Anywhere): an SSM activation registers machines."""

    registration_limit: int = 10
    expiration_date: str | None = None


@dataclass(frozen=True)
class ServiceSettings:
    """One service of the ``services`` map, validated, with defaults applied."""

    name: str
    image: str
    launch_type: str = "FARGATE"
    network_mode: str = "awsvpc"
    cpu: int = 256
    memory: int = 512
    port: int | None = None
    desired_count: int = 2
    environment: Mapping[str, str] = field(default_factory=dict)
    secrets: Mapping[str, str] = field(default_factory=dict)
    command: tuple[str, ...] | None = None
    health_check: HealthCheck | None = None
    architecture: str = "X86_64"
    ephemeral_storage_gib: int | None = None
    stop_timeout: int | None = None
    readonly_root_filesystem: bool = True
    writable_paths: tuple[str, ...] = ()
    exec_enabled: bool = False
    permissions: tuple[IamStatement, ...] = ()
    user: str | None = None
    min_healthy_percent: int = 100
    max_percent: int = 200
    waivers: Mapping[str, str] = field(default_factory=dict)
    public: bool = False
    routes: tuple[Route, ...] = ()
    target_health_check: TargetHealthCheck = field(default_factory=TargetHealthCheck)
    deregistration_delay: int = 30
    health_check_grace_period: int = 60
    autoscaling: Autoscaling | None = None


@dataclass(frozen=True)
class ExistingVpc:
    """A VPC the stack adopts instead of creating one."""

    vpc_id: str
    public_subnet_ids: tuple[str, ...]
    private_subnet_ids: tuple[str, ...]


@dataclass(frozen=True)
class PlatformSettings:
    """Everything a stack asks for, validated. Built by :func:`load`."""

    project: str
    stack: str
    region: str
    launch_type: str
    az_count: int
    zones: tuple[str, ...]
    desired_count: int
    nat_gateways: str
    vpc_cidr: str
    log_retention_days: int
    container_insights: str
    fargate_on_demand_base: int
    retain_logs_on_delete: bool
    services: Mapping[str, ServiceSettings]
    existing_vpc: ExistingVpc | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    load_balancer: LoadBalancerSettings = field(default_factory=LoadBalancerSettings)
    ec2: Ec2Settings | None = None
    external: ExternalSettings | None = None

    @property
    def launch_types(self) -> tuple[str, ...]:
        """The kinds of capacity the cluster offers."""
        return offered_launch_types(self.launch_type, self.ec2 is not None, self.external is not None)

    @property
    def public_services(self) -> list[ServiceSettings]:
        return [svc for svc in self.services.values() if svc.public]


def offered_launch_types(default: str, has_ec2: bool, has_external: bool) -> tuple[str, ...]:
    """Fargate (on-demand and Spot) always; EC2 and EXTERNAL when configured or the default."""
    return (
        FARGATE
        + (("EC2",) if has_ec2 or default == "EC2" else ())
        + (("EXTERNAL",) if has_external or default == "EXTERNAL" else ())
    )


# --- reading pulumi.Config ----------------------------------------------------


def _parse(text: str) -> Any:
    """Config values arrive as strings; objects, lists and numbers as JSON text."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def read_config(project: str = PROJECT) -> dict[str, Any]:
    """Every ``<project>:*`` key the program was given, parsed to plain values.

    Reads the whole config map (not only known keys) so that a misspelt key is
    reported instead of silently ignored.
    """
    from pulumi.runtime import config as runtime_config

    merged: dict[str, Any] = {}
    merged.update(runtime_config.get_config_env())
    merged.update(runtime_config.CONFIG.get())
    prefix = f"{project}:"
    return {
        key[len(prefix) :]: _parse(value) if isinstance(value, str) else value
        for key, value in merged.items()
        if key.startswith(prefix)
    }


# --- validation ---------------------------------------------------------------


class _Problems:
    """Collects problems for one load(); each check appends, nothing raises early."""

    def __init__(self, project: str) -> None:
        self.prefix = f"{project}:"
        self.items: list[str] = []

    def key(self, *parts: str) -> str:
        return self.prefix + ".".join(parts)

    def add(self, problems: list[str]) -> bool:
        self.items.extend(problems)
        return not problems


def _as_map(p: _Problems, path: str, value: Any) -> dict[str, Any] | None:
    if isinstance(value, dict):
        return value
    p.add([f"{path}: {v.show(value)} is not a map (allowed: a YAML object of key: value)"])
    return None


def _section(p: _Problems, path: str, raw: Any, keys: Sequence[str]) -> dict[str, Any] | None:
    """A config map whose keys must be ``keys`` (a misspelt one is reported)."""
    m = _as_map(p, path, raw)
    if m is not None:
        p.add(v.check_unknown_keys(path, m, keys))
    return m


def _as_list(p: _Problems, path: str, value: Any, what: str = "a list") -> list[Any] | None:
    if isinstance(value, list):
        return value
    p.add([f"{path}: {v.show(value)} is not {what}"])
    return None


def _health_check(p: _Problems, path: str, raw: Any) -> HealthCheck | None:
    hc = _section(p, path, raw, HEALTH_CHECK_KEYS)
    if hc is None:
        return None
    command = hc.get("command")
    cmd: tuple[str, ...] = ()
    if isinstance(command, str) and command.strip():
        cmd = ("CMD-SHELL", command)
    elif (
        isinstance(command, list)
        and len(command) >= 2
        and command[0] in ("CMD", "CMD-SHELL")
        and all(isinstance(c, str) for c in command)
    ):
        cmd = tuple(command)
    else:
        p.add(
            [
                f"{path}.command: {v.show(command)} is not a health check command "
                '(allowed: a shell string, or a list starting with "CMD" or "CMD-SHELL")'
            ]
        )
    limits = {"interval": (5, 300, 30), "timeout": (2, 60, 5), "retries": (1, 10, 3),
              "startPeriod": (0, 300, 0)}  # fmt: skip
    values: dict[str, int] = {}
    for key, (lo, hi, default) in limits.items():
        value = hc.get(key, default)
        if p.add(v.check_int(f"{path}.{key}", value, lo, hi)):
            values[key] = value
    if "timeout" in values and "interval" in values and values["timeout"] >= values["interval"]:
        p.add(
            [
                f"{path}.timeout: {values['timeout']} is not shorter than the interval "
                f"{values['interval']} (allowed: timeout < interval)"
            ]
        )
    if not cmd or len(values) != len(limits):
        return None
    return HealthCheck(cmd, values["interval"], values["timeout"], values["retries"],
                       values["startPeriod"])  # fmt: skip


def _permissions(p: _Problems, path: str, raw: Any) -> tuple[IamStatement, ...]:
    items = _as_list(p, path, raw, "a list of {actions, resources} statements")
    out: list[IamStatement] = []
    for i, item in enumerate(items or []):
        ipath = f"{path}[{i}]"
        st = _as_map(p, ipath, item)
        if st is None:
            continue
        p.add(v.check_unknown_keys(ipath, st, PERMISSION_KEYS))
        actions = _as_list(p, f"{ipath}.actions", st.get("actions"), "a list of IAM actions") or []
        resources = _as_list(p, f"{ipath}.resources", st.get("resources"), "a list of resource ARNs") or []
        ok = bool(actions) and bool(resources)
        if "actions" in st and not actions:
            ok = p.add([f"{ipath}.actions: [] is empty (allowed: one or more IAM actions)"])
        if "resources" in st and not resources:
            ok = p.add([f"{ipath}.resources: [] is empty (allowed: one or more resource ARNs)"])
        for j, action in enumerate(actions):
            ok &= p.add(v.check_iam_action(f"{ipath}.actions[{j}]", action))
        for j, resource in enumerate(resources):
            ok &= p.add(v.check_iam_resource(f"{ipath}.resources[{j}]", resource))
        if ok:
            out.append(IamStatement(tuple(actions), tuple(resources)))
    return tuple(out)


@dataclass(frozen=True)
class _Capacity:
    """What the stack offers services, for the per-service checks."""

    default: str | None  # the stack's launchType, None when it is invalid
    offered: tuple[str, ...]
    ec2: Ec2Settings | None


def _service(
    p: _Problems, name: str, raw: Any, capacity: _Capacity, stack_desired: Any
) -> ServiceSettings | None:
    path = p.key("services", name)
    start = len(p.items)
    p.add(v.check_service_name(path, name))
    svc = _section(p, path, raw, SERVICE_KEYS)
    if svc is None:
        return None

    def key(k: str) -> str:
        return f"{path}.{k}"

    image = svc.get("image")
    p.add(v.check_image(key("image"), image))
    launch_type = svc.get("launchType", capacity.default)
    if "launchType" in svc and p.add(v.check_launch_type(key("launchType"), launch_type)):
        if launch_type not in capacity.offered:
            p.add([f"{key('launchType')}: {v.show(launch_type)} is not offered by this cluster "
                   f"(allowed: {', '.join(capacity.offered)}; add the `{str(launch_type).lower()}` key "
                   "to give the cluster that capacity)"])  # fmt: skip
            launch_type = None
    elif "launchType" in svc:
        launch_type = None
    cpu = svc.get("cpu", 256)
    memory = svc.get("memory", 512)
    if launch_type in FARGATE:
        p.add(v.check_fargate_size(key("cpu"), key("memory"), cpu, memory))
    elif launch_type is not None and p.add(
        v.check_int(key("cpu"), cpu, 128, 196608) + v.check_int(key("memory"), memory, 128, 1048576)
    ):
        p.add(_fits_instances(key, cpu, memory, capacity.ec2 if launch_type == "EC2" else None))
    default_mode = "bridge" if launch_type == "EXTERNAL" else "awsvpc"
    network_mode = svc.get("networkMode", default_mode)
    allowed_modes = {"EXTERNAL": ("bridge", "host"), "EC2": ("awsvpc", "bridge", "host")}.get(
        str(launch_type), ("awsvpc",)
    )
    if launch_type is not None and not p.add(v.check_choice(key("networkMode"), network_mode, allowed_modes)):
        network_mode = default_mode
    if launch_type == "EXTERNAL":
        for k in ("public", "routes", "targetHealthCheck", "deregistrationDelay", "healthCheckGracePeriod",
                  "ephemeralStorageGiB"):  # fmt: skip
            if k in svc and svc[k] is not False:
                what = "Fargate-only setting" if k == "ephemeralStorageGiB" else "load balancer setting"
                p.add([f"{key(k)}: is a {what}, and this service runs on EXTERNAL capacity "
                       "(allowed: remove it, or run the service on FARGATE or EC2)"])  # fmt: skip
    elif launch_type == "EC2" and "ephemeralStorageGiB" in svc:
        p.add([f"{key('ephemeralStorageGiB')}: is a Fargate-only setting, and this service runs on EC2 "
               "(allowed: remove it; size the instances' root volume with ec2.rootVolumeGiB)"])  # fmt: skip
    port = svc.get("port")
    if port is not None:
        p.add(v.check_port(key("port"), port))
    desired = svc.get("desiredCount", stack_desired)
    if "desiredCount" in svc:
        p.add(v.check_desired_count(key("desiredCount"), desired))

    environment: dict[str, str] = {}
    env_raw = _as_map(p, key("environment"), svc.get("environment", {}))
    for env_name, env_value in sorted((env_raw or {}).items()):
        epath = key(f"environment.{env_name}")
        if p.add(v.check_env_name(epath, env_name) + v.check_plain_env(epath, env_name, env_value)):
            environment[env_name] = json.dumps(env_value) if isinstance(env_value, bool) else str(env_value)
    secrets: dict[str, str] = {}
    sec_raw = _as_map(p, key("secrets"), svc.get("secrets", {}))
    for sec_name, arn in sorted((sec_raw or {}).items()):
        spath = key(f"secrets.{sec_name}")
        if p.add(v.check_env_name(spath, sec_name) + v.check_secret_arn(spath, arn)):
            secrets[sec_name] = arn
        if sec_name in environment:
            p.add([f"{spath}: {v.show(sec_name)} is also a plain environment variable "
                   "(allowed: each name in either environment or secrets)"])  # fmt: skip

    command: tuple[str, ...] | None = None
    if "command" in svc:
        cmd = svc["command"]
        if isinstance(cmd, str) and cmd.strip():
            command = ("sh", "-c", cmd)
        elif isinstance(cmd, list) and cmd and all(isinstance(c, str) for c in cmd):
            command = tuple(cmd)
        else:
            p.add([f"{key('command')}: {v.show(cmd)} is not a command "
                   "(allowed: a list of strings, or one shell string)"])  # fmt: skip

    health_check = _health_check(p, key("healthCheck"), svc["healthCheck"]) if "healthCheck" in svc else None

    instance_arch = capacity.ec2.architecture if launch_type == "EC2" and capacity.ec2 else None
    architecture = svc.get("architecture", instance_arch or "X86_64")
    arch_ok = p.add(v.check_choice(key("architecture"), architecture, v.ARCHITECTURES))
    if arch_ok and instance_arch and architecture != instance_arch:
        p.add([f"{key('architecture')}: {v.show(architecture)} does not match the EC2 instances "
               f"({instance_arch}) (allowed: {instance_arch}, or instance types of the other "
               "architecture)"])  # fmt: skip

    storage = svc.get("ephemeralStorageGiB")
    if storage is not None:
        p.add(v.check_int(key("ephemeralStorageGiB"), storage, 21, 200))
    stop_timeout = svc.get("stopTimeout")
    if stop_timeout is not None:
        p.add(v.check_int(key("stopTimeout"), stop_timeout, 2, 120))

    readonly = svc.get("readonlyRootFilesystem", True)
    p.add(v.check_bool(key("readonlyRootFilesystem"), readonly))
    writable: list[str] = []
    for i, wp in enumerate(_as_list(p, key("writablePaths"), svc.get("writablePaths", []),
                                    "a list of container paths") or []):  # fmt: skip
        if p.add(v.check_absolute_path(key(f"writablePaths[{i}]"), wp)):
            if wp.rstrip("/") in [w.rstrip("/") for w in writable] or wp.rstrip("/") == "":
                p.add([f"{key(f'writablePaths[{i}]')}: {v.show(wp)} is the root or already listed "
                       "(allowed: distinct paths below /)"])  # fmt: skip
            else:
                writable.append(wp)
    exec_enabled = svc.get("exec", False)
    if p.add(v.check_bool(key("exec"), exec_enabled)) and exec_enabled and readonly is True:
        p.add([f"{key('exec')}: true needs a writable root filesystem for the SSM agent "
               "(allowed: exec: true with readonlyRootFilesystem: false, or exec: false)"])  # fmt: skip

    permissions = _permissions(p, key("permissions"), svc["permissions"]) if "permissions" in svc else ()
    user = svc.get("user")
    if user is not None:
        p.add(v.check_str(key("user"), user, "a user (allowed: uid, uid:gid or a user name)"))
    waivers = _waivers(p, key("waivers"), svc.get("waivers", {}))
    p.add(v.check_user(key("user"), user, waivers, f"{key('waivers')}.ECS.20"))
    if "ECS.5" in waivers and readonly is not False:
        p.add([f"{key('waivers')}.ECS.5: waives a control this service keeps "
               "(allowed: only with readonlyRootFilesystem: false)"])  # fmt: skip
    min_healthy = svc.get("minHealthyPercent", 100)
    max_percent = svc.get("maxPercent", 200)
    ok_min = p.add(v.check_int(key("minHealthyPercent"), min_healthy, 0, 100))
    ok_max = p.add(v.check_int(key("maxPercent"), max_percent, 100, 200))
    if ok_min and ok_max and max_percent <= min_healthy:
        p.add([f"{key('maxPercent')}: {max_percent} leaves no room to deploy above "
               f"minHealthyPercent {min_healthy} (allowed: maxPercent > minHealthyPercent)"])  # fmt: skip

    traffic = _traffic(p, path, svc, port) if launch_type != "EXTERNAL" else _Traffic()
    if traffic.public and network_mode != "awsvpc":
        p.add([f"{key('networkMode')}: {v.show(network_mode)} cannot sit behind the load balancer "
               "(allowed: awsvpc for a public service)"])  # fmt: skip
    desired_path = key("desiredCount") if "desiredCount" in svc else p.key("desiredCount")
    autoscaling = (
        _autoscaling(p, key("autoscaling"), svc["autoscaling"], desired, desired_path, traffic.public)
        if "autoscaling" in svc
        else None
    )

    if len(p.items) > start:
        return None
    return ServiceSettings(
        name=name, image=str(image), launch_type=str(launch_type), network_mode=network_mode,
        cpu=cpu, memory=memory, port=port, desired_count=desired,
        environment=environment, secrets=secrets, command=command, health_check=health_check,
        architecture=architecture, ephemeral_storage_gib=storage, stop_timeout=stop_timeout,
        readonly_root_filesystem=readonly, writable_paths=tuple(writable),
        exec_enabled=exec_enabled, permissions=permissions, user=user, waivers=waivers,
        min_healthy_percent=min_healthy, max_percent=max_percent, public=traffic.public,
        routes=traffic.routes, target_health_check=traffic.health_check,
        deregistration_delay=traffic.deregistration_delay,
        health_check_grace_period=traffic.grace_period, autoscaling=autoscaling,
    )  # fmt: skip


def _waivers(p: _Problems, path: str, raw: Any) -> dict[str, str]:
    """Security controls a service turns off on purpose, each with the reason why."""
    m = _as_map(p, path, raw) or {}
    out: dict[str, str] = {}
    for control, reason in m.items():
        if control not in v.SERVICE_WAIVABLE:
            p.add([f"{path}.{control}: is not a control a service may waive "
                   f"(allowed: {', '.join(v.SERVICE_WAIVABLE)})"])  # fmt: skip
        elif p.add(v.check_tag_text(f"{path}.{control}", reason, "reason (it becomes a tag value)", 256)):
            out[control] = reason
    return out


def _fits_instances(key: Any, cpu: int, memory: int, ec2: Ec2Settings | None) -> list[str]:
    """A task on EC2 must fit the smallest instance type the group may launch."""
    if ec2 is None:
        return []
    small = ec2.smallest
    out: list[str] = []
    if cpu > small.task_cpu:
        out.append(f"{key('cpu')}: {cpu} does not fit the smallest instance type "
                   f"({small.vcpu} vCPU = {small.task_cpu} units) of ecs-platform:ec2.instanceTypes "
                   f"(allowed: up to {small.task_cpu}, or larger instance types)")  # fmt: skip
    if memory > small.task_memory_mib:
        out.append(f"{key('memory')}: {memory} does not fit the smallest instance type "
                   f"({small.memory_mib} MiB, {small.task_memory_mib} for tasks) of "
                   f"ecs-platform:ec2.instanceTypes (allowed: up to {small.task_memory_mib}, "
                   "or larger instance types)")  # fmt: skip
    return out


@dataclass
class _Traffic:
    waivers: Mapping[str, str] = field(default_factory=dict)
    public: bool = False
    routes: tuple[Route, ...] = ()
    health_check: TargetHealthCheck = field(default_factory=TargetHealthCheck)
    deregistration_delay: int = 30
    grace_period: int = 60


_PUBLIC_ONLY_KEYS = ("targetHealthCheck", "deregistrationDelay", "healthCheckGracePeriod")


def _traffic(p: _Problems, path: str, svc: dict[str, Any], port: Any) -> _Traffic:
    """A service's load balancer settings: public, routes, target health check."""
    out = _Traffic()
    public = svc.get("public")
    if public is not None and not p.add(v.check_bool(f"{path}.public", public)):
        return out
    routes: list[Route] = []
    if "routes" in svc:
        items = _as_list(p, f"{path}.routes", svc["routes"], "a list of {paths, hosts} routes") or []
        if public is False and items:
            p.add([f"{path}.public: false contradicts the service's routes "
                   "(allowed: public: true, or no routes)"])  # fmt: skip
        if not items and "routes" in svc:
            p.add([f"{path}.routes: [] is empty (allowed: one or more routes, or omit the key)"])
        for i, item in enumerate(items):
            route = _route(p, f"{path}.routes[{i}]", item)
            if route is not None:
                routes.append(route)
    out.public = bool(public) or "routes" in svc
    if not out.public:
        for k in _PUBLIC_ONLY_KEYS:
            if k in svc:
                p.add([f"{path}.{k}: is set on a service that is not public "
                       "(allowed: only with public: true or routes)"])  # fmt: skip
        return out
    if port is None:
        p.add([f"{path}.port: null is missing (allowed: the container port the load balancer "
               "forwards to; required with public: true or routes)"])  # fmt: skip
    out.routes = tuple(routes) if "routes" in svc else (Route(paths=("/*",)),)
    if "targetHealthCheck" in svc:
        hc = _target_health(p, f"{path}.targetHealthCheck", svc["targetHealthCheck"])
        if hc is not None:
            out.health_check = hc
    delay = svc.get("deregistrationDelay", 30)
    if p.add(v.check_int(f"{path}.deregistrationDelay", delay, 0, 3600)):
        out.deregistration_delay = delay
    grace = svc.get("healthCheckGracePeriod", 60)
    if p.add(v.check_int(f"{path}.healthCheckGracePeriod", grace, 0, 2147483647)):
        out.grace_period = grace
    return out


def _route(p: _Problems, path: str, raw: Any) -> Route | None:
    start = len(p.items)
    m = _section(p, path, raw, ROUTE_KEYS)
    if m is None:
        return None
    paths = _as_list(p, f"{path}.paths", m.get("paths", []), "a list of path patterns") or []
    hosts = _as_list(p, f"{path}.hosts", m.get("hosts", []), "a list of host names") or []
    for i, value in enumerate(paths):
        p.add(v.check_path_pattern(f"{path}.paths[{i}]", value))
    for i, value in enumerate(hosts):
        p.add(v.check_host_pattern(f"{path}.hosts[{i}]", value))
    if not paths and not hosts:
        p.add([f"{path}: {v.show(m)} matches nothing (allowed: paths and/or hosts)"])
    if len(paths) + len(hosts) > 5:
        p.add([f"{path}: {len(paths) + len(hosts)} paths and hosts in one route "
               "(allowed: at most 5 per route; split it into several routes)"])  # fmt: skip
    prio = m.get("priority")
    if prio is not None:
        p.add(v.check_int(f"{path}.priority", prio, 1, 50000))
    if len(p.items) > start:
        return None
    return Route(paths=tuple(paths), hosts=tuple(hosts), priority=prio)


def _target_health(p: _Problems, path: str, raw: Any) -> TargetHealthCheck | None:
    start = len(p.items)
    m = _section(p, path, raw, TARGET_HEALTH_KEYS)
    if m is None:
        return None
    d = TargetHealthCheck()
    hc_path = m.get("path", d.path)
    if not (isinstance(hc_path, str) and hc_path.startswith("/") and len(hc_path) <= 1024):
        p.add([f"{path}.path: {v.show(hc_path)} is not a health check path "
               "(allowed: up to 1024 characters starting with /)"])  # fmt: skip
    matcher = m.get("matcher", d.matcher)
    p.add(v.check_matcher(f"{path}.matcher", matcher))
    ints = {"interval": (5, 300, d.interval), "timeout": (2, 120, d.timeout),
            "healthyThreshold": (2, 10, d.healthy_threshold),
            "unhealthyThreshold": (2, 10, d.unhealthy_threshold)}  # fmt: skip
    values = {k: m.get(k, default) for k, (_, _, default) in ints.items()}
    for k, (lo, hi, _) in ints.items():
        p.add(v.check_int(f"{path}.{k}", values[k], lo, hi))
    if len(p.items) > start:
        return None
    if values["timeout"] >= values["interval"]:
        p.add([f"{path}.timeout: {values['timeout']} is not shorter than the interval "
               f"{values['interval']} (allowed: timeout < interval)"])  # fmt: skip
        return None
    return TargetHealthCheck(hc_path, matcher, values["interval"], values["timeout"],
                             values["healthyThreshold"], values["unhealthyThreshold"])  # fmt: skip


def _autoscaling(
    p: _Problems, path: str, raw: Any, desired: Any, desired_path: str, public: bool
) -> Autoscaling | None:
    start = len(p.items)
    m = _section(p, path, raw, AUTOSCALING_KEYS)
    if m is None:
        return None
    lo: int = m.get("min")  # type: ignore[assignment]  # checked just below
    hi: int = m.get("max")  # type: ignore[assignment]
    ok = p.add(v.check_int(f"{path}.min", lo, 1, 5000)) & p.add(v.check_int(f"{path}.max", hi, 1, 5000))
    if ok and hi < lo:
        p.add([f"{path}.max: {hi} is below min {lo} (allowed: min <= max)"])
    elif ok and isinstance(desired, int) and not lo <= desired <= hi:
        p.add([f"{desired_path}: {desired} is outside the autoscaling range {lo}..{hi} of {path} "
               "(allowed: min <= desiredCount <= max)"])  # fmt: skip
    targets = {"cpuTarget": 100, "memoryTarget": 100, "requestsPerTarget": 1000000}
    for k, top in targets.items():
        if k in m:
            p.add(v.check_int(f"{path}.{k}", m[k], 1, top))
    if not any(k in m for k in targets):
        p.add([f"{path}: no target (allowed: one or more of cpuTarget, memoryTarget, requestsPerTarget)"])
    if "requestsPerTarget" in m and not public:
        p.add([f"{path}.requestsPerTarget: needs a load balancer in front of the service "
               "(allowed: on a public service; use cpuTarget or memoryTarget otherwise)"])  # fmt: skip
    cooldowns = {"scaleInCooldown": 300, "scaleOutCooldown": 60}
    for k, default in cooldowns.items():
        p.add(v.check_int(f"{path}.{k}", m.get(k, default), 0, 3600))
    if len(p.items) > start:
        return None
    return Autoscaling(min_count=lo, max_count=hi, cpu_target=m.get("cpuTarget"),
                       memory_target=m.get("memoryTarget"),
                       requests_per_target=m.get("requestsPerTarget"),
                       scale_in_cooldown=m.get("scaleInCooldown", 300),
                       scale_out_cooldown=m.get("scaleOutCooldown", 60))  # fmt: skip


def _load_balancer(
    p: _Problems, raw: Any, *, region: str | None, stack: str, public: list[ServiceSettings]
) -> LoadBalancerSettings | None:
    path = p.key("loadBalancer")
    start = len(p.items)
    m = _section(p, path, raw, LOAD_BALANCER_KEYS)
    if m is None:
        return None
    d = LoadBalancerSettings()
    for k in ("internal", "allowPlainHttp", "deletionProtection", "accessLogs"):
        if k in m:
            p.add(v.check_bool(f"{path}.{k}", m[k]))
    cidrs = _as_list(p, f"{path}.ingressCidrs", m.get("ingressCidrs", list(d.ingress_cidrs)),
                     "a list of IPv4 CIDR blocks") or []  # fmt: skip
    if "ingressCidrs" in m and not cidrs:
        p.add([f"{path}.ingressCidrs: [] admits no one (allowed: one or more CIDR blocks)"])
    for i, cidr in enumerate(cidrs):
        p.add(v.check_cidr(f"{path}.ingressCidrs[{i}]", cidr))
        if cidr in cidrs[:i]:
            p.add([f"{path}.ingressCidrs[{i}]: {v.show(cidr)} is already listed (allowed: each block once)"])
    cert = m.get("certificateArn")
    if cert is not None:
        p.add(v.check_certificate_arn(f"{path}.certificateArn", cert, region))
    ssl_policy = m.get("sslPolicy", d.ssl_policy)
    p.add(v.check_ssl_policy(f"{path}.sslPolicy", ssl_policy))
    desync = m.get("desyncMitigationMode", d.desync_mitigation_mode)
    p.add(v.check_choice(f"{path}.desyncMitigationMode", desync, v.DESYNC_MODES))
    idle = m.get("idleTimeout", d.idle_timeout)
    p.add(v.check_int(f"{path}.idleTimeout", idle, 1, 4000))
    bucket = m.get("accessLogsBucket")
    if bucket is not None:
        if not (isinstance(bucket, str) and re.match(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", bucket)):
            p.add([f"{path}.accessLogsBucket: {v.show(bucket)} is not an S3 bucket name "
                   "(allowed: 3-63 lowercase letters, digits, dots and hyphens)"])  # fmt: skip
        if m.get("accessLogs") is False:
            p.add([f"{path}.accessLogsBucket: is set while accessLogs is false "
                   "(allowed: one of them)"])  # fmt: skip
    allow_http = m.get("allowPlainHttp", False)
    waiver = m.get("plainHttpWaiver")
    if waiver is not None:
        p.add(v.check_tag_text(f"{path}.plainHttpWaiver", waiver, "reason (it becomes a tag value)", 256))
    if allow_http is True and cert is not None:
        p.add([f"{path}.allowPlainHttp: true has no effect with a certificate: HTTP always "
               "redirects to HTTPS (allowed: remove allowPlainHttp)"])  # fmt: skip
    if public and cert is None and allow_http is not True:
        p.add([f"{path}.certificateArn: missing, and public services "
               f"({', '.join(s.name for s in public)}) would be served over plain HTTP "
               "(allowed: an ACM certificate ARN, or allowPlainHttp: true for a stack "
               "without a domain)"])  # fmt: skip
    if public and cert is None and allow_http is True and PROD_STACK_RE.match(stack) and not waiver:
        p.add([f"{path}.allowPlainHttp: true on production stack {v.show(stack)} without a waiver "
               "(allowed: certificateArn, or plainHttpWaiver: <why> to accept plain HTTP "
               "in production)"])  # fmt: skip
    if len(p.items) > start:
        return None
    return LoadBalancerSettings(
        internal=m.get("internal", d.internal), ingress_cidrs=tuple(cidrs), certificate_arn=cert,
        ssl_policy=ssl_policy, allow_plain_http=allow_http, plain_http_waiver=waiver,
        desync_mitigation_mode=desync, deletion_protection=m.get("deletionProtection", True),
        access_logs=m.get("accessLogs", True), access_logs_bucket=bucket, idle_timeout=idle,
    )  # fmt: skip


def _ec2(p: _Problems, raw: Any) -> Ec2Settings | None:
    path = p.key("ec2")
    start = len(p.items)
    m = _section(p, path, raw, EC2_KEYS)
    if m is None:
        return None
    d = Ec2Settings()
    specs: dict[str, InstanceSpec] = {}
    specs_raw = _as_map(p, f"{path}.instanceTypeSpecs", m.get("instanceTypeSpecs", {})) or {}
    for itype, spec_raw in specs_raw.items():
        spath = f"{path}.instanceTypeSpecs.{itype}"
        spec = _as_map(p, spath, spec_raw)
        if spec is None:
            continue
        p.add(v.check_unknown_keys(spath, spec, INSTANCE_SPEC_KEYS))
        ok = p.add(v.check_int(f"{spath}.vcpu", spec.get("vcpu"), 1, 512))
        ok &= p.add(v.check_int(f"{spath}.memoryMiB", spec.get("memoryMiB"), 512, 32 * 1024 * 1024))
        arch = spec.get("architecture", "X86_64")
        ok &= p.add(v.check_choice(f"{spath}.architecture", arch, v.ARCHITECTURES))
        if ok:
            specs[itype] = InstanceSpec(spec["vcpu"], spec["memoryMiB"], arch)
    types = _as_list(p, f"{path}.instanceTypes", m.get("instanceTypes", list(d.instance_types)),
                     "a list of instance types") or []  # fmt: skip
    if "instanceTypes" in m and not types:
        p.add([f"{path}.instanceTypes: [] is empty (allowed: one or more instance types)"])
    archs: set[str] = set()
    for i, itype in enumerate(types):
        ipath = f"{path}.instanceTypes[{i}]"
        if not (isinstance(itype, str) and INSTANCE_TYPE_RE.match(itype)):
            p.add([f"{ipath}: {v.show(itype)} is not an instance type name "
                   "(allowed: family.size, e.g. m7g.large or c6i.2xlarge)"])  # fmt: skip
        elif itype not in INSTANCE_TYPES and itype not in specs:
            p.add([f"{ipath}: {v.show(itype)} is not in the instance table (allowed: a common type such "
                   f"as t3.medium or m7g.large, or describe it under {path}.instanceTypeSpecs.{itype} "
                   "with vcpu, memoryMiB and architecture)"])  # fmt: skip
        else:
            archs.add((specs.get(itype) or INSTANCE_TYPES[itype]).architecture)
    if len(archs) > 1:
        p.add([f"{path}.instanceTypes: {v.show(types)} mixes X86_64 and ARM64 types "
               "(allowed: types of one architecture; the launch template has one AMI)"])  # fmt: skip
    ints = {"minSize": (0, 1000, d.min_size), "maxSize": (1, 1000, d.max_size),
            "spotPercentage": (0, 100, d.spot_percentage), "onDemandBase": (0, 1000, d.on_demand_base),
            "targetCapacity": (1, 100, d.target_capacity),
            "rootVolumeGiB": (30, 16384, d.root_volume_gib)}  # fmt: skip
    values = {k: m.get(k, default) for k, (_, _, default) in ints.items()}
    oks = {k: p.add(v.check_int(f"{path}.{k}", values[k], lo, hi)) for k, (lo, hi, _) in ints.items()}
    if oks["minSize"] and oks["maxSize"] and values["minSize"] > values["maxSize"]:
        p.add([f"{path}.minSize: {values['minSize']} is above maxSize {values['maxSize']} "
               "(allowed: minSize <= maxSize)"])  # fmt: skip
    if len(p.items) > start:
        return None
    return Ec2Settings(
        instance_types=tuple(types), min_size=values["minSize"], max_size=values["maxSize"],
        spot_percentage=values["spotPercentage"], on_demand_base=values["onDemandBase"],
        target_capacity=values["targetCapacity"], root_volume_gib=values["rootVolumeGiB"],
        instance_type_specs=specs,
    )  # fmt: skip


def _external(p: _Problems, raw: Any) -> ExternalSettings | None:
    path = p.key("external")
    start = len(p.items)
    m = _section(p, path, raw, EXTERNAL_KEYS)
    if m is None:
        return None
    limit = m.get("registrationLimit", 10)
    p.add(v.check_int(f"{path}.registrationLimit", limit, 1, 1000))
    expiry = m.get("expirationDate")
    if expiry is not None:
        p.add(check_expiration(f"{path}.expirationDate", expiry))
    if len(p.items) > start:
        return None
    return ExternalSettings(registration_limit=limit, expiration_date=None if expiry is None else str(expiry))


def _check_routes(p: _Problems, services: Mapping[str, ServiceSettings]) -> dict[str, ServiceSettings]:
    """No two services on the same route, no two routes pinned to one priority;
    returns the services with every route's listener rule priority filled in."""
    seen: dict[tuple[frozenset[str], frozenset[str]], str] = {}
    pinned: dict[int, str] = {}
    for svc in services.values():
        for i, route in enumerate(svc.routes):
            where = f"services.{svc.name}.routes[{i}]"
            sig = (frozenset(route.paths), frozenset(route.hosts))
            if sig in seen:
                shown = v.show({"paths": list(route.paths), "hosts": list(route.hosts)})
                p.add([f"{p.key(where)}: {shown} is also the route of {seen[sig]} "
                       "(allowed: each route on one service)"])  # fmt: skip
            seen[sig] = where
            if route.priority is not None:
                if route.priority in pinned:
                    p.add([f"{p.key(where)}: priority {route.priority} is also the priority of "
                           f"{pinned[route.priority]} "
                           "(allowed: a priority (1..50000) no other route has)"])  # fmt: skip
                pinned[route.priority] = where
    prios = assign([(s.name, i, r) for s in services.values() for i, r in enumerate(s.routes)])
    return {
        name: replace(
            svc, routes=tuple(replace(r, priority=prios[(name, i)]) for i, r in enumerate(svc.routes))
        )
        for name, svc in services.items()
    }


def _existing_vpc(p: _Problems, raw: Any) -> ExistingVpc | None:
    path = p.key("vpc")
    start = len(p.items)
    vpc = _section(p, path, raw, VPC_KEYS)
    if vpc is None:
        return None
    vpc_id = vpc.get("vpcId")
    if not (isinstance(vpc_id, str) and vpc_id.startswith("vpc-")):
        p.add([f"{path}.vpcId: {v.show(vpc_id)} is not a VPC id (allowed: vpc-...)"])
    subnets: dict[str, tuple[str, ...]] = {}
    for k in ("publicSubnetIds", "privateSubnetIds"):
        ids = _as_list(p, f"{path}.{k}", vpc.get(k), "a list of subnet ids (subnet-...)") or []
        if not ids and k in vpc:
            p.add([f"{path}.{k}: [] is empty (allowed: one subnet id per zone)"])
        for i, sid in enumerate(ids):
            if not (isinstance(sid, str) and sid.startswith("subnet-")):
                p.add([f"{path}.{k}[{i}]: {v.show(sid)} is not a subnet id (allowed: subnet-...)"])
        subnets[k] = tuple(ids)
    if len(p.items) > start:
        return None
    return ExistingVpc(vpc_id, subnets["publicSubnetIds"], subnets["privateSubnetIds"])  # type: ignore[arg-type]


def load(
    raw: Mapping[str, Any],
    *,
    stack: str,
    region: str | None,
    region_zones: Sequence[str] | None = None,
    project: str = PROJECT,
) -> PlatformSettings:
    """Validate stack config (``raw``: key without namespace -> plain value).

    ``region_zones`` are the region's available zones, first ones first; with
    ``None`` the zone-count-vs-region rule is skipped. Raises
    :class:`ConfigError` listing every problem; registers nothing.
    """
    p = _Problems(project)
    if not region:
        p.add(["aws:region: not set (allowed: a region name, e.g. `pulumi config set aws:region us-east-1`)"])
    for unknown in sorted(set(raw) - set(TOP_LEVEL_KEYS)):
        p.add([f"{p.key(unknown)}: unknown key (allowed: {', '.join(TOP_LEVEL_KEYS)})"])
    cfg = {**DEFAULTS, **raw}

    launch_type = cfg["launchType"]
    lt_ok = p.add(v.check_launch_type(p.key("launchType"), launch_type))
    az_count = cfg["azCount"]
    az_ok = p.add(v.check_az_count(p.key("azCount"), az_count, region_zones))
    desired = cfg["desiredCount"]
    p.add(v.check_desired_count(p.key("desiredCount"), desired))
    p.add(v.check_choice(p.key("natGateways"), cfg["natGateways"], v.NAT_STRATEGIES))
    vpc_cidr = cfg["vpcCidr"]
    if not (isinstance(vpc_cidr, str) and _is_slash16(vpc_cidr)):
        p.add([f"{p.key('vpcCidr')}: {v.show(vpc_cidr)} is not a /16 IPv4 CIDR block "
               "(allowed: e.g. 10.0.0.0/16; each zone gets a /19 of it)"])  # fmt: skip
    p.add(v.check_log_retention(p.key("logRetentionDays"), cfg["logRetentionDays"]))
    p.add(v.check_choice(p.key("containerInsights"), cfg["containerInsights"], v.CONTAINER_INSIGHTS))
    p.add(v.check_int(p.key("fargateOnDemandBase"), cfg["fargateOnDemandBase"], 0, 100000))
    p.add(v.check_bool(p.key("retainLogsOnDelete"), cfg["retainLogsOnDelete"]))

    tags: dict[str, str] = {}
    for tk, tv in (_as_map(p, p.key("tags"), cfg.get("tags", {})) or {}).items():
        ok = p.add(v.check_tag_text(p.key("tags", tk), tk, "tag key", 128))
        ok &= p.add(v.check_tag_text(p.key("tags", tk), tv, "tag value", 256))
        if tk in v.RESERVED_TAG_KEYS:
            ok = p.add([f"{p.key('tags', tk)}: overrides the platform's own {tk} tag "
                        f"(allowed: keys other than {', '.join(v.RESERVED_TAG_KEYS)})"])  # fmt: skip
        if ok:
            tags[tk] = tv

    existing_vpc = _existing_vpc(p, cfg["vpc"]) if "vpc" in cfg else None

    ec2 = _ec2(p, cfg["ec2"]) if "ec2" in cfg else None
    if ec2 is None and "ec2" not in cfg and launch_type == "EC2":
        ec2 = Ec2Settings()
    external = _external(p, cfg["external"]) if "external" in cfg else None
    if external is None and "external" not in cfg and launch_type == "EXTERNAL":
        external = ExternalSettings()
    capacity = _Capacity(
        default=launch_type if lt_ok else None,
        offered=offered_launch_types(launch_type, "ec2" in cfg, "external" in cfg),
        ec2=ec2,
    )

    services_raw = cfg.get("services", sample_services(launch_type))
    services: dict[str, ServiceSettings] = {}
    services_map = _as_map(p, p.key("services"), services_raw)
    if services_map is not None and not services_map:
        p.add([f"{p.key('services')}: {{}} has no services "
               "(allowed: one or more services; omit the key for the sample service)"])  # fmt: skip
    for name, svc_raw in (services_map or {}).items():
        svc = _service(p, name, svc_raw, capacity, desired)
        if svc is not None:
            services[name] = svc

    services = _check_routes(p, services)
    public = [svc for svc in services.values() if svc.public]
    # With `vpc`, azCount/natGateways/vpcCidr do not apply (the VPC brings its own;
    # Pulumi.yaml's defaults make them always present, so they cannot be refused).
    if existing_vpc is not None and public and len(existing_vpc.public_subnet_ids) < 2:
        p.add([f"{p.key('vpc')}.publicSubnetIds: {len(existing_vpc.public_subnet_ids)} subnet is too few "
               "for the load balancer (allowed: 2 or more, in different zones)"])  # fmt: skip
    if public and existing_vpc is None and az_ok and isinstance(az_count, int) and az_count < 2:
        p.add([f"{p.key('azCount')}: {az_count} is too few zones for the load balancer of "
               f"{', '.join(s.name for s in public)} (allowed: 2..6 when a service is public; an "
               "application load balancer needs subnets in two zones)"])  # fmt: skip
    load_balancer = _load_balancer(p, cfg.get("loadBalancer", {}), region=region, stack=stack, public=public)

    v.raise_if(p.items)
    zones = tuple(region_zones[:az_count]) if region_zones is not None and az_ok and not existing_vpc else ()
    return PlatformSettings(
        project=project, stack=stack, region=region or "", launch_type=launch_type,
        az_count=az_count, zones=zones,
        desired_count=desired, nat_gateways=cfg["natGateways"], vpc_cidr=vpc_cidr,
        log_retention_days=cfg["logRetentionDays"], container_insights=cfg["containerInsights"],
        fargate_on_demand_base=cfg["fargateOnDemandBase"], services=services,
        retain_logs_on_delete=cfg["retainLogsOnDelete"],
        existing_vpc=existing_vpc, tags=tags, load_balancer=load_balancer or LoadBalancerSettings(),
        ec2=ec2, external=external,
    )  # fmt: skip


def stack_tags(settings: PlatformSettings) -> dict[str, str]:
    """Tags every resource of the stack carries: project, stack, plus config's ``tags``."""
    return {"Project": settings.project, "Stack": settings.stack, "ManagedBy": "pulumi",
            **settings.tags}  # fmt: skip


def _is_slash16(cidr: str) -> bool:
    import ipaddress

    try:
        net = ipaddress.IPv4Network(cidr, strict=True)
    except ValueError:
        return False
    return net.prefixlen == 16


__all__ = [
    "DEFAULTS",
    "ConfigError",
    "ExistingVpc",
    "HealthCheck",
    "IamStatement",
    "PlatformSettings",
    "ServiceSettings",
    "load",
    "read_config",
]
