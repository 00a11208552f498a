"""The Service component: its boundary checks, security group, EFS volumes, roles, task
definition and ECS service; traffic and scaling are built by :mod:`.traffic` and :mod:`.scaling`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import pulumi
import pulumi_aws as aws

from ecs_platform import facts
from ecs_platform.boundary import Boundary, Priority, task_in_stack, task_problems_in_stack
from ecs_platform.cluster import Cluster, ClusterRef, checked_ref, ref_in_stack, task_strategy
from ecs_platform.ebs import EbsRole, ebs_role, ebs_volume, service_volume_configuration
from ecs_platform.errors import raise_if
from ecs_platform.iam import AwsContext, TaskRoles, role_problems
from ecs_platform.outputs import tag_children, waiver_tags
from ecs_platform.routing import priority
from ecs_platform.service.deployment import deployment_configuration, retarget_warning
from ecs_platform.service.lattice import Lattice, authorize, join
from ecs_platform.service.network_traffic import attach_network
from ecs_platform.service.refs import (
    LatticeRef,
    LoadBalancerRef,
    NetworkLoadBalancerRef,
    ServiceConnectRef,
    checked_lattice,
    checked_load_balancer,
    checked_network_load_balancer,
    checked_service_connect_tls,
    load_balancer_in_stack,
    network_load_balancer_in_stack,
    tcp_path,
)
from ecs_platform.service.scaling import autoscale
from ecs_platform.service.traffic import attach
from ecs_platform.specs import ServiceSpec
from ecs_platform.specs.containers import port_mapping_name
from ecs_platform.specs.service import network_mode
from ecs_platform.specs.task import ContainerName
from ecs_platform.storage import NFS_PORT, EfsMount, EfsVolume, adopted_mount
from ecs_platform.task_definition import TaskDefinition, definition_problems
from ecs_platform.wiring import NAMESPACE_ARN, SUBNET_ID, VPC_ID, deferred_wiring, in_stack


def _region(context: AwsContext | None) -> pulumi.Input[str]:
    return context.region if context is not None else pulumi.Output.from_input("")


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
        load_balancer: LoadBalancerRef | NetworkLoadBalancerRef | None = None,
        container_name: str | None = None,
        route_priorities: Sequence[int] | None = None,
        context: AwsContext | None = None,
        service_connect: ServiceConnectRef | None = None,
        deploy_after: Sequence[pulumi.Resource] = (),
        lattice: LatticeRef | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """``cluster``: where it runs, and the defaults the spec leaves open. ``subnet_ids``:
        the private subnets of every zone (ECS spreads tasks over them). ``load_balancer``:
        required when the spec is public: a :class:`LoadBalancerRef` for ``protocol: HTTP``, a
        :class:`NetworkLoadBalancerRef` for TCP, UDP, TCP_UDP and TLS (in ``bridge`` or ``host`` mode
        on EC2 its targets are the instances, which must admit the load balancer:
        :class:`~ecs_platform.platform.Platform` adds those rules with
        :func:`~ecs_platform.service.traffic.instance_paths`; a program that builds the Service alone
        calls it). ``container_name`` (default ``name``) also names
        the ``Service`` tag, log streams and derived names. ``route_priorities``: one per
        route, from :func:`ecs_platform.routing.assign` when services share a listener;
        default: each route's own hashed priority. ``service_connect``: the namespace, for a
        service that has ``callers`` or calls others (then see :meth:`admit`); the service
        joins it as ``http://<container_name>:<port>``. EFS volumes the spec creates get a
        mount target in each of ``subnet_ids``, which must then be a list. ``deploy_after``:
        resources (pre-deploy job runs, :class:`~ecs_platform.predeploy.PreDeployRun`) that a new
        task definition, and so a new deployment, waits for. ``lattice``: the VPC Lattice service
        network, required when the spec has ``lattice`` (then call :meth:`authorize_lattice` with the
        callers once they exist)."""
        bd = Boundary("Service", name, opts)
        checked = bd.spec("spec", spec, ServiceSpec)
        context = bd.context("context", context)
        checked_cluster = checked_ref(bd, cluster, context)
        bd.wiring("vpc_id", vpc_id, VPC_ID)
        bd.wiring_list("subnet_ids", subnet_ids, SUBNET_ID)
        lb: LoadBalancerRef | NetworkLoadBalancerRef | None
        if isinstance(load_balancer, NetworkLoadBalancerRef):
            lb = checked_network_load_balancer(bd, load_balancer, spec, context)
        else:
            lb = checked_load_balancer(bd, load_balancer, context)
        lattice = checked_lattice(bd, lattice, context)
        container_name = bd.plain("container_name", container_name, ContainerName | None)
        route_priorities = bd.plain("route_priorities", route_priorities, tuple[Priority, ...] | None)
        connect = bd.instance("service_connect", service_connect, (ServiceConnectRef,),
                              "a ServiceConnectRef(namespace_arn=...), or None", optional=True)  # fmt: skip
        if connect is not None:
            bd.wiring("service_connect.namespace_arn", connect.namespace_arn, NAMESPACE_ARN, context)
            checked_service_connect_tls(bd, connect, context)
        deploy_after = bd.resources("deploy_after", deploy_after)
        if checked is not None and checked_cluster is not None and bd.ok:
            self._problems(bd, name, checked, checked_cluster, lb, container_name or name, route_priorities,
                           connect, subnet_ids, context, lattice)  # fmt: skip
        bd.done(self)
        assert checked is not None and checked_cluster is not None
        spec, ref, load_balancer, service_connect = checked, checked_cluster, lb, connect
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
        if (warning := retarget_warning(name, spec)) is not None:
            pulumi.log.warn(warning, resource=self)
        ctx = context or AwsContext.lookup(pulumi.InvokeOutputOptions(parent=self))
        # Wiring and ARNs that are Outputs (or whose stack is only known now) are checked once
        # known, before the resources that use them.
        ref = ref_in_stack(ref, ctx, "Service")
        spec = task_in_stack(spec, ctx)
        vpc_id = deferred_wiring(vpc_id, VPC_ID, "Service.vpc_id")
        subnet_ids = deferred_wiring(subnet_ids, SUBNET_ID, "Service.subnet_ids", many=True)
        if isinstance(load_balancer, NetworkLoadBalancerRef):
            load_balancer = network_load_balancer_in_stack(load_balancer)
        else:
            load_balancer = load_balancer_in_stack(load_balancer, ctx)
        if service_connect is not None:
            arn = deferred_wiring(service_connect.namespace_arn, NAMESPACE_ARN, "Service.service_connect.namespace_arn")
            # (its TLS settings, if any, are kept)
            service_connect = replace(
                service_connect, namespace_arn=in_stack(arn, NAMESPACE_ARN, "Service.service_connect.namespace_arn", ctx))
        self.spec = spec
        self._service_name = name
        self.caller_rules: list[aws.vpc.SecurityGroupIngressRule | aws.vpc.SecurityGroupEgressRule] = []
        launch_type = ref.spec.launch_type_for(spec.launch_type, spec.capacity_provider_strategy)
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
        self._own_roles = True  # its task definition gets the two roles below
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
            task_role_name=self.roles.task_role.name,
            container_name=container_name,
            family=f"{prefix}-{container_name}" if prefix else None,
            log_group_name=f"/ecs/{prefix}/{container_name}" if prefix else None,
            efs=efs,
            deploy_after=deploy_after,
            opts=child,
        )
        # An EBS volume per task: ECS creates it with the infrastructure role, encrypted with the
        # stack's key when it has one.
        self.ebs_role: EbsRole | None = None
        volume_configuration = None
        if (found := ebs_volume(spec)) is not None:
            self.ebs_role = ebs_role(self, name, ctx, ref.kms_key_arn)
            volume_configuration = service_volume_configuration(
                found[0], found[1], role_arn=self.ebs_role.arn, kms_key_arn=ref.kms_key_arn)  # fmt: skip
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
        self.listener: aws.lb.Listener | None = None
        self.network_paths: list[tuple[aws.vpc.SecurityGroupIngressRule, aws.vpc.SecurityGroupEgressRule]] = []
        if isinstance(load_balancer, NetworkLoadBalancerRef) and spec.on_network_load_balancer:
            assert self.security_group is not None  # awsvpc (checked by the spec)
            network = attach_network(self, name, container_name, spec, vpc_id=vpc_id,
                                     security_group_id=self.security_group.id, nlb=load_balancer)  # fmt: skip
            load_balancers = [network.service_load_balancer]
            self.target_group, self.listener = network.target_group, network.listener
            self.network_paths, self.alarms = network.paths, network.alarms
        elif isinstance(load_balancer, LoadBalancerRef) and spec.on_application_load_balancer:
            prios = list(route_priorities) if route_priorities is not None else [
                priority(container_name, i, route) for i, route in enumerate(spec.effective_routes)]  # fmt: skip
            traffic = attach(
                self, name, container_name, spec, vpc_id=vpc_id,
                security_group_id=self.security_group.id if self.security_group is not None else None,
                lb=load_balancer, priorities=prios, ctx=ctx,
            )  # fmt: skip
            load_balancers = [traffic.service_load_balancer]
            self.target_group, self.alternate_target_group = traffic.target_group, traffic.alternate_target_group
            self.listener_rules, self.test_listener_rule = traffic.listener_rules, traffic.test_listener_rule
            self.ingress_from_load_balancer = traffic.ingress_from_load_balancer
            self.load_balancer_egress = traffic.load_balancer_egress
            self.infrastructure_role, self.infrastructure_policy = traffic.infrastructure_role, traffic.infrastructure_policy
            self.alarms = traffic.alarms
        self.lattice: Lattice | None = None
        self._lattice_ref = lattice
        if lattice is not None and spec.lattice is not None and spec.port is not None:
            assert self.security_group is not None  # awsvpc (checked by the spec)
            self.lattice = join(self, name, container_name, spec.port, spec.lattice, vpc_id=vpc_id,
                                security_group_id=self.security_group.id, ref=lattice, ctx=ctx)  # fmt: skip
        alarm_names: list[pulumi.Input[str]] = [a.name for a in self.alarms]
        alarm_names += spec.deployment.alarms
        fargate = launch_type in ("FARGATE", "FARGATE_SPOT")
        strategy = task_strategy(ref.spec, spec.launch_type, spec.capacity_provider_strategy,
                                 ref.ec2_capacity_provider_name,
                                 managed_instances_provider=ref.managed_instances_capacity_provider_name)  # fmt: skip
        desired = spec.initial_count(ref.spec.desired_count)
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
            # host mode: a task holds its port on the instance, so at most one per instance.
            placement_constraints=(
                [aws.ecs.ServicePlacementConstraintArgs(type="distinctInstance")]
                if launch_type == "EC2" and mode == "host"
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
            # ECS ignores failing load balancer and container health checks for this long after start.
            health_check_grace_period_seconds=spec.effective_grace_period,
            deployment_circuit_breaker=aws.ecs.ServiceDeploymentCircuitBreakerArgs(
                enable=True, rollback=True
            ),
            # Alarms in ALARM during a deployment (or its bake time) roll it back.
            alarms=(
                aws.ecs.ServiceAlarmsArgs(alarm_names=alarm_names, enable=True, rollback=True)
                if alarm_names
                else None
            ),
            deployment_configuration=deployment_configuration(spec),
            deployment_minimum_healthy_percent=spec.min_healthy_percent,
            deployment_maximum_percent=spec.max_percent,
            # `pulumi up` fails, naming the service, when its deployment does not settle. The
            # provider's sigint_rollback is left off: Pulumi's cancellation does not reach the
            # provider's wait (its Cancel does nothing), and provider releases built on
            # terraform-provider-aws 6.53-6.54 rolled back every healthy deployment with it
            # (hashicorp/terraform-provider-aws#49031, fixed by #49077).
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
            volume_configuration=volume_configuration,
            vpc_lattice_configurations=[self.lattice.configuration] if self.lattice else None,
            enable_ecs_managed_tags=True,
            propagate_tags="SERVICE",
            # The provider refuses (older versions: replaces the service) a change of capacity
            # provider strategy unless force_new_deployment is true, and it cannot be true only for
            # that update: the program does not know the live strategy. The price: the provider sends
            # ForceNewDeployment with every UpdateService, so any change to the service (a grace
            # period, percentages, alarms) starts a new deployment (terraform-provider-aws
            # internal/service/ecs/service.go, capacityProviderStrategyCustomizeDiff and
            # resourceServiceUpdate; docs/deployments.md and the preview say so).
            force_new_deployment=True,
            # With autoscaling, the live task count belongs to the autoscaler: the
            # configured count applies when the service is created, never after.
            opts=pulumi.ResourceOptions(
                parent=self,
                ignore_changes=_ignored(spec) or None,
                custom_timeouts=pulumi.CustomTimeouts(
                    create=f"{ref.spec.deploy_timeout_minutes}m", update=f"{ref.spec.deploy_timeout_minutes}m"
                ),
            ),
        )
        self.scaling_target: aws.appautoscaling.Target | None = None
        self.scaling_policies: list[aws.appautoscaling.Policy] = []
        self.scale_from_zero: aws.appautoscaling.Policy | None = None
        self.scale_from_zero_alarm: aws.cloudwatch.MetricAlarm | None = None
        if spec.autoscaling is not None:
            label = None
            if (self.target_group is not None and isinstance(load_balancer, LoadBalancerRef)
                    and load_balancer.arn_suffix is not None):  # fmt: skip
                label = pulumi.Output.concat(load_balancer.arn_suffix, "/", self.target_group.arn_suffix)
            scaling = autoscale(self, name, spec.autoscaling, cluster_arn=ref.arn, service_name=self.service.name,
                                request_count_label=label)  # fmt: skip
            self.scaling_target, self.scaling_policies = scaling.target, scaling.policies
            self.scale_from_zero, self.scale_from_zero_alarm = scaling.scale_from_zero, scaling.scale_from_zero_alarm
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

    @staticmethod
    def _problems(
        bd: Boundary,
        name: str,
        spec: ServiceSpec,
        ref: ClusterRef,
        load_balancer: LoadBalancerRef | NetworkLoadBalancerRef | None,
        container_name: str,
        route_priorities: Sequence[int] | None,
        service_connect: ServiceConnectRef | None,
        subnet_ids: object,
        context: AwsContext | None,
        lattice: LatticeRef | None = None,
    ) -> None:
        """Everything the service and its children check before the first of them exists."""
        problems = bd.problems
        if spec.is_public and load_balancer is None:
            problems.append("Service.load_balancer: None is missing (allowed: a LoadBalancerRef, required "
                            "when the spec is public)")  # fmt: skip
        if not spec.is_public and load_balancer is not None:
            problems.append("Service.load_balancer: is set, and the spec is not public (allowed: None, or "
                            "public=True / routes on the spec)")  # fmt: skip
        wanted = NetworkLoadBalancerRef if spec.on_network_load_balancer else LoadBalancerRef
        if spec.is_public and load_balancer is not None and not isinstance(load_balancer, wanted):
            problems.append(f"Service.load_balancer: is a {type(load_balancer).__name__}, and the spec's protocol is "
                            f"{spec.protocol} (allowed: a {wanted.__name__})")  # fmt: skip
        if (spec.lattice is None) != (lattice is None):
            problems.append("Service.lattice: " + ("None is missing (allowed: a LatticeRef, required when the spec "
                            "has lattice)" if lattice is None else "is set, and the spec has no lattice (allowed: "
                            "None)"))  # fmt: skip
        if ref.spec.launch_type_for(spec.launch_type, spec.capacity_provider_strategy) == "EC2" and (
            ref.ec2_capacity_provider_name is None
        ):
            problems.append("Service.cluster.ec2_capacity_provider_name: None is missing (allowed: the cluster's "
                            "EC2 capacity provider, required on EC2)")  # fmt: skip
        if ref.spec.launch_type_for(spec.launch_type, spec.capacity_provider_strategy) == facts.MANAGED_INSTANCES and (
                ref.managed_instances_capacity_provider_name is None):
            problems.append("Service.cluster.managed_instances_capacity_provider_name: None is missing (allowed: the "
                            "cluster's Managed Instances capacity provider, required on MANAGED_INSTANCES)")  # fmt: skip
        if spec.exec_enabled and ref.exec_log_group_arn is None:
            problems.append("Service.cluster.exec_log_group_arn: None is missing (allowed: the cluster's ECS Exec "
                            "audit log group, required with exec)")  # fmt: skip
        if isinstance(load_balancer, LoadBalancerRef) and spec.is_public and load_balancer.arn_suffix is None:
            problems.append("Service.load_balancer.arn_suffix: None is missing (allowed: the load balancer's ARN "
                            "suffix, required for a public service's deployment alarms and "
                            "autoscaling.requestsPerTarget)")  # fmt: skip
        test_port = spec.deployment.test_port
        listeners = load_balancer.test_listener_arns if isinstance(load_balancer, LoadBalancerRef) else None
        if spec.deployment.shifts_traffic and listeners is not None and test_port not in listeners:
            problems.append(f"Service.load_balancer.test_listener_arns: has no listener on {test_port} (allowed: "
                            "the load balancer's test listener on deployment.test_port, e.g. from "
                            f"LoadBalancer(test_ports=[{test_port}]))")  # fmt: skip
        routes = spec.effective_routes
        if route_priorities is not None and len(route_priorities) != len(routes):
            problems.append(f"Service.route_priorities: {len(route_priorities)} priorities for {len(routes)} "
                            "routes (allowed: one per route)")  # fmt: skip
        if container_name in spec.sidecars:
            problems.append(f"Service.container_name: {container_name!r} is also a sidecar's name (allowed: "
                            "a name none of the spec's sidecars has)")  # fmt: skip
        if spec.callers and service_connect is None:
            problems.append("Service.service_connect: None is missing (allowed: a ServiceConnectRef, required "
                            "when the spec has callers)")  # fmt: skip
        # Service Connect's discoveryName is the container name: up to 64 lowercase letters, digits,
        # _ and -, not starting with - (API_ServiceConnectService, the port-mapping name grammar).
        if spec.callers and not facts.PORT_MAPPING_NAME_RE.fullmatch(container_name):
            problems.append(f"Service.container_name: {container_name!r} is the Service Connect discovery "
                            "name of a service with callers (allowed: up to 64 lowercase letters, digits, _ and -, "
                            "not starting with -)")  # fmt: skip
        created_efs = [n for n, v in spec.volumes.items() if v.efs is not None and v.efs.created]
        if created_efs and not isinstance(subnet_ids, (list, tuple)):
            problems.append("Service.subnet_ids: is an Output (allowed: a list with one private subnet per zone "
                            f"when the spec creates EFS volumes ({', '.join(created_efs)}): each gets a mount "
                            "target)")  # fmt: skip
        # What the children will check (their names, sizes and documents), checked here first.
        names = "container_name" if container_name != name else "name"
        prefix = ref.name_prefix
        derived = "cluster.name_prefix" if prefix else "name"  # the family's and log group's source
        bd.autoname("name", name, "aws:ecs/service:Service", name, "ECS service name")
        bd.autoname("name", name, "aws:ec2/securityGroup:SecurityGroup", f"{name}-sg", "security group name")
        if spec.deployment.shifts_traffic:
            bd.autoname("name", name, "aws:iam/role:Role", f"{name}-infrastructure", "IAM role name")
        if ebs_volume(spec) is not None:
            bd.autoname("name", name, "aws:iam/role:Role", f"{name}-ebs-infrastructure", "IAM role name")
        if spec.lattice is not None:
            bd.autoname("name", name, "aws:iam/role:Role", f"{name}-lattice-infra", "IAM role name")
        role_problems(bd, f"{name}-roles", spec, ref, context)
        task_problems_in_stack(bd, spec, context)
        tags = 1 + len(spec.tags)
        definition_problems(
            bd, spec, ref, logical=f"{name}-task", container_name=container_name,
            family=f"{prefix}-{container_name}" if prefix else f"{name}-task",
            log_group_name=f"/ecs/{prefix}/{container_name}" if prefix else None, region=_region(context),
            efs_names=set(spec.volumes), args=(names, derived, derived),
            extra_tags=tags, tags_arg="ServiceSpec.tags",
        )  # fmt: skip
        bd.claim("ecs-platform:ecs:Service", name, "name", "is the name")
        bd.claim("task", name, "name", "is the name")

    def _service_connect(
        self, container_name: str, spec: ServiceSpec, ref: ServiceConnectRef | None, region: pulumi.Input[str]
    ) -> aws.ecs.ServiceServiceConnectConfigurationArgs | None:
        """Service Connect: every service of the namespace can call ``http://<name>:<port>``
        of one with callers (whose security group admits only those callers, see :meth:`admit`),
        with the spec's proxy timeouts and, when the namespace's ref has a private CA, over TLS.
        The Service Connect proxy logs to the service's log group."""
        if ref is None:
            return None
        served = None
        if spec.callers and spec.port is not None:
            proxy = spec.service_connect
            timeout = None
            if proxy is not None and (proxy.idle_timeout is not None or proxy.per_request_timeout is not None):
                timeout = aws.ecs.ServiceServiceConnectConfigurationServiceTimeoutArgs(
                    idle_timeout_seconds=proxy.idle_timeout, per_request_timeout_seconds=proxy.per_request_timeout)
            tls = None
            if ref.tls_ca_arn is not None:
                tls = aws.ecs.ServiceServiceConnectConfigurationServiceTlsArgs(
                    issuer_cert_authority=aws.ecs.ServiceServiceConnectConfigurationServiceTlsIssuerCertAuthorityArgs(
                        aws_pca_authority_arn=ref.tls_ca_arn),
                    kms_key=ref.tls_kms_key, role_arn=ref.tls_role_arn)
            served = [
                aws.ecs.ServiceServiceConnectConfigurationServiceArgs(
                    port_name=port_mapping_name(container_name, spec.port),
                    discovery_name=container_name,
                    client_alias=[aws.ecs.ServiceServiceConnectConfigurationServiceClientAliasArgs(
                        port=spec.port, dns_name=container_name)],
                    timeout=timeout,
                    tls=tls,
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

    def authorize_lattice(
        self, callers: Mapping[str, tuple[pulumi.Input[str], pulumi.Input[str], pulumi.Input[str]]]
    ) -> None:
        """The Lattice service's auth policy: it admits the ``callers`` (name -> (task role ARN, task
        role name, security group id)) and the spec's ``lattice.principals``; each caller gets
        ``vpc-lattice-svcs:Invoke`` on this service and the network path to it."""
        if self.lattice is None or self._lattice_ref is None or self.spec.lattice is None:
            raise_if([f"Service.authorize_lattice: {self._service_name} has no Lattice service (allowed: a spec "
                      "with lattice)"], "Service")  # fmt: skip
            return
        authorize(self, self._service_name, self.lattice, self.spec.lattice, callers, self._lattice_ref)

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


#: The target groups ECS swaps with every blue/green, linear or canary deployment: after one, ECS
#: reports the group now serving production as the service's target group and the other as the
#: alternate. Sending the configured pair back would make ECS register the next deployment's new
#: tasks in the group that serves production (terraform-provider-aws issue 45678); ignoring them
#: also keeps the provider's diff from seeing ECS's swap as drift.
#: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/blue-green-deployment-how-it-works.html
SWAPPED_BY_ECS = (
    "loadBalancers[0].targetGroupArn",
    "loadBalancers[0].advancedConfiguration.alternateTargetGroupArn",
)


def _ignored(spec: ServiceSpec) -> list[str]:
    """What ``pulumi up`` leaves as it is on the live service: the task count when an autoscaler
    owns it, and the target groups of a traffic-shifting deployment (unless
    ``deployment.retarget``: a service switching to such a strategy must send them once)."""
    ignored = ["desiredCount"] if spec.autoscaling else []
    if spec.is_public and spec.deployment.shifts_traffic and not spec.deployment.retarget:
        ignored += SWAPPED_BY_ECS
    return ignored
