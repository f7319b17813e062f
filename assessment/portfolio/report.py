"""The portfolio summary as Excel and offline HTML, and the helpers the portfolio notebook calls.

- :func:`build` loads a folder of ``results.json`` files (or scores the bundled samples) into a
  :class:`~assessment.portfolio.model.Portfolio`.
- :func:`portfolio_workbook_bytes` / :func:`write_portfolio_excel`: the workbook, with every
  timestamp pinned to the latest assessment date (same portfolio, same bytes).
- :func:`render_portfolio_html` / :func:`write_portfolio_html`: one self-contained page, inline
  CSS and SVG charts, no external resource, client text escaped by Jinja's autoescape.
- :func:`write_portfolio` writes ``portfolio.xlsx`` and ``portfolio.html`` atomically.
- :func:`tables` gives the notebook its display tables (pandas, rounded for reading).

The workbook shares the scorecard's look (:mod:`assessment.files.xlsx`) and its number formats
(:mod:`assessment.core.format`); every string reaches a cell through
:func:`assessment.files.xlsx.set_text`.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from markupsafe import Markup
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.chart.label import DataLabelList
from openpyxl.formatting.rule import CellIsRule, ColorScaleRule, FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from assessment.core.format import (
    COVERAGE_FORMAT,
    DASH,
    DELTA_FORMAT,
    DIRECTION_LABELS,
    SCORE_FORMAT,
    TRACKING_LABELS,
    benchmark_figure,
    benchmark_source,
    benchmark_text,
    excel_format,
    format_coverage,
    format_delta,
    format_money,
    format_points,
    format_score,
    format_value,
    level_text,
    value_range,
)
from assessment.core.framework import ELEMENTS
from assessment.core.scoring import rag
from assessment.files.write import atomic_write, publish_files, workbook_bytes
from assessment.files.xlsx import (
    FONT_NAME,
    RAG_COLOURS,
    SUBTITLE_FONT,
    TITLE_FONT,
    V,
    fit_row_heights,
    header_footer_text,
    note,
    print_setup,
    safe_text,
    set_text,
    table,
)
from assessment.portfolio import model as pf
from assessment.portfolio.charts import (
    Figure,
    distribution_label,
    portfolio_figures,
)
from assessment.portfolio.model import Portfolio

TEMPLATE = "portfolio.html.j2"
FILES = {"xlsx": "portfolio.xlsx", "html": "portfolio.html"}
#: Number formats of the portfolio cells (the scorecard's, from :mod:`assessment.core.format`).
SCORE, COVERAGE, DELTA = SCORE_FORMAT, COVERAGE_FORMAT, DELTA_FORMAT
SHEETS: tuple[str, ...] = ("Clients", "Assessments", "Percentiles", "KPI distribution",
                           "Trends", "Initiatives", "Weight sensitivity", "Data quality",
                           "Method")

#: The definitions shown on the Method sheet and in the HTML (docs/portfolio.md has the detail).
METHOD: tuple[tuple[str, str], ...] = (
    ("Clients", "An organization, by name (case and extra spaces ignored). The comparison, "
     "percentiles, distributions and sensitivity use each client's latest assessment; "
     "the Assessments sheet lists every assessment. Results files of methodology version 1 "
     "(results@1) and version 2 (results@2) are read side by side."),
    ("Two readings", "The index has two readings (methodology §3): the score, and the "
     "measured score over the KPIs with data only. Version 2 counts missing data as 0 in the "
     "score (unless the framework says missing_kpi: exclude); a version 1 file left missing "
     "data out, so its measured score is its score. Coverage is the weighted share of KPIs "
     "with data."),
    ("Not applicable", "An area or KPI that does not apply to the organization's support "
     "model (an internal desk's renewal) is shown as n/a: it is neither missing nor 0, and it "
     "is left out of every comparison."),
    ("Comparison groups", "Scores are compared only among clients of the same segment (when "
     "the results name segments) scored under the same missing-data rule; KPI values among "
     "clients of the same segment. Each row says which group it was compared in; a client "
     "alone in its group has no percentile."),
    ("Percentile rank", "100 × (other clients of the group scoring strictly lower + half of "
     "those tied) ÷ other clients of the group with a value. 100 = better than every other "
     "client, 0 = below all of them, 50 = the middle. Missing values are left out; with no "
     "other client it is blank."),
    ("KPI percentiles", "Higher is always better: KPIs where lower is better rank by the "
     "lowest value, band KPIs by their score (distance from the band), and currency KPIs only "
     "among clients reporting in the same currency (values are never converted)."),
    ("Quartiles", "Q1, median and Q3 by linear interpolation between the sorted values, as "
     "Excel's QUARTILE.INC. Where segments give a KPI different targets or benchmarks, each "
     "segment has its own row. Benchmarks are published figures shown as context with their "
     "source, year and currency (converted into the row's currency where the results give "
     "the rate), never as a target."),
    ("Trend rule", "A client assessed on more than one date gets a trend. When the results "
     "schema (results@1 to results@2), the framework name or version, the missing-data rule, "
     "the segment, the element weights, the minimum coverage or the framework currency "
     "differ from the previous assessment, the step is flagged as a method change and no "
     "change is computed: it is never shown as movement, and the chart does not join the "
     "two points."),
    ("Initiatives", "A client that records its chosen initiatives in the intake (owner, due "
     "date, status) has them shown at each assessment beside the movement of its scores. "
     "Since the previous assessment an initiative is new (chosen now, not before), "
     "progressed (a later status: not started, in progress), done, slipped (not done and "
     "its due date before the later assessment's date), dropped (status dropped, or no "
     "longer chosen), reopened (done before, not now), unchanged, or not recorded (chosen "
     "before, nothing recorded now). Status is not a score: it is shown across a method "
     "change, where the scores show no change."),
    ("Business case", "Per client, the annual business case of its latest assessment (base "
     "case, low to high beside it, methodology §10) in the client's currency, and its "
     "first-ranked roadmap initiative. Totals are added only within one currency, never "
     "across currencies. Results without a business case (version 1, or version 2 written "
     "before it existed) show a dash."),
    ("Weight sensitivity", "The index is recomputed from the element scores (methodology §3, "
     "under the assessment's own missing-data rule; version 1: at least 3 elements scored) "
     "under the client's own element weights (base) and with each element's weight "
     "multiplied by the factor in turn. Ranks are competition ranks among the clients of the "
     "comparison group with an index (ties share the better rank)."),
)
#: Words for the missing-data rule and the results schema in tables.
RULE_LABELS = {"zero": "counted as 0", "exclude": "left out"}
NA = pf.NOT_APPLICABLE
#: How an initiative moved since the previous assessment (model.CHANGES), for display.
CHANGE_LABELS: dict[str, str] = {"new": "New", "progressed": "Progressed", "done": "Done",
                                 "slipped": "Slipped", "dropped": "Dropped",
                                 "reopened": "Reopened", "unchanged": "Unchanged",
                                 "not recorded": "Not recorded"}
#: Where an initiative stands at one assessment (model.initiative_state), for display.
STATE_LABELS: dict[str, str] = {**TRACKING_LABELS, "chosen": "Chosen (no status)",
                                "not_chosen": "Not chosen", "absent": DASH}


# --------------------------------------------------------------------------- loading


def score_samples(folder: str | Path) -> list[Path]:
    """Score the bundled sample intakes into ``folder`` (results.json only); returns the files."""
    from assessment.intake.samples import sample_workbooks
    from assessment.pipeline import run

    return [run(book, folder, formats=("json",)).written["json"] for book in sample_workbooks()]


def build(results_dir: str | Path | None = None, factor: float = 2.0) -> Portfolio:
    """The portfolio of every ``results.json`` below ``results_dir``.

    With no folder (None or ``""``) the bundled sample organizations are scored into a
    temporary folder first, so the result is the same on every machine. A folder with no valid
    results gives an empty portfolio with a warning; a missing folder raises FileNotFoundError.
    """
    if not results_dir:
        with tempfile.TemporaryDirectory(prefix="portfolio-samples-") as tmp:
            score_samples(tmp)
            loaded = pf.load_results(tmp)
        return pf.summarize(loaded.results, loaded.warnings, factor, "the bundled samples")
    loaded = pf.load_results(results_dir)
    warnings = list(loaded.warnings)
    if not loaded.results:
        warnings.append("No valid results.json was found below the results folder.")
    return pf.summarize(loaded.results, warnings, factor,
                        Path(results_dir).name or str(results_dir))


def _portfolio(source: str | Path | Portfolio | Iterable[dict[str, Any]],
               factor: float) -> Portfolio:
    if isinstance(source, Portfolio):
        return source
    if isinstance(source, (str, Path)):
        return build(source, factor)
    return pf.summarize(list(source), factor=factor)


# --------------------------------------------------------------------------- shared values


def element_names(p: Portfolio) -> dict[str, str]:
    names = {e: e.capitalize() for e in ELEMENTS}
    names.update({r["metric"]: r["name"] for r in p.percentiles if r["kind"] == "element"})
    return names


def _index_percentiles(p: Portfolio) -> dict[str, float | None]:
    return {r["organization"]: r["percentile"] for r in p.percentiles if r["kind"] == "index"}


def _sensitivity(p: Portfolio) -> dict[str, dict[str, Any]]:
    return {r["organization"]: r for r in p.sensitivity}


def _subtitle(p: Portfolio) -> str:
    clients, assessments = len(p.clients), len(p.assessments)
    text = f"{clients} client(s), {assessments} assessment(s)"
    return text + (f" · latest assessment {p.as_of}" if p.as_of else "")


def _moment(p: Portfolio) -> dt.datetime:
    when = dt.date.fromisoformat(p.as_of) if p.as_of else dt.date(2000, 1, 1)
    return dt.datetime(when.year, when.month, when.day)


def _na(row: dict[str, Any], key: str) -> bool:
    """Whether the area ``key`` does not apply to the row's organization."""
    return key in (row.get("not_applicable") or ())


def _score_v(row: dict[str, Any], key: str, fmt: str = SCORE) -> Any:
    """A score cell: the number, or ``n/a`` in italics when the area does not apply."""
    return V(NA, italic=True) if _na(row, key) else V(row[key], fmt)


def _results_label(row: dict[str, Any]) -> str:
    return f"results@{row.get('results_version') or 1}"


def _segment(row: dict[str, Any]) -> str | None:
    return row.get("segment_name") or row.get("segment")


def _case_text(row: dict[str, Any]) -> str:
    """A client's business case (base, a year, with currency; low to high beside), or a dash."""
    case = row.get("business_case")
    if not case or case["base"] is None:
        return DASH
    text = format_money(case["base"], case["currency"])
    if case["low"] is not None and case["high"] is not None and abs(
            case["high"] - case["low"]) >= 0.5:
        text += (f" ({format_money(case['low'], case['currency'])} to "
                 f"{format_money(case['high'], case['currency'])})")
    return text


def _top_text(row: dict[str, Any]) -> str:
    """A client's first-ranked initiative with its value, or a dash."""
    top = row.get("top_initiative")
    if not top:
        return DASH
    parts = [f"{format_points(top['index_points'])} index points"]
    if top["money_base"] is not None:
        parts.insert(0, f"{format_money(top['money_base'], top['currency'])} a year")
    return f"{top['name']} ({', '.join(parts)})"


def _totals_text(p: Portfolio) -> list[str]:
    """The business-case totals per currency, one sentence each (never added across)."""
    out = []
    for t in p.business_totals:
        currency = t["currency"] or "no currency named"
        if t["base"] is None:
            text = f"{currency}: no business case"
        else:
            n = len(t["clients"])
            text = f"{format_money(t['base'], t['currency'])} ({n} client{'s' if n != 1 else ''})"
        if t["without"]:
            text += f"; without a business case: {', '.join(t['without'])}"
        out.append(text)
    return out


def _initiative_summary(counts: dict[str, Any] | None, first: bool) -> str:
    """A trend point's initiatives in words: ``1 progressed, 1 slipped``."""
    if not counts or (not counts["tracked"] and not counts["changes"]):
        return DASH
    if first:
        return f"{counts['tracked']} chosen"
    return ", ".join(f"{n} {word}" for word, n in counts["changes"].items()) or DASH


def _cell_text(cell: dict[str, Any]) -> str:
    """One initiative at one assessment: status, owner, due date (past due said)."""
    if cell["state"] == "absent":
        return DASH
    parts = [STATE_LABELS.get(cell["state"], cell["state"])]
    if cell.get("owner"):
        parts.append(f"owner {cell['owner']}")
    if cell.get("due_date"):
        parts.append(f"due {cell['due_date']}" + (" (past due)" if cell["past_due"] else ""))
    return " · ".join(str(x) for x in parts)


def _rank_range(row: dict[str, Any] | None) -> str | None:
    if not row or row["rank_min"] is None:
        return None
    if row["rank_min"] == row["rank_max"]:
        return f"{row['rank_min']} of {row['ranked']}"
    return f"{row['rank_min']}–{row['rank_max']} of {row['ranked']}"


# --------------------------------------------------------------------------- Excel


def _sheet(wb: Workbook, p: Portfolio, title: str, subtitle: str, widths: Sequence[float],
           header_row: int = 4) -> Worksheet:
    """A sheet with title rows, widths, print setup (landscape, fit to width, title rows)."""
    ws = wb.create_sheet(title)
    set_text(ws.cell(row=1, column=1), "Support excellence portfolio").font = TITLE_FONT
    set_text(ws.cell(row=2, column=1), f"{subtitle} · {_subtitle(p)}").font = SUBTITLE_FONT
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    when = dt.date.fromisoformat(p.as_of) if p.as_of else None
    print_setup(ws, "Support excellence portfolio", when, f"1:{header_row}")
    ws.oddFooter.left.text = header_footer_text(f"Latest assessment {p.as_of}" if p.as_of else "")
    ws.oddFooter.right.text = "Support excellence portfolio"
    ws.freeze_panes = f"B{header_row + 1}"
    return ws


def _rag_rules(ws: Worksheet, ref: str, first_col: str, first_row: int, amber_col: str) -> None:
    """Green / amber / red fills for scores, against each row's own amber threshold."""
    cell, amber = f"{first_col}{first_row}", f"${amber_col}{first_row}"
    rules = (("green", f"AND(ISNUMBER({cell}),{cell}>={amber}-0.000000001)"),
             ("amber", f"AND(ISNUMBER({cell}),{cell}>={amber}-20.000000001)"),
             ("red", f"ISNUMBER({cell})"))
    for key, formula in rules:
        fill, font = RAG_COLOURS[key]
        ws.conditional_formatting.add(ref, FormulaRule(
            formula=[formula], stopIfTrue=True,
            fill=PatternFill("solid", start_color=fill, end_color=fill),
            font=Font(color=font, bold=True)))


def _percentile_rules(ws: Worksheet, ref: str) -> None:
    ws.conditional_formatting.add(ref, ColorScaleRule(
        start_type="num", start_value=0, start_color="F8CBAD",
        mid_type="num", mid_value=50, mid_color="FFF2CC",
        end_type="num", end_value=100, end_color="C6EFCE"))


def _filter(ws: Worksheet, header: int, last: int, columns: int) -> None:
    if last > header:
        ws.auto_filter.ref = f"A{header}:{get_column_letter(columns)}{last}"


#: Clients sheet columns (the index, its RAG range and the amber threshold are found by name).
CLIENT_HEADERS: tuple[str, ...] = (
    "Organization", "Assessed", "Segment", "Currency", "Framework", "Results", "Index",
    "Index (measured)", "Coverage", "Profit", "Reputation", "Efficiency", "Effectiveness",
    "Renewal health", "Maturity level", "Alignment (0–10)", "Index percentile",
    "Compared with", "Rank (base weights)", "Rank range (weights)", "Index min (weights)",
    "Index max (weights)", "Business case (base, a year)", "Top initiative", "Missing data",
    "Amber threshold")


def _col(headers: Sequence[str], name: str) -> str:
    return get_column_letter(list(headers).index(name) + 1)


def _clients_sheet(wb: Workbook, p: Portfolio) -> None:
    names = element_names(p)
    headers = [*CLIENT_HEADERS]
    headers[9:13] = [names[e] for e in ELEMENTS]
    ws = _sheet(wb, p, "Clients", "Latest assessment of each client",
                [34, 12, 22, 9, 30, 11, 9, 11, 10, 10, 11, 10, 13, 10, 16, 11, 11, 34, 11,
                 12, 14, 12, 18, 44, 13, 10])
    pct, sens = _index_percentiles(p), _sensitivity(p)
    rows = []
    for c in p.clients:
        s = sens.get(c["organization"])
        rows.append([
            c["organization"], _date(c["assessment_date"]), _segment(c), c.get("currency"),
            f"{c['framework']} {c['framework_version']}", _results_label(c),
            V(c["index"], SCORE), V(c.get("index_measured"), SCORE),
            V(c["coverage"], COVERAGE), *(_score_v(c, e) for e in ELEMENTS),
            _score_v(c, "renewal_health"), _level(c), V(c["alignment"], "0.0"),
            V(pct.get(c["organization"]), "0"), V(c.get("peer_group"), wrap=True),
            V(s["rank"]["base"] if s else None, "0"), _rank_range(s),
            V(s["index_min"] if s else None, SCORE), V(s["index_max"] if s else None, SCORE),
            _case_cell(c), V(_top_text(c), wrap=True),
            RULE_LABELS.get(c.get("missing_kpi") or ""), V(c["amber"], "0")])
    header, last = table(ws, 4, headers, rows, empty="No assessments found.")
    _filter(ws, header, last, len(headers))
    if rows:
        amber = _col(headers, "Amber threshold")
        index = _col(headers, "Index")
        _rag_rules(ws, f"{index}{header + 1}:{index}{last}", index, header + 1, amber)
        first, renewal = _col(headers, names[ELEMENTS[0]]), _col(headers, "Renewal health")
        _rag_rules(ws, f"{first}{header + 1}:{renewal}{last}", first, header + 1, amber)
        _index_bar_chart(ws, header, last, headers.index("Index") + 1)
    note(ws, last + 2, "Index: the score; Index (measured): over the KPIs with data only "
          "(version 1 results: the same figure). Blank score: not scored (insufficient data). "
          "n/a: the area does not apply to the organization's support model. Percentiles and "
          "ranks are within the group in 'Compared with'. Colours: green from the amber "
          "threshold, amber up to 20 points below it, red under that. Business case: annual, "
          "base case, in the client's currency (—: the results have none).")
    note(ws, last + 3, "Business case by currency (annual, base case; never added across "
          "currencies): "
          + ("; ".join(_totals_text(p)) or DASH) + ".")


def _case_cell(row: dict[str, Any]) -> Any:
    """The business case's base figure as a number in its currency's format, or a dash."""
    case = row.get("business_case")
    if not case or case["base"] is None:
        return V(DASH, italic=True)
    return V(case["base"], excel_format("currency", case["currency"], case["base"]))


def _index_bar_chart(ws: Worksheet, header: int, last: int, column: int) -> None:
    """A native bar chart of the index per client, below the table."""
    chart = BarChart()
    chart.type = "bar"
    chart.title = "Support Excellence Index per client (0–100)"
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 100
    chart.y_axis.majorUnit = 20
    chart.y_axis.number_format = "0"
    chart.x_axis.scaling.orientation = "maxMin"  # first client on top, like the table
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.legend = None
    chart.add_data(Reference(ws, min_col=column, min_row=header, max_row=last),
                   titles_from_data=True)
    names = Reference(ws, min_col=1, min_row=header + 1, max_row=last)
    chart.series[0].cat = AxDataSource(strRef=StrRef(f=str(names)))
    chart.dataLabels = DataLabelList(showVal=True, showSerName=False, showCatName=False,
                                     showLegendKey=False, showPercent=False)
    chart.width, chart.height = 22, max(6.0, 1.2 + 0.9 * (last - header))
    ws.add_chart(chart, f"A{last + 4}")


def _date(text: str) -> Any:
    try:
        return dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        return text


def _level(row: dict[str, Any]) -> str | None:
    return level_text(row.get("level"), row.get("level_name"))


def _assessments_sheet(wb: Workbook, p: Portfolio) -> None:
    names = element_names(p)
    headers = ["Organization", "Assessed", "Segment", "Currency", "Framework", "Version",
               "Results", "Index", "Index (measured)", "Index coverage",
               *(names[e] for e in ELEMENTS), "Renewal health", "Maturity level",
               "Missing data", "Alignment (0–10)", "Latest", "Warnings", "Amber threshold"]
    ws = _sheet(wb, p, "Assessments", "Every assessment, one row each",
                [34, 12, 22, 9, 36, 9, 11, 9, 11, 10, 10, 11, 10, 13, 10, 16, 13, 10, 8, 10,
                 10])
    rows = [[a["organization"], _date(a["assessment_date"]), _segment(a), a.get("currency"),
             a["framework"], a["framework_version"], _results_label(a), V(a["index"], SCORE),
             V(a.get("index_measured"), SCORE), V(a["coverage"], COVERAGE),
             *(_score_v(a, e) for e in ELEMENTS), _score_v(a, "renewal_health"), _level(a),
             RULE_LABELS.get(a.get("missing_kpi") or ""), V(a["alignment"], "0.0"),
             "Yes" if a["latest"] else "No", V(a["warnings"], "0"), V(a["amber"], "0")]
            for a in p.assessments]
    header, last = table(ws, 4, headers, rows, empty="No assessments found.")
    ws.freeze_panes = "C5"
    _filter(ws, header, last, len(headers))
    if rows:
        amber = _col(headers, "Amber threshold")
        index = _col(headers, "Index")
        _rag_rules(ws, f"{index}{header + 1}:{index}{last}", index, header + 1, amber)
        first, renewal = _col(headers, names[ELEMENTS[0]]), _col(headers, "Renewal health")
        _rag_rules(ws, f"{first}{header + 1}:{renewal}{last}", first, header + 1, amber)


def _percentiles_sheet(wb: Workbook, p: Portfolio) -> None:
    metrics, rows = pf.percentile_table(p.percentiles, ("index", "element", "kpi"))
    headers = ["Organization", "Assessed", "Compared with", "Others in the group",
               *(m["name"] for m in metrics)]
    ws = _sheet(wb, p, "Percentiles", "Percentile rank of each client within its comparison "
                "group (100 = better than every other client of the group)",
                [34, 12, 34, 10] + [12] * len(metrics))
    body = [[r["organization"], _date(r["assessment_date"]), V(r.get("group"), wrap=True),
             V(r.get("peers"), "0"),
             *(V(NA, italic=True) if m["metric"] in r["not_applicable"]
               else V(r.get(m["metric"]), "0") for m in metrics)] for r in rows]
    header, last = table(ws, 4, headers, body, empty="No clients.")
    ws.freeze_panes = "E5"
    _filter(ws, header, last, len(headers))
    if body:
        _percentile_rules(ws, f"E{header + 1}:{get_column_letter(len(headers))}{last}")
    note(ws, last + 2, "Percentile = 100 × (other clients of the group strictly lower + ½ × "
          "tied) ÷ other clients of the group with a value. Groups: the same segment and "
          "missing-data rule for scores, the same segment for KPIs. KPIs: higher is always "
          "better (lower-is-better KPIs rank by the lowest value, band KPIs by their score); "
          "currency KPIs only within one currency. Blank: no value, or no other client to "
          "compare with. n/a: does not apply to the organization.")


def _distribution_sheet(wb: Workbook, p: Portfolio) -> None:
    names = element_names(p) | {"renewal": "Renewal"}
    headers = ["KPI", "Element", "Segment", "Currency", "Direction", "Clients (n)",
               "Not applicable (clients)", "Min", "Q1", "Median", "Q3", "Max",
               "Framework target", "Benchmark", "Benchmark source", "Year", "Benchmark note"]
    ws = _sheet(wb, p, "KPI distribution", "Current values across clients (latest assessment) "
                "next to the published benchmark", [34, 13, 22, 9, 11, 8, 12, 11, 11, 11, 11,
                                                     11, 12, 24, 24, 7, 60])
    rows = []
    for d in p.distributions:
        unit, currency = d["unit"] or "", d["currency"]
        bench = d["benchmark"] or {}
        if unit == "currency" and bench.get("currency"):  # its own currency, converted beside
            bench_cell: Any = benchmark_figure(bench, unit) or None
        elif bench.get("value") is not None:  # a results@1 benchmark has no currency
            bench_cell = V(bench["value"], excel_format(unit, None, bench["value"]))
        elif bench.get("range"):
            bench_cell = value_range(*bench["range"], unit)
        else:
            bench_cell = None
        target: Any = V(d["target"], excel_format(unit, currency, d["target"]))
        if d["direction"] == "band" and d.get("band"):
            target = value_range(*d["band"], unit)
        rows.append([
            distribution_label(d), names.get(d["element"], d["element"]),
            d.get("segment_name") or "all", d["currency"],
            {"higher": "Higher", "lower": "Lower", "band": "Band"}.get(d["direction"],
                                                                       d["direction"]),
            V(d["n"], "0"), V(d.get("not_applicable") or 0, "0"),
            *(V(d[k], excel_format(unit, currency, d[k]))
              for k in ("min", "q1", "median", "q3", "max")),
            target, bench_cell, bench.get("source"), V(bench.get("year"), "0"),
            V(bench.get("note"), wrap=True)])
    header, last = table(ws, 4, headers, rows, empty="No KPIs.")
    _filter(ws, header, last, len(headers))
    note(ws, last + 2, "Quartiles by linear interpolation (Excel QUARTILE.INC). Currency KPIs "
          "have one row per currency; values are never converted. Where segments give a KPI "
          "different targets or benchmarks, each segment has its own row (Segment 'all': the "
          "same for every client). Clients the KPI does not apply to are counted apart, never "
          "as missing. Benchmarks are context from published sources, not targets, shown in "
          "their own currency with the converted figure beside them.")


def _trends_sheet(wb: Workbook, p: Portfolio) -> None:
    names = element_names(p)
    headers = ["Organization", "Assessed", "Framework", "Results", "Segment", "Missing data",
               "Index", "Δ index", "Index (measured)", "Δ measured"]
    for e in ELEMENTS:
        headers += [names[e], f"Δ {names[e].lower()}"]
    headers += ["Initiatives", "Method change", "Note"]
    ws = _sheet(wb, p, "Trends", "Clients assessed more than once; a method change is never "
                "shown as movement", [34, 12, 30, 11, 22, 13] + [11, 11] * 6 + [28, 10, 70])
    rows = []
    for t in p.trends:
        for n, pt in enumerate(t["points"]):
            delta = pt["delta"] or {}
            cells: list[Any] = [t["organization"], _date(pt["assessment_date"]),
                                f"{pt['framework']} {pt['framework_version']}",
                                _results_label(pt), _segment(pt),
                                RULE_LABELS.get(pt.get("missing_kpi") or "")]
            for key in ("index", pf.MEASURED, *ELEMENTS):
                cells += [_score_v(pt, key), V(delta.get(key), DELTA)]
            cells += [V(_initiative_summary(pt.get("initiatives"), n == 0), wrap=True),
                      "Yes" if pt["method_changed"] else "No", V(pt["note"], wrap=True)]
            rows.append(cells)
    header, last = table(ws, 4, headers, rows,
                          empty="No client has been assessed on more than one date.")
    ws.freeze_panes = "C5"
    if rows:
        highlight(ws, get_column_letter(headers.index("Method change") + 1), header + 1,
                  last, "Yes", "red")
    note(ws, last + 2, "Δ is the change since the previous assessment. It is blank for the "
          "first assessment and for a method change (results schema, framework name or "
          "version, missing-data rule, segment, element weights, minimum coverage or framework "
          "currency changed): those scores are not comparable. n/a: the area does not apply. "
          "Initiatives: how the chosen initiatives moved at that step (the Initiatives sheet "
          "has each one).")


def highlight(ws: Any, col: str, first: int, last: int, word: str, colour: str) -> None:
    """Colour the cells of column ``col`` (rows ``first``..``last``) that read ``word``."""
    fill, font = RAG_COLOURS[colour]
    ws.conditional_formatting.add(f"{col}{first}:{col}{last}", CellIsRule(
        operator="equal", formula=[f'"{word}"'],
        fill=PatternFill("solid", start_color=fill, end_color=fill),
        font=Font(color=font, bold=True)))


#: Initiatives sheet columns (the change and past-due columns are found by name).
INITIATIVE_HEADERS: tuple[str, ...] = (
    "Organization", "Initiative", "Assessed", "Since", "Status", "Owner", "Due date",
    "Past due", "Change", "Inhibitors", "Notes", "Index", "Δ index", "Δ measured")


def _initiatives_sheet(wb: Workbook, p: Portfolio) -> None:
    """Each chosen initiative of a client assessed more than once, at every assessment,
    beside the index and element movement between the same assessments."""
    names = element_names(p)
    headers = [*INITIATIVE_HEADERS, *(f"Δ {names[e].lower()}" for e in ELEMENTS),
               "Method change"]
    ws = _sheet(wb, p, "Initiatives", "The initiatives each client chose, at every "
                "assessment, beside the movement of its scores",
                [30, 32, 12, 12, 16, 22, 12, 9, 13, 36, 36, 9, 9, 11] + [11] * 4 + [10])
    ws.freeze_panes = "C5"
    rows = []
    for t in p.trends:
        points = t["points"]
        for row in t["initiatives"]:
            for n, (cell, pt) in enumerate(zip(row["cells"], points, strict=True)):
                delta = pt["delta"] or {}
                change = CHANGE_LABELS.get(cell["change"] or "")
                rows.append([
                    t["organization"], row["name"], _date(pt["assessment_date"]),
                    _date(points[n - 1]["assessment_date"]) if n else None,
                    STATE_LABELS.get(cell["state"], cell["state"]), cell.get("owner"),
                    _date(cell["due_date"]) if cell.get("due_date") else None,
                    "Yes" if cell["past_due"] else "No", change,
                    V(cell.get("inhibitors"), wrap=True), V(cell.get("notes"), wrap=True),
                    _score_v(pt, "index"), V(delta.get("index"), DELTA),
                    V(delta.get(pf.MEASURED), DELTA),
                    *(V(delta.get(e), DELTA) for e in ELEMENTS),
                    "Yes" if pt["method_changed"] else "No"])
    header, last = table(ws, 4, headers, rows, empty="No client assessed more than once has "
                         "recorded chosen initiatives.")
    _filter(ws, header, last, len(headers))
    if rows:
        for name, word, key in (("Change", "Slipped", "red"), ("Change", "Done", "green"),
                                ("Change", "Progressed", "green"),
                                ("Change", "Dropped", "grey"), ("Past due", "Yes", "red"),
                                ("Method change", "Yes", "red")):
            highlight(ws, _col(headers, name), header + 1, last, word, key)
    note(ws, last + 2, "One row per initiative and assessment. Change since the previous "
          "assessment: New (chosen now, not before), Progressed (a later status), Done, "
          "Slipped (not done and due before the later assessment's date), Dropped (status "
          "dropped or no longer chosen), Reopened (done before, not now), Unchanged, Not "
          "recorded (chosen before, nothing recorded now). Δ: the score movement between the "
          "same assessments; blank at the first assessment and across a method change, where "
          "the initiatives' status is still shown.")


def _sensitivity_sheet(wb: Workbook, p: Portfolio) -> None:
    names = element_names(p)
    factor = f"{p.factor:g}"
    headers = ["Organization", "Assessed", "Index (base)",
               *(f"{names[e]} ×{factor}" for e in ELEMENTS), "Index min", "Index max",
               "Rank (base)", "Best rank", "Worst rank", "Clients ranked"]
    ws = _sheet(wb, p, "Weight sensitivity", f"Index and rank with each element's weight "
                f"×{factor} in turn", [34, 12] + [12] * 11)
    rows = [[s["organization"], _date(s["assessment_date"]),
             *(V(s["index"][k], SCORE) for k in pf.scenarios()),
             V(s["index_min"], SCORE), V(s["index_max"], SCORE),
             *(V(s["rank"]["base"] if k == "base" else s[k], "0")
               for k in ("base", "rank_min", "rank_max")), V(s["ranked"], "0")]
            for s in p.sensitivity]
    header, last = table(ws, 4, headers, rows, empty="No clients.")
    _filter(ws, header, last, len(headers))
    note(ws, last + 2, "Index = Σ weight × element score ÷ Σ weight over the scored elements "
          "(at least 3). Base: the client's own element weights. Ranks: 1 = highest index; "
          "ties share the better rank. Blank: fewer than 3 elements scored, not ranked.")


def _quality_sheet(wb: Workbook, p: Portfolio) -> None:
    ws = _sheet(wb, p, "Data quality", "Files skipped and assessments with warnings",
                [16, 50, 90])
    rows: list[list[Any]] = []
    for warning in p.warnings:
        where, _, text = warning.partition(": ")
        rows.append(["Results file", where, V(text, wrap=True)] if text
                    else ["Portfolio", None, V(warning, wrap=True)])
    rows += [["Assessment", f"{a['organization']} ({a['assessment_date']})",
              f"{a['warnings']} data-quality warning(s): see the client's scorecard."]
             for a in p.assessments if a["warnings"]]
    table(ws, 4, ["Kind", "Where", "Warning"], rows,
           empty="Every results file was read and no assessment has warnings.")


def _method_sheet(wb: Workbook, p: Portfolio) -> None:
    ws = _sheet(wb, p, "Method", "How the portfolio figures are computed", [28, 100])
    ws.sheet_view.showGridLines = False
    row = 4
    for topic, text in METHOD:
        set_text(ws.cell(row=row, column=1), topic).font = Font(name=FONT_NAME, bold=True)
        set_text(ws.cell(row=row, column=2), text).alignment = Alignment(wrap_text=True,
                                                                         vertical="top")
        row += 1
    for text in p.notes:
        set_text(ws.cell(row=row, column=1), "This portfolio").font = Font(name=FONT_NAME,
                                                                             bold=True)
        set_text(ws.cell(row=row, column=2), text).alignment = Alignment(wrap_text=True,
                                                                         vertical="top")
        row += 1
    note(ws, row + 1, "Weight factor used: ×" + f"{p.factor:g}" + ". Sources of the results: "
          + safe_text(p.source or "results.json files") + ".")


def portfolio_workbook(p: Portfolio) -> Workbook:
    """The portfolio summary workbook (sheets: :data:`SHEETS`)."""
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in (_clients_sheet, _assessments_sheet, _percentiles_sheet, _distribution_sheet,
                  _trends_sheet, _initiatives_sheet, _sensitivity_sheet, _quality_sheet,
                  _method_sheet):
        sheet(wb, p)
    for ws in wb.worksheets:
        fit_row_heights(ws)
    wb.active = 0
    props = wb.properties
    props.title = "Support excellence portfolio"
    props.subject = "Technical support excellence: portfolio comparison"
    props.creator = props.lastModifiedBy = "support-excellence"
    props.keywords = "support excellence, portfolio, benchmark, percentile, trend"
    props.description = safe_text(_subtitle(p))[:250]
    props.created = props.modified = _moment(p)
    return wb


def portfolio_workbook_bytes(p: Portfolio) -> bytes:
    """The workbook as ``.xlsx`` bytes, timestamps pinned to the latest assessment date."""
    return workbook_bytes(portfolio_workbook(p), when=_moment(p))


def write_portfolio_excel(p: Portfolio, path: str | Path) -> Path:
    """Write the portfolio workbook to ``path`` atomically; returns the path."""
    return atomic_write(path, portfolio_workbook_bytes(p))


# --------------------------------------------------------------------------- HTML


def _figure(fig: Figure) -> dict[str, Any]:
    return {"id": fig.id, "title": fig.title, "note": fig.note,
            "svg": Markup(fig.svg) if fig.svg else None}


def _cell(value: float | None, amber: float | None = None,
          applicable: bool = True) -> dict[str, Any]:
    if not applicable:
        return {"text": NA, "rag": "na"}
    return {"text": format_score(value),
            "rag": (rag(value, amber) or "none") if amber is not None else None}


def _score_cell(row: dict[str, Any], key: str, amber: float | None = None) -> dict[str, Any]:
    return _cell(row[key], amber, not _na(row, key))


def _pct(value: float | None) -> str:
    return DASH if value is None else f"{value:.0f}"


def html_context(p: Portfolio) -> dict[str, Any]:
    """Everything the HTML page shows, as display text (the template escapes it)."""
    names = element_names(p)
    figures = portfolio_figures(p)
    pct, sens = _index_percentiles(p), _sensitivity(p)
    metrics, ranks = pf.percentile_table(p.percentiles, ("index", "element"))
    kpi_metrics, kpi_ranks = pf.percentile_table(p.percentiles, ("kpi",))
    return {
        "subtitle": _subtitle(p), "as_of": p.as_of or DASH, "source": p.source,
        "factor": f"{p.factor:g}", "elements": [names[e] for e in ELEMENTS],
        "frameworks": sorted({f"{a['framework']} {a['framework_version']}"
                              for a in p.assessments}),
        "counts": {"clients": len(p.clients), "assessments": len(p.assessments),
                   "trends": len(p.trends)},
        "figures": {"index": _figure(figures["index"]),
                    "distribution": _figure(figures["distribution"]),
                    "sensitivity": _figure(figures["sensitivity"]),
                    "trends": [_figure(f) for f in figures["trends"]]},
        "clients": [{
            "name": c["organization"], "date": c["assessment_date"],
            "framework": f"{c['framework']} {c['framework_version']}",
            "results": _results_label(c), "segment": _segment(c) or DASH,
            "currency": c.get("currency") or DASH,
            "index": _cell(c["index"], c["amber"]),
            "measured": _cell(c.get("index_measured")),
            "coverage": format_coverage(c.get("coverage")),
            "readings": c.get("readings") or DASH,
            "elements": [_score_cell(c, e, c["amber"]) for e in ELEMENTS],
            "renewal": _score_cell(c, "renewal_health", c["amber"]),
            "level": _level(c) or DASH,
            "alignment": DASH if c["alignment"] is None else f"{c['alignment']:.1f}",
            "percentile": _pct(pct.get(c["organization"])),
            "group": c.get("peer_group") or DASH,
            "rank": _rank_range(sens.get(c["organization"])) or DASH,
            "business_case": _case_text(c), "top_initiative": _top_text(c),
        } for c in p.clients],
        "business_totals": _totals_text(p),
        "assessments": [{
            "name": a["organization"], "date": a["assessment_date"],
            "framework": f"{a['framework']} {a['framework_version']}",
            "results": _results_label(a), "segment": _segment(a) or DASH,
            "currency": a.get("currency") or DASH,
            "index": _cell(a["index"], a["amber"]),
            "measured": _cell(a.get("index_measured")),
            "coverage": format_coverage(a.get("coverage")),
            "elements": [_score_cell(a, e, a["amber"]) for e in ELEMENTS],
            "renewal": _score_cell(a, "renewal_health", a["amber"]),
            "latest": a["latest"], "warnings": a["warnings"],
        } for a in p.assessments],
        "percentile_metrics": [m["name"] for m in metrics],
        "percentiles": [{"name": r["organization"], "group": r.get("group") or DASH,
                         "peers": r.get("peers") or 0,
                         "values": [NA if m["metric"] in r["not_applicable"]
                                    else _pct(r.get(m["metric"])) for m in metrics]}
                        for r in ranks],
        "kpi_clients": [r["organization"] for r in kpi_ranks],
        "kpi_percentiles": [{"name": m["name"], "element": names.get(m["element"] or "", "Renewal"),
                             "values": [NA if m["metric"] in r["not_applicable"]
                                        else _pct(r.get(m["metric"])) for r in kpi_ranks]}
                            for m in kpi_metrics],
        "notes": list(p.notes),
        "distributions": [_distribution_view(d, names) for d in p.distributions],
        "trends": [{"name": t["organization"],
                    "points": [_trend_view(pt, n == 0) for n, pt in enumerate(t["points"])],
                    "initiatives": _initiatives_view(t, names)}
                   for t in p.trends],
        "sensitivity": [{
            "name": s["organization"], "group": s.get("group") or DASH,
            "scenarios": [format_score(s["index"][k]) for k in pf.scenarios()],
            "min": format_score(s["index_min"]), "max": format_score(s["index_max"]),
            "rank": DASH if s["rank"]["base"] is None else str(s["rank"]["base"]),
            "ranks": _rank_range(s) or "not ranked",
        } for s in p.sensitivity],
        "warnings": list(p.warnings),
        "method": METHOD,
    }


def _distribution_view(d: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    bench = d["benchmark"] or {}

    def fmt(value: float | None) -> str:
        return format_value(value, d["unit"] or "", d["currency"])

    return {"name": distribution_label(d), "element": names.get(d["element"], "Renewal"),
            "n": d["n"], "na": d.get("not_applicable") or 0,
            "min": fmt(d["min"]), "q1": fmt(d["q1"]), "median": fmt(d["median"]),
            "q3": fmt(d["q3"]), "max": fmt(d["max"]),
            "direction": DIRECTION_LABELS.get(d["direction"], ""),
            "benchmark": benchmark_figure(bench, d["unit"] or "") or DASH,
            "source": benchmark_source(bench),
            "note": bench.get("note") or ""}


def _initiatives_view(t: dict[str, Any], names: dict[str, str]) -> dict[str, Any] | None:
    """One client's initiatives at each assessment (rows), with the index and element scores
    and their movement between the same assessments underneath; None when none is recorded."""
    if not t["initiatives"]:
        return None
    points = t["points"]
    rows = [{"name": row["name"], "cells": [{
        "change": CHANGE_LABELS.get(cell["change"] or ""),
        "change_class": (cell["change"] or "").replace(" ", "-"),
        "text": _cell_text(cell), "inhibitors": cell.get("inhibitors") or "",
        "past_due": cell["past_due"]} for cell in row["cells"]]} for row in t["initiatives"]]
    movement = []
    for key, label in (("index", "Index"), (pf.MEASURED, "Index (measured)"),
                       *((e, names[e]) for e in ELEMENTS)):
        movement.append({"name": label, "cells": [{
            "score": NA if _na(pt, key) else format_score(pt[key]),
            "delta": None if n == 0 else (f"{DASH} (method change: not comparable)"
                                          if pt["method_changed"]
                                          else format_delta((pt["delta"] or {}).get(key)))}
            for n, pt in enumerate(points)]})
    return {"dates": [pt["assessment_date"] for pt in points],
            "changed": [pt["method_changed"] for pt in points],
            "rows": rows, "movement": movement}


def _trend_view(pt: dict[str, Any], first: bool = False) -> dict[str, Any]:
    delta = pt["delta"] or {}
    segment = _segment(pt)
    return {"date": pt["assessment_date"],
            "framework": f"{pt['framework']} {pt['framework_version']}",
            "method": ", ".join(x for x in (_results_label(pt), segment,
                                            f"missing data {RULE_LABELS[pt['missing_kpi']]}"
                                            if pt.get("missing_kpi") in RULE_LABELS else None)
                                if x),
            "values": [{"score": NA if _na(pt, k) else format_score(pt[k]),
                        "delta": format_delta(delta.get(k))}
                       for k in ("index", pf.MEASURED, *ELEMENTS)],
            "changed": pt["method_changed"], "note": pt["note"],
            "initiatives": _initiative_summary(pt.get("initiatives"), first)}


def render_portfolio_html(p: Portfolio) -> str:
    """The portfolio page as text: one file, no external resource."""
    from assessment.scorecard.html import environment

    return environment().get_template(TEMPLATE).render(**html_context(p))


def write_portfolio_html(p: Portfolio, path: str | Path) -> Path:
    """Write the portfolio page to ``path`` atomically; returns the path."""
    return atomic_write(path, render_portfolio_html(p))


# --------------------------------------------------------------------------- both


def write_portfolio(source: str | Path | Portfolio | Iterable[dict[str, Any]],
                    out_dir: str | Path, *, factor: float = 2.0) -> dict[str, Path]:
    """Write ``portfolio.xlsx`` and ``portfolio.html`` into ``out_dir``.

    ``source`` is a folder of results (searched recursively), a list of results structures
    or a :class:`Portfolio`. Both files are rendered before either is written, and the pair is
    published all or nothing (:func:`~assessment.files.write.publish_files`): a full disk
    leaves the previous pair as it was. Returns ``{"xlsx": path, "html": path}``.
    """
    p = _portfolio(source, factor)
    rendered = {"xlsx": portfolio_workbook_bytes(p), "html": render_portfolio_html(p)}
    written = publish_files(Path(out_dir), {FILES[fmt]: data for fmt, data in rendered.items()})
    return {fmt: written[FILES[fmt]] for fmt in rendered}


# --------------------------------------------------------------------------- notebook tables


def tables(p: Portfolio) -> dict[str, Any]:
    """Display tables (pandas DataFrames, rounded to one decimal) for the notebook.

    Keys: ``clients``, ``assessments``, ``percentiles``, ``kpi_percentiles``,
    ``distribution``, ``trends``, ``initiatives`` (each chosen initiative at each assessment,
    beside the score movement), ``business_case`` (per client) and ``sensitivity``.
    """
    import pandas as pd

    names = element_names(p)
    pct, sens = _index_percentiles(p), _sensitivity(p)

    def r1(value: float | None) -> float | None:
        return None if value is None else round(value, 1)

    def sc(row: dict[str, Any], key: str) -> float | str | None:
        return NA if _na(row, key) else r1(row[key])

    def frame(rows: list[dict[str, Any]], index: str | None = "Organization") -> Any:
        df = pd.DataFrame(rows)
        if index and not df.empty:
            df = df.set_index(index)
        return df.astype(object).where(df.notna(), DASH)  # blanks read as a dash, not NaN

    clients = frame([{
        "Organization": c["organization"], "Assessed": c["assessment_date"],
        "Segment": _segment(c), "Currency": c.get("currency"),
        "Index": r1(c["index"]), "Index (measured)": r1(c.get("index_measured")),
        "Coverage": format_coverage(c.get("coverage")),
        **{names[e]: sc(c, e) for e in ELEMENTS},
        "Renewal health": sc(c, "renewal_health"), "Alignment": r1(c["alignment"]),
        "Index percentile": r1(pct.get(c["organization"])),
        "Rank range": _rank_range(sens.get(c["organization"])),
        "Compared with": c.get("peer_group")} for c in p.clients])
    assessments = frame([{
        "Organization": a["organization"], "Assessed": a["assessment_date"],
        "Framework": f"{a['framework']} {a['framework_version']}",
        "Results": _results_label(a), "Segment": _segment(a), "Index": r1(a["index"]),
        "Index (measured)": r1(a.get("index_measured")),
        "Coverage": format_coverage(a.get("coverage")),
        **{names[e]: sc(a, e) for e in ELEMENTS}, "Latest": a["latest"]}
        for a in p.assessments])
    metrics, ranks = pf.percentile_table(p.percentiles, ("index", "element"))
    percentiles = frame([{"Organization": r["organization"], "Compared with": r.get("group"),
                          **{m["name"]: NA if m["metric"] in r["not_applicable"]
                             else r1(r.get(m["metric"])) for m in metrics}}
                         for r in ranks])
    kpi_metrics, kpi_ranks = pf.percentile_table(p.percentiles, ("kpi",))
    kpi_percentiles = frame([{"KPI": m["name"],
                              **{r["organization"]: NA if m["metric"] in r["not_applicable"]
                                 else r1(r.get(m["metric"])) for r in kpi_ranks}}
                             for m in kpi_metrics], "KPI")
    stats = {"min": "Min", "q1": "Q1", "median": "Median", "q3": "Q3", "max": "Max"}
    distribution = frame([{
        "KPI": distribution_label(d), "n": d["n"], "n/a": d.get("not_applicable") or 0,
        **{label: format_value(d[k], d["unit"] or "", d["currency"])
           for k, label in stats.items()},
        "Benchmark": benchmark_text(d["benchmark"], d["unit"] or "") or DASH}
        for d in p.distributions], "KPI")
    trends = frame([{
        "Organization": t["organization"], "Assessed": pt["assessment_date"],
        "Framework": f"{pt['framework']} {pt['framework_version']}",
        "Results": _results_label(pt), "Segment": _segment(pt), "Index": r1(pt["index"]),
        "Δ index": r1((pt["delta"] or {}).get("index")),
        "Index (measured)": r1(pt.get(pf.MEASURED)),
        **{names[e]: sc(pt, e) for e in ELEMENTS},
        "Method change": pt["method_changed"], "Note": pt["note"]}
        for t in p.trends for pt in t["points"]])
    sensitivity = frame([{
        "Organization": s["organization"], "Compared with": s.get("group"),
        "Index (base)": r1(s["index"]["base"]),
        **{f"{names[e]} ×{p.factor:g}": r1(s["index"][e]) for e in ELEMENTS},
        "Index min": r1(s["index_min"]), "Index max": r1(s["index_max"]),
        "Rank (base)": s["rank"]["base"], "Rank range": _rank_range(s) or "not ranked"}
        for s in p.sensitivity])
    initiatives = frame([{
        "Organization": t["organization"], "Initiative": row["name"],
        "Assessed": pt["assessment_date"],
        "Status": STATE_LABELS.get(cell["state"], cell["state"]), "Owner": cell.get("owner"),
        "Due date": cell.get("due_date"), "Past due": cell["past_due"],
        "Change": CHANGE_LABELS.get(cell["change"] or ""),
        "Δ index": r1((pt["delta"] or {}).get("index")),
        "Method change": pt["method_changed"]}
        for t in p.trends for row in t["initiatives"]
        for cell, pt in zip(row["cells"], t["points"], strict=True)])
    business_case = frame([{
        "Organization": c["organization"], "Assessed": c["assessment_date"],
        "Business case (base, a year)": _case_text(c), "Top initiative": _top_text(c)}
        for c in p.clients])
    return {"clients": clients, "assessments": assessments, "percentiles": percentiles,
            "kpi_percentiles": kpi_percentiles, "distribution": distribution,
            "trends": trends, "initiatives": initiatives, "business_case": business_case,
            "sensitivity": sensitivity}
