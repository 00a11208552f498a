"""The scalar field types of the model, each a rule AWS (or the platform) sets.

Each check returns the problem with a value (the text after ``<path>: ``) or
``None``; the type wraps it for pydantic. Facts come from :mod:`ecs_platform.facts`.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any

import pulumi
from pydantic import BeforeValidator, WithJsonSchema
from pydantic_core import core_schema

from ecs_platform import facts as f
from ecs_platform.errors import allowed, show
from ecs_platform.specs.base import Check, Choice, InputCheck, InputRule, Int, Rule, deferred

LaunchType = Annotated[str, Choice(*f.LAUNCH_TYPES)]
Architecture = Annotated[str, Choice(*f.ARCHITECTURES)]
NetworkMode = Annotated[str, Choice("awsvpc", "bridge", "host")]
Port = Annotated[int, Int(1, 65535)]
#: ECS's desiredCount is an int32 (CreateService API reference).
Count = Annotated[int, Int(0, 2147483647)]
#: A string another resource may produce: a plain value or a ``pulumi.Output``.
InputStr = str | pulumi.Output[str]


def image_check(value: Any) -> str | None:
    """ECS's image grammar (see :data:`facts.IMAGE_NAME_RE`)."""
    example = "e.g. public.ecr.aws/nginx/nginx:1.27"
    if not isinstance(value, str) or not value.strip():
        return f"{show(value)} is missing (allowed: an image reference, {example})"
    name, at, digest = value.partition("@")
    if len(name) > 255:
        return (f"{show(value)} is {len(name)} characters before any digest (allowed: an image reference of up to "
                "255 characters)")  # fmt: skip
    if not f.IMAGE_NAME_RE.fullmatch(name) or (at and not f.IMAGE_DIGEST_RE.fullmatch(digest)):
        return (f"{show(value)} is not an image reference ECS accepts (allowed: up to 255 letters, digits and "
                "- _ : . / #, optionally followed by @sha256: and 64 hex digits; "
                f"{example})")  # fmt: skip
    return None


Image = Annotated[InputStr, InputRule(image_check, "an image reference, e.g. public.ecr.aws/nginx/nginx:1.27")]


#: C0 and C1 control characters, DEL and the Unicode line and paragraph separators: CR and LF
#: end an HTTP header or request line (RFC 9112 2.2, "A sender MUST NOT generate a bare CR"; a
#: field value is visible characters, RFC 9110 5.5), and none of them is a character of a URI
#: (RFC 3986 2) or a host name (RFC 1123 2.1). No path, host or header value AWS takes holds one.
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def control_problem(value: Any, what: str) -> str | None:
    """The first control character of ``value`` (a path, host or header value), by code point."""
    m = CONTROL_RE.search(value) if isinstance(value, str) else None
    if m is None:
        return None
    return (f"{show(value)} contains the control character U+{ord(m.group()):04X} at position {m.start()} "
            f"(allowed: {what} without control characters such as CR or LF)")  # fmt: skip


def arn_region_problem(arn: str) -> str | None:
    """An ARN's region is one AWS has, in the ARN's own partition (botocore's partitions, the
    list :data:`facts.REGIONS` keeps); an empty or wildcard region is left alone."""
    parts = arn.split(":")
    if len(parts) < 4 or not parts[3] or any(c in parts[3] for c in "*?"):
        return None
    partition, region = parts[1], parts[3]
    if f.PARTITION_OF_REGION.get(region) == partition:
        return None
    if region in f.PARTITION_OF_REGION:
        return (f"{show(arn)} names region {region}, which is in partition {f.PARTITION_OF_REGION[region]}, not "
                f"{partition} (allowed: an arn:{f.PARTITION_OF_REGION[region]}:... ARN, or a region of {partition})")
    regions = f.REGIONS.get(partition)
    shown = allowed(regions) if regions else "a region of a partition AWS has"
    return f"{show(arn)} names region {region}, which AWS does not have (allowed: {shown})"


def secret_arn_check(value: Any) -> str | None:
    problem = control_problem(value, "a secret ARN")
    if problem:
        return problem
    if isinstance(value, str) and (f.SECRETS_MANAGER_ARN_RE.fullmatch(value) or f.SSM_PARAMETER_ARN_RE.fullmatch(value)):
        return arn_region_problem(value)
    return (
        f"{show(value)} is not a secret reference (allowed: a Secrets Manager secret ARN "
        "arn:aws:secretsmanager:<region>:<account>:secret:<name>[:<json-key>:<stage>:<version>] "
        "or an SSM parameter ARN arn:aws:ssm:<region>:<account>:parameter/<name>)"
    )


SecretArn = Annotated[InputStr, InputRule(secret_arn_check, "a Secrets Manager secret ARN or an SSM parameter ARN")]


def env_name_check(value: Any) -> str | None:
    if isinstance(value, str) and f.ENV_NAME_RE.fullmatch(value):
        return None
    return (f"{show(value)} is not a valid variable name "
            "(allowed: letters, digits and underscores, not starting with a digit)")  # fmt: skip


EnvName = Annotated[str, Rule(env_name_check, "an environment variable name", f.ENV_NAME_RE.pattern)]


def credential_name_check(name: str) -> str | None:
    """A plain environment variable must not carry a credential (Security Hub ECS.8)."""
    if f.credential_in(name=name):
        return (f"{show(name)} looks like a credential in a plain environment variable "
                "(allowed: put it under `secrets` as a Secrets Manager or SSM parameter ARN)")  # fmt: skip
    return None


def env_value_check(value: Any) -> str | None:
    if not isinstance(value, str):
        return f"{show(value)} is not a string (allowed: a string value)"
    if "\x00" in value:
        return "the value contains a NUL character (allowed: text without NUL; a process environment cannot hold it)"
    what = f.credential_in(value=value)
    if what:
        return (f"the value looks like {what} (allowed: no credentials in plain environment variables; "
                "use the task role for AWS access, `secrets` for the rest)")  # fmt: skip
    return None


def _env_text(value: Any) -> Any:
    """Plain YAML scalars are written as their text: ``8080`` -> ``"8080"``, ``true`` -> ``"true"``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return value


#: A plain environment value: a string (numbers and booleans as their YAML text) or an Output.
EnvValue = Annotated[
    InputStr,
    InputRule(env_value_check, "a string"),
    BeforeValidator(_env_text),
    WithJsonSchema({"type": ["string", "number", "boolean"]}),
]


def iam_action_check(value: Any) -> str | None:
    if isinstance(value, str) and f.IAM_ACTION_RE.fullmatch(value) and not f.is_wildcard(value):
        return None
    return (f"{show(value)} is not a specific IAM action (allowed: service:Action, e.g. s3:GetObject; "
            "wildcards for every action such as `*`, `service:*`, `service:**` are refused)")  # fmt: skip


IamAction = Annotated[str, Rule(iam_action_check, "an IAM action, service:Action")]


def iam_resource_check(value: Any) -> str | None:
    problem = control_problem(value, "a resource ARN")
    if problem:
        return problem
    if isinstance(value, str) and f.ARN_RE.fullmatch(value) and not f.is_wildcard(value):
        return arn_region_problem(value)
    return (f"{show(value)} is not a resource ARN (allowed: an ARN such as arn:aws:s3:::my-bucket/*; "
            "wildcards for every resource such as `*` or arn:aws:s3:::* are refused)")  # fmt: skip


ResourceArn = Annotated[InputStr, InputRule(iam_resource_check, "a resource ARN")]


def grant_resource_check(value: Any) -> str | None:
    """A task-role grant's resource: an ARN, or a bare ``*``, which the statement as a
    whole must justify (:meth:`~ecs_platform.specs.PermissionSpec` asks the Service
    Authorization Reference whether its actions can act on no resource)."""
    return None if value == "*" else iam_resource_check(value)


@dataclass(frozen=True, eq=False)
class _GrantResourceCheck(InputCheck):
    """A plain ``*`` passes here (its statement judges it); an Output must resolve to an
    ARN, since the statement's rule has already run by the time it is known."""

    def validate(self, value: Any, info: core_schema.ValidationInfo) -> Any:
        if isinstance(value, pulumi.Output):
            return deferred(value, iam_resource_check, info.field_name or "value")
        return Check.validate(self, value, info)


#: A grant's resource: an ARN (may be an Output) or ``*`` for actions AWS cannot scope.
GrantResource = Annotated[
    InputStr,
    _GrantResourceCheck(grant_resource_check, {"type": "string", "description": 'a resource ARN, or "*"'},
                        'a resource ARN, or "*"'),
]


def abs_path_check(value: Any) -> str | None:
    """An absolute path written in its one normal form (so ``/tmp`` and ``/tmp/.`` cannot
    both be listed), below ``/`` and outside the kernel's ``/proc``, ``/sys`` and ``/dev``."""
    problem = control_problem(value, "an absolute container path")
    if problem:
        return problem
    if not isinstance(value, str) or not value.startswith("/"):
        return f"{show(value)} is not an absolute container path (allowed: e.g. /tmp)"
    normal = posixpath.normpath(value)
    if normal.startswith("//"):
        normal = normal[1:]
    if normal != value:
        return f"{show(value)} is not in normal form (allowed: {show(normal)})"
    if value == "/" or any(value == p or value.startswith(p + "/") for p in f.KERNEL_PATHS):
        return (f"{show(value)} is the root or a kernel file system "
                f"(allowed: a path below / outside {', '.join(f.KERNEL_PATHS)})")  # fmt: skip
    return None


ContainerPath = Annotated[str, Rule(abs_path_check, "an absolute container path", "^/")]


def certificate_arn_check(value: Any) -> str | None:
    if isinstance(value, str) and f.ACM_CERTIFICATE_ARN_RE.fullmatch(value):
        return None
    return (f"{show(value)} is not an ACM certificate ARN "
            "(allowed: arn:aws:acm:<region>:<account>:certificate/<uuid>)")  # fmt: skip


CertificateArn = Annotated[InputStr, InputRule(certificate_arn_check, "an ACM certificate ARN")]


def ssl_policy_check(value: Any) -> str | None:
    if value in f.SSL_POLICIES:
        return None
    return (f"{show(value)} is not a TLS 1.3 security policy of the load balancer (allowed: a predefined "
            f"ELBSecurityPolicy-TLS13-1-2-* or ELBSecurityPolicy-TLS13-1-3-* policy, e.g. {f.DEFAULT_SSL_POLICY}; "
            "see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html)")


SslPolicy = Annotated[
    str, Check(ssl_policy_check, {"type": "string", "enum": list(f.SSL_POLICIES)}, "an ELB TLS 1.3 security policy")
]


def path_pattern_check(value: Any) -> str | None:
    problem = control_problem(value, "a path pattern")
    if problem:
        return problem
    if isinstance(value, str) and f.PATH_PATTERN_RE.fullmatch(value):
        return None
    return (f"{show(value)} is not a path pattern (allowed: up to 128 characters starting "
            "with /, letters, digits, _-.$/~\"'@:+& and the wildcards * and ?)")  # fmt: skip


PathPattern = Annotated[str, Rule(path_pattern_check, "an ALB path pattern", f.PATH_PATTERN_RE.pattern)]


def host_pattern_check(value: Any) -> str | None:
    problem = control_problem(value, "a host pattern")
    if problem:
        return problem
    if isinstance(value, str) and f.HOST_PATTERN_RE.fullmatch(value) and "." in value:
        return None
    return (f"{show(value)} is not a host name pattern (allowed: e.g. api.example.com or "
            "*.example.com; letters, digits, hyphens, dots and the wildcards * and ?)")  # fmt: skip


HostPattern = Annotated[str, Rule(host_pattern_check, "an ALB host pattern", f.HOST_PATTERN_RE.pattern)]


def cidr_check(value: Any) -> str | None:
    if isinstance(value, str):
        try:
            ipaddress.IPv4Network(value, strict=True)
            return None
        except ValueError:
            pass
    return f"{show(value)} is not an IPv4 CIDR block (allowed: e.g. 203.0.113.0/24)"


Cidr = Annotated[str, Rule(cidr_check, "an IPv4 CIDR block")]


def vpc_cidr_check(value: Any) -> str | None:
    if cidr_check(value) is None and ipaddress.IPv4Network(value).prefixlen == 16:
        return None
    return f"{show(value)} is not a /16 IPv4 CIDR block (allowed: e.g. 10.0.0.0/16; each zone gets a /19 of it)"


VpcCidr = Annotated[str, Rule(vpc_cidr_check, "a /16 IPv4 CIDR block")]


def matcher_check(value: Any) -> str | None:
    if isinstance(value, str) and f.MATCHER_RE.fullmatch(value) and all(
        200 <= int(c) <= 499 for c in re.split(r"[-,]", value)
    ):
        return None
    return f'{show(value)} is not an HTTP code matcher (allowed: codes 200..499 as "200", "200,302" or "200-399")'


Matcher = Annotated[str, Rule(matcher_check, "HTTP codes: 200, 200,302 or 200-399", f.MATCHER_RE.pattern)]


def tag_text_check(what: str, max_len: int) -> Any:
    def check(value: Any) -> str | None:
        if isinstance(value, str) and 0 < len(value) <= max_len and f.TAG_TEXT_RE.fullmatch(value):
            if not value.lower().startswith("aws:"):
                return None
            return f"{show(value)} starts with aws:, which AWS reserves (allowed: another {what})"
        return (f"{show(value)} is not a valid {what} (allowed: 1-{max_len} letters, digits, spaces "
                "and _ . : / = + - @)")  # fmt: skip

    return check


TagKey = Annotated[str, Rule(tag_text_check("tag key", 128), "a tag key")]
TagValue = Annotated[str, Rule(tag_text_check("tag value", 256), "a tag value")]
#: A waiver's reason becomes a tag value.
Reason = Annotated[str, Rule(tag_text_check("reason (it becomes a tag value)", 256), "why (it becomes a tag value)")]
def waivable_check(value: Any) -> str | None:
    if value in f.SERVICE_WAIVABLE:
        return None
    return f"{show(value)} is not a control a service may waive (allowed: {allowed(f.SERVICE_WAIVABLE)})"


WaivableControl = Annotated[
    str, Check(waivable_check, {"type": "string", "enum": list(f.SERVICE_WAIVABLE)}, "a control a service may waive")
]


def health_path_check(value: Any) -> str | None:
    problem = control_problem(value, "an HTTP path")
    if problem:
        return problem
    if isinstance(value, str) and value.startswith("/") and len(value) <= 1024:
        return None
    return f"{show(value)} is not a health check path (allowed: up to 1024 characters starting with /)"


HealthCheckPath = Annotated[str, Rule(health_path_check, "an HTTP path", "^/")]


def bucket_check(value: Any) -> str | None:
    """S3's bucket naming rules (see :data:`facts.BUCKET_NAME_RE`)."""
    if isinstance(value, str) and f.BUCKET_NAME_RE.fullmatch(value):
        if ".." in value:
            return f"{show(value)} has two adjacent dots (allowed: an S3 bucket name without them)"
        if re.fullmatch(r"\d+\.\d+\.\d+\.\d+", value):
            return f"{show(value)} is formatted as an IP address (allowed: an S3 bucket name that is not)"
        if value.startswith(f.BUCKET_RESERVED_PREFIXES) or value.endswith(f.BUCKET_RESERVED_SUFFIXES):
            return (f"{show(value)} uses a prefix or suffix S3 reserves (allowed: a name that does not start with "
                    f"{', '.join(f.BUCKET_RESERVED_PREFIXES)} nor end with {', '.join(f.BUCKET_RESERVED_SUFFIXES)})")
        return None
    return (f"{show(value)} is not an S3 bucket name (allowed: 3-63 lowercase letters, digits, dots and hyphens, "
            "starting and ending with a letter or digit)")  # fmt: skip


BucketName = Annotated[InputStr, InputRule(bucket_check, "an S3 bucket name")]


def service_name_check(value: Any) -> str | None:
    if value in f.RESERVED_SERVICE_NAMES:
        return (f"{show(value)} is reserved (allowed: another name; /ecs/<project>-<stack>/exec "
                "is the cluster's ECS Exec audit log group)")  # fmt: skip
    if isinstance(value, str) and f.SERVICE_NAME_RE.fullmatch(value):
        return None
    return (f"{show(value)} is not a valid service name (allowed: 1-{f.SERVICE_NAME_MAX} lowercase letters, digits and "
            "hyphens, starting with a letter and not ending with a hyphen)")  # fmt: skip


ServiceName = Annotated[str, Rule(service_name_check, "a service name", f.SERVICE_NAME_RE.pattern)]


LogRetention = Annotated[int, Choice(*f.LOG_RETENTION_DAYS)]

#: SSM activations last 30 days at most (CreateActivation, ExpirationDate).
MAX_ACTIVATION_DAYS = 30


def expiration_check(value: Any, today: dt.date | None = None) -> str | None:
    """An activation expiry: a date (YYYY-MM-DD, UTC) in the next 30 days."""
    today = today or dt.datetime.now(dt.UTC).date()
    try:
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    except ValueError:
        return f"{show(value)} is not a date (allowed: YYYY-MM-DD)"
    if not today < day <= today + dt.timedelta(days=MAX_ACTIVATION_DAYS):
        return (
            f"{show(str(value))} is not within the next {MAX_ACTIVATION_DAYS} days "
            f"(allowed: {today + dt.timedelta(days=1)}..{today + dt.timedelta(days=MAX_ACTIVATION_DAYS)}; "
            "SSM activations last 30 days at most: set a new date to rotate the activation, "
            "or remove the key)"
        )
    return None


def capacity_provider_name_check(name: Any) -> str | None:
    """CreateCapacityProvider: 1-255 letters, digits, hyphens, underscores; not aws*/ecs*/fargate*."""
    if isinstance(name, str) and re.fullmatch(r"[A-Za-z0-9_-]{1,255}", name) and not name.lower().startswith(
        ("aws", "ecs", "fargate")
    ):
        return None
    return (f"{show(name)} is not a capacity provider name AWS accepts (allowed: up to 255 "
            "letters, digits, hyphens and underscores, not starting with aws, ecs or fargate)")  # fmt: skip


def grant_problems(actions: Sequence[str], resources: Sequence[Any]) -> list[tuple[tuple[str | int, ...], str]]:
    """One task-role statement checked against AWS's Service Authorization Reference: every
    action is one AWS lists (a misspelt action grants nothing), ``"*"`` stands alone and only
    for actions that AWS lets act on no resource (:func:`iam_reference.unscoped`), and every
    resource is of a kind its actions act on (:func:`iam_reference.resource_mismatch`)."""
    from ecs_platform import iam_reference  # the reference loads on first use only

    out: list[tuple[tuple[str | int, ...], str]] = []
    for i, action in enumerate(actions):
        problem = iam_reference.unknown_action_problem(action)
        if problem:
            out.append((("actions", i), problem))
    stars = [i for i, r in enumerate(resources) if isinstance(r, str) and r == "*"]
    if stars and len(resources) > 1:
        out.append((("resources", stars[0]), '"*" is listed with other resources, which it already covers '
                                             '(allowed: "*" alone, or ARNs only)'))  # fmt: skip
    elif stars:
        problem = iam_reference.wildcard_resource_problem(actions)
        if problem:
            out.append((("resources", stars[0]), problem))
    # A resource of the wrong kind grants nothing (the class Parliament calls RESOURCE_MISMATCH).
    out += [((key, i), msg) for key, i, msg in iam_reference.resource_mismatch(actions, resources)]
    return out


#: ``kmsKey: create``: the stack creates the key.
CREATE_KEY = "create"


def kms_key_check(value: Any) -> str | None:
    if value == CREATE_KEY or (isinstance(value, str) and f.KMS_KEY_ARN_RE.fullmatch(value)):
        return None
    return (f"{show(value)} is not a KMS key (allowed: create, or a key ARN "
            "arn:aws:kms:<region>:<account>:key/<id>; CloudWatch Logs takes no alias)")  # fmt: skip


KmsKey = Annotated[InputStr, InputRule(kms_key_check, "create, or a KMS key ARN")]


def kms_key_arn_check(value: Any) -> str | None:
    """A KMS key ARN, not an alias: an IAM policy's ``Resource`` controls use of a key only by
    the key's ARN (an alias ARN there governs the alias's own operations).
    https://docs.aws.amazon.com/kms/latest/developerguide/cmks-in-iam-policies.html"""
    if isinstance(value, str) and f.KMS_KEY_ARN_RE.match(value):
        return None
    return (f"{show(value)} is not a KMS key ARN (allowed: arn:aws:kms:<region>:<account>:key/<id>; an IAM policy "
            "names a key by its ARN, not an alias)")  # fmt: skip


KmsKeyArn = Annotated[InputStr, InputRule(kms_key_arn_check, "a KMS key ARN")]


def zone_id_check(value: Any) -> str | None:
    if isinstance(value, str) and f.ZONE_ID_RE.fullmatch(value):
        return None
    return f"{show(value)} is not an availability zone ID (allowed: e.g. use1-az1, euw1-az2)"


ZoneId = Annotated[str, Rule(zone_id_check, "an availability zone ID", f.ZONE_ID_RE.pattern)]


def alarm_name_check(value: Any) -> str | None:
    """A CloudWatch alarm name (see :data:`facts.ALARM_NAME_MAX`)."""
    if (isinstance(value, str) and value.strip() and len(value) <= f.ALARM_NAME_MAX
            and not any(ord(c) < 32 or ord(c) == 127 for c in value)):  # fmt: skip
        return None
    return (f"{show(value)} is not a CloudWatch alarm name (allowed: 1-{f.ALARM_NAME_MAX} characters, not only "
            "white space, without ASCII control characters)")  # fmt: skip


AlarmName = Annotated[str, Rule(alarm_name_check, "a CloudWatch alarm name")]


def tenths_check(lo: float, hi: float) -> Any:
    """A number from ``lo`` to ``hi`` in steps of 0.1 (ECS's traffic percentages)."""

    def check(value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"{show(value)} is not a number (allowed: {lo}..{hi} in steps of 0.1)"
        if not lo <= value <= hi or abs(value * 10 - round(value * 10)) > 1e-9:
            return f"{value} is not allowed (allowed: {lo}..{hi} in steps of 0.1)"
        return None

    return check


def Tenths(lo: float, hi: float) -> Check:
    """A percentage ``lo``..``hi`` in steps of 0.1; ``True`` and ``"10"`` are refused."""
    # No JSON Schema multipleOf: validators compute it in binary floating point (10.3 / 0.1 fails).
    schema = {"type": "number", "minimum": lo, "maximum": hi, "description": f"{lo}..{hi} in steps of 0.1"}
    return Check(tenths_check(lo, hi), schema, f"{lo}..{hi} in steps of 0.1")
