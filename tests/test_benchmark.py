"""The benchmark stays a fair comparison: both programs register the same resources."""

from __future__ import annotations

from collections import Counter

from ecs_platform.tools.bench import flat_program, generate
from ecs_platform.tools.mock_cloud import run_program


def test_flat_program_registers_what_the_platform_registers() -> None:
    ours = run_program("prod", generate.overrides(3))
    flat = run_program("prod", config={"aws:region": "us-east-1"}, program=lambda: flat_program.program(3))
    assert ours.error is None and flat.error is None, (ours.error, flat.error)

    def aws(run) -> Counter[str]:
        return Counter(r.type for r in run.resources if r.custom or r.remote)

    assert aws(ours) == aws(flat)
    assert set(ours.exports) - {"zoneIds"} == set(flat.exports)
