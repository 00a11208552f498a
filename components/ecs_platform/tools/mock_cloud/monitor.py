"""The recording monitor: every registration request, in full."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc

from ecs_platform.tools.mock_cloud.cloud import MockCloud


@dataclass
class Registration:
    """One registered resource, as the engine saw it."""

    urn: str
    type: str
    name: str
    parent: str
    custom: bool
    remote: bool
    provider: str
    providers: dict[str, str]
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    id: str
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    ignore_changes: list[str]
    protect: bool
    retain_on_delete: bool
    delete_before_replace: bool
    aliases: list[str]
    custom_timeouts: dict[str, str]
    """``create`` / ``update`` / ``delete`` -> the duration given (``"30m"``), only those set."""
    replace_with: list[str]
    """URNs of the resources whose replacement replaces this one (``replace_with``)."""
    secret_inputs: frozenset[str] = frozenset()
    """The top-level inputs the program sent as secrets."""


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """A mock monitor that records every registration request in full."""

    def __init__(self, mocks: MockCloud) -> None:
        super().__init__(mocks)
        self.registrations: list[Registration] = []

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        if request.type == "pulumi:pulumi:Stack":
            return response
        inputs = rpc.deserialize_properties(request.object)
        state = self.resources[response.urn].state
        self.registrations.append(
            Registration(
                urn=response.urn,
                type=request.type,
                name=request.name,
                parent=request.parent,
                custom=bool(request.custom),
                remote=bool(request.remote),
                provider=request.provider,
                providers=dict(request.providers),
                inputs=_plain(inputs),
                outputs=_plain(state),
                id=response.id,
                dependencies=list(request.dependencies),
                property_dependencies={k: list(v.urns) for k, v in request.propertyDependencies.items()},
                ignore_changes=list(request.ignoreChanges),
                protect=bool(request.protect),
                retain_on_delete=bool(request.retainOnDelete),
                delete_before_replace=bool(request.deleteBeforeReplace),
                aliases=[a.urn or a.spec.name for a in request.aliases],
                custom_timeouts=_timeouts(request.customTimeouts),
                secret_inputs=frozenset(k for k, v in inputs.items() if rpc.is_rpc_secret(v)),
                replace_with=list(request.replace_with),
            )
        )
        return response


def _timeouts(custom: Any) -> dict[str, str]:
    """The custom timeouts a registration sets (``create`` / ``update`` / ``delete``)."""
    return {k: str(v) for k in ("create", "update", "delete") if (v := getattr(custom, k, ""))}


def _plain(value: Any) -> Any:
    """Deserialized inputs may hold resource references; keep them as URNs."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, pulumi.Resource):
        return f"<resource {type(value).__name__}>"
    if isinstance(value, float) and value.is_integer():
        return int(value)  # the wire format has only floats; show 3, not 3.0
    return value
