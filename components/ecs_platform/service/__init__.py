"""Service: roles, task definition, security group and ECS service of one app.

The component is in :mod:`.component`; what it hands the load balancer (target groups,
listener rules, deployment alarms, the infrastructure role) in :mod:`.traffic` (the network
load balancer's listener and target group in :mod:`.network_traffic`); its
autoscaling in :mod:`.scaling`; the deployment strategy in :mod:`.deployment`; the
references it is wired with in :mod:`.refs`.
"""

from ecs_platform.service.component import Service
from ecs_platform.service.refs import LatticeRef, LoadBalancerRef, NetworkLoadBalancerRef, ServiceConnectRef, tcp_path
from ecs_platform.service.traffic import ELB_READ_ACTIONS, infrastructure_statements

__all__ = [
    "ELB_READ_ACTIONS",
    "LatticeRef",
    "LoadBalancerRef",
    "NetworkLoadBalancerRef",
    "Service",
    "ServiceConnectRef",
    "infrastructure_statements",
    "tcp_path",
]
