"""The executive summary and scores sheets of the Excel scorecard."""

from __future__ import annotations

import math
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.chart.label import DataLabelList
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from assessment.core.format import (
    COVERAGE_FORMAT,
    DASH,
    DELTA_FORMAT,
    EFFORT_LABELS,
    HORIZON_LABELS,
    POINTS_FORMAT,
    SCORE_FORMAT,
    STATUS_LABELS,
    excel_format,
    level_text,
    needs_data_text,
    rag_label,
)
from assessment.core.framework import MONEY_VOLUMES
from assessment.core.results import ResultsView
from assessment.files.xlsx import V, merge_cells, note, safe_text, table
from assessment.scorecard.excel.common import (
    EXECUTIVE,
    FX_FORMAT,
    IMPROVE,
    MEASURE_THIS,
    PROFILE_LABELS,
    RATING,
    SCORES,
    SHOWN_ELSEWHERE,
    WEIGHT,
    data_flag,
    label_text,
    money_cell,
    new_sheet,
    not_applicable_text,
    put_pairs,
    rule_words,
    score_cell,
    section_row,
    wide_note,
    wide_table,
)
from assessment.scorecard.excel.layout import ROW_PT, keep, layout_of

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


def executive_summary_sheet(wb: Workbook, view: ResultsView) -> None:
    span = len(EXECUTIVE_WIDTHS)
    ws = new_sheet(wb, EXECUTIVE, view, "Executive summary: where support stands, what to do "
                    "first and what it is worth", EXECUTIVE_WIDTHS, wrap=(1, 5))
    ws.sheet_view.showGridLines = False
    ws.freeze_panes = "A3"
    layout = layout_of(ws)
    layout.orientation, layout.one_page = "portrait", True  # one printed page
    index = view.index
    band = _band_text(view)
    row = section_row(ws, 4, "Where support stands", span=span)
    row = put_pairs(ws, row, [
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
        merge_cells(ws, words, 2, words, 4)
    row = section_row(ws, row + 1, "The four elements and renewal health", span=span)
    _, row = table(ws, row, ["Area", "Score", "Status"], _headline_rows(view))

    summary = view.executive_summary
    if summary is None:
        row = section_row(ws, row + 2, "Key findings, initiatives and business case", span=span)
        wide_note(ws, row, NO_PLAN, span)
        return
    currency = summary.currency or view.currency
    start = row + 2
    row = section_row(ws, start, "Key findings", span=span)
    _, row = wide_table(ws, row, [("Key finding", 4), ("Rule", 1), ("Wording", 1)], [
        [V(f.text), f.id, V(OWN_WORDING, rag="amber") if f.overridden else RULE_WORDING]
        for f in summary.findings], empty="No finding rule of the framework matched.")
    if any(f.overridden for f in summary.findings):
        row = note(ws, row + 1, f"{OWN_WORDING}: the consultant's wording from the intake's "
                                "Findings sheet replaces the rule's sentence.")
    keep(ws, start, row)

    start = row + 2
    row = section_row(ws, start, "Top initiatives (ranked by value for effort)", span=span)
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
        row = wide_note(ws, row + 1, " ".join(words), span)
    keep(ws, start, row)

    start = row + 2
    row = section_row(ws, start, "Business case", span=span)
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
    row = wide_note(ws, row + 1, words, span)
    keep(ws, start, row)

    start = row + 1
    row = section_row(ws, start, "Data-quality caveats", span=span)
    _, row = wide_table(ws, row, [("What changes the picture", span)],
                         [[V(c)] for c in summary.caveats],
                         empty="None: the data raise no caveat that changes the picture.")
    keep(ws, start, row)


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
        if key in SHOWN_ELSEWHERE:
            continue
        if key in MONEY_VOLUMES and isinstance(value, (int, float))\
                and not isinstance(value, bool):
            pairs.append((PROFILE_LABELS[key], V(value, excel_format("currency", currency,
                                                                      value))))
        else:
            pairs.append((PROFILE_LABELS.get(key, label_text(key)), _profile_value(value)))
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
        ("Missing KPIs", rule_words(view)),
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


def alignment_pairs(view: ResultsView) -> list[tuple[str, Any]]:
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


def scores_sheet(wb: Workbook, view: ResultsView) -> None:
    ws = new_sheet(wb, SCORES, view, "Scores: the index, the four elements and the largest gaps",
                    [38, 26, 13, 11, 9, 16, 17, 40], wrap=(1, 2, 6, 8))
    ws.sheet_view.showGridLines = False
    ws.freeze_panes = "A3"
    row = section_row(ws, 4, "Organization profile", span=3)
    row = put_pairs(ws, row, _profile_pairs(view), text_to=3)

    row = section_row(ws, row + 1, "Overall score", span=3)
    row = put_pairs(ws, row, _index_pairs(view), text_to=3)
    row = max(row, 4 + math.ceil(ELEMENT_CHART_CM[1] / 2.54 * 72 / ROW_PT))  # below the chart

    start = row + 1
    row = section_row(ws, start, "The four elements", span=len(ELEMENT_HEADERS))
    first = row + 1
    _, last = table(ws, row, ELEMENT_HEADERS, _element_rows(view))
    keep(ws, start, last)
    _element_chart(ws, view, first, last)

    renewal = view.renewal
    start = last + 2
    row = section_row(ws, start, "Renewal health and expectations alignment", span=3)
    health = (score_cell(renewal.health, renewal.rag) if renewal.applicable
              else V(not_applicable_text(view.organization.support_model), rag="grey"))
    row = put_pairs(ws, row, [("Renewal health", health), *alignment_pairs(view)],
                 text_to=len(ELEMENT_HEADERS))
    keep(ws, start, row - 1)

    start = row + 1
    row = section_row(ws, start, "Top five gaps by index points at stake", span=6)
    _, last = table(ws, row, ["KPI", "ID", "Element", "Score", "Points at stake", "Action"], [
        [g.name, g.id, view.area_name(g.area), V(g.score, SCORE_FORMAT),
         V(g.points_at_stake, POINTS_FORMAT),
         V(MEASURE_THIS, rag="amber") if g.kind == "measure" else IMPROVE]
        for g in view.gaps[:5]],
        empty="No gaps to rank: every scored KPI meets its target, or too little is scored.")
    keep(ws, start, last)


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


