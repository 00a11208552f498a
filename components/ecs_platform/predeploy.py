"""Pre-deploy jobs (``runBefore``): run a job's task once during ``pulumi up`` and wait for it.

Built on Pulumi's own mechanism for deploy-time logic, a dynamic provider
(https://www.pulumi.com/docs/iac/concepts/resources/dynamic-providers/): :class:`PreDeployRun`
is a resource whose create, and whose update when the job's task definition ARN changes, call
ECS ``RunTask`` through boto3 and poll ``DescribeTasks`` until the task stops. The deployment
continues only when the job's container exits 0; otherwise it fails with the task's stop code,
stop reason and exit code, and whatever depends on the run (the services' new task definitions)
is not touched. Nothing happens on delete: a run cannot be undone.

What a real account adds, each handled here:

* **Who runs it**: the run acts as the AWS provider does (``aws:profile``, static keys,
  ``aws:assumeRoles``, handed over as inputs, secrets as secrets) and checks with
  ``sts:GetCallerIdentity`` that it is in the stack's account before ``RunTask``.
* **Eventual consistency**: ``DescribeTasks`` right after ``RunTask`` may not know the task
  yet; a missing task is "not visible yet" for :data:`VISIBILITY_SECONDS`, polled with
  exponential backoff, as the RunTask reference asks.
* **No orphan runs**: any error after ``RunTask`` (an API error, throttling, a cancelled
  ``pulumi up``) stops the task before the error is raised; and a run that is still going from an
  earlier, killed ``pulumi up`` is found (``ListTasks``) and refused before a second one starts.
* **The engine's wire format**: every number arrives as a float (a protobuf Struct); RunTask's
  integer fields get ints.

The logic (:func:`run_and_wait`) takes the AWS clients, the clock and the sleep as arguments, so
its tests run offline on botocore's Stubber without waiting.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ResourceProvider, UpdateResult

from ecs_platform.specs.provider import AwsProviderSpec, duration_seconds

#: The inputs whose change makes the run's resource change; only a new task definition runs
#: the job again (:meth:`RunTaskProvider.update`). Credentials are not among them: rotating a
#: key is no reason to run a migration.
INPUT_KEYS = ("cluster", "taskDefinitionArn", "containerName", "region", "subnets", "securityGroups",
              "capacityProviderStrategy", "launchType", "platformVersion", "timeoutSeconds",
              "volumeConfigurations")  # fmt: skip
#: The integer fields of RunTask's ``TaskManagedEBSVolumeConfiguration``, which arrive as floats.
EBS_INT_KEYS = ("sizeInGiB", "iops", "throughput")
#: Inputs that hold credentials: handed to boto3, never returned as outputs (state).
SECRET_KEYS = ("awsAccessKey", "awsSecretKey", "awsToken")
#: Seconds between two DescribeTasks calls while the job runs.
POLL_SECONDS = 6
#: How long a task RunTask returned may stay unknown to DescribeTasks, and the first wait.
#: "RunTask" (Amazon ECS API Reference): the ECS API is eventually consistent; run DescribeTasks
#: with an exponential backoff, starting with a couple of seconds and increasing gradually up to
#: about five minutes. https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html
VISIBILITY_SECONDS = 300
FIRST_BACKOFF_SECONDS = 2
#: ``startedBy`` of every pre-deploy task: how a leftover run of an earlier ``pulumi up`` is found.
STARTED_BY = "pulumi-predeploy"

#: Set when the process that runs the provider shuts down (the engine stopping the dynamic
#: provider on a cancelled ``pulumi up``): the wait wakes up, stops the task and fails.
CANCELLED = threading.Event()
# Called before the interpreter joins worker threads (concurrent.futures registers its own pool
# shutdown the same way, earlier, so this runs first): the gRPC worker that waits for the task is
# woken instead of being joined until the task ends, or killed with the task still running.
# (AttributeError: another interpreter; RuntimeError: the interpreter is already exiting.)
with contextlib.suppress(AttributeError, RuntimeError):
    threading._register_atexit(CANCELLED.set)  # type: ignore[attr-defined]


class PreDeployError(Exception):
    """The job did not exit 0: the deployment stops with this message."""


def _int(value: Any) -> int:
    """A number as RunTask's integer fields need it: the engine sends ``1.0`` for ``1``."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not float(value).is_integer():
        raise PreDeployError(f"{value!r} is not a whole number")
    return int(value)


def run_task_args(props: Mapping[str, Any]) -> dict[str, Any]:
    """``RunTask``'s arguments: one task of the job's task definition on the cluster, in the
    private subnets with no public IP, on the job's capacity provider strategy or launch type.
    Numbers are ints: boto3 validates RunTask's ``weight`` and ``base`` as integers and refuses the
    floats the engine delivers (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html)."""
    args: dict[str, Any] = {
        "cluster": props["cluster"],
        "taskDefinition": props["taskDefinitionArn"],
        "count": 1,
        "startedBy": STARTED_BY,
        "enableECSManagedTags": True,
        "propagateTags": "TASK_DEFINITION",
    }
    if props.get("subnets"):
        args["networkConfiguration"] = {
            "awsvpcConfiguration": {
                "subnets": list(props["subnets"]),
                "securityGroups": list(props.get("securityGroups") or []),
                "assignPublicIp": "DISABLED",
            }
        }
    strategy = props.get("capacityProviderStrategy") or []
    if strategy:
        args["capacityProviderStrategy"] = [
            {"capacityProvider": str(item["capacityProvider"]), "weight": _int(item.get("weight", 0)),
             "base": _int(item.get("base", 0))}
            for item in strategy
        ]  # fmt: skip
    elif props.get("launchType"):
        args["launchType"] = props["launchType"]
    if props.get("platformVersion"):
        args["platformVersion"] = props["platformVersion"]
    volumes = props.get("volumeConfigurations") or []
    if volumes:
        # The job's EBS volume, configured at launch (RunTask ``volumeConfigurations``).
        args["volumeConfigurations"] = [
            {"name": str(v["name"]), "managedEBSVolume": {
                k: (_int(x) if k in EBS_INT_KEYS else x) for k, x in dict(v["managedEBSVolume"]).items()}}
            for v in volumes
        ]  # fmt: skip
    return args


def _family(task_definition_arn: str) -> str:
    """``arn:...:task-definition/<family>:<revision>`` -> ``<family>``."""
    return task_definition_arn.rsplit("/", 1)[-1].rsplit(":", 1)[0]


#: (service, region, boto3 Session keyword arguments) -> a client. Tests pass stubbed clients.
ClientFactory = Callable[[str, str, Mapping[str, str]], Any]


def boto_client(service: str, region: str, session: Mapping[str, str]) -> Any:
    """boto3's client for ``service`` in ``region``, from a Session built with ``session``
    (a profile, or static or temporary keys; empty: boto3's default chain, as the provider's)."""
    import boto3

    return boto3.session.Session(**session).client(service, region_name=region)


def session_args(props: Mapping[str, Any], region: str, clients: ClientFactory) -> dict[str, str]:
    """The credentials the AWS provider would act with, as boto3 Session arguments: static keys
    (``aws:accessKey``/``aws:secretKey``/``aws:token``) over a profile (``aws:profile``) over the
    default chain, then each of ``aws:assumeRoles`` assumed in order with the previous
    credentials, as the provider's "Assume role" settings document it
    (https://www.pulumi.com/registry/packages/aws/api-docs/provider/)."""
    out: dict[str, str] = {}
    if props.get("awsAccessKey"):
        out = {"aws_access_key_id": str(props["awsAccessKey"]),
               "aws_secret_access_key": str(props.get("awsSecretKey") or "")}  # fmt: skip
        if props.get("awsToken"):
            out["aws_session_token"] = str(props["awsToken"])
    elif props.get("awsProfile"):
        out = {"profile_name": str(props["awsProfile"])}
    for role in props.get("awsAssumeRoles") or []:
        args: dict[str, Any] = {"RoleArn": role["roleArn"], "RoleSessionName": role.get("sessionName") or STARTED_BY}
        if role.get("externalId"):
            args["ExternalId"] = role["externalId"]
        if role.get("duration"):
            seconds = duration_seconds(str(role["duration"]))
            if seconds is not None:
                args["DurationSeconds"] = seconds
        if role.get("policy"):
            args["Policy"] = role["policy"]
        if role.get("policyArns"):
            args["PolicyArns"] = [{"arn": a} for a in role["policyArns"]]
        if role.get("tags"):
            args["Tags"] = [{"Key": k, "Value": v} for k, v in sorted(role["tags"].items())]
        if role.get("transitiveTagKeys"):
            args["TransitiveTagKeys"] = list(role["transitiveTagKeys"])
        if role.get("sourceIdentity"):
            args["SourceIdentity"] = role["sourceIdentity"]
        creds = clients("sts", region, out).assume_role(**args)["Credentials"]
        out = {"aws_access_key_id": creds["AccessKeyId"], "aws_secret_access_key": creds["SecretAccessKey"],
               "aws_session_token": creds["SessionToken"]}  # fmt: skip
    return out


def ecs_for_stack(props: Mapping[str, Any], clients: ClientFactory) -> Any:
    """The ECS client of the stack's account: the provider's credentials, checked with
    ``sts:GetCallerIdentity`` against ``props["accountId"]`` (the account the AWS provider
    deploys to) before anything runs. Never another account, silently."""
    region = str(props["region"])
    session = session_args(props, region, clients)
    want = props.get("accountId")
    if not want:
        raise PreDeployError("the stack's account is unknown, so the pre-deploy run cannot check that it runs "
                             "there; nothing was run")  # fmt: skip
    identity = clients("sts", region, session).get_caller_identity()
    if str(identity.get("Account")) != str(want):
        raise PreDeployError(f"the pre-deploy run's credentials are of account {identity.get('Account')} "
                             f"({identity.get('Arn')}), not the stack's account {want}: nothing was run (set "
                             "aws:profile, aws:accessKey/aws:secretKey or aws:assumeRoles so that they act as the "
                             "AWS provider does)")  # fmt: skip
    return clients("ecs", region, session)


def _describe(client: Any, cluster: str, task_arn: str) -> dict[str, Any] | None:
    """The task, or None while DescribeTasks does not know it yet (failure reason ``MISSING``)."""
    found = client.describe_tasks(cluster=cluster, tasks=[task_arn])
    tasks: list[dict[str, Any]] = found.get("tasks") or []
    if tasks:
        return tasks[0]
    failures = found.get("failures") or []
    if all(f.get("reason") == "MISSING" for f in failures):
        return None
    reasons = "; ".join(f"{f.get('arn', task_arn)}: {f.get('reason')}" for f in failures)
    raise PreDeployError(f"task {task_arn} could not be described ({reasons})")


def _stop(client: Any, cluster: str, task_arn: str, reason: str) -> str:
    """Stop the task; what went wrong stopping it ('' when it was stopped)."""
    try:
        client.stop_task(cluster=cluster, task=task_arn, reason=reason[:255])
        return ""
    except Exception as exc:
        return f"; stopping it failed too ({exc}): stop it with aws ecs stop-task --cluster {cluster} --task {task_arn}"


def _leftover(client: Any, cluster: str, family: str) -> list[str]:
    """Pre-deploy tasks of this job still running (an earlier ``pulumi up`` killed mid-run): the
    family's tasks whose desired status is RUNNING (ListTasks' default), kept when we started
    them. ListTasks takes ``startedBy`` only as its one filter, so it is checked on the described
    tasks. https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListTasks.html"""
    arns = [str(a) for a in client.list_tasks(cluster=cluster, family=family).get("taskArns") or []]
    if not arns:
        return []
    found = client.describe_tasks(cluster=cluster, tasks=arns[:100])  # DescribeTasks takes 100 at most
    return [str(t["taskArn"]) for t in found.get("tasks") or [] if t.get("startedBy") == STARTED_BY]


def run_and_wait(
    client: Any,
    props: Mapping[str, Any],
    *,
    sleep: Callable[[float], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
    poll_seconds: float = POLL_SECONDS,
) -> dict[str, Any]:
    """Run the job once and wait until its task stops; ``{"taskArn", "exitCode"}`` when the job's
    container exited 0. Raises :class:`PreDeployError` when an earlier run is still going, the
    task does not start (RunTask's ``failures``), stops without the container exiting 0, or is
    still running after ``props["timeoutSeconds"]``. After RunTask, every way out but success
    (timeout, API error, throttling, interruption) stops the task first."""
    wait = sleep or CANCELLED.wait
    job = props.get("jobName") or props["containerName"]
    cluster = str(props["cluster"])
    running = _leftover(client, cluster, _family(str(props["taskDefinitionArn"])))
    if running:
        raise PreDeployError(f"pre-deploy job {job} is still running from an earlier pulumi up ({', '.join(running)}); "
                             "wait for it to stop, or stop it with aws ecs stop-task, then run pulumi up again; "
                             "nothing was started")  # fmt: skip
    args = run_task_args(props)
    started = client.run_task(**args)
    failures = started.get("failures") or []
    tasks = started.get("tasks") or []
    task_arn = str(tasks[0]["taskArn"]) if tasks else ""
    if failures or not tasks:
        reasons = "; ".join(f"{f.get('reason')}" + (f" ({f['detail']})" if f.get("detail") else "") for f in failures)
        stopped = _stop(client, cluster, task_arn, f"pre-deploy job {job} failed to start") if task_arn else ""
        raise PreDeployError(f"pre-deploy job {job} failed to start: {reasons or 'RunTask started no task'}{stopped}")
    try:
        return _wait(client, props, job, cluster, task_arn, wait, clock, poll_seconds)
    except PreDeployError as exc:
        if getattr(exc, "task_stopped", False):
            raise
        raise PreDeployError(f"{exc}{_stop(client, cluster, task_arn, f'pre-deploy job {job} failed: {exc}')}") from exc
    except BaseException as exc:
        # An API error, throttling, KeyboardInterrupt or a shutting-down provider: never leave the
        # task running behind a failed deployment.
        what = "was interrupted" if not isinstance(exc, Exception) else f"failed while waiting ({exc})"
        trouble = _stop(client, cluster, task_arn, f"pre-deploy job {job} {what}")
        if isinstance(exc, Exception):
            raise PreDeployError(f"pre-deploy job {job} {what}; its task {task_arn} was stopped{trouble}; nothing "
                                 "that depends on it was deployed") from exc  # fmt: skip
        raise


def _stopped_error(message: str) -> PreDeployError:
    exc = PreDeployError(message)
    exc.task_stopped = True  # type: ignore[attr-defined]
    return exc


def _wait(
    client: Any,
    props: Mapping[str, Any],
    job: str,
    cluster: str,
    task_arn: str,
    wait: Callable[[float], Any],
    clock: Callable[[], float],
    poll_seconds: float,
) -> dict[str, Any]:
    start = clock()
    deadline = start + float(props["timeoutSeconds"])
    backoff = float(FIRST_BACKOFF_SECONDS)
    while True:
        if CANCELLED.is_set():
            raise KeyboardInterrupt("the provider is shutting down")
        task = _describe(client, cluster, task_arn)
        if task is None:
            if clock() - start >= VISIBILITY_SECONDS:
                raise PreDeployError(f"task {task_arn} of pre-deploy job {job} was still unknown to DescribeTasks "
                                     f"{VISIBILITY_SECONDS} seconds after RunTask started it")  # fmt: skip
            wait(backoff)
            backoff = min(backoff * 2, 60.0)
            continue
        if task.get("lastStatus") == "STOPPED":
            break
        if clock() >= deadline:
            reason = f"pre-deploy job {job} ran longer than {_int(props['timeoutSeconds'])} seconds"
            client.stop_task(cluster=cluster, task=task_arn, reason=reason[:255])
            raise _stopped_error(f"{reason} and was stopped (task {task_arn}); nothing that depends on it was "
                                 "deployed")  # fmt: skip
        wait(poll_seconds)
    containers = task.get("containers") or []
    container: dict[str, Any] = next((c for c in containers if c.get("name") == props["containerName"]), {})
    exit_code = container.get("exitCode")
    if exit_code == 0:
        return {"taskArn": task_arn, "exitCode": 0}
    stop = ", ".join(
        part
        for part in (
            f"stop code {task['stopCode']}" if task.get("stopCode") else "",
            f"stopped reason: {task['stoppedReason']}" if task.get("stoppedReason") else "",
            f"container reason: {container['reason']}" if container.get("reason") else "",
        )
        if part
    )
    if exit_code is None:
        raise _stopped_error(f"pre-deploy job {job} failed to start its container (task {task_arn}; "
                             f"{stop or 'no reason given'}); nothing that depends on it was deployed")  # fmt: skip
    raise _stopped_error(f"pre-deploy job {job} exited with code {exit_code} (task {task_arn}; "
                         f"{stop or 'no reason given'}); nothing that depends on it was deployed")  # fmt: skip


def plain_inputs(props: Mapping[str, Any]) -> dict[str, Any]:
    """Inputs as the provider works with them: a secret the engine still wraps is unwrapped."""
    from pulumi.runtime import rpc

    return {k: rpc.unwrap_rpc_secret(v) for k, v in props.items()}


def _outs(props: Mapping[str, Any], run: Mapping[str, Any]) -> dict[str, Any]:
    """What the resource keeps in state: its inputs and the run, never the credentials."""
    return {**{k: v for k, v in props.items() if k not in SECRET_KEYS}, **run}


class RunTaskProvider(ResourceProvider):
    """The dynamic provider of :class:`PreDeployRun`. ``clients`` ((service, region, session
    arguments) -> client) is for tests; the deployment uses boto3."""

    def __init__(self, clients: ClientFactory | None = None) -> None:
        super().__init__()
        self._clients = clients

    def _run(self, props: Mapping[str, Any]) -> dict[str, Any]:
        plain = plain_inputs(props)
        ecs = ecs_for_stack(plain, self._clients or boto_client)
        return run_and_wait(ecs, plain)

    def create(self, props: dict[str, Any]) -> CreateResult:
        outs = self._run(props)
        return CreateResult(id_=outs["taskArn"], outs=_outs(props, outs))

    def diff(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> DiffResult:
        changed = [k for k in INPUT_KEYS if _olds.get(k) != _news.get(k)]
        return DiffResult(changes=bool(changed), replaces=[], stables=[], delete_before_replace=False)

    def update(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> UpdateResult:
        if _olds.get("taskDefinitionArn") != _news.get("taskDefinitionArn"):
            return UpdateResult(outs=_outs(_news, self._run(_news)))
        # Same job, other wiring (a new subnet, a longer timeout): nothing to run.
        return UpdateResult(outs=_outs(_news, {"taskArn": _olds.get("taskArn"), "exitCode": _olds.get("exitCode")}))

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        return None


def credential_inputs(credentials: AwsProviderSpec | None) -> dict[str, Any]:
    """The provider's credential settings as the run's inputs; keys and token as secrets."""
    c = credentials or AwsProviderSpec()

    def secret(value: str | None) -> Any:
        return pulumi.Output.secret(value) if value is not None else None

    return {
        "awsProfile": c.profile,
        "awsAccessKey": secret(c.access_key),
        "awsSecretKey": secret(c.secret_key),
        "awsToken": secret(c.token),
        "awsAssumeRoles": [r.model_dump(by_alias=True, exclude_defaults=True) for r in c.assume_roles],
    }


class PreDeployRun(pulumi.dynamic.Resource, module="ecs-platform", name="PreDeployRun"):
    """One run of a pre-deploy job, created (and updated, when the job's task definition changes)
    only after the job's task exits 0. Make what must wait for it ``depends_on`` this resource.

    Outputs: ``task_arn`` (the last run's task), ``exit_code`` (0)."""

    task_arn: pulumi.Output[str]
    exit_code: pulumi.Output[int]

    def __init__(
        self,
        name: str,
        *,
        job_name: str,
        cluster: pulumi.Input[str],
        task_definition_arn: pulumi.Input[str],
        container_name: str,
        region: pulumi.Input[str],
        account_id: pulumi.Input[str],
        subnets: pulumi.Input[Sequence[pulumi.Input[str]]] | None,
        security_groups: Sequence[pulumi.Input[str]],
        capacity_provider_strategy: Sequence[Mapping[str, pulumi.Input[Any]]],
        launch_type: str | None,
        platform_version: str | None,
        timeout_seconds: int,
        credentials: AwsProviderSpec | None = None,
        volume_configurations: pulumi.Input[Sequence[Mapping[str, Any]]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """``subnets`` (None on bridge/host networking), ``security_groups``, the capacity
        provider strategy (ECS's keys) or ``launch_type``: where the task runs, as a service
        of the job's launch type would. ``account_id``: the account the AWS provider deploys to
        (the run refuses to start anywhere else); ``credentials``: the AWS provider's settings
        (default: boto3's default chain, as a provider without settings). ``volume_configurations``:
        RunTask's ``volumeConfigurations`` (the job's EBS volume), default none."""
        props: dict[str, Any] = {
            "jobName": job_name,
            "cluster": cluster,
            "taskDefinitionArn": task_definition_arn,
            "containerName": container_name,
            "region": region,
            "accountId": account_id,
            "subnets": subnets,
            "securityGroups": list(security_groups),
            "capacityProviderStrategy": [dict(item) for item in capacity_provider_strategy],
            "launchType": launch_type,
            "platformVersion": platform_version,
            "timeoutSeconds": timeout_seconds,
            "volumeConfigurations": volume_configurations or [],
            **credential_inputs(credentials),
            "taskArn": None,
            "exitCode": None,
        }
        super().__init__(RunTaskProvider(), name, props, opts)
