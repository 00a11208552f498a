"""The mock engine's shortcuts (``_in_process_engine``) hold only while a program runs."""

from __future__ import annotations

import asyncio
import gc
import logging
import threading
import weakref
from collections.abc import Callable
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
from tests.conftest import embed_cloud

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


def _fails_in_an_apply(error: Exception) -> Callable[[], None]:
    def program() -> None:
        def fail(_: object) -> None:
            raise error

        pulumi.Output.from_input(1).apply(fail)  # used by nothing

    return program


def test_an_apply_that_fails_fails_the_run_even_when_nothing_uses_its_output() -> None:
    # Why the reports of never-retrieved exceptions may be dropped: a run they come from failed.
    run = run_program("embed", config=CONFIG, program=_fails_in_an_apply(ValueError("the program's own mistake")))
    assert isinstance(run.error, ValueError) and str(run.error) == "the program's own mistake"


def _refused_in_an_apply() -> None:  # the secret's ARN is known only during the deployment
    from tests.test_components import WILDCARD_SECRET, _service, _spec

    _service(_spec(secrets={"DB": pulumi.Output.from_input(WILDCARD_SECRET)}))


def _raises_while_a_check_is_pending() -> None:  # the SDK hands the body's error to what is pending
    _refused_in_an_apply()
    raise ValueError("the program's own mistake")


@pytest.mark.parametrize(("program", "error"), [
    (_refused_in_an_apply, ConfigError),
    (_raises_while_a_check_is_pending, ValueError),
], ids=["refusal", "program error"])  # fmt: skip
def test_a_failure_is_not_reported_again_when_the_futures_it_left_are_collected(
    caplog: pytest.LogCaptureFixture, program: Callable[[], None], error: type[Exception]
) -> None:
    # What earlier runs (of other tests) left is collected first: the SDK keeps the latest run
    # until the next one starts.
    assert run_program("embed", config=CONFIG, program=lambda: None).error is None
    gc.collect()
    with caplog.at_level(logging.DEBUG, logger="asyncio"):
        run = run_program("embed", cloud=embed_cloud(), config=CONFIG, program=program)
        assert isinstance(run.error, error), run.error
        del run
        assert run_program("embed", config=CONFIG, program=lambda: None).error is None
        gc.collect()
    assert [r.getMessage() for r in caplog.records if r.name == "asyncio"] == []


def test_anything_else_still_reaches_asyncios_handler(caplog: pytest.LogCaptureFixture) -> None:
    loop = _ensure_event_loop()  # type: ignore[no-untyped-call]
    with caplog.at_level(logging.ERROR, logger="asyncio"):
        engine._quiet_reported_failures(loop, {"message": "Task exception was never retrieved",
                                               "exception": RuntimeError("reported with its run")})  # fmt: skip
        engine._quiet_reported_failures(loop, {"message": "Exception in callback Handle._run()",
                                               "exception": RuntimeError("a defect")})  # fmt: skip
    assert [r.getMessage() for r in caplog.records if r.name == "asyncio"] == ["Exception in callback Handle._run()"]
