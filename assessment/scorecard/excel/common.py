"""Shared looks, cell helpers and sheet scaffolding of the Excel scorecard."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from openpyxl import Workbook
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from assessment.core.format import DERIVED, EVIDENCE, SCORE_FORMAT, STATUS_LABELS, excel_format
from assessment.core.results import ResultsView
from assessment.files.xlsx import (
    BORDER,
    FONT_NAME,
    LABEL_FONT,
    RAG_COLOURS,
    SECTION_BORDER,
    SECTION_FONT,
    TITLE_FONT,
    V,
    header_row,
    merge_cells,
    note,
    put,
    safe_text,
    set_text,
    style,
)
from assessment.scorecard.excel.layout import LAYOUTS, SheetLayout

EXECUTIVE = "Executive summary"
SCORES = "Scores"
BUSINESS_CASE = "Business case"
ROADMAP = "Roadmap"
APPENDIX = "Appendix - recommendations"
COVER = "Cover"
#: The sheets in order: the cover, the executive summary, and the recommendation list last (an
#: appendix).
SHEETS: tuple[str, ...] = (
    COVER, EXECUTIVE, SCORES, BUSINESS_CASE, ROADMAP, "KPIs", "Renewal", "Practices",
    "Expectations", "Data quality", "Method", APPENDIX,
)

# --------------------------------------------------------------------------- Excel-only looks

STATUS_RAG = {"met": "green", "near": "amber", "off": "red", "no_data": "grey",
              "not_applicable": "grey"}
QUADRANT_RAG = {"keep_up": "green", "concentrate_here": "red", "possible_overkill": "amber",
                "low_priority": "grey"}
SOURCE_LABELS = {"kpi": "KPI", "practice": "Practice", "expectation": "Expectation"}
#: A 0-5 rating or the alignment (0-10), one decimal.
RATING = "0.0"
WEIGHT = "0.0#"
COUNT = "0"
FX_FORMAT = "0.00####"
#: A relative difference (stated against implied) and a tolerance.
DIFFERENCE_FORMAT = "+0.0%;-0.0%;0.0%"
TOLERANCE_FORMAT = '"±"0%'
#: Rows of KPIs that do not apply are written in this font (greyed out).
GREYED = Font(name=FONT_NAME, italic=True, color="808080")
#: The line under each sheet's title: as large as the body text, so it prints legibly.
SUBTITLE_FONT = Font(name=FONT_NAME, size=11, italic=True, color="595959")

MEASURE_THIS = "Measure this"
IMPROVE = "Improve"
INSUFFICIENT = "Insufficient data"
SUFFICIENT = "Sufficient"
CHECK_RESULTS = {True: ("OK", "green"), False: ("Failed", "red"), None: ("Not checked", "grey")}
TARGET_BASIS = {"segment": "Segment", "framework": "Framework", "intake": "Client's own"}
VALUE_BASIS = {
    "recurring_revenue_rate": "the client's recurring-revenue rate R: value in year k = R^(k−1)",
    "renewal_rate_uplift": "the contract renewal rate r with the price uplift u: value in year "
                           "k = (r × (1 + u))^(k−1)",
}
VALUE_COLUMN = {
    "recurring_revenue_rate": "Client value (recurring-revenue rate)",
    "renewal_rate_uplift": "Client value (renewal rate with uplift)",
}
PROFILE_LABELS = {
    "annual_revenue": "Annual revenue",
    "support_cost": "Annual support cost",
    "contract_revenue_base": "Recurring support revenue (annual)",
    "assisted_cases": "Assisted cases (annual)",
    "support_headcount": "Support headcount (FTE)",
    "active_customers": "Active customers",
}
#: Profile fields shown in their own place (the alignment on the Expectations rows).
SHOWN_ELSEWHERE = ("self_rated_alignment",)


def percent_cell(value: float | None) -> V:
    """A rate (a fraction) shown as :func:`assessment.core.format.format_percent` writes it."""
    return V(value, excel_format("percent", None, value))


def derived_format(fmt: str, mark: str = DERIVED) -> str:
    """``fmt`` with `` (derived)`` (or another ``mark``) after the number:
    ``"USD "#,##0.00" (derived)"``."""
    if fmt.endswith('"'):
        return f'{fmt[:-1]} ({mark})"'
    return f'{fmt}" ({mark})"'


def unit_cell(value: float | None, unit: str, currency: str | None, *, derived: bool = False,
              evidence: bool = False, **style: Any) -> V:
    """A KPI value in its unit, with the number format that shows the text of
    :func:`assessment.core.format.value_text` (money with its currency code, ``(derived)``
    after a value a relation filled in, ``(evidence)`` after one computed from the client's
    data)."""
    fmt = excel_format(unit, currency, value)
    if value is not None and (derived or evidence):
        fmt = derived_format(fmt, DERIVED if derived else EVIDENCE)
    return V(value, fmt, **style)


def score_cell(value: float | None, rag: str | None, missing: str = "not computed") -> V:
    """A 0–100 score with its RAG fill, or grey ``missing`` text when it is null."""
    if value is None:
        return V(missing, rag="grey")
    return V(value, SCORE_FORMAT, rag=rag)


def data_flag(sufficient: bool) -> V:
    """Whether an aggregate has enough data: ``Sufficient`` or an amber ``Insufficient data``."""
    if sufficient:
        return V(SUFFICIENT)
    return V(INSUFFICIENT, rag="amber")


def not_applicable_text(model: str | None) -> str:
    """``Not applicable to an internal support model`` (``… to this support model``)."""
    if not model:
        return "Not applicable to this support model"
    article = "an" if str(model)[:1].lower() in "aeiou" else "a"
    return f"Not applicable to {article} {model} support model"


def label_text(key: str) -> str:
    return str(key).replace("_", " ").strip().capitalize()


def rule_words(view: ResultsView) -> str:
    if view.missing_kpi == "zero":
        return "Counted as 0 (missing_kpi: zero)"
    return "Left out of the scores (missing_kpi: exclude)"


# --------------------------------------------------------------------------- sheet scaffolding


def org_name(view: ResultsView) -> str:
    return safe_text(view.organization.name).strip() or "Unnamed organization"


def new_sheet(wb: Workbook, title: str, view: ResultsView, subtitle: str,
               widths: Sequence[float], print_rows: str = "1:2", *,
               wrap: Iterable[int] = ()) -> Worksheet:
    """A sheet with the title rows and column widths; ``wrap`` names the columns (1-based)
    whose texts wrap. How it prints is settled by :func:`finish` once it is built."""
    ws = wb.create_sheet(title)
    style(set_text(ws.cell(row=1, column=1), org_name(view)), font=TITLE_FONT)
    when = view.organization.date
    line = subtitle + (f" · assessed {when.isoformat()}" if when else "")
    style(set_text(ws.cell(row=2, column=1), line), font=SUBTITLE_FONT)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    LAYOUTS[ws] = SheetLayout(print_rows=print_rows, wrap=frozenset(wrap), subtitle=subtitle)
    return ws


def section_row(ws: Worksheet, row: int, text: str, span: int = 4) -> int:
    """A section heading; returns the next row."""
    style(set_text(ws.cell(row=row, column=1), text), font=SECTION_FONT)
    for col in range(1, span + 1):
        style(ws.cell(row=row, column=col), border=SECTION_BORDER)
    return row + 1


def put_pairs(ws: Worksheet, row: int, pairs: Iterable[tuple[str, Any]], *, label_to: int = 1,
           text_to: int | None = None) -> int:
    """Label/value rows (label in A, value in B, more values in C, D … when the item is a
    tuple); returns the next row. ``label_to`` merges the label across A to that column (the
    values follow it); ``text_to`` merges a last value that is text across to that column,
    wrapped."""
    for label, item in pairs:
        style(set_text(ws.cell(row=row, column=1), label), font=LABEL_FONT)
        for col in range(1, label_to + 1):
            style(ws.cell(row=row, column=col), border=BORDER)
        if label_to > 1:
            merge_cells(ws, row, 1, row, label_to)
        values = item if isinstance(item, tuple) else (item,)
        col = label_to
        for col, value in enumerate(values, start=label_to + 1):
            put(ws, row, col, value, border=True)
        last = values[-1].value if isinstance(values[-1], V) else values[-1]
        if text_to and text_to > col and isinstance(last, str):
            for c in range(col + 1, text_to + 1):
                style(ws.cell(row=row, column=c), border=BORDER)
            merge_cells(ws, row, col, row, text_to)
        row += 1
    return row


def status_rules(ws: Worksheet, ref: str) -> None:
    """Conditional formatting of a status column: met green, near amber, off red, no data and
    not applicable grey."""
    for status, label in STATUS_LABELS.items():
        fill, font = RAG_COLOURS[STATUS_RAG.get(status, "grey")]
        ws.conditional_formatting.add(ref, CellIsRule(
            operator="equal", formula=[f'"{label}"'],
            fill=PatternFill("solid", start_color=fill, end_color=fill),
            font=Font(color=font, bold=True)))


def grey_out(ws: Worksheet, rows: Iterable[int], columns: int) -> None:
    """Grey italic text on ``rows`` (KPIs that do not apply)."""
    for row in rows:
        for col in range(1, columns + 1):
            style(ws.cell(row=row, column=col), font=GREYED)


# --------------------------------------------------------------------------- wide rows


def money_cell(value: float | None, currency: str | None, **style: Any) -> V:
    """Money in the client's currency, formatted as :func:`~assessment.core.format.format_money`
    writes it (``"USD "#,##0``); a missing figure stays blank, never 0."""
    return V(value, excel_format("currency", currency, value), **style)


def wide_table(ws: Worksheet, row: int, columns: Sequence[tuple[str, int]],
                rows: Iterable[Sequence[Any]], empty: str = "None") -> tuple[int, int]:
    """A table whose columns may span several sheet columns (merged): ``columns`` are
    ``(header, span)``. Texts in merged cells are wrapped by :func:`_wrap_merged`."""
    headers: list[str] = []
    for header, span in columns:
        headers += [header] + [""] * (span - 1)
    header_row(ws, row, headers)
    _merge_spans(ws, row, columns)
    last = row
    for values in rows:
        last += 1
        col = 1
        for (_, span), item in zip(columns, values, strict=True):
            if span > 1 and isinstance(item, V):
                item = replace(item, wrap=False)  # wrapped by _wrap_merged, over the span
            put(ws, last, col, item, border=True)
            col += span
        _merge_spans(ws, last, columns)
    if last == row:
        last += 1
        note(ws, last, empty)
    return row, last


def _merge_spans(ws: Worksheet, row: int, columns: Sequence[tuple[str, int]]) -> None:
    col = 1
    for _, span in columns:
        if span > 1:
            merge_cells(ws, row, col, row, col + span - 1)
        col += span


def wide_note(ws: Worksheet, row: int, text: str, span: int) -> int:
    """A note across ``span`` columns (merged, wrapped); returns the next row."""
    note(ws, row, text)
    merge_cells(ws, row, 1, row, span)
    return row + 1


