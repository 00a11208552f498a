"""The grammar of the wiring a component gets from other resources (cluster ARN, VPC,
subnets, listener, roles...), as AWS documents it, and where it must be (the stack's
partition, region and account).

Each :class:`Kind` is one rule, used on a plain value before anything is registered and on
an Output once its value is known (:func:`deferred_wiring`), before the resource that uses it.
ARNs are read with botocore's :class:`~botocore.utils.ArnParser`; the resource part of each
kind follows the Service Authorization Reference's "Resource types" table of its service:

* ECS cluster ``cluster/<name>``:
  https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html
* ELB listener ``listener/app/<lb name>/<lb id>/<listener id>``, load balancer
  ``loadbalancer/app/<name>/<id>``:
  https://docs.aws.amazon.com/service-authorization/latest/reference/list_awselasticloadbalancingv2.html
* IAM role ``role/<path><name>`` (no region):
  https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html
* CloudWatch Logs ``log-group:<name>``:
  https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html
* Cloud Map ``namespace/<namespace id>``:
  https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscloudmap.html
* KMS ``key/<key id>``: https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html

EC2 ids are ``<prefix>-`` and 8 or 17 hexadecimal digits ("Resource IDs",
https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/resource-ids.html).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
from botocore.utils import ArnParser, InvalidArnException

from ecs_platform import facts
from ecs_platform.errors import allowed, deferred_error, raise_if, show
from ecs_platform.specs.fields import capacity_provider_name_check

#: What an id or ARN is, by its shape: for a message that says what was given instead.
_ID_PREFIXES = {"sg": "a security group id", "subnet": "a subnet id", "vpc": "a VPC id", "fs": "an EFS file system id",
                "fsap": "an EFS access point id", "ami": "an AMI id", "lt": "a launch template id",
                "pl": "a prefix list id"}  # fmt: skip
_ARN_RESOURCES = {
    ("ecs", "cluster"): "an ECS cluster ARN", ("ecs", "service"): "an ECS service ARN",
    ("ecs", "task-definition"): "an ECS task definition ARN", ("ecs", "capacity-provider"): "an ECS capacity provider ARN",
    ("elasticloadbalancing", "listener"): "a listener ARN", ("elasticloadbalancing", "loadbalancer"): "a load balancer ARN",
    ("elasticloadbalancing", "targetgroup"): "a target group ARN",
    ("elasticloadbalancing", "listener-rule"): "a listener rule ARN", ("iam", "role"): "an IAM role ARN",
    ("iam", "user"): "an IAM user ARN", ("iam", "instance-profile"): "an instance profile ARN",
    ("logs", "log-group"): "a log group ARN", ("servicediscovery", "namespace"): "a Cloud Map namespace ARN",
    ("kms", "key"): "a KMS key ARN", ("kms", "alias"): "a KMS alias ARN",
    ("acm", "certificate"): "an ACM certificate ARN", ("acm-pca", "certificate-authority"): "an AWS Private CA ARN",
    ("vpc-lattice", "servicenetwork"): "a VPC Lattice service network ARN",
}  # fmt: skip


def parse_arn(value: str) -> dict[str, str] | None:
    """The ARN's fields (partition, service, region, account, resource), or ``None``."""
    try:
        return dict(ArnParser().parse_arn(value))
    except InvalidArnException:
        return None


def described(value: Any) -> str:
    """What ``value`` looks like, in words (``a security group id``, ``a listener ARN``)."""
    if not isinstance(value, str):
        return f"a {type(value).__name__}"
    arn = parse_arn(value)
    if arn is not None:
        kind = re.split(r"[/:]", arn["resource"], maxsplit=1)[0]
        return _ARN_RESOURCES.get((arn["service"], kind), f"an ARN of {arn['service']}")
    prefix = value.split("-", 1)[0] if "-" in value else ""
    return _ID_PREFIXES.get(prefix, "a string")


@dataclass(frozen=True)
class Kind:
    """One kind of wiring value: its grammar and the parts of the stack it must be in."""

    what: str
    """In words: ``an ECS cluster ARN``."""
    form: str
    """Its grammar, for the message: ``arn:<partition>:ecs:<region>:<account>:cluster/<name>``."""
    match: Callable[[str], bool]
    """Whether a string has the grammar."""
    scope: tuple[str, ...] = ()
    """Which of ``partition``, ``region``, ``account`` must be the stack's (ARNs only)."""

    def problem(self, value: Any) -> str | None:
        """The problem with ``value`` as this kind, or ``None``."""
        if isinstance(value, str) and self.match(value):
            return None
        shown = "None is missing" if value is None else f"{show(value)} is {described(value)}, not {self.what}"
        if isinstance(value, str) and described(value) == self.what:
            shown = f"{show(value)} is not {self.what} AWS accepts"
        return f"{shown} (allowed: {self.form})"

    def context_problem(self, value: str, partition: str, region: str, account: str) -> str | None:
        """The problem with a well-formed ``value`` in a stack of ``partition``/``region``/``account``."""
        arn = parse_arn(value)
        if arn is None:
            return None
        for part, mine in (("partition", partition), ("region", region), ("account", account)):
            if part in self.scope and arn[part] != mine:
                return (f"{show(value)} is in {part} {arn[part]}, not the stack's {mine} (allowed: {self.what} "
                        f"of {part} {mine}; ECS and ELB only use resources of their own {part})")  # fmt: skip
        return None


def _ec2_id(prefix: str) -> Callable[[str], bool]:
    pattern = re.compile(rf"{prefix}-([0-9a-f]{{8}}|[0-9a-f]{{17}})")
    return lambda value: bool(pattern.fullmatch(value))


def _arn(service: str, resource: str, *, regional: bool = True) -> Callable[[str], bool]:
    pattern = re.compile(resource)

    def match(value: str) -> bool:
        arn = parse_arn(value)
        if arn is None or arn["service"] != service or arn["partition"] not in facts.REGIONS:
            return False
        if regional and arn["region"] not in facts.REGIONS[arn["partition"]]:
            return False
        if not regional and arn["region"]:
            return False
        return bool(re.fullmatch(r"\d{12}", arn["account"])) and bool(pattern.fullmatch(arn["resource"]))

    return match


_ELB_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?"
_ALB = rf"app/{_ELB_NAME}/[0-9a-f]{{16}}"
_EVERYWHERE = ("partition", "region", "account")

VPC_ID = Kind("a VPC id", "vpc- and 8 or 17 hex digits, e.g. vpc-0123456789abcdef0", _ec2_id("vpc"))
SUBNET_ID = Kind("a subnet id", "subnet- and 8 or 17 hex digits, e.g. subnet-0123456789abcdef0", _ec2_id("subnet"))
SECURITY_GROUP_ID = Kind(
    "a security group id", "sg- and 8 or 17 hex digits, e.g. sg-0123456789abcdef0", _ec2_id("sg"))
CLUSTER_ARN = Kind(
    "an ECS cluster ARN", "arn:<partition>:ecs:<region>:<account>:cluster/<name>",
    _arn("ecs", r"cluster/[A-Za-z0-9_-]{1,255}"), _EVERYWHERE)
LISTENER_ARN = Kind(
    "a listener ARN",
    "arn:<partition>:elasticloadbalancing:<region>:<account>:listener/app/<load balancer name>/<id>/<listener id>",
    _arn("elasticloadbalancing", rf"listener/{_ALB}/[0-9a-f]{{16}}"), _EVERYWHERE)
LOAD_BALANCER_ARN_SUFFIX = Kind(
    "a load balancer ARN suffix", "app/<load balancer name>/<16 hex digits>, e.g. app/shop/50dc6c495c0c9188",
    lambda value: bool(re.fullmatch(_ALB, value)))
ROLE_ARN = Kind(
    "an IAM role ARN", "arn:<partition>:iam::<account>:role/<name>",
    _arn("iam", r"role/(?:[\x21-\x7e]*/)?[\w+=,.@-]{1,64}", regional=False), ("partition", "account"))
LOG_GROUP_ARN = Kind(
    "a log group ARN", "arn:<partition>:logs:<region>:<account>:log-group:<name>",
    _arn("logs", r"log-group:[.\-_/#A-Za-z0-9]{1,512}(?::\*)?"), _EVERYWHERE)
NAMESPACE_ARN = Kind(
    "a Cloud Map namespace ARN", "arn:<partition>:servicediscovery:<region>:<account>:namespace/ns-<id>",
    _arn("servicediscovery", r"namespace/ns-[a-z0-9]{16}"), _EVERYWHERE)
KMS_KEY_ARN = Kind(
    "a KMS key ARN", "arn:<partition>:kms:<region>:<account>:key/<key id>",
    lambda value: bool(facts.KMS_KEY_ARN_RE.match(value)) and _arn("kms", r"key/.+")(value), ("partition", "region"))
ECS_NAME = Kind(
    "an ECS name", "1-255 letters, digits, hyphens and underscores",
    lambda value: bool(re.fullmatch(r"[A-Za-z0-9_-]{1,255}", value)))
CAPACITY_PROVIDER_NAME = Kind(
    "a capacity provider name", "up to 255 letters, digits, hyphens and underscores, not starting with aws, ecs or "
    "fargate", lambda value: capacity_provider_name_check(value) is None)
CAPACITY_PROVIDER_ARN = Kind(
    "a capacity provider ARN", "arn:<partition>:ecs:<region>:<account>:capacity-provider/<name>",
    _arn("ecs", r"capacity-provider/[A-Za-z0-9_-]{1,255}"), _EVERYWHERE)
_NLB = rf"net/{_ELB_NAME}/[0-9a-f]{{16}}"
NLB_ARN = Kind(
    "a network load balancer ARN", "arn:<partition>:elasticloadbalancing:<region>:<account>:loadbalancer/net/<name>/<id>",
    _arn("elasticloadbalancing", rf"loadbalancer/{_NLB}"), _EVERYWHERE)
NLB_ARN_SUFFIX = Kind(
    "a network load balancer ARN suffix", "net/<load balancer name>/<16 hex digits>, e.g. net/shop/50dc6c495c0c9188",
    lambda value: bool(re.fullmatch(_NLB, value)))
CERTIFICATE_ARN = Kind(
    "an ACM certificate ARN", "arn:<partition>:acm:<region>:<account>:certificate/<uuid>",
    lambda value: bool(facts.ACM_CERTIFICATE_ARN_RE.fullmatch(value)), ("partition", "region"))
PREFIX_LIST_ID = Kind("a prefix list id", "pl- and 8 or 17 hex digits, e.g. pl-0123456789abcdef0", _ec2_id("pl"))
LATTICE_NETWORK = Kind(
    "a VPC Lattice service network", "sn- and 17 characters, or arn:<partition>:vpc-lattice:<region>:<account>:"
    "servicenetwork/sn-<17 characters>",
    lambda value: bool(re.fullmatch(r"sn-[0-9a-z]{17}", value) or facts.LATTICE_SERVICE_NETWORK_ARN_RE.fullmatch(value)),
    ("partition", "region"))
PRIVATE_CA_ARN = Kind(
    "an AWS Private CA ARN", "arn:<partition>:acm-pca:<region>:<account>:certificate-authority/<uuid>",
    lambda value: bool(facts.PRIVATE_CA_ARN_RE.fullmatch(value)), ("partition", "region"))
REGION = Kind(
    "an AWS region", "a region name, e.g. us-east-1; see "
    "https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html",
    lambda value: value in facts.PARTITION_OF_REGION)


def load_balancer_of(listener_arn: str) -> str | None:
    """The ARN suffix (``app/<name>/<id>``) of the load balancer a listener ARN belongs to."""
    arn = parse_arn(listener_arn)
    if arn is None:
        return None
    return "/".join(arn["resource"].split("/")[1:4])


# --- the values, plain or Output -----------------------------------------------------------


def _plain_list(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and not any(isinstance(v, pulumi.Output) for v in value)


def list_problems(path: str, value: Any, kind: Kind, *, min_items: int = 1) -> list[str]:
    """A list of ``kind`` (a plain list; items may be Outputs): at least ``min_items``, each once."""
    if value is None:
        return [f"{path}: None is missing (allowed: a list of {min_items} or more of {kind.what}, "
                "or a pulumi.Output of one)"]  # fmt: skip
    if isinstance(value, str):
        return [f"{path}: {show(value)} is a string where a list belongs (allowed: a list of {kind.what}, "
                "or a pulumi.Output of one)"]  # fmt: skip
    if isinstance(value, pulumi.Output):
        return []
    if not isinstance(value, (list, tuple)):
        return [f"{path}: {show(value)} is not a list (allowed: a list of {kind.what})"]
    out: list[str] = []
    if len(value) < min_items:
        out.append(f"{path}: {show(list(value))} has {len(value)} item(s) (allowed: {min_items} or more of "
                   f"{kind.what}{'; an application load balancer needs subnets in two zones' if min_items > 1 else ''})")
    for i, item in enumerate(value):
        if isinstance(item, pulumi.Output):
            continue
        problem = kind.problem(item)
        if problem:
            out.append(f"{path}[{i}]: {problem}")
        elif item in value[:i]:
            out.append(f"{path}[{i}]: {show(item)} is listed twice (allowed: each once)")
    return out


def deferred_wiring(value: pulumi.Input[Any], kind: Kind, path: str, *, many: bool = False,
                    min_items: int = 1) -> pulumi.Input[Any]:  # fmt: skip
    """``value`` as it is when plain (checked up front), or checked once known when it is an
    Output or holds one: the deployment fails, naming ``path``, before whatever uses it."""
    if many:
        if _plain_list(value) or value is None or isinstance(value, str):
            return value
        if isinstance(value, (list, tuple)):  # a list of Outputs stays a list (one mount target each)
            return [deferred_wiring(item, kind, f"{path}[{i}]") for i, item in enumerate(value)]

        def verify_list(known: Any) -> Any:
            problems = list_problems(path, list(known) if isinstance(known, (list, tuple)) else known, kind,
                                     min_items=min_items)  # fmt: skip
            if problems:
                raise deferred_error(problems)
            return known

        return pulumi.Output.from_input(value).apply(verify_list)
    if not isinstance(value, pulumi.Output):
        return value

    def verify(known: Any) -> Any:
        problem = kind.problem(known)
        if problem:
            raise deferred_error([f"{path}: {problem}"])
        return known

    return value.apply(verify)


def in_stack(value: pulumi.Input[str], kind: Kind, path: str, ctx: Any) -> pulumi.Input[str]:
    """``value``, checked once it and the stack's partition, region and account (``ctx``, an
    :class:`~ecs_platform.iam.AwsContext`) are known: in the stack, for ``kind.scope``."""
    if not kind.scope or value is None:
        return value
    parts = (ctx.partition, ctx.region, ctx.account_id)
    if isinstance(value, str) and all(isinstance(p, str) for p in parts):
        return value  # checked up front (Boundary.context_problems)

    def verify(known: list[Any]) -> str:
        arn, partition, region, account = (str(v) for v in known)
        problem = kind.problem(arn) or kind.context_problem(arn, partition, region, account)
        if problem:
            raise deferred_error([f"{path}: {problem}"])
        return arn

    return pulumi.Output.all(value, *parts).apply(verify)


def context_values(ctx: Any) -> tuple[str, str, str] | None:
    """``(partition, region, account)`` when all three are plain strings, else ``None``."""
    parts = (ctx.partition, ctx.region, ctx.account_id) if ctx is not None else ()
    if len(parts) == 3 and all(isinstance(p, str) for p in parts):
        return parts[0], parts[1], parts[2]
    return None


def context_problems(component: str, ctx: Any) -> list[str]:
    """An :class:`~ecs_platform.iam.AwsContext`'s plain values: a 12-digit account, a region
    AWS has, in the partition given."""
    out: list[str] = []
    region, partition, account = ctx.region, ctx.partition, ctx.account_id
    if isinstance(region, str) and REGION.problem(region):
        out.append(f"{component}.context.region: {REGION.problem(region)}")
    elif isinstance(region, str) and isinstance(partition, str) and facts.PARTITION_OF_REGION[region] != partition:
        out.append(f"{component}.context.partition: {show(partition)} is not the partition of {region} "
                   f"(allowed: {facts.PARTITION_OF_REGION[region]})")  # fmt: skip
    if isinstance(partition, str) and partition not in facts.REGIONS:
        out.append(f"{component}.context.partition: {show(partition)} is not an AWS partition (allowed: "
                   f"{allowed(list(facts.REGIONS))})")  # fmt: skip
    if isinstance(account, str) and not re.fullmatch(r"\d{12}", account):
        out.append(f"{component}.context.account_id: {show(account)} is not an AWS account id (allowed: 12 digits)")
    return out


# --- the old helpers, kept for the components that only need presence checks ------------------


def wiring_problems(component: str, required: Mapping[str, Any], lists: Mapping[str, Any]) -> list[str]:
    """``required``: name -> value that must not be None. ``lists``: name -> value that
    must be a list (or an Output of one) of strings or Outputs."""
    out: list[str] = []
    for name, value in required.items():
        if value is None:
            out.append(f"{component}.{name}: None is missing (allowed: a value or a pulumi.Output of one)")
        elif not isinstance(value, (str, pulumi.Output)):
            out.append(f"{component}.{name}: {show(value)} is not a string (allowed: a string or a pulumi.Output)")
    for name, value in lists.items():
        if value is None:
            out.append(f"{component}.{name}: None is missing (allowed: a list or a pulumi.Output of one)")
        elif isinstance(value, str):
            out.append(f"{component}.{name}: {show(value)} is a string where a list belongs "
                       "(allowed: a list of strings, or a pulumi.Output of one)")  # fmt: skip
        elif not isinstance(value, pulumi.Output):
            if not isinstance(value, (list, tuple)):
                out.append(f"{component}.{name}: {show(value)} is not a list (allowed: a list of strings)")
                continue
            for i, item in enumerate(value):
                if not isinstance(item, (str, pulumi.Output)):
                    out.append(f"{component}.{name}[{i}]: {show(item)} is not a string "
                               "(allowed: a string or a pulumi.Output)")  # fmt: skip
    return out


def check_wiring(component: str, required: Mapping[str, Any], lists: Mapping[str, Any] | None = None) -> None:
    """Raise a :class:`~ecs_platform.errors.ConfigError` listing every bad wiring value."""
    raise_if(wiring_problems(component, required, lists or {}), component)

