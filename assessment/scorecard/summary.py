"""A plain-text summary of one organization's results, for the terminal and notebooks."""

from __future__ import annotations

from typing import Any

RAG_MARK = {"green": "GREEN", "amber": "AMBER", "red": "RED", None: "-"}


def fmt_score(value: float | None) -> str:
    return "n/a" if value is None else f"{value:5.1f}"


def fmt_pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def summary_text(results: dict[str, Any], top: int = 5) -> str:
    """Render the headline numbers of ``results`` as an aligned text table."""
    org = results["organization"]
    index = results["index"]
    lines = [
        f"{org.get('name')} — assessed {org.get('assessment_date')} "
        f"({org.get('industry')}, {org.get('support_model')} support)",
        f"Framework: {results['framework']['name']} {results['framework']['version']}",
        "",
        f"  {'Area':<32}{'Score':>7}  {'Coverage':>8}  Status",
        f"  {'-' * 32}{'-' * 7}  {'-' * 8}  {'-' * 20}",
        _row("Support Excellence Index", index["score"], index["coverage"],
             f"{RAG_MARK[index['rag']]} {index['level_name'] or ''}".strip()),
    ]
    for element in results["elements"].values():
        status = RAG_MARK[element["rag"]] if element["score"] is not None else "insufficient data"
        lines.append(_row(f"  {element['name']}", element["score"], element["coverage"], status))
    renewal = results["renewal"]
    lines.append(_row("Renewal health", renewal["health"], None, RAG_MARK[renewal["rag"]]))
    lines.append(_row("  Renewal KPIs", renewal["kpi_score"], renewal["kpi_coverage"], ""))
    for q in results["questionnaires"].values():
        level = f"level {q['level']} {q['level_name']}" if q["level"] else "not scored"
        lines.append(_row(f"  {q['name']}", q["score"], q["coverage"], level))
    exp = results["expectations"]
    lines += [_row("Alignment with customers (0-10)", exp["alignment"], None,
                   f"HDI survey average {exp['survey_average']:g}"), ""]
    rate = renewal.get("contract_renewal_rate")
    if rate is not None:
        year5 = renewal["projection"][-1]
        lines.append(f"  Renewal projection, year 5: client {year5['client']:.1%} vs industry "
                     f"{year5['industry']:.1%} at {renewal['industry_rate']:.1%}")
    gaps = results.get("gaps", [])[:top]
    if gaps:
        lines.append(f"  Top {len(gaps)} gaps (index points at stake):")
        lines += [f"    {g['points_at_stake']:5.2f}  {g['name']} ({g['element']})" for g in gaps]
    warnings = results["warnings"]
    if warnings:
        lines.append(f"  {len(warnings)} data-quality warning(s):")
        lines += [f"    - {w}" for w in warnings]
    return "\n".join(lines)


def _row(label: str, score: float | None, coverage: float | None, status: str) -> str:
    cov = "" if coverage is None else fmt_pct(coverage)
    return f"  {label:<32}{fmt_score(score):>7}  {cov:>8}  {status}"


def comparison_text(rows: list[dict[str, Any]]) -> str:
    """One line per assessment (rows of :func:`assessment.portfolio.model.comparison`)."""
    head = (f"  {'Organization':<36}{'Assessed':<12}{'Index':>6}{'Profit':>8}{'Reput.':>8}"
            f"{'Effic.':>8}{'Effect.':>8}{'Renewal':>9}")
    lines = [head, "  " + "-" * (len(head) - 2)]
    for r in rows:
        scores = "".join(f"{fmt_score(r[k]):>8}" for k in
                         ("profit", "reputation", "efficiency", "effectiveness"))
        lines.append(f"  {str(r['organization'])[:35]:<36}{r['assessment_date'] or '':<12}"
                     f"{fmt_score(r['index']):>6}{scores}{fmt_score(r['renewal_health']):>9}")
    return "\n".join(lines)
