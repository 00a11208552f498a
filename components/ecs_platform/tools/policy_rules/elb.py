"""Load balancer rules: ELB.1, 4, 5, 6, 12 and 13."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pulumi_policy import PolicyResource

from ecs_platform.tools.policy_rules.base import (
    LB_TYPES,
    LISTENER_RULE_TYPES,
    LISTENER_TYPES,
    ResourceRule,
    StackRule,
    deps,
    waived,
)


def _drop_invalid_headers(p: Mapping[str, Any]) -> Iterable[str]:
    if (
        p.get("loadBalancerType", "application") == "application"
        and p.get("dropInvalidHeaderFields") is not True
    ):
        yield "the load balancer forwards invalid header fields"


def _access_logs(p: Mapping[str, Any]) -> Iterable[str]:
    # ELB.5 covers Application and Classic Load Balancers, not network ones ("[ELB.5] Application
    # and Classic Load Balancers logging should be enabled", Security Hub's ELB controls:
    # https://docs.aws.amazon.com/securityhub/latest/userguide/elb-controls.html).
    if p.get("loadBalancerType", "application") != "application":
        return
    if not (p.get("accessLogs") or {}).get("enabled"):
        yield "the load balancer writes no access logs"


def _nlb_security_groups(p: Mapping[str, Any]) -> Iterable[str]:
    """A network load balancer created without a security group can never get one ("If you create
    a Network Load Balancer without associating any security groups, you can't associate them with
    the load balancer later on"): every client reaches its listeners, and its targets must admit
    the clients' addresses. https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-security-groups.html"""
    if p.get("loadBalancerType") == "network" and not p.get("securityGroups", []):
        yield "the network load balancer has no security group, and cannot be given one later"


def _deletion_protection(p: Mapping[str, Any]) -> Iterable[str]:
    if p.get("enableDeletionProtection") is not True:
        yield "the load balancer has no deletion protection"


def _desync(p: Mapping[str, Any]) -> Iterable[str]:
    if p.get("desyncMitigationMode", "defensive") not in ("defensive", "strictest"):
        yield f"desync mitigation is {p.get('desyncMitigationMode')} (not defensive or strictest)"


def _several_zones(p: Mapping[str, Any]) -> Iterable[str]:
    subnets, mappings = p.get("subnets"), p.get("subnetMappings")
    if not isinstance(subnets, list) and not isinstance(mappings, list):
        return  # not known yet (preview)
    ids = {str(s) for s in subnets or []}
    ids |= {str(m.get("subnetId")) for m in mappings or [] if isinstance(m, Mapping)}
    if len(ids) < 2:
        yield "the load balancer is in fewer than two zones"




def _plain_http(listener: PolicyResource) -> bool:
    """Whether a listener serves HTTP: ``protocol: HTTP``, or no protocol on an application load
    balancer's listener ("For Application Load Balancers, valid values are HTTP and HTTPS, with a
    default of HTTP", pulumi-aws ``lb.Listener``; ELBv2 CreateListener). A listener whose load
    balancer is not known here counts as an ALB's."""
    protocol = listener.props.get("protocol")
    if protocol is not None:
        return str(protocol).upper() == "HTTP"
    lbs = deps(listener, "loadBalancerArn")
    return not lbs or any(lb.props.get("loadBalancerType", "application") == "application" for lb in lbs)


def _serves(actions: Any) -> bool:
    """Whether actions answer the request other than by a redirect to HTTPS (forward, fixed
    response, authentication, a redirect that keeps HTTP)."""
    for a in actions or []:
        if not isinstance(a, Mapping):
            continue
        if a.get("type") == "redirect" and (a.get("redirect") or {}).get("protocol") == "HTTPS":
            continue
        return True
    return False


def _http_redirects(resources: Sequence[PolicyResource]) -> Iterable[tuple[str, str]]:
    """ELB.1: every HTTP listener redirects to HTTPS, its default action and every rule on it
    (a rule that forwards serves plain HTTP whatever the default action does)."""
    listeners = [r for r in resources if r.resource_type in LISTENER_TYPES and _plain_http(r)]

    def waived_all(listener: PolicyResource) -> bool:
        lbs = deps(listener, "loadBalancerArn")
        return bool(lbs) and all(waived(lb.props, "ELB.1") for lb in lbs)

    for r in listeners:
        if _serves(r.props.get("defaultActions")) and not waived_all(r):
            yield "the HTTP listener serves plain HTTP instead of redirecting to HTTPS", r.urn
    urns = {r.urn for r in listeners}
    for rule in resources:
        if rule.resource_type not in LISTENER_RULE_TYPES:
            continue
        on = [lst for lst in deps(rule, "listenerArn") if lst.urn in urns]
        if on and _serves(rule.props.get("actions")) and not all(waived_all(lst) for lst in on):
            yield "the rule on an HTTP listener serves plain HTTP instead of redirecting to HTTPS", rule.urn


RESOURCE_RULES: tuple[ResourceRule, ...] = (
    ResourceRule(
        "elb-4-drop-invalid-headers",
        "ELB.4",
        "Load balancers drop invalid HTTP headers",
        LB_TYPES,
        _drop_invalid_headers,
    ),
    ResourceRule(
        "elb-5-access-logs", "ELB.5", "Load balancers write access logs", LB_TYPES, _access_logs, waivable=True
    ),
    ResourceRule(
        "elb-6-deletion-protection",
        "ELB.6",
        "Load balancers have deletion protection",
        LB_TYPES,
        _deletion_protection,
        waivable=True,
    ),
    ResourceRule(
        "elb-12-desync-mitigation",
        "ELB.12",
        "Load balancers mitigate HTTP desync (defensive or strictest)",
        LB_TYPES,
        _desync,
    ),
    ResourceRule(
        "elb-nlb-security-groups", None, "Network load balancers are created with a security group", LB_TYPES,
        _nlb_security_groups,
    ),
    ResourceRule(
        "elb-13-several-zones", "ELB.13", "Load balancers span several zones", LB_TYPES, _several_zones
    ),
)  # fmt: skip

STACK_RULES: tuple[StackRule, ...] = (
    StackRule("elb-1-http-redirects", "ELB.1", "HTTP listeners redirect to HTTPS", _http_redirects),
)  # fmt: skip
