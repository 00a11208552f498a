"""VPC Lattice: the stack's service network (``ecs-platform:lattice``) and a service's Lattice
service (``lattice: true`` or ``{port, protocol, principals}``): who may call it, on which port."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BeforeValidator, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from ecs_platform import facts as f
from ecs_platform.errors import show
from ecs_platform.specs.base import Choice, Loc, Rule, Spec
from ecs_platform.specs.fields import HealthCheckPath, Port

#: ``serviceNetwork: create``: the stack creates the service network.
CREATE_NETWORK = "create"


def service_network_check(value: Any) -> str | None:
    if value == CREATE_NETWORK or (isinstance(value, str) and f.LATTICE_SERVICE_NETWORK_ARN_RE.fullmatch(value)):
        return None
    return (f"{show(value)} is not a service network (allowed: create, or a service network ARN "
            "arn:aws:vpc-lattice:<region>:<account>:servicenetwork/sn-<17 characters>)")  # fmt: skip


def role_arn_check(value: Any) -> str | None:
    if isinstance(value, str) and f.IAM_ROLE_ARN_RE.fullmatch(value):
        return None
    return f"{show(value)} is not an IAM role ARN (allowed: arn:aws:iam::<account>:role/<path><name>)"


ServiceNetwork = Annotated[str, Rule(service_network_check, "create, or a VPC Lattice service network ARN")]
RoleArn = Annotated[str, Rule(role_arn_check, "an IAM role ARN", f.IAM_ROLE_ARN_RE.pattern)]


class LatticeSpec(Spec):
    """The stack's VPC Lattice service network, which services with ``lattice`` join."""

    service_network: ServiceNetwork = CREATE_NETWORK
    """``create``: a service network with IAM auth (its auth policy admits signed requests of the
    stack's account), associated with the stack's VPC; or the ARN of an existing one in the stack's
    region (of this account, or shared with it through AWS RAM), which the services join and whose
    VPC associations and auth policy its owner keeps. Default ``create``."""


class ServiceLatticeSpec(Spec):
    """A service's VPC Lattice service: a listener, an IP target group ECS registers the tasks in,
    IAM auth."""

    protocol: Annotated[str, Choice(*f.LATTICE_PROTOCOLS)] = "HTTPS"
    """The listener's protocol: ``HTTPS`` (Lattice's certificate on the service's generated domain)
    or ``HTTP``; the tasks are reached over HTTP on the service's ``port``. Default ``HTTPS``."""
    port: Port | None = None
    """The listener's port, 1..65535. Default 443 for HTTPS, 80 for HTTP."""
    health_check_path: HealthCheckPath = "/"
    """The path Lattice's health check requests (HTTP on the service's port, healthy on 200-399).
    Default ``/``."""
    principals: tuple[RoleArn, ...] = ()
    """IAM roles outside the stack (another program's task role, another account's) whose signed
    requests the service's auth policy admits, besides the task roles of the service's ``callers``;
    each also needs ``vpc-lattice-svcs:Invoke`` on the service in its own policies. Default none."""

    @property
    def listener_port(self) -> int:
        return self.port if self.port is not None else f.LATTICE_DEFAULT_PORTS[self.protocol]


def _lattice(value: Any) -> Any:
    """``lattice: true`` is ``lattice: {}``; ``false`` is no Lattice service."""
    if value is True:
        return {}
    if value is False:
        return None
    return value


class _OrBool:
    """JSON Schema of ``lattice``: true/false, or the full form."""

    @staticmethod
    def __get_pydantic_json_schema__(schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        return {"anyOf": [{"type": "boolean"}, handler(schema)]}


ServiceLattice = Annotated[ServiceLatticeSpec | None, BeforeValidator(_lattice), _OrBool()]


def lattice_problems(
    services: Mapping[str, Any], lattice: LatticeSpec | None, modes: Mapping[str, tuple[str, str]]
) -> list[tuple[Loc, str]]:
    """A Lattice service needs the stack's service network, a port and its own security group
    (``modes``: service -> (launch type, network mode); ECS registers ``awsvpc`` tasks' addresses in
    an IP target group, and the tasks admit Lattice's prefix list), and someone allowed to call it:
    with IAM auth and no principal in its auth policy, Lattice refuses every request
    ("Control access to VPC Lattice services using auth policies",
    https://docs.aws.amazon.com/vpc-lattice/latest/ug/auth-policies.html)."""
    out: list[tuple[Loc, str]] = []
    for name, svc in services.items():
        spec: ServiceLatticeSpec | None = svc.lattice
        if spec is None:
            continue
        loc: Loc = ("services", name, "lattice")
        if lattice is None:
            out.append((loc, "needs the stack's service network, and ecs-platform:lattice is not set (allowed: "
                        "lattice: {serviceNetwork: create} or a service network ARN at the stack level)"))  # fmt: skip
        if svc.port is None:
            out.append((loc, "needs the port the tasks serve on (allowed: set port)"))
        launch_type, mode = modes[name]
        if launch_type == "EXTERNAL" or mode != "awsvpc":
            out.append((loc, f"needs awsvpc tasks on FARGATE or EC2 (their addresses are the IP targets, their "
                        f"security group admits Lattice), and the service runs {mode} on {launch_type} (allowed: "
                        "awsvpc on FARGATE or EC2)"))  # fmt: skip
        if not svc.callers and not spec.principals:
            out.append((loc, "admits no one: the service's IAM auth policy names its callers and principals, and "
                        "it has neither (allowed: callers: [<service>], or lattice.principals: [<role ARN>])"))
        for i, principal in enumerate(spec.principals):
            if principal in spec.principals[:i]:
                out.append(((*loc, "principals", i), f"{show(principal)} is already listed (allowed: each once)"))
    return out


def lattice_context_problems(lattice: LatticeSpec | None, region: str) -> list[tuple[Loc, str]]:
    """An adopted service network is in the stack's region: a service associates only with a
    network of its own region (the association's identifiers are regional resources)."""
    if lattice is None or lattice.service_network == CREATE_NETWORK:
        return []
    where, partition = lattice.service_network.split(":")[3], lattice.service_network.split(":")[1]
    # (another partition's ARN is reported once, by the partition check)
    if where != region and partition == f.PARTITION_OF_REGION.get(region, partition):
        return [(("lattice", "serviceNetwork"), f"{show(lattice.service_network)} is in {where}, not the stack's "
                 f"region {region} (allowed: a service network in {region}, or create)")]
    return []

