"""The job model: a task that runs to completion instead of staying up. It takes every
setting of a task (:class:`~ecs_platform.specs.TaskSpec`: image, command, size, user,
environment, secrets, permissions, sidecars, volumes) plus when it runs: on an EventBridge
Scheduler ``schedule``, before the deployment of some services (``runBefore``), or only when
someone runs the exported ``aws ecs run-task`` command."""

from __future__ import annotations

import re
import zoneinfo
from datetime import datetime
from typing import Annotated, Any, Self

from pydantic import model_validator

from ecs_platform import facts as f
from ecs_platform.errors import show
from ecs_platform.specs.base import Int, Loc, Rule, Spec, raise_problems
from ecs_platform.specs.fields import ServiceName
from ecs_platform.specs.task import TaskSpec

# --- EventBridge Scheduler's schedule expressions ------------------------------------------------
#
# "Schedule types in EventBridge Scheduler":
# https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html
#   rate(value unit)        value a positive integer; unit minute(s), hour(s), day(s)
#   cron(minutes hours day-of-month month day-of-week year)
#   at(yyyy-mm-ddThh:mm:ss) one time, in the schedule's time zone

_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")


class _Field:
    """One field of a cron expression: its name, range, names and special characters."""

    def __init__(self, name: str, lo: int, hi: int, names: tuple[str, ...] = (), special: str = "") -> None:
        self.name, self.lo, self.hi, self.names, self.special = name, lo, hi, names, special

    def value(self, text: str) -> int | None:
        if text.isdigit():
            return int(text) if self.lo <= int(text) <= self.hi else None
        upper = text.upper()
        return self.names.index(upper) + self.lo if upper in self.names else None

    def problem(self, text: str) -> str | None:
        """What is wrong with this field's text, or None."""
        for item in text.split(","):
            if not self._item_ok(item):
                chars = ", - * /" + "".join(f" {c}" for c in self.special)
                names = f" or {self.names[0]}-{self.names[-1]}" if self.names else ""
                return (f"{self.name} {show(text)} is not valid (allowed: {self.lo}-{self.hi}{names} with "
                        f"{chars})")  # fmt: skip
        return None

    def _item_ok(self, item: str) -> bool:
        if item == "*":
            return True
        if item == "?":
            return "?" in self.special
        if "L" in self.special and self.name == "day-of-month" and item in ("L", "LW"):
            return True
        if "W" in self.special and item.endswith("W"):
            return self.value(item[:-1]) is not None
        if "L" in self.special and self.name == "day-of-week" and item.endswith("L"):
            return item == "L" or self.value(item[:-1]) is not None
        if "#" in self.special and "#" in item:
            day, _, nth = item.partition("#")
            return self.value(day) is not None and nth in ("1", "2", "3", "4", "5")
        base, slash, step = item.partition("/")
        if slash and not (step.isdigit() and int(step) >= 1):
            return False
        if base == "*" and slash:
            return True
        lo, dash, hi = base.partition("-")
        if dash:
            return self.value(lo) is not None and self.value(hi) is not None
        return self.value(base) is not None


_CRON_FIELDS = (
    _Field("minutes", 0, 59),
    _Field("hours", 0, 23),
    _Field("day-of-month", 1, 31, special="?LW"),
    _Field("month", 1, 12, _MONTHS),
    _Field("day-of-week", 1, 7, _DAYS, special="?L#"),
    _Field("year", 1970, 2199),
)
_RATE_RE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_EXPRESSION = ("cron(minutes hours day-of-month month day-of-week year), rate(value minutes|hours|days) or "
               "at(yyyy-mm-ddThh:mm:ss)")  # fmt: skip


def schedule_check(value: Any) -> str | None:
    """An EventBridge Scheduler schedule expression, as "Schedule types" documents it."""
    if not isinstance(value, str):
        return f"{show(value)} is not a schedule expression (allowed: {_EXPRESSION})"
    if value.startswith("rate("):
        m = _RATE_RE.fullmatch(value)
        if m is None or int(m.group(1)) < 1:
            return f"{show(value)} is not a rate expression (allowed: rate(<positive integer> minutes|hours|days))"
        return None
    if value.startswith("at("):
        try:
            if not value.endswith(")") or len(value) != len("at(yyyy-mm-ddThh:mm:ss)"):
                raise ValueError(value)
            datetime.strptime(value[3:-1], "%Y-%m-%dT%H:%M:%S")
        except ValueError:
            return f"{show(value)} is not a one-time expression (allowed: at(yyyy-mm-ddThh:mm:ss))"
        return None
    if value.startswith("cron(") and value.endswith(")"):
        fields = value[5:-1].split(" ")
        if len(fields) != len(_CRON_FIELDS):
            return (f"{show(value)} has {len(fields)} fields (allowed: 6, minutes hours day-of-month month "
                    "day-of-week year, separated by one space)")  # fmt: skip
        for spec, text in zip(_CRON_FIELDS, fields, strict=True):
            problem = spec.problem(text)
            if problem:
                return f"{show(value)}: {problem}"
        if (fields[2] == "?") == (fields[4] == "?"):
            return (f"{show(value)} gives day-of-month and day-of-week together (allowed: ? in exactly one of "
                    "them, e.g. cron(0 3 * * ? *))")  # fmt: skip
        return None
    return f"{show(value)} is not a schedule expression (allowed: {_EXPRESSION})"


ScheduleExpression = Annotated[str, Rule(schedule_check, "a schedule expression", r"^(cron|rate|at)\(.+\)$")]


def timezone_check(value: Any) -> str | None:
    if isinstance(value, str) and value and not value.startswith(("/", ".")):
        try:
            zoneinfo.ZoneInfo(value)
            return None
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    return f"{show(value)} is not an IANA time zone (allowed: a name such as UTC, Europe/Madrid, America/New_York)"


TimeZone = Annotated[str, Rule(timezone_check, "an IANA time zone")]


class RetrySpec(Spec):
    """How EventBridge Scheduler retries a run it could not start (``RunTask`` refused, e.g.
    no capacity); a run that starts and then fails is not retried. Runs that exhaust the retries
    land in the job's dead-letter queue."""

    attempts: Annotated[int, Int(0, f.SCHEDULER_MAX_RETRY_ATTEMPTS)] = 3
    """Retries after the first attempt, 0..185 (Scheduler's range). Default 3 (AWS's default of 185
    would keep trying for a day)."""
    max_event_age: Annotated[int, Int(60, 86400)] = 3600
    """Seconds after the scheduled time to keep retrying, 60..86400. Default 3600: a nightly job
    that cannot start within an hour goes to the dead-letter queue instead of running at noon."""


class JobSpec(TaskSpec):
    """A task that runs to completion: on a schedule, before some services deploy, or on demand."""

    schedule: ScheduleExpression | None = None
    """When it runs: ``cron(0 3 * * ? *)``, ``rate(6 hours)`` or ``at(2030-01-01T00:00:00)``,
    EventBridge Scheduler's grammar. Default: no schedule (a one-off job, started with the
    exported ``aws ecs run-task`` command, or a ``runBefore`` job)."""
    timezone: TimeZone | None = None
    """IANA time zone the schedule is evaluated in (``Europe/Madrid``; daylight saving time
    follows it). Only with ``schedule``. Default: UTC."""
    run_before: tuple[ServiceName, ...] = ()
    """Services of the stack whose new task definitions roll out only after this job, run once
    during ``pulumi up`` whenever its own task definition changes, exits 0 (migrations). Not with
    ``schedule``. Default none."""
    run_before_timeout: Annotated[int, Int(60, 14400)] | None = None
    """Seconds ``pulumi up`` waits for a ``runBefore`` run to stop before failing, 60..14400. Only
    with ``runBefore``. Default 900."""
    retry: RetrySpec | None = None
    """Retries of a scheduled run that cannot start. Only with ``schedule``. Default: 3 attempts
    within 3600 seconds."""

    @property
    def effective_retry(self) -> RetrySpec:
        return self.retry or RetrySpec()

    @property
    def effective_timezone(self) -> str:
        return self.timezone or "UTC"

    @property
    def effective_run_before_timeout(self) -> int:
        return self.run_before_timeout if self.run_before_timeout is not None else DEFAULT_RUN_BEFORE_TIMEOUT

    @model_validator(mode="after")
    def _job_rules(self) -> Self:
        problems: list[tuple[Loc, str]] = []
        if self.port is not None:
            problems.append((("port",), f"{self.port} is set on a job, which receives no traffic (allowed: no "
                             "port; a job that serves requests is a service)"))  # fmt: skip
        if self.schedule is None:
            for key, value in (("timezone", self.timezone), ("retry", self.retry)):
                if value is not None:
                    problems.append(((key,), "is set on a job without schedule (allowed: only with schedule)"))
        if self.schedule is not None and self.run_before:
            problems.append((("runBefore",), f"{show(list(self.run_before))} is set on a scheduled job (allowed: "
                             "runBefore or schedule; a migration runs on deploys, not on a clock)"))  # fmt: skip
        if self.run_before_timeout is not None and not self.run_before:
            problems.append((("runBeforeTimeout",), "is set on a job without runBefore (allowed: only with "
                             "runBefore)"))  # fmt: skip
        for name, volume in self.volumes.items():
            if volume.efs is not None and volume.efs.created:
                problems.append((("volumes", name, "efs"), "creates an EFS file system for a job (allowed: an "
                                 "existing one, fileSystemId and accessPointId, e.g. a service's volume)"))  # fmt: skip
        ebs = [n for n, v in self.volumes.items() if v.ebs is not None]
        if self.schedule is not None and ebs:
            # EventBridge Scheduler's ECS target (EcsParameters) has no volumeConfigurations: a
            # scheduled RunTask cannot configure a volume at launch, and the task would not start.
            # https://docs.aws.amazon.com/scheduler/latest/APIReference/API_EcsParameters.html
            problems.append((("volumes", ebs[0], "ebs"), "is an EBS volume on a scheduled job, and EventBridge "
                             "Scheduler's ECS target cannot pass the volume configuration RunTask needs for it "
                             "(allowed: a scratch or EFS volume, ephemeralStorageGiB on Fargate, or runBefore / "
                             "on-demand runs with EBS)"))  # fmt: skip
        for i, name in enumerate(self.run_before):
            if name in self.run_before[:i]:
                problems.append((("runBefore", i), f"{show(name)} is already listed (allowed: each service once)"))
        raise_problems(problems)
        return self


#: Seconds ``pulumi up`` waits for a ``runBefore`` run by default.
DEFAULT_RUN_BEFORE_TIMEOUT = 900
