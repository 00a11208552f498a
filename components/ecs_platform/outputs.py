"""Small Output helpers shared by the components."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi

from ecs_platform.facts import WAIVER_TAG


def after(value: pulumi.Output[str], *resources: pulumi.CustomResource | None) -> pulumi.Output[str]:
    """``value``, carrying a data dependency on ``resources``.

    Whatever consumes the result is created after those resources, without a
    ``depends_on`` on a whole component (which would serialize ``pulumi up``).
    """
    ids = [r.id for r in resources if r is not None]
    return pulumi.Output.all(value, *ids).apply(lambda values: str(values[0]))


def tag_children(tags: Mapping[str, str]) -> pulumi.ResourceTransformation:
    """A transformation that adds ``tags`` to every taggable resource below a component.

    One mechanism for a component's own tags (e.g. ``Service``), next to the
    provider's default tags for the stack's: no per-resource copies.
    """

    def transform(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult | None:
        if not hasattr(type(args.resource), "tags_all"):  # only taggable AWS resources have tags_all
            return None
        props = dict(args.props)
        current = props.get("tags") or {}
        if isinstance(current, Mapping) and all(isinstance(v, str) for v in current.values()):
            props["tags"] = {**tags, **current}  # plain values: no Output needed
        else:
            props["tags"] = pulumi.Output.from_input(current).apply(lambda t: {**dict(tags), **(t or {})})
        return pulumi.ResourceTransformationResult(props, args.opts)

    return transform


def waiver_tags(waivers: Mapping[str, str]) -> dict[str, str]:
    """Tags recording the security controls a resource turns off, and why."""
    return {f"{WAIVER_TAG}{control}": reason[:256] for control, reason in sorted(waivers.items())}
