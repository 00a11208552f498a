"""The whole stack's model: network, cluster, services, load balancer, tags.

``PlatformSpec`` is what stack config validates into (``ecs-platform:<key>``
is its field ``<key>``) and what a program that runs the whole platform builds
itself. Rules that need the deployment's context (its stack name, region and the
region's zones) live in :func:`context_problems`, which both the config loader
and :class:`~ecs_platform.platform.Platform` run.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Self

from pydantic import model_validator

from ecs_platform import facts as f
from ecs_platform.errors import allowed, show
from ecs_platform.specs.base import Loc, raise_problems, render_loc
from ecs_platform.specs.cluster import ClusterSpec
from ecs_platform.specs.fields import ServiceName, TagKey, TagValue
from ecs_platform.specs.load_balancer import LoadBalancerSpec
from ecs_platform.specs.network import NetworkSpec
from ecs_platform.specs.service import ServiceSpec, placement_problems

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
    """Service name (1-24 lowercase letters, digits and hyphens) -> its settings. Default: one
    sample ``web`` service (public nginx)."""
    tags: dict[TagKey, TagValue] = {}
    """Extra tags for every resource, on top of ``Project``, ``Stack``, ``ManagedBy``. Default none."""
    load_balancer: LoadBalancerSpec = LoadBalancerSpec()
    """The application load balancer, created when a service is public. Default: the settings'
    defaults."""

    @model_validator(mode="before")
    @classmethod
    def _sample_when_no_services(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and "services" not in data:
            launch_type = data.get("launchType", data.get("launch_type", "FARGATE"))
            return {**data, "services": sample_services(launch_type)}
        return data

    @property
    def public_services(self) -> list[str]:
        return [name for name, svc in self.services.items() if svc.is_public]

    @model_validator(mode="after")
    def _platform_rules(self) -> Self:
        problems: list[tuple[Loc, str]] = []
        if not self.services:
            problems.append((("services",), "{} has no services (allowed: one or more services; omit the key "
                                            "for the sample service)"))  # fmt: skip
        for name, svc in self.services.items():
            problems += placement_problems(svc, self, ("services", name))
        problems += _route_problems(self.services)
        for key in self.tags:
            if key in f.RESERVED_TAG_KEYS:
                problems.append((("tags", key), f"overrides the platform's own {key} tag "
                                                f"(allowed: keys other than {allowed(f.RESERVED_TAG_KEYS)})"))
            elif key.startswith(f.WAIVER_TAG):
                problems.append((("tags", key), "is a waiver tag, which only the documented switches set "
                                                "(allowed: another key; turn a control off with its own setting)"))
        public = self.public_services
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
    lb = [(("loadBalancer", *loc), msg)
          for loc, msg in spec.load_balancer.region_problems(context.region, context.account)]  # fmt: skip
    if spec.public_services:
        lb += [(("loadBalancer", *loc), msg) for loc, msg in spec.load_balancer.production_problems(context.stack)]
    key = spec.kms_key
    if isinstance(key, str) and key.startswith("arn:") and key.split(":")[3] != context.region:
        out.append((("kmsKey",), f"{show(key)} is in {key.split(':')[3]}, not the stack's region (allowed: a key "
                    f"in {context.region}, or create; CloudWatch Logs uses keys of its own region)"))  # fmt: skip
    if not context.offline:
        out += placeholder_problems(spec)
    return out + lb


def placeholder_problems(spec: PlatformSpec) -> list[tuple[Loc, str]]:
    """Every value that is still a placeholder of the example stacks: an ARN or registry of
    AWS's documentation example accounts, or a host in a reserved example domain."""
    out: list[tuple[Loc, str]] = []

    def walk(value: Any, loc: Loc) -> None:
        if isinstance(value, Mapping):
            for key, item in value.items():
                walk(item, (*loc, str(key)))
        elif isinstance(value, (list, tuple)):
            for i, item in enumerate(value):
                walk(item, (*loc, i))
        elif isinstance(value, str):
            account = next((a for a in f.EXAMPLE_ACCOUNT_IDS if re.search(rf"(?<!\d){a}(?!\d)", value)), None)
            if account is not None:
                out.append((loc, f"{show(value)} is a placeholder: {account} is AWS's documentation example "
                            "account (allowed: your own value, in your account; replace it in the stack file "
                            "before deploying)"))  # fmt: skip
            elif f.EXAMPLE_DOMAIN_RE.search(value):
                out.append((loc, f"{show(value)} is a placeholder: example.com/.net/.org are reserved example "
                            "domains (allowed: your own domain; replace it in the stack file before "
                            "deploying)"))  # fmt: skip

    walk(spec.model_dump(by_alias=True, exclude_defaults=True), ())
    return out


def _route_problems(services: Mapping[str, ServiceSpec]) -> list[tuple[Loc, str]]:
    """No two services on the same route, no two routes pinned to one priority."""
    out: list[tuple[Loc, str]] = []
    seen: dict[tuple[frozenset[str], frozenset[str]], str] = {}
    pinned: dict[int, str] = {}
    for name, svc in services.items():
        for i, route in enumerate(svc.effective_routes):
            where = render_loc(("services", name, "routes", i))
            sig = (frozenset(route.paths), frozenset(route.hosts))
            if sig in seen:
                shown = show({"paths": list(route.paths), "hosts": list(route.hosts)})
                out.append((("services", name, "routes", i), f"{shown} is also the route of {seen[sig]} "
                                                             "(allowed: each route on one service)"))  # fmt: skip
            seen[sig] = where
            if route.priority is not None:
                if route.priority in pinned:
                    out.append((("services", name, "routes", i), f"priority {route.priority} is also the priority "
                                f"of {pinned[route.priority]} (allowed: a priority (1..50000) no other route has)"))
                pinned[route.priority] = where
    return out
