"""Jobs and queue workers (issue 11) through the mock engine: the real program on the dev stack
plus jobs and a queue worker; then every new validation rule, its message and nothing registered."""

from __future__ import annotations

import json
import shlex
from typing import Any

import pytest

from ecs_platform import JobSpec, QueueScalingSpec
from ecs_platform.errors import ConfigError
from ecs_platform.tools.mock_cloud import Registration, StackRun, run_program
from tests import eventbridge
from tests.conftest import policy
from tests.test_validation import spec_problems

APP: dict[str, Any] = {"image": "public.ecr.aws/docker/library/busybox:1.37", "user": "1000"}
QUEUE = "arn:aws:sqs:us-east-1:123456789012:orders"
JOBS: dict[str, Any] = {
    "jobs": {
        "nightly": {**APP, "command": ["import"], "schedule": "cron(0 3 * * ? *)", "timezone": "Europe/Madrid",
                    "retry": {"attempts": 5, "maxEventAge": 7200}},
        "migrate": {**APP, "command": "migrate up", "runBefore": ["web"]},
        "once": {**APP, "command": ["report"]},
    },
    "services.worker": {**APP, "autoscaling": {"min": 0, "max": 20, "queue": {"arn": QUEUE, "backlogPerTask": 10}}},
}
SCHEDULE = "aws:scheduler/schedule:Schedule"
TASK_DEF = "aws:ecs/taskDefinition:TaskDefinition"
PREDEPLOY = "pulumi-python:dynamic/ecs-platform:PreDeployRun"
ROLE = "aws:iam/role:Role"
POLICY = "aws:iam/rolePolicy:RolePolicy"


@pytest.fixture(scope="module")
def jobs() -> StackRun:
    run = run_program("dev", JOBS)
    assert run.error is None, run.error
    return run


def part(run: StackRun, typ: str, name: str) -> Registration:
    return run.one(typ, f"ecs-{name}")


def private_subnets(run: StackRun) -> list[str]:
    # awsx's private subnets, or its isolated ones behind a NAT instance (dev's)
    return [s for s, (_, kind) in run.cloud.subnets.items() if kind in ("private", "isolated")]


# --- scheduled jobs -------------------------------------------------------------------------------


def test_the_schedule_runs_the_jobs_task_definition_on_the_cluster(jobs: StackRun) -> None:
    schedule = part(jobs, SCHEDULE, "nightly-schedule").inputs
    assert schedule["scheduleExpression"] == "cron(0 3 * * ? *)"
    assert schedule["scheduleExpressionTimezone"] == "Europe/Madrid"
    assert schedule["flexibleTimeWindow"] == {"mode": "OFF"}
    target = schedule["target"]
    assert target["arn"] == jobs.exports["clusterArn"]
    assert target["roleArn"] == part(jobs, ROLE, "nightly-scheduler").outputs["arn"]
    assert target["retryPolicy"] == {"maximumRetryAttempts": 5, "maximumEventAgeInSeconds": 7200}
    ecs = target["ecsParameters"]
    assert ecs["taskDefinitionArn"] == part(jobs, TASK_DEF, "nightly-task").outputs["arn"]
    assert ecs["taskCount"] == 1
    assert ecs["capacityProviderStrategies"] == [{"capacityProvider": "FARGATE_SPOT", "weight": 1, "base": 0}]
    assert ecs["propagateTags"] == "TASK_DEFINITION"


def test_a_spot_job_runs_on_spot_even_when_services_keep_an_on_demand_base() -> None:
    run = run_program("dev", {**JOBS, "fargateOnDemandBase": 2})
    assert run.error is None, run.error
    spot_only = [{"capacityProvider": "FARGATE_SPOT", "weight": 1, "base": 0}]
    ecs = part(run, SCHEDULE, "nightly-schedule").inputs["target"]["ecsParameters"]
    assert ecs["capacityProviderStrategies"] == spot_only
    assert part(run, PREDEPLOY, "migrate-predeploy").inputs["capacityProviderStrategy"] == spot_only
    assert "capacityProvider=FARGATE_SPOT,weight=1,base=0" in run.exports["jobs"]["once"]["runTaskCommand"]
    # the services keep their on-demand base
    web = part(run, "aws:ecs/service:Service", "web").inputs["capacityProviderStrategies"]
    assert {"capacityProvider": "FARGATE", "weight": 1, "base": 2} in web


def test_scheduled_tasks_run_in_private_subnets_without_public_ip_behind_their_own_group(jobs: StackRun) -> None:
    network = part(jobs, SCHEDULE, "nightly-schedule").inputs["target"]["ecsParameters"]["networkConfiguration"]
    sg = part(jobs, "aws:ec2/securityGroup:SecurityGroup", "nightly-sg")
    assert network == {"subnets": private_subnets(jobs), "securityGroups": [sg.id], "assignPublicIp": False}
    ingress = [r for r in jobs.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
               if r.inputs["securityGroupId"] == sg.id]
    assert ingress == []
    (egress,) = [r for r in jobs.of_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
                 if r.inputs["securityGroupId"] == sg.id]
    assert egress.inputs["cidrIpv4"] == "0.0.0.0/0"


def test_failed_runs_go_to_an_encrypted_dead_letter_queue(jobs: StackRun) -> None:
    dlq = part(jobs, "aws:sqs/queue:Queue", "nightly-dlq")
    assert dlq.inputs["sqsManagedSseEnabled"] is True
    assert dlq.inputs["messageRetentionSeconds"] == 1209600
    target = part(jobs, SCHEDULE, "nightly-schedule").inputs["target"]
    assert target["deadLetterConfig"] == {"arn": dlq.outputs["arn"]}
    assert jobs.exports["jobs"]["nightly"]["deadLetterQueueUrl"] == dlq.outputs["url"]


def test_the_scheduler_role_may_run_exactly_this_job_on_this_cluster(jobs: StackRun) -> None:
    cluster = jobs.exports["clusterArn"]
    task_def = part(jobs, TASK_DEF, "nightly-task").outputs
    roles = [part(jobs, ROLE, f"nightly-roles-{kind}").outputs["arn"] for kind in ("execution", "task")]
    dlq = part(jobs, "aws:sqs/queue:Queue", "nightly-dlq").outputs["arn"]
    document = policy(part(jobs, POLICY, "nightly-scheduler-policy").inputs["policy"])
    assert document["Statement"] == [
        {"Sid": "RunJobTask", "Effect": "Allow", "Action": "ecs:RunTask",
         "Resource": "arn:aws:ecs:us-east-1:123456789012:task-definition/ecs-platform-dev-nightly:*",
         "Condition": {"ArnEquals": {"ecs:cluster": cluster}}},
        {"Sid": "PassJobRoles", "Effect": "Allow", "Action": "iam:PassRole", "Resource": roles,
         "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}},
        {"Sid": "TagJobTasks", "Effect": "Allow", "Action": "ecs:TagResource",
         "Resource": cluster.replace(":cluster/", ":task/") + "/*",
         "Condition": {"StringEquals": {"ecs:CreateAction": "RunTask"}}},
        {"Sid": "DeadLetter", "Effect": "Allow", "Action": "sqs:SendMessage", "Resource": dlq},
    ]  # fmt: skip
    assert task_def["arnWithoutRevision"] + ":*" == document["Statement"][0]["Resource"]


def test_the_scheduler_role_trusts_only_eventbridge_scheduler_of_this_accounts_schedule_group(jobs: StackRun) -> None:
    # "Confused deputy prevention in EventBridge Scheduler": aws:SourceArn is the schedule group's ARN
    trust = policy(part(jobs, ROLE, "nightly-scheduler").inputs["assumeRolePolicy"])
    assert trust["Statement"] == [{
        "Effect": "Allow", "Principal": {"Service": "scheduler.amazonaws.com"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {
            "aws:SourceAccount": "123456789012",
            "aws:SourceArn": "arn:aws:scheduler:us-east-1:123456789012:schedule-group/default"}}}]  # fmt: skip
    # ... and the schedule is in that group
    assert part(jobs, SCHEDULE, "nightly-schedule").inputs["groupName"] == "default"


ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
RULE = "aws:cloudwatch/eventRule:EventRule"


def queue_alarm(queue_name: str) -> dict[str, Any]:
    return {"namespace": "AWS/SQS", "metricName": "ApproximateNumberOfMessagesVisible",
            "dimensions": {"QueueName": queue_name}, "statistic": "Maximum", "period": 60, "evaluationPeriods": 1,
            "datapointsToAlarm": 1, "threshold": 0, "comparisonOperator": "GreaterThanThreshold",
            "treatMissingData": "notBreaching"}  # fmt: skip


def test_a_message_in_the_dead_letter_queue_raises_an_alarm(jobs: StackRun) -> None:
    alarm = part(jobs, ALARM, "nightly-dlq").inputs
    dlq = part(jobs, "aws:sqs/queue:Queue", "nightly-dlq").outputs["name"]
    assert {k: alarm[k] for k in queue_alarm(dlq)} == queue_alarm(dlq)
    # the stack has no notification topic: like the deployment alarms, no actions
    assert not alarm.get("alarmActions")


def test_a_run_that_fails_lands_in_the_failed_runs_queue(jobs: StackRun) -> None:
    rule = part(jobs, RULE, "nightly-failed-runs").inputs
    family = part(jobs, TASK_DEF, "nightly-task").outputs["family"]
    assert json.loads(rule["eventPattern"]) == {
        "source": ["aws.ecs"], "detail-type": ["ECS Task State Change"],
        "detail": {"clusterArn": [jobs.exports["clusterArn"]], "group": [f"family:{family}"],
                   "lastStatus": ["STOPPED"],
                   "$or": [{"stopCode": [{"anything-but": "EssentialContainerExited"}]},
                           {"containers": {"exitCode": [{"anything-but": [0, 137, 143]}]}},
                           {"containers": {"reason": [{"prefix": "OutOfMemoryError"}]}}]},
    }  # fmt: skip


def _stopped(jobs: StackRun, stop_code: str, *containers: dict[str, Any]) -> dict[str, Any]:
    """An "ECS Task State Change" event of a stopped run of nightly (AWS's example event's shape)."""
    family = part(jobs, TASK_DEF, "nightly-task").outputs["family"]
    return {"source": "aws.ecs", "detail-type": "ECS Task State Change", "detail": {
        "clusterArn": jobs.exports["clusterArn"], "group": f"family:{family}", "lastStatus": "STOPPED",
        "stopCode": stop_code, "containers": [{"lastStatus": "STOPPED", **c} for c in containers]}}  # fmt: skip


ENDED = "EssentialContainerExited"
OOM = "OutOfMemoryError: Container killed due to memory usage"


@pytest.mark.parametrize(("stop_code", "containers", "failed"), [
    (ENDED, [{"name": "nightly", "exitCode": 0}], False),
    # ECS stops the sidecars when the job's container exits: SIGTERM (143), then SIGKILL (137)
    (ENDED, [{"name": "nightly", "exitCode": 0}, {"name": "otel", "exitCode": 143},
             {"name": "log-router", "exitCode": 137}], False),
    (ENDED, [{"name": "nightly", "exitCode": 1}, {"name": "otel", "exitCode": 143}], True),
    (ENDED, [{"name": "nightly", "exitCode": 137, "reason": OOM}, {"name": "otel", "exitCode": 143}], True),
    (ENDED, [{"name": "nightly", "exitCode": 0}, {"name": "otel", "exitCode": 2}], True),  # a sidecar's error
    ("TaskFailedToStart", [{"name": "nightly"}], True),
    ("SpotInterruption", [{"name": "nightly", "exitCode": 143}], True),
    ("UserInitiated", [{"name": "nightly", "exitCode": 143}], True),
])  # fmt: skip
def test_a_successful_runs_sidecars_stopped_by_ecs_raise_no_alarm(
    jobs: StackRun, stop_code: str, containers: list[dict[str, Any]], failed: bool
) -> None:
    pattern = json.loads(part(jobs, RULE, "nightly-failed-runs").inputs["eventPattern"])
    assert eventbridge.matches(pattern, _stopped(jobs, stop_code, *containers)) is failed


def test_the_matcher_reads_patterns_as_eventbridge_documents_them() -> None:
    # "Arrays in event patterns": one value of an event array in the pattern's list is enough
    assert eventbridge.matches({"resources": ["a", "b"]}, {"resources": ["c", "a"]})
    assert not eventbridge.matches({"resources": ["a"]}, {"resources": ["c"]})
    assert not eventbridge.matches({"detail": {"x": ["a"]}}, {"detail": {}})  # a named field must exist
    assert eventbridge.matches({"x": [{"anything-but": [1, 2]}]}, {"x": 3})
    assert not eventbridge.matches({"x": [{"anything-but": [1, 2]}]}, {"x": 2})
    assert eventbridge.matches({"$or": [{"x": [1]}, {"y": [2]}]}, {"y": 2})


def test_a_run_task_call_answered_with_failures_lands_in_the_failed_runs_queue(jobs: StackRun) -> None:
    # Scheduler's call succeeded, so it neither retries nor dead-letters: only CloudTrail tells.
    rule = part(jobs, RULE, "nightly-unplaced-runs").inputs
    family_arn = part(jobs, TASK_DEF, "nightly-task").outputs["arnWithoutRevision"]
    assert json.loads(rule["eventPattern"]) == {
        "source": ["aws.ecs"], "detail-type": ["AWS API Call via CloudTrail"],
        "detail": {"eventSource": ["ecs.amazonaws.com"], "eventName": ["RunTask"],
                   "requestParameters": {"taskDefinition": [{"prefix": f"{family_arn}:"}]},
                   "responseElements": {"failures": {"reason": [{"exists": True}]}}},
    }  # fmt: skip


def test_only_the_jobs_rules_may_send_to_its_failed_runs_queue_and_an_alarm_watches_it(jobs: StackRun) -> None:
    queue = part(jobs, "aws:sqs/queue:Queue", "nightly-failed-runs")
    rules = [part(jobs, RULE, f"nightly-{k}").outputs["arn"] for k in ("failed-runs", "unplaced-runs")]
    targets = [r.inputs for r in jobs.of_type("aws:cloudwatch/eventTarget:EventTarget")]
    assert sorted((t["rule"], t["arn"]) for t in targets) == sorted(
        (part(jobs, RULE, f"nightly-{k}").outputs["name"], queue.outputs["arn"]) for k in ("failed-runs", "unplaced-runs"))
    policy_ = part(jobs, "aws:sqs/queuePolicy:QueuePolicy", "nightly-failed-runs").inputs
    assert policy_["queueUrl"] == queue.outputs["url"]
    assert policy(policy_["policy"])["Statement"] == [{
        "Sid": "FailedRunEvents", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
        "Action": "sqs:SendMessage", "Resource": queue.outputs["arn"],
        "Condition": {"ArnEquals": {"aws:SourceArn": rules}}}]  # fmt: skip
    assert queue.inputs["sqsManagedSseEnabled"] is True
    alarm = part(jobs, ALARM, "nightly-failed-runs").inputs
    assert {k: alarm[k] for k in queue_alarm("x")} == queue_alarm(queue.outputs["name"])


def test_only_scheduled_jobs_get_run_alarms(jobs: StackRun) -> None:
    names = [r.name for r in jobs.of_type(ALARM) if r.name.startswith(("ecs-migrate", "ecs-once", "ecs-nightly"))]
    assert sorted(names) == ["ecs-nightly-dlq", "ecs-nightly-failed-runs"]


def test_jobs_without_schedule_have_no_schedule_nor_scheduler_role(jobs: StackRun) -> None:
    assert [r.name for r in jobs.of_type(SCHEDULE)] == ["ecs-nightly-schedule"]
    assert [r.name for r in jobs.of_type(ROLE) if r.name.endswith("-scheduler")] == ["ecs-nightly-scheduler"]


def test_each_job_has_its_own_task_definition_log_group_and_roles(jobs: StackRun) -> None:
    for job in ("nightly", "migrate", "once"):
        task = part(jobs, TASK_DEF, f"{job}-task").inputs
        assert task["family"] == f"ecs-platform-dev-{job}"
        assert task["executionRoleArn"] == part(jobs, ROLE, f"{job}-roles-execution").outputs["arn"]
        assert task["taskRoleArn"] == part(jobs, ROLE, f"{job}-roles-task").outputs["arn"]
        (container,) = json.loads(task["containerDefinitions"])
        logs = part(jobs, "aws:cloudwatch/logGroup:LogGroup", f"{job}-task-logs").outputs["name"]
        assert container["logConfiguration"]["options"]["awslogs-group"] == logs


# --- one-off jobs -----------------------------------------------------------------------------------


def test_every_job_exports_a_ready_to_run_run_task_command(jobs: StackRun) -> None:
    command = shlex.split(jobs.exports["jobs"]["once"]["runTaskCommand"])
    sg = part(jobs, "aws:ec2/securityGroup:SecurityGroup", "once-sg").id
    assert command == [
        "aws", "ecs", "run-task", "--region", "us-east-1", "--cluster", jobs.exports["clusterArn"],
        "--task-definition", part(jobs, TASK_DEF, "once-task").outputs["arn"], "--count", "1",
        "--capacity-provider-strategy", "capacityProvider=FARGATE_SPOT,weight=1,base=0",
        "--platform-version", "LATEST",
        "--network-configuration",
        f"awsvpcConfiguration={{subnets=[{','.join(private_subnets(jobs))}],securityGroups=[{sg}],"
        "assignPublicIp=DISABLED}",
        "--enable-ecs-managed-tags", "--propagate-tags", "TASK_DEFINITION",
    ]  # fmt: skip
    assert "schedule" not in jobs.exports["jobs"]["once"]
    assert jobs.exports["jobs"]["nightly"]["schedule"] == "cron(0 3 * * ? *)"


def test_a_stack_without_jobs_exports_no_jobs(dev: StackRun) -> None:
    assert "jobs" not in dev.exports
    assert dev.of_type("ecs-platform:ecs:Job") == []


# --- pre-deploy jobs --------------------------------------------------------------------------------


def test_the_pre_deploy_run_runs_the_jobs_task_definition_like_the_schedule_would(jobs: StackRun) -> None:
    run = part(jobs, PREDEPLOY, "migrate-predeploy").inputs
    sg = part(jobs, "aws:ec2/securityGroup:SecurityGroup", "migrate-sg").id
    assert {k: v for k, v in run.items() if k != "__provider"} == {
        "jobName": "migrate", "cluster": jobs.exports["clusterArn"],
        "taskDefinitionArn": part(jobs, TASK_DEF, "migrate-task").outputs["arn"], "containerName": "migrate",
        "region": "us-east-1", "subnets": private_subnets(jobs), "securityGroups": [sg],
        "capacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT", "weight": 1, "base": 0}],
        "platformVersion": "LATEST", "timeoutSeconds": 900, "accountId": "123456789012", "awsAssumeRoles": [],
        "volumeConfigurations": [],
    }  # fmt: skip


CREDENTIALS = {"aws:profile": "deploy", "aws:assumeRoles": [{"roleArn": "arn:aws:iam::123456789012:role/deployer",
                                                            "sessionName": "ci", "duration": "1h"}]}


def test_the_pre_deploy_run_acts_as_the_aws_provider_with_the_stacks_credentials() -> None:
    run = run_program("dev", {**JOBS, **CREDENTIALS})
    assert run.error is None, run.error
    predeploy = part(run, PREDEPLOY, "migrate-predeploy").inputs
    provider = run.one("pulumi:providers:aws").inputs
    role = {"roleArn": "arn:aws:iam::123456789012:role/deployer", "sessionName": "ci", "duration": "1h"}
    assert (predeploy["awsProfile"], predeploy["awsAssumeRoles"]) == ("deploy", [role])
    assert predeploy["accountId"] == "123456789012"
    # the explicit provider reads no aws:* config by itself: it gets the same settings
    assert (provider["profile"], json.loads(provider["assumeRoles"]) if isinstance(provider["assumeRoles"], str)
            else provider["assumeRoles"]) == ("deploy", [role])


def test_static_keys_reach_the_run_and_the_provider_as_secrets() -> None:
    run = run_program("dev", {**JOBS, "aws:accessKey": "AKIAEXAMPLEEXAMPLE", "aws:secretKey": "s3cr3t"})
    assert run.error is None, run.error
    predeploy = part(run, PREDEPLOY, "migrate-predeploy")
    assert {"awsAccessKey", "awsSecretKey"} <= predeploy.secret_inputs
    assert {"accessKey", "secretKey"} <= run.one("pulumi:providers:aws").secret_inputs
    # what the provider gets (a secret still wrapped, numbers as floats) is what it acts with
    from ecs_platform.predeploy import plain_inputs, session_args

    assert session_args(plain_inputs(predeploy.inputs), "us-east-1", lambda *_: None) == {
        "aws_access_key_id": "AKIAEXAMPLEEXAMPLE", "aws_secret_access_key": "s3cr3t"}


@pytest.mark.parametrize(("extra", "message"), [
    ({"aws:assumeRoleWithWebIdentity": {"roleArn": "arn:aws:iam::123456789012:role/ci"}},
     "aws:assumeRoleWithWebIdentity: is set, and the pre-deploy run of job migrate cannot act as the AWS provider "
     "with it (web identity federation is not reproduced by the pre-deploy run) (allowed: aws:profile, "
     "aws:accessKey/aws:secretKey/aws:token, aws:assumeRoles, or no runBefore)"),
    ({"aws:useFipsEndpoint": True},
     "aws:useFipsEndpoint: is set, and the pre-deploy run of job migrate cannot act as the AWS provider with it "
     "(FIPS endpoints are not reproduced by the pre-deploy run) (allowed: aws:profile, "
     "aws:accessKey/aws:secretKey/aws:token, aws:assumeRoles, or no runBefore)"),
    ({"aws:accessKey": "AKIAEXAMPLEEXAMPLE"},
     "aws:secretKey: is missing while aws:accessKey is set (allowed: both or neither)"),
    ({"aws:assumeRoles": [{"roleArn": "deployer", "duration": "5m"}]},
     "aws:assumeRoles[0].roleArn: \"deployer\" is not an IAM role ARN"),
])  # fmt: skip
def test_provider_settings_a_pre_deploy_run_cannot_reproduce_are_refused_before_anything(
    extra: dict[str, Any], message: str
) -> None:
    run = run_program("dev", {**JOBS, **extra})
    assert isinstance(run.error, ConfigError)
    assert any(p.startswith(message) for p in run.error.problems), run.error.problems
    assert run.resources == []


def test_unsupported_provider_settings_are_fine_without_a_pre_deploy_job() -> None:
    run = run_program("dev", {**JOBS, "jobs.migrate.runBefore": [],
                              "aws:assumeRoleWithWebIdentity": {"roleArn": "arn:aws:iam::123456789012:role/ci"}})
    assert run.error is None, run.error
    # ... and the provider gets them (tests/test_provider_settings.py: every setting)
    assert "assumeRoleWithWebIdentity" in run.one("pulumi:providers:aws").inputs


def test_the_services_new_task_definition_waits_for_the_pre_deploy_run(jobs: StackRun) -> None:
    run = part(jobs, PREDEPLOY, "migrate-predeploy")
    assert run.urn in part(jobs, TASK_DEF, "web-task").dependencies
    # the service rolls out that task definition, so it waits too; other services do not
    service = part(jobs, "aws:ecs/service:Service", "web")
    assert service.inputs["taskDefinition"] == part(jobs, TASK_DEF, "web-task").outputs["arn"]
    assert run.urn not in part(jobs, TASK_DEF, "worker-task").dependencies
    # the run itself waits for the job's task definition and its way out
    assert part(jobs, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "migrate-egress").urn in run.dependencies


def test_only_run_before_jobs_get_a_pre_deploy_run(jobs: StackRun) -> None:
    assert [r.name for r in jobs.of_type(PREDEPLOY)] == ["ecs-migrate-predeploy"]


# --- queue workers ------------------------------------------------------------------------------------


def test_the_worker_tracks_backlog_per_task_with_metric_math(jobs: StackRun) -> None:
    policy_ = part(jobs, "aws:appautoscaling/policy:Policy", "worker-scale-queue").inputs
    service = part(jobs, "aws:ecs/service:Service", "worker").outputs["name"]
    cluster = jobs.exports["clusterName"]
    assert policy_["policyType"] == "TargetTrackingScaling"
    config = policy_["targetTrackingScalingPolicyConfiguration"]
    assert config["targetValue"] == 10
    assert config["customizedMetricSpecification"]["metrics"] == [
        {"id": "m1", "label": "Visible messages", "returnData": False, "metricStat": {"stat": "Sum", "metric": {
            "namespace": "AWS/SQS", "metricName": "ApproximateNumberOfMessagesVisible",
            "dimensions": [{"name": "QueueName", "value": "orders"}]}}},
        {"id": "m2", "label": "Running tasks", "returnData": False, "metricStat": {"stat": "Average", "metric": {
            "namespace": "ECS/ContainerInsights", "metricName": "RunningTaskCount",
            "dimensions": [{"name": "ClusterName", "value": cluster}, {"name": "ServiceName", "value": service}]}}},
        {"id": "e1", "label": "Backlog per task", "expression": "m1 / m2", "returnData": True},
    ]  # fmt: skip
    target = part(jobs, "aws:appautoscaling/target:Target", "worker-scaling").inputs
    assert (target["minCapacity"], target["maxCapacity"]) == (0, 20)


def test_an_alarm_on_waiting_messages_brings_the_worker_up_from_zero(jobs: StackRun) -> None:
    step = part(jobs, "aws:appautoscaling/policy:Policy", "worker-scale-from-zero")
    assert step.inputs["policyType"] == "StepScaling"
    assert step.inputs["stepScalingPolicyConfiguration"]["adjustmentType"] == "ChangeInCapacity"
    assert step.inputs["stepScalingPolicyConfiguration"]["stepAdjustments"] == [
        {"scalingAdjustment": 1, "metricIntervalLowerBound": "0"}]
    alarm = part(jobs, "aws:cloudwatch/metricAlarm:MetricAlarm", "worker-scale-from-zero").inputs
    assert alarm["alarmActions"] == [step.outputs["arn"]]
    assert (alarm["comparisonOperator"], alarm["threshold"]) == ("GreaterThanOrEqualToThreshold", 1)
    queries = {q["id"]: q for q in alarm["metricQueries"]}
    assert queries["m1"]["metric"]["metricName"] == "ApproximateNumberOfMessagesVisible"
    assert queries["m1"]["metric"]["dimensions"] == {"QueueName": "orders"}
    # the desired count, which is 0 only for a service scaled to zero (the running count is 0 for a
    # moment whenever a busy worker's tasks are replaced)
    assert queries["m2"]["metric"] == {
        "namespace": "ECS/ContainerInsights", "metricName": "DesiredTaskCount", "period": 60, "stat": "Maximum",
        "dimensions": {"ClusterName": jobs.exports["clusterName"],
                       "ServiceName": part(jobs, "aws:ecs/service:Service", "worker").outputs["name"]}}  # fmt: skip
    assert queries["e1"] == {"id": "e1", "label": "Messages waiting, desired count 0", "returnData": True,
                             "expression": "IF(m1 > 0 AND FILL(m2, 0) == 0, 1, 0)"}


def test_scale_from_zero_never_cuts_a_busy_worker_to_one_task(jobs: StackRun) -> None:
    # The alarm needs 3 one-minute datapoints in a row; and should it still fire for a running
    # worker (its task count reported late), the policy adds one task: it never sets the count.
    step = part(jobs, "aws:appautoscaling/policy:Policy", "worker-scale-from-zero").inputs
    config = step["stepScalingPolicyConfiguration"]
    assert config["adjustmentType"] == "ChangeInCapacity"
    assert config["stepAdjustments"] == [{"scalingAdjustment": 1, "metricIntervalLowerBound": "0"}]
    # the cooldown (at least Application Auto Scaling's default 300 s, whatever scaleOutCooldown
    # says) keeps the alarm's every-minute invocations to one task until it sees the new count
    assert config["cooldown"] == 300
    alarm = part(jobs, "aws:cloudwatch/metricAlarm:MetricAlarm", "worker-scale-from-zero").inputs
    assert (alarm["evaluationPeriods"], alarm["datapointsToAlarm"]) == (3, 3)
    assert alarm["treatMissingData"] == "notBreaching"
    assert {q["id"]: q for q in alarm["metricQueries"]}["m2"]["metric"]["period"] == 60


def test_a_longer_scale_out_cooldown_also_holds_the_scale_from_zero_step() -> None:
    run = run_program("jobs", {"services.worker.autoscaling.scaleOutCooldown": 600})
    assert run.error is None, run.error
    step = run.one("aws:appautoscaling/policy:Policy", "ecs-worker-scale-from-zero").inputs
    assert step["stepScalingPolicyConfiguration"]["cooldown"] == 600


def test_a_worker_that_keeps_one_task_has_no_scale_from_zero_alarm() -> None:
    run = run_program("dev", {"services.worker": {**APP, "autoscaling": {
        "min": 1, "max": 4, "queue": {"arn": QUEUE, "backlogPerTask": 5}}}})  # fmt: skip
    assert run.error is None, run.error
    # (the public web service of dev has its deployment alarms; the worker has none)
    assert [r.name for r in run.of_type("aws:cloudwatch/metricAlarm:MetricAlarm") if "worker" in r.name] == []
    assert [r.name for r in run.of_type("aws:appautoscaling/policy:Policy")] == ["ecs-worker-scale-queue"]


def test_the_worker_may_consume_exactly_its_queue(jobs: StackRun) -> None:
    document = policy(part(jobs, POLICY, "worker-roles-task-policy").inputs["policy"])
    assert document["Statement"] == [{
        "Sid": "ConsumeQueue", "Effect": "Allow", "Resource": QUEUE,
        "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
                   "sqs:ChangeMessageVisibility"]}]  # fmt: skip


KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def test_a_worker_on_a_kms_encrypted_queue_may_decrypt_with_exactly_its_key_through_sqs() -> None:
    run = run_program("dev", {**JOBS, "services.worker.autoscaling.queue.kmsKeyArn": KEY})
    assert run.error is None, run.error
    document = policy(part(run, POLICY, "worker-roles-task-policy").inputs["policy"])
    assert document["Statement"][1:] == [{
        "Sid": "DecryptQueueMessages", "Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": KEY,
        "Condition": {"StringEquals": {"kms:ViaService": "sqs.us-east-1.amazonaws.com"}}}]  # fmt: skip
    # no other role, and no other service, gets the key
    others = [r for r in run.of_type(POLICY) if r.name != "ecs-worker-roles-task-policy"]
    assert all(KEY not in r.inputs["policy"] for r in others)


def test_the_queue_key_must_be_a_key_arn() -> None:
    problems = spec_problems(lambda: QueueScalingSpec(arn=QUEUE, backlog_per_task=5, kms_key_arn="alias/orders"))
    assert problems == ['QueueScalingSpec.kms_key_arn: "alias/orders" is not a KMS key ARN (allowed: '
                        "arn:<partition>:kms:<region>:<account>:key/<key id>; an alias is not allowed in an IAM "
                        "policy's Resource for kms:Decrypt)"]
    run = run_program("dev", {**JOBS, "services.worker.autoscaling.queue.kmsKeyArn": "alias/orders"})
    assert isinstance(run.error, ConfigError) and run.resources == []
    assert run.error.problems[0].startswith("ecs-platform:services.worker.autoscaling.queue.kmsKeyArn: ")


# --- every new rule: its message, and nothing registered ----------------------------------------------

NS = "ecs-platform:"
J = NS + "jobs.j."


def job(**fields: Any) -> dict[str, Any]:
    return {"jobs": {"j": {**APP, **fields}}}


def worker(**autoscaling: Any) -> dict[str, Any]:
    return {"services.worker": {**APP, "autoscaling": {"max": 4, **autoscaling}}}


Q = {"arn": QUEUE, "backlogPerTask": 5}
RULES: list[tuple[str, dict[str, Any], str]] = [
    ("cron with both day fields", job(schedule="cron(0 3 * * * *)"),
     f'{J}schedule: "cron(0 3 * * * *)" gives day-of-month and day-of-week together (allowed: ? in exactly one of '
     "them, e.g. cron(0 3 * * ? *))"),
    ("cron hour out of range", job(schedule="cron(0 24 * * ? *)"),
     f'{J}schedule: "cron(0 24 * * ? *)": hours "24" is not valid (allowed: 0-23 with , - * /)'),
    ("cron day-of-week name", job(schedule="cron(0 3 ? * MONDAY *)"),
     f'{J}schedule: "cron(0 3 ? * MONDAY *)": day-of-week "MONDAY" is not valid (allowed: 1-7 or SUN-SAT with '
     ", - * / ? L #)"),
    ("cron with five fields", job(schedule="cron(0 3 * * ?)"),
     f'{J}schedule: "cron(0 3 * * ?)" has 5 fields (allowed: 6, minutes hours day-of-month month day-of-week '
     "year, separated by one space)"),
    ("rate of zero", job(schedule="rate(0 minutes)"),
     f'{J}schedule: "rate(0 minutes)" is not a rate expression (allowed: rate(<positive integer> '
     "minutes|hours|days))"),
    ("rate in seconds", job(schedule="rate(30 seconds)"),
     f'{J}schedule: "rate(30 seconds)" is not a rate expression (allowed: rate(<positive integer> '
     "minutes|hours|days))"),
    ("at an impossible date", job(schedule="at(2030-02-30T03:00:00)"),
     f'{J}schedule: "at(2030-02-30T03:00:00)" is not a one-time expression (allowed: at(yyyy-mm-ddThh:mm:ss))'),
    ("a crontab line", job(schedule="0 3 * * *"),
     f'{J}schedule: "0 3 * * *" is not a schedule expression (allowed: cron(minutes hours day-of-month month '
     "day-of-week year), rate(value minutes|hours|days) or at(yyyy-mm-ddThh:mm:ss))"),
    ("unknown time zone", job(schedule="rate(1 day)", timezone="Europe/Atlantis"),
     f'{J}timezone: "Europe/Atlantis" is not an IANA time zone (allowed: a name such as UTC, Europe/Madrid, '
     "America/New_York)"),
    ("time zone without schedule", job(timezone="UTC"),
     f"{J}timezone: is set on a job without schedule (allowed: only with schedule)"),
    ("retry without schedule", job(retry={"attempts": 1}),
     f"{J}retry: is set on a job without schedule (allowed: only with schedule)"),
    ("retry attempts above Scheduler's", job(schedule="rate(1 day)", retry={"attempts": 186}),
     f"{J}retry.attempts: 186 is out of range (allowed: 0..185)"),
    ("retry event age below a minute", job(schedule="rate(1 day)", retry={"maxEventAge": 59}),
     f"{J}retry.maxEventAge: 59 is out of range (allowed: 60..86400)"),
    ("runBefore on a scheduled job", job(schedule="rate(1 day)", runBefore=["web"]),
     f'{J}runBefore: ["web"] is set on a scheduled job (allowed: runBefore or schedule; a migration runs on '
     "deploys, not on a clock)"),
    ("runBefore an unknown service", job(runBefore=["api"]),
     f'{J}runBefore[0]: "api" is not a service of this stack (allowed: web)'),
    ("runBefore a service twice", job(runBefore=["web", "web"]),
     f'{J}runBefore[1]: "web" is already listed (allowed: each service once)'),
    ("runBeforeTimeout without runBefore", job(runBeforeTimeout=600),
     f"{J}runBeforeTimeout: is set on a job without runBefore (allowed: only with runBefore)"),
    ("runBeforeTimeout too short", job(runBefore=["web"], runBeforeTimeout=30),
     f"{J}runBeforeTimeout: 30 is out of range (allowed: 60..14400)"),
    ("a job with a port", job(port=8080),
     f"{J}port: 8080 is set on a job, which receives no traffic (allowed: no port; a job that serves requests is "
     "a service)"),
    ("a job named like a service", {"jobs": {"web": APP}},
     f'{NS}jobs.web: "web" is also a service\'s name (allowed: a name no service has; the job\'s task family, log '
     "group and roles are named after it)"),
    ("a job name with capitals", {"jobs": {"Import": APP}},
     f'{NS}jobs.Import: "Import" is not a valid service name (allowed: 1-32 lowercase letters, digits and hyphens, '
     "starting with a letter and not ending with a hyphen)"),
    ("a job creating an EFS volume", job(volumes={"d": {"efs": {}}}, mounts={"/d": "d"}),
     f"{J}volumes.d.efs: creates an EFS file system for a job (allowed: an existing one, fileSystemId and "
     "accessPointId, e.g. a service's volume)"),
    ("a job's sidecar named like the job", job(sidecars={"j": {**APP}}),
     f"{J}sidecars.j: is the name of the application container, which is the job's (allowed: another name)"),
    ("a job size Fargate does not offer", job(cpu=256, memory=4096),
     f"{J}memory: 4096 is not a valid Fargate memory for cpu 256 (allowed: 512, 1024, 2048)"),
    ("min 0 without queue", worker(min=0, cpuTarget=50),
     f"{NS}services.worker.autoscaling.min: 0 scales the service to zero, and only queue scaling brings it back "
     "up (allowed: 1..5000, or 0 with autoscaling.queue)"),
    ("backlog per task below 1", worker(min=0, queue={**Q, "backlogPerTask": 0}),
     f"{NS}services.worker.autoscaling.queue.backlogPerTask: 0 is out of range (allowed: 1..1000000)"),
    ("queue ARN of another service", worker(min=1, queue={**Q, "arn": "arn:aws:sns:us-east-1:123456789012:t"}),
     f'{NS}services.worker.autoscaling.queue.arn: "arn:aws:sns:us-east-1:123456789012:t" is not an SQS queue ARN '
     "(allowed: arn:<partition>:sqs:<region>:<account>:<queue name>, e.g. arn:aws:sqs:us-east-1:123456789012:orders)"),
    ("queue in another region", worker(min=1, queue={**Q, "arn": "arn:aws:sqs:eu-west-1:123456789012:orders"}),
     f'{NS}services.worker.autoscaling.queue.arn: "arn:aws:sqs:eu-west-1:123456789012:orders" is in aws/eu-west-1, '
     "not the stack's aws/us-east-1 (allowed: a queue in us-east-1; its CloudWatch metrics, which the scaling "
     "policy reads, are regional)"),
    ("queue in another partition",
     worker(min=1, queue={**Q, "arn": "arn:aws-us-gov:sqs:us-east-1:123456789012:orders"}),
     f'{NS}services.worker.autoscaling.queue.arn: "arn:aws-us-gov:sqs:us-east-1:123456789012:orders" is in '
     "aws-us-gov/us-east-1, not the stack's aws/us-east-1 (allowed: a queue in us-east-1; its CloudWatch metrics, "
     "which the scaling policy reads, are regional)"),
    ("queue scaling without Container Insights", {"containerInsights": "disabled", **worker(min=1, queue=Q)},
     f"{NS}services.worker.autoscaling.queue: needs the running task count, which Container Insights publishes, "
     "and containerInsights is disabled (allowed: containerInsights enabled or enhanced with queue scaling)"),
]


@pytest.mark.parametrize(("case", "overrides", "expected"), RULES, ids=[c[0] for c in RULES])
def test_each_rule_reports_its_problem_and_registers_nothing(case: str, overrides: dict[str, Any],
                                                             expected: str) -> None:
    run = run_program("dev", overrides)
    assert isinstance(run.error, ConfigError), run.error
    assert expected in run.error.problems
    assert run.resources == []


@pytest.mark.parametrize("schedule", [
    "cron(0 3 * * ? *)", "cron(0/15 8-18 ? * MON-FRI *)", "cron(0 12 L * ? 2030)", "cron(0 9 ? * 2#1 *)",
    "cron(30 2 15W * ? *)", "cron(0 0 ? JAN,JUL 6L 2026-2030)", "rate(1 minute)", "rate(12 hours)",
    "at(2030-01-01T00:00:00)",
])  # fmt: skip
def test_schedules_of_every_form_aws_documents_are_accepted(schedule: str) -> None:
    spec = JobSpec(image="busybox:1.37", user="1000", schedule=schedule)
    assert spec.schedule == schedule


def test_a_job_built_in_python_names_its_fields_in_python() -> None:
    problems = spec_problems(lambda: JobSpec(image="busybox:1.37", user="1000", run_before_timeout=600))
    assert problems == ["JobSpec.run_before_timeout: is set on a job without runBefore (allowed: only with runBefore)"]


# --- cost estimate -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("expression", "runs"), [
    ("cron(0 3 * * ? *)", 30), ("rate(6 hours)", 120), ("rate(1 day)", 30), ("cron(0/30 * * * ? *)", 1440),
    ("cron(0 9 ? * MON-FRI *)", 30 / 7 * 5), ("cron(0 0 1 * ? *)", 1), ("at(2030-01-01T00:00:00)", 1),
])  # fmt: skip
def test_runs_per_month_of_a_schedule(expression: str, runs: float) -> None:
    from ecs_platform.tools.preview.cost import runs_per_month

    assert runs_per_month(expression) == pytest.approx(runs)


def test_a_scheduled_job_is_priced_per_run_and_a_worker_at_min_and_max(jobs: StackRun) -> None:
    from ecs_platform.tools.preview.cost import JOB_RUN_MINUTES, estimate, load_prices, split_tasks

    fargate = load_prices()["regions"]["us-east-1"]["fargate"]
    rate = fargate["X86_64"]
    est = estimate(jobs)
    lines = {line.item: line for line in est.lines}
    # nightly: 0.25 vCPU / 0.5 GB on Fargate Spot (dev), 30 runs of the assumed duration
    per_run = JOB_RUN_MINUTES / 60 * (0.25 * rate["vcpu_hour"] + 0.5 * rate["gb_hour"]) * (1 - fargate["spot_discount"])
    assert lines["Job ecs-nightly"].desired == pytest.approx(30 * per_run)
    assert f"{JOB_RUN_MINUTES} minutes (assumed)" in " ".join(est.assumptions)
    assert "Job ecs-once" not in lines and "Job ecs-migrate" not in lines
    worker = lines["Fargate ecs-worker"]
    assert worker.desired == 0
    strategy = part(jobs, "aws:ecs/service:Service", "worker").inputs["capacityProviderStrategies"]
    split = split_tasks(20, strategy)
    per_task_hour = 0.25 * rate["vcpu_hour"] + 0.5 * rate["gb_hour"]
    expected = load_prices()["hours_per_month"] * per_task_hour * (
        split.get("FARGATE", 0) + (1 - fargate["spot_discount"]) * split.get("FARGATE_SPOT", 0))
    assert worker.maximum == pytest.approx(expected)
    assert "min 0 (idle queue), max 20" in worker.detail


# --- other capacity, Python callers, the policy pack ----------------------------------------------------


def test_jobs_on_external_machines_run_with_the_external_launch_type_and_no_network_config() -> None:
    run = run_program("staging", {"jobs": {
        "sync": {**APP, "launchType": "EXTERNAL", "schedule": "rate(1 hour)"},
        "seed": {**APP, "launchType": "EXTERNAL", "runBefore": ["web"]},
    }})  # fmt: skip
    assert run.error is None, run.error
    ecs = part(run, SCHEDULE, "sync-schedule").inputs["target"]["ecsParameters"]
    assert ecs["launchType"] == "EXTERNAL"
    assert "networkConfiguration" not in ecs and "capacityProviderStrategies" not in ecs
    predeploy = part(run, PREDEPLOY, "seed-predeploy").inputs
    assert (predeploy["launchType"], predeploy.get("subnets"), predeploy["securityGroups"]) == ("EXTERNAL", None, [])
    assert not [r for r in run.of_type("aws:ec2/securityGroup:SecurityGroup") if r.name in ("ecs-sync-sg", "ecs-seed-sg")]
    command = shlex.split(run.exports["jobs"]["sync"]["runTaskCommand"])
    assert command[command.index("--launch-type") + 1] == "EXTERNAL"
    assert "--network-configuration" not in command


def test_a_job_reuses_the_task_rules_of_a_service() -> None:
    run = run_program("dev", {"jobs": {"j": {"image": "busybox:1.37"}}})
    assert isinstance(run.error, ConfigError)
    assert run.error.problems == [
        f"{J}user: missing, so the container runs as its image's user, often root (allowed: a non-root uid[:gid] or "
        'user name, e.g. "1000:1000", or waivers.ECS.20: <why it needs root>)']
    assert run.resources == []


def test_a_job_embedded_in_another_program_runs_on_a_cluster_it_did_not_create() -> None:
    from ecs_platform import ClusterRef, Job

    cluster = "arn:aws:ecs:us-east-1:123456789012:cluster/theirs"

    def program() -> None:
        Job("report", JobSpec(image="busybox:1.37", user="1000", schedule="rate(1 day)"),
            cluster=ClusterRef(arn=cluster, name_prefix="team"), vpc_id="vpc-0123456789abcdef0", subnet_ids=["subnet-0aaaaaaaaaaaaaaaa"])

    run = run_program("embed", config={"aws:region": "us-east-1"}, program=program)
    assert run.error is None, run.error
    target = run.one(SCHEDULE).inputs["target"]
    assert target["arn"] == cluster
    assert target["ecsParameters"]["networkConfiguration"]["subnets"] == ["subnet-0aaaaaaaaaaaaaaaa"]
    assert run.one(TASK_DEF).inputs["family"] == "team-report"


def test_a_job_on_ec2_without_the_clusters_capacity_provider_is_refused_before_anything_registers() -> None:
    from ecs_platform import ClusterRef, ClusterSpec, Job
    from tests.test_validation import in_program

    def program() -> None:
        Job("report", JobSpec(image="busybox:1.37", user="1000", launch_type="EC2"),
            cluster=ClusterRef(arn="arn:aws:ecs:us-east-1:123456789012:cluster/x",
                               spec=ClusterSpec(ec2={"instanceTypes": ["m7g.large"]})),
            vpc_id="vpc-0123456789abcdef0", subnet_ids=["subnet-0aaaaaaaaaaaaaaaa"])  # fmt: skip

    assert in_program(program) == [
        "Job.cluster.ec2_capacity_provider_name: None is missing (allowed: the cluster's EC2 capacity provider, "
        "required on EC2)"]


def test_the_policy_pack_refuses_a_schedule_without_dead_letter_queue(jobs: StackRun) -> None:
    from ecs_platform.tools import policy_rules as rules

    rule = next(r for r in rules.RESOURCE_RULES if r.name == "ecs-scheduled-task-private")
    schedule = part(jobs, SCHEDULE, "nightly-schedule").inputs
    assert rule.violations(rules.SCHEDULE, schedule) == []
    target = {k: v for k, v in schedule["target"].items() if k != "deadLetterConfig"}
    assert rule.violations(rules.SCHEDULE, {**schedule, "target": target}) == [
        "the schedule runs ECS tasks without a dead-letter queue"]
