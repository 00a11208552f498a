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

from ecs_platform import program


class ConfigError(pulumi.RunError):
    """Bad input found before any resource was registered.

    ``problems`` holds one line per problem.
    """

    def __init__(self, problems: Sequence[str], source: str = "configuration") -> None:
        self.problems = list(problems)
        self.source = source
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"invalid {source} ({len(self.problems)} problem(s)):\n{lines}")


def raise_if(problems: Sequence[str], source: str = "configuration") -> None:
    """Raise one :class:`ConfigError` listing every problem, if there are any (and remember,
    for :func:`deferred_error`, that the program was refused them)."""
    if problems:
        program.record_refusal(source, list(problems))
        raise ConfigError(problems, source)


#: The source of a problem found in a value known only during the deployment.
DEFERRED_SOURCE = "input (known during the deployment)"


def deferred_error(problems: Sequence[str]) -> BaseException:
    """The error for bad values that only became known during the deployment (an Output's).

    Such a check runs after the program body, while Pulumi waits for the registrations it
    gates; whichever of those fails first is what the engine reports, in place of the error
    the program itself raised. So a pending check never hides the program's own error: when
    the program raised one, that error is reported, with these problems added (to its
    problems if it is a :class:`ConfigError`, else as a note).
    """
    own = program.raised()
    if isinstance(own, ConfigError):
        return ConfigError(own.problems + list(problems), own.source)
    if isinstance(own, BaseException):
        own.add_note("Also found once values were known during the deployment:\n"
                     + "\n".join(f"  - {p}" for p in problems))  # fmt: skip
        return own
    earlier = program.refusals() if own is program.NOT_FOUND else []
    if not earlier:
        return ConfigError(problems, DEFERRED_SOURCE)
    return ConfigError([p for _, found in earlier for p in found] + list(problems), earlier[0][0])


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
