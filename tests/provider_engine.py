"""The Pulumi engine, as far as the component provider sees it, played in this process over
gRPC: the provider's own gRPC server (:class:`ecs_platform.provider.construct.Servicer`, which
the plugin serves when the engine starts it), and the resource monitor
and engine services it calls back, answered by the project's mock cloud.

A test calls ``GetSchema`` and ``Construct`` on the provider as the engine does when a
TypeScript or YAML program creates a component: the inputs as a protobuf ``Struct`` (every
number a float), Outputs of other resources as output values. The monitor records every
registration as :func:`ecs_platform.tools.mock_cloud.run_program` does for a Python program,
so the two paths' registrations compare one to one.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent import futures
from typing import Any

import grpc
import grpc.aio
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime import rpc
from pulumi.runtime.proto import (
    engine_pb2_grpc,
    provider_pb2,
    provider_pb2_grpc,
    resource_pb2,
    resource_pb2_grpc,
)

from ecs_platform.provider.construct import EcsPlatformProvider, Servicer
from ecs_platform.tools.mock_cloud import MockCloud, RecordingMonitor
from tests.conftest import EMBED_VPCS


def stack_urn(project: str, stack: str) -> str:
    return f"urn:pulumi:{stack}::{project}::pulumi:pulumi:Stack::{project}-{stack}"


def output_value(value: Any = None, *, known: bool = True, secret: bool = False, deps: tuple[str, ...] = ()) -> dict[str, Any]:
    """An output value as the engine sends it in a Construct request (another resource's output)."""
    out: dict[str, Any] = {rpc._special_sig_key: rpc._special_output_value_sig}
    if known:
        out["value"] = value
    if secret:
        out["secret"] = True
    if deps:
        out["dependencies"] = list(deps)
    return out


class _Monitor(RecordingMonitor):
    """The recording monitor, naming URNs for a fixed project and stack (its gRPC threads do
    not see the program's settings) and keeping every component's registered outputs."""

    def __init__(self, cloud: MockCloud, project: str, stack: str) -> None:
        super().__init__(cloud)
        self.project, self.stack = project, stack
        self.registered_outputs: dict[str, dict[str, Any]] = {}

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        if parent:
            type_ = parent.split("::")[2].split("$").pop() + "$" + type_
        return f"urn:pulumi:{self.stack}::{self.project}::{type_}::{name}"

    def RegisterResourceOutputs(self, request: Any) -> Any:
        self.registered_outputs[request.urn] = rpc.deserialize_properties(request.outputs)
        return empty_pb2.Empty()


class _MonitorService(resource_pb2_grpc.ResourceMonitorServicer):
    def __init__(self, monitor: _Monitor) -> None:
        self.monitor = monitor

    def SupportsFeature(self, request: Any, context: Any) -> Any:
        # As the mock monitor: no output values in registrations (the mock cloud sees plain inputs).
        return resource_pb2.SupportsFeatureResponse(hasSupport=request.id != "outputValues")

    def GetDeploymentInfo(self, request: Any, context: Any) -> Any:
        return self.monitor.GetDeploymentInfo(request)  # type: ignore[no-untyped-call]

    def Invoke(self, request: Any, context: Any) -> Any:
        return self.monitor.Invoke(request)  # type: ignore[no-untyped-call]

    def RegisterResource(self, request: Any, context: Any) -> Any:
        return self.monitor.RegisterResource(request)

    def RegisterResourceOutputs(self, request: Any, context: Any) -> Any:
        return self.monitor.RegisterResourceOutputs(request)

    def RegisterPackage(self, request: Any, context: Any) -> Any:
        return self.monitor.RegisterPackage(request)  # type: ignore[no-untyped-call]


class _EngineService(engine_pb2_grpc.EngineServicer):
    def __init__(self) -> None:
        self.logs: list[str] = []

    def Log(self, request: Any, context: Any) -> Any:
        self.logs.append(request.message)
        return empty_pb2.Empty()


class ProviderEngine:
    """Use as a context manager: the provider (a fresh one: one deployment) and the engine
    services, each on a localhost port of its own, stopped on exit."""

    def __init__(self, *, project: str = "shop", stack: str = "dev", config: dict[str, str] | None = None,
                 cloud: MockCloud | None = None) -> None:  # fmt: skip
        self.project, self.stack = project, stack
        self.config = dict(config or {"aws:region": "us-east-1"})
        # (the VPC the programs name, whose block the tasks' egress looks up)
        self.cloud = cloud or MockCloud(region=self.config.get("aws:region", "us-east-1"), vpcs=EMBED_VPCS)
        self.monitor = _Monitor(self.cloud, project, stack)
        self.engine = _EngineService()
        self.provider = EcsPlatformProvider()

    def __enter__(self) -> ProviderEngine:
        self._services = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        resource_pb2_grpc.add_ResourceMonitorServicer_to_server(_MonitorService(self.monitor), self._services)
        engine_pb2_grpc.add_EngineServicer_to_server(self.engine, self._services)
        self.monitor_address = f"127.0.0.1:{self._services.add_insecure_port('127.0.0.1:0')}"
        self._services.start()
        self._loop = asyncio.new_event_loop()
        started = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(started,), daemon=True)
        self._thread.start()
        started.wait(10)
        self._channel = grpc.insecure_channel(self.provider_address)
        self.client = provider_pb2_grpc.ResourceProviderStub(self._channel)
        return self

    def _serve(self, started: threading.Event) -> None:
        asyncio.set_event_loop(self._loop)

        async def start() -> None:
            self._server = grpc.aio.server()
            servicer = Servicer(self.provider, [], engine_address=self.monitor_address)
            provider_pb2_grpc.add_ResourceProviderServicer_to_server(servicer, self._server)
            self.provider_address = f"127.0.0.1:{self._server.add_insecure_port('127.0.0.1:0')}"
            await self._server.start()
            started.set()

        self._loop.run_until_complete(start())
        self._loop.run_forever()

    def __exit__(self, *exc: object) -> None:
        self._channel.close()
        asyncio.run_coroutine_threadsafe(self._server.stop(None), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()
        self._services.stop(None)

    # -- what the engine asks the provider ---------------------------------------------------

    def get_schema(self) -> str:
        response = self.client.GetSchema(provider_pb2.GetSchemaRequest(version=0))
        return str(response.schema)

    def construct(self, type_: str, name: str, inputs: dict[str, Any], *, dry_run: bool = False) -> Any:
        """Construct a component as the engine does for a program's ``new Type(name, inputs)``;
        the ``ConstructResponse``, or the ``grpc.RpcError`` the provider answered."""
        struct = struct_pb2.Struct()
        struct.update(inputs)
        request = provider_pb2.ConstructRequest(
            project=self.project, stack=self.stack, config=self.config, dryRun=dry_run,
            monitorEndpoint=self.monitor_address, type=type_, name=name,
            parent=stack_urn(self.project, self.stack), inputs=struct, organization="organization",
            accepts_output_values=True,
        )  # fmt: skip
        return self.client.Construct(request, timeout=120)

    @property
    def registrations(self) -> list[Any]:
        return sorted(self.monitor.registrations, key=lambda r: r.urn)
