"""The business case and roadmap sheets of the Excel scorecard."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from assessment.core.format import (
    DASH,
    EFFORT_LABELS,
    HORIZON_LABELS,
    POINTS_FORMAT,
    STATUS_LABELS,
    TRACKING_LABELS,
    driver_status_text,
    format_value,
    needs_data_text,
)
from assessment.core.framework import HORIZONS
from assessment.core.results import AssumptionUse, DriverResult, InitiativeResult, ResultsView
from assessment.files.xlsx import NAVY, V, header_row, note, put, table
from assessment.scorecard.excel.common import (
    BUSINESS_CASE,
    COUNT,
    ROADMAP,
    grey_out,
    label_text,
    money_cell,
    new_sheet,
    not_applicable_text,
    section_row,
    unit_cell,
    wide_note,
    wide_table,
)
from assessment.scorecard.excel.layout import keep
from assessment.scorecard.excel.summary import NO_PLAN

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
    unit = UNIT_LABELS.get(a.unit, label_text(a.unit))
    if a.unit == "currency" and currency:
        unit = f"{unit} ({currency})"
    return [V(a.name, wrap=True), a.id, unit,
            *(unit_cell(getattr(a, case), a.unit, currency) for case in CASES),
            V(a.year, "0") if a.year is not None else DASH, V(a.source),
            V(", ".join(users), wrap=True)]


def business_case_sheet(wb: Workbook, view: ResultsView) -> None:
    ws = new_sheet(wb, BUSINESS_CASE, view, "Business case: what closing the gaps is worth a "
                    "year, driver by driver (methodology §10)",
                    [22, 24, 16, 13, 13, 13, 13, 9, 16, 34], print_rows="1:2",
                    wrap=(1, 3, 7, 9, 10))
    ws.freeze_panes = "B5"
    case = view.business_case
    currency = case.currency or view.currency
    if not case.drivers:
        header_row(ws, 4, ["Driver"])
        wide_note(ws, 5, NO_PLAN, 6)
        return
    header, last = wide_table(ws, 4, list(zip(DRIVER_HEADERS, DRIVER_SPANS, strict=True)),
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
    keep(ws, 1, row - 1)

    start = row + 1
    row = section_row(ws, start, "How each driver is valued", span=len(ASSUMPTION_HEADERS))
    _, last = wide_table(ws, row, list(zip(VALUATION_HEADERS, VALUATION_SPANS, strict=True)),
                          [_valuation_row(d) for d in case.drivers])
    keep(ws, start, last)

    start = last + 2
    row = section_row(ws, start, "Assumptions (every figure with its source)",
                   span=len(ASSUMPTION_HEADERS))
    used = _assumptions(case.drivers)
    _, last = wide_table(ws, row, list(zip(ASSUMPTION_HEADERS, ASSUMPTION_SPANS, strict=True)),
                          [_assumption_row(a, users, currency) for a, users in used],
                          empty="The drivers use no assumption.")
    if any(a.note for a, _ in used):
        keep(ws, start, last)
        start = last + 1
        _, last = wide_table(ws, last + 2, ASSUMPTION_NOTE_COLUMNS,
                              [[V(a.name, wrap=True), a.id, V(a.note)] for a, _ in used
                               if a.note])
    fw_currency = view.framework.currency
    words = ("The low case takes the value that gives the smaller benefit, the high case the "
             "larger, so 'low' is not always the smaller number.")
    if any(a.unit == "currency" for a, _ in used) and fw_currency and currency\
            and fw_currency != currency:
        words += (f" Money assumptions are the framework's {fw_currency} figures converted "
                  f"to {currency} at the exchange rate.")
    row = note(ws, last + 1, words)
    keep(ws, start, row - 1)

    start = row + 1
    row = _renewal_money(ws, view, start, currency)
    keep(ws, start, row - 1)

    start = row + 1
    row = section_row(ws, start, "Sensitivity: which assumption moves the total most", span=5)
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
    keep(ws, start, last + 1)


MONEY_HEADERS = ["Contract year", "Client", "Target", "Industry", "At stake (target − client)"]


def _renewal_money(ws: Worksheet, view: ResultsView, row: int, currency: str | None) -> int:
    """The renewal projection in money (§5) with its line chart; returns the next free row."""
    row = section_row(ws, row, "Renewal revenue at stake (the projection in money)", span=5)
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
    row = wide_note(ws, last + 2, f"The starting cohort's contract revenue, {base} a year, "
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
        V(TRACKING_LABELS.get(status, label_text(status)), rag=TRACKING_RAG.get(status))
        if status else None,
        V(t.get("owner"), wrap=True), _due(t.get("due_date")), V(t.get("inhibitors")),
        V(t.get("notes"))]


def roadmap_sheet(wb: Workbook, view: ResultsView) -> None:
    ws = new_sheet(wb, ROADMAP, view, "Roadmap: the recommendations grouped into initiatives, "
                    "ranked by value for effort",
                    [7, 26, 12, 11, 18, 9, 10, 14, 14, 14, 26], wrap=(2, 5, 11))
    ws.freeze_panes = "C5"
    roadmap = view.roadmap
    currency = view.business_case.currency or view.currency
    if not roadmap.initiatives:
        header_row(ws, 4, ["Rank", "Initiative"])
        wide_note(ws, 5, NO_PLAN, 8)
        return
    header, last = table(ws, 4, ROADMAP_HEADERS,
                         [_initiative_row(view, i, currency) for i in roadmap.initiatives])
    ws.auto_filter.ref = f"A{header}:{get_column_letter(len(ROADMAP_HEADERS))}{last}"
    grey_out(ws, (header + 1 + n for n, i in enumerate(roadmap.initiatives) if i.rank is None),
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
    row = section_row(ws, start, "What each initiative involves", span=len(ROADMAP_HEADERS))
    header, last = wide_table(ws, row, INVOLVES_COLUMNS,
                               [_involves_row(view, i) for i in roadmap.initiatives])
    grey_out(ws, (header + 1 + n for n, i in enumerate(roadmap.initiatives) if i.rank is None),
              len(ROADMAP_HEADERS))
    keep(ws, start, last)
    row = last + 1

    start = row + 1
    row = section_row(ws, start, "Progress recorded in the intake", span=len(ROADMAP_HEADERS))
    tracked = [i for i in roadmap.initiatives if i.tracking]
    if tracked:
        _, row = wide_table(ws, row, TRACKING_COLUMNS, [_tracking_row(i) for i in tracked])
        keep(ws, start, row)
    else:
        row = note(ws, row, "Nothing recorded yet: the intake's Initiatives sheet records the "
                            "chosen initiatives with owner, due date, status and inhibitors, "
                            "and the next assessment reports on them.")
    _timeline(ws, view, row + 2)


def _timeline(ws: Worksheet, view: ResultsView, row: int) -> None:
    """The timeline table (start month and duration per ranked initiative) and its native
    chart: a stacked bar chart whose first series (the start) is invisible."""
    start = row
    row = section_row(ws, row, "Timeline (months from the start of the plan)",
                   span=len(TIMELINE_HEADERS))
    ranked = view.roadmap.ranked
    rows = []
    for i in ranked:
        start, end = HORIZONS.get(i.horizon, (0, 12))
        rows.append([V(i.rank, "0"), V(i.name), HORIZON_LABELS.get(i.horizon, i.horizon),
                     V(start, COUNT), V(end, COUNT), V(end - start, COUNT)])
    header, last = table(ws, row, TIMELINE_HEADERS, rows,
                         empty="No initiative applies, so there is no timeline.")
    keep(ws, start, last)
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


