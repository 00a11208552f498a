"""The daemon model: a task that runs exactly once on every container instance (a log, metrics
or security agent), and the rules that tie it to the cluster's instance capacity
(:func:`daemon_problems`).

On EC2 and ECS Anywhere a daemon is an ECS service with the ``DAEMON`` scheduling strategy; on
Managed Instances it is an ECS Managed Daemon (``CreateDaemon``) with a daemon task definition.
Fargate runs no instances of its own: "Fargate tasks do not support the DAEMON scheduling
strategy" (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_service-options.html),
and Managed Daemons run only on Managed Instances capacity providers
(https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateDaemon.html).
"""

from __future__ import annotations

from collections.abc import Mapping

from ecs_platform import facts as f
from ecs_platform.errors import allowed, show
from ecs_platform.specs.base import Loc
from ecs_platform.specs.cluster import ClusterSpec
from ecs_platform.specs.service import placement_problems
from ecs_platform.specs.task import TaskSpec


class DaemonSpec(TaskSpec):
    """A daemon: one task on every instance of the cluster's ``EC2``, ``EXTERNAL`` or
    ``MANAGED_INSTANCES`` capacity. It takes the task keys a service has (image, command, user,
    cpu, memory, mounts, permissions, sidecars, ...), without traffic, count or scaling: ECS
    starts one task per instance and one more with every instance that joins."""


def daemon_launch_type(daemon: TaskSpec, cluster: ClusterSpec) -> str:
    """Where a daemon runs: its own ``launchType``, else the cluster's."""
    return daemon.launch_type or cluster.launch_type


#: What a daemon task definition on Managed Instances cannot express (RegisterDaemonTaskDefinition
#: has no ``networkMode``; DaemonContainerDefinition no ``portMappings``; DaemonVolume only host
#: volumes): https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterDaemonTaskDefinition.html
_NOT_IN_DAEMON_TASK_DEFINITIONS = (
    ("networkMode", "RegisterDaemonTaskDefinition has no network mode"),
    ("architecture", "RegisterDaemonTaskDefinition has no runtime platform (the daemon runs on every instance, "
                     "of each architecture managedInstances allows; its image must have them all)"),
    ("port", "a daemon container definition has no port mappings"),
)
#: Task-level keys, set on the daemon itself (the others are checked on every container too).
_TASK_LEVEL = ("networkMode", "architecture")


def daemon_problems(
    daemons: Mapping[str, TaskSpec], services: Mapping[str, object], jobs: Mapping[str, object], cluster: ClusterSpec
) -> list[tuple[Loc, str]]:
    """Every daemon is named unlike any service or job (its task family, log group and roles are
    named after it), runs on instance capacity the cluster offers, and on Managed Instances uses
    only what a daemon task definition has."""
    out: list[tuple[Loc, str]] = []
    instance_kinds = [t for t in cluster.offered_launch_types if t in f.DAEMON_LAUNCH_TYPES]
    for name, daemon in daemons.items():
        loc: Loc = ("daemons", name)
        for other, names in (("service", services), ("job", jobs)):
            if name in names:
                out.append((loc, f"{show(name)} is also a {other}'s name (allowed: a name no service or job has; "
                            "the daemon's task family, log group and roles are named after it)"))  # fmt: skip
        if name in daemon.sidecars:
            out.append(((*loc, "sidecars", name), "is the name of the application container, which is the "
                        "daemon's (allowed: another name)"))  # fmt: skip
        launch_type = daemon_launch_type(daemon, cluster)
        if launch_type in f.FARGATE_LAUNCH_TYPES:
            whose = "" if daemon.launch_type else " (the cluster's launchType)"
            choices = allowed(instance_kinds) if instance_kinds else "none offered yet"
            out.append(((*loc, "launchType"), f"{show(launch_type)}{whose} runs no instances for a daemon: Fargate "
                        "does not support the DAEMON scheduling strategy (allowed: an instance capacity the cluster "
                        f"offers: {choices}; add the ec2, external or managedInstances key to offer one)"))  # fmt: skip
            continue
        out += placement_problems(daemon, cluster, loc)
        if launch_type == f.MANAGED_INSTANCES:
            dumped = daemon.model_dump(by_alias=True, exclude_unset=True)
            containers = {None: dumped, **{n: s for n, s in dumped.get("sidecars", {}).items()}}
            for key, why in _NOT_IN_DAEMON_TASK_DEFINITIONS:
                for container, values in containers.items():
                    if key in values and (key not in _TASK_LEVEL or container is None):
                        at: Loc = (*loc, key) if container is None else (*loc, "sidecars", container, key)
                        out.append((at, f"is set, and {why} (allowed: remove it on MANAGED_INSTANCES, or run "
                                    "the daemon on EC2)"))  # fmt: skip
        for volume, spec in daemon.volumes.items():
            if spec.efs is not None:
                # A daemon task definition has host volumes only (API_DaemonVolume); on EC2 and EXTERNAL
                # the platform does not mount EFS in daemons (a daemon's state belongs on its instance).
                out.append(((*loc, "volumes", volume), "is an EFS volume, which a daemon cannot mount here "
                            "(allowed: scratch volumes; a daemon task definition on MANAGED_INSTANCES has host "
                            "volumes only, and the platform mounts EFS in services and jobs, not daemons)"))  # fmt: skip
    return out
