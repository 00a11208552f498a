"""Service: roles, task definition, security group and ECS service of one app."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from ecs_platform import facts
from ecs_platform.cluster import Cluster, ClusterRef, capacity_strategy
from ecs_platform.containers import port_mapping_name
from ecs_platform.errors import raise_if
from ecs_platform.iam import AwsContext, TaskRoles, policy_document, unscoped_statement
from ecs_platform.names import target_group_name
from ecs_platform.outputs import after, tag_children, waiver_tags
from ecs_platform.routing import priority
from ecs_platform.specs import AutoscalingSpec, ServiceSpec
from ecs_platform.specs.base import python_problems
from ecs_platform.specs.service import network_mode, placement_problems
from ecs_platform.storage import NFS_PORT, EfsMount, EfsVolume, adopted_mount
from ecs_platform.task_definition import TaskDefinition
from ecs_platform.wiring import wiring_problems


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


@dataclass(frozen=True)
class ServiceConnectRef:
    """The Cloud Map namespace services find each other in (Service Connect)."""

    namespace_arn: pulumi.Input[str]
    """An HTTP namespace, e.g. the one :class:`~ecs_platform.platform.Platform` creates. Required."""


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

    def __init__(
        self,
        name: str,
        spec: ServiceSpec,
        *,
        cluster: Cluster | ClusterRef,
        vpc_id: pulumi.Input[str],
        subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]],
        load_balancer: LoadBalancerRef | None = None,
        container_name: str | None = None,
        route_priorities: Sequence[int] | None = None,
        context: AwsContext | None = None,
        service_connect: ServiceConnectRef | None = None,
        deploy_after: Sequence[pulumi.Resource] = (),
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """``cluster``: where it runs, and the defaults the spec leaves open. ``subnet_ids``:
        the private subnets of every zone (ECS spreads tasks over them). ``load_balancer``:
        required when the spec is public. ``container_name`` (default ``name``) also names
        the ``Service`` tag, log streams and derived names. ``route_priorities``: one per
        route, from :func:`ecs_platform.routing.assign` when services share a listener;
        default: each route's own hashed priority. ``service_connect``: the namespace, for a
        service that has ``callers`` or calls others (then see :meth:`admit`); the service
        joins it as ``http://<container_name>:<port>``. EFS volumes the spec creates get a
        mount target in each of ``subnet_ids``, which must then be a list. ``deploy_after``:
        resources (pre-deploy job runs, :class:`~ecs_platform.predeploy.PreDeployRun`) that a new
        task definition, and so a new deployment, waits for."""
        ref = cluster.ref if isinstance(cluster, Cluster) else cluster
        problems = wiring_problems("Service", {"cluster.arn": ref.arn, "vpc_id": vpc_id}, {"subnet_ids": subnet_ids})
        problems += python_problems(type(spec), placement_problems(spec, ref.spec))
        if spec.is_public and load_balancer is None:
            problems.append("Service.load_balancer: None is missing (allowed: a LoadBalancerRef, required "
                            "when the spec is public)")  # fmt: skip
        if not spec.is_public and load_balancer is not None:
            problems.append("Service.load_balancer: is set, and the spec is not public (allowed: None, or "
                            "public=True / routes on the spec)")  # fmt: skip
        if (spec.launch_type or ref.spec.launch_type) == "EC2" and ref.ec2_capacity_provider_name is None:
            problems.append("Service.cluster.ec2_capacity_provider_name: None is missing (allowed: the cluster's "
                            "EC2 capacity provider, required on EC2)")  # fmt: skip
        if spec.exec_enabled and ref.exec_log_group_arn is None:
            problems.append("Service.cluster.exec_log_group_arn: None is missing (allowed: the cluster's ECS Exec "
                            "audit log group, required with exec)")  # fmt: skip
        if spec.is_public and load_balancer is not None and load_balancer.arn_suffix is None:
            problems.append("Service.load_balancer.arn_suffix: None is missing (allowed: the load balancer's ARN "
                            "suffix, required for a public service's deployment alarms and "
                            "autoscaling.requestsPerTarget)")  # fmt: skip
        test_port = spec.deployment.test_port
        listeners = load_balancer.test_listener_arns if load_balancer is not None else None
        if spec.deployment.shifts_traffic and listeners is not None and test_port not in listeners:
            problems.append(f"Service.load_balancer.test_listener_arns: has no listener on {test_port} (allowed: "
                            "the load balancer's test listener on deployment.test_port, e.g. from "
                            f"LoadBalancer(test_ports=[{test_port}]))")  # fmt: skip
        routes = spec.effective_routes
        if route_priorities is not None and len(route_priorities) != len(routes):
            problems.append(f"Service.route_priorities: {len(route_priorities)} priorities for {len(routes)} "
                            "routes (allowed: one per route)")  # fmt: skip
        if (container_name or name) in spec.sidecars:
            problems.append(f"Service.container_name: {container_name or name!r} is also a sidecar's name (allowed: "
                            "a name none of the spec's sidecars has)")  # fmt: skip
        if spec.callers and service_connect is None:
            problems.append("Service.service_connect: None is missing (allowed: a ServiceConnectRef, required "
                            "when the spec has callers)")  # fmt: skip
        created_efs = [n for n, v in spec.volumes.items() if v.efs is not None and v.efs.created]
        if created_efs and not isinstance(subnet_ids, (list, tuple)):
            problems.append("Service.subnet_ids: is an Output (allowed: a list with one private subnet per zone "
                            f"when the spec creates EFS volumes ({', '.join(created_efs)}): each gets a mount "
                            "target)")  # fmt: skip
        raise_if(problems, "Service")
        container_name = container_name or name
        own_tags = {"Service": container_name, **spec.tags}
        super().__init__(
            "ecs-platform:ecs:Service",
            name,
            None,
            pulumi.ResourceOptions.merge(
                opts, pulumi.ResourceOptions(transformations=[tag_children(own_tags)])
            ),
        )
        child = pulumi.ResourceOptions(parent=self)
        ctx = context or AwsContext.lookup(pulumi.InvokeOutputOptions(parent=self))
        self.spec = spec
        self._service_name = name
        self.caller_rules: list[aws.vpc.SecurityGroupIngressRule | aws.vpc.SecurityGroupEgressRule] = []
        launch_type = spec.launch_type or ref.spec.launch_type
        mode = network_mode(spec, ref.spec)
        prefix = ref.name_prefix

        # Tasks with their own network interface (awsvpc) get their own security
        # group; bridge/host tasks share their machine's network.
        self.security_group = None
        if mode == "awsvpc":
            self.security_group = aws.ec2.SecurityGroup(
                f"{name}-sg",
                vpc_id=vpc_id,
                description=f"ECS service {name}: tasks",
                opts=child,
            )
        self.volumes: dict[str, EfsVolume] = {}
        self.efs_rules: list[aws.vpc.SecurityGroupIngressRule | aws.vpc.SecurityGroupEgressRule] = []
        efs: dict[str, EfsMount] = {}
        for volume, v in spec.volumes.items():
            if v.efs is None:
                continue
            if v.efs.file_system_id is None or v.efs.access_point_id is None:
                owner = spec.efs_owner(volume)
                assert owner is not None and self.security_group is not None  # checked by the spec's rules
                created = EfsVolume(f"{name}-{volume}", vpc_id=vpc_id, subnet_ids=list(subnet_ids),  # type: ignore[arg-type]
                                    owner=owner, opts=child)  # fmt: skip
                self.efs_rules += tcp_path(
                    (f"{name}-{volume}-from-{container_name}", f"{name}-to-{volume}"),
                    source=self.security_group.id, target=created.security_group_id, port=NFS_PORT,
                    descriptions=(f"NFS from {container_name} tasks", f"NFS to EFS volume {volume}"), opts=child,
                )  # fmt: skip
                self.volumes[volume] = created
                efs[volume] = created.mount
            else:
                efs[volume] = adopted_mount(
                    v.efs.file_system_id, v.efs.access_point_id,
                    partition=ctx.partition, region=ctx.region, account_id=ctx.account_id,
                )  # fmt: skip
        read_only = {
            volume: all(m.read_only for c in spec.containers.values() for m in c.mounts.values() if m.volume == volume)
            for volume in efs
        }
        self.roles = TaskRoles(
            f"{name}-roles",
            spec,
            exec_log_group_arn=ref.exec_log_group_arn if spec.exec_enabled else None,
            exec_kms_key_arn=ref.kms_key_arn if spec.exec_enabled else None,
            context=ctx,
            efs=[(efs[v], read_only[v]) for v in sorted(efs)],
            opts=child,
        )
        self.task_definition = TaskDefinition(
            f"{name}-task",
            spec,
            cluster=ref,
            execution_role_arn=self.roles.execution_role_arn,
            task_role_arn=self.roles.task_role_arn,
            region=ctx.region,
            container_name=container_name,
            family=f"{prefix}-{container_name}" if prefix else None,
            log_group_name=f"/ecs/{prefix}/{container_name}" if prefix else None,
            efs=efs,
            deploy_after=deploy_after,
            opts=child,
        )
        self.egress_rules: list[aws.vpc.SecurityGroupEgressRule] = []
        if self.security_group is not None:
            self.egress_rules = [
                aws.vpc.SecurityGroupEgressRule(
                    f"{name}-egress" if i == 0 else f"{name}-egress-{i}",
                    security_group_id=self.security_group.id,
                    ip_protocol="-1",
                    cidr_ipv4=cidr,
                    description="Tasks reach registries, AWS APIs and dependencies via NAT",
                    opts=child,
                )
                for i, cidr in enumerate(spec.egress_cidrs)
            ]

        self.target_group: aws.lb.TargetGroup | None = None
        self.alternate_target_group: aws.lb.TargetGroup | None = None
        self.listener_rules: list[aws.lb.ListenerRule] = []
        self.test_listener_rule: aws.lb.ListenerRule | None = None
        self.infrastructure_role: aws.iam.Role | None = None
        self.infrastructure_policy: aws.iam.RolePolicy | None = None
        self.alarms: list[aws.cloudwatch.MetricAlarm] = []
        load_balancers = None
        if spec.is_public and load_balancer is not None:
            prios = list(route_priorities) if route_priorities is not None else [
                priority(container_name, i, route) for i, route in enumerate(routes)]  # fmt: skip
            load_balancers = [self._attach(name, container_name, spec, vpc_id, load_balancer, prios, ctx)]
        if load_balancers and load_balancer is not None:
            self._alarm(name, load_balancer, spec)
        alarm_names: list[pulumi.Input[str]] = [a.name for a in self.alarms]
        alarm_names += spec.deployment.alarms
        fargate = launch_type in ("FARGATE", "FARGATE_SPOT")
        strategy = capacity_strategy(launch_type, ref.spec.fargate_on_demand_base, ref.ec2_capacity_provider_name)
        desired = spec.desired_count if spec.desired_count is not None else ref.spec.desired_count
        self.service = aws.ecs.Service(
            name,
            cluster=ref.arn,
            task_definition=self.task_definition.arn,
            desired_count=desired,
            capacity_provider_strategies=[item.as_service_args() for item in strategy] or None,
            launch_type="EXTERNAL" if launch_type == "EXTERNAL" else None,
            platform_version="LATEST" if fargate else None,
            network_configuration=(
                aws.ecs.ServiceNetworkConfigurationArgs(
                    subnets=subnet_ids,
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
                if launch_type == "EC2"
                else None
            ),
            load_balancers=load_balancers,
            health_check_grace_period_seconds=spec.effective_grace_period if load_balancers else None,
            deployment_circuit_breaker=aws.ecs.ServiceDeploymentCircuitBreakerArgs(
                enable=True, rollback=True
            ),
            # Alarms in ALARM during a deployment (or its bake time) roll it back.
            alarms=(
                aws.ecs.ServiceAlarmsArgs(alarm_names=alarm_names, enable=True, rollback=True)
                if alarm_names
                else None
            ),
            deployment_configuration=_deployment_configuration(spec),
            deployment_minimum_healthy_percent=spec.min_healthy_percent,
            deployment_maximum_percent=spec.max_percent,
            # `pulumi up` fails, naming the service, when its deployment does not settle.
            wait_for_steady_state=ref.spec.wait_for_steady_state,
            tags=(
                None
                if ref.spec.wait_for_steady_state
                else waiver_tags({facts.STEADY_STATE_WAIVER: "waitForSteadyState: false in config"})
            ),
            # Fargate: ECS keeps tasks balanced over the zones. EC2 spreads by zone
            # at placement; ECS does not rebalance services that binpack.
            availability_zone_rebalancing="ENABLED" if fargate else None,
            enable_execute_command=spec.exec_enabled,
            service_connect_configuration=self._service_connect(container_name, spec, service_connect, ctx.region),
            enable_ecs_managed_tags=True,
            propagate_tags="SERVICE",
            # A change of capacity provider strategy only takes effect with a new
            # deployment; this makes every service update roll the tasks.
            force_new_deployment=True,
            # With autoscaling, the live task count belongs to the autoscaler: the
            # configured count applies when the service is created, never after.
            opts=pulumi.ResourceOptions(
                parent=self,
                ignore_changes=["desiredCount"] if spec.autoscaling else None,
                custom_timeouts=pulumi.CustomTimeouts(
                    create=f"{ref.spec.deploy_timeout_minutes}m", update=f"{ref.spec.deploy_timeout_minutes}m"
                ),
            ),
        )
        self.scaling_target: aws.appautoscaling.Target | None = None
        self.scaling_policies: list[aws.appautoscaling.Policy] = []
        if spec.autoscaling is not None:
            self._autoscale(name, ref.arn, load_balancer, spec.autoscaling)
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

    def _service_connect(
        self, container_name: str, spec: ServiceSpec, ref: ServiceConnectRef | None, region: pulumi.Input[str]
    ) -> aws.ecs.ServiceServiceConnectConfigurationArgs | None:
        """Service Connect: every service of the namespace can call ``http://<name>:<port>``
        of one with callers (whose security group admits only those callers, see :meth:`admit`).
        The Service Connect proxy logs to the service's log group."""
        if ref is None:
            return None
        served = None
        if spec.callers and spec.port is not None:
            served = [
                aws.ecs.ServiceServiceConnectConfigurationServiceArgs(
                    port_name=port_mapping_name(container_name, spec.port),
                    discovery_name=container_name,
                    client_alias=[aws.ecs.ServiceServiceConnectConfigurationServiceClientAliasArgs(
                        port=spec.port, dns_name=container_name)],
                )
            ]  # fmt: skip
        return aws.ecs.ServiceServiceConnectConfigurationArgs(
            enabled=True,
            namespace=ref.namespace_arn,
            services=served,
            log_configuration=aws.ecs.ServiceServiceConnectConfigurationLogConfigurationArgs(
                log_driver="awslogs",
                options={
                    "awslogs-group": self.task_definition.log_group_name,
                    "awslogs-region": region,
                    "awslogs-stream-prefix": "service-connect",
                },
            ),
        )

    def admit(self, caller: str, security_group_id: pulumi.Input[str]) -> None:
        """Let the tasks behind ``security_group_id`` (service ``caller``) reach this
        service's port: an ingress rule here and an egress rule on the caller's group,
        ``<service>-from-<caller>`` and ``<service>-from-<caller>-egress``."""
        port = self.spec.port
        if self.security_group is None or port is None:
            raise_if([f"Service.admit: {self._service_name} has no port or security group (allowed: a service "
                      "with a port in awsvpc mode)"], "Service")  # fmt: skip
            return
        base = f"{self._service_name}-from-{caller}"
        what = f"{caller} to {self._service_name} on its port (Service Connect)"
        self.caller_rules += tcp_path((base, f"{base}-egress"), source=security_group_id,
                                      target=self.security_group.id, port=port, descriptions=(what, what),
                                      opts=pulumi.ResourceOptions(parent=self))  # fmt: skip

    def _attach(
        self,
        name: str,
        container_name: str,
        spec: ServiceSpec,
        vpc_id: pulumi.Input[str],
        lb: LoadBalancerRef,
        priorities: Sequence[int],
        ctx: AwsContext,
    ) -> aws.ecs.ServiceLoadBalancerArgs:
        """Target group, listener rules and the two security group rules between
        the load balancer and the tasks (on the container port, nothing else). A deployment
        that shifts traffic adds the alternate target group, the rule on the test listener and
        the infrastructure role ECS moves traffic with."""
        child = pulumi.ResourceOptions(parent=self)
        port = spec.port
        shifts = spec.deployment.shifts_traffic
        self.target_group = self._target_group(f"{name}-tg", spec, vpc_id)
        if shifts:
            self.alternate_target_group = self._target_group(f"{name}-tg-alt", spec, vpc_id)
        # ECS moves traffic by rewriting the weights of the rules' forward action: the rules
        # start at 100/0 and their actions are ECS's from then on.
        rule_opts = pulumi.ResourceOptions(parent=self, ignore_changes=["actions"] if shifts else None)
        for i, route in enumerate(spec.effective_routes):
            self.listener_rules.append(
                aws.lb.ListenerRule(
                    f"{name}-route-{i}",
                    listener_arn=lb.listener_arn,
                    priority=priorities[i],
                    actions=[self._forward()],
                    conditions=_conditions(route.paths, route.hosts),
                    opts=rule_opts,
                )
            )
        assert self.security_group is not None  # a public service is awsvpc (checked up front)
        assert port is not None  # a public service has a port (checked up front)
        self.ingress_from_load_balancer, self.load_balancer_egress = tcp_path(
            (f"{name}-from-lb", f"{name}-lb-egress"),
            source=lb.security_group_id,
            target=self.security_group.id,
            port=port,
            descriptions=(
                f"Load balancer to {name} on its container port",
                f"Load balancer to {name} tasks on their container port",
            ),
            opts=child,
        )
        advanced = None
        if shifts and self.alternate_target_group is not None and spec.deployment.test_port is not None:
            route = spec.effective_routes[0]  # one route (checked by the spec)
            test_listener = lb.test_listener_arns[spec.deployment.test_port]
            self.test_listener_rule = aws.lb.ListenerRule(
                f"{name}-test-route",
                listener_arn=test_listener,
                priority=priorities[0],
                actions=[self._forward()],
                conditions=_conditions(route.paths, route.hosts),
                opts=rule_opts,
            )
            production_rule = self.listener_rules[0]
            role_arn = self._infrastructure_role(
                name, ctx, listeners=[lb.listener_arn, test_listener],
                rules=[production_rule.arn, self.test_listener_rule.arn],
                target_groups=[self.target_group.arn, self.alternate_target_group.arn],
            )  # fmt: skip
            advanced = aws.ecs.ServiceLoadBalancerAdvancedConfigurationArgs(
                alternate_target_group_arn=self.alternate_target_group.arn,
                production_listener_rule=production_rule.arn,
                test_listener_rule=self.test_listener_rule.arn,
                role_arn=role_arn,
            )
        # ECS refuses a target group no listener uses yet: pass its ARN on only
        # once the rules exist.
        return aws.ecs.ServiceLoadBalancerArgs(
            target_group_arn=after(self.target_group.arn, *self.listener_rules, self.test_listener_rule),
            container_name=container_name,
            container_port=port,
            advanced_configuration=advanced,
        )

    def _target_group(self, name: str, spec: ServiceSpec, vpc_id: pulumi.Input[str]) -> aws.lb.TargetGroup:
        hc = spec.effective_target_health_check
        return aws.lb.TargetGroup(
            name,
            name=target_group_name(name, port=spec.port, protocol="HTTP", target_type="ip", vpc_id=vpc_id),
            port=spec.port,
            protocol="HTTP",
            target_type="ip",
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
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _forward(self) -> aws.lb.ListenerRuleActionArgs:
        """Forward to the target group; with an alternate one, a weighted forward (100/0) whose
        weights ECS then owns."""
        assert self.target_group is not None
        if self.alternate_target_group is None:
            return aws.lb.ListenerRuleActionArgs(type="forward", target_group_arn=self.target_group.arn)
        return aws.lb.ListenerRuleActionArgs(
            type="forward",
            forward=aws.lb.ListenerRuleActionForwardArgs(
                target_groups=[
                    aws.lb.ListenerRuleActionForwardTargetGroupArgs(arn=self.target_group.arn, weight=100),
                    aws.lb.ListenerRuleActionForwardTargetGroupArgs(
                        arn=self.alternate_target_group.arn, weight=0
                    ),
                ]
            ),
        )

    def _infrastructure_role(
        self,
        name: str,
        ctx: AwsContext,
        *,
        listeners: Sequence[pulumi.Input[str]],
        rules: Sequence[pulumi.Input[str]],
        target_groups: Sequence[pulumi.Input[str]],
    ) -> pulumi.Output[str]:
        """The ECS infrastructure role for load balancers, limited to this service's listeners,
        rules and target groups; its ARN is handed out through its policy."""
        child = pulumi.ResourceOptions(parent=self)
        self.infrastructure_role = aws.iam.Role(
            f"{name}-infrastructure",
            assume_role_policy=ctx.trust("ecs-infrastructure"),
            description=f"ECS moves {name}'s load balancer traffic during deployments",
            opts=child,
        )
        self.infrastructure_policy = aws.iam.RolePolicy(
            f"{name}-infrastructure-policy",
            role=self.infrastructure_role.name,
            policy=policy_document(infrastructure_statements(listeners, rules, target_groups)),
            opts=child,
        )
        return after(self.infrastructure_role.arn, self.infrastructure_policy)

    def _alarm(self, name: str, lb: LoadBalancerRef, spec: ServiceSpec) -> None:
        """CloudWatch alarms on each target group of the service: 5xx responses from its tasks,
        and unhealthy tasks, above the thresholds; the service's deployments roll back on them."""
        assert lb.arn_suffix is not None  # required for a public service (checked up front)
        t = spec.deployment.effective_thresholds
        groups = [("", self.target_group), ("-alt", self.alternate_target_group)]
        for suffix, tg in groups:
            if tg is None:
                continue
            dimensions = {"TargetGroup": tg.arn_suffix, "LoadBalancer": lb.arn_suffix}
            for key, metric, statistic, threshold, what in (
                ("5xx", "HTTPCode_Target_5XX_Count", "Sum", t.target5xx, "5xx responses per minute from"),
                ("unhealthy", "UnHealthyHostCount", "Maximum", t.unhealthy_hosts, "unhealthy targets of"),
            ):
                self.alarms.append(
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
                        opts=pulumi.ResourceOptions(parent=self),
                    )
                )

    def _autoscale(
        self, name: str, cluster_arn: pulumi.Input[str], lb: LoadBalancerRef | None, a: AutoscalingSpec
    ) -> None:
        child = pulumi.ResourceOptions(parent=self)
        resource_id = pulumi.Output.all(cluster_arn, self.service.name).apply(
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
        if a.queue is not None:
            cluster_name = pulumi.Output.from_input(cluster_arn).apply(lambda arn: str(arn).rsplit("/", 1)[-1])
            self._scale_on_queue(name, target, a, cluster_name)
        metrics: list[tuple[str, int | None, str, pulumi.Input[str] | None]] = [
            ("cpu", a.cpu_target, "ECSServiceAverageCPUUtilization", None),
            ("memory", a.memory_target, "ECSServiceAverageMemoryUtilization", None),
        ]
        if a.requests_per_target is not None and self.target_group is not None:
            assert lb is not None and lb.arn_suffix is not None  # checked up front
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

    def _scale_on_queue(
        self, name: str, target: aws.appautoscaling.Target, a: AutoscalingSpec, cluster_name: pulumi.Output[str]
    ) -> None:
        """Target tracking on backlog per task (metric math: the queue's visible messages divided
        by the service's running tasks), as "Create a target tracking scaling policy for Application
        Auto Scaling using metric math" (example: Amazon SQS queue backlog per task) shows it:
        https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-target-tracking-metric-math.html
        With ``min: 0`` the division has no value while no task runs, so target tracking cannot
        start the first task: a step scaling policy adds one when an alarm sees messages and no
        running task (``IF``/``FILL`` of CloudWatch metric math)."""
        assert a.queue is not None
        child = pulumi.ResourceOptions(parent=self)
        tt = aws.appautoscaling
        dim = tt.PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationMetricMetricStatMetricDimensionArgs  # noqa: E501
        queue_dims = [dim(name="QueueName", value=a.queue.queue_name)]
        task_dims = [dim(name="ClusterName", value=cluster_name), dim(name="ServiceName", value=self.service.name)]

        def stat(
            namespace: str, metric: str, dims: list[Any], statistic: str
        ) -> tt.PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationMetricMetricStatArgs:
            return tt.PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationMetricMetricStatArgs(
                metric=tt.PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationMetricMetricStatMetricArgs(
                    namespace=namespace, metric_name=metric, dimensions=dims),
                stat=statistic,
            )  # fmt: skip

        query = tt.PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationMetricArgs
        self.scaling_policies.append(
            tt.Policy(
                f"{name}-scale-queue",
                policy_type="TargetTrackingScaling",
                resource_id=target.resource_id,
                scalable_dimension=target.scalable_dimension,
                service_namespace=target.service_namespace,
                target_tracking_scaling_policy_configuration=tt.PolicyTargetTrackingScalingPolicyConfigurationArgs(
                    target_value=a.queue.backlog_per_task,
                    customized_metric_specification=tt.PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationArgs(
                        metrics=[
                            query(id="m1", label="Visible messages", return_data=False,
                                  metric_stat=stat("AWS/SQS", "ApproximateNumberOfMessagesVisible", queue_dims, "Sum")),
                            query(id="m2", label="Running tasks", return_data=False,
                                  metric_stat=stat("ECS/ContainerInsights", "RunningTaskCount", task_dims, "Average")),
                            query(id="e1", label="Backlog per task", expression="m1 / m2", return_data=True),
                        ]
                    ),
                    scale_in_cooldown=a.scale_in_cooldown,
                    scale_out_cooldown=a.scale_out_cooldown,
                ),
                opts=child,
            )
        )  # fmt: skip
        self.scale_from_zero: aws.appautoscaling.Policy | None = None
        self.scale_from_zero_alarm: aws.cloudwatch.MetricAlarm | None = None
        if a.min_count != 0:
            return
        # One-minute datapoints in a row that must see messages and zero running tasks.
        scale_from_zero_minutes = 3  # local, so that this change stays inside _scale_on_queue
        self.scale_from_zero = tt.Policy(
            f"{name}-scale-from-zero",
            policy_type="StepScaling",
            resource_id=target.resource_id,
            scalable_dimension=target.scalable_dimension,
            service_namespace=target.service_namespace,
            step_scaling_policy_configuration=tt.PolicyStepScalingPolicyConfigurationArgs(
                # Exactly one task: the alarm invokes the policy every minute while it stays in
                # ALARM, and RunningTaskCount stays 0 while the first task is pending, so an
                # increment would start several; target tracking takes over from one.
                adjustment_type="ExactCapacity",
                cooldown=a.scale_out_cooldown,
                metric_aggregation_type="Maximum",
                step_adjustments=[
                    tt.PolicyStepScalingPolicyConfigurationStepAdjustmentArgs(
                        scaling_adjustment=1, metric_interval_lower_bound="0"
                    )
                ],
            ),
            opts=child,
        )
        self.scaling_policies.append(self.scale_from_zero)
        cw = aws.cloudwatch
        # The policy sets exactly one task, so the alarm must never fire for a running service:
        # scale_from_zero_minutes datapoints in a row, and a missing or late RunningTaskCount
        # datapoint is no datapoint (no FILL), which "notBreaching" never counts as zero tasks.
        # https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-missing-data
        self.scale_from_zero_alarm = cw.MetricAlarm(
            f"{name}-scale-from-zero",
            alarm_description=f"{name}: messages wait in {a.queue.queue_name} and no task runs; start one",
            comparison_operator="GreaterThanOrEqualToThreshold",
            threshold=1,
            evaluation_periods=scale_from_zero_minutes,
            datapoints_to_alarm=scale_from_zero_minutes,
            treat_missing_data="notBreaching",
            metric_queries=[
                cw.MetricAlarmMetricQueryArgs(id="m1", return_data=False, metric=cw.MetricAlarmMetricQueryMetricArgs(
                    namespace="AWS/SQS", metric_name="ApproximateNumberOfMessagesVisible", period=60,
                    stat="Maximum", dimensions={"QueueName": a.queue.queue_name})),
                cw.MetricAlarmMetricQueryArgs(id="m2", return_data=False, metric=cw.MetricAlarmMetricQueryMetricArgs(
                    namespace="ECS/ContainerInsights", metric_name="RunningTaskCount", period=60, stat="Maximum",
                    dimensions={"ClusterName": cluster_name, "ServiceName": self.service.name})),
                # Only a reported 0 is no running task: where m2 has no datapoint, neither has e1.
                cw.MetricAlarmMetricQueryArgs(id="e1", return_data=True, label="Messages waiting, no task running",
                                              expression="IF(m1 > 0 AND m2 == 0, 1, 0)"),
            ],
            alarm_actions=[self.scale_from_zero.arn],
            opts=child,
        )  # fmt: skip

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


def _deployment_configuration(spec: ServiceSpec) -> aws.ecs.ServiceDeploymentConfigurationArgs | None:
    """ECS's native blue/green, linear or canary deployment (``None`` for rolling, ECS's default)."""
    d = spec.deployment
    if not d.shifts_traffic:
        return None
    linear = canary = None
    if d.strategy == "linear":
        lin = d.effective_linear
        linear = aws.ecs.ServiceDeploymentConfigurationLinearConfigurationArgs(
            step_percent=lin.step_percent, step_bake_time_in_minutes=str(lin.step_minutes)
        )
    elif d.strategy == "canary":
        can = d.effective_canary
        canary = aws.ecs.ServiceDeploymentConfigurationCanaryConfigurationArgs(
            canary_percent=can.percent, canary_bake_time_in_minutes=str(can.minutes)
        )
    return aws.ecs.ServiceDeploymentConfigurationArgs(
        strategy=facts.DEPLOYMENT_STRATEGIES[d.strategy],
        # pulumi-aws types the minutes as strings.
        bake_time_in_minutes=str(d.effective_bake_minutes),
        linear_configuration=linear,
        canary_configuration=canary,
    )


#: What ECS does with a load balancer during a blue/green, linear or canary deployment: the actions
#: of AWS's managed policy AmazonECSInfrastructureRolePolicyForLoadBalancers (v2), which grants
#: them on every target group, listener and rule; here each is granted on exactly the service's.
#: https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonECSInfrastructureRolePolicyForLoadBalancers.html
ELB_READ_ACTIONS = (
    "elasticloadbalancing:DescribeListeners",
    "elasticloadbalancing:DescribeRules",
    "elasticloadbalancing:DescribeTargetGroups",
    "elasticloadbalancing:DescribeTargetHealth",
)


def infrastructure_statements(
    listeners: Sequence[pulumi.Input[str]],
    rules: Sequence[pulumi.Input[str]],
    target_groups: Sequence[pulumi.Input[str]],
) -> list[dict[str, Any]]:
    """The infrastructure role's policy: register tasks in the two target groups, rewrite the
    weights of the production and test rules (and of their listeners, as the managed policy
    allows), and read what ELB gives no resource-level permissions for."""
    return [
        # The Describe actions have no resource-level permissions: "*" is their only resource.
        unscoped_statement("ElbRead", ELB_READ_ACTIONS),
        {"Sid": "TargetGroups", "Effect": "Allow",
         "Action": ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
         "Resource": list(target_groups)},
        {"Sid": "Listeners", "Effect": "Allow", "Action": ["elasticloadbalancing:ModifyListener"],
         "Resource": list(listeners)},
        {"Sid": "ListenerRules", "Effect": "Allow", "Action": ["elasticloadbalancing:ModifyRule"],
         "Resource": list(rules)},
    ]  # fmt: skip
