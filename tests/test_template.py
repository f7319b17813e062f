"""The blank intake template: layout, validation, protection, version and determinism."""

from __future__ import annotations

import copy
import io
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from assessment.core.framework import Framework
from assessment.core.model import IntakeData
from assessment.files.write import workbook_bytes
from assessment.intake.layout import (
    FIRST_ROW,
    KEY_ROW,
    OPTIONAL_SHEETS,
    SHEETS,
    TEMPLATE_DATE,
    TEMPLATE_SHEETS,
    TEMPLATE_VERSION,
    answer_labels,
)
from assessment.intake.template import build_template, fill_intake, write_template

REPO = Path(__file__).resolve().parent.parent
SHIPPED = REPO / "templates" / "intake.xlsx"

#: Input columns of each table sheet, by machine key.
INPUT_KEYS: dict[str, tuple[str, ...]] = {
    "profile": ("value",),
    "kpis": ("current", "target", "notes"),
    "renewal_practices": ("answer", "notes"),
    "excellence_practices": ("answer", "notes"),
    "customer_expectations": ("importance", "performance", "priority", "notes"),
    "initiatives": ("chosen", "owner", "due_date", "status", "inhibitors", "notes"),
    "findings": ("wording",),
}
REQUIRED_KEYS: dict[str, tuple[str, ...]] = {
    "profile": ("field", "value"),
    "kpis": ("kpi_id", "current", "target"),
    "renewal_practices": ("item_id", "answer"),
    "excellence_practices": ("item_id", "answer"),
    "customer_expectations": ("dimension_id", "importance", "performance", "priority"),
    "initiatives": ("initiative_id", "chosen", "owner", "due_date", "status", "inhibitors"),
    "findings": ("finding_id", "wording"),
}


@pytest.fixture(scope="module")
def book(framework: Framework) -> openpyxl.Workbook:
    """The template as a client opens it (saved and loaded again)."""
    raw = workbook_bytes(build_template(framework), TEMPLATE_DATE)
    return openpyxl.load_workbook(io.BytesIO(raw))


def key_columns(ws: Worksheet) -> dict[str, int]:
    return {c.value: c.column for c in ws[KEY_ROW] if c.value}


def data_rows(ws: Worksheet) -> dict[str, int]:
    return {ws.cell(r, 1).value: r for r in range(FIRST_ROW, ws.max_row + 1)
            if ws.cell(r, 1).value}


def expected_inputs(ws: Worksheet, role: str, framework: Framework) -> set[str]:
    cols = key_columns(ws)
    out = set()
    for row_id, row in data_rows(ws).items():
        for key in INPUT_KEYS[role]:
            if role == "kpis" and key == "target" and framework.kpi(row_id).direction == "band":
                continue
            out.add(ws.cell(row, cols[key]).coordinate)
    return out


def validations(ws: Worksheet) -> dict[str, Any]:
    found = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            for row in ws.iter_rows(min_row=rng.min_row, max_row=rng.max_row,
                                    min_col=rng.min_col, max_col=rng.max_col):
                for cell in row:
                    found[cell.coordinate] = dv
    return found


# ----------------------------------------------------------------------------- layout


def test_eight_sheets_in_order(book: openpyxl.Workbook) -> None:
    """The blank template has eight sheets; the ninth, Evidence, is written only with a copy
    filled from raw exports (support-excellence evidence … --intake)."""
    assert book.sheetnames == [SHEETS[role] for role in TEMPLATE_SHEETS]
    assert list(SHEETS) == ["instructions", "profile", "kpis", "renewal_practices",
                            "excellence_practices", "customer_expectations", "initiatives",
                            "findings", "evidence"]
    assert OPTIONAL_SHEETS == ("initiatives", "findings", "evidence")


@pytest.mark.parametrize("role", list(REQUIRED_KEYS))
def test_machine_key_row_under_a_label_row(book: openpyxl.Workbook, role: str) -> None:
    ws = book[SHEETS[role]]
    keys = key_columns(ws)
    assert set(REQUIRED_KEYS[role]) <= set(keys)
    for col in keys.values():
        assert ws.cell(KEY_ROW - 1, col).value, "every key has a human label above it"
        assert ws.cell(KEY_ROW, col).font.sz == 8  # discreet, but present


def test_every_framework_row_present(book: openpyxl.Workbook, framework: Framework) -> None:
    assert set(data_rows(book[SHEETS["kpis"]])) == {k.id for k in framework.kpis}
    for qid, questionnaire in framework.questionnaires.items():
        assert list(data_rows(book[SHEETS[qid]])) == [i.id for i in questionnaire.items]
    assert list(data_rows(book[SHEETS["initiatives"]])) == [i.id for i in framework.initiatives]
    assert list(data_rows(book[SHEETS["findings"]])) == [f.id for f in framework.findings]
    profile = data_rows(book[SHEETS["profile"]])
    assert {"organization", "industry", "support_model", "currency",
            "assessment_date"} <= set(profile)


def test_kpis_grouped_by_element_with_section_rows(book: openpyxl.Workbook,
                                                   framework: Framework) -> None:
    ws = book[SHEETS["kpis"]]
    sections = [ws.cell(r, 2).value for r in range(FIRST_ROW, ws.max_row + 1)
                if ws.cell(r, 1).value is None and ws.cell(r, 2).value]
    assert sections == [*(framework.element_names[e] for e in
                          ("profit", "reputation", "efficiency", "effectiveness")), "Renewal"]
    rows = data_rows(ws)
    order = sorted(rows, key=rows.get)
    areas = [framework.kpi(k).element for k in order]
    assert areas == sorted(areas, key=["profit", "reputation", "efficiency", "effectiveness",
                                       "renewal"].index)


# ----------------------------------------------------------------------------- inputs


@pytest.mark.parametrize("role", list(INPUT_KEYS))
def test_inputs_unlocked_everything_else_locked(book: openpyxl.Workbook, framework: Framework,
                                                role: str) -> None:
    ws = book[SHEETS[role]]
    inputs = expected_inputs(ws, role, framework)
    assert inputs
    unlocked = {c.coordinate for row in ws.iter_rows() for c in row if not c.protection.locked}
    assert unlocked == inputs
    for coord in inputs:
        assert ws[coord].fill.fgColor.rgb.endswith("FFF2CC"), coord


def test_instructions_sheet_has_no_inputs(book: openpyxl.Workbook) -> None:
    ws = book[SHEETS["instructions"]]
    assert all(c.protection.locked for row in ws.iter_rows() for c in row)


@pytest.mark.parametrize("role", list(INPUT_KEYS))
def test_every_input_validated_with_messages_shown(book: openpyxl.Workbook,
                                                   framework: Framework, role: str) -> None:
    ws = book[SHEETS[role]]
    found = validations(ws)
    for coord in expected_inputs(ws, role, framework):
        dv = found.get(coord)
        assert dv is not None, f"{ws.title}!{coord} has no data validation"
        assert dv.showErrorMessage is True and dv.showInputMessage is True, coord
        assert dv.prompt and dv.promptTitle and dv.error and dv.errorTitle, coord
        assert len(dv.prompt) <= 255 and len(dv.promptTitle) <= 32


def test_numeric_ranges_from_framework(book: openpyxl.Workbook, framework: Framework) -> None:
    ws = book[SHEETS["kpis"]]
    cols, rows, found = key_columns(ws), data_rows(ws), validations(ws)

    def rule(kpi_id: str) -> tuple[str, str, str | None, str | None]:
        dv = found[ws.cell(rows[kpi_id], cols["current"]).coordinate]
        return dv.type, dv.operator, dv.formula1, dv.formula2

    assert rule("csat") == ("decimal", "between", "0", "1")
    assert rule("nps") == ("decimal", "between", "-100", "100")
    assert rule("recurring_revenue_rate") == ("decimal", "between", "0", "3")
    assert rule("cost_per_case") == ("decimal", "greaterThanOrEqual", "0", None)
    target = found[ws.cell(rows["csat"], cols["target"]).coordinate]
    assert (target.formula1, target.formula2) == ("0", "1")


def test_answer_and_profile_dropdowns(book: openpyxl.Workbook, framework: Framework) -> None:
    ws = book[SHEETS["excellence_practices"]]
    dv = validations(ws)[ws.cell(FIRST_ROW, key_columns(ws)["answer"]).coordinate]
    assert dv.type == "list"
    choices = dv.formula1.strip('"').split(",")
    assert choices == [*answer_labels(framework), "n/a"]
    assert choices[0] == "0 – Not in place" and choices[4] == "4 – Optimized"
    profile = book[SHEETS["profile"]]
    rows, found = data_rows(profile), validations(profile)
    model = found[f"C{rows['support_model']}"]
    assert model.formula1 == '"internal,external,blended"'
    currency = found[f"C{rows['currency']}"].formula1.strip('"').split(",")
    assert {"USD", "EUR", "GBP", "CAD", "AUD", "CHF", "JPY", "SEK", "NOK", "DKK", "INR",
            "BRL"} <= set(currency)
    assert found[f"C{rows['assessment_date']}"].type == "date"
    segment = found[f"C{rows['segment']}"]
    assert segment.type == "list"
    assert segment.formula1 == '"' + ",".join(framework.settings.segments) + '"'
    assert set(framework.settings.segments) >= {"it_service_desk", "b2b_software",
                                                "hardware_field_service", "consumer"}
    rate = found[f"C{rows['fx_rate']}"]
    assert (rate.type, rate.operator, rate.formula1) == ("decimal", "greaterThan", "0")
    alignment = found[f"C{rows['self_rated_alignment']}"]
    assert (alignment.type, alignment.formula1, alignment.formula2) == ("decimal", "0", "10")
    for key in ("annual_revenue", "support_cost", "contract_revenue_base", "support_headcount"):
        dv = found[f"C{rows[key]}"]
        assert (dv.type, dv.operator, dv.formula1) == ("decimal", "greaterThanOrEqual", "0")
    for key in ("assisted_cases", "active_customers"):
        assert found[f"C{rows[key]}"].type == "whole"
    ratings = book[SHEETS["customer_expectations"]]
    dv = validations(ratings)[ratings.cell(FIRST_ROW, key_columns(ratings)["importance"])
                              .coordinate]
    assert (dv.type, dv.formula1, dv.formula2) == ("decimal", "1", "5")


def test_percent_inputs_formatted_as_percent(book: openpyxl.Workbook,
                                             framework: Framework) -> None:
    ws = book[SHEETS["kpis"]]
    cols, rows = key_columns(ws), data_rows(ws)
    for kpi in framework.kpis:
        current = ws.cell(rows[kpi.id], cols["current"])
        if kpi.unit == "percent":
            assert current.number_format == "0.0%", kpi.id
            if kpi.direction != "band":
                assert ws.cell(rows[kpi.id], cols["target"]).number_format == "0.0%"
        else:
            assert "%" not in current.number_format, kpi.id


def test_targets_blank_and_band_target_locked_text(book: openpyxl.Workbook,
                                                   framework: Framework) -> None:
    """Version 2.0: blank = the framework's target for the peer group, shown beside it."""
    ws = book[SHEETS["kpis"]]
    cols, rows = key_columns(ws), data_rows(ws)
    for kpi in framework.kpis:
        if kpi.direction != "band":
            assert ws.cell(rows[kpi.id], cols["target"]).value is None, kpi.id
    band = ws.cell(rows["engineer_utilization"], cols["target"])
    assert band.value == "50% to 60% (band)"
    assert band.protection.locked
    cost = ws.cell(rows["cost_per_case"], cols["framework"]).value.splitlines()
    assert cost[0] == "General: target USD 25, 0 at USD 60"
    assert "B2B software support: target USD 75, 0 at USD 250" in cost
    assert ws.cell(rows["support_revenue_growth"], cols["framework"]).value == \
        "target 8%, 0 at -5%"
    prompt = validations(ws)[ws.cell(rows["cost_per_case"], cols["target"]).coordinate].prompt
    assert "Blank = the framework's target for your peer group" in prompt
    assert "in your currency" in prompt


def test_filled_intake_writes_only_its_own_targets(framework: Framework,
                                                   sample: IntakeData) -> None:
    data = copy.deepcopy(sample)
    data.targets = {"csat": 0.9}
    ws = fill_intake(framework, data)[SHEETS["kpis"]]
    cols, rows = key_columns(ws), data_rows(ws)
    assert ws.cell(rows["csat"], cols["target"]).value == 0.9
    assert ws.cell(rows["nps"], cols["target"]).value is None


def test_profile_rows_labelled_for_a_client(book: openpyxl.Workbook,
                                            framework: Framework) -> None:
    ws = book[SHEETS["profile"]]
    rows = data_rows(ws)
    assert list(rows)[:5] == ["organization", "industry", "support_model", "currency",
                              "assessment_date"]
    assert {"segment", "fx_rate", "self_rated_alignment", "annual_revenue", "support_cost",
            "contract_revenue_base", "assisted_cases", "support_headcount",
            "active_customers"} <= set(rows)
    help_of = {key: ws.cell(row, 4).value for key, row in rows.items()}
    label_of = {key: ws.cell(row, 2).value for key, row in rows.items()}
    assert "b2b_software = B2B software support" in help_of["segment"]
    assert "one USD buys" in help_of["fx_rate"]
    assert ("On a scale of 0 to 10, how well aligned are your support priorities with what "
            "your customers expect?") in help_of["self_rated_alignment"]
    for key in ("annual_revenue", "support_cost", "assisted_cases", "support_headcount",
                "active_customers"):
        assert "e.g." in help_of[key], key
        assert "_" not in label_of[key], key
    assert ws.cell(rows["support_cost"], 3).number_format == "#,##0"
    assert ws.cell(rows["support_headcount"], 3).number_format == "#,##0.0"


def test_initiatives_sheet_for_a_client(book: openpyxl.Workbook, framework: Framework) -> None:
    """Each framework initiative pre-filled with its words (read-only), then the inputs with
    a yes/no and a status dropdown and a date rule; the statuses explained in the help."""
    ws = book[SHEETS["initiatives"]]
    cols, rows, found = key_columns(ws), data_rows(ws), validations(ws)
    first = framework.initiatives[0]
    row = rows[first.id]
    assert ws.cell(row, cols["name"]).value == first.name
    assert ws.cell(row, cols["description"]).value == first.description
    assert ws.cell(row, cols["owner_role"]).value == first.owner
    assert ws.cell(row, cols["horizon"]).value == {"days_0_90": "0–90 days",
                                                   "months_3_6": "3–6 months",
                                                   "months_6_12": "6–12 months"}[first.horizon]
    assert ws.cell(row, cols["effort"]).value.startswith(first.effort + " (")
    for key in ("initiative_id", "name", "description", "effort", "horizon", "owner_role"):
        assert ws.cell(row, cols[key]).protection.locked, key
    assert found[ws.cell(row, cols["chosen"]).coordinate].formula1 == '"yes,no"'
    status = found[ws.cell(row, cols["status"]).coordinate]
    assert status.formula1 == '"not_started,in_progress,done,dropped"'
    assert "in_progress = under way" in status.prompt
    assert "in_progress = under way" in ws["A2"].value
    due = ws.cell(row, cols["due_date"])
    assert found[due.coordinate].type == "date" and due.number_format == "yyyy-mm-dd"
    assert found[ws.cell(row, cols["inhibitors"]).coordinate].formula1 == "2000"
    assert found[ws.cell(row, cols["owner"]).coordinate].formula1 == "200"
    assert ws.print_title_rows == f"${KEY_ROW - 1}:${KEY_ROW}"
    assert ws.page_setup.orientation == "landscape"


def test_findings_sheet_for_a_consultant(book: openpyxl.Workbook, framework: Framework) -> None:
    ws = book[SHEETS["findings"]]
    cols, rows = key_columns(ws), data_rows(ws)
    for finding in framework.findings:
        row = rows[finding.id]
        assert ws.cell(row, cols["rule"]).value == finding.rule
        assert ws.cell(row, cols["generated"]).value == finding.text
        assert ws.cell(row, cols["description"]).value
        assert ws.cell(row, cols["wording"]).value is None
    weak = ws.cell(rows["weak_element"], cols["description"]).value
    assert weak.endswith("(margin 15)")
    assert "exactly as written" in ws["A2"].value


def test_filled_intake_writes_tracking(framework: Framework, sample: IntakeData) -> None:
    data = copy.deepcopy(sample)
    first, second = (i.id for i in framework.initiatives[:2])
    data.initiatives = {first: {"chosen": True, "owner": "=SUM(A1)", "due_date": None,
                                "status": "done", "inhibitors": None, "notes": None},
                        second: {"chosen": False}}
    data.finding_wording = {framework.findings[0].id: "My words."}
    book = fill_intake(framework, data)
    ws = book[SHEETS["initiatives"]]
    cols, rows = key_columns(ws), data_rows(ws)
    assert ws.cell(rows[first], cols["chosen"]).value == "yes"
    assert ws.cell(rows[second], cols["chosen"]).value == "no"
    assert ws.cell(rows[first], cols["status"]).value == "done"
    owner = ws.cell(rows[first], cols["owner"])
    assert owner.value == "=SUM(A1)" and owner.data_type == "s"  # text, never a formula
    findings = book[SHEETS["findings"]]
    assert findings.cell(FIRST_ROW, key_columns(findings)["wording"]).value == "My words."


# ----------------------------------------------------------------------------- sheet setup


@pytest.mark.parametrize("role", TEMPLATE_SHEETS)
def test_sheets_protected_without_password(book: openpyxl.Workbook, role: str) -> None:
    protection = book[SHEETS[role]].protection
    assert protection.sheet is True
    assert not protection.password


@pytest.mark.parametrize("role", list(INPUT_KEYS))
def test_panes_frozen_below_headers(book: openpyxl.Workbook, role: str) -> None:
    pane = book[SHEETS[role]].freeze_panes
    assert pane is not None and pane.endswith(str(FIRST_ROW))


def test_template_version_recorded(book: openpyxl.Workbook, framework: Framework) -> None:
    names = book.defined_names
    assert list(names["template_version"].destinations) == [("Instructions", "$B$3")]
    cell = book["Instructions"]["B3"]
    assert cell.value == TEMPLATE_VERSION == "2.0"
    assert cell.protection.locked
    assert book["Instructions"]["A3"].value == "Template version"
    for name, value in (("framework_name", framework.name),
                        ("framework_version", framework.version)):
        ((sheet, ref),) = names[name].destinations
        assert book[sheet][ref.replace("$", "")].value == value
    assert book.properties.creator == "support-excellence"
    assert book.properties.title


def test_instructions_explain_the_rules(book: openpyxl.Workbook) -> None:
    text = " ".join(str(c.value) for row in book["Instructions"].iter_rows() for c in row
                    if c.value)
    for phrase in ("85%", "0.85", "never read as zero", "n/a", "0 – Not in place",
                   "4 – Optimized", "1 (very low) to 5 (very high)", "version 2.0",
                   "support-excellence template",
                   "support-excellence upgrade-intake OLD.xlsx NEW.xlsx",
                   "Leave the target cells blank", "one USD buys"):
        assert phrase in text, phrase


# ----------------------------------------------------------------------------- files


def _members(raw: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_shipped_template_is_up_to_date(framework: Framework, tmp_path: Path) -> None:
    assert SHIPPED.exists(), "templates/intake.xlsx is missing: run `make templates`"
    fresh = write_template(framework, tmp_path / "intake.xlsx").read_bytes()
    shipped, expected = _members(SHIPPED.read_bytes()), _members(fresh)
    assert sorted(shipped) == sorted(expected), "run `make templates`"
    for name, data in expected.items():
        assert shipped[name] == data, f"templates/intake.xlsx is stale ({name}): " \
                                      "run `make templates`"


def test_generation_is_deterministic(framework: Framework, tmp_path: Path) -> None:
    first = write_template(framework, tmp_path / "a.xlsx").read_bytes()
    second = write_template(framework, tmp_path / "b.xlsx").read_bytes()
    assert first == second


def test_custom_framework_gives_matching_template(mini_framework: Framework,
                                                  tmp_path: Path) -> None:
    mini = mini_framework
    book = openpyxl.load_workbook(write_template(mini, tmp_path / "mini.xlsx"))
    # no initiatives or findings in this framework: no optional sheets to fill
    assert book.sheetnames == [SHEETS[r] for r in SHEETS if r not in OPTIONAL_SHEETS]
    kpis = book[SHEETS["kpis"]]
    rows, cols = data_rows(kpis), key_columns(kpis)
    assert set(rows) == {k.id for k in mini.kpis}
    assert kpis.cell(rows["money_per_case"], cols["framework"]).value == \
        "target USD 20, 0 at USD 80"  # no segments: one line
    assert kpis.cell(rows["busy"], cols["target"]).value == "50% to 60% (band)"
    found = validations(kpis)
    wide = found[kpis.cell(rows["revenue_kept"], cols["current"]).coordinate]
    assert (wide.formula1, wide.formula2) == ("0", "3")
    assert list(data_rows(book[SHEETS["excellence_practices"]])) == ["exc_1", "exc_2", "exc_3"]
    assert list(data_rows(book[SHEETS["customer_expectations"]])) == ["dim_1", "dim_2"]
    answer = validations(book[SHEETS["renewal_practices"]])[f"D{FIRST_ROW}"]
    # commas would break the dropdown list syntax
    assert answer.formula1 == ('"0 – None,1 – Some,2 – Defined; documented,3 – Managed,'
                               '4 – Optimized,n/a"')
    assert book["Instructions"]["B4"].value == "Mini"
    assert book["Instructions"]["B5"].value == "0.1"
