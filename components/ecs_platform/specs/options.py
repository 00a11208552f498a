"""Settings a task or a cluster takes beside its containers' own: the container restart policy,
FireLens log routing and capacity provider strategies. Plain specs with their rules; they import no other spec, so
:mod:`.task` and :mod:`.cluster` can both use them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Self

from pydantic import model_validator

from ecs_platform import facts as f
from ecs_platform.errors import allowed, show
from ecs_platform.specs.base import Choice, Int, Loc, Rule, Spec, raise_problems
from ecs_platform.specs.fields import EnvValue, SecretArn

#: An exit code: ECS's ``ignoredExitCodes`` items are the API's 32-bit Integer.
ExitCode = Annotated[int, Int(-(2**31), 2**31 - 1)]


class RestartPolicySpec(Spec):
    """ECS restarts the container in place when it exits, instead of replacing the task
    (ContainerRestartPolicy, https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerRestartPolicy.html;
    "Restart individual containers in Amazon ECS tasks with container restart policies"). ``{}``
    enables it with AWS's defaults."""

    ignored_exit_codes: tuple[ExitCode, ...] = ()
    """Exit codes that end the container for good (no restart), at most 50 (e.g. ``[0]``: a clean
    exit stays exited). Default none: ECS ignores no exit code."""
    attempt_period: Annotated[int, Int(*f.RESTART_ATTEMPT_PERIOD)] | None = None
    """Seconds, 60..1800, the container must have run before ECS restarts it (it restarts at most
    once per period; a container that exits sooner is not restarted). Default: AWS's 300."""

    @model_validator(mode="after")
    def _at_most_50_codes(self) -> Self:
        if len(self.ignored_exit_codes) > f.MAX_IGNORED_EXIT_CODES:
            raise_problems([(("ignoredExitCodes",), f"{len(self.ignored_exit_codes)} exit codes (allowed: at "
                             f"most {f.MAX_IGNORED_EXIT_CODES}, ContainerRestartPolicy's limit)")])  # fmt: skip
        return self


class CapacityProviderSpec(Spec):
    """One capacity provider of a strategy and its share of the tasks (CapacityProviderStrategyItem,
    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html)."""

    provider: Annotated[str, Choice(*f.STRATEGY_PROVIDERS)]
    """``FARGATE``, ``FARGATE_SPOT`` or ``EC2`` (the cluster's EC2 capacity provider); one the cluster
    has. Required."""
    weight: Annotated[int, Int(*f.STRATEGY_WEIGHT)] = 1
    """Relative share of the tasks above the bases, 0..1000 (0: none beyond its base). Default 1."""
    base: Annotated[int, Int(*f.STRATEGY_BASE)] = 0
    """Tasks, 0..100000, placed on this provider before any weight counts; on one provider of the
    strategy only. Default 0."""


Strategy = tuple[CapacityProviderSpec, ...]


def strategy_problems(items: Sequence[CapacityProviderSpec]) -> list[tuple[Loc, str]]:
    """What AWS refuses in a strategy, at paths relative to the strategy: no provider, every weight
    0, a ``base`` on more than one provider ("Only one capacity provider in a capacity provider
    strategy can have a base defined", CapacityProviderStrategyItem), and Fargate mixed with an Auto
    Scaling group provider ("A capacity provider strategy can only contain Auto Scaling group
    capacity providers or Fargate capacity providers", Amazon ECS capacity providers:
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-capacity-providers.html)."""
    if not items:
        return [((), "[] is empty (allowed: one or more providers, or omit the key)")]
    out: list[tuple[Loc, str]] = []
    if all(i.weight == 0 for i in items):
        out.append(((), "has no provider with a weight above 0, so ECS can place no task beyond the base "
                        "(allowed: at least one weight 1..1000)"))  # fmt: skip
    based = [n for n, i in enumerate(items) if i.base > 0]
    for n in based[1:]:
        out.append(((n, "base"), f"{items[n].base} is a second base, after {items[based[0]].provider}'s (allowed: a "
                    "base on one provider of the strategy only)"))  # fmt: skip
    fargate = [n for n, i in enumerate(items) if i.provider in f.FARGATE_LAUNCH_TYPES]
    if fargate and len(fargate) < len(items):
        first = next(n for n in range(len(items)) if n not in fargate)
        out.append(((first, "provider"), f"{show(items[first].provider)} is mixed with Fargate providers (allowed: "
                    "Fargate providers only, or the EC2 provider only, in one strategy)"))  # fmt: skip
    return out


def strategy_launch_type(items: Sequence[CapacityProviderSpec]) -> str:
    """The launch type whose rules a strategy's tasks follow: ``EC2`` with the EC2 provider,
    ``FARGATE_SPOT`` when Fargate Spot is in it (its tasks may land there), else ``FARGATE``."""
    providers = {i.provider for i in items}
    if "EC2" in providers:
        return "EC2"
    return "FARGATE_SPOT" if "FARGATE_SPOT" in providers else "FARGATE"


def offered_problems(items: Sequence[CapacityProviderSpec], offered: Sequence[str]) -> list[tuple[Loc, str]]:
    """Each provider must be one the cluster has (ECS: "A capacity provider must be associated with
    a cluster before it can be ... used in a capacity provider strategy", CreateCluster)."""
    have = [p for p in f.STRATEGY_PROVIDERS if p in offered]
    return [((n, "provider"), f"{show(i.provider)} is not a capacity provider of this cluster (allowed: "
             f"{allowed(have)}; add the `ec2` key for EC2)")
            for n, i in enumerate(items) if i.provider not in offered]  # fmt: skip


def _option_name_check(value: object) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return f"{show(value)} is not an option name (allowed: a non-empty string, e.g. Name, region, log_group_name)"
    if f.credential_in(name=value):
        return (f"{show(value)} looks like a credential in a plain log router option (allowed: put it under "
                "`secretOptions` as a Secrets Manager or SSM parameter ARN)")  # fmt: skip
    return None


def _secret_option_name_check(value: object) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return f"{show(value)} is not an option name (allowed: a non-empty string, e.g. apikey)"
    return None


OptionName = Annotated[str, Rule(_option_name_check, "a log router option name")]
SecretOptionName = Annotated[str, Rule(_secret_option_name_check, "a log router option name")]


class LogRouterSpec(Spec):
    """FireLens log routing: an AWS for Fluent Bit container (``log-router``) next to the task's
    containers, which send their logs to it through the ``awsfirelens`` log driver
    ("Send Amazon ECS logs to an AWS service or AWS Partner",
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_firelens.html). ``{}`` routes
    them to the service's own log group through Fluent Bit's ``cloudwatch_logs`` output."""

    options: dict[OptionName, EnvValue] = {}
    """The Fluent Bit output every container's logs go to: its ``Name`` and settings, as the
    ``awsfirelens`` log driver's options (``{Name: firehose, region: us-east-1, delivery_stream:
    app-logs}``); grant the task role what that output needs under ``permissions``. Default: the
    service's log group through ``cloudwatch_logs`` (the task role may write exactly there)."""
    secret_options: dict[SecretOptionName, SecretArn] = {}
    """Option -> Secrets Manager secret or SSM parameter ARN (an API key, a password): passed as
    ``secretOptions``, which the execution role may read, as ``secrets``. Only with ``options``.
    Default none."""

    @model_validator(mode="after")
    def _log_router_rules(self) -> Self:
        problems: list[tuple[Loc, str]] = []
        if self.secret_options and not self.options:
            problems.append((("secretOptions",), "is set without options, and the default output (the service's "
                             "log group) takes no secrets (allowed: options naming an output, or no secretOptions)"))
        for name in self.secret_options:
            if name in self.options:
                problems.append((("secretOptions", name), f"{show(name)} is also a plain option (allowed: each "
                                 "option in either options or secretOptions)"))  # fmt: skip
        raise_problems(problems)
        return self

    @property
    def default_output(self) -> bool:
        """Logs go to the service's own log group (``cloudwatch_logs``), which the task role writes."""
        return not self.options
