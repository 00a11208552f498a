"""Offline preview: ``python -m ecs_platform.tools.preview <stack> [--json | --mermaid] [--config key=value ...]``.

Runs the real ``__main__.py`` for ``Pulumi.<stack>.yaml`` through the mock
cloud (no Pulumi CLI, no plugins, no AWS credentials) and prints the resource
tree, counts, exports and an estimated monthly cost; with ``--mermaid``, a Mermaid
flowchart of the stack instead.

Exit status: 0 on success, 1 when the configuration is invalid (the messages
are printed, no traceback) or the program fails, 2 on bad usage.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from ecs_platform.config import PROJECT
from ecs_platform.errors import ConfigError
from ecs_platform.tools import stack_yaml
from ecs_platform.tools.mock_cloud import run_program
from ecs_platform.tools.preview import mermaid, report
from ecs_platform.tools.preview.cost import estimate


def _override(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is not key=value")
    return key.strip(), value


def parse_overrides(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """``KEY=VALUE`` overrides to plain values (VALUE is YAML, empty means the empty
    string); every value that is not plain YAML is a :class:`ConfigError` line."""
    out: dict[str, Any] = {}
    problems: list[str] = []
    for key, text in pairs:
        path = key if ":" in key.split(".")[0] else f"{PROJECT}:{key}"
        if key in out:
            problems.append(f"{path}: given twice with --config (allowed: each key once)")
            continue
        try:
            out[key] = stack_yaml.load(text, path) if text.strip() else ""
        except ConfigError as exc:
            problems += exc.problems
    if problems:
        raise ConfigError(problems)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ecs_platform.tools.preview", description=__doc__.splitlines()[0])
    parser.add_argument(
        "stack", nargs="?", default="dev", help="stack name: reads Pulumi.<stack>.yaml (default: dev)"
    )
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print JSON (stable order, diffable)")
    output.add_argument("--mermaid", action="store_true", help="print a Mermaid flowchart of the stack")
    parser.add_argument(
        "--config",
        action="append",
        type=_override,
        default=[],
        metavar="KEY=VALUE",
        help="override a config key (repeatable); KEY may omit 'ecs-platform:', VALUE is YAML",
    )
    parser.add_argument("--no-cost", action="store_true", help="skip the cost estimate")
    args = parser.parse_args(argv)

    try:
        run = run_program(args.stack, parse_overrides(args.config))
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if isinstance(run.error, ConfigError):
        print(f"error: {run.error}", file=sys.stderr)
        return 1
    if run.error is not None:
        print(f"error: the program failed: {type(run.error).__name__}: {run.error}", file=sys.stderr)
        return 1
    if args.mermaid:
        sys.stdout.write(mermaid.flowchart(run))
        return 0
    cost = None if args.no_cost else estimate(run)
    sys.stdout.write(report.as_json(run, cost) if args.json else report.text(run, cost))
    return 0


if __name__ == "__main__":
    status = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # The mock engine leaves per-thread event loops behind; at interpreter
    # teardown their finalizers can print spurious "Exception ignored" noise.
    # Everything is written: leave without running the finalizers.
    os._exit(status)
