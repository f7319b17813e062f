"""The form's Evidence section, driven headless: choose an export, compute, preview, accept.

The figures of tests/fixtures/exports/generic-tickets.csv are computed by hand in
tests/test_mappings.py (FCR 5/10, median time to resolve 5.5 h over 10 resolved tickets, ...).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import re
from pathlib import Path

import openpyxl
import pytest

from assessment.core.framework import Framework
from assessment.intake.layout import SHEETS
from assessment.intake.reader import read_intake
from assessment.intake.samples import sample_workbooks
from assessment.interactive.evidence import COMPUTING, EvidencePanel, safe_file_name
from assessment.interactive.form import AssessmentForm

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "exports" / "generic-tickets.csv"
TICKET_KPIS = ("first_contact_resolution", "time_to_first_response", "time_to_resolve",
               "reopen_rate", "escalation_rate", "sla_attainment", "cases_per_engineer_month")
INPUTS = ("profile", "current", "targets", "answers", "ratings", "evidence")


@pytest.fixture()
def form(framework: Framework) -> AssessmentForm:
    sample = next(p for p in sample_workbooks() if p.stem == "northwind-cloud")
    return AssessmentForm(framework, sample)


def _inputs(form: AssessmentForm) -> dict[str, object]:
    data = form.data()
    return {key: getattr(data, key) for key in INPUTS}


def _text(value: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", value))


def _rows(preview: str) -> dict[str, list[str]]:
    """Figure id -> the texts of its preview cells (label, now, computed, n, interval, period)."""
    rows = {}
    for fid, body in re.findall(r"<tr class='se-evidence-row' data-target='[^']*' "
                                r"data-id='([^']*)'>(.*?)</tr>", preview):
        rows[fid] = [" ".join(_text(c).split()) for c in re.findall(r"<td[^>]*>(.*?)</td>", body)]
    return rows


def _computed(form: AssessmentForm, name: str = "generic-tickets.csv",
              content: bytes | None = None) -> EvidencePanel:
    panel = form.evidence_panel
    panel.load_bytes(name, FIXTURE.read_bytes() if content is None else content)
    panel.compute_button.click()
    return panel


def test_the_form_hosts_a_closed_evidence_section(form: AssessmentForm) -> None:
    assert list(form.evidence_section.titles) == ["Evidence"]
    assert form.evidence_section.selected_index is None  # closed until opened
    assert form.evidence_panel.widget in form.evidence_section.children
    assert form.evidence_section in form.widget.children
    panel = form.evidence_panel
    assert panel.upload.accept == ".csv,.parquet" and not panel.upload.multiple
    assert panel.accept_button.disabled and panel.discard_button.disabled
    assert "generic" in panel.system.options and panel.timezone.value == "UTC"
    panel.kind.value = "nps"
    assert panel.system_row.layout.display == "none" and panel.column_row.layout.display == ""
    panel.kind.value = "tickets"
    assert panel.system_row.layout.display == "" and panel.column_row.layout.display == "none"


def test_preview_shows_the_hand_computed_figures_and_changes_nothing(
        form: AssessmentForm) -> None:
    before = _inputs(form)
    boxes = {k: r.current.widget.value for k, r in form.kpi_rows.items()}
    results = form.results()
    panel = _computed(form)
    assert panel.issues.value == ""
    assert not panel.accept_button.disabled and not panel.discard_button.disabled
    rows = _rows(panel.preview.value)
    assert set(rows) == {*TICKET_KPIS, "assisted_cases"}
    label, now, computed, n, interval, period = rows["first_contact_resolution"]
    assert (now, computed, n) == ("74%", "50%", "10")  # northwind's 0.74 beside 5/10
    assert interval == "23.7% to 76.3%"  # Wilson's for 5 of 10
    assert period == "2024-03-01 to 2024-03-31"
    assert rows["time_to_resolve"][2:4] == ["5.5 h", "10"]
    assert rows["time_to_first_response"][2:4] == ["0.88 h", "12"]  # 52.5 minutes
    assert rows["reopen_rate"][2:4] == ["20%", "10"]
    assert rows["escalation_rate"][2:4] == ["30.8%", "13"]
    assert rows["sla_attainment"][2:4] == ["70%", "10"]
    assert rows["cases_per_engineer_month"][2:4] == ["3.4", "10"]  # 3.3796...
    assert rows["assisted_cases"][1:4] == ["42,300", "158", "13"]  # 13 x 365 / 30, whole
    text = _text(panel.preview.value)
    assert "duplicate_id" in text and "15" in text  # the repeated ticket 5, row 15
    assert "30 days" in text and "14 rows read" in text
    # nothing in the form has changed
    assert _inputs(form) == before
    assert {k: r.current.widget.value for k, r in form.kpi_rows.items()} == boxes
    assert form.results() == results
    assert form.data().evidence == []


def test_accept_fills_the_form_rescores_and_keeps_the_evidence(form: AssessmentForm) -> None:
    old_score = form.kpi_rows["first_contact_resolution"].score.value
    panel = _computed(form)
    report = panel.report
    panel.accept_button.click()
    data = form.data()
    assert data.current["first_contact_resolution"] == 0.5
    assert data.current["time_to_resolve"] == 5.5
    assert data.current["time_to_first_response"] == 52.5 / 60
    assert data.current["escalation_rate"] == 4 / 13  # the exact value, not the box's text
    assert data.profile["assisted_cases"] == 158
    assert form.kpi_rows["first_contact_resolution"].current.widget.value == "50"
    assert {(f.target, f.id) for f in data.evidence} == {
        *(("kpi", k) for k in TICKET_KPIS), ("profile", "assisted_cases")}
    assert data.evidence_overridden == {}
    assert {f.id: f.n for f in data.evidence}["time_to_resolve"] == 10
    assert data.evidence == sorted(report.figures, key=lambda f: (f.target != "kpi", f.id))
    # the live scores follow
    assert form.kpi_rows["first_contact_resolution"].score.value != old_score
    results = form.results()
    fcr = next(k for k in results["kpis"] if k["id"] == "first_contact_resolution")
    assert fcr["current"] == 0.5 and fcr["evidence"]["n"] == 10
    assert all(e["used"] for e in results["evidence"])
    # the preview is consumed
    assert panel.report is None and panel.preview.value == ""
    assert panel.accept_button.disabled and "Accepted: 8 values" in panel.status.value


def test_a_saved_intake_carries_the_evidence_sheet(form: AssessmentForm, framework: Framework,
                                                   tmp_path: Path) -> None:
    _computed(form).accept_button.click()
    saved = form.save_intake(tmp_path / "filled.xlsx")
    assert SHEETS["evidence"] in openpyxl.load_workbook(saved).sheetnames
    back = read_intake(saved, framework)
    assert back.evidence_overridden == {}
    assert [(f.target, f.id, f.n) for f in back.evidence] == [
        (f.target, f.id, f.n) for f in form.data().evidence]
    assert [f.value for f in back.evidence] == pytest.approx(
        [f.value for f in form.data().evidence], rel=1e-12)
    assert back.current["first_contact_resolution"] == 0.5
    # a form loaded from it knows the evidence again; a reset forgets it
    again = AssessmentForm(framework, saved)
    assert len(again.data().evidence) == 8 and again.data().evidence_overridden == {}
    again.reset()
    assert again.data().evidence == []


def test_a_value_typed_over_the_evidence_is_set_aside(form: AssessmentForm) -> None:
    _computed(form).accept_button.click()
    form.kpi_rows["first_contact_resolution"].current.widget.value = "60"
    data = form.data()
    assert data.current["first_contact_resolution"] == 0.6
    assert ("kpi", "first_contact_resolution") in data.evidence_overridden
    used = {e["id"]: e["used"] for e in form.results()["evidence"]}
    assert used["first_contact_resolution"] is False and used["time_to_resolve"] is True


def test_discard_drops_the_preview(form: AssessmentForm) -> None:
    before = _inputs(form)
    panel = _computed(form)
    panel.discard_button.click()
    assert panel.preview.value == "" and panel.report is None
    assert panel.accept_button.disabled and panel.discard_button.disabled
    panel.accept()  # nothing to accept
    assert _inputs(form) == before


def test_missing_required_columns_are_listed_without_a_traceback(form: AssessmentForm) -> None:
    before = _inputs(form)
    panel = _computed(form, "tickets.csv", b"id,opened\n1,2024-01-01\n")
    text = _text(panel.issues.value)
    assert "could not be used" in text and "required columns are missing" in text
    for column in ("ticket_id", "created_at", "resolved_at"):
        assert column in text
    assert "generic" in text and "'id', 'opened'" in text  # the mapping and what the file has
    assert "Traceback" not in panel.issues.value and form.errors.value == ""
    assert panel.report is None and panel.preview.value == "" and panel.accept_button.disabled
    assert not panel.compute_button.disabled and COMPUTING not in panel.status.value
    assert _inputs(form) == before


def test_no_file_chosen_says_so(form: AssessmentForm) -> None:
    form.evidence_panel.compute_button.click()
    assert "no file chosen" in form.evidence_panel.issues.value


def test_an_html_looking_file_name_is_escaped(form: AssessmentForm) -> None:
    name = "<img src=x onerror=alert(1)>.csv"
    panel = _computed(form, name)
    assert panel.issues.value == ""
    for shown in (panel.file_label.value, panel.preview.value):
        assert "<img" not in shown and "&lt;img src=x onerror=alert(1)&gt;.csv" in shown
    assert panel.report is not None and "<" not in panel.report.source["file"]
    panel.accept_button.click()
    assert "<img" not in panel.status.value
    # and in the problems of a file that cannot be used
    panel = _computed(form, name, b"id\n1\n")
    assert "<img" not in panel.issues.value and "ticket_id" in panel.issues.value


@pytest.mark.parametrize(("name", "safe"), [
    ("tickets.csv", "tickets.csv"),
    ("../../etc/passwd.parquet", "passwd.parquet"),
    ("C:\\exports\\Tickets March.CSV", "Tickets March.CSV"),
    ("<b>x<b>.csv", "_b_x_b_.csv"),
    ("a/<b>x</b>.csv", "b_.csv"),  # a slash is a folder part
    (".csv", "export.csv"),
    ("", "export"),
    ("a" * 300 + ".csv", "a" * 120 + ".csv"),
])
def test_safe_file_name_keeps_the_suffix(name: str, safe: str) -> None:
    assert safe_file_name(name) == safe


def test_the_upload_button_chooses_the_file(form: AssessmentForm) -> None:
    panel = form.evidence_panel
    content = FIXTURE.read_bytes()
    panel.upload.value = ({"name": FIXTURE.name, "type": "text/csv", "size": len(content),
                           "content": memoryview(content),
                           "last_modified": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)},)
    assert panel.file == (FIXTURE.name, content)
    assert FIXTURE.name in panel.file_label.value
    panel.compute_button.click()
    assert "first_contact_resolution" in _rows(panel.preview.value)


def test_computing_shows_a_status_while_it_runs(form: AssessmentForm) -> None:
    panel = form.evidence_panel
    seen: list[str] = []
    panel.status.observe(lambda change: seen.append(change["new"]), names="value")
    panel.load_bytes(FIXTURE.name, FIXTURE.read_bytes())
    panel.compute()
    assert any(COMPUTING in s for s in seen)
    assert COMPUTING not in panel.status.value and "Preview" in panel.status.value


def test_a_survey_fills_its_kpi(form: AssessmentForm) -> None:
    panel = form.evidence_panel
    panel.kind.value = "csat"
    panel.load_bytes("csat.csv", b"csat,date\n5,2024-05-01\n4,2024-05-02\n3,2024-05-03\n"
                                 b"5,2024-05-04\n2,2024-05-05\n9,2024-05-06\n")
    panel.compute_button.click()
    rows = _rows(panel.preview.value)
    assert rows["csat"][2:4] == ["60%", "5"]  # 3 of 5 answered 4 or 5
    assert "outside_scale" in panel.preview.value  # the 9, row 7
    panel.accept_button.click()
    assert form.data().current["csat"] == 0.6


def test_an_expectation_survey_fills_the_ratings(form: AssessmentForm) -> None:
    panel = form.evidence_panel
    panel.kind.value = "expectations"
    panel.load_bytes("expectations.csv", (
        b"group,availability.importance,availability.performance,availability.priority\n"
        b"customer,5,3,\ncustomer,4,4,\nstaff,,,5\n"))
    panel.compute_button.click()
    rows = _rows(panel.preview.value)
    assert rows["availability.importance"][2].startswith("4.5 ")
    assert "fewer than 5 respondents" in rows["availability.priority"][2]
    assert "no rating column" in _text(panel.preview.value)  # the other dimensions
    panel.accept_button.click()
    ratings = form.data().ratings["availability"]
    assert (ratings["importance"], ratings["performance"], ratings["priority"]) == (4.5, 3.5, 5)
    assert form.ratings["availability"]["importance"].widget.value == "4.5"


def test_a_figure_the_framework_has_no_place_for_is_not_applied(form: AssessmentForm) -> None:
    panel = _computed(form)
    assert panel.report is not None
    odd = dataclasses.replace(panel.report.figures[0], id="not_a_kpi")
    panel.report.figures.append(odd)
    panel.accept_button.click()
    assert "not_a_kpi" not in form.data().current
    assert all(f.id != "not_a_kpi" for f in form.data().evidence)


def test_an_unknown_time_zone_is_listed(form: AssessmentForm) -> None:
    form.evidence_panel.timezone.value = "Mars/Olympus"
    panel = _computed(form)
    assert "Mars/Olympus" in _text(panel.issues.value) and panel.report is None


def test_a_parquet_export_gives_the_same_figures(form: AssessmentForm, tmp_path: Path) -> None:
    import duckdb

    parquet = tmp_path / "tickets.parquet"
    duckdb.sql(f"COPY (SELECT * FROM read_csv('{FIXTURE}', all_varchar = true)) "
               f"TO '{parquet}' (FORMAT parquet)")
    rows = _rows(_computed(form, "Tickets.parquet", parquet.read_bytes()).preview.value)
    assert rows["first_contact_resolution"][2:4] == ["50%", "10"]
    assert rows["time_to_resolve"][2:4] == ["5.5 h", "10"]
