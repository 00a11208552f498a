"""The trust policies AWS documents for each role the platform creates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
    # The ECS infrastructure role for task volumes (EBS), VPC Lattice and Service Connect TLS: the
    # guide's trust policy is ecs.amazonaws.com without conditions, one role per purpose (each
    # with its own managed policy: AmazonECSInfrastructureRolePolicyForVolumes, ...ForVpcLattice,
    # ...ForServiceConnectTransportLayerSecurity).
    "ecs-infrastructure-volumes": TrustForm(
        "ecs.amazonaws.com", False, None, None,
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/infrastructure_IAM_role.html",
    ),
    "ecs-infrastructure-lattice": TrustForm(
        "ecs.amazonaws.com", False, None, None,
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/infrastructure_IAM_role.html",
    ),
    "ecs-infrastructure-tls": TrustForm(
        "ecs.amazonaws.com", False, None, None,
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/infrastructure_IAM_role.html",
    ),
    # The ECS infrastructure role of a Managed Instances capacity provider (ECS launches, drains and
    # terminates the instances with it): ecs.amazonaws.com, and the guide's trust policy shows no
    # conditions.
    "managed-instances-infrastructure": TrustForm(
        "ecs.amazonaws.com", False, None, None,
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/infrastructure_IAM_role.html",
    ),
    # The instance role of Managed Instances (in the instance profile ECS launches them with):
    # ec2.amazonaws.com without conditions, as the guide shows it (an instance sends neither key).
    "managed-instances-instance": TrustForm(
        "ec2.amazonaws.com", False, None, None,
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/managed-instances-instance-profile.html",
    ),
    # EventBridge Scheduler's execution role (scheduled tasks): aws:SourceAccount and aws:SourceArn,
    # both StringEquals, aws:SourceArn the schedule group's ARN ("Do not scope the aws:SourceArn
    # statement to a specific schedule or a schedule name prefix. The ARN you specify must be a
    # schedule group."). Our schedules are in the default group (SCHEDULE_GROUP).
    "scheduler": TrustForm(
        "scheduler.amazonaws.com", True, "StringEquals", "scheduler",
        "https://docs.aws.amazon.com/scheduler/latest/UserGuide/cross-service-confused-deputy-prevention.html",
        "schedule-group/default",
    ),
    # VPC flow logs publishing to CloudWatch Logs: aws:SourceAccount and ArnLike on the account's
    # flow logs (the guide's flow log ARN, its id replaced by a wildcard as the guide allows).
    "vpc-flow-logs": TrustForm(
        "vpc-flow-logs.amazonaws.com", True, "ArnLike", "ec2",
        "https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html", "vpc-flow-log/*",
    ),
}  # fmt: skip


def trust_condition_keys(form: TrustForm) -> dict[str, list[str]]:
    """The shape of ``form``'s conditions: operator -> its keys, sorted (the policy pack compares a
    role's trust statement with it)."""
    want: dict[str, list[str]] = {}
    if form.source_account:
        want["StringEquals"] = ["aws:SourceAccount"]
    if form.source_arn_operator:
        want.setdefault(form.source_arn_operator, []).append("aws:SourceArn")
    return {op: sorted(keys) for op, keys in want.items()}


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
        condition.setdefault(form.source_arn_operator, {})["aws:SourceArn"] = (
            f"arn:{partition}:{form.source_arn_service}:{region}:{account}:{form.source_arn_resource}"
        )
    if condition:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}
