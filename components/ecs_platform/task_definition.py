"""TaskDefinition: a task's container, its log group, its size, platform and volumes."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence

import pulumi
import pulumi_aws as aws

from ecs_platform import facts as f
from ecs_platform.boundary import Boundary, PlainStr
from ecs_platform.cluster import ClusterRef, checked_ref
from ecs_platform.errors import deferred_error, show
from ecs_platform.iam import policy_document
from ecs_platform.outputs import after, waiver_tags
from ecs_platform.specs import TaskSpec
from ecs_platform.specs.base import python_problems
from ecs_platform.specs.cluster import ClusterSpec
from ecs_platform.specs.containers import ebs_volumes, scratch_volumes, task_container_definitions
from ecs_platform.specs.fields import TagKey, TagValue
from ecs_platform.specs.service import definition_size_problems, network_mode, placement_problems
from ecs_platform.specs.task import ContainerName
from ecs_platform.specs.task_policy import firelens_statements
from ecs_platform.storage import EfsMount
from ecs_platform.wiring import REGION, ROLE_ARN, deferred_wiring

TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
#: IAM's role name grammar (CreateRole ``RoleName``).
ROLE_NAME_RE = re.compile(r"[\w+=,.@-]{1,64}")

#: The provider's unique suffix after a ``name_prefix`` (26 characters).
PREFIX_SUFFIX_LEN = 26


def definition_problems(
    bd: Boundary,
    spec: TaskSpec,
    cluster: ClusterRef,
    *,
    logical: str,
    container_name: str,
    family: str,
    log_group_name: str | None,
    region: pulumi.Input[str],
    efs_names: set[str],
    args: tuple[str, str, str],
    extra_tags: int = 0,
    tags_arg: str = "tags",
) -> None:
    """What a :class:`TaskDefinition` checks before it registers anything, for it and for the
    components that create one (so they check it before their own first child): the task's
    placement on the cluster, its container definitions as sent (ECS's 64 KiB), a mount for
    each EFS volume, the names it derives (container, task family, log group) and its tags;
    ``args``: the arguments the container name, the family and the log group name come from;
    ``extra_tags``: tags the task definition gets on top of its waivers."""
    bd.problems += python_problems(type(spec), placement_problems(spec, cluster.spec))
    # Measured with the log group's longest name: the prefix and the provider's 26-character
    # suffix, or Pulumi's auto-name (logical name, "-", 7 characters); an unknown region as
    # long as the longest.
    group = (f"{log_group_name}-{'0' * PREFIX_SUFFIX_LEN}" if log_group_name
             else f"{logical}-logs-{'0' * (f.AUTONAME_SUFFIX_LEN - 1)}")  # fmt: skip
    where = region if isinstance(region, str) else "x" * max(map(len, f.PARTITION_OF_REGION))
    bd.problems += python_problems(type(spec), definition_size_problems(spec, cluster.spec, container_name, group,
                                                                        where))  # fmt: skip
    missing = sorted(n for n, v in spec.volumes.items() if v.efs is not None and n not in efs_names)
    if missing:
        bd.add("efs", f"no mount for the EFS volumes {', '.join(missing)} (allowed: an EfsMount per EFS volume "
               "of the spec)")  # fmt: skip
    names, families, groups = args
    bd.derived_name(names, container_name, TASK_DEFINITION, "containerDefinitions[].name", container_name,
                    "container name")  # fmt: skip
    bd.derived_name(families, family if families in ("family", "name") else None, TASK_DEFINITION, "family", family,
                    "task family")  # fmt: skip
    bd.claim("family", family, families, "is the task family")
    if log_group_name:
        bd.derived_name(groups, log_group_name if groups == "log_group_name" else None, LOG_GROUP, "name", group,
                        "log group name")  # fmt: skip
    else:
        bd.autoname(groups, logical, LOG_GROUP, f"{logical}-logs", "log group name")
    count = extra_tags + len(spec.effective_waivers(network_mode(spec, cluster.spec)))
    if count > f.MAX_TAGS:
        bd.problems.append(f"{tags_arg}: make {count} tags on the task definition, with the component's own tag and "
                           f"the waiver tags (allowed: at most {f.MAX_TAGS} tags per resource; "
                           "https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html)")  # fmt: skip


def sized(definitions: pulumi.Output[str], spec: str) -> pulumi.Output[str]:
    """The container definitions as sent, within ECS's 64 KiB once their Outputs are known."""

    def verify(text: str) -> str:
        # The provider sends them compact (it normalizes the JSON), as the up-front rule measures.
        size = len(json.dumps(json.loads(text), separators=(",", ":")).encode())
        if size > f.MAX_TASK_DEFINITION_BYTES:
            raise deferred_error([f"{spec}: makes container definitions of {size} bytes (allowed: at most "
                                  f"{f.MAX_TASK_DEFINITION_BYTES}, ECS's task definition size quota)"])
        return text

    return definitions.apply(verify)


def distinct_roles(execution: pulumi.Input[str], task: pulumi.Input[str]) -> pulumi.Input[str]:
    """The task role ARN, refused once known if it is the execution role's."""
    if isinstance(execution, str) and isinstance(task, str):
        return task

    def verify(arns: list[str]) -> str:
        if arns[0] == arns[1]:
            raise deferred_error([f"TaskDefinition.task_role_arn: {show(arns[1])} is also the execution role "
                                  "(allowed: a role of its own)"])
        return arns[1]

    return pulumi.Output.all(execution, task).apply(verify)


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
        bd = Boundary("TaskDefinition", name, opts)
        checked = bd.spec("spec", spec, TaskSpec)
        ref = checked_ref(bd, cluster, None, accept_cluster=False)
        bd.wiring("execution_role_arn", execution_role_arn, ROLE_ARN)
        bd.wiring("task_role_arn", task_role_arn, ROLE_ARN)
        if isinstance(execution_role_arn, str) and execution_role_arn == task_role_arn:
            bd.add("task_role_arn", f"{show(task_role_arn)} is also the execution role (allowed: a role of its own: "
                   "the execution role is the ECS agent's, the task role the application's)")  # fmt: skip
        bd.wiring("region", region, REGION)
        container_name = bd.plain("container_name", container_name, ContainerName | None)
        family = bd.plain("family", family, PlainStr | None)
        log_group_name = bd.plain("log_group_name", log_group_name, PlainStr | None)
        tags = bd.plain("tags", tags, dict[TagKey, TagValue] | None)
        for volume, mount in (efs or {}).items():
            bd.instance(f"efs.{volume}", mount, (EfsMount,), "an EfsMount")
        deploy_after = bd.resources("deploy_after", deploy_after)
        # IAM role names: up to 64 of [\w+=,.@-] (CreateRole RoleName).
        # https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
        if task_role_name is not None and not isinstance(task_role_name, pulumi.Output) and not (
            isinstance(task_role_name, str) and ROLE_NAME_RE.fullmatch(task_role_name)
        ):
            bd.add("task_role_name", f"{show(task_role_name)} is not an IAM role name (allowed: up to 64 letters, "
                   "digits and +=,.@_-, or the role's name Output)")  # fmt: skip
        if checked is not None and checked.log_router is not None and checked.log_router.default_output and (
            task_role_name is None
        ):
            bd.add("task_role_name", "None is missing (allowed: the task role's name, required with a logRouter "
                   "that writes the task's log group)")  # fmt: skip
        if checked is not None and ref is not None and bd.ok:
            definition_problems(
                bd, checked, ref, logical=name, container_name=container_name or name, family=family or name,
                log_group_name=log_group_name, region=region, efs_names=set(efs or {}),
                args=("container_name" if container_name else "name", "family" if family else "name",
                      "log_group_name" if log_group_name else "name"), extra_tags=len(tags or {}),
                tags_arg="TaskDefinition.tags",
            )  # fmt: skip
        bd.done(self)
        assert checked is not None and ref is not None
        spec, cluster = checked, ref
        execution_role_arn = deferred_wiring(execution_role_arn, ROLE_ARN, "TaskDefinition.execution_role_arn")
        task_role_arn = deferred_wiring(task_role_arn, ROLE_ARN, "TaskDefinition.task_role_arn")
        if not getattr(bd.parent, "_own_roles", False):  # a service's or job's roles are two by construction
            task_role_arn = distinct_roles(execution_role_arn, task_role_arn)
        region = deferred_wiring(region, REGION, "TaskDefinition.region")
        super().__init__("ecs-platform:ecs:TaskDefinition", name, None, opts)
        launch_type = cluster.spec.launch_type_for(spec.launch_type, spec.capacity_provider_strategy)
        compatibility = "FARGATE" if launch_type in ("FARGATE", "FARGATE_SPOT") else launch_type
        mode = network_mode(spec, cluster.spec)
        architecture = spec.architecture or instances_architecture(launch_type, cluster.spec)
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
            container_definitions=sized(pulumi.Output.json_dumps(definitions), f"{type(spec).__name__}"),
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


def instances_architecture(launch_type: str, cluster: ClusterSpec) -> str:
    """The architecture of a task that names none: its instances' on EC2 and Managed Instances
    (Graviton when only ``amazon-web-services`` CPUs are allowed), else X86_64."""
    ec2, mi = cluster.ec2_capacity, cluster.managed_instances_capacity
    if launch_type == "EC2" and ec2 is not None:
        return ec2.architecture
    if launch_type == "MANAGED_INSTANCES" and mi is not None:
        return mi.architecture
    return "X86_64"
