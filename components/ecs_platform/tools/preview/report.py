"""Turn a :class:`StackRun` into the preview people review: a tree, counts,
exports and the cost estimate, as text or as stable JSON."""

from __future__ import annotations

import base64
import json
from collections import Counter
from collections.abc import Callable
from typing import Any

from ecs_platform.tools.mock_cloud import Registration, StackRun
from ecs_platform.tools.preview.cost import CostEstimate
from ecs_platform.tools.preview.summaries import LATTICE_SUMMARIES, connect_extras, ebs_summary

SECRET = "[secret]"


def _policy_summary(document: str) -> str:
    statements = json.loads(document).get("Statement", [])
    parts = []
    for st in statements:
        actions = st.get("Action")
        actions = actions if isinstance(actions, list) else [actions]
        resources = st.get("Resource")
        resources = resources if isinstance(resources, list) else [resources]
        line = f"{st.get('Effect', 'Allow')} {', '.join(map(str, actions))} on {', '.join(map(str, resources))}"
        if "*" in resources and st.get("Effect", "Allow") == "Allow":
            line += _narrowing(actions)
        parts.append(line)
    return "; ".join(parts)


def _narrowing(actions: list[Any]) -> str:
    """What narrows a ``"*"`` grant: the condition keys AWS's Service Authorization Reference
    offers for its actions (``cloudwatch:PutMetricData`` -> ``cloudwatch:namespace``)."""
    from ecs_platform import iam_reference  # the reference loads on first use only

    keys = iam_reference.narrowing_keys(str(a) for a in actions)
    if keys:
        return f" (no resource to name in AWS's reference; narrow it with a Condition on {', '.join(keys)})"
    return " (no resource to name in AWS's reference, and no condition key to narrow it)"


def _key_policy(document: str) -> str:
    """Who may use a KMS key, and for what (its policy's principals and conditions)."""
    parts = []
    for st in json.loads(document).get("Statement", []):
        who = ", ".join(f"{v}" for v in (st.get("Principal") or {}).values())
        scope = "".join(f" where {k} {v}" for c in (st.get("Condition") or {}).values() for k, v in c.items())
        parts.append(f"{who}{scope}")
    return "key users: " + "; ".join(parts)


def _trust(document: str) -> str:
    st = json.loads(document)["Statement"][0]
    principal = ", ".join(f"{v}" for v in st.get("Principal", {}).values())
    conditions = st.get("Condition", {})
    account = conditions.get("StringEquals", {}).get("aws:SourceAccount")
    return f"trusts {principal}" + (f" for account {account} only" if account else "")


def _deployment(config: dict[str, Any]) -> str:
    """How a service deploys: ECS's strategy and its steps and bake time."""
    strategy = config.get("strategy", "ROLLING")
    if strategy == "ROLLING":
        return "deploys rolling"
    word = {"BLUE_GREEN": "blue/green", "LINEAR": "linear", "CANARY": "canary"}.get(strategy, strategy)
    pieces = [f"deploys {word}"]
    if lin := config.get("linearConfiguration"):
        pieces.append(f"{lin['stepPercent']:g}% every {lin['stepBakeTimeInMinutes']} min")
    if can := config.get("canaryConfiguration"):
        pieces.append(f"{can['canaryPercent']:g}% for {can['canaryBakeTimeInMinutes']} min")
    return ", ".join([*pieces, f"bake {config.get('bakeTimeInMinutes')} min"])


def _strategy(items: list[dict[str, Any]]) -> str:
    return ", ".join(
        f"{i['capacityProvider']} (weight {i.get('weight', 0)}"
        + (f", base {i['base']}" if i.get("base") else "")
        + ")"
        for i in items
    )


class _Summaries:
    """One line of the properties people review, per resource type."""

    def __init__(self, run: StackRun) -> None:
        self.run = run
        self.by_type: dict[str, Callable[[dict[str, Any], Registration], str]] = {
            "pulumi:providers:aws": self.provider,
            "awsx:ec2:Vpc": self.vpc,
            "aws:ecs/cluster:Cluster": self.cluster,
            "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": lambda i, r: (
                f"providers {', '.join(map(str, i.get('capacityProviders', [])))}; default "
                f"{_strategy(i.get('defaultCapacityProviderStrategies', []))}"
            ),
            "aws:ecs/service:Service": self.service,
            "aws:ecs/taskDefinition:TaskDefinition": self.task,
            "aws:ecs/daemonTaskDefinition:DaemonTaskDefinition": self.daemon_task,
            "aws:ecs/daemon:Daemon": lambda i, r: (
                "one task on every instance of "
                + ", ".join(str(a).rsplit("/", 1)[-1] for a in i.get("capacityProviderArns") or [])
                + f" (ECS starts it before other tasks there); tags propagated from the {i.get('propagateTags')}"
                + ("; ECS Exec on" if i.get("enableExecuteCommand") else "")
            ),
            "aws:iam/role:Role": lambda i, r: _trust(i["assumeRolePolicy"]),
            "aws:iam/rolePolicy:RolePolicy": lambda i, r: _policy_summary(i["policy"]),
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment": lambda i, r: (
                f"managed policy {str(i.get('policyArn', '')).rsplit('/', 1)[-1]}"
            ),
            "aws:iam/instanceProfile:InstanceProfile": lambda i, r: "instance profile of the instance role",
            "aws:ec2/securityGroup:SecurityGroup": lambda i, r: str(i.get("description", "")),
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": lambda i, r: self.sg_rule(
                "in", "from", i
            ),
            "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": lambda i, r: self.sg_rule(
                "out", "to", i
            ),
            "aws:cloudwatch/logGroup:LogGroup": lambda i, r: (
                f"{r.outputs.get('name')}, retention {i.get('retentionInDays', 'never expires')} days"
                + (f", KMS key {i['kmsKeyId']}" if i.get("kmsKeyId") else "")
                + ("" if not r.retain_on_delete else ", kept on delete")
            ),
            "aws:lb/loadBalancer:LoadBalancer": self.load_balancer,
            "aws:lb/listener:Listener": self.listener,
            "aws:lb/listenerRule:ListenerRule": self.rule,
            "aws:lb/targetGroup:TargetGroup": lambda i, r: (
                f"{i.get('targetType')} targets on {i.get('protocol')} {i.get('port')}, health "
                + (f"{(i.get('healthCheck') or {}).get('path')} expecting {(i.get('healthCheck') or {}).get('matcher')}"
                   if (i.get("healthCheck") or {}).get("protocol", "HTTP") == "HTTP" else
                   f"TCP connection on {(i.get('healthCheck') or {}).get('port')}")
                + f", deregistration {i.get('deregistrationDelay')} s"
            ),
            **LATTICE_SUMMARIES,
            "aws:appautoscaling/target:Target": lambda i, r: (
                f"{i.get('minCapacity')}..{i.get('maxCapacity')} tasks"
            ),
            "aws:appautoscaling/policy:Policy": self.scaling_policy,
            # A metric-math alarm (scale from zero) by its expressions, a deployment alarm by its metric.
            "aws:cloudwatch/metricAlarm:MetricAlarm": lambda i, r: (
                f"{i.get('alarmDescription', '')}; "
                + "; ".join(str(q["expression"]) for q in i.get("metricQueries") or [] if q.get("expression"))
                if i.get("metricQueries")
                else f"{r.outputs.get('name')}: {i.get('metricName')} ({i.get('statistic')}) above "
                f"{i.get('threshold'):g} for {i.get('evaluationPeriods')} min"
            ),
            "aws:autoscaling/group:Group": self.asg,
            "aws:ec2/networkInterface:NetworkInterface": lambda i, r: (
                f"in {self.zones([i['subnetId']])}; source/destination check "
                f"{'on' if i.get('sourceDestCheck', True) else 'off'}"
            ),
            "aws:ec2/eip:Eip": lambda i, r: f"Elastic IP {r.outputs.get('publicIp')} on the NAT instance's interface",
            "aws:ec2/route:Route": lambda i, r: (
                f"{i.get('destinationCidrBlock')} of {i.get('routeTableId')} via "
                f"{i.get('networkInterfaceId') or i.get('natGatewayId') or i.get('gatewayId')}"
            ),
            "aws:ec2/vpcEndpoint:VpcEndpoint": lambda i, r: (
                f"{i.get('serviceName')} ({i.get('vpcEndpointType')}) on route tables "
                f"{', '.join(i.get('routeTableIds') or [])}" if i.get("vpcEndpointType") == "Gateway" else
                f"{i.get('serviceName')} ({i.get('vpcEndpointType')}) in {self.zones(i.get('subnetIds') or [])}; "
                f"private DNS {'on' if i.get('privateDnsEnabled') else 'off'}"
            ),
            "aws:ec2/launchTemplate:LaunchTemplate": self.launch_template,
            "aws:ecs/capacityProvider:CapacityProvider": self.capacity_provider,
            "aws:ssm/activation:Activation": lambda i, r: (
                f"registers up to {i.get('registrationLimit')} machine(s), expires "
                f"{i.get('expirationDate', '24 h after creation')}"
            ),
            "aws:s3/bucket:Bucket": lambda i, r: (
                f"bucket {r.outputs.get('bucket')}; on destroy: "
                + ("kept" if r.retain_on_delete else "emptied and deleted" if i.get("forceDestroy") else "must be empty")
            ),
            "aws:kms/key:Key": lambda i, r: (
                f"rotation {'on' if i.get('enableKeyRotation') else 'off'}; " + _key_policy(i["policy"])
                + ("; kept on delete" if r.retain_on_delete else "")
            ),
            "aws:wafv2/webAcl:WebAcl": lambda i, r: "; ".join(
                (f"{rule['name']} limit {rule['statement']['rateBasedStatement']['limit']}/5 min per IP"
                 if "rateBasedStatement" in rule["statement"] else rule["name"])
                for rule in sorted(i.get("rules") or [], key=lambda rule: rule["priority"])
            ) + f"; default {next(iter(i.get('defaultAction') or {'?': 0}))}",
            "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": lambda i, r: (
                "logs " + ("blocked and counted requests only" if i.get("loggingFilter") else "EVERY request")
                + "; redacts " + ", ".join(f["singleHeader"]["name"] for f in i.get("redactedFields") or [])
            ),
            "aws:s3/bucketPolicy:BucketPolicy": lambda i, r: _policy_summary(i["policy"]),
            "aws:scheduler/schedule:Schedule": self.schedule,
            "aws:sqs/queue:Queue": lambda i, r: (
                f"{'encrypted (SSE-SQS)' if i.get('sqsManagedSseEnabled') else 'NOT encrypted'}, keeps messages "
                f"{int(i.get('messageRetentionSeconds', 345600)) // 86400} days"
            ),
            "pulumi-python:dynamic/ecs-platform:PreDeployRun": lambda i, r: (
                f"runs {i.get('containerName')} once per new task definition during `pulumi up` and waits up to "
                f"{i.get('timeoutSeconds')} s for exit code 0; what depends on it deploys only after"
            ),
        }

    def __call__(self, reg: Registration) -> str:
        fn = self.by_type.get(reg.type)
        if fn is None:
            return ""
        try:
            return fn(reg.inputs, reg)
        except (KeyError, TypeError, ValueError, IndexError):
            return ""

    def zones(self, subnets: list[str]) -> str:
        places = [self.run.cloud.subnets.get(s) for s in subnets]
        ids = self.run.cloud.subnet_zone_ids
        if all(places):
            # awsx's isolated subnets behind a NAT instance are the stack's private ones
            kinds = {"isolated": "private"}
            return ", ".join(f"{p[0]}/{ids.get(s, '?')} ({kinds.get(p[1], p[1])})"
                             for s, p in zip(subnets, places, strict=True) if p)  # fmt: skip
        return ", ".join(subnets)

    def provider(self, i: dict[str, Any], r: Registration) -> str:
        tags = i.get("defaultTags")
        tags = json.loads(tags) if isinstance(tags, str) else (tags or {})
        shown = ", ".join(f"{k}={v}" for k, v in sorted((tags.get("tags") or {}).items()))
        return f"region {i.get('region')}; default tags {shown}"

    def vpc(self, i: dict[str, Any], r: Registration) -> str:
        return (
            f"{i.get('cidrBlock')} over {', '.join(i.get('availabilityZoneNames') or [])}; "
            + ("NAT instance (no NAT gateway); " if self.run.of_type("ecs-platform:network:NatInstance") else
               f"NAT gateways {(i.get('natGateways') or {}).get('strategy')}; ")
            + f"/{i.get('availabilityZoneCidrMask')} per zone"
        )

    def cluster(self, i: dict[str, Any], r: Registration) -> str:
        insights = next((s["value"] for s in i.get("settings", []) if s["name"] == "containerInsights"), "?")
        log = i["configuration"]["executeCommandConfiguration"]["logConfiguration"]["cloudWatchLogGroupName"]
        return f"Container Insights {insights}; ECS Exec sessions logged to {log}"

    def service(self, i: dict[str, Any], r: Registration) -> str:
        parts = [f"desired {i.get('desiredCount')}"]
        if i.get("schedulingStrategy") == "DAEMON":
            parts = [f"DAEMON: one task on every {i.get('launchType')} instance"]
        for target in self.run.of_type("aws:appautoscaling/target:Target"):
            if str(target.inputs.get("resourceId", "")).endswith("/" + str(r.outputs.get("name"))):
                parts[0] += (
                    f" (autoscaling {target.inputs['minCapacity']}..{target.inputs['maxCapacity']}; "
                    "live count kept)"
                )
        if i.get("launchType"):
            parts.append(f"launch type {i['launchType']}")
        if i.get("capacityProviderStrategies"):
            parts.append(f"capacity {_strategy(i['capacityProviderStrategies'])}")
        net = i.get("networkConfiguration")
        if net:
            parts.append(f"subnets {self.zones(net.get('subnets', []))}")
            parts.append("public IP " + ("yes" if net.get("assignPublicIp") else "no"))
        mode = next((t.inputs.get("networkMode") for t in self.run.of_type("aws:ecs/taskDefinition:TaskDefinition")
                     if t.outputs.get("arn") == i.get("taskDefinition")), None)  # fmt: skip
        for lb in i.get("loadBalancers") or []:
            how = {"bridge": " (instance targets, dynamic host port)", "host": " (instance targets, host port)"}
            parts.append(f"behind the load balancer on port {lb.get('containerPort')}{how.get(str(mode), '')}")
        if any(c.get("type") == "distinctInstance" for c in i.get("placementConstraints") or []):
            parts.append("one task per instance")
        if volume := i.get("volumeConfiguration"):
            parts.append(ebs_summary(volume))
        for lattice in i.get("vpcLatticeConfigurations") or []:
            parts.append(f"in VPC Lattice (port {lattice.get('portName')}, registered by its infrastructure role)")
        connect = i.get("serviceConnectConfiguration") or {}
        if connect.get("enabled"):
            served = [f"http://{a['dnsName']}:{a['port']}" + connect_extras(sv) for sv in connect.get("services") or []
                      for a in sv.get("clientAlias") or []]  # fmt: skip
            parts.append("Service Connect " + (f"serving {', '.join(served)}" if served else "client"))
        if i.get("orderedPlacementStrategies"):
            parts.append(
                "placement "
                + ", then ".join(
                    f"{p['type']} {p.get('field', '')}".strip() for p in i["orderedPlacementStrategies"]
                )
            )
        breaker = i.get("deploymentCircuitBreaker") or {}
        parts.append("rollback on failed deploy" if breaker.get("rollback") else "NO rollback")
        parts.append(_deployment(i.get("deploymentConfiguration") or {}))
        if any("targetGroupArn" in path for path in r.ignore_changes):
            parts.append("target groups left as ECS swaps them")
        elif (i.get("loadBalancers") or [{}])[0].get("advancedConfiguration"):
            parts.append("target groups sent to ECS (retarget)")
        alarms = i.get("alarms") or {}
        if alarms.get("enable"):
            verb = "rolls back" if alarms.get("rollback") else "fails"
            parts.append(f"{verb} on alarms {', '.join(map(str, alarms.get('alarmNames', [])))}")
        timeout = r.custom_timeouts.get("update", "the provider's default")
        parts.append(f"pulumi up waits for steady state (up to {timeout})" if i.get("waitForSteadyState")
                     else "pulumi up does NOT wait for steady state")  # fmt: skip
        if i.get("enableExecuteCommand"):
            parts.append("ECS Exec on")
        if i.get("forceNewDeployment"):
            strategy = (i.get("deploymentConfiguration") or {}).get("strategy", "ROLLING")
            what = "new tasks" if strategy == "ROLLING" else "new tasks and a full traffic shift with its bake"
            parts.append(f"every update of the service redeploys ({what}; forceNewDeployment, which changing "
                         "the capacity strategy needs)")  # fmt: skip
        return "; ".join(parts)

    def task(self, i: dict[str, Any], r: Registration) -> str:
        cpu, mem = int(i.get("cpu", 0)), int(i.get("memory", 0))
        arch = (i.get("runtimePlatform") or {}).get("cpuArchitecture", "X86_64")
        head = (
            f"{cpu / 1024:g} vCPU / {mem / 1024:g} GB, {arch}, "
            f"{'/'.join(i.get('requiresCompatibilities', []))}, {i.get('networkMode')}"
        )
        details = []
        for c in json.loads(i.get("containerDefinitions", "[]")):
            ports = ", ".join(str(p["containerPort"]) for p in c.get("portMappings", []))
            bits = [c["name"], str(c.get("image"))]
            if ports:
                bits.append(f"port {ports}")
            bits.append("read-only root" if c.get("readonlyRootFilesystem") else "WRITABLE root")
            bits.append(f"user {c['user']}" if c.get("user") else "image's user")
            if c.get("essential") is False:
                bits.append("not essential")
            if c.get("secrets"):
                bits.append(f"secrets {', '.join(s['name'] for s in c['secrets'])}")
            if c.get("mountPoints"):
                bits.append("mounts " + ", ".join(
                    f"{m['sourceVolume']} at {m['containerPath']}{' (ro)' if m.get('readOnly') else ''}"
                    for m in c["mountPoints"]))  # fmt: skip
            logs = c.get("logConfiguration") or {}
            if logs.get("logDriver") == "awsfirelens":
                bits.append(f"logs via FireLens to {(logs.get('options') or {}).get('Name', '?')}")
            if c.get("firelensConfiguration"):
                bits.append(f"FireLens log router ({c['firelensConfiguration'].get('type')})")
            if (c.get("restartPolicy") or {}).get("enabled"):
                rp = c["restartPolicy"]
                bits.append("restarts in place" + (f" except on exit {', '.join(map(str, rp['ignoredExitCodes']))}"
                                                   if rp.get("ignoredExitCodes") else "")
                            + f" (after {rp.get('restartAttemptPeriod', 300)} s up)")  # fmt: skip
            if c.get("dependsOn"):
                bits.append("after " + ", ".join(f"{d['containerName']} {d['condition']}" for d in c["dependsOn"]))
            details.append(" ".join(bits[:2]) + (", " + ", ".join(bits[2:]) if bits[2:] else ""))
        return head + "; " + "; ".join(details)

    def daemon_task(self, i: dict[str, Any], r: Registration) -> str:
        """A daemon task definition: its size and containers (pulumi-aws's structured keys)."""
        head = f"{int(i.get('cpu', 0)) / 1024:g} vCPU / {int(i.get('memory', 0)) / 1024:g} GB per instance"
        details = []
        for c in i.get("containerDefinitions") or []:
            bits = [c["name"], str(c.get("image")), "read-only root" if c.get("readonlyRootFilesystem") else
                    "WRITABLE root", f"user {c['user']}" if c.get("user") else "image's user"]  # fmt: skip
            if c.get("essential") is False:
                bits.append("not essential")
            details.append(" ".join(bits[:2]) + ", " + ", ".join(bits[2:]))
        return head + "; " + "; ".join(details)

    def sg_rule(self, direction: str, word: str, i: dict[str, Any]) -> str:
        proto = i.get("ipProtocol")
        ports = (
            "all traffic"
            if proto == "-1"
            else f"{proto} {i.get('fromPort')}"
            + (f"-{i.get('toPort')}" if i.get("toPort") != i.get("fromPort") else "")
        )
        peer = i.get("cidrIpv4") or self._sg_name(i.get("referencedSecurityGroupId"))
        return f"{direction} {ports} {word} {peer}: {i.get('description', '')}"

    def _sg_name(self, sg_id: Any) -> str:
        for g in self.run.of_type("aws:ec2/securityGroup:SecurityGroup"):
            if g.id == sg_id:
                return f"security group {g.name}"
        return str(sg_id)

    def load_balancer(self, i: dict[str, Any], r: Registration) -> str:
        scheme = "internal" if i.get("internal") else "internet-facing"
        if i.get("loadBalancerType") == "network":
            return (f"network, {scheme}, subnets {self.zones(i.get('subnets', []))}; cross-zone "
                    f"{'on' if i.get('enableCrossZoneLoadBalancing') else 'off'}; security groups "
                    f"{'yes' if i.get('securityGroups') else 'NONE'}; deletion protection "
                    f"{'on' if i.get('enableDeletionProtection') else 'off'}")  # fmt: skip
        logs = "access logs on" if (i.get("accessLogs") or {}).get("enabled") else "access logs off"
        protection = (
            "deletion protection on" if i.get("enableDeletionProtection") else "deletion protection off"
        )
        return (
            f"{scheme}, subnets {self.zones(i.get('subnets', []))}; {protection}; {logs}; "
            f"invalid headers dropped: {i.get('dropInvalidHeaderFields')}; "
            f"desync {i.get('desyncMitigationMode')}"
        )

    def listener(self, i: dict[str, Any], r: Registration) -> str:
        action = i["defaultActions"][0]
        if action["type"] == "forward":
            tls = f" on the stack's certificate, {i.get('sslPolicy')}" if i.get("protocol") == "TLS" else ""
            return f"{i.get('protocol')} {i.get('port')}{tls}; forward to the service's target group"
        if action["type"] == "redirect":
            default = f"redirect to {action['redirect']['protocol']} {action['redirect']['port']}"
        else:
            default = f"default {action.get('fixedResponse', {}).get('statusCode')}"
        tls = f", {i.get('sslPolicy')}" if i.get("protocol") == "HTTPS" else ""
        return f"{i.get('protocol')} {i.get('port')}{tls}; {default}"

    def rule(self, i: dict[str, Any], r: Registration) -> str:
        conditions = []
        for c in i.get("conditions", []):
            if "pathPattern" in c:
                conditions.append("paths " + ", ".join(c["pathPattern"]["values"]))
            if "hostHeader" in c:
                conditions.append("hosts " + ", ".join(c["hostHeader"]["values"]))
        targets = (i.get("actions") or [{}])[0].get("forward", {}).get("targetGroups")
        weights = f" (weights {'/'.join(str(t.get('weight')) for t in targets)}, set by ECS)" if targets else ""
        return f"priority {i.get('priority')}: {' and '.join(conditions)} -> forward{weights}"

    def schedule(self, i: dict[str, Any], r: Registration) -> str:
        target = i["target"]
        retry = target.get("retryPolicy") or {}
        ecs = target.get("ecsParameters") or {}
        network = ecs.get("networkConfiguration") or {}
        return (
            f"{i['scheduleExpression']} ({i.get('scheduleExpressionTimezone', 'UTC')}); runs "
            f"{str(ecs.get('taskDefinitionArn', '')).rsplit('/', 1)[-1]} in {self.zones(network.get('subnets', []))}"
            f", public IP {'on' if network.get('assignPublicIp') else 'off'}; {retry.get('maximumRetryAttempts')} "
            f"retries within {retry.get('maximumEventAgeInSeconds')} s, then the dead-letter queue"
        )

    def scaling_policy(self, i: dict[str, Any], r: Registration) -> str:
        if i.get("policyType") == "StepScaling":
            steps = i["stepScalingPolicyConfiguration"]["stepAdjustments"]
            return "on its alarm: " + ", ".join(f"{s['scalingAdjustment']:+d} task(s)" for s in steps)
        cfg = i["targetTrackingScalingPolicyConfiguration"]
        custom = cfg.get("customizedMetricSpecification")
        if custom:
            shown = next(m for m in custom["metrics"] if m.get("returnData"))
            return (
                f"keep {shown.get('label')} ({shown.get('expression')}) at {cfg['targetValue']:g} (cooldown in "
                f"{cfg.get('scaleInCooldown')} s, out {cfg.get('scaleOutCooldown')} s)"
            )
        metric = cfg["predefinedMetricSpecification"]["predefinedMetricType"]
        return (
            f"keep {metric} at {cfg['targetValue']:g} (cooldown in {cfg.get('scaleInCooldown')} s, "
            f"out {cfg.get('scaleOutCooldown')} s)"
        )

    def asg(self, i: dict[str, Any], r: Registration) -> str:
        if "mixedInstancesPolicy" not in i:  # a NAT instance's group of one
            policy_ = i.get("instanceMaintenancePolicy") or {}
            return (f"{i.get('minSize')}..{i.get('maxSize')} instance in {', '.join(i.get('availabilityZones') or [])}; "
                    f"replaced on failed EC2 status checks (min healthy {policy_.get('minHealthyPercentage')}%)")
        policy = i["mixedInstancesPolicy"]
        types = ", ".join(o["instanceType"] for o in policy["launchTemplate"]["overrides"])
        dist = policy.get("instancesDistribution") or {}
        spot = 100 - int(dist.get("onDemandPercentageAboveBaseCapacity", 100))
        return (
            f"{types}; {i.get('minSize')}..{i.get('maxSize')} instances over "
            f"{self.zones(i.get('vpcZoneIdentifiers', []))}; {spot}% Spot above "
            f"{dist.get('onDemandBaseCapacity', 0)} on-demand; scale-in protected"
        )

    def launch_template(self, i: dict[str, Any], r: Registration) -> str:
        ebs = i["blockDeviceMappings"][0]["ebs"]
        user_data = base64.b64decode(i.get("userData", "")).decode(errors="replace")
        cluster = next(
            (line.split("=", 1)[1] for line in user_data.splitlines() if line.startswith("ECS_CLUSTER=")), "?"
        )
        size = f"{ebs['volumeSize']} GiB" if "volumeSize" in ebs else "the AMI's size,"
        role = f"joins cluster {cluster}" if cluster != "?" else (
            "NAT setup (ip_forward, masquerade)" if "MASQUERADE" in user_data else "no user data")  # fmt: skip
        return (
            f"{i.get('imageId')} ({i.get('instanceType')}); IMDSv2 {i['metadataOptions']['httpTokens']}; "
            f"{size} {ebs['volumeType']} encrypted={ebs['encrypted']}; {role}"
        )

    def capacity_provider(self, i: dict[str, Any], r: Registration) -> str:
        if "managedInstancesProvider" in i:
            return self.managed_instances(i["managedInstancesProvider"])
        p = i["autoScalingGroupProvider"]
        return (
            f"managed scaling to {p['managedScaling']['targetCapacity']}%; termination protection "
            f"{p['managedTerminationProtection']}; draining {p['managedDraining']}"
        )

    def managed_instances(self, p: dict[str, Any]) -> str:
        """A Managed Instances capacity provider: which instances ECS may launch, and where."""
        t = p["instanceLaunchTemplate"]
        req = t.get("instanceRequirements") or {}

        def span(key: str, unit: str) -> str:
            r = req.get(key) or {}
            return f"{r.get('min')}..{r.get('max', 'any')} {unit}"

        picks = [span("vcpuCount", "vCPU"), span("memoryMib", "MiB"),
                 f"CPUs {', '.join(req.get('cpuManufacturers') or ['any'])}",
                 f"burstable {req.get('burstablePerformance', 'excluded')}"]  # fmt: skip
        for key, word in (("allowedInstanceTypes", "only"), ("excludedInstanceTypes", "never"),
                          ("acceleratorTypes", "accelerators")):  # fmt: skip
            if req.get(key):
                picks.append(f"{word} {', '.join(req[key])}")
        net = t.get("networkConfiguration") or {}
        return (
            f"Managed Instances: {', '.join(picks)}; {t.get('capacityOptionType', 'ON_DEMAND')}; "
            f"{(t.get('storageConfiguration') or {}).get('storageSizeGib')} GiB for tasks; monitoring "
            f"{t.get('monitoring', 'BASIC')}; subnets {self.zones(net.get('subnets', []))}; tags propagated from "
            f"the {p.get('propagateTags')}"
        )


def tree_lines(run: StackRun) -> list[str]:
    """The component tree, resources under their parents, with their summaries."""
    summaries = _Summaries(run)
    children: dict[str, list[Registration]] = {}
    urns = {r.urn for r in run.resources}
    for r in run.resources:
        parent = r.parent if r.parent in urns else ""
        children.setdefault(parent, []).append(r)
    lines: list[str] = []

    def walk(parent: str, prefix: str) -> None:
        kids = sorted(children.get(parent, []), key=lambda r: (r.custom, r.type, r.name))
        for n, r in enumerate(kids):
            last = n == len(kids) - 1
            summary = summaries(r)
            lines.append(f"{prefix}{'└─ ' if last else '├─ '}{r.name}  [{r.type}]")
            inner = prefix + ("   " if last else "│  ")
            if summary:
                lines.append(f"{inner}{'   ' if not children.get(r.urn) else '│  '}{summary}")
            walk(r.urn, inner)

    walk("", "")
    return lines


def counts(run: StackRun) -> dict[str, int]:
    return dict(sorted(Counter(r.type for r in run.resources).items()))


def masked_exports(run: StackRun) -> dict[str, Any]:
    return {k: (SECRET if k in run.secret_exports else v) for k, v in sorted(run.exports.items())}


def text(run: StackRun, cost: CostEstimate | None) -> str:
    out = [
        f"Stack {run.stack} ({run.config.get('aws:region', '?')}): {len(run.resources)} resources, "
        "offline preview",
        "",
    ]
    out += tree_lines(run)
    if run.warnings:
        # What `pulumi up` would print on its warning channel (pulumi.log.warn).
        out += ["", "Warnings:"]
        out += [f"  warning: {w}" for w in run.warnings]
    out += ["", "Resources by type:"]
    out += [f"  {n:4d}  {t}" for t, n in counts(run).items()]
    out += ["", "Exports:"]
    out += [f"  {k}: {json.dumps(v, sort_keys=True)}" for k, v in masked_exports(run).items()]
    if cost is not None:
        out += ["", f"Estimated monthly cost ({cost.region}, USD; prices as of {cost.as_of}):"]
        width = max([len(line.item) for line in cost.lines] + [10])
        out.append(f"  {'item'.ljust(width)}  {'desired':>10}  {'at max':>10}  detail")
        for line in cost.lines:
            out.append(
                f"  {line.item.ljust(width)}  {line.desired:10.2f}  {line.maximum:10.2f}  {line.detail}"
            )
        if cost.complete:
            out.append(f"  {'total'.ljust(width)}  {cost.total_desired:10.2f}  {cost.total_maximum:10.2f}")
        for problem in cost.problems:
            out.append(f"  not priced: {problem}")
        out.append("  Assumptions:")
        out += [f"  - {a}" for a in cost.assumptions]
        out.append(f"  Prices: {cost.source}")
    return "\n".join(out) + "\n"


def as_json(run: StackRun, cost: CostEstimate | None) -> str:
    data = {
        "stack": run.stack,
        "region": run.config.get("aws:region"),
        "resources": [
            {"urn": r.urn, "type": r.type, "name": r.name, "parent": r.parent, "inputs": r.inputs}
            for r in sorted(run.resources, key=lambda r: r.urn)
        ],
        "counts": counts(run),
        "exports": masked_exports(run),
        "warnings": run.warnings,
        "cost": cost.as_dict() if cost is not None else None,
    }
    return json.dumps(data, indent=2, sort_keys=True, default=str) + "\n"
