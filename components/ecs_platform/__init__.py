"""ecs-platform: Amazon ECS as reusable Pulumi components.

    from ecs_platform import Platform, Service, Job, Cluster, TaskDefinition, Network, LoadBalancer, \
        Ec2Capacity, ExternalCapacity

Each component takes a spec from :mod:`ecs_platform.specs` (the same model stack
config validates into) plus the wiring it needs from other resources.
"""

from ecs_platform.cluster import Cluster, ClusterRef
from ecs_platform.daemon import Daemon
from ecs_platform.ec2_capacity import Ec2Capacity
from ecs_platform.errors import ConfigError
from ecs_platform.external import ExternalCapacity
from ecs_platform.iam import AwsContext, TaskRoles
from ecs_platform.job import Job
from ecs_platform.lattice import LatticeNetwork
from ecs_platform.load_balancer import LoadBalancer
from ecs_platform.managed_instances import ManagedInstancesCapacity
from ecs_platform.network import Network, VpcControls
from ecs_platform.network_load_balancer import NetworkLoadBalancer
from ecs_platform.platform import Platform
from ecs_platform.predeploy import PreDeployRun
from ecs_platform.service import LatticeRef, LoadBalancerRef, NetworkLoadBalancerRef, Service, ServiceConnectRef
from ecs_platform.specs import (
    AutoscalingSpec,
    CapacityProviderSpec,
    ClusterSpec,
    ContainerSpec,
    DaemonSpec,
    EbsSpec,
    Ec2Spec,
    EfsSpec,
    ExistingVpcSpec,
    ExternalSpec,
    HealthCheckSpec,
    InstanceTypeSpec,
    JobSpec,
    LoadBalancerSpec,
    ManagedInstancesSpec,
    MountSpec,
    NetworkSpec,
    PermissionSpec,
    PlatformSpec,
    QueueScalingSpec,
    RestartPolicySpec,
    RetrySpec,
    RouteSpec,
    ScratchSpec,
    ServiceSpec,
    SidecarSpec,
    StackContext,
    TargetHealthCheckSpec,
    TaskSpec,
    VolumeSpec,
)
from ecs_platform.storage import EfsMount, EfsVolume
from ecs_platform.task_definition import TaskDefinition

__all__ = [
    "AutoscalingSpec",
    "AwsContext",
    "CapacityProviderSpec",
    "Cluster",
    "ClusterRef",
    "ClusterSpec",
    "ConfigError",
    "ContainerSpec",
    "Daemon",
    "DaemonSpec",
    "EbsSpec",
    "Ec2Capacity",
    "Ec2Spec",
    "EfsMount",
    "EfsSpec",
    "EfsVolume",
    "ExistingVpcSpec",
    "ExternalCapacity",
    "ExternalSpec",
    "HealthCheckSpec",
    "InstanceTypeSpec",
    "Job",
    "JobSpec",
    "LatticeNetwork",
    "LatticeRef",
    "LoadBalancer",
    "LoadBalancerRef",
    "LoadBalancerSpec",
    "ManagedInstancesCapacity",
    "ManagedInstancesSpec",
    "MountSpec",
    "Network",
    "NetworkLoadBalancer",
    "NetworkLoadBalancerRef",
    "NetworkSpec",
    "PermissionSpec",
    "Platform",
    "PlatformSpec",
    "PreDeployRun",
    "QueueScalingSpec",
    "RestartPolicySpec",
    "RetrySpec",
    "RouteSpec",
    "ScratchSpec",
    "Service",
    "ServiceConnectRef",
    "ServiceSpec",
    "SidecarSpec",
    "StackContext",
    "TargetHealthCheckSpec",
    "TaskDefinition",
    "TaskRoles",
    "TaskSpec",
    "VolumeSpec",
    "VpcControls",
]
