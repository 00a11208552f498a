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


def retarget_warning(name: str, spec: ServiceSpec) -> str | None:
    """The warning of a service that still has ``deployment.retarget`` on (``None`` otherwise).
    Retarget hands the listener rules' forward action and the service's two target groups back
    to Pulumi: each ``pulumi up`` then resets the rules to 100/0 on ``<service>-tg`` and sends the
    configured pair. After a deployment that left production on ``<service>-tg-alt`` (every odd
    one: ECS swaps the groups, AWS's "how blue/green works" page), that moves all traffic to the
    group whose tasks ECS stopped after the bake; during a deployment it overwrites the weights
    ECS is shifting.
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/blue-green-deployment-how-it-works.html"""
    d = spec.deployment
    if not (spec.is_public and d.shifts_traffic and d.retarget):
        return None
    return (f"service {name}: deployment.retarget is on, so this pulumi up resets its listener rules to 100/0 on "
            f"{name}-tg and sends ECS the configured target groups. Remove it once this pulumi up has switched the "
            "service: left on, a later pulumi up moves production back to a target group whose tasks ECS has "
            "stopped (an outage), or rewrites the weights while ECS shifts traffic")
