"""EBS task volumes (issue 22): the model's rules (ECS's ranges per volume type, where a volume can be
attached, one per task, none on a schedule), and what the program registers for a service and a job:
the task definition's volume configured at launch, the service's volume configuration, the
infrastructure role, the KMS grant, the pre-deploy run's and the run-task command's configuration."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ecs_platform.errors import ConfigError
from ecs_platform.predeploy import run_task_args
from ecs_platform.specs import EbsSpec
from ecs_platform.tools import policy_rules as rules
from ecs_platform.tools.mock_cloud import StackRun, run_program
from ecs_platform.tools.preview.cost import estimate, load_prices
from ecs_platform.tools.preview.cost_features import ebs_month
from tests.test_validation import config_problems, load

SERVICE = "aws:ecs/service:Service"
TASK = "aws:ecs/taskDefinition:TaskDefinition"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
P = "ecs-platform:services.db"


def db(ebs: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A service with one EBS volume ``data`` mounted at /data."""
    return {"services": {"db": {"image": "postgres:17", "user": "999:999", "port": 5432,
                                "volumes": {"data": {"ebs": ebs}}, "mounts": {"/data": "data"}, **fields}}}  # fmt: skip


def ok(run: StackRun) -> StackRun:
    assert run.error is None, run.error
    return run


# --- the model ------------------------------------------------------------------------------------

BAD: list[tuple[str, dict[str, Any], str]] = [
    ("gp3 too large", db({"sizeGiB": 16385}), f"{P}.volumes.data.ebs.sizeGiB: 16385 is out of range (allowed: 1..16384)"),
    ("io2 below 4 GiB", db({"sizeGiB": 2, "type": "io2", "iops": 100}),
     f"{P}.volumes.data.ebs.sizeGiB: 2 is out of range for io2 (allowed: 4..16384)"),
    ("st1 below 125 GiB", db({"sizeGiB": 100, "type": "st1"}),
     f"{P}.volumes.data.ebs.sizeGiB: 100 is out of range for st1 (allowed: 125..16384)"),
    ("standard above 1024 GiB", db({"sizeGiB": 2000, "type": "standard"}, launchType="EC2"),
     f"{P}.volumes.data.ebs.sizeGiB: 2000 is out of range for standard (allowed: 1..1024)"),
    ("unknown type", db({"sizeGiB": 10, "type": "gp4"}),
     f'{P}.volumes.data.ebs.type: "gp4" is not allowed (allowed: gp3, gp2, io1, io2, st1, sc1, standard)'),
    ("gp3 iops below its floor", db({"sizeGiB": 100, "iops": 2000}),
     f"{P}.volumes.data.ebs.iops: 2000 is out of range for gp3 (allowed: 3000..16000)"),
    ("gp3 iops above its ceiling", db({"sizeGiB": 100, "iops": 20000}),
     f"{P}.volumes.data.ebs.iops: 20000 is out of range for gp3 (allowed: 3000..16000)"),
    ("gp3 iops above 500 per GiB", db({"sizeGiB": 10, "iops": 6000}),
     f"{P}.volumes.data.ebs.iops: 6000 is more than 500 IOPS per GiB of a 10 GiB gp3 volume "
     "(allowed: up to 5000, or a larger sizeGiB)"),
    ("io1 above 50 per GiB", db({"sizeGiB": 100, "type": "io1", "iops": 6000}),
     f"{P}.volumes.data.ebs.iops: 6000 is more than 50 IOPS per GiB of a 100 GiB io1 volume "
     "(allowed: up to 5000, or a larger sizeGiB)"),
    ("io2 without iops", db({"sizeGiB": 100, "type": "io2"}),
     f"{P}.volumes.data.ebs.iops: null is missing (allowed: 100..256000; required for io2)"),
    ("iops on gp2", db({"sizeGiB": 100, "type": "gp2", "iops": 3000}),
     f"{P}.volumes.data.ebs.iops: 3000 is set on a gp2 volume, whose IOPS are not provisioned "
     "(allowed: iops on gp3, io1, io2 only)"),
    ("throughput on io2", db({"sizeGiB": 100, "type": "io2", "iops": 1000, "throughput": 200}),
     f"{P}.volumes.data.ebs.throughput: 200 is set on a io2 volume (allowed: throughput on gp3 only)"),
    ("throughput above 1000", db({"sizeGiB": 100, "throughput": 1200}),
     f"{P}.volumes.data.ebs.throughput: 1200 is out of range (allowed: 125..1000)"),
    ("throughput above 0.25 per IOPS", db({"sizeGiB": 100, "throughput": 800}),
     f"{P}.volumes.data.ebs.throughput: 800 MiB/s is more than 0.25 MiB/s per IOPS of 3000 IOPS "
     "(allowed: up to 750, or more iops)"),
    ("unknown filesystem", db({"sizeGiB": 10, "filesystem": "btrfs"}),
     f'{P}.volumes.data.ebs.filesystem: "btrfs" is not allowed (allowed: xfs, ext4, ext3)'),
    ("size missing", db({}), f"{P}.volumes.data.ebs.sizeGiB: missing (allowed: 1..16384)"),
    ("magnetic on Fargate", db({"sizeGiB": 10, "type": "standard"}),
     f'{P}.volumes.data.ebs.type: "standard" (magnetic) is not supported on Fargate '
     "(allowed: gp3, gp2, io1, io2, st1, sc1)"),
    ("on EXTERNAL", {"launchType": "EXTERNAL", "services": {"db": {
        "image": "postgres:17", "user": "999:999", "volumes": {"data": {"ebs": {"sizeGiB": 10}}},
        "mounts": {"/data": "data"}}}},
     f"{P}.volumes.data.ebs: is an EBS volume, and ECS attaches EBS volumes to tasks on FARGATE, FARGATE_SPOT, "
     "EC2, not EXTERNAL (allowed: a scratch volume, or run it on FARGATE or EC2)"),
    ("two EBS volumes", {"services": {"db": {
        "image": "postgres:17", "user": "999:999",
        "volumes": {"a": {"ebs": {"sizeGiB": 10}}, "b": {"ebs": {"sizeGiB": 10}}}, "mounts": {"/a": "a", "/b": "b"}}}},
     f"{P}.volumes.b: is a second EBS volume of the task (a, b) (allowed: one EBS volume per task: a task "
     "definition has at most one volume configured at launch)"),
    ("EBS and scratch in one volume", db({"sizeGiB": 10}) | {"services": {"db": {
        "image": "postgres:17", "user": "999:999", "volumes": {"data": {"ebs": {"sizeGiB": 10}, "scratch": {}}},
        "mounts": {"/data": "data"}}}},
     f'{P}.volumes.data: {{"ebs": {{"filesystem": "xfs", "sizeGiB": 10, "type": "gp3"}}, "scratch": {{}}}} is not '
     "one volume kind (allowed: {efs: {...}}, {scratch: {}} or {ebs: {sizeGiB: ...}})"),
    ("on a scheduled job", {"jobs": {"nightly": {
        "image": "busybox", "user": "1000", "schedule": "cron(0 3 * * ? *)",
        "volumes": {"work": {"ebs": {"sizeGiB": 50}}}, "mounts": {"/work": "work"}}}},
     "ecs-platform:jobs.nightly.volumes.work.ebs: is an EBS volume on a scheduled job, and EventBridge Scheduler's "
     "ECS target cannot pass the volume configuration RunTask needs for it (allowed: a scratch or EFS volume, "
     "ephemeralStorageGiB on Fargate, or runBefore / on-demand runs with EBS)"),
]  # fmt: skip


@pytest.mark.parametrize(("overrides", "expected"), [pytest.param(o, e, id=i) for i, o, e in BAD])
def test_each_ebs_rule_names_the_key_the_value_and_what_is_allowed(overrides: dict[str, Any], expected: str) -> None:
    assert config_problems(overrides) == [expected]


@pytest.mark.parametrize(
    "ebs",
    [{"sizeGiB": 1}, {"sizeGiB": 16384}, {"sizeGiB": 32, "iops": 16000, "throughput": 1000},
     {"sizeGiB": 4, "type": "io2", "iops": 4000}, {"sizeGiB": 256, "type": "io2", "iops": 256000},
     {"sizeGiB": 125, "type": "sc1"}, {"sizeGiB": 10, "type": "gp2", "filesystem": "ext4"}],
    ids=["1 GiB", "16 TiB", "gp3 at its ceilings", "io2 at 1000 per GiB", "io2 at 256000", "sc1 at 125", "gp2 ext4"],
)  # fmt: skip
def test_ebs_edges_are_accepted(ebs: dict[str, Any]) -> None:
    spec, _ = load(db(ebs))
    volume = spec.services["db"].volumes["data"].ebs
    assert volume is not None and volume.size_gib == ebs["sizeGiB"]


def test_magnetic_volumes_are_accepted_on_ec2() -> None:
    spec, _ = load(db({"sizeGiB": 10, "type": "standard"}, launchType="EC2") | {"launchType": "EC2"})
    assert spec.services["db"].volumes["data"].ebs == EbsSpec(size_gib=10, type="standard")


def test_a_bad_volume_registers_nothing_and_reports_every_problem() -> None:
    run = run_program("dev", db({"sizeGiB": 0, "type": "io1"}))
    assert isinstance(run.error, ConfigError), run.error
    assert run.resources == []
    assert run.error.problems == [
        f"{P}.volumes.data.ebs.sizeGiB: 0 is out of range (allowed: 1..16384)",
    ]


def test_the_python_spec_says_the_same_with_python_names() -> None:
    with pytest.raises(ConfigError) as exc:
        EbsSpec(size_gib=100, type="io2")
    assert exc.value.problems == ["EbsSpec.iops: null is missing (allowed: 100..256000; required for io2)"]


# --- a service with an EBS volume ----------------------------------------------------------------


@pytest.fixture(scope="module")
def with_key() -> StackRun:
    return ok(run_program("dev", {"kmsKey": "create", **db({"sizeGiB": 100, "iops": 6000, "throughput": 250},
                                                           desiredCount=2)}))  # fmt: skip


@pytest.fixture(scope="module")
def without_key() -> StackRun:
    return ok(run_program("dev", db({"sizeGiB": 200, "type": "io2", "iops": 8000, "filesystem": "ext4"})))


def test_the_task_definition_configures_the_volume_at_launch(with_key: StackRun) -> None:
    assert with_key.one(TASK).inputs["volumes"] == [{"name": "data", "configureAtLaunch": True}]


def test_the_service_creates_an_encrypted_volume_per_task_with_the_stack_key(with_key: StackRun) -> None:
    key = with_key.one("aws:kms/key:Key").outputs["arn"]
    role = with_key.one(ROLE, "ecs-db-ebs-infrastructure").outputs["arn"]
    assert with_key.one(SERVICE).inputs["volumeConfiguration"] == {"name": "data", "managedEbsVolume": {
        "roleArn": role, "encrypted": True, "kmsKeyId": key, "sizeInGb": 100, "volumeType": "gp3", "iops": 6000,
        "throughput": 250, "fileSystemType": "xfs",
        "tagSpecifications": [{"resourceType": "volume", "propagateTags": "SERVICE"}]}}  # fmt: skip


def test_without_a_stack_key_the_volume_is_encrypted_with_the_account_default(without_key: StackRun) -> None:
    ebs = without_key.one(SERVICE).inputs["volumeConfiguration"]["managedEbsVolume"]
    assert ebs["encrypted"] is True and "kmsKeyId" not in ebs
    assert (ebs["volumeType"], ebs["iops"], ebs["fileSystemType"]) == ("io2", 8000, "ext4")
    assert [r.name for r in without_key.of_type(ROLE_POLICY) if "ebs" in r.name] == []


def test_the_infrastructure_role_trusts_ecs_and_holds_the_volumes_policy(with_key: StackRun) -> None:
    trust = json.loads(with_key.one(ROLE, "ecs-db-ebs-infrastructure").inputs["assumeRolePolicy"])
    assert trust["Statement"] == [{"Effect": "Allow", "Principal": {"Service": "ecs.amazonaws.com"},
                                   "Action": "sts:AssumeRole"}]  # fmt: skip
    attached = with_key.one(ATTACHMENT, "ecs-db-ebs-infrastructure-volumes").inputs["policyArn"]
    assert attached == "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes"


def test_the_role_may_use_exactly_the_stack_key_through_ec2(with_key: StackRun) -> None:
    key = with_key.one("aws:kms/key:Key").outputs["arn"]
    doc = json.loads(with_key.one(ROLE_POLICY, "ecs-db-ebs-key").inputs["policy"])
    assert {st["Sid"]: (st["Resource"], st["Condition"]) for st in doc["Statement"]} == {
        "EbsVolumeKey": (key, {"StringEquals": {"kms:ViaService": "ec2.us-east-1.amazonaws.com"}}),
        "EbsVolumeKeyGrants": (key, {"StringEquals": {"kms:ViaService": "ec2.us-east-1.amazonaws.com"},
                                     "Bool": {"kms:GrantIsForAWSResource": "true"}}),
    }  # fmt: skip


def test_a_non_root_writer_gets_the_volume_opened_by_volume_init(with_key: StackRun) -> None:
    containers = json.loads(with_key.one(TASK).inputs["containerDefinitions"])
    init = next(c for c in containers if c["name"] == "volume-init")
    assert init["command"] == ["chmod", "1777", "/volumes/data"]
    db_container = next(c for c in containers if c["name"] == "db")
    assert {"containerName": "volume-init", "condition": "SUCCESS"} in db_container["dependsOn"]
    assert db_container["mountPoints"] == [{"sourceVolume": "data", "containerPath": "/data", "readOnly": False}]


def test_the_service_role_arn_waits_for_its_policies(with_key: StackRun) -> None:
    svc = with_key.one(SERVICE)
    deps = set(svc.dependencies)
    assert with_key.one(ATTACHMENT, "ecs-db-ebs-infrastructure-volumes").urn in deps
    assert with_key.one(ROLE_POLICY, "ecs-db-ebs-key").urn in deps


def test_the_preview_shows_and_prices_the_volume(with_key: StackRun) -> None:
    from ecs_platform.tools.preview.report import tree_lines

    assert any("EBS volume data per task: 100 GiB gp3 (6000 IOPS, 250 MiB/s) xfs, encrypted with KMS key" in line
               for line in tree_lines(with_key))  # fmt: skip
    line = next(c for c in estimate(with_key).lines if c.item == "EBS ecs-db")
    # 100 GiB x 0.08 + 3000 IOPS above the baseline x 0.005 + 125 MiB/s above it x 0.04, per task, 2 tasks
    assert (round(line.desired, 2), round(line.maximum, 2)) == (56.0, 56.0)


def test_io2_iops_are_priced_in_tiers() -> None:
    prices = load_prices()["regions"]["us-east-1"]["ebs"]
    volume = {"volumeType": "io2", "sizeInGb": 100, "iops": 40000}
    assert ebs_month(volume, prices) == pytest.approx(100 * 0.125 + 32000 * 0.065 + 8000 * 0.0455)


def test_a_volume_type_the_region_s_prices_lack_is_reported_as_not_priced() -> None:
    # AWS's EBS price data (2024-07) has no io2 for sa-east-1; eu-west-1 prices it.
    assert "io2_gb_month" not in load_prices()["regions"]["sa-east-1"]["ebs"]
    volume = db({"sizeGiB": 100, "type": "io2", "iops": 1000})
    run = ok(run_program("dev", {"aws:region": "sa-east-1", **volume}))
    assert any("no EBS price for io2" in p for p in estimate(run).problems)
    est = estimate(ok(run_program("dev", {"aws:region": "eu-west-1", **volume})))
    assert est.problems == [] and any(c.item == "EBS ecs-db" for c in est.lines)
    prices = load_prices()["regions"]["eu-west-1"]["ebs"]
    assert ebs_month({"volumeType": "io2", "sizeInGb": 100, "iops": 1000}, prices) == pytest.approx(
        100 * 0.138 + 1000 * 0.072)  # fmt: skip


def test_the_policy_pack_refuses_an_unencrypted_task_volume(with_key: StackRun) -> None:
    rule = next(r for r in rules.RESOURCE_RULES if r.name == "ecs-ebs-encrypted")
    props = with_key.one(SERVICE).inputs
    assert rule.violations(SERVICE, props) == []
    off = {**props, "volumeConfiguration": {**props["volumeConfiguration"], "managedEbsVolume": {
        **props["volumeConfiguration"]["managedEbsVolume"], "encrypted": False}}}  # fmt: skip
    assert rule.violations(SERVICE, off) == ["the EBS volume data of the service's tasks is not encrypted"]


# --- jobs -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def jobs() -> StackRun:
    return ok(run_program("dev", {"kmsKey": "create", "services": {"web": {"image": "nginx", "user": "1000"}},
                                  "jobs": {"migrate": {"image": "busybox", "user": "1000", "runBefore": ["web"],
                                                       "volumes": {"work": {"ebs": {"sizeGiB": 50}}},
                                                       "mounts": {"/work": "work"}}}}))  # fmt: skip


def test_a_pre_deploy_run_configures_the_jobs_volume(jobs: StackRun) -> None:
    run = next(r for r in jobs.resources if r.type.endswith("PreDeployRun"))
    role = jobs.one(ROLE, "ecs-migrate-ebs-infrastructure").outputs["arn"]
    key = jobs.one("aws:kms/key:Key").outputs["arn"]
    assert run.inputs["volumeConfigurations"] == [{"name": "work", "managedEBSVolume": {
        "encrypted": True, "volumeType": "gp3", "sizeInGiB": 50, "filesystemType": "xfs", "roleArn": role,
        "kmsKeyId": key, "terminationPolicy": {"deleteOnTermination": True},
        "tagSpecifications": [{"resourceType": "volume", "propagateTags": "TASK_DEFINITION"}]}}]  # fmt: skip


def test_run_task_gets_integers_for_the_volume_as_the_engine_sends_floats() -> None:
    args = run_task_args({"cluster": "c", "taskDefinitionArn": "t", "volumeConfigurations": [
        {"name": "work", "managedEBSVolume": {"sizeInGiB": 50.0, "iops": 4000.0, "throughput": 200.0,
                                              "volumeType": "gp3", "roleArn": "r"}}]})  # fmt: skip
    managed = args["volumeConfigurations"][0]["managedEBSVolume"]
    assert (managed["sizeInGiB"], managed["iops"], managed["throughput"]) == (50, 4000, 200)
    assert all(type(managed[k]) is int for k in ("sizeInGiB", "iops", "throughput"))


def test_the_run_task_command_passes_the_volume(jobs: StackRun) -> None:
    command = jobs.exports["jobs"]["migrate"]["runTaskCommand"]
    assert "--volume-configurations" in command
    assert '"name":"work"' in command and '"sizeInGiB":50' in command
