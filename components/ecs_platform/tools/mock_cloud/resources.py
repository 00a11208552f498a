"""What AWS answers when a resource is created: ids, names and ARNs in AWS's formats, by
resource family."""

from __future__ import annotations

import uuid
from typing import Any

from ecs_platform.tools.mock_cloud.data import PARTITION
from ecs_platform.tools.mock_cloud.naming import autoname, autonamed_property, fake_hex


def aws_resource(
    typ: str, name: str, inputs: dict[str, Any], *, region: str, acct: str
) -> tuple[str, dict[str, Any]]:
    """The id and state AWS would give a new resource: its physical name (auto-named as Pulumi
    does), ARN and the attributes the program reads, in one account and region."""
    module = typ.split(":")[1].split("/")[0] if ":" in typ else ""
    kind = typ.rsplit(":", 1)[-1]
    prop = autonamed_property(typ)
    physical = inputs.get(prop or "name") or (autoname(typ, name, inputs) if prop else f"{name}-{fake_hex(name, n=7)}")
    state: dict[str, Any] = {**inputs}
    if prop:
        state[prop] = physical
    rid = physical
    arn: str | None = None

    if typ == "aws:ecs/cluster:Cluster":
        state["name"] = physical
        arn = rid = f"arn:{PARTITION}:ecs:{region}:{acct}:cluster/{physical}"
    elif typ == "aws:ecs/service:Service":
        state["name"] = physical
        cluster = str(inputs.get("cluster", "cluster")).rsplit("/", 1)[-1]
        arn = rid = f"arn:{PARTITION}:ecs:{region}:{acct}:service/{cluster}/{physical}"
    elif typ == "aws:ecs/taskDefinition:TaskDefinition":
        family = inputs.get("family", physical)
        state["revision"] = 1
        arn = f"arn:{PARTITION}:ecs:{region}:{acct}:task-definition/{family}:1"
        state["arnWithoutRevision"] = arn.rsplit(":", 1)[0]
        rid = family
    elif typ == "aws:ecs/daemonTaskDefinition:DaemonTaskDefinition":
        # arn:<partition>:ecs:<region>:<account>:daemon-task-definition/<family>:<revision> (the
        # provider's import example, pulumi-aws ecs/daemon_task_definition.py).
        family = inputs.get("family", physical)
        state["revision"] = 1
        arn = f"arn:{PARTITION}:ecs:{region}:{acct}:daemon-task-definition/{family}:1"
        rid = arn
    elif typ == "aws:ecs/daemon:Daemon":
        # arn:<partition>:ecs:<region>:<account>:daemon/<cluster name>/<daemon name> (pulumi-aws ecs/daemon.py).
        state["name"] = physical
        cluster = str(inputs.get("clusterArn", "cluster")).rsplit("/", 1)[-1]
        arn = rid = f"arn:{PARTITION}:ecs:{region}:{acct}:daemon/{cluster}/{physical}"
        state["status"] = "ACTIVE"
    elif typ == "aws:ecs/capacityProvider:CapacityProvider":
        if str(physical).lower().startswith(("aws", "ecs", "fargate")):
            # CreateCapacityProvider's own rule; the mock refuses what AWS refuses.
            raise ValueError(
                f"capacity provider name {physical!r} may not start with aws, ecs or fargate"
            )
        state["name"] = physical
        arn = f"arn:{PARTITION}:ecs:{region}:{acct}:capacity-provider/{physical}"
    elif typ == "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders":
        rid = str(inputs.get("clusterName"))
    elif typ == "aws:iam/role:Role":
        state["name"] = physical
        arn = f"arn:{PARTITION}:iam::{acct}:role/{physical}"
        state["uniqueId"] = "AROA" + fake_hex(name, n=17).upper()
    elif typ == "aws:iam/instanceProfile:InstanceProfile":
        state["name"] = physical
        arn = f"arn:{PARTITION}:iam::{acct}:instance-profile/{physical}"
    elif typ == "aws:iam/rolePolicy:RolePolicy":
        rid = f"{inputs.get('role')}:{physical}"
    elif typ == "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
        rid = f"{inputs.get('role')}-{fake_hex(name, n=8)}"
    elif typ == "aws:cloudwatch/logGroup:LogGroup":
        state["name"] = physical
        arn = f"arn:{PARTITION}:logs:{region}:{acct}:log-group:{physical}"
    elif typ == "aws:ec2/securityGroup:SecurityGroup":
        rid = "sg-" + fake_hex(name)
        state["name"] = physical
        arn = f"arn:{PARTITION}:ec2:{region}:{acct}:security-group/{rid}"
    elif typ in ("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
                 "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"):  # fmt: skip
        rid = "sgr-" + fake_hex(name)
        arn = f"arn:{PARTITION}:ec2:{region}:{acct}:security-group-rule/{rid}"
    elif typ == "aws:lb/loadBalancer:LoadBalancer":
        kind_word = "net" if inputs.get("loadBalancerType") == "network" else "app"
        suffix = f"{kind_word}/{physical}/{fake_hex(name, n=16)}"
        arn = rid = f"arn:{PARTITION}:elasticloadbalancing:{region}:{acct}:loadbalancer/{suffix}"
        state["arnSuffix"] = suffix
        scheme = "internal-" if inputs.get("internal") else ""
        state["dnsName"] = f"{scheme}{physical}-{fake_hex(name, n=9)}.{region}.elb.amazonaws.com"
        state["zoneId"] = "Z35SXDOTRQ7X7K"
    elif typ == "aws:lb/targetGroup:TargetGroup":
        suffix = f"targetgroup/{physical}/{fake_hex(name, n=16)}"
        arn = rid = f"arn:{PARTITION}:elasticloadbalancing:{region}:{acct}:{suffix}"
        state["arnSuffix"] = suffix
    elif typ in ("aws:lb/listener:Listener", "aws:lb/listenerRule:ListenerRule"):
        # ELB's formats: listener/app/<lb name>/<lb id>/<listener id> and
        # listener-rule/app/<lb name>/<lb id>/<listener id>/<rule id>.
        parent_arn, marker = (
            (str(inputs.get("loadBalancerArn") or ""), ":loadbalancer/")
            if kind == "Listener"
            else (str(inputs.get("listenerArn") or ""), ":listener/")
        )
        base = parent_arn.split(marker, 1)[1] if marker in parent_arn else f"app/unknown/{fake_hex(name, n=16)}"
        word = "listener" if kind == "Listener" else "listener-rule"
        arn = rid = f"arn:{PARTITION}:elasticloadbalancing:{region}:{acct}:{word}/{base}/{fake_hex(name, n=16)}"
    elif typ == "aws:s3/bucket:Bucket" or typ == "aws:s3/bucketV2:BucketV2":
        rid = physical
        arn = f"arn:{PARTITION}:s3:::{physical}"
        state["bucketDomainName"] = f"{physical}.s3.amazonaws.com"
    elif typ == "aws:ec2/launchTemplate:LaunchTemplate":
        rid = "lt-" + fake_hex(name)
        state["name"] = physical
        state["latestVersion"] = 1
        arn = f"arn:{PARTITION}:ec2:{region}:{acct}:launch-template/{rid}"
    elif typ in _EC2_ID_PREFIXES:  # network interfaces, Elastic IPs, VPC endpoints, routes
        rid = _EC2_ID_PREFIXES[typ] + fake_hex(name)
        if typ == "aws:ec2/eip:Eip":
            state.update(allocationId=rid, publicIp=f"203.0.113.{int(fake_hex(name, n=2), 16) % 254 + 1}")
    elif typ == "aws:autoscaling/group:Group":
        state["name"] = physical
        arn = (f"arn:{PARTITION}:autoscaling:{region}:{acct}:autoScalingGroup:"
               f"{fake_hex(name, n=8)}:autoScalingGroupName/{physical}")  # fmt: skip
    elif typ == "aws:ssm/activation:Activation":
        rid = (
            fake_hex(name, n=8)
            + "-"
            + fake_hex(name, "a", n=4)
            + "-"
            + fake_hex(name, "b", n=4)
            + "-"
            + fake_hex(name, "c", n=12)
        )
        state["activationCode"] = "PREVIEW" + fake_hex(name, "code", n=13)
    elif typ == "aws:kms/key:Key":
        rid = str(uuid.UUID(fake_hex(name, "key", n=32)))
        state["keyId"] = rid
        arn = f"arn:{PARTITION}:kms:{region}:{acct}:key/{rid}"
    elif typ == "aws:wafv2/webAcl:WebAcl":
        rid = str(uuid.UUID(fake_hex(name, "acl", n=32)))
        state["name"] = physical
        arn = f"arn:{PARTITION}:wafv2:{region}:{acct}:regional/webacl/{physical}/{rid}"
        state["capacity"] = 0
    elif typ == "aws:appautoscaling/target:Target":
        rid = str(inputs.get("resourceId"))
        arn = (
            f"arn:{PARTITION}:application-autoscaling:{region}:{acct}:scalable-target/{fake_hex(name, n=20)}"
        )
    elif typ == "aws:appautoscaling/policy:Policy":
        state["name"] = physical
        arn = (f"arn:{PARTITION}:autoscaling:{region}:{acct}:scalingPolicy:{fake_hex(name, n=8)}:"
               f"resource/{inputs.get('resourceId')}:policyName/{physical}")  # fmt: skip
    elif typ == "aws:sqs/queue:Queue":
        state["name"] = physical
        arn = f"arn:{PARTITION}:sqs:{region}:{acct}:{physical}"
        rid = state["url"] = f"https://sqs.{region}.amazonaws.com/{acct}/{physical}"
    elif typ == "aws:scheduler/schedule:Schedule":
        group = inputs.get("groupName") or "default"
        state["groupName"] = group
        rid = f"{group}/{physical}"
        arn = f"arn:{PARTITION}:scheduler:{region}:{acct}:schedule/{group}/{physical}"
    elif typ == "aws:efs/fileSystem:FileSystem":
        # EFS's own ids and ARNs (service elasticfilesystem, resource file-system/fs-<hex>):
        # https://docs.aws.amazon.com/efs/latest/ug/API_FileSystemDescription.html
        rid = "fs-" + fake_hex(name)
        arn = f"arn:{PARTITION}:elasticfilesystem:{region}:{acct}:file-system/{rid}"
    elif typ == "aws:efs/accessPoint:AccessPoint":
        rid = "fsap-" + fake_hex(name)
        arn = f"arn:{PARTITION}:elasticfilesystem:{region}:{acct}:access-point/{rid}"
    elif typ == "aws:efs/mountTarget:MountTarget":
        rid = "fsmt-" + fake_hex(name)
    elif typ == "aws:cloudwatch/metricAlarm:MetricAlarm":
        arn = f"arn:{PARTITION}:cloudwatch:{region}:{acct}:alarm:{physical}"
    elif typ == "aws:cloudwatch/eventRule:EventRule":
        arn = f"arn:{PARTITION}:events:{region}:{acct}:rule/{physical}"
    elif module == "vpclattice" and kind in _LATTICE_IDS:
        # VPC Lattice's ids and ARNs (<prefix>-<17 lowercase letters or digits>; a service's generated
        # domain <name>-<id>.<id>.vpc-lattice-svcs.<region>.on.aws).
        word, prefix = _LATTICE_IDS[kind]
        rid = f"{prefix}-{fake_hex(name, n=17)}"
        if word:
            arn = f"arn:{PARTITION}:vpc-lattice:{region}:{acct}:{word}/{rid}"
        if kind == "Service":
            state["dnsEntries"] = [{"domainName": f"{physical}-{rid[4:]}.{fake_hex(name, 'sn', n=7)}.vpc-lattice-svcs."
                                                  f"{region}.on.aws", "hostedZoneId": "Z0" + fake_hex(name, n=11).upper()}]
        if kind == "Listener":
            service = inputs.get("serviceIdentifier") or "svc-unknown"
            arn = f"arn:{PARTITION}:vpc-lattice:{region}:{acct}:service/{service}/listener/{rid}"
    elif typ == "aws:servicediscovery/httpNamespace:HttpNamespace":
        # Cloud Map names a namespace by its id, ns- and 16 characters (CreateHttpNamespace).
        rid = "ns-" + fake_hex(name, n=16)
        arn = f"arn:{PARTITION}:servicediscovery:{region}:{acct}:namespace/{rid}"
    elif typ.startswith("pulumi-python:dynamic"):
        # A dynamic resource (the pre-deploy run): its provider runs only in a real `pulumi up`,
        # so the mock answers with its inputs, as a preview would.
        rid = f"{name}-{fake_hex(name, n=8)}"
    else:
        arn = f"arn:{PARTITION}:{module}:{region}:{acct}:{kind.lower()}/{physical}"
    if arn is not None:
        state["arn"] = arn
    state.setdefault("id", rid)
    return rid, state


#: VPC Lattice resource kind -> (its ARN's resource word, or "" for none; its id prefix).
_LATTICE_IDS = {"ServiceNetwork": ("servicenetwork", "sn"), "Service": ("service", "svc"),
                "TargetGroup": ("targetgroup", "tg"), "Listener": ("", "listener"),
                "ServiceNetworkServiceAssociation": ("servicenetworkserviceassociation", "snsa"),
                "ServiceNetworkVpcAssociation": ("servicenetworkvpcassociation", "snva"),
                "AuthPolicy": ("", "ap")}  # fmt: skip
#: EC2's id prefixes of the resources the mock answers with an id only.
_EC2_ID_PREFIXES = {"aws:ec2/networkInterface:NetworkInterface": "eni-", "aws:ec2/eip:Eip": "eipalloc-",
                    "aws:ec2/vpcEndpoint:VpcEndpoint": "vpce-", "aws:ec2/route:Route": "r-"}  # fmt: skip
