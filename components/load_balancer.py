"""LoadBalancer: the stack's application load balancer, its listeners and logs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from components import validation as v
from components.iam import AwsContext
from components.outputs import after, waiver_tags

#: Regions launched before August 2022 deliver ALB access logs as their
#: regional Elastic Load Balancing account (looked up with the SDK's
#: getServiceAccount); later regions use the log delivery service principal.
#: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html
LEGACY_LOG_DELIVERY_REGIONS = frozenset(
    {
        "us-east-1", "us-east-2", "us-west-1", "us-west-2", "af-south-1", "ap-east-1",
        "ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1",
        "ap-southeast-2", "ca-central-1", "eu-central-1", "eu-west-1", "eu-west-2", "eu-west-3",
        "eu-south-1", "eu-north-1", "me-south-1", "sa-east-1", "ap-southeast-3", "us-gov-west-1",
        "us-gov-east-1",
        "cn-north-1", "cn-northwest-1",
    }
)  # fmt: skip
LOG_DELIVERY_PRINCIPAL = "logdelivery.elasticloadbalancing.amazonaws.com"


@dataclass
class LoadBalancerArgs:
    """Arguments of :class:`LoadBalancer`."""

    vpc_id: pulumi.Input[str]
    """VPC of the load balancer's security group. Required."""
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    """One subnet per zone: the public ones (internal: the private ones). Required."""
    region: str
    """The stack's region (picks how access logs are delivered). Required."""
    context: AwsContext | None = None
    """Account/partition for the log bucket policy. Default: looked up."""
    internal: bool = False
    """Internal (reachable from the VPC only) instead of internet-facing. Default ``False``."""
    ingress_cidrs: Sequence[str] = ("0.0.0.0/0",)
    """Who may connect on 80/443. Default: anywhere."""
    certificate_arn: pulumi.Input[str] | None = None
    """ACM certificate for HTTPS. With it, HTTP redirects to HTTPS. Default: none."""
    ssl_policy: str = v.DEFAULT_SSL_POLICY
    """TLS policy of the HTTPS listener. Default: TLS 1.3/1.2, restricted, post-quantum."""
    allow_plain_http: bool = False
    """Without a certificate, serve plain HTTP (a stack without a domain). Default ``False``:
    a certificate is required."""
    plain_http_waiver: str | None = None
    """Why plain HTTP is accepted, recorded in the ``ecs-platform:waiver:ELB.1`` tag.
    Default: a note that config allowed it."""
    desync_mitigation_mode: str = "defensive"
    """``defensive`` (default) or ``strictest``."""
    deletion_protection: bool = True
    """Refuse to delete the load balancer through the API. Default ``True``."""
    access_logs: bool = True
    """Write access logs to S3. Default ``True``."""
    access_logs_bucket: pulumi.Input[str] | None = None
    """An existing bucket (with a policy letting ELB write) for the logs. Default: a
    bucket is created (SSE-S3, public access blocked, TLS only, expiring logs)."""
    access_logs_retention_days: int = 90
    """Days the created bucket keeps access logs. Default 90."""
    idle_timeout: int = 60
    """Connection idle timeout, seconds. Default 60."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Extra tags for the load balancer. Default none (the stack's come from the provider)."""

    def waivers(self) -> dict[str, str]:
        """The ELB controls these settings turn off, recorded as tags the policy pack accepts."""
        out: dict[str, str] = {}
        if not self.https:
            out["ELB.1"] = self.plain_http_waiver or "allowPlainHttp: true in config - no certificate"
        if not self.access_logs:
            out["ELB.5"] = "accessLogs: false in config"
        if not self.deletion_protection:
            out["ELB.6"] = "deletionProtection: false in config"
        return out

    @property
    def https(self) -> bool:
        return self.certificate_arn is not None

    def problems(self) -> list[str]:
        p = "LoadBalancerArgs"
        out: list[str] = []
        if self.certificate_arn is None and not self.allow_plain_http:
            out.append(f"{p}.certificate_arn: None is missing (allowed: an ACM certificate ARN, "
                       "or allow_plain_http=True for a stack without a domain)")  # fmt: skip
        if self.certificate_arn is not None:
            out += v.check_certificate_arn(f"{p}.certificate_arn", self.certificate_arn, self.region)
        out += v.check_ssl_policy(f"{p}.ssl_policy", self.ssl_policy)
        out += v.check_choice(f"{p}.desync_mitigation_mode", self.desync_mitigation_mode, v.DESYNC_MODES)
        for i, cidr in enumerate(self.ingress_cidrs):
            out += v.check_cidr(f"{p}.ingress_cidrs[{i}]", cidr)
        if not self.ingress_cidrs:
            out.append(f"{p}.ingress_cidrs: [] admits no one (allowed: one or more CIDR blocks)")
        out += v.check_int(f"{p}.idle_timeout", self.idle_timeout, 1, 4000)
        if self.plain_http_waiver is not None:
            out += v.check_tag_text(
                f"{p}.plain_http_waiver", self.plain_http_waiver, "reason (a tag value)", 256
            )
        if len(set(self.ingress_cidrs)) != len(self.ingress_cidrs):
            out.append(f"{p}.ingress_cidrs: {v.show(list(self.ingress_cidrs))} repeats a block "
                       "(allowed: each CIDR block once)")  # fmt: skip
        out += v.check_int(f"{p}.access_logs_retention_days", self.access_logs_retention_days, 1, 3653)
        return out


@dataclass
class _Listeners:
    http: aws.lb.Listener
    https: aws.lb.Listener | None = None
    rules_on: aws.lb.Listener = field(init=False)

    def __post_init__(self) -> None:
        self.rules_on = self.https or self.http


NOT_FOUND = aws.lb.ListenerDefaultActionArgs(
    type="fixed-response",
    fixed_response=aws.lb.ListenerDefaultActionFixedResponseArgs(
        content_type="text/plain", message_body="Not Found", status_code="404"
    ),
)


class LoadBalancer(pulumi.ComponentResource):
    """An application load balancer in every zone, HTTPS first.

    * its own security group: 80/443 in from ``ingress_cidrs``; out only to the
      services that attach to it (each adds its own egress rule);
    * an HTTPS listener (TLS 1.3/1.2) when a certificate is given, and an HTTP
      listener that redirects to it; plain HTTP only when explicitly allowed;
    * unmatched requests get a fixed 404; invalid header fields are dropped;
      HTTP desync mitigation is ``defensive`` or ``strictest``;
    * deletion protection and S3 access logs, on by default.

    Outputs: ``arn``, ``arn_suffix``, ``dns_name``, ``security_group_id``,
    ``listener_arn`` (where services add their rules), ``scheme``.
    """

    def __init__(self, name: str, args: LoadBalancerArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        v.raise_if(args.problems(), "LoadBalancerArgs")
        super().__init__("ecs-platform:lb:LoadBalancer", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        self.security_group = aws.ec2.SecurityGroup(
            f"{name}-sg",
            vpc_id=args.vpc_id,
            description=f"Load balancer {name}: clients in, services out",
            opts=child,
        )
        ports = [443, 80] if args.https else [80]
        self.ingress_rules = [
            aws.vpc.SecurityGroupIngressRule(
                f"{name}-in-{port}" + ("" if i == 0 else f"-{i}"),
                security_group_id=self.security_group.id,
                ip_protocol="tcp",
                from_port=port,
                to_port=port,
                cidr_ipv4=cidr,
                description=(
                    "HTTPS from clients" if port == 443
                    else "HTTP from clients (redirected to HTTPS)" if args.https
                    else "HTTP from clients"
                ),
                opts=child,
            )
            for port in ports
            for i, cidr in enumerate(args.ingress_cidrs)
        ]  # fmt: skip

        self.log_bucket_name: pulumi.Output[str] | None = None
        if args.access_logs:
            if args.access_logs_bucket is not None:
                self.log_bucket_name = pulumi.Output.from_input(args.access_logs_bucket)
            else:
                ctx = args.context or AwsContext.lookup(pulumi.InvokeOutputOptions(parent=self))
                self.log_bucket_name = self._log_bucket(name, args, ctx)

        self.load_balancer = aws.lb.LoadBalancer(
            name,
            load_balancer_type="application",
            internal=args.internal,
            security_groups=[self.security_group.id],
            subnets=args.subnet_ids,
            drop_invalid_header_fields=True,
            desync_mitigation_mode=args.desync_mitigation_mode,
            enable_deletion_protection=args.deletion_protection,
            idle_timeout=args.idle_timeout,
            access_logs=(
                aws.lb.LoadBalancerAccessLogsArgs(bucket=self.log_bucket_name, enabled=True)
                if self.log_bucket_name is not None
                else None
            ),
            tags={**args.tags, **waiver_tags(args.waivers())} or None,
            opts=child,
        )

        https = None
        if args.https:
            https = aws.lb.Listener(
                f"{name}-https",
                load_balancer_arn=self.load_balancer.arn,
                port=443,
                protocol="HTTPS",
                certificate_arn=args.certificate_arn,
                ssl_policy=args.ssl_policy,
                default_actions=[NOT_FOUND],
                opts=child,
            )
        http = aws.lb.Listener(
            f"{name}-http",
            load_balancer_arn=self.load_balancer.arn,
            port=80,
            protocol="HTTP",
            default_actions=[
                aws.lb.ListenerDefaultActionArgs(
                    type="redirect",
                    redirect=aws.lb.ListenerDefaultActionRedirectArgs(
                        protocol="HTTPS", port="443", status_code="HTTP_301"
                    ),
                )
                if args.https
                else NOT_FOUND
            ],
            opts=child,
        )
        self.listeners = _Listeners(http=http, https=https)

        self.arn = self.load_balancer.arn
        self.arn_suffix = self.load_balancer.arn_suffix
        self.dns_name = self.load_balancer.dns_name
        self.security_group_id = self.security_group.id
        self.listener_arn = self.listeners.rules_on.arn
        self.scheme = "https" if args.https else "http"
        self.register_outputs({"arn": self.arn, "dnsName": self.dns_name, "listenerArn": self.listener_arn})

    def _log_bucket(self, name: str, args: LoadBalancerArgs, ctx: AwsContext) -> pulumi.Output[str]:
        """An S3 bucket ELB may write access logs to, and nothing else may misuse."""
        child = pulumi.ResourceOptions(parent=self)
        bucket = aws.s3.Bucket(f"{name}-logs", force_destroy=False, opts=child)
        aws.s3.BucketPublicAccessBlock(
            f"{name}-logs-public-access",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        aws.s3.BucketOwnershipControls(
            f"{name}-logs-ownership",
            bucket=bucket.id,
            rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
            opts=child,
        )
        # ALB access logs support SSE-S3 only (not KMS).
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-logs-encryption",
            bucket=bucket.id,
            rules=[
                aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                    apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                        sse_algorithm="AES256"
                    )
                )
            ],
            opts=child,
        )
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-logs-expiry",
            bucket=bucket.id,
            rules=[
                aws.s3.BucketLifecycleConfigurationRuleArgs(
                    id="expire-access-logs",
                    status="Enabled",
                    filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                    expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(
                        days=args.access_logs_retention_days
                    ),
                )
            ],
            opts=child,
        )
        if args.region in LEGACY_LOG_DELIVERY_REGIONS:
            writer: dict[str, Any] = {
                "AWS": aws.elb.get_service_account_output(opts=pulumi.InvokeOutputOptions(parent=self)).arn
            }
        else:
            writer = {"Service": LOG_DELIVERY_PRINCIPAL}
        policy = aws.s3.BucketPolicy(
            f"{name}-logs-policy",
            bucket=bucket.id,
            policy=pulumi.Output.json_dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "ElbWritesAccessLogs",
                            "Effect": "Allow",
                            "Principal": writer,
                            "Action": "s3:PutObject",
                            "Resource": pulumi.Output.concat(bucket.arn, "/AWSLogs/", ctx.account_id, "/*"),
                        },
                        {
                            "Sid": "DenyInsecureTransport",
                            "Effect": "Deny",
                            "Principal": "*",
                            "Action": "s3:*",
                            "Resource": [bucket.arn, pulumi.Output.concat(bucket.arn, "/*")],
                            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                        },
                    ],
                }
            ),
            opts=child,
        )
        self.log_bucket = bucket
        # The load balancer validates log delivery when logging is turned on:
        # hand out the bucket's name only once the policy lets ELB write.
        return after(bucket.bucket, policy)
