"""The cost estimate's lines and total, and the hourly price of an instance type."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

_SIZE_MULTIPLIER = {"large": 1, "xlarge": 2, "2xlarge": 4, "4xlarge": 8, "8xlarge": 16}


@dataclass(frozen=True)
class CostLine:
    item: str
    detail: str
    desired: float
    maximum: float


@dataclass
class CostEstimate:
    region: str
    lines: list[CostLine] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    source: str = ""
    as_of: str = ""

    @property
    def complete(self) -> bool:
        return not self.problems

    @property
    def total_desired(self) -> float:
        return round(sum(line.desired for line in self.lines), 2)

    @property
    def total_maximum(self) -> float:
        return round(sum(line.maximum for line in self.lines), 2)

    def as_dict(self) -> dict[str, Any]:
        return {
            "region": self.region,
            "currency": "USD",
            "source": self.source,
            "asOf": self.as_of,
            "lines": [
                {
                    "item": line.item,
                    "detail": line.detail,
                    "monthlyDesired": round(line.desired, 2),
                    "monthlyMax": round(line.maximum, 2),
                }
                for line in self.lines
            ],
            "totalMonthlyDesired": self.total_desired if self.complete else None,
            "totalMonthlyMax": self.total_maximum if self.complete else None,
            "problems": list(self.problems),
            "assumptions": list(self.assumptions),
        }


def ec2_hourly(instance_type: str, ec2_prices: Mapping[str, Any]) -> float | None:
    """On-demand hourly price of an instance type, or None when unpriced."""
    if instance_type in ec2_prices["burstable_hourly"]:
        return float(ec2_prices["burstable_hourly"][instance_type])
    family, _, size = instance_type.partition(".")
    large = ec2_prices["large_hourly"].get(family)
    if large is None or size not in _SIZE_MULTIPLIER:
        return None
    return float(large) * _SIZE_MULTIPLIER[size]
