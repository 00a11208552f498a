"""What AWS documents and accepts: limits, enumerations and name grammars.

Data only (no Pulumi, no rules): the specs check values against these, and the
components build names from them. Each fact names its source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

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
#: KMS key ARNs (CloudWatch Logs takes a key ARN, not an alias:
#: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html).
KMS_KEY_ARN_RE = re.compile(rf"^arn:{_PARTITION}:kms:{_REGION}:\d{{12}}:key/(mrk-[0-9a-f]{{32}}|[0-9a-f-]{{36}})$")
#: Availability zone IDs (``use1-az1``): the same physical zone in every account, unlike zone
#: names, which AWS maps to zones per account.
#: https://docs.aws.amazon.com/ram/latest/userguide/working-with-az-ids.html
ZONE_ID_RE = re.compile(r"^[a-z]{2,5}[0-9]-az[0-9]{1,2}$")
#: AWS's documentation example accounts and RFC 2606's reserved domains: values that are
#: placeholders in an example stack, never a real deployment's.
EXAMPLE_ACCOUNT_IDS = ("123456789012", "111122223333", "444455556666")
EXAMPLE_DOMAIN_RE = re.compile(r"(^|\.)example\.(com|net|org)$|(^|\.)example$", re.IGNORECASE)
#: WAF rate-based rule limit per aggregation key and evaluation window (WAFV2 RateBasedStatement,
#: Limit: 10..2,000,000,000; tests/test_aws_contract.py checks it against botocore's model).
WAF_RATE_LIMIT = (10, 2_000_000_000)
#: AWS managed rule groups every web ACL gets: core rule set, known bad inputs, IP reputation.
#: https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-list.html
WAF_MANAGED_RULE_GROUPS = (
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
)
#: WAF logs to CloudWatch Logs only into log groups named ``aws-waf-logs-*``.
#: https://docs.aws.amazon.com/waf/latest/developerguide/logging-cw-logs.html
WAF_LOG_GROUP_PREFIX = "aws-waf-logs-"
#: What the access-log bucket does on ``pulumi destroy``: ``retain`` (left in place, with its
#: policy, lifecycle and public access block; the stack forgets it) or ``delete`` (emptied and
#: deleted, ``force_destroy``).
ACCESS_LOGS_ON_DESTROY = ("retain", "delete")
IAM_ACTION_RE = re.compile(r"^[a-z0-9-]+:[A-Za-z0-9*?]+$")
ARN_RE = re.compile(rf"^arn:{_PARTITION}:[a-z0-9-]+:[a-z0-9-]*:(\d{{12}})?:.+$")
#: S3 bucket names (general purpose buckets): 3-63 lowercase letters, digits, dots, hyphens.
BUCKET_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")

# Plain environment variables whose name says they carry a credential (the
# credential word ends the name: DB_PASSWORD, GITHUB_TOKEN, but not
# TOKEN_URL). They belong in `secrets` (injected from Secrets Manager / SSM at
# task start, never stored in the task definition). Security Hub ECS.8 checks
# the AWS ones: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, ECS_ENGINE_AUTH_DATA.
CREDENTIAL_NAME_RE = re.compile(
    r"(^|_)(SECRET|PASSWORD|PASSWD|PASSPHRASE|TOKEN|API_?KEY|SECRET_?KEY|ACCESS_KEY|ACCESS_KEY_ID|"
    r"PRIVATE_KEY|CREDENTIALS?|AUTH_DATA)$",
    re.IGNORECASE,
)
AWS_ACCESS_KEY_VALUE_RE = re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b")

#: What AWS accepts in tag keys and values (ELBv2, ECS, EC2 share it):
#: letters, digits, spaces and _ . : / = + - @.
TAG_TEXT_RE = re.compile(r"^[\w\s.:/=+\-@]*$", re.UNICODE)

#: Stacks whose name says production: plain HTTP there needs a written waiver.
PROD_STACK_RE = re.compile(r"^prod(uction)?($|[-_])")


def is_root_user(user: str) -> bool:
    name = user.split(":", 1)[0].strip()
    return name in ("root", "0")


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


# --- trust policies ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrustForm:
    """One role's trust policy exactly as AWS documents it: which service principal may
    assume the role, and which confused-deputy conditions the service sends and the guide
    shows. A condition the service does not send denies every AssumeRole (ECS then reports
    "ECS was unable to assume the role"; EC2 instances get no credentials), so a role gets
    exactly its guide's conditions, no more."""

    service: str
    """The principal, ``<service>.amazonaws.com``."""
    source_account: bool
    """``StringEquals: {aws:SourceAccount: <account>}``."""
    source_arn_operator: str | None
    """``ArnLike`` / ``ArnEquals`` on ``aws:SourceArn``, or None when the guide has none."""
    source_arn_service: str | None
    """The service in ``aws:SourceArn = arn:<partition>:<service>:<region>:<account>:*``."""
    guide: str
    """The AWS page that shows this policy."""


#: Every role the platform creates (or will: ``scheduler``), keyed by role kind. The components
#: build their trust policies from this table and the policy pack's trust rule checks roles
#: against it, so the two cannot drift.
TRUST_FORMS: dict[str, TrustForm] = {
    # The task role: AWS shows both conditions (aws:SourceArn on any ECS resource of the account
    # and region) to prevent the confused deputy.
    "task": TrustForm(
        "ecs-tasks.amazonaws.com", True, "ArnLike", "ecs",
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html",
    ),
    # The task execution role: no conditions (the guide shows none; terraform-aws-ecs leaves them
    # off on purpose).
    "execution": TrustForm(
        "ecs-tasks.amazonaws.com", False, None, None,
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html",
    ),
    # The container instance role: EC2 sends neither key when an instance assumes its role
    # (prowler issue #2810 on its confused-deputy check): no conditions.
    "ec2-instance": TrustForm(
        "ec2.amazonaws.com", False, None, None,
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/instance_IAM_role.html",
    ),
    # ECS Anywhere machines: the SSM hybrid activation service role, as the Systems Manager
    # guide shows it (aws:SourceAccount and ArnEquals on arn:<p>:ssm:<region>:<account>:*).
    "ssm-hybrid": TrustForm(
        "ssm.amazonaws.com", True, "ArnEquals", "ssm",
        "https://docs.aws.amazon.com/systems-manager/latest/userguide/hybrid-multicloud-service-role.html",
    ),
    # EventBridge Scheduler's execution role (scheduled tasks): aws:SourceAccount only.
    "scheduler": TrustForm(
        "scheduler.amazonaws.com", True, None, None,
        "https://docs.aws.amazon.com/scheduler/latest/UserGuide/setting-up.html#setting-up-execution-role",
    ),
}  # fmt: skip


def trust_document(kind: str, account: str, region: str, partition: str = "aws") -> dict[str, Any]:
    """The trust policy of a role of ``kind`` (a key of :data:`TRUST_FORMS`) in this account
    and region, as its guide shows it."""
    form = TRUST_FORMS[kind]
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Service": form.service},
        "Action": "sts:AssumeRole",
    }
    condition: dict[str, Any] = {}
    if form.source_account:
        condition["StringEquals"] = {"aws:SourceAccount": account}
    if form.source_arn_operator is not None:
        condition[form.source_arn_operator] = {
            "aws:SourceArn": f"arn:{partition}:{form.source_arn_service}:{region}:{account}:*"
        }
    if condition:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}
