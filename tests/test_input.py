"""Input that is not plain config, refused cleanly: stack files and ``--config`` overrides
(duplicate keys, YAML tags, broken YAML, dotted paths into scalars, dates), misspelt
namespaces and regions. Each case: one message naming the key path, the value and what
is allowed; exit status 1 without a traceback; nothing registered."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import botocore
import pytest

from ecs_platform import config, facts
from ecs_platform.errors import ConfigError
from ecs_platform.tools.mock_cloud import ROOT, run_program, stack_config
from ecs_platform.tools.preview import __main__ as cli

ALLOWED_YAML = "(allowed: plain YAML values: strings, numbers, booleans, null, lists and maps, no tags)"
TWICE = "(allowed: each key once; YAML would silently keep only the last)"


def preview(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- --config overrides ------------------------------------------------------------------------

OVERRIDES: list[tuple[str, str, str]] = [
    ("dotted path into a scalar", "azCount.x=1",
     "ecs-platform:azCount: 2 is not a map, so ecs-platform:azCount.x cannot be set "
     "(allowed: a dotted key only into maps, e.g. services.web.desiredCount)"),
    ("dotted path into a string", "launchType.spot=1",
     'ecs-platform:launchType: "FARGATE_SPOT" is not a map, so ecs-platform:launchType.spot cannot be set'),
    ("dotted path into a service's scalar", "services.web.port.x=1",
     "ecs-platform:services.web.port: 8080 is not a map, so ecs-platform:services.web.port.x cannot be set"),
    ("broken YAML", "azCount=[1",
     "ecs-platform:azCount: the value is not valid YAML: line 1, column 3: expected ',' or ']', but got "
     "'<stream end>' (allowed: valid YAML; quote a string that contains YAML punctuation)"),
    ("python tag", "azCount=!!python/name:os.system",
     f"ecs-platform:azCount: !!python/name:os.system (line 1) is not allowed {ALLOWED_YAML}"),
    ("binary tag", "services=!!binary aGVsbG8=", f"ecs-platform:services: !!binary (line 1) is not allowed {ALLOWED_YAML}"),
    ("tag deep inside a value", "services={web: {image: !!binary aGVsbG8=}}",
     f"ecs-platform:services.web.image: !!binary (line 1) is not allowed {ALLOWED_YAML}"),
    ("explicit timestamp", "azCount=!!timestamp 2026-12-05",
     f"ecs-platform:azCount: !!timestamp (line 1) is not allowed {ALLOWED_YAML}"),
    ("duplicate key in an override", "services={web: {image: x}, web: {image: y}}",
     f"ecs-platform:services.web: written twice (lines 1 and 1) {TWICE}"),
    ("a bare date where a number belongs", "azCount=2026-12-05",
     'ecs-platform:azCount: "2026-12-05" is not an integer (allowed: 1..6)'),
    ("unknown region", "aws:region=mars-1",
     'aws:region: "mars-1" is not an AWS region (allowed: a region name, e.g. us-east-1; '
     "see https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html)"),
    ("region with a typo", "aws:region=us-east-7",
     'aws:region: "us-east-7" is not an AWS region (allowed: a region name, e.g. us-east-2, us-east-1, us-west-2; '),
    ("empty region", "aws:region=",
     "aws:region: not set (allowed: a region name, e.g. `pulumi config set aws:region us-east-1`)"),
    ("misspelt namespace", "ecs-platfrom:azCount=2",
     'ecs-platfrom:azCount: unknown namespace "ecs-platfrom", which looks like a misspelling of '
     '"ecs-platform" (allowed: ecs-platform:azCount)'),
    ("namespace without the hyphen", "ecsplatform:desiredCount=2",
     'ecsplatform:desiredCount: unknown namespace "ecsplatform", which looks like a misspelling of '
     '"ecs-platform" (allowed: ecs-platform:desiredCount)'),
    ("namespace in capitals", "ECS-Platform:azCount=2",
     'ECS-Platform:azCount: unknown namespace "ECS-Platform"'),
]  # fmt: skip


@pytest.mark.parametrize(("arg", "expected"), [c[1:] for c in OVERRIDES], ids=[c[0] for c in OVERRIDES])
def test_bad_override_is_refused_with_its_key_path(capsys: pytest.CaptureFixture[str], arg: str, expected: str) -> None:
    code, out, err = preview(capsys, "dev", "--no-cost", "--config", arg)
    assert (code, out) == (1, "")
    assert "Traceback" not in err
    lines = err.splitlines()
    assert lines[0] == "error: invalid configuration (1 problem(s)):"
    assert lines[1].startswith(f"  - {expected}"), lines


@pytest.mark.parametrize("arg", [c[1] for c in OVERRIDES], ids=[c[0] for c in OVERRIDES])
def test_bad_override_registers_nothing(arg: str) -> None:
    key, _, text = arg.partition("=")
    try:
        overrides = cli.parse_overrides([(key, text)])
    except ConfigError:
        return  # refused before the program could run
    run = run_program("dev", overrides)
    assert isinstance(run.error, ConfigError), run.error
    assert run.resources == []


def test_every_bad_override_is_reported_at_once(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = preview(capsys, "dev", "--config", "azCount=[1", "--config", "desiredCount=!!binary eA==")
    assert code == 1
    assert err.splitlines()[0] == "error: invalid configuration (2 problem(s)):"


def test_an_override_given_twice_is_refused() -> None:
    with pytest.raises(ConfigError) as exc:
        cli.parse_overrides([("azCount", "2"), ("azCount", "3")])
    assert exc.value.problems == ["ecs-platform:azCount: given twice with --config (allowed: each key once)"]


def test_a_real_process_exits_1_without_a_traceback() -> None:
    for arg, expected in (("azCount.x=1", "ecs-platform:azCount: 2 is not a map"),
                          ("services=!!python/name:os.system", "ecs-platform:services: !!python/name:os.system")):
        done = subprocess.run([sys.executable, "-m", "ecs_platform.tools.preview", "dev", "--config", arg],
                              cwd=ROOT, capture_output=True, text=True)  # fmt: skip
        assert done.returncode == 1
        assert "Traceback" not in done.stderr
        assert expected in done.stderr


def test_dotted_override_still_creates_missing_maps() -> None:
    cfg = stack_config("dev", {"services.web.healthCheck.interval": 20})
    assert json.loads(cfg["ecs-platform:services"])["web"]["healthCheck"]["interval"] == 20


@pytest.mark.parametrize("arg", ["aws:region=eu-north-1", "pulumi:tags={a: b}", "aws:profile=dev"])
def test_other_real_namespaces_and_regions_pass(arg: str) -> None:
    key, _, text = arg.partition("=")
    run = run_program("dev", cli.parse_overrides([(key, text)]))
    assert run.error is None, run.error


@pytest.mark.parametrize(
    ("namespace", "ours"),
    [("ecs-platform", False), ("ecs-platfrom", True), ("ecsplatform", True), ("ECS-Platform", True),
     ("ecs_platform", True), ("ecs-platforms", True), ("ecs-plat", False), ("aws", False), ("pulumi", False),
     ("ecs", False), ("awsx", False), ("platform", True)],
)  # fmt: skip
def test_namespace_similarity_rule(namespace: str, ours: bool) -> None:
    assert config.looks_like(namespace) is ours


def test_misspelt_namespace_is_refused_by_the_real_config_reader() -> None:
    """``pulumi up`` path: config.load gets the whole config map and reports the key
    with every other problem."""
    keys = {"aws:region": "us-east-1", "ecs-platfrom:azCount": "2", "pulumi:disable-default-providers": "[]"}
    with pytest.raises(ConfigError) as exc:
        config.load({"azCount": 9}, stack="dev", region="us-east-1", config_keys=keys)
    assert exc.value.problems == [
        'ecs-platfrom:azCount: unknown namespace "ecs-platfrom", which looks like a misspelling of '
        '"ecs-platform" (allowed: ecs-platform:azCount)',
        "ecs-platform:azCount: 9 is out of range (allowed: 1..6)",
    ]


def test_regions_are_botocores() -> None:
    """facts.REGIONS is the pinned botocore's partitions.json (no global pseudo-regions)."""
    data = json.loads((Path(botocore.__file__).parent / "data" / "partitions.json").read_text())
    theirs = {p["id"]: tuple(sorted(r for r in p["regions"] if not r.endswith("-global"))) for p in data["partitions"]}
    assert {k: tuple(sorted(v)) for k, v in facts.REGIONS.items()} == theirs


# --- stack files --------------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    return tmp_path


def _stack(project: Path, text: str) -> dict[str, str]:
    (project / "Pulumi.t.yaml").write_text(text)
    return stack_config("t", root=project)


def _problems(project: Path, text: str) -> list[str]:
    with pytest.raises(ConfigError) as exc:
        _stack(project, text)
    return exc.value.problems


STACK_FILES: list[tuple[str, str, list[str]]] = [
    ("duplicate service", "config:\n  aws:region: us-east-1\n  ecs-platform:services:\n"
     "    api:\n      image: nginx\n      user: '1000'\n    api:\n      image: other\n",
     [f"Pulumi.t.yaml: ecs-platform:services.api: written twice (lines 4 and 7) {TWICE}"]),
    ("duplicate top-level config key", "config:\n  ecs-platform:azCount: 2\n  ecs-platform:azCount: 3\n",
     [f"Pulumi.t.yaml: ecs-platform:azCount: written twice (lines 2 and 3) {TWICE}"]),
    ("duplicate config block", "config:\n  aws:region: us-east-1\nconfig:\n  aws:region: eu-west-1\n",
     [f"Pulumi.t.yaml: config: written twice (lines 1 and 3) {TWICE}"]),
    ("python tag", "config:\n  ecs-platform:azCount: !!python/name:os.system\n",
     [f"Pulumi.t.yaml: ecs-platform:azCount: !!python/name:os.system (line 2) is not allowed {ALLOWED_YAML}"]),
    ("binary tag in a list", "config:\n  ecs-platform:tags: {Team: x}\n  ecs-platform:services:\n"
     "    api:\n      image: nginx\n      command: [a, !!binary eA==]\n",
     [f"Pulumi.t.yaml: ecs-platform:services.api.command[1]: !!binary (line 6) is not allowed {ALLOWED_YAML}"]),
    ("broken YAML", "config:\n  ecs-platform:azCount: [2\n",
     ["Pulumi.t.yaml: not valid YAML: line 3, column 1: expected ',' or ']', but got '<stream end>' "
      "(allowed: valid YAML)"]),
    ("not a map", "- config\n", ["Pulumi.t.yaml: the file is not a map (allowed: a map with a `config` key)"]),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in STACK_FILES], ids=[c[0] for c in STACK_FILES])
def test_bad_stack_file_is_refused_with_its_key_path(project: Path, text: str, expected: list[str]) -> None:
    assert _problems(project, text) == expected


def test_bad_stack_file_registers_nothing_and_the_preview_exits_1(tmp_path: Path) -> None:
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "Pulumi.t.yaml").write_text("config:\n  aws:region: us-east-1\n  ecs-platform:services:\n"
                                            "    api: {image: a, user: '1'}\n    api: {image: b, user: '1'}\n")  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT / "components")}
    done = subprocess.run([sys.executable, "-m", "ecs_platform.tools.preview", "t"], cwd=tmp_path,
                          capture_output=True, text=True, env=env)  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert done.stderr.splitlines() == [
        "error: invalid configuration (1 problem(s)):",
        f"  - Pulumi.t.yaml: ecs-platform:services.api: written twice (lines 4 and 5) {TWICE}",
    ]


def test_unquoted_date_in_a_stack_file_is_the_date_text(project: Path) -> None:
    day = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=10)).isoformat()
    cfg = _stack(project, f"config:\n  aws:region: us-east-1\n  ecs-platform:launchType: EXTERNAL\n"
                          f"  ecs-platform:external:\n    expirationDate: {day}\n"
                          "  ecs-platform:services:\n    agent: {image: busybox, user: '1000'}\n")  # fmt: skip
    assert json.loads(cfg["ecs-platform:external"]) == {"expirationDate": day}
    run = run_program("t", config=cfg)
    assert run.error is None, run.error
    activation = run.one("aws:ssm/activation:Activation")
    assert str(activation.inputs["expirationDate"]).startswith(day)


def test_unquoted_date_override_is_the_date_text(capsys: pytest.CaptureFixture[str]) -> None:
    day = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=10)).isoformat()
    overrides = cli.parse_overrides([("launchType", "EXTERNAL"), ("external.expirationDate", day),
                                     ("services", "{agent: {image: busybox, user: '1000'}}")])  # fmt: skip
    assert overrides["external.expirationDate"] == day
    run = run_program("dev", overrides)
    assert run.error is None, run.error


def test_empty_value_in_a_stack_file_is_empty_not_null(project: Path) -> None:
    cfg = _stack(project, "config:\n  aws:region:\n")
    assert cfg["aws:region"] == ""
    run = run_program("t", config=cfg)
    assert isinstance(run.error, ConfigError)
    assert run.error.problems[0] == (
        "aws:region: not set (allowed: a region name, e.g. `pulumi config set aws:region us-east-1`)"
    )
    assert run.resources == []


def test_yaml_merge_keys_still_work(project: Path) -> None:
    cfg = _stack(project, "x: &base {image: nginx, user: '1000'}\nconfig:\n  aws:region: us-east-1\n"
                          "  ecs-platform:services:\n    api:\n      <<: *base\n      image: other\n")  # fmt: skip
    assert json.loads(cfg["ecs-platform:services"]) == {"api": {"image": "other", "user": "1000"}}


def test_the_committed_stack_files_load() -> None:
    for stack in ("dev", "staging", "prod"):
        assert stack_config(stack)["aws:region"]
