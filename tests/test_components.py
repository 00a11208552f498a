"""Components used on their own, as another Pulumi program would use them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from components.cluster import Cluster, ClusterArgs, fargate_strategy
from components.containers import ContainerArgs
from components.ec2_capacity import Ec2CapacityArgs
from components.load_balancer import LoadBalancer, LoadBalancerArgs
from components.network import Network, NetworkArgs
from components.service import AutoscalingArgs, LoadBalancerAttachmentArgs, Service, ServiceArgs
from components.task_definition import TaskDefinition, TaskDefinitionArgs
from ecs_platform.errors import ConfigError
from ecs_platform.tools.mock_cloud import ROOT, run_program

CONFIG = {"aws:region": "us-east-1"}
EXAMPLE = ROOT / "examples" / "embed_service.py"


def test_readme_embedding_snippet_is_the_tested_example() -> None:
    readme = (ROOT / "README.md").read_text()
    assert EXAMPLE.read_text().strip() in readme


def test_embedding_example_runs_one_service_on_its_own_cluster() -> None:
    run = run_program("embed", config=CONFIG, program=EXAMPLE)
    assert run.error is None, run.error
    svc = run.one("aws:ecs/service:Service", "api")
    assert svc.inputs["networkConfiguration"]["subnets"] == [
        "subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"]  # fmt: skip
    assert svc.inputs["cluster"] == run.one("aws:ecs/cluster:Cluster").outputs["arn"]
    assert run.exports["apiServiceName"] == svc.outputs["name"]
    # No VPC, no explicit provider: the program brought its own network.
    assert not run.of_type("awsx:ec2:Vpc")
    task = run.one("aws:ecs/taskDefinition:TaskDefinition")
    assert (task.inputs["cpu"], task.inputs["memory"]) == ("512", "1024")
    assert task.inputs["family"] == "api-task"


def test_component_children_are_parented_and_named_after_it() -> None:
    run = run_program("embed", config=CONFIG, program=EXAMPLE)
    svc = run.one("ecs-platform:ecs:Service", "api")
    children = {r.name for r in run.children(svc)}
    assert children == {"api-roles", "api-task", "api-sg", "api-egress", "api"}
    cluster = run.one("ecs-platform:cluster:Cluster", "shop")
    assert {r.name for r in run.children(cluster)} == {"shop-exec-logs", "shop", "shop-capacity"}


def _service_args(**changes) -> ServiceArgs:
    base = {
        "cluster_arn": "arn:aws:ecs:us-east-1:123456789012:cluster/x",
        "vpc_id": "vpc-1",
        "subnet_ids": ["subnet-1"],
        "container": ContainerArgs(user="1000", image="nginx", port=80),
    }
    return ServiceArgs(**{**base, **changes})


BAD_ARGS = [
    ("service memory", lambda: Service("s", _service_args(cpu=256, memory=4096)),
     "ServiceArgs.memory: 4096 is not a valid Fargate memory for cpu 256 (allowed: 512, 1024, 2048)"),
    ("service launch type", lambda: Service("s", _service_args(launch_type="EC3")),
     'ServiceArgs.launch_type: "EC3" is not allowed (allowed: FARGATE, FARGATE_SPOT, EC2, EXTERNAL)'),
    ("service desired count", lambda: Service("s", _service_args(desired_count=-1)),
     "ServiceArgs.desired_count: -1 is negative (allowed: 0 or more tasks)"),
    ("container port", lambda: Service("s", _service_args(container=ContainerArgs(user="1000", image="x", port=0))),
     "ServiceArgs.container.port: 0 is out of range (allowed: 1..65535)"),
    ("container credential", lambda: Service("s", _service_args(
        container=ContainerArgs(user="1000", image="x", environment={"GITHUB_TOKEN": "t"}))),
     'ServiceArgs.container.environment.GITHUB_TOKEN: "GITHUB_TOKEN" looks like a credential'),
    ("exec on read-only root", lambda: Service("s", _service_args(exec_enabled=True)),
     "ServiceArgs.exec_enabled: true needs a writable root filesystem for the SSM agent"),
    ("cluster insights", lambda: Cluster("c", ClusterArgs(container_insights="yes")),
     'ClusterArgs.container_insights: "yes" is not allowed (allowed: enabled, enhanced, disabled)'),
    ("cluster default on EC2 without EC2 capacity", lambda: Cluster("c", ClusterArgs(default_launch_type="EC2")),
     'ClusterArgs.ec2: None is missing (allowed: Ec2CapacityArgs, required with default_launch_type="EC2")'),
    ("network zones", lambda: Network("n", NetworkArgs(zones=[])),
     "NetworkArgs.zones: [] is not 1 to 6 zones"),
    ("network existing VPC without subnets", lambda: Network("n", NetworkArgs(vpc_id="vpc-1")),
     "NetworkArgs.public_subnet_ids: None is missing"),
    ("task definition on Fargate in bridge mode", lambda: TaskDefinition("t", TaskDefinitionArgs(
        container=ContainerArgs(user="1000", image="x"), execution_role_arn="e", task_role_arn="t",
        region="us-east-1", network_mode="bridge")),
     'TaskDefinitionArgs.network_mode: "bridge" is not available on Fargate (allowed: awsvpc)'),
    ("EC2 capacity provider name AWS refuses", lambda: Cluster("c", ClusterArgs(
        default_launch_type="EC2", ec2=Ec2CapacityArgs(subnet_ids=["subnet-1"], vpc_id="vpc-1",
                                                        capacity_provider_name="ecs-capacity"))),
     'Ec2CapacityArgs.capacity_provider_name: "ecs-capacity" is not a capacity provider name AWS accepts'),
    ("load balancer without certificate", lambda: LoadBalancer("lb", LoadBalancerArgs(
        vpc_id="vpc-1", subnet_ids=["subnet-1"], region="us-east-1")),
     "LoadBalancerArgs.certificate_arn: None is missing (allowed: an ACM certificate ARN, "
     "or allow_plain_http=True for a stack without a domain)"),
    ("load balancer TLS policy", lambda: LoadBalancer("lb", LoadBalancerArgs(
        vpc_id="vpc-1", subnet_ids=["subnet-1"], region="us-east-1", allow_plain_http=True,
        ssl_policy="ELBSecurityPolicy-2016-08")),
     'LoadBalancerArgs.ssl_policy: "ELBSecurityPolicy-2016-08" is not a TLS 1.3 security policy'),
    ("service behind a load balancer without a port", lambda: Service("s", _service_args(
        container=ContainerArgs(user="1000", image="x"),
        load_balancer=LoadBalancerAttachmentArgs(listener_arn="l", security_group_id="sg-1"))),
     "ServiceArgs.container.port: None is missing"),
    ("autoscaling range excludes desired count", lambda: Service("s", _service_args(
        desired_count=1, autoscaling=AutoscalingArgs(min_count=2, max_count=4, cpu_target=50))),
     "ServiceArgs.desired_count: 1 is outside the autoscaling range 2..4"),
    ("request scaling without a load balancer", lambda: Service("s", _service_args(
        autoscaling=AutoscalingArgs(min_count=1, max_count=4, requests_per_target=50))),
     "ServiceArgs.autoscaling.requests_per_target: needs load_balancer with arn_suffix"),
]  # fmt: skip


@pytest.mark.parametrize(("build", "expected"), [c[1:] for c in BAD_ARGS], ids=[c[0] for c in BAD_ARGS])
def test_bad_component_args_fail_before_anything_is_registered(build, expected) -> None:
    run = run_program("embed", config=CONFIG, program=build)
    assert isinstance(run.error, ConfigError), run.error
    assert any(p.startswith(expected) for p in run.error.problems), run.error.problems
    assert run.resources == []


def test_component_args_accept_outputs_of_other_resources() -> None:
    import pulumi

    def program() -> None:
        cluster = Cluster("c", ClusterArgs())
        Service("s", _service_args(
            cluster_arn=cluster.arn,
            vpc_id=pulumi.Output.from_input("vpc-from-elsewhere"),
            subnet_ids=pulumi.Output.from_input(["subnet-x", "subnet-y"]),
            container=ContainerArgs(user="1000", image=pulumi.Output.concat("repo/", "app:1"), port=80,
                                    secrets={"S": pulumi.Output.from_input(
                                        "arn:aws:ssm:us-east-1:123456789012:parameter/p")}),
        ))  # fmt: skip

    run = run_program("embed", config=CONFIG, program=program)
    assert run.error is None, run.error
    [c] = json.loads(run.one("aws:ecs/taskDefinition:TaskDefinition").inputs["containerDefinitions"])
    assert c["image"] == "repo/app:1"
    assert run.one("aws:ecs/service:Service").inputs["networkConfiguration"]["subnets"] == [
        "subnet-x", "subnet-y"]  # fmt: skip


def test_fargate_strategy_refuses_a_non_fargate_launch_type() -> None:
    with pytest.raises(ValueError, match="not a Fargate launch type"):
        fargate_strategy("EC2")


def test_examples_dir_only_holds_tested_programs() -> None:
    assert sorted(p.name for p in (ROOT / "examples").glob("*.py")) == [Path(EXAMPLE).name]


def test_secret_arns_given_as_outputs_are_classified_once_known() -> None:
    import pulumi

    def program() -> None:
        ssm = pulumi.Output.from_input("arn:aws:ssm:us-east-1:123456789012:parameter/p")
        sm = pulumi.Output.from_input("arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf")
        Service(
            "s", _service_args(container=ContainerArgs(user="1000", image="x", secrets={"A": ssm, "B": sm}))
        )

    run = run_program("embed", config=CONFIG, program=program)
    assert run.error is None, run.error
    doc = json.loads(run.one("aws:iam/rolePolicy:RolePolicy", "s-roles-execution-secrets").inputs["policy"])
    assert [(st["Action"], st["Resource"]) for st in doc["Statement"]] == [
        (
            ["secretsmanager:GetSecretValue"],
            [
                "arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf",
                "arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf-??????",
            ],
        ),
        (["ssm:GetParameters"], ["arn:aws:ssm:us-east-1:123456789012:parameter/p"]),
    ]


def test_load_balancer_and_service_compose_without_the_platform() -> None:
    def program() -> None:
        lb = LoadBalancer("edge", LoadBalancerArgs(
            vpc_id="vpc-1", subnet_ids=["subnet-a", "subnet-b"], region="us-east-1",
            certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
            access_logs=False))  # fmt: skip
        Service("api", _service_args(load_balancer=LoadBalancerAttachmentArgs(
            listener_arn=lb.listener_arn, security_group_id=lb.security_group_id, arn_suffix=lb.arn_suffix),
            desired_count=2, autoscaling=AutoscalingArgs(min_count=2, max_count=6, requests_per_target=500)))  # fmt: skip

    run = run_program("embed", config=CONFIG, program=program)
    assert run.error is None, run.error
    assert (
        run.one("aws:lb/listenerRule:ListenerRule").inputs["listenerArn"]
        == run.one("aws:lb/listener:Listener", "edge-https").id
    )
    assert run.one("aws:ecs/service:Service").ignore_changes == ["desiredCount"]
    assert [p.name for p in run.of_type("aws:appautoscaling/policy:Policy")] == ["api-scale-requests"]
