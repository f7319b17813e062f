"""Ticket KPIs from a help-desk export, computed by DuckDB (methodology §11).

The export is read through its column mapping into the canonical columns, every row is checked
and either used or left out under the first reason that applies (:data:`REASONS`), and the KPIs
are aggregated in one streaming pass. Exports larger than memory stream; nothing becomes a
Python object per row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assessment.core.errors import ExportError, Issue
from assessment.core.evidence import (
    DAYS_PER_MONTH,
    FIRST_ROWS,
    EvidenceFigure,
    EvidenceReport,
    Exclusion,
    wilson,
)
from assessment.evidence.files import (
    ExportFile,
    check_timezone,
    connect,
    error_line,
    fetch,
    fetch_column,
    open_export,
    sql_name,
    sql_string,
)
from assessment.evidence.mapping import ColumnRule, Mapping, load_mapping

#: Why a row is left out, in the order the checks apply (each row counts once, under the
#: first), with the words a consultant reads.
REASONS: dict[str, str] = {
    "missing_id": "no ticket id",
    "duplicate_id": "the ticket id repeats an earlier row (the first row is kept)",
    "unparsable_timestamp": "a date/time that cannot be read with ISO 8601 or the mapping's "
                            "formats",
    "missing_created": "no creation time",
    "responded_before_created": "first response before creation",
    "resolved_before_created": "resolution before creation",
    "unparsable_count": "reopens or replies is not a whole number",
    "negative_count": "a negative count of reopens or replies",
    "missing_count": "a resolved ticket without its count of reopens or replies",
    "unparsable_flag": "an escalated or SLA value that is neither true nor false",
    "outside_period": "created outside --from/--to",
}
#: Each reason's number in SQL (a small integer is cheaper to carry than its name).
REASON_CODES: dict[str, int] = {reason: code for code, reason in enumerate(REASONS)}
REASONS_BY_CODE: tuple[str, ...] = tuple(REASONS)
#: The ticket KPIs (framework ids) in the order they are shown, and what each needs.
NEEDS: dict[str, tuple[str, ...]] = {
    "first_contact_resolution": ("reopens", "agent_replies"),
    "time_to_first_response": ("first_response_at",),
    "time_to_resolve": (),
    "reopen_rate": ("reopens",),
    "escalation_rate": ("escalated",),
    "sla_attainment": ("sla_met",),
    "cases_per_engineer_month": ("assignee",),
    "assisted_cases": (),
}
US_PER_HOUR = 3_600_000_000
#: Up to this many rows, repeated ticket ids are found by sorting their hashes in memory
#: (8 bytes a row); beyond, by DuckDB's hash aggregate, which spills to disk.
SORT_HASHES_MAX_ROWS = 40_000_000
_INTEGER = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
            "UINTEGER", "UBIGINT"}
_NUMERIC = _INTEGER | {"FLOAT", "DOUBLE"}


@dataclass(frozen=True)
class _Column:
    """A canonical column resolved against the file, in steps that DuckDB evaluates once each:
    ``text`` reads the file's cell (SQL over the file's columns), ``parsed`` converts it (over
    the alias ``t_<column>``), then ``value`` and ``bad``, whether the cell has a problem (over
    ``t_``, ``p_<column>`` the parsed value and ``o_<column>`` the offset's text)."""

    text: str
    parsed: str
    bad: str = "false"
    offset: str | None = None  # the offset column's text, for a time given as local + offset
    value: str | None = None  # when not the parsed value itself


def ticket_evidence(path: str | Path, *, system: str = "generic",
                    mapping: str | Path | None = None, tz: str | None = None,
                    date_from: dt.date | None = None, date_to: dt.date | None = None,
                    encoding: str = "auto", delimiter: str = "auto",
                    progress: Callable[[str], None] | None = None) -> EvidenceReport:
    """The ticket KPIs of §11 from one export, or raises :class:`ExportError`."""
    say = progress or (lambda _text: None)
    rules = load_mapping(mapping or system)
    try:
        zone = check_timezone(tz)
    except ValueError as error:
        raise ExportError([Issue(str(error), "fix --tz", path=Path(path).name)],
                          source=str(path)) from None
    if date_from and date_to and date_to < date_from:
        raise ExportError([Issue(f"--to {date_to} is before --from {date_from}",
                                 "give --from before --to", path=Path(path).name)],
                          source=str(path))
    export = open_export(path, encoding=encoding, delimiter=delimiter)
    con = connect(zone, export)
    try:
        return _Computation(con, export, rules, zone, date_from, date_to, say).run()
    finally:
        con.close()


class _Computation:
    """One export's computation on one DuckDB connection: resolve the mapping's columns
    against the file, check every row, aggregate."""

    def __init__(self, con: Any, export: ExportFile, mapping: Mapping, tz: str,
                 date_from: dt.date | None, date_to: dt.date | None,
                 say: Callable[[str], None]) -> None:
        self.con, self.export, self.mapping, self.tz = con, export, mapping, tz
        self.date_from, self.date_to, self.say = date_from, date_to, say
        self.unavailable: list[tuple[str, str]] = []  # canonical columns this file lacks
        self.skipped: list[tuple[str, str]] = []  # KPIs that cannot be computed, and why

    # ------------------------------------------------------------------ columns
    def run(self) -> EvidenceReport:
        self.say(f"reading {self.export.name}")
        header = self._header()
        cols = self._resolve(header)
        if self.export.format == "csv":
            self.say("parsing every row once")
        source = self._source(cols)
        self.say("checking ticket ids")
        dups = self._duplicates(source)
        if dups:
            self.say("ticket ids repeat: the first row of each is kept")
        self.say("computing the KPIs")
        return self._report(self._aggregate(source, dups))

    def _header(self) -> dict[str, str]:
        try:
            described = self.con.execute(
                f"DESCRIBE SELECT * FROM {self.export.table()}").fetchall()
        except Exception as error:  # noqa: BLE001 - DuckDB's own errors name the line
            raise ExportError([Issue(f"the file cannot be read as "
                                     f"{self.export.format.upper()}: {error_line(error)}",
                                     "export it again, or set --encoding/--delimiter",
                                     path=self.export.name)]) from None
        return {str(name): str(kind) for name, kind, *_ in described
                if name != "file_row_number"}

    def _resolve(self, header: dict[str, str]) -> dict[str, _Column]:
        cols: dict[str, _Column] = {}
        missing: list[str] = []
        for canonical, rule in self.mapping.columns.items():
            name = next((n for n in rule.names if n in header), None)
            offset = rule.offset_column
            if name is None or (offset is not None and offset not in header):
                wanted = " or ".join(f"'{n}'" for n in rule.names)
                if offset is not None:
                    wanted += f" and '{offset}'"
                if canonical in ("ticket_id", "created_at", "resolved_at"):
                    missing.append(f"{canonical} (column {wanted})")
                else:
                    self.unavailable.append(
                        (canonical, f"the file has no column {wanted}"))
                continue
            cols[canonical] = self._column(rule, name, header, canonical)
        if missing:
            found = ", ".join(f"'{n}'" for n in list(header)[:30])
            raise ExportError([Issue(
                "required columns are missing: " + "; ".join(missing)
                + f". Mapping used: {self.mapping.label}. Columns in the file: {found}",
                "export the columns the mapping names, or give --mapping with your own "
                "column names (docs/evidence.md)", path=self.export.name)],
                source=str(self.export.path))
        for canonical in ("first_response_at", "reopens", "agent_replies", "assignee",
                          "escalated", "sla_met"):
            if canonical not in self.mapping.columns:
                self.unavailable.append(
                    (canonical, f"the {self.mapping.short} mapping has no {canonical} column"))
        return cols

    def _column(self, rule: ColumnRule, name: str, header: dict[str, str],
                canonical: str) -> _Column:
        """How to read ``canonical`` from the file's column ``name`` (see :class:`_Column`)."""
        kind, ref = header[name], sql_name(name)
        t, p, o = f"t_{canonical}", f"p_{canonical}", f"o_{canonical}"
        # DuckDB's casts read numbers and times through surrounding spaces, so a CSV's counts
        # and times are converted as they stand, and a blank (or all-space) cell is told from
        # a bad one only where the conversion failed: no string is copied to trim it.
        raw = (kind == "VARCHAR" and self.export.format == "csv"
               and rule.kind in ("count", "timestamp"))
        filled = f"trim({t}) <> ''" if raw else "true"
        if raw:
            text = ref
        elif kind == "VARCHAR":  # a CSV cell's surrounding spaces are not part of its value;
            text = f"nullif({ref}, '')" if self.export.format == "parquet" \
                else _trimmed(ref)  # Parquet text is taken as stored
        else:
            text = f"CAST({ref} AS VARCHAR)"
        if rule.kind == "text":
            return _Column(text, t)
        if rule.kind == "count":
            if kind in _INTEGER:  # a typed whole number: nothing to check
                return _Column(ref, f"CAST({t} AS DOUBLE)")
            if kind in _NUMERIC or kind.startswith("DECIMAL"):
                return _Column(ref, f"CAST({t} AS DOUBLE)",
                               f"({p} IS NOT NULL AND {p} <> floor({p}))")
            return _Column(text, f"try_cast({t} AS DOUBLE)",
                           f"(CASE WHEN {p} IS NOT NULL THEN isinf({p}) OR {p} <> floor({p}) "
                           f"WHEN {t} IS NULL THEN false ELSE {filled} END)")
        if rule.kind == "flag":
            if kind == "BOOLEAN" and rule.contains is None and rule.greater_than is None:
                return _Column(ref, t)
            return _flag(rule, text, t, p)
        if kind.startswith("TIMESTAMP WITH TIME ZONE"):
            column = _Column(ref, t)
        elif kind.startswith("TIMESTAMP") or kind == "DATE":
            column = _Column(ref, f"CAST({t} AS TIMESTAMPTZ)")
        else:
            parsed = [f"try_cast({t} AS TIMESTAMPTZ)"] + [
                f"CAST(try_strptime({t}, {sql_string(f)}) AS TIMESTAMPTZ)"
                for f in self.mapping.timestamp_formats]
            column = _Column(text, f"coalesce({', '.join(parsed)})",
                             f"(CASE WHEN {p} IS NOT NULL OR {t} IS NULL THEN false "
                             f"ELSE {filled} END)")
        if not rule.offset_column:
            return column
        number = f"try_cast({o} AS DOUBLE)"
        scale = 60_000_000 if rule.plus_minutes else US_PER_HOUR
        return _Column(
            column.text, column.parsed,
            f"({column.bad} OR ({o} IS NOT NULL AND ({number} IS NULL OR isinf({number}))))",
            f"nullif(trim(CAST({sql_name(rule.offset_column)} AS VARCHAR)), '')",
            f"({p} + to_microseconds(CAST(round({number} * {scale}) AS BIGINT)))")

    # ------------------------------------------------------------------ SQL
    def _canonical_sql(self, cols: dict[str, _Column]) -> str:
        """One row per ticket in the file's order: ``_row`` (a CSV's spreadsheet row, a Parquet
        record number), the canonical values and each check's outcome. Three nested
        projections, so that each cell is trimmed once and parsed once however many checks
        read it."""
        texts, parsed = [], []
        for k, col in cols.items():
            texts.append(f"{col.text} AS t_{k}")
            parsed.append(f"t_{k}")
            if col.offset:
                texts.append(f"{col.offset} AS o_{k}")
                parsed.append(f"o_{k}")
        get = {k: col.value or f"p_{k}" for k, col in cols.items()}
        null = "CAST(NULL AS {})"
        c, r = get["created_at"], get["resolved_at"]
        f = get.get("first_response_at", null.format("TIMESTAMPTZ"))
        ro = get.get("reopens", null.format("DOUBLE"))
        ar = get.get("agent_replies", null.format("DOUBLE"))
        counts = [k for k in ("reopens", "agent_replies") if k in cols]
        flags = [k for k in ("escalated", "sla_met") if k in cols]
        checks = {  # every reason a row alone can show, in REASONS order
            "missing_id": f"{get['ticket_id']} IS NULL",
            "unparsable_timestamp": " OR ".join(
                cols[k].bad for k in ("created_at", "first_response_at", "resolved_at")
                if k in cols),
            "missing_created": f"{c} IS NULL",
            "responded_before_created": f"{f} < {c}",
            "resolved_before_created": f"{r} < {c}",
            "unparsable_count": " OR ".join(cols[k].bad for k in counts) or "false",
            "negative_count": " OR ".join(f"{get[k]} < 0" for k in counts) or "false",
            "missing_count": f"{r} IS NOT NULL AND ("
                             + (" OR ".join(f"{get[k]} IS NULL" for k in counts) or "false")
                             + ")",
            "unparsable_flag": " OR ".join(cols[k].bad for k in flags) or "false",
            "outside_period": self._outside(c),
        }
        reason = "CASE " + " ".join(f"WHEN {sql} THEN {REASON_CODES[k]}"
                                    for k, sql in checks.items() if sql != "false") + " END"
        number = "file_row_number, " if self.export.format == "parquet" else ""
        row = "file_row_number + 1 AS _row, " if number else ""
        conversions = ", ".join(f"{col.parsed} AS p_{k}" for k, col in cols.items())
        return f"""
          SELECT {row}{get['ticket_id']} AS id, epoch_us({c}) AS c,
                 epoch_us({f}) - epoch_us({c}) AS response_us,
                 epoch_us({r}) - epoch_us({c}) AS resolve_us,
                 ({r} IS NOT NULL AND {ro} = 0 AND {ar} <= 1) AS fcr,
                 ({r} IS NOT NULL AND {ro} > 0) AS reopened,
                 {get.get('assignee', 'CAST(NULL AS VARCHAR)')} AS asg,
                 {get.get('escalated', 'CAST(NULL AS BOOLEAN)')} AS esc,
                 {get.get('sla_met', 'CAST(NULL AS BOOLEAN)')} AS sla,
                 CAST({reason} AS UTINYINT) AS reason0
          FROM (SELECT {number}{', '.join(parsed)}, {conversions}
                FROM (SELECT {number}{', '.join(texts)} FROM {self.export.table()}))"""

    def _outside(self, created: str) -> str:
        """SQL: the ticket was created outside --from/--to."""
        period = []
        if self.date_from:
            start = sql_string(self.date_from.isoformat())
            period.append(f"{created} < CAST({start} AS TIMESTAMPTZ)")
        if self.date_to:
            end = sql_string((self.date_to + dt.timedelta(days=1)).isoformat())
            period.append(f"{created} >= CAST({end} AS TIMESTAMPTZ)")
        return " OR ".join(period) or "false"

    def _source(self, cols: dict[str, _Column]) -> str:
        """The canonical rows as a relation. A Parquet file is read again by each pass (its
        columns are typed and its record numbers free); a CSV is parsed once into a temporary
        table (spilled to disk beyond DuckDB's memory cap), whose insertion order is the
        file's, so ``rowid`` gives the spreadsheet row."""
        if self.export.format == "parquet":
            source = f"({self._canonical_sql(cols)})"
        else:  # the table keeps the file's order; the passes after it need none
            self._fetch(f"CREATE TEMP TABLE parsed AS {self._canonical_sql(cols)}")
            source = "(SELECT rowid + 2 AS _row, * FROM parsed)"
        self._fetch("SET preserve_insertion_order = false")  # every row carries its number
        return source

    def _aggregate(self, source: str, dups: bool) -> dict[str, Any]:
        """One pass: every row's reason (or none), the KPI aggregates of the rows used and the
        count and first rows of each reason."""
        join = "LEFT JOIN dups USING (id)" if dups else ""
        dup = (f"WHEN dups.first IS NOT NULL AND _row > dups.first "
               f"THEN {REASON_CODES['duplicate_id']} " if dups else "")
        missing = REASON_CODES["missing_id"]
        sql = f"""
        WITH t AS (
          SELECT src.*, CASE WHEN reason0 = {missing} THEN {missing} {dup}ELSE reason0 END
            AS reason
          FROM {source} src {join})
        SELECT reason, count(*) AS rows,
          min(_row, {FIRST_ROWS}) FILTER (reason IS NOT NULL) AS first_rows,
          count(resolve_us) AS resolved,
          count(*) FILTER (fcr) AS fcr,
          count(*) FILTER (reopened) AS reopened,
          count(response_us) AS responded,
          median(response_us) AS ttfr,
          median(resolve_us) AS ttr,
          count(*) FILTER (esc) AS escalated, count(esc) AS esc_n,
          count(*) FILTER (sla) AS sla_met, count(sla) AS sla_n,
          count(DISTINCT asg) FILTER (resolve_us IS NOT NULL) AS engineers,
          min(c) AS first_us, max(c) AS last_us
        FROM t GROUP BY reason"""
        names = ["reason", "rows", "first_rows", "resolved", "fcr", "reopened", "responded",
                 "ttfr", "ttr", "escalated", "esc_n", "sla_met", "sla_n", "engineers",
                 "first_us", "last_us"]
        groups = [dict(zip(names, row, strict=True)) for row in self._fetch(sql)]
        for group in groups:
            group["reason"] = None if group["reason"] is None else REASONS_BY_CODE[group["reason"]]
        result: dict[str, Any] = dict.fromkeys(names)
        result.update(next((g for g in groups if g["reason"] is None), {}))
        result["tickets"] = result["rows"] or 0
        result["rows"] = sum(g["rows"] for g in groups)
        result["excluded"] = {g["reason"]: {"rows": g["rows"], "first_rows": g["first_rows"]}
                              for g in groups if g["reason"] is not None}
        return result

    def _duplicates(self, source: str) -> bool:
        """Whether any ticket id repeats, leaving the temporary table ``dups`` (id, first row)
        that the main pass joins. First the hashes that occur more than once (equal ids have
        equal hashes), then, only when there are any, the exact ids among the rows with those
        hashes."""
        if self._rows() <= SORT_HASHES_MAX_ROWS:
            self._repeated_hashes_sorted(source)
        else:  # a hash aggregate: slower, but it spills to disk
            self._fetch(f"""CREATE OR REPLACE TEMP TABLE dup_hashes AS
                SELECT hash(id) AS h FROM {source} src
                WHERE id IS NOT NULL GROUP BY h HAVING count(*) > 1""")
        if not self._fetch("SELECT count(*) FROM dup_hashes")[0][0]:
            return False
        self._fetch(f"""CREATE OR REPLACE TEMP TABLE dups AS
            SELECT id, min(_row) AS first FROM {source} src
            WHERE hash(id) IN (SELECT h FROM dup_hashes)
            GROUP BY id HAVING count(*) > 1""")
        return bool(self._fetch("SELECT count(*) FROM dups")[0][0])

    def _repeated_hashes_sorted(self, source: str) -> None:
        """``dup_hashes`` by sorting every id's 64-bit hash in NumPy and comparing neighbours:
        about twice as fast as DuckDB's hash aggregate over millions of distinct ids, at 8 bytes
        of memory a row."""
        import numpy as np

        hashes = fetch_column(self.con, self.export, f"SELECT hash(id) AS h FROM {source} src "
                              "WHERE id IS NOT NULL", "h")
        hashes = np.asarray(hashes, dtype=np.uint64)
        hashes.sort()
        repeated = np.unique(hashes[1:][hashes[1:] == hashes[:-1]])
        del hashes
        self.con.register("repeated_hashes", {"h": repeated})
        try:
            self._fetch("CREATE OR REPLACE TEMP TABLE dup_hashes AS "
                        "SELECT h FROM repeated_hashes")
        finally:
            self.con.unregister("repeated_hashes")

    def _rows(self) -> int:
        """The number of rows: from the Parquet footer, or the parsed CSV table."""
        table = self.export.table() if self.export.format == "parquet" else "parsed"
        return int(self._fetch(f"SELECT count(*) FROM {table}")[0][0])

    def _fetch(self, sql: str) -> list[tuple[Any, ...]]:
        return fetch(self.con, self.export, sql)

    # ------------------------------------------------------------------ figures
    def _report(self, agg: dict[str, Any]) -> EvidenceReport:
        first, last = agg["first_us"], agg["last_us"]
        tzinfo = _zone(self.tz)
        start = (dt.datetime.combine(self.date_from, dt.time(), tzinfo) if self.date_from
                 else None if first is None else _from_us(first, tzinfo))
        end = (dt.datetime.combine(self.date_to + dt.timedelta(days=1), dt.time(), tzinfo)
               if self.date_to else None if last is None else _from_us(last, tzinfo))
        days = None if start is None or end is None else (end - start).total_seconds() / 86400
        p_from = None if start is None else start.date().isoformat()
        p_to = (self.date_to.isoformat() if self.date_to
                else None if end is None else end.date().isoformat())
        label = f"{self.export.name} ({self.mapping.system} export)"
        figures: list[EvidenceFigure] = []
        unavailable = {k: r for k, r in self.unavailable}

        def add(kpi: str, value: float | None, n: int, definition: str,
                ci: tuple[float, float] | None = None, target: str = "kpi",
                empty: str = "") -> None:
            lacking = [c for c in NEEDS[kpi] if c in unavailable]
            if lacking:
                self._skip(kpi, f"needs {', '.join(lacking)}: {unavailable[lacking[0]]}")
            elif value is None:
                self._skip(kpi, empty)
            else:
                figures.append(EvidenceFigure(
                    target, kpi, value, n, definition, ci, period_from=p_from,
                    period_to=p_to, source=label))

        tickets, resolved = agg["tickets"] or 0, agg["resolved"] or 0
        no_resolved = "no resolved tickets in the period"
        add("first_contact_resolution", _ratio(agg["fcr"], resolved), resolved,
            "resolved tickets with no reopen and at most one agent reply / resolved tickets",
            wilson(agg["fcr"] or 0, resolved), empty=no_resolved)
        add("time_to_first_response", _hours(agg["ttfr"]), agg["responded"] or 0,
            "median hours from creation to first response, over tickets with a first response",
            empty="no ticket with a first response in the period")
        add("time_to_resolve", _hours(agg["ttr"]), resolved,
            "median hours from creation to resolution, over resolved tickets", empty=no_resolved)
        add("reopen_rate", _ratio(agg["reopened"], resolved), resolved,
            "resolved tickets reopened at least once / resolved tickets",
            wilson(agg["reopened"] or 0, resolved), empty=no_resolved)
        esc_n = agg["esc_n"] or 0
        add("escalation_rate", _ratio(agg["escalated"], esc_n), esc_n,
            "tickets escalated / tickets" + ("" if esc_n == tickets else
                                             " with the escalation field given"),
            wilson(agg["escalated"] or 0, esc_n), empty="no ticket gives its escalation")
        sla_n = agg["sla_n"] or 0
        add("sla_attainment", _ratio(agg["sla_met"], sla_n), sla_n,
            "tickets with the SLA met / tickets with the SLA field given",
            wilson(agg["sla_met"] or 0, sla_n), empty="no ticket gives its SLA result")
        engineers = agg["engineers"] or 0
        months = None if not days else days / DAYS_PER_MONTH
        per_engineer = (resolved / engineers / months if engineers and months else None)
        add("cases_per_engineer_month", per_engineer, resolved,
            "resolved tickets / distinct assignees of resolved tickets / months in the period "
            "(days / (365/12))",
            empty="no resolved ticket with an assignee, or a period of zero length")
        add("assisted_cases", tickets * 365 / days if days and tickets else None, tickets,
            "tickets × 365 / days in the period (annualised)", target="profile",
            empty="no ticket in the period, or a period of zero length")
        excluded = [Exclusion(reason, rec["rows"], tuple(rec["first_rows"] or ()),
                              REASONS[reason])
                    for reason in REASONS if (rec := agg["excluded"].get(reason))]
        source = dict(self.export.source(), system=self.mapping.system,
                      mapping=self.mapping.label, rows=agg["rows"] or 0, timezone=self.tz)
        return EvidenceReport(
            kind="tickets", source=source, period_from=p_from, period_to=p_to,
            period_days=days, figures=figures, unavailable=self.skipped,
            excluded=excluded)

    def _skip(self, kpi: str, reason: str) -> None:
        self.skipped.append((kpi, reason))


def _flag(rule: ColumnRule, text: str, t: str, p: str) -> _Column:
    if rule.contains is not None:
        return _Column(text, f"coalesce(contains(lower({t}), "
                             f"{sql_string(rule.contains.lower())}), false)")
    if rule.greater_than is not None:
        number = f"try_cast({t} AS DOUBLE)"
        return _Column(text, f"({number} > {rule.greater_than!r})",
                       f"({t} IS NOT NULL AND {number} IS NULL)")
    yes = ", ".join(sql_string(v) for v in rule.true_values)
    no = ", ".join(sql_string(v) for v in rule.false_values)
    return _Column(text, f"(CASE WHEN lower({t}) IN ({yes}) THEN true "
                         f"WHEN lower({t}) IN ({no}) THEN false END)",
                   f"({t} IS NOT NULL AND {p} IS NULL)")


def _trimmed(text: str) -> str:
    """SQL: ``text`` without surrounding spaces, NULL when blank. Most cells have none to
    trim, and testing the ends is much cheaper than copying every string."""
    return (f"nullif(CASE WHEN starts_with({text}, ' ') OR ends_with({text}, ' ') "
            f"THEN trim({text}) ELSE {text} END, '')")


def _ratio(k: int | None, n: int) -> float | None:
    return None if not n else (k or 0) / n


def _hours(us: float | None) -> float | None:
    return None if us is None else float(us) / US_PER_HOUR


def _zone(tz: str) -> dt.tzinfo:
    import zoneinfo

    return zoneinfo.ZoneInfo(tz)


def _from_us(us: int, tzinfo: dt.tzinfo) -> dt.datetime:
    return (dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=us)).astimezone(
        tzinfo)
