"""The cost estimate's lines and total, and the hourly price of an instance type."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


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
    """On-Demand Linux hourly price of an instance type (a region's ``ec2`` prices: one figure per
    type, as AWS lists it), or None when the region's prices lack the type."""
    price = ec2_prices["on_demand_hourly"].get(instance_type)
    return None if price is None else float(price)
