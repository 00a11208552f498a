"""What AWS documents and accepts: limits, enumerations and name grammars.

Data only (no Pulumi, no rules): the specs check values against these, and the
components build names from them. Each fact names its source.
"""

from __future__ import annotations

import re

LAUNCH_TYPES = ("FARGATE", "FARGATE_SPOT", "EC2", "EXTERNAL")
FARGATE_LAUNCH_TYPES = ("FARGATE", "FARGATE_SPOT")
ARCHITECTURES = ("X86_64", "ARM64")
NAT_STRATEGIES = ("Single", "OnePerAz")
CONTAINER_INSIGHTS = ("enabled", "enhanced", "disabled")
DESYNC_MODES = ("defensive", "strictest")
#: Network modes per launch type (RegisterTaskDefinition, "networkMode"): Fargate
#: tasks must use awsvpc; ECS Anywhere supports bridge, host and none, of which we
#: offer the two that run a normal application.
NETWORK_MODES: dict[str, tuple[str, ...]] = {
    "FARGATE": ("awsvpc",),
    "FARGATE_SPOT": ("awsvpc",),
    "EC2": ("awsvpc", "bridge", "host"),
    "EXTERNAL": ("bridge", "host"),
}
#: Security Hub controls a service may turn off in config, visibly: ECS.5
#: (read-only root filesystem), ECS.17 (host networking), ECS.20 (non-root user).
SERVICE_WAIVABLE = ("ECS.5", "ECS.17", "ECS.20")
#: Tag key under which a resource records a waived control and the reason.
WAIVER_TAG = "ecs-platform:waiver:"
#: Tags every resource gets from the provider; config's ``tags`` may not override them.
RESERVED_TAG_KEYS = ("Project", "Stack", "ManagedBy")

#: AWS's current console default: TLS 1.3 and 1.2, restricted ciphers, post-quantum
#: key exchange. https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html
DEFAULT_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"
SSL_POLICY_RE = re.compile(r"^ELBSecurityPolicy-TLS13-1-[23]-[A-Za-z0-9-]+$")
#: ALB path-pattern and host-header condition values (ELBv2 CreateRule).
PATH_PATTERN_RE = re.compile(r"^/[A-Za-z0-9_\-.$/~\"'@:+&*?]{0,127}$")
HOST_PATTERN_RE = re.compile(r"^[A-Za-z0-9*?](?:[A-Za-z0-9*?.-]{0,126}[A-Za-z0-9*?])?$")
MATCHER_RE = re.compile(r"^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$")
#: At most five condition values per listener rule (ELB quotas, "Condition values per rule").
MAX_ROUTE_VALUES = 5
MAX_PRIORITY = 50000

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
#: Task-level cpu units and memory (MiB) for EC2 and EXTERNAL task definitions
#: (RegisterTaskDefinition: 128 units .. 192 vCPU; memory up to the instance's).
EC2_TASK_CPU = (128, 196608)
EC2_TASK_MEMORY = (128, 1048576)

# ECS service names allow 255 letters, digits, hyphens and underscores; we also
# use the name in DNS labels, log group names and load balancer target group
# names (32 characters with a random suffix), hence the stricter rule.
SERVICE_NAME_RE = re.compile(r"^[a-z]([a-z0-9-]{0,22}[a-z0-9])?$")
#: Names a service cannot take: its log group would be the cluster's ECS Exec
#: audit log group (/ecs/<project>-<stack>/exec).
RESERVED_SERVICE_NAMES = ("exec",)
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
#: S3 bucket names (general purpose buckets): 3-63 lowercase letters, digits, dots, hyphens.
BUCKET_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")

# Plain environment variables whose name says they carry a credential (the
# credential word ends the name, optionally followed by a number: DB_PASSWORD,
# DB_PASS, DB_PWD, GITHUB_TOKEN, dbPassword, API_KEY_2, but not TOKEN_URL, PASSWORD_FILE
# or the shell's PWD).
# They belong in `secrets` (injected from Secrets Manager / SSM at task start, never
# stored in the task definition). Security Hub ECS.8 checks the AWS ones:
# AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, ECS_ENGINE_AUTH_DATA.
# https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-8
CREDENTIAL_NAME_RE = re.compile(
    r"((^|_)(SECRET|PASSWORD|PASSWD|PASS|PASSPHRASE|TOKEN|API_?KEY|SECRET_?KEY|ACCESS_KEY|ACCESS_KEY_ID|"
    r"PRIVATE_?KEY|SIGNING_?KEY|ENCRYPTION_?KEY|MASTER_?KEY|CREDENTIALS?|AUTH_DATA)|_PWD)(_?[0-9]+)?$",
    re.IGNORECASE,
)
AWS_ACCESS_KEY_VALUE_RE = re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b")
#: An AWS secret access key: 40 characters of base64 (letters, digits, / and +) standing
#: alone; random, so it mixes upper case, lower case and digits (a 40-character hex
#: SHA-1, such as a git commit, does not).
AWS_SECRET_KEY_VALUE_RE = re.compile(
    r"(?<![A-Za-z0-9/+])(?=[A-Za-z0-9/+]*[A-Z])(?=[A-Za-z0-9/+]*[a-z])(?=[A-Za-z0-9/+]*[0-9])"
    r"[A-Za-z0-9+][A-Za-z0-9/+]{39}(?![A-Za-z0-9/+=])"
)
#: A URL carrying a password in its user info: scheme://user:password@host (RFC 3986 3.2.1).
URL_PASSWORD_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*:[^/\s@]+@")
PRIVATE_KEY_RE = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")
_CREDENTIAL_VALUES = (
    ("an AWS access key id", AWS_ACCESS_KEY_VALUE_RE),
    ("an AWS secret access key", AWS_SECRET_KEY_VALUE_RE),
    ("a URL with an inline password", URL_PASSWORD_RE),
    ("a private key", PRIVATE_KEY_RE),
)


def credential_in(name: str = "", value: str = "") -> str | None:
    """What gives a plain environment variable away as a credential, or ``None``.

    The one definition of "a credential in plain environment" (Security Hub ECS.8),
    used by config validation and by the policy pack: ``"its name"`` when ``name``
    ends in a credential word (camelCase counts: ``dbPassword``), else what ``value``
    looks like (``"an AWS access key id"``, ``"an AWS secret access key"``,
    ``"a URL with an inline password"``, ``"a private key"``).
    """
    if name and CREDENTIAL_NAME_RE.search(re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)):
        return "its name"
    for what, pattern in _CREDENTIAL_VALUES:
        if value and pattern.search(value):
            return what
    return None


def is_wildcard(pattern: str) -> bool:
    """Whether an IAM action or resource pattern stands for everything of its kind.

    The one definition of "a wildcard", used by config validation and by the policy
    pack. IAM matches ``*`` (any run of characters) and ``?`` (any one character) in
    actions, case-insensitively, and in each colon-separated field of a resource ARN
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html,
    .../reference_policies_elements_resource.html). A wildcard is then:

    * a pattern of wildcard characters only: ``*``, ``**``, ``?*``;
    * an action whose service prefix has a wildcard (``*:*``, ``*:GetObject``,
      ``s?:GetObject``) or whose action name is wildcard characters only
      (``s3:*``, ``s3:**``, ``s3:?*``);
    * an ARN whose service has a wildcard (``arn:aws:*:...``), whose resource part is
      wildcard characters and separators only (``arn:aws:s3:::*``, ``arn:aws:s3:*:*:*``,
      ``arn:aws:s3:::*/*``), or that stops short of its six fields with a wildcard
      (``arn:*``, ``arn:aws:s3:*``).

    A pattern that names part of something stays specific: ``s3:Get*``,
    ``arn:aws:s3:::my-bucket/*``, ``arn:...:secret:db-??????``. Whether an action may
    use a wildcard resource at all is not this function's question.
    """
    p = pattern.strip()
    if _wild_only(p):
        return True
    if p[:4].lower() == "arn:":
        fields = p.split(":", 5)
        if len(fields) < 6:
            return any(c in field for field in fields[1:] for c in "*?")
        service, resource = fields[2], fields[5]
        return any(c in service for c in "*?") or _wild_only(re.sub(r"[/:]", "", resource))
    service, colon, action = p.partition(":")
    return bool(colon) and (any(c in service for c in "*?") or _wild_only(action))


def _wild_only(text: str) -> bool:
    return "*" in text and set(text) <= {"*", "?"}


#: What AWS accepts in tag keys and values (ELBv2, ECS, EC2 share it):
#: letters, digits, spaces and _ . : / = + - @.
TAG_TEXT_RE = re.compile(r"^[\w\s.:/=+\-@]*$", re.UNICODE)

#: Stacks whose name says production: plain HTTP there needs a written waiver.
PROD_STACK_RE = re.compile(r"^prod(uction)?($|[-_])")


_UID_RE = re.compile(r"[+-]?[0-9]+")


def is_root_user(user: str) -> bool:
    """Whether ECS's container ``user`` (``user``, ``user:group``, ``uid``, ``uid:gid``,
    ``uid:group``, ``user:gid``) runs the process as root.

    The one definition of "a root user", used by config validation and by the policy
    pack (Security Hub ECS.20). The user part (before the first ``:``, whitespace around
    it ignored) is root when it is ``root`` in any case, or a number equal to 0 in any
    spelling Docker's parser accepts (Go's ``strconv.Atoi``: ``0``, ``00``, ``+0``,
    ``-0``). An empty user part (``":1000"``) leaves the image's user, often root, so it
    counts as root too.
    """
    name = user.split(":", 1)[0].strip()
    if not name or name.lower() == "root":
        return True
    return bool(_UID_RE.fullmatch(name)) and int(name) == 0


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
