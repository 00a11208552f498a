"""The part of EventBridge's event-pattern matching the platform's rules use, as AWS documents it,
so a test can feed a rule's pattern the events ECS sends and see which ones reach the target.

* Every field the pattern names must be in the event, nested the same way ("Create event
  patterns"); ``$or`` matches when any of its patterns does.
* A field's value in the pattern is a list of matchers, one of which must match ("Arrays in event
  patterns": with an array in the event, "the intersection of the event pattern array and the
  event array is non-empty"). An array of objects in the event is matched field by field over all
  its elements: nothing in AWS's documentation ties two fields to the same element, so this
  matcher does not either (the stricter reading a rule must survive).
* Matchers: exact values, ``prefix``, ``anything-but`` (a value or a list of values),
  ``exists`` ("Content filtering in event patterns").

https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_MISSING = object()


def _values(event: Any, key: str) -> list[Any]:
    """Every value of ``key`` in ``event``, an object or an array of objects (flattened)."""
    if isinstance(event, list):
        return [v for item in event for v in _values(item, key)]
    if isinstance(event, Mapping) and key in event:
        value = event[key]
        return list(value) if isinstance(value, list) else [value]
    return []


def _leaf(matcher: Any, values: list[Any]) -> bool:
    if not isinstance(matcher, Mapping):
        return any(type(v) is type(matcher) and v == matcher for v in values)
    [(op, arg)] = matcher.items()
    if op == "exists":
        return bool(values) is arg
    if op == "prefix":
        return any(isinstance(v, str) and v.startswith(arg) for v in values)
    if op == "anything-but":
        excluded = arg if isinstance(arg, list) else [arg]
        return any(v not in excluded and isinstance(v, (str, int, float)) for v in values)
    raise NotImplementedError(op)


def matches(pattern: Mapping[str, Any], event: Any) -> bool:
    """Whether ``event`` (or the part of it under the pattern's level) matches ``pattern``."""
    for key, want in pattern.items():
        if key == "$or":
            if not any(matches(p, event) for p in want):
                return False
            continue
        values = _values(event, key)
        if isinstance(want, Mapping):
            if not values or not matches(want, values):
                return False
        elif not any(_leaf(m, values) for m in want):
            return False
    return True
