"""Right on real AWS: every role's trust policy exactly as its AWS guide shows it, and the
policy pack's trust rules following the same table (issue 13)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi_policy import PolicyResource

from ecs_platform import facts
from ecs_platform.tools import policy_rules as rules
from ecs_platform.tools.mock_cloud import StackRun, run_program
from tests.test_policy import _opts, resource_violations, stack_violations

ROLE = "aws:iam/role:Role"
ACCOUNT = "123456789012"


@pytest.fixture(scope="module")
def staging() -> StackRun:
    """EC2 instances, ECS Anywhere machines and Fargate in one stack: every role kind but one."""
    run = run_program("staging")
    assert run.error is None, run.error
    return run


# --- trust policies, per role, as AWS documents them -------------------------------------------

#: The documents as the guides print them (account 123456789012, region us-east-1).
DOCUMENTED: dict[str, dict[str, Any]] = {
    # task-iam-roles.html, "Create the task IAM role"
    "task": {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole",
             "Condition": {"ArnLike": {"aws:SourceArn": f"arn:aws:ecs:us-east-1:{ACCOUNT}:*"},
                           "StringEquals": {"aws:SourceAccount": ACCOUNT}}},
    # task_execution_IAM_role.html: no conditions
    "execution": {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"},
    # instance_IAM_role.html: no conditions
    "ec2-instance": {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"},
    # hybrid-multicloud-service-role.html (SSMService-Trust.json)
    "ssm-hybrid": {"Effect": "Allow", "Principal": {"Service": "ssm.amazonaws.com"}, "Action": "sts:AssumeRole",
                   "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT},
                                 "ArnEquals": {"aws:SourceArn": f"arn:aws:ssm:us-east-1:{ACCOUNT}:*"}}},
    # scheduler setting-up.html, "Set up the execution role"
    "scheduler": {"Effect": "Allow", "Principal": {"Service": "scheduler.amazonaws.com"}, "Action": "sts:AssumeRole",
                  "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}},
}  # fmt: skip


def _statement(role_inputs: dict[str, Any]) -> dict[str, Any]:
    doc = json.loads(role_inputs["assumeRolePolicy"])
    assert doc["Version"] == "2012-10-17" and len(doc["Statement"]) == 1
    statement: dict[str, Any] = doc["Statement"][0]
    return statement


def test_the_table_has_every_documented_role_with_its_guide() -> None:
    assert set(facts.TRUST_FORMS) == set(DOCUMENTED)
    for kind, form in facts.TRUST_FORMS.items():
        assert form.guide.startswith("https://docs.aws.amazon.com/"), kind
        assert facts.trust_document(kind, ACCOUNT, "us-east-1") == {"Version": "2012-10-17",
                                                                      "Statement": [DOCUMENTED[kind]]}


@pytest.mark.parametrize(
    ("stack", "role", "kind"),
    [("dev", "ecs-web-roles-task", "task"),
     ("dev", "ecs-web-roles-execution", "execution"),
     ("staging", "ecs-web-roles-task", "task"),
     ("staging", "ecs-batch-roles-execution", "execution"),
     ("staging", "ecs-cluster-ec2-instance", "ec2-instance"),
     ("staging", "ecs-cluster-external-role", "ssm-hybrid")],
)  # fmt: skip
def test_each_role_trusts_exactly_as_its_aws_guide_shows(request, stack: str, role: str, kind: str) -> None:
    run: StackRun = request.getfixturevalue(stack)
    assert _statement(run.one(ROLE, role).inputs) == DOCUMENTED[kind]


def test_every_role_of_every_stack_has_a_documented_form(dev: StackRun, prod: StackRun, staging: StackRun) -> None:
    for run in (dev, prod, staging):
        for role in run.of_type(ROLE):
            statement = _statement(role.inputs)
            assert statement in DOCUMENTED.values(), role.name
            assert rules.trust_problems(statement, ACCOUNT) == []


def test_the_trust_policy_follows_the_partition_and_region() -> None:
    doc = facts.trust_document("task", "210987654321", "cn-north-1", "aws-cn")
    assert doc["Statement"][0]["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "210987654321"},
        "ArnLike": {"aws:SourceArn": "arn:aws-cn:ecs:cn-north-1:210987654321:*"},
    }


# --- the policy pack's trust rules follow the same table -----------------------------------------


def _doc(statement: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def _trust_violations(statement: dict[str, Any], arn: str | None = None) -> list[str]:
    props: dict[str, Any] = {"assumeRolePolicy": _doc(statement)}
    if arn:
        props["arn"] = arn
    return [m for r in rules.RESOURCE_RULES if r.name == "iam-trust-scoped" for m in r.violations(ROLE, props)]


@pytest.mark.parametrize("kind", list(DOCUMENTED))
def test_each_documented_form_passes_the_trust_rule(kind: str) -> None:
    assert _trust_violations(DOCUMENTED[kind], arn=f"arn:aws:iam::{ACCOUNT}:role/r") == []


OTHER = "999999999999"


@pytest.mark.parametrize(
    ("statement", "arn", "expected"),
    [
        # a condition that lists another account next to ours
        ({**DOCUMENTED["task"], "Condition": {"StringEquals": {"aws:SourceAccount": [ACCOUNT, OTHER]},
                                              "ArnLike": {"aws:SourceArn": f"arn:aws:ecs:us-east-1:{ACCOUNT}:*"}}},
         None, f'aws:SourceAccount ["{ACCOUNT}", "{OTHER}"] lists more than one account'),
        # another account than the role's own
        ({**DOCUMENTED["scheduler"], "Condition": {"StringEquals": {"aws:SourceAccount": OTHER}}},
         f"arn:aws:iam::{ACCOUNT}:role/r", f"aws:SourceAccount {OTHER} is another account than the role's own ({ACCOUNT})"),
        # a source ARN in another account than aws:SourceAccount
        ({**DOCUMENTED["ssm-hybrid"], "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT},
                                                    "ArnEquals": {"aws:SourceArn": f"arn:aws:ssm:us-east-1:{OTHER}:*"}}},
         None, f"aws:SourceArn arn:aws:ssm:us-east-1:{OTHER}:* names account {OTHER}, another account than {ACCOUNT}"),
        # two source ARNs
        ({**DOCUMENTED["task"], "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}, "ArnLike": {
            "aws:SourceArn": [f"arn:aws:ecs:us-east-1:{ACCOUNT}:*", f"arn:aws:ecs:us-east-1:{OTHER}:*"]}}},
         None, "aws:SourceArn"),
        # the source ARN of another service
        ({**DOCUMENTED["task"], "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT},
                                              "ArnLike": {"aws:SourceArn": f"arn:aws:lambda:us-east-1:{ACCOUNT}:*"}}},
         None, f"aws:SourceArn arn:aws:lambda:us-east-1:{ACCOUNT}:* names service lambda (allowed: ecs)"),
        # an undocumented condition on EC2 (the one that kept instances from getting credentials)
        ({**DOCUMENTED["ec2-instance"], "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}},
         None, 'the trust conditions {"StringEquals": ["aws:SourceAccount"]} for ec2.amazonaws.com are not a documented form'),
        # ECS tasks with half the task role's conditions
        ({**DOCUMENTED["execution"], "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}},
         None, "for ecs-tasks.amazonaws.com are not a documented form"),
        # a principal the table does not document
        ({**DOCUMENTED["execution"], "Principal": {"Service": "lambda.amazonaws.com"}},
         None, "the role trusts lambda.amazonaws.com, which has no documented trust form here"),
        # another account as a principal
        ({**DOCUMENTED["execution"], "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"}},
         None, "(allowed: exactly one service principal)"),
        # not AssumeRole
        ({**DOCUMENTED["execution"], "Action": ["sts:AssumeRole", "sts:TagSession"]},
         None, "the statement is not Allow sts:AssumeRole"),
    ],
)  # fmt: skip
def test_the_trust_rule_catches_what_the_guides_do_not_show(statement, arn, expected: str) -> None:
    found = _trust_violations(statement, arn)
    assert [m for m in found if expected in m], found


def _resource(typ: str, props: dict[str, Any], urn: str) -> PolicyResource:
    return PolicyResource(typ, props, urn, urn.rsplit("::", 1)[-1], _opts(), None, None, [], {})


def test_a_task_role_with_the_execution_roles_bare_trust_is_caught() -> None:
    bare = _resource(ROLE, {"assumeRolePolicy": _doc(DOCUMENTED["execution"])}, "urn:x::bare")
    scoped = _resource(ROLE, {"assumeRolePolicy": _doc(DOCUMENTED["task"])}, "urn:x::scoped")
    for role, caught in ((bare, True), (scoped, False)):
        task = _resource(rules.TASK, {}, "urn:x::task")
        task.property_dependencies = {"taskRoleArn": [role], "executionRoleArn": [bare]}
        rule = next(r for r in rules.STACK_RULES if r.name == "iam-task-role-trust")
        found = rule.violations([role, task])
        assert bool(found) == caught, found
        if caught:
            assert found[0][1] == "urn:x::bare" and "task-iam-roles.html" in found[0][0]


def test_the_stacks_pass_the_trust_rules(staging: StackRun) -> None:
    assert resource_violations(staging) == []
    assert stack_violations(staging) == []
