"""The guardrail rules: one set, run by the policy pack (``policy/__main__.py``)
and by the test suite on what the mock engine records.

Each rule is a pure check over a resource's properties (or, for stack rules,
over all resources). The AWS Security Hub Foundational Security Best Practices
controls that apply to what the platform creates are named by their control
id (ECS.2, ELB.4, ...); the platform's own rules have ``control=None``.

A control that stack config turned off on purpose is recorded on the resource
as a tag ``ecs-platform:waiver:<control>`` with the reason; waivable rules
accept such a resource. This module imports nothing but the standard library,
pulumi-policy, :mod:`ecs_platform.facts` (plain data: the documented trust policies) and
:mod:`ecs_platform.iam_reference` (AWS's Service Authorization Reference, which decides
where ``Resource: "*"`` is legitimate, for the pack and the model alike).

What counts as a wildcard, a root user and a credential is decided once, in
:mod:`ecs_platform.facts` (``is_wildcard``, ``is_root_user``, ``credential_in``),
which config validation uses too: the pack and the model cannot disagree.
"""

from __future__ import annotations

import ipaddress
import json
import re
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

from ecs_platform import facts
from ecs_platform.facts import VOLUME_INIT_CONTAINER
from ecs_platform.iam_reference import all_unscoped

WAIVER_TAG = "ecs-platform:waiver:"
SERVICE = "aws:ecs/service:Service"
SCHEDULE = "aws:scheduler/schedule:Schedule"
TASK = "aws:ecs/taskDefinition:TaskDefinition"
CLUSTER = "aws:ecs/cluster:Cluster"
CAPACITY_PROVIDER = "aws:ecs/capacityProvider:CapacityProvider"
LB = "aws:lb/loadBalancer:LoadBalancer"
ALB = "aws:alb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
ALB_LISTENER = "aws:alb/listener:Listener"
#: pulumi-aws registers a load balancer under either module (``aws.lb`` and its alias ``aws.alb``).
LB_TYPES = (LB, ALB)
LISTENER_TYPES = (LISTENER, ALB_LISTENER)
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

#: AWS managed policies no workload gets: administrator and power-user access (every
#: action, or every action but IAM's), ``ReadOnlyAccess`` (reads every resource, S3
#: objects included), the job-function policies (made for people: SystemAdministrator,
#: NetworkAdministrator, DatabaseAdministrator...) and every ``*FullAccess`` policy, which
#: grants ``service:*`` on ``*``: the wildcard ``iam-no-wildcards`` refuses in a role's own
#: policies. The platform's roles get only the narrow service-role policies AWS documents
#: for ECS (AmazonECSTaskExecutionRolePolicy, AmazonEC2ContainerServiceforEC2Role,
#: AmazonSSMManagedInstanceCore).
#: https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_job-functions.html
BROAD_MANAGED_POLICY_RE = re.compile(
    r"^arn:[a-z-]+:iam::aws:policy/(?:job-function/.+|(?:[A-Za-z0-9+=,.@_-]+/)*"
    r"(?:AdministratorAccess[A-Za-z0-9-]*|PowerUserAccess|ReadOnlyAccess|[A-Za-z0-9_-]*FullAccess[A-Za-z0-9_-]*))$"
)


# --- helpers -------------------------------------------------------------------------------


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


def containers(props: Mapping[str, Any]) -> list[dict[str, Any]]:
    raw = props.get("containerDefinitions")
    parsed = json.loads(raw) if isinstance(raw, str) else raw
    return list(parsed or [])


def _listify(value: Any) -> list[Any]:
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
    return [s for s in _listify(doc.get("Statement")) if isinstance(s, Mapping)]


# --- resource rules ----------------------------------------------------------------------------

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


def _no_public_ip(p: Mapping[str, Any]) -> Iterable[str]:
    if (p.get("networkConfiguration") or {}).get("assignPublicIp") is True:
        yield "the service gives its tasks public IP addresses"


def _scheduled_task_private(p: Mapping[str, Any]) -> Iterable[str]:
    """A schedule that runs an ECS task: no public IP (as ECS.2 asks of services), and a
    dead-letter queue, so a run that cannot start is not lost without a trace."""
    target = p.get("target") or {}
    ecs = target.get("ecsParameters")
    if not isinstance(ecs, Mapping):
        return
    if (ecs.get("networkConfiguration") or {}).get("assignPublicIp") is True:
        yield "the schedule gives the tasks it runs public IP addresses"
    if not (target.get("deadLetterConfig") or {}).get("arn"):
        yield "the schedule runs ECS tasks without a dead-letter queue"


def _no_host_pid(p: Mapping[str, Any]) -> Iterable[str]:
    if p.get("pidMode") == "host":
        yield "the task shares the host's process namespace (pidMode: host)"


def _no_privileged(p: Mapping[str, Any]) -> Iterable[str]:
    for c in containers(p):
        if c.get("privileged") is True:
            yield f"container {c.get('name')} is privileged"


def _readonly_root(p: Mapping[str, Any]) -> Iterable[str]:
    for c in containers(p):
        if c.get("readonlyRootFilesystem") is not True:
            yield f"container {c.get('name')} has a writable root filesystem"


def _no_credentials(p: Mapping[str, Any]) -> Iterable[str]:
    for c in containers(p):
        for env in c.get("environment") or []:
            if not isinstance(env, Mapping):
                continue
            name, value = env.get("name"), env.get("value")
            what = facts.credential_in(name if isinstance(name, str) else "", value if isinstance(value, str) else "")
            if what == "its name":
                yield f"container {c.get('name')} has {name} in its plain environment"
            elif what:
                yield f"container {c.get('name')} has {what} in its plain environment ({name})"


def _logging(p: Mapping[str, Any]) -> Iterable[str]:
    for c in containers(p):
        if not (c.get("logConfiguration") or {}).get("logDriver"):
            yield f"container {c.get('name')} has no log configuration"


def _fargate_latest(p: Mapping[str, Any]) -> Iterable[str]:
    providers = {s.get("capacityProvider") for s in p.get("capacityProviderStrategies") or []}
    fargate = p.get("launchType") == "FARGATE" or bool(providers & {"FARGATE", "FARGATE_SPOT"})
    if fargate and p.get("platformVersion") not in (None, "LATEST"):
        yield f"the Fargate service pins platform version {p.get('platformVersion')} instead of LATEST"


def _container_insights(p: Mapping[str, Any]) -> Iterable[str]:
    values = {s.get("value") for s in p.get("settings") or [] if s.get("name") == "containerInsights"}
    if not values & {"enabled", "enhanced"}:
        yield "the cluster has Container Insights off"


def _tagged(p: Mapping[str, Any]) -> Iterable[str]:
    if not tags_of(p):
        yield "the resource has no tags"


def _no_host_network(p: Mapping[str, Any]) -> Iterable[str]:
    if p.get("networkMode") == "host":
        yield "the task uses the host network mode"


def _efs_in_transit(p: Mapping[str, Any]) -> Iterable[str]:
    for vol in p.get("volumes") or []:
        efs = vol.get("efsVolumeConfiguration")
        if efs and efs.get("transitEncryption") != "ENABLED":
            yield f"EFS volume {vol.get('name')} is mounted without transit encryption"


def _termination_protection(p: Mapping[str, Any]) -> Iterable[str]:
    if (p.get("autoScalingGroupProvider") or {}).get("managedTerminationProtection") != "ENABLED":
        yield "the capacity provider has no managed termination protection"


def is_volume_init(c: Mapping[str, Any]) -> bool:
    """The platform's ``volume-init`` container (``containers.volume_init_definition``), a
    documented ECS.20 exception: uid 0 only to chmod the task's scratch volumes, with every
    capability dropped, a read-only root, no ports, not essential."""
    caps = (c.get("linuxParameters") or {}).get("capabilities") or {}
    return (
        c.get("name") == VOLUME_INIT_CONTAINER
        and c.get("essential") is False
        and caps.get("drop") == ["ALL"]
        and not caps.get("add")
        and c.get("readonlyRootFilesystem") is True
        and not c.get("portMappings")
    )


def _non_root(p: Mapping[str, Any]) -> Iterable[str]:
    if (p.get("runtimePlatform") or {}).get("operatingSystemFamily", "LINUX") != "LINUX":
        return
    for c in containers(p):
        if is_volume_init(c):
            continue
        user = c.get("user")
        if not user:
            yield f"container {c.get('name')} sets no user (runs as its image's, often root)"
        elif facts.is_root_user(str(user)):
            yield f"container {c.get('name')} runs as root ({user})"


def _drop_invalid_headers(p: Mapping[str, Any]) -> Iterable[str]:
    if (
        p.get("loadBalancerType", "application") == "application"
        and p.get("dropInvalidHeaderFields") is not True
    ):
        yield "the load balancer forwards invalid header fields"


def _access_logs(p: Mapping[str, Any]) -> Iterable[str]:
    if not (p.get("accessLogs") or {}).get("enabled"):
        yield "the load balancer writes no access logs"


def _deletion_protection(p: Mapping[str, Any]) -> Iterable[str]:
    if p.get("enableDeletionProtection") is not True:
        yield "the load balancer has no deletion protection"


def _desync(p: Mapping[str, Any]) -> Iterable[str]:
    if p.get("desyncMitigationMode", "defensive") not in ("defensive", "strictest"):
        yield f"desync mitigation is {p.get('desyncMitigationMode')} (not defensive or strictest)"


def _several_zones(p: Mapping[str, Any]) -> Iterable[str]:
    subnets, mappings = p.get("subnets"), p.get("subnetMappings")
    if not isinstance(subnets, list) and not isinstance(mappings, list):
        return  # not known yet (preview)
    ids = {str(s) for s in subnets or []}
    ids |= {str(m.get("subnetId")) for m in mappings or [] if isinstance(m, Mapping)}
    if len(ids) < 2:
        yield "the load balancer is in fewer than two zones"


def _policy_documents(p: Mapping[str, Any]) -> Iterable[tuple[str, Any]]:
    """(label, document) of every identity policy a resource carries: ``policy`` of a
    role/user/group policy or a managed policy, each of a role's ``inlinePolicies``."""
    if p.get("policy") is not None:
        yield "", p["policy"]
    for inline in _listify(p.get("inlinePolicies")):
        if isinstance(inline, Mapping) and inline.get("policy") is not None:
            yield f"inline policy {inline.get('name', '?')}: ", inline["policy"]


def _no_wildcards(p: Mapping[str, Any]) -> Iterable[str]:
    for label, document in _policy_documents(p):
        for st in statements(document):
            if st.get("Effect", "Allow") != "Allow":
                continue
            sid = f"{label}statement {st.get('Sid', '?')}"
            # Allow with NotAction / NotResource grants everything but what it lists.
            if "NotAction" in st:
                yield f"{sid} allows every action but {json.dumps(st['NotAction'])} (NotAction)"
            if "NotResource" in st:
                yield f"{sid} applies to every resource but {json.dumps(st['NotResource'])} (NotResource)"
            actions = [str(a) for a in _listify(st.get("Action"))]
            for action in actions:
                if facts.is_wildcard(action):
                    yield f"{sid} allows every action ({action})"
            for resource in (str(r) for r in _listify(st.get("Resource"))):
                # "*" only where AWS offers no resource-level permission (the rule task-role grants follow).
                if facts.is_wildcard(resource) and not all_unscoped(actions):
                    yield f"{sid} applies to every resource ({resource})"


def _no_broad_managed_policies(p: Mapping[str, Any]) -> Iterable[str]:
    arns = _listify(p.get("policyArn")) + _listify(p.get("policyArns")) + _listify(p.get("managedPolicyArns"))
    for arn in arns:
        if isinstance(arn, str) and BROAD_MANAGED_POLICY_RE.match(arn.strip()):
            name = arn.strip().rsplit("/", 1)[-1]
            yield f"attaches the AWS managed policy {name} (allowed: policies that name actions and resources)"


def _one(value: Any) -> str | None:
    """A condition value naming exactly one thing (a string, or a list of one)."""
    values = _listify(value)
    return str(values[0]) if len(values) == 1 and isinstance(values[0], str) else None


def trust_problems(statement: Mapping[str, Any], own_account: str | None = None) -> list[str]:
    """What makes one trust statement differ from every form AWS documents for its service
    principal (``facts.TRUST_FORMS``, the table the components build roles from): one service
    principal, ``sts:AssumeRole``, exactly the documented conditions, each naming one account
    (the role's own, when known) and, for ``aws:SourceArn``, the documented service."""
    principal = statement.get("Principal") or {}
    services = _listify(principal.get("Service")) if isinstance(principal, Mapping) else []
    known = sorted({f.service for f in facts.TRUST_FORMS.values()})
    if not (isinstance(principal, Mapping) and set(principal) == {"Service"} and len(services) == 1):
        return [f"the role trusts {json.dumps(principal)} (allowed: exactly one service principal)"]
    service = str(services[0])
    forms = [f for f in facts.TRUST_FORMS.values() if f.service == service]
    if not forms:
        return [f"the role trusts {service}, which has no documented trust form here (allowed: {', '.join(known)})"]
    out: list[str] = []
    if statement.get("Effect", "Allow") != "Allow" or _listify(statement.get("Action")) != ["sts:AssumeRole"]:
        out.append(f"the statement is not Allow sts:AssumeRole ({statement.get('Effect')} "
                   f"{json.dumps(statement.get('Action'))})")  # fmt: skip
    condition = statement.get("Condition") or {}
    shape = {op: sorted(keys) for op, keys in condition.items()} if isinstance(condition, Mapping) else None

    expected = facts.trust_condition_keys

    form = next((f for f in forms if expected(f) == shape), None)
    if form is None:
        allowed = "; ".join(f"{json.dumps(expected(f)) if expected(f) else 'no conditions'} ({f.guide})" for f in forms)
        return [*out, f"the trust conditions {json.dumps(shape)} for {service} are not a documented form "
                      f"(allowed: {allowed})"]  # fmt: skip
    account = None
    if form.source_account:
        raw = condition["StringEquals"]["aws:SourceAccount"]
        account = _one(raw)
        if account is None:
            out.append(f"aws:SourceAccount {json.dumps(raw)} lists more than one account (allowed: the role's own)")
        elif own_account is not None and account != own_account:
            out.append(f"aws:SourceAccount {account} is another account than the role's own ({own_account})")
    if form.source_arn_operator:
        raw = condition[form.source_arn_operator]["aws:SourceArn"]
        arn = _one(raw)
        parts = arn.split(":") if arn else []
        if arn is None or len(parts) != 6 or parts[0] != "arn" or parts[5] != form.source_arn_resource:
            out.append(f"aws:SourceArn {json.dumps(raw)} is not one ARN arn:<partition>:"
                       f"{form.source_arn_service}:<region>:<account>:{form.source_arn_resource}")  # fmt: skip
        elif parts[2] != form.source_arn_service:
            out.append(f"aws:SourceArn {arn} names service {parts[2]} (allowed: {form.source_arn_service})")
        elif parts[4] != (account or own_account or parts[4]):
            out.append(f"aws:SourceArn {arn} names account {parts[4]}, another account than "
                       f"{account or own_account}")  # fmt: skip
    return out


def _trust_scoped(p: Mapping[str, Any]) -> Iterable[str]:
    arn = str(p.get("arn") or "")
    own_account = arn.split(":")[4] if arn.startswith("arn:") and arn.count(":") >= 5 else None
    for st in statements(p.get("assumeRolePolicy")):
        yield from trust_problems(st, own_account or None)


def _role_identity(role: str) -> tuple[str | None, str]:
    """(account or None, lower-case name) of a role given by ARN or by name: ECS takes
    either, a role's path is not part of its identity, and IAM role names are unique
    without regard to case (IAM quotas, "IAM name requirements")."""
    role = role.strip()
    if role.startswith("arn:"):
        fields = role.split(":", 5)
        account = fields[4] if len(fields) == 6 else None
        return account or None, role.rsplit("/", 1)[-1].lower()
    return None, role.rsplit("/", 1)[-1].lower()


def _distinct_roles(p: Mapping[str, Any]) -> Iterable[str]:
    execution, task = p.get("executionRoleArn"), p.get("taskRoleArn")
    if not (isinstance(execution, str) and isinstance(task, str) and execution.strip() and task.strip()):
        return
    (acct_e, name_e), (acct_t, name_t) = _role_identity(execution), _role_identity(task)
    if name_e == name_t and (acct_e is None or acct_t is None or acct_e == acct_t):
        yield "the execution role is also the task role"


def _described(p: Mapping[str, Any]) -> Iterable[str]:
    if not p.get("description") or p.get("description") == "Managed by Pulumi":
        yield "the security group or rule has no description"


def _retention(p: Mapping[str, Any]) -> Iterable[str]:
    if not p.get("retentionInDays"):
        yield "the log group keeps logs forever (no retention)"


# --- network exposure ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Ingress:
    """One ingress permission, whatever resource spells it: protocol (``all`` for -1),
    port range (all ports for ``all``) and the IPv4/IPv6 CIDR blocks it admits."""

    protocol: str
    ports: tuple[int, int]
    cidrs: tuple[str, ...]

    def covers(self, other: Ingress) -> bool:
        """Whether this permission admits everything ``other`` admits (addresses aside)."""
        same = self.protocol == "all" or self.protocol == other.protocol
        return same and self.ports[0] <= other.ports[0] and other.ports[1] <= self.ports[1]

    def describe(self) -> str:
        if self.protocol == "all":
            return "all protocols and ports"
        return f"{self.protocol} {self.ports[0]}-{self.ports[1]}"


#: AWS's protocol names and numbers (EC2 IpPermission: "-1" or "all" means every protocol).
_PROTOCOLS = {"-1": "all", "all": "all", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}


def ingress_of(protocol: Any, from_port: Any, to_port: Any, *cidrs: Any) -> Ingress:
    proto = str(protocol if protocol is not None else "all").strip().lower()
    proto = _PROTOCOLS.get(proto, proto)
    if proto == "all":
        ports = (0, 65535)
    else:
        lo = int(from_port) if isinstance(from_port, (int, float)) and from_port >= 0 else 0
        hi = int(to_port) if isinstance(to_port, (int, float)) and to_port >= 0 else 65535
        ports = (lo, hi)
    flat = tuple(str(c) for cidr in cidrs for c in _listify(cidr) if c)
    return Ingress(proto, ports, flat)


def covers_everyone(cidrs: Iterable[str]) -> bool:
    """Whether CIDR blocks together admit every IPv4 or every IPv6 address: ``0.0.0.0/0``,
    but also ``0.0.0.0/1`` with ``128.0.0.0/1``, ``::/1`` with ``8000::/1``, ..."""
    v4: list[ipaddress.IPv4Network] = []
    v6: list[ipaddress.IPv6Network] = []
    for cidr in cidrs:
        try:
            net = ipaddress.ip_network(cidr.strip(), strict=False)
        except ValueError:
            continue
        if isinstance(net, ipaddress.IPv4Network):
            v4.append(net)
        else:
            v6.append(net)
    whole_v4 = [n.prefixlen for n in ipaddress.collapse_addresses(v4)] == [0]
    whole_v6 = [n.prefixlen for n in ipaddress.collapse_addresses(v6)] == [0]
    return whole_v4 or whole_v6


def world_facing(rule: Ingress, group: Sequence[Ingress]) -> bool:
    """Whether ``rule``'s ports are open to every address, by itself or together with the
    other rules of its security group that admit those ports too."""
    return covers_everyone(c for other in (rule, *group) if other.covers(rule) for c in other.cidrs)


def _inline_ingress(p: Mapping[str, Any]) -> list[Ingress]:
    return [
        ingress_of(r.get("protocol"), r.get("fromPort"), r.get("toPort"), r.get("cidrBlocks"), r.get("ipv6CidrBlocks"))
        for r in _listify(p.get("ingress"))
        if isinstance(r, Mapping)
    ]


def _no_inline_world_ingress(p: Mapping[str, Any]) -> Iterable[str]:
    rules = _inline_ingress(p)
    for rule in rules:
        if world_facing(rule, rules):
            yield f"an inline ingress rule admits the whole internet on {rule.describe()}"


RESOURCE_RULES: tuple[ResourceRule, ...] = (
    ResourceRule(
        "ecs-2-no-public-ip", "ECS.2", "ECS services do not assign public IPs", (SERVICE,), _no_public_ip
    ),
    ResourceRule(
        "ecs-scheduled-task-private",
        None,
        "Scheduled ECS tasks get no public IP, and failed invocations go to a dead-letter queue",
        (SCHEDULE,),
        _scheduled_task_private,
    ),
    ResourceRule(
        "ecs-3-no-host-pid",
        "ECS.3",
        "Task definitions do not share the host's process namespace",
        (TASK,),
        _no_host_pid,
    ),
    ResourceRule("ecs-4-no-privileged", "ECS.4", "Containers are not privileged", (TASK,), _no_privileged),
    ResourceRule(
        "ecs-5-read-only-root",
        "ECS.5",
        "Containers have read-only root filesystems",
        (TASK,),
        _readonly_root,
        waivable=True,
    ),
    ResourceRule(
        "ecs-8-no-env-credentials",
        "ECS.8",
        "No credentials in container environment variables",
        (TASK,),
        _no_credentials,
    ),
    ResourceRule("ecs-9-logging", "ECS.9", "Every container has a log configuration", (TASK,), _logging),
    ResourceRule(
        "ecs-10-fargate-latest",
        "ECS.10",
        "Fargate services run the latest platform version",
        (SERVICE,),
        _fargate_latest,
    ),
    ResourceRule(
        "ecs-12-container-insights",
        "ECS.12",
        "Clusters use Container Insights",
        (CLUSTER,),
        _container_insights,
        waivable=True,
    ),
    ResourceRule("ecs-13-service-tags", "ECS.13", "ECS services are tagged", (SERVICE,), _tagged),
    ResourceRule("ecs-14-cluster-tags", "ECS.14", "ECS clusters are tagged", (CLUSTER,), _tagged),
    ResourceRule(
        "ecs-15-task-definition-tags", "ECS.15", "ECS task definitions are tagged", (TASK,), _tagged
    ),
    ResourceRule(
        "ecs-17-no-host-network",
        "ECS.17",
        "Task definitions do not use host networking",
        (TASK,),
        _no_host_network,
        waivable=True,
    ),
    ResourceRule(
        "ecs-18-efs-in-transit", "ECS.18", "EFS volumes use transit encryption", (TASK,), _efs_in_transit
    ),
    ResourceRule(
        "ecs-19-termination-protection",
        "ECS.19",
        "Capacity providers have managed termination protection",
        (CAPACITY_PROVIDER,),
        _termination_protection,
    ),
    ResourceRule(
        "ecs-20-non-root-user",
        "ECS.20",
        "Linux containers run as a non-root user",
        (TASK,),
        _non_root,
        waivable=True,
    ),
    ResourceRule(
        "elb-4-drop-invalid-headers",
        "ELB.4",
        "Load balancers drop invalid HTTP headers",
        LB_TYPES,
        _drop_invalid_headers,
    ),
    ResourceRule(
        "elb-5-access-logs", "ELB.5", "Load balancers write access logs", LB_TYPES, _access_logs, waivable=True
    ),
    ResourceRule(
        "elb-6-deletion-protection",
        "ELB.6",
        "Load balancers have deletion protection",
        LB_TYPES,
        _deletion_protection,
        waivable=True,
    ),
    ResourceRule(
        "elb-12-desync-mitigation",
        "ELB.12",
        "Load balancers mitigate HTTP desync (defensive or strictest)",
        LB_TYPES,
        _desync,
    ),
    ResourceRule(
        "elb-13-several-zones", "ELB.13", "Load balancers span several zones", LB_TYPES, _several_zones
    ),
    ResourceRule(
        "iam-no-wildcards",
        None,
        "IAM policies name actions and resources (no wildcard, NotAction or NotResource)",
        (ROLE_POLICY, POLICY, USER_POLICY, GROUP_POLICY, ROLE),
        _no_wildcards,
    ),
    ResourceRule(
        "iam-no-broad-managed-policies",
        None,
        "No administrator, power-user, read-only, job-function or full-access AWS managed policy is attached",
        (ROLE, ROLE_POLICY_ATTACHMENT, POLICY_ATTACHMENT, USER_POLICY_ATTACHMENT, GROUP_POLICY_ATTACHMENT,
         ROLE_POLICY_ATTACHMENTS),
        _no_broad_managed_policies,
    ),
    ResourceRule(
        "iam-trust-scoped",
        None,
        "Roles trust one service principal, with exactly the conditions its AWS guide shows, for this account only",
        (ROLE,),
        _trust_scoped,
    ),
    ResourceRule(
        "ecs-distinct-roles", None, "A task's execution role is not its task role", (TASK,), _distinct_roles
    ),
    ResourceRule(
        "sg-described",
        None,
        "Security groups and their rules have descriptions",
        (SG, SG_RULE, INGRESS, EGRESS),
        _described,
    ),
    ResourceRule(
        "sg-no-inline-world-ingress",
        None,
        "Security groups have no inline ingress from anywhere (however split)",
        (SG,),
        _no_inline_world_ingress,
    ),
    ResourceRule("logs-retention", None, "Log groups have a retention", (LOG_GROUP,), _retention),
)


# --- stack rules (need more than one resource) -------------------------------------------------------


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


def _deps(resource: PolicyResource, prop: str) -> list[PolicyResource]:
    return list((resource.property_dependencies or {}).get(prop) or [])


def _http_redirects(resources: Sequence[PolicyResource]) -> Iterable[tuple[str, str]]:
    for r in resources:
        if r.resource_type not in LISTENER_TYPES or r.props.get("protocol") != "HTTP":
            continue
        actions = r.props.get("defaultActions") or []
        redirect = next((a for a in actions if a.get("type") == "redirect"), None)
        if redirect and (redirect.get("redirect") or {}).get("protocol") == "HTTPS":
            continue
        lbs = _deps(r, "loadBalancerArn")
        if lbs and all(waived(lb.props, "ELB.1") for lb in lbs):
            continue
        yield "the HTTP listener serves plain HTTP instead of redirecting to HTTPS", r.urn


def _standalone_ingress(r: PolicyResource) -> Ingress | None:
    p = r.props
    if r.resource_type == INGRESS:
        return ingress_of(p.get("ipProtocol"), p.get("fromPort"), p.get("toPort"), p.get("cidrIpv4"), p.get("cidrIpv6"))
    if r.resource_type == SG_RULE and p.get("type") == "ingress":
        return ingress_of(p.get("protocol"), p.get("fromPort"), p.get("toPort"), p.get("cidrBlocks"),
                          p.get("ipv6CidrBlocks"))  # fmt: skip
    return None


def _world_ingress(resources: Sequence[PolicyResource]) -> Iterable[tuple[str, str]]:
    # A public load balancer's group may admit the world on 80 and 443 over TCP, and on the ports
    # of its other listeners (the test listeners of blue/green, linear and canary deployments).
    listener_ports: dict[str, set[int]] = {}
    for listener in resources:
        if listener.resource_type in LISTENER_TYPES and isinstance(listener.props.get("port"), int):
            for lb in _deps(listener, "loadBalancerArn"):
                listener_ports.setdefault(lb.urn, set()).add(listener.props["port"])
    open_ports: dict[str, set[int]] = {}
    for lb in resources:
        if lb.resource_type in LB_TYPES and not lb.props.get("internal"):
            for sg in _deps(lb, "securityGroups"):
                open_ports.setdefault(sg.urn, set()).update({80, 443} | listener_ports.get(lb.urn, set()))
    # Every ingress permission of each security group (by URN, or by the literal id of a
    # group created elsewhere), so that blocks split over several rules add up.
    standalone: list[tuple[PolicyResource, Ingress, tuple[str, ...]]] = []
    pools: dict[tuple[str, ...], list[Ingress]] = {}
    for r in resources:
        rule = _standalone_ingress(r)
        if rule is None:
            continue
        key = tuple(sorted(g.urn for g in _deps(r, "securityGroupId"))) or (
            f"id:{r.props.get('securityGroupId') or r.urn}",)
        standalone.append((r, rule, key))
        pools.setdefault(key, []).append(rule)
    for r in resources:
        if r.resource_type == SG and (r.urn,) in pools:
            pools[(r.urn,)] += _inline_ingress(r.props)
    for r, rule, key in standalone:
        if not world_facing(rule, pools[key]):
            continue
        groups = {k for k in key if not k.startswith("id:")}
        port, last = rule.ports
        if (groups and rule.protocol == "tcp" and port == last
                and all(port in open_ports.get(g, set()) for g in groups)):  # fmt: skip
            continue
        split = "" if covers_everyone(rule.cidrs) else f" ({', '.join(rule.cidrs)} with the group's other rules)"
        yield (f"ingress from anywhere on {rule.describe()}{split} "
               "(allowed: only a public load balancer's 80, 443 and its listeners' ports, over TCP)"), r.urn  # fmt: skip


def _task_roles_scoped(resources: Sequence[PolicyResource]) -> Iterable[tuple[str, str]]:
    """A role a task definition names as its task role carries the task role's documented
    conditions (the bare ecs-tasks trust is the execution role's form only)."""
    want = facts.trust_document("task", "0", "r")["Statement"][0]["Condition"]
    for task in resources:
        if task.resource_type != TASK:
            continue
        for role in _deps(task, "taskRoleArn"):
            if role.resource_type != ROLE:
                continue
            for st in statements(role.props.get("assumeRolePolicy")):
                if set(st.get("Condition") or {}) != set(want):
                    yield (f"the task role trusts ecs-tasks without the task role's conditions "
                           f"({', '.join(sorted(want))}; {facts.TRUST_FORMS['task'].guide})"), role.urn  # fmt: skip


VPC = "aws:ec2/vpc:Vpc"
AWSX_VPC = "awsx:ec2:Vpc"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"


def _vpcs(resources: Sequence[PolicyResource]) -> list[PolicyResource]:
    """Every VPC the stack creates: ``aws:ec2/vpc:Vpc``, and an awsx VPC whose child VPC is not
    in view (the mock engine registers awsx components without their children)."""
    with_child = {r.parent.urn for r in resources if r.resource_type == VPC and r.parent is not None}
    return [r for r in resources
            if r.resource_type == VPC or (r.resource_type == AWSX_VPC and r.urn not in with_child)]  # fmt: skip


def _covers(guard: PolicyResource, vpc: PolicyResource) -> bool:
    """``guard``'s ``vpcId`` comes from ``vpc`` (or from the awsx component around it)."""
    sources = {d.urn for d in _deps(guard, "vpcId")}
    return vpc.urn in sources or (vpc.parent is not None and vpc.parent.urn in sources)


def _vpc_flow_logs(resources: Sequence[PolicyResource]) -> Iterable[tuple[str, str]]:
    logs = [r for r in resources if r.resource_type == FLOW_LOG and r.props.get("trafficType") == "ALL"]
    for vpc in _vpcs(resources):
        if not waived(vpc.props, "EC2.6") and not any(_covers(log, vpc) for log in logs):
            yield "the VPC has no flow log of all its traffic (allowed: flowLogs: true, the default)", vpc.urn


def _default_sg_closed(resources: Sequence[PolicyResource]) -> Iterable[tuple[str, str]]:
    groups = [r for r in resources if r.resource_type == DEFAULT_SG]
    for vpc in _vpcs(resources):
        mine = [g for g in groups if _covers(g, vpc)]
        if not mine:
            yield "the VPC's default security group is left with AWS's default rules (allowed: none)", vpc.urn
        for g in mine:
            if g.props.get("ingress") or g.props.get("egress"):
                yield "the VPC's default security group has rules (allowed: none)", g.urn


STACK_RULES: tuple[StackRule, ...] = (
    StackRule("elb-1-http-redirects", "ELB.1", "HTTP listeners redirect to HTTPS", _http_redirects),
    StackRule("iam-task-role-trust", None, "Task roles trust ECS only on behalf of this account's ECS",
              _task_roles_scoped),
    StackRule("sg-no-world-ingress", None,
              "Nothing admits the internet but a public load balancer's 80/443 and listener ports", _world_ingress),
    StackRule("ec2-2-default-sg-closed", "EC2.2", "A created VPC's default security group has no rules",
              _default_sg_closed),
    StackRule("ec2-6-vpc-flow-logs", "EC2.6", "A created VPC logs all its traffic", _vpc_flow_logs),
)  # fmt: skip


def policies() -> list[ResourceValidationPolicy | StackValidationPolicy]:
    return [r.policy() for r in RESOURCE_RULES] + [r.policy() for r in STACK_RULES]
