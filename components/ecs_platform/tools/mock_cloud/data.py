"""The mock account: its id, partition, zones per region and the AWS-owned accounts the
program refers to."""

from __future__ import annotations

from ecs_platform import facts

ACCOUNT_ID = "123456789012"
PARTITION = "aws"

#: Zones per region of the mock account, zone ID -> zone name, as `aws ec2
#: describe-availability-zones` lists them (opt-in-not-required zones only). AWS maps zone
#: names to physical zones per account, so like a real account's these do not run in ID order
#: (us-east-1a is use1-az4 here); zone IDs are the same in every account.
REGION_ZONES: dict[str, dict[str, str]] = {
    "us-east-1": {"use1-az4": "us-east-1a", "use1-az6": "us-east-1b", "use1-az1": "us-east-1c",
                  "use1-az2": "us-east-1d", "use1-az3": "us-east-1e", "use1-az5": "us-east-1f"},
    "us-east-2": {"use2-az1": "us-east-2a", "use2-az2": "us-east-2b", "use2-az3": "us-east-2c"},
    "us-west-2": {"usw2-az2": "us-west-2a", "usw2-az1": "us-west-2b", "usw2-az3": "us-west-2c",
                  "usw2-az4": "us-west-2d"},
    "eu-west-1": {"euw1-az3": "eu-west-1a", "euw1-az1": "eu-west-1b", "euw1-az2": "eu-west-1c"},
    "eu-central-1": {"euc1-az2": "eu-central-1a", "euc1-az3": "eu-central-1b", "euc1-az1": "eu-central-1c"},
    "ap-southeast-2": {"apse2-az3": "ap-southeast-2a", "apse2-az1": "ap-southeast-2b",
                       "apse2-az2": "ap-southeast-2c"},
    "eu-central-2": {"euc2-az1": "eu-central-2a", "euc2-az2": "eu-central-2b", "euc2-az3": "eu-central-2c"},
}  # fmt: skip


#: Elastic Load Balancing's log delivery accounts (AWS docs, "Enable access logs").
ELB_LOG_ACCOUNTS = {
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-2": "797873946194",
    "eu-west-1": "156460612806",
    "eu-central-1": "054676820928",
    "ap-southeast-2": "783225319266",
}


def region_zones(region: str) -> dict[str, str] | None:
    """The zone ID -> zone name map of ``region``: :data:`REGION_ZONES`'s, or three zones for
    any other real region; None for a name that is no region."""
    if region in REGION_ZONES:
        return dict(REGION_ZONES[region])
    if region not in facts.PARTITION_OF_REGION:
        return None
    head, area, number = region.split("-")[0], region.split("-")[1], region.rsplit("-", 1)[-1]
    return {f"{head}{area[0]}{number}-az{i + 1}": f"{region}{z}" for i, z in enumerate("abc")}
