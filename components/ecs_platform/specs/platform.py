"""The whole stack's model: network, cluster, services, load balancer, tags.

``PlatformSpec`` is what stack config validates into (``ecs-platform:<key>``
is its field ``<key>``) and what a program that runs the whole platform builds
itself. Rules that need the deployment's context (its stack name, region and the
region's zones) live in :func:`context_problems`, which both the config loader
and :class:`~ecs_platform.platform.Platform` run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Self

from pydantic import model_validator

from ecs_platform import facts as f
from ecs_platform.errors import allowed, show
from ecs_platform.specs import task_policy
from ecs_platform.specs.arns import partition_problem, task_arn_problems
from ecs_platform.specs.base import Loc, raise_problems, render_loc
from ecs_platform.specs.cluster import ClusterSpec
from ecs_platform.specs.daemon import DaemonSpec, daemon_problems
from ecs_platform.specs.deployment import DeploymentSpec
from ecs_platform.specs.fields import ServiceName, TagKey, TagValue
from ecs_platform.specs.job import JobSpec
from ecs_platform.specs.lattice import LatticeSpec, lattice_context_problems, lattice_problems
from ecs_platform.specs.load_balancer import LoadBalancerSpec
from ecs_platform.specs.network import NetworkSpec
from ecs_platform.specs.nlb import nlb_problems
from ecs_platform.specs.placeholders import placeholder_problems
from ecs_platform.specs.provider import AwsProviderSpec
from ecs_platform.specs.routing import assign, clashes, covers, earlier_assignment
from ecs_platform.specs.service import RouteSpec, ServiceSpec, definition_size_problems, network_mode, placement_problems
from ecs_platform.specs.service_connect import (
    ServiceConnectStackSpec,
    service_connect_context_problems,
    service_connect_problems,
)
from ecs_platform.specs.task import TaskSpec

#: The service a stack runs when config has no ``services`` key: a public,
#: unprivileged nginx that passes our own defaults (non-root user, read-only
#: root filesystem with a scratch /tmp, container health check).
SAMPLE_SERVICES: dict[str, Any] = {
    "web": {
        "image": "public.ecr.aws/nginx/nginx-unprivileged:1.27-alpine",
        "port": 8080,
        "public": True,
        "user": "101:101",
        "writablePaths": ["/tmp"],
        "healthCheck": {
            "command": "wget -q -O /dev/null http://localhost:8080/ || exit 1",
            "startPeriod": 10,
        },
    }
}


def sample_services(launch_type: Any) -> dict[str, Any]:
    """The sample, public unless it runs on EXTERNAL machines (no load balancer there)."""
    if launch_type != "EXTERNAL":
        return SAMPLE_SERVICES
    return {name: {k: v for k, v in svc.items() if k != "public"} for name, svc in SAMPLE_SERVICES.items()}


@dataclass(frozen=True)
class StackContext:
    """Where a platform is deployed: what its rules and names need beyond the spec."""

    project: str
    """The Pulumi project (``ecs-platform``): names are ``<project>-<stack>-...``."""
    stack: str
    """The stack (``dev``, ``prod``): a production name needs a waiver for plain HTTP."""
    region: str
    """The AWS region. A certificate and a KMS key must be in it."""
    zones: Mapping[str, str] | None = None
    """The region's zones, zone ID (``use1-az1``) -> this account's zone name (``us-east-1c``);
    ``None`` skips the zone rules (the zones the network uses must then come from the spec's
    ``vpc``)."""
    account: str | None = None
    """The AWS account deployed to (the caller identity), when known: a certificate must be in it."""
    aws_provider: AwsProviderSpec | None = None
    """Who the AWS provider is (stack config's ``aws:profile``, keys, ``aws:assumeRoles``): a
    pre-deploy run acts as the same account and role. ``None``: the default credential chain."""
    offline: bool = False
    """Evaluated by the mock engine (tests, the offline preview): the example stacks' placeholder
    values (AWS's example account ``123456789012``, ``example.com``) are accepted there, and refused
    anywhere else."""

    @property
    def prefix(self) -> str:
        return f"{self.project}-{self.stack}"


class PlatformSpec(NetworkSpec, ClusterSpec):
    """Everything a stack asks for: network, cluster, services, load balancer, tags."""

    services: dict[ServiceName, ServiceSpec] = {}
    """Service name (1-32 lowercase letters, digits and hyphens) -> its settings. ``{}``: no service,
    a cluster with its capacity only (with ``jobs``, a stack of jobs; without, the cluster plus a shared
    execution role and task role for the tasks other programs run on it, the seed's basic-ecs-cluster).
    No load balancer unless a service is public. Default (key omitted): one sample ``web`` service
    (public nginx)."""
    tags: dict[TagKey, TagValue] = {}
    """Extra tags for every resource, on top of ``Project``, ``Stack``, ``ManagedBy``. Default none."""
    load_balancer: LoadBalancerSpec = LoadBalancerSpec()
    """The application load balancer, created when a service is public. Default: the settings'
    defaults."""
    lattice: LatticeSpec | None = None
    """VPC Lattice: ``{serviceNetwork: create | <service network ARN>}``, the service network that
    services with ``lattice`` join. Default: none."""
    service_connect: ServiceConnectStackSpec | None = None
    """Service Connect, for services with ``callers``: ``{tls: {privateCaArn, kmsKey}}`` encrypts their
    traffic with certificates ECS issues from an AWS Private CA. Default: no TLS."""
    jobs: dict[ServiceName, JobSpec] = {}
    """Job name (the service name rules, and no service's name) -> a task that runs to completion:
    on a ``schedule``, before services deploy (``runBefore``), or on demand. Default none."""
    daemons: dict[ServiceName, DaemonSpec] = {}
    """Daemon name (the service name rules, and no service's or job's name) -> a task that runs
    exactly once on every instance of the ``EC2``, ``EXTERNAL`` or ``MANAGED_INSTANCES`` capacity
    (log, metrics and security agents); refused on Fargate. Default none."""

    @model_validator(mode="before")
    @classmethod
    def _sample_when_no_services(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and "services" not in data:
            launch_type = data.get("launchType", data.get("launch_type", "FARGATE"))
            return {**data, "services": sample_services(launch_type)}
        return data

    @property
    def shares_task_roles(self) -> bool:
        """A stack with neither services nor jobs: the cluster gets a shared execution role and task
        role for the tasks other programs run on it."""
        return not self.services and not self.jobs

    @property
    def public_services(self) -> list[str]:
        return [name for name, svc in self.services.items() if svc.is_public]

    @property
    def application_services(self) -> list[str]:
        """Public services behind the application load balancer (``protocol: HTTP``)."""
        return [name for name, svc in self.services.items() if svc.on_application_load_balancer]

    @property
    def network_services(self) -> list[str]:
        """Public services behind the network load balancer (TCP, UDP, TCP_UDP, TLS)."""
        return [name for name, svc in self.services.items() if svc.on_network_load_balancer]

    def tasks(self) -> list[tuple[Loc, TaskSpec]]:
        """Every task of the stack with its key path: the services', the jobs', then the daemons'."""
        return [(("services", n), s) for n, s in self.services.items()] + [
            (("jobs", n), j) for n, j in self.jobs.items()] + [
            (("daemons", n), d) for n, d in self.daemons.items()]  # fmt: skip

    @model_validator(mode="after")
    def _platform_rules(self) -> Self:
        problems: list[tuple[Loc, str]] = []
        for name, svc in self.services.items():
            problems += placement_problems(svc, self, ("services", name))
        problems += _route_problems(self.services)
        problems += _caller_problems(self)
        problems += [(("services", n, "sidecars", n), "is the name of the application container, which is the "
                      "service's (allowed: another name)") for n, svc in self.services.items() if n in svc.sidecars]
        problems += (_capacity_problems(self) + _tag_problems(self) + _job_problems(self) + _queue_problems(self)
                     + _deployment_problems(self) + daemon_problems(self.daemons, self.services, self.jobs, self))
        for key in self.tags:
            if key in f.RESERVED_TAG_KEYS:
                problems.append((("tags", key), f"overrides the platform's own {key} tag "
                                                f"(allowed: keys other than {allowed(f.RESERVED_TAG_KEYS)})"))
            elif key.startswith(f.WAIVER_TAG):
                problems.append((("tags", key), "is a waiver tag, which only the documented switches set "
                                                "(allowed: another key; turn a control off with its own setting)"))
        lb = self.load_balancer
        zone_key: Loc = ("azCount",) if self.vpc is None else (
            "vpc", "privateSubnetIds" if lb.internal else "publicSubnetIds")  # fmt: skip
        zones = self.az_count if self.vpc is None else len(
            self.vpc.private_subnet_ids if lb.internal else self.vpc.public_subnet_ids)  # fmt: skip
        problems += nlb_problems(self.services, lb, self, (zone_key, zones))
        problems += lattice_problems(self.services, self.lattice, {n: (
            self.launch_type_for(s.launch_type, s.capacity_provider_strategy), network_mode(s, self))
            for n, s in self.services.items()})  # fmt: skip
        problems += service_connect_problems(self.services, self.service_connect)
        public = self.application_services
        if public and self.vpc is not None and len(self.vpc.public_subnet_ids) < 2:
            problems.append((("vpc", "publicSubnetIds"), f"{len(self.vpc.public_subnet_ids)} subnet is too few for "
                             "the load balancer (allowed: 2 or more, in different zones)"))  # fmt: skip
        if public and self.vpc is None and self.az_count < 2:
            problems.append((("azCount",), f"{self.az_count} is too few zones for the load balancer of "
                             f"{', '.join(public)} (allowed: 2..6 when a service is public; an application "
                             "load balancer needs subnets in two zones)"))  # fmt: skip
        if public:
            problems += [(("loadBalancer", *loc), msg) for loc, msg in self.load_balancer.serving_problems(public)]
        raise_problems(problems)
        return self

    def spread_zone_ids(self, context: StackContext) -> tuple[str, ...]:
        """The zone IDs a created VPC spreads over: the first ``azCount`` of ``zoneIds``, else of
        the region's IDs in order (none with an existing VPC)."""
        if self.vpc is not None or context.zones is None:
            return ()
        preference = self.zone_ids if self.zone_ids is not None else sorted(context.zones, key=_zone_order)
        return tuple(preference[: self.az_count])

    def zones(self, context: StackContext) -> tuple[str, ...]:
        """The names, in this account, of the zones :meth:`spread_zone_ids` picks (awsx takes names)."""
        zones = context.zones or {}
        return tuple(zones[z] for z in self.spread_zone_ids(context) if z in zones)


def _zone_order(zone_id: str) -> tuple[str, int]:
    """``use1-az2`` before ``use1-az10``."""
    head, _, number = zone_id.rpartition("-az")
    return (head, int(number) if number.isdigit() else 0)


def context_problems(spec: PlatformSpec, context: StackContext) -> list[tuple[Loc, str]]:
    """The rules that need to know where the stack is deployed."""
    out: list[tuple[Loc, str]] = []
    zones = context.zones
    if spec.vpc is None and zones is not None:
        ids = sorted(zones, key=_zone_order)
        if spec.az_count > len(zones):
            out.append((("azCount",), f"{spec.az_count} is more zones than the region has "
                        f"(allowed: 1..{len(zones)}; zones: {allowed(ids)})"))  # fmt: skip
        for i, zone in enumerate(spec.zone_ids or ()):
            if zone not in zones:
                out.append((("zoneIds", i), f"{show(zone)} is not a zone of {context.region} "
                            f"(allowed: {allowed(ids)})"))  # fmt: skip
    out += _arn_problems(spec, context) + _role_policy_problems(spec, context)
    out += lattice_context_problems(spec.lattice, context.region)
    out += service_connect_context_problems(spec.service_connect, context.region)
    for at, task in spec.tasks():
        # The log group is named by prefix plus the provider's 26-character unique suffix.
        name = str(at[-1])
        log_group = f"/ecs/{context.prefix}/{name}-{'0' * 26}"
        out += definition_size_problems(task, spec, name, log_group, context.region, at)
    lb = [(("loadBalancer", *loc), msg)
          for loc, msg in spec.load_balancer.region_problems(context.region, context.account)]  # fmt: skip
    if spec.application_services:
        lb += [(("loadBalancer", *loc), msg) for loc, msg in spec.load_balancer.production_problems(context.stack)]
    key = spec.kms_key
    if isinstance(key, str) and key.startswith("arn:") and key.split(":")[3] != context.region:
        out.append((("kmsKey",), f"{show(key)} is in {key.split(':')[3]}, not the stack's region (allowed: a key "
                    f"in {context.region}, or create; CloudWatch Logs uses keys of its own region)"))  # fmt: skip
    if not context.offline:
        out += placeholder_problems(spec)
    return out + lb


def _arn_problems(spec: PlatformSpec, context: StackContext) -> list[tuple[Loc, str]]:
    """The partition rule (:func:`partition_problem`) on every ARN of the stack."""
    partition = f.PARTITION_OF_REGION.get(context.region)
    if partition is None:
        return []
    out: list[tuple[Loc, str]] = []
    for at, svc in spec.tasks():
        out += task_arn_problems(svc, context.region, at)

    def check(loc: Loc, arn: Any) -> None:
        problem = partition_problem(arn, context.region)
        if problem:
            out.append((loc, problem))

    check(("loadBalancer", "certificateArn"), spec.load_balancer.certificate_arn)
    check(("lattice", "serviceNetwork"), spec.lattice.service_network if spec.lattice else None)
    tls = spec.service_connect.tls if spec.service_connect else None
    check(("serviceConnect", "tls", "privateCaArn"), tls.private_ca_arn if tls else None)
    check(("serviceConnect", "tls", "kmsKey"), tls.kms_key if tls else None)
    for name, svc in spec.services.items():
        for i, principal in enumerate(svc.lattice.principals if svc.lattice else ()):
            check(("services", name, "lattice", "principals", i), principal)
        queue = svc.autoscaling.queue if svc.autoscaling else None
        if queue is not None and (queue.partition, queue.region) != (partition, context.region):
            out.append((("services", name, "autoscaling", "queue", "arn"), f"{show(queue.arn)} is in "
                        f"{queue.partition}/{queue.region}, not the stack's {partition}/{context.region} (allowed: a "
                        f"queue in {context.region}; its CloudWatch metrics, which the scaling policy reads, are "
                        "regional)"))  # fmt: skip
    return out


def _role_policy_problems(spec: PlatformSpec, context: StackContext) -> list[tuple[Loc, str]]:
    """Each role's inline policy, measured as the components will write it, within IAM's
    10,240 characters (the account id is always 12 digits, so the size is exact)."""
    partition = f.PARTITION_OF_REGION.get(context.region, "aws")
    account = "0" * 12
    # The exec log group is named by prefix plus the provider's 26-character unique suffix.
    log_group = f"arn:{partition}:logs:{context.region}:{account}:log-group:/ecs/{context.prefix}/exec-{'0' * 26}"
    key = (
        None
        if spec.kms_key is None
        else f"arn:{partition}:kms:{context.region}:{account}:key/{'0' * 8}-{'0' * 4}-{'0' * 4}-{'0' * 4}-{'0' * 12}"
    )
    out: list[tuple[Loc, str]] = []
    for at, svc in spec.tasks():
        grants = [r for p in svc.permissions for r in p.resources]
        if all(isinstance(r, str) for r in grants):
            statements = task_policy.granted_statements(svc.permissions)
            if svc.exec_enabled:
                statements += task_policy.exec_statements(log_group, key)
            if svc.consumed_queue is not None:
                statements += task_policy.queue_statements(svc.consumed_queue, svc.consumed_queue_key)
            size = task_policy.policy_size(statements)
            if svc.log_router is not None and svc.log_router.default_output:
                # A policy of its own on the same role: IAM's quota is on the role's aggregate.
                group = log_group.replace(f"/exec-{'0' * 26}", f"/{at[-1]}-{'0' * 26}")  # the task's log group
                size += task_policy.policy_size(task_policy.firelens_statements(group))
            problem = task_policy.role_policy_problem(size, "task role")
            if problem:
                out.append(((*at, "permissions"), problem))
        secrets = svc.secret_arns
        keyed = [(k, [str(a) for a in c.secrets.values()]) for c in svc.containers.values() for k in c.secrets_kms_keys]
        if secrets and all(isinstance(a, str) for a in [*secrets, *(k for k, _ in keyed)]):
            size = task_policy.policy_size(task_policy.secrets_statements([str(a) for a in secrets])
                                           + task_policy.secrets_key_statements([(str(k), a) for k, a in keyed]))
            problem = task_policy.role_policy_problem(size, "execution role")
            if problem:
                out.append(((*at, "secrets"), problem))
    return out


def _route_problems(services: Mapping[str, ServiceSpec]) -> list[tuple[Loc, str]]:
    """No two services claim one path pattern on the same hosts, nor the same route (hosts
    compared without case, as the ALB matches them); no two routes pinned to one priority; at
    most 100 rules on the listener; and no route that another service's route, evaluated first,
    hides entirely. A claim names both routes and the rule the load balancer would pick."""
    out: list[tuple[Loc, str]] = []
    routes = [(name, i, route) for name, svc in services.items() for i, route in enumerate(svc.effective_routes)]
    for name, i, route in routes:
        loc: Loc = ("services", name, "routes", i)
        lowered = [h.lower() for h in route.hosts]
        for j, host in enumerate(lowered):
            if host in lowered[:j]:
                first = route.hosts[lowered.index(host)]
                out.append(((*loc, "hosts", j), f"{show(route.hosts[j])} is the host {show(first)} again: the load "
                            "balancer matches hosts without regard to case (allowed: each host once)"))  # fmt: skip
    out += _priority_clash_problems(routes)
    if out:
        return out
    prio = assign(routes)
    out += _claim_problems(routes, prio)
    if out:
        return out
    for a_name, a_i, a in routes:
        for b_name, b_i, b in routes:
            if a_name != b_name and prio[(a_name, a_i)] < prio[(b_name, b_i)] and covers(a, b):
                out.append((("services", b_name, "routes", b_i), f"is never reached: "
                            f"{render_loc(('services', a_name, 'routes', a_i))} (priority {prio[(a_name, a_i)]}) "
                            f"matches every request it matches and is evaluated first (priority "
                            f"{prio[(b_name, b_i)]}) (allowed: a route no other service's route covers, or an "
                            f"explicit priority below {prio[(a_name, a_i)]})"))  # fmt: skip
    return out


def _priority_clash_problems(routes: list[tuple[str, int, RouteSpec]]) -> list[tuple[Loc, str]]:
    """Two rules of the listener on one priority. None is moved to a free one: a live rule
    whose priority depends on another route would move when that route goes, while the
    removed rule still holds the slot (Pulumi deletes last), and ``SetRulePriorities`` fails
    with ``PriorityInUse``. The route asked to pin a priority is the one earlier versions
    moved, and the value suggested is where they put it: a deployed rule stays where it is.
    https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_SetRulePriorities.html"""
    out: list[tuple[Loc, str]] = []
    by_key = {(name, i): route for name, i, route in routes}
    earlier = earlier_assignment(routes)
    for key, other, prio in clashes(routes):
        route, other_route = by_key[key], by_key[other]
        if route.priority is not None and other_route.priority is not None:
            out.append((("services", *key[:1], "routes", key[1]), f"priority {prio} is also the priority of "
                        f"{render_loc(('services', other[0], 'routes', other[1]))} (allowed: a priority (1..50000) "
                        "no other route has)"))  # fmt: skip
            continue
        # The one to pin: a hashed route next to a pinned one, else the one earlier versions moved.
        moved = key if route.priority is None and (other_route.priority is not None or earlier[key] != prio) else other
        kept = other if moved == key else key
        out.append((("services", moved[0], "routes", moved[1]), f"priority {prio} (derived from the service name and "
                    f"route index) is also the priority of {render_loc(('services', kept[0], 'routes', kept[1]))} "
                    f"(allowed: an explicit priority on this route, e.g. priority: {earlier[moved]}, free and in the "
                    "same band; the platform never moves one rule for another)"))  # fmt: skip
    return out


def _claim_problems(
    routes: list[tuple[str, int, RouteSpec]], prio: Mapping[tuple[str, int], int]
) -> list[tuple[Loc, str]]:
    """Two services' routes on the same hosts (both on any host, or sharing one) that list the same
    path pattern, or are the same route: the ALB evaluates rules lowest priority first and the first
    match wins (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-update-rules.html),
    so the other service never gets those requests. Reported at the losing route, naming the winner."""
    out: list[tuple[Loc, str]] = []
    ordered = sorted(routes, key=lambda r: prio[(r[0], r[1])])
    for k, (w_name, w_i, w) in enumerate(ordered):
        for l_name, l_i, lose in ordered[k + 1:]:
            if l_name == w_name:
                continue
            w_hosts, l_hosts = {h.lower() for h in w.hosts}, {h.lower() for h in lose.hosts}
            if bool(w_hosts) != bool(l_hosts) or (w_hosts and not w_hosts & l_hosts):
                continue
            winner = render_loc(("services", w_name, "routes", w_i))
            won = (f"the load balancer evaluates the rule of {winner} first (priority {prio[(w_name, w_i)]} before "
                   f"{prio[(l_name, l_i)]}), so service {w_name} gets these requests")
            loc: Loc = ("services", l_name, "routes", l_i)
            if w_hosts == l_hosts and set(w.paths) == set(lose.paths):
                shown = show({"paths": list(lose.paths), "hosts": list(lose.hosts)})
                out.append((loc, f"{shown} is also the route of {winner}: {won} (allowed: each route on one "
                            "service; hosts are compared without regard to case)"))  # fmt: skip
                continue
            for j, path in enumerate(lose.paths):
                if path in w.paths:
                    hosts = "on any host" if not l_hosts else f"on {', '.join(sorted(w_hosts & l_hosts))}"
                    out.append(((*loc, "paths", j), f"{show(path)} is also claimed by {winner} {hosts}: {won} "
                                "(allowed: a path pattern no other service's route claims on the same hosts)"))
    return out


def test_ports(spec: PlatformSpec) -> dict[str, int]:
    """Public service -> the port of its test listener (services that shift traffic)."""
    return {n: svc.deployment.test_port for n, svc in spec.services.items()
            if svc.is_public and svc.deployment.shifts_traffic and svc.deployment.test_port is not None}  # fmt: skip


def test_ingress_missing(deployment: DeploymentSpec) -> str:
    """The problem of a test listener on an internet-facing load balancer with no sources: the
    load balancer's nodes have public addresses only its clients' public addresses reach, so the
    VPC's CIDR block (the internal default) would admit no one. CreateLoadBalancer "Scheme": "The
    nodes of an Internet-facing load balancer have public IP addresses ... The nodes of an internal
    load balancer have only private IP addresses"
    (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html);
    a task or instance of the VPC reaching it goes out through its NAT gateway, where "the internet
    gateway then maps the private IPv4 address of the public NAT Gateway to the Elastic IP address
    associated with the NAT Gateway" (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html)."""
    shown = "null" if deployment.test_ingress_cidrs is None else "[]"
    return (f"{shown} is missing, and the load balancer is internet-facing: clients reach its test listener "
            "from their own public addresses (or their NAT's), never from the VPC's CIDR block (allowed: the "
            "public CIDR blocks of who tests the new version, e.g. your office or VPN egress 203.0.113.0/24; "
            f"required with strategy {deployment.strategy} unless loadBalancer.internal is true, where the "
            "default is the VPC's CIDR block)")


def _deployment_problems(spec: PlatformSpec) -> list[tuple[Loc, str]]:
    """Test listeners share the load balancer (one port each, and its security group's rules), and a
    deployment awaited must fit in the deploy timeout."""
    out: list[tuple[Loc, str]] = []
    seen: dict[int, str] = {}
    ports = test_ports(spec)
    for name, port in ports.items():
        if port in seen:
            out.append((("services", name, "deployment", "testPort"), f"{port} is also the test port of "
                        f"{seen[port]} (allowed: a port no other service's test listener has)"))  # fmt: skip
        seen.setdefault(port, name)
    lb = spec.load_balancer
    if not lb.internal:
        for name in ports:
            deployment = spec.services[name].deployment
            if not deployment.test_ingress_cidrs:
                out.append((("services", name, "deployment", "testIngressCidrs"), test_ingress_missing(deployment)))
    listener_rules = len(lb.ingress_cidrs) * (2 if lb.https else 1)
    # A test listener admits its service's testIngressCidrs, or the VPC's one block.
    test_rules = {port: len(spec.services[n].deployment.test_ingress_cidrs or ("vpc",)) for port, n in seen.items()}
    rules = listener_rules + sum(test_rules.values())
    if seen and rules > f.MAX_SECURITY_GROUP_RULES:
        out.append((("loadBalancer", "ingressCidrs"), f"{len(lb.ingress_cidrs)} blocks make {rules} inbound rules on "
                    f"the load balancer's security group with the test ports {allowed(sorted(seen))} "
                    f"({listener_rules} for the listeners, {sum(test_rules.values())} for the test listeners' "
                    f"sources) (allowed: at most {f.MAX_SECURITY_GROUP_RULES} rules, AWS's default quota per "
                    "security group)"))  # fmt: skip
    if spec.wait_for_steady_state:
        for name, svc in spec.services.items():
            waits = svc.deployment_waits()
            needed = -(-sum(seconds for _, seconds in waits) // 60)  # whole minutes, rounded up
            if waits and spec.deploy_timeout_minutes <= needed:
                parts = ", ".join(f"{seconds // 60} min {what}" if seconds % 60 == 0 else f"{seconds} s {what}"
                                  for what, seconds in waits if seconds)  # fmt: skip
                out.append((("deployTimeoutMinutes",), f"{spec.deploy_timeout_minutes} is too short for "
                            f"services.{name}, whose {svc.deployment.strategy} deployment takes at least {needed} "
                            f"minutes ({parts}; pulling images and starting tasks come on top) (allowed: more "
                            f"than {needed}, up to 2880)"))  # fmt: skip
    return out


def _capacity_problems(spec: PlatformSpec) -> list[tuple[Loc, str]]:
    """What one load balancer and one security group can hold (AWS's default quotas), counted as
    the components create it: a rule per route, plus the test listener's rule of every service
    deploying blue/green, linear or canary; a target group per public service, plus such a
    service's alternate one; the HTTP listener, the HTTPS one with a certificate, and one test
    listener per distinct test port.
    https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html"""
    out: list[tuple[Loc, str]] = []
    public = spec.application_services
    if not public:
        return out
    shifting = [n for n in public if spec.services[n].deployment.shifts_traffic]
    routes = sum(len(spec.services[n].effective_routes) for n in public)
    extra = f" and {len(shifting)} test listener rules (one per blue/green, linear or canary service)" if shifting else ""
    if routes + len(shifting) > f.MAX_LISTENER_RULES:
        out.append((("services",), f"{routes} routes{extra} make {routes + len(shifting)} rules on the load balancer "
                    f"(allowed: at most {f.MAX_LISTENER_RULES}, AWS's default {f.RULES_QUOTA!r} quota, default rules "
                    "not counted; raise it in Service Quotas, or split the services over stacks)"))  # fmt: skip
    groups = len(public) + len(shifting)
    if groups > f.MAX_TARGET_GROUPS:
        alt = f" and {len(shifting)} alternate ones (blue/green, linear and canary services)" if shifting else ""
        out.append((("services",), f"{len(public)} public services need {len(public)} target groups{alt} on the load "
                    f"balancer, {groups} in all (allowed: at most {f.MAX_TARGET_GROUPS}, AWS's default "
                    f"{f.TARGET_GROUPS_QUOTA!r} quota; raise it in Service Quotas, or split the services over "
                    "stacks)"))  # fmt: skip
    ports = sorted(set(test_ports(spec).values()))
    listeners = (2 if spec.load_balancer.https else 1) + len(ports)
    if listeners > f.MAX_LISTENERS:
        out.append((("services",), f"{len(ports)} distinct deployment.testPort values make {listeners} listeners on "
                    f"the load balancer with HTTP{' and HTTPS' if spec.load_balancer.https else ''} (allowed: at most "
                    f"{f.MAX_LISTENERS}, AWS's default {f.LISTENERS_QUOTA!r} quota; raise it in Service Quotas, or deploy "
                    "some of these services rolling)"))  # fmt: skip
    if len(public) > f.MAX_SECURITY_GROUP_RULES:
        out.append((("services",), f"{len(public)} public services need as many outbound rules on the load "
                    f"balancer's security group (allowed: at most {f.MAX_SECURITY_GROUP_RULES} public services, "
                    "AWS's default quota of outbound rules per security group)"))  # fmt: skip
    return out


def _tag_problems(spec: PlatformSpec) -> list[tuple[Loc, str]]:
    """At most 50 tags on any resource: the stack's (provider default tags) merged with a
    service's own and the waiver tags the resource records."""
    out: list[tuple[Loc, str]] = []
    stack = set(f.RESERVED_TAG_KEYS) | set(spec.tags)
    own_waivers = max(len(spec.load_balancer.waivers()) if spec.public_services else 0,
                      1 if spec.container_insights == "disabled" else 0)  # fmt: skip
    if len(stack) + own_waivers > f.MAX_TAGS:
        out.append((("tags",), f"{len(spec.tags)} tags make {len(stack) + own_waivers} tags on a resource with the "
                    f"platform's {len(f.RESERVED_TAG_KEYS)} and {own_waivers} waiver tag(s) (allowed: at most "
                    f"{f.MAX_TAGS} tags per resource)"))  # fmt: skip
        return out
    for name, svc in spec.services.items():
        waivers = {f"{f.WAIVER_TAG}{c}" for c in svc.effective_waivers(network_mode(svc, spec))}
        if not spec.wait_for_steady_state:  # the ECS service records it (ecs-platform:waiver:steady-state)
            waivers.add(f"{f.WAIVER_TAG}{f.STEADY_STATE_WAIVER}")
        keys = stack | {"Service"} | set(svc.tags) | waivers
        if len(keys) > f.MAX_TAGS:
            out.append((("services", name, "tags"), f"{len(svc.tags)} tags make {len(keys)} tags on the service's "
                        f"task definition, with the stack's {len(stack)}, Service and {len(waivers)} waiver tag(s) "
                        f"(allowed: at most {f.MAX_TAGS} tags per resource)"))  # fmt: skip
    return out


def _job_problems(spec: PlatformSpec) -> list[tuple[Loc, str]]:
    """Jobs run where services may (same placement rules), are named unlike any service, and
    run before services of the stack."""
    out: list[tuple[Loc, str]] = []
    for name, job in spec.jobs.items():
        loc: Loc = ("jobs", name)
        if name in spec.services:
            out.append((loc, f"{show(name)} is also a service's name (allowed: a name no service has; the job's "
                        "task family, log group and roles are named after it)"))  # fmt: skip
        out += placement_problems(job, spec, loc)
        if name in job.sidecars:
            out.append(((*loc, "sidecars", name), "is the name of the application container, which is the job's "
                        "(allowed: another name)"))  # fmt: skip
        for i, target in enumerate(job.run_before):
            if target not in spec.services:
                out.append(((*loc, "runBefore", i), f"{show(target)} is not a service of this stack (allowed: "
                            f"{allowed(sorted(spec.services))})"))  # fmt: skip
    return out


def _queue_problems(spec: PlatformSpec) -> list[tuple[Loc, str]]:
    """Backlog per task divides by the service's running tasks, a Container Insights metric."""
    out: list[tuple[Loc, str]] = []
    for name, svc in spec.services.items():
        if svc.autoscaling is not None and svc.autoscaling.queue is not None and spec.container_insights == "disabled":
            out.append((("services", name, "autoscaling", "queue"), "needs the running task count, which "
                        "Container Insights publishes, and containerInsights is disabled (allowed: containerInsights "
                        "enabled or enhanced with queue scaling)"))  # fmt: skip
    return out


def _caller_problems(spec: PlatformSpec) -> list[tuple[Loc, str]]:
    """Callers are other services of the stack; both ends have their own security group."""
    out: list[tuple[Loc, str]] = []
    for name, svc in spec.services.items():
        for i, caller in enumerate(svc.callers):
            loc: Loc = ("services", name, "callers", i)
            if caller == name:
                out.append((loc, f"{show(caller)} is the service itself (allowed: other services of the stack)"))
            elif caller not in spec.services:
                others = sorted(n for n in spec.services if n != name)
                out.append((loc, f"{show(caller)} is not a service of this stack (allowed: {allowed(others)})"))
        ends = [name, *(c for c in svc.callers if c in spec.services and c != name)] if svc.callers else []
        for end in ends:
            other = spec.services[end]
            launch_type = spec.launch_type_for(other.launch_type, other.capacity_provider_strategy)
            mode = network_mode(other, spec)
            if launch_type == "EXTERNAL" or mode != "awsvpc":
                where = ("callers",) if end == name else ("callers", svc.callers.index(end))
                out.append((("services", name, *where), f"{end} runs in {mode} mode on {launch_type}, where Service "
                            "Connect cannot admit it by security group (allowed: services on FARGATE, EC2 or "
                            "MANAGED_INSTANCES in awsvpc mode)"))  # fmt: skip
    return out
