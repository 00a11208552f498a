"""Shared fixtures: evaluations of the real program through the mock cloud."""

from __future__ import annotations

import functools
import gc
import json
from typing import Any

# Hypothesis's pytest plugin imports hypothesis at the end of a session in which no test did.
# Under CPython 3.11.7 that late import (rewritten by pytest) failed with "AST constructor
# recursion depth mismatch" after `pytest tests/test_grants.py`; importing it first avoids it.
import hypothesis  # noqa: F401
import pytest

from ecs_platform.tools.mock_cloud import ROOT, Registration, StackRun, run_program

# Each program run allocates hundreds of thousands of short-lived objects (futures, Outputs,
# protobuf structs); with CPython's default thresholds the collector scans the whole heap of a
# long test session many times per run. Objects alive now (modules, the SDK) are frozen out of
# collection, and collections happen less often (tests/test_deployments.py alone: 57-61 s
# instead of 73-82 s on a loaded 2-core machine).
gc.freeze()
gc.set_threshold(50_000, 50, 100)

#: Every committed stack file (Pulumi.<stack>.yaml): each one is tested.
STACKS = tuple(sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in ROOT.glob("Pulumi.*.yaml")))


@functools.cache
def stack_run(stack: str) -> StackRun:
    """The committed stack file ``stack`` evaluated once per test process (it must succeed);
    tests only read it. A test that needs a fresh evaluation calls ``run_program`` itself."""
    run = run_program(stack)
    assert run.error is None, run.error
    return run


@pytest.fixture(scope="session")
def dev() -> StackRun:
    return stack_run("dev")


@pytest.fixture(scope="session")
def prod() -> StackRun:
    return stack_run("prod")


def containers(task_definition: Registration) -> list[dict[str, Any]]:
    """The container definitions a task definition registers (parsed JSON)."""
    parsed: list[dict[str, Any]] = json.loads(task_definition.inputs["containerDefinitions"])
    return parsed


def policy(document: str) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(document)
    return parsed


def service_part(run: StackRun, typ: str, service: str, suffix: str = "") -> Registration:
    """The resource of ``typ`` that belongs to the platform's service ``service``."""
    return run.one(typ, f"ecs-{service}{suffix}")


def provider_default_tags(run: StackRun) -> dict[str, str]:
    """The explicit aws provider's default tags (provider config travels as JSON text)."""
    raw = run.one("pulumi:providers:aws").inputs["defaultTags"]
    tags: dict[str, str] = (json.loads(raw) if isinstance(raw, str) else raw)["tags"]
    return tags
