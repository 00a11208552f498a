"""The mock engine's shortcuts (``_in_process_engine``) hold only while a program runs."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pulumi.runtime.mocks
import pulumi.runtime.resource
import pytest
from pulumi.runtime.sync_await import _ensure_event_loop

from ecs_platform.errors import ConfigError
from ecs_platform.tools.mock_cloud import run as engine
from ecs_platform.tools.mock_cloud import run_program
from ecs_platform.tools.mock_cloud.monitor import RecordingMonitor


def _sdk_state() -> tuple[object, object, object]:
    loop = _ensure_event_loop()  # type: ignore[no-untyped-call]
    return (pulumi.runtime.resource._get_stack_trace, pulumi.runtime.mocks._sync_await,  # type: ignore[attr-defined]
            getattr(loop, "_default_executor", None))  # fmt: skip


@pytest.mark.parametrize("overrides", [None, {"launchType": "LAMBDA"}], ids=["accepted", "refused"])
def test_a_run_leaves_the_sdk_as_it_found_it(overrides: dict[str, str] | None) -> None:
    before = _sdk_state()
    run = run_program("dev", overrides)
    assert (run.error is None) is (overrides is None), run.error
    assert overrides is None or isinstance(run.error, ConfigError)
    assert _sdk_state() == before
    assert before[0] is not engine._no_stack_trace and before[1] is not engine._without_waiting


def test_registrations_run_on_the_loops_thread_and_send_no_stack_trace(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[threading.Thread, Any]] = []

    class Watching(RecordingMonitor):
        def RegisterResource(self, request: Any) -> Any:
            seen.append((threading.current_thread(), request.stackTrace))
            return super().RegisterResource(request)

    monkeypatch.setattr(engine, "RecordingMonitor", Watching)
    run = run_program("dev")
    assert run.error is None, run.error
    assert len(seen) == len(run.resources) + 1  # and the root stack
    assert {thread for thread, _ in seen} == {threading.main_thread()}
    assert [len(trace.frames) for _, trace in seen] == [0] * len(seen)


def test_an_answer_that_would_wait_is_an_error_not_a_hang() -> None:
    async def plain() -> int:
        return 7

    assert engine._without_waiting(plain()) == 7
    loop = asyncio.new_event_loop()
    try:
        pending = loop.create_future()

        async def waits() -> object:
            return await pending

        with pytest.raises(RuntimeError, match="waited on"):
            engine._without_waiting(waits())
    finally:
        loop.close()
