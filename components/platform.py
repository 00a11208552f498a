"""Platform: the whole stack (network, cluster, services) composed from settings.

``__main__.py`` builds one of these from stack config; another Pulumi program
can do the same with its own :class:`~components.settings.PlatformSettings`
(see the README's "Embedding" section).
"""

from __future__ import annotations

import pulumi

from components.cluster import Cluster, ClusterArgs
from components.containers import ContainerArgs
from components.ec2_capacity import Ec2CapacityArgs
from components.external import ExternalCapacityArgs
from components.iam import AwsContext, PolicyStatement
from components.load_balancer import LoadBalancer, LoadBalancerArgs
from components.network import Network, NetworkArgs
from components.routing import Route
from components.service import (
    LoadBalancerAttachmentArgs,
    Service,
    ServiceArgs,
)
from components.settings import PlatformSettings, ServiceSettings, stack_tags


def container_args(svc: ServiceSettings) -> ContainerArgs:
    """The container of a configured service."""
    return ContainerArgs(
        image=svc.image,
        port=svc.port,
        environment=dict(svc.environment),
        secrets=dict(svc.secrets),
        command=svc.command,
        health_check=svc.health_check,
        readonly_root_filesystem=svc.readonly_root_filesystem,
        writable_paths=svc.writable_paths,
        user=svc.user,
        stop_timeout=svc.stop_timeout,
    )


def service_url(scheme: str, dns_name: pulumi.Input[str], route: Route) -> pulumi.Output[str]:
    """Where a route is reached: its first exact host, else the load balancer's
    name, followed by the literal part of its first path."""
    host = next((h for h in route.hosts if "*" not in h and "?" not in h), None)
    path = "/"
    if route.paths:
        first = route.paths[0]
        cut = min((i for i, c in enumerate(first) if c in "*?"), default=len(first))
        path = first[:cut] or "/"
    return pulumi.Output.concat(scheme, "://", host if host else dns_name, path)


def attachment_args(svc: ServiceSettings, lb: LoadBalancer) -> LoadBalancerAttachmentArgs:
    return LoadBalancerAttachmentArgs(
        listener_arn=lb.listener_arn,
        security_group_id=lb.security_group_id,
        arn_suffix=lb.arn_suffix,
        routes=svc.routes,
        health_check=svc.target_health_check,
        deregistration_delay=svc.deregistration_delay,
        health_check_grace_period=svc.health_check_grace_period,
    )


class Platform(pulumi.ComponentResource):
    """Network + cluster + one :class:`Service` per configured service, and an
    application load balancer when a service is public.

    Attributes: ``network``, ``cluster``, ``load_balancer`` (or ``None``),
    ``services`` (name -> Service), ``urls`` (public service -> URL).
    """

    network: Network
    cluster: Cluster
    load_balancer: LoadBalancer | None
    services: dict[str, Service]
    urls: dict[str, pulumi.Output[str]]

    def __init__(
        self,
        name: str,
        settings: PlatformSettings,
        opts: pulumi.ResourceOptions | None = None,
        *,
        context: AwsContext | None = None,
    ) -> None:
        super().__init__("ecs-platform:index:Platform", name, None, opts)
        s = settings
        child = pulumi.ResourceOptions(parent=self)
        ctx = context or AwsContext.lookup(pulumi.InvokeOutputOptions(parent=self))
        prefix = f"/ecs/{s.project}-{s.stack}"

        existing = s.existing_vpc
        self.network = Network(
            f"{name}-network",
            NetworkArgs(
                zones=s.zones,
                nat_gateways=s.nat_gateways,
                cidr_block=s.vpc_cidr,
                vpc_id=existing.vpc_id if existing else None,
                public_subnet_ids=list(existing.public_subnet_ids) if existing else None,
                private_subnet_ids=list(existing.private_subnet_ids) if existing else None,
            ),
            opts=child,
        )
        ec2 = s.ec2
        self.cluster = Cluster(
            f"{name}-cluster",
            ClusterArgs(
                default_launch_type=s.launch_type,
                fargate_on_demand_base=s.fargate_on_demand_base,
                ec2=Ec2CapacityArgs(
                    subnet_ids=self.network.private_subnet_ids,
                    vpc_id=self.network.vpc_id,
                    instance_types=ec2.instance_types,
                    min_size=ec2.min_size,
                    max_size=ec2.max_size,
                    spot_percentage=ec2.spot_percentage,
                    on_demand_base=ec2.on_demand_base,
                    target_capacity=ec2.target_capacity,
                    root_volume_gib=ec2.root_volume_gib,
                    instance_type_specs=ec2.instance_type_specs,
                    context=ctx,
                    instance_tags=stack_tags(s),
                    # Unique per stack in the account; "cp-" because AWS refuses
                    # names that start with "ecs" (as the project's does).
                    capacity_provider_name=f"cp-{s.project}-{s.stack}",
                )
                if ec2 is not None
                else None,
                external=ExternalCapacityArgs(
                    region=s.region,
                    registration_limit=s.external.registration_limit,
                    expiration_date=s.external.expiration_date,
                    context=ctx,
                )
                if s.external is not None
                else None,
                container_insights=s.container_insights,
                log_retention_days=s.log_retention_days,
                log_group_name=f"{prefix}/exec",
                retain_logs_on_delete=s.retain_logs_on_delete,
            ),
            opts=child,
        )
        self.load_balancer = None
        lbs = s.load_balancer
        if s.public_services:
            self.load_balancer = LoadBalancer(
                f"{name}-lb",
                LoadBalancerArgs(
                    vpc_id=self.network.vpc_id,
                    subnet_ids=(
                        self.network.private_subnet_ids if lbs.internal else self.network.public_subnet_ids
                    ),
                    region=s.region,
                    context=ctx,
                    internal=lbs.internal,
                    ingress_cidrs=lbs.ingress_cidrs,
                    certificate_arn=lbs.certificate_arn,
                    ssl_policy=lbs.ssl_policy,
                    allow_plain_http=lbs.allow_plain_http,
                    plain_http_waiver=lbs.plain_http_waiver,
                    desync_mitigation_mode=lbs.desync_mitigation_mode,
                    deletion_protection=lbs.deletion_protection,
                    access_logs=lbs.access_logs,
                    access_logs_bucket=lbs.access_logs_bucket,
                    access_logs_retention_days=s.log_retention_days,
                    idle_timeout=lbs.idle_timeout,
                ),
                opts=child,
            )
        self.services = {}
        self.urls = {}
        for svc in s.services.values():
            lb = self.load_balancer if svc.public else None
            self.services[svc.name] = Service(
                f"{name}-{svc.name}",
                ServiceArgs(
                    cluster_arn=self.cluster.arn,
                    vpc_id=self.network.vpc_id,
                    subnet_ids=self.network.private_subnet_ids,
                    container=container_args(svc),
                    container_name=svc.name,
                    context=ctx,
                    launch_type=svc.launch_type,
                    ec2_capacity_provider=self.cluster.ec2_capacity_provider_name,
                    network_mode=svc.network_mode,
                    fargate_on_demand_base=s.fargate_on_demand_base,
                    desired_count=svc.desired_count,
                    cpu=svc.cpu,
                    memory=svc.memory,
                    architecture=svc.architecture,
                    ephemeral_storage_gib=svc.ephemeral_storage_gib,
                    permissions=[PolicyStatement(st.actions, st.resources) for st in svc.permissions],
                    exec_enabled=svc.exec_enabled,
                    exec_log_group_arn=self.cluster.exec_log_group_arn if svc.exec_enabled else None,
                    min_healthy_percent=svc.min_healthy_percent,
                    max_percent=svc.max_percent,
                    log_retention_days=s.log_retention_days,
                    log_group_name=f"{prefix}/{svc.name}",
                    family=f"{s.project}-{s.stack}-{svc.name}",
                    waivers=dict(svc.waivers),
                    retain_logs_on_delete=s.retain_logs_on_delete,
                    load_balancer=attachment_args(svc, lb) if lb else None,
                    autoscaling=svc.autoscaling,
                ),
                opts=child,
            )
            if lb is not None:
                self.urls[svc.name] = service_url(lb.scheme, lb.dns_name, svc.routes[0])
        self.register_outputs(
            {
                "vpcId": self.network.vpc_id,
                "clusterName": self.cluster.name,
                "services": {n: sv.service_name for n, sv in self.services.items()},
                "urls": self.urls,
            }
        )
