"""The ECS infrastructure role for Service Connect TLS: ECS assumes it to issue the served services'
certificates from the AWS Private CA, rotate them, and keep their private keys in Secrets Manager
(secrets named ``ecs-sc!...``), encrypted with the stack's KMS key when one is given.
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-connect-tls.html"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from ecs_platform import facts
from ecs_platform.iam import AwsContext, managed_policy_role, policy_document
from ecs_platform.outputs import after


def tls_key_statements(key_arn: pulumi.Input[str], region: pulumi.Input[str]) -> list[dict[str, Any]]:
    """Encrypt and read the certificates' secrets with exactly ``key_arn``, only through Secrets
    Manager of the stack's region (``kms:ViaService``): what a principal that stores secrets under
    a customer-managed key needs ("Secret encryption and decryption in AWS Secrets Manager").
    https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html"""
    via = pulumi.Output.concat("secretsmanager.", region, ".amazonaws.com")
    return [{"Sid": "ServiceConnectTlsSecretsKey", "Effect": "Allow", "Action": list(facts.SERVICE_CONNECT_TLS_KMS_ACTIONS),
             "Resource": key_arn, "Condition": {"StringEquals": {"kms:ViaService": via}}}]  # fmt: skip


@dataclass
class TlsRole:
    """The role, its managed policy attachment and, with a customer key, the key's use."""

    role: aws.iam.Role
    attachments: list[aws.iam.RolePolicyAttachment]
    key_policy: aws.iam.RolePolicy | None

    @property
    def arn(self) -> pulumi.Output[str]:
        """The role's ARN, handed out only once its policies are attached."""
        return after(self.role.arn, *self.attachments, self.key_policy)


def tls_role(
    parent: pulumi.Resource, name: str, ctx: AwsContext, kms_key_arn: pulumi.Input[str] | None
) -> TlsRole:
    """``<name>``: trusted by ``ecs.amazonaws.com`` as the infrastructure role guide shows it, with
    AWS's ``AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity``; with a key,
    ``<name>-key`` (:func:`tls_key_statements`)."""
    role, attachments = managed_policy_role(
        name,
        ctx=ctx,
        trust=ctx.trust("ecs-infrastructure-tls"),
        description="ECS issues and rotates Service Connect TLS certificates from the private CA",
        managed_policies=(("policy", facts.SERVICE_CONNECT_TLS_POLICY),),
        parent=parent,
    )
    key_policy = None
    if kms_key_arn is not None:
        key_policy = aws.iam.RolePolicy(
            f"{name}-key",
            role=role.name,
            policy=policy_document(tls_key_statements(kms_key_arn, ctx.region)),
            opts=pulumi.ResourceOptions(parent=parent),
        )
    return TlsRole(role, attachments, key_policy)
