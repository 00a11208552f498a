"""Stack config as the Pulumi CLI hands it to the program: Pulumi.yaml's defaults, then the
stack file, then overrides; every value a string."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ecs_platform.errors import ConfigError, show
from ecs_platform.tools import stack_yaml


def find_project(start: Path | None = None) -> Path:
    """The Pulumi project directory: the nearest folder holding ``Pulumi.yaml``, from the
    working directory up (else this repository's root, when run from a checkout)."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "Pulumi.yaml").exists():
            return folder
    return Path(__file__).resolve().parents[4]


ROOT = find_project()


def _config_text(value: Any) -> str:
    """The engine hands every config value to the program as a string (an empty value,
    ``aws:region:`` or ``--config aws:region=``, as the empty string, not ``"null"``)."""
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value)


def project_file(root: Path = ROOT) -> dict[str, Any]:
    return stack_yaml.stack_file_data((root / "Pulumi.yaml").read_text(), "Pulumi.yaml")


def stack_file(stack: str, root: Path = ROOT) -> dict[str, Any]:
    """A stack file's content; duplicate keys, YAML tags and broken YAML are refused
    (:class:`~ecs_platform.errors.ConfigError`), dates stay text."""
    path = root / f"Pulumi.{stack}.yaml"
    if not path.exists():
        known = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in root.glob("Pulumi.*.yaml"))
        raise FileNotFoundError(f"no stack file {path.name} (stacks: {', '.join(known)})")
    return stack_yaml.stack_file_data(path.read_text(), path.name)


def stack_config(stack: str, overrides: Mapping[str, Any] | None = None, root: Path = ROOT) -> dict[str, str]:
    """The config map the CLI would give the program: Pulumi.yaml defaults,
    then the stack file, then ``overrides`` (keys may omit the project namespace;
    ``services.web.desiredCount`` changes one field of an object key; None removes a key). A dotted
    override into a value that is not a map raises :class:`ConfigError`."""
    project = project_file(root)
    name = project["name"]

    def namespaced(key: str) -> str:
        return key if ":" in key else f"{name}:{key}"

    config: dict[str, str] = {}
    for key, decl in (project.get("config") or {}).items():
        if isinstance(decl, dict) and "default" in decl:
            config[namespaced(key)] = _config_text(decl["default"])
        elif isinstance(decl, dict) and "value" in decl:
            config[namespaced(key)] = _config_text(decl["value"])
        elif not isinstance(decl, dict):
            config[namespaced(key)] = _config_text(decl)
    for key, value in (stack_file(stack, root).get("config") or {}).items():
        config[namespaced(key)] = _config_text(value)
    problems: list[str] = []
    for key, value in (overrides or {}).items():
        top, _, path = namespaced(key).partition(".")
        if path:  # services.web.desiredCount=3: change one field of an object key
            if top in config:
                base = _parse_text(config[top])
            elif top == f"{name}:services":
                from ecs_platform.specs import sample_services

                base = copy.deepcopy(sample_services(config.get(f"{name}:launchType", "FARGATE")))
            else:
                base = {}
            problem = _set_path(base, top, path.split("."), value)
            if problem:
                problems.append(problem)
                continue
            config[top] = json.dumps(base)
        elif value is None:  # `pulumi config rm`
            config.pop(top, None)
        else:
            config[top] = _config_text(value)
    if problems:
        raise ConfigError(problems)
    return config


def _parse_text(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def _set_path(target: Any, top: str, path: list[str], value: Any) -> str | None:
    """Set ``value`` at ``path`` inside the map ``target`` (the value of key ``top``),
    creating missing maps; the problem when the path runs into a value that is not a map."""
    where = top
    for i, part in enumerate(path):
        if not isinstance(target, dict):
            return (f"{where}: {show(target)} is not a map, so {top}.{'.'.join(path)} cannot be set "
                    "(allowed: a dotted key only into maps, e.g. services.web.desiredCount)")  # fmt: skip
        if i == len(path) - 1:
            target[part] = value
            break
        if target.get(part) is None:
            target[part] = {}
        target = target[part]
        where = f"{where}.{part}"
    return None
