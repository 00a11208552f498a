"""Availability zones: where in a region Fargate runs tasks. Data only, each fact with its source."""

from __future__ import annotations

#: Where the table below comes from, and when it was read.
FARGATE_ZONES_SOURCE = (
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/AWS_Fargate-Regions.html "
    "(Linux containers on AWS Fargate), read 2026-12-07"
)
#: The zone IDs Fargate runs Linux tasks in, for the regions whose row in AWS's "Linux containers
#: on AWS Fargate" table names zone IDs ("The supported Availability Zone IDs are noted when
#: applicable"); in every other Fargate region it runs in all the region's zones. Transcribed
#: from :data:`FARGATE_ZONES_SOURCE`: ``us-west-1 (usw1-az1 & usw1-az3 only)``, ``ap-northeast-1
#: (apne1-az1, apne1-az2, & apne1-az4 only)``, ``cn-north-1 (cnn1-az1 & cnn1-az2 only)`` (the
#: China table of the same page, docs.amazonaws.cn). An earlier revision of the page also named
#: ``ca-central-1 (cac1-az1 & cac1-az2 only)``; the current one lists ca-central-1 without IDs.
FARGATE_ZONE_IDS: dict[str, tuple[str, ...]] = {
    "us-west-1": ("usw1-az1", "usw1-az3"),
    "ap-northeast-1": ("apne1-az1", "apne1-az2", "apne1-az4"),
    "cn-north-1": ("cnn1-az1", "cnn1-az2"),
}


def fargate_zone_ids(region: str, zone_ids: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The zones of ``zone_ids`` (a region's) that Fargate runs tasks in, in their order."""
    only = FARGATE_ZONE_IDS.get(region)
    return tuple(zone_ids) if only is None else tuple(z for z in zone_ids if z in only)
