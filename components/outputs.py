"""Small Output helpers shared by the components."""

from __future__ import annotations

import pulumi


def after(value: pulumi.Output[str], *resources: pulumi.CustomResource | None) -> pulumi.Output[str]:
    """``value``, carrying a data dependency on ``resources``.

    Whatever consumes the result is created after those resources, without a
    ``depends_on`` on a whole component (which would serialize ``pulumi up``).
    """
    ids = [r.id for r in resources if r is not None]
    return pulumi.Output.all(value, *ids).apply(lambda values: str(values[0]))
