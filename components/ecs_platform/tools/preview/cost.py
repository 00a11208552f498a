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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ecs_platform import facts
from ecs_platform.specs import INSTANCE_TYPES
from ecs_platform.tools.mock_cloud import StackRun
from ecs_platform.tools.preview.cost_features import priced_features

PRICES_FILE = Path(__file__).with_name("prices.json")
#: The run time a scheduled job is priced for (a job's real duration is unknown before it runs).
JOB_RUN_MINUTES = 10
NAT_INSTANCE = "ecs-platform:network:NatInstance"
#: The traffic WAF log ingestion is priced for (a stack's real traffic is unknown before it runs):
#: requests reaching the load balancer a month, the share a rule blocks or counts (what the
#: default ``logRequests: blockedAndCounted`` keeps), and the size of one log record (a JSON
#: record with the request's headers). CloudWatch Logs bills WAF logs as vended logs per GB.
WAF_REQUESTS_MONTH = 10_000_000
WAF_FLAGGED_SHARE = 0.01
WAF_LOG_RECORD_KB = 2.0
_SIZE_MULTIPLIER = {"large": 1, "xlarge": 2, "2xlarge": 4, "4xlarge": 8, "8xlarge": 16}


def load_prices(path: Path = PRICES_FILE) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


@dataclass(frozen=True)
class CostLine:
    item: str
    detail: str
    desired: float
    maximum: float


@dataclass
class CostEstimate:
    region: str
    lines: list[CostLine] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    source: str = ""
    as_of: str = ""

    @property
    def complete(self) -> bool:
        return not self.problems

    @property
    def total_desired(self) -> float:
        return round(sum(line.desired for line in self.lines), 2)

    @property
    def total_maximum(self) -> float:
        return round(sum(line.maximum for line in self.lines), 2)

    def as_dict(self) -> dict[str, Any]:
        return {
            "region": self.region,
            "currency": "USD",
            "source": self.source,
            "asOf": self.as_of,
            "lines": [
                {
                    "item": line.item,
                    "detail": line.detail,
                    "monthlyDesired": round(line.desired, 2),
                    "monthlyMax": round(line.maximum, 2),
                }
                for line in self.lines
            ],
            "totalMonthlyDesired": self.total_desired if self.complete else None,
            "totalMonthlyMax": self.total_maximum if self.complete else None,
            "problems": list(self.problems),
            "assumptions": list(self.assumptions),
        }


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


def ec2_hourly(instance_type: str, ec2_prices: Mapping[str, Any]) -> float | None:
    """On-demand hourly price of an instance type, or None when unpriced."""
    if instance_type in ec2_prices["burstable_hourly"]:
        return float(ec2_prices["burstable_hourly"][instance_type])
    family, _, size = instance_type.partition(".")
    large = ec2_prices["large_hourly"].get(family)
    if large is None or size not in _SIZE_MULTIPLIER:
        return None
    return float(large) * _SIZE_MULTIPLIER[size]


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
    network_mode: str = "awsvpc"


def _tasks(run: StackRun) -> list[_Tasks]:
    tasks_by_arn = {r.outputs.get("arn"): r for r in run.of_type("aws:ecs/taskDefinition:TaskDefinition")}
    targets = run.of_type("aws:appautoscaling/target:Target")
    out: list[_Tasks] = []
    for svc in sorted(run.of_type("aws:ecs/service:Service"), key=lambda r: r.name):
        task = tasks_by_arn.get(svc.inputs.get("taskDefinition"))
        if task is None:
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
        est.assumptions.append(f"Not confirmed against a source for {region} (the AWS list price as recalled; "
                               f"check before relying): {', '.join(rp['unverified'])}")  # fmt: skip
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
    _external(est, run, rp, tasks, hours)
    _network(est, run, rp, hours)
    _nat_instances(est, run, rp, hours)
    _endpoints(est, run, rp, hours)
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
        est.lines.append(
            CostLine(
                f"Fargate {t.name}",
                f"{t.cpu / 1024:g} vCPU / {t.memory / 1024:g} GB {t.architecture}, {tasks_text}{spot}",
                cost["desired"],
                cost["maximum"],
            )
        )


def _instances_needed(tasks: list[_Tasks], attr: str, itype: str, target_capacity: float) -> int:
    spec = INSTANCE_TYPES.get(itype)
    if spec is None:
        return 0
    counts = [float(getattr(t, attr)) for t in tasks]
    cpu = sum(t.cpu * n for t, n in zip(tasks, counts, strict=True))
    mem = sum(t.memory * n for t, n in zip(tasks, counts, strict=True))
    share = max(target_capacity, 1) / 100
    # A host-mode task holds its port on its instance: one per instance (distinctInstance).
    host = max((math.ceil(n) for t, n in zip(tasks, counts, strict=True) if t.network_mode == "host"), default=0)
    return max(math.ceil(cpu / (spec.task_cpu * share)), math.ceil(mem / (spec.task_memory_mib * share)), host)


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
        counts = {
            attr: min(hi, max(lo, _instances_needed(on_group, attr, itype, target)))
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
            cost[attr] = hours * hourly * (od + spot_factor * spot) + n * volume * float(ep["gp3_gb_month"])
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


def _network(est: CostEstimate, run: StackRun, rp: Mapping[str, Any], hours: float) -> None:
    ip_hour = float(rp["public_ipv4_hour"])
    for vpc in sorted(run.of_type("awsx:ec2:Vpc"), key=lambda r: r.name):
        zones = len(vpc.inputs.get("availabilityZoneNames") or [])
        strategy = (vpc.inputs.get("natGateways") or {}).get("strategy", "OnePerAz")
        count = {"None": 0, "Single": 1, "OnePerAz": zones}.get(strategy, zones)
        monthly = count * hours * (float(rp["nat_gateway_hour"]) + ip_hour)
        if count == 0:  # strategy None: a NAT instance (priced on its own) or no egress
            continue
        est.lines.append(
            CostLine(
                "NAT gateways",
                f"{count} ({strategy}), each with one public IPv4 address; data processing excluded",
                monthly,
                monthly,
            )
        )
    for lb in sorted(run.of_type("aws:lb/loadBalancer:LoadBalancer"), key=lambda r: r.name):
        zones = len(lb.inputs.get("subnets") or [])
        public_ips = 0 if lb.inputs.get("internal") else zones
        kind, unit = ("network", "NLCU") if lb.inputs.get("loadBalancerType") == "network" else ("application", "LCU")
        key = "nlb" if kind == "network" else "alb"
        monthly = hours * (float(rp[f"{key}_hour"]) + float(rp[f"{key}_{unit.lower()}_hour"]) + public_ips * ip_hour)
        est.lines.append(
            CostLine(
                f"Load balancer {lb.name}",
                f"{kind}, 1 {unit} assumed, {public_ips} public IPv4 address(es)",
                monthly,
                monthly,
            )
        )


def _nat_instances(est: CostEstimate, run: StackRun, rp: Mapping[str, Any], hours: float) -> None:
    """A NAT instance: its instance type's hours, its root volume (the AMI's size) and its
    Elastic IP; forwarding is free (no per-GB charge, unlike a NAT gateway)."""
    for nat in sorted(run.of_type(NAT_INSTANCE), key=lambda r: r.name):
        children = run.children(nat)
        [template] = [r for r in children if r.type == "aws:ec2/launchTemplate:LaunchTemplate"]
        itype = str(template.inputs["instanceType"])
        hourly = ec2_hourly(itype, rp["ec2"])
        if hourly is None:
            est.problems.append(f"no price for instance type {itype!r} in {est.region} (NAT instance {nat.name})")
            continue
        ips = len([r for r in children if r.type == "aws:ec2/eip:Eip"])
        gib = facts.NAT_ROOT_VOLUME_GIB
        monthly = hours * (hourly + ips * float(rp["public_ipv4_hour"])) + gib * float(rp["ec2"]["gp3_gb_month"])
        est.lines.append(CostLine(f"NAT instance {nat.name}", f"{itype} x 1, {gib} GiB gp3, {ips} public IPv4 "
                                  "address; no per-GB processing charge", monthly, monthly))  # fmt: skip


def _endpoints(est: CostEstimate, run: StackRun, rp: Mapping[str, Any], hours: float) -> None:
    """VPC endpoints: a gateway endpoint is free; an interface endpoint costs per zone (one
    network interface per subnet) and hour, plus per GB processed (excluded)."""
    rate = float(rp["interface_endpoint_az_hour"])
    for ep in sorted(run.of_type("aws:ec2/vpcEndpoint:VpcEndpoint"), key=lambda r: r.name):
        service = str(ep.inputs.get("serviceName", "")).rsplit(".", 1)[-1] if ep.inputs.get(
            "vpcEndpointType") == "Gateway" else ".".join(str(ep.inputs.get("serviceName", "")).split(".")[3:])  # fmt: skip
        if ep.inputs.get("vpcEndpointType") == "Gateway":
            est.lines.append(CostLine(f"VPC endpoint {service}", f"gateway endpoint {ep.name}: free", 0.0, 0.0))
            continue
        zones = len(ep.inputs.get("subnetIds") or [])
        monthly = hours * zones * rate
        est.lines.append(CostLine(f"VPC endpoint {service}", f"interface endpoint in {zones} zone(s); "
                                  f"${float(rp['interface_endpoint_gb']):g} per GB excluded", monthly, monthly))  # fmt: skip


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
