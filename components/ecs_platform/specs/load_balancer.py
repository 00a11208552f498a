"""The load balancer model: the stack's application load balancer."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Annotated, Any, Self

from pydantic import model_validator

from ecs_platform import facts as f
from ecs_platform.errors import show
from ecs_platform.specs.base import Bool, Choice, Int, Loc, Spec, raise_problems
from ecs_platform.specs.fields import BucketName, CertificateArn, Cidr, Reason, SslPolicy


class WafSpec(Spec):
    """An AWS WAF web ACL in front of the load balancer: AWS's managed core rule set, known bad
    inputs and IP reputation list, and a rate limit per client IP; its logs go to a CloudWatch
    log group ``aws-waf-logs-<project>-<stack>-*`` (authorization and cookie headers redacted)."""

    rate_limit: Annotated[int, Int(*f.WAF_RATE_LIMIT)] = 2000
    """Requests one client IP may send in 5 minutes before WAF blocks it, 10..2000000000.
    Default 2000."""
    large_bodies: Annotated[str, Choice("block", "count")] = "block"
    """What the core rule set's ``SizeRestrictions_BODY`` rule does with a request body over
    8 KB (WAF inspects no more of it on a load balancer): ``block`` (AWS's default: uploads and
    large forms get 403) or ``count`` (let them through, counted in WAF's metrics and logs).
    Default ``block``."""
    log_requests: Annotated[str, Choice(*f.WAF_LOG_REQUESTS)] = "blockedAndCounted"
    """Which requests WAF logs to its CloudWatch log group: ``blockedAndCounted`` (those a rule
    blocked or counted, what an investigation needs) or ``all`` (every request: the log grows, and
    is billed, with traffic). Default ``blockedAndCounted``."""


class LoadBalancerSpec(Spec):
    """The stack's application load balancer (created when a service is public)."""

    internal: Bool = False
    """Internal load balancer in the private subnets instead of internet-facing. Changing it
    replaces the load balancer (new DNS name), its listeners, rules and the services' target
    groups; with ``deletionProtection`` on, turn that off in an update of its own first
    (docs/traffic.md). Default false."""
    ingress_cidrs: tuple[Cidr, ...] = ("0.0.0.0/0",)
    """Who may connect on 80/443 (at most 60 rules: 30 blocks with HTTPS, 60 without); an internal
    load balancer must name its networks. Default ``["0.0.0.0/0"]``."""
    certificate_arn: CertificateArn | None = None
    """ACM certificate (same region) for the HTTPS listener; HTTP then redirects to HTTPS. Required
    when a service is public, unless ``allowPlainHttp``. May be an Output. Default none."""
    ssl_policy: SslPolicy = f.DEFAULT_SSL_POLICY
    """A TLS 1.3 policy (``ELBSecurityPolicy-TLS13-1-2-*`` or ``-1-3-*``).
    Default ``ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09``."""
    allow_plain_http: Bool = False
    """With no certificate, serve public services over plain HTTP (a stack without a domain).
    Refused next to a certificate. Default false."""
    plain_http_waiver: Reason | None = None
    """Required with ``allowPlainHttp`` on a production stack (named ``prod``, ``production``,
    ``prod-*``, ...): why; recorded in the load balancer's ``ecs-platform:waiver:ELB.1`` tag.
    Default none."""
    desync_mitigation_mode: Annotated[str, Choice(*f.DESYNC_MODES)] = "defensive"
    """``defensive`` or ``strictest``. Default ``defensive``."""
    deletion_protection: Bool = True
    """The API refuses to delete the load balancer. Default true."""
    access_logs: Bool = True
    """Access logs to S3. Default true."""
    access_logs_bucket: BucketName | None = None
    """An existing bucket whose policy lets ELB write; otherwise a bucket is created (SSE-S3,
    public access blocked, TLS only, logs expire after ``logRetentionDays``). Default: created."""
    access_logs_on_destroy: Annotated[str, Choice(*f.ACCESS_LOGS_ON_DESTROY)] = "retain"
    """What ``pulumi destroy`` does with a created access-log bucket: ``retain`` (left in place with
    its policy, lifecycle and public access block, so the logs stay evidence; a re-created stack
    gets a new bucket) or ``delete`` (emptied and deleted). Default ``retain``."""
    idle_timeout: Annotated[int, Int(1, 4000)] = 60
    """Connection idle timeout, 1..4000 s. Default 60."""
    waf: WafSpec | None = None
    """Attach an AWS WAF web ACL (set it, even to ``{}``, to turn it on): managed rule groups and a
    rate limit, logged to CloudWatch. Default none."""

    @property
    def https(self) -> bool:
        return self.certificate_arn is not None

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

    @model_validator(mode="after")
    def _lb_rules(self) -> Self:
        problems: list[tuple[Loc, str]] = []
        if not self.ingress_cidrs:
            problems.append((("ingressCidrs",), "[] admits no one (allowed: one or more CIDR blocks)"))
        for i, cidr in enumerate(self.ingress_cidrs):
            if cidr in self.ingress_cidrs[:i]:
                problems.append((("ingressCidrs", i), f"{show(cidr)} is already listed (allowed: each block once)"))
        if "access_logs_on_destroy" in self.model_fields_set and (self.access_logs_bucket is not None
                                                                    or not self.access_logs):
            problems.append((("accessLogsOnDestroy",), f"{show(self.access_logs_on_destroy)} has no effect: the "
                             "stack creates no access-log bucket (allowed: remove it, or accessLogs: true without "
                             "accessLogsBucket)"))  # fmt: skip
        if self.access_logs_bucket is not None and not self.access_logs:
            problems.append((("accessLogsBucket",), "is set while accessLogs is false (allowed: one of them)"))
        if self.plain_http_waiver is not None and not (self.allow_plain_http and self.certificate_arn is None):
            problems.append((("plainHttpWaiver",), "waives a control this load balancer keeps (allowed: only with "
                                                   "allowPlainHttp: true and no certificate)"))  # fmt: skip
        world = ipaddress.collapse_addresses(ipaddress.IPv4Network(c) for c in set(self.ingress_cidrs))
        if self.internal and any(net.prefixlen == 0 for net in world):
            problems.append((("ingressCidrs",), f"{show(list(self.ingress_cidrs))} admits every address to an "
                             "internal load balancer (allowed: the networks that should reach it, e.g. the VPC's "
                             "10.0.0.0/16; internal: true does not restrict who may connect)"))  # fmt: skip
        rules = len(self.ingress_cidrs) * (2 if self.https else 1)
        if rules > f.MAX_SECURITY_GROUP_RULES:
            ports = "80 and 443" if self.https else "80"
            problems.append((("ingressCidrs",), f"{len(self.ingress_cidrs)} blocks make {rules} inbound rules on "
                             f"the load balancer's security group (one per block and port, {ports}) (allowed: at "
                             f"most {f.MAX_SECURITY_GROUP_RULES} rules, AWS's default quota per security group)"))
        if self.allow_plain_http and self.certificate_arn is not None:
            problems.append((("allowPlainHttp",), "true has no effect with a certificate: HTTP always "
                                                  "redirects to HTTPS (allowed: remove allowPlainHttp)"))  # fmt: skip
        raise_problems(problems)
        return self

    def serving_problems(self, public: Sequence[str] = ()) -> list[tuple[Loc, str]]:
        """Serving ``public`` services needs a certificate, or plain HTTP allowed on purpose."""
        if self.certificate_arn is None and not self.allow_plain_http:
            names = f" ({', '.join(public)})" if public else ""
            return [(("certificateArn",), f"missing, and public services{names} would be served over plain "
                     "HTTP (allowed: an ACM certificate ARN, or allowPlainHttp: true for a stack without a "
                     "domain)")]  # fmt: skip
        return []

    def production_problems(self, stack: str) -> list[tuple[Loc, str]]:
        """Plain HTTP on a production stack needs a written waiver."""
        plain = self.certificate_arn is None and self.allow_plain_http
        if plain and f.PROD_STACK_RE.match(stack) and not self.plain_http_waiver:
            return [(("allowPlainHttp",), f"true on production stack {show(stack)} without a waiver "
                     "(allowed: certificateArn, or plainHttpWaiver: <why> to accept plain HTTP in "
                     "production)")]  # fmt: skip
        return []

    def region_problems(self, region: str, account: str | None = None) -> list[tuple[Loc, str]]:
        """A load balancer uses certificates of its own account and region (``account``: the
        caller's, when known)."""
        problem = certificate_problem(self.certificate_arn, region, account)
        return [(("certificateArn",), problem)] if problem else []


def certificate_problem(cert: Any, region: str, account: str | None) -> str | None:
    """A load balancer uses certificates of its own account and region (``account``: the
    caller's, when known). For a plain certificate ARN, or one an Output gave, once known."""
    if not isinstance(cert, str) or cert.count(":") < 5:
        return None
    cert_region, cert_account = cert.split(":")[3], cert.split(":")[4]
    if cert_region != region:
        return (f"{show(cert)} is in {cert_region}, not the stack's region (allowed: a certificate in {region}; a "
                "load balancer uses certificates of its own region)")  # fmt: skip
    if account is not None and cert_account != account:
        return (f"{show(cert)} is in account {cert_account}, not the stack's account {account} (allowed: a "
                f"certificate of account {account}; a load balancer uses certificates of its own account)")
    return None
