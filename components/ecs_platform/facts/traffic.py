"""Traffic other than the application load balancer: the network load balancer's protocols,
listeners, target groups and health checks."""

from __future__ import annotations

#: How traffic reaches a public service: ``HTTP`` through the application load balancer (HTTPS on
#: the stack's certificate, routes by path and host), or one of the network load balancer's
#: listener protocols ("Listeners for your Network Load Balancers": "Protocols: TCP, TLS, UDP,
#: TCP_UDP", https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-listeners.html).
SERVICE_PROTOCOLS = ("HTTP", "TCP", "UDP", "TCP_UDP", "TLS")
NLB_PROTOCOLS = ("TCP", "UDP", "TCP_UDP", "TLS")
#: The target group's protocol behind each listener protocol: a TLS listener terminates TLS on
#: the load balancer and forwards TCP ("TLS listeners for your Network Load Balancer"); "A TCP_UDP
#: listener must be associated with a TCP_UDP target group" (CreateTargetGroup ``Protocol``).
#: https://docs.aws.amazon.com/elasticloadbalancing/latest/network/create-tls-listener.html
#: https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html
NLB_TARGET_PROTOCOLS = {"TCP": "TCP", "TLS": "TCP", "UDP": "UDP", "TCP_UDP": "TCP_UDP"}
#: The IP protocols (security group ``ipProtocol``) a listener protocol carries.
NLB_IP_PROTOCOLS: dict[str, tuple[str, ...]] = {
    "TCP": ("tcp",), "TLS": ("tcp",), "UDP": ("udp",), "TCP_UDP": ("tcp", "udp"),
}  # fmt: skip
#: Health check protocols the platform offers: ``HTTP`` (a path, expected codes) or ``TCP`` (a
#: connection). A network load balancer checks UDP targets over TCP, HTTP or HTTPS, never UDP, and
#: an application load balancer's target group ("HTTP or HTTPS") does not take a TCP check
#: (CreateTargetGroup ``HealthCheckProtocol``: "The TCP protocol is not supported for health checks
#: if the protocol of the target group is HTTP or HTTPS"; "Health checks for Network Load Balancer
#: target groups", https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-health-checks.html).
HEALTH_CHECK_PROTOCOLS = ("HTTP", "TCP")
#: "Listeners per Network Load Balancer: 50" (Quotas for your Network Load Balancers).
#: https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-limits.html
MAX_NLB_LISTENERS = 50
NLB_LISTENERS_QUOTA = "Listeners per Network Load Balancer"
#: The CloudWatch namespace of a network load balancer's metrics (``UnHealthyHostCount`` per
#: target group); it has no HTTP response codes.
#: https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-cloudwatch-metrics.html
NLB_METRICS_NAMESPACE = "AWS/NetworkELB"
