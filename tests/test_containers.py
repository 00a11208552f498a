"""Container definitions are pure functions: checked without any mock engine."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecs_platform.specs import ContainerSpec, HealthCheckSpec
from ecs_platform.specs.containers import container_definition, echo_problems, port_mapping_name
from ecs_platform.tools.mock_cloud import run_program
from tests.conftest import STACKS, containers, stack_run

#: PortMapping ``name``: up to 64 lowercase letters, digits, _ and -, not starting with -.
#: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PortMapping.html
PORT_NAME = re.compile(r"[a-z0-9_][a-z0-9_-]{0,63}")
CONTAINER_NAMES = st.from_regex(r"[A-Za-z0-9_-]{1,255}", fullmatch=True)


def build(**fields: Any) -> dict[str, Any]:
    return container_definition("api", ContainerSpec(image="nginx:1.27", **fields),
                                log_group="/ecs/x/api", region="eu-west-1")  # fmt: skip


def test_minimal_container_is_read_only_essential_and_logged() -> None:
    assert build() == {
        "name": "api",
        "image": "nginx:1.27",
        "essential": True,
        "readonlyRootFilesystem": True,
        "linuxParameters": {"initProcessEnabled": True},
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {"awslogs-group": "/ecs/x/api", "awslogs-region": "eu-west-1",
                        "awslogs-stream-prefix": "api", "mode": "non-blocking",
                        "max-buffer-size": "25m"},
        },
    }  # fmt: skip


def test_no_privileged_or_host_settings_ever_appear() -> None:
    full = build(port=80, environment={"A": "1"}, user="1000", writable_paths=["/tmp"])
    assert not {"privileged", "pidMode", "networkMode", "hostname"} & set(full)


def test_port_mapping_uses_the_container_port_in_awsvpc_and_dynamic_host_port_in_bridge() -> None:
    assert build(port=8080)["portMappings"] == [
        {"name": "api-8080", "containerPort": 8080, "protocol": "tcp"}
    ]
    bridge = container_definition("api", ContainerSpec(image="x", port=8080), log_group="g",
                                  region="r", network_mode="bridge")  # fmt: skip
    assert bridge["portMappings"][0]["hostPort"] == 0


def test_port_mapping_names_of_awkward_containers_fit_aws_grammar() -> None:
    assert port_mapping_name("envoy", 9901) == "envoy-9901"  # names that fit are unchanged
    shortened = port_mapping_name("EnvoyProxy", 9901)
    assert PORT_NAME.fullmatch(shortened) and shortened.endswith("-9901") and shortened.startswith("envoyproxy-")
    assert len(port_mapping_name("a" * 255, 65535)) == 64


@given(CONTAINER_NAMES, CONTAINER_NAMES, st.integers(1, 65535))
def test_every_port_mapping_name_fits_and_two_containers_never_share_one(a: str, b: str, port: int) -> None:
    assert PORT_NAME.fullmatch(port_mapping_name(a, port))
    if a != b:
        assert port_mapping_name(a, port) != port_mapping_name(b, port)


def test_environment_and_secrets_are_sorted_for_stable_diffs() -> None:
    z, y = (f"arn:aws:ssm:eu-west-1:123456789012:parameter/{n}" for n in ("z", "y"))
    c = build(environment={"B": "2", "A": "1"}, secrets={"Z": z, "Y": y})
    assert c["environment"] == [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]
    assert c["secrets"] == [{"name": "Y", "valueFrom": y}, {"name": "Z", "valueFrom": z}]


def test_writable_paths_get_one_scratch_volume_each() -> None:
    c = build(writable_paths=["/tmp", "/var/cache/nginx"])
    assert c["mountPoints"] == [
        {"sourceVolume": "scratch-0", "containerPath": "/tmp", "readOnly": False},
        {"sourceVolume": "scratch-1", "containerPath": "/var/cache/nginx", "readOnly": False},
    ]


def test_health_check_user_stop_timeout_and_command() -> None:
    c = build(health_check=HealthCheckSpec(command=["CMD", "/bin/health"], interval=10, timeout=3,
                                           retries=5, start_period=20),
              user="1000:1000", stop_timeout=90, command=["serve", "--port", "80"])  # fmt: skip
    assert c["healthCheck"] == {"command": ["CMD", "/bin/health"], "interval": 10, "timeout": 3,
                                "retries": 5, "startPeriod": 20}  # fmt: skip
    assert (c["user"], c["stopTimeout"], c["command"]) == ("1000:1000", 90, ["serve", "--port", "80"])


# --- what AWS echoes back (no new revision on every `pulumi up`) -----------------------------


def test_a_health_check_without_start_period_sends_none() -> None:
    # AWS's default start period (0) is not echoed back, and the provider does not fill it in.
    hc = build(health_check=HealthCheckSpec(command=("CMD", "true")))["healthCheck"]
    assert "startPeriod" not in hc
    assert echo_problems([build(health_check=HealthCheckSpec(command=("CMD", "true")))]) == []


def test_echo_problems_names_what_aws_would_not_echo() -> None:
    sent: list[dict[str, Any]] = [{"name": "a", "healthCheck": {"command": ["CMD", "true"], "startPeriod": 0}, "linuxParameters": {},
             "mountPoints": [], "user": None,
             "x": {"linuxParameters": {"capabilities": {"add": [], "drop": []}}}}]  # fmt: skip
    assert echo_problems(sent) == ["0.healthCheck.startPeriod: 0", "0.linuxParameters: {}", "0.mountPoints: []",
                                   "0.user: null", "0.x.linuxParameters.capabilities.drop: []"]  # fmt: skip


@pytest.mark.parametrize("stack", STACKS)
def test_every_container_definition_is_sent_as_aws_echoes_it(stack: str) -> None:
    for task in stack_run(stack).of_type("aws:ecs/taskDefinition:TaskDefinition"):
        assert echo_problems(containers(task)) == [], task.name


def test_a_second_evaluation_registers_identical_task_definitions() -> None:
    overrides = {"services": {"api": {"image": "nginx", "user": "1000", "port": 8080,
                                      "healthCheck": {"command": "true"}, "writablePaths": ["/tmp"],
                                      "sidecars": {"agent": {"image": "a", "user": "1000", "essential": False}}}}}
    first, second = run_program("dev", overrides), run_program("dev", overrides)
    assert first.error is None and second.error is None

    def inputs(run: Any) -> dict[str, Any]:
        return {t.name: t.inputs for t in run.of_type("aws:ecs/taskDefinition:TaskDefinition")}

    assert inputs(first) == inputs(second)
    assert echo_problems(containers(first.one("aws:ecs/taskDefinition:TaskDefinition"))) == []
