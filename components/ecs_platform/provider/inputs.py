"""A ``Construct`` request's inputs turned into what the Python component takes, and the
component's problems reported at the input paths of the request.

* Numbers: the engine sends every number as a float (a protobuf ``Struct``); a whole number
  is turned back into an ``int``, as YAML or JSON would give it (``8080.0`` -> ``8080``), and
  anything else is left for the model to refuse (``8080.5`` is not a port).
* The spec: the inputs named like its fields, validated by the spec class itself
  (:meth:`~ecs_platform.specs.Spec.parse`), so the rules and messages are the model's.
* The wiring: each input converted by the shape of its ``__init__`` parameter (a wiring
  dataclass from its camelCase keys, a nested spec by its class); the component's boundary
  then checks the values as it checks a Python caller's.
* Problems: the model and the boundary name a Python caller's key paths
  (``ServiceSpec.health_check.command``, ``Service.vpc_id``); :func:`input_path` spells them
  as the request did (``healthCheck.command``, ``vpcId``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pulumi

from ecs_platform.errors import ConfigError, allowed, show
from ecs_platform.provider.served import Served
from ecs_platform.provider.shape import Shape, camel, dataclass_fields, field_shape, parameter_shapes
from ecs_platform.specs.base import OUTPUT_TEXT, Loc, Spec, render_loc


def whole_numbers(value: Any) -> Any:
    """``value`` with every whole float turned into an int, through maps and lists (Outputs as they are)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: whole_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [whole_numbers(v) for v in value]
    return value


def _what(shape: Shape) -> str:
    """A shape in words, for a message."""
    if shape.kind == "object" and shape.cls is not None:
        return f"an object of {shape.cls.__name__}'s keys"
    if shape.kind in ("array", "map") and shape.of is not None:
        return f"a {'list' if shape.kind == 'array' else 'map'} of {_what(shape.of)}"
    return {"string": "a string", "integer": "an integer", "number": "a number", "boolean": "true or false"}.get(
        shape.kind, shape.kind)  # fmt: skip


def convert(value: Any, shape: Shape, path: str) -> tuple[Any, list[str]]:
    """A wiring input as the component's argument of ``shape``, and the problems found on the way."""
    if isinstance(value, pulumi.Output):
        if shape.takes_output or shape.kind != "object":
            return value, []  # a plain argument's boundary refuses an Output in its own words
        return value, [f"{path}: {OUTPUT_TEXT} (allowed: a plain value)"]
    if shape.kind == "object" and shape.cls is not None and issubclass(shape.cls, Spec):
        try:
            return shape.cls.parse(value, f"{path}."), []
        except ConfigError as exc:
            return None, list(exc.problems)
    if shape.kind == "object" and shape.cls is not None:
        return _dataclass(value, shape.cls, path)
    if shape.kind == "array" and shape.of is not None and isinstance(value, list):
        items, problems = [], []
        for i, item in enumerate(value):
            converted, found = convert(item, shape.of, f"{path}[{i}]")
            items.append(converted)
            problems += found
        return items, problems
    if shape.kind == "map" and shape.of is not None and isinstance(value, dict):
        out: dict[Any, Any] = {}
        problems = []
        for key, item in value.items():
            converted, found = convert(item, shape.of, f"{path}.{key}")
            problems += found
            if shape.int_keys:
                if not re.fullmatch(r"[0-9]{1,5}", key):
                    problems.append(f"{path}.{key}: {show(key)} is not a port (allowed: an integer key)")
                    continue
                key = int(key)
            out[key] = converted
        return out, problems
    return value, []  # scalars, and lists or maps of the wrong kind: the component's boundary words them


def _dataclass(value: Any, cls: type, path: str) -> tuple[Any, list[str]]:
    fields = dataclass_fields(cls)
    keys = {camel(name): name for name in fields}
    if not isinstance(value, dict):
        return None, [f"{path}: {show(value)} is not an object (allowed: an object of {allowed(sorted(keys))})"]
    problems = [f"{path}.{key}: unknown key (allowed: {allowed(sorted(keys))})" for key in value if key not in keys]
    kwargs: dict[str, Any] = {}
    for key, name in keys.items():
        shape, has_default, _ = fields[name]
        if value.get(key) is None:
            if not has_default:
                problems.append(f"{path}.{key}: missing (allowed: {_what(shape)})")
            continue
        kwargs[name], found = convert(value[key], shape, f"{path}.{key}")
        problems += found
    if problems:
        return None, problems
    return cls(**kwargs), []


def split(served: Served, inputs: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any], dict[str, str], list[str]]:
    """The spec's inputs, the component's keyword arguments, the input each argument with
    alternatives came from (``load_balancer`` -> ``networkLoadBalancer``), and the problems with
    the rest."""
    fields = {info.alias or name for name, info in served.spec.model_fields.items()}
    wiring = {served.input_name(arg): arg for arg in served.wiring}
    chosen_from = {key for options in served.alternatives.values() for key in options}
    shapes = parameter_shapes(served.cls.__init__)
    known = fields | set(wiring) | chosen_from
    problems = [f"{key}: unknown input (allowed: {allowed(sorted(known))})" for key in inputs if key not in known]
    kwargs: dict[str, Any] = {}
    for key, arg in wiring.items():
        shape, has_default = shapes[arg]
        if inputs.get(key) is None:
            if not has_default:
                problems.append(f"{key}: missing (allowed: {_what(shape)})")
            continue
        kwargs[arg], found = convert(inputs[key], shape, key)
        problems += found
    chosen: dict[str, str] = {}
    for arg, options in served.alternatives.items():
        given = [key for key in options if inputs.get(key) is not None]
        if len(given) > 1:
            problems.append(f"{given[1]}: given with {given[0]} (allowed: one of {allowed(list(options))})")
        elif given:
            chosen[arg] = key = given[0]
            kwargs[arg], found = convert(inputs[key], Shape("object", cls=options[key][0]), key)
            problems += found
    return {k: v for k, v in inputs.items() if k in fields}, kwargs, chosen, problems


# --- problems at the request's input paths ------------------------------------------------------

_SEGMENT = re.compile(r"\[(\d+)\]|\.?([^.\[]+)")


def _segments(path: str) -> list[str | int]:
    return [int(index) if index else name for index, name in _SEGMENT.findall(path)]


def _respell(shape: Shape | None, parts: list[str | int]) -> list[str | int]:
    """A path below a value of ``shape``, its field names (Python) spelled as the inputs spell them."""
    out: list[str | int] = []
    for part in parts:
        if shape is None or isinstance(part, int):
            out.append(part)
            shape = shape.of if shape is not None and shape.kind == "array" else None
            continue
        if shape.kind == "object" and shape.cls is not None and issubclass(shape.cls, Spec):
            info = shape.cls.model_fields.get(part)
            out.append((info.alias or part) if info is not None else part)
            shape = field_shape(shape.cls, part) if info is not None else None
        elif shape.kind == "object" and shape.cls is not None:
            fields = dataclass_fields(shape.cls)
            out.append(camel(part) if part in fields else part)
            shape = fields[part][0] if part in fields else None
        else:  # a map key, as given
            out.append(part)
            shape = shape.of if shape.kind == "map" else None
    return out


def input_path(served: Served, path: str, chosen: Mapping[str, str] | None = None) -> str:
    """A problem's key path as a Python caller reads it (``Service.vpc_id``, ``ServiceSpec.port``),
    spelled as the request's inputs (``vpcId``, ``port``); a path that names neither the component
    nor its spec is returned as it is. ``chosen``: the input an argument with alternatives came from."""
    head, _, rest = path.partition(".")
    if "[" in head:
        head, rest = head[: head.index("[")], head[head.index("[") :] + ("." + rest if rest else "")
    parts = _segments(rest)
    spec = Shape("object", cls=served.spec)
    if head == served.spec.__name__:
        return render_loc(_respell(spec, parts)) or path
    if head != served.cls.__name__ or not parts or not isinstance(parts[0], str):
        return path
    arg, below = parts[0], parts[1:]
    if arg == "spec":
        return render_loc(_respell(spec, below)) or path
    if arg in served.wiring:
        shape = parameter_shapes(served.cls.__init__)[arg][0]
        return render_loc([served.input_name(arg), *_respell(shape, below)])
    if arg in served.alternatives:
        options = served.alternatives[arg]
        key = (chosen or {}).get(arg) or next(iter(options))
        return render_loc([key, *_respell(Shape("object", cls=options[key][0]), below)])
    return render_loc(parts)


def respelled(served: Served, problems: list[str], chosen: Mapping[str, str] | None = None) -> list[str]:
    """Each ``<path>: <message>`` problem with its path as the request's inputs spell it."""
    out = []
    for problem in problems:
        path, sep, message = problem.partition(": ")
        out.append(f"{input_path(served, path, chosen)}{sep}{message}" if sep else problem)
    return out


def spec_path(spec: type[Spec]) -> Any:
    """The key path of a spec's value at ``loc`` (Python names), as the request's inputs spell it."""

    def path(loc: Loc) -> str:
        return render_loc(_respell(Shape("object", cls=spec), list(loc)))

    return path
