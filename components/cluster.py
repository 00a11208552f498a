"""Cluster: the ECS cluster, its ECS Exec audit log, and its capacity providers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components import validation as v
from components.outputs import after

#: After the on-demand base, this many Spot tasks run per on-demand task (80 % Spot).
#: ECS cannot place tasks on a provider of weight 0, so on-demand keeps weight 1.
SPOT_WEIGHT = 4


@dataclass(frozen=True)
class CapacityStrategyItem:
    """One entry of a capacity provider strategy (ECS's own field names)."""

    capacity_provider: str
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


@dataclass
class ClusterArgs:
    """Arguments of :class:`Cluster`."""

    default_strategy: Sequence[CapacityStrategyItem] = field(
        default_factory=lambda: fargate_strategy("FARGATE")
    )
    """The cluster's default capacity provider strategy. Default: all ``FARGATE``."""
    capacity_providers: Sequence[pulumi.Input[str]] = ("FARGATE", "FARGATE_SPOT")
    """Capacity providers attached to the cluster. Default: ``FARGATE`` and
    ``FARGATE_SPOT`` (always both, so services can choose either)."""
    container_insights: str = "enabled"
    """CloudWatch Container Insights: ``enabled`` (default), ``enhanced`` or ``disabled``."""
    log_retention_days: int = 30
    """Retention of the ECS Exec audit log group. Default 30 days."""
    log_group_name: pulumi.Input[str] | None = None
    """Name of the ECS Exec audit log group. Default: auto-named by Pulumi."""
    retain_logs_on_delete: bool = False
    """Keep the audit log group when the stack is destroyed. Default ``False``."""
    tags: pulumi.Input[dict[str, pulumi.Input[str]]] | None = None
    """Extra tags for the cluster. Default none."""

    def problems(self) -> list[str]:
        out = v.check_choice("ClusterArgs.container_insights", self.container_insights, v.CONTAINER_INSIGHTS)
        out += v.check_log_retention("ClusterArgs.log_retention_days", self.log_retention_days)
        if not self.default_strategy:
            out.append("ClusterArgs.default_strategy: [] is empty (allowed: one or more items)")
        elif not any(item.weight > 0 for item in self.default_strategy):
            out.append(
                "ClusterArgs.default_strategy: every weight is 0 "
                "(allowed: at least one capacity provider with weight > 0)"
            )
        if sum(1 for item in self.default_strategy if item.base) > 1:
            out.append(
                "ClusterArgs.default_strategy: more than one item has a base "
                "(allowed: a base on one capacity provider only)"
            )
        return out


class Cluster(pulumi.ComponentResource):
    """An ECS cluster with Container Insights and audited ECS Exec sessions.

    ECS Exec sessions are logged to their own CloudWatch log group (with
    retention), and the cluster's capacity providers and default strategy are
    attached. Outputs: ``arn``, ``name``, ``exec_log_group_name``,
    ``exec_log_group_arn``.
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
            tags=args.tags,
            opts=child,
        )
        self.capacity_providers = aws.ecs.ClusterCapacityProviders(
            f"{name}-capacity",
            cluster_name=self.cluster.name,
            capacity_providers=list(args.capacity_providers),
            default_capacity_provider_strategies=[
                aws.ecs.ClusterCapacityProvidersDefaultCapacityProviderStrategyArgs(
                    capacity_provider=item.capacity_provider, weight=item.weight, base=item.base
                )
                for item in args.default_strategy
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
