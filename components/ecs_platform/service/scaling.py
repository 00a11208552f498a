"""A service's autoscaling: target tracking on CPU, memory, requests per target or a queue's
backlog per task, and the step policy that starts a queue worker's first task."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from ecs_platform.specs import AutoscalingSpec

#: Consecutive one-minute datapoints that must see messages waiting and a desired count of zero
#: before a queue worker at zero tasks starts one.
SCALE_FROM_ZERO_MINUTES = 3
#: The least cooldown of the scale-from-zero step policy, seconds: Application Auto Scaling's own
#: default for a step policy ("If not specified, the default value is 300",
#: https://docs.aws.amazon.com/autoscaling/application/APIReference/API_StepScalingPolicyConfiguration.html).
#: It outlasts the alarm's three-minute window plus a minute of metric delay, so the invocations
#: that arrive before the alarm sees the new desired count add no second task.
SCALE_FROM_ZERO_COOLDOWN = 300


@dataclass
class Scaling:
    """What :func:`autoscale` created for one service."""

    target: aws.appautoscaling.Target
    policies: list[aws.appautoscaling.Policy] = field(default_factory=list)
    scale_from_zero: aws.appautoscaling.Policy | None = None
    scale_from_zero_alarm: aws.cloudwatch.MetricAlarm | None = None


def autoscale(
    parent: pulumi.Resource,
    name: str,
    a: AutoscalingSpec,
    *,
    cluster_arn: pulumi.Input[str],
    service_name: pulumi.Output[str],
    request_count_label: pulumi.Input[str] | None,
) -> Scaling:
    """The scalable target of the service's desired count between ``min`` and ``max`` and its
    policies. ``request_count_label`` (``<lb suffix>/<target group suffix>``) is required with
    ``requestsPerTarget`` (checked up front)."""
    child = pulumi.ResourceOptions(parent=parent)
    resource_id = pulumi.Output.all(cluster_arn, service_name).apply(
        lambda values: f"service/{str(values[0]).rsplit('/', 1)[-1]}/{values[1]}"
    )
    target = aws.appautoscaling.Target(
        f"{name}-scaling",
        service_namespace="ecs",
        scalable_dimension="ecs:service:DesiredCount",
        resource_id=resource_id,
        min_capacity=a.min_count,
        max_capacity=a.max_count,
        opts=child,
    )
    scaling = Scaling(target)
    if a.queue is not None:
        cluster_name = pulumi.Output.from_input(cluster_arn).apply(lambda arn: str(arn).rsplit("/", 1)[-1])
        _scale_on_queue(parent, name, scaling, a, cluster_name, service_name)
    metrics: list[tuple[str, int | None, str, pulumi.Input[str] | None]] = [
        ("cpu", a.cpu_target, "ECSServiceAverageCPUUtilization", None),
        ("memory", a.memory_target, "ECSServiceAverageMemoryUtilization", None),
    ]
    if a.requests_per_target is not None and request_count_label is not None:
        metrics.append(("requests", a.requests_per_target, "ALBRequestCountPerTarget", request_count_label))
    for key, value, metric, label in metrics:
        if value is None:
            continue
        scaling.policies.append(
            aws.appautoscaling.Policy(
                f"{name}-scale-{key}",
                policy_type="TargetTrackingScaling",
                resource_id=target.resource_id,
                scalable_dimension=target.scalable_dimension,
                service_namespace=target.service_namespace,
                target_tracking_scaling_policy_configuration=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs(
                    target_value=value,
                    predefined_metric_specification=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs(
                        predefined_metric_type=metric, resource_label=label
                    ),
                    scale_in_cooldown=a.scale_in_cooldown,
                    scale_out_cooldown=a.scale_out_cooldown,
                ),
                opts=child,
            )
        )
    return scaling


def _scale_on_queue(
    parent: pulumi.Resource,
    name: str,
    scaling: Scaling,
    a: AutoscalingSpec,
    cluster_name: pulumi.Output[str],
    service_name: pulumi.Output[str],
) -> None:
    """Target tracking on backlog per task (metric math: the queue's visible messages divided
    by the service's running tasks), as "Create a target tracking scaling policy for Application
    Auto Scaling using metric math" (example: Amazon SQS queue backlog per task) shows it:
    https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-target-tracking-metric-math.html
    With ``min: 0`` the division has no value while no task runs, so target tracking cannot
    start the first task: a step scaling policy adds one when an alarm sees messages and a
    desired count of zero (``IF``/``FILL`` of CloudWatch metric math)."""
    assert a.queue is not None
    target = scaling.target
    child = pulumi.ResourceOptions(parent=parent)
    tt = aws.appautoscaling
    dim = tt.PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationMetricMetricStatMetricDimensionArgs
    queue_dims = [dim(name="QueueName", value=a.queue.queue_name)]
    task_dims = [dim(name="ClusterName", value=cluster_name), dim(name="ServiceName", value=service_name)]

    def stat(
        namespace: str, metric: str, dims: list[Any], statistic: str
    ) -> tt.PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationMetricMetricStatArgs:
        return tt.PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationMetricMetricStatArgs(
            metric=tt.PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationMetricMetricStatMetricArgs(
                namespace=namespace, metric_name=metric, dimensions=dims),
            stat=statistic,
        )  # fmt: skip

    query = tt.PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationMetricArgs
    scaling.policies.append(
        tt.Policy(
            f"{name}-scale-queue",
            policy_type="TargetTrackingScaling",
            resource_id=target.resource_id,
            scalable_dimension=target.scalable_dimension,
            service_namespace=target.service_namespace,
            target_tracking_scaling_policy_configuration=tt.PolicyTargetTrackingScalingPolicyConfigurationArgs(
                target_value=a.queue.backlog_per_task,
                customized_metric_specification=tt.PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationArgs(
                    metrics=[
                        query(id="m1", label="Visible messages", return_data=False,
                              metric_stat=stat("AWS/SQS", "ApproximateNumberOfMessagesVisible", queue_dims, "Sum")),
                        query(id="m2", label="Running tasks", return_data=False,
                              metric_stat=stat("ECS/ContainerInsights", "RunningTaskCount", task_dims, "Average")),
                        query(id="e1", label="Backlog per task", expression="m1 / m2", return_data=True),
                    ]
                ),
                scale_in_cooldown=a.scale_in_cooldown,
                scale_out_cooldown=a.scale_out_cooldown,
            ),
            opts=child,
        )
    )  # fmt: skip
    if a.min_count != 0:
        return
    scaling.scale_from_zero = tt.Policy(
        f"{name}-scale-from-zero",
        policy_type="StepScaling",
        resource_id=target.resource_id,
        scalable_dimension=target.scalable_dimension,
        service_namespace=target.service_namespace,
        step_scaling_policy_configuration=tt.PolicyStepScalingPolicyConfigurationArgs(
            # One task more, never "exactly one": should the alarm ever fire for a running service
            # (its desired count reported late), an increment adds a task target tracking takes away
            # again, where an exact capacity would cut a busy service to one. The alarm invokes the
            # policy every minute while it stays in ALARM (until it sees the desired count of 1,
            # a minute or more after the policy set it), and during the cooldown "the scaling policy
            # won't increase the desired capacity again unless either a larger scale out is
            # triggered or the cooldown period ends", so it starts one.
            # https://docs.aws.amazon.com/autoscaling/application/APIReference/API_StepScalingPolicyConfiguration.html
            adjustment_type="ChangeInCapacity",
            cooldown=max(a.scale_out_cooldown, SCALE_FROM_ZERO_COOLDOWN),
            metric_aggregation_type="Maximum",
            step_adjustments=[
                tt.PolicyStepScalingPolicyConfigurationStepAdjustmentArgs(
                    scaling_adjustment=1, metric_interval_lower_bound="0"
                )
            ],
        ),
        opts=child,
    )
    scaling.policies.append(scaling.scale_from_zero)
    cw = aws.cloudwatch
    scaling.scale_from_zero_alarm = cw.MetricAlarm(
        f"{name}-scale-from-zero",
        alarm_description=f"{name}: messages wait in {a.queue.queue_name} and the service is scaled to zero; "
                          "start one task",
        comparison_operator="GreaterThanOrEqualToThreshold",
        threshold=1,
        # Several minutes in a row, so one late datapoint of a running service does not count.
        evaluation_periods=SCALE_FROM_ZERO_MINUTES,
        datapoints_to_alarm=SCALE_FROM_ZERO_MINUTES,
        treat_missing_data="notBreaching",
        metric_queries=[
            cw.MetricAlarmMetricQueryArgs(id="m1", return_data=False, metric=cw.MetricAlarmMetricQueryMetricArgs(
                namespace="AWS/SQS", metric_name="ApproximateNumberOfMessagesVisible", period=60,
                stat="Maximum", dimensions={"QueueName": a.queue.queue_name})),
            # The service's desired count (Container Insights' DesiredTaskCount, dimensions
            # ClusterName and ServiceName), not its running count: a service scaled to zero has a
            # desired count of 0, while a busy one's running count can be 0 for a moment (all its
            # tasks replaced at once, a Spot interruption, a deployment) with messages waiting.
            # https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Container-Insights-metrics-ECS.html
            cw.MetricAlarmMetricQueryArgs(id="m2", return_data=False, metric=cw.MetricAlarmMetricQueryMetricArgs(
                namespace="ECS/ContainerInsights", metric_name="DesiredTaskCount", period=60, stat="Maximum",
                dimensions={"ClusterName": cluster_name, "ServiceName": service_name})),
            # No DesiredTaskCount datapoint counts as zero: Container Insights need not report a
            # service that has no task at all, and the first task must start then too.
            cw.MetricAlarmMetricQueryArgs(id="e1", return_data=True, label="Messages waiting, desired count 0",
                                          expression="IF(m1 > 0 AND FILL(m2, 0) == 0, 1, 0)"),
        ],
        alarm_actions=[scaling.scale_from_zero.arn],
        opts=child,
    )  # fmt: skip
