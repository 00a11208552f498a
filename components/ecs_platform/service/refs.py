"""What a service is handed by the components around it: the load balancer it attaches to,
the Service Connect namespace, and the one way two security groups are joined."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import pulumi
import pulumi_aws as aws

from ecs_platform.boundary import Boundary
from ecs_platform.errors import show
from ecs_platform.wiring import (
    CERTIFICATE_ARN,
    KMS_KEY_ARN,
    LATTICE_NETWORK,
    LISTENER_ARN,
    LOAD_BALANCER_ARN_SUFFIX,
    NLB_ARN,
    NLB_ARN_SUFFIX,
    PREFIX_LIST_ID,
    PRIVATE_CA_ARN,
    ROLE_ARN,
    SECURITY_GROUP_ID,
    deferred_wiring,
    in_stack,
    load_balancer_of,
)


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


def checked_load_balancer(bd: Boundary, value: Any, context: Any) -> LoadBalancerRef | None:
    """``load_balancer`` at a service's boundary: a :class:`LoadBalancerRef` (or None) whose
    listener ARNs, security group and ARN suffix have AWS's grammar and, where plain, name one
    load balancer."""
    ref: LoadBalancerRef | None = bd.instance(
        "load_balancer", value, (LoadBalancerRef,), "a LoadBalancerRef(listener_arn=..., security_group_id=..., "
        "arn_suffix=...), e.g. a LoadBalancer's .ref, or None", optional=True)  # fmt: skip
    if ref is None:
        return None
    bd.wiring("load_balancer.listener_arn", ref.listener_arn, LISTENER_ARN, context)
    bd.wiring("load_balancer.security_group_id", ref.security_group_id, SECURITY_GROUP_ID)
    bd.wiring("load_balancer.arn_suffix", ref.arn_suffix, LOAD_BALANCER_ARN_SUFFIX, optional=True)
    if not isinstance(ref.test_listener_arns, Mapping):
        bd.add("load_balancer.test_listener_arns", f"{show(ref.test_listener_arns)} is not a dict (allowed: port "
               "-> listener ARN)")  # fmt: skip
        return None
    for port, arn in ref.test_listener_arns.items():
        bd.wiring(f"load_balancer.test_listener_arns.{port}", arn, LISTENER_ARN, context)
    suffix = ref.arn_suffix
    if isinstance(suffix, str) and LOAD_BALANCER_ARN_SUFFIX.problem(suffix) is None:
        for key, arn in [("listener_arn", ref.listener_arn),
                         *((f"test_listener_arns.{p}", a) for p, a in ref.test_listener_arns.items())]:  # fmt: skip
            if isinstance(arn, str) and LISTENER_ARN.problem(arn) is None and load_balancer_of(arn) != suffix:
                bd.add(f"load_balancer.{key}", f"{show(arn)} is a listener of load balancer {load_balancer_of(arn)}, "
                       f"not of {suffix} (the arn_suffix) (allowed: listeners of the load balancer the service's "
                       "alarms watch)")  # fmt: skip
    return ref


def load_balancer_in_stack(ref: LoadBalancerRef | None, ctx: Any) -> LoadBalancerRef | None:
    """``ref`` with each Output checked once known, before the rules and groups that use it."""
    if ref is None:
        return None
    at = "Service.load_balancer."

    def listener(arn: pulumi.Input[str], key: str) -> pulumi.Input[str]:
        return in_stack(deferred_wiring(arn, LISTENER_ARN, at + key), LISTENER_ARN, at + key, ctx)

    return replace(
        ref,
        listener_arn=listener(ref.listener_arn, "listener_arn"),
        security_group_id=deferred_wiring(ref.security_group_id, SECURITY_GROUP_ID, at + "security_group_id"),
        arn_suffix=deferred_wiring(ref.arn_suffix, LOAD_BALANCER_ARN_SUFFIX, at + "arn_suffix"),
        test_listener_arns={p: listener(a, f"test_listener_arns.{p}") for p, a in ref.test_listener_arns.items()},
    )


def checked_network_load_balancer(
    bd: Boundary, ref: NetworkLoadBalancerRef, spec: Any, context: Any
) -> NetworkLoadBalancerRef:
    """``load_balancer`` at a TCP/UDP/TCP_UDP/TLS service's boundary: its ARN, ARN suffix and
    security group in AWS's grammar (of the stack, where plain), and for a TLS service the
    certificate (of the stack's region) and TLS policy its listener needs."""
    bd.wiring("load_balancer.arn", ref.arn, NLB_ARN, context)
    bd.wiring("load_balancer.arn_suffix", ref.arn_suffix, NLB_ARN_SUFFIX)
    bd.wiring("load_balancer.security_group_id", ref.security_group_id, SECURITY_GROUP_ID)
    if getattr(spec, "protocol", None) == "TLS":
        bd.wiring("load_balancer.certificate_arn", ref.certificate_arn, CERTIFICATE_ARN, context)
        if ref.ssl_policy is None:
            bd.add("load_balancer.ssl_policy", "None is missing (allowed: a TLS security policy, required for a TLS "
                   "listener)")  # fmt: skip
    return ref


def network_load_balancer_in_stack(ref: NetworkLoadBalancerRef) -> NetworkLoadBalancerRef:
    """``ref`` with each Output checked once known, before the listener and rules that use it."""
    at = "Service.load_balancer."
    return replace(
        ref,
        arn=deferred_wiring(ref.arn, NLB_ARN, at + "arn"),
        arn_suffix=deferred_wiring(ref.arn_suffix, NLB_ARN_SUFFIX, at + "arn_suffix"),
        security_group_id=deferred_wiring(ref.security_group_id, SECURITY_GROUP_ID, at + "security_group_id"),
    )


def checked_lattice(bd: Boundary, value: Any, context: Any) -> LatticeRef | None:
    """``lattice`` at a service's boundary: a :class:`LatticeRef` (or None) whose service network,
    prefix list and association group have AWS's grammar."""
    ref: LatticeRef | None = bd.instance(
        "lattice", value, (LatticeRef,), "a LatticeRef(service_network=..., prefix_list_id=...), e.g. a "
        "LatticeNetwork's .ref, or None", optional=True)  # fmt: skip
    if ref is not None:
        bd.wiring("lattice.service_network", ref.service_network, LATTICE_NETWORK, context)
        bd.wiring("lattice.prefix_list_id", ref.prefix_list_id, PREFIX_LIST_ID)
        bd.wiring("lattice.security_group_id", ref.security_group_id, SECURITY_GROUP_ID, optional=True)
    return ref


def checked_service_connect_tls(bd: Boundary, ref: ServiceConnectRef, context: Any) -> None:
    """A ServiceConnectRef's TLS settings: the private CA and the key (of the stack's partition and
    region, where plain), and the role, required with the CA."""
    bd.wiring("service_connect.tls_ca_arn", ref.tls_ca_arn, PRIVATE_CA_ARN, context, optional=True)
    if ref.tls_ca_arn is not None:
        bd.wiring("service_connect.tls_role_arn", ref.tls_role_arn, ROLE_ARN, context)
    bd.wiring("service_connect.tls_kms_key", ref.tls_kms_key, KMS_KEY_ARN, context, optional=True)
