"""The service model: a task plus how many run, how they deploy, how traffic
reaches them and how they scale; and the rules that tie a service to the
cluster it runs on (:func:`placement_problems`)."""

from __future__ import annotations

import json
from typing import Annotated, Any, Self

from pydantic import Field, model_validator

from ecs_platform import facts as f
from ecs_platform.errors import allowed, show
from ecs_platform.specs.base import Bool, Choice, Int, Loc, Rule, Spec, raise_problems
from ecs_platform.specs.cluster import ClusterSpec
from ecs_platform.specs.containers import task_container_definitions
from ecs_platform.specs.deployment import DeploymentSpec
from ecs_platform.specs.ebs import ebs_placement_problems
from ecs_platform.specs.fields import (
    Cidr,
    Count,
    HealthCheckPath,
    HostPattern,
    Matcher,
    PathPattern,
    Port,
    ServiceName,
    TagKey,
    TagValue,
)
from ecs_platform.specs.lattice import ServiceLattice
from ecs_platform.specs.managed_instances import managed_instances_problems
from ecs_platform.specs.options import offered_problems
from ecs_platform.specs.service_connect import ServiceConnectSpec
from ecs_platform.specs.task import TaskSpec

#: Defaults of the load balancer settings a public service has (they are refused
#: on a private one, so the fields themselves default to "not set").
DEFAULT_DEREGISTRATION_DELAY = 30
DEFAULT_HEALTH_CHECK_GRACE_PERIOD = 60


class RouteSpec(Spec):
    """Which requests reach a public service: any of ``hosts`` and any of ``paths``."""

    paths: tuple[PathPattern, ...] = ()
    """Path patterns (``/api/*``). Default none."""
    hosts: tuple[HostPattern, ...] = ()
    """Host patterns (``api.example.com``, ``*.example.com``). Default none."""
    priority: Annotated[int, Int(1, f.MAX_PRIORITY)] | None = None
    """Listener rule priority, 1..50000: needed when two routes derive one priority (the error
    names both and suggests a free one). Default: derived from this route alone (stable, ordered
    by specificity; another route coming or going never moves it)."""

    @model_validator(mode="after")
    def _matches_something(self) -> Self:
        values = len(self.paths) + len(self.hosts)
        if values == 0:
            raise_problems([((), f"{show(self)} matches nothing (allowed: paths and/or hosts)")])
        if values > f.MAX_ROUTE_VALUES:
            raise_problems([((), f"{values} paths and hosts in one route (allowed: at most "
                                 f"{f.MAX_ROUTE_VALUES} per route; split it into several routes)")])  # fmt: skip
        return self


#: Every path on any host: what ``public: true`` means without ``routes``.
CATCH_ALL = RouteSpec(paths=("/*",))


class TargetHealthCheckSpec(Spec):
    """How the load balancer checks a task (HTTP on the container port, or TCP behind the network
    load balancer)."""

    protocol: Annotated[str, Choice(*f.HEALTH_CHECK_PROTOCOLS)] | None = None
    """``HTTP`` (a request to ``path``, healthy on ``matcher``) or ``TCP`` (a connection; network
    load balancer services only). Default: HTTP on an HTTP service, TCP on a TCP, UDP, TCP_UDP or
    TLS service."""
    port: Port | None = None
    """The port checked, on a network load balancer's service (a UDP service whose tasks answer a
    TCP or HTTP check on another port). Default: the service's port."""
    path: HealthCheckPath = "/"
    """Request path, up to 1024 characters starting with ``/`` (HTTP checks). Default ``/``."""
    matcher: Matcher = "200-399"
    """Healthy HTTP codes: ``200``, ``200,302`` or ``200-399`` (HTTP checks). Default ``200-399``."""
    interval: Annotated[int, Int(5, 300)] = 15
    """Seconds between checks, 5..300. Default 15."""
    timeout: Annotated[int, Int(2, 120)] = 5
    """Seconds before a check fails, 2..120, below ``interval``. Default 5."""
    healthy_threshold: Annotated[int, Int(2, 10)] = 3
    """Successes before a task receives traffic, 2..10. Default 3."""
    unhealthy_threshold: Annotated[int, Int(2, 10)] = 3
    """Failures before a task stops receiving traffic, 2..10. Default 3."""

    @model_validator(mode="after")
    def _timeout_below_interval(self) -> Self:
        # ELB's own rule: CreateTargetGroup / ModifyTargetGroup refuse it with "ValidationError:
        # Health check interval must be greater than the timeout." (the error, quoted in
        # kubernetes-sigs/aws-load-balancer-controller#2951 and hashicorp/terraform-provider-aws#48071;
        # ELB's HealthCheck reference: "This value must be less than the Interval value",
        # https://docs.aws.amazon.com/elasticloadbalancing/2012-06-01/APIReference/API_HealthCheck.html).
        problems: list[tuple[Loc, str]] = []
        if self.timeout >= self.interval:
            problems.append((("timeout",), f"{self.timeout} is not shorter than the interval "
                                           f"{self.interval} (allowed: timeout < interval)"))  # fmt: skip
        if self.protocol == "TCP":
            # A TCP check sends no request: ELB takes a path and codes for HTTP and HTTPS checks only
            # (CreateTargetGroup HealthCheckPath, Matcher).
            problems += [((key,), "is set on a TCP health check, which sends no request (allowed: protocol HTTP "
                          "with it, or remove it)") for key in ("path", "matcher") if key in self.model_fields_set]
        raise_problems(problems)
        return self


def queue_arn_check(value: Any) -> str | None:
    if isinstance(value, str) and f.SQS_QUEUE_ARN_RE.fullmatch(value):
        return None
    return (f"{show(value)} is not an SQS queue ARN (allowed: arn:<partition>:sqs:<region>:<account>:<queue name>, "
            "e.g. arn:aws:sqs:us-east-1:123456789012:orders)")  # fmt: skip


QueueArn = Annotated[str, Rule(queue_arn_check, "an SQS queue ARN", f.SQS_QUEUE_ARN_RE.pattern)]


def _queue_key_check(value: Any) -> str | None:
    if isinstance(value, str) and f.KMS_KEY_ARN_RE.match(value):
        return None
    return (f"{show(value)} is not a KMS key ARN (allowed: arn:<partition>:kms:<region>:<account>:key/<key id>; "
            "an alias is not allowed in an IAM policy's Resource for kms:Decrypt)")  # fmt: skip


class QueueScalingSpec(Spec):
    """Scaling a queue worker on its SQS backlog: the queue's visible messages per running task."""

    arn: QueueArn
    """The SQS queue the service consumes, in the stack's region; its task role may receive,
    delete, change the visibility of its messages and read its attributes. Required."""
    backlog_per_task: Annotated[int, Int(1, 1000000)]
    """Visible messages per running task to hold, at least 1: (acceptable latency) / (seconds to
    process one message). Required."""
    kms_key_arn: Annotated[str, Rule(_queue_key_check, "a KMS key ARN")] | None = None
    """The customer-managed KMS key the queue is encrypted with (SSE-KMS), if it is: its task role
    may then ``kms:Decrypt`` with exactly that key, only through SQS in the queue's region
    (``kms:ViaService``), which receiving from the queue needs. Default: none (an unencrypted queue
    or SQS-managed encryption, SSE-SQS, which needs no grant)."""

    @property
    def queue_name(self) -> str:
        return self.arn.rsplit(":", 1)[-1]

    @property
    def region(self) -> str:
        return self.arn.split(":")[3]

    @property
    def partition(self) -> str:
        return self.arn.split(":")[1]


class AutoscalingSpec(Spec):
    """Target tracking on the service's task count; at least one target."""

    min_count: Annotated[int, Int(0, 5000)] = Field(alias="min")
    """Fewest tasks, 1..5000; 0 only with ``queue`` (a message in the queue brings the service back
    up from zero). Required."""
    max_count: Annotated[int, Int(1, 5000)] = Field(alias="max")
    """Most tasks, 1..5000, at least ``min``. Required."""
    cpu_target: Annotated[int, Int(1, 100)] | None = None
    """Average CPU utilisation to hold, %. Default: not tracked."""
    memory_target: Annotated[int, Int(1, 100)] | None = None
    """Average memory utilisation to hold, %. Default: not tracked."""
    requests_per_target: Annotated[int, Int(1, 1000000)] | None = None
    """Load balancer requests per task to hold (public services). Default: not tracked."""
    scale_in_cooldown: Annotated[int, Int(0, 3600)] = 300
    """Seconds between scale-in steps. Default 300."""
    scale_out_cooldown: Annotated[int, Int(0, 3600)] = 60
    """Seconds between scale-out steps. Default 60 (a queue worker's scale-from-zero step waits at
    least 300)."""
    queue: QueueScalingSpec | None = None
    """``{arn, backlogPerTask}``: track the SQS queue's visible messages per running task (needs
    Container Insights for the running task count). Default: not tracked."""

    @model_validator(mode="after")
    def _range_and_target(self) -> Self:
        problems: list[tuple[Loc, str]] = []
        # RegisterScalableTarget takes a range MinCapacity..MaxCapacity (min above max is refused).
        # https://docs.aws.amazon.com/autoscaling/application/APIReference/API_RegisterScalableTarget.html
        if self.max_count < self.min_count:
            problems.append((("max",), f"{self.max_count} is below min {self.min_count} (allowed: min <= max)"))
        if self.min_count == 0 and self.queue is None:
            problems.append((("min",), "0 scales the service to zero, and only queue scaling brings it back up "
                             "(allowed: 1..5000, or 0 with autoscaling.queue)"))  # fmt: skip
        targets = (self.cpu_target, self.memory_target, self.requests_per_target, self.queue)
        if all(t is None for t in targets):
            problems.append(((), "no target (allowed: one or more of cpuTarget, memoryTarget, requestsPerTarget, "
                                 "queue)"))  # fmt: skip
        raise_problems(problems)
        return self


class ServiceSpec(TaskSpec):
    """A long-running service: its task, count, deployment, traffic and scaling."""

    desired_count: Count | None = None
    """Tasks to run, 0..2147483647. Default: the cluster's ``desiredCount``."""
    min_healthy_percent: Annotated[int, Int(0, 100)] = 100
    """0..100; a deploy never drops below this share of desired tasks. Default 100."""
    max_percent: Annotated[int, Int(100, 200)] = 200
    """100..200: the most tasks, as a share of the desired count, a deployment may run. ECS ties it
    to no other field (API_DeploymentConfiguration); equal to ``minHealthyPercent``, a rolling
    deployment has no room to start a new task before stopping an old one. Default 200."""
    public: Bool | None = None
    """Behind the load balancer on every path (``/*``), unless ``routes`` say otherwise.
    Default false (``routes`` imply true)."""
    routes: tuple[RouteSpec, ...] | None = None
    """``[{paths: [...], hosts: [...], priority: n}]``: requests matching any path and any host
    reach the service; up to 5 values per route. Implies ``public``. Default ``[{paths: ["/*"]}]``
    when public."""
    protocol: Annotated[str, Choice(*f.SERVICE_PROTOCOLS)] = "HTTP"
    """How clients reach a public service: ``HTTP`` (the application load balancer: HTTPS on the
    stack's certificate, ``routes`` by path and host) or ``TCP``, ``UDP``, ``TCP_UDP``, ``TLS`` (the
    network load balancer the stack creates when a service needs one: a listener on the service's
    ``port``, ``TLS`` terminated there on ``loadBalancer.certificateArn``). A service is on one load
    balancer, never both. Default ``HTTP``."""
    target_health_check: TargetHealthCheckSpec | None = None
    """The load balancer's health check (public services). Default: ``GET /`` expecting
    ``200-399`` every 15 s (a TCP connection every 15 s behind the network load balancer)."""
    deregistration_delay: Annotated[int, Int(0, 3600)] | None = None
    """Seconds a draining task keeps serving, 0..3600 (public services). Default 30."""
    health_check_grace_period: Annotated[int, Int(0, 2147483647)] | None = None
    """Seconds after a task starts during which ECS ignores its failing health checks, load
    balancer and container ones alike, 0..2147483647; for a service with a health check (public,
    or a ``healthCheck`` on an essential container). Default 60 on a public service, else ECS's 0
    (a container health check's ``startPeriod`` covers start-up)."""
    autoscaling: AutoscalingSpec | None = None
    """Target tracking between ``min`` and ``max``. With it, ``desiredCount`` applies at creation
    only; the autoscaler owns the live count. Default: a fixed count."""
    egress_cidrs: tuple[Cidr, ...] = ("0.0.0.0/0",)
    """Where tasks may connect (registries, AWS APIs, dependencies) through NAT. Default anywhere."""
    tags: dict[TagKey, TagValue] = {}
    """Extra tags for the service's resources, on top of ``Service: <name>``. Default none."""
    deployment: DeploymentSpec = DeploymentSpec()
    """How new versions deploy: ``{strategy, bakeMinutes, testPort, alarms, linear, canary,
    thresholds}``. Every deployment waits for its tasks (see ``waitForSteadyState``), the circuit
    breaker rolls back tasks that fail to start, and a public service's alarms roll back a release
    that answers with errors. Default: ``rolling`` with the platform's alarms."""
    callers: tuple[ServiceName, ...] = ()
    """Services of the stack that may call this one at ``http://<name>:<port>`` (Service
    Connect); its security group admits exactly their tasks, on ``port``. With ``lattice``, its
    auth policy admits their task roles too. Default none."""
    service_connect: ServiceConnectSpec | None = None
    """Service Connect proxy settings of a service with ``callers``: ``{appProtocol,
    perRequestTimeout, idleTimeout}``. Default: ECS's (TCP, its timeouts)."""
    lattice: ServiceLattice = None
    """A VPC Lattice service in the stack's service network (``ecs-platform:lattice``): ``true`` or
    ``{protocol, port, principals}``; its IAM auth policy admits the ``callers``' task roles and
    ``principals``, nothing else. Default: none."""

    @property
    def consumed_queue(self) -> str | None:
        return self.autoscaling.queue.arn if self.autoscaling and self.autoscaling.queue else None

    def initial_count(self, cluster_default: int) -> int:
        """The task count the service is created with: ``desiredCount`` (else the cluster's),
        moved into the autoscaling range as Application Auto Scaling moves it once the target is
        registered ("If it's below the minimum capacity or above the maximum capacity,
        Application Auto Scaling adjusts the capacity of the scalable target to place it within
        these bounds", RegisterScalableTarget,
        https://docs.aws.amazon.com/autoscaling/application/APIReference/API_RegisterScalableTarget.html)."""
        desired = self.desired_count if self.desired_count is not None else cluster_default
        a = self.autoscaling
        return desired if a is None else min(max(desired, a.min_count), a.max_count)

    @property
    def consumed_queue_key(self) -> str | None:
        return self.autoscaling.queue.kms_key_arn if self.autoscaling and self.autoscaling.queue else None

    @property
    def is_public(self) -> bool:
        return bool(self.public) or self.routes is not None

    @property
    def on_network_load_balancer(self) -> bool:
        """Public, behind the network load balancer (``protocol`` other than HTTP)."""
        return self.is_public and self.protocol != "HTTP"

    @property
    def on_application_load_balancer(self) -> bool:
        """Public, behind the application load balancer (``protocol: HTTP``)."""
        return self.is_public and self.protocol == "HTTP"

    @property
    def effective_routes(self) -> tuple[RouteSpec, ...]:
        """The listener rules of an application load balancer's service (a network load balancer
        has none: its listener forwards the port)."""
        if not self.on_application_load_balancer:
            return ()
        return self.routes if self.routes is not None else (CATCH_ALL,)

    @property
    def effective_target_health_check(self) -> TargetHealthCheckSpec:
        return self.target_health_check or TargetHealthCheckSpec()

    @property
    def health_check_protocol(self) -> str:
        """The health check's protocol: as set, else HTTP on the application load balancer and TCP
        on the network one."""
        hc = self.effective_target_health_check
        return hc.protocol or ("TCP" if self.on_network_load_balancer else "HTTP")

    @property
    def effective_deregistration_delay(self) -> int:
        return DEFAULT_DEREGISTRATION_DELAY if self.deregistration_delay is None else self.deregistration_delay

    @property
    def has_container_health_check(self) -> bool:
        """An essential container has a health check: ECS then tracks the task's health."""
        return any(c.health_check is not None and c.essential for c in self.containers.values())

    @property
    def effective_grace_period(self) -> int | None:
        """CreateService ``healthCheckGracePeriodSeconds``: it applies to load balancer and
        container health checks (public: default 60; otherwise the setting, or ECS's default).
        https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html"""
        grace = self.health_check_grace_period
        if self.is_public and grace is None:
            return DEFAULT_HEALTH_CHECK_GRACE_PERIOD
        return grace

    def deployment_waits(self) -> list[tuple[str, int]]:
        """What a traffic-shifting deployment of this service waits for at least, in seconds, with
        what each wait is: new tasks pass the load balancer's health check (``healthyThreshold``
        checks ``interval`` apart, "Health checks for Application Load Balancer target groups"),
        the health check grace period, the traffic steps and bake time, then the old tasks drain
        (``deregistrationDelay``). Empty for ``rolling``. Pulling images and starting containers
        come on top: AWS gives no figure for them."""
        d = self.deployment
        if not d.shifts_traffic:
            return []
        hc = self.effective_target_health_check
        return [
            ("of traffic steps and bake time", d.shifting_minutes() * 60),
            (f"for new tasks to pass {hc.healthy_threshold} load balancer checks {hc.interval} s apart",
             hc.healthy_threshold * hc.interval),
            ("of health check grace period", self.effective_grace_period or 0),
            ("of draining the old tasks", self.effective_deregistration_delay),
        ]  # fmt: skip

    @model_validator(mode="after")
    def _service_rules(self) -> Self:
        problems: list[tuple[Loc, str]] = []
        if len(self.egress_cidrs) > f.MAX_SECURITY_GROUP_RULES:
            problems.append((("egressCidrs",), f"{len(self.egress_cidrs)} blocks make as many outbound rules on the "
                             f"service's security group (allowed: at most {f.MAX_SECURITY_GROUP_RULES}, AWS's default "
                             "quota of outbound rules per security group)"))  # fmt: skip
        for i, cidr in enumerate(self.egress_cidrs):
            if cidr in self.egress_cidrs[:i]:
                problems.append((("egressCidrs", i), f"{show(cidr)} is already listed (allowed: each block once)"))
        if self.routes is not None and self.public is False:
            problems.append((("public",), "false contradicts the service's routes (allowed: public: true, or no routes)"))
        if self.routes is not None and not self.routes:
            problems.append((("routes",), "[] is empty (allowed: one or more routes, or omit the key)"))
        if self.is_public and self.port is None:
            problems.append((("port",), "null is missing (allowed: the container port the load balancer "
                                        "forwards to; required with public: true or routes)"))  # fmt: skip
        if not self.is_public:
            for key, value in (("targetHealthCheck", self.target_health_check),
                               ("deregistrationDelay", self.deregistration_delay)):  # fmt: skip
                if value is not None:
                    problems.append(((key,), "is set on a service that is not public "
                                             "(allowed: only with public: true or routes)"))  # fmt: skip
            # "The period of time ... that the Amazon ECS service scheduler ignores unhealthy Elastic Load
            # Balancing, VPC Lattice, and container health checks ... If you don't use any of the health
            # checks, then healthCheckGracePeriodSeconds is unused." (CreateService,
            # https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html)
            if self.health_check_grace_period is not None and not self.has_container_health_check:
                problems.append((("healthCheckGracePeriod",), "is set on a service with neither a load "
                                 "balancer nor a container health check, so ECS never uses it (allowed: with "
                                 "public: true, routes, or a healthCheck on an essential container)"))  # fmt: skip
        problems += self._protocol_problems()
        if self.callers and self.port is None:
            problems.append((("callers",), "needs a port to be called on (allowed: set port, or no callers)"))
        for i, caller in enumerate(self.callers):
            if caller in self.callers[:i]:
                problems.append((("callers", i), f"{show(caller)} is already listed (allowed: each caller once)"))
        d = self.deployment
        if d.shifts_traffic and not self.is_public:
            problems.append((("deployment", "strategy"), f"{d.strategy} moves load balancer traffic, and the service "
                             "is not public (allowed: rolling, or public: true / routes)"))  # fmt: skip
        elif d.shifts_traffic and len(self.effective_routes) > 1:
            problems.append((("deployment", "strategy"), f"{d.strategy} moves the traffic of one listener rule, and "
                             f"the service has {len(self.effective_routes)} routes (allowed: one route, or strategy "
                             "rolling)"))  # fmt: skip
        if d.thresholds is not None and not self.is_public:
            problems.append((("deployment", "thresholds"), "is set on a service that is not public: its alarms watch "
                             "the load balancer's target group (allowed: only with public: true or routes)"))  # fmt: skip
        a = self.autoscaling
        if a is not None and a.requests_per_target is not None and not self.is_public:
            problems.append((("autoscaling", "requestsPerTarget"), "needs a load balancer in front of the service "
                             "(allowed: on a public service; use cpuTarget or memoryTarget otherwise)"))  # fmt: skip
        if a is not None and a.requests_per_target is not None and d.shifts_traffic:
            problems.append((("autoscaling", "requestsPerTarget"), f"tracks the requests of one target group, and "
                             f"a {d.strategy} deployment moves the traffic to the other one (allowed: cpuTarget or "
                             "memoryTarget with blueGreen, linear or canary; or strategy rolling)"))  # fmt: skip
        raise_problems(problems)
        return self

    def _protocol_problems(self) -> list[tuple[Loc, str]]:
        """What a network load balancer's service cannot have, and health check keys of the other
        load balancer."""
        out: list[tuple[Loc, str]] = []
        hc = self.target_health_check
        if self.protocol != "HTTP" and not self.is_public:
            out.append((("protocol",), f"{show(self.protocol)} is set on a service that is not public (allowed: "
                        "public: true with it, or remove it)"))  # fmt: skip
        if not self.on_network_load_balancer:
            if hc is not None and hc.protocol == "TCP":
                out.append((("targetHealthCheck", "protocol"), '"TCP" checks an HTTP target group, which ELB '
                            "checks over HTTP or HTTPS only (allowed: HTTP, or a TCP/UDP/TCP_UDP/TLS protocol on "
                            "the service)"))  # fmt: skip
            if hc is not None and hc.port is not None:
                out.append((("targetHealthCheck", "port"), f"{hc.port} is set on an application load balancer's "
                            "service, whose tasks the platform admits on their port only (allowed: remove it)"))
            return out
        # A network load balancer's listener forwards a port: no rules, no paths or hosts
        # ("Listeners for your Network Load Balancers").
        if self.routes is not None:
            out.append((("routes",), f"is set on a {self.protocol} service: a network load balancer's listener "
                        "forwards its port, with no path or host rules (allowed: public: true without routes, or "
                        "protocol HTTP)"))  # fmt: skip
        d = self.deployment
        if d.shifts_traffic:
            out.append((("deployment", "strategy"), f"{d.strategy} is not built for network load balancer "
                        "services: the platform shifts traffic on application load balancer listener rules "
                        "(allowed: rolling with protocol " + self.protocol + ", or protocol HTTP)"))  # fmt: skip
        if d.thresholds is not None and "target5xx" in d.thresholds.model_fields_set:
            out.append((("deployment", "thresholds", "target5xx"), "is set on a network load balancer's service, "
                        "which reports no HTTP codes (allowed: unhealthyHosts and minutes)"))  # fmt: skip
        if self.callers and self.protocol == "UDP":
            out.append((("callers",), "are admitted over TCP, to the Service Connect proxy, and the service serves "
                        "UDP only (allowed: protocol TCP_UDP to serve callers too, or no callers)"))  # fmt: skip
        a = self.autoscaling
        if a is not None and a.requests_per_target is not None:
            out.append((("autoscaling", "requestsPerTarget"), "counts an application load balancer's requests "
                        "(ALBRequestCountPerTarget), and the service is behind the network load balancer "
                        "(allowed: cpuTarget or memoryTarget)"))  # fmt: skip
        return out


_EXTERNAL_REFUSED = ("public", "routes", "targetHealthCheck", "deregistrationDelay",
                     "ephemeralStorageGiB")  # fmt: skip


def definition_size_problems(
    task: TaskSpec, cluster: ClusterSpec, container: str, log_group: str, region: str, loc: Loc = ()
) -> list[tuple[Loc, str]]:
    """The task definition's container definitions, written as the components write them
    (``container``: the application container's name; ``log_group``: its log group's full
    name), within ECS's 64 KiB. Values known only during the deployment count as empty."""
    definitions = task_container_definitions(
        container, task, log_group=log_group, region=region, network_mode=network_mode(task, cluster)
    )
    size = _json_bytes(definitions)
    if size <= f.MAX_TASK_DEFINITION_BYTES:
        return []
    # Reported at the key that takes the most of it (the environment that grew, usually).
    by_name = {d["name"]: d for d in definitions}
    parts: list[tuple[int, Loc]] = []
    for name in task.containers:
        rendered = by_name.get(container if name is None else name, {})
        at: Loc = loc if name is None else (*loc, "sidecars", name)
        for key, field in _DEFINITION_FIELDS:
            if field in rendered:
                parts.append((_json_bytes(rendered[field]), (*at, key)))
    biggest, where = max(parts, key=lambda p: p[0], default=(0, loc))
    share = f", {biggest} of them this {where[-1]}" if where != loc else ""
    return [(where, f"makes container definitions of {size} bytes{share} (allowed: at most "
             f"{f.MAX_TASK_DEFINITION_BYTES}, ECS's task definition size quota; move large values to secrets, "
             "parameters or files)")]  # fmt: skip


#: The keys of a container whose values can grow a task definition, and their names in ECS's JSON.
_DEFINITION_FIELDS = (("environment", "environment"), ("secrets", "secrets"), ("command", "command"),
                      ("entryPoint", "entryPoint"), ("healthCheck", "healthCheck"), ("mounts", "mountPoints"))  # fmt: skip


def _json_bytes(value: Any) -> int:
    """Bytes of ``value`` as compact JSON; a value known only during the deployment (an Output)
    counts as empty."""
    return len(json.dumps(value, separators=(",", ":"), default=lambda _: "").encode())


def placement_problems(
    svc: TaskSpec, cluster: ClusterSpec, loc: Loc = ()
) -> list[tuple[Loc, str]]:
    """What a task (or service) asks of the cluster it runs on: a launch type the cluster
    offers, a task size that launch type can run, a network mode it supports. ``loc`` is
    its key path."""
    out: list[tuple[Loc, str]] = []
    launch_type = cluster.launch_type_for(svc.launch_type, svc.capacity_provider_strategy)
    offered = cluster.offered_launch_types
    if svc.capacity_provider_strategy:
        out += [((*loc, "capacityProviderStrategy", *at), msg)
                for at, msg in offered_problems(svc.capacity_provider_strategy, offered)]  # fmt: skip
        if out:
            return out
    if launch_type not in offered:
        key = "managedInstances" if launch_type == f.MANAGED_INSTANCES else launch_type.lower()
        out.append(((*loc, "launchType"), f"{show(launch_type)} is not offered by this cluster (allowed: "
                    f"{allowed(offered)}; add the `{key}` key to give the cluster that capacity)"))
        return out
    dumped = svc.model_dump(by_alias=True, exclude_unset=True)
    if launch_type in f.FARGATE_LAUNCH_TYPES:
        out += [((*loc, key), msg) for key, msg in fargate_size_problems(svc.cpu, svc.memory)]
    elif launch_type == f.MANAGED_INSTANCES:
        out += managed_instances_problems(svc, cluster.managed_instances_capacity, loc)
    elif launch_type == "EC2":
        out += [((*loc, key), msg) for key, msg in _fits_instances(svc.cpu, svc.memory, cluster)]
        if svc.ephemeral_storage_gib is not None:
            out.append(((*loc, "ephemeralStorageGiB"), "is a Fargate-only setting, and this service runs on EC2 "
                        "(allowed: remove it; size the instances' root volume with ec2.rootVolumeGiB)"))  # fmt: skip
    else:
        for key in _EXTERNAL_REFUSED:
            if key in dumped and dumped[key] is not False:
                what = "Fargate-only setting" if key == "ephemeralStorageGiB" else "load balancer setting"
                out.append(((*loc, key), f"is a {what}, and this service runs on EXTERNAL capacity "
                            "(allowed: remove it, or run the service on FARGATE or EC2)"))  # fmt: skip
    if launch_type == "EXTERNAL" and isinstance(svc, ServiceSpec) and svc.deployment.shifts_traffic:
        out.append(((*loc, "deployment", "strategy"), f"{svc.deployment.strategy} is not available on EXTERNAL "
                    "capacity, which has no load balancer (allowed: rolling, or run the service on FARGATE or "
                    "EC2)"))  # fmt: skip
    modes = f.NETWORK_MODES[launch_type]
    mode = network_mode(svc, cluster)
    if mode not in modes:
        out.append(((*loc, "networkMode"), f"{show(mode)} is not allowed (allowed: {allowed(modes)})"))
    out += ebs_placement_problems(svc.volumes, launch_type, loc)

    efs = sorted(n for n, v in svc.volumes.items() if v.efs is not None)
    if efs and launch_type == "EXTERNAL":
        out += [((*loc, "volumes", n), "is an EFS volume, and ECS Anywhere cannot mount EFS (allowed: scratch "
                 "volumes on EXTERNAL, or run the service on FARGATE or EC2)") for n in efs]  # fmt: skip
    elif any(svc.volumes[n].efs.created for n in efs if svc.volumes[n].efs) and mode != "awsvpc":  # type: ignore[union-attr]
        out.append(((*loc, "networkMode"), f"{show(mode)} gives the tasks no security group for the EFS volume "
                    "to admit (allowed: awsvpc with a created EFS volume)"))  # fmt: skip
    if launch_type == "FARGATE_SPOT" and svc.architecture == "ARM64":
        # "Linux tasks with the ARM64 architecture don't support the Fargate Spot capacity provider":
        # https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html
        where = (*loc, "launchType") if svc.launch_type else (*loc, "architecture")
        if svc.capacity_provider_strategy:
            where = (*loc, "capacityProviderStrategy")
        out.append((where, f"ARM64 on {launch_type} is not supported: Fargate Spot runs X86_64 tasks only "
                    "(allowed: architecture X86_64, or launchType FARGATE for ARM64)"))  # fmt: skip
    ec2 = cluster.ec2_capacity
    if launch_type == "EC2" and ec2 is not None and svc.architecture not in (None, ec2.architecture):
        out.append(((*loc, "architecture"), f"{show(svc.architecture)} does not match the EC2 instances "
                    f"({ec2.architecture}) (allowed: {ec2.architecture}, or instance types of the other "
                    "architecture)"))  # fmt: skip
    return out


def fargate_size_problems(cpu: int, memory: int) -> list[tuple[str, str]]:
    """A Fargate cpu/memory pair AWS offers."""
    if cpu not in f.FARGATE_SIZES:
        return [("cpu", f"{show(cpu)} is not a Fargate cpu size (allowed: {allowed(list(f.FARGATE_SIZES))})")]
    sizes = f.FARGATE_SIZES[cpu]
    if memory not in sizes:
        step = sizes[1] - sizes[0]
        choices = f"{sizes[0]}..{sizes[-1]} in steps of {step}" if len(sizes) > 4 else allowed(sizes)
        return [("memory", f"{show(memory)} is not a valid Fargate memory for cpu {cpu} (allowed: {choices})")]
    return []


def _fits_instances(cpu: int, memory: int, cluster: ClusterSpec) -> list[tuple[str, str]]:
    """A task on EC2 must fit the smallest instance type the group may launch."""
    ec2 = cluster.ec2_capacity
    if ec2 is None:
        return []
    small = ec2.smallest
    out: list[tuple[str, str]] = []
    if cpu > small.task_cpu:
        out.append(("cpu", f"{cpu} does not fit the smallest instance type ({small.vcpu} vCPU = "
                           f"{small.task_cpu} units) of ec2.instanceTypes (allowed: up to {small.task_cpu}, "
                           "or larger instance types)"))  # fmt: skip
    if memory > small.task_memory_mib:
        out.append(("memory", f"{memory} does not fit the smallest instance type ({small.memory_mib} MiB, "
                              f"{small.task_memory_mib} for tasks) of ec2.instanceTypes (allowed: up to "
                              f"{small.task_memory_mib}, or larger instance types)"))  # fmt: skip
    return out


def network_mode(svc: TaskSpec, cluster: ClusterSpec) -> str:
    """The network mode in effect: the task's own, else ``bridge`` on EXTERNAL, else ``awsvpc``."""
    if svc.network_mode is not None:
        return svc.network_mode
    return "bridge" if cluster.launch_type_for(svc.launch_type, svc.capacity_provider_strategy) == "EXTERNAL" else "awsvpc"
