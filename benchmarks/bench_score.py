"""Benchmark: one ``support-excellence score`` run, Python start-up included.

Target (issue 3): at most 1.5 s wall for one organization on the project's 2-core machine.
Prints the wall-clock median of whole CLI runs, an in-process breakdown by stage, the HTML's
size, and side-by-side ratios (against the budget, and static SVG charts against Vega-drawn
ones). Run with ``make benchmark`` or ``python benchmarks/bench_score.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BUDGET_S = 1.5


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def cli_runs(intake: Path, runs: int) -> list[float]:
    """Wall time of whole ``python -m assessment score`` processes."""
    times = []
    with tempfile.TemporaryDirectory() as out:
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "assessment", "score", str(intake),
                            "--out", out, "--quiet"], check=True, capture_output=True)
            times.append(time.perf_counter() - start)
    return times


def stages(intake: Path) -> dict[str, float]:
    """Seconds per pipeline stage, in this (already warm) process."""
    from assessment.core.framework import load_framework
    from assessment.core.scoring import score
    from assessment.intake.reader import read_intake
    from assessment.scorecard.excel import excel_bytes
    from assessment.scorecard.html import render_html
    from assessment.scorecard.outputs import results_json

    out: dict[str, float] = {}
    out["framework"], framework = timed(load_framework)
    out["intake"], data = timed(lambda: read_intake(intake, framework))
    out["scoring"], results = timed(lambda: score(framework, data))
    out["xlsx"], _ = timed(lambda: excel_bytes(results))
    out["html"], html = timed(lambda: render_html(results))
    out["json"], _ = timed(lambda: results_json(results))
    out["html (vega charts)"], _ = timed(lambda: render_html(results, charts="vega"))
    out["_html_bytes"] = len(html.encode("utf-8"))
    return out


def main(argv: list[str] | None = None) -> int:
    from assessment.intake.samples import sample_workbooks

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="CLI runs to time (default 5)")
    args = parser.parse_args(argv)
    intake = next(p for p in sample_workbooks() if "northwind" in p.name)

    wall = cli_runs(intake, args.runs)
    median = statistics.median(wall)
    parts = stages(intake)
    html_kb = parts.pop("_html_bytes") / 1024
    vega = parts.pop("html (vega charts)")

    print(f"score {intake.name}: median {median:.3f} s wall over {args.runs} runs "
          f"(min {min(wall):.3f}, max {max(wall):.3f}); budget {BUDGET_S:.1f} s")
    print(f"  budget ratio        {median / BUDGET_S:5.2f}x of budget "
          f"({'within' if median <= BUDGET_S else 'OVER'})")
    print(f"  HTML size           {html_kb:7.1f} KiB")
    print("  stages (warm process, seconds):")
    for name, seconds in parts.items():
        print(f"    {name:<10} {seconds:7.3f}")
    print(f"  HTML charts: static SVG {parts['html']:.3f} s vs Vega via vl-convert {vega:.3f} s "
          f"-> {vega / parts['html']:.0f}x faster")
    return 0 if median <= BUDGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
