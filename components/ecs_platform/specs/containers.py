"""Container definitions, built by pure functions (testable without mocks).

They belong to the model: what a task spec registers is part of its rules (ECS's 64 KiB
task definition quota is checked on it, :func:`ecs_platform.specs.service.definition_size_problems`),
and the task definition component only hands them to pulumi-aws. This module imports the
specs it renders from their own modules, never the ``ecs_platform.specs`` package, so the
arrows point one way.

The dicts use the key names of AWS's ECS API (``portMappings``,
``logConfiguration``, ``readonlyRootFilesystem``, ...) because pulumi-aws
passes the JSON through untouched. Values may be ``pulumi.Input``s; the task
definition serialises them with ``pulumi.Output.json_dumps``.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pulumi

from ecs_platform import facts as f
from ecs_platform.specs.task import ContainerSpec, SidecarSpec, TaskSpec

#: awslogs in non-blocking mode: a slow CloudWatch never stalls the app's stdout;
#: the buffer absorbs bursts (AWS's recommended setting).
LOG_BUFFER_SIZE = "25m"


def scratch_volume_name(index: int, container: str | None = None) -> str:
    """Name of the task volume backing ``writable_paths[index]`` of the application
    container (``container`` ``None``) or of a sidecar."""
    return f"scratch-{index}" if container is None else f"{container}-scratch-{index}"


#: Where the ``volume-init`` container sees the scratch volumes it opens up.
INIT_MOUNT_ROOT = "/volumes"


def port_mapping_name(container: str, port: int) -> str:
    """The name of a container's port mapping, which Service Connect refers to (the service
    component calls this same function): ``<container>-<port>`` when that is inside ECS's
    grammar for the name, "up to 64 characters ... lowercase letters, numbers, underscores (_),
    and hyphens (-) ... can't start with a hyphen" (PortMapping ``name``,
    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PortMapping.html).
    Otherwise (a container name with capitals, or too long) the name is lower-cased, cut, and
    given 8 hex digits of a hash of ``<container>-<port>``: still unique within the task
    (container names are, and ``Envoy-9901`` never becomes the ``envoy-9901`` of a container
    named ``envoy``)."""
    plain = f"{container}-{port}"
    if f.PORT_MAPPING_NAME_RE.fullmatch(plain):
        return plain
    digest = hashlib.sha256(plain.encode()).hexdigest()[:8]
    tail = f"-{digest}-{port}"
    stem = container.lower().lstrip("-")[: f.PORT_MAPPING_NAME_MAX - len(tail)]
    return f"{stem}{tail}" if stem else tail.lstrip("-")


def _awslogs(log_group: pulumi.Input[str], region: pulumi.Input[str], stream_prefix: str) -> dict[str, Any]:
    return {
        "logDriver": "awslogs",
        "options": {
            "awslogs-group": log_group,
            "awslogs-region": region,
            "awslogs-stream-prefix": stream_prefix,
            "mode": "non-blocking",
            "max-buffer-size": LOG_BUFFER_SIZE,
        },
    }


def container_definition(
    name: str,
    container: ContainerSpec,
    *,
    log_group: pulumi.Input[str],
    region: pulumi.Input[str],
    network_mode: str = "awsvpc",
    sidecar: bool = False,
    log_configuration: dict[str, Any] | None = None,
    port_protocols: tuple[str, ...] = ("tcp",),
    app_protocol: str | None = None,
) -> dict[str, Any]:
    """The ECS container definition of ``container``, named ``name``.

    Logs go to ``log_group`` through ``awslogs`` (non-blocking); the init process
    reaps zombies and is what ECS Exec attaches to. With ``network_mode``
    ``awsvpc`` or ``host`` the host port equals the container port; with
    ``bridge`` it is dynamic (0). ``sidecar``: ``name`` is a sidecar's, so its own
    ``writable_paths`` volumes are named after it. ``log_configuration``: in place of ``awslogs``
    (FireLens, :func:`firelens_log_configuration`). ``port_protocols``: the port's mappings, one
    per IP protocol (a UDP or TCP_UDP service behind the network load balancer); only the first is
    named (the name Service Connect refers to, unique within the task), and carries
    ``app_protocol`` (Service Connect's ``appProtocol``) when given.
    """
    c = container
    definition: dict[str, Any] = {
        "name": name,
        "image": c.image,
        "essential": c.essential,
        "readonlyRootFilesystem": c.readonly_root_filesystem,
        "linuxParameters": {"initProcessEnabled": True},
        "logConfiguration": log_configuration or _awslogs(log_group, region, name),
    }
    if c.port is not None:
        mappings: list[dict[str, Any]] = []
        for i, protocol in enumerate(port_protocols):
            mapping: dict[str, Any] = {"containerPort": c.port, "protocol": protocol}
            if i == 0:
                mapping = {"name": port_mapping_name(name, c.port), **mapping}
                if app_protocol is not None:
                    mapping["appProtocol"] = app_protocol
            if network_mode == "bridge":
                mapping["hostPort"] = 0
            mappings.append(mapping)
        definition["portMappings"] = mappings
    if c.environment:
        definition["environment"] = [{"name": k, "value": c.environment[k]} for k in sorted(c.environment)]
    if c.secrets:
        definition["secrets"] = [{"name": k, "valueFrom": c.secrets[k]} for k in sorted(c.secrets)]
    if c.command:
        definition["command"] = list(c.command)
    if c.health_check is not None:
        hc = c.health_check
        definition["healthCheck"] = {
            "command": list(hc.command),
            "interval": hc.interval,
            "timeout": hc.timeout,
            "retries": hc.retries,
        }
        # ECS's default start period is 0 and, not given, it is not echoed back: a 0 sent would
        # not match what DescribeTaskDefinition returns, and the provider does not fill it in
        # (it fills interval, retries and timeout), so every `pulumi up` would register a new
        # revision. See echo_problems().
        if hc.start_period:
            definition["healthCheck"]["startPeriod"] = hc.start_period
    if c.entry_point:
        definition["entryPoint"] = list(c.entry_point)
    mounts = [
        {"sourceVolume": scratch_volume_name(i, name if sidecar else None), "containerPath": p, "readOnly": False}
        for i, p in enumerate(c.writable_paths)
    ]
    mounts += [{"sourceVolume": m.volume, "containerPath": p, "readOnly": m.read_only} for p, m in c.mounts.items()]
    if mounts:
        definition["mountPoints"] = mounts
    if c.depends_on:
        definition["dependsOn"] = [{"containerName": k, "condition": v} for k, v in c.depends_on.items()]
    if c.user is not None:
        definition["user"] = c.user
    if c.stop_timeout is not None:
        definition["stopTimeout"] = c.stop_timeout
    if c.restart_policy is not None:
        policy: dict[str, Any] = {"enabled": True}
        if c.restart_policy.ignored_exit_codes:
            policy["ignoredExitCodes"] = list(c.restart_policy.ignored_exit_codes)
        if c.restart_policy.attempt_period is not None:
            policy["restartAttemptPeriod"] = c.restart_policy.attempt_period
        definition["restartPolicy"] = policy
    if isinstance(c, SidecarSpec):
        if c.cpu is not None:
            definition["cpu"] = c.cpu
        if c.memory is not None:
            definition["memory"] = c.memory
    return definition


def firelens_log_configuration(
    name: str, task: TaskSpec, *, log_group: pulumi.Input[str], region: pulumi.Input[str]
) -> dict[str, Any]:
    """The ``awsfirelens`` log driver of container ``name``: the task's ``logRouter`` options and
    secret options, or by default Fluent Bit's ``cloudwatch_logs`` output to the task's log group,
    a stream per container under ``<name>/`` (https://docs.fluentbit.io/manual/pipeline/outputs/cloudwatch,
    the plugin AWS's FireLens examples use)."""
    router = task.log_router
    assert router is not None
    options: dict[str, Any] = dict(router.options) if router.options else {
        "Name": "cloudwatch_logs",
        "region": region,
        "log_group_name": log_group,
        "log_stream_prefix": f"{name}/",
        "auto_create_group": "false",
    }
    out: dict[str, Any] = {"logDriver": "awsfirelens", "options": options}
    if router.secret_options:
        out["secretOptions"] = [{"name": k, "valueFrom": router.secret_options[k]} for k in sorted(router.secret_options)]
    return out


def log_router_definition(task: TaskSpec, *, log_group: pulumi.Input[str], region: pulumi.Input[str]) -> dict[str, Any]:
    """The FireLens ``log-router`` container: AWS for Fluent Bit (:data:`facts.LOG_ROUTER_IMAGE`),
    essential (AWS's recommendation: "We recommend that the container be marked as essential"),
    its own logs to the log group through ``awslogs``, 50 MiB reserved. It runs as root with a
    writable root filesystem, as FireLens requires of it: Fluent Bit creates the socket the log
    driver writes to in a root-owned directory ECS mounts (aws/containers-roadmap#2122, "Support
    FireLens container as non-root user"), and the image writes its configuration at start
    (aws/aws-for-fluent-bit#928); no ports, nothing else. The policy pack knows it by this shape
    (``policy_rules.ecs.is_log_router``)."""
    return {
        "name": f.LOG_ROUTER_CONTAINER,
        "image": f.LOG_ROUTER_IMAGE,
        "essential": True,
        "user": "0",
        "readonlyRootFilesystem": False,
        "firelensConfiguration": {"type": "fluentbit"},
        "memoryReservation": f.LOG_ROUTER_MEMORY_RESERVATION,
        "logConfiguration": _awslogs(log_group, region, f.LOG_ROUTER_CONTAINER),
    }


#: Where AWS's echo of a container definition holds an empty list even when none is sent, so we
#: send it too: ``linuxParameters.capabilities.add`` (with ``drop`` alone, a perpetual diff:
#: https://github.com/braintrustdata/terraform-aws-braintrust-data-plane/pull/335).
ECHOED_EMPTY = frozenset({("linuxParameters", "capabilities", "add")})


def echo_problems(definition: Any, path: tuple[str | int, ...] = ()) -> list[str]:
    """What in a container definition AWS would not echo back as sent, so that the provider,
    which compares the definition it reads from DescribeTaskDefinition with the one in the
    program, would register a new revision on every ``pulumi up``.

    The provider normalizes only some differences (terraform-provider-aws
    internal/service/ecs/container_definitions.go, ``containerDefinitionsAreEquivalent``:
    container, environment and secret order, empty top-level lists, ``essential``, the health
    check's interval/retries/timeout defaults, ``tcp`` and host ports); everything else must be
    sent the way AWS stores it: no nulls, no empty objects or lists (but :data:`ECHOED_EMPTY`),
    no health check ``startPeriod`` of 0 (AWS's default, not echoed)."""
    out: list[str] = []
    where = ".".join(str(p) for p in path)
    keys = tuple(p for p in path if isinstance(p, str))
    if definition is None:
        out.append(f"{where}: null")
    elif isinstance(definition, dict):
        if not definition:
            out.append(f"{where}: {{}}")
        for key, value in definition.items():
            out += echo_problems(value, (*path, key))
        if keys[-1:] == ("healthCheck",) and definition.get("startPeriod") == 0:
            out.append(f"{where}.startPeriod: 0")
    elif isinstance(definition, list):
        if not definition and keys[-3:] not in ECHOED_EMPTY:
            out.append(f"{where}: []")
        for i, value in enumerate(definition):
            out += echo_problems(value, (*path, i))
    return out


def scratch_volumes(task: TaskSpec) -> list[str]:
    """Every scratch volume of the task: ``writablePaths`` ones, then ``scratch`` volumes."""
    out = [scratch_volume_name(i) for i in range(len(task.writable_paths))]
    out += [scratch_volume_name(i, n) for n, s in task.sidecars.items() for i in range(len(s.writable_paths))]
    return out + [n for n, v in task.volumes.items() if v.scratch is not None]


def ebs_volumes(task: TaskSpec) -> list[str]:
    """The task's EBS volume (at most one): configured at launch, created by ECS per task."""
    return [n for n, v in task.volumes.items() if v.ebs is not None]


def volume_init_definition(
    task: TaskSpec, *, log_group: pulumi.Input[str], region: pulumi.Input[str]
) -> dict[str, Any]:
    """The ``volume-init`` container: makes the task's scratch volumes writable for
    non-root containers, then exits.

    On Fargate a bind-mount volume is created owned by root with mode 0755
    (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/bind-mounts.html), so a
    non-root container cannot write to it. This container mounts every scratch volume and
    sets it to 1777 (like /tmp: anyone may create files, only their owner may remove them),
    and the containers that write wait for it to succeed (``dependsOn: SUCCESS``). It runs
    as uid 0, because only the volume's owner may change its mode, but with every Linux
    capability dropped (an owner needs none to chmod), a read-only root filesystem, no
    ports, not essential, and it exits at once.
    """
    # An EBS volume is a new file system whose root directory is root's (0755) too.
    volumes = scratch_volumes(task) + ebs_volumes(task)
    paths = [f"{INIT_MOUNT_ROOT}/{v}" for v in volumes]
    return {
        "name": f.VOLUME_INIT_CONTAINER,
        "image": task.volume_init_image,
        "essential": False,
        "user": "0",
        "readonlyRootFilesystem": True,
        "command": ["chmod", "1777", *paths],
        # AWS stores capabilities with both lists ({"add": [], "drop": ["ALL"]}), and the provider
        # compares nested lists as sent: without "add" every `pulumi up` would see a change.
        "linuxParameters": {"capabilities": {"add": [], "drop": ["ALL"]}},
        "mountPoints": [
            {"sourceVolume": v, "containerPath": p, "readOnly": False} for v, p in zip(volumes, paths, strict=True)
        ],
        "logConfiguration": _awslogs(log_group, region, f.VOLUME_INIT_CONTAINER),
    }


def task_container_definitions(
    name: str,
    task: TaskSpec,
    *,
    log_group: pulumi.Input[str],
    region: pulumi.Input[str],
    network_mode: str = "awsvpc",
) -> list[dict[str, Any]]:
    """Every container of ``task``: the application container ``name``, its sidecars, when a
    non-root container writes to a scratch volume ``volume-init`` (which those containers then
    wait for), and with ``logRouter`` the FireLens ``log-router`` that the others log through."""
    def logs(container: str) -> dict[str, Any] | None:
        if task.log_router is None:
            return None
        return firelens_log_configuration(container, task, log_group=log_group, region=region)

    # A service's protocol (ServiceSpec, which imports this module): UDP and TCP_UDP map their port
    # over UDP too, as the network load balancer's target group forwards it.
    protocols = f.NLB_IP_PROTOCOLS.get(getattr(task, "protocol", "HTTP"), ("tcp",))
    connect = getattr(task, "service_connect", None)  # a service's Service Connect settings, likewise
    out = [container_definition(name, task, log_group=log_group, region=region, network_mode=network_mode,
                                log_configuration=logs(name), port_protocols=protocols,
                                app_protocol=connect.app_protocol if connect is not None else None)]  # fmt: skip
    out += [
        container_definition(
            n, s, log_group=log_group, region=region, network_mode=network_mode, sidecar=True, log_configuration=logs(n)
        )
        for n, s in task.sidecars.items()
    ]
    if task.scratch_writers():
        specs: dict[str, ContainerSpec] = {name: task, **task.sidecars}
        for definition in out:
            if task.writes_scratch_as_non_root(specs[definition["name"]]):
                waits = {"containerName": f.VOLUME_INIT_CONTAINER, "condition": "SUCCESS"}
                definition["dependsOn"] = [waits, *definition.get("dependsOn", [])]
        out.append(volume_init_definition(task, log_group=log_group, region=region))
    if task.log_router is not None:
        out.append(log_router_definition(task, log_group=log_group, region=region))
    return out
