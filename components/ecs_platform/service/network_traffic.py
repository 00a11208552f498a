"""A TCP, UDP, TCP_UDP or TLS service's traffic: its listener and ``ip`` target group on the
network load balancer, the security group paths from the load balancer (the listener's protocols
on the port, TCP on the health check's port), and its deployment alarm."""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from ecs_platform import facts
from ecs_platform.names import target_group_name
from ecs_platform.outputs import after
from ecs_platform.service.refs import NetworkLoadBalancerRef
from ecs_platform.specs import ServiceSpec
from ecs_platform.specs.nlb import nlb_paths


@dataclass
class NetworkTraffic:
    """What :func:`attach_network` created for one service, and the ``loadBalancers`` entry of its
    ECS service."""

    target_group: aws.lb.TargetGroup
    listener: aws.lb.Listener
    paths: list[tuple[aws.vpc.SecurityGroupIngressRule, aws.vpc.SecurityGroupEgressRule]]
    service_load_balancer: aws.ecs.ServiceLoadBalancerArgs
    alarms: list[aws.cloudwatch.MetricAlarm] = field(default_factory=list)


def attach_network(
    parent: pulumi.Resource,
    name: str,
    container_name: str,
    spec: ServiceSpec,
    *,
    vpc_id: pulumi.Input[str],
    security_group_id: pulumi.Input[str],
    nlb: NetworkLoadBalancerRef,
) -> NetworkTraffic:
    """The service's target group (``ip`` targets, the listener's target protocol, a health check
    that fits it), its listener on its port (TLS on the load balancer's certificate and policy),
    and the rules between the load balancer's security group and the tasks': each (IP protocol,
    port) pair of :func:`~ecs_platform.specs.nlb.nlb_paths`, nothing else."""
    child = pulumi.ResourceOptions(parent=parent)
    port = spec.port
    assert port is not None  # a public service has a port (checked up front)
    protocol = spec.protocol
    target_protocol = facts.NLB_TARGET_PROTOCOLS[protocol]
    hc = spec.effective_target_health_check
    http_check = spec.health_check_protocol == "HTTP"
    target_group = aws.lb.TargetGroup(
        f"{name}-tg",
        name=target_group_name(f"{name}-tg", port=port, protocol=target_protocol, target_type="ip", vpc_id=vpc_id),
        port=port,
        protocol=target_protocol,
        target_type="ip",
        vpc_id=vpc_id,
        deregistration_delay=spec.effective_deregistration_delay,
        health_check=aws.lb.TargetGroupHealthCheckArgs(
            enabled=True,
            protocol=spec.health_check_protocol,
            port=str(hc.port) if hc.port is not None else "traffic-port",
            path=hc.path if http_check else None,
            matcher=hc.matcher if http_check else None,
            interval=hc.interval,
            timeout=hc.timeout,
            healthy_threshold=hc.healthy_threshold,
            unhealthy_threshold=hc.unhealthy_threshold,
        ),
        # A target group serves one load balancer: it is replaced with it (see traffic._target_group).
        opts=pulumi.ResourceOptions(parent=parent, replace_with=[nlb.resource] if nlb.resource else None),
    )
    tls = protocol == "TLS"
    listener = aws.lb.Listener(
        f"{name}-listener",
        load_balancer_arn=nlb.arn,
        port=port,
        protocol=protocol,
        certificate_arn=nlb.certificate_arn if tls else None,
        ssl_policy=nlb.ssl_policy if tls else None,
        default_actions=[aws.lb.ListenerDefaultActionArgs(type="forward", target_group_arn=target_group.arn)],
        opts=child,
    )
    paths = []
    for proto, to_port in nlb_paths(spec):
        what = f"{proto} {to_port}" + (" (health checks)" if to_port != port else "")
        ingress = aws.vpc.SecurityGroupIngressRule(
            f"{name}-from-nlb-{proto}-{to_port}", security_group_id=security_group_id,
            referenced_security_group_id=nlb.security_group_id, ip_protocol=proto, from_port=to_port,
            to_port=to_port, description=f"Network load balancer to {name} on {what}", opts=child,
        )  # fmt: skip
        egress = aws.vpc.SecurityGroupEgressRule(
            f"{name}-nlb-egress-{proto}-{to_port}", security_group_id=nlb.security_group_id,
            referenced_security_group_id=security_group_id, ip_protocol=proto, from_port=to_port,
            to_port=to_port, description=f"Network load balancer to {name} tasks on {what}", opts=child,
        )  # fmt: skip
        paths.append((ingress, egress))
    # ECS registers the tasks once the listener forwards to the group.
    service_lb = aws.ecs.ServiceLoadBalancerArgs(
        target_group_arn=after(target_group.arn, listener),
        container_name=container_name,
        container_port=port,
    )
    traffic = NetworkTraffic(target_group, listener, paths, service_lb)
    traffic.alarms = [_unhealthy_alarm(parent, name, nlb, spec, target_group)]
    return traffic


def _unhealthy_alarm(
    parent: pulumi.Resource, name: str, nlb: NetworkLoadBalancerRef, spec: ServiceSpec, tg: aws.lb.TargetGroup
) -> aws.cloudwatch.MetricAlarm:
    """Unhealthy targets of the service's target group above the threshold: its deployments roll
    back on it (a network load balancer reports no HTTP codes, so there is no 5xx alarm)."""
    t = spec.deployment.effective_thresholds
    return aws.cloudwatch.MetricAlarm(
        f"{name}-unhealthy",
        alarm_description=f"Deployments of {name} roll back: more than {t.unhealthy_hosts} unhealthy targets of "
        f"target group {name}-tg for {t.minutes} minute(s)",
        namespace=facts.NLB_METRICS_NAMESPACE,
        metric_name="UnHealthyHostCount",
        statistic="Maximum",
        dimensions={"TargetGroup": tg.arn_suffix, "LoadBalancer": nlb.arn_suffix},
        period=60,
        evaluation_periods=t.minutes,
        datapoints_to_alarm=t.minutes,
        threshold=t.unhealthy_hosts,
        comparison_operator="GreaterThanThreshold",
        # No targets is no evidence of a bad release.
        treat_missing_data="notBreaching",
        opts=pulumi.ResourceOptions(parent=parent),
    )
