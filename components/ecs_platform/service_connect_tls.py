"""The ECS infrastructure role for Service Connect TLS: ECS assumes it to issue the served services'
certificates from the AWS Private CA, rotate them, and keep their private keys in Secrets Manager
(secrets named ``ecs-sc!...``), encrypted with the stack's KMS key when one is given.
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-connect-tls.html"""

from __future__ import annotations

from typing import Any

import pulumi

from ecs_platform import facts
from ecs_platform.iam import AwsContext, InfrastructureRole, infrastructure_role


def tls_key_statements(key_arn: pulumi.Input[str], region: pulumi.Input[str]) -> list[dict[str, Any]]:
    """Encrypt and read the certificates' secrets with exactly ``key_arn``, only through Secrets
    Manager of the stack's region (``kms:ViaService``): what a principal that stores secrets under
    a customer-managed key needs ("Secret encryption and decryption in AWS Secrets Manager").
    https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html"""
    via = pulumi.Output.concat("secretsmanager.", region, ".amazonaws.com")
    return [{"Sid": "ServiceConnectTlsSecretsKey", "Effect": "Allow", "Action": list(facts.SERVICE_CONNECT_TLS_KMS_ACTIONS),
             "Resource": key_arn, "Condition": {"StringEquals": {"kms:ViaService": via}}}]  # fmt: skip


#: The Service Connect TLS role (the shared shape of ECS infrastructure roles).
TlsRole = InfrastructureRole


def tls_role(
    parent: pulumi.Resource, name: str, ctx: AwsContext, kms_key_arn: pulumi.Input[str] | None
) -> TlsRole:
    """``<name>``: trusted by ``ecs.amazonaws.com`` as the infrastructure role guide shows it, with
    AWS's ``AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity``; with a key,
    ``<name>-key`` (:func:`tls_key_statements`)."""
    return infrastructure_role(
        name,
        ctx=ctx,
        trust=ctx.trust("ecs-infrastructure-tls"),
        description="ECS issues and rotates Service Connect TLS certificates from the private CA",
        managed_policy=("policy", facts.SERVICE_CONNECT_TLS_POLICY),
        key_policy_name=f"{name}-key",
        key_statements=None if kms_key_arn is None else tls_key_statements(kms_key_arn, ctx.region),
        parent=parent,
    )
