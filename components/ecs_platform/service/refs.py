"""What a service is handed by the components around it: the load balancer it attaches to,
the Service Connect namespace, and the one way two security groups are joined."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws


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
    tls_ca_arn: pulumi.Input[str] | None = None
    """The AWS Private CA that issues the Service Connect certificates of the services with
    callers (TLS between endpoints). Default none: no TLS."""
    tls_role_arn: pulumi.Input[str] | None = None
    """The ECS infrastructure role that issues and rotates them
    (:func:`~ecs_platform.service_connect_tls.tls_role`). Required with ``tls_ca_arn``."""
    tls_kms_key: pulumi.Input[str] | None = None
    """The KMS key of the certificates' secrets. Default none: Secrets Manager's AWS managed key."""


@dataclass(frozen=True)
class NetworkLoadBalancerRef:
    """The network load balancer a TCP, UDP, TCP_UDP or TLS service attaches to: a
    :class:`~ecs_platform.network_load_balancer.NetworkLoadBalancer` (its ``ref``), or one created
    elsewhere with security groups. The service adds its listener, on its port."""

    arn: pulumi.Input[str]
    """The load balancer's ARN, which the service's listener is created on. Required."""
    security_group_id: pulumi.Input[str]
    """The load balancer's security group: the only source the tasks admit. Required."""
    arn_suffix: pulumi.Input[str]
    """The load balancer's ARN suffix: the dimension of the service's deployment alarm. Required."""
    certificate_arn: pulumi.Input[str] | None = None
    """The certificate of TLS listeners. Required for a TLS service. Default none."""
    ssl_policy: str | None = None
    """The TLS listeners' security policy. Required for a TLS service. Default none."""
    resource: pulumi.Resource | None = None
    """The load balancer resource itself, when this program creates it: the service's target group
    is replaced whenever it is (``replace_with``: a target group serves one load balancer). Default
    none."""


@dataclass(frozen=True)
class LatticeRef:
    """The VPC Lattice service network a service with ``lattice`` joins: a
    :class:`~ecs_platform.lattice.LatticeNetwork` (its ``ref``), or one created elsewhere."""

    service_network: pulumi.Input[str]
    """The service network's ARN (or ID). Required."""
    prefix_list_id: pulumi.Input[str]
    """The region's VPC Lattice managed prefix list (``com.amazonaws.<region>.vpc-lattice``): the
    addresses Lattice reaches targets from and clients reach Lattice at. Required."""
    security_group_id: pulumi.Input[str] | None = None
    """The security group of the service network's association with the VPC, when this program
    created it: callers of the stack are admitted on it. Default none (an association managed
    elsewhere)."""
