"""A plain-text summary of one organization's results, for the terminal and notebooks.

Every number and word comes from :mod:`assessment.core.format`, so the terminal says what the
HTML page and the workbook say. Text from the input (names, warnings) is shown
:func:`~assessment.core.errors.printable`: a control character cannot act on the terminal.
"""

from __future__ import annotations

from typing import Any

from assessment.core.errors import printable
from assessment.core.format import (
    DASH,
    format_coverage,
    format_percent,
    format_points,
    format_rating,
    format_score,
    level_text,
    rag_label,
)
from assessment.core.results import ResultsView


def summary_text(results: dict[str, Any], top: int = 5) -> str:
    """Render the headline numbers of ``results`` as an aligned text table."""
    view = ResultsView.from_dict(results)
    org, index, renewal = view.organization, view.index, view.renewal
    lines = [
        f"{org.name} — assessed {org.date_text or DASH} "
        f"({org.industry}, {org.support_model} support)",
        f"Framework: {view.framework.name} {view.framework.version}",
        "",
        f"  {'Area':<32}{'Score':>7}  {'Coverage':>8}  Status",
        f"  {'-' * 32}{'-' * 7}  {'-' * 8}  {'-' * 20}",
        _row("Support Excellence Index", index.score, index.coverage,
             " · ".join(x for x in (rag_label(index.rag),
                                    level_text(index.level, index.level_name)) if x)),
    ]
    for element in view.elements:
        status = rag_label(element.rag) if element.score is not None else "insufficient data"
        lines.append(_row(f"  {element.name}", element.score, element.coverage, status))
    lines.append(_row("Renewal health", renewal.health, None, rag_label(renewal.rag)))
    lines.append(_row("  Renewal KPIs", renewal.kpi_score, renewal.kpi_coverage, ""))
    for q in view.questionnaires.values():
        lines.append(_row(f"  {q.name}", q.score, q.coverage,
                          level_text(q.level, q.level_name) or rag_label(None)))
    exp = view.expectations
    lines += [_row("Alignment with customers (0-10)", exp.alignment, None,
                   f"HDI survey average {format_rating(exp.survey_average)}"), ""]
    if renewal.contract_renewal_rate is not None and renewal.projection:
        year5 = renewal.projection[-1]
        lines.append(f"  Renewal projection, year {year5.year}: client "
                     f"{format_percent(year5.client)} vs industry {format_percent(year5.industry)}"
                     f" at {format_percent(renewal.industry_rate)}")
    gaps = view.gaps[:top]
    if gaps:
        lines.append(f"  Top {len(gaps)} gaps (index points at stake):")
        lines += [f"    {format_points(g.points_at_stake):>5}  {g.name} "
                  f"({view.area_name(g.area)})" for g in gaps]
    if view.warnings:
        lines.append(f"  {len(view.warnings)} data-quality warning(s):")
        lines += [f"    - {w}" for w in view.warnings]
    return "\n".join(printable(line) for line in lines)


def _row(label: str, score: float | None, coverage: float | None, status: str) -> str:
    cov = "" if coverage is None else format_coverage(coverage)
    return f"  {label:<32}{format_score(score):>7}  {cov:>8}  {status}"


def comparison_text(rows: list[dict[str, Any]]) -> str:
    """One line per assessment (rows of :func:`assessment.portfolio.model.comparison`)."""
    head = (f"  {'Organization':<36}{'Assessed':<12}{'Index':>6}{'Profit':>8}{'Reput.':>8}"
            f"{'Effic.':>8}{'Effect.':>8}{'Renewal':>9}")
    lines = [head, "  " + "-" * (len(head) - 2)]
    for r in rows:
        scores = "".join(f"{format_score(r[k]):>8}" for k in
                         ("profit", "reputation", "efficiency", "effectiveness"))
        name, date = printable(str(r["organization"])), printable(str(r["assessment_date"] or ""))
        lines.append(f"  {name[:35]:<36}{date:<12}"
                     f"{format_score(r['index']):>6}{scores}{format_score(r['renewal_health']):>9}")
    return "\n".join(lines)
