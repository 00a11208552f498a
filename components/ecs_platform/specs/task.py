"""The task model: its container (image, port, environment, secrets, health
check, user, ...), its size and platform, and what its task role may do."""

from __future__ import annotations

from typing import Annotated, Any, Self

from pydantic import BeforeValidator, Field, WithJsonSchema, model_validator

from ecs_platform import facts as f
from ecs_platform.errors import show
from ecs_platform.specs.base import Bool, Int, Loc, Spec, Text, fail, raise_problems
from ecs_platform.specs.fields import (
    Architecture,
    ContainerPath,
    EnvName,
    EnvValue,
    GrantResource,
    IamAction,
    Image,
    LaunchType,
    NetworkMode,
    Port,
    Reason,
    SecretArn,
    WaivableControl,
    credential_name_check,
    grant_problems,
)


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
    """A container health check (Docker's ``HEALTHCHECK``); seconds throughout."""

    command: Annotated[tuple[str, ...], BeforeValidator(_health_command), WithJsonSchema(_COMMAND_SCHEMA)]
    """The check: a shell string (run with ``CMD-SHELL``) or a list starting with ``CMD`` or
    ``CMD-SHELL``. Required."""
    interval: Annotated[int, Int(5, 300)] = 30
    """Seconds between checks, 5..300. Default 30."""
    timeout: Annotated[int, Int(2, 60)] = 5
    """Seconds before a check fails, 2..60 (ECS's limit) and below ``interval``. Default 5."""
    retries: Annotated[int, Int(1, 10)] = 3
    """Failures before the container is unhealthy, 1..10. Default 3."""
    start_period: Annotated[int, Int(0, 300)] = 0
    """Grace seconds after start before failures count, 0..300. Default 0."""

    @model_validator(mode="after")
    def _timeout_below_interval(self) -> Self:
        if self.timeout >= self.interval:
            raise_problems([(("timeout",), f"{self.timeout} is not shorter than the interval {self.interval} "
                                           "(allowed: timeout < interval)")])  # fmt: skip
        return self


class PermissionSpec(Spec):
    """One Allow statement of the task role: these actions on these resources."""

    actions: tuple[IamAction, ...]
    """Specific IAM actions (``s3:GetObject``) that AWS's Service Authorization Reference lists;
    ``*`` and ``service:*`` are refused. Required."""
    resources: tuple[GrantResource, ...]
    """Resource ARNs (may be Outputs of other resources). A bare ``"*"`` only alone, and only when
    no action has resource-level permissions (``xray:PutTraceSegments``). Required."""

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


class ContainerSpec(Spec):
    """The application container of a task."""

    image: Image
    """Image reference, e.g. ``123456789012.dkr.ecr.us-east-1.amazonaws.com/api:1.4``; may be a
    ``pulumi.Output``. Required."""
    port: Port | None = None
    """TCP port the container listens on, 1..65535. Default: none (a worker)."""
    environment: dict[EnvName, EnvValue] = {}
    """Plain environment variables (values may be Outputs). A credential-looking name
    (``*_PASSWORD``, ``*_TOKEN``, ...) or an access key value is refused: use ``secrets``.
    Default none."""
    secrets: dict[EnvName, SecretArn] = {}
    """Variable -> Secrets Manager secret ARN (optionally ``:json-key:stage:version``) or SSM
    parameter ARN (may be Outputs); the execution role may read exactly these. Default none."""
    command: Annotated[tuple[str, ...], BeforeValidator(_command), WithJsonSchema(_COMMAND_SCHEMA)] | None = None
    """Overrides the image's CMD: a list, or a shell string run with ``sh -c``. Default: the image's."""
    health_check: HealthCheckSpec | None = None
    """Container health check. Default: none (ECS relies on the process staying up)."""
    readonly_root_filesystem: Bool = True
    """Mount the root filesystem read-only (Security Hub ECS.5). Default true."""
    writable_paths: tuple[ContainerPath, ...] = ()
    """Absolute paths that get a writable scratch volume (e.g. ``/tmp``). Default none."""
    user: Annotated[str, Text("a user (allowed: uid, uid:gid or a user name)")] | None = None
    """Non-root ``uid``, ``uid:gid`` or user name to run as (Security Hub ECS.20); a missing or
    root user needs the ECS.20 waiver. Default: none, which validation refuses without a waiver."""
    stop_timeout: Annotated[int, Int(2, 120)] | None = None
    """Seconds from SIGTERM to SIGKILL, 2..120. Default: ECS's 30."""

    @model_validator(mode="after")
    def _container_rules(self) -> Self:
        problems: list[tuple[Loc, str]] = []
        for name in self.environment:
            problem = credential_name_check(name)
            if problem:
                problems.append((("environment", name), problem))
        for name in self.secrets:
            if name in self.environment:
                problems.append((("secrets", name), f"{show(name)} is also a plain environment variable "
                                                    "(allowed: each name in either environment or secrets)"))  # fmt: skip
        seen: list[str] = []
        for i, path in enumerate(self.writable_paths):
            norm = path.rstrip("/")
            if norm in seen or norm == "":
                problems.append((("writablePaths", i), f"{show(path)} is the root or already listed "
                                                        "(allowed: distinct paths below /)"))  # fmt: skip
            seen.append(norm)
        raise_problems(problems)
        return self


class TaskSpec(ContainerSpec):
    """A task: its container plus its size, platform, roles' grants and waivers."""

    launch_type: LaunchType | None = None
    """``FARGATE``, ``FARGATE_SPOT``, ``EC2`` or ``EXTERNAL``; a kind the cluster offers.
    Default: the cluster's ``launchType``."""
    network_mode: NetworkMode | None = None
    """Fargate: ``awsvpc``; EC2: ``awsvpc``, ``bridge``, ``host``; EXTERNAL: ``bridge``, ``host``.
    Default ``awsvpc`` (``bridge`` on EXTERNAL). Public services need ``awsvpc``."""
    cpu: Annotated[int, Int(*f.EC2_TASK_CPU)] = 256
    """Task CPU units (1024 = 1 vCPU); on Fargate a Fargate size, on EC2 at most the smallest
    instance type's. Default 256."""
    memory: Annotated[int, Int(*f.EC2_TASK_MEMORY)] = 512
    """Task memory, MiB; on Fargate a size offered for that cpu, on EC2 at most 90 % of the
    smallest instance type's memory. Default 512."""
    architecture: Architecture | None = None
    """``X86_64`` or ``ARM64`` (Graviton); on EC2 it must match the instances.
    Default ``X86_64`` (on EC2: the instances')."""
    ephemeral_storage_gib: Annotated[int, Int(21, 200)] | None = Field(default=None, alias="ephemeralStorageGiB")
    """Fargate ephemeral storage, 21..200 GiB; Fargate only. Default: Fargate's 20."""
    permissions: tuple[PermissionSpec, ...] = ()
    """Task-role grants: ``[{actions: [s3:GetObject], resources: [arn:...]}]``. Default: nothing."""
    exec_enabled: Bool = Field(default=False, alias="exec")
    """ECS Exec into tasks (needs ``readonlyRootFilesystem: false``); sessions are logged to the
    cluster's audit log group. Default false."""
    waivers: dict[WaivableControl, Reason] = {}
    """Controls this task turns off on purpose, with why: ``ECS.20`` (runs as root/image user),
    ``ECS.5`` (writable root, recorded automatically with ``readonlyRootFilesystem: false``),
    ``ECS.17`` (host network, recorded automatically with ``networkMode: host``); each becomes
    an ``ecs-platform:waiver:<control>`` tag on the task definition. Default none."""

    @model_validator(mode="after")
    def _task_rules(self) -> Self:
        problems: list[tuple[Loc, str]] = []
        waiver = "waivers.ECS.20"
        if "ECS.20" in self.waivers:
            if self.user is not None and not f.is_root_user(self.user):
                problems.append(((("waivers", "ECS.20")), "waives a control this service keeps (allowed: only "
                                                          "when user is missing or root)"))  # fmt: skip
        elif self.user is None:
            problems.append((("user",), "missing, so the container runs as its image's user, often root "
                                        '(allowed: a non-root uid[:gid] or user name, e.g. "1000:1000", or '
                                        f"{waiver}: <why it needs root>)"))  # fmt: skip
        elif f.is_root_user(self.user):
            problems.append((("user",), f"{show(self.user)} runs as root (allowed: a non-root uid[:gid] or user "
                                        f"name, or {waiver}: <why it needs root>)"))  # fmt: skip
        if "ECS.5" in self.waivers and self.readonly_root_filesystem:
            problems.append((("waivers", "ECS.5"), "waives a control this service keeps "
                                                   "(allowed: only with readonlyRootFilesystem: false)"))  # fmt: skip
        if self.exec_enabled and self.readonly_root_filesystem:
            problems.append((("exec",), "true needs a writable root filesystem for the SSM agent (allowed: "
                                        "exec: true with readonlyRootFilesystem: false, or exec: false)"))  # fmt: skip
        raise_problems(problems)
        return self

    def effective_waivers(self, network_mode: str) -> dict[str, str]:
        """The given waivers plus the ones the settings themselves turn off."""
        out = dict(self.waivers)
        if not self.readonly_root_filesystem:
            out.setdefault("ECS.5", "readonlyRootFilesystem is off in config")
        if network_mode == "host":
            out.setdefault("ECS.17", "host network mode chosen in config")
        return out
