"""What the cost estimate needs to know about instances it does not choose itself: the instance
type Managed Instances requirements imply at the least (the cheapest priced type that meets
them), and the daemons every instance of a capacity runs (one task each)."""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ecs_platform.specs import INSTANCE_TYPES
from ecs_platform.tools.mock_cloud import Registration, StackRun

#: The CPU maker of each family of the built-in instance table (EC2 instance type names: ``i``
#: Intel, ``a`` AMD, ``g`` Graviton; the fifth generation without a letter and T3 are Intel).
_MAKER = {"i": "intel", "a": "amd", "g": "amazon-web-services"}


def _manufacturer(family: str) -> str:
    if family in ("c5", "m5", "r5", "t3"):
        return "intel"
    return _MAKER.get(family[-1], "intel")


def _within(value: float, bounds: Mapping[str, Any] | None) -> bool:
    if not bounds:
        return True
    return float(bounds.get("min", 0)) <= value <= float(bounds.get("max", value))


def implied_instance_type(
    requirements: Mapping[str, Any], hourly: Callable[[str], float | None]
) -> tuple[str, float] | None:
    """The cheapest instance type of the built-in table that ``requirements`` (a capacity
    provider's ``instanceRequirements`` as registered) allow and ``hourly`` prices, with its
    price; ``None`` when none does. Requirements that ask for accelerators (a count of at least
    one, accelerator types or makers) are met by the table's NVIDIA GPU types only (types ``gpu``,
    maker ``nvidia``, within the count); the table's GPU types are left out otherwise (they are
    never the cheapest where a type without one fits, and past the table's sizes the type AWS
    would choose is not in it), and whenever CPU makers are required (the table does not record
    a GPU type's CPU maker)."""
    accelerators = requirements.get("acceleratorCount") or {}
    types, accel_makers = requirements.get("acceleratorTypes") or [], requirements.get("acceleratorManufacturers") or []
    wants_gpu = bool(types or accel_makers) or float(accelerators.get("min", 0)) > 0
    if (types and "gpu" not in types) or (accel_makers and "nvidia" not in accel_makers):
        return None  # the table's accelerated types are NVIDIA GPU types only
    burstable = requirements.get("burstablePerformance", "excluded")
    makers = requirements.get("cpuManufacturers") or []
    allowed, excluded = requirements.get("allowedInstanceTypes") or [], requirements.get("excludedInstanceTypes") or []
    best: tuple[str, float] | None = None
    for itype, spec in sorted(INSTANCE_TYPES.items()):
        if (spec.gpus > 0) != wants_gpu or (spec.gpus and (makers or not _within(spec.gpus, accelerators))):
            continue
        family = itype.split(".", 1)[0]
        is_burstable = family.startswith("t")
        if (burstable == "excluded" and is_burstable) or (burstable == "required" and not is_burstable):
            continue
        if makers and _manufacturer(family) not in makers:
            continue
        if allowed and not any(fnmatch.fnmatchcase(itype, p) for p in allowed):
            continue
        if any(fnmatch.fnmatchcase(itype, p) for p in excluded):
            continue
        if not _within(spec.vcpu, requirements.get("vcpuCount")):
            continue
        if not _within(spec.memory_mib, requirements.get("memoryMib")):
            continue
        price = hourly(itype)
        if price is not None and (best is None or price < best[1]):
            best = (itype, price)
    return best


@dataclass(frozen=True)
class InstanceDaemon:
    """A daemon: its name and the CPU units and MiB its one task takes on every instance."""

    name: str
    cpu: int
    memory: int


def _size(task: Registration | None) -> tuple[int, int]:
    if task is None:
        return 0, 0
    return int(task.inputs.get("cpu") or 0), int(task.inputs.get("memory") or 0)


def daemons_on(run: StackRun, launch_type: str, capacity_provider_arn: Any = None) -> list[InstanceDaemon]:
    """The daemons on every instance of ``launch_type`` (``EC2``, ``EXTERNAL``: ECS services with
    the DAEMON strategy) or of the Managed Instances capacity provider ``capacity_provider_arn``."""
    out: list[InstanceDaemon] = []
    if capacity_provider_arn is not None:
        definitions = {r.outputs.get("arn"): r for r in run.of_type("aws:ecs/daemonTaskDefinition:DaemonTaskDefinition")}
        for daemon in sorted(run.of_type("aws:ecs/daemon:Daemon"), key=lambda r: r.name):
            if capacity_provider_arn in (daemon.inputs.get("capacityProviderArns") or []):
                cpu, memory = _size(definitions.get(daemon.inputs.get("daemonTaskDefinitionArn")))
                out.append(InstanceDaemon(daemon.name, cpu, memory))
        return out
    tasks = {r.outputs.get("arn"): r for r in run.of_type("aws:ecs/taskDefinition:TaskDefinition")}
    for svc in sorted(run.of_type("aws:ecs/service:Service"), key=lambda r: r.name):
        if svc.inputs.get("schedulingStrategy") == "DAEMON" and svc.inputs.get("launchType") == launch_type:
            cpu, memory = _size(tasks.get(svc.inputs.get("taskDefinition")))
            out.append(InstanceDaemon(svc.name, cpu, memory))
    return out
