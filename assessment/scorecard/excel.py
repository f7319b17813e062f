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
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.chart.label import DataLabelList
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from assessment.core.format import (
    COVERAGE_FORMAT,
    DELTA_FORMAT,
    POINTS_FORMAT,
    QUADRANT_LABELS,
    SCORE_FORMAT,
    STATUS_LABELS,
    benchmark_figure,
    benchmark_source,
    excel_format,
    format_value,
    level_text,
    rag_label,
    status_label,
    value_range,
)
from assessment.core.results import Item, KpiRow, ProjectionYear, Questionnaire, ResultsView
from assessment.files.write import atomic_write, workbook_bytes
from assessment.files.xlsx import (
    BORDER,
    LABEL_FONT,
    RAG_COLOURS,
    SECTION_BORDER,
    SECTION_FONT,
    SUBTITLE_FONT,
    TITLE_FONT,
    V,
    fit_row_heights,
    note,
    print_setup,
    put,
    safe_text,
    set_text,
    table,
)

if TYPE_CHECKING:
    from assessment.scorecard.formats import RenderOptions

SHEETS: tuple[str, ...] = (
    "Summary", "KPIs", "Renewal", "Practices", "Expectations", "Recommendations",
    "Data quality", "Method",
)

# --------------------------------------------------------------------------- Excel-only looks

STATUS_RAG = {"met": "green", "near": "amber", "off": "red", "no_data": "grey"}
QUADRANT_RAG = {"keep_up": "green", "concentrate_here": "red", "possible_overkill": "amber",
                "low_priority": "grey"}
SOURCE_LABELS = {"kpi": "KPI", "practice": "Practice", "expectation": "Expectation"}
#: A 0-5 rating or the alignment (0-10), one decimal.
RATING = "0.0"
WEIGHT = "0.0#"


def percent_cell(value: float | None) -> V:
    """A rate (a fraction) shown as :func:`assessment.core.format.format_percent` writes it."""
    return V(value, excel_format("percent", None, value))


def unit_cell(value: float | None, unit: str, currency: str | None, **style: Any) -> V:
    """A KPI value in its unit, with the number format that shows the text of
    :func:`assessment.core.format.format_value` (money with its currency code)."""
    return V(value, excel_format(unit, currency, value), **style)


def score_cell(value: float | None, rag: str | None, missing: str = "not computed") -> V:
    """A 0–100 score with its RAG fill, or grey ``missing`` text when it is null."""
    if value is None:
        return V(missing, rag="grey")
    return V(value, SCORE_FORMAT, rag=rag)


def _label(key: str) -> str:
    return str(key).replace("_", " ").strip().capitalize()


# --------------------------------------------------------------------------- sheet scaffolding


def _new_sheet(wb: Workbook, title: str, view: ResultsView, subtitle: str,
               widths: Sequence[float], print_rows: str = "1:2") -> Worksheet:
    """A sheet with the title rows, column widths, print setup, header and footer."""
    ws = wb.create_sheet(title)
    name = safe_text(view.organization.name).strip() or "Unnamed organization"
    set_text(ws.cell(row=1, column=1), name).font = TITLE_FONT
    when = view.organization.date
    line = subtitle + (f" · assessed {when.isoformat()}" if when else "")
    set_text(ws.cell(row=2, column=1), line).font = SUBTITLE_FONT
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    print_setup(ws, name, when, print_rows)
    return ws


def _section(ws: Worksheet, row: int, text: str, span: int = 4) -> int:
    """A section heading; returns the next row."""
    set_text(ws.cell(row=row, column=1), text).font = SECTION_FONT
    for col in range(1, span + 1):
        ws.cell(row=row, column=col).border = SECTION_BORDER
    return row + 1


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


# --------------------------------------------------------------------------- 1. Summary


def _summary(wb: Workbook, view: ResultsView) -> None:
    ws = _new_sheet(wb, "Summary", view, "Support excellence scorecard",
                    [38, 26, 20, 14, 16, 16, 3])
    ws.sheet_view.showGridLines = False
    ws.freeze_panes = "A3"
    org = dict(view.organization.profile)
    row = _section(ws, 4, "Organization profile")
    known = {"industry": "Industry", "support_model": "Support model", "currency": "Currency"}
    when = view.organization.date
    profile: list[tuple[str, Any]] = [
        ("Organization", safe_text(view.organization.name).strip() or "Unnamed organization"),
        *((label, org.get(key)) for key, label in known.items()),
        ("Assessment date", when or org.get("assessment_date"))]
    profile += [(_label(k), _profile_value(v)) for k, v in view.organization.extra]
    row = _pairs(ws, row, profile)

    index = view.index
    row = _section(ws, row + 1, "Overall score")
    row = _pairs(ws, row, [
        ("Support Excellence Index", score_cell(index.score, index.rag)),
        ("Maturity level", level_text(index.level, index.level_name)),
        ("Coverage (weight of elements scored)", V(index.coverage, COVERAGE_FORMAT)),
        ("Elements scored", f"{index.elements_scored} of 4 (at least 3 needed)"),
    ])

    row = _section(ws, row + 1, "The four elements", span=5)
    first = row + 1
    _, last = table(ws, row, ["Element", "Score", "Coverage", "Weight", "Status"], [
        [e.name, V(e.score, SCORE_FORMAT, rag=e.rag if e.score is not None else None),
         V(e.coverage, COVERAGE_FORMAT), V(e.weight, WEIGHT),
         V(rag_label(e.rag) if e.score is not None else "insufficient data",
           rag=e.rag or "grey")]
        for e in view.elements])
    _element_chart(ws, view, first, last)

    exp = view.expectations
    row = _section(ws, last + 2, "Renewal health and expectations alignment")
    row = _pairs(ws, row, [
        ("Renewal health", score_cell(view.renewal.health, view.renewal.rag)),
        ("Expectations alignment (0–10)", V(exp.alignment, RATING)
         if exp.alignment is not None else V("not computed", rag="grey")),
    ])
    set_text(ws.cell(row=row - 1, column=3), "HDI survey average").font = LABEL_FONT
    put(ws, row - 1, 4, V(exp.survey_average, RATING), border=True)

    row = _section(ws, row + 1, "Top five gaps by index points at stake", span=6)
    table(ws, row, ["KPI", "ID", "Element", "Score", "Points at stake"], [
        [g.name, g.id, view.area_name(g.area), V(g.score, SCORE_FORMAT),
         V(g.points_at_stake, POINTS_FORMAT)]
        for g in view.gaps[:5]],
        empty="No gaps to rank: every scored KPI meets its target, or too little is scored.")


def _profile_value(value: Any) -> Any:
    """A profile value for a cell: numbers with thousands separators, anything else as text."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return V(value, "#,##0" if float(value).is_integer() else "#,##0.##")
    return value if isinstance(value, str) or value is None else str(value)


def _element_chart(ws: Worksheet, view: ResultsView, first: int, last: int) -> None:
    """A column chart of the element scores, or a note when no element is scored."""
    anchor = "H4"
    scored = [e for e in view.elements if e.score is not None]
    if not scored or last < first:
        note(ws, 4, "No chart: no element has enough data to be scored.", col=8)
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


def _benchmark_cell(k: KpiRow, currency: str | None) -> Any:
    """A benchmark value as a number in its unit, a range as the text of core.format."""
    bench = k.benchmark
    if bench is None:
        return None
    if bench.value is not None:
        return unit_cell(bench.value, k.unit, currency)
    return benchmark_figure(bench.as_dict(), k.unit, currency) or None


def _kpi_row(view: ResultsView, k: KpiRow) -> list[Any]:
    unit, currency = k.unit, view.currency
    if k.direction == "band" and k.band:
        target: Any = f"band {value_range(*k.band, unit, currency)}"
        f_lo, f_hi = k.floor if isinstance(k.floor, tuple) else (None, None)
        floor: Any = (f"below {format_value(f_lo, unit, currency)} / "
                      f"above {format_value(f_hi, unit, currency)}")
        set_by = "Framework"
    else:
        target = unit_cell(k.target, unit, currency, italic=k.target_overridden,
                           bold=k.target_overridden)
        floor = unit_cell(k.floor if not isinstance(k.floor, tuple) else None, unit, currency)
        set_by = (f"Client (framework {format_value(k.framework_target, unit, currency)})"
                  if k.target_overridden else "Framework")
    source = benchmark_source(k.benchmark.as_dict()) if k.benchmark else ""
    return [
        view.area_name(k.area), k.name, k.id, _label(unit), _label(k.direction),
        unit_cell(k.current, unit, currency), target, set_by, floor, V(k.weight, WEIGHT),
        _benchmark_cell(k, currency), source or None, V(k.score, SCORE_FORMAT),
        status_label(k.status), V(k.points_at_stake if k.area != "renewal" else None,
                                  POINTS_FORMAT),
        V(k.note, wrap=True),
    ]


def _kpis(wb: Workbook, view: ResultsView) -> None:
    widths = [14, 34, 28, 9, 10, 12, 18, 22, 22, 8, 16, 26, 8, 10, 10, 40]
    ws = _new_sheet(wb, "KPIs", view, "Every KPI: current value, target, score and status",
                    widths, print_rows="1:4")
    header, last = table(ws, 4, KPI_HEADERS, [_kpi_row(view, k) for k in view.kpis],
                         empty="No KPIs in the framework.")
    ws.freeze_panes = "C5"
    ws.auto_filter.ref = f"A{header}:{get_column_letter(len(KPI_HEADERS))}{last}"
    status_col = get_column_letter(KPI_HEADERS.index("Status") + 1)
    _status_rules(ws, f"{status_col}{header + 1}:{status_col}{last}")


# --------------------------------------------------------------------------- 3. Renewal


def _answer(item: Item) -> Any:
    """A practice answer for display: 0–4, ``n/a``, or blank when missing."""
    if item.na:
        return V("n/a", "0")
    return V(item.answer, "0")


def _practice_rows(items: Iterable[Item]) -> list[list[Any]]:
    return [[n, i.name, i.id, V(i.weight, WEIGHT), _answer(i), i.label,
             V(i.score, SCORE_FORMAT)]
            for n, i in enumerate(items, start=1)]


PRACTICE_HEADERS = ["#", "Practice", "ID", "Weight", "Answer (0–4)", "Answer meaning", "Score"]


def _questionnaire_pairs(q: Questionnaire | None) -> list[tuple[str, Any]]:
    return [
        ("Questionnaire score", score_cell(q and q.score, q and q.rag, "insufficient answers")),
        ("Coverage", V(q.coverage if q else None, COVERAGE_FORMAT)),
        ("Maturity level", level_text(q.level, q.level_name) if q else None),
    ]


def _renewal(wb: Workbook, view: ResultsView) -> None:
    ws = _new_sheet(wb, "Renewal", view,
                    "Contract renewals: health, KPIs, practices and projection",
                    [36, 28, 12, 12, 22, 12, 16, 12])
    ws.freeze_panes = "A3"
    renewal = view.renewal
    currency = view.currency
    blend = renewal.blend
    row = _section(ws, 4, "Renewal health score")
    row = _pairs(ws, row, [
        ("Renewal health", score_cell(renewal.health, renewal.rag)),
        ("Renewal KPI score", score_cell(renewal.kpi_score, None, "insufficient data")),
        ("Renewal KPI coverage", V(renewal.kpi_coverage, COVERAGE_FORMAT)),
        ("Renewal practices score",
         score_cell(renewal.practices_score, None, "insufficient answers")),
        ("Blend", None if blend is None
         else f"{blend:.0%} renewal KPIs / {1 - blend:.0%} renewal practices"),
        ("Contract renewal rate", percent_cell(renewal.contract_renewal_rate)),
        ("Industry renewal rate", percent_cell(renewal.industry_rate)),
        ("Annual price uplift", percent_cell(renewal.price_uplift)),
    ])

    row = _section(ws, row + 1, "Renewal KPIs", span=7)
    header, last = table(
        ws, row, ["KPI", "ID", "Current", "Target", "Benchmark", "Score", "Status",
                  "Health points at stake"],
        [[k.name, k.id, unit_cell(k.current, k.unit, currency),
          unit_cell(k.target, k.unit, currency),
          _benchmark_cell(k, currency) or unit_cell(None, k.unit, currency),
          V(k.score, SCORE_FORMAT), status_label(k.status), V(k.points_at_stake, POINTS_FORMAT)]
         for k in view.kpis_of("renewal")],
        empty="The framework has no renewal KPIs.")
    _status_rules(ws, f"G{header + 1}:G{last}")

    q = view.questionnaires.get("renewal_practices")
    row = _section(ws, last + 2, q.name if q else "Renewal practices", span=7)
    _, last = table(ws, row, PRACTICE_HEADERS, _practice_rows(q.items if q else ()),
                    empty="No renewal practices in the framework.")
    row = _pairs(ws, last + 1, _questionnaire_pairs(q))

    row = _section(ws, row + 1, "5-year renewal projection (share of a starting cohort)", span=5)
    projection = renewal.projection
    header, last = table(
        ws, row, ["Contract year", "Client", "Industry", "Target", "Client value (with uplift)"],
        [[V(p.year, "0"), percent_cell(p.client), percent_cell(p.industry),
          percent_cell(p.target), percent_cell(p.client_value)] for p in projection],
        empty="No projection.")
    _projection_chart(ws, projection, header, last)


def _projection_chart(ws: Worksheet, projection: Sequence[ProjectionYear], header: int,
                      last: int) -> None:
    """Line chart of client vs industry vs target, or a note when the client curve is empty."""
    anchor = f"I{header}"
    if not projection or all(p.client is None for p in projection):
        note(ws, header, "No chart: the client's contract renewal rate is missing.", col=9)
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


# --------------------------------------------------------------------------- 4. Practices


def _practices(wb: Workbook, view: ResultsView) -> None:
    ws = _new_sheet(wb, "Practices", view, "The ten practices of support excellence",
                    [6, 36, 26, 9, 12, 24, 10], print_rows="1:4")
    q = view.questionnaires.get("excellence_practices")
    _, last = table(ws, 4, PRACTICE_HEADERS, _practice_rows(q.items if q else ()),
                    empty="No practices in the framework.")
    ws.freeze_panes = "A5"
    row = _section(ws, last + 2, q.name if q else "Excellence practices", span=3)
    row = _pairs(ws, row, _questionnaire_pairs(q))
    note(ws, row + 1, "Answers: 0 not in place … 4 optimized. n/a is excluded from the score; "
         "a blank answer counts against coverage.")


# --------------------------------------------------------------------------- 5. Expectations


def _expectations(wb: Workbook, view: ResultsView) -> None:
    ws = _new_sheet(wb, "Expectations", view,
                    "What customers expect: importance, performance and the team's priority",
                    [32, 26, 12, 13, 11, 12, 24], print_rows="1:4")
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
    row = _section(ws, last + 2, "Alignment of priorities with customer expectations", span=4)
    row = _pairs(ws, row, [
        ("Alignment (0–10)", V(exp.alignment, RATING) if exp.alignment is not None
         else V("not computed", rag="grey")),
        ("HDI survey average (self-rated)", V(exp.survey_average, RATING)),
        ("Quadrant threshold (1–5)", V(exp.threshold, RATING)),
    ])
    note(ws, row + 1, "Ratings are 1–5. Alignment compares importance to customers with the "
         "support team's own priority; 10 means fully aligned.")


# --------------------------------------------------------------------------- 6. Recommendations


def _recommendations(wb: Workbook, view: ResultsView) -> None:
    headers = ["Rank", "Area", "Source", "KPI / item", "ID", "Priority", "Priority basis",
               "Recommendation"]
    ws = _new_sheet(wb, "Recommendations", view, "Ranked recommendations and why they rank",
                    [7, 22, 11, 30, 26, 9, 24, 70], print_rows="1:4")
    rows = [[V(r.rank, "0"), view.area_name(r.area),
             SOURCE_LABELS.get(r.source, _label(r.source)),
             V(r.name, wrap=True), r.id, V(r.priority, POINTS_FORMAT), V(r.basis, wrap=True),
             V(r.text, wrap=True)]
            for r in view.recommendations]
    header, last = table(ws, 4, headers, rows, empty="No recommendations")
    ws.freeze_panes = "A5"
    if rows:
        ws.auto_filter.ref = f"A{header}:{get_column_letter(len(headers))}{last}"


# --------------------------------------------------------------------------- 7. Data quality


def _data_quality(wb: Workbook, view: ResultsView) -> None:
    ws = _new_sheet(wb, "Data quality", view, "Warnings to check before relying on the scores",
                    [6, 110], print_rows="1:4")
    table(ws, 4, ["#", "Warning"], [[n, V(w, wrap=True)] for n, w in enumerate(view.warnings, 1)],
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
    ("Gap", "Importance minus performance, per customer-expectation dimension."),
    ("Quadrants",
     "Importance and performance compared with the threshold. Both at or above it: 'Keep up the "
     "good work'. Important but performing below it: 'Concentrate here'. Less important but "
     "performing above it: 'Possible overkill'. Both below: 'Low priority'."),
    ("Practice recommendations",
     "From practices answered 0 or 1, ranked by weight × (4 − answer)."),
)


def _method(wb: Workbook, view: ResultsView) -> None:
    ws = _new_sheet(wb, "Method", view, "How the scores are computed", [34, 90])
    ws.sheet_view.showGridLines = False
    ws.freeze_panes = "A3"
    framework, generator = view.framework, view.generator
    row = _section(ws, 4, "Framework and version", span=2)
    row = _pairs(ws, row, [
        ("Framework", framework.name or None), ("Version", framework.version or None),
        ("Results schema", view.schema),
        ("Generated by", " ".join(str(x) for x in (generator.get("name"),
                                                    generator.get("version")) if x) or None),
        ("Maturity levels", ", ".join(f"{n} {name}" for n, name in
                                      enumerate(framework.levels, start=1)) or None),
    ])

    s = view.settings
    weights = s.get("element_weights") or {}
    blend = s.get("renewal_blend")
    row = _section(ws, row + 1, "Settings", span=2)
    row = _pairs(ws, row, [
        ("Amber threshold", V(s.get("amber"), "0")),
        ("Minimum coverage", V(s.get("min_coverage"), COVERAGE_FORMAT)),
        *((f"Element weight: {view.area_name(k)}", V(w, WEIGHT)) for k, w in weights.items()),
        ("Renewal blend (KPI share)", V(blend, COVERAGE_FORMAT)),
        ("IPA threshold (1–5)", V(s.get("ipa_threshold"), RATING)),
        ("Industry renewal rate", percent_cell(s.get("industry_renewal_rate"))),
        ("HDI survey alignment average (0–10)", V(view.expectations.survey_average, RATING)),
        ("Annual price uplift (setting)", percent_cell(s.get("price_uplift"))
         if s.get("price_uplift") is not None else "not set (uses the KPI if supplied)"),
    ])

    row = _section(ws, row + 1, "Formulas in words", span=2)
    _pairs(ws, row, [(topic, V(rule, wrap=True)) for topic, rule in METHOD])
    note(ws, row + len(METHOD) + 1, "Percent values are fractions in the computation; scores are "
         "unrounded and only the display rounds.")


# --------------------------------------------------------------------------- public API


def build_workbook(results: dict[str, Any]) -> Workbook:
    """The Excel scorecard of one organization's results, built from scratch."""
    view = ResultsView.from_dict(results)
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in (_summary, _kpis, _renewal, _practices, _expectations, _recommendations,
                  _data_quality, _method):
        sheet(wb, view)
    for ws in wb.worksheets:
        fit_row_heights(ws)
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


def excel_bytes(results: dict[str, Any]) -> bytes:
    """The scorecard as ``.xlsx`` bytes, timestamps pinned to the assessment date."""
    return workbook_bytes(build_workbook(results),
                          when=_moment(ResultsView.from_dict(results)))


def write_excel(results: dict[str, Any], path: str | Path) -> Path:
    """Write the scorecard to ``path`` atomically; returns the path written."""
    return atomic_write(path, excel_bytes(results))


def render(results: dict[str, Any], options: RenderOptions) -> bytes:
    """The ``xlsx`` output format (:mod:`assessment.scorecard.formats`)."""
    return excel_bytes(results)
