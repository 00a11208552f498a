"""Generated stacks for the benchmark: the prod stack file with N services,
each public on its own path, with a secret, a task-role grant and autoscaling."""

from __future__ import annotations

from typing import Any

CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
SECRET = "arn:aws:ssm:us-east-1:123456789012:parameter/bench/db-url"
ZONES = ("us-east-1a", "us-east-1b", "us-east-1c")


def service_names(n: int) -> list[str]:
    return [f"svc{i:03d}" for i in range(n)]


def overrides(n: int) -> dict[str, Any]:
    """Config overrides on top of Pulumi.prod.yaml for an N-service stack."""
    return {
        "desiredCount": 2,
        "logRetentionDays": 30,
        "containerInsights": "enabled",
        # The benchmark measures the platform's per-service cost against a flat program:
        # without prod's stack-wide extras (KMS key, WAF), which the flat program lacks.
        "kmsKey": None,
        "loadBalancer": {"certificateArn": CERT},
        "services": {
            name: {
                "image": "nginx:1.27",
                "user": "1000",
                "port": 8080,
                "routes": [{"paths": [f"/{name}/*"]}],
                "writablePaths": [],
                "secrets": {"DB_URL": SECRET},
                "permissions": [{"actions": ["s3:GetObject"], "resources": [f"arn:aws:s3:::{name}/*"]}],
                "autoscaling": {"min": 2, "max": 6, "cpuTarget": 60},
            }
            for name in service_names(n)
        },
    }
