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
from ecs_platform.specs.task import PermissionSpec

#: ECS Exec's channel actions. AWS gives them no resource-level permissions, so
#: their resource must be "*" (the only "*" resource we ever write).
EXEC_CHANNEL_ACTIONS = (
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
)


def _concat(*parts: pulumi.Input[str]) -> pulumi.Input[str]:
    if all(isinstance(p, str) for p in parts):
        return "".join(str(p) for p in parts)
    return pulumi.Output.concat(*parts)


def _log_streams(arn: str) -> str:
    return arn if arn.endswith(":*") else f"{arn}:*"


def granted_statements(permissions: Sequence[PermissionSpec]) -> list[dict[str, Any]]:
    """One Allow statement per grant of the task spec."""
    return [
        {"Sid": f"Granted{i}", "Effect": "Allow", "Action": list(st.actions), "Resource": list(st.resources)}
        for i, st in enumerate(permissions)
    ]


def exec_statements(
    partition: pulumi.Input[str],
    region: pulumi.Input[str],
    account_id: pulumi.Input[str],
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
        out += [
            {"Sid": "EcsExecAuditLogGroups", "Effect": "Allow",
             "Action": ["logs:DescribeLogGroups"],
             "Resource": _concat("arn:", partition, ":logs:", region, ":", account_id, ":log-group:*")},
            {"Sid": "EcsExecAuditLogWrite", "Effect": "Allow",
             "Action": ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
             "Resource": streams},
        ]  # fmt: skip
    return out


def queue_statements(queue_arn: pulumi.Input[str]) -> list[dict[str, Any]]:
    """A queue worker's task role: consume exactly its queue (:data:`facts.SQS_CONSUMER_ACTIONS`)."""
    return [{"Sid": "ConsumeQueue", "Effect": "Allow", "Action": list(facts.SQS_CONSUMER_ACTIONS),
             "Resource": queue_arn}]  # fmt: skip


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
    Reference gives no resource-level permissions; the same rule as the task role's grants
    (:func:`ecs_platform.iam_reference.wildcard_resource_problem`) and the policy pack's."""
    problem = iam_reference.wildcard_resource_problem(actions)
    if problem or not iam_reference.all_unscoped(actions):
        raise ValueError(f"statement {sid}: {problem or 'an action AWS does not list'}")
    return {"Sid": sid, "Effect": "Allow", "Action": list(actions), "Resource": "*"}
