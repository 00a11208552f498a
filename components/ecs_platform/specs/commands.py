"""A container's commands and health check, and the task role's grants: the parts of a
container spec that parse a value in one of several forms (a shell string or a list)."""

from __future__ import annotations

from typing import Annotated, Any, Self

from pydantic import BeforeValidator, WithJsonSchema, model_validator

from ecs_platform.errors import show
from ecs_platform.specs.base import Int, Spec, fail, raise_problems
from ecs_platform.specs.fields import GrantResource, IamAction, grant_problems


def _health_command(value: Any) -> Any:
    """A shell string runs with ``CMD-SHELL``; a list must start with CMD or CMD-SHELL."""
    if isinstance(value, str) and value.strip():
        return ("CMD-SHELL", value)
    if (
        isinstance(value, (list, tuple))
        and len(value) >= 2
        and value[0] in ("CMD", "CMD-SHELL")
        and all(isinstance(c, str) for c in value)
    ):
        return tuple(value)
    raise fail(f'{show(value)} is not a health check command (allowed: a shell string, or a list starting '
               'with "CMD" or "CMD-SHELL")')  # fmt: skip


def _command(value: Any) -> Any:
    """A shell string runs with ``sh -c``; a list runs as is."""
    if isinstance(value, str) and value.strip():
        return ("sh", "-c", value)
    if isinstance(value, (list, tuple)) and value and all(isinstance(c, str) for c in value):
        return tuple(value)
    raise fail(f"{show(value)} is not a command (allowed: a list of strings, or one shell string)")


#: A command is a shell string or a list of strings.
_COMMAND_SCHEMA = {"anyOf": [{"type": "string", "minLength": 1}, {"type": "array", "items": {"type": "string"}}]}


class HealthCheckSpec(Spec):
    """A container health check (Docker's ``HEALTHCHECK``); seconds throughout. ECS bounds each
    field on its own (interval 5..300, timeout 2..60, retries 1..10, startPeriod 0..300) and
    ties none to another: a timeout above the interval is valid (AWS's own OpenTelemetry
    example uses interval 5, timeout 6).
    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_HealthCheck.html"""

    command: Annotated[tuple[str, ...], BeforeValidator(_health_command), WithJsonSchema(_COMMAND_SCHEMA)]
    """The check: a shell string (run with ``CMD-SHELL``) or a list starting with ``CMD`` or
    ``CMD-SHELL``. Required."""
    interval: Annotated[int, Int(5, 300)] = 30
    """Seconds between checks, 5..300. Default 30."""
    timeout: Annotated[int, Int(2, 60)] = 5
    """Seconds before a check fails, 2..60 (ECS's range). Default 5."""
    retries: Annotated[int, Int(1, 10)] = 3
    """Failures before the container is unhealthy, 1..10. Default 3."""
    start_period: Annotated[int, Int(0, 300)] = 0
    """Grace seconds after start before failures count, 0..300. Default 0."""


class PermissionSpec(Spec):
    """One Allow statement of the task role: these actions on these resources."""

    actions: tuple[IamAction, ...]
    """Specific IAM actions (``s3:GetObject``) that AWS's Service Authorization Reference lists;
    ``*`` and ``service:*`` are refused. Required."""
    resources: tuple[GrantResource, ...]
    """Resource ARNs (may be Outputs of other resources). A bare ``"*"`` only alone, and only when
    AWS's Service Authorization Reference lets every action act on no resource: no resource type
    (``xray:PutTraceSegments``) or a single one not marked required (``cloudwatch:PutMetricData``).
    Required."""

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        raise_problems(
            ((key,), f"[] is empty (allowed: one or more {what})")
            for key, what, values in (("actions", "IAM actions", self.actions),
                                      ("resources", "resource ARNs", self.resources))
            if not values
        )
        return self

    @model_validator(mode="after")
    def _grants_aws_can_express(self) -> Self:
        raise_problems(grant_problems(self.actions, self.resources))
        return self
