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
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook

from assessment.core.defaults import DEFAULT_PAPER
from assessment.core.results import ResultsView
from assessment.files.write import atomic_write, workbook_bytes
from assessment.files.xlsx import safe_text
from assessment.scorecard.brand import DEFAULT_BRAND
from assessment.scorecard.excel.common import (
    APPENDIX,
    BUSINESS_CASE,
    CHECK_RESULTS,
    COUNT,
    COVER,
    DIFFERENCE_FORMAT,
    EXECUTIVE,
    FX_FORMAT,
    GREYED,
    IMPROVE,
    INSUFFICIENT,
    MEASURE_THIS,
    PROFILE_LABELS,
    QUADRANT_RAG,
    RATING,
    ROADMAP,
    SCORES,
    SHEETS,
    SOURCE_LABELS,
    STATUS_RAG,
    SUBTITLE_FONT,
    SUFFICIENT,
    TARGET_BASIS,
    TOLERANCE_FORMAT,
    VALUE_BASIS,
    VALUE_COLUMN,
    WEIGHT,
    data_flag,
    derived_format,
    money_cell,
    not_applicable_text,
    percent_cell,
    score_cell,
    unit_cell,
)
from assessment.scorecard.excel.cover import COVER_TITLE, LOGO_BOX, add_contents, cover_sheet
from assessment.scorecard.excel.detail import (
    KPI_BANDS,
    KPI_HEADERS,
    KPI_WIDTHS,
    PRACTICE_HEADERS,
    RENEWAL_PRACTICE_HEADERS,
    answer_scale_text,
    expectations_sheet,
    kpi_action,
    kpis_sheet,
    practices_sheet,
    renewal_sheet,
    target_basis,
    value_basis_text,
    value_source,
)
from assessment.scorecard.excel.layout import (
    BODY_PT,
    CHART_TEXT_PT,
    COMFORTABLE_SCALE,
    END_MARGIN,
    MIN_PRINTED_PT,
    PAPER_CODES,
    PAPER_INCHES,
    ROW_PT,
    SIDE_MARGIN,
    UNIT_PT,
    SheetLayout,
    cell_text,
    clipped_cells,
    column_groups,
    content_height,
    content_width,
    estimate_scale,
    last_column,
    layout_of,
    longest_word,
    minimum_scale,
    number_text,
    paper_of,
    printable_size,
    smallest_font,
    text_width,
    wrapped_lines,
)
from assessment.scorecard.excel.money import (
    ASSUMPTION_HEADERS,
    ASSUMPTION_NOTE_COLUMNS,
    ASSUMPTION_SPANS,
    CASES,
    DRIVER_HEADERS,
    DRIVER_RAG,
    DRIVER_SPANS,
    INVOLVES_COLUMNS,
    MONEY_HEADERS,
    ROADMAP_HEADERS,
    TIMELINE_HEADERS,
    TRACKING_COLUMNS,
    TRACKING_RAG,
    UNIT_LABELS,
    VALUATION_HEADERS,
    VALUATION_SPANS,
    business_case_sheet,
    driver_status,
    roadmap_sheet,
)
from assessment.scorecard.excel.print import RUNNING_PT, finish, recolour
from assessment.scorecard.excel.quality import (
    CHECK_HEADERS,
    COVERAGE_HEADERS,
    METHOD_V1,
    METHOD_V2,
    RECOMMENDATION_HEADERS,
    check_result,
    data_quality_sheet,
    method_sheet,
    recommendation_action,
    recommendations_sheet,
)
from assessment.scorecard.excel.summary import (
    CHART_COLUMN,
    ELEMENT_CHART_CM,
    ELEMENT_HEADERS,
    EXECUTIVE_WIDTHS,
    NO_PLAN,
    OWN_WORDING,
    RULE_WORDING,
    executive_summary_sheet,
    scores_sheet,
)

if TYPE_CHECKING:
    from assessment.scorecard.formats import RenderOptions


__all__ = [
    "APPENDIX",
    "ASSUMPTION_HEADERS",
    "ASSUMPTION_NOTE_COLUMNS",
    "ASSUMPTION_SPANS",
    "BODY_PT",
    "BUSINESS_CASE",
    "CASES",
    "CHART_COLUMN",
    "CHART_TEXT_PT",
    "CHECK_HEADERS",
    "CHECK_RESULTS",
    "COMFORTABLE_SCALE",
    "COUNT",
    "COVER",
    "COVERAGE_HEADERS",
    "COVER_TITLE",
    "DIFFERENCE_FORMAT",
    "DRIVER_HEADERS",
    "DRIVER_RAG",
    "DRIVER_SPANS",
    "ELEMENT_CHART_CM",
    "ELEMENT_HEADERS",
    "END_MARGIN",
    "EXECUTIVE",
    "EXECUTIVE_WIDTHS",
    "FX_FORMAT",
    "GREYED",
    "IMPROVE",
    "INSUFFICIENT",
    "INVOLVES_COLUMNS",
    "KPI_BANDS",
    "KPI_HEADERS",
    "KPI_WIDTHS",
    "LOGO_BOX",
    "MEASURE_THIS",
    "METHOD_V1",
    "METHOD_V2",
    "MIN_PRINTED_PT",
    "MONEY_HEADERS",
    "NO_PLAN",
    "OWN_WORDING",
    "PAPER_CODES",
    "PAPER_INCHES",
    "PRACTICE_HEADERS",
    "PROFILE_LABELS",
    "QUADRANT_RAG",
    "RATING",
    "RECOMMENDATION_HEADERS",
    "RENEWAL_PRACTICE_HEADERS",
    "ROADMAP",
    "ROADMAP_HEADERS",
    "ROW_PT",
    "RULE_WORDING",
    "RUNNING_PT",
    "SCORES",
    "SHEETS",
    "SIDE_MARGIN",
    "SOURCE_LABELS",
    "STATUS_RAG",
    "SUBTITLE_FONT",
    "SUFFICIENT",
    "SheetLayout",
    "TARGET_BASIS",
    "TIMELINE_HEADERS",
    "TOLERANCE_FORMAT",
    "TRACKING_COLUMNS",
    "TRACKING_RAG",
    "UNIT_LABELS",
    "UNIT_PT",
    "VALUATION_HEADERS",
    "VALUATION_SPANS",
    "VALUE_BASIS",
    "VALUE_COLUMN",
    "WEIGHT",
    "answer_scale_text",
    "build_workbook",
    "cell_text",
    "check_result",
    "clipped_cells",
    "column_groups",
    "content_height",
    "content_width",
    "data_flag",
    "derived_format",
    "driver_status",
    "estimate_scale",
    "excel_bytes",
    "kpi_action",
    "last_column",
    "layout_of",
    "longest_word",
    "minimum_scale",
    "money_cell",
    "not_applicable_text",
    "number_text",
    "paper_of",
    "percent_cell",
    "printable_size",
    "recommendation_action",
    "render",
    "safe_text",
    "score_cell",
    "smallest_font",
    "target_basis",
    "text_width",
    "unit_cell",
    "value_basis_text",
    "value_source",
    "workbook_bytes",
    "wrapped_lines",
    "write_excel",
]

# --------------------------------------------------------------------------- public API


def build_workbook(results: dict[str, Any], options: RenderOptions | None = None) -> Workbook:
    """The Excel scorecard of one organization's results, built from scratch, for the paper
    and brand of ``options`` (A4 and the default brand when None)."""
    view = ResultsView.from_dict(results)
    paper = options.paper if options is not None else DEFAULT_PAPER
    brand = getattr(options, "brand", None) or DEFAULT_BRAND
    wb = Workbook()
    wb.remove(wb.active)
    cover = cover_sheet(wb, view, brand)
    for sheet in (executive_summary_sheet, scores_sheet, business_case_sheet, roadmap_sheet,
                  kpis_sheet, renewal_sheet, practices_sheet, expectations_sheet,
                  data_quality_sheet, method_sheet, recommendations_sheet):
        sheet(wb, view)
    add_contents(wb, cover)
    for ws in wb.worksheets:
        finish(ws, view, paper, brand)
    if not brand.is_default:
        recolour(wb, brand)
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
