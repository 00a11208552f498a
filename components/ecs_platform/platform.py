"""Platform: the whole stack (network, cluster, services) wired from one spec.

``__main__.py`` builds one of these from stack config; another Pulumi program
can do the same with its own :class:`~ecs_platform.specs.PlatformSpec` (see
docs/embedding.md). Wiring only: each component gets its spec (or
the part of the spec it owns) plus the Outputs of the components it needs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pulumi
import pulumi_aws as aws

from ecs_platform import facts
from ecs_platform.boundary import Boundary, PlainStr
from ecs_platform.cluster import Cluster
from ecs_platform.daemon import Daemon
from ecs_platform.iam import AwsContext, SharedTaskRoles
from ecs_platform.job import Job
from ecs_platform.load_balancer import LoadBalancer
from ecs_platform.network import Network, VpcControls
from ecs_platform.routing import assign
from ecs_platform.service import Service, ServiceConnectRef
from ecs_platform.service.traffic import instance_paths
from ecs_platform.specs import PlatformSpec, RouteSpec, ServiceSpec, StackContext, context_problems
from ecs_platform.specs.base import python_problems
from ecs_platform.specs.platform import test_ports
from ecs_platform.specs.service import network_mode
from ecs_platform.wiring import REGION


def service_url(scheme: str, dns_name: pulumi.Input[str], route: RouteSpec) -> pulumi.Output[str]:
    """Where a route is reached: its first exact host, else the load balancer's
    name, followed by the literal part of its first path."""
    host = next((h for h in route.hosts if "*" not in h and "?" not in h), None)
    path = "/"
    if route.paths:
        first = route.paths[0]
        cut = min((i for i, c in enumerate(first) if c in "*?"), default=len(first))
        path = first[:cut] or "/"
    return pulumi.Output.concat(scheme, "://", host if host else dns_name, path)


def stack_tags(spec: PlatformSpec, context: StackContext) -> dict[str, str]:
    """Tags every resource of the stack carries: project, stack, plus the spec's ``tags``."""
    return {"Project": context.project, "Stack": context.stack, "ManagedBy": "pulumi", **spec.tags}


def _nth(i: int) -> Callable[[Sequence[str]], str]:
    return lambda ids: ids[i]


def _creates_efs(svc: ServiceSpec) -> bool:
    return any(v.efs is not None and v.efs.created for v in svc.volumes.values())


class Platform(pulumi.ComponentResource):
    """Network + cluster + one :class:`Service` per configured service, and an
    application load balancer when a service is public.

    Attributes: ``network``, ``cluster``, ``load_balancer`` (or ``None``),
    ``services`` (name -> Service), ``jobs`` (name -> Job), ``daemons`` (name -> Daemon),
    ``urls`` (public service -> URL), ``task_roles`` (the shared :class:`SharedTaskRoles` of a
    stack with neither services nor jobs, else ``None``).
    """

    network: Network
    cluster: Cluster
    load_balancer: LoadBalancer | None
    services: dict[str, Service]
    jobs: dict[str, Job]
    daemons: dict[str, Daemon]
    urls: dict[str, pulumi.Output[str]]

    def __init__(
        self,
        name: str,
        spec: PlatformSpec,
        *,
        context: StackContext,
        aws_context: AwsContext | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """``context`` is where the stack is deployed (project, stack, region, zones);
        its rules are checked here, before anything is registered."""
        bd = Boundary("Platform", name, opts)
        checked = bd.spec("spec", spec, PlatformSpec)
        context = bd.instance("context", context, (StackContext,), "a StackContext(project, stack, region, zones)")
        aws_context = bd.context("aws_context", aws_context)
        if context is not None:
            bd.plain("context.project", context.project, PlainStr)
            bd.plain("context.stack", context.stack, PlainStr)
            bd.wiring("context.region", context.region, REGION)
        if checked is not None and context is not None and bd.ok:
            bd.problems += python_problems(type(checked), context_problems(checked, context))
        bd.claim("ecs-platform:index:Platform", name, "name", "is the name")
        bd.done(self)
        assert checked is not None and context is not None
        spec = checked
        super().__init__("ecs-platform:index:Platform", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        ctx = aws_context or AwsContext.lookup(pulumi.InvokeOutputOptions(parent=self))
        if aws_context is None and context.region:
            # The stack's region is known: components measure what they write with it.
            ctx.region = context.region

        self.network = Network(f"{name}-network", spec, zones=spec.zones(context), context=ctx,
                               instance_tags=stack_tags(spec, context), opts=child)  # fmt: skip
        self.cluster = Cluster(
            f"{name}-cluster",
            spec,
            vpc_id=self.network.vpc_id,
            subnet_ids=self.network.private_subnet_ids,
            name_prefix=context.prefix,
            context=ctx,
            instance_tags=stack_tags(spec, context),
            opts=child,
        )
        # A cluster without services or jobs: the seed's role for the tasks others run on it.
        self.task_roles: SharedTaskRoles | None = None
        if spec.shares_task_roles:
            self.task_roles = SharedTaskRoles(f"{name}-roles", context=ctx, opts=child)
        self.vpc_controls: VpcControls | None = None
        if spec.vpc is None:
            self.vpc_controls = VpcControls(
                f"{name}-vpc-controls",
                vpc_id=self.network.vpc_id,
                flow_logs=spec.flow_logs,
                log_retention_days=spec.log_retention_days,
                log_kms_key_arn=self.cluster.kms_key_arn,
                retain_logs_on_delete=spec.retain_logs_on_delete,
                name_prefix=context.prefix,
                context=ctx,
                opts=child,
            )
        self.load_balancer = None
        lb = spec.load_balancer
        if spec.public_services:
            self.load_balancer = LoadBalancer(
                f"{name}-lb",
                lb,
                vpc_id=self.network.vpc_id,
                subnet_ids=self.network.private_subnet_ids if lb.internal else self.network.public_subnet_ids,
                region=context.region,
                log_retention_days=spec.log_retention_days,
                log_kms_key_arn=self.cluster.kms_key_arn,
                retain_logs_on_delete=spec.retain_logs_on_delete,
                name_prefix=context.prefix,
                context=ctx,
                test_ports=sorted(set(test_ports(spec).values())),
                test_ingress_cidrs={
                    port: list(cidrs)
                    for svc_name, port in test_ports(spec).items()
                    if (cidrs := spec.services[svc_name].deployment.test_ingress_cidrs)
                },
                opts=child,
            )
        # Services share the listener: their rule priorities are assigned together.
        priorities = assign(
            [(n, i, r) for n, svc in spec.services.items() for i, r in enumerate(svc.effective_routes)]
        )
        # Service Connect: one Cloud Map namespace per stack, joined by every service
        # that calls or is called.
        connected = {n for n, svc in spec.services.items() if svc.callers} | {
            c for svc in spec.services.values() for c in svc.callers}  # fmt: skip
        self.namespace: aws.servicediscovery.HttpNamespace | None = None
        connect = None
        if connected:
            self.namespace = aws.servicediscovery.HttpNamespace(
                f"{name}-namespace",
                name=context.prefix,
                description=f"Service Connect namespace of {context.prefix}",
                opts=child,
            )
            connect = ServiceConnectRef(namespace_arn=self.namespace.arn)
        zone_count = len(spec.vpc.private_subnet_ids) if spec.vpc is not None else spec.az_count
        # EFS volumes need one mount target per zone, so a list of subnets.
        subnets_by_zone = [self.network.private_subnet_ids.apply(_nth(i)) for i in range(zone_count)]
        # Jobs first: a service's new task definition waits for the pre-deploy jobs that run
        # before it.
        self.jobs = {
            job_name: Job(
                f"{name}-{job_name}",
                job,
                cluster=self.cluster,
                vpc_id=self.network.vpc_id,
                subnet_ids=self.network.private_subnet_ids,
                container_name=job_name,
                context=ctx,
                credentials=context.aws_provider,
                opts=child,
            )
            for job_name, job in spec.jobs.items()
        }
        self.services = {}
        self.urls = {}
        for svc_name, svc in spec.services.items():
            public = self.load_balancer if svc.is_public else None
            routes = svc.effective_routes
            self.services[svc_name] = Service(
                f"{name}-{svc_name}",
                svc,
                cluster=self.cluster,
                vpc_id=self.network.vpc_id,
                subnet_ids=subnets_by_zone if _creates_efs(svc) else self.network.private_subnet_ids,
                load_balancer=public.ref if public else None,
                container_name=svc_name,
                route_priorities=[priorities[(svc_name, i)] for i in range(len(routes))],
                context=ctx,
                service_connect=connect if svc_name in connected else None,
                deploy_after=[
                    job.predeploy for j, job in self.jobs.items()
                    if job.predeploy is not None and svc_name in spec.jobs[j].run_before
                ],
                opts=child,
            )
            if public is not None:
                self.urls[svc_name] = service_url(public.scheme, public.dns_name, routes[0])
        # Public services in bridge or host mode are the EC2 instances' targets: the instances admit
        # the load balancer on the dynamic host ports, or on each host-mode service's port.
        ranges = []
        for svc in spec.services.values():
            mode = network_mode(svc, spec)
            if svc.is_public and svc.port is not None and mode in facts.INSTANCE_TARGET_MODES:
                ranges.append(facts.DYNAMIC_HOST_PORTS if mode == "bridge" else (svc.port, svc.port))
        self.instance_paths = []
        if ranges and self.load_balancer is not None and self.cluster.ec2 is not None:
            self.instance_paths = instance_paths(
                self, f"{name}-lb-to-instances",
                load_balancer_security_group_id=self.load_balancer.ref.security_group_id,
                instance_security_group_id=self.cluster.ec2.security_group_id, ranges=ranges,
            )  # fmt: skip
        # Daemons: one task on every instance of the EC2, external or Managed Instances capacity.
        self.daemons = {
            daemon_name: Daemon(
                f"{name}-{daemon_name}",
                daemon,
                cluster=self.cluster,
                vpc_id=self.network.vpc_id,
                subnet_ids=self.network.private_subnet_ids,
                container_name=daemon_name,
                context=ctx,
                opts=child,
            )
            for daemon_name, daemon in spec.daemons.items()
        }
        for svc_name, svc in spec.services.items():
            for caller in svc.callers:
                caller_sg = self.services[caller].security_group_id
                assert caller_sg is not None  # awsvpc on both ends (checked by the spec)
                self.services[svc_name].admit(caller, caller_sg)
        self.register_outputs(
            {
                "vpcId": self.network.vpc_id,
                "clusterName": self.cluster.name,
                "services": {n: sv.service_name for n, sv in self.services.items()},
                "jobs": {n: job.task_definition_arn for n, job in self.jobs.items()},
                "daemons": {n: d.daemon_name for n, d in self.daemons.items()},
                "urls": self.urls,
            }
        )
