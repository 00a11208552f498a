"""ExternalCapacity: the seed's VMs. Machines outside AWS join the cluster
through ECS Anywhere, registered with Systems Manager by an SSM activation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components import validation as v
from components.iam import AwsContext, managed_policy_role, trust_policy

INSTALL_SCRIPT = "https://amazon-ecs-agent.s3.amazonaws.com/ecs-anywhere-install-latest.sh"
#: AWS documents the ECS Anywhere role with exactly these two managed policies.
EXTERNAL_POLICIES = (
    ("ssm", "policy/AmazonSSMManagedInstanceCore"),
    ("ecs", "policy/service-role/AmazonEC2ContainerServiceforEC2Role"),
)
MAX_ACTIVATION_DAYS = 30


def registration_command(
    region: pulumi.Input[str],
    cluster_name: pulumi.Input[str],
    activation_id: pulumi.Input[str],
    activation_code: pulumi.Input[str],
) -> pulumi.Output[str]:
    """What to run (as root) on a machine to register it with the cluster."""
    return pulumi.Output.concat(
        'curl --proto "=https" -fsSL -o /tmp/ecs-anywhere-install.sh "', INSTALL_SCRIPT, '" && ',
        'sudo bash /tmp/ecs-anywhere-install.sh --region "', region, '" --cluster "', cluster_name,
        '" --activation-id "', activation_id, '" --activation-code "', activation_code, '"',
    )  # fmt: skip


def check_expiration(path: str, value: object, today: dt.date | None = None) -> list[str]:
    """An activation expiry: a date (YYYY-MM-DD, UTC) in the next 30 days."""
    today = today or dt.datetime.now(dt.UTC).date()
    try:
        day = dt.date.fromisoformat(str(value))
    except ValueError:
        return [f"{path}: {v.show(value)} is not a date (allowed: YYYY-MM-DD)"]
    if not today < day <= today + dt.timedelta(days=MAX_ACTIVATION_DAYS):
        return [
            f"{path}: {v.show(value)} is not within the next {MAX_ACTIVATION_DAYS} days "
            f"(allowed: {today + dt.timedelta(days=1)}..{today + dt.timedelta(days=MAX_ACTIVATION_DAYS)}; "
            "SSM activations last 30 days at most: set a new date to rotate the activation, "
            "or remove the key)"
        ]
    return []


@dataclass
class ExternalCapacityArgs:
    """Arguments of :class:`ExternalCapacity`."""

    region: pulumi.Input[str]
    """The cluster's region (the machines register there). Required."""
    registration_limit: int = 10
    """Machines the activation may register, 1..1000. Default 10."""
    expiration_date: str | None = None
    """Day (UTC, ``YYYY-MM-DD``, within the next 30) at whose start (00:00 UTC) the
    activation expires. Default: AWS's, 24 hours after creation. Set a new date to
    rotate the activation; once the date has passed, validation asks for a new one."""
    context: AwsContext | None = None
    """Account/region/partition. Default: looked up."""

    def problems(self) -> list[str]:
        out = v.check_int("ExternalCapacityArgs.registration_limit", self.registration_limit, 1, 1000)
        if self.expiration_date is not None:
            out += check_expiration("ExternalCapacityArgs.expiration_date", self.expiration_date)
        return out


class ExternalCapacity(pulumi.ComponentResource):
    """The role registered machines use and the activation that registers them.

    The role is trusted by Systems Manager only, for this account, and holds
    AWS's two ECS Anywhere policies (SSM agent, ECS agent). Outputs:
    ``role_name``, ``activation_id``, ``activation_code`` (secret) and
    ``registration_command`` (secret).
    """

    def __init__(
        self,
        name: str,
        cluster_name: pulumi.Input[str],
        args: ExternalCapacityArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        v.raise_if(args.problems(), "ExternalCapacityArgs")
        super().__init__("ecs-platform:cluster:ExternalCapacity", name, None, opts)
        ctx = args.context or AwsContext.lookup(pulumi.InvokeOutputOptions(parent=self))
        self.role, self.policy_attachments = managed_policy_role(
            f"{name}-role",
            ctx=ctx,
            trust=trust_policy(ctx, "ssm", source_arn_service="ssm"),
            description="ECS Anywhere machines: SSM and ECS agents",
            managed_policies=EXTERNAL_POLICIES,
            parent=self,
        )
        self.activation = aws.ssm.Activation(
            f"{name}-activation",
            description=f"Registers machines with ECS cluster capacity {name}",
            iam_role=self.role.name,
            registration_limit=args.registration_limit,
            expiration_date=(
                f"{args.expiration_date}T00:00:00Z" if args.expiration_date is not None else None
            ),
            # The role must hold its policies before a machine registers with it.
            opts=pulumi.ResourceOptions(parent=self, depends_on=self.policy_attachments),
        )
        self.role_name = self.role.name
        self.activation_id = self.activation.id
        self.activation_code: pulumi.Output[str] = pulumi.Output.secret(self.activation.activation_code)
        self.registration_command: pulumi.Output[str] = pulumi.Output.secret(
            registration_command(
                args.region, cluster_name, self.activation.id, self.activation.activation_code
            )
        )
        self.register_outputs({"roleName": self.role_name, "activationId": self.activation_id})
