"""Container definitions, built by pure functions (testable without mocks).

The dicts use the key names of AWS's ECS API (``portMappings``,
``logConfiguration``, ``readonlyRootFilesystem``, ...) because pulumi-aws
passes the JSON through untouched. Values may be ``pulumi.Input``s; the task
definition serialises them with ``pulumi.Output.json_dumps``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi

from components import validation as v

#: awslogs in non-blocking mode: a slow CloudWatch never stalls the app's stdout;
#: the buffer absorbs bursts (AWS's recommended setting).
LOG_BUFFER_SIZE = "25m"


@dataclass(frozen=True)
class HealthCheckArgs:
    """A container health check (Docker's ``HEALTHCHECK``); seconds throughout."""

    command: Sequence[str]
    """``["CMD-SHELL", "curl -f http://localhost/ || exit 1"]`` or ``["CMD", ...]``."""
    interval: int = 30
    """Seconds between checks, 5..300. Default 30."""
    timeout: int = 5
    """Seconds before a check fails, 2..60 (ECS's limit). Default 5."""
    retries: int = 3
    """Failures before the container is unhealthy, 1..10. Default 3."""
    start_period: int = 0
    """Grace seconds after start, 0..300. Default 0."""


@dataclass
class ContainerArgs:
    """The one application container of a task."""

    image: pulumi.Input[str]
    """Image reference, e.g. ``123456789012.dkr.ecr.us-east-1.amazonaws.com/api:1.4``. Required."""
    port: int | None = None
    """TCP port the container listens on. Default: none (a worker)."""
    environment: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Plain environment variables. No credentials: use ``secrets``. Default none."""
    secrets: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Variable name -> Secrets Manager or SSM parameter ARN, injected at start. Default none."""
    command: Sequence[str] | None = None
    """Overrides the image's CMD. Default: the image's."""
    health_check: HealthCheckArgs | None = None
    """Container health check. Default: none (ECS then relies on the process staying up)."""
    readonly_root_filesystem: bool = True
    """Mount the root filesystem read-only. Default ``True`` (Security Hub ECS.5)."""
    writable_paths: Sequence[str] = ()
    """Paths that get a writable scratch volume (e.g. ``/tmp``). Default none."""
    user: str | None = None
    """User (``uid``, ``uid:gid`` or name) to run as. Default: the image's."""
    stop_timeout: int | None = None
    """Seconds between SIGTERM and SIGKILL, 2..120. Default: ECS's (30)."""

    def problems(self, path: str = "ContainerArgs") -> list[str]:
        out = v.check_image(f"{path}.image", self.image)
        if self.port is not None:
            out += v.check_port(f"{path}.port", self.port)
        for name, value in self.environment.items():
            out += v.check_env_name(f"{path}.environment.{name}", name)
            out += v.check_plain_env(f"{path}.environment.{name}", name, value)
        for name, arn in self.secrets.items():
            out += v.check_env_name(f"{path}.secrets.{name}", name)
            out += v.check_secret_arn(f"{path}.secrets.{name}", arn)
        for i, wp in enumerate(self.writable_paths):
            out += v.check_absolute_path(f"{path}.writable_paths[{i}]", wp)
        if self.stop_timeout is not None:
            out += v.check_int(f"{path}.stop_timeout", self.stop_timeout, 2, 120)
        if self.health_check is not None:
            hc = self.health_check
            out += v.check_int(f"{path}.health_check.interval", hc.interval, 5, 300)
            out += v.check_int(f"{path}.health_check.timeout", hc.timeout, 2, 60)
            out += v.check_int(f"{path}.health_check.retries", hc.retries, 1, 10)
            out += v.check_int(f"{path}.health_check.start_period", hc.start_period, 0, 300)
        return out


def scratch_volume_name(index: int) -> str:
    """Name of the task volume backing ``writable_paths[index]``."""
    return f"scratch-{index}"


def container_definition(
    name: str,
    container: ContainerArgs,
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
