"""The mock cloud: answers for resource registrations and provider calls, in one AWS
account and region."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import pulumi

from ecs_platform.tools.mock_cloud.data import ACCOUNT_ID, ELB_LOG_ACCOUNTS, PARTITION, region_zones
from ecs_platform.tools.mock_cloud.naming import fake_hex, taggable
from ecs_platform.tools.mock_cloud.resources import aws_resource


class UnmockedCall(Exception):
    """The program called a provider function this mock cloud does not know."""


class MockCloud(pulumi.runtime.Mocks):
    """Answers for resources and provider calls, in one AWS account and region."""

    def __init__(
        self,
        region: str = "us-east-1",
        extra_calls: Mapping[str, Callable[[dict[str, Any]], dict[str, Any]]] | None = None,
        zones: Mapping[str, str] | None = None,
        account_id: str = ACCOUNT_ID,
        vpcs: Mapping[str, str] | None = None,
    ) -> None:
        """``zones``: the account's zone ID -> zone name map (default :data:`REGION_ZONES`'s)."""
        self.region = region
        self.account_id = account_id
        #: zone ID -> zone name in this account.
        self.zones: dict[str, str] | None = dict(zones) if zones is not None else region_zones(region)
        #: subnet id -> (zone name, "public" | "private"), for assertions on placement.
        self.subnets: dict[str, tuple[str, str]] = {}
        #: VPC id -> its CIDR block: the VPCs the program created, and the adopted VPCs a test
        #: declares (``vpcs``); ``getVpc`` of any other id fails, as AWS's would.
        self.vpcs: dict[str, str] = dict(vpcs or {})
        #: subnet id -> its zone ID.
        self.subnet_zone_ids: dict[str, str] = {}
        self.calls: list[tuple[str, dict[str, Any]]] = []
        #: provider id -> its default tags, merged into each resource's tagsAll
        #: the way the AWS provider does.
        self.provider_tags: dict[str, dict[str, str]] = {}
        self._extra_calls = dict(extra_calls or {})

    # -- provider functions ----------------------------------------------------

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        token, inputs = args.token, dict(args.args)
        self.calls.append((token, inputs))
        region = self.region
        if token in self._extra_calls:
            return self._extra_calls[token](inputs), []
        if token == "aws:index/getAvailabilityZones:getAvailabilityZones":
            if self.zones is None:
                raise UnmockedCall(f"the mock cloud has no zones for region {region!r}")
            by_name = sorted(self.zones.items(), key=lambda item: item[1])  # AWS lists them by name
            return {
                "id": region,
                "names": [name for _, name in by_name],
                "zoneIds": [zone_id for zone_id, _ in by_name],
                "groupNames": [region] * len(by_name),
                "state": "available",
            }, []
        if token == "aws:ec2/getVpc:getVpc":
            vpc_id = str(inputs.get("id", ""))
            if vpc_id not in self.vpcs:
                raise UnmockedCall(f"no VPC {vpc_id!r} in the mock account (adopted VPCs: MockCloud(vpcs=...))")
            return {"id": vpc_id, "cidrBlock": self.vpcs[vpc_id], "default": False, "state": "available",
                    "arn": f"arn:{PARTITION}:ec2:{region}:{self.account_id}:vpc/{vpc_id}"}, []  # fmt: skip
        if token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "id": self.account_id,
                "accountId": self.account_id,
                "arn": f"arn:{PARTITION}:iam::{self.account_id}:user/preview",
                "userId": "AIDAPREVIEW",
            }, []
        if token == "aws:index/getRegion:getRegion":
            return {
                "id": region,
                "region": region,
                "name": region,
                "endpoint": f"ec2.{region}.amazonaws.com",
                "description": region,
            }, []
        if token == "aws:index/getPartition:getPartition":
            return {
                "id": PARTITION,
                "partition": PARTITION,
                "dnsSuffix": "amazonaws.com",
                "reverseDnsPrefix": "com.amazonaws",
            }, []
        if token == "aws:elb/getServiceAccount:getServiceAccount":
            account = ELB_LOG_ACCOUNTS.get(region)
            if account is None:
                raise UnmockedCall(f"no Elastic Load Balancing account for {region!r}")
            return {"id": account, "arn": f"arn:{PARTITION}:iam::{account}:root", "region": region}, []
        if token == "aws:ssm/getParameter:getParameter":
            name = str(inputs.get("name", ""))
            if name.startswith("/aws/service/ecs/optimized-ami/"):
                arch = "arm64" if "arm64" in name else "x86_64"
                ami = "ami-0" + fake_hex(name, n=16)
                return {
                    "id": name,
                    "name": name,
                    "type": "String",
                    "value": ami,
                    "insecureValue": ami,
                    "version": 1,
                    "arn": f"arn:{PARTITION}:ssm:{region}::parameter{name}",
                    "withDecryption": True,
                    "_arch": arch,
                }, []
        if token == "aws:ec2/getRouteTable:getRouteTable" and inputs.get("subnetId") in self.subnets:
            # awsx gives every subnet a route table of its own (DescribeRouteTables by association).
            rtb = "rtb-" + fake_hex(str(inputs["subnetId"]))
            return {"id": rtb, "routeTableId": rtb, "subnetId": inputs["subnetId"], "ownerId": self.account_id,
                    "arn": f"arn:{PARTITION}:ec2:{region}:{self.account_id}:route-table/{rtb}"}, []  # fmt: skip
        if token == "aws:ec2/getManagedPrefixList:getManagedPrefixList" and inputs.get("name") == (
                f"com.amazonaws.{region}.vpc-lattice"):  # fmt: skip
            # AWS's managed prefix list of VPC Lattice's addresses (link-local 169.254.171.0/24).
            pl = "pl-" + fake_hex(str(inputs["name"]), n=8)
            return {"id": pl, "name": inputs["name"], "addressFamily": "IPv4", "ownerId": "AWS", "maxEntries": 1,
                    "entries": [{"cidr": "169.254.171.0/24", "description": ""}], "version": 1, "tags": {},
                    "arn": f"arn:{PARTITION}:ec2:{region}:aws:prefix-list/{pl}"}, []  # fmt: skip
        raise UnmockedCall(f"unmocked provider call {token} with {json.dumps(inputs, default=str)}")

    # -- resources ---------------------------------------------------------------

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        typ, name, inputs = args.typ, args.name, dict(args.inputs)
        if typ == "awsx:ec2:Vpc":
            return self._vpc(name, inputs)
        if typ.startswith("pulumi:providers:"):
            pid = f"{name}-provider-id"
            raw = inputs.get("defaultTags")
            default_tags = json.loads(raw) if isinstance(raw, str) else (raw or {})
            self.provider_tags[pid] = dict(default_tags.get("tags") or {})
            return pid, inputs
        rid, state = aws_resource(typ, name, inputs, region=self.region, acct=self.account_id)
        if taggable(typ):
            provider_id = (args.provider or "").rsplit("::", 1)[-1]
            defaults = self.provider_tags.get(provider_id, {})
            raw_tags = inputs.get("tags")
            own: dict[str, Any] = raw_tags if isinstance(raw_tags, dict) else {}
            if defaults or own:
                state["tagsAll"] = {**defaults, **own}
        return rid, state

    def _vpc(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        ids_by_name = {zone_name: zone_id for zone_id, zone_name in (self.zones or {}).items()}
        zones = list(inputs.get("availabilityZoneNames") or sorted(ids_by_name)[:3])
        vpc_id = "vpc-" + fake_hex(name)
        self.vpcs[vpc_id] = str(inputs.get("cidrBlock") or "10.0.0.0/16")  # awsx's default block
        kinds = [str(spec.get("type", "")).lower() for spec in inputs.get("subnetSpecs") or []] or ["private", "public"]
        strategy = str((inputs.get("natGateways") or {}).get("strategy", "OnePerAz"))
        if strategy == "None" and "private" in kinds:
            # awsx's own check (ValidateStrategy): private subnets need a NAT gateway strategy.
            raise ValueError("If private subnets are specified, NAT Gateway strategy cannot be 'None'.")
        public: list[str] = []
        private: list[str] = []
        isolated: list[str] = []
        buckets = {"public": public, "private": private, "isolated": isolated}
        for zone in zones:
            if zone not in ids_by_name:
                # CreateSubnet refuses a zone the region does not have in this account.
                raise ValueError(f"availability zone {zone!r} is not a zone of {self.region} in this account")
            for kind, bucket in ((k, buckets[k]) for k in ("public", "private", "isolated") if k in kinds):
                sid = "subnet-" + fake_hex(name, zone, kind)
                self.subnets[sid] = (zone, kind)
                self.subnet_zone_ids[sid] = ids_by_name[zone]
                bucket.append(sid)
        # Only the outputs: awsx's `natGateways`/`subnets` outputs are resource
        # references (not the inputs of the same name); the preview derives NAT
        # gateways from the recorded inputs instead.
        outputs: dict[str, Any] = {
            "vpcId": vpc_id,
            "publicSubnetIds": public,
            "privateSubnetIds": private,
            "isolatedSubnetIds": isolated,
        }
        if inputs.get("tags"):  # awsx tags its VPC with them: they stand for the child VPC's tags
            outputs["tags"] = inputs["tags"]
        return vpc_id, outputs
