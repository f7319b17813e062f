"""The KPI, renewal, practices and expectations sheets of the Excel scorecard."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from assessment.core.format import (
    COVERAGE_FORMAT,
    DASH,
    DELTA_FORMAT,
    FEW_RESPONDENTS,
    MIN_RESPONDENTS,
    POINTS_FORMAT,
    QUADRANT_LABELS,
    SCORE_FORMAT,
    STATUS_LABELS,
    benchmark_figure,
    benchmark_source,
    evidence_text,
    format_value,
    group_rating_text,
    level_text,
    readings,
    status_label,
    value_range,
)
from assessment.core.results import Item, KpiRow, ProjectionYear, Questionnaire, ResultsView
from assessment.files.xlsx import V, note, table
from assessment.scorecard.excel.common import (
    IMPROVE,
    MEASURE_THIS,
    QUADRANT_RAG,
    RATING,
    TARGET_BASIS,
    VALUE_BASIS,
    VALUE_COLUMN,
    WEIGHT,
    data_flag,
    grey_out,
    label_text,
    new_sheet,
    not_applicable_text,
    percent_cell,
    put_pairs,
    score_cell,
    section_row,
    status_rules,
    unit_cell,
)
from assessment.scorecard.excel.layout import keep, layout_of
from assessment.scorecard.excel.summary import alignment_pairs

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


def value_source(k: KpiRow, currency: str | None = None) -> str:
    """Where the current value comes from: the intake, the client's data (with n, interval,
    source and period), a relation (derived) or nowhere."""
    if not k.applicable:
        return STATUS_LABELS["not_applicable"]
    if k.derived:
        return f"(derived) from relation {k.derived_from}" if k.derived_from else "(derived)"
    if k.current is None:
        return "Not measured"
    if k.evidence is not None:
        text = evidence_text(k.evidence, k.unit, k.currency or currency)
        return f"Evidence: {text}"
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
    return TARGET_BASIS.get(basis, label_text(basis))


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
        unit_cell(k.current, unit, currency, derived=k.derived,
                  evidence=k.evidence is not None), target,
        V(k.score, SCORE_FORMAT), status_label(k.status), V(points, POINTS_FORMAT),
        V(action, rag="amber") if action == MEASURE_THIS else action,
        value_source(k, currency), target_basis(view, k, currency),
        label_text(unit), label_text(k.direction), floor, V(k.weight, WEIGHT),
        _benchmark_cell(k, currency), source or None, V(k.note, wrap=True),
    ]


def kpis_sheet(wb: Workbook, view: ResultsView) -> None:
    ws = new_sheet(wb, "KPIs", view, "Every KPI: current value, target, score and status",
                    KPI_WIDTHS, print_rows="1:4", wrap=(1, 2, 5, 10, 11, 14, 16, 17, 18))
    header, last = table(ws, 4, KPI_HEADERS, [_kpi_row(view, k) for k in view.kpis],
                         empty="No KPIs in the framework.")
    layout = layout_of(ws)
    layout.bands, layout.title_cols, layout.band_rows = KPI_BANDS, 3, (header, last)
    grey_out(ws, (header + 1 + n for n, k in enumerate(view.kpis) if not k.applicable),
              len(KPI_HEADERS))
    ws.freeze_panes = "C5"
    ws.auto_filter.ref = f"A{header}:{get_column_letter(len(KPI_HEADERS))}{last}"
    status_col = get_column_letter(KPI_HEADERS.index("Status") + 1)
    status_rules(ws, f"{status_col}{header + 1}:{status_col}{last}")
    row = last + 2
    if any(not k.applicable for k in view.kpis):
        words = not_applicable_text(view.organization.support_model)
        row = note(ws, row, f"Greyed rows: {words[0].lower()}{words[1:]}; left out of every "
                            "score, coverage and gap.")
    if any(k.derived for k in view.kpis):
        row = note(ws, row, "(derived): the intake left the value blank and a consistency "
                            "relation filled it in (see the Data quality sheet).")
    if any(k.evidence for k in view.kpis):
        row = note(ws, row, "(evidence): computed from the client's own data; the Value source "
                            "gives n, the 95% interval, the file and the period (every figure "
                            "is on the Data quality sheet).")
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
    return "No client value curve: neither a recurring-revenue rate nor a renewal rate with "\
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


def renewal_sheet(wb: Workbook, view: ResultsView) -> None:
    ws = new_sheet(wb, "Renewal", view,
                    "Contract renewals: health, KPIs, practices and projection",
                    [36, 26, 13, 12, 16, 12, 12, 12], wrap=(1, 5))
    ws.freeze_panes = "A3"
    renewal = view.renewal
    currency = view.currency
    words = not_applicable_text(view.organization.support_model)
    row = section_row(ws, 4, "Renewal health score")
    if renewal.applicable:
        row = put_pairs(ws, row, _renewal_pairs(view), text_to=8)
    else:
        row = put_pairs(ws, row, [("Renewal health", V(words, rag="grey"))], text_to=8)
        row = note(ws, row, "Contract renewal KPIs and renewal practices are left out of every "
                            "score; no renewal projection is shown.")

    start = row + 1
    row = section_row(ws, start, "Renewal KPIs", span=8)
    kpis = view.kpis_of("renewal")
    header, last = table(
        ws, row, ["KPI", "ID", "Current", "Target", "Benchmark", "Score", "Status",
                  "Health points at stake"],
        [[k.name, k.id, unit_cell(k.current, k.unit, currency, derived=k.derived,
                                  evidence=k.evidence is not None),
          unit_cell(k.target, k.unit, currency),
          _benchmark_cell(k, currency) or unit_cell(None, k.unit, currency),
          V(k.score, SCORE_FORMAT), status_label(k.status),
          V(k.points_at_stake if k.applicable else None, POINTS_FORMAT)]
         for k in kpis],
        empty="The framework has no renewal KPIs.")
    status_rules(ws, f"G{header + 1}:G{last}")
    grey_out(ws, (header + 1 + n for n, k in enumerate(kpis) if not k.applicable), 8)
    keep(ws, start, last)

    q = view.questionnaires.get("renewal_practices")
    start = last + 2
    row = section_row(ws, start, q.name if q else "Renewal practices", span=8)
    _, last = table(ws, row, RENEWAL_PRACTICE_HEADERS,
                    [values[1:] for values in _practice_rows(q)],
                    empty="No renewal practices in the framework.")
    if q is not None and not q.applicable:
        grey_out(ws, range(row + 1, last + 1), len(RENEWAL_PRACTICE_HEADERS))
    row = put_pairs(ws, last + 1, _questionnaire_pairs(view, q), text_to=8)
    keep(ws, start, row - 1)

    start = row + 1
    row = section_row(ws, start, "5-year renewal projection (share of a starting cohort)", span=8)
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
    keep(ws, start, last + 1)
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


def practices_sheet(wb: Workbook, view: ResultsView) -> None:
    ws = new_sheet(wb, "Practices", view, "The ten practices of support excellence",
                    [5, 34, 24, 9, 12, 20, 9], print_rows="1:4", wrap=(2, 6))
    q = view.questionnaires.get("excellence_practices")
    _, last = table(ws, 4, PRACTICE_HEADERS, _practice_rows(q),
                    empty="No practices in the framework.")
    if q is not None and not q.applicable:
        grey_out(ws, range(5, last + 1), len(PRACTICE_HEADERS))
    ws.freeze_panes = "A5"
    start = last + 2
    row = section_row(ws, start, q.name if q else "Excellence practices",
                   span=len(PRACTICE_HEADERS))
    # the labels across the narrow "#" column and the practice names, the values after them
    row = put_pairs(ws, row, _questionnaire_pairs(view, q), label_to=2,
                 text_to=len(PRACTICE_HEADERS))
    keep(ws, start, row - 1)
    blanks = ("a blank answer counts as 0 (not in place) in the score and is left out of the "
              "measured score" if view.missing_kpi == "zero"
              else "a blank answer counts against coverage")
    levels = ("Level = 1 + the whole part of the weighted average answer, named after the "
              "answer scale (at most 5)." if view.version == 2
              else "Level = lower of 5 and (score ÷ 20, rounded down) + 1.")
    note(ws, row + 1, f"Answers: {answer_scale_text(view)}. n/a is excluded from the score; "
                      f"{blanks}. {levels}")


# --------------------------------------------------------------------------- 8. Expectations


def expectations_sheet(wb: Workbook, view: ResultsView) -> None:
    ws = new_sheet(wb, "Expectations", view,
                    "What customers expect: importance, performance and the team's priority",
                    [30, 25, 12, 13, 10, 10, 22], print_rows="1:4", wrap=(1, 7))
    exp = view.expectations
    rows = [[d.name, d.id, V(d.importance, RATING), V(d.performance, RATING),
             V(d.priority, RATING), V(d.gap, DELTA_FORMAT),
             V(QUADRANT_LABELS.get(d.quadrant, label_text(d.quadrant)) if d.quadrant else None,
               rag=QUADRANT_RAG.get(d.quadrant) if d.quadrant else None)]
            for d in exp.dimensions]
    _, last = table(ws, 4, ["Dimension", "ID", "Importance (I)", "Performance (P)",
                            "Priority (T)", "Gap (I − P)", "Quadrant"], rows,
                    empty="No expectation dimensions in the framework.")
    ws.freeze_panes = "A5"
    start = last + 2
    row = section_row(ws, start, "Alignment of priorities with customer expectations", span=7)
    row = put_pairs(ws, row, [*alignment_pairs(view),
                           ("Quadrant threshold (1–5)", V(exp.threshold, RATING))], text_to=7)
    keep(ws, start, row - 1)
    row = note(ws, row + 1, "Ratings are 1–5. The computed alignment compares the importance "
               "customers give each dimension with the support team's own priority (10 means "
               "fully aligned). It is this toolkit's own measure, not HDI's: only the self-rated "
               "answer to HDI's question is compared with the HDI survey average.")
    _survey_table(ws, view, row + 1)


SURVEY_HEADERS = ["Dimension", "Customers: importance", "Customers: performance",
                  "Customers (n)", "Staff: priority", "Staff (n)", "Flag"]


def _survey_table(ws: Worksheet, view: ResultsView, start: int) -> None:
    """The customers' and the staff's ratings side by side (methodology §6), when the ratings
    come from a survey: each mean with its sd, each group's n, and the flag of a group with
    fewer than 5 respondents."""
    dims = view.expectations.dimensions
    if not any(d.survey for d in dims):
        return

    rows = []
    for d in dims:
        s = d.survey
        if s is None:
            rows.append([d.name, "typed in the intake", None, None, None, None, None])
            continue
        rows.append([
            d.name, group_rating_text(s.importance, s.customer_n),
            group_rating_text(s.performance, s.customer_n),
            V(s.customer_n, "0", rag="amber" if s.customer_n < MIN_RESPONDENTS else None),
            group_rating_text(s.priority, s.staff_n),
            V(s.staff_n, "0", rag="amber" if s.staff_n < MIN_RESPONDENTS else None),
            V(FEW_RESPONDENTS, rag="amber", wrap=True) if s.flagged else None])
    row = section_row(ws, start, "Survey: customers and staff side by side", span=7)
    _, last = table(ws, row, SURVEY_HEADERS, rows)
    sources = "; ".join(sorted({d.survey.source for d in dims if d.survey and d.survey.source}))
    note(ws, last + 1, f"Means of the survey's respondents ({sources}), with the standard "
                       "deviation (sd). Customers rate importance and performance, the support "
                       f"staff their own priority; a group with {FEW_RESPONDENTS} is flagged.")
    keep(ws, start, last + 1)


