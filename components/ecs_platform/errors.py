"""Bad input, reported as one line per problem: ``<key path>: <value> ... (allowed: ...)``.

:class:`ConfigError` is what every path raises: stack config (paths like
``ecs-platform:services.api.memory``), a spec built in Python (paths like
``ServiceSpec.memory``) and an Input-accepting field whose value only became
known during the deployment. It subclasses :class:`pulumi.RunError`, so
``pulumi up`` prints the message without a Python traceback.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi

from ecs_platform import program
from ecs_platform.facts.checks import credential_in


class ConfigError(pulumi.RunError):
    """Bad input found before any resource was registered.

    ``problems`` holds one line per problem.
    """

    def __init__(self, problems: Sequence[str], source: str = "configuration") -> None:
        self.problems = list(problems)
        self.source = source
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"invalid {source} ({len(self.problems)} problem(s)):\n{lines}")


def raise_if(problems: Sequence[str], source: str = "configuration") -> None:
    """Raise one :class:`ConfigError` listing every problem, if there are any (and remember,
    for :func:`deferred_error`, that the program was refused them)."""
    if problems:
        program.record_refusal(source, list(problems))
        raise ConfigError(problems, source)


#: The source of a problem found in a value known only during the deployment.
DEFERRED_SOURCE = "input (known during the deployment)"


def deferred_error(problems: Sequence[str]) -> BaseException:
    """The error for bad values that only became known during the deployment (an Output's).

    Such a check runs after the program body, while Pulumi waits for the registrations it
    gates; whichever of those fails first is what the engine reports, in place of the error
    the program itself raised. So a pending check never hides the program's own error: when
    the program raised one, that error is reported, with these problems added (to its
    problems if it is a :class:`ConfigError`, else as a note).
    """
    own = program.raised()
    if isinstance(own, ConfigError):
        return ConfigError(own.problems + list(problems), own.source)
    if isinstance(own, BaseException):
        own.add_note("Also found once values were known during the deployment:\n"
                     + "\n".join(f"  - {p}" for p in problems))  # fmt: skip
        return own
    earlier = program.refusals() if own is program.NOT_FOUND else []
    if not earlier:
        return ConfigError(problems, DEFERRED_SOURCE)
    return ConfigError([p for _, found in earlier for p in found] + list(problems), earlier[0][0])


def show(value: Any) -> str:
    """Render a value as the user wrote it (JSON, as in the stack file)."""
    if isinstance(value, pulumi.Output):
        return "a pulumi.Output"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, tuple):
        value = list(value)
    try:
        return json.dumps(value, sort_keys=True, default=_default)
    except (TypeError, ValueError):
        return repr(value)


def _default(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if hasattr(value, "model_dump"):
        return value.model_dump(by_alias=True, exclude_defaults=True)
    return str(value)


def allowed(values: Sequence[Any]) -> str:
    return ", ".join(str(v) for v in values)


# --- secrets never echoed -------------------------------------------------------------------

#: Keys whose values are secrets or point at them, besides the names ``credential_in`` flags
#: (``accessKey``, ``secretKey``, ``token``, ``DB_PASSWORD``, ``webIdentityToken``, ...): a value
#: under ``secrets`` or ``secretOptions`` that is not the ARN it should be is likely the secret.
SECRET_CONTAINERS = ("secrets", "secretOptions")


class Redacted:
    """A secret value as a problem message shows it: its kind and size, never its text."""

    def __init__(self, value: Any) -> None:
        n = len(value) if isinstance(value, str) else None
        self.text = "<secret>" if n is None else f"<secret, {n} character{'' if n == 1 else 's'}>"

    def __str__(self) -> str:
        return self.text


def is_secret_name(name: str) -> bool:
    """Whether a key's name marks its value as a secret."""
    return name in SECRET_CONTAINERS or credential_in(name=name) is not None


def secret_path(key: str, loc: Sequence[str | int]) -> bool:
    """Whether the value at ``loc`` under the config key ``key`` (``aws:secretKey``,
    ``ecs-platform:services``; empty for a spec built in Python) is a secret: a key on the way
    marks it (a problem with a map's key itself, pydantic's ``[key]``, shows the key), or Pulumi
    holds the config key as a secret (``pulumi config set --secret``)."""
    if "[key]" in loc:
        return False
    if any(isinstance(part, str) and is_secret_name(part) for part in loc):
        return True
    from pulumi.runtime.config import is_config_secret

    return bool(key) and ":" in key and is_config_secret(key)


def secret_safe(value: Any, secret: bool = False) -> Any:
    """``value`` with every secret part redacted: all of it when ``secret``, the values under
    keys that mark a secret, and any text that looks like a credential (an access key id, a
    secret access key, a URL with a password, a private key). An ARN stays: it names a secret
    (``secrets: {DB_PASSWORD: arn:...}``), it is not one."""
    if isinstance(value, str) and value.startswith("arn:") and not credential_in(value=value):
        return value
    if secret or (isinstance(value, str) and credential_in(value=value)):
        return Redacted(value)
    if isinstance(value, Mapping):
        return {k: secret_safe(v, isinstance(k, str) and is_secret_name(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [secret_safe(v) for v in value]
    return value


def show_safe(value: Any, secret: bool = False) -> str:
    """:func:`show` of :func:`secret_safe`: a redacted value reads ``<secret, 40 characters>``."""
    safe = secret_safe(value, secret)
    return safe.text if isinstance(safe, Redacted) else show(safe)


def hide_secret(message: str, value: Any, secret: bool = False) -> str:
    """``message`` (which may show ``value`` as :func:`show` renders it, or its text) with the
    secret parts of ``value`` redacted."""
    safe = show_safe(value, secret)
    shown = show(value)
    if safe == shown:
        return message
    message = message.replace(shown, safe)
    if isinstance(value, str) and len(value) >= 4:
        message = message.replace(value, safe)
    return message
