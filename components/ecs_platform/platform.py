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
from ecs_platform.lattice import LatticeNetwork, lattice_prefix_list
from ecs_platform.load_balancer import LoadBalancer
from ecs_platform.network import Network, VpcControls
from ecs_platform.network_load_balancer import NetworkLoadBalancer
from ecs_platform.routing import assign
from ecs_platform.service import LatticeRef, Service, ServiceConnectRef
from ecs_platform.service.traffic import instance_paths
from ecs_platform.service_connect_tls import TlsRole, tls_role
from ecs_platform.specs import PlatformSpec, RouteSpec, ServiceSpec, StackContext, context_problems
from ecs_platform.specs.base import python_problems
from ecs_platform.specs.lattice import CREATE_NETWORK
from ecs_platform.specs.nlb import nlb_listeners
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
    """Network + cluster + one :class:`Service` per configured service, an application load
    balancer when an HTTP service is public, a network load balancer when a TCP, UDP, TCP_UDP or TLS
    service is.

    Attributes: ``network``, ``cluster``, ``load_balancer`` (or ``None``), ``network_load_balancer``
    (or ``None``), ``lattice`` (the created :class:`LatticeNetwork`, or ``None``),
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
        if spec.application_services:
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
        # TCP, UDP, TCP_UDP and TLS services: the network load balancer, a listener per service port.
        self.network_load_balancer: NetworkLoadBalancer | None = None
        if spec.network_services:
            self.network_load_balancer = NetworkLoadBalancer(
                f"{name}-nlb",
                lb,
                vpc_id=self.network.vpc_id,
                subnet_ids=self.network.private_subnet_ids if lb.internal else self.network.public_subnet_ids,
                listeners=nlb_listeners(spec.services),
                region=context.region,
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
        self.service_connect_tls: TlsRole | None = None
        connect = None
        if connected:
            self.namespace = aws.servicediscovery.HttpNamespace(
                f"{name}-namespace",
                name=context.prefix,
                description=f"Service Connect namespace of {context.prefix}",
                opts=child,
            )
            tls = spec.service_connect.tls if spec.service_connect else None
            if tls is not None:
                # The TLS key: the one named, else the stack's (created or adopted), else AWS managed.
                key = tls.kms_key if tls.kms_key is not None else self.cluster.kms_key_arn
                self.service_connect_tls = tls_role(self, f"{name}-service-connect-tls", ctx, key)
                connect = ServiceConnectRef(namespace_arn=self.namespace.arn, tls_ca_arn=tls.private_ca_arn,
                                            tls_role_arn=self.service_connect_tls.arn, tls_kms_key=key)  # fmt: skip
            else:
                connect = ServiceConnectRef(namespace_arn=self.namespace.arn)
        # VPC Lattice: the service network services with `lattice` join (created, or adopted by ARN).
        self.lattice: LatticeNetwork | None = None
        lattice_ref: LatticeRef | None = None
        if spec.lattice is not None and spec.lattice.service_network == CREATE_NETWORK:
            self.lattice = LatticeNetwork(f"{name}-lattice", vpc_id=self.network.vpc_id, context=ctx, opts=child)
            lattice_ref = self.lattice.ref
        elif spec.lattice is not None:
            lattice_ref = LatticeRef(service_network=spec.lattice.service_network,
                                     prefix_list_id=lattice_prefix_list(ctx.region, self))  # fmt: skip
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
            public = self.load_balancer if svc.on_application_load_balancer else None
            nlb = self.network_load_balancer if svc.on_network_load_balancer else None
            routes = svc.effective_routes
            self.services[svc_name] = Service(
                f"{name}-{svc_name}",
                svc,
                cluster=self.cluster,
                vpc_id=self.network.vpc_id,
                subnet_ids=subnets_by_zone if _creates_efs(svc) else self.network.private_subnet_ids,
                load_balancer=public.ref if public else nlb.ref if nlb else None,
                container_name=svc_name,
                route_priorities=[priorities[(svc_name, i)] for i in range(len(routes))],
                context=ctx,
                service_connect=connect if svc_name in connected else None,
                deploy_after=[
                    job.predeploy for j, job in self.jobs.items()
                    if job.predeploy is not None and svc_name in spec.jobs[j].run_before
                ],
                lattice=lattice_ref if svc.lattice is not None else None,
                opts=child,
            )
            if public is not None:
                self.urls[svc_name] = service_url(public.scheme, public.dns_name, routes[0])
            elif nlb is not None:
                scheme = svc.protocol.lower().replace("_", "+")  # tcp, udp, tcp+udp, tls
                self.urls[svc_name] = pulumi.Output.concat(scheme, "://", nlb.dns_name, f":{svc.port}")
        # Public services in bridge or host mode are the EC2 instances' targets: the instances admit
        # the load balancer on the dynamic host ports, or on each host-mode service's port.
        ranges = []
        for svc in spec.services.values():
            mode = network_mode(svc, spec)
            if svc.on_application_load_balancer and svc.port is not None and mode in facts.INSTANCE_TARGET_MODES:
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
            if svc.lattice is not None:
                # The auth policy names the callers' task roles, so it waits for every service.
                self.services[svc_name].authorize_lattice({
                    c: (self.services[c].task_role_arn, self.services[c].roles.task_role.name,
                        self.services[c].security_group_id or "") for c in svc.callers})  # fmt: skip
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
