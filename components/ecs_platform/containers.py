"""Container definitions, built by pure functions (testable without mocks).

The dicts use the key names of AWS's ECS API (``portMappings``,
``logConfiguration``, ``readonlyRootFilesystem``, ...) because pulumi-aws
passes the JSON through untouched. Values may be ``pulumi.Input``s; the task
definition serialises them with ``pulumi.Output.json_dumps``.
"""

from __future__ import annotations

from typing import Any

import pulumi

from ecs_platform.specs import ContainerSpec

#: awslogs in non-blocking mode: a slow CloudWatch never stalls the app's stdout;
#: the buffer absorbs bursts (AWS's recommended setting).
LOG_BUFFER_SIZE = "25m"


def scratch_volume_name(index: int) -> str:
    """Name of the task volume backing ``writable_paths[index]``."""
    return f"scratch-{index}"


def container_definition(
    name: str,
    container: ContainerSpec,
    *,
    log_group: pulumi.Input[str],
    region: pulumi.Input[str],
    network_mode: str = "awsvpc",
) -> dict[str, Any]:
    """The ECS container definition of ``container``, named ``name``.

    Logs go to ``log_group`` through ``awslogs`` (non-blocking); the init process
    reaps zombies and is what ECS Exec attaches to. With ``network_mode``
    ``awsvpc`` or ``host`` the host port equals the container port; with
    ``bridge`` it is dynamic (0).
    """
    c = container
    definition: dict[str, Any] = {
        "name": name,
        "image": c.image,
        "essential": True,
        "readonlyRootFilesystem": c.readonly_root_filesystem,
        "linuxParameters": {"initProcessEnabled": True},
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": log_group,
                "awslogs-region": region,
                "awslogs-stream-prefix": name,
                "mode": "non-blocking",
                "max-buffer-size": LOG_BUFFER_SIZE,
            },
        },
    }
    if c.port is not None:
        mapping: dict[str, Any] = {
            "name": f"{name}-{c.port}",
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
    if c.writable_paths:
        definition["mountPoints"] = [
            {"sourceVolume": scratch_volume_name(i), "containerPath": p, "readOnly": False}
            for i, p in enumerate(c.writable_paths)
        ]
    if c.user is not None:
        definition["user"] = c.user
    if c.stop_timeout is not None:
        definition["stopTimeout"] = c.stop_timeout
    return definition
