"""Running the program under the mock engine: what one evaluation registered and exported."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import logging
import runpy
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pulumi
import pulumi.runtime.mocks
import pulumi.runtime.resource
from pulumi.runtime.proto import source_pb2
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _ensure_event_loop, _sync_await

from ecs_platform.errors import ConfigError
from ecs_platform.tools.mock_cloud.cloud import MockCloud
from ecs_platform.tools.mock_cloud.config import ROOT, project_file, stack_config
from ecs_platform.tools.mock_cloud.monitor import RecordingMonitor, Registration

PROGRAM = ROOT / "__main__.py"


@dataclass
class StackRun:
    """What one evaluation of the program registered and exported."""

    stack: str
    config: dict[str, str]
    cloud: MockCloud
    resources: list[Registration] = field(default_factory=list)
    exports: dict[str, Any] = field(default_factory=dict)
    secret_exports: set[str] = field(default_factory=set)
    error: BaseException | None = None
    warnings: list[str] = field(default_factory=list)
    """What the program logged with ``pulumi.log.warn`` (the CLI's warning channel), in order."""

    def of_type(self, typ: str) -> list[Registration]:
        return [r for r in self.resources if r.type == typ]

    def one(self, typ: str, name: str | None = None) -> Registration:
        found = [r for r in self.of_type(typ) if name is None or r.name == name]
        if len(found) != 1:
            names = [r.name for r in self.of_type(typ)]
            raise LookupError(f"expected one {typ} named {name!r}, found {len(found)} among {names}")
        return found[0]

    def by_urn(self, urn: str) -> Registration:
        for r in self.resources:
            if r.urn == urn:
                return r
        raise LookupError(urn)

    def children(self, parent: Registration) -> list[Registration]:
        return [r for r in self.resources if r.parent == parent.urn]


class _WarningLog(logging.Logger):
    """The mock engine's logger: keeps what the program sends the CLI's warning channel (and
    errors), as ``pulumi up`` would show them, and nothing else."""

    def __init__(self, into: list[str]) -> None:
        super().__init__("ecs-platform-mock-engine", logging.WARNING)
        self.propagate = False
        self._into = into

    def handle(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.WARNING:
            self._into.append(record.getMessage())


_T = TypeVar("_T")


def _no_stack_trace() -> source_pb2.StackTrace:
    return source_pb2.StackTrace()


def _without_waiting(awaitable: Awaitable[_T]) -> _T:
    """The result of a coroutine that never waits. The SDK's mock monitor serializes the mock's
    plain answers (no Outputs, nothing pending) through ``rpc.serialize_properties``, a coroutine
    that then never suspends."""
    steps = awaitable.__await__()
    try:
        waited_on = steps.send(None)
    except StopIteration as done:
        result: _T = done.value
        return result
    steps.close()
    raise RuntimeError(f"the mock monitor's answer waited on {waited_on!r}")


class _InlineExecutor(concurrent.futures.ThreadPoolExecutor):
    """Runs what the SDK hands the default executor at once, on the loop's own thread.

    The SDK sends each engine request from a thread pool so that a real gRPC call does not block
    the event loop. The mock monitor answers in-process without blocking, so the thread hop buys
    nothing here and costs a GIL hand-off and a loop wake-up per request. (A subclass of the pool
    only because ``loop.set_default_executor`` accepts nothing else; it starts no thread.)"""

    def submit(self, fn: Callable[..., _T], /, *args: Any, **kwargs: Any) -> concurrent.futures.Future[_T]:
        future: concurrent.futures.Future[_T] = concurrent.futures.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # handed to the awaiting coroutine, as the pool would
            future.set_exception(exc)
        return future


def _quiet_reported_failures(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """The exception handler of the loop the mock engine runs programs on (the thread's event
    loop, which keeps it after the run: the futures it is about are collected later).

    Whatever an ``apply`` or a registration raises fails the run, even when nothing uses the
    failed Output (the SDK awaits every Output before it finishes), and the run returns one
    failure as its error: the SDK ends a program at the first failed request it awaits
    (``pulumi.runtime.stack.wait_for_rpcs``). The SDK leaves that exception, its
    own wrappings of it, and any other failure of the same run (a second value refused during
    the deployment, a refusal behind the program's own error) in futures it never awaits, and
    Python reports those as never retrieved when they are collected: after the run, in the
    middle of whatever runs next. Those reports are dropped, so a later failure shows once the
    first is fixed; a run that succeeded left none. Anything else goes
    to asyncio's default handler."""
    if str(context.get("message", "")).endswith("exception was never retrieved"):
        return
    loop.default_exception_handler(context)


@contextlib.contextmanager
def _in_process_engine() -> Iterator[None]:
    """The mock engine without the costs that only a real engine needs, while a program runs.

    * At every registration the SDK walks the Python stack (``traceback.extract_stack``, which
      reads each frame's source line) to tell the engine where the resource was declared: a
      fifth of a run's time. The recording monitor keeps no source positions, so the SDK sends
      an empty trace, which the engine accepts too.
    * Engine requests run on the loop's thread (:class:`_InlineExecutor`), and the mock monitor
      serializes its answers without pumping the event loop again (:func:`_without_waiting`;
      pumping it from the loop's own thread would nest every pending registration inside this
      one).

    The loop also keeps :func:`_quiet_reported_failures` as its exception handler (unless it
    already has one), after the run too: the futures whose reports it drops are collected
    later."""
    loop: asyncio.AbstractEventLoop = _ensure_event_loop()  # type: ignore[no-untyped-call]
    if loop.get_exception_handler() is None:
        loop.set_exception_handler(_quiet_reported_failures)
    sdk_resource, sdk_mocks = pulumi.runtime.resource, pulumi.runtime.mocks
    original_trace, original_await = sdk_resource._get_stack_trace, sdk_mocks._sync_await  # type: ignore[attr-defined]
    sdk_resource._get_stack_trace = _no_stack_trace
    sdk_mocks._sync_await = _without_waiting  # type: ignore[attr-defined]
    # asyncio has no getter for the default executor; the loop keeps it in this attribute.
    original_executor = getattr(loop, "_default_executor", None)
    loop.set_default_executor(_InlineExecutor(max_workers=1))
    try:
        yield
    finally:
        sdk_resource._get_stack_trace = original_trace
        sdk_mocks._sync_await = original_await  # type: ignore[attr-defined]
        loop._default_executor = original_executor  # type: ignore[attr-defined]


def run_program(
    stack: str = "dev",
    overrides: Mapping[str, Any] | None = None,
    *,
    config: Mapping[str, str] | None = None,
    program: Callable[[], Any] | Path = PROGRAM,
    project: str | None = None,
    cloud: MockCloud | None = None,
) -> StackRun:
    """Evaluate ``program`` (default: the real ``__main__.py``) for ``stack``.

    ``config`` replaces the stack files entirely; otherwise they are read with
    ``overrides`` on top. ``cloud``: another account (zones, account id) than the default.
    A program error is returned in ``StackRun.error``,
    together with whatever was registered before it.
    """
    try:
        cfg = dict(config) if config is not None else stack_config(stack, overrides)
    except ConfigError as exc:  # a stack file or override that is not plain config: nothing runs
        return StackRun(stack=stack, config={}, cloud=MockCloud(), error=exc)
    project = project or project_file()["name"]
    cloud = cloud or MockCloud(region=cfg.get("aws:region", "us-east-1"))
    monitor = RecordingMonitor(cloud)
    run = StackRun(stack=stack, config=cfg, cloud=cloud)

    def body() -> None:
        if isinstance(program, Path):
            runpy.run_path(str(program), run_name="__main__")
        else:
            program()
        outputs = getattr(root, "outputs", {}) or {}
        for key, value in outputs.items():
            if isinstance(value, pulumi.Output) and _sync_await(value.is_secret()):
                run.secret_exports.add(key)
        resolved: Any = _sync_await(pulumi.Output.from_input(outputs).future())
        run.exports = dict(resolved or {})

    with _in_process_engine():
        pulumi.runtime.set_all_config(cfg)
        # A fresh root stack per run: set_mocks only creates one when none exists,
        # and a reused one would carry the previous run's exports.
        pulumi.runtime.settings.ROOT.set(None)
        pulumi.runtime.set_mocks(cloud, project=project, stack=stack, preview=False, monitor=monitor,
                                 logger=_WarningLog(run.warnings))
        settings = pulumi.runtime.settings.SETTINGS
        settings.rpc_manager.clear()
        settings.outputs.clear()
        root = pulumi.runtime.settings.get_root_resource()
        try:
            _sync_await(run_pulumi_func(body))
        except Exception as exc:
            run.error = exc
    # A registration request leaves only once its inputs resolve, so the monitor records
    # them in that order, not in program order (under a real engine, the SDK's thread pool
    # reorders them further). A run lists resources by URN: unique in a stack and the same
    # in every run, whatever the timing.
    # Provider calls are listed by token and arguments for the same reason.
    run.resources = sorted(monitor.registrations, key=lambda r: r.urn)
    cloud.calls.sort(key=lambda c: (c[0], json.dumps(c[1], sort_keys=True, default=str)))
    return run
