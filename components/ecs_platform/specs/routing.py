"""Listener rule priorities that are stable and ordered by specificity (pure).

An ALB evaluates rules by priority, lowest first, so a catch-all ``/*`` must
come after ``/api/*``; and a rule's priority must not change when another
service is added or removed (changing it rewrites live rules). Both follow from
computing each route's priority from the route alone:

    priority = band * 1000 + slot

* ``band`` (1..30) orders by specificity: routes with an exact host first
  (1..10), then wildcard hosts (11..20), then path-only routes (21..30); within
  each, deeper literal path prefixes first (``/api/v1/*`` before ``/api/*``
  before ``/*``), and an exact path before a wildcard one of the same depth.
* ``slot`` (0..999) is a hash of ``<service>/<route index>``: stable, and
  independent of every other service.

A live rule must never change priority because another route came or went: the
provider changes a priority with one ``SetRulePriorities`` call, and Pulumi deletes
removed rules only after every create and update, so a rule moving into the slot of a
rule being removed fails with ``PriorityInUse``, on every retry. So no priority is
ever bumped: when two routes of a listener derive the same priority, the model
refuses the configuration, naming both, and asks for an explicit ``priority`` on one
(:func:`clashes`); an explicit ``priority`` pins a route.

The model (:class:`~ecs_platform.specs.PlatformSpec`) uses the same functions to
refuse a route that another service's route hides (:func:`covers`).
"""

from __future__ import annotations

import functools
import zlib
from collections.abc import Sequence

from ecs_platform.specs.service import RouteSpec as Route


def _literal_depth(path: str) -> tuple[int, bool]:
    """Segments before the first wildcard, and whether the path is exact."""
    cut = min((i for i, c in enumerate(path) if c in "*?"), default=len(path))
    literal = path[:cut]
    exact = cut == len(path)
    segments = [s for s in literal.split("/") if s]
    # "/api/*": the segment "api" is complete; "/ap*": "ap" is only a prefix.
    if not exact and literal and not literal.endswith("/") and segments:
        segments = segments[:-1]
    return len(segments), exact


def band(route: Route) -> int:
    """1 (most specific) .. 30 (catch-all)."""
    depth = 0
    if route.paths:
        depth = min(_depth_score(p) for p in route.paths)
    if route.hosts and all("*" not in h and "?" not in h for h in route.hosts):
        base = 1
    elif route.hosts:
        base = 11
    else:
        base = 21
    return base + (9 - min(depth, 9))


def _depth_score(path: str) -> int:
    depth, exact = _literal_depth(path)
    return depth * 2 + (1 if exact else 0) if depth < 5 else 9


def priority(service: str, index: int, route: Route) -> int:
    """The listener rule priority of ``route``, the ``index``-th route of ``service``."""
    if route.priority is not None:
        return route.priority
    slot = zlib.crc32(f"{service}/{index}".encode()) % 1000
    return band(route) * 1000 + slot


def assign(routes: Sequence[tuple[str, int, Route]]) -> dict[tuple[str, int], int]:
    """The priority of each route of a listener, keyed by (service, index): each one's own
    (:func:`priority`), from the route alone, never moved by another.

    Raises ``ValueError`` when two routes have one priority; :class:`~ecs_platform.specs.PlatformSpec`
    refuses such a configuration first (:func:`clashes`)."""
    out: dict[tuple[str, int], int] = {}
    for (svc, i), (other_svc, other_i), prio in clashes(routes):
        raise ValueError(f"{svc}'s route {i} and {other_svc}'s route {other_i} both have priority {prio} "
                         "(give one of them an explicit priority)")  # fmt: skip
    for svc, i, route in routes:
        out[(svc, i)] = priority(svc, i, route)
    return out


def clashes(routes: Sequence[tuple[str, int, Route]]) -> list[tuple[tuple[str, int], tuple[str, int], int]]:
    """Routes of one listener that share a priority: ``(route, earlier route, priority)``, each
    route after the first that has it, in the order given."""
    seen: dict[int, tuple[str, int]] = {}
    out: list[tuple[tuple[str, int], tuple[str, int], int]] = []
    for svc, i, route in routes:
        prio = priority(svc, i, route)
        if prio in seen:
            out.append(((svc, i), seen[prio], prio))
        else:
            seen[prio] = (svc, i)
    return out


def earlier_assignment(routes: Sequence[tuple[str, int, Route]]) -> dict[tuple[str, int], int]:
    """The priorities earlier versions of the platform gave these routes: explicit ones as
    given, the others their own, or the next free slot of their band when it was taken (by a
    route sorting before them). A deployed stack's rules hold these, so the config error for
    a clash suggests pinning this value: nothing live moves."""
    out: dict[tuple[str, int], int] = {}
    taken: set[int] = set()
    for svc, i, route in routes:
        if route.priority is not None:
            out[(svc, i)] = route.priority
            taken.add(route.priority)
    hashed = sorted(
        ((priority(svc, i, r), svc, i, r) for svc, i, r in routes if r.priority is None),
        key=lambda item: (item[0], item[1], item[2]),
    )
    for prio, svc, i, route in hashed:
        low = band(route) * 1000
        candidate = prio
        for step in range(1000):
            candidate = low + (prio - low + step) % 1000
            if candidate not in taken:
                break
        out[(svc, i)] = candidate
        taken.add(candidate)
    return out


@functools.cache
def _glob_covers(wide: str, narrow: str) -> bool:
    """Every string the ALB wildcard pattern ``narrow`` matches is matched by ``wide``
    (``*``: any characters, ``?``: exactly one)."""
    if not wide:
        return not narrow
    if wide[0] == "*":
        return _glob_covers(wide[1:], narrow) or (bool(narrow) and _glob_covers(wide, narrow[1:]))
    if not narrow:
        return False
    if wide[0] == "?":
        return narrow[0] != "*" and _glob_covers(wide[1:], narrow[1:])
    return narrow[0] == wide[0] and _glob_covers(wide[1:], narrow[1:])


def covers(wide: Route, narrow: Route) -> bool:
    """Every request ``narrow`` matches also matches ``wide`` (hosts compared without case,
    as the ALB does; a route without paths or hosts matches any)."""
    wide_hosts = [h.lower() for h in wide.hosts] or ["*"]
    narrow_hosts = [h.lower() for h in narrow.hosts] or ["*"]
    wide_paths = list(wide.paths) or ["/*"]
    narrow_paths = list(narrow.paths) or ["/*"]
    return all(any(_glob_covers(w, n) for w in wide_hosts) for n in narrow_hosts) and all(
        any(_glob_covers(w, n) for w in wide_paths) for n in narrow_paths
    )
