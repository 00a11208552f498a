"""The project's declared config, its JSON Schema, its docs and its install agree
with the model."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest

from ecs_platform.specs import PlatformSpec
from ecs_platform.specs.base import Spec
from ecs_platform.tools import schema
from ecs_platform.tools.mock_cloud import ROOT, project_file, stack_file
from tests.conftest import STACKS


def test_pulumi_yaml_declares_every_scalar_key_with_the_model_default() -> None:
    declared = project_file()["config"]
    scalars = {f.alias: f.default for f in PlatformSpec.model_fields.values()
               if isinstance(f.default, (str, int, bool)) and f.default is not None}  # fmt: skip
    assert set(declared) == set(scalars)
    for key, default in scalars.items():
        decl = declared[key]
        assert decl["default"] == default, key
        assert decl["description"], key
        assert decl["type"] == {str: "string", int: "integer", bool: "boolean"}[type(default)], key


def test_pulumi_yaml_names_the_object_keys_it_cannot_declare() -> None:
    text = (ROOT / "Pulumi.yaml").read_text()
    declared = project_file()["config"]
    for field in PlatformSpec.model_fields.values():
        if field.alias not in declared:
            assert f"`{field.alias}`" in text, field.alias


def _specs(cls: type[Spec] = Spec) -> list[type[Spec]]:
    """Every spec class of the model (all subclasses of Spec, at any depth)."""
    return [sub for direct in cls.__subclasses__() for sub in (direct, *_specs(direct))]


def test_every_field_documents_its_default_or_says_it_is_required() -> None:
    specs = _specs()
    assert PlatformSpec in specs and len(specs) >= 14
    for cls in specs:
        for name, field in cls.model_fields.items():
            doc = field.description or ""
            assert doc, f"{cls.__name__}.{name} has no docstring"
            assert "Default" in doc or "Required" in doc, f"{cls.__name__}.{name}: {doc!r}"


def test_committed_schema_is_generated_from_the_model() -> None:
    committed = (ROOT / schema.SCHEMA_FILE).read_text()
    assert committed == schema.schema_text(), (
        "stack-config.schema.json is stale: run `venv/bin/python -m ecs_platform.tools.schema`"
    )


@pytest.mark.parametrize("stack", STACKS)
def test_schema_validates_each_stack_file_and_stack_files_point_at_it(stack: str) -> None:
    validator = jsonschema.Draft202012Validator(schema.stack_schema())
    assert list(validator.iter_errors(stack_file(stack))) == []
    first = (ROOT / f"Pulumi.{stack}.yaml").read_text().splitlines()[0]
    assert first == f"# yaml-language-server: $schema=./{schema.SCHEMA_FILE}"


@pytest.mark.parametrize(
    ("key", "value"),
    [("ecs-platform:azCount", "two"), ("ecs-platform:services", ["web"]), ("ecs-platform:azcount", 2),
     ("ecs-platform:loadBalancer", {"https": True})],
)
def test_schema_rejects_a_wrong_type_or_unknown_key(key: str, value: object) -> None:
    data = stack_file("dev")
    data["config"][key] = value
    assert list(jsonschema.Draft202012Validator(schema.stack_schema()).iter_errors(data))


def test_docs_config_reference_is_generated_from_the_model() -> None:
    page = (ROOT / schema.DOCS_PAGE).read_text()
    section = schema.between(page, schema.DOCS_START, schema.DOCS_END)
    assert section == schema.reference().strip("\n"), (
        f"{schema.DOCS_PAGE} is stale: run `venv/bin/python -m ecs_platform.tools.schema --docs`"
    )


def test_docs_config_reference_names_every_key_of_every_spec() -> None:
    page = (ROOT / schema.DOCS_PAGE).read_text()
    for cls in _specs():
        for name, field in cls.model_fields.items():
            key = field.alias or name
            assert any(f"{lead}{key}` |" in page for lead in (".", "| `", ":")), f"{cls.__name__}.{name}"


def test_stack_files_only_use_known_keys() -> None:
    keys = {f.alias for f in PlatformSpec.model_fields.values()}
    for stack in STACKS:
        for key in stack_file(stack)["config"]:
            namespace, _, name = key.partition(":")
            assert namespace in ("aws", "ecs-platform"), key
            if namespace == "ecs-platform":
                assert name in keys, key


def test_runtime_uses_the_readme_venv() -> None:
    runtime = project_file()["runtime"]
    assert runtime == {"name": "python", "options": {"toolchain": "pip", "virtualenv": "venv"}}


def _readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    return re.findall(r"```bash\n(python3 -m venv venv && [^\n]+)\n```", readme)


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    test_commands = [c for c in _readme_commands() if "pytest" in c]
    assert test_commands, "README has no set-up-and-test command"
    ci = (ROOT / ".ci" / "run").read_text()
    assert all(c in ci.splitlines() for c in test_commands)
    assert "set -euo pipefail" in ci


def test_every_installed_requirement_is_pinned_exactly() -> None:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, sep, version = line.partition("==")
            assert sep and version, line
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    for req in ("requirements.txt", "requirements-dev.txt"):
        text = (ROOT / req).read_text()
        assert "-c constraints.txt" in text or "-r requirements.txt" in text, req
        for line in text.splitlines():
            line = line.split("#")[0].strip()
            if line and not line.startswith("-"):
                assert re.sub(r"[-_.]+", "-", line).lower() in pins, f"{req}: {line} is not pinned"


def test_package_declares_its_build_and_dependencies() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["build-system"]["build-backend"] == "setuptools.build_meta"
    deps = {re.split(r"[<>=!~ ]", d)[0] for d in project["project"]["dependencies"]}
    assert {"pulumi", "pulumi-aws", "pulumi-awsx", "pydantic"} <= deps
    assert project["tool"]["setuptools"]["packages"]["find"]["where"] == ["components"]


def test_the_program_reads_config_only_through_the_loader() -> None:
    library = ROOT / "components" / "ecs_platform"
    readers = [
        p.relative_to(ROOT).as_posix()
        for p in library.rglob("*.py")
        if "pulumi.Config(" in p.read_text() or "get_config_env" in p.read_text()
    ]
    assert readers == ["components/ecs_platform/config.py"]


def test_schema_json_is_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(json.loads((ROOT / schema.SCHEMA_FILE).read_text()))
