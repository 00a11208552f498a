"""How a service's new versions deploy: ECS's rolling, blue/green, linear or canary deployments,
and the alarms that roll them back."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import model_validator

from ecs_platform import facts as f
from ecs_platform.errors import show
from ecs_platform.specs.base import Bool, Choice, Int, Loc, Spec, raise_problems
from ecs_platform.specs.fields import AlarmName, Cidr, Port, Tenths

#: Minutes ECS waits after a blue/green, linear or canary deployment has moved all production
#: traffic before it ends the old tasks (``bakeMinutes``' default).
DEFAULT_BAKE_MINUTES = 10
#: The load balancer's own listener ports, which a test listener cannot take.
LISTENER_PORTS = (80, 443)


class LinearSpec(Spec):
    """``strategy: linear``: production traffic moves to the new tasks in equal steps."""

    step_percent: Annotated[float, Tenths(*f.LINEAR_STEP_PERCENT)] = 10.0
    """Share of production traffic moved per step, 3.0..100.0 in steps of 0.1. Default 10.0 (ECS's)."""
    step_minutes: Annotated[int, Int(0, f.MAX_BAKE_MINUTES)] = 6
    """Minutes between two steps, 0..1440. Default 6 (ECS's)."""


class CanarySpec(Spec):
    """``strategy: canary``: a share of production traffic first, then the rest."""

    percent: Annotated[float, Tenths(*f.CANARY_PERCENT)] = 5.0
    """Share of production traffic the new tasks get first, 0.1..100.0 in steps of 0.1. Default 5.0
    (ECS's)."""
    minutes: Annotated[int, Int(0, f.MAX_BAKE_MINUTES)] = 10
    """Minutes at that share before the rest moves, 0..1440. Default 10 (ECS's)."""


class AlarmThresholdsSpec(Spec):
    """When the platform's own deployment alarms on a public service's target group trip."""

    target5xx: Annotated[int, Int(0, 1000000)] = 10
    """5xx responses from the tasks per minute (``HTTPCode_Target_5XX_Count``, sum) above which the
    5xx alarm trips, 0..1000000. Default 10."""
    unhealthy_hosts: Annotated[int, Int(0, 5000)] = 0
    """Unhealthy tasks (``UnHealthyHostCount``, maximum) above which the health alarm trips, 0..5000.
    Default 0: any unhealthy task."""
    minutes: Annotated[int, Int(1, 60)] = 2
    """Consecutive minutes over a threshold before the alarm trips, 1..60. Default 2."""


class DeploymentSpec(Spec):
    """How a new version replaces the running one, and what rolls it back."""

    strategy: Annotated[str, Choice(*f.DEPLOYMENT_STRATEGIES)] = "rolling"
    """``rolling`` (tasks replaced in place, bounded by ``minHealthyPercent`` / ``maxPercent``),
    ``blueGreen`` (a full new set behind a second target group, then all traffic at once),
    ``linear`` (traffic in equal steps) or ``canary`` (a share first, then the rest); the last three
    are ECS's native traffic-shifting deployments, for public services. Default ``rolling``."""
    bake_minutes: Annotated[int, Int(0, f.MAX_BAKE_MINUTES)] | None = None
    """Minutes, 0..1440, the old tasks stay ready after all traffic has moved; an alarm in that time
    rolls traffic back at once (``blueGreen``, ``linear``, ``canary``). Default 10."""
    test_port: Port | None = None
    """Port of the test listener the load balancer gets for this service: the new tasks answer there
    before they get production traffic (HTTPS when the load balancer has a certificate), admitted
    only from ``testIngressCidrs``; not 80 or 443. Required with ``blueGreen``, ``linear`` and
    ``canary``. Default none."""
    test_ingress_cidrs: tuple[Cidr, ...] | None = None
    """Who may connect to the test listener on ``testPort`` (IPv4 CIDR blocks): the unreleased
    version answers there during the deployment and its bake. Only with ``blueGreen``, ``linear``
    and ``canary``. Required when the load balancer is internet-facing (its clients arrive from
    their own public addresses, or their NAT's, never from the VPC's block): the public blocks of
    your office, VPN or test runners. Default on an internal load balancer: the VPC's own CIDR
    block (a VPN, a bastion or a test runner inside the VPC). Never ``loadBalancer.ingressCidrs``."""
    retarget: Bool = False
    """Send the service's two target groups to ECS, and its listener rules their 100/0 weights, in
    this ``pulumi up``. Otherwise ``pulumi up`` leaves both as ECS last set them: every blue/green,
    linear or canary deployment swaps which group serves production, and sending the configured
    pair back would make the next deployment register its new tasks in the group that serves
    production (terraform-provider-aws issue 45678).
    Needed once, in the ``pulumi up`` that switches a deployed service from ``rolling`` to
    ``blueGreen``, ``linear`` or ``canary``; remove it right after: left on, the next ``pulumi up``
    moves production back to the target group whose tasks ECS stopped (an outage), so every
    ``pulumi up`` and the offline preview warn while it is on. Only with those strategies.
    Default false."""
    alarms: tuple[AlarmName, ...] = ()
    """Names of existing CloudWatch alarms that, in ALARM during a deployment, roll it back; in
    addition to the platform's own alarms of a public service. Default none."""
    linear: LinearSpec | None = None
    """Steps of ``strategy: linear``. Default ``{stepPercent: 10, stepMinutes: 6}``."""
    canary: CanarySpec | None = None
    """Share and wait of ``strategy: canary``. Default ``{percent: 5, minutes: 10}``."""
    thresholds: AlarmThresholdsSpec | None = None
    """Thresholds of the platform's alarms (public services). Default ``{target5xx: 10,
    unhealthyHosts: 0, minutes: 2}``."""

    @property
    def shifts_traffic(self) -> bool:
        """ECS moves traffic between two target groups (``blueGreen``, ``linear``, ``canary``)."""
        return self.strategy != "rolling"

    @property
    def effective_bake_minutes(self) -> int:
        return DEFAULT_BAKE_MINUTES if self.bake_minutes is None else self.bake_minutes

    @property
    def effective_linear(self) -> LinearSpec:
        return self.linear or LinearSpec()

    @property
    def effective_canary(self) -> CanarySpec:
        return self.canary or CanarySpec()

    @property
    def effective_thresholds(self) -> AlarmThresholdsSpec:
        return self.thresholds or AlarmThresholdsSpec()

    def shifting_minutes(self) -> int:
        """The least time a deployment takes once the new tasks are up: the waits between traffic
        steps plus the bake time (0 for ``rolling``)."""
        if not self.shifts_traffic:
            return 0
        waits = 0
        if self.strategy == "linear":
            lin = self.effective_linear
            steps = -(-1000 // round(lin.step_percent * 10))  # ceil(100 / stepPercent), in tenths
            waits = (steps - 1) * lin.step_minutes
        elif self.strategy == "canary":
            waits = self.effective_canary.minutes
        return waits + self.effective_bake_minutes

    @model_validator(mode="after")
    def _deployment_rules(self) -> Self:
        problems: list[tuple[Loc, str]] = []
        others = "blueGreen, linear or canary"
        if not self.shifts_traffic:
            for key, value, what in (("bakeMinutes", self.bake_minutes, "bake time"),
                                     ("testPort", self.test_port, "test listener"),
                                     ("testIngressCidrs", self.test_ingress_cidrs, "test listener"),
                                     ("retarget", self.retarget or None, "second target group")):  # fmt: skip
                if value is not None:
                    problems.append(((key,), f"{show(value)} is set with strategy rolling, which has no {what} "
                                             f"(allowed: strategy {others}, or remove it)"))  # fmt: skip
        elif self.test_port is None:
            problems.append((("testPort",), f"null is missing (allowed: a port 1..65535 other than 80 and 443 for "
                                            f"the test listener; required with strategy {self.strategy})"))  # fmt: skip
        if self.test_port in LISTENER_PORTS:
            problems.append((("testPort",), f"{self.test_port} is a port of the load balancer's own listeners "
                                            "(allowed: 1..65535 other than 80 and 443)"))  # fmt: skip
        for key, given in (("linear", self.linear is not None), ("canary", self.canary is not None)):
            if given and self.strategy != key:
                problems.append(((key,), f"is set with strategy {self.strategy} (allowed: only with strategy "
                                         f"{key})"))  # fmt: skip
        for i, name in enumerate(self.alarms):
            if name in self.alarms[:i]:
                problems.append((("alarms", i), f"{show(name)} is already listed (allowed: each alarm once)"))
        raise_problems(problems)
        return self
