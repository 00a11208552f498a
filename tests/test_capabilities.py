"""The everyday capabilities of issue 21: stacks without services, bridge networking behind the
load balancer, FireLens log routing, container restart policies and capacity provider strategies.
Each rule on the model (its message at its key path), each capability through the mock engine
(what it registers), and bad values registering nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ecs_platform.errors import ConfigError
from ecs_platform.tools.mock_cloud import StackRun, run_program
from tests.conftest import containers, policy
from tests.test_policy import resource_violations, stack_violations
from tests.test_validation import config_problems, load

SERVICE = "aws:ecs/service:Service"
TASK_DEF = "aws:ecs/taskDefinition:TaskDefinition"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
LB = "aws:lb/loadBalancer:LoadBalancer"
TG = "aws:lb/targetGroup:TargetGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
APP: dict[str, Any] = {"image": "public.ecr.aws/docker/library/busybox:1.37", "user": "1000"}


def ok(overrides: dict[str, Any], stack: str = "dev") -> StackRun:
    run = run_program(stack, overrides)
    assert run.error is None, run.error
    return run


def refused(overrides: dict[str, Any], stack: str = "dev") -> list[str]:
    """The problems of config the model refuses, after proving the program registers nothing."""
    run = run_program(stack, overrides)
    assert isinstance(run.error, ConfigError), run.error
    assert run.resources == []
    return config_problems(overrides, stack)


def clean(run: StackRun) -> None:
    assert resource_violations(run) == []
    assert stack_violations(run) == []


# --- 1. stacks with no service ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def cluster_only() -> StackRun:
    return ok({"services": {}})


def test_no_services_is_a_cluster_with_its_capacity_and_no_load_balancer(cluster_only: StackRun) -> None:
    assert cluster_only.of_type(SERVICE) == [] and cluster_only.of_type(TASK_DEF) == []
    assert cluster_only.of_type(LB) == [] and cluster_only.of_type(TG) == []
    capacity = cluster_only.one("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders").inputs
    assert capacity["capacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
    assert cluster_only.exports["services"] == {} and cluster_only.exports["urls"] == {}
    assert "loadBalancerDnsName" not in cluster_only.exports


def test_no_services_gets_the_seeds_task_roles_shared_and_exported(cluster_only: StackRun) -> None:
    execution = cluster_only.one(ROLE, "ecs-roles-execution")
    task = cluster_only.one(ROLE, "ecs-roles-task")
    for role in (execution, task):
        trust = policy(role.inputs["assumeRolePolicy"])["Statement"]
        assert [s["Principal"] for s in trust] == [{"Service": "ecs-tasks.amazonaws.com"}]
    (managed,) = [a for a in cluster_only.of_type(ATTACHMENT) if a.inputs["role"] == execution.outputs["name"]]
    assert managed.inputs["policyArn"] == "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
    # the task role holds nothing: least privilege until someone attaches a policy
    assert [p for p in cluster_only.of_type(ROLE_POLICY) if p.inputs["role"] == task.outputs["name"]] == []
    assert [a for a in cluster_only.of_type(ATTACHMENT) if a.inputs["role"] == task.outputs["name"]] == []
    assert cluster_only.exports["taskExecutionRoleArn"] == execution.outputs["arn"]
    assert cluster_only.exports["taskRoleArn"] == task.outputs["arn"]


def test_a_cluster_without_services_passes_the_pack(cluster_only: StackRun) -> None:
    clean(cluster_only)


def test_no_services_with_jobs_is_a_stack_of_jobs_only() -> None:
    run = ok({"services": {}, "jobs": {"nightly": {**APP, "schedule": "cron(0 3 * * ? *)"}}})
    assert run.of_type(SERVICE) == [] and run.of_type(LB) == []
    assert [t.inputs["family"] for t in run.of_type(TASK_DEF)] == ["ecs-platform-dev-nightly"]
    # the job has roles of its own: no shared ones
    assert [r.name for r in run.of_type("ecs-platform:iam:SharedTaskRoles")] == []
    assert "taskRoleArn" not in run.exports
    clean(run)


def test_no_load_balancer_when_no_service_is_public() -> None:
    run = ok({"services": {"worker": APP}})
    assert run.of_type(LB) == [] and run.of_type(TG) == []
    assert [s.name for s in run.of_type(SERVICE)] == ["ecs-worker"]
    assert run.of_type("ecs-platform:iam:SharedTaskRoles") == []


def test_omitting_services_keeps_the_sample_service() -> None:
    spec, _ = load({"services": None})
    assert list(spec.services) == ["web"] and spec.services["web"].is_public
    spec, _ = load({"services": {}})
    assert spec.services == {} and spec.shares_task_roles


# --- 2. bridge networking behind the load balancer on EC2 ----------------------------------------

BRIDGE: dict[str, Any] = {
    "launchType": "EC2",
    "services": {
        "web": {"image": "nginx:1.27", "user": "101", "port": 8080, "public": True, "networkMode": "bridge"},
        "api": {"image": "nginx:1.27", "user": "101", "port": 8081, "routes": [{"paths": ["/api/*"]}],
                "networkMode": "bridge"},
        "edge": {"image": "nginx:1.27", "user": "101", "port": 9090, "routes": [{"paths": ["/edge/*"]}],
                 "networkMode": "host", "desiredCount": 3, "waivers": {"ECS.17": "needs the host network"}},
    },
}  # fmt: skip


@pytest.fixture(scope="module")
def bridge() -> StackRun:
    return ok(BRIDGE)


def test_bridge_gets_a_dynamic_host_port_and_an_instance_target_group(bridge: StackRun) -> None:
    task = bridge.one(TASK_DEF, "ecs-web-task").inputs
    assert task["networkMode"] == "bridge"
    (app,) = containers(bridge.one(TASK_DEF, "ecs-web-task"))
    assert app["portMappings"] == [{"name": "web-8080", "containerPort": 8080, "protocol": "tcp", "hostPort": 0}]
    tg = bridge.one(TG, "ecs-web-tg").inputs
    assert (tg["targetType"], tg["port"]) == ("instance", 8080)
    service = bridge.one(SERVICE, "ecs-web").inputs
    assert [(lb["containerName"], lb["containerPort"]) for lb in service["loadBalancers"]] == [("web", 8080)]
    assert "networkConfiguration" not in service  # the instance's network: no task security group
    assert bridge.of_type("aws:ec2/securityGroup:SecurityGroup") and not [
        g for g in bridge.of_type("aws:ec2/securityGroup:SecurityGroup") if g.name == "ecs-web-sg"]


def test_instances_admit_only_the_load_balancer_on_the_ephemeral_range_once(bridge: StackRun) -> None:
    instances = bridge.one("aws:ec2/securityGroup:SecurityGroup", "ecs-cluster-ec2-sg").id
    lb_sg = bridge.one("aws:ec2/securityGroup:SecurityGroup", "ecs-lb-sg").id
    ingress = [r.inputs for r in bridge.of_type(INGRESS) if r.inputs["securityGroupId"] == instances]
    # one rule for both bridge services (AWS refuses a duplicate), one for the host-mode port
    assert sorted((r["fromPort"], r["toPort"], r["referencedSecurityGroupId"]) for r in ingress) == [
        (9090, 9090, lb_sg), (32768, 65535, lb_sg)]
    assert all("cidrIpv4" not in r for r in ingress)
    egress = [r.inputs for r in bridge.of_type(EGRESS) if r.inputs["securityGroupId"] == lb_sg
              and r.inputs.get("referencedSecurityGroupId") == instances]  # fmt: skip
    assert sorted((r["fromPort"], r["toPort"]) for r in egress) == [(9090, 9090), (32768, 65535)]


def test_host_mode_keeps_its_fixed_port_one_task_per_instance(bridge: StackRun) -> None:
    (app,) = containers(bridge.one(TASK_DEF, "ecs-edge-task"))
    assert app["portMappings"] == [{"name": "edge-9090", "containerPort": 9090, "protocol": "tcp"}]
    assert bridge.one(TG, "ecs-edge-tg").inputs["targetType"] == "instance"
    assert bridge.one(SERVICE, "ecs-edge").inputs["placementConstraints"] == [{"type": "distinctInstance"}]
    assert "placementConstraints" not in bridge.one(SERVICE, "ecs-web").inputs


def test_bridge_and_host_behind_the_load_balancer_pass_the_pack(bridge: StackRun) -> None:
    clean(bridge)


def test_the_cost_holds_one_instance_per_host_mode_task(bridge: StackRun) -> None:
    from ecs_platform.tools.preview.cost import estimate

    (line,) = [x for x in estimate(bridge).lines if x.item.startswith("EC2 ")]
    assert line.detail.startswith("t3.medium x 3 ")


def test_awsvpc_services_keep_ip_targets_and_their_own_group() -> None:
    run = ok({"launchType": "EC2", "services": {"web": {**BRIDGE["services"]["web"], "networkMode": "awsvpc"}}})
    assert run.one(TG, "ecs-web-tg").inputs["targetType"] == "ip"
    assert [r.name for r in run.of_type(INGRESS) if r.name.startswith("ecs-lb-to-instances")] == []
    assert run.one(INGRESS, "ecs-web-from-lb").inputs["fromPort"] == 8080


# --- 4. container restart policy -----------------------------------------------------------------------


def test_restart_policies_reach_the_app_each_sidecar_and_jobs() -> None:
    run = ok({
        "services": {"api": {**APP, "restartPolicy": {"ignoredExitCodes": [0, 143], "attemptPeriod": 60},
                             "sidecars": {"agent": {**APP, "restartPolicy": {}}, "plain": APP}}},
        "jobs": {"once": {**APP, "restartPolicy": {"attemptPeriod": 1800}}},
    })  # fmt: skip
    by_name = {c["name"]: c for c in containers(run.one(TASK_DEF, "ecs-api-task"))}
    assert by_name["api"]["restartPolicy"] == {"enabled": True, "ignoredExitCodes": [0, 143], "restartAttemptPeriod": 60}
    # {} enables it with AWS's defaults (no exit code ignored, 300 s)
    assert by_name["agent"]["restartPolicy"] == {"enabled": True}
    assert "restartPolicy" not in by_name["plain"]
    (job,) = containers(run.one(TASK_DEF, "ecs-once-task"))
    assert job["restartPolicy"] == {"enabled": True, "restartAttemptPeriod": 1800}
    clean(run)


RESTART_CASES: list[tuple[str, dict[str, Any], str]] = [
    ("attempt period below 60", {"attemptPeriod": 59},
     "ecs-platform:services.api.restartPolicy.attemptPeriod: 59 is out of range (allowed: 60..1800)"),
    ("attempt period above 1800", {"attemptPeriod": 1801},
     "ecs-platform:services.api.restartPolicy.attemptPeriod: 1801 is out of range (allowed: 60..1800)"),
    ("attempt period not an integer", {"attemptPeriod": "60"},
     'ecs-platform:services.api.restartPolicy.attemptPeriod: "60" is not an integer (allowed: 60..1800)'),
    ("51 exit codes", {"ignoredExitCodes": list(range(51))},
     "ecs-platform:services.api.restartPolicy.ignoredExitCodes: 51 exit codes (allowed: at most 50, "
     "ContainerRestartPolicy's limit)"),
    ("an exit code that is no integer", {"ignoredExitCodes": [1.5]},
     "ecs-platform:services.api.restartPolicy.ignoredExitCodes[0]: 1.5 is not an integer "
     "(allowed: -2147483648..2147483647)"),
    ("unknown key", {"enabled": True},
     "ecs-platform:services.api.restartPolicy.enabled: unknown key (allowed: attemptPeriod, ignoredExitCodes)"),
]  # fmt: skip


@pytest.mark.parametrize(("policy_", "expected"), [c[1:] for c in RESTART_CASES], ids=[c[0] for c in RESTART_CASES])
def test_bad_restart_policies_are_refused_at_their_key(policy_: dict[str, Any], expected: str) -> None:
    assert config_problems({"services": {"api": {**APP, "restartPolicy": policy_}}}) == [expected]


def test_a_bad_sidecar_restart_policy_is_refused_at_its_key_and_registers_nothing() -> None:
    problems = refused({"services": {"api": {**APP, "sidecars": {"agent": {**APP, "restartPolicy": {"attemptPeriod": 5}}}}}})
    assert problems == ["ecs-platform:services.api.sidecars.agent.restartPolicy.attemptPeriod: 5 is out of range "
                        "(allowed: 60..1800)"]  # fmt: skip


def test_restart_policy_limits_on_the_model() -> None:
    from ecs_platform import RestartPolicySpec

    assert RestartPolicySpec(ignored_exit_codes=tuple(range(50)), attempt_period=1800).attempt_period == 1800
    assert RestartPolicySpec(attempt_period=60).ignored_exit_codes == ()
    with pytest.raises(ConfigError) as exc:
        RestartPolicySpec(attempt_period=30)
    assert exc.value.problems == ["RestartPolicySpec.attempt_period: 30 is out of range (allowed: 60..1800)"]


# --- 5. capacity provider strategies ---------------------------------------------------------------------

STRATEGY = [{"provider": "FARGATE", "weight": 1, "base": 2}, {"provider": "FARGATE_SPOT", "weight": 3}]


@pytest.fixture(scope="module")
def strategies() -> StackRun:
    return ok({
        "launchType": "FARGATE", "capacityProviderStrategy": STRATEGY,
        "services": {"api": APP, "spot": {**APP, "capacityProviderStrategy": [{"provider": "FARGATE_SPOT"}]},
                     "pinned": {**APP, "launchType": "FARGATE"}},
        "jobs": {"nightly": {**APP, "schedule": "cron(0 3 * * ? *)",
                             "capacityProviderStrategy": [{"provider": "FARGATE", "weight": 1}]}},
    })  # fmt: skip


def items(*triples: tuple[str, int, int]) -> list[dict[str, Any]]:
    return [{"capacityProvider": p, "weight": w, "base": b} for p, w, b in triples]


def test_the_stack_strategy_is_the_clusters_default_and_replaces_the_fixed_spot_split(strategies: StackRun) -> None:
    cluster = strategies.one("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders").inputs
    expected = items(("FARGATE", 1, 2), ("FARGATE_SPOT", 3, 0))
    assert cluster["defaultCapacityProviderStrategies"] == expected
    assert strategies.one(SERVICE, "ecs-api").inputs["capacityProviderStrategies"] == expected


def test_a_service_or_jobs_own_strategy_or_launch_type_wins(strategies: StackRun) -> None:
    assert strategies.one(SERVICE, "ecs-spot").inputs["capacityProviderStrategies"] == items(("FARGATE_SPOT", 1, 0))
    assert strategies.one(SERVICE, "ecs-pinned").inputs["capacityProviderStrategies"] == items(("FARGATE", 1, 0))
    ecs = strategies.one("aws:scheduler/schedule:Schedule", "ecs-nightly-schedule").inputs["target"]["ecsParameters"]
    assert ecs["capacityProviderStrategies"] == items(("FARGATE", 1, 0))
    clean(strategies)


def test_an_ec2_strategy_names_the_clusters_ec2_provider_and_prices_its_instances() -> None:
    from ecs_platform.tools.preview.cost import estimate

    run = ok({"launchType": "EC2", "capacityProviderStrategy": [{"provider": "EC2", "weight": 1, "base": 1}],
              "services": {"api": APP}})  # fmt: skip
    provider = run.one("aws:ecs/capacityProvider:CapacityProvider").outputs["name"]
    assert run.one(SERVICE, "ecs-api").inputs["capacityProviderStrategies"] == items((provider, 1, 1))
    assert [x.item for x in estimate(run).lines if x.item.startswith("EC2 ")] == ["EC2 ecs-cluster-ec2-asg"]


STRATEGY_CASES: list[tuple[str, dict[str, Any], list[str]]] = [
    ("EC2 on a cluster without EC2 capacity", {"capacityProviderStrategy": [{"provider": "EC2"}]},
     ['ecs-platform:capacityProviderStrategy[0].provider: "EC2" is not a capacity provider of this cluster '
      "(allowed: FARGATE, FARGATE_SPOT; add the `ec2` key for EC2)"]),
    ("unknown provider", {"capacityProviderStrategy": [{"provider": "EXTERNAL"}]},
     ['ecs-platform:capacityProviderStrategy[0].provider: "EXTERNAL" is not allowed (allowed: FARGATE, '
      "FARGATE_SPOT, EC2)"]),
    ("weight above 1000", {"capacityProviderStrategy": [{"provider": "FARGATE", "weight": 1001}]},
     ["ecs-platform:capacityProviderStrategy[0].weight: 1001 is out of range (allowed: 0..1000)"]),
    ("base above 100000", {"capacityProviderStrategy": [{"provider": "FARGATE", "base": 100001}]},
     ["ecs-platform:capacityProviderStrategy[0].base: 100001 is out of range (allowed: 0..100000)"]),
    ("every weight 0", {"capacityProviderStrategy": [{"provider": "FARGATE", "weight": 0, "base": 1}]},
     ["ecs-platform:capacityProviderStrategy: has no provider with a weight above 0, so ECS can place no task "
      "beyond the base (allowed: at least one weight 1..1000)"]),
    ("two bases", {"capacityProviderStrategy": [{"provider": "FARGATE", "base": 1},
                                                {"provider": "FARGATE_SPOT", "base": 2}]},
     ["ecs-platform:capacityProviderStrategy[1].base: 2 is a second base, after FARGATE's (allowed: a base on one "
      "provider of the strategy only)"]),
    ("empty", {"capacityProviderStrategy": []},
     ["ecs-platform:capacityProviderStrategy: [] is empty (allowed: one or more providers, or omit the key)"]),
    ("Fargate mixed with EC2", {"launchType": "EC2", "capacityProviderStrategy": [
        {"provider": "EC2"}, {"provider": "FARGATE"}]},
     ['ecs-platform:capacityProviderStrategy[0].provider: "EC2" is mixed with Fargate providers (allowed: Fargate '
      "providers only, or the EC2 provider only, in one strategy)"]),
    ("strategy of another kind than launchType", {"launchType": "EC2",
                                                  "capacityProviderStrategy": [{"provider": "FARGATE"}]},
     ['ecs-platform:launchType: "EC2" is another kind of capacity than capacityProviderStrategy\'s Fargate '
      "(allowed: launchType FARGATE or FARGATE_SPOT with it; external instances use no capacity provider)"]),
    ("service strategy with a launch type", {"services": {"api": {
        **APP, "launchType": "FARGATE", "capacityProviderStrategy": [{"provider": "FARGATE"}]}}},
     ['ecs-platform:services.api.launchType: "FARGATE" is given with capacityProviderStrategy (allowed: one of '
      "them; ECS: with a capacityProviderStrategy the launchType must be omitted, CreateService)"]),
    ("service strategy naming EC2 the cluster lacks", {"services": {"api": {
        **APP, "capacityProviderStrategy": [{"provider": "EC2"}]}}},
     ['ecs-platform:services.api.capacityProviderStrategy[0].provider: "EC2" is not a capacity provider of this '
      "cluster (allowed: FARGATE, FARGATE_SPOT; add the `ec2` key for EC2)"]),
    ("job strategy with two bases", {"jobs": {"once": {**APP, "capacityProviderStrategy": [
        {"provider": "FARGATE", "base": 1}, {"provider": "FARGATE_SPOT", "base": 1}]}}},
     ["ecs-platform:jobs.once.capacityProviderStrategy[1].base: 1 is a second base, after FARGATE's (allowed: a "
      "base on one provider of the strategy only)"]),
    ("ARM64 with Fargate Spot in its strategy", {"services": {"api": {
        **APP, "architecture": "ARM64", "capacityProviderStrategy": [{"provider": "FARGATE"}, {"provider": "FARGATE_SPOT"}]}}},
     ["ecs-platform:services.api.capacityProviderStrategy: ARM64 on FARGATE_SPOT is not supported: Fargate Spot "
      "runs X86_64 tasks only (allowed: architecture X86_64, or launchType FARGATE for ARM64)"]),
]  # fmt: skip


@pytest.mark.parametrize(("overrides", "expected"), [c[1:] for c in STRATEGY_CASES], ids=[c[0] for c in STRATEGY_CASES])
def test_bad_strategies_are_refused_at_their_key(overrides: dict[str, Any], expected: list[str]) -> None:
    assert config_problems(overrides) == expected


def test_a_bad_strategy_registers_nothing() -> None:
    assert refused({"capacityProviderStrategy": [{"provider": "FARGATE", "weight": 0}]}) == [
        "ecs-platform:capacityProviderStrategy: has no provider with a weight above 0, so ECS can place no task "
        "beyond the base (allowed: at least one weight 1..1000)"]


def test_strategy_rules_on_specs_built_in_python() -> None:
    from ecs_platform import CapacityProviderSpec, ClusterSpec, ServiceSpec

    spot = CapacityProviderSpec(provider="FARGATE_SPOT", weight=4)
    assert ClusterSpec(capacity_provider_strategy=(CapacityProviderSpec(provider="FARGATE", base=1), spot))
    with pytest.raises(ConfigError) as exc:
        ServiceSpec(image="nginx", user="1", capacity_provider_strategy=(spot, spot.model_copy(update={"base": 1}),
                                                                         CapacityProviderSpec(provider="FARGATE", base=2)))
    assert exc.value.problems == ["ServiceSpec.capacity_provider_strategy[2].base: 2 is a second base, after "
                                  "FARGATE_SPOT's (allowed: a base on one provider of the strategy only)"]


# --- 3. FireLens log routing -------------------------------------------------------------------------

DD_KEY = "arn:aws:secretsmanager:us-east-1:123456789012:secret:datadog/api-key-AbCdEf"
DATADOG = {"options": {"Name": "datadog", "Host": "http-intake.logs.datadoghq.com", "TLS": "on", "provider": "ecs"},
           "secretOptions": {"apikey": DD_KEY}}  # fmt: skip


@pytest.fixture(scope="module")
def firelens() -> StackRun:
    return ok({
        "services": {
            "api": {**APP, "port": 8080, "logRouter": {}, "sidecars": {"agent": APP}},
            "shipper": {**APP, "logRouter": DATADOG},
        },
        "jobs": {"once": {**APP, "logRouter": {}}},
    })  # fmt: skip


def by_name(run: StackRun, task: str) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in containers(run.one(TASK_DEF, task))}


def test_the_log_router_is_pinned_aws_for_fluent_bit_logging_to_the_log_group(firelens: StackRun) -> None:
    router = by_name(firelens, "ecs-api-task")["log-router"]
    group = firelens.one("aws:cloudwatch/logGroup:LogGroup", "ecs-api-task-logs").outputs["name"]
    assert router["image"] == "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.34.3.20260623"
    assert router["firelensConfiguration"] == {"type": "fluentbit"}
    assert router["essential"] is True and router["memoryReservation"] == 50
    assert router["logConfiguration"]["logDriver"] == "awslogs"
    assert router["logConfiguration"]["options"]["awslogs-group"] == group
    assert "portMappings" not in router


def test_by_default_every_container_logs_through_firelens_to_its_own_log_group(firelens: StackRun) -> None:
    group = firelens.one("aws:cloudwatch/logGroup:LogGroup", "ecs-api-task-logs").outputs["name"]
    for name in ("api", "agent"):
        assert by_name(firelens, "ecs-api-task")[name]["logConfiguration"] == {
            "logDriver": "awsfirelens",
            "options": {"Name": "cloudwatch_logs", "region": "us-east-1", "log_group_name": group,
                        "log_stream_prefix": f"{name}/", "auto_create_group": "false"},
        }  # fmt: skip


def test_the_task_role_writes_exactly_its_log_group_before_a_task_starts(firelens: StackRun) -> None:
    group = firelens.one("aws:cloudwatch/logGroup:LogGroup", "ecs-api-task-logs").outputs["arn"]
    grant = firelens.one(ROLE_POLICY, "ecs-api-task-firelens-policy")
    assert grant.inputs["role"] == firelens.one(ROLE, "ecs-api-roles-task").outputs["name"]
    assert policy(grant.inputs["policy"])["Statement"] == [
        {"Sid": "FireLensLogStreams", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": f"{group}:log-stream:*"},
    ]  # fmt: skip
    assert grant.urn in firelens.one(TASK_DEF, "ecs-api-task").dependencies


def test_options_go_to_every_container_and_secret_options_through_the_execution_role(firelens: StackRun) -> None:
    app = by_name(firelens, "ecs-shipper-task")["shipper"]
    assert app["logConfiguration"] == {"logDriver": "awsfirelens", "options": DATADOG["options"],
                                       "secretOptions": [{"name": "apikey", "valueFrom": DD_KEY}]}  # fmt: skip
    assert "apikey" not in json.dumps(app["logConfiguration"]["options"])
    read = policy(firelens.one(ROLE_POLICY, "ecs-shipper-roles-execution-secrets").inputs["policy"])
    assert read["Statement"][0]["Action"] == ["secretsmanager:GetSecretValue"]
    assert DD_KEY in read["Statement"][0]["Resource"]
    # an output of your own: no grant on the log group
    assert [p.name for p in firelens.of_type(ROLE_POLICY) if p.name.startswith("ecs-shipper-task-firelens")] == []


def test_jobs_route_their_logs_too(firelens: StackRun) -> None:
    job = by_name(firelens, "ecs-once-task")
    assert job["once"]["logConfiguration"]["logDriver"] == "awsfirelens" and "log-router" in job
    assert firelens.one(ROLE_POLICY, "ecs-once-task-firelens-policy")


def test_firelens_tasks_pass_the_pack_which_knows_the_router_exactly(firelens: StackRun) -> None:
    from ecs_platform.tools.policy_rules import is_log_router

    clean(firelens)
    router = by_name(firelens, "ecs-api-task")["log-router"]
    assert is_log_router(router)
    for change in ({"portMappings": [{"containerPort": 80}]}, {"image": "fluent/fluent-bit:3"},
                   {"name": "logs"}, {"privileged": True}, {"environment": [{"name": "A", "value": "b"}]}):  # fmt: skip
        assert not is_log_router({**router, **change}), change


FIRELENS_CASES: list[tuple[str, dict[str, Any], str]] = [
    ("credential in a plain option", {"options": {"Name": "datadog", "apikey": "abc"}},
     'ecs-platform:services.api.logRouter.options.apikey: "apikey" looks like a credential in a plain log router '
     "option (allowed: put it under `secretOptions` as a Secrets Manager or SSM parameter ARN)"),
    ("secret option without options", {"secretOptions": {"apikey": DD_KEY}},
     "ecs-platform:services.api.logRouter.secretOptions: is set without options, and the default output (the "
     "service's log group) takes no secrets (allowed: options naming an output, or no secretOptions)"),
    ("option both plain and secret", {"options": {"Name": "http", "header": "x"}, "secretOptions": {"header": DD_KEY}},
     'ecs-platform:services.api.logRouter.secretOptions.header: "header" is also a plain option (allowed: each '
     "option in either options or secretOptions)"),
    ("secret option that is no ARN", {"options": {"Name": "datadog"}, "secretOptions": {"apikey": "my-key"}},
     # (likely the key itself: never echoed)
     "ecs-platform:services.api.logRouter.secretOptions.apikey: <secret, 6 characters> is not a secret reference"),
    ("unknown key", {"image": "fluent/fluent-bit:3"},
     "ecs-platform:services.api.logRouter.image: unknown key (allowed: options, secretOptions)"),
]  # fmt: skip


@pytest.mark.parametrize(("router", "expected"), [c[1:] for c in FIRELENS_CASES], ids=[c[0] for c in FIRELENS_CASES])
def test_bad_log_routers_are_refused_at_their_key(router: dict[str, Any], expected: str) -> None:
    (problem,) = config_problems({"services": {"api": {**APP, "logRouter": router}}})
    assert problem.startswith(expected)


def test_the_router_counts_toward_ten_containers_and_the_tasks_memory() -> None:
    sidecars = {f"s{i}": APP for i in range(9)}
    assert config_problems({"services": {"api": {**APP, "logRouter": {}, "sidecars": sidecars}}}) == [
        "ecs-platform:services.api.sidecars: make 11 containers in the task, counting the application container "
        "and log-router (allowed: at most 10 containers per task definition, an AWS quota that cannot be raised)"]
    big = {"a": {**APP, "memory": 463}}
    assert config_problems({"services": {"api": {**APP, "logRouter": {}, "sidecars": big}}}) == [
        "ecs-platform:services.api.sidecars: take 463 MiB and the log router's 50, more than the task's 512 "
        "(allowed: sidecar memory adding up to at most the task's memory)"]
    ok({"services": {"api": {**APP, "logRouter": {}, "sidecars": {"a": {**APP, "memory": 462}}}}})
    load({"services": {"api": {**APP, "logRouter": {}, "sidecars": dict(list(sidecars.items())[:8])}}})


def test_firelens_port_is_refused_and_nothing_registered() -> None:
    assert refused({"services": {"api": {**APP, "port": 24224, "logRouter": {}}}}) == [
        "ecs-platform:services.api.port: 24224 is the port FireLens listens on in the task (allowed: another port "
        "with logRouter)"]
