"""Right on real AWS: every role's trust policy exactly as its AWS guide shows it, and the
policy pack's trust rules following the same table (issue 13)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi_policy import PolicyResource

from ecs_platform import facts
from ecs_platform.errors import ConfigError
from ecs_platform.tools import policy_rules as rules
from ecs_platform.tools.mock_cloud import StackRun, run_program
from tests.conftest import stack_run
from tests.test_policy import _opts, resource_violations, stack_violations

ROLE = "aws:iam/role:Role"
ACCOUNT = "123456789012"


@pytest.fixture(scope="module")
def staging() -> StackRun:
    """EC2 instances, ECS Anywhere machines and Fargate in one stack: every role kind but one."""
    return stack_run("staging")


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
    # AmazonECSInfrastructureRolePolicyForLoadBalancers.html, "Creating the Amazon ECS infrastructure
    # role for load balancers": no conditions (the guide's Sid is left out, as for every role)
    "ecs-infrastructure": {"Effect": "Allow", "Principal": {"Service": "ecs.amazonaws.com"},
                           "Action": "sts:AssumeRole"},
    # infrastructure_IAM_role.html, "Creating the Amazon ECS infrastructure role": no conditions; one
    # role per purpose (EBS task volumes, VPC Lattice, Service Connect TLS)
    **{kind: {"Effect": "Allow", "Principal": {"Service": "ecs.amazonaws.com"}, "Action": "sts:AssumeRole"}
       for kind in ("ecs-infrastructure-volumes", "ecs-infrastructure-lattice", "ecs-infrastructure-tls")},
    # infrastructure_IAM_role.html (Managed Instances): ecs.amazonaws.com, no conditions
    "managed-instances-infrastructure": {"Effect": "Allow", "Principal": {"Service": "ecs.amazonaws.com"},
                                         "Action": "sts:AssumeRole"},
    # managed-instances-instance-profile.html: ec2.amazonaws.com, no conditions
    "managed-instances-instance": {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                   "Action": "sts:AssumeRole"},
    # scheduler cross-service-confused-deputy-prevention.html: aws:SourceAccount and aws:SourceArn,
    # the schedule group's ARN (never a schedule's), both StringEquals
    "scheduler": {"Effect": "Allow", "Principal": {"Service": "scheduler.amazonaws.com"}, "Action": "sts:AssumeRole",
                  "Condition": {"StringEquals": {
                      "aws:SourceAccount": ACCOUNT,
                      "aws:SourceArn": f"arn:aws:scheduler:us-east-1:{ACCOUNT}:schedule-group/default"}}},
    # flow-logs-iam-role.html: the trust policy with the recommended condition block, the flow
    # log id replaced by a wildcard
    "vpc-flow-logs": {"Effect": "Allow", "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
                      "Action": "sts:AssumeRole",
                      "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT},
                                    "ArnLike": {"aws:SourceArn": f"arn:aws:ec2:us-east-1:{ACCOUNT}:vpc-flow-log/*"}}},
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
     ("staging", "ecs-cluster-external-role", "ssm-hybrid"),
     ("prod", "ecs-vpc-controls-flow-logs", "vpc-flow-logs")],
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
        ({**DOCUMENTED["scheduler"], "Condition": {"StringEquals": {
            "aws:SourceAccount": OTHER, "aws:SourceArn": f"arn:aws:scheduler:us-east-1:{OTHER}:schedule-group/default"}}},
         f"arn:aws:iam::{ACCOUNT}:role/r", f"aws:SourceAccount {OTHER} is another account than the role's own ({ACCOUNT})"),
        # the scheduler role without aws:SourceArn (the form before the confused-deputy page's)
        ({**DOCUMENTED["scheduler"], "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}},
         None, 'the trust conditions {"StringEquals": ["aws:SourceAccount"]} for scheduler.amazonaws.com are not a '
               "documented form"),
        # scoped to one schedule, which AWS says not to do
        ({**DOCUMENTED["scheduler"], "Condition": {"StringEquals": {
            "aws:SourceAccount": ACCOUNT, "aws:SourceArn": f"arn:aws:scheduler:us-east-1:{ACCOUNT}:schedule/default/x"}}},
         None, f'aws:SourceArn "arn:aws:scheduler:us-east-1:{ACCOUNT}:schedule/default/x" is not one ARN'),
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


# --- teardown and re-create --------------------------------------------------------------------

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
LB = "aws:lb/loadBalancer:LoadBalancer"
KEY = "aws:kms/key:Key"
BUCKET_PARTS = ("ecs-lb-logs", "ecs-lb-logs-public-access", "ecs-lb-logs-ownership", "ecs-lb-logs-encryption",
                "ecs-lb-logs-expiry", "ecs-lb-logs-policy")  # fmt: skip


def _retained(run: StackRun) -> set[str]:
    return {r.name for r in run.resources if r.retain_on_delete}


def test_nothing_is_protected_by_pulumi_and_only_prods_load_balancer_refuses_deletion(
    dev: StackRun, prod: StackRun, staging: StackRun
) -> None:
    for run in (dev, prod, staging):
        assert [r.name for r in run.resources if r.protect] == []
        assert run.one(LB).inputs["enableDeletionProtection"] is (run is prod)


def test_prod_keeps_its_logs_their_key_and_its_access_log_bucket_on_destroy(prod: StackRun) -> None:
    groups = {g.name for g in prod.of_type(LOG_GROUP)}
    assert groups == {"ecs-cluster-exec-logs", "ecs-web-task-logs", "ecs-worker-task-logs", "ecs-api-task-logs",
                      "ecs-lb-waf-logs", "ecs-vpc-controls-flow-logs"}  # fmt: skip
    assert _retained(prod) == groups | {"ecs-cluster-key"} | set(BUCKET_PARTS)


def test_dev_and_staging_keep_no_logs_on_destroy(dev: StackRun, staging: StackRun) -> None:
    assert _retained(dev) == set()
    # staging has access logs (default: the bucket is kept), and no retained log groups
    assert _retained(staging) == set(BUCKET_PARTS)


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_log_groups_have_a_unique_suffix_so_a_recreated_stack_never_collides(request, stack: str) -> None:
    run: StackRun = request.getfixturevalue(stack)
    for group in run.of_type(LOG_GROUP):
        assert "name" not in group.inputs, group.name  # never a fixed name
        prefix = group.inputs["namePrefix"]
        assert prefix.startswith((f"/ecs/ecs-platform-{stack}/", f"aws-waf-logs-ecs-platform-{stack}-",
                                  f"/aws/vpc-flow-logs/ecs-platform-{stack}-"))  # fmt: skip
        assert prefix.endswith("-")
        assert group.outputs["name"].startswith(prefix) and len(group.outputs["name"]) == len(prefix) + 26


def test_fixed_names_are_only_on_resources_deleted_with_the_stack(staging: StackRun) -> None:
    """What keeps a fixed name (task families, the capacity provider) is deleted on destroy, so
    `pulumi up` after `pulumi destroy` can take the name again."""
    fixed = [r for r in staging.resources if r.custom and ("name" in r.inputs or "family" in r.inputs)]
    assert {r.type for r in fixed} == {"aws:ecs/taskDefinition:TaskDefinition", "aws:ecs/capacityProvider:CapacityProvider"}
    assert not any(r.retain_on_delete for r in fixed)


def test_the_access_log_bucket_is_emptied_and_deleted_on_request() -> None:
    run = run_program("staging", {"loadBalancer.accessLogsOnDestroy": "delete"})
    assert run.error is None, run.error
    assert run.one("aws:s3/bucket:Bucket").inputs["forceDestroy"] is True
    assert _retained(run) == set()


def test_the_access_log_bucket_is_kept_by_default_with_its_settings(staging: StackRun) -> None:
    bucket = staging.one("aws:s3/bucket:Bucket")
    assert bucket.inputs["forceDestroy"] is False and bucket.retain_on_delete


def test_the_bucket_destroy_choice_without_a_created_bucket_is_refused() -> None:
    run = run_program("dev", {"loadBalancer.accessLogsOnDestroy": "delete"})
    assert run.resources == []
    assert run.error is not None and run.error.problems == [  # type: ignore[attr-defined]
        'ecs-platform:loadBalancer.accessLogsOnDestroy: "delete" has no effect: the stack creates no access-log '
        "bucket (allowed: remove it, or accessLogs: true without accessLogsBucket)"]


def test_the_access_log_bucket_aborts_incomplete_multipart_uploads(prod: StackRun) -> None:
    [rule] = prod.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs["rules"]
    assert rule["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": 7}
    assert rule["expiration"] == {"days": 365} and rule["status"] == "Enabled"


# --- placeholders and the certificate's account ------------------------------------------------


def test_the_prod_example_deploys_under_the_mock_engine(prod: StackRun) -> None:
    assert prod.error is None and prod.of_type(LB)


def test_a_placeholder_left_in_a_real_deployment_fails_naming_what_to_replace(monkeypatch) -> None:
    from ecs_platform import config

    monkeypatch.setattr(config, "engine_is_mocked", lambda: False)  # as under `pulumi up`
    run = run_program("prod")
    assert run.resources == []
    problems = run.error.problems  # type: ignore[union-attr]
    example = f"is a placeholder: {ACCOUNT} is AWS's documentation example account (allowed: your own value, " \
              "in your account; replace it in the stack file before deploying)"
    assert sorted(p.split(": ")[0] for p in problems) == [
        "ecs-platform:loadBalancer.certificateArn",
        "ecs-platform:services.web.deployment.testIngressCidrs[0]",
        "ecs-platform:services.web.routes[0].hosts[0]",
        "ecs-platform:services.worker.permissions[0].resources[0]",
        "ecs-platform:services.worker.secrets.API_KEY",
        "ecs-platform:services.worker.secrets.DB_URL",
    ]
    assert ('ecs-platform:loadBalancer.certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/'
            f'0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d" {example}') in problems
    assert ('ecs-platform:services.web.routes[0].hosts[0]: "www.example.com" is a placeholder: example.com/.net/.org '
            "are reserved example domains (allowed: your own domain; replace it in the stack file before deploying)"
            ) in problems
    assert ('ecs-platform:services.web.deployment.testIngressCidrs[0]: "203.0.113.0/24" is a placeholder: '
            "203.0.113.0/24 is reserved for documentation (RFC 5737) and reaches no one (allowed: your own "
            "network's CIDR block; replace it in the stack file before deploying)") in problems


def test_the_program_knows_when_it_runs_under_the_mock_engine(monkeypatch) -> None:
    from pulumi.runtime import settings

    from ecs_platform import config

    seen: list[bool] = []
    run = run_program("dev", program=lambda: seen.append(config.engine_is_mocked()))
    assert run.error is None and seen == [True]
    monkeypatch.setattr(settings.SETTINGS, "monitor", object())  # a real engine's gRPC stub
    assert config.engine_is_mocked() is False


def test_values_of_your_own_are_no_placeholders() -> None:
    from ecs_platform import config

    cert = "arn:aws:acm:us-east-1:210987654321:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    raw = {"loadBalancer": {"certificateArn": cert}, "services": {"web": {
        "image": "210987654321.dkr.ecr.us-east-1.amazonaws.com/web:1.0", "user": "1000", "port": 8080,
        "routes": [{"hosts": ["www.example-shop.com"]}],
        # 203.0.114.0/24 borders TEST-NET-3 without being in it
        "deployment": {"strategy": "blueGreen", "testPort": 8443, "testIngressCidrs": ["203.0.114.0/24"]}}}}
    spec, _ = config.load(raw, stack="prod", region="us-east-1", account="210987654321", offline=False)
    assert spec.load_balancer.certificate_arn == cert


def test_a_certificate_of_another_account_is_refused_against_the_caller_identity() -> None:
    from ecs_platform.tools.mock_cloud import MockCloud

    run = run_program("prod", cloud=MockCloud(account_id="210987654321"))
    assert run.resources == []
    assert run.error.problems == [  # type: ignore[union-attr]
        'ecs-platform:loadBalancer.certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/'
        '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d" is in account 123456789012, not the stack\'s account 210987654321 '
        "(allowed: a certificate of account 210987654321; a load balancer uses certificates of its own account)"]


def test_the_certificate_account_is_not_checked_when_the_caller_is_unknown() -> None:
    from ecs_platform.specs import LoadBalancerSpec

    spec = LoadBalancerSpec(certificate_arn="arn:aws:acm:us-east-1:210987654321:certificate/"
                                            "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d")  # fmt: skip
    assert spec.region_problems("us-east-1") == []
    assert spec.region_problems("us-east-1", "210987654321") == []
    assert spec.region_problems("us-east-1", ACCOUNT)


# --- zones by ID -------------------------------------------------------------------------------

VPC = "awsx:ec2:Vpc"
#: Another account of the same region: AWS maps zone names to physical zones per account.
OTHER_ACCOUNT_ZONES = {"use1-az1": "us-east-1a", "use1-az2": "us-east-1b", "use1-az3": "us-east-1f",
                       "use1-az4": "us-east-1d", "use1-az5": "us-east-1e", "use1-az6": "us-east-1c"}  # fmt: skip


def test_zones_are_picked_by_zone_id_from_the_recorded_zone_lookup(prod: StackRun) -> None:
    [(token, args)] = [c for c in prod.cloud.calls if "getAvailabilityZones" in c[0]]
    assert token == "aws:index/getAvailabilityZones:getAvailabilityZones"
    assert args["state"] == "available"
    assert args["filters"] == [{"name": "opt-in-status", "values": ["opt-in-not-required"]}]
    # the lookup answers names and IDs; the stack takes the first IDs and asks awsx for their names
    assert prod.exports["zoneIds"] == ["use1-az1", "use1-az2", "use1-az3"]
    assert prod.one(VPC).inputs["availabilityZoneNames"] == ["us-east-1c", "us-east-1d", "us-east-1e"]
    private = prod.one("aws:ecs/service:Service", "ecs-web").inputs["networkConfiguration"]["subnets"]
    assert [prod.cloud.subnet_zone_ids[s] for s in private] == ["use1-az1", "use1-az2", "use1-az3"]


def test_the_same_stack_spreads_over_the_same_physical_zones_in_another_account(prod: StackRun) -> None:
    from ecs_platform.tools.mock_cloud import MockCloud

    other = run_program("prod", cloud=MockCloud(zones=OTHER_ACCOUNT_ZONES))
    assert other.error is None, other.error
    assert other.exports["zoneIds"] == prod.exports["zoneIds"]
    assert other.one(VPC).inputs["availabilityZoneNames"] == ["us-east-1a", "us-east-1b", "us-east-1f"]
    subnets = other.one(LB).inputs["subnets"]
    assert [other.cloud.subnet_zone_ids[s] for s in subnets] == ["use1-az1", "use1-az2", "use1-az3"]


def test_zone_ids_in_config_choose_the_zones_in_order_of_preference() -> None:
    run = run_program("prod", {"zoneIds": ["use1-az4", "use1-az6", "use1-az1", "use1-az2"]})
    assert run.error is None, run.error
    assert run.exports["zoneIds"] == ["use1-az4", "use1-az6", "use1-az1"]
    assert run.exports["zones"] == ["us-east-1a", "us-east-1b", "us-east-1c"]


@pytest.mark.parametrize(
    ("zone_ids", "expected"),
    [(["use1-az1", "use1-az9", "use1-az2"],
      'ecs-platform:zoneIds[1]: "use1-az9" is not a zone of us-east-1 (allowed: use1-az1, use1-az2, use1-az3, '
      "use1-az4, use1-az5, use1-az6)"),
     (["use1-az1", "use1-az2"],
      'ecs-platform:zoneIds: ["use1-az1", "use1-az2"] lists 2 zone(s), fewer than azCount 3 (allowed: at least '
      "azCount zone IDs)"),
     (["use1-az1", "use1-az2", "use1-az1"],
      'ecs-platform:zoneIds[2]: "use1-az1" is already listed (allowed: each zone once)'),
     (["us-east-1a", "use1-az2", "use1-az3"],
      'ecs-platform:zoneIds[0]: "us-east-1a" is not an availability zone ID (allowed: e.g. use1-az1, euw1-az2)')],
)  # fmt: skip
def test_bad_zone_ids_are_refused_before_anything_is_registered(zone_ids: list[str], expected: str) -> None:
    run = run_program("prod", {"zoneIds": zone_ids})
    assert run.resources == []
    assert run.error.problems == [expected]  # type: ignore[union-attr]


# --- KMS ---------------------------------------------------------------------------------------


def test_prod_creates_a_rotated_key_scoped_to_cloudwatch_logs_of_this_account_and_region(prod: StackRun) -> None:
    key = prod.one(KEY)
    assert key.inputs["enableKeyRotation"] is True and key.inputs["deletionWindowInDays"] == 30
    assert json.loads(key.inputs["policy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "AccountIamPolicies", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
             "Action": "kms:*", "Resource": "*"},
            {"Sid": "CloudWatchLogsOfThisAccountAndRegion", "Effect": "Allow",
             "Principal": {"Service": "logs.us-east-1.amazonaws.com"},
             "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
             "Resource": "*",
             "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn":
                                       f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:*"}}},
        ],
    }  # fmt: skip


def test_every_log_group_and_ecs_exec_use_the_key(prod: StackRun) -> None:
    arn = prod.one(KEY).outputs["arn"]
    assert {g.name: g.inputs.get("kmsKeyId") for g in prod.of_type(LOG_GROUP)} == {
        g.name: arn for g in prod.of_type(LOG_GROUP)}
    exec_cfg = prod.one("aws:ecs/cluster:Cluster").inputs["configuration"]["executeCommandConfiguration"]
    assert exec_cfg["kmsKeyId"] == arn


def test_a_task_with_exec_may_decrypt_with_the_key_and_nothing_else_gets_it() -> None:
    run = run_program("prod", {"services.web.exec": True, "services.web.readonlyRootFilesystem": False})
    assert run.error is None, run.error
    arn = run.one(KEY).outputs["arn"]
    web = json.loads(run.one("aws:iam/rolePolicy:RolePolicy", "ecs-web-roles-task-policy").inputs["policy"])
    assert {"Sid": "EcsExecSessionKey", "Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": arn} in web["Statement"]
    worker = run.one("aws:iam/rolePolicy:RolePolicy", "ecs-worker-roles-task-policy").inputs["policy"]
    assert "kms:" not in worker


def test_your_own_key_is_used_and_none_created() -> None:
    own = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    run = run_program("dev", {"kmsKey": own})
    assert run.error is None, run.error
    assert run.of_type(KEY) == []
    assert {g.inputs["kmsKeyId"] for g in run.of_type(LOG_GROUP)} == {own}


def test_dev_uses_aws_owned_keys_and_a_created_key_follows_log_retention(dev: StackRun) -> None:
    assert dev.of_type(KEY) == [] and all("kmsKeyId" not in g.inputs for g in dev.of_type(LOG_GROUP))
    run = run_program("dev", {"kmsKey": "create"})
    assert run.one(KEY).retain_on_delete is False  # dev keeps no logs, so no key either


@pytest.mark.parametrize(
    ("value", "expected"),
    [("arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
      'ecs-platform:kmsKey: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" is in '
      "eu-west-1, not the stack's region (allowed: a key in us-east-1, or create; CloudWatch Logs uses keys of its "
      "own region)"),
     ("alias/logs",
      'ecs-platform:kmsKey: "alias/logs" is not a KMS key (allowed: create, or a key ARN '
      "arn:aws:kms:<region>:<account>:key/<id>; CloudWatch Logs takes no alias)")],
)  # fmt: skip
def test_a_key_elsewhere_or_by_alias_is_refused(value: str, expected: str) -> None:
    run = run_program("dev", {"kmsKey": value})
    assert run.resources == []
    assert run.error.problems == [expected]  # type: ignore[union-attr]


# --- WAF ---------------------------------------------------------------------------------------

ACL = "aws:wafv2/webAcl:WebAcl"


def test_prod_puts_a_web_acl_with_aws_managed_rules_and_a_rate_limit_on_its_load_balancer(prod: StackRun) -> None:
    acl = prod.one(ACL).inputs
    assert (acl["scope"], acl["defaultAction"]) == ("REGIONAL", {"allow": {}})
    rules = sorted(acl["rules"], key=lambda r: r["priority"])
    managed = [(r["priority"], r["statement"]["managedRuleGroupStatement"], r["overrideAction"])
               for r in rules if "managedRuleGroupStatement" in r["statement"]]  # fmt: skip
    assert managed == [
        (0, {"vendorName": "AWS", "name": "AWSManagedRulesAmazonIpReputationList"}, {"none": {}}),
        (2, {"vendorName": "AWS", "name": "AWSManagedRulesCommonRuleSet"}, {"none": {}}),
        (3, {"vendorName": "AWS", "name": "AWSManagedRulesKnownBadInputsRuleSet"}, {"none": {}}),
    ]
    assert {m[1]["name"] for m in managed} == set(facts.WAF_MANAGED_RULE_GROUPS)
    [rate] = [r for r in rules if "rateBasedStatement" in r["statement"]]
    assert rate["statement"]["rateBasedStatement"] == {"limit": 2000, "aggregateKeyType": "IP", "evaluationWindowSec": 300}
    assert rate["action"] == {"block": {}}
    assert all(r["visibilityConfig"]["cloudwatchMetricsEnabled"] for r in rules)
    association = prod.one("aws:wafv2/webAclAssociation:WebAclAssociation").inputs
    assert association == {"resourceArn": prod.one(LB).outputs["arn"], "webAclArn": prod.one(ACL).outputs["arn"]}


def test_waf_logs_to_its_own_encrypted_log_group_without_credentials(prod: StackRun) -> None:
    group = prod.one(LOG_GROUP, "ecs-lb-waf-logs")
    assert group.inputs["namePrefix"].startswith(facts.WAF_LOG_GROUP_PREFIX)
    assert group.inputs["kmsKeyId"] == prod.one(KEY).outputs["arn"] and group.inputs["retentionInDays"] == 365
    logging = prod.one("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration").inputs
    assert logging["resourceArn"] == prod.one(ACL).outputs["arn"]
    assert logging["logDestinationConfigs"] == [group.outputs["arn"]]
    assert logging["redactedFields"] == [{"singleHeader": {"name": "authorization"}}, {"singleHeader": {"name": "cookie"}}]


def test_waf_logs_only_blocked_and_counted_requests_by_default(prod: StackRun) -> None:
    # WAFV2 LoggingFilter: keep the records whose action is BLOCK, COUNT or EXCLUDED_AS_COUNT (a rule
    # action override of Count), drop the rest: the log grows with attacks, not with traffic.
    logging = prod.one("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration").inputs
    assert logging["loggingFilter"] == {"defaultBehavior": "DROP", "filters": [{
        "behavior": "KEEP", "requirement": "MEETS_ANY",
        "conditions": [{"actionCondition": {"action": a}} for a in ("BLOCK", "COUNT", "EXCLUDED_AS_COUNT")]}]}  # fmt: skip


def test_waf_full_logging_is_a_choice_and_is_priced() -> None:
    from ecs_platform.tools.preview.cost import estimate

    run = run_program("prod", {"loadBalancer.waf.logRequests": "all"})
    assert run.error is None, run.error
    assert "loggingFilter" not in run.one("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration").inputs
    full = {line.item: line for line in estimate(run).lines}["WAF logs ecs-lb-waf-logging"]
    filtered = {line.item: line for line in estimate(stack_run("prod")).lines}["WAF logs ecs-lb-waf-logging"]
    # 10 million assumed requests of 2 KB at $0.50 per GB (vended logs), or the 1% blocked and counted
    assert round(full.desired, 2) == round(10_000_000 * 2 / 1024 / 1024 * 0.50, 2) == 9.54
    assert round(filtered.desired, 2) == 0.10
    refused = run_program("prod", {"loadBalancer.waf.logRequests": "blocked"})
    assert isinstance(refused.error, ConfigError) and refused.resources == []
    assert refused.error.problems == ['ecs-platform:loadBalancer.waf.logRequests: "blocked" is not allowed (allowed: '
                                      'blockedAndCounted, all)']  # fmt: skip


def test_waf_logs_of_a_region_without_a_price_are_reported_not_guessed(prod: StackRun) -> None:
    import copy

    from ecs_platform.tools.preview.cost import estimate, load_prices

    prices = copy.deepcopy(load_prices())
    del prices["regions"]["us-east-1"]["cloudwatch_vended_logs_gb"]
    est = estimate(prod, prices)
    assert est.problems == ["WAF log ingestion: no cloudwatch_vended_logs_gb price for us-east-1"]


def test_dev_has_no_waf(dev: StackRun) -> None:
    assert dev.of_type(ACL) == []


def test_the_rate_limit_is_what_waf_accepts() -> None:
    from ecs_platform.errors import ConfigError
    from ecs_platform.specs.load_balancer import WafSpec

    for ok in (10, 2_000_000_000):
        assert WafSpec(rate_limit=ok).rate_limit == ok
    for bad in (9, 2_000_000_001):
        with pytest.raises(ConfigError) as exc:
            WafSpec(rate_limit=bad)
        assert exc.value.problems == [f"WafSpec.rate_limit: {bad} is out of range (allowed: 10..2000000000)"]


def test_the_rate_limit_matches_the_waf_api_model() -> None:
    import botocore.session

    shape = botocore.session.get_session().get_service_model("wafv2").shape_for("RateLimit")
    assert (shape.metadata["min"], shape.metadata["max"]) == facts.WAF_RATE_LIMIT


# --- cost --------------------------------------------------------------------------------------


def test_the_cost_estimate_prices_the_key_and_the_web_acl(prod: StackRun) -> None:
    from ecs_platform.tools.preview.cost import estimate

    lines = {line.item: line for line in estimate(prod).lines}
    assert lines["KMS key ecs-cluster-key"].desired == 1.00
    assert lines["WAF ecs-lb-waf"].desired == 5.00 + 4 * 1.00
    assert lines["WAF ecs-lb-waf"].detail == "web ACL with 4 rules; requests excluded"


# --- the created VPC's guards: default security group closed, flow logs ----------------------

FLOW_LOG = "aws:ec2/flowLog:FlowLog"
DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"


def test_the_created_vpc_has_its_default_security_group_emptied(dev: StackRun) -> None:
    vpc_id = dev.one("awsx:ec2:Vpc").outputs["vpcId"]
    sg = dev.one(DEFAULT_SG)
    # No ingress or egress given: the provider removes every rule of the VPC's default group.
    assert sg.inputs["vpcId"] == vpc_id
    assert not sg.inputs.get("ingress") and not sg.inputs.get("egress")


def test_prod_logs_every_flow_of_its_vpc_with_a_scoped_role(prod: StackRun) -> None:
    vpc_id = prod.one("awsx:ec2:Vpc").outputs["vpcId"]
    group = prod.one(LOG_GROUP, "ecs-vpc-controls-flow-logs")
    role = prod.one(ROLE, "ecs-vpc-controls-flow-logs")
    flow = prod.one(FLOW_LOG).inputs
    assert {k: flow[k] for k in ("vpcId", "trafficType", "logDestinationType", "logDestination", "iamRoleArn")} == {
        "vpcId": vpc_id, "trafficType": "ALL", "logDestinationType": "cloud-watch-logs",
        "logDestination": group.outputs["arn"], "iamRoleArn": role.outputs["arn"]}  # fmt: skip
    assert group.inputs["retentionInDays"] == 365
    assert group.inputs["kmsKeyId"] == prod.one("aws:kms/key:Key").outputs["arn"]
    assert group.inputs["namePrefix"] == "/aws/vpc-flow-logs/ecs-platform-prod-"
    assert _statement(role.inputs) == DOCUMENTED["vpc-flow-logs"]
    statements = json.loads(prod.one("aws:iam/rolePolicy:RolePolicy", "ecs-vpc-controls-flow-logs").inputs["policy"])
    assert statements["Statement"] == [
        # DescribeLogGroups has no resource type: "*" is its only resource (issue 21).
        {"Sid": "FlowLogGroups", "Effect": "Allow", "Action": ["logs:DescribeLogGroups"], "Resource": "*"},
        {"Sid": "FlowLogWrite", "Effect": "Allow",
         "Action": ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
         "Resource": group.outputs["arn"] + ":*"},
    ]  # fmt: skip


def test_flow_logs_turned_off_are_recorded_on_the_vpc() -> None:
    run = run_program("dev", {"flowLogs": False})
    assert run.error is None, run.error
    assert run.of_type(FLOW_LOG) == [] and run.one(DEFAULT_SG)
    assert run.one("awsx:ec2:Vpc").inputs["tags"] == {"ecs-platform:waiver:EC2.6": "flowLogs: false"}


def test_an_adopted_vpc_is_left_to_its_owner() -> None:
    run = run_program("dev", {"vpc": {"vpcId": "vpc-0abc0abc0abc0abc0",
                                      "publicSubnetIds": ["subnet-00000000000000a01", "subnet-00000000000000a02"],
                                      "privateSubnetIds": ["subnet-00000000000000b01", "subnet-00000000000000b02"]}})  # fmt: skip
    assert run.error is None, run.error
    assert run.of_type(FLOW_LOG) == [] and run.of_type(DEFAULT_SG) == []
    assert not [r for r in run.resources if r.type == "ecs-platform:network:VpcControls"]


def test_large_bodies_can_be_counted_instead_of_blocked() -> None:
    run = run_program("prod", {"loadBalancer.waf.largeBodies": "count"})
    assert run.error is None, run.error
    [common] = [r["statement"]["managedRuleGroupStatement"] for r in run.one(ACL).inputs["rules"]
                if r["name"] == "AWSManagedRulesCommonRuleSet"]  # fmt: skip
    assert common["ruleActionOverrides"] == [{"name": "SizeRestrictions_BODY", "actionToUse": {"count": {}}}]
    refused = run_program("prod", {"loadBalancer.waf.largeBodies": "allow"})
    assert isinstance(refused.error, ConfigError) and refused.resources == []
    assert refused.error.problems == [
        'ecs-platform:loadBalancer.waf.largeBodies: "allow" is not allowed (allowed: block, count)']
