"""Cost lines of the settings issue 22 added: EBS task volumes, network load balancers (priced with
the application load balancer in :mod:`.cost`), VPC Lattice services. Pure functions over what the
program registered, called by :func:`ecs_platform.tools.preview.cost.estimate`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ecs_platform import facts
from ecs_platform.tools.mock_cloud import StackRun

#: (item, detail, monthly at the desired size, monthly at the maximum)
Line = tuple[str, str, float, float]


def ebs_month(volume: Mapping[str, Any], ebs_prices: Mapping[str, Any]) -> float | None:
    """One EBS volume's monthly price: its GB-months plus what it provisions above the type's baseline
    (gp3 above 3000 IOPS and 125 MiB/s; io1/io2 every IOPS, io2 in tiers); None when unpriced."""
    kind = str(volume.get("volumeType", "gp3"))
    gb = ebs_prices.get(f"{kind}_gb_month")
    if gb is None:
        return None
    monthly = float(volume.get("sizeInGb", 0)) * float(gb)
    iops = float(volume.get("iops") or 0)
    if kind == "gp3":
        monthly += max(0.0, iops - facts.GP3_BASELINE_IOPS) * float(ebs_prices["gp3_iops_month"])
        throughput = float(volume.get("throughput") or facts.GP3_BASELINE_THROUGHPUT)
        monthly += max(0.0, throughput - facts.GP3_BASELINE_THROUGHPUT) * float(ebs_prices["gp3_mibps_month"])
    elif kind == "io1":
        monthly += iops * float(ebs_prices["io1_iops_month"])
    elif kind == "io2":
        floor = 0.0
        for upto, rate in ebs_prices["io2_iops_month_tiers"]:
            top = iops if upto is None else min(iops, float(upto))
            monthly += max(0.0, top - floor) * float(rate)
            floor = top
    return monthly


def _ebs(run: StackRun, rp: Mapping[str, Any], counts: Mapping[str, tuple[float, float]], problems: list[str],
         region: str) -> Iterator[Line]:  # fmt: skip
    """A service's EBS volume per task, at the desired and maximum task counts (a volume type the
    region's ``ebs`` prices lack is reported as not priced)."""
    ebs_prices = rp["ebs"]
    for svc in sorted(run.of_type("aws:ecs/service:Service"), key=lambda r: r.name):
        volume = (svc.inputs.get("volumeConfiguration") or {}).get("managedEbsVolume")
        if not volume or svc.name not in counts:
            continue
        desired, maximum = counts[svc.name]
        per_task = ebs_month(volume, ebs_prices)
        if per_task is None:
            problems.append(f"no EBS price for {volume.get('volumeType')} volumes with that performance in "
                            f"{region} (service {svc.name})")  # fmt: skip
            continue
        perf = f", {volume['iops']} IOPS" if volume.get("iops") else ""
        perf += f", {volume['throughput']} MiB/s" if volume.get("throughput") else ""
        yield (f"EBS {svc.name}", f"{volume.get('sizeInGb')} GiB {volume.get('volumeType')}{perf} per task, "
               f"{desired:g} task(s), max {maximum:g}; snapshots none", per_task * desired, per_task * maximum)


def _lattice(run: StackRun, rp: Mapping[str, Any], hours: float, problems: list[str], region: str) -> Iterator[Line]:
    """VPC Lattice services: per service and hour; data processed and requests are excluded."""
    services = run.of_type("aws:vpclattice/service:Service")
    if not services:
        return
    rate = rp.get("vpc_lattice_service_hour")
    if rate is None:
        problems.append(f"no VPC Lattice price for {region} ({len(services)} Lattice service(s))")
        return
    monthly = len(services) * hours * float(rate)
    yield ("VPC Lattice services", f"{len(services)} service(s); per-GB and per-request charges excluded",
           monthly, monthly)


def priced_features(
    run: StackRun, rp: Mapping[str, Any], counts: Mapping[str, tuple[float, float]], hours: float,
    problems: list[str], region: str,
) -> list[Line]:  # fmt: skip
    """Every cost line of these settings; what cannot be priced is appended to ``problems``.
    ``counts``: service -> (desired, maximum) task count."""
    return [*_ebs(run, rp, counts, problems, region), *_lattice(run, rp, hours, problems, region)]
