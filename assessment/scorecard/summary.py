"""A plain-text summary of one organization's results, for the terminal and notebooks, and the
words of methodology v2 that the terminal and the HTML scorecard share.

Every number and word comes from :mod:`assessment.core.format` or from the phrase helpers
below (:func:`band_text`, :func:`fx_text`, :func:`not_applicable_text`, :func:`check_result`
...), so the terminal says what the HTML page says. Text from the input (names, warnings) is
shown :func:`~assessment.core.errors.printable`: a control character cannot act on the
terminal.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import Any

from assessment.core.errors import printable
from assessment.core.format import (
    DASH,
    EVIDENCE,
    FEW_RESPONDENTS,
    HORIZON_LABELS,
    SET_ASIDE,
    evidence_text,
    format_coverage,
    format_money,
    format_percent,
    format_points,
    format_rating,
    format_score,
    format_value,
    level_text,
    money_range,
    rag_label,
    readings,
    trim_number,
)
from assessment.core.results import Check, EvidenceEntry, KpiRow, Questionnaire, ResultsView

#: Profile volumes held in money (methodology §7); the others are counts.
MONEY_FIELDS = ("annual_revenue", "support_cost", "contract_revenue_base")
INSUFFICIENT = "insufficient data"
MEASURE = "measure this"
TARGET_BASIS = {"intake": "client's own target", "segment": "segment target",
                "framework": "framework target"}
BAND_SIDES = {"below": "value below the band", "above": "value above the band"}
#: What each executive-summary finding rule looks for (methodology §10), in words.
FINDING_RULES = {
    "largest_gap": "the KPI with the most index points at stake",
    "weak_element": "an element far below the average of the others",
    "renewal_erosion": "a renewal curve that falls below the industry's by year five",
    "failing_relation": "a consistency check that fails",
    "low_coverage": "too little of the KPI weight measured",
    "largest_driver": "the largest sum in the business case",
    "not_measured": "applicable KPIs without data",
}
#: Said when no assumption moves the business-case total.
OWN_FIGURES = ("No assumption moves the total: it rests on the client's own figures "
               "(volumes, KPI values and targets).")


# --------------------------------------------------------------------------- shared words


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def not_applicable_text(view: ResultsView) -> str:
    """``Not applicable to an internal support model`` (or the organization's model)."""
    model = view.organization.support_model or "this"
    return f"Not applicable to {_article(str(model))} {model} support model"


def band_text(view: ResultsView) -> str | None:
    """The index's band beside its colour (results@2): ``Fair (band 60–80)``; a results@1
    level as ``Level 3 · Established``; None when the index has no band."""
    index = view.index
    if not index.level:
        return None
    if view.version < 2:
        return level_text(index.level, index.level_name)
    lo, hi = 20 * (index.level - 1), 20 * index.level
    name = index.level_name or f"Band {index.level}"
    return f"{name} (band {lo}\u2013{hi})"


def fx_text(view: ResultsView) -> str | None:
    """How money was converted: ``targets converted from USD at 0.92 EUR per USD``, or that
    no conversion was needed; None for results@1 (which do not say)."""
    if view.version < 2:
        return None
    org, base = view.organization, view.framework.currency
    if org.fx_rate is not None and base and org.currency:
        return (f"targets converted from {base} at {trim_number(org.fx_rate, 6)} "
                f"{org.currency} per {base}")
    if base:
        return f"money in {base}, the framework's currency: no conversion"
    return None


def segment_text(view: ResultsView) -> str | None:
    """The segment whose targets were used, or that none was chosen (results@2 only)."""
    if view.version < 2:
        return None
    org = view.organization
    if org.segment:
        return org.segment_name or org.segment
    return "none chosen: the framework's general targets"


def readings_of(view: ResultsView, key: str) -> str:
    """Both readings of missing data for ``index``, an element or ``renewal`` (the renewal
    KPI score), in words (:func:`assessment.core.format.readings`)."""
    if key == "renewal":
        r = view.renewal
        return readings(r.kpi_score, r.kpi_measured_score, r.kpi_coverage, view.missing_kpi)
    return view.readings(key)


def questionnaire_readings(view: ResultsView, q: Questionnaire) -> str:
    """Both readings of a practice questionnaire: blanks counted as 0, and over the answered
    items."""
    return readings(q.score, q.measured_score, q.coverage, view.missing_kpi, "items answered")


def value_basis_text(view: ResultsView) -> str | None:
    """What the value curve of the projection is based on (methodology §5), or None."""
    r = view.renewal
    if r.value_basis == "recurring_revenue_rate":
        return (f"the client's recurring-revenue rate R ({format_percent(r.recurring_revenue_rate)}"
                ") to the power k \u2212 1; it already holds uplifts and expansion")
    if r.value_basis == "renewal_rate_uplift":
        return (f"the renewal rate with a price uplift of {format_percent(r.price_uplift)}, "
                "(r \u00d7 (1 + u)) to the power k \u2212 1 (no recurring-revenue rate given)")
    return None


def term_label(view: ResultsView, term: str) -> str:
    """A relation term in words: a KPI's name, or a profile field's label."""
    kind, _, key = term.partition(".")
    if kind == "kpi":
        kpi = view.kpi(key)
        return kpi.name if kpi else key
    return key.replace("_", " ").capitalize()


def term_value(view: ResultsView, term: str, value: float | None) -> str:
    """A relation term's value in its unit (money with the client's currency)."""
    kind, _, key = term.partition(".")
    currency = view.currency
    if kind == "kpi":
        kpi = view.kpi(key)
        return format_value(value, kpi.unit if kpi else "", currency)
    if key in MONEY_FIELDS:
        return format_money(value, currency)
    return format_value(value, "count")


def check_stated_term(check: Check) -> str | None:
    """The stated term of a relation (the first of its terms)."""
    return next(iter(check.terms), None)


def check_status(check: Check) -> str:
    """``ok``, ``failed``, ``derived`` or ``not_checked``."""
    if check.derived:
        return "derived"
    if check.ok is None:
        return "not_checked"
    return "ok" if check.ok else "failed"


CHECK_LABELS = {"ok": "OK", "failed": "Failed", "derived": "Derived",
                "not_checked": "Not checked"}


def check_result(view: ResultsView, check: Check) -> str:
    """What a consistency check found, in words."""
    status = check_status(check)
    tolerance = format_coverage(check.tolerance) if check.tolerance is not None else DASH
    if status == "derived":
        term = check_stated_term(check)
        value = term_value(view, term, check.implied) if term else DASH
        return f"Derived: the blank value was filled in as {value} from the other terms"
    if status == "not_checked":
        missing = ", ".join(term_label(view, t) for t in check.missing) or "a term"
        return f"Not checked: no value for {missing}"
    if check.stated is not None and check.implied:
        off = abs(check.stated - check.implied) / abs(check.implied)
        gap = f"differs by {format_coverage(off)}"
    else:
        gap = "differs"
    if status == "ok":
        return f"OK: {gap}, within {tolerance}"
    return f"Failed: {gap}, more than the {tolerance} allowed"


def total_spread(total: Mapping[str, float | None], currency: str | None) -> str:
    """How far the business-case total moves between its cases, in words."""
    low, high = total.get("low"), total.get("high")
    if low is not None and high is not None and abs(high - low) < 0.5:
        return "the same in the cautious and the high case"
    return f"{money_range(low, high, currency)} from the cautious to the high case"


def finding_rule_text(rule: str) -> str:
    """The rule that chose a finding, in words: ``rule largest_gap: the KPI with ...``."""
    words = FINDING_RULES.get(rule)
    return f"rule {rule}: {words}" if words else f"rule {rule}"


def alignment_words(view: ResultsView) -> tuple[str, str]:
    """The computed alignment as this toolkit's own measure, and the client's self-rated
    alignment against the HDI average (never the computed one against it)."""
    exp = view.expectations
    computed = (f"{format_score(exp.alignment)} out of 10: this toolkit's own measure of how "
                "close the team's priorities are to what customers find important")
    source = ", ".join(str(x) for x in (exp.survey_source, exp.survey_year) if x)
    average = (f"the survey average of {format_rating(exp.survey_average)}"
               + (f" ({source})" if source else ""))
    if exp.self_rated_alignment is None:
        rated = "not given (the intake's 0\u201310 self-rating)"
        if exp.survey_average is not None:
            rated += f"; compare it with {average}"
    else:
        rated = f"{format_rating(exp.self_rated_alignment)} out of 10"
        if exp.survey_average is not None:
            rated += f", against {average}"
    return computed, rated


def evidence_unit(view: ResultsView, entry: EvidenceEntry) -> str:
    """The unit an evidence figure is shown in: its KPI's, ``currency`` for a money volume,
    ``rating`` for an expectation and ``count`` for other volumes."""
    if entry.target == "kpi":
        kpi = view.kpi(entry.id)
        return kpi.unit if kpi else ""
    if entry.target == "expectation":
        return "rating"
    return "currency" if entry.id in MONEY_FIELDS else "count"


def evidence_value(view: ResultsView, entry: EvidenceEntry) -> str:
    """An evidence figure's value in its unit; a survey rating with its spread
    (``4.2 (sd 0.8)``), a volume as a whole count (the intake holds it rounded)."""
    unit = evidence_unit(view, entry)
    if entry.value is None:
        return DASH
    if unit == "rating":
        text = format_rating(entry.value)
        return f"{text} (sd {format_rating(entry.sd)})" if entry.sd is not None else text
    if unit == "count" and entry.target == "profile":
        return trim_number(entry.value, 0)
    return format_value(entry.value, unit, view.currency)


def evidence_status(entry: EvidenceEntry) -> str:
    """``used``, or :data:`~assessment.core.format.SET_ASIDE`; a flagged survey rating adds
    ``fewer than 5 respondents``."""
    words = "used" if entry.used else SET_ASIDE
    return f"{words}; {FEW_RESPONDENTS}" if entry.flagged else words


RATING_ORDER = ("importance", "performance", "priority")


def evidence_order(view: ResultsView, entry: EvidenceEntry) -> tuple[int, int, int, str]:
    """Where an evidence figure is listed: KPIs in framework order, then profile volumes, then
    expectation ratings by dimension (framework order) and rating."""
    kinds = ("kpi", "profile", "expectation")
    kind = kinds.index(entry.target) if entry.target in kinds else len(kinds)
    if entry.target == "kpi":
        ids = [k.id for k in view.kpis]
        return kind, ids.index(entry.id) if entry.id in ids else len(ids), 0, entry.id
    if entry.target == "expectation":
        dim, _, rating = entry.id.rpartition(".")
        dims = [d.id for d in view.expectations.dimensions]
        return (kind, dims.index(dim) if dim in dims else len(dims),
                RATING_ORDER.index(rating) if rating in RATING_ORDER else 3, entry.id)
    return kind, 0, 0, entry.id


def kpi_evidence_text(view: ResultsView, kpi: KpiRow) -> str:
    """An evidence-backed KPI's n, interval, source and period in its unit; ``""`` for a
    typed value."""
    return evidence_text(kpi.evidence, kpi.unit, kpi.currency or view.currency)


def evidence_lines(view: ResultsView, width: int = 96) -> list[str]:
    """The terminal's list of values computed from the client's data: each evidence-backed
    KPI with its n, interval and source, the figures set aside, the profile volumes and the
    survey's dimensions with fewer than 5 respondents; empty without evidence."""
    if not view.evidence:
        return []
    lines = [f"  Values from the client's data ({EVIDENCE}):"]

    def item(head: str, text: str) -> None:
        lines.extend(textwrap.wrap(f"{head}: {text}", width, initial_indent="    - ",
                                   subsequent_indent="      "))

    for kpi in view.kpis:
        if kpi.evidence is not None:
            item(f"{kpi.name} {format_value(kpi.current, kpi.unit, view.currency)} "
                 f"[{EVIDENCE}]", kpi_evidence_text(view, kpi))
    for entry in view.evidence:
        if entry.target == "profile" and entry.used:
            item(f"{view.evidence_target(entry)} {evidence_value(view, entry)} [{EVIDENCE}]",
                 evidence_text(entry, "count"))
    surveyed = [d for d in view.expectations.dimensions if d.survey is not None]
    if surveyed:
        few = [d.name for d in surveyed if d.survey and d.survey.flagged]
        text = (f"{len(surveyed)} of {len(view.expectations.dimensions)} dimensions rated by "
                f"a survey ({surveyed[0].survey.source if surveyed[0].survey else ''})")
        if few:
            text += f"; {FEW_RESPONDENTS} in a group: " + ", ".join(few)
        item("Customer expectations", text)
    for entry in view.evidence:
        if not entry.used:
            item(f"{view.evidence_target(entry)} {evidence_value(view, entry)}",
                 f"{SET_ASIDE} ({entry.source})")
    return [*lines, ""]


# --------------------------------------------------------------------------- terminal


def executive_lines(view: ResultsView, width: int = 96) -> list[str]:
    """The executive summary in a few lines: the findings, the top initiatives with their
    money, and the business-case total; empty for results made before it."""
    summary = view.executive_summary
    if summary is None:
        return []
    org, currency = view.organization, summary.currency or view.currency
    lines = [f"Executive summary: {org.name}, assessed {org.date_text or DASH}"]

    def wrapped(number: str, text: str) -> list[str]:
        return textwrap.wrap(text, width, initial_indent=f"    {number} ",
                             subsequent_indent=" " * (5 + len(number)))

    if summary.findings:
        lines.append("  Key findings:")
        for n, f in enumerate(summary.findings, start=1):
            lines += wrapped(f"{n}.", f.text + (" [consultant's wording]" if f.overridden
                                                else ""))
    if summary.initiatives:
        lines.append("  Top initiatives (value a year, base case):")
        for n, i in enumerate(summary.initiatives, start=1):
            money = format_money(i.money_base, currency) if i.money_base else "no money figure"
            lines += wrapped(f"{n}.", f"{i.name}: {money} · "
                             f"{HORIZON_LABELS.get(i.horizon, i.horizon)} · {i.owner}")
    if summary.total:
        lines += textwrap.wrap(
            f"Business case: {format_money(summary.total.get('base'), currency)} a year in "
            f"the base case; {total_spread(summary.total, currency)}", width,
            initial_indent="  ", subsequent_indent="    ")
    else:
        lines.append("  Business case: no driver has a value yet")
    if summary.caveats:
        lines.append("  Caveats:")
        for c in summary.caveats:
            lines += wrapped("-", c)
    return [*lines, ""]


def summary_text(results: dict[str, Any], top: int = 5) -> str:
    """The executive summary first (when the results have one), then the headline numbers of
    ``results`` as an aligned text table."""
    view = ResultsView.from_dict(results)
    org, index, renewal = view.organization, view.index, view.renewal
    lines = [
        *executive_lines(view),
        f"{org.name} — assessed {org.date_text or DASH} "
        f"({org.industry}, {org.support_model} support)",
        f"Framework: {view.framework.name} {view.framework.version}",
    ]
    segment, fx = segment_text(view), fx_text(view)
    if segment or fx:
        lines.append(" · ".join(x for x in (f"Segment: {segment}" if segment else None,
                                             f"{org.currency}: {fx}" if fx else None) if x))
    index_status = [rag_label(index.rag), band_text(view)]
    if not index.sufficient and index.score is not None:
        index_status.append(INSUFFICIENT)
    lines += [
        "",
        f"  {'Area':<32}{'Score':>7}  {'Coverage':>8}  Status",
        f"  {'-' * 32}{'-' * 7}  {'-' * 8}  {'-' * 20}",
        _row("Support Excellence Index", index.score, index.coverage,
             " · ".join(x for x in index_status if x)),
    ]
    for element in view.elements:
        if not element.applicable:
            lines.append(_row(f"  {element.name}", None, None, "not applicable"))
            continue
        status = rag_label(element.rag) if element.score is not None else INSUFFICIENT
        if element.score is not None and not element.sufficient:
            status += f" · {INSUFFICIENT}"
        lines.append(_row(f"  {element.name}", element.score, element.coverage, status))
    if renewal.applicable:
        lines.append(_row("Renewal health", renewal.health, None, rag_label(renewal.rag)))
        lines.append(_row("  Renewal KPIs", renewal.kpi_score, renewal.kpi_coverage, ""))
    else:
        lines.append(_row("Renewal health", None, None, not_applicable_text(view).lower()))
    for q in view.questionnaires.values():
        if not q.applicable:
            lines.append(_row(f"  {q.name}", None, None, "not applicable"))
            continue
        lines.append(_row(f"  {q.name}", q.score, q.coverage,
                          level_text(q.level, q.level_name) or rag_label(None)))
    exp = view.expectations
    lines.append(_row("Alignment (own measure, 0-10)", exp.alignment, None,
                      "this toolkit's own measure"))
    if view.version >= 2:
        _, rated = alignment_words(view)
        lines.append(f"  Self-rated alignment (0-10): {rated}")
    lines.append("")
    lines.append("  Both readings of missing data:")
    lines.append(f"    {'Index':<22}{readings_of(view, 'index')}")
    lines += [f"    {e.name:<22}{readings_of(view, e.key)}" for e in view.elements
              if e.applicable]
    lines.append("")
    lines += evidence_lines(view)
    if renewal.applicable and renewal.contract_renewal_rate is not None and renewal.projection:
        year5 = renewal.projection[-1]
        lines.append(f"  Renewal projection, year {year5.year}: client "
                     f"{format_percent(year5.client)} vs industry {format_percent(year5.industry)}"
                     f" at {format_percent(renewal.industry_rate)}")
    gaps = view.gaps[:top]
    if gaps:
        lines.append(f"  Top {len(gaps)} gaps (index points at stake):")
        lines += [f"    {format_points(g.points_at_stake):>5}  {g.name} "
                  f"({view.area_name(g.area)})" + (f": {MEASURE}" if g.kind == "measure" else "")
                  for g in gaps]
    failed = [c for c in view.consistency if check_status(c) == "failed"]
    if failed:
        lines.append(f"  {len(failed)} consistency check(s) failed:")
        lines += [f"    - {c.name} ({', '.join(c.cells)})" for c in failed]
    if view.warnings:
        lines.append(f"  {len(view.warnings)} data-quality warning(s):")
        lines += [f"    - {w}" for w in view.warnings]
    return "\n".join(printable(line) for line in lines)


def _row(label: str, score: float | None, coverage: float | None, status: str) -> str:
    cov = "" if coverage is None else format_coverage(coverage)
    return f"  {label:<32}{format_score(score):>7}  {cov:>8}  {status}"


def _score_cell(row: dict[str, Any], key: str) -> str:
    """A score of a comparison row, or ``n/a`` for an area that does not apply."""
    return "n/a" if key in (row.get("not_applicable") or ()) else format_score(row[key])


def comparison_text(rows: list[dict[str, Any]]) -> str:
    """One line per assessment (rows of :func:`assessment.portfolio.model.comparison`)."""
    head = (f"  {'Organization':<36}{'Assessed':<12}{'Index':>6}{'Profit':>8}{'Reput.':>8}"
            f"{'Effic.':>8}{'Effect.':>8}{'Renewal':>9}")
    lines = [head, "  " + "-" * (len(head) - 2)]
    for r in rows:
        scores = "".join(f"{_score_cell(r, k):>8}" for k in
                         ("profit", "reputation", "efficiency", "effectiveness"))
        name, date = printable(str(r["organization"])), printable(str(r["assessment_date"] or ""))
        lines.append(f"  {name[:35]:<36}{date:<12}{format_score(r['index']):>6}{scores}"
                     f"{_score_cell(r, 'renewal_health'):>9}")
    return "\n".join(lines)
