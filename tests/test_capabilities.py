"""The everyday capabilities of issue 21: stacks without services, bridge networking behind the
load balancer, FireLens log routing, container restart policies and capacity provider strategies.
Each rule on the model (its message at its key path), each capability through the mock engine
(what it registers), and bad values registering nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ecs_platform.errors import ConfigError
from ecs_platform.tools.mock_cloud import StackRun, run_program
from tests.conftest import containers, policy
from tests.test_policy import resource_violations, stack_violations
from tests.test_validation import config_problems, load

SERVICE = "aws:ecs/service:Service"
TASK_DEF = "aws:ecs/taskDefinition:TaskDefinition"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
LB = "aws:lb/loadBalancer:LoadBalancer"
TG = "aws:lb/targetGroup:TargetGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
APP: dict[str, Any] = {"image": "public.ecr.aws/docker/library/busybox:1.37", "user": "1000"}


def ok(overrides: dict[str, Any], stack: str = "dev") -> StackRun:
    run = run_program(stack, overrides)
    assert run.error is None, run.error
    return run


def refused(overrides: dict[str, Any], stack: str = "dev") -> list[str]:
    """The problems of config the model refuses, after proving the program registers nothing."""
    run = run_program(stack, overrides)
    assert isinstance(run.error, ConfigError), run.error
    assert run.resources == []
    return config_problems(overrides, stack)


def clean(run: StackRun) -> None:
    assert resource_violations(run) == []
    assert stack_violations(run) == []


# --- 1. stacks with no service ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def cluster_only() -> StackRun:
    return ok({"services": {}})


def test_no_services_is_a_cluster_with_its_capacity_and_no_load_balancer(cluster_only: StackRun) -> None:
    assert cluster_only.of_type(SERVICE) == [] and cluster_only.of_type(TASK_DEF) == []
    assert cluster_only.of_type(LB) == [] and cluster_only.of_type(TG) == []
    capacity = cluster_only.one("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders").inputs
    assert capacity["capacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
    assert cluster_only.exports["services"] == {} and cluster_only.exports["urls"] == {}
    assert "loadBalancerDnsName" not in cluster_only.exports


def test_no_services_gets_the_seeds_task_roles_shared_and_exported(cluster_only: StackRun) -> None:
    execution = cluster_only.one(ROLE, "ecs-roles-execution")
    task = cluster_only.one(ROLE, "ecs-roles-task")
    for role in (execution, task):
        trust = policy(role.inputs["assumeRolePolicy"])["Statement"]
        assert [s["Principal"] for s in trust] == [{"Service": "ecs-tasks.amazonaws.com"}]
    (managed,) = [a for a in cluster_only.of_type(ATTACHMENT) if a.inputs["role"] == execution.outputs["name"]]
    assert managed.inputs["policyArn"] == "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
    # the task role holds nothing: least privilege until someone attaches a policy
    assert [p for p in cluster_only.of_type(ROLE_POLICY) if p.inputs["role"] == task.outputs["name"]] == []
    assert [a for a in cluster_only.of_type(ATTACHMENT) if a.inputs["role"] == task.outputs["name"]] == []
    assert cluster_only.exports["taskExecutionRoleArn"] == execution.outputs["arn"]
    assert cluster_only.exports["taskRoleArn"] == task.outputs["arn"]


def test_a_cluster_without_services_passes_the_pack(cluster_only: StackRun) -> None:
    clean(cluster_only)


def test_no_services_with_jobs_is_a_stack_of_jobs_only() -> None:
    run = ok({"services": {}, "jobs": {"nightly": {**APP, "schedule": "cron(0 3 * * ? *)"}}})
    assert run.of_type(SERVICE) == [] and run.of_type(LB) == []
    assert [t.inputs["family"] for t in run.of_type(TASK_DEF)] == ["ecs-platform-dev-nightly"]
    # the job has roles of its own: no shared ones
    assert [r.name for r in run.of_type("ecs-platform:iam:SharedTaskRoles")] == []
    assert "taskRoleArn" not in run.exports
    clean(run)


def test_no_load_balancer_when_no_service_is_public() -> None:
    run = ok({"services": {"worker": APP}})
    assert run.of_type(LB) == [] and run.of_type(TG) == []
    assert [s.name for s in run.of_type(SERVICE)] == ["ecs-worker"]
    assert run.of_type("ecs-platform:iam:SharedTaskRoles") == []


def test_omitting_services_keeps_the_sample_service() -> None:
    spec, _ = load({"services": None})
    assert list(spec.services) == ["web"] and spec.services["web"].is_public
    spec, _ = load({"services": {}})
    assert spec.services == {} and spec.shares_task_roles
