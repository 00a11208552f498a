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
    """The name of a container's port mapping (what Service Connect refers to)."""
    return f"{container}-{port}"


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
) -> dict[str, Any]:
    """The ECS container definition of ``container``, named ``name``.

    Logs go to ``log_group`` through ``awslogs`` (non-blocking); the init process
    reaps zombies and is what ECS Exec attaches to. With ``network_mode``
    ``awsvpc`` or ``host`` the host port equals the container port; with
    ``bridge`` it is dynamic (0). ``sidecar``: ``name`` is a sidecar's, so its own
    ``writable_paths`` volumes are named after it.
    """
    c = container
    definition: dict[str, Any] = {
        "name": name,
        "image": c.image,
        "essential": c.essential,
        "readonlyRootFilesystem": c.readonly_root_filesystem,
        "linuxParameters": {"initProcessEnabled": True},
        "logConfiguration": _awslogs(log_group, region, name),
    }
    if c.port is not None:
        mapping: dict[str, Any] = {
            "name": port_mapping_name(name, c.port),
            "containerPort": c.port,
            "protocol": "tcp",
        }
        if network_mode == "bridge":
            mapping["hostPort"] = 0
        definition["portMappings"] = [mapping]
    if c.environment:
        definition["environment"] = [{"name": k, "value": c.environment[k]} for k in sorted(c.environment)]
    if c.secrets:
        definition["secrets"] = [{"name": k, "valueFrom": c.secrets[k]} for k in sorted(c.secrets)]
    if c.command is not None:
        definition["command"] = list(c.command)
    if c.health_check is not None:
        hc = c.health_check
        definition["healthCheck"] = {
            "command": list(hc.command),
            "interval": hc.interval,
            "timeout": hc.timeout,
            "retries": hc.retries,
            "startPeriod": hc.start_period,
        }
    if c.entry_point is not None:
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
    if isinstance(c, SidecarSpec):
        if c.cpu is not None:
            definition["cpu"] = c.cpu
        if c.memory is not None:
            definition["memory"] = c.memory
    return definition


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
        "linuxParameters": {"capabilities": {"drop": ["ALL"]}},
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
    """Every container of ``task``: the application container ``name``, its sidecars and,
    when a non-root container writes to a scratch volume, ``volume-init`` (which those
    containers then wait for)."""
    out = [container_definition(name, task, log_group=log_group, region=region, network_mode=network_mode)]
    out += [
        container_definition(n, s, log_group=log_group, region=region, network_mode=network_mode, sidecar=True)
        for n, s in task.sidecars.items()
    ]
    if task.scratch_writers():
        specs: dict[str, ContainerSpec] = {name: task, **task.sidecars}
        for definition in out:
            if task.writes_scratch_as_non_root(specs[definition["name"]]):
                waits = {"containerName": f.VOLUME_INIT_CONTAINER, "condition": "SUCCESS"}
                definition["dependsOn"] = [waits, *definition.get("dependsOn", [])]
        out.append(volume_init_definition(task, log_group=log_group, region=region))
    return out
