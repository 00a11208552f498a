"""The cluster model: default capacity for its services, logs, Container
Insights, and the EC2, external (ECS Anywhere) and Managed Instances capacity it may offer."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Self

from pydantic import BeforeValidator, Field, model_validator

from ecs_platform import facts as f
from ecs_platform.errors import show
from ecs_platform.specs.base import Bool, Check, Choice, Int, Loc, Spec, raise_problems
from ecs_platform.specs.fields import Architecture, Count, KmsKey, LaunchType, LogRetention, expiration_check
from ecs_platform.specs.managed_instances import ManagedInstancesSpec
from ecs_platform.specs.options import Strategy, offered_problems, strategy_launch_type, strategy_problems

INSTANCE_TYPE_RE = re.compile(r"^[a-z][a-z0-9-]*\.(nano|micro|small|medium|large|metal|\d*xlarge)$")

#: Memory the OS, the ECS agent and Docker keep for themselves, as a share of
#: the instance's memory (ECS registers less memory than the instance has; see
#: "Container instance memory management" in the ECS guide). Tasks get the rest.
RESERVED_MEMORY_SHARE = 0.10


class InstanceTypeSpec(Spec):
    """An EC2 instance type's vCPUs, memory and architecture."""

    vcpu: Annotated[int, Int(1, 512)]
    """vCPUs, 1..512. Required."""
    memory_mib: Annotated[int, Int(512, 32 * 1024 * 1024)] = Field(alias="memoryMiB")
    """Memory, MiB. Required."""
    architecture: Architecture = "X86_64"
    """``X86_64`` or ``ARM64``. Default ``X86_64``."""

    @property
    def task_cpu(self) -> int:
        """CPU units available to tasks (1024 per vCPU)."""
        return self.vcpu * 1024

    @property
    def task_memory_mib(self) -> int:
        """Memory available to tasks, MiB."""
        return int(self.memory_mib * (1 - RESERVED_MEMORY_SHARE))


_SIZES = {"large": 1, "xlarge": 2, "2xlarge": 4, "4xlarge": 8, "8xlarge": 16}
#: Sizes the pattern would give that AWS does not sell (c5 jumps from 4xlarge to 9xlarge).
_MISSING = {("c5", "8xlarge")}
#: GiB of memory per vCPU by family kind: c = compute, m = general, r = memory.
_RATIO = {"c": 2, "m": 4, "r": 8}


def _table() -> dict[str, InstanceTypeSpec]:
    table: dict[str, InstanceTypeSpec] = {}
    families = {
        "c": ["c5", "c6i", "c7i", "c6a", "c7a", "c6g", "c7g", "c8g"],
        "m": ["m5", "m6i", "m7i", "m6a", "m7a", "m6g", "m7g", "m8g"],
        "r": ["r5", "r6i", "r7i", "r6a", "r7a", "r6g", "r7g", "r8g"],
    }
    for kind, names in families.items():
        for family in names:
            arch = "ARM64" if family.endswith("g") else "X86_64"
            for size, mult in _SIZES.items():
                if (family, size) in _MISSING:
                    continue
                vcpu = 2 * mult
                table[f"{family}.{size}"] = InstanceTypeSpec(
                    vcpu=vcpu, memory_mib=vcpu * _RATIO[kind] * 1024, architecture=arch
                )
    burstable = {"nano": (2, 512), "micro": (2, 1024), "small": (2, 2048), "medium": (2, 4096),
                 "large": (2, 8192), "xlarge": (4, 16384), "2xlarge": (8, 32768)}  # fmt: skip
    for family in ("t3", "t3a", "t4g"):
        arch = "ARM64" if family == "t4g" else "X86_64"
        for size, (vcpu, mib) in burstable.items():
            table[f"{family}.{size}"] = InstanceTypeSpec(vcpu=vcpu, memory_mib=mib, architecture=arch)
    return table


#: vCPUs, memory and architecture of common instance types (EC2 instance type docs);
#: others are described in ``ec2.instanceTypeSpecs``.
INSTANCE_TYPES: dict[str, InstanceTypeSpec] = _table()


def _instance_type_name(value: Any) -> str | None:
    if isinstance(value, str) and INSTANCE_TYPE_RE.fullmatch(value):
        return None
    return f"{show(value)} is not an instance type name (allowed: family.size, e.g. m7g.large or c6i.2xlarge)"


InstanceTypeName = Annotated[str, Check(_instance_type_name, {"type": "string", "pattern": INSTANCE_TYPE_RE.pattern},
                                        "an instance type name")]  # fmt: skip


class Ec2Spec(Spec):
    """EC2 capacity: an Auto Scaling group behind an ECS capacity provider."""

    instance_types: tuple[InstanceTypeName, ...] = ("t3.medium",)
    """Instance types, first preferred, one architecture; the AMI follows it (x86_64 or arm64).
    Default ``["t3.medium"]``."""
    min_size: Annotated[int, Int(0, 1000)] = 1
    """Fewest instances, 0..1000. Default 1."""
    max_size: Annotated[int, Int(1, 1000)] = 10
    """Most instances, 1..1000, at least ``minSize``. Default 10."""
    spot_percentage: Annotated[int, Int(0, 100)] = 0
    """Share of instances above ``onDemandBase`` on Spot, %. Default 0."""
    on_demand_base: Annotated[int, Int(0, 1000)] = 0
    """Instances always on-demand. Default 0."""
    target_capacity: Annotated[int, Int(1, 100)] = 100
    """Managed scaling's target utilisation, 1..100 % (below 100 keeps spare instances). Default 100."""
    root_volume_gib: Annotated[int, Int(30, 16384)] = Field(default=30, alias="rootVolumeGiB")
    """Encrypted gp3 root volume, 30..16384 GiB (30 is the AMI's minimum). Default 30."""
    instance_type_specs: dict[InstanceTypeName, InstanceTypeSpec] = {}
    """Specs of types outside the built-in table: ``{x9z.large: {vcpu: 2, memoryMiB: 8192,
    architecture: X86_64}}``. Default none."""

    def spec(self, instance_type: str) -> InstanceTypeSpec:
        return self.instance_type_specs.get(instance_type) or INSTANCE_TYPES[instance_type]

    @property
    def architecture(self) -> str:
        return self.spec(self.instance_types[0]).architecture

    @property
    def smallest(self) -> InstanceTypeSpec:
        """What every task must fit: the least CPU and memory of any type."""
        specs = [self.spec(t) for t in self.instance_types]
        return InstanceTypeSpec(vcpu=min(s.vcpu for s in specs), memory_mib=min(s.memory_mib for s in specs),
                                architecture=specs[0].architecture)  # fmt: skip

    @model_validator(mode="after")
    def _types_and_sizes(self) -> Self:
        problems: list[tuple[Loc, str]] = []
        if not self.instance_types:
            problems.append((("instanceTypes",), "[] is empty (allowed: one or more instance types)"))
        archs: set[str] = set()
        for i, itype in enumerate(self.instance_types):
            if itype not in INSTANCE_TYPES and itype not in self.instance_type_specs:
                problems.append((("instanceTypes", i), f"{show(itype)} is not in the instance table (allowed: a "
                                 "common type such as t3.medium or m7g.large, or describe it under "
                                 f"ec2.instanceTypeSpecs.{itype} with vcpu, memoryMiB and architecture)"))  # fmt: skip
            else:
                archs.add(self.spec(itype).architecture)
        for itype in self.instance_type_specs:
            if itype in INSTANCE_TYPES:
                known = INSTANCE_TYPES[itype]
                problems.append((("instanceTypeSpecs", itype), f"{show(itype)} is a built-in type (allowed: only types "
                                 "outside the built-in table; remove this entry to use the built-in "
                                 f"{known.vcpu} vCPU / {known.memory_mib} MiB)"))  # fmt: skip
        if len(archs) > 1:
            problems.append((("instanceTypes",), f"{show(self.instance_types)} mixes X86_64 and ARM64 types "
                             "(allowed: types of one architecture; the launch template has one AMI)"))  # fmt: skip
        # CreateAutoScalingGroup: a group of MinSize..MaxSize instances (min above max is refused).
        # https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_CreateAutoScalingGroup.html
        if self.min_size > self.max_size:
            problems.append((("minSize",), f"{self.min_size} is above maxSize {self.max_size} "
                                           "(allowed: minSize <= maxSize)"))  # fmt: skip
        raise_problems(problems)
        return self


def _iso_date(value: Any) -> Any:
    """A YAML date (``2026-12-05`` unquoted) arrives as a date: keep its text."""
    return value.isoformat() if isinstance(value, dt.date) else value


ExpirationDate = Annotated[
    str, Check(expiration_check, {"type": "string", "format": "date"}, "a date, YYYY-MM-DD"), BeforeValidator(_iso_date)
]


class ExternalSpec(Spec):
    """External capacity (ECS Anywhere): an SSM activation registers your machines."""

    registration_limit: Annotated[int, Int(1, 1000)] = 10
    """Machines the activation may register, 1..1000. Default 10."""
    expiration_date: ExpirationDate | None = None
    """The day (UTC, ``YYYY-MM-DD``, within the next 30) at whose start the activation expires;
    set a new date to rotate it. Default: AWS's, 24 h after creation."""


class ClusterSpec(Spec):
    """The cluster and the defaults its services share."""

    launch_type: LaunchType = "FARGATE"
    """Default capacity for services: ``FARGATE``, ``FARGATE_SPOT``, ``EC2``, ``EXTERNAL`` or
    ``MANAGED_INSTANCES``. Default ``FARGATE``."""
    desired_count: Count = 2
    """Tasks per service unless the service sets ``desiredCount``. Default 2."""
    log_retention_days: LogRetention = 30
    """Retention of every log group, a value CloudWatch accepts (1, 3, 5, 7, 14, 30, 60, 90, ...).
    Default 30."""
    container_insights: Annotated[str, Choice(*f.CONTAINER_INSIGHTS)] = "enabled"
    """CloudWatch Container Insights: ``enabled``, ``enhanced`` or ``disabled``. Default ``enabled``."""
    capacity_provider_strategy: Strategy | None = None
    """``[{provider, weight, base}]``: the cluster's default capacity provider strategy, which every
    service and job without its own ``launchType`` or ``capacityProviderStrategy`` uses; providers
    ``FARGATE``, ``FARGATE_SPOT`` and ``EC2`` (with the ``ec2`` key or ``launchType: EC2``), of the
    same kind as ``launchType``. Replaces the fixed split of ``fargateOnDemandBase``. Default: from
    ``launchType``."""
    fargate_on_demand_base: Annotated[int, Int(0, 100000)] = 1
    """With ``FARGATE_SPOT``: tasks per service kept on on-demand Fargate; after it, 4 of every 5
    tasks run on Spot. ``0`` = all Spot. Default 1."""
    retain_logs_on_delete: Bool = False
    """Keep every log group (service logs, ECS Exec audit, WAF) and a created ``kmsKey`` when the
    stack is destroyed. Log group names end in a unique suffix, so a re-created stack never
    collides with the groups it kept. Default false."""
    wait_for_steady_state: Bool = True
    """``pulumi up`` waits until each service is stable (its tasks running and healthy, the deployment
    done) and fails naming the service otherwise. ``false`` returns as soon as ECS accepts the
    change, and is recorded on each service as the tag ``ecs-platform:waiver:steady-state``.
    Default true."""
    deploy_timeout_minutes: Annotated[int, Int(5, 2880)] = 30
    """Minutes ``pulumi up`` gives a service to be created or updated (its steady state included),
    5..2880; more than each service's traffic steps and bake time. Default 30."""
    kms_key: KmsKey | None = None
    """Customer-managed KMS key for every log group and for ECS Exec sessions: ``create`` (a key
    with yearly rotation whose policy lets CloudWatch Logs of this account and region use it), or
    your key's ARN (same region; its policy must allow ``logs.<region>.amazonaws.com``). May be
    an Output. Default none: AWS-owned keys."""
    ec2: Ec2Spec | None = None
    """EC2 capacity; the cluster gets it when this is set or ``launchType`` is ``EC2`` (then with
    these defaults). Default none."""
    external: ExternalSpec | None = None
    """External capacity (ECS Anywhere); the cluster gets it when this is set or ``launchType``
    is ``EXTERNAL``. Default none."""

    managed_instances: ManagedInstancesSpec | None = None
    """ECS Managed Instances capacity (instances AWS launches, patches and replaces to fit the
    tasks); the cluster gets it when this is set or ``launchType`` is ``MANAGED_INSTANCES`` (then
    with these defaults). Default none."""

    @model_validator(mode="after")
    def _strategy_rules(self) -> Self:
        items = self.capacity_provider_strategy
        if items is None:
            return self
        at: Loc = ("capacityProviderStrategy",)
        problems = [((*at, *loc), msg) for loc, msg in strategy_problems(items)]
        problems += [((*at, *loc), msg) for loc, msg in offered_problems(items, self.offered_launch_types)]
        if items and not problems:
            kind = strategy_launch_type(items)
            if self.launch_type == "EXTERNAL" or (self.launch_type == "EC2") != (kind == "EC2"):
                problems.append((("launchType",), f"{show(self.launch_type)} is another kind of capacity than "
                                 f"capacityProviderStrategy's {'EC2' if kind == 'EC2' else 'Fargate'} (allowed: "
                                 f"launchType {'EC2' if kind == 'EC2' else 'FARGATE or FARGATE_SPOT'} with it; "
                                 "external instances use no capacity provider)"))  # fmt: skip
        raise_problems(problems)
        return self

    def launch_type_for(self, launch_type: str | None = None, strategy: Strategy | None = None) -> str:
        """The launch type whose rules a task follows: its strategy's, else its ``launchType``, else
        the cluster's strategy's, else the cluster's ``launchType``."""
        if strategy:
            return strategy_launch_type(strategy)
        if launch_type:
            return launch_type
        if self.capacity_provider_strategy:
            return strategy_launch_type(self.capacity_provider_strategy)
        return self.launch_type

    def strategy_for(self, launch_type: str | None = None, strategy: Strategy | None = None) -> Strategy | None:
        """The strategy a task is placed with, when config gives one: its own, else (without its own
        ``launchType``) the cluster's; ``None``: the one its launch type implies."""
        if strategy:
            return strategy
        return None if launch_type else self.capacity_provider_strategy

    @property
    def ec2_capacity(self) -> Ec2Spec | None:
        """The EC2 capacity in effect: as configured, or the defaults when EC2 is the default."""
        return self.ec2 or (Ec2Spec() if self.launch_type == "EC2" else None)

    @property
    def external_capacity(self) -> ExternalSpec | None:
        return self.external or (ExternalSpec() if self.launch_type == "EXTERNAL" else None)

    @property
    def managed_instances_capacity(self) -> ManagedInstancesSpec | None:
        """The Managed Instances capacity in effect: as configured, or the defaults when it is the
        default launch type."""
        return self.managed_instances or (
            ManagedInstancesSpec() if self.launch_type == f.MANAGED_INSTANCES else None
        )

    @property
    def offered_launch_types(self) -> tuple[str, ...]:
        """Fargate (on-demand and Spot) always; EC2, EXTERNAL and MANAGED_INSTANCES when configured
        or the default."""
        return (
            f.FARGATE_LAUNCH_TYPES
            + (("EC2",) if self.ec2_capacity is not None else ())
            + (("EXTERNAL",) if self.external_capacity is not None else ())
            + ((f.MANAGED_INSTANCES,) if self.managed_instances_capacity is not None else ())
        )
