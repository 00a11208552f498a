"""EfsVolume: an encrypted EFS file system that only its services can reach.

What ``volumes: {name: {efs: {}}}`` creates for a service:

* the file system, encrypted at rest, with automatic backups;
* a mount target in every private subnet, behind a security group of its own that
  admits NFS (TCP 2049) only from the security groups of the tasks that mount it;
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

from ecs_platform.boundary import Boundary
from ecs_platform.specs.base import Int
from ecs_platform.wiring import SUBNET_ID, VPC_ID, deferred_wiring

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
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """``subnet_ids``: one private subnet per zone (a mount target each). ``owner``: the
        uid and gid of the containers that mount the volume. The security group admits
        nothing until a client is let in (:func:`ecs_platform.service.refs.tcp_path` on
        ``NFS_PORT``, as :class:`~ecs_platform.service.Service` does)."""
        bd = Boundary("EfsVolume", name, opts)
        bd.wiring("vpc_id", vpc_id, VPC_ID)
        if not isinstance(subnet_ids, (list, tuple)):
            bd.add("subnet_ids", "is not a list (allowed: a list with one private subnet per zone: each gets a "
                   "mount target)")  # fmt: skip
        else:
            bd.wiring_list("subnet_ids", subnet_ids, SUBNET_ID)
        owner = bd.plain("owner", owner, tuple[PosixId, PosixId])
        bd.claim("ecs-platform:storage:EfsVolume", name, "name", "is the name")
        bd.done(self)
        vpc_id = deferred_wiring(vpc_id, VPC_ID, "EfsVolume.vpc_id")
        super().__init__("ecs-platform:storage:EfsVolume", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        uid, gid = owner
        self.file_system = aws.efs.FileSystem(
            f"{name}-fs",
            encrypted=True,
            throughput_mode="elastic",
            tags={"Name": name},
            opts=child,
        )
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
            for i, subnet in enumerate(subnet_ids)
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
