"""The stack-config JSON Schema and the docs' config reference, both generated
from the model (:class:`~ecs_platform.specs.PlatformSpec`), so neither can drift.

    venv/bin/python -m ecs_platform.tools.schema              # rewrite stack-config.schema.json
    venv/bin/python -m ecs_platform.tools.schema --docs       # rewrite docs/reference/config.md
    venv/bin/python -m ecs_platform.tools.schema --reference  # print the config reference
    venv/bin/python -m ecs_platform.tools.schema --package    # rewrite provider/schema.json

Stack files point editors at the schema with a first-line comment
(``# yaml-language-server: $schema=./stack-config.schema.json``). ``--package`` writes the
Pulumi package schema the component provider serves to other languages
(:mod:`ecs_platform.provider.schema`). Tests fail when the committed schemas or the docs'
reference page are stale.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import typing
from pathlib import Path
from typing import Any

from pydantic.fields import FieldInfo

from ecs_platform.config import PROJECT
from ecs_platform.provider.schema import SCHEMA_FILE as PACKAGE_SCHEMA_FILE
from ecs_platform.provider.schema import schema_text as package_schema_text
from ecs_platform.specs import PlatformSpec
from ecs_platform.specs.base import Spec, _unwrap
from ecs_platform.specs.provider import AwsProviderSpec

SCHEMA_FILE = "stack-config.schema.json"
#: Namespaces of other packages (``aws:region``, ``pulumi:...``) are theirs to check.
OTHER_NAMESPACE = rf"^(?!{PROJECT}:)[A-Za-z0-9_.-]+:"


def stack_schema() -> dict[str, Any]:
    """JSON Schema of a ``Pulumi.<stack>.yaml`` file: ``config`` keys are ``ecs-platform:<field>``
    of :class:`PlatformSpec`, plus any other package's namespace."""
    model = PlatformSpec.model_json_schema(by_alias=True, mode="validation")
    defs = model.pop("$defs", {})
    config = {
        "type": "object",
        "properties": {
            "aws:region": {"type": "string", "description": "The AWS region to deploy to. Required."},
            **{f"{PROJECT}:{key}": value for key, value in model["properties"].items()},
        },
        "patternProperties": {OTHER_NAMESPACE: {}},
        "additionalProperties": False,
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"{PROJECT} stack file (Pulumi.<stack>.yaml)",
        "type": "object",
        "properties": {"config": config},
        "$defs": defs,
    }


def schema_text() -> str:
    return json.dumps(stack_schema(), indent=2, sort_keys=True) + "\n"


# --- the docs' config reference ---------------------------------------------------------------

def _markdown(doc: str) -> str:
    return re.sub(r"``([^`]+)``", r"`\1`", " ".join(doc.split()))


def _type_name(annotation: Any) -> str:
    names = []
    for t in _unwrap(annotation):
        if t is type(None):
            continue
        origin = typing.get_origin(t)
        if origin in (tuple, list):
            names.append("list")
        elif origin is dict or (isinstance(t, type) and issubclass(t, Spec)):
            names.append("map")
        elif t is bool:
            names.append("boolean")
        elif t is int:
            names.append("integer")
        else:
            names.append("string")
    return " or ".join(dict.fromkeys(names)) or "string"


def _rows(cls: type[Spec], prefix: str, skip: tuple[str, ...] = ()) -> list[str]:
    rows = []
    for name, field in cls.model_fields.items():
        key = field.alias or name
        if key in skip:
            continue
        rows.append(f"| `{prefix}{key}` | {_type_name(field.annotation)} | {_markdown(field.description or '')} |")
    return rows


def _nested(field: FieldInfo) -> type[Spec] | None:
    for t in _unwrap(field.annotation):
        if isinstance(t, type) and issubclass(t, Spec):
            return t
        if typing.get_origin(t) in (dict, tuple):
            for arg in typing.get_args(t)[-1:] if typing.get_origin(t) is dict else typing.get_args(t)[:1]:
                for inner in _unwrap(arg):
                    if isinstance(inner, type) and issubclass(inner, Spec):
                        return inner
    return None


def _title(cls: type[Spec]) -> str:
    """A spec's first sentence (``e.g.`` and ``i.e.`` do not end one)."""
    doc = _markdown(cls.__doc__ or cls.__name__)
    return re.split(r"(?<!e\.g)(?<!i\.e)\.(?: |$)", doc, maxsplit=1)[0]


def reference() -> str:
    """The config reference: the stack keys, then one section per nested spec (in the order
    a reader meets them), each a markdown table of its keys, types, meaning and default."""
    header = ["| key | type | meaning (and default) |", "|---|---|---|"]
    out: list[str] = ["## Stack keys", "", "`ecs-platform:<key>` in a stack file, a field of `PlatformSpec`.", "",
                      *header, "| `aws:region` | string | The AWS region to deploy to. Required. |",
                      *_rows(PlatformSpec, "")]  # fmt: skip
    seen: set[type[Spec]] = set()
    queue: list[tuple[type[Spec], str]] = []
    for name, field in PlatformSpec.model_fields.items():
        nested = _nested(field)
        if nested is not None:
            sep = ".<name>." if typing.get_origin(_unwrap(field.annotation)[0]) is dict else "."
            queue.append((nested, f"{field.alias or name}{sep}"))
    while queue:
        cls, prefix = queue.pop(0)
        if cls in seen:
            continue
        seen.add(cls)
        out += ["", f"## `{prefix.rstrip('.')}`", "", f"{_markdown(cls.__doc__ or cls.__name__)} (`{cls.__name__}`)",
                "", *header, *_rows(cls, prefix)]  # fmt: skip
        for name, field in cls.model_fields.items():
            nested = _nested(field)
            if nested is not None and nested not in seen:
                ann = _unwrap(field.annotation)[0]
                origin = typing.get_origin(ann)
                sep = ".<name>." if origin is dict else "[]." if origin is tuple else "."
                queue.append((nested, f"{prefix}{field.alias or name}{sep}"))
    out += ["", "## AWS provider settings", "", "`aws:<key>` in a stack file: pulumi-aws's own settings, every one "
            "its provider takes, which the platform hands to the stack's provider (an explicit provider reads no "
            "stack config by itself) and, the credentials, to every pre-deploy run (`AwsProviderSpec`). Another "
            "`aws:` key is refused; so are those a pre-deploy run cannot reproduce when the stack has a `runBefore` "
            "job.", "", *header, *_rows(AwsProviderSpec, "aws:")]  # fmt: skip
    for name, field in AwsProviderSpec.model_fields.items():
        nested = _nested(field)
        if nested is not None:
            many = typing.get_origin(_unwrap(field.annotation)[0]) is tuple
            prefix = f"aws:{field.alias or name}{'[]' if many else ''}"
            out += ["", f"## `{prefix}`", "", f"{_markdown(nested.__doc__ or '')} (`{nested.__name__}`)", "",
                    *header, *_rows(nested, f"{prefix}.")]  # fmt: skip
    return "\n".join(out) + "\n"


#: The docs page the reference is generated into, between these two markers.
DOCS_PAGE = "docs/reference/config.md"
DOCS_START = "<!-- config-reference: generated by `python -m ecs_platform.tools.schema --docs` -->"
DOCS_END = "<!-- end of config-reference -->"


def replace_between(text: str, start: str, end: str, generated: str) -> str:
    """``text`` with what lies between the markers ``start`` and ``end`` replaced by ``generated``."""
    head, _, rest = text.partition(start)
    _, found, tail = rest.partition(end)
    if not found:
        raise ValueError(f"markers {start!r} ... {end!r} not found")
    return f"{head}{start}\n{generated.strip(chr(10))}\n{end}{tail}"


def between(text: str, start: str, end: str) -> str:
    """What lies between the markers ``start`` and ``end`` of ``text`` (stripped of newlines)."""
    i, j = text.index(start), text.index(end)
    return text[i + len(start) : j].strip("\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ecs_platform.tools.schema", description=__doc__.splitlines()[0])
    parser.add_argument("--docs", action="store_true", help=f"rewrite the config reference in {DOCS_PAGE} instead")
    parser.add_argument("--reference", action="store_true", help="print the config reference instead")
    parser.add_argument("--package", action="store_true",
                        help=f"rewrite the component provider's package schema {PACKAGE_SCHEMA_FILE} instead")
    parser.add_argument("--out", default=SCHEMA_FILE, help=f"where to write the schema (default {SCHEMA_FILE})")
    args = parser.parse_args(argv)
    if args.reference:
        sys.stdout.write(reference())
    elif args.package:
        Path(PACKAGE_SCHEMA_FILE).write_text(package_schema_text())
    elif args.docs:
        page = Path(DOCS_PAGE)
        page.write_text(replace_between(page.read_text(), DOCS_START, DOCS_END, reference()))
    else:
        Path(args.out).write_text(schema_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
