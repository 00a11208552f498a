"""Service-to-service traffic rules: a VPC Lattice service or service network asks callers to sign
their requests (IAM auth), so that its auth policy, not reachability, decides who may call.

With auth type ``NONE`` every client of every VPC associated with the service network can call the
service, and no auth policy applies ("Control access to VPC Lattice services using auth policies":
auth policies take effect with auth type ``AWS_IAM``).
https://docs.aws.amazon.com/vpc-lattice/latest/ug/auth-policies.html
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ecs_platform.tools.policy_rules.base import ResourceRule, StackRule

LATTICE_SERVICE = "aws:vpclattice/service:Service"
LATTICE_NETWORK = "aws:vpclattice/serviceNetwork:ServiceNetwork"


def _iam_auth(p: Mapping[str, Any]) -> Iterable[str]:
    if p.get("authType", "NONE") != "AWS_IAM":
        yield f"auth type {p.get('authType', 'NONE')}: any client of the service network may call (allowed: AWS_IAM)"


RESOURCE_RULES: tuple[ResourceRule, ...] = (
    ResourceRule("lattice-iam-auth", None, "VPC Lattice services and service networks use IAM auth",
                 (LATTICE_SERVICE, LATTICE_NETWORK), _iam_auth),
)  # fmt: skip
STACK_RULES: tuple[StackRule, ...] = ()
