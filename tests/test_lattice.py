"""VPC Lattice (issue 22): ``ecs-platform:lattice: {serviceNetwork}`` and ``lattice`` on a service.
The model's rules, and what the program registers: the service network with IAM auth and its VPC
association (when created), per service the IP target group, the Lattice service with IAM auth, its
listener, its association, the ECS infrastructure role with AmazonECSInfrastructureRolePolicyForVpcLattice,
the ECS service's ``vpcLatticeConfigurations``, the auth policy naming exactly the callers' task roles
and principals, the callers' identity grant and network path; exports, preview, cost and pack."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ecs_platform.errors import ConfigError
from ecs_platform.service.lattice import lattice_name
from ecs_platform.tools import policy_rules as rules
from ecs_platform.tools.mock_cloud import StackRun, run_program
from ecs_platform.tools.preview.cost import estimate
from ecs_platform.tools.preview.report import tree_lines
from tests.test_policy import resource_violations, stack_violations
from tests.test_validation import config_problems, load

P = "ecs-platform:services"
NET = "arn:aws:vpc-lattice:us-east-1:123456789012:servicenetwork/sn-0123456789abcdef0"
OTHER = "arn:aws:iam::210987654321:role/reporting-task"
SERVICE = "aws:ecs/service:Service"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
SG = "aws:ec2/securityGroup:SecurityGroup"
L = "aws:vpclattice/"


def stack(lattice: Any = True, network: str | None = "create", **api: Any) -> dict[str, Any]:
    """``api`` on Lattice, called by ``web``."""
    out: dict[str, Any] = {"services": {
        "api": {"image": "nginx", "user": "101", "port": 8080, "lattice": lattice, "callers": ["web"], **api},
        "web": {"image": "nginx", "user": "101", "port": 8000, "public": True}}}  # fmt: skip
    if network is not None:
        out["lattice"] = {"serviceNetwork": network}
    return out


def ok(run: StackRun) -> StackRun:
    assert run.error is None, run.error
    return run


# --- the model ------------------------------------------------------------------------------------

BAD: list[tuple[str, dict[str, Any], str]] = [
    ("no service network", stack(network=None),
     f"{P}.api.lattice: needs the stack's service network, and ecs-platform:lattice is not set (allowed: lattice: "
     "{serviceNetwork: create} or a service network ARN at the stack level)"),
    ("no one may call", stack(callers=[]),
     f"{P}.api.lattice: admits no one: the service's IAM auth policy names its callers and principals, and it has "
     "neither (allowed: callers: [<service>], or lattice.principals: [<role ARN>])"),
    ("no port", {"lattice": {}, "services": {"api": {"image": "x", "user": "1", "lattice": {"principals": [OTHER]}}}},
     f"{P}.api.lattice: needs the port the tasks serve on (allowed: set port)"),
    ("bridge on EC2", stack(callers=[], lattice={"principals": [OTHER]}, networkMode="bridge") | {"launchType": "EC2"},
     f"{P}.api.lattice: needs awsvpc tasks on FARGATE or EC2 (their addresses are the IP targets, their security "
     "group admits Lattice), and the service runs bridge on EC2 (allowed: awsvpc on FARGATE or EC2)"),
    ("unknown protocol", stack({"protocol": "TLS_PASSTHROUGH"}),
     f'{P}.api.lattice.protocol: "TLS_PASSTHROUGH" is not allowed (allowed: HTTPS, HTTP)'),
    ("a principal that is no role", stack({"principals": ["arn:aws:iam::210987654321:user/bob"]}),
     f'{P}.api.lattice.principals[0]: "arn:aws:iam::210987654321:user/bob" is not an IAM role ARN (allowed: '
     "arn:aws:iam::<account>:role/<path><name>)"),
    ("a principal twice", stack({"principals": [OTHER, OTHER]}),
     f'{P}.api.lattice.principals[1]: "{OTHER}" is already listed (allowed: each once)'),
    ("not a service network", stack(network="sn-0123456789abcdef0"),
     'ecs-platform:lattice.serviceNetwork: "sn-0123456789abcdef0" is not a service network (allowed: create, or a '
     "service network ARN arn:aws:vpc-lattice:<region>:<account>:servicenetwork/sn-<17 characters>)"),
    ("a network of another region", stack(network=NET.replace("us-east-1", "eu-west-1")),
     f'ecs-platform:lattice.serviceNetwork: "{NET.replace("us-east-1", "eu-west-1")}" is in eu-west-1, not the '
     "stack's region us-east-1 (allowed: a service network in us-east-1, or create)"),
    ("a network of another partition", stack(network=NET.replace("arn:aws:", "arn:aws-cn:").replace(
        "us-east-1", "cn-north-1")) | {"aws:region": "us-east-1"},
     f'ecs-platform:lattice.serviceNetwork: "{NET.replace("arn:aws:", "arn:aws-cn:").replace("us-east-1", "cn-north-1")}"'
     " is in partition aws-cn, not the partition of the stack's region us-east-1 (allowed: an arn:aws:... ARN)"),
]  # fmt: skip


@pytest.mark.parametrize(("overrides", "expected"), [pytest.param(o, e, id=i) for i, o, e in BAD])
def test_each_lattice_rule_names_the_key_the_value_and_what_is_allowed(overrides: dict[str, Any], expected: str) -> None:
    assert config_problems(overrides) == [expected]


def test_a_bad_lattice_setting_registers_nothing() -> None:
    run = run_program("dev", stack(network=None))
    assert isinstance(run.error, ConfigError) and run.resources == []


def test_lattice_true_is_https_on_443_and_false_is_none() -> None:
    spec, _ = load(stack())
    assert spec.services["api"].lattice is not None
    assert (spec.services["api"].lattice.protocol, spec.services["api"].lattice.listener_port) == ("HTTPS", 443)
    spec, _ = load(stack(False, callers=[]))
    assert spec.services["api"].lattice is None


def test_lattice_names_fit_lattices_grammar() -> None:
    assert lattice_name("ecs-api-lattice", "service") is None
    long = lattice_name("ecs-" + "a" * 32 + "-lattice", "service")
    assert long is not None and len(long) <= 40 and "--" not in long and not long.startswith("svc-")


# --- what the program registers --------------------------------------------------------------------


@pytest.fixture(scope="module")
def created() -> StackRun:
    return ok(run_program("dev", stack({"principals": [OTHER], "healthCheckPath": "/health"})))


@pytest.fixture(scope="module")
def adopted() -> StackRun:
    return ok(run_program("dev", stack({"protocol": "HTTP", "port": 8080}, network=NET)))


def test_a_created_service_network_has_iam_auth_and_admits_the_account_only(created: StackRun) -> None:
    network = created.one(f"{L}serviceNetwork:ServiceNetwork", "ecs-lattice")
    assert network.inputs["authType"] == "AWS_IAM"
    doc = json.loads(created.one(f"{L}authPolicy:AuthPolicy", "ecs-lattice-auth").inputs["policy"])
    assert doc["Statement"] == [{"Sid": "AccountPrincipals", "Effect": "Allow",
                                 "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                                 "Action": "vpc-lattice-svcs:Invoke", "Resource": "*"}]  # fmt: skip
    vpc = created.one(f"{L}serviceNetworkVpcAssociation:ServiceNetworkVpcAssociation", "ecs-lattice-vpc").inputs
    assert vpc["vpcIdentifier"] == created.exports["vpcId"]
    assert vpc["securityGroupIds"] == [created.one(SG, "ecs-lattice-sg").id]
    assert created.exports["latticeServiceNetworkArn"] == network.outputs["arn"]


def test_the_service_gets_an_ip_target_group_a_listener_and_joins_the_network(created: StackRun) -> None:
    tg = created.one(f"{L}targetGroup:TargetGroup", "ecs-api-lattice-tg")
    assert tg.inputs["type"] == "IP"
    config = tg.inputs["config"]
    assert (config["port"], config["protocol"], config["vpcIdentifier"]) == (8080, "HTTP", created.exports["vpcId"])
    assert (config["healthCheck"]["path"], config["healthCheck"]["matcher"]) == ("/health", {"value": "200-399"})
    service = created.one(f"{L}service:Service", "ecs-api-lattice")
    assert service.inputs["authType"] == "AWS_IAM"
    listener = created.one(f"{L}listener:Listener", "ecs-api-lattice-listener").inputs
    assert (listener["protocol"], listener["port"], listener["serviceIdentifier"]) == ("HTTPS", 443, service.id)
    assert listener["defaultAction"]["forwards"][0]["targetGroups"] == [
        {"targetGroupIdentifier": tg.id, "weight": 100}]
    association = created.one(f"{L}serviceNetworkServiceAssociation:ServiceNetworkServiceAssociation",
                              "ecs-api-lattice-association").inputs  # fmt: skip
    network = created.one(f"{L}serviceNetwork:ServiceNetwork", "ecs-lattice")
    assert (association["serviceIdentifier"], association["serviceNetworkIdentifier"]) == (
        service.id, network.outputs["arn"])


def test_ecs_registers_the_tasks_with_the_lattice_infrastructure_role(created: StackRun) -> None:
    svc = created.one(SERVICE, "ecs-api")
    role = created.one(ROLE, "ecs-api-lattice-infra")
    assert svc.inputs["vpcLatticeConfigurations"] == [{
        "portName": "api-8080", "roleArn": role.outputs["arn"],
        "targetGroupArn": created.one(f"{L}targetGroup:TargetGroup", "ecs-api-lattice-tg").outputs["arn"]}]
    assert json.loads(role.inputs["assumeRolePolicy"])["Statement"] == [
        {"Effect": "Allow", "Principal": {"Service": "ecs.amazonaws.com"}, "Action": "sts:AssumeRole"}]
    assert created.one(ATTACHMENT, "ecs-api-lattice-infra-lattice").inputs["policyArn"] == (
        "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForVpcLattice")
    assert created.one(ATTACHMENT, "ecs-api-lattice-infra-lattice").urn in svc.dependencies
    assert created.one(f"{L}listener:Listener", "ecs-api-lattice-listener").urn in svc.dependencies


def test_the_auth_policy_admits_exactly_the_callers_and_principals(created: StackRun) -> None:
    doc = json.loads(created.one(f"{L}authPolicy:AuthPolicy", "ecs-api-lattice-auth").inputs["policy"])
    service_arn = created.one(f"{L}service:Service", "ecs-api-lattice").outputs["arn"]
    web_task_role = created.one(ROLE, "ecs-web-roles-task").outputs["arn"]
    assert doc["Statement"] == [{"Sid": "Callers", "Effect": "Allow", "Principal": {"AWS": [web_task_role, OTHER]},
                                 "Action": "vpc-lattice-svcs:Invoke", "Resource": f"{service_arn}/*"}]  # fmt: skip
    grant = json.loads(created.one(ROLE_POLICY, "ecs-api-lattice-from-web").inputs["policy"])
    assert grant["Statement"] == [{"Sid": "InvokeLatticeService", "Effect": "Allow",
                                   "Action": "vpc-lattice-svcs:Invoke", "Resource": f"{service_arn}/*"}]  # fmt: skip
    assert created.one(ROLE_POLICY, "ecs-api-lattice-from-web").inputs["role"] == (
        created.one(ROLE, "ecs-web-roles-task").outputs["name"])


def test_lattice_reaches_the_tasks_and_the_callers_reach_lattice_on_their_ports_only(created: StackRun) -> None:
    api_sg, web_sg = created.one(SG, "ecs-api-sg").id, created.one(SG, "ecs-web-sg").id
    from_lattice = created.one(INGRESS, "ecs-api-from-lattice").inputs
    prefix_list = from_lattice["prefixListId"]
    assert prefix_list.startswith("pl-")
    assert (from_lattice["securityGroupId"], from_lattice["fromPort"], from_lattice["toPort"]) == (api_sg, 8080, 8080)
    egress = created.one(EGRESS, "ecs-api-lattice-from-web-egress").inputs
    assert (egress["securityGroupId"], egress["prefixListId"], egress["fromPort"]) == (web_sg, prefix_list, 443)
    network_in = created.one(INGRESS, "ecs-api-lattice-from-web-network").inputs
    assert (network_in["securityGroupId"], network_in["referencedSecurityGroupId"], network_in["fromPort"]) == (
        created.one(SG, "ecs-lattice-sg").id, web_sg, 443)
    assert ("aws:ec2/getManagedPrefixList:getManagedPrefixList", {"name": "com.amazonaws.us-east-1.vpc-lattice"}) in [
        (t, {k: v for k, v in i.items() if k == "name"}) for t, i in created.cloud.calls]


def test_an_adopted_network_is_joined_and_left_to_its_owner(adopted: StackRun) -> None:
    assert not adopted.of_type(f"{L}serviceNetwork:ServiceNetwork")
    assert not adopted.of_type(f"{L}serviceNetworkVpcAssociation:ServiceNetworkVpcAssociation")
    association = adopted.one(f"{L}serviceNetworkServiceAssociation:ServiceNetworkServiceAssociation",
                              "ecs-api-lattice-association").inputs  # fmt: skip
    assert association["serviceNetworkIdentifier"] == NET
    listener = adopted.one(f"{L}listener:Listener", "ecs-api-lattice-listener").inputs
    assert (listener["protocol"], listener["port"]) == ("HTTP", 8080)
    assert not [r for r in adopted.of_type(INGRESS) if r.name.endswith("-network")]
    assert "latticeServiceNetworkArn" not in adopted.exports


def test_the_url_is_exported_and_the_preview_shows_and_prices_the_service(created: StackRun) -> None:
    dns = created.one(f"{L}service:Service", "ecs-api-lattice").outputs["dnsEntries"][0]["domainName"]
    assert created.exports["services"]["api"]["latticeUrl"] == f"https://{dns}:443"
    lines = "\n".join(tree_lines(created))
    assert "in VPC Lattice (port api-8080" in lines and f"auth AWS_IAM; {dns}" in lines
    assert "invoke: ecs-web-roles-task-" in lines and "reporting-task" in lines
    line = next(c for c in estimate(created).lines if c.item == "VPC Lattice services")
    assert (line.detail, round(line.desired, 2)) == ("1 service(s); per-GB and per-request charges excluded",
                                                     round(730 * 0.025, 2))  # fmt: skip


def test_the_pack_accepts_the_stack_and_refuses_a_lattice_service_without_iam_auth(created: StackRun) -> None:
    assert resource_violations(created) == [] and stack_violations(created) == []
    rule = next(r for r in rules.RESOURCE_RULES if r.name == "lattice-iam-auth")
    assert rule.violations("aws:vpclattice/service:Service", {"authType": "NONE"}) == [
        "auth type NONE: any client of the service network may call (allowed: AWS_IAM)"]
