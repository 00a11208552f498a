"""What one Pulumi program (one stack's evaluation) has done so far, as the component
boundary needs to know it: the input it refused up front, and the names its components
claimed.

The state is kept per root stack resource (``pulumi.runtime.settings.get_root_resource()``),
in a weak map: a program has one root, and every evaluation under the mock engine
(:func:`ecs_platform.tools.mock_cloud.run_program`) starts a new one, so tests and the offline
preview never see a previous run's claims, and nothing needs resetting by hand. A component
provider serving another language's program has no root stack resource: it gives each of its
``Construct`` calls the :class:`Scope` of that program (:data:`SCOPE`).
"""

from __future__ import annotations

import asyncio
import weakref
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import pulumi


class Claim:
    """One name a component of the program took: who took it, in words, and the component
    object itself (so that its own children may take the same name).

    The component is held weakly: every component's parents lead to the root stack resource that
    keys the state map, and a strong reference from a value of a weak map to its own key would
    keep both, and everything the program registered, alive after the program ends. An ancestor
    of a live component is alive (its child refers to it), so a claim whose component is gone
    can't be an ancestor's."""

    def __init__(self, owner: str, component: Any) -> None:
        self.owner = owner
        self._component = weakref.ref(component)

    @property
    def component(self) -> Any:
        """The claiming component, or ``None`` once it is gone."""
        return self._component()

    def __repr__(self) -> str:
        return f"Claim(owner={self.owner!r})"


@dataclass(eq=False)
class ProgramState:
    """Refusals and claims of one program."""

    refusals: list[tuple[str, list[str]]] = field(default_factory=list)
    """``(source, problems)`` of every bad input the program was refused before the deployment."""
    claims: dict[tuple[str, str], Claim] = field(default_factory=dict)
    """``(kind, name)`` -> who has it (kinds: a component type token, ``task``, ``family``)."""


_STATES: weakref.WeakKeyDictionary[Any, ProgramState] = weakref.WeakKeyDictionary()


class Scope:
    """Stands for one program where no root stack resource does: the program of another language
    whose components a provider process constructs (one provider process serves one deployment)."""


#: The program a component provider's ``Construct`` call belongs to (see :class:`Scope`).
SCOPE: ContextVar[Scope | None] = ContextVar("ecs_platform_program_scope", default=None)


def state() -> ProgramState | None:
    """The running program's state, or ``None`` outside a Pulumi program."""
    key: Any = pulumi.runtime.settings.get_root_resource() or SCOPE.get()
    if key is None:
        return None
    found = _STATES.get(key)
    if found is None:
        found = _STATES[key] = ProgramState()
    return found


def record_refusal(source: str, problems: list[str]) -> None:
    """Remember that the program was refused this input (see :func:`refusals`)."""
    current = state()
    if current is not None:
        current.refusals.append((source, list(problems)))


def refusals() -> list[tuple[str, list[str]]]:
    """Every refusal the running program raised so far (none outside a program)."""
    current = state()
    return list(current.refusals) if current is not None else []


#: The exception a program raised, as Pulumi keeps it while it waits for the program's
#: registrations (``pulumi.runtime.stack.run_pulumi_func``'s ``ex``), when it can be found.
NOT_FOUND = object()


def raised() -> BaseException | object | None:
    """The exception the program body raised, ``None`` if it raised none, or :data:`NOT_FOUND`
    when this is not known (no running Pulumi program found).

    Pulumi runs the program body, then waits for every registration and apply it started, and
    only then re-raises the body's exception; an apply that fails in between is reported
    instead of it. A deferred check asks this, so it can report the program's own error first.
    """
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return NOT_FOUND
    for task in asyncio.all_tasks(loop):
        coro: Any = task.get_coro()
        while coro is not None:
            frame = getattr(coro, "cr_frame", None)
            if frame is not None and frame.f_code.co_name == "run_pulumi_func":
                found = frame.f_locals.get("ex")
                return found if isinstance(found, BaseException) else None
            coro = getattr(coro, "cr_await", None)
    return NOT_FOUND
