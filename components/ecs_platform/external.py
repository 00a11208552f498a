"""ExternalCapacity: the seed's VMs. Machines outside AWS join the cluster
through ECS Anywhere, registered with Systems Manager by an SSM activation."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from ecs_platform import facts
from ecs_platform.boundary import Boundary
from ecs_platform.iam import AwsContext, managed_policy_role
from ecs_platform.specs import ExternalSpec
from ecs_platform.wiring import ECS_NAME, deferred_wiring

INSTALL_SCRIPT = facts.ECS_ANYWHERE_INSTALL_SCRIPT
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
    """What to run on a machine (with ``curl`` and ``gpg``; ``sudo`` for the installation) to
    register it with the cluster: download the installation script and its signature into a new
    private directory, fetch the Amazon ECS key by its fingerprint into a keyring of its own
    there, and run the script only if that key signed it (AWS's verification steps,
    :data:`ecs_platform.facts.ECS_ANYWHERE_INSTALL_SCRIPT`)."""
    script, sig = '"$d/ecs-anywhere-install.sh"', '"$d/ecs-anywhere-install.sh.asc"'
    return pulumi.Output.concat(
        "d=$(mktemp -d) && ",
        f'curl --proto "=https" -fsSL -o {script} "{INSTALL_SCRIPT}" && ',
        f'curl --proto "=https" -fsSL -o {sig} "{INSTALL_SCRIPT}.asc" && ',
        f'GNUPGHOME="$d" gpg --batch --keyserver {facts.ECS_ANYWHERE_KEYSERVER} '
        f"--recv-keys {facts.ECS_ANYWHERE_SIGNING_KEY} && ",
        f'GNUPGHOME="$d" gpg --batch --verify {sig} {script} && ',
        f'sudo bash {script} --region "', region, '" --cluster "', cluster_name,
        '" --activation-id "', activation_id, '" --activation-code "', activation_code, '"',
    )  # fmt: skip


class ExternalCapacity(pulumi.ComponentResource):
    """The role registered machines use and the activation that registers them.

    The role is trusted by Systems Manager only, for this account, and holds
    AWS's two ECS Anywhere policies (SSM agent, ECS agent). Outputs:
    ``role_name``, ``activation_id``, ``activation_code`` (secret),
    ``registration_command`` (secret) and ``activation_expiry``: the RFC 3339 time after which
    the activation registers no machine (machines already registered stay); a new activation
    replaces it when ``spec.expiration_date`` changes.
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
        # Without an expiration date the provider reads back the one AWS set (24 h after
        # creation): https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_CreateActivation.html
        self.activation_expiry: pulumi.Output[str] = self.activation.expiration_date
        self.activation_code: pulumi.Output[str] = pulumi.Output.secret(self.activation.activation_code)
        self.registration_command: pulumi.Output[str] = pulumi.Output.secret(
            registration_command(
                ctx.region, cluster_name, self.activation.id, self.activation.activation_code
            )
        )
        self.register_outputs({"roleName": self.role_name, "activationId": self.activation_id,
                               "activationExpiry": self.activation_expiry})
