"""The network model: a VPC over N zones, or an existing VPC adopted as is."""

from __future__ import annotations

import re
from typing import Annotated, Any, Self

from pydantic import model_validator

from ecs_platform import facts as f
from ecs_platform.errors import allowed, show
from ecs_platform.specs.base import Bool, Check, Choice, Int, Loc, Spec, raise_problems
from ecs_platform.specs.fields import VpcCidr, ZoneId


def _aws_id(pattern: re.Pattern[str], prefix: str, what: str) -> Check:
    """An EC2 id: ``prefix`` and 8 (older resources) or 17 hexadecimal characters."""
    example = f"{prefix}0123456789abcdef0"

    def check(value: Any) -> str | None:
        if isinstance(value, str) and pattern.fullmatch(value):
            return None
        return f"{show(value)} is not {what} (allowed: {prefix} and 8 or 17 hex digits, e.g. {example})"

    return Check(check, {"type": "string", "pattern": f"^{pattern.pattern}$"}, f"{what} ({example})")


def _endpoint(value: Any) -> str | None:
    """An interface endpoint's service name (after ``com.amazonaws.<region>.``) from
    :data:`facts.INTERFACE_ENDPOINTS`."""
    names = list(f.INTERFACE_ENDPOINTS)
    if value == f.S3_GATEWAY_ENDPOINT:
        return (f"{show(value)} is always created, as the free S3 gateway endpoint on the private route tables "
                f"(allowed: interface endpoints {allowed(names)})")
    if isinstance(value, str) and value in f.INTERFACE_ENDPOINTS:
        return None
    return f"{show(value)} is not an interface endpoint the platform offers (allowed: {allowed(names)})"


EndpointName = Annotated[str, Check(_endpoint, {"type": "string", "enum": list(f.INTERFACE_ENDPOINTS)},
                                    "an interface endpoint name")]  # fmt: skip
VpcId = Annotated[str, _aws_id(f.VPC_ID_RE, "vpc-", "a VPC id")]
SubnetId = Annotated[str, _aws_id(f.SUBNET_ID_RE, "subnet-", "a subnet id")]


class ExistingVpcSpec(Spec):
    """A VPC the stack adopts instead of creating one."""

    vpc_id: VpcId
    """The VPC (``vpc-...``). Required."""
    public_subnet_ids: tuple[SubnetId, ...]
    """Its public subnets, one per zone (two or more with a public service), for load balancers.
    Required."""
    private_subnet_ids: tuple[SubnetId, ...]
    """Its private subnets, one per zone, with a route to a NAT gateway or VPC endpoints so tasks
    can pull images; where tasks run. Required."""

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        problems: list[tuple[Loc, str]] = [
            ((key,), "[] is empty (allowed: one subnet id per zone)")
            for key, ids in (("publicSubnetIds", self.public_subnet_ids),
                             ("privateSubnetIds", self.private_subnet_ids))
            if not ids
        ]
        seen: dict[str, str] = {}
        for key, ids in (("publicSubnetIds", self.public_subnet_ids), ("privateSubnetIds", self.private_subnet_ids)):
            for i, subnet in enumerate(ids):
                where = f"{key}[{i}]"
                if subnet in seen:
                    problems.append(((key, i), f"{show(subnet)} is already listed at {seen[subnet]} "
                                               "(allowed: each subnet once)"))  # fmt: skip
                seen.setdefault(subnet, where)
        raise_problems(problems)
        return self


class NetworkSpec(Spec):
    """Where tasks run: private subnets in ``azCount`` zones of a VPC created for the stack
    (public subnets for load balancers, NAT for egress), or the subnets of ``vpc``."""

    az_count: Annotated[int, Int(1, 6)] = 3
    """Zones to spread subnets and tasks over: 1..6, at most what the region has. Default 3."""
    nat_gateways: Annotated[str, Choice(*f.NAT_STRATEGIES)] = "OnePerAz"
    """Egress of the private subnets of a created VPC: ``OnePerAz`` (a NAT gateway per zone: a
    zone outage leaves other zones online), ``Single`` (one NAT gateway, cheaper) or ``Instance``
    (one small NAT instance for the whole VPC, cheapest: a single point of failure with a
    bandwidth ceiling; see docs/cost.md). Tasks stay in private subnets with every choice.
    Default ``OnePerAz``."""
    nat_instance_type: Annotated[str, Choice(*f.NAT_INSTANCE_TYPES)] | None = None
    """With ``natGateways: Instance``: the NAT instance's type, a Graviton T4g size (larger sizes
    have more network bandwidth and CPU). Default ``t4g.nano``, the smallest."""
    vpc_endpoints: tuple[EndpointName, ...] = ()
    """Interface VPC endpoints (PrivateLink) for a created VPC: AWS services its tasks then reach
    without NAT (``ecr.api``, ``ecr.dkr``, ``logs``, ``secretsmanager``, ``ssm``, ...), one network
    interface per zone in the private subnets, private DNS on, reachable on 443 from the VPC's
    CIDR only; each is priced per zone-hour and per GB. The S3 gateway endpoint is free and
    always created. Default none."""
    vpc_cidr: VpcCidr = "10.0.0.0/16"
    """The VPC's /16; each zone gets a /19 (private /20 + public /22). Default ``10.0.0.0/16``."""
    zone_ids: tuple[ZoneId, ...] | None = None
    """Availability zone IDs (``use1-az1``) in order of preference; a created VPC uses the first
    ``azCount``. IDs name the same physical zones in every account (zone names do not). When a
    service or job runs on Fargate, every ID must be one Fargate runs tasks in (AWS's Fargate
    Regions page names the zone IDs of us-west-1, ap-northeast-1 and cn-north-1). Default: the
    region's zone IDs in order (``az1``, ``az2``, ...), without those Fargate skips when tasks
    run on Fargate."""
    flow_logs: Bool = True
    """Log every flow of a created VPC (accepted and rejected traffic) to a CloudWatch log group
    with the stack's retention and KMS key (Security Hub EC2.6). ``false`` turns it off, recorded
    on the VPC as a waiver tag. An adopted VPC's flow logs are its owner's. Default true."""
    vpc: ExistingVpcSpec | None = None
    """Adopt an existing VPC: ``vpcId``, ``publicSubnetIds``, ``privateSubnetIds``. ``azCount``,
    ``zoneIds``, ``natGateways``, ``natInstanceType``, ``vpcCidr`` and ``flowLogs`` do not apply then
    (``vpcEndpoints`` is refused). Default: create a VPC."""

    @model_validator(mode="after")
    def _zone_ids(self) -> Self:
        problems: list[tuple[Loc, str]] = []
        ids = self.zone_ids or ()
        for i, zone in enumerate(ids):
            if zone in ids[:i]:
                problems.append((("zoneIds", i), f"{show(zone)} is already listed (allowed: each zone once)"))
        problems += self._egress_problems()
        if self.zone_ids is not None and len(ids) < self.az_count:
            problems.append((("zoneIds",), f"{show(list(ids))} lists {len(ids)} zone(s), fewer than azCount "
                             f"{self.az_count} (allowed: at least azCount zone IDs)"))  # fmt: skip
        raise_problems(problems)
        return self

    @property
    def effective_nat_instance_type(self) -> str:
        """The NAT instance's type (``natInstanceType``, else the smallest offered)."""
        return self.nat_instance_type or f.NAT_INSTANCE_TYPES[0]

    def _egress_problems(self) -> list[tuple[Loc, str]]:
        problems: list[tuple[Loc, str]] = []
        for i, name in enumerate(self.vpc_endpoints):
            if name in self.vpc_endpoints[:i]:
                problems.append((("vpcEndpoints", i), f"{show(name)} is already listed (allowed: each endpoint once)"))
        if self.nat_instance_type is not None and self.nat_gateways != "Instance":
            problems.append((("natInstanceType",), f"{show(self.nat_instance_type)} applies only to a NAT instance, "
                             f"and natGateways is {show(self.nat_gateways)} (allowed: natGateways: Instance, or no "
                             "natInstanceType)"))  # fmt: skip
        if self.vpc is not None and self.vpc_endpoints:
            problems.append((("vpcEndpoints",), f"{show(list(self.vpc_endpoints))} applies to a VPC the stack "
                             f"creates, and vpc adopts {show(self.vpc.vpc_id)} (allowed: the adopted VPC's own "
                             "endpoints; remove vpcEndpoints or vpc)"))  # fmt: skip
        return problems
