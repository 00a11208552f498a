"""The component boundary: what every component checks before its first child (and before
registering itself), whoever calls it (:class:`~ecs_platform.platform.Platform` for stack
config, or another program).

* its spec: an instance of the spec class, validated again if it was built without
  validation (:meth:`~ecs_platform.specs.Spec.checked`);
* its plain arguments (``container_name``, ``route_priorities``, ``zones``, tags...),
  through pydantic's ``TypeAdapter`` with the model's own field types, so an Output or a
  wrong type is refused with the same words as a spec field;
* its references (cluster, load balancer, context, options): the types they must be;
* its wiring (ids and ARNs): the grammar AWS documents, and the stack's partition, region
  and account (:mod:`ecs_platform.wiring`);
* the names it derives for AWS (:data:`ecs_platform.facts.NAME_LIMITS`);
* that no other component of the program has its name or task family.

Every problem is collected, and one :class:`~ecs_platform.errors.ConfigError` lists them
all, each at ``<Component>.<argument path>``.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Annotated, Any, TypeVar

import pulumi
from pydantic import TypeAdapter

from ecs_platform import facts, program
from ecs_platform.errors import ConfigError, deferred_error, raise_if, show
from ecs_platform.names import autoname_fits
from ecs_platform.specs.arns import is_task_arn, partition_problem, task_arn_problems
from ecs_platform.specs.base import Check, Int, Loc, Spec, arg_problems, python_problems, replace_values
from ecs_platform.specs.task import TaskSpec
from ecs_platform.wiring import Kind, context_problems, context_values, list_problems

S = TypeVar("S", bound=Spec)
T = TypeVar("T", bound=TaskSpec)

#: A listener rule priority (ELB: 1..50000).
Priority = Annotated[int, Int(1, facts.MAX_PRIORITY)]


def task_problems_in_stack(bd: Boundary, spec: TaskSpec, context: Any) -> None:
    """The partition rule on the task's plain secrets and grants, when the region is known up front."""
    if context is not None and isinstance(context.region, str):
        bd.problems += python_problems(type(spec), task_arn_problems(spec, context.region))


def task_in_stack(spec: T, ctx: Any) -> T:
    """``spec`` with each secret and grant that is an Output, or whose region is only known during
    the deployment, checked then by the partition rule (:func:`partition_problem`), before the
    task definition and the roles that use it."""
    known_region = isinstance(ctx.region, str)

    def gate(loc: Loc, value: Any) -> Any:
        if not is_task_arn(loc) or (isinstance(value, str) and known_region):
            return value
        path = python_problems(type(spec), [(loc, "")])[0][: -len(": ")]

        def verify(known: list[Any]) -> Any:
            problem = partition_problem(known[0], str(known[1]))
            if problem:
                raise deferred_error([f"{path}: {problem}"])
            return known[0]

        return pulumi.Output.all(value, ctx.region).apply(verify)

    return replace_values(spec, gate)


def _component_name_check(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return None
    return f"{show(value)} is not a component name (allowed: a non-empty string)"


def _plain_str_check(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return None
    return f"{show(value)} is not a string (allowed: a non-empty string)"


#: A plain, non-empty string (an Output is refused: names are derived from it up front).
PlainStr = Annotated[str, Check(_plain_str_check, {"type": "string"}, "a non-empty string")]
_ComponentName = Annotated[str, Check(_component_name_check, {"type": "string"}, "a non-empty string")]


@functools.cache
def _adapter(annotation: Any) -> TypeAdapter[Any]:
    return TypeAdapter(annotation, config={"arbitrary_types_allowed": True})


def _type_name(value: Any) -> str:
    return "None" if value is None else type(value).__name__


def _given(value: Any) -> str:
    """``value`` and its type, for a message: plain data as written, an object by its type."""
    if value is None:
        return "None is missing"
    if isinstance(value, (str, int, float, bool, dict, list, tuple)):
        return f"{show(value)} is a {_type_name(value)}"
    return f"a {_type_name(value)} is given"


class Boundary:
    """The problems found at one component's boundary; :meth:`done` raises them all."""

    def __init__(self, component: str, name: Any, opts: Any) -> None:
        self.component = component
        self.problems: list[str] = []
        self._claims: list[tuple[str, str, str]] = []
        self.name = self.plain("name", name, _ComponentName)
        if opts is not None and not isinstance(opts, pulumi.ResourceOptions):
            self.add("opts", f"{_given(opts)} (allowed: a pulumi.ResourceOptions, or None)")
        self.parent = opts.parent if isinstance(opts, pulumi.ResourceOptions) else None

    def add(self, path: str, message: str) -> None:
        self.problems.append(f"{self.component}.{path}: {message}")

    @property
    def ok(self) -> bool:
        return not self.problems

    # -- spec, plain arguments, references -------------------------------------------------

    def spec(self, arg: str, value: Any, cls: type[S]) -> S | None:
        """The spec, validated again when built without validation; ``None`` when it is not one."""
        if isinstance(value, cls):
            try:
                return cls.checked(value)
            except ConfigError as exc:  # its problems name the spec's own fields
                self.problems += exc.problems
                return None
        hint = f"; build one with {cls.__name__}(**values) or {cls.__name__}.model_validate(values)"
        if value is None:
            self.add(arg, f"None is missing (allowed: a {cls.__name__})")
        elif isinstance(value, dict):
            self.add(arg, f"{show(value)} is a dict (allowed: a {cls.__name__}{hint})")
        else:
            self.add(arg, f"{_given(value)} (allowed: a {cls.__name__})")
        return None

    def plain(self, arg: str, value: Any, annotation: Any) -> Any:
        """A plain argument of the type ``annotation`` (the model's field types, so an Output is
        refused like in a spec); the validated value, or ``value`` when refused."""
        checked, problems = arg_problems(f"{self.component}.{arg}", value, _adapter(annotation))
        self.problems += problems
        return value if problems else checked

    def instance(self, arg: str, value: Any, types: tuple[type, ...], accepted: str, *,
                 optional: bool = False) -> Any:  # fmt: skip
        """An object of one of ``types`` (``None`` too when ``optional``); ``None`` when refused."""
        if value is None and optional:
            return None
        if isinstance(value, types):
            return value
        self.add(arg, f"{_given(value)} (allowed: {accepted})")
        return None

    def resources(self, arg: str, value: Any) -> Sequence[pulumi.Resource]:
        """A list of Pulumi resources (``deploy_after``)."""
        if not isinstance(value, (list, tuple)):
            self.add(arg, f"{_given(value)} (allowed: a list of Pulumi resources)")
            return ()
        for i, item in enumerate(value):
            if not isinstance(item, pulumi.Resource):
                self.add(f"{arg}[{i}]", f"{_given(item)} (allowed: a Pulumi resource)")
        return value

    def context(self, arg: str, value: Any) -> Any:
        """An :class:`~ecs_platform.iam.AwsContext` (or None): its plain values checked."""
        from ecs_platform.context import AwsContext

        ctx = self.instance(arg, value, (AwsContext,), "an AwsContext(account_id, region, partition), or None to "
                            "look them up", optional=True)  # fmt: skip
        if ctx is not None:
            self.problems += [p.replace(".context.", f".{arg}.", 1) for p in context_problems(self.component, ctx)]
        return ctx

    # -- wiring ------------------------------------------------------------------------------

    def wiring(self, arg: str, value: Any, kind: Kind, ctx: Any = None, *, optional: bool = False) -> Any:
        """A wiring value of ``kind``: a plain one is checked now (and against ``ctx`` when its
        values are plain); an Output later (:func:`ecs_platform.wiring.deferred_wiring`)."""
        if value is None and optional:
            return None
        if isinstance(value, pulumi.Output):
            return value
        problem = kind.problem(value)
        if problem:
            self.add(arg, problem)
            return value
        where = context_values(ctx)
        if where is not None and kind.scope:
            problem = kind.context_problem(value, *where)
            if problem:
                self.add(arg, problem)
        return value

    def wiring_list(self, arg: str, value: Any, kind: Kind, *, min_items: int = 1) -> Any:
        self.problems += list_problems(f"{self.component}.{arg}", value, kind, min_items=min_items)
        return value

    # -- derived names -------------------------------------------------------------------------

    def autoname(self, arg: str, value: Any, resource_type: str, logical_name: str, what: str,
                 prop: str = "name") -> None:  # fmt: skip
        """Pulumi's auto-name ``<logical_name>-<7 hex>`` for ``resource_type`` fits AWS's limit."""
        limit = facts.NAME_LIMITS[(resource_type, prop)]
        sample = f"{logical_name}-{'0' * (facts.AUTONAME_SUFFIX_LEN - 1)}"
        if autoname_fits(resource_type, logical_name, prop) and limit.pattern.match(sample):
            return
        self.add(arg, f"{show(value)} makes the {what} {show(sample[:-7] + '<7 random characters>')} "
                 f"({len(sample)} characters) (allowed: a name that keeps it within {limit.max_len} characters "
                 f"AWS accepts for it, {limit.pattern.pattern}; {limit.source})")  # fmt: skip

    def derived_name(self, arg: str, value: Any, resource_type: str, prop: str, name: str, what: str) -> None:
        """A name the component sends as it is (``name``, made from ``arg``'s ``value``, or from
        several arguments when ``value`` is None) fits AWS's limit for it."""
        limit = facts.NAME_LIMITS[(resource_type, prop)]
        if len(name) <= limit.max_len and limit.pattern.match(name):
            return
        given = "" if value is None else f"{show(value)} "
        self.add(arg, f"{given}makes the {what} {show(name)} ({len(name)} characters) (allowed: at most "
                 f"{limit.max_len} characters of {limit.pattern.pattern}; {limit.source})")  # fmt: skip

    # -- one name per program ----------------------------------------------------------------

    def claim(self, kind: str, key: str, arg: str, what: str) -> None:
        """Take ``key`` (of ``kind``) for this component; refused if another component of the
        program (not one of this component's ancestors) has it."""
        current = program.state()
        found = current.claims.get((kind, key)) if current is not None else None
        if found is not None and not self._ancestor(found.component):
            self.add(arg, f"{show(key)} {what} of {found.owner} and of {self.component} {show(self.name)} "
                     "(allowed: one per program; two would share a Pulumi URN or overwrite each other's AWS "
                     "resources)")  # fmt: skip
        self._claims.append((kind, key, arg))

    def _ancestor(self, component: Any) -> bool:
        parent = self.parent
        while parent is not None:
            if parent is component:
                return True
            parent = getattr(parent, "_boundary_parent", None)
        return False

    # -- the verdict -----------------------------------------------------------------------------

    def done(self, component: Any) -> None:
        """Raise every problem found; or take this component's claims and return."""
        raise_if(self.problems, self.component)
        current = program.state()
        if current is not None:
            owner = f"{self.component} {show(self.name)}"
            for kind, key, _ in self._claims:
                current.claims.setdefault((kind, key), program.Claim(owner, component))
        component._boundary_parent = self.parent
