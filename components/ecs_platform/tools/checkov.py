"""checkov on what the mock engine recorded: the stack rendered as a Terraform plan (pulumi-aws
is bridged from the Terraform provider, so its types and inputs are Terraform's renamed), and the
checkov findings the platform accepts, computed by our own replicas of those checks.

    venv/bin/python -m ecs_platform.tools.checkov prod > prod.tfplan.json
    checkov -f prod.tfplan.json --framework terraform_plan      # checkov in a venv of its own

checkov (bridgecrewio/checkov) is not a dependency: it pins a large tree of its own and calls
home at start. Its findings on the committed stacks were reviewed once (issue 21, checkov 3.3.30):
each one the platform keeps is a row of docs/security.md's "Accepted checkov findings" table, and
:func:`accepted_findings` computes the same findings from the recorded resources (replicas of the
checks' conditions), so tests/test_checkov.py keeps the table and the stacks equal: a change that
fixes or adds one of them must update the table.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Iterable
from typing import Any

from ecs_platform.tools.mock_cloud import Registration, StackRun, run_program

#: pulumi-aws type token -> Terraform resource type, for the types the platform registers.
TF = {
    "aws:appautoscaling/policy:Policy": "aws_appautoscaling_policy",
    "aws:appautoscaling/target:Target": "aws_appautoscaling_target",
    "aws:cloudwatch/logGroup:LogGroup": "aws_cloudwatch_log_group",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "aws_cloudwatch_metric_alarm",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "aws_default_security_group",
    "aws:ec2/eip:Eip": "aws_eip",
    "aws:ec2/flowLog:FlowLog": "aws_flow_log",
    "aws:ec2/networkInterface:NetworkInterface": "aws_network_interface",
    "aws:ec2/route:Route": "aws_route",
    "aws:ec2/securityGroup:SecurityGroup": "aws_security_group",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "aws_vpc_endpoint",
    "aws:ecs/cluster:Cluster": "aws_ecs_cluster",
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": "aws_ecs_cluster_capacity_providers",
    "aws:ecs/service:Service": "aws_ecs_service",
    "aws:ecs/taskDefinition:TaskDefinition": "aws_ecs_task_definition",
    "aws:efs/accessPoint:AccessPoint": "aws_efs_access_point",
    "aws:efs/backupPolicy:BackupPolicy": "aws_efs_backup_policy",
    "aws:efs/fileSystem:FileSystem": "aws_efs_file_system",
    "aws:efs/fileSystemPolicy:FileSystemPolicy": "aws_efs_file_system_policy",
    "aws:efs/mountTarget:MountTarget": "aws_efs_mount_target",
    "aws:iam/role:Role": "aws_iam_role",
    "aws:iam/rolePolicy:RolePolicy": "aws_iam_role_policy",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "aws_iam_role_policy_attachment",
    "aws:kms/key:Key": "aws_kms_key",
    "aws:lb/listener:Listener": "aws_lb_listener",
    "aws:lb/listenerRule:ListenerRule": "aws_lb_listener_rule",
    "aws:lb/loadBalancer:LoadBalancer": "aws_lb",
    "aws:lb/targetGroup:TargetGroup": "aws_lb_target_group",
    "aws:s3/bucket:Bucket": "aws_s3_bucket",
    "aws:s3/bucketV2:BucketV2": "aws_s3_bucket",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "aws_s3_bucket_lifecycle_configuration",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "aws_s3_bucket_ownership_controls",
    "aws:s3/bucketPolicy:BucketPolicy": "aws_s3_bucket_policy",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "aws_s3_bucket_public_access_block",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration":
        "aws_s3_bucket_server_side_encryption_configuration",
    "aws:servicediscovery/httpNamespace:HttpNamespace": "aws_service_discovery_http_namespace",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "aws_vpc_security_group_egress_rule",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "aws_vpc_security_group_ingress_rule",
    "aws:wafv2/webAcl:WebAcl": "aws_wafv2_web_acl",
    "aws:wafv2/webAclAssociation:WebAclAssociation": "aws_wafv2_web_acl_association",
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": "aws_wafv2_web_acl_logging_configuration",
    "aws:ecs/capacityProvider:CapacityProvider": "aws_ecs_capacity_provider",
    "aws:autoscaling/group:Group": "aws_autoscaling_group",
    "aws:ec2/launchTemplate:LaunchTemplate": "aws_launch_template",
    "aws:iam/instanceProfile:InstanceProfile": "aws_iam_instance_profile",
    "aws:sqs/queue:Queue": "aws_sqs_queue",
    "aws:scheduler/schedule:Schedule": "aws_scheduler_schedule",
    "aws:ssm/activation:Activation": "aws_ssm_activation",
    "aws:cloudwatch/eventRule:EventRule": "aws_cloudwatch_event_rule",
}
#: Pulumi properties whose Terraform name is not their snake case (blocks are singular there).
RENAMES = {"defaultActions": "default_action", "actions": "action", "conditions": "condition",
           "settings": "setting", "loadBalancers": "load_balancer",
           "capacityProviderStrategies": "capacity_provider_strategy",
           "orderedPlacementStrategies": "ordered_placement_strategy", "volumes": "volume", "rules": "rule",
           "subnetMappings": "subnet_mapping", "defaultCapacityProviderStrategies": "default_capacity_provider_strategy",
           "inlinePolicies": "inline_policy"}  # fmt: skip
#: Maps that are values, not blocks.
_MAPS = ("tags", "tags_all", "options", "variables")


def _snake(key: str) -> str:
    return RENAMES.get(key) or re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", key).lower()


def _values(value: Any, key: str = "") -> Any:
    """Terraform's spelling of a value: snake-case keys, nested blocks as lists of objects (pulumi
    flattens blocks of at most one item into an object)."""
    if isinstance(value, dict):
        out = {_snake(k): _values(v, _snake(k)) for k, v in value.items()}
        return out if key in _MAPS or not key else [out]
    if isinstance(value, list):
        return [_values(v, key) if not isinstance(v, dict) else _values(v, "")for v in value]
    return value


def address(reg: Registration) -> str:
    """The resource's Terraform address: ``aws_lb.ecs_lb``."""
    return f"{TF[reg.type]}.{re.sub(r'[^A-Za-z0-9_]', '_', reg.name)}"


def plan(run: StackRun) -> dict[str, Any]:
    """The recorded resources as a Terraform plan (JSON output format 1.2) that checkov's
    ``terraform_plan`` framework reads, with each property's dependencies as references (the
    edges of checkov's graph checks: a security group attached to a service, a WAF association)."""
    known = {r.urn: address(r) for r in run.resources if r.type in TF}
    resources, changes, config = [], [], []
    for r in run.resources:
        if r.type not in TF:
            continue
        addr, (kind, name) = known[r.urn], known[r.urn].split(".", 1)
        values = {_snake(k): _values(v, _snake(k)) for k, v in {**r.outputs, **r.inputs}.items()}
        head = {"address": addr, "mode": "managed", "type": kind, "name": name,
                "provider_name": "registry.terraform.io/hashicorp/aws"}  # fmt: skip
        resources.append({**head, "values": values})
        changes.append({**head, "change": {"actions": ["create"], "before": None, "after": values,
                                           "after_unknown": {}}})  # fmt: skip
        expressions = {}
        for prop, urns in (r.property_dependencies or {}).items():
            refs = [x for u in urns if u in known for x in (f"{known[u]}.id", known[u])]
            if refs:
                expressions[_snake(prop)] = {"references": refs}
        config.append({"address": addr, "mode": "managed", "type": kind, "name": name,
                       "provider_config_key": "aws", "expressions": expressions, "schema_version": 0})  # fmt: skip
    return {"format_version": "1.2", "terraform_version": "1.5.7",
            "planned_values": {"root_module": {"resources": resources}}, "resource_changes": changes,
            "configuration": {"root_module": {"resources": config}}}  # fmt: skip


# --- the findings the platform accepts, as our own replicas of checkov's checks --------------------


def _of(run: StackRun, *types: str) -> list[Registration]:
    return [r for r in run.resources if r.type in types]


def _deps(run: StackRun, reg: Registration, prop: str) -> list[Registration]:
    urns = set((reg.property_dependencies or {}).get(prop) or [])
    return [r for r in run.resources if r.urn in urns]


LOG_GROUP, LB, LISTENER = "aws:cloudwatch/logGroup:LogGroup", "aws:lb/loadBalancer:LoadBalancer", "aws:lb/listener:Listener"
BUCKET = "aws:s3/bucket:Bucket"


def _redirects(listener: Registration) -> bool:
    return any(a.get("type") == "redirect" and (a.get("redirect") or {}).get("protocol") == "HTTPS"
               for a in listener.inputs.get("defaultActions") or [])  # fmt: skip


def _plain_listeners(run: StackRun) -> list[Registration]:
    return [r for r in _of(run, LISTENER) if r.inputs.get("protocol", "HTTP") == "HTTP" and not _redirects(r)]


def _public_lbs(run: StackRun) -> list[Registration]:
    return [r for r in _of(run, LB) if not r.inputs.get("internal")]


def _waf_of(run: StackRun, lb: Registration) -> list[Registration]:
    return [acl for a in _of(run, "aws:wafv2/webAclAssociation:WebAclAssociation")
            if lb.urn in (a.property_dependencies or {}).get("resourceArn", []) for acl in _deps(run, a, "webAclArn")]


def _managed_groups(acl: Registration) -> set[str]:
    return {str(((rule.get("statement") or {}).get("managedRuleGroupStatement") or {}).get("name"))
            for rule in acl.inputs.get("rules") or []}


def _bucket_has(run: StackRun, bucket: Registration, typ: str) -> bool:
    return any(bucket.urn in (r.property_dependencies or {}).get("bucket", []) for r in _of(run, typ))


def _sse_kms(run: StackRun, bucket: Registration) -> bool:
    return any(bucket.urn in (r.property_dependencies or {}).get("bucket", [])
               and any(((rule.get("applyServerSideEncryptionByDefault") or {}).get("sseAlgorithm")) == "aws:kms"
                       for rule in r.inputs.get("rules") or [])
               for r in _of(run, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"))


def _world_on(rule: Registration, port: int) -> bool:
    i = rule.inputs
    return i.get("cidrIpv4") == "0.0.0.0/0" and int(i.get("fromPort", -1)) <= port <= int(i.get("toPort", -1))


#: checkov check id -> the resources it fails (our replica of its condition, on what the mock recorded).
CHECKS: dict[str, Callable[[StackRun], Iterable[Registration]]] = {
    # CloudWatch log groups: encrypted with a CMK; retention of a year or more.
    "CKV_AWS_158": lambda run: [r for r in _of(run, LOG_GROUP) if not r.inputs.get("kmsKeyId")],
    "CKV_AWS_338": lambda run: [r for r in _of(run, LOG_GROUP) if 0 < int(r.inputs.get("retentionInDays") or 0) < 365],
    # ECS Exec: sessions encrypted with a CMK.
    "CKV_AWS_224": lambda run: [r for r in _of(run, "aws:ecs/cluster:Cluster")
                                if not (((r.inputs.get("configuration") or {}).get("executeCommandConfiguration")
                                         or {}).get("kmsKeyId"))],
    # Load balancer: HTTPS listeners (or HTTP redirecting to HTTPS), TLS 1.2+, deletion protection,
    # access logs, WAF with the anonymous-IP and known-bad-inputs groups, TLS to the targets.
    "CKV_AWS_2": _plain_listeners,
    "CKV_AWS_103": _plain_listeners,
    "CKV2_AWS_20": lambda run: _public_lbs(run) if _plain_listeners(run) else [],
    "CKV_AWS_150": lambda run: [r for r in _of(run, LB) if r.inputs.get("enableDeletionProtection") is not True],
    "CKV_AWS_91": lambda run: [r for r in _of(run, LB) if not (r.inputs.get("accessLogs") or {}).get("enabled")],
    "CKV2_AWS_28": lambda run: [r for r in _public_lbs(run) if not _waf_of(run, r)],
    "CKV2_AWS_76": lambda run: [r for r in _public_lbs(run) for acl in _waf_of(run, r)
                                if not {"AWSManagedRulesAnonymousIpList",
                                        "AWSManagedRulesKnownBadInputsRuleSet"} <= _managed_groups(acl)],
    "CKV_AWS_378": lambda run: [r for r in _of(run, "aws:lb/targetGroup:TargetGroup")
                                if r.inputs.get("protocol") == "HTTP"],
    "CKV_AWS_260": lambda run: [r for r in _of(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
                                if _world_on(r, 80)],
    # Elastic IPs attached to an instance (the NAT instance's is on its network interface).
    "CKV2_AWS_19": lambda run: [r for r in _of(run, "aws:ec2/eip:Eip") if not r.inputs.get("instance")],
    # EFS encrypted with a CMK.
    "CKV_AWS_184": lambda run: [r for r in _of(run, "aws:efs/fileSystem:FileSystem") if not r.inputs.get("kmsKeyId")],
    # The access-log bucket: event notifications, access logging, versioning, replication, SSE-KMS.
    "CKV2_AWS_62": lambda run: [b for b in _of(run, BUCKET)
                                if not _bucket_has(run, b, "aws:s3/bucketNotification:BucketNotification")],
    "CKV_AWS_18": lambda run: [b for b in _of(run, BUCKET) if not _bucket_has(run, b, "aws:s3/bucketLogging:BucketLogging")
                               and not b.inputs.get("loggings")],
    "CKV_AWS_21": lambda run: [b for b in _of(run, BUCKET)
                               if not _bucket_has(run, b, "aws:s3/bucketVersioning:BucketVersioning")
                               and not (b.inputs.get("versioning") or {}).get("enabled")],
    "CKV_AWS_144": lambda run: [b for b in _of(run, BUCKET) if not _bucket_has(
        run, b, "aws:s3/bucketReplicationConfig:BucketReplicationConfig")],
    "CKV_AWS_145": lambda run: [b for b in _of(run, BUCKET) if not _sse_kms(run, b)],
}  # fmt: skip


def accepted_findings(run: StackRun) -> set[tuple[str, str]]:
    """(check id, Terraform address) of every accepted checkov finding the stack has."""
    return {(check, address(r)) for check, fails in CHECKS.items() for r in fails(run)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ecs_platform.tools.checkov", description=__doc__.splitlines()[0])
    parser.add_argument("stack", help="the stack file to render (Pulumi.<stack>.yaml)")
    args = parser.parse_args(argv)
    run = run_program(args.stack)
    if run.error is not None:
        print(run.error, file=sys.stderr)
        return 1
    json.dump(plan(run), sys.stdout, indent=1, sort_keys=True, default=str)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
