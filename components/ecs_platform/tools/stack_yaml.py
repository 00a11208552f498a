"""Strict YAML for stack files and ``--config`` overrides: plain data or a clean refusal.

PyYAML's ``safe_load`` is too lenient for config and fails with tracebacks:

* a key written twice keeps only the last value (a whole service can vanish);
* ``2026-12-05`` becomes a ``datetime.date`` and ``!!binary`` becomes ``bytes``,
  neither of which the config map (JSON text) can carry;
* ``!!python/name:...`` and broken YAML raise ``yaml`` exceptions.

:func:`load` composes the document first, reports every duplicate key and every
explicit tag at its key path, and only then builds plain values: strings, numbers,
booleans, null, lists and maps. Dates stay the text they were written as (the
Pulumi CLI's YAML reader does the same), so ``expirationDate: 2026-12-05`` needs no
quotes. Every problem is one :class:`~ecs_platform.errors.ConfigError` line.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

import yaml

from ecs_platform.errors import ConfigError

_CORE = "tag:yaml.org,2002:"
#: The tags plain data resolves to; ``merge`` is the ``<<`` key of YAML merges.
PLAIN_TAGS = frozenset(_CORE + t for t in ("str", "int", "float", "bool", "null", "seq", "map", "merge"))
_ALLOWED = "plain YAML values: strings, numbers, booleans, null, lists and maps, no tags"


class _Loader(yaml.SafeLoader):
    """SafeLoader without the implicit timestamp type: dates stay strings."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _CORE + "timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def node_problems(node: yaml.Node, path: str, top_level: bool = False) -> list[str]:
    """Duplicate keys and explicit tags anywhere under ``node`` (at key path ``path``).
    ``top_level``: the keys of this map are full paths themselves (no ``path`` prefix)."""
    out: list[str] = []
    here = path or "(the document)"
    if node.tag not in PLAIN_TAGS:
        shown = node.tag.replace(_CORE, "!!")
        return [f"{here}: {shown} (line {_line(node)}) is not allowed (allowed: {_ALLOWED})"]
    if isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            out += node_problems(item, _join(path, i))
    elif isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in PLAIN_TAGS:
                out.append(f"{here}: a key on line {_line(key_node)} is not a plain string "
                           "(allowed: string keys)")  # fmt: skip
                continue
            if key_node.tag == _CORE + "merge":
                out += node_problems(value_node, path)
                continue
            key = str(key_node.value)
            child = key if top_level else _join(path, key)
            if key in seen:
                out.append(f"{child}: written twice (lines {seen[key]} and {_line(key_node)}) "
                           "(allowed: each key once; YAML would silently keep only the last)")  # fmt: skip
            else:
                seen[key] = _line(key_node)
            out += node_problems(value_node, child)
    return out


def _syntax(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    return f"{where}{problem}"


def load(text: str, path: str, where: str = "the value") -> Any:
    """Plain data from one YAML value ``text`` (a ``--config`` override of the key ``path``),
    or a :class:`ConfigError` naming each problem's key path."""
    loader = _Loader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.YAMLError as exc:
            shown = f"{path}: " if path else ""
            raise ConfigError([f"{shown}{where} is not valid YAML: {_syntax(exc)} (allowed: valid YAML; "
                               "quote a string that contains YAML punctuation)"]) from None  # fmt: skip
        if node is None:
            return None
        problems = node_problems(node, path)
        if problems:
            raise ConfigError(problems)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def stack_file_data(text: str, where: str) -> dict[str, Any]:
    """A ``Pulumi.<stack>.yaml`` (or ``Pulumi.yaml``): a map whose ``config`` keys are
    full config keys (``ecs-platform:services``), so problems are named by them.

    The same text is read once per process (the mock engine reads the stack files at every
    run); each caller gets its own copy, and a refused text is refused again."""
    data = _parsed(text, where)
    if isinstance(data, tuple):
        raise ConfigError(list(data))
    return copy.deepcopy(data)


@functools.lru_cache(maxsize=64)
def _parsed(text: str, where: str) -> dict[str, Any] | tuple[str, ...]:
    """The file's data, or its problems."""
    try:
        return _stack_file_data(text, where)
    except ConfigError as exc:
        return tuple(exc.problems)


def _stack_file_data(text: str, where: str) -> dict[str, Any]:
    loader = _Loader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.YAMLError as exc:
            raise ConfigError([f"{where}: not valid YAML: {_syntax(exc)} (allowed: valid YAML)"]) from None
        if node is None:
            return {}
        if not isinstance(node, yaml.MappingNode):
            raise ConfigError([f"{where}: the file is not a map (allowed: a map with a `config` key)"])
        problems: list[str] = []
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                problems.append(f"{key}: written twice (lines {seen[key]} and {_line(key_node)}) "
                                "(allowed: each key once; YAML would silently keep only the last)")  # fmt: skip
            seen.setdefault(key, _line(key_node))
            if key == "config" and isinstance(value_node, yaml.MappingNode):
                problems += node_problems(value_node, "", top_level=True)
            else:
                problems += node_problems(value_node, key)
        if problems:
            raise ConfigError([f"{where}: {p}" for p in problems])
        data = loader.construct_document(node)
        if not isinstance(data, dict):  # pragma: no cover - a MappingNode constructs a dict
            raise ConfigError([f"{where}: the file is not a map"])
        return data
    finally:
        loader.dispose()
