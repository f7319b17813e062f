"""Benchmark: the framework loader and the scoring engine alone, in one warm process.

Times, side by side in one run:

- ``load_framework()``: the first call with libyaml's C parser, the first call with the
  pure-Python parser (libyaml hidden), and a cached call (the same bytes again);
- ``score_table(framework, intakes)``, the columnar engine (``assessment.core.table``), over N
  prepared synthetic organizations (default 10,000, as ``benchmarks/batch.py`` prepares them),
  best of 3: every score of methodology §2–§6, equal to ``score()``'s (tests/test_table.py;
  the index and renewal health are checked again here on every organization before timing);
- ``score(framework, intake)`` over the same organizations, best of 3: the full results.json
  structure of each (texts, money, plan, warnings), for comparison;
- a floor for any engine that returns results.json's structure as Python objects:
  ``pickle.loads`` of one organization's results (C code building the same dicts and lists),
  times N.

Target (issue 16): the engine scores 10,000 organizations in at most 0.5 s. The exit code is 1
if ``score_table`` misses it. Run ``python benchmarks/bench_engine.py [--orgs 10000]``.
"""

from __future__ import annotations

import argparse
import pickle
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).parent))

from batch import ENGINE_ORGS, engine_run, synthetic  # noqa: E402

from assessment.core import framework as fw_module  # noqa: E402
from assessment.core.scoring import score  # noqa: E402
from assessment.core.table import score_table  # noqa: E402

TARGET_ENGINE_S = 0.5


def best(fn: Callable[[], Any], repeat: int) -> float:
    """The fastest of ``repeat`` wall-clock timings of ``fn()``."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def first_load(pure_python: bool) -> float:
    """Seconds of a load_framework() that parses (the cache emptied first)."""
    saved = getattr(yaml, "CSafeLoader", None)
    if pure_python and saved is not None:
        del yaml.CSafeLoader
    try:
        def load() -> None:
            fw_module.clear_framework_cache()
            fw_module.load_framework()
        return best(load, 5)
    finally:
        if pure_python and saved is not None:
            yaml.CSafeLoader = saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=ENGINE_ORGS,
                        help=f"synthetic organizations (default {ENGINE_ORGS:,})")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)

    c_parser = getattr(yaml, "CSafeLoader", None) is not None
    c_first = first_load(pure_python=False) if c_parser else None
    py_first = first_load(pure_python=True)
    framework = fw_module.load_framework()
    cached = best(lambda: [fw_module.load_framework() for _ in range(1000)], 3) / 1000

    rng = random.Random(args.seed)
    prepared = [synthetic(framework, rng, i) for i in range(args.orgs)]
    table = score_table(framework, prepared)
    for row, data in enumerate(prepared):
        full = score(framework, data)
        if (full["index"]["score"], full["renewal"]["health"]) != (
                table.record(row)["index"]["score"], table.record(row)["renewal"]["health"]):
            raise SystemExit(f"score_table and score() disagree on organization {row}")
    table_s = best(lambda: score_table(framework, prepared), 3)
    table_10k = table_s / args.orgs * ENGINE_ORGS
    engine_s = min(engine_run(framework, prepared) for _ in range(3))
    per_org = engine_s / args.orgs
    blob = pickle.dumps(score(framework, prepared[0]), protocol=pickle.HIGHEST_PROTOCOL)
    floor = best(lambda: [pickle.loads(blob) for _ in range(200)], 5) / 200

    print(f"load_framework, first call, C parser          "
          f"{'n/a (no libyaml)' if c_first is None else f'{c_first * 1000:8.1f} ms'}")
    print(f"load_framework, first call, pure Python       {py_first * 1000:8.1f} ms")
    print(f"load_framework, cached (same bytes again)     {cached * 1e6:8.1f} µs")
    ok = table_10k <= TARGET_ENGINE_S
    print(f"score_table(), {args.orgs:,} organizations (best of 3)  {table_s:8.3f} s   "
          f"= {table_10k:.3f} s per 10,000; target <= {TARGET_ENGINE_S} s: "
          f"{'met' if ok else 'MISSED'}")
    print(f"score(), {args.orgs:,} organizations (best of 3)  {engine_s:8.2f} s   "
          f"= {per_org * 1e6:.0f} µs each, full results ({engine_s / table_s:.0f}x "
          "score_table)")
    print(f"floor: pickle.loads of one organization's results  {floor * 1e6:8.1f} µs   "
          f"= {floor * ENGINE_ORGS:.2f} s per 10,000")
    print(f"reproduce: python benchmarks/bench_engine.py --orgs {args.orgs} --seed {args.seed}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
