"""The rules every input is checked against, shared by stack config and component args.

Each rule takes the *path* of the value (``ecs-platform:services.api.memory`` for
stack config, ``ServiceArgs.memory`` for a component argument) and the value, and
returns a list of problems, one line each: the path, the value and what is
allowed. Nothing here talks to Pulumi or AWS, so the rules are cheap to test and
run before any resource is registered.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pulumi

LAUNCH_TYPES = ("FARGATE", "FARGATE_SPOT", "EC2", "EXTERNAL")
ARCHITECTURES = ("X86_64", "ARM64")
NAT_STRATEGIES = ("Single", "OnePerAz")
CONTAINER_INSIGHTS = ("enabled", "enhanced", "disabled")
DESYNC_MODES = ("defensive", "strictest")
#: Security Hub controls a service may turn off in config, visibly: ECS.5
#: (read-only root filesystem), ECS.17 (host networking), ECS.20 (non-root user).
SERVICE_WAIVABLE = ("ECS.5", "ECS.17", "ECS.20")
#: Tag key under which a resource records a waived control and the reason.
WAIVER_TAG = "ecs-platform:waiver:"
#: AWS's current console default: TLS 1.3 and 1.2, restricted ciphers, post-quantum
#: key exchange. https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html
DEFAULT_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"
SSL_POLICY_RE = re.compile(r"^ELBSecurityPolicy-TLS13-1-[23]-[A-Za-z0-9-]+$")
PATH_PATTERN_RE = re.compile(r"^/[A-Za-z0-9_\-.$/~\"'@:+&*?]{0,127}$")
HOST_PATTERN_RE = re.compile(r"^[A-Za-z0-9*?](?:[A-Za-z0-9*?.-]{0,126}[A-Za-z0-9*?])?$")
MATCHER_RE = re.compile(r"^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$")

#: CloudWatch Logs PutRetentionPolicy accepts exactly these values (days).
LOG_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
    1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip


def _mib_range(lo_gib: int, hi_gib: int, step_gib: int) -> tuple[int, ...]:
    return tuple(range(lo_gib * 1024, hi_gib * 1024 + 1, step_gib * 1024))


#: Fargate task sizes: cpu units -> memory MiB AWS offers (Linux).
#: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
FARGATE_SIZES: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: _mib_range(1, 4, 1),
    1024: _mib_range(2, 8, 1),
    2048: _mib_range(4, 16, 1),
    4096: _mib_range(8, 30, 1),
    8192: _mib_range(16, 60, 4),
    16384: _mib_range(32, 120, 8),
}

# ECS service names allow 255 letters, digits, hyphens and underscores; we also
# use the name in DNS labels, log group names and load balancer target group
# names (32 characters with a random suffix), hence the stricter rule.
SERVICE_NAME_RE = re.compile(r"^[a-z]([a-z0-9-]{0,22}[a-z0-9])?$")
ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PARTITION = r"aws(-cn|-us-gov|-iso|-iso-b)?"
_REGION = r"[a-z]{2}(-[a-z]+)+-\d"
SECRETS_MANAGER_ARN_RE = re.compile(
    rf"^arn:{_PARTITION}:secretsmanager:{_REGION}:\d{{12}}:secret:[A-Za-z0-9/_+=.@-]+"
    r"(:[^:]*:[^:]*:[^:]*)?$"
)
SSM_PARAMETER_ARN_RE = re.compile(rf"^arn:{_PARTITION}:ssm:{_REGION}:\d{{12}}:parameter/[A-Za-z0-9/_.-]+$")
ACM_CERTIFICATE_ARN_RE = re.compile(rf"^arn:{_PARTITION}:acm:{_REGION}:\d{{12}}:certificate/[0-9a-f-]{{36}}$")
IAM_ACTION_RE = re.compile(r"^[a-z0-9-]+:[A-Za-z0-9*?]+$")
ARN_RE = re.compile(rf"^arn:{_PARTITION}:[a-z0-9-]+:[a-z0-9-]*:(\d{{12}})?:.+$")

# Plain environment variables whose name says they carry a credential (the
# credential word ends the name: DB_PASSWORD, GITHUB_TOKEN, but not
# TOKEN_URL). They belong in `secrets` (injected from Secrets Manager / SSM at
# task start, never stored in the task definition). Security Hub ECS.8 checks
# the AWS ones: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, ECS_ENGINE_AUTH_DATA.
_CREDENTIAL_NAME_RE = re.compile(
    r"(^|_)(SECRET|PASSWORD|PASSWD|PASSPHRASE|TOKEN|API_?KEY|SECRET_?KEY|ACCESS_KEY|ACCESS_KEY_ID|"
    r"PRIVATE_KEY|CREDENTIALS?|AUTH_DATA)$",
    re.IGNORECASE,
)
_AWS_ACCESS_KEY_VALUE_RE = re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b")


class ConfigError(pulumi.RunError):
    """Bad input found before any resource was registered.

    ``problems`` holds one line per problem. Subclassing :class:`pulumi.RunError`
    makes ``pulumi up`` print the message without a Python traceback.
    """

    def __init__(self, problems: Sequence[str], source: str = "configuration") -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"invalid {source} ({len(self.problems)} problem(s)):\n{lines}")


def raise_if(problems: Sequence[str], source: str = "configuration") -> None:
    """Raise one :class:`ConfigError` listing every problem, if there are any."""
    if problems:
        raise ConfigError(problems, source)


def show(value: Any) -> str:
    """Render a value as the user wrote it (JSON, as in the stack file)."""
    if isinstance(value, str):
        return json.dumps(value)
    try:
        return json.dumps(value, sort_keys=True, default=str)
    except (TypeError, ValueError):
        return repr(value)


def _allowed(values: Iterable[Any]) -> str:
    return ", ".join(str(v) for v in values)


def is_known(value: Any) -> bool:
    """True for a plain value; False for a ``pulumi.Output`` (checked by AWS instead)."""
    return not isinstance(value, pulumi.Output)


# --- generic shape rules -----------------------------------------------------


def check_int(path: str, value: Any, lo: int, hi: int) -> list[str]:
    if not is_known(value):
        return []
    if isinstance(value, bool) or not isinstance(value, int):
        return [f"{path}: {show(value)} is not an integer (allowed: {lo}..{hi})"]
    if not lo <= value <= hi:
        return [f"{path}: {value} is out of range (allowed: {lo}..{hi})"]
    return []


def check_choice(path: str, value: Any, choices: Sequence[Any]) -> list[str]:
    if not is_known(value) or value in choices:
        return []
    return [f"{path}: {show(value)} is not allowed (allowed: {_allowed(choices)})"]


def check_bool(path: str, value: Any) -> list[str]:
    if not is_known(value) or isinstance(value, bool):
        return []
    return [f"{path}: {show(value)} is not a boolean (allowed: true, false)"]


def check_str(path: str, value: Any, what: str = "a non-empty string") -> list[str]:
    if not is_known(value) or (isinstance(value, str) and value.strip()):
        return []
    return [f"{path}: {show(value)} is not {what}"]


def check_unknown_keys(path: str, given: Mapping[str, Any], known: Iterable[str]) -> list[str]:
    known_set = set(known)
    return [
        f"{path}.{key}: unknown key (allowed: {_allowed(sorted(known_set))})"
        for key in sorted(given)
        if key not in known_set
    ]


# --- ECS / AWS rules ----------------------------------------------------------


def check_launch_type(path: str, value: Any) -> list[str]:
    return check_choice(path, value, LAUNCH_TYPES)


def check_az_count(path: str, value: Any, region_zones: Sequence[str] | None) -> list[str]:
    problems = check_int(path, value, 1, 6)
    if not problems and region_zones is not None and is_known(value) and value > len(region_zones):
        problems.append(
            f"{path}: {value} is more zones than the region has "
            f"(allowed: 1..{len(region_zones)}; zones: {_allowed(region_zones)})"
        )
    return problems


def check_desired_count(path: str, value: Any) -> list[str]:
    if not is_known(value):
        return []
    if isinstance(value, bool) or not isinstance(value, int):
        return [f"{path}: {show(value)} is not an integer (allowed: 0 or more tasks)"]
    if value < 0:
        return [f"{path}: {value} is negative (allowed: 0 or more tasks)"]
    return []


def check_fargate_size(cpu_path: str, memory_path: str, cpu: Any, memory: Any) -> list[str]:
    """A Fargate cpu/memory pair AWS offers."""
    if not (is_known(cpu) and is_known(memory)):
        return []
    if not isinstance(cpu, int) or isinstance(cpu, bool) or cpu not in FARGATE_SIZES:
        return [f"{cpu_path}: {show(cpu)} is not a Fargate cpu size (allowed: {_allowed(FARGATE_SIZES)})"]
    allowed = FARGATE_SIZES[cpu]
    if not isinstance(memory, int) or isinstance(memory, bool) or memory not in allowed:
        if len(allowed) > 4:
            step = allowed[1] - allowed[0]
            choices = f"{allowed[0]}..{allowed[-1]} in steps of {step}"
        else:
            choices = _allowed(allowed)
        return [
            f"{memory_path}: {show(memory)} is not a valid Fargate memory for cpu {cpu} (allowed: {choices})"
        ]
    return []


def check_port(path: str, value: Any) -> list[str]:
    return check_int(path, value, 1, 65535)


#: Names a service cannot take: its log group would be the cluster's ECS Exec
#: audit log group (/ecs/<project>-<stack>/exec).
RESERVED_SERVICE_NAMES = ("exec",)


def check_service_name(path: str, value: Any) -> list[str]:
    if value in RESERVED_SERVICE_NAMES:
        return [f"{path}: {show(value)} is reserved (allowed: another name; /ecs/<project>-<stack>/exec "
                "is the cluster's ECS Exec audit log group)"]  # fmt: skip
    if not is_known(value) or (isinstance(value, str) and SERVICE_NAME_RE.match(value)):
        return []
    return [
        f"{path}: {show(value)} is not a valid service name (allowed: 1-24 lowercase "
        "letters, digits and hyphens, starting with a letter and not ending with a hyphen)"
    ]


def check_image(path: str, value: Any) -> list[str]:
    if not is_known(value):
        return []
    if not isinstance(value, str) or not value.strip():
        return [
            f"{path}: {show(value)} is missing "
            "(allowed: an image reference, e.g. public.ecr.aws/nginx/nginx:1.27)"
        ]
    if any(c.isspace() for c in value):
        return [f"{path}: {show(value)} contains whitespace (allowed: an image reference)"]
    return []


def check_secret_arn(path: str, value: Any) -> list[str]:
    if not is_known(value):
        return []
    if isinstance(value, str) and (SECRETS_MANAGER_ARN_RE.match(value) or SSM_PARAMETER_ARN_RE.match(value)):
        return []
    return [
        f"{path}: {show(value)} is not a secret reference (allowed: a Secrets Manager secret ARN "
        "arn:aws:secretsmanager:<region>:<account>:secret:<name>[:<json-key>:<stage>:<version>] "
        "or an SSM parameter ARN arn:aws:ssm:<region>:<account>:parameter/<name>)"
    ]


def check_env_name(path: str, value: Any) -> list[str]:
    if isinstance(value, str) and ENV_NAME_RE.match(value):
        return []
    return [
        f"{path}: {show(value)} is not a valid variable name "
        "(allowed: letters, digits and underscores, not starting with a digit)"
    ]


def check_plain_env(path: str, name: str, value: Any) -> list[str]:
    """A plain environment variable must not carry a credential (ECS.8)."""
    if _CREDENTIAL_NAME_RE.search(name):
        return [
            f"{path}: {show(name)} looks like a credential in a plain environment variable "
            "(allowed: put it under `secrets` as a Secrets Manager or SSM parameter ARN)"
        ]
    if isinstance(value, str) and _AWS_ACCESS_KEY_VALUE_RE.search(value):
        return [
            f"{path}: the value looks like an AWS access key id "
            "(allowed: no credentials in plain environment variables; use the task role)"
        ]
    if is_known(value) and not isinstance(value, (str, int, float, bool)):
        return [f"{path}: {show(value)} is not a string (allowed: a string value)"]
    return []


def check_log_retention(path: str, value: Any) -> list[str]:
    return check_choice(path, value, LOG_RETENTION_DAYS)


def check_iam_action(path: str, value: Any) -> list[str]:
    if isinstance(value, str) and IAM_ACTION_RE.match(value) and not value.endswith(":*"):
        return []
    return [
        f"{path}: {show(value)} is not a specific IAM action "
        "(allowed: service:Action, e.g. s3:GetObject; wildcards `*` and `service:*` are refused)"
    ]


def check_iam_resource(path: str, value: Any) -> list[str]:
    if not is_known(value):
        return []
    if isinstance(value, str) and ARN_RE.match(value) and value.strip() != "*":
        return []
    return [
        f"{path}: {show(value)} is not a resource ARN "
        "(allowed: an ARN such as arn:aws:s3:::my-bucket/*; a bare `*` is refused)"
    ]


def check_absolute_path(path: str, value: Any) -> list[str]:
    if isinstance(value, str) and value.startswith("/") and ".." not in value.split("/"):
        return []
    return [f"{path}: {show(value)} is not an absolute container path (allowed: e.g. /tmp)"]


def check_certificate_arn(path: str, value: Any, region: str | None) -> list[str]:
    if not is_known(value):
        return []
    if not (isinstance(value, str) and ACM_CERTIFICATE_ARN_RE.match(value)):
        return [
            f"{path}: {show(value)} is not an ACM certificate ARN "
            "(allowed: arn:aws:acm:<region>:<account>:certificate/<uuid>)"
        ]
    cert_region = value.split(":")[3]
    if region and cert_region != region:
        return [
            f"{path}: {show(value)} is in {cert_region}, not the stack's region "
            f"(allowed: a certificate in {region}; a load balancer uses certificates of its own region)"
        ]
    return []


def check_ssl_policy(path: str, value: Any) -> list[str]:
    if isinstance(value, str) and SSL_POLICY_RE.match(value):
        return []
    return [
        f"{path}: {show(value)} is not a TLS 1.3 security policy (allowed: "
        f"ELBSecurityPolicy-TLS13-1-2-* or ELBSecurityPolicy-TLS13-1-3-*, e.g. {DEFAULT_SSL_POLICY})"
    ]


def check_path_pattern(path: str, value: Any) -> list[str]:
    if isinstance(value, str) and PATH_PATTERN_RE.match(value):
        return []
    return [
        f"{path}: {show(value)} is not a path pattern (allowed: up to 128 characters starting "
        "with /, letters, digits, _-.$/~\"'@:+& and the wildcards * and ?)"
    ]


def check_host_pattern(path: str, value: Any) -> list[str]:
    if isinstance(value, str) and HOST_PATTERN_RE.match(value) and "." in value:
        return []
    return [
        f"{path}: {show(value)} is not a host name pattern (allowed: e.g. api.example.com or "
        "*.example.com; letters, digits, hyphens, dots and the wildcards * and ?)"
    ]


def check_cidr(path: str, value: Any) -> list[str]:
    import ipaddress

    if isinstance(value, str):
        try:
            ipaddress.IPv4Network(value, strict=True)
            return []
        except ValueError:
            pass
    return [f"{path}: {show(value)} is not an IPv4 CIDR block (allowed: e.g. 203.0.113.0/24)"]


def check_matcher(path: str, value: Any) -> list[str]:
    if isinstance(value, str) and MATCHER_RE.match(value):
        codes = [int(c) for c in re.split(r"[-,]", value)]
        if all(200 <= c <= 499 for c in codes):
            return []
    return [
        f"{path}: {show(value)} is not an HTTP code matcher "
        '(allowed: codes 200..499 as "200", "200,302" or "200-399")'
    ]


#: What AWS accepts in tag keys and values (ELBv2, ECS, EC2 share it):
#: letters, digits, spaces and _ . : / = + - @.
TAG_TEXT_RE = re.compile(r"^[\w\s.:/=+\-@]*$", re.UNICODE)
RESERVED_TAG_KEYS = ("Project", "Stack", "ManagedBy")


def check_tag_text(path: str, value: Any, what: str, max_len: int) -> list[str]:
    """A tag key or value AWS accepts (``what`` says which, for the message)."""
    if isinstance(value, str) and 0 < len(value) <= max_len and TAG_TEXT_RE.match(value):
        if not value.lower().startswith("aws:"):
            return []
        return [f"{path}: {show(value)} starts with aws:, which AWS reserves (allowed: another {what})"]
    return [
        f"{path}: {show(value)} is not a valid {what} (allowed: 1-{max_len} letters, digits, spaces "
        "and _ . : / = + - @)"
    ]


def is_root_user(user: str) -> bool:
    name = user.split(":", 1)[0].strip()
    return name in ("root", "0")


def check_user(path: str, user: Any, waivers: Mapping[str, Any], waiver_path: str) -> list[str]:
    """Containers run as a non-root user (Security Hub ECS.20) unless ECS.20 is waived."""
    if "ECS.20" in waivers:
        if isinstance(user, str) and user.strip() and not is_root_user(user):
            return [f"{waiver_path}: waives a control this service keeps (allowed: only when user is "
                    "missing or root)"]  # fmt: skip
        return []
    if user is None:
        return [
            f"{path}: missing, so the container runs as its image's user, often root (allowed: a "
            f'non-root uid[:gid] or user name, e.g. "1000:1000", or {waiver_path}: <why it needs root>)'
        ]
    if isinstance(user, str) and is_root_user(user):
        return [f"{path}: {show(user)} runs as root (allowed: a non-root uid[:gid] or user name, "
                f"or {waiver_path}: <why it needs root>)"]  # fmt: skip
    return []


def secret_iam_resources(arn: str) -> list[str]:
    """The IAM resources for the secret a container's ``valueFrom`` points at.

    ECS accepts ``<secret-arn>:<json-key>:<stage>:<version>``; IAM wants the
    secret's own ARN, which ends in a 6-character random suffix. A name written
    without it gets ``-??????`` (exactly that secret, whatever its suffix). A
    name that ends in a hyphen and six letters or digits may be either, so it
    gets both forms.
    """
    if ":secretsmanager:" not in arn:
        return [arn]
    base = ":".join(arn.split(":")[:7])
    if re.search(r"-[A-Za-z0-9]{6}$", base):
        return [base, base + "-??????"]
    return [base + "-??????"]
