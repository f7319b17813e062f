"""Benchmark: ``support-excellence batch`` with warm kernels against a naive papermill loop.

Generates N deterministic synthetic intakes (default 100) around the bundled samples, then
times, in the same run:

- the whole batch command (``python -m assessment batch``: start-up, warm kernels, every
  scorecard notebook kept, the portfolio), per organization, amortized;
- a naive loop calling ``papermill`` once per intake (a new process and kernel each) on a
  subset, per organization;
- the scoring engine alone on 10,000 prepared organizations (``score_table``, the columnar
  engine; ``benchmarks/bench_engine.py`` sets it beside ``score()``);
- with ``--dask`` (needs the dask extra), the same batch on a local Dask cluster of as many
  worker processes (``batch --scheduler``), per organization, and its overhead over the local
  pool.

Targets (issue 16, on the project's 2-core machine): at most 0.08 s per organization amortized
with 2 workers, at least 40x faster than the naive loop, and at most 0.5 s for the engine on
10,000. The exit code is 1 if a target is missed. Run
``python benchmarks/batch.py [--n 100] [--naive 5] [--dask]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from assessment.batch.report import SUMMARY_NAME
from assessment.batch.runner import SCORECARD_NOTEBOOK, default_workers
from assessment.core.framework import Framework, load_framework
from assessment.core.model import NA, IntakeData
from assessment.core.scoring import score
from assessment.core.table import score_table
from assessment.intake.samples import sample_data, sample_names
from assessment.intake.template import write_intake

TARGET_PER_ORG_S = 0.08
TARGET_SPEEDUP = 40.0
TARGET_ENGINE_S = 0.5
ENGINE_ORGS = 10_000


@functools.cache
def samples() -> list[IntakeData]:
    return [sample_data(name) for name in sample_names()]


def synthetic(framework: Framework, rng: random.Random, number: int) -> IntakeData:
    """A plausible organization: a bundled sample with every value jittered."""
    base = samples()[number % len(samples())]
    current: dict[str, float | None] = {}
    for kpi in framework.kpis:
        value = base.current.get(kpi.id)
        if value is not None:
            lo, hi = framework.valid_range(kpi)
            value = value * rng.uniform(0.8, 1.2)
            value = min(hi, value) if hi is not None else value
            value = max(lo, value) if lo is not None else value
            value = round(value, 4)
        current[kpi.id] = value
    answers = {q: {item: a if a in (NA, None) else min(4, max(0, a + rng.choice((-1, 0, 0, 1))))
                   for item, a in items.items()} for q, items in base.answers.items()}
    ratings = {d: {k: v if v is None else float(min(5, max(1, round(v) + rng.choice((-1, 0, 1)))))
                   for k, v in r.items()} for d, r in base.ratings.items()}
    profile = {**base.profile, "organization": f"Synthetic Support {number:03d}"}
    return dataclasses.replace(base, profile=profile, current=current, answers=answers,
                               ratings=ratings, source="")


def write_intakes(framework: Framework, folder: Path, n: int, seed: int) -> list[Path]:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    return [write_intake(framework, synthetic(framework, rng, i), folder / f"org-{i:03d}.xlsx")
            for i in range(n)]


def timed_run(command: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):  # 1: the batch ran but something failed (checked later)
        sys.exit(f"{' '.join(command)} failed:\n{done.stderr}")
    return seconds


def engine_run(framework: Framework, prepared: list[IntakeData]) -> float:
    """Seconds of ``score()`` (the full results structure) over ``prepared``."""
    start = time.perf_counter()
    for data in prepared:
        score(framework, data)
    return time.perf_counter() - start


def table_run(framework: Framework, prepared: list[IntakeData]) -> float:
    """Seconds of ``score_table()`` (every score, columnar) over ``prepared``."""
    start = time.perf_counter()
    score_table(framework, prepared)
    return time.perf_counter() - start


def breakdown(summary: dict[str, Any], workers: int) -> str:
    """Where the batch's time went, from its batch-summary.json."""
    jobs = [entry["seconds"] for entry in summary["intakes"]]
    first = sorted(jobs)[-workers:]  # each worker's first notebook also starts its kernel
    return (f"  start-up (kernel + imports + first notebook, per worker) ~{max(first):.1f} s; "
            f"median notebook {statistics.median(jobs):.2f} s per worker "
            f"(= {statistics.median(jobs) / workers:.2f} s/org with {workers} workers); "
            f"portfolio {summary['portfolio'].get('seconds', 0):.1f} s")


def dask_batch(python: str, root: Path, args: argparse.Namespace) -> float:
    """Seconds per organization of the same batch on a local Dask cluster (``args.workers``
    single-threaded worker processes on 127.0.0.1), its outputs checked like the local run."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                      host="127.0.0.1", dashboard_address=None) as cluster:
        out = root / "dask"
        seconds = timed_run([python, "-m", "assessment", "batch", str(root / "intakes"),
                             "--out", str(out), "--scheduler", cluster.scheduler_address])
    counts = json.loads((out / SUMMARY_NAME).read_text(encoding="utf-8"))["counts"]
    if counts["succeeded"] != args.n:
        raise SystemExit(f"the Dask batch did not score every intake: {counts}")
    return seconds / args.n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100, help="synthetic intakes (default 100)")
    parser.add_argument("--naive", type=int, default=5,
                        help="intakes for the naive papermill loop (default 5)")
    parser.add_argument("--workers", type=int, default=default_workers(),
                        help="batch workers (default: min(2, CPUs))")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--dask", action="store_true",
                        help="also run the batch on a local Dask cluster with --workers worker "
                             "processes (batch --scheduler) and report its overhead")
    args = parser.parse_args(argv)
    framework = load_framework()
    python = sys.executable

    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        root = Path(tmp)
        start = time.perf_counter()
        intakes = write_intakes(framework, root / "intakes", args.n, args.seed)
        print(f"generated {len(intakes)} synthetic intakes in {time.perf_counter() - start:.1f} s "
              f"(seed {args.seed}); {os.cpu_count()} CPU(s), {args.workers} worker(s)")

        out = root / "batch"
        batch_s = timed_run([python, "-m", "assessment", "batch", str(root / "intakes"),
                             "--out", str(out), "--workers", str(args.workers)])
        summary = json.loads((out / SUMMARY_NAME).read_text(encoding="utf-8"))
        counts = summary["counts"]
        notebooks = len(list(out.glob("*/*-scorecard.ipynb")))
        if counts["succeeded"] != args.n:
            print(f"batch did not score every intake: {counts}", file=sys.stderr)
            return 1
        per_org = batch_s / args.n
        dask_per_org = dask_batch(python, root, args) if args.dask else None

        (root / "naive").mkdir()
        naive_times = [timed_run([python, "-m", "papermill", str(SCORECARD_NOTEBOOK),
                                  str(root / "naive" / f"{i}.ipynb"), "-p", "intake", str(p),
                                  "-p", "output_dir", str(root / "naive"),
                                  "--no-progress-bar"])
                       for i, p in enumerate(intakes[:args.naive])]
        naive_per_org = sum(naive_times) / len(naive_times)

    rng = random.Random(args.seed)
    prepared = [synthetic(framework, rng, i) for i in range(ENGINE_ORGS)]
    engine_s = min(table_run(framework, prepared) for _ in range(3))

    speedup = naive_per_org / per_org
    checks = [
        ("batch, per organization (amortized)", f"{per_org:.3f} s", per_org <= TARGET_PER_ORG_S,
         f"<= {TARGET_PER_ORG_S} s"),
        ("naive papermill loop, per organization", f"{naive_per_org:.2f} s", True, ""),
        ("speed-up over the naive loop", f"{speedup:.1f}x", speedup >= TARGET_SPEEDUP,
         f">= {TARGET_SPEEDUP:g}x"),
        (f"scoring engine, {ENGINE_ORGS:,} organizations (best of 3)", f"{engine_s:.3f} s",
         engine_s <= TARGET_ENGINE_S, f"<= {TARGET_ENGINE_S:g} s"),
    ]
    print(f"batch: {args.n} organizations in {batch_s:.1f} s wall ({notebooks} executed "
          f"notebooks kept, portfolio {summary['portfolio']['status']}); naive loop: "
          f"{len(naive_times)} organizations in {sum(naive_times):.1f} s")
    print(breakdown(summary, args.workers))
    if dask_per_org is not None:
        print(f"  {'the same batch on a local Dask cluster, per organization':<50} "
              f"{dask_per_org:>7.3f} s   overhead {dask_per_org / per_org:.2f}x the local pool")
    for name, figure, ok, target in checks:
        verdict = "" if not target else f"target {target}: {'met' if ok else 'MISSED'}"
        print(f"  {name:<50} {figure:>9}   {verdict}")
    print(f"reproduce: python benchmarks/batch.py --n {args.n} --naive {args.naive} "
          f"--workers {args.workers} --seed {args.seed}")
    return 0 if all(ok for _, _, ok, _ in checks) else 1


if __name__ == "__main__":
    raise SystemExit(main())
