"""No accidental replacement: the URN of every resource of every stack file is
snapshotted in ``tests/snapshots/<stack>.urns``. A URN is a resource's identity
to Pulumi; a change of name, type token or parent makes ``pulumi up`` delete
the live resource and create a new one.

When a change is meant to rename something: give the renamed resource (or
component) ``aliases=[pulumi.Alias(name=<old name>)]`` (or ``type_=``/
``parent=`` for a moved type or parent) so Pulumi moves it instead of
replacing it, check the preview, then refresh the snapshots on purpose:

    UPDATE_URN_SNAPSHOTS=1 venv/bin/python -m pytest tests/test_urns.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import ecs_platform
import ecs_platform.platform as platform_module
from ecs_platform.tools.mock_cloud import StackRun, run_program
from tests.conftest import STACKS, stack_run

SNAPSHOTS = Path(__file__).parent / "snapshots"


def urns(run: StackRun) -> list[str]:
    assert run.error is None, run.error
    return sorted(r.urn for r in run.resources)


def compare(current: list[str], snapshot: list[str]) -> list[str]:
    """What would be replaced: URNs gone (deleted) and URNs new (created)."""
    gone = sorted(set(snapshot) - set(current))
    new = sorted(set(current) - set(snapshot))
    return [f"- {u}" for u in gone] + [f"+ {u}" for u in new]


@pytest.mark.parametrize("stack", STACKS)
def test_no_resource_of_a_stack_file_changes_identity(stack: str) -> None:
    path = SNAPSHOTS / f"{stack}.urns"
    current = urns(stack_run(stack))
    if os.environ.get("UPDATE_URN_SNAPSHOTS") == "1":
        path.write_text("\n".join(current) + "\n")
    snapshot = path.read_text().splitlines()
    diff = compare(current, snapshot)
    assert not diff, (
        f"{stack}: these resources would be deleted (-) and created (+) by `pulumi up`:\n"
        + "\n".join(diff)
        + "\nIf that is intended, add aliases for renamed resources and refresh the snapshot "
        "(see tests/test_urns.py)."
    )


def test_the_snapshot_catches_a_renamed_component(monkeypatch: pytest.MonkeyPatch) -> None:
    original = platform_module.Platform

    class Renamed(original):  # type: ignore[misc, valid-type]
        def __init__(self, name: str, *args: object, **kwargs: object) -> None:
            super().__init__("platform", *args, **kwargs)  # was "ecs"

    # __main__.py takes Platform from the package root (`from ecs_platform import Platform`).
    monkeypatch.setattr(platform_module, "Platform", Renamed)
    monkeypatch.setattr(ecs_platform, "Platform", Renamed)
    current = urns(run_program("dev"))
    diff = compare(current, (SNAPSHOTS / "dev.urns").read_text().splitlines())
    assert "- urn:pulumi:dev::ecs-platform::pulumi:pulumi:Stack$ecs-platform:index:Platform::ecs" in diff
    assert "+ urn:pulumi:dev::ecs-platform::pulumi:pulumi:Stack$ecs-platform:index:Platform::platform" in diff
    # Its children are named after it, so all of them would be replaced too (all
    # but the provider, which is not under the platform).
    assert len([line for line in diff if line.startswith("- ")]) == len(current) - 1


def test_the_snapshot_catches_a_changed_type_token(monkeypatch: pytest.MonkeyPatch) -> None:
    import pulumi

    real_init = pulumi.ComponentResource.__init__

    def retyped(self, t, name, props=None, opts=None, remote=False, package_ref=None):
        t = "ecs-platform:net:Network" if t == "ecs-platform:network:Network" else t
        real_init(self, t, name, props, opts, remote, package_ref)

    monkeypatch.setattr(pulumi.ComponentResource, "__init__", retyped)
    diff = compare(urns(run_program("dev")), (SNAPSHOTS / "dev.urns").read_text().splitlines())
    assert any(line.startswith("- ") and "ecs-platform:network:Network" in line for line in diff)
    assert any(line.startswith("+ ") and "ecs-platform:net:Network" in line for line in diff)
