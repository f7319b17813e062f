"""Evidence from the client's data as every output shows it (issue 15, methodology §11 and §6).

The results come from the real path: the Zendesk ticket fixture and a small expectation survey
(tests/fixtures/exports/expectations-survey.csv: six customers, five staff, two of whom left
Self-help resources blank) filled into a copy of the Northwind sample, read back and scored.
The tests assert the text a reader sees: the evidence badge with n and the 95% interval, the
data-quality table of every figure, the customers' and staff's views side by side, untrusted
file names escaped in HTML and kept as text in Excel.
"""

from __future__ import annotations

import copy
import io
import re
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from assessment.core.format import evidence_text, interval_text, period_text, rating_stat_text
from assessment.core.framework import load_framework
from assessment.core.results import ResultsView
from assessment.core.scoring import score
from assessment.evidence.fill import fill_intake_copy
from assessment.evidence.survey import survey_evidence
from assessment.evidence.tickets import ticket_evidence
from assessment.intake.reader import read_intake
from assessment.interactive import display
from assessment.scorecard.excel import excel_bytes
from assessment.scorecard.html import context, render_html
from assessment.scorecard.summary import summary_text

ROOT = Path(__file__).resolve().parents[1]
EXPORTS = ROOT / "tests" / "fixtures" / "exports"
SAMPLE = ROOT / "assessment" / "data" / "samples" / "northwind-cloud.xlsx"
TICKETS = "zendesk-tickets.csv (zendesk export)"
SURVEY = "expectations-survey.csv (expectation survey)"
PERIOD = "2024-03-01 to 2024-03-31"
#: First contact resolution from the ticket fixture: 5 of 10 resolved tickets, Wilson's interval.
FCR_TEXT = f"n = 10 · 95% interval 23.7%–76.3% · {TICKETS}, {PERIOD}"
HOSTILE = "<script>alert(1)</script>.csv"


@pytest.fixture(scope="module")
def framework() -> Any:
    return load_framework()


@pytest.fixture(scope="module")
def plain(framework: Any) -> dict[str, Any]:
    """The Northwind sample scored as typed: no evidence."""
    return score(framework, read_intake(SAMPLE, framework))


@pytest.fixture(scope="module")
def results(framework: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The sample filled from the ticket export and the expectation survey, then scored."""
    dims = [i.id for i in framework.questionnaires["customer_expectations"].items]
    reports = [ticket_evidence(EXPORTS / "zendesk-tickets.csv", system="zendesk"),
               survey_evidence(EXPORTS / "expectations-survey.csv", "expectations",
                               dimensions=dims)]
    out = tmp_path_factory.mktemp("evidence") / "filled.xlsx"
    fill_intake_copy(SAMPLE, out, reports, framework)
    return score(framework, read_intake(out, framework))


def _set_aside(results: dict[str, Any], kpi_id: str) -> dict[str, Any]:
    """``results`` as if the consultant had typed over the evidence of ``kpi_id``."""
    changed = copy.deepcopy(results)
    for entry in changed["evidence"]:
        if entry["target"] == "kpi" and entry["id"] == kpi_id:
            entry["used"] = False
    for kpi in changed["kpis"]:
        if kpi["id"] == kpi_id:
            kpi["evidence"] = None
    return changed


def _hostile(results: dict[str, Any]) -> dict[str, Any]:
    """``results`` whose first ticket figure names a script as its source file and a formula
    as its definition."""
    changed = copy.deepcopy(results)
    for entry in changed["evidence"]:
        if entry["id"] == "first_contact_resolution":
            entry["source"], entry["definition"] = HOSTILE, "=HYPERLINK(\"http://x\",\"y\")"
    for kpi in changed["kpis"]:
        if kpi["id"] == "first_contact_resolution":
            kpi["evidence"]["source"] = HOSTILE
            kpi["evidence"]["definition"] = "<img src=x onerror=alert(1)>"
    return changed


def _row(html: str, row_id: str) -> str:
    match = re.search(rf'<tr id="{row_id}".*?</tr>', html, re.S)
    assert match, row_id
    return match.group(0)


def _table(html: str, table_id: str) -> str:
    match = re.search(rf'<table id="{table_id}".*?</table>', html, re.S)
    assert match, table_id
    return match.group(0)


def _text(fragment: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).strip()


# --------------------------------------------------------------------------- the typed view


def test_view_reads_the_evidence(results: dict[str, Any]) -> None:
    view = ResultsView.from_dict(results)
    fcr = view.kpi("first_contact_resolution")
    assert fcr is not None and fcr.evidence is not None
    assert (fcr.evidence.n, fcr.evidence.source) == (10, TICKETS)
    assert fcr.evidence.ci == pytest.approx((0.2366, 0.7634), abs=1e-4)
    assert (fcr.evidence.period_from, fcr.evidence.period_to) == ("2024-03-01", "2024-03-31")
    assert view.kpi("time_to_resolve").evidence.ci is None  # a median has no interval
    assert view.kpi("csat").evidence is None  # typed
    assert len(view.evidence) == len(results["evidence"]) == 34
    assert all(e.used for e in view.evidence)
    help_ = view.dimension("self_help")
    assert help_ is not None and help_.survey is not None
    assert (help_.survey.customer_n, help_.survey.staff_n, help_.survey.flagged) == (6, 3, True)
    assert help_.survey.priority.n == 3 and help_.survey.importance.sd is not None
    assert view.evidence_target(view.evidence[-1]) == "Self-help resources: priority"


def test_view_without_evidence_keys(plain: dict[str, Any]) -> None:
    """results@1 and results@2 from before issue 15 read as having no evidence."""
    old = copy.deepcopy(plain)
    old.pop("evidence", None)
    for kpi in old["kpis"]:
        kpi.pop("evidence", None)
    for dim in old["expectations"]["dimensions"]:
        dim.pop("survey", None)
    for raw in (old, dict(old, schema="support-excellence/results@1")):
        view = ResultsView.from_dict(raw)
        assert view.evidence == ()
        assert all(k.evidence is None for k in view.kpis)
        assert all(d.survey is None for d in view.expectations.dimensions)


# --------------------------------------------------------------------------- shared words


def test_evidence_text_in_the_kpi_unit(results: dict[str, Any]) -> None:
    kpis = {k["id"]: k for k in results["kpis"]}
    assert evidence_text(kpis["first_contact_resolution"]["evidence"], "percent") == FCR_TEXT
    assert evidence_text(kpis["time_to_resolve"]["evidence"], "hours") == \
        f"n = 10 · {TICKETS}, {PERIOD}"
    assert evidence_text(None, "percent") == ""
    big = {"n": 1234, "ci": [0.712, 0.75], "source": "t.csv (zendesk export)",
           "period": {"from": "2024-03-01", "to": "2024-03-31"}}
    assert evidence_text(big, "percent") == \
        "n = 1,234 · 95% interval 71.2%–75.0% · t.csv (zendesk export), 2024-03-01 to 2024-03-31"


def test_interval_period_and_rating_words() -> None:
    assert interval_text([-12.5, 30.0], "score") == "-12.5 to 30"  # an NPS in points
    assert interval_text([1.26, 3.5], "hours") == "1.3 h–3.5 h"
    assert interval_text(None, "percent") == ""
    assert period_text("2024-03-01", None) == "from 2024-03-01"
    assert period_text(None, None) == ""
    assert rating_stat_text(4.25, 0.81, 6) == "4.2 (sd 0.8, n = 6)"
    assert rating_stat_text(4.0, None, 1, show_n=False) == "4"
    assert rating_stat_text(None, None, 0) == "—"


# --------------------------------------------------------------------------- HTML


def test_html_marks_evidence_backed_kpis(results: dict[str, Any]) -> None:
    html = render_html(results)
    fcr = _row(html, "kpi-first_contact_resolution")
    assert '<span class="badge evidence"' in fcr
    text = _text(fcr)
    assert "50% evidence" in text
    assert "n = 10 · 95% interval 23.7%–76.3%" in text
    assert f"{TICKETS} {PERIOD}" in text  # source and period on lines of their own
    assert "resolved tickets with no reopen" in fcr  # the definition, as the badge's title
    resolve = _text(_row(html, "kpi-time_to_resolve"))
    assert "5.5 h evidence n = 10" in resolve and "interval" not in resolve
    assert "badge evidence" not in _row(html, "kpi-csat")  # typed values look as before


def test_html_lists_every_evidence_figure(results: dict[str, Any]) -> None:
    html = render_html(results)
    table = _table(html, "evidence-table")
    assert '<h3 id="evidence-h">Evidence from the client\'s data</h3>' in html
    assert table.count('<tr class="evidence-used') == 34
    text = _text(table)
    assert f"{TICKETS} {PERIOD}" in text and f"{SURVEY} 2024-03-10 to 2024-03-16" in text
    assert "First contact resolution (FCR) KPIs!F24 50% 10 23.7%–76.3%" in text
    assert "Assisted cases Profile!C18 158 13" in text
    assert "Self-help resources: priority" in text
    flagged = re.findall(r'<tr class="evidence-used flagged">.*?</tr>', table, re.S)
    assert len(flagged) == 3 and all("fewer than 5 respondents" in r for r in flagged)


def test_html_survey_side_by_side(results: dict[str, Any]) -> None:
    html = render_html(results)
    table = _table(html, "survey-table")
    assert "Customers" in table and "Support staff" in table
    rows = re.findall(r"<tr(?: class=\"flagged\")?><th scope=\"row\">.*?</tr>", table, re.S)
    assert len(rows) == 9
    self_help = next(r for r in rows if "Self-help resources" in r)
    assert "fewer than 5 respondents" in self_help
    cells = re.findall(r'data-label="([^"]+)">([^<]*)<', self_help)
    assert dict(cells) == {"Customers: importance": "4.5 (sd 0.5)",
                           "Customers: performance": "3.8 (sd 1.5)", "Customers: n": "6",
                           "Staff: priority": "3.7 (sd 0.6)", "Staff: n": "3",
                           "Importance − priority": "+0.8"}
    assert 'class="num few-n" data-label="Staff: n">3<' in self_help
    availability = _text(next(r for r in rows if "Availability of service" in r))
    assert availability == "Availability of service 3.7 (sd 0.8) 3.8 (sd 1.5) 6 3.4 (sd 1.3) 5 +0.3"


def test_html_set_aside(results: dict[str, Any]) -> None:
    html = render_html(_set_aside(results, "first_contact_resolution"))
    assert "badge evidence" not in _row(html, "kpi-first_contact_resolution")
    row = re.search(r'<tr class="evidence-set-aside">.*?</tr>', html, re.S)
    assert row and "First contact resolution (FCR)" in row.group(0)
    assert "set aside" in row.group(0) and "the consultant typed another value" in row.group(0)


def test_html_escapes_untrusted_evidence_text(results: dict[str, Any]) -> None:
    html = render_html(_hostile(results))
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;.csv" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_html_without_evidence_is_unchanged(plain: dict[str, Any]) -> None:
    html = render_html(plain)
    assert context(plain)["evidence_styles"] is False
    for mark in ("badge evidence", "evidence-table", "survey-table", ".badge.evidence"):
        assert mark not in html


def test_html_is_deterministic(results: dict[str, Any]) -> None:
    assert render_html(results) == render_html(copy.deepcopy(results))


# --------------------------------------------------------------------------- Excel


def _workbook(results: dict[str, Any]) -> Any:
    return load_workbook(io.BytesIO(excel_bytes(results)))


def _find(ws: Any, text: str) -> Any:
    return next(c for row in ws.iter_rows() for c in row if c.value == text)


def test_excel_kpi_sheet_marks_evidence(results: dict[str, Any]) -> None:
    ws = _workbook(results)["KPIs"]
    headers = [c.value for c in ws[4]]
    row = next(r for r in ws.iter_rows(min_row=5) if r[2].value == "first_contact_resolution")
    current = row[headers.index("Current")]
    assert current.value == 0.5 and current.number_format == '0%" (evidence)"'
    assert row[headers.index("Value source")].value == f"Evidence: {FCR_TEXT}"
    csat = next(r for r in ws.iter_rows(min_row=5) if r[2].value == "csat")
    assert csat[headers.index("Value source")].value == "Intake"


def test_excel_data_quality_lists_the_evidence(results: dict[str, Any]) -> None:
    ws = _workbook(_set_aside(results, "reopen_rate"))["Data quality"]
    title = _find(ws, "Evidence from the client's data (methodology §11)")
    header = title.row + 1
    headers = [c.value for c in ws[header]][:9]
    assert headers == ["Fills", "Source", "Definition", "Value", "n", "95% interval",
                       "Period", "Cell", "Status"]
    rows = []
    for r in ws.iter_rows(min_row=header + 1, values_only=True):
        if not r[1]:
            break
        rows.append(r)
    assert len(rows) == 34
    fcr = next(r for r in rows if r[0] == "First contact resolution (FCR)")
    assert fcr[1:9] == (TICKETS, "resolved tickets with no reopen and at most one agent reply "
                        "/ resolved tickets", 0.5, 10, "23.7%–76.3%", PERIOD, "KPIs!F24",
                        "used")
    reopen = next(r for r in rows if r[0] == "Reopen rate")
    assert reopen[8] == "set aside: the consultant typed another value"
    help_ = next(r for r in rows if r[0] == "Self-help resources: priority")
    assert (help_[4], help_[8]) == (3, "used; fewer than 5 respondents")


def test_excel_expectations_survey_side_by_side(results: dict[str, Any]) -> None:
    ws = _workbook(results)["Expectations"]
    title = _find(ws, "Survey: customers and staff side by side")
    headers = [c.value for c in ws[title.row + 1]]
    assert headers == ["Dimension", "Customers: importance", "Customers: performance",
                       "Customers (n)", "Staff: priority", "Staff (n)", "Flag"]
    rows = {r[0]: r for r in ws.iter_rows(min_row=title.row + 2, max_row=title.row + 10,
                                          values_only=True)}
    assert rows["Self-help resources"] == ("Self-help resources", "4.5 (sd 0.5)",
                                           "3.8 (sd 1.5)", 6, "3.7 (sd 0.6)", 3,
                                           "fewer than 5 respondents")
    assert rows["Availability of service"][6] is None


def test_excel_keeps_untrusted_text_plain(results: dict[str, Any]) -> None:
    ws = _workbook(_hostile(results))["Data quality"]
    source = _find(ws, HOSTILE)
    assert source.data_type == "s"
    formula = _find(ws, "=HYPERLINK(\"http://x\",\"y\")")
    assert formula.data_type == "s" and formula.quotePrefix


def test_excel_is_deterministic(results: dict[str, Any]) -> None:
    assert excel_bytes(results) == excel_bytes(copy.deepcopy(results))


# --------------------------------------------------------------------------- terminal, notebook


def test_terminal_summary_marks_evidence(results: dict[str, Any], plain: dict[str, Any]) -> None:
    text = summary_text(_set_aside(results, "reopen_rate"))
    flat = re.sub(r"\s+", " ", text)
    assert "Values from the client's data (evidence):" in text
    assert f"- First contact resolution (FCR) 50% [evidence]: {FCR_TEXT}" in flat
    assert "- Assisted cases 158 [evidence]: n = 13" in flat
    assert "fewer than 5 respondents in a group: Self-help resources" in flat
    assert ("- Reopen rate 20%: set aside: the consultant typed another value "
            f"({TICKETS})") in flat
    assert "[evidence]" not in summary_text(plain)


def test_notebook_tables(results: dict[str, Any], plain: dict[str, Any]) -> None:
    view = context(results)
    kpis = str(display.kpi_table(view, "effectiveness"))
    assert "50% (evidence: n = 10 · 95% interval 23.7%–76.3%" in kpis
    expectations = display.expectations_table(view)
    assert expectations.columns[2:7] == ["Customers: importance", "Customers: performance",
                                         "Customers (n)", "Staff: priority", "Staff (n)"]
    help_ = next(r for r in expectations.rows if r[1] == "Self-help resources")
    assert help_[6] == "3" and help_[-1] == "fewer than 5 respondents"
    assert len(display.evidence_table(view)) == 34
    before = context(plain)
    assert "evidence" not in str(display.kpi_table(before, "effectiveness"))
    assert display.expectations_table(before).columns[4] == "Team priority"
    assert len(display.evidence_table(before)) == 0
