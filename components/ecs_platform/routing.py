"""Listener rule priorities: see :mod:`ecs_platform.specs.routing` (the model uses them too)."""

from ecs_platform.specs.routing import assign, band, covers, priority

__all__ = ["assign", "band", "covers", "priority"]
