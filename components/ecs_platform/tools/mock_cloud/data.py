"""The mock account: its id, partition, zones per region and the AWS-owned accounts the
program refers to."""

from __future__ import annotations

ACCOUNT_ID = "123456789012"
PARTITION = "aws"

#: Zones per region of the mock account, zone ID -> zone name, as `aws ec2
#: describe-availability-zones` lists them (opt-in-not-required zones only). The zone IDs are
#: AWS's, per region, from "AWS Availability Zones"
#: (https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html),
#: without the constrained zones an account opened today does not get (usw1-az2, apne1-az3: so
#: us-west-1 accounts have two zones and Tokyo's are apne1-az1, apne1-az2, apne1-az4); us-east-1
#: keeps use1-az3, which accounts opened before it was constrained still list. AWS maps zone
#: names to physical zones per account in its regions opened before November 2012 ("AZ IDs",
#: https://docs.aws.amazon.com/global-infrastructure/latest/regions/az-ids.html), so like a
#: real account's these deliberately do not run in ID order (us-east-1a is use1-az4 here);
#: zone IDs are the same in every account. A region missing here has no zones in the mock.
REGION_ZONES: dict[str, dict[str, str]] = {
    "us-east-1": {"use1-az4": "us-east-1a", "use1-az6": "us-east-1b", "use1-az1": "us-east-1c",
                  "use1-az2": "us-east-1d", "use1-az3": "us-east-1e", "use1-az5": "us-east-1f"},
    "us-east-2": {"use2-az1": "us-east-2a", "use2-az2": "us-east-2b", "use2-az3": "us-east-2c"},
    "us-west-1": {"usw1-az3": "us-west-1b", "usw1-az1": "us-west-1c"},
    "us-west-2": {"usw2-az2": "us-west-2a", "usw2-az1": "us-west-2b", "usw2-az3": "us-west-2c",
                  "usw2-az4": "us-west-2d"},
    "ap-northeast-1": {"apne1-az4": "ap-northeast-1a", "apne1-az1": "ap-northeast-1c",
                       "apne1-az2": "ap-northeast-1d"},
    "eu-west-1": {"euw1-az3": "eu-west-1a", "euw1-az1": "eu-west-1b", "euw1-az2": "eu-west-1c"},
    "eu-central-1": {"euc1-az2": "eu-central-1a", "euc1-az3": "eu-central-1b", "euc1-az1": "eu-central-1c"},
    "ap-southeast-2": {"apse2-az3": "ap-southeast-2a", "apse2-az1": "ap-southeast-2b",
                       "apse2-az2": "ap-southeast-2c"},
    "eu-north-1": {"eun1-az1": "eu-north-1a", "eun1-az2": "eu-north-1b", "eun1-az3": "eu-north-1c"},
    "eu-central-2": {"euc2-az1": "eu-central-2a", "euc2-az2": "eu-central-2b", "euc2-az3": "eu-central-2c"},
    # The regions the preview prices (prices.json). Regions opened after November 2012 map zone
    # names alike in every account (eu-west-2, ca-central-1, ap-south-1: names as moto's EC2 mock
    # has them, whose ca-central-1 has no cac1-az3 and no ca-central-1c); ap-southeast-1 and
    # sa-east-1 map per account, so their names here are one account's.
    "eu-west-2": {"euw2-az2": "eu-west-2a", "euw2-az3": "eu-west-2b", "euw2-az1": "eu-west-2c"},
    "ca-central-1": {"cac1-az1": "ca-central-1a", "cac1-az2": "ca-central-1b", "cac1-az4": "ca-central-1d"},
    "ap-south-1": {"aps1-az1": "ap-south-1a", "aps1-az3": "ap-south-1b", "aps1-az2": "ap-south-1c"},
    "ap-southeast-1": {"apse1-az2": "ap-southeast-1a", "apse1-az1": "ap-southeast-1b",
                       "apse1-az3": "ap-southeast-1c"},
    "sa-east-1": {"sae1-az1": "sa-east-1a", "sae1-az2": "sa-east-1b", "sae1-az3": "sa-east-1c"},
}  # fmt: skip


#: Elastic Load Balancing's log delivery accounts (AWS docs, "Enable access logs").
ELB_LOG_ACCOUNTS = {
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-1": "027434742980",
    "us-west-2": "797873946194",
    "eu-west-1": "156460612806",
    "eu-central-1": "054676820928",
    "ap-northeast-1": "582318560864",
    "ap-southeast-2": "783225319266",
    "us-gov-west-1": "048591011584",
}


def region_zones(region: str) -> dict[str, str] | None:
    """The zone ID -> zone name map of ``region`` in the mock account (:data:`REGION_ZONES`'s);
    None for a region whose zone IDs the table does not hold: the mock invents no zones (a zone
    lookup there fails loudly, as an unmocked call)."""
    zones = REGION_ZONES.get(region)
    return dict(zones) if zones is not None else None
