"""ExternalCapacity: the seed's VMs. Machines outside AWS join the cluster
through ECS Anywhere, registered with Systems Manager by an SSM activation."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from ecs_platform.boundary import Boundary
from ecs_platform.iam import AwsContext, managed_policy_role
from ecs_platform.specs import ExternalSpec
from ecs_platform.wiring import ECS_NAME, deferred_wiring

INSTALL_SCRIPT = "https://amazon-ecs-agent.s3.amazonaws.com/ecs-anywhere-install-latest.sh"
#: AWS documents the ECS Anywhere role with exactly these two managed policies.
EXTERNAL_POLICIES = (
    ("ssm", "policy/AmazonSSMManagedInstanceCore"),
    ("ecs", "policy/service-role/AmazonEC2ContainerServiceforEC2Role"),
)


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
        spec: ExternalSpec,
        *,
        cluster_name: pulumi.Input[str],
        context: AwsContext | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        bd = Boundary("ExternalCapacity", name, opts)
        checked = bd.spec("spec", spec, ExternalSpec)
        bd.wiring("cluster_name", cluster_name, ECS_NAME)
        context = bd.context("context", context)
        bd.autoname("name", name, "aws:iam/role:Role", f"{name}-role", "IAM role name")
        bd.done(self)
        assert checked is not None
        spec = checked
        cluster_name = deferred_wiring(cluster_name, ECS_NAME, "ExternalCapacity.cluster_name")
        super().__init__("ecs-platform:cluster:ExternalCapacity", name, None, opts)
        ctx = context or AwsContext.lookup(pulumi.InvokeOutputOptions(parent=self))
        self.role, self.policy_attachments = managed_policy_role(
            f"{name}-role",
            ctx=ctx,
            trust=ctx.trust("ssm-hybrid"),
            description="ECS Anywhere machines: SSM and ECS agents",
            managed_policies=EXTERNAL_POLICIES,
            parent=self,
        )
        self.activation = aws.ssm.Activation(
            f"{name}-activation",
            description=f"Registers machines with ECS cluster capacity {name}",
            iam_role=self.role.name,
            registration_limit=spec.registration_limit,
            expiration_date=(
                f"{spec.expiration_date}T00:00:00Z" if spec.expiration_date is not None else None
            ),
            # The role must hold its policies before a machine registers with it.
            opts=pulumi.ResourceOptions(parent=self, depends_on=self.policy_attachments),
        )
        self.role_name = self.role.name
        self.activation_id = self.activation.id
        self.activation_code: pulumi.Output[str] = pulumi.Output.secret(self.activation.activation_code)
        self.registration_command: pulumi.Output[str] = pulumi.Output.secret(
            registration_command(
                ctx.region, cluster_name, self.activation.id, self.activation.activation_code
            )
        )
        self.register_outputs({"roleName": self.role_name, "activationId": self.activation_id})
