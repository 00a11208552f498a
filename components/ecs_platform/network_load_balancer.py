"""NetworkLoadBalancer: the stack's network load balancer for TCP, UDP, TCP_UDP and TLS services,
with its own security group."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pulumi
import pulumi_aws as aws

from ecs_platform import facts
from ecs_platform.boundary import Boundary, PlainStr
from ecs_platform.outputs import waiver_tags
from ecs_platform.service import NetworkLoadBalancerRef
from ecs_platform.specs import LoadBalancerSpec
from ecs_platform.specs.base import python_problems
from ecs_platform.wiring import REGION, SUBNET_ID, VPC_ID, deferred_wiring


class NetworkLoadBalancer(pulumi.ComponentResource):
    """A network load balancer in every zone, created with a security group (AWS lets an NLB have
    security groups only if it is created with one, "Security groups for your Network Load
    Balancer": https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-security-groups.html).

    * its security group admits ``ingress_cidrs`` on each listener's port and IP protocol, nothing
      else; out only to the services that attach (each adds its own egress rules, health checks
      included: they are subject to outbound rules);
    * cross-zone load balancing on (off by default on an NLB), so a zone's node reaches the
      healthy tasks of every zone;
    * deletion protection as ``loadBalancer.deletionProtection``.

    Each service adds its own listener (on its port) and target group. Outputs: ``arn``,
    ``arn_suffix``, ``dns_name``, ``security_group_id``; ``ref`` for the services.
    """

    def __init__(
        self,
        name: str,
        spec: LoadBalancerSpec,
        *,
        vpc_id: pulumi.Input[str],
        subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]],
        listeners: Mapping[int, str],
        region: str,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """``subnet_ids``: one per zone, the public ones (internal: the private ones). ``listeners``:
        port -> listener protocol (TCP, UDP, TCP_UDP, TLS) of the services that will attach; their
        ports are what the security group admits. A TLS listener needs ``spec.certificate_arn``, in
        ``region`` (the stack's)."""
        bd = Boundary("NetworkLoadBalancer", name, opts)
        checked = bd.spec("spec", spec, LoadBalancerSpec)
        bd.wiring("vpc_id", vpc_id, VPC_ID)
        bd.wiring_list("subnet_ids", subnet_ids, SUBNET_ID)
        region = bd.plain("region", region, PlainStr)
        if isinstance(region, str):
            bd.wiring("region", region, REGION)
        if not isinstance(listeners, Mapping) or not listeners:
            bd.add("listeners", f"{listeners!r} has no listener (allowed: the ports of the services that attach, "
                   "port -> TCP, UDP, TCP_UDP or TLS)")  # fmt: skip
            listeners = {}
        for port, protocol in sorted(listeners.items()):
            if protocol not in facts.NLB_PROTOCOLS or not isinstance(port, int) or not 1 <= port <= 65535:
                bd.add(f"listeners[{port}]", f"{protocol!r} is not a listener (allowed: a port 1..65535 -> "
                       f"{', '.join(facts.NLB_PROTOCOLS)})")  # fmt: skip
            elif protocol == "TLS" and checked is not None and checked.certificate_arn is None:
                bd.add(f"listeners[{port}]", "TLS needs spec.certificate_arn (allowed: a certificate on the spec, "
                       "or TCP)")  # fmt: skip
        if checked is not None and "TLS" in listeners.values() and isinstance(region, str):
            bd.problems += python_problems(type(checked), checked.region_problems(region))
        bd.autoname("name", name, "aws:lb/loadBalancer:LoadBalancer", name, "load balancer name")
        bd.autoname("name", name, "aws:ec2/securityGroup:SecurityGroup", f"{name}-sg", "security group name")
        bd.claim("ecs-platform:lb:NetworkLoadBalancer", name, "name", "is the name")
        bd.done(self)
        assert checked is not None
        spec = checked
        subnet_ids = deferred_wiring(subnet_ids, SUBNET_ID, "NetworkLoadBalancer.subnet_ids", many=True)
        vpc_id = deferred_wiring(vpc_id, VPC_ID, "NetworkLoadBalancer.vpc_id")
        super().__init__("ecs-platform:lb:NetworkLoadBalancer", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        self.security_group = aws.ec2.SecurityGroup(
            f"{name}-sg",
            vpc_id=vpc_id,
            description=f"Network load balancer {name}: clients in on the listener ports, services out",
            opts=child,
        )
        self.ingress_rules = [
            aws.vpc.SecurityGroupIngressRule(
                f"{name}-in-{proto}-{port}" + ("" if i == 0 else f"-{i}"),
                security_group_id=self.security_group.id,
                ip_protocol=proto,
                from_port=port,
                to_port=port,
                cidr_ipv4=cidr,
                description=f"{protocol} listener {port} ({proto}) from clients",
                opts=child,
            )
            for port, protocol in sorted(listeners.items())
            for proto in facts.NLB_IP_PROTOCOLS[protocol]
            for i, cidr in enumerate(spec.ingress_cidrs)
        ]
        waivers = {"ELB.6": "deletionProtection: false in config"} if not spec.deletion_protection else {}
        self.load_balancer = aws.lb.LoadBalancer(
            name,
            load_balancer_type="network",
            internal=spec.internal,
            security_groups=[self.security_group.id],
            subnets=subnet_ids,
            enable_cross_zone_load_balancing=True,
            enable_deletion_protection=spec.deletion_protection,
            tags=waiver_tags(waivers) or None,
            opts=child,
        )
        self.arn = self.load_balancer.arn
        self.arn_suffix = self.load_balancer.arn_suffix
        self.dns_name = self.load_balancer.dns_name
        self.security_group_id = self.security_group.id
        self.ref = NetworkLoadBalancerRef(
            arn=self.arn,
            security_group_id=self.security_group_id,
            arn_suffix=self.arn_suffix,
            certificate_arn=spec.certificate_arn,
            ssl_policy=spec.ssl_policy,
            resource=self.load_balancer,
        )
        self.register_outputs({"arn": self.arn, "dnsName": self.dns_name})
