"""Bad input, reported as one line per problem: ``<key path>: <value> ... (allowed: ...)``.

:class:`ConfigError` is what every path raises: stack config (paths like
``ecs-platform:services.api.memory``), a spec built in Python (paths like
``ServiceSpec.memory``) and an Input-accepting field whose value only became
known during the deployment. It subclasses :class:`pulumi.RunError`, so
``pulumi up`` prints the message without a Python traceback.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pulumi


class ConfigError(pulumi.RunError):
    """Bad input found before any resource was registered.

    ``problems`` holds one line per problem.
    """

    def __init__(self, problems: Sequence[str], source: str = "configuration") -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"invalid {source} ({len(self.problems)} problem(s)):\n{lines}")


def raise_if(problems: Sequence[str], source: str = "configuration") -> None:
    """Raise one :class:`ConfigError` listing every problem, if there are any."""
    if problems:
        raise ConfigError(problems, source)


def show(value: Any) -> str:
    """Render a value as the user wrote it (JSON, as in the stack file)."""
    if isinstance(value, pulumi.Output):
        return "a pulumi.Output"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, tuple):
        value = list(value)
    try:
        return json.dumps(value, sort_keys=True, default=_default)
    except (TypeError, ValueError):
        return repr(value)


def _default(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if hasattr(value, "model_dump"):
        return value.model_dump(by_alias=True, exclude_defaults=True)
    return str(value)


def allowed(values: Sequence[Any]) -> str:
    return ", ".join(str(v) for v in values)
