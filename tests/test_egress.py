"""Egress without NAT gateways (issue 23): ``natGateways: Instance`` (one NAT instance in an Auto
Scaling group of one) and VPC endpoints (the free S3 gateway endpoint in every created VPC, and the
interface endpoints of ``vpcEndpoints``).

1. The rules on the model: bad values refused at their key path, and nothing registered.
2. The resources, through the mock engine, against the real dev stack file.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from ecs_platform import config, facts
from ecs_platform.egress import VpcEndpoints, nat_user_data
from ecs_platform.errors import ConfigError
from ecs_platform.specs import NetworkSpec
from ecs_platform.tools.mock_cloud import REGION_ZONES, Registration, StackRun, run_program, stack_config
from ecs_platform.tools.mock_cloud.naming import fake_hex as _hex
from tests.conftest import STACKS, stack_run
from tests.test_policy import resource_violations, stack_violations

NS = "ecs-platform:"
ADOPTED = {"vpcId": "vpc-0123456789abcdef0", "publicSubnetIds": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
           "privateSubnetIds": ["subnet-0123456789abcdef2", "subnet-0123456789abcdef3"]}  # fmt: skip
INTERFACES = ["ecr.api", "ecr.dkr", "logs"]
ENDPOINT_NAMES = ", ".join(facts.INTERFACE_ENDPOINTS)


def problems(overrides: dict[str, Any]) -> list[str]:
    """What ``config.load`` (as ``__main__.py`` calls it) says of the dev stack plus ``overrides``."""
    cfg = stack_config("dev", overrides)
    raw = {k.removeprefix(NS): config._parse(v) for k, v in cfg.items() if k.startswith(NS)}
    region = cfg["aws:region"]
    with pytest.raises(ConfigError) as exc:
        config.load(raw, stack="dev", region=region, region_zones=REGION_ZONES[region], offline=True)
    return exc.value.problems


# --- 1. the rules --------------------------------------------------------------------------------

RULES: list[tuple[str, dict[str, Any], str]] = [
    ("natGateways None (no egress for the sample image)", {"natGateways": "None"},
     f'{NS}natGateways: "None" is not allowed (allowed: Single, OnePerAz, Instance)'),
    ("an x86 NAT instance type", {"natGateways": "Instance", "natInstanceType": "t3.nano"},
     f'{NS}natInstanceType: "t3.nano" is not allowed (allowed: {", ".join(facts.NAT_INSTANCE_TYPES)})'),
    ("a NAT instance type without a NAT instance", {"natGateways": "Single", "natInstanceType": "t4g.micro"},
     f'{NS}natInstanceType: "t4g.micro" applies only to a NAT instance, and natGateways is "Single" '
     "(allowed: natGateways: Instance, or no natInstanceType)"),
    ("an unknown endpoint", {"vpcEndpoints": ["ecr.api", "dynamodb"]},
     f'{NS}vpcEndpoints[1]: "dynamodb" is not an interface endpoint the platform offers (allowed: {ENDPOINT_NAMES})'),
    ("s3, always a gateway endpoint", {"vpcEndpoints": ["s3"]},
     f'{NS}vpcEndpoints[0]: "s3" is always created, as the free S3 gateway endpoint on the private route tables '
     f"(allowed: interface endpoints {ENDPOINT_NAMES})"),
    ("an endpoint listed twice", {"vpcEndpoints": ["logs", "ecr.dkr", "logs"]},
     f'{NS}vpcEndpoints[2]: "logs" is already listed (allowed: each endpoint once)'),
    ("endpoints not a list", {"vpcEndpoints": "logs"}, f'{NS}vpcEndpoints: "logs" is not a list (allowed: a YAML list)'),
    ("endpoints for an adopted VPC", {"vpcEndpoints": ["logs"], "vpc": ADOPTED},
     f'{NS}vpcEndpoints: ["logs"] applies to a VPC the stack creates, and vpc adopts "vpc-0123456789abcdef0" '
     "(allowed: the adopted VPC's own endpoints; remove vpcEndpoints or vpc)"),
]  # fmt: skip


@pytest.mark.parametrize(("overrides", "expected"), [pytest.param(o, e, id=i) for i, o, e in RULES])
def test_each_egress_rule_names_the_key_the_value_and_what_is_allowed(overrides: dict[str, Any], expected: str) -> None:
    assert expected in problems(overrides)


@pytest.mark.parametrize(("overrides", "expected"), [pytest.param(o, e, id=i) for i, o, e in RULES])
def test_a_refused_egress_setting_registers_nothing(overrides: dict[str, Any], expected: str) -> None:
    run = run_program("dev", overrides)
    assert isinstance(run.error, ConfigError), run.error
    assert run.resources == []
    assert expected in run.error.problems


def test_python_callers_get_the_same_rules_at_snake_case_paths() -> None:
    with pytest.raises(ConfigError) as exc:
        NetworkSpec(nat_gateways="OnePerAz", nat_instance_type="t4g.small", vpc_endpoints=("logs", "logs"))
    assert exc.value.problems == [
        'NetworkSpec.vpc_endpoints[1]: "logs" is already listed (allowed: each endpoint once)',
        'NetworkSpec.nat_instance_type: "t4g.small" applies only to a NAT instance, and natGateways is "OnePerAz" '
        "(allowed: natGateways: Instance, or no natInstanceType)",
    ]
    assert NetworkSpec(nat_gateways="Instance").effective_nat_instance_type == "t4g.nano"


# --- 2. the NAT instance's resources ---------------------------------------------------------------


@pytest.fixture(scope="module")
def nat() -> StackRun:
    run = run_program("dev", {"natGateways": "Instance", "vpcEndpoints": INTERFACES})
    assert run.error is None, run.error
    return run


def part(run: StackRun, typ: str, suffix: str) -> Registration:
    return run.one(typ, f"ecs-network-nat{suffix}")


def task_subnets(run: StackRun) -> list[str]:
    """The subnets tasks run in: awsx's private subnets behind NAT gateways, its isolated ones
    behind a NAT instance."""
    outputs = run.one("awsx:ec2:Vpc").outputs
    return list(outputs["isolatedSubnetIds"] or outputs["privateSubnetIds"])


def private_tables(run: StackRun) -> list[str]:
    """The route table of each private subnet, as the mock's EC2 answers a lookup by subnet."""
    return ["rtb-" + _hex(s) for s in task_subnets(run)]


def test_awsx_makes_no_nat_gateway_and_the_instance_routes_every_private_table(nat: StackRun) -> None:
    assert nat.one("awsx:ec2:Vpc").inputs["natGateways"] == {"strategy": "None"}
    eni = part(nat, "aws:ec2/networkInterface:NetworkInterface", "-eni")
    routes = sorted(nat.of_type("aws:ec2/route:Route"), key=lambda r: r.name)
    assert [r.name for r in routes] == ["ecs-network-nat-route-0", "ecs-network-nat-route-1"]
    assert [r.inputs["routeTableId"] for r in routes] == private_tables(nat)
    for route in routes:
        assert route.inputs["destinationCidrBlock"] == "0.0.0.0/0"
        # The fixed interface, not the instance: a replaced instance changes no route.
        assert route.inputs["networkInterfaceId"] == eni.id
        assert "instanceId" not in route.inputs


def test_behind_a_nat_instance_the_tasks_subnets_are_awsxs_isolated_ones(nat: StackRun) -> None:
    # awsx refuses private subnets with NAT strategy None (its ValidateStrategy), as the mock does
    specs = [s["type"] for s in nat.one("awsx:ec2:Vpc").inputs["subnetSpecs"]]
    assert specs == ["Isolated", "Public"]
    assert nat.one("awsx:ec2:Vpc").outputs["privateSubnetIds"] == []
    gateways = run_program("dev", {"natGateways": "Single"})
    assert [s["type"] for s in gateways.one("awsx:ec2:Vpc").inputs["subnetSpecs"]] == ["Private", "Public"]


def test_the_mock_refuses_private_subnets_without_a_nat_gateway_as_awsx_does() -> None:
    from ecs_platform.tools.mock_cloud import MockCloud

    with pytest.raises(ValueError, match="NAT Gateway strategy cannot be 'None'"):
        MockCloud()._vpc("v", {"availabilityZoneNames": ["us-east-1a"], "subnetSpecs": [{"type": "Private"}],
                               "natGateways": {"strategy": "None"}})  # fmt: skip


def test_the_interface_is_in_the_first_zones_public_subnet_without_source_dest_check(nat: StackRun) -> None:
    eni = part(nat, "aws:ec2/networkInterface:NetworkInterface", "-eni")
    vpc = nat.one("awsx:ec2:Vpc")
    assert eni.inputs["subnetId"] == vpc.outputs["publicSubnetIds"][0]
    assert nat.cloud.subnets[eni.inputs["subnetId"]] == (vpc.inputs["availabilityZoneNames"][0], "public")
    assert eni.inputs["sourceDestCheck"] is False
    assert eni.inputs["securityGroups"] == [part(nat, "aws:ec2/securityGroup:SecurityGroup", "-sg").id]
    eip = part(nat, "aws:ec2/eip:Eip", "-eip")
    assert (eip.inputs["networkInterface"], eip.inputs["domain"]) == (eni.id, "vpc")


def test_the_group_keeps_exactly_one_instance_in_the_interfaces_zone(nat: StackRun) -> None:
    asg = part(nat, "aws:autoscaling/group:Group", "-asg")
    zone = nat.one("awsx:ec2:Vpc").inputs["availabilityZoneNames"][0]
    assert (asg.inputs["minSize"], asg.inputs["maxSize"], asg.inputs["desiredCapacity"]) == (1, 1, 1)
    # An existing interface: the group names the zone, never a subnet (EC2 Auto Scaling's rule).
    assert asg.inputs["availabilityZones"] == [zone]
    assert "vpcZoneIdentifiers" not in asg.inputs
    assert asg.inputs["healthCheckType"] == "EC2"
    assert asg.inputs["instanceMaintenancePolicy"] == {"minHealthyPercentage": 0, "maxHealthyPercentage": 100}
    lt = part(nat, "aws:ec2/launchTemplate:LaunchTemplate", "-lt")
    assert asg.inputs["launchTemplate"]["id"] == lt.id
    # Not an ECS capacity provider's group: no capacity provider points at it.
    assert all(cp.inputs["autoScalingGroupProvider"]["autoScalingGroupArn"] != asg.outputs["arn"]
               for cp in nat.of_type("aws:ecs/capacityProvider:CapacityProvider"))  # fmt: skip


def test_the_launch_template_attaches_the_interface_and_boots_current_graviton_al2023(nat: StackRun) -> None:
    lt = part(nat, "aws:ec2/launchTemplate:LaunchTemplate", "-lt").inputs
    eni = part(nat, "aws:ec2/networkInterface:NetworkInterface", "-eni")
    assert lt["networkInterfaces"] == [
        {"deviceIndex": 0, "networkInterfaceId": eni.id, "deleteOnTermination": "false"}
    ]
    assert lt["imageId"] == "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"
    assert lt["instanceType"] == "t4g.nano"
    assert lt["metadataOptions"] == {"httpEndpoint": "enabled", "httpTokens": "required", "httpPutResponseHopLimit": 1}
    assert lt["blockDeviceMappings"] == [{"deviceName": "/dev/xvda", "ebs": {
        "volumeType": "gp3", "encrypted": "true", "deleteOnTermination": "true"}}]  # fmt: skip
    assert lt["creditSpecification"] == {"cpuCredits": "standard"}
    assert "keyName" not in lt  # no SSH key: Session Manager
    profile = part(nat, "aws:iam/instanceProfile:InstanceProfile", "-profile")
    assert lt["iamInstanceProfile"] == {"arn": profile.outputs["arn"]}


def test_user_data_is_the_documented_nat_setup_for_the_vpcs_cidr(nat: StackRun) -> None:
    lt = part(nat, "aws:ec2/launchTemplate:LaunchTemplate", "-lt").inputs
    script = base64.b64decode(lt["userData"]).decode()
    assert script == nat_user_data("10.0.0.0/16")
    lines = script.splitlines()
    assert lines[0] == "#!/bin/bash"
    assert "echo 'net.ipv4.ip_forward=1' > /etc/sysctl.d/custom-ip-forwarding.conf" in lines
    assert "sysctl -p /etc/sysctl.d/custom-ip-forwarding.conf" in lines
    assert 'iptables -t nat -A POSTROUTING -o "$iface" -s 10.0.0.0/16 -j MASQUERADE' in lines
    # The FORWARD chain's REJECT goes before the rules are saved for the next boot.
    assert lines.index("iptables -F FORWARD") < lines.index("service iptables save")


def test_user_data_follows_a_custom_vpc_cidr() -> None:
    run = run_program("dev", {"natGateways": "Instance", "vpcCidr": "10.42.0.0/16"})
    assert run.error is None, run.error
    lt = run.one("aws:ec2/launchTemplate:LaunchTemplate", "ecs-network-nat-lt").inputs
    assert "-s 10.42.0.0/16 -j MASQUERADE" in base64.b64decode(lt["userData"]).decode()
    [rule] = [r for r in run.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
              if r.name == "ecs-network-nat-from-vpc"]  # fmt: skip
    assert rule.inputs["cidrIpv4"] == "10.42.0.0/16"


def test_the_security_group_admits_only_the_vpc(nat: StackRun) -> None:
    sg = part(nat, "aws:ec2/securityGroup:SecurityGroup", "-sg")
    rules = [r for typ in ("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
                           "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
             for r in nat.of_type(typ) if r.inputs["securityGroupId"] == sg.id]  # fmt: skip
    ingress = [r.inputs for r in rules if "Ingress" in r.type]
    egress = [r.inputs for r in rules if "Egress" in r.type]
    assert [(i["ipProtocol"], i["cidrIpv4"]) for i in ingress] == [("-1", "10.0.0.0/16")]
    assert not any("referencedSecurityGroupId" in i or "cidrIpv6" in i for i in ingress)
    assert [(e["ipProtocol"], e["cidrIpv4"]) for e in egress] == [("-1", "0.0.0.0/0")]
    assert "ingress" not in sg.inputs  # no inline rules


def test_the_role_grants_session_manager_and_nothing_else(nat: StackRun) -> None:
    role = part(nat, "aws:iam/role:Role", "-instance")
    trust = json.loads(role.inputs["assumeRolePolicy"])
    assert [s["Principal"] for s in trust["Statement"]] == [{"Service": "ec2.amazonaws.com"}]
    attached = [a.inputs["policyArn"] for a in nat.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
                if a.inputs["role"] == role.outputs["name"]]  # fmt: skip
    assert attached == ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"]
    assert [p for p in nat.of_type("aws:iam/rolePolicy:RolePolicy") if p.inputs["role"] == role.outputs["name"]] == []


def test_the_alarm_watches_the_groups_status_checks_and_a_missing_instance(nat: StackRun) -> None:
    alarm = part(nat, "aws:cloudwatch/metricAlarm:MetricAlarm", "-status").inputs
    asg = part(nat, "aws:autoscaling/group:Group", "-asg")
    assert (alarm["namespace"], alarm["metricName"], alarm["statistic"]) == ("AWS/EC2", "StatusCheckFailed", "Maximum")
    assert alarm["dimensions"] == {"AutoScalingGroupName": asg.outputs["name"]}
    assert (alarm["threshold"], alarm["comparisonOperator"]) == (0, "GreaterThanThreshold")
    assert alarm["treatMissingData"] == "breaching"


def test_tasks_stay_in_private_subnets_without_public_ips(nat: StackRun) -> None:
    private = set(task_subnets(nat))
    for svc in nat.of_type("aws:ecs/service:Service"):
        network = svc.inputs["networkConfiguration"]
        assert set(network["subnets"]) <= private
        assert network.get("assignPublicIp") in (None, False)


def test_the_policy_pack_accepts_the_nat_instance_and_endpoints(nat: StackRun) -> None:
    assert resource_violations(nat) == []
    assert stack_violations(nat) == []


def test_only_stacks_asking_for_a_nat_instance_get_one() -> None:
    for stack in STACKS:
        run = stack_run(stack)
        wanted = run.config.get(f"{NS}natGateways") == "Instance" and f"{NS}vpc" not in run.config
        assert len(run.of_type("ecs-platform:network:NatInstance")) == (1 if wanted else 0), stack
        strategies = [v.inputs["natGateways"]["strategy"] for v in run.of_type("awsx:ec2:Vpc")]
        assert all((s == "None") == wanted for s in strategies), stack


def test_an_adopted_vpc_ignores_the_nat_choice_as_it_always_did() -> None:
    run = run_program("dev", {"vpc": ADOPTED, "natGateways": "Instance"})
    assert run.error is None, run.error
    assert run.of_type("ecs-platform:network:NatInstance") == [] and run.of_type("awsx:ec2:Vpc") == []


# --- 3. endpoints -------------------------------------------------------------------------------------


def test_every_created_vpc_gets_the_free_s3_gateway_endpoint_on_its_private_tables() -> None:
    for stack in STACKS:
        run = stack_run(stack)
        if not run.of_type("awsx:ec2:Vpc"):
            continue
        s3 = run.one("aws:ec2/vpcEndpoint:VpcEndpoint", "ecs-network-endpoints-s3").inputs
        assert s3["vpcEndpointType"] == "Gateway"
        assert s3["serviceName"] == f"com.amazonaws.{run.config['aws:region']}.s3"
        assert s3["routeTableIds"] == private_tables(run)
        assert s3["vpcId"] == run.one("awsx:ec2:Vpc").outputs["vpcId"]


def test_interface_endpoints_are_private_dns_in_every_private_subnet_behind_443_from_the_vpc(nat: StackRun) -> None:
    endpoints = {r.name: r.inputs for r in nat.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")}
    sg = nat.one("aws:ec2/securityGroup:SecurityGroup", "ecs-network-endpoints-sg")
    private = task_subnets(nat)
    for name in INTERFACES:
        ep = endpoints[f"ecs-network-endpoints-{name.replace('.', '-')}"]
        assert ep["serviceName"] == f"com.amazonaws.us-east-1.{name}"
        assert (ep["vpcEndpointType"], ep["privateDnsEnabled"]) == ("Interface", True)
        assert ep["subnetIds"] == private
        assert ep["securityGroupIds"] == [sg.id]
    assert len(endpoints) == len(INTERFACES) + 1  # and S3's gateway endpoint
    rules = [r.inputs for r in nat.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
             if r.inputs["securityGroupId"] == sg.id]  # fmt: skip
    assert [(r["ipProtocol"], r["fromPort"], r["toPort"], r["cidrIpv4"]) for r in rules] == [
        ("tcp", 443, 443, "10.0.0.0/16")]  # fmt: skip


def test_interface_endpoints_are_offered_not_forced(dev: StackRun) -> None:
    types = {r.inputs["vpcEndpointType"] for r in dev.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")}
    assert types == {"Gateway"}
    assert [r for r in dev.of_type("aws:ec2/securityGroup:SecurityGroup") if "endpoints" in r.name] == []


def test_an_adopted_vpc_gets_no_endpoint_and_no_nat_instance() -> None:
    run = run_program("dev", {"vpc": ADOPTED})
    assert run.error is None, run.error
    assert run.of_type("aws:ec2/vpcEndpoint:VpcEndpoint") == []
    assert run.of_type("ecs-platform:network:NatInstance") == []


def test_the_components_refuse_an_endpoint_name_they_do_not_offer() -> None:
    with pytest.raises(ConfigError, match=r'VpcEndpoints.interface\[0\]: "s3" is not an interface endpoint the platform '
                       "offers"):  # fmt: skip
        VpcEndpoints("x", vpc_id="vpc-0123456789abcdef0", vpc_cidr="10.0.0.0/16", private_subnet_ids=[],
                     private_route_table_ids=[], interface=["s3"])  # fmt: skip
