"""GPUs a task's containers reserve, and the capacity that has them."""

from __future__ import annotations

from ecs_platform import facts as f
from ecs_platform.errors import show
from ecs_platform.specs.base import Loc
from ecs_platform.specs.cluster import ClusterSpec
from ecs_platform.specs.task import TaskSpec


def gpu_problems(svc: TaskSpec, cluster: ClusterSpec, launch_type: str, loc: Loc) -> list[tuple[Loc, str]]:
    """GPUs: none on Fargate ("gpu" is not valid in Fargate tasks,
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html); on EC2
    the instances have them, as many as the task's containers reserve in all ("The number of GPUs
    reserved for all containers in a task can't exceed the number of available GPUs on the container
    instance", https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ResourceRequirement.html)."""
    gpus = {n: c.gpu for n, c in svc.containers.items() if c.gpu}
    if not gpus:
        return []
    total = sum(gpus.values())
    first = next(iter(gpus))
    where: Loc = (*loc, "gpu") if first is None else (*loc, "sidecars", first, "gpu")
    if launch_type in f.FARGATE_LAUNCH_TYPES:
        return [(where, f"{total} GPU(s) asked for, and Fargate has no GPUs (allowed: launchType EC2 with GPU "
                 "instance types, or EXTERNAL machines registered with --enable-gpu)")]  # fmt: skip
    ec2 = cluster.ec2_capacity
    if launch_type != "EC2" or ec2 is None:
        return []
    small = ec2.smallest
    if ec2.ami_kind != "gpu":
        return [(where, f"{total} GPU(s) asked for, and the EC2 instance types {show(list(ec2.instance_types))} have "
                 f"no NVIDIA GPUs (allowed: ec2.instanceTypes of a GPU family: {', '.join(f.GPU_FAMILIES)})")]
    if total > small.gpus:
        return [(where, f"{total} GPU(s) in all for the task's containers, more than the {small.gpus} of the "
                 f"smallest instance type of ec2.instanceTypes (allowed: at most {small.gpus}, or types with "
                 "more GPUs)")]  # fmt: skip
    return []
