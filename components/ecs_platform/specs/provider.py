"""The AWS provider's settings (stack config ``aws:*``), every one the pulumi-aws provider takes.

``__main__.py`` creates an explicit ``aws.Provider``, which reads no ``aws:*`` stack config by
itself: every setting must be handed to it, or it is silently dropped (an ``allowedAccountIds``
safety net included). :class:`AwsProviderSpec` has one field per argument of the installed SDK's
``aws.Provider`` (``region`` aside, which the program reads first), each named as stack config
spells it (``pulumi_aws/config/vars.py``); ``tests/test_provider_settings.py`` checks the two
agree, so an SDK upgrade that adds a setting fails until it is modelled.
https://www.pulumi.com/registry/packages/aws/api-docs/provider/

A pre-deploy run calls ECS from the program's machine (a dynamic provider, not the AWS provider),
so it must act as the same account and role, through the same endpoints: the settings boto3
cannot reproduce that way are listed in :data:`UNSUPPORTED_KEYS`, and a stack that sets one and
has a ``runBefore`` job is refused before anything is registered.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Annotated, Any

from pydantic import model_validator

from ecs_platform.errors import show
from ecs_platform.specs.base import Bool, Choice, Int, Rule, Spec, Text, raise_problems
from ecs_platform.specs.fields import TagKey, TagValue

#: pulumi-aws settings that change who the provider is, which endpoint it calls or how it
#: connects, which the pre-deploy run (boto3's default session) does not reproduce.
UNSUPPORTED_KEYS: dict[str, str] = {
    "assumeRoleWithWebIdentity": "web identity federation is not reproduced by the pre-deploy run",
    "sharedConfigFiles": "custom shared config files are not reproduced by the pre-deploy run",
    "sharedCredentialsFiles": "custom shared credentials files are not reproduced by the pre-deploy run",
    "endpoints": "custom endpoints are not reproduced by the pre-deploy run",
    "stsRegion": "a custom STS region is not reproduced by the pre-deploy run",
    "useFipsEndpoint": "FIPS endpoints are not reproduced by the pre-deploy run",
    "useDualstackEndpoint": "dual-stack endpoints are not reproduced by the pre-deploy run",
    "customCaBundle": "a custom CA bundle is not reproduced by the pre-deploy run",
    "httpProxy": "a proxy is not reproduced by the pre-deploy run",
    "httpsProxy": "a proxy is not reproduced by the pre-deploy run",
    "noProxy": "proxy exceptions are not reproduced by the pre-deploy run",
    "insecure": "skipping TLS verification is not reproduced by the pre-deploy run",
    "ec2MetadataServiceEndpoint": "a custom EC2 metadata endpoint is not reproduced by the pre-deploy run",
    "ec2MetadataServiceEndpointMode": "a custom EC2 metadata endpoint is not reproduced by the pre-deploy run",
}

#: Keys of earlier pulumi-aws versions that the pinned v7 no longer reads -> what replaces them.
RETIRED_KEYS: dict[str, str] = {
    "assumeRole": "aws:assumeRoles, a list of {roleArn, sessionName, ...}",
}

#: The Go duration grammar the provider parses ``assumeRoles[].duration`` with ("1h", "15m",
#: "1h30m", "3600s"); STS allows 900..43200 seconds (AssumeRole DurationSeconds):
#: https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
_DURATION_RE = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
_ROLE_ARN_RE = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$")
_ACCOUNT_RE = re.compile(r"^\d{12}$")


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


def _account_check(value: Any) -> str | None:
    if isinstance(value, str) and _ACCOUNT_RE.match(value):
        return None
    return f"{show(value)} is not an AWS account ID (allowed: 12 digits, as a string)"


AccountId = Annotated[str, Rule(_account_check, "an AWS account ID")]


class WebIdentitySpec(Spec):
    """``aws:assumeRoleWithWebIdentity``: a role assumed with an OpenID Connect token."""

    role_arn: Annotated[str, Rule(_role_arn_check, "an IAM role ARN")] | None = None
    """The role to assume. Default: the AWS_ROLE_ARN environment variable."""
    session_name: Annotated[str, Text()] | None = None
    """The session name. Default: the provider's."""
    web_identity_token: Annotated[str, Text()] | None = None
    """The OIDC token (a secret). Default: read from ``webIdentityTokenFile``."""
    web_identity_token_file: Annotated[str, Text()] | None = None
    """A file holding the OIDC token. Default: AWS_WEB_IDENTITY_TOKEN_FILE."""
    duration: Annotated[str, Rule(_duration_check, "a duration, 15m..12h")] | None = None
    """How long the session lasts (Go duration, 15m..12h). Default: STS's (1 hour)."""
    policy: Annotated[str, Text()] | None = None
    """A session policy (JSON). Default none."""
    policy_arns: tuple[str, ...] = ()
    """Managed session policies. Default none."""


class DefaultTagsSpec(Spec):
    """``aws:defaultTags``: tags the provider adds to every taggable resource, next to the
    platform's own (``Project``, ``Stack``, ``ManagedBy`` and ``ecs-platform:tags``)."""

    tags: dict[TagKey, TagValue] = {}
    """Tag key -> value. Default none."""


class IgnoreTagsSpec(Spec):
    """``aws:ignoreTags``: tags the provider leaves alone (set outside Pulumi)."""

    keys: tuple[str, ...] = ()
    """Tag keys to ignore. Default none."""
    key_prefixes: tuple[str, ...] = ()
    """Tag key prefixes to ignore. Default none."""


class AwsProviderSpec(Spec):
    """The AWS provider's settings: every ``aws:<key>`` of stack config but ``aws:region``, each
    handed to the stack's explicit provider (which reads no stack config by itself), the
    credential ones to every pre-deploy run too. Every field defaults to unset, which means the
    provider's default (credentials: its default chain, environment, shared profile, instance or
    task role). The meanings are pulumi-aws's
    (https://www.pulumi.com/registry/packages/aws/api-docs/provider/)."""

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
    assume_role_with_web_identity: WebIdentitySpec | None = None
    """``aws:assumeRoleWithWebIdentity``: a role assumed with an OIDC token. Default unset."""
    allowed_account_ids: tuple[AccountId, ...] | None = None
    """``aws:allowedAccountIds``: the only accounts the stack may deploy to; another caller
    account is refused before anything is registered, and by the provider. Default unset."""
    forbidden_account_ids: tuple[AccountId, ...] | None = None
    """``aws:forbiddenAccountIds``: accounts the stack must never deploy to (refused the same
    way). Default unset."""
    default_tags: DefaultTagsSpec | None = None
    """``aws:defaultTags``: ``{tags: {...}}`` added to every taggable resource, with the
    platform's own tags (a key of both is refused). Default unset."""
    ignore_tags: IgnoreTagsSpec | None = None
    """``aws:ignoreTags``: ``{keys: [...], keyPrefixes: [...]}`` the provider leaves alone.
    Default unset."""
    endpoints: tuple[dict[str, Annotated[str, Text()]], ...] | None = None
    """``aws:endpoints``: service -> custom endpoint URL (``[{s3: "http://..."}]``). Default unset."""
    shared_config_files: tuple[Annotated[str, Text()], ...] | None = None
    """``aws:sharedConfigFiles``: shared config file paths. Default unset (``~/.aws/config``)."""
    shared_credentials_files: tuple[Annotated[str, Text()], ...] | None = None
    """``aws:sharedCredentialsFiles``: shared credentials file paths. Default unset
    (``~/.aws/credentials``)."""
    sts_region: Annotated[str, Text()] | None = None
    """``aws:stsRegion``: the region of STS calls. Default unset."""
    custom_ca_bundle: Annotated[str, Text()] | None = None
    """``aws:customCaBundle``: a file of extra root and intermediate certificates. Default unset."""
    ec2_metadata_service_endpoint: Annotated[str, Text()] | None = None
    """``aws:ec2MetadataServiceEndpoint``: the EC2 metadata service's address. Default unset."""
    ec2_metadata_service_endpoint_mode: Annotated[str, Choice("IPv4", "IPv6")] | None = None
    """``aws:ec2MetadataServiceEndpointMode``: ``IPv4`` or ``IPv6``. Default unset."""
    http_proxy: Annotated[str, Text()] | None = None
    """``aws:httpProxy``: proxy URL for HTTP requests. Default unset."""
    https_proxy: Annotated[str, Text()] | None = None
    """``aws:httpsProxy``: proxy URL for HTTPS requests. Default unset."""
    no_proxy: Annotated[str, Text()] | None = None
    """``aws:noProxy``: comma-separated hosts that bypass the proxies. Default unset."""
    insecure: Bool | None = None
    """``aws:insecure``: skip TLS certificate verification. Default unset (false)."""
    max_retries: Annotated[int, Int(0, 2147483647)] | None = None
    """``aws:maxRetries``: how many times an API request is retried. Default unset (the
    provider's)."""
    retry_mode: Annotated[str, Choice("standard", "adaptive")] | None = None
    """``aws:retryMode``: ``standard`` or ``adaptive``. Default unset."""
    token_bucket_rate_limiter_capacity: Annotated[int, Int(0, 2147483647)] | None = None
    """``aws:tokenBucketRateLimiterCapacity``: the SDK's retry token bucket. Default unset."""
    s3_us_east1_regional_endpoint: Annotated[str, Choice("legacy", "regional")] | None = None
    """``aws:s3UsEast1RegionalEndpoint``: ``legacy`` or ``regional``. Default unset."""
    s3_use_path_style: Bool | None = None
    """``aws:s3UsePathStyle``: path-style S3 addressing. Default unset (false)."""
    skip_credentials_validation: Bool | None = None
    """``aws:skipCredentialsValidation``: no STS check of the credentials. Default unset (false)."""
    skip_metadata_api_check: Bool | None = None
    """``aws:skipMetadataApiCheck``: no EC2 metadata API check. Default unset."""
    skip_region_validation: Bool | None = None
    """``aws:skipRegionValidation``: no check of the region name. Default unset (the SDK sends
    true)."""
    skip_requesting_account_id: Bool | None = None
    """``aws:skipRequestingAccountId``: the provider does not look up the account ID. Default
    unset (false)."""
    tag_policy_compliance: Annotated[str, Choice("error", "warning", "disabled")] | None = None
    """``aws:tagPolicyCompliance``: enforce organizational tag policies, ``error``, ``warning``
    or ``disabled``. Default unset (disabled)."""
    use_dualstack_endpoint: Bool | None = None
    """``aws:useDualstackEndpoint``: dual-stack endpoints. Default unset (false)."""
    use_fips_endpoint: Bool | None = None
    """``aws:useFipsEndpoint``: FIPS endpoints. Default unset (false)."""
    user_agents: tuple[Annotated[str, Text()], ...] | None = None
    """``aws:userAgents``: product details appended to the User-Agent. Default unset."""

    @model_validator(mode="before")
    @classmethod
    def _retired_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            raise_problems([((key,), f"is a key of pulumi-aws v6, which the pinned v7 no longer reads: the provider "
                             f"would act without it (allowed: {instead})")
                            for key, instead in RETIRED_KEYS.items() if key in data])  # fmt: skip
        return data

    @property
    def unsupported(self) -> tuple[str, ...]:
        """The keys of :data:`UNSUPPORTED_KEYS` the stack sets."""
        return tuple(k for k in UNSUPPORTED_KEYS if getattr(self, _snake(k)) not in (None, False))

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

    def account_problems(self, account: str | None) -> list[str]:
        """The caller's ``account`` against ``allowedAccountIds`` / ``forbiddenAccountIds``, as
        the provider checks them when it starts, so that nothing is registered first."""
        if account is None:
            return []
        if self.allowed_account_ids is not None and account not in self.allowed_account_ids:
            return [f"aws:allowedAccountIds: {show(list(self.allowed_account_ids))} does not list the caller's "
                    f"account {account} (allowed: deploy with credentials of a listed account, or list it)"]
        if self.forbidden_account_ids is not None and account in self.forbidden_account_ids:
            return [f"aws:forbiddenAccountIds: {show(list(self.forbidden_account_ids))} lists the caller's account "
                    f"{account} (allowed: credentials of another account)"]
        return []

    def tag_problems(self, platform_keys: Iterable[str]) -> list[str]:
        """A tag key of ``aws:defaultTags`` that the platform's tags (``platform_keys``) set too:
        one would silently win."""
        given = self.default_tags.tags if self.default_tags is not None else {}
        keys = set(platform_keys)
        return [f"aws:defaultTags.tags.{key}: is also one of the platform's tags (allowed: another key; set the "
                "stack's own tags in ecs-platform:tags)" for key in given if key in keys]


def _snake(camel: str) -> str:
    """``useFipsEndpoint`` -> ``use_fips_endpoint`` (the field of a stack config key)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", camel).lower()
