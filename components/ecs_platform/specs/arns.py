"""The partition rule on the ARNs a task names: its secrets, the keys that encrypt them, its log
router's secrets and the resources it is granted (plain values up front; Outputs once known, by
:func:`ecs_platform.boundary.task_in_stack`)."""

from __future__ import annotations

from typing import Any

from ecs_platform import facts as f
from ecs_platform.errors import show
from ecs_platform.specs.base import Loc
from ecs_platform.specs.task import TaskSpec


def partition_problem(arn: Any, region: str) -> str | None:
    """An ARN of another partition than ``region``'s cannot work there. (Secrets and granted
    resources in another region of the same partition are fine: ECS reads a secret or parameter
    of another region by its full ARN, API_Secret "valueFrom", and IAM grants reach any region.)"""
    partition = f.PARTITION_OF_REGION.get(region)
    if partition is None or not (isinstance(arn, str) and arn.startswith("arn:")) or arn.split(":")[1] == partition:
        return None
    return (f"{show(arn)} is in partition {arn.split(':')[1]}, not the partition of the stack's region {region} "
            f"(allowed: an arn:{partition}:... ARN)")


def is_task_arn(loc: Loc) -> bool:
    """Whether ``loc`` (inside a task spec) holds an ARN the partition rule applies to: a
    container's secret, or a grant's resource."""
    return (len(loc) >= 2 and loc[-2] in ("secrets", "secrets_kms_keys", "secretsKmsKeys", "secret_options",
                                          "secretOptions")) or (
        len(loc) >= 4 and loc[-4] == "permissions" and loc[-2] == "resources")  # fmt: skip


def task_arn_problems(task: TaskSpec, region: str, at: Loc = ()) -> list[tuple[Loc, str]]:
    """The partition rule on every secret, secrets key, log router secret and grant of ``task``
    (plain values)."""
    out: list[tuple[Loc, str]] = []
    for container, c in task.containers.items():
        where: Loc = at if container is None else (*at, "sidecars", container)
        for var, arn in c.secrets.items():
            problem = partition_problem(arn, region)
            if problem:
                out.append(((*where, "secrets", var), problem))
        for i, key in enumerate(c.secrets_kms_keys):
            problem = partition_problem(key, region)
            if problem:
                out.append(((*where, "secretsKmsKeys", i), problem))
    for option, arn in (task.log_router.secret_options.items() if task.log_router else ()):
        problem = partition_problem(arn, region)
        if problem:
            out.append(((*at, "logRouter", "secretOptions", option), problem))
    for i, grant in enumerate(task.permissions):
        for j, arn in enumerate(grant.resources):
            problem = partition_problem(arn, region)
            if problem:
                out.append(((*at, "permissions", i, "resources", j), problem))
    return out
