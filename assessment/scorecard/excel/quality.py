"""The appendix, data quality and method sheets of the Excel scorecard."""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from assessment.core.format import (
    COVERAGE_FORMAT,
    POINTS_FORMAT,
    format_coverage,
    interval_text,
    period_text,
)
from assessment.core.framework import MONEY_VOLUMES
from assessment.core.results import Check, EvidenceEntry, ResultsView
from assessment.files.xlsx import V, note, table
from assessment.scorecard.excel.common import (
    APPENDIX,
    CHECK_RESULTS,
    COUNT,
    DIFFERENCE_FORMAT,
    IMPROVE,
    MEASURE_THIS,
    RATING,
    SOURCE_LABELS,
    TOLERANCE_FORMAT,
    WEIGHT,
    data_flag,
    label_text,
    new_sheet,
    percent_cell,
    put_pairs,
    rule_words,
    section_row,
    unit_cell,
    wide_table,
)
from assessment.scorecard.excel.detail import answer_scale_text
from assessment.scorecard.excel.layout import keep
from assessment.scorecard.summary import evidence_order, evidence_status, evidence_unit

# --------------------------------------------------------------------------- 11. Appendix


def recommendation_action(kind: str, side: str | None) -> str:
    """``Measure this``, ``Improve``, or ``Improve (above the band)``."""
    if kind == "measure":
        return MEASURE_THIS
    return f"{IMPROVE} ({side} the band)" if side else IMPROVE


RECOMMENDATION_HEADERS = ["Rank", "Area", "Source", "KPI / item", "ID", "Priority",
                          "Priority basis", "Action", "Recommendation", "Initiative (roadmap)"]


def recommendations_sheet(wb: Workbook, view: ResultsView) -> None:
    headers = RECOMMENDATION_HEADERS
    ws = new_sheet(wb, APPENDIX, view, "Appendix: recommendations, ranked, and why they rank "
                    "(the roadmap groups them into initiatives)",
                    [6, 13, 11, 22, 26, 9, 16, 14, 36, 22], print_rows="1:4",
                    wrap=(2, 4, 7, 8, 9, 10))
    grouped = {rank: i.name for i in view.roadmap.initiatives for rank in i.recommendations}
    rows = [[V(r.rank, "0"), view.area_name(r.area),
             SOURCE_LABELS.get(r.source, label_text(r.source)),
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


def data_quality_sheet(wb: Workbook, view: ResultsView) -> None:
    ws = new_sheet(wb, "Data quality", view,
                    "Coverage, consistency checks and warnings to check before relying on the "
                    "scores", [32, 24, 28, 13, 13, 11, 10, 12, 24, 9], wrap=(1, 3, 9))
    ws.freeze_panes = "A3"
    row = section_row(ws, 4, "Coverage per element", span=len(COVERAGE_HEADERS))
    _, last = table(ws, row, COVERAGE_HEADERS, _coverage_rows(view))
    minimum = view.settings.get("min_coverage")
    if isinstance(minimum, (int, float)):
        note(ws, last + 1, f"Below {format_coverage(minimum)} coverage an area is flagged "
                           "insufficient data. Missing KPIs: " + rule_words(view).lower() + ".")
    keep(ws, 4, last + 1)

    start = last + 3
    row = section_row(ws, start, "Consistency checks (methodology §7)", span=len(CHECK_HEADERS))
    empty = ("The framework declares no consistency relations." if view.version == 2
             else "No consistency checks: these results follow methodology version 1.")
    _, last = table(ws, row, CHECK_HEADERS, [_check_row(view, c) for c in view.consistency],
                    empty=empty)
    if view.consistency:
        note(ws, last + 1, "Stated is the value entered; implied is what the other cells give. "
                           "OK when the two differ by no more than the tolerance; a blank value "
                           "a relation determines is derived (and marked so on the KPIs sheet).")
    keep(ws, start, last + 1)

    if view.evidence:
        last = _evidence_table(ws, view, last + 3)

    start = last + 3
    row = section_row(ws, start, "Warnings", span=len(CHECK_HEADERS))
    _, last = wide_table(ws, row, [("Warning", len(CHECK_HEADERS))],
                          [[V(w)] for w in view.warnings], empty="No warnings")
    keep(ws, start, min(last, start + 6))


#: The evidence table, in the sheet's ten columns.
EVIDENCE_HEADERS = ["Fills", "Source", "Definition", "Value", "n", "95% interval", "Period",
                    "Cell", "Status"]


def _evidence_value(view: ResultsView, entry: EvidenceEntry) -> V:
    """An evidence figure as a number in its unit (a rating to one decimal, a volume whole)."""
    unit = evidence_unit(view, entry)
    if unit == "rating":
        return V(entry.value, RATING)
    if unit == "count" and entry.target == "profile":
        return V(entry.value, "#,##0")
    return unit_cell(entry.value, unit, view.currency)


def _evidence_row(view: ResultsView, entry: EvidenceEntry) -> list[Any]:
    unit = evidence_unit(view, entry)
    status = V(evidence_status(entry), wrap=True,
               rag="amber" if entry.flagged or not entry.used else None)
    return [
        V(view.evidence_target(entry), wrap=True), V(entry.source or None, wrap=True),
        V(entry.definition or None, wrap=True), _evidence_value(view, entry),
        V(entry.n, "#,##0"), interval_text(entry.ci, unit, view.currency) or None,
        V(period_text(entry.period_from, entry.period_to) or None, wrap=True),
        entry.cell or None, status,
    ]


def _evidence_table(ws: Any, view: ResultsView, start: int) -> int:
    """Every figure computed from the client's data (methodology §11), in the order of the
    HTML scorecard; returns the last row written."""
    row = section_row(ws, start, "Evidence from the client's data (methodology §11)",
                      span=len(EVIDENCE_HEADERS))
    entries = sorted(view.evidence, key=lambda e: evidence_order(view, e))
    header, last = table(ws, row, EVIDENCE_HEADERS, [_evidence_row(view, e) for e in entries])
    ws.auto_filter.ref = f"A{header}:{get_column_letter(len(EVIDENCE_HEADERS))}{last}"
    note(ws, last + 1, "Values computed from the client's own exports and surveys, each with its "
                       "sample size n and, for a rate or a mean rating, its 95% interval. A figure "
                       "marked 'set aside' was typed over by the consultant: the typed value is "
                       "the one scored.")
    keep(ws, start, min(last + 1, start + 8))
    return last + 1


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


def method_sheet(wb: Workbook, view: ResultsView) -> None:
    ws = new_sheet(wb, "Method", view, "How the scores are computed", [34, 80], wrap=(1, 2))
    ws.sheet_view.showGridLines = False
    ws.freeze_panes = "A3"
    framework, generator = view.framework, view.generator
    v2 = view.version == 2
    row = section_row(ws, 4, "Framework and version", span=2)
    row = put_pairs(ws, row, [
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
    row = section_row(ws, row + 1, "Settings", span=2)
    row = put_pairs(ws, row, [
        *([("Missing KPIs", rule_words(view)),
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
    row = section_row(ws, row + 1, "Formulas in words", span=2)
    put_pairs(ws, row, [(topic, V(rule, wrap=True)) for topic, rule in rules])
    note(ws, row + len(rules) + 1, "Percent values are fractions in the computation; scores are "
         "unrounded and only the display rounds.")


