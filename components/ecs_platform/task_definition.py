"""TaskDefinition: a task's container, its log group, its size, platform and volumes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pulumi
import pulumi_aws as aws

from ecs_platform import facts as f
from ecs_platform.cluster import ClusterRef
from ecs_platform.errors import raise_if
from ecs_platform.iam import policy_document
from ecs_platform.outputs import after, waiver_tags
from ecs_platform.specs import TaskSpec
from ecs_platform.specs.base import python_problems
from ecs_platform.specs.containers import ebs_volumes, scratch_volumes, task_container_definitions
from ecs_platform.specs.service import definition_size_problems, network_mode, placement_problems
from ecs_platform.specs.task_policy import firelens_statements
from ecs_platform.storage import EfsMount
from ecs_platform.wiring import wiring_problems


class TaskDefinition(pulumi.ComponentResource):
    """A task definition whose containers (the application's, its sidecars and, when
    needed, ``volume-init``) log to its own log group (with the cluster's retention),
    built from a :class:`~ecs_platform.specs.TaskSpec`.

    Outputs: ``arn``, ``family``, ``log_group_name``, ``container_name``.
    """

    log_group: aws.cloudwatch.LogGroup
    task_definition: aws.ecs.TaskDefinition
    arn: pulumi.Output[str]
    container_name: str

    def __init__(
        self,
        name: str,
        spec: TaskSpec,
        *,
        cluster: ClusterRef,
        execution_role_arn: pulumi.Input[str],
        task_role_arn: pulumi.Input[str],
        region: pulumi.Input[str],
        task_role_name: pulumi.Input[str] | None = None,
        container_name: str | None = None,
        family: str | None = None,
        log_group_name: str | None = None,
        tags: Mapping[str, str] | None = None,
        efs: Mapping[str, EfsMount] | None = None,
        deploy_after: Sequence[pulumi.Resource] = (),
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """``cluster`` gives the defaults the spec leaves open (launch type, log retention);
        ``family`` and ``log_group_name`` (the log group's name before a unique suffix) default
        to Pulumi's auto-naming, ``container_name`` to ``name``. ``efs``: the file system and
        access point of every EFS volume of the spec (see :class:`~ecs_platform.service.Service`,
        which creates or adopts them). ``deploy_after``: resources a new revision waits for
        (pre-deploy job runs): the task definition ``depends_on`` them, so it and the service
        that runs it change only once they succeeded. ``task_role_name``: the task role's name, required
        with a ``logRouter`` of the default output: the log router writes the log group with the task
        role, which then gets ``<name>-firelens-policy`` on exactly this log group."""
        problems = wiring_problems(
            "TaskDefinition",
            {"execution_role_arn": execution_role_arn, "task_role_arn": task_role_arn, "region": region},
            {},
        )
        problems += python_problems(type(spec), placement_problems(spec, cluster.spec))
        # Measured with the log group's longest name: the prefix and the provider's 26-character
        # suffix, or Pulumi's auto-name (logical name, "-", 7 characters); an unknown region as
        # long as the longest.
        group = f"{log_group_name}-{'0' * 26}" if log_group_name else f"{name}-logs-{'0' * 7}"
        where = region if isinstance(region, str) else "x" * max(map(len, f.PARTITION_OF_REGION))
        problems += python_problems(
            type(spec), definition_size_problems(spec, cluster.spec, container_name or name, group, where)
        )
        missing = sorted(n for n, v in spec.volumes.items() if v.efs is not None and n not in (efs or {}))
        if missing:
            problems.append(f"TaskDefinition.efs: no mount for the EFS volumes {', '.join(missing)} (allowed: an "
                            "EfsMount per EFS volume of the spec)")  # fmt: skip
        if spec.log_router is not None and spec.log_router.default_output and task_role_name is None:
            problems.append("TaskDefinition.task_role_name: None is missing (allowed: the task role's name, required "
                            "with a logRouter that writes the task's log group)")  # fmt: skip
        raise_if(problems, "TaskDefinition")
        super().__init__("ecs-platform:ecs:TaskDefinition", name, None, opts)
        launch_type = cluster.spec.launch_type_for(spec.launch_type, spec.capacity_provider_strategy)
        compatibility = "FARGATE" if launch_type in ("FARGATE", "FARGATE_SPOT") else launch_type
        mode = network_mode(spec, cluster.spec)
        ec2 = cluster.spec.ec2_capacity
        architecture = spec.architecture or (ec2.architecture if launch_type == "EC2" and ec2 else "X86_64")
        self.container_name = container_name or name
        # `log_group_name` is a prefix: AWS-side the name gets a unique suffix, so a re-created
        # stack never collides with a group retainLogsOnDelete kept.
        self.log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name_prefix=f"{log_group_name}-" if log_group_name else None,
            retention_in_days=cluster.spec.log_retention_days,
            kms_key_id=cluster.kms_key_arn,
            tags=dict(tags) if tags else None,
            opts=pulumi.ResourceOptions(parent=self, retain_on_delete=cluster.spec.retain_logs_on_delete),
        )
        definitions = task_container_definitions(
            self.container_name, spec, log_group=self.log_group.name, region=region, network_mode=mode
        )
        # FireLens to the log group: the router writes it with the task role, before any task starts.
        self.firelens_policy: aws.iam.RolePolicy | None = None
        if spec.log_router is not None and spec.log_router.default_output and task_role_name is not None:
            self.firelens_policy = aws.iam.RolePolicy(
                f"{name}-firelens-policy",
                role=task_role_name,
                policy=policy_document(firelens_statements(self.log_group.arn)),
                opts=pulumi.ResourceOptions(parent=self),
            )
        volumes = [aws.ecs.TaskDefinitionVolumeArgs(name=v) for v in scratch_volumes(spec)]
        # An EBS volume is configured at launch: the service (or RunTask) gives its size and type.
        volumes += [aws.ecs.TaskDefinitionVolumeArgs(name=v, configure_at_launch=True) for v in ebs_volumes(spec)]
        for volume, mount in sorted((efs or {}).items()):
            volumes.append(
                aws.ecs.TaskDefinitionVolumeArgs(
                    name=volume,
                    efs_volume_configuration=aws.ecs.TaskDefinitionVolumeEfsVolumeConfigurationArgs(
                        file_system_id=mount.file_system_id,
                        transit_encryption="ENABLED",
                        authorization_config=aws.ecs.TaskDefinitionVolumeEfsVolumeConfigurationAuthorizationConfigArgs(
                            access_point_id=mount.access_point_id, iam="ENABLED"
                        ),
                    ),
                )
            )
        self.task_definition = aws.ecs.TaskDefinition(
            name,
            family=family or name,
            container_definitions=pulumi.Output.json_dumps(definitions),
            cpu=str(spec.cpu),
            memory=str(spec.memory),
            network_mode=mode,
            requires_compatibilities=[compatibility],
            runtime_platform=aws.ecs.TaskDefinitionRuntimePlatformArgs(
                cpu_architecture=architecture, operating_system_family="LINUX"
            ),
            execution_role_arn=execution_role_arn,
            task_role_arn=after(pulumi.Output.from_input(task_role_arn), self.firelens_policy),
            ephemeral_storage=(
                aws.ecs.TaskDefinitionEphemeralStorageArgs(size_in_gib=spec.ephemeral_storage_gib)
                if spec.ephemeral_storage_gib is not None
                else None
            ),
            volumes=volumes or None,
            tags={**(tags or {}), **waiver_tags(spec.effective_waivers(mode))} or None,
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(deploy_after) or None),
        )
        self.arn = self.task_definition.arn
        self.family = self.task_definition.family
        self.log_group_name = self.log_group.name
        self.register_outputs({"arn": self.arn, "family": self.family, "logGroupName": self.log_group_name})
