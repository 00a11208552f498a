"""The task model: its container (image, port, environment, secrets, health
check, user, ...), its size and platform, and what its task role may do."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Self

from pydantic import BeforeValidator, Field, GetJsonSchemaHandler, WithJsonSchema, model_validator
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from ecs_platform import facts as f
from ecs_platform.errors import allowed, show
from ecs_platform.specs.base import Bool, Choice, Int, Loc, Rule, Spec, Text, raise_problems
from ecs_platform.specs.commands import _COMMAND_SCHEMA, HealthCheckSpec, PermissionSpec, _command
from ecs_platform.specs.ebs import EbsSpec, ebs_task_problems
from ecs_platform.specs.fields import (
    Architecture,
    ContainerPath,
    EnvName,
    EnvValue,
    Image,
    KmsKeyArn,
    LaunchType,
    NetworkMode,
    Port,
    Reason,
    SecretArn,
    WaivableControl,
    credential_name_check,
)
from ecs_platform.specs.options import LogRouterSpec, RestartPolicySpec, Strategy, strategy_problems

#: What a container may wait for (ECS ``dependsOn`` conditions).
Condition = Annotated[str, Choice(*f.DEPENDENCY_CONDITIONS)]


def container_name_check(value: Any) -> str | None:
    if not isinstance(value, str) or not f.CONTAINER_NAME_RE.fullmatch(value):
        return (f"{show(value)} is not a container name (allowed: 1-255 letters, digits, hyphens and "
                "underscores)")  # fmt: skip
    if value in f.RESERVED_CONTAINER_NAMES:
        return f"{show(value)} is the platform's own container (allowed: another name)"
    return None


ContainerName = Annotated[str, Rule(container_name_check, "a container name", f.CONTAINER_NAME_RE.pattern)]


def volume_name_check(value: Any) -> str | None:
    if not isinstance(value, str) or not f.VOLUME_NAME_RE.fullmatch(value):
        return f"{show(value)} is not a volume name (allowed: 1-255 letters, digits, hyphens and underscores)"
    if f.SCRATCH_VOLUME_RE.fullmatch(value):
        return f"{show(value)} is the name of a writablePaths volume (allowed: another name)"
    return None


VolumeName = Annotated[str, Rule(volume_name_check, "a volume name", f.VOLUME_NAME_RE.pattern)]


def _numeric_user_check(value: Any) -> str | None:
    if isinstance(value, str) and f.numeric_user(value) is not None:
        return None
    return f'{show(value)} is not a numeric user (allowed: uid or uid:gid, e.g. "33:33")'


def _efs_id(kind: str, pattern: Any) -> Any:
    def check(value: Any) -> str | None:
        if isinstance(value, str) and pattern.fullmatch(value):
            return None
        return f"{show(value)} is not an EFS {kind} id (allowed: {pattern.pattern})"

    return Rule(check, f"an EFS {kind} id", pattern.pattern)


class EfsSpec(Spec):
    """An EFS file system mounted through an access point. ``{}`` creates both (encrypted,
    backed up, reachable only from the services that mount it); give both ids to adopt
    existing ones."""

    file_system_id: Annotated[str, _efs_id("file system", f.EFS_FILE_SYSTEM_ID_RE)] | None = None
    """An existing file system (``fs-...``), with ``accessPointId``. Default: created."""
    access_point_id: Annotated[str, _efs_id("access point", f.EFS_ACCESS_POINT_ID_RE)] | None = None
    """An existing access point (``fsap-...``) of ``fileSystemId``. Default: created."""
    owner: Annotated[str, Rule(_numeric_user_check, "a numeric uid:gid", f.NUMERIC_USER_RE.pattern)] | None = None
    """``uid:gid`` the created access point acts as and owns its root directory as (files
    written through it belong to them). Default: the numeric user of the containers that
    mount the volume."""

    @model_validator(mode="after")
    def _both_or_neither(self) -> Self:
        if (self.file_system_id is None) != (self.access_point_id is None):
            missing = "accessPointId" if self.access_point_id is None else "fileSystemId"
            raise_problems([((missing,), "is missing (allowed: both fileSystemId and accessPointId to adopt "
                                         "existing ones, or neither to create them)")])  # fmt: skip
        if self.owner is not None and self.file_system_id is not None:
            raise_problems([(("owner",), "is set on an adopted access point, whose owner is its own (allowed: "
                                         "owner only on a created volume)")])  # fmt: skip
        return self

    @property
    def created(self) -> bool:
        return self.file_system_id is None


class ScratchSpec(Spec):
    """Task-scoped scratch space (a bind mount on the task's ephemeral storage), shared by
    the task's containers and gone when the task stops. Takes no settings."""


class VolumeSpec(Spec):
    """A task volume: exactly one of ``efs``, ``scratch`` or ``ebs``."""

    efs: EfsSpec | None = None
    """Persistent storage on EFS. Default: not EFS."""
    scratch: ScratchSpec | None = None
    """Scratch space shared by the task's containers. Default: not scratch."""
    ebs: EbsSpec | None = None
    """An EBS volume ECS creates for each task and deletes when it stops (FARGATE and EC2; one per
    task). Default: not EBS."""

    @model_validator(mode="after")
    def _one_kind(self) -> Self:
        if sum(kind is not None for kind in (self.efs, self.scratch, self.ebs)) != 1:
            raise_problems([((), f"{show(self.model_dump(exclude_none=True))} is not one volume kind "
                                 "(allowed: {efs: {...}}, {scratch: {}} or {ebs: {sizeGiB: ...}})")])  # fmt: skip
        return self

    @property
    def is_blank(self) -> bool:
        """A volume that starts empty and owned by root (scratch, EBS): ``volume-init`` opens it up
        for non-root writers."""
        return self.scratch is not None or self.ebs is not None


def _mount(value: Any) -> Any:
    """``path: volume`` is short for ``path: {volume: volume}``."""
    return {"volume": value} if isinstance(value, str) else value


class MountSpec(Spec):
    """Where a container sees a task volume."""

    volume: VolumeName
    """A volume of the task's ``volumes``. Required."""
    read_only: Bool = False
    """Mount read-only. Default false."""


class _OrVolumeName:
    """JSON Schema of a mount: a volume name, or the full form."""

    @staticmethod
    def __get_pydantic_json_schema__(schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        return {"anyOf": [{"type": "string"}, handler(schema)]}


Mount = Annotated[MountSpec, BeforeValidator(_mount), _OrVolumeName()]


class ContainerSpec(Spec):
    """The settings every container of a task takes (the application container and its
    sidecars)."""

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
    secrets_kms_keys: tuple[KmsKeyArn, ...] = ()
    """Customer-managed KMS keys (key ARNs, in the secrets' region) that encrypt this container's
    ``secrets``: the execution role may decrypt with exactly these keys, and only through Secrets
    Manager or Parameter Store of the secrets' region (``kms:ViaService``). Default none (AWS
    managed keys ``aws/secretsmanager``, ``aws/ssm`` need no grant)."""
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
    entry_point: Annotated[tuple[str, ...], BeforeValidator(_command), WithJsonSchema(_COMMAND_SCHEMA)] | None = None
    """Overrides the image's ENTRYPOINT: a list, or a shell string run with ``sh -c``.
    Default: the image's."""
    mounts: dict[ContainerPath, Mount] = {}
    """Container path -> task volume: ``/data: uploads`` or ``/data: {volume: uploads,
    readOnly: true}``. Default none."""
    depends_on: dict[ContainerName, Condition] = {}
    """Sidecar -> condition it must reach before this container starts: ``START``,
    ``COMPLETE`` (exited), ``SUCCESS`` (exited 0) or ``HEALTHY`` (its health check passes).
    Default none."""
    essential: Bool = True
    """The task stops when this container stops. Default true."""
    restart_policy: RestartPolicySpec | None = None
    """``{ignoredExitCodes: [...], attemptPeriod: 60}``: ECS restarts the container in place when it
    exits (except on the ignored codes), instead of replacing the task; ``{}`` enables it with AWS's
    defaults. Default: off (an essential container's exit stops the task)."""

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
        problems += self._secrets_key_problems()
        seen: set[str] = set()
        for i, path in enumerate(self.writable_paths):
            if path in seen:
                problems.append((("writablePaths", i), f"{show(path)} is already listed (allowed: distinct paths)"))
            seen.add(path)
        for path in self.mounts:
            if path in seen:
                problems.append((("mounts", path), "is also a writable path (allowed: each path mounted once)"))
        raise_problems(problems)
        return self

    def _secrets_key_problems(self) -> list[tuple[Loc, str]]:
        """Keys for secrets there are, each once, each in a region of the secrets (KMS keys are
        regional; Secrets Manager and Parameter Store encrypt with a key of their own region:
        https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html)."""
        problems: list[tuple[Loc, str]] = []
        if self.secrets_kms_keys and not self.secrets:
            return [(("secretsKmsKeys",), "is set and the container has no secrets (allowed: remove it, or secrets "
                                          "these keys encrypt)")]  # fmt: skip
        arns = list(self.secrets.values())
        regions = {a.split(":")[3] for a in arns if isinstance(a, str)}
        for i, key in enumerate(self.secrets_kms_keys):
            if not isinstance(key, str):
                continue
            if key in self.secrets_kms_keys[:i]:
                problems.append((("secretsKmsKeys", i), f"{show(key)} is already listed (allowed: each key once)"))
            elif all(isinstance(a, str) for a in arns) and key.split(":")[3] not in regions:
                problems.append((("secretsKmsKeys", i), f"{show(key)} is in {key.split(':')[3]}, where none of the "
                                 f"container's secrets is (allowed: a key in {allowed(sorted(regions))}; Secrets "
                                 "Manager and Parameter Store encrypt with a key of their own region)"))  # fmt: skip
        return problems

    @property
    def mounted_paths(self) -> tuple[str, ...]:
        return (*self.writable_paths, *self.mounts)


class SidecarSpec(ContainerSpec):
    """A container next to the application container: an agent, a proxy, an init step."""

    cpu: Annotated[int, Int(0, f.EC2_TASK_CPU[1])] | None = None
    """CPU units reserved for it, out of the task's. Default: none reserved (shares the task's)."""
    memory: Annotated[int, Int(f.MIN_CONTAINER_MEMORY, f.EC2_TASK_MEMORY[1])] | None = None
    """Its memory limit in MiB, at least 6, out of the task's: above it, the container is
    stopped. Default: no own limit (the task's)."""


class TaskSpec(ContainerSpec):
    """A task: its container plus its size, platform, roles' grants and waivers."""

    launch_type: LaunchType | None = None
    """``FARGATE``, ``FARGATE_SPOT``, ``EC2``, ``EXTERNAL`` or ``MANAGED_INSTANCES``; a kind the
    cluster offers. Default: the cluster's ``launchType``."""
    network_mode: NetworkMode | None = None
    """Fargate: ``awsvpc``; EC2: ``awsvpc``, ``bridge``, ``host``; EXTERNAL: ``bridge``, ``host``;
    MANAGED_INSTANCES: ``awsvpc``, ``host``. Default ``awsvpc`` (``bridge`` on EXTERNAL). A public
    service on EC2 in ``bridge`` mode gets a dynamic host port behind the load balancer (an
    ``instance`` target group; the instances admit the load balancer on the ephemeral ports
    32768-65535 only); in ``host`` mode the container port, one task per instance."""
    cpu: Annotated[int, Int(*f.EC2_TASK_CPU)] = 256
    """Task CPU units (1024 = 1 vCPU); on Fargate a Fargate size, on EC2 at most the smallest
    instance type's. Default 256."""
    memory: Annotated[int, Int(*f.EC2_TASK_MEMORY)] = 512
    """Task memory, MiB; on Fargate a size offered for that cpu, on EC2 at most 90 % of the
    smallest instance type's memory. Default 512."""
    architecture: Architecture | None = None
    """``X86_64`` or ``ARM64`` (Graviton); on EC2 it must match the instances.
    Default ``X86_64`` (on EC2: the instances')."""
    capacity_provider_strategy: Strategy | None = None
    """``[{provider, weight, base}]``: how the tasks spread over the cluster's capacity providers
    (``FARGATE``, ``FARGATE_SPOT``, ``EC2``), in place of ``launchType`` (not with it). Default: the
    launch type's (or the stack's ``capacityProviderStrategy``)."""
    ephemeral_storage_gib: Annotated[int, Int(21, 200)] | None = Field(default=None, alias="ephemeralStorageGiB")
    """Fargate ephemeral storage, 21..200 GiB; Fargate only. Default: Fargate's 20."""
    permissions: tuple[PermissionSpec, ...] = ()
    """Task-role grants: ``[{actions: [s3:GetObject], resources: [arn:...]}]``. Default: nothing."""
    exec_enabled: Bool = Field(default=False, alias="exec")
    """ECS Exec into tasks (needs ``readonlyRootFilesystem: false``); sessions are logged to the
    cluster's audit log group. Default false."""
    sidecars: dict[ContainerName, SidecarSpec] = {}
    """Name -> another container of the task (same settings as the application container,
    plus its own ``cpu``/``memory`` share). Default none."""
    volumes: dict[VolumeName, VolumeSpec] = {}
    """Name -> ``{efs: {...}}``, ``{scratch: {}}`` or ``{ebs: {sizeGiB: ...}}``, mounted by containers'
    ``mounts``. Default none."""
    log_router: LogRouterSpec | None = None
    """FireLens: ``{options: {...}, secretOptions: {...}}`` adds the ``log-router`` container (AWS for
    Fluent Bit, pinned; its own logs to the log group) and sends the application's and the sidecars'
    logs through ``awsfirelens`` with those options; ``{}`` sends them to the service's log group.
    Counts as a container of the task and reserves 50 MiB of its memory. Default: every container
    logs to the log group through ``awslogs``."""
    volume_init_image: Image = f.VOLUME_INIT_IMAGE
    """Image of the short-lived ``volume-init`` container that makes scratch volumes writable
    for non-root containers (it needs ``chmod``). Default
    ``public.ecr.aws/docker/library/busybox:1.37``."""
    waivers: dict[WaivableControl, Reason] = {}
    """Controls this task turns off on purpose, with why: ``ECS.20`` (runs as root/image user),
    ``ECS.5`` (writable root, recorded automatically with ``readonlyRootFilesystem: false``),
    ``ECS.17`` (host network, recorded automatically with ``networkMode: host``); each becomes
    an ``ecs-platform:waiver:<control>`` tag on the task definition. Default none."""

    @property
    def consumed_queue(self) -> str | None:
        """The SQS queue ARN the task role may consume (a queue worker's). Default none."""
        return None

    @property
    def consumed_queue_key(self) -> str | None:
        """The customer-managed KMS key of that queue, which the task role may decrypt with.
        Default none."""
        return None

    @property
    def containers(self) -> dict[str | None, ContainerSpec]:
        """The application container (key ``None``) and the sidecars, by name."""
        out: dict[str | None, ContainerSpec] = {None: self}
        out.update(self.sidecars)
        return out

    @property
    def secret_arns(self) -> list[Any]:
        """Every secret the execution role reads: the containers' ``secrets`` and the log router's
        ``secretOptions``."""
        out = [a for c in self.containers.values() for a in c.secrets.values()]
        return out + (list(self.log_router.secret_options.values()) if self.log_router else [])

    @property
    def root_containers(self) -> list[str | None]:
        """Containers that run as root or as their image's user (ECS.20)."""
        return [n for n, c in self.containers.items() if c.user is None or f.is_root_user(c.user)]

    def writes_scratch_as_non_root(self, c: ContainerSpec) -> bool:
        """Whether ``c`` runs as a non-root user and writes to a scratch volume (which Fargate
        creates owned by root, mode 0755) or an EBS volume (a new file system, its root directory
        root's, 0755): then it waits for ``volume-init`` to open it up."""
        if c.user is None or f.is_root_user(c.user):
            return False
        return bool(c.writable_paths) or any(
            not m.read_only and m.volume in self.volumes and self.volumes[m.volume].is_blank
            for m in c.mounts.values()
        )

    def scratch_writers(self) -> bool:
        """Whether the task needs the ``volume-init`` container."""
        return any(self.writes_scratch_as_non_root(c) for c in self.containers.values())

    def efs_owner(self, volume: str) -> tuple[int, int] | None:
        """The uid:gid a created EFS volume's access point acts as: its ``owner``, else the
        numeric user of the containers that mount it."""
        efs = self.volumes[volume].efs
        if efs is not None and efs.owner is not None:
            return f.numeric_user(efs.owner)
        for c in self.containers.values():
            if any(m.volume == volume for m in c.mounts.values()) and c.user is not None:
                ids = f.numeric_user(c.user)
                if ids is not None:
                    return ids
        return None

    @model_validator(mode="after")
    def _task_rules(self) -> Self:
        problems: list[tuple[Loc, str]] = []

        def at(name: str | None, *key: str | int) -> Loc:
            return key if name is None else ("sidecars", name, *key)

        waiver = "waivers.ECS.20"
        roots = self.root_containers
        if "ECS.20" in self.waivers:
            if not roots:
                problems.append(((("waivers", "ECS.20")), "waives a control this task keeps (allowed: only "
                                                          "when a container's user is missing or root)"))  # fmt: skip
        else:
            for name in roots:
                user = self.containers[name].user
                if user is None:
                    problems.append((at(name, "user"), "missing, so the container runs as its image's user, often "
                                     'root (allowed: a non-root uid[:gid] or user name, e.g. "1000:1000", or '
                                     f"{waiver}: <why it needs root>)"))  # fmt: skip
                else:
                    problems.append((at(name, "user"), f"{show(user)} runs as root (allowed: a non-root uid[:gid] "
                                                       f"or user name, or {waiver}: <why it needs root>)"))  # fmt: skip
        writable_roots = [n for n, c in self.containers.items() if not c.readonly_root_filesystem]
        if "ECS.5" in self.waivers and not writable_roots:
            problems.append((("waivers", "ECS.5"), "waives a control this task keeps "
                                                   "(allowed: only with readonlyRootFilesystem: false)"))  # fmt: skip
        if "ECS.17" in self.waivers and self.network_mode != "host":
            problems.append((("waivers", "ECS.17"), "waives a control this service keeps "
                                                    "(allowed: only with networkMode: host)"))  # fmt: skip
        # ECS Exec: the SSM agent it runs in the container writes to its file system.
        # https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html
        if self.exec_enabled and self.readonly_root_filesystem:
            problems.append((("exec",), "true needs a writable root filesystem for the SSM agent (allowed: "
                                        "exec: true with readonlyRootFilesystem: false, or exec: false)"))  # fmt: skip
        if self.capacity_provider_strategy is not None:
            problems += [(("capacityProviderStrategy", *loc), msg)
                         for loc, msg in strategy_problems(self.capacity_provider_strategy)]  # fmt: skip
            if self.launch_type is not None:
                problems.append((("launchType",), f"{show(self.launch_type)} is given with capacityProviderStrategy "
                                 "(allowed: one of them; ECS: with a capacityProviderStrategy the launchType must be "
                                 "omitted, CreateService)"))  # fmt: skip
        problems += self._container_problems(at)
        problems += self._volume_problems(at)
        problems += ebs_task_problems(self.volumes)
        raise_problems(problems)
        return self

    def _container_problems(self, at: Callable[..., Loc]) -> list[tuple[Loc, str]]:
        """Dependencies, essentials, sizes and ports across the task's containers."""
        out: list[tuple[Loc, str]] = []
        containers = self.containers
        # ContainerDependency: HEALTHY "requires that the dependent container has health checks
        # configured"; COMPLETE/SUCCESS "can't be set on an essential container".
        # https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDependency.html
        for name, c in containers.items():
            for dep, condition in c.depends_on.items():
                target = self.sidecars.get(dep)
                if target is None or dep == name:
                    what = "the container itself" if dep == name else "not a sidecar of this task"
                    out.append((at(name, "dependsOn", dep), f"is {what} (allowed: "
                                f"{allowed(sorted(n for n in self.sidecars if n != name)) or 'a sidecar'})"))
                elif condition == "HEALTHY" and target.health_check is None:
                    out.append((at(name, "dependsOn", dep), f"HEALTHY needs a health check on {dep} "
                                "(allowed: give it a healthCheck, or wait for START)"))  # fmt: skip
                elif condition in ("COMPLETE", "SUCCESS") and target.essential:
                    out.append((at(name, "dependsOn", dep), f"{condition} waits for {dep} to exit, and it is "
                                "essential, so its exit stops the task (allowed: essential: false on it, or "
                                "START/HEALTHY)"))  # fmt: skip
        cycle = _dependency_cycle({n: tuple(s.depends_on) for n, s in self.sidecars.items()})
        if cycle:
            out.append((("sidecars", cycle[0], "dependsOn"), f"{' -> '.join(cycle)} is a cycle (allowed: "
                        "dependencies that end in a container waiting for nothing)"))  # fmt: skip
        # ContainerDefinition: "All tasks must have at least one essential container"; the memory
        # "reserved for all containers within a task must be lower than the task memory value".
        # https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html
        # ECS accepts a total equal to the task's (AWS's own ADOT sidecar example gives its statsd
        # emitter memory 512 in a 512 MiB task: aws-otel-collector examples/ecs/aws-cloudwatch/
        # ecs-fargate-sidecar.json), so a total above the task's is refused, as for cpu.
        if not any(c.essential for c in containers.values()):
            out.append((("essential",), "false on every container (allowed: at least one essential container)"))
        cpu = sum(s.cpu or 0 for s in self.sidecars.values())
        if cpu > self.cpu:
            out.append((("sidecars",), f"reserve {cpu} cpu units, more than the task's {self.cpu} "
                                       "(allowed: sidecar cpu adding up to at most the task's cpu)"))  # fmt: skip
        memory = sum(s.memory or 0 for s in self.sidecars.values())
        router = f.LOG_ROUTER_MEMORY_RESERVATION if self.log_router is not None else 0
        if memory + router > self.memory:
            with_router = f" and the log router's {router}" if router else ""
            out.append((("sidecars",) if memory else ("memory",), f"take {memory} MiB{with_router}, more than the "
                        f"task's {self.memory} (allowed: sidecar memory adding up to at most the task's "
                        "memory)"))  # fmt: skip
        ports: dict[int, str] = {}
        for name, c in containers.items():
            if c.port is None:
                continue
            if c.port in ports:
                out.append((at(name, "port"), f"{c.port} is also the port of {ports[c.port]} (allowed: a port "
                                              "no other container of the task uses)"))  # fmt: skip
            ports.setdefault(c.port, "the application container" if name is None else f"sidecar {name}")
        if self.log_router is not None:
            for name, c in containers.items():
                if c.port == f.FIRELENS_PORT:
                    out.append((at(name, "port"), f"{c.port} is the port FireLens listens on in the task (allowed: "
                                "another port with logRouter)"))  # fmt: skip
        extra = [n for n, on in (("volume-init", self.scratch_writers()), ("log-router", self.log_router is not None))
                 if on]  # fmt: skip
        count = len(containers) + len(extra)
        if count > f.MAX_CONTAINERS_PER_TASK:
            out.append((("sidecars",), f"make {count} containers in the task, counting the application container"
                        f"{''.join(f' and {n}' for n in extra)} (allowed: at most "
                        f"{f.MAX_CONTAINERS_PER_TASK} containers per task definition, an AWS quota that cannot be "
                        "raised)"))  # fmt: skip
        return out

    def _volume_problems(self, at: Callable[..., Loc]) -> list[tuple[Loc, str]]:
        """Mounts name declared volumes; EFS volumes are mounted by one uid:gid."""
        out: list[tuple[Loc, str]] = []
        mounted: set[str] = set()
        for name, c in self.containers.items():
            for path, m in c.mounts.items():
                mounted.add(m.volume)
                if m.volume not in self.volumes:
                    out.append((at(name, "mounts", path), f"{show(m.volume)} is not a volume of this task "
                                f"(allowed: {allowed(sorted(self.volumes)) or 'a name declared under volumes'})"))
        for volume, spec in self.volumes.items():
            if volume not in mounted:
                out.append((("volumes", volume), "is mounted by no container (allowed: mount it with a "
                                                 "container's mounts, or remove it)"))  # fmt: skip
            if spec.efs is None or not spec.efs.created or spec.efs.owner is not None:
                continue
            owners = {}
            for name, c in self.containers.items():
                if not any(m.volume == volume for m in c.mounts.values()):
                    continue
                ids = f.numeric_user(c.user) if c.user is not None else None
                if ids is None:
                    out.append((at(name, "user"), f"{show(c.user)} is not a numeric uid[:gid], which the access "
                                f"point of EFS volume {volume} would act as (allowed: e.g. \"1000:1000\", or the "
                                "volume's efs.owner)"))
                else:
                    owners[name] = ids
            if len(set(owners.values())) > 1:
                shown = ", ".join(f"{n or 'the application'}: {u}:{g}" for n, (u, g) in owners.items())
                out.append((("volumes", volume), f"is mounted as different users ({shown}) (allowed: one "
                                                 "uid:gid for every container mounting an EFS volume)"))  # fmt: skip
        return out

    def effective_waivers(self, network_mode: str) -> dict[str, str]:
        """The given waivers plus the ones the settings themselves turn off."""
        out = dict(self.waivers)
        if any(not c.readonly_root_filesystem for c in self.containers.values()):
            out.setdefault("ECS.5", "readonlyRootFilesystem is off in config")
        if network_mode == "host":
            out.setdefault("ECS.17", "host network mode chosen in config")
        return out


def _dependency_cycle(graph: dict[str, tuple[str, ...]]) -> list[str]:
    """A cycle of ``graph`` (name -> names it waits for) as a path, or ``[]``."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, ()):
            if nxt not in graph or nxt == node:
                continue
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return []
