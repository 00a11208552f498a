"""Service Connect as AWS documents it: the protocol of the served port, and the proxy's share of
the task (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-connect-concepts-deploy.html)."""

from __future__ import annotations

from typing import Any

import pytest

from ecs_platform.errors import ConfigError
from ecs_platform.specs import PlatformSpec
from ecs_platform.tools.mock_cloud import StackRun, run_program
from ecs_platform.tools.preview.cost import estimate
from tests.conftest import containers

NS = "ecs-platform:"
TASKDEF = "aws:ecs/taskDefinition:TaskDefinition"


def mapping(run: StackRun, service: str) -> dict[str, Any]:
    [app] = [c for c in containers(run.one(TASKDEF, f"ecs-{service}-task")) if c["name"] == service]
    found: dict[str, Any] = app["portMappings"][0]
    return found


def test_the_port_service_connect_serves_speaks_http_by_default(prod: StackRun) -> None:
    assert mapping(prod, "api")["appProtocol"] == "http"
    # web has no callers: Service Connect serves none of its ports.
    assert "appProtocol" not in mapping(prod, "web")


@pytest.mark.parametrize("protocol", ["http2", "grpc"])
def test_grpc_and_http2_on_request(protocol: str) -> None:
    run = run_program("prod", {"services.api.appProtocol": protocol})
    assert run.error is None, run.error
    assert mapping(run, "api")["appProtocol"] == protocol


@pytest.mark.parametrize(("overrides", "expected"), [
    ({"services.api.appProtocol": "tcp"},
     f'{NS}services.api.appProtocol: "tcp" is not allowed (allowed: http, http2, grpc)'),
    ({"services.web.appProtocol": "grpc"},
     f'{NS}services.web.appProtocol: "grpc" is set, and no service calls this one through Service Connect (allowed: '
     "appProtocol with callers)"),
])  # fmt: skip
def test_other_protocols_and_protocols_nothing_serves_are_refused(overrides: dict[str, Any], expected: str) -> None:
    run = run_program("prod", overrides)
    assert run.resources == []
    assert run.error.problems == [expected]  # type: ignore[union-attr]


def _pair(**api: Any) -> dict[str, Any]:
    base = {"image": "nginx:1", "user": "1:1", "port": 8080}
    return {"services": {"api": {**base, "callers": ["web"], **api}, "web": {**base}}}


def test_the_proxy_s_headroom_counts_in_the_task_size_of_both_ends() -> None:
    spec = _pair(sidecars={"agent": {"image": "agent:1", "user": "1:1", "cpu": 128, "memory": 480}})
    with pytest.raises(ConfigError) as caught:
        PlatformSpec.parse(spec, NS)
    assert caught.value.problems == [
        f"{NS}services.api.cpu: 256 leaves no room for the Service Connect proxy: its 256 CPU units and the "
        "sidecars' 128 reserve 384 (allowed: a task cpu of at least 384; AWS recommends 256 CPU units of headroom "
        "for the proxy)",
        f"{NS}services.api.memory: 512 leaves nothing for the application beside the Service Connect proxy's 64 MiB "
        "and the sidecars' 480 MiB (allowed: more than 544; AWS recommends 64 MiB of headroom for the proxy)"]
    # Without Service Connect the same sidecar fits.
    alone = {"services": {"api": {**spec["services"]["api"], "callers": []}}}
    PlatformSpec.parse(alone, NS)
    # The caller gets the proxy too.
    caller = _pair()
    caller["services"]["web"]["sidecars"] = {"agent": {"image": "agent:1", "user": "1:1", "memory": 448}}
    with pytest.raises(ConfigError) as caught:
        PlatformSpec.parse(caller, NS)
    assert [p.split(":")[1] for p in caught.value.problems] == ["services.web.memory"]


def test_the_cost_line_says_the_proxy_runs_in_the_task(prod: StackRun) -> None:
    lines = {line.item: line.detail for line in estimate(prod).lines}
    assert "incl. Service Connect proxy 0.25 vCPU / 64 MiB" in lines["Fargate ecs-api"]
    assert "Service Connect" in lines["Fargate ecs-web"]  # web calls api: it has the proxy too
