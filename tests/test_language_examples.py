"""The other languages' examples (examples/yaml, examples/typescript), checked without their
runtimes (no Pulumi CLI, no Node.js here): every type token, input and output they name exists in
the package schema, and their inputs, sent to the provider over gRPC as the engine would send
them, are taken and register what the Python path registers."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from ecs_platform.provider.schema import package_schema
from tests.provider_engine import ProviderEngine, output_value
from tests.test_docs import samples
from tests.test_provider_grpc import CASES, PROJECT, STACK, Case, _comparable, python_path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SCHEMA = package_schema()


def _unknown_keys(value: Any, prop: dict[str, Any], where: str) -> list[str]:
    """The keys of ``value`` its schema property (or type) does not have, through nested types."""
    ref = prop.get("$ref")
    if ref is not None and isinstance(value, dict):
        properties = SCHEMA["types"][ref.removeprefix("#/types/")]["properties"]
        out = [f"{where}.{k}" for k in value if k not in properties]
        return out + [p for k, v in value.items() if k in properties
                      for p in _unknown_keys(v, properties[k], f"{where}.{k}")]  # fmt: skip
    if prop.get("type") == "array" and isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _unknown_keys(v, prop["items"], f"{where}[{i}]")]
    if prop.get("type") == "object" and isinstance(value, dict) and "additionalProperties" in prop:
        return [p for k, v in value.items() for p in _unknown_keys(v, prop["additionalProperties"], f"{where}.{k}")]
    return []


def _input_problems(token: str, inputs: dict[str, Any]) -> list[str]:
    properties = SCHEMA["resources"][token]["inputProperties"]
    return [k for k in inputs if k not in properties] + [
        p for k, v in inputs.items() if k in properties for p in _unknown_keys(v, properties[k], k)]  # fmt: skip


# --- YAML ----------------------------------------------------------------------------------------

YAML_PROGRAM = yaml.safe_load((EXAMPLES / "yaml" / "Pulumi.yaml").read_text())


def test_the_yaml_example_names_only_what_the_schema_has() -> None:
    assert YAML_PROGRAM["runtime"] == "yaml"
    assert YAML_PROGRAM["packages"]["ecs-platform"]["source"].endswith("/provider")
    for name, resource in YAML_PROGRAM["resources"].items():
        assert resource["type"] in SCHEMA["resources"], name
        assert _input_problems(resource["type"], resource["properties"]) == []
    for expression in YAML_PROGRAM["outputs"].values():
        name, attribute = re.fullmatch(r"\$\{(\w+)\.(\w+)\}", expression).groups()  # type: ignore[union-attr]
        assert attribute in SCHEMA["resources"][YAML_PROGRAM["resources"][name]["type"]]["properties"]


def test_the_yaml_examples_platform_registers_what_the_python_path_registers() -> None:
    resource = YAML_PROGRAM["resources"]["platform"]
    assert "${" not in json.dumps(resource["properties"])  # all plain values: sent as they are
    with ProviderEngine(project=PROJECT, stack=STACK) as engine:
        engine.construct(resource["type"], "platform", resource["properties"])
        provided = engine.registrations
    python = python_path(Case(resource["type"], "platform", resource["properties"], {},
                              lambda spec: _platform_named("platform", spec)))  # fmt: skip
    assert _comparable(provided) == _comparable(python)
    assert any(r.type == "aws:ecs/service:Service" for r in provided)


def _platform_named(name: str, spec: dict[str, Any]) -> None:
    from ecs_platform import Platform, config

    zones, account = config.lookup_region("us-east-1")
    checked, context = config.load(spec, stack=STACK, region="us-east-1", region_zones=zones, account=account,
                                   project=PROJECT, prefix="")  # fmt: skip
    Platform(name, checked, context=context)


# --- TypeScript ----------------------------------------------------------------------------------

TS_SOURCE = (EXAMPLES / "typescript" / "index.ts").read_text()


class Ref:
    """A name the program computes (a constant of the program, an Output of another stack)."""

    def __init__(self, name: str) -> None:
        self.name = name


_TOKEN = re.compile(r'\s*(?:(?P<str>"(?:[^"\\]|\\.)*")|(?P<num>-?\d+(?:\.\d+)?)|(?P<word>[A-Za-z_$][\w$.]*)|(?P<p>[{}\[\]:,]))')


def _tokens(text: str) -> list[tuple[str, str]]:
    """The tokens of the literal ``text`` starts with, up to its closing bracket."""
    text = re.sub(r"//[^\n]*", "", text)
    out, pos, depth = [], 0, 0
    while True:
        m = _TOKEN.match(text, pos)
        assert m is not None, f"cannot read {text[pos:pos + 40]!r}"
        kind = next(k for k, v in m.groupdict().items() if v is not None)
        out.append((kind, m.group(kind)))
        pos = m.end()
        depth += {"{": 1, "[": 1, "}": -1, "]": -1}.get(m.group(kind), 0) if kind == "p" else 0
        if depth == 0:
            return out


def _value(tokens: list[tuple[str, str]], i: int) -> tuple[Any, int]:
    """A JavaScript literal (objects, arrays, strings, numbers, booleans; a name is a :class:`Ref`)."""
    kind, text = tokens[i]
    if text == "{":
        out: dict[str, Any] = {}
        i += 1
        while tokens[i][1] != "}":
            key = json.loads(tokens[i][1]) if tokens[i][0] == "str" else tokens[i][1]
            assert tokens[i + 1][1] == ":", tokens[i : i + 2]
            out[key], i = _value(tokens, i + 2)
            if tokens[i][1] == ",":
                i += 1
        return out, i + 1
    if text == "[":
        items: list[Any] = []
        i += 1
        while tokens[i][1] != "]":
            item, i = _value(tokens, i)
            items.append(item)
            if tokens[i][1] == ",":
                i += 1
        return items, i + 1
    if kind == "str":
        return json.loads(text), i + 1
    if kind == "num":
        return float(text) if "." in text else int(text), i + 1
    return {"true": True, "false": False}.get(text, Ref(text)), i + 1


def _components() -> list[tuple[str, str, dict[str, Any]]]:
    """Each ``new ecsplatform.<module>.<Type>("<name>", {...})`` of the program: token, name, inputs."""
    out = []
    for m in re.finditer(r'new ecsplatform\.(\w+)\.(\w+)\("([^"]+)",', TS_SOURCE):
        inputs, _ = _value(_tokens(TS_SOURCE[m.end():]), 0)
        out.append((f"ecs-platform:{m.group(1)}:{m.group(2)}", m.group(3), inputs))
    return out


def test_the_typescript_example_names_only_what_the_schema_has() -> None:
    components = _components()
    assert [token for token, _, _ in components] == ["ecs-platform:ecs:Service"]
    for token, _, inputs in components:
        assert token in SCHEMA["resources"]
        assert _input_problems(token, inputs) == []
        assert set(SCHEMA["resources"][token].get("requiredInputs", [])) <= set(inputs)
    for attribute in re.findall(r"export const \w+ = api\.(\w+);", TS_SOURCE):
        assert attribute in SCHEMA["resources"]["ecs-platform:ecs:Service"]["properties"]
    package = json.loads((EXAMPLES / "typescript" / "package.json").read_text())
    assert package["dependencies"]["@pulumi/ecs-platform"] == "file:sdks/ecs-platform"
    project = yaml.safe_load((EXAMPLES / "typescript" / "Pulumi.yaml").read_text())
    assert project["packages"]["ecs-platform"] == YAML_PROGRAM["packages"]["ecs-platform"]


#: What the platform stack's outputs hold (another stack's outputs: Outputs in the request).
STACK_OUTPUTS: dict[str, Any] = {
    "clusterArn": "arn:aws:ecs:us-east-1:123456789012:cluster/ecs-platform-prod-cluster",
    "vpcId": "vpc-0123456789abcdef0",
    "privateSubnetIds": ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"],
}


def _sent(value: Any) -> Any:
    if isinstance(value, Ref):
        return output_value(STACK_OUTPUTS[value.name], deps=("urn:pulumi:dev::shop-api::pulumi:pulumi:StackReference::x",))
    if isinstance(value, dict):
        return {k: _sent(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_sent(v) for v in value]
    return value


def test_the_typescript_examples_service_registers_what_the_python_path_registers() -> None:
    (token, name, inputs), = _components()
    with ProviderEngine(project=PROJECT, stack=STACK) as engine:
        engine.construct(token, name, _sent(inputs))
        provided = engine.registrations
    plain = json.loads(json.dumps(_sent(inputs)))
    spec = {k: v for k, v in plain.items() if k not in ("cluster", "vpcId", "subnetIds")}
    case = CASES["Service"]
    python = python_path(Case(token, name, spec, {}, lambda s: _service(name, s)))
    assert case.token == token
    assert _comparable(provided) == _comparable(python)


def _service(name: str, spec: dict[str, Any]) -> None:
    from ecs_platform import ClusterRef, Service, ServiceSpec

    Service(name, ServiceSpec.model_validate(spec), cluster=ClusterRef(arn=STACK_OUTPUTS["clusterArn"]),
            vpc_id=STACK_OUTPUTS["vpcId"], subnet_ids=list(STACK_OUTPUTS["privateSubnetIds"]))  # fmt: skip



# --- the languages page ------------------------------------------------------------------------

PAGE = Path(__file__).resolve().parent.parent / "docs" / "languages.md"
PROGRAMS = [s for s in samples(PAGE) if s.language == "yaml" and s.flag("program")]


def test_the_page_shows_the_example_files_as_they_are() -> None:
    blocks: dict[str, list[str]] = {s.language: [] for s in samples(PAGE)}
    for s in samples(PAGE):
        blocks[s.language].append(s.body.strip("\n"))
    assert TS_SOURCE.strip("\n") in blocks["typescript"]
    assert (EXAMPLES / "yaml" / "Pulumi.yaml").read_text().strip("\n") in blocks["yaml"]


def test_the_pages_yaml_programs_name_only_what_the_schema_has() -> None:
    assert len(PROGRAMS) == 3
    for sample in PROGRAMS:
        program = yaml.safe_load(sample.body)
        assert program["packages"] == YAML_PROGRAM["packages"], sample.id
        ours = {n: r for n, r in program.get("resources", {}).items() if r["type"].startswith("ecs-platform:")}
        for resource in ours.values():
            assert resource["type"] in SCHEMA["resources"], sample.id
            assert _input_problems(resource["type"], resource["properties"]) == [], sample.id
        for expression in program.get("outputs", {}).values():
            name, attribute = re.fullmatch(r"\$\{(\w+)\.(\w+)\}", expression).groups()  # type: ignore[union-attr]
            assert attribute in SCHEMA["resources"][ours[name]["type"]]["properties"], sample.id


def _from_stack(value: Any) -> Any:
    """A YAML program's ``${platform.outputs["key"]}`` as the engine sends it: the stack's Output."""
    if isinstance(value, str) and (m := re.fullmatch(r'\$\{platform\.outputs\["(\w+)"\]\}', value)):
        return _sent(Ref(m.group(1)))
    if isinstance(value, dict):
        return {k: _from_stack(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_stack(v) for v in value]
    return value


def test_the_yaml_service_registers_what_the_typescript_service_registers() -> None:
    """The page's YAML program is the TypeScript example's service, resource for resource."""
    program = next(yaml.safe_load(s.body) for s in PROGRAMS if "api" in yaml.safe_load(s.body).get("resources", {}))
    resource = program["resources"]["api"]
    (token, name, inputs), = _components()
    registered = []
    for sent in (_from_stack(resource["properties"]), _sent(inputs)):
        with ProviderEngine(project=PROJECT, stack=STACK) as engine:
            engine.construct(resource["type"], "api", sent)
            registered.append(_comparable(engine.registrations))
    assert (resource["type"], name) == (token, "api")
    assert registered[0] == registered[1]
