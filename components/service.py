"""Service: roles, task definition, security group and ECS service of one app."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components import validation as v
from components.cluster import CapacityStrategyItem, fargate_strategy
from components.containers import ContainerArgs
from components.iam import AwsContext, PolicyStatement, TaskRoles, TaskRolesArgs, permissions_problems
from components.task_definition import TaskDefinition, TaskDefinitionArgs, task_problems


@dataclass
class ServiceArgs:
    """Arguments of :class:`Service`. Everything but the first four has a default."""

    cluster_arn: pulumi.Input[str]
    """The cluster to run in. Required."""
    vpc_id: pulumi.Input[str]
    """VPC of the service's security group. Required."""
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    """Subnets for the tasks: the private subnets of every zone, so ECS spreads
    tasks across zones. Required."""
    container: ContainerArgs
    """The application container. Required."""
    container_name: str | None = None
    """Name of the container (and its log stream prefix). Default: the component's name."""
    context: AwsContext | None = None
    """Account/region/partition. Default: looked up from the provider."""
    launch_type: str = "FARGATE"
    """``FARGATE`` (default) or ``FARGATE_SPOT``."""
    fargate_on_demand_base: int = 1
    """With ``FARGATE_SPOT``: tasks kept on on-demand Fargate. Default 1."""
    desired_count: int = 2
    """Tasks to run. Default 2."""
    cpu: int = 256
    """Task CPU units. Default 256 (0.25 vCPU)."""
    memory: int = 512
    """Task memory, MiB. Default 512."""
    architecture: str = "X86_64"
    """``X86_64`` (default) or ``ARM64``."""
    ephemeral_storage_gib: int | None = None
    """Fargate ephemeral storage, 21..200 GiB. Default: Fargate's 20 GiB."""
    permissions: Sequence[PolicyStatement] = ()
    """What the task role may do. Default: nothing."""
    exec_enabled: bool = False
    """Allow ECS Exec into the tasks (audited in the cluster's exec log). Default ``False``."""
    exec_log_group_arn: pulumi.Input[str] | None = None
    """The cluster's ECS Exec audit log group, written to by exec sessions."""
    min_healthy_percent: int = 100
    """Lower bound of running tasks during a deployment, % of desired. Default 100
    (a deploy never removes capacity first)."""
    max_percent: int = 200
    """Upper bound during a deployment, % of desired. Default 200."""
    log_retention_days: int = 30
    """Retention of the service's log group. Default 30."""
    log_group_name: pulumi.Input[str] | None = None
    """Name of the service's log group. Default: auto-named."""
    retain_logs_on_delete: bool = False
    """Keep the log group when the stack is destroyed. Default ``False``."""
    family: pulumi.Input[str] | None = None
    """Task definition family. Default: the component's name."""
    egress_cidrs: Sequence[str] = field(default_factory=lambda: ["0.0.0.0/0"])
    """Where tasks may connect to (image registry, AWS APIs, your dependencies)
    through the NAT gateways. Default: anywhere."""
    tags: pulumi.Input[dict[str, pulumi.Input[str]]] | None = None
    """Tags for the service (propagated to its tasks), task definition and log group."""

    @property
    def compatibility(self) -> str:
        return "FARGATE" if self.launch_type in ("FARGATE", "FARGATE_SPOT") else self.launch_type

    def problems(self) -> list[str]:
        p = "ServiceArgs"
        out = v.check_choice(f"{p}.launch_type", self.launch_type, ("FARGATE", "FARGATE_SPOT"))
        out += self.container.problems(f"{p}.container")
        out += task_problems(
            p, compatibility=self.compatibility, network_mode="awsvpc", cpu=self.cpu,
            memory=self.memory, architecture=self.architecture,
            ephemeral_storage_gib=self.ephemeral_storage_gib,
        )  # fmt: skip
        out += v.check_desired_count(f"{p}.desired_count", self.desired_count)
        out += v.check_int(f"{p}.fargate_on_demand_base", self.fargate_on_demand_base, 0, 100000)
        out += v.check_int(f"{p}.min_healthy_percent", self.min_healthy_percent, 0, 100)
        out += v.check_int(f"{p}.max_percent", self.max_percent, 100, 200)
        out += v.check_log_retention(f"{p}.log_retention_days", self.log_retention_days)
        out += permissions_problems(f"{p}.permissions", self.permissions)
        if self.exec_enabled and self.container.readonly_root_filesystem:
            out.append(f"{p}.exec_enabled: true needs a writable root filesystem for the SSM "
                       "agent (allowed: container.readonly_root_filesystem=False, or no exec)")  # fmt: skip
        return out

    def capacity_strategy(self) -> list[CapacityStrategyItem]:
        return fargate_strategy(self.launch_type, self.fargate_on_demand_base)


class Service(pulumi.ComponentResource):
    """One application on ECS: roles, task definition, security group, service.

    Tasks run in the given (private) subnets with no public IP, behind their own
    security group that admits nothing by default. Deployments are guarded by
    the circuit breaker and roll back on failure; tags propagate to tasks.
    Outputs: ``service_name``, ``security_group_id``, ``task_definition_arn``,
    ``task_role_arn``, ``execution_role_arn``, ``log_group_name``.
    """

    roles: TaskRoles
    task_definition: TaskDefinition
    security_group: aws.ec2.SecurityGroup
    service: aws.ecs.Service

    def __init__(self, name: str, args: ServiceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        v.raise_if(args.problems(), "ServiceArgs")
        super().__init__("ecs-platform:ecs:Service", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        ctx = args.context or AwsContext.lookup(pulumi.InvokeOutputOptions(parent=self))

        self.roles = TaskRoles(
            f"{name}-roles",
            TaskRolesArgs(
                context=ctx,
                secret_arns=list(args.container.secrets.values()),
                permissions=args.permissions,
                exec_enabled=args.exec_enabled,
                exec_log_group_arn=args.exec_log_group_arn,
            ),
            opts=child,
        )
        self.task_definition = TaskDefinition(
            f"{name}-task",
            TaskDefinitionArgs(
                container=args.container,
                execution_role_arn=self.roles.execution_role_arn,
                task_role_arn=self.roles.task_role_arn,
                region=ctx.region,
                family=args.family,
                container_name=args.container_name or name,
                cpu=args.cpu,
                memory=args.memory,
                compatibility=args.compatibility,
                architecture=args.architecture,
                ephemeral_storage_gib=args.ephemeral_storage_gib,
                log_retention_days=args.log_retention_days,
                log_group_name=args.log_group_name,
                retain_logs_on_delete=args.retain_logs_on_delete,
                tags=args.tags,
            ),
            opts=child,
        )
        self.security_group = aws.ec2.SecurityGroup(
            f"{name}-sg",
            vpc_id=args.vpc_id,
            description=f"ECS service {name}: tasks",
            opts=child,
        )
        self.egress_rules = [
            aws.vpc.SecurityGroupEgressRule(
                f"{name}-egress" if i == 0 else f"{name}-egress-{i}",
                security_group_id=self.security_group.id,
                ip_protocol="-1",
                cidr_ipv4=cidr,
                description="Tasks reach registries, AWS APIs and dependencies via NAT",
                opts=child,
            )
            for i, cidr in enumerate(args.egress_cidrs)
        ]
        self.service = aws.ecs.Service(
            name,
            cluster=args.cluster_arn,
            task_definition=self.task_definition.arn,
            desired_count=args.desired_count,
            capacity_provider_strategies=[item.as_service_args() for item in args.capacity_strategy()],
            platform_version="LATEST",
            network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(
                subnets=args.subnet_ids,
                security_groups=[self.security_group.id],
                assign_public_ip=False,
            ),
            deployment_circuit_breaker=aws.ecs.ServiceDeploymentCircuitBreakerArgs(
                enable=True, rollback=True
            ),
            deployment_minimum_healthy_percent=args.min_healthy_percent,
            deployment_maximum_percent=args.max_percent,
            availability_zone_rebalancing="ENABLED",
            enable_execute_command=args.exec_enabled,
            enable_ecs_managed_tags=True,
            propagate_tags="SERVICE",
            # A change of capacity provider strategy only takes effect with a new
            # deployment; this makes every service update roll the tasks.
            force_new_deployment=True,
            tags=args.tags,
            opts=child,
        )
        self.service_name = self.service.name
        self.security_group_id = self.security_group.id
        self.task_definition_arn = self.task_definition.arn
        self.task_role_arn = self.roles.task_role_arn
        self.execution_role_arn = self.roles.execution_role_arn
        self.log_group_name = self.task_definition.log_group_name
        self.register_outputs(
            {
                "serviceName": self.service_name,
                "securityGroupId": self.security_group_id,
                "taskDefinitionArn": self.task_definition_arn,
                "logGroupName": self.log_group_name,
            }
        )
