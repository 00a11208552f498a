"""Service Connect's rules: which services join it, their callers, and the proxy's room in
their tasks."""

from __future__ import annotations

from collections.abc import Mapping

from ecs_platform import facts as f
from ecs_platform.errors import allowed, show
from ecs_platform.specs.base import Loc
from ecs_platform.specs.cluster import ClusterSpec
from ecs_platform.specs.service import ServiceSpec, network_mode


def connected_services(services: Mapping[str, ServiceSpec]) -> list[str]:
    """The services that join Service Connect (those with callers and their callers): ECS adds
    its proxy to each one's tasks."""
    joined = {n for n, svc in services.items() if svc.callers}
    joined |= {c for svc in services.values() for c in svc.callers if c in services}
    return sorted(joined)


def proxy_problems(services: Mapping[str, ServiceSpec]) -> list[tuple[Loc, str]]:
    """The Service Connect proxy shares its task's cpu and memory: leave it the headroom AWS
    recommends (256 CPU units, 64 MiB) beside what the sidecars reserve."""
    out: list[tuple[Loc, str]] = []
    proxy_cpu, proxy_mib = f.SERVICE_CONNECT_PROXY_CPU, f.SERVICE_CONNECT_PROXY_MEMORY
    for name in connected_services(services):
        svc = services[name]
        cpu = sum(s.cpu or 0 for s in svc.sidecars.values())
        memory = sum(s.memory or 0 for s in svc.sidecars.values())
        where = "reserve" if svc.sidecars else "need"
        if cpu + proxy_cpu > svc.cpu:
            out.append((("services", name, "cpu"), f"{svc.cpu} leaves no room for the Service Connect proxy: its "
                        f"{proxy_cpu} CPU units and the sidecars' {cpu} {where} {cpu + proxy_cpu} (allowed: a task "
                        f"cpu of at least {cpu + proxy_cpu}; AWS recommends {proxy_cpu} CPU units of headroom for "
                        "the proxy)"))  # fmt: skip
        if memory + proxy_mib >= svc.memory:
            out.append((("services", name, "memory"), f"{svc.memory} leaves nothing for the application beside the "
                        f"Service Connect proxy's {proxy_mib} MiB and the sidecars' {memory} MiB (allowed: more than "
                        f"{memory + proxy_mib}; AWS recommends {proxy_mib} MiB of headroom for the proxy)"))  # fmt: skip
    return out


def caller_problems(services: Mapping[str, ServiceSpec], cluster: ClusterSpec) -> list[tuple[Loc, str]]:
    """Callers are other services of the stack; both ends have their own security group."""
    out: list[tuple[Loc, str]] = []
    for name, svc in services.items():
        for i, caller in enumerate(svc.callers):
            loc: Loc = ("services", name, "callers", i)
            if caller == name:
                out.append((loc, f"{show(caller)} is the service itself (allowed: other services of the stack)"))
            elif caller not in services:
                others = sorted(n for n in services if n != name)
                out.append((loc, f"{show(caller)} is not a service of this stack (allowed: {allowed(others)})"))
        ends = [name, *(c for c in svc.callers if c in services and c != name)] if svc.callers else []
        for end in ends:
            other = services[end]
            launch_type = cluster.launch_type_for(other.launch_type, other.capacity_provider_strategy)
            mode = network_mode(other, cluster)
            if launch_type == "EXTERNAL" or mode != "awsvpc":
                where = ("callers",) if end == name else ("callers", svc.callers.index(end))
                out.append((("services", name, *where), f"{end} runs in {mode} mode on {launch_type}, where Service "
                            "Connect cannot admit it by security group (allowed: services on FARGATE, EC2 or "
                            "MANAGED_INSTANCES in awsvpc mode)"))  # fmt: skip
    return out
