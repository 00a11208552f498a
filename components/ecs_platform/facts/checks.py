"""The shared definitions of a credential in plain environment, a wildcard and a root user
(config validation and the policy pack use these same functions), tags, and secret ARNs."""

from __future__ import annotations

import functools
import re

from ecs_platform.facts.limits import NUMERIC_USER_RE

# Plain environment variables whose name says they carry a credential (the
# credential word ends the name, optionally followed by a number: DB_PASSWORD,
# DB_PASS, DB_PWD, GITHUB_TOKEN, dbPassword, API_KEY_2, but not TOKEN_URL, PASSWORD_FILE
# or the shell's PWD).
# They belong in `secrets` (injected from Secrets Manager / SSM at task start, never
# stored in the task definition). Security Hub ECS.8 checks the AWS ones:
# AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, ECS_ENGINE_AUTH_DATA.
# https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-8
CREDENTIAL_NAME_RE = re.compile(
    r"((^|_)(SECRET|PASSWORD|PASSWD|PASS|PASSPHRASE|TOKEN|API_?KEY|SECRET_?KEY|ACCESS_KEY|ACCESS_KEY_ID|"
    r"PRIVATE_?KEY|SIGNING_?KEY|ENCRYPTION_?KEY|MASTER_?KEY|CREDENTIALS?|AUTH_DATA)|_PWD)(_?[0-9]+)?$",
    re.IGNORECASE,
)
#: An AWS access key id: ``AKIA`` (long-term) or ``ASIA`` (temporary) and 16 upper-case letters or
#: digits. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids
AWS_ACCESS_KEY_VALUE_RE = re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b")
#: An AWS secret access key: 40 characters of base64 (letters, digits, / and +) standing
#: alone; random, so it mixes upper case, lower case and digits (a 40-character hex
#: SHA-1, such as a git commit, does not).
AWS_SECRET_KEY_VALUE_RE = re.compile(
    r"(?<![A-Za-z0-9/+])(?=[A-Za-z0-9/+]*[A-Z])(?=[A-Za-z0-9/+]*[a-z])(?=[A-Za-z0-9/+]*[0-9])"
    r"[A-Za-z0-9+][A-Za-z0-9/+]{39}(?![A-Za-z0-9/+=])"
)
#: A URL carrying a password in its user info: scheme://user:password@host (RFC 3986 3.2.1).
#: A scheme is a letter then letters, digits, ``+``, ``.`` or ``-``; the search starts only where
#: a run of those characters starts (and asks for a letter in it), so a long value is read once,
#: not once per character (a 64 KiB value took 10 s).
URL_PASSWORD_RE = re.compile(r"(?<![A-Za-z0-9+.-])(?=[0-9+.-]*[A-Za-z])[A-Za-z0-9+.-]*://[^/\s:@]*:[^/\s@]+@")
#: A PEM private key's header (RFC 7468: ``PRIVATE KEY``, ``RSA PRIVATE KEY``, ...).
PRIVATE_KEY_RE = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")
_CREDENTIAL_VALUES = (
    ("an AWS access key id", AWS_ACCESS_KEY_VALUE_RE),
    ("an AWS secret access key", AWS_SECRET_KEY_VALUE_RE),
    ("a URL with an inline password", URL_PASSWORD_RE),
    ("a private key", PRIVATE_KEY_RE),
)


def credential_in(name: str = "", value: str = "") -> str | None:
    """What gives a plain environment variable away as a credential, or ``None``.

    The one definition of "a credential in plain environment" (Security Hub ECS.8),
    used by config validation and by the policy pack: ``"its name"`` when ``name``
    ends in a credential word (camelCase counts: ``dbPassword``), else what ``value``
    looks like (``"an AWS access key id"``, ``"an AWS secret access key"``,
    ``"a URL with an inline password"``, ``"a private key"``).
    """
    if name and CREDENTIAL_NAME_RE.search(re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)):
        return "its name"
    for what, pattern in _CREDENTIAL_VALUES:
        if value and pattern.search(value):
            return what
    return None


def is_wildcard(pattern: str) -> bool:
    """Whether an IAM action or resource pattern stands for everything of its kind.

    The one definition of "a wildcard", used by config validation and by the policy
    pack. IAM matches ``*`` (any run of characters) and ``?`` (any one character) in
    actions, case-insensitively, and in each colon-separated field of a resource ARN
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html,
    .../reference_policies_elements_resource.html). A wildcard is then:

    * a pattern of wildcard characters only: ``*``, ``**``, ``?*``;
    * an action whose service prefix has a wildcard (``*:*``, ``*:GetObject``,
      ``s?:GetObject``) or whose action name is wildcard characters only
      (``s3:*``, ``s3:**``, ``s3:?*``);
    * an ARN whose service has a wildcard (``arn:aws:*:...``), whose resource part is
      wildcard characters and separators only (``arn:aws:s3:::*``, ``arn:aws:s3:*:*:*``,
      ``arn:aws:s3:::*/*``), or that stops short of its six fields with a wildcard
      (``arn:*``, ``arn:aws:s3:*``).

    A pattern that names part of something stays specific: ``s3:Get*``,
    ``arn:aws:s3:::my-bucket/*``, ``arn:...:secret:db-??????``. Whether an action may
    use a wildcard resource at all is not this function's question.
    """
    p = pattern.strip()
    if _wild_only(p):
        return True
    if p[:4].lower() == "arn:":
        fields = p.split(":", 5)
        if len(fields) < 6:
            return any(c in field for field in fields[1:] for c in "*?")
        service, resource = fields[2], fields[5]
        return any(c in service for c in "*?") or _wild_only(re.sub(r"[/:]", "", resource))
    service, colon, action = p.partition(":")
    return bool(colon) and (any(c in service for c in "*?") or _wild_only(action))


def _wild_only(text: str) -> bool:
    return "*" in text and set(text) <= {"*", "?"}


#: What AWS accepts in tag keys and values (ELBv2, ECS, EC2 share it):
#: letters, digits, spaces and _ . : / = + - @.
#: Only the space character, not tabs or newlines ("Tag naming limits and requirements",
#: https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html). Used with fullmatch.
TAG_TEXT_RE = re.compile(r"[\w .:/=+\-@]*")
#: Tags per resource (same page): 50; tags whose key starts with aws: do not count.
MAX_TAGS = 50

#: Stacks whose name says production: plain HTTP there needs a written waiver.
PROD_STACK_RE = re.compile(r"^prod(uction)?($|[-_])")


def numeric_user(user: str) -> tuple[int, int] | None:
    """``(uid, gid)`` of a numeric ``uid`` or ``uid:gid`` (gid defaults to the uid), else ``None``."""
    m = NUMERIC_USER_RE.match(user)
    if m is None:
        return None
    uid = int(m.group(1))
    return uid, int(m.group(2)) if m.group(2) is not None else uid


_UID_RE = re.compile(r"[+-]?[0-9]+")


def is_root_user(user: str) -> bool:
    """Whether ECS's container ``user`` (``user``, ``user:group``, ``uid``, ``uid:gid``,
    ``uid:group``, ``user:gid``) runs the process as root.

    The one definition of "a root user", used by config validation and by the policy
    pack (Security Hub ECS.20). The user part (before the first ``:``, whitespace around
    it ignored) is root when it is ``root`` in any case, or a number equal to 0 in any
    spelling Docker's parser accepts (Go's ``strconv.Atoi``: ``0``, ``00``, ``+0``,
    ``-0``). An empty user part (``":1000"``) leaves the image's user, often root, so it
    counts as root too.
    """
    name = user.split(":", 1)[0].strip()
    if not name or name.lower() == "root":
        return True
    return bool(_UID_RE.fullmatch(name)) and int(name) == 0


def secret_iam_resources(arn: str) -> list[str]:
    """The IAM resources for the secret a container's ``valueFrom`` points at.

    ECS accepts ``<secret-arn>:<json-key>:<stage>:<version>``; IAM wants the
    secret's own ARN, which ends in a 6-character random suffix. A name written
    without it gets ``-??????`` (exactly that secret, whatever its suffix). A
    name that ends in a hyphen and six letters or digits may be either, so it
    gets both forms.
    """
    if ":secretsmanager:" not in arn:
        return [arn]
    base = ":".join(arn.split(":")[:7])
    if re.search(r"-[A-Za-z0-9]{6}$", base):
        return [base, base + "-??????"]
    return [base + "-??????"]


@functools.cache
def dns_suffix(partition: str) -> str:
    """The DNS suffix of a partition's service endpoints (``amazonaws.com``, ``amazonaws.com.cn``,
    ...), from botocore's endpoint data (the machine form of "AWS service endpoints"); service
    endpoint names such as ``kms:ViaService`` values end in it."""
    from botocore.loaders import Loader  # the endpoint data loads on first use only

    for entry in Loader().load_data("endpoints")["partitions"]:
        if entry["partition"] == partition:
            return str(entry["dnsSuffix"])
    raise ValueError(f"unknown partition {partition!r}")


def via_service(arn: str) -> str:
    """The ``kms:ViaService`` value of the service that decrypts the secret or parameter ``arn``
    for ECS: Secrets Manager or Systems Manager of the secret's region.
    https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service"""
    _, partition, service, region = arn.split(":")[:4]
    return f"{'secretsmanager' if service == 'secretsmanager' else 'ssm'}.{region}.{dns_suffix(partition)}"
