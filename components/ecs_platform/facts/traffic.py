"""Traffic other than the application load balancer: the network load balancer's protocols,
listeners, target groups and health checks."""

from __future__ import annotations

import re

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

# --- VPC Lattice -------------------------------------------------------------------------------------

#: A Lattice service's listener protocols the platform offers, HTTPS first (Lattice terminates TLS on
#: the service's generated domain with its own certificate, then forwards HTTP to the tasks); the API
#: also takes TLS_PASSTHROUGH (CreateListener ``protocol``).
#: https://docs.aws.amazon.com/vpc-lattice/latest/APIReference/API_CreateListener.html
LATTICE_PROTOCOLS = ("HTTPS", "HTTP")
LATTICE_DEFAULT_PORTS = {"HTTPS": 443, "HTTP": 80}
#: "a service network ARN": arn:<partition>:vpc-lattice:<region>:<account>:servicenetwork/sn-<17 hex>
#: (ServiceNetworkSummary ``arn``, ``id`` "sn-[0-9a-z]{17}").
#: https://docs.aws.amazon.com/vpc-lattice/latest/APIReference/API_ServiceNetworkSummary.html
LATTICE_SERVICE_NETWORK_ARN_RE = re.compile(
    r"^arn:aws(-cn|-us-gov|-eusc|-iso|-iso-[bef])?:vpc-lattice:[a-z]{2}(-[a-z]+)+-\d:\d{12}:servicenetwork/sn-[0-9a-z]{17}$"
)
#: Names of Lattice resources (CreateService ``name``: 3..40; CreateTargetGroup: 3..128; CreateServiceNetwork
#: and CreateListener: 3..63): lowercase letters, digits and hyphens, no hyphen first, last or twice in a
#: row; a service not named ``svc-...``, a target group not ``tg-...``, a listener not ``listener-...``.
LATTICE_NAME_RE = re.compile(r"^(?![-])(?!.*[-]$)(?!.*[-]{2})[a-z0-9-]+$")
LATTICE_NAME_MAX = {"service": 40, "targetgroup": 128, "servicenetwork": 63, "listener": 63}
LATTICE_RESERVED_PREFIXES = {"service": "svc-", "targetgroup": "tg-", "listener": "listener-"}
#: The managed prefix list of the addresses VPC Lattice sends traffic to targets from: a target's
#: security group admits it ("Control traffic in VPC Lattice using security groups", Managed prefix list).
#: https://docs.aws.amazon.com/vpc-lattice/latest/ug/security-groups.html
LATTICE_PREFIX_LIST = "com.amazonaws.{region}.vpc-lattice"
#: AWS's managed policy for the ECS infrastructure role that registers a service's tasks in its
#: Lattice target group (vpc-lattice:RegisterTargets, DeregisterTargets, GetTargetGroup, ListTargets;
#: ec2:Describe*). https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonECSInfrastructureRolePolicyForVpcLattice.html
LATTICE_INFRASTRUCTURE_POLICY = "policy/AmazonECSInfrastructureRolePolicyForVpcLattice"
#: The action a caller's request to a Lattice service with IAM auth is authorized for: the service's
#: auth policy and the caller's identity-based policy must both allow it ("For authorization to
#: succeed, both auth policies and identity-based policies need to have explicit allow statements").
#: https://docs.aws.amazon.com/vpc-lattice/latest/ug/auth-policies.html
LATTICE_INVOKE_ACTION = "vpc-lattice-svcs:Invoke"
#: An IAM role ARN: arn:<partition>:iam::<account>:role/<path><name>, the name 1..64 of letters,
#: digits and +=,.@_- (IAM quotas and "IAM identifiers").
#: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
IAM_ROLE_ARN_RE = re.compile(r"^arn:aws(-cn|-us-gov|-eusc|-iso|-iso-[bef])?:iam::\d{12}:role/([!-~]*/)?[\w+=,.@-]{1,64}$")

# --- Service Connect TLS and timeouts -----------------------------------------------------------------

#: An AWS Private CA ARN: arn:<partition>:acm-pca:<region>:<account>:certificate-authority/<uuid>
#: (ServiceConnectTlsCertificateAuthority ``awsPcaAuthorityArn``; AWS Private CA's ARN format).
#: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceConnectTlsCertificateAuthority.html
PRIVATE_CA_ARN_RE = re.compile(
    r"^arn:aws(-cn|-us-gov|-eusc|-iso|-iso-[bef])?:acm-pca:[a-z]{2}(-[a-z]+)+-\d:\d{12}:certificate-authority/"
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
)
#: AWS's managed policy for the ECS infrastructure role that issues Service Connect's certificates
#: from the private CA and keeps their keys in Secrets Manager (``ecs-sc!*`` secrets).
#: https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity.html
SERVICE_CONNECT_TLS_POLICY = "policy/service-role/AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity"
#: What a principal needs of a customer-managed key to store secrets encrypted with it through
#: Secrets Manager ("Secret encryption and decryption in AWS Secrets Manager": GenerateDataKey to
#: encrypt a new secret value, Decrypt to read it, only via Secrets Manager).
#: https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html
SERVICE_CONNECT_TLS_KMS_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey")
#: Service Connect's port-mapping ``appProtocol`` values (PortMapping ``appProtocol``: unset is
#: TCP; "appProtocol is immutable in a Service Connect service. Updating this field requires a
#: service deletion and redeployment").
#: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PortMapping.html
APP_PROTOCOLS = ("http", "http2", "grpc")
#: TimeoutConfiguration's bounds, seconds (0 disables the timeout); ``perRequestTimeoutSeconds``
#: "can only be set if Service Connect appProtocol isn't TCP".
#: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_TimeoutConfiguration.html
SERVICE_CONNECT_TIMEOUT = (0, 2147483647)
