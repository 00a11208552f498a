"""Values left from the example stacks: refused outside the offline preview, where they would deploy
into nobody's account."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ecs_platform import facts as f
from ecs_platform.errors import show
from ecs_platform.specs.base import Loc, Spec


def placeholder_problems(spec: Spec) -> list[tuple[Loc, str]]:
    """Every value that is still a placeholder of the example stacks: an ARN or registry of
    AWS's documentation example accounts, or a host in a reserved example domain."""
    out: list[tuple[Loc, str]] = []

    def walk(value: Any, loc: Loc) -> None:
        if isinstance(value, Mapping):
            for key, item in value.items():
                walk(item, (*loc, str(key)))
        elif isinstance(value, (list, tuple)):
            for i, item in enumerate(value):
                walk(item, (*loc, i))
        elif isinstance(value, str):
            account = next((a for a in f.EXAMPLE_ACCOUNT_IDS if re.search(rf"(?<!\d){a}(?!\d)", value)), None)
            if account is not None:
                out.append((loc, f"{show(value)} is a placeholder: {account} is AWS's documentation example "
                            "account (allowed: your own value, in your account; replace it in the stack file "
                            "before deploying)"))  # fmt: skip
            elif f.EXAMPLE_DOMAIN_RE.search(value):
                out.append((loc, f"{show(value)} is a placeholder: example.com/.net/.org are reserved example "
                            "domains (allowed: your own domain; replace it in the stack file before "
                            "deploying)"))  # fmt: skip

    walk(spec.model_dump(by_alias=True, exclude_defaults=True), ())
    return out
