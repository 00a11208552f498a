"""The component provider's package schema and plugin (issue 24): the schema is the model's, the
committed one is the generated one, every input says its default, nothing drifts from the specs
or the components' signatures, and the plugin directory starts the provider as the engine would.
The gRPC path itself is tested in tests/test_provider_grpc.py."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
import yaml
from google.protobuf import empty_pb2
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from ecs_platform.provider.inputs import input_path, whole_numbers
from ecs_platform.provider.schema import describe, inputs_of, package_schema, schema_text, type_token
from ecs_platform.provider.served import BY_TOKEN, SERVED, Served
from ecs_platform.provider.shape import parameter_shapes
from ecs_platform.specs.base import output_fields

ROOT = Path(__file__).resolve().parent.parent
PLUGIN = ROOT / "provider"
SCHEMA = package_schema()


def test_the_committed_schema_is_the_generated_one() -> None:
    assert (PLUGIN / "schema.json").read_text() == schema_text(), (
        "provider/schema.json is stale: run `venv/bin/python -m ecs_platform.tools.schema --package`"
    )


def test_the_schema_version_is_the_packages() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert SCHEMA["version"] == pyproject["project"]["version"]


def _properties() -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Every input property of every component and type: (where, name, spec)."""
    for token, resource in SCHEMA["resources"].items():
        for name, prop in resource["inputProperties"].items():
            yield token, name, prop
    for token, typ in SCHEMA["types"].items():
        for name, prop in typ["properties"].items():
            yield token, name, prop


def test_every_input_has_a_description_stating_its_default() -> None:
    missing = [f"{where}.{name}" for where, name, prop in _properties()
               if not re.search(r"\b(default|required)\b", prop.get("description", ""), re.IGNORECASE)]  # fmt: skip
    assert missing == []


@pytest.mark.parametrize("served", SERVED, ids=lambda s: s.cls.__name__)
def test_a_components_inputs_are_its_specs_fields_and_its_wiring(served: Served) -> None:
    """No second copy: each spec field is an input of the same name, described by its own
    docstring, required when the model requires it; each keyword argument of the component is
    served or left out with a reason."""
    inputs = SCHEMA["resources"][served.token]["inputProperties"]
    required = set(SCHEMA["resources"][served.token].get("requiredInputs", []))
    fields = served.spec.model_fields
    for name, info in fields.items():
        key = info.alias or name
        assert inputs[key]["description"] == describe(info.description)
        assert (key in required) == info.is_required()
    arguments = parameter_shapes(served.cls.__init__)
    assert set(served.wiring) | set(served.left_out) | set(served.alternatives) == set(arguments)
    assert not set(served.wiring) & set(served.left_out)
    for arg, options in served.alternatives.items():
        # One input per type of the union, none left out.
        assert {o.cls for o in arguments[arg][0].options} == {cls for cls, _ in options.values()}
        assert arguments[arg][1]  # optional: at most one of them is given
    assert all(reason.strip() for reason in served.left_out.values())
    for arg in served.wiring:
        assert (served.input_name(arg) in required) == (not arguments[arg][1])
    assert set(inputs) == ({f.alias or n for n, f in fields.items()} | {served.input_name(a) for a in served.wiring}
                           | {key for options in served.alternatives.values() for key in options})


@pytest.mark.parametrize("served", SERVED, ids=lambda s: s.cls.__name__)
def test_a_field_is_plain_exactly_when_the_model_refuses_an_output_there(served: Served) -> None:
    """``plain`` makes the generated SDKs take a plain value; the model's own list of the fields that
    take an Output (what docs/embedding.md documents) decides which."""
    inputs, _ = inputs_of(served)
    fields = served.spec.model_fields
    takes_output = {fields[n].alias or n for n in output_fields(served.spec)}

    def accepts_output(prop: dict[str, Any]) -> bool:
        inner = prop.get("items") or prop.get("additionalProperties")
        return not prop.get("plain") or (inner is not None and accepts_output(inner))

    spec_inputs = {k: v for k, v in inputs.items() if k in {f.alias or n for n, f in fields.items()}}
    assert {k for k, v in spec_inputs.items() if accepts_output(v)} == takes_output


def test_a_spec_reached_as_a_type_has_the_components_inputs() -> None:
    """A spec served as a component and reached as a type (a Platform's services) is one shape."""
    for served in SERVED:
        token = type_token(served.spec)
        if token in SCHEMA["types"]:
            fields = {f.alias or n for n, f in served.spec.model_fields.items()}
            inputs = {k: v for k, v in SCHEMA["resources"][served.token]["inputProperties"].items() if k in fields}
            assert SCHEMA["types"][token]["properties"] == inputs


# --- the package metaschema's rules -----------------------------------------------------------
# https://github.com/pulumi/pulumi/blob/master/pkg/codegen/schema/pulumi.json: a token is
# <package>:<module>:<name>; a type reference is a primitive (type only), an array (items), a map
# (type object, additionalProperties) or a named type ($ref), each optionally plain.

TOKEN = re.compile(r"^[a-zA-Z][-a-zA-Z0-9_]*:([^0-9][a-zA-Z0-9._/-]*)?:[^0-9][a-zA-Z0-9._/-]*$")
PROPERTY_KEYS = {"type", "items", "additionalProperties", "$ref", "plain", "description", "secret"}


def _type_problems(where: str, prop: dict[str, Any]) -> list[str]:
    out = [f"{where}: unexpected {k}" for k in set(prop) - PROPERTY_KEYS]
    if "$ref" in prop:
        ref = prop["$ref"]
        if not ref.startswith("#/types/") or ref[len("#/types/"):] not in SCHEMA["types"]:
            out.append(f"{where}: dangling {ref}")
        if set(prop) & {"type", "items", "additionalProperties"}:
            out.append(f"{where}: a named type with more")
    elif prop.get("type") == "array":
        out += _type_problems(f"{where}[]", prop["items"]) if "items" in prop else [f"{where}: array without items"]
    elif prop.get("type") == "object":
        out += _type_problems(f"{where}{{}}", prop["additionalProperties"]) if "additionalProperties" in prop else []
    elif prop.get("type") not in ("boolean", "integer", "number", "string"):
        out.append(f"{where}: no type")
    return out


def test_the_schema_follows_the_package_metaschema() -> None:
    assert re.fullmatch(r"[a-zA-Z][-a-zA-Z0-9_]*", SCHEMA["name"])
    assert all(TOKEN.match(t) for t in [*SCHEMA["resources"], *SCHEMA["types"]])
    problems = [p for where, name, prop in _properties() for p in _type_problems(f"{where}.{name}", prop)]
    for token, resource in SCHEMA["resources"].items():
        assert resource["isComponent"] is True
        problems += [p for name, prop in resource["properties"].items() for p in _type_problems(f"{token}.{name}", prop)]
        assert set(resource.get("requiredInputs", [])) <= set(resource["inputProperties"])
    for typ in SCHEMA["types"].values():
        assert typ["type"] == "object"
        assert set(typ.get("required", [])) <= set(typ["properties"])
    assert problems == []


def test_the_python_paths_type_tokens_are_kept() -> None:
    """Each component keeps the token its Python callers register (its URN and its children's)."""
    assert {s.cls.__name__: s.token for s in SERVED} == {
        "Platform": "ecs-platform:index:Platform", "Cluster": "ecs-platform:cluster:Cluster",
        "Service": "ecs-platform:ecs:Service", "TaskDefinition": "ecs-platform:ecs:TaskDefinition",
        "Job": "ecs-platform:ecs:Job", "LoadBalancer": "ecs-platform:lb:LoadBalancer",
        "Network": "ecs-platform:network:Network", "Ec2Capacity": "ecs-platform:cluster:Ec2Capacity",
        "ExternalCapacity": "ecs-platform:cluster:ExternalCapacity",
    }  # fmt: skip
    for served in SERVED:
        source = Path(sys.modules[served.cls.__module__].__file__ or "").read_text()
        assert f'"{served.token}"' in source


# --- inputs --------------------------------------------------------------------------------------


def test_whole_numbers_come_back_as_integers() -> None:
    """The engine sends every number as a float; 8080.0 is the port 8080, 8080.5 stays a float for
    the model to refuse."""
    assert whole_numbers({"port": 8080.0, "step": 2.5, "ports": [1.0], "on": True, "name": "x"}) == {
        "port": 8080, "step": 2.5, "ports": [1], "on": True, "name": "x"}  # fmt: skip
    assert type(whole_numbers(8080.0)) is int


@pytest.mark.parametrize(
    ("token", "python", "expected"),
    [
        ("ecs-platform:ecs:Service", "ServiceSpec.health_check.start_period", "healthCheck.startPeriod"),
        ("ecs-platform:ecs:Service", "ServiceSpec.secrets.DB_URL", "secrets.DB_URL"),
        ("ecs-platform:ecs:Service", "ServiceSpec.sidecars.metrics-agent.secrets_kms_keys[0]",
         "sidecars.metrics-agent.secretsKmsKeys[0]"),
        ("ecs-platform:ecs:Service", "ServiceSpec.permissions[1].resources[0]", "permissions[1].resources[0]"),
        ("ecs-platform:ecs:Service", "Service.vpc_id", "vpcId"),
        ("ecs-platform:ecs:Service", "Service.subnet_ids[1]", "subnetIds[1]"),
        ("ecs-platform:ecs:Service", "Service.cluster.exec_log_group_arn", "cluster.execLogGroupArn"),
        ("ecs-platform:ecs:Service", "Service.cluster.spec.launch_type", "cluster.spec.launchType"),
        ("ecs-platform:ecs:Service", "Service.load_balancer.test_listener_arns.8443",
         "loadBalancer.testListenerArns.8443"),
        ("ecs-platform:ecs:Service", "Service.service_connect.tls_ca_arn", "serviceConnectNamespace.tlsCaArn"),
        ("ecs-platform:ecs:Service", "ServiceSpec.service_connect.per_request_timeout",
         "serviceConnect.perRequestTimeout"),
        ("ecs-platform:ecs:Service", "Service.name", "name"),
        ("ecs-platform:lb:LoadBalancer", "LoadBalancer.test_ingress_cidrs.8443[0]", "testIngressCidrs.8443[0]"),
        ("ecs-platform:index:Platform", "PlatformSpec.services.web.health_check.command",
         "services.web.healthCheck.command"),
        ("ecs-platform:ecs:Service", "TaskDefinition.family", "TaskDefinition.family"),
    ],
)  # fmt: skip
def test_a_python_key_path_is_spelled_as_the_request_spells_it(token: str, python: str, expected: str) -> None:
    assert input_path(BY_TOKEN[token], python) == expected


def test_an_argument_of_two_types_is_named_by_the_input_it_came_from() -> None:
    service = BY_TOKEN["ecs-platform:ecs:Service"]
    chosen = {"load_balancer": "networkLoadBalancer"}
    assert input_path(service, "Service.load_balancer.arn_suffix", chosen) == "networkLoadBalancer.arnSuffix"


# --- the plugin --------------------------------------------------------------------------------


def test_the_plugin_manifest_runs_the_provider_from_its_own_environment() -> None:
    manifest = yaml.safe_load((PLUGIN / "PulumiPlugin.yaml").read_text())
    assert manifest["runtime"]["name"] == "python"
    # The language host runs `python <plugin directory>` in the plugin's virtualenv (venv by
    # default), which `pip install -r requirements.txt` in the plugin directory fills.
    assert manifest["runtime"]["options"]["virtualenv"] == "venv"
    requirements = (PLUGIN / "requirements.txt").read_text().split()
    assert {"-e", "..", "-c", "../constraints.txt"} <= set(requirements)
    assert "from ecs_platform.provider.construct import main" in (PLUGIN / "__main__.py").read_text()


def test_the_plugin_starts_and_serves_as_the_engine_starts_it() -> None:
    """`python provider <engine address>` prints its port, then answers GetPluginInfo and GetSchema."""
    process = subprocess.Popen([sys.executable, str(PLUGIN), "127.0.0.1:1"], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)  # fmt: skip
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline().strip())
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            client = provider_pb2_grpc.ResourceProviderStub(channel)
            info = client.GetPluginInfo(empty_pb2.Empty(), timeout=30)
            schema = client.GetSchema(provider_pb2.GetSchemaRequest(version=0), timeout=30)
    finally:
        process.terminate()
        process.wait(30)
    assert info.version == SCHEMA["version"]
    assert json.loads(schema.schema) == SCHEMA
