"""A public service's traffic: its target groups and listener rules on the shared load
balancer, the security group path from the load balancer, the deployment alarms on its target
groups and, for deployments that shift traffic, the infrastructure role ECS moves it with."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from ecs_platform.iam import AwsContext, policy_document, unscoped_statement
from ecs_platform.names import target_group_name
from ecs_platform.outputs import after
from ecs_platform.service.refs import LoadBalancerRef, tcp_path
from ecs_platform.specs import ServiceSpec


@dataclass
class Traffic:
    """What :func:`attach` created for one service, and the ``loadBalancers`` entry of its ECS
    service."""

    target_group: aws.lb.TargetGroup
    alternate_target_group: aws.lb.TargetGroup | None
    listener_rules: list[aws.lb.ListenerRule]
    ingress_from_load_balancer: aws.vpc.SecurityGroupIngressRule | None
    """The path from the load balancer to the tasks' own security group (``awsvpc``); ``None`` for
    instance targets, which the instances admit (:func:`instance_paths`)."""
    load_balancer_egress: aws.vpc.SecurityGroupEgressRule | None
    service_load_balancer: aws.ecs.ServiceLoadBalancerArgs
    test_listener_rule: aws.lb.ListenerRule | None = None
    infrastructure_role: aws.iam.Role | None = None
    infrastructure_policy: aws.iam.RolePolicy | None = None
    alarms: list[aws.cloudwatch.MetricAlarm] = field(default_factory=list)


def attach(
    parent: pulumi.Resource,
    name: str,
    container_name: str,
    spec: ServiceSpec,
    *,
    vpc_id: pulumi.Input[str],
    security_group_id: pulumi.Input[str] | None,
    lb: LoadBalancerRef,
    priorities: Sequence[int],
    ctx: AwsContext,
) -> Traffic:
    """Target group, listener rules and the two security group rules between the load balancer
    and the tasks (on the container port, nothing else). A deployment that shifts traffic adds
    the alternate target group, the rule on the test listener and the infrastructure role ECS
    moves traffic with. ``security_group_id`` ``None``: the tasks share their EC2 instance's network
    (``bridge``, ``host``): ``instance`` targets, which :func:`instance_paths` lets the load balancer
    reach."""
    child = pulumi.ResourceOptions(parent=parent)
    port = spec.port
    assert port is not None  # a public service has a port (checked up front)
    shifts = spec.deployment.shifts_traffic
    target_type = "ip" if security_group_id is not None else "instance"
    target_group = _target_group(parent, f"{name}-tg", spec, vpc_id, target_type, lb.resource)
    alternate = _target_group(parent, f"{name}-tg-alt", spec, vpc_id, target_type, lb.resource) if shifts else None
    forward = _forward(target_group, alternate)
    # ECS moves traffic by rewriting the weights of the rules' forward action: the rules start at
    # 100/0 and their actions are ECS's from then on, unless `deployment.retarget` hands them the
    # configured target groups again (a service switching to a traffic-shifting strategy).
    owned_by_ecs = shifts and not spec.deployment.retarget
    rule_opts = pulumi.ResourceOptions(parent=parent, ignore_changes=["actions"] if owned_by_ecs else None)
    rules = [
        aws.lb.ListenerRule(
            f"{name}-route-{i}",
            listener_arn=lb.listener_arn,
            priority=priorities[i],
            actions=[forward],
            conditions=_conditions(route.paths, route.hosts),
            opts=rule_opts,
        )
        for i, route in enumerate(spec.effective_routes)
    ]
    ingress = egress = None
    if security_group_id is not None:
        ingress, egress = tcp_path(
            (f"{name}-from-lb", f"{name}-lb-egress"),
            source=lb.security_group_id,
            target=security_group_id,
            port=port,
            descriptions=(
                f"Load balancer to {name} on its container port",
                f"Load balancer to {name} tasks on their container port",
            ),
            opts=child,
        )
    advanced = None
    test_rule = role = policy = None
    if alternate is not None and spec.deployment.test_port is not None:
        route = spec.effective_routes[0]  # one route (checked by the spec)
        test_listener = lb.test_listener_arns[spec.deployment.test_port]
        test_rule = aws.lb.ListenerRule(
            f"{name}-test-route",
            listener_arn=test_listener,
            priority=priorities[0],
            actions=[forward],
            conditions=_conditions(route.paths, route.hosts),
            opts=rule_opts,
        )
        production_rule = rules[0]
        role, policy = _infrastructure_role(
            parent, name, ctx, rules=[production_rule.arn, test_rule.arn],
            target_groups=[target_group.arn, alternate.arn],
        )  # fmt: skip
        advanced = aws.ecs.ServiceLoadBalancerAdvancedConfigurationArgs(
            alternate_target_group_arn=alternate.arn,
            production_listener_rule=production_rule.arn,
            test_listener_rule=test_rule.arn,
            role_arn=after(role.arn, policy),
        )
    # ECS refuses a target group no listener uses yet: pass its ARN on only
    # once the rules exist.
    service_lb = aws.ecs.ServiceLoadBalancerArgs(
        target_group_arn=after(target_group.arn, *rules, test_rule),
        container_name=container_name,
        container_port=port,
        advanced_configuration=advanced,
    )
    traffic = Traffic(target_group, alternate, rules, ingress, egress, service_lb, test_rule, role, policy)
    traffic.alarms = _alarms(parent, name, lb, spec, traffic)
    return traffic


def _target_group(
    parent: pulumi.Resource,
    name: str,
    spec: ServiceSpec,
    vpc_id: pulumi.Input[str],
    target_type: str,
    load_balancer: pulumi.Resource | None,
) -> aws.lb.TargetGroup:
    """The service's target group: ``ip`` targets (awsvpc tasks) or ``instance`` targets
    (bridge/host tasks, registered by ECS with the instance and its host port: "Use an Application
    Load Balancer for Amazon ECS"). It is replaced with the load balancer (``replace_with``): a
    target group serves one load balancer ("Load balancers per target group: 1", ALB quotas,
    https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html),
    so when the load balancer is replaced (``internal`` changes it: the provider's ForceNew), the
    new listeners' rules could not forward to the old group (TargetGroupAssociationLimit). A new,
    auto-named group comes up with them, the ECS service moves to it (UpdateService
    ``loadBalancers``), and the old one is deleted with the old rules."""
    hc = spec.effective_target_health_check
    # A traffic-shifting service's groups keep the port they were created with: ECS holds their
    # ARNs, and a new port would replace them (see KEPT_BY_SHIFTING_GROUPS).
    keep = list(KEPT_BY_SHIFTING_GROUPS) if spec.deployment.shifts_traffic else None
    return aws.lb.TargetGroup(
        name,
        name=target_group_name(name, port=spec.port, protocol="HTTP", target_type=target_type, vpc_id=vpc_id),
        port=spec.port,
        protocol="HTTP",
        target_type=target_type,
        vpc_id=vpc_id,
        deregistration_delay=spec.effective_deregistration_delay,
        health_check=aws.lb.TargetGroupHealthCheckArgs(
            enabled=True,
            protocol="HTTP",
            port="traffic-port",
            path=hc.path,
            matcher=hc.matcher,
            interval=hc.interval,
            timeout=hc.timeout,
            healthy_threshold=hc.healthy_threshold,
            unhealthy_threshold=hc.unhealthy_threshold,
        ),
        opts=pulumi.ResourceOptions(
            parent=parent, ignore_changes=keep, replace_with=[load_balancer] if load_balancer else None
        ),
    )


def _forward(target_group: aws.lb.TargetGroup, alternate: aws.lb.TargetGroup | None) -> aws.lb.ListenerRuleActionArgs:
    """Forward to the target group; with an alternate one, a weighted forward (100/0) whose
    weights ECS then owns."""
    if alternate is None:
        return aws.lb.ListenerRuleActionArgs(type="forward", target_group_arn=target_group.arn)
    return aws.lb.ListenerRuleActionArgs(
        type="forward",
        forward=aws.lb.ListenerRuleActionForwardArgs(
            target_groups=[
                aws.lb.ListenerRuleActionForwardTargetGroupArgs(arn=target_group.arn, weight=100),
                aws.lb.ListenerRuleActionForwardTargetGroupArgs(arn=alternate.arn, weight=0),
            ]
        ),
    )


def _infrastructure_role(
    parent: pulumi.Resource,
    name: str,
    ctx: AwsContext,
    *,
    rules: Sequence[pulumi.Input[str]],
    target_groups: Sequence[pulumi.Input[str]],
) -> tuple[aws.iam.Role, aws.iam.RolePolicy]:
    """The ECS infrastructure role for load balancers, limited to this service's listeners,
    rules and target groups."""
    child = pulumi.ResourceOptions(parent=parent)
    role = aws.iam.Role(
        f"{name}-infrastructure",
        assume_role_policy=ctx.trust("ecs-infrastructure"),
        description=f"ECS moves {name}'s load balancer traffic during deployments",
        opts=child,
    )
    policy = aws.iam.RolePolicy(
        f"{name}-infrastructure-policy",
        role=role.name,
        policy=policy_document(infrastructure_statements(rules, target_groups)),
        opts=child,
    )
    return role, policy


def _alarms(
    parent: pulumi.Resource, name: str, lb: LoadBalancerRef, spec: ServiceSpec, traffic: Traffic
) -> list[aws.cloudwatch.MetricAlarm]:
    """CloudWatch alarms on each target group of the service: 5xx responses from its tasks,
    and unhealthy tasks, above the thresholds; the service's deployments roll back on them."""
    assert lb.arn_suffix is not None  # required for a public service (checked up front)
    t = spec.deployment.effective_thresholds
    alarms = []
    for suffix, tg in (("", traffic.target_group), ("-alt", traffic.alternate_target_group)):
        if tg is None:
            continue
        dimensions = {"TargetGroup": tg.arn_suffix, "LoadBalancer": lb.arn_suffix}
        for key, metric, statistic, threshold, what in (
            ("5xx", "HTTPCode_Target_5XX_Count", "Sum", t.target5xx, "5xx responses per minute from"),
            ("unhealthy", "UnHealthyHostCount", "Maximum", t.unhealthy_hosts, "unhealthy targets of"),
        ):
            alarms.append(
                aws.cloudwatch.MetricAlarm(
                    f"{name}-{key}{suffix}",
                    alarm_description=f"Deployments of {name} roll back: more than {threshold} {what} "
                    f"target group {name}-tg{suffix} for {t.minutes} minute(s)",
                    namespace="AWS/ApplicationELB",
                    metric_name=metric,
                    statistic=statistic,
                    dimensions=dimensions,
                    period=60,
                    evaluation_periods=t.minutes,
                    datapoints_to_alarm=t.minutes,
                    threshold=threshold,
                    comparison_operator="GreaterThanThreshold",
                    # No requests or no targets is no evidence of a bad release.
                    treat_missing_data="notBreaching",
                    opts=pulumi.ResourceOptions(parent=parent),
                )
            )
    return alarms


def _conditions(paths: Sequence[str], hosts: Sequence[str]) -> list[aws.lb.ListenerRuleConditionArgs]:
    """A route's listener rule conditions: any of its paths and any of its hosts."""
    out = []
    if paths:
        out.append(aws.lb.ListenerRuleConditionArgs(
            path_pattern=aws.lb.ListenerRuleConditionPathPatternArgs(values=list(paths))))  # fmt: skip
    if hosts:
        out.append(aws.lb.ListenerRuleConditionArgs(
            host_header=aws.lb.ListenerRuleConditionHostHeaderArgs(values=list(hosts))))  # fmt: skip
    return out


#: What ECS does with a load balancer during a blue/green, linear or canary deployment: the actions
#: of AWS's managed policy AmazonECSInfrastructureRolePolicyForLoadBalancers, which grants them on
#: every target group, listener and rule; here each is granted on exactly the service's.
#: https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonECSInfrastructureRolePolicyForLoadBalancers.html
#: The managed policy also allows ``ModifyListener``: ECS shifts a Network Load Balancer's traffic
#: on its listener, but an Application Load Balancer's on the listener *rules* it is given
#: (``AdvancedConfiguration``: "the production listener rule (in the case of an Application Load
#: Balancer) or listener (in the case for a Network Load Balancer)";
#: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_AdvancedConfiguration.html).
#: The platform hands ECS two rules of its own, never a listener or a listener's default rule, so
#: the role may not modify the listeners: on the shared HTTPS listener that would let one service's
#: role rewrite the default action every service falls back to.
ELB_READ_ACTIONS = (
    "elasticloadbalancing:DescribeListeners",
    "elasticloadbalancing:DescribeRules",
    "elasticloadbalancing:DescribeTargetGroups",
    "elasticloadbalancing:DescribeTargetHealth",
)
#: What a traffic-shifting service's target groups keep from their creation: their port (and the
#: name derived from it). ECS registers every task with its container port, and health checks use
#: the port a target was registered with (``traffic-port``), so the group's own port only has to
#: exist ("Register targets with your target group": an IP target's port defaults to the group's
#: and may be given per target,
#: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-register-targets.html);
#: a new port would replace groups whose ARNs the service and its rules keep as ECS set them, and
#: leave both on groups that no longer exist.
KEPT_BY_SHIFTING_GROUPS = ("port", "name")


def infrastructure_statements(
    rules: Sequence[pulumi.Input[str]],
    target_groups: Sequence[pulumi.Input[str]],
) -> list[dict[str, Any]]:
    """The infrastructure role's policy: register tasks in the two target groups, rewrite the
    weights of the production and test rules, and read what ELB gives no resource-level
    permissions for."""
    return [
        # The Describe actions have no resource-level permissions: "*" is their only resource.
        unscoped_statement("ElbRead", ELB_READ_ACTIONS),
        {"Sid": "TargetGroups", "Effect": "Allow",
         "Action": ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
         "Resource": list(target_groups)},
        {"Sid": "ListenerRules", "Effect": "Allow", "Action": ["elasticloadbalancing:ModifyRule"],
         "Resource": list(rules)},
    ]  # fmt: skip


def instance_paths(
    parent: pulumi.Resource,
    name: str,
    *,
    load_balancer_security_group_id: pulumi.Input[str],
    instance_security_group_id: pulumi.Input[str],
    ranges: Sequence[tuple[int, int]],
) -> list[tuple[aws.vpc.SecurityGroupIngressRule, aws.vpc.SecurityGroupEgressRule]]:
    """Let the load balancer reach the EC2 instances' ``bridge`` and ``host`` tasks: for each port
    range (the dynamic host ports :data:`facts.DYNAMIC_HOST_PORTS`, or one ``host`` task's port) an
    ingress rule on the instances' group from the load balancer's group only, and the matching
    egress rule on the load balancer's, named ``<name>-<from>[-<to>]``. One rule per range for the
    whole stack: AWS refuses a rule that duplicates another of the same group."""
    child = pulumi.ResourceOptions(parent=parent)
    out = []
    for lo, hi in sorted(set(ranges)):
        suffix = f"{name}-{lo}" if lo == hi else f"{name}-{lo}-{hi}"
        what = f"port {lo}" if lo == hi else f"the dynamic host ports {lo}-{hi}"
        ingress = aws.vpc.SecurityGroupIngressRule(
            suffix, security_group_id=instance_security_group_id,
            referenced_security_group_id=load_balancer_security_group_id, ip_protocol="tcp", from_port=lo, to_port=hi,
            description=f"Load balancer to bridge/host tasks on {what}", opts=child,
        )  # fmt: skip
        egress = aws.vpc.SecurityGroupEgressRule(
            f"{suffix}-egress", security_group_id=load_balancer_security_group_id,
            referenced_security_group_id=instance_security_group_id, ip_protocol="tcp", from_port=lo, to_port=hi,
            description=f"Load balancer to the EC2 instances' bridge/host tasks on {what}", opts=child,
        )  # fmt: skip
        out.append((ingress, egress))
    return out
