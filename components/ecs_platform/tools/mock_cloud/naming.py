"""Names as Pulumi and AWS give them: auto-names (with the provider's length limits), the
auto-named property of each type, which types are taggable, stable fake hex ids."""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Mapping
from typing import Any


def fake_hex(*parts: str, n: int = 17) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:n]


#: Auto-named properties other than ``name`` (pulumi-aws provider/resources.go).
_AUTONAMED = {"aws:s3/bucket:Bucket": "bucket", "aws:s3/bucketV2:BucketV2": "bucket",
              "aws:efs/fileSystem:FileSystem": "creationToken"}  # fmt: skip
#: pulumi-aws's own maximum for an auto-name where it is not the bridge default of 255:
#: provider/aliases.go (aws_lb_target_group: AutoName("name", 32, "-")); S3 buckets 63.
_AUTONAME_MAX = {"aws:lb/targetGroup:TargetGroup": 32, "aws:s3/bucket:Bucket": 63, "aws:s3/bucketV2:BucketV2": 63}


def _sdk_class(typ: str) -> Any:
    if not typ.startswith("aws:"):
        return None
    module = typ.split(":")[1].split("/")[0]
    try:
        return getattr(importlib.import_module(f"pulumi_aws.{module}"), typ.rsplit(":", 1)[-1] + "Args", None)
    except ImportError:
        return None


def autonamed_property(typ: str) -> str | None:
    """The property Pulumi fills with an auto-name when the program gives none: ``name`` for
    every pulumi-aws resource with a ``name`` input (the provider's setAutonaming), or the
    type's own (``bucket``, ``creationToken``)."""
    if typ in _AUTONAMED:
        return _AUTONAMED[typ]
    args = _sdk_class(typ)
    return "name" if args is not None and isinstance(getattr(args, "name", None), property) else None


def autoname(typ: str, logical_name: str, inputs: Mapping[str, Any] | None = None) -> str:
    """The name Pulumi gives: ``<logical name>-<7 hex>`` (random there, hashed here), never
    truncated: over the provider's maximum, ``pulumi up`` fails, and so does the mock. With
    ``namePrefix``, the AWS provider appends a 26-character unique id instead."""
    prefix = (inputs or {}).get("namePrefix")
    if prefix:
        return f"{prefix}{int(fake_hex(logical_name, n=16), 16) % 10**26:026d}"
    max_len = _AUTONAME_MAX.get(typ, 255)
    if len(logical_name) + 8 > max_len:
        raise ValueError(f"could not make instance of '{typ}': name '{logical_name}-' plus 7 random chars "
                         f"is longer than maximum length {max_len}")  # fmt: skip
    name = f"{logical_name}-{fake_hex(logical_name, n=7)}"
    return name.lower() if typ in ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2") else name


def taggable(typ: str) -> bool:
    """Whether pulumi-aws gives this resource type ``tags``/``tagsAll`` (its class says)."""
    if not typ.startswith("aws:"):
        return False
    module = typ.split(":")[1].split("/")[0]
    cls = typ.rsplit(":", 1)[-1]
    try:
        klass = getattr(importlib.import_module(f"pulumi_aws.{module}"), cls)
    except (ImportError, AttributeError):
        return False
    return hasattr(klass, "tags_all")
