"""The inline policy documents of a task's roles, built once for the component
(:mod:`ecs_platform.iam`) and for the model's size rule: IAM refuses a role whose
inline policies add up to more than 10,240 characters (white space not counted).

Values may be ``pulumi.Output``s (the component's account, region, log group ARN);
with plain strings every function returns plain data, which the model measures.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import pulumi

from ecs_platform import facts, iam_reference
from ecs_platform.specs.commands import PermissionSpec

#: ECS Exec's channel actions. AWS gives them no resource-level permissions, so
#: their resource must be "*" (the only "*" resource we ever write).
EXEC_CHANNEL_ACTIONS = (
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
)


def _log_streams(arn: str) -> str:
    return arn if arn.endswith(":*") else f"{arn}:*"


def granted_statements(permissions: Sequence[PermissionSpec]) -> list[dict[str, Any]]:
    """One Allow statement per grant of the task spec."""
    return [
        {"Sid": f"Granted{i}", "Effect": "Allow", "Action": list(st.actions), "Resource": list(st.resources)}
        for i, st in enumerate(permissions)
    ]


def exec_statements(
    log_group_arn: pulumi.Input[str] | None,
    kms_key_arn: pulumi.Input[str] | None = None,
) -> list[dict[str, Any]]:
    """What the SSM agent inside a task needs for ECS Exec (and its audit log, and the key that
    encrypts its sessions)."""
    out: list[dict[str, Any]] = [
        unscoped_statement("EcsExecChannels", EXEC_CHANNEL_ACTIONS),
    ]
    if kms_key_arn is not None:
        # "Using ECS Exec" (KMS key for sessions): the task role decrypts with the session key.
        # https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html
        out.append({"Sid": "EcsExecSessionKey", "Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": kms_key_arn})
    if log_group_arn is not None:
        streams: pulumi.Input[str] = (
            _log_streams(log_group_arn)
            if isinstance(log_group_arn, str)
            else pulumi.Output.all(log_group_arn).apply(lambda known: _log_streams(str(known[0])))
        )
        # DescribeLogGroups takes "*" only (no resource type in the Service Authorization Reference),
        # as the ECS Exec guide's logging policy grants it.
        # https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html
        out += [
            unscoped_statement("EcsExecAuditLogGroups", ["logs:DescribeLogGroups"]),
            {"Sid": "EcsExecAuditLogWrite", "Effect": "Allow",
             "Action": ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
             "Resource": streams},
        ]  # fmt: skip
    return out


def firelens_statements(log_group_arn: pulumi.Input[str]) -> list[dict[str, Any]]:
    """What the FireLens log router needs, with the task role, to write the task's containers' logs
    to the task's log group through Fluent Bit's ``cloudwatch_logs`` output (its documented
    permissions, without ``logs:CreateLogGroup``: the group exists): create streams in exactly
    that group, and put events in them. https://docs.fluentbit.io/manual/pipeline/outputs/cloudwatch"""
    streams: pulumi.Input[str] = (
        f"{log_group_arn}:log-stream:*"
        if isinstance(log_group_arn, str)
        else pulumi.Output.concat(log_group_arn, ":log-stream:*")
    )
    return [
        # Both act on the log-stream resource type (Service Authorization Reference, CloudWatch Logs).
        {"Sid": "FireLensLogStreams", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": streams},
    ]  # fmt: skip


def queue_statements(queue_arn: str, kms_key_arn: str | None = None) -> list[dict[str, Any]]:
    """A queue worker's task role: consume exactly its queue (:data:`facts.SQS_CONSUMER_ACTIONS`),
    and with a customer-managed key (SSE-KMS), ``kms:Decrypt`` on exactly that key, only when SQS
    calls KMS on the worker's behalf in the queue's region: "Key management" (Amazon SQS
    Developer Guide) lists kms:Decrypt as what a consumer of an SSE-KMS queue needs,
    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html
    and kms:ViaService takes ``<service>.<region>.amazonaws.com``,
    https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service"""
    out: list[dict[str, Any]] = [{"Sid": "ConsumeQueue", "Effect": "Allow", "Action": list(facts.SQS_CONSUMER_ACTIONS),
                                  "Resource": queue_arn}]  # fmt: skip
    if kms_key_arn is not None:
        partition, region = queue_arn.split(":")[1], queue_arn.split(":")[3]
        out.append({"Sid": "DecryptQueueMessages", "Effect": "Allow", "Action": ["kms:Decrypt"],
                    "Resource": kms_key_arn, "Condition": {"StringEquals": {
                        "kms:ViaService": f"sqs.{region}.{facts.dns_suffix(partition)}"}}})  # fmt: skip
    return out


def secrets_statements(arns: Sequence[str]) -> list[dict[str, Any]]:
    """Read access to exactly these Secrets Manager secrets / SSM parameters."""
    sm = list(dict.fromkeys(r for a in arns if ":secretsmanager:" in a for r in facts.secret_iam_resources(a)))
    ssm = list(dict.fromkeys(a for a in arns if ":ssm:" in a))
    out: list[dict[str, Any]] = []
    if sm:
        out.append({"Sid": "ReadSecrets", "Effect": "Allow",
                    "Action": ["secretsmanager:GetSecretValue"], "Resource": sm})  # fmt: skip
    if ssm:
        out.append({"Sid": "ReadParameters", "Effect": "Allow",
                    "Action": ["ssm:GetParameters"], "Resource": ssm})  # fmt: skip
    return out


def secrets_key_statements(keyed: Sequence[tuple[str, Sequence[str]]]) -> list[dict[str, Any]]:
    """``kms:Decrypt`` on exactly each customer-managed key, and only when Secrets Manager or
    Parameter Store (of the secrets' region) asks on the role's behalf: ``keyed`` is each key with
    the secret ARNs it encrypts. AWS's "Amazon ECS task execution IAM role" page: a secret under a
    custom key needs ``kms:Decrypt`` on that key.
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html"""
    via: dict[str, set[str]] = {}
    for key, arns in keyed:
        via.setdefault(key, set()).update(facts.via_service(a) for a in arns)
    groups: dict[tuple[str, ...], list[str]] = {}
    for key, services in via.items():
        groups.setdefault(tuple(sorted(services)), []).append(key)
    return [
        {"Sid": f"DecryptSecrets{i}" if i else "DecryptSecrets", "Effect": "Allow", "Action": ["kms:Decrypt"],
         "Resource": keys, "Condition": {"StringEquals": {"kms:ViaService": list(services)}}}
        for i, (services, keys) in enumerate(sorted(groups.items()))
    ]  # fmt: skip


def document(statements: Any) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": statements}


def policy_size(statements: Sequence[dict[str, Any]]) -> int:
    """Characters IAM counts in the policy document: its JSON without white space. A value known
    only during the deployment (an Output) counts as empty, so the size is a lower bound then."""
    return len(re.sub(r"\s", "", json.dumps(document(list(statements)), separators=(",", ":"),
                                            default=lambda _: "")))  # fmt: skip


def text_size(text: str) -> int:
    """Characters IAM counts in a policy document sent as JSON text."""
    return len(re.sub(r"\s", "", text))


def role_policy_problem(size: int, role: str) -> str | None:
    """IAM's quota on a role's inline policies, for a ``role`` ("task role") policy of ``size``
    characters. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"""
    limit = facts.MAX_ROLE_POLICY_CHARS
    if size <= limit:
        return None
    hint = "; grant wider resource patterns or split the service" if role == "task role" else ""
    article = "an" if role[0] in "aeiou" else "a"
    return (f"make {article} {role} policy of {size} characters (allowed: at most {limit}, IAM's quota for a role's "
            f"inline policies{hint})")


def unscoped_statement(sid: str, actions: Sequence[str]) -> dict[str, Any]:
    """An Allow statement on ``Resource: "*"``, for actions that AWS's Service Authorization
    Reference lets act on no resource (:func:`~ecs_platform.iam_reference.unscoped`); the same
    rule as the task role's grants (:func:`ecs_platform.iam_reference.wildcard_resource_problem`)
    and the policy pack's."""
    problem = iam_reference.wildcard_resource_problem(actions)
    if problem or not iam_reference.all_unscoped(actions):
        raise ValueError(f"statement {sid}: {problem or 'an action AWS does not list'}")
    return {"Sid": sid, "Effect": "Allow", "Action": list(actions), "Resource": "*"}
