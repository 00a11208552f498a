"""The network's share of the cost estimate: NAT gateways and load balancers, NAT instances,
VPC endpoints."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ecs_platform import facts
from ecs_platform.tools.mock_cloud import StackRun
from ecs_platform.tools.preview.lines import CostEstimate, CostLine, ec2_hourly

NAT_INSTANCE = "ecs-platform:network:NatInstance"


def network_lines(est: CostEstimate, run: StackRun, rp: Mapping[str, Any], hours: float) -> None:
    ip_hour = float(rp["public_ipv4_hour"])
    for vpc in sorted(run.of_type("awsx:ec2:Vpc"), key=lambda r: r.name):
        zones = len(vpc.inputs.get("availabilityZoneNames") or [])
        strategy = (vpc.inputs.get("natGateways") or {}).get("strategy", "OnePerAz")
        count = {"None": 0, "Single": 1, "OnePerAz": zones}.get(strategy, zones)
        monthly = count * hours * (float(rp["nat_gateway_hour"]) + ip_hour)
        if count == 0:  # strategy None: a NAT instance (priced on its own) or no egress
            continue
        est.lines.append(
            CostLine(
                "NAT gateways",
                f"{count} ({strategy}), each with one public IPv4 address; data processing excluded",
                monthly,
                monthly,
            )
        )
    for lb in sorted(run.of_type("aws:lb/loadBalancer:LoadBalancer"), key=lambda r: r.name):
        zones = len(lb.inputs.get("subnets") or [])
        public_ips = 0 if lb.inputs.get("internal") else zones
        kind, unit = ("network", "NLCU") if lb.inputs.get("loadBalancerType") == "network" else ("application", "LCU")
        key = "nlb" if kind == "network" else "alb"
        monthly = hours * (float(rp[f"{key}_hour"]) + float(rp[f"{key}_{unit.lower()}_hour"]) + public_ips * ip_hour)
        est.lines.append(
            CostLine(
                f"Load balancer {lb.name}",
                f"{kind}, 1 {unit} assumed, {public_ips} public IPv4 address(es)",
                monthly,
                monthly,
            )
        )


def nat_instance_lines(est: CostEstimate, run: StackRun, rp: Mapping[str, Any], hours: float) -> None:
    """A NAT instance: its instance type's hours, its root volume (the AMI's size) and its
    Elastic IP; forwarding is free (no per-GB charge, unlike a NAT gateway)."""
    for nat in sorted(run.of_type(NAT_INSTANCE), key=lambda r: r.name):
        children = run.children(nat)
        [template] = [r for r in children if r.type == "aws:ec2/launchTemplate:LaunchTemplate"]
        itype = str(template.inputs["instanceType"])
        hourly = ec2_hourly(itype, rp["ec2"])
        if hourly is None:
            est.problems.append(f"no price for instance type {itype!r} in {est.region} (NAT instance {nat.name})")
            continue
        ips = len([r for r in children if r.type == "aws:ec2/eip:Eip"])
        gib = facts.NAT_ROOT_VOLUME_GIB
        monthly = hours * (hourly + ips * float(rp["public_ipv4_hour"])) + gib * float(rp["ebs"]["gp3_gb_month"])
        est.lines.append(CostLine(f"NAT instance {nat.name}", f"{itype} x 1, {gib} GiB gp3, {ips} public IPv4 "
                                  "address; no per-GB processing charge", monthly, monthly))  # fmt: skip


def endpoint_lines(est: CostEstimate, run: StackRun, rp: Mapping[str, Any], hours: float) -> None:
    """VPC endpoints: a gateway endpoint is free; an interface endpoint costs per zone (one
    network interface per subnet) and hour, plus per GB processed (excluded)."""
    rate = float(rp["interface_endpoint_az_hour"])
    for ep in sorted(run.of_type("aws:ec2/vpcEndpoint:VpcEndpoint"), key=lambda r: r.name):
        service = str(ep.inputs.get("serviceName", "")).rsplit(".", 1)[-1] if ep.inputs.get(
            "vpcEndpointType") == "Gateway" else ".".join(str(ep.inputs.get("serviceName", "")).split(".")[3:])  # fmt: skip
        if ep.inputs.get("vpcEndpointType") == "Gateway":
            est.lines.append(CostLine(f"VPC endpoint {service}", f"gateway endpoint {ep.name}: free", 0.0, 0.0))
            continue
        zones = len(ep.inputs.get("subnetIds") or [])
        monthly = hours * zones * rate
        est.lines.append(CostLine(f"VPC endpoint {service}", f"interface endpoint in {zones} zone(s); "
                                  f"${float(rp['interface_endpoint_gb']):g} per GB excluded", monthly, monthly))  # fmt: skip
