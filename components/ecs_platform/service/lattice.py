"""A service's VPC Lattice service: an IP target group ECS registers its tasks in (with the ECS
infrastructure role for VPC Lattice), the Lattice service with IAM auth, its listener, its
association with the stack's service network, the path from Lattice to the tasks; and, once the
callers are known (:func:`authorize`), the auth policy and the callers' side of the path.
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-vpc-lattice.html"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from ecs_platform import facts
from ecs_platform.iam import AwsContext, managed_policy_role, policy_document
from ecs_platform.names import stable_short_name
from ecs_platform.outputs import after
from ecs_platform.service.refs import LatticeRef
from ecs_platform.specs.containers import port_mapping_name
from ecs_platform.specs.lattice import ServiceLatticeSpec


def lattice_name(logical_name: str, kind: str) -> str | None:
    """``None`` (Pulumi's auto-name, ``<logical name>-<7 hex>``) when that fits Lattice's grammar
    and length for ``kind`` (:data:`facts.LATTICE_NAME_MAX`), else a stable short name that does."""
    limit = facts.LATTICE_NAME_MAX[kind]
    reserved = facts.LATTICE_RESERVED_PREFIXES.get(kind, "\0")
    if (facts.LATTICE_NAME_RE.fullmatch(logical_name) and len(logical_name) + facts.AUTONAME_SUFFIX_LEN <= limit
            and not logical_name.startswith(reserved)):  # fmt: skip
        return None
    clean = re.sub(r"[^a-z0-9]+", "-", logical_name.lower()).strip("-").removeprefix(reserved.rstrip("-"))
    return stable_short_name(clean or "ecs", limit, pulumi.get_project(), pulumi.get_stack(), kind).lower()


@dataclass
class Lattice:
    """What :func:`join` created for one service, and its ECS ``vpcLatticeConfigurations`` entry."""

    target_group: aws.vpclattice.TargetGroup
    service: aws.vpclattice.Service
    listener: aws.vpclattice.Listener
    association: aws.vpclattice.ServiceNetworkServiceAssociation
    role: aws.iam.Role
    attachments: list[aws.iam.RolePolicyAttachment]
    ingress: aws.vpc.SecurityGroupIngressRule
    configuration: aws.ecs.ServiceVpcLatticeConfigurationArgs
    url: pulumi.Output[str]
    auth_policy: aws.vpclattice.AuthPolicy | None = None
    caller_rules: list[pulumi.Resource] = field(default_factory=list)


def join(
    parent: pulumi.Resource,
    name: str,
    container_name: str,
    port: int,
    spec: ServiceLatticeSpec,
    *,
    vpc_id: pulumi.Input[str],
    security_group_id: pulumi.Input[str],
    ref: LatticeRef,
    ctx: AwsContext,
) -> Lattice:
    """The service's Lattice resources, named ``<name>-lattice*`` (the role ``<name>-lattice-infra``: a
    32-character service name keeps its auto-name within IAM's 64 characters); the tasks' security group admits
    the region's Lattice prefix list on ``port`` (the tasks' port), nothing else."""
    child = pulumi.ResourceOptions(parent=parent)
    base = f"{name}-lattice"
    target_group = aws.vpclattice.TargetGroup(
        f"{base}-tg",
        name=lattice_name(f"{base}-tg", "targetgroup"),
        type="IP",
        config=aws.vpclattice.TargetGroupConfigArgs(
            port=port, protocol="HTTP", protocol_version="HTTP1", ip_address_type="IPV4", vpc_identifier=vpc_id,
            health_check=aws.vpclattice.TargetGroupConfigHealthCheckArgs(
                enabled=True, protocol="HTTP", path=spec.health_check_path,
                matcher=aws.vpclattice.TargetGroupConfigHealthCheckMatcherArgs(value="200-399"),
            ),
        ),
        opts=child,
    )
    service = aws.vpclattice.Service(base, name=lattice_name(base, "service"), auth_type="AWS_IAM", opts=child)
    listener_port = spec.listener_port
    listener = aws.vpclattice.Listener(
        f"{base}-listener",
        name=f"{spec.protocol.lower()}-{listener_port}",
        service_identifier=service.id,
        protocol=spec.protocol,
        port=listener_port,
        default_action=aws.vpclattice.ListenerDefaultActionArgs(
            forwards=[aws.vpclattice.ListenerDefaultActionForwardArgs(target_groups=[
                aws.vpclattice.ListenerDefaultActionForwardTargetGroupArgs(
                    target_group_identifier=target_group.id, weight=100)])],
        ),
        opts=child,
    )
    association = aws.vpclattice.ServiceNetworkServiceAssociation(
        f"{base}-association", service_identifier=service.id, service_network_identifier=ref.service_network,
        opts=child,
    )  # fmt: skip
    role, attachments = managed_policy_role(
        f"{base}-infra",
        ctx=ctx,
        trust=ctx.trust("ecs-infrastructure-lattice"),
        description=f"ECS registers {name}'s tasks in its VPC Lattice target group",
        managed_policies=(("lattice", facts.LATTICE_INFRASTRUCTURE_POLICY),),
        parent=parent,
    )
    ingress = aws.vpc.SecurityGroupIngressRule(
        f"{name}-from-lattice", security_group_id=security_group_id, prefix_list_id=ref.prefix_list_id,
        ip_protocol="tcp", from_port=port, to_port=port,
        description=f"VPC Lattice to {name} on its port", opts=child,
    )  # fmt: skip
    configuration = aws.ecs.ServiceVpcLatticeConfigurationArgs(
        port_name=port_mapping_name(container_name, port),
        role_arn=after(role.arn, *attachments),
        # ECS registers the tasks once the target group serves a listener.
        target_group_arn=after(target_group.arn, listener),
    )
    dns = service.dns_entries.apply(lambda entries: str(entries[0].domain_name or "") if entries else "")
    url = pulumi.Output.concat(spec.protocol.lower(), "://", dns, f":{listener_port}")
    return Lattice(target_group, service, listener, association, role, attachments, ingress, configuration, url)


def authorize(
    parent: pulumi.Resource,
    name: str,
    lattice: Lattice,
    spec: ServiceLatticeSpec,
    callers: Mapping[str, tuple[pulumi.Input[str], pulumi.Input[str], pulumi.Input[str]]],
    ref: LatticeRef,
) -> None:
    """The service's auth policy, which admits exactly the callers' task roles (``callers``: name ->
    (task role ARN, task role name, security group id)) and ``spec.principals`` (signed requests:
    an anonymous one has no principal to match); and for
    each caller the identity side (``vpc-lattice-svcs:Invoke`` on this service only, on its task
    role), egress to Lattice on the listener port, and ingress on the service network's association
    group when this program created it."""
    child = pulumi.ResourceOptions(parent=parent)
    port = spec.listener_port
    resource = pulumi.Output.concat(lattice.service.arn, "/*")
    principals: Sequence[pulumi.Input[str]] = [role for role, _, _ in callers.values()] + list(spec.principals)
    lattice.auth_policy = aws.vpclattice.AuthPolicy(
        f"{name}-lattice-auth",
        resource_identifier=lattice.service.arn,
        policy=policy_document([{
            "Sid": "Callers", "Effect": "Allow", "Principal": {"AWS": list(principals)},
            "Action": facts.LATTICE_INVOKE_ACTION, "Resource": resource,
        }]),
        opts=child,
    )
    for caller, (_, role_name, sg) in sorted(callers.items()):
        rule = f"{name}-lattice-from-{caller}"
        lattice.caller_rules.append(aws.iam.RolePolicy(
            rule, role=role_name, opts=child,
            policy=policy_document([{"Sid": "InvokeLatticeService", "Effect": "Allow",
                                     "Action": facts.LATTICE_INVOKE_ACTION, "Resource": resource}]),
        ))  # fmt: skip
        lattice.caller_rules.append(aws.vpc.SecurityGroupEgressRule(
            f"{rule}-egress", security_group_id=sg, prefix_list_id=ref.prefix_list_id, ip_protocol="tcp",
            from_port=port, to_port=port, description=f"{caller} to {name} through VPC Lattice", opts=child,
        ))  # fmt: skip
        if ref.security_group_id is not None:
            lattice.caller_rules.append(aws.vpc.SecurityGroupIngressRule(
                f"{rule}-network", security_group_id=ref.security_group_id, referenced_security_group_id=sg,
                ip_protocol="tcp", from_port=port, to_port=port,
                description=f"{caller} into the service network, to {name}", opts=child,
            ))  # fmt: skip
