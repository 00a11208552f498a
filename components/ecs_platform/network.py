"""Network: a VPC spread over N zones (awsx), or an existing VPC adopted as is."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_awsx as awsx

from ecs_platform.errors import raise_if, show
from ecs_platform.specs import NetworkSpec

#: Each zone gets a /19 of the /16 (room for 8 zones); inside it the private
#: subnet is the first /20 and the public subnet the /22 after it. Pinning the
#: masks makes zone N's subnets independent of how many zones there are, so
#: growing azCount adds subnets and never re-carves (replaces) existing ones.
ZONE_CIDR_MASK = 19
PRIVATE_SUBNET_MASK = 20
PUBLIC_SUBNET_MASK = 22


class Network(pulumi.ComponentResource):
    """A VPC with a public and a private subnet in every zone, and NAT egress.

    Tasks run in the private subnets (no public IPs); load balancers use the
    public ones. Outputs: ``vpc_id``, ``public_subnet_ids``, ``private_subnet_ids``.
    """

    vpc_id: pulumi.Output[str]
    public_subnet_ids: pulumi.Output[Sequence[str]]
    private_subnet_ids: pulumi.Output[Sequence[str]]
    vpc: awsx.ec2.Vpc | None

    def __init__(
        self,
        name: str,
        spec: NetworkSpec,
        *,
        zones: Sequence[str] = (),
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """``zones``: the zone names a created VPC spreads over, ``spec.az_count`` of them
        (keep existing zones first); ignored with ``spec.vpc``."""
        if spec.vpc is None and len(zones) != spec.az_count:
            raise_if([f"Network.zones: {show(list(zones))} is not {spec.az_count} zones (allowed: "
                      "azCount zone names of the region, or spec.vpc to adopt an existing VPC)"], "Network")
        super().__init__("ecs-platform:network:Network", name, None, opts)
        self.spec = spec
        if spec.vpc is not None:
            self.vpc = None
            self.vpc_id = pulumi.Output.from_input(spec.vpc.vpc_id)
            self.public_subnet_ids = pulumi.Output.from_input(list(spec.vpc.public_subnet_ids))
            self.private_subnet_ids = pulumi.Output.from_input(list(spec.vpc.private_subnet_ids))
        else:
            self.vpc = awsx.ec2.Vpc(
                f"{name}-vpc",
                cidr_block=spec.vpc_cidr,
                availability_zone_names=list(zones),
                availability_zone_cidr_mask=ZONE_CIDR_MASK,
                subnet_strategy=awsx.ec2.SubnetAllocationStrategy.AUTO,
                subnet_specs=[
                    awsx.ec2.SubnetSpecArgs(type=awsx.ec2.SubnetType.PRIVATE, cidr_mask=PRIVATE_SUBNET_MASK),
                    awsx.ec2.SubnetSpecArgs(type=awsx.ec2.SubnetType.PUBLIC, cidr_mask=PUBLIC_SUBNET_MASK),
                ],
                nat_gateways=awsx.ec2.NatGatewayConfigurationArgs(
                    strategy=awsx.ec2.NatGatewayStrategy(spec.nat_gateways)
                ),
                enable_dns_hostnames=True,
                enable_dns_support=True,
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.vpc_id = self.vpc.vpc_id
            self.public_subnet_ids = self.vpc.public_subnet_ids
            self.private_subnet_ids = self.vpc.private_subnet_ids
        self.register_outputs(
            {
                "vpcId": self.vpc_id,
                "publicSubnetIds": self.public_subnet_ids,
                "privateSubnetIds": self.private_subnet_ids,
            }
        )
