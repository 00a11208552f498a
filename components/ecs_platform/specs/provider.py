"""The AWS provider's credential settings (stack config ``aws:*``), as far as a pre-deploy run
must reproduce them: the run calls ECS from the program's machine (a dynamic provider, not the
AWS provider), so it must act as the same account and role the AWS provider acts as.

The keys and shapes are pulumi-aws's provider configuration (``aws:profile``, ``aws:accessKey``,
``aws:secretKey``, ``aws:token``, ``aws:assumeRoles``; the installed SDK's
``pulumi_aws/config/vars.py`` and ``ProviderAssumeRoleArgs``):
https://www.pulumi.com/registry/packages/aws/api-docs/provider/
Settings boto3 cannot reproduce the same way are listed in :data:`UNSUPPORTED_KEYS`: a stack that
sets one and has a ``runBefore`` job is refused before anything is registered.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from ecs_platform.errors import show
from ecs_platform.specs.base import Rule, Spec, Text

#: pulumi-aws settings that change who the provider is or which endpoint it calls, which the
#: pre-deploy run does not reproduce. ``assumeRole`` is pulumi-aws v6's key (v7, pinned here,
#: reads ``assumeRoles``), so a stack that still sets it may not be acting as it believes.
UNSUPPORTED_KEYS: dict[str, str] = {
    "assumeRole": "pulumi-aws v6's key; pulumi-aws v7 reads aws:assumeRoles (a list)",
    "assumeRoleWithWebIdentity": "web identity federation is not reproduced by the pre-deploy run",
    "sharedConfigFiles": "custom shared config files are not reproduced by the pre-deploy run",
    "sharedCredentialsFiles": "custom shared credentials files are not reproduced by the pre-deploy run",
    "endpoints": "custom endpoints are not reproduced by the pre-deploy run",
    "stsRegion": "a custom STS region is not reproduced by the pre-deploy run",
}

#: The Go duration grammar the provider parses ``assumeRoles[].duration`` with ("1h", "15m",
#: "1h30m", "3600s"); STS allows 900..43200 seconds (AssumeRole DurationSeconds):
#: https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
_DURATION_RE = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
_ROLE_ARN_RE = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$")


def duration_seconds(text: str) -> int | None:
    m = _DURATION_RE.match(text)
    if not text or m is None:
        return None
    hours, minutes, seconds = (int(g or 0) for g in m.groups())
    return hours * 3600 + minutes * 60 + seconds


def _duration_check(value: Any) -> str | None:
    seconds = duration_seconds(value) if isinstance(value, str) else None
    if seconds is None or not 900 <= seconds <= 43200:
        return f"{show(value)} is not a role session duration (allowed: 15m..12h, e.g. 1h, 90m, 3600s)"
    return None


def _role_arn_check(value: Any) -> str | None:
    if isinstance(value, str) and _ROLE_ARN_RE.match(value):
        return None
    return f"{show(value)} is not an IAM role ARN (allowed: arn:<partition>:iam::<account>:role/<name>)"


class AssumeRoleSpec(Spec):
    """One role of ``aws:assumeRoles``, assumed in order (each with the previous one's
    credentials), as the provider does."""

    role_arn: Annotated[str, Rule(_role_arn_check, "an IAM role ARN")]
    """The role to assume. Required."""
    session_name: Annotated[str, Text()] | None = None
    """The session name. Default: ``pulumi-predeploy`` for the run."""
    external_id: Annotated[str, Text()] | None = None
    """The external ID the role's trust policy requires. Default none."""
    duration: Annotated[str, Rule(_duration_check, "a duration, 15m..12h")] | None = None
    """How long the session lasts (Go duration, 15m..12h). Default: STS's (1 hour)."""
    policy: Annotated[str, Text()] | None = None
    """A session policy (JSON). Default none."""
    policy_arns: tuple[str, ...] = ()
    """Managed session policies. Default none."""
    tags: dict[str, str] = {}
    """Session tags. Default none."""
    transitive_tag_keys: tuple[str, ...] = ()
    """Session tags that pass on to later roles of the chain. Default none."""
    source_identity: Annotated[str, Text()] | None = None
    """The source identity. Default none."""


class AwsProviderSpec(Spec):
    """Who the AWS provider is: the credential settings of stack config's ``aws`` namespace.
    Every field defaults to unset, which means the provider's (and boto3's) default chain:
    environment, shared profile, instance or task role."""

    profile: Annotated[str, Text()] | None = None
    """``aws:profile``: a named profile of the shared config. Default unset."""
    access_key: Annotated[str, Text()] | None = None
    """``aws:accessKey`` (a secret): static credentials, with ``secretKey``. Default unset."""
    secret_key: Annotated[str, Text()] | None = None
    """``aws:secretKey`` (a secret). Default unset."""
    token: Annotated[str, Text()] | None = None
    """``aws:token`` (a secret): the session token of temporary static credentials. Default unset."""
    assume_roles: tuple[AssumeRoleSpec, ...] = ()
    """``aws:assumeRoles``: roles assumed in order after the base credentials. Default none."""
    unsupported: tuple[str, ...] = ()
    """The ``aws:*`` keys of :data:`UNSUPPORTED_KEYS` the stack sets (filled by the config
    reader). Default none."""

    def problems(self, jobs: list[str]) -> list[str]:
        """Why a pre-deploy run of ``jobs`` could not act as the provider does (none when no job
        runs before a deployment)."""
        if not jobs:
            return []
        out: list[str] = []
        which = ", ".join(jobs)
        for key in self.unsupported:
            out.append(f"aws:{key}: is set, and the pre-deploy run of job {which} cannot act as the AWS provider "
                       f"with it ({UNSUPPORTED_KEYS[key]}) (allowed: aws:profile, aws:accessKey/aws:secretKey/"
                       "aws:token, aws:assumeRoles, or no runBefore)")  # fmt: skip
        if (self.access_key is None) != (self.secret_key is None):
            given, missing = ("accessKey", "secretKey") if self.access_key else ("secretKey", "accessKey")
            out.append(f"aws:{missing}: is missing while aws:{given} is set (allowed: both or neither)")
        if self.token is not None and self.access_key is None:
            out.append("aws:token: is set without aws:accessKey (allowed: with aws:accessKey and aws:secretKey)")
        return out
