"""The policy pack's rules, run on what the mock engine records: every stack file
and launch type passes them, and each rule catches a resource that breaks it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    StackValidationArgs,
)

from ecs_platform.errors import ConfigError
from ecs_platform.iam import EXEC_CHANNEL_ACTIONS
from ecs_platform.specs import ContainerSpec, PermissionSpec, TaskSpec
from ecs_platform.tools import policy_rules as rules
from ecs_platform.tools.mock_cloud import ROOT, Registration, StackRun, run_program
from tests.conftest import STACKS, stack_run

API = {"api": {"image": "nginx", "user": "1000", "port": 8080}}


def _opts(reg: Registration | None = None) -> PolicyResourceOptions:
    return PolicyResourceOptions(
        protect=bool(reg and reg.protect),
        ignore_changes=list(reg.ignore_changes) if reg else [],
        delete_before_replace=None,
        aliases=[],
        custom_timeouts=PolicyCustomTimeouts(0, 0, 0),
        additional_secret_outputs=[],
        parent=(reg.parent or None) if reg else None,
    )


def resource_violations(run: StackRun) -> list[str]:
    """Every resource rule, on every registration, as the analyzer would call it."""
    providers = {
        f"{r.urn}::{r.id}": PolicyProviderResource(r.type, r.inputs, r.urn, r.name)
        for r in run.resources
        if r.type.startswith("pulumi:providers:")
    }
    found: list[str] = []
    for reg in run.resources:
        args = ResourceValidationArgs(
            reg.type, reg.inputs, reg.urn, reg.name, _opts(reg), providers.get(reg.provider)
        )
        for rule in rules.RESOURCE_RULES:
            for message in rule.violations(reg.type, rules.with_default_tags(args)):
                found.append(f"{rule.name} {reg.name}: {message}")
    return found


def stack_args(run: StackRun) -> StackValidationArgs:
    by_urn: dict[str, PolicyResource] = {}
    for reg in run.resources:
        by_urn[reg.urn] = PolicyResource(
            reg.type, reg.outputs, reg.urn, reg.name, _opts(reg), None, None, [], {}
        )
    for reg in run.resources:
        res = by_urn[reg.urn]
        res.parent = by_urn.get(reg.parent)
        res.dependencies = [by_urn[u] for u in reg.dependencies if u in by_urn]
        res.property_dependencies = {
            k: [by_urn[u] for u in v if u in by_urn] for k, v in reg.property_dependencies.items()
        }
    return StackValidationArgs(list(by_urn.values()))


def stack_violations(run: StackRun) -> list[str]:
    found: list[str] = []
    args = stack_args(run)
    for rule in rules.STACK_RULES:
        found += [f"{rule.name} {urn}: {message}" for message, urn in rule.violations(args.resources)]
    return found


def ok(run: StackRun) -> StackRun:
    assert run.error is None, run.error
    return run


# --- our stacks pass every rule --------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_file_passes_every_rule(stack: str) -> None:
    run = ok(stack_run(stack))
    assert resource_violations(run) == []
    assert stack_violations(run) == []


@pytest.mark.parametrize("launch_type", ["FARGATE", "FARGATE_SPOT", "EC2", "EXTERNAL", "MANAGED_INSTANCES"])
def test_every_launch_type_passes_every_rule(launch_type: str) -> None:
    services = {
        **API,
        "web": {"image": "nginx", "user": "101", "port": 8080, "public": launch_type != "EXTERNAL"},
    }
    run = ok(run_program("prod", {"launchType": launch_type, "services": services}))
    assert resource_violations(run) == []
    assert stack_violations(run) == []


@pytest.mark.parametrize(
    ("overrides", "resource", "control"),
    [
        ({"services": {"api": {**API["api"], "readonlyRootFilesystem": False}}}, "ecs-api-task", "ECS.5"),
        ({"services": {"api": {"image": "nginx", "waivers": {"ECS.20": "vendor image runs as root"}}}}, "ecs-api-task", "ECS.20"),
        ({"launchType": "EC2", "services": {"api": {**API["api"], "networkMode": "host"}}}, "ecs-api-task", "ECS.17"),
        ({"containerInsights": "disabled"}, "ecs-cluster", "ECS.12"),
        ({"loadBalancer": {"allowPlainHttp": True, "accessLogs": False, "deletionProtection": False}}, "ecs-lb", "ELB.5"),
    ],
)  # fmt: skip
def test_a_control_turned_off_in_config_is_a_visible_waiver_the_pack_accepts(
    overrides, resource, control
) -> None:
    run = ok(run_program("dev", overrides))
    tagged = next(r for r in run.resources if r.name == resource and r.custom)
    assert tagged.outputs["tagsAll"][f"ecs-platform:waiver:{control}"]
    assert resource_violations(run) == []
    assert stack_violations(run) == []


def test_dev_plain_http_is_waived_on_the_load_balancer(dev: StackRun) -> None:
    tags = dev.one("aws:lb/loadBalancer:LoadBalancer").outputs["tagsAll"]
    assert tags["ecs-platform:waiver:ELB.1"] == "allowPlainHttp: true in config - no certificate"
    assert tags["ecs-platform:waiver:ELB.5"] and tags["ecs-platform:waiver:ELB.6"]


# --- each rule catches a resource that breaks it ------------------------------------------------

TASK = rules.TASK


def task(**container: Any) -> dict[str, Any]:
    base = {"name": "app", "image": "x", "user": "1000", "readonlyRootFilesystem": True,
            "logConfiguration": {"logDriver": "awslogs"}}  # fmt: skip
    return {"containerDefinitions": json.dumps([{**base, **container}]), "tags": {"Project": "p"},
            "executionRoleArn": "arn:aws:iam::1:role/e", "taskRoleArn": "arn:aws:iam::1:role/t"}  # fmt: skip


GOOD_LB = {"loadBalancerType": "application", "dropInvalidHeaderFields": True, "desyncMitigationMode": "defensive",
           "enableDeletionProtection": True, "accessLogs": {"enabled": True, "bucket": "b"},
           "subnets": ["subnet-a", "subnet-b"]}  # fmt: skip
TRUST: dict[str, Any] = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"},
         "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"aws:SourceAccount": "1"},
                                                   "ArnLike": {"aws:SourceArn": "arn:aws:ecs:us-east-1:1:*"}}}]}  # fmt: skip


def policy_doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"policy": json.dumps({"Version": "2012-10-17", "Statement": list(statements)})}


BREAKING: list[tuple[str, str, dict[str, Any], str]] = [
    ("ecs-2-no-public-ip", rules.SERVICE, {"networkConfiguration": {"assignPublicIp": True}, "tags": {"a": "b"}},
     "ECS.2: the service gives its tasks public IP addresses"),
    ("ecs-scheduled-task-private", rules.SCHEDULE,
     {"target": {"ecsParameters": {"networkConfiguration": {"assignPublicIp": True}}, "deadLetterConfig": {"arn": "q"}}},
     "the schedule gives the tasks it runs public IP addresses"),
    ("lattice-iam-auth", "aws:vpclattice/service:Service", {"name": "s"},
     "auth type NONE: any client of the service network may call"),
    ("ecs-ebs-encrypted", rules.SERVICE, {"volumeConfiguration": {"name": "d", "managedEbsVolume": {"encrypted": False}}},
     "the EBS volume d of the service's tasks is not encrypted"),
    ("ecs-3-no-host-pid", TASK, {**task(), "pidMode": "host"}, "ECS.3: the task shares the host's process namespace"),
    ("ecs-4-no-privileged", TASK, task(privileged=True), "ECS.4: container app is privileged"),
    ("ecs-5-read-only-root", TASK, task(readonlyRootFilesystem=False), "ECS.5: container app has a writable root filesystem"),
    ("ecs-8-no-env-credentials", TASK, task(environment=[{"name": "AWS_SECRET_ACCESS_KEY", "value": "x"}]),
     "ECS.8: container app has AWS_SECRET_ACCESS_KEY in its plain environment"),
    ("ecs-9-logging", TASK, task(logConfiguration=None), "ECS.9: container app has no log configuration"),
    ("ecs-10-fargate-latest", rules.SERVICE,
     {"capacityProviderStrategies": [{"capacityProvider": "FARGATE"}], "platformVersion": "1.3.0", "tags": {"a": "b"}},
     "ECS.10: the Fargate service pins platform version 1.3.0 instead of LATEST"),
    ("ecs-12-container-insights", rules.CLUSTER, {"settings": [{"name": "containerInsights", "value": "disabled"}],
                                                  "tags": {"a": "b"}}, "ECS.12: the cluster has Container Insights off"),
    ("ecs-13-service-tags", rules.SERVICE, {}, "ECS.13: the resource has no tags"),
    ("ecs-14-cluster-tags", rules.CLUSTER, {"settings": [{"name": "containerInsights", "value": "enabled"}]},
     "ECS.14: the resource has no tags"),
    ("ecs-15-task-definition-tags", TASK, {**task(), "tags": {}}, "ECS.15: the resource has no tags"),
    ("ecs-17-no-host-network", TASK, {**task(), "networkMode": "host"}, "ECS.17: the task uses the host network mode"),
    ("ecs-18-efs-in-transit", TASK, {**task(), "volumes": [{"name": "data", "efsVolumeConfiguration": {"fileSystemId": "fs-1"}}]},
     "ECS.18: EFS volume data is mounted without transit encryption"),
    ("ecs-19-termination-protection", rules.CAPACITY_PROVIDER,
     {"autoScalingGroupProvider": {"managedTerminationProtection": "DISABLED"}},
     "ECS.19: the capacity provider has no managed termination protection"),
    ("ecs-20-non-root-user", TASK, task(user=None), "ECS.20: container app sets no user"),
    ("ecs-20-non-root-user", TASK, task(user="0:0"), "ECS.20: container app runs as root (0:0)"),
    ("elb-4-drop-invalid-headers", rules.LB, {**GOOD_LB, "dropInvalidHeaderFields": False},
     "ELB.4: the load balancer forwards invalid header fields"),
    ("elb-5-access-logs", rules.LB, {**GOOD_LB, "accessLogs": None}, "ELB.5: the load balancer writes no access logs"),
    ("elb-6-deletion-protection", rules.LB, {**GOOD_LB, "enableDeletionProtection": False},
     "ELB.6: the load balancer has no deletion protection"),
    ("elb-12-desync-mitigation", rules.LB, {**GOOD_LB, "desyncMitigationMode": "monitor"},
     "ELB.12: desync mitigation is monitor"),
    ("elb-nlb-security-groups", rules.LB, {"loadBalancerType": "network", "enableDeletionProtection": True,
                                            "subnets": ["subnet-a", "subnet-b"]},
     "the network load balancer has no security group, and cannot be given one later"),
    ("elb-13-several-zones", rules.LB, {**GOOD_LB, "subnets": ["subnet-a"]},
     "ELB.13: the load balancer is in fewer than two zones"),
    ("iam-no-wildcards", rules.ROLE_POLICY, policy_doc({"Sid": "A", "Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b"}),
     "statement A allows every action (*)"),
    ("iam-no-wildcards", rules.ROLE_POLICY, policy_doc({"Sid": "B", "Effect": "Allow", "Action": ["s3:*"], "Resource": ["arn:aws:s3:::b"]}),
     "statement B allows every action (s3:*)"),
    ("iam-no-wildcards", rules.ROLE_POLICY, policy_doc({"Sid": "C", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"}),
     "statement C applies to every resource (*)"),
    # Issue 21: the flow-log role's DescribeLogGroups on a log-group ARN, the EFS grant on EFS's
    # pre-release ARN spelling, a string operator on an ARN-typed key (Parliament's RESOURCE_MISMATCH).
    ("iam-resource-kind", rules.ROLE_POLICY, policy_doc({"Sid": "G", "Effect": "Allow", "Action": [
        "logs:DescribeLogGroups"], "Resource": "arn:aws:logs:us-east-1:123456789012:log-group:*"}),
     "statement G: arn:aws:logs:us-east-1:123456789012:log-group:* is of no resource type logs:DescribeLogGroups "
     'acts on, so it grants nothing (allowed: logs:DescribeLogGroups takes "*" only (no resource type)'),
    ("iam-resource-kind", rules.ROLE_POLICY, policy_doc({"Sid": "E", "Effect": "Allow", "Action": [
        "elasticfilesystem:ClientMount"], "Resource": "arn:aws:efs:us-east-1:123456789012:filesystem/fs-1"}),
     "statement E: arn:aws:efs:us-east-1:123456789012:filesystem/fs-1 is of no resource type "
     "elasticfilesystem:ClientMount acts on"),
    ("iam-resource-kind", rules.ROLE_POLICY, policy_doc({"Sid": "W", "Effect": "Allow", "Action": [
        "logs:DescribeLogGroups", "logs:CreateLogStream"], "Resource": "arn:aws:logs:us-east-1:1:log-group:g:*"}),
     "statement W: logs:DescribeLogGroups acts on none of arn:aws:logs:us-east-1:1:log-group:g:*"),
    ("iam-resource-kind", rules.ROLE, {"inlinePolicies": [{"name": "p", "policy": json.dumps({
        "Version": "2012-10-17", "Statement": [{"Sid": "L", "Effect": "Allow", "Action": "elasticloadbalancing:ModifyRule",
        "Resource": "arn:aws:elasticloadbalancing:us-east-1:1:listener/app/lb/0123/4567"}]})}]},
     "inline policy p: statement L: arn:aws:elasticloadbalancing:us-east-1:1:listener/app/lb/0123/4567 is of no "
     "resource type elasticloadbalancing:ModifyRule acts on"),
    ("iam-resource-kind", rules.ROLE_POLICY, policy_doc({"Sid": "C", "Effect": "Allow", "Action": [
        "elasticfilesystem:ClientMount"], "Resource": "arn:aws:elasticfilesystem:us-east-1:1:file-system/fs-1",
        "Condition": {"StringEquals": {"elasticfilesystem:AccessPointArn": "arn:aws:elasticfilesystem:us-east-1:1:"
                                                                            "access-point/fsap-1"}}}),
     "statement C: StringEquals compares elasticfilesystem:AccessPointArn, an ARN-typed condition key, as a string"),
    ("iam-trust-scoped", rules.ROLE, {"assumeRolePolicy": json.dumps({**TRUST, "Statement": [{
        **TRUST["Statement"][0], "Principal": {"Service": ["ecs-tasks.amazonaws.com", "ec2.amazonaws.com"]}}]})},
     'the role trusts {"Service": ["ecs-tasks.amazonaws.com", "ec2.amazonaws.com"]} (allowed: exactly one service principal)'),
    ("iam-trust-scoped", rules.ROLE, {"assumeRolePolicy": json.dumps({**TRUST, "Statement": [{
        **TRUST["Statement"][0], "Principal": {"Service": "ssm.amazonaws.com"}, "Condition": {}}]})},
     'the trust conditions {} for ssm.amazonaws.com are not a documented form'),
    ("iam-trust-scoped", rules.ROLE, {"assumeRolePolicy": json.dumps({**TRUST, "Statement": [{
        **TRUST["Statement"][0], "Condition": {"StringEquals": {"aws:SourceAccount": ["1", "999999999999"]},
                                               "ArnLike": {"aws:SourceArn": "arn:aws:ecs:us-east-1:1:*"}}}]})},
     'aws:SourceAccount ["1", "999999999999"] lists more than one account'),
    ("ecs-distinct-roles", TASK, {**task(), "taskRoleArn": "arn:aws:iam::1:role/e"}, "the execution role is also the task role"),
    ("iam-no-broad-managed-policies", rules.ROLE_POLICY_ATTACHMENT,
     {"role": "r", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"},
     "attaches the AWS managed policy AdministratorAccess"),
    ("sg-described", rules.SG, {"description": "Managed by Pulumi"}, "the security group or rule has no description"),
    ("sg-described", rules.INGRESS, {"fromPort": 443}, "the security group or rule has no description"),
    ("sg-no-inline-world-ingress", rules.SG, {"description": "d", "ingress": [{"cidrBlocks": ["0.0.0.0/0"]}]},
     "an inline ingress rule admits the whole internet"),
    ("logs-retention", rules.LOG_GROUP, {"name": "/x"}, "the log group keeps logs forever (no retention)"),
]  # fmt: skip


def _violations(rule_name: str, typ: str, props: dict[str, Any]) -> list[str]:
    rule = next(r for r in rules.RESOURCE_RULES if r.name == rule_name)
    found: list[str] = []

    def report(message: str, urn: str | None = None) -> None:
        found.append(message)

    rule.validate(ResourceValidationArgs(typ, props, "urn:x", "x", _opts(), None), report)
    return found


@pytest.mark.parametrize(
    ("rule_name", "typ", "props", "expected"), BREAKING, ids=[f"{c[0]}-{i}" for i, c in enumerate(BREAKING)]
)
def test_each_rule_catches_what_breaks_it(
    rule_name: str, typ: str, props: dict[str, Any], expected: str
) -> None:
    assert [m for m in _violations(rule_name, typ, props) if m.startswith(expected)], _violations(
        rule_name, typ, props
    )


def test_every_resource_rule_has_a_breaking_case() -> None:
    assert {r.name for r in rules.RESOURCE_RULES} == {c[0] for c in BREAKING}


@pytest.mark.parametrize("case", [c for c in BREAKING if next(r for r in rules.RESOURCE_RULES if r.name == c[0]).waivable],
                         ids=lambda c: c[0])  # fmt: skip
def test_a_waiver_tag_is_accepted_by_waivable_rules(case) -> None:
    rule_name, typ, props, _ = case
    control = next(r for r in rules.RESOURCE_RULES if r.name == rule_name).control
    waived = {**props, "tags": {**(props.get("tags") or {}), f"ecs-platform:waiver:{control}": "why"}}
    assert _violations(rule_name, typ, waived) == []


def test_ecs_exec_channel_actions_may_use_the_star_resource_they_require() -> None:
    props = policy_doc(
        {"Sid": "Exec", "Effect": "Allow", "Resource": "*", "Action": list(EXEC_CHANNEL_ACTIONS)}
    )
    assert _violations("iam-no-wildcards", rules.ROLE_POLICY, props) == []


@pytest.mark.parametrize(
    ("actions", "accepted"),
    [(["xray:PutTraceSegments", "xray:PutTelemetryRecords"], True),
     (["ecr:GetAuthorizationToken"], True),
     (["xray:PutTraceSegments", "s3:GetObject"], False),
     (["s3:GetObject"], False),
     (["s3:GetObjects"], False)],
)  # fmt: skip
def test_the_pack_accepts_a_star_resource_for_exactly_the_actions_the_model_does(actions, accepted) -> None:
    props = policy_doc({"Sid": "Granted0", "Effect": "Allow", "Resource": "*", "Action": actions})
    pack = _violations("iam-no-wildcards", rules.ROLE_POLICY, props) == []
    try:
        PermissionSpec(actions=actions, resources=["*"])
        model = True
    except ConfigError:
        model = False
    assert (pack, model) == (accepted, accepted)


def test_default_tags_from_the_provider_count_as_tags() -> None:
    provider = PolicyProviderResource(
        "pulumi:providers:aws", {"defaultTags": json.dumps({"tags": {"Stack": "dev"}})}, "urn:p", "aws"
    )
    args = ResourceValidationArgs(rules.CLUSTER, {"settings": [{"name": "containerInsights", "value": "enabled"}]},
                                  "urn:c", "c", _opts(), provider)  # fmt: skip
    found: list[str] = []

    def report(message: str, urn: str | None = None) -> None:
        found.append(message)

    for rule in rules.RESOURCE_RULES:
        rule.validate(args, report)
    assert found == []


# --- every spelling of a violation is caught (issue 14: most of these passed before) ------------------

def stmt(sid: str = "S", **fields: Any) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", **fields}


B = "arn:aws:s3:::b"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
MISSED: list[tuple[str, str, str, dict[str, Any], str]] = [
    # IAM: wildcard spellings, NotAction / NotResource, other policy-bearing resources
    *[(f"action {a}", "iam-no-wildcards", rules.ROLE_POLICY, policy_doc(stmt(Action=[a], Resource=B)),
       f"statement S allows every action ({a})") for a in ("s3:**", "s3:?*", "*:*", "**", "?*", "S3:*", "*:GetObject")],
    *[(f"resource {r}", "iam-no-wildcards", rules.ROLE_POLICY, policy_doc(stmt(Action="s3:GetObject", Resource=r)),
       f"statement S applies to every resource ({r})")
      for r in ("arn:aws:s3:::*", "arn:aws:s3:*:*:*", "arn:aws:s3:::*/*", "arn:*", "**", " *")],
    ("NotAction", "iam-no-wildcards", rules.ROLE_POLICY, policy_doc(stmt(NotAction="iam:*", Resource=B)),
     'statement S allows every action but "iam:*" (NotAction)'),
    ("NotResource", "iam-no-wildcards", rules.ROLE_POLICY, policy_doc(stmt(Action="s3:GetObject", NotResource=B)),
     'statement S applies to every resource but "arn:aws:s3:::b" (NotResource)'),
    ("role inline policy", "iam-no-wildcards", rules.ROLE,
     {"inlinePolicies": [{"name": "inline", **policy_doc(stmt(Action="s3:*", Resource=B))}]},
     "inline policy inline: statement S allows every action (s3:*)"),
    ("managed policy resource", "iam-no-wildcards", rules.POLICY, policy_doc(stmt(Action="*", Resource="*")),
     "statement S allows every action (*)"),
    ("statement given as an object", "iam-no-wildcards", rules.ROLE_POLICY,
     {"policy": json.dumps({"Version": "2012-10-17", "Statement": stmt(Action="s3:*", Resource=B)})},
     "statement S allows every action (s3:*)"),
    ("AdministratorAccess through the role", "iam-no-broad-managed-policies", rules.ROLE, {"managedPolicyArns": [ADMIN]},
     "attaches the AWS managed policy AdministratorAccess"),
    *[(f"{name} attached", "iam-no-broad-managed-policies", rules.ROLE_POLICY_ATTACHMENT,
       {"role": "r", "policyArn": f"arn:aws:iam::aws:policy/{name}"}, f"attaches the AWS managed policy {name.split('/')[-1]}")
      for name in ("PowerUserAccess", "IAMFullAccess", "AmazonS3FullAccess", "ReadOnlyAccess",
                   "job-function/SystemAdministrator", "AdministratorAccess-Amplify")],
    ("AdministratorAccess via PolicyAttachment", "iam-no-broad-managed-policies", rules.POLICY_ATTACHMENT,
     {"roles": ["r"], "policyArn": ADMIN}, "attaches the AWS managed policy AdministratorAccess"),
    ("AdministratorAccess in another partition", "iam-no-broad-managed-policies", rules.ROLE_POLICY_ATTACHMENT,
     {"role": "r", "policyArn": "arn:aws-us-gov:iam::aws:policy/AdministratorAccess"},
     "attaches the AWS managed policy AdministratorAccess"),
    # ECS: one role by two spellings, root by other spellings, credentials by other names
    *[(f"task role {t!r} is the execution role", "ecs-distinct-roles", TASK, {**task(), "taskRoleArn": t},
       "the execution role is also the task role") for t in ("e", "E", "arn:aws:iam::1:role/service/e", " e")],
    *[(f"user {u!r}", "ecs-20-non-root-user", TASK, task(user=u), f"ECS.20: container app runs as root ({u})")
      for u in ("00", "+0:0", "0:0", "root", "root:root", " 0", "-0", "ROOT", ":1000")],
    *[(f"env name {n}", "ecs-8-no-env-credentials", TASK, task(environment=[{"name": n, "value": "x"}]),
       f"ECS.8: container app has {n} in its plain environment")
      for n in ("DB_PASS", "PASSWD", "API_KEY", "PRIVATE_KEY", "GITHUB_TOKEN", "dbPassword", "CLIENT_SECRET_2")],
    *[(f"env value {what}", "ecs-8-no-env-credentials", TASK, task(environment=[{"name": "X", "value": v}]),
       f"ECS.8: container app has {what} in its plain environment (X)")
      for what, v in (("an AWS access key id", "AKIAIOSFODNN7EXAMPLE"),
                      ("an AWS secret access key", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
                      ("a URL with an inline password", "postgres://u:pw@host/db"),
                      ("a private key", "-----BEGIN RSA PRIVATE KEY-----\nMIIE"))],
    # ELB: the aws.alb types and subnetMappings
    *[(f"{rule} on aws:alb", rule, rules.ALB, {**GOOD_LB, **bad}, expected) for rule, bad, expected in (
        ("elb-4-drop-invalid-headers", {"dropInvalidHeaderFields": False}, "ELB.4: the load balancer forwards"),
        ("elb-5-access-logs", {"accessLogs": None}, "ELB.5: the load balancer writes no access logs"),
        ("elb-6-deletion-protection", {"enableDeletionProtection": False}, "ELB.6: the load balancer has no"),
        ("elb-12-desync-mitigation", {"desyncMitigationMode": "monitor"}, "ELB.12: desync mitigation is monitor"),
        ("elb-13-several-zones", {"subnets": ["subnet-a"]}, "ELB.13: the load balancer is in fewer than two zones"))],
    ("one zone by subnetMappings", "elb-13-several-zones", rules.LB,
     {**GOOD_LB, "subnets": None, "subnetMappings": [{"subnetId": "subnet-a", "allocationId": "eipalloc-1"}]},
     "ELB.13: the load balancer is in fewer than two zones"),
    # Security groups: world split in two, all protocols, SecurityGroupRule described
    *[(f"inline ingress {blocks}", "sg-no-inline-world-ingress", rules.SG, {"description": "d", "ingress": ingress},
       expected) for blocks, ingress, expected in (
        ("v4 halves in one rule", [{"protocol": "tcp", "fromPort": 22, "toPort": 22,
                                    "cidrBlocks": ["0.0.0.0/1", "128.0.0.0/1"]}],
         "an inline ingress rule admits the whole internet on tcp 22-22"),
        ("v6 halves in two rules", [{"protocol": "tcp", "fromPort": 22, "toPort": 22, "ipv6CidrBlocks": ["::/1"]},
                                    {"protocol": "tcp", "fromPort": 22, "toPort": 22, "ipv6CidrBlocks": ["8000::/1"]}],
         "an inline ingress rule admits the whole internet on tcp 22-22"),
        ("all protocols", [{"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}],
         "an inline ingress rule admits the whole internet on all protocols and ports"))],
    ("SecurityGroupRule without description", "sg-described", rules.SG_RULE, {"type": "ingress", "fromPort": 443},
     "the security group or rule has no description"),
]  # fmt: skip


@pytest.mark.parametrize(("rule_name", "typ", "props", "expected"), [c[1:] for c in MISSED], ids=[c[0] for c in MISSED])
def test_the_pack_catches_every_spelling_of_a_violation(rule_name: str, typ: str, props: dict[str, Any], expected: str) -> None:
    found = _violations(rule_name, typ, props)
    assert [m for m in found if m.startswith(expected)], found


#: Near misses: specific enough, and so accepted (the rules must not cry wolf).
ACCEPTED: list[tuple[str, str, str, dict[str, Any]]] = [
    ("partial action wildcard", "iam-no-wildcards", rules.ROLE_POLICY, policy_doc(stmt(Action="s3:Get*", Resource=B))),
    ("objects of one bucket", "iam-no-wildcards", rules.ROLE_POLICY,
     policy_doc(stmt(Action="s3:GetObject", Resource="arn:aws:s3:::b/*"))),
    ("a secret whatever its suffix", "iam-no-wildcards", rules.ROLE_POLICY,
     policy_doc(stmt(Action="secretsmanager:GetSecretValue",
                     Resource="arn:aws:secretsmanager:us-east-1:1:secret:db-??????"))),
    ("NotAction in a Deny", "iam-no-wildcards", rules.ROLE_POLICY,
     policy_doc({"Sid": "D", "Effect": "Deny", "NotAction": "s3:GetObject", "Resource": "*"})),
    *[(f"the {name.rsplit('/', 1)[-1]} policy", "iam-no-broad-managed-policies", rules.ROLE_POLICY_ATTACHMENT,
       {"role": "r", "policyArn": f"arn:aws:iam::aws:policy/{name}"})
      for name in ("service-role/AmazonECSTaskExecutionRolePolicy", "service-role/AmazonEC2ContainerServiceforEC2Role",
                   "AmazonSSMManagedInstanceCore")],
    ("a customer policy named like AWS's", "iam-no-broad-managed-policies", rules.ROLE_POLICY_ATTACHMENT,
     {"role": "r", "policyArn": "arn:aws:iam::123456789012:policy/AdministratorAccessForBilling"}),
    ("same role name in another account", "ecs-distinct-roles", TASK, {**task(), "taskRoleArn": "arn:aws:iam::2:role/e"}),
    ("uid 10", "ecs-20-non-root-user", TASK, task(user="10:0")),
    ("a user named rooted", "ecs-20-non-root-user", TASK, task(user="rooted")),
    ("git commit in the environment", "ecs-8-no-env-credentials", TASK,
     task(environment=[{"name": "GIT_SHA", "value": "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
                       {"name": "TOKEN_URL", "value": "https://user@idp.example.com/token"},
                       {"name": "PWD", "value": "/app"}])),
    ("two zones by subnetMappings", "elb-13-several-zones", rules.ALB,
     {**GOOD_LB, "subnets": None, "subnetMappings": [{"subnetId": "subnet-a"}, {"subnetId": "subnet-b"}]}),
    ("halves on different ports", "sg-no-inline-world-ingress", rules.SG,
     {"description": "d", "ingress": [{"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["0.0.0.0/1"]},
                                      {"protocol": "tcp", "fromPort": 23, "toPort": 23, "cidrBlocks": ["128.0.0.0/1"]}]}),
]  # fmt: skip


@pytest.mark.parametrize(("rule_name", "typ", "props"), [c[1:] for c in ACCEPTED], ids=[c[0] for c in ACCEPTED])
def test_specific_grants_and_near_misses_pass(rule_name: str, typ: str, props: dict[str, Any]) -> None:
    assert _violations(rule_name, typ, props) == []


# --- the model and the pack agree on what is a wildcard, a root user and a credential ---------------

ROOT_USERS = ["0", "00", "+0", "-0", " 0", "0:0", "+0:0", "root", "root:root", "ROOT", ":1000"]
USERS = ["1000", "1000:0", "10", "app", "rooted", "nobody:nogroup"]
WILD_ACTIONS = ["s3:*", "s3:**", "s3:?*", "S3:*", "*"]
ACTIONS = ["s3:GetObject", "s3:Get*", "s3:*Object", "logs:PutLogEvents"]
WILD_RESOURCES = ["*", "arn:aws:s3:::*", "arn:aws:s3:*:*:*", "arn:aws:s3:::*/*", "arn:aws:*:us-east-1:123456789012:x"]
RESOURCES = ["arn:aws:s3:::b", "arn:aws:s3:::b/*", "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-??????"]
CREDENTIALS = [("DB_PASS", "x"), ("PASSWD", "x"), ("API_KEY", "x"), ("PRIVATE_KEY", "x"), ("dbPassword", "x"),
               ("X", "AKIAIOSFODNN7EXAMPLE"), ("X", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
               ("X", "postgres://u:pw@host/db"), ("X", "-----BEGIN PRIVATE KEY-----")]
PLAIN = [("DB_HOST", "db"), ("TOKEN_URL", "https://idp/token"), ("PWD", "/app"),
         ("GIT_SHA", "da39a3ee5e6b4b0d3255bfef95601890afd80709"), ("DB_URL", "postgres://u@host/db")]  # fmt: skip


def _model_accepts(build: Any) -> bool:
    try:
        build()
    except ConfigError:
        return False
    return True


@pytest.mark.parametrize("user", ROOT_USERS + USERS)
def test_model_and_pack_agree_on_root_users(user: str) -> None:
    model = _model_accepts(lambda: TaskSpec(image="x", user=user))
    pack = not _violations("ecs-20-non-root-user", TASK, task(user=user))
    assert model == pack == (user in USERS)


#: A resource of the kind each action acts on (the wildcard rules are tested apart from the kind rule).
FITS = {"s3:GetObject": B + "/*", "s3:Get*": B + "/*", "s3:*Object": B + "/*",
        "logs:PutLogEvents": "arn:aws:logs:us-east-1:123456789012:log-group:g:*"}  # fmt: skip
#: An action of the kind each resource is.
ACTS = {B: "s3:ListBucket", "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-??????": "secretsmanager:GetSecretValue"}


@pytest.mark.parametrize("action", WILD_ACTIONS + ACTIONS)
def test_model_and_pack_agree_on_wildcard_actions(action: str) -> None:
    resource = FITS.get(action, B)
    model = _model_accepts(lambda: PermissionSpec(actions=[action], resources=[resource]))
    doc = policy_doc(stmt(Action=action, Resource=resource))
    pack = not _violations("iam-no-wildcards", rules.ROLE_POLICY, doc) + _violations(
        "iam-resource-kind", rules.ROLE_POLICY, doc)
    assert model == pack == (action in ACTIONS)


@pytest.mark.parametrize("resource", WILD_RESOURCES + RESOURCES)
def test_model_and_pack_agree_on_wildcard_resources(resource: str) -> None:
    action = ACTS.get(resource, "s3:GetObject")
    model = _model_accepts(lambda: PermissionSpec(actions=[action], resources=[resource]))
    doc = policy_doc(stmt(Action=action, Resource=resource))
    pack = not _violations("iam-no-wildcards", rules.ROLE_POLICY, doc) + _violations(
        "iam-resource-kind", rules.ROLE_POLICY, doc)
    assert model == pack == (resource in RESOURCES)


#: (actions, resources, accepted): grants of the right and of the wrong kind.
KINDS = [
    (["s3:GetObject"], [B + "/*"], True),
    (["s3:GetObject"], [B], False),                       # a bucket is no object
    (["s3:GetObject", "s3:ListBucket"], [B, B + "/*"], True),
    (["elasticfilesystem:ClientMount"], ["arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-0123"], True),
    (["elasticfilesystem:ClientMount"], ["arn:aws:efs:us-east-1:123456789012:filesystem/fs-0123"], False),
    (["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
     ["arn:aws:logs:us-east-1:123456789012:log-group:/ecs/x:*"], True),
    (["logs:CreateLogStream"], ["arn:aws:logs:us-east-1:123456789012:log-group:/ecs/x"], False),  # no stream
    (["sqs:SendMessage"], ["arn:aws:sns:us-east-1:123456789012:topic"], False),
    (["cloudwatch:PutMetricData"], ["arn:aws:cloudwatch:us-east-1:123456789012:dataset/d1"], True),
    (["cloudwatch:PutMetricData"], ["arn:aws:cloudwatch:us-east-1:123456789012:alarm:a"], False),
]  # fmt: skip


@pytest.mark.parametrize(("actions", "resources", "accepted"), KINDS)
def test_model_and_pack_agree_on_resource_kinds(actions: list[str], resources: list[str], accepted: bool) -> None:
    model = _model_accepts(lambda: PermissionSpec(actions=actions, resources=resources))
    pack = not _violations("iam-resource-kind", rules.ROLE_POLICY, policy_doc(stmt(Action=actions, Resource=resources)))
    assert model == pack == accepted


@pytest.mark.parametrize(("name", "value"), CREDENTIALS + PLAIN)
def test_model_and_pack_agree_on_credentials(name: str, value: str) -> None:
    model = _model_accepts(lambda: ContainerSpec(image="x", environment={name: value}))
    pack = not _violations("ecs-8-no-env-credentials", TASK, task(environment=[{"name": name, "value": value}]))
    assert model == pack == ((name, value) in PLAIN)


# --- stack rules -----------------------------------------------------------------------------------


def _stack(*resources: PolicyResource) -> list[str]:
    found: list[str] = []

    def report(message: str, urn: str | None = None) -> None:
        found.append(f"{urn}: {message}")

    for rule in rules.STACK_RULES:
        rule.validate(StackValidationArgs(list(resources)), report)
    return found


def _res(
    typ: str, name: str, props: dict[str, Any], deps: dict[str, list[PolicyResource]] | None = None
) -> PolicyResource:
    return PolicyResource(typ, props, f"urn:{name}", name, _opts(), None, None, [], deps or {})


def test_elb_1_catches_an_http_listener_that_forwards_without_a_waiver() -> None:
    lb = _res(rules.LB, "lb", dict(GOOD_LB))
    listener = _res(rules.LISTENER, "http", {"protocol": "HTTP", "defaultActions": [{"type": "forward"}]},
                    {"loadBalancerArn": [lb]})  # fmt: skip
    assert _stack(lb, listener) == [
        "urn:http: ELB.1: the HTTP listener serves plain HTTP instead of redirecting to HTTPS"]  # fmt: skip
    waived_lb = _res(rules.LB, "lb", {**GOOD_LB, "tagsAll": {"ecs-platform:waiver:ELB.1": "dev"}})
    listener = _res(rules.LISTENER, "http", {"protocol": "HTTP", "defaultActions": [{"type": "forward"}]},
                    {"loadBalancerArn": [waived_lb]})  # fmt: skip
    assert _stack(waived_lb, listener) == []


def test_world_ingress_is_caught_except_a_public_load_balancers_80_and_443() -> None:
    lb_sg = _res(rules.SG, "lb-sg", {"description": "lb"})
    task_sg = _res(rules.SG, "task-sg", {"description": "tasks"})
    lb = _res(rules.LB, "lb", dict(GOOD_LB), {"securityGroups": [lb_sg]})
    ok_443 = _res(rules.INGRESS, "in-443", {"cidrIpv4": "0.0.0.0/0", "fromPort": 443, "toPort": 443, "ipProtocol": "tcp"},
                  {"securityGroupId": [lb_sg]})  # fmt: skip
    bad_22 = _res(rules.INGRESS, "in-22", {"cidrIpv4": "0.0.0.0/0", "fromPort": 22, "toPort": 22, "ipProtocol": "tcp"},
                  {"securityGroupId": [lb_sg]})  # fmt: skip
    bad_task = _res(rules.INGRESS, "task-in", {"cidrIpv6": "::/0", "fromPort": 80, "toPort": 80, "ipProtocol": "tcp"},
                    {"securityGroupId": [task_sg]})  # fmt: skip
    assert sorted(_stack(lb_sg, task_sg, lb, ok_443, bad_22, bad_task)) == [
        "urn:in-22: ingress from anywhere on tcp 22-22 (allowed: only a public load balancer's 80, 443 and its "
        "listeners' ports, over their protocols)",
        "urn:task-in: ingress from anywhere on tcp 80-80 (allowed: only a public load balancer's 80, 443 and its "
        "listeners' ports, over their protocols)",
    ]
    # a test listener's port (blue/green) is open to the world only once the load balancer has it
    test_8443 = _res(rules.INGRESS, "in-8443", {"cidrIpv4": "0.0.0.0/0", "fromPort": 8443, "toPort": 8443,
                                                "ipProtocol": "tcp"}, {"securityGroupId": [lb_sg]})  # fmt: skip
    assert _stack(lb_sg, lb, test_8443) == [
        "urn:in-8443: ingress from anywhere on tcp 8443-8443 (allowed: only a public load balancer's 80, 443 and "
        "its listeners' ports, over their protocols)"]  # fmt: skip
    listener = _res(rules.LISTENER, "test", {"protocol": "HTTPS", "port": 8443}, {"loadBalancerArn": [lb]})
    assert _stack(lb_sg, lb, listener, test_8443) == []
    internal = _res(rules.LB, "lb", {**GOOD_LB, "internal": True}, {"securityGroups": [lb_sg]})
    assert "urn:in-443" in " ".join(_stack(lb_sg, internal, ok_443))


def _in(name: str, group: PolicyResource, typ: str = rules.INGRESS, **props: Any) -> PolicyResource:
    return _res(typ, name, {"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, **props}, {"securityGroupId": [group]})


def test_world_ingress_split_over_rules_is_the_whole_internet() -> None:
    sg = _res(rules.SG, "sg", {"description": "d"})
    v4 = [_in("lo", sg, cidrIpv4="0.0.0.0/1"), _in("hi", sg, cidrIpv4="128.0.0.0/1")]
    v6 = [_in("lo6", sg, cidrIpv6="::/1"), _in("hi6", sg, cidrIpv6="8000::/1")]
    assert set(_stack(sg, *v4, *v6)) == {
        f"urn:{n}: ingress from anywhere on tcp 22-22 ({c} with the group's other rules) "
        "(allowed: only a public load balancer's 80, 443 and its listeners' ports, over their protocols)"
        for n, c in (("hi", "128.0.0.0/1"), ("hi6", "8000::/1"), ("lo", "0.0.0.0/1"), ("lo6", "::/1"))
    }
    # Half the internet on one port and the other half on another: no port is open to everyone.
    assert _stack(sg, _in("lo", sg, cidrIpv4="0.0.0.0/1"), _in("hi", sg, cidrIpv4="128.0.0.0/1", fromPort=23,
                                                               toPort=23)) == []  # fmt: skip
    # Halves in two different groups do not add up either.
    other = _res(rules.SG, "other", {"description": "d"})
    assert _stack(sg, other, _in("lo", sg, cidrIpv4="0.0.0.0/1"), _in("hi", other, cidrIpv4="128.0.0.0/1")) == []


def test_an_all_protocol_rule_is_not_the_load_balancers_443() -> None:
    lb_sg = _res(rules.SG, "lb-sg", {"description": "lb"})
    lb = _res(rules.ALB, "lb", dict(GOOD_LB), {"securityGroups": [lb_sg]})
    https = _in("https", lb_sg, cidrIpv4="0.0.0.0/0", fromPort=443, toPort=443)
    everything = [_in(f"all-{p}", lb_sg, cidrIpv4="0.0.0.0/0", ipProtocol=p, fromPort=443, toPort=443)
                  for p in ("-1", "all")]  # fmt: skip
    assert sorted(_stack(lb_sg, lb, https, *everything)) == [
        f"urn:all-{p}: ingress from anywhere on all protocols and ports "
        "(allowed: only a public load balancer's 80, 443 and its listeners' ports, over their protocols)" for p in ("-1", "all")
    ]
    # A half-open all-protocol rule still opens 443 to everyone together with a 443 half.
    halves = [_in("all-lo", lb_sg, cidrIpv4="0.0.0.0/1", ipProtocol="-1"),
              _in("in-hi", lb_sg, cidrIpv4="128.0.0.0/1", fromPort=22, toPort=22)]  # fmt: skip
    assert [m.split(":")[1] for m in _stack(lb_sg, lb, *halves)] == ["in-hi"]


def test_security_group_rule_resources_are_checked_like_ingress_rules() -> None:
    sg = _res(rules.SG, "sg", {"description": "d"})
    rule = _res(rules.SG_RULE, "legacy", {"type": "ingress", "protocol": "tcp", "fromPort": 5432, "toPort": 5432,
                                          "cidrBlocks": ["0.0.0.0/1", "128.0.0.0/1"]}, {"securityGroupId": [sg]})  # fmt: skip
    egress = _res(rules.SG_RULE, "out", {"type": "egress", "protocol": "-1", "fromPort": 0, "toPort": 0,
                                         "cidrBlocks": ["0.0.0.0/0"]}, {"securityGroupId": [sg]})  # fmt: skip
    assert _stack(sg, rule, egress) == [
        "urn:legacy: ingress from anywhere on tcp 5432-5432 "
        "(allowed: only a public load balancer's 80, 443 and its listeners' ports, over their protocols)"]  # fmt: skip
    # A group created elsewhere (a literal id, no dependency) is still one group.
    lo = _res(rules.INGRESS, "lo", {"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "cidrIpv4": "0.0.0.0/1",
                                    "securityGroupId": "sg-0123"})  # fmt: skip
    hi = _res(rules.SG_RULE, "hi", {"type": "ingress", "protocol": "6", "fromPort": 22, "toPort": 22,
                                    "cidrBlocks": ["128.0.0.0/1"], "securityGroupId": "sg-0123"})  # fmt: skip
    assert sorted(m.split(":")[1] for m in _stack(lo, hi)) == ["hi", "lo"]


def test_aws_alb_types_count_as_load_balancers_and_listeners() -> None:
    lb = _res(rules.ALB, "lb", dict(GOOD_LB))
    listener = _res(rules.ALB_LISTENER, "http", {"protocol": "HTTP", "defaultActions": [{"type": "forward"}]},
                    {"loadBalancerArn": [lb]})  # fmt: skip
    assert _stack(lb, listener) == [
        "urn:http: ELB.1: the HTTP listener serves plain HTTP instead of redirecting to HTTPS"]  # fmt: skip
    lb_sg = _res(rules.SG, "lb-sg", {"description": "lb"})
    public = _res(rules.ALB, "lb", dict(GOOD_LB), {"securityGroups": [lb_sg]})
    assert _stack(lb_sg, public, _in("https", lb_sg, cidrIpv4="0.0.0.0/0", fromPort=443, toPort=443)) == []


def test_a_program_that_breaks_the_rules_is_caught_end_to_end() -> None:
    import pulumi_aws as aws

    def program() -> None:
        aws.ecs.Service("open", network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(
            subnets=["subnet-1"], assign_public_ip=True))  # fmt: skip
        aws.cloudwatch.LogGroup("forever")

    run = ok(run_program("x", config={"aws:region": "us-east-1"}, program=program))
    # Compared as sorted lines: the order of violations is no part of the rules' contract.
    assert sorted(resource_violations(run)) == sorted([
        "ecs-2-no-public-ip open: ECS.2: the service gives its tasks public IP addresses",
        "ecs-13-service-tags open: ECS.13: the resource has no tags",
        "logs-retention forever: the log group keeps logs forever (no retention)",
    ])


def test_a_rule_breaking_program_gives_the_same_record_200_times_in_a_row() -> None:
    """The repeat-run check for the flake of issue 14: the mock engine registers resources
    from a thread pool, so a harness that records in completion order gives another order
    about one run in 25. Every run must list the same resources and violations in the same
    order (not sorted here: the order itself is what is checked). About 1.5 s."""
    import pulumi_aws as aws

    def program() -> None:
        aws.ecs.Service("open", network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(
            subnets=["subnet-1"], assign_public_ip=True))  # fmt: skip
        aws.cloudwatch.LogGroup("forever")

    records = set()
    for _ in range(200):
        run = ok(run_program("x", config={"aws:region": "us-east-1"}, program=program))
        records.add((tuple(r.urn for r in run.resources), tuple(resource_violations(run))))
    assert len(records) == 1, records


# --- the pack itself --------------------------------------------------------------------------------


def test_the_pack_is_mandatory_and_built_from_the_same_rules() -> None:
    built = rules.policies()
    assert len(built) == len(rules.RESOURCE_RULES) + len(rules.STACK_RULES)
    assert len({p.name for p in built}) == len(built)
    assert all(p.enforcement_level == EnforcementLevel.MANDATORY for p in built)
    main = (ROOT / "policy-pack" / "__main__.py").read_text()
    assert "from ecs_platform.tools import policy_rules" in main
    assert "policy_rules.policies()" in main and "EnforcementLevel.MANDATORY" in main
    assert "runtime:" in (ROOT / "policy-pack" / "PulumiPolicy.yaml").read_text()


def test_ec2_6_and_ec2_2_catch_a_vpc_without_flow_logs_or_with_an_open_default_group() -> None:
    vpc = _res(rules.VPC, "vpc", {"cidrBlock": "10.0.0.0/16"})
    closed = _res(rules.DEFAULT_SG, "default-sg", {}, {"vpcId": [vpc]})
    flow = _res(rules.FLOW_LOG, "flow", {"trafficType": "ALL"}, {"vpcId": [vpc]})
    assert _stack(vpc, closed, flow) == []
    assert _stack(vpc, closed) == ["urn:vpc: EC2.6: the VPC has no flow log of all its traffic "
                                   "(allowed: flowLogs: true, the default)"]  # fmt: skip
    rejects_only = _res(rules.FLOW_LOG, "flow", {"trafficType": "REJECT"}, {"vpcId": [vpc]})
    assert len(_stack(vpc, closed, rejects_only)) == 1
    waived_vpc = _res(rules.VPC, "vpc", {"tagsAll": {"ecs-platform:waiver:EC2.6": "flowLogs: false"}})
    assert _stack(waived_vpc, _res(rules.DEFAULT_SG, "default-sg", {}, {"vpcId": [waived_vpc]})) == []
    assert _stack(vpc, flow) == ["urn:vpc: EC2.2: the VPC's default security group is left with AWS's "
                                 "default rules (allowed: none)"]  # fmt: skip
    open_sg = _res(rules.DEFAULT_SG, "default-sg", {"ingress": [{"protocol": "-1", "self": True}]}, {"vpcId": [vpc]})
    assert _stack(vpc, open_sg, flow) == [
        "urn:default-sg: EC2.2: the VPC's default security group has rules (allowed: none)"]


def test_every_stack_file_passes_ec2_2_and_ec2_6_and_a_stack_without_flow_logs_is_waived() -> None:
    run = run_program("dev", {"flowLogs": False})
    assert run.error is None, run.error
    assert [v for v in stack_violations(run) if "EC2." in v] == []


# --- four inputs that broke a rule and passed it (issue 21) -----------------------------------------


def test_ecs_10_catches_a_fargate_service_placed_by_the_clusters_default_strategy() -> None:
    cluster = _res(rules.CLUSTER, "cluster", {})
    default = _res(rules.CLUSTER_CAPACITY_PROVIDERS, "ccp", {"capacityProviders": ["FARGATE"],
                   "defaultCapacityProviderStrategies": [{"capacityProvider": "FARGATE", "weight": 1}]},
                   {"clusterName": [cluster]})  # fmt: skip
    old = _res(rules.SERVICE, "svc", {"platformVersion": "1.3.0"}, {"cluster": [cluster]})
    assert _stack(cluster, default, old) == [
        "urn:svc: ECS.10: the Fargate service (placed by its cluster's default capacity provider strategy) pins "
        "platform version 1.3.0 instead of LATEST"]  # fmt: skip
    # The resource rule alone could not see it: the service names no launch type nor strategy.
    assert _violations("ecs-10-fargate-latest", rules.SERVICE, dict(old.props)) == []
    latest = _res(rules.SERVICE, "svc", {"platformVersion": "LATEST"}, {"cluster": [cluster]})
    assert _stack(cluster, default, latest) == []
    ec2_default = _res(rules.CLUSTER_CAPACITY_PROVIDERS, "ccp", {"defaultCapacityProviderStrategies": [
        {"capacityProvider": "asg-cp", "weight": 1}]}, {"clusterName": [cluster]})  # fmt: skip
    assert _stack(cluster, ec2_default, old) == []
    # A Fargate-only task definition makes it a Fargate service whatever the cluster's default.
    task_def = _res(TASK, "td", {"requiresCompatibilities": ["FARGATE"]})
    by_task = _res(rules.SERVICE, "svc", {"platformVersion": "1.4.0"}, {"cluster": [cluster], "taskDefinition": [task_def]})
    assert len(_stack(cluster, ec2_default, task_def, by_task)) == 1


def test_sg_described_catches_inline_rules_without_descriptions() -> None:
    props: dict[str, Any] = {"description": "tasks", "ingress": [{"protocol": "tcp", "fromPort": 80, "toPort": 80, "description": "lb"},
                                                 {"protocol": "tcp", "fromPort": 22, "toPort": 22}],
             "egress": [{"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["10.0.0.0/8"]}]}  # fmt: skip
    assert _violations("sg-described", rules.SG, props) == [
        "the security group's inline ingress rule [1] (tcp 22-22) has no description",
        "the security group's inline egress rule [0] (-1 0-0) has no description",
    ]
    described = {**props, "ingress": [props["ingress"][0]], "egress": [{**props["egress"][0], "description": "out"}]}
    assert _violations("sg-described", rules.SG, described) == []


def test_elb_1_catches_a_forwarding_rule_on_an_http_listener_that_redirects_by_default() -> None:
    lb = _res(rules.LB, "lb", dict(GOOD_LB))
    redirect = {"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}}
    http = _res(rules.LISTENER, "http", {"protocol": "HTTP", "defaultActions": [redirect]}, {"loadBalancerArn": [lb]})
    forward = _res(rules.LISTENER_RULE, "rule", {"actions": [{"type": "forward", "targetGroupArn": "tg"}]},
                   {"listenerArn": [http]})  # fmt: skip
    assert _stack(lb, http, forward) == [
        "urn:rule: ELB.1: the rule on an HTTP listener serves plain HTTP instead of redirecting to HTTPS"]
    redirecting = _res(rules.LISTENER_RULE, "rule", {"actions": [redirect]}, {"listenerArn": [http]})
    assert _stack(lb, http, redirecting) == []
    https = _res(rules.LISTENER, "https", {"protocol": "HTTPS", "defaultActions": [{"type": "forward"}]},
                 {"loadBalancerArn": [lb]})  # fmt: skip
    on_https = _res(rules.ALB_LISTENER_RULE, "rule", {"actions": [{"type": "forward"}]}, {"listenerArn": [https]})
    assert _stack(lb, https, on_https) == []
    waived_lb = _res(rules.LB, "lb", {**GOOD_LB, "tagsAll": {"ecs-platform:waiver:ELB.1": "no domain"}})
    waived_http = _res(rules.LISTENER, "http", {"protocol": "HTTP", "defaultActions": [redirect]},
                       {"loadBalancerArn": [waived_lb]})  # fmt: skip
    waived_rule = _res(rules.LISTENER_RULE, "rule", {"actions": [{"type": "forward"}]}, {"listenerArn": [waived_http]})
    assert _stack(waived_lb, waived_http, waived_rule) == []


def test_elb_1_takes_a_listener_without_protocol_on_an_alb_as_http() -> None:
    lb = _res(rules.LB, "lb", dict(GOOD_LB))
    bare = _res(rules.LISTENER, "bare", {"port": 80, "defaultActions": [{"type": "forward"}]}, {"loadBalancerArn": [lb]})
    assert _stack(lb, bare) == ["urn:bare: ELB.1: the HTTP listener serves plain HTTP instead of redirecting to HTTPS"]
    nlb = _res(rules.LB, "nlb", {**GOOD_LB, "loadBalancerType": "network"})
    tcp = _res(rules.LISTENER, "tcp", {"port": 80, "defaultActions": [{"type": "forward"}]}, {"loadBalancerArn": [nlb]})
    assert _stack(nlb, tcp) == []


def test_the_four_inputs_are_caught_end_to_end() -> None:
    import pulumi_aws as aws

    def program() -> None:
        cluster = aws.ecs.Cluster("c")
        aws.ecs.ClusterCapacityProviders("ccp", cluster_name=cluster.name, capacity_providers=["FARGATE"],
                                         default_capacity_provider_strategies=[
                                             aws.ecs.ClusterCapacityProvidersDefaultCapacityProviderStrategyArgs(
                                                 capacity_provider="FARGATE", weight=1)])  # fmt: skip
        aws.ecs.Service("old", cluster=cluster.arn, platform_version="1.3.0", tags={"Team": "x"})
        aws.ec2.SecurityGroup("sg", description="tasks", vpc_id="vpc-1", tags={"Team": "x"},
                              ingress=[aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=22, to_port=22,
                                                                        cidr_blocks=["10.0.0.0/8"])])  # fmt: skip
        lb = aws.lb.LoadBalancer("lb", subnets=["subnet-a", "subnet-b"], drop_invalid_header_fields=True,
                                 enable_deletion_protection=True, tags={"Team": "x"},
                                 access_logs=aws.lb.LoadBalancerAccessLogsArgs(bucket="logs", enabled=True))
        http = aws.lb.Listener("http", load_balancer_arn=lb.arn, port=80, protocol="HTTP", default_actions=[
            aws.lb.ListenerDefaultActionArgs(type="redirect", redirect=aws.lb.ListenerDefaultActionRedirectArgs(
                protocol="HTTPS", port="443", status_code="HTTP_301"))])  # fmt: skip
        aws.lb.ListenerRule("forward", listener_arn=http.arn, priority=10,
                            actions=[aws.lb.ListenerRuleActionArgs(type="forward", target_group_arn="tg")],
                            conditions=[aws.lb.ListenerRuleConditionArgs(
                                path_pattern=aws.lb.ListenerRuleConditionPathPatternArgs(values=["/*"]))])
        aws.lb.Listener("bare", load_balancer_arn=lb.arn, port=8080, default_actions=[
            aws.lb.ListenerDefaultActionArgs(type="forward", target_group_arn="tg")])  # fmt: skip

    run = ok(run_program("x", config={"aws:region": "us-east-1"}, program=program))
    found = stack_violations(run) + resource_violations(run)
    assert [v for v in found if v.startswith("ecs-10-fargate-latest-by-default ")] == [
        f"ecs-10-fargate-latest-by-default {run.one(rules.SERVICE).urn}: ECS.10: the Fargate service (placed by "
        "its cluster's default capacity provider strategy) pins platform version 1.3.0 instead of LATEST"]
    assert ("sg-described sg: the security group's inline ingress rule [0] (tcp 22-22) has no description"
            in found), found
    elb_1 = sorted(v.split(" ", 1)[1].split(": ", 1)[0].rsplit("::", 1)[-1] for v in found
                   if v.startswith("elb-1-http-redirects "))
    assert elb_1 == ["bare", "forward"], found
