"""The components the provider serves to other languages, and what it adds to them.

A served component's inputs are its spec's fields (the same model, camelCase as in stack
config, read from the spec class) and its wiring arguments (read from its ``__init__``
signature, camelCase). What is declared here is only what the code cannot tell: each wiring
argument's description (with its default), the arguments left out (with why), the outputs,
and the type token the component registers (a test checks it against the registration).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ecs_platform.cluster import Cluster
from ecs_platform.ec2_capacity import Ec2Capacity
from ecs_platform.external import ExternalCapacity
from ecs_platform.job import Job
from ecs_platform.load_balancer import LoadBalancer
from ecs_platform.network import Network
from ecs_platform.platform import Platform
from ecs_platform.provider.shape import camel
from ecs_platform.service import Service
from ecs_platform.service.refs import LoadBalancerRef, NetworkLoadBalancerRef
from ecs_platform.specs import (
    ClusterSpec,
    Ec2Spec,
    ExternalSpec,
    JobSpec,
    LoadBalancerSpec,
    NetworkSpec,
    PlatformSpec,
    ServiceSpec,
    TaskSpec,
)
from ecs_platform.specs.base import Spec
from ecs_platform.task_definition import TaskDefinition


@dataclass(frozen=True)
class Out:
    """One output: its name in the schema, type (``string``, or ``array``/``map`` of strings),
    description, and how it is read from the component."""

    name: str
    type: str
    description: str
    get: Callable[[Any], Any]
    secret: bool = False


def attr(name: str) -> Callable[[Any], Any]:
    return lambda component: getattr(component, name, None)


@dataclass(frozen=True)
class Served:
    """One component served to other languages."""

    cls: type[Any]
    """The component class (a ``pulumi.ComponentResource``)."""
    token: str
    """The type token the component registers (``ecs-platform:<module>:<Type>``), unchanged."""
    spec: type[Spec]
    wiring: dict[str, str]
    """Python argument -> its description (stating its default)."""
    outputs: tuple[Out, ...]
    left_out: dict[str, str] = field(default_factory=dict)
    """Python argument -> why other languages do not get it."""
    renamed: dict[str, str] = field(default_factory=dict)
    """Python argument -> its input name, where its camelCase name is a spec field's."""
    alternatives: dict[str, dict[str, tuple[type, str]]] = field(default_factory=dict)
    """Python argument typed as a union of wiring types -> one input per type (the package schema has
    no union): input name -> (the type, its description). At most one of them may be given."""

    def input_name(self, arg: str) -> str:
        """The input a wiring argument is served as (``vpc_id`` -> ``vpcId``)."""
        return self.renamed.get(arg) or camel(arg)


# --- descriptions shared by several components ------------------------------------------------

_CONTEXT = ("The account, region and partition deployed to (`accountId`, `region`, `partition`). Plain values "
            "let every ARN of the wiring be checked against them before anything is registered. Default: looked "
            "up during the deployment (`getCallerIdentity`, `getRegion`, `getPartition`).")  # fmt: skip
_CLUSTER = ("The cluster it runs on: its ARN and the `ClusterSpec` its services follow (for a `Cluster` of this "
            "package: its `arn`, `execLogGroupArn`, `ec2CapacityProviderName`, "
            "`managedInstancesCapacityProviderName`, `managedInstancesCapacityProviderArn` and `kmsKeyArn` outputs "
            "and the spec it was given). Required.")  # fmt: skip
_VPC = "The VPC (`vpc-` and 8 or 17 hex digits). Required."
_SUBNETS = ("The private subnets the tasks spread over, one per zone: at least one, each once (`subnet-...`). "
            "Required.")  # fmt: skip
_VPC_CIDR = ("The VPC's (primary) CIDR block, which the tasks may send anything to (an IPv4 block, e.g. "
             "10.0.0.0/16). Default: looked up from `vpcId` (ec2:DescribeVpcs).")  # fmt: skip
_CONTAINER = ("The application container's name, which also names the tag, the log streams and the task family: "
              "1-255 letters, digits, `-` and `_`. Default: the resource's name.")  # fmt: skip
_INSTANCE_TAGS = "Tags for the instances and their volumes (tag key -> value). Default none."
_CLUSTER_NAME = "The ECS cluster's name (not its ARN). Required."
_DEPLOY_AFTER = ("resources of the same program a new task definition waits for (a runBefore Job's run): a "
                 "resource of another language's program cannot be handed over; `Platform` wires its runBefore "
                 "jobs to their services itself")  # fmt: skip


SERVED: tuple[Served, ...] = (
    Served(
        Platform, "ecs-platform:index:Platform", PlatformSpec,
        wiring={"aws_context": _CONTEXT},
        left_out={"context": "built by the provider from the program: its project and stack, its `aws:region` stack "
                             "config, and the region's zones and account looked up as `pulumi up` of this "
                             "repository does"},
        outputs=(
            Out("vpcId", "string", "The VPC.", lambda p: p.network.vpc_id),
            Out("privateSubnetIds", "array", "The private subnets, one per zone.", lambda p: p.network.private_subnet_ids),
            Out("clusterName", "string", "The ECS cluster's name.", lambda p: p.cluster.name),
            Out("clusterArn", "string", "The ECS cluster's ARN.", lambda p: p.cluster.arn),
            Out("services", "map", "Service -> its ECS service name.",
                lambda p: {n: s.service_name for n, s in p.services.items()}),
            Out("jobs", "map", "Job -> its task definition ARN.",
                lambda p: {n: j.task_definition_arn for n, j in p.jobs.items()}),
            Out("daemons", "map", "Daemon -> its ECS service (or Managed Daemon) name.",
                lambda p: {n: d.daemon_name for n, d in p.daemons.items()}),
            Out("urls", "map", "Public service -> its URL.", attr("urls")),
            Out("loadBalancerDnsName", "string", "The load balancer's DNS name (none without a public service).",
                lambda p: p.load_balancer.dns_name if p.load_balancer is not None else None),
        ),
    ),
    Served(
        Cluster, "ecs-platform:cluster:Cluster", ClusterSpec,
        wiring={
            "vpc_id": "The VPC of the EC2 capacity's instances; required when the spec has `ec2`. Default none.",
            "subnet_ids": "The private subnets the EC2 instances spread over, one per zone; required when the "
                          "spec has `ec2`. Default none.",
            "name_prefix": "Names the ECS Exec log group `/ecs/<prefix>/exec` and the EC2 capacity provider "
                           "`cp-<prefix>`. Default: Pulumi auto-names them.",
            "context": _CONTEXT,
            "instance_tags": _INSTANCE_TAGS,
        },
        outputs=(
            Out("arn", "string", "The cluster's ARN.", attr("arn")),
            Out("name", "string", "The cluster's name.", attr("name")),
            Out("execLogGroupName", "string", "The ECS Exec audit log group's name.", attr("exec_log_group_name")),
            Out("execLogGroupArn", "string", "The ECS Exec audit log group's ARN.", attr("exec_log_group_arn")),
            Out("ec2CapacityProviderName", "string", "The EC2 capacity provider (none without `ec2`).",
                attr("ec2_capacity_provider_name")),
            Out("managedInstancesCapacityProviderName", "string", "The Managed Instances capacity provider (none "
                "without `managedInstances`).", attr("managed_instances_capacity_provider_name")),
            Out("managedInstancesCapacityProviderArn", "string", "The Managed Instances capacity provider's ARN "
                "(none without `managedInstances`).", attr("managed_instances_capacity_provider_arn")),
            Out("kmsKeyArn", "string", "The KMS key its log groups use (none without `kmsKey`).", attr("kms_key_arn")),
        ),
    ),
    Served(
        Service, "ecs-platform:ecs:Service", ServiceSpec,
        wiring={
            "cluster": _CLUSTER,
            "vpc_id": _VPC,
            "subnet_ids": _SUBNETS,
            "vpc_cidr": _VPC_CIDR,
            "container_name": _CONTAINER + " It is the Service Connect discovery name too.",
            "route_priorities": "One listener rule priority (1..50000) per route, when services share a listener. "
                                "Default: each route's own priority, derived from the route alone.",
            "context": _CONTEXT,
            "service_connect": "The Cloud Map namespace the service joins (Service Connect), and the TLS between "
                               "its endpoints; required when the spec has `callers`. Default none. (The input "
                               "`serviceConnect` is the spec's: the proxy's protocol and timeouts.)",
            "lattice": "The VPC Lattice service network the service joins (its ARN, the region's Lattice prefix "
                       "list, the association's security group); required when the spec has `lattice`. Default "
                       "none. (The input `lattice` is the spec's: how the service is served on it.)",
        },
        left_out={"deploy_after": _DEPLOY_AFTER},
        renamed={"service_connect": "serviceConnectNamespace", "lattice": "latticeNetwork"},
        alternatives={"load_balancer": {
            "loadBalancer": (LoadBalancerRef, "The application load balancer a public HTTP service attaches to (its "
                             "listener, security group and ARN suffix). Required when the service is public with "
                             "`protocol: HTTP` (the default); not with `networkLoadBalancer`. Default none."),
            "networkLoadBalancer": (NetworkLoadBalancerRef, "The network load balancer a public TCP, UDP, TCP_UDP "
                                    "or TLS service attaches to (its ARN, security group and ARN suffix). Required "
                                    "when the service is public with such a `protocol`; not with `loadBalancer`. "
                                    "Default none."),
        }},
        outputs=(
            Out("serviceName", "string", "The ECS service's name.", attr("service_name")),
            Out("securityGroupId", "string", "The tasks' security group (none in `bridge` or `host` mode).",
                attr("security_group_id")),
            Out("taskDefinitionArn", "string", "The task definition's ARN.", attr("task_definition_arn")),
            Out("logGroupName", "string", "The log group's name.", attr("log_group_name")),
            Out("taskRoleArn", "string", "The task role's ARN.", attr("task_role_arn")),
            Out("executionRoleArn", "string", "The execution role's ARN.", attr("execution_role_arn")),
        ),
    ),
    Served(
        TaskDefinition, "ecs-platform:ecs:TaskDefinition", TaskSpec,
        wiring={
            "cluster": "The cluster whose defaults the spec leaves open (launch type, log retention). Required.",
            "execution_role_arn": "The execution role (pulls the image, writes the logs, reads the secrets): an IAM "
                                  "role ARN of the stack's partition, not the task role. Required.",
            "task_role_arn": "The role the containers act as: an IAM role ARN of the stack's partition. Required.",
            "region": "The AWS region the containers log to. Required.",
            "task_role_name": "The task role's name; required with a `logRouter` of the default output (the router "
                              "writes the log group with the task role). Default none.",
            "container_name": _CONTAINER,
            "family": "The task family. Default: Pulumi auto-names it.",
            "log_group_name": "The log group's name before a unique suffix. Default: Pulumi auto-names it.",
            "tags": "Tags for the task definition and its log group (tag key -> value). Default none.",
            "efs": "Volume name -> the file system and access point of each EFS volume of the spec. Default none.",
        },
        left_out={"deploy_after": _DEPLOY_AFTER},
        outputs=(
            Out("arn", "string", "The task definition's ARN.", attr("arn")),
            Out("family", "string", "The task family.", attr("family")),
            Out("logGroupName", "string", "The log group's name.", attr("log_group_name")),
            Out("containerName", "string", "The application container's name.", attr("container_name")),
        ),
    ),
    Served(
        Job, "ecs-platform:ecs:Job", JobSpec,
        wiring={
            "cluster": _CLUSTER,
            "vpc_id": _VPC,
            "subnet_ids": _SUBNETS,
            "vpc_cidr": _VPC_CIDR,
            "container_name": _CONTAINER,
            "context": _CONTEXT,
            "credentials": "The AWS provider's credential settings a `runBefore` run acts with (`profile`, keys, "
                           "`assumeRoles`). Default: the default credential chain.",
        },
        outputs=(
            Out("taskDefinitionArn", "string", "The task definition's ARN.", attr("task_definition_arn")),
            Out("logGroupName", "string", "The log group's name.", attr("log_group_name")),
            Out("runTaskCommand", "string", "The AWS CLI command that starts the job by hand.", attr("run_task_command")),
            Out("scheduleArn", "string", "The EventBridge Scheduler schedule (none without `schedule`).",
                attr("schedule_arn")),
            Out("securityGroupId", "string", "The task's security group (none in `bridge` or `host` mode).",
                attr("security_group_id")),
            Out("deadLetterQueueUrl", "string", "The queue of runs the scheduler could not start (none without "
                "`schedule`).", attr("dead_letter_queue_url")),
        ),
    ),
    Served(
        LoadBalancer, "ecs-platform:lb:LoadBalancer", LoadBalancerSpec,
        wiring={
            "vpc_id": _VPC,
            "subnet_ids": "One subnet per zone, at least 2 (an application load balancer needs two zones): the "
                          "public ones (internal: the private ones). Required.",
            "region": "The stack's region: it picks how access logs are delivered; a certificate must be in it. "
                      "Required.",
            "log_retention_days": "Days a created access-log bucket and the WAF log group keep logs (a retention "
                                  "CloudWatch Logs offers: 1, 3, 5, 7, 14, 30, ...). Default 90.",
            "log_kms_key_arn": "The KMS key the WAF log group is encrypted with. Default none (an AWS-owned key).",
            "retain_logs_on_delete": "Keep the WAF log group when the load balancer is destroyed. Default false.",
            "name_prefix": "Names the WAF log group `aws-waf-logs-<prefix>-<unique suffix>`. Default: the "
                           "resource's name.",
            "context": _CONTEXT,
            "test_ports": "A test listener on each port (1..65535, each once, not 80 or 443): the services' "
                          "`deployment.testPort`. Default none.",
            "test_ingress_cidrs": "Test port -> the IPv4 CIDR blocks its listener admits. Default: the VPC's own "
                                  "CIDR block.",
        },
        outputs=(
            Out("arn", "string", "The load balancer's ARN.", attr("arn")),
            Out("arnSuffix", "string", "The load balancer's ARN suffix (`app/<name>/<id>`).", attr("arn_suffix")),
            Out("dnsName", "string", "The load balancer's DNS name.", attr("dns_name")),
            Out("listenerArn", "string", "The listener services add their rules to.", attr("listener_arn")),
            Out("securityGroupId", "string", "The load balancer's security group.", attr("security_group_id")),
            Out("testListenerArns", "map", "Test port -> its listener's ARN.",
                lambda lb: {str(port): listener.arn for port, listener in lb.test_listeners.items()}),
        ),
    ),
    Served(
        Network, "ecs-platform:network:Network", NetworkSpec,
        wiring={
            "zones": "The zone names a created VPC spreads over, `azCount` of them, all of the stack's region "
                     "(keep existing zones first); ignored with `vpc`. Default none (required for a created VPC).",
            "context": _CONTEXT,
            "instance_tags": "Tags for a NAT instance and its volume (tag key -> value). Default none.",
        },
        outputs=(
            Out("vpcId", "string", "The VPC.", attr("vpc_id")),
            Out("vpcCidr", "string", "The VPC's (primary) CIDR block.", attr("vpc_cidr")),
            Out("publicSubnetIds", "array", "The public subnets, one per zone.", attr("public_subnet_ids")),
            Out("privateSubnetIds", "array", "The private subnets, one per zone.", attr("private_subnet_ids")),
            Out("privateRouteTableIds", "array", "The private route tables, one per zone (none for an adopted VPC).",
                attr("private_route_table_ids")),
        ),
    ),
    Served(
        Ec2Capacity, "ecs-platform:cluster:Ec2Capacity", Ec2Spec,
        wiring={
            "cluster_name": _CLUSTER_NAME,
            "vpc_id": _VPC,
            "subnet_ids": "The private subnets the instances spread over, one per zone. Required.",
            "context": _CONTEXT,
            "instance_tags": _INSTANCE_TAGS,
            "capacity_provider_name": "The capacity provider's name: unique in the account and region, 1-255 "
                                      "letters, digits, `-` and `_`, not starting with `aws`, `ecs` or `fargate`. "
                                      "Default `cp-<name>`.",
        },
        outputs=(
            Out("capacityProviderName", "string", "The capacity provider's name.", attr("capacity_provider_name")),
            Out("autoScalingGroupName", "string", "The Auto Scaling group's name.", attr("auto_scaling_group_name")),
            Out("securityGroupId", "string", "The instances' security group.", attr("security_group_id")),
        ),
    ),
    Served(
        ExternalCapacity, "ecs-platform:cluster:ExternalCapacity", ExternalSpec,
        wiring={"cluster_name": _CLUSTER_NAME, "context": _CONTEXT},
        outputs=(
            Out("roleName", "string", "The role registered machines use.", attr("role_name")),
            Out("activationId", "string", "The Systems Manager activation's id.", attr("activation_id")),
            Out("activationCode", "string", "The activation code (secret).", attr("activation_code"), secret=True),
            Out("registrationCommand", "string", "The command that registers a machine (secret).",
                attr("registration_command"), secret=True),
            Out("activationExpiry", "string", "When the activation stops registering machines (RFC 3339, UTC).",
                attr("activation_expiry")),
        ),
    ),
)

BY_TOKEN: dict[str, Served] = {s.token: s for s in SERVED}
