"""WAF log delivery that survives stacks coming and going: one CloudWatch Logs resource policy
for every aws-waf-logs-* group of the account and region
(https://docs.aws.amazon.com/waf/latest/developerguide/logging-cw-logs.html)."""

from __future__ import annotations

import json

from ecs_platform.load_balancer import WAF_LOG_POLICY_NAME
from ecs_platform.tools.mock_cloud import MockCloud, StackRun, run_program

POLICY = "aws:cloudwatch/logResourcePolicy:LogResourcePolicy"
LOGGING = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"


def test_log_delivery_may_write_waf_groups_of_this_account_and_region_only(prod: StackRun) -> None:
    policy = prod.one(POLICY, "ecs-lb-waf-log-delivery")
    assert policy.inputs["policyName"] == WAF_LOG_POLICY_NAME
    assert json.loads(policy.inputs["policyDocument"]) == {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "WafLogDelivery", "Effect": "Allow",
            "Principal": {"Service": "delivery.logs.amazonaws.com"},
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": "arn:aws:logs:us-east-1:123456789012:log-group:aws-waf-logs-*:*",
            "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"},
                          "ArnLike": {"aws:SourceArn": "arn:aws:logs:us-east-1:123456789012:*"}},
        }],
    }  # fmt: skip
    # Well inside CloudWatch Logs' 5,120 characters per resource policy, and it never grows.
    assert len(policy.inputs["policyDocument"]) < 600


def test_logging_starts_once_the_policy_is_in_place_so_waf_adds_nothing_to_awswaf_logs(prod: StackRun) -> None:
    policy = prod.one(POLICY)
    assert policy.urn in prod.one(LOGGING).dependencies


def test_the_policy_is_left_in_place_on_destroy(prod: StackRun) -> None:
    # Another stack of the account may deliver its WAF logs through it.
    assert prod.one(POLICY).retain_on_delete is True


def test_two_stacks_of_one_account_write_the_same_policy_under_the_same_name(prod: StackRun) -> None:
    other = run_program("staging", {"loadBalancer": {"allowPlainHttp": True, "waf": {}}})
    assert other.error is None, other.error
    mine, theirs = prod.one(POLICY).inputs, other.one(POLICY).inputs
    assert (mine["policyName"], mine["policyDocument"]) == (theirs["policyName"], theirs["policyDocument"])


def test_another_account_and_region_get_their_own_scope() -> None:
    run = run_program("prod", {"aws:region": "eu-west-1", "loadBalancer.certificateArn":
                               "arn:aws:acm:eu-west-1:210987654321:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"},
                      cloud=MockCloud(region="eu-west-1", account_id="210987654321"))  # fmt: skip
    assert run.error is None, run.error
    [statement] = json.loads(run.one(POLICY).inputs["policyDocument"])["Statement"]
    assert statement["Resource"] == "arn:aws:logs:eu-west-1:210987654321:log-group:aws-waf-logs-*:*"
    assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": "210987654321"}


def test_stacks_without_a_waf_have_no_policy(dev: StackRun) -> None:
    assert dev.of_type(POLICY) == []
