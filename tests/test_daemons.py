"""Daemons (issue 22): one task on every instance. The model's rules, the DAEMON services on EC2 and
ECS Anywhere and the Managed Daemons on Managed Instances the program registers, their preview and
their cost (one task per instance, at the capacity's maximum too)."""

from __future__ import annotations

from typing import Any

import pytest

from ecs_platform.daemon import daemon_container_args
from ecs_platform.errors import ConfigError
from ecs_platform.specs import DaemonSpec, PlatformSpec, TaskSpec
from ecs_platform.tools.mock_cloud import StackRun, run_program
from ecs_platform.tools.preview import cost, report
from tests.conftest import stack_run

AGENT = {"image": "public.ecr.aws/aws-observability/aws-otel-collector:v0.43.1", "user": "10001",
         "cpu": 256, "memory": 512}  # fmt: skip
SERVICE = "aws:ecs/service:Service"


def problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as exc:
        PlatformSpec.model_validate({"loadBalancer": {"allowPlainHttp": True}, **data})
    return exc.value.problems


@pytest.fixture(scope="module")
def on_ec2() -> StackRun:
    """staging (EC2, ECS Anywhere and Fargate) with a daemon on EC2 (awsvpc) and one on the machines."""
    run = run_program("staging", {"daemons": {"otel": {**AGENT, "launchType": "EC2"},
                                              "edge": {**AGENT, "launchType": "EXTERNAL"}}})  # fmt: skip
    assert run.error is None, run.error
    return run


# --- the model -------------------------------------------------------------------------------------


def test_a_daemon_takes_the_task_keys_of_a_service() -> None:
    assert issubclass(DaemonSpec, TaskSpec) and set(DaemonSpec.model_fields) == set(TaskSpec.model_fields)


def test_a_daemon_is_refused_on_fargate_naming_the_key() -> None:
    assert problems({"daemons": {"otel": AGENT}}) == [
        'PlatformSpec.daemons.otel.launch_type: "FARGATE" (the cluster\'s launchType) runs no instances for a '
        "daemon: Fargate does not support the DAEMON scheduling strategy (allowed: an instance capacity the "
        "cluster offers: none offered yet; add the ec2, external or managedInstances key to offer one)"]  # fmt: skip
    assert problems({"ec2": {}, "daemons": {"otel": {**AGENT, "launchType": "FARGATE_SPOT"}}}) == [
        'PlatformSpec.daemons.otel.launch_type: "FARGATE_SPOT" runs no instances for a daemon: Fargate does not '
        "support the DAEMON scheduling strategy (allowed: an instance capacity the cluster offers: EC2; add the "
        "ec2, external or managedInstances key to offer one)"]  # fmt: skip


def test_daemon_config_errors_register_nothing() -> None:
    run = run_program("dev", {"daemons": {"otel": AGENT}})
    assert isinstance(run.error, ConfigError) and run.resources == []
    assert run.error.problems[0].startswith('ecs-platform:daemons.otel.launchType: "FARGATE_SPOT" (the cluster\'s')


@pytest.mark.parametrize("other", ["services", "jobs"])
def test_a_daemon_is_named_unlike_any_service_or_job(other: str) -> None:
    data: dict[str, Any] = {"launchType": "EC2", "daemons": {"web": AGENT},
                            other: {"web": {"image": "nginx:1.27", "user": "1000"}}}  # fmt: skip
    assert f'PlatformSpec.daemons.web: "web" is also a {other[:-1]}\'s name' in "\n".join(problems(data))


def test_a_daemon_follows_the_placement_rules_of_its_capacity() -> None:
    found = problems({"launchType": "EC2", "daemons": {"otel": {**AGENT, "cpu": 8192, "ephemeralStorageGiB": 30}}})
    assert [p.split(":")[0] for p in found] == ["PlatformSpec.daemons.otel.cpu",
                                                 "PlatformSpec.daemons.otel.ephemeral_storage_gib"]  # fmt: skip
    assert "does not fit the smallest instance type" in found[0]


@pytest.mark.parametrize(
    ("fields", "where", "why"),
    [({"networkMode": "host"}, "network_mode", "RegisterDaemonTaskDefinition has no network mode"),
     ({"architecture": "ARM64"}, "architecture", "RegisterDaemonTaskDefinition has no runtime platform"),
     ({"port": 4317}, "port", "a daemon container definition has no port mappings"),
     ({"sidecars": {"x": {"image": "busybox:1.37", "user": "1", "port": 9000}}}, "sidecars.x.port",
      "a daemon container definition has no port mappings")],
)  # fmt: skip
def test_a_daemon_on_managed_instances_has_only_what_a_daemon_task_definition_has(
    fields: dict[str, Any], where: str, why: str
) -> None:
    found = problems({"launchType": "MANAGED_INSTANCES", "daemons": {"otel": {**AGENT, **fields}}})
    assert found == [f"PlatformSpec.daemons.otel.{where}: is set, and {why}" + found[0].split(why, 1)[1]]


def test_a_daemon_mounts_no_efs() -> None:
    found = problems({"launchType": "EC2", "daemons": {"otel": {**AGENT, "volumes": {"d": {"efs": {}}},
                                                                "mounts": {"/d": "d"}}}})  # fmt: skip
    assert found == ["PlatformSpec.daemons.otel.volumes.d: is an EFS volume, which a daemon cannot mount here "
                     "(allowed: scratch volumes; a daemon task definition on MANAGED_INSTANCES has host volumes only, "
                     "and the platform mounts EFS in services and jobs, not daemons)"]  # fmt: skip


# --- EC2 and ECS Anywhere: DAEMON services ---------------------------------------------------------------


@pytest.mark.parametrize(("daemon", "launch_type"), [("ecs-otel", "EC2"), ("ecs-edge", "EXTERNAL")])
def test_on_instances_a_daemon_is_a_daemon_service_with_its_launch_type(
    on_ec2: StackRun, daemon: str, launch_type: str
) -> None:
    svc = on_ec2.one(SERVICE, daemon)
    assert svc.inputs["schedulingStrategy"] == "DAEMON" and svc.inputs["launchType"] == launch_type
    # What DAEMON refuses: a desired count, a placement strategy, a capacity provider strategy.
    for key in ("desiredCount", "orderedPlacementStrategies", "capacityProviderStrategies"):
        assert key not in svc.inputs, key
    assert svc.inputs["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    task = on_ec2.one("aws:ecs/taskDefinition:TaskDefinition", f"{daemon}-task")
    assert task.inputs["requiresCompatibilities"] == [launch_type]
    assert svc.inputs["taskDefinition"] == task.outputs["arn"]


def test_an_awsvpc_daemon_gets_its_own_egress_only_group_in_the_private_subnets(on_ec2: StackRun) -> None:
    svc = on_ec2.one(SERVICE, "ecs-otel")
    net = svc.inputs["networkConfiguration"]
    assert net["assignPublicIp"] is False
    assert net["subnets"] == on_ec2.one("awsx:ec2:Vpc").outputs["privateSubnetIds"]
    [sg] = net["securityGroups"]
    assert not [r for r in on_ec2.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
                if r.inputs["securityGroupId"] == sg]  # fmt: skip
    assert "networkConfiguration" not in on_ec2.one(SERVICE, "ecs-edge").inputs  # bridge on ECS Anywhere
    # It sends what every awsvpc task may: HTTPS anywhere and anything within the VPC, nothing else.
    egress = sorted((r.inputs["ipProtocol"], r.inputs.get("toPort"), r.inputs["cidrIpv4"])
                    for r in on_ec2.of_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
                    if r.inputs["securityGroupId"] == sg)  # fmt: skip
    vpc_cidr = on_ec2.one("awsx:ec2:Vpc").inputs["cidrBlock"]
    assert egress == sorted([("tcp", 443, "0.0.0.0/0"), ("-1", None, vpc_cidr)])


def test_a_daemon_has_its_own_roles_and_log_group(on_ec2: StackRun) -> None:
    task = on_ec2.one("aws:ecs/taskDefinition:TaskDefinition", "ecs-otel-task")
    assert task.inputs["family"] == "ecs-platform-staging-otel"
    assert task.inputs["taskRoleArn"] == on_ec2.one("aws:iam/role:Role", "ecs-otel-roles-task").outputs["arn"]
    logs = on_ec2.one("aws:cloudwatch/logGroup:LogGroup", "ecs-otel-task-logs")
    web_logs = on_ec2.one("aws:cloudwatch/logGroup:LogGroup", "ecs-web-task-logs")
    assert logs.inputs["retentionInDays"] == web_logs.inputs["retentionInDays"]
    assert logs.inputs["namePrefix"] == "/ecs/ecs-platform-staging/otel-"


def test_the_daemon_export_names_what_was_created(on_ec2: StackRun) -> None:
    assert set(on_ec2.exports["daemons"]) == {"otel", "edge"}
    assert on_ec2.exports["daemons"]["otel"]["daemonName"] == on_ec2.one(SERVICE, "ecs-otel").outputs["name"]


# --- Managed Instances: Managed Daemons ----------------------------------------------------------------


def test_on_managed_instances_a_daemon_is_a_managed_daemon_on_the_capacity_provider() -> None:
    managed = stack_run("managed")
    daemon = managed.one("aws:ecs/daemon:Daemon", "ecs-otel")
    cp = managed.one("aws:ecs/capacityProvider:CapacityProvider", "ecs-cluster-managed-cp")
    task = managed.one("aws:ecs/daemonTaskDefinition:DaemonTaskDefinition", "ecs-otel-task")
    assert daemon.inputs["capacityProviderArns"] == [cp.outputs["arn"]]
    assert daemon.inputs["clusterArn"] == managed.one("aws:ecs/cluster:Cluster").outputs["arn"]
    assert daemon.inputs["daemonTaskDefinitionArn"] == task.outputs["arn"]
    assert daemon.outputs["arn"] == "arn:aws:ecs:us-east-1:123456789012:daemon/" + (
        managed.one("aws:ecs/cluster:Cluster").outputs["name"] + "/" + daemon.outputs["name"])
    assert task.outputs["arn"] == "arn:aws:ecs:us-east-1:123456789012:daemon-task-definition/ecs-platform-managed-otel:1"
    [container] = task.inputs["containerDefinitions"]
    assert container["readonlyRootFilesystem"] is True and container["user"] == "10001"
    assert container["commands"] == ["--config=/etc/ecs/ecs-default-config.yaml"]
    assert container["logConfiguration"]["options"]["awslogs-stream-prefix"] == "otel"
    assert (task.inputs["cpu"], task.inputs["memory"]) == ("256", "512")
    assert not [s for s in managed.of_type(SERVICE) if s.inputs.get("schedulingStrategy") == "DAEMON"]


def test_container_definitions_become_the_daemon_task_definitions_structured_keys() -> None:
    definition = {"name": "a", "command": ["x"], "entryPoint": ["sh"], "environment": [{"name": "K", "value": "v"}],
                  "dependsOn": [{"containerName": "b", "condition": "START"}],
                  "healthCheck": {"command": ["CMD", "true"], "startPeriod": 1},
                  "linuxParameters": {"capabilities": {"drop": ["ALL"]}, "initProcessEnabled": True},
                  "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "g", "mode": "x"}}}  # fmt: skip
    assert daemon_container_args(definition) == {
        "name": "a", "commands": ["x"], "entry_points": ["sh"], "environments": [{"name": "K", "value": "v"}],
        "depends_ons": [{"container_name": "b", "condition": "START"}],
        "health_check": {"commands": ["CMD", "true"], "start_period": 1},
        "linux_parameters": {"capabilities": {"drops": ["ALL"]}, "init_process_enabled": True},
        "log_configuration": {"log_driver": "awslogs", "options": {"awslogs-group": "g", "mode": "x"}}}  # fmt: skip


# --- preview and cost --------------------------------------------------------------------------------


def test_the_preview_says_one_task_on_every_instance(on_ec2: StackRun) -> None:
    text = report.text(on_ec2, None)
    assert "DAEMON: one task on every EC2 instance; launch type EC2" in text
    assert "one task on every instance of mi-ecs-platform-managed" in report.text(stack_run("managed"), None)


def test_cost_counts_one_daemon_task_per_instance_up_to_the_capacitys_maximum(on_ec2: StackRun) -> None:
    est = cost.estimate(on_ec2)
    lines = {c.item: c for c in est.lines}
    group = lines["EC2 ecs-cluster-ec2-asg"]
    desired = int(group.detail.split(" x ")[1].split(" ")[0])
    assert lines["Daemon ecs-otel"].detail.endswith(f"{desired} task(s), max 6; in the instances' price")
    assert lines["Daemon ecs-edge"].detail.endswith("1 task(s), max 5; in the instances' price")
    assert lines["Daemon ecs-otel"].desired == lines["Daemon ecs-otel"].maximum == 0.0


def test_daemons_take_room_on_every_instance_so_more_instances_are_priced() -> None:
    base = {"launchType": "EC2", "ec2": {"instanceTypes": ["t3.medium"], "minSize": 1, "maxSize": 10},
            "services": {"api": {"image": "nginx:1.27", "user": "1000", "cpu": 1024, "memory": 1536,
                                 "desiredCount": 2}}}  # fmt: skip
    heavy = {**AGENT, "cpu": 1024, "memory": 1536}

    def instances(data: dict[str, Any]) -> int:
        line = next(c for c in cost.estimate(run_program("dev", data)).lines if c.item.startswith("EC2 ecs-cluster"))
        return int(line.detail.split(" x ")[1].split(" ")[0])

    assert instances(base) == 1
    assert instances({**base, "daemons": {"otel": heavy}}) == 2


# --- the policy pack ---------------------------------------------------------------------------------


def _pack(typ: str, props: dict[str, Any]) -> list[str]:
    from ecs_platform.tools import policy_rules as rules

    return [m for rule in rules.RESOURCE_RULES for m in rule.violations(typ, props)]


def test_the_pack_reads_a_daemon_task_definitions_structured_containers() -> None:
    typ = "aws:ecs/daemonTaskDefinition:DaemonTaskDefinition"
    good = {"tags": {"Project": "p"}, "containerDefinitions": [
        {"name": "agent", "image": "x", "user": "1000", "readonlyRootFilesystem": True,
         "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "g"}}}]}  # fmt: skip
    assert _pack(typ, good) == []
    bad = {"containerDefinitions": [{"name": "agent", "image": "x", "privileged": True,
                                     "environments": [{"name": "AWS_SECRET_ACCESS_KEY", "value": "x"}]}]}  # fmt: skip
    assert _pack(typ, bad) == [
        "ECS.4: container agent is privileged",
        "ECS.5: container agent has a writable root filesystem",
        "ECS.8: container agent has AWS_SECRET_ACCESS_KEY in its plain environment",
        "ECS.9: container agent has no log configuration",
        "ECS.15: the resource has no tags",
        "ECS.20: container agent sets no user (runs as its image's, often root)",
    ]


def test_every_daemon_of_the_examples_passes_the_pack(on_ec2: StackRun) -> None:
    from tests.test_policy import resource_violations, stack_violations

    for run in (on_ec2, stack_run("managed")):
        assert resource_violations(run) == [] and stack_violations(run) == []
