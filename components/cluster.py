"""Cluster: the ECS cluster, its ECS Exec audit log, and its capacity providers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components import validation as v
from components.ec2_capacity import Ec2Capacity, Ec2CapacityArgs
from components.external import ExternalCapacity, ExternalCapacityArgs
from components.outputs import after, waiver_tags

#: After the on-demand base, this many Spot tasks run per on-demand task (80 % Spot).
#: ECS cannot place tasks on a provider of weight 0, so on-demand keeps weight 1.
SPOT_WEIGHT = 4


@dataclass(frozen=True)
class CapacityStrategyItem:
    """One entry of a capacity provider strategy (ECS's own field names)."""

    capacity_provider: pulumi.Input[str]
    weight: int
    base: int = 0

    def as_service_args(self) -> aws.ecs.ServiceCapacityProviderStrategyArgs:
        return aws.ecs.ServiceCapacityProviderStrategyArgs(
            capacity_provider=self.capacity_provider, weight=self.weight, base=self.base
        )


def fargate_strategy(launch_type: str, on_demand_base: int = 1) -> list[CapacityStrategyItem]:
    """The capacity provider strategy for a Fargate launch type.

    ``FARGATE``: every task on-demand. ``FARGATE_SPOT``: the first
    ``on_demand_base`` tasks of each service on-demand, so a Spot shortage never
    takes a service to zero, the rest mostly on Spot. ``on_demand_base=0`` is
    all-Spot (a Spot interruption can stop every task).
    """
    if launch_type == "FARGATE":
        return [CapacityStrategyItem("FARGATE", weight=1)]
    if launch_type == "FARGATE_SPOT":
        if on_demand_base == 0:
            return [CapacityStrategyItem("FARGATE_SPOT", weight=1)]
        return [
            CapacityStrategyItem("FARGATE", weight=1, base=on_demand_base),
            CapacityStrategyItem("FARGATE_SPOT", weight=SPOT_WEIGHT),
        ]
    raise ValueError(f"{launch_type!r} is not a Fargate launch type")


def capacity_strategy(
    launch_type: str, on_demand_base: int = 1, ec2_provider: pulumi.Input[str] | None = None
) -> list[CapacityStrategyItem]:
    """The strategy of a service on ``launch_type``; EXTERNAL has none (it uses the
    EXTERNAL launch type instead of a capacity provider)."""
    if launch_type == "EC2":
        if ec2_provider is None:
            raise ValueError("EC2 needs the cluster's EC2 capacity provider")
        return [CapacityStrategyItem(ec2_provider, weight=1)]
    if launch_type == "EXTERNAL":
        return []
    return fargate_strategy(launch_type, on_demand_base)


@dataclass
class ClusterArgs:
    """Arguments of :class:`Cluster`."""

    default_launch_type: str = "FARGATE"
    """Where services without a strategy of their own run: ``FARGATE`` (default),
    ``FARGATE_SPOT`` or ``EC2`` (``EXTERNAL`` services always say so themselves)."""
    fargate_on_demand_base: int = 1
    """With ``FARGATE_SPOT``: tasks per service kept on on-demand Fargate. Default 1."""
    ec2: Ec2CapacityArgs | None = None
    """EC2 capacity to create and attach. Default: none."""
    external: ExternalCapacityArgs | None = None
    """External capacity (ECS Anywhere) to create. Default: none."""
    container_insights: str = "enabled"
    """CloudWatch Container Insights: ``enabled`` (default), ``enhanced`` or ``disabled``."""
    log_retention_days: int = 30
    """Retention of the ECS Exec audit log group. Default 30 days."""
    log_group_name: pulumi.Input[str] | None = None
    """Name of the ECS Exec audit log group. Default: auto-named by Pulumi."""
    retain_logs_on_delete: bool = False
    """Keep the audit log group when the stack is destroyed. Default ``False``."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Extra tags for the cluster. Default none (the stack's come from the provider)."""

    def problems(self) -> list[str]:
        out = v.check_choice("ClusterArgs.container_insights", self.container_insights, v.CONTAINER_INSIGHTS)
        out += v.check_log_retention("ClusterArgs.log_retention_days", self.log_retention_days)
        out += v.check_choice(
            "ClusterArgs.default_launch_type",
            self.default_launch_type,
            ("FARGATE", "FARGATE_SPOT", "EC2", "EXTERNAL"),
        )
        out += v.check_int("ClusterArgs.fargate_on_demand_base", self.fargate_on_demand_base, 0, 100000)
        if self.default_launch_type == "EC2" and self.ec2 is None:
            out.append("ClusterArgs.ec2: None is missing (allowed: Ec2CapacityArgs, required with "
                       'default_launch_type="EC2")')  # fmt: skip
        if self.default_launch_type == "EXTERNAL" and self.external is None:
            out.append("ClusterArgs.external: None is missing (allowed: ExternalCapacityArgs, required "
                       'with default_launch_type="EXTERNAL")')  # fmt: skip
        if self.ec2 is not None:
            out += self.ec2.problems()
        if self.external is not None:
            out += self.external.problems()
        return out


class Cluster(pulumi.ComponentResource):
    """An ECS cluster with Container Insights and audited ECS Exec sessions.

    ECS Exec sessions are logged to their own CloudWatch log group (with
    retention). FARGATE and FARGATE_SPOT are always attached; EC2 capacity
    (:class:`Ec2Capacity`) and external capacity (:class:`ExternalCapacity`)
    are created when asked for. Outputs: ``arn``, ``name``,
    ``exec_log_group_name``, ``exec_log_group_arn``,
    ``ec2_capacity_provider_name`` (or ``None``), ``external`` (or ``None``).
    """

    cluster: aws.ecs.Cluster
    exec_log_group: aws.cloudwatch.LogGroup
    capacity_providers: aws.ecs.ClusterCapacityProviders
    arn: pulumi.Output[str]
    name: pulumi.Output[str]

    def __init__(self, name: str, args: ClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        v.raise_if(args.problems(), "ClusterArgs")
        super().__init__("ecs-platform:cluster:Cluster", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.exec_log_group = aws.cloudwatch.LogGroup(
            f"{name}-exec-logs",
            name=args.log_group_name,
            retention_in_days=args.log_retention_days,
            opts=pulumi.ResourceOptions(parent=self, retain_on_delete=args.retain_logs_on_delete),
        )
        insights_waiver = (
            {"ECS.12": "containerInsights: disabled in config"}
            if args.container_insights == "disabled"
            else {}
        )
        self.cluster = aws.ecs.Cluster(
            name,
            settings=[aws.ecs.ClusterSettingArgs(name="containerInsights", value=args.container_insights)],
            configuration=aws.ecs.ClusterConfigurationArgs(
                execute_command_configuration=aws.ecs.ClusterConfigurationExecuteCommandConfigurationArgs(
                    logging="OVERRIDE",
                    log_configuration=aws.ecs.ClusterConfigurationExecuteCommandConfigurationLogConfigurationArgs(
                        cloud_watch_log_group_name=self.exec_log_group.name,
                    ),
                )
            ),
            # Turning Container Insights off is recorded as a waiver of ECS.12.
            tags={**args.tags, **waiver_tags(insights_waiver)} or None,
            opts=child,
        )
        self.ec2: Ec2Capacity | None = None
        self.ec2_capacity_provider_name: pulumi.Output[str] | None = None
        providers: list[pulumi.Input[str]] = ["FARGATE", "FARGATE_SPOT"]
        if args.ec2 is not None:
            self.ec2 = Ec2Capacity(f"{name}-ec2", self.cluster.name, args.ec2, opts=child)
            self.ec2_capacity_provider_name = self.ec2.capacity_provider_name
            providers.append(self.ec2_capacity_provider_name)
        self.external: ExternalCapacity | None = None
        if args.external is not None:
            self.external = ExternalCapacity(f"{name}-external", self.cluster.name, args.external, opts=child)
        default = args.default_launch_type if args.default_launch_type != "EXTERNAL" else "FARGATE"
        strategy = capacity_strategy(default, args.fargate_on_demand_base, self.ec2_capacity_provider_name)
        self.capacity_providers = aws.ecs.ClusterCapacityProviders(
            f"{name}-capacity",
            cluster_name=self.cluster.name,
            capacity_providers=providers,
            default_capacity_provider_strategies=[
                aws.ecs.ClusterCapacityProvidersDefaultCapacityProviderStrategyArgs(
                    capacity_provider=item.capacity_provider, weight=item.weight, base=item.base
                )
                for item in strategy
            ],
            opts=child,
        )
        # Services must not be created before the capacity providers they name
        # are attached: hand out the cluster's ARN and name *through* the
        # attachment so every user of them carries that dependency as data.
        self.arn = after(self.cluster.arn, self.capacity_providers)
        self.name = self.capacity_providers.cluster_name
        self.exec_log_group_name = self.exec_log_group.name
        self.exec_log_group_arn = self.exec_log_group.arn
        self.register_outputs(
            {"arn": self.arn, "name": self.name, "execLogGroupName": self.exec_log_group_name}
        )
