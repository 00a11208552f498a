"""Pre-deploy jobs (``runBefore``): run a job's task once during ``pulumi up`` and wait for it.

Built on Pulumi's own mechanism for deploy-time logic, a dynamic provider
(https://www.pulumi.com/docs/iac/concepts/resources/dynamic-providers/): :class:`PreDeployRun`
is a resource whose create, and whose update when the job's task definition ARN changes, call
ECS ``RunTask`` through boto3 and poll ``DescribeTasks`` until the task stops. The deployment
continues only when the job's container exits 0; otherwise it fails with the task's stop code,
stop reason and exit code, and whatever depends on the run (the services' new task definitions)
is not touched. Nothing happens on delete: a run cannot be undone.

The logic (:func:`run_and_wait`) takes the ECS client, the clock and the sleep as arguments, so
its tests run offline on botocore's Stubber without waiting.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ResourceProvider, UpdateResult

#: The inputs whose change makes the run's resource change; only a new task definition runs
#: the job again (:meth:`RunTaskProvider.update`).
INPUT_KEYS = ("cluster", "taskDefinitionArn", "containerName", "region", "subnets", "securityGroups",
              "capacityProviderStrategy", "launchType", "platformVersion", "timeoutSeconds")  # fmt: skip
#: Seconds between two DescribeTasks calls while the job runs.
POLL_SECONDS = 6


class PreDeployError(Exception):
    """The job did not exit 0: the deployment stops with this message."""


def run_task_args(props: Mapping[str, Any]) -> dict[str, Any]:
    """``RunTask``'s arguments: one task of the job's task definition on the cluster, in the
    private subnets with no public IP, on the job's capacity provider strategy or launch type."""
    args: dict[str, Any] = {
        "cluster": props["cluster"],
        "taskDefinition": props["taskDefinitionArn"],
        "count": 1,
        "startedBy": "pulumi-predeploy",
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
        args["capacityProviderStrategy"] = [dict(item) for item in strategy]
    elif props.get("launchType"):
        args["launchType"] = props["launchType"]
    if props.get("platformVersion"):
        args["platformVersion"] = props["platformVersion"]
    return args


def _describe(client: Any, cluster: str, task_arn: str) -> dict[str, Any]:
    found = client.describe_tasks(cluster=cluster, tasks=[task_arn])
    tasks: list[dict[str, Any]] = found.get("tasks") or []
    if not tasks:
        reasons = "; ".join(f"{f.get('arn', task_arn)}: {f.get('reason')}" for f in found.get("failures") or [])
        raise PreDeployError(f"task {task_arn} could not be described ({reasons or 'no such task'})")
    return tasks[0]


def run_and_wait(
    client: Any,
    props: Mapping[str, Any],
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    poll_seconds: float = POLL_SECONDS,
) -> dict[str, Any]:
    """Run the job once and wait until its task stops; ``{"taskArn", "exitCode"}`` when the job's
    container exited 0. Raises :class:`PreDeployError` when the task does not start (RunTask's
    ``failures``), stops without the container exiting 0, or is still running after
    ``props["timeoutSeconds"]`` (then it is stopped)."""
    job = props.get("jobName") or props["containerName"]
    started = client.run_task(**run_task_args(props))
    failures = started.get("failures") or []
    tasks = started.get("tasks") or []
    if failures or not tasks:
        reasons = "; ".join(f"{f.get('reason')}" + (f" ({f['detail']})" if f.get("detail") else "") for f in failures)
        raise PreDeployError(f"pre-deploy job {job} failed to start: {reasons or 'RunTask started no task'}")
    task_arn = str(tasks[0]["taskArn"])
    cluster = str(props["cluster"])
    deadline = clock() + float(props["timeoutSeconds"])
    while True:
        task = _describe(client, cluster, task_arn)
        if task.get("lastStatus") == "STOPPED":
            break
        if clock() >= deadline:
            reason = f"pre-deploy job {job} ran longer than {props['timeoutSeconds']} seconds"
            client.stop_task(cluster=cluster, task=task_arn, reason=reason[:255])
            raise PreDeployError(f"{reason} and was stopped (task {task_arn}); nothing that depends on it was "
                                 "deployed")  # fmt: skip
        sleep(poll_seconds)
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
        raise PreDeployError(f"pre-deploy job {job} failed to start its container (task {task_arn}; "
                             f"{stop or 'no reason given'}); nothing that depends on it was deployed")  # fmt: skip
    raise PreDeployError(f"pre-deploy job {job} exited with code {exit_code} (task {task_arn}; "
                         f"{stop or 'no reason given'}); nothing that depends on it was deployed")  # fmt: skip


def ecs_client(region: str) -> Any:
    """boto3's ECS client in ``region``, with the credentials the Pulumi AWS provider would use
    (the environment, the shared profile, the instance role)."""
    import boto3

    return boto3.client("ecs", region_name=region)


class RunTaskProvider(ResourceProvider):
    """The dynamic provider of :class:`PreDeployRun`. ``client_factory`` (region -> ECS client) is
    for tests; the deployment uses boto3."""

    def __init__(self, client_factory: Callable[[str], Any] | None = None) -> None:
        super().__init__()
        self._client_factory = client_factory

    def _run(self, props: Mapping[str, Any]) -> dict[str, Any]:
        factory = self._client_factory or ecs_client
        return run_and_wait(factory(str(props["region"])), props)

    def create(self, props: dict[str, Any]) -> CreateResult:
        outs = self._run(props)
        return CreateResult(id_=outs["taskArn"], outs={**props, **outs})

    def diff(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> DiffResult:
        changed = [k for k in INPUT_KEYS if _olds.get(k) != _news.get(k)]
        return DiffResult(changes=bool(changed), replaces=[], stables=[], delete_before_replace=False)

    def update(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> UpdateResult:
        if _olds.get("taskDefinitionArn") != _news.get("taskDefinitionArn"):
            return UpdateResult(outs={**_news, **self._run(_news)})
        # Same job, other wiring (a new subnet, a longer timeout): nothing to run.
        return UpdateResult(outs={**_news, "taskArn": _olds.get("taskArn"), "exitCode": _olds.get("exitCode")})

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        return None


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
        subnets: pulumi.Input[Sequence[pulumi.Input[str]]] | None,
        security_groups: Sequence[pulumi.Input[str]],
        capacity_provider_strategy: Sequence[Mapping[str, pulumi.Input[Any]]],
        launch_type: str | None,
        platform_version: str | None,
        timeout_seconds: int,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """``subnets`` (None on bridge/host networking), ``security_groups``, the capacity
        provider strategy (ECS's keys) or ``launch_type``: where the task runs, as a service
        of the job's launch type would."""
        props: dict[str, Any] = {
            "jobName": job_name,
            "cluster": cluster,
            "taskDefinitionArn": task_definition_arn,
            "containerName": container_name,
            "region": region,
            "subnets": subnets,
            "securityGroups": list(security_groups),
            "capacityProviderStrategy": [dict(item) for item in capacity_provider_strategy],
            "launchType": launch_type,
            "platformVersion": platform_version,
            "timeoutSeconds": timeout_seconds,
            "taskArn": None,
            "exitCode": None,
        }
        super().__init__(RunTaskProvider(), name, props, opts)
