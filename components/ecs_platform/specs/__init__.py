"""The model of the platform: one spec per component, each field documented with
its default, every rule written once. Stack config and programs that build the
components themselves go through these same classes."""

from ecs_platform.specs.base import Spec
from ecs_platform.specs.cluster import INSTANCE_TYPES, ClusterSpec, Ec2Spec, ExternalSpec, InstanceTypeSpec
from ecs_platform.specs.commands import HealthCheckSpec, PermissionSpec
from ecs_platform.specs.daemon import DaemonSpec
from ecs_platform.specs.deployment import AlarmThresholdsSpec, CanarySpec, DeploymentSpec, LinearSpec
from ecs_platform.specs.ebs import EbsSpec
from ecs_platform.specs.job import JobSpec, RetrySpec
from ecs_platform.specs.lattice import LatticeSpec, ServiceLatticeSpec
from ecs_platform.specs.load_balancer import LoadBalancerSpec
from ecs_platform.specs.managed_instances import ManagedInstancesSpec, RangeSpec
from ecs_platform.specs.network import ExistingVpcSpec, NetworkSpec
from ecs_platform.specs.options import CapacityProviderSpec, RestartPolicySpec
from ecs_platform.specs.platform import PlatformSpec, StackContext, context_problems, sample_services
from ecs_platform.specs.service import (
    AutoscalingSpec,
    QueueScalingSpec,
    RouteSpec,
    ServiceSpec,
    TargetHealthCheckSpec,
)
from ecs_platform.specs.service_connect import ServiceConnectSpec, ServiceConnectStackSpec, ServiceConnectTlsSpec
from ecs_platform.specs.task import (
    ContainerSpec,
    EfsSpec,
    MountSpec,
    ScratchSpec,
    SidecarSpec,
    TaskSpec,
    VolumeSpec,
)

__all__ = [
    "INSTANCE_TYPES",
    "AlarmThresholdsSpec",
    "AutoscalingSpec",
    "CanarySpec",
    "CapacityProviderSpec",
    "ClusterSpec",
    "ContainerSpec",
    "DaemonSpec",
    "DeploymentSpec",
    "EbsSpec",
    "Ec2Spec",
    "EfsSpec",
    "ExistingVpcSpec",
    "ExternalSpec",
    "HealthCheckSpec",
    "InstanceTypeSpec",
    "JobSpec",
    "LatticeSpec",
    "LinearSpec",
    "LoadBalancerSpec",
    "ManagedInstancesSpec",
    "MountSpec",
    "NetworkSpec",
    "PermissionSpec",
    "PlatformSpec",
    "QueueScalingSpec",
    "RangeSpec",
    "RestartPolicySpec",
    "RetrySpec",
    "RouteSpec",
    "ScratchSpec",
    "ServiceConnectSpec",
    "ServiceConnectStackSpec",
    "ServiceConnectTlsSpec",
    "ServiceLatticeSpec",
    "ServiceSpec",
    "SidecarSpec",
    "Spec",
    "StackContext",
    "TargetHealthCheckSpec",
    "TaskSpec",
    "VolumeSpec",
    "context_problems",
    "sample_services",
]
