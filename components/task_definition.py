"""TaskDefinition: one container, its log group, its size, platform and volumes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components import validation as v
from components.containers import ContainerArgs, container_definition, scratch_volume_name
from components.outputs import waiver_tags

COMPATIBILITIES = ("FARGATE", "EC2", "EXTERNAL")
NETWORK_MODES = ("awsvpc", "bridge", "host")


@dataclass
class TaskDefinitionArgs:
    """Arguments of :class:`TaskDefinition`."""

    container: ContainerArgs
    """The application container. Required."""
    execution_role_arn: pulumi.Input[str]
    """Role the ECS agent uses (image pull, logs, secrets). Required."""
    task_role_arn: pulumi.Input[str]
    """Role the application's code gets. Required."""
    region: pulumi.Input[str]
    """Region of the log group (for the ``awslogs`` driver). Required."""
    family: pulumi.Input[str] | None = None
    """Task definition family. Default: the component's name."""
    container_name: str | None = None
    """Name of the container. Default: the component's name."""
    cpu: int = 256
    """Task CPU units (1024 = 1 vCPU). Default 256; Fargate sizes only on Fargate."""
    memory: int = 512
    """Task memory in MiB. Default 512."""
    compatibility: str = "FARGATE"
    """Where it runs: ``FARGATE`` (default), ``EC2`` or ``EXTERNAL``."""
    network_mode: str = "awsvpc"
    """``awsvpc`` (default; own ENI and security group), ``bridge`` or ``host``
    (EC2/EXTERNAL only)."""
    architecture: str = "X86_64"
    """CPU architecture: ``X86_64`` (default) or ``ARM64`` (Graviton)."""
    ephemeral_storage_gib: int | None = None
    """Fargate ephemeral storage, 21..200 GiB. Default: Fargate's 20 GiB."""
    log_retention_days: int = 30
    """Retention of the service's log group. Default 30 days."""
    log_group_name: pulumi.Input[str] | None = None
    """Name of the log group. Default: auto-named by Pulumi."""
    retain_logs_on_delete: bool = False
    """Keep the log group when the stack is destroyed. Default ``False``."""
    waivers: Mapping[str, str] = field(default_factory=dict)
    """Security Hub controls this task turns off on purpose -> why (``ECS.20`` for a root
    or unset user). ``ECS.5`` (writable root) and ``ECS.17`` (host network) are recorded
    automatically from the container and network mode. Each becomes an
    ``ecs-platform:waiver:<control>`` tag the policy pack accepts. Default none."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Extra tags for the task definition and log group. Default none."""

    def problems(self) -> list[str]:
        p = "TaskDefinitionArgs"
        out = self.container.problems(f"{p}.container")
        out += task_problems(
            p, compatibility=self.compatibility, network_mode=self.network_mode, cpu=self.cpu,
            memory=self.memory, architecture=self.architecture,
            ephemeral_storage_gib=self.ephemeral_storage_gib,
        )  # fmt: skip
        out += v.check_log_retention(f"{p}.log_retention_days", self.log_retention_days)
        out += waiver_problems(p, self.container, self.waivers)
        return out

    def effective_waivers(self) -> dict[str, str]:
        return effective_waivers(self.container, self.network_mode, self.waivers)


def waiver_problems(p: str, container: ContainerArgs, waivers: Mapping[str, str]) -> list[str]:
    """Known controls only; a non-root user unless ECS.20 is waived."""
    out = [
        f"{p}.waivers.{control}: is not a control a task may waive (allowed: {', '.join(v.SERVICE_WAIVABLE)})"
        for control in waivers
        if control not in v.SERVICE_WAIVABLE
    ]
    out += v.check_user(f"{p}.container.user", container.user, waivers, f"{p}.waivers.ECS.20")
    for control, reason in waivers.items():
        out += v.check_tag_text(f"{p}.waivers.{control}", reason, "reason (a tag value)", 256)
    return out


def effective_waivers(
    container: ContainerArgs, network_mode: str, waivers: Mapping[str, str]
) -> dict[str, str]:
    """The given waivers plus the ones the settings themselves turn off."""
    out = dict(waivers)
    if not container.readonly_root_filesystem:
        out.setdefault("ECS.5", "readonlyRootFilesystem is off in config")
    if network_mode == "host":
        out.setdefault("ECS.17", "host network mode chosen in config")
    return out


def task_problems(
    p: str,
    *,
    compatibility: str,
    network_mode: str,
    cpu: int,
    memory: int,
    architecture: str,
    ephemeral_storage_gib: int | None,
) -> list[str]:
    """Rules on a task's size and platform; ``p`` prefixes each field's path."""
    out = v.check_choice(f"{p}.compatibility", compatibility, COMPATIBILITIES)
    out += v.check_choice(f"{p}.network_mode", network_mode, NETWORK_MODES)
    out += v.check_choice(f"{p}.architecture", architecture, v.ARCHITECTURES)
    if compatibility == "FARGATE":
        out += v.check_fargate_size(f"{p}.cpu", f"{p}.memory", cpu, memory)
        if network_mode != "awsvpc":
            out.append(f"{p}.network_mode: {v.show(network_mode)} is not available "
                       "on Fargate (allowed: awsvpc)")  # fmt: skip
    else:
        out += v.check_int(f"{p}.cpu", cpu, 128, 196608)
        out += v.check_int(f"{p}.memory", memory, 128, 1048576)
    if ephemeral_storage_gib is not None:
        if compatibility != "FARGATE":
            out.append(f"{p}.ephemeral_storage_gib: {ephemeral_storage_gib} is a "
                       "Fargate-only setting (allowed: compatibility FARGATE)")  # fmt: skip
        else:
            out += v.check_int(f"{p}.ephemeral_storage_gib", ephemeral_storage_gib, 21, 200)
    return out


class TaskDefinition(pulumi.ComponentResource):
    """A task definition with one container logging to its own log group.

    Outputs: ``arn``, ``family``, ``log_group_name``, ``container_name``.
    """

    log_group: aws.cloudwatch.LogGroup
    task_definition: aws.ecs.TaskDefinition
    arn: pulumi.Output[str]
    container_name: str

    def __init__(
        self, name: str, args: TaskDefinitionArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        v.raise_if(args.problems(), "TaskDefinitionArgs")
        super().__init__("ecs-platform:ecs:TaskDefinition", name, None, opts)
        self.container_name = args.container_name or name
        self.log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=args.log_group_name,
            retention_in_days=args.log_retention_days,
            tags=dict(args.tags) or None,
            opts=pulumi.ResourceOptions(parent=self, retain_on_delete=args.retain_logs_on_delete),
        )
        definition = container_definition(
            self.container_name,
            args.container,
            log_group=self.log_group.name,
            region=args.region,
            network_mode=args.network_mode,
        )
        self.task_definition = aws.ecs.TaskDefinition(
            name,
            family=args.family or name,
            container_definitions=pulumi.Output.json_dumps([definition]),
            cpu=str(args.cpu),
            memory=str(args.memory),
            network_mode=args.network_mode,
            requires_compatibilities=[args.compatibility],
            runtime_platform=aws.ecs.TaskDefinitionRuntimePlatformArgs(
                cpu_architecture=args.architecture, operating_system_family="LINUX"
            ),
            execution_role_arn=args.execution_role_arn,
            task_role_arn=args.task_role_arn,
            ephemeral_storage=(
                aws.ecs.TaskDefinitionEphemeralStorageArgs(size_in_gib=args.ephemeral_storage_gib)
                if args.ephemeral_storage_gib is not None
                else None
            ),
            volumes=[
                aws.ecs.TaskDefinitionVolumeArgs(name=scratch_volume_name(i))
                for i in range(len(args.container.writable_paths))
            ]
            or None,
            tags={**args.tags, **waiver_tags(args.effective_waivers())} or None,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.arn = self.task_definition.arn
        self.family = self.task_definition.family
        self.log_group_name = self.log_group.name
        self.register_outputs({"arn": self.arn, "family": self.family, "logGroupName": self.log_group_name})
