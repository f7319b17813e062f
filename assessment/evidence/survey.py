"""Survey figures from raw responses, computed by DuckDB (methodology §11 and §6).

- ``csat`` (1–5): the share of 4–5 answers, with Wilson's 95% interval;
- ``nps`` (0–10): % promoters (9–10) minus % detractors (0–6), in points, with §11's interval;
- ``ces`` (1–7): the share agreeing (5–7), with Wilson's interval;
- ``expectations``: one row per respondent with a ``group`` column (``customer`` or ``staff``);
  customers rate each dimension's importance and performance, staff its priority
  (``<dimension>.importance``, ``<dimension>.performance``, ``<dimension>.priority``, 1–5).
  Each rating's mean, standard deviation and n; a dimension with fewer than 5 respondents in a
  group is flagged.

Every row that cannot be used is left out under a reason (:data:`REASONS`).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import math
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assessment.core.errors import ExportError, InputError, Issue
from assessment.core.evidence import (
    FIRST_ROWS,
    MIN_RESPONDENTS,
    Z95,
    EvidenceFigure,
    EvidenceReport,
    Exclusion,
    nps_interval,
    wilson,
)
from assessment.core.model import RATING_KEYS
from assessment.evidence.files import (
    ExportFile,
    check_timezone,
    connect,
    error_line,
    fetch,
    open_export,
    sql_name,
)

REASONS: dict[str, str] = {
    "blank": "no answer",
    "not_a_number": "the answer is not a number",
    "outside_scale": "the answer is not a whole number on the scale",
    "unknown_group": "the group is neither customer nor staff",
    "unparsable_timestamp": "the response date cannot be read as ISO 8601",
}
#: Which group gives which rating (methodology §6): customers I and P, staff T.
GROUP_RATINGS: dict[str, tuple[str, ...]] = {
    "customer": ("importance", "performance"), "staff": ("priority",)}
RATING_WORDS = {"importance": "importance to customers",
                "performance": "performance as customers see it",
                "priority": "the support team's own priority"}
#: The date column read for the period, when the file has it.
DATE_COLUMN = "responded_at"


@dataclass(frozen=True)
class Scale:
    """One score survey: its KPI, scale and how an answer counts."""

    kpi: str
    low: int
    high: int
    top_from: int
    definition: str


SCALES: dict[str, Scale] = {
    "csat": Scale("csat", 1, 5, 4, "answers of 4 or 5 on the 1–5 satisfaction scale / answers"),
    "nps": Scale("nps", 0, 10, 9, "% of answers 9–10 (promoters) minus % of answers 0–6 "
                                  "(detractors), in points"),
    "ces": Scale("customer_effort_score", 1, 7, 5,
                 "answers of 5 to 7 (agree it was easy) on the 1–7 effort scale / answers"),
}
KINDS: tuple[str, ...] = (*SCALES, "expectations")


def survey_evidence(path: str | Path, kind: str, *, column: str | None = None,
                    dimensions: Sequence[str] = (), tz: str | None = None,
                    encoding: str = "auto", delimiter: str = "auto") -> EvidenceReport:
    """The figures of one survey file, or raises :class:`ExportError`.

    ``column`` names the answer column of a score survey (default: the kind, e.g. ``nps``);
    ``dimensions`` are the expectation dimensions of the framework (expectations kind)."""
    if kind not in KINDS:
        raise ExportError([Issue(f"unknown survey kind {kind!r}",
                                 "use one of " + ", ".join(KINDS))])
    try:
        zone = check_timezone(tz)
    except ValueError as error:
        raise ExportError([Issue(str(error), "fix --tz", path=Path(path).name)],
                          source=str(path)) from None
    with tempfile.TemporaryDirectory(prefix="support-excellence-survey-") as folder:
        if Path(path).suffix.lower() in (".xlsx", ".xlsm"):
            export = _workbook_as_csv(Path(path), Path(folder))
        else:
            export = open_export(path, encoding=encoding, delimiter=delimiter,
                                 formats=("csv", "xlsx"))
        return _compute(export, kind, column, dimensions, zone)


def _compute(export: ExportFile, kind: str, column: str | None, dimensions: Sequence[str],
             zone: str) -> EvidenceReport:
    con = connect(zone, export)
    try:
        header = _header(con, export)
        if kind == "expectations":
            return _expectations(con, export, header, list(dimensions))
        return _scores(con, export, header, SCALES[kind], kind, column or kind)
    finally:
        con.close()


def _workbook_as_csv(path: Path, folder: Path) -> ExportFile:
    """A survey workbook's first sheet as a CSV for DuckDB, read with the intake's hardened
    reader (size, zip and XML checks; defusedxml). Row numbers stay the sheet's own."""
    from assessment.intake.reader import open_workbook

    if not path.is_file():
        raise ExportError([Issue("the file does not exist", "give the path of a CSV or .xlsx "
                                 "file of survey responses", path=path.name)], source=str(path))
    try:
        _formulas, values, _notes = open_workbook(path)
    except InputError as error:
        raise ExportError(error.issues, source=str(path)) from None
    ws = values.worksheets[0]
    target = folder / "responses.csv"
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        for row in ws.iter_rows(values_only=True):
            writer.writerow(["" if v is None else _cell_text(v) for v in row])
    export = open_export(target, encoding="utf-8", delimiter="comma", formats=("csv",))
    return dataclasses.replace(export, original=path, digest=_digest(path),
                               size=path.stat().st_size)


def _cell_text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _header(con: Any, export: ExportFile) -> list[str]:
    try:
        rows = con.execute(f"DESCRIBE SELECT * FROM {export.table()}").fetchall()
    except Exception as error:  # noqa: BLE001 - DuckDB names the line
        raise ExportError([Issue(f"the file cannot be read as CSV: {error_line(error)}",
                                 "export it again, or set --encoding/--delimiter",
                                 path=export.name)]) from None
    return [str(r[0]) for r in rows]


def _missing(export: ExportFile, columns: list[str], header: list[str], hint: str) -> ExportError:
    found = ", ".join(f"'{h}'" for h in header[:30])
    return ExportError([Issue("required columns are missing: " + ", ".join(
        f"'{c}'" for c in columns) + f". Columns in the file: {found}", hint,
        path=export.name)], source=str(export.path))


def _date_sql(header: list[str]) -> tuple[str, str]:
    if DATE_COLUMN not in header:
        return "CAST(NULL AS TIMESTAMPTZ)", "false"
    text = f"nullif(trim({sql_name(DATE_COLUMN)}), '')"
    value = f"try_cast({text} AS TIMESTAMPTZ)"
    return value, f"({text} IS NOT NULL AND {value} IS NULL)"


def _scores(con: Any, export: ExportFile, header: list[str], scale: Scale, kind: str,
            column: str) -> EvidenceReport:
    if column not in header:
        raise _missing(export, [column], header,
                       f"name the answer column with --column (the {kind} survey's 0–10 or "
                       "1–N answers)")
    text = f"nullif(trim({sql_name(column)}), '')"
    date, bad_date = _date_sql(header)
    sql = f"""
    WITH raw AS (SELECT row_number() OVER () + 1 AS _row, {text} AS t,
                        try_cast({text} AS DOUBLE) AS x, {date} AS d, {bad_date} AS bad_d
                 FROM {export.table()}),
    q AS (SELECT *, CASE
            WHEN t IS NULL THEN 'blank'
            WHEN x IS NULL OR isinf(x) THEN 'not_a_number'
            WHEN x <> floor(x) OR x < {scale.low} OR x > {scale.high} THEN 'outside_scale'
            WHEN bad_d THEN 'unparsable_timestamp' END AS reason FROM raw)
    SELECT reason, count(*), min(_row, {FIRST_ROWS}),
           count(*) FILTER (x >= {scale.top_from}), count(*) FILTER (x <= 6),
           min(d), max(d)
    FROM q GROUP BY reason"""
    groups = fetch(con, export, sql)
    ok = next((g for g in groups if g[0] is None), (None, 0, [], 0, 0, None, None))
    n, top, low = ok[1], ok[3], ok[4]
    p_from, p_to = _day(ok[5]), _day(ok[6])
    label = f"{export.name} ({kind} survey)"
    figures: list[EvidenceFigure] = []
    unavailable: list[tuple[str, str]] = []
    if not n:
        unavailable.append((scale.kpi, "no usable answer in the file"))
    elif kind == "nps":
        figures.append(EvidenceFigure("kpi", scale.kpi, 100 * (top - low) / n, n,
                                      scale.definition, nps_interval(top, low, n),
                                      period_from=p_from, period_to=p_to, source=label))
    else:
        figures.append(EvidenceFigure("kpi", scale.kpi, top / n, n, scale.definition,
                                      wilson(top, n), period_from=p_from, period_to=p_to,
                                      source=label))
    return EvidenceReport(
        kind=kind, source=dict(export.source(), rows=sum(g[1] for g in groups),
                               column=column, scale=[scale.low, scale.high]),
        period_from=p_from, period_to=p_to, period_days=_days(ok[5], ok[6]),
        figures=figures, unavailable=unavailable, excluded=_excluded(groups))


def _expectations(con: Any, export: ExportFile, header: list[str],
                  dimensions: list[str]) -> EvidenceReport:
    columns = {(dim, rating): f"{dim}.{rating}" for dim in dimensions
               for ratings in GROUP_RATINGS.values() for rating in ratings
               if f"{dim}.{rating}" in header}
    if "group" not in header or not columns:
        wanted = ["group"] if "group" not in header else []
        wanted += [] if columns else [f"{dimensions[0]}.importance" if dimensions
                                      else "<dimension>.importance", "…"]
        raise _missing(export, wanted, header,
                       "one row per respondent: a 'group' column (customer or staff) and "
                       "columns '<dimension>.importance', '<dimension>.performance' (customers)"
                       " and '<dimension>.priority' (staff), rated 1–5 (docs/evidence.md)")
    group = "lower(nullif(trim(\"group\"), ''))"
    values = {key: f"nullif(trim({sql_name(col)}), '')" for key, col in columns.items()}
    nan = " OR ".join(f"({v} IS NOT NULL AND try_cast({v} AS DOUBLE) IS NULL)"
                      for v in values.values())
    out = " OR ".join(f"(try_cast({v} AS DOUBLE) NOT IN (1, 2, 3, 4, 5))"
                      for v in values.values())
    date, bad_date = _date_sql(header)
    stats = []
    for (_dim, rating), v in values.items():
        who = "customer" if rating in GROUP_RATINGS["customer"] else "staff"
        x, only = f"try_cast({v} AS DOUBLE)", f"FILTER (g = '{who}')"
        stats += [f"avg({x}) {only}", f"stddev_samp({x}) {only}", f"count({x}) {only}"]
    sql = f"""
    WITH raw AS (SELECT row_number() OVER () + 1 AS _row, {group} AS g, {date} AS d,
                        {bad_date} AS bad_d, ({nan}) AS nan, coalesce({out}, false) AS out, *
                 FROM {export.table()}),
    q AS (SELECT *, CASE
            WHEN g IS NULL OR g NOT IN ('customer', 'staff') THEN 'unknown_group'
            WHEN nan THEN 'not_a_number'
            WHEN out THEN 'outside_scale'
            WHEN bad_d THEN 'unparsable_timestamp' END AS reason FROM raw)
    SELECT reason, count(*), min(_row, {FIRST_ROWS}), 0, 0, min(d), max(d), {', '.join(stats)}
    FROM q GROUP BY reason"""
    groups = fetch(con, export, sql)
    ok = next((g for g in groups if g[0] is None), None)
    p_from, p_to = (_day(ok[5]), _day(ok[6])) if ok else (None, None)
    label = f"{export.name} (expectation survey)"
    summary: dict[str, dict[str, Any]] = {}
    figures: list[EvidenceFigure] = []
    for i, (dim, rating) in enumerate(columns):
        mean, sd, n = (ok[7 + 3 * i: 10 + 3 * i] if ok else (None, None, 0))
        summary.setdefault(dim, {})[rating] = {"mean": mean, "sd": sd, "n": n}
    for dim, ratings in summary.items():
        flagged = any(r["n"] < MIN_RESPONDENTS for r in ratings.values())
        ratings["flagged"] = flagged
        for rating in RATING_KEYS:
            r = ratings.get(rating)
            if not r or not r["n"]:
                continue
            half = Z95 * r["sd"] / math.sqrt(r["n"]) if r["sd"] is not None else None
            figures.append(EvidenceFigure(
                "expectation", f"{dim}.{rating}", r["mean"], r["n"],
                f"mean of the {'customers' if rating != 'priority' else 'staff members'}' "
                f"ratings of "
                f"{RATING_WORDS[rating]} (1–5)",
                None if half is None else (max(1.0, r["mean"] - half),
                                           min(5.0, r["mean"] + half)), sd=r["sd"],
                period_from=p_from, period_to=p_to, source=label, flagged=flagged,
                note=f"fewer than {MIN_RESPONDENTS} respondents" if flagged else ""))
    unavailable = [(f"{dim}", "no rating column for this dimension")
                   for dim in dimensions if dim not in summary]
    return EvidenceReport(
        kind="expectations", source=dict(export.source(), rows=sum(g[1] for g in groups)),
        period_from=p_from, period_to=p_to,
        period_days=_days(ok[5], ok[6]) if ok else None, figures=figures,
        unavailable=unavailable, excluded=_excluded(groups), expectations=summary)


def _excluded(groups: list[tuple[Any, ...]]) -> list[Exclusion]:
    found = {g[0]: g for g in groups if g[0] is not None}
    return [Exclusion(reason, found[reason][1], tuple(found[reason][2]), REASONS[reason])
            for reason in REASONS if reason in found]


def _day(value: dt.datetime | None) -> str | None:
    return None if value is None else value.date().isoformat()


def _days(first: dt.datetime | None, last: dt.datetime | None) -> float | None:
    return None if first is None or last is None else (last - first).total_seconds() / 86400
