"""The EBS task volume model: a volume ECS creates for each task, attaches, and deletes when the
task stops (``volumes: {data: {ebs: {...}}}``); its rules are ECS's documented ranges per volume
type (:mod:`ecs_platform.facts.volumes`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Self

from pydantic import Field, model_validator

from ecs_platform import facts as f
from ecs_platform.errors import allowed, show
from ecs_platform.specs.base import Choice, Int, Loc, Spec, raise_problems


class EbsSpec(Spec):
    """An Amazon EBS volume per task, created by ECS when the task starts (encrypted, with the
    stack's KMS key when ``kmsKey`` is set) and deleted when the task stops: storage for one task,
    faster and larger than Fargate's ephemeral storage, not shared between tasks."""

    size_gib: Annotated[int, Int(1, 16384)] = Field(alias="sizeGiB")
    """Size in GiB: gp2 and gp3 1..16384, io1 and io2 4..16384, st1 and sc1 125..16384, standard
    1..1024 (ECS's ranges). Required."""
    type: Annotated[str, Choice(*f.EBS_VOLUME_TYPES)] = "gp3"
    """Volume type: ``gp3``, ``gp2``, ``io1``, ``io2``, ``st1``, ``sc1`` or ``standard`` (magnetic, not
    on Fargate). Default ``gp3``."""
    iops: Annotated[int, Int(100, 256000)] | None = None
    """Provisioned IOPS: gp3 3000..16000 (at most 500 per GiB), io1 100..64000 (50 per GiB), io2
    100..256000 (1000 per GiB); required for io1 and io2, refused for the other types. Default:
    gp3's baseline of 3000."""
    throughput: Annotated[int, Int(*f.EBS_THROUGHPUT)] | None = None
    """Provisioned throughput in MiB/s, gp3 only, 125..1000 and at most 0.25 MiB/s per IOPS. Default:
    gp3's baseline of 125."""
    filesystem: Annotated[str, Choice(*f.EBS_FILESYSTEMS)] = "xfs"
    """Linux file system ECS formats the volume with: ``xfs``, ``ext4`` or ``ext3``. Default ``xfs``."""

    @property
    def effective_iops(self) -> int | None:
        """The IOPS provisioned: the given ones, gp3's baseline, or None (types without)."""
        if self.iops is not None:
            return self.iops
        return f.GP3_BASELINE_IOPS if self.type == "gp3" else None

    @property
    def effective_throughput(self) -> int | None:
        if self.throughput is not None:
            return self.throughput
        return f.GP3_BASELINE_THROUGHPUT if self.type == "gp3" else None

    @model_validator(mode="after")
    def _ranges_of_the_type(self) -> Self:
        problems: list[tuple[Loc, str]] = []
        kind = self.type
        lo, hi = f.EBS_SIZE_GIB[kind]
        if not lo <= self.size_gib <= hi:
            problems.append((("sizeGiB",), f"{self.size_gib} is out of range for {kind} (allowed: {lo}..{hi})"))
        iops_range = f.EBS_IOPS.get(kind)
        if self.iops is not None and iops_range is None:
            problems.append((("iops",), f"{self.iops} is set on a {kind} volume, whose IOPS are not provisioned "
                             f"(allowed: iops on {allowed(list(f.EBS_IOPS))} only)"))  # fmt: skip
        elif self.iops is not None and iops_range is not None:
            if not iops_range[0] <= self.iops <= iops_range[1]:
                problems.append((("iops",), f"{self.iops} is out of range for {kind} "
                                 f"(allowed: {iops_range[0]}..{iops_range[1]})"))  # fmt: skip
            else:
                per_gib = f.EBS_MAX_IOPS_PER_GIB[kind]
                if self.iops > per_gib * self.size_gib:
                    problems.append((("iops",), f"{self.iops} is more than {per_gib} IOPS per GiB of a "
                                     f"{self.size_gib} GiB {kind} volume (allowed: up to "
                                     f"{per_gib * self.size_gib}, or a larger sizeGiB)"))  # fmt: skip
        if self.iops is None and kind in f.EBS_IOPS_REQUIRED:
            lo_i, hi_i = f.EBS_IOPS[kind]
            problems.append((("iops",), f"null is missing (allowed: {lo_i}..{hi_i}; required for {kind})"))
        if self.throughput is not None and kind != "gp3":
            problems.append((("throughput",), f"{self.throughput} is set on a {kind} volume (allowed: throughput "
                             "on gp3 only)"))  # fmt: skip
        elif self.throughput is not None:
            iops = self.effective_iops or f.GP3_BASELINE_IOPS
            most = int(iops * f.GP3_MAX_THROUGHPUT_PER_IOPS)
            if self.throughput > most:
                problems.append((("throughput",), f"{self.throughput} MiB/s is more than "
                                 f"{f.GP3_MAX_THROUGHPUT_PER_IOPS} MiB/s per IOPS of {iops} IOPS (allowed: up to "
                                 f"{most}, or more iops)"))  # fmt: skip
        raise_problems(problems)
        return self


def ebs_task_problems(volumes: Mapping[str, Any]) -> list[tuple[Loc, str]]:
    """A task has at most one volume configured at launch (its EBS volume)."""
    ebs = [name for name, v in volumes.items() if getattr(v, "ebs", None) is not None]
    if len(ebs) <= f.MAX_EBS_VOLUMES_PER_TASK:
        return []
    return [(("volumes", name), f"is a second EBS volume of the task ({', '.join(ebs)}) (allowed: one EBS volume "
             "per task: a task definition has at most one volume configured at launch)") for name in ebs[1:]]


def ebs_placement_problems(volumes: Mapping[str, Any], launch_type: str, loc: Loc = ()) -> list[tuple[Loc, str]]:
    """An EBS volume needs a launch type that attaches one, and magnetic volumes are not on Fargate."""
    out: list[tuple[Loc, str]] = []
    for name, v in volumes.items():
        ebs: EbsSpec | None = getattr(v, "ebs", None)
        if ebs is None:
            continue
        if launch_type not in f.EBS_LAUNCH_TYPES:
            out.append(((*loc, "volumes", name, "ebs"), f"is an EBS volume, and ECS attaches EBS volumes to tasks on "
                        f"{allowed(f.EBS_LAUNCH_TYPES)}, not {launch_type} (allowed: a scratch volume, or run it on "
                        "FARGATE or EC2)"))  # fmt: skip
        elif launch_type in f.FARGATE_LAUNCH_TYPES and ebs.type in f.EBS_NOT_ON_FARGATE:
            out.append(((*loc, "volumes", name, "ebs", "type"), f"{show(ebs.type)} (magnetic) is not supported on "
                        f"Fargate (allowed: {allowed([t for t in f.EBS_VOLUME_TYPES if t not in f.EBS_NOT_ON_FARGATE])})"))
    return out
