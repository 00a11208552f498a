# The programs pass wrong types on purpose.
# mypy: disable-error-code="arg-type,dict-item"
"""Small hostile programs: each embeds the components the way docs/embedding.md shows, on its own
VPC, subnets and cluster, with one bad argument (issue 29). Each is refused cleanly: a
ConfigError (no traceback) whose problem names the key path and what is allowed, and

* for input known up front, nothing registered at all;
* for an Output, checked once known, nothing registered that uses the value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pulumi
import pytest

from ecs_platform import (
    AwsContext,
    Cluster,
    ClusterRef,
    ClusterSpec,
    Daemon,
    DaemonSpec,
    Ec2Capacity,
    Ec2Spec,
    EfsSpec,
    ExternalCapacity,
    ExternalSpec,
    HealthCheckSpec,
    Job,
    JobSpec,
    LatticeRef,
    LoadBalancer,
    LoadBalancerRef,
    LoadBalancerSpec,
    ManagedInstancesCapacity,
    ManagedInstancesSpec,
    MountSpec,
    Network,
    NetworkLoadBalancerRef,
    NetworkSpec,
    PermissionSpec,
    Platform,
    PlatformSpec,
    Service,
    ServiceConnectRef,
    ServiceSpec,
    SidecarSpec,
    StackContext,
    TaskDefinition,
    TaskSpec,
    VolumeSpec,
)
from ecs_platform.egress import NatInstance, VpcEndpoints
from ecs_platform.errors import ConfigError
from ecs_platform.iam import SharedTaskRoles
from ecs_platform.storage import EfsVolume
from ecs_platform.tools.mock_cloud import run_program

CONFIG = {"aws:region": "us-east-1"}
ACCOUNT = "123456789012"
CLUSTER_ARN = f"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/shop"
VPC = "vpc-0123456789abcdef0"
SUBNETS = ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"]
SG = "sg-0123456789abcdef0"
LB_SUFFIX = "app/shop/50dc6c495c0c9188"
LB_ARN = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:loadbalancer/{LB_SUFFIX}"
LISTENER = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:listener/{LB_SUFFIX}/f2f7dc8efc522ab2"
ROLE_E, ROLE_T = f"arn:aws:iam::{ACCOUNT}:role/shop-execution", f"arn:aws:iam::{ACCOUNT}:role/shop-task"
NAMESPACE = f"arn:aws:servicediscovery:us-east-1:{ACCOUNT}:namespace/ns-0123456789abcdef"
CERT = f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
SECRET = f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/shop/db-url"
CTX = AwsContext(ACCOUNT, "us-east-1")


def out(value: Any) -> pulumi.Output[Any]:
    """An Output of ``value`` (made inside the program, where Outputs belong)."""
    return pulumi.Output.from_input(value)


def spec(**changes: Any) -> ServiceSpec:
    return ServiceSpec(**{"image": "public.ecr.aws/nginx/nginx:1.27", "user": "1000", "port": 8080, **changes})


def job_spec(**changes: Any) -> JobSpec:
    return JobSpec(**{"image": "public.ecr.aws/docker/library/busybox:1.37", "user": "1000", **changes})


def ref(**changes: Any) -> ClusterRef:
    return ClusterRef(**{"arn": CLUSTER_ARN, **changes})


def service(svc: Any = None, name: str = "api", **wiring: Any) -> Service:
    svc = spec() if svc is None else svc
    return Service(name, svc, **{"cluster": ref(), "vpc_id": VPC, "subnet_ids": SUBNETS, **wiring})


def public(**wiring: Any) -> Service:
    lb = LoadBalancerRef(listener_arn=LISTENER, security_group_id=SG, arn_suffix=LB_SUFFIX)
    return service(spec(public=True), **{"load_balancer": lb, **wiring})


def job(js: Any = None, name: str = "report", **wiring: Any) -> Job:
    js = job_spec() if js is None else js
    return Job(name, js, **{"cluster": ref(), "vpc_id": VPC, "subnet_ids": SUBNETS, **wiring})


def task_definition(ts: Any = None, name: str = "batch", **wiring: Any) -> TaskDefinition:
    ts = TaskSpec(image="busybox:1.37", user="1000") if ts is None else ts
    return TaskDefinition(name, ts, **{"cluster": ref(), "execution_role_arn": ROLE_E, "task_role_arn": ROLE_T,
                                       "region": "us-east-1", **wiring})  # fmt: skip


def load_balancer(lbs: Any = None, name: str = "edge", **wiring: Any) -> LoadBalancer:
    lbs = LoadBalancerSpec(certificate_arn=CERT, access_logs=False) if lbs is None else lbs
    return LoadBalancer(name, lbs, **{"vpc_id": VPC, "subnet_ids": SUBNETS, "region": "us-east-1", **wiring})


def platform_spec() -> PlatformSpec:
    return PlatformSpec(services={"web": spec()})


def network(zones: Any = ("us-east-1a", "us-east-1b"), **wiring: Any) -> Network:
    return Network("net", NetworkSpec(az_count=2), **{"zones": zones, "context": CTX, **wiring})


@dataclass(frozen=True)
class Case:
    """A hostile program: what it builds, the problem it must get (its start), and, for a value
    known only during the deployment, the resource types that must not be registered."""

    name: str
    build: Callable[[], Any]
    problem: str
    not_registered: tuple[str, ...] = ()

    @property
    def deferred(self) -> bool:
        return bool(self.not_registered)


TD = "aws:ecs/taskDefinition:TaskDefinition"
ECS_SERVICE = "aws:ecs/service:Service"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
LISTENER_RULE = "aws:lb/listenerRule:ListenerRule"
HTTPS = "aws:lb/listener:Listener"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
VPC_TYPE = "awsx:ec2:Vpc"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"

LONG = "a" * 57
OUTPUT_TEXT = "is a pulumi.Output, and this field takes a plain value known before the deployment"


# --- Outputs where a plain value is required ----------------------------------------------------

PLAIN_REQUIRED = [
    Case("container name", lambda: service(container_name=out("web")), f"Service.container_name: {OUTPUT_TEXT}"),
    Case("route priority in a list", lambda: public(route_priorities=[out(10)]),
         f"Service.route_priorities[0]: {OUTPUT_TEXT}"),
    Case("route priorities", lambda: public(route_priorities=out([10])), f"Service.route_priorities: {OUTPUT_TEXT}"),
    Case("cluster name prefix", lambda: service(cluster=ref(name_prefix=out("shop"))),
         f"Service.cluster.name_prefix: {OUTPUT_TEXT}"),
    Case("cluster component name prefix", lambda: Cluster("c", ClusterSpec(), name_prefix=out("shop")),
         f"Cluster.name_prefix: {OUTPUT_TEXT}"),
    Case("task family", lambda: task_definition(family=out("batch")), f"TaskDefinition.family: {OUTPUT_TEXT}"),
    Case("log group name", lambda: task_definition(log_group_name=out("/ecs/batch")),
         f"TaskDefinition.log_group_name: {OUTPUT_TEXT}"),
    Case("task container name", lambda: task_definition(container_name=out("batch")),
         f"TaskDefinition.container_name: {OUTPUT_TEXT}"),
    Case("task tags", lambda: task_definition(tags={"team": out("shop")}), f"TaskDefinition.tags.team: {OUTPUT_TEXT}"),
    Case("job container name", lambda: job(container_name=out("report")), f"Job.container_name: {OUTPUT_TEXT}"),
    Case("test port in a list", lambda: load_balancer(test_ports=[out(8443)]), f"LoadBalancer.test_ports[0]: {OUTPUT_TEXT}"),
    Case("test ports", lambda: load_balancer(test_ports=out([8443])), f"LoadBalancer.test_ports: {OUTPUT_TEXT}"),
    Case("load balancer region", lambda: load_balancer(region=out("us-east-1")), f"LoadBalancer.region: {OUTPUT_TEXT}"),
    Case("load balancer name prefix", lambda: load_balancer(name_prefix=out("shop")),
         f"LoadBalancer.name_prefix: {OUTPUT_TEXT}"),
    Case("log retention", lambda: load_balancer(log_retention_days=out(90)),
         f"LoadBalancer.log_retention_days: {OUTPUT_TEXT}"),
    Case("zone in a list", lambda: network(zones=[out("us-east-1a"), "us-east-1b"]), f"Network.zones[0]: {OUTPUT_TEXT}"),
    Case("zones", lambda: network(zones=out(["us-east-1a", "us-east-1b"])), f"Network.zones: {OUTPUT_TEXT}"),
    Case("instance tags", lambda: Cluster("c", ClusterSpec(), instance_tags={"team": out("shop")}),
         f"Cluster.instance_tags.team: {OUTPUT_TEXT}"),
    Case("capacity provider name", lambda: Ec2Capacity("cap", Ec2Spec(), cluster_name="shop", vpc_id=VPC,
                                                      subnet_ids=SUBNETS, capacity_provider_name=out("cp-shop")),
         f"Ec2Capacity.capacity_provider_name: {OUTPUT_TEXT}"),
    Case("component name", lambda: service(name=out("api")), f"Service.name: {OUTPUT_TEXT}"),
    Case("spec cpu", lambda: service(spec(cpu=out(256))), f"ServiceSpec.cpu: {OUTPUT_TEXT}"),
    Case("spec user", lambda: service(spec(user=out("1000"))), f"ServiceSpec.user: {OUTPUT_TEXT}"),
    Case("spec tag value", lambda: service(spec(tags={"team": out("shop")})), f"ServiceSpec.tags.team: {OUTPUT_TEXT}"),
    Case("spec route path", lambda: service(spec(routes=[{"paths": [out("/api/*")]}])),
         f"ServiceSpec.routes[0].paths[0]: {OUTPUT_TEXT}"),
    Case("job schedule", lambda: job(job_spec(schedule=out("rate(1 day)"))), f"JobSpec.schedule: {OUTPUT_TEXT}"),
]  # fmt: skip


# --- Documented Outputs holding bad values: checked once known, at their full key path -----------

WILDCARD = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:*"
CN_SECRET = f"arn:aws-cn:ssm:cn-north-1:{ACCOUNT}:parameter/db"

DEFERRED = [
    Case("secret", lambda: service(spec(secrets={"DB_URL": out(WILDCARD)})),
         f'ServiceSpec.secrets.DB_URL: "{WILDCARD}" is not a secret reference', (TD, ROLE_POLICY)),
    Case("sidecar image", lambda: service(spec(sidecars={"metrics-agent": SidecarSpec(image=out("bad image"),
                                                                                     user="1000")})),
         'ServiceSpec.sidecars.metrics-agent.image: "bad image" is not an image reference', (TD,)),
    Case("granted resource", lambda: service(spec(permissions=[PermissionSpec(
        actions=["s3:GetObject"], resources=[out("*")])])),
         'ServiceSpec.permissions[0].resources[0]: "*" is not a resource ARN', (ROLE_POLICY,)),
    Case("environment value", lambda: service(spec(environment={"KEY": out("AKIAABCDEFGHIJKLMNOP")})),
         "ServiceSpec.environment.KEY: the value looks like an AWS access key id", (TD,)),
    Case("image", lambda: service(spec(image=out(""))), 'ServiceSpec.image: "" is missing', (TD,)),
    Case("secret of another partition", lambda: service(spec(secrets={"DB": out(CN_SECRET)})),
         f'ServiceSpec.secrets.DB: "{CN_SECRET}" is in partition aws-cn', (TD, ROLE_POLICY)),
    Case("plain secret of another partition, stack looked up", lambda: service(spec(secrets={"DB": CN_SECRET})),
         f'ServiceSpec.secrets.DB: "{CN_SECRET}" is in partition aws-cn', (TD, ROLE_POLICY)),
    Case("sidecar secret", lambda: service(spec(sidecars={"agent": SidecarSpec(
        image="busybox:1.37", user="1000", secrets={"TOKEN": out(WILDCARD)})})),
         f'ServiceSpec.sidecars.agent.secrets.TOKEN: "{WILDCARD}" is not a secret reference', (TD, ROLE_POLICY)),
    Case("job secret", lambda: job(job_spec(secrets={"DB": out(WILDCARD)})),
         f'JobSpec.secrets.DB: "{WILDCARD}" is not a secret reference', (TD, ROLE_POLICY)),
    Case("certificate of another region", lambda: load_balancer(LoadBalancerSpec(
        certificate_arn=out(CERT.replace("us-east-1", "eu-west-1")), access_logs=False)),
         "LoadBalancerSpec.certificate_arn: ", (HTTPS,)),
    Case("certificate of another account", lambda: load_balancer(LoadBalancerSpec(
        certificate_arn=out(CERT.replace(ACCOUNT, "210987654321")), access_logs=False)),
         "LoadBalancerSpec.certificate_arn: ", (HTTPS,)),
    Case("key of another region", lambda: Cluster("c", ClusterSpec(
        kms_key=out(f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"))),
         "ClusterSpec.kms_key: ", (LOG_GROUP,)),
    Case("cluster ARN of another region", lambda: service(cluster=ref(arn=out(CLUSTER_ARN.replace("us-east-1",
                                                                                                   "eu-west-1")))),
         "Service.cluster.arn: ", (ECS_SERVICE,)),
    Case("security group as subnets", lambda: service(subnet_ids=out([SG])),
         f'Service.subnet_ids[0]: "{SG}" is a security group id, not a subnet id', (ECS_SERVICE,)),
    Case("no subnets", lambda: service(subnet_ids=out([])), "Service.subnet_ids: [] has 0 item(s)", (ECS_SERVICE,)),
    Case("subnet as VPC", lambda: service(vpc_id=out(SUBNETS[0])),
         f'Service.vpc_id: "{SUBNETS[0]}" is a subnet id, not a VPC id', (SECURITY_GROUP,)),
    Case("load balancer ARN as listener", lambda: service(spec(public=True), load_balancer=LoadBalancerRef(
        listener_arn=out(LB_ARN), security_group_id=SG, arn_suffix=LB_SUFFIX)),
         f'Service.load_balancer.listener_arn: "{LB_ARN}" is a load balancer ARN, not a listener ARN',
         (LISTENER_RULE,)),
    Case("namespace", lambda: service(spec(callers=["web"]), service_connect=ServiceConnectRef(out(LB_ARN))),
         "Service.service_connect.namespace_arn: ", (ECS_SERVICE,)),
    Case("task role is the execution role", lambda: task_definition(execution_role_arn=out(ROLE_E),
                                                                     task_role_arn=out(ROLE_E)),
         "TaskDefinition.task_role_arn: ", (TD,)),
    Case("zones of another region, stack looked up", lambda: Network(
        "net", NetworkSpec(az_count=2), zones=["eu-west-1a", "eu-west-1b"]),
         'Network.zones[0]: "eu-west-1a" is a zone of eu-west-1, not of the stack\'s region us-east-1', (VPC_TYPE,)),
]  # fmt: skip


# --- Wrong Python types ---------------------------------------------------------------------------

SPEC_DICT = {"image": "nginx:1.27", "user": "1000"}

WRONG_TYPES = [
    Case("dict for a service spec", lambda: service(SPEC_DICT),
         'Service.spec: {"image": "nginx:1.27", "user": "1000"} is a dict (allowed: a ServiceSpec; build one with'),
    Case("None for a service spec", lambda: Service("api", None, cluster=ref(), vpc_id=VPC, subnet_ids=SUBNETS),
         "Service.spec: None is missing (allowed: a ServiceSpec)"),
    Case("job spec for a service", lambda: service(job_spec()), "Service.spec: "),
    Case("string for a spec", lambda: service("nginx"), 'Service.spec: "nginx" is a str (allowed: a ServiceSpec)'),
    Case("None for a cluster", lambda: service(cluster=None), "Service.cluster: None is missing (allowed: a Cluster"),
    Case("ARN for a cluster", lambda: service(cluster=CLUSTER_ARN),
         f'Service.cluster: "{CLUSTER_ARN}" is a str (allowed: a Cluster, or a ClusterRef(arn=...'),
    Case("dict for a cluster", lambda: service(cluster={"arn": CLUSTER_ARN}), "Service.cluster: "),
    Case("cluster spec for a cluster", lambda: service(cluster=ClusterSpec()), "Service.cluster: "),
    Case("ARN for a job's cluster", lambda: job(cluster=CLUSTER_ARN), "Job.cluster: "),
    Case("dict for a job spec", lambda: job(SPEC_DICT), "Job.spec: "),
    Case("ARN for a task definition's cluster", lambda: task_definition(cluster=CLUSTER_ARN),
         'TaskDefinition.cluster: "' + CLUSTER_ARN + '" is a str (allowed: a ClusterRef'),
    Case("dict for a load balancer spec", lambda: load_balancer({"allowPlainHttp": True}), "LoadBalancer.spec: "),
    Case("dict for a cluster spec", lambda: Cluster("c", {"launchType": "FARGATE"}), "Cluster.spec: "),
    Case("None for a cluster spec", lambda: Cluster("c", None), "Cluster.spec: None is missing"),
    Case("None for a network spec", lambda: Network("n", None, zones=["us-east-1a"]), "Network.spec: None is missing"),
    Case("dict for a load balancer", lambda: service(spec(public=True), load_balancer={"listener_arn": LISTENER}),
         "Service.load_balancer: "),
    Case("the LoadBalancer itself", lambda: service(spec(public=True), load_balancer=load_balancer()),
         "Service.load_balancer: ", ("ecs-platform:ecs:Service",)),
    Case("dict for a context", lambda: service(context={"region": "us-east-1"}), "Service.context: "),
    Case("dict for opts", lambda: service(opts={"parent": None}), "Service.opts: "),
    Case("name for deploy_after", lambda: service(deploy_after=["migrate"]), "Service.deploy_after[0]: "),
    Case("ARN for service connect", lambda: service(spec(callers=["web"]), service_connect=NAMESPACE),
         "Service.service_connect: "),
    Case("dict for a cluster ref's spec", lambda: service(cluster=ref(spec={"launchType": "EC2"})),
         "Service.cluster.spec: "),
    Case("spec built without validation", lambda: service(ServiceSpec.model_construct(
        image="nginx:1.27", user="1000", cpu=3)), "ServiceSpec.cpu: 3 is out of range"),
    Case("spec copied with a bad update", lambda: service(spec().model_copy(update={"memory": 300})),
         "ServiceSpec.memory: 300 is not a valid Fargate memory for cpu 256"),
    Case("nested spec built without validation", lambda: service(spec(health_check=HealthCheckSpec.model_construct(
        command=("CMD", "true"), interval=1, timeout=10, retries=3, start_period=0))),
         "ServiceSpec.health_check.interval: 1 is out of range (allowed: 5..300)"),
    Case("cluster spec copied with a bad update", lambda: service(cluster=ref(spec=ClusterSpec().model_copy(
        update={"launch_type": "EC3"}))), 'ClusterSpec.launch_type: "EC3" is not allowed'),
    Case("dict for a platform spec", lambda: Platform("p", {"services": {}}, context=StackContext(
        "shop", "dev", "us-east-1")), "Platform.spec: "),
    Case("dict for a stack context", lambda: Platform("p", platform_spec(), context={"region": "us-east-1"}),
         "Platform.context: "),
    Case("number for a name", lambda: service(name=3), "Service.name: 3 is not a component name"),
    Case("empty name", lambda: service(name=""), 'Service.name: "" is not a component name'),
    Case("number for a container name", lambda: service(container_name=8), "Service.container_name: 8"),
    Case("string for route priorities", lambda: public(route_priorities="10"), "Service.route_priorities: "),
    Case("string for test ports", lambda: load_balancer(test_ports="8443"), "LoadBalancer.test_ports: "),
    Case("string for zones", lambda: network(zones="us-east-1a"), "Network.zones: "),
    Case("dict for task definition EFS", lambda: task_definition(efs={"data": "fs-01234567"}),
         "TaskDefinition.efs.data: "),
]  # fmt: skip


# --- Wiring values ---------------------------------------------------------------------------------

OTHER_REGION = CLUSTER_ARN.replace("us-east-1", "eu-west-1")
OTHER_PARTITION = CLUSTER_ARN.replace("arn:aws:", "arn:aws-cn:").replace("us-east-1", "cn-north-1")

NLB_SUFFIX = "net/shop/50dc6c495c0c9188"
NLB_ARN = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:loadbalancer/{NLB_SUFFIX}"
CERT = f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
CA = f"arn:aws:acm-pca:us-east-1:{ACCOUNT}:certificate-authority/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
NAMESPACE = f"arn:aws:servicediscovery:us-east-1:{ACCOUNT}:namespace/ns-0123456789abcdef"


def nlb(**fields: Any) -> NetworkLoadBalancerRef:
    return NetworkLoadBalancerRef(**{"arn": NLB_ARN, "security_group_id": SG, "arn_suffix": NLB_SUFFIX, **fields})


WIRING = [
    # issue 22: the network load balancer, VPC Lattice, Service Connect TLS
    Case("application load balancer ARN as the network one", lambda: service(
        spec(public=True, protocol="TCP"), load_balancer=nlb(arn=LB_ARN)),
        f'Service.load_balancer.arn: "{LB_ARN}" is a load balancer ARN, not a network load balancer ARN'),
    Case("application load balancer suffix as the network one", lambda: service(
        spec(public=True, protocol="TCP"), load_balancer=nlb(arn_suffix=LB_SUFFIX)),
        f'Service.load_balancer.arn_suffix: "{LB_SUFFIX}" is a string, not a network load balancer ARN suffix'),
    Case("TLS listener with a certificate of another region", lambda: service(
        spec(public=True, protocol="TLS"), context=CTX, load_balancer=nlb(
            certificate_arn=CERT.replace("us-east-1", "eu-west-1"), ssl_policy="ELBSecurityPolicy-TLS13-1-2-2021-06")),
        "Service.load_balancer.certificate_arn: "),
    Case("security group as the Lattice prefix list", lambda: service(
        spec(lattice={"principals": [ROLE_T]}), lattice=LatticeRef(service_network="sn-0123456789abcdef0",
                                                                    prefix_list_id=SG)),
        f'Service.lattice.prefix_list_id: "{SG}" is a security group id, not a prefix list id'),
    Case("cluster ARN as the Lattice network", lambda: service(
        spec(lattice={"principals": [ROLE_T]}), lattice=LatticeRef(service_network=CLUSTER_ARN,
                                                                    prefix_list_id="pl-0123456789abcdef0")),
        f'Service.lattice.service_network: "{CLUSTER_ARN}" is an ECS cluster ARN, not a VPC Lattice service network'),
    Case("certificate as the Service Connect CA", lambda: service(
        spec(callers=("web",)), service_connect=ServiceConnectRef(namespace_arn=NAMESPACE, tls_ca_arn=CERT,
                                                                   tls_role_arn=ROLE_T)),
        f'Service.service_connect.tls_ca_arn: "{CERT}" is an ACM certificate ARN, not an AWS Private CA ARN'),
    Case("Service Connect CA without its role", lambda: service(
        spec(callers=("web",)), service_connect=ServiceConnectRef(namespace_arn=NAMESPACE, tls_ca_arn=CA)),
        "Service.service_connect.tls_role_arn: None is missing"),
    Case("empty subnet list", lambda: service(subnet_ids=[]), "Service.subnet_ids: [] has 0 item(s)"),
    Case("security group as a subnet", lambda: service(subnet_ids=[SG]),
         f'Service.subnet_ids[0]: "{SG}" is a security group id, not a subnet id'),
    Case("duplicate subnets", lambda: service(subnet_ids=[SUBNETS[0], SUBNETS[0]]),
         f'Service.subnet_ids[1]: "{SUBNETS[0]}" is listed twice'),
    Case("short subnet id", lambda: service(subnet_ids=["subnet-1"]), 'Service.subnet_ids[0]: "subnet-1" is not a subnet id'),
    Case("subnet as the VPC", lambda: service(vpc_id=SUBNETS[0]), f'Service.vpc_id: "{SUBNETS[0]}" is a subnet id'),
    Case("short VPC id", lambda: service(vpc_id="vpc-1"), 'Service.vpc_id: "vpc-1" is not a VPC id AWS accepts'),
    Case("None for the VPC", lambda: service(vpc_id=None), "Service.vpc_id: None is missing"),
    Case("subnets as one string", lambda: service(subnet_ids=SUBNETS[0]), "Service.subnet_ids: "),
    Case("cluster in another region", lambda: service(cluster=ref(arn=OTHER_REGION), context=CTX),
         f'Service.cluster.arn: "{OTHER_REGION}" is in region eu-west-1, not the stack\'s us-east-1'),
    Case("cluster in another partition", lambda: service(cluster=ref(arn=OTHER_PARTITION), context=CTX),
         f'Service.cluster.arn: "{OTHER_PARTITION}" is in partition aws-cn'),
    Case("cluster in another account", lambda: service(cluster=ref(arn=CLUSTER_ARN.replace(ACCOUNT, "210987654321")),
                                                       context=CTX), "Service.cluster.arn: "),
    Case("cluster in another region, looked up", lambda: service(cluster=ref(arn=OTHER_REGION)),
         "Service.cluster.arn: ", (ECS_SERVICE,)),
    Case("service ARN as the cluster", lambda: service(cluster=ref(arn=CLUSTER_ARN.replace(":cluster/", ":service/"))),
         "Service.cluster.arn: "),
    Case("cluster name as the ARN", lambda: service(cluster=ref(arn="shop")), 'Service.cluster.arn: "shop" is a string, '
         "not an ECS cluster ARN"),
    Case("job on a cluster of another region", lambda: job(cluster=ref(arn=OTHER_REGION), context=CTX), "Job.cluster.arn: "),
    Case("load balancer ARN as the listener", lambda: service(spec(public=True), load_balancer=LoadBalancerRef(
        listener_arn=LB_ARN, security_group_id=SG, arn_suffix=LB_SUFFIX)),
         f'Service.load_balancer.listener_arn: "{LB_ARN}" is a load balancer ARN, not a listener ARN'),
    Case("security group and listener swapped", lambda: service(spec(public=True), load_balancer=LoadBalancerRef(
        listener_arn=SG, security_group_id=LISTENER, arn_suffix=LB_SUFFIX)),
         f'Service.load_balancer.listener_arn: "{SG}" is a security group id, not a listener ARN'),
    Case("listener of another load balancer", lambda: service(spec(public=True), load_balancer=LoadBalancerRef(
        listener_arn=LISTENER, security_group_id=SG, arn_suffix="app/other/50dc6c495c0c9188")),
         "Service.load_balancer.listener_arn: "),
    Case("listener in another region", lambda: service(spec(public=True), context=CTX, load_balancer=LoadBalancerRef(
        listener_arn=LISTENER.replace("us-east-1", "eu-west-1"), security_group_id=SG, arn_suffix=LB_SUFFIX)),
         "Service.load_balancer.listener_arn: "),
    Case("ARN as the suffix", lambda: service(spec(public=True), load_balancer=LoadBalancerRef(
        listener_arn=LISTENER, security_group_id=SG, arn_suffix=LB_ARN)), "Service.load_balancer.arn_suffix: "),
    Case("execution role is the task role", lambda: task_definition(task_role_arn=ROLE_E),
         f'TaskDefinition.task_role_arn: "{ROLE_E}" is also the execution role'),
    Case("user ARN as a role", lambda: task_definition(task_role_arn=f"arn:aws:iam::{ACCOUNT}:user/bob"),
         "TaskDefinition.task_role_arn: "),
    Case("region that does not exist", lambda: task_definition(region="us-east-9"),
         'TaskDefinition.region: "us-east-9" is a string, not an AWS region'),
    Case("load balancer in a region that does not exist", lambda: load_balancer(region="mars-1"),
         'LoadBalancer.region: "mars-1" is a string, not an AWS region'),
    Case("context in a region that does not exist", lambda: service(context=AwsContext(ACCOUNT, "mars-1")),
         "Service.context.region: "),
    Case("context in the wrong partition", lambda: service(context=AwsContext(ACCOUNT, "cn-north-1")),
         'Service.context.partition: "aws" is not the partition of cn-north-1'),
    Case("context with a short account", lambda: service(context=AwsContext("1234", "us-east-1")),
         'Service.context.account_id: "1234" is not an AWS account id'),
    Case("load balancer in one subnet", lambda: load_balancer(subnet_ids=SUBNETS[:1]),
         "LoadBalancer.subnet_ids: "),
    Case("zones of another region", lambda: network(zones=["eu-west-1a", "eu-west-1b"]),
         'Network.zones[0]: "eu-west-1a" is a zone of eu-west-1, not of the stack\'s region us-east-1'),
    Case("zones of two regions", lambda: Network("n", NetworkSpec(az_count=2), zones=["us-east-1a", "us-west-2a"]),
         'Network.zones[1]: "us-west-2a" is a zone of us-west-2'),
    Case("a zone twice", lambda: network(zones=["us-east-1a", "us-east-1a"]), 'Network.zones[1]: "us-east-1a" is listed'),
    Case("a region as a zone", lambda: network(zones=["us-east-1", "us-east-1b"]), 'Network.zones[0]: "us-east-1" is not'),
    Case("namespace ARN malformed", lambda: service(spec(callers=["web"]), service_connect=ServiceConnectRef(LB_ARN)),
         "Service.service_connect.namespace_arn: "),
    Case("exec log group ARN malformed", lambda: service(cluster=ref(exec_log_group_arn="/ecs/shop/exec")),
         "Service.cluster.exec_log_group_arn: "),
    Case("key alias as the key", lambda: service(cluster=ref(kms_key_arn=f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/x")),
         "Service.cluster.kms_key_arn: "),
    Case("capacity provider name AWS refuses", lambda: service(cluster=ref(ec2_capacity_provider_name="ecs-x")),
         "Service.cluster.ec2_capacity_provider_name: "),
    Case("cluster name with a space", lambda: Ec2Capacity("cap", Ec2Spec(), cluster_name="my shop", vpc_id=VPC,
                                                         subnet_ids=SUBNETS), "Ec2Capacity.cluster_name: "),
    Case("cluster ARN as a cluster name", lambda: ExternalCapacity(
        "ext", ExternalSpec(), cluster_name=CLUSTER_ARN), "ExternalCapacity.cluster_name: "),
    Case("cluster VPC is a security group", lambda: Cluster("c", ClusterSpec(launch_type="EC2"), vpc_id=SG,
                                                            subnet_ids=SUBNETS), "Cluster.vpc_id: "),
    Case("cluster subnets empty", lambda: Cluster("c", ClusterSpec(launch_type="EC2"), vpc_id=VPC, subnet_ids=[]),
         "Cluster.subnet_ids: "),
    Case("security group id malformed", lambda: service(spec(public=True), load_balancer=LoadBalancerRef(
        listener_arn=LISTENER, security_group_id="sg-1", arn_suffix=LB_SUFFIX)), "Service.load_balancer.security_group_id: "),
    Case("test listener is the load balancer", lambda: service(
        spec(public=True, deployment={"strategy": "blueGreen", "testPort": 8443}), load_balancer=LoadBalancerRef(
            listener_arn=LISTENER, security_group_id=SG, arn_suffix=LB_SUFFIX, test_listener_arns={8443: LB_ARN})),
         "Service.load_balancer.test_listener_arns.8443: "),
    Case("secret of another partition, stack given", lambda: service(spec(secrets={"DB": CN_SECRET}), context=CTX),
         f'ServiceSpec.secrets.DB: "{CN_SECRET}" is in partition aws-cn'),
    Case("platform in a region that does not exist", lambda: Platform("p", platform_spec(), context=StackContext(
        "shop", "dev", "mars-1")), "Platform.context.region: "),
]  # fmt: skip


# --- Derived names and sizes -----------------------------------------------------------------------

BIG_GRANTS = [PermissionSpec(actions=["s3:GetObject"], resources=[f"arn:aws:s3:::shop-bucket-{i:03d}/objects/*"
                                                                 for i in range(40)]) for _ in range(8)]
BIG_SECRETS = {f"S{i}": f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/shop/a-rather-long-parameter-name-{i:03d}"
               for i in range(130)}  # fmt: skip

NAMES = [
    Case("57-character service name", lambda: service(name=LONG), f'Service.name: "{LONG}" makes the IAM role name'),
    Case("57-character job name", lambda: job(name=LONG), f'Job.name: "{LONG}" makes the IAM role name'),
    Case("container name with a space", lambda: service(container_name="my api"), 'Service.container_name: "my api"'),
    Case("container name over 255", lambda: service(container_name="c" * 256), "Service.container_name: "),
    Case("job container name with a dot", lambda: job(container_name="re.port"), "Job.container_name: "),
    Case("task family with a dot", lambda: task_definition(family="batch.v1"),
         'TaskDefinition.family: "batch.v1" makes the task family "batch.v1"'),
    Case("log group name with a space", lambda: task_definition(log_group_name="/ecs/my batch"),
         'TaskDefinition.log_group_name: "/ecs/my batch" makes the log group name'),
    Case("task definition name with a space", lambda: task_definition(name="my batch"),
         'TaskDefinition.name: "my batch" makes the container name "my batch"'),
    Case("service name with a space", lambda: service(name="my api", container_name="api"),
         'Service.name: "my api" makes the ECS service name'),
    Case("cluster prefix with a space", lambda: service(cluster=ref(name_prefix="my shop")),
         'Service.cluster.name_prefix: makes the task family "my shop-api"'),
    Case("cluster component prefix with a space", lambda: Cluster("c", ClusterSpec(), name_prefix="my shop"),
         'Cluster.name_prefix: "my shop" makes the ECS Exec log group name'),
    Case("50 tags plus ours", lambda: service(spec(tags={f"t{i}": "x" for i in range(50)})),
         "ServiceSpec.tags: make 51 tags on the task definition"),
    Case("49 tags plus ours and a waiver", lambda: service(spec(tags={f"t{i}": "x" for i in range(49)},
                                                                readonly_root_filesystem=False)),
         "ServiceSpec.tags: make 51 tags on the task definition"),
    Case("task role policy over 10,240", lambda: service(spec(permissions=BIG_GRANTS)),
         "ServiceSpec.permissions: make a task role policy of"),
    Case("execution role policy over 10,240", lambda: service(spec(secrets=BIG_SECRETS)),
         "ServiceSpec.secrets: make an execution role policy of"),
    Case("job task role policy over 10,240", lambda: job(job_spec(permissions=BIG_GRANTS)),
         "JobSpec.permissions: make a task role policy of"),
    Case("scheduled job name too long for its role", lambda: job(job_spec(schedule="rate(1 day)"), name="j" * 50),
         'Job.name: "' + "j" * 50 + '" makes the IAM role name'),
    Case("load balancer name over 24", lambda: load_balancer(name="edge-of-the-shop-balancer"),
         'LoadBalancer.name: "edge-of-the-shop-balancer" makes the load balancer name'),
    Case("service named like a security group", lambda: service(name="sg-api"),
         'Service.name: "sg-api" makes the security group name'),
    Case("container definitions over 64 KiB", lambda: service(spec(environment={"BIG": "a" * 70000})),
         "ServiceSpec.environment: makes container definitions of"),
    Case("job container definitions over 64 KiB", lambda: job(job_spec(environment={"BIG": "a" * 70000})),
         "JobSpec.environment: makes container definitions of"),
    Case("task definition container definitions over 64 KiB", lambda: task_definition(
        TaskSpec(image="busybox:1.37", user="1000", environment={"BIG": "a" * 70000})),
         "TaskSpec.environment: makes container definitions of"),
    Case("EC2 capacity name too long for its role", lambda: Ec2Capacity("c" * 60, Ec2Spec(), cluster_name="shop",
                                                                        vpc_id=VPC, subnet_ids=SUBNETS),
         "Ec2Capacity.name: "),
]  # fmt: skip


# --- Registered, then refused: every check before the first child ----------------------------------

EFS = VolumeSpec(efs=EfsSpec())

BEFORE_FIRST_CHILD = [
    Case("spec rule of a task definition inside a job", lambda: job(job_spec(launch_type="EC2"),
                                                                   cluster=ref(spec=ClusterSpec(launch_type="EC2"))),
         "Job.cluster.ec2_capacity_provider_name: None is missing"),
    Case("task size of a job", lambda: job(job_spec(memory=300)),
         "JobSpec.memory: 300 is not a valid Fargate memory for cpu 256"),
    Case("adopted EFS volume of a job on a cluster without EXTERNAL", lambda: job(job_spec(
        volumes={"d": VolumeSpec(efs=EfsSpec(file_system_id="fs-0123456789abcdef0",
                                             access_point_id="fsap-0123456789abcdef0"))},
        mounts={"/d": MountSpec(volume="d")}, launch_type="EXTERNAL")), 'JobSpec.launch_type: "EXTERNAL" is not offered'),
    Case("created EFS volume on subnets given as an Output", lambda: service(spec(
        volumes={"d": EFS}, mounts={"/d": "d"}, user="1000:1000"), subnet_ids=out(SUBNETS)), "Service.subnet_ids: "),
    Case("sidecar named like the container", lambda: service(spec(sidecars={"api": SidecarSpec(
        image="busybox:1.37", user="1000")})), "Service.container_name: 'api' is also a sidecar's name"),
    Case("job container named like a sidecar", lambda: job(job_spec(sidecars={"report": SidecarSpec(
        image="busybox:1.37", user="1000")})), 'Job.container_name: "report" is also a sidecar\'s name'),
]  # fmt: skip

# --- The smaller components: the shared task roles, EFS volumes, the NAT instance, endpoints --------

SMALL = [
    Case("shared task roles with a context of the wrong type", lambda: SharedTaskRoles("roles", context="us-east-1"),
         'SharedTaskRoles.context: "us-east-1" is a str (allowed: an AwsContext'),
    Case("shared task roles named past IAM's 64 characters", lambda: SharedTaskRoles("r" * 60, context=CTX),
         "SharedTaskRoles.name: "),
    Case("EFS volume on subnets given as an Output", lambda: EfsVolume("d", vpc_id=VPC, subnet_ids=out(SUBNETS),
                                                                       owner=(1000, 1000)), "EfsVolume.subnet_ids: "),
    Case("EFS volume on a security group id for a subnet", lambda: EfsVolume("d", vpc_id=VPC, subnet_ids=[SG],
                                                                             owner=(1000, 1000)),
         "EfsVolume.subnet_ids[0]: "),
    Case("EFS volume owned by a negative uid", lambda: EfsVolume("d", vpc_id=VPC, subnet_ids=SUBNETS, owner=(-1, 0)),
         "EfsVolume.owner[0]: -1 is out of range (allowed: 0..4294967295)"),
    Case("NAT instance of an unpriced type", lambda: NatInstance(
        "nat", vpc_id=VPC, vpc_cidr="10.0.0.0/16", public_subnet_id=SUBNETS[0], zone="us-east-1a",
        private_route_table_ids=[], instance_type="m5.large", context=CTX), 'NatInstance.instance_type: "m5.large"'),
    Case("NAT instance in a VPC id that is a subnet", lambda: NatInstance(
        "nat", vpc_id=SUBNETS[0], vpc_cidr="10.0.0.0/16", public_subnet_id=SUBNETS[0], zone="us-east-1a",
        private_route_table_ids=[], context=CTX), "NatInstance.vpc_id: "),
    Case("daemon spec given as a dict", lambda: Daemon("agent", {"image": "busybox:1.37"}, cluster=ref(
        spec=ClusterSpec(launch_type="EC2")), vpc_id=VPC, subnet_ids=SUBNETS), "Daemon.spec: "),
    Case("daemon on a Fargate cluster", lambda: Daemon("agent", DaemonSpec(image="busybox:1.37", user="1000"),
                                                       cluster=ref(), vpc_id=VPC, subnet_ids=SUBNETS),
         "DaemonSpec.launch_type: "),
    Case("Managed Instances provider named like AWS's own", lambda: ManagedInstancesCapacity(
        "mi", ManagedInstancesSpec(), cluster_name="shop", vpc_id=VPC, subnet_ids=SUBNETS,
        capacity_provider_name="ecs-mine", context=CTX), "ManagedInstancesCapacity.capacity_provider_name: "),
    Case("Managed Instances in an id that is no VPC", lambda: ManagedInstancesCapacity(
        "mi", ManagedInstancesSpec(), cluster_name="shop", vpc_id=SG, subnet_ids=SUBNETS, context=CTX),
         "ManagedInstancesCapacity.vpc_id: "),
    Case("endpoint the platform does not offer", lambda: VpcEndpoints(
        "ep", vpc_id=VPC, vpc_cidr="10.0.0.0/16", private_subnet_ids=SUBNETS, private_route_table_ids=[],
        interface=["s4"], context=CTX), 'VpcEndpoints.interface[0]: "s4" is not an interface endpoint'),
]  # fmt: skip

ALL = PLAIN_REQUIRED + DEFERRED + WRONG_TYPES + WIRING + NAMES + BEFORE_FIRST_CHILD + SMALL
UP_FRONT = [c for c in ALL if not c.deferred]
LATER = [c for c in ALL if c.deferred]


def _refusal(case: Case) -> tuple[ConfigError, list[Any]]:
    run = run_program("embed", config=CONFIG, program=case.build)
    assert isinstance(run.error, ConfigError), (case.name, run.error)
    assert any(p.startswith(case.problem) for p in run.error.problems), (case.name, run.error.problems)
    return run.error, run.resources


@pytest.mark.parametrize("case", UP_FRONT, ids=[c.name for c in UP_FRONT])
def test_bad_input_is_refused_before_anything_is_registered(case: Case) -> None:
    error, resources = _refusal(case)
    assert resources == [], [r.urn for r in resources]
    assert "Traceback" not in str(error)


@pytest.mark.parametrize("case", LATER, ids=[c.name for c in LATER])
def test_a_bad_output_fails_before_the_resources_that_use_it(case: Case) -> None:
    error, resources = _refusal(case)
    assert error.problems and all(":" in p for p in error.problems)
    assert not [r.urn for r in resources if r.type in case.not_registered]


# --- Duplicates in one program ---------------------------------------------------------------------

DUPLICATES = [
    ("two services of one name", lambda: (service(), service()),
     'Service.name: "api" is the name of Service "api" and of Service "api"'),
    ("a service and a job of one name", lambda: (service(name="api"), job(name="api")),
     'Job.name: "api" is the name of Service "api" and of Job "api"'),
    ("two services whose container and prefix make one family", lambda: (
        service(name="a", container_name="web", cluster=ref(name_prefix="shop")),
        service(name="b", container_name="web", cluster=ref(name_prefix="shop"))),
     'Service.cluster.name_prefix: "shop-web" is the task family of Service "a" and of Service "b"'),
    ("a job and a task definition of one family", lambda: (
        job(name="report", container_name="batch", cluster=ref(name_prefix="shop")),
        task_definition(name="other", family="shop-batch")),
     'TaskDefinition.family: "shop-batch" is the task family of Job "report" and of TaskDefinition "other"'),
    ("two clusters of one name", lambda: (Cluster("c", ClusterSpec()), Cluster("c", ClusterSpec())),
     'Cluster.name: "c" is the name of Cluster "c" and of Cluster "c"'),
    ("two load balancers of one name", lambda: (load_balancer(), load_balancer()),
     'LoadBalancer.name: "edge" is the name of LoadBalancer "edge" and of LoadBalancer "edge"'),
]  # fmt: skip


@pytest.mark.parametrize(("build", "problem"), [c[1:] for c in DUPLICATES], ids=[c[0] for c in DUPLICATES])
def test_a_second_component_of_one_name_is_refused_naming_both(build: Callable[[], Any], problem: str) -> None:
    run = run_program("embed", config=CONFIG, program=build)
    assert isinstance(run.error, ConfigError), run.error
    assert any(p.startswith(problem) for p in run.error.problems), run.error.problems
    # Only the first component registered anything: nothing of the second's.
    assert not [r for r in run.resources if r.name.startswith(("b-", "other"))]


def test_duplicates_are_per_program() -> None:
    for _ in range(2):
        run = run_program("embed", config=CONFIG, program=lambda: service())
        assert run.error is None, run.error


def test_a_pending_output_check_never_hides_the_programs_own_refusal() -> None:
    def program() -> None:
        service(spec(secrets={"DB": out(WILDCARD)}))  # fails once known, after the program body
        service(spec(cpu=3), name="web")  # refused up front: the program's own error

    run = run_program("embed", config=CONFIG, program=program)
    assert isinstance(run.error, ConfigError), run.error
    assert run.error.problems[0].startswith("ServiceSpec.cpu: 3 is out of range")
    assert any(p.startswith("ServiceSpec.secrets.DB: ") for p in run.error.problems)


def test_every_class_has_hostile_programs() -> None:
    counts = {"plain values": len(PLAIN_REQUIRED), "Outputs": len(DEFERRED), "types": len(WRONG_TYPES),
              "wiring": len(WIRING), "names and sizes": len(NAMES), "duplicates": len(DUPLICATES),
              "before the first child": len(BEFORE_FIRST_CHILD)}  # fmt: skip
    assert all(n >= 5 for n in counts.values()), counts
    assert sum(counts.values()) >= 150, counts


def test_a_pending_output_check_never_hides_an_error_of_the_programs_own_code() -> None:
    def program() -> None:
        service(spec(secrets={"DB": out(WILDCARD)}))
        raise ValueError("the program's own mistake")

    run = run_program("embed", config=CONFIG, program=program)
    assert isinstance(run.error, ValueError), run.error
    assert "the program's own mistake" in str(run.error)


def test_the_embedding_docs_list_exactly_the_fields_that_take_outputs() -> None:
    import re

    import ecs_platform.specs as specs
    from ecs_platform.specs.base import Spec, output_fields
    from ecs_platform.tools.mock_cloud import ROOT

    page = (ROOT / "docs" / "embedding.md").read_text()
    table = page.split("### Spec fields that take Outputs", 1)[1]
    documented: dict[str, set[str]] = {}
    for row in re.findall(r"^\| (`.*?) \| (.*?) \|$", table, re.M):
        for cls in re.findall(r"`(\w+)`", row[0]):
            documented[cls] = set(re.findall(r"`(\w+)`", row[1]))
    model = {name: set(output_fields(cls)) for name in specs.__all__
             if isinstance(cls := getattr(specs, name), type) and issubclass(cls, Spec) and output_fields(cls)}  # fmt: skip
    assert documented == model
