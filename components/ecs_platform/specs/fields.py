"""The scalar field types of the model, each a rule AWS (or the platform) sets.

Each check returns the problem with a value (the text after ``<path>: ``) or
``None``; the type wraps it for pydantic. Facts come from :mod:`ecs_platform.facts`.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from typing import Annotated, Any

import pulumi
from pydantic import BeforeValidator, WithJsonSchema

from ecs_platform import facts as f
from ecs_platform.errors import allowed, show
from ecs_platform.specs.base import Check, Choice, InputRule, Int, Rule

LaunchType = Annotated[str, Choice(*f.LAUNCH_TYPES)]
Architecture = Annotated[str, Choice(*f.ARCHITECTURES)]
NetworkMode = Annotated[str, Choice("awsvpc", "bridge", "host")]
Port = Annotated[int, Int(1, 65535)]
#: ECS's desiredCount is an int32 (CreateService API reference).
Count = Annotated[int, Int(0, 2147483647)]
#: A string another resource may produce: a plain value or a ``pulumi.Output``.
InputStr = str | pulumi.Output[str]


def image_check(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return f"{show(value)} is missing (allowed: an image reference, e.g. public.ecr.aws/nginx/nginx:1.27)"
    if any(c.isspace() for c in value):
        return f"{show(value)} contains whitespace (allowed: an image reference)"
    return None


Image = Annotated[InputStr, InputRule(image_check, "an image reference, e.g. public.ecr.aws/nginx/nginx:1.27")]


def secret_arn_check(value: Any) -> str | None:
    if isinstance(value, str) and (f.SECRETS_MANAGER_ARN_RE.match(value) or f.SSM_PARAMETER_ARN_RE.match(value)):
        return None
    return (
        f"{show(value)} is not a secret reference (allowed: a Secrets Manager secret ARN "
        "arn:aws:secretsmanager:<region>:<account>:secret:<name>[:<json-key>:<stage>:<version>] "
        "or an SSM parameter ARN arn:aws:ssm:<region>:<account>:parameter/<name>)"
    )


SecretArn = Annotated[InputStr, InputRule(secret_arn_check, "a Secrets Manager secret ARN or an SSM parameter ARN")]


def env_name_check(value: Any) -> str | None:
    if isinstance(value, str) and f.ENV_NAME_RE.match(value):
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
    if isinstance(value, str) and f.IAM_ACTION_RE.match(value) and not f.is_wildcard(value):
        return None
    return (f"{show(value)} is not a specific IAM action (allowed: service:Action, e.g. s3:GetObject; "
            "wildcards for every action such as `*`, `service:*`, `service:**` are refused)")  # fmt: skip


IamAction = Annotated[str, Rule(iam_action_check, "an IAM action, service:Action")]


def iam_resource_check(value: Any) -> str | None:
    if isinstance(value, str) and f.ARN_RE.match(value) and not f.is_wildcard(value):
        return None
    return (f"{show(value)} is not a resource ARN (allowed: an ARN such as arn:aws:s3:::my-bucket/*; "
            "wildcards for every resource such as `*` or arn:aws:s3:::* are refused)")  # fmt: skip


ResourceArn = Annotated[InputStr, InputRule(iam_resource_check, "a resource ARN")]


def abs_path_check(value: Any) -> str | None:
    if isinstance(value, str) and value.startswith("/") and ".." not in value.split("/"):
        return None
    return f"{show(value)} is not an absolute container path (allowed: e.g. /tmp)"


ContainerPath = Annotated[str, Rule(abs_path_check, "an absolute container path", "^/")]


def certificate_arn_check(value: Any) -> str | None:
    if isinstance(value, str) and f.ACM_CERTIFICATE_ARN_RE.match(value):
        return None
    return (f"{show(value)} is not an ACM certificate ARN "
            "(allowed: arn:aws:acm:<region>:<account>:certificate/<uuid>)")  # fmt: skip


CertificateArn = Annotated[InputStr, InputRule(certificate_arn_check, "an ACM certificate ARN")]


def ssl_policy_check(value: Any) -> str | None:
    if isinstance(value, str) and f.SSL_POLICY_RE.match(value):
        return None
    return (f"{show(value)} is not a TLS 1.3 security policy (allowed: ELBSecurityPolicy-TLS13-1-2-* or "
            f"ELBSecurityPolicy-TLS13-1-3-*, e.g. {f.DEFAULT_SSL_POLICY})")  # fmt: skip


SslPolicy = Annotated[str, Rule(ssl_policy_check, "an ELB TLS 1.3 security policy", f.SSL_POLICY_RE.pattern)]


def path_pattern_check(value: Any) -> str | None:
    if isinstance(value, str) and f.PATH_PATTERN_RE.match(value):
        return None
    return (f"{show(value)} is not a path pattern (allowed: up to 128 characters starting "
            "with /, letters, digits, _-.$/~\"'@:+& and the wildcards * and ?)")  # fmt: skip


PathPattern = Annotated[str, Rule(path_pattern_check, "an ALB path pattern", f.PATH_PATTERN_RE.pattern)]


def host_pattern_check(value: Any) -> str | None:
    if isinstance(value, str) and f.HOST_PATTERN_RE.match(value) and "." in value:
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
    if isinstance(value, str) and f.MATCHER_RE.match(value) and all(
        200 <= int(c) <= 499 for c in re.split(r"[-,]", value)
    ):
        return None
    return f'{show(value)} is not an HTTP code matcher (allowed: codes 200..499 as "200", "200,302" or "200-399")'


Matcher = Annotated[str, Rule(matcher_check, "HTTP codes: 200, 200,302 or 200-399", f.MATCHER_RE.pattern)]


def tag_text_check(what: str, max_len: int) -> Any:
    def check(value: Any) -> str | None:
        if isinstance(value, str) and 0 < len(value) <= max_len and f.TAG_TEXT_RE.match(value):
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
    if isinstance(value, str) and value.startswith("/") and len(value) <= 1024:
        return None
    return f"{show(value)} is not a health check path (allowed: up to 1024 characters starting with /)"


HealthCheckPath = Annotated[str, Rule(health_path_check, "an HTTP path", "^/")]


def bucket_check(value: Any) -> str | None:
    if isinstance(value, str) and f.BUCKET_NAME_RE.match(value):
        return None
    return f"{show(value)} is not an S3 bucket name (allowed: 3-63 lowercase letters, digits, dots and hyphens)"


BucketName = Annotated[InputStr, InputRule(bucket_check, "an S3 bucket name")]


def service_name_check(value: Any) -> str | None:
    if value in f.RESERVED_SERVICE_NAMES:
        return (f"{show(value)} is reserved (allowed: another name; /ecs/<project>-<stack>/exec "
                "is the cluster's ECS Exec audit log group)")  # fmt: skip
    if isinstance(value, str) and f.SERVICE_NAME_RE.match(value):
        return None
    return (f"{show(value)} is not a valid service name (allowed: 1-24 lowercase letters, digits and "
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
