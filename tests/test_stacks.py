"""Both stack files, through the real ``__main__.py``: the properties users rely on."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ecs_platform.tools.mock_cloud import StackRun, run_program
from tests.conftest import STACKS, containers, policy, provider_default_tags, service_part, stack_run

VPC = "awsx:ec2:Vpc"
SERVICE = "aws:ecs/service:Service"
TASKDEF = "aws:ecs/taskDefinition:TaskDefinition"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"


# --- network ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stack", "zones", "nat"),
    # the first zone IDs (use1-az1, ...), named in the mock account us-east-1c, us-east-1d, ...
    # (dev's NAT instance: awsx makes no NAT gateway)
    [("dev", ["us-east-1c", "us-east-1d"], "None"),
     ("prod", ["us-east-1c", "us-east-1d", "us-east-1e"], "OnePerAz")],
)  # fmt: skip
def test_vpc_spans_the_configured_zones_with_their_nat_strategy(request, stack, zones, nat) -> None:
    run: StackRun = request.getfixturevalue(stack)
    vpc = run.one(VPC)
    assert vpc.inputs["availabilityZoneNames"] == zones
    assert vpc.inputs["natGateways"] == {"strategy": nat}
    assert run.exports["zones"] == zones


def test_subnet_layout_is_pinned_so_adding_a_zone_never_recarves_subnets(dev: StackRun) -> None:
    vpc = dev.one(VPC).inputs
    assert vpc["cidrBlock"] == "10.0.0.0/16"
    assert vpc["availabilityZoneCidrMask"] == 19
    assert vpc["subnetStrategy"] == "Auto"
    # (dev's tasks' subnets are awsx's isolated ones, behind its NAT instance)
    assert vpc["subnetSpecs"] == [{"type": "Isolated", "cidrMask": 20}, {"type": "Public", "cidrMask": 22}]
    grown = run_program("dev", {"azCount": 3}).one(VPC).inputs
    assert {k: v for k, v in grown.items() if k != "availabilityZoneNames"} == {
        k: v for k, v in vpc.items() if k != "availabilityZoneNames"
    }
    assert grown["availabilityZoneNames"][:2] == vpc["availabilityZoneNames"]


def test_existing_vpc_is_adopted_and_none_created() -> None:
    run = run_program(
        "dev",
        {"vpc": {"vpcId": "vpc-0abc0abc0abc0abc0", "publicSubnetIds": ["subnet-00000000000000a01", "subnet-00000000000000a02"],
                 "privateSubnetIds": ["subnet-00000000000000b01", "subnet-00000000000000b02"]}},
    )  # fmt: skip
    assert run.error is None, run.error
    assert run.of_type(VPC) == []
    assert run.exports["vpcId"] == "vpc-0abc0abc0abc0abc0"
    svc = run.one(SERVICE).inputs
    assert svc["networkConfiguration"]["subnets"] == ["subnet-00000000000000b01", "subnet-00000000000000b02"]
    groups = run.of_type("aws:ec2/securityGroup:SecurityGroup")
    assert groups and {g.inputs["vpcId"] for g in groups} == {"vpc-0abc0abc0abc0abc0"}
    lb = run.one("aws:lb/loadBalancer:LoadBalancer")
    assert lb.inputs["subnets"] == ["subnet-00000000000000a01", "subnet-00000000000000a02"]


# --- services: placement and networking --------------------------------------------


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_services_run_in_the_private_subnet_of_every_zone_without_public_ip(request, stack) -> None:
    run: StackRun = request.getfixturevalue(stack)
    zones = run.exports["zones"]
    for svc in run.of_type(SERVICE):
        net = svc.inputs["networkConfiguration"]
        placed = [run.cloud.subnets[s] for s in net["subnets"]]
        # behind a NAT instance the subnets without public routes are awsx's isolated ones
        kind = "isolated" if run.config.get("ecs-platform:natGateways") == "Instance" else "private"
        assert placed == [(zone, kind) for zone in zones]
        assert net["assignPublicIp"] is False


def test_each_service_has_its_own_security_group_and_only_public_ones_admit_traffic(prod: StackRun) -> None:
    groups = {g.name: g for g in prod.of_type("aws:ec2/securityGroup:SecurityGroup")}
    assert set(groups) == {"ecs-web-sg", "ecs-api-sg", "ecs-api-uploads-sg", "ecs-worker-sg", "ecs-lb-sg"}
    for name in ("web", "api", "worker"):
        svc = service_part(prod, SERVICE, name)
        assert svc.inputs["networkConfiguration"]["securityGroups"] == [groups[f"ecs-{name}-sg"].id]
    ingress = prod.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    # The private worker admits nothing at all.
    assert not [r for r in ingress if r.inputs["securityGroupId"] == groups["ecs-worker-sg"].id]
    egress = [
        e
        for e in prod.of_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
        if e.inputs["securityGroupId"] != groups["ecs-lb-sg"].id
    ]
    assert {e.inputs["securityGroupId"] for e in egress} == {
        groups["ecs-web-sg"].id,
        groups["ecs-api-sg"].id,
        groups["ecs-worker-sg"].id,
    }
    assert all(e.inputs["description"] for e in egress)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_failed_deployments_roll_back_and_never_drop_below_desired(request, stack) -> None:
    run: StackRun = request.getfixturevalue(stack)
    for svc in run.of_type(SERVICE):
        assert svc.inputs["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
        assert svc.inputs["deploymentMinimumHealthyPercent"] == 100
        assert svc.inputs["deploymentMaximumPercent"] == 200
        assert svc.inputs["propagateTags"] == "SERVICE"
        assert svc.inputs["platformVersion"] == "LATEST"
        assert svc.inputs["enableExecuteCommand"] is False


def test_desired_count_comes_from_the_stack_and_a_service_may_override_it(dev, prod) -> None:
    assert [s.inputs["desiredCount"] for s in dev.of_type(SERVICE)] == [1]
    assert [s.inputs["desiredCount"] for s in prod.of_type(SERVICE)] == [3, 3, 3]
    run = run_program(
        "prod",
        {
            "services": {
                "a": {"image": "nginx", "user": "1000"},
                "b": {"image": "nginx", "user": "1000", "desiredCount": 5},
            }
        },
    )
    counts = {s.name: s.inputs["desiredCount"] for s in run.of_type(SERVICE)}
    assert counts == {"ecs-a": 3, "ecs-b": 5}


# --- capacity ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("launch_type", "base", "strategy"),
    [
        ("FARGATE", 1, [{"capacityProvider": "FARGATE", "weight": 1, "base": 0}]),
        ("FARGATE_SPOT", 1, [{"capacityProvider": "FARGATE", "weight": 1, "base": 1},
                             {"capacityProvider": "FARGATE_SPOT", "weight": 4, "base": 0}]),
        ("FARGATE_SPOT", 2, [{"capacityProvider": "FARGATE", "weight": 1, "base": 2},
                             {"capacityProvider": "FARGATE_SPOT", "weight": 4, "base": 0}]),
        ("FARGATE_SPOT", 0, [{"capacityProvider": "FARGATE_SPOT", "weight": 1, "base": 0}]),
    ],
)  # fmt: skip
def test_capacity_provider_strategy_follows_the_launch_type(launch_type, base, strategy) -> None:
    run = run_program("dev", {"launchType": launch_type, "fargateOnDemandBase": base})
    assert run.error is None, run.error
    cluster_cp = run.one("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders").inputs
    assert cluster_cp["capacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
    assert cluster_cp["defaultCapacityProviderStrategies"] == strategy
    assert run.one(SERVICE).inputs["capacityProviderStrategies"] == strategy
    assert "launchType" not in run.one(SERVICE).inputs


def test_services_wait_for_the_capacity_providers_to_be_attached(prod: StackRun) -> None:
    attachment = prod.one("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders")
    for svc in prod.of_type(SERVICE):
        assert attachment.urn in svc.dependencies


# --- cluster -------------------------------------------------------------------------


@pytest.mark.parametrize(("stack", "insights"), [("dev", "enabled"), ("prod", "enhanced")])
def test_cluster_has_container_insights_and_audited_exec(request, stack, insights) -> None:
    run: StackRun = request.getfixturevalue(stack)
    cluster = run.one("aws:ecs/cluster:Cluster").inputs
    assert cluster["settings"] == [{"name": "containerInsights", "value": insights}]
    exec_cfg = cluster["configuration"]["executeCommandConfiguration"]
    audit = run.one(LOG_GROUP, "ecs-cluster-exec-logs")
    key = {"kmsKeyId": run.one("aws:kms/key:Key").outputs["arn"]} if stack == "prod" else {}
    # With a key, ECS Exec also checks that the audit log group is encrypted.
    encrypted = {"cloudWatchEncryptionEnabled": True} if key else {}
    assert exec_cfg == {"logging": "OVERRIDE", **key,
                        "logConfiguration": {"cloudWatchLogGroupName": audit.outputs["name"], **encrypted}}  # fmt: skip
    assert audit.inputs["namePrefix"] == f"/ecs/ecs-platform-{stack}/exec-"


@pytest.mark.parametrize(("stack", "days"), [("dev", 7), ("prod", 365)])
def test_every_log_group_has_the_configured_retention(request, stack, days) -> None:
    run: StackRun = request.getfixturevalue(stack)
    groups = run.of_type(LOG_GROUP)
    # the exec audit log, one per service, WAF's, and the VPC's flow log
    assert len(groups) == (1 + len(run.of_type(SERVICE)) + len(run.of_type("aws:wafv2/webAcl:WebAcl"))
                           + len(run.of_type("aws:ec2/flowLog:FlowLog")))  # fmt: skip
    assert {g.inputs["retentionInDays"] for g in groups} == {days}


# --- IAM -------------------------------------------------------------------------------


def _trust(role) -> dict[str, Any]:
    return policy(role.inputs["assumeRolePolicy"])


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_roles_trust_only_ecs_tasks_of_this_account(request, stack) -> None:
    """Task roles as AWS's task role guide shows them; execution roles with no conditions, as
    the execution role guide shows them (tests/test_documented_aws.py has every role kind)."""
    run: StackRun = request.getfixturevalue(stack)
    roles = [r for r in run.of_type(ROLE) if "ecs-platform:iam:TaskRoles$" in r.urn]
    assert len(roles) == 2 * len(run.of_type(SERVICE))
    base = {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}
    for role in roles:
        statement = base if role.name.endswith("-execution") else {**base, "Condition": {
            "StringEquals": {"aws:SourceAccount": "123456789012"},
            "ArnLike": {"aws:SourceArn": "arn:aws:ecs:us-east-1:123456789012:*"}}}  # fmt: skip
        assert _trust(role) == {"Version": "2012-10-17", "Statement": [statement]}, role.name


def test_execution_role_has_the_managed_policy_and_reads_exactly_its_secrets(prod: StackRun) -> None:
    for name in ("web", "api", "worker"):
        role = prod.one(ROLE, f"ecs-{name}-roles-execution")
        attachment = prod.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment",
                              f"ecs-{name}-roles-execution-managed")  # fmt: skip
        assert attachment.inputs == {
            "role": role.outputs["name"],
            "policyArn": "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
        }
    secrets = prod.one(ROLE_POLICY, "ecs-worker-roles-execution-secrets")
    assert policy(secrets.inputs["policy"])["Statement"] == [
        {"Sid": "ReadSecrets", "Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"],
         "Resource": ["arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/worker/db-url-AbCdEf",
                      "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/worker/db-url-AbCdEf-??????"]},
        {"Sid": "ReadParameters", "Effect": "Allow", "Action": ["ssm:GetParameters"],
         "Resource": ["arn:aws:ssm:us-east-1:123456789012:parameter/prod/worker/api-key"]},
    ]  # fmt: skip
    # web and api reference no secrets, so their execution roles get no secrets policy
    # (api's task role has its EFS grant).
    # (web's blue/green infrastructure role policy is tested in tests/test_deployments.py)
    assert sorted(p.name for p in prod.of_type(ROLE_POLICY) if "-roles-" in p.name) == [
        "ecs-api-roles-task-policy",
        "ecs-web-roles-task-policy",
        "ecs-worker-roles-execution-secrets",
        "ecs-worker-roles-task-policy",
    ]


def test_a_name_that_may_end_in_the_random_suffix_is_granted_in_both_readings() -> None:
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/api/db-config"
    run = run_program(
        "dev", {"services": {"api": {"image": "nginx", "user": "1000", "secrets": {"DB": arn}}}}
    )
    statement = policy(run.one(ROLE_POLICY, "ecs-api-roles-execution-secrets").inputs["policy"])["Statement"]
    assert statement[0]["Resource"] == [arn, arn + "-??????"]


def test_secret_without_random_suffix_is_matched_by_exactly_six_characters() -> None:
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db"
    run = run_program(
        "dev",
        {"services": {"api": {"image": "nginx", "user": "1000", "secrets": {"DB": arn + ":password::"}}}},
    )
    statement = policy(run.one(ROLE_POLICY, "ecs-api-roles-execution-secrets").inputs["policy"])["Statement"]
    assert statement[0]["Resource"] == [arn + "-??????"]


def test_task_role_holds_only_what_config_grants(prod: StackRun) -> None:
    # web is granted only its collector's traces: actions AWS gives no resource-level
    # permissions, so "*" is their resource.
    web = prod.one(ROLE_POLICY, "ecs-web-roles-task-policy")
    assert policy(web.inputs["policy"])["Statement"] == [
        {"Sid": "Granted0", "Effect": "Allow", "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
         "Resource": ["*"]},
    ]  # fmt: skip
    worker = prod.one(ROLE_POLICY, "ecs-worker-roles-task-policy")
    assert worker.inputs["role"] == prod.one(ROLE, "ecs-worker-roles-task").outputs["name"]
    assert policy(worker.inputs["policy"])["Statement"] == [
        {"Sid": "Granted0", "Effect": "Allow",
         "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
         "Resource": ["arn:aws:sqs:us-east-1:123456789012:prod-jobs"]},
    ]  # fmt: skip


#: What the ADOT collector's ECS configs (shipped in its image under /etc/ecs/) call AWS for, on the
#: task role: X-Ray's exporter sends trace segments (PutTelemetryRecords with them, as AWS's ECS
#: "application trace data" page lists); the default config's awsxray receiver proxies the SDKs' sampling
#: calls and its EMF exporter writes metrics to the log group /aws/ecs/application/metrics, creating it.
#: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/trace-data.html
#: https://github.com/aws-observability/aws-otel-collector/tree/main/config/ecs
ADOT_CONFIG_NEEDS = {
    "/etc/ecs/ecs-xray.yaml": {"xray:PutTraceSegments", "xray:PutTelemetryRecords"},
    "/etc/ecs/ecs-default-config.yaml": {
        "xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets",
        "xray:GetSamplingStatisticSummaries", "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents",
        "logs:DescribeLogStreams"},
}  # fmt: skip


@pytest.mark.parametrize("stack", STACKS)
def test_every_otel_collector_sidecar_is_granted_what_its_pipeline_calls(stack: str) -> None:
    run = stack_run(stack)
    for task in run.of_type(TASKDEF):
        for c in containers(task):
            if "aws-otel-collector" not in c["image"]:
                continue
            config = next((a.removeprefix("--config=") for a in c.get("command", []) if a.startswith("--config=")),
                          "/etc/otel-config.yaml")  # fmt: skip
            assert config in ADOT_CONFIG_NEEDS, f"{task.name}: {config} is not a config whose calls are known"
            service = task.name.removesuffix("-task")
            granted = {a for st in policy(run.one(ROLE_POLICY, f"{service}-roles-task-policy").inputs["policy"])[
                "Statement"] for a in st["Action"]}
            assert ADOT_CONFIG_NEEDS[config] <= granted, (task.name, ADOT_CONFIG_NEEDS[config] - granted)


def test_exec_adds_channel_and_audit_log_actions_to_the_task_role_only() -> None:
    run = run_program("dev", {"services": {"api": {"image": "nginx", "user": "1000", "exec": True,
                                                   "readonlyRootFilesystem": False}}})  # fmt: skip
    assert run.error is None, run.error
    assert run.one(SERVICE).inputs["enableExecuteCommand"] is True
    statements = policy(run.one(ROLE_POLICY, "ecs-api-roles-task-policy").inputs["policy"])["Statement"]
    audit_arn = run.one(LOG_GROUP, "ecs-cluster-exec-logs").outputs["arn"]
    assert statements == [
        {"Sid": "EcsExecChannels", "Effect": "Allow", "Resource": "*",
         "Action": ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
                    "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"]},
        # DescribeLogGroups has no resource type: "*" is its only resource (issue 21).
        {"Sid": "EcsExecAuditLogGroups", "Effect": "Allow", "Action": ["logs:DescribeLogGroups"], "Resource": "*"},
        {"Sid": "EcsExecAuditLogWrite", "Effect": "Allow",
         "Action": ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
         "Resource": audit_arn + ":*"},
    ]  # fmt: skip
    # The execution role gets none of it: the only inline policy is the task role's.
    assert [p.name for p in run.of_type(ROLE_POLICY) if "-roles-" in p.name] == ["ecs-api-roles-task-policy"]


def test_task_definition_waits_for_role_policies(prod: StackRun) -> None:
    task = service_part(prod, TASKDEF, "worker", "-task")
    needed = {prod.one(ROLE_POLICY, "ecs-worker-roles-execution-secrets").urn,
              prod.one(ROLE_POLICY, "ecs-worker-roles-task-policy").urn,
              prod.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment",
                       "ecs-worker-roles-execution-managed").urn}  # fmt: skip
    assert needed <= set(task.dependencies)


# --- task definitions ------------------------------------------------------------------


def test_sample_service_runs_when_config_has_no_services(dev: StackRun) -> None:
    task = dev.one(TASKDEF)
    web, init = containers(task)
    assert web["name"] == "web"
    assert web["image"] == "public.ecr.aws/nginx/nginx-unprivileged:1.27-alpine"
    assert web["portMappings"] == [{"name": "web-8080", "containerPort": 8080, "protocol": "tcp"}]
    assert web["user"] == "101:101"
    assert web["readonlyRootFilesystem"] is True
    assert web["mountPoints"] == [{"sourceVolume": "scratch-0", "containerPath": "/tmp", "readOnly": False}]
    assert task.inputs["volumes"] == [{"name": "scratch-0"}]
    # Fargate creates /tmp's volume owned by root, mode 0755: nginx (uid 101) could not
    # write to it. volume-init opens it up first, then web starts.
    assert web["dependsOn"] == [{"containerName": "volume-init", "condition": "SUCCESS"}]
    assert init == {
        "name": "volume-init",
        "image": "public.ecr.aws/docker/library/busybox:1.37",
        "essential": False,
        "user": "0",
        "readonlyRootFilesystem": True,
        "command": ["chmod", "1777", "/volumes/scratch-0"],
        "linuxParameters": {"capabilities": {"add": [], "drop": ["ALL"]}},
        "mountPoints": [{"sourceVolume": "scratch-0", "containerPath": "/volumes/scratch-0", "readOnly": False}],
        "logConfiguration": web["logConfiguration"] | {
            "options": web["logConfiguration"]["options"] | {"awslogs-stream-prefix": "volume-init"}},
    }
    assert web["healthCheck"] == {
        "command": ["CMD-SHELL", "wget -q -O /dev/null http://localhost:8080/ || exit 1"],
        "interval": 30, "timeout": 5, "retries": 3, "startPeriod": 10,
    }  # fmt: skip


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_containers_log_to_their_service_log_group(request, stack) -> None:
    run: StackRun = request.getfixturevalue(stack)
    for task in run.of_type(TASKDEF):
        app = containers(task)[0]
        group = run.one(LOG_GROUP, f"ecs-{app['name']}-task-logs")
        assert group.inputs["namePrefix"] == f"/ecs/ecs-platform-{stack}/{app['name']}-"
        for c in containers(task):
            assert c["logConfiguration"] == {
                "logDriver": "awslogs",
                "options": {"awslogs-group": group.outputs["name"], "awslogs-region": "us-east-1",
                            "awslogs-stream-prefix": c["name"], "mode": "non-blocking",
                            "max-buffer-size": "25m"},
            }  # fmt: skip


def test_task_definition_carries_size_architecture_roles_and_secrets(prod: StackRun) -> None:
    task = service_part(prod, TASKDEF, "worker", "-task")
    assert task.inputs["family"] == "ecs-platform-prod-worker"
    assert task.inputs["requiresCompatibilities"] == ["FARGATE"]
    assert task.inputs["networkMode"] == "awsvpc"
    assert (task.inputs["cpu"], task.inputs["memory"]) == ("256", "512")
    assert task.inputs["runtimePlatform"] == {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"}
    assert task.inputs["executionRoleArn"] == prod.one(ROLE, "ecs-worker-roles-execution").outputs["arn"]
    assert task.inputs["taskRoleArn"] == prod.one(ROLE, "ecs-worker-roles-task").outputs["arn"]
    [c] = containers(task)
    assert c["secrets"] == [
        {"name": "API_KEY", "valueFrom": "arn:aws:ssm:us-east-1:123456789012:parameter/prod/worker/api-key"},
        {"name": "DB_URL",
         "valueFrom": "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/worker/db-url-AbCdEf"},
    ]  # fmt: skip
    assert c["environment"] == [{"name": "QUEUE_NAME", "value": "jobs"}]
    assert c["command"] == ["sh", "-c", "while true; do echo working; sleep 60; done"]
    assert "portMappings" not in c


def test_service_options_reach_the_task_definition() -> None:
    run = run_program("dev", {"services": {"api": {
        "image": "nginx", "user": "1000", "cpu": 1024, "memory": 4096, "ephemeralStorageGiB": 50, "stopTimeout": 60,
        "readonlyRootFilesystem": False, "command": "exec nginx -g 'daemon off;'"}}})  # fmt: skip
    assert run.error is None, run.error
    task = run.one(TASKDEF)
    assert (task.inputs["cpu"], task.inputs["memory"]) == ("1024", "4096")
    assert task.inputs["ephemeralStorage"] == {"sizeInGib": 50}
    [c] = containers(task)
    assert c["stopTimeout"] == 60
    assert c["readonlyRootFilesystem"] is False
    assert c["command"] == ["sh", "-c", "exec nginx -g 'daemon off;'"]


# --- provider, tags and exports ------------------------------------------------------------


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_aws_resource_uses_the_tagging_provider(request, stack) -> None:
    run: StackRun = request.getfixturevalue(stack)
    provider = run.one("pulumi:providers:aws")
    tags = provider_default_tags(run)
    assert tags["Project"] == "ecs-platform" and tags["Stack"] == stack
    assert provider.inputs["region"] == "us-east-1"
    ref = f"{provider.urn}::{provider.id}"
    for r in run.resources:
        if r.custom and r.type.startswith("aws:"):
            assert r.provider == ref, r.name
        if r.remote:
            assert r.providers == {"aws": ref}, r.name


def test_prod_tags_from_config_join_the_default_tags(prod: StackRun) -> None:
    tags = provider_default_tags(prod)
    assert tags == {"Project": "ecs-platform", "Stack": "prod", "ManagedBy": "pulumi",
                    "Environment": "prod", "CostCenter": "platform"}  # fmt: skip
    for svc in prod.of_type(SERVICE):
        assert svc.inputs["tags"] == {"Service": svc.name.removeprefix("ecs-")}


def test_exports_name_what_was_created(prod: StackRun) -> None:
    exported = prod.exports
    assert exported["launchType"] == "FARGATE"
    assert exported["clusterName"] == prod.one("aws:ecs/cluster:Cluster").outputs["name"]
    assert set(exported["services"]) == {"web", "api", "worker"}
    assert exported["services"]["web"]["logGroup"] == prod.one(LOG_GROUP, "ecs-web-task-logs").outputs["name"]
    assert exported["services"]["web"]["logGroup"].startswith("/ecs/ecs-platform-prod/web-")
    assert exported["zoneIds"] == ["use1-az1", "use1-az2", "use1-az3"]
    json.dumps(exported)  # plain data, printable by `pulumi stack output --json`


def test_each_run_starts_from_a_fresh_stack() -> None:
    first = run_program("prod")
    second = run_program("dev", {"services": {"jobs": {"image": "busybox", "user": "1000"}}})
    assert "loadBalancerDnsName" in first.exports
    assert "loadBalancerDnsName" not in second.exports
    assert set(second.exports["services"]) == {"jobs"}
