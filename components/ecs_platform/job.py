"""Job: a task that runs to completion, on a schedule, before services deploy, or on demand.

Every job gets what a service's task gets (:class:`~ecs_platform.iam.TaskRoles`, a
:class:`~ecs_platform.task_definition.TaskDefinition` with its own log group) and, in awsvpc
mode, its own security group that admits nothing and lets the task out. It runs in the private
subnets with no public IP, on the capacity a service of its launch type would use.

* With ``schedule``: an EventBridge Scheduler schedule whose ECS ``RunTask`` target runs it
  ("Using templated targets in EventBridge Scheduler", Amazon ECS ``RunTask``:
  https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-targets-templated.html),
  with a retry policy and an encrypted SQS dead-letter queue for runs that cannot start
  (https://docs.aws.amazon.com/scheduler/latest/UserGuide/configuring-schedule-dlq.html), and a
  scheduler role that may run exactly this task definition family on exactly this cluster.
* With ``runBefore``: a :class:`~ecs_platform.predeploy.PreDeployRun`, which the named services'
  task definitions depend on.
* Always: ``run_task_command``, a ready-to-run ``aws ecs run-task`` command.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from ecs_platform import facts
from ecs_platform.boundary import Boundary, task_in_stack, task_problems_in_stack
from ecs_platform.cluster import CapacityStrategyItem, Cluster, ClusterRef, checked_ref, ref_in_stack, task_strategy
from ecs_platform.ebs import EbsRole, ebs_role, ebs_volume, run_task_volume_configurations
from ecs_platform.errors import show
from ecs_platform.iam import AwsContext, TaskRoles, policy_document, role_problems
from ecs_platform.outputs import after, tag_children
from ecs_platform.predeploy import PreDeployRun
from ecs_platform.specs import JobSpec
from ecs_platform.specs.provider import AwsProviderSpec
from ecs_platform.specs.service import network_mode
from ecs_platform.specs.task import ContainerName
from ecs_platform.storage import adopted_mount
from ecs_platform.task_definition import TaskDefinition, definition_problems
from ecs_platform.wiring import SUBNET_ID, VPC_ID, deferred_wiring

#: SQS keeps a message at most 14 days (MessageRetentionPeriod, SetQueueAttributes): the
#: dead-letter queue keeps failed invocations as long as SQS allows.
DLQ_RETENTION_SECONDS = 1209600


def scheduler_statements(
    *,
    family_arn: pulumi.Input[str],
    cluster_arn: pulumi.Input[str],
    task_arns: pulumi.Input[str],
    role_arns: Sequence[pulumi.Input[str]],
    dead_letter_arn: pulumi.Input[str],
) -> list[dict[str, Any]]:
    """The scheduler role's policy, as "Set up the execution role" and "Amazon ECS EventBridge IAM
    role" show it for an ECS target, scoped to one job: ``ecs:RunTask`` on the job's task
    definition family (any revision) only on this cluster (``ecs:cluster``); ``iam:PassRole`` on
    exactly the job's execution and task roles, only to ECS tasks; ``ecs:TagResource`` on this
    cluster's tasks only as RunTask creates them (the target propagates the task definition's
    tags, which needs it); ``sqs:SendMessage`` on the job's dead-letter queue
    ("Configuring a schedule's dead-letter queue": the execution role sends the dead-letter event).
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/CWE_IAM_role.html"""
    return [
        {"Sid": "RunJobTask", "Effect": "Allow", "Action": "ecs:RunTask", "Resource": family_arn,
         "Condition": {"ArnEquals": {"ecs:cluster": cluster_arn}}},
        {"Sid": "PassJobRoles", "Effect": "Allow", "Action": "iam:PassRole", "Resource": list(role_arns),
         "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}},
        {"Sid": "TagJobTasks", "Effect": "Allow", "Action": "ecs:TagResource", "Resource": task_arns,
         "Condition": {"StringEquals": {"ecs:CreateAction": "RunTask"}}},
        {"Sid": "DeadLetter", "Effect": "Allow", "Action": "sqs:SendMessage", "Resource": dead_letter_arn},
    ]  # fmt: skip


def run_task_command(
    *,
    region: str,
    cluster_arn: str,
    task_definition_arn: str,
    subnets: Sequence[str] | None,
    security_groups: Sequence[str],
    strategy: Sequence[CapacityStrategyItem],
    launch_type: str | None,
    platform_version: str | None,
    exec_enabled: bool = False,
    volume_configurations: Sequence[Any] = (),
) -> str:
    """``aws ecs run-task`` with everything a run needs, in the CLI's shorthand syntax (the EBS
    volume's configuration, ``volume_configurations``, as JSON)."""
    args = ["aws", "ecs", "run-task", "--region", region, "--cluster", cluster_arn,
            "--task-definition", task_definition_arn, "--count", "1"]  # fmt: skip
    if strategy:
        args += ["--capacity-provider-strategy",
                 *(f"capacityProvider={s.capacity_provider},weight={s.weight},base={s.base}" for s in strategy)]
    elif launch_type:
        args += ["--launch-type", launch_type]
    if platform_version:
        args += ["--platform-version", platform_version]
    if subnets:
        args += ["--network-configuration", f"awsvpcConfiguration={{subnets=[{','.join(subnets)}],"
                 f"securityGroups=[{','.join(security_groups)}],assignPublicIp=DISABLED}}"]  # fmt: skip
    args += ["--enable-ecs-managed-tags", "--propagate-tags", "TASK_DEFINITION"]
    if volume_configurations:
        args += ["--volume-configurations", json.dumps(list(volume_configurations), separators=(",", ":"))]
    if exec_enabled:
        args.append("--enable-execute-command")
    return shlex.join(args)


def _problems(bd: Boundary, name: str, spec: JobSpec, ref: ClusterRef, container_name: str,
              context: AwsContext | None) -> None:  # fmt: skip
    """Everything the job and its children check before the first of them exists."""
    launch_type = ref.spec.launch_type_for(spec.launch_type, spec.capacity_provider_strategy)
    if launch_type == "EC2" and ref.ec2_capacity_provider_name is None:
        bd.problems.append("Job.cluster.ec2_capacity_provider_name: None is missing (allowed: the cluster's EC2 "
                           "capacity provider, required on EC2)")  # fmt: skip
    if launch_type == "MANAGED_INSTANCES" and ref.managed_instances_capacity_provider_name is None:
        bd.problems.append("Job.cluster.managed_instances_capacity_provider_name: None is missing (allowed: the "
                           "cluster's Managed Instances capacity provider, required on MANAGED_INSTANCES)")  # fmt: skip
    if spec.exec_enabled and ref.exec_log_group_arn is None:
        bd.problems.append("Job.cluster.exec_log_group_arn: None is missing (allowed: the cluster's ECS Exec "
                           "audit log group, required with exec)")  # fmt: skip
    if container_name in spec.sidecars:
        bd.add("container_name", f"{show(container_name)} is also a sidecar's name (allowed: a name none of the "
               "spec's sidecars has)")  # fmt: skip
    names = "container_name" if container_name != name else "name"
    prefix = ref.name_prefix
    derived = "cluster.name_prefix" if prefix else "name"  # the family's and log group's source
    bd.autoname("name", name, "aws:ec2/securityGroup:SecurityGroup", f"{name}-sg", "security group name")
    if spec.schedule is not None:
        bd.autoname("name", name, "aws:iam/role:Role", f"{name}-scheduler", "IAM role name")
    role_problems(bd, f"{name}-roles", spec, ref, context)
    task_problems_in_stack(bd, spec, context)
    adopted = {n for n, v in spec.volumes.items() if v.efs is not None and not v.efs.created}
    definition_problems(
        bd, spec, ref, logical=f"{name}-task", container_name=container_name,
        family=f"{prefix}-{container_name}" if prefix else f"{name}-task",
        log_group_name=f"/ecs/{prefix}/{container_name}" if prefix else None,
        region=context.region if context is not None else pulumi.Output.from_input(""),
        efs_names=adopted, args=(names, derived, derived), extra_tags=1,
        tags_arg="Job.spec",
    )  # fmt: skip
    bd.claim("ecs-platform:ecs:Job", name, "name", "is the name")
    bd.claim("task", name, "name", "is the name")


class Job(pulumi.ComponentResource):
    """One job on ECS: roles, task definition and log group, security group, and how it runs
    (schedule, pre-deploy run, or the exported command).

    Outputs: ``task_definition_arn``, ``log_group_name``, ``security_group_id`` (or None),
    ``run_task_command``, ``schedule_arn`` (or None), ``dead_letter_queue_url`` (or None).
    Attributes: ``predeploy`` (the :class:`PreDeployRun`, for a ``runBefore`` job, else None).
    """

    roles: TaskRoles
    task_definition: TaskDefinition
    security_group: aws.ec2.SecurityGroup | None
    predeploy: PreDeployRun | None
    schedule: aws.scheduler.Schedule | None

    def __init__(
        self,
        name: str,
        spec: JobSpec,
        *,
        cluster: Cluster | ClusterRef,
        vpc_id: pulumi.Input[str],
        subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]],
        container_name: str | None = None,
        context: AwsContext | None = None,
        credentials: AwsProviderSpec | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """``cluster``: where it runs and the defaults the spec leaves open. ``subnet_ids``: the
        private subnets. ``container_name`` (default ``name``) also names the ``Job`` tag, the
        task family and the log group. ``credentials``: the AWS provider's credential settings,
        which a ``runBefore`` run acts with (default: the default credential chain)."""
        bd = Boundary("Job", name, opts)
        checked = bd.spec("spec", spec, JobSpec)
        context = bd.context("context", context)
        checked_cluster = checked_ref(bd, cluster, context)
        bd.wiring("vpc_id", vpc_id, VPC_ID)
        bd.wiring_list("subnet_ids", subnet_ids, SUBNET_ID)
        container_name = bd.plain("container_name", container_name, ContainerName | None)
        credentials = bd.instance("credentials", credentials, (AwsProviderSpec,), "an AwsProviderSpec, or None",
                                  optional=True)  # fmt: skip
        if checked is not None and checked_cluster is not None and bd.ok:
            _problems(bd, name, checked, checked_cluster, container_name or name, context)
        bd.done(self)
        assert checked is not None and checked_cluster is not None
        spec, ref = checked, checked_cluster
        launch_type = ref.spec.launch_type_for(spec.launch_type, spec.capacity_provider_strategy)
        container_name = container_name or name
        super().__init__(
            "ecs-platform:ecs:Job",
            name,
            None,
            pulumi.ResourceOptions.merge(
                opts, pulumi.ResourceOptions(transformations=[tag_children({"Job": container_name})])
            ),
        )
        child = pulumi.ResourceOptions(parent=self)
        ctx = context or AwsContext.lookup(pulumi.InvokeOutputOptions(parent=self))
        # Wiring and ARNs that are Outputs (or whose stack is only known now), checked once known.
        ref = ref_in_stack(ref, ctx, "Job")
        spec = task_in_stack(spec, ctx)
        vpc_id = deferred_wiring(vpc_id, VPC_ID, "Job.vpc_id")
        subnet_ids = deferred_wiring(subnet_ids, SUBNET_ID, "Job.subnet_ids", many=True)
        self.spec = spec
        mode = network_mode(spec, ref.spec)
        prefix = ref.name_prefix
        fargate = launch_type in ("FARGATE", "FARGATE_SPOT")

        self.security_group = None
        if mode == "awsvpc":
            self.security_group = aws.ec2.SecurityGroup(
                f"{name}-sg", vpc_id=vpc_id, description=f"ECS job {container_name}: tasks (egress only)", opts=child
            )
            self.egress_rule = aws.vpc.SecurityGroupEgressRule(
                f"{name}-egress",
                security_group_id=self.security_group.id,
                ip_protocol="-1",
                cidr_ipv4="0.0.0.0/0",
                description="Job tasks reach registries, AWS APIs and dependencies via NAT",
                opts=child,
            )
        efs = {
            volume: adopted_mount(
                v.efs.file_system_id, v.efs.access_point_id,
                partition=ctx.partition, region=ctx.region, account_id=ctx.account_id,
            )
            for volume, v in spec.volumes.items()
            if v.efs is not None and v.efs.file_system_id is not None and v.efs.access_point_id is not None
        }
        read_only = {
            volume: all(m.read_only for c in spec.containers.values() for m in c.mounts.values() if m.volume == volume)
            for volume in efs
        }
        self._own_roles = True  # its task definition gets the two roles below
        self.roles = TaskRoles(
            f"{name}-roles",
            spec,
            exec_log_group_arn=ref.exec_log_group_arn if spec.exec_enabled else None,
            exec_kms_key_arn=ref.kms_key_arn if spec.exec_enabled else None,
            context=ctx,
            efs=[(efs[v], read_only[v]) for v in sorted(efs)],
            opts=child,
        )
        self.task_definition = TaskDefinition(
            f"{name}-task",
            spec,
            cluster=ref,
            execution_role_arn=self.roles.execution_role_arn,
            task_role_arn=self.roles.task_role_arn,
            region=ctx.region,
            task_role_name=self.roles.task_role.name,
            container_name=container_name,
            family=f"{prefix}-{container_name}" if prefix else None,
            log_group_name=f"/ecs/{prefix}/{container_name}" if prefix else None,
            efs=efs,
            opts=child,
        )
        # An EBS volume per run (runBefore and on-demand runs; refused on a schedule by the spec).
        self.ebs_role: EbsRole | None = None
        if ebs_volume(spec) is not None:
            self.ebs_role = ebs_role(self, name, ctx, ref.kms_key_arn)
        volume_configurations = run_task_volume_configurations(
            spec, self.ebs_role.arn if self.ebs_role else None, ref.kms_key_arn)  # fmt: skip
        # Base 0, whatever the cluster's fargateOnDemandBase: a base is "how many tasks, at a
        # minimum, run on the specified capacity provider" (CapacityProviderStrategyItem), and a job
        # runs one task per run, so a base of 1 on FARGATE would put every run of a FARGATE_SPOT job
        # on on-demand Fargate. A service keeps its base (it protects a running service from a Spot
        # shortage; a job run that Spot interrupts is retried or alarmed instead). A strategy the
        # stack or the job configures is used as written.
        # https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html
        strategy = task_strategy(ref.spec, spec.launch_type, spec.capacity_provider_strategy,
                                 ref.ec2_capacity_provider_name, on_demand_base=0,
                                 managed_instances_provider=ref.managed_instances_capacity_provider_name)  # fmt: skip
        explicit_launch_type = "EXTERNAL" if launch_type == "EXTERNAL" else None
        platform_version = "LATEST" if fargate else None
        security_groups: list[pulumi.Input[str]] = [self.security_group.id] if self.security_group else []
        subnets = subnet_ids if self.security_group is not None else None

        self.schedule = None
        self.dead_letter_queue: aws.sqs.Queue | None = None
        self.scheduler_role: aws.iam.Role | None = None
        if spec.schedule is not None:
            self._schedule(name, container_name, spec, ref, ctx, strategy, explicit_launch_type,
                           platform_version, security_groups, subnets)  # fmt: skip

        self.predeploy = None
        if spec.run_before:
            self.predeploy = PreDeployRun(
                f"{name}-predeploy",
                job_name=container_name,
                cluster=ref.arn,
                task_definition_arn=self.task_definition.arn,
                container_name=container_name,
                region=ctx.region,
                account_id=ctx.account_id,
                credentials=credentials,
                subnets=subnets,
                security_groups=security_groups,
                capacity_provider_strategy=[
                    {"capacityProvider": s.capacity_provider, "weight": s.weight, "base": s.base} for s in strategy
                ],
                launch_type=explicit_launch_type,
                platform_version=platform_version,
                timeout_seconds=spec.effective_run_before_timeout,
                volume_configurations=volume_configurations,
                # The run needs the network path out (NAT, egress rule) and the roles' policies.
                opts=pulumi.ResourceOptions(parent=self, depends_on=[self.egress_rule] if self.security_group else None),
            )

        providers = [s.capacity_provider for s in strategy]
        self.run_task_command: pulumi.Output[str] = pulumi.Output.all(
            ctx.region, ref.arn, self.task_definition.arn, subnets, security_groups, providers, volume_configurations
        ).apply(
            lambda v: run_task_command(
                region=str(v[0]), cluster_arn=str(v[1]), task_definition_arn=str(v[2]),
                subnets=[str(s) for s in v[3]] if v[3] else None, security_groups=[str(g) for g in v[4]],
                strategy=[CapacityStrategyItem(str(p), s.weight, s.base) for p, s in zip(v[5], strategy, strict=True)],
                launch_type=explicit_launch_type, platform_version=platform_version, exec_enabled=spec.exec_enabled,
                volume_configurations=v[6],
            )
        )  # fmt: skip
        self.task_definition_arn = self.task_definition.arn
        self.log_group_name = self.task_definition.log_group_name
        self.security_group_id = self.security_group.id if self.security_group else None
        self.schedule_arn = self.schedule.arn if self.schedule else None
        self.dead_letter_queue_url = self.dead_letter_queue.url if self.dead_letter_queue else None
        self.register_outputs(
            {
                "taskDefinitionArn": self.task_definition_arn,
                "logGroupName": self.log_group_name,
                "runTaskCommand": self.run_task_command,
                "scheduleArn": self.schedule_arn,
            }
        )

    def _schedule(
        self,
        name: str,
        container_name: str,
        spec: JobSpec,
        ref: ClusterRef,
        ctx: AwsContext,
        strategy: Sequence[CapacityStrategyItem],
        launch_type: str | None,
        platform_version: str | None,
        security_groups: list[pulumi.Input[str]],
        subnets: pulumi.Input[Sequence[pulumi.Input[str]]] | None,
    ) -> None:
        """The schedule, its dead-letter queue and the role it runs the task with."""
        child = pulumi.ResourceOptions(parent=self)
        assert spec.schedule is not None
        self.dead_letter_queue = aws.sqs.Queue(
            f"{name}-dlq",
            sqs_managed_sse_enabled=True,
            message_retention_seconds=DLQ_RETENTION_SECONDS,
            opts=child,
        )
        self.scheduler_role = aws.iam.Role(
            f"{name}-scheduler",
            assume_role_policy=ctx.trust("scheduler"),
            description=f"EventBridge Scheduler: run job {container_name} on its cluster",
            opts=child,
        )
        family_arn = pulumi.Output.concat(self.task_definition.task_definition.arn_without_revision, ":*")
        task_arns = pulumi.Output.all(ref.arn).apply(
            lambda v: str(v[0]).replace(":cluster/", ":task/", 1) + "/*"
        )
        self.scheduler_policy = aws.iam.RolePolicy(
            f"{name}-scheduler-policy",
            role=self.scheduler_role.name,
            policy=policy_document(
                scheduler_statements(
                    family_arn=family_arn,
                    cluster_arn=ref.arn,
                    task_arns=task_arns,
                    role_arns=[self.roles.execution_role.arn, self.roles.task_role.arn],
                    dead_letter_arn=self.dead_letter_queue.arn,
                )
            ),
            opts=child,
        )
        retry = spec.effective_retry
        self.schedule = aws.scheduler.Schedule(
            f"{name}-schedule",
            description=f"Runs ECS job {container_name}",
            # The group the scheduler role's trust names (facts.TRUST_FORMS["scheduler"]).
            group_name=facts.SCHEDULE_GROUP,
            schedule_expression=spec.schedule,
            schedule_expression_timezone=spec.effective_timezone,
            flexible_time_window=aws.scheduler.ScheduleFlexibleTimeWindowArgs(mode="OFF"),
            target=aws.scheduler.ScheduleTargetArgs(
                arn=ref.arn,
                role_arn=after(self.scheduler_role.arn, self.scheduler_policy),
                dead_letter_config=aws.scheduler.ScheduleTargetDeadLetterConfigArgs(arn=self.dead_letter_queue.arn),
                retry_policy=aws.scheduler.ScheduleTargetRetryPolicyArgs(
                    maximum_retry_attempts=retry.attempts, maximum_event_age_in_seconds=retry.max_event_age
                ),
                ecs_parameters=aws.scheduler.ScheduleTargetEcsParametersArgs(
                    task_definition_arn=self.task_definition.arn,
                    task_count=1,
                    capacity_provider_strategies=[
                        aws.scheduler.ScheduleTargetEcsParametersCapacityProviderStrategyArgs(
                            capacity_provider=s.capacity_provider, weight=s.weight, base=s.base
                        )
                        for s in strategy
                    ]
                    or None,
                    launch_type=launch_type,
                    platform_version=platform_version,
                    network_configuration=(
                        aws.scheduler.ScheduleTargetEcsParametersNetworkConfigurationArgs(
                            subnets=subnets, security_groups=security_groups, assign_public_ip=False
                        )
                        if subnets is not None
                        else None
                    ),
                    enable_ecs_managed_tags=True,
                    enable_execute_command=spec.exec_enabled or None,
                    propagate_tags="TASK_DEFINITION",
                ),
            ),
            opts=child,
        )
        self._alarms(name, container_name, ref)

    def _alarms(self, name: str, container_name: str, ref: ClusterRef) -> None:
        """What tells an operator that a scheduled run failed, as alarms (the stack has no
        notification topic; like the deployment alarms, they have no actions and show in
        CloudWatch, where an operator subscribes them to a topic or pages on them):

        * ``<name>-dlq``: a dead-letter event waits in the job's dead-letter queue, i.e. Scheduler
          could not invoke RunTask within the retry policy ("Configuring a dead-letter queue").
        * ``<name>-failed-runs``: a run of the job failed: its task stopped with a non-zero exit
          code or without starting (``ECS Task State Change``, STOPPED; "Amazon ECS task state
          change events"), or RunTask answered with ``failures`` and started nothing (the "AWS API
          Call via CloudTrail" event, delivered only when the account has a CloudTrail trail).
          Scheduler neither retries nor dead-letters such a run: its call to RunTask succeeded.
          EventBridge rules put these events in the job's failed-runs queue (they stay there 14 days
          for the operator to read), and the alarm fires while it holds any.
        """
        child = pulumi.ResourceOptions(parent=self)
        assert self.dead_letter_queue is not None
        cw = aws.cloudwatch
        self.dead_letter_alarm = cw.MetricAlarm(
            f"{name}-dlq",
            alarm_description=f"Job {container_name}: a scheduled run could not be started (EventBridge Scheduler "
            "dead-letter event; read the queue for the error)",
            **_queue_not_empty(self.dead_letter_queue.name),
            opts=child,
        )
        self.failed_runs_queue = aws.sqs.Queue(
            f"{name}-failed-runs",
            sqs_managed_sse_enabled=True,
            message_retention_seconds=DLQ_RETENTION_SECONDS,
            opts=child,
        )
        task_def = self.task_definition.task_definition
        # "Amazon ECS task state change events": a run's task stopped, and it failed when
        # * something other than its essential container's exit stopped it (stopCode not
        #   EssentialContainerExited: never started, StopTask, a Spot interruption, ...);
        # * a container exited with a code that is neither 0 nor a stop signal's: when the job's
        #   container exits, ECS stops its sidecars with SIGTERM, then SIGKILL (143, 137), so those
        #   two codes are a successful run's too;
        # * ECS killed a container for its memory (137 with reason OutOfMemoryError...).
        # containers[] is matched field by field across its elements (an event pattern "matches if
        # the intersection of the event pattern array and the event array is non-empty"); EventBridge
        # documents no matching of name and exitCode within one element, so the pattern relies on
        # none (docs/jobs-on-aws.md lists what it cannot tell apart).
        # https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_task_events.html
        # https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html
        # https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html
        stopped = pulumi.Output.json_dumps({
            "source": ["aws.ecs"], "detail-type": ["ECS Task State Change"],
            "detail": {"clusterArn": [ref.arn], "group": [pulumi.Output.concat("family:", task_def.family)],
                       "lastStatus": ["STOPPED"],
                       "$or": [{"stopCode": [{"anything-but": facts.RUN_ENDED_STOP_CODE}]},
                               {"containers": {"exitCode": [
                                   {"anything-but": [0, *facts.STOP_SIGNAL_EXIT_CODES]}]}},
                               {"containers": {"reason": [{"prefix": facts.OUT_OF_MEMORY_REASON_PREFIX}]}}]},
        })  # fmt: skip
        # RunTask answered with failures (no capacity, ...): no task exists, so only CloudTrail's
        # record of the call tells. "AWS service events delivered via AWS CloudTrail": needs a trail.
        # https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html
        unplaced = pulumi.Output.json_dumps({
            "source": ["aws.ecs"], "detail-type": ["AWS API Call via CloudTrail"],
            "detail": {"eventSource": ["ecs.amazonaws.com"], "eventName": ["RunTask"],
                       "requestParameters": {"taskDefinition": [
                           {"prefix": pulumi.Output.concat(task_def.arn_without_revision, ":")}]},
                       "responseElements": {"failures": {"reason": [{"exists": True}]}}},
        })  # fmt: skip
        self.failed_run_rules: list[aws.cloudwatch.EventRule] = []
        for key, pattern, what in (("failed-runs", stopped, "failed (exit code, out of memory, not started or stopped)"),
                                   ("unplaced-runs", unplaced, "was not started: RunTask answered with failures")):
            rule = aws.cloudwatch.EventRule(
                f"{name}-{key}", description=f"A run of job {container_name} {what}", event_pattern=pattern,
                opts=child,
            )
            aws.cloudwatch.EventTarget(
                f"{name}-{key}", rule=rule.name, arn=self.failed_runs_queue.arn, opts=child,
            )
            self.failed_run_rules.append(rule)
        # "Amazon SQS permissions" (EventBridge resource-based policies): EventBridge may send to
        # the queue, only for these rules.
        # https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sqs-permissions
        self.failed_runs_policy = aws.sqs.QueuePolicy(
            f"{name}-failed-runs",
            queue_url=self.failed_runs_queue.url,
            policy=pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": [{
                "Sid": "FailedRunEvents", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sqs:SendMessage", "Resource": self.failed_runs_queue.arn,
                "Condition": {"ArnEquals": {"aws:SourceArn": [r.arn for r in self.failed_run_rules]}}}]}),
            opts=child,
        )  # fmt: skip
        self.failed_runs_alarm = cw.MetricAlarm(
            f"{name}-failed-runs",
            alarm_description=f"Job {container_name}: a run failed (non-zero exit, not started, or no capacity; "
            "read the failed-runs queue for the events)",
            **_queue_not_empty(self.failed_runs_queue.name),
            opts=child,
        )


def _queue_not_empty(queue_name: pulumi.Input[str]) -> dict[str, Any]:
    """An alarm on messages visible in a queue (ApproximateNumberOfMessagesVisible > 0, the maximum
    of a minute: SQS pushes its metrics at one-minute intervals). SQS stops reporting a queue that
    has been inactive for six hours, so missing data is an empty queue ("Available CloudWatch
    metrics for Amazon SQS").
    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html"""
    return {
        "namespace": "AWS/SQS", "metric_name": "ApproximateNumberOfMessagesVisible",
        "dimensions": {"QueueName": queue_name}, "statistic": "Maximum", "period": 60,
        "evaluation_periods": 1, "datapoints_to_alarm": 1, "threshold": 0,
        "comparison_operator": "GreaterThanThreshold", "treat_missing_data": "notBreaching",
    }  # fmt: skip
