"""IAM rules: no wildcards, no broad managed policies, trust scoped as AWS documents it,
distinct execution and task roles."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pulumi_policy import PolicyResource

from ecs_platform import facts
from ecs_platform.iam_reference import all_unscoped, condition_operator_problems, resource_mismatch
from ecs_platform.tools.policy_rules.base import (
    GROUP_POLICY,
    GROUP_POLICY_ATTACHMENT,
    POLICY,
    POLICY_ATTACHMENT,
    ROLE,
    ROLE_POLICY,
    ROLE_POLICY_ATTACHMENT,
    ROLE_POLICY_ATTACHMENTS,
    TASK,
    USER_POLICY,
    USER_POLICY_ATTACHMENT,
    ResourceRule,
    StackRule,
    deps,
    listify,
    statements,
)  # fmt: skip

#: AWS managed policies no workload gets: administrator and power-user access (every
#: action, or every action but IAM's), ``ReadOnlyAccess`` (reads every resource, S3
#: objects included), the job-function policies (made for people: SystemAdministrator,
#: NetworkAdministrator, DatabaseAdministrator...) and every ``*FullAccess`` policy, which
#: grants ``service:*`` on ``*``: the wildcard ``iam-no-wildcards`` refuses in a role's own
#: policies. The platform's roles get only the narrow service-role policies AWS documents
#: for ECS (AmazonECSTaskExecutionRolePolicy, AmazonEC2ContainerServiceforEC2Role,
#: AmazonSSMManagedInstanceCore).
#: https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_job-functions.html
BROAD_MANAGED_POLICY_RE = re.compile(
    r"^arn:[a-z-]+:iam::aws:policy/(?:job-function/.+|(?:[A-Za-z0-9+=,.@_-]+/)*"
    r"(?:AdministratorAccess[A-Za-z0-9-]*|PowerUserAccess|ReadOnlyAccess|[A-Za-z0-9_-]*FullAccess[A-Za-z0-9_-]*))$"
)


def _policy_documents(p: Mapping[str, Any]) -> Iterable[tuple[str, Any]]:
    """(label, document) of every identity policy a resource carries: ``policy`` of a
    role/user/group policy or a managed policy, each of a role's ``inlinePolicies``."""
    if p.get("policy") is not None:
        yield "", p["policy"]
    for inline in listify(p.get("inlinePolicies")):
        if isinstance(inline, Mapping) and inline.get("policy") is not None:
            yield f"inline policy {inline.get('name', '?')}: ", inline["policy"]


def _no_wildcards(p: Mapping[str, Any]) -> Iterable[str]:
    for label, document in _policy_documents(p):
        for st in statements(document):
            if st.get("Effect", "Allow") != "Allow":
                continue
            sid = f"{label}statement {st.get('Sid', '?')}"
            # Allow with NotAction / NotResource grants everything but what it lists.
            if "NotAction" in st:
                yield f"{sid} allows every action but {json.dumps(st['NotAction'])} (NotAction)"
            if "NotResource" in st:
                yield f"{sid} applies to every resource but {json.dumps(st['NotResource'])} (NotResource)"
            actions = [str(a) for a in listify(st.get("Action"))]
            for action in actions:
                if facts.is_wildcard(action):
                    yield f"{sid} allows every action ({action})"
            for resource in (str(r) for r in listify(st.get("Resource"))):
                # "*" only where AWS lets every action act on no resource (the rule task-role grants follow).
                if facts.is_wildcard(resource) and not all_unscoped(actions):
                    yield f"{sid} applies to every resource ({resource})"


def _resource_kind(p: Mapping[str, Any]) -> Iterable[str]:
    """Every Allow statement names resources its actions act on: the same rule as the task
    role's grants (:func:`ecs_platform.iam_reference.resource_mismatch`, from the ARN formats of
    AWS's Service Authorization Reference); an ARN-typed condition key is compared with an ARN
    operator (:func:`ecs_platform.iam_reference.condition_operator_problems`)."""
    for label, document in _policy_documents(p):
        for st in statements(document):
            if st.get("Effect", "Allow") != "Allow" or "Action" not in st or "Resource" not in st:
                continue
            actions = [str(a) for a in listify(st.get("Action")) if not facts.is_wildcard(str(a))]
            for _key, _i, why in resource_mismatch(actions, listify(st.get("Resource"))):
                yield f"{label}statement {st.get('Sid', '?')}: {why}"
            for why in condition_operator_problems(st.get("Condition")):
                yield f"{label}statement {st.get('Sid', '?')}: {why}"


def _no_broad_managed_policies(p: Mapping[str, Any]) -> Iterable[str]:
    arns = listify(p.get("policyArn")) + listify(p.get("policyArns")) + listify(p.get("managedPolicyArns"))
    for arn in arns:
        if isinstance(arn, str) and BROAD_MANAGED_POLICY_RE.match(arn.strip()):
            name = arn.strip().rsplit("/", 1)[-1]
            yield f"attaches the AWS managed policy {name} (allowed: policies that name actions and resources)"


def _one(value: Any) -> str | None:
    """A condition value naming exactly one thing (a string, or a list of one)."""
    values = listify(value)
    return str(values[0]) if len(values) == 1 and isinstance(values[0], str) else None


def trust_problems(statement: Mapping[str, Any], own_account: str | None = None) -> list[str]:
    """What makes one trust statement differ from every form AWS documents for its service
    principal (``facts.TRUST_FORMS``, the table the components build roles from): one service
    principal, ``sts:AssumeRole``, exactly the documented conditions, each naming one account
    (the role's own, when known) and, for ``aws:SourceArn``, the documented service."""
    principal = statement.get("Principal") or {}
    services = listify(principal.get("Service")) if isinstance(principal, Mapping) else []
    known = sorted({f.service for f in facts.TRUST_FORMS.values()})
    if not (isinstance(principal, Mapping) and set(principal) == {"Service"} and len(services) == 1):
        return [f"the role trusts {json.dumps(principal)} (allowed: exactly one service principal)"]
    service = str(services[0])
    forms = [f for f in facts.TRUST_FORMS.values() if f.service == service]
    if not forms:
        return [f"the role trusts {service}, which has no documented trust form here (allowed: {', '.join(known)})"]
    out: list[str] = []
    if statement.get("Effect", "Allow") != "Allow" or listify(statement.get("Action")) != ["sts:AssumeRole"]:
        out.append(f"the statement is not Allow sts:AssumeRole ({statement.get('Effect')} "
                   f"{json.dumps(statement.get('Action'))})")  # fmt: skip
    condition = statement.get("Condition") or {}
    shape = {op: sorted(keys) for op, keys in condition.items()} if isinstance(condition, Mapping) else None

    expected = facts.trust_condition_keys

    form = next((f for f in forms if expected(f) == shape), None)
    if form is None:
        allowed = "; ".join(f"{json.dumps(expected(f)) if expected(f) else 'no conditions'} ({f.guide})" for f in forms)
        return [*out, f"the trust conditions {json.dumps(shape)} for {service} are not a documented form "
                      f"(allowed: {allowed})"]  # fmt: skip
    account = None
    if form.source_account:
        raw = condition["StringEquals"]["aws:SourceAccount"]
        account = _one(raw)
        if account is None:
            out.append(f"aws:SourceAccount {json.dumps(raw)} lists more than one account (allowed: the role's own)")
        elif own_account is not None and account != own_account:
            out.append(f"aws:SourceAccount {account} is another account than the role's own ({own_account})")
    if form.source_arn_operator:
        raw = condition[form.source_arn_operator]["aws:SourceArn"]
        arn = _one(raw)
        parts = arn.split(":") if arn else []
        if arn is None or len(parts) != 6 or parts[0] != "arn" or parts[5] != form.source_arn_resource:
            out.append(f"aws:SourceArn {json.dumps(raw)} is not one ARN arn:<partition>:"
                       f"{form.source_arn_service}:<region>:<account>:{form.source_arn_resource}")  # fmt: skip
        elif parts[2] != form.source_arn_service:
            out.append(f"aws:SourceArn {arn} names service {parts[2]} (allowed: {form.source_arn_service})")
        elif parts[4] != (account or own_account or parts[4]):
            out.append(f"aws:SourceArn {arn} names account {parts[4]}, another account than "
                       f"{account or own_account}")  # fmt: skip
    return out


def _trust_scoped(p: Mapping[str, Any]) -> Iterable[str]:
    arn = str(p.get("arn") or "")
    own_account = arn.split(":")[4] if arn.startswith("arn:") and arn.count(":") >= 5 else None
    for st in statements(p.get("assumeRolePolicy")):
        yield from trust_problems(st, own_account or None)


def _role_identity(role: str) -> tuple[str | None, str]:
    """(account or None, lower-case name) of a role given by ARN or by name: ECS takes
    either, a role's path is not part of its identity, and IAM role names are unique
    without regard to case (IAM quotas, "IAM name requirements")."""
    role = role.strip()
    if role.startswith("arn:"):
        fields = role.split(":", 5)
        account = fields[4] if len(fields) == 6 else None
        return account or None, role.rsplit("/", 1)[-1].lower()
    return None, role.rsplit("/", 1)[-1].lower()


def _distinct_roles(p: Mapping[str, Any]) -> Iterable[str]:
    execution, task = p.get("executionRoleArn"), p.get("taskRoleArn")
    if not (isinstance(execution, str) and isinstance(task, str) and execution.strip() and task.strip()):
        return
    (acct_e, name_e), (acct_t, name_t) = _role_identity(execution), _role_identity(task)
    if name_e == name_t and (acct_e is None or acct_t is None or acct_e == acct_t):
        yield "the execution role is also the task role"



def _task_roles_scoped(resources: Sequence[PolicyResource]) -> Iterable[tuple[str, str]]:
    """A role a task definition names as its task role carries the task role's documented
    conditions (the bare ecs-tasks trust is the execution role's form only)."""
    want = facts.trust_document("task", "0", "r")["Statement"][0]["Condition"]
    for task in resources:
        if task.resource_type != TASK:
            continue
        for role in deps(task, "taskRoleArn"):
            if role.resource_type != ROLE:
                continue
            for st in statements(role.props.get("assumeRolePolicy")):
                if set(st.get("Condition") or {}) != set(want):
                    yield (f"the task role trusts ecs-tasks without the task role's conditions "
                           f"({', '.join(sorted(want))}; {facts.TRUST_FORMS['task'].guide})"), role.urn  # fmt: skip



RESOURCE_RULES: tuple[ResourceRule, ...] = (
    ResourceRule(
        "iam-no-wildcards",
        None,
        "IAM policies name actions and resources (no wildcard, NotAction or NotResource)",
        (ROLE_POLICY, POLICY, USER_POLICY, GROUP_POLICY, ROLE),
        _no_wildcards,
    ),
    ResourceRule(
        "iam-resource-kind",
        None,
        "IAM statements name resources of the kinds their actions act on (a grant of the wrong kind grants nothing), "
        "and compare ARN-typed condition keys with ARN operators",
        (ROLE_POLICY, POLICY, USER_POLICY, GROUP_POLICY, ROLE),
        _resource_kind,
    ),
    ResourceRule(
        "iam-no-broad-managed-policies",
        None,
        "No administrator, power-user, read-only, job-function or full-access AWS managed policy is attached",
        (ROLE, ROLE_POLICY_ATTACHMENT, POLICY_ATTACHMENT, USER_POLICY_ATTACHMENT, GROUP_POLICY_ATTACHMENT,
         ROLE_POLICY_ATTACHMENTS),
        _no_broad_managed_policies,
    ),
    ResourceRule(
        "iam-trust-scoped",
        None,
        "Roles trust one service principal, with exactly the conditions its AWS guide shows, for this account only",
        (ROLE,),
        _trust_scoped,
    ),
    ResourceRule(
        "ecs-distinct-roles", None, "A task's execution role is not its task role", (TASK,), _distinct_roles
    ),
)  # fmt: skip

STACK_RULES: tuple[StackRule, ...] = (
    StackRule("iam-task-role-trust", None, "Task roles trust ECS only on behalf of this account's ECS",
              _task_roles_scoped),
)  # fmt: skip
