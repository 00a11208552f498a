"""EC2 instances and external machines (ECS Anywhere) as capacity, and mixed clusters."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

import pytest

from ecs_platform import ExternalCapacity, ExternalSpec
from ecs_platform.tools.mock_cloud import StackRun, run_program
from tests.conftest import containers, policy, stack_run

SERVICE = "aws:ecs/service:Service"
TASKDEF = "aws:ecs/taskDefinition:TaskDefinition"
ASG = "aws:autoscaling/group:Group"
LT = "aws:ec2/launchTemplate:LaunchTemplate"
CP = "aws:ecs/capacityProvider:CapacityProvider"
CCP = "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders"
ACTIVATION = "aws:ssm/activation:Activation"
ATTACH = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
API = {"api": {"image": "nginx", "user": "1000", "port": 8080}}


def ok(run: StackRun) -> StackRun:
    assert run.error is None, run.error
    return run


@pytest.fixture(scope="module")
def ec2() -> StackRun:
    return ok(run_program("dev", {"launchType": "EC2", "services": API}))


@pytest.fixture(scope="module")
def external() -> StackRun:
    return ok(run_program("dev", {"launchType": "EXTERNAL", "services": API}))


@pytest.fixture(scope="module")
def staging() -> StackRun:
    return ok(stack_run("staging"))


# --- EC2 ------------------------------------------------------------------------------------


def test_launch_template_uses_the_ecs_optimized_al2023_ami_from_ssm(ec2: StackRun) -> None:
    [(_, args)] = [c for c in ec2.cloud.calls if c[0] == "aws:ssm/getParameter:getParameter"]
    assert args["name"] == "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"
    lt = ec2.one(LT, "ecs-cluster-ec2-lt").inputs
    assert lt["imageId"].startswith("ami-")
    assert lt["instanceType"] == "t3.medium"


def test_instances_are_hardened(ec2: StackRun) -> None:
    lt = ec2.one(LT, "ecs-cluster-ec2-lt").inputs
    assert lt["metadataOptions"] == {"httpEndpoint": "enabled", "httpTokens": "required",
                                     "httpPutResponseHopLimit": 1}  # fmt: skip
    assert lt["blockDeviceMappings"] == [{"deviceName": "/dev/xvda", "ebs": {
        "volumeSize": 30, "volumeType": "gp3", "encrypted": "true", "deleteOnTermination": "true"}}]  # fmt: skip
    [nic] = lt["networkInterfaces"]
    assert nic["associatePublicIpAddress"] == "false"
    assert nic["securityGroups"] == [ec2.one("aws:ec2/securityGroup:SecurityGroup", "ecs-cluster-ec2-sg").id]
    assert "keyName" not in lt
    assert not [r for r in ec2.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
                if r.inputs["securityGroupId"] == nic["securityGroups"][0]]  # fmt: skip


def test_user_data_joins_the_cluster_with_task_roles_and_no_imds_for_tasks(ec2: StackRun) -> None:
    script = base64.b64decode(ec2.one(LT, "ecs-cluster-ec2-lt").inputs["userData"]).decode()
    cluster = ec2.one("aws:ecs/cluster:Cluster").outputs["name"]
    assert f"ECS_CLUSTER={cluster}\n" in script
    for setting in ("ECS_ENABLE_TASK_IAM_ROLE=true", "ECS_ENABLE_TASK_IAM_ROLE_NETWORK_HOST=true",
                    "ECS_AWSVPC_BLOCK_IMDS=true", "ECS_ENABLE_SPOT_INSTANCE_DRAINING=true"):  # fmt: skip
        assert f"{setting}\n" in script
    assert script.startswith("#!/bin/bash\ncat >> /etc/ecs/ecs.config <<'EOF'\n")


def test_instance_role_is_for_ec2_with_the_ecs_and_ssm_policies_only(ec2: StackRun) -> None:
    role = ec2.one("aws:iam/role:Role", "ecs-cluster-ec2-instance")
    statement = policy(role.inputs["assumeRolePolicy"])["Statement"][0]
    # AWS's container instance role guide: ec2.amazonaws.com, no conditions (EC2 sends neither key).
    assert statement == {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
    arns = sorted(a.inputs["policyArn"] for a in ec2.of_type(ATTACH) if a.name.startswith("ecs-cluster-ec2"))
    assert arns == ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
                    "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"]  # fmt: skip
    profile = ec2.one("aws:iam/instanceProfile:InstanceProfile", "ecs-cluster-ec2-profile")
    assert profile.inputs["role"] == role.outputs["name"]
    assert ec2.one(LT, "ecs-cluster-ec2-lt").inputs["iamInstanceProfile"] == {"arn": profile.outputs["arn"]}


def test_auto_scaling_group_spans_every_zone_and_is_protected_for_ecs(ec2: StackRun) -> None:
    asg = ec2.one(ASG, "ecs-cluster-ec2-asg")
    # zones by ID (use1-az1, use1-az2): in the mock account these are us-east-1c and us-east-1d
    assert [ec2.cloud.subnets[s] for s in asg.inputs["vpcZoneIdentifiers"]] == [
        ("us-east-1c", "isolated"), ("us-east-1d", "isolated")]  # fmt: skip (dev's, behind its NAT instance)
    assert [ec2.cloud.subnet_zone_ids[s] for s in asg.inputs["vpcZoneIdentifiers"]] == ["use1-az1", "use1-az2"]
    assert (asg.inputs["minSize"], asg.inputs["maxSize"]) == (1, 10)
    assert asg.inputs["protectFromScaleIn"] is True
    assert asg.ignore_changes == ["desiredCapacity"]
    assert {"key": "AmazonECSManaged", "value": "true", "propagateAtLaunch": True} in asg.inputs["tags"]
    policy_ = asg.inputs["mixedInstancesPolicy"]
    assert [o["instanceType"] for o in policy_["launchTemplate"]["overrides"]] == ["t3.medium"]
    assert policy_["launchTemplate"]["launchTemplateSpecification"] == {
        "launchTemplateId": ec2.one(LT, "ecs-cluster-ec2-lt").id, "version": "$Latest"}  # fmt: skip
    assert policy_["instancesDistribution"]["onDemandPercentageAboveBaseCapacity"] == 100


def test_capacity_provider_has_managed_scaling_termination_protection_and_draining(ec2: StackRun) -> None:
    cp = ec2.one(CP).inputs["autoScalingGroupProvider"]
    assert cp["autoScalingGroupArn"] == ec2.one(ASG, "ecs-cluster-ec2-asg").outputs["arn"]
    assert cp["managedTerminationProtection"] == "ENABLED"
    assert cp["managedDraining"] == "ENABLED"
    assert cp["managedScaling"]["status"] == "ENABLED"
    assert cp["managedScaling"]["targetCapacity"] == 100
    attached = ec2.one(CCP).inputs
    name = ec2.one(CP).outputs["name"]
    assert attached["capacityProviders"] == ["FARGATE", "FARGATE_SPOT", name]
    assert attached["defaultCapacityProviderStrategies"] == [
        {"capacityProvider": name, "weight": 1, "base": 0}
    ]


def test_ec2_services_spread_across_zones_then_pack_by_memory(ec2: StackRun) -> None:
    svc = ec2.one(SERVICE).inputs
    assert svc["capacityProviderStrategies"] == [
        {"capacityProvider": ec2.one(CP).outputs["name"], "weight": 1, "base": 0}]  # fmt: skip
    assert svc["orderedPlacementStrategies"] == [
        {"type": "spread", "field": "attribute:ecs.availability-zone"}, {"type": "binpack", "field": "memory"}]  # fmt: skip
    assert "platformVersion" not in svc
    # ECS does not rebalance services that binpack; the zone spread comes from placement.
    assert "availabilityZoneRebalancing" not in svc
    assert svc["networkConfiguration"]["assignPublicIp"] is False
    task = ec2.one(TASKDEF).inputs
    assert (task["requiresCompatibilities"], task["networkMode"]) == (["EC2"], "awsvpc")


def test_graviton_instances_take_the_arm64_ami_and_arm64_tasks() -> None:
    run = ok(run_program("dev", {"launchType": "EC2", "services": API,
                                 "ec2": {"instanceTypes": ["m7g.large", "c7g.xlarge"]}}))  # fmt: skip
    names = [a["name"] for c, a in run.cloud.calls if c == "aws:ssm/getParameter:getParameter"]
    assert names == ["/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id"]
    assert run.one(TASKDEF).inputs["runtimePlatform"]["cpuArchitecture"] == "ARM64"
    overrides = run.one(ASG, "ecs-cluster-ec2-asg").inputs["mixedInstancesPolicy"]["launchTemplate"]["overrides"]
    assert [o["instanceType"] for o in overrides] == ["m7g.large", "c7g.xlarge"]


def test_spot_share_and_sizes_come_from_config() -> None:
    run = ok(run_program("dev", {"launchType": "EC2", "services": API, "ec2": {
        "minSize": 2, "maxSize": 8, "spotPercentage": 70, "onDemandBase": 1, "targetCapacity": 80,
        "rootVolumeGiB": 60}}))  # fmt: skip
    asg = run.one(ASG, "ecs-cluster-ec2-asg").inputs
    assert (asg["minSize"], asg["maxSize"], asg["capacityRebalance"]) == (2, 8, True)
    assert asg["mixedInstancesPolicy"]["instancesDistribution"] == {
        "onDemandBaseCapacity": 1, "onDemandPercentageAboveBaseCapacity": 30,
        "onDemandAllocationStrategy": "prioritized", "spotAllocationStrategy": "price-capacity-optimized"}  # fmt: skip
    assert run.one(CP).inputs["autoScalingGroupProvider"]["managedScaling"]["targetCapacity"] == 80
    assert run.one(LT, "ecs-cluster-ec2-lt").inputs["blockDeviceMappings"][0]["ebs"]["volumeSize"] == 60


def test_capacity_provider_has_a_name_aws_accepts(ec2: StackRun) -> None:
    # CreateCapacityProvider refuses names starting with aws, ecs or fargate.
    assert ec2.one(CP).inputs["name"] == "cp-ecs-platform-dev"


def test_instances_carry_the_stack_tags(ec2: StackRun) -> None:
    specs = ec2.one(LT, "ecs-cluster-ec2-lt").inputs["tagSpecifications"]
    assert [s["resourceType"] for s in specs] == ["instance", "volume"]
    assert specs[0]["tags"]["Stack"] == "dev"


# --- EXTERNAL (ECS Anywhere) -------------------------------------------------------------------


def test_external_capacity_registers_machines_through_an_ssm_activation(external: StackRun) -> None:
    activation = external.one(ACTIVATION)
    role = external.one("aws:iam/role:Role", "ecs-cluster-external-role")
    assert activation.inputs["iamRole"] == role.outputs["name"]
    assert activation.inputs["registrationLimit"] == 10
    assert "expirationDate" not in activation.inputs  # AWS's default: 24 hours
    statement = policy(role.inputs["assumeRolePolicy"])["Statement"][0]
    assert statement["Principal"] == {"Service": "ssm.amazonaws.com"}
    assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": "123456789012"}
    assert statement["Condition"]["ArnEquals"] == {"aws:SourceArn": "arn:aws:ssm:us-east-1:123456789012:*"}
    arns = sorted(a.inputs["policyArn"] for a in external.of_type(ATTACH) if "external" in a.name)
    assert arns == ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
                    "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"]  # fmt: skip
    assert {a.urn for a in external.of_type(ATTACH) if "external" in a.name} <= set(activation.dependencies)


def test_external_services_use_the_external_launch_type_and_bridge_networking(external: StackRun) -> None:
    svc = external.one(SERVICE).inputs
    assert svc["launchType"] == "EXTERNAL"
    assert not {"capacityProviderStrategies", "networkConfiguration", "platformVersion",
                "orderedPlacementStrategies", "loadBalancers"} & set(svc)  # fmt: skip
    task = external.one(TASKDEF)
    assert (task.inputs["requiresCompatibilities"], task.inputs["networkMode"]) == (["EXTERNAL"], "bridge")
    [c] = containers(task)
    assert c["portMappings"] == [
        {"name": "api-8080", "containerPort": 8080, "protocol": "tcp", "hostPort": 0}
    ]
    # Bridge networking: no task security group (the NAT instance's is the only one).
    nat = {r.urn for r in external.of_type("ecs-platform:network:NatInstance")}
    assert [g for g in external.of_type("aws:ec2/securityGroup:SecurityGroup") if g.parent not in nat] == []


def test_registration_command_is_exported(external: StackRun) -> None:
    activation = external.one(ACTIVATION)
    cluster = external.one("aws:ecs/cluster:Cluster").outputs["name"]
    command = external.exports["externalRegistrationCommand"]
    assert command == (
        'curl --proto "=https" -fsSL -o /tmp/ecs-anywhere-install.sh '
        '"https://amazon-ecs-agent.s3.amazonaws.com/ecs-anywhere-install-latest.sh" && '
        f'sudo bash /tmp/ecs-anywhere-install.sh --region "us-east-1" --cluster "{cluster}" '
        f'--activation-id "{activation.id}" --activation-code "{activation.outputs["activationCode"]}"'
    )
    assert external.exports["externalActivationId"] == activation.id


def test_activation_code_and_command_are_secret_outputs() -> None:
    import pulumi
    from pulumi.runtime.sync_await import _sync_await

    made: list[ExternalCapacity] = []

    def program() -> None:
        made.append(ExternalCapacity("edge", ExternalSpec(), cluster_name="cluster-x"))
        pulumi.export("secret", made[0].registration_command)

    run = ok(run_program("embed", config={"aws:region": "us-east-1"}, program=program))
    assert run.exports["secret"].startswith("curl ")
    assert _sync_await(made[0].registration_command.is_secret()) is True
    assert _sync_await(made[0].activation_code.is_secret()) is True


def test_activation_expiry_and_limit_come_from_config() -> None:
    day = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=14)).isoformat()
    run = ok(run_program("dev", {"launchType": "EXTERNAL", "services": API,
                                 "external": {"registrationLimit": 3, "expirationDate": day}}))  # fmt: skip
    activation = run.one(ACTIVATION).inputs
    assert (activation["registrationLimit"], activation["expirationDate"]) == (3, f"{day}T00:00:00Z")


def test_sample_service_runs_on_external_machines_without_a_load_balancer() -> None:
    run = ok(run_program("dev", {"launchType": "EXTERNAL"}))
    assert run.one(SERVICE).inputs["launchType"] == "EXTERNAL"
    assert run.of_type("aws:lb/loadBalancer:LoadBalancer") == []


# --- mixed clusters ----------------------------------------------------------------------------


def test_a_mixed_cluster_offers_each_kind_and_services_pick_theirs(staging: StackRun) -> None:
    cp_name = staging.one(CP).outputs["name"]
    assert staging.one(CCP).inputs["capacityProviders"] == ["FARGATE", "FARGATE_SPOT", cp_name]
    by_name = {s.name: s.inputs for s in staging.of_type(SERVICE)}
    assert by_name["ecs-web"]["capacityProviderStrategies"] == [
        {"capacityProvider": cp_name, "weight": 1, "base": 0}
    ]
    assert by_name["ecs-batch"]["capacityProviderStrategies"] == [
        {"capacityProvider": "FARGATE", "weight": 1, "base": 1},
        {"capacityProvider": "FARGATE_SPOT", "weight": 4, "base": 0}]  # fmt: skip
    assert by_name["ecs-collector"]["launchType"] == "EXTERNAL"
    tasks = {t.name: t.inputs for t in staging.of_type(TASKDEF)}
    assert tasks["ecs-web-task"]["requiresCompatibilities"] == ["EC2"]
    assert tasks["ecs-web-task"]["runtimePlatform"]["cpuArchitecture"] == "ARM64"
    assert tasks["ecs-batch-task"]["requiresCompatibilities"] == ["FARGATE"]
    assert tasks["ecs-collector-task"]["requiresCompatibilities"] == ["EXTERNAL"]
    assert staging.one(ACTIVATION).inputs["registrationLimit"] == 5


def test_public_service_on_ec2_is_an_ip_target_like_on_fargate(staging: StackRun) -> None:
    tg = staging.one("aws:lb/targetGroup:TargetGroup").inputs
    assert (tg["targetType"], tg["port"]) == ("ip", 8080)
    assert staging.one(SERVICE, "ecs-web").ignore_changes == ["desiredCount"]


@pytest.mark.parametrize(
    ("launch_type", "expected"),
    [
        ("FARGATE", {"capacityProviderStrategies": [{"capacityProvider": "FARGATE", "weight": 1, "base": 0}]}),
        ("FARGATE_SPOT", {"capacityProviderStrategies": [{"capacityProvider": "FARGATE_SPOT", "weight": 1, "base": 0}]}),
        ("EC2", {"orderedPlacementStrategies": [{"type": "spread", "field": "attribute:ecs.availability-zone"},
                                                {"type": "binpack", "field": "memory"}]}),
        ("EXTERNAL", {"launchType": "EXTERNAL"}),
    ],
)  # fmt: skip
def test_every_launch_type_runs_the_real_program(launch_type: str, expected: dict[str, Any]) -> None:
    run = ok(run_program("dev", {"launchType": launch_type, "services": API}))
    svc = run.one(SERVICE).inputs
    assert {k: svc[k] for k in expected} == expected
    assert svc["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert run.exports["launchType"] == launch_type
    json.dumps(run.exports)
