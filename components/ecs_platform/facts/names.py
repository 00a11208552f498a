"""Names AWS accepts for what the platform names, per resource type and property."""

from __future__ import annotations

import re
from typing import NamedTuple

from ecs_platform.facts.limits import ALARM_NAME_MAX, BUCKET_NAME_RE

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
