"""Property: every stack config is either accepted, and then the program it deploys
passes the policy pack, or refused cleanly (one ``ConfigError`` listing each problem
at its key path, no traceback) with nothing registered.

Configs come from the model's own JSON Schema (``ecs_platform.tools.schema.stack_schema``,
the one committed as ``stack-config.schema.json``), three ways:

* generated: every ``ecs-platform:*`` key drawn from the schema;
* valid stack files with some keys redrawn from the schema;
* valid stack files mutated: a value somewhere replaced by another JSON value (a wrong
  type, a number out of range, a string of any kind), a key removed or an unknown key added.

The schema cannot say everything the model checks (Fargate sizes, routes, waivers...),
so many generated configs are refused; the property holds either way. Hypothesis runs
derandomized with a fixed example budget and no example database, so CI sees the same
examples every run.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecs_platform.config import PROJECT, _parse
from ecs_platform.errors import ConfigError
from ecs_platform.tools.mock_cloud import StackRun, run_program, stack_config
from ecs_platform.tools.schema import stack_schema
from tests.test_policy import resource_violations, stack_violations

NS = f"{PROJECT}:"
#: Plain strings the schema cannot describe (images, ARNs, users...) are drawn from these
#: values that some field accepts, or are arbitrary text: a fuzzer's dictionary.
WORDS = (
    "nginx:1.27", "public.ecr.aws/nginx/nginx:1.27", "1000", "1000:1000", "0", "root", "/tmp", "/health",
    "s3:GetObject", "s3:*", "arn:aws:s3:::bucket/*", "arn:aws:s3:::*", "*",
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf",
    "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
    "vpc-0123456789abcdef0", "subnet-0123456789abcdef0", "10.0.0.0/8", "0.0.0.0/0", "corp-logs",
    "api.example.com", "/api/*", "team-a", "postgres://u:pw@db/app", "hunter2", "",
)  # fmt: skip
STACKS = ("dev", "staging", "prod")


def _schema() -> tuple[dict[str, Any], dict[str, Any]]:
    """The ``ecs-platform:*`` keys of the stack-file schema, and its ``$defs``."""
    full = stack_schema()
    keys = {k: v for k, v in full["properties"]["config"]["properties"].items() if k.startswith(NS)}
    return keys, full["$defs"]


KEYS, DEFS = _schema()
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


@cache
def _ref(name: str) -> st.SearchStrategy[Any]:
    return from_schema(DEFS[name])


def _string(schema: Mapping[str, Any]) -> st.SearchStrategy[str]:
    if schema.get("format") == "date":
        return st.dates().map(str)
    if "pattern" in schema:
        return st.from_regex(schema["pattern"], fullmatch=schema["pattern"].endswith("$"))
    return st.sampled_from(WORDS) | st.text(min_size=schema.get("minLength", 0), max_size=12)


def _object(schema: Mapping[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    props = schema.get("properties") or {}
    required = set(schema.get("required") or ())
    fixed = st.fixed_dictionaries(
        {k: from_schema(v) for k, v in props.items() if k in required},
        optional={k: from_schema(v) for k, v in props.items() if k not in required},
    )
    parts: list[st.SearchStrategy[dict[str, Any]]] = [fixed]
    for pattern, sub in (schema.get("patternProperties") or {}).items():
        parts.append(st.dictionaries(st.from_regex(pattern, fullmatch=True), from_schema(sub), max_size=2))
    extra = schema.get("additionalProperties")
    if isinstance(extra, Mapping):
        names = schema.get("propertyNames") or {}
        key = st.sampled_from(names["enum"]) if "enum" in names else (st.sampled_from(["DB_HOST", "team", "X"])
                                                                      | st.text(max_size=8))  # fmt: skip
        parts.append(st.dictionaries(key, from_schema(extra), max_size=2))

    def merge(dicts: list[dict[str, Any]]) -> dict[str, Any]:
        return {k: v for d in reversed(dicts) for k, v in d.items()}

    return st.tuples(*parts).map(lambda ds: merge(list(ds)))


def from_schema(schema: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    """Values of the subset of JSON Schema the model's schema uses."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return st.deferred(lambda: _ref(name))
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    if "anyOf" in schema:
        return st.one_of([from_schema(s) for s in schema["anyOf"]])
    kind = schema.get("type")
    if isinstance(kind, list):
        return st.one_of([from_schema({**schema, "type": k}) for k in kind])
    makers: dict[str, Callable[[], st.SearchStrategy[Any]]] = {
        "null": st.none,
        "boolean": st.booleans,
        "integer": lambda: st.integers(schema.get("minimum", -(2**31)), schema.get("maximum", 2**31)),
        "number": lambda: st.integers(-(2**31), 2**31) | st.floats(allow_nan=False, allow_infinity=False),
        "string": lambda: _string(schema),
        "array": lambda: st.lists(from_schema(schema.get("items") or {}), max_size=3),
        "object": lambda: _object(schema),
    }
    return makers[kind]() if isinstance(kind, str) else JSON_VALUES


def _stack_values(stack: str) -> dict[str, Any]:
    """A stack file's ``ecs-platform:*`` values (Pulumi.yaml defaults applied), parsed."""
    return {k: _parse(v) for k, v in stack_config(stack).items() if k.startswith(NS)}


@st.composite
def mutated(draw: st.DrawFn, config: dict[str, Any]) -> dict[str, Any]:
    """``config`` with one change deep inside: a value replaced, a key removed or added."""
    out: dict[str, Any] = json.loads(json.dumps(config))
    node: Any = out
    while True:
        keys = list(node) if isinstance(node, dict) else list(range(len(node))) if isinstance(node, list) else []
        if not keys:
            break
        key = draw(st.sampled_from(keys))
        child = node[key]
        if not isinstance(child, (dict, list)) or not child or draw(st.booleans()):
            action = draw(st.sampled_from(["replace", "remove", "add"]))
            if action == "replace":
                node[key] = draw(JSON_VALUES | from_schema({"type": "string"}))
            elif action == "remove" and isinstance(node, dict):
                del node[key]
            elif isinstance(node, dict):
                node[draw(st.text(min_size=1, max_size=8))] = draw(JSON_VALUES)
            break
        node = child
    return out


@st.composite
def configs(draw: st.DrawFn, stack: str) -> tuple[str, dict[str, Any]]:
    """(``stack``, ``ecs-platform:*`` values): generated, redrawn from the stack file, or mutated."""
    base = _stack_values(stack)
    how = draw(st.sampled_from(["generated", "redrawn", "redrawn", "mutated"]))
    if how == "generated":
        chosen = draw(st.sets(st.sampled_from(sorted(KEYS)), max_size=len(KEYS)))
        return stack, {k: draw(from_schema(KEYS[k])) for k in sorted(chosen)}
    if how == "redrawn":
        for key in sorted(draw(st.sets(st.sampled_from(sorted(KEYS)), min_size=1, max_size=2))):
            base[key] = draw(from_schema(KEYS[key]))
        return stack, base
    return stack, draw(mutated(base))


def _run(stack: str, values: Mapping[str, Any]) -> StackRun:
    # As the engine hands config to the program: strings as they are, the rest as JSON text.
    config = {"aws:region": "us-east-1", **{k: v if isinstance(v, str) else json.dumps(v) for k, v in values.items()}}
    return run_program(stack, config=config)


def check(stack: str, values: Mapping[str, Any]) -> str:
    """The property for one config; returns "accepted" or "refused"."""
    run = _run(stack, values)
    if run.error is None:
        assert resource_violations(run) == [], values
        assert stack_violations(run) == [], values
        return "accepted"
    assert isinstance(run.error, ConfigError), f"{type(run.error).__name__}: {run.error}\n{values}"
    assert run.resources == [], values
    assert run.error.problems, values
    for problem in run.error.problems:
        path, sep, message = problem.partition(": ")
        assert sep and message and path.startswith((NS, "aws:region")), problem
    return "refused"


#: Examples per stack file (each stack its own test, so parallel workers share them): an
#: accepted config runs the whole program.
EXAMPLES = 10


@pytest.mark.parametrize("stack", STACKS)
def test_every_config_is_accepted_and_passes_the_pack_or_refused_cleanly(stack: str) -> None:
    seen: Counter[str] = Counter()

    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])  # fmt: skip
    @given(configs(stack))
    def holds(case: tuple[str, dict[str, Any]]) -> None:
        seen[check(*case)] += 1

    holds()
    # Both sides of the property were exercised (a generator that only ever produced
    # refused configs would prove little).
    assert seen["accepted"] >= 2 and seen["refused"] >= 2, seen
