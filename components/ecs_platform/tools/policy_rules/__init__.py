"""The guardrail rules, by family (:mod:`.ecs`, :mod:`.elb`, :mod:`.iam`, :mod:`.network`, :mod:`.volumes`,
:mod:`.traffic`, sharing
:mod:`.base`): one set, run by the policy pack (``policy/__main__.py``)
and by the test suite on what the mock engine records.

Each rule is a pure check over a resource's properties (or, for stack rules,
over all resources). The AWS Security Hub Foundational Security Best Practices
controls that apply to what the platform creates are named by their control
id (ECS.2, ELB.4, ...); the platform's own rules have ``control=None``.

A control that stack config turned off on purpose is recorded on the resource
as a tag ``ecs-platform:waiver:<control>`` with the reason; waivable rules
accept such a resource. This module imports nothing but the standard library,
pulumi-policy, :mod:`ecs_platform.facts` (plain data: the documented trust policies) and
:mod:`ecs_platform.iam_reference` (AWS's Service Authorization Reference, which decides
where ``Resource: "*"`` is legitimate, for the pack and the model alike).

What counts as a wildcard, a root user and a credential is decided once, in
:mod:`ecs_platform.facts` (``is_wildcard``, ``is_root_user``, ``credential_in``),
which config validation uses too: the pack and the model cannot disagree.
"""

from __future__ import annotations

from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy

from ecs_platform.tools.policy_rules import ecs, elb, iam, network, traffic, volumes
from ecs_platform.tools.policy_rules.base import (
    ALB,
    ALB_LISTENER,
    ALB_LISTENER_RULE,
    CAPACITY_PROVIDER,
    CLUSTER,
    CLUSTER_CAPACITY_PROVIDERS,
    DEFAULT_SG,
    EGRESS,
    FLOW_LOG,
    INGRESS,
    LB,
    LISTENER,
    LISTENER_RULE,
    LOG_GROUP,
    POLICY,
    POLICY_ATTACHMENT,
    ROLE,
    ROLE_POLICY,
    ROLE_POLICY_ATTACHMENT,
    SCHEDULE,
    SERVICE,
    SG,
    SG_RULE,
    TASK,
    VPC,
    ResourceRule,
    StackRule,
    statements,
    tags_of,
    with_default_tags,
)  # fmt: skip
from ecs_platform.tools.policy_rules.ecs import is_log_router, is_volume_init
from ecs_platform.tools.policy_rules.iam import BROAD_MANAGED_POLICY_RE, trust_problems
from ecs_platform.tools.policy_rules.network import Ingress, covers_everyone, ingress_of, world_facing

RESOURCE_RULES: tuple[ResourceRule, ...] = (
    ecs.RESOURCE_RULES + elb.RESOURCE_RULES + iam.RESOURCE_RULES + network.RESOURCE_RULES + volumes.RESOURCE_RULES
    + traffic.RESOURCE_RULES
)
STACK_RULES: tuple[StackRule, ...] = (
    ecs.STACK_RULES + elb.STACK_RULES + iam.STACK_RULES + network.STACK_RULES + volumes.STACK_RULES
    + traffic.STACK_RULES
)


def policies() -> list[ResourceValidationPolicy | StackValidationPolicy]:
    return [r.policy() for r in RESOURCE_RULES] + [r.policy() for r in STACK_RULES]


__all__ = [
    "ALB", "ALB_LISTENER", "ALB_LISTENER_RULE", "BROAD_MANAGED_POLICY_RE", "CAPACITY_PROVIDER", "CLUSTER",
    "CLUSTER_CAPACITY_PROVIDERS", "DEFAULT_SG", "EGRESS", "FLOW_LOG", "INGRESS", "LB", "LISTENER", "LISTENER_RULE",
    "LOG_GROUP", "POLICY", "POLICY_ATTACHMENT", "RESOURCE_RULES", "ROLE", "ROLE_POLICY",
    "ROLE_POLICY_ATTACHMENT", "SCHEDULE", "SERVICE", "SG", "SG_RULE", "STACK_RULES", "TASK", "VPC", "Ingress",
    "ResourceRule", "StackRule", "covers_everyone", "ingress_of", "is_log_router", "is_volume_init",
    "policies", "statements", "tags_of",
    "trust_problems", "with_default_tags", "world_facing",
]  # fmt: skip
