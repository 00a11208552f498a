"""EBS task volumes: the volume types, sizes, IOPS and throughput ECS accepts for a volume it
creates per task, and where such a volume can be attached.

Source, unless a line says otherwise: ECS's ``ServiceManagedEBSVolumeConfiguration`` reference
(the same ranges as ``TaskManagedEBSVolumeConfiguration``, RunTask's), which states ECS's own
supported values; EC2's ``CreateVolume`` allows more for gp3 and io2 (gp3 up to 65,536 GiB,
80,000 IOPS and 2,000 MiB/s), which ECS's reference does not list, so the platform keeps to ECS's.
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceManagedEBSVolumeConfiguration.html
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_TaskManagedEBSVolumeConfiguration.html
"""

from __future__ import annotations

#: ``volumeType``: General Purpose SSD gp2 | gp3, Provisioned IOPS SSD io1 | io2, Throughput
#: Optimized HDD st1, Cold HDD sc1, Magnetic standard.
EBS_VOLUME_TYPES = ("gp3", "gp2", "io1", "io2", "st1", "sc1", "standard")
#: "The magnetic volume type is not supported on Fargate." (``volumeType``)
EBS_NOT_ON_FARGATE = ("standard",)
#: ``sizeInGiB`` per volume type, GiB.
EBS_SIZE_GIB: dict[str, tuple[int, int]] = {
    "gp2": (1, 16384), "gp3": (1, 16384), "io1": (4, 16384), "io2": (4, 16384),
    "st1": (125, 16384), "sc1": (125, 16384), "standard": (1, 1024),
}  # fmt: skip
#: ``iops`` per volume type: "required for io1 and io2 volume types. The default for gp3 volumes is
#: 3,000 IOPS. This parameter is not supported for st1, sc1, or standard volume types"; and gp2's
#: IOPS follow its size (EC2 CreateVolume ``Iops``: "Omit for all other volume types").
EBS_IOPS: dict[str, tuple[int, int]] = {"gp3": (3000, 16000), "io1": (100, 64000), "io2": (100, 256000)}
EBS_IOPS_REQUIRED = ("io1", "io2")
#: gp3's baseline, included in its price: 3,000 IOPS and 125 MiB/s ("Amazon EBS General Purpose
#: SSD volumes", https://docs.aws.amazon.com/ebs/latest/userguide/general-purpose.html).
GP3_BASELINE_IOPS = 3000
GP3_BASELINE_THROUGHPUT = 125
#: ``throughput``, MiB/s: "with a maximum of 1,000 MiB/s ... only supported for the gp3 volume
#: type"; its floor is gp3's baseline, 125 MiB/s (EC2 CreateVolume ``Throughput``: "Valid Range:
#: 125 - ...").
EBS_THROUGHPUT = (125, 1000)
#: Ratios EBS enforces between a volume's size, IOPS and throughput ("Amazon EBS General Purpose
#: SSD volumes", "Provisioned IOPS SSD volumes",
#: https://docs.aws.amazon.com/ebs/latest/userguide/provisioned-iops.html): gp3 500 IOPS per GiB
#: and 0.25 MiB/s per provisioned IOPS; io1 50 IOPS per GiB; io2 1,000 IOPS per GiB.
EBS_MAX_IOPS_PER_GIB = {"gp3": 500, "io1": 50, "io2": 1000}
GP3_MAX_THROUGHPUT_PER_IOPS = 0.25
#: ``filesystemType`` on Linux (``xfs`` when none is given).
EBS_FILESYSTEMS = ("xfs", "ext4", "ext3")
#: "Each task definition revision may only have one volume configured at launch in the volume
#: configuration" (RegisterTaskDefinition, ``Volume.configuredAtLaunch``).
#: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Volume.html
MAX_EBS_VOLUMES_PER_TASK = 1
#: Launch types that attach EBS volumes: "Supported operating systems and launch types" names
#: Fargate (Linux, platform version 1.4.0 or later) and EC2; ECS Anywhere (EXTERNAL) is not among
#: them. The platform runs Fargate tasks on platform version LATEST, which is 1.4.0 or later.
#: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ebs-volumes.html#ebs-volumes-configuration
EBS_LAUNCH_TYPES = ("FARGATE", "FARGATE_SPOT", "EC2")
#: The tags ECS puts on the volumes it creates, which a volume's own tags may not use
#: (``EBSTagSpecification.tags``: "AmazonECSCreated and AmazonECSManaged are reserved tags").
EBS_RESERVED_TAGS = ("AmazonECSCreated", "AmazonECSManaged")
#: AWS's managed policy for the ECS infrastructure role that creates, attaches and deletes task
#: volumes (only volumes ECS tags as its own, ``aws:RequestTag/AmazonECSManaged``).
#: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/infrastructure_IAM_role.html
EBS_INFRASTRUCTURE_POLICY = "policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes"
#: What a principal needs to create volumes encrypted with a customer-managed key ("Permissions
#: for users", Requirements for Amazon EBS encryption; ``kms:CreateGrant`` only for grants an AWS
#: service creates on its behalf, ``kms:GrantIsForAWSResource``).
#: https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption-requirements.html
EBS_KMS_ACTIONS = ("kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptFrom",
                   "kms:ReEncryptTo")  # fmt: skip
