"""The stack's network load balancer: what its services ask of it together (one listener per port,
the certificate of its TLS listeners, what its security group can hold). The network load balancer
shares ``loadBalancer``'s scheme, client blocks, certificate, TLS policy and deletion protection
with the application load balancer."""

from __future__ import annotations

from collections.abc import Mapping

from ecs_platform import facts as f
from ecs_platform.errors import show
from ecs_platform.specs.base import Loc
from ecs_platform.specs.cluster import ClusterSpec
from ecs_platform.specs.load_balancer import LoadBalancerSpec
from ecs_platform.specs.service import ServiceSpec, network_mode


def nlb_listeners(services: Mapping[str, ServiceSpec]) -> dict[int, str]:
    """Port -> listener protocol of the network load balancer (its services' ports)."""
    return {svc.port: svc.protocol for svc in services.values() if svc.on_network_load_balancer and svc.port}


def nlb_paths(svc: ServiceSpec) -> list[tuple[str, int]]:
    """(IP protocol, port) pairs the load balancer reaches the service's tasks on: its listener
    protocol's on the port, and TCP on the health check's port (health checks are subject to the
    load balancer's outbound rules: "Security groups for your Network Load Balancer",
    https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-security-groups.html)."""
    assert svc.port is not None
    pairs = [(proto, svc.port) for proto in f.NLB_IP_PROTOCOLS[svc.protocol]]
    health = ("tcp", svc.effective_target_health_check.port or svc.port)
    return pairs + ([health] if health not in pairs else [])


def nlb_problems(
    services: Mapping[str, ServiceSpec], lb: LoadBalancerSpec, cluster: ClusterSpec, zones: tuple[Loc, int]
) -> list[tuple[Loc, str]]:
    """One listener per port (CreateListener ``DuplicateListener``; TCP and UDP on one port is one
    ``TCP_UDP`` listener), a certificate for TLS listeners (CreateListener: "If the protocol is
    HTTPS or TLS, you must specify ... exactly one certificate"), ``ip`` targets (the tasks' own
    security group admits the load balancer's), the listeners and security group rules within AWS's
    default quotas, and two zones (Security Hub ELB.13, which the platform keeps on; ``zones``: the
    key and count of the load balancer's zones, checked here only without an application load
    balancer, whose rule says the same).
    https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateListener.html"""
    out: list[tuple[Loc, str]] = []
    network = [n for n, svc in services.items() if svc.on_network_load_balancer]
    if not network:
        return out
    seen: dict[int, str] = {}
    for name in network:
        svc = services[name]
        assert svc.port is not None  # a public service has a port (ServiceSpec)
        loc: Loc = ("services", name)
        if svc.port in seen:
            out.append(((*loc, "port"), f"{svc.port} is also the listener port of {seen[svc.port]} on the network "
                        "load balancer (allowed: a port no other TCP/UDP/TCP_UDP/TLS service has; one TCP_UDP "
                        "service serves both protocols on a port)"))  # fmt: skip
        seen.setdefault(svc.port, name)
        if svc.protocol == "TLS" and lb.certificate_arn is None:
            out.append(((*loc, "protocol"), '"TLS" needs a certificate for its listener, and '
                        "loadBalancer.certificateArn is missing (allowed: an ACM certificate ARN in "
                        "loadBalancer.certificateArn, or protocol TCP to pass TLS through to the tasks)"))  # fmt: skip
        mode = network_mode(svc, cluster)
        if mode != "awsvpc":
            out.append(((*loc, "networkMode"), f"{show(mode)} gives the tasks no security group of their own for "
                        "the network load balancer's ip targets (allowed: awsvpc with protocol "
                        f"{svc.protocol})"))  # fmt: skip
    if len(seen) > f.MAX_NLB_LISTENERS:
        out.append((("services",), f"{len(seen)} TCP/UDP/TCP_UDP/TLS services make {len(seen)} listeners on the "
                    f"network load balancer (allowed: at most {f.MAX_NLB_LISTENERS}, AWS's default "
                    f"{f.NLB_LISTENERS_QUOTA!r} quota)"))  # fmt: skip
    listeners = nlb_listeners(services)
    inbound = len(lb.ingress_cidrs) * sum(len(f.NLB_IP_PROTOCOLS[p]) for p in listeners.values())
    if inbound > f.MAX_SECURITY_GROUP_RULES:
        out.append((("loadBalancer", "ingressCidrs"), f"{len(lb.ingress_cidrs)} blocks make {inbound} inbound rules "
                    "on the network load balancer's security group (one per block, listener port and IP protocol) "
                    f"(allowed: at most {f.MAX_SECURITY_GROUP_RULES} rules, AWS's default quota per security "
                    "group)"))  # fmt: skip
    outbound = sum(len(nlb_paths(services[n])) for n in network)
    if outbound > f.MAX_SECURITY_GROUP_RULES:
        out.append((("services",), f"the network load balancer's services need {outbound} outbound rules on its "
                    "security group (one per service, port and IP protocol) (allowed: at most "
                    f"{f.MAX_SECURITY_GROUP_RULES}, AWS's default quota per security group)"))  # fmt: skip
    key, count = zones
    if count < 2 and not any(svc.on_application_load_balancer for svc in services.values()):
        out.append((key, f"{count} is too few zones for the network load balancer of {', '.join(network)} (allowed: "
                    "2 or more: the platform keeps Security Hub's ELB.13, load balancers span several zones)"))
    return out
