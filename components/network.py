"""Network: a VPC spread over N zones (awsx), or an existing VPC adopted as is."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_awsx as awsx

from components import validation as v

#: Each zone gets a /19 of the /16 (room for 8 zones); inside it the private
#: subnet is the first /20 and the public subnet the /22 after it. Pinning the
#: masks makes zone N's subnets independent of how many zones there are, so
#: growing azCount adds subnets and never re-carves (replaces) existing ones.
ZONE_CIDR_MASK = 19
PRIVATE_SUBNET_MASK = 20
PUBLIC_SUBNET_MASK = 22


@dataclass
class NetworkArgs:
    """Arguments of :class:`Network`.

    Either give ``zones`` (a VPC is created) or ``vpc_id`` with both subnet id
    lists (that VPC is used; nothing is created).
    """

    zones: Sequence[str] = ()
    """Zone names to spread over, e.g. ``["us-east-1a", "us-east-1b"]``. Default: none;
    required unless ``vpc_id`` is given. Order matters: keep existing zones first."""
    nat_gateways: str = "OnePerAz"
    """``OnePerAz`` (default; a zone outage leaves the others online) or ``Single``
    (cheaper; one zone's NAT gateway serves all private subnets)."""
    cidr_block: str = "10.0.0.0/16"
    """The VPC's /16 block. Default ``10.0.0.0/16``."""
    vpc_id: pulumi.Input[str] | None = None
    """An existing VPC to use instead of creating one. Default: create a VPC."""
    public_subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None
    """With ``vpc_id``: its public subnets (one per zone), for load balancers."""
    private_subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None
    """With ``vpc_id``: its private subnets (one per zone, with a route to a NAT
    gateway or VPC endpoints so tasks can pull images), where tasks run."""

    def problems(self) -> list[str]:
        if self.vpc_id is not None:
            missing = [
                f"NetworkArgs.{name}: None is missing (allowed: subnet ids, required with vpc_id)"
                for name in ("public_subnet_ids", "private_subnet_ids")
                if getattr(self, name) is None
            ]
            return missing
        out: list[str] = []
        if not 1 <= len(self.zones) <= 6:
            out.append(
                f"NetworkArgs.zones: {v.show(list(self.zones))} is not 1 to 6 zones "
                "(allowed: 1..6 zone names, or vpc_id to use an existing VPC)"
            )
        out += v.check_choice("NetworkArgs.nat_gateways", self.nat_gateways, v.NAT_STRATEGIES)
        return out


class Network(pulumi.ComponentResource):
    """A VPC with a public and a private subnet in every zone, and NAT egress.

    Tasks run in the private subnets (no public IPs); load balancers use the
    public ones. Outputs: ``vpc_id``, ``public_subnet_ids``, ``private_subnet_ids``.
    """

    vpc_id: pulumi.Output[str]
    public_subnet_ids: pulumi.Output[Sequence[str]]
    private_subnet_ids: pulumi.Output[Sequence[str]]
    vpc: awsx.ec2.Vpc | None

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        v.raise_if(args.problems(), "NetworkArgs")
        super().__init__("ecs-platform:network:Network", name, None, opts)
        if args.vpc_id is not None:
            self.vpc = None
            self.vpc_id = pulumi.Output.from_input(args.vpc_id)
            self.public_subnet_ids = pulumi.Output.from_input(args.public_subnet_ids)  # type: ignore[arg-type]
            self.private_subnet_ids = pulumi.Output.from_input(args.private_subnet_ids)  # type: ignore[arg-type]
        else:
            self.vpc = awsx.ec2.Vpc(
                f"{name}-vpc",
                cidr_block=args.cidr_block,
                availability_zone_names=list(args.zones),
                availability_zone_cidr_mask=ZONE_CIDR_MASK,
                subnet_strategy=awsx.ec2.SubnetAllocationStrategy.AUTO,
                subnet_specs=[
                    awsx.ec2.SubnetSpecArgs(type=awsx.ec2.SubnetType.PRIVATE, cidr_mask=PRIVATE_SUBNET_MASK),
                    awsx.ec2.SubnetSpecArgs(type=awsx.ec2.SubnetType.PUBLIC, cidr_mask=PUBLIC_SUBNET_MASK),
                ],
                nat_gateways=awsx.ec2.NatGatewayConfigurationArgs(
                    strategy=awsx.ec2.NatGatewayStrategy(args.nat_gateways)
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
