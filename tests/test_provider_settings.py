"""Every ``aws:*`` stack setting reaches the stack's explicit AWS provider (issue 26 review): an
explicit ``aws.Provider`` reads no stack config by itself, so a setting the program does not hand
it, ``aws:allowedAccountIds`` included, would be silently dropped. The model has one field per
argument of the installed SDK's provider; these tests hold the two together and follow each
setting to the provider's registered inputs."""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path
from typing import Any

import pulumi_aws as aws
import pytest
from pulumi.runtime import rpc

from ecs_platform.errors import ConfigError
from ecs_platform.specs.provider import AssumeRoleSpec, AwsProviderSpec, DefaultTagsSpec, IgnoreTagsSpec, WebIdentitySpec
from ecs_platform.tools.mock_cloud import StackRun, run_program
from tests.conftest import provider_default_tags

PROVIDER = "pulumi:providers:aws"
ACCOUNT = "123456789012"  # the mock cloud's caller account


def _params(fn: Any) -> set[str]:
    return set(inspect.signature(fn).parameters) - {"self", "__self__", "resource_name", "opts", "__props__"}


def test_the_model_has_one_field_per_argument_of_the_installed_provider() -> None:
    assert set(AwsProviderSpec.model_fields) == _params(aws.Provider._internal_init) - {"region"}


def test_each_field_is_spelt_as_the_sdk_reads_it_from_stack_config() -> None:
    vars_py = Path(aws.__file__).with_name("config") / "vars.py"
    keys = set(re.findall(r"__config__\.get\w*\('(\w+)'\)", vars_py.read_text()))
    assert {f.alias for f in AwsProviderSpec.model_fields.values()} == keys - {"region"}


@pytest.mark.parametrize(("spec", "args"), [
    (WebIdentitySpec, aws.ProviderAssumeRoleWithWebIdentityArgs), (DefaultTagsSpec, aws.ProviderDefaultTagsArgs),
    (IgnoreTagsSpec, aws.ProviderIgnoreTagsArgs), (AssumeRoleSpec, aws.ProviderAssumeRoleArgs),
])  # fmt: skip
def test_each_settings_block_has_the_sdks_fields(spec: type[Any], args: type[Any]) -> None:
    assert set(spec.model_fields) == _params(args.__init__)


#: A value for every setting (none that needs a pre-deploy run to reproduce it: dev has no job).
EVERY_SETTING: dict[str, Any] = {
    "profile": "deploy", "accessKey": "AKIAEXAMPLEEXAMPLE", "secretKey": "s3cr3t", "token": "session-token",
    "assumeRoles": [{"roleArn": f"arn:aws:iam::{ACCOUNT}:role/deployer"}],
    "assumeRoleWithWebIdentity": {"roleArn": f"arn:aws:iam::{ACCOUNT}:role/ci", "webIdentityTokenFile": "/t"},
    "allowedAccountIds": [ACCOUNT], "forbiddenAccountIds": ["210987654321"],
    "defaultTags": {"tags": {"Owner": "platform-team"}}, "ignoreTags": {"keyPrefixes": ["kubernetes.io/"]},
    "endpoints": [{"s3": "https://s3.example.internal"}], "sharedConfigFiles": ["/etc/aws/config"],
    "sharedCredentialsFiles": ["/etc/aws/credentials"], "stsRegion": "us-east-1", "customCaBundle": "/etc/ca.pem",
    "ec2MetadataServiceEndpoint": "http://169.254.169.254", "ec2MetadataServiceEndpointMode": "IPv4",
    "httpProxy": "http://proxy:3128", "httpsProxy": "http://proxy:3128", "noProxy": "169.254.169.254",
    "insecure": False, "maxRetries": 5, "retryMode": "adaptive", "tokenBucketRateLimiterCapacity": 500,
    "s3UsEast1RegionalEndpoint": "regional", "s3UsePathStyle": True, "skipCredentialsValidation": False,
    "skipMetadataApiCheck": True, "skipRegionValidation": False, "skipRequestingAccountId": False,
    "tagPolicyCompliance": "warning", "useDualstackEndpoint": False, "useFipsEndpoint": True,
    "userAgents": ["ecs-platform"],
}  # fmt: skip


@pytest.fixture(scope="module")
def configured() -> StackRun:
    run = run_program("dev", {f"aws:{k}": v for k, v in EVERY_SETTING.items()})
    assert run.error is None, run.error
    return run


def _sent(value: Any) -> Any:
    """A provider input as the provider reads it: secrets unwrapped, and the non-text settings,
    which the SDK sends as JSON text, parsed."""
    if isinstance(value, dict) and rpc._special_sig_key in value:
        return _sent(value["value"])
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def test_every_setting_reaches_the_provider(configured: StackRun) -> None:
    assert set(EVERY_SETTING) == {f.alias for f in AwsProviderSpec.model_fields.values()}  # none left out
    inputs = configured.one(PROVIDER).inputs
    for key, value in EVERY_SETTING.items():
        if key == "defaultTags":
            continue  # merged with the platform's tags, below
        expected = value if key != "assumeRoles" else [{"roleArn": value[0]["roleArn"]}]
        assert _sent(inputs.get(key)) == expected, key


def test_credentials_and_the_web_identity_block_reach_the_provider_as_secrets(configured: StackRun) -> None:
    assert {"accessKey", "secretKey", "token", "assumeRoleWithWebIdentity"} <= configured.one(PROVIDER).secret_inputs


def test_default_tags_of_config_join_the_platforms(configured: StackRun) -> None:
    assert provider_default_tags(configured) == {"Owner": "platform-team", "Project": "ecs-platform", "Stack": "dev",
                                                 "ManagedBy": "pulumi"}  # fmt: skip


def test_a_stack_without_provider_settings_sends_only_region_and_tags(dev: StackRun) -> None:
    inputs = dev.one(PROVIDER).inputs
    # (and the two the SDK always sends: skipCredentialsValidation false, skipRegionValidation true)
    assert set(inputs) - {"version"} == {"region", "defaultTags", "skipCredentialsValidation", "skipRegionValidation"}


@pytest.mark.parametrize(("overrides", "problem"), [
    ({"aws:allowedAccountIds": ["210987654321"]},
     f'aws:allowedAccountIds: ["210987654321"] does not list the caller\'s account {ACCOUNT} (allowed: deploy with '
     "credentials of a listed account, or list it)"),
    ({"aws:forbiddenAccountIds": [ACCOUNT]},
     f'aws:forbiddenAccountIds: ["{ACCOUNT}"] lists the caller\'s account {ACCOUNT} (allowed: credentials of another '
     "account)"),
    ({"aws:allowedAccountIds": [123456789012]},
     "aws:allowedAccountIds[0]: 123456789012 is not an AWS account ID (allowed: 12 digits, as a string)"),
    ({"aws:defaultTags": {"tags": {"Stack": "other"}}},
     "aws:defaultTags.tags.Stack: is also one of the platform's tags (allowed: another key; set the stack's own tags "
     "in ecs-platform:tags)"),
    ({"aws:skipMetadataApiCheck": "yes"}, 'aws:skipMetadataApiCheck: "yes" is not a boolean (allowed: true, false)'),
    ({"aws:retryMode": "fast"}, 'aws:retryMode: "fast" is not allowed (allowed: standard, adaptive)'),
    ({"aws:assumeRole": {"roleArn": f"arn:aws:iam::{ACCOUNT}:role/ci"}},
     "aws:assumeRole: is a key of pulumi-aws v6, which the pinned v7 no longer reads: the provider would act without "
     "it (allowed: aws:assumeRoles, a list of {roleArn, sessionName, ...})"),
])  # fmt: skip
def test_a_provider_setting_that_cannot_apply_is_refused_before_anything_is_registered(
    overrides: dict[str, Any], problem: str
) -> None:
    run = run_program("dev", overrides)
    assert isinstance(run.error, ConfigError), run.error
    assert problem in run.error.problems, run.error.problems
    assert run.resources == []


def test_an_unknown_aws_key_is_refused_rather_than_dropped() -> None:
    run = run_program("dev", {"aws:allowedAcountIds": [ACCOUNT]})
    assert isinstance(run.error, ConfigError), run.error
    [problem] = run.error.problems
    assert problem.startswith("aws:allowedAcountIds: unknown key (allowed: accessKey, allowedAccountIds, ")
    assert run.resources == []


# --- secrets never echoed in a problem message ------------------------------------------------

SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"  # AWS's documentation example


@pytest.mark.parametrize(("overrides", "problem", "secret"), [
    ({"aws:secretKey": " \t "}, "aws:secretKey: <secret, 3 characters> is not a non-empty string", " \t "),
    ({"services.web.secrets": {"DB_PASSWORD": "hunter2-hunter2"}},
     "ecs-platform:services.web.secrets.DB_PASSWORD: <secret, 15 characters> is not a secret reference", "hunter2"),
    ({"services.web.secrets": {"DB_URL": "postgres://app:pa55word@db:5432/app"}},
     "ecs-platform:services.web.secrets.DB_URL: <secret, 35 characters> is not a secret reference", "pa55word"),
    ({"services.web.environment": {"AWS_KEY_ID": "AKIAIOSFODNN7EXAMPLE\x00"}},
     "ecs-platform:services.web.environment.AWS_KEY_ID: the value contains a NUL character", "AKIAIOSFODNN7EXAMPLE"),
])  # fmt: skip
def test_a_bad_secret_value_is_named_by_its_size_never_echoed(
    overrides: dict[str, Any], problem: str, secret: str
) -> None:
    run = run_program("dev", overrides)
    assert isinstance(run.error, ConfigError), run.error
    assert any(p.startswith(problem) for p in run.error.problems), run.error.problems
    assert secret not in str(run.error)
    assert run.resources == []


@pytest.mark.parametrize(("settings", "problem", "secret"), [
    ({"secretKey": [SECRET_KEY], "accessKey": "AKIAIOSFODNN7EXAMPLE"},
     "aws:secretKey: <secret> is not a non-empty string", "EXAMPLEKEY"),
    ({"accessKey": 12345678, "secretKey": SECRET_KEY}, "aws:accessKey: <secret> is not a non-empty string", "12345678"),
    ({"token": {"value": "FwoGZXIvYXdzEJr"}}, "aws:token: <secret> is not a non-empty string", "FwoGZXIvYXdzEJr"),
    ({"assumeRoleWithWebIdentity": {"webIdentityToken": ["eyJhbGciOiJSUzI1NiJ9"]}},
     "aws:assumeRoleWithWebIdentity.webIdentityToken: <secret> is not a non-empty string", "eyJhbGciOiJSUzI1NiJ9"),
    # the whole block is of the wrong kind: what it holds under a secret's name is hidden too
    ({"assumeRoleWithWebIdentity": [{"webIdentityToken": "eyJhbGciOiJSUzI1NiJ9"}]},
     'aws:assumeRoleWithWebIdentity: [{"webIdentityToken": "<secret, 20 characters>"}]', "eyJhbGciOiJSUzI1NiJ9"),
])  # fmt: skip
def test_a_provider_secret_of_the_wrong_kind_is_never_echoed(
    settings: dict[str, Any], problem: str, secret: str
) -> None:
    from ecs_platform import config

    with pytest.raises(ConfigError) as exc:
        config.load({}, stack="dev", region="us-east-1", aws_provider=settings)
    assert any(p.startswith(problem) for p in exc.value.problems), exc.value.problems
    assert secret not in str(exc.value)


def test_a_python_caller_gets_the_same_redaction() -> None:
    from tests.test_validation import spec_problems

    problems = spec_problems(lambda: AwsProviderSpec(secret_key=[SECRET_KEY]))
    assert problems == ["AwsProviderSpec.secret_key: <secret> is not a non-empty string"]


def test_a_value_that_looks_like_a_credential_is_redacted_under_any_key() -> None:
    from ecs_platform.errors import hide_secret, show

    message = f"{show(SECRET_KEY)} is not allowed (allowed: a, b)"
    assert hide_secret(message, SECRET_KEY) == "<secret, 40 characters> is not allowed (allowed: a, b)"
    # an ARN names a secret, it is not one: shown
    arn = "arn:aws:secretsmanager:us-east-1:210987654321:secret:db-AbCdEf"
    assert hide_secret(f"{show(arn)} is bad", arn, secret=True) == f"{show(arn)} is bad"


def test_a_config_key_set_as_a_secret_is_never_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    from pulumi.runtime import config as runtime_config

    from ecs_platform import config

    monkeypatch.setattr(runtime_config, "is_config_secret", lambda key: key == "ecs-platform:desiredCount")
    with pytest.raises(ConfigError) as exc:
        config.load({"desiredCount": "s3cr3t-count"}, stack="dev", region="us-east-1")
    assert "ecs-platform:desiredCount: <secret, 12 characters> is not an integer" in exc.value.problems[0]
    assert "s3cr3t" not in str(exc.value)
