"""EfsVolume: an encrypted EFS file system that only its services can reach.

What ``volumes: {name: {efs: {}}}`` creates for a service:

* the file system, encrypted at rest, with automatic backups;
* a mount target in every zone of the private subnets (EFS allows one per zone), behind a
  security group of its own that admits NFS (TCP 2049) only from the security groups of the
  tasks that mount it;
* an access point whose root directory is created owned by the mounting
  containers' uid:gid and which makes every client act as that user;
* a file system policy that refuses connections without TLS. With a file
  system policy in place, EFS no longer grants every client full access by
  default: a task needs an IAM grant (``elasticfilesystem:ClientMount``, and
  ``ClientWrite`` to write) through this access point, which its task role gets
  (https://docs.aws.amazon.com/efs/latest/ug/iam-access-control-nfs-efs.html).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any

import pulumi
import pulumi_aws as aws

from ecs_platform import facts
from ecs_platform.boundary import Boundary
from ecs_platform.errors import show
from ecs_platform.specs.base import Bool, Int
from ecs_platform.wiring import KMS_KEY_ARN, SUBNET_ID, VPC_ID, deferred_wiring

#: NFS, the only port EFS mount targets serve.
NFS_PORT = 2049
#: The directory of the file system the access point exposes as the volume's root.
ACCESS_POINT_ROOT = "/data"


@dataclass(frozen=True)
class EfsMount:
    """What a task definition and a task role need to mount one EFS volume."""

    file_system_id: pulumi.Input[str]
    """The file system's id (``fs-...``). Required."""
    access_point_id: pulumi.Input[str]
    """The access point's id (``fsap-...``). Required."""
    file_system_arn: pulumi.Input[str]
    """The file system's ARN, which the task role is granted on. Required."""
    access_point_arn: pulumi.Input[str]
    """The access point's ARN, the condition of the task role's grant. Required."""


def adopted_mount(file_system_id: str, access_point_id: str, *, partition: pulumi.Input[str],
                  region: pulumi.Input[str], account_id: pulumi.Input[str]) -> EfsMount:  # fmt: skip
    """An existing file system and access point, by id."""

    def arn(kind: str, ident: str) -> pulumi.Output[str]:
        return pulumi.Output.concat("arn:", partition, ":elasticfilesystem:", region, ":", account_id,
                                    f":{kind}/{ident}")  # fmt: skip

    return EfsMount(file_system_id, access_point_id, arn("file-system", file_system_id),
                    arn("access-point", access_point_id))  # fmt: skip


def efs_statements(mounts: Sequence[tuple[EfsMount, bool]]) -> list[dict[str, Any]]:
    """Task-role grants for ``(mount, read_only)`` pairs: ``ClientMount`` (plus
    ``ClientWrite`` unless read-only) on the file system, through its access point only."""
    return [
        {
            "Sid": f"Efs{i}",
            "Effect": "Allow",
            "Action": ["elasticfilesystem:ClientMount", *([] if read_only else ["elasticfilesystem:ClientWrite"])],
            "Resource": m.file_system_arn,
            # elasticfilesystem:AccessPointArn is an ARN-typed key: an ARN operator compares it
            # (IAM "ARN condition operators"; the key's type in the Service Authorization Reference).
            # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
            "Condition": {"ArnEquals": {"elasticfilesystem:AccessPointArn": m.access_point_arn}},
        }
        for i, (m, read_only) in enumerate(mounts)
    ]


def one_subnet_per_zone(
    subnet_ids: Sequence[pulumi.Input[str]], opts: pulumi.InvokeOptions | None = None
) -> list[pulumi.Input[str]]:
    """The first subnet of each zone among ``subnet_ids``, in order: EFS allows one mount target
    per zone ("If the VPC has multiple subnets in an Availability Zone, you can create a mount
    target in only one of those subnets. All EC2 instances in the Availability Zone can share
    the single mount target":
    https://docs.aws.amazon.com/efs/latest/ug/manage-fs-access-create-delete-mount-targets.html).
    A subnet id given as a string (an adopted VPC's) is looked up (``ec2.getSubnet``, no
    resource); an Output is a created VPC's, one per zone by construction, and is kept."""
    seen: set[str] = set()
    out: list[pulumi.Input[str]] = []
    for subnet in subnet_ids:
        if isinstance(subnet, str):
            zone = aws.ec2.get_subnet(id=subnet, opts=opts).availability_zone_id
            if zone in seen:
                continue
            seen.add(zone)
        out.append(subnet)
    return out


#: A POSIX user or group id of an access point (PosixUser ``Uid``/``Gid``: 0..4294967295).
#: https://docs.aws.amazon.com/efs/latest/ug/API_PosixUser.html
PosixId = Annotated[int, Int(0, 4294967295)]


class EfsVolume(pulumi.ComponentResource):
    """An EFS file system with mount targets, its security group, an access point
    owned by ``owner`` (uid, gid) and a TLS-only file system policy.

    Outputs: ``file_system_id``, ``access_point_id``, ``security_group_id``, and
    ``mount`` (an :class:`EfsMount` for the task definition and the task role).
    """

    file_system: aws.efs.FileSystem
    access_point: aws.efs.AccessPoint
    security_group: aws.ec2.SecurityGroup
    mount_targets: list[aws.efs.MountTarget]

    def __init__(
        self,
        name: str,
        *,
        vpc_id: pulumi.Input[str],
        subnet_ids: Sequence[pulumi.Input[str]],
        owner: tuple[int, int],
        kms_key_arn: pulumi.Input[str] | None = None,
        infrequent_access_after_days: int = 30,
        retain_on_delete: bool = False,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """``subnet_ids``: the private subnets tasks run in; a mount target goes into the first
        of each zone (:func:`one_subnet_per_zone`). ``owner``: the
        uid and gid of the containers that mount the volume. The security group admits
        nothing until a client is let in (:func:`ecs_platform.service.refs.tcp_path` on
        ``NFS_PORT``, as :class:`~ecs_platform.service.Service` does). ``kms_key_arn``: the
        key file data is encrypted with (default: AWS's, ``aws/elasticfilesystem``); its policy
        must let EFS use it; a created file system keeps the key it was created with.
        ``infrequent_access_after_days``: the lifecycle policy's ``TransitionToIA`` (one of
        :data:`ecs_platform.facts.EFS_TRANSITION_TO_IA_DAYS`).
        ``retain_on_delete``: ``pulumi destroy`` leaves the file system (and its data) in place,
        as the stack's log groups with ``retainLogsOnDelete``."""
        bd = Boundary("EfsVolume", name, opts)
        bd.wiring("vpc_id", vpc_id, VPC_ID)
        if not isinstance(subnet_ids, (list, tuple)):
            bd.add("subnet_ids", "is not a list (allowed: a list of the private subnets, which is looked up for "
                   "one per zone: each gets a mount target)")  # fmt: skip
        else:
            bd.wiring_list("subnet_ids", subnet_ids, SUBNET_ID)
        owner = bd.plain("owner", owner, tuple[PosixId, PosixId])
        bd.wiring("kms_key_arn", kms_key_arn, KMS_KEY_ARN, optional=True)
        retain_on_delete = bd.plain("retain_on_delete", retain_on_delete, Bool)
        if infrequent_access_after_days not in facts.EFS_TRANSITION_TO_IA_DAYS:
            bd.add("infrequent_access_after_days", f"{show(infrequent_access_after_days)} is not allowed (allowed: "
                   f"{', '.join(map(str, facts.EFS_TRANSITION_TO_IA_DAYS))})")  # fmt: skip
        bd.claim("ecs-platform:storage:EfsVolume", name, "name", "is the name")
        bd.done(self)
        vpc_id = deferred_wiring(vpc_id, VPC_ID, "EfsVolume.vpc_id")
        kms_key_arn = deferred_wiring(kms_key_arn, KMS_KEY_ARN, "EfsVolume.kms_key_arn")
        super().__init__("ecs-platform:storage:EfsVolume", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        uid, gid = owner
        days = infrequent_access_after_days
        ia_rule = f"AFTER_{days}_DAY{'S' if days > 1 else ''}"
        self.file_system = aws.efs.FileSystem(
            f"{name}-fs",
            encrypted=True,
            kms_key_id=kms_key_arn,
            throughput_mode="elastic",
            # https://docs.aws.amazon.com/efs/latest/ug/API_LifecyclePolicy.html
            lifecycle_policies=[aws.efs.FileSystemLifecyclePolicyArgs(transition_to_ia=ia_rule)],
            tags={"Name": name},
            # The data outlives the stack with retainLogsOnDelete, like its logs. EFS cannot re-key
            # a file system (the key is set at CreateFileSystem only, and the provider replaces the
            # file system when it changes): a file system keeps the key it was created with, so
            # setting or changing kmsKey on a live stack never deletes its data.
            # https://docs.aws.amazon.com/efs/latest/ug/API_CreateFileSystem.html
            opts=pulumi.ResourceOptions(parent=self, retain_on_delete=retain_on_delete,
                                        ignore_changes=["kmsKeyId"]),
        )  # fmt: skip
        self.backup_policy = aws.efs.BackupPolicy(
            f"{name}-backup",
            file_system_id=self.file_system.id,
            backup_policy=aws.efs.BackupPolicyBackupPolicyArgs(status="ENABLED"),
            opts=child,
        )
        self.policy = aws.efs.FileSystemPolicy(
            f"{name}-policy",
            file_system_id=self.file_system.id,
            policy=self.file_system.arn.apply(
                lambda arn: json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Sid": "TlsOnly",
                                "Effect": "Deny",
                                "Principal": {"AWS": "*"},
                                "Action": "*",
                                "Resource": arn,
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            }
                        ],
                    }
                )
            ),
            opts=child,
        )
        self.security_group = aws.ec2.SecurityGroup(
            f"{name}-sg",
            vpc_id=vpc_id,
            description=f"EFS {name}: NFS from the tasks that mount it",
            opts=child,
        )
        self.mount_targets = [
            aws.efs.MountTarget(
                f"{name}-mt-{i}",
                file_system_id=self.file_system.id,
                subnet_id=subnet,
                security_groups=[self.security_group.id],
                opts=child,
            )
            for i, subnet in enumerate(one_subnet_per_zone(subnet_ids, pulumi.InvokeOptions(parent=self)))
        ]
        self.access_point = aws.efs.AccessPoint(
            f"{name}-ap",
            file_system_id=self.file_system.id,
            posix_user=aws.efs.AccessPointPosixUserArgs(uid=uid, gid=gid),
            root_directory=aws.efs.AccessPointRootDirectoryArgs(
                path=ACCESS_POINT_ROOT,
                creation_info=aws.efs.AccessPointRootDirectoryCreationInfoArgs(
                    owner_uid=uid, owner_gid=gid, permissions="750"
                ),
            ),
            opts=child,
        )
        self.file_system_id = self.file_system.id
        self.access_point_id = self.access_point.id
        self.security_group_id = self.security_group.id
        # A task can mount only once a mount target exists in its zone: hand the
        # ids out through the mount targets.
        ready = pulumi.Output.all(self.file_system.id, *[mt.id for mt in self.mount_targets], self.policy.id)
        self.mount = EfsMount(
            file_system_id=ready.apply(lambda ids: str(ids[0])),
            access_point_id=self.access_point.id,
            file_system_arn=self.file_system.arn,
            access_point_arn=self.access_point.arn,
        )
        self.register_outputs(
            {
                "fileSystemId": self.file_system_id,
                "accessPointId": self.access_point_id,
                "securityGroupId": self.security_group_id,
            }
        )
