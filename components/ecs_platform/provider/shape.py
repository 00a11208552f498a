"""The shape of a model type as the Pulumi package schema sees it, read from the type itself.

Three kinds of types reach the provider's inputs, and each is read where it is declared:

* a spec field (:class:`~ecs_platform.specs.Spec`): its pydantic annotation and metadata; a
  field accepts a ``pulumi.Output`` where the model says so (an ``InputCheck``, or a union
  with ``pulumi.Output``), else it is *plain*;
* a component's wiring argument: the annotation of its ``__init__`` parameter, where
  ``pulumi.Input[T]`` accepts an Output;
* a wiring reference (:class:`~ecs_platform.cluster.ClusterRef`, ...): a dataclass, its fields'
  annotations and attribute docstrings.

The annotations are strings in the source (``from __future__ import annotations``); they are
evaluated in their module with ``pulumi.Input[T]`` read as "T, or an Output of it" (Python's
own evaluation of ``pulumi.Input`` needs names the SDK does not export).
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import inspect
import itertools
import re
import sys
import textwrap
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Annotated, Any, Union, get_args, get_origin

import pulumi

from ecs_platform.specs.base import InputCheck, Spec

#: Marks "this value may be an Output" on an evaluated ``pulumi.Input[T]``.
INPUT = "pulumi.Input"


class _InputOf:
    """``pulumi.Input`` as the annotations are evaluated here: ``Input[T]`` -> ``Annotated[T, INPUT]``."""

    def __class_getitem__(cls, item: Any) -> Any:
        return Annotated[item, INPUT]


class _PulumiNames:
    """The ``pulumi`` name in an annotation: the SDK, except ``Input``."""

    Input = _InputOf

    def __getattr__(self, name: str) -> Any:
        return getattr(pulumi, name)


@dataclass(frozen=True)
class Shape:
    """One value's type: ``kind`` is a schema type (``string``, ``integer``, ``number``,
    ``boolean``, ``array``, ``map``), ``object`` (a spec or a wiring dataclass, ``cls``) or
    ``resource`` (a Pulumi resource, which no other language can hand over)."""

    kind: str
    of: Shape | None = None
    """The items of an array, the values of a map."""
    cls: type | None = None
    optional: bool = False
    takes_output: bool = False
    """Accepts a ``pulumi.Output`` (another resource's output); otherwise a plain value."""
    int_keys: bool = False
    """A map whose keys are integers in Python (ports): strings on the wire."""
    options: tuple[Shape, ...] = ()
    """The alternatives of a ``union`` (``LoadBalancerRef | NetworkLoadBalancerRef``): the schema
    has no union, so the provider serves each as an input of its own
    (:attr:`~ecs_platform.provider.served.Served.alternatives`)."""


_SCALARS = {str: "string", bool: "boolean", int: "integer", float: "number"}


def shape_of(annotation: Any) -> Shape:
    """The shape of an evaluated annotation (a union of several types is a ``union``, which the schema
    cannot express as one input); ``TypeError`` for one it cannot express at all."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        inner = shape_of(args[0])
        if any(isinstance(m, InputCheck) or m == INPUT for m in args[1:]):
            inner = replace(inner, takes_output=True)
        return inner
    if origin in (Union, types.UnionType):
        alternatives = [a for a in args if a is not type(None)]
        outputs = [a for a in alternatives if a is pulumi.Output or get_origin(a) is pulumi.Output]
        resources = [a for a in alternatives if isinstance(a, type) and issubclass(a, pulumi.Resource)]
        rest = [a for a in alternatives if a not in outputs and a not in resources]
        optional = len(alternatives) < len(args)
        if not rest:
            return Shape("resource", optional=optional)
        if len(rest) > 1:
            return Shape("union", optional=optional, options=tuple(shape_of(a) for a in rest))
        found = shape_of(rest[0])
        return replace(found, optional=optional or found.optional, takes_output=found.takes_output or bool(outputs))
    if annotation in _SCALARS:
        return Shape(_SCALARS[annotation])
    if origin in (tuple, list, Sequence, typing.Sequence):
        return Shape("array", of=shape_of(args[0]))
    if origin in (dict, Mapping, typing.Mapping):
        key = shape_of(args[0])
        if key.kind not in ("string", "integer"):
            raise TypeError(f"map keys must be strings or integers: {annotation}")
        return Shape("map", of=shape_of(args[1]), int_keys=key.kind == "integer")
    if isinstance(annotation, type) and (issubclass(annotation, Spec) or dataclasses.is_dataclass(annotation)):
        return Shape("object", cls=annotation)
    if isinstance(annotation, type) and issubclass(annotation, pulumi.Resource):
        return Shape("resource")
    raise TypeError(f"no package schema type for {annotation!r}")


def evaluate(annotation: Any, module: str) -> Any:
    """An annotation as written in ``module`` (a string under postponed evaluation), evaluated."""
    if not isinstance(annotation, str):
        return annotation
    namespace = dict(vars(sys.modules[module]))
    namespace["pulumi"] = _PulumiNames()
    return eval(annotation, namespace)  # our own modules' annotations, as typing.get_type_hints does


def field_shape(cls: type[Spec], name: str) -> Shape:
    """The shape of a spec field (its annotation with the rule metadata pydantic keeps apart)."""
    info = cls.model_fields[name]
    annotation = Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation
    return shape_of(annotation)


def parameter_shapes(function: Any) -> dict[str, tuple[Shape, bool]]:
    """Each keyword parameter of ``function`` but ``opts`` (Pulumi's resource options, which every
    language gives its own way): its shape and whether it has a default."""
    out: dict[str, tuple[Shape, bool]] = {}
    for name, param in inspect.signature(function).parameters.items():
        if param.kind is not inspect.Parameter.KEYWORD_ONLY or name == "opts":
            continue
        shape = shape_of(evaluate(param.annotation, function.__module__))
        out[name] = (shape, param.default is not inspect.Parameter.empty)
    return out


def dataclass_fields(cls: type) -> dict[str, tuple[Shape, bool, str]]:
    """Each public init field of a wiring dataclass: its shape, whether it has a default, its
    attribute docstring. Fields holding a Pulumi resource are left out (no other language can
    hand one to the provider)."""
    docs = attribute_docs(cls)
    out: dict[str, tuple[Shape, bool, str]] = {}
    for f in dataclasses.fields(cls):
        if not f.init or f.name.startswith("_"):
            continue
        shape = shape_of(evaluate(f.type, cls.__module__))
        if shape.kind == "resource":
            continue
        has_default = f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
        out[f.name] = (shape, has_default, docs.get(f.name, ""))
    return out


@functools.cache
def attribute_docs(cls: type) -> dict[str, str]:
    """The docstrings written under a class's attributes (``x: int`` then ``\"\"\"...\"\"\"``),
    read from its source, as pydantic's ``use_attribute_docstrings`` reads a spec's."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    body = next(node for node in tree.body if isinstance(node, ast.ClassDef)).body
    out: dict[str, str] = {}
    for node, after in itertools.pairwise(body):
        if (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant) and isinstance(after.value.value, str)):  # fmt: skip
            out[node.target.id] = inspect.cleandoc(after.value.value)
    return out


def camel(name: str) -> str:
    """``exec_log_group_arn`` -> ``execLogGroupArn`` (the specs' alias generator, pydantic's ``to_camel``)."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def markdown(doc: str) -> str:
    """A docstring as one Markdown paragraph (reST ````x```` -> ```x```)."""
    return re.sub(r"``([^`]+)``", r"`\1`", " ".join(doc.split()))
