"""The Excel scorecard: a consultant-grade workbook built from the results (methodology §8).

- :func:`build_workbook` lays the results out on eight sheets (see :data:`SHEETS`).
- :func:`excel_bytes` saves it with every timestamp pinned to the assessment date, so identical
  results always give byte-identical files.
- :func:`write_excel` writes those bytes atomically: a failure leaves no file behind.

Every string that reaches a cell goes through :func:`assessment.files.xlsx.set_text`. It removes
characters that XML forbids and forces the cell to plain text, so intake text such as
``=HYPERLINK(...)``, ``+1+2``, ``@SUM(A1)`` or ``#N/A`` is shown as typed and never becomes a
formula or an error.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Sequence
from copy import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.chart.label import DataLabelList
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from assessment.core.format import QUADRANT_LABELS
from assessment.files.write import atomic_write, workbook_bytes
from assessment.files.xlsx import fit_row_heights, safe_text, set_text

SHEETS: tuple[str, ...] = (
    "Summary", "KPIs", "Renewal", "Practices", "Expectations", "Recommendations",
    "Data quality", "Method",
)

# --------------------------------------------------------------------------- styles

NAVY = "1F3864"
FONT_NAME = "Calibri"
TITLE_FONT = Font(name=FONT_NAME, size=14, bold=True, color=NAVY)
SUBTITLE_FONT = Font(name=FONT_NAME, size=10, italic=True, color="595959")
SECTION_FONT = Font(name=FONT_NAME, size=12, bold=True, color=NAVY)
HEADER_FONT = Font(name=FONT_NAME, bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor=NAVY)
LABEL_FONT = Font(name=FONT_NAME, bold=True)
NOTE_FONT = Font(name=FONT_NAME, italic=True, color="595959")
_THIN = Side(style="thin", color="BFBFBF")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
SECTION_BORDER = Border(bottom=Side(style="medium", color=NAVY))

#: RAG key -> (fill colour, font colour); Excel's own "good / neutral / bad" palette.
RAG_COLOURS: dict[str, tuple[str, str]] = {
    "green": ("C6EFCE", "006100"),
    "amber": ("FFEB9C", "9C5700"),
    "red": ("FFC7CE", "9C0006"),
    "grey": ("E7E6E6", "595959"),
}
RAG_LABELS = {"green": "Green", "amber": "Amber", "red": "Red", "grey": "Not computed"}

STATUS_LABELS = {"met": "Met", "near": "Near", "off": "Off", "no_data": "No data"}
STATUS_RAG = {"met": "green", "near": "amber", "off": "red", "no_data": "grey"}

QUADRANT_RAG = {"keep_up": "green", "concentrate_here": "red", "possible_overkill": "amber",
                "low_priority": "grey"}

SOURCE_LABELS = {"kpi": "KPI", "practice": "Practice", "expectation": "Expectation"}

PERCENT = "0.0%"
COVERAGE = "0%"
SCORE = "0.0"
DATE = "yyyy-mm-dd"
CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}
UNIT_FORMATS = {"percent": PERCENT, "hours": '0.0 "h"', "count": "#,##0", "ratio": "0.00",
                "score": "0"}


def rag_style(key: str | None) -> tuple[PatternFill, Font]:
    """Fill and font of a RAG key (``None`` is grey: not computed)."""
    fill, font = RAG_COLOURS.get(key or "grey", RAG_COLOURS["grey"])
    return PatternFill("solid", fgColor=fill), Font(name=FONT_NAME, bold=True, color=font)


@dataclass(frozen=True)
class V:
    """A cell value with its presentation: number format, RAG fill, emphasis, wrapping."""

    value: Any
    fmt: str | None = None
    rag: str | None = None
    italic: bool = False
    bold: bool = False
    wrap: bool = False


#: Per workbook: style key -> the StyleArray of the first cell styled that way. openpyxl hashes
#: every Font/Fill/Alignment it is given, which made styling half the cost of a workbook;
#: copying a known StyleArray is cheap and gives the same style ids.
_STYLE_CACHE: WeakKeyDictionary[Workbook, dict[tuple[Any, ...], StyleArray]] = (
    WeakKeyDictionary())


def put(ws: Worksheet, row: int, col: int, item: Any, *, border: bool = False) -> Cell:
    """Write one value (plain or :class:`V`) with its style; every string goes via set_text."""
    spec = item if isinstance(item, V) else V(item)
    value = spec.value
    cell = ws.cell(row=row, column=col)
    numeric = is_date = False
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        pass
    elif isinstance(value, bool):
        set_text(cell, "Yes" if value else "No")
    elif isinstance(value, (int, float)):
        cell.value = value
        numeric = True
    elif isinstance(value, dt.date):
        cell.value = value
        numeric = is_date = True
    else:
        set_text(cell, value)
    # blanks get the format too, so a value typed in later is formatted
    fmt = spec.fmt if spec.fmt and (numeric or value is None) else (DATE if is_date else None)
    key = (fmt, spec.rag, spec.italic, spec.bold, numeric or bool(spec.fmt), spec.wrap, border,
           bool(cell.quotePrefix))
    known = _STYLE_CACHE.setdefault(ws.parent, {})
    if key in known:
        cell._style = copy(known[key])
        return cell
    if fmt:
        cell.number_format = fmt
    if spec.rag:
        cell.fill, cell.font = rag_style(spec.rag)
    elif spec.italic or spec.bold:
        cell.font = Font(name=FONT_NAME, italic=spec.italic, bold=spec.bold)
    cell.alignment = Alignment(
        horizontal="right" if numeric or spec.fmt else None,
        vertical="top", wrap_text=spec.wrap or None)
    if border:
        cell.border = BORDER
    known[key] = copy(cell._style)
    return cell


# --------------------------------------------------------------------------- formatting values


def currency_code(results: dict[str, Any]) -> str | None:
    """The profile currency as a three-letter ISO code, or None when it is not one."""
    code = str(_org(results).get("currency") or "").strip().upper()
    return code if re.fullmatch(r"[A-Z]{3}", code) else None


def unit_format(unit: str | None, currency: str | None) -> str:
    """Excel number format of a KPI unit; currency uses the profile currency."""
    if unit == "currency":
        if currency in CURRENCY_SYMBOLS:
            return f'"{CURRENCY_SYMBOLS[currency]}"#,##0.00'
        return f'"{currency}" #,##0.00' if currency else "#,##0.00"
    return UNIT_FORMATS.get(unit or "", "General")


def unit_text(value: float | None, unit: str | None, currency: str | None) -> str:
    """A value as display text in its unit, for cells that combine several values."""
    if value is None:
        return ""
    if unit == "percent":
        return f"{value:.1%}"
    if unit == "currency":
        symbol = CURRENCY_SYMBOLS.get(currency or "")
        if symbol:
            return f"{symbol}{value:,.2f}"
        return f"{currency} {value:,.2f}" if currency else f"{value:,.2f}"
    if unit == "hours":
        return f"{value:.1f} h"
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "ratio":
        return f"{value:.2f}"
    return f"{value:.0f}"


def score_cell(value: float | None, rag: str | None, missing: str = "not computed") -> V:
    """A 0–100 score with its RAG fill, or grey ``missing`` text when it is null."""
    if value is None:
        return V(missing, rag="grey")
    return V(value, SCORE, rag=rag)


# --------------------------------------------------------------------------- results access


def _org(results: dict[str, Any]) -> dict[str, Any]:
    return results.get("organization") or {}


def org_name(results: dict[str, Any]) -> str:
    """The organization's name, made safe, or a placeholder when it is empty."""
    name = _org(results).get("name")
    text = "" if name is None else safe_text(name).strip()
    return text or "Unnamed organization"


def assessment_date(results: dict[str, Any]) -> dt.date | None:
    """The assessment date of the results (ISO text or a date), or None."""
    value = _org(results).get("assessment_date")
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _label(key: str) -> str:
    return str(key).replace("_", " ").strip().capitalize()


def _area_name(results: dict[str, Any], area: str) -> str:
    if area in (results.get("elements") or {}):
        return results["elements"][area].get("name") or _label(area)
    if area in (results.get("questionnaires") or {}):
        return results["questionnaires"][area].get("name") or _label(area)
    return _label(area)


def _settings(results: dict[str, Any]) -> dict[str, Any]:
    return (results.get("framework") or {}).get("settings") or {}


def _level_text(level: int | None, name: str | None) -> str | None:
    if not level:
        return None
    return f"Level {level} · {name}" if name else f"Level {level}"


# --------------------------------------------------------------------------- sheet scaffolding


def _new_sheet(wb: Workbook, title: str, results: dict[str, Any], subtitle: str,
               widths: Sequence[float], print_rows: str = "1:2") -> Worksheet:
    """A sheet with the title rows, column widths, print setup, header and footer."""
    ws = wb.create_sheet(title)
    name = org_name(results)
    set_text(ws.cell(row=1, column=1), name).font = TITLE_FONT
    when = assessment_date(results)
    line = subtitle + (f" · assessed {when.isoformat()}" if when else "")
    set_text(ws.cell(row=2, column=1), line).font = SUBTITLE_FONT
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    _print_setup(ws, name, when, print_rows)
    return ws


def _hf(text: str, limit: int = 80) -> str:
    """Text for a page header or footer: one line, short, with ``&`` escaped."""
    text = re.sub(r"\s+", " ", safe_text(text)).strip()
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text.replace("&", "&&")


def _print_setup(ws: Worksheet, name: str, when: dt.date | None, rows: str) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins = PageMargins(left=0.5, right=0.5, top=0.75, bottom=0.75,
                                  header=0.3, footer=0.3)
    ws.print_options.horizontalCentered = True
    ws.print_title_rows = rows
    ws.oddHeader.left.text = _hf(name)
    ws.oddHeader.right.text = _hf(ws.title)
    ws.oddFooter.left.text = _hf(f"Assessed {when.isoformat()}" if when else "")
    ws.oddFooter.center.text = "Page &P of &N"
    ws.oddFooter.right.text = "Support excellence scorecard"


def _section(ws: Worksheet, row: int, text: str, span: int = 4) -> int:
    """A section heading; returns the next row."""
    set_text(ws.cell(row=row, column=1), text).font = SECTION_FONT
    for col in range(1, span + 1):
        ws.cell(row=row, column=col).border = SECTION_BORDER
    return row + 1


def _note(ws: Worksheet, row: int, text: str, col: int = 1) -> int:
    set_text(ws.cell(row=row, column=col), text).font = NOTE_FONT
    return row + 1


def _header(ws: Worksheet, row: int, headers: Sequence[str]) -> None:
    for col, text in enumerate(headers, start=1):
        cell = set_text(ws.cell(row=row, column=col), text)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _table(ws: Worksheet, row: int, headers: Sequence[str], rows: Iterable[Sequence[Any]],
           empty: str = "None") -> tuple[int, int]:
    """Header and bordered rows; returns ``(header_row, last_row)`` (``empty`` if no rows)."""
    _header(ws, row, headers)
    last = row
    for values in rows:
        last += 1
        for col, item in enumerate(values, start=1):
            put(ws, last, col, item, border=True)
    if last == row:
        last += 1
        _note(ws, last, empty)
    return row, last


def _pairs(ws: Worksheet, row: int, pairs: Iterable[tuple[str, Any]]) -> int:
    """Label/value rows (label in A, value in B); returns the next row."""
    for label, item in pairs:
        set_text(ws.cell(row=row, column=1), label).font = LABEL_FONT
        ws.cell(row=row, column=1).border = BORDER
        put(ws, row, 2, item, border=True)
        row += 1
    return row


def _status_rules(ws: Worksheet, ref: str) -> None:
    """Conditional formatting of a status column: met green, near amber, off red, no data grey."""
    for status, label in STATUS_LABELS.items():
        fill, font = RAG_COLOURS[STATUS_RAG[status]]
        ws.conditional_formatting.add(ref, CellIsRule(
            operator="equal", formula=[f'"{label}"'],
            fill=PatternFill("solid", start_color=fill, end_color=fill),
            font=Font(color=font, bold=True)))


def _status(status: str | None) -> str:
    return STATUS_LABELS.get(status or "no_data", _label(status or ""))


# --------------------------------------------------------------------------- 1. Summary


def _summary(wb: Workbook, results: dict[str, Any]) -> None:
    ws = _new_sheet(wb, "Summary", results, "Support excellence scorecard",
                    [38, 26, 20, 14, 16, 16, 3])
    ws.sheet_view.showGridLines = False
    ws.freeze_panes = "A3"
    org = _org(results)
    row = _section(ws, 4, "Organization profile")
    known = {"name": "Organization", "industry": "Industry", "support_model": "Support model",
             "currency": "Currency", "assessment_date": "Assessment date"}
    profile = [(label, org.get(key)) for key, label in known.items()]
    profile[0] = ("Organization", org_name(results))
    when = assessment_date(results)
    if when:
        profile[4] = ("Assessment date", when)
    profile += [(_label(k), _profile_value(v)) for k, v in org.items() if k not in known]
    row = _pairs(ws, row, profile)

    index = results.get("index") or {}
    row = _section(ws, row + 1, "Overall score")
    row = _pairs(ws, row, [
        ("Support Excellence Index", score_cell(index.get("score"), index.get("rag"))),
        ("Maturity level", _level_text(index.get("level"), index.get("level_name"))),
        ("Coverage (weight of elements scored)", V(index.get("coverage"), COVERAGE)),
        ("Elements scored", f"{index.get('elements_scored', 0)} of 4 (at least 3 needed)"),
    ])

    row = _section(ws, row + 1, "The four elements", span=5)
    first = row + 1
    elements = results.get("elements") or {}
    _, last = _table(ws, row, ["Element", "Score", "Coverage", "Weight", "Status"], [
        [e.get("name") or _label(key),
         V(e.get("score"), SCORE, rag=e.get("rag") if e.get("score") is not None else None),
         V(e.get("coverage"), COVERAGE), V(e.get("weight"), "0.0#"),
         V(RAG_LABELS.get(e.get("rag") or "grey") if e.get("score") is not None
           else "insufficient data", rag=e.get("rag") or "grey")]
        for key, e in elements.items()])
    _element_chart(ws, results, first, last)

    renewal = results.get("renewal") or {}
    expectations = results.get("expectations") or {}
    row = _section(ws, last + 2, "Renewal health and expectations alignment")
    row = _pairs(ws, row, [
        ("Renewal health", score_cell(renewal.get("health"), renewal.get("rag"))),
        ("Expectations alignment (0–10)", V(expectations.get("alignment"), "0.0")
         if expectations.get("alignment") is not None else V("not computed", rag="grey")),
    ])
    set_text(ws.cell(row=row - 1, column=3), "HDI survey average").font = LABEL_FONT
    put(ws, row - 1, 4, V(expectations.get("survey_average"), "0.0"), border=True)

    row = _section(ws, row + 1, "Top five gaps by index points at stake", span=6)
    _table(ws, row, ["KPI", "ID", "Element", "Score", "Points at stake"], [
        [g.get("name") or g.get("id"), g.get("id"), _area_name(results, g.get("element") or ""),
         V(g.get("score"), SCORE), V(g.get("points_at_stake"), "0.00")]
        for g in (results.get("gaps") or [])[:5]],
        empty="No gaps to rank: every scored KPI meets its target, or too little is scored.")


def _profile_value(value: Any) -> Any:
    """A profile value for a cell: numbers with thousands separators, anything else as text."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return V(value, "#,##0" if float(value).is_integer() else "#,##0.##")
    return value if isinstance(value, str) or value is None else str(value)


def _element_chart(ws: Worksheet, results: dict[str, Any], first: int, last: int) -> None:
    """A column chart of the element scores, or a note when no element is scored."""
    anchor = "H4"
    scored = [e for e in (results.get("elements") or {}).values() if e.get("score") is not None]
    if not scored or last < first:
        _note(ws, 4, "No chart: no element has enough data to be scored.", col=8)
        return
    chart = BarChart()
    chart.type = "col"
    chart.title = "Element scores (0–100)"
    chart.y_axis.title = "Score"
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 100
    chart.y_axis.majorUnit = 20
    chart.y_axis.number_format = "0"
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.legend = None
    chart.add_data(Reference(ws, min_col=2, min_row=first - 1, max_row=last),
                   titles_from_data=True)
    names = Reference(ws, min_col=1, min_row=first, max_row=last)
    chart.series[0].cat = AxDataSource(strRef=StrRef(f=str(names)))  # text categories
    chart.dataLabels = DataLabelList(showVal=True, showSerName=False, showCatName=False,
                                     showLegendKey=False, showPercent=False)
    chart.width, chart.height = 16, 8
    ws.add_chart(chart, anchor)


# --------------------------------------------------------------------------- 2. KPIs


KPI_HEADERS = ["Element", "KPI", "ID", "Unit", "Direction", "Current", "Target", "Target set by",
               "Floor (scores 0)", "Weight", "Benchmark", "Benchmark source", "Score", "Status",
               "Points at stake", "Client note"]


def _kpi_row(results: dict[str, Any], k: dict[str, Any], currency: str | None) -> list[Any]:
    unit = k.get("unit")
    fmt = unit_format(unit, currency)
    if k.get("direction") == "band" and k.get("band"):
        lo, hi = k["band"]
        target: Any = f"band {unit_text(lo, unit, currency)}–{unit_text(hi, unit, currency)}"
        f_lo, f_hi = k.get("floor") or (None, None)
        floor: Any = (f"below {unit_text(f_lo, unit, currency)} / "
                      f"above {unit_text(f_hi, unit, currency)}")
        set_by = "Framework"
    else:
        overridden = bool(k.get("target_overridden"))
        target = V(k.get("target"), fmt, italic=overridden, bold=overridden)
        floor = V(k.get("floor"), fmt)
        set_by = (f"Client (framework {unit_text(k.get('framework_target'), unit, currency)})"
                  if overridden else "Framework")
    bench = k.get("benchmark") or {}
    if bench.get("value") is not None:
        bench_value: Any = V(bench["value"], fmt)
    elif bench.get("range"):
        lo, hi = bench["range"]
        bench_value = f"{unit_text(lo, unit, currency)}–{unit_text(hi, unit, currency)}"
    else:
        bench_value = None
    source = ", ".join(str(x) for x in (bench.get("source"), bench.get("year")) if x)
    area = k.get("element") or ""
    return [
        _area_name(results, area), k.get("name") or k.get("id"), k.get("id"), _label(unit or ""),
        _label(k.get("direction") or ""), V(k.get("current"), fmt), target, set_by, floor,
        V(k.get("weight"), "0.0#"), bench_value, source or None, V(k.get("score"), SCORE),
        _status(k.get("status")), V(k.get("points_at_stake"), "0.00"),
        V(k.get("note"), wrap=True),
    ]


def _kpis(wb: Workbook, results: dict[str, Any]) -> None:
    widths = [14, 34, 28, 9, 10, 12, 18, 22, 22, 8, 16, 26, 8, 10, 10, 40]
    ws = _new_sheet(wb, "KPIs", results, "Every KPI: current value, target, score and status",
                    widths, print_rows="1:4")
    currency = currency_code(results)
    header, last = _table(ws, 4, KPI_HEADERS,
                          [_kpi_row(results, k, currency) for k in results.get("kpis") or []],
                          empty="No KPIs in the framework.")
    ws.freeze_panes = "C5"
    ws.auto_filter.ref = f"A{header}:{get_column_letter(len(KPI_HEADERS))}{last}"
    status_col = get_column_letter(KPI_HEADERS.index("Status") + 1)
    _status_rules(ws, f"{status_col}{header + 1}:{status_col}{last}")


# --------------------------------------------------------------------------- 3. Renewal


def _answer(item: dict[str, Any]) -> Any:
    """A practice answer for display: 0–4, ``n/a``, or blank when missing."""
    if item.get("na"):
        return V("n/a", "0")
    return V(item.get("answer"), "0")


def _practice_rows(items: Iterable[dict[str, Any]]) -> list[list[Any]]:
    return [[n, i.get("name") or i.get("id"), i.get("id"), V(i.get("weight"), "0.0#"),
             _answer(i), i.get("label"), V(i.get("score"), SCORE)]
            for n, i in enumerate(items, start=1)]


PRACTICE_HEADERS = ["#", "Practice", "ID", "Weight", "Answer (0–4)", "Answer meaning", "Score"]


def _questionnaire_pairs(q: dict[str, Any]) -> list[tuple[str, Any]]:
    return [
        ("Questionnaire score", score_cell(q.get("score"), q.get("rag"), "insufficient answers")),
        ("Coverage", V(q.get("coverage"), COVERAGE)),
        ("Maturity level", _level_text(q.get("level"), q.get("level_name"))),
    ]


def _renewal(wb: Workbook, results: dict[str, Any]) -> None:
    ws = _new_sheet(wb, "Renewal", results,
                    "Contract renewals: health, KPIs, practices and projection",
                    [36, 28, 12, 12, 22, 12, 16, 12])
    ws.freeze_panes = "A3"
    renewal = results.get("renewal") or {}
    currency = currency_code(results)
    blend = renewal.get("blend")
    row = _section(ws, 4, "Renewal health score")
    row = _pairs(ws, row, [
        ("Renewal health", score_cell(renewal.get("health"), renewal.get("rag"))),
        ("Renewal KPI score", score_cell(renewal.get("kpi_score"), None, "insufficient data")),
        ("Renewal KPI coverage", V(renewal.get("kpi_coverage"), COVERAGE)),
        ("Renewal practices score",
         score_cell(renewal.get("practices_score"), None, "insufficient answers")),
        ("Blend", None if blend is None
         else f"{blend:.0%} renewal KPIs / {1 - blend:.0%} renewal practices"),
        ("Contract renewal rate", V(renewal.get("contract_renewal_rate"), PERCENT)),
        ("Industry renewal rate", V(renewal.get("industry_rate"), PERCENT)),
        ("Annual price uplift", V(renewal.get("price_uplift"), PERCENT)),
    ])

    row = _section(ws, row + 1, "Renewal KPIs", span=7)
    kpis = [k for k in results.get("kpis") or [] if k.get("element") == "renewal"]
    header, last = _table(
        ws, row, ["KPI", "ID", "Current", "Target", "Benchmark", "Score", "Status",
                  "Health points at stake"],
        [[k.get("name") or k.get("id"), k.get("id"),
          V(k.get("current"), unit_format(k.get("unit"), currency)),
          V(k.get("target"), unit_format(k.get("unit"), currency)),
          V((k.get("benchmark") or {}).get("value"), unit_format(k.get("unit"), currency)),
          V(k.get("score"), SCORE), _status(k.get("status")),
          V(k.get("health_points_at_stake"), "0.00")] for k in kpis],
        empty="The framework has no renewal KPIs.")
    _status_rules(ws, f"G{header + 1}:G{last}")

    q = (results.get("questionnaires") or {}).get("renewal_practices") or {}
    row = _section(ws, last + 2, q.get("name") or "Renewal practices", span=7)
    _, last = _table(ws, row, PRACTICE_HEADERS, _practice_rows(q.get("items") or []),
                     empty="No renewal practices in the framework.")
    row = _pairs(ws, last + 1, _questionnaire_pairs(q))

    row = _section(ws, row + 1, "5-year renewal projection (share of a starting cohort)", span=5)
    projection = renewal.get("projection") or []
    header, last = _table(
        ws, row, ["Contract year", "Client", "Industry", "Target", "Client value (with uplift)"],
        [[V(p.get("year"), "0"), V(p.get("client"), PERCENT), V(p.get("industry"), PERCENT),
          V(p.get("target"), PERCENT), V(p.get("client_value"), PERCENT)] for p in projection],
        empty="No projection.")
    _projection_chart(ws, projection, header, last)


def _projection_chart(ws: Worksheet, projection: list[dict[str, Any]], header: int,
                      last: int) -> None:
    """Line chart of client vs industry vs target, or a note when the client curve is empty."""
    anchor = f"I{header}"
    if not projection or all(p.get("client") is None for p in projection):
        _note(ws, header, "No chart: the client's contract renewal rate is missing.", col=9)
        return
    chart = LineChart()
    chart.title = "Share of starting customers still under contract"
    chart.y_axis.title = "Share of cohort"
    chart.x_axis.title = "Contract year"
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 1
    chart.y_axis.number_format = "0%"
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    columns = [2, 3] + ([4] if any(p.get("target") is not None for p in projection) else [])
    for col in columns:
        chart.add_data(Reference(ws, min_col=col, min_row=header, max_row=last),
                       titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=header + 1, max_row=last))
    chart.legend.position = "b"
    chart.width, chart.height = 16, 8
    ws.add_chart(chart, anchor)


# --------------------------------------------------------------------------- 4. Practices


def _practices(wb: Workbook, results: dict[str, Any]) -> None:
    ws = _new_sheet(wb, "Practices", results, "The ten practices of support excellence",
                    [6, 36, 26, 9, 12, 24, 10], print_rows="1:4")
    q = (results.get("questionnaires") or {}).get("excellence_practices") or {}
    _, last = _table(ws, 4, PRACTICE_HEADERS, _practice_rows(q.get("items") or []),
                     empty="No practices in the framework.")
    ws.freeze_panes = "A5"
    row = _section(ws, last + 2, q.get("name") or "Excellence practices", span=3)
    row = _pairs(ws, row, _questionnaire_pairs(q))
    _note(ws, row + 1, "Answers: 0 not in place … 4 optimized. n/a is excluded from the score; "
          "a blank answer counts against coverage.")


# --------------------------------------------------------------------------- 5. Expectations


def _expectations(wb: Workbook, results: dict[str, Any]) -> None:
    ws = _new_sheet(wb, "Expectations", results,
                    "What customers expect: importance, performance and the team's priority",
                    [32, 26, 12, 13, 11, 12, 24], print_rows="1:4")
    exp = results.get("expectations") or {}
    rows = []
    for d in exp.get("dimensions") or []:
        quad = d.get("quadrant")
        rows.append([d.get("name") or d.get("id"), d.get("id"), V(d.get("importance"), "0.0"),
                     V(d.get("performance"), "0.0"), V(d.get("priority"), "0.0"),
                     V(d.get("gap"), "+0.0;-0.0;0.0"),
                     V(QUADRANT_LABELS.get(quad, _label(quad)) if quad else None,
                       rag=QUADRANT_RAG.get(quad) if quad else None)])
    _, last = _table(ws, 4, ["Dimension", "ID", "Importance (I)", "Performance (P)",
                             "Priority (T)", "Gap (I − P)", "Quadrant"], rows,
                     empty="No expectation dimensions in the framework.")
    ws.freeze_panes = "A5"
    row = _section(ws, last + 2, "Alignment of priorities with customer expectations", span=4)
    alignment = exp.get("alignment")
    row = _pairs(ws, row, [
        ("Alignment (0–10)", V(alignment, "0.0") if alignment is not None
         else V("not computed", rag="grey")),
        ("HDI survey average (self-rated)", V(exp.get("survey_average"), "0.0")),
        ("Quadrant threshold (1–5)", V(exp.get("threshold"), "0.0")),
    ])
    _note(ws, row + 1, "Ratings are 1–5. Alignment compares importance to customers with the "
          "support team's own priority; 10 means fully aligned.")


# --------------------------------------------------------------------------- 6. Recommendations


def _recommendations(wb: Workbook, results: dict[str, Any]) -> None:
    headers = ["Rank", "Area", "Source", "KPI / item", "ID", "Priority", "Priority basis",
               "Recommendation"]
    ws = _new_sheet(wb, "Recommendations", results, "Ranked recommendations and why they rank",
                    [7, 22, 11, 30, 26, 9, 24, 70], print_rows="1:4")
    rows = [[V(r.get("rank"), "0"), _area_name(results, r.get("area") or ""),
             SOURCE_LABELS.get(r.get("source"), _label(r.get("source") or "")),
             V(r.get("name") or r.get("id"), wrap=True), r.get("id"),
             V(r.get("priority"), "0.00"), V(r.get("basis"), wrap=True),
             V(r.get("text"), wrap=True)]
            for r in results.get("recommendations") or []]
    header, last = _table(ws, 4, headers, rows, empty="No recommendations")
    ws.freeze_panes = "A5"
    if rows:
        ws.auto_filter.ref = f"A{header}:{get_column_letter(len(headers))}{last}"


# --------------------------------------------------------------------------- 7. Data quality


def _data_quality(wb: Workbook, results: dict[str, Any]) -> None:
    ws = _new_sheet(wb, "Data quality", results, "Warnings to check before relying on the scores",
                    [6, 110], print_rows="1:4")
    warnings = results.get("warnings") or []
    _table(ws, 4, ["#", "Warning"], [[n, V(w, wrap=True)] for n, w in enumerate(warnings, 1)],
           empty="No warnings")
    ws.freeze_panes = "A5"


# --------------------------------------------------------------------------- 8. Method


METHOD: tuple[tuple[str, str], ...] = (
    ("KPI score, higher is better",
     "100 × (current − floor) / (target − floor), kept between 0 and 100."),
    ("KPI score, lower is better",
     "100 × (floor − current) / (floor − target), kept between 0 and 100."),
    ("KPI score, band",
     "100 anywhere inside the band; outside it, a straight line down to 0 at the floor on that "
     "side."),
    ("Status",
     "Met at 100; Near from the amber threshold up to 100; Off below amber; No data when the "
     "current value is missing."),
    ("Element score and coverage",
     "Weighted mean of the element's KPI scores that have data. Coverage is the weight with data "
     "divided by the element's total KPI weight; below the minimum coverage the element is not "
     "scored."),
    ("Support Excellence Index",
     "Element-weighted mean of the scored elements; computed only when at least 3 of the 4 "
     "elements are scored."),
    ("Points at stake",
     "Index points gained if a KPI reached its target: element weight share × KPI weight share "
     "within the element × (100 − KPI score). Gaps and KPI recommendations rank by it."),
    ("Questionnaire score and level",
     "100 × weighted sum of answers / (4 × weight of answered items); n/a is left out, blanks "
     "reduce coverage. Level = lower of 5 and (score ÷ 20, rounded down) + 1."),
    ("Renewal health",
     "Blend × renewal KPI score + (1 − blend) × renewal practices score; if one part is missing "
     "the other is used alone."),
    ("Renewal projection",
     "Share of a starting cohort still under contract in year k = renewal rate^(k − 1), for the "
     "client, the industry rate and the target; the value variant uses rate × (1 + uplift)."),
    ("Alignment",
     "10 × (1 − sum of |importance − priority| / (4 × dimensions rated)); 0–10, shown beside the "
     "HDI survey average."),
    ("Gap", "Importance minus performance, per customer-expectation dimension."),
    ("Quadrants",
     "Importance and performance compared with the threshold. Both at or above it: 'Keep up the "
     "good work'. Important but performing below it: 'Concentrate here'. Less important but "
     "performing above it: 'Possible overkill'. Both below: 'Low priority'."),
    ("Practice recommendations",
     "From practices answered 0 or 1, ranked by weight × (4 − answer)."),
)


def _method(wb: Workbook, results: dict[str, Any]) -> None:
    ws = _new_sheet(wb, "Method", results, "How the scores are computed", [34, 90])
    ws.sheet_view.showGridLines = False
    ws.freeze_panes = "A3"
    framework = results.get("framework") or {}
    generator = results.get("generator") or {}
    row = _section(ws, 4, "Framework and version", span=2)
    row = _pairs(ws, row, [
        ("Framework", framework.get("name")), ("Version", framework.get("version")),
        ("Results schema", results.get("schema")),
        ("Generated by", " ".join(str(x) for x in (generator.get("name"),
                                                    generator.get("version")) if x) or None),
        ("Maturity levels", ", ".join(f"{n} {name}" for n, name in
                                      enumerate(framework.get("levels") or [], start=1)) or None),
    ])

    s = _settings(results)
    weights = s.get("element_weights") or {}
    blend = s.get("renewal_blend")
    row = _section(ws, row + 1, "Settings", span=2)
    row = _pairs(ws, row, [
        ("Amber threshold", V(s.get("amber"), "0")),
        ("Minimum coverage", V(s.get("min_coverage"), COVERAGE)),
        *((f"Element weight: {_area_name(results, k)}", V(w, "0.0#")) for k, w in weights.items()),
        ("Renewal blend (KPI share)", V(blend, COVERAGE)),
        ("IPA threshold (1–5)", V(s.get("ipa_threshold"), "0.0")),
        ("Industry renewal rate", V(s.get("industry_renewal_rate"), PERCENT)),
        ("HDI survey alignment average (0–10)",
         V((results.get("expectations") or {}).get("survey_average"), "0.0")),
        ("Annual price uplift (setting)", V(s.get("price_uplift"), PERCENT)
         if s.get("price_uplift") is not None else "not set (uses the KPI if supplied)"),
    ])

    row = _section(ws, row + 1, "Formulas in words", span=2)
    _pairs(ws, row, [(topic, V(rule, wrap=True)) for topic, rule in METHOD])
    _note(ws, row + len(METHOD) + 1, "Percent values are fractions in the computation; scores are "
          "unrounded and only the display rounds.")


# --------------------------------------------------------------------------- public API


def build_workbook(results: dict[str, Any]) -> Workbook:
    """The Excel scorecard of one organization's results, built from scratch."""
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in (_summary, _kpis, _renewal, _practices, _expectations, _recommendations,
                  _data_quality, _method):
        sheet(wb, results)
    for ws in wb.worksheets:
        fit_row_heights(ws)
    wb.active = 0
    _properties(wb, results)
    return wb


def _properties(wb: Workbook, results: dict[str, Any]) -> None:
    name = org_name(results)
    props = wb.properties
    props.title = safe_text(f"Support excellence scorecard — {name}")[:250]
    props.subject = "Technical support excellence assessment: scorecard"
    props.creator = props.lastModifiedBy = "support-excellence"
    props.keywords = "support excellence, scorecard, KPIs, renewal, practices"
    framework = results.get("framework") or {}
    props.description = safe_text(
        f"Framework: {framework.get('name')} {framework.get('version')}")[:250]
    moment = _moment(results)
    props.created = props.modified = moment


def _moment(results: dict[str, Any]) -> dt.datetime:
    when = assessment_date(results) or dt.date(2000, 1, 1)
    return dt.datetime(when.year, when.month, when.day)


def excel_bytes(results: dict[str, Any]) -> bytes:
    """The scorecard as ``.xlsx`` bytes, timestamps pinned to the assessment date."""
    return workbook_bytes(build_workbook(results), when=_moment(results))


def write_excel(results: dict[str, Any], path: str | Path) -> Path:
    """Write the scorecard to ``path`` atomically; returns the path written."""
    return atomic_write(path, excel_bytes(results))
