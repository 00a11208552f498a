"""ECS rules: tasks, services, clusters, capacity providers and schedules (Security Hub ECS.*),
and log retention."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pulumi_policy import PolicyResource

from ecs_platform import facts
from ecs_platform.facts import LOG_ROUTER_CONTAINER, VOLUME_INIT_CONTAINER
from ecs_platform.tools.policy_rules.base import (
    CAPACITY_PROVIDER,
    CLUSTER,
    CLUSTER_CAPACITY_PROVIDERS,
    DAEMON_TASK,
    INSTANCE_PROFILE,
    LOG_GROUP,
    ROLE,
    ROLE_POLICY_ATTACHMENT,
    SCHEDULE,
    SERVICE,
    TASK,
    ResourceRule,
    StackRule,
    containers,
    deps,
    tags_of,
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
        if c.get("readonlyRootFilesystem") is not True and not is_log_router(c):
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


def _fargate_latest_by_default(resources: Sequence[PolicyResource]) -> Iterable[tuple[str, str]]:
    """ECS.10 for a service placed by its cluster's default capacity provider strategy: with no
    ``launchType`` and no strategy of its own, "the defaultCapacityProviderStrategy for the
    cluster is used" (CreateService,
    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html), so a
    Fargate default (or a Fargate-only task definition) makes it a Fargate service."""
    defaults: dict[str, set[str]] = {}
    for r in resources:
        if r.resource_type == CLUSTER_CAPACITY_PROVIDERS:
            providers = {str(s.get("capacityProvider")) for s in r.props.get("defaultCapacityProviderStrategies") or []
                         if isinstance(s, Mapping)}  # fmt: skip
            for cluster in deps(r, "clusterName"):
                defaults.setdefault(cluster.urn, set()).update(providers)
    for svc in resources:
        p = svc.props
        if svc.resource_type != SERVICE or p.get("launchType") or p.get("capacityProviderStrategies"):
            continue
        if p.get("platformVersion") in (None, "LATEST"):
            continue
        by_cluster = any(defaults.get(c.urn, set()) & {"FARGATE", "FARGATE_SPOT"} for c in deps(svc, "cluster"))
        by_task = any(list(t.props.get("requiresCompatibilities") or []) == ["FARGATE"]
                      for t in deps(svc, "taskDefinition"))  # fmt: skip
        if by_cluster or by_task:
            yield (f"the Fargate service (placed by its cluster's default capacity provider strategy) pins platform "
                   f"version {p.get('platformVersion')} instead of LATEST"), svc.urn


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
    # Managed Instances have no Auto Scaling group to protect: ECS itself drains an instance
    # (DEREGISTERING) before it terminates it (managed-instances-infrastructure-optimization.html).
    if p.get("managedInstancesProvider"):
        return
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


#: The image repository of the platform's FireLens log router (any pinned tag of it).
LOG_ROUTER_REPOSITORY = facts.LOG_ROUTER_IMAGE.rsplit(":", 1)[0] + ":"


def is_log_router(c: Mapping[str, Any]) -> bool:
    """The platform's FireLens ``log-router`` container (``containers.log_router_definition``), a
    documented ECS.5 and ECS.20 exception: FireLens needs Fluent Bit to run as root and write at
    start (aws/containers-roadmap#2122); it is AWS for Fluent Bit from ECR Public with a
    ``fluentbit`` FireLens configuration, and has no ports, mounts, environment, secrets or added
    capabilities, and is not privileged."""
    caps = (c.get("linuxParameters") or {}).get("capabilities") or {}
    return (
        c.get("name") == LOG_ROUTER_CONTAINER
        and (c.get("firelensConfiguration") or {}).get("type") == "fluentbit"
        and str(c.get("image", "")).startswith(LOG_ROUTER_REPOSITORY)
        and not c.get("portMappings")
        and not c.get("mountPoints")
        and not c.get("environment")
        and not c.get("secrets")
        and not caps.get("add")
        and c.get("privileged") is not True
    )


def _non_root(p: Mapping[str, Any]) -> Iterable[str]:
    if (p.get("runtimePlatform") or {}).get("operatingSystemFamily", "LINUX") != "LINUX":
        return
    for c in containers(p):
        if is_volume_init(c) or is_log_router(c):
            continue
        user = c.get("user")
        if not user:
            yield f"container {c.get('name')} sets no user (runs as its image's, often root)"
        elif facts.is_root_user(str(user)):
            yield f"container {c.get('name')} runs as root ({user})"



def _retention(p: Mapping[str, Any]) -> Iterable[str]:
    if not p.get("retentionInDays"):
        yield "the log group keeps logs forever (no retention)"



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
    ResourceRule(
        "ecs-4-no-privileged", "ECS.4", "Containers are not privileged", (TASK, DAEMON_TASK), _no_privileged
    ),
    ResourceRule(
        "ecs-5-read-only-root",
        "ECS.5",
        "Containers have read-only root filesystems",
        (TASK, DAEMON_TASK),
        _readonly_root,
        waivable=True,
    ),
    ResourceRule(
        "ecs-8-no-env-credentials",
        "ECS.8",
        "No credentials in container environment variables",
        (TASK, DAEMON_TASK),
        _no_credentials,
    ),
    ResourceRule(
        "ecs-9-logging", "ECS.9", "Every container has a log configuration", (TASK, DAEMON_TASK), _logging
    ),
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
        "ecs-15-task-definition-tags", "ECS.15", "ECS task definitions are tagged", (TASK, DAEMON_TASK), _tagged
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
        (TASK, DAEMON_TASK),
        _non_root,
        waivable=True,
    ),
    ResourceRule("logs-retention", None, "Log groups have a retention", (LOG_GROUP,), _retention),
)  # fmt: skip

def _managed_instances_role_name(resources: Sequence[PolicyResource]) -> Iterable[tuple[str, str]]:
    """A Managed Instances capacity provider whose infrastructure role has AWS's managed policy must
    launch instances with a role named ``ecsInstanceRole*``: "The policy scopes iam:PassRole to
    arn:aws:iam::*:role/ecsInstanceRole*, so a mismatched name causes an authorization error at
    task launch" (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/managed-instances-instance-profile.html)."""
    by_arn = {str(r.props.get("arn")): r for r in resources if r.props.get("arn")}
    policy = facts.MANAGED_INSTANCES_INFRASTRUCTURE_POLICY.rsplit("/", 1)[-1]
    managed_roles = {str(r.props.get("role")) for r in resources if r.resource_type == ROLE_POLICY_ATTACHMENT
                     and str(r.props.get("policyArn", "")).endswith("/" + policy)}  # fmt: skip
    for cp in resources:
        provider = cp.props.get("managedInstancesProvider") if cp.resource_type == CAPACITY_PROVIDER else None
        if not isinstance(provider, Mapping):
            continue
        infrastructure = by_arn.get(str(provider.get("infrastructureRoleArn")))
        template = provider.get("instanceLaunchTemplate") or {}
        profile = by_arn.get(str(template.get("ec2InstanceProfileArn")))
        if infrastructure is None or profile is None or infrastructure.resource_type != ROLE:
            continue  # not known before the deployment, or not created by this stack
        role = str(profile.props.get("role", ""))
        if infrastructure.props.get("name") in managed_roles and profile.resource_type == INSTANCE_PROFILE and (
                not role.startswith(facts.MANAGED_INSTANCES_ROLE_PREFIX)):
            yield (f"the instances' role {role} does not start with {facts.MANAGED_INSTANCES_ROLE_PREFIX}, and the "
                   f"infrastructure role has {policy}, which passes only {facts.MANAGED_INSTANCES_ROLE_PREFIX}* "
                   "roles: no instance can launch", cp.urn)  # fmt: skip


STACK_RULES: tuple[StackRule, ...] = (
    StackRule("ecs-10-fargate-latest-by-default", "ECS.10",
              "Fargate services placed by the cluster's default strategy run the latest platform version",
              _fargate_latest_by_default),
    StackRule("ecs-managed-instances-role-name", None,
              "Managed Instances launch with a role their infrastructure role may pass", _managed_instances_role_name),
)  # fmt: skip
