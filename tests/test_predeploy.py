"""The pre-deploy run's logic offline, on botocore's Stubber: ECS answers as it would, the
clock and the sleep are the test's, so nothing waits and nothing reaches AWS."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest
from botocore.stub import ANY, Stubber

from ecs_platform.predeploy import PreDeployError, RunTaskProvider, run_and_wait

CLUSTER = "arn:aws:ecs:us-east-1:123456789012:cluster/ecs-cluster-1"
TASK_DEF = "arn:aws:ecs:us-east-1:123456789012:task-definition/ecs-platform-dev-migrate:2"
TASK = "arn:aws:ecs:us-east-1:123456789012:task/ecs-cluster-1/0123456789abcdef0123456789abcdef"
PROPS: dict[str, Any] = {
    "jobName": "migrate",
    "cluster": CLUSTER,
    "taskDefinitionArn": TASK_DEF,
    "containerName": "migrate",
    "region": "us-east-1",
    "subnets": ["subnet-a", "subnet-b"],
    "securityGroups": ["sg-1"],
    "capacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1, "base": 0}],
    "launchType": None,
    "platformVersion": "LATEST",
    "timeoutSeconds": 600,
}
RUN_TASK_ARGS = {
    "cluster": CLUSTER,
    "taskDefinition": TASK_DEF,
    "count": 1,
    "startedBy": "pulumi-predeploy",
    "enableECSManagedTags": True,
    "propagateTags": "TASK_DEFINITION",
    "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-a", "subnet-b"],
                                                     "securityGroups": ["sg-1"], "assignPublicIp": "DISABLED"}},
    "capacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1, "base": 0}],
    "platformVersion": "LATEST",
}


class Clock:
    """A clock that moves only when the code sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def ecs():
    client = botocore.session.get_session().create_client(
        "ecs", region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test"
    )
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()


def started(stub: Stubber) -> None:
    stub.add_response("run_task", {"tasks": [{"taskArn": TASK, "lastStatus": "PROVISIONING"}], "failures": []},
                      RUN_TASK_ARGS)


def status(stub: Stubber, last: str, **task: Any) -> None:
    stub.add_response("describe_tasks", {"tasks": [{"taskArn": TASK, "lastStatus": last, **task}], "failures": []},
                      {"cluster": CLUSTER, "tasks": [TASK]})


def run(client: Any, clock: Clock, props: dict[str, Any] | None = None) -> dict[str, Any]:
    return run_and_wait(client, props or PROPS, sleep=clock.sleep, clock=clock, poll_seconds=6)


def test_success_waits_until_the_task_stops_with_exit_code_0(ecs) -> None:
    client, stub = ecs
    clock = Clock()
    started(stub)
    status(stub, "PENDING")
    status(stub, "RUNNING", containers=[{"name": "migrate", "lastStatus": "RUNNING"}])
    status(stub, "STOPPED", stopCode="EssentialContainerExited", stoppedReason="Essential container in task exited",
           containers=[{"name": "migrate", "lastStatus": "STOPPED", "exitCode": 0}])
    assert run(client, clock) == {"taskArn": TASK, "exitCode": 0}
    assert clock.sleeps == [6, 6]


def test_non_zero_exit_fails_with_the_exit_code_and_stop_reason(ecs) -> None:
    client, stub = ecs
    started(stub)
    status(stub, "STOPPED", stopCode="EssentialContainerExited", stoppedReason="Essential container in task exited",
           containers=[{"name": "migrate", "lastStatus": "STOPPED", "exitCode": 3, "reason": "migration 0042 failed"}])
    with pytest.raises(PreDeployError) as exc:
        run(client, Clock())
    assert str(exc.value) == (
        f"pre-deploy job migrate exited with code 3 (task {TASK}; stop code EssentialContainerExited, stopped "
        "reason: Essential container in task exited, container reason: migration 0042 failed); nothing that "
        "depends on it was deployed"
    )


def test_a_task_ecs_cannot_place_fails_with_runtask_failures(ecs) -> None:
    client, stub = ecs
    stub.add_response("run_task", {"tasks": [], "failures": [{"arn": CLUSTER, "reason": "RESOURCE:MEMORY",
                                                                "detail": "no capacity"}]}, RUN_TASK_ARGS)
    with pytest.raises(PreDeployError) as exc:
        run(client, Clock())
    assert str(exc.value) == "pre-deploy job migrate failed to start: RESOURCE:MEMORY (no capacity)"


def test_a_container_that_never_starts_fails_with_the_stop_code(ecs) -> None:
    client, stub = ecs
    started(stub)
    status(stub, "STOPPED", stopCode="TaskFailedToStart",
           stoppedReason="CannotPullContainerError: pull image manifest has been retried 5 time(s)",
           containers=[{"name": "migrate", "lastStatus": "STOPPED"}])
    with pytest.raises(PreDeployError) as exc:
        run(client, Clock())
    assert str(exc.value) == (
        f"pre-deploy job migrate failed to start its container (task {TASK}; stop code TaskFailedToStart, stopped "
        "reason: CannotPullContainerError: pull image manifest has been retried 5 time(s)); nothing that depends "
        "on it was deployed"
    )


def test_a_task_running_past_the_timeout_is_stopped_and_fails(ecs) -> None:
    client, stub = ecs
    clock = Clock()
    started(stub)
    for _ in range(3):  # at 0, 6 and 12 seconds; the deadline is 12
        status(stub, "RUNNING")
    stub.add_response("stop_task", {"task": {"taskArn": TASK, "lastStatus": "STOPPING"}},
                      {"cluster": CLUSTER, "task": TASK, "reason": ANY})
    with pytest.raises(PreDeployError) as exc:
        run(client, clock, {**PROPS, "timeoutSeconds": 12})
    assert str(exc.value) == (f"pre-deploy job migrate ran longer than 12 seconds and was stopped (task {TASK}); "
                              "nothing that depends on it was deployed")
    assert clock.now == 12


def test_on_external_capacity_it_asks_for_the_launch_type_and_no_network() -> None:
    client = botocore.session.get_session().create_client(
        "ecs", region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test"
    )
    props = {**PROPS, "subnets": None, "securityGroups": [], "capacityProviderStrategy": [],
             "launchType": "EXTERNAL", "platformVersion": None}
    expected = {k: v for k, v in RUN_TASK_ARGS.items()
                if k not in ("networkConfiguration", "capacityProviderStrategy", "platformVersion")}
    with Stubber(client) as stub:
        stub.add_response("run_task", {"tasks": [], "failures": [{"reason": "NO_CAPACITY"}]},
                          {**expected, "launchType": "EXTERNAL"})
        with pytest.raises(PreDeployError, match="failed to start: NO_CAPACITY"):
            run_and_wait(client, props, sleep=lambda _: None, clock=lambda: 0.0)


class Recorder:
    """An ECS client factory that records the regions asked for and refuses to be used."""

    def __init__(self) -> None:
        self.regions: list[str] = []

    def __call__(self, region: str) -> Any:
        self.regions.append(region)
        raise AssertionError("ECS was called")


def test_update_runs_again_only_when_the_task_definition_changes() -> None:
    recorder = Recorder()
    provider = RunTaskProvider(client_factory=recorder)
    olds = {**PROPS, "taskArn": TASK, "exitCode": 0}
    news = {**PROPS, "subnets": ["subnet-c"], "timeoutSeconds": 900}
    assert provider.diff("id", olds, news).changes is True
    result = provider.update("id", olds, news)
    assert recorder.regions == []
    assert result.outs is not None
    assert result.outs["taskArn"] == TASK and result.outs["subnets"] == ["subnet-c"]
    with pytest.raises(AssertionError, match="ECS was called"):
        provider.update("id", olds, {**news, "taskDefinitionArn": TASK_DEF.replace(":2", ":3")})
    assert recorder.regions == ["us-east-1"]


def test_nothing_changed_means_no_update() -> None:
    provider = RunTaskProvider(client_factory=Recorder())
    assert provider.diff("id", {**PROPS, "taskArn": TASK}, dict(PROPS)).changes is False


def test_the_engine_gets_the_provider_back_from_its_serialized_form() -> None:
    import base64

    import dill  # type: ignore[import-untyped]
    from pulumi.dynamic.dynamic import serialize_provider

    provider = dill.loads(base64.b64decode(serialize_provider(RunTaskProvider())))
    assert isinstance(provider, RunTaskProvider)
