"""Ec2Capacity: EC2 instances that join the cluster, behind an ECS capacity provider."""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components import validation as v
from components.iam import AwsContext, managed_policy_role, trust_policy
from components.instance_types import INSTANCE_TYPE_RE, INSTANCE_TYPES, InstanceSpec, ami_parameter

ECS_INSTANCE_POLICY = "policy/service-role/AmazonEC2ContainerServiceforEC2Role"
SSM_CORE_POLICY = "policy/AmazonSSMManagedInstanceCore"


def user_data(cluster_name: str, stop_timeout: int = 30) -> str:
    """The ECS agent's settings: join the cluster, give tasks their own IAM role
    (and keep them off the instance's metadata and role), drain Spot instances."""
    lines = [
        "#!/bin/bash",
        "cat >> /etc/ecs/ecs.config <<'EOF'",
        f"ECS_CLUSTER={cluster_name}",
        "ECS_ENABLE_TASK_IAM_ROLE=true",
        "ECS_ENABLE_TASK_IAM_ROLE_NETWORK_HOST=true",
        "ECS_AWSVPC_BLOCK_IMDS=true",
        "ECS_ENABLE_SPOT_INSTANCE_DRAINING=true",
        f"ECS_CONTAINER_STOP_TIMEOUT={stop_timeout}s",
        "EOF",
    ]
    return "\n".join(lines) + "\n"


@dataclass
class Ec2CapacityArgs:
    """Arguments of :class:`Ec2Capacity`."""

    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    """Private subnets, one per zone: instances spread over all of them. Required."""
    vpc_id: pulumi.Input[str]
    """VPC of the instances' security group. Required."""
    instance_types: Sequence[str] = ("t3.medium",)
    """Instance types, first preferred; all of one architecture. Default ``t3.medium``."""
    min_size: int = 1
    """Fewest instances. Default 1."""
    max_size: int = 10
    """Most instances. Default 10."""
    spot_percentage: int = 0
    """Share of instances above ``on_demand_base`` run on Spot, %. Default 0."""
    on_demand_base: int = 0
    """Instances always on-demand before the Spot share applies. Default 0."""
    target_capacity: int = 100
    """Managed scaling's target utilisation of the instances, %. Default 100."""
    root_volume_gib: int = 30
    """Encrypted gp3 root volume size. Default 30 (the AMI's minimum)."""
    instance_type_specs: Mapping[str, InstanceSpec] = field(default_factory=dict)
    """Specs of instance types outside the built-in table. Default none."""
    context: AwsContext | None = None
    """Account/region/partition. Default: looked up."""
    instance_tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for the instances and their volumes (launch template tag specs). Default none."""
    capacity_provider_name: str | None = None
    """Name of the capacity provider, unique in the account and region; AWS refuses names
    starting with ``aws``, ``ecs`` or ``fargate``. Default: ``cp-<component name>``."""

    def spec(self, instance_type: str) -> InstanceSpec | None:
        return self.instance_type_specs.get(instance_type) or INSTANCE_TYPES.get(instance_type)

    @property
    def architecture(self) -> str:
        spec = self.spec(self.instance_types[0]) if self.instance_types else None
        return spec.architecture if spec else "X86_64"

    def problems(self) -> list[str]:
        p = "Ec2CapacityArgs"
        out: list[str] = []
        if not self.instance_types:
            out.append(f"{p}.instance_types: [] is empty (allowed: one or more instance types)")
        archs = set()
        for i, itype in enumerate(self.instance_types):
            if not (isinstance(itype, str) and INSTANCE_TYPE_RE.match(itype)):
                out.append(f"{p}.instance_types[{i}]: {v.show(itype)} is not an instance type name "
                           "(allowed: family.size, e.g. m7g.large)")  # fmt: skip
            elif (spec := self.spec(itype)) is None:
                out.append(f"{p}.instance_types[{i}]: {v.show(itype)} is not in the instance table "
                           "(allowed: a known type, or describe it in instance_type_specs)")  # fmt: skip
            else:
                archs.add(spec.architecture)
        if len(archs) > 1:
            out.append(f"{p}.instance_types: {v.show(list(self.instance_types))} mixes x86_64 and arm64 "
                       "(allowed: types of one architecture; the launch template has one AMI)")  # fmt: skip
        out += v.check_int(f"{p}.min_size", self.min_size, 0, 1000)
        out += v.check_int(f"{p}.max_size", self.max_size, 1, 1000)
        if (
            isinstance(self.min_size, int)
            and isinstance(self.max_size, int)
            and self.min_size > self.max_size
        ):
            out.append(f"{p}.min_size: {self.min_size} is above max_size {self.max_size} "
                       "(allowed: min_size <= max_size)")  # fmt: skip
        out += v.check_int(f"{p}.spot_percentage", self.spot_percentage, 0, 100)
        out += v.check_int(f"{p}.on_demand_base", self.on_demand_base, 0, 1000)
        out += v.check_int(f"{p}.target_capacity", self.target_capacity, 1, 100)
        out += v.check_int(f"{p}.root_volume_gib", self.root_volume_gib, 30, 16384)
        if self.capacity_provider_name is not None:
            out += check_capacity_provider_name(f"{p}.capacity_provider_name", self.capacity_provider_name)
        return out


def check_capacity_provider_name(path: str, name: str) -> list[str]:
    """CreateCapacityProvider: 1-255 letters, digits, hyphens, underscores; not aws*/ecs*/fargate*."""
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,255}", name) or name.lower().startswith(("aws", "ecs", "fargate")):
        return [
            f"{path}: {v.show(name)} is not a capacity provider name AWS accepts (allowed: up to 255 "
            "letters, digits, hyphens and underscores, not starting with aws, ecs or fargate)"
        ]
    return []


class Ec2Capacity(pulumi.ComponentResource):
    """An Auto Scaling group of ECS-optimized instances and its capacity provider.

    * the ECS-optimized Amazon Linux 2023 AMI, from AWS's public SSM parameter
      for the instances' architecture;
    * an instance role (ECS agent + SSM Session Manager; no SSH key) and profile;
    * IMDSv2 only, hop limit 1 (containers cannot reach the instance's role),
      an encrypted gp3 root volume, no public IP;
    * instances over the private subnets of every zone, optionally part Spot;
    * a capacity provider with managed scaling, managed termination protection
      (the group protects new instances from scale-in) and managed draining.

    Outputs: ``capacity_provider_name``, ``auto_scaling_group_name``, ``security_group_id``.
    """

    def __init__(
        self,
        name: str,
        cluster_name: pulumi.Input[str],
        args: Ec2CapacityArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        v.raise_if(args.problems(), "Ec2CapacityArgs")
        super().__init__("ecs-platform:cluster:Ec2Capacity", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        ctx = args.context or AwsContext.lookup(pulumi.InvokeOutputOptions(parent=self))

        ami = aws.ssm.get_parameter_output(
            name=ami_parameter(args.architecture), opts=pulumi.InvokeOutputOptions(parent=self)
        )
        self.role, self.policy_attachments = managed_policy_role(
            f"{name}-instance",
            ctx=ctx,
            trust=trust_policy(ctx, "ec2"),
            description="ECS container instances: agent and Session Manager only",
            managed_policies=(("ecs", ECS_INSTANCE_POLICY), ("ssm", SSM_CORE_POLICY)),
            parent=self,
        )
        self.instance_profile = aws.iam.InstanceProfile(f"{name}-profile", role=self.role.name, opts=child)
        self.security_group = aws.ec2.SecurityGroup(
            f"{name}-sg",
            vpc_id=args.vpc_id,
            description=f"ECS container instances {name}: no inbound",
            opts=child,
        )
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-egress",
            security_group_id=self.security_group.id,
            ip_protocol="-1",
            cidr_ipv4="0.0.0.0/0",
            description="Instances reach ECS, ECR, SSM and CloudWatch via NAT",
            opts=child,
        )
        tag_specs = [
            aws.ec2.LaunchTemplateTagSpecificationArgs(resource_type=kind, tags=dict(args.instance_tags))
            for kind in ("instance", "volume")
        ] if args.instance_tags else None  # fmt: skip
        self.launch_template = aws.ec2.LaunchTemplate(
            f"{name}-lt",
            image_id=ami.value,
            instance_type=args.instance_types[0],
            iam_instance_profile=aws.ec2.LaunchTemplateIamInstanceProfileArgs(arn=self.instance_profile.arn),
            metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
                http_endpoint="enabled", http_tokens="required", http_put_response_hop_limit=1
            ),
            block_device_mappings=[
                aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
                    device_name="/dev/xvda",
                    ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                        volume_size=args.root_volume_gib,
                        volume_type="gp3",
                        encrypted="true",
                        delete_on_termination="true",
                    ),
                )
            ],
            network_interfaces=[
                aws.ec2.LaunchTemplateNetworkInterfaceArgs(
                    associate_public_ip_address="false",
                    security_groups=[self.security_group.id],
                    delete_on_termination="true",
                )
            ],
            monitoring=aws.ec2.LaunchTemplateMonitoringArgs(enabled=True),
            user_data=pulumi.Output.from_input(cluster_name).apply(
                lambda cluster: base64.b64encode(user_data(cluster).encode()).decode()
            ),
            tag_specifications=tag_specs,
            update_default_version=True,
            opts=child,
        )
        on_demand_above_base = 100 - args.spot_percentage
        self.group = aws.autoscaling.Group(
            f"{name}-asg",
            vpc_zone_identifiers=args.subnet_ids,
            min_size=args.min_size,
            max_size=args.max_size,
            # Managed termination protection needs new instances protected; ECS
            # removes the protection from an instance once it has no tasks.
            protect_from_scale_in=True,
            capacity_rebalance=args.spot_percentage > 0,
            health_check_type="EC2",
            default_instance_warmup=120,
            mixed_instances_policy=aws.autoscaling.GroupMixedInstancesPolicyArgs(
                launch_template=aws.autoscaling.GroupMixedInstancesPolicyLaunchTemplateArgs(
                    launch_template_specification=aws.autoscaling.GroupMixedInstancesPolicyLaunchTemplateLaunchTemplateSpecificationArgs(
                        launch_template_id=self.launch_template.id, version="$Latest"
                    ),
                    overrides=[
                        aws.autoscaling.GroupMixedInstancesPolicyLaunchTemplateOverrideArgs(instance_type=t)
                        for t in args.instance_types
                    ],
                ),
                instances_distribution=aws.autoscaling.GroupMixedInstancesPolicyInstancesDistributionArgs(
                    on_demand_base_capacity=args.on_demand_base,
                    on_demand_percentage_above_base_capacity=on_demand_above_base,
                    on_demand_allocation_strategy="prioritized",
                    spot_allocation_strategy="price-capacity-optimized",
                ),
            ),
            tags=[
                aws.autoscaling.GroupTagArgs(key="AmazonECSManaged", value="true", propagate_at_launch=True)
            ],
            # Managed scaling owns the group's desired capacity.
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["desiredCapacity"]),
        )
        self.capacity_provider = aws.ecs.CapacityProvider(
            f"{name}-cp",
            name=args.capacity_provider_name or f"cp-{name}",
            auto_scaling_group_provider=aws.ecs.CapacityProviderAutoScalingGroupProviderArgs(
                auto_scaling_group_arn=self.group.arn,
                managed_termination_protection="ENABLED",
                managed_draining="ENABLED",
                managed_scaling=aws.ecs.CapacityProviderAutoScalingGroupProviderManagedScalingArgs(
                    status="ENABLED",
                    target_capacity=args.target_capacity,
                    minimum_scaling_step_size=1,
                    maximum_scaling_step_size=10,
                    instance_warmup_period=120,
                ),
            ),
            opts=child,
        )
        self.capacity_provider_name = self.capacity_provider.name
        self.auto_scaling_group_name = self.group.name
        self.security_group_id = self.security_group.id
        self.register_outputs(
            {
                "capacityProviderName": self.capacity_provider_name,
                "autoScalingGroupName": self.auto_scaling_group_name,
            }
        )
