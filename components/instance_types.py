"""EC2 instance types the platform knows: vCPUs, memory and CPU architecture.

Used to check up front that a task fits the instances its capacity provider
launches, and to pick the ECS-optimized AMI (x86_64 or arm64). Types outside
the table can be described in config (``ec2.instanceTypeSpecs``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

INSTANCE_TYPE_RE = re.compile(r"^[a-z][a-z0-9-]*\.(nano|micro|small|medium|large|metal|\d*xlarge)$")

#: Memory the OS, the ECS agent and Docker keep for themselves, as a share of
#: the instance's memory (ECS registers less memory than the instance has; see
#: "Container instance memory management" in the ECS guide). Tasks get the rest.
RESERVED_MEMORY_SHARE = 0.10


@dataclass(frozen=True)
class InstanceSpec:
    vcpu: int
    memory_mib: int
    architecture: str  # "X86_64" | "ARM64"

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


def _table() -> dict[str, InstanceSpec]:
    table: dict[str, InstanceSpec] = {}
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
                table[f"{family}.{size}"] = InstanceSpec(vcpu, vcpu * _RATIO[kind] * 1024, arch)
    burstable = {"nano": (2, 512), "micro": (2, 1024), "small": (2, 2048), "medium": (2, 4096),
                 "large": (2, 8192), "xlarge": (4, 16384), "2xlarge": (8, 32768)}  # fmt: skip
    for family in ("t3", "t3a", "t4g"):
        arch = "ARM64" if family == "t4g" else "X86_64"
        for size, (vcpu, mib) in burstable.items():
            table[f"{family}.{size}"] = InstanceSpec(vcpu, mib, arch)
    return table


INSTANCE_TYPES: dict[str, InstanceSpec] = _table()


def ami_parameter(architecture: str) -> str:
    """AWS's public SSM parameter with the current ECS-optimized Amazon Linux 2023 AMI."""
    arch = "arm64/" if architecture == "ARM64" else ""
    return f"/aws/service/ecs/optimized-ami/amazon-linux-2023/{arch}recommended/image_id"
