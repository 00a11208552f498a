"""Stack config -> :class:`~ecs_platform.specs.PlatformSpec`: the only reader of
``pulumi.Config``. Registers no resources.

Every ``ecs-platform:<key>`` is a field of :class:`PlatformSpec` (camelCase, as in
the stack file); Pulumi.yaml's declared defaults arrive like any other value.
Bad config raises one :class:`~ecs_platform.errors.ConfigError` listing every
problem, each naming the key path, the value and what is allowed.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from ecs_platform import facts
from ecs_platform.errors import ConfigError, allowed, show
from ecs_platform.specs import PlatformSpec, StackContext, context_problems
from ecs_platform.specs.base import Spec, _unwrap, render_loc
from ecs_platform.specs.provider import AwsProviderSpec

PROJECT = "ecs-platform"


def _parse(text: str) -> Any:
    """Config values arrive as strings; objects, lists and numbers as JSON text."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def all_config() -> dict[str, Any]:
    """The whole config map the program was given (every namespace)."""
    from pulumi.runtime import config as runtime_config

    merged: dict[str, Any] = {}
    merged.update(runtime_config.get_config_env())
    merged.update(runtime_config.CONFIG.get())
    return merged


#: How alike a namespace must be to ours to count as a misspelling of it: difflib's
#: ratio (2 * matching characters / total characters) of the lowercased names with
#: punctuation removed. ``ecs-platfrom``, ``ecsplatform``, ``ECS-Platform`` and
#: ``ecs_platform`` reach it; ``aws``, ``pulumi`` or ``ecs`` are far below it.
NAMESPACE_SIMILARITY = 0.8


def _squash(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def looks_like(namespace: str, project: str = PROJECT) -> bool:
    """``namespace`` is not ``project`` but close enough to be a misspelling of it."""
    if namespace == project:
        return False
    ratio = difflib.SequenceMatcher(None, _squash(namespace), _squash(project)).ratio()
    return ratio >= NAMESPACE_SIMILARITY


def namespace_problems(keys: Iterable[str], project: str = PROJECT) -> list[str]:
    """Config keys under a namespace that looks like a misspelling of ours: Pulumi would
    hand them to a provider or ignore them, and the setting would silently not apply."""
    out: list[str] = []
    for key in sorted(keys):
        namespace, sep, rest = key.partition(":")
        if sep and looks_like(namespace, project):
            out.append(f"{key}: unknown namespace {show(namespace)}, which looks like a misspelling of "
                       f"{show(project)} (allowed: {project}:{rest})")  # fmt: skip
    return out


def region_problem(region: str | None) -> str | None:
    """``aws:region`` must name an AWS region (its partition's, per :data:`facts.REGIONS`)."""
    if not region:
        return "aws:region: not set (allowed: a region name, e.g. `pulumi config set aws:region us-east-1`)"
    if region not in facts.PARTITION_OF_REGION:
        near = difflib.get_close_matches(region, list(facts.PARTITION_OF_REGION), n=3) or ["us-east-1"]
        return (f"aws:region: {show(region)} is not an AWS region (allowed: a region name, e.g. {allowed(near)}; "
                "see https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html)")
    return None


def read_config(project: str = PROJECT) -> dict[str, Any]:
    """Every ``<project>:*`` key the program was given, parsed to plain values.

    Reads the whole config map (not only known keys) so that a misspelt key is
    reported instead of silently ignored.
    """
    merged = all_config()
    prefix = f"{project}:"
    return {
        key[len(prefix) :]: _parse(value) if isinstance(value, str) else value
        for key, value in merged.items()
        if key.startswith(prefix)
    }


def read_aws_provider() -> dict[str, Any]:
    """Every ``aws:*`` stack config key but ``aws:region`` (the provider's settings,
    :class:`AwsProviderSpec`), as plain values for :func:`load`: text for the settings that are
    text, JSON-parsed otherwise (objects, lists, numbers, booleans). Unknown keys are kept, so
    that the model refuses them rather than dropping them. Secrets arrive decrypted here, as
    ``pulumi.Config`` gives them."""
    text_fields = {f.alias for f in AwsProviderSpec.model_fields.values()
                   if f.alias and _unwrap(f.annotation) in ([str], [str, type(None)])}  # fmt: skip
    out: dict[str, Any] = {}
    for full, value in all_config().items():
        namespace, _, key = full.partition(":")
        if namespace != "aws" or key == "region" or value is None:
            continue
        out[key] = value if key in text_fields or not isinstance(value, str) else _parse(value)
    return out


def provider_args(settings: AwsProviderSpec | None, tags: Mapping[str, str]) -> dict[str, Any]:
    """``aws.Provider``'s arguments from the same settings: every setting the stack gives, keys
    and tokens as secrets, and ``default_tags`` the platform's ``tags`` plus ``aws:defaultTags``.
    Objects go as camelCase dicts, which the SDK serializes to the provider unchanged (what the
    provider would read from stack config)."""
    import pulumi
    import pulumi_aws as aws

    s = settings or AwsProviderSpec()
    out: dict[str, Any] = {}
    for name in s.model_fields_set:
        value = getattr(s, name)
        if value is None or name in ("assume_roles", "default_tags"):
            continue
        if isinstance(value, Spec):
            value = value.model_dump(by_alias=True, exclude_defaults=True)
        elif isinstance(value, tuple):
            value = [dict(v) if isinstance(v, Mapping) else v for v in value]
        out[name] = pulumi.Output.secret(value) if name in SECRET_SETTINGS else value
    if s.assume_roles:
        out["assume_roles"] = [
            aws.ProviderAssumeRoleArgs(
                role_arn=r.role_arn, session_name=r.session_name, external_id=r.external_id, duration=r.duration,
                policy=r.policy, policy_arns=list(r.policy_arns) or None, tags=dict(r.tags) or None,
                transitive_tag_keys=list(r.transitive_tag_keys) or None, source_identity=r.source_identity,
            )
            for r in s.assume_roles
        ]  # fmt: skip
    own = dict(s.default_tags.tags) if s.default_tags is not None else {}
    out["default_tags"] = aws.ProviderDefaultTagsArgs(tags={**own, **tags})
    return out


#: Settings handed to the provider as secrets: those its constructor wraps itself, and the web
#: identity block, which may carry an OIDC token.
SECRET_SETTINGS = ("access_key", "secret_key", "token", "assume_role_with_web_identity")


def load(
    raw: Mapping[str, Any],
    *,
    stack: str,
    region: str | None,
    region_zones: Mapping[str, str] | None = None,
    project: str = PROJECT,
    account: str | None = None,
    offline: bool = False,
    config_keys: Iterable[str] = (),
    aws_provider: Mapping[str, Any] | None = None,
    prefix: str | None = None,
) -> tuple[PlatformSpec, StackContext]:
    """Validate stack config (``raw``: key without namespace -> plain value) and the
    context rules; raise one :class:`ConfigError` with every problem. ``region_zones``: zone
    ID -> zone name; ``account``: the caller's account; ``offline``: under the mock engine
    (placeholders accepted); ``config_keys``: every key of the config map (all namespaces),
    checked for misspelt namespaces; ``aws_provider``: the AWS provider's settings
    (:func:`read_aws_provider`), which the stack's provider gets and a pre-deploy run must be able
    to act with; ``prefix``: what each problem's key path starts with (default ``<project>:``, the
    stack file's namespace)."""
    prefix = f"{project}:" if prefix is None else prefix
    problems = namespace_problems(config_keys, project)
    bad_region = region_problem(region)
    if bad_region:
        problems.append(bad_region)
        region = None
    provider: AwsProviderSpec | None = None
    try:
        provider = AwsProviderSpec.parse(dict(aws_provider), "aws:") if aws_provider else None
    except ConfigError as exc:
        problems += exc.problems
    try:
        spec = PlatformSpec.parse(dict(raw), prefix)
    except ConfigError as exc:
        raise ConfigError(problems + exc.problems) from None
    if provider is not None:
        problems += provider.problems([n for n, j in spec.jobs.items() if j.run_before])
        problems += provider.account_problems(account)
        problems += provider.tag_problems([*facts.RESERVED_TAG_KEYS, *spec.tags])
    context = StackContext(project=project, stack=stack, region=region or "", zones=region_zones,
                           account=account, offline=offline, aws_provider=provider)
    if region:
        problems += [f"{prefix}{render_loc(loc)}: {m}" for loc, m in context_problems(spec, context)]
    if problems:
        raise ConfigError(problems)
    return spec, context


def read_region() -> str | None:
    """The AWS region the program deploys to: its ``aws:region`` stack config (a component
    provider's ``Platform`` reads it here, as ``__main__.py`` does)."""
    import pulumi

    return pulumi.Config("aws").get("region")


def lookup_region(region: str | None) -> tuple[dict[str, str] | None, str | None]:
    """What the rules need to know of the region and account, asked before validation (both
    register nothing): the zones the region offers (no Local or Wavelength zones), zone ID -> this
    account's zone name, so that ``azCount`` and ``zoneIds`` are checked against them; and the
    account deployed to, which a certificate must belong to. Nothing for a region that is no AWS
    region (:func:`load` reports it with the other problems)."""
    if region_problem(region) is not None:
        return None, None
    import pulumi_aws as aws

    found = aws.get_availability_zones(
        state="available",
        filters=[aws.GetAvailabilityZonesFilterArgs(name="opt-in-status", values=["opt-in-not-required"])],
    )
    return dict(zip(found.zone_ids, found.names, strict=True)), aws.get_caller_identity().account_id


def engine_is_mocked() -> bool:
    """Whether the program runs under Pulumi's mock engine (``pulumi.runtime.set_mocks``: the
    tests and the offline preview) rather than a real ``pulumi preview`` / ``up``."""
    from pulumi.runtime import mocks, settings

    return isinstance(settings.get_monitor(), mocks.MockMonitor)
