"""Zones on a real account: AWS's zone IDs per region, and the zones Fargate runs tasks in
(https://docs.aws.amazon.com/AmazonECS/latest/developerguide/AWS_Fargate-Regions.html)."""

from __future__ import annotations

from typing import Any

import pytest

from ecs_platform import facts
from ecs_platform.specs import PlatformSpec
from ecs_platform.specs.platform import StackContext, context_problems
from ecs_platform.tools.mock_cloud import REGION_ZONES, MockCloud, StackRun, region_zones, run_program

VPC = "awsx:ec2:Vpc"
NS = "ecs-platform:"
#: A Tokyo account opened before apne1-az3 was constrained: it still lists that zone, in which
#: Fargate runs no tasks.
OLD_TOKYO = {"apne1-az3": "ap-northeast-1b", "apne1-az4": "ap-northeast-1a", "apne1-az1": "ap-northeast-1c",
             "apne1-az2": "ap-northeast-1d"}  # fmt: skip
#: A us-west-1 account that has usw1-az2 (no Fargate there) and usw1-az3.
OLD_CALIFORNIA = {"usw1-az2": "us-west-1a", "usw1-az3": "us-west-1b"}


def dev_in(region: str, extra: dict[str, Any] | None = None, *, cloud: MockCloud | None = None) -> StackRun:
    overrides = {"aws:region": region, "loadBalancer": {"allowPlainHttp": True}, **(extra or {})}
    return run_program("dev", overrides, cloud=cloud or MockCloud(region=region))


def private_zone_ids(run: StackRun) -> list[str]:
    subnets = run.one("aws:ecs/service:Service", "ecs-web").inputs["networkConfiguration"]["subnets"]
    return [run.cloud.subnet_zone_ids[s] for s in subnets]


def test_the_fargate_table_is_aws_s() -> None:
    assert facts.FARGATE_ZONE_IDS == {
        "us-west-1": ("usw1-az1", "usw1-az3"),
        "ap-northeast-1": ("apne1-az1", "apne1-az2", "apne1-az4"),
        "cn-north-1": ("cnn1-az1", "cnn1-az2"),
    }
    assert "AWS_Fargate-Regions" in facts.FARGATE_ZONES_SOURCE
    assert facts.fargate_zone_ids("ap-northeast-1", ["apne1-az1", "apne1-az3", "apne1-az4"]) == ("apne1-az1",
                                                                                                 "apne1-az4")
    assert facts.fargate_zone_ids("eu-west-1", ["euw1-az2", "euw1-az1"]) == ("euw1-az2", "euw1-az1")


def test_the_mock_account_has_aws_s_zone_ids() -> None:
    assert sorted(REGION_ZONES["ap-northeast-1"]) == ["apne1-az1", "apne1-az2", "apne1-az4"]
    assert sorted(REGION_ZONES["us-west-1"]) == ["usw1-az1", "usw1-az3"]
    for region, zones in REGION_ZONES.items():
        # Names map to IDs per account; in the mock, as in a real old account, not in ID order.
        assert all(name.startswith(region) for name in zones.values())
        assert len(set(zones.values())) == len(zones)


def test_the_mock_invents_no_zones_for_a_region_it_does_not_know() -> None:
    assert region_zones("af-south-1") is None
    assert region_zones("us-east-7") is None
    run = dev_in("af-south-1")
    assert run.resources == []
    assert "no zones for region 'af-south-1'" in str(run.error)


def test_tokyo_spreads_over_its_three_zone_ids() -> None:
    run = dev_in("ap-northeast-1", {"azCount": 3})
    assert run.error is None, run.error
    assert run.exports["zoneIds"] == ["apne1-az1", "apne1-az2", "apne1-az4"]
    assert run.one(VPC).inputs["availabilityZoneNames"] == ["ap-northeast-1c", "ap-northeast-1d", "ap-northeast-1a"]
    assert private_zone_ids(run) == ["apne1-az1", "apne1-az2", "apne1-az4"]


def test_an_older_tokyo_account_spreads_fargate_tasks_past_the_zone_fargate_does_not_run_in() -> None:
    run = dev_in("ap-northeast-1", {"azCount": 3}, cloud=MockCloud(region="ap-northeast-1", zones=OLD_TOKYO))
    assert run.error is None, run.error
    # In ID order apne1-az3 would be third; Fargate runs no tasks there.
    assert run.exports["zoneIds"] == ["apne1-az1", "apne1-az2", "apne1-az4"]
    assert private_zone_ids(run) == ["apne1-az1", "apne1-az2", "apne1-az4"]


def test_ec2_only_stacks_may_use_every_zone_of_the_account() -> None:
    run = dev_in("ap-northeast-1", {"azCount": 4, "launchType": "EC2"},
                 cloud=MockCloud(region="ap-northeast-1", zones=OLD_TOKYO))  # fmt: skip
    assert run.error is None, run.error
    assert run.exports["zoneIds"] == ["apne1-az1", "apne1-az2", "apne1-az3", "apne1-az4"]


def test_us_west_1_accounts_have_two_zones() -> None:
    run = dev_in("us-west-1")
    assert run.error is None, run.error
    assert run.exports["zoneIds"] == ["usw1-az1", "usw1-az3"]
    assert private_zone_ids(run) == ["usw1-az1", "usw1-az3"]
    refused = dev_in("us-west-1", {"azCount": 3})
    assert refused.resources == []
    assert refused.error.problems == [  # type: ignore[union-attr]
        f"{NS}azCount: 3 is more zones than the region has (allowed: 1..2; zones: usw1-az1, usw1-az3)"]


def test_an_account_with_a_zone_fargate_skips_has_fewer_zones_for_fargate() -> None:
    refused = dev_in("us-west-1", cloud=MockCloud(region="us-west-1", zones=OLD_CALIFORNIA))
    assert refused.resources == []
    [problem] = refused.error.problems  # type: ignore[union-attr]
    assert problem.startswith(f"{NS}azCount: 2 is more zones Fargate runs tasks in, in us-west-1 (allowed: 1..1; "
                              "zones: usw1-az3; Fargate runs tasks only in these zones of us-west-1 (https://docs.aws."
                              "amazon.com/AmazonECS/latest/developerguide/AWS_Fargate-Regions.html) and services.web "
                              "runs on Fargate)")  # fmt: skip


@pytest.mark.parametrize("launch_type", ["FARGATE", "FARGATE_SPOT"])
def test_zone_ids_fargate_does_not_run_in_are_refused_naming_the_key(launch_type: str) -> None:
    zone_ids = ["apne1-az1", "apne1-az3", "apne1-az4"]
    run = dev_in("ap-northeast-1", {"zoneIds": zone_ids, "launchType": launch_type},
                 cloud=MockCloud(region="ap-northeast-1", zones=OLD_TOKYO))  # fmt: skip
    assert run.resources == []
    assert run.error.problems == [  # type: ignore[union-attr]
        f'{NS}zoneIds[1]: "apne1-az3" is a zone Fargate does not run tasks in (allowed: apne1-az1, apne1-az2, '
        "apne1-az4; Fargate runs tasks only in these zones of ap-northeast-1 (https://docs.aws.amazon.com/AmazonECS/"
        "latest/developerguide/AWS_Fargate-Regions.html) and services.web runs on Fargate)"]


def test_the_rule_is_the_model_s_and_names_a_fargate_job_too() -> None:
    spec = PlatformSpec.parse({"launchType": "EC2", "zoneIds": ["apne1-az3", "apne1-az1", "apne1-az2"],
                               "services": {"web": {"image": "nginx:1", "port": 8080, "user": "1:1"}},
                               "jobs": {"nightly": {"image": "busybox:1", "user": "1:1",
                                                    "launchType": "FARGATE"}}}, NS)  # fmt: skip
    context = StackContext(project="ecs-platform", stack="dev", region="ap-northeast-1", zones=OLD_TOKYO)
    assert spec.fargate_tasks() == [("jobs", "nightly")]
    [(loc, message)] = context_problems(spec, context)
    assert loc == ("zoneIds", 0)
    assert message.endswith("and jobs.nightly runs on Fargate)")
    ec2_only = spec.model_copy(update={"jobs": {}})
    assert context_problems(ec2_only, context) == []
