"""Issue 11, hostile inputs in the Profile and in names: items 7, 11, 14 and 15.

Each test drives a real workbook through the command line and checks the exit code, the exact
cell named on stderr, that no traceback is shown and that nothing is written.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import sample_intake
from openpyxl import Workbook
from workbooks import cell, edits, where

from assessment.cli import main
from assessment.core.errors import Issue, printable
from assessment.core.framework import Framework
from assessment.core.model import IntakeData
from assessment.intake.layout import PROFILE_FIELDS, SHEETS
from assessment.intake.reader import profile_value
from assessment.scorecard.summary import comparison_text

Make = Callable[..., Path]
#: A number no intake holds; its XML text is swapped for 1E999 (infinity) after saving.
MARKER = 987654.125
#: Characters that act on a terminal: CSI (C1), right-to-left override, ESC, newline.
HOSTILE = ("\x9b", "\u202e", "\x1b", "\x85")


@pytest.fixture
def sample(framework: Framework) -> IntakeData:
    """The shared sample intake (in EUR) with the exchange rate version 2.0 requires."""
    data = sample_intake(framework)
    data.profile.setdefault("fx_rate", 0.92)
    return data


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def files_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def refused(capsys: pytest.CaptureFixture[str], path: Path, out: Path) -> str:
    """Score ``path``: exit 2, no traceback, nothing written; returns stderr."""
    code, stdout, stderr = run(capsys, "score", path, "--out", out)
    assert code == 2, stderr
    assert "Traceback" not in stdout + stderr
    assert "nothing was written" in stderr
    assert files_in(out) == []
    return stderr


def patch_parts(path: Path, old: bytes, new: bytes) -> None:
    """Replace ``old`` by ``new`` in every worksheet part of the saved workbook."""
    with zipfile.ZipFile(path) as src:
        parts = {name: src.read(name) for name in src.namelist()}
    assert any(old in data for data in parts.values())
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in parts.items():
            dst.writestr(name, data.replace(old, new) if name.startswith("xl/worksheets/")
                         else data)


def add_profile_row(key: str, value: object) -> Callable[[Workbook], None]:
    def edit(wb: Workbook) -> None:
        ws = wb[SHEETS["profile"]]
        row = ws.max_row + 1
        ws.cell(row, 1, key)
        ws.cell(row, 3, value)
    return edit


def extra_row_coord(wb: Workbook, column: str) -> str:
    return f"{SHEETS['profile']}!{column}{wb[SHEETS['profile']].max_row}"


# ----------------------------------------------------------------------------- item 7

#: case -> (role, row id, key) of a number cell that will hold 1E999
INFINITE_CELLS = {
    "consultant": ("profile", "consultant", "value"),
    "region": ("profile", "region", "value"),
    "annual revenue": ("profile", "annual_revenue", "value"),
    "support cost": ("profile", "support_cost", "value"),
    "exchange rate": ("profile", "fx_rate", "value"),
    "self-rated alignment": ("profile", "self_rated_alignment", "value"),
    "KPI current": ("kpis", "cost_per_case", "current"),
    "KPI target": ("kpis", "cases_per_engineer_month", "target"),
    "practice answer": ("renewal_practices", "renewal_ownership", "answer"),
    "rating": ("customer_expectations", "availability", "importance"),
}


@pytest.mark.parametrize("case", list(INFINITE_CELLS))
def test_item07_infinite_number_exits_2_naming_the_cell(
        case: str, framework: Framework, sample: IntakeData, tmp_intake: Make, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    role, row_id, key = INFINITE_CELLS[case]
    path = tmp_intake(framework, sample, edits((role, row_id, key, MARKER)))
    patch_parts(path, str(MARKER).encode(), b"1E999")
    stderr = refused(capsys, path, tmp_path / "out")
    location = where(_filled(framework, sample), role, row_id, key)
    assert f"  {location}: " in stderr


def test_item07_infinite_number_in_extra_profile_row(
        framework: Framework, sample: IntakeData, tmp_intake: Make, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    edit = add_profile_row("budget", MARKER)
    path = tmp_intake(framework, sample, edit)
    patch_parts(path, str(MARKER).encode(), b"-1E999")
    stderr = refused(capsys, path, tmp_path / "out")
    wb = _filled(framework, sample)
    edit(wb)
    assert f"  {extra_row_coord(wb, 'C')}: 'budget' holds a number too large" in stderr


def test_item07_nan_in_free_profile_field_is_refused() -> None:
    with pytest.raises(Exception, match="Region holds a number too large"):
        profile_value("region", float("nan"))


# ----------------------------------------------------------------------------- item 11


@pytest.mark.parametrize("key", ["name", "Name "])
def test_item11_extra_row_named_name_is_refused(
        key: str, framework: Framework, sample: IntakeData, tmp_intake: Make, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    edit = add_profile_row(key, "../../evil")
    path = tmp_intake(framework, sample, edit)
    stderr = refused(capsys, path, tmp_path / "out")
    wb = _filled(framework, sample)
    edit(wb)
    assert (f"  {extra_row_coord(wb, 'A')}: the key 'name' is reserved for the organization's "
            "name") in stderr
    assert "another key for this extra row" in stderr


def test_item11_other_extra_rows_still_reach_the_results(
        framework: Framework, sample: IntakeData, tmp_intake: Make, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_intake(framework, sample, add_profile_row("trading_name", "Acme Trading"))
    code, stdout, stderr = run(capsys, "score", path, "--out", tmp_path / "out",
                               "--format", "json", "--quiet")
    assert code == 0, stderr
    results = next((tmp_path / "out").rglob("results.json")).read_text(encoding="utf-8")
    assert '"name": "Acme Support"' in results
    assert '"trading_name": "Acme Trading"' in results


# ----------------------------------------------------------------------------- item 14


#: case -> (Profile row id, value, the exact text after "Profile!Cn: ")
PROFILE_MESSAGES = {
    "number text": ("annual_revenue", "lots",
                    "Annual revenue 'lots' is not a number — a number of 0 or more, such as "
                    "1,200,000"),
    "negative count": ("active_customers", -5,
                       "Active customers '-5' is not a number of 0 or more — a number of 0 or "
                       "more, such as 250"),
    "percent headcount": ("support_headcount", "50%",
                          "Support headcount (FTE) '50%' is not a number of 0 or more — a number "
                          "of 0 or more, such as 12"),
    "blank date": ("assessment_date", None,
                   "Assessment date is required — a date such as 2025-03-31"),
    "bad date": ("assessment_date", "31/03/2025",
                 "Assessment date '31/03/2025' is not a date — a date such as 2025-03-31 "
                 "(YYYY-MM-DD)"),
    "blank support model": ("support_model", " ", "Support model is required — one of "),
    "bad support model": ("support_model", "outsourced",
                          "Support model 'outsourced' is not one of the choices — one of "
                          "internal, external, blended"),
    "bad currency": ("currency", "Euro",
                     "Currency 'Euro' is not a 3-letter currency code — a 3-letter currency "
                     "code such as USD or EUR"),
    "segment typo": ("segment", "it_servce_desk",
                     "Peer group 'it_servce_desk' is not one of the framework's peer groups; "
                     "did you mean 'it_service_desk' (Internal IT service desk)? — one of "),
    "zero rate": ("fx_rate", 0, "Exchange rate '0' is not a number above 0 — a number above 0: "
                                "how many units of your currency one unit of the framework's "
                                "currency buys"),
    "blank rate for EUR": ("fx_rate", None, "EUR differs from the framework's USD: give the "
                                            "exchange rate — the Exchange rate: how many EUR "
                                            "one USD buys"),
    "alignment 11": ("self_rated_alignment", 11,
                     "Alignment with customers (0–10) '11' is not a number from 0 to 10 — a "
                     "number from 0 (not at all aligned) to 10 (completely), e.g. 7"),
    "negative cases": ("assisted_cases", -1,
                       "Assisted cases per year '-1' is not a number of 0 or more — a number of "
                       "0 or more, such as 42,300"),
    "text headcount": ("support_headcount", "twelve",
                       "Support headcount (FTE) 'twelve' is not a number — a number of 0 or "
                       "more, such as 12"),
}


MACHINE_KEYS = tuple(f.key for f in PROFILE_FIELDS if "_" in f.key)


@pytest.mark.parametrize("case", list(PROFILE_MESSAGES))
def test_item14_profile_messages_name_the_label_and_the_fix(
        case: str, framework: Framework, sample: IntakeData, tmp_intake: Make,
        capsys: pytest.CaptureFixture[str]) -> None:
    row_id, value, text = PROFILE_MESSAGES[case]
    path = tmp_intake(framework, sample, edits(("profile", row_id, "value", value)))
    code, stdout, stderr = run(capsys, "validate", path)
    assert code == 2
    assert "Traceback" not in stdout + stderr
    line = next(x for x in stderr.splitlines() if "Profile!" in x)
    location = where(_filled(framework, sample), "profile", row_id, "value")
    assert line.startswith(f"  {location}: {text}")
    assert not any(key in line for key in MACHINE_KEYS)  # the hidden machine keys are not shown


def test_item14_missing_required_row_names_its_label(
        framework: Framework, sample: IntakeData, tmp_intake: Make,
        capsys: pytest.CaptureFixture[str]) -> None:
    def drop(wb: Workbook) -> None:
        target = cell(wb, "profile", "assessment_date", "value")
        target.parent.delete_rows(target.row)

    code, _, stderr = run(capsys, "validate", tmp_intake(framework, sample, drop))
    assert code == 2
    assert ("  Profile: the required Assessment date row is missing — a row with "
            "'assessment_date' in the Key column") in stderr


def test_item14_form_shows_the_same_label() -> None:
    form = pytest.importorskip("assessment.interactive.form")
    value, issue = form.parse_profile_entry("assessment_date", "")
    assert value is None and issue is not None
    assert issue.message == "Assessment date is required"


# ----------------------------------------------------------------------------- item 15


def _rename(old: str, new: str) -> Callable[[Workbook], None]:
    def edit(wb: Workbook) -> None:
        wb[old].title = new
    return edit


@pytest.mark.parametrize("control", ["\x9b", "\u202e"])
def test_item15_sheet_names_are_printed_safely(
        control: str, framework: Framework, sample: IntakeData, tmp_intake: Make,
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hostile = f"Renewals{control}31m"
    path = tmp_intake(framework, sample, _rename(SHEETS["renewal_practices"], hostile))
    stderr = refused(capsys, path, tmp_path / "out")
    assert not any(c in stderr for c in HOSTILE)
    assert f"Renewals{printable(control)}31m" in stderr  # shown as a visible escape
    assert "  Renewal practices: sheet 'Renewal practices' not found" in stderr


def test_item15_matched_sheet_with_control_character_in_location(
        framework: Framework, sample: IntakeData, tmp_intake: Make, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """A title that only differs by a stripped control character (NEL) is still the sheet;
    the location shows it escaped."""
    edit = edits(("profile", "currency", "value", "Euro"))
    rename = _rename(SHEETS["profile"], "Profile\x85")
    path = tmp_intake(framework, sample, lambda wb: (edit(wb), rename(wb)))
    stderr = refused(capsys, path, tmp_path / "out")
    coord = cell(_filled(framework, sample), "profile", "currency", "value").coordinate
    assert f"  Profile\\x85!{coord}: Currency 'Euro'" in stderr
    assert not any(c in stderr for c in HOSTILE)


def test_item15_warnings_and_summary_are_printed_safely(
        framework: Framework, sample: IntakeData, tmp_intake: Make, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """A warning naming such a sheet reaches the summary table escaped."""
    def edit(wb: Workbook) -> None:
        target = cell(wb, "kpis", "csat", "kpi_id")
        target.parent.delete_rows(target.row)
        target.parent.title = "KPIs\x85"

    path = tmp_intake(framework, sample, edit)
    code, stdout, stderr = run(capsys, "score", path, "--out", tmp_path / "out",
                               "--format", "json")
    assert code == 0, stderr
    assert "KPIs\\x85: no row for KPI 'csat'" in stdout
    assert not any(c in stdout + stderr for c in HOSTILE)
    code, stdout, _ = run(capsys, "validate", path)
    assert code == 0 and "warning: KPIs\\x85: no row for KPI 'csat'" in stdout


def test_item15_issue_text_is_printable_everywhere() -> None:
    issue = Issue("bad \x1b[2J value\nfake line", "fix \u2066it", sheet="S\x9bheet", cell="C7")
    assert str(issue) == "S\\x9bheet!C7: bad \\x1b[2J value\\x0afake line — fix \\u2066it"
    assert issue.as_dict()["location"] == "S\\x9bheet!C7"
    assert printable("Zürich — ok") == "Zürich — ok"


def test_item15_comparison_table_escapes_names() -> None:
    row = {"organization": "Evil\u202eCorp", "assessment_date": "2025-01-01", "index": 50.0,
           "profit": 1.0, "reputation": 2.0, "efficiency": 3.0, "effectiveness": 4.0,
           "renewal_health": 5.0}
    text = comparison_text([row])
    assert "Evil\\u202eCorp" in text and "\u202e" not in text


def _filled(framework: Framework, sample: IntakeData) -> Workbook:
    from assessment.intake.template import fill_intake

    return fill_intake(framework, sample)
