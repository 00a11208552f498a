"""Network load balancer services (issue 22): ``protocol: TCP | UDP | TCP_UDP | TLS`` on a public
service. The model's rules, and what the program registers: the network load balancer with its
security group and cross-zone load balancing, each service's listener and ``ip`` target group, the
security group paths (listener protocols on the port, TCP on the health check's port, nothing
else), the deployment alarm, exports, preview and cost lines, and the policy pack on it all."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ecs_platform.errors import ConfigError
from ecs_platform.tools import policy_rules as rules
from ecs_platform.tools.mock_cloud import StackRun, run_program
from ecs_platform.tools.preview.cost import estimate
from ecs_platform.tools.preview.report import tree_lines
from tests.test_policy import _violations, resource_violations, stack_violations
from tests.test_validation import config_problems, load

LB = "aws:lb/loadBalancer:LoadBalancer"
TG = "aws:lb/targetGroup:TargetGroup"
LISTENER = "aws:lb/listener:Listener"
SG = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
SERVICE = "aws:ecs/service:Service"
TASK = "aws:ecs/taskDefinition:TaskDefinition"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
P = "ecs-platform:services"


def nlb(protocol: str = "TCP", port: int = 5432, lb: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    """One public ``db`` service on ``protocol``."""
    return {"loadBalancer": lb or {"certificateArn": CERT},
            "services": {"db": {"image": "postgres:17", "user": "999:999", "port": port, "public": True,
                                "protocol": protocol, **fields}}}  # fmt: skip


def ok(run: StackRun) -> StackRun:
    assert run.error is None, run.error
    return run


# --- the model ------------------------------------------------------------------------------------

BAD: list[tuple[str, dict[str, Any], str]] = [
    ("protocol on a private service", {"services": {"db": {"image": "pg", "user": "1", "port": 5432, "protocol": "TCP"}}},
     f'{P}.db.protocol: "TCP" is set on a service that is not public (allowed: public: true with it, or remove it)'),
    ("unknown protocol", nlb("SCTP"),
     f'{P}.db.protocol: "SCTP" is not allowed (allowed: HTTP, TCP, UDP, TCP_UDP, TLS)'),
    ("routes on TCP", nlb(routes=[{"paths": ["/x"]}]),
     f"{P}.db.routes: is set on a TCP service: a network load balancer's listener forwards its port, with no path "
     "or host rules (allowed: public: true without routes, or protocol HTTP)"),
    ("traffic shifting on TCP", nlb(deployment={"strategy": "blueGreen", "testPort": 8443}),
     f"{P}.db.deployment.strategy: blueGreen is not built for network load balancer services: the platform shifts "
     "traffic on application load balancer listener rules (allowed: rolling with protocol TCP, or protocol HTTP)"),
    ("5xx threshold on TCP", nlb(deployment={"thresholds": {"target5xx": 5}}),
     f"{P}.db.deployment.thresholds.target5xx: is set on a network load balancer's service, which reports no HTTP "
     "codes (allowed: unhealthyHosts and minutes)"),
    ("requests per target on TCP", nlb(autoscaling={"min": 1, "max": 3, "requestsPerTarget": 100}),
     f"{P}.db.autoscaling.requestsPerTarget: counts an application load balancer's requests (ALBRequestCountPerTarget), "
     "and the service is behind the network load balancer (allowed: cpuTarget or memoryTarget)"),
    ("callers of a UDP service", {"loadBalancer": {"certificateArn": CERT}, "services": {
        "dns": {"image": "coredns", "user": "1", "port": 53, "public": True, "protocol": "UDP", "callers": ["web"]},
        "web": {"image": "nginx", "user": "1"}}},
     f"{P}.dns.callers: are admitted over TCP, to the Service Connect proxy, and the service serves UDP only "
     "(allowed: protocol TCP_UDP to serve callers too, or no callers)"),
    ("TCP health check on HTTP", {"loadBalancer": {"certificateArn": CERT}, "services": {"web": {
        "image": "nginx", "user": "1", "port": 8080, "public": True, "targetHealthCheck": {"protocol": "TCP"}}}},
     f'{P}.web.targetHealthCheck.protocol: "TCP" checks an HTTP target group, which ELB checks over HTTP or HTTPS only '
     "(allowed: HTTP, or a TCP/UDP/TCP_UDP/TLS protocol on the service)"),
    ("health port on HTTP", {"loadBalancer": {"certificateArn": CERT}, "services": {"web": {
        "image": "nginx", "user": "1", "port": 8080, "public": True, "targetHealthCheck": {"port": 9000}}}},
     f"{P}.web.targetHealthCheck.port: 9000 is set on an application load balancer's service, whose tasks the "
     "platform admits on their port only (allowed: remove it)"),
    ("a path on a TCP check", nlb(targetHealthCheck={"protocol": "TCP", "path": "/health"}),
     f"{P}.db.targetHealthCheck.path: is set on a TCP health check, which sends no request (allowed: protocol HTTP "
     "with it, or remove it)"),
    ("TLS without a certificate", nlb("TLS", lb={"allowPlainHttp": True}),
     f'{P}.db.protocol: "TLS" needs a certificate for its listener, and loadBalancer.certificateArn is missing '
     "(allowed: an ACM certificate ARN in loadBalancer.certificateArn, or protocol TCP to pass TLS through to the "
     "tasks)"),
    ("two services on one port", {"loadBalancer": {"certificateArn": CERT}, "services": {
        "a": {"image": "x", "user": "1", "port": 53, "public": True, "protocol": "TCP"},
        "b": {"image": "x", "user": "1", "port": 53, "public": True, "protocol": "UDP"}}},
     f"{P}.b.port: 53 is also the listener port of a on the network load balancer (allowed: a port no other "
     "TCP/UDP/TCP_UDP/TLS service has; one TCP_UDP service serves both protocols on a port)"),
    ("bridge mode on EC2", nlb(networkMode="bridge") | {"launchType": "EC2"},
     f'{P}.db.networkMode: "bridge" gives the tasks no security group of their own for the network load '
     "balancer's ip targets (allowed: awsvpc with protocol TCP)"),
    ("one zone", nlb() | {"azCount": 1},
     "ecs-platform:azCount: 1 is too few zones for the network load balancer of db (allowed: 2 or more: the "
     "platform keeps Security Hub's ELB.13, load balancers span several zones)"),
    ("too many inbound rules", {"loadBalancer": {"certificateArn": CERT, "ingressCidrs": [
        f"10.{i}.0.0/16" for i in range(25)]}, "services": {
        "dns": {"image": "x", "user": "1", "port": 53, "public": True, "protocol": "TCP_UDP"},
        "db": {"image": "x", "user": "1", "port": 5432, "public": True, "protocol": "TLS"}}},
     "ecs-platform:loadBalancer.ingressCidrs: 25 blocks make 75 inbound rules on the network load balancer's "
     "security group (one per block, listener port and IP protocol) (allowed: at most 60 rules, AWS's default "
     "quota per security group)"),
]  # fmt: skip


@pytest.mark.parametrize(("overrides", "expected"), [pytest.param(o, e, id=i) for i, o, e in BAD])
def test_each_nlb_rule_names_the_key_the_value_and_what_is_allowed(overrides: dict[str, Any], expected: str) -> None:
    assert config_problems(overrides) == [expected]


def test_a_bad_protocol_registers_nothing() -> None:
    run = run_program("dev", nlb("TLS", lb={"allowPlainHttp": True}))
    assert isinstance(run.error, ConfigError) and run.resources == []


def test_the_protocol_defaults_to_http_and_the_health_check_to_each_load_balancers_kind() -> None:
    spec, _ = load(nlb("UDP") | {"services": {**nlb("UDP")["services"], "web": {
        "image": "nginx", "user": "1", "port": 8080, "public": True}}})  # fmt: skip
    assert (spec.services["web"].protocol, spec.services["web"].health_check_protocol) == ("HTTP", "HTTP")
    assert (spec.services["db"].protocol, spec.services["db"].health_check_protocol) == ("UDP", "TCP")
    assert (spec.network_services, spec.application_services) == (["db"], ["web"])


# --- what the program registers ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def mixed() -> StackRun:
    """An HTTP service on the ALB, a TLS database and a TCP_UDP DNS server (health on 8080) on the NLB."""
    return ok(run_program("dev", {
        "loadBalancer": {"certificateArn": CERT, "ingressCidrs": ["203.0.113.0/24"], "accessLogs": False},
        "services": {
            "web": {"image": "nginx", "user": "101", "port": 8080, "public": True},
            "db": {"image": "postgres:17", "user": "999:999", "port": 5432, "public": True, "protocol": "TLS"},
            "dns": {"image": "coredns", "user": "1000", "port": 53, "public": True, "protocol": "TCP_UDP",
                    "targetHealthCheck": {"protocol": "HTTP", "port": 8080, "path": "/health", "matcher": "200"}}}}))


def test_one_network_load_balancer_with_a_security_group_in_the_public_subnets(mixed: StackRun) -> None:
    nlbs = [r for r in mixed.of_type(LB) if r.inputs.get("loadBalancerType") == "network"]
    assert [r.name for r in nlbs] == ["ecs-nlb"]
    i = nlbs[0].inputs
    assert i["securityGroups"] == [mixed.one(SG, "ecs-nlb-sg").id]
    assert i["enableCrossZoneLoadBalancing"] is True and i["internal"] is False
    assert sorted(i["subnets"]) == sorted(mixed.exports["publicSubnetIds"] if "publicSubnetIds" in mixed.exports
                                          else mixed.one(LB, "ecs-lb").inputs["subnets"])  # fmt: skip
    # the HTTP service keeps the application load balancer
    assert mixed.one(LB, "ecs-lb").inputs["loadBalancerType"] == "application"


def test_an_internal_network_load_balancer_sits_in_the_private_subnets() -> None:
    run = ok(run_program("dev", nlb(lb={"internal": True, "ingressCidrs": ["10.0.0.0/16"]})))
    assert run.one(LB, "ecs-nlb").inputs["internal"] is True
    assert run.one(LB, "ecs-nlb").inputs["subnets"] == run.exports["privateSubnetIds"]
    assert [r.name for r in run.of_type(LB)] == ["ecs-nlb"]  # no application load balancer without HTTP services


def test_clients_reach_the_nlb_only_on_the_listener_ports_and_protocols(mixed: StackRun) -> None:
    sg = mixed.one(SG, "ecs-nlb-sg").id
    into = sorted((r.inputs["ipProtocol"], r.inputs["fromPort"], r.inputs["toPort"], r.inputs["cidrIpv4"])
                  for r in mixed.of_type(INGRESS) if r.inputs["securityGroupId"] == sg)  # fmt: skip
    assert into == [("tcp", 53, 53, "203.0.113.0/24"), ("tcp", 5432, 5432, "203.0.113.0/24"),
                    ("udp", 53, 53, "203.0.113.0/24")]  # fmt: skip


def test_the_nlb_reaches_only_its_services_tasks_on_their_ports_and_health_port(mixed: StackRun) -> None:
    sg = mixed.one(SG, "ecs-nlb-sg").id
    out = sorted((r.inputs["referencedSecurityGroupId"], r.inputs["ipProtocol"], r.inputs["fromPort"])
                 for r in mixed.of_type(EGRESS) if r.inputs["securityGroupId"] == sg)  # fmt: skip
    db, dns = mixed.one(SG, "ecs-db-sg").id, mixed.one(SG, "ecs-dns-sg").id
    assert out == sorted([(db, "tcp", 5432), (dns, "tcp", 53), (dns, "udp", 53), (dns, "tcp", 8080)])
    for task_sg, expected in ((db, [("tcp", 5432)]), (dns, [("tcp", 53), ("tcp", 8080), ("udp", 53)])):
        into = sorted((r.inputs["ipProtocol"], r.inputs["fromPort"]) for r in mixed.of_type(INGRESS)
                      if r.inputs["securityGroupId"] == task_sg)  # fmt: skip
        assert into == expected
        assert {r.inputs["referencedSecurityGroupId"] for r in mixed.of_type(INGRESS)
                if r.inputs["securityGroupId"] == task_sg} == {sg}  # fmt: skip


def test_tls_terminates_on_the_stacks_certificate_and_forwards_tcp(mixed: StackRun) -> None:
    listener = mixed.one(LISTENER, "ecs-db-listener").inputs
    tg = mixed.one(TG, "ecs-db-tg")
    assert listener["loadBalancerArn"] == mixed.one(LB, "ecs-nlb").outputs["arn"]
    assert (listener["protocol"], listener["port"], listener["certificateArn"]) == ("TLS", 5432, CERT)
    assert listener["sslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"
    assert listener["defaultActions"] == [{"type": "forward", "targetGroupArn": tg.outputs["arn"]}]
    assert (tg.inputs["protocol"], tg.inputs["targetType"], tg.inputs["port"]) == ("TCP", "ip", 5432)
    assert tg.inputs["healthCheck"]["protocol"] == "TCP" and "path" not in tg.inputs["healthCheck"]


def test_a_tcp_udp_service_gets_both_protocols_and_its_http_health_check(mixed: StackRun) -> None:
    listener = mixed.one(LISTENER, "ecs-dns-listener").inputs
    assert (listener["protocol"], listener["port"]) == ("TCP_UDP", 53) and "certificateArn" not in listener
    hc = mixed.one(TG, "ecs-dns-tg").inputs["healthCheck"]
    assert (hc["protocol"], hc["port"], hc["path"], hc["matcher"]) == ("HTTP", "8080", "/health", "200")
    container = json.loads(mixed.one(TASK, "ecs-dns-task").inputs["containerDefinitions"])[0]
    assert container["portMappings"] == [{"name": "dns-53", "containerPort": 53, "protocol": "tcp"},
                                         {"containerPort": 53, "protocol": "udp"}]  # fmt: skip


def test_the_ecs_service_registers_in_its_target_group_once_the_listener_forwards(mixed: StackRun) -> None:
    svc = mixed.one(SERVICE, "ecs-dns")
    assert svc.inputs["loadBalancers"] == [{"targetGroupArn": mixed.one(TG, "ecs-dns-tg").outputs["arn"],
                                            "containerName": "dns", "containerPort": 53}]  # fmt: skip
    assert mixed.one(LISTENER, "ecs-dns-listener").urn in svc.dependencies
    assert svc.inputs["healthCheckGracePeriodSeconds"] == 60


def test_deployments_roll_back_on_unhealthy_targets_of_the_network_load_balancer(mixed: StackRun) -> None:
    alarm = mixed.one(ALARM, "ecs-db-unhealthy")
    assert (alarm.inputs["namespace"], alarm.inputs["metricName"]) == ("AWS/NetworkELB", "UnHealthyHostCount")
    assert alarm.inputs["dimensions"] == {"TargetGroup": mixed.one(TG, "ecs-db-tg").outputs["arnSuffix"],
                                          "LoadBalancer": mixed.one(LB, "ecs-nlb").outputs["arnSuffix"]}  # fmt: skip
    assert mixed.one(LB, "ecs-nlb").outputs["arnSuffix"].startswith("net/")
    assert [a.name for a in mixed.of_type(ALARM) if a.name.startswith("ecs-db-")] == ["ecs-db-unhealthy"]
    assert mixed.one(SERVICE, "ecs-db").inputs["alarms"]["alarmNames"] == [alarm.outputs["name"]]


def test_urls_and_the_dns_name_are_exported(mixed: StackRun) -> None:
    dns = mixed.one(LB, "ecs-nlb").outputs["dnsName"]
    assert mixed.exports["networkLoadBalancerDnsName"] == dns
    assert mixed.exports["urls"]["db"] == f"tls://{dns}:5432"
    assert mixed.exports["urls"]["dns"] == f"tcp+udp://{dns}:53"
    assert mixed.exports["urls"]["web"].startswith("https://")


def test_the_preview_shows_and_prices_the_network_load_balancer(mixed: StackRun) -> None:
    lines = "\n".join(tree_lines(mixed))
    assert "network, internet-facing, subnets" in lines and "cross-zone on; security groups yes" in lines
    assert "TLS 5432 on the stack's certificate, ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09" in lines
    assert "ip targets on TCP_UDP 53, health /health expecting 200" in lines
    line = next(c for c in estimate(mixed).lines if c.item == "Load balancer ecs-nlb")
    # us-east-1: $0.0225 an hour, one NLCU at $0.006, two public IPv4 addresses at $0.005, 730 hours
    assert line.detail == "network, 1 NLCU assumed, 2 public IPv4 address(es)"
    assert round(line.desired, 3) == round(730 * (0.0225 + 0.006 + 2 * 0.005), 3)


def test_the_pack_accepts_the_stack_and_knows_the_udp_listener(mixed: StackRun) -> None:
    assert resource_violations(mixed) == []
    assert stack_violations(mixed) == []
    udp = ok(run_program("dev", nlb("UDP", port=53)))  # UDP 53 open to the world: the listener's port
    assert resource_violations(udp) == [] and stack_violations(udp) == []


def test_the_pack_refuses_a_udp_port_open_to_the_world_without_a_listener() -> None:
    run = ok(run_program("dev", nlb("TCP", port=53)))
    rule = next(r for r in run.of_type(INGRESS) if r.name == "ecs-nlb-in-tcp-53")
    rule.outputs["ipProtocol"] = "udp"  # the listener is TCP: UDP 53 from anywhere is not its port
    found = [v for v in stack_violations(run) if "ingress from anywhere" in v]
    assert len(found) == 1 and "udp 53-53" in found[0]


def test_access_logs_are_asked_of_application_load_balancers_only() -> None:
    network = {"loadBalancerType": "network", "enableDeletionProtection": True, "securityGroups": ["sg-1"],
               "subnets": ["subnet-a", "subnet-b"]}  # fmt: skip
    assert _violations("elb-5-access-logs", rules.LB, network) == []
    assert _violations("elb-nlb-security-groups", rules.LB, network) == []
    assert _violations("elb-5-access-logs", rules.LB, {**network, "loadBalancerType": "application"}) == [
        "ELB.5: the load balancer writes no access logs"]
