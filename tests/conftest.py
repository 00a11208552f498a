"""Shared fixtures: evaluations of the real program through the mock cloud.

Nothing heavy is imported here at module level: pytest-xdist's controller process loads this file
too, and runs no test (the workers import the package when they collect the test modules)."""

from __future__ import annotations

import functools
import gc
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from ecs_platform.tools.mock_cloud import MockCloud, Registration, StackRun

# Each program run allocates hundreds of thousands of short-lived objects (futures, Outputs,
# protobuf structs); with CPython's default thresholds the collector scans the whole heap of a
# long test session many times per run. Collections happen less often, and once the test modules
# are collected everything alive (modules, the SDK) is frozen out of collection
# (tests/test_deployments.py alone: 57-61 s instead of 73-82 s on a loaded 2-core machine).
gc.set_threshold(50_000, 50, 100)


def pytest_collection_finish(session: pytest.Session) -> None:
    gc.collect()
    gc.freeze()


def pytest_sessionstart(session: pytest.Session) -> None:
    # Hypothesis's pytest plugin imports hypothesis at the end of a session in which no test did.
    # Under CPython 3.11.7 that late import (rewritten by pytest) failed with "AST constructor
    # recursion depth mismatch" after `pytest tests/test_grants.py`; importing it first avoids it.
    import hypothesis  # noqa: F401


#: The repository root (the Pulumi project).
ROOT = Path(__file__).resolve().parents[1]

#: Every committed stack file (Pulumi.<stack>.yaml): each one is tested.
STACKS = tuple(sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in ROOT.glob("Pulumi.*.yaml")))


@functools.cache
def stack_run(stack: str) -> StackRun:
    """The committed stack file ``stack`` evaluated once per test process (it must succeed);
    tests only read it. A test that needs a fresh evaluation calls ``run_program`` itself."""
    from ecs_platform.tools.mock_cloud import run_program

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


#: The VPCs the embedding tests' programs name, as the mock account has them: a Service or Job
#: given no ``vpc_cidr`` looks its VPC's block up (``ec2.getVpc``), which fails for a VPC the
#: account does not have.
EMBED_VPCS = {"vpc-0123456789abcdef0": "10.1.0.0/16", "vpc-0fedcba9876543210": "10.2.0.0/16"}


def embed_cloud() -> MockCloud:
    """A mock account that has :data:`EMBED_VPCS`."""
    from ecs_platform.tools.mock_cloud import MockCloud

    return MockCloud(vpcs=EMBED_VPCS)
