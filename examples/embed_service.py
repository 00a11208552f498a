"""Embedding: an application team's own Pulumi program runs one service on a
cluster of its own, in a VPC it already has (the wiring can be Outputs too)."""

import pulumi

from ecs_platform import Cluster, ClusterSpec, HealthCheckSpec, PermissionSpec, Service, ServiceSpec

cluster = Cluster("shop", ClusterSpec(log_retention_days=90))
api = Service(
    "api",
    ServiceSpec(
        image="123456789012.dkr.ecr.us-east-1.amazonaws.com/shop-api:1.4.2",
        port=8080,
        user="10001:10001",
        secrets={"DB_URL": "arn:aws:ssm:us-east-1:123456789012:parameter/shop/db-url"},
        health_check=HealthCheckSpec(command=["CMD-SHELL", "curl -fs localhost:8080/health || exit 1"]),
        cpu=512,
        memory=1024,
        permissions=[PermissionSpec(actions=["s3:GetObject"], resources=["arn:aws:s3:::shop-assets/*"])],
        exec_enabled=False,
    ),
    cluster=cluster,
    vpc_id="vpc-0123456789abcdef0",
    subnet_ids=["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"],
)
pulumi.export("apiServiceName", api.service_name)
