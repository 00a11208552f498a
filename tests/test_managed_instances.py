"""ECS Managed Instances (issue 22): the model's rules, and what the real program registers through
the mock engine (the capacity provider, its two roles, the services and jobs placed on it), its
preview and its price."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ecs_platform import facts
from ecs_platform.errors import ConfigError
from ecs_platform.specs import ManagedInstancesSpec, PlatformSpec
from ecs_platform.tools.mock_cloud import StackRun, run_program
from ecs_platform.tools.preview import cost, report
from ecs_platform.tools.preview.cost import ec2_hourly, load_prices
from ecs_platform.tools.preview.instances import implied_instance_type
from tests.conftest import stack_run

CP = "aws:ecs/capacityProvider:CapacityProvider"
ROLE = "aws:iam/role:Role"
MI = {"launchType": "MANAGED_INSTANCES"}
API = {"image": "nginx:1.27", "user": "1000", "port": 8080}


def problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as exc:
        PlatformSpec.model_validate({"loadBalancer": {"allowPlainHttp": True}, **data})
    return exc.value.problems


@pytest.fixture(scope="module")
def managed() -> StackRun:
    return stack_run("managed")


# --- the model -------------------------------------------------------------------------------------


def test_managed_instances_are_offered_when_they_are_the_default_or_configured() -> None:
    assert "MANAGED_INSTANCES" in PlatformSpec.model_validate({**MI, "loadBalancer": {"allowPlainHttp": True}})\
        .offered_launch_types  # fmt: skip
    fargate = PlatformSpec.model_validate({"loadBalancer": {"allowPlainHttp": True}, "managedInstances": {}})
    assert fargate.offered_launch_types[-1] == "MANAGED_INSTANCES"
    assert "MANAGED_INSTANCES" not in PlatformSpec.model_validate(
        {"loadBalancer": {"allowPlainHttp": True}}).offered_launch_types  # fmt: skip


def test_a_service_on_managed_instances_needs_the_cluster_to_offer_them() -> None:
    assert problems({"services": {"api": {**API, "launchType": "MANAGED_INSTANCES"}}}) == [
        'PlatformSpec.services.api.launch_type: "MANAGED_INSTANCES" is not offered by this cluster (allowed: '
        "FARGATE, FARGATE_SPOT; add the `managedInstances` key to give the cluster that capacity)"]  # fmt: skip


def test_the_requirements_are_sent_in_aws_terms() -> None:
    spec = ManagedInstancesSpec.model_validate({
        "vcpu": {"min": 4}, "memoryMiB": {"min": 8192, "max": 65536}, "cpuManufacturers": ["intel", "amd"],
        "excludedInstanceTypes": ["m5.*"], "acceleratorCount": {"min": 1}, "acceleratorTypes": ["gpu"]})  # fmt: skip
    assert spec.instance_requirements() == {
        "vcpu_count": {"min": 4}, "memory_mib": {"min": 8192, "max": 65536}, "burstable_performance": "excluded",
        "cpu_manufacturers": ["intel", "amd"], "excluded_instance_types": ["m5.*"],
        "accelerator_count": {"min": 1}, "accelerator_types": ["gpu"]}  # fmt: skip
    assert spec.architectures == ("X86_64",)


@pytest.mark.parametrize(
    ("mi", "expected"),
    [({"vcpu": {"min": 8, "max": 4}}, "PlatformSpec.managed_instances.vcpu.high: 4 is below min 8 (allowed: min <= max)"),
     ({"memoryMiB": {"max": 4096}}, "PlatformSpec.managed_instances.memory_mib.low: missing"),
     ({"allowedInstanceTypes": ["m7g.*"], "excludedInstanceTypes": ["m7g.16xlarge"]},
      "PlatformSpec.managed_instances.excluded_instance_types: is set with allowedInstanceTypes (allowed: one of "
      "the two; AWS refuses both in one request)"),
     ({"allowedInstanceTypes": ["m7g large"]},
      'PlatformSpec.managed_instances.allowed_instance_types[0]: "m7g large" is not an instance type or pattern'),
     ({"cpuManufacturers": ["arm"]}, 'PlatformSpec.managed_instances.cpu_manufacturers[0]: "arm" is not allowed '
      "(allowed: intel, amd, amazon-web-services)"),
     ({"cpuManufacturers": ["amd", "amd"]},
      'PlatformSpec.managed_instances.cpu_manufacturers[1]: "amd" is already listed (allowed: each value once)'),
     ({"burstablePerformance": "sometimes"},
      'PlatformSpec.managed_instances.burstable_performance: "sometimes" is not allowed'),
     ({"capacityOptionType": "RESERVED"},
      'PlatformSpec.managed_instances.capacity_option_type: "RESERVED" is not allowed (allowed: ON_DEMAND, SPOT)'),
     ({"storageGiB": 0}, "PlatformSpec.managed_instances.storage_gib: 0 is out of range"),
     ({"monitoring": "detailed"}, 'PlatformSpec.managed_instances.monitoring: "detailed" is not allowed')],
)  # fmt: skip
def test_each_requirement_rule_names_the_key_and_what_is_allowed(mi: dict[str, Any], expected: str) -> None:
    found = problems({**MI, "managedInstances": mi})
    assert len(found) == 1 and found[0].startswith(expected), found


def test_a_task_must_fit_the_largest_instance_and_have_its_architecture() -> None:
    found = problems({**MI, "managedInstances": {"vcpu": {"min": 2, "max": 4}, "memoryMiB": {"min": 4096,
                      "max": 16384}, "cpuManufacturers": ["amazon-web-services"]},
                      "services": {"api": {**API, "cpu": 8192, "memory": 32768, "architecture": "X86_64"}}})  # fmt: skip
    assert found == [
        "PlatformSpec.services.api.cpu: 8192 does not fit the largest instance managedInstances.vcpu allows (4 vCPU "
        "= 4096 units) (allowed: up to 4096, or a higher vcpu.max)",
        "PlatformSpec.services.api.memory: 32768 does not fit the largest instance managedInstances.memoryMiB allows "
        "(16384 MiB) (allowed: up to 16384, or a higher memoryMiB.max)",
        'PlatformSpec.services.api.architecture: "X86_64" is not the architecture of managedInstances.cpuManufacturers '
        "amazon-web-services (allowed: ARM64, or add a manufacturer of X86_64 CPUs)",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("fields", "expected"),
    [({"networkMode": "bridge"}, 'PlatformSpec.services.api.network_mode: "bridge" is not allowed (allowed: awsvpc, '
      "host)"),
     ({"ephemeralStorageGiB": 40}, "PlatformSpec.services.api.ephemeral_storage_gib: is a Fargate-only setting, and "
      "this task runs on MANAGED_INSTANCES")],
)  # fmt: skip
def test_managed_instances_take_awsvpc_or_host_and_no_fargate_storage(fields: dict[str, Any], expected: str) -> None:
    found = problems({**MI, "services": {"api": {**API, **fields}}})
    assert len(found) == 1 and found[0].startswith(expected), found


def test_bad_managed_instances_config_registers_nothing() -> None:
    run = run_program("dev", {**MI, "managedInstances": {"vcpu": {"min": 4, "max": 2}}})
    assert isinstance(run.error, ConfigError) and run.resources == []
    assert run.error.problems == ["ecs-platform:managedInstances.vcpu.max: 2 is below min 4 (allowed: min <= max)"]


# --- through the mock engine -------------------------------------------------------------------------


def test_the_capacity_provider_belongs_to_the_cluster_and_launches_into_the_private_subnets(managed: StackRun) -> None:
    cp = managed.one(CP, "ecs-cluster-managed-cp")
    cluster = managed.one("aws:ecs/cluster:Cluster", "ecs-cluster")
    provider = cp.inputs["managedInstancesProvider"]
    template = provider["instanceLaunchTemplate"]
    assert cp.inputs["cluster"] == cluster.outputs["name"] and cp.inputs["name"] == "mi-ecs-platform-managed"
    vpc = managed.one("awsx:ec2:Vpc")
    assert template["networkConfiguration"]["subnets"] == vpc.outputs["privateSubnetIds"]
    assert template["instanceRequirements"] == {
        "vcpuCount": {"min": 2, "max": 8}, "memoryMib": {"min": 4096, "max": 32768},
        "cpuManufacturers": ["amazon-web-services"], "burstablePerformance": "excluded"}  # fmt: skip
    assert (template["storageConfiguration"], template["monitoring"], template["capacityOptionType"]) == (
        {"storageSizeGib": 50}, "BASIC", "ON_DEMAND")  # fmt: skip
    assert provider["propagateTags"] == "CAPACITY_PROVIDER"


def test_the_instances_security_group_admits_nothing(managed: StackRun) -> None:
    cp = managed.one(CP, "ecs-cluster-managed-cp")
    [sg_id] = cp.inputs["managedInstancesProvider"]["instanceLaunchTemplate"]["networkConfiguration"]["securityGroups"]
    ingress = [r for r in managed.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
               if r.inputs["securityGroupId"] == sg_id]  # fmt: skip
    assert ingress == []


def test_the_roles_have_aws_managed_policies_and_the_name_that_policy_passes(managed: StackRun) -> None:
    cp = managed.one(CP, "ecs-cluster-managed-cp").inputs["managedInstancesProvider"]
    infrastructure = managed.one(ROLE, "ecs-cluster-managed-infrastructure")
    instance = managed.one(ROLE, "ecs-cluster-managed-instance")
    profile = managed.one("aws:iam/instanceProfile:InstanceProfile", "ecs-cluster-managed-profile")
    assert cp["infrastructureRoleArn"] == infrastructure.outputs["arn"]
    assert cp["instanceLaunchTemplate"]["ec2InstanceProfileArn"] == profile.outputs["arn"]
    assert profile.inputs["role"] == instance.outputs["name"]
    assert instance.outputs["name"].startswith("ecsInstanceRole-ecs-platform-managed-")
    assert json.loads(infrastructure.inputs["assumeRolePolicy"])["Statement"] == [
        facts.trust_document("managed-instances-infrastructure", "123456789012", "us-east-1")["Statement"][0]]
    assert json.loads(instance.inputs["assumeRolePolicy"])["Statement"][0]["Principal"] == {
        "Service": "ec2.amazonaws.com"}  # fmt: skip
    attached = {r.inputs["role"]: r.inputs["policyArn"] for r in managed.of_type(
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment") if r.name.startswith("ecs-cluster-managed")}  # fmt: skip
    assert attached == {
        infrastructure.outputs["name"]: "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForManagedInstances",
        instance.outputs["name"]: "arn:aws:iam::aws:policy/AmazonECSInstanceRolePolicyForManagedInstances"}
    assert not [r for r in managed.of_type("aws:iam/rolePolicy:RolePolicy") if r.name.startswith("ecs-cluster")]


def test_the_instance_role_name_prefix_fits_iam() -> None:
    from ecs_platform.managed_instances import instance_role_prefix

    assert instance_role_prefix("p" * 60) == ("ecsInstanceRole-" + "p" * 60)[:38]
    assert instance_role_prefix(None) == "ecsInstanceRole-"


def test_services_place_on_the_provider_which_the_cluster_offers_by_default(managed: StackRun) -> None:
    attachment = managed.one("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders")
    assert attachment.inputs["capacityProviders"] == ["FARGATE", "FARGATE_SPOT", "mi-ecs-platform-managed"]
    assert attachment.inputs["defaultCapacityProviderStrategies"] == [
        {"capacityProvider": "mi-ecs-platform-managed", "weight": 1, "base": 0}]
    web = managed.one("aws:ecs/service:Service", "ecs-web")
    assert web.inputs["capacityProviderStrategies"] == [{"capacityProvider": "mi-ecs-platform-managed",
                                                         "weight": 1, "base": 0}]  # fmt: skip
    assert "platformVersion" not in web.inputs and "orderedPlacementStrategies" not in web.inputs
    assert "launchType" not in web.inputs
    task = managed.one("aws:ecs/taskDefinition:TaskDefinition", "ecs-web-task")
    assert task.inputs["requiresCompatibilities"] == ["MANAGED_INSTANCES"]
    assert task.inputs["runtimePlatform"]["cpuArchitecture"] == "ARM64"  # the Graviton-only requirements'
    assert task.inputs["networkMode"] == "awsvpc"


def test_a_job_runs_on_managed_instances_too() -> None:
    run = run_program("dev", {**MI, "jobs": {"nightly": {"image": "busybox:1.37", "user": "1000",
                                                         "schedule": "rate(1 day)"}}})  # fmt: skip
    assert run.error is None, run.error
    schedule = run.one("aws:scheduler/schedule:Schedule")
    assert schedule.inputs["target"]["ecsParameters"]["capacityProviderStrategies"] == [
        {"capacityProvider": "mi-ecs-platform-dev", "weight": 1, "base": 0}]


# --- preview and cost ---------------------------------------------------------------------------------


def test_the_preview_shows_what_ecs_may_launch(managed: StackRun) -> None:
    text = report.text(managed, None)
    assert ("Managed Instances: 2..8 vCPU, 4096..32768 MiB, CPUs amazon-web-services, burstable excluded; "
            "ON_DEMAND; 50 GiB for tasks; monitoring BASIC") in text  # fmt: skip


def test_the_cost_prices_the_cheapest_allowed_type_and_reports_the_fee_unpriced(managed: StackRun) -> None:
    est = cost.estimate(managed)
    [line] = [c for c in est.lines if c.item.startswith("Managed Instances")]
    prices = load_prices()["regions"]["us-east-1"]
    # web: 2 tasks of 0.5 vCPU / 1 GB, the daemon 0.25 vCPU / 0.5 GB per instance: one c6g.large
    assert line.detail.startswith("c6g.large x 1 (max 1)")
    assert line.desired == pytest.approx(730 * prices["ec2"]["on_demand_hourly"]["c6g.large"]
                                         + 50 * prices["ebs"]["gp3_gb_month"])  # fmt: skip
    assert not est.complete and est.as_dict()["totalMonthlyDesired"] is None
    assert any(p.startswith("ECS Managed Instances management fee of ecs-cluster-managed-cp") for p in est.problems)


@pytest.mark.parametrize(
    ("requirements", "expected"),
    [({"vcpuCount": {"min": 2, "max": 8}, "memoryMib": {"min": 4096}}, "c6g.large"),
     ({"vcpuCount": {"min": 2}, "memoryMib": {"min": 4096}, "cpuManufacturers": ["intel"]}, "c5.large"),
     ({"vcpuCount": {"min": 2}, "memoryMib": {"min": 4096}, "burstablePerformance": "included"}, "t4g.medium"),
     ({"vcpuCount": {"min": 4}, "memoryMib": {"min": 32768}, "allowedInstanceTypes": ["m7*"]}, "m7g.2xlarge"),
     ({"vcpuCount": {"min": 2}, "memoryMib": {"min": 4096}, "excludedInstanceTypes": ["c*", "m6g.*"]}, "m7g.large"),
     # GPUs asked for: the cheapest NVIDIA type of the built-in table with as many (g4dn: $0.526 an hour).
     ({"vcpuCount": {"min": 2}, "memoryMib": {"min": 4096}, "acceleratorCount": {"min": 1}}, "g4dn.xlarge"),
     ({"vcpuCount": {"min": 2}, "acceleratorTypes": ["gpu"], "acceleratorCount": {"min": 4}}, "g4dn.12xlarge"),
     ({"vcpuCount": {"min": 2}, "acceleratorManufacturers": ["nvidia"], "allowedInstanceTypes": ["g5.*"]},
      "g5.xlarge"),
     # Accelerators the table has none of, and GPU types whose CPU maker the table does not record.
     ({"vcpuCount": {"min": 2}, "acceleratorManufacturers": ["amd"]}, None),
     ({"vcpuCount": {"min": 2}, "acceleratorTypes": ["inference"]}, None),
     ({"vcpuCount": {"min": 2}, "acceleratorCount": {"min": 1}, "cpuManufacturers": ["intel"]}, None),
     # No GPU asked for: GPU types are left out, even where only they are big enough.
     ({"vcpuCount": {"min": 64}, "memoryMib": {"min": 4096}}, None)],
)  # fmt: skip
def test_the_implied_instance_type_meets_every_requirement(requirements: dict[str, Any], expected: str | None) -> None:
    prices = load_prices()["regions"]["us-east-1"]["ec2"]
    found = implied_instance_type(requirements, lambda t: ec2_hourly(t, prices))
    assert (found[0] if found else None) == expected


def test_unpriceable_requirements_are_reported_never_guessed() -> None:
    run = run_program("dev", {**MI, "managedInstances": {"acceleratorCount": {"min": 1},
                                                         "acceleratorManufacturers": ["amd"]}})  # fmt: skip
    assert run.error is None, run.error
    est = cost.estimate(run)
    assert not [c for c in est.lines if c.item.startswith("Managed Instances")]
    assert any("no price for the instances of Managed Instances" in p for p in est.problems)


def test_gpu_requirements_are_priced_with_the_cheapest_nvidia_type() -> None:
    run = run_program("dev", {**MI, "managedInstances": {"acceleratorCount": {"min": 1}, "acceleratorTypes": ["gpu"],
                                                         "vcpu": {"min": 4, "max": 64}}})  # fmt: skip
    assert run.error is None, run.error
    est = cost.estimate(run)
    [line] = [c for c in est.lines if c.item.startswith("Managed Instances")]
    assert line.detail.startswith("g4dn.xlarge x 1")
    prices = load_prices()["regions"]["us-east-1"]
    assert line.desired == pytest.approx(730 * prices["ec2"]["on_demand_hourly"]["g4dn.xlarge"]
                                         + 30 * prices["ebs"]["gp3_gb_month"])  # fmt: skip


def test_spot_managed_instances_are_priced_at_the_assumed_discount() -> None:
    on_demand = cost.estimate(run_program("dev", MI))
    spot = cost.estimate(run_program("dev", {**MI, "managedInstances": {"capacityOptionType": "SPOT"}}))
    [a] = [c for c in on_demand.lines if c.item.startswith("Managed Instances")]
    [b] = [c for c in spot.lines if c.item.startswith("Managed Instances")]
    rp = load_prices()["regions"]["us-east-1"]
    volume = 30 * rp["ebs"]["gp3_gb_month"]
    assert b.desired - volume == pytest.approx((a.desired - volume) * (1 - rp["ec2"]["spot_discount"]))


# --- the policy pack ---------------------------------------------------------------------------------


def test_termination_protection_is_asked_of_auto_scaling_groups_only() -> None:
    from ecs_platform.tools import policy_rules as rules

    rule = next(r for r in rules.RESOURCE_RULES if r.name == "ecs-19-termination-protection")
    assert rule.violations(CP, {"managedInstancesProvider": {"infrastructureRoleArn": "r"}}) == []
    assert rule.violations(CP, {"autoScalingGroupProvider": {}}) != []


def test_the_pack_catches_an_instance_role_the_infrastructure_role_may_not_pass(managed: StackRun) -> None:
    from ecs_platform.tools import policy_rules as rules
    from tests.test_policy import stack_args

    resources = stack_args(managed).resources
    rule = next(r for r in rules.STACK_RULES if r.name == "ecs-managed-instances-role-name")
    assert rule.violations(resources) == []
    profile = next(r for r in resources if r.resource_type == "aws:iam/instanceProfile:InstanceProfile"
                   and r.name == "ecs-cluster-managed-profile")  # fmt: skip
    profile.props = {**profile.props, "role": "MyStack-InstanceRole-ABC123"}
    [(message, urn)] = rule.violations(resources)
    assert urn == managed.one(CP, "ecs-cluster-managed-cp").urn
    assert message.startswith("the instances' role MyStack-InstanceRole-ABC123 does not start with ecsInstanceRole")
