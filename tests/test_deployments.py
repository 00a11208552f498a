"""Deployments that prove themselves (issue 12): services wait for steady state, public services
roll back on their target group's alarms, and ECS's native blue/green, linear and canary
deployments get their second target group, test listener and infrastructure role.

Every rule has its exact problem line on the config path, and registers nothing through the
mock engine."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ecs_platform import ClusterRef, LoadBalancerRef, Service, ServiceSpec
from ecs_platform.errors import ConfigError
from ecs_platform.load_balancer import LoadBalancer
from ecs_platform.specs import DeploymentSpec, LoadBalancerSpec
from ecs_platform.tools.mock_cloud import StackRun, project_file, run_program
from tests.conftest import stack_run
from tests.test_validation import CLUSTER_ARN, NS, config_problems, in_program, spec_problems

SERVICE = "aws:ecs/service:Service"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TG = "aws:lb/targetGroup:TargetGroup"
RULE = "aws:lb/listenerRule:ListenerRule"
LISTENER = "aws:lb/listener:Listener"
LISTENER_ARN = ("arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/lb/50dc6c495c0c9188/"
                "f2f7dc8efc522ab2")
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
CIDRS = ["203.0.113.0/24", "198.51.100.0/24"]
P = NS + "services.web.deployment."


def web(**fields: Any) -> dict[str, Any]:
    """A public service ``web`` (one catch-all route) with ``fields``."""
    return {"image": "nginx:1.27", "user": "1000", "port": 8080, "public": True, **fields}


#: Who tests a traffic-shifting deployment on dev's internet-facing load balancer (``stack``'s default).
TESTERS = ["192.0.2.0/28"]


def stack(deployment: dict[str, Any] | None = None, lb: dict[str, Any] | None = None, **top: Any) -> dict[str, Any]:
    """dev's overrides: service ``web`` deploying with ``deployment``, the load balancer with ``lb``.
    A traffic-shifting deployment on the internet-facing load balancer is tested from ``TESTERS``
    unless ``deployment`` names its ``testIngressCidrs`` (or the load balancer is internal)."""
    internal = (lb or {}).get("internal", False)
    if deployment is not None and deployment.get("strategy", "rolling") != "rolling" and not internal:
        deployment = {"testIngressCidrs": TESTERS, **deployment}
    svc = web(deployment=deployment) if deployment is not None else web()
    return {**top, "loadBalancer": {"allowPlainHttp": True, "accessLogs": False, **(lb or {})},
            "services": {"web": svc}}  # fmt: skip


def ok(run: StackRun) -> StackRun:
    assert run.error is None, run.error
    return run


def blue_green(**deployment: Any) -> StackRun:
    return ok(run_program("dev", stack({"strategy": "blueGreen", "testPort": 8443, **deployment},
                                       lb={"ingressCidrs": CIDRS})))  # fmt: skip


@pytest.fixture(scope="module")
def bg() -> StackRun:
    return blue_green(alarms=["checkout-errors"])


# --- steady state ------------------------------------------------------------------------------


@pytest.mark.parametrize("stack_name", ["dev", "prod", "staging"])
def test_every_service_waits_for_steady_state_within_the_deploy_timeout(stack_name: str) -> None:
    run = stack_run(stack_name)
    minutes = {"dev": "30m", "staging": "30m", "prod": "45m"}[stack_name]  # prod sets 45
    services = run.of_type(SERVICE)
    assert services
    for svc in services:
        assert svc.inputs["waitForSteadyState"] is True, svc.name
        # the provider's SIGINT rollback stays off (see service/component.py)
        assert "sigintRollback" not in svc.inputs, svc.name
        assert svc.custom_timeouts == {"create": minutes, "update": minutes}, svc.name
        assert "ecs-platform:waiver:steady-state" not in svc.inputs.get("tags", {})


def test_turning_steady_state_off_is_explicit_and_recorded_on_each_service() -> None:
    run = ok(run_program("dev", {"waitForSteadyState": False, "deployTimeoutMinutes": 10}))
    [svc] = run.of_type(SERVICE)
    assert svc.inputs["waitForSteadyState"] is False
    assert svc.inputs["tags"]["ecs-platform:waiver:steady-state"] == "waitForSteadyState: false in config"
    assert svc.custom_timeouts == {"create": "10m", "update": "10m"}


# --- deployment alarms -------------------------------------------------------------------------


def _alarms(run: StackRun) -> dict[str, dict[str, Any]]:
    """The deployment alarms (not a NAT instance's health alarm)."""
    nat = {r.urn for r in run.of_type("ecs-platform:network:NatInstance")}
    return {a.name: a.inputs for a in run.of_type(ALARM) if a.parent not in nat}


def test_a_public_service_rolls_back_on_5xx_and_unhealthy_hosts_of_its_target_group(dev: StackRun) -> None:
    tg_suffix = dev.one(TG, "ecs-web-tg").outputs["arnSuffix"]
    lb_suffix = dev.one("aws:lb/loadBalancer:LoadBalancer").outputs["arnSuffix"]
    alarms = _alarms(dev)
    assert set(alarms) == {"ecs-web-5xx", "ecs-web-unhealthy"}
    common = {"namespace": "AWS/ApplicationELB", "period": 60, "evaluationPeriods": 2, "datapointsToAlarm": 2,
              "comparisonOperator": "GreaterThanThreshold", "treatMissingData": "notBreaching",
              "dimensions": {"TargetGroup": tg_suffix, "LoadBalancer": lb_suffix}}  # fmt: skip
    for name, metric, statistic, threshold in (("ecs-web-5xx", "HTTPCode_Target_5XX_Count", "Sum", 10),
                                               ("ecs-web-unhealthy", "UnHealthyHostCount", "Maximum", 0)):  # fmt: skip
        assert {k: alarms[name][k] for k in common} == common, name
        assert (alarms[name]["metricName"], alarms[name]["statistic"], alarms[name]["threshold"]) == (
            metric, statistic, threshold)  # fmt: skip
    svc = dev.one(SERVICE, "ecs-web")
    names = [dev.one(ALARM, n).outputs["name"] for n in ("ecs-web-5xx", "ecs-web-unhealthy")]
    assert svc.inputs["alarms"] == {"alarmNames": names, "enable": True, "rollback": True}
    # the circuit breaker stays, for tasks that never start
    assert svc.inputs["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    # rolling, sent: the provider would keep a strategy the program stopped sending
    assert svc.inputs["deploymentConfiguration"] == {"strategy": "ROLLING"}


def test_thresholds_and_alarm_names_come_from_config() -> None:
    run = ok(run_program("dev", stack({"alarms": ["orders-slo", "checkout-errors"],
                                       "thresholds": {"target5xx": 50, "unhealthyHosts": 1, "minutes": 3}})))  # fmt: skip
    alarms = _alarms(run)
    assert alarms["ecs-web-5xx"]["threshold"] == 50
    assert alarms["ecs-web-unhealthy"]["threshold"] == 1
    assert {(a["evaluationPeriods"], a["datapointsToAlarm"]) for a in alarms.values()} == {(3, 3)}
    names = run.one(SERVICE).inputs["alarms"]["alarmNames"]
    assert names[2:] == ["orders-slo", "checkout-errors"] and len(names) == 4


def test_a_private_service_rolls_back_on_the_alarms_it_names_only() -> None:
    run = ok(run_program("dev", {"services": {"jobs": {"image": "busybox", "user": "1000",
                                                       "deployment": {"alarms": ["queue-age"]}}}}))  # fmt: skip
    assert _alarms(run) == {}
    assert run.one(SERVICE).inputs["alarms"] == {"alarmNames": ["queue-age"], "enable": True, "rollback": True}
    plain = ok(run_program("dev", {"services": {"jobs": {"image": "busybox", "user": "1000"}}}))
    assert "alarms" not in plain.one(SERVICE).inputs


# --- blue/green --------------------------------------------------------------------------------


def test_blue_green_has_two_identical_target_groups(bg: StackRun) -> None:
    blue, green = bg.one(TG, "ecs-web-tg").inputs, bg.one(TG, "ecs-web-tg-alt").inputs
    assert {k: v for k, v in blue.items() if k != "name"} == {k: v for k, v in green.items() if k != "name"}
    assert (blue["port"], blue["targetType"]) == (8080, "ip")
    # ECS registers each task with its container port and checks it on that port, so a group keeps
    # the port it was created with: a new container port must not replace groups ECS holds
    assert blue["healthCheck"]["port"] == "traffic-port"
    for group in ("ecs-web-tg", "ecs-web-tg-alt"):
        assert bg.one(TG, group).ignore_changes == ["port", "name"]


def _weighted(run: StackRun) -> list[dict[str, Any]]:
    blue, green = (run.one(TG, n).outputs["arn"] for n in ("ecs-web-tg", "ecs-web-tg-alt"))
    return [{"type": "forward", "forward": {"targetGroups": [{"arn": blue, "weight": 100},
                                                             {"arn": green, "weight": 0}]}}]  # fmt: skip


def test_production_and_test_rules_forward_100_0_and_leave_the_weights_to_ecs(bg: StackRun) -> None:
    production, test = bg.one(RULE, "ecs-web-route-0"), bg.one(RULE, "ecs-web-test-route")
    assert production.inputs["listenerArn"] == bg.one(LISTENER, "ecs-lb-http").id
    assert test.inputs["listenerArn"] == bg.one(LISTENER, "ecs-lb-test-8443").id
    for rule in (production, test):
        assert rule.inputs["actions"] == _weighted(bg), rule.name
        assert rule.inputs["conditions"] == [{"pathPattern": {"values": ["/*"]}}]
        assert rule.ignore_changes == ["actions"], rule.name


def _lb_ingress(run: StackRun) -> list[tuple[int, int, str]]:
    lb_sg = run.one("aws:ec2/securityGroup:SecurityGroup", "ecs-lb-sg").id
    return sorted((r.inputs["fromPort"], r.inputs["toPort"], r.inputs["cidrIpv4"])
                  for r in run.of_type(INGRESS) if r.inputs["securityGroupId"] == lb_sg)  # fmt: skip


def test_the_test_listener_is_admitted_from_the_testers_only(bg: StackRun) -> None:
    listener = bg.one(LISTENER, "ecs-lb-test-8443").inputs
    assert (listener["port"], listener["protocol"]) == (8443, "HTTP")  # as the main listener: no certificate
    assert listener["defaultActions"][0]["fixedResponse"]["statusCode"] == "404"
    # the production listener admits the load balancer's clients, the test listener the testers only
    assert _lb_ingress(bg) == sorted([(80, 80, c) for c in CIDRS] + [(8443, 8443, c) for c in TESTERS])
    assert not [c for c in bg.cloud.calls if c[0] == "aws:ec2/getVpc:getVpc"]


def test_an_internal_load_balancers_test_listener_admits_the_vpc_by_default() -> None:
    run = ok(run_program("dev", stack({"strategy": "blueGreen", "testPort": 8443},
                                      lb={"internal": True, "ingressCidrs": ["10.0.0.0/16"]})))  # fmt: skip
    assert run.one("aws:lb/loadBalancer:LoadBalancer").inputs["internal"] is True
    assert _lb_ingress(run) == [(80, 80, "10.0.0.0/16"), (8443, 8443, "10.0.0.0/16")]
    assert ("aws:ec2/getVpc:getVpc", {"id": run.one("awsx:ec2:Vpc").outputs["vpcId"]}) in run.cloud.calls


def test_test_ingress_cidrs_name_who_may_reach_the_test_listener() -> None:
    run = blue_green(testIngressCidrs=["192.0.2.0/28", "198.51.100.7/32"])
    assert _lb_ingress(run) == sorted([(80, 80, c) for c in CIDRS]
                                      + [(8443, 8443, "192.0.2.0/28"), (8443, 8443, "198.51.100.7/32")])
    assert not [c for c in run.cloud.calls if c[0] == "aws:ec2/getVpc:getVpc"]


def test_with_a_certificate_the_test_listener_is_https_with_the_same_policy(prod: StackRun) -> None:
    test, https = prod.one(LISTENER, "ecs-lb-test-8443").inputs, prod.one(LISTENER, "ecs-lb-https").inputs
    assert test["protocol"] == "HTTPS"
    assert (test["certificateArn"], test["sslPolicy"]) == (https["certificateArn"], https["sslPolicy"])


def test_the_infrastructure_role_trusts_ecs_as_aws_documents_it(bg: StackRun) -> None:
    role = bg.one(ROLE, "ecs-web-infrastructure")
    assert json.loads(role.inputs["assumeRolePolicy"]) == {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ecs.amazonaws.com"}, "Action": "sts:AssumeRole"}]}  # fmt: skip


def test_the_infrastructure_role_reaches_exactly_this_services_rules_and_target_groups(
    bg: StackRun,
) -> None:
    policy = bg.one(ROLE_POLICY, "ecs-web-infrastructure-policy")
    assert policy.inputs["role"] == bg.one(ROLE, "ecs-web-infrastructure").outputs["name"]
    arn = {n: r.outputs["arn"] for t in (TG, RULE, LISTENER) for r in bg.of_type(t) for n in [r.name]}
    assert json.loads(policy.inputs["policy"]) == {"Version": "2012-10-17", "Statement": [
        {"Sid": "ElbRead", "Effect": "Allow", "Action": [
            "elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeRules",
            "elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetHealth"],
         "Resource": "*"},
        {"Sid": "TargetGroups", "Effect": "Allow",
         "Action": ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
         "Resource": [arn["ecs-web-tg"], arn["ecs-web-tg-alt"]]},
        {"Sid": "ListenerRules", "Effect": "Allow", "Action": ["elasticloadbalancing:ModifyRule"],
         "Resource": [arn["ecs-web-route-0"], arn["ecs-web-test-route"]]},
    ]}  # fmt: skip


def test_the_service_deploys_blue_green_with_its_bake_time_and_both_groups(bg: StackRun) -> None:
    svc = bg.one(SERVICE, "ecs-web").inputs
    assert svc["deploymentConfiguration"] == {"strategy": "BLUE_GREEN", "bakeTimeInMinutes": "10"}
    [lb] = svc["loadBalancers"]
    role = bg.one(ROLE, "ecs-web-infrastructure").outputs["arn"]
    assert lb == {
        "targetGroupArn": bg.one(TG, "ecs-web-tg").outputs["arn"], "containerName": "web", "containerPort": 8080,
        "advancedConfiguration": {
            "alternateTargetGroupArn": bg.one(TG, "ecs-web-tg-alt").outputs["arn"],
            "productionListenerRule": bg.one(RULE, "ecs-web-route-0").outputs["arn"],
            "testListenerRule": bg.one(RULE, "ecs-web-test-route").outputs["arn"],
            "roleArn": role,
        },
    }  # fmt: skip
    # the role reaches ECS only with its policy in place
    assert bg.one(ROLE_POLICY, "ecs-web-infrastructure-policy").urn in bg.one(SERVICE, "ecs-web").dependencies


def test_blue_green_alarms_watch_both_target_groups_and_the_named_alarms(bg: StackRun) -> None:
    alarms = _alarms(bg)
    assert set(alarms) == {"ecs-web-5xx", "ecs-web-unhealthy", "ecs-web-5xx-alt", "ecs-web-unhealthy-alt"}
    green = bg.one(TG, "ecs-web-tg-alt").outputs["arnSuffix"]
    assert alarms["ecs-web-5xx-alt"]["dimensions"]["TargetGroup"] == green
    names = bg.one(SERVICE).inputs["alarms"]["alarmNames"]
    assert names == [bg.one(ALARM, n).outputs["name"] for n in
                     ("ecs-web-5xx", "ecs-web-unhealthy", "ecs-web-5xx-alt", "ecs-web-unhealthy-alt")] + [
        "checkout-errors"]  # fmt: skip


def test_linear_and_canary_carry_their_steps(bg: StackRun) -> None:
    linear = blue_green(strategy="linear", bakeMinutes=0, linear={"stepPercent": 25, "stepMinutes": 2})
    assert linear.one(SERVICE).inputs["deploymentConfiguration"] == {
        "strategy": "LINEAR", "bakeTimeInMinutes": "0",
        "linearConfiguration": {"stepPercent": 25, "stepBakeTimeInMinutes": "2"}}  # fmt: skip
    canary = blue_green(strategy="canary")
    assert canary.one(SERVICE).inputs["deploymentConfiguration"] == {
        "strategy": "CANARY", "bakeTimeInMinutes": "10",
        "canaryConfiguration": {"canaryPercent": 5.0, "canaryBakeTimeInMinutes": "10"}}  # fmt: skip
    # the same load balancer wiring as blue/green
    assert canary.one(SERVICE).inputs["loadBalancers"][0]["advancedConfiguration"].keys() == (
        bg.one(SERVICE).inputs["loadBalancers"][0]["advancedConfiguration"].keys())  # fmt: skip


def test_the_shifting_time_counts_every_step_and_the_bake() -> None:
    assert DeploymentSpec(strategy="linear", test_port=8443).shifting_minutes() == 9 * 6 + 10
    assert DeploymentSpec(strategy="linear", test_port=8443, linear={"step_percent": 33.4}).shifting_minutes() == (
        2 * 6 + 10)  # fmt: skip
    assert DeploymentSpec(strategy="canary", test_port=8443, bake_minutes=0).shifting_minutes() == 10
    assert DeploymentSpec().shifting_minutes() == 0


# --- rules ---------------------------------------------------------------------------------------

ALARM_NAME = ("is not a CloudWatch alarm name (allowed: 1-255 characters, not only white space, without ASCII "
              "control characters)")  # fmt: skip

#: (id, dev overrides, the exact problem line, also run through the mock engine).
CASES: list[tuple[str, dict[str, Any], str, bool]] = [
    ("unknown strategy", stack({"strategy": "bluegreen"}),
     f'{P}strategy: "bluegreen" is not allowed (allowed: rolling, blueGreen, linear, canary)', True),
    ("blue/green on a private service", {"services": {"jobs": {"image": "busybox", "user": "1000", "deployment": {
        "strategy": "blueGreen", "testPort": 8443}}}},
     f"{NS}services.jobs.deployment.strategy: blueGreen moves load balancer traffic, and the service is not public "
     "(allowed: rolling, or public: true / routes)", True),
    ("canary on EXTERNAL", {"launchType": "EXTERNAL", "services": {"edge": {
        "image": "busybox", "user": "1000", "port": 8080, "public": True,
        "deployment": {"strategy": "canary", "testPort": 8443}}}},
     f"{NS}services.edge.deployment.strategy: canary is not available on EXTERNAL capacity, which has no load "
     "balancer (allowed: rolling, or run the service on FARGATE or EC2)", True),
    ("test port 80", stack({"strategy": "blueGreen", "testPort": 80}),
     f"{P}testPort: 80 is a port of the load balancer's own listeners (allowed: 1..65535 other than 80 and 443)",
     True),
    ("test port 443", stack({"strategy": "linear", "testPort": 443}),
     f"{P}testPort: 443 is a port of the load balancer's own listeners (allowed: 1..65535 other than 80 and 443)",
     False),
    ("test port out of range", stack({"strategy": "blueGreen", "testPort": 70000}),
     f"{P}testPort: 70000 is out of range (allowed: 1..65535)", False),
    ("blue/green without a test port", stack({"strategy": "blueGreen"}),
     f"{P}testPort: null is missing (allowed: a port 1..65535 other than 80 and 443 for the test listener; required "
     "with strategy blueGreen)", True),
    ("test port with rolling", stack({"testPort": 8443}),
     f"{P}testPort: 8443 is set with strategy rolling, which has no test listener (allowed: strategy blueGreen, "
     "linear or canary, or remove it)", False),
    ("bake time with rolling", stack({"bakeMinutes": 5}),
     f"{P}bakeMinutes: 5 is set with strategy rolling, which has no bake time (allowed: strategy blueGreen, linear "
     "or canary, or remove it)", True),
    ("bake time above a day", stack({"strategy": "blueGreen", "testPort": 8443, "bakeMinutes": 1441}),
     f"{P}bakeMinutes: 1441 is out of range (allowed: 0..1440)", False),
    ("linear steps with blue/green", stack({"strategy": "blueGreen", "testPort": 8443, "linear": {}}),
     f"{P}linear: is set with strategy blueGreen (allowed: only with strategy linear)", False),
    ("canary share with linear", stack({"strategy": "linear", "testPort": 8443, "canary": {}}),
     f"{P}canary: is set with strategy linear (allowed: only with strategy canary)", False),
    ("linear step below 3%", stack({"strategy": "linear", "testPort": 8443, "linear": {"stepPercent": 2.9}}),
     f"{P}linear.stepPercent: 2.9 is not allowed (allowed: 3.0..100.0 in steps of 0.1)", False),
    ("linear step not in tenths", stack({"strategy": "linear", "testPort": 8443, "linear": {"stepPercent": 10.25}}),
     f"{P}linear.stepPercent: 10.25 is not allowed (allowed: 3.0..100.0 in steps of 0.1)", True),
    ("canary share as text", stack({"strategy": "canary", "testPort": 8443, "canary": {"percent": "5"}}),
     f'{P}canary.percent: "5" is not a number (allowed: 0.1..100.0 in steps of 0.1)', False),
    ("canary wait above a day", stack({"strategy": "canary", "testPort": 8443, "canary": {"minutes": 2000}}),
     f"{P}canary.minutes: 2000 is out of range (allowed: 0..1440)", False),
    ("alarm name empty", stack({"alarms": [""]}), f'{P}alarms[0]: "" {ALARM_NAME}', True),
    ("alarm name with a newline", stack({"alarms": ["a\nb"]}), f'{P}alarms[0]: "a\\nb" {ALARM_NAME}', False),
    ("alarm name too long", stack({"alarms": ["a" * 256]}), f'{P}alarms[0]: "{"a" * 256}" {ALARM_NAME}', False),
    ("alarm listed twice", stack({"alarms": ["x", "x"]}),
     f'{P}alarms[1]: "x" is already listed (allowed: each alarm once)', False),
    ("thresholds on a private service", {"services": {"jobs": {"image": "busybox", "user": "1000", "deployment": {
        "thresholds": {"target5xx": 5}}}}},
     f"{NS}services.jobs.deployment.thresholds: is set on a service that is not public: its alarms watch the load "
     "balancer's target group (allowed: only with public: true or routes)", True),
    ("negative 5xx threshold", stack({"thresholds": {"target5xx": -1}}),
     f"{P}thresholds.target5xx: -1 is out of range (allowed: 0..1000000)", False),
    ("blue/green with two routes", {"loadBalancer": {"allowPlainHttp": True}, "services": {"web": web(
        public=None, routes=[{"paths": ["/a/*"]}, {"paths": ["/b/*"]}],
        deployment={"strategy": "blueGreen", "testPort": 8443})}},
     f"{P}strategy: blueGreen moves the traffic of one listener rule, and the service has 2 routes (allowed: one "
     "route, or strategy rolling)", True),
    ("request scaling with canary", stack({"strategy": "canary", "testPort": 8443}) | {"services": {"web": web(
        deployment={"strategy": "canary", "testPort": 8443},
        autoscaling={"min": 1, "max": 4, "requestsPerTarget": 100})}},
     f"{NS}services.web.autoscaling.requestsPerTarget: tracks the requests of one target group, and a canary "
     "deployment moves the traffic to the other one (allowed: cpuTarget or memoryTarget with blueGreen, linear or "
     "canary; or strategy rolling)", True),
    ("two services on one test port", {"loadBalancer": {"allowPlainHttp": True}, "services": {
        "web": web(routes=[{"paths": ["/w/*"]}], deployment={"strategy": "blueGreen", "testPort": 8443}),
        "api": web(routes=[{"paths": ["/a/*"]}], deployment={"strategy": "blueGreen", "testPort": 8443})}},
     f"{NS}services.api.deployment.testPort: 8443 is also the test port of web (allowed: a port no other service's "
     "test listener has)", True),
    ("timeout shorter than the bake", stack({"strategy": "blueGreen", "testPort": 8443, "bakeMinutes": 60}),
     f"{NS}deployTimeoutMinutes: 30 is too short for services.web, whose blueGreen deployment takes at least 63 "
     "minutes (60 min of traffic steps and bake time, 45 s for new tasks to pass 3 load balancer checks 15 s apart, "
     "1 min of health check grace period, 30 s of draining the old tasks; pulling images and starting tasks come on "
     "top) (allowed: more than 63, up to 2880)", True),
    ("timeout shorter than the linear steps", stack({"strategy": "linear", "testPort": 8443}),
     f"{NS}deployTimeoutMinutes: 30 is too short for services.web, whose linear deployment takes at least 67 "
     "minutes (64 min of traffic steps and bake time, 45 s for new tasks to pass 3 load balancer checks 15 s apart, "
     "1 min of health check grace period, 30 s of draining the old tasks; pulling images and starting tasks come on "
     "top) (allowed: more than 67, up to 2880)", False),
    ("timeout covering the bake only", stack({"strategy": "blueGreen", "testPort": 8443, "bakeMinutes": 15},
                                            deployTimeoutMinutes=16),
     f"{NS}deployTimeoutMinutes: 16 is too short for services.web, whose blueGreen deployment takes at least 18 "
     "minutes (15 min of traffic steps and bake time, 45 s for new tasks to pass 3 load balancer checks 15 s apart, "
     "1 min of health check grace period, 30 s of draining the old tasks; pulling images and starting tasks come on "
     "top) (allowed: more than 18, up to 2880)", False),
    ("test ingress with rolling", stack({"testIngressCidrs": ["10.0.0.0/8"]}),
     f'{P}testIngressCidrs: ["10.0.0.0/8"] is set with strategy rolling, which has no test listener (allowed: '
     "strategy blueGreen, linear or canary, or remove it)", True),
    ("retarget with rolling", stack({"retarget": True}),
     f"{P}retarget: true is set with strategy rolling, which has no second target group (allowed: strategy "
     "blueGreen, linear or canary, or remove it)", False),
    ("internet-facing test listener without testers", stack({"strategy": "blueGreen", "testPort": 8443,
                                                             "testIngressCidrs": None}),
     f"{P}testIngressCidrs: null is missing, and the load balancer is internet-facing: clients reach its test "
     "listener from their own public addresses (or their NAT's), never from the VPC's CIDR block (allowed: the "
     "public CIDR blocks of who tests the new version, e.g. your office or VPN egress 203.0.113.0/24; required with "
     "strategy blueGreen unless loadBalancer.internal is true, where the default is the VPC's CIDR block)", True),
    ("internet-facing test listener with no testers", stack({"strategy": "canary", "testPort": 8443,
                                                            "testIngressCidrs": []}),
     f"{P}testIngressCidrs: [] is missing, and the load balancer is internet-facing: clients reach its test "
     "listener from their own public addresses (or their NAT's), never from the VPC's CIDR block (allowed: the "
     "public CIDR blocks of who tests the new version, e.g. your office or VPN egress 203.0.113.0/24; required with "
     "strategy canary unless loadBalancer.internal is true, where the default is the VPC's CIDR block)", False),
    ("test ingress not a block", stack({"strategy": "blueGreen", "testPort": 8443, "testIngressCidrs": ["vpn"]}),
     f'{P}testIngressCidrs[0]: "vpn" is not an IPv4 CIDR block (allowed: e.g. 203.0.113.0/24)', False),
    ("timeout below five minutes", {"deployTimeoutMinutes": 4},
     f"{NS}deployTimeoutMinutes: 4 is out of range (allowed: 5..2880)", True),
    ("steady state not a boolean", {"waitForSteadyState": "no"},
     f'{NS}waitForSteadyState: "no" is not a boolean (allowed: true, false)', False),
    ("test ports overflow the load balancer's security group", stack(
        {"strategy": "blueGreen", "testPort": 8443, "testIngressCidrs": [f"10.1.{i}.0/24" for i in range(41)]},
        lb={"ingressCidrs": [f"10.{i}.0.0/16" for i in range(20, 40)]}),
     f"{NS}loadBalancer.ingressCidrs: 20 blocks make 61 inbound rules on the load balancer's security group with the "
     "test ports 8443 (20 for the listeners, 41 for the test listeners' sources) (allowed: at most 60 rules, AWS's "
     "default quota per security group)", False),
]  # fmt: skip


def _params(cases: list[tuple[str, dict[str, Any], str, bool]]) -> list[Any]:
    return [pytest.param(c[1], c[2], id=c[0]) for c in cases]


def test_case_ids_are_unique() -> None:
    assert len({c[0] for c in CASES}) == len(CASES)


@pytest.mark.parametrize(("overrides", "expected"), _params(CASES))
def test_each_rule_reports_its_exact_problem(overrides: dict[str, Any], expected: str) -> None:
    problems = config_problems(overrides)
    assert expected in problems, problems


@pytest.mark.parametrize(("overrides", "expected"), _params([c for c in CASES if c[3]]))
def test_a_bad_deployment_registers_nothing(overrides: dict[str, Any], expected: str) -> None:
    run = run_program("dev", overrides)
    assert isinstance(run.error, ConfigError), run.error
    assert run.resources == []
    assert expected in run.error.problems, run.error.problems


def test_the_limits_themselves_load() -> None:
    ok(run_program("dev", stack({"strategy": "canary", "testPort": 1, "bakeMinutes": 0,
                                 "canary": {"percent": 0.1, "minutes": 0}})))  # fmt: skip
    ok(run_program("dev", stack({"strategy": "linear", "testPort": 65535, "bakeMinutes": 1440,
                                 "linear": {"stepPercent": 100, "stepMinutes": 1440}}, deployTimeoutMinutes=1444)))
    ok(run_program("dev", stack({"strategy": "linear", "testPort": 8443, "linear": {"stepPercent": 3.0}},
                                waitForSteadyState=False)))  # no wait: the timeout need not cover the steps


# --- embedding: the components' own checks ------------------------------------------------------


def test_a_service_shifting_traffic_needs_the_load_balancers_test_listener() -> None:
    spec = ServiceSpec(image="nginx", user="1000", port=8080, public=True,
                       deployment=DeploymentSpec(strategy="blueGreen", test_port=8443))  # fmt: skip
    ref = LoadBalancerRef(listener_arn=LISTENER_ARN, security_group_id="sg-0123456789abcdef0", arn_suffix="app/lb/50dc6c495c0c9188")
    problems = in_program(lambda: Service("s", spec, cluster=_cluster(), vpc_id="vpc-0123456789abcdef0", subnet_ids=["subnet-0aaaaaaaaaaaaaaaa"],
                                          load_balancer=ref))  # fmt: skip
    assert problems == ["Service.load_balancer.test_listener_arns: has no listener on 8443 (allowed: the load "
                        "balancer's test listener on deployment.test_port, e.g. from LoadBalancer(test_ports=[8443]))"]


def test_a_public_service_needs_the_load_balancers_arn_suffix_for_its_alarms() -> None:
    spec = ServiceSpec(image="nginx", user="1000", port=8080, public=True)
    ref = LoadBalancerRef(listener_arn=LISTENER_ARN, security_group_id="sg-0123456789abcdef0")
    problems = in_program(lambda: Service("s", spec, cluster=_cluster(), vpc_id="vpc-0123456789abcdef0", subnet_ids=["subnet-0aaaaaaaaaaaaaaaa"],
                                          load_balancer=ref))  # fmt: skip
    assert problems == ["Service.load_balancer.arn_suffix: None is missing (allowed: the load balancer's ARN "
                        "suffix, required for a public service's deployment alarms and "
                        "autoscaling.requestsPerTarget)"]


def test_the_load_balancer_refuses_a_test_port_of_its_own_listeners() -> None:
    problems = in_program(lambda: LoadBalancer("lb", LoadBalancerSpec(allow_plain_http=True), vpc_id="vpc-0123456789abcdef0",
                                               subnet_ids=["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"],
                                               region="us-east-1", test_ports=[443],
                                               test_ingress_cidrs={443: TESTERS}))  # fmt: skip
    assert problems == ["LoadBalancer.test_ports[0]: 443 is not a free port for a test listener (allowed: "
                        "1..65535, each once, other than 80 and 443)"]


def test_an_internet_facing_load_balancer_needs_who_may_reach_its_test_listener() -> None:
    problems = in_program(lambda: LoadBalancer("lb", LoadBalancerSpec(allow_plain_http=True), vpc_id="vpc-0123456789abcdef0",
                                               subnet_ids=["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"],
                                               region="us-east-1", test_ports=[8443]))  # fmt: skip
    assert problems == ["LoadBalancer.test_ingress_cidrs[8443]: missing, and the load balancer is internet-facing: "
                        "clients reach its test listener from their own public addresses (allowed: the public CIDR "
                        "blocks of who tests the new version; the VPC's CIDR block is the default only on an "
                        "internal load balancer)"]


def _cluster() -> ClusterRef:
    return ClusterRef(arn=CLUSTER_ARN)


def test_python_callers_get_the_same_messages_at_snake_case_paths() -> None:
    problems = spec_problems(lambda: DeploymentSpec(strategy="blueGreen", test_port=80, bake_minutes=5))
    assert problems == ["DeploymentSpec.test_port: 80 is a port of the load balancer's own listeners "
                        "(allowed: 1..65535 other than 80 and 443)"]
    problems = spec_problems(lambda: ServiceSpec(
        image="nginx", user="1000", port=8080, public=True,
        deployment={"strategy": "linear", "test_port": 8443, "linear": {"step_percent": 2}}))  # fmt: skip
    assert problems == ["ServiceSpec.deployment.linear.step_percent: 2 is not allowed (allowed: 3.0..100.0 in "
                        "steps of 0.1)"]
    problems = spec_problems(lambda: ServiceSpec(image="nginx", user="1000", deployment=DeploymentSpec(
        strategy="canary", test_port=8443)))  # fmt: skip
    assert problems == ["ServiceSpec.deployment.strategy: canary moves load balancer traffic, and the service is "
                        "not public (allowed: rolling, or public: true / routes)"]


# --- successive `pulumi up`s: what the engine sends the provider ---------------------------------


def _path(path: str) -> list[str | int]:
    """``loadBalancers[0].targetGroupArn`` -> ["loadBalancers", 0, "targetGroupArn"]."""
    out: list[str | int] = []
    for part in path.split("."):
        name, _, index = part.partition("[")
        out += [name] + ([int(index.rstrip("]"))] if index else [])
    return out


def _with_ignored(new: dict[str, Any], old: dict[str, Any], paths: list[str]) -> dict[str, Any]:
    """The inputs the engine sends for an update: ``new`` with every ``ignore_changes`` path reset
    to its value in ``old``, and removed where ``old`` has none (pulumi/pulumi
    sdk/go/common/resource/properties_path.go, ``PropertyPath.Reset``)."""
    result: dict[str, Any] = json.loads(json.dumps(new))
    for path in paths:
        *parents, leaf = _path(path)
        src: Any = old
        dst: Any = result
        for key in parents:
            src = _step(src, key)
            dst = _step(dst, key)
        if not isinstance(dst, dict):
            continue
        if isinstance(src, dict) and leaf in src:
            dst[leaf] = src[leaf]
        else:
            dst.pop(leaf, None)
    return result


def _step(value: Any, key: str | int) -> Any:
    if isinstance(value, dict) and isinstance(key, str):
        return value.get(key)
    if isinstance(value, list) and isinstance(key, int) and key < len(value):
        return value[key]
    return None


def _swapped(inputs: dict[str, Any]) -> dict[str, Any]:
    """The service as ECS reports it after one blue/green deployment: production on the
    alternate group."""
    state: dict[str, Any] = json.loads(json.dumps(inputs))
    lb = state["loadBalancers"][0]
    lb["targetGroupArn"], lb["advancedConfiguration"]["alternateTargetGroupArn"] = (
        lb["advancedConfiguration"]["alternateTargetGroupArn"], lb["targetGroupArn"])  # fmt: skip
    return state


def test_the_next_pulumi_up_leaves_the_target_groups_as_ecs_swapped_them(bg: StackRun) -> None:
    # terraform-provider-aws issue 45678: sending the configured pair after ECS swapped them makes
    # the next deployment register its tasks in the group serving production.
    svc = bg.one(SERVICE, "ecs-web")
    assert set(svc.ignore_changes) >= {"loadBalancers[0].targetGroupArn",
                                       "loadBalancers[0].advancedConfiguration.alternateTargetGroupArn"}  # fmt: skip
    again = blue_green(alarms=["checkout-errors"]).one(SERVICE, "ecs-web")
    assert again.inputs == svc.inputs  # the program asks for the same thing every time
    # ignoreChanges reuses the value in the state: refreshed (Pulumi.yaml's refresh: always), that
    # is what ECS set, and the update changes nothing ...
    refreshed = _swapped(svc.inputs)
    assert _with_ignored(again.inputs, refreshed, again.ignore_changes) == refreshed
    # ... while an unrefreshed state would still hold the pair first sent, and send it back
    assert _with_ignored(again.inputs, svc.inputs, again.ignore_changes) != refreshed


def test_every_pulumi_operation_refreshes_first() -> None:
    # what ECS changes on its own reaches the state before ignoreChanges reuses it
    assert project_file()["options"] == {"refresh": "always"}


def test_rolling_services_leave_their_target_group_to_pulumi(dev: StackRun) -> None:
    assert dev.one(SERVICE, "ecs-web").ignore_changes == []
    assert all(rule.ignore_changes == [] for rule in dev.of_type(RULE))


def test_switching_to_blue_green_needs_retarget_once_to_send_the_alternate_group() -> None:
    rolling = ok(run_program("dev", stack(lb={"ingressCidrs": CIDRS}))).one(SERVICE, "ecs-web")
    plain = blue_green().one(SERVICE, "ecs-web")
    sent = _with_ignored(plain.inputs, rolling.inputs, plain.ignore_changes)
    # without retarget the engine would drop the alternate group, which the old inputs lack
    assert "alternateTargetGroupArn" not in sent["loadBalancers"][0]["advancedConfiguration"]
    retarget = blue_green(retarget=True)
    svc = retarget.one(SERVICE, "ecs-web")
    assert svc.ignore_changes == []
    assert all(rule.ignore_changes == [] for rule in retarget.of_type(RULE))  # the rules get 100/0 too
    sent = _with_ignored(svc.inputs, rolling.inputs, svc.ignore_changes)
    assert sent["loadBalancers"][0]["advancedConfiguration"]["alternateTargetGroupArn"] == (
        retarget.one(TG, "ecs-web-tg-alt").outputs["arn"])  # fmt: skip


RETARGET_WARNING = (
    "service ecs-web: deployment.retarget is on, so this pulumi up resets its listener rules to 100/0 on ecs-web-tg "
    "and sends ECS the configured target groups. Remove it once this pulumi up has switched the service: left on, a "
    "later pulumi up moves production back to a target group whose tasks ECS has stopped (an outage), or rewrites "
    "the weights while ECS shifts traffic")


def test_a_service_left_with_retarget_on_warns_at_every_pulumi_up() -> None:
    assert blue_green(retarget=True).warnings == [RETARGET_WARNING]
    assert blue_green().warnings == []


def test_the_offline_preview_shows_the_retarget_warning(capsys: pytest.CaptureFixture[str]) -> None:
    from ecs_platform.tools.preview import __main__ as cli

    assert cli.main(["prod", "--no-cost", "--config", "services.web.deployment.retarget=true"]) == 0
    out = capsys.readouterr().out
    assert f"Warnings:\n  warning: {RETARGET_WARNING}\n" in out
    assert cli.main(["prod", "--no-cost"]) == 0
    assert "Warnings:" not in capsys.readouterr().out


@pytest.mark.parametrize("first, then", [("rolling", "blueGreen"), ("blueGreen", "rolling"), ("canary", "rolling")])
def test_every_strategy_is_sent_so_a_switch_takes_effect_in_both_directions(first: str, then: str) -> None:
    def strategy(name: str) -> dict[str, Any]:
        deployment = {"strategy": name} | ({"testPort": 8443} if name != "rolling" else {})
        svc = ok(run_program("dev", stack(deployment, lb={"ingressCidrs": CIDRS}))).one(SERVICE, "ecs-web")
        return svc.inputs["deploymentConfiguration"]  # type: ignore[no-any-return]

    expected = {"rolling": "ROLLING", "blueGreen": "BLUE_GREEN", "canary": "CANARY"}
    assert strategy(first)["strategy"] == expected[first]
    assert strategy(then)["strategy"] == expected[then]


def test_a_rolling_services_group_follows_its_port(dev: StackRun) -> None:
    assert dev.one(TG, "ecs-web-tg").ignore_changes == []
