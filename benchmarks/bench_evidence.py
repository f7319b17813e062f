"""Benchmark: ticket evidence (methodology §11) from 10 million tickets, DuckDB against pandas.

What it does, on demand (never part of ``make test``):

1. Generates, once, a synthetic ``generic`` ticket export of ``--rows`` tickets (default
   10,000,000) in ``--cache`` (default ``benchmarks/.cache/``, git-ignored), reproducibly
   (every value is a fixed hash of the row number and ``--seed``; DuckDB's COPY writes it):
   - a CSV with ISO 8601 timestamps ending in ``Z`` (one row in ten written with ``+01:00``);
   - a Parquet file with typed columns (TIMESTAMP WITH TIME ZONE, INTEGER counts, BOOLEAN
     flags), as a warehouse export would be.
   About 0.1% of rows are bad: unparsable creation dates (NULL in the typed Parquet),
   resolution before creation, repeated ticket ids and negative reopen counts, in equal parts.
   A file already in the cache is reused; delete it to regenerate.
2. Times the real command ``support-excellence evidence tickets FILE --system generic --json
   OUT`` for each file (``--runs`` runs, default 3; the median is quoted), measuring wall
   seconds, CPU seconds (user + system), peak RSS (the child's own ``ru_maxrss``, from
   ``os.wait4``) and rows per second. CPU seconds barely move when other work shares the
   machine; wall seconds do: with load, run it again.
   While the command is not installed, ``ticket_evidence(FILE)`` is timed in a fresh Python.
3. Times the same computation in plain pandas in its own process, interleaved with the runs
   above (``read_csv``/``read_parquet``, ``to_datetime(utc=True)``, the same row exclusions in
   the same order, the same KPIs), reports pandas seconds / DuckDB seconds (the median of the
   run-by-run ratios, each pandas run right after its DuckDB run), and checks that
   both give the same KPI values (relative 1e-9), counts and excluded rows per reason: a
   benchmark of two different computations would be worthless.
4. Prints a table and the goals, PASS or FAIL each: Parquet < 5 s, CSV < 20 s, peak RSS
   < 1 GB, at least 3x faster than pandas. Exit status 1 when a goal fails or the two
   computations disagree.

    .venv/bin/python benchmarks/bench_evidence.py [--rows N] [--runs N] [--only parquet]

pandas needs pyarrow to read Parquet: ``pip install -e '.[bench]'``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "benchmarks" / ".cache"
FORMATS = ("parquet", "csv")
GOAL_SECONDS = {"parquet": 5.0, "csv": 20.0}
GOAL_RSS_MB = 1024.0
GOAL_RATIO = 3.0
REL_TOL = 1e-9
#: Share of rows for each kind of bad row (4 kinds, 0.1% of rows in all).
BAD_SHARE = 0.00025
KPIS = ("first_contact_resolution", "time_to_first_response", "time_to_resolve",
        "reopen_rate", "escalation_rate", "sla_attainment", "cases_per_engineer_month")
REASON_ORDER = ("missing_id", "duplicate_id", "unparsable_timestamp", "missing_created",
                "responded_before_created", "resolved_before_created", "unparsable_count",
                "negative_count", "missing_count", "unparsable_flag")


# ----------------------------------------------------------------------------- the data

def _generator_sql(rows: int, seed: int) -> str:
    """One row per ticket in canonical values (UTC wall times as TIMESTAMP) and its bad kind."""
    def u(k: int) -> str:  # a uniform number in [0, 1), fixed by (row, k, seed)
        return f"(CAST(hash(i, {k}, {seed}) % 1000000 AS DOUBLE) / 1e6)"

    bad = u(1)
    b1, b2, b3, b4 = (BAD_SHARE * k for k in (1, 2, 3, 4))
    return f"""
    WITH g AS (
      SELECT i,
        TIMESTAMP '2024-01-01 00:00:00'
          + to_seconds(CAST(floor({u(2)} * 366 * 86400) AS BIGINT)) AS c,
        CASE WHEN {bad} < {b1} THEN 'unparsable'
             WHEN {bad} < {b2} THEN 'resolved_early'
             WHEN {bad} < {b3} AND i > 1000 THEN 'duplicate'
             WHEN {bad} < {b4} THEN 'negative'
        END AS bad,
        {u(3)} AS u_first, {u(4)} AS u_first_gap, {u(5)} AS u_res, {u(6)} AS u_res_gap,
        {u(7)} AS u_reopen, {u(8)} AS u_replies, {u(9)} AS u_esc, {u(10)} AS u_sla,
        {u(11)} AS u_sla_met, {u(12)} AS u_offset, hash(i, 13, {seed}) AS h_agent,
        hash(i, 14, {seed}) AS h_channel
      FROM range(1, {rows} + 1) r(i))
    SELECT i,
      'T' || lpad(CAST(CASE WHEN bad = 'duplicate' THEN i - 1000 ELSE i END AS VARCHAR),
                  9, '0') AS ticket_id,
      c,
      CASE WHEN u_first < 0.04 THEN NULL
           ELSE c + to_seconds(1 + CAST(floor(-ln(1 - u_first_gap) * 4 * 3600) AS BIGINT))
      END AS f,
      CASE WHEN bad = 'resolved_early'
             THEN c - to_seconds(60 + CAST(floor(u_res_gap * 48 * 3600) AS BIGINT))
           WHEN u_res < 0.07 THEN NULL
           ELSE c + to_seconds(60 + CAST(floor(-ln(1 - u_res_gap) * 30 * 3600) AS BIGINT))
      END AS r,
      CASE WHEN bad = 'negative' THEN -1
           WHEN u_reopen < 0.88 THEN 0 WHEN u_reopen < 0.97 THEN 1 ELSE 2 END AS reopens,
      CAST(least(floor(-ln(1 - u_replies) * 1.5), 12) AS INTEGER) AS agent_replies,
      'agent-' || lpad(CAST(h_agent % 400 AS VARCHAR), 3, '0') AS assignee,
      ['email', 'chat', 'phone', 'web'][1 + CAST(h_channel % 4 AS INTEGER)] AS channel,
      u_esc < 0.06 AS escalated,
      CASE WHEN u_sla < 0.2 THEN NULL ELSE u_sla_met < 0.85 END AS sla_met,
      u_offset < 0.1 AS plus_one, bad
    FROM g"""


def _csv_sql(rows: int, seed: int) -> str:
    def stamp(col: str) -> str:
        return (f"CASE WHEN {col} IS NULL THEN NULL WHEN plus_one "
                f"THEN strftime({col} + INTERVAL 1 HOUR, '%Y-%m-%dT%H:%M:%S') || '+01:00' "
                f"ELSE strftime({col}, '%Y-%m-%dT%H:%M:%S') || 'Z' END")

    unparsable = ("CASE i % 3 WHEN 0 THEN 'not a date' WHEN 1 THEN '2024-02-30T10:00:00Z' "
                  "ELSE '31/12/2024 25:00' END")
    return f"""
    SELECT ticket_id,
      CASE WHEN bad = 'unparsable' THEN {unparsable} ELSE {stamp('c')} END AS created_at,
      {stamp('f')} AS first_response_at, {stamp('r')} AS resolved_at,
      reopens, agent_replies, assignee, channel,
      CASE WHEN escalated THEN 'true' ELSE 'false' END AS escalated,
      CASE WHEN sla_met THEN 'true' WHEN NOT sla_met THEN 'false' END AS sla_met
    FROM ({_generator_sql(rows, seed)}) ORDER BY i"""


def _parquet_sql(rows: int, seed: int) -> str:
    def tz(col: str) -> str:  # the session runs in UTC
        return f"CAST({col} AS TIMESTAMPTZ)"

    return f"""
    SELECT ticket_id,
      CASE WHEN bad = 'unparsable' THEN NULL ELSE {tz('c')} END AS created_at,
      {tz('f')} AS first_response_at, {tz('r')} AS resolved_at,
      CAST(reopens AS INTEGER) AS reopens, CAST(agent_replies AS INTEGER) AS agent_replies,
      assignee, channel, escalated, sla_met
    FROM ({_generator_sql(rows, seed)}) ORDER BY i"""


def generate(cache: Path, rows: int, seed: int) -> dict[str, Path]:
    """The two export files for ``rows`` and ``seed``, written only when missing."""
    cache.mkdir(parents=True, exist_ok=True)
    paths = {fmt: cache / f"tickets-{rows}-seed{seed}.{fmt}" for fmt in FORMATS}
    for fmt, path in paths.items():
        if path.exists():
            continue
        print(f"generating {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} "
              f"({rows:,} rows) ...", flush=True)
        start = time.perf_counter()
        partial = path.with_name(path.name + ".partial")
        import duckdb

        con = duckdb.connect(":memory:")
        try:
            con.execute("SET TimeZone='UTC'")
            con.execute("SET preserve_insertion_order=true")
            con.execute(f"SET temp_directory='{tempfile.gettempdir()}/bench-evidence-duckdb'")
            query = _csv_sql(rows, seed) if fmt == "csv" else _parquet_sql(rows, seed)
            options = "FORMAT csv, HEADER true" if fmt == "csv" else "FORMAT parquet"
            con.execute(f"COPY ({query}) TO '{partial}' ({options})")
        finally:
            con.close()
        partial.replace(path)
        print(f"  {path.stat().st_size / 1e6:,.0f} MB in {time.perf_counter() - start:.1f} s",
              flush=True)
    return paths


# ----------------------------------------------------------------------------- measuring

@dataclass
class Run:
    seconds: float
    peak_mb: float
    cpu: float  # user + system seconds: what a busy machine cannot inflate


@dataclass
class Side:
    """The runs of one computation on one file."""

    runs: list[Run] = field(default_factory=list)
    result: dict[str, Any] | None = None

    @property
    def median(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def peak(self) -> float:
        return max(r.peak_mb for r in self.runs)

    @property
    def cpu(self) -> float:
        return statistics.median(r.cpu for r in self.runs)


def measure(cmd: list[str], timeout: float) -> Run:
    """Wall seconds and peak RSS (MB) of one child process, or raises ``RuntimeError``."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, cwd=ROOT,
                                start_new_session=True)
        killer = threading.Timer(timeout, lambda: os.killpg(proc.pid, signal.SIGKILL))
        killer.start()
        try:
            _pid, status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
        seconds = time.perf_counter() - start
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        if code != 0:
            err.seek(0)
            tail = err.read().decode("utf-8", "replace").strip().splitlines()[-5:]
            raise RuntimeError(f"{' '.join(cmd)} exited with {code}:\n  " + "\n  ".join(tail))
    return Run(seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)


def engine_command(path: Path, out: Path) -> tuple[list[str], str]:
    """The command that computes the evidence with the toolkit, and how to describe it."""
    cli = Path(sys.executable).parent / "support-excellence"
    if cli.exists() and subprocess.run(
            [str(cli), "evidence", "tickets", "--help"], capture_output=True).returncode == 0:
        return ([str(cli), "evidence", "tickets", str(path), "--system", "generic",
                 "--json", str(out)],
                "support-excellence evidence tickets FILE --system generic --json OUT")
    code = ("import json, sys; from assessment.evidence.tickets import ticket_evidence; "
            "open(sys.argv[2], 'w').write(json.dumps(ticket_evidence(sys.argv[1]).to_json()))")
    return ([sys.executable, "-c", code, str(path), str(out)],
            "python -c 'ticket_evidence(FILE)' (the evidence command is not installed yet)")


def pandas_command(path: Path, out: Path, csv_engine: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--pandas-worker", str(path),
            "--pandas-out", str(out), "--pandas-csv-engine", csv_engine]


# ----------------------------------------------------------------------------- pandas

def pandas_evidence(path: Path, csv_engine: str = "c") -> dict[str, Any]:
    """The §11 ticket KPIs of a ``generic`` export, in plain pandas: the same exclusions in
    the same order (those that can occur in this data) and the same definitions."""
    import numpy as np
    import pandas as pd

    stamps = ("created_at", "first_response_at", "resolved_at")
    if path.suffix == ".parquet":
        df = pd.read_parquet(path)
    else:
        dtypes = {"ticket_id": str, "assignee": str, "channel": str,
                  "reopens": "float64", "agent_replies": "float64",
                  "escalated": "boolean", "sla_met": "boolean", **dict.fromkeys(stamps, str)}
        df = pd.read_csv(path, dtype=dtypes, keep_default_na=False, na_values=[""],
                         engine=csv_engine)
    parsed: dict[str, pd.Series] = {}
    bad_ts = pd.Series(False, index=df.index)
    for col in stamps:
        raw = df[col]
        if pd.api.types.is_datetime64_any_dtype(raw):
            parsed[col] = raw.dt.tz_convert("UTC") if raw.dt.tz else raw.dt.tz_localize("UTC")
        else:
            parsed[col] = pd.to_datetime(raw, utc=True, format="ISO8601", errors="coerce")
            bad_ts |= raw.notna() & parsed[col].isna()
    c, f, r = parsed["created_at"], parsed["first_response_at"], parsed["resolved_at"]
    ro = df["reopens"].astype("float64")
    ar = df["agent_replies"].astype("float64")
    ident = df["ticket_id"]
    conditions = {
        "missing_id": ident.isna(),
        "duplicate_id": ident.notna() & ident.duplicated(keep="first"),
        "unparsable_timestamp": bad_ts,
        "missing_created": c.isna(),
        "responded_before_created": (f < c).fillna(False),
        "resolved_before_created": (r < c).fillna(False),
        "unparsable_count": (ro.notna() & (ro != np.floor(ro)))
        | (ar.notna() & (ar != np.floor(ar))),
        "negative_count": (ro < 0) | (ar < 0),
        "missing_count": r.notna() & (ro.isna() | ar.isna()),
    }
    reason = pd.Series(pd.NA, index=df.index, dtype="object")
    open_ = pd.Series(True, index=df.index)
    excluded: dict[str, int] = {}
    for name, cond in conditions.items():  # each row under its first reason
        hit = open_ & cond.to_numpy(dtype=bool)
        if hit.any():
            excluded[name] = int(hit.sum())
            reason[hit] = name
        open_ &= ~hit
    keep = open_.to_numpy()
    c, f, r, ro, ar = c[keep], f[keep], r[keep], ro[keep], ar[keep]
    resolved = r.notna()
    n_resolved = int(resolved.sum())

    def micro(delta: pd.Series) -> np.ndarray:
        return delta.dropna().to_numpy().astype("timedelta64[us]").astype("int64")

    esc, sla = df["escalated"][keep], df["sla_met"][keep]
    esc_n, sla_n = int(esc.notna().sum()), int(sla.notna().sum())
    days = (c.max() - c.min()).total_seconds() / 86400
    engineers = df["assignee"][keep][resolved].nunique()
    tickets = int(keep.sum())
    ttfr, ttr = micro(f - c), micro(r[resolved] - c[resolved])
    kpis = {
        "first_contact_resolution": (int((resolved & (ro == 0) & (ar <= 1)).sum()) / n_resolved,
                                     n_resolved),
        "time_to_first_response": (float(np.median(ttfr)) / 3_600_000_000, len(ttfr)),
        "time_to_resolve": (float(np.median(ttr)) / 3_600_000_000, len(ttr)),
        "reopen_rate": (int((resolved & (ro > 0)).sum()) / n_resolved, n_resolved),
        "escalation_rate": (int(esc.eq(True).sum()) / esc_n, esc_n),
        "sla_attainment": (int(sla.eq(True).sum()) / sla_n, sla_n),
        "cases_per_engineer_month": (n_resolved / engineers / (days / (365 / 12)), n_resolved),
    }
    return {"rows": len(df), "tickets": tickets, "days": days,
            "kpis": {k: {"value": v, "n": n} for k, (v, n) in kpis.items()},
            "assisted_cases": tickets * 365 / days, "excluded": excluded}


def from_engine(doc: dict[str, Any]) -> dict[str, Any]:
    """The figures of an evidence@1 document in :func:`pandas_evidence`'s shape."""
    excluded = {e["reason"]: e["rows"] for e in doc["excluded"]}
    kept = doc["source"]["rows"] - sum(excluded.values())
    return {"rows": doc["source"]["rows"], "tickets": kept, "days": doc["period"]["days"],
            "kpis": {k: {"value": doc["kpis"][k]["value"], "n": doc["kpis"][k]["n"]}
                     for k in KPIS if k in doc["kpis"]},
            "assisted_cases": doc["profile"].get("assisted_cases"), "excluded": excluded}


def differences(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """Where two results differ: values beyond relative 1e-9, counts at all."""
    out: list[str] = []

    def value(name: str, x: float | None, y: float | None) -> None:
        if x is None or y is None or not math.isclose(x, y, rel_tol=REL_TOL, abs_tol=0):
            out.append(f"{name}: {x!r} vs {y!r}")

    for key in ("rows", "tickets"):
        if a[key] != b[key]:
            out.append(f"{key}: {a[key]} vs {b[key]}")
    value("period days", a["days"], b["days"])
    value("assisted_cases", a["assisted_cases"], b["assisted_cases"])
    for kpi in KPIS:
        x, y = a["kpis"].get(kpi), b["kpis"].get(kpi)
        if x is None or y is None:
            out.append(f"{kpi}: {x} vs {y}")
            continue
        value(kpi, x["value"], y["value"])
        if x["n"] != y["n"]:
            out.append(f"{kpi} n: {x['n']} vs {y['n']}")
    if a["excluded"] != b["excluded"]:
        out.append(f"excluded rows: {a['excluded']} vs {b['excluded']}")
    return out


# ----------------------------------------------------------------------------- report

def _fmt_range(side: Side) -> str:
    times = [r.seconds for r in side.runs]
    return f"{side.median:.2f} ({min(times):.2f}-{max(times):.2f})"


def paired_ratio(duck: Side, pan: Side) -> float:
    """pandas seconds / DuckDB seconds, run by run (each pandas run follows its DuckDB run),
    the median of those: a machine whose speed drifts during the benchmark moves both sides
    of a pair alike."""
    return statistics.median(p.seconds / d.seconds
                             for d, p in zip(duck.runs, pan.runs, strict=False))


def report(rows: int, sides: dict[str, dict[str, Side]], agree: dict[str, list[str]],
           described: str) -> bool:
    """Prints the table and the goals; True when every goal passes and the results agree."""
    print(f"\ntimed: {described}")
    print(f"machine: {os.cpu_count()} cores\n")
    header = ("| format | rows | seconds, median (min-max) | CPU s | rows/s | peak RSS MB "
              "| pandas seconds, median (min-max) | pandas CPU s | pandas peak MB "
              "| pandas / DuckDB, median of pairs |")
    print(header)
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for fmt, side in sides.items():
        duck, pan = side["duckdb"], side.get("pandas")
        pandas_cells = (f"{_fmt_range(pan)} | {pan.cpu:.1f} | {pan.peak:,.0f} "
                        f"| {paired_ratio(duck, pan):.1f}x"
                        if pan and pan.runs else "- | - | - | -")
        print(f"| {fmt} | {rows:,} | {_fmt_range(duck)} | {duck.cpu:.1f} "
              f"| {rows / duck.median:,.0f} "
              f"| {duck.peak:,.0f} | {pandas_cells} |")
    print("\ngoals:")
    ok = True

    def goal(text: str, passed: bool | None) -> None:
        nonlocal ok
        verdict = "n/a " if passed is None else "PASS" if passed else "FAIL"
        ok &= passed is not False
        print(f"  {verdict}  {text}")

    for fmt, side in sides.items():
        duck, pan = side["duckdb"], side.get("pandas")
        limit = GOAL_SECONDS[fmt]
        goal(f"{fmt}: median {duck.median:.2f} s < {limit:.0f} s", duck.median < limit)
        goal(f"{fmt}: peak RSS {duck.peak:,.0f} MB < {GOAL_RSS_MB:,.0f} MB",
             duck.peak < GOAL_RSS_MB)
        if pan and pan.runs:
            ratio = paired_ratio(duck, pan)
            goal(f"{fmt}: {ratio:.1f}x faster than pandas >= {GOAL_RATIO:.0f}x",
                 ratio >= GOAL_RATIO)
        else:
            goal(f"{fmt}: >= {GOAL_RATIO:.0f}x faster than pandas (not measured)", None)
    print("\nsame computation:")
    for what, diffs in agree.items():
        print(f"  {'AGREE   ' if not diffs else 'DISAGREE'}  {what}"
              + ("" if not diffs else ":\n      " + "\n      ".join(diffs)))
        ok &= not diffs
    return ok


# ----------------------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000_000,
                        help="tickets in the generated export (default 10,000,000)")
    parser.add_argument("--runs", type=int, default=3,
                        help="timed runs per command and format; the median is quoted "
                             "(default 3)")
    parser.add_argument("--seed", type=int, default=2026, help="generator seed (default 2026)")
    parser.add_argument("--cache", type=Path, default=CACHE,
                        help="folder of the generated files (default benchmarks/.cache/)")
    parser.add_argument("--only", choices=FORMATS, action="append",
                        help="time this format only (repeatable; default both)")
    parser.add_argument("--no-pandas", action="store_true",
                        help="skip the pandas side (no ratio and no agreement check)")
    parser.add_argument("--pandas-csv-engine", choices=("c", "pyarrow"), default="c",
                        help="read_csv engine of the pandas side (default c, pandas' own)")
    parser.add_argument("--timeout", type=float, default=900,
                        help="seconds before one run is killed (default 900)")
    parser.add_argument("--generate-only", action="store_true",
                        help="write the files into the cache and stop")
    parser.add_argument("--pandas-worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--pandas-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.pandas_worker:  # the child process of the pandas side
        result = pandas_evidence(args.pandas_worker, args.pandas_csv_engine)
        args.pandas_out.write_text(json.dumps(result))
        return 0

    if args.generate_only:
        generate(args.cache.resolve(), args.rows, args.seed)
        return 0
    # Generated in a child: a child's ru_maxrss starts from its parent's resident size at
    # fork, so a parent that had just held DuckDB's generator (GBs) would inflate every peak.
    subprocess.run([sys.executable, __file__, "--generate-only", "--rows", str(args.rows),
                    "--seed", str(args.seed), "--cache", str(args.cache)], check=True)
    paths = generate(args.cache.resolve(), args.rows, args.seed)  # in the cache: no work
    formats = [f for f in FORMATS if not args.only or f in args.only]
    work = Path(tempfile.mkdtemp(prefix="bench-evidence-"))
    sides: dict[str, dict[str, Side]] = {}
    agree: dict[str, list[str]] = {}
    described = ""
    try:
        for fmt in formats:
            path = paths[fmt]
            duck_out, pandas_out = work / f"{fmt}-duckdb.json", work / f"{fmt}-pandas.json"
            cmd, described = engine_command(path, duck_out)
            side = sides[fmt] = {"duckdb": Side()}
            if not args.no_pandas:
                side["pandas"] = Side()
            for run in range(1, args.runs + 1):  # interleaved: drift hits both sides alike
                side["duckdb"].runs.append(measure(cmd, args.timeout))
                last = side["duckdb"].runs[-1].seconds
                note = f"{fmt} run {run}/{args.runs}: DuckDB {last:.2f} s"
                if not args.no_pandas:
                    side["pandas"].runs.append(measure(
                        pandas_command(path, pandas_out, args.pandas_csv_engine), args.timeout))
                    note += f", pandas {side['pandas'].runs[-1].seconds:.2f} s"
                print(note, flush=True)
            side["duckdb"].result = from_engine(json.loads(duck_out.read_text()))
            if not args.no_pandas:
                side["pandas"].result = json.loads(pandas_out.read_text())
                agree[f"{fmt}: DuckDB and pandas (KPIs to 1e-9 relative, n, rows left out "
                      f"by reason)"] = differences(side["duckdb"].result,
                                                   side["pandas"].result)
        if len(sides) == 2:
            a, b = (sides[f]["duckdb"].result for f in FORMATS)
            same = [d for d in differences(a, b) if not d.startswith("excluded rows")]
            agree["DuckDB: Parquet and CSV (same tickets, same KPIs)"] = same
    except RuntimeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if report(args.rows, sides, agree, described) else 1


if __name__ == "__main__":
    raise SystemExit(main())
