"""The ECS service's deployment configuration: ECS's native blue/green, linear or canary."""

from __future__ import annotations

import pulumi_aws as aws

from ecs_platform import facts
from ecs_platform.specs import ServiceSpec


def deployment_configuration(spec: ServiceSpec) -> aws.ecs.ServiceDeploymentConfigurationArgs:
    """The deployment strategy, always sent: ``ROLLING``, or ECS's native blue/green, linear or
    canary deployment. pulumi-aws keeps ``deploymentConfiguration`` (Optional and Computed) as
    it was when the program stops sending it, so a service switched back from ``blueGreen`` to
    ``rolling`` with no strategy sent would keep deploying blue/green.
    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html"""
    d = spec.deployment
    if not d.shifts_traffic:
        return aws.ecs.ServiceDeploymentConfigurationArgs(strategy=facts.DEPLOYMENT_STRATEGIES["rolling"])
    linear = canary = None
    if d.strategy == "linear":
        lin = d.effective_linear
        linear = aws.ecs.ServiceDeploymentConfigurationLinearConfigurationArgs(
            step_percent=lin.step_percent, step_bake_time_in_minutes=str(lin.step_minutes)
        )
    elif d.strategy == "canary":
        can = d.effective_canary
        canary = aws.ecs.ServiceDeploymentConfigurationCanaryConfigurationArgs(
            canary_percent=can.percent, canary_bake_time_in_minutes=str(can.minutes)
        )
    return aws.ecs.ServiceDeploymentConfigurationArgs(
        strategy=facts.DEPLOYMENT_STRATEGIES[d.strategy],
        # pulumi-aws types the minutes as strings.
        bake_time_in_minutes=str(d.effective_bake_minutes),
        linear_configuration=linear,
        canary_configuration=canary,
    )
