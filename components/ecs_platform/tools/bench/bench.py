"""Benchmark: evaluate generated stacks of 1, 10 and 50 services through the
offline preview, against a flat program registering the same AWS resources.

    venv/bin/python -m ecs_platform.tools.bench.bench            # the table (3 runs each, median)
    venv/bin/python -m ecs_platform.tools.bench.bench --runs 5

Each measurement runs in a fresh process (``--one KIND N``) so peak memory is
that evaluation's alone. Wall time covers the evaluation (``run_program``), not
interpreter start-up and imports, which both kinds share; peak memory is the
process's maximum resident set. Run by hand, not in CI: the figures depend on
the machine.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter
from typing import Any

from ecs_platform.tools.mock_cloud import ROOT

SIZES = (1, 10, 50)
BUDGET = 1.25


def measure(kind: str, n: int) -> dict[str, Any]:
    """One evaluation in this process."""
    import pulumi_aws  # noqa: F401  - imported before timing, as the platform's are
    import pulumi_awsx  # noqa: F401

    from ecs_platform.tools.bench import flat_program, generate
    from ecs_platform.tools.mock_cloud import run_program

    start = time.perf_counter()
    if kind == "ours":
        run = run_program("prod", generate.overrides(n))
    else:
        run = run_program("prod", config={"aws:region": "us-east-1"}, program=lambda: flat_program.program(n))
    wall = time.perf_counter() - start
    if run.error is not None:
        raise SystemExit(f"{kind} {n}: {run.error}")
    custom = Counter(r.type for r in run.resources if r.custom or r.remote)
    return {
        "kind": kind,
        "services": n,
        "wall_s": wall,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "registrations": len(run.resources),
        "aws_resources": sum(custom.values()),
        "types": dict(custom),
    }


def _subprocess(kind: str, n: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "ecs_platform.tools.bench.bench", "--one", kind, str(n)],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def table(runs: int) -> tuple[str, bool]:
    rows = []
    ok = True
    per_resource: list[float] = []
    for n in SIZES:
        samples = {kind: [_subprocess(kind, n) for _ in range(runs)] for kind in ("ours", "flat")}
        ours, flat = samples["ours"][0], samples["flat"][0]
        if ours["types"] != flat["types"]:
            raise SystemExit(
                f"{n} services: the programs register different resources:\n{ours['types']}\n{flat['types']}"
            )
        med = {
            k: {m: statistics.median(s[m] for s in v) for m in ("wall_s", "peak_rss_mib")}
            for k, v in samples.items()
        }
        time_ratio = med["ours"]["wall_s"] / med["flat"]["wall_s"]
        mem_ratio = med["ours"]["peak_rss_mib"] / med["flat"]["peak_rss_mib"]
        ms_per = 1000 * med["ours"]["wall_s"] / ours["registrations"]
        per_resource.append(ms_per)
        if n == max(SIZES):
            ok = time_ratio <= BUDGET and mem_ratio <= BUDGET
        rows.append(
            f"| {n} | {ours['aws_resources']} (+{ours['registrations'] - ours['aws_resources']} components) "
            f"| {med['ours']['wall_s']:.2f} s | {med['flat']['wall_s']:.2f} s | {time_ratio:.2f}x "
            f"| {med['ours']['peak_rss_mib']:.0f} MiB | {med['flat']['peak_rss_mib']:.0f} MiB "
            f"| {mem_ratio:.2f}x "
            f"| {ms_per:.2f} ms |"
        )
    flat_growth = per_resource[-1] <= per_resource[0] * BUDGET
    ok = ok and flat_growth
    head = (
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()} ({_cpus()} cores), Python "
        f"{platform.python_version()}, median of {runs} runs per cell.\n\n"
        "| services | AWS resources (ours) | ours | flat | time ratio | ours peak RSS | flat peak RSS "
        "| memory ratio | ours per registration |\n|---|---|---|---|---|---|---|---|---|\n"
    )
    verdict = (
        f"\nBudget (ours within {BUDGET}x of flat in time and memory at {max(SIZES)} services; time per "
        f"registration not growing): {'met' if ok else 'NOT met'}.\n"
    )
    return head + "\n".join(rows) + "\n" + verdict, ok


def _cpus() -> int:
    import os

    return os.cpu_count() or 0


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m ecs_platform.tools.bench.bench")
    parser.add_argument(
        "--one", nargs=2, metavar=("KIND", "N"), help="measure once: KIND ours|flat, N services"
    )
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if args.one:
        kind, n = args.one
        print(json.dumps(measure(kind, int(n))))
        return 0
    text, ok = table(args.runs)
    print(text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
