"""AWS's own contract: pulumi-aws passes container definitions through as free-form
JSON and IAM policies as strings, so a typo there would only fail at ``pulumi up``.
Here every task definition we produce is checked against the ECS API model
(botocore's service model, the machine form of AWS's API reference) and every
IAM policy document for shape and known actions."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import botocore.session
import pytest
from botocore.exceptions import UnknownServiceError
from botocore.model import Shape, StructureShape
from botocore.validate import ParamValidator

from ecs_platform.tools.mock_cloud import Registration, StackRun, run_program
from tests.conftest import stack_run

#: IAM actions of services botocore has no API model for (IAM-only services).
IAM_ONLY_ACTIONS = frozenset(
    {
        "ssmmessages:CreateControlChannel",
        "ssmmessages:CreateDataChannel",
        "ssmmessages:OpenControlChannel",
        "ssmmessages:OpenDataChannel",
        # EFS's NFS client permissions (IAM authorization at mount time), not API calls:
        # https://docs.aws.amazon.com/efs/latest/ug/iam-access-control-nfs-efs.html
        "elasticfilesystem:ClientMount",
        "elasticfilesystem:ClientWrite",
        # KMS's ReEncrypt operation is authorized by these two permissions, one on each key:
        # https://docs.aws.amazon.com/kms/latest/developerguide/kms-api-permissions-reference.html
        "kms:ReEncryptFrom",
        "kms:ReEncryptTo",
        # Calling a VPC Lattice service with IAM auth (no API operation: the data plane authorizes it):
        # https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonvpclatticeservices.html
        "vpc-lattice-svcs:Invoke",
    }
)
ACTION_RE = re.compile(r"^([a-z0-9-]+):([A-Za-z0-9*?]+)$")

def _shifting(strategy: str, **extra: Any) -> StackRun:
    return run_program("dev", {
        "loadBalancer": {"allowPlainHttp": True, "accessLogs": False},
        "services": {"web": {"image": "nginx", "user": "101", "port": 8080, "public": True, "deployment": {
            "strategy": strategy, "testPort": 8443, "testIngressCidrs": ["192.0.2.0/28"], "bakeMinutes": 5,
            "alarms": ["slo-burn"], **extra}}}})  # fmt: skip


#: TCP, UDP, TCP_UDP and TLS services next to an HTTP one (tests/test_aws_contract_traffic.py uses it too).
NLB_STACK: dict[str, Any] = {
    "loadBalancer": {"certificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"},
    "services": {
        "web": {"image": "nginx", "user": "101", "port": 8080, "public": True},
        "db": {"image": "postgres:17", "user": "999:999", "port": 5432, "public": True, "protocol": "TLS"},
        "mq": {"image": "rabbitmq", "user": "999", "port": 5672, "public": True, "protocol": "TCP"},
        "syslog": {"image": "syslog", "user": "1000", "port": 514, "public": True, "protocol": "UDP",
                   "targetHealthCheck": {"port": 8080}},
        "dns": {"image": "coredns", "user": "1000", "port": 53, "public": True, "protocol": "TCP_UDP",
                "targetHealthCheck": {"protocol": "HTTP", "port": 8080, "path": "/health"}}}}  # fmt: skip


PRIVATE_CA = "arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
#: A service on VPC Lattice, called by another and by a role outside the stack.
LATTICE_STACK: dict[str, Any] = {
    "lattice": {"serviceNetwork": "create"},
    "services": {
        "api": {"image": "nginx", "user": "101", "port": 8080, "callers": ["web"],
                "lattice": {"principals": ["arn:aws:iam::210987654321:role/reporting-task"]}},
        "web": {"image": "nginx", "user": "101", "port": 8000}}}  # fmt: skip


RUNS = {
    "dev": lambda: stack_run("dev"),
    "staging": lambda: stack_run("staging"),
    "prod": lambda: stack_run("prod"),
    "wordpress": lambda: stack_run("wordpress"),
    "ec2": lambda: run_program("prod", {"launchType": "EC2", "services": {
        "web": {"image": "nginx", "user": "101", "port": 8080, "public": True,
                "healthCheck": {"command": "true"}, "stopTimeout": 60},
        "jobs": {"image": "busybox", "user": "1000", "networkMode": "bridge", "writablePaths": ["/tmp", "/var/run"]}}}),
    "external": lambda: run_program("dev", {"launchType": "EXTERNAL", "services": {
        "agent": {"image": "busybox", "user": "1000", "port": 9000, "networkMode": "host",
                  "environment": {"MODE": "edge"}, "command": ["agent", "--serve"]}}}),
    "exec": lambda: run_program("dev", {"services": {"api": {
        "image": "nginx", "user": "1000", "exec": True, "readonlyRootFilesystem": False, "ephemeralStorageGiB": 40,
        "secrets": {"S": "arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf"},
        "permissions": [{"actions": ["s3:GetObject", "sqs:SendMessage"], "resources": ["arn:aws:s3:::b/*"]}]}}}),
    # Managed Instances with a Managed Daemon (issue 22), and daemons as DAEMON services on EC2 and
    # ECS Anywhere
    "managed": lambda: stack_run("managed"),
    "daemons": lambda: run_program("staging", {"daemons": {
        "otel": {"image": "otel/collector:0.1", "user": "10001", "launchType": "EC2", "exec": True,
                 "readonlyRootFilesystem": False},
        "edge": {"image": "otel/collector:0.1", "user": "10001", "launchType": "EXTERNAL"}}}),
    # ECS's native traffic-shifting deployments (issue 12), with alarms named in config
    "blueGreen": lambda: _shifting("blueGreen"),
    "linear": lambda: _shifting("linear", linear={"stepPercent": 50, "stepMinutes": 1}),
    "canary": lambda: _shifting("canary", canary={"percent": 12.5, "minutes": 3}),
    # EBS task volumes (issue 22), with the stack's key, and a pre-deploy job with one
    "ebs": lambda: run_program("dev", {"kmsKey": "create", "services": {"db": {
        "image": "postgres", "user": "999:999", "port": 5432, "volumes": {"data": {"ebs": {
            "sizeGiB": 100, "iops": 6000, "throughput": 250}}}, "mounts": {"/data": "data"}}},
        "jobs": {"migrate": {"image": "busybox", "user": "1000", "runBefore": ["db"],
                             "volumes": {"work": {"ebs": {"sizeGiB": 20, "type": "io2", "iops": 2000}}},
                             "mounts": {"/work": "work"}}}}),
    # Network load balancer services (issue 22): TLS and TCP_UDP with an HTTP health check on its own port
    "nlb": lambda: run_program("dev", NLB_STACK),
    # Service Connect TLS and proxy timeouts (issue 22), with the stack's key
    "serviceConnectTls": lambda: run_program("dev", {
        "kmsKey": "create", "serviceConnect": {"tls": {"privateCaArn": PRIVATE_CA}},
        "services": {"api": {"image": "nginx", "user": "101", "port": 8080, "callers": ["web"], "serviceConnect": {
            "appProtocol": "http", "perRequestTimeout": 30, "idleTimeout": 120}},
            "web": {"image": "nginx", "user": "101", "port": 8000}}}),
    # VPC Lattice (issue 22): a created service network, a service its caller reaches over Lattice
    "lattice": lambda: run_program("dev", LATTICE_STACK),
}  # fmt: skip


@pytest.fixture(scope="module", params=sorted(RUNS))
def run(request: pytest.FixtureRequest) -> StackRun:
    result: StackRun = RUNS[request.param]()
    assert result.error is None, result.error
    return result


@cache
def _model(service: str) -> Any:
    return botocore.session.get_session().get_service_model(service)


def register_task_definition_request(reg: Registration) -> dict[str, Any]:
    """The RegisterTaskDefinition call pulumi-aws makes for these inputs (its
    field names mapped to the API's where they differ)."""
    i = reg.inputs
    request: dict[str, Any] = {
        "family": i["family"],
        "containerDefinitions": json.loads(i["containerDefinitions"]),
        "requiresCompatibilities": i["requiresCompatibilities"],
        "networkMode": i["networkMode"],
        "cpu": i["cpu"],
        "memory": i["memory"],
        "executionRoleArn": reg.outputs.get("executionRoleArn", i.get("executionRoleArn")),
        "taskRoleArn": i.get("taskRoleArn"),
    }
    if "runtimePlatform" in i:
        request["runtimePlatform"] = i["runtimePlatform"]
    if "ephemeralStorage" in i:
        request["ephemeralStorage"] = {"sizeInGiB": i["ephemeralStorage"]["sizeInGib"]}
    if i.get("volumes"):
        request["volumes"] = [{"name": v["name"]} for v in i["volumes"]]
    if i.get("tags"):
        request["tags"] = [{"key": k, "value": v} for k, v in i["tags"].items()]
    return request


def enum_problems(value: Any, shape: Shape, path: str = "") -> list[str]:
    """botocore's validator checks types and required members; this adds enums."""
    out: list[str] = []
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        for key, member in shape.members.items():
            if key in value:
                out += enum_problems(value[key], member, f"{path}.{key}")
    elif shape.type_name == "list" and isinstance(value, list):
        for n, item in enumerate(value):
            out += enum_problems(item, shape.member, f"{path}[{n}]")
    elif shape.type_name == "map" and isinstance(value, dict):
        for key, item in value.items():
            out += enum_problems(item, shape.value, f"{path}.{key}")
    elif (enum := getattr(shape, "enum", None)) and value not in enum:
        out.append(f"{path}: {value!r} not in {enum}")
    return out


def validate_against_ecs_model(request: dict[str, Any]) -> list[str]:
    shape = _model("ecs").operation_model("RegisterTaskDefinition").input_shape
    report = ParamValidator().validate(request, shape)
    problems = [report.generate_report()] if report.has_errors() else []
    return problems + enum_problems(request, shape)


def test_every_task_definition_is_a_valid_register_task_definition_call(run: StackRun) -> None:
    tasks = run.of_type("aws:ecs/taskDefinition:TaskDefinition")
    assert tasks
    for task in tasks:
        assert validate_against_ecs_model(register_task_definition_request(task)) == [], task.name


def test_the_model_check_catches_a_typo_and_a_bad_enum() -> None:
    request = {
        "family": "f",
        "containerDefinitions": [
            {
                "name": "a",
                "image": "x",
                "readOnlyRootFilesystem": True,
                "logConfiguration": {"logDriver": "cloudwatch"},
            }
        ],
    }
    problems = validate_against_ecs_model(request)
    assert any(
        'Unknown parameter in containerDefinitions[0]: "readOnlyRootFilesystem"' in p for p in problems
    )
    assert any(
        p.startswith(".containerDefinitions[0].logConfiguration.logDriver: 'cloudwatch'") for p in problems
    )


# --- CreateService ------------------------------------------------------------------------------------


def create_service_request(reg: Registration) -> dict[str, Any]:
    """The CreateService call pulumi-aws makes for a service's deployment and load balancer inputs
    (the provider's field names mapped to the API's; minutes typed as strings there are integers
    in the API)."""
    i = reg.inputs
    request: dict[str, Any] = {"serviceName": reg.outputs["name"], "cluster": i["cluster"],
                               "taskDefinition": i["taskDefinition"]}  # fmt: skip
    for key in ("desiredCount", "schedulingStrategy", "launchType", "capacityProviderStrategy"):
        source = "capacityProviderStrategies" if key == "capacityProviderStrategy" else key
        if source in i:
            request[key] = i[source]
    deployment: dict[str, Any] = {"deploymentCircuitBreaker": i["deploymentCircuitBreaker"]}
    for key, source in (("maximumPercent", "deploymentMaximumPercent"),
                        ("minimumHealthyPercent", "deploymentMinimumHealthyPercent")):  # fmt: skip
        if source in i:
            deployment[key] = i[source]
    if "alarms" in i:
        deployment["alarms"] = i["alarms"]
    config = i.get("deploymentConfiguration") or {}
    if "strategy" in config:
        deployment["strategy"] = config["strategy"]
    if "bakeTimeInMinutes" in config:
        deployment["bakeTimeInMinutes"] = int(config["bakeTimeInMinutes"])
    if lin := config.get("linearConfiguration"):
        deployment["linearConfiguration"] = {"stepPercent": float(lin["stepPercent"]),
                                             "stepBakeTimeInMinutes": int(lin["stepBakeTimeInMinutes"])}  # fmt: skip
    if can := config.get("canaryConfiguration"):
        deployment["canaryConfiguration"] = {"canaryPercent": float(can["canaryPercent"]),
                                             "canaryBakeTimeInMinutes": int(can["canaryBakeTimeInMinutes"])}  # fmt: skip
    request["deploymentConfiguration"] = deployment
    if "loadBalancers" in i:
        request["loadBalancers"] = i["loadBalancers"]
    if i.get("healthCheckGracePeriodSeconds") is not None:
        request["healthCheckGracePeriodSeconds"] = i["healthCheckGracePeriodSeconds"]
    if connect := i.get("serviceConnectConfiguration"):
        request["serviceConnectConfiguration"] = _service_connect(connect)
    if volume := i.get("volumeConfiguration"):
        request["volumeConfigurations"] = [{"name": volume["name"],
                                            "managedEBSVolume": _managed_ebs(volume["managedEbsVolume"])}]
    if lattice := i.get("vpcLatticeConfigurations"):
        request["vpcLatticeConfigurations"] = lattice
    return request


def _service_connect(connect: dict[str, Any]) -> dict[str, Any]:
    """ServiceConnectConfiguration with the API's names: pulumi-aws's ``clientAlias`` is the API's
    ``clientAliases``, its ``issuerCertAuthority`` the API's ``issuerCertificateAuthority``."""
    out = {k: v for k, v in connect.items() if k != "services"}
    services = []
    for svc in connect.get("services") or []:
        item = {("clientAliases" if k == "clientAlias" else k): v for k, v in svc.items()}
        if tls := item.get("tls"):
            item["tls"] = {("issuerCertificateAuthority" if k == "issuerCertAuthority" else k): v for k, v in tls.items()}
        services.append(item)
    if services:
        out["services"] = services
    return out


#: pulumi-aws's names of ServiceManagedEBSVolumeConfiguration's members where they differ from the API's.
_EBS_NAMES = {"sizeInGb": "sizeInGiB", "fileSystemType": "filesystemType"}


def _managed_ebs(ebs: dict[str, Any]) -> dict[str, Any]:
    out = {_EBS_NAMES.get(k, k): v for k, v in ebs.items()}
    out["tagSpecifications"] = [
        {**{k: v for k, v in t.items() if k != "tags"},
         **({"tags": [{"key": k, "value": v} for k, v in t["tags"].items()]} if t.get("tags") else {})}
        for t in out.get("tagSpecifications", [])
    ]  # fmt: skip
    return out


#: What AWS's API reference documents and botocore's model does not carry (it has no numeric
#: bounds): API_DeploymentConfiguration, API_LinearConfiguration, API_CanaryConfiguration,
#: PutMetricAlarm's AlarmName.
def documented_bound_problems(request: dict[str, Any]) -> list[str]:
    d = request.get("deploymentConfiguration", {})
    out: list[str] = []

    def within(path: str, value: Any, lo: float, hi: float, tenths: bool = False) -> None:
        if value is None:
            return
        if not lo <= value <= hi or (tenths and abs(value * 10 - round(value * 10)) > 1e-9):
            out.append(f"{path}: {value} outside {lo}..{hi}{' in steps of 0.1' if tenths else ''}")

    within("bakeTimeInMinutes", d.get("bakeTimeInMinutes"), 0, 1440)
    lin, can = d.get("linearConfiguration", {}), d.get("canaryConfiguration", {})
    within("linearConfiguration.stepPercent", lin.get("stepPercent"), 3.0, 100.0, tenths=True)
    within("linearConfiguration.stepBakeTimeInMinutes", lin.get("stepBakeTimeInMinutes"), 0, 1440)
    within("canaryConfiguration.canaryPercent", can.get("canaryPercent"), 0.1, 100.0, tenths=True)
    within("canaryConfiguration.canaryBakeTimeInMinutes", can.get("canaryBakeTimeInMinutes"), 0, 1440)
    for name in d.get("alarms", {}).get("alarmNames", []):
        if not 1 <= len(name) <= 255:
            out.append(f"alarms.alarmNames: {name!r} is not 1..255 characters")
    strategy = d.get("strategy", "ROLLING")
    advanced = [lb.get("advancedConfiguration") for lb in request.get("loadBalancers", [])]
    if strategy != "ROLLING" and not all(advanced):
        out.append(f"strategy {strategy} without loadBalancers[].advancedConfiguration")
    if strategy == "ROLLING" and any(advanced):
        out.append("advancedConfiguration without a traffic-shifting strategy")
    if strategy == "LINEAR" and "linearConfiguration" not in d:
        out.append("LINEAR without linearConfiguration")
    if strategy == "CANARY" and "canaryConfiguration" not in d:
        out.append("CANARY without canaryConfiguration")
    return out


def validate_create_service(request: dict[str, Any]) -> list[str]:
    shape = _model("ecs").operation_model("CreateService").input_shape
    report = ParamValidator().validate(request, shape)
    problems = [report.generate_report()] if report.has_errors() else []
    return problems + enum_problems(request, shape) + documented_bound_problems(request)


def daemon_strategy_problems(request: dict[str, Any]) -> list[str]:
    """What the DAEMON scheduling strategy refuses (ecs_service-options.html: no desired count, no
    placement strategy; a capacity provider strategy is refused, aws/containers-roadmap#692), and
    what a REPLICA service needs (CreateService: desiredCount "is required if schedulingStrategy
    is REPLICA or isn't specified")."""
    if request.get("schedulingStrategy") != "DAEMON":
        return [] if "desiredCount" in request else ["REPLICA without desiredCount"]
    refused = ("desiredCount", "placementStrategy", "capacityProviderStrategy")
    out = [f"DAEMON with {key}" for key in refused if key in request]
    if request.get("launchType") not in ("EC2", "EXTERNAL"):
        out.append(f"DAEMON on launch type {request.get('launchType')!r}")
    return out


def test_every_service_is_a_valid_create_service_call(run: StackRun) -> None:
    services = run.of_type("aws:ecs/service:Service")
    assert services
    for svc in services:
        request = create_service_request(svc)
        assert validate_create_service(request) + daemon_strategy_problems(request) == [], svc.name


def test_the_daemon_check_catches_what_daemon_refuses() -> None:
    assert daemon_strategy_problems({"schedulingStrategy": "DAEMON", "desiredCount": 1, "launchType": "FARGATE",
                                     "capacityProviderStrategy": []}) == [
        "DAEMON with desiredCount", "DAEMON with capacityProviderStrategy", "DAEMON on launch type 'FARGATE'"]
    assert daemon_strategy_problems({"serviceName": "s"}) == ["REPLICA without desiredCount"]


# --- Managed Instances and Managed Daemons -----------------------------------------------------------

#: pulumi-aws's names of API members that differ (its casing of MiB, GiB and vCpu; its plurals).
_API_NAMES = {"vcpuCount": "vCpuCount", "memoryMib": "memoryMiB", "acceleratorTotalMemoryMib":
              "acceleratorTotalMemoryMiB", "storageSizeGib": "storageSizeGiB", "memoryGibPerVcpu": "memoryGiBPerVCpu",
              "commands": "command", "entryPoints": "entryPoint", "environments": "environment",
              "dependsOns": "dependsOn", "drops": "drop", "adds": "add"}  # fmt: skip


def api_names(value: Any, parent: str = "") -> Any:
    if isinstance(value, list):
        return [api_names(v, parent) for v in value]
    if not isinstance(value, dict) or parent == "options":
        return value
    return {_API_NAMES.get(k, k): api_names(v, k) for k, v in value.items()}


def validate_ecs_call(operation: str, request: dict[str, Any]) -> list[str]:
    shape = _model("ecs").operation_model(operation).input_shape
    report = ParamValidator().validate(request, shape)
    return ([report.generate_report()] if report.has_errors() else []) + enum_problems(request, shape)


def test_every_managed_instances_provider_is_a_valid_create_capacity_provider_call(run: StackRun) -> None:
    for cp in run.of_type("aws:ecs/capacityProvider:CapacityProvider"):
        if "managedInstancesProvider" not in cp.inputs:
            continue
        request = {"name": cp.inputs["name"], "cluster": cp.inputs["cluster"],
                   "managedInstancesProvider": api_names(cp.inputs["managedInstancesProvider"])}  # fmt: skip
        assert validate_ecs_call("CreateCapacityProvider", request) == [], cp.name


def test_every_daemon_is_a_valid_create_daemon_and_register_daemon_task_definition_call(run: StackRun) -> None:
    for td in run.of_type("aws:ecs/daemonTaskDefinition:DaemonTaskDefinition"):
        i = td.inputs
        keys: tuple[str, ...] = ("family", "cpu", "memory", "executionRoleArn", "taskRoleArn", "volumes")
        request: dict[str, Any] = {k: i[k] for k in keys if k in i}
        request["containerDefinitions"] = api_names(i["containerDefinitions"])
        request["tags"] = [{"key": k, "value": v} for k, v in (i.get("tags") or {}).items()]
        assert validate_ecs_call("RegisterDaemonTaskDefinition", request) == [], td.name
    for daemon in run.of_type("aws:ecs/daemon:Daemon"):
        i = daemon.inputs
        request = {"daemonName": daemon.outputs["name"], "clusterArn": i["clusterArn"],
                   "daemonTaskDefinitionArn": i["daemonTaskDefinitionArn"],
                   "capacityProviderArns": i["capacityProviderArns"], "propagateTags": i["propagateTags"],
                   "enableECSManagedTags": i["enableEcsManagedTags"], "enableExecuteCommand": i["enableExecuteCommand"]}  # fmt: skip
        assert validate_ecs_call("CreateDaemon", request) == [], daemon.name


def test_the_managed_instances_checks_catch_a_misspelt_member_and_a_bad_enum() -> None:
    provider = api_names({"infrastructureRoleArn": "r", "instanceLaunchTemplate": {
        "ec2InstanceProfileArn": "p", "networkConfiguration": {"subnets": ["s"]}, "monitoring": "FULL",
        "instanceRequirements": {"vcpuCount": {"min": 1}, "memoryMib": {"min": 1}, "cpuManufacturer": ["intel"]}}})
    found = validate_ecs_call("CreateCapacityProvider", {"name": "n", "managedInstancesProvider": provider})
    assert any('Unknown parameter in managedInstancesProvider.instanceLaunchTemplate.instanceRequirements: '
               '"cpuManufacturer"' in p for p in found)  # fmt: skip
    assert ".managedInstancesProvider.instanceLaunchTemplate.monitoring: 'FULL' not in ['BASIC', 'DETAILED']" in found
    daemon = validate_ecs_call("RegisterDaemonTaskDefinition", {"family": "f", "containerDefinitions": [
        {"name": "a", "image": "i", "portMappings": []}]})  # fmt: skip
    assert any('Unknown parameter in containerDefinitions[0]: "portMappings"' in p for p in daemon)


def test_the_create_service_check_catches_bad_strategies_bounds_and_shapes() -> None:
    request = {"serviceName": "s", "deploymentConfiguration": {
        "strategy": "BLUEGREEN", "bakeTimeInMinutes": 2000,
        "linearConfiguration": {"stepPercent": 2.5, "stepBakeTimeInMinutes": 1},
        "canaryConfiguration": {"canaryPercent": 5.05},
        "alarms": {"alarmNames": ["x" * 256], "enable": True}},
        "loadBalancers": [{"targetGroupArn": "t", "containerName": "c", "containerPort": 80,
                           "advancedConfiguration": {"alternateTargetGroupArn": "a", "roleArn": "r",
                                                     "testListenerRules": "x"}}]}  # fmt: skip
    problems = validate_create_service(request)
    assert any('Missing required parameter in deploymentConfiguration.alarms: "rollback"' in p for p in problems)
    assert any('Unknown parameter in loadBalancers[0].advancedConfiguration: "testListenerRules"' in p
               for p in problems)  # fmt: skip
    assert ".deploymentConfiguration.strategy: 'BLUEGREEN' not in ['ROLLING', 'BLUE_GREEN', 'LINEAR', 'CANARY']" in (
        problems)  # fmt: skip
    assert {p for p in problems if p.split(":")[0] in (
        "bakeTimeInMinutes", "linearConfiguration.stepPercent", "canaryConfiguration.canaryPercent",
        "alarms.alarmNames")} == {
        "bakeTimeInMinutes: 2000 outside 0..1440",
        "linearConfiguration.stepPercent: 2.5 outside 3.0..100.0 in steps of 0.1",
        "canaryConfiguration.canaryPercent: 5.05 outside 0.1..100.0 in steps of 0.1",
        f"alarms.alarmNames: {'x' * 256!r} is not 1..255 characters",
    }  # fmt: skip


def test_every_pre_deploy_run_is_a_valid_run_task_call(run: StackRun) -> None:
    from ecs_platform.predeploy import run_task_args

    shape = _model("ecs").operation_model("RunTask").input_shape
    for pre in [r for r in run.resources if r.type.endswith("PreDeployRun")]:
        request = run_task_args(pre.inputs)
        report = ParamValidator().validate(request, shape)
        assert not report.has_errors(), report.generate_report()
        assert enum_problems(request, shape) == [], pre.name


def test_the_create_service_check_catches_a_bad_volume_configuration() -> None:
    request = {"serviceName": "s", "volumeConfigurations": [{"name": "d", "managedEBSVolume": {
        "roleArn": "r", "sizeInGb": 10, "filesystemType": "zfs"}}]}  # fmt: skip
    problems = validate_create_service(request)
    assert any('Unknown parameter in volumeConfigurations[0].managedEBSVolume: "sizeInGb"' in p for p in problems)
    assert ".volumeConfigurations[0].managedEBSVolume.filesystemType: 'zfs' not in ['ext3', 'ext4', 'xfs', 'ntfs']" in (
        problems)  # fmt: skip


# --- IAM policy documents -------------------------------------------------------------------------------


def known_action(action: str) -> bool:
    match = ACTION_RE.match(action)
    if not match:
        return False
    prefix, name = match.groups()
    if action in IAM_ONLY_ACTIONS or "*" in name or "?" in name:
        return action in IAM_ONLY_ACTIONS or prefix in ("s3", "sqs", "logs")
    try:
        # The IAM prefix of ELB (both generations) is elasticloadbalancing; ALBs are botocore's elbv2.
        model = _model({"elasticloadbalancing": "elbv2"}.get(prefix, prefix))
    except UnknownServiceError:
        return False
    return name in model.operation_names


def document_problems(document: str, *, trust: bool = False) -> list[str]:
    doc = json.loads(document)
    out = [] if doc.get("Version") == "2012-10-17" else [f"Version {doc.get('Version')!r}"]
    statements = doc.get("Statement")
    if not isinstance(statements, list) or not statements:
        return [*out, "Statement is not a non-empty list"]
    for n, st in enumerate(statements):
        allowed = {"Sid", "Effect", "Action", "Resource", "Condition", "Principal"}
        out += [f"[{n}] unknown element {k}" for k in st if k not in allowed]
        if st.get("Effect") not in ("Allow", "Deny"):
            out.append(f"[{n}] Effect {st.get('Effect')!r}")
        if "Sid" in st and not re.fullmatch(r"[A-Za-z0-9]+", st["Sid"]):
            out.append(f"[{n}] Sid {st['Sid']!r} is not alphanumeric")
        actions = st.get("Action")
        for action in actions if isinstance(actions, list) else [actions]:
            if not (isinstance(action, str) and known_action(action)) and st.get("Effect") == "Allow":
                out.append(f"[{n}] unknown action {action!r}")
        if trust:
            if "Principal" not in st or "Resource" in st:
                out.append(f"[{n}] a trust policy names a Principal and no Resource")
        elif not st.get("Resource"):
            out.append(f"[{n}] no Resource")
    return out


def test_every_iam_policy_document_is_well_formed_with_known_actions(run: StackRun) -> None:
    docs = [(r.name, r.inputs["policy"], False) for r in run.of_type("aws:iam/rolePolicy:RolePolicy")]
    docs += [(r.name, r.inputs["policy"], False) for r in run.of_type("aws:s3/bucketPolicy:BucketPolicy")]
    docs += [(r.name, r.inputs["assumeRolePolicy"], True) for r in run.of_type("aws:iam/role:Role")]
    assert docs
    for name, document, trust in docs:
        assert document_problems(document, trust=trust) == [], name


def test_the_document_check_catches_unknown_actions_and_bad_shape() -> None:
    bad = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "x-1", "Effect": "Permit", "Action": ["s3:GetObjekt", "nosuchservice:Do"], "Resource": []}]})  # fmt: skip
    assert document_problems(bad) == [
        "[0] Effect 'Permit'",
        "[0] Sid 'x-1' is not alphanumeric",
        "[0] no Resource",
    ]
    allow = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObjekt", "nosuchservice:Do"], "Resource": "arn:aws:s3:::b"}]})  # fmt: skip
    assert document_problems(allow) == [
        "[0] unknown action 's3:GetObjekt'",
        "[0] unknown action 'nosuchservice:Do'",
    ]


def test_a_service_revision_records_the_load_balancers_but_not_the_deployment_configuration() -> None:
    # docs/deployments.md: a failed switch of strategy rolls back to the last service revision,
    # which brings back the load balancer settings and keeps the new deployment configuration.
    ecs = botocore.session.get_session().get_service_model("ecs")
    revision = ecs.shape_for("ServiceRevision").members
    assert "loadBalancers" in revision and "taskDefinition" in revision
    assert "advancedConfiguration" in ecs.shape_for("LoadBalancer").members
    assert "deploymentConfiguration" not in revision
    assert "deploymentConfiguration" in ecs.shape_for("UpdateServiceRequest").members
