"""What tasks may send (issue 27): an awsvpc task's security group sends HTTPS (TCP 443) anywhere
and anything within the VPC, nothing else unless ``egressCidrs`` (on a service or a job) adds
blocks. The rules on the model, the rules each stack file registers, the adopted-VPC lookup, the
embedded components and the preview.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from ecs_platform import ClusterRef, Job, JobSpec, Service, ServiceSpec
from ecs_platform.errors import ConfigError
from ecs_platform.tools.mock_cloud import MockCloud, Registration, StackRun, run_program
from ecs_platform.tools.preview.report import tree_lines
from tests.conftest import STACKS, embed_cloud, stack_run
from tests.test_validation import config_problems

SG = "aws:ec2/securityGroup:SecurityGroup"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
SERVICE = "aws:ecs/service:Service"
NS = "ecs-platform:"
APP: dict[str, Any] = {"image": "public.ecr.aws/docker/library/busybox:1.37", "user": "1000"}
CLUSTER_ARN = "arn:aws:ecs:us-east-1:123456789012:cluster/shop"


def egress_of(run: StackRun, group: Registration) -> list[tuple[str, Any, str]]:
    """(protocol, from port, destination) of each egress rule on ``group``, HTTPS first, then by
    protocol and destination."""
    rules = [(str(r.inputs["ipProtocol"]), r.inputs.get("fromPort"),
              str(r.inputs.get("cidrIpv4") or r.inputs.get("referencedSecurityGroupId")))
             for r in run.of_type(EGRESS) if r.inputs["securityGroupId"] == group.id]  # fmt: skip
    return sorted(rules, key=lambda r: (r[1] != 443, r[0], str(r[1]), r[2]))


def task_groups(run: StackRun) -> list[Registration]:
    """The security groups of the stack's services' and jobs' tasks."""
    return [g for g in run.of_type(SG) if str(g.inputs.get("description")).startswith(("ECS service", "ECS job"))]


# --- the default ------------------------------------------------------------------------------


def test_a_service_sends_https_anywhere_and_anything_within_the_vpc_only(dev: StackRun) -> None:
    web = dev.one(SG, "ecs-web-sg")
    assert egress_of(dev, web) == [("tcp", 443, "0.0.0.0/0"), ("-1", None, "10.0.0.0/16")]
    rules = {r.name: r.inputs for r in dev.of_type(EGRESS) if r.inputs["securityGroupId"] == web.id}
    assert rules["ecs-web-egress"]["toPort"] == 443


@pytest.mark.parametrize("stack", STACKS)
def test_no_task_of_any_stack_sends_anything_anywhere(stack: str) -> None:
    run = stack_run(stack)
    groups = task_groups(run)
    assert groups, stack
    for group in groups:
        rules = egress_of(run, group)
        assert ("-1", None, "0.0.0.0/0") not in rules, (stack, group.name)
        assert ("tcp", 443, "0.0.0.0/0") in rules, (stack, group.name)


def test_nfs_and_service_connect_rules_are_the_paths_beside_the_vpc(prod: StackRun) -> None:
    api, uploads = prod.one(SG, "ecs-api-sg"), prod.one(SG, "ecs-api-uploads-sg")
    assert ("tcp", 2049, uploads.id) in egress_of(prod, api)
    web = prod.one(SG, "ecs-web-sg")
    assert ("tcp", 8080, api.id) in egress_of(prod, web)


def test_jobs_get_the_same_default() -> None:
    run = stack_run("jobs")
    group = run.one(SG, "ecs-nightly-import-sg")
    assert egress_of(run, group) == [("tcp", 443, "0.0.0.0/0"), ("-1", None, "10.0.0.0/16")]


# --- egressCidrs widens it ----------------------------------------------------------------------


def test_egress_cidrs_add_blocks_a_service_may_send_anything_to() -> None:
    run = run_program("dev", {"services.web.egressCidrs": ["10.20.0.0/16", "192.0.2.25/32"]})
    assert run.error is None, run.error
    web = run.one(SG, "ecs-web-sg")
    assert egress_of(run, web) == [("tcp", 443, "0.0.0.0/0"), ("-1", None, "10.0.0.0/16"),
                                   ("-1", None, "10.20.0.0/16"), ("-1", None, "192.0.2.25/32")]  # fmt: skip
    names = {r.inputs["cidrIpv4"]: r.name for r in run.of_type(EGRESS) if r.inputs["securityGroupId"] == web.id}
    assert names == {"0.0.0.0/0": "ecs-web-egress", "10.0.0.0/16": "ecs-web-egress-vpc",
                     "10.20.0.0/16": "ecs-web-egress-1", "192.0.2.25/32": "ecs-web-egress-2"}  # fmt: skip


def test_a_job_takes_egress_cidrs_too() -> None:
    run = run_program("jobs", {"jobs.nightly-import.egressCidrs": ["0.0.0.0/0"]})
    assert run.error is None, run.error
    group = run.one(SG, "ecs-nightly-import-sg")
    assert ("-1", None, "0.0.0.0/0") in egress_of(run, group)


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"services.web.egressCidrs": ["10.0.0.0/16"]},
         f'{NS}services.web.egressCidrs[0]: "10.0.0.0/16" is the VPC\'s CIDR block, which every task may already '
         "reach (allowed: blocks other than vpcCidr; EC2 refuses a duplicate rule)"),
        ({"services.web.egressCidrs": ["10.9.0.0/16", "10.9.0.0/16"]},
         f'{NS}services.web.egressCidrs[1]: "10.9.0.0/16" is already listed (allowed: each block once)'),
        ({"services.web.egressCidrs": ["10.9.0.0/33"]},
         f'{NS}services.web.egressCidrs[0]: "10.9.0.0/33" is not an IPv4 CIDR block'),
        ({"launchType": "EC2", "services.web.networkMode": "bridge", "services.web.egressCidrs": ["10.9.0.0/16"]},
         f'{NS}services.web.egressCidrs: is set, and the tasks run in "bridge" mode with no security group of '
         "their own, on their machine's network (allowed: egressCidrs with networkMode awsvpc)"),
    ],
    ids=["the VPC's own block", "a block twice", "not a block", "bridge mode"],
)  # fmt: skip
def test_egress_cidrs_that_would_fail_or_do_nothing_are_refused(overrides: dict[str, Any], problem: str) -> None:
    run = run_program("dev", overrides)
    assert isinstance(run.error, ConfigError) and run.resources == []
    problems = config_problems(overrides)
    assert any(p.startswith(problem) for p in problems), problems


# --- an adopted VPC --------------------------------------------------------------------------------

ADOPTED = {"vpc": {"vpcId": "vpc-0abc0abc0abc0abc0",
                   "publicSubnetIds": ["subnet-00000000000000a01", "subnet-00000000000000a02"],
                   "privateSubnetIds": ["subnet-00000000000000b01", "subnet-00000000000000b02"]}}  # fmt: skip


def adopted(overrides: dict[str, Any] | None = None) -> StackRun:
    return run_program("dev", {**ADOPTED, **(overrides or {})},
                       cloud=MockCloud(vpcs={"vpc-0abc0abc0abc0abc0": "172.31.0.0/16"}))  # fmt: skip


def test_an_adopted_vpc_s_block_is_looked_up_once() -> None:
    run = adopted()
    assert run.error is None, run.error
    assert egress_of(run, run.one(SG, "ecs-web-sg"))[1] == ("-1", None, "172.31.0.0/16")
    lookups = [a for token, a in run.cloud.calls if token == "aws:ec2/getVpc:getVpc"]
    assert lookups == [{"id": "vpc-0abc0abc0abc0abc0"}]


def test_an_adopted_vpc_s_own_block_in_egress_cidrs_fails_before_its_rule() -> None:
    run = adopted({"services.web.egressCidrs": ["172.31.0.0/16"]})
    assert isinstance(run.error, ConfigError)
    assert run.error.problems == ["Service.spec.egressCidrs[0]: '172.31.0.0/16' is the VPC's CIDR block, which "
                                  "every task may already reach (allowed: other blocks; EC2 refuses a duplicate rule)"]
    assert [r.name for r in run.of_type(EGRESS) if r.name == "ecs-web-egress-1"] == []


# --- embedded components ---------------------------------------------------------------------------


def test_an_embedded_service_and_job_take_the_vpc_block_or_look_it_up() -> None:
    made: dict[str, Any] = {}

    def program() -> None:
        cluster = ClusterRef(arn=CLUSTER_ARN)
        made["given"] = Service("given", ServiceSpec(**APP), cluster=cluster, vpc_id="vpc-0123456789abcdef0",
                                subnet_ids=["subnet-0123456789abcdef0"], vpc_cidr="10.7.0.0/16")  # fmt: skip
        made["job"] = Job("job", JobSpec(**APP), cluster=cluster, vpc_id="vpc-0123456789abcdef0",
                          subnet_ids=["subnet-0123456789abcdef0"])
        pulumi.export("ok", True)

    run = run_program("embed", cloud=embed_cloud(), config={"aws:region": "us-east-1"}, program=program)
    assert run.error is None, run.error
    assert egress_of(run, run.one(SG, "given-sg"))[1] == ("-1", None, "10.7.0.0/16")
    assert egress_of(run, run.one(SG, "job-sg"))[1] == ("-1", None, "10.1.0.0/16")  # the mock account's
    lookups = [a["id"] for t, a in run.cloud.calls if t == "aws:ec2/getVpc:getVpc"]
    assert lookups == ["vpc-0123456789abcdef0"]  # the job's only


def test_an_embedded_service_refuses_the_given_vpc_block_in_egress_cidrs() -> None:
    def program() -> None:
        Service("s", ServiceSpec(**APP, egress_cidrs=["10.7.0.0/16"]), cluster=ClusterRef(arn=CLUSTER_ARN),
                vpc_id="vpc-0123456789abcdef0", subnet_ids=["subnet-0123456789abcdef0"], vpc_cidr="10.7.0.0/16")  # fmt: skip

    run = run_program("embed", cloud=embed_cloud(), config={"aws:region": "us-east-1"}, program=program)
    assert isinstance(run.error, ConfigError) and run.resources == []
    assert run.error.problems == ["Service.spec.egressCidrs[0]: '10.7.0.0/16' is the VPC's CIDR block, which every "
                                  "task may already reach (allowed: other blocks; EC2 refuses a duplicate rule)"]


# --- the preview -------------------------------------------------------------------------------------


def test_the_preview_says_what_each_service_may_send(prod: StackRun) -> None:
    lines = tree_lines(prod)
    [worker] = [x for x in lines if "desired 3;" in x and "egress" in x and "tcp 8080" not in x
                and "2049" not in x]  # fmt: skip
    assert "egress tcp 443 to anywhere, anything to 10.0.0.0/16;" in worker
    [api] = [x for x in lines if "egress" in x and "tcp 2049 to ecs-api-uploads-sg" in x and "desired" in x]
    assert "egress tcp 443 to anywhere, anything to 10.0.0.0/16, tcp 2049 to ecs-api-uploads-sg;" in api
