"""Daemon: one task on every container instance (log, metrics and security agents).

On EC2 and ECS Anywhere it is an ECS service with the ``DAEMON`` scheduling strategy, which
takes no desired count, no placement strategy and no capacity provider strategy ("Specifying a
capacity provider strategy is not supported when you create a service using the DAEMON
scheduling strategy", aws/containers-roadmap#692): it names its launch type instead.
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_service-options.html

On Managed Instances it is an ECS Managed Daemon (``aws:ecs/daemon``) running a daemon task
definition (``aws:ecs/daemonTaskDefinition``) on the cluster's Managed Instances capacity
provider; ECS starts it on an instance before any other task there.
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/managed-daemons.html
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from ecs_platform import facts as f
from ecs_platform.boundary import Boundary, task_in_stack, task_problems_in_stack
from ecs_platform.cluster import Cluster, ClusterRef, checked_ref, ref_in_stack
from ecs_platform.errors import show
from ecs_platform.iam import AwsContext, TaskRoles, role_problems
from ecs_platform.outputs import tag_children, waiver_tags
from ecs_platform.service.refs import task_egress
from ecs_platform.specs.base import python_problems
from ecs_platform.specs.containers import scratch_volumes, task_container_definitions
from ecs_platform.specs.daemon import DaemonSpec, daemon_launch_type, daemon_problems
from ecs_platform.specs.service import network_mode
from ecs_platform.specs.task import ContainerName
from ecs_platform.task_definition import TaskDefinition
from ecs_platform.wiring import SUBNET_ID, VPC_ID, deferred_wiring

#: Container definition keys whose DaemonContainerDefinition name (pulumi-aws's input) is a plural.
_PLURAL = {"command": "commands", "entryPoint": "entry_points", "environment": "environments",
           "dependsOn": "depends_ons", "add": "adds", "drop": "drops"}  # fmt: skip


def _snake(key: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", key).lower()


def daemon_container_args(definition: Any, parent: str = "") -> Any:
    """An ECS container definition (the API's keys, as :func:`task_container_definitions` writes
    it) as pulumi-aws's ``DaemonTaskDefinitionContainerDefinitionArgsDict``: snake_case keys, the
    provider's plurals (``commands``, ``environments``, ``depends_ons``, ...); log driver options
    (``awslogs-group``) keep their names."""
    if isinstance(definition, list):
        return [daemon_container_args(item, parent) for item in definition]
    if not isinstance(definition, dict) or parent == "options":
        return definition
    return {
        _PLURAL.get(key, _snake(key)): daemon_container_args(value, key)
        for key, value in definition.items()
    }


def _problems(bd: Boundary, name: str, spec: DaemonSpec, ref: ClusterRef, container_name: str,
              context: AwsContext | None) -> None:  # fmt: skip
    """Everything the daemon and its children check before the first of them exists."""
    placement = daemon_problems({container_name: spec}, {}, {}, ref.spec)
    bd.problems += python_problems(type(spec), [(loc[2:], msg) for loc, msg in placement])
    launch_type = daemon_launch_type(spec, ref.spec)
    if launch_type == f.MANAGED_INSTANCES and ref.managed_instances_capacity_provider_arn is None:
        bd.add("cluster.managed_instances_capacity_provider_arn", "None is missing (allowed: the cluster's Managed "
               "Instances capacity provider, required on MANAGED_INSTANCES)")  # fmt: skip
    if spec.exec_enabled and ref.exec_log_group_arn is None:
        bd.add("cluster.exec_log_group_arn", "None is missing (allowed: the cluster's ECS Exec audit log group, "
               "required with exec)")  # fmt: skip
    if container_name in spec.sidecars:
        bd.add("container_name", f"{show(container_name)} is also a sidecar's name (allowed: a name none of the "
               "spec's sidecars has)")  # fmt: skip
    bd.autoname("name", name, "aws:ec2/securityGroup:SecurityGroup", f"{name}-sg", "security group name")
    role_problems(bd, f"{name}-roles", spec, ref, context)
    task_problems_in_stack(bd, spec, context)
    bd.claim("ecs-platform:ecs:Daemon", name, "name", "is the name")
    bd.claim("task", name, "name", "is the name")


class Daemon(pulumi.ComponentResource):
    """A daemon built from a :class:`~ecs_platform.specs.DaemonSpec`: its roles (execution and
    task role, as a service's), its log group and task definition, and the ECS service (EC2,
    EXTERNAL) or Managed Daemon (MANAGED_INSTANCES) that keeps one task on every instance.

    Outputs: ``daemon_name``, ``task_definition_arn``, ``task_role_arn``, ``log_group_name``.
    """

    def __init__(
        self,
        name: str,
        spec: DaemonSpec,
        *,
        cluster: Cluster | ClusterRef,
        vpc_id: pulumi.Input[str],
        subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]],
        container_name: str | None = None,
        context: AwsContext | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """``cluster``: whose instances run it (its ``EC2``, ``EXTERNAL`` or ``MANAGED_INSTANCES``
        capacity). ``subnet_ids``: the private subnets, for a daemon in ``awsvpc`` mode on EC2.
        ``container_name`` (default ``name``) names the container, the ``Daemon`` tag, the task
        family and the log group."""
        bd = Boundary("Daemon", name, opts)
        checked = bd.spec("spec", spec, DaemonSpec)
        context = bd.context("context", context)
        checked_cluster = checked_ref(bd, cluster, context)
        bd.wiring("vpc_id", vpc_id, VPC_ID)
        bd.wiring_list("subnet_ids", subnet_ids, SUBNET_ID)
        container_name = bd.plain("container_name", container_name, ContainerName | None)
        if checked is not None and checked_cluster is not None and bd.ok:
            _problems(bd, name, checked, checked_cluster, container_name or name, context)
        bd.done(self)
        assert checked is not None and checked_cluster is not None
        spec, ref = checked, checked_cluster
        container_name = container_name or name
        launch_type = daemon_launch_type(spec, ref.spec)
        super().__init__(
            "ecs-platform:ecs:Daemon",
            name,
            None,
            pulumi.ResourceOptions.merge(
                opts, pulumi.ResourceOptions(transformations=[tag_children({"Daemon": container_name})])
            ),
        )
        child = pulumi.ResourceOptions(parent=self)
        ctx = context or AwsContext.lookup(pulumi.InvokeOutputOptions(parent=self))
        # Wiring and ARNs that are Outputs (or whose stack is only known now), checked once known.
        ref = ref_in_stack(ref, ctx, "Daemon")
        spec = task_in_stack(spec, ctx)
        vpc_id = deferred_wiring(vpc_id, VPC_ID, "Daemon.vpc_id")
        subnet_ids = deferred_wiring(subnet_ids, SUBNET_ID, "Daemon.subnet_ids", many=True)
        self.spec = spec
        prefix = ref.name_prefix
        family = f"{prefix}-{container_name}" if prefix else None
        log_group_name = f"/ecs/{prefix}/{container_name}" if prefix else None
        timeouts = f"{ref.spec.deploy_timeout_minutes}m"
        self._own_roles = True  # its task definition gets the two roles below
        self.roles = TaskRoles(
            f"{name}-roles",
            spec,
            exec_log_group_arn=ref.exec_log_group_arn if spec.exec_enabled else None,
            exec_kms_key_arn=ref.kms_key_arn if spec.exec_enabled else None,
            context=ctx,
            opts=child,
        )
        self.security_group: aws.ec2.SecurityGroup | None = None
        self.service: aws.ecs.Service | None = None
        self.daemon: aws.ecs.Daemon | None = None
        self.daemon_task_definition: aws.ecs.DaemonTaskDefinition | None = None
        self.task_definition: TaskDefinition | None = None
        if launch_type == f.MANAGED_INSTANCES:
            assert ref.managed_instances_capacity_provider_arn is not None  # checked above
            self.log_group = aws.cloudwatch.LogGroup(
                f"{name}-logs",
                name_prefix=f"{log_group_name}-" if log_group_name else None,
                retention_in_days=ref.spec.log_retention_days,
                kms_key_id=ref.kms_key_arn,
                opts=pulumi.ResourceOptions(parent=self, retain_on_delete=ref.spec.retain_logs_on_delete),
            )
            definitions = task_container_definitions(container_name, spec, log_group=self.log_group.name,
                                                     region=ctx.region, network_mode="host")  # fmt: skip
            self.daemon_task_definition = aws.ecs.DaemonTaskDefinition(
                f"{name}-task",
                family=family or f"{name}-task",
                container_definitions=daemon_container_args(definitions),
                cpu=str(spec.cpu),
                memory=str(spec.memory),
                execution_role_arn=self.roles.execution_role_arn,
                task_role_arn=self.roles.task_role_arn,
                # Scratch volumes: a host volume without a source path is an empty volume ECS
                # creates for the task and deletes after it (API_DaemonVolume, HostVolumeProperties).
                volumes=[aws.ecs.DaemonTaskDefinitionVolumeArgs(name=v) for v in scratch_volumes(spec)] or None,
                # No network mode to record (a daemon task definition has none): the waivers of its
                # containers (ECS.5, ECS.20) only.
                tags=waiver_tags(spec.effective_waivers("")) or None,
                opts=child,
            )
            self.daemon = aws.ecs.Daemon(
                name,
                cluster_arn=ref.arn,
                daemon_task_definition_arn=self.daemon_task_definition.arn,
                capacity_provider_arns=[ref.managed_instances_capacity_provider_arn],
                propagate_tags="DAEMON",
                enable_ecs_managed_tags=True,
                enable_execute_command=spec.exec_enabled,
                timeouts=aws.ecs.DaemonTimeoutsArgs(create=timeouts, update=timeouts),
                opts=child,
            )
            self.daemon_name: pulumi.Output[str] = self.daemon.name
            self.task_definition_arn: pulumi.Output[str] = self.daemon_task_definition.arn
            self.log_group_name: pulumi.Output[str] = self.log_group.name
        else:
            mode = network_mode(spec, ref.spec)
            if mode == "awsvpc":
                self.security_group = aws.ec2.SecurityGroup(
                    f"{name}-sg", vpc_id=vpc_id, description=f"ECS daemon {container_name}: tasks (egress only)",
                    opts=child,
                )  # fmt: skip
                # What every awsvpc task may send: HTTPS anywhere, the VPC, and its egressCidrs.
                self.egress_rules = task_egress(name, self.security_group.id, vpc_id=vpc_id, vpc_cidr=None,
                                                egress_cidrs=spec.egress_cidrs, who=f"{container_name} daemon tasks",
                                                where="Daemon.spec", parent=self)  # fmt: skip
            self.task_definition = TaskDefinition(
                f"{name}-task",
                spec,
                cluster=ref,
                execution_role_arn=self.roles.execution_role_arn,
                task_role_arn=self.roles.task_role_arn,
                region=ctx.region,
                container_name=container_name,
                family=family,
                log_group_name=log_group_name,
                opts=child,
            )
            self.service = aws.ecs.Service(
                name,
                cluster=ref.arn,
                task_definition=self.task_definition.arn,
                scheduling_strategy="DAEMON",
                # Named, not a capacity provider strategy (which DAEMON refuses); no desired count and
                # no placement strategy either: one task on every instance.
                launch_type=launch_type,
                network_configuration=(
                    aws.ecs.ServiceNetworkConfigurationArgs(
                        subnets=subnet_ids, security_groups=[self.security_group.id], assign_public_ip=False
                    )
                    if self.security_group is not None
                    else None
                ),
                deployment_circuit_breaker=aws.ecs.ServiceDeploymentCircuitBreakerArgs(enable=True, rollback=True),
                wait_for_steady_state=ref.spec.wait_for_steady_state,
                sigint_rollback=True if ref.spec.wait_for_steady_state else None,
                tags=(
                    None
                    if ref.spec.wait_for_steady_state
                    else waiver_tags({f.STEADY_STATE_WAIVER: "waitForSteadyState: false in config"})
                ),
                enable_execute_command=spec.exec_enabled,
                enable_ecs_managed_tags=True,
                propagate_tags="SERVICE",
                opts=pulumi.ResourceOptions(
                    parent=self, custom_timeouts=pulumi.CustomTimeouts(create=timeouts, update=timeouts)
                ),
            )
            self.daemon_name = self.service.name
            self.task_definition_arn = self.task_definition.arn
            self.log_group_name = self.task_definition.log_group_name
        self.task_role_arn = self.roles.task_role_arn
        self.register_outputs(
            {"daemonName": self.daemon_name, "taskDefinitionArn": self.task_definition_arn,
             "logGroupName": self.log_group_name}
        )  # fmt: skip
