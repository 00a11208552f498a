"""Ec2Capacity: EC2 instances that join the cluster, behind an ECS capacity provider."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence

import pulumi
import pulumi_aws as aws

from ecs_platform.boundary import Boundary, PlainStr
from ecs_platform.iam import AwsContext, managed_policy_role
from ecs_platform.specs import Ec2Spec
from ecs_platform.specs.fields import TagKey, TagValue, capacity_provider_name_check
from ecs_platform.wiring import ECS_NAME, SUBNET_ID, VPC_ID, deferred_wiring

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


def ami_parameter(architecture: str) -> str:
    """AWS's public SSM parameter with the current ECS-optimized Amazon Linux 2023 AMI."""
    arch = "arm64/" if architecture == "ARM64" else ""
    return f"/aws/service/ecs/optimized-ami/amazon-linux-2023/{arch}recommended/image_id"


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
        spec: Ec2Spec,
        *,
        cluster_name: pulumi.Input[str],
        vpc_id: pulumi.Input[str],
        subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]],
        context: AwsContext | None = None,
        instance_tags: Mapping[str, str] | None = None,
        capacity_provider_name: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """``subnet_ids``: private subnets, one per zone, which the instances spread over.
        ``instance_tags`` go on the instances and their volumes (launch template tag specs).
        ``capacity_provider_name`` must be unique in the account and region and not start
        with ``aws``, ``ecs`` or ``fargate``; default ``cp-<name>``."""
        bd = Boundary("Ec2Capacity", name, opts)
        checked = bd.spec("spec", spec, Ec2Spec)
        bd.wiring("cluster_name", cluster_name, ECS_NAME)
        bd.wiring("vpc_id", vpc_id, VPC_ID)
        bd.wiring_list("subnet_ids", subnet_ids, SUBNET_ID)
        context = bd.context("context", context)
        instance_tags = bd.plain("instance_tags", instance_tags, dict[TagKey, TagValue] | None)
        capacity_provider_name = bd.plain("capacity_provider_name", capacity_provider_name, PlainStr | None)
        cp_name = capacity_provider_name or f"cp-{name}"
        cp_problem = capacity_provider_name_check(cp_name)
        if cp_problem:
            bd.add("capacity_provider_name", cp_problem)
        bd.autoname("name", name, "aws:iam/role:Role", f"{name}-instance", "IAM role name")
        bd.autoname("name", name, "aws:ec2/securityGroup:SecurityGroup", f"{name}-sg", "security group name")
        bd.done(self)
        assert checked is not None
        spec = checked
        cluster_name = deferred_wiring(cluster_name, ECS_NAME, "Ec2Capacity.cluster_name")
        subnet_ids = deferred_wiring(subnet_ids, SUBNET_ID, "Ec2Capacity.subnet_ids", many=True)
        super().__init__("ecs-platform:cluster:Ec2Capacity", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        ctx = context or AwsContext.lookup(pulumi.InvokeOutputOptions(parent=self))

        ami = aws.ssm.get_parameter_output(
            name=ami_parameter(spec.architecture), opts=pulumi.InvokeOutputOptions(parent=self)
        )
        self.role, self.policy_attachments = managed_policy_role(
            f"{name}-instance",
            ctx=ctx,
            trust=ctx.trust("ec2-instance"),
            description="ECS container instances: agent and Session Manager only",
            managed_policies=(("ecs", ECS_INSTANCE_POLICY), ("ssm", SSM_CORE_POLICY)),
            parent=self,
        )
        self.instance_profile = aws.iam.InstanceProfile(f"{name}-profile", role=self.role.name, opts=child)
        self.security_group = aws.ec2.SecurityGroup(
            f"{name}-sg",
            vpc_id=vpc_id,
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
            aws.ec2.LaunchTemplateTagSpecificationArgs(resource_type=kind, tags=dict(instance_tags))
            for kind in ("instance", "volume")
        ] if instance_tags else None  # fmt: skip
        self.launch_template = aws.ec2.LaunchTemplate(
            f"{name}-lt",
            image_id=ami.value,
            instance_type=spec.instance_types[0],
            iam_instance_profile=aws.ec2.LaunchTemplateIamInstanceProfileArgs(arn=self.instance_profile.arn),
            metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
                http_endpoint="enabled", http_tokens="required", http_put_response_hop_limit=1
            ),
            block_device_mappings=[
                aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
                    device_name="/dev/xvda",
                    ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                        volume_size=spec.root_volume_gib,
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
        on_demand_above_base = 100 - spec.spot_percentage
        self.group = aws.autoscaling.Group(
            f"{name}-asg",
            vpc_zone_identifiers=subnet_ids,
            min_size=spec.min_size,
            max_size=spec.max_size,
            # Managed termination protection needs new instances protected; ECS
            # removes the protection from an instance once it has no tasks.
            protect_from_scale_in=True,
            capacity_rebalance=spec.spot_percentage > 0,
            health_check_type="EC2",
            default_instance_warmup=120,
            mixed_instances_policy=aws.autoscaling.GroupMixedInstancesPolicyArgs(
                launch_template=aws.autoscaling.GroupMixedInstancesPolicyLaunchTemplateArgs(
                    launch_template_specification=aws.autoscaling.GroupMixedInstancesPolicyLaunchTemplateLaunchTemplateSpecificationArgs(
                        launch_template_id=self.launch_template.id, version="$Latest"
                    ),
                    overrides=[
                        aws.autoscaling.GroupMixedInstancesPolicyLaunchTemplateOverrideArgs(instance_type=t)
                        for t in spec.instance_types
                    ],
                ),
                instances_distribution=aws.autoscaling.GroupMixedInstancesPolicyInstancesDistributionArgs(
                    on_demand_base_capacity=spec.on_demand_base,
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
            name=cp_name,
            auto_scaling_group_provider=aws.ecs.CapacityProviderAutoScalingGroupProviderArgs(
                auto_scaling_group_arn=self.group.arn,
                managed_termination_protection="ENABLED",
                managed_draining="ENABLED",
                managed_scaling=aws.ecs.CapacityProviderAutoScalingGroupProviderManagedScalingArgs(
                    status="ENABLED",
                    target_capacity=spec.target_capacity,
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
