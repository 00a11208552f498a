"""The ecs-platform guardrails as a Pulumi policy pack (mandatory).

    pulumi preview --policy-pack policy-pack

The rules live in ``ecs_platform.tools.policy_rules`` (the test suite runs the
same functions on the mock engine's records); constructing the PolicyPack starts
the analyzer, so nothing imports this module.
"""

from pulumi_policy import EnforcementLevel, Policy, PolicyPack

from ecs_platform.tools import policy_rules

policies: list[Policy] = [*policy_rules.policies()]
PolicyPack(
    name="ecs-platform-guardrails",
    description="AWS Security Hub ECS/ELB controls and ecs-platform's IAM and network rules",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=policies,
)
