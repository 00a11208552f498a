"""One mock cloud for the tests and the offline preview.

It runs the real ``__main__.py`` against a real ``Pulumi.<stack>.yaml`` through
Pulumi's mock engine (``pulumi.runtime.set_mocks``): the real pulumi-aws SDK
classes register resources, and this module plays the engine and AWS.

* :class:`MockCloud` answers resource registrations with realistic ids, names
  and ARNs, and the provider calls the program makes. An unknown call fails
  loudly (an empty answer would fail far from its cause).
* :class:`RecordingMonitor` records every registration in full: type, name,
  parent, provider, dependencies and options such as ``ignoreChanges``. A run
  lists them sorted by URN (see :func:`run_program` for why).
* :func:`stack_config` reads Pulumi.yaml's defaults and a stack file the way
  the Pulumi CLI does; :func:`run_program` runs the program and returns what
  was registered and exported, or the error it raised.
"""

from __future__ import annotations

import copy
import hashlib
import importlib
import json
import runpy
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from ecs_platform import facts
from ecs_platform.errors import ConfigError, show
from ecs_platform.tools import stack_yaml


def find_project(start: Path | None = None) -> Path:
    """The Pulumi project directory: the nearest folder holding ``Pulumi.yaml``, from the
    working directory up (else this repository's root, when run from a checkout)."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "Pulumi.yaml").exists():
            return folder
    return Path(__file__).resolve().parents[3]


ROOT = find_project()
PROGRAM = ROOT / "__main__.py"
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


class UnmockedCall(Exception):
    """The program called a provider function this mock cloud does not know."""


def _hex(*parts: str, n: int = 17) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:n]


@dataclass
class Registration:
    """One registered resource, as the engine saw it."""

    urn: str
    type: str
    name: str
    parent: str
    custom: bool
    remote: bool
    provider: str
    providers: dict[str, str]
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    id: str
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    ignore_changes: list[str]
    protect: bool
    retain_on_delete: bool
    delete_before_replace: bool
    aliases: list[str]
    custom_timeouts: dict[str, str]
    """``create`` / ``update`` / ``delete`` -> the duration given (``"30m"``), only those set."""


class MockCloud(pulumi.runtime.Mocks):
    """Answers for resources and provider calls, in one AWS account and region."""

    def __init__(
        self,
        region: str = "us-east-1",
        extra_calls: Mapping[str, Callable[[dict[str, Any]], dict[str, Any]]] | None = None,
        zones: Mapping[str, str] | None = None,
        account_id: str = ACCOUNT_ID,
    ) -> None:
        """``zones``: the account's zone ID -> zone name map (default :data:`REGION_ZONES`'s)."""
        self.region = region
        self.account_id = account_id
        #: zone ID -> zone name in this account.
        self.zones: dict[str, str] | None = dict(zones) if zones is not None else region_zones(region)
        #: subnet id -> (zone name, "public" | "private"), for assertions on placement.
        self.subnets: dict[str, tuple[str, str]] = {}
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
                ami = "ami-0" + _hex(name, n=16)
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
            rtb = "rtb-" + _hex(str(inputs["subnetId"]))
            return {"id": rtb, "routeTableId": rtb, "subnetId": inputs["subnetId"], "ownerId": self.account_id,
                    "arn": f"arn:{PARTITION}:ec2:{region}:{self.account_id}:route-table/{rtb}"}, []  # fmt: skip
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
        rid, state = self._aws_resource(typ, name, inputs)
        if _taggable(typ):
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
        vpc_id = "vpc-" + _hex(name)
        public: list[str] = []
        private: list[str] = []
        for zone in zones:
            if zone not in ids_by_name:
                # CreateSubnet refuses a zone the region does not have in this account.
                raise ValueError(f"availability zone {zone!r} is not a zone of {self.region} in this account")
            for kind, bucket in (("public", public), ("private", private)):
                sid = "subnet-" + _hex(name, zone, kind)
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
            "isolatedSubnetIds": [],
        }
        if inputs.get("tags"):  # awsx tags its VPC with them: they stand for the child VPC's tags
            outputs["tags"] = inputs["tags"]
        return vpc_id, outputs

    def _aws_resource(self, typ: str, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        region, acct = self.region, self.account_id
        module = typ.split(":")[1].split("/")[0] if ":" in typ else ""
        kind = typ.rsplit(":", 1)[-1]
        prop = autonamed_property(typ)
        physical = inputs.get(prop or "name") or (autoname(typ, name, inputs) if prop else f"{name}-{_hex(name, n=7)}")
        state: dict[str, Any] = {**inputs}
        if prop:
            state[prop] = physical
        rid = physical
        arn: str | None = None

        if typ == "aws:ecs/cluster:Cluster":
            state["name"] = physical
            arn = rid = f"arn:{PARTITION}:ecs:{region}:{acct}:cluster/{physical}"
        elif typ == "aws:ecs/service:Service":
            state["name"] = physical
            cluster = str(inputs.get("cluster", "cluster")).rsplit("/", 1)[-1]
            arn = rid = f"arn:{PARTITION}:ecs:{region}:{acct}:service/{cluster}/{physical}"
        elif typ == "aws:ecs/taskDefinition:TaskDefinition":
            family = inputs.get("family", physical)
            state["revision"] = 1
            arn = f"arn:{PARTITION}:ecs:{region}:{acct}:task-definition/{family}:1"
            state["arnWithoutRevision"] = arn.rsplit(":", 1)[0]
            rid = family
        elif typ == "aws:ecs/capacityProvider:CapacityProvider":
            if str(physical).lower().startswith(("aws", "ecs", "fargate")):
                # CreateCapacityProvider's own rule; the mock refuses what AWS refuses.
                raise ValueError(
                    f"capacity provider name {physical!r} may not start with aws, ecs or fargate"
                )
            state["name"] = physical
            arn = f"arn:{PARTITION}:ecs:{region}:{acct}:capacity-provider/{physical}"
        elif typ == "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders":
            rid = str(inputs.get("clusterName"))
        elif typ == "aws:iam/role:Role":
            state["name"] = physical
            arn = f"arn:{PARTITION}:iam::{acct}:role/{physical}"
            state["uniqueId"] = "AROA" + _hex(name, n=17).upper()
        elif typ == "aws:iam/instanceProfile:InstanceProfile":
            state["name"] = physical
            arn = f"arn:{PARTITION}:iam::{acct}:instance-profile/{physical}"
        elif typ == "aws:iam/rolePolicy:RolePolicy":
            rid = f"{inputs.get('role')}:{physical}"
        elif typ == "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
            rid = f"{inputs.get('role')}-{_hex(name, n=8)}"
        elif typ == "aws:cloudwatch/logGroup:LogGroup":
            state["name"] = physical
            arn = f"arn:{PARTITION}:logs:{region}:{acct}:log-group:{physical}"
        elif typ == "aws:ec2/securityGroup:SecurityGroup":
            rid = "sg-" + _hex(name)
            state["name"] = physical
            arn = f"arn:{PARTITION}:ec2:{region}:{acct}:security-group/{rid}"
        elif typ in ("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
                     "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"):  # fmt: skip
            rid = "sgr-" + _hex(name)
            arn = f"arn:{PARTITION}:ec2:{region}:{acct}:security-group-rule/{rid}"
        elif typ == "aws:lb/loadBalancer:LoadBalancer":
            suffix = f"app/{physical}/{_hex(name, n=16)}"
            arn = rid = f"arn:{PARTITION}:elasticloadbalancing:{region}:{acct}:loadbalancer/{suffix}"
            state["arnSuffix"] = suffix
            scheme = "internal-" if inputs.get("internal") else ""
            state["dnsName"] = f"{scheme}{physical}-{_hex(name, n=9)}.{region}.elb.amazonaws.com"
            state["zoneId"] = "Z35SXDOTRQ7X7K"
        elif typ == "aws:lb/targetGroup:TargetGroup":
            suffix = f"targetgroup/{physical}/{_hex(name, n=16)}"
            arn = rid = f"arn:{PARTITION}:elasticloadbalancing:{region}:{acct}:{suffix}"
            state["arnSuffix"] = suffix
        elif typ in ("aws:lb/listener:Listener", "aws:lb/listenerRule:ListenerRule"):
            # ELB's formats: listener/app/<lb name>/<lb id>/<listener id> and
            # listener-rule/app/<lb name>/<lb id>/<listener id>/<rule id>.
            parent_arn, marker = (
                (str(inputs.get("loadBalancerArn") or ""), ":loadbalancer/")
                if kind == "Listener"
                else (str(inputs.get("listenerArn") or ""), ":listener/")
            )
            base = parent_arn.split(marker, 1)[1] if marker in parent_arn else f"app/unknown/{_hex(name, n=16)}"
            word = "listener" if kind == "Listener" else "listener-rule"
            arn = rid = f"arn:{PARTITION}:elasticloadbalancing:{region}:{acct}:{word}/{base}/{_hex(name, n=16)}"
        elif typ == "aws:s3/bucket:Bucket" or typ == "aws:s3/bucketV2:BucketV2":
            rid = physical
            arn = f"arn:{PARTITION}:s3:::{physical}"
            state["bucketDomainName"] = f"{physical}.s3.amazonaws.com"
        elif typ == "aws:ec2/launchTemplate:LaunchTemplate":
            rid = "lt-" + _hex(name)
            state["name"] = physical
            state["latestVersion"] = 1
            arn = f"arn:{PARTITION}:ec2:{region}:{acct}:launch-template/{rid}"
        elif typ in _EC2_ID_PREFIXES:  # network interfaces, Elastic IPs, VPC endpoints, routes
            rid = _EC2_ID_PREFIXES[typ] + _hex(name)
            if typ == "aws:ec2/eip:Eip":
                state.update(allocationId=rid, publicIp=f"203.0.113.{int(_hex(name, n=2), 16) % 254 + 1}")
        elif typ == "aws:autoscaling/group:Group":
            state["name"] = physical
            arn = (f"arn:{PARTITION}:autoscaling:{region}:{acct}:autoScalingGroup:"
                   f"{_hex(name, n=8)}:autoScalingGroupName/{physical}")  # fmt: skip
        elif typ == "aws:ssm/activation:Activation":
            rid = (
                _hex(name, n=8)
                + "-"
                + _hex(name, "a", n=4)
                + "-"
                + _hex(name, "b", n=4)
                + "-"
                + _hex(name, "c", n=12)
            )
            state["activationCode"] = "PREVIEW" + _hex(name, "code", n=13)
        elif typ == "aws:kms/key:Key":
            rid = str(uuid.UUID(_hex(name, "key", n=32)))
            state["keyId"] = rid
            arn = f"arn:{PARTITION}:kms:{region}:{acct}:key/{rid}"
        elif typ == "aws:wafv2/webAcl:WebAcl":
            rid = str(uuid.UUID(_hex(name, "acl", n=32)))
            state["name"] = physical
            arn = f"arn:{PARTITION}:wafv2:{region}:{acct}:regional/webacl/{physical}/{rid}"
            state["capacity"] = 0
        elif typ == "aws:appautoscaling/target:Target":
            rid = str(inputs.get("resourceId"))
            arn = (
                f"arn:{PARTITION}:application-autoscaling:{region}:{acct}:scalable-target/{_hex(name, n=20)}"
            )
        elif typ == "aws:appautoscaling/policy:Policy":
            state["name"] = physical
            arn = (f"arn:{PARTITION}:autoscaling:{region}:{acct}:scalingPolicy:{_hex(name, n=8)}:"
                   f"resource/{inputs.get('resourceId')}:policyName/{physical}")  # fmt: skip
        elif typ == "aws:sqs/queue:Queue":
            state["name"] = physical
            arn = f"arn:{PARTITION}:sqs:{region}:{acct}:{physical}"
            rid = state["url"] = f"https://sqs.{region}.amazonaws.com/{acct}/{physical}"
        elif typ == "aws:scheduler/schedule:Schedule":
            group = inputs.get("groupName") or "default"
            state["groupName"] = group
            rid = f"{group}/{physical}"
            arn = f"arn:{PARTITION}:scheduler:{region}:{acct}:schedule/{group}/{physical}"
        elif typ == "aws:cloudwatch/metricAlarm:MetricAlarm":
            arn = f"arn:{PARTITION}:cloudwatch:{region}:{acct}:alarm:{physical}"
        elif typ.startswith("pulumi-python:dynamic"):
            # A dynamic resource (the pre-deploy run): its provider runs only in a real `pulumi up`,
            # so the mock answers with its inputs, as a preview would.
            rid = f"{name}-{_hex(name, n=8)}"
        else:
            arn = f"arn:{PARTITION}:{module}:{region}:{acct}:{kind.lower()}/{physical}"
        if arn is not None:
            state["arn"] = arn
        state.setdefault("id", rid)
        return rid, state


#: EC2's id prefixes of the resources the mock answers with an id only.
_EC2_ID_PREFIXES = {"aws:ec2/networkInterface:NetworkInterface": "eni-", "aws:ec2/eip:Eip": "eipalloc-",
                    "aws:ec2/vpcEndpoint:VpcEndpoint": "vpce-", "aws:ec2/route:Route": "r-"}  # fmt: skip
#: Auto-named properties other than ``name`` (pulumi-aws provider/resources.go).
_AUTONAMED = {"aws:s3/bucket:Bucket": "bucket", "aws:s3/bucketV2:BucketV2": "bucket",
              "aws:efs/fileSystem:FileSystem": "creationToken"}  # fmt: skip
#: pulumi-aws's own maximum for an auto-name where it is not the bridge default of 255:
#: provider/aliases.go (aws_lb_target_group: AutoName("name", 32, "-")); S3 buckets 63.
_AUTONAME_MAX = {"aws:lb/targetGroup:TargetGroup": 32, "aws:s3/bucket:Bucket": 63, "aws:s3/bucketV2:BucketV2": 63}


def _sdk_class(typ: str) -> Any:
    if not typ.startswith("aws:"):
        return None
    module = typ.split(":")[1].split("/")[0]
    try:
        return getattr(importlib.import_module(f"pulumi_aws.{module}"), typ.rsplit(":", 1)[-1] + "Args", None)
    except ImportError:
        return None


def autonamed_property(typ: str) -> str | None:
    """The property Pulumi fills with an auto-name when the program gives none: ``name`` for
    every pulumi-aws resource with a ``name`` input (the provider's setAutonaming), or the
    type's own (``bucket``, ``creationToken``)."""
    if typ in _AUTONAMED:
        return _AUTONAMED[typ]
    args = _sdk_class(typ)
    return "name" if args is not None and isinstance(getattr(args, "name", None), property) else None


def autoname(typ: str, logical_name: str, inputs: Mapping[str, Any] | None = None) -> str:
    """The name Pulumi gives: ``<logical name>-<7 hex>`` (random there, hashed here), never
    truncated: over the provider's maximum, ``pulumi up`` fails, and so does the mock. With
    ``namePrefix``, the AWS provider appends a 26-character unique id instead."""
    prefix = (inputs or {}).get("namePrefix")
    if prefix:
        return f"{prefix}{int(_hex(logical_name, n=16), 16) % 10**26:026d}"
    max_len = _AUTONAME_MAX.get(typ, 255)
    if len(logical_name) + 8 > max_len:
        raise ValueError(f"could not make instance of '{typ}': name '{logical_name}-' plus 7 random chars "
                         f"is longer than maximum length {max_len}")  # fmt: skip
    name = f"{logical_name}-{_hex(logical_name, n=7)}"
    return name.lower() if typ in ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2") else name


def _taggable(typ: str) -> bool:
    """Whether pulumi-aws gives this resource type ``tags``/``tagsAll`` (its class says)."""
    if not typ.startswith("aws:"):
        return False
    module = typ.split(":")[1].split("/")[0]
    cls = typ.rsplit(":", 1)[-1]
    try:
        klass = getattr(importlib.import_module(f"pulumi_aws.{module}"), cls)
    except (ImportError, AttributeError):
        return False
    return hasattr(klass, "tags_all")


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """A mock monitor that records every registration request in full."""

    def __init__(self, mocks: MockCloud) -> None:
        super().__init__(mocks)
        self.registrations: list[Registration] = []

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        if request.type == "pulumi:pulumi:Stack":
            return response
        inputs = rpc.deserialize_properties(request.object)
        state = self.resources[response.urn].state
        self.registrations.append(
            Registration(
                urn=response.urn,
                type=request.type,
                name=request.name,
                parent=request.parent,
                custom=bool(request.custom),
                remote=bool(request.remote),
                provider=request.provider,
                providers=dict(request.providers),
                inputs=_plain(inputs),
                outputs=_plain(state),
                id=response.id,
                dependencies=list(request.dependencies),
                property_dependencies={k: list(v.urns) for k, v in request.propertyDependencies.items()},
                ignore_changes=list(request.ignoreChanges),
                protect=bool(request.protect),
                retain_on_delete=bool(request.retainOnDelete),
                delete_before_replace=bool(request.deleteBeforeReplace),
                aliases=[a.urn or a.spec.name for a in request.aliases],
                custom_timeouts=_timeouts(request.customTimeouts),
            )
        )
        return response


def _timeouts(custom: Any) -> dict[str, str]:
    """The custom timeouts a registration sets (``create`` / ``update`` / ``delete``)."""
    return {k: str(v) for k in ("create", "update", "delete") if (v := getattr(custom, k, ""))}


def _plain(value: Any) -> Any:
    """Deserialized inputs may hold resource references; keep them as URNs."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, pulumi.Resource):
        return f"<resource {type(value).__name__}>"
    if isinstance(value, float) and value.is_integer():
        return int(value)  # the wire format has only floats; show 3, not 3.0
    return value


# --- config -------------------------------------------------------------------


def _config_text(value: Any) -> str:
    """The engine hands every config value to the program as a string (an empty value,
    ``aws:region:`` or ``--config aws:region=``, as the empty string, not ``"null"``)."""
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value)


def project_file(root: Path = ROOT) -> dict[str, Any]:
    return stack_yaml.stack_file_data((root / "Pulumi.yaml").read_text(), "Pulumi.yaml")


def stack_file(stack: str, root: Path = ROOT) -> dict[str, Any]:
    """A stack file's content; duplicate keys, YAML tags and broken YAML are refused
    (:class:`~ecs_platform.errors.ConfigError`), dates stay text."""
    path = root / f"Pulumi.{stack}.yaml"
    if not path.exists():
        known = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in root.glob("Pulumi.*.yaml"))
        raise FileNotFoundError(f"no stack file {path.name} (stacks: {', '.join(known)})")
    return stack_yaml.stack_file_data(path.read_text(), path.name)


def stack_config(stack: str, overrides: Mapping[str, Any] | None = None, root: Path = ROOT) -> dict[str, str]:
    """The config map the CLI would give the program: Pulumi.yaml defaults,
    then the stack file, then ``overrides`` (keys may omit the project namespace;
    ``services.web.desiredCount`` changes one field of an object key; None removes a key). A dotted
    override into a value that is not a map raises :class:`ConfigError`."""
    project = project_file(root)
    name = project["name"]

    def namespaced(key: str) -> str:
        return key if ":" in key else f"{name}:{key}"

    config: dict[str, str] = {}
    for key, decl in (project.get("config") or {}).items():
        if isinstance(decl, dict) and "default" in decl:
            config[namespaced(key)] = _config_text(decl["default"])
        elif isinstance(decl, dict) and "value" in decl:
            config[namespaced(key)] = _config_text(decl["value"])
        elif not isinstance(decl, dict):
            config[namespaced(key)] = _config_text(decl)
    for key, value in (stack_file(stack, root).get("config") or {}).items():
        config[namespaced(key)] = _config_text(value)
    problems: list[str] = []
    for key, value in (overrides or {}).items():
        top, _, path = namespaced(key).partition(".")
        if path:  # services.web.desiredCount=3: change one field of an object key
            if top in config:
                base = _parse_text(config[top])
            elif top == f"{name}:services":
                from ecs_platform.specs import sample_services

                base = copy.deepcopy(sample_services(config.get(f"{name}:launchType", "FARGATE")))
            else:
                base = {}
            problem = _set_path(base, top, path.split("."), value)
            if problem:
                problems.append(problem)
                continue
            config[top] = json.dumps(base)
        elif value is None:  # `pulumi config rm`
            config.pop(top, None)
        else:
            config[top] = _config_text(value)
    if problems:
        raise ConfigError(problems)
    return config


def _parse_text(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def _set_path(target: Any, top: str, path: list[str], value: Any) -> str | None:
    """Set ``value`` at ``path`` inside the map ``target`` (the value of key ``top``),
    creating missing maps; the problem when the path runs into a value that is not a map."""
    where = top
    for i, part in enumerate(path):
        if not isinstance(target, dict):
            return (f"{where}: {show(target)} is not a map, so {top}.{'.'.join(path)} cannot be set "
                    "(allowed: a dotted key only into maps, e.g. services.web.desiredCount)")  # fmt: skip
        if i == len(path) - 1:
            target[part] = value
            break
        if target.get(part) is None:
            target[part] = {}
        target = target[part]
        where = f"{where}.{part}"
    return None


# --- running the program ------------------------------------------------------


@dataclass
class StackRun:
    """What one evaluation of the program registered and exported."""

    stack: str
    config: dict[str, str]
    cloud: MockCloud
    resources: list[Registration] = field(default_factory=list)
    exports: dict[str, Any] = field(default_factory=dict)
    secret_exports: set[str] = field(default_factory=set)
    error: BaseException | None = None

    def of_type(self, typ: str) -> list[Registration]:
        return [r for r in self.resources if r.type == typ]

    def one(self, typ: str, name: str | None = None) -> Registration:
        found = [r for r in self.of_type(typ) if name is None or r.name == name]
        if len(found) != 1:
            names = [r.name for r in self.of_type(typ)]
            raise LookupError(f"expected one {typ} named {name!r}, found {len(found)} among {names}")
        return found[0]

    def by_urn(self, urn: str) -> Registration:
        for r in self.resources:
            if r.urn == urn:
                return r
        raise LookupError(urn)

    def children(self, parent: Registration) -> list[Registration]:
        return [r for r in self.resources if r.parent == parent.urn]


def run_program(
    stack: str = "dev",
    overrides: Mapping[str, Any] | None = None,
    *,
    config: Mapping[str, str] | None = None,
    program: Callable[[], Any] | Path = PROGRAM,
    project: str | None = None,
    cloud: MockCloud | None = None,
) -> StackRun:
    """Evaluate ``program`` (default: the real ``__main__.py``) for ``stack``.

    ``config`` replaces the stack files entirely; otherwise they are read with
    ``overrides`` on top. ``cloud``: another account (zones, account id) than the default.
    A program error is returned in ``StackRun.error``,
    together with whatever was registered before it.
    """
    try:
        cfg = dict(config) if config is not None else stack_config(stack, overrides)
    except ConfigError as exc:  # a stack file or override that is not plain config: nothing runs
        return StackRun(stack=stack, config={}, cloud=MockCloud(), error=exc)
    project = project or project_file()["name"]
    cloud = cloud or MockCloud(region=cfg.get("aws:region", "us-east-1"))
    monitor = RecordingMonitor(cloud)
    run = StackRun(stack=stack, config=cfg, cloud=cloud)

    pulumi.runtime.set_all_config(cfg)
    # A fresh root stack per run: set_mocks only creates one when none exists,
    # and a reused one would carry the previous run's exports.
    pulumi.runtime.settings.ROOT.set(None)
    pulumi.runtime.set_mocks(cloud, project=project, stack=stack, preview=False, monitor=monitor)
    settings = pulumi.runtime.settings.SETTINGS
    settings.rpc_manager.clear()
    settings.outputs.clear()
    root = pulumi.runtime.settings.get_root_resource()

    def body() -> None:
        if isinstance(program, Path):
            runpy.run_path(str(program), run_name="__main__")
        else:
            program()
        outputs = getattr(root, "outputs", {}) or {}
        for key, value in outputs.items():
            if isinstance(value, pulumi.Output) and _sync_await(value.is_secret()):
                run.secret_exports.add(key)
        resolved: Any = _sync_await(pulumi.Output.from_input(outputs).future())
        run.exports = dict(resolved or {})

    try:
        _sync_await(run_pulumi_func(body))
    except Exception as exc:
        run.error = exc
    # The SDK sends RegisterResource requests from a thread pool, so the monitor records
    # them in completion order, which changes from run to run. Program order is not
    # observable here (a request leaves only once its inputs resolve), so a run lists
    # resources by URN: unique in a stack and the same in every run, whatever the timing.
    # Provider calls are listed by token and arguments for the same reason.
    run.resources = sorted(monitor.registrations, key=lambda r: r.urn)
    cloud.calls.sort(key=lambda c: (c[0], json.dumps(c[1], sort_keys=True, default=str)))
    return run
