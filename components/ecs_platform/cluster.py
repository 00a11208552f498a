"""Cluster: the ECS cluster, its ECS Exec audit log, and its capacity providers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pulumi
import pulumi_aws as aws

from ecs_platform.boundary import Boundary, PlainStr
from ecs_platform.ec2_capacity import Ec2Capacity
from ecs_platform.external import ExternalCapacity
from ecs_platform.iam import AwsContext, logs_key_policy
from ecs_platform.managed_instances import ManagedInstancesCapacity
from ecs_platform.outputs import after, waiver_tags
from ecs_platform.specs import ClusterSpec
from ecs_platform.specs.fields import CREATE_KEY, TagKey, TagValue
from ecs_platform.specs.options import Strategy
from ecs_platform.wiring import (
    CAPACITY_PROVIDER_ARN,
    CAPACITY_PROVIDER_NAME,
    CLUSTER_ARN,
    KMS_KEY_ARN,
    LOG_GROUP_ARN,
    SUBNET_ID,
    VPC_ID,
    context_values,
    deferred_wiring,
    in_stack,
)

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


def configured_strategy(
    items: Strategy, ec2_provider: pulumi.Input[str] | None = None
) -> list[CapacityStrategyItem]:
    """A strategy from config: ``EC2`` is the cluster's EC2 capacity provider."""
    out = []
    for item in items:
        if item.provider == "EC2" and ec2_provider is None:
            raise ValueError("EC2 needs the cluster's EC2 capacity provider")
        provider = ec2_provider if item.provider == "EC2" else item.provider
        assert provider is not None
        out.append(CapacityStrategyItem(provider, weight=item.weight, base=item.base))
    return out


def task_strategy(
    cluster: ClusterSpec,
    launch_type: str | None,
    strategy: Strategy | None,
    ec2_provider: pulumi.Input[str] | None,
    *,
    on_demand_base: int | None = None,
    managed_instances_provider: pulumi.Input[str] | None = None,
) -> list[CapacityStrategyItem]:
    """The strategy a service or job is placed with: the configured one (its own, else the cluster's
    when it names no launch type), else the one its launch type implies, with ``on_demand_base``
    tasks on on-demand Fargate (default: the cluster's ``fargateOnDemandBase``)."""
    items = cluster.strategy_for(launch_type, strategy)
    if items:
        return configured_strategy(items, ec2_provider)
    base = cluster.fargate_on_demand_base if on_demand_base is None else on_demand_base
    return capacity_strategy(cluster.launch_type_for(launch_type, strategy), base, ec2_provider,
                             managed_instances_provider)


def capacity_strategy(
    launch_type: str,
    on_demand_base: int = 1,
    ec2_provider: pulumi.Input[str] | None = None,
    managed_instances_provider: pulumi.Input[str] | None = None,
) -> list[CapacityStrategyItem]:
    """The strategy of a service on ``launch_type``; EXTERNAL has none (it uses the
    EXTERNAL launch type instead of a capacity provider)."""
    if launch_type == "MANAGED_INSTANCES":
        if managed_instances_provider is None:
            raise ValueError("MANAGED_INSTANCES needs the cluster's Managed Instances capacity provider")
        return [CapacityStrategyItem(managed_instances_provider, weight=1)]
    if launch_type == "EC2":
        if ec2_provider is None:
            raise ValueError("EC2 needs the cluster's EC2 capacity provider")
        return [CapacityStrategyItem(ec2_provider, weight=1)]
    if launch_type == "EXTERNAL":
        return []
    return fargate_strategy(launch_type, on_demand_base)


@dataclass(frozen=True)
class ClusterRef:
    """A cluster services can run on: a :class:`Cluster` (its ``ref``), or one created
    elsewhere, described by its ARN and the :class:`ClusterSpec` its services follow."""

    arn: pulumi.Input[str]
    """The cluster's ARN. Required."""
    spec: ClusterSpec = field(default_factory=ClusterSpec)
    """Its defaults for services (launch type, desired count, log retention, ...) and the
    capacity it offers. Default: the spec's defaults (Fargate)."""
    exec_log_group_arn: pulumi.Input[str] | None = None
    """Its ECS Exec audit log group, which tasks with exec write to. Default none."""
    ec2_capacity_provider_name: pulumi.Input[str] | None = None
    """Its EC2 capacity provider, required for services on ``EC2``. Default none."""
    name_prefix: str | None = None
    """Prefix of the names services derive (``/ecs/<prefix>/<service>-<unique suffix>`` log groups,
    ``<prefix>-<service>`` task families). Default: Pulumi auto-names them."""
    kms_key_arn: pulumi.Input[str] | None = None
    """The customer-managed KMS key its services encrypt their log groups with (and which ECS
    Exec sessions use). Default none: AWS-owned keys."""
    managed_instances_capacity_provider_name: pulumi.Input[str] | None = None
    """Its Managed Instances capacity provider, required for services on ``MANAGED_INSTANCES``.
    Default none."""
    managed_instances_capacity_provider_arn: pulumi.Input[str] | None = None
    """The same provider's ARN, required for daemons on ``MANAGED_INSTANCES``. Default none."""


CLUSTER_ACCEPTED = ("a Cluster, or a ClusterRef(arn=..., spec=ClusterSpec(...)) for a cluster created elsewhere")


def checked_ref(bd: Boundary, cluster: Any, ctx: Any, *, accept_cluster: bool = True) -> ClusterRef | None:
    """The cluster a component runs on, checked at its boundary (``cluster``): a :class:`Cluster`
    (checked when it was built), or a :class:`ClusterRef` whose ARN, spec, log group, capacity
    provider, prefix and key are checked here; ``None`` when it is neither."""
    if accept_cluster and isinstance(cluster, Cluster):
        return cluster.ref
    accepted = CLUSTER_ACCEPTED if accept_cluster else "a ClusterRef (a Cluster's .ref)"
    ref: ClusterRef | None = bd.instance("cluster", cluster, (ClusterRef,), accepted)
    if ref is None:
        return None
    bd.wiring("cluster.arn", ref.arn, CLUSTER_ARN, ctx)
    spec = bd.spec("cluster.spec", ref.spec, ClusterSpec)
    bd.wiring("cluster.exec_log_group_arn", ref.exec_log_group_arn, LOG_GROUP_ARN, ctx, optional=True)
    bd.wiring("cluster.ec2_capacity_provider_name", ref.ec2_capacity_provider_name, CAPACITY_PROVIDER_NAME,
              optional=True)  # fmt: skip
    bd.wiring("cluster.managed_instances_capacity_provider_name", ref.managed_instances_capacity_provider_name,
              CAPACITY_PROVIDER_NAME, optional=True)  # fmt: skip
    bd.wiring("cluster.managed_instances_capacity_provider_arn", ref.managed_instances_capacity_provider_arn,
              CAPACITY_PROVIDER_ARN, ctx, optional=True)  # fmt: skip
    bd.plain("cluster.name_prefix", ref.name_prefix, PlainStr | None)
    bd.wiring("cluster.kms_key_arn", ref.kms_key_arn, KMS_KEY_ARN, ctx, optional=True)
    return replace(ref, spec=spec) if spec is not None else None


def ref_in_stack(ref: ClusterRef, ctx: Any, component: str) -> ClusterRef:
    """``ref`` with each wiring value checked once known (grammar, and the stack's partition,
    region and account), before the resources that use it."""
    at = f"{component}.cluster."
    return replace(
        ref,
        arn=in_stack(deferred_wiring(ref.arn, CLUSTER_ARN, at + "arn"), CLUSTER_ARN, at + "arn", ctx),
        exec_log_group_arn=in_stack(deferred_wiring(ref.exec_log_group_arn, LOG_GROUP_ARN, at + "exec_log_group_arn"),
                                    LOG_GROUP_ARN, at + "exec_log_group_arn", ctx),
        kms_key_arn=in_stack(deferred_wiring(ref.kms_key_arn, KMS_KEY_ARN, at + "kms_key_arn"), KMS_KEY_ARN,
                             at + "kms_key_arn", ctx),
    )  # fmt: skip


def cluster_problems(bd: Boundary, name: str, spec: ClusterSpec, name_prefix: str | None, context: Any) -> None:
    """The names a :class:`Cluster` derives, and its key in the stack's region."""
    bd.autoname("name", name, "aws:ecs/cluster:Cluster", name, "ECS cluster name")
    group = f"/ecs/{name_prefix}/exec-{'0' * 26}" if name_prefix else None
    if group is not None:
        bd.derived_name("name_prefix", name_prefix, "aws:cloudwatch/logGroup:LogGroup", "name", group,
                        "ECS Exec log group name")  # fmt: skip
    else:
        bd.autoname("name", name, "aws:cloudwatch/logGroup:LogGroup", f"{name}-exec-logs", "ECS Exec log group name")
    if spec.ec2_capacity is not None:
        provider = f"cp-{name_prefix}" if name_prefix else f"cp-{name}-ec2"
        bd.derived_name("name_prefix" if name_prefix else "name", name_prefix or name,
                        "aws:ecs/capacityProvider:CapacityProvider", "name", provider, "capacity provider name")
        bd.autoname("name", name, "aws:iam/role:Role", f"{name}-ec2-instance", "IAM role name")
    if spec.managed_instances_capacity is not None:
        provider = f"mi-{name_prefix}" if name_prefix else f"cp-{name}-managed"
        bd.derived_name("name_prefix" if name_prefix else "name", name_prefix or name,
                        "aws:ecs/capacityProvider:CapacityProvider", "name", provider, "capacity provider name")
        bd.autoname("name", name, "aws:iam/role:Role", f"{name}-managed-infrastructure", "IAM role name")
    if spec.external_capacity is not None:
        bd.autoname("name", name, "aws:iam/role:Role", f"{name}-external-role", "IAM role name")
    key = spec.kms_key
    where = context_values(context)
    if isinstance(key, str) and key != CREATE_KEY and where is not None:
        problem = KMS_KEY_ARN.context_problem(key, *where)
        if problem:
            bd.problems.append(f"ClusterSpec.kms_key: {problem}")


class Cluster(pulumi.ComponentResource):
    """An ECS cluster with Container Insights and audited ECS Exec sessions, built from a
    :class:`~ecs_platform.specs.ClusterSpec`.

    ECS Exec sessions are logged to their own CloudWatch log group (with
    retention). FARGATE and FARGATE_SPOT are always attached; EC2 capacity
    (:class:`Ec2Capacity`), external capacity (:class:`ExternalCapacity`) and Managed
    Instances (:class:`ManagedInstancesCapacity`) are created when asked for. Outputs: ``arn``,
    ``name``, ``exec_log_group_name``, ``exec_log_group_arn``,
    ``ec2_capacity_provider_name`` (or ``None``), ``managed_instances_capacity_provider_name`` (or
    ``None``), ``external`` (or ``None``), and ``ref`` (a :class:`ClusterRef` to hand to services).
    """

    cluster: aws.ecs.Cluster
    exec_log_group: aws.cloudwatch.LogGroup
    capacity_providers: aws.ecs.ClusterCapacityProviders
    arn: pulumi.Output[str]
    name: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        spec: ClusterSpec,
        *,
        vpc_id: pulumi.Input[str] | None = None,
        subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None,
        name_prefix: str | None = None,
        context: AwsContext | None = None,
        instance_tags: dict[str, str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """``vpc_id`` and ``subnet_ids`` (private, one per zone) are where EC2 capacity and
        Managed Instances run: required when ``spec`` has either. ``name_prefix`` names the ECS
        Exec log group ``/ecs/<prefix>/exec``, the EC2 capacity provider ``cp-<prefix>`` and the
        Managed Instances one ``mi-<prefix>``; without it Pulumi auto-names them."""
        bd = Boundary("Cluster", name, opts)
        checked = bd.spec("spec", spec, ClusterSpec)
        context = bd.context("context", context)
        name_prefix = bd.plain("name_prefix", name_prefix, PlainStr | None)
        instance_tags = bd.plain("instance_tags", instance_tags, dict[TagKey, TagValue] | None)
        if checked is not None and (checked.ec2_capacity is not None or checked.managed_instances_capacity is not None
                                    or vpc_id is not None):
            bd.wiring("vpc_id", vpc_id, VPC_ID)
            bd.wiring_list("subnet_ids", subnet_ids, SUBNET_ID)
        if checked is not None:
            cluster_problems(bd, name, checked, name_prefix, context)
        bd.claim("ecs-platform:cluster:Cluster", name, "name", "is the name")
        bd.done(self)
        assert checked is not None
        spec = checked
        ec2_spec = spec.ec2_capacity
        mi_spec = spec.managed_instances_capacity
        if ec2_spec is not None or mi_spec is not None:
            subnet_ids = deferred_wiring(subnet_ids, SUBNET_ID, "Cluster.subnet_ids", many=True)
        super().__init__("ecs-platform:cluster:Cluster", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.spec = spec
        self.name_prefix = name_prefix
        ctx = context
        if ec2_spec is not None or mi_spec is not None or spec.external_capacity is not None or (
                spec.kms_key == CREATE_KEY):
            ctx = context or AwsContext.lookup(pulumi.InvokeOutputOptions(parent=self))
        self.kms_key: aws.kms.Key | None = None
        self.kms_key_arn: pulumi.Input[str] | None = None
        if spec.kms_key == CREATE_KEY:
            assert ctx is not None
            self.kms_key = aws.kms.Key(
                f"{name}-key",
                description="ecs-platform: CloudWatch Logs (service, ECS Exec and WAF logs) and ECS Exec sessions",
                enable_key_rotation=True,
                deletion_window_in_days=30,
                policy=logs_key_policy(ctx),
                # Logs encrypted with it stay readable only while it exists: kept with them.
                opts=pulumi.ResourceOptions(parent=self, retain_on_delete=spec.retain_logs_on_delete),
            )
            self.kms_key_arn = self.kms_key.arn
        elif spec.kms_key is not None:
            self.kms_key_arn = spec.kms_key
            # A key of another region cannot encrypt this region's log groups: checked once known.
            ctx = ctx or AwsContext.lookup(pulumi.InvokeOutputOptions(parent=self))
            self.kms_key_arn = in_stack(spec.kms_key, KMS_KEY_ARN, "ClusterSpec.kms_key", ctx)
        # A unique suffix after the prefix: a stack re-created after `pulumi destroy` never
        # collides with the log groups retainLogsOnDelete kept (ResourceAlreadyExistsException).
        self.exec_log_group = aws.cloudwatch.LogGroup(
            f"{name}-exec-logs",
            name_prefix=f"/ecs/{name_prefix}/exec-" if name_prefix else None,
            retention_in_days=spec.log_retention_days,
            kms_key_id=self.kms_key_arn,
            opts=pulumi.ResourceOptions(parent=self, retain_on_delete=spec.retain_logs_on_delete),
        )
        insights_waiver = (
            {"ECS.12": "containerInsights: disabled in config"}
            if spec.container_insights == "disabled"
            else {}
        )
        self.cluster = aws.ecs.Cluster(
            name,
            settings=[aws.ecs.ClusterSettingArgs(name="containerInsights", value=spec.container_insights)],
            configuration=aws.ecs.ClusterConfigurationArgs(
                execute_command_configuration=aws.ecs.ClusterConfigurationExecuteCommandConfigurationArgs(
                    kms_key_id=self.kms_key_arn,
                    logging="OVERRIDE",
                    log_configuration=aws.ecs.ClusterConfigurationExecuteCommandConfigurationLogConfigurationArgs(
                        cloud_watch_log_group_name=self.exec_log_group.name,
                        # With a key, ECS Exec checks that the audit log group is encrypted.
                        cloud_watch_encryption_enabled=True if self.kms_key_arn is not None else None,
                    ),
                )
            ),
            # Turning Container Insights off is recorded as a waiver of ECS.12.
            tags=waiver_tags(insights_waiver) or None,
            opts=child,
        )
        self.ec2: Ec2Capacity | None = None
        self.ec2_capacity_provider_name: pulumi.Output[str] | None = None
        providers: list[pulumi.Input[str]] = ["FARGATE", "FARGATE_SPOT"]
        if ec2_spec is not None:
            assert ctx is not None and vpc_id is not None and subnet_ids is not None  # checked above
            self.ec2 = Ec2Capacity(
                f"{name}-ec2",
                ec2_spec,
                cluster_name=self.cluster.name,
                vpc_id=vpc_id,
                subnet_ids=subnet_ids,
                context=ctx,
                instance_tags=instance_tags,
                # Unique per stack in the account; "cp-" because AWS refuses names
                # that start with "ecs" (as the project's does).
                capacity_provider_name=f"cp-{name_prefix}" if name_prefix else None,
                opts=child,
            )
            self.ec2_capacity_provider_name = self.ec2.capacity_provider_name
            providers.append(self.ec2_capacity_provider_name)
        self.external: ExternalCapacity | None = None
        external_spec = spec.external_capacity
        if external_spec is not None:
            assert ctx is not None
            self.external = ExternalCapacity(
                f"{name}-external", external_spec, cluster_name=self.cluster.name, context=ctx, opts=child
            )
        self.managed_instances: ManagedInstancesCapacity | None = None
        self.managed_instances_capacity_provider_name: pulumi.Output[str] | None = None
        self.managed_instances_capacity_provider_arn: pulumi.Output[str] | None = None
        if mi_spec is not None:
            assert ctx is not None and vpc_id is not None and subnet_ids is not None  # checked above
            self.managed_instances = ManagedInstancesCapacity(
                f"{name}-managed",
                mi_spec,
                cluster_name=self.cluster.name,
                vpc_id=vpc_id,
                subnet_ids=subnet_ids,
                context=ctx,
                capacity_provider_name=f"mi-{name_prefix}" if name_prefix else None,
                name_prefix=name_prefix,
                opts=child,
            )
            self.managed_instances_capacity_provider_name = self.managed_instances.capacity_provider_name
            self.managed_instances_capacity_provider_arn = self.managed_instances.capacity_provider_arn
            providers.append(self.managed_instances_capacity_provider_name)
        default = spec.launch_type if spec.launch_type != "EXTERNAL" else "FARGATE"
        strategy = (
            configured_strategy(spec.capacity_provider_strategy, self.ec2_capacity_provider_name)
            if spec.capacity_provider_strategy
            else capacity_strategy(default, spec.fargate_on_demand_base, self.ec2_capacity_provider_name,
                                   self.managed_instances_capacity_provider_name)
        )  # fmt: skip
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
        self.ref = ClusterRef(
            arn=self.arn,
            spec=spec,
            exec_log_group_arn=self.exec_log_group_arn,
            ec2_capacity_provider_name=self.ec2_capacity_provider_name,
            name_prefix=name_prefix,
            kms_key_arn=self.kms_key_arn,
            managed_instances_capacity_provider_name=self.managed_instances_capacity_provider_name,
            managed_instances_capacity_provider_arn=self.managed_instances_capacity_provider_arn,
        )
        self.register_outputs(
            {"arn": self.arn, "name": self.name, "execLogGroupName": self.exec_log_group_name}
        )
