"""Estimated monthly cost of a stack, from the resources the program registered.

Two figures per line: at the desired size (what runs after ``pulumi up``; a queue
worker that scales to zero at its min of 0) and at the maximum (every autoscaled
service at its max, EC2 groups as large as those tasks need, external machines
at the activation's limit). A scheduled job is priced per run, for an assumed
run time (:data:`JOB_RUN_MINUTES`, stated in the assumptions). Prices come
from ``prices.json``: per region, with its sources and date, and the figures not
confirmed against a source listed as such (the estimate repeats them). A region or
instance type the file does not price is reported, never guessed.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ecs_platform import facts
from ecs_platform.specs import INSTANCE_TYPES
from ecs_platform.tools.mock_cloud import StackRun
from ecs_platform.tools.preview.cost_features import priced_features
from ecs_platform.tools.preview.cost_network import NAT_INSTANCE, endpoint_lines, nat_instance_lines, network_lines
from ecs_platform.tools.preview.instances import InstanceDaemon, daemons_on, implied_instance_type
from ecs_platform.tools.preview.lines import CostEstimate, CostLine, ec2_hourly

__all__ = ["NAT_INSTANCE", "CostEstimate", "CostLine", "ec2_hourly", "estimate", "load_prices", "missing_items",
           "split_tasks"]

PRICES_FILE = Path(__file__).with_name("prices.json")
#: The run time a scheduled job is priced for (a job's real duration is unknown before it runs).
JOB_RUN_MINUTES = 10
#: The traffic WAF log ingestion is priced for (a stack's real traffic is unknown before it runs):
#: requests reaching the load balancer a month, the share a rule blocks or counts (what the
#: default ``logRequests: blockedAndCounted`` keeps), and the size of one log record (a JSON
#: record with the request's headers). CloudWatch Logs bills WAF logs as vended logs per GB.
WAF_REQUESTS_MONTH = 10_000_000
WAF_FLAGGED_SHARE = 0.01
WAF_LOG_RECORD_KB = 2.0


def load_prices(path: Path = PRICES_FILE) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def split_tasks(count: float, strategy: Sequence[Mapping[str, Any]]) -> dict[str, float]:
    """How ECS places ``count`` tasks over a capacity provider strategy:
    the ``base`` first, the rest in proportion to the weights."""
    out = {str(item["capacityProvider"]): 0.0 for item in strategy}
    remaining = float(count)
    for item in strategy:
        base = min(float(item.get("base") or 0), remaining)
        out[str(item["capacityProvider"])] += base
        remaining -= base
    weights = {str(i["capacityProvider"]): float(i.get("weight") or 0) for i in strategy}
    total = sum(weights.values())
    if remaining > 0 and total > 0:
        for name, weight in weights.items():
            out[name] += remaining * weight / total
    return out


@dataclass
class _Tasks:
    """Tasks of one service at the desired and the maximum size."""

    name: str
    cpu: int
    memory: int
    architecture: str
    storage_gib: int
    desired: float
    maximum: float
    strategy: list[dict[str, Any]]
    launch_type: str | None
    scales_to_zero: bool = False
    service_connect: bool = False
    network_mode: str = "awsvpc"


def _tasks(run: StackRun) -> list[_Tasks]:
    tasks_by_arn = {r.outputs.get("arn"): r for r in run.of_type("aws:ecs/taskDefinition:TaskDefinition")}
    targets = run.of_type("aws:appautoscaling/target:Target")
    out: list[_Tasks] = []
    for svc in sorted(run.of_type("aws:ecs/service:Service"), key=lambda r: r.name):
        task = tasks_by_arn.get(svc.inputs.get("taskDefinition"))
        if task is None or svc.inputs.get("schedulingStrategy") == "DAEMON":  # daemons: per instance
            continue
        desired = float(svc.inputs.get("desiredCount", 0))
        maximum = desired
        to_zero = False
        for target in targets:
            if str(target.inputs.get("resourceId", "")).endswith("/" + str(svc.outputs.get("name"))):
                maximum = max(desired, float(target.inputs["maxCapacity"]))
                # A queue worker with min 0 runs no task while its queue is empty: priced at its min.
                to_zero = float(target.inputs["minCapacity"]) == 0
                desired = 0.0 if to_zero else desired
        storage = (task.inputs.get("ephemeralStorage") or {}).get("sizeInGib", 20)
        out.append(
            _Tasks(
                name=svc.name,
                cpu=int(task.inputs.get("cpu", 0)),
                memory=int(task.inputs.get("memory", 0)),
                architecture=(task.inputs.get("runtimePlatform") or {}).get("cpuArchitecture", "X86_64"),
                storage_gib=int(storage),
                desired=desired,
                maximum=maximum,
                strategy=list(svc.inputs.get("capacityProviderStrategies") or []),
                launch_type=svc.inputs.get("launchType"),
                scales_to_zero=to_zero,
                service_connect=bool((svc.inputs.get("serviceConnectConfiguration") or {}).get("enabled")),
                network_mode=str(task.inputs.get("networkMode", "awsvpc")),
            )
        )
    return out


def estimate(run: StackRun, prices: Mapping[str, Any] | None = None) -> CostEstimate:
    """The stack's estimated monthly cost (USD) at its desired and maximum size."""
    prices = prices or load_prices()
    region = run.config.get("aws:region", "")
    est = CostEstimate(region=region, source=str(prices["source"]), as_of=str(prices["as_of"]))
    hours = float(prices["hours_per_month"])
    est.assumptions = [
        f"{hours:g} hours a month; every resource runs all month",
        *prices["notes"],
    ]
    rp = prices["regions"].get(region)
    if rp is not None:
        est.assumptions.insert(
            1,
            (
                f"Spot discounts assumed: Fargate Spot {float(rp['fargate']['spot_discount']) * 100:g}% and "
                f"EC2 Spot {float(rp['ec2']['spot_discount']) * 100:g}% below On-Demand"
            ),
        )
    if rp is None:
        est.problems.append(
            f"no prices for region {region!r} (priced: {', '.join(sorted(prices['regions']))})"
        )
        return est
    est.source, est.as_of = str(rp.get("source", est.source)), str(rp.get("as_of", est.as_of))
    if rp.get("unverified"):
        est.assumptions.append(f"Not confirmed against a source for {region} (no source of AWS's price "
                               f"data gave them; check before relying): {', '.join(rp['unverified'])}")  # fmt: skip
    tasks = _tasks(run)
    if any(t.scales_to_zero for t in tasks):
        est.assumptions.append("A queue worker with autoscaling min 0 is priced at min (queue empty, no task) "
                               "and at max")  # fmt: skip
    if run.of_type("ecs-platform:ecs:Job"):
        est.assumptions.append(f"A scheduled job is priced per run of {JOB_RUN_MINUTES} minutes (assumed), times "
                               "its runs in a 30-day month; one-off and runBefore jobs run on demand or per "
                               "deploy and are not priced")  # fmt: skip
    _fargate(est, rp, tasks, hours)
    _jobs(est, run, rp)
    _ec2(est, run, rp, tasks, hours)
    _managed_instances(est, run, rp, tasks, hours)
    _external(est, run, rp, tasks, hours)
    network_lines(est, run, rp, hours)
    nat_instance_lines(est, run, rp, hours)
    endpoint_lines(est, run, rp, hours)
    _security(est, run, rp)
    _alarms(est, run, rp)
    for item, detail, desired, maximum in priced_features(run, rp, {t.name: (t.desired, t.maximum) for t in tasks},
                                                         hours, est.problems, est.region):  # fmt: skip
        est.lines.append(CostLine(item, detail, desired, maximum))
    return est


def _fargate(est: CostEstimate, rp: Mapping[str, Any], tasks: list[_Tasks], hours: float) -> None:
    fp = rp["fargate"]
    spot_factor = 1 - float(fp["spot_discount"])
    for t in tasks:
        on_fargate = [s for s in t.strategy if s["capacityProvider"] in ("FARGATE", "FARGATE_SPOT")]
        if not on_fargate:
            continue
        rate = fp[t.architecture]
        per_task = (t.cpu / 1024) * float(rate["vcpu_hour"]) + (t.memory / 1024) * float(rate["gb_hour"])
        per_task += max(0, t.storage_gib - 20) * float(fp["ephemeral_gb_hour_over_20"])
        cost = {}
        for label, count in (("desired", t.desired), ("maximum", t.maximum)):
            split = split_tasks(count, on_fargate)
            cost[label] = (
                hours * per_task * (split.get("FARGATE", 0) + spot_factor * split.get("FARGATE_SPOT", 0))
            )
        spot = (
            " (Spot share at the assumed discount)"
            if any(s["capacityProvider"] == "FARGATE_SPOT" for s in on_fargate)
            else ""
        )
        tasks_text = f"min 0 (idle queue), max {t.maximum:g}" if t.scales_to_zero else (
            f"{t.desired:g} task(s), max {t.maximum:g}")  # fmt: skip
        # The Service Connect proxy runs inside the task's size (priced with it), in the headroom
        # the model keeps for it.
        proxy = (f" (incl. Service Connect proxy {facts.SERVICE_CONNECT_PROXY_CPU / 1024:g} vCPU / "
                 f"{facts.SERVICE_CONNECT_PROXY_MEMORY} MiB)") if t.service_connect else ""  # fmt: skip
        est.lines.append(
            CostLine(
                f"Fargate {t.name}",
                f"{t.cpu / 1024:g} vCPU / {t.memory / 1024:g} GB{proxy} {t.architecture}, {tasks_text}{spot}",
                cost["desired"],
                cost["maximum"],
            )
        )


def _instances_needed(
    tasks: list[_Tasks], attr: str, itype: str, target_capacity: float, daemons: Sequence[InstanceDaemon] = ()
) -> int:
    """Instances of ``itype`` the tasks need at ``attr`` (desired or maximum), each instance
    keeping room for one task of every daemon."""
    spec = INSTANCE_TYPES.get(itype)
    if spec is None:
        return 0
    counts = [float(getattr(t, attr)) for t in tasks]
    cpu = sum(t.cpu * n for t, n in zip(tasks, counts, strict=True))
    mem = sum(t.memory * n for t, n in zip(tasks, counts, strict=True))
    share = max(target_capacity, 1) / 100
    # A host-mode task holds its port on its instance: one per instance (distinctInstance).
    host = max((math.ceil(n) for t, n in zip(tasks, counts, strict=True) if t.network_mode == "host"), default=0)
    room_cpu = spec.task_cpu * share - sum(d.cpu for d in daemons)
    room_mem = spec.task_memory_mib * share - sum(d.memory for d in daemons)
    if room_cpu <= 0 or room_mem <= 0:  # the daemons fill the instance: one per task at least
        return max(math.ceil(sum(counts)), host)
    return max(math.ceil(cpu / room_cpu), math.ceil(mem / room_mem), host)


def _daemon_lines(est: CostEstimate, daemons: Sequence[InstanceDaemon], where: str, desired: int, maximum: int) -> None:
    """One line per daemon: a task on each instance (desired and at the capacity's maximum), priced
    with the instances that hold it."""
    for d in daemons:
        est.lines.append(CostLine(f"Daemon {d.name}", f"{d.cpu / 1024:g} vCPU / {d.memory / 1024:g} GB on each "
                                  f"of {where}: {desired} task(s), max {maximum}; in the instances' price",
                                  0.0, 0.0))  # fmt: skip


def _ec2(est: CostEstimate, run: StackRun, rp: Mapping[str, Any], tasks: list[_Tasks], hours: float) -> None:
    ep = rp["ec2"]
    providers = {
        cp.outputs.get("name"): cp for cp in run.of_type("aws:ecs/capacityProvider:CapacityProvider")
    }
    nat = {r.urn for r in run.of_type(NAT_INSTANCE)}
    for asg in sorted(run.of_type("aws:autoscaling/group:Group"), key=lambda r: r.name):
        if asg.parent in nat:  # priced as the NAT instance
            continue
        cp = next(
            (
                c
                for c in providers.values()
                if c.inputs["autoScalingGroupProvider"]["autoScalingGroupArn"] == asg.outputs.get("arn")
            ),
            None,
        )
        cp_name = cp.outputs.get("name") if cp else None
        on_group = [t for t in tasks if any(s["capacityProvider"] == cp_name for s in t.strategy)]
        policy = asg.inputs["mixedInstancesPolicy"]
        itype = policy["launchTemplate"]["overrides"][0]["instanceType"]
        hourly = ec2_hourly(itype, ep)
        if hourly is None:
            est.problems.append(f"no price for instance type {itype!r} in {est.region} (group {asg.name})")
            continue
        target = (
            float(cp.inputs["autoScalingGroupProvider"]["managedScaling"]["targetCapacity"]) if cp else 100
        )
        lo, hi = int(asg.inputs["minSize"]), int(asg.inputs["maxSize"])
        daemons = daemons_on(run, "EC2")
        counts = {
            attr: min(hi, max(lo, _instances_needed(on_group, attr, itype, target, daemons)))
            for attr in ("desired", "maximum")
        }
        dist = policy.get("instancesDistribution") or {}
        base = int(dist.get("onDemandBaseCapacity", 0))
        on_demand_pct = float(dist.get("onDemandPercentageAboveBaseCapacity", 100)) / 100
        spot_factor = 1 - float(ep["spot_discount"])
        lt_id = policy["launchTemplate"]["launchTemplateSpecification"]["launchTemplateId"]
        lt = next(r for r in run.of_type("aws:ec2/launchTemplate:LaunchTemplate") if r.id == lt_id)
        volume = float(lt.inputs["blockDeviceMappings"][0]["ebs"]["volumeSize"])
        cost = {}
        for attr, n in counts.items():
            od = min(n, base) + max(0, n - base) * on_demand_pct
            spot = n - od
            cost[attr] = hours * hourly * (od + spot_factor * spot) + n * volume * float(rp["ebs"]["gp3_gb_month"])
        if lt.inputs.get("monitoring", {}).get("enabled"):
            # Detailed monitoring: 7 instance metrics at CloudWatch's per-metric price, per instance
            # (CloudWatch pricing, "Amazon EC2 detailed monitoring" example: $2.10 a month).
            per_instance = float(rp["cloudwatch_detailed_monitoring_instance_month"])
            est.lines.append(CostLine(f"EC2 detailed monitoring {asg.name}", f"per-minute metrics of {counts['desired']} "
                                      f"instance(s) (max {counts['maximum']}) at ${per_instance:.2f} each",
                                      counts["desired"] * per_instance, counts["maximum"] * per_instance))  # fmt: skip
        est.lines.append(
            CostLine(
                f"EC2 {asg.name}",
                f"{itype} x {counts['desired']} (max {counts['maximum']}; group {lo}..{hi}, "
                "sized to its tasks "
                f"at {target:g}% target capacity), {volume:g} GiB gp3 each",
                cost["desired"],
                cost["maximum"],
            )
        )
        _daemon_lines(est, daemons, f"EC2 group {asg.name}'s instances", counts["desired"], hi)


def _managed_instances(
    est: CostEstimate, run: StackRun, rp: Mapping[str, Any], tasks: list[_Tasks], hours: float
) -> None:
    """Managed Instances: EC2 On-Demand (or Spot) hours of the cheapest instance type the requirements
    allow, as many as the tasks and each instance's daemons need, and the tasks' volume. The
    Managed Instances management fee (per instance hour, by instance type) is not in prices.json:
    reported as not priced, never guessed."""
    ep = rp["ec2"]
    for cp in sorted(run.of_type("aws:ecs/capacityProvider:CapacityProvider"), key=lambda r: r.name):
        provider = cp.inputs.get("managedInstancesProvider")
        if not provider:
            continue
        template = provider["instanceLaunchTemplate"]
        found = implied_instance_type(template.get("instanceRequirements") or {}, lambda t: ec2_hourly(t, ep))
        if found is None:
            est.problems.append(f"no price for the instances of Managed Instances {cp.name} in {est.region}: their "
                                "requirements match no instance type in prices.json (accelerators other than "
                                "NVIDIA GPUs, or types outside the built-in table)")  # fmt: skip
            continue
        itype, hourly = found
        name = cp.outputs.get("name")
        on_cp = [t for t in tasks if any(s["capacityProvider"] == name for s in t.strategy)]
        daemons = daemons_on(run, "MANAGED_INSTANCES", cp.outputs.get("arn"))
        counts = {attr: _instances_needed(on_cp, attr, itype, 100, daemons) for attr in ("desired", "maximum")}
        spot = template.get("capacityOptionType") == "SPOT"
        factor = 1 - float(ep["spot_discount"]) if spot else 1.0
        gib = float((template.get("storageConfiguration") or {}).get("storageSizeGib", 0))
        cost = {a: n * (hours * hourly * factor + gib * float(rp["ebs"]["gp3_gb_month"])) for a, n in counts.items()}
        est.lines.append(CostLine(
            f"Managed Instances {cp.name}",
            f"{itype} x {counts['desired']} (max {counts['maximum']}), the cheapest type the requirements allow, "
            f"sized to its tasks{' and daemons' if daemons else ''}; "
            f"{'Spot at the assumed discount' if spot else 'On-Demand'}, {gib:g} GiB for tasks each (priced as gp3)",
            cost["desired"], cost["maximum"],
        ))  # fmt: skip
        est.assumptions.append(f"Managed Instances {cp.name}: the fewest {itype} instances that hold the tasks; ECS "
                               "chooses the types and spreads a service's tasks over zones, so it may run more "
                               "or other instances")  # fmt: skip
        est.problems.append(f"ECS Managed Instances management fee of {cp.name} (per instance hour, by instance "
                            f"type; not in prices.json: {itype} x {counts['desired']}, max {counts['maximum']})")
        _daemon_lines(est, daemons, f"Managed Instances {cp.name}", counts["desired"], counts["maximum"])


def _external(
    est: CostEstimate, run: StackRun, rp: Mapping[str, Any], tasks: list[_Tasks], hours: float
) -> None:
    for activation in sorted(run.of_type("aws:ssm/activation:Activation"), key=lambda r: r.name):
        limit = int(activation.inputs.get("registrationLimit", 1))
        services = [t for t in tasks if t.launch_type == "EXTERNAL"]
        desired = min(limit, max(1, len(services)))
        rate = hours * float(rp["ecs_anywhere_instance_hour"])
        est.lines.append(
            CostLine(
                "ECS Anywhere machines",
                f"{desired} machine(s) (one per external service; max: the activation's limit of {limit})",
                desired * rate,
                limit * rate,
            )
        )
        _daemon_lines(est, daemons_on(run, "EXTERNAL"), "the ECS Anywhere machines", desired, limit)


def _alarms(est: CostEstimate, run: StackRun, rp: Mapping[str, Any]) -> None:
    """Standard-resolution CloudWatch alarms (deployment alarms, a NAT instance's), per alarm and month; the
    account's 10 free alarms are not subtracted (other stacks may use them)."""
    alarms = run.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    if alarms:
        monthly = len(alarms) * float(rp["cloudwatch_alarm_month"])
        est.lines.append(CostLine("CloudWatch alarms", f"{len(alarms)} standard-resolution alarms; "
                                  "free tier not subtracted", monthly, monthly))  # fmt: skip


def _security(est: CostEstimate, run: StackRun, rp: Mapping[str, Any]) -> None:
    """Customer-managed KMS keys (per key and month) and WAF web ACLs (per ACL and rule and
    month; every managed rule group counts as one rule); their requests are excluded."""
    for key in sorted(run.of_type("aws:kms/key:Key"), key=lambda r: r.name):
        monthly = float(rp["kms_key_month"])
        est.lines.append(CostLine(f"KMS key {key.name}", "customer-managed, rotation on; requests excluded",
                                  monthly, monthly))  # fmt: skip
    for acl in sorted(run.of_type("aws:wafv2/webAcl:WebAcl"), key=lambda r: r.name):
        rules = len(acl.inputs.get("rules") or [])
        monthly = float(rp["waf_web_acl_month"]) + rules * float(rp["waf_rule_month"])
        est.lines.append(CostLine(f"WAF {acl.name}", f"web ACL with {rules} rules; requests excluded",
                                  monthly, monthly))  # fmt: skip
    _waf_logs(est, run, rp)


def _waf_logs(est: CostEstimate, run: StackRun, rp: Mapping[str, Any]) -> None:
    """WAF log ingestion into CloudWatch Logs (vended logs, per GB), for the assumed traffic
    (:data:`WAF_REQUESTS_MONTH`): every request with ``logRequests: all``, the blocked and counted
    share (:data:`WAF_FLAGGED_SHARE`) with the default filter. https://aws.amazon.com/cloudwatch/pricing/"""
    configs = sorted(run.of_type("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"),
                     key=lambda r: r.name)  # fmt: skip
    if not configs:
        return
    price = rp.get("cloudwatch_vended_logs_gb")
    if price is None:
        est.problems.append(f"WAF log ingestion: no cloudwatch_vended_logs_gb price for {est.region}")
        return
    est.assumptions.append(f"WAF logs are priced for {WAF_REQUESTS_MONTH:,} requests a month (assumed), "
                           f"{WAF_FLAGGED_SHARE:.0%} of them blocked or counted, {WAF_LOG_RECORD_KB:g} KB per log "
                           "record; storage excluded")  # fmt: skip
    for config in configs:
        filtered = bool(config.inputs.get("loggingFilter"))
        logged = WAF_REQUESTS_MONTH * (WAF_FLAGGED_SHARE if filtered else 1.0)
        gb = logged * WAF_LOG_RECORD_KB / 1024 / 1024
        monthly = gb * float(price)
        what = "blocked and counted requests" if filtered else "every request"
        est.lines.append(CostLine(f"WAF logs {config.name}", f"{what}: {logged:,.0f} records, {gb:.3g} GB "
                                  f"ingested at ${float(price):g}/GB", monthly, monthly))  # fmt: skip


def _count(text: str, lo: int, hi: int, names: Sequence[str] = ()) -> float:
    """How many values one cron field matches (``L``, ``W`` and ``#`` forms match one)."""
    total = 0.0
    for item in text.split(","):
        base, _, step = item.partition("/")
        if base in ("*", "?"):
            first, last = lo, hi
        elif "-" in base:
            a, b = base.split("-", 1)
            first, last = (names.index(a.upper()) + lo if a.upper() in names else int(a)), (
                names.index(b.upper()) + lo if b.upper() in names else int(b))  # fmt: skip
        elif step:
            first, last = (names.index(base.upper()) + lo if base.upper() in names else int(base)), hi
        else:
            total += 1
            continue
        total += len(range(first, last + 1, int(step) if step else 1))
    return total


def runs_per_month(expression: str) -> float:
    """Runs of a schedule expression in a 30-day month (a one-time ``at`` schedule: 1)."""
    if expression.startswith("rate("):
        value, unit = expression[5:-1].split(" ")
        minutes = {"minute": 1, "hour": 60, "day": 1440}[unit.rstrip("s")]
        return 30 * 1440 / (int(value) * minutes)
    if expression.startswith("cron("):
        minute, hour, dom, month, dow, _ = expression[5:-1].split(" ")
        days = 30 / 7 * _count(dow, 1, 7, ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")) if dom == "?" else (
            30.0 if dom == "*" else _count(dom, 1, 31))  # fmt: skip
        months = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
        return _count(minute, 0, 59) * _count(hour, 0, 23) * min(days, 30.0) * _count(month, 1, 12, months) / 12
    return 1.0


def _jobs(est: CostEstimate, run: StackRun, rp: Mapping[str, Any]) -> None:
    """Scheduled jobs on Fargate: per-run cost (``JOB_RUN_MINUTES``) times runs per month. On EC2
    or external capacity a run costs nothing beyond the machines already priced."""
    fp = rp["fargate"]
    tasks_by_arn = {r.outputs.get("arn"): r for r in run.of_type("aws:ecs/taskDefinition:TaskDefinition")}
    for schedule in sorted(run.of_type("aws:scheduler/schedule:Schedule"), key=lambda r: r.name):
        ecs = schedule.inputs["target"]["ecsParameters"]
        task = tasks_by_arn.get(ecs.get("taskDefinitionArn"))
        strategy = [s["capacityProvider"] for s in ecs.get("capacityProviderStrategies") or []]
        if task is None or not strategy or any(p not in ("FARGATE", "FARGATE_SPOT") for p in strategy):
            continue
        rate = fp[(task.inputs.get("runtimePlatform") or {}).get("cpuArchitecture", "X86_64")]
        cpu, memory = int(task.inputs["cpu"]) / 1024, int(task.inputs["memory"]) / 1024
        per_run = JOB_RUN_MINUTES / 60 * (cpu * float(rate["vcpu_hour"]) + memory * float(rate["gb_hour"]))
        if strategy == ["FARGATE_SPOT"]:
            per_run *= 1 - float(fp["spot_discount"])
        expression = str(schedule.inputs["scheduleExpression"])
        runs = runs_per_month(expression)
        name = schedule.name.removesuffix("-schedule")
        est.lines.append(CostLine(
            f"Job {name}",
            f"{cpu:g} vCPU / {memory:g} GB, {expression}: {runs:.4g} run(s) a month at ${per_run:.4f} per "
            f"{JOB_RUN_MINUTES}-minute run",
            runs * per_run, runs * per_run,
        ))  # fmt: skip


def missing_items(prices: Mapping[str, Any]) -> dict[str, list[str]]:
    """Region -> the items of ``prices["items"]`` (dotted paths) it lacks; every priced region must
    have them all, and list each unverified figure among them or ``optional_items`` (figures only some
    regions have: an estimate elsewhere reports them as not priced)."""
    out: dict[str, list[str]] = {}
    for region, rp in prices["regions"].items():
        lacking = []
        for item in prices["items"]:
            node: Any = rp
            for part in item.split("."):
                node = node.get(part) if isinstance(node, Mapping) else None
            if node is None or node == {}:
                lacking.append(item)
        known = (*prices["items"], *prices.get("optional_items", ()))
        lacking += [f"unverified:{u}" for u in rp.get("unverified", []) if u not in known]
        if not rp.get("source") or not rp.get("as_of"):
            lacking.append("source/as_of")
        if lacking:
            out[region] = lacking
    return out
