"""Egress of a created VPC's private subnets without NAT gateways: a NAT instance, and VPC
endpoints (the free S3 gateway endpoint, and the interface endpoints a stack asks for)."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence

import pulumi
import pulumi_aws as aws

from ecs_platform import facts
from ecs_platform.boundary import Boundary
from ecs_platform.errors import allowed, show
from ecs_platform.iam import AwsContext, managed_policy_role
from ecs_platform.specs.fields import Cidr, TagKey, TagValue
from ecs_platform.wiring import SUBNET_ID, VPC_ID

SSM_CORE_POLICY = "policy/AmazonSSMManagedInstanceCore"
#: The NAT instance's health alarm: EC2's status checks (instance and system), published every
#: minute for every instance (basic monitoring), read per Auto Scaling group
#: (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/viewing_metrics_with_cloudwatch.html,
#: dimension AutoScalingGroupName). Two failed minutes, or no data (no instance), raise it.
STATUS_ALARM_MINUTES = 2


def nat_user_data(vpc_cidr: str) -> str:
    """The NAT setup AWS documents for an Amazon Linux 2023 NAT instance ("Create a NAT AMI",
    https://docs.aws.amazon.com/vpc/latest/userguide/VPC_NAT_Instance.html#create-nat-ami):
    iptables-services enabled, IP forwarding on (persisted in /etc/sysctl.d), masquerade on the
    primary interface (``ens5`` on Nitro instances; read from the default route rather than
    assumed), the FORWARD chain's default REJECT rule flushed, the rules saved so a reboot keeps
    them. The masquerade rule is narrowed to the VPC's CIDR, which is all the security group
    admits anyway."""
    lines = [
        "#!/bin/bash",
        "set -euo pipefail",
        # A setup that fails leaves an instance that passes its status checks and forwards
        # nothing: power it off instead, so that Auto Scaling replaces it (a stopped instance is
        # unhealthy: "Health checks for instances in an Auto Scaling group").
        "trap 'shutdown -h now' ERR",
        # The package repositories are reached through the instance's own Elastic IP, which may
        # attach a moment after boot.
        "for i in 1 2 3 4 5 6 7 8 9 10; do dnf install -y iptables-services && break; sleep 15; done",
        "rpm -q iptables-services",
        "systemctl enable --now iptables",
        "echo 'net.ipv4.ip_forward=1' > /etc/sysctl.d/custom-ip-forwarding.conf",
        "sysctl -p /etc/sysctl.d/custom-ip-forwarding.conf",
        "iface=$(ip -o route show default | awk '{print $5; exit}')",
        f'iptables -t nat -A POSTROUTING -o "$iface" -s {vpc_cidr} -j MASQUERADE',
        "iptables -F FORWARD",
        "service iptables save",
    ]
    return "\n".join(lines) + "\n"


class NatInstance(pulumi.ComponentResource):
    """One NAT instance for a whole VPC, the cheap alternative to NAT gateways.

    * a network interface of its own in the first zone's public subnet, with source/destination
      checking off (it forwards traffic that is not addressed to it) and an Elastic IP: the
      private route tables send ``0.0.0.0/0`` to this interface, so they never change when the
      instance does;
    * an Auto Scaling group of exactly one instance in that zone, whose launch template attaches
      the interface as the primary one (device index 0, kept on termination): EC2 Auto Scaling
      supports an existing interface only so, for one instance, with the group given the zone
      and not a subnet ("Create a launch template for an Auto Scaling group", change the
      default network interface:
      https://docs.aws.amazon.com/autoscaling/ec2/userguide/create-launch-template.html);
      a failed status check replaces the instance, which boots the current Amazon Linux 2023
      (``resolve:ssm:`` the public parameter) and sets itself up from user data;
    * a security group admitting only the VPC's CIDR (every protocol: it forwards whatever the
      tasks send) and sending anywhere;
    * Session Manager instead of SSH (no key pair, no port 22; AmazonSSMManagedInstanceCore), IMDSv2
      only, an encrypted gp3 root volume, CPU credits ``standard`` (the bill cannot exceed the
      hourly price; a throttled instance forwards slower);
    * a CloudWatch alarm on the group's status checks.

    Outputs: ``network_interface_id``, ``public_ip``, ``auto_scaling_group_name``, ``alarm_name``.
    """

    def __init__(
        self,
        name: str,
        *,
        vpc_id: pulumi.Input[str],
        vpc_cidr: str,
        public_subnet_id: pulumi.Input[str],
        zone: str,
        private_route_table_ids: Sequence[pulumi.Input[str]],
        instance_type: str = facts.NAT_INSTANCE_TYPES[0],
        context: AwsContext | None = None,
        instance_tags: Mapping[str, str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """``public_subnet_id`` is in ``zone`` (a zone name of the region); every table of
        ``private_route_table_ids`` gets the default route through the instance."""
        bd = Boundary("NatInstance", name, opts)
        context = bd.context("context", context)
        bd.wiring("vpc_id", vpc_id, VPC_ID)
        bd.plain("vpc_cidr", vpc_cidr, Cidr)
        bd.wiring("public_subnet_id", public_subnet_id, SUBNET_ID)
        if instance_type not in facts.NAT_INSTANCE_TYPES:
            bd.add("instance_type", f"{show(instance_type)} is not a NAT instance type the platform prices "
                   f"(allowed: {allowed(facts.NAT_INSTANCE_TYPES)})")  # fmt: skip
        instance_tags = bd.plain("instance_tags", instance_tags, dict[TagKey, TagValue] | None)
        bd.claim("ecs-platform:network:NatInstance", name, "name", "is the name")
        bd.done(self)
        super().__init__("ecs-platform:network:NatInstance", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        ctx = context or AwsContext.lookup(pulumi.InvokeOutputOptions(parent=self))

        self.security_group = aws.ec2.SecurityGroup(
            f"{name}-sg",
            vpc_id=vpc_id,
            description=f"NAT instance {name}: forwards the VPC's traffic to the internet",
            opts=child,
        )
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-from-vpc",
            security_group_id=self.security_group.id,
            ip_protocol="-1",
            cidr_ipv4=vpc_cidr,
            description="Traffic from the VPC's private subnets, to be forwarded",
            opts=child,
        )
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-egress",
            security_group_id=self.security_group.id,
            ip_protocol="-1",
            cidr_ipv4="0.0.0.0/0",
            description="Forwarded traffic to the internet, and SSM for Session Manager",
            opts=child,
        )
        self.network_interface = aws.ec2.NetworkInterface(
            f"{name}-eni",
            subnet_id=public_subnet_id,
            security_groups=[self.security_group.id],
            source_dest_check=False,
            description=f"NAT instance {name}: the private route tables' target",
            opts=child,
        )
        self.eip = aws.ec2.Eip(
            f"{name}-eip", domain="vpc", network_interface=self.network_interface.id, opts=child
        )
        self.role, self.policy_attachments = managed_policy_role(
            f"{name}-instance",
            ctx=ctx,
            trust=ctx.trust("ec2-instance"),
            description="NAT instance: Session Manager only",
            managed_policies=(("ssm", SSM_CORE_POLICY),),
            parent=self,
        )
        self.instance_profile = aws.iam.InstanceProfile(f"{name}-profile", role=self.role.name, opts=child)
        tag_specs = [
            aws.ec2.LaunchTemplateTagSpecificationArgs(resource_type=kind, tags={**instance_tags, "Name": name})
            for kind in ("instance", "volume")
        ] if instance_tags is not None else None  # fmt: skip
        self.launch_template = aws.ec2.LaunchTemplate(
            f"{name}-lt",
            description=f"NAT instance {name}",
            image_id=f"resolve:ssm:{facts.NAT_AMI_PARAMETER}",
            instance_type=instance_type,
            iam_instance_profile=aws.ec2.LaunchTemplateIamInstanceProfileArgs(arn=self.instance_profile.arn),
            metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
                http_endpoint="enabled", http_tokens="required", http_put_response_hop_limit=1
            ),
            # The AMI's own root volume (8 GiB), as gp3 and encrypted.
            block_device_mappings=[
                aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
                    device_name="/dev/xvda",
                    ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                        volume_type="gp3", encrypted="true", delete_on_termination="true"
                    ),
                )
            ],
            network_interfaces=[
                aws.ec2.LaunchTemplateNetworkInterfaceArgs(
                    device_index=0,
                    network_interface_id=self.network_interface.id,
                    delete_on_termination="false",
                )
            ],
            credit_specification=aws.ec2.LaunchTemplateCreditSpecificationArgs(cpu_credits="standard"),
            user_data=base64.b64encode(nat_user_data(vpc_cidr).encode()).decode(),
            tag_specifications=tag_specs,
            update_default_version=True,
            opts=child,
        )
        self.group = aws.autoscaling.Group(
            f"{name}-asg",
            availability_zones=[zone],
            min_size=1,
            max_size=1,
            desired_capacity=1,
            health_check_type="EC2",
            health_check_grace_period=120,
            # The interface serves one instance at a time: replace by terminating first.
            instance_maintenance_policy=aws.autoscaling.GroupInstanceMaintenancePolicyArgs(
                min_healthy_percentage=0, max_healthy_percentage=100
            ),
            launch_template=aws.autoscaling.GroupLaunchTemplateArgs(
                id=self.launch_template.id, version=self.launch_template.latest_version.apply(str)
            ),
            # The group's own tag, propagated to the instance it launches (checkov CKV_AWS_153); the
            # launch template tags the instance and its volume with the stack's tags too.
            tags=[aws.autoscaling.GroupTagArgs(key="Name", value=name, propagate_at_launch=True)],
            # The instance reaches the internet (its packages) through the Elastic IP.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.eip]),
        )
        self.routes = [
            aws.ec2.Route(
                f"{name}-route-{i}",
                route_table_id=table,
                destination_cidr_block="0.0.0.0/0",
                network_interface_id=self.network_interface.id,
                opts=child,
            )
            for i, table in enumerate(private_route_table_ids)
        ]
        self.alarm = aws.cloudwatch.MetricAlarm(
            f"{name}-status",
            alarm_description=f"NAT instance {name} fails its status checks or is gone: private subnets have no "
            "internet egress until Auto Scaling replaces it",
            namespace="AWS/EC2",
            metric_name="StatusCheckFailed",
            dimensions={"AutoScalingGroupName": self.group.name},
            statistic="Maximum",
            period=60,
            evaluation_periods=STATUS_ALARM_MINUTES,
            threshold=0,
            comparison_operator="GreaterThanThreshold",
            treat_missing_data="breaching",
            opts=child,
        )
        self.network_interface_id = self.network_interface.id
        self.public_ip = self.eip.public_ip
        self.auto_scaling_group_name = self.group.name
        self.alarm_name = self.alarm.name
        self.register_outputs(
            {
                "networkInterfaceId": self.network_interface_id,
                "publicIp": self.public_ip,
                "autoScalingGroupName": self.auto_scaling_group_name,
                "alarmName": self.alarm_name,
            }
        )


class VpcEndpoints(pulumi.ComponentResource):
    """AWS services reached from the private subnets without NAT.

    * the S3 gateway endpoint on the private route tables (free; ECR serves image layers from
      S3: https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html);
    * each interface endpoint of ``interface``: one network interface per private subnet, private
      DNS on (the service's usual hostname resolves to it inside the VPC), and a security group
      admitting HTTPS (443) from the VPC's CIDR only
      (https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html).

    Outputs: ``s3_endpoint_id``, ``interface_endpoint_ids`` (name -> id).
    """

    def __init__(
        self,
        name: str,
        *,
        vpc_id: pulumi.Input[str],
        vpc_cidr: str,
        private_subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]],
        private_route_table_ids: Sequence[pulumi.Input[str]],
        interface: Sequence[str] = (),
        context: AwsContext | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        bd = Boundary("VpcEndpoints", name, opts)
        context = bd.context("context", context)
        bd.wiring("vpc_id", vpc_id, VPC_ID)
        bd.plain("vpc_cidr", vpc_cidr, Cidr)
        for i, n in enumerate(interface):
            if n not in facts.INTERFACE_ENDPOINTS:
                bd.add(f"interface[{i}]", f"{show(n)} is not an interface endpoint the platform offers (allowed: "
                       f"{allowed(list(facts.INTERFACE_ENDPOINTS))})")  # fmt: skip
        bd.claim("ecs-platform:network:VpcEndpoints", name, "name", "is the name")
        bd.done(self)
        super().__init__("ecs-platform:network:VpcEndpoints", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        ctx = context or AwsContext.lookup(pulumi.InvokeOutputOptions(parent=self))

        def service(short: str) -> pulumi.Output[str]:
            prefix = pulumi.Output.from_input(ctx.partition).apply(
                lambda p: facts.ENDPOINT_SERVICE_PREFIX.get(p, "com.amazonaws")
            )
            return pulumi.Output.concat(prefix, ".", ctx.region, ".", short)

        self.s3 = aws.ec2.VpcEndpoint(
            f"{name}-s3",
            vpc_id=vpc_id,
            service_name=service(facts.S3_GATEWAY_ENDPOINT),
            vpc_endpoint_type="Gateway",
            route_table_ids=list(private_route_table_ids),
            opts=child,
        )
        self.interface: dict[str, aws.ec2.VpcEndpoint] = {}
        self.security_group: aws.ec2.SecurityGroup | None = None
        if interface:
            self.security_group = aws.ec2.SecurityGroup(
                f"{name}-sg",
                vpc_id=vpc_id,
                description=f"Interface endpoints {name}: HTTPS from the VPC only",
                opts=child,
            )
            aws.vpc.SecurityGroupIngressRule(
                f"{name}-https",
                security_group_id=self.security_group.id,
                ip_protocol="tcp",
                from_port=443,
                to_port=443,
                cidr_ipv4=vpc_cidr,
                description="HTTPS from the VPC to the AWS service endpoints",
                opts=child,
            )
            for short in interface:
                self.interface[short] = aws.ec2.VpcEndpoint(
                    f"{name}-{short.replace('.', '-')}",
                    vpc_id=vpc_id,
                    service_name=service(short),
                    vpc_endpoint_type="Interface",
                    subnet_ids=private_subnet_ids,
                    security_group_ids=[self.security_group.id],
                    private_dns_enabled=True,
                    opts=child,
                )
        self.s3_endpoint_id = self.s3.id
        self.interface_endpoint_ids = {n: e.id for n, e in self.interface.items()}
        self.register_outputs({"s3EndpointId": self.s3_endpoint_id, "interfaceEndpointIds": self.interface_endpoint_ids})
