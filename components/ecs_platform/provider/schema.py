"""The Pulumi package schema the provider serves, generated from the model.

Each served component (:data:`~ecs_platform.provider.served.SERVED`) is a resource with
``isComponent``; its input properties are its spec's fields (alias, type, docstring, read
from the pydantic model) and its wiring arguments (type from its ``__init__`` signature);
every spec and wiring reference it reaches is a type ``ecs-platform:index:<Class>``.

A field that refuses a ``pulumi.Output`` in the model is ``plain`` in the schema, so the
generated SDKs take a plain value there (a TypeScript program cannot pass an Output where the
model would refuse one); a field that accepts one is an ``Input``. No ``default`` is declared:
the model applies its own defaults (some depend on other fields or on the cluster), and each
description states the default instead.

``python -m ecs_platform.tools.schema --package`` writes it to ``provider/schema.json``; a test
keeps the file equal to :func:`package_schema`.
"""

from __future__ import annotations

import importlib.metadata
import inspect
import json
import re
from typing import Any

from ecs_platform.provider.served import SERVED, Served
from ecs_platform.provider.shape import Shape, camel, dataclass_fields, field_shape, markdown, parameter_shapes
from ecs_platform.specs.base import Spec

PACKAGE = "ecs-platform"
DISTRIBUTION = "ecs-platform"
#: Where the schema is committed, next to the plugin manifest (``PulumiPlugin.yaml``).
SCHEMA_FILE = "provider/schema.json"


def version() -> str:
    """The package's version (pyproject.toml's, as installed): the provider's and the schema's."""
    return importlib.metadata.version(DISTRIBUTION)


def type_token(cls: type) -> str:
    return f"{PACKAGE}:index:{cls.__name__}"


def describe(doc: str | None) -> str:
    """A docstring as Markdown, Sphinx roles (``:class:`~a.b.C```) reduced to the name."""
    text = markdown(inspect.cleandoc(doc or ""))
    return re.sub(r":(?:class|func|meth|mod|data|attr):`~?(?:[\w.]+\.)?([\w]+)`", r"`\1`", text)


class _Builder:
    """Collects the types the components reach while their properties are written."""

    def __init__(self) -> None:
        self.types: dict[str, dict[str, Any]] = {}

    def prop(self, shape: Shape, description: str | None = None) -> dict[str, Any]:
        """A property (or an array's items, a map's values) of ``shape``: plain unless it takes an Output."""
        out: dict[str, Any]
        if shape.kind in ("string", "integer", "number", "boolean"):
            out = {"type": shape.kind}
        elif shape.kind == "array":
            assert shape.of is not None
            out = {"type": "array", "items": self.prop(shape.of)}
        elif shape.kind == "map":
            assert shape.of is not None
            out = {"type": "object", "additionalProperties": self.prop(shape.of)}
        elif shape.kind == "object":
            assert shape.cls is not None
            self.add_type(shape.cls)
            out = {"$ref": f"#/types/{type_token(shape.cls)}"}
        else:
            raise TypeError(f"no package schema property for a {shape.kind}")
        if not shape.takes_output:
            out["plain"] = True
        if description is not None:
            out["description"] = description
        return out

    def add_type(self, cls: type) -> None:
        token = type_token(cls)
        if token in self.types:
            if self.types[token].get("x-class") not in (None, f"{cls.__module__}.{cls.__qualname__}"):
                raise TypeError(f"two types named {cls.__name__}")
            return
        self.types[token] = {"x-class": f"{cls.__module__}.{cls.__qualname__}"}  # reserved while being built
        properties, required = self.properties_of(cls)
        self.types[token] = {"type": "object", "description": describe(cls.__doc__), "properties": properties,
                             **({"required": required} if required else {})}  # fmt: skip

    def properties_of(self, cls: type) -> tuple[dict[str, Any], list[str]]:
        """The properties of a spec (its fields, by alias) or of a wiring dataclass (camelCase)."""
        properties: dict[str, Any] = {}
        required: list[str] = []
        if isinstance(cls, type) and issubclass(cls, Spec):
            for name, info in cls.model_fields.items():
                key = info.alias or name
                properties[key] = self.prop(field_shape(cls, name), describe(info.description))
                if info.is_required():
                    required.append(key)
        else:
            for name, (shape, has_default, doc) in dataclass_fields(cls).items():
                properties[camel(name)] = self.prop(shape, describe(doc))
                if not has_default:
                    required.append(camel(name))
        return properties, required


def inputs_of(served: Served, builder: _Builder | None = None) -> tuple[dict[str, Any], list[str]]:
    """A served component's input properties (its spec's fields, then its wiring) and required inputs."""
    builder = builder or _Builder()
    properties, required = builder.properties_of(served.spec)
    shapes = parameter_shapes(served.cls.__init__)
    for arg, description in served.wiring.items():
        shape, has_default = shapes[arg]
        key = served.input_name(arg)
        if key in properties:
            raise TypeError(f"{served.cls.__name__}: the argument {arg} and the spec field {key} share a name")
        properties[key] = builder.prop(shape, description)
        if not has_default:
            required.append(key)
    for arg, options in served.alternatives.items():
        for key, (cls, description) in options.items():
            if key in properties:
                raise TypeError(f"{served.cls.__name__}: the input {key} for {arg} is taken")
            properties[key] = builder.prop(Shape("object", cls=cls, optional=True), description)
    return properties, required


def _outputs(served: Served) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for o in served.outputs:
        spec: dict[str, Any] = {"type": "object", "additionalProperties": {"type": "string"}} if o.type == "map" \
            else {"type": "array", "items": {"type": "string"}} if o.type == "array" else {"type": o.type}  # fmt: skip
        spec["description"] = o.description
        if o.secret:
            spec["secret"] = True
        out[o.name] = spec
    return out


def package_schema() -> dict[str, Any]:
    """The package schema: one component resource per served component, the types they reach."""
    builder = _Builder()
    resources: dict[str, Any] = {}
    for served in SERVED:
        properties, required = inputs_of(served, builder)
        resources[served.token] = {
            "isComponent": True,
            # The docstring's first paragraph: the rest speaks of the Python attributes.
            "description": describe(inspect.cleandoc(served.cls.__doc__ or "").split("\n\n")[0]),
            "inputProperties": properties,
            **({"requiredInputs": required} if required else {}),
            "properties": _outputs(served),
        }
    return {
        "name": PACKAGE,
        "displayName": "ecs-platform",
        "version": version(),
        "description": "Amazon ECS as reusable components: network, cluster, services, jobs, load balancer.",
        "keywords": ["pulumi", "aws", "ecs", "kind/component", "category/cloud"],
        "language": {lang: {"respectSchemaVersion": True} for lang in ("nodejs", "python", "csharp", "go")},
        "resources": resources,
        "types": {token: builder.types[token] for token in sorted(builder.types)},
    }


def schema_text() -> str:
    return json.dumps(package_schema(), indent=2, sort_keys=True) + "\n"
