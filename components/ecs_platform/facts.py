"""What AWS documents and accepts: limits, enumerations and name grammars.

Data only (no Pulumi, no rules): the specs check values against these, and the
components build names from them. Each fact names its source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, NamedTuple

#: Regions per partition (botocore's partitions.json, the machine form of "AWS Regions"
#: https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html;
#: tests/test_input.py keeps this equal to the pinned botocore's list).
REGIONS: dict[str, tuple[str, ...]] = {
    "aws": (
        "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
        "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
        "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-central-1", "ca-west-1", "eu-central-1",
        "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3",
        "il-central-1", "me-central-1", "me-south-1", "me-west-1", "mx-central-1", "sa-east-1", "sa-west-1",
        "us-east-1", "us-east-2", "us-west-1", "us-west-2",
    ),
    "aws-cn": ("cn-north-1", "cn-northwest-1"),
    "aws-eusc": ("eusc-de-east-1",),
    "aws-iso": ("us-iso-east-1", "us-iso-west-1"),
    "aws-iso-b": ("us-isob-east-1", "us-isob-west-1"),
    "aws-iso-e": ("eu-isoe-west-1",),
    "aws-iso-f": ("us-isof-east-1", "us-isof-south-1"),
    "aws-us-gov": ("us-gov-east-1", "us-gov-west-1"),
}  # fmt: skip
PARTITION_OF_REGION = {region: partition for partition, regions in REGIONS.items() for region in regions}

LAUNCH_TYPES = ("FARGATE", "FARGATE_SPOT", "EC2", "EXTERNAL")
FARGATE_LAUNCH_TYPES = ("FARGATE", "FARGATE_SPOT")
ARCHITECTURES = ("X86_64", "ARM64")
#: Egress of a created VPC's private subnets: awsx's NAT gateway strategies ``OnePerAz`` and
#: ``Single``, or ``Instance``, one NAT instance for the whole VPC (the VPC user guide's "NAT
#: instances": https://docs.aws.amazon.com/vpc/latest/userguide/VPC_NAT_Instance.html).
NAT_STRATEGIES = ("Single", "OnePerAz", "Instance")
#: Instance types offered for the NAT instance: Graviton burstable (T4g) sizes, smallest first
#: (https://aws.amazon.com/ec2/instance-types/t4/). Network bandwidth grows with size: every T4g
#: is "up to 5 Gigabit" in bursts, with a baseline far lower on the small sizes (EC2 User Guide,
#: "General purpose instances: network specifications",
#: https://docs.aws.amazon.com/ec2/latest/instancetypes/gp.html#gp_network).
NAT_INSTANCE_TYPES = ("t4g.nano", "t4g.micro", "t4g.small", "t4g.medium", "t4g.large", "t4g.xlarge", "t4g.2xlarge")
#: AWS's public SSM parameter with the current Amazon Linux 2023 AMI for Arm (Graviton); a
#: launch template resolves ``resolve:ssm:<name>`` at every launch, so a replaced NAT instance
#: boots the current AMI ("Use a Systems Manager parameter instead of an AMI ID",
#: https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/create-launch-template.html;
#: https://docs.aws.amazon.com/linux/al2023/ug/ec2.html).
NAT_AMI_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"
#: The NAT instance's root volume is the AMI's own size, 8 GiB for the Amazon Linux 2023 AMI
#: (gp3, encrypted by the launch template); the cost estimate prices this many GiB.
NAT_ROOT_VOLUME_GIB = 8
#: Interface VPC endpoints (AWS PrivateLink) a created VPC may get, name after
#: ``com.amazonaws.<region>.`` -> what reaches it. The S3 gateway endpoint is not among them:
#: it is free and every created VPC gets it. Sources: ECR
#: https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html (ecr.api, ecr.dkr,
#: logs, and S3 for image layers); ECS
#: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/vpc-endpoints.html (ecs,
#: ecs-agent, ecs-telemetry; secretsmanager, ssm and kms for secrets; ssmmessages for ECS Exec);
#: "AWS services that integrate with AWS PrivateLink"
#: https://docs.aws.amazon.com/vpc/latest/privatelink/aws-services-privatelink-support.html.
INTERFACE_ENDPOINTS: dict[str, str] = {
    "ecr.api": "ECR API (image manifests, auth tokens)",
    "ecr.dkr": "ECR Docker registry (image pulls)",
    "logs": "CloudWatch Logs (awslogs driver)",
    "secretsmanager": "Secrets Manager (task secrets)",
    "ssm": "Systems Manager Parameter Store (task secrets), Session Manager",
    "ssmmessages": "ECS Exec and Session Manager sessions",
    "kms": "KMS (encrypted secrets and logs)",
    "sts": "STS (web identity, assumed roles)",
    "ecs": "ECS API (EC2 container instances)",
    "ecs-agent": "ECS agent (EC2 container instances)",
    "ecs-telemetry": "ECS telemetry (EC2 container instances)",
    "sqs": "SQS (queue workers)",
    "monitoring": "CloudWatch metrics",
    "elasticfilesystem": "EFS API",
    "xray": "X-Ray traces",
}
#: The free S3 gateway endpoint every created VPC gets on its private route tables (ECR keeps
#: image layers in S3): https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-s3.html
S3_GATEWAY_ENDPOINT = "s3"
#: The reverse-DNS prefix of AWS service endpoint names per partition (``com.amazonaws.<region>.s3``;
#: China regions ``cn.com.amazonaws``), as ``aws:index/getPartition`` reports it.
ENDPOINT_SERVICE_PREFIX = {"aws": "com.amazonaws", "aws-cn": "cn.com.amazonaws", "aws-us-gov": "com.amazonaws"}
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
#: ECS deployment strategies, config word -> CreateService ``deploymentConfiguration.strategy``
#: (API_DeploymentConfiguration: ROLLING, BLUE_GREEN, LINEAR, CANARY).
#: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html
DEPLOYMENT_STRATEGIES = {"rolling": "ROLLING", "blueGreen": "BLUE_GREEN", "linear": "LINEAR", "canary": "CANARY"}
#: ``bakeTimeInMinutes``, ``stepBakeTimeInMinutes`` and ``canaryBakeTimeInMinutes``: 0..1440
#: minutes (API_DeploymentConfiguration, API_LinearConfiguration, API_CanaryConfiguration).
MAX_BAKE_MINUTES = 1440
#: ``LinearConfiguration.stepPercent``: multiples of 0.1 from 3.0 to 100.0 (ECS's default 10.0).
#: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_LinearConfiguration.html
LINEAR_STEP_PERCENT = (3.0, 100.0)
#: ``CanaryConfiguration.canaryPercent``: multiples of 0.1 from 0.1 to 100.0 (ECS's default 5.0).
#: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CanaryConfiguration.html
CANARY_PERCENT = (0.1, 100.0)
#: CloudWatch alarm names (PutMetricAlarm ``AlarmName``): 1..255 characters, UTF-8 without
#: ASCII control characters.
#: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
ALARM_NAME_MAX = 255
#: The waiver tag (``ecs-platform:waiver:<this>``) a service carries when ``pulumi up`` does not
#: wait for its steady state (``waitForSteadyState: false``).
STEADY_STATE_WAIVER = "steady-state"
#: Tag key under which a resource records a waived control and the reason.
WAIVER_TAG = "ecs-platform:waiver:"
#: Tags every resource gets from the provider; config's ``tags`` may not override them.
RESERVED_TAG_KEYS = ("Project", "Stack", "ManagedBy")

#: AWS's current console default: TLS 1.3 and 1.2, restricted ciphers, post-quantum
#: key exchange. https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html
DEFAULT_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"
#: The predefined ALB security policies with TLS 1.3 whose minimum is TLS 1.2 or 1.3, by name as
#: the ALB "Security policies" tables list them (ALB supports no custom policies):
#: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html
SSL_POLICIES = tuple(
    f"ELBSecurityPolicy-TLS13-{suffix}"
    for suffix in (
        "1-2-2021-06", "1-2-Res-2021-06", "1-2-Ext1-2021-06", "1-2-Ext2-2021-06",
        "1-2-FIPS-2023-04", "1-2-Res-FIPS-2023-04", "1-2-Ext0-FIPS-2023-04", "1-2-Ext1-FIPS-2023-04",
        "1-2-Ext2-FIPS-2023-04",
        "1-2-RFC9151-FIPS-2023-07", "1-2-Ext0-RFC9151-FIPS-2023-07", "1-2-RFC9151-INTEROP1-FIPS-2023-07",
        "1-2-RFC9151-INTEROP2-FIPS-2023-07", "1-2-RFC9151-INTEROP3-FIPS-2023-07",
        "1-2-RFC9151-INTEROP4-FIPS-2023-07",
        "1-2-PQ-2025-09", "1-2-Res-PQ-2025-09", "1-2-Ext1-PQ-2025-09", "1-2-Ext2-PQ-2025-09",
        "1-2-FIPS-PQ-2025-09", "1-2-Res-FIPS-PQ-2025-09", "1-2-Ext0-FIPS-PQ-2025-09",
        "1-2-Ext1-FIPS-PQ-2025-09", "1-2-Ext2-FIPS-PQ-2025-09",
        "1-3-2021-06", "1-3-FIPS-2023-04", "1-3-RFC9151-FIPS-2023-07", "1-3-PQ-2025-09", "1-3-FIPS-PQ-2025-09",
    )
)  # fmt: skip
#: ALB path-pattern and host-header condition values (ELBv2 CreateRule).
PATH_PATTERN_RE = re.compile(r"^/[A-Za-z0-9_\-.$/~\"'@:+&*?]{0,127}$")
HOST_PATTERN_RE = re.compile(r"^[A-Za-z0-9*?](?:[A-Za-z0-9*?.-]{0,126}[A-Za-z0-9*?])?$")
MATCHER_RE = re.compile(r"^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$")
#: At most five condition values per listener rule (ELB quotas, "Condition values per rule").
MAX_ROUTE_VALUES = 5
MAX_PRIORITY = 50000
#: Application Load Balancer quotas (defaults), "Quotas for your Application Load Balancers":
#: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html
#: rules per load balancer (default rules not counted) and target groups per load balancer.
MAX_LISTENER_RULES = 100
MAX_TARGET_GROUPS = 100
#: Inbound, and separately outbound, rules per security group (VPC quotas, default 60):
#: https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html#vpc-limits-security-groups
MAX_SECURITY_GROUP_RULES = 60
#: Aggregate inline policy size of an IAM role, in characters, white space not counted
#: ("IAM and AWS STS quotas", https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
MAX_ROLE_POLICY_CHARS = 10240
#: Subnet and VPC ids: the prefix and 8 (older) or 17 hexadecimal characters.
SUBNET_ID_RE = re.compile(r"subnet-([0-9a-f]{8}|[0-9a-f]{17})")
VPC_ID_RE = re.compile(r"vpc-([0-9a-f]{8}|[0-9a-f]{17})")

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
# use the name in DNS labels (Service Connect), log group names, IAM role and
# target group names, hence the stricter rule: 1..SERVICE_NAME_MAX (32, see "Names
# AWS accepts" below) lowercase letters, digits and hyphens.
#: The longest service name validation allows. Derived names that could outgrow a limit at
#: this length are shortened (:mod:`ecs_platform.names`); Service Connect's DNS label (63) and
#: IAM role auto-names (``ecs-<service>-roles-execution-<7 hex>``, 64) leave room.
SERVICE_NAME_MAX = 32
SERVICE_NAME_RE = re.compile(rf"^[a-z]([a-z0-9-]{{0,{SERVICE_NAME_MAX - 2}}}[a-z0-9])?$")
#: Names a service cannot take: its log group would be the cluster's ECS Exec
#: audit log group (/ecs/<project>-<stack>/exec).
RESERVED_SERVICE_NAMES = ("exec",)
#: ECS container names (RegisterTaskDefinition: up to 255 letters, numbers,
#: underscores and hyphens); volume names follow the same rule.
CONTAINER_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
VOLUME_NAME_RE = CONTAINER_NAME_RE
#: The volumes ``writablePaths`` get: ``scratch-<n>``, ``<sidecar>-scratch-<n>``.
SCRATCH_VOLUME_RE = re.compile(r"^(.+-)?scratch-[0-9]+$")
#: The containers the platform adds itself.
VOLUME_INIT_CONTAINER = "volume-init"
LOG_ROUTER_CONTAINER = "log-router"
RESERVED_CONTAINER_NAMES = (VOLUME_INIT_CONTAINER, LOG_ROUTER_CONTAINER)
#: A small image with chmod, from ECR Public's mirror of Docker Official Images.
VOLUME_INIT_IMAGE = "public.ecr.aws/docker/library/busybox:1.37"
#: Containers per task definition: a fixed quota
#: (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html).
MAX_CONTAINERS_PER_TASK = 10
#: "Task definition size": at most 64 KiB, a fixed quota (same page). AWS does not say how it
#: measures; the platform measures the container definitions as the provider sends them
#: (compact JSON, UTF-8), which is nearly all of a task definition's size.
MAX_TASK_DEFINITION_BYTES = 64 * 1024
#: ContainerDependency conditions (ECS API reference).
DEPENDENCY_CONDITIONS = ("START", "COMPLETE", "SUCCESS", "HEALTHY")
#: The least memory a container may have (ContainerDefinition.memory: 6 MiB).
MIN_CONTAINER_MEMORY = 6
NUMERIC_USER_RE = re.compile(r"^([0-9]+)(?::([0-9]+))?$")
EFS_FILE_SYSTEM_ID_RE = re.compile(r"^fs-[0-9a-f]{8,40}$")
EFS_ACCESS_POINT_ID_RE = re.compile(r"^fsap-[0-9a-f]{8,40}$")
#: Container paths that belong to the kernel: never a volume's mount point.
KERNEL_PATHS = ("/proc", "/sys", "/dev")
#: The ECS image reference grammar (RegisterTaskDefinition, ContainerDefinition ``image``, as in
#: botocore's ecs service-2.json): up to 255 letters, digits, hyphens, underscores, colons,
#: periods, slashes and number signs; with a digest, the 255 apply before ``@`` and the digest
#: is ``sha256:`` and 64 hex digits.
IMAGE_NAME_RE = re.compile(r"[A-Za-z0-9_:./#-]{1,255}")
IMAGE_DIGEST_RE = re.compile(r"sha256:[A-Fa-f0-9]{64}")
ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PARTITION = r"aws(-cn|-us-gov|-eusc|-iso|-iso-[bef])?"
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
#: S3 general purpose bucket naming rules
#: (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html): 3-63
#: lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit;
#: no two adjacent dots; not an IP address; none of the reserved prefixes and suffixes.
BUCKET_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
BUCKET_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
BUCKET_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")

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
#: Only the space character, not tabs or newlines ("Tag naming limits and requirements",
#: https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html). Used with fullmatch.
TAG_TEXT_RE = re.compile(r"[\w .:/=+\-@]*")
#: Tags per resource (same page): 50; tags whose key starts with aws: do not count.
MAX_TAGS = 50

#: Stacks whose name says production: plain HTTP there needs a written waiver.
PROD_STACK_RE = re.compile(r"^prod(uction)?($|[-_])")


def numeric_user(user: str) -> tuple[int, int] | None:
    """``(uid, gid)`` of a numeric ``uid`` or ``uid:gid`` (gid defaults to the uid), else ``None``."""
    m = NUMERIC_USER_RE.match(user)
    if m is None:
        return None
    uid = int(m.group(1))
    return uid, int(m.group(2)) if m.group(2) is not None else uid


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


# --- Names AWS accepts ------------------------------------------------------------------------
#
# Every name the platform derives (explicitly, or through Pulumi's auto-naming from a
# resource's logical name) must fit these. Pulumi's auto-name is the logical name, "-" and
# 7 random hex digits (pulumi-terraform-bridge pkg/tfbridge/info/autonaming.go: AutoName,
# Randlen 7), and it is *not* truncated: a logical name too long for the provider's maximum
# fails `pulumi up` ("name '...-' plus 7 random chars is longer than maximum length 32",
# pulumi/pulumi sdk resource.NewUniqueName). tests/test_names.py checks every registered name.


class NameLimit(NamedTuple):
    """The longest name AWS accepts for one property of one resource type, its grammar, and
    where AWS documents them."""

    max_len: int
    pattern: re.Pattern[str]
    source: str


#: Pulumi's auto-name suffix: "-" and 7 random hex digits.
AUTONAME_SUFFIX_LEN = 8
_ECS_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
_IAM_NAME = re.compile(r"^[\w+=,.@-]+$")
_ELB_NAME = re.compile(r"^(?!internal-)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$")
_DNS_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
_ECS_DOCS = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/"
_IAM_QUOTAS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"

#: (resource type, property) -> what AWS accepts. Types the platform registers without a name
#: (security group rules, listener rules, scalable targets, policy attachments, ...) are absent.
NAME_LIMITS: dict[tuple[str, str], NameLimit] = {
    # CreateTargetGroup / CreateLoadBalancer: 32 alphanumerics or hyphens, no leading or trailing
    # hyphen, not "internal-..."
    ("aws:lb/targetGroup:TargetGroup", "name"): NameLimit(
        32, _ELB_NAME, "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html"),
    ("aws:lb/loadBalancer:LoadBalancer", "name"): NameLimit(
        32, _ELB_NAME, "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html"),
    # IAM: role names 64 (name_prefix 38), inline policy and instance profile names 128.
    ("aws:iam/role:Role", "name"): NameLimit(64, _IAM_NAME, _IAM_QUOTAS),
    ("aws:iam/role:Role", "namePrefix"): NameLimit(38, _IAM_NAME, _IAM_QUOTAS),
    ("aws:iam/rolePolicy:RolePolicy", "name"): NameLimit(128, _IAM_NAME, _IAM_QUOTAS),
    ("aws:iam/instanceProfile:InstanceProfile", "name"): NameLimit(128, _IAM_NAME, _IAM_QUOTAS),
    # ECS: 255 letters, digits, hyphens and underscores (cluster, service, task family,
    # container, capacity provider).
    ("aws:ecs/cluster:Cluster", "name"): NameLimit(255, _ECS_NAME, _ECS_DOCS + "API_CreateCluster.html"),
    ("aws:ecs/service:Service", "name"): NameLimit(255, _ECS_NAME, _ECS_DOCS + "API_CreateService.html"),
    ("aws:ecs/taskDefinition:TaskDefinition", "family"): NameLimit(
        255, _ECS_NAME, _ECS_DOCS + "API_RegisterTaskDefinition.html"),
    ("aws:ecs/taskDefinition:TaskDefinition", "containerDefinitions[].name"): NameLimit(
        255, _ECS_NAME, _ECS_DOCS + "API_ContainerDefinition.html"),
    ("aws:ecs/capacityProvider:CapacityProvider", "name"): NameLimit(
        255, _ECS_NAME, _ECS_DOCS + "API_CreateCapacityProvider.html"),
    # CloudWatch PutMetricAlarm: 1-255 UTF-8 characters without ASCII control characters.
    ("aws:cloudwatch/metricAlarm:MetricAlarm", "name"): NameLimit(
        ALARM_NAME_MAX, re.compile(r"^[^\x00-\x1f\x7f]+$"),
        "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html"),
    # CloudWatch Logs CreateLogGroup: 1-512 of a-z A-Z 0-9 _ - / . #
    ("aws:cloudwatch/logGroup:LogGroup", "name"): NameLimit(
        512, re.compile(r"^[.\-_/#A-Za-z0-9]+$"),
        "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html"),
    # EC2 CreateSecurityGroup (VPC): 255 of a-z A-Z 0-9, spaces and ._-:/()#,@[]+=&;{}!$*, not "sg-...".
    ("aws:ec2/securityGroup:SecurityGroup", "name"): NameLimit(
        255, re.compile(r"^(?!sg-)[A-Za-z0-9 ._\-:/()#,@\[\]+=&;{}!$*]+$"),
        "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html"),
    ("aws:ec2/launchTemplate:LaunchTemplate", "name"): NameLimit(
        128, re.compile(r"^[A-Za-z0-9().\-/_]{3,}$"),
        "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateLaunchTemplate.html"),
    ("aws:autoscaling/group:Group", "name"): NameLimit(
        255, re.compile(r"^[^\x00-\x1f]+$"),
        "https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_CreateAutoScalingGroup.html"),
    # Application Auto Scaling PutScalingPolicy: PolicyName 1-256 printable characters.
    ("aws:appautoscaling/policy:Policy", "name"): NameLimit(
        256, re.compile(r"^[^\x00-\x1f\x7f]+$"),
        "https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PutScalingPolicy.html"),
    # SSM CreateActivation: DefaultInstanceName up to 256 of letters, digits, spaces and _.:/=+-@
    ("aws:ssm/activation:Activation", "name"): NameLimit(
        256, re.compile(r"^[\w\s.:/=+\-@]+$"),
        "https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_CreateActivation.html"),
    # S3 general purpose buckets: 3-63 lowercase letters, digits, dots, hyphens.
    ("aws:s3/bucket:Bucket", "bucket"): NameLimit(
        63, BUCKET_NAME_RE, "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html"),
    ("aws:s3/bucketV2:BucketV2", "bucket"): NameLimit(
        63, BUCKET_NAME_RE, "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html"),
    # Cloud Map CreateService: a DNS label (Service Connect discovery names become one).
    ("aws:servicediscovery/service:Service", "name"): NameLimit(
        63, _DNS_LABEL, "https://docs.aws.amazon.com/cloud-map/latest/api/API_CreateService.html"),
    ("aws:servicediscovery/httpNamespace:HttpNamespace", "name"): NameLimit(
        1024, re.compile(r"^[!-~]+$"), "https://docs.aws.amazon.com/cloud-map/latest/api/API_CreateHttpNamespace.html"),
    ("aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace", "name"): NameLimit(
        253, re.compile(r"^[!-~]+$"),
        "https://docs.aws.amazon.com/cloud-map/latest/api/API_CreatePrivateDnsNamespace.html"),
    # EFS CreateFileSystem: CreationToken 1-64 characters.
    ("aws:efs/fileSystem:FileSystem", "creationToken"): NameLimit(
        64, re.compile(r"^.+$"), "https://docs.aws.amazon.com/efs/latest/ug/API_CreateFileSystem.html"),
}  # fmt: skip


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
    source_arn_resource: str = "*"
    """The resource part of ``aws:SourceArn``: ``*``, or a type's ARNs such as ``vpc-flow-log/*``."""


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
    # The ECS infrastructure role for load balancers (blue/green, linear and canary
    # deployments move traffic with it): ecs.amazonaws.com, and the guide's trust policy
    # shows no conditions.
    "ecs-infrastructure": TrustForm(
        "ecs.amazonaws.com", False, None, None,
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/AmazonECSInfrastructureRolePolicyForLoadBalancers.html",
    ),
    # EventBridge Scheduler's execution role (scheduled tasks): aws:SourceAccount only.
    "scheduler": TrustForm(
        "scheduler.amazonaws.com", True, None, None,
        "https://docs.aws.amazon.com/scheduler/latest/UserGuide/setting-up.html#setting-up-execution-role",
    ),
    # VPC flow logs publishing to CloudWatch Logs: aws:SourceAccount and ArnLike on the account's
    # flow logs (the guide's flow log ARN, its id replaced by a wildcard as the guide allows).
    "vpc-flow-logs": TrustForm(
        "vpc-flow-logs.amazonaws.com", True, "ArnLike", "ec2",
        "https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html", "vpc-flow-log/*",
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
            "aws:SourceArn": f"arn:{partition}:{form.source_arn_service}:{region}:{account}:{form.source_arn_resource}"
        }
    if condition:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


# --- jobs and queue workers ----------------------------------------------------------------------

#: EventBridge Scheduler's retry policy: MaximumRetryAttempts 0..185, MaximumEventAgeInSeconds
#: 60..86400 (API_RetryPolicy): https://docs.aws.amazon.com/scheduler/latest/APIReference/API_RetryPolicy.html
SCHEDULER_MAX_RETRY_ATTEMPTS = 185

#: An SQS queue ARN: arn:<partition>:sqs:<region>:<account>:<name>; queue names are 1-80
#: alphanumerics, hyphens and underscores (a FIFO queue's ending in .fifo), CreateQueue "QueueName".
SQS_QUEUE_ARN_RE = re.compile(
    r"^arn:(aws[a-z-]*):sqs:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,80}|[A-Za-z0-9_-]{1,75}\.fifo)$"
)

#: What a queue worker's task role may do on its queue: receive, delete and keep messages
#: invisible while it works on them, and read the queue's attributes (SDK consumers ask for them).
#: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-permissions-reference.html
SQS_CONSUMER_ACTIONS = (
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
    "sqs:ChangeMessageVisibility",
)
