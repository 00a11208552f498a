"""The project's declared config, its defaults and its docs agree."""

from __future__ import annotations

import re

from components import settings
from ecs_platform.tools.mock_cloud import ROOT, project_file, stack_file


def test_pulumi_yaml_declares_every_scalar_key_with_the_settings_default() -> None:
    declared = project_file()["config"]
    assert set(declared) == set(settings.DEFAULTS)
    for key, default in settings.DEFAULTS.items():
        decl = declared[key]
        assert decl["default"] == default, key
        assert decl["description"], key
        assert decl["type"] == {str: "string", int: "integer", bool: "boolean"}[type(default)], key


def test_pulumi_yaml_names_the_object_keys_it_cannot_declare() -> None:
    text = (ROOT / "Pulumi.yaml").read_text()
    for key in settings.OBJECT_KEYS:
        assert f"`{key}`" in text, key


def test_runtime_uses_the_readme_venv() -> None:
    runtime = project_file()["runtime"]
    assert runtime == {"name": "python", "options": {"toolchain": "pip", "virtualenv": "venv"}}


def test_readme_config_reference_lists_every_key_and_service_key() -> None:
    readme = (ROOT / "README.md").read_text()
    table_keys = set(re.findall(r"^\| `([A-Za-z0-9.\[\]]+)`", readme, flags=re.M))
    for key in settings.TOP_LEVEL_KEYS:
        assert key in table_keys, key
    for key in settings.SERVICE_KEYS:
        assert f"services.<name>.{key}" in table_keys or f"services.<name>.{key}" in readme, key
    for prefix, keys in (("loadBalancer", settings.LOAD_BALANCER_KEYS), ("ec2", settings.EC2_KEYS),
                         ("external", settings.EXTERNAL_KEYS)):  # fmt: skip
        for key in keys:
            assert f"{prefix}.{key}" in table_keys, f"{prefix}.{key}"


def test_stack_files_only_use_known_keys() -> None:
    for stack in ("dev", "staging", "prod"):
        for key in stack_file(stack)["config"]:
            namespace, _, name = key.partition(":")
            assert namespace in ("aws", "ecs-platform"), key
            if namespace == "ecs-platform":
                assert name in settings.TOP_LEVEL_KEYS, key


def _readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    return re.findall(r"```bash\n(python3 -m venv venv && [^\n]+)\n```", readme)


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    test_commands = [c for c in _readme_commands() if "pytest" in c]
    assert test_commands, "README has no set-up-and-test command"
    ci = (ROOT / ".ci" / "run").read_text()
    assert all(c in ci.splitlines() for c in test_commands)
    assert "set -euo pipefail" in ci
