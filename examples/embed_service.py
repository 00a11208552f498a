"""Embedding: an application team's own Pulumi program runs one service on a
cluster of its own, in a VPC it already has (the wiring can be Outputs too)."""

import pulumi

from components.cluster import Cluster, ClusterArgs
from components.containers import ContainerArgs, HealthCheckArgs
from components.iam import PolicyStatement
from components.service import Service, ServiceArgs

cluster = Cluster("shop", ClusterArgs(log_retention_days=90))
api = Service(
    "api",
    ServiceArgs(
        cluster_arn=cluster.arn,
        vpc_id="vpc-0123456789abcdef0",
        subnet_ids=["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"],
        container=ContainerArgs(
            image="123456789012.dkr.ecr.us-east-1.amazonaws.com/shop-api:1.4.2",
            port=8080,
            user="10001:10001",
            secrets={"DB_URL": "arn:aws:ssm:us-east-1:123456789012:parameter/shop/db-url"},
            health_check=HealthCheckArgs(["CMD-SHELL", "curl -fs localhost:8080/health || exit 1"]),
        ),
        cpu=512,
        memory=1024,
        permissions=[PolicyStatement(["s3:GetObject"], ["arn:aws:s3:::shop-assets/*"])],
        exec_log_group_arn=cluster.exec_log_group_arn,
    ),
)
pulumi.export("apiServiceName", api.service_name)
