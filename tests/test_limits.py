"""AWS's documented limits and formats, enforced by the model: each rule's message (key path,
value, what is allowed), nothing registered when it fails, and where AWS documents a limit
the last value accepted and the first refused."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import pytest

from ecs_platform import config
from ecs_platform.errors import ConfigError
from ecs_platform.specs import task_policy
from ecs_platform.tools.mock_cloud import REGION_ZONES, StackRun, run_program, stack_config

NS = "ecs-platform:"
CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
SM = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"
KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
CN_SM = SM.replace("arn:aws:", "arn:aws-cn:").replace("us-east-1", "cn-north-1")
CN_KEY = KEY.replace("arn:aws:", "arn:aws-cn:").replace("us-east-1", "cn-north-1")
BASE: dict[str, Any] = {"image": "nginx:1.27", "user": "1000"}
HTTP = {"allowPlainHttp": True}


def svc(**fields: Any) -> dict[str, Any]:
    return {"services": {"api": {**BASE, **fields}}}


def pub(lb: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    return {"loadBalancer": HTTP if lb is None else lb, "services": {"api": {**BASE, "port": 8080, "public": True, **fields}}}


def services(lb: dict[str, Any] | None = None, **specs: dict[str, Any]) -> dict[str, Any]:
    return {"loadBalancer": HTTP if lb is None else lb,
            "services": {name: {**BASE, "port": 80, **spec} for name, spec in specs.items()}}  # fmt: skip


def vpc(public: list[str], private: list[str], vpc_id: str = "vpc-0123abcd") -> dict[str, Any]:
    return {"vpc": {"vpcId": vpc_id, "publicSubnetIds": public, "privateSubnetIds": private}}


def tags(n: int, prefix: str = "T") -> dict[str, str]:
    return {f"{prefix}{i}": "x" for i in range(n)}


def load(overrides: dict[str, Any]) -> Any:
    cfg = stack_config("dev", overrides)
    raw = {k.removeprefix(NS): config._parse(v) for k, v in cfg.items() if k.startswith(NS)}
    region = cfg.get("aws:region") or None
    return config.load(raw, stack="dev", region=region, region_zones=REGION_ZONES.get(region or ""), offline=True)


def problems(overrides: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as exc:
        load(overrides)
    return exc.value.problems


HEX64 = "a" * 64
IMAGE_255 = "r/" + "a" * 253
#: Many routes in one band derive clashing priorities (refused, tests/test_traffic.py): these pin theirs.
ROUTES_100 = [{"paths": [f"/r{i}"], "priority": 1 + i} for i in range(100)]


def shifting(n: int, rolling: int = 0) -> dict[str, Any]:
    """``n`` public services deploying blue/green (two target groups, a rule on their own test listener),
    and ``rolling`` public services deploying rolling (one target group), on sibling paths."""
    specs = {f"g{i}": {"routes": [{"paths": [f"/g{i}"], "priority": 1000 + i}],
                       "deployment": {"strategy": "blueGreen", "testPort": 9000 + i,
                                      "testIngressCidrs": ["192.0.2.0/28"]}} for i in range(n)}
    specs |= {f"r{i}": {"routes": [{"paths": [f"/r{i}"], "priority": 2000 + i}]} for i in range(rolling)}
    return services(**specs)


def public_services(n: int) -> dict[str, Any]:
    """``n`` public services on sibling paths, each with its own explicit priority."""
    return services(**{f"s{i}": {"routes": [{"paths": [f"/s{i}"], "priority": 1 + i}]} for i in range(n)})
SPOT = {"launchType": "FARGATE_SPOT"}

#: (id, overrides, expected line prefix). Pairs marked "first refused" sit next to the
#: "last accepted" value in GOOD.
BAD: list[tuple[str, dict[str, Any], str]] = [
    # --- images and environment (ContainerDefinition) ---
    ("image of 256 characters (first refused)", svc(image=IMAGE_255 + "a"),
     f'{NS}services.api.image: "{IMAGE_255}a" is 256 characters before any digest (allowed: an image reference '
     "of up to 255 characters)"),
    ("image with a NUL", svc(image="nginx\x00:1"),
     f'{NS}services.api.image: "nginx\\u0000:1" is not an image reference ECS accepts (allowed: up to 255 letters, '
     "digits and - _ : . / #, optionally followed by @sha256: and 64 hex digits; e.g. public.ecr.aws/nginx/nginx:1.27)"),
    ("image with a space", svc(image="nginx :1"), f'{NS}services.api.image: "nginx :1" is not an image reference ECS'),
    ("image with a shell character", svc(image="nginx;rm"), f'{NS}services.api.image: "nginx;rm" is not an image'),
    ("image digest of 63 hex digits", svc(image=f"nginx@sha256:{'a' * 63}"),
     f'{NS}services.api.image: "nginx@sha256:{"a" * 63}" is not an image reference ECS accepts'),
    ("image digest of another hash", svc(image=f"nginx@md5:{HEX64}"),
     f'{NS}services.api.image: "nginx@md5:{HEX64}" is not an image reference ECS accepts'),
    ("NUL in an environment value", svc(environment={"MODE": "a\x00b"}),
     f"{NS}services.api.environment.MODE: the value contains a NUL character (allowed: text without NUL; a process "
     "environment cannot hold it)"),
    # --- tags ---
    ("tab in a tag value", {"tags": {"Team": "a\tb"}},
     f'{NS}tags.Team: "a\\tb" is not a valid tag value (allowed: 1-256 letters, digits, spaces and _ . : / = + - @)'),
    ("newline at the end of a tag value", {"tags": {"Team": "ab\n"}}, f'{NS}tags.Team: "ab\\n" is not a valid tag value'),
    ("newline in a service tag key", svc(tags={"Te\nam": "x"}), f'{NS}services.api.tags.Te\\nam: "Te\\nam" is not a valid tag key'),
    ("51 tags on the task definition from the stack (first refused)", {"tags": tags(47), **svc()},
     f"{NS}services.api.tags: 0 tags make 51 tags on the service's task definition, with the stack's 50, Service "
     "and 0 waiver tag(s) (allowed: at most 50 tags per resource)"),
    ("51 tags on the task definition from the service (first refused)", svc(tags=tags(47)),
     f"{NS}services.api.tags: 47 tags make 51 tags on the service's task definition"),
    ("51 tags with a waiver tag (first refused)", svc(tags=tags(46), user=None, waivers={"ECS.20": "vendor image"}),
     f"{NS}services.api.tags: 46 tags make 51 tags on the service's task definition, with the stack's 3, Service and "
     "1 waiver tag(s)"),
    ("51 tags on the load balancer (first refused)", {"tags": tags(45), **pub({"allowPlainHttp": True,
                                                       "accessLogs": False, "deletionProtection": False})},
     f"{NS}tags: 45 tags make 51 tags on a resource with the platform's 3 and 3 waiver tag(s) (allowed: at most 50 "
     "tags per resource)"),
    # --- security groups (60 rules each way) ---
    ("61 ingress blocks over HTTP (first refused)", pub({**HTTP, "ingressCidrs": [f"10.0.{i}.0/24" for i in range(61)]}),
     f"{NS}loadBalancer.ingressCidrs: 61 blocks make 61 inbound rules on the load balancer's security group (one per "
     "block and port, 80) (allowed: at most 60 rules, AWS's default quota per security group)"),
    ("31 ingress blocks over HTTPS (first refused)", pub({"certificateArn": CERT,
                                                         "ingressCidrs": [f"10.0.{i}.0/24" for i in range(31)]}),
     f"{NS}loadBalancer.ingressCidrs: 31 blocks make 62 inbound rules on the load balancer's security group (one per "
     "block and port, 80 and 443)"),
    ("61 egress blocks (first refused)", svc(egressCidrs=[f"10.0.{i}.0/24" for i in range(61)]),
     f"{NS}services.api.egressCidrs: 61 blocks make as many outbound rules on the service's security group "
     "(allowed: at most 60, AWS's default quota of outbound rules per security group)"),
    ("egress block listed twice", svc(egressCidrs=["10.0.0.0/8", "10.0.0.0/8"]),
     f'{NS}services.api.egressCidrs[1]: "10.0.0.0/8" is already listed (allowed: each block once)'),
    ("61 public services (first refused)", public_services(61),
     f"{NS}services: 61 public services need as many outbound rules on the load balancer's security group (allowed: "
     "at most 60 public services, AWS's default quota of outbound rules per security group)"),
    # --- load balancer quotas (100 rules, 100 target groups) ---
    ("101 routes (first refused)", pub(routes=[*ROUTES_100, {"paths": ["/r100"], "priority": 101}]),
     f"{NS}services: 101 routes make 101 rules on the load balancer (allowed: at most 100, AWS's default 'Rules per "
     "Application Load Balancer' quota, default rules not counted; raise it in Service Quotas, or split the services "
     "over stacks)"),
    ("99 routes and a test listener rule (first refused)",
     {**shifting(1), "services": {**shifting(1)["services"], "api": {**BASE, "port": 80, "routes": ROUTES_100[:99]}}},
     f"{NS}services: 100 routes and 1 test listener rules (one per blue/green, linear or canary service) make 101 "
     "rules on the load balancer (allowed: at most 100"),
    ("101 target groups (first refused)", public_services(101),
     f"{NS}services: 101 public services need 101 target groups on the load balancer, 101 in all (allowed: at most "
     "100, AWS's default 'Target Groups per Application Load Balancer' quota; raise it in Service Quotas, or split "
     "the services over stacks)"),
    ("101 target groups with alternates (first refused)", shifting(49, rolling=3),
     f"{NS}services: 52 public services need 52 target groups and 49 alternate ones (blue/green, linear and canary "
     "services) on the load balancer, 101 in all (allowed: at most 100"),
    ("51 listeners (first refused)", shifting(50),
     f"{NS}services: 50 distinct deployment.testPort values make 51 listeners on the load balancer with HTTP "
     "(allowed: at most 50, AWS's default 'Listeners per Application Load Balancer' quota; raise it in Service "
     "Quotas, or deploy some of these services rolling)"),
    ("51 listeners with HTTPS (first refused)", {**shifting(49), "loadBalancer": {"certificateArn": CERT}},
     f"{NS}services: 49 distinct deployment.testPort values make 51 listeners on the load balancer with HTTP and "
     "HTTPS (allowed: at most 50"),
    # --- TLS policy, access-log bucket ---
    ("made-up TLS 1.3 policy name", pub({"certificateArn": CERT, "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-Made-Up"}),
     f'{NS}loadBalancer.sslPolicy: "ELBSecurityPolicy-TLS13-1-2-Made-Up" is not a TLS 1.3 security policy of the load '
     "balancer (allowed: a predefined ELBSecurityPolicy-TLS13-1-2-* or ELBSecurityPolicy-TLS13-1-3-* policy, e.g. "
     "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09; see "
     "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html)"),
    ("TLS 1.3 policy allowing TLS 1.0", pub({"certificateArn": CERT, "sslPolicy": "ELBSecurityPolicy-TLS13-1-0-2021-06"}),
     f'{NS}loadBalancer.sslPolicy: "ELBSecurityPolicy-TLS13-1-0-2021-06" is not a TLS 1.3 security policy'),
    ("bucket of 64 characters (first refused)", pub({**HTTP, "accessLogsBucket": "b" * 64}),
     f'{NS}loadBalancer.accessLogsBucket: "{"b" * 64}" is not an S3 bucket name (allowed: 3-63 lowercase letters, '
     "digits, dots and hyphens, starting and ending with a letter or digit)"),
    ("bucket of 2 characters (first refused)", pub({**HTTP, "accessLogsBucket": "bb"}),
     f'{NS}loadBalancer.accessLogsBucket: "bb" is not an S3 bucket name'),
    ("bucket with two adjacent dots", pub({**HTTP, "accessLogsBucket": "my..logs"}),
     f'{NS}loadBalancer.accessLogsBucket: "my..logs" has two adjacent dots (allowed: an S3 bucket name without them)'),
    ("bucket like an IP address", pub({**HTTP, "accessLogsBucket": "192.168.5.4"}),
     f'{NS}loadBalancer.accessLogsBucket: "192.168.5.4" is formatted as an IP address'),
    ("bucket with a reserved prefix", pub({**HTTP, "accessLogsBucket": "xn--logs"}),
     f'{NS}loadBalancer.accessLogsBucket: "xn--logs" uses a prefix or suffix S3 reserves'),
    ("bucket with a reserved suffix", pub({**HTTP, "accessLogsBucket": "logs-s3alias"}),
     f'{NS}loadBalancer.accessLogsBucket: "logs-s3alias" uses a prefix or suffix S3 reserves'),
    ("bucket with capitals", pub({**HTTP, "accessLogsBucket": "My-Logs"}),
     f'{NS}loadBalancer.accessLogsBucket: "My-Logs" is not an S3 bucket name'),
    # --- subnet and VPC ids ---
    ("subnet id that is only the prefix", vpc(["subnet-", "subnet-0000000b"], ["subnet-0000000c"]),
     f'{NS}vpc.publicSubnetIds[0]: "subnet-" is not a subnet id (allowed: subnet- and 8 or 17 hex digits, '
     "e.g. subnet-0123456789abcdef0)"),
    ("subnet id of 9 hex digits", vpc(["subnet-0000000a", "subnet-00000000b"], ["subnet-0000000c"]),
     f'{NS}vpc.publicSubnetIds[1]: "subnet-00000000b" is not a subnet id'),
    ("VPC id too short", vpc(["subnet-0000000a"], ["subnet-0000000c"], vpc_id="vpc-1"),
     f'{NS}vpc.vpcId: "vpc-1" is not a VPC id (allowed: vpc- and 8 or 17 hex digits, e.g. vpc-0123456789abcdef0)'),
    ("subnet listed twice", vpc(["subnet-0000000a", "subnet-0000000b"], ["subnet-0000000c", "subnet-0000000c"]),
     f'{NS}vpc.privateSubnetIds[1]: "subnet-0000000c" is already listed at privateSubnetIds[0] '
     "(allowed: each subnet once)"),
    ("subnet both public and private", vpc(["subnet-0000000a", "subnet-0000000b"], ["subnet-0000000a"]),
     f'{NS}vpc.privateSubnetIds[0]: "subnet-0000000a" is already listed at publicSubnetIds[0]'),
    # --- capacity ---
    ("ARM64 on the cluster's Fargate Spot", SPOT | svc(architecture="ARM64"),
     f"{NS}services.api.architecture: ARM64 on FARGATE_SPOT is not supported: Fargate Spot runs X86_64 tasks only "
     "(allowed: architecture X86_64, or launchType FARGATE for ARM64)"),
    ("ARM64 on a service's Fargate Spot", svc(launchType="FARGATE_SPOT", architecture="ARM64"),
     f"{NS}services.api.launchType: ARM64 on FARGATE_SPOT is not supported"),
    ("instance type spec overwriting a built-in type",
     {"launchType": "EC2", "ec2": {"instanceTypeSpecs": {"t3.medium": {"vcpu": 64, "memoryMiB": 262144}}}},
     f'{NS}ec2.instanceTypeSpecs.t3.medium: "t3.medium" is a built-in type (allowed: only types outside the built-in '
     "table; remove this entry to use the built-in 2 vCPU / 4096 MiB)"),
    # --- waivers only with the control off ---
    ("ECS.17 waiver without host networking", svc(waivers={"ECS.17": "not needed"}),
     f"{NS}services.api.waivers.ECS.17: waives a control this service keeps (allowed: only with networkMode: host)"),
    ("plain HTTP waiver with a certificate", pub({"certificateArn": CERT, "plainHttpWaiver": "none"}),
     f"{NS}loadBalancer.plainHttpWaiver: waives a control this load balancer keeps (allowed: only with "
     "allowPlainHttp: true and no certificate)"),
    ("plain HTTP waiver without allowPlainHttp", pub({"certificateArn": CERT, "plainHttpWaiver": "x"}) | {"services": {
        "api": {**BASE, "port": 80, "public": True}}}, f"{NS}loadBalancer.plainHttpWaiver: waives a control"),
    # --- an internal load balancer open to the world ---
    ("internal load balancer with the default 0.0.0.0/0", pub({**HTTP, "internal": True}),
     f'{NS}loadBalancer.ingressCidrs: ["0.0.0.0/0"] admits every address to an internal load balancer (allowed: the '
     "networks that should reach it, e.g. the VPC's 10.0.0.0/16; internal: true does not restrict who may connect)"),
    ("internal load balancer open through two halves", pub({**HTTP, "internal": True,
                                                           "ingressCidrs": ["0.0.0.0/1", "128.0.0.0/1"]}),
     f'{NS}loadBalancer.ingressCidrs: ["0.0.0.0/1", "128.0.0.0/1"] admits every address to an internal load balancer'),
    # --- routes: hosts without case, shadowed routes ---
    ("hosts that differ only in case", services(a={"routes": [{"hosts": ["api.example.com"]}]},
                                                b={"routes": [{"hosts": ["API.example.com"]}]}),
     f'{NS}services.b.routes[0]: {{"hosts": ["API.example.com"], "paths": []}} is also the route of '
     "services.a.routes[0]: the load balancer evaluates the rule of services.a.routes[0] first (priority 10668 before "
     "10781), so service a gets these requests (allowed: each route on one service; hosts are compared without "
     "regard to case)"),
    ("one host twice in a route", services(a={"routes": [{"hosts": ["a.example.com", "A.Example.com"]}]}),
     f'{NS}services.a.routes[0].hosts[1]: "A.Example.com" is the host "a.example.com" again: the load balancer '
     "matches hosts without regard to case (allowed: each host once)"),
    ("a pinned wide path hides a deeper one", services(a={"routes": [{"paths": ["/api/*"], "priority": 1}]},
                                                       b={"routes": [{"paths": ["/api/users/*"]}]}),
     f"{NS}services.b.routes[0]: is never reached: services.a.routes[0] (priority 1) matches every request it matches "
     "and is evaluated first (priority 26"),
    ("a pinned wildcard host hides an exact one", services(a={"routes": [{"hosts": ["*.example.com"], "priority": 5}]},
                                                           b={"routes": [{"hosts": ["shop.example.com"]}]}),
     f"{NS}services.b.routes[0]: is never reached: services.a.routes[0] (priority 5)"),
    ("deep paths the bands cannot order", services(a={"routes": [{"paths": ["/a/b/c/d/e/*"]}]},
                                                   b={"routes": [{"paths": ["/a/b/c/d/e/f/*"]}]}),
     f"{NS}services.b.routes[0]: is never reached: services.a.routes[0] (priority 21"),
    # --- customer-managed keys of secrets ---
    ("secrets key given as an alias", svc(secrets={"DB": SM}, secretsKmsKeys=["arn:aws:kms:us-east-1:123456789012:alias/app"]),
     f'{NS}services.api.secretsKmsKeys[0]: "arn:aws:kms:us-east-1:123456789012:alias/app" is not a KMS key ARN '
     "(allowed: arn:aws:kms:<region>:<account>:key/<id>; an IAM policy names a key by its ARN, not an alias)"),
    ("secrets key without secrets", svc(secretsKmsKeys=[KEY]),
     f"{NS}services.api.secretsKmsKeys: is set and the container has no secrets (allowed: remove it, or secrets these "
     "keys encrypt)"),
    ("secrets key listed twice", svc(secrets={"DB": SM}, secretsKmsKeys=[KEY, KEY]),
     f'{NS}services.api.secretsKmsKeys[1]: "{KEY}" is already listed (allowed: each key once)'),
    ("secrets key in another region than the secrets", svc(secrets={"DB": SM},
                                                          secretsKmsKeys=[KEY.replace("us-east-1", "eu-west-1")]),
     f'{NS}services.api.secretsKmsKeys[0]: "{KEY.replace("us-east-1", "eu-west-1")}" is in eu-west-1, where none of '
     "the container's secrets is (allowed: a key in us-east-1; Secrets Manager and Parameter Store encrypt with a key "
     "of their own region)"),
    ("secrets key of another partition", svc(secrets={"DB": CN_SM}, secretsKmsKeys=[CN_KEY]),
     f'{NS}services.api.secretsKmsKeys[0]: "{CN_KEY}" is in partition aws-cn'),
    # --- ARNs of another partition ---
    ("secret of another partition", svc(secrets={"DB": CN_SM}),
     f'{NS}services.api.secrets.DB: "{CN_SM}" is in partition aws-cn, not the '
     "partition of the stack's region us-east-1 (allowed: an arn:aws:... ARN)"),
    ("granted resource of another partition",
     svc(permissions=[{"actions": ["s3:GetObject"], "resources": ["arn:aws-us-gov:s3:::b/*"]}]),
     f'{NS}services.api.permissions[0].resources[0]: "arn:aws-us-gov:s3:::b/*" is in partition aws-us-gov'),
    ("certificate of another partition", pub({"certificateArn": CERT.replace("arn:aws:", "arn:aws-cn:")}),
     f'{NS}loadBalancer.certificateArn: "{CERT.replace("arn:aws:", "arn:aws-cn:")}" is in partition aws-cn'),
]  # fmt: skip


def _ids(cases: Sequence[tuple[Any, ...]]) -> list[str]:
    return [c[0] for c in cases]


@pytest.mark.parametrize(("overrides", "expected"), [c[1:] for c in BAD], ids=_ids(BAD))
def test_limit_refused_with_its_message(overrides: dict[str, Any], expected: str) -> None:
    found = problems(overrides)
    assert any(p.startswith(expected) for p in found), found


@pytest.mark.parametrize("overrides", [c[1] for c in BAD], ids=_ids(BAD))
def test_limit_refused_registers_nothing(overrides: dict[str, Any]) -> None:
    run = run_program("dev", overrides)
    assert isinstance(run.error, ConfigError), run.error
    assert run.resources == []


#: Valid values at (or next to) each limit: they load, and the program registers them.
GOOD: list[tuple[str, dict[str, Any]]] = [
    ("image of 255 characters (last accepted)", svc(image=IMAGE_255)),
    ("image with a registry port and a digest", svc(image=f"registry.example.com:5000/team/app@sha256:{HEX64}")),
    ("image name of 255 characters and a digest", svc(image=f"{IMAGE_255}@sha256:{HEX64}")),
    ("image with a number sign (ECS's grammar allows it)", svc(image="nginx:1.27#x")),
    ("space in a tag value", {"tags": {"Team": "payments core"}}),
    ("50 tags on the task definition (last accepted)", {"tags": tags(46), **svc()}),
    ("50 tags from the service (last accepted)", svc(tags=tags(46))),
    ("50 tags on the load balancer (last accepted)", {"tags": tags(44), **pub({"allowPlainHttp": True,
                                                       "accessLogs": False, "deletionProtection": False})}),
    ("60 ingress blocks over HTTP (last accepted)", pub({**HTTP, "ingressCidrs": [f"10.0.{i}.0/24" for i in range(60)]})),
    ("30 ingress blocks over HTTPS (last accepted)", pub({"certificateArn": CERT,
                                                         "ingressCidrs": [f"10.0.{i}.0/24" for i in range(30)]})),
    ("60 egress blocks (last accepted)", svc(egressCidrs=[f"10.0.{i}.0/24" for i in range(60)])),
    ("60 public services (last accepted)", public_services(60)),
    ("100 routes (last accepted)", pub(routes=ROUTES_100)),
    ("99 rules and a test listener rule (last accepted)",
     {**shifting(1), "services": {**shifting(1)["services"], "api": {**BASE, "port": 80, "routes": ROUTES_100[:98]}}}),
    ("100 target groups with alternates (last accepted)", shifting(48, rolling=4)),
    ("50 listeners (last accepted)", shifting(49)),
    ("50 listeners with HTTPS (last accepted)", {**shifting(48), "loadBalancer": {"certificateArn": CERT}}),
    ("a FIPS post-quantum TLS policy", pub({"certificateArn": CERT, "sslPolicy": "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09"})),
    ("bucket of 63 characters (last accepted)", pub({**HTTP, "accessLogsBucket": "b" * 63})),
    ("bucket of 3 characters (last accepted)", pub({**HTTP, "accessLogsBucket": "bbb"})),
    ("bucket with dots", pub({**HTTP, "accessLogsBucket": "logs.example.com"})),
    ("subnet ids of 8 and 17 hex digits", pub() | vpc(["subnet-0000000a", "subnet-0123456789abcdef0"],
                                                      ["subnet-0000000c", "subnet-0123456789abcdef1"],
                                                      vpc_id="vpc-0123456789abcdef0")),
    ("ARM64 on Fargate", SPOT | svc(architecture="ARM64", launchType="FARGATE")),
    ("X86_64 on Fargate Spot", SPOT | svc(architecture="X86_64")),
    ("ECS.17 waiver with host networking", {"launchType": "EXTERNAL", "services": {"agent": {
        **BASE, "networkMode": "host", "waivers": {"ECS.17": "agent needs the host network"}}}}),
    ("internal load balancer for the VPC", pub({**HTTP, "internal": True, "ingressCidrs": ["10.0.0.0/16"]})),
    ("a deeper path before a wider one", services(a={"routes": [{"paths": ["/api/*"]}]},
                                                  b={"routes": [{"paths": ["/api/users/*"]}]})),
    ("a pinned deeper path before a wider one", services(a={"routes": [{"paths": ["/api/*"]}]},
                                                         b={"routes": [{"paths": ["/api/users/*"], "priority": 1}]})),
    ("same path on different hosts", services(a={"routes": [{"hosts": ["a.example.com"], "paths": ["/*"]}]},
                                              b={"routes": [{"hosts": ["b.example.com"], "paths": ["/*"]}]})),
    ("secret in another region of the partition", svc(secrets={"DB": SM.replace("us-east-1", "eu-west-1")})),
    ("secrets key in the secrets' region", svc(secrets={"DB": SM.replace("us-east-1", "eu-west-1")},
                                               secretsKmsKeys=[KEY.replace("us-east-1", "eu-west-1")])),
]  # fmt: skip


@pytest.mark.parametrize("overrides", [c[1] for c in GOOD], ids=_ids(GOOD))
def test_value_at_the_limit_loads(overrides: dict[str, Any]) -> None:
    load(overrides)


@pytest.mark.parametrize("overrides", [c[1] for c in GOOD[:3] + GOOD[12:13]], ids=_ids(GOOD[:3] + GOOD[12:13]))
def test_value_at_the_limit_is_registered(overrides: dict[str, Any]) -> None:
    run = run_program("dev", overrides)
    assert run.error is None, run.error


# --- IAM's 10,240 characters, measured on the registered policy ---------------------------------


def _grant(length: int) -> dict[str, Any]:
    """A service whose task role grants one resource ARN of ``length`` characters, with ECS Exec."""
    arn = "arn:aws:s3:::b/" + "k" * (length - len("arn:aws:s3:::b/"))
    return svc(exec=True, readonlyRootFilesystem=False,
               permissions=[{"actions": ["s3:GetObject"], "resources": [arn]}])  # fmt: skip


def _registered_size(run: StackRun) -> int:
    policy = run.one("aws:iam/rolePolicy:RolePolicy", "ecs-api-roles-task-policy").inputs["policy"]
    return len(re.sub(r"\s", "", json.dumps(json.loads(policy), separators=(",", ":"))))


def _arn_length_for(size: int) -> int:
    """The ARN length that makes the task role policy ``size`` characters."""
    probe = run_program("dev", _grant(100))
    assert probe.error is None, probe.error
    return 100 + size - _registered_size(probe)


def test_task_role_policy_of_10240_characters_is_registered_and_10241_refused() -> None:
    length = _arn_length_for(10240)
    run = run_program("dev", _grant(length))
    assert run.error is None, run.error
    assert _registered_size(run) == 10240  # the last size IAM accepts, as AWS counts it
    refused = run_program("dev", _grant(length + 1))
    assert isinstance(refused.error, ConfigError)
    assert refused.resources == []
    assert refused.error.problems == [
        f"{NS}services.api.permissions: make a task role policy of 10241 characters (allowed: at most 10240, IAM's "
        "quota for a role's inline policies; grant wider resource patterns or split the service)"
    ]


def test_execution_role_policy_size_is_checked() -> None:
    secrets = {f"S{i}": f"arn:aws:ssm:us-east-1:123456789012:parameter/{'p' * 200}{i}" for i in range(45)}
    size = task_policy.policy_size(task_policy.secrets_statements(list(secrets.values())))
    assert size > 10240
    assert problems(svc(secrets=secrets)) == [
        f"{NS}services.api.secrets: make an execution role policy of {size} characters (allowed: at most 10240, "
        "IAM's quota for a role's inline policies)"
    ]


def test_covers_follows_alb_wildcards() -> None:
    from ecs_platform.specs import RouteSpec
    from ecs_platform.specs.routing import covers

    assert covers(RouteSpec(paths=("/api/*",)), RouteSpec(paths=("/api/users/*",)))
    assert covers(RouteSpec(paths=("/*",)), RouteSpec(hosts=("a.example.com",)))
    assert covers(RouteSpec(paths=("/a?c",)), RouteSpec(paths=("/abc",)))
    assert not covers(RouteSpec(paths=("/a?c",)), RouteSpec(paths=("/a*c",)))
    assert not covers(RouteSpec(paths=("/api/users/*",)), RouteSpec(paths=("/api/*",)))
    assert not covers(RouteSpec(hosts=("a.example.com",)), RouteSpec(paths=("/*",)))
    assert covers(RouteSpec(hosts=("*.Example.com",)), RouteSpec(hosts=("shop.example.COM",), paths=("/x",)))


def _registered_definition_bytes(run: StackRun) -> int:
    [task] = run.of_type("aws:ecs/taskDefinition:TaskDefinition")
    return len(json.dumps(json.loads(task.inputs["containerDefinitions"]), separators=(",", ":")).encode())


def test_task_definition_of_64_kib_is_registered_and_one_byte_more_refused() -> None:
    # ECS's task definition size quota, 64 KiB (service-quotas.html), measured on the container
    # definitions as registered. A value of N more characters adds exactly N bytes.
    small = run_program("dev", svc(environment={"BIG": "a"}))
    assert small.error is None, small.error
    fill = 1 + 64 * 1024 - _registered_definition_bytes(small)
    at_limit = run_program("dev", svc(environment={"BIG": "a" * fill}))
    assert at_limit.error is None, at_limit.error
    assert _registered_definition_bytes(at_limit) == 64 * 1024
    over = run_program("dev", svc(environment={"BIG": "a" * (fill + 1)}))
    assert isinstance(over.error, ConfigError), over.error
    assert over.error.problems == [
        f"{NS}services.api.environment: makes container definitions of {64 * 1024 + 1} bytes, {fill + 1 + 27} of "
        f"them this environment (allowed: at most {64 * 1024}, "
        "ECS's task definition size quota; move large values to secrets, parameters or files)"
    ]
    assert over.resources == []


def test_a_program_building_a_task_definition_gets_the_same_size_rule() -> None:
    import pulumi

    from ecs_platform import ClusterRef, ClusterSpec, TaskDefinition, TaskSpec

    def program() -> None:
        spec = TaskSpec(image="nginx", user="1000", environment={"BIG": "a" * (64 * 1024)})
        TaskDefinition("api", spec, cluster=ClusterRef(arn="arn:aws:ecs:us-east-1:111111111111:cluster/x",
                                                       spec=ClusterSpec()),
                       execution_role_arn="arn:aws:iam::111111111111:role/e",
                       task_role_arn="arn:aws:iam::111111111111:role/t", region="us-east-1")  # fmt: skip
        pulumi.export("unreachable", True)

    run = run_program("embed", config={"aws:region": "us-east-1"}, program=program)
    assert isinstance(run.error, ConfigError), run.error
    [problem] = run.error.problems
    assert problem.startswith("TaskSpec.environment: makes container definitions of ") and "at most 65536" in problem
    assert run.resources == []


@pytest.mark.parametrize(
    ("overrides", "path"),
    [({"services": {"api": {"image": "nginx", "user": "1000",
                            "sidecars": {"log": {"image": "busybox", "user": "1000",
                                                 "environment": {"BIG": "a" * (64 * 1024)}}}}}},
      "services.api.sidecars.log.environment"),
     ({"jobs": {"import": {"image": "nginx", "user": "1000", "environment": {"BIG": "a" * (64 * 1024)}}}},
      "jobs.import.environment"),
     ({"services": {"api": {"image": "nginx", "user": "1000", "environment": {"A": "a"},
                            "command": ["run", "a" * (64 * 1024)]}}},
      "services.api.command")],
    ids=["sidecar environment", "job environment", "command"],
)  # fmt: skip
def test_an_oversized_task_definition_is_reported_at_the_key_that_grew_it(overrides: dict[str, Any], path: str) -> None:
    run = run_program("dev", overrides)
    assert isinstance(run.error, ConfigError), run.error
    [problem] = [p for p in run.error.problems if "makes container definitions" in p]
    assert problem.startswith(f"{NS}{path}: makes container definitions of "), problem
    assert run.resources == []
