"""One-line summaries of IAM documents for the preview's resource tree: a policy's grants (and
what narrows a ``"*"``), a KMS key's users, a role's trust."""

from __future__ import annotations

import json
from typing import Any


def policy_summary(document: str) -> str:
    statements = json.loads(document).get("Statement", [])
    parts = []
    for st in statements:
        actions = st.get("Action")
        actions = actions if isinstance(actions, list) else [actions]
        resources = st.get("Resource")
        resources = resources if isinstance(resources, list) else [resources]
        line = f"{st.get('Effect', 'Allow')} {', '.join(map(str, actions))} on {', '.join(map(str, resources))}"
        if "*" in resources and st.get("Effect", "Allow") == "Allow":
            line += _narrowing(actions)
        parts.append(line)
    return "; ".join(parts)


def _narrowing(actions: list[Any]) -> str:
    """What narrows a ``"*"`` grant: the condition keys AWS's Service Authorization Reference
    offers for its actions (``cloudwatch:PutMetricData`` -> ``cloudwatch:namespace``)."""
    from ecs_platform import iam_reference  # the reference loads on first use only

    keys = iam_reference.narrowing_keys(str(a) for a in actions)
    if keys:
        return f" (no resource to name in AWS's reference; narrow it with a Condition on {', '.join(keys)})"
    return " (no resource to name in AWS's reference, and no condition key to narrow it)"


def key_policy_summary(document: str) -> str:
    """Who may use a KMS key, and for what (its policy's principals and conditions)."""
    parts = []
    for st in json.loads(document).get("Statement", []):
        who = ", ".join(f"{v}" for v in (st.get("Principal") or {}).values())
        scope = "".join(f" where {k} {v}" for c in (st.get("Condition") or {}).values() for k, v in c.items())
        parts.append(f"{who}{scope}")
    return "key users: " + "; ".join(parts)


def trust_summary(document: str) -> str:
    st = json.loads(document)["Statement"][0]
    principal = ", ".join(f"{v}" for v in st.get("Principal", {}).values())
    conditions = st.get("Condition", {})
    account = conditions.get("StringEquals", {}).get("aws:SourceAccount")
    return f"trusts {principal}" + (f" for account {account} only" if account else "")
