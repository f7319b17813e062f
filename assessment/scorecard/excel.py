"""The Excel scorecard: a consultant-grade workbook built from the results (methodology §8).

- :func:`build_workbook` lays the results out on the sheets of :data:`SHEETS`: a cover in the
  brand of the render options (firm, logo, client, date, who prepared it, confidentiality, the
  contents), the executive summary (one printed page), then the scores, the business case in
  money, the roadmap with its timeline, the detail sheets, the method, and the long
  recommendation list as an appendix at the end.
- Every sheet prints on the paper of the render options (A4 or Letter), fitted to the page
  width, legibly: no text below :data:`MIN_PRINTED_PT` points by :func:`estimate_scale`, no
  label or value cut (:func:`clipped_cells`), header rows repeated, tables and charts kept
  whole on a page, the client, confidentiality line, page number and firm on every page (see
  "print layout" below).
- :func:`excel_bytes` saves it with every timestamp pinned to the assessment date, so identical
  results always give byte-identical files.
- :func:`write_excel` writes those bytes atomically: a failure leaves no file behind.

Methodology version 2 (results@2) is shown everywhere: both readings of missing data for the
index, each element and each questionnaire; KPIs that do not apply marked "Not applicable";
values a consistency relation derived marked "(derived)"; targets with their basis (segment,
framework or the client's own); benchmarks in their own currency with the converted figure;
the consistency checks on the "Data quality" sheet; the executive summary, the business case
(methodology §10) and the roadmap from the results' ``executive_summary``, ``business_case``
and ``roadmap``. A results@1 file still gives a workbook with the same sheets: the executive
summary shows the scores and says that the findings, money and initiatives are not in such
results (the version 1 rules are described on its Method sheet).

Every string that reaches a cell goes through :func:`assessment.files.xlsx.set_text`. It removes
characters that XML forbids and forces the cell to plain text, so intake text such as
``=HYPERLINK(...)``, ``+1+2``, ``@SUM(A1)`` or ``#N/A`` is shown as typed and never becomes a
formula or an error.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.chart.label import DataLabelList
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.chart.text import RichText
from openpyxl.drawing.image import Image
from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from assessment.core.defaults import DEFAULT_PAPER
from assessment.core.format import (
    COVERAGE_FORMAT,
    DASH,
    DELTA_FORMAT,
    EFFORT_LABELS,
    HORIZON_LABELS,
    POINTS_FORMAT,
    QUADRANT_LABELS,
    SCORE_FORMAT,
    STATUS_LABELS,
    TRACKING_LABELS,
    benchmark_figure,
    benchmark_source,
    driver_status_text,
    excel_format,
    format_coverage,
    format_value,
    level_text,
    needs_data_text,
    rag_label,
    readings,
    status_label,
    value_range,
)
from assessment.core.framework import HORIZONS, MONEY_VOLUMES
from assessment.core.results import (
    AssumptionUse,
    Check,
    DriverResult,
    InitiativeResult,
    Item,
    KpiRow,
    ProjectionYear,
    Questionnaire,
    ResultsView,
)
from assessment.files.write import atomic_write, workbook_bytes
from assessment.files.xlsx import (
    BORDER,
    FONT_NAME,
    LABEL_FONT,
    NAVY,
    PAPER_SIZES,
    RAG_COLOURS,
    SECTION_BORDER,
    SECTION_FONT,
    TITLE_FONT,
    V,
    header_footer_text,
    header_row,
    note,
    print_setup,
    put,
    safe_text,
    set_text,
    table,
)
from assessment.scorecard.brand import DEFAULT_BRAND, Brand

if TYPE_CHECKING:
    from assessment.scorecard.formats import RenderOptions

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
_SHOWN_ELSEWHERE = ("self_rated_alignment",)


def percent_cell(value: float | None) -> V:
    """A rate (a fraction) shown as :func:`assessment.core.format.format_percent` writes it."""
    return V(value, excel_format("percent", None, value))


def derived_format(fmt: str) -> str:
    """``fmt`` with `` (derived)`` after the number: ``"USD "#,##0.00" (derived)"``."""
    if fmt.endswith('"'):
        return f'{fmt[:-1]} (derived)"'
    return f'{fmt}" (derived)"'


def unit_cell(value: float | None, unit: str, currency: str | None, *, derived: bool = False,
              **style: Any) -> V:
    """A KPI value in its unit, with the number format that shows the text of
    :func:`assessment.core.format.value_text` (money with its currency code, ``(derived)``
    after a value a relation filled in)."""
    fmt = excel_format(unit, currency, value)
    if derived and value is not None:
        fmt = derived_format(fmt)
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


def _label(key: str) -> str:
    return str(key).replace("_", " ").strip().capitalize()


def _rule_words(view: ResultsView) -> str:
    if view.missing_kpi == "zero":
        return "Counted as 0 (missing_kpi: zero)"
    return "Left out of the scores (missing_kpi: exclude)"


# --------------------------------------------------------------------------- sheet scaffolding


def _org_name(view: ResultsView) -> str:
    return safe_text(view.organization.name).strip() or "Unnamed organization"


def _new_sheet(wb: Workbook, title: str, view: ResultsView, subtitle: str,
               widths: Sequence[float], print_rows: str = "1:2", *,
               wrap: Iterable[int] = ()) -> Worksheet:
    """A sheet with the title rows and column widths; ``wrap`` names the columns (1-based)
    whose texts wrap. How it prints is settled by :func:`_finish` once it is built."""
    ws = wb.create_sheet(title)
    set_text(ws.cell(row=1, column=1), _org_name(view)).font = TITLE_FONT
    when = view.organization.date
    line = subtitle + (f" · assessed {when.isoformat()}" if when else "")
    set_text(ws.cell(row=2, column=1), line).font = SUBTITLE_FONT
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    _LAYOUTS[ws] = SheetLayout(print_rows=print_rows, wrap=frozenset(wrap), subtitle=subtitle)
    return ws


def _section(ws: Worksheet, row: int, text: str, span: int = 4) -> int:
    """A section heading; returns the next row."""
    set_text(ws.cell(row=row, column=1), text).font = SECTION_FONT
    for col in range(1, span + 1):
        ws.cell(row=row, column=col).border = SECTION_BORDER
    return row + 1


def _pairs(ws: Worksheet, row: int, pairs: Iterable[tuple[str, Any]], *, label_to: int = 1,
           text_to: int | None = None) -> int:
    """Label/value rows (label in A, value in B, more values in C, D … when the item is a
    tuple); returns the next row. ``label_to`` merges the label across A to that column (the
    values follow it); ``text_to`` merges a last value that is text across to that column,
    wrapped."""
    for label, item in pairs:
        set_text(ws.cell(row=row, column=1), label).font = LABEL_FONT
        for col in range(1, label_to + 1):
            ws.cell(row=row, column=col).border = BORDER
        if label_to > 1:
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=label_to)
        values = item if isinstance(item, tuple) else (item,)
        col = label_to
        for col, value in enumerate(values, start=label_to + 1):
            put(ws, row, col, value, border=True)
        last = values[-1].value if isinstance(values[-1], V) else values[-1]
        if text_to and text_to > col and isinstance(last, str):
            for c in range(col + 1, text_to + 1):
                ws.cell(row=row, column=c).border = BORDER
            ws.merge_cells(start_row=row, start_column=col, end_row=row, end_column=text_to)
        row += 1
    return row


def _status_rules(ws: Worksheet, ref: str) -> None:
    """Conditional formatting of a status column: met green, near amber, off red, no data and
    not applicable grey."""
    for status, label in STATUS_LABELS.items():
        fill, font = RAG_COLOURS[STATUS_RAG.get(status, "grey")]
        ws.conditional_formatting.add(ref, CellIsRule(
            operator="equal", formula=[f'"{label}"'],
            fill=PatternFill("solid", start_color=fill, end_color=fill),
            font=Font(color=font, bold=True)))


def _grey_out(ws: Worksheet, rows: Iterable[int], columns: int) -> None:
    """Grey italic text on ``rows`` (KPIs that do not apply)."""
    for row in rows:
        for col in range(1, columns + 1):
            ws.cell(row=row, column=col).font = GREYED


# --------------------------------------------------------------------------- print layout
#
# Every sheet is laid out for print once it is built (:func:`_finish`): columns wide enough
# for every table value and word, wrapped text given its rows, long notes merged across the
# printed width, the paper and orientation chosen, and the print scale estimated so that
# nothing prints below :data:`MIN_PRINTED_PT` points. A table too wide for one page prints
# in column bands (:class:`SheetLayout.bands`), its first columns repeated on each band;
# blocks (a table with its heading, a chart) move whole to the next page rather than split.

#: Paper name -> (width, height) in inches, portrait.
PAPER_INCHES: dict[str, tuple[float, float]] = {"A4": (8.27, 11.69), "Letter": (8.5, 11.0)}
#: openpyxl's ``paperSize`` codes.
PAPER_CODES: dict[str, int] = dict(PAPER_SIZES)
SIDE_MARGIN = 0.5
"""Left and right page margins (inches)."""
END_MARGIN = 0.75
"""Top and bottom page margins (inches); the running header and footer sit inside them."""
UNIT_PT = 5.25
"""One unit of column width (the width of a digit of the 11 pt body font, 7 px at 96 dpi)
in points."""
ROW_PT = 15.0
"""The height of a one-line row of 11 pt text, in points."""
BODY_PT = 11.0
MIN_PRINTED_PT = 8.0
"""No text prints smaller than this (points, after the print scale)."""
COMFORTABLE_SCALE = 0.8
"""Wrapped columns are narrowed until a sheet prints at this scale or more where they can be
(the body text at 8.8 points)."""
CHART_TEXT_PT = 11
"""Chart texts (axes, labels, legend) in points: as large as the body text."""

#: Advance widths of the body font (Calibri, metric twin Carlito) in thousandths of an em.
_WIDTHS: dict[str, int] = {
    " ": 226, "!": 326, '"': 401, "#": 498, "$": 507, "%": 715, "&": 682, "'": 221,
    "(": 303, ")": 303, "*": 498, "+": 498, ",": 250, "-": 306, ".": 252, "/": 386,
    ":": 268, ";": 268, "<": 498, "=": 498, ">": 498, "?": 463, "@": 894, "[": 307,
    "\\": 386, "]": 307, "^": 498, "_": 498, "`": 291, "{": 314, "|": 460, "}": 314,
    "~": 498, "·": 252, "…": 690, "—": 905, "–": 498, "−": 498, "×": 498, "±": 498,
    "≈": 498, "€": 507, "£": 507, "¥": 507,
    **dict.fromkeys("0123456789", 507),
    **dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ",
               (579, 544, 533, 615, 488, 459, 631, 623, 252, 319, 520, 420, 855, 646, 662,
                517, 673, 543, 459, 487, 642, 567, 890, 519, 487, 468), strict=True)),
    **dict(zip("abcdefghijklmnopqrstuvwxyz",
               (479, 525, 423, 525, 498, 305, 471, 525, 230, 239, 455, 230, 799, 525, 527,
                525, 525, 349, 391, 335, 525, 452, 715, 433, 453, 395), strict=True)),
}
#: A character not in :data:`_WIDTHS` (accented letters, other scripts) counts this wide.
_OTHER_WIDTH = 620
#: Estimates err on the wide side: a little more than the font's own widths, plus the cell's
#: inner margins (units).
_WIDTH_SLACK = 1.06
_CELL_PADDING = 0.8


def text_width(text: str, *, size: float = BODY_PT, bold: bool = False) -> float:
    """The width of one line of ``text`` in column-width units (an estimate on the wide side,
    cell margins included)."""
    em = sum(_WIDTHS.get(ch, _OTHER_WIDTH) for ch in text) / 1000
    factor = _WIDTH_SLACK * (1.07 if bold else 1.0)
    return em * size * factor / UNIT_PT + _CELL_PADDING


def wrapped_lines(text: str, width: float, *, size: float = BODY_PT,
                  bold: bool = False) -> int:
    """How many lines ``text`` takes wrapped in a column ``width`` units wide (words are
    kept whole; a word wider than the column counts the lines it is broken into)."""
    lines = 0
    for paragraph in str(text).split("\n"):
        lines += 1
        used = 0.0
        space = text_width(" ", size=size, bold=bold) - _CELL_PADDING
        for word in paragraph.split(" "):
            need = text_width(word, size=size, bold=bold) - _CELL_PADDING
            if used and used + space + need > width - _CELL_PADDING:
                lines += 1
                used = 0.0
            if need > width - _CELL_PADDING:  # broken across lines
                extra = math.ceil(need / max(1.0, width - _CELL_PADDING)) - 1
                lines += extra
                need -= extra * (width - _CELL_PADDING)
            used += (space if used else 0.0) + need
    return lines


def longest_word(text: str, *, size: float = BODY_PT, bold: bool = False) -> float:
    """The width of the widest word of ``text`` (units): a wrapped cell narrower than that
    breaks the word."""
    words = str(text).split()
    return max((text_width(w, size=size, bold=bold) for w in words), default=0.0)


def number_text(value: float, fmt: str | None) -> str:
    """``value`` roughly as a number format shows it (for widths): literals in their place,
    decimals, thousands separators and percent; the first section of the format only."""
    fmt = (fmt or "General").split(";")[0]
    if fmt == "General":
        return f"{value:.10g}"
    if re.search(r"[ymd]", re.sub(r'"[^"]*"', "", fmt)):
        return "0000-00-00"
    percent = "%" in re.sub(r'"[^"]*"', "", fmt)
    shown = abs(value) * (100 if percent else 1)

    def digits(match: re.Match[str]) -> str:
        code = match.group(0)
        decimals = len(code.split(".")[1]) if "." in code else 0
        text = f"{shown:,.{decimals}f}" if "," in code else f"{shown:.{decimals}f}"
        return ("-" if value < 0 else "") + text

    parts = re.split(r'("[^"]*")', fmt)
    done = False
    for n, part in enumerate(parts):
        if part.startswith('"'):
            parts[n] = part.strip('"')
        elif not done and re.search(r"[#0]", part):
            parts[n] = re.sub(r"[#0][#0,.]*", digits, part, count=1)
            done = True
    return "".join(parts)


def cell_text(cell: Cell) -> str | None:
    """What a cell shows, near enough to measure it: its text, a number in its format, a date
    as yyyy-mm-dd; None when blank."""
    value = cell.value
    if value is None:
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return "0000-00-00"
    if isinstance(value, bool):
        return "Yes"
    if isinstance(value, (int, float)):
        return number_text(float(value), cell.number_format)
    return str(value)


def _font(cell: Cell) -> tuple[float, bool]:
    font = cell.font
    return (float(font.sz) if font is not None and font.sz else BODY_PT,
            bool(font is not None and font.b))


def _column_width(ws: Worksheet, col: int) -> float:
    width = ws.column_dimensions[get_column_letter(col)].width
    return float(width) if width else 8.43


def _merged_at(ws: Worksheet) -> dict[tuple[int, int], tuple[int, int]]:
    """(row, first column) of every merged range -> (last column, last row)."""
    return {(m.min_row, m.min_col): (m.max_col, m.max_row) for m in ws.merged_cells.ranges}


def _in_table(cell: Cell) -> bool:
    """A table or label/value cell (thin borders all round), not a heading or a note."""
    return bool(cell.border is not None and cell.border.left is not None
                and cell.border.left.style)


def _wraps(cell: Cell) -> bool:
    return bool(cell.alignment is not None and cell.alignment.wrap_text)


@dataclass
class SheetLayout:
    """How a sheet prints, recorded while it is built and applied by :func:`_finish`."""

    print_rows: str = "1:2"
    """Rows repeated at the top of every printed page."""
    wrap: frozenset[int] = frozenset()
    """Columns whose texts wrap (names, long texts); their width may shrink to fit the page."""
    orientation: str | None = None
    """Fixed orientation, else portrait when the sheet fits a portrait page legibly."""
    one_page: bool = False
    """The whole sheet on one printed page (fit to height as well)."""
    blocks: list[tuple[int, int]] = field(default_factory=list)
    """Row ranges kept together on one page (a heading with its table, a chart)."""
    bands: tuple[tuple[int, int], ...] = ()
    """Column ranges printed one after the other, the :attr:`title_cols` first columns
    repeated on each; empty when the sheet prints in one band."""
    title_cols: int = 0
    band_rows: tuple[int, int] = (0, 0)
    """The rows (header to last) of the table the bands split."""
    subtitle: str = ""
    """What the sheet shows (listed on the cover)."""
    last_cell: int = 0
    """The last column of the sheet's cells, once it is built (0: not yet known)."""


_LAYOUTS: WeakKeyDictionary[Worksheet, SheetLayout] = WeakKeyDictionary()


def layout_of(ws: Worksheet) -> SheetLayout:
    """The print layout recorded for ``ws`` (a new one if none was)."""
    return _LAYOUTS.setdefault(ws, SheetLayout())


def _keep(ws: Worksheet, first: int, last: int) -> None:
    """Keep rows ``first`` to ``last`` together on one printed page when they fit one."""
    if last >= first:
        layout_of(ws).blocks.append((first, last))


def printable_size(paper: str, orientation: str) -> tuple[float, float]:
    """The printable width and height of a page in points (margins taken off)."""
    width, height = PAPER_INCHES.get(paper, PAPER_INCHES["A4"])
    if orientation == "landscape":
        width, height = height, width
    return (width - 2 * SIDE_MARGIN) * 72, (height - 2 * END_MARGIN) * 72


def paper_of(ws: Worksheet) -> str:
    """``A4`` or ``Letter``, from the sheet's page setup."""
    code = int(ws.page_setup.paperSize or PAPER_CODES["A4"])
    return next((name for name, c in PAPER_CODES.items() if c == code), "A4")


def _chart_box(ws: Worksheet, chart: Any) -> tuple[int, int, float, float]:
    """A chart's anchor (column, row) and its size in column units and points."""
    if isinstance(chart.anchor, str):
        col, row = coordinate_to_tuple(chart.anchor)[::-1]
    else:  # a chart read back from a file
        marker = getattr(chart.anchor, "_from", None)
        col, row = (marker.col + 1, marker.row + 1) if marker is not None else (1, 1)
    return col, row, chart.width / 2.54 * 72 / UNIT_PT, chart.height / 2.54 * 72


def column_groups(ws: Worksheet) -> list[list[int]]:
    """The columns printed side by side on a page: one group per print range (with the
    repeated columns), or every column up to the last one used (charts included)."""
    layout = layout_of(ws)
    bands = list(layout.bands)
    titles = list(range(1, layout.title_cols + 1))
    if not bands and ws.print_area:  # a workbook read back: its print ranges
        for area in str(ws.print_area).split(","):
            first, _, last = area.split("!")[-1].replace("$", "").partition(":")
            bands.append((coordinate_to_tuple(first)[1], coordinate_to_tuple(last or first)[1]))
        if ws.print_title_cols:
            letters = ws.print_title_cols.replace("$", "").split(":")
            titles = list(range(column_index_from_string(letters[0]),
                                column_index_from_string(letters[-1]) + 1))
    if bands:
        return [sorted(set(titles) | set(range(lo, hi + 1))) for lo, hi in bands]
    return [list(range(1, last_column(ws) + 1))]


def last_column(ws: Worksheet, *, charts: bool = True) -> int:
    """The last column with a value, a table border or (unless ``charts`` is false) a chart
    on it."""
    last = layout_of(ws).last_cell or _last_cell_column(ws)
    for chart in ws._charts if charts else ():
        col, _, width, _ = _chart_box(ws, chart)
        end, used = col, 0.0
        while used + _column_width(ws, end) < width - 0.01:
            used += _column_width(ws, end)
            end += 1
        last = max(last, end)
    for image in ws._images:
        last = max(last, coordinate_to_tuple(image.anchor)[1]
                   if isinstance(image.anchor, str) else 1)
    return last


def _last_cell_column(ws: Worksheet) -> int:
    last = 1
    for row in ws.iter_rows():
        for cell in row:
            if cell.column > last and (cell.value is not None or _in_table(cell)):
                last = cell.column
    for merged in ws.merged_cells.ranges:
        last = max(last, merged.max_col)
    return last


def content_width(ws: Worksheet) -> float:
    """The width of the widest printed band, in points."""
    return max(sum(_column_width(ws, c) for c in group) * UNIT_PT
               for group in column_groups(ws))


def _row_height(ws: Worksheet, row: int) -> float:
    height = ws.row_dimensions[row].height
    return float(height) if height else ROW_PT


def content_height(ws: Worksheet) -> float:
    """The height of every row to the last one used (charts included), in points."""
    last = ws.max_row
    for chart in ws._charts:
        _, row, _, height = _chart_box(ws, chart)
        last = max(last, row + math.ceil(height / ROW_PT))
    return sum(_row_height(ws, r) for r in range(1, last + 1))


def estimate_scale(ws: Worksheet) -> float:
    """The print scale the sheet's page setup gives (1 at most): its widest band fitted to the
    page width, and to the page height too when it prints on one page."""
    orientation = ws.page_setup.orientation or "portrait"
    width, height = printable_size(paper_of(ws), orientation)
    scale = min(1.0, width / content_width(ws))
    if ws.page_setup.fitToHeight and int(ws.page_setup.fitToHeight) == 1:
        scale = min(scale, height / content_height(ws))
    return scale


def smallest_font(ws: Worksheet) -> float:
    """The size of the smallest text on the sheet, in points (charts included)."""
    sizes = {_font(c)[0] for row in ws.iter_rows() for c in row if c.value is not None}
    sizes |= {float(CHART_TEXT_PT) for _ in ws._charts}
    return min(sizes, default=BODY_PT)


def minimum_scale(ws: Worksheet) -> float:
    """The smallest print scale at which the sheet's smallest text is still
    :data:`MIN_PRINTED_PT` points."""
    return MIN_PRINTED_PT / smallest_font(ws)


def clipped_cells(ws: Worksheet) -> list[str]:
    """Cells whose text would print cut (``"B7: Questionnaire score"``): a table value wider
    than its column, a wrapped word wider than its column, a text running past the printed
    width or a wrapped text taller than its row. An estimate, on the safe side."""
    merged = _merged_at(ws)
    inside = {(r, c) for m in ws.merged_cells.ranges for r in range(m.min_row, m.max_row + 1)
              for c in range(m.min_col, m.max_col + 1)} - set(merged)
    last = max(len(g) and g[-1] for g in column_groups(ws))
    found = []
    for row in ws.iter_rows():
        for cell in row:
            text = cell_text(cell)
            if not text or (cell.row, cell.column) in inside:
                continue
            size, bold = _font(cell)
            end = merged.get((cell.row, cell.column), (cell.column, cell.row))[0]
            width = sum(_column_width(ws, c) for c in range(cell.column, end + 1))
            numeric = isinstance(cell.value, (int, float, dt.date))
            if _wraps(cell) and not numeric:
                lines = wrapped_lines(text, width, size=size, bold=bold)
                short = lines * ROW_PT * size / BODY_PT > _row_height(ws, cell.row) + 1
                if longest_word(text, size=size, bold=bold) > width or short:
                    found.append(f"{cell.coordinate}: {text[:40]}")
                continue
            if not numeric and not _in_table(cell) and (cell.row, cell.column) not in merged:
                nxt = cell.column + 1  # text runs on over empty cells, to the printed edge
                while nxt <= last and ws.cell(cell.row, nxt).value is None \
                        and (cell.row, nxt) not in inside and (cell.row, nxt) not in merged:
                    width += _column_width(ws, nxt)
                    nxt += 1
            if max(text_width(line, size=size, bold=bold) for line in text.split("\n")) > width:
                found.append(f"{cell.coordinate}: {text[:40]}")
    return found


def _autofit(ws: Worksheet) -> dict[int, float]:
    """Widen columns so that every table value fits (a wrapped text: its longest word);
    returns each wrapping column's narrowest width (its longest word)."""
    merged = _merged_at(ws)
    inside = {(r, c) for m in ws.merged_cells.ranges for r in range(m.min_row, m.max_row + 1)
              for c in range(m.min_col, m.max_col + 1)}
    need: dict[int, float] = {}
    floor: dict[int, float] = {}
    for row in ws.iter_rows():
        for cell in row:
            text = cell_text(cell)
            if not text or not _in_table(cell) or (cell.row, cell.column) in inside:
                continue
            size, bold = _font(cell)
            numeric = isinstance(cell.value, (int, float, dt.date))
            if _wraps(cell) and not numeric:
                width = longest_word(text, size=size, bold=bold)
            else:
                width = max(text_width(line, size=size, bold=bold) for line in text.split("\n"))
            need[cell.column] = max(need.get(cell.column, 0.0), width)
            floor[cell.column] = max(floor.get(cell.column, 0.0), width)
    for col, width in need.items():
        if width > _column_width(ws, col):
            ws.column_dimensions[get_column_letter(col)].width = math.ceil(width)
    del merged
    return floor


def _shrink(ws: Worksheet, target: float, floor: dict[int, float]) -> None:
    """Narrow the wrapping columns (down to their widest word or value, and never below 8
    units) until every band is at most ``target`` points wide, or as near as they allow."""
    wrap = layout_of(ws).wrap
    for group in column_groups(ws):
        excess = sum(_column_width(ws, c) for c in group) - target / UNIT_PT
        least = {c: math.ceil(max(8.0, floor.get(c, 0.0)) * 2) / 2 for c in group if c in wrap}
        room = sum(max(0.0, _column_width(ws, c) - low) for c, low in least.items())
        if excess <= 0 or room <= 0:
            continue
        share = min(1.0, excess / room)
        for col, low in least.items():
            width = _column_width(ws, col)
            if width > low:
                narrower = math.floor((width - (width - low) * share) * 2) / 2
                ws.column_dimensions[get_column_letter(col)].width = max(low, narrower)


def _wrap_columns(ws: Worksheet) -> None:
    """Wrap every table text in the layout's wrapping columns."""
    wrap = layout_of(ws).wrap
    for row in ws.iter_rows():
        for cell in row:
            if (cell.column in wrap and isinstance(cell.value, str) and _in_table(cell)
                    and not _wraps(cell)):
                old = cell.alignment
                cell.alignment = Alignment(horizontal=old.horizontal, vertical="top",
                                           wrap_text=True)


def _merge_overflow(ws: Worksheet) -> None:
    """A title, note or heading longer than the printed width is merged across it and
    wrapped (else the page edge would cut it)."""
    last = max(g[-1] for g in column_groups(ws))
    if layout_of(ws).bands:
        last = layout_of(ws).bands[0][1]
    taken = {(r, c) for m in ws.merged_cells.ranges for r in range(m.min_row, m.max_row + 1)
             for c in range(m.min_col, m.max_col + 1)}
    for row in ws.iter_rows():
        for cell in row:
            if (not isinstance(cell.value, str) or _in_table(cell) or _wraps(cell)
                    or (cell.row, cell.column) in taken or cell.column >= last):
                continue
            rest = range(cell.column + 1, last + 1)
            if any(ws.cell(cell.row, c).value is not None or (cell.row, c) in taken
                   for c in rest):
                continue
            size, bold = _font(cell)
            width = sum(_column_width(ws, c) for c in range(cell.column, last + 1))
            if max(text_width(t, size=size, bold=bold) for t in cell.value.split("\n")) \
                    <= width:
                continue
            ws.merge_cells(start_row=cell.row, start_column=cell.column, end_row=cell.row,
                           end_column=last)
            old = cell.alignment
            cell.alignment = Alignment(horizontal=old.horizontal, vertical="top",
                                       wrap_text=True)


def _fit_rows(ws: Worksheet) -> None:
    """Give every row the height of its tallest cell: the lines of wrapped text (the merged
    width for a merged cell) and the size of its font."""
    merged = _merged_at(ws)
    heights: dict[int, float] = {}
    for row in ws.iter_rows():
        for cell in row:
            text = cell_text(cell)
            if not text:
                continue
            size, bold = _font(cell)
            lines = 1
            if _wraps(cell) and not isinstance(cell.value, (int, float, dt.date)):
                end = merged.get((cell.row, cell.column), (cell.column, cell.row))[0]
                width = sum(_column_width(ws, c) for c in range(cell.column, end + 1))
                lines = wrapped_lines(text, width, size=size, bold=bold)
            elif "\n" in text:
                lines = text.count("\n") + 1
            height = lines * ROW_PT * max(size, BODY_PT) / BODY_PT
            heights[cell.row] = max(heights.get(cell.row, ROW_PT), height)
    last = ws.max_row  # every row gets its height: applications differ in their default
    for chart in ws._charts:
        _, row, _, height = _chart_box(ws, chart)
        last = max(last, row + math.ceil(height / ROW_PT))
    for row in range(1, last + 1):
        dims = ws.row_dimensions[row]
        wanted = min(409.0, math.ceil(heights.get(row, ROW_PT)))
        dims.height = max(dims.height or 0.0, wanted)


def _fit_charts(ws: Worksheet) -> None:
    """Charts no wider than the columns from their anchor to the last column of the sheet's
    cells, with their texts at :data:`CHART_TEXT_PT`."""
    last = last_column(ws, charts=False)
    for chart in ws._charts:
        col, _, width, _ = _chart_box(ws, chart)
        room = sum(_column_width(ws, c) for c in range(col, last + 1)) - 1
        if width > room > 20:
            chart.width = room * UNIT_PT / 72 * 2.54
        size = CHART_TEXT_PT * 100
        chart.txPr = RichText(p=[Paragraph(pPr=ParagraphProperties(
            defRPr=CharacterProperties(sz=size)), endParaRPr=CharacterProperties(sz=size))])


def _paginate(ws: Worksheet, scale: float) -> None:
    """Move each block that would be split by a page break to the next page (when it fits
    one page), by a manual page break above it."""
    layout = layout_of(ws)
    orientation = ws.page_setup.orientation or "portrait"
    _, height = printable_size(paper_of(ws), orientation)
    page = height / scale * 0.95  # a margin for rounding in the application's own layout
    titles = layout.print_rows.split(":")
    repeated = sum(_row_height(ws, r) for r in range(int(titles[0]), int(titles[-1]) + 1))
    blocks = dict(sorted(layout.blocks))
    for chart in ws._charts:
        _, row, _, chart_height = _chart_box(ws, chart)
        rows, span = row, 0.0
        while span < chart_height:
            span += _row_height(ws, rows)
            rows += 1
        start = max((b for b, e in blocks.items() if b <= row <= e), default=row)
        blocks[start] = max(blocks.get(start, row), rows - 1)
    last = max([ws.max_row, *blocks.values()])
    used = 0.0
    breaks = []
    for row in range(1, last + 1):
        if row in blocks:
            size = sum(_row_height(ws, r) for r in range(row, blocks[row] + 1))
            if used + size > page and size <= page - repeated and used > repeated + ROW_PT:
                breaks.append(row - 1)
                used = repeated
        height = _row_height(ws, row)
        if used + height > page:
            used = repeated
        used += height
    for row in breaks:
        ws.row_breaks.append(Break(id=row))


# --------------------------------------------------------------------------- wide rows


def money_cell(value: float | None, currency: str | None, **style: Any) -> V:
    """Money in the client's currency, formatted as :func:`~assessment.core.format.format_money`
    writes it (``"USD "#,##0``); a missing figure stays blank, never 0."""
    return V(value, excel_format("currency", currency, value), **style)


def _wide_table(ws: Worksheet, row: int, columns: Sequence[tuple[str, int]],
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
            ws.merge_cells(start_row=row, start_column=col, end_row=row,
                           end_column=col + span - 1)
        col += span


def _wide_note(ws: Worksheet, row: int, text: str, span: int) -> int:
    """A note across ``span`` columns (merged, wrapped); returns the next row."""
    note(ws, row, text)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=span)
    return row + 1


# --------------------------------------------------------------------------- 1. Executive summary


EXECUTIVE_WIDTHS = (34, 14, 14, 13, 22, 16)
NO_PLAN = ("These results carry no key findings, business case or roadmap: they follow "
           "methodology version 1 (results@1) or were written before those parts existed. "
           "Score the intake again with this toolkit to get them.")
OWN_WORDING = "Consultant's own"
RULE_WORDING = "From the rule"


def _area_status(view: ResultsView, score: float | None, rag: str | None,
                 applicable: bool) -> V:
    if not applicable:
        return V(STATUS_LABELS["not_applicable"], rag="grey")
    if score is None:
        return V("not computed", rag="grey")
    return V(rag_label(rag), rag=rag or "grey")


def _headline_rows(view: ResultsView) -> list[list[Any]]:
    """The four elements and renewal health: name, score, status."""
    rows: list[list[Any]] = [
        [e.name, V(e.score, SCORE_FORMAT, rag=e.rag if e.score is not None else None),
         _area_status(view, e.score, e.rag, e.applicable)] for e in view.elements]
    renewal = view.renewal
    rows.append(["Renewal health",
                 V(renewal.health if renewal.applicable else None, SCORE_FORMAT,
                   rag=renewal.rag if renewal.health is not None else None),
                 _area_status(view, renewal.health, renewal.rag, renewal.applicable)])
    return rows


def _executive_summary(wb: Workbook, view: ResultsView) -> None:
    span = len(EXECUTIVE_WIDTHS)
    ws = _new_sheet(wb, EXECUTIVE, view, "Executive summary: where support stands, what to do "
                    "first and what it is worth", EXECUTIVE_WIDTHS, wrap=(1, 5))
    ws.sheet_view.showGridLines = False
    ws.freeze_panes = "A3"
    layout = layout_of(ws)
    layout.orientation, layout.one_page = "portrait", True  # one printed page
    index = view.index
    band = _band_text(view)
    row = _section(ws, 4, "Where support stands", span=span)
    row = _pairs(ws, row, [
        ("Support Excellence Index",
         (score_cell(index.score, index.rag),
          V(rag_label(index.rag) if index.score is not None else "not computed",
            rag=index.rag or "grey"))),
        ("Index band" if view.version == 2 else "Maturity level",
         V(band, rag=index.rag or "grey") if band else None),
        ("Both readings of missing data", view.readings("index")),
        ("Coverage (share of KPI weight measured)" if view.version == 2
         else "Coverage (weight of elements scored)", V(index.coverage, COVERAGE_FORMAT)),
    ])
    for words in (row - 3, row - 2):  # the band and both readings, across B:D
        ws.merge_cells(start_row=words, start_column=2, end_row=words, end_column=4)
    row = _section(ws, row + 1, "The four elements and renewal health", span=span)
    _, row = table(ws, row, ["Area", "Score", "Status"], _headline_rows(view))

    summary = view.executive_summary
    if summary is None:
        row = _section(ws, row + 2, "Key findings, initiatives and business case", span=span)
        _wide_note(ws, row, NO_PLAN, span)
        return
    currency = summary.currency or view.currency
    start = row + 2
    row = _section(ws, start, "Key findings", span=span)
    _, row = _wide_table(ws, row, [("Key finding", 4), ("Rule", 1), ("Wording", 1)], [
        [V(f.text), f.id, V(OWN_WORDING, rag="amber") if f.overridden else RULE_WORDING]
        for f in summary.findings], empty="No finding rule of the framework matched.")
    if any(f.overridden for f in summary.findings):
        row = note(ws, row + 1, f"{OWN_WORDING}: the consultant's wording from the intake's "
                                "Findings sheet replaces the rule's sentence.")
    _keep(ws, start, row)

    start = row + 2
    row = _section(ws, start, "Top initiatives (ranked by value for effort)", span=span)
    _, row = table(ws, row, ["Initiative", "Horizon", "Effort", "Index points", "Owner",
                             "Value a year (base)"], [
        [V(i.name, wrap=True), HORIZON_LABELS.get(i.horizon, i.horizon),
         EFFORT_LABELS.get(i.effort, i.effort), V(i.index_points, POINTS_FORMAT),
         V(i.owner, wrap=True), money_cell(i.money_base, currency)]
        for i in summary.initiatives], empty="No initiative applies to this organization.")
    words = []
    if any(i.money_base is not None for i in summary.initiatives):
        words.append("An initiative's value is that of its own drivers, overlaps included, so "
                     "the values do not add up to the business-case total.")
    if any(i.money_base is None for i in summary.initiatives):
        words.append("A blank value: the initiative carries no business-case driver, or its "
                     "driver needs data (see the Business case sheet).")
    if words:
        row = _wide_note(ws, row + 1, " ".join(words), span)
    _keep(ws, start, row)

    start = row + 2
    row = _section(ws, start, "Business case", span=span)
    total = summary.total
    if total:
        _, row = table(ws, row, ["A year, each overlap counted once", "Low", "Base", "High"],
                       [["Total of the counted drivers",
                         *(money_cell(total.get(case), currency, bold=True)
                           for case in ("low", "base", "high"))]])
    else:
        _, row = table(ws, row, ["A year, each overlap counted once", "Low", "Base", "High"],
                       [["Total of the counted drivers", V("not valued", rag="grey"), None,
                         None]])
    counted = [d.name for d in view.business_case.drivers if d.counted]
    needs = [f"{d.name} ({needs_data_text(d.needs)})" for d in view.business_case.drivers
             if d.status == "needs_data"]
    words = (f"Counted: {', '.join(counted)}." if counted else "No driver has a value yet.")
    if needs:
        words += " Not valued for want of data: " + "; ".join(needs) + "."
    row = _wide_note(ws, row + 1, words, span)
    _keep(ws, start, row)

    start = row + 1
    row = _section(ws, start, "Data-quality caveats", span=span)
    _, row = _wide_table(ws, row, [("What changes the picture", span)],
                         [[V(c)] for c in summary.caveats],
                         empty="None: the data raise no caveat that changes the picture.")
    _keep(ws, start, row)


# --------------------------------------------------------------------------- 2. Scores


def _fx_pair(view: ResultsView) -> tuple[str, Any]:
    org, base = view.organization, view.framework.currency
    if org.fx_rate is not None:
        return ("Exchange rate used", (V(org.fx_rate, FX_FORMAT),
                                       f"{org.currency or '?'} per 1 {base or '?'}"))
    if base and org.currency and base != org.currency:
        return ("Exchange rate used", V("none given", rag="amber"))
    if base:
        return ("Exchange rate used", f"None needed: amounts are in {base}, the framework's "
                                      "currency")
    return ("Exchange rate used", None)


def _segment_text(view: ResultsView) -> str:
    org = view.organization
    if org.segment_name or org.segment:
        return str(org.segment_name or org.segment)
    return "None chosen: the framework's own targets"


def _profile_pairs(view: ResultsView) -> list[tuple[str, Any]]:
    org = dict(view.organization.profile)
    when = view.organization.date
    currency = view.currency
    pairs: list[tuple[str, Any]] = [
        ("Organization", safe_text(view.organization.name).strip() or "Unnamed organization"),
        ("Industry", org.get("industry")),
        ("Support model", org.get("support_model")),
        ("Segment", _segment_text(view)),
        ("Currency", org.get("currency")),
    ]
    if view.version == 2 or view.organization.fx_rate is not None:
        pairs.append(_fx_pair(view))
    pairs.append(("Assessment date", when or org.get("assessment_date")))
    for key, value in view.organization.extra:
        if key in _SHOWN_ELSEWHERE:
            continue
        if key in MONEY_VOLUMES and isinstance(value, (int, float)) \
                and not isinstance(value, bool):
            pairs.append((PROFILE_LABELS[key], V(value, excel_format("currency", currency,
                                                                      value))))
        else:
            pairs.append((PROFILE_LABELS.get(key, _label(key)), _profile_value(value)))
    return pairs


def _band_text(view: ResultsView) -> str | None:
    index = view.index
    if not index.level:
        return None
    if view.version == 1:
        return level_text(index.level, index.level_name)
    lo = 20 * (index.level - 1)
    name = index.level_name or f"Band {index.level}"
    return f"{name} (band {index.level} of 5: {lo} to {lo + 20})"


def _index_pairs(view: ResultsView) -> list[tuple[str, Any]]:
    index = view.index
    band = _band_text(view)
    colour = V(rag_label(index.rag) if index.score is not None else "not computed",
               rag=index.rag or "grey")
    scored = f"{index.elements_scored} of 4"
    if view.missing_kpi != "zero":
        scored += " (at least 3 needed)"
    coverage = ("Coverage (share of KPI weight measured)" if view.version == 2
                else "Coverage (weight of elements scored)")
    return [
        ("Support Excellence Index", (score_cell(index.score, index.rag), colour)),
        ("Index band" if view.version == 2 else "Maturity level",
         (V(band, rag=index.rag or "grey"), colour) if band else None),
        ("Measured score (KPIs with data only)", V(index.measured_score, SCORE_FORMAT)),
        ("Both readings of missing data", view.readings("index")),
        (coverage, V(index.coverage, COVERAGE_FORMAT)),
        ("Data", data_flag(index.sufficient)),
        ("Missing KPIs", _rule_words(view)),
        ("Elements scored", scored),
    ]


def _element_rows(view: ResultsView) -> list[list[Any]]:
    rows = []
    for e in view.elements:
        if not e.applicable:
            status = V(not_applicable_text(view.organization.support_model), rag="grey")
        elif e.score is None:
            status = V("not computed", rag="grey")
        else:
            status = V(rag_label(e.rag), rag=e.rag or "grey")
        rows.append([
            e.name, V(e.score, SCORE_FORMAT, rag=e.rag if e.score is not None else None),
            V(e.measured_score, SCORE_FORMAT), V(e.coverage, COVERAGE_FORMAT),
            V(e.weight, WEIGHT), status, data_flag(e.sufficient),
            V(view.readings(e.key), wrap=True)])
    return rows


ELEMENT_HEADERS = ["Element", "Score", "Measured score", "Coverage", "Weight", "Status", "Data",
                   "Both readings of missing data"]


def _alignment_pairs(view: ResultsView) -> list[tuple[str, Any]]:
    exp = view.expectations
    source = ", ".join(str(x) for x in (exp.survey_source, exp.survey_year) if x)
    self_rated = exp.self_rated_alignment
    difference = (None if self_rated is None or exp.survey_average is None
                  else float(self_rated) - float(exp.survey_average))
    return [
        ("Computed alignment (this toolkit's own measure, 0–10)",
         V(exp.alignment, RATING) if exp.alignment is not None
         else V("not computed", rag="grey")),
        ("Self-rated alignment (HDI's question, 0–10)",
         V(self_rated, RATING) if self_rated is not None else V("not given", rag="grey")),
        ("HDI survey average, self-rated (0–10)",
         (V(exp.survey_average, RATING), source or None)),
        ("Self-rated minus HDI average",
         V(difference, DELTA_FORMAT) if difference is not None else DASH),
    ]


def _summary(wb: Workbook, view: ResultsView) -> None:
    ws = _new_sheet(wb, SCORES, view, "Scores: the index, the four elements and the largest gaps",
                    [38, 26, 13, 11, 9, 16, 17, 40], wrap=(1, 2, 6, 8))
    ws.sheet_view.showGridLines = False
    ws.freeze_panes = "A3"
    row = _section(ws, 4, "Organization profile", span=3)
    row = _pairs(ws, row, _profile_pairs(view), text_to=3)

    row = _section(ws, row + 1, "Overall score", span=3)
    row = _pairs(ws, row, _index_pairs(view), text_to=3)
    row = max(row, 4 + math.ceil(ELEMENT_CHART_CM[1] / 2.54 * 72 / ROW_PT))  # below the chart

    start = row + 1
    row = _section(ws, start, "The four elements", span=len(ELEMENT_HEADERS))
    first = row + 1
    _, last = table(ws, row, ELEMENT_HEADERS, _element_rows(view))
    _keep(ws, start, last)
    _element_chart(ws, view, first, last)

    renewal = view.renewal
    start = last + 2
    row = _section(ws, start, "Renewal health and expectations alignment", span=3)
    health = (score_cell(renewal.health, renewal.rag) if renewal.applicable
              else V(not_applicable_text(view.organization.support_model), rag="grey"))
    row = _pairs(ws, row, [("Renewal health", health), *_alignment_pairs(view)],
                 text_to=len(ELEMENT_HEADERS))
    _keep(ws, start, row - 1)

    start = row + 1
    row = _section(ws, start, "Top five gaps by index points at stake", span=6)
    _, last = table(ws, row, ["KPI", "ID", "Element", "Score", "Points at stake", "Action"], [
        [g.name, g.id, view.area_name(g.area), V(g.score, SCORE_FORMAT),
         V(g.points_at_stake, POINTS_FORMAT),
         V(MEASURE_THIS, rag="amber") if g.kind == "measure" else IMPROVE]
        for g in view.gaps[:5]],
        empty="No gaps to rank: every scored KPI meets its target, or too little is scored.")
    _keep(ws, start, last)


def _profile_value(value: Any) -> Any:
    """A profile value for a cell: numbers with thousands separators, anything else as text."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and not math.isfinite(value):
            return None
        return V(value, "#,##0" if float(value).is_integer() else "#,##0.##")
    return value if isinstance(value, str) or value is None else str(value)


#: The element chart sits beside the profile, from this column; its size (cm).
CHART_COLUMN = 4
ELEMENT_CHART_CM = (16.0, 8.0)


def _element_chart(ws: Worksheet, view: ResultsView, first: int, last: int) -> None:
    """A column chart of the element scores, or a note when no element is scored."""
    anchor = f"{get_column_letter(CHART_COLUMN)}4"
    scored = [e for e in view.elements if e.score is not None]
    if not scored or last < first:
        note(ws, 4, "No chart: no element has enough data to be scored.", col=CHART_COLUMN)
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
    chart.width, chart.height = ELEMENT_CHART_CM
    ws.add_chart(chart, anchor)


# --------------------------------------------------------------------------- 3. Business case


DRIVER_HEADERS = ["Driver", "ID", "Status", "Low (a year)", "Base (a year)", "High (a year)",
                  "Five years (renewal)", "In the total", "Why not in the total"]
#: Columns each driver header spans (the reason is a text, across two columns).
DRIVER_SPANS = (1, 1, 1, 1, 1, 1, 1, 1, 2)
VALUATION_HEADERS = ["Driver", "ID", "Formula with the client's numbers (base case)",
                     "What it measures"]
VALUATION_SPANS = (1, 1, 4, 4)
ASSUMPTION_HEADERS = ["Assumption", "ID", "Unit", "Low case", "Base case", "High case",
                      "Year", "Source", "Used by"]
ASSUMPTION_SPANS = (1, 1, 1, 1, 1, 1, 1, 2, 1)
#: The notes on the assumptions follow their table, across the sheet.
ASSUMPTION_NOTE_COLUMNS = [("Assumption", 1), ("ID", 1), ("Note", 8)]
UNIT_LABELS = {"currency": "Money", "percent": "Percent", "ratio": "Ratio", "count": "Count"}
DRIVER_RAG = {"ok": "green", "no_gap": "green", "needs_data": "amber", "not_applicable": "grey"}
CASES = ("low", "base", "high")


def driver_status(d: DriverResult) -> str:
    """A driver's status in words: ``needs data: assisted_cases`` when its inputs are
    missing, else :data:`~assessment.core.format.DRIVER_STATUS_LABELS` (a valued driver the
    total leaves out for an overlap says so)."""
    return driver_status_text(d.status, d.counted, d.needs)


def _why_not_counted(view: ResultsView, d: DriverResult) -> str | None:
    if d.counted:
        return None
    if d.excluded_because:
        return d.excluded_because
    if d.status == "needs_data":
        return "Its inputs are missing; fill them in on the intake to value it."
    if d.status == "no_gap":
        return "No gap: the KPI is at or better than its target."
    if d.status == "not_applicable":
        return not_applicable_text(view.organization.support_model)
    return None


def _driver_row(view: ResultsView, d: DriverResult, currency: str | None) -> list[Any]:
    valued = d.status in ("ok", "no_gap")
    money = [money_cell(getattr(d, case) if valued else None, currency) for case in CASES]
    return [
        V(d.name, wrap=True), d.id,
        V(driver_status(d), rag=DRIVER_RAG.get(d.status) if d.counted or d.status != "ok"
          else "grey", wrap=True),
        *money, money_cell(d.five_year if valued else None, currency),
        V("Yes", rag="green") if d.counted else "No", V(_why_not_counted(view, d), wrap=True)]


def _valuation_row(d: DriverResult) -> list[Any]:
    """How a driver is valued: its formula with the client's numbers, what it measures."""
    return [V(d.name, wrap=True), d.id, V(d.formula_text or None),
            V(d.description or None)]


def _assumptions(drivers: Sequence[DriverResult]) -> list[tuple[AssumptionUse, list[str]]]:
    """Every assumption the drivers use, once, with the drivers that use it."""
    found: dict[str, tuple[AssumptionUse, list[str]]] = {}
    for d in drivers:
        for a in d.assumptions:
            found.setdefault(a.id, (a, []))[1].append(d.name)
    return list(found.values())


def _assumption_row(a: AssumptionUse, users: list[str], currency: str | None) -> list[Any]:
    unit = UNIT_LABELS.get(a.unit, _label(a.unit))
    if a.unit == "currency" and currency:
        unit = f"{unit} ({currency})"
    return [V(a.name, wrap=True), a.id, unit,
            *(unit_cell(getattr(a, case), a.unit, currency) for case in CASES),
            V(a.year, "0") if a.year is not None else DASH, V(a.source),
            V(", ".join(users), wrap=True)]


def _business_case(wb: Workbook, view: ResultsView) -> None:
    ws = _new_sheet(wb, BUSINESS_CASE, view, "Business case: what closing the gaps is worth a "
                    "year, driver by driver (methodology §10)",
                    [22, 24, 16, 13, 13, 13, 13, 9, 16, 34], print_rows="1:2",
                    wrap=(1, 3, 7, 9, 10))
    ws.freeze_panes = "B5"
    case = view.business_case
    currency = case.currency or view.currency
    if not case.drivers:
        header_row(ws, 4, ["Driver"])
        _wide_note(ws, 5, NO_PLAN, 6)
        return
    header, last = _wide_table(ws, 4, list(zip(DRIVER_HEADERS, DRIVER_SPANS, strict=True)),
                               [_driver_row(view, d, currency) for d in case.drivers])
    last += 1
    total = case.total
    put(ws, last, 1, V("Total, each overlap counted once", bold=True), border=True)
    if total:
        for col, key in enumerate(CASES, start=4):
            put(ws, last, col, money_cell(total.get(key), currency, bold=True), border=True)
    else:
        put(ws, last, 3, V("No driver valued", rag="grey"), border=True)
    row = note(ws, last + 1, f"Annual money in {currency or 'the client currency'}. Drivers "
               "that overlap (the same saving reached another way) are never added twice: the "
               "total keeps the larger. A driver without its inputs is not valued (its cells "
               "stay empty, never 0). The renewal driver is a fifth of its five-year sum.")
    _keep(ws, 1, row - 1)

    start = row + 1
    row = _section(ws, start, "How each driver is valued", span=len(ASSUMPTION_HEADERS))
    _, last = _wide_table(ws, row, list(zip(VALUATION_HEADERS, VALUATION_SPANS, strict=True)),
                          [_valuation_row(d) for d in case.drivers])
    _keep(ws, start, last)

    start = last + 2
    row = _section(ws, start, "Assumptions (every figure with its source)",
                   span=len(ASSUMPTION_HEADERS))
    used = _assumptions(case.drivers)
    _, last = _wide_table(ws, row, list(zip(ASSUMPTION_HEADERS, ASSUMPTION_SPANS, strict=True)),
                          [_assumption_row(a, users, currency) for a, users in used],
                          empty="The drivers use no assumption.")
    if any(a.note for a, _ in used):
        _keep(ws, start, last)
        start = last + 1
        _, last = _wide_table(ws, last + 2, ASSUMPTION_NOTE_COLUMNS,
                              [[V(a.name, wrap=True), a.id, V(a.note)] for a, _ in used
                               if a.note])
    fw_currency = view.framework.currency
    words = ("The low case takes the value that gives the smaller benefit, the high case the "
             "larger, so 'low' is not always the smaller number.")
    if any(a.unit == "currency" for a, _ in used) and fw_currency and currency \
            and fw_currency != currency:
        words += (f" Money assumptions are the framework's {fw_currency} figures converted "
                  f"to {currency} at the exchange rate.")
    row = note(ws, last + 1, words)
    _keep(ws, start, row - 1)

    start = row + 1
    row = _renewal_money(ws, view, start, currency)
    _keep(ws, start, row - 1)

    start = row + 1
    row = _section(ws, start, "Sensitivity: which assumption moves the total most", span=5)
    _, last = table(ws, row, ["Assumption", "ID", "Total at its low value",
                              "Total at its high value", "Swing"],
                    [[V(s.name, wrap=True), s.assumption, money_cell(s.low_total, currency),
                      money_cell(s.high_total, currency), money_cell(s.swing, currency)]
                     for s in case.sensitivity],
                    empty="No valued driver uses an assumption.")
    if total is None:
        words = "No driver has a value yet, so there is no total to test."
    elif not case.sensitivity or all(abs(s.swing) < 0.5 for s in case.sensitivity):
        words = ("Every swing is 0: the counted drivers use none of these assumptions, so the "
                 "total rests on the client's own figures.")
    else:
        words = ("Each assumption set to its low and then its high value, the others at base; "
                 "the swing is how far the total moves. Largest first.")
    note(ws, last + 1, words)
    _keep(ws, start, last + 1)


MONEY_HEADERS = ["Contract year", "Client", "Target", "Industry", "At stake (target − client)"]


def _renewal_money(ws: Worksheet, view: ResultsView, row: int, currency: str | None) -> int:
    """The renewal projection in money (§5) with its line chart; returns the next free row."""
    row = _section(ws, row, "Renewal revenue at stake (the projection in money)", span=5)
    money = view.renewal.money
    if money is None:
        driver = next((d for d in view.business_case.drivers
                       if d.formula == "renewal_at_stake"), None)
        if not view.renewal.applicable:
            words = not_applicable_text(view.organization.support_model)
            why = f"{words[0].lower()}{words[1:]}"
        elif driver is not None and driver.needs:
            why = needs_data_text(driver.needs)
        else:
            why = "the contract revenue base or the renewal rates are missing"
        return note(ws, row, f"No renewal money: {why}.")
    currency = money.currency or currency
    header, last = table(ws, row, MONEY_HEADERS, [
        [V(y.year, "0"), money_cell(y.client, currency), money_cell(y.target, currency),
         money_cell(y.industry, currency), money_cell(y.target - y.client, currency)]
        for y in money.years])
    put(ws, last + 1, 1, V(f"{len(money.years)} years", bold=True), border=True)
    put(ws, last + 1, 5, money_cell(money.at_stake, currency, bold=True), border=True)
    base = format_value(money.base, "currency", currency)
    row = _wide_note(ws, last + 2, f"The starting cohort's contract revenue, {base} a year, "
                     "followed along the contract renewal curves: year k = revenue × "
                     "rate^(k−1) for the client's rate, the target and the industry rate.",
                     len(MONEY_HEADERS))
    chart = LineChart()
    chart.title = "Contract revenue kept from the starting cohort"
    chart.y_axis.title = currency or "Revenue"
    chart.x_axis.title = "Contract year"
    chart.y_axis.number_format = "#,##0"
    chart.y_axis.scaling.min = 0
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    for col in (2, 3, 4):
        chart.add_data(Reference(ws, min_col=col, min_row=header, max_row=last),
                       titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=header + 1, max_row=last))
    chart.legend.position = "b"
    chart.width, chart.height = 14, 7.5
    ws.add_chart(chart, f"G{header}")
    return max(row, header + 16)


# --------------------------------------------------------------------------- 4. Roadmap


ROADMAP_HEADERS = ["Rank", "Initiative", "Horizon", "Effort", "Owner role", "Index points",
                   "Renewal health points", "Low (a year)", "Base (a year)", "High (a year)",
                   "ID"]
#: What each initiative involves: (header, columns it spans).
INVOLVES_COLUMNS = [("Rank", 1), ("Initiative", 1), ("What it involves", 3),
                    ("KPIs it moves", 3), ("Practices it builds", 2),
                    ("Recommendations (appendix ranks)", 1)]
TRACKING_COLUMNS = [("Rank", 1), ("Initiative", 1), ("Chosen", 1), ("Status", 1),
                    ("Owner", 1), ("Due date", 2), ("Inhibitors", 3), ("Notes", 1)]
TIMELINE_HEADERS = ["Rank", "Initiative", "Horizon", "Starts (month)", "Ends (month)",
                    "Duration (months)"]
TRACKING_RAG = {"done": "green", "in_progress": "amber", "not_started": "grey",
                "dropped": "grey"}


def _practice_name(view: ResultsView, ref: str) -> str:
    qid, _, item_id = ref.partition(".")
    q = view.questionnaires.get(qid)
    item = next((i for i in q.items if i.id == item_id), None) if q else None
    return item.name if item else ref


def _initiative_row(view: ResultsView, i: InitiativeResult, currency: str | None) -> list[Any]:
    money = i.money or {}
    return [
        V(i.rank, "0") if i.rank is not None else V(STATUS_LABELS["not_applicable"],
                                                    italic=True),
        V(i.name, wrap=True), HORIZON_LABELS.get(i.horizon, i.horizon),
        EFFORT_LABELS.get(i.effort, i.effort), V(i.owner, wrap=True),
        V(i.index_points, POINTS_FORMAT), V(i.renewal_points, POINTS_FORMAT),
        *(money_cell(money.get(case), currency) for case in CASES), i.id]


def _involves_row(view: ResultsView, i: InitiativeResult) -> list[Any]:
    """What an initiative involves, the KPIs it moves, the practices it builds and the
    recommendations it groups."""
    return [
        V(i.rank, "0") if i.rank is not None else V(STATUS_LABELS["not_applicable"],
                                                    italic=True),
        V(i.name, wrap=True), V(i.description),
        V(", ".join(view.kpi(k).name if view.kpi(k) else k for k in i.kpis) or None),
        V(", ".join(_practice_name(view, p) for p in i.practices) or None),
        V(", ".join(str(r) for r in i.recommendations) or None, wrap=True)]


def _due(value: Any) -> Any:
    """A due date as a date cell (recorded as ISO text), else the text as recorded."""
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _tracking_row(i: InitiativeResult) -> list[Any]:
    t = i.tracking or {}
    chosen = t.get("chosen")
    status = t.get("status")
    return [
        V(i.rank, "0") if i.rank is not None else STATUS_LABELS["not_applicable"], V(i.name),
        None if chosen is None else ("Yes" if chosen else "No"),
        V(TRACKING_LABELS.get(status, _label(status)), rag=TRACKING_RAG.get(status))
        if status else None,
        V(t.get("owner"), wrap=True), _due(t.get("due_date")), V(t.get("inhibitors")),
        V(t.get("notes"))]


def _roadmap(wb: Workbook, view: ResultsView) -> None:
    ws = _new_sheet(wb, ROADMAP, view, "Roadmap: the recommendations grouped into initiatives, "
                    "ranked by value for effort",
                    [7, 26, 12, 11, 18, 9, 10, 14, 14, 14, 26], wrap=(2, 5, 11))
    ws.freeze_panes = "C5"
    roadmap = view.roadmap
    currency = view.business_case.currency or view.currency
    if not roadmap.initiatives:
        header_row(ws, 4, ["Rank", "Initiative"])
        _wide_note(ws, 5, NO_PLAN, 8)
        return
    header, last = table(ws, 4, ROADMAP_HEADERS,
                         [_initiative_row(view, i, currency) for i in roadmap.initiatives])
    ws.auto_filter.ref = f"A{header}:{get_column_letter(len(ROADMAP_HEADERS))}{last}"
    _grey_out(ws, (header + 1 + n for n, i in enumerate(roadmap.initiatives) if i.rank is None),
              len(ROADMAP_HEADERS))
    row = last + 1
    if roadmap.ranking:
        row = note(ws, row, f"Ranked by {roadmap.ranking}.")
    row = note(ws, row, "Money is the initiative's own business-case drivers a year, overlaps "
                        "included, so it does not add up to the business-case total (blank when "
                        "it has none, or they need data). Index points are what its KPIs would "
                        "add to the index at target; renewal health points the same for "
                        "renewal health.")

    start = row + 1
    row = _section(ws, start, "What each initiative involves", span=len(ROADMAP_HEADERS))
    header, last = _wide_table(ws, row, INVOLVES_COLUMNS,
                               [_involves_row(view, i) for i in roadmap.initiatives])
    _grey_out(ws, (header + 1 + n for n, i in enumerate(roadmap.initiatives) if i.rank is None),
              len(ROADMAP_HEADERS))
    _keep(ws, start, last)
    row = last + 1

    start = row + 1
    row = _section(ws, start, "Progress recorded in the intake", span=len(ROADMAP_HEADERS))
    tracked = [i for i in roadmap.initiatives if i.tracking]
    if tracked:
        _, row = _wide_table(ws, row, TRACKING_COLUMNS, [_tracking_row(i) for i in tracked])
        _keep(ws, start, row)
    else:
        row = note(ws, row, "Nothing recorded yet: the intake's Initiatives sheet records the "
                            "chosen initiatives with owner, due date, status and inhibitors, "
                            "and the next assessment reports on them.")
    _timeline(ws, view, row + 2)


def _timeline(ws: Worksheet, view: ResultsView, row: int) -> None:
    """The timeline table (start month and duration per ranked initiative) and its native
    chart: a stacked bar chart whose first series (the start) is invisible."""
    start = row
    row = _section(ws, row, "Timeline (months from the start of the plan)",
                   span=len(TIMELINE_HEADERS))
    ranked = view.roadmap.ranked
    rows = []
    for i in ranked:
        start, end = HORIZONS.get(i.horizon, (0, 12))
        rows.append([V(i.rank, "0"), V(i.name), HORIZON_LABELS.get(i.horizon, i.horizon),
                     V(start, COUNT), V(end, COUNT), V(end - start, COUNT)])
    header, last = table(ws, row, TIMELINE_HEADERS, rows,
                         empty="No initiative applies, so there is no timeline.")
    _keep(ws, start, last)
    if not rows:
        return
    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.gapWidth = 60
    chart.title = "Roadmap timeline"
    chart.y_axis.title = "Months from the start of the plan"
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 12
    chart.y_axis.majorUnit = 3
    chart.y_axis.number_format = "0"
    chart.y_axis.crosses = "max"  # the month axis below the bars, rank 1 on top
    chart.x_axis.scaling.orientation = "maxMin"
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.legend = None
    for col in (4, 6):
        chart.add_data(Reference(ws, min_col=col, min_row=header, max_row=last),
                       titles_from_data=True)
    names = AxDataSource(strRef=StrRef(f=str(Reference(ws, min_col=2, min_row=header + 1,
                                                       max_row=last))))
    for series in chart.series:
        series.cat = names
    hidden = chart.series[0].graphicalProperties = GraphicalProperties(noFill=True)
    hidden.line.noFill = True
    chart.series[1].graphicalProperties = GraphicalProperties(solidFill=NAVY)
    chart.width, chart.height = 18, max(6.0, 1.2 + 0.9 * len(rows))
    ws.add_chart(chart, f"H{header}")


# --------------------------------------------------------------------------- 5. KPIs


KPI_HEADERS = ["Element", "KPI", "ID", "Current", "Target", "Score", "Status", "Points at stake",
               "Action", "Value source", "Target basis", "Unit", "Direction", "Floor (scores 0)",
               "Weight", "Benchmark", "Benchmark source", "Client note"]
#: The KPI table prints in two bands, Element, KPI and ID repeated on both: the assessment
#: (value, target, score, action) and then the definition (unit, floor, benchmark, note).
KPI_BANDS = ((1, 11), (12, 18))
KPI_WIDTHS = (13, 24, 26, 16, 14, 7, 11, 9, 13, 16, 18, 9, 9, 14, 7, 16, 22, 30)


def _benchmark_cell(k: KpiRow, currency: str | None) -> Any:
    """A benchmark in its own currency: a number in its unit, or the text of
    :func:`assessment.core.format.benchmark_figure` for a range or a converted figure
    (``USD 22 (≈ EUR 20.24)``)."""
    bench = k.benchmark
    if bench is None:
        return None
    own = bench.currency if re.fullmatch(r"[A-Z]{3}", str(bench.currency or "")) else currency
    if bench.value is not None and not bench.converted:
        return unit_cell(bench.value, k.unit, own)
    return benchmark_figure(bench.as_dict(), k.unit, currency) or None


def value_source(k: KpiRow) -> str:
    """Where the current value comes from: the intake, a relation (derived) or nowhere."""
    if not k.applicable:
        return STATUS_LABELS["not_applicable"]
    if k.derived:
        return f"(derived) from relation {k.derived_from}" if k.derived_from else "(derived)"
    if k.current is None:
        return "Not measured"
    return "Intake"


def target_basis(view: ResultsView, k: KpiRow, currency: str | None) -> str:
    """Whose target applies: ``Segment: B2B software support``, ``Framework`` or
    ``Client's own (framework 85%)``."""
    basis = k.target_basis or ("intake" if k.target_overridden else "framework")
    if basis == "intake":
        framework = (format_value(k.framework_target, k.unit, currency)
                     if k.framework_target is not None else DASH)
        return f"{TARGET_BASIS['intake']} (framework {framework})"
    if basis == "segment":
        name = view.organization.segment_name or view.organization.segment
        return f"{TARGET_BASIS['segment']}: {name}" if name else TARGET_BASIS["segment"]
    return TARGET_BASIS.get(basis, _label(basis))


def kpi_action(k: KpiRow) -> str | None:
    """``Measure this`` for an applicable KPI without data, ``Improve`` below target."""
    if not k.applicable:
        return None
    if k.current is None:
        return MEASURE_THIS
    if k.score is not None and k.score < 100:
        return IMPROVE
    return None


def _kpi_row(view: ResultsView, k: KpiRow) -> list[Any]:
    unit, currency = k.unit, view.currency
    if k.direction == "band" and k.band:
        target: Any = f"band {value_range(*k.band, unit, currency)}"
        f_lo, f_hi = k.floor if isinstance(k.floor, tuple) else (None, None)
        floor: Any = (f"below {format_value(f_lo, unit, currency)} / "
                      f"above {format_value(f_hi, unit, currency)}")
    else:
        target = unit_cell(k.target, unit, currency, italic=k.target_overridden,
                           bold=k.target_overridden)
        floor = unit_cell(k.floor if not isinstance(k.floor, tuple) else None, unit, currency)
    source = benchmark_source(k.benchmark.as_dict()) if k.benchmark else ""
    points = k.points_at_stake if k.area != "renewal" and k.applicable else None
    action = kpi_action(k)
    return [
        view.area_name(k.area), k.name, k.id,
        unit_cell(k.current, unit, currency, derived=k.derived), target,
        V(k.score, SCORE_FORMAT), status_label(k.status), V(points, POINTS_FORMAT),
        V(action, rag="amber") if action == MEASURE_THIS else action,
        value_source(k), target_basis(view, k, currency),
        _label(unit), _label(k.direction), floor, V(k.weight, WEIGHT),
        _benchmark_cell(k, currency), source or None, V(k.note, wrap=True),
    ]


def _kpis(wb: Workbook, view: ResultsView) -> None:
    ws = _new_sheet(wb, "KPIs", view, "Every KPI: current value, target, score and status",
                    KPI_WIDTHS, print_rows="1:4", wrap=(1, 2, 5, 10, 11, 14, 16, 17, 18))
    header, last = table(ws, 4, KPI_HEADERS, [_kpi_row(view, k) for k in view.kpis],
                         empty="No KPIs in the framework.")
    layout = layout_of(ws)
    layout.bands, layout.title_cols, layout.band_rows = KPI_BANDS, 3, (header, last)
    _grey_out(ws, (header + 1 + n for n, k in enumerate(view.kpis) if not k.applicable),
              len(KPI_HEADERS))
    ws.freeze_panes = "C5"
    ws.auto_filter.ref = f"A{header}:{get_column_letter(len(KPI_HEADERS))}{last}"
    status_col = get_column_letter(KPI_HEADERS.index("Status") + 1)
    _status_rules(ws, f"{status_col}{header + 1}:{status_col}{last}")
    row = last + 2
    if any(not k.applicable for k in view.kpis):
        words = not_applicable_text(view.organization.support_model)
        row = note(ws, row, f"Greyed rows: {words[0].lower()}{words[1:]}; left out of every "
                            "score, coverage and gap.")
    if any(k.derived for k in view.kpis):
        row = note(ws, row, "(derived): the intake left the value blank and a consistency "
                            "relation filled it in (see the Data quality sheet).")
    if view.missing_kpi == "zero" and any(k.applicable and k.current is None
                                          for k in view.kpis):
        note(ws, row, "Missing KPIs count as 0 in every score; their points at stake are what "
                      "measuring them and reaching the target would add (Action: Measure this).")


# --------------------------------------------------------------------------- 6. Renewal


def _answer(item: Item) -> Any:
    """A practice answer for display: 0–4, ``n/a``, or blank when missing."""
    if item.na:
        return V("n/a", "0")
    return V(item.answer, "0")


def _practice_rows(q: Questionnaire | None) -> list[list[Any]]:
    """One row per item; a questionnaire that does not apply shows no item scores."""
    if q is None:
        return []
    return [[n, i.name, i.id, V(i.weight, WEIGHT), _answer(i), i.label,
             V(i.score if q.applicable else None, SCORE_FORMAT)]
            for n, i in enumerate(q.items, start=1)]


PRACTICE_HEADERS = ["#", "Practice", "ID", "Weight", "Answer (0–4)", "Answer meaning", "Score"]
#: The renewal practices on the Renewal sheet, whose first column holds the names.
RENEWAL_PRACTICE_HEADERS = PRACTICE_HEADERS[1:]


def _level(view: ResultsView, q: Questionnaire) -> str | None:
    """``Level 2 · Ad hoc``: a results@2 level is named from the answer scale."""
    name = q.level_name
    scale = view.framework.answer_scale
    if view.version == 2 and q.level and len(scale) >= q.level:
        name = scale[q.level - 1]
    return level_text(q.level, name)


def _questionnaire_pairs(view: ResultsView, q: Questionnaire | None) -> list[tuple[str, Any]]:
    if q is not None and not q.applicable:
        words = not_applicable_text(view.organization.support_model)
        return [("Questionnaire score", V(words, rag="grey")),
                ("Maturity level", V(STATUS_LABELS["not_applicable"], rag="grey"))]
    rule = view.missing_kpi
    return [
        ("Questionnaire score", score_cell(q and q.score, q and q.rag, "insufficient answers")),
        ("Measured score (answered questions only)", V(q.measured_score if q else None,
                                                       SCORE_FORMAT)),
        ("Both readings of missing data",
         readings(q.score, q.measured_score, q.coverage, rule, "questions answered")
         if q else DASH),
        ("Coverage", V(q.coverage if q else None, COVERAGE_FORMAT)),
        ("Data", data_flag(q.sufficient) if q else None),
        ("Maturity level", _level(view, q) if q else None),
    ]


def value_basis_text(view: ResultsView) -> str:
    """Which rate the client value curve follows (methodology §5)."""
    renewal = view.renewal
    if renewal.value_basis in VALUE_BASIS:
        return f"Client value follows {VALUE_BASIS[renewal.value_basis]}"
    if view.version == 1 and any(p.client_value is not None for p in renewal.projection):
        return "Client value follows the contract renewal rate with the price uplift"
    return "No client value curve: neither a recurring-revenue rate nor a renewal rate with " \
           "a price uplift is known"


def _renewal_pairs(view: ResultsView) -> list[tuple[str, Any]]:
    renewal = view.renewal
    blend = renewal.blend
    return [
        ("Renewal health", score_cell(renewal.health, renewal.rag)),
        ("Renewal KPI score", score_cell(renewal.kpi_score, None, "insufficient data")),
        ("Renewal KPI measured score", V(renewal.kpi_measured_score, SCORE_FORMAT)),
        ("Both readings of missing data (renewal KPIs)",
         readings(renewal.kpi_score, renewal.kpi_measured_score, renewal.kpi_coverage,
                  view.missing_kpi)),
        ("Renewal KPI coverage", V(renewal.kpi_coverage, COVERAGE_FORMAT)),
        ("Renewal practices score",
         score_cell(renewal.practices_score, None, "insufficient answers")),
        ("Blend", None if blend is None
         else f"{blend:.0%} renewal KPIs / {1 - blend:.0%} renewal practices"),
        ("Contract renewal rate", percent_cell(renewal.contract_renewal_rate)),
        ("Recurring revenue rate", percent_cell(renewal.recurring_revenue_rate)),
        ("Industry renewal rate", percent_cell(renewal.industry_rate)),
        ("Annual price uplift", percent_cell(renewal.price_uplift)),
        ("Value curve basis", value_basis_text(view)),
    ]


def _renewal(wb: Workbook, view: ResultsView) -> None:
    ws = _new_sheet(wb, "Renewal", view,
                    "Contract renewals: health, KPIs, practices and projection",
                    [36, 26, 13, 12, 16, 12, 12, 12], wrap=(1, 5))
    ws.freeze_panes = "A3"
    renewal = view.renewal
    currency = view.currency
    words = not_applicable_text(view.organization.support_model)
    row = _section(ws, 4, "Renewal health score")
    if renewal.applicable:
        row = _pairs(ws, row, _renewal_pairs(view), text_to=8)
    else:
        row = _pairs(ws, row, [("Renewal health", V(words, rag="grey"))], text_to=8)
        row = note(ws, row, "Contract renewal KPIs and renewal practices are left out of every "
                            "score; no renewal projection is shown.")

    start = row + 1
    row = _section(ws, start, "Renewal KPIs", span=8)
    kpis = view.kpis_of("renewal")
    header, last = table(
        ws, row, ["KPI", "ID", "Current", "Target", "Benchmark", "Score", "Status",
                  "Health points at stake"],
        [[k.name, k.id, unit_cell(k.current, k.unit, currency, derived=k.derived),
          unit_cell(k.target, k.unit, currency),
          _benchmark_cell(k, currency) or unit_cell(None, k.unit, currency),
          V(k.score, SCORE_FORMAT), status_label(k.status),
          V(k.points_at_stake if k.applicable else None, POINTS_FORMAT)]
         for k in kpis],
        empty="The framework has no renewal KPIs.")
    _status_rules(ws, f"G{header + 1}:G{last}")
    _grey_out(ws, (header + 1 + n for n, k in enumerate(kpis) if not k.applicable), 8)
    _keep(ws, start, last)

    q = view.questionnaires.get("renewal_practices")
    start = last + 2
    row = _section(ws, start, q.name if q else "Renewal practices", span=8)
    _, last = table(ws, row, RENEWAL_PRACTICE_HEADERS,
                    [values[1:] for values in _practice_rows(q)],
                    empty="No renewal practices in the framework.")
    if q is not None and not q.applicable:
        _grey_out(ws, range(row + 1, last + 1), len(RENEWAL_PRACTICE_HEADERS))
    row = _pairs(ws, last + 1, _questionnaire_pairs(view, q), text_to=8)
    _keep(ws, start, row - 1)

    start = row + 1
    row = _section(ws, start, "5-year renewal projection (share of a starting cohort)", span=8)
    if not renewal.applicable:
        note(ws, row, f"No projection: {words[0].lower()}{words[1:]}.")
        return
    projection = renewal.projection
    value_column = VALUE_COLUMN.get(renewal.value_basis or "", "Client value (with uplift)")
    header, last = table(
        ws, row, ["Contract year", "Client", "Industry", "Target", value_column],
        [[V(p.year, "0"), percent_cell(p.client), percent_cell(p.industry),
          percent_cell(p.target), percent_cell(p.client_value)] for p in projection],
        empty="No projection.")
    note(ws, last + 1, value_basis_text(view) + ".")
    _keep(ws, start, last + 1)
    _projection_chart(ws, projection, header, last, last + 3)


def _projection_chart(ws: Worksheet, projection: Sequence[ProjectionYear], header: int,
                      last: int, row: int) -> None:
    """Line chart of client vs industry vs target at ``row`` (below the table), or a note when
    the client curve is empty."""
    anchor = f"A{row}"
    if not projection or all(p.client is None for p in projection):
        note(ws, row, "No chart: the client's contract renewal rate is missing.")
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
    columns = [2, 3] + ([4] if any(p.target is not None for p in projection) else [])
    for col in columns:
        chart.add_data(Reference(ws, min_col=col, min_row=header, max_row=last),
                       titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=header + 1, max_row=last))
    chart.legend.position = "b"
    chart.width, chart.height = 16, 8
    ws.add_chart(chart, anchor)


# --------------------------------------------------------------------------- 7. Practices


def answer_scale_text(view: ResultsView) -> str:
    """``0 Not in place, 1 Ad hoc, …`` from the framework's answer scale."""
    scale = view.framework.answer_scale or ("not in place", "ad hoc", "defined",
                                            "managed and measured", "optimized")
    return ", ".join(f"{n} {name}" for n, name in enumerate(scale))


def _practices(wb: Workbook, view: ResultsView) -> None:
    ws = _new_sheet(wb, "Practices", view, "The ten practices of support excellence",
                    [5, 34, 24, 9, 12, 20, 9], print_rows="1:4", wrap=(2, 6))
    q = view.questionnaires.get("excellence_practices")
    _, last = table(ws, 4, PRACTICE_HEADERS, _practice_rows(q),
                    empty="No practices in the framework.")
    if q is not None and not q.applicable:
        _grey_out(ws, range(5, last + 1), len(PRACTICE_HEADERS))
    ws.freeze_panes = "A5"
    start = last + 2
    row = _section(ws, start, q.name if q else "Excellence practices",
                   span=len(PRACTICE_HEADERS))
    # the labels across the narrow "#" column and the practice names, the values after them
    row = _pairs(ws, row, _questionnaire_pairs(view, q), label_to=2,
                 text_to=len(PRACTICE_HEADERS))
    _keep(ws, start, row - 1)
    blanks = ("a blank answer counts as 0 (not in place) in the score and is left out of the "
              "measured score" if view.missing_kpi == "zero"
              else "a blank answer counts against coverage")
    levels = ("Level = 1 + the whole part of the weighted average answer, named after the "
              "answer scale (at most 5)." if view.version == 2
              else "Level = lower of 5 and (score ÷ 20, rounded down) + 1.")
    note(ws, row + 1, f"Answers: {answer_scale_text(view)}. n/a is excluded from the score; "
                      f"{blanks}. {levels}")


# --------------------------------------------------------------------------- 8. Expectations


def _expectations(wb: Workbook, view: ResultsView) -> None:
    ws = _new_sheet(wb, "Expectations", view,
                    "What customers expect: importance, performance and the team's priority",
                    [30, 25, 12, 13, 10, 10, 22], print_rows="1:4", wrap=(1, 7))
    exp = view.expectations
    rows = [[d.name, d.id, V(d.importance, RATING), V(d.performance, RATING),
             V(d.priority, RATING), V(d.gap, DELTA_FORMAT),
             V(QUADRANT_LABELS.get(d.quadrant, _label(d.quadrant)) if d.quadrant else None,
               rag=QUADRANT_RAG.get(d.quadrant) if d.quadrant else None)]
            for d in exp.dimensions]
    _, last = table(ws, 4, ["Dimension", "ID", "Importance (I)", "Performance (P)",
                            "Priority (T)", "Gap (I − P)", "Quadrant"], rows,
                    empty="No expectation dimensions in the framework.")
    ws.freeze_panes = "A5"
    start = last + 2
    row = _section(ws, start, "Alignment of priorities with customer expectations", span=7)
    row = _pairs(ws, row, [*_alignment_pairs(view),
                           ("Quadrant threshold (1–5)", V(exp.threshold, RATING))], text_to=7)
    _keep(ws, start, row - 1)
    note(ws, row + 1, "Ratings are 1–5. The computed alignment compares the importance customers "
         "give each dimension with the support team's own priority (10 means fully aligned). It "
         "is this toolkit's own measure, not HDI's: only the self-rated answer to HDI's question "
         "is compared with the HDI survey average.")


# --------------------------------------------------------------------------- 11. Appendix


def recommendation_action(kind: str, side: str | None) -> str:
    """``Measure this``, ``Improve``, or ``Improve (above the band)``."""
    if kind == "measure":
        return MEASURE_THIS
    return f"{IMPROVE} ({side} the band)" if side else IMPROVE


RECOMMENDATION_HEADERS = ["Rank", "Area", "Source", "KPI / item", "ID", "Priority",
                          "Priority basis", "Action", "Recommendation", "Initiative (roadmap)"]


def _recommendations(wb: Workbook, view: ResultsView) -> None:
    headers = RECOMMENDATION_HEADERS
    ws = _new_sheet(wb, APPENDIX, view, "Appendix: recommendations, ranked, and why they rank "
                    "(the roadmap groups them into initiatives)",
                    [6, 13, 11, 22, 26, 9, 16, 14, 36, 22], print_rows="1:4",
                    wrap=(2, 4, 7, 8, 9, 10))
    grouped = {rank: i.name for i in view.roadmap.initiatives for rank in i.recommendations}
    rows = [[V(r.rank, "0"), view.area_name(r.area),
             SOURCE_LABELS.get(r.source, _label(r.source)),
             V(r.name, wrap=True), r.id, V(r.priority, POINTS_FORMAT), V(r.basis, wrap=True),
             recommendation_action(r.kind, r.side), V(r.text, wrap=True),
             V(grouped.get(r.rank), wrap=True)]
            for r in view.recommendations]
    header, last = table(ws, 4, headers, rows, empty="No recommendations")
    ws.freeze_panes = "A5"
    if rows:
        ws.auto_filter.ref = f"A{header}:{get_column_letter(len(headers))}{last}"


# --------------------------------------------------------------------------- 9. Data quality


COVERAGE_HEADERS = ["Area", "Data", "Both readings of missing data", "Coverage",
                    "KPIs applicable", "KPIs with data", "KPIs not applicable"]
CHECK_HEADERS = ["Relation", "ID", "Cells involved", "Stated", "Implied", "Difference",
                 "Tolerance", "Result", "Missing terms", "Derived"]


def _term_unit(view: ResultsView, term: str) -> str:
    kind, _, key = term.partition(".")
    if kind == "kpi":
        k = view.kpi(key)
        return k.unit if k else ""
    return "currency" if key in MONEY_VOLUMES else "count"


def check_result(check: Check) -> V:
    """``OK`` (green), ``Failed`` (red) or ``Not checked`` (grey)."""
    text, rag = CHECK_RESULTS[check.ok]
    return V(text, rag=rag)


def _missing_terms(check: Check) -> str | None:
    if not check.missing:
        return None
    cells = dict(zip(check.terms, check.cells, strict=False))
    return ", ".join(f"{t} ({cells[t]})" if cells.get(t) else t for t in check.missing)


def _check_row(view: ResultsView, check: Check) -> list[Any]:
    term = next(iter(check.terms), "")
    unit, currency = _term_unit(view, term), view.currency
    difference = (None if check.stated is None or not check.implied
                  else (check.stated - check.implied) / abs(check.implied))
    return [
        V(check.name, wrap=True), check.relation, V(", ".join(check.cells), wrap=True),
        unit_cell(check.stated, unit, currency), unit_cell(check.implied, unit, currency),
        V(difference, DIFFERENCE_FORMAT), V(check.tolerance, TOLERANCE_FORMAT),
        check_result(check), V(_missing_terms(check), wrap=True),
        V("Yes", rag="amber") if check.derived else "No",
    ]


def _coverage_rows(view: ResultsView) -> list[list[Any]]:
    index = view.index
    rows: list[list[Any]] = [[
        "Support Excellence Index", data_flag(index.sufficient),
        V(view.readings("index"), wrap=True), V(index.coverage, COVERAGE_FORMAT),
        None, None, None]]
    for e in view.elements:
        rows.append([e.name, data_flag(e.sufficient), V(view.readings(e.key), wrap=True),
                     V(e.coverage, COVERAGE_FORMAT), V(e.kpis, COUNT),
                     V(e.kpis_with_data, COUNT), V(e.kpis_not_applicable, COUNT)])
    return rows


def _data_quality(wb: Workbook, view: ResultsView) -> None:
    ws = _new_sheet(wb, "Data quality", view,
                    "Coverage, consistency checks and warnings to check before relying on the "
                    "scores", [32, 24, 28, 13, 13, 11, 10, 12, 24, 9], wrap=(1, 3, 9))
    ws.freeze_panes = "A3"
    row = _section(ws, 4, "Coverage per element", span=len(COVERAGE_HEADERS))
    _, last = table(ws, row, COVERAGE_HEADERS, _coverage_rows(view))
    minimum = view.settings.get("min_coverage")
    if isinstance(minimum, (int, float)):
        note(ws, last + 1, f"Below {format_coverage(minimum)} coverage an area is flagged "
                           "insufficient data. Missing KPIs: " + _rule_words(view).lower() + ".")
    _keep(ws, 4, last + 1)

    start = last + 3
    row = _section(ws, start, "Consistency checks (methodology §7)", span=len(CHECK_HEADERS))
    empty = ("The framework declares no consistency relations." if view.version == 2
             else "No consistency checks: these results follow methodology version 1.")
    _, last = table(ws, row, CHECK_HEADERS, [_check_row(view, c) for c in view.consistency],
                    empty=empty)
    if view.consistency:
        note(ws, last + 1, "Stated is the value entered; implied is what the other cells give. "
                           "OK when the two differ by no more than the tolerance; a blank value "
                           "a relation determines is derived (and marked so on the KPIs sheet).")
    _keep(ws, start, last + 1)

    start = last + 3
    row = _section(ws, start, "Warnings", span=len(CHECK_HEADERS))
    _, last = _wide_table(ws, row, [("Warning", len(CHECK_HEADERS))],
                          [[V(w)] for w in view.warnings], empty="No warnings")
    _keep(ws, start, min(last, start + 6))


# --------------------------------------------------------------------------- 10. Method


#: The two straight-line KPI scores, the same in both methodology versions.
_LINEAR_RULES: tuple[tuple[str, str], ...] = (
    ("KPI score, higher is better",
     "100 × (current − floor) / (target − floor), kept between 0 and 100."),
    ("KPI score, lower is better",
     "100 × (floor − current) / (floor − target), kept between 0 and 100."),
)
#: The rules both methodology versions share, last on the Method sheet.
_EXPECTATION_RULES: tuple[tuple[str, str], ...] = (
    ("Gap", "Importance minus performance, per customer-expectation dimension."),
    ("Quadrants",
     "Importance and performance compared with the threshold. Both at or above it: 'Keep up the "
     "good work'. Important but performing below it: 'Concentrate here'. Less important but "
     "performing above it: 'Possible overkill'. Both below: 'Low priority'."),
    ("Practice recommendations",
     "From practices answered 0 or 1, ranked by weight × (4 − answer)."),
)

METHOD_V1: tuple[tuple[str, str], ...] = (
    *_LINEAR_RULES,
    ("KPI score, band",
     "100 anywhere inside the band; outside it, a straight line down to 0 at the floor on that "
     "side."),
    ("Status",
     "Met at 100; Near from the amber threshold up to 100; Off target below amber; No data "
     "when the current value is missing."),
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
    *_EXPECTATION_RULES,
)
METHOD_V2: tuple[tuple[str, str], ...] = (
    ("Applicability",
     "A KPI or questionnaire applies to the support models the framework names. One that does "
     "not apply is shown as 'Not applicable' and left out of every score, coverage and list; "
     "revenue and contract KPIs do not apply to an internal support model."),
    ("Segment and currency",
     "The organization's segment picks the framework's targets, floors, bands and benchmarks "
     "for that peer group. When the client's currency differs from the framework's, money "
     "targets, floors and bands are multiplied by the exchange rate; benchmarks stay in their "
     "own currency with the converted figure beside them."),
    *_LINEAR_RULES,
    ("KPI score, band",
     "100 anywhere inside the band; outside it, a straight line down to 0 at the floor on that "
     "side. Only the advice for the side the value is on is given."),
    ("Status",
     "Met at 100; Near from the amber threshold up to 100; Off target below amber; No data "
     "when the current value is missing; Not applicable when the KPI does not apply."),
    ("Missing data",
     "With missing_kpi: zero (the default) an applicable KPI without a value scores 0 in every "
     "aggregate, so missing data never raises a score; the measured score (KPIs with data "
     "only) is shown beside it. With missing_kpi: exclude, aggregates use the KPIs with data "
     "only, as in version 1."),
    ("Element score and coverage",
     "Weighted mean of the element's applicable KPI scores. Coverage is the weight with data "
     "divided by the applicable weight; below the minimum coverage the element is flagged "
     "insufficient data."),
    ("Support Excellence Index",
     "Element-weighted mean of the four element scores; its coverage is the element-weighted "
     "mean of their coverages. Named after its 20-point band; no band name sounds better than "
     "the score's colour."),
    ("Points at stake",
     "Index points gained if a KPI reached its target: element weight share × KPI weight share "
     "within the element × (100 − KPI score), a missing KPI at score 0 ('Measure this'). Gaps "
     "and KPI recommendations rank by it."),
    ("Questionnaire score and level",
     "100 × weighted sum of answers / (4 × weight of the items that are not n/a); a blank "
     "answer counts as 0. Level = lower of 5 and (score ÷ 25, rounded down) + 1, named after "
     "the answer scale: an average answer of 1.7 is level 2, ad hoc."),
    ("Renewal health",
     "Blend × renewal KPI score + (1 − blend) × renewal practices score; if one part is missing "
     "the other is used alone."),
    ("Renewal projection",
     "Share of a starting cohort still under contract in year k = renewal rate^(k − 1), for the "
     "client, the industry rate and the target. The value curve follows the client's "
     "recurring-revenue rate R (R^(k − 1)) where it is known, else renewal rate × (1 + uplift)."),
    ("Renewal money",
     "The contract revenue base V (recurring support revenue a year) followed along the "
     "contract renewal curves: year k = V × rate^(k − 1) for the client's rate, the target and "
     "the industry rate. The revenue at stake is the sum over the five years of target minus "
     "client."),
    ("Consistency checks",
     "Each relation compares a stated value with the value the other cells imply, within a "
     "tolerance; a failing relation is a warning naming every cell. A blank KPI that a relation "
     "determines is derived and marked '(derived)'."),
    ("Alignment",
     "Computed alignment: 10 × (1 − sum of |importance − priority| / (4 × dimensions rated)), "
     "this toolkit's own measure. Only the self-rated answer (HDI's 0–10 question) is compared "
     "with the HDI survey average."),
    *_EXPECTATION_RULES,
    ("Business case",
     "Each driver of the framework values one gap a year in the client's currency, in a low, "
     "base and high case, from the client's volumes and KPIs and the framework's assumptions "
     "(each with its source and year). A driver missing an input is not valued and names the "
     "fields it needs. Overlapping drivers are never added twice: the total takes the largest "
     "first and leaves out any driver that overlaps one already counted."),
    ("Sensitivity",
     "Each assumption set to its low and then its high value, the others at base; the swing "
     "is how far the total moves."),
    ("Roadmap",
     "The recommendations grouped into the framework's initiatives, each carrying the index "
     "points and the money of what it moves. Ranked by value for effort: its share of all "
     "index points at stake plus its share of all money at stake (base case), divided by its "
     "effort (S 1, M 2, L 3)."),
    ("Executive summary",
     "Three to five key findings chosen by the framework's finding rules in their order, each "
     "shown with its rule; a consultant's own wording from the intake replaces the rule's "
     "sentence and is marked. Then the top three initiatives, the business-case total and the "
     "data-quality caveats."),
)


def _levels_text(view: ResultsView) -> str | None:
    levels = view.framework.levels
    if view.version == 1:
        return ", ".join(f"{n} {name}" for n, name in enumerate(levels, start=1)) or None
    return ", ".join(f"{n} {name} ({20 * (n - 1)}–{20 * n})"
                     for n, name in enumerate(levels, start=1)) or None


def _method(wb: Workbook, view: ResultsView) -> None:
    ws = _new_sheet(wb, "Method", view, "How the scores are computed", [34, 80], wrap=(1, 2))
    ws.sheet_view.showGridLines = False
    ws.freeze_panes = "A3"
    framework, generator = view.framework, view.generator
    v2 = view.version == 2
    row = _section(ws, 4, "Framework and version", span=2)
    row = _pairs(ws, row, [
        ("Framework", framework.name or None), ("Version", framework.version or None),
        ("Results schema", view.schema),
        ("Generated by", " ".join(str(x) for x in (generator.get("name"),
                                                    generator.get("version")) if x) or None),
        ("Index bands" if v2 else "Maturity levels", _levels_text(view)),
        *([("Answer scale (questionnaire levels)", answer_scale_text(view))] if v2 else []),
    ])

    s = view.settings
    weights = s.get("element_weights") or {}
    blend = s.get("renewal_blend")
    segments = s.get("segments") or {}
    exp = view.expectations
    row = _section(ws, row + 1, "Settings", span=2)
    row = _pairs(ws, row, [
        *([("Missing KPIs", _rule_words(view)),
           ("Framework currency", framework.currency or s.get("currency")),
           ("Segments", V("; ".join(f"{name} ({key})" for key, name in segments.items())
                          or None, wrap=True))] if v2 else []),
        ("Amber threshold", V(s.get("amber"), "0")),
        ("Minimum coverage", V(s.get("min_coverage"), COVERAGE_FORMAT)),
        *((f"Element weight: {view.area_name(k)}", V(w, WEIGHT)) for k, w in weights.items()),
        ("Renewal blend (KPI share)", V(blend, COVERAGE_FORMAT)),
        ("IPA threshold (1–5)", V(s.get("ipa_threshold"), RATING)),
        ("Industry renewal rate", percent_cell(s.get("industry_renewal_rate"))),
        ("HDI survey alignment average (0–10)", V(exp.survey_average, RATING)),
        *([("HDI survey source", ", ".join(str(x) for x in (exp.survey_source, exp.survey_year)
                                           if x) or None)] if v2 else []),
        ("Annual price uplift (setting)", percent_cell(s.get("price_uplift"))
         if s.get("price_uplift") is not None else "not set (uses the KPI if supplied)"),
    ])

    rules = METHOD_V2 if v2 else METHOD_V1
    row = _section(ws, row + 1, "Formulas in words", span=2)
    _pairs(ws, row, [(topic, V(rule, wrap=True)) for topic, rule in rules])
    note(ws, row + len(rules) + 1, "Percent values are fractions in the computation; scores are "
         "unrounded and only the display rounds.")


# --------------------------------------------------------------------------- finishing


def _wrap_merged(ws: Worksheet) -> None:
    """Wrap the text of every merged range (its width is the sum of the merged columns)."""
    for merged in ws.merged_cells.ranges:
        cell = ws.cell(row=merged.min_row, column=merged.min_col)
        if isinstance(cell.value, str) and not _wraps(cell):
            old = cell.alignment
            cell.alignment = Alignment(horizontal=old.horizontal,
                                       vertical=old.vertical or "top", wrap_text=True)


def _orientation(ws: Worksheet, paper: str) -> str:
    """Portrait when the sheet prints at 80 % or more on a portrait page, else landscape."""
    fixed = layout_of(ws).orientation
    if fixed:
        return fixed
    width, _ = printable_size(paper, "portrait")
    return "portrait" if width / content_width(ws) >= 0.8 else "landscape"


def _bands(ws: Worksheet) -> None:
    """Print a wide table in its column bands: the first band with every row of the sheet,
    then each further band with the table's rows; the title columns repeated on each."""
    layout = layout_of(ws)
    if not layout.bands:
        return
    (first, last), *rest = layout.bands
    areas = [f"{get_column_letter(first)}1:{get_column_letter(last)}{ws.max_row}"]
    areas += [f"{get_column_letter(lo)}1:{get_column_letter(hi)}{layout.band_rows[1]}"
              for lo, hi in rest]
    ws.print_area = areas
    if layout.title_cols:
        ws.print_title_cols = f"A:{get_column_letter(layout.title_cols)}"


#: The running header's and footer's printed type size (points). Applications scale them with
#: the sheet (LibreOffice does whatever the workbook asks), so their size is set to this over
#: the sheet's estimated scale.
RUNNING_PT = 9
#: The width of a character of header text per point of type size, on the wide side (the
#: application's fallback fonts are wider than the body font).
_HEADER_CHAR_EM = 0.5


def _header_centre(ws: Worksheet, text: str, left: str, right: str) -> str:
    """``text`` for the header's centre: as much as fits between the left and right texts
    (cut with … beyond that; the cover carries it whole)."""
    width, _ = printable_size(paper_of(ws), ws.page_setup.orientation or "portrait")
    side = max(len(left), len(right)) * RUNNING_PT * _HEADER_CHAR_EM
    room = int((width - 2 * side - 18) / (RUNNING_PT * _HEADER_CHAR_EM))
    return header_footer_text(text, max(12, room))


def _running_text(ws: Worksheet, view: ResultsView, brand: Brand) -> None:
    """Header: the client left, the confidentiality line centred, the page number right.
    Footer: the firm left, the sheet centred, the assessment date right. They print at
    :data:`RUNNING_PT` points, scaled with the sheet."""
    when = view.organization.date
    size = f"&{max(RUNNING_PT, round(RUNNING_PT / estimate_scale(ws)))}"
    client, page = header_footer_text(_org_name(view), 40), "Page &P of &N"
    confidentiality = (brand.confidentiality or "").strip()
    parts = ((ws.oddHeader.left, size + client),
             (ws.oddHeader.center, size
              + _header_centre(ws, confidentiality, client, "Page 99 of 99")
              if confidentiality else ""),
             (ws.oddHeader.right, size + page),
             (ws.oddFooter.left, size + header_footer_text(brand.firm, 40)),
             (ws.oddFooter.center, size + header_footer_text(ws.title)),
             (ws.oddFooter.right, size + f"Assessed {when.isoformat()}" if when else ""))
    for part, text in parts:
        part.text = text or None


def _finish(ws: Worksheet, view: ResultsView, paper: str, brand: Brand) -> None:
    """Lay a built sheet out for print (see "print layout" above)."""
    layout = layout_of(ws)
    layout.last_cell = _last_cell_column(ws)  # the cells are all written: known from now on
    ws.sheet_format.defaultRowHeight = ROW_PT
    ws.sheet_format.customHeight = True
    _wrap_columns(ws)
    floor = _autofit(ws)
    _fit_charts(ws)
    orientation = _orientation(ws, paper)
    width, _ = printable_size(paper, orientation)
    _shrink(ws, width / max(minimum_scale(ws) * 1.02, COMFORTABLE_SCALE), floor)
    _fit_charts(ws)
    _merge_overflow(ws)
    _wrap_merged(ws)
    _fit_rows(ws)
    print_setup(ws, _org_name(view), view.organization.date, layout.print_rows, paper=paper,
                orientation=orientation)
    ws.page_margins.left = ws.page_margins.right = SIDE_MARGIN
    ws.page_margins.top = ws.page_margins.bottom = END_MARGIN
    _bands(ws)
    if layout.one_page:
        ws.page_setup.fitToHeight = 1
        if estimate_scale(ws) < minimum_scale(ws):  # too long for one legible page
            ws.page_setup.fitToHeight = 0
    if not (ws.page_setup.fitToHeight and int(ws.page_setup.fitToHeight) == 1):
        _paginate(ws, estimate_scale(ws))
    _running_text(ws, view, brand)


def _recolour(wb: Workbook, brand: Brand) -> None:
    """The brand's primary colour where the default look has navy: header fills, titles,
    section headings and their rules, the timeline bars. RAG colours stay as they are."""
    primary = brand.rgb("primary")
    fill = PatternFill("solid", fgColor=primary)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.fill is not None and cell.fill.fill_type == "solid" \
                        and str(cell.fill.fgColor.rgb).endswith(NAVY):
                    cell.fill = fill
                if cell.font is not None and cell.font.color is not None \
                        and str(cell.font.color.rgb).endswith(NAVY):
                    cell.font = _copy_font(cell.font, primary)
                bottom = cell.border.bottom if cell.border is not None else None
                if bottom is not None and bottom.color is not None \
                        and str(bottom.color.rgb).endswith(NAVY):
                    cell.border = Border(left=cell.border.left, right=cell.border.right,
                                         top=cell.border.top,
                                         bottom=Side(style=bottom.style, color=primary))
        for chart in ws._charts:
            for series in chart.series:
                props = series.graphicalProperties
                colour = getattr(getattr(props, "solidFill", None), "srgbClr", None)
                if str(getattr(colour, "val", colour) or "").endswith(NAVY):
                    series.graphicalProperties = GraphicalProperties(solidFill=primary)


def _copy_font(font: Font, color: str) -> Font:
    return Font(name=font.name, size=font.sz, bold=font.b, italic=font.i, color=color)


# --------------------------------------------------------------------------- cover

COVER_TITLE = "Support excellence scorecard"
#: The logo on the cover is at most this size (pixels).
LOGO_BOX = (280, 90)


def _colours(brand: Brand) -> tuple[str, str]:
    """Primary and accent colours (``RRGGBB``); the default brand keeps the workbook's navy."""
    primary = NAVY if brand.is_default else brand.rgb("primary")
    return primary, brand.rgb("accent")


def _logo_image(brand: Brand) -> Image | None:
    """The brand's logo as an image for the cover, or None (no logo, or one that cannot be
    drawn here)."""
    if brand.logo is None:
        return None
    try:
        data = brand.logo.png()
        image = Image(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - a logo that cannot be drawn: the firm's name instead
        return None
    box_w, box_h = LOGO_BOX
    ratio = min(box_w / image.width, box_h / image.height, 1.0)
    image.width, image.height = max(1, round(image.width * ratio)), max(1, round(
        image.height * ratio))
    return image


def _cover(wb: Workbook, view: ResultsView, brand: Brand) -> Worksheet:
    """The cover: the firm (its logo, or its name in large type), the title, the client, the
    date, who prepared it, the confidentiality line and the contents."""
    ws = wb.create_sheet(COVER)
    _LAYOUTS[ws] = SheetLayout(print_rows="1:1", orientation="portrait", one_page=True,
                               wrap=frozenset({2, 3}))
    ws.sheet_view.showGridLines = False
    primary, accent = _colours(brand)
    for col, width in zip("ABC", (2, 26, 62), strict=True):
        ws.column_dimensions[col].width = width
    ws.row_dimensions[1].height = 12

    def line(row: int, text: str, font: Font, height: float | None = None) -> Cell:
        cell = set_text(ws.cell(row=row, column=2), text)
        cell.font = font
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=3)
        if height:
            ws.row_dimensions[row].height = height
        return cell

    firm = safe_text(brand.firm).strip() or DEFAULT_BRAND.firm
    image = _logo_image(brand)
    if image is not None:
        ws.add_image(image, "B2")
        ws.row_dimensions[2].height = image.height * 0.75 + 6
        line(3, firm, Font(name=FONT_NAME, size=12, bold=True, color="595959"))
    else:
        line(2, firm, Font(name=FONT_NAME, size=26, bold=True, color=primary))
    band = line(5, COVER_TITLE, Font(name=FONT_NAME, size=22, bold=True, color="FFFFFF"), 40)
    band.fill = PatternFill("solid", fgColor=primary)
    band.alignment = Alignment(vertical="center", indent=1)
    ws.row_dimensions[6].height = 5
    ws.cell(row=6, column=2).fill = PatternFill("solid", fgColor=accent)
    ws.merge_cells("B6:C6")
    line(8, _org_name(view), Font(name=FONT_NAME, size=20, bold=True, color="000000"))
    line(9, "Technical support excellence assessment",
         Font(name=FONT_NAME, size=12, italic=True, color="595959"))
    framework = " ".join(str(x) for x in (view.framework.name, view.framework.version) if x)
    details: list[tuple[str, Any]] = [("Client", _org_name(view)),
                                      ("Assessment date", view.organization.date)]
    if brand.prepared_by:
        details.append(("Prepared by", brand.prepared_by))
    details += [("Prepared with", "support-excellence" + (f", {framework}" if framework
                                                          else ""))]
    row = 11
    for label, value in details:
        set_text(ws.cell(row=row, column=2), label).font = LABEL_FONT
        ws.cell(row=row, column=2).border = BORDER
        cell = put(ws, row, 3, V(value, wrap=True) if isinstance(value, str) else value,
                   border=True)
        cell.alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)
        row += 1
    if brand.confidentiality:
        row = row + 1
        line(row, brand.confidentiality, Font(name=FONT_NAME, size=11, italic=True,
                                               color="595959"))
        row += 1
    _section_at(ws, row + 1, "Contents", 2, 3)
    _LAYOUTS[ws].blocks.append((row + 1, row + 2))
    return ws


def _section_at(ws: Worksheet, row: int, text: str, first: int, last: int) -> None:
    set_text(ws.cell(row=row, column=first), text).font = SECTION_FONT
    for col in range(first, last + 1):
        ws.cell(row=row, column=col).border = SECTION_BORDER


def _contents(wb: Workbook, cover: Worksheet) -> None:
    """The cover's list of the sheets, each a link to its sheet."""
    row = next(r for r in range(1, cover.max_row + 1)
               if cover.cell(row=r, column=2).value == "Contents") + 1
    for ws in wb.worksheets:
        if ws is cover:
            continue
        put(cover, row, 2, ws.title, border=True)
        put(cover, row, 3, V(layout_of(ws).subtitle or None, wrap=True), border=True)
        link = cover.cell(row=row, column=2)
        link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{ws.title}'!A1",
                                   display=ws.title)
        link.font = Font(name=FONT_NAME, color="0563C1", underline="single")
        row += 1


# --------------------------------------------------------------------------- public API


def build_workbook(results: dict[str, Any], options: RenderOptions | None = None) -> Workbook:
    """The Excel scorecard of one organization's results, built from scratch, for the paper
    and brand of ``options`` (A4 and the default brand when None)."""
    view = ResultsView.from_dict(results)
    paper = options.paper if options is not None else DEFAULT_PAPER
    brand = getattr(options, "brand", None) or DEFAULT_BRAND
    wb = Workbook()
    wb.remove(wb.active)
    cover = _cover(wb, view, brand)
    for sheet in (_executive_summary, _summary, _business_case, _roadmap, _kpis, _renewal,
                  _practices, _expectations, _data_quality, _method, _recommendations):
        sheet(wb, view)
    _contents(wb, cover)
    for ws in wb.worksheets:
        _finish(ws, view, paper, brand)
    if not brand.is_default:
        _recolour(wb, brand)
    wb.active = 0
    _properties(wb, view)
    return wb


def _properties(wb: Workbook, view: ResultsView) -> None:
    name = safe_text(view.organization.name).strip() or "Unnamed organization"
    props = wb.properties
    props.title = safe_text(f"Support excellence scorecard — {name}")[:250]
    props.subject = "Technical support excellence assessment: scorecard"
    props.creator = props.lastModifiedBy = "support-excellence"
    props.keywords = "support excellence, scorecard, KPIs, renewal, practices"
    props.description = safe_text(
        f"Framework: {view.framework.name or None} {view.framework.version or None}")[:250]
    props.created = props.modified = _moment(view)


def _moment(view: ResultsView) -> dt.datetime:
    when = view.organization.date or dt.date(2000, 1, 1)
    return dt.datetime(when.year, when.month, when.day)


def excel_bytes(results: dict[str, Any], options: RenderOptions | None = None) -> bytes:
    """The scorecard as ``.xlsx`` bytes, timestamps pinned to the assessment date."""
    return workbook_bytes(build_workbook(results, options),
                          when=_moment(ResultsView.from_dict(results)))


def write_excel(results: dict[str, Any], path: str | Path,
                options: RenderOptions | None = None) -> Path:
    """Write the scorecard to ``path`` atomically; returns the path written."""
    return atomic_write(path, excel_bytes(results, options))


def render(results: dict[str, Any], options: RenderOptions) -> bytes:
    """The ``xlsx`` output format (:mod:`assessment.scorecard.formats`): on the paper of
    ``options`` (A4 or Letter) and in its brand."""
    return excel_bytes(results, options)
