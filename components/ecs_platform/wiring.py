"""Checks of the wiring a component gets from other resources (cluster ARN, VPC,
subnets, listener...): values may be Outputs, but never ``None`` where one is
required, and never a string where a list belongs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

from ecs_platform.errors import raise_if, show


def wiring_problems(component: str, required: Mapping[str, Any], lists: Mapping[str, Any]) -> list[str]:
    """``required``: name -> value that must not be None. ``lists``: name -> value that
    must be a list (or an Output of one) of strings or Outputs."""
    out: list[str] = []
    for name, value in required.items():
        if value is None:
            out.append(f"{component}.{name}: None is missing (allowed: a value or a pulumi.Output of one)")
        elif not isinstance(value, (str, pulumi.Output)):
            out.append(f"{component}.{name}: {show(value)} is not a string (allowed: a string or a pulumi.Output)")
    for name, value in lists.items():
        if value is None:
            out.append(f"{component}.{name}: None is missing (allowed: a list or a pulumi.Output of one)")
        elif isinstance(value, str):
            out.append(f"{component}.{name}: {show(value)} is a string where a list belongs "
                       "(allowed: a list of strings, or a pulumi.Output of one)")  # fmt: skip
        elif not isinstance(value, pulumi.Output):
            if not isinstance(value, (list, tuple)):
                out.append(f"{component}.{name}: {show(value)} is not a list (allowed: a list of strings)")
                continue
            for i, item in enumerate(value):
                if not isinstance(item, (str, pulumi.Output)):
                    out.append(f"{component}.{name}[{i}]: {show(item)} is not a string "
                               "(allowed: a string or a pulumi.Output)")  # fmt: skip
    return out


def check_wiring(component: str, required: Mapping[str, Any], lists: Mapping[str, Any] | None = None) -> None:
    """Raise a :class:`~ecs_platform.errors.ConfigError` listing every bad wiring value."""
    raise_if(wiring_problems(component, required, lists or {}), component)
