"""Service Connect TLS and proxy timeouts (issue 22): ``ecs-platform:serviceConnect: {tls:
{privateCaArn, kmsKey}}`` and a served service's ``serviceConnect: {appProtocol, perRequestTimeout,
idleTimeout}``. The model's rules, and what the program registers: the ECS infrastructure role with
AWS's managed policy (and the key's use through Secrets Manager), the TLS and timeout settings on the
served side of Service Connect, the port's appProtocol; the preview's line."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ecs_platform.errors import ConfigError
from ecs_platform.tools.mock_cloud import StackRun, run_program
from ecs_platform.tools.preview.report import tree_lines
from tests.test_policy import resource_violations, stack_violations
from tests.test_validation import config_problems

CA = "arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
KEY = "arn:aws:kms:us-east-1:123456789012:key/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
SERVICE = "aws:ecs/service:Service"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
P = "ecs-platform:services"


def stack(tls: dict[str, Any] | None = None, proxy: dict[str, Any] | None = None, **top: Any) -> dict[str, Any]:
    """``api`` served by Service Connect to ``web``."""
    api: dict[str, Any] = {"image": "nginx", "user": "101", "port": 8080, "callers": ["web"]}
    if proxy is not None:
        api["serviceConnect"] = proxy
    out: dict[str, Any] = {"services": {"api": api, "web": {"image": "nginx", "user": "101", "port": 8000}}, **top}
    if tls is not None:
        out["serviceConnect"] = {"tls": tls}
    return out


def ok(run: StackRun) -> StackRun:
    assert run.error is None, run.error
    return run


# --- the model ------------------------------------------------------------------------------------

BAD: list[tuple[str, dict[str, Any], str]] = [
    ("not a private CA", stack({"privateCaArn": "arn:aws:acm:us-east-1:123456789012:certificate/abc"}),
     'ecs-platform:serviceConnect.tls.privateCaArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc" is not an '
     "AWS Private CA ARN (allowed: arn:aws:acm-pca:<region>:<account>:certificate-authority/<uuid>)"),
    ("a CA of another region", stack({"privateCaArn": CA.replace("us-east-1", "eu-west-1")}),
     f'ecs-platform:serviceConnect.tls.privateCaArn: "{CA.replace("us-east-1", "eu-west-1")}" is in eu-west-1, not '
     "the stack's region us-east-1 (allowed: one in us-east-1)"),
    ("a CA of another partition", stack({"privateCaArn": CA.replace("arn:aws:", "arn:aws-us-gov:").replace(
        "us-east-1", "us-gov-west-1")}),
     f'ecs-platform:serviceConnect.tls.privateCaArn: "{CA.replace("arn:aws:", "arn:aws-us-gov:").replace("us-east-1", "us-gov-west-1")}"'
     " is in partition aws-us-gov, not the partition of the stack's region us-east-1 (allowed: an arn:aws:... ARN)"),
    ("a key of another region", stack({"privateCaArn": CA, "kmsKey": KEY.replace("us-east-1", "eu-west-1")}),
     f'ecs-platform:serviceConnect.tls.kmsKey: "{KEY.replace("us-east-1", "eu-west-1")}" is in eu-west-1, not the '
     "stack's region us-east-1 (allowed: one in us-east-1)"),
    ("TLS without callers", {"serviceConnect": {"tls": {"privateCaArn": CA}}},
     "ecs-platform:serviceConnect.tls: encrypts the traffic of services with callers, and no service has callers "
     "(allowed: callers on a service, or remove it)"),
    ("per-request timeout on TCP", stack(proxy={"perRequestTimeout": 30}),
     f"{P}.api.serviceConnect.perRequestTimeout: 30 is set on a TCP port, where the proxy has no requests to time "
     "(allowed: appProtocol http, http2 or grpc with it; idleTimeout for TCP)"),
    ("a negative timeout", stack(proxy={"idleTimeout": -1}),
     f"{P}.api.serviceConnect.idleTimeout: -1 is out of range (allowed: 0..2147483647)"),
    ("an unknown app protocol", stack(proxy={"appProtocol": "h3"}),
     f'{P}.api.serviceConnect.appProtocol: "h3" is not allowed (allowed: http, http2, grpc)'),
    ("proxy settings on a service nobody calls", {"services": {"api": {
        "image": "nginx", "user": "101", "port": 8080, "serviceConnect": {"idleTimeout": 60}}}},
     f"{P}.api.serviceConnect: is set on a service Service Connect does not serve (allowed: with callers, or remove "
     "it)"),
]  # fmt: skip


@pytest.mark.parametrize(("overrides", "expected"), [pytest.param(o, e, id=i) for i, o, e in BAD])
def test_each_rule_names_the_key_the_value_and_what_is_allowed(overrides: dict[str, Any], expected: str) -> None:
    assert config_problems(overrides) == [expected]


def test_a_bad_ca_registers_nothing() -> None:
    run = run_program("dev", stack({"privateCaArn": CA.replace("us-east-1", "eu-west-1")}))
    assert isinstance(run.error, ConfigError) and run.resources == []


# --- what the program registers --------------------------------------------------------------------


@pytest.fixture(scope="module")
def tls_stack_key() -> StackRun:
    return ok(run_program("dev", stack({"privateCaArn": CA}, {"appProtocol": "http", "perRequestTimeout": 30,
                                                               "idleTimeout": 120}, kmsKey="create")))  # fmt: skip


def _served(run: StackRun, name: str) -> list[dict[str, Any]]:
    services: list[dict[str, Any]] = run.one(SERVICE, f"ecs-{name}").inputs["serviceConnectConfiguration"].get(
        "services") or []
    return services


def test_the_served_endpoint_gets_tls_from_the_private_ca_with_the_stack_key(tls_stack_key: StackRun) -> None:
    role = tls_stack_key.one(ROLE, "ecs-service-connect-tls").outputs["arn"]
    key = tls_stack_key.one("aws:kms/key:Key").outputs["arn"]
    [api] = _served(tls_stack_key, "api")
    assert api["tls"] == {"issuerCertAuthority": {"awsPcaAuthorityArn": CA}, "kmsKey": key, "roleArn": role}
    assert api["timeout"] == {"perRequestTimeoutSeconds": 30, "idleTimeoutSeconds": 120}
    assert _served(tls_stack_key, "web") == []  # a client only: its proxy trusts the namespace's CA


def test_the_tls_role_trusts_ecs_and_holds_the_managed_policy_and_the_key_via_secrets_manager(
    tls_stack_key: StackRun,
) -> None:
    role = tls_stack_key.one(ROLE, "ecs-service-connect-tls")
    assert json.loads(role.inputs["assumeRolePolicy"])["Statement"] == [
        {"Effect": "Allow", "Principal": {"Service": "ecs.amazonaws.com"}, "Action": "sts:AssumeRole"}]
    assert tls_stack_key.one(ATTACHMENT, "ecs-service-connect-tls-policy").inputs["policyArn"] == (
        "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity")
    key = tls_stack_key.one("aws:kms/key:Key").outputs["arn"]
    doc = json.loads(tls_stack_key.one(ROLE_POLICY, "ecs-service-connect-tls-key").inputs["policy"])
    assert doc["Statement"] == [{"Sid": "ServiceConnectTlsSecretsKey", "Effect": "Allow",
                                 "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": key,
                                 "Condition": {"StringEquals": {"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}}}]
    # ECS gets the role only once its policies are attached
    deps = set(tls_stack_key.one(SERVICE, "ecs-api").dependencies)
    assert tls_stack_key.one(ATTACHMENT, "ecs-service-connect-tls-policy").urn in deps


def test_the_port_names_its_app_protocol(tls_stack_key: StackRun) -> None:
    containers = json.loads(tls_stack_key.one("aws:ecs/taskDefinition:TaskDefinition", "ecs-api-task").inputs[
        "containerDefinitions"])  # fmt: skip
    assert containers[0]["portMappings"] == [
        {"name": "api-8080", "containerPort": 8080, "protocol": "tcp", "appProtocol": "http"}]


def test_a_named_key_wins_and_without_one_secrets_manager_keeps_its_own() -> None:
    named = ok(run_program("dev", stack({"privateCaArn": CA, "kmsKey": KEY}, kmsKey="create")))
    assert _served(named, "api")[0]["tls"]["kmsKey"] == KEY
    assert json.loads(named.one(ROLE_POLICY, "ecs-service-connect-tls-key").inputs["policy"])["Statement"][0][
        "Resource"] == KEY  # fmt: skip
    plain = ok(run_program("dev", stack({"privateCaArn": CA})))
    assert "kmsKey" not in _served(plain, "api")[0]["tls"]
    assert not [r for r in plain.of_type(ROLE_POLICY) if r.name == "ecs-service-connect-tls-key"]


def test_without_tls_and_timeouts_nothing_changes() -> None:
    run = ok(run_program("dev", stack()))
    [api] = _served(run, "api")
    assert "tls" not in api and "timeout" not in api
    assert not [r for r in run.of_type(ROLE) if "service-connect-tls" in r.name]
    containers = json.loads(run.one("aws:ecs/taskDefinition:TaskDefinition", "ecs-api-task").inputs["containerDefinitions"])
    assert "appProtocol" not in containers[0]["portMappings"][0]


def test_the_preview_shows_tls_and_timeouts_and_the_pack_accepts_it(tls_stack_key: StackRun) -> None:
    assert any("Service Connect serving http://api:8080 (TLS from private CA 0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d, "
               "per-request timeout 30 s, idle timeout 120 s)" in line for line in tree_lines(tls_stack_key))
    assert resource_violations(tls_stack_key) == [] and stack_violations(tls_stack_key) == []
