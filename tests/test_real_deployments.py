"""Seven public ECS deployments, written in stack config (issue 21, "Done when"): each previews
(runs under the mock engine without error) and renders what its upstream has: containers, ports,
health checks, log routing, capacity, roles' grants. Each config names its upstream source.

The same stack files are the samples of docs/examples.md ("Examples from the field"); a test keeps
the two equal.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

from ecs_platform.tools.mock_cloud import ROOT, StackRun, run_program, stack_config
from tests.conftest import containers, policy, stack_run
from tests.test_policy import resource_violations, stack_violations

SERVICE = "aws:ecs/service:Service"
TASK_DEF = "aws:ecs/taskDefinition:TaskDefinition"
TG = "aws:lb/targetGroup:TargetGroup"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
PAGE = ROOT / "docs" / "examples.md"

DEPLOYMENTS: dict[str, str] = {}

# 1. The terraform-aws-ecs Fargate example.
DEPLOYMENTS["fargate"] = """\
# Upstream: terraform-aws-modules/terraform-aws-ecs, examples/fargate/main.tf (commit 8d25f4e):
# a Fargate cluster whose default strategy keeps 20 tasks on FARGATE and splits the rest 50/50
# with FARGATE_SPOT; the ecsdemo-frontend service (1 vCPU / 4 GiB, ECS Exec, blue/green with a
# 2-minute bake, FireLens to stdout, a restart policy) behind an ALB on HTTP 80; and a standalone
# ARM64 task definition with a volume, run on demand.
config:
  aws:region: eu-west-1
  ecs-platform:azCount: 3
  ecs-platform:desiredCount: 1
  ecs-platform:launchType: FARGATE
  ecs-platform:capacityProviderStrategy:
    - {provider: FARGATE, weight: 50, base: 20}
    - {provider: FARGATE_SPOT, weight: 50}
  ecs-platform:loadBalancer:
    allowPlainHttp: true        # the example's only listener is HTTP 80
    deletionProtection: false   # "For example only"
  ecs-platform:services:
    ecsdemo-frontend:
      image: public.ecr.aws/aws-containers/ecsdemo-frontend:776fd50
      port: 3000
      cpu: 1024
      memory: 4096
      public: true
      exec: true
      # "Example image used requires access to write to root filesystem"
      readonlyRootFilesystem: false
      waivers:
        ECS.20: the ecsdemo-frontend image runs as its image user
      restartPolicy: {ignoredExitCodes: [1], attemptPeriod: 60}
      logRouter:
        options: {Name: stdout, log-driver-buffer-limit: "2097152"}
      deregistrationDelay: 5
      targetHealthCheck:
        path: /
        matcher: "200"
        interval: 30
        timeout: 5
        healthyThreshold: 5
        unhealthyThreshold: 2
      deployment:
        strategy: blueGreen
        bakeMinutes: 2
        testPort: 8080
        # REPLACE: who tests the new tasks (a documentation block here); the load balancer is
        # internet-facing, so this names public addresses, not the VPC's block.
        testIngressCidrs: ["203.0.113.0/24"]
  ecs-platform:jobs:
    standalone:
      image: public.ecr.aws/amazonlinux/amazonlinux:2023-minimal
      architecture: ARM64
      capacityProviderStrategy: [{provider: FARGATE}]   # ARM64 cannot run on Fargate Spot
      entryPoint: ["/usr/bin/sh", "-c"]
      command: ["echo hello world"]
      waivers:
        ECS.20: amazonlinux runs as its image user
      volumes:
        ex-vol: {scratch: {}}
      mounts:
        /var/www/ex-vol: ex-vol
"""

# 2. The AWS Distro for OpenTelemetry collector as a Fargate sidecar.
DEPLOYMENTS["otel"] = """\
# Upstream: aws-observability/aws-otel-collector, examples/ecs/aws-cloudwatch/ecs-fargate-sidecar.json
# (commit ed0b1d5), with the task role of deployment-template/ecs/aws-otel-fargate-sidecar-deployment-cfn.yaml
# scoped to what the default config's exporters write (X-Ray traces, EMF metrics in the log group
# /aws/ecs/application/metrics). One task of 0.25 vCPU / 512 MiB: the sample app, the collector it
# sends to (essential, health-checked), nginx and a statsd emitter, all after the collector starts.
config:
  aws:region: us-west-2
  ecs-platform:azCount: 2
  ecs-platform:desiredCount: 1
  ecs-platform:launchType: FARGATE
  ecs-platform:services:
    aws-otel-emitter:
      image: public.ecr.aws/aws-otel-test/aws-otel-goxray-sample-app:latest
      essential: false
      cpu: 256
      memory: 512
      dependsOn: {aws-otel-collector: START}
      waivers:
        ECS.20: the sample images run as their image users
      sidecars:
        aws-otel-collector:
          image: amazon/aws-otel-collector
          command: ["--config=/etc/ecs/ecs-default-config.yaml"]
          healthCheck:
            command: ["CMD", "/healthcheck"]
            interval: 5
            timeout: 6
            retries: 5
            startPeriod: 1
        nginx:
          image: public.ecr.aws/nginx/nginx:latest
          essential: false
          readonlyRootFilesystem: false
          dependsOn: {aws-otel-collector: START}
        aoc-statsd-emitter:
          image: alpine/socat:latest
          cpu: 256
          memory: 512
          essential: false
          dependsOn: {aws-otel-collector: START}
          entryPoint:
            - /bin/sh
            - -c
            - "while true; do echo 'statsdTestMetric:1|c' | socat -v -t 0 - UDP:127.0.0.1:8125; sleep 1; done"
      permissions:
        - actions: [xray:PutTraceSegments, xray:PutTelemetryRecords, xray:GetSamplingRules,
                    xray:GetSamplingTargets, xray:GetSamplingStatisticSummaries]
          resources: ["*"]
        - actions: [logs:CreateLogGroup, logs:DescribeLogStreams]
          resources: ["arn:aws:logs:us-west-2:123456789012:log-group:/aws/ecs/application/metrics"]
        - actions: [logs:CreateLogStream, logs:PutLogEvents]   # both act on log streams (Service Authorization Reference)
          resources: ["arn:aws:logs:us-west-2:123456789012:log-group:/aws/ecs/application/metrics:log-stream:*"]
"""

# 3. The ecs-blueprints SQS worker.
DEPLOYMENTS["sqs-worker"] = """\
# Upstream: aws-ia/ecs-blueprints, terraform/fargate-examples/sqs-dynamic-target-tracking/main.tf
# (commit 9c87b66): a queue worker (0.25 vCPU / 512 MiB, ECS Exec) that scales 1..10 tasks on the
# SQS backlog per running task (ApproximateNumberOfMessagesVisible / RunningTaskCount, target 12,
# cooldowns 240 s), reads and writes its FIFO queue, reads SSM parameters and publishes its
# processing-time metric to CloudWatch.
config:
  aws:region: us-west-2
  ecs-platform:azCount: 2
  ecs-platform:desiredCount: 1
  ecs-platform:launchType: FARGATE
  ecs-platform:services:
    ecsdemo-queue:
      image: 123456789012.dkr.ecr.us-west-2.amazonaws.com/ecsdemo-queue:latest
      cpu: 256
      memory: 512
      exec: true
      readonlyRootFilesystem: false   # ECS Exec's agent writes to the root filesystem
      waivers:
        ECS.20: the blueprint image runs as its image user
      environment:
        queue_name: ecsdemo-queue-processing-queue-fifo.fifo
        app_metric_name: MsgProcessingDuration
        metric_type: Single-Queue
        metric_namespace: ECS-SQS-BPI
      autoscaling:
        min: 1
        max: 10
        scaleInCooldown: 240
        scaleOutCooldown: 240
        queue:
          arn: arn:aws:sqs:us-west-2:123456789012:ecsdemo-queue-processing-queue-fifo.fifo
          backlogPerTask: 12
      permissions:
        - actions: [sqs:SendMessage, sqs:GetQueueUrl]
          resources: ["arn:aws:sqs:us-west-2:123456789012:ecsdemo-queue-processing-queue-fifo.fifo"]
        - actions: [ssm:GetParameters]
          resources: ["arn:aws:ssm:us-west-2:123456789012:parameter/*"]
        - actions: [cloudwatch:PutMetricData]
          resources: ["*"]
"""

# 4. ecs-refarch-cloudformation on EC2.
DEPLOYMENTS["refarch"] = """\
# Upstream: aws-samples/ecs-refarch-cloudformation (commit a257e22): master.yaml,
# infrastructure/ecs-cluster.yaml and services/{website,product}-service/service.yaml: four
# t2.large container instances; two services in bridge mode (128 MiB each, 2 tasks, up to 3 on
# CPU above 90 %) behind one ALB: website-service on / (port 8000) calling product-service on
# /products (port 8001) through the load balancer; logs kept 365 days.
config:
  aws:region: us-east-1
  ecs-platform:azCount: 2
  ecs-platform:desiredCount: 2
  ecs-platform:launchType: EC2
  ecs-platform:logRetentionDays: 365
  ecs-platform:ec2:
    instanceTypes: [t2.large]
    minSize: 4
    maxSize: 4
    instanceTypeSpecs:
      t2.large: {vcpu: 2, memoryMiB: 8192, architecture: X86_64}
  ecs-platform:loadBalancer:
    allowPlainHttp: true        # the reference architecture listens on HTTP 80
    deletionProtection: false
  ecs-platform:services:
    website-service:
      image: 275396840892.dkr.ecr.us-east-1.amazonaws.com/ecs-refarch-cloudformation/website-service:1.0.0
      port: 8000
      networkMode: bridge
      cpu: 128
      memory: 128
      waivers:
        ECS.20: the reference images run as their image users
      routes: [{paths: ["/"], priority: 1}]
      environment:
        PRODUCT_SERVICE_URL: http://ecs-refarch.example.com/products
      targetHealthCheck: {path: /, matcher: "200-299", interval: 10, timeout: 5, healthyThreshold: 2}
      autoscaling: {min: 2, max: 3, cpuTarget: 90}
    product-service:
      image: 275396840892.dkr.ecr.us-east-1.amazonaws.com/ecs-refarch-cloudformation/product-service:1.0.0
      port: 8001
      networkMode: bridge
      cpu: 128
      memory: 128
      waivers:
        ECS.20: the reference images run as their image users
      routes: [{paths: ["/products"], priority: 2}]
      targetHealthCheck: {path: /products, matcher: "200-299", interval: 10, timeout: 5, healthyThreshold: 2}
      autoscaling: {min: 2, max: 3, cpuTarget: 90}
"""

# 5. A nightly scheduled import.
DEPLOYMENTS["nightly-import"] = """\
# Upstream: AWS's "Scheduled Amazon ECS tasks" (EventBridge Scheduler runs a task definition on
# a cron expression: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/tasks-scheduled-eventbridge-scheduler.html),
# as the nightly import of Pulumi.jobs.yaml: a stack of jobs only, at 03:00 Madrid time, reading
# the day's file from S3 with the database URL from Secrets Manager, retried if it cannot start.
config:
  aws:region: eu-west-1
  ecs-platform:azCount: 2
  ecs-platform:natGateways: Single
  ecs-platform:services: {}
  ecs-platform:jobs:
    nightly-import:
      image: public.ecr.aws/docker/library/python:3.13-slim
      command: ["python", "-m", "importer", "--date", "yesterday"]
      cpu: 1024
      memory: 2048
      user: "1000:1000"
      writablePaths: ["/tmp"]
      schedule: "cron(0 3 * * ? *)"
      timezone: Europe/Madrid
      retry: {attempts: 3, maxEventAge: 3600}
      restartPolicy: {ignoredExitCodes: [0], attemptPeriod: 60}
      secrets:
        DATABASE_URL: arn:aws:secretsmanager:eu-west-1:123456789012:secret:importer/database-url-AbCdEf
      permissions:
        - actions: [s3:GetObject]
          resources: ["arn:aws:s3:::nightly-exports/daily/*"]
"""

# 7. The plain cluster with a task role from our own seed.
DEPLOYMENTS["basic-ecs-cluster"] = """\
# Upstream: this project's seed (seed/000_0aba225e0f1a4637.txt), the CloudFormation stack
# basic-ecs-cluster (ECS/01_ecs_base.yml): a basic ECS cluster and an IAM role that ECS tasks
# assume to pull images from ECR and send logs to CloudWatch.
config:
  aws:region: us-east-1
  ecs-platform:azCount: 2
  ecs-platform:natGateways: Single
  ecs-platform:services: {}
"""


def run_deployment(name: str, tmp_path: Path) -> StackRun:
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    (tmp_path / f"Pulumi.{name}.yaml").write_text(DEPLOYMENTS[name])
    return run_program(name, config=stack_config(name, root=tmp_path))


def previews(run: StackRun) -> StackRun:
    assert run.error is None, run.error
    assert resource_violations(run) == [] and stack_violations(run) == []
    return run


def by_name(run: StackRun, task: str) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in containers(run.one(TASK_DEF, task))}


def statements(run: StackRun, name: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = policy(run.one(ROLE_POLICY, name).inputs["policy"])["Statement"]
    return found


# --- the page and the tests hold the same stack files ----------------------------------------------


def test_the_examples_page_shows_exactly_these_deployments() -> None:
    text = PAGE.read_text()
    shown = re.findall(r"<!-- sample: stack file[^>]*-->\n```yaml\n(.*?)```", text, re.DOTALL)
    assert sorted(shown) == sorted(DEPLOYMENTS.values())


# --- 1. terraform-aws-ecs examples/fargate ------------------------------------------------------------


def test_fargate_example_renders_its_service_capacity_and_log_routing(tmp_path: Path) -> None:
    run = previews(run_deployment("fargate", tmp_path))
    strategy = [{"capacityProvider": "FARGATE", "weight": 50, "base": 20},
                {"capacityProvider": "FARGATE_SPOT", "weight": 50, "base": 0}]  # fmt: skip
    assert run.one("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders").inputs[
        "defaultCapacityProviderStrategies"] == strategy
    service = run.one(SERVICE, "ecs-ecsdemo-frontend").inputs
    assert service["capacityProviderStrategies"] == strategy
    assert service["enableExecuteCommand"] is True and service["desiredCount"] == 1
    assert service["deploymentConfiguration"]["strategy"] == "BLUE_GREEN"
    assert service["deploymentConfiguration"]["bakeTimeInMinutes"] == "2"
    task = run.one(TASK_DEF, "ecs-ecsdemo-frontend-task").inputs
    assert (task["cpu"], task["memory"]) == ("1024", "4096")
    app = by_name(run, "ecs-ecsdemo-frontend-task")
    frontend = app["ecsdemo-frontend"]
    assert frontend["image"] == "public.ecr.aws/aws-containers/ecsdemo-frontend:776fd50"
    assert frontend["portMappings"][0]["containerPort"] == 3000
    assert frontend["readonlyRootFilesystem"] is False
    assert frontend["restartPolicy"] == {"enabled": True, "ignoredExitCodes": [1], "restartAttemptPeriod": 60}
    assert frontend["logConfiguration"] == {"logDriver": "awsfirelens",
                                            "options": {"Name": "stdout", "log-driver-buffer-limit": "2097152"}}
    assert app["log-router"]["firelensConfiguration"] == {"type": "fluentbit"}
    tg = run.one(TG, "ecs-ecsdemo-frontend-tg").inputs
    assert (tg["targetType"], tg["port"], tg["deregistrationDelay"]) == ("ip", 3000, 5)
    assert {k: tg["healthCheck"][k] for k in ("path", "matcher", "interval", "timeout", "healthyThreshold",
                                              "unhealthyThreshold")} == {
        "path": "/", "matcher": "200", "interval": 30, "timeout": 5, "healthyThreshold": 5, "unhealthyThreshold": 2}
    assert run.one(TG, "ecs-ecsdemo-frontend-tg-alt")  # blue/green's second target group


def test_fargate_examples_standalone_task_is_an_arm64_job_on_demand(tmp_path: Path) -> None:
    run = previews(run_deployment("fargate", tmp_path))
    task = run.one(TASK_DEF, "ecs-standalone-task").inputs
    assert task["runtimePlatform"]["cpuArchitecture"] == "ARM64"
    (job,) = containers(run.one(TASK_DEF, "ecs-standalone-task"))
    assert job["entryPoint"] == ["/usr/bin/sh", "-c"] and job["command"] == ["echo hello world"]
    assert job["mountPoints"] == [{"sourceVolume": "ex-vol", "containerPath": "/var/www/ex-vol", "readOnly": False}]
    assert "capacityProvider=FARGATE,weight=1,base=0" in run.exports["jobs"]["standalone"]["runTaskCommand"]
    assert run.of_type("aws:scheduler/schedule:Schedule") == []


# --- 2. aws-otel-collector on Fargate ----------------------------------------------------------------


def test_otel_collector_sidecar_renders_its_containers_health_check_and_grants(tmp_path: Path) -> None:
    run = previews(run_deployment("otel", tmp_path))
    task = by_name(run, "ecs-aws-otel-emitter-task")
    assert set(task) == {"aws-otel-emitter", "aws-otel-collector", "nginx", "aoc-statsd-emitter"}
    assert task["aws-otel-collector"]["healthCheck"] == {"command": ["CMD", "/healthcheck"], "interval": 5,
                                                         "timeout": 6, "retries": 5, "startPeriod": 1}
    assert task["aws-otel-collector"]["essential"] is True
    for name in ("aws-otel-emitter", "nginx", "aoc-statsd-emitter"):
        assert task[name]["essential"] is False
        assert {"containerName": "aws-otel-collector", "condition": "START"} in task[name]["dependsOn"]
    assert task["aoc-statsd-emitter"]["memory"] == 512
    grants = statements(run, "ecs-aws-otel-emitter-roles-task-policy")
    assert grants[0]["Action"][0] == "xray:PutTraceSegments" and grants[0]["Resource"] == ["*"]


# --- 3. ecs-blueprints SQS worker ----------------------------------------------------------------------


def test_sqs_worker_scales_on_backlog_per_task_and_consumes_its_queue(tmp_path: Path) -> None:
    run = previews(run_deployment("sqs-worker", tmp_path))
    queue = "arn:aws:sqs:us-west-2:123456789012:ecsdemo-queue-processing-queue-fifo.fifo"
    target = run.one("aws:appautoscaling/target:Target").inputs
    assert (target["minCapacity"], target["maxCapacity"]) == (1, 10)
    scaling = run.one("aws:appautoscaling/policy:Policy", "ecs-ecsdemo-queue-scale-queue").inputs
    config = scaling["targetTrackingScalingPolicyConfiguration"]
    assert (config["targetValue"], config["scaleInCooldown"], config["scaleOutCooldown"]) == (12, 240, 240)
    grants = statements(run, "ecs-ecsdemo-queue-roles-task-policy")
    consumed = {a for s in grants if queue in json.dumps(s["Resource"]) for a in s["Action"]}
    assert {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:SendMessage", "sqs:ChangeMessageVisibility"} <= consumed
    assert any(s["Action"] == ["cloudwatch:PutMetricData"] for s in grants)
    assert run.one(SERVICE, "ecs-ecsdemo-queue").inputs["enableExecuteCommand"] is True


# --- 4. ecs-refarch-cloudformation on EC2 -------------------------------------------------------------


def test_refarch_runs_two_bridge_services_on_four_instances_behind_one_load_balancer(tmp_path: Path) -> None:
    run = previews(run_deployment("refarch", tmp_path))
    asg = run.one("aws:autoscaling/group:Group").inputs
    assert (asg["minSize"], asg["maxSize"]) == (4, 4)
    assert asg["mixedInstancesPolicy"]["launchTemplate"]["overrides"] == [{"instanceType": "t2.large"}]
    assert len(run.of_type("aws:lb/loadBalancer:LoadBalancer")) == 1
    for name, port, path, health in (("website-service", 8000, "/", "/"),
                                     ("product-service", 8001, "/products", "/products")):  # fmt: skip
        task = run.one(TASK_DEF, f"ecs-{name}-task").inputs
        assert (task["networkMode"], task["memory"]) == ("bridge", "128")
        (app,) = containers(run.one(TASK_DEF, f"ecs-{name}-task"))
        assert app["portMappings"][0]["containerPort"] == port and app["portMappings"][0]["hostPort"] == 0
        tg = run.one(TG, f"ecs-{name}-tg").inputs
        assert tg["targetType"] == "instance"
        assert (tg["healthCheck"]["path"], tg["healthCheck"]["matcher"], tg["healthCheck"]["interval"]) == (
            health, "200-299", 10)
        rule = run.one("aws:lb/listenerRule:ListenerRule", f"ecs-{name}-route-0").inputs
        assert rule["conditions"] == [{"pathPattern": {"values": [path]}}]
        assert run.one(SERVICE, f"ecs-{name}").inputs["desiredCount"] == 2
    assert by_name(run, "ecs-website-service-task")["website-service"]["environment"] == [
        {"name": "PRODUCT_SERVICE_URL", "value": "http://ecs-refarch.example.com/products"}]
    group = run.one("aws:cloudwatch/logGroup:LogGroup", "ecs-website-service-task-logs").inputs
    assert group["retentionInDays"] == 365


# --- 5. a nightly scheduled import -------------------------------------------------------------------


def test_nightly_import_is_a_stack_of_one_scheduled_job(tmp_path: Path) -> None:
    run = previews(run_deployment("nightly-import", tmp_path))
    assert run.of_type(SERVICE) == [] and run.of_type("aws:lb/loadBalancer:LoadBalancer") == []
    schedule = run.one("aws:scheduler/schedule:Schedule").inputs
    assert schedule["scheduleExpression"] == "cron(0 3 * * ? *)"
    assert schedule["scheduleExpressionTimezone"] == "Europe/Madrid"
    assert schedule["target"]["retryPolicy"] == {"maximumRetryAttempts": 3, "maximumEventAgeInSeconds": 3600}
    job = by_name(run, "ecs-nightly-import-task")["nightly-import"]
    assert job["restartPolicy"] == {"enabled": True, "ignoredExitCodes": [0], "restartAttemptPeriod": 60}
    assert job["secrets"] == [{"name": "DATABASE_URL", "valueFrom":
                               "arn:aws:secretsmanager:eu-west-1:123456789012:secret:importer/database-url-AbCdEf"}]
    assert statements(run, "ecs-nightly-import-roles-task-policy") == [
        {"Sid": "Granted0", "Effect": "Allow", "Action": ["s3:GetObject"],
         "Resource": ["arn:aws:s3:::nightly-exports/daily/*"]}]  # fmt: skip


# --- 6. WordPress on EFS -----------------------------------------------------------------------------


def test_wordpress_on_efs_previews_with_its_shared_site_volume() -> None:
    # Upstream: "WordPress on Amazon ECS with Fargate and EFS" (AWS containers blog, aws-samples),
    # the committed stack file Pulumi.wordpress.yaml.
    run = previews(stack_run("wordpress"))
    (app,) = [c for c in containers(run.one(TASK_DEF, "ecs-wordpress-task")) if c["name"] == "wordpress"]
    assert app["mountPoints"] == [{"sourceVolume": "site", "containerPath": "/var/www/html", "readOnly": False}]
    assert run.one("aws:efs/fileSystem:FileSystem").inputs["encrypted"] is True
    assert run.one(TG, "ecs-wordpress-tg").inputs["healthCheck"]["path"] == "/wp-login.php"


# --- 7. the seed's plain cluster with a task role ------------------------------------------------------


def test_the_seeds_basic_cluster_is_a_cluster_and_the_roles_tasks_assume(tmp_path: Path) -> None:
    run = previews(run_deployment("basic-ecs-cluster", tmp_path))
    assert run.of_type(SERVICE) == [] and run.of_type("aws:lb/loadBalancer:LoadBalancer") == []
    assert run.one("aws:ecs/cluster:Cluster")
    execution = run.one(ROLE, "ecs-roles-execution")
    assert policy(execution.inputs["assumeRolePolicy"])["Statement"][0]["Principal"] == {
        "Service": "ecs-tasks.amazonaws.com"}
    managed = [a.inputs["policyArn"] for a in run.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
               if a.inputs["role"] == execution.outputs["name"]]  # fmt: skip
    assert managed == ["arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"]
    assert run.exports["taskRoleArn"] == run.one(ROLE, "ecs-roles-task").outputs["arn"]
    assert run.exports["taskExecutionRoleArn"] == execution.outputs["arn"]
