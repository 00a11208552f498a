"""Values left from the example stacks: AWS's documentation accounts, reserved example domains
and documentation address blocks. The offline preview and the tests accept them; a real
``pulumi preview`` / ``up`` refuses each, naming its key (``specs.platform.context_problems``)."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from ecs_platform import facts as f
from ecs_platform.errors import secret_path, show_safe
from ecs_platform.specs.base import Loc


def placeholder_problems(spec: BaseModel) -> list[tuple[Loc, str]]:
    """Every value that is still a placeholder of the example stacks: an ARN or registry of
    AWS's documentation example accounts, a host in a reserved example domain, or a CIDR block
    in a documentation address block."""
    out: list[tuple[Loc, str]] = []

    def walk(value: Any, loc: Loc) -> None:
        if isinstance(value, Mapping):
            for key, item in value.items():
                walk(item, (*loc, str(key)))
        elif isinstance(value, (list, tuple)):
            for i, item in enumerate(value):
                walk(item, (*loc, i))
        elif isinstance(value, str):
            shown = show_safe(value, secret_path("", loc))
            account = next((a for a in f.EXAMPLE_ACCOUNT_IDS if re.search(rf"(?<!\d){a}(?!\d)", value)), None)
            if account is not None:
                out.append((loc, f"{shown} is a placeholder: {account} is AWS's documentation example "
                            "account (allowed: your own value, in your account; replace it in the stack file "
                            "before deploying)"))  # fmt: skip
            elif f.EXAMPLE_DOMAIN_RE.search(value):
                out.append((loc, f"{shown} is a placeholder: example.com/.net/.org are reserved example "
                            "domains (allowed: your own domain; replace it in the stack file before "
                            "deploying)"))  # fmt: skip
            elif (block := _example_block(value)) is not None:
                out.append((loc, f"{shown} is a placeholder: {block} is reserved for documentation (RFC "
                            "5737) and reaches no one (allowed: your own network's CIDR block; replace it in the "
                            "stack file before deploying)"))  # fmt: skip

    walk(spec.model_dump(by_alias=True, exclude_defaults=True), ())
    return out


def _example_block(value: str) -> str | None:
    """The documentation block (``facts.EXAMPLE_CIDRS``) an IPv4 CIDR block lies in, if any."""
    if "/" not in value:
        return None
    try:
        net = ipaddress.IPv4Network(value, strict=False)
    except ValueError:
        return None
    return next((b for b in f.EXAMPLE_CIDRS if net.subnet_of(ipaddress.IPv4Network(b))), None)
