"""What every rule family shares: the resource types the rules look at, how a resource's tags,
waivers, containers and policy statements are read, and the two kinds of rule (one resource,
or the whole stack)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

WAIVER_TAG = "ecs-platform:waiver:"
SERVICE = "aws:ecs/service:Service"
SCHEDULE = "aws:scheduler/schedule:Schedule"
TASK = "aws:ecs/taskDefinition:TaskDefinition"
#: A daemon task definition (ECS Managed Daemons): its containers are structured, not JSON text.
DAEMON_TASK = "aws:ecs/daemonTaskDefinition:DaemonTaskDefinition"
INSTANCE_PROFILE = "aws:iam/instanceProfile:InstanceProfile"
CLUSTER = "aws:ecs/cluster:Cluster"
CAPACITY_PROVIDER = "aws:ecs/capacityProvider:CapacityProvider"
CLUSTER_CAPACITY_PROVIDERS = "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders"
LB = "aws:lb/loadBalancer:LoadBalancer"
ALB = "aws:alb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
ALB_LISTENER = "aws:alb/listener:Listener"
#: pulumi-aws registers a load balancer under either module (``aws.lb`` and its alias ``aws.alb``).
LB_TYPES = (LB, ALB)
LISTENER_TYPES = (LISTENER, ALB_LISTENER)
LISTENER_RULE = "aws:lb/listenerRule:ListenerRule"
ALB_LISTENER_RULE = "aws:alb/listenerRule:ListenerRule"
LISTENER_RULE_TYPES = (LISTENER_RULE, ALB_LISTENER_RULE)
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
POLICY = "aws:iam/policy:Policy"
USER_POLICY = "aws:iam/userPolicy:UserPolicy"
GROUP_POLICY = "aws:iam/groupPolicy:GroupPolicy"
ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
POLICY_ATTACHMENT = "aws:iam/policyAttachment:PolicyAttachment"
USER_POLICY_ATTACHMENT = "aws:iam/userPolicyAttachment:UserPolicyAttachment"
GROUP_POLICY_ATTACHMENT = "aws:iam/groupPolicyAttachment:GroupPolicyAttachment"
ROLE_POLICY_ATTACHMENTS = "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive"
SG = "aws:ec2/securityGroup:SecurityGroup"
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
VPC = "aws:ec2/vpc:Vpc"
AWSX_VPC = "awsx:ec2:Vpc"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"


def tags_of(props: Mapping[str, Any]) -> dict[str, str]:
    """The resource's tags: ``tagsAll`` (with the provider's default tags) when known."""
    tags = props.get("tagsAll") or props.get("tags") or {}
    return dict(tags) if isinstance(tags, Mapping) else {}


def with_default_tags(args: ResourceValidationArgs) -> Mapping[str, Any]:
    """The resource's props with ``tagsAll`` filled in from its provider's default tags
    when the engine has not computed it (stack tags come through the provider)."""
    if "tagsAll" in args.props or args.provider is None:
        return args.props
    raw = args.provider.props.get("defaultTags")
    default = json.loads(raw) if isinstance(raw, str) else (raw or {})
    own = args.props.get("tags")
    tags = {**dict(default.get("tags") or {}), **(dict(own) if isinstance(own, Mapping) else {})}
    return {**args.props, "tagsAll": tags} if tags else args.props


def waived(props: Mapping[str, Any], control: str) -> bool:
    return bool(tags_of(props).get(WAIVER_TAG + control))


#: pulumi-aws's names of a daemon container definition's keys that are plurals of the API's.
_DAEMON_PLURALS = {"commands": "command", "entryPoints": "entryPoint", "environments": "environment",
                   "dependsOns": "dependsOn", "drops": "drop", "adds": "add"}  # fmt: skip


def _api_keys(value: Any, parent: str = "") -> Any:
    """A daemon task definition's container (pulumi-aws's structured keys) in the API's names, so
    the rules read every task definition alike; log options keep their own names."""
    if isinstance(value, list):
        return [_api_keys(v, parent) for v in value]
    if not isinstance(value, Mapping) or parent == "options":
        return value
    return {_DAEMON_PLURALS.get(k, k): _api_keys(v, k) for k, v in value.items()}


def containers(props: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The container definitions of a task definition (JSON text) or of a daemon task definition
    (a list, whose plural keys are mapped back to the API's)."""
    raw = props.get("containerDefinitions")
    if isinstance(raw, str):
        return list(json.loads(raw) or [])
    return [_api_keys(c) for c in raw or []]


def listify(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def statements(document: Any) -> list[Mapping[str, Any]]:
    """The statements of a policy document (JSON text or an object); none when it is not
    a JSON object (IAM refuses such a document itself)."""
    try:
        doc = json.loads(document) if isinstance(document, str) else document
    except ValueError:
        return []
    if not isinstance(doc, Mapping):
        return []
    return [s for s in listify(doc.get("Statement")) if isinstance(s, Mapping)]



Check = Callable[[Mapping[str, Any]], Iterable[str]]


@dataclass(frozen=True)
class ResourceRule:
    name: str
    control: str | None
    description: str
    types: tuple[str, ...]
    check: Check
    waivable: bool = False

    def violations(self, resource_type: str, props: Mapping[str, Any]) -> list[str]:
        if resource_type not in self.types:
            return []
        if self.waivable and self.control and waived(props, self.control):
            return []
        prefix = f"{self.control}: " if self.control else ""
        return [prefix + message for message in self.check(props)]

    def validate(self, args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        for message in self.violations(args.resource_type, with_default_tags(args)):
            report_violation(message, None)

    def policy(self) -> ResourceValidationPolicy:
        title = f"{self.control}: {self.description}" if self.control else self.description
        return ResourceValidationPolicy(
            name=self.name, description=title, validate=self.validate,
            enforcement_level=EnforcementLevel.MANDATORY,
        )  # fmt: skip


StackCheck = Callable[[Sequence[PolicyResource]], Iterable[tuple[str, str]]]


@dataclass(frozen=True)
class StackRule:
    name: str
    control: str | None
    description: str
    check: StackCheck

    def violations(self, resources: Sequence[PolicyResource]) -> list[tuple[str, str]]:
        prefix = f"{self.control}: " if self.control else ""
        return [(prefix + message, urn) for message, urn in self.check(resources)]

    def validate(self, args: StackValidationArgs, report_violation: ReportViolation) -> None:
        for message, urn in self.violations(args.resources):
            report_violation(message, urn)

    def policy(self) -> StackValidationPolicy:
        title = f"{self.control}: {self.description}" if self.control else self.description
        return StackValidationPolicy(
            name=self.name, description=title, validate=self.validate,
            enforcement_level=EnforcementLevel.MANDATORY,
        )  # fmt: skip


def deps(resource: PolicyResource, prop: str) -> list[PolicyResource]:
    return list((resource.property_dependencies or {}).get(prop) or [])
