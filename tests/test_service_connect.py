"""Service Connect as AWS documents it: the proxy's share of the task
(https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-connect-concepts-deploy.html). The served
port's protocol is ``serviceConnect.appProtocol`` (issue 22's tests)."""

from __future__ import annotations

from typing import Any

import pytest

from ecs_platform.errors import ConfigError
from ecs_platform.specs import PlatformSpec
from ecs_platform.tools.mock_cloud import StackRun
from ecs_platform.tools.preview.cost import estimate

NS = "ecs-platform:"
TASKDEF = "aws:ecs/taskDefinition:TaskDefinition"


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
