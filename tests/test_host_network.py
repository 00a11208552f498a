"""Host network mode on EC2 reaches the instance role: refused unless waived
(https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html)."""

from __future__ import annotations

from typing import Any

from ecs_platform.tools.mock_cloud import run_program

NS = "ecs-platform:"
API: dict[str, Any] = {"image": "nginx:1", "user": "1:1", "port": 8080, "networkMode": "host"}


def test_host_mode_on_ec2_is_refused_naming_why() -> None:
    run = run_program("dev", {"launchType": "EC2", "services": {"api": API}})
    assert run.resources == []
    assert run.error.problems == [  # type: ignore[union-attr]
        f'{NS}services.api.networkMode: "host" on EC2 lets the task read the instance role\'s credentials: it '
        "shares the instance's network, where ECS's metadata blocking and the hop limit do not reach (allowed: "
        "awsvpc or bridge, or waivers: {host-instance-role: <why>})"]


def test_a_waiver_allows_it_and_is_recorded_on_the_task_definition() -> None:
    waived = {**API, "waivers": {"host-instance-role": "agent reads host metrics"}}
    run = run_program("dev", {"launchType": "EC2", "services": {"api": waived}})
    assert run.error is None, run.error
    tags = run.one("aws:ecs/taskDefinition:TaskDefinition", "ecs-api-task").outputs["tagsAll"]
    assert tags["ecs-platform:waiver:host-instance-role"] == "agent reads host metrics"
    assert "ecs-platform:waiver:ECS.17" in tags


def test_host_mode_on_external_machines_needs_no_such_waiver() -> None:
    # ECS Anywhere machines have no EC2 instance role to reach.
    run = run_program("dev", {"launchType": "EXTERNAL", "services": {"api": {**API}}})
    assert run.error is None, run.error


def test_the_waiver_without_host_mode_is_refused() -> None:
    svc = {**API, "networkMode": "awsvpc", "waivers": {"host-instance-role": "x"}}
    run = run_program("dev", {"launchType": "EC2", "services": {"api": svc}})
    assert run.resources == []
    assert run.error.problems == [  # type: ignore[union-attr]
        f"{NS}services.api.waivers.host-instance-role: waives a control this task keeps (allowed: only with "
        "networkMode: host on EC2)"]
