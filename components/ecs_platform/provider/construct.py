"""The provider: ``GetSchema`` answers :func:`~ecs_platform.provider.schema.package_schema`;
``Construct`` builds the Python component a program of another language asked for.

It is a :class:`pulumi.provider.Provider`, served as ``pulumi.provider.main`` serves one: the
gRPC server the SDK's ``component_provider_host`` runs (``pulumi.provider.experimental``),
whose schema inference this package does not use. That host reads the inputs from a ``TypedDict``
of plain types and puts every component in the module ``index`` as a new type; here the
inputs are the specs themselves (one model, its own validation and messages), and each
component keeps the type token its Python callers register, so its URN and its children's
are those of the Python path.

``Construct`` refuses bad input before anything is registered: every problem (the spec's,
the wiring's, and those the component's own boundary finds) is one line of one
:class:`~pulumi.errors.InputPropertiesError`, whose message is the
:class:`~ecs_platform.errors.ConfigError` text a Python program gets, with each key path
spelled as the request's inputs (``vpcId``, ``healthCheck.command``); the same lines come as
the error's property errors.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import Mapping
from typing import Any

import grpc
import grpc.aio
import pulumi
import pulumi.provider as pulumi_provider
from pulumi.errors import InputPropertiesError, InputPropertyErrorDetails
from pulumi.provider.server import ProviderServicer
from pulumi.runtime._grpc_settings import _GRPC_CHANNEL_OPTIONS  # the message sizes pulumi.provider.main allows
from pulumi.runtime.proto import provider_pb2_grpc

from ecs_platform import config, program
from ecs_platform.errors import ConfigError
from ecs_platform.provider.inputs import respelled, spec_path, split, whole_numbers
from ecs_platform.provider.schema import schema_text, version
from ecs_platform.provider.served import BY_TOKEN, Served
from ecs_platform.specs.base import Spec, name_deferred_checks


def refusal(served: Served, problems: list[str]) -> InputPropertiesError:
    """One error listing every problem (the text a Python program's ConfigError has), with each
    problem also as a property error (its path and what is wrong with it)."""
    error = ConfigError(problems, served.cls.__name__)
    program.record_refusal(error.source, error.problems)
    return InputPropertiesError(str(error), _details(error))


def _platform(data: dict[str, Any]) -> tuple[Spec, dict[str, Any]]:
    """A Platform's spec and stack context, as ``pulumi up`` of this repository builds them
    (``__main__.py``): the program's project, stack and ``aws:region``, the region's zones and
    the account looked up, the AWS provider's credential settings from the program's config."""
    region = config.read_region()
    zones, account = config.lookup_region(region)
    spec, context = config.load(
        data, stack=pulumi.get_stack(), region=region, region_zones=zones, account=account,
        project=pulumi.get_project(), offline=config.engine_is_mocked(),
        aws_provider=config.read_aws_provider(), prefix="",
    )  # fmt: skip
    return spec, {"context": context}


def build(served: Served, name: str, inputs: Mapping[str, Any], opts: pulumi.ResourceOptions | None) -> Any:
    """The component ``served`` from a request's inputs; :func:`refusal` for bad input."""
    data, kwargs, chosen, problems = split(served, whole_numbers(dict(inputs)))
    spec: Spec | None = None
    extra: dict[str, Any] = {}
    try:
        if served.cls.__name__ == "Platform":
            spec, extra = _platform(data)
        else:
            spec = served.spec.parse(data, "")
    except ConfigError as exc:
        problems = list(exc.problems) + problems
    if problems or spec is None:
        raise refusal(served, problems)
    name_deferred_checks(spec, spec_path(served.spec))
    try:
        return served.cls(name, spec, **kwargs, **extra, opts=opts)
    except ConfigError as exc:
        raise refusal(served, respelled(served, exc.problems, chosen)) from None


class EcsPlatformProvider(pulumi_provider.Provider):
    """The ``ecs-platform`` component provider. One instance serves one deployment (the engine
    starts one provider process per deployment), so its constructs share one :class:`~ecs_platform.program.Scope`:
    two components of the program cannot take the same name or task family."""

    def __init__(self) -> None:
        super().__init__(version(), schema_text())
        self.scope = program.Scope()

    def construct(
        self, name: str, resource_type: str, inputs: pulumi.Inputs, options: pulumi.ResourceOptions | None = None
    ) -> pulumi_provider.ConstructResult:
        served = BY_TOKEN.get(resource_type)
        if served is None:
            raise ValueError(f"unknown resource type {resource_type} (allowed: {', '.join(BY_TOKEN)})")
        token = program.SCOPE.set(self.scope)
        try:
            component = build(served, name, inputs, options)
        finally:
            program.SCOPE.reset(token)
        state = {o.name: value for o in served.outputs if (value := o.get(component)) is not None}
        return pulumi_provider.ConstructResult(urn=component.urn, state=state)


def _details(error: ConfigError) -> list[InputPropertyErrorDetails]:
    return [{"property_path": p.partition(": ")[0], "reason": p.partition(": ")[2]} for p in error.problems]


class Servicer(ProviderServicer):
    """The SDK's provider servicer, reporting a :class:`ConfigError` found once an Output's value
    was known (a deferred check, after ``construct`` returned) as it reports one found up front:
    an invalid-argument status carrying every problem at its input path, not an unexpected
    exception."""

    async def Construct(self, request: Any, context: Any) -> Any:
        try:
            return await super().Construct(request, context)
        except ConfigError as exc:
            served = BY_TOKEN.get(request.type)
            error = ConfigError(respelled(served, exc.problems) if served else exc.problems, exc.source)
            await context.abort_with_status(self.create_grpc_invalid_properties_status(str(error), _details(error)))
            raise


def main(args: list[str] | None = None) -> None:
    """Serve the provider as ``pulumi.provider.main`` does (the engine runs ``python <plugin
    directory> <engine address>`` and reads the port from the first line of output), with
    :class:`Servicer`."""
    parser = argparse.ArgumentParser(description="ecs-platform component provider (gRPC server)")
    parser.add_argument("engine", help="Pulumi engine address")
    known, _ = parser.parse_known_args(sys.argv[1:] if args is None else args)

    async def serve() -> None:
        server = grpc.aio.server(options=_GRPC_CHANNEL_OPTIONS)
        servicer = Servicer(EcsPlatformProvider(), [], engine_address=known.engine)
        provider_pb2_grpc.add_ResourceProviderServicer_to_server(servicer, server)
        port = server.add_insecure_port(address="127.0.0.1:0")
        await server.start()
        sys.stdout.write(f"{port}\n")
        sys.stdout.flush()
        await server.wait_for_termination()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve())
