"""The component provider driven over gRPC in this process, as the Pulumi engine drives it when a
TypeScript, Go, C#, Java or YAML program creates a component (issue 24): ``GetSchema``, and
``Construct`` under the mock cloud (:mod:`tests.provider_engine`).

For each served component, a request and the Python program that embeds the same component
with the same values register the same resources: same URNs, types, parents and inputs. A bad
input is refused with the message a Python program gets, each problem at its input path, before
anything is registered.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import pytest
from pulumi.runtime.proto import errors_pb2, status_pb2

from ecs_platform import (
    AwsContext,
    Cluster,
    ClusterRef,
    ClusterSpec,
    Ec2Capacity,
    Ec2Spec,
    ExternalCapacity,
    ExternalSpec,
    Job,
    JobSpec,
    LoadBalancer,
    LoadBalancerSpec,
    Network,
    NetworkSpec,
    Platform,
    Service,
    ServiceSpec,
    TaskDefinition,
    TaskSpec,
    config,
)
from ecs_platform.errors import ConfigError
from ecs_platform.provider.schema import package_schema
from ecs_platform.provider.served import BY_TOKEN
from ecs_platform.provider.shape import camel
from ecs_platform.tools.mock_cloud import run_program
from tests.conftest import embed_cloud
from tests.provider_engine import ProviderEngine, output_value

ROOT = Path(__file__).resolve().parent.parent
PROJECT, STACK = "shop", "dev"
ACCOUNT = "123456789012"
CLUSTER_ARN = f"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/shop"
VPC = "vpc-0123456789abcdef0"
SUBNETS = ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"]
CONTEXT = {"accountId": ACCOUNT, "region": "us-east-1"}
IMAGE = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/shop-api:1.4.2"
LISTENER = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:listener/app/shop/0123456789abcdef/0123456789abcdef"
NLB = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:loadbalancer/net/shop/0123456789abcdef"


def _context() -> AwsContext:
    return AwsContext(ACCOUNT, "us-east-1")


def _platform(data: dict[str, Any]) -> None:
    zones, account = config.lookup_region("us-east-1")
    spec, context = config.load(data, stack=STACK, region="us-east-1", region_zones=zones, account=account,
                                project=PROJECT, prefix="")  # fmt: skip
    Platform("ecs", spec, context=context)


@dataclass
class Case:
    """One component, as a request's inputs and as the Python program a Python user writes."""

    token: str
    name: str
    spec: dict[str, Any]
    wiring: dict[str, Any]
    python: Callable[[dict[str, Any]], Any]
    """Builds the component from the spec's values (``spec``) the Python way."""


SERVICE_SPEC = {"image": IMAGE, "port": 8080, "user": "10001:10001", "cpu": 512, "memory": 1024,
                "secrets": {"DB_URL": f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/shop/db-url"},
                "healthCheck": {"command": ["CMD-SHELL", "curl -fs localhost:8080/health || exit 1"]},
                "permissions": [{"actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::shop-assets/*"]}]}  # fmt: skip

CASES = {
    "Platform": Case(
        "ecs-platform:index:Platform", "ecs",
        {"azCount": 2, "loadBalancer": {"allowPlainHttp": True, "deletionProtection": False, "accessLogs": False},
         "services": {"web": {"image": "public.ecr.aws/nginx/nginx-unprivileged:1.27-alpine", "port": 8080,
                              "public": True, "user": "101:101", "writablePaths": ["/tmp"]}}},
        {}, _platform,
    ),
    "Cluster": Case(
        "ecs-platform:cluster:Cluster", "shop", {"logRetentionDays": 90}, {"namePrefix": "shop", "context": CONTEXT},
        lambda s: Cluster("shop", ClusterSpec.model_validate(s), name_prefix="shop", context=_context()),
    ),
    "Service": Case(
        "ecs-platform:ecs:Service", "api", SERVICE_SPEC,
        {"cluster": {"arn": CLUSTER_ARN, "spec": {"logRetentionDays": 90}}, "vpcId": VPC, "subnetIds": SUBNETS,
         "context": CONTEXT},
        lambda s: Service("api", ServiceSpec.model_validate(s), cluster=ClusterRef(
            arn=CLUSTER_ARN, spec=ClusterSpec(log_retention_days=90)), vpc_id=VPC, subnet_ids=SUBNETS,
            context=_context()),
    ),
    "TaskDefinition": Case(
        "ecs-platform:ecs:TaskDefinition", "batch", {"image": IMAGE, "user": "1000", "cpu": 256, "memory": 512},
        {"cluster": {"arn": CLUSTER_ARN}, "executionRoleArn": f"arn:aws:iam::{ACCOUNT}:role/batch-execution",
         "taskRoleArn": f"arn:aws:iam::{ACCOUNT}:role/batch-task", "region": "us-east-1", "family": "shop-batch"},
        lambda s: TaskDefinition("batch", TaskSpec.model_validate(s), cluster=ClusterRef(arn=CLUSTER_ARN),
                                 execution_role_arn=f"arn:aws:iam::{ACCOUNT}:role/batch-execution",
                                 task_role_arn=f"arn:aws:iam::{ACCOUNT}:role/batch-task", region="us-east-1",
                                 family="shop-batch"),
    ),
    "Job": Case(
        "ecs-platform:ecs:Job", "report",
        {"image": "public.ecr.aws/docker/library/busybox:1.37", "command": ["sh", "-c", "echo report"],
         "user": "1000", "schedule": "rate(1 day)"},
        {"cluster": {"arn": CLUSTER_ARN}, "vpcId": VPC, "subnetIds": SUBNETS, "context": CONTEXT},
        lambda s: Job("report", JobSpec.model_validate(s), cluster=ClusterRef(arn=CLUSTER_ARN), vpc_id=VPC,
                      subnet_ids=SUBNETS, context=_context()),
    ),
    "LoadBalancer": Case(
        "ecs-platform:lb:LoadBalancer", "edge", {"allowPlainHttp": True, "deletionProtection": False,
                                                 "accessLogs": False},
        {"vpcId": VPC, "subnetIds": SUBNETS, "region": "us-east-1", "context": CONTEXT, "testPorts": [8443],
         "testIngressCidrs": {"8443": ["10.20.0.0/16"]}},
        lambda s: LoadBalancer("edge", LoadBalancerSpec.model_validate(s), vpc_id=VPC, subnet_ids=SUBNETS,
                               region="us-east-1", context=_context(), test_ports=[8443],
                               test_ingress_cidrs={8443: ["10.20.0.0/16"]}),
    ),
    "Network": Case(
        "ecs-platform:network:Network", "net", {"azCount": 2, "natGateways": "Single"},
        {"zones": ["us-east-1a", "us-east-1b"], "context": CONTEXT},
        lambda s: Network("net", NetworkSpec.model_validate(s), zones=["us-east-1a", "us-east-1b"], context=_context()),
    ),
    "Ec2Capacity": Case(
        "ecs-platform:cluster:Ec2Capacity", "shop-ec2", {"instanceTypes": ["t3.large"], "maxSize": 4},
        {"clusterName": "shop", "vpcId": VPC, "subnetIds": SUBNETS, "context": CONTEXT},
        lambda s: Ec2Capacity("shop-ec2", Ec2Spec.model_validate(s), cluster_name="shop", vpc_id=VPC,
                              subnet_ids=SUBNETS, context=_context()),
    ),
    "ExternalCapacity": Case(
        "ecs-platform:cluster:ExternalCapacity", "shop-external", {"registrationLimit": 5},
        {"clusterName": "shop", "context": CONTEXT},
        lambda s: ExternalCapacity("shop-external", ExternalSpec.model_validate(s), cluster_name="shop",
                                   context=_context()),
    ),
}  # fmt: skip


def _comparable(registrations: list[Any]) -> list[tuple[str, str, str, str]]:
    return [(r.urn, r.type, r.parent, json.dumps(r.inputs, sort_keys=True)) for r in registrations]


def python_path(case: Case) -> list[Any]:
    run = run_program(STACK, config={"aws:region": "us-east-1"}, project=PROJECT, cloud=embed_cloud(), program=lambda: case.python(case.spec))
    assert run.error is None, run.error
    return run.resources


def test_every_served_component_has_a_case() -> None:
    assert {c.token for c in CASES.values()} == set(BY_TOKEN)


def test_get_schema_answers_the_committed_schema() -> None:
    with ProviderEngine() as engine:
        served = engine.get_schema()
    assert json.loads(served) == json.loads((ROOT / "provider" / "schema.json").read_text())


@pytest.mark.parametrize("component", sorted(CASES))
def test_construct_registers_what_the_python_path_registers(component: str) -> None:
    case = CASES[component]
    with ProviderEngine(project=PROJECT, stack=STACK) as engine:
        response = engine.construct(case.token, case.name, {**case.spec, **case.wiring})
        provided = engine.registrations
        registered_outputs = engine.monitor.registered_outputs
    expected = python_path(case)
    assert _comparable(provided) == _comparable(expected)
    # The component itself: the type token its Python callers register, under the program's stack.
    top = next(r for r in provided if r.urn == response.urn)
    assert (top.type, top.name) == (case.token, case.name)
    # Every output the component registers is served, with its value.
    served = {o.name for o in BY_TOKEN[case.token].outputs}
    assert set(registered_outputs[response.urn]) <= served
    for key, value in registered_outputs[response.urn].items():
        if value is not None and value != {}:
            assert key in response.state.fields, key


def test_inputs_from_other_resources_arrive_as_outputs_and_are_checked_once_known() -> None:
    """Wiring given as another resource's output (known, or unknown during a preview) is taken;
    a bad value once known fails the deployment naming its input path."""
    case = CASES["Service"]
    wiring = {"cluster": {"arn": output_value(CLUSTER_ARN, deps=("urn:pulumi:dev::shop::aws:ecs/cluster:Cluster::c",))},
              "vpcId": output_value(known=False), "subnetIds": [output_value(known=False), output_value(known=False)]}  # fmt: skip
    with ProviderEngine() as engine:
        engine.construct(case.token, "api", {**case.spec, **wiring}, dry_run=True)
        assert any(r.type == "aws:ecs/service:Service" for r in engine.registrations)
    bad = {**case.spec, **case.wiring, "secrets": {"DB_URL": output_value("not-an-arn")}}
    with ProviderEngine() as engine:
        with pytest.raises(grpc.RpcError) as caught:
            engine.construct(case.token, "api", bad)
        types = {r.type for r in engine.registrations}
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert caught.value.details().startswith("invalid input (known during the deployment) (1 problem(s)):\n"
                                             '  - secrets.DB_URL: "not-an-arn" is not a secret reference')
    # The check gates what uses the secret: the roles' policy and the task definition.
    assert "aws:ecs/taskDefinition:TaskDefinition" not in types
    # A wiring Output too names its input.
    with ProviderEngine() as engine:
        with pytest.raises(grpc.RpcError) as caught:
            engine.construct(case.token, "api", {**case.spec, **case.wiring, "vpcId": output_value("sg-0123456789abcdef0")})
        types = {r.type for r in engine.registrations}
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert '\n  - vpcId: "sg-0123456789abcdef0" is a security group id, not a VPC id' in caught.value.details()
    assert "aws:ec2/securityGroup:SecurityGroup" not in types


def _refusal(error: grpc.RpcError) -> tuple[str, list[tuple[str, str]]]:
    """The message and the property errors the provider answered."""
    found: list[tuple[str, str]] = []
    for key, value in error.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            status = status_pb2.Status()
            status.ParseFromString(value)
            for detail in status.details:
                errors = errors_pb2.InputPropertiesError()
                detail.Unpack(errors)
                found += [(e.property_path, e.reason) for e in errors.errors]
    return error.details(), found


def _python_problems(component: str, change: Callable[[dict[str, Any]], None]) -> list[str]:
    case = CASES[component]
    spec = json.loads(json.dumps(case.spec))
    change(spec)
    run = run_program(STACK, config={"aws:region": "us-east-1"}, project=PROJECT, cloud=embed_cloud(), program=lambda: case.python(spec))
    assert isinstance(run.error, ConfigError), run.error
    assert run.resources == []
    return run.error.problems


#: Bad input: (component, inputs changed by, the problems a request gets, the Python path's).
REFUSED = [
    ("Service", {"port": 70000, "memory": 300},
     ["port: 70000 is out of range (allowed: 1..65535)"],
     ["ServiceSpec.port: 70000 is out of range (allowed: 1..65535)"]),
    ("Service", {"port": 8080, "cpu": 256, "memory": 300},
     ["memory: 300 is not a valid Fargate memory for cpu 256 (allowed: 512, 1024, 2048)"],
     ["ServiceSpec.memory: 300 is not a valid Fargate memory for cpu 256 (allowed: 512, 1024, 2048)"]),
    ("Service", {"healthCheck": {"command": ["CMD-SHELL", "true"], "interval": 1}},
     ["healthCheck.interval: 1 is out of range (allowed: 5..300)"],
     ["ServiceSpec.health_check.interval: 1 is out of range (allowed: 5..300)"]),
    ("Service", {"port": 8080.5},
     ["port: 8080.5 is not an integer (allowed: 1..65535)"],
     ["ServiceSpec.port: 8080.5 is not an integer (allowed: 1..65535)"]),
]  # fmt: skip


@pytest.mark.parametrize(("component", "change", "expected", "python"), REFUSED)
def test_a_bad_spec_input_gets_the_python_paths_message_at_its_input_path(
    component: str, change: dict[str, Any], expected: list[str], python: list[str]
) -> None:
    case = CASES[component]
    with ProviderEngine() as engine:
        with pytest.raises(grpc.RpcError) as caught:
            engine.construct(case.token, case.name, {**case.spec, **change, **case.wiring})
        registered = engine.registrations
    message, details = _refusal(caught.value)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert message == f"invalid {component} ({len(expected)} problem(s)):\n" + "\n".join(f"  - {p}" for p in expected)
    assert details == [tuple(p.split(": ", 1)) for p in expected]
    assert registered == []
    assert _python_problems(component, lambda s: s.update(change)) == python
    # Same words after the path.
    assert [p.split(": ", 1)[1] for p in expected] == [p.split(": ", 1)[1] for p in python]


#: Bad wiring: (component, inputs changed by, the problems a request gets).
WIRING = [
    ("Service", {"vpcId": "sg-0123456789abcdef0", "subnetIds": [SUBNETS[0], SUBNETS[0]]},
     ['vpcId: "sg-0123456789abcdef0" is a security group id, not a VPC id (allowed: vpc- and 8 or 17 hex digits, '
      'e.g. vpc-0123456789abcdef0)',
      'subnetIds[1]: "subnet-0aaaaaaaaaaaaaaaa" is listed twice (allowed: each once)']),
    ("Service", {"cluster": {"arn": "arn:aws:ecs:eu-west-1:123456789012:cluster/shop", "spec": {"launchType": "EC3"}}},
     ['cluster.spec.launchType: "EC3" is not allowed (allowed: FARGATE, FARGATE_SPOT, EC2, EXTERNAL, '
      'MANAGED_INSTANCES)']),
    ("Service", {"cluster": {"arn": "arn:aws:ecs:eu-west-1:123456789012:cluster/shop"}},
     ['cluster.arn: "arn:aws:ecs:eu-west-1:123456789012:cluster/shop" is in region eu-west-1, not the stack\'s '
      'us-east-1 (allowed: an ECS cluster ARN of region us-east-1; ECS and ELB only use resources of their own '
      'region)']),
    ("Service", {"cluster": {"arn": CLUSTER_ARN, "clusterName": "shop"}, "bogus": 1},
     ["bogus: unknown input (allowed: " + ", ".join(sorted(
         package_schema()["resources"]["ecs-platform:ecs:Service"]["inputProperties"])) + ")",
      "cluster.clusterName: unknown key (allowed: " + ", ".join(sorted(
          camel(f.name) for f in dataclasses.fields(ClusterRef))) + ")"]),
    ("Service", {"containerName": output_value("api")},
     ["containerName: is a pulumi.Output, and this field takes a plain value known before the deployment "
      "(allowed: a container name)"]),
    ("Service", {"public": True, "loadBalancer": {"listenerArn": LISTENER, "securityGroupId": "sg-0123456789abcdef0"},
                 "networkLoadBalancer": {"arn": NLB, "securityGroupId": "sg-0123456789abcdef0",
                                         "arnSuffix": "net/shop/0123456789abcdef"}},
     ["networkLoadBalancer: given with loadBalancer (allowed: one of loadBalancer, networkLoadBalancer)"]),
    ("Service", {"public": True, "protocol": "TCP",
                 "networkLoadBalancer": {"arn": NLB, "securityGroupId": "sg-0123456789abcdef0",
                                         "arnSuffix": "app/shop/0123456789abcdef"}},
     ['networkLoadBalancer.arnSuffix: "app/shop/0123456789abcdef" is a string, not a network load balancer ARN '
      'suffix (allowed: net/<load balancer name>/<16 hex digits>, e.g. net/shop/50dc6c495c0c9188)']),
    ("Job", {"vpcId": None},
     ["vpcId: missing (allowed: a string)"]),
    ("LoadBalancer", {"subnetIds": [SUBNETS[0]], "testIngressCidrs": {"https": ["10.0.0.0/8"]}},
     ['testIngressCidrs.https: "https" is not a port (allowed: an integer key)']),
    ("LoadBalancer", {"subnetIds": [SUBNETS[0]]},
     ['subnetIds: ["subnet-0aaaaaaaaaaaaaaaa"] has 1 item(s) (allowed: 2 or more of a subnet id; an application '
      'load balancer needs subnets in two zones)']),
    ("Network", {"zones": ["us-east-1a", "eu-west-1b"]},
     ['zones[1]: "eu-west-1b" is a zone of eu-west-1, not of the stack\'s region us-east-1 (allowed: zones of '
      'us-east-1)']),
]  # fmt: skip


@pytest.mark.parametrize(("component", "change", "expected"), WIRING)
def test_bad_wiring_is_refused_at_its_input_path_before_anything_is_registered(
    component: str, change: dict[str, Any], expected: list[str]
) -> None:
    case = CASES[component]
    inputs = {k: v for k, v in {**case.spec, **case.wiring, **change}.items() if v is not None}
    with ProviderEngine() as engine:
        with pytest.raises(grpc.RpcError) as caught:
            engine.construct(case.token, case.name, inputs)
        registered = engine.registrations
    message, _ = _refusal(caught.value)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert message.splitlines()[1:] == [f"  - {p}" for p in expected]
    assert registered == []


def test_two_components_of_one_program_cannot_share_a_name() -> None:
    """One provider process serves one deployment: a second Service named like the first is refused,
    naming both, before it registers anything (the engine would refuse its URN only after the
    first one's resources exist)."""
    case = CASES["Service"]
    with ProviderEngine() as engine:
        engine.construct(case.token, "api", {**case.spec, **case.wiring})
        before = len(engine.registrations)
        with pytest.raises(grpc.RpcError) as caught:
            engine.construct(case.token, "api", {**case.spec, **case.wiring})
        after = len(engine.registrations)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert '- name: "api" is the name of Service "api" and of Service "api"' in caught.value.details()
    assert after == before
