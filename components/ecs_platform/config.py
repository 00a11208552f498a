"""Stack config -> :class:`~ecs_platform.specs.PlatformSpec`: the only reader of
``pulumi.Config``. Registers no resources.

Every ``ecs-platform:<key>`` is a field of :class:`PlatformSpec` (camelCase, as in
the stack file); Pulumi.yaml's declared defaults arrive like any other value.
Bad config raises one :class:`~ecs_platform.errors.ConfigError` listing every
problem, each naming the key path, the value and what is allowed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ecs_platform.errors import ConfigError
from ecs_platform.specs import PlatformSpec, StackContext, context_problems
from ecs_platform.specs.base import render_loc

PROJECT = "ecs-platform"


def _parse(text: str) -> Any:
    """Config values arrive as strings; objects, lists and numbers as JSON text."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def read_config(project: str = PROJECT) -> dict[str, Any]:
    """Every ``<project>:*`` key the program was given, parsed to plain values.

    Reads the whole config map (not only known keys) so that a misspelt key is
    reported instead of silently ignored.
    """
    from pulumi.runtime import config as runtime_config

    merged: dict[str, Any] = {}
    merged.update(runtime_config.get_config_env())
    merged.update(runtime_config.CONFIG.get())
    prefix = f"{project}:"
    return {
        key[len(prefix) :]: _parse(value) if isinstance(value, str) else value
        for key, value in merged.items()
        if key.startswith(prefix)
    }


def load(
    raw: Mapping[str, Any],
    *,
    stack: str,
    region: str | None,
    region_zones: Mapping[str, str] | None = None,
    project: str = PROJECT,
    account: str | None = None,
    offline: bool = False,
) -> tuple[PlatformSpec, StackContext]:
    """Validate stack config (``raw``: key without namespace -> plain value) and the
    context rules; raise one :class:`ConfigError` with every problem. ``region_zones``: zone
    ID -> zone name; ``account``: the caller's account; ``offline``: under the mock engine
    (placeholders accepted)."""
    prefix = f"{project}:"
    problems: list[str] = []
    if not region:
        problems.append("aws:region: not set (allowed: a region name, e.g. `pulumi config set aws:region us-east-1`)")
    try:
        spec = PlatformSpec.parse(dict(raw), prefix)
    except ConfigError as exc:
        raise ConfigError(problems + exc.problems) from None
    context = StackContext(project=project, stack=stack, region=region or "", zones=region_zones,
                           account=account, offline=offline)
    if region:
        problems += [f"{prefix}{render_loc(loc)}: {m}" for loc, m in context_problems(spec, context)]
    if problems:
        raise ConfigError(problems)
    return spec, context


def engine_is_mocked() -> bool:
    """Whether the program runs under Pulumi's mock engine (``pulumi.runtime.set_mocks``: the
    tests and the offline preview) rather than a real ``pulumi preview`` / ``up``."""
    from pulumi.runtime import mocks, settings

    return isinstance(settings.get_monitor(), mocks.MockMonitor)
