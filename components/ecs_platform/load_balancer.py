"""LoadBalancer: the stack's application load balancer, its listeners and logs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from ecs_platform import facts
from ecs_platform.boundary import Boundary, PlainStr
from ecs_platform.errors import deferred_error
from ecs_platform.iam import AwsContext
from ecs_platform.outputs import after, waiver_tags
from ecs_platform.service import LoadBalancerRef
from ecs_platform.specs import LoadBalancerSpec
from ecs_platform.specs.base import Bool, python_problems
from ecs_platform.specs.fields import Cidr, LogRetention, Port
from ecs_platform.specs.load_balancer import WafSpec, certificate_problem
from ecs_platform.wiring import KMS_KEY_ARN, REGION, SUBNET_ID, VPC_ID, deferred_wiring

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


def _certificate_in_stack(cert: str, region: str, account: str) -> str:
    problem = certificate_problem(cert, region, account)
    if problem:
        raise deferred_error([f"LoadBalancerSpec.certificate_arn: {problem}"])
    return cert


def _name_problems(bd: Boundary, name: str, spec: LoadBalancerSpec, name_prefix: str | None) -> None:
    """The names the load balancer derives: its own (32 characters), its security group's, its
    access-log bucket's and its WAF log group's."""
    bd.autoname("name", name, "aws:lb/loadBalancer:LoadBalancer", name, "load balancer name")
    bd.autoname("name", name, "aws:ec2/securityGroup:SecurityGroup", f"{name}-sg", "security group name")
    if spec.access_logs and spec.access_logs_bucket is None:
        bucket = f"{name}-logs-{'0' * 7}".lower()  # Pulumi lowercases a bucket's auto-name
        bd.derived_name("name", name, "aws:s3/bucket:Bucket", "bucket", bucket, "access-log bucket name")
    if spec.waf is not None:
        group = f"{facts.WAF_LOG_GROUP_PREFIX}{name_prefix or name}-{'0' * 26}"
        bd.derived_name("name_prefix" if name_prefix else "name", name_prefix or name,
                        "aws:cloudwatch/logGroup:LogGroup", "name", group, "WAF log group name")


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

    def __init__(
        self,
        name: str,
        spec: LoadBalancerSpec,
        *,
        vpc_id: pulumi.Input[str],
        subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]],
        region: str,
        log_retention_days: int = 90,
        log_kms_key_arn: pulumi.Input[str] | None = None,
        retain_logs_on_delete: bool = False,
        name_prefix: str | None = None,
        context: AwsContext | None = None,
        test_ports: Sequence[int] = (),
        test_ingress_cidrs: Mapping[int, Sequence[str]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """``subnet_ids``: one per zone, the public ones (internal: the private ones).
        ``region``: the stack's (it picks how access logs are delivered; a certificate must be
        in it). ``log_retention_days``: how long a created access-log bucket and the WAF log
        group keep logs; ``log_kms_key_arn`` encrypts the WAF log group, which
        ``retain_logs_on_delete`` keeps on destroy; ``name_prefix`` names it
        ``aws-waf-logs-<prefix>-<unique suffix>`` (default: the component's name). ``test_ports``:
        a test listener on each (the services' ``deployment.testPort``), admitted from
        ``test_ingress_cidrs[port]`` (a service's ``deployment.testIngressCidrs``), required on an
        internet-facing load balancer; an internal one admits the VPC's own CIDR block by default.
        The unreleased version answers there."""
        bd = Boundary("LoadBalancer", name, opts)
        checked = bd.spec("spec", spec, LoadBalancerSpec)
        context = bd.context("context", context)
        bd.wiring("vpc_id", vpc_id, VPC_ID)
        # An Application Load Balancer needs subnets in at least two zones (CreateLoadBalancer).
        bd.wiring_list("subnet_ids", subnet_ids, SUBNET_ID, min_items=2)
        region = bd.plain("region", region, PlainStr)
        if isinstance(region, str):
            bd.wiring("region", region, REGION)
        log_retention_days = bd.plain("log_retention_days", log_retention_days, LogRetention)
        bd.wiring("log_kms_key_arn", log_kms_key_arn, KMS_KEY_ARN, context, optional=True)
        retain_logs_on_delete = bd.plain("retain_logs_on_delete", retain_logs_on_delete, Bool)
        name_prefix = bd.plain("name_prefix", name_prefix, PlainStr | None)
        test_ports = bd.plain("test_ports", test_ports, tuple[Port, ...])
        test_ingress_cidrs = bd.plain("test_ingress_cidrs", test_ingress_cidrs, dict[Port, tuple[Cidr, ...]] | None)
        if checked is not None and isinstance(region, str):
            account = context.account_id if context is not None and isinstance(context.account_id, str) else None
            bd.problems += python_problems(type(checked), checked.serving_problems()
                                           + checked.region_problems(region, account))  # fmt: skip
            for i, port in enumerate(test_ports if isinstance(test_ports, tuple) else ()):
                if port in (80, 443) or port in test_ports[:i]:
                    bd.add(f"test_ports[{i}]", f"{port} is not a free port for a test listener (allowed: "
                           "1..65535, each once, other than 80 and 443)")  # fmt: skip
            listed = test_ports if isinstance(test_ports, tuple) else ()
            for port in listed:
                if not checked.internal and not (test_ingress_cidrs if isinstance(test_ingress_cidrs, dict)
                                                 else {}).get(port):  # fmt: skip
                    # An internet-facing load balancer sees its clients' public addresses, never the
                    # VPC's CIDR block (specs.platform.test_ingress_missing cites AWS).
                    bd.add(f"test_ingress_cidrs[{port}]", "missing, and the load balancer is internet-facing: clients "
                           "reach its test listener from their own public addresses (allowed: the public CIDR "
                           "blocks of who tests the new version; the VPC's CIDR block is the default only on an "
                           "internal load balancer)")  # fmt: skip
            for port in sorted(test_ingress_cidrs if isinstance(test_ingress_cidrs, dict) else {}):
                if port not in listed:
                    bd.add(f"test_ingress_cidrs[{port}]", "is not a test port (allowed: a port of test_ports: "
                           f"{', '.join(map(str, listed)) or 'none'})")  # fmt: skip
            if bd.ok:
                _name_problems(bd, name, checked, name_prefix)
        bd.claim("ecs-platform:lb:LoadBalancer", name, "name", "is the name")
        bd.done(self)
        assert checked is not None
        spec = checked
        subnet_ids = deferred_wiring(subnet_ids, SUBNET_ID, "LoadBalancer.subnet_ids", many=True, min_items=2)
        vpc_id = deferred_wiring(vpc_id, VPC_ID, "LoadBalancer.vpc_id")
        super().__init__("ecs-platform:lb:LoadBalancer", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        certificate = spec.certificate_arn
        if isinstance(certificate, pulumi.Output):
            # Known only now: the same rule as a plain certificate's, before the listeners use it.
            ctx = context or AwsContext.lookup(pulumi.InvokeOutputOptions(parent=self))
            certificate = pulumi.Output.all(certificate, ctx.account_id).apply(
                lambda v: _certificate_in_stack(str(v[0]), region, str(v[1])))

        self.security_group = aws.ec2.SecurityGroup(
            f"{name}-sg",
            vpc_id=vpc_id,
            description=f"Load balancer {name}: clients in, services out",
            opts=child,
        )
        ports = [443, 80] if spec.https else [80]
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
                    else "HTTP from clients (redirected to HTTPS)" if spec.https
                    else "HTTP from clients"
                ),
                opts=child,
            )
            for port in ports
            for i, cidr in enumerate(spec.ingress_cidrs)
        ]  # fmt: skip

        self.log_bucket_name: pulumi.Output[str] | None = None
        if spec.access_logs:
            if spec.access_logs_bucket is not None:
                self.log_bucket_name = pulumi.Output.from_input(spec.access_logs_bucket)
            else:
                ctx = context or AwsContext.lookup(pulumi.InvokeOutputOptions(parent=self))
                self.log_bucket_name = self._log_bucket(
                    name, region, log_retention_days, ctx, spec.access_logs_on_destroy
                )

        self.load_balancer = aws.lb.LoadBalancer(
            name,
            load_balancer_type="application",
            internal=spec.internal,
            security_groups=[self.security_group.id],
            subnets=subnet_ids,
            drop_invalid_header_fields=True,
            desync_mitigation_mode=spec.desync_mitigation_mode,
            enable_deletion_protection=spec.deletion_protection,
            idle_timeout=spec.idle_timeout,
            access_logs=(
                aws.lb.LoadBalancerAccessLogsArgs(bucket=self.log_bucket_name, enabled=True)
                if self.log_bucket_name is not None
                else None
            ),
            tags=waiver_tags(spec.waivers()) or None,
            opts=child,
        )

        self.web_acl: aws.wafv2.WebAcl | None = None
        if spec.waf is not None:
            self.web_acl = self._waf(name, spec.waf, log_retention_days, log_kms_key_arn, retain_logs_on_delete,
                                     name_prefix or name)  # fmt: skip

        https = None
        if spec.https:
            https = aws.lb.Listener(
                f"{name}-https",
                load_balancer_arn=self.load_balancer.arn,
                port=443,
                protocol="HTTPS",
                certificate_arn=certificate,
                ssl_policy=spec.ssl_policy,
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
                if spec.https
                else NOT_FOUND
            ],
            opts=child,
        )
        self.listeners = _Listeners(http=http, https=https)
        # Test listeners: the new tasks of a blue/green, linear or canary deployment answer here
        # before they get production traffic. Same protocol, certificate and clients as the main one.
        self.test_listeners: dict[int, aws.lb.Listener] = {}
        self.test_ingress_rules: list[aws.vpc.SecurityGroupIngressRule] = []
        vpc_cidr: pulumi.Output[str] | None = None
        for port in test_ports:
            sources: Sequence[pulumi.Input[str]] | None = (test_ingress_cidrs or {}).get(port)
            if not sources:
                if vpc_cidr is None:
                    vpc_cidr = aws.ec2.get_vpc_output(id=vpc_id, opts=pulumi.InvokeOutputOptions(parent=self)).cidr_block
                sources = [vpc_cidr]
            self.test_listeners[port] = aws.lb.Listener(
                f"{name}-test-{port}",
                load_balancer_arn=self.load_balancer.arn,
                port=port,
                protocol="HTTPS" if spec.https else "HTTP",
                certificate_arn=certificate if spec.https else None,
                ssl_policy=spec.ssl_policy if spec.https else None,
                default_actions=[NOT_FOUND],
                opts=child,
            )
            self.test_ingress_rules += [
                aws.vpc.SecurityGroupIngressRule(
                    f"{name}-in-{port}" + ("" if i == 0 else f"-{i}"),
                    security_group_id=self.security_group.id,
                    ip_protocol="tcp",
                    from_port=port,
                    to_port=port,
                    cidr_ipv4=cidr,
                    description=f"Test listener {port}: new tasks before they get traffic",
                    opts=child,
                )
                for i, cidr in enumerate(sources)
            ]

        self.arn = self.load_balancer.arn
        self.arn_suffix = self.load_balancer.arn_suffix
        self.dns_name = self.load_balancer.dns_name
        self.security_group_id = self.security_group.id
        self.listener_arn = self.listeners.rules_on.arn
        self.scheme = "https" if spec.https else "http"
        self.ref = LoadBalancerRef(
            listener_arn=self.listener_arn,
            security_group_id=self.security_group_id,
            arn_suffix=self.arn_suffix,
            test_listener_arns={port: listener.arn for port, listener in self.test_listeners.items()},
            resource=self.load_balancer,
        )
        self.register_outputs({"arn": self.arn, "dnsName": self.dns_name, "listenerArn": self.listener_arn})

    def _waf(
        self,
        name: str,
        spec: WafSpec,
        retention_days: int,
        kms_key_arn: pulumi.Input[str] | None,
        retain_logs: bool,
        prefix: str,
    ) -> aws.wafv2.WebAcl:
        """A regional web ACL on the load balancer: client IPs of bad reputation blocked, then a
        rate limit per IP, then AWS's core rule set and known bad inputs; logged to CloudWatch.
        https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-list.html"""
        child = pulumi.ResourceOptions(parent=self)

        def visibility(metric: str) -> aws.wafv2.WebAclRuleVisibilityConfigArgs:
            return aws.wafv2.WebAclRuleVisibilityConfigArgs(
                cloudwatch_metrics_enabled=True, metric_name=metric, sampled_requests_enabled=True
            )

        def managed(group: str, priority: int, counted: tuple[str, ...] = ()) -> aws.wafv2.WebAclRuleArgs:
            """``counted``: rules of the group that only count (rule action override)."""
            w = aws.wafv2
            overrides = [
                w.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideArgs(
                    name=rule,
                    action_to_use=w.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideActionToUseArgs(
                        count=w.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideActionToUseCountArgs()
                    ),
                )
                for rule in counted
            ]
            return aws.wafv2.WebAclRuleArgs(
                name=group,
                priority=priority,
                # The group's own actions (block) apply.
                override_action=aws.wafv2.WebAclRuleOverrideActionArgs(
                    none=aws.wafv2.WebAclRuleOverrideActionNoneArgs()  # type: ignore[no-untyped-call]
                ),
                statement=aws.wafv2.WebAclRuleStatementArgs(
                    managed_rule_group_statement=aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementArgs(
                        name=group, vendor_name="AWS", rule_action_overrides=overrides or None
                    )
                ),
                visibility_config=visibility(group),
            )

        reputation, common, bad_inputs = (
            "AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesCommonRuleSet",
            "AWSManagedRulesKnownBadInputsRuleSet",
        )  # fmt: skip
        rate = aws.wafv2.WebAclRuleArgs(
            name="RateLimitPerIp",
            priority=1,
            action=aws.wafv2.WebAclRuleActionArgs(block=aws.wafv2.WebAclRuleActionBlockArgs()),
            statement=aws.wafv2.WebAclRuleStatementArgs(
                rate_based_statement=aws.wafv2.WebAclRuleStatementRateBasedStatementArgs(
                    limit=spec.rate_limit, aggregate_key_type="IP", evaluation_window_sec=300
                )
            ),
            visibility_config=visibility("RateLimitPerIp"),
        )
        acl = aws.wafv2.WebAcl(
            f"{name}-waf",
            description=f"Load balancer {name}: AWS managed rules and a rate limit per client IP",
            scope="REGIONAL",
            default_action=aws.wafv2.WebAclDefaultActionArgs(allow=aws.wafv2.WebAclDefaultActionAllowArgs()),
            rules=[
                managed(reputation, 0),
                rate,
                # SizeRestrictions_BODY blocks bodies over 8 KB unless waf.largeBodies says count.
                managed(common, 2, ("SizeRestrictions_BODY",) if spec.large_bodies == "count" else ()),
                managed(bad_inputs, 3),
            ],
            visibility_config=aws.wafv2.WebAclVisibilityConfigArgs(
                cloudwatch_metrics_enabled=True, metric_name=f"{name}-waf", sampled_requests_enabled=True
            ),
            opts=child,
        )
        self.waf_association = aws.wafv2.WebAclAssociation(
            f"{name}-waf-association", resource_arn=self.load_balancer.arn, web_acl_arn=acl.arn, opts=child
        )
        self.waf_log_group = aws.cloudwatch.LogGroup(
            f"{name}-waf-logs",
            name_prefix=f"{facts.WAF_LOG_GROUP_PREFIX}{prefix}-",
            retention_in_days=retention_days,
            kms_key_id=kms_key_arn,
            opts=pulumi.ResourceOptions(parent=self, retain_on_delete=retain_logs),
        )
        # WAF adds its log delivery to the account's CloudWatch Logs resource policy
        # (AWSWAF-LOGS) itself. Credentials never reach the logs.
        self.waf_logging = aws.wafv2.WebAclLoggingConfiguration(
            f"{name}-waf-logging",
            resource_arn=acl.arn,
            log_destination_configs=[self.waf_log_group.arn],
            redacted_fields=[
                aws.wafv2.WebAclLoggingConfigurationRedactedFieldArgs(
                    single_header=aws.wafv2.WebAclLoggingConfigurationRedactedFieldSingleHeaderArgs(name=header)
                )
                for header in ("authorization", "cookie")
            ],
            logging_filter=self._waf_log_filter(spec),
            opts=child,
        )
        return acl

    @staticmethod
    def _waf_log_filter(spec: WafSpec) -> aws.wafv2.WebAclLoggingConfigurationLoggingFilterArgs | None:
        """``blockedAndCounted``: keep the records of requests a rule blocked or counted, drop the
        rest (the log, and its ingestion bill, then grows with attacks, not with traffic).
        https://docs.aws.amazon.com/waf/latest/APIReference/API_LoggingFilter.html"""
        if spec.log_requests == "all":
            return None
        w = aws.wafv2
        return w.WebAclLoggingConfigurationLoggingFilterArgs(
            default_behavior="DROP",
            filters=[w.WebAclLoggingConfigurationLoggingFilterFilterArgs(
                behavior="KEEP",
                requirement="MEETS_ANY",
                conditions=[
                    w.WebAclLoggingConfigurationLoggingFilterFilterConditionArgs(
                        action_condition=w.WebAclLoggingConfigurationLoggingFilterFilterConditionActionConditionArgs(
                            action=action))
                    for action in facts.WAF_LOGGED_ACTIONS
                ],
            )],
        )  # fmt: skip

    def _log_bucket(
        self, name: str, region: str, retention_days: int, ctx: AwsContext, on_destroy: str = "retain"
    ) -> pulumi.Output[str]:
        """An S3 bucket ELB may write access logs to, and nothing else may misuse. On
        ``pulumi destroy`` it is kept with its settings (``retain``), or emptied and deleted
        (``delete``); either way a re-created stack gets a new, auto-named bucket."""
        retain = on_destroy == "retain"
        child = pulumi.ResourceOptions(parent=self, retain_on_delete=retain)
        bucket = aws.s3.Bucket(f"{name}-logs", force_destroy=not retain, opts=child)
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
                        days=retention_days
                    ),
                    # Parts of an upload never completed are stored (and billed) until aborted.
                    abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                        days_after_initiation=7
                    ),
                )
            ],
            opts=child,
        )
        if region in LEGACY_LOG_DELIVERY_REGIONS:
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
