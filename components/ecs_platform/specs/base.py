"""The machinery of the model: the :class:`Spec` base class, field types that
report problems in the platform's own words, and the translation of pydantic's
errors into ``<key path>: <value> ... (allowed: ...)`` lines.

pydantic does the type work (unknown keys, maps, lists, nested specs); every
scalar rule is a small check function here whose message names the value and
what is allowed. Cross-field rules live on the spec they belong to, as
``model_validator``s that report each problem at its own key path.
"""

from __future__ import annotations

import json
import re
import types
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Annotated, Any, Self, Union, get_args, get_origin

import pulumi
from pydantic import (
    BaseModel,
    ConfigDict,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    PrivateAttr,
    TypeAdapter,
    ValidationError,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic_core import InitErrorDetails, PydanticCustomError, core_schema

from ecs_platform import program
from ecs_platform.errors import ConfigError, allowed, deferred_error, hide_secret, secret_path, show

Loc = tuple[str | int, ...]
#: Control characters (and Unicode line breaks), escaped when a map key holding one is a key path.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def fail(message: str) -> PydanticCustomError:
    """A pydantic error carrying a platform message (its path is added later)."""
    return PydanticCustomError("ecs_platform", "{problem}", {"problem": message})


def raise_problems(problems: Iterable[tuple[Loc, str]], title: str = "spec") -> None:
    """Raise every ``(relative key path, message)`` at once from a model validator."""
    details = [InitErrorDetails(type=fail(msg), loc=loc, input=None) for loc, msg in problems]
    if details:
        raise ValidationError.from_exception_data(title, details)


def render_loc(loc: Sequence[str | int]) -> str:
    out = ""
    for part in loc:
        if part == "[key]":  # pydantic's marker for a problem with a map key: the key is the path
            continue
        if isinstance(part, str) and _CONTROL.search(part):  # a hostile key stays on its one line
            part = json.dumps(part)[1:-1]
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class Spec(BaseModel):
    """Base of every spec: plain values, camelCase keys in config (``desiredCount``),
    snake_case names in Python (``desired_count``), unknown keys refused, frozen.

    Building one with bad values raises :class:`~ecs_platform.errors.ConfigError`
    listing every problem, each at its key path (``ServiceSpec.memory: ...``).
    """

    model_config = ConfigDict(
        extra="forbid",
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        frozen=True,
        use_attribute_docstrings=True,
        arbitrary_types_allowed=True,
        serialize_by_alias=True,
        # A spec nested in another is checked again (it may have been built without
        # validation: model_construct, model_copy(update=...)).
        revalidate_instances="always",
    )

    _validated: bool = PrivateAttr(default=False)

    def __init__(self, /, **data: Any) -> None:
        # pydantic also calls this for nested specs given as maps: only the outermost
        # call turns the errors into a ConfigError, so every problem is reported at once.
        depth = _DEPTH.get()
        token = _DEPTH.set(depth + 1)
        try:
            super().__init__(**data)
        except ValidationError as exc:
            if depth:
                raise
            name = type(self).__name__
            problems = problems_from(exc, f"{name}.", type(self), python_names=True)
            program.record_refusal(name, problems)
            raise ConfigError(problems, name) from None
        finally:
            _DEPTH.reset(token)

    @model_validator(mode="after")
    def _checked(self) -> Self:
        """Mark the spec validated, and give each Output it holds the full key path its
        deferred check reports (the outermost spec validated last, so its path wins)."""
        self._validated = True
        prefix = f"{type(self).__name__}."
        for loc, output in _outputs(self, ()):
            holder = _holder(output)
            if holder is not None:
                holder.path = prefix + render_loc(loc)
        return self

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """pydantic's copy; with ``update`` the copy is not validated (pydantic never validates
        an update), so a component receiving it validates it again (:meth:`checked`)."""
        copy = super().model_copy(update=update, deep=deep)
        if update:
            copy._validated = False
        return copy

    @classmethod
    def checked(cls, spec: Self) -> Self:
        """``spec``, validated again if it was built without validation (``model_construct``,
        ``model_copy(update=...)``); raises :class:`ConfigError` like the constructor."""
        if spec._validated:
            return spec
        token = _DEPTH.set(_DEPTH.get() + 1)
        try:
            return type(spec).model_validate(spec)
        except ValidationError as exc:
            name = type(spec).__name__
            problems = problems_from(exc, f"{name}.", type(spec), python_names=True)
            program.record_refusal(name, problems)
            raise ConfigError(problems, name) from None
        finally:
            _DEPTH.reset(token)

    @classmethod
    def parse(cls, data: Any, prefix: str) -> Self:
        """Validate plain data (config), raising one :class:`ConfigError` with every problem,
        each path starting with ``prefix`` (``ecs-platform:``)."""
        token = _DEPTH.set(_DEPTH.get() + 1)
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise ConfigError(problems_from(exc, prefix, cls)) from None
        finally:
            _DEPTH.reset(token)


_DEPTH: ContextVar[int] = ContextVar("spec_depth", default=0)

SpecT = typing.TypeVar("SpecT", bound=Spec)


def replace_values(spec: SpecT, replace: Callable[[Loc, Any], Any]) -> SpecT:
    """``spec`` with each string or Output value ``v`` at key path ``loc`` (Python field names)
    replaced by ``replace(loc, v)``; the copy counts as validated (only the values that the
    component checks once known are replaced, by themselves guarded)."""
    update: dict[str, Any] = {}
    for name in type(spec).model_fields:
        value = getattr(spec, name)
        new = _replaced(value, (name,), replace)
        if new is not value:
            update[name] = new
    if not update:
        return spec
    copy = BaseModel.model_copy(spec, update=update)
    copy._validated = spec._validated
    return copy


def _replaced(value: Any, loc: Loc, replace: Callable[[Loc, Any], Any]) -> Any:
    if isinstance(value, Spec):
        inner = replace_values(value, lambda sub, v: replace((*loc, *sub), v))
        return inner
    if isinstance(value, (str, pulumi.Output)):
        return replace(loc, value)
    if isinstance(value, Mapping):
        items = {k: _replaced(v, (*loc, str(k)), replace) for k, v in value.items()}
        return items if any(items[k] is not v for k, v in value.items()) else value
    if isinstance(value, tuple):
        seq = tuple(_replaced(v, (*loc, i), replace) for i, v in enumerate(value))
        return seq if any(a is not b for a, b in zip(seq, value, strict=True)) else value
    return value


def name_deferred_checks(spec: Spec, path: Callable[[Loc], str]) -> None:
    """Have each deferred check of an Output ``spec`` holds name its value ``path(loc)`` (``loc`` in
    Python names) instead of ``<Spec>.<Python path>``: a caller whose input names differ (the
    component provider: camelCase inputs) reports its own key paths."""
    for loc, output in _outputs(spec, ()):
        holder = _holder(output)
        if holder is not None:
            holder.path = path(loc)


def _outputs(value: Any, loc: Loc) -> Iterable[tuple[Loc, pulumi.Output[Any]]]:
    """Every Output inside a spec's value, with its key path (Python field names)."""
    if isinstance(value, pulumi.Output):
        yield loc, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _outputs(getattr(value, name), (*loc, name))
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _outputs(item, (*loc, str(key)))
    elif isinstance(value, (tuple, list)):
        for i, item in enumerate(value):
            yield from _outputs(item, (*loc, i))


# --- translating pydantic's errors ----------------------------------------------------------


def _unwrap(annotation: Any) -> list[Any]:
    """The concrete types an annotation may hold (Optional and Annotated peeled off)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _unwrap(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return [t for arg in get_args(annotation) for t in _unwrap(arg)]
    return [annotation]


def _spec_at(root: type[Spec], loc: Sequence[str | int]) -> type[Spec] | None:
    """The spec class a key path points into (for listing its keys)."""
    current: list[Any] = [root]
    for part in loc:
        nxt: list[Any] = []
        for cls in current:
            if isinstance(cls, type) and issubclass(cls, Spec) and isinstance(part, str):
                for name, f in cls.model_fields.items():
                    if part in (name, f.alias):
                        nxt += _unwrap(f.annotation)
            else:
                origin = get_origin(cls)
                args = get_args(cls)
                if origin in (dict, typing.Mapping) or (origin is not None and origin.__name__ == "Mapping"):
                    nxt += _unwrap(args[1])
                elif origin in (tuple, list) and args:
                    nxt += _unwrap(args[0])
        current = nxt
    for cls in current:
        if isinstance(cls, type) and issubclass(cls, Spec):
            return cls
    return None


def _takes_output(annotation: Any) -> bool:
    """Whether a field's type (or the values of its map or list) accepts a ``pulumi.Output``."""
    if get_origin(annotation) is Annotated:
        if any(isinstance(m, InputCheck) for m in get_args(annotation)[1:]):
            return True
        return _takes_output(get_args(annotation)[0])
    args = get_args(annotation)
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        return any(_takes_output(a) for a in args)
    if origin in (dict, typing.Mapping):
        return _takes_output(args[1])
    if origin in (tuple, list) and args:
        return _takes_output(args[0])
    return False


def output_fields(cls: type[Spec]) -> list[str]:
    """The fields of ``cls`` (its own and inherited) that accept a ``pulumi.Output``, by Python name."""
    return [name for name, f in cls.model_fields.items()
            if _takes_output(Annotated[f.annotation, *f.metadata] if f.metadata else f.annotation)]  # fmt: skip


def keys_of(cls: type[Spec]) -> list[str]:
    return sorted(f.alias or n for n, f in cls.model_fields.items())


_MAP = "a map (allowed: a YAML object of key: value)"
_TYPE_WORDS = {
    "list_type": "a list (allowed: a YAML list)", "tuple_type": "a list (allowed: a YAML list)", "dict_type": _MAP,
    "model_type": _MAP, "model_attributes_type": _MAP, "string_type": "a string (allowed: a string)",
    "bool_type": "a boolean (allowed: true, false)", "int_type": "an integer (allowed: an integer)",
}  # fmt: skip


def _python_loc(root: type[Spec], loc: Sequence[str | int]) -> tuple[str | int, ...]:
    """``loc`` with every field spelled by its Python name (``maxPercent`` -> ``max_percent``)."""
    out: list[str | int] = []
    for i, part in enumerate(loc):
        parent = _spec_at(root, loc[:i]) if isinstance(part, str) else None
        field = next((n for n, f in parent.model_fields.items() if part in (n, f.alias)), None) if parent else None
        out.append(field or part)
    return tuple(out)


def python_problems(spec: type[Spec], problems: Iterable[tuple[Loc, str]]) -> list[str]:
    """Rule problems of a spec built in Python: ``<Spec>.<snake_case path>: <message>``."""
    return [f"{spec.__name__}{'.' if loc else ''}{render_loc(_python_loc(spec, loc))}: {msg}" for loc, msg in problems]


def problems_from(exc: ValidationError, prefix: str, root: type[Spec], python_names: bool = False) -> list[str]:
    """One line per pydantic error: ``<prefix><key path>: <value> ... (allowed: ...)``; the key
    path in config spelling (camelCase), or with ``python_names`` in Python's (snake_case)."""
    out: list[str] = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        shown = _python_loc(root, loc) if python_names else loc
        path = prefix + render_loc(shown) if loc else prefix.rstrip(".:")
        kind = err["type"]
        value = err.get("input")
        if kind == "ecs_platform":
            message = str((err.get("ctx") or {}).get("problem", err["msg"]))
        elif isinstance(value, pulumi.Output):
            message = f"{_OUTPUT_TEXT} (allowed: a plain value)"
        elif kind == "extra_forbidden":
            parent = _spec_at(root, loc[:-1])
            keys = f" (allowed: {allowed(keys_of(parent))})" if parent else ""
            message = f"unknown key{keys}"
        elif kind == "missing":
            message = f"missing (allowed: {_what(root, loc)})"
        elif kind == "too_short":
            message = f"{show(value)} is empty (allowed: one or more)"
        elif kind in _TYPE_WORDS:
            message = f"{show(value)} is not {_TYPE_WORDS[kind]}"
        else:
            message = f"{show(value)}: {err['msg']}"
        if value is not None and not isinstance(value, pulumi.Output):
            # A secret's value never reaches a message: `aws:secretKey`, `...environment.DB_PASSWORD`,
            # a value under `secrets`, a config key set with --secret, text that looks like a credential.
            key = f"{prefix}{loc[0]}" if loc and prefix.endswith(":") else ""
            message = hide_secret(message, value, secret_path(key, loc))
        out.append(f"{path}: {message}")
    return out


_ARG_TYPES = {
    "list_type": "a list", "tuple_type": "a list", "dict_type": "a dict", "mapping_type": "a dict",
    "string_type": "a string", "bool_type": "a boolean", "int_type": "an integer", "is_instance_of": "the right type",
}  # fmt: skip


def arg_problems(path: str, value: Any, adapter: TypeAdapter[Any]) -> tuple[Any, list[str]]:
    """A component's plain argument validated by ``adapter`` (built from the model's field types):
    the value and no problems, or one line per problem at ``path`` (``Service.route_priorities[1]``),
    in the words a spec field would use."""
    try:
        return adapter.validate_python(value), []
    except ValidationError as exc:
        out: list[str] = []
        for err in exc.errors(include_url=False):
            where = path + ("" if not err["loc"] else ("" if isinstance(err["loc"][0], int) else ".")
                            + render_loc(err["loc"]))  # fmt: skip
            given = err.get("input")
            if err["type"] == "ecs_platform":
                message = str((err.get("ctx") or {}).get("problem", err["msg"]))
            elif isinstance(given, pulumi.Output):
                message = f"{_OUTPUT_TEXT} (allowed: a plain value)"
            elif err["type"] in _ARG_TYPES:
                message = f"{show(given)} is not {_ARG_TYPES[err['type']]}"
            else:
                message = f"{show(given)}: {err['msg']}"
            out.append(f"{where}: {message}")
        return value, out


def _what(root: type[Spec], loc: Sequence[str | int]) -> str:
    """What a field holds, for a 'missing' message: its rule's name, or its spec's keys."""
    parent = _spec_at(root, loc[:-1])
    field = next((f for n, f in parent.model_fields.items() if loc[-1] in (n, f.alias)), None) if parent else None
    if field is None:
        return "a value"
    for meta in field.metadata:
        if isinstance(meta, Check):
            return meta.name
    nested = _spec_at(root, loc)
    return f"a map of {allowed(keys_of(nested))}" if nested else "a value"


# --- field types ------------------------------------------------------------------------------
#
# A field's rule is metadata on its type: ``Annotated[int, Int(1, 6)]``. The marker
# validates (in place of pydantic's own coercion, so ``"3"``, ``3.0`` and ``True`` are
# not integers) and describes the field in the JSON Schema.

_OUTPUT_TEXT = "is a pulumi.Output, and this field takes a plain value known before the deployment"
#: What a field or argument that takes a plain value says of an Output.
OUTPUT_TEXT = _OUTPUT_TEXT


@dataclass(frozen=True, eq=False)
class Check:
    """A plain field's rule: ``check`` returns the problem with a value, or None."""

    check: Callable[[Any], str | None]
    schema: dict[str, Any]
    name: str

    def validate(self, value: Any, info: core_schema.ValidationInfo) -> Any:
        if isinstance(value, pulumi.Output):
            raise fail(f"{_OUTPUT_TEXT} (allowed: {self.name})")
        problem = self.check(value)
        if problem:
            raise fail(problem)
        return value

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.with_info_plain_validator_function(self.validate)

    def __get_pydantic_json_schema__(self, schema: Any, handler: GetJsonSchemaHandler) -> dict[str, Any]:
        return dict(self.schema)


@dataclass(frozen=True, eq=False)
class InputCheck(Check):
    """A field that also accepts a ``pulumi.Output`` (a value another resource produces).
    A plain value is checked now; an Output is checked by the same rule once its value
    is known, and the deployment fails with the message before any resource that uses
    it is created."""

    def validate(self, value: Any, info: core_schema.ValidationInfo) -> Any:
        if isinstance(value, pulumi.Output):
            return deferred(value, self.check, info.field_name or "value")
        return super().validate(value, info)


class _Deferred:
    """The key path and rule of one deferred check; the path is completed by the specs that
    hold the Output (:meth:`Spec._checked`), so the message names it in full."""

    __slots__ = ("check", "path")

    def __init__(self, path: str, check: Callable[[Any], str | None]) -> None:
        self.path = path
        self.check = check


_DEFERRED_ATTR = "_ecs_platform_deferred"


def _holder(output: pulumi.Output[Any]) -> _Deferred | None:
    """The deferred check guarding ``output``, if any. (Read from the instance's own
    attributes: ``getattr`` on an Output lifts the attribute into a new Output.)"""
    found = vars(output).get(_DEFERRED_ATTR)
    return found if isinstance(found, _Deferred) else None


def deferred(value: pulumi.Output[Any], check: Callable[[Any], str | None], path: str) -> pulumi.Output[Any]:
    """``value``, checked by ``check`` once known: an invalid value fails the deployment
    with a :class:`ConfigError` naming ``path`` (nothing that consumes it is created).
    An Output this rule already guards is returned as it is (a spec validated again does
    not check twice)."""
    holder = _holder(value)
    if holder is not None and holder.check is check:
        return value
    holder = _Deferred(path, check)

    def verify(known: Any) -> Any:
        problem = check(known)
        if problem:
            raise deferred_error([f"{holder.path}: {problem}"])
        return known

    out = value.apply(verify)
    setattr(out, _DEFERRED_ATTR, holder)
    return out


def int_check(lo: int, hi: int) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int):
            return f"{show(value)} is not an integer (allowed: {lo}..{hi})"
        if not lo <= value <= hi:
            return f"{value} is out of range (allowed: {lo}..{hi})"
        return None

    return check


def Int(lo: int, hi: int) -> Check:
    """An integer from ``lo`` to ``hi``; ``True``, ``3.0`` and ``"3"`` are refused."""
    return Check(int_check(lo, hi), {"type": "integer", "minimum": lo, "maximum": hi}, f"{lo}..{hi}")


def Choice(*choices: Any) -> Check:
    """One of ``choices`` exactly (``True`` is not ``1``)."""

    def check(value: Any) -> str | None:
        if isinstance(value, bool) or type(value) is not type(choices[0]) or value not in choices:
            return f"{show(value)} is not allowed (allowed: {allowed(choices)})"
        return None

    kind = "integer" if isinstance(choices[0], int) else "string"
    return Check(check, {"type": kind, "enum": list(choices)}, allowed(choices))


def _bool(value: Any) -> str | None:
    return None if isinstance(value, bool) else f"{show(value)} is not a boolean (allowed: true, false)"


Bool = Annotated[bool, Check(_bool, {"type": "boolean"}, "true, false")]


def Text(what: str = "a non-empty string") -> Check:
    """A non-empty string; the message says it is not ``what``."""

    def check(value: Any) -> str | None:
        return None if isinstance(value, str) and value.strip() else f"{show(value)} is not {what}"

    return Check(check, {"type": "string", "minLength": 1}, what)


def Rule(check: Callable[[Any], str | None], what: str, pattern: str | None = None) -> Check:
    """A string checked by ``check``."""
    schema: dict[str, Any] = {"type": "string", "description": what}
    if pattern:
        schema["pattern"] = pattern
    return Check(check, schema, what)


def InputRule(check: Callable[[Any], str | None], what: str) -> InputCheck:
    """A string (or ``pulumi.Output``) checked by ``check``."""
    return InputCheck(check, {"type": "string", "description": what}, what)
