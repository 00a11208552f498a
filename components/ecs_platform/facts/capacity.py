"""EC2 and ECS Anywhere capacity: the images instances boot and the script machines register with.
Data only, each fact with its source."""

from __future__ import annotations

#: ECS Anywhere's installation script, its detached ASCII signature (the script's URL plus
#: ``.asc``) and the Amazon ECS PGP key that signs it ("Amazon ECS <ecs-security@amazon.com>",
#: primary key fingerprint ``F34C 3DDA E729 26B0 79BE AEC6 BCE9 D9A4 2D51 784F``, key ID
#: ``BCE9D9A42D51784F``): "Registering an external instance to a cluster", AWS CLI for Linux,
#: the optional verification steps
#: (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-anywhere-registration.html).
ECS_ANYWHERE_INSTALL_SCRIPT = "https://amazon-ecs-agent.s3.amazonaws.com/ecs-anywhere-install-latest.sh"
ECS_ANYWHERE_SIGNING_KEY = "F34C3DDAE72926B079BEAEC6BCE9D9A42D51784F"
#: Where the key is fetched from. AWS's page names ``hkp://keys.gnupg.net:80``, a name of the SKS
#: keyserver pool, which stopped serving in 2021; the key is fetched by its full fingerprint from
#: the Ubuntu keyserver instead (GnuPG imports only a key whose fingerprint is the one asked for).
ECS_ANYWHERE_KEYSERVER = "hkp://keyserver.ubuntu.com:80"
#: AWS's public SSM parameters with the current ECS-optimized Amazon Linux 2023 AMI, per
#: architecture and kind of instance: the standard AMIs, the GPU AMI (NVIDIA kernel drivers and
#: the NVIDIA container runtime; x86_64 only) and the Neuron AMI (AWS Neuron drivers and runtime,
#: for Trainium and Inferentia; x86_64 only). "Retrieving Amazon ECS-optimized Linux AMI metadata"
#: (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/retrieve-ecs-optimized_AMI.html),
#: each with the ``image_id`` sub-parameter.
ECS_AMI_PARAMETERS: dict[tuple[str, str], str] = {
    ("X86_64", "standard"): "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id",
    ("ARM64", "standard"): "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id",
    ("X86_64", "gpu"): "/aws/service/ecs/optimized-ami/amazon-linux-2023/gpu/recommended/image_id",
    ("X86_64", "neuron"): "/aws/service/ecs/optimized-ami/amazon-linux-2023/neuron/recommended/image_id",
}
#: Instance families with NVIDIA GPUs that the ECS GPU-optimized AMI supports: "Amazon ECS task
#: definitions for GPU workloads" (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-gpu.html)
#: lists p3, p3dn, p4d, p5, g3, g3s, g4dn, g5, g6, g6e and gr6. Their instances run the GPU AMI
#: with ``ECS_ENABLE_GPU_SUPPORT=true`` in the agent's configuration (required by the same page).
GPU_FAMILIES = ("p3", "p3dn", "p4d", "p5", "g3", "g3s", "g4dn", "g5", "g6", "g6e", "gr6")
#: Trainium and Inferentia families, which run the ECS Neuron AMI: "We recommend using the Amazon
#: ECS-optimized Amazon Linux 2023 (Neuron) AMI when launching your Amazon EC2 Trn1, Inf1, and Inf2
#: instances" (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-inference.html);
#: trn1n and trn2 are Trainium too.
NEURON_FAMILIES = ("inf1", "inf2", "trn1", "trn1n", "trn2")
#: Accelerated families neither ECS AMI drives, with why (instances would boot without drivers):
#: p2 (the GPU AMI supports it only before version 20230912, ecs-gpu.html), g2 (deprecated, same
#: page), g4ad (AMD Radeon GPUs), g5g (NVIDIA on Graviton: the GPU AMI is x86_64 only), dl1
#: (Habana Gaudi), f1 and f2 (FPGAs), vt1 (Xilinx media accelerators); "Accelerated computing
#: instances" (https://docs.aws.amazon.com/ec2/latest/instancetypes/ac.html).
UNSUPPORTED_ACCELERATED_FAMILIES: dict[str, str] = {
    "p2": "the ECS GPU AMI supports P2 only before version 20230912",
    "g2": "the ECS GPU AMI no longer supports G2",
    "g4ad": "its AMD GPUs have no ECS-optimized AMI",
    "g5g": "the ECS GPU AMI is x86_64 only",
    "dl1": "its Habana Gaudi accelerators have no ECS-optimized AMI",
    "f1": "its FPGAs have no ECS-optimized AMI",
    "f2": "its FPGAs have no ECS-optimized AMI",
    "vt1": "its media accelerators have no ECS-optimized AMI",
}
#: NVIDIA GPUs, vCPUs and memory (GiB) of the GPU instance types on AWS's list, the same page's
#: table (ecs-gpu.html), read 2026-12-07: instance type -> (GPUs, vCPUs, GiB). The page's
#: ``g6.16.xlarge`` and ``g6e16.xlarge``-style names are read as g6.16xlarge, g6e.16xlarge.
GPU_INSTANCE_TYPES: dict[str, tuple[int, int, float]] = {
    "p3.2xlarge": (1, 8, 61), "p3.8xlarge": (4, 32, 244), "p3.16xlarge": (8, 64, 488),
    "p3dn.24xlarge": (8, 96, 768), "p4d.24xlarge": (8, 96, 1152), "p5.48xlarge": (8, 192, 2048),
    "g3s.xlarge": (1, 4, 30.5), "g3.4xlarge": (1, 16, 122), "g3.8xlarge": (2, 32, 244), "g3.16xlarge": (4, 64, 488),
    "g4dn.xlarge": (1, 4, 16), "g4dn.2xlarge": (1, 8, 32), "g4dn.4xlarge": (1, 16, 64), "g4dn.8xlarge": (1, 32, 128),
    "g4dn.12xlarge": (4, 48, 192), "g4dn.16xlarge": (1, 64, 256),
    "g5.xlarge": (1, 4, 16), "g5.2xlarge": (1, 8, 32), "g5.4xlarge": (1, 16, 64), "g5.8xlarge": (1, 32, 128),
    "g5.16xlarge": (1, 64, 256), "g5.12xlarge": (4, 48, 192), "g5.24xlarge": (4, 96, 384), "g5.48xlarge": (8, 192, 768),
    "g6.xlarge": (1, 4, 16), "g6.2xlarge": (1, 8, 32), "g6.4xlarge": (1, 16, 64), "g6.8xlarge": (1, 32, 128),
    "g6.16xlarge": (1, 64, 256), "g6.12xlarge": (4, 48, 192), "g6.24xlarge": (4, 96, 384), "g6.48xlarge": (8, 192, 768),
    "gr6.4xlarge": (1, 16, 128), "gr6.8xlarge": (1, 32, 256),
    "g6e.xlarge": (1, 4, 32), "g6e.2xlarge": (1, 8, 64), "g6e.4xlarge": (1, 16, 128), "g6e.8xlarge": (1, 32, 256),
    "g6e.16xlarge": (1, 64, 512), "g6e.12xlarge": (4, 48, 384), "g6e.24xlarge": (4, 96, 768),
    "g6e.48xlarge": (8, 192, 1536),
}  # fmt: skip


def instance_family(instance_type: str) -> str:
    """``g4dn`` of ``g4dn.xlarge``."""
    return instance_type.split(".", 1)[0]


def ami_kind(instance_type: str) -> str:
    """Which ECS-optimized AMI an instance type needs: ``gpu``, ``neuron`` or ``standard``."""
    family = instance_family(instance_type)
    return "gpu" if family in GPU_FAMILIES else "neuron" if family in NEURON_FAMILIES else "standard"
