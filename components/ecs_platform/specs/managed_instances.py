"""The Managed Instances model: the instance requirements ECS chooses instances by (in
AWS's terms), their storage and monitoring, and the rules a task placed on them follows
(:func:`managed_instances_problems`).

ECS launches, patches and replaces the instances itself: the platform states which instances
may be launched, never how many. https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ManagedInstances.html
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Self

from pydantic import Field, model_validator

from ecs_platform import facts as f
from ecs_platform.errors import allowed, show
from ecs_platform.specs.base import Choice, Int, Loc, Rule, Spec, raise_problems

if TYPE_CHECKING:
    from ecs_platform.specs.task import TaskSpec

#: ECS's integers are int32 (botocore's ECS model gives the ranges no other bound).
INT32 = 2147483647


class RangeSpec(Spec):
    """A range of an instance attribute: ``{min, max}``, ``max`` optional."""

    low: Annotated[int, Int(0, INT32)] = Field(alias="min")
    """The least value. Required."""
    high: Annotated[int, Int(0, INT32)] | None = Field(default=None, alias="max")
    """The most, at least ``min``. Default: no upper bound."""

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.high is not None and self.high < self.low:
            raise_problems([(("max",), f"{self.high} is below min {self.low} (allowed: min <= max)")])
        return self

    def args(self) -> dict[str, int]:
        """As the provider takes it (``min``, and ``max`` when bounded)."""
        return {"min": self.low} | ({"max": self.high} if self.high is not None else {})


def _pattern_check(value: Any) -> str | None:
    if isinstance(value, str) and f.INSTANCE_TYPE_PATTERN_RE.match(value):
        return None
    return (f"{show(value)} is not an instance type or pattern (allowed: 1-30 letters, digits, '.', '-' and '*', "
            "e.g. m7g.large, m7g.* or c7*)")  # fmt: skip


InstanceTypePattern = Annotated[
    str, Rule(_pattern_check, "an instance type or pattern", f.INSTANCE_TYPE_PATTERN_RE.pattern)
]


class ManagedInstancesSpec(Spec):
    """ECS Managed Instances: AWS launches, patches and replaces EC2 instances that match these
    requirements (CreateCapacityProvider ``managedInstancesProvider``; the keys follow AWS's
    ``InstanceRequirementsRequest``), in the stack's private subnets."""

    vcpu: RangeSpec = RangeSpec(low=2, high=8)
    """vCPUs of an instance, ``{min, max}``. Default ``{min: 2, max: 8}``."""
    memory_mib: RangeSpec = Field(default=RangeSpec(low=4096, high=32768), alias="memoryMiB")
    """Memory of an instance in MiB, ``{min, max}``. Default ``{min: 4096, max: 32768}``."""
    cpu_manufacturers: tuple[Annotated[str, Choice(*f.CPU_MANUFACTURERS)], ...] = ()
    """Only instances with these CPUs: ``intel``, ``amd``, ``amazon-web-services`` (Graviton, ARM64).
    Tasks must have the architecture of one of them. Default: any."""
    burstable_performance: Annotated[str, Choice(*f.INCLUSION)] = "excluded"
    """Burstable instances (T3, T4g, ...): ``included``, ``excluded`` or ``required``. Default
    ``excluded`` (AWS's default: burstable CPU credits run out under steady load)."""
    allowed_instance_types: tuple[InstanceTypePattern, ...] = ()
    """Only these instance types or patterns (``m7g.*``), at most 400; not with
    ``excludedInstanceTypes``. Default: any that matches the other requirements."""
    excluded_instance_types: tuple[InstanceTypePattern, ...] = ()
    """Never these instance types or patterns, at most 400; not with ``allowedInstanceTypes``.
    Default none."""
    accelerator_count: RangeSpec | None = None
    """Accelerators (GPUs, Inferentia, FPGAs) per instance, ``{min, max}``; ``{min: 1}`` for GPU
    instances. Default: AWS's (instances with and without accelerators)."""
    accelerator_types: tuple[Annotated[str, Choice(*f.ACCELERATOR_TYPES)], ...] = ()
    """Only accelerators of these types: ``gpu``, ``fpga``, ``inference``. Default: any."""
    accelerator_manufacturers: tuple[Annotated[str, Choice(*f.ACCELERATOR_MANUFACTURERS)], ...] = ()
    """Only accelerators of these makers: ``nvidia``, ``amd``, ``amazon-web-services``, ``xilinx``,
    ``habana``. Default: any."""
    capacity_option_type: Annotated[str, Choice(*f.CAPACITY_OPTIONS)] = "ON_DEMAND"
    """``ON_DEMAND`` or ``SPOT`` (EC2 may interrupt a Spot instance with two minutes' notice).
    Changing it replaces the capacity provider. Default ``ON_DEMAND``."""
    storage_gib: Annotated[int, Int(f.MIN_STORAGE_GIB, 16384)] = Field(default=30, alias="storageGiB")
    """Size of each instance's volume for tasks (images, writable layers, scratch), GiB, at least 1.
    Default 30."""
    monitoring: Annotated[str, Choice(*f.MONITORING)] = "BASIC"
    """CloudWatch instance metrics: ``BASIC`` (every 5 minutes, free) or ``DETAILED`` (every minute,
    billed as custom metrics). Default ``BASIC``."""

    @model_validator(mode="after")
    def _requirements(self) -> Self:
        problems: list[tuple[Loc, str]] = []
        if self.allowed_instance_types and self.excluded_instance_types:
            problems.append((("excludedInstanceTypes",), "is set with allowedInstanceTypes (allowed: one of the "
                             "two; AWS refuses both in one request)"))  # fmt: skip
        for key, values in (("allowedInstanceTypes", self.allowed_instance_types),
                            ("excludedInstanceTypes", self.excluded_instance_types)):  # fmt: skip
            if len(values) > f.MAX_INSTANCE_TYPE_PATTERNS:
                problems.append(((key,), f"{len(values)} entries (allowed: at most {f.MAX_INSTANCE_TYPE_PATTERNS})"))
            for i, value in enumerate(values):
                if value in values[:i]:
                    problems.append(((key, i), f"{show(value)} is already listed (allowed: each entry once)"))
        for key, values in (("cpuManufacturers", self.cpu_manufacturers),
                            ("acceleratorTypes", self.accelerator_types),
                            ("acceleratorManufacturers", self.accelerator_manufacturers)):  # fmt: skip
            for i, value in enumerate(values):
                if value in values[:i]:
                    problems.append(((key, i), f"{show(value)} is already listed (allowed: each value once)"))
        raise_problems(problems)
        return self

    @property
    def architectures(self) -> tuple[str, ...]:
        """The CPU architectures the instances may have (both when any manufacturer will do)."""
        if not self.cpu_manufacturers:
            return tuple(f.ARCHITECTURES)
        return tuple(a for a in f.ARCHITECTURES if a in {f.ARCHITECTURE_OF_MANUFACTURER[m]
                                                          for m in self.cpu_manufacturers})  # fmt: skip

    @property
    def architecture(self) -> str:
        """A task's architecture when it names none: X86_64, unless only Graviton is allowed."""
        return "X86_64" if "X86_64" in self.architectures else "ARM64"

    def instance_requirements(self) -> dict[str, Any]:
        """``InstanceRequirementsRequest`` as the provider takes it (snake_case keys)."""
        out: dict[str, Any] = {
            "vcpu_count": self.vcpu.args(),
            "memory_mib": self.memory_mib.args(),
            "burstable_performance": self.burstable_performance,
        }
        if self.cpu_manufacturers:
            out["cpu_manufacturers"] = list(self.cpu_manufacturers)
        if self.allowed_instance_types:
            out["allowed_instance_types"] = list(self.allowed_instance_types)
        if self.excluded_instance_types:
            out["excluded_instance_types"] = list(self.excluded_instance_types)
        if self.accelerator_count is not None:
            out["accelerator_count"] = self.accelerator_count.args()
        if self.accelerator_types:
            out["accelerator_types"] = list(self.accelerator_types)
        if self.accelerator_manufacturers:
            out["accelerator_manufacturers"] = list(self.accelerator_manufacturers)
        return out


#: Task settings a task on Managed Instances cannot have: Fargate's ephemeral storage (the
#: instances' ``storageGiB`` holds what tasks write).
_REFUSED = ("ephemeralStorageGiB",)


def managed_instances_problems(task: TaskSpec, mi: ManagedInstancesSpec | None, loc: Loc) -> list[tuple[Loc, str]]:
    """What a task placed on Managed Instances asks of them: it fits the largest instance the
    requirements allow (ECS launches only instances within them), its architecture is one they
    have, and no Fargate-only setting."""
    out: list[tuple[Loc, str]] = []
    dumped = task.model_dump(by_alias=True, exclude_unset=True)
    for key in _REFUSED:
        if key in dumped:
            out.append(((*loc, key), "is a Fargate-only setting, and this task runs on MANAGED_INSTANCES (allowed: "
                        "remove it; size the instances' volume with managedInstances.storageGiB)"))  # fmt: skip
    if mi is None:
        return out
    if mi.vcpu.high is not None and task.cpu > mi.vcpu.high * 1024:
        out.append(((*loc, "cpu"), f"{task.cpu} does not fit the largest instance managedInstances.vcpu allows "
                    f"({mi.vcpu.high} vCPU = {mi.vcpu.high * 1024} units) (allowed: up to {mi.vcpu.high * 1024}, "
                    "or a higher vcpu.max)"))  # fmt: skip
    if mi.memory_mib.high is not None and task.memory > mi.memory_mib.high:
        out.append(((*loc, "memory"), f"{task.memory} does not fit the largest instance managedInstances.memoryMiB "
                    f"allows ({mi.memory_mib.high} MiB) (allowed: up to {mi.memory_mib.high}, or a higher "
                    "memoryMiB.max)"))  # fmt: skip
    if task.architecture is not None and task.architecture not in mi.architectures:
        out.append(((*loc, "architecture"), f"{show(task.architecture)} is not the architecture of "
                    f"managedInstances.cpuManufacturers {allowed(mi.cpu_manufacturers)} (allowed: "
                    f"{allowed(mi.architectures)}, or add a manufacturer of {task.architecture} CPUs)"))  # fmt: skip
    return out
