"""ECS Managed Instances and daemons: the enumerations, policies and names AWS documents."""

from __future__ import annotations

import re

#: The launch type (a capacity kind) whose instances AWS launches, patches and replaces: tasks run
#: on a Managed Instances capacity provider. Task definitions name it in ``requiresCompatibilities``
#: ("Amazon ECS task definition parameters for Amazon ECS Managed Instances"):
#: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters-managed-instances.html
MANAGED_INSTANCES = "MANAGED_INSTANCES"
#: Network modes of tasks on Managed Instances: ``awsvpc`` and ``host`` ("Amazon ECS task networking
#: for Amazon ECS Managed Instances"; a task definition without one cannot run there):
#: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/managed-instance-networking.html
MANAGED_INSTANCES_NETWORK_MODES = ("awsvpc", "host")

#: ``InstanceRequirementsRequest`` enumerations (CreateCapacityProvider, botocore's ECS model):
#: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_InstanceRequirementsRequest.html
CPU_MANUFACTURERS = ("intel", "amd", "amazon-web-services")
#: The CPU architecture each manufacturer's instances have (Graviton is Arm; Intel and AMD x86-64).
ARCHITECTURE_OF_MANUFACTURER = {"intel": "X86_64", "amd": "X86_64", "amazon-web-services": "ARM64"}
INCLUSION = ("included", "required", "excluded")
ACCELERATOR_TYPES = ("gpu", "fpga", "inference")
ACCELERATOR_MANUFACTURERS = ("amazon-web-services", "amd", "nvidia", "xilinx", "habana")
#: ``InstanceLaunchTemplate.monitoring`` and ``capacityOptionType`` (``RESERVED`` needs capacity
#: reservations, which the platform does not create, so it offers the other two).
MONITORING = ("BASIC", "DETAILED")
CAPACITY_OPTIONS = ("ON_DEMAND", "SPOT")
#: ``allowedInstanceTypes`` / ``excludedInstanceTypes``: at most 400 entries of 1..30 characters
#: ``[a-zA-Z0-9.*-]``, an instance type or a pattern with ``*`` wildcards (``m7g.*``, ``c7*``); only
#: one of the two lists may be given (EC2's attribute-based selection, whose request shape ECS uses:
#: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_InstanceRequirementsRequest.html).
INSTANCE_TYPE_PATTERN_RE = re.compile(r"^[a-zA-Z0-9.*-]{1,30}$")
MAX_INSTANCE_TYPE_PATTERNS = 400
#: ``ManagedInstancesStorageConfiguration.storageSizeGiB``: at least 1.
MIN_STORAGE_GIB = 1

#: The infrastructure role's and the instance role's AWS managed policies ("Amazon ECS infrastructure
#: IAM role", "Amazon ECS Managed Instances instance profile"):
#: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/infrastructure_IAM_role.html
#: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/managed-instances-instance-profile.html
MANAGED_INSTANCES_INFRASTRUCTURE_POLICY = "policy/AmazonECSInfrastructureRolePolicyForManagedInstances"
MANAGED_INSTANCES_INSTANCE_POLICY = "policy/AmazonECSInstanceRolePolicyForManagedInstances"
#: "If you use Amazon ECS Managed Instances with the AmazonECSInfrastructureRolePolicyForManagedInstances
#: managed policy, the instance role name must start with ecsInstanceRole. The policy scopes
#: iam:PassRole to arn:aws:iam::*:role/ecsInstanceRole*" (managed-instances-instance-profile.html).
MANAGED_INSTANCES_ROLE_PREFIX = "ecsInstanceRole"
#: IAM role names: at most 64 characters; a name prefix leaves 26 for the provider's unique suffix.
#: https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
MAX_ROLE_NAME_PREFIX = 64 - 26

#: Where a daemon (one task on every instance) can run: capacity made of instances. "Fargate tasks
#: do not support the DAEMON scheduling strategy" (Amazon ECS service deployment controllers and
#: strategies): https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_service-options.html
DAEMON_LAUNCH_TYPES = ("EC2", "EXTERNAL", MANAGED_INSTANCES)
