"""The pre-deploy run's logic offline, on botocore's Stubber: ECS and STS answer as they would,
the clock and the sleep are the test's, so nothing waits and nothing reaches AWS. Every input
goes through the engine's own serialization first (:func:`tests.engine_wire.as_engine_sends`):
numbers arrive as floats, as they do in a real ``pulumi up``."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator, Mapping
from typing import Any

import botocore.session
import pulumi
import pytest
from botocore.stub import ANY, Stubber

from ecs_platform import predeploy
from ecs_platform.predeploy import PreDeployError, RunTaskProvider, run_and_wait, run_task_args
from ecs_platform.specs.provider import AssumeRoleSpec, AwsProviderSpec
from tests.engine_wire import as_engine_sends, current_loop

ACCOUNT = "123456789012"
CLUSTER = f"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/ecs-cluster-1"
TASK_DEF = f"arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/ecs-platform-dev-migrate:2"
TASK = f"arn:aws:ecs:us-east-1:{ACCOUNT}:task/ecs-cluster-1/0123456789abcdef0123456789abcdef"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/deployer"
INPUTS: dict[str, Any] = {
    "jobName": "migrate",
    "cluster": CLUSTER,
    "taskDefinitionArn": TASK_DEF,
    "containerName": "migrate",
    "region": "us-east-1",
    "accountId": ACCOUNT,
    "subnets": ["subnet-a", "subnet-b"],
    "securityGroups": ["sg-1"],
    "capacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1, "base": 0}],
    "launchType": None,
    "platformVersion": "LATEST",
    "timeoutSeconds": 600,
    **predeploy.credential_inputs(None),
}
PROPS = as_engine_sends(INPUTS)
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
LIST_ARGS = {"cluster": CLUSTER, "family": "ecs-platform-dev-migrate"}


@pytest.fixture(autouse=True)
def _loop() -> None:
    """Secret inputs are Outputs, which need a current event loop, as in a Pulumi program."""
    current_loop()


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


@functools.cache
def _session() -> botocore.session.Session:
    """One botocore session for the module: it loads each service's API model once, and every
    client made from it is new (a test's Stubber never sees another test's client)."""
    return botocore.session.get_session()


def client(service: str) -> Any:
    return _session().create_client(
        service, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test"
    )


@pytest.fixture
def ecs() -> Iterator[tuple[Any, Stubber]]:
    c = client("ecs")
    with Stubber(c) as stub:
        yield c, stub
        stub.assert_no_pending_responses()


def nothing_left(stub: Stubber) -> None:
    stub.add_response("list_tasks", {"taskArns": []}, LIST_ARGS)


def started(stub: Stubber) -> None:
    nothing_left(stub)
    stub.add_response("run_task", {"tasks": [{"taskArn": TASK, "lastStatus": "PROVISIONING"}], "failures": []},
                      RUN_TASK_ARGS)


def status(stub: Stubber, last: str, **task: Any) -> None:
    stub.add_response("describe_tasks", {"tasks": [{"taskArn": TASK, "lastStatus": last, **task}], "failures": []},
                      {"cluster": CLUSTER, "tasks": [TASK]})


def missing(stub: Stubber) -> None:
    stub.add_response("describe_tasks", {"tasks": [], "failures": [{"arn": TASK, "reason": "MISSING"}]},
                      {"cluster": CLUSTER, "tasks": [TASK]})


def stopped_by_us(stub: Stubber) -> None:
    stub.add_response("stop_task", {"task": {"taskArn": TASK, "lastStatus": "STOPPING"}},
                      {"cluster": CLUSTER, "task": TASK, "reason": ANY})


def run(c: Any, clock: Clock, props: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return run_and_wait(c, props or PROPS, sleep=clock.sleep, clock=clock, poll_seconds=6)


def done(stub: Stubber, code: int = 0) -> None:
    status(stub, "STOPPED", stopCode="EssentialContainerExited", stoppedReason="Essential container in task exited",
           containers=[{"name": "migrate", "lastStatus": "STOPPED", "exitCode": code}])


# --- the engine's wire format -------------------------------------------------------------------


def test_the_engine_delivers_numbers_as_floats_and_runtask_gets_ints() -> None:
    assert PROPS["capacityProviderStrategy"] == [{"capacityProvider": "FARGATE", "weight": 1.0, "base": 0.0}]
    assert isinstance(PROPS["capacityProviderStrategy"][0]["weight"], float)
    strategy = run_task_args(PROPS)["capacityProviderStrategy"]
    assert strategy == [{"capacityProvider": "FARGATE", "weight": 1, "base": 0}]
    assert all(type(s[k]) is int for s in strategy for k in ("weight", "base"))


def test_botocore_accepts_the_run_task_call_built_from_engine_inputs(ecs) -> None:
    # Stubber runs botocore's parameter validation, which refuses a float weight or base.
    c, stub = ecs
    started(stub)
    done(stub)
    assert run(c, Clock()) == {"taskArn": TASK, "exitCode": 0}


def test_a_number_that_is_not_whole_is_refused_by_name() -> None:
    props = as_engine_sends({**INPUTS, "capacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1.5}]})
    with pytest.raises(PreDeployError, match=r"1\.5 is not a whole number"):
        run_task_args(props)


# --- the run ---------------------------------------------------------------------------------------


def test_success_waits_until_the_task_stops_with_exit_code_0(ecs) -> None:
    c, stub = ecs
    clock = Clock()
    started(stub)
    status(stub, "PENDING")
    status(stub, "RUNNING", containers=[{"name": "migrate", "lastStatus": "RUNNING"}])
    done(stub)
    assert run(c, clock) == {"taskArn": TASK, "exitCode": 0}
    assert clock.sleeps == [6, 6]


def test_non_zero_exit_fails_with_the_exit_code_and_stop_reason(ecs) -> None:
    c, stub = ecs
    started(stub)
    status(stub, "STOPPED", stopCode="EssentialContainerExited", stoppedReason="Essential container in task exited",
           containers=[{"name": "migrate", "lastStatus": "STOPPED", "exitCode": 3, "reason": "migration 0042 failed"}])
    with pytest.raises(PreDeployError) as exc:
        run(c, Clock())
    assert str(exc.value) == (
        f"pre-deploy job migrate exited with code 3 (task {TASK}; stop code EssentialContainerExited, stopped "
        "reason: Essential container in task exited, container reason: migration 0042 failed); nothing that "
        "depends on it was deployed"
    )


def test_a_task_ecs_cannot_place_fails_with_runtask_failures(ecs) -> None:
    c, stub = ecs
    nothing_left(stub)
    stub.add_response("run_task", {"tasks": [], "failures": [{"arn": CLUSTER, "reason": "RESOURCE:MEMORY",
                                                                "detail": "no capacity"}]}, RUN_TASK_ARGS)
    with pytest.raises(PreDeployError) as exc:
        run(c, Clock())
    assert str(exc.value) == "pre-deploy job migrate failed to start: RESOURCE:MEMORY (no capacity)"


def test_a_container_that_never_starts_fails_with_the_stop_code(ecs) -> None:
    c, stub = ecs
    started(stub)
    status(stub, "STOPPED", stopCode="TaskFailedToStart",
           stoppedReason="CannotPullContainerError: pull image manifest has been retried 5 time(s)",
           containers=[{"name": "migrate", "lastStatus": "STOPPED"}])
    with pytest.raises(PreDeployError) as exc:
        run(c, Clock())
    assert str(exc.value) == (
        f"pre-deploy job migrate failed to start its container (task {TASK}; stop code TaskFailedToStart, stopped "
        "reason: CannotPullContainerError: pull image manifest has been retried 5 time(s)); nothing that depends "
        "on it was deployed"
    )


def test_a_task_running_past_the_timeout_is_stopped_and_fails(ecs) -> None:
    c, stub = ecs
    clock = Clock()
    started(stub)
    for _ in range(3):  # at 0, 6 and 12 seconds; the deadline is 12
        status(stub, "RUNNING")
    stopped_by_us(stub)
    with pytest.raises(PreDeployError) as exc:
        run(c, clock, as_engine_sends({**INPUTS, "timeoutSeconds": 12}))
    assert str(exc.value) == (f"pre-deploy job migrate ran longer than 12 seconds and was stopped (task {TASK}); "
                              "nothing that depends on it was deployed")
    assert clock.now == 12


def test_on_external_capacity_it_asks_for_the_launch_type_and_no_network() -> None:
    c = client("ecs")
    props = as_engine_sends({**INPUTS, "subnets": None, "securityGroups": [], "capacityProviderStrategy": [],
                             "launchType": "EXTERNAL", "platformVersion": None})
    expected = {k: v for k, v in RUN_TASK_ARGS.items()
                if k not in ("networkConfiguration", "capacityProviderStrategy", "platformVersion")}
    with Stubber(c) as stub:
        nothing_left(stub)
        stub.add_response("run_task", {"tasks": [], "failures": [{"reason": "NO_CAPACITY"}]},
                          {**expected, "launchType": "EXTERNAL"})
        with pytest.raises(PreDeployError, match="failed to start: NO_CAPACITY"):
            run_and_wait(c, props, sleep=lambda _: None, clock=lambda: 0.0)


# --- eventual consistency -----------------------------------------------------------------------------


def test_a_task_describe_tasks_does_not_know_yet_is_waited_for_with_backoff(ecs) -> None:
    # RunTask reference: DescribeTasks may lag RunTask; poll with exponential backoff.
    c, stub = ecs
    clock = Clock()
    started(stub)
    for _ in range(3):
        missing(stub)
    status(stub, "RUNNING")
    done(stub)
    assert run(c, clock) == {"taskArn": TASK, "exitCode": 0}
    assert clock.sleeps == [2, 4, 8, 6]


def test_a_task_that_stays_unknown_is_stopped_after_five_minutes_and_fails(ecs) -> None:
    c, stub = ecs
    clock = Clock()
    started(stub)
    # 2+4+8+16+32+60+60+60+60 = 302 s of backoff: ten answers, the last past the bound
    for _ in range(10):
        missing(stub)
    stopped_by_us(stub)
    with pytest.raises(PreDeployError) as exc:
        run(c, clock)
    assert str(exc.value).startswith(f"task {TASK} of pre-deploy job migrate was still unknown to DescribeTasks "
                                     "300 seconds after RunTask started it")
    assert clock.sleeps == [2, 4, 8, 16, 32, 60, 60, 60, 60]


# --- no orphan runs ----------------------------------------------------------------------------------


def test_throttling_while_waiting_stops_the_task_before_failing(ecs) -> None:
    c, stub = ecs
    started(stub)
    status(stub, "RUNNING")
    stub.add_client_error("describe_tasks", service_error_code="ThrottlingException", service_message="Rate exceeded",
                          http_status_code=400)
    stopped_by_us(stub)
    with pytest.raises(PreDeployError) as exc:
        run(c, Clock())
    assert f"its task {TASK} was stopped" in str(exc.value) and "ThrottlingException" in str(exc.value)


def test_an_api_error_while_waiting_stops_the_task_before_failing(ecs) -> None:
    c, stub = ecs
    started(stub)
    stub.add_client_error("describe_tasks", service_error_code="ServerException", service_message="internal",
                          http_status_code=500)
    stopped_by_us(stub)
    with pytest.raises(PreDeployError, match="was stopped"):
        run(c, Clock())


def test_a_cancelled_pulumi_up_stops_the_task_and_lets_the_interrupt_through(ecs) -> None:
    c, stub = ecs
    started(stub)
    status(stub, "RUNNING")
    stopped_by_us(stub)

    def interrupted(_: float) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_and_wait(c, PROPS, sleep=interrupted, clock=Clock(), poll_seconds=6)


def test_a_provider_shutting_down_wakes_the_wait_and_stops_the_task(ecs, monkeypatch) -> None:
    event = threading.Event()
    monkeypatch.setattr(predeploy, "CANCELLED", event)
    c, stub = ecs
    started(stub)
    status(stub, "RUNNING")
    stopped_by_us(stub)

    def shutdown(_: float) -> None:  # what the atexit hook does while the run waits
        event.set()

    with pytest.raises(KeyboardInterrupt):
        run_and_wait(c, PROPS, sleep=shutdown, clock=Clock(), poll_seconds=6)


def test_a_run_left_over_from_a_killed_pulumi_up_is_refused_before_a_second_starts(ecs) -> None:
    c, stub = ecs
    by_hand = TASK.replace("0123", "4567")
    stub.add_response("list_tasks", {"taskArns": [TASK, by_hand]}, LIST_ARGS)
    stub.add_response("describe_tasks", {"tasks": [
        {"taskArn": TASK, "lastStatus": "RUNNING", "startedBy": "pulumi-predeploy"},
        {"taskArn": by_hand, "lastStatus": "RUNNING", "startedBy": "alice"}]},
        {"cluster": CLUSTER, "tasks": [TASK, by_hand]})  # fmt: skip
    with pytest.raises(PreDeployError) as exc:
        run(c, Clock())
    assert str(exc.value).startswith(f"pre-deploy job migrate is still running from an earlier pulumi up ({TASK})")


def test_a_run_of_the_job_started_by_hand_does_not_block_the_pre_deploy_run(ecs) -> None:
    c, stub = ecs
    stub.add_response("list_tasks", {"taskArns": [TASK]}, LIST_ARGS)
    stub.add_response("describe_tasks", {"tasks": [{"taskArn": TASK, "lastStatus": "RUNNING", "startedBy": "alice"}]},
                      {"cluster": CLUSTER, "tasks": [TASK]})
    stub.add_response("run_task", {"tasks": [{"taskArn": TASK}], "failures": []}, RUN_TASK_ARGS)
    done(stub)
    assert run(c, Clock()) == {"taskArn": TASK, "exitCode": 0}


# --- the provider's credentials and account ----------------------------------------------------------


class Clients:
    """A client factory that hands out stubbed clients and records the credentials asked for."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, dict[str, str]]] = []
        self.stubs: dict[str, list[tuple[Any, Stubber]]] = {"sts": [], "ecs": []}

    def add(self, service: str) -> Stubber:
        c = client(service)
        stub = Stubber(c)
        stub.activate()
        self.stubs[service].append((c, stub))
        return stub

    def __call__(self, service: str, region: str, session: Mapping[str, str]) -> Any:
        assert region == "us-east-1"
        self.asked.append((service, dict(session)))
        c, _ = self.stubs[service].pop(0)
        return c


def identity(stub: Stubber, account: str = ACCOUNT) -> None:
    stub.add_response("get_caller_identity", {"Account": account, "Arn": f"arn:aws:sts::{account}:assumed-role/x/y",
                                              "UserId": "AROA:x"}, {})


def test_the_run_assumes_the_providers_roles_in_order_and_checks_the_account_first() -> None:
    creds = AwsProviderSpec(profile="ops", assume_roles=(
        AssumeRoleSpec(role_arn="arn:aws:iam::111111111111:role/hop", external_id="x-1"),
        AssumeRoleSpec(role_arn=ROLE, session_name="deploy", duration="1h"),
    ))
    props = as_engine_sends({**INPUTS, **predeploy.credential_inputs(creds)})
    clients = Clients()
    clients.add("sts").add_response("assume_role", {"Credentials": {
        "AccessKeyId": "AKIAHOPHOPHOPHOP0", "SecretAccessKey": "s1", "SessionToken": "t1",
        "Expiration": "2030-01-01T00:00:00Z"}}, {"RoleArn": "arn:aws:iam::111111111111:role/hop",
                                                  "RoleSessionName": "pulumi-predeploy", "ExternalId": "x-1"})
    clients.add("sts").add_response("assume_role", {"Credentials": {
        "AccessKeyId": "AKIADEPLOYDEPLOY0", "SecretAccessKey": "s2", "SessionToken": "t2",
        "Expiration": "2030-01-01T00:00:00Z"}}, {"RoleArn": ROLE, "RoleSessionName": "deploy",
                                                  "DurationSeconds": 3600})
    identity(clients.add("sts"))
    ecs_stub = clients.add("ecs")
    ecs_client = predeploy.ecs_for_stack(props, clients)
    assert ecs_client is not None
    assert clients.asked == [
        ("sts", {"profile_name": "ops"}),
        ("sts", {"aws_access_key_id": "AKIAHOPHOPHOPHOP0", "aws_secret_access_key": "s1", "aws_session_token": "t1"}),
        ("sts", {"aws_access_key_id": "AKIADEPLOYDEPLOY0", "aws_secret_access_key": "s2", "aws_session_token": "t2"}),
        ("ecs", {"aws_access_key_id": "AKIADEPLOYDEPLOY0", "aws_secret_access_key": "s2", "aws_session_token": "t2"}),
    ]
    ecs_stub.assert_no_pending_responses()


def test_static_keys_win_over_the_profile_as_in_the_provider() -> None:
    creds = AwsProviderSpec(profile="ops", access_key="AKIASTATIC", secret_key="secret", token="tok")
    props = as_engine_sends({**INPUTS, **predeploy.credential_inputs(creds)})
    assert predeploy.session_args(predeploy.plain_inputs(props), "us-east-1", Clients()) == {
        "aws_access_key_id": "AKIASTATIC", "aws_secret_access_key": "secret", "aws_session_token": "tok"}


def test_credentials_of_another_account_run_nothing() -> None:
    clients = Clients()
    identity(clients.add("sts"), "999999999999")
    provider = RunTaskProvider(clients=clients)
    with pytest.raises(PreDeployError) as exc:
        provider.create(dict(PROPS))
    assert str(exc.value).startswith("the pre-deploy run's credentials are of account 999999999999 "
                                     "(arn:aws:sts::999999999999:assumed-role/x/y), not the stack's account "
                                     f"{ACCOUNT}: nothing was run")
    assert [service for service, _ in clients.asked] == ["sts"]  # no ECS client was even made


def test_an_unknown_stack_account_runs_nothing() -> None:
    with pytest.raises(PreDeployError, match="the stack's account is unknown"):
        RunTaskProvider(clients=Clients()).create(as_engine_sends({**INPUTS, "accountId": ""}))


def test_the_keys_are_secret_inputs_and_never_outputs() -> None:
    inputs = predeploy.credential_inputs(AwsProviderSpec(access_key="AKIA1", secret_key="s", token="t"))
    for key in predeploy.SECRET_KEYS:
        assert isinstance(inputs[key], pulumi.Output)
    clients = Clients()
    identity(clients.add("sts"))
    stub = clients.add("ecs")
    stub.add_response("list_tasks", {"taskArns": []}, LIST_ARGS)
    stub.add_response("run_task", {"tasks": [{"taskArn": TASK}], "failures": []}, RUN_TASK_ARGS)
    stub.add_response("describe_tasks", {"tasks": [{"taskArn": TASK, "lastStatus": "STOPPED", "containers": [
        {"name": "migrate", "exitCode": 0}]}], "failures": []}, {"cluster": CLUSTER, "tasks": [TASK]})
    props = {**PROPS, "awsAccessKey": "AKIA1", "awsSecretKey": "s", "awsToken": "t"}
    result = RunTaskProvider(clients=clients).create(props)
    assert result.outs is not None and not set(predeploy.SECRET_KEYS) & set(result.outs)
    assert result.outs["exitCode"] == 0


# --- updates ----------------------------------------------------------------------------------------------


class Recorder:
    """A client factory that records what it was asked for and refuses to be used."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def __call__(self, service: str, region: str, session: Mapping[str, str]) -> Any:
        self.asked.append(f"{service}@{region}")
        raise AssertionError("AWS was called")


def test_update_runs_again_only_when_the_task_definition_changes() -> None:
    recorder = Recorder()
    provider = RunTaskProvider(clients=recorder)
    olds = as_engine_sends({**INPUTS, "taskArn": TASK, "exitCode": 0})
    news = as_engine_sends({**INPUTS, "subnets": ["subnet-c"], "timeoutSeconds": 900})
    assert provider.diff("id", olds, news).changes is True
    result = provider.update("id", olds, news)
    assert recorder.asked == []
    assert result.outs is not None
    assert result.outs["taskArn"] == TASK and result.outs["subnets"] == ["subnet-c"]
    with pytest.raises(AssertionError, match="AWS was called"):
        provider.update("id", olds, as_engine_sends({**INPUTS, "taskDefinitionArn": TASK_DEF.replace(":2", ":3")}))
    assert recorder.asked == ["sts@us-east-1"]


def test_nothing_changed_means_no_update() -> None:
    provider = RunTaskProvider(clients=Recorder())
    assert provider.diff("id", as_engine_sends({**INPUTS, "taskArn": TASK}), PROPS).changes is False


def test_new_credentials_alone_run_nothing() -> None:
    provider = RunTaskProvider(clients=Recorder())
    news = as_engine_sends({**INPUTS, **predeploy.credential_inputs(AwsProviderSpec(profile="other"))})
    assert provider.diff("id", as_engine_sends({**INPUTS, "taskArn": TASK}), news).changes is False


def test_the_engine_gets_the_provider_back_from_its_serialized_form() -> None:
    import base64

    import dill  # type: ignore[import-untyped]
    from pulumi.dynamic.dynamic import serialize_provider

    provider = dill.loads(base64.b64decode(serialize_provider(RunTaskProvider())))
    assert isinstance(provider, RunTaskProvider)
