"""AWS contract checks for load balancing and VPC Lattice (issue 22): every load balancer, target
group and listener the program registers, mapped to the Elastic Load Balancing v2 call pulumi-aws
makes for it (CreateLoadBalancer, CreateTargetGroup, CreateListener), and every VPC Lattice resource
(CreateServiceNetwork, CreateService, CreateTargetGroup, CreateListener, the associations,
PutAuthPolicy), is valid against botocore's model of the API (types, required members, enums,
name patterns and lengths); and what the ELB model has no bounds for (health check ranges per load
balancer kind), against ELB's reference."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.validate import ParamValidator

from ecs_platform.tools.mock_cloud import Registration, StackRun, run_program
from tests.conftest import stack_run
from tests.test_aws_contract import LATTICE_STACK, NLB_STACK, _model, enum_problems

RUNS = {
    "prod": lambda: stack_run("prod"),
    "dev": lambda: stack_run("dev"),
    "nlb": lambda: run_program("dev", NLB_STACK),
    "internal-nlb": lambda: run_program("dev", {**NLB_STACK, "loadBalancer": {
        **NLB_STACK["loadBalancer"], "internal": True, "ingressCidrs": ["10.0.0.0/16"]}}),
}  # fmt: skip


@pytest.fixture(scope="module", params=sorted(RUNS))
def run(request: pytest.FixtureRequest) -> StackRun:
    result: StackRun = RUNS[request.param]()
    assert result.error is None, result.error
    return result


def _problems(operation: str, request: dict[str, Any]) -> list[str]:
    shape = _model("elbv2").operation_model(operation).input_shape
    report = ParamValidator().validate(request, shape)
    return ([report.generate_report()] if report.has_errors() else []) + enum_problems(request, shape)


def create_load_balancer_request(reg: Registration) -> dict[str, Any]:
    i = reg.inputs
    request: dict[str, Any] = {"Name": reg.outputs.get("name", reg.name), "Subnets": i["subnets"],
                               "Type": i.get("loadBalancerType", "application"),
                               "Scheme": "internal" if i.get("internal") else "internet-facing"}  # fmt: skip
    if i.get("securityGroups"):
        request["SecurityGroups"] = i["securityGroups"]
    return request


def create_target_group_request(reg: Registration) -> dict[str, Any]:
    i, hc = reg.inputs, reg.inputs.get("healthCheck") or {}
    request: dict[str, Any] = {
        "Name": reg.outputs.get("name", reg.name), "Protocol": i["protocol"], "Port": i["port"], "VpcId": i["vpcId"],
        "TargetType": i["targetType"], "HealthCheckEnabled": hc.get("enabled", True),
        "HealthCheckProtocol": hc.get("protocol", "HTTP"), "HealthCheckPort": hc.get("port", "traffic-port"),
        "HealthCheckIntervalSeconds": hc["interval"], "HealthCheckTimeoutSeconds": hc["timeout"],
        "HealthyThresholdCount": hc["healthyThreshold"], "UnhealthyThresholdCount": hc["unhealthyThreshold"],
    }  # fmt: skip
    if "path" in hc:
        request["HealthCheckPath"] = hc["path"]
    if "matcher" in hc:
        request["Matcher"] = {"HttpCode": hc["matcher"]}
    return request


def _action(a: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"Type": a["type"]}
    if "targetGroupArn" in a:
        out["TargetGroupArn"] = a["targetGroupArn"]
    if "redirect" in a:
        r = a["redirect"]
        out["RedirectConfig"] = {"Protocol": r["protocol"], "Port": r["port"], "StatusCode": r["statusCode"]}
    if "fixedResponse" in a:
        f = a["fixedResponse"]
        out["FixedResponseConfig"] = {"ContentType": f["contentType"], "MessageBody": f["messageBody"],
                                      "StatusCode": f["statusCode"]}  # fmt: skip
    return out


def create_listener_request(reg: Registration) -> dict[str, Any]:
    i = reg.inputs
    request: dict[str, Any] = {"LoadBalancerArn": i["loadBalancerArn"], "Protocol": i["protocol"], "Port": i["port"],
                               "DefaultActions": [_action(a) for a in i["defaultActions"]]}  # fmt: skip
    if i.get("certificateArn"):
        request["Certificates"] = [{"CertificateArn": i["certificateArn"]}]
    if i.get("sslPolicy"):
        request["SslPolicy"] = i["sslPolicy"]
    return request


def bound_problems(reg: Registration, network: bool) -> list[str]:
    """What botocore's model does not bound: CreateTargetGroup's health check ranges (interval
    5..300, timeout 2..120 and below the interval, thresholds 2..10; a path and matcher only on an
    HTTP or HTTPS check), and an HTTP matcher within the load balancer's codes (ALB 200..499, NLB
    200..599). https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html"""
    hc = reg.inputs["healthCheck"]
    out = []
    for key, lo, hi in (("interval", 5, 300), ("timeout", 2, 120), ("healthyThreshold", 2, 10),
                        ("unhealthyThreshold", 2, 10)):  # fmt: skip
        if not lo <= hc[key] <= hi:
            out.append(f"{key} {hc[key]} outside {lo}..{hi}")
    if hc["timeout"] >= hc["interval"]:
        out.append("timeout not below interval")
    if hc.get("protocol", "HTTP") == "TCP" and ("path" in hc or "matcher" in hc):
        out.append("path or matcher on a TCP check")
    hi_code = 599 if network else 499
    for part in str(hc.get("matcher", "200")).replace("-", ",").split(","):
        if not 200 <= int(part) <= hi_code:
            out.append(f"matcher code {part} outside 200..{hi_code}")
    return out


def test_every_load_balancer_is_a_valid_create_load_balancer_call(run: StackRun) -> None:
    lbs = run.of_type("aws:lb/loadBalancer:LoadBalancer")
    assert lbs
    for lb in lbs:
        assert _problems("CreateLoadBalancer", create_load_balancer_request(lb)) == [], lb.name


def test_every_target_group_is_a_valid_create_target_group_call(run: StackRun) -> None:
    kinds = {lb.outputs["arn"]: lb.inputs.get("loadBalancerType", "application")
             for lb in run.of_type("aws:lb/loadBalancer:LoadBalancer")}  # fmt: skip
    network_groups = {d["targetGroupArn"] for listener in run.of_type("aws:lb/listener:Listener")
                      if kinds.get(listener.inputs["loadBalancerArn"]) == "network"
                      for d in listener.inputs["defaultActions"]}  # fmt: skip
    for tg in run.of_type("aws:lb/targetGroup:TargetGroup"):
        assert _problems("CreateTargetGroup", create_target_group_request(tg)) == [], tg.name
        assert bound_problems(tg, tg.outputs["arn"] in network_groups) == [], tg.name


def test_every_listener_is_a_valid_create_listener_call(run: StackRun) -> None:
    for listener in run.of_type("aws:lb/listener:Listener"):
        assert _problems("CreateListener", create_listener_request(listener)) == [], listener.name


def test_a_network_load_balancers_listener_protocol_fits_its_target_group() -> None:
    """ELB's pairs (CreateTargetGroup ``Protocol``, "TLS listeners for your Network Load
    Balancer"): TCP -> TCP, TLS -> TCP (terminated), UDP -> UDP, TCP_UDP -> TCP_UDP."""
    nlb = run_program("dev", NLB_STACK)
    assert nlb.error is None, nlb.error
    groups = {tg.outputs["arn"]: tg.inputs["protocol"] for tg in nlb.of_type("aws:lb/targetGroup:TargetGroup")}
    pairs = {(listener.inputs["protocol"], groups[listener.inputs["defaultActions"][0]["targetGroupArn"]])
             for listener in nlb.of_type("aws:lb/listener:Listener") if listener.inputs["protocol"] in (
                 "TCP", "TLS", "UDP", "TCP_UDP")}  # fmt: skip
    assert pairs == {("TCP", "TCP"), ("TLS", "TCP"), ("UDP", "UDP"), ("TCP_UDP", "TCP_UDP")}


def test_the_checks_catch_a_bad_protocol_and_a_bad_health_check() -> None:
    assert any("'SCTP' not in" in p for p in _problems("CreateListener", {
        "LoadBalancerArn": "a", "Protocol": "SCTP", "Port": 1, "DefaultActions": [{"Type": "forward"}]}))
    tg = Registration.__new__(Registration)
    object.__setattr__(tg, "inputs", {"healthCheck": {"interval": 5, "timeout": 6, "healthyThreshold": 2,
                                                      "unhealthyThreshold": 11, "protocol": "TCP", "path": "/"}})
    assert bound_problems(tg, True) == ["unhealthyThreshold 11 outside 2..10", "timeout not below interval",
                                        "path or matcher on a TCP check"]  # fmt: skip


# --- VPC Lattice ----------------------------------------------------------------------------------------

LATTICE_RUNS = {
    "created": lambda: run_program("dev", LATTICE_STACK),
    "adopted": lambda: run_program("dev", {**LATTICE_STACK, "lattice": {
        "serviceNetwork": "arn:aws:vpc-lattice:us-east-1:123456789012:servicenetwork/sn-0123456789abcdef0"}}),
    "long names": lambda: run_program("dev", {"lattice": {"serviceNetwork": "create"}, "services": {
        "a" * 32: {**LATTICE_STACK["services"]["api"], "callers": ["web"]}, "web": LATTICE_STACK["services"]["web"]}}),
}  # fmt: skip


def _lattice_problems(operation: str, request: dict[str, Any]) -> list[str]:
    """botocore's validator, enums, and the name patterns and lengths of the model (which the
    validator does not check)."""
    import re

    shape = _model("vpc-lattice").operation_model(operation).input_shape
    report = ParamValidator().validate(request, shape)
    out = ([report.generate_report()] if report.has_errors() else []) + enum_problems(request, shape)
    name = shape.members.get("name")
    if name is not None and "name" in request:
        meta, value = name.metadata, request["name"]
        if not meta["min"] <= len(value) <= meta["max"] or not re.fullmatch(meta["pattern"], value):
            out.append(f"name {value!r} not {meta['min']}..{meta['max']} of {meta['pattern']}")
    return out


def _camel_to_api(value: Any) -> Any:
    """pulumi-aws's Lattice inputs use the API's member names (camelCase) except where a block is a
    list in the provider (``forwards``: the API's single ``forward``) and the health check's
    ``matcher.value`` (the API's ``matcher.httpCode``)."""
    if isinstance(value, dict) and set(value) == {"value"}:
        return {"httpCode": value["value"]}
    if isinstance(value, dict):
        return {("forward" if k == "forwards" else k): (_camel_to_api(v[0]) if k == "forwards" else _camel_to_api(v))
                for k, v in value.items() if k != "tags"}  # fmt: skip
    if isinstance(value, list):
        return [_camel_to_api(v) for v in value]
    return value


LATTICE_CALLS = {
    "aws:vpclattice/serviceNetwork:ServiceNetwork": ("CreateServiceNetwork", ()),
    "aws:vpclattice/service:Service": ("CreateService", ()),
    "aws:vpclattice/targetGroup:TargetGroup": ("CreateTargetGroup", ()),
    "aws:vpclattice/listener:Listener": ("CreateListener", ()),
    "aws:vpclattice/serviceNetworkServiceAssociation:ServiceNetworkServiceAssociation": (
        "CreateServiceNetworkServiceAssociation", ()),
    "aws:vpclattice/serviceNetworkVpcAssociation:ServiceNetworkVpcAssociation": (
        "CreateServiceNetworkVpcAssociation", ()),
    "aws:vpclattice/authPolicy:AuthPolicy": ("PutAuthPolicy", ()),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(LATTICE_RUNS))
def test_every_lattice_resource_is_a_valid_call(case: str) -> None:
    run = LATTICE_RUNS[case]()
    assert run.error is None, run.error
    seen = set()
    for typ, (operation, _) in LATTICE_CALLS.items():
        for reg in run.of_type(typ):
            request = _camel_to_api(dict(reg.inputs))
            if "name" in _model("vpc-lattice").operation_model(operation).input_shape.members:
                request["name"] = reg.outputs.get("name", request.get("name"))
            assert _lattice_problems(operation, request) == [], (reg.name, request)
            seen.add(typ)
    assert {"aws:vpclattice/service:Service", "aws:vpclattice/authPolicy:AuthPolicy"} <= seen


def test_the_lattice_check_catches_a_reserved_name_and_a_bad_protocol() -> None:
    problems = _lattice_problems("CreateService", {"name": "svc-api"})
    assert problems and "name 'svc-api'" in problems[0]
    assert any("'TCP' not in" in p for p in _lattice_problems("CreateListener", {
        "serviceIdentifier": "svc-0123456789abcdef0", "name": "tcp-1", "protocol": "TCP",
        "defaultAction": {"fixedResponse": {"statusCode": 404}}}))
