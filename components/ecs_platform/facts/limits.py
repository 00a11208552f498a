"""AWS's limits, enumerations and grammars: regions, launch types, Fargate sizes, names, ARNs,
load balancer and security group quotas. Each fact names its source."""

from __future__ import annotations

import re

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

#: Host ports a ``bridge`` task's dynamic mapping (``hostPort: 0``) may take, which the container
#: instances admit from the load balancer: the ECS-optimized AMI's ephemeral range, "32768 to 61000"
#: ("Use an Application Load Balancer for Amazon ECS",
#: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/alb.html), together with Docker's
#: fallback when the kernel parameter is unavailable, "49153 through 65535 (Linux)" (PortMapping
#: ``hostPort``, https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PortMapping.html).
DYNAMIC_HOST_PORTS = (32768, 65535)
#: Network modes whose tasks sit behind the load balancer as EC2 instance targets (the instance's
#: port): ``bridge`` with a dynamic host port, ``host`` on the container port; ``awsvpc`` tasks are
#: ``ip`` targets ("Use an Application Load Balancer for Amazon ECS", target type).
INSTANCE_TARGET_MODES = ("bridge", "host")

#: The enumerations the platform offers from ECS's, ALB's and awsx's APIs: launch types, CPU
#: architectures (``runtimePlatform.cpuArchitecture``), NAT gateway strategies (awsx ``ec2.Vpc``),
#: Container Insights settings (CreateCluster ``settings``) and desync mitigation modes (ALB
#: ``routing.http.desync_mitigation_mode``, without ``monitor``).
LAUNCH_TYPES = ("FARGATE", "FARGATE_SPOT", "EC2", "EXTERNAL", "MANAGED_INSTANCES")
FARGATE_LAUNCH_TYPES = ("FARGATE", "FARGATE_SPOT")
ARCHITECTURES = ("X86_64", "ARM64")
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
    # managed-instance-networking.html (facts.managed_instances.MANAGED_INSTANCES_NETWORK_MODES)
    "MANAGED_INSTANCES": ("awsvpc", "host"),
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
#: Target group health check matcher (ELBv2 Matcher ``HttpCode``): codes and ranges, comma-separated.
#: https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_Matcher.html
MATCHER_RE = re.compile(r"^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$")
#: At most five condition values per listener rule (ELB quotas, "Condition values per rule").
MAX_ROUTE_VALUES = 5
#: Listener rule priorities: 1..50000 (ELBv2 CreateRule ``Priority``).
#: https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateRule.html
MAX_PRIORITY = 50000
#: Application Load Balancer quotas (defaults), "Quotas for your Application Load Balancers":
#: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html
#: rules per load balancer (default rules not counted), target groups per load balancer and
#: listeners per load balancer; named as Service Quotas names them (the message of a refused
#: config says which one to raise).
MAX_LISTENER_RULES = 100
MAX_TARGET_GROUPS = 100
MAX_LISTENERS = 50
RULES_QUOTA = "Rules per Application Load Balancer"
TARGET_GROUPS_QUOTA = "Target Groups per Application Load Balancer"
LISTENERS_QUOTA = "Listeners per Application Load Balancer"
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
#: Port mapping names (PortMapping ``name``, which Service Connect refers to): up to 64
#: lowercase letters, digits, underscores and hyphens, not starting with a hyphen.
#: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PortMapping.html
PORT_MAPPING_NAME_MAX = 64
PORT_MAPPING_NAME_RE = re.compile(r"[a-z0-9_][a-z0-9_-]{0,63}")
VOLUME_NAME_RE = CONTAINER_NAME_RE
#: The volumes ``writablePaths`` get: ``scratch-<n>``, ``<sidecar>-scratch-<n>``.
SCRATCH_VOLUME_RE = re.compile(r"^(.+-)?scratch-[0-9]+$")
#: The containers the platform adds itself.
VOLUME_INIT_CONTAINER = "volume-init"
LOG_ROUTER_CONTAINER = "log-router"
RESERVED_CONTAINER_NAMES = (VOLUME_INIT_CONTAINER, LOG_ROUTER_CONTAINER)
#: The FireLens log router's image: AWS for Fluent Bit from ECR Public, pinned to the version AWS
#: designates its latest stable (the repository's AWS_FOR_FLUENT_BIT_STABLE_VERSION file, "2.34.3.20260623";
#: its README: "We recommend using the stable version number in your prod deployments but not the
#: stable tag itself"). https://github.com/aws/aws-for-fluent-bit#latest-stable-version
LOG_ROUTER_IMAGE = "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.34.3.20260623"
#: Memory the log router reserves (``memoryReservation``, MiB): AWS's FireLens task definition
#: examples give the Fluent Bit container 50 ("Example Amazon ECS task definition: Route logs to
#: FireLens", https://docs.aws.amazon.com/AmazonECS/latest/developerguide/firelens-taskdef.html).
LOG_ROUTER_MEMORY_RESERVATION = 50
#: FireLens listens on this port inside the task: no container may map it ("FireLens listens on
#: port 24224 ... you must not allow ingress traffic on port 24224", same page).
FIRELENS_PORT = 24224
#: A small image with chmod, from ECR Public's mirror of Docker Official Images.
VOLUME_INIT_IMAGE = "public.ecr.aws/docker/library/busybox:1.37"
#: Containers per task definition: a fixed quota
#: (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html).
MAX_CONTAINERS_PER_TASK = 10
#: "Task definition size": at most 64 KiB, a fixed quota (same page). AWS does not say how it
#: measures; the platform measures the container definitions as the provider sends them
#: (compact JSON, UTF-8), which is nearly all of a task definition's size.
MAX_TASK_DEFINITION_BYTES = 64 * 1024
#: Capacity provider strategy items (CapacityProviderStrategyItem: ``weight`` 0..1000, ``base``
#: 0..100000, https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html);
#: the providers a strategy in config may name: the Fargate ones and the cluster's EC2 provider
#: (external instances use no capacity provider: "You cannot use capacity providers for tasks that
#: run on external container instances", Amazon ECS capacity providers).
STRATEGY_PROVIDERS = ("FARGATE", "FARGATE_SPOT", "EC2")
STRATEGY_WEIGHT = (0, 1000)
STRATEGY_BASE = (0, 100000)
#: ContainerRestartPolicy: ``restartAttemptPeriod`` from 60 to 1800 seconds (AWS's default 300), at
#: most 50 ``ignoredExitCodes``.
#: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerRestartPolicy.html
RESTART_ATTEMPT_PERIOD = (60, 1800)
MAX_IGNORED_EXIT_CODES = 50
#: ContainerDependency conditions (ECS API reference).
DEPENDENCY_CONDITIONS = ("START", "COMPLETE", "SUCCESS", "HEALTHY")
#: The least memory a container may have (ContainerDefinition.memory: 6 MiB).
MIN_CONTAINER_MEMORY = 6
#: A numeric container ``user`` (ContainerDefinition ``user``): ``uid`` or ``uid:gid``.
NUMERIC_USER_RE = re.compile(r"^([0-9]+)(?::([0-9]+))?$")
#: EFS file system and access point ids, as the EFS API's ``FileSystemId`` and ``AccessPointId``
#: patterns give them (botocore's efs model): https://docs.aws.amazon.com/efs/latest/ug/API_CreateAccessPoint.html
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
#: Environment variable names: a letter or underscore, then letters, digits and underscores
#: (the portable names of POSIX "Environment Variables", which every shell can read).
ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PARTITION = r"aws(-cn|-us-gov|-eusc|-iso|-iso-[bef])?"
_REGION = r"[a-z]{2}(-[a-z]+)+-\d"
#: Secrets Manager secret, SSM parameter and ACM certificate ARNs in any partition, as ECS's
#: ``secrets[].valueFrom`` (a secret optionally followed by ``:<json-key>:<stage>:<version>``) and the
#: listener's certificate take them. https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html
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
#: RFC 5737's IPv4 address blocks for documentation (TEST-NET-1..3), which "SHOULD NOT appear on
#: the public Internet" (https://www.rfc-editor.org/rfc/rfc5737): a CIDR block inside one is an
#: example stack's placeholder (who may reach a test listener, ...).
EXAMPLE_CIDRS = ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")
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
#: Which requests the WAF logs (``waf.logRequests``): ``blockedAndCounted`` keeps the log records
#: whose action (WAFV2 logging filter ``ActionCondition``) is one of :data:`WAF_LOGGED_ACTIONS`,
#: ``all`` keeps every record. EXCLUDED_AS_COUNT matches rules with a rule action override of
#: Count (``largeBodies: count``). https://docs.aws.amazon.com/waf/latest/APIReference/API_ActionCondition.html
WAF_LOG_REQUESTS = ("blockedAndCounted", "all")
WAF_LOGGED_ACTIONS = ("BLOCK", "COUNT", "EXCLUDED_AS_COUNT")
#: What the access-log bucket does on ``pulumi destroy``: ``retain`` (left in place, with its
#: policy, lifecycle and public access block; the stack forgets it) or ``delete`` (emptied and
#: deleted, ``force_destroy``).
ACCESS_LOGS_ON_DESTROY = ("retain", "delete")
#: An IAM action (``service:Action``, ``*`` and ``?`` allowed) and an ARN in any partition
#: (``arn:partition:service:region:account-id:resource``).
#: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
IAM_ACTION_RE = re.compile(r"^[a-z0-9-]+:[A-Za-z0-9*?]+$")
ARN_RE = re.compile(rf"^arn:{_PARTITION}:[a-z0-9-]+:[a-z0-9-]*:(\d{{12}})?:.+$")
#: S3 general purpose bucket naming rules
#: (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html): 3-63
#: lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit;
#: no two adjacent dots; not an IP address; none of the reserved prefixes and suffixes.
BUCKET_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
BUCKET_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
BUCKET_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
