"""Task volume rules: the EBS volumes ECS creates for a service's tasks are encrypted.

AWS encrypts a task's EBS volume unless ``encrypted`` is false and the account has no EBS
encryption by default ("Encrypt data stored in Amazon EBS volumes attached to Amazon ECS tasks"),
so a volume configuration that turns encryption off depends on an account setting the stack does
not own. https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ebs-kms-encryption.html
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ecs_platform.tools.policy_rules.base import SERVICE, ResourceRule, StackRule, listify


def _ebs_encrypted(p: Mapping[str, Any]) -> Iterable[str]:
    for volume in listify(p.get("volumeConfiguration")):
        if not isinstance(volume, Mapping):
            continue
        ebs = volume.get("managedEbsVolume") or {}
        if isinstance(ebs, Mapping) and ebs.get("encrypted") is False:
            yield f"the EBS volume {volume.get('name')} of the service's tasks is not encrypted"


RESOURCE_RULES: tuple[ResourceRule, ...] = (
    ResourceRule("ecs-ebs-encrypted", None, "EBS volumes ECS creates for tasks are encrypted", (SERVICE,),
                 _ebs_encrypted),
)  # fmt: skip
STACK_RULES: tuple[StackRule, ...] = ()
