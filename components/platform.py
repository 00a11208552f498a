"""Platform: the whole stack (network, cluster, services) composed from settings.

``__main__.py`` builds one of these from stack config; another Pulumi program
can do the same with its own :class:`~components.settings.PlatformSettings`
(see the README's "Embedding" section).
"""

from __future__ import annotations

import pulumi

from components.cluster import Cluster, ClusterArgs, fargate_strategy
from components.containers import ContainerArgs, HealthCheckArgs
from components.iam import AwsContext, PolicyStatement
from components.network import Network, NetworkArgs
from components.service import Service, ServiceArgs
from components.settings import PlatformSettings, ServiceSettings


def container_args(svc: ServiceSettings) -> ContainerArgs:
    """The container of a configured service."""
    hc = svc.health_check
    return ContainerArgs(
        image=svc.image,
        port=svc.port,
        environment=dict(svc.environment),
        secrets=dict(svc.secrets),
        command=svc.command,
        health_check=(
            HealthCheckArgs(hc.command, hc.interval, hc.timeout, hc.retries, hc.start_period)
            if hc is not None
            else None
        ),
        readonly_root_filesystem=svc.readonly_root_filesystem,
        writable_paths=svc.writable_paths,
        user=svc.user,
        stop_timeout=svc.stop_timeout,
    )


class Platform(pulumi.ComponentResource):
    """Network + cluster + one :class:`Service` per configured service.

    Attributes: ``network``, ``cluster``, ``services`` (name -> Service).
    """

    network: Network
    cluster: Cluster
    services: dict[str, Service]

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
        strategy = fargate_strategy(s.launch_type, s.fargate_on_demand_base)
        self.cluster = Cluster(
            f"{name}-cluster",
            ClusterArgs(
                default_strategy=strategy,
                container_insights=s.container_insights,
                log_retention_days=s.log_retention_days,
                log_group_name=f"{prefix}/exec",
            ),
            opts=child,
        )
        self.services = {}
        for svc in s.services.values():
            self.services[svc.name] = Service(
                f"{name}-{svc.name}",
                ServiceArgs(
                    cluster_arn=self.cluster.arn,
                    vpc_id=self.network.vpc_id,
                    subnet_ids=self.network.private_subnet_ids,
                    container=container_args(svc),
                    container_name=svc.name,
                    context=ctx,
                    launch_type=s.launch_type,
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
                    tags={"Service": svc.name},
                ),
                opts=child,
            )
        self.register_outputs(
            {
                "vpcId": self.network.vpc_id,
                "clusterName": self.cluster.name,
                "services": {n: sv.service_name for n, sv in self.services.items()},
            }
        )
