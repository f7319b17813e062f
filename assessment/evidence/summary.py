"""The plain-text account of one export: figures with n and interval, what could not be
computed, and every row left out (what ``support-excellence evidence`` prints)."""

from __future__ import annotations

from assessment.core.errors import printable
from assessment.core.evidence import EvidenceFigure, EvidenceReport
from assessment.core.format import DASH, format_value, trim_number
from assessment.core.framework import Framework

PROFILE_NAMES = {"assisted_cases": "Assisted cases per year (profile)"}


def figure_name(fig: EvidenceFigure, framework: Framework) -> str:
    """What a figure fills, in words: the KPI's name, the profile field, the rating."""
    if fig.target == "kpi":
        known = {k.id: k for k in framework.kpis}
        return known[fig.id].name if fig.id in known else fig.id
    if fig.target == "profile":
        return PROFILE_NAMES.get(fig.id, fig.id)
    dim, _, rating = fig.id.rpartition(".")
    items = {i.id: i.name for i in framework.questionnaires["customer_expectations"].items}
    return f"{items.get(dim, dim)}: {rating}"


def figure_unit(fig: EvidenceFigure, framework: Framework) -> str:
    if fig.target == "kpi":
        known = {k.id: k for k in framework.kpis}
        return known[fig.id].unit if fig.id in known else "count"
    return "count" if fig.target == "profile" else "score"


def figure_value(fig: EvidenceFigure, framework: Framework) -> str:
    unit = figure_unit(fig, framework)
    if fig.target == "expectation":
        return DASH if fig.value is None else trim_number(fig.value, 2)
    if fig.target == "profile":
        return DASH if fig.value is None else f"{fig.value:,.0f}"
    return format_value(fig.value, unit)


def interval_text(fig: EvidenceFigure, framework: Framework) -> str:
    if not fig.ci:
        return DASH
    unit = figure_unit(fig, framework)
    if fig.target == "expectation":
        return f"{trim_number(fig.ci[0], 2)} to {trim_number(fig.ci[1], 2)}"
    return f"{format_value(fig.ci[0], unit)} to {format_value(fig.ci[1], unit)}"


def summary_text(report: EvidenceReport, framework: Framework) -> str:
    """The summary table: KPI, value, n, 95% interval, period; then what was not computed and
    the rows left out, by reason with their first row numbers."""
    src = report.source
    rows = int(src.get("rows") or 0)
    period = (f"{report.period_from} to {report.period_to}"
              if report.period_from else "no dates in the file")
    days = f" ({report.period_days:,.1f} days)" if report.period_days is not None else ""
    head = [f"Evidence from {report.source_label}: {rows:,} rows, period {period}{days}"]
    if report.kind == "tickets":
        head.append(f"mapping {src.get('mapping')}, time zone {src.get('timezone')}")
    table = [("Figure", "Value", "n", "95% interval", "Period")]
    for fig in report.figures:
        name = figure_name(fig, framework) + (" (flagged: fewer than 5)" if fig.flagged else "")
        table.append((name, figure_value(fig, framework), f"{fig.n:,}",
                      interval_text(fig, framework),
                      f"{fig.period_from or DASH} to {fig.period_to or DASH}"))
    widths = [max(len(r[i]) for r in table) for i in range(5)]
    lines = head + [""]
    for i, row in enumerate(table):
        lines.append("  ".join(cell.ljust(widths[j]) if j != 1 and j != 2 else
                               cell.rjust(widths[j]) for j, cell in enumerate(row)).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    if not report.figures:
        lines.append("(no figure could be computed)")
    if report.unavailable:
        lines += ["", "Not computed:"]
        lines += [f"  {kpi}: {reason}" for kpi, reason in report.unavailable]
    left = report.rows_left_out
    lines += ["", f"Rows left out: {left:,} of {rows:,}" + (":" if left else "")]
    for ex in report.excluded:
        first = ", ".join(str(r) for r in ex.first_rows)
        more = ", …" if ex.rows > len(ex.first_rows) else ""
        lines.append(f"  {ex.reason}: {ex.rows:,} row(s), {ex.description}; "
                     f"first rows {first}{more}")
    if report.excluded:
        lines.append("  (row numbers as a spreadsheet shows them: the header is row 1)"
                     if src.get("format") in ("csv", "xlsx") else "  (record numbers from 1)")
    return "\n".join(printable(line) for line in lines)
