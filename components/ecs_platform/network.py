"""Network: a VPC spread over N zones (awsx), or an existing VPC adopted as is."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Annotated

import pulumi
import pulumi_aws as aws
import pulumi_awsx as awsx

from ecs_platform import facts
from ecs_platform.boundary import Boundary, PlainStr
from ecs_platform.egress import NatInstance, VpcEndpoints
from ecs_platform.errors import deferred_error, show
from ecs_platform.iam import AwsContext, policy_document, unscoped_statement
from ecs_platform.outputs import waiver_tags
from ecs_platform.specs import NetworkSpec
from ecs_platform.specs.base import Bool, Rule
from ecs_platform.specs.fields import LogRetention, TagKey, TagValue
from ecs_platform.wiring import KMS_KEY_ARN, VPC_ID, deferred_wiring


def _zone_name_check(value: object) -> str | None:
    if isinstance(value, str) and value.strip():
        return None
    return f"{show(value)} is not a zone name (allowed: e.g. us-east-1a)"


ZoneName = Annotated[str, Rule(_zone_name_check, "an availability zone name")]

#: Each zone gets a /19 of the /16 (room for 8 zones); inside it the private
#: subnet is the first /20 and the public subnet the /22 after it. Pinning the
#: masks makes zone N's subnets independent of how many zones there are, so
#: growing azCount adds subnets and never re-carves (replaces) existing ones.
ZONE_CIDR_MASK = 19
PRIVATE_SUBNET_MASK = 20
PUBLIC_SUBNET_MASK = 22


def _nth(i: int) -> Callable[[Sequence[str]], str]:
    return lambda ids: ids[i]


class Network(pulumi.ComponentResource):
    """A VPC with a public and a private subnet in every zone, and egress for the private ones.

    Tasks run in the private subnets (no public IPs); load balancers use the
    public ones. Egress: NAT gateways (``OnePerAz``, ``Single``; awsx's) or one
    :class:`~ecs_platform.egress.NatInstance` (``Instance``: awsx creates no NAT gateway and no
    default route, and the NAT instance adds one to each private route table); a created VPC
    also gets :class:`~ecs_platform.egress.VpcEndpoints` (the free S3 gateway endpoint, plus
    ``vpcEndpoints``). Outputs: ``vpc_id``, ``public_subnet_ids``, ``private_subnet_ids``,
    ``private_route_table_ids`` (one per zone; none for an adopted VPC).
    """

    vpc_id: pulumi.Output[str]
    public_subnet_ids: pulumi.Output[Sequence[str]]
    private_subnet_ids: pulumi.Output[Sequence[str]]
    private_route_table_ids: list[pulumi.Output[str]]
    vpc: awsx.ec2.Vpc | None
    nat_instance: NatInstance | None
    endpoints: VpcEndpoints | None

    def __init__(
        self,
        name: str,
        spec: NetworkSpec,
        *,
        zones: Sequence[str] = (),
        context: AwsContext | None = None,
        instance_tags: Mapping[str, str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """``zones``: the zone names a created VPC spreads over, ``spec.az_count`` of them
        (keep existing zones first), all of the stack's region (``context``'s, else looked up);
        ignored with ``spec.vpc``. ``instance_tags`` go on a NAT instance and its volume."""
        bd = Boundary("Network", name, opts)
        checked = bd.spec("spec", spec, NetworkSpec)
        context = bd.context("context", context)
        zones = bd.plain("zones", zones, tuple[ZoneName, ...])
        instance_tags = bd.plain("instance_tags", instance_tags, dict[TagKey, TagValue] | None)
        if checked is not None and checked.vpc is None and bd.ok:
            if len(zones) != checked.az_count:
                bd.add("zones", f"{show(list(zones))} is not {checked.az_count} zones (allowed: azCount zone names "
                       "of the region, or spec.vpc to adopt an existing VPC)")  # fmt: skip
            region = context.region if context is not None and isinstance(context.region, str) else None
            bd.problems += [f"Network.{p}" for p in zone_problems(list(zones), region)]
        bd.claim("ecs-platform:network:Network", name, "name", "is the name")
        bd.done(self)
        assert checked is not None
        spec = checked
        super().__init__("ecs-platform:network:Network", name, None, opts)
        self.spec = spec
        self.nat_instance = None
        self.endpoints = None
        self.private_route_table_ids = []
        if spec.vpc is not None:
            self.vpc = None
            self.vpc_id = pulumi.Output.from_input(spec.vpc.vpc_id)
            self.public_subnet_ids = pulumi.Output.from_input(list(spec.vpc.public_subnet_ids))
            self.private_subnet_ids = pulumi.Output.from_input(list(spec.vpc.private_subnet_ids))
        else:
            # awsx refuses private subnets without a NAT gateway ("If private subnets are specified,
            # NAT Gateway strategy cannot be 'None'", its ValidateStrategy): with a NAT instance the
            # tasks' subnets are awsx's isolated ones (no route out), and the NAT instance adds the
            # default route to each. The subnet type is part of awsx's subnet names, so switching
            # between NAT gateways and the instance replaces these subnets (docs/cost.md).
            nat_instance = spec.nat_gateways == "Instance"
            tasks_subnet_type = awsx.ec2.SubnetType.ISOLATED if nat_instance else awsx.ec2.SubnetType.PRIVATE
            self.vpc = awsx.ec2.Vpc(
                f"{name}-vpc",
                cidr_block=spec.vpc_cidr,
                # An Output is serialized like any input (awsx's type says plain: the SDK awaits it).
                availability_zone_names=self._zones_in_stack(list(zones), context),  # type: ignore[arg-type]
                availability_zone_cidr_mask=ZONE_CIDR_MASK,
                subnet_strategy=awsx.ec2.SubnetAllocationStrategy.AUTO,
                subnet_specs=[
                    awsx.ec2.SubnetSpecArgs(type=tasks_subnet_type, cidr_mask=PRIVATE_SUBNET_MASK),
                    awsx.ec2.SubnetSpecArgs(type=awsx.ec2.SubnetType.PUBLIC, cidr_mask=PUBLIC_SUBNET_MASK),
                ],
                # With a NAT instance awsx makes no NAT gateway and no default route: see below.
                nat_gateways=awsx.ec2.NatGatewayConfigurationArgs(
                    strategy=awsx.ec2.NatGatewayStrategy("None" if nat_instance else spec.nat_gateways)
                ),
                enable_dns_hostnames=True,
                enable_dns_support=True,
                # Flow logs turned off are recorded on the VPC (Security Hub EC2.6).
                tags=waiver_tags({"EC2.6": "flowLogs: false"}) if not spec.flow_logs else None,
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.vpc_id = self.vpc.vpc_id
            self.public_subnet_ids = self.vpc.public_subnet_ids
            self.private_subnet_ids = self.vpc.isolated_subnet_ids if nat_instance else self.vpc.private_subnet_ids
            # awsx gives each private subnet a route table of its own. The VPC's outputs resolve
            # once its children exist (a remote component answers after its registrations), so
            # the lookup by subnet finds the table associated with it.
            invoke = pulumi.InvokeOutputOptions(parent=self)
            self.private_route_table_ids = [
                aws.ec2.get_route_table_output(subnet_id=self.private_subnet_ids.apply(_nth(i)), opts=invoke).route_table_id
                for i in range(spec.az_count)
            ]
            ctx = context or AwsContext.lookup(invoke)
            self.endpoints = VpcEndpoints(
                f"{name}-endpoints",
                vpc_id=self.vpc_id,
                vpc_cidr=spec.vpc_cidr,
                private_subnet_ids=self.private_subnet_ids,
                private_route_table_ids=self.private_route_table_ids,
                interface=spec.vpc_endpoints,
                context=ctx,
                opts=pulumi.ResourceOptions(parent=self),
            )
            if nat_instance:
                self.nat_instance = NatInstance(
                    f"{name}-nat",
                    vpc_id=self.vpc_id,
                    vpc_cidr=spec.vpc_cidr,
                    public_subnet_id=self.public_subnet_ids.apply(_nth(0)),
                    zone=zones[0],
                    private_route_table_ids=self.private_route_table_ids,
                    instance_type=spec.effective_nat_instance_type,
                    context=ctx,
                    instance_tags=instance_tags,
                    opts=pulumi.ResourceOptions(parent=self),
                )
        self.register_outputs(
            {
                "vpcId": self.vpc_id,
                "publicSubnetIds": self.public_subnet_ids,
                "privateSubnetIds": self.private_subnet_ids,
                "privateRouteTableIds": self.private_route_table_ids,
            }
        )

    def _zones_in_stack(self, zones: list[str], context: AwsContext | None) -> pulumi.Input[Sequence[str]]:
        """``zones`` as they are when the stack's region was known up front, else checked against it
        once known (before the VPC that uses them)."""
        if context is not None and isinstance(context.region, str):
            return zones
        region = (context or AwsContext.lookup(pulumi.InvokeOutputOptions(parent=self))).region

        def verify(known: str) -> list[str]:
            problems = [f"Network.{p}" for p in zone_problems(zones, known)]
            if problems:
                raise deferred_error(problems)
            return zones

        return pulumi.Output.from_input(region).apply(verify)


def zone_problems(zones: Sequence[str], region: str | None) -> list[str]:
    """Zone names of one region that exists (``region``, when known), each once. A zone's name is
    its region's and a letter (Regions and Zones,
    https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-regions-availability-zones.html)."""
    out: list[str] = []
    for i, zone in enumerate(zones):
        of = zone[:-1]
        if of not in facts.PARTITION_OF_REGION or not zone[-1].isalpha():
            out.append(f"zones[{i}]: {show(zone)} is not an availability zone name (allowed: a region's name and "
                       "a letter, e.g. us-east-1a)")  # fmt: skip
        elif region is not None and of != region:
            out.append(f"zones[{i}]: {show(zone)} is a zone of {of}, not of the stack's region {region} (allowed: "
                       f"zones of {region})")  # fmt: skip
        elif of != zones[0][:-1]:
            out.append(f"zones[{i}]: {show(zone)} is a zone of {of}, and zones[0] of {zones[0][:-1]} (allowed: "
                       "zones of one region, the stack's)")  # fmt: skip
        elif zone in zones[:i]:
            out.append(f"zones[{i}]: {show(zone)} is listed twice (allowed: each zone once)")
    return out


class VpcControls(pulumi.ComponentResource):
    """The guards of a VPC the stack created (an adopted VPC's are its owner's):

    * its default security group emptied: the provider adopts it and removes every rule, so
      nothing that lands in it by mistake talks to anything (Security Hub EC2.2);
    * with ``flow_logs``, a flow log of all its traffic to a CloudWatch log group named by
      prefix (a retained group never blocks re-creation), with the stack's retention and key,
      written by a role that only the account's VPC flow logs may assume and that may write
      only that group (Security Hub EC2.6;
      https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html).

    Outputs: ``default_security_group_id``, ``flow_log_group_name`` (None without flow logs).
    """

    def __init__(
        self,
        name: str,
        *,
        vpc_id: pulumi.Input[str],
        flow_logs: bool,
        log_retention_days: int,
        log_kms_key_arn: pulumi.Input[str] | None = None,
        retain_logs_on_delete: bool = False,
        name_prefix: str | None = None,
        context: AwsContext | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """``name_prefix`` names the log group ``/aws/vpc-flow-logs/<prefix>-<unique>``; without
        it the group is auto-named."""
        bd = Boundary("VpcControls", name, opts)
        bd.wiring("vpc_id", vpc_id, VPC_ID)
        bd.plain("flow_logs", flow_logs, Bool)
        bd.plain("log_retention_days", log_retention_days, LogRetention)
        bd.wiring("log_kms_key_arn", log_kms_key_arn, KMS_KEY_ARN, optional=True)
        name_prefix = bd.plain("name_prefix", name_prefix, PlainStr | None)
        context = bd.context("context", context)
        if flow_logs is True:
            bd.autoname("name", name, "aws:iam/role:Role", f"{name}-flow-logs", "IAM role name")
        bd.done(self)
        vpc_id = deferred_wiring(vpc_id, VPC_ID, "VpcControls.vpc_id")
        super().__init__("ecs-platform:network:VpcControls", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.default_security_group = aws.ec2.DefaultSecurityGroup(
            f"{name}-default-sg", vpc_id=vpc_id, tags={"Name": f"{name}-default (no rules)"}, opts=child
        )
        self.flow_log_group: aws.cloudwatch.LogGroup | None = None
        self.flow_log: aws.ec2.FlowLog | None = None
        if flow_logs:
            ctx = context or AwsContext.lookup(pulumi.InvokeOutputOptions(parent=self))
            self.flow_log_group = aws.cloudwatch.LogGroup(
                f"{name}-flow-logs",
                name_prefix=f"/aws/vpc-flow-logs/{name_prefix}-" if name_prefix else None,
                retention_in_days=log_retention_days,
                kms_key_id=log_kms_key_arn,
                opts=pulumi.ResourceOptions(parent=self, retain_on_delete=retain_logs_on_delete),
            )
            role = aws.iam.Role(
                f"{name}-flow-logs",
                assume_role_policy=ctx.trust("vpc-flow-logs"),
                description="VPC flow logs: write this VPC's flow log group only",
                opts=child,
            )
            streams = self.flow_log_group.arn.apply(lambda arn: arn if arn.endswith(":*") else f"{arn}:*")
            policy = aws.iam.RolePolicy(
                f"{name}-flow-logs",
                role=role.name,
                # DescribeLogGroups has no resource type in the Service Authorization Reference: "*"
                # is its only resource (a log-group ARN grants nothing). The group's streams (its ARN
                # and ":*") are the only resources of the rest, as AWS's flow logs guide lists them.
                # https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html
                policy=policy_document([
                    unscoped_statement("FlowLogGroups", ["logs:DescribeLogGroups"]),
                    {"Sid": "FlowLogWrite", "Effect": "Allow",
                     "Action": ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
                     "Resource": streams},
                ]),
                opts=child,
            )  # fmt: skip
            self.flow_log = aws.ec2.FlowLog(
                f"{name}-flow-log",
                vpc_id=vpc_id,
                traffic_type="ALL",
                log_destination_type="cloud-watch-logs",
                log_destination=self.flow_log_group.arn,
                iam_role_arn=role.arn,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
            )
        self.default_security_group_id = self.default_security_group.id
        self.flow_log_group_name = self.flow_log_group.name if self.flow_log_group else None
        self.register_outputs(
            {"defaultSecurityGroupId": self.default_security_group_id, "flowLogGroupName": self.flow_log_group_name}
        )
