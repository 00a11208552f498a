"""Service: roles, task definition, security group and ECS service of one app."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components import validation as v
from components.cluster import CapacityStrategyItem, capacity_strategy
from components.containers import ContainerArgs
from components.iam import AwsContext, PolicyStatement, TaskRoles, TaskRolesArgs, permissions_problems
from components.outputs import after, tag_children
from components.routing import Route, priority
from components.task_definition import TaskDefinition, TaskDefinitionArgs, task_problems, waiver_problems


@dataclass(frozen=True)
class TargetHealthCheckArgs:
    """How the load balancer checks a task (HTTP on the container port)."""

    path: str = "/"
    """Request path. Default ``/``."""
    matcher: str = "200-399"
    """Healthy HTTP codes. Default ``200-399``."""
    interval: int = 15
    """Seconds between checks, 5..300. Default 15."""
    timeout: int = 5
    """Seconds before a check fails, 2..120, below ``interval``. Default 5."""
    healthy_threshold: int = 3
    """Successes before a task receives traffic, 2..10. Default 3."""
    unhealthy_threshold: int = 3
    """Failures before a task stops receiving traffic, 2..10. Default 3."""


@dataclass
class LoadBalancerAttachmentArgs:
    """Put a service behind a :class:`~components.load_balancer.LoadBalancer`."""

    listener_arn: pulumi.Input[str]
    """The listener to add routing rules to (``LoadBalancer.listener_arn``). Required."""
    security_group_id: pulumi.Input[str]
    """The load balancer's security group: the only source the tasks admit. Required."""
    arn_suffix: pulumi.Input[str] | None = None
    """The load balancer's ARN suffix; needed for request-count autoscaling."""
    routes: Sequence[Route] = (Route(paths=("/*",)),)
    """Which requests reach the service. Default: every path (``/*``). A route without
    ``priority`` gets its hashed, specificity-ordered one (:mod:`components.routing`);
    services sharing a listener should take theirs from ``routing.assign``, which
    also resolves hash collisions (the platform does)."""
    health_check: TargetHealthCheckArgs = field(default_factory=TargetHealthCheckArgs)
    """Target health check. Default: ``GET /`` expecting 200-399 every 15 s."""
    deregistration_delay: int = 30
    """Seconds a draining task keeps serving in-flight requests, 0..3600. Default 30."""
    health_check_grace_period: int = 60
    """Seconds after start before failed load balancer checks count. Default 60."""


@dataclass
class AutoscalingArgs:
    """Target tracking on the service's task count. At least one target is required."""

    min_count: int
    """Fewest tasks. Required."""
    max_count: int
    """Most tasks. Required."""
    cpu_target: int | None = None
    """Average CPU utilisation to hold, %. Default: not tracked."""
    memory_target: int | None = None
    """Average memory utilisation to hold, %. Default: not tracked."""
    requests_per_target: int | None = None
    """Load balancer requests per task to hold. Default: not tracked."""
    scale_in_cooldown: int = 300
    """Seconds between scale-in steps. Default 300."""
    scale_out_cooldown: int = 60
    """Seconds between scale-out steps. Default 60."""


@dataclass
class ServiceArgs:
    """Arguments of :class:`Service`. Everything but the first four has a default."""

    cluster_arn: pulumi.Input[str]
    """The cluster to run in. Required."""
    vpc_id: pulumi.Input[str]
    """VPC of the service's security group. Required."""
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    """Subnets for the tasks: the private subnets of every zone, so ECS spreads
    tasks across zones. Required."""
    container: ContainerArgs
    """The application container. Required."""
    container_name: str | None = None
    """Name of the container (and its log stream prefix). Default: the component's name."""
    context: AwsContext | None = None
    """Account/region/partition. Default: looked up from the provider."""
    launch_type: str = "FARGATE"
    """``FARGATE`` (default), ``FARGATE_SPOT``, ``EC2`` (needs ``ec2_capacity_provider``)
    or ``EXTERNAL`` (ECS Anywhere machines)."""
    ec2_capacity_provider: pulumi.Input[str] | None = None
    """With ``EC2``: the cluster's EC2 capacity provider (``Cluster.ec2_capacity_provider_name``)."""
    network_mode: str | None = None
    """``awsvpc`` (Fargate and EC2 default: own ENI and security group), ``bridge``
    (EXTERNAL default) or ``host``."""
    fargate_on_demand_base: int = 1
    """With ``FARGATE_SPOT``: tasks kept on on-demand Fargate. Default 1."""
    desired_count: int = 2
    """Tasks to run. Default 2."""
    cpu: int = 256
    """Task CPU units. Default 256 (0.25 vCPU)."""
    memory: int = 512
    """Task memory, MiB. Default 512."""
    architecture: str = "X86_64"
    """``X86_64`` (default) or ``ARM64``."""
    ephemeral_storage_gib: int | None = None
    """Fargate ephemeral storage, 21..200 GiB. Default: Fargate's 20 GiB."""
    permissions: Sequence[PolicyStatement] = ()
    """What the task role may do. Default: nothing."""
    exec_enabled: bool = False
    """Allow ECS Exec into the tasks (audited in the cluster's exec log). Default ``False``."""
    exec_log_group_arn: pulumi.Input[str] | None = None
    """The cluster's ECS Exec audit log group, written to by exec sessions."""
    min_healthy_percent: int = 100
    """Lower bound of running tasks during a deployment, % of desired. Default 100
    (a deploy never removes capacity first)."""
    max_percent: int = 200
    """Upper bound during a deployment, % of desired. Default 200."""
    log_retention_days: int = 30
    """Retention of the service's log group. Default 30."""
    log_group_name: pulumi.Input[str] | None = None
    """Name of the service's log group. Default: auto-named."""
    retain_logs_on_delete: bool = False
    """Keep the log group when the stack is destroyed. Default ``False``."""
    family: pulumi.Input[str] | None = None
    """Task definition family. Default: the component's name."""
    egress_cidrs: Sequence[str] = field(default_factory=lambda: ["0.0.0.0/0"])
    """Where tasks may connect to (image registry, AWS APIs, your dependencies)
    through the NAT gateways. Default: anywhere."""
    waivers: Mapping[str, str] = field(default_factory=dict)
    """Security Hub controls turned off on purpose -> why; see ``TaskDefinitionArgs.waivers``."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for every taggable resource of the service (with ``Service: <container name>``);
    the service propagates them to its tasks. Default: just ``Service``."""
    load_balancer: LoadBalancerAttachmentArgs | None = None
    """Route requests from a load balancer to the container's port. Default: not public."""
    autoscaling: AutoscalingArgs | None = None
    """Scale the task count. With it, ``desired_count`` applies at creation only and a
    later ``pulumi up`` leaves the live count to the autoscaler. Default: fixed count."""

    @property
    def compatibility(self) -> str:
        return "FARGATE" if self.launch_type in ("FARGATE", "FARGATE_SPOT") else self.launch_type

    @property
    def mode(self) -> str:
        """The network mode in effect."""
        if self.network_mode is not None:
            return self.network_mode
        return "bridge" if self.launch_type == "EXTERNAL" else "awsvpc"

    def problems(self) -> list[str]:
        p = "ServiceArgs"
        out = v.check_launch_type(f"{p}.launch_type", self.launch_type)
        if self.launch_type == "EC2" and self.ec2_capacity_provider is None:
            out.append(f"{p}.ec2_capacity_provider: None is missing (allowed: the cluster's EC2 "
                       'capacity provider name, required with launch_type="EC2")')  # fmt: skip
        if self.launch_type == "EXTERNAL" and self.mode == "awsvpc":
            out.append(f'{p}.network_mode: "awsvpc" is not available on EXTERNAL capacity '
                       "(allowed: bridge, host)")  # fmt: skip
        if self.launch_type == "EXTERNAL" and self.load_balancer is not None:
            out.append(f"{p}.load_balancer: is set, and the service runs on EXTERNAL capacity "
                       "(allowed: None; a load balancer cannot reach machines outside AWS)")  # fmt: skip
        elif self.load_balancer is not None and self.mode != "awsvpc":
            out.append(f"{p}.network_mode: {v.show(self.mode)} cannot sit behind the load balancer "
                       "(allowed: awsvpc)")  # fmt: skip
        out += self.container.problems(f"{p}.container")
        if self.launch_type not in v.LAUNCH_TYPES:  # reported above; the rest depends on it
            return out
        out += task_problems(
            p, compatibility=self.compatibility, network_mode=self.mode, cpu=self.cpu,
            memory=self.memory, architecture=self.architecture,
            ephemeral_storage_gib=self.ephemeral_storage_gib,
        )  # fmt: skip
        out += v.check_desired_count(f"{p}.desired_count", self.desired_count)
        out += v.check_int(f"{p}.fargate_on_demand_base", self.fargate_on_demand_base, 0, 100000)
        out += v.check_int(f"{p}.min_healthy_percent", self.min_healthy_percent, 0, 100)
        out += v.check_int(f"{p}.max_percent", self.max_percent, 100, 200)
        out += v.check_log_retention(f"{p}.log_retention_days", self.log_retention_days)
        out += permissions_problems(f"{p}.permissions", self.permissions)
        out += self._traffic_problems(p)
        out += waiver_problems(p, self.container, self.waivers)
        if self.exec_enabled and self.container.readonly_root_filesystem:
            out.append(f"{p}.exec_enabled: true needs a writable root filesystem for the SSM "
                       "agent (allowed: container.readonly_root_filesystem=False, or no exec)")  # fmt: skip
        return out

    def _traffic_problems(self, p: str) -> list[str]:
        out: list[str] = []
        lb = self.load_balancer
        if lb is not None:
            if self.container.port is None:
                out.append(f"{p}.container.port: None is missing (allowed: the port the load "
                           "balancer forwards to; required with load_balancer)")  # fmt: skip
            if not lb.routes:
                out.append(f"{p}.load_balancer.routes: [] is empty (allowed: one or more routes)")
            for i, route in enumerate(lb.routes):
                rp = f"{p}.load_balancer.routes[{i}]"
                for j, path in enumerate(route.paths):
                    out += v.check_path_pattern(f"{rp}.paths[{j}]", path)
                for j, host in enumerate(route.hosts):
                    out += v.check_host_pattern(f"{rp}.hosts[{j}]", host)
                if not route.paths and not route.hosts:
                    out.append(f"{rp}: matches nothing (allowed: paths and/or hosts)")
                if route.priority is not None:
                    out += v.check_int(f"{rp}.priority", route.priority, 1, 50000)
            hc = lb.health_check
            hp = f"{p}.load_balancer.health_check"
            out += v.check_matcher(f"{hp}.matcher", hc.matcher)
            out += v.check_int(f"{hp}.interval", hc.interval, 5, 300)
            out += v.check_int(f"{hp}.timeout", hc.timeout, 2, 120)
            out += v.check_int(f"{hp}.healthy_threshold", hc.healthy_threshold, 2, 10)
            out += v.check_int(f"{hp}.unhealthy_threshold", hc.unhealthy_threshold, 2, 10)
            out += v.check_int(f"{p}.load_balancer.deregistration_delay", lb.deregistration_delay, 0, 3600)
            out += v.check_int(
                f"{p}.load_balancer.health_check_grace_period", lb.health_check_grace_period, 0, 2147483647
            )
        a = self.autoscaling
        if a is not None:
            ap = f"{p}.autoscaling"
            out += v.check_int(f"{ap}.min_count", a.min_count, 1, 5000)
            out += v.check_int(f"{ap}.max_count", a.max_count, 1, 5000)
            if a.max_count < a.min_count:
                out.append(f"{ap}.max_count: {a.max_count} is below min_count {a.min_count} "
                           "(allowed: min_count <= max_count)")  # fmt: skip
            elif not a.min_count <= self.desired_count <= a.max_count:
                out.append(f"{p}.desired_count: {self.desired_count} is outside the autoscaling "
                           f"range {a.min_count}..{a.max_count} "
                           "(allowed: min_count <= desired_count <= max_count)")  # fmt: skip
            targets = {"cpu_target": (a.cpu_target, 100), "memory_target": (a.memory_target, 100),
                       "requests_per_target": (a.requests_per_target, 1000000)}  # fmt: skip
            for k, (value, top) in targets.items():
                if value is not None:
                    out += v.check_int(f"{ap}.{k}", value, 1, top)
            if all(value is None for value, _ in targets.values()):
                out.append(f"{ap}: no target (allowed: cpu_target, memory_target and/or requests_per_target)")
            if a.requests_per_target is not None and (lb is None or lb.arn_suffix is None):
                out.append(f"{ap}.requests_per_target: needs load_balancer with arn_suffix "
                           "(allowed: on a service behind a load balancer)")  # fmt: skip
            out += v.check_int(f"{ap}.scale_in_cooldown", a.scale_in_cooldown, 0, 3600)
            out += v.check_int(f"{ap}.scale_out_cooldown", a.scale_out_cooldown, 0, 3600)
        return out

    def capacity_strategy(self) -> list[CapacityStrategyItem]:
        return capacity_strategy(self.launch_type, self.fargate_on_demand_base, self.ec2_capacity_provider)


class Service(pulumi.ComponentResource):
    """One application on ECS: roles, task definition, security group, service.

    Tasks run in the given (private) subnets with no public IP, behind their own
    security group that admits nothing by default. Deployments are guarded by
    the circuit breaker and roll back on failure; tags propagate to tasks.
    Outputs: ``service_name``, ``security_group_id``, ``task_definition_arn``,
    ``task_role_arn``, ``execution_role_arn``, ``log_group_name``.
    """

    roles: TaskRoles
    task_definition: TaskDefinition
    security_group: aws.ec2.SecurityGroup | None
    service: aws.ecs.Service

    def __init__(self, name: str, args: ServiceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        v.raise_if(args.problems(), "ServiceArgs")
        own_tags = {"Service": args.container_name or name, **args.tags}
        super().__init__(
            "ecs-platform:ecs:Service",
            name,
            None,
            pulumi.ResourceOptions.merge(
                opts, pulumi.ResourceOptions(transformations=[tag_children(own_tags)])
            ),
        )
        child = pulumi.ResourceOptions(parent=self)
        ctx = args.context or AwsContext.lookup(pulumi.InvokeOutputOptions(parent=self))

        self.roles = TaskRoles(
            f"{name}-roles",
            TaskRolesArgs(
                context=ctx,
                secret_arns=list(args.container.secrets.values()),
                permissions=args.permissions,
                exec_enabled=args.exec_enabled,
                exec_log_group_arn=args.exec_log_group_arn,
            ),
            opts=child,
        )
        self.task_definition = TaskDefinition(
            f"{name}-task",
            TaskDefinitionArgs(
                container=args.container,
                execution_role_arn=self.roles.execution_role_arn,
                task_role_arn=self.roles.task_role_arn,
                region=ctx.region,
                family=args.family,
                container_name=args.container_name or name,
                cpu=args.cpu,
                memory=args.memory,
                compatibility=args.compatibility,
                network_mode=args.mode,
                architecture=args.architecture,
                ephemeral_storage_gib=args.ephemeral_storage_gib,
                log_retention_days=args.log_retention_days,
                log_group_name=args.log_group_name,
                retain_logs_on_delete=args.retain_logs_on_delete,
                waivers=args.waivers,
            ),
            opts=child,
        )
        # Tasks with their own network interface (awsvpc) get their own security
        # group; bridge/host tasks share their machine's network.
        self.security_group = None
        self.egress_rules: list[aws.vpc.SecurityGroupEgressRule] = []
        if args.mode == "awsvpc":
            self.security_group = aws.ec2.SecurityGroup(
                f"{name}-sg",
                vpc_id=args.vpc_id,
                description=f"ECS service {name}: tasks",
                opts=child,
            )
            self.egress_rules = [
                aws.vpc.SecurityGroupEgressRule(
                    f"{name}-egress" if i == 0 else f"{name}-egress-{i}",
                    security_group_id=self.security_group.id,
                    ip_protocol="-1",
                    cidr_ipv4=cidr,
                    description="Tasks reach registries, AWS APIs and dependencies via NAT",
                    opts=child,
                )
                for i, cidr in enumerate(args.egress_cidrs)
            ]
        container_name = args.container_name or name
        self.target_group: aws.lb.TargetGroup | None = None
        self.listener_rules: list[aws.lb.ListenerRule] = []
        load_balancers = None
        if args.load_balancer is not None:
            load_balancers = [self._attach(name, container_name, args, args.load_balancer)]
        fargate = args.compatibility == "FARGATE"
        strategy = args.capacity_strategy()
        self.service = aws.ecs.Service(
            name,
            cluster=args.cluster_arn,
            task_definition=self.task_definition.arn,
            desired_count=args.desired_count,
            capacity_provider_strategies=[item.as_service_args() for item in strategy] or None,
            launch_type="EXTERNAL" if args.launch_type == "EXTERNAL" else None,
            platform_version="LATEST" if fargate else None,
            network_configuration=(
                aws.ecs.ServiceNetworkConfigurationArgs(
                    subnets=args.subnet_ids,
                    security_groups=[self.security_group.id],
                    assign_public_ip=False,
                )
                if self.security_group is not None
                else None
            ),
            # EC2: one task per zone first, then fill instances by memory.
            ordered_placement_strategies=(
                [
                    aws.ecs.ServiceOrderedPlacementStrategyArgs(
                        type="spread", field="attribute:ecs.availability-zone"
                    ),
                    aws.ecs.ServiceOrderedPlacementStrategyArgs(type="binpack", field="memory"),
                ]
                if args.launch_type == "EC2"
                else None
            ),
            load_balancers=load_balancers,
            health_check_grace_period_seconds=(
                args.load_balancer.health_check_grace_period if args.load_balancer else None
            ),
            deployment_circuit_breaker=aws.ecs.ServiceDeploymentCircuitBreakerArgs(
                enable=True, rollback=True
            ),
            deployment_minimum_healthy_percent=args.min_healthy_percent,
            deployment_maximum_percent=args.max_percent,
            # Fargate: ECS keeps tasks balanced over the zones. EC2 spreads by zone
            # at placement; ECS does not rebalance services that binpack.
            availability_zone_rebalancing="ENABLED" if fargate else None,
            enable_execute_command=args.exec_enabled,
            enable_ecs_managed_tags=True,
            propagate_tags="SERVICE",
            # A change of capacity provider strategy only takes effect with a new
            # deployment; this makes every service update roll the tasks.
            force_new_deployment=True,
            # With autoscaling, the live task count belongs to the autoscaler: the
            # configured count applies when the service is created, never after.
            opts=pulumi.ResourceOptions(
                parent=self, ignore_changes=["desiredCount"] if args.autoscaling else None
            ),
        )
        self.scaling_target: aws.appautoscaling.Target | None = None
        self.scaling_policies: list[aws.appautoscaling.Policy] = []
        if args.autoscaling is not None:
            self._autoscale(name, args, args.autoscaling)
        self.service_name = self.service.name
        self.security_group_id = self.security_group.id if self.security_group else None
        self.task_definition_arn = self.task_definition.arn
        self.task_role_arn = self.roles.task_role_arn
        self.execution_role_arn = self.roles.execution_role_arn
        self.log_group_name = self.task_definition.log_group_name
        self.target_group_arn = self.target_group.arn if self.target_group else None
        self.register_outputs(
            {
                "serviceName": self.service_name,
                "securityGroupId": self.security_group_id,
                "taskDefinitionArn": self.task_definition_arn,
                "logGroupName": self.log_group_name,
            }
        )

    def _attach(
        self, name: str, container_name: str, args: ServiceArgs, lb: LoadBalancerAttachmentArgs
    ) -> aws.ecs.ServiceLoadBalancerArgs:
        """Target group, listener rules and the two security group rules between
        the load balancer and the tasks (on the container port, nothing else)."""
        child = pulumi.ResourceOptions(parent=self)
        port = args.container.port
        hc = lb.health_check
        self.target_group = aws.lb.TargetGroup(
            f"{name}-tg",
            port=port,
            protocol="HTTP",
            target_type="ip",
            vpc_id=args.vpc_id,
            deregistration_delay=lb.deregistration_delay,
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
            opts=child,
        )
        for i, route in enumerate(lb.routes):
            paths = aws.lb.ListenerRuleConditionPathPatternArgs(values=list(route.paths))
            hosts = aws.lb.ListenerRuleConditionHostHeaderArgs(values=list(route.hosts))
            conditions = [aws.lb.ListenerRuleConditionArgs(path_pattern=paths)] if route.paths else []
            if route.hosts:
                conditions.append(aws.lb.ListenerRuleConditionArgs(host_header=hosts))
            self.listener_rules.append(
                aws.lb.ListenerRule(
                    f"{name}-route-{i}",
                    listener_arn=lb.listener_arn,
                    priority=priority(container_name, i, route),
                    actions=[
                        aws.lb.ListenerRuleActionArgs(type="forward", target_group_arn=self.target_group.arn)
                    ],
                    conditions=conditions,
                    opts=child,
                )
            )
        assert self.security_group is not None  # a public service is awsvpc (checked up front)
        self.ingress_from_load_balancer = aws.vpc.SecurityGroupIngressRule(
            f"{name}-from-lb",
            security_group_id=self.security_group.id,
            referenced_security_group_id=lb.security_group_id,
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            description=f"Load balancer to {name} on its container port",
            opts=child,
        )
        self.load_balancer_egress = aws.vpc.SecurityGroupEgressRule(
            f"{name}-lb-egress",
            security_group_id=lb.security_group_id,
            referenced_security_group_id=self.security_group.id,
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            description=f"Load balancer to {name} tasks on their container port",
            opts=child,
        )
        # ECS refuses a target group no listener uses yet: pass its ARN on only
        # once the rules exist.
        return aws.ecs.ServiceLoadBalancerArgs(
            target_group_arn=after(self.target_group.arn, *self.listener_rules),
            container_name=container_name,
            container_port=port,  # type: ignore[arg-type]
        )

    def _autoscale(self, name: str, args: ServiceArgs, a: AutoscalingArgs) -> None:
        child = pulumi.ResourceOptions(parent=self)
        resource_id = pulumi.Output.all(args.cluster_arn, self.service.name).apply(
            lambda values: f"service/{str(values[0]).rsplit('/', 1)[-1]}/{values[1]}"
        )
        target = aws.appautoscaling.Target(
            f"{name}-scaling",
            service_namespace="ecs",
            scalable_dimension="ecs:service:DesiredCount",
            resource_id=resource_id,
            min_capacity=a.min_count,
            max_capacity=a.max_count,
            opts=child,
        )
        self.scaling_target = target
        metrics: list[tuple[str, int | None, str, pulumi.Input[str] | None]] = [
            ("cpu", a.cpu_target, "ECSServiceAverageCPUUtilization", None),
            ("memory", a.memory_target, "ECSServiceAverageMemoryUtilization", None),
        ]
        if a.requests_per_target is not None and self.target_group is not None:
            lb = args.load_balancer
            assert lb is not None and lb.arn_suffix is not None
            requests_label = pulumi.Output.concat(lb.arn_suffix, "/", self.target_group.arn_suffix)
            metrics.append(("requests", a.requests_per_target, "ALBRequestCountPerTarget", requests_label))
        for key, value, metric, label in metrics:
            if value is None:
                continue
            self.scaling_policies.append(
                aws.appautoscaling.Policy(
                    f"{name}-scale-{key}",
                    policy_type="TargetTrackingScaling",
                    resource_id=target.resource_id,
                    scalable_dimension=target.scalable_dimension,
                    service_namespace=target.service_namespace,
                    target_tracking_scaling_policy_configuration=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs(
                        target_value=value,
                        predefined_metric_specification=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs(
                            predefined_metric_type=metric, resource_label=label
                        ),
                        scale_in_cooldown=a.scale_in_cooldown,
                        scale_out_cooldown=a.scale_out_cooldown,
                    ),
                    opts=child,
                )
            )
