"""ManagedInstancesCapacity: an ECS Managed Instances capacity provider, its two roles and the
instances' security group.

ECS launches the instances itself (with its infrastructure role) from the requirements, into
the given private subnets, and replaces them for patching; there is no Auto Scaling group.
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ManagedInstances.html
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from ecs_platform import facts as f
from ecs_platform.boundary import Boundary, PlainStr
from ecs_platform.iam import AwsContext, managed_policy_role
from ecs_platform.outputs import after
from ecs_platform.specs.fields import capacity_provider_name_check
from ecs_platform.specs.managed_instances import ManagedInstancesSpec
from ecs_platform.wiring import ECS_NAME, SUBNET_ID, VPC_ID, deferred_wiring


def instance_role_prefix(name_prefix: str | None) -> str:
    """The instance role's name prefix: ``ecsInstanceRole-<stack prefix>-``, cut to what IAM leaves
    for the provider's unique suffix. The infrastructure role's managed policy may pass only roles
    whose name starts with ``ecsInstanceRole`` (facts.MANAGED_INSTANCES_ROLE_PREFIX)."""
    prefix = f"{f.MANAGED_INSTANCES_ROLE_PREFIX}-{name_prefix}-" if name_prefix else f"{f.MANAGED_INSTANCES_ROLE_PREFIX}-"
    return prefix[: f.MAX_ROLE_NAME_PREFIX]


class ManagedInstancesCapacity(pulumi.ComponentResource):
    """ECS Managed Instances for one cluster:

    * the infrastructure role ECS launches, drains and terminates the instances with (trusted by
      ``ecs.amazonaws.com``; AWS's ``AmazonECSInfrastructureRolePolicyForManagedInstances``);
    * the instance role and its instance profile (``AmazonECSInstanceRolePolicyForManagedInstances``:
      the ECS agent only), named ``ecsInstanceRole-...`` because that policy passes only such roles;
    * a security group for the instances with no inbound rule (tasks in ``awsvpc`` mode get their
      service's own group);
    * the capacity provider: the instance requirements, the private subnets, the volume for tasks,
      monitoring, and the provider's tags propagated to the instances.

    Outputs: ``capacity_provider_name``, ``capacity_provider_arn``, ``security_group_id``.
    """

    def __init__(
        self,
        name: str,
        spec: ManagedInstancesSpec,
        *,
        cluster_name: pulumi.Input[str],
        vpc_id: pulumi.Input[str],
        subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]],
        context: AwsContext | None = None,
        capacity_provider_name: str | None = None,
        name_prefix: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """``subnet_ids``: private subnets (the instances get no public address there), one per
        zone. ``capacity_provider_name``: unique in the account and region, not starting with
        ``aws``, ``ecs`` or ``fargate``; default ``cp-<name>``. ``name_prefix`` goes into the
        instance role's name (``ecsInstanceRole-<prefix>-<unique suffix>``)."""
        bd = Boundary("ManagedInstancesCapacity", name, opts)
        checked = bd.spec("spec", spec, ManagedInstancesSpec)
        bd.wiring("cluster_name", cluster_name, ECS_NAME)
        bd.wiring("vpc_id", vpc_id, VPC_ID)
        bd.wiring_list("subnet_ids", subnet_ids, SUBNET_ID)
        context = bd.context("context", context)
        capacity_provider_name = bd.plain("capacity_provider_name", capacity_provider_name, PlainStr | None)
        name_prefix = bd.plain("name_prefix", name_prefix, PlainStr | None)
        cp_name = capacity_provider_name or f"cp-{name}"
        cp_problem = capacity_provider_name_check(cp_name)
        if cp_problem:
            bd.add("capacity_provider_name", cp_problem)
        bd.autoname("name", name, "aws:iam/role:Role", f"{name}-infrastructure", "IAM role name")
        bd.autoname("name", name, "aws:ec2/securityGroup:SecurityGroup", f"{name}-sg", "security group name")
        bd.claim("ecs-platform:cluster:ManagedInstancesCapacity", name, "name", "is the name")
        bd.done(self)
        assert checked is not None
        spec = checked
        cluster_name = deferred_wiring(cluster_name, ECS_NAME, "ManagedInstancesCapacity.cluster_name")
        subnet_ids = deferred_wiring(subnet_ids, SUBNET_ID, "ManagedInstancesCapacity.subnet_ids", many=True)
        super().__init__("ecs-platform:cluster:ManagedInstancesCapacity", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        ctx = context or AwsContext.lookup(pulumi.InvokeOutputOptions(parent=self))

        self.infrastructure_role, infrastructure_attachments = managed_policy_role(
            f"{name}-infrastructure",
            ctx=ctx,
            trust=ctx.trust("managed-instances-infrastructure"),
            description="ECS Managed Instances: ECS launches, drains and terminates the instances",
            managed_policies=(("managed", f.MANAGED_INSTANCES_INFRASTRUCTURE_POLICY),),
            parent=self,
        )
        self.instance_role = aws.iam.Role(
            f"{name}-instance",
            name_prefix=instance_role_prefix(name_prefix),
            description="ECS Managed Instances: the ECS agent only",
            assume_role_policy=ctx.trust("managed-instances-instance"),
            opts=child,
        )
        self.instance_policy = aws.iam.RolePolicyAttachment(
            f"{name}-instance-managed",
            role=self.instance_role.name,
            policy_arn=pulumi.Output.concat("arn:", ctx.partition, ":iam::aws:", f.MANAGED_INSTANCES_INSTANCE_POLICY),
            opts=child,
        )
        self.instance_profile = aws.iam.InstanceProfile(f"{name}-profile", role=self.instance_role.name, opts=child)
        self.security_group = aws.ec2.SecurityGroup(
            f"{name}-sg",
            vpc_id=vpc_id,
            description=f"ECS Managed Instances {name}: no inbound",
            opts=child,
        )
        self.egress = aws.vpc.SecurityGroupEgressRule(
            f"{name}-egress",
            security_group_id=self.security_group.id,
            ip_protocol="-1",
            cidr_ipv4="0.0.0.0/0",
            description="Instances reach ECS, ECR and CloudWatch via NAT",
            opts=child,
        )
        Template = aws.ecs.CapacityProviderManagedInstancesProviderInstanceLaunchTemplateArgs
        Network = aws.ecs.CapacityProviderManagedInstancesProviderInstanceLaunchTemplateNetworkConfigurationArgs
        Storage = aws.ecs.CapacityProviderManagedInstancesProviderInstanceLaunchTemplateStorageConfigurationArgs
        self.capacity_provider = aws.ecs.CapacityProvider(
            f"{name}-cp",
            name=cp_name,
            cluster=cluster_name,
            managed_instances_provider=aws.ecs.CapacityProviderManagedInstancesProviderArgs(
                # ECS may use the roles only once their policies are attached.
                infrastructure_role_arn=after(self.infrastructure_role.arn, *infrastructure_attachments),
                propagate_tags="CAPACITY_PROVIDER",
                instance_launch_template=Template(
                    ec2_instance_profile_arn=after(self.instance_profile.arn, self.instance_policy),
                    network_configuration=Network(subnets=subnet_ids, security_groups=[self.security_group.id]),
                    storage_configuration=Storage(storage_size_gib=spec.storage_gib),
                    monitoring=spec.monitoring,
                    capacity_option_type=spec.capacity_option_type,
                    instance_requirements=spec.instance_requirements(),  # type: ignore[arg-type]
                ),
            ),
            opts=child,
        )
        self.capacity_provider_name = self.capacity_provider.name
        self.capacity_provider_arn = self.capacity_provider.arn
        self.security_group_id = self.security_group.id
        self.register_outputs(
            {"capacityProviderName": self.capacity_provider_name, "capacityProviderArn": self.capacity_provider_arn}
        )
