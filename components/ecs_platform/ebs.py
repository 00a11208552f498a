"""EBS task volumes: the ECS infrastructure role that creates them, and the volume configuration a
service (``CreateService``) or a run (``RunTask``) hands ECS.

ECS creates one volume per task from the configuration, attaches it, and deletes it when the task
stops; it acts with the infrastructure role given in the configuration (``roleArn``), which holds
AWS's managed policy ``AmazonECSInfrastructureRolePolicyForVolumes`` (only volumes ECS tags as its
own) and, when the stack has a customer-managed KMS key, the use of exactly that key through EC2.
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ebs-volumes.html
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from ecs_platform import facts
from ecs_platform.iam import AwsContext, InfrastructureRole, infrastructure_role
from ecs_platform.specs.ebs import EbsSpec
from ecs_platform.specs.task import TaskSpec


def ebs_volume(spec: TaskSpec) -> tuple[str, EbsSpec] | None:
    """The task's EBS volume (name, settings), or None (at most one, checked by the spec)."""
    return next(((n, v.ebs) for n, v in spec.volumes.items() if v.ebs is not None), None)


def ebs_key_statements(key_arn: pulumi.Input[str], region: pulumi.Input[str]) -> list[dict[str, Any]]:
    """What the infrastructure role needs of a customer-managed key to create volumes encrypted with it
    ("Requirements for Amazon EBS encryption", Permissions for users), only through EC2 of the stack's
    region (``kms:ViaService``); ``kms:CreateGrant`` only for grants on an AWS resource
    (``kms:GrantIsForAWSResource``), as that page recommends. The key's policy must let IAM policies of
    the account grant its use (a created ``kmsKey`` does; "Default key policy", AWS KMS guide).
    https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption-requirements.html"""
    via = pulumi.Output.concat("ec2.", region, ".amazonaws.com")
    return [
        {"Sid": "EbsVolumeKey", "Effect": "Allow", "Action": list(facts.EBS_KMS_ACTIONS), "Resource": key_arn,
         "Condition": {"StringEquals": {"kms:ViaService": via}}},
        {"Sid": "EbsVolumeKeyGrants", "Effect": "Allow", "Action": "kms:CreateGrant", "Resource": key_arn,
         "Condition": {"StringEquals": {"kms:ViaService": via}, "Bool": {"kms:GrantIsForAWSResource": "true"}}},
    ]  # fmt: skip


#: The EBS infrastructure role (the shared shape of ECS infrastructure roles).
EbsRole = InfrastructureRole


def ebs_role(
    parent: pulumi.Resource, name: str, ctx: AwsContext, kms_key_arn: pulumi.Input[str] | None
) -> EbsRole:
    """``<name>-ebs-infrastructure``: trusted by ECS as the guide shows, with
    ``AmazonECSInfrastructureRolePolicyForVolumes`` and, with a stack key, ``<name>-ebs-key``."""
    return infrastructure_role(
        f"{name}-ebs-infrastructure",
        ctx=ctx,
        trust=ctx.trust("ecs-infrastructure-volumes"),
        description=f"ECS creates, attaches and deletes {name}'s per-task EBS volumes",
        managed_policy=("volumes", facts.EBS_INFRASTRUCTURE_POLICY),
        key_policy_name=f"{name}-ebs-key",
        key_statements=None if kms_key_arn is None else ebs_key_statements(kms_key_arn, ctx.region),
        parent=parent,
    )


def service_volume_configuration(
    volume: str, ebs: EbsSpec, *, role_arn: pulumi.Input[str], kms_key_arn: pulumi.Input[str] | None
) -> aws.ecs.ServiceVolumeConfigurationArgs:
    """CreateService's ``volumeConfigurations``: ECS's volume for each task of the service, encrypted
    (with the stack's key when it has one), tagged with the service's tags."""
    return aws.ecs.ServiceVolumeConfigurationArgs(
        name=volume,
        managed_ebs_volume=aws.ecs.ServiceVolumeConfigurationManagedEbsVolumeArgs(
            role_arn=role_arn,
            encrypted=True,
            kms_key_id=kms_key_arn,
            size_in_gb=ebs.size_gib,
            volume_type=ebs.type,
            iops=ebs.iops,
            throughput=ebs.throughput,
            file_system_type=ebs.filesystem,
            tag_specifications=[
                aws.ecs.ServiceVolumeConfigurationManagedEbsVolumeTagSpecificationArgs(
                    resource_type="volume", propagate_tags="SERVICE"
                )
            ],
        ),
    )


def run_task_volume_configuration(
    volume: str, ebs: EbsSpec, *, role_arn: str, kms_key_arn: str | None
) -> dict[str, Any]:
    """RunTask's ``volumeConfigurations`` entry (the API's keys): the same volume for a job's run,
    deleted when the task stops, tagged with the task definition's tags (RunTask propagates
    ``TASK_DEFINITION``; ``SERVICE`` is for services only, EBSTagSpecification).
    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_TaskManagedEBSVolumeConfiguration.html"""
    managed: dict[str, Any] = {
        "encrypted": True,
        "volumeType": ebs.type,
        "sizeInGiB": ebs.size_gib,
        "filesystemType": ebs.filesystem,
        "roleArn": role_arn,
        "terminationPolicy": {"deleteOnTermination": True},
        "tagSpecifications": [{"resourceType": "volume", "propagateTags": "TASK_DEFINITION"}],
    }
    if kms_key_arn is not None:
        managed["kmsKeyId"] = kms_key_arn
    if ebs.iops is not None:
        managed["iops"] = ebs.iops
    if ebs.throughput is not None:
        managed["throughput"] = ebs.throughput
    return {"name": volume, "managedEBSVolume": managed}


def run_task_volume_configurations(
    spec: TaskSpec, role_arn: pulumi.Input[str] | None, kms_key_arn: pulumi.Input[str] | None
) -> pulumi.Output[list[dict[str, Any]]]:
    """``[run_task_volume_configuration(...)]`` once the role and key ARNs are known; ``[]`` without
    an EBS volume."""
    found = ebs_volume(spec)
    if found is None or role_arn is None:
        return pulumi.Output.from_input([])
    volume, ebs = found
    return pulumi.Output.all(role_arn, kms_key_arn).apply(
        lambda v: [run_task_volume_configuration(volume, ebs, role_arn=str(v[0]), kms_key_arn=str(v[1]) if v[1] else None)]
    )


__all__: Sequence[str] = (
    "EbsRole", "ebs_key_statements", "ebs_role", "ebs_volume", "run_task_volume_configuration",
    "run_task_volume_configurations", "service_volume_configuration",
)  # fmt: skip
