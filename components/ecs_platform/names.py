"""Names the platform derives for AWS, made to fit AWS's limits (:data:`facts.NAME_LIMITS`).

Most resources keep Pulumi's auto-name (``<logical name>-<7 random hex>``): it is unique
per stack and account, and a replacement gets a fresh one, so Pulumi's default
create-before-delete never meets the old resource's name. This module steps in only
where that auto-name would not fit.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import pulumi

from ecs_platform import facts

TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"


def autoname_fits(resource_type: str, logical_name: str, prop: str = "name") -> bool:
    """Whether Pulumi's auto-name for ``logical_name`` fits AWS's limit for ``resource_type``."""
    limit = facts.NAME_LIMITS[(resource_type, prop)]
    return len(logical_name) + facts.AUTONAME_SUFFIX_LEN <= limit.max_len


def stable_short_name(logical_name: str, max_len: int, *identity: str) -> str:
    """``<start of logical_name>-<8 hex>``, at most ``max_len`` characters of letters, digits
    and hyphens; the hash covers the logical name and ``identity``, so names differ whenever
    any of them does."""
    digest = hashlib.sha256("\0".join((logical_name, *identity)).encode()).hexdigest()[:8]
    # Letters, digits and hyphens only, and not "internal-..." (ELB reserves it).
    clean = re.sub(r"[^A-Za-z0-9]+", "-", logical_name).removeprefix("internal-")
    stem = clean[: max_len - len(digest) - 1].strip("-")
    return f"{stem}-{digest}" if stem else digest


def target_group_name(
    logical_name: str,
    *,
    port: int | None,
    protocol: str,
    target_type: str,
    vpc_id: pulumi.Input[str],
) -> pulumi.Output[str] | None:
    """The target group's name: ``None`` (Pulumi's auto-name) while ``<logical_name>-<7 hex>``
    fits AWS's 32 characters, else a stable short name.

    A given name is what makes create-before-delete collide: AWS replaces a target group
    when its port, protocol, target type or VPC changes (the provider's ForceNew
    arguments; we set no other ForceNew one), and target group names are unique per
    account and region, so a fixed name would make the new group's creation fail while
    the old one still serves the listener. The short name therefore hashes exactly
    those arguments, with the project, stack and logical name: every replacement gets a
    new name, and two stacks in one account never share one. Names that fit keep the
    auto-name, so existing target groups are not replaced by this rule.
    """
    if autoname_fits(TARGET_GROUP, logical_name):
        return None
    max_len = facts.NAME_LIMITS[(TARGET_GROUP, "name")].max_len
    identity: Sequence[str] = (pulumi.get_project(), pulumi.get_stack(), str(port), protocol, target_type)
    return pulumi.Output.from_input(vpc_id).apply(
        lambda vpc: stable_short_name(logical_name, max_len, *identity, str(vpc))
    )
