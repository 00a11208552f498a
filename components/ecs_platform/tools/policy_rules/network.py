"""Network rules: security groups described, nothing open to the internet but a public load
balancer's listeners, a created VPC's default security group closed and its flows logged."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pulumi_policy import PolicyResource

from ecs_platform.tools.policy_rules.base import (
    AWSX_VPC,
    DEFAULT_SG,
    EGRESS,
    FLOW_LOG,
    INGRESS,
    LB_TYPES,
    LISTENER_TYPES,
    SG,
    SG_RULE,
    VPC,
    ResourceRule,
    StackRule,
    deps,
    listify,
    waived,
)  # fmt: skip


def _described(p: Mapping[str, Any]) -> Iterable[str]:
    if not p.get("description") or p.get("description") == "Managed by Pulumi":
        yield "the security group or rule has no description"
    # A group's inline rules (``ingress``/``egress`` blocks of aws.ec2.SecurityGroup) are rules too.
    for direction in ("ingress", "egress"):
        for i, rule in enumerate(p.get(direction) or []):
            if isinstance(rule, Mapping) and not rule.get("description"):
                ports = f"{rule.get('protocol', '?')} {rule.get('fromPort', '?')}-{rule.get('toPort', '?')}"
                yield f"the security group's inline {direction} rule [{i}] ({ports}) has no description"



# --- network exposure ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Ingress:
    """One ingress permission, whatever resource spells it: protocol (``all`` for -1),
    port range (all ports for ``all``) and the IPv4/IPv6 CIDR blocks it admits."""

    protocol: str
    ports: tuple[int, int]
    cidrs: tuple[str, ...]

    def covers(self, other: Ingress) -> bool:
        """Whether this permission admits everything ``other`` admits (addresses aside)."""
        same = self.protocol == "all" or self.protocol == other.protocol
        return same and self.ports[0] <= other.ports[0] and other.ports[1] <= self.ports[1]

    def describe(self) -> str:
        if self.protocol == "all":
            return "all protocols and ports"
        return f"{self.protocol} {self.ports[0]}-{self.ports[1]}"


#: AWS's protocol names and numbers (EC2 IpPermission: "-1" or "all" means every protocol).
_PROTOCOLS = {"-1": "all", "all": "all", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}


def ingress_of(protocol: Any, from_port: Any, to_port: Any, *cidrs: Any) -> Ingress:
    proto = str(protocol if protocol is not None else "all").strip().lower()
    proto = _PROTOCOLS.get(proto, proto)
    if proto == "all":
        ports = (0, 65535)
    else:
        lo = int(from_port) if isinstance(from_port, (int, float)) and from_port >= 0 else 0
        hi = int(to_port) if isinstance(to_port, (int, float)) and to_port >= 0 else 65535
        ports = (lo, hi)
    flat = tuple(str(c) for cidr in cidrs for c in listify(cidr) if c)
    return Ingress(proto, ports, flat)


def covers_everyone(cidrs: Iterable[str]) -> bool:
    """Whether CIDR blocks together admit every IPv4 or every IPv6 address: ``0.0.0.0/0``,
    but also ``0.0.0.0/1`` with ``128.0.0.0/1``, ``::/1`` with ``8000::/1``, ..."""
    v4: list[ipaddress.IPv4Network] = []
    v6: list[ipaddress.IPv6Network] = []
    for cidr in cidrs:
        try:
            net = ipaddress.ip_network(cidr.strip(), strict=False)
        except ValueError:
            continue
        if isinstance(net, ipaddress.IPv4Network):
            v4.append(net)
        else:
            v6.append(net)
    whole_v4 = [n.prefixlen for n in ipaddress.collapse_addresses(v4)] == [0]
    whole_v6 = [n.prefixlen for n in ipaddress.collapse_addresses(v6)] == [0]
    return whole_v4 or whole_v6


def world_facing(rule: Ingress, group: Sequence[Ingress]) -> bool:
    """Whether ``rule``'s ports are open to every address, by itself or together with the
    other rules of its security group that admit those ports too."""
    return covers_everyone(c for other in (rule, *group) if other.covers(rule) for c in other.cidrs)


def _inline_ingress(p: Mapping[str, Any]) -> list[Ingress]:
    return [
        ingress_of(r.get("protocol"), r.get("fromPort"), r.get("toPort"), r.get("cidrBlocks"), r.get("ipv6CidrBlocks"))
        for r in listify(p.get("ingress"))
        if isinstance(r, Mapping)
    ]


def _no_inline_world_ingress(p: Mapping[str, Any]) -> Iterable[str]:
    rules = _inline_ingress(p)
    for rule in rules:
        if world_facing(rule, rules):
            yield f"an inline ingress rule admits the whole internet on {rule.describe()}"



def _standalone_ingress(r: PolicyResource) -> Ingress | None:
    p = r.props
    if r.resource_type == INGRESS:
        return ingress_of(p.get("ipProtocol"), p.get("fromPort"), p.get("toPort"), p.get("cidrIpv4"), p.get("cidrIpv6"))
    if r.resource_type == SG_RULE and p.get("type") == "ingress":
        return ingress_of(p.get("protocol"), p.get("fromPort"), p.get("toPort"), p.get("cidrBlocks"),
                          p.get("ipv6CidrBlocks"))  # fmt: skip
    return None


#: The IP protocols of a listener's protocol (ALB: HTTP, HTTPS; NLB: TCP, TLS, UDP, TCP_UDP).
_LISTENER_IP_PROTOCOLS = {"UDP": ("udp",), "TCP_UDP": ("tcp", "udp")}


def _world_ingress(resources: Sequence[PolicyResource]) -> Iterable[tuple[str, str]]:
    # A public load balancer's group may admit the world on 80 and 443 over TCP, and on the ports
    # of its other listeners (the test listeners of blue/green, linear and canary deployments; a
    # network load balancer's listeners, over the IP protocols of their protocol: UDP, TCP_UDP).
    listener_ports: dict[str, set[tuple[str, int]]] = {}
    for listener in resources:
        if listener.resource_type in LISTENER_TYPES and isinstance(listener.props.get("port"), int):
            protocols = _LISTENER_IP_PROTOCOLS.get(str(listener.props.get("protocol") or "").upper(), ("tcp",))
            for lb in deps(listener, "loadBalancerArn"):
                listener_ports.setdefault(lb.urn, set()).update((p, listener.props["port"]) for p in protocols)
    open_ports: dict[str, set[tuple[str, int]]] = {}
    for lb in resources:
        if lb.resource_type in LB_TYPES and not lb.props.get("internal"):
            for sg in deps(lb, "securityGroups"):
                open_ports.setdefault(sg.urn, set()).update({("tcp", 80), ("tcp", 443)} | listener_ports.get(lb.urn, set()))
    # Every ingress permission of each security group (by URN, or by the literal id of a
    # group created elsewhere), so that blocks split over several rules add up.
    standalone: list[tuple[PolicyResource, Ingress, tuple[str, ...]]] = []
    pools: dict[tuple[str, ...], list[Ingress]] = {}
    for r in resources:
        rule = _standalone_ingress(r)
        if rule is None:
            continue
        key = tuple(sorted(g.urn for g in deps(r, "securityGroupId"))) or (
            f"id:{r.props.get('securityGroupId') or r.urn}",)
        standalone.append((r, rule, key))
        pools.setdefault(key, []).append(rule)
    for r in resources:
        if r.resource_type == SG and (r.urn,) in pools:
            pools[(r.urn,)] += _inline_ingress(r.props)
    for r, rule, key in standalone:
        if not world_facing(rule, pools[key]):
            continue
        groups = {k for k in key if not k.startswith("id:")}
        port, last = rule.ports
        if groups and port == last and all((rule.protocol, port) in open_ports.get(g, set()) for g in groups):
            continue
        split = "" if covers_everyone(rule.cidrs) else f" ({', '.join(rule.cidrs)} with the group's other rules)"
        yield (f"ingress from anywhere on {rule.describe()}{split} (allowed: only a public load balancer's 80, "
               "443 and its listeners' ports, over their protocols)"), r.urn  # fmt: skip



def _vpcs(resources: Sequence[PolicyResource]) -> list[PolicyResource]:
    """Every VPC the stack creates: ``aws:ec2/vpc:Vpc``, and an awsx VPC whose child VPC is not
    in view (the mock engine registers awsx components without their children)."""
    with_child = {r.parent.urn for r in resources if r.resource_type == VPC and r.parent is not None}
    return [r for r in resources
            if r.resource_type == VPC or (r.resource_type == AWSX_VPC and r.urn not in with_child)]  # fmt: skip


def _covers(guard: PolicyResource, vpc: PolicyResource) -> bool:
    """``guard``'s ``vpcId`` comes from ``vpc`` (or from the awsx component around it)."""
    sources = {d.urn for d in deps(guard, "vpcId")}
    return vpc.urn in sources or (vpc.parent is not None and vpc.parent.urn in sources)


def _vpc_flow_logs(resources: Sequence[PolicyResource]) -> Iterable[tuple[str, str]]:
    logs = [r for r in resources if r.resource_type == FLOW_LOG and r.props.get("trafficType") == "ALL"]
    for vpc in _vpcs(resources):
        if not waived(vpc.props, "EC2.6") and not any(_covers(log, vpc) for log in logs):
            yield "the VPC has no flow log of all its traffic (allowed: flowLogs: true, the default)", vpc.urn


def _default_sg_closed(resources: Sequence[PolicyResource]) -> Iterable[tuple[str, str]]:
    groups = [r for r in resources if r.resource_type == DEFAULT_SG]
    for vpc in _vpcs(resources):
        mine = [g for g in groups if _covers(g, vpc)]
        if not mine:
            yield "the VPC's default security group is left with AWS's default rules (allowed: none)", vpc.urn
        for g in mine:
            if g.props.get("ingress") or g.props.get("egress"):
                yield "the VPC's default security group has rules (allowed: none)", g.urn


RESOURCE_RULES: tuple[ResourceRule, ...] = (
    ResourceRule(
        "sg-described",
        None,
        "Security groups and their rules have descriptions",
        (SG, SG_RULE, INGRESS, EGRESS),
        _described,
    ),
    ResourceRule(
        "sg-no-inline-world-ingress",
        None,
        "Security groups have no inline ingress from anywhere (however split)",
        (SG,),
        _no_inline_world_ingress,
    ),
)  # fmt: skip

STACK_RULES: tuple[StackRule, ...] = (
    StackRule("sg-no-world-ingress", None,
              "Nothing admits the internet but a public load balancer's 80/443 and listener ports", _world_ingress),
    StackRule("ec2-2-default-sg-closed", "EC2.2", "A created VPC's default security group has no rules",
              _default_sg_closed),
    StackRule("ec2-6-vpc-flow-logs", "EC2.6", "A created VPC logs all its traffic", _vpc_flow_logs),
)  # fmt: skip
