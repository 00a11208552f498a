"""Task roles: the seed's "role ECS tasks assume", split in two and scoped.

* The **execution role** is what the ECS agent uses to start a task: pull the
  image from ECR, write to the service's log group, and read exactly the
  secrets the task definition references. Nothing in the container can use it.
* The **task role** is what the application's code gets. It holds nothing
  unless config grants it, plus ECS Exec's channel actions when exec is on.

Both trust only ``ecs-tasks.amazonaws.com``. Every role's trust policy is built
from :data:`ecs_platform.facts.TRUST_FORMS`, exactly as its AWS guide shows it: the
task role only on behalf of this account's ECS (``aws:SourceAccount`` /
``aws:SourceArn``), the execution role without conditions (AWS documents none, and a
condition the service does not send would deny every task start).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from ecs_platform.boundary import Boundary
from ecs_platform.context import AwsContext as AwsContext
from ecs_platform.context import trust_policy as trust_policy
from ecs_platform.errors import deferred_error
from ecs_platform.outputs import after
from ecs_platform.specs import TaskSpec, task_policy
from ecs_platform.storage import EfsMount, efs_statements
from ecs_platform.wiring import KMS_KEY_ARN, LOG_GROUP_ARN

EXECUTION_MANAGED_POLICY = "policy/service-role/AmazonECSTaskExecutionRolePolicy"
EXEC_CHANNEL_ACTIONS = task_policy.EXEC_CHANNEL_ACTIONS
unscoped_statement = task_policy.unscoped_statement


def managed_policy_role(
    name: str,
    *,
    ctx: AwsContext,
    trust: pulumi.Input[str],
    description: str,
    managed_policies: Sequence[tuple[str, str]],
    parent: pulumi.Resource,
) -> tuple[aws.iam.Role, list[aws.iam.RolePolicyAttachment]]:
    """A role and its AWS managed policies (``(short name, "policy/...")`` pairs),
    attached as ``<name>-<short name>``."""
    child = pulumi.ResourceOptions(parent=parent)
    role = aws.iam.Role(name, description=description, assume_role_policy=trust, opts=child)
    attachments = [
        aws.iam.RolePolicyAttachment(
            f"{name}-{short}",
            role=role.name,
            policy_arn=pulumi.Output.concat("arn:", ctx.partition, ":iam::aws:", policy),
            opts=child,
        )
        for short, policy in managed_policies
    ]
    return role, attachments


@dataclass
class InfrastructureRole:
    """An ECS infrastructure role (trusted by ``ecs.amazonaws.com``), its AWS managed policy and,
    with a customer-managed key, an inline policy for that key."""

    role: aws.iam.Role
    attachments: list[aws.iam.RolePolicyAttachment]
    key_policy: aws.iam.RolePolicy | None

    @property
    def arn(self) -> pulumi.Output[str]:
        """The role's ARN, handed out only once its policies are attached."""
        return after(self.role.arn, *self.attachments, self.key_policy)


def infrastructure_role(
    name: str,
    *,
    ctx: AwsContext,
    trust: pulumi.Input[str],
    description: str,
    managed_policy: tuple[str, str],
    key_policy_name: str,
    key_statements: pulumi.Input[Sequence[dict[str, Any]]] | None,
    parent: pulumi.Resource,
) -> InfrastructureRole:
    """:func:`managed_policy_role` with one managed policy, plus ``key_policy_name`` holding
    ``key_statements`` when there are any."""
    role, attachments = managed_policy_role(
        name, ctx=ctx, trust=trust, description=description, managed_policies=(managed_policy,), parent=parent
    )
    key_policy = None
    if key_statements is not None:
        key_policy = aws.iam.RolePolicy(
            key_policy_name,
            role=role.name,
            policy=policy_document(key_statements),
            opts=pulumi.ResourceOptions(parent=parent),
        )
    return InfrastructureRole(role, attachments, key_policy)


def _plain(value: Any) -> bool:
    """True when ``value`` holds no Output or awaitable (so plain ``json.dumps`` will do)."""
    if isinstance(value, dict):
        return all(_plain(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    return isinstance(value, (str, int, float, bool)) or value is None


def policy_document(statements: pulumi.Input[Sequence[dict[str, Any]]]) -> pulumi.Input[str]:
    """An IAM policy document; a plain string when nothing in it is an Output."""
    document = task_policy.document(statements)
    if _plain(document):
        return json.dumps(document)
    return pulumi.Output.json_dumps(document)


def secrets_statements(
    secret_arns: Sequence[pulumi.Input[str]],
    keyed: Sequence[tuple[pulumi.Input[str], Sequence[pulumi.Input[str]]]] = (),
) -> pulumi.Input[list[dict[str, Any]]]:
    """Read access to exactly these Secrets Manager secrets / SSM parameters, and ``kms:Decrypt``
    through those services on each customer-managed key of ``keyed`` (key, the secrets it encrypts).

    ARNs may be Outputs of another program's resources; the statements are then
    built once their values are known.
    """
    flat = [*secret_arns, *(k for k, _ in keyed), *(a for _, arns in keyed for a in arns)]

    def build(values: Sequence[Any]) -> list[dict[str, Any]]:
        it = iter(values)
        arns = [str(next(it)) for _ in secret_arns]
        keys = [str(next(it)) for _ in keyed]
        pairs = [(key, [str(next(it)) for _ in group]) for key, (_, group) in zip(keys, keyed, strict=True)]
        return task_policy.secrets_statements(arns) + task_policy.secrets_key_statements(pairs)

    if all(isinstance(a, str) for a in flat):
        return build(flat)
    return pulumi.Output.all(*flat).apply(build)


def logs_key_policy(ctx: AwsContext) -> pulumi.Output[str]:
    """The key policy of a KMS key for CloudWatch Logs, as "Encrypt log data in CloudWatch Logs
    using AWS KMS" shows it: the account's IAM policies govern the key (AWS's default key
    policy statement; the task role's ``kms:Decrypt`` for ECS Exec rests on it), and CloudWatch
    Logs of this region may use it only for log groups of this account and region; and, as the
    AWS managed key for EFS (``aws/elasticfilesystem``) allows, every principal of the account
    may use it through EFS of this region (EFS volumes are encrypted with it: creating one needs
    ``kms:CreateGrant``, reading and writing it ``kms:Decrypt`` and ``GenerateDataKey*``).
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html,
    https://docs.aws.amazon.com/efs/latest/ug/EFSKMS.html#EFSKMSPolicy"""

    def document(values: list[Any]) -> str:
        account, region, partition = (str(v) for v in values)
        suffix = "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com"
        return json.dumps({
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "AccountIamPolicies", "Effect": "Allow",
                 "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"},
                 "Action": "kms:*", "Resource": "*"},
                {"Sid": "CloudWatchLogsOfThisAccountAndRegion", "Effect": "Allow",
                 "Principal": {"Service": f"logs.{region}.{suffix}"},
                 "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                 "Resource": "*",
                 "Condition": {"ArnLike": {
                     "kms:EncryptionContext:aws:logs:arn": f"arn:{partition}:logs:{region}:{account}:log-group:*"}}},
                {"Sid": "EfsOfThisAccountAndRegion", "Effect": "Allow", "Principal": {"AWS": "*"},
                 "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant",
                            "kms:DescribeKey"],
                 "Resource": "*",
                 "Condition": {"StringEquals": {"kms:ViaService": f"elasticfilesystem.{region}.{suffix}",
                                                "kms:CallerAccount": account}}},
            ],
        })  # fmt: skip

    return pulumi.Output.all(ctx.account_id, ctx.region, ctx.partition).apply(document)


def exec_statements(
    ctx: AwsContext, log_group_arn: pulumi.Input[str] | None, kms_key_arn: pulumi.Input[str] | None = None
) -> list[dict[str, Any]]:
    """What the SSM agent inside a task needs for ECS Exec (and its audit log, and the key that
    encrypts its sessions)."""
    return task_policy.exec_statements(log_group_arn, kms_key_arn)


def role_problems(bd: Boundary, name: str, spec: TaskSpec, ref: Any, context: AwsContext | None,
                  efs: Sequence[tuple[EfsMount, bool]] = ()) -> None:  # fmt: skip
    """What :class:`TaskRoles` ``name`` checks before it registers anything (and the components
    that create one, before their own first child): its role names, and its inline policies
    within IAM's quota, measured as sent (values known only during the deployment count as
    empty; they are measured again once known)."""
    arg = "name"
    for role in ("execution", "task"):
        bd.autoname(arg, bd.name, "aws:iam/role:Role", f"{name}-{role}", "IAM role name")
    label = type(spec).__name__
    exec_log = getattr(ref, "exec_log_group_arn", None) if ref is not None else None
    exec_key = getattr(ref, "kms_key_arn", None) if ref is not None else None
    statements = _task_statements(spec, context or AwsContext("", "", ""), exec_log, exec_key, efs)
    problem = task_policy.role_policy_problem(task_policy.policy_size(statements), "task role")
    if problem:
        bd.problems.append(f"{label}.permissions: {problem}")
    secrets = [a for c in spec.containers.values() for a in c.secrets.values() if isinstance(a, str)]
    keyed = [(k, [a for a in c.secrets.values() if isinstance(a, str)])
             for c in spec.containers.values() for k in c.secrets_kms_keys if isinstance(k, str)]  # fmt: skip
    read = task_policy.secrets_statements(secrets) + task_policy.secrets_key_statements(keyed)
    problem = task_policy.role_policy_problem(task_policy.policy_size(read), "execution role")
    if problem:
        bd.problems.append(f"{label}.secrets: {problem}")


def _task_statements(spec: TaskSpec, ctx: AwsContext, exec_log_group_arn: pulumi.Input[str] | None,
                     exec_kms_key_arn: pulumi.Input[str] | None,
                     efs: Sequence[tuple[EfsMount, bool]]) -> list[dict[str, Any]]:  # fmt: skip
    statements = task_policy.granted_statements(spec.permissions)
    if spec.exec_enabled:
        statements += exec_statements(ctx, exec_log_group_arn, exec_kms_key_arn)
    statements += efs_statements(efs)
    if spec.consumed_queue is not None:
        statements += task_policy.queue_statements(spec.consumed_queue, spec.consumed_queue_key)
    return statements


def sized_policy(document: pulumi.Input[str], path: str, role: str) -> pulumi.Input[str]:
    """A role's policy document as sent, within IAM's quota once its Outputs are known (a plain one
    was measured up front)."""
    if isinstance(document, str):
        return document

    def verify(text: str) -> str:
        problem = task_policy.role_policy_problem(task_policy.text_size(text), role)
        if problem:
            raise deferred_error([f"{path}: {problem}"])
        return text

    return pulumi.Output.from_input(document).apply(verify)  # type: ignore[arg-type]


class TaskRoles(pulumi.ComponentResource):
    """The execution role and the task role of one service.

    Outputs: ``execution_role_arn``, ``task_role_arn``.
    """

    execution_role: aws.iam.Role
    task_role: aws.iam.Role
    execution_role_arn: pulumi.Output[str]
    task_role_arn: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        spec: TaskSpec,
        *,
        exec_log_group_arn: pulumi.Input[str] | None = None,
        exec_kms_key_arn: pulumi.Input[str] | None = None,
        context: AwsContext | None = None,
        efs: Sequence[tuple[EfsMount, bool]] = (),
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """The execution role reads exactly ``spec.secrets`` (of every container); the task
        role gets ``spec.permissions``, with ``spec.exec_enabled`` ECS Exec's channels, the
        write access to ``exec_log_group_arn`` (the cluster's audit log group) and ``kms:Decrypt``
        on ``exec_kms_key_arn`` (the key of its sessions, when the cluster has one), and for each
        ``(mount, read_only)`` of ``efs`` the EFS client grant through that access point, and for a
        queue worker (``spec.consumed_queue``) the consumer actions on exactly its queue."""
        bd = Boundary("TaskRoles", name, opts)
        checked = bd.spec("spec", spec, TaskSpec)
        context = bd.context("context", context)
        bd.wiring("exec_log_group_arn", exec_log_group_arn, LOG_GROUP_ARN, context, optional=True)
        bd.wiring("exec_kms_key_arn", exec_kms_key_arn, KMS_KEY_ARN, context, optional=True)
        for i, item in enumerate(efs):
            if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], EfsMount)):
                bd.add(f"efs[{i}]", f"{item!r} is not an (EfsMount, read_only) pair (allowed: such pairs)")
        if checked is not None and bd.ok:
            role_problems(bd, name, checked, None, context, efs)
        bd.done(self)
        assert checked is not None
        spec = checked
        super().__init__("ecs-platform:iam:TaskRoles", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        ctx = context or AwsContext.lookup(pulumi.InvokeOutputOptions(parent=self))
        secret_arns = spec.secret_arns
        keyed = [(key, list(c.secrets.values())) for c in spec.containers.values() for key in c.secrets_kms_keys]

        self.execution_role, (self.execution_policy_attachment,) = managed_policy_role(
            f"{name}-execution",
            ctx=ctx,
            trust=ctx.trust("execution"),
            description="ECS agent: pull images, write logs, read this service's secrets",
            managed_policies=(("managed", EXECUTION_MANAGED_POLICY),),
            parent=self,
        )
        self.execution_secrets_policy: aws.iam.RolePolicy | None = None
        if secret_arns:
            self.execution_secrets_policy = aws.iam.RolePolicy(
                f"{name}-execution-secrets",
                role=self.execution_role.name,
                policy=sized_policy(policy_document(secrets_statements(secret_arns, keyed)),
                                    f"{type(spec).__name__}.secrets", "execution role"),
                opts=child,
            )

        self.task_role = aws.iam.Role(
            f"{name}-task",
            assume_role_policy=ctx.trust("task"),
            description="Application: only what stack config grants",
            opts=child,
        )
        statements = _task_statements(spec, ctx, exec_log_group_arn, exec_kms_key_arn, efs)
        self.task_policy: aws.iam.RolePolicy | None = None
        if statements:
            self.task_policy = aws.iam.RolePolicy(
                f"{name}-task-policy",
                role=self.task_role.name,
                policy=sized_policy(policy_document(statements), f"{type(spec).__name__}.permissions", "task role"),
                opts=child,
            )

        # Hand the ARNs out *through* their policies, so a task definition (and
        # the service starting tasks) waits until the roles can actually work.
        self.execution_role_arn = after(
            self.execution_role.arn, self.execution_policy_attachment, self.execution_secrets_policy
        )
        self.task_role_arn = after(self.task_role.arn, self.task_policy)
        self.register_outputs(
            {"executionRoleArn": self.execution_role_arn, "taskRoleArn": self.task_role_arn}
        )


class SharedTaskRoles(pulumi.ComponentResource):
    """The seed's "IAM role that ECS tasks assume", for a cluster without services: an execution
    role (pull from ECR, write to CloudWatch Logs: AWS's managed ``AmazonECSTaskExecutionRolePolicy``)
    and a task role that holds nothing, for the task definitions other programs register on the
    cluster. Both trust only ``ecs-tasks.amazonaws.com``, as :class:`TaskRoles`' do.

    Outputs: ``execution_role_arn``, ``task_role_arn``.
    """

    def __init__(self, name: str, *, context: AwsContext | None = None,
                 opts: pulumi.ResourceOptions | None = None) -> None:  # fmt: skip
        bd = Boundary("SharedTaskRoles", name, opts)
        context = bd.context("context", context)
        bd.autoname("name", name, "aws:iam/role:Role", f"{name}-execution", "IAM role name")
        bd.autoname("name", name, "aws:iam/role:Role", f"{name}-task", "IAM role name")
        bd.claim("ecs-platform:iam:SharedTaskRoles", name, "name", "is the name")
        bd.done(self)
        super().__init__("ecs-platform:iam:SharedTaskRoles", name, None, opts)
        ctx = context or AwsContext.lookup(pulumi.InvokeOutputOptions(parent=self))
        self.execution_role, (self.execution_policy_attachment,) = managed_policy_role(
            f"{name}-execution",
            ctx=ctx,
            trust=ctx.trust("execution"),
            description="ECS agent, for tasks run on this cluster: pull images, write logs",
            managed_policies=(("managed", EXECUTION_MANAGED_POLICY),),
            parent=self,
        )
        self.task_role = aws.iam.Role(
            f"{name}-task",
            assume_role_policy=ctx.trust("task"),
            description="Tasks run on this cluster: nothing granted (attach your own policies)",
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.execution_role_arn = after(self.execution_role.arn, self.execution_policy_attachment)
        self.task_role_arn = self.task_role.arn
        self.register_outputs({"executionRoleArn": self.execution_role_arn, "taskRoleArn": self.task_role_arn})
