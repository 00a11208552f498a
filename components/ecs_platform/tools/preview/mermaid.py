"""A Mermaid flowchart of a stack: ``python -m ecs_platform.tools.preview <stack> --mermaid``.

It is drawn from what the mock engine recorded (the :class:`StackRun` the preview's tree and
cost estimate read), not from the spec: the picture then shows what the components really
register, with every default and derived resource in place (the sample service, the
``volume-init`` container, the test listener of a blue/green service, the Cloud Map namespace,
a job's dead-letter queue), and it cannot drift from the components the way a second reading
of the spec could. It works for any program the mock engine runs, embedded ones included.

What it shows: the VPC and its zones; the load balancers, their listeners and the routes to
services; each service with its task count, capacity and sidecars; who may call whom (a
security group rule admitting one service's tasks into another's, with the Service Connect
name); jobs with their schedules, dead-letter queues and the services they run before; the
SQS queues services scale on; EFS file systems and where they are mounted; services on
machines of your own (ECS Anywhere) outside the VPC.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable
from typing import Any

from ecs_platform.tools.mock_cloud import Registration, StackRun

SERVICE = "aws:ecs/service:Service"
TASK = "aws:ecs/taskDefinition:TaskDefinition"
JOB = "ecs-platform:ecs:Job"
PLATFORM = "ecs-platform:index:Platform"
_STRATEGIES = {"BLUE_GREEN": "blue/green", "LINEAR": "linear", "CANARY": "canary"}


def _id(*parts: str) -> str:
    """A Mermaid node id: letters, digits and underscores."""
    return re.sub(r"[^A-Za-z0-9_]", "_", "_".join(parts))


def _text(text: str) -> str:
    """Text inside a quoted Mermaid label (quotes become Mermaid's entity)."""
    return text.replace('"', "#quot;")


def _plain(value: Any) -> str:
    return str(value) if value is not None else "?"


class _Stack:
    """The recorded resources, indexed for the picture."""

    def __init__(self, run: StackRun) -> None:
        self.run = run
        self.by_urn = {r.urn: r for r in run.resources}
        self.children: dict[str, list[Registration]] = {}
        for r in run.resources:
            self.children.setdefault(r.parent, []).append(r)

    def display_name(self, component: Registration) -> str:
        """A component's name as its owner wrote it: without the ``<platform>-`` prefix."""
        parent = self.by_urn.get(component.parent)
        if parent is not None and parent.type == PLATFORM and component.name.startswith(parent.name + "-"):
            return component.name[len(parent.name) + 1 :]
        return component.name

    def descendants(self, component: Registration) -> Iterable[Registration]:
        for child in self.children.get(component.urn, []):
            yield child
            yield from self.descendants(child)

    def owner(self, reg: Registration) -> Registration:
        """The component a resource belongs to (its parent, or itself at the top)."""
        return self.by_urn.get(reg.parent, reg)

    def task(self, arn: Any) -> Registration | None:
        return next((t for t in self.run.of_type(TASK) if t.outputs.get("arn") == arn), None)


def _containers(task: Registration | None) -> list[dict[str, Any]]:
    if task is None:
        return []
    raw = task.inputs.get("containerDefinitions", "[]")
    parsed: list[dict[str, Any]] = json.loads(raw) if isinstance(raw, str) else list(raw)
    return parsed


def _capacity(service: Registration, managed: Collection[str] = ()) -> str:
    """Where a service's tasks run: its launch type, else its providers (``managed``: the names of
    the Managed Instances capacity providers)."""
    if service.inputs.get("launchType"):
        return str(service.inputs["launchType"])
    providers = [str(s.get("capacityProvider")) for s in service.inputs.get("capacityProviderStrategies") or []]
    return " + ".join(p if p in ("FARGATE", "FARGATE_SPOT") else "Managed Instances" if p in managed else "EC2"
                      for p in providers) or "default capacity"  # fmt: skip


def _listener_label(listener: Registration) -> str:
    action = (listener.inputs.get("defaultActions") or [{}])[0]
    if action.get("type") == "redirect":
        redirect = action.get("redirect") or {}
        otherwise = f"redirects to {redirect.get('protocol')} {redirect.get('port')}"
    else:
        otherwise = f"otherwise {(action.get('fixedResponse') or {}).get('statusCode')}"
    return f"{listener.inputs.get('protocol')} :{listener.inputs.get('port')}<br/>{otherwise}"


def _route_label(rule: Registration) -> str:
    parts = []
    for condition in rule.inputs.get("conditions") or []:
        if "hostHeader" in condition:
            parts.append("host " + ", ".join(condition["hostHeader"]["values"]))
        if "pathPattern" in condition:
            parts.append("path " + ", ".join(condition["pathPattern"]["values"]))
    return " and ".join(parts) or "any request"


def _target_groups(rule: Registration) -> list[str]:
    action = (rule.inputs.get("actions") or [{}])[0]
    if action.get("forward"):
        return [str(t.get("arn")) for t in action["forward"].get("targetGroups") or []]
    return [str(action["targetGroupArn"])] if action.get("targetGroupArn") else []


def flowchart(run: StackRun) -> str:
    """The stack as a Mermaid ``flowchart LR`` (stable: everything sorted)."""
    st = _Stack(run)
    lines = ["flowchart LR"]
    inside: list[str] = []  # nodes in the VPC's private subnets
    public: list[str] = []  # nodes in the VPC's public subnets
    outside: list[str] = []  # nodes outside the VPC
    external: list[str] = []  # ECS Anywhere services
    edges: list[str] = []

    # --- services ------------------------------------------------------------------------------
    services = sorted(run.of_type(SERVICE), key=lambda s: st.display_name(st.owner(s)))
    managed = {str(cp.outputs.get("name")) for cp in run.of_type("aws:ecs/capacityProvider:CapacityProvider")
               if cp.inputs.get("managedInstancesProvider")}  # fmt: skip
    node_of_sg: dict[str, str] = {}
    node_of_tg: dict[str, str] = {}
    node_of_task: dict[str, str] = {}
    name_of_node: dict[str, str] = {}
    for svc in services:
        name = st.display_name(st.owner(svc))
        node = _id("svc", name)
        name_of_node[node] = name
        task = st.task(svc.inputs.get("taskDefinition"))
        if task is not None:
            node_of_task[task.urn] = node
        containers = _containers(task)
        # An init container is one another container waits for to finish (SUCCESS / COMPLETE).
        init = sorted({d["containerName"] for c in containers for d in c.get("dependsOn") or []
                       if d.get("condition") in ("SUCCESS", "COMPLETE")})  # fmt: skip
        sidecars = sorted(c["name"] for c in containers if c.get("name") not in (name, *init))
        count = svc.inputs.get("desiredCount")
        label = f"service {name}<br/>{_plain(count)} task(s) on {_capacity(svc, managed)}"
        if svc.inputs.get("schedulingStrategy") == "DAEMON":
            label = f"daemon {name}<br/>one task on every {_capacity(svc, managed)} instance"
        strategy = (svc.inputs.get("deploymentConfiguration") or {}).get("strategy", "ROLLING")
        if strategy != "ROLLING":
            label += f", deploys {_STRATEGIES.get(strategy, strategy)}"
        if sidecars:
            label += f"<br/>sidecars: {', '.join(sidecars)}"
        if init:
            label += f"<br/>init: {', '.join(init)}"
        (external if svc.inputs.get("launchType") == "EXTERNAL" else inside).append(f'{node}["{_text(label)}"]')
        for sg in (svc.inputs.get("networkConfiguration") or {}).get("securityGroups") or []:
            node_of_sg[str(sg)] = node
        for lb in svc.inputs.get("loadBalancers") or []:
            node_of_tg[str(lb.get("targetGroupArn"))] = node
            alternate = (lb.get("advancedConfiguration") or {}).get("alternateTargetGroupArn")
            if alternate:
                node_of_tg[str(alternate)] = node

    for daemon in sorted(run.of_type("aws:ecs/daemon:Daemon"), key=lambda r: r.name):
        name = st.display_name(st.owner(daemon))
        inside.append(f'{_id("daemon", name)}["{_text(f"daemon {name}<br/>one task on every Managed Instance")}"]')

    # --- load balancers, listeners, routes ------------------------------------------------------
    listeners = run.of_type("aws:lb/listener:Listener")
    test_rules = {(lb.get("advancedConfiguration") or {}).get("testListenerRule")
                  for svc in services for lb in svc.inputs.get("loadBalancers") or []}  # fmt: skip
    for lb in sorted(run.of_type("aws:lb/loadBalancer:LoadBalancer"), key=lambda r: r.name):
        lb_node = _id("lb", lb.name)
        scheme = "internal" if lb.inputs.get("internal") else "internet-facing"
        public.append(f'{lb_node}["load balancer {_text(lb.name)}<br/>{scheme}"]')
        outside.append('clients(("clients"))')
        edges.append(f"clients --> {lb_node}")
        for listener in sorted(listeners, key=lambda r: int(r.inputs.get("port") or 0)):
            if listener.inputs.get("loadBalancerArn") != lb.outputs.get("arn"):
                continue
            node = _id("listener", listener.name)
            rules = [r for r in run.of_type("aws:lb/listenerRule:ListenerRule")
                     if r.inputs.get("listenerArn") == listener.outputs.get("arn")]  # fmt: skip
            test = " (test listener)" if any(r.outputs.get("arn") in test_rules for r in rules) else ""
            public.append(f'{node}["{_text(_listener_label(listener))}{test}"]')
            edges.append(f"{lb_node} --> {node}")
            for rule in sorted(rules, key=lambda r: (int(r.inputs.get("priority") or 0), r.name)):
                targets = sorted({node_of_tg[tg] for tg in _target_groups(rule) if tg in node_of_tg})
                for target in targets:
                    edges.append(f'{node} -->|"{_text(_route_label(rule))}"| {target}')

    # --- who may call whom (security group rules between services) -----------------------------
    aliases: dict[str, str] = {}  # service node -> its Service Connect names
    for svc in services:
        connect = svc.inputs.get("serviceConnectConfiguration") or {}
        served = [f"http://{a.get('dnsName')}:{a.get('port')}" for s in connect.get("services") or []
                  for a in s.get("clientAlias") or []]  # fmt: skip
        if served:
            aliases[_id("svc", st.display_name(st.owner(svc)))] = ", ".join(served)
    calls = set()
    for rule in run.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"):
        callee = node_of_sg.get(str(rule.inputs.get("securityGroupId")))
        caller = node_of_sg.get(str(rule.inputs.get("referencedSecurityGroupId")))
        if callee and caller:
            calls.add((caller, callee, aliases.get(callee) or f"port {rule.inputs.get('fromPort')}"))
    edges += [f'{caller} -->|"{_text(label)}"| {callee}' for caller, callee, label in sorted(calls)]

    # --- storage: EFS file systems and where they are mounted -----------------------------------
    file_systems = {fs.outputs.get("id") or fs.id: fs for fs in run.of_type("aws:efs/fileSystem:FileSystem")}
    for task in sorted(run.of_type(TASK), key=lambda t: t.name):
        mounter = node_of_task.get(task.urn)
        if mounter is None:
            continue
        volumes = {v.get("name"): v.get("efsVolumeConfiguration") for v in task.inputs.get("volumes") or []}
        for container in _containers(task):
            for mount in container.get("mountPoints") or []:
                efs = volumes.get(mount.get("sourceVolume"))
                if not efs:
                    continue
                fs_id = str(efs.get("fileSystemId"))
                created = file_systems.get(fs_id)
                fs_node = _id("efs", created.name if created else fs_id)
                label = f"EFS {mount.get('sourceVolume')}<br/>" + ("encrypted, backed up" if created else f"adopted {fs_id}")
                node_line = f'{fs_node}[("{_text(label)}")]'
                if node_line not in inside:
                    inside.append(node_line)
                access = "read-only" if mount.get("readOnly") else "read-write"
                edges.append(f'{mounter} -->|"{_text(str(mount.get("containerPath")))} ({access})"| {fs_node}')

    # --- jobs: schedules, dead-letter queues, runs before services -----------------------------
    for job in sorted(run.of_type(JOB), key=lambda j: st.display_name(j)):
        name = st.display_name(job)
        node = _id("job", name)
        parts = list(st.descendants(job))
        schedules = [r for r in parts if r.type == "aws:scheduler/schedule:Schedule"]
        predeploys = [r for r in parts if r.type == "pulumi-python:dynamic/ecs-platform:PreDeployRun"]
        kind = "scheduled" if schedules else "pre-deploy" if predeploys else "one-off (run-task command)"
        inside.append(f'{node}["job {_text(name)}<br/>{kind}"]')
        for schedule in schedules:
            s_node = _id("schedule", name)
            when = f"{schedule.inputs.get('scheduleExpression')} {schedule.inputs.get('scheduleExpressionTimezone', 'UTC')}"
            outside.append(f'{s_node}(["EventBridge Scheduler<br/>{_text(when)}"])')
            edges.append(f'{s_node} -.->|"RunTask"| {node}')
        if schedules and any(r.type == "aws:sqs/queue:Queue" for r in parts):
            q_node = _id("dlq", name)
            outside.append(f'{q_node}[("dead-letter queue<br/>SQS, encrypted")]')
            edges.append(f'{_id("schedule", name)} -.->|"runs it could not start"| {q_node}')
        for run_ in predeploys:
            for task in run.of_type(TASK):
                if run_.urn in task.dependencies and task.urn in node_of_task:
                    edges.append(f'{node} -.->|"runs before it deploys"| {node_of_task[task.urn]}')

    # --- queues services scale on ---------------------------------------------------------------
    for policy in sorted(run.of_type("aws:appautoscaling/policy:Policy"), key=lambda p: p.name):
        custom = ((policy.inputs.get("targetTrackingScalingPolicyConfiguration") or {})
                  .get("customizedMetricSpecification") or {})  # fmt: skip
        for metric in custom.get("metrics") or []:
            stat = (metric.get("metricStat") or {}).get("metric") or {}
            if stat.get("namespace") != "AWS/SQS":
                continue
            queue = next((d.get("value") for d in stat.get("dimensions") or [] if d.get("name") == "QueueName"), None)
            service = st.owner(policy)
            target = _id("svc", st.display_name(service))
            if queue and target in name_of_node:
                q_node = _id("queue", str(queue))
                target_value = (policy.inputs.get("targetTrackingScalingPolicyConfiguration") or {}).get("targetValue")
                outside.append(f'{q_node}[("SQS queue {_text(str(queue))}")]')
                edges.append(f'{q_node} -.->|"scales on backlog, {_plain(target_value)} per task"| {target}')

    # --- a cluster without services or jobs: its capacity, and the roles for others' tasks -------
    if not services and not run.of_type(JOB):
        for cap in run.of_type("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders"):
            providers = [p if p in ("FARGATE", "FARGATE_SPOT") else "EC2" for p in
                         (str(p) for p in cap.inputs.get("capacityProviders") or [])]  # fmt: skip
            roles = "<br/>shared execution and task roles" if run.of_type("ecs-platform:iam:SharedTaskRoles") else ""
            node = _id("cluster", cap.name)
            label = f"ECS cluster, no services<br/>capacity: {', '.join(providers)}{roles}"
            (inside if "EC2" in providers else outside).append(f'{node}["{_text(label)}"]')

    # --- the VPC and its zones ------------------------------------------------------------------
    vpc = next(iter(run.of_type("awsx:ec2:Vpc")), None)
    zones = run.exports.get("zones") or (vpc.inputs.get("availabilityZoneNames") if vpc else None) or []
    zone_ids = run.exports.get("zoneIds") or []
    where = ", ".join(f"{z} ({i})" for z, i in zip(zones, zone_ids, strict=False)) if zone_ids else ", ".join(zones)
    title = f"VPC {vpc.inputs.get('cidrBlock')}" if vpc else "VPC (adopted)" if zones else "VPC (yours)"
    if zones:
        title += f"<br/>{len(zones)} zones: {where}"
    if inside or public:
        lines.append(f'  subgraph vpc["{_text(title)}"]')
        if public:
            lines.append('    subgraph public["public subnets"]')
            lines += [f"      {n}" for n in dict.fromkeys(public)]
            lines.append("    end")
        if inside:
            lines.append('    subgraph private["private subnets, no public IPs"]')
            lines += [f"      {n}" for n in dict.fromkeys(inside)]
            lines.append("    end")
        lines.append("  end")
    if external:
        lines.append('  subgraph anywhere["your machines (ECS Anywhere)"]')
        lines += [f"    {n}" for n in external]
        lines.append("  end")
    lines += [f"  {n}" for n in dict.fromkeys(outside)]
    lines += [f"  {e}" for e in dict.fromkeys(edges)]
    return "\n".join(lines) + "\n"
