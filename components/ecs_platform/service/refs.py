"""What a service is handed by the components around it: the load balancer it attaches to,
the Service Connect namespace, the one way two security groups are joined, and what a task's
own security group may send out (services and jobs alike)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from ecs_platform import facts
from ecs_platform.errors import raise_if


def tcp_path(
    names: tuple[str, str],
    *,
    source: pulumi.Input[str],
    target: pulumi.Input[str],
    port: int,
    descriptions: tuple[str, str],
    opts: pulumi.ResourceOptions,
) -> tuple[aws.vpc.SecurityGroupIngressRule, aws.vpc.SecurityGroupEgressRule]:
    """Let security group ``source`` reach ``target`` on one TCP port: the ingress rule on
    ``target`` and the matching egress rule on ``source``, named ``names``."""
    ingress = aws.vpc.SecurityGroupIngressRule(
        names[0], security_group_id=target, referenced_security_group_id=source, ip_protocol="tcp",
        from_port=port, to_port=port, description=descriptions[0], opts=opts,
    )  # fmt: skip
    egress = aws.vpc.SecurityGroupEgressRule(
        names[1], security_group_id=source, referenced_security_group_id=target, ip_protocol="tcp",
        from_port=port, to_port=port, description=descriptions[1], opts=opts,
    )  # fmt: skip
    return ingress, egress


def egress_cidr_problems(egress_cidrs: Sequence[str], vpc_cidr: object, where: str) -> list[str]:
    """``egressCidrs`` against the VPC's block when it is known: EC2 refuses a rule that
    duplicates the default's rule to the VPC (``InvalidPermission.Duplicate``)."""
    return [f"{where}.egressCidrs[{i}]: {c!r} is the VPC's CIDR block, which every task may already reach "
            "(allowed: other blocks; EC2 refuses a duplicate rule)" for i, c in enumerate(egress_cidrs)
            if c == vpc_cidr]  # fmt: skip


def task_egress(
    name: str,
    *,
    security_group_id: pulumi.Input[str],
    vpc_cidr: pulumi.Input[str],
    egress_cidrs: Sequence[str],
    who: str,
    where: str,
    opts: pulumi.ResourceOptions,
) -> list[aws.vpc.SecurityGroupEgressRule]:
    """What an awsvpc task may send (:data:`ecs_platform.facts.TASK_EGRESS_HTTPS_PORT`): HTTPS
    anywhere (``<name>-egress``), anything within the VPC (``<name>-egress-vpc``) and anything to
    each of ``egress_cidrs`` (``<name>-egress-<n>``, n from 1). An ``egress_cidrs`` block equal to
    ``vpc_cidr`` fails (a ConfigError naming ``where``) once the block is known, before its rule
    is created."""
    port = facts.TASK_EGRESS_HTTPS_PORT
    rules = [
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-egress", security_group_id=security_group_id, ip_protocol="tcp", from_port=port,
            to_port=port, cidr_ipv4="0.0.0.0/0", description=f"{who}: HTTPS to registries and AWS APIs", opts=opts,
        ),
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-egress-vpc", security_group_id=security_group_id, ip_protocol="-1", cidr_ipv4=vpc_cidr,
            description=f"{who}: anything within the VPC, its own dependencies", opts=opts,
        ),
    ]  # fmt: skip

    def checked(cidr: str, i: int) -> pulumi.Output[str]:
        def check(vpc: str) -> str:
            raise_if(egress_cidr_problems([*[""] * i, cidr], vpc, where), name)
            return cidr

        return pulumi.Output.from_input(vpc_cidr).apply(check)

    rules += [
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-egress-{i + 1}", security_group_id=security_group_id, ip_protocol="-1",
            cidr_ipv4=checked(cidr, i), description=f"{who}: anything to {cidr} (egressCidrs)", opts=opts,
        )
        for i, cidr in enumerate(egress_cidrs)
    ]  # fmt: skip
    return rules


@dataclass(frozen=True)
class LoadBalancerRef:
    """The load balancer a public service attaches to: a
    :class:`~ecs_platform.load_balancer.LoadBalancer` (its ``ref``), or one created elsewhere."""

    listener_arn: pulumi.Input[str]
    """The listener to add routing rules to. Required."""
    security_group_id: pulumi.Input[str]
    """The load balancer's security group: the only source the tasks admit. Required."""
    arn_suffix: pulumi.Input[str] | None = None
    """The load balancer's ARN suffix: the dimension of a public service's deployment alarms (and
    request-count autoscaling). Required for a public service."""
    test_listener_arns: Mapping[int, pulumi.Input[str]] = field(default_factory=dict)
    """Port -> the load balancer's test listener on it, for services whose deployment shifts
    traffic (``deployment.testPort``). Default none."""
    resource: pulumi.Resource | None = None
    """The load balancer resource itself, when this program creates it: the service's target
    groups are replaced whenever it is (``replace_with``), because a target group serves one
    load balancer only. Default none (a load balancer managed elsewhere)."""


@dataclass(frozen=True)
class ServiceConnectRef:
    """The Cloud Map namespace services find each other in (Service Connect)."""

    namespace_arn: pulumi.Input[str]
    """An HTTP namespace, e.g. the one :class:`~ecs_platform.platform.Platform` creates. Required."""
