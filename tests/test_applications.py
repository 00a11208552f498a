"""Real applications through the mock engine, on the committed stack files: several
containers per task, storage (EFS and scratch), service-to-service traffic."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ecs_platform.tools.mock_cloud import StackRun, run_program
from tests.conftest import containers, policy, stack_run

SERVICE = "aws:ecs/service:Service"
TASKDEF = "aws:ecs/taskDefinition:TaskDefinition"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
SG = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
FS = "aws:efs/fileSystem:FileSystem"
MOUNT_TARGET = "aws:efs/mountTarget:MountTarget"
ACCESS_POINT = "aws:efs/accessPoint:AccessPoint"
FS_POLICY = "aws:efs/fileSystemPolicy:FileSystemPolicy"
BACKUP = "aws:efs/backupPolicy:BackupPolicy"
NAMESPACE = "aws:servicediscovery/httpNamespace:HttpNamespace"


@pytest.fixture(scope="module")
def wordpress() -> StackRun:
    return stack_run("wordpress")


def by_name(run: StackRun, name: str) -> dict[str, Any]:
    task = run.one(TASKDEF, f"ecs-{name}-task")
    return {c["name"]: c for c in containers(task)}


# --- several containers per task ---------------------------------------------------------


def test_web_runs_its_sidecar_and_waits_for_it_and_for_volume_init(prod: StackRun) -> None:
    c = by_name(prod, "web")
    assert list(c) == ["web", "otel", "volume-init"]
    assert c["web"]["essential"] is True
    assert c["web"]["dependsOn"] == [
        {"containerName": "volume-init", "condition": "SUCCESS"},
        {"containerName": "otel", "condition": "START"},
    ]
    otel = c["otel"]
    assert otel["image"] == "public.ecr.aws/aws-observability/aws-otel-collector:v0.43.1"
    assert (otel["cpu"], otel["memory"], otel["essential"], otel["user"]) == (128, 256, False, "10001")
    assert otel["command"] == ["--config=/etc/ecs/ecs-xray.yaml"]  # traces only
    assert otel["readonlyRootFilesystem"] is True
    assert "dependsOn" not in otel  # it writes nowhere, so it need not wait for volume-init
    # Every container logs to the service's log group under its own stream prefix.
    assert {x["logConfiguration"]["options"]["awslogs-stream-prefix"] for x in c.values()} == set(c)
    assert len({x["logConfiguration"]["options"]["awslogs-group"] for x in c.values()}) == 1


def test_volume_init_opens_every_scratch_volume_and_nothing_else(prod: StackRun) -> None:
    init = by_name(prod, "api")["volume-init"]
    assert init["command"] == ["chmod", "1777", "/volumes/scratch-0"]
    assert init["linuxParameters"] == {"capabilities": {"add": [], "drop": ["ALL"]}}
    assert (init["user"], init["essential"], init["readonlyRootFilesystem"]) == ("0", False, True)
    assert "portMappings" not in init
    # The EFS volume is left alone: its access point owns it.
    assert [m["sourceVolume"] for m in init["mountPoints"]] == ["scratch-0"]


def test_a_task_without_scratch_writers_gets_no_volume_init() -> None:
    run = run_program("dev", {"services": {"app": {
        "image": "nginx", "user": "1000", "port": 8080, "public": True,
        "sidecars": {"agent": {"image": "busybox", "user": "2000", "essential": False}},
        "dependsOn": {"agent": "START"}}}})  # fmt: skip
    assert run.error is None, run.error
    assert list(by_name(run, "app")) == ["app", "agent"]
    assert by_name(run, "app")["app"]["dependsOn"] == [{"containerName": "agent", "condition": "START"}]


def test_only_non_root_writers_of_scratch_volumes_wait_for_volume_init() -> None:
    run = run_program("dev", {"services": {"app": {
        "image": "nginx", "user": "1000", "writablePaths": ["/tmp"],
        "sidecars": {"efs-only": {"image": "agent:1", "user": "1000", "mounts": {"/data": "data"}},
                     "reader": {"image": "agent:1", "user": "1000", "mounts": {"/tmp-copy": {"volume": "shared", "readOnly": True}}}},
        "volumes": {"data": {"efs": {"fileSystemId": "fs-0123456789abcdef0", "accessPointId": "fsap-0123456789abcdef0"}},
                    "shared": {"scratch": {}}},
        "mounts": {"/shared": "shared"}}}})  # fmt: skip
    assert run.error is None, run.error
    c = by_name(run, "app")
    assert c["app"]["dependsOn"] == [{"containerName": "volume-init", "condition": "SUCCESS"}]
    assert "dependsOn" not in c["efs-only"] and "dependsOn" not in c["reader"]
    assert c["volume-init"]["command"] == ["chmod", "1777", "/volumes/scratch-0", "/volumes/shared"]


def test_sidecars_share_scratch_volumes_and_init_containers_run_first() -> None:
    run = run_program("dev", {"services": {"app": {
        "image": "nginx", "user": "1000", "port": 8080, "public": True,
        "mounts": {"/shared": "shared"}, "volumes": {"shared": {"scratch": {}}},
        "dependsOn": {"migrate": "SUCCESS"},
        "sidecars": {"migrate": {"image": "migrate:1", "user": "1000", "essential": False,
                                 "entryPoint": ["/bin/migrate"], "command": ["up"],
                                 "mounts": {"/shared": {"volume": "shared", "readOnly": True}}}}}}})  # fmt: skip
    assert run.error is None, run.error
    task = run.one(TASKDEF, "ecs-app-task")
    assert task.inputs["volumes"] == [{"name": "shared"}]
    c = by_name(run, "app")
    assert c["app"]["mountPoints"] == [{"sourceVolume": "shared", "containerPath": "/shared", "readOnly": False}]
    assert c["migrate"]["mountPoints"] == [{"sourceVolume": "shared", "containerPath": "/shared", "readOnly": True}]
    assert (c["migrate"]["entryPoint"], c["migrate"]["command"]) == (["/bin/migrate"], ["up"])
    assert c["app"]["dependsOn"] == [
        {"containerName": "volume-init", "condition": "SUCCESS"},
        {"containerName": "migrate", "condition": "SUCCESS"},
    ]
    assert c["volume-init"]["command"] == ["chmod", "1777", "/volumes/shared"]


def test_secrets_of_sidecars_are_readable_by_the_execution_role_only_those() -> None:
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:agent/key-AbCdEf"
    run = run_program("dev", {"services": {"app": {
        "image": "nginx", "user": "1000",
        "sidecars": {"agent": {"image": "agent:1", "user": "1000", "secrets": {"AGENT_KEY": arn}}}}}})  # fmt: skip
    assert run.error is None, run.error
    statement = policy(run.one(ROLE_POLICY, "ecs-app-roles-execution-secrets").inputs["policy"])["Statement"]
    assert statement[0]["Resource"] == [arn, arn + "-??????"]
    assert by_name(run, "app")["agent"]["secrets"] == [{"name": "AGENT_KEY", "valueFrom": arn}]


KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def test_secrets_under_a_customer_managed_key_may_be_decrypted_only_through_their_service() -> None:
    # AWS's task execution role page: a secret under a custom KMS key needs kms:Decrypt on that key.
    sm = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-AbCdEf"
    ssm = "arn:aws:ssm:us-east-1:123456789012:parameter/app/key"
    run = run_program("dev", {"services": {"app": {
        "image": "nginx", "user": "1000", "secrets": {"DB": sm, "KEY": ssm}, "secretsKmsKeys": [KEY],
        "sidecars": {"agent": {"image": "agent:1", "user": "1000", "secrets": {"AGENT": sm}}}}}})  # fmt: skip
    assert run.error is None, run.error
    statements = policy(run.one(ROLE_POLICY, "ecs-app-roles-execution-secrets").inputs["policy"])["Statement"]
    decrypt = [st for st in statements if st["Action"] == ["kms:Decrypt"]]
    assert decrypt == [{"Sid": "DecryptSecrets", "Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": [KEY],
                        "Condition": {"StringEquals": {"kms:ViaService": [
                            "secretsmanager.us-east-1.amazonaws.com", "ssm.us-east-1.amazonaws.com"]}}}]  # fmt: skip
    # The task role, which the application's code uses, gets no key.
    assert all("kms:" not in json.dumps(r.inputs) for r in run.of_type(ROLE_POLICY) if "-task-" in r.name)


def test_a_key_is_decrypted_only_through_the_service_of_the_secrets_it_encrypts() -> None:
    ssm = "arn:aws:ssm:us-east-1:123456789012:parameter/app/key"
    run = run_program("dev", {"services": {"app": {"image": "nginx", "user": "1000", "secrets": {"KEY": ssm},
                                                   "secretsKmsKeys": [KEY]}}})  # fmt: skip
    assert run.error is None, run.error
    statements = policy(run.one(ROLE_POLICY, "ecs-app-roles-execution-secrets").inputs["policy"])["Statement"]
    assert statements[-1]["Condition"] == {"StringEquals": {"kms:ViaService": ["ssm.us-east-1.amazonaws.com"]}}


def test_without_a_named_key_the_execution_role_decrypts_nothing(prod: StackRun) -> None:
    for r in prod.of_type(ROLE_POLICY):
        if r.name.endswith("-execution-secrets"):
            assert "kms:" not in r.inputs["policy"]


# --- storage ----------------------------------------------------------------------------------


def test_an_efs_volume_is_encrypted_backed_up_tls_only_and_in_every_zone(prod: StackRun) -> None:
    fs = prod.one(FS, "ecs-api-uploads-fs")
    assert fs.inputs["encrypted"] is True
    assert prod.one(BACKUP).inputs["backupPolicy"] == {"status": "ENABLED"}
    targets = prod.of_type(MOUNT_TARGET)
    assert len(targets) == 3  # prod spreads over three zones: one mount target each
    assert len({t.inputs["subnetId"] for t in targets}) == 3
    sg = prod.one(SG, "ecs-api-uploads-sg")
    assert all(t.inputs["securityGroups"] == [sg.id] for t in targets)
    [deny] = policy(prod.one(FS_POLICY).inputs["policy"])["Statement"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_an_efs_volume_admits_nfs_only_from_the_service_that_mounts_it(prod: StackRun) -> None:
    sg = prod.one(SG, "ecs-api-uploads-sg")
    api = prod.one(SG, "ecs-api-sg")
    into = [r for r in prod.of_type(INGRESS) if r.inputs["securityGroupId"] == sg.id]
    assert [(r.inputs["referencedSecurityGroupId"], r.inputs["ipProtocol"], r.inputs["fromPort"],
             r.inputs["toPort"]) for r in into] == [(api.id, "tcp", 2049, 2049)]  # fmt: skip
    out = prod.one(EGRESS, "ecs-api-to-uploads")
    assert (out.inputs["securityGroupId"], out.inputs["referencedSecurityGroupId"]) == (api.id, sg.id)


def test_an_efs_volume_mounts_through_its_access_point_with_tls_and_iam(prod: StackRun) -> None:
    ap = prod.one(ACCESS_POINT, "ecs-api-uploads-ap")
    fs = prod.one(FS, "ecs-api-uploads-fs")
    assert ap.inputs["posixUser"] == {"uid": 101, "gid": 101}
    assert ap.inputs["rootDirectory"] == {
        "path": "/data", "creationInfo": {"ownerUid": 101, "ownerGid": 101, "permissions": "750"}}  # fmt: skip
    task = prod.one(TASKDEF, "ecs-api-task")
    efs = [v for v in task.inputs["volumes"] if "efsVolumeConfiguration" in v]
    assert efs == [{"name": "uploads", "efsVolumeConfiguration": {
        "fileSystemId": fs.id, "transitEncryption": "ENABLED",
        "authorizationConfig": {"accessPointId": ap.id, "iam": "ENABLED"}}}]  # fmt: skip
    mounts = by_name(prod, "api")["api"]["mountPoints"]
    assert {"sourceVolume": "uploads", "containerPath": "/usr/share/nginx/html/uploads", "readOnly": False} in mounts


def test_the_task_role_may_mount_and_write_exactly_through_that_access_point(prod: StackRun) -> None:
    ap = prod.one(ACCESS_POINT, "ecs-api-uploads-ap")
    fs = prod.one(FS, "ecs-api-uploads-fs")
    [grant] = policy(prod.one(ROLE_POLICY, "ecs-api-roles-task-policy").inputs["policy"])["Statement"]
    assert grant == {
        "Sid": "Efs0", "Effect": "Allow",
        "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
        "Resource": fs.outputs["arn"],
        "Condition": {"ArnEquals": {"elasticfilesystem:AccessPointArn": ap.outputs["arn"]}},
    }  # fmt: skip


def test_a_read_only_adopted_efs_volume_creates_nothing_and_grants_mount_only() -> None:
    run = run_program("dev", {"services": {"app": {
        "image": "nginx", "user": "1000",
        "mounts": {"/data": {"volume": "data", "readOnly": True}},
        "volumes": {"data": {"efs": {"fileSystemId": "fs-0123456789abcdef0",
                                     "accessPointId": "fsap-0123456789abcdef0"}}}}}})  # fmt: skip
    assert run.error is None, run.error
    assert not run.of_type(FS) and not run.of_type(MOUNT_TARGET) and not run.of_type(ACCESS_POINT)
    [grant] = policy(run.one(ROLE_POLICY, "ecs-app-roles-task-policy").inputs["policy"])["Statement"]
    assert grant["Action"] == ["elasticfilesystem:ClientMount"]
    assert grant["Resource"] == "arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-0123456789abcdef0"
    assert grant["Condition"] == {"ArnEquals": {"elasticfilesystem:AccessPointArn":
        "arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/fsap-0123456789abcdef0"}}  # fmt: skip


def test_wordpress_shares_its_site_on_efs_as_www_data(wordpress: StackRun) -> None:
    ap = wordpress.one(ACCESS_POINT)
    assert ap.inputs["posixUser"] == {"uid": 33, "gid": 33}
    wp = by_name(wordpress, "wordpress")["wordpress"]
    assert wp["mountPoints"] == [{"sourceVolume": "site", "containerPath": "/var/www/html", "readOnly": False}]
    assert wp["secrets"][0]["name"] == "WORDPRESS_DB_PASSWORD"
    task = wordpress.one(TASKDEF)
    assert task.inputs["tags"]["ecs-platform:waiver:ECS.20"].startswith("official wordpress image")
    assert len(wordpress.of_type(MOUNT_TARGET)) == 2


# --- service to service -----------------------------------------------------------------------


def test_one_namespace_per_stack_and_the_pair_joins_it(prod: StackRun) -> None:
    ns = prod.one(NAMESPACE)
    assert ns.inputs["name"] == "ecs-platform-prod"
    services = {s.name: s.inputs for s in prod.of_type(SERVICE)}
    api = services["ecs-api"]["serviceConnectConfiguration"]
    assert api["enabled"] is True and api["namespace"] == ns.outputs["arn"]
    assert api["services"] == [{"portName": "api-8080", "discoveryName": "api",
                                "clientAlias": [{"port": 8080, "dnsName": "api"}]}]  # fmt: skip
    assert api["logConfiguration"]["logDriver"] == "awslogs"
    web = services["ecs-web"]["serviceConnectConfiguration"]
    assert web["enabled"] is True and web["namespace"] == ns.outputs["arn"] and "services" not in web
    # The worker neither calls nor is called: it stays out.
    assert "serviceConnectConfiguration" not in services["ecs-worker"]
    # The port mapping Service Connect names exists in api's task definition.
    assert by_name(prod, "api")["api"]["portMappings"][0]["name"] == "api-8080"


def test_the_callee_admits_exactly_its_callers_on_its_port(prod: StackRun) -> None:
    api = prod.one(SG, "ecs-api-sg")
    web = prod.one(SG, "ecs-web-sg")
    into_api = [r.inputs for r in prod.of_type(INGRESS) if r.inputs["securityGroupId"] == api.id]
    assert [(r.get("referencedSecurityGroupId"), r.get("cidrIpv4"), r["ipProtocol"], r["fromPort"], r["toPort"])
            for r in into_api] == [(web.id, None, "tcp", 8080, 8080)]  # fmt: skip
    out = prod.one(EGRESS, "ecs-api-from-web-egress").inputs
    assert (out["securityGroupId"], out["referencedSecurityGroupId"], out["fromPort"]) == (web.id, api.id, 8080)
    # Nobody else reaches api: the worker's group appears in no rule towards it.
    worker = prod.one(SG, "ecs-worker-sg")
    assert not [r for r in prod.of_type(INGRESS) if r.inputs.get("referencedSecurityGroupId") == worker.id]


def test_dev_and_staging_have_no_namespace() -> None:
    for stack in ("dev", "staging"):
        assert not stack_run(stack).of_type(NAMESPACE)
