"""The ecs-platform guardrails as a Pulumi policy pack (mandatory).

    pulumi preview --policy-pack policy

The rules live in ``rules.py`` (the test suite runs the same functions on the
mock engine's records); constructing the PolicyPack starts the analyzer, so
nothing imports this module.
"""

import sys
from pathlib import Path

from pulumi_policy import EnforcementLevel, PolicyPack

sys.path.insert(0, str(Path(__file__).resolve().parent))
import rules  # type: ignore[import-not-found]  # the pack directory, not a package, when the analyzer runs it

PolicyPack(
    name="ecs-platform-guardrails",
    description="AWS Security Hub ECS/ELB controls and ecs-platform's IAM and network rules",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=rules.policies(),
)
