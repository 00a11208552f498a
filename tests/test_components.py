"""Components used on their own, as another Pulumi program would use them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pulumi
import pytest

from ecs_platform import (
    AutoscalingSpec,
    Cluster,
    ClusterRef,
    ClusterSpec,
    Ec2Capacity,
    Ec2Spec,
    ExistingVpcSpec,
    LoadBalancer,
    LoadBalancerRef,
    LoadBalancerSpec,
    Network,
    NetworkSpec,
    Service,
    ServiceConnectRef,
    ServiceSpec,
    TaskDefinition,
    TaskSpec,
)
from ecs_platform.cluster import fargate_strategy
from ecs_platform.errors import ConfigError
from ecs_platform.network_load_balancer import NetworkLoadBalancer
from ecs_platform.service import LatticeRef, NetworkLoadBalancerRef
from ecs_platform.tools.mock_cloud import ROOT, run_program

CONFIG = {"aws:region": "us-east-1"}
EXAMPLE = ROOT / "examples" / "embed_service.py"


def test_docs_embedding_snippet_is_the_tested_example() -> None:
    page = (ROOT / "docs" / "embedding.md").read_text()
    assert EXAMPLE.read_text().strip() in page


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


LISTENER_ARN = ("arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/edge/50dc6c495c0c9188/"
                "f2f7dc8efc522ab2")
ROLE_E, ROLE_T = "arn:aws:iam::123456789012:role/e", "arn:aws:iam::123456789012:role/t"
SUBNETS = ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"]
CLUSTER = ClusterRef(arn="arn:aws:ecs:us-east-1:123456789012:cluster/x")
WIRING: dict[str, Any] = {"cluster": CLUSTER, "vpc_id": "vpc-0123456789abcdef0", "subnet_ids": ["subnet-0aaaaaaaaaaaaaaaa"]}
LB_REF = LoadBalancerRef(listener_arn=LISTENER_ARN, security_group_id="sg-0123456789abcdef0")
CONNECT = ServiceConnectRef(namespace_arn="arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-0123456789abcdef")
WILDCARD_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:*"


def _spec(**changes: Any) -> ServiceSpec:
    return ServiceSpec(**{"user": "1000", "image": "nginx", "port": 80, **changes})


def _service(spec: ServiceSpec | None = None, name: str = "s", **wiring: Any) -> Service:
    return Service(name, spec if spec is not None else _spec(), **{**WIRING, **wiring})


def _task_definition(spec: TaskSpec, **wiring: Any) -> TaskDefinition:
    return TaskDefinition("t", spec, **{"cluster": CLUSTER, "execution_role_arn": ROLE_E, "task_role_arn": ROLE_T,
                                        "region": "us-east-1", **wiring})  # fmt: skip


BAD_ARGS = [
    ("load balancer given to a private service", lambda: _service(_spec(), load_balancer=LB_REF),
     "Service.load_balancer: is set, and the spec is not public"),
    ("service memory", lambda: _service(_spec(cpu=256, memory=4096)),
     "ServiceSpec.memory: 4096 is not a valid Fargate memory for cpu 256 (allowed: 512, 1024, 2048)"),
    ("service launch type", lambda: _service(_spec(launch_type="EC3")),
     'ServiceSpec.launch_type: "EC3" is not allowed (allowed: FARGATE, FARGATE_SPOT, EC2, EXTERNAL, MANAGED_INSTANCES)'),
    ("service launch type the cluster does not offer", lambda: _service(_spec(launch_type="EC2")),
     'ServiceSpec.launch_type: "EC2" is not offered by this cluster (allowed: FARGATE, FARGATE_SPOT; '),
    ("service desired count", lambda: _service(_spec(desired_count=-1)),
     "ServiceSpec.desired_count: -1 is out of range (allowed: 0..2147483647)"),
    ("container port", lambda: _service(_spec(port=0)),
     "ServiceSpec.port: 0 is out of range (allowed: 1..65535)"),
    ("container credential", lambda: _service(_spec(environment={"GITHUB_TOKEN": "t"})),
     'ServiceSpec.environment.GITHUB_TOKEN: "GITHUB_TOKEN" looks like a credential'),
    ("exec on read-only root", lambda: _service(_spec(exec_enabled=True)),
     "ServiceSpec.exec_enabled: true needs a writable root filesystem for the SSM agent"),
    ("plain field given an Output", lambda: _service(_spec(cpu=pulumi.Output.from_input(256))),
     "ServiceSpec.cpu: is a pulumi.Output, and this field takes a plain value known before the deployment"),
    ("service without a VPC", lambda: _service(vpc_id=None),
     "Service.vpc_id: None is missing"),
    ("service on a cluster ref without an ARN", lambda: _service(cluster=ClusterRef(arn=None)),  # type: ignore[arg-type]
     "Service.cluster.arn: None is missing"),
    ("service subnets as one string", lambda: _service(subnet_ids="subnet-0aaaaaaaaaaaaaaaa"),
     'Service.subnet_ids: "subnet-0aaaaaaaaaaaaaaaa" is a string where a list belongs'),
    ("public service without a load balancer", lambda: _service(_spec(public=True)),
     "Service.load_balancer: None is missing"),
    ("cluster insights", lambda: Cluster("c", ClusterSpec(container_insights="yes")),
     'ClusterSpec.container_insights: "yes" is not allowed (allowed: enabled, enhanced, disabled)'),
    ("cluster on EC2 without a VPC for its instances", lambda: Cluster("c", ClusterSpec(launch_type="EC2")),
     "Cluster.vpc_id: None is missing"),
    ("cluster on EC2 with subnets as one string", lambda: Cluster(
        "c", ClusterSpec(launch_type="EC2"), vpc_id="vpc-0123456789abcdef0", subnet_ids="subnet-0aaaaaaaaaaaaaaaa"),
     'Cluster.subnet_ids: "subnet-0aaaaaaaaaaaaaaaa" is a string where a list belongs'),
    ("network zones", lambda: Network("n", NetworkSpec(), zones=[]),
     "Network.zones: [] is not 3 zones"),
    ("network zone count", lambda: Network("n", NetworkSpec(az_count=7), zones=[]),
     "NetworkSpec.az_count: 7 is out of range (allowed: 1..6)"),
    ("network existing VPC without subnets", lambda: Network(
        "n", NetworkSpec(vpc=ExistingVpcSpec(vpc_id="vpc-0123456789abcdef0"))),  # type: ignore[call-arg]
     "ExistingVpcSpec.public_subnet_ids: missing"),
    ("task definition on Fargate in bridge mode", lambda: _task_definition(
        TaskSpec(user="1000", image="x", network_mode="bridge")),
     'TaskSpec.network_mode: "bridge" is not allowed (allowed: awsvpc)'),
    ("task definition without a region", lambda: _task_definition(TaskSpec(user="1000", image="x"), region=None),
     "TaskDefinition.region: None is missing"),
    ("EC2 capacity provider name AWS refuses", lambda: Ec2Capacity(
        "c", Ec2Spec(), cluster_name="x", vpc_id="vpc-0123456789abcdef0", subnet_ids=["subnet-0aaaaaaaaaaaaaaaa"],
        capacity_provider_name="ecs-capacity"),
     'Ec2Capacity.capacity_provider_name: "ecs-capacity" is not a capacity provider name AWS accepts'),
    ("load balancer without certificate", lambda: LoadBalancer(
        "lb", LoadBalancerSpec(), vpc_id="vpc-0123456789abcdef0", subnet_ids=SUBNETS, region="us-east-1"),
     "LoadBalancerSpec.certificate_arn: missing, and public services would be served over plain HTTP "
     "(allowed: an ACM certificate ARN, or allowPlainHttp: true for a stack without a domain)"),
    ("load balancer TLS policy", lambda: LoadBalancer("lb", LoadBalancerSpec(
        allow_plain_http=True, ssl_policy="ELBSecurityPolicy-2016-08"),
        vpc_id="vpc-0123456789abcdef0", subnet_ids=SUBNETS, region="us-east-1"),
     'LoadBalancerSpec.ssl_policy: "ELBSecurityPolicy-2016-08" is not a TLS 1.3 security policy'),
    ("load balancer subnets as one string", lambda: LoadBalancer(
        "lb", LoadBalancerSpec(allow_plain_http=True), vpc_id="vpc-0123456789abcdef0", subnet_ids="subnet-0aaaaaaaaaaaaaaaa", region="us-east-1"),
     'LoadBalancer.subnet_ids: "subnet-0aaaaaaaaaaaaaaaa" is a string where a list belongs'),
    # issue 22: the network load balancer, VPC Lattice
    ("TCP service given the application load balancer", lambda: _service(_spec(public=True, protocol="TCP"),
                                                                         load_balancer=LB_REF),
     "Service.load_balancer: is a LoadBalancerRef, and the spec's protocol is TCP (allowed: a NetworkLoadBalancerRef)"),
    ("TLS service on a network load balancer without its certificate", lambda: _service(
        _spec(public=True, protocol="TLS"), load_balancer=NetworkLoadBalancerRef(
            arn="arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/n/0123456789abcdef",
            security_group_id="sg-0123456789abcdef0", arn_suffix="net/n/0123456789abcdef")),
     "Service.load_balancer.certificate_arn: None is missing"),
    ("network load balancer without a listener", lambda: NetworkLoadBalancer(
        "nlb", LoadBalancerSpec(), vpc_id="vpc-0123456789abcdef0", subnet_ids=["subnet-0aaaaaaaaaaaaaaaa"], listeners={}, region="us-east-1"),
     "NetworkLoadBalancer.listeners: {} has no listener"),
    ("network load balancer TLS listener without a certificate", lambda: NetworkLoadBalancer(
        "nlb", LoadBalancerSpec(), vpc_id="vpc-0123456789abcdef0", subnet_ids=["subnet-0aaaaaaaaaaaaaaaa"], listeners={5432: "TLS"},
        region="us-east-1"),
     "NetworkLoadBalancer.listeners[5432]: TLS needs spec.certificate_arn"),
    ("Lattice spec without the service network", lambda: _service(_spec(lattice=True, callers=("web",)),
                                                                  service_connect=CONNECT),
     "Service.lattice: None is missing (allowed: a LatticeRef, required when the spec has lattice)"),
    ("Lattice network without its prefix list", lambda: _service(
        _spec(lattice={"principals": ["arn:aws:iam::210987654321:role/r"]}),
        lattice=LatticeRef(service_network="sn-0123456789abcdef0", prefix_list_id=None)),  # type: ignore[arg-type]
     "Service.lattice.prefix_list_id: None is missing"),
    ("service behind a load balancer without a port", lambda: _service(
        _spec(port=None, public=True), load_balancer=LB_REF),
     "ServiceSpec.port: null is missing"),
    ("request scaling without a load balancer", lambda: _service(_spec(
        autoscaling=AutoscalingSpec(min_count=1, max_count=4, requests_per_target=50))),
     "ServiceSpec.autoscaling.requests_per_target: needs a load balancer in front of the service"),
    ("request scaling on a load balancer without its ARN suffix", lambda: _service(_spec(
        public=True, autoscaling=AutoscalingSpec(min_count=1, max_count=4, requests_per_target=50)),
        load_balancer=LB_REF),
     "Service.load_balancer.arn_suffix: None is missing"),
    ("Service Connect name outside ECS's grammar", lambda: _service(_spec(callers=("web",)), container_name="EnvoyProxy",
                                                                    service_connect=CONNECT),
     "Service.container_name: 'EnvoyProxy' is the Service Connect discovery name of a service with callers (allowed: "
     "up to 64 lowercase letters, digits, _ and -, not starting with -)"),
]  # fmt: skip


@pytest.mark.parametrize(("build", "expected"), [c[1:] for c in BAD_ARGS], ids=[c[0] for c in BAD_ARGS])
def test_bad_component_args_fail_before_anything_is_registered(build, expected) -> None:
    run = run_program("embed", config=CONFIG, program=build)
    assert isinstance(run.error, ConfigError), run.error
    assert any(p.startswith(expected) for p in run.error.problems), run.error.problems
    assert run.resources == []


def test_service_connect_names_the_port_mapping_the_task_definition_has() -> None:
    # An embedder's container name: lower-case and within Service Connect's 64 characters, but with
    # the port it no longer fits a port-mapping name; both ends use the same shortened name.
    name = "a" * 60

    def program() -> None:
        _service(_spec(port=8080, callers=("web",)), container_name=name, service_connect=CONNECT)

    run = run_program("embed", config=CONFIG, program=program)
    assert run.error is None, run.error
    [mapping] = json.loads(run.one("aws:ecs/taskDefinition:TaskDefinition").inputs["containerDefinitions"])[0][
        "portMappings"]
    [served] = run.one("aws:ecs/service:Service").inputs["serviceConnectConfiguration"]["services"]
    assert served["portName"] == mapping["name"] and len(mapping["name"]) == 64 and mapping["name"] != f"{name}-8080"


def test_component_args_accept_outputs_of_other_resources() -> None:
    def program() -> None:
        cluster = Cluster("c", ClusterSpec())
        _service(
            _spec(image=pulumi.Output.concat("repo/", "app:1"),
                  secrets={"S": pulumi.Output.from_input("arn:aws:ssm:us-east-1:123456789012:parameter/p")}),
            cluster=cluster,
            vpc_id=pulumi.Output.from_input("vpc-0fedcba9876543210"),
            subnet_ids=pulumi.Output.from_input(["subnet-0cccccccccccccccc", "subnet-0dddddddddddddddd"]),
        )  # fmt: skip

    run = run_program("embed", config=CONFIG, program=program)
    assert run.error is None, run.error
    [c] = json.loads(run.one("aws:ecs/taskDefinition:TaskDefinition").inputs["containerDefinitions"])
    assert c["image"] == "repo/app:1"
    svc = run.one("aws:ecs/service:Service")
    assert svc.inputs["networkConfiguration"]["subnets"] == ["subnet-0cccccccccccccccc", "subnet-0dddddddddddddddd"]
    assert svc.inputs["cluster"] == run.one("aws:ecs/cluster:Cluster").outputs["arn"]


def test_fargate_strategy_refuses_a_non_fargate_launch_type() -> None:
    with pytest.raises(ValueError, match="not a Fargate launch type"):
        fargate_strategy("EC2")


def test_examples_dir_only_holds_tested_programs() -> None:
    assert sorted(p.name for p in (ROOT / "examples").glob("*.py")) == [Path(EXAMPLE).name]


def test_secret_arns_given_as_outputs_are_classified_once_known() -> None:
    def program() -> None:
        ssm = pulumi.Output.from_input("arn:aws:ssm:us-east-1:123456789012:parameter/p")
        sm = pulumi.Output.from_input("arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf")
        _service(_spec(image="x", secrets={"A": ssm, "B": sm}))

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
        lb = LoadBalancer("edge", LoadBalancerSpec(
            certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
            access_logs=False), vpc_id="vpc-0123456789abcdef0", subnet_ids=["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"], region="us-east-1")  # fmt: skip
        _service(_spec(public=True, desired_count=2,
                       autoscaling=AutoscalingSpec(min_count=2, max_count=6, requests_per_target=500)),
                 name="api", load_balancer=lb.ref)  # fmt: skip

    run = run_program("embed", config=CONFIG, program=program)
    assert run.error is None, run.error
    assert (
        run.one("aws:lb/listenerRule:ListenerRule").inputs["listenerArn"]
        == run.one("aws:lb/listener:Listener", "edge-https").id
    )
    assert run.one("aws:ecs/service:Service").ignore_changes == ["desiredCount"]
    assert [p.name for p in run.of_type("aws:appautoscaling/policy:Policy")] == ["api-scale-requests"]


def test_a_wildcard_secret_given_as_an_output_fails_the_deployment_without_granting_it() -> None:
    # An Output is checked once its value is known: the deployment fails with a ConfigError
    # naming the field, and nothing that consumes the value (the execution role's secrets
    # policy, the task definition) is registered. Resources that do not use it may be.
    def program() -> None:
        _service(_spec(secrets={"DB": pulumi.Output.from_input(WILDCARD_SECRET)}))

    run = run_program("embed", config=CONFIG, program=program)
    assert isinstance(run.error, ConfigError), run.error
    assert run.error.problems == [
        f'ServiceSpec.secrets.DB: "{WILDCARD_SECRET}" is not a secret reference (allowed: a Secrets Manager secret ARN '
        "arn:aws:secretsmanager:<region>:<account>:secret:<name>[:<json-key>:<stage>:<version>] "
        "or an SSM parameter ARN arn:aws:ssm:<region>:<account>:parameter/<name>)"
    ]
    assert run.of_type("aws:iam/rolePolicy:RolePolicy") == []
    assert run.of_type("aws:ecs/taskDefinition:TaskDefinition") == []
    assert not [r.name for r in run.resources if WILDCARD_SECRET in json.dumps(r.inputs)]
