"""The mock engine's shortcuts (``_in_process_engine``) hold only while a program runs."""

from __future__ import annotations

import asyncio
import gc
import logging
import threading
import weakref
from typing import Any

import pulumi.runtime.mocks
import pulumi.runtime.resource
import pytest
from pulumi.runtime.sync_await import _ensure_event_loop

from ecs_platform import Cluster, ClusterSpec
from ecs_platform.errors import ConfigError
from ecs_platform.tools.mock_cloud import run as engine
from ecs_platform.tools.mock_cloud import run_program
from ecs_platform.tools.mock_cloud.monitor import RecordingMonitor

CONFIG = {"aws:region": "us-east-1"}


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


def test_an_evaluation_leaves_nothing_of_itself_behind_once_another_has_run() -> None:
    # Each component's claims in the program state (keyed weakly by the root stack) used to hold
    # the component, whose parents lead to that root: nothing a run registered was ever freed.
    clusters: list[weakref.ref[Cluster]] = []

    def program() -> None:
        clusters.append(weakref.ref(Cluster("c", ClusterSpec())))

    assert run_program("embed", config=CONFIG, program=program).error is None
    assert run_program("embed", config=CONFIG, program=lambda: None).error is None
    gc.collect()
    assert [ref() for ref in clusters] == [None]


def test_a_refusal_an_apply_raised_is_not_reported_again_when_its_futures_are_collected(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from tests.conftest import embed_cloud
    from tests.test_components import WILDCARD_SECRET, _service, _spec

    def program() -> None:  # refused in an apply: the secret's ARN is known only during the deployment
        _service(_spec(secrets={"DB": pulumi.Output.from_input(WILDCARD_SECRET)}))

    with caplog.at_level(logging.ERROR, logger="asyncio"):
        run = run_program("embed", cloud=embed_cloud(), config=CONFIG, program=program)
        assert isinstance(run.error, ConfigError), run.error
        del run
        # What the SDK keeps of the latest run goes when the next one starts.
        assert run_program("embed", config=CONFIG, program=lambda: None).error is None
        gc.collect()
    assert [r.getMessage() for r in caplog.records if r.name == "asyncio"] == []


def test_any_other_unretrieved_exception_still_reaches_asyncios_handler(caplog: pytest.LogCaptureFixture) -> None:
    loop = _ensure_event_loop()  # type: ignore[no-untyped-call]
    with caplog.at_level(logging.ERROR, logger="asyncio"):
        engine._quiet_reported_refusals(loop, {"message": "Future exception was never retrieved",
                                               "exception": RuntimeError("a defect")})  # fmt: skip
        engine._quiet_reported_refusals(loop, {"message": "Future exception was never retrieved",
                                               "exception": ConfigError(["ecs-platform:x: refused"])})  # fmt: skip
    assert [r.getMessage() for r in caplog.records if r.name == "asyncio"] == ["Future exception was never retrieved"]
