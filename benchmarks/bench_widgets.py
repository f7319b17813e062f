"""Benchmark: the interactive form's edit latency and build time, in-process.

Targets (issue 5): median at most 100 ms from a widget value change to refreshed scores and
chart specs over 100 edits; at most 1 s to build the form for the default framework.
Prints the figures; exits 1 if a target is missed. Run ``python benchmarks/bench_widgets.py``.
``--altair`` also times the opt-in ``charts="altair"`` mode (informational, no budget): the first
build (Altair import and the offline JupyterChart bundle), later builds and the edit latency.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

EDIT_BUDGET_S = 0.100
BUILD_BUDGET_S = 1.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=100)
    parser.add_argument("--altair", action="store_true",
                        help='also time the charts="altair" mode (informational)')
    args = parser.parse_args(argv)

    start = time.perf_counter()
    from assessment.core.framework import load_framework
    from assessment.intake.samples import sample_workbooks
    from assessment.interactive.form import AssessmentForm

    framework = load_framework()
    imported = time.perf_counter()
    AssessmentForm(framework)
    first = time.perf_counter() - imported
    imports = imported - start
    builds = []
    for _ in range(5):
        start = time.perf_counter()
        AssessmentForm(framework)
        builds.append(time.perf_counter() - start)
    build = statistics.median(builds)

    form = AssessmentForm(framework, sample_workbooks()[0])
    rows = [r for r in form.kpi_rows.values() if r.kpi.unit == "percent"]
    latencies = []
    for i in range(args.edits):
        row = rows[i % len(rows)]
        before = form.chart_data.get("elements")
        start = time.perf_counter()
        row.current.widget.value = str(40 + i % 50 + 0.5)  # a new value each time
        latencies.append(time.perf_counter() - start)
        assert form.chart_data.get("elements") is not before, "charts were not refreshed"
    assert form.errors.value == "", form.errors.value
    edit = statistics.median(latencies)

    print(f"imports + framework load: {imports * 1000:.0f} ms; first build in the process: "
          f"{first * 1000:.0f} ms")
    print(f"form build (default framework, median of 5): {build * 1000:.0f} ms "
          f"(budget {BUILD_BUDGET_S * 1000:.0f} ms)")
    print(f"edit -> scores + chart specs, median of {args.edits}: {edit * 1000:.1f} ms, "
          f"p90 {sorted(latencies)[int(0.9 * len(latencies))] * 1000:.1f} ms "
          f"(budget {EDIT_BUDGET_S * 1000:.0f} ms)")
    if args.altair:
        altair_mode(framework, sample_workbooks()[0], args.edits)
    ok = max(first, build) <= BUILD_BUDGET_S and edit <= EDIT_BUDGET_S
    print("OK" if ok else "MISSED")
    return 0 if ok else 1


def altair_mode(framework: object, sample: object, edits: int) -> None:
    """Print the charts="altair" figures (alt.JupyterChart, offline bundle); no budget."""
    from assessment.interactive.form import AssessmentForm

    start = time.perf_counter()
    AssessmentForm(framework, charts="altair")
    first = time.perf_counter() - start
    builds = []
    for _ in range(3):
        start = time.perf_counter()
        AssessmentForm(framework, charts="altair")
        builds.append(time.perf_counter() - start)
    form = AssessmentForm(framework, sample, charts="altair")
    rows = [r for r in form.kpi_rows.values() if r.kpi.unit == "percent"]
    latencies = []
    for i in range(edits):
        start = time.perf_counter()
        rows[i % len(rows)].current.widget.value = str(40 + i % 50 + 0.5)
        latencies.append(time.perf_counter() - start)
    assert form.errors.value == "", form.errors.value
    print(f'charts="altair": first build {first * 1000:.0f} ms (Altair import + offline bundle); '
          f"build median of 3 {statistics.median(builds) * 1000:.0f} ms; edit median of {edits} "
          f"{statistics.median(latencies) * 1000:.1f} ms, "
          f"p90 {sorted(latencies)[int(0.9 * len(latencies))] * 1000:.1f} ms (informational)")


if __name__ == "__main__":
    sys.exit(main())
