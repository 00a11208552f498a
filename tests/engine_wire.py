"""What a dynamic provider really receives: its inputs after the engine's own serialization
(a protobuf Struct, so every number a float and every None dropped). Every test of a dynamic
provider feeds its inputs through :func:`as_engine_sends` so that it sees what AWS would."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from pulumi.runtime import rpc


def as_engine_sends(props: Mapping[str, Any]) -> dict[str, Any]:
    """``props`` serialized by ``rpc.serialize_properties`` and deserialized by
    ``rpc.deserialize_properties``, as the dynamic provider host does with every request."""

    async def roundtrip() -> dict[str, Any]:
        struct = await rpc.serialize_properties(dict(props), {})
        out: dict[str, Any] = rpc.deserialize_properties(struct)
        return out

    # A loop of its own, left current (not asyncio.run, which unsets it): Outputs built before
    # and after (secrets) need a current loop, as they have in a Pulumi program.
    return current_loop().run_until_complete(roundtrip())


def current_loop() -> asyncio.AbstractEventLoop:
    """The thread's event loop, made (and left current) when there is none."""
    policy = asyncio.get_event_loop_policy()
    try:
        loop = policy.get_event_loop()
        if not loop.is_closed():
            return loop
    except RuntimeError:
        pass
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    return loop
