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
    cloud = MockCloud(existing_subnets=SUBNET_ZONES if subnets is None else subnets)
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
