"""EFS volumes on a real account: one mount target per zone, the stack's key, lifecycle and
retention."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from ecs_platform.tools.mock_cloud import MockCloud, StackRun, run_program

FS = "aws:efs/fileSystem:FileSystem"
MOUNT_TARGET = "aws:efs/mountTarget:MountTarget"
PUBLIC = ["subnet-00000000000000a01", "subnet-00000000000000a02"]
#: An adopted VPC with two private subnets in use1-az1 and one in use1-az2.
PRIVATE = ["subnet-00000000000000b01", "subnet-00000000000000b02", "subnet-00000000000000b03"]
SUBNET_ZONES = {PUBLIC[0]: "use1-az1", PUBLIC[1]: "use1-az2",
                PRIVATE[0]: "use1-az1", PRIVATE[1]: "use1-az1", PRIVATE[2]: "use1-az2"}  # fmt: skip
ADOPTED: dict[str, Any] = {"vpc": {"vpcId": "vpc-0abc0abc0abc0abc0", "publicSubnetIds": PUBLIC,
                                   "privateSubnetIds": PRIVATE}}  # fmt: skip


def adopted(overrides: dict[str, Any] | None = None, subnets: dict[str, str] | None = None) -> StackRun:
    cloud = MockCloud(existing_subnets=SUBNET_ZONES if subnets is None else subnets,
                      vpcs={ADOPTED["vpc"]["vpcId"]: "10.20.0.0/16"})
    return run_program("prod", {**ADOPTED, **(overrides or {})}, cloud=cloud)


def test_an_adopted_vpc_with_two_private_subnets_in_one_zone_gets_one_mount_target_per_zone() -> None:
    run = adopted()
    assert run.error is None, run.error
    targets = run.of_type(MOUNT_TARGET)
    assert [t.inputs["subnetId"] for t in targets] == [PRIVATE[0], PRIVATE[2]]
    assert [t.name for t in targets] == ["ecs-api-uploads-mt-0", "ecs-api-uploads-mt-1"]
    looked_up = [args["id"] for token, args in run.cloud.calls if token == "aws:ec2/getSubnet:getSubnet"]
    assert looked_up == PRIVATE
    # Tasks still run in every private subnet; the zone's mount target serves them all.
    service = run.one("aws:ecs/service:Service", "ecs-api")
    assert service.inputs["networkConfiguration"]["subnets"] == PRIVATE


def test_the_mock_refuses_a_second_mount_target_in_a_zone_as_efs_does() -> None:
    cloud = MockCloud(existing_subnets=SUBNET_ZONES)

    def target(name: str, subnet: str) -> pulumi.runtime.MockResourceArgs:
        return pulumi.runtime.MockResourceArgs(typ=MOUNT_TARGET, name=name, inputs={"fileSystemId": "fs-1",
                                               "subnetId": subnet}, provider="", resource_id="", custom=True)  # fmt: skip

    cloud.new_resource(target("mt-0", PRIVATE[0]))
    cloud.new_resource(target("mt-1", PRIVATE[2]))
    with pytest.raises(ValueError, match="MountTargetConflict"):
        cloud.new_resource(target("mt-2", PRIVATE[1]))


def test_an_unknown_subnet_fails_loudly() -> None:
    run = adopted(subnets={PUBLIC[0]: "use1-az1", PUBLIC[1]: "use1-az2"})
    assert run.of_type(MOUNT_TARGET) == []
    assert "InvalidSubnetID.NotFound" in str(run.error) and PRIVATE[0] in str(run.error)


def test_a_created_vpc_needs_no_subnet_lookup(prod: StackRun) -> None:
    assert not [c for c, _ in prod.cloud.calls if c == "aws:ec2/getSubnet:getSubnet"]
    zones = [prod.cloud.subnet_zone_ids[t.inputs["subnetId"]] for t in prod.of_type(MOUNT_TARGET)]
    assert zones == ["use1-az1", "use1-az2", "use1-az3"]


# --- the stack's key, lifecycle, retention -------------------------------------------------------


def test_a_created_file_system_is_encrypted_with_the_stack_s_key(prod: StackRun) -> None:
    fs = prod.one(FS, "ecs-api-uploads-fs")
    assert fs.inputs["kmsKeyId"] == prod.one("aws:kms/key:Key").outputs["arn"]


def test_a_live_file_system_keeps_its_key_when_kms_key_changes(prod: StackRun) -> None:
    # EFS cannot re-key a file system; a key change must not replace it (and its data).
    assert prod.one(FS, "ecs-api-uploads-fs").ignore_changes == ["kmsKeyId"]


def test_your_own_key_is_used_as_given() -> None:
    key = "arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    run = run_program("prod", {"kmsKey": key})
    assert run.error is None, run.error
    assert run.one(FS).inputs["kmsKeyId"] == key


def test_without_a_stack_key_efs_uses_aws_s_own() -> None:
    run = run_program("prod", {"kmsKey": None})
    assert run.error is None, run.error
    assert "kmsKeyId" not in run.one(FS).inputs and run.one(FS).inputs["encrypted"] is True


def test_files_move_to_infrequent_access_after_30_days_by_default(prod: StackRun) -> None:
    assert prod.one(FS).inputs["lifecyclePolicies"] == [{"transitionToIa": "AFTER_30_DAYS"}]


@pytest.mark.parametrize(("days", "rule"), [(1, "AFTER_1_DAY"), (90, "AFTER_90_DAYS"), (365, "AFTER_365_DAYS")])
def test_the_lifecycle_takes_efs_s_values(days: int, rule: str) -> None:
    run = run_program("prod", {"services.api.volumes.uploads.efs.infrequentAccessAfterDays": days})
    assert run.error is None, run.error
    assert run.one(FS).inputs["lifecyclePolicies"] == [{"transitionToIa": rule}]


def test_other_lifecycle_values_are_refused_before_anything_is_registered() -> None:
    run = run_program("prod", {"services.api.volumes.uploads.efs.infrequentAccessAfterDays": 45})
    assert run.resources == []
    assert run.error.problems == [  # type: ignore[union-attr]
        "ecs-platform:services.api.volumes.uploads.efs.infrequentAccessAfterDays: 45 is not allowed (allowed: 1, 7, "
        "14, 30, 60, 90, 180, 270, 365)"]


def test_the_lifecycle_values_are_botocore_s() -> None:
    import botocore.session

    from ecs_platform import facts

    enum = botocore.session.get_session().get_service_model("efs").shape_for("TransitionToIARules").enum
    assert sorted(enum) == sorted(f"AFTER_{d}_DAY{'S' if d > 1 else ''}" for d in facts.EFS_TRANSITION_TO_IA_DAYS)


def test_the_file_system_is_kept_on_destroy_exactly_when_logs_are(prod: StackRun) -> None:
    assert prod.one(FS).retain_on_delete is True  # prod: retainLogsOnDelete: true
    run = run_program("prod", {"retainLogsOnDelete": False})
    assert run.error is None, run.error
    assert run.one(FS).retain_on_delete is False


def test_an_adopted_file_system_keeps_its_own_lifecycle() -> None:
    from ecs_platform.errors import ConfigError
    from ecs_platform.specs.task import EfsSpec

    with pytest.raises(ConfigError) as caught:
        EfsSpec(file_system_id="fs-0123456789abcdef0", access_point_id="fsap-0123456789abcdef0",
                infrequent_access_after_days=7)  # fmt: skip
    assert caught.value.problems == [
        "EfsSpec.infrequent_access_after_days: is set on an adopted file system, whose lifecycle policy is its own "
        "(allowed: infrequentAccessAfterDays only on a created volume)"]
