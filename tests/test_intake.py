"""Reading intake workbooks: the round trip, and one test per kind of bad input."""

from __future__ import annotations

import copy
import datetime as dt
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import openpyxl.xml
import pytest
from conftest import sample_intake as shared_sample
from openpyxl import Workbook
from workbooks import cell, edits, where

from assessment.core.errors import IntakeError
from assessment.core.framework import Framework
from assessment.core.model import NA, IntakeData
from assessment.core.scoring import score
from assessment.intake.layout import FIRST_ROW, KEY_ROW, PROFILE_FIELDS, SHEETS, answer_labels
from assessment.intake.reader import parse_answer, parse_number, percent_value, read_intake
from assessment.intake.template import fill_intake, write_template

Make = Callable[..., Path]
V1_WORKBOOK = Path(__file__).resolve().parent / "data" / "v1" / "northwind-cloud.xlsx"
#: Hand-counted Profile rows: the five required fields on rows 5-9, then the new ones.
ROW = {"segment": 10, "fx_rate": 11, "self_rated_alignment": 12, "support_cost": 16}


@pytest.fixture
def sample(framework: Framework) -> IntakeData:
    """The shared sample intake (in EUR) with the exchange rate version 2.0 requires."""
    data = shared_sample(framework)
    data.profile.setdefault("fx_rate", 0.92)
    return data


def with_rate(data: IntakeData, rate: float = 0.92) -> IntakeData:
    data.profile.setdefault("fx_rate", rate)
    return data


def problems(path: Path, framework: Framework, **kwargs: Any) -> dict[str, str]:
    """Location -> str(issue) of every issue the reader reports."""
    with pytest.raises(IntakeError) as caught:
        read_intake(path, framework, **kwargs)
    return {issue.location: str(issue) for issue in caught.value.issues}


def locate(framework: Framework, sample: IntakeData, role: str, row_id: str, key: str) -> str:
    """Where the template puts a cell (found independently of the reader)."""
    return where(fill_intake(framework, sample), role, row_id, key)


# ----------------------------------------------------------------------------- round trip


def test_round_trip_default_framework(framework: Framework, sample: IntakeData,
                                      tmp_intake: Make) -> None:
    data = copy.deepcopy(sample)
    data.current["csat"] = None
    data.current["recurring_revenue_rate"] = 1.5
    data.current["nps"] = -12.5
    data.targets = {"csat": 0.9, "time_to_resolve": 12.0}
    data.notes = {"csat": "from the Q1 survey\nn=420",
                  "renewal_practices.auto_renewal": "only on new contracts",
                  "customer_expectations.availability": "24x7 for premium"}
    data.profile.update(region="EMEA", consultant="J. Doe", active_customers=1200,
                        annual_revenue=12_500_000.5, custom_field="kept",
                        segment="b2b_software", self_rated_alignment=6.5,
                        support_cost=1_100_000.0, contract_revenue_base=2_000_000.0,
                        assisted_cases=15_000, support_headcount=9.5)
    data.ratings["availability"]["priority"] = None
    read = read_intake(tmp_intake(framework, data), framework)
    assert read.profile == data.profile
    assert read.current == data.current
    assert read.targets == data.targets
    assert read.notes == data.notes
    assert read.answers == data.answers
    assert read.ratings == data.ratings
    assert read.warnings == []
    assert isinstance(read.profile["assessment_date"], dt.date)


def test_round_trip_custom_framework(sample_intake: Callable[[Framework], IntakeData],
                                     mini_framework: Framework, tmp_intake: Make) -> None:
    mini = mini_framework
    data = with_rate(sample_intake(mini))
    data.targets = {"revenue_kept": 1.2}
    data.current["revenue_kept"] = 2.5  # 250%: percent-formatted, so taken as is
    read = read_intake(tmp_intake(mini, data), mini)
    assert (read.current, read.targets, read.answers, read.ratings) == (
        data.current, data.targets, data.answers, data.ratings)


# ----------------------------------------------------------------------------- numbers


def test_text_in_a_number_cell(framework: Framework, sample: IntakeData,
                               tmp_intake: Make) -> None:
    path = tmp_intake(framework, sample, edits(("kpis", "csat", "current", "abc")))
    loc = locate(framework, sample, "kpis", "csat", "current")
    assert re.fullmatch(r"KPIs!F\d+", loc)
    assert problems(path, framework) == {
        loc: f"{loc}: 'abc' is not a number — a number such as 85% or 0.85"}


def test_boolean_is_not_a_number(framework: Framework, sample: IntakeData,
                                 tmp_intake: Make) -> None:
    path = tmp_intake(framework, sample, edits(("kpis", "cost_per_case", "current", True)))
    found = problems(path, framework)
    loc = locate(framework, sample, "kpis", "cost_per_case", "current")
    assert list(found) == [loc] and "TRUE is not a number" in found[loc]


@pytest.mark.parametrize(("kpi_id", "value", "message"), [
    ("nps", 150, "150 is out of range for Net Promoter Score (NPS) — a number from -100 to 100"),
    ("time_to_resolve", -5, "out of range"),
    ("csat", "120%", "120% is out of range — a percentage from 0% to 100%"),
    ("csat", 250, "out of range — a percentage from 0% to 100%"),
])
def test_out_of_range(framework: Framework, sample: IntakeData, tmp_intake: Make,
                      kpi_id: str, value: Any, message: str) -> None:
    path = tmp_intake(framework, sample, edits(("kpis", kpi_id, "current", value)))
    found = problems(path, framework)
    loc = locate(framework, sample, "kpis", kpi_id, "current")
    assert list(found) == [loc]
    assert message in found[loc]


def test_whole_number_in_percent_cell_accepted_with_warning(
        framework: Framework, sample: IntakeData, tmp_intake: Make) -> None:
    path = tmp_intake(framework, sample, edits(("kpis", "csat", "current", 85)))
    read = read_intake(path, framework)
    assert read.current["csat"] == pytest.approx(0.85)
    loc = locate(framework, sample, "kpis", "csat", "current")
    assert read.warnings == [
        f"{loc}: 85 read as 85% (percent typed as a whole number) — check it"]


def test_ambiguous_percent_refused(framework: Framework, sample: IntakeData,
                                   tmp_intake: Make) -> None:
    path = tmp_intake(framework, sample, edits(
        ("kpis", "recurring_revenue_rate", "current", 1.5), general=True))
    found = problems(path, framework)
    loc = locate(framework, sample, "kpis", "recurring_revenue_rate", "current")
    assert list(found) == [loc]
    assert "ambiguous" in found[loc] and "150%" in found[loc] and "1.5%" in found[loc]


@pytest.mark.parametrize("kpi_id", ["csat", "recurring_revenue_rate"])
def test_one_in_an_unformatted_percent_cell_is_ambiguous(
        framework: Framework, sample: IntakeData, tmp_intake: Make, kpi_id: str) -> None:
    """Methodology §7: a 1 may mean 100% or 1%; both readings are shown, nothing is scored."""
    path = tmp_intake(framework, sample, edits(("kpis", kpi_id, "current", 1), general=True))
    loc = locate(framework, sample, "kpis", kpi_id, "current")
    assert problems(path, framework) == {
        loc: f"{loc}: 1 is ambiguous: it could mean 100% or 1% — type it with a % sign, as "
             "100% or 1%"}


def test_one_in_a_percent_formatted_cell_is_100_percent(
        framework: Framework, sample: IntakeData, tmp_intake: Make) -> None:
    """The cell's own number format settles it: 1 shown as 100.0% is 100%."""
    path = tmp_intake(framework, sample, edits(("kpis", "csat", "current", 1)))
    assert read_intake(path, framework).current["csat"] == 1.0


def test_wide_percent_in_percent_formatted_cell_is_not_ambiguous(
        framework: Framework, sample: IntakeData, tmp_intake: Make) -> None:
    path = tmp_intake(framework, sample, edits(("kpis", "recurring_revenue_rate", "current",
                                                1.5)))
    assert read_intake(path, framework).current["recurring_revenue_rate"] == 1.5


def test_text_numbers_parsed(framework: Framework, sample: IntakeData, tmp_intake: Make) -> None:
    path = tmp_intake(framework, sample, edits(
        ("kpis", "csat", "current", "85%"),
        ("kpis", "cases_per_engineer_month", "current", "1,200"),
        ("kpis", "cost_per_case", "current", "$1,200"),
        ("kpis", "support_demand_per_customer", "current", " 1 200 "),
        ("kpis", "nps", "current", "-12"),
    ))
    read = read_intake(path, framework)
    assert read.current["csat"] == pytest.approx(0.85)
    assert read.current["cases_per_engineer_month"] == 1200
    assert read.current["cost_per_case"] == 1200
    assert read.current["support_demand_per_customer"] == 1200
    assert read.current["nps"] == -12
    assert read.warnings == []


@pytest.mark.parametrize(("text", "expected"), [
    ("85%", (85.0, True)), ("1,200", (1200.0, False)), ("1 200", (1200.0, False)),
    ("$1,200.50", (1200.5, False)), ("€40", (40.0, False)), ("£12", (12.0, False)),
    ("USD 40", (40.0, False)), ("40 EUR", (40.0, False)), ("  7.5 ", (7.5, False)),
    ("-5%", (-5.0, True)), ("1\u00a0200", (1200.0, False)), (".5", (0.5, False)),
    (3, (3.0, False)), (0.25, (0.25, False)),
])
def test_parse_number_accepts(text: Any, expected: tuple[float, bool]) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", ["abc", "1,2", "12,34,5", "$€5", "5 %%", "usd 5", "$5%",
                                  "1.2.3", True, dt.date(2025, 1, 1), float("nan"), "--5"])
def test_parse_number_refuses(text: Any) -> None:
    with pytest.raises(Exception, match="is not a number"):
        parse_number(text)


@pytest.mark.parametrize(("value", "fmt", "lo", "hi", "result"), [
    (0.85, "General", 0, 1, (0.85, False)),     # (a) a fraction
    (1.0, "0.0%", 0, 1, (1.0, False)),          # the percent format settles it: 100%
    (1.5, "0.0%", 0, 3, (1.5, False)),          # (a) percent-formatted
    (85, "General", 0, 1, (0.85, True)),        # (b) whole number, warned
    (85, "0%", 0, 1, (0.85, True)),             # (b) even in a percent cell
    (-5, "General", -1, 5, (-0.05, True)),      # (b) below lo as is, fine /100
])
def test_percent_rule(value: float, fmt: str, lo: float, hi: float,
                      result: tuple[float, bool]) -> None:
    fraction, warn = percent_value(value, False, fmt, lo, hi)
    assert (fraction, warn) == (pytest.approx(result[0]), result[1])


@pytest.mark.parametrize(("value", "fmt", "lo", "hi", "match"), [
    (1.0, "General", 0, 1, "ambiguous"),        # 100% or 1%: refused (methodology §7)
    (1.5, "General", 0, 3, "ambiguous"),        # (c)
    (3, "General", -1, 5, "ambiguous"),         # (c)
    (250, "General", 0, 1, "out of range"),     # (d)
    (-0.5, "0%", 0, 1, "out of range"),         # (d)
])
def test_percent_rule_refuses(value: float, fmt: str, lo: float, hi: float, match: str) -> None:
    with pytest.raises(Exception, match=match):
        percent_value(value, False, fmt, lo, hi)


def test_blank_is_missing_not_zero(framework: Framework, sample: IntakeData,
                                   tmp_intake: Make) -> None:
    path = tmp_intake(framework, sample, edits(("kpis", "csat", "current", None),
                                               ("kpis", "nps", "current", "   ")))
    read = read_intake(path, framework)
    assert read.current["csat"] is None and read.current["nps"] is None
    assert read.current["time_to_resolve"] == sample.current["time_to_resolve"]


# ----------------------------------------------------------------------------- formulas


def test_formula_without_cached_value_refused(framework: Framework, sample: IntakeData,
                                              tmp_intake: Make) -> None:
    path = tmp_intake(framework, sample, edits(("kpis", "csat", "current", "=0.5+0.3")))
    found = problems(path, framework)
    loc = locate(framework, sample, "kpis", "csat", "current")
    assert list(found) == [loc]
    assert "formula" in found[loc] and "never guesses" in found[loc]


def test_formula_with_cached_value_accepted(framework: Framework, sample: IntakeData,
                                            tmp_intake: Make) -> None:
    path = tmp_intake(framework, sample, edits(("kpis", "csat", "current", "=0.5+0.3")))
    # what Excel stores on save: the formula and its result
    with zipfile.ZipFile(path) as src:
        parts = {name: src.read(name) for name in src.namelist()}
    sheet = next(n for n, d in parts.items() if b"<f>0.5+0.3</f>" in d)
    # openpyxl writes the empty result as <v /> or <v/> (with lxml) or leaves it out
    parts[sheet] = re.sub(rb"<f>0\.5\+0\.3</f>(<v\s*/>|<v></v>)?", b"<f>0.5+0.3</f><v>0.8</v>",
                          parts[sheet])
    with zipfile.ZipFile(path, "w") as dst:
        for name, data in parts.items():
            dst.writestr(name, data)
    assert read_intake(path, framework).current["csat"] == pytest.approx(0.8)


# ----------------------------------------------------------------------------- ids


def test_unknown_kpi_id(framework: Framework, sample: IntakeData, tmp_intake: Make) -> None:
    path = tmp_intake(framework, sample, edits(("kpis", "csat", "kpi_id", "csat_typo")))
    found = problems(path, framework)
    loc = locate(framework, sample, "kpis", "csat", "kpi_id")
    assert list(found) == [loc]
    assert "unknown KPI id 'csat_typo'" in found[loc]


def test_duplicate_kpi_id(framework: Framework, sample: IntakeData, tmp_intake: Make) -> None:
    path = tmp_intake(framework, sample, edits(("kpis", "nps", "kpi_id", "csat")))
    found = problems(path, framework)
    first = locate(framework, sample, "kpis", "csat", "kpi_id")
    second = locate(framework, sample, "kpis", "nps", "kpi_id")
    assert list(found) == [second]
    assert f"duplicate KPI id 'csat' (first at {first.split('!')[1]})" in found[second]


def test_kpi_row_removed_is_missing_with_warning(framework: Framework, sample: IntakeData,
                                                 tmp_intake: Make) -> None:
    def drop(wb: Workbook) -> None:
        target = cell(wb, "kpis", "nps", "kpi_id")
        wb[SHEETS["kpis"]].delete_rows(target.row)

    read = read_intake(tmp_intake(framework, sample, drop), framework)
    assert read.current["nps"] is None
    assert any("'nps'" in w and "missing data" in w for w in read.warnings)


def test_unknown_and_duplicate_item_ids(framework: Framework, sample: IntakeData,
                                        tmp_intake: Make) -> None:
    path = tmp_intake(framework, sample, edits(
        ("renewal_practices", "auto_renewal", "item_id", "made_up"),
        ("excellence_practices", "goal_cascade", "item_id", "strategic_role")))
    found = problems(path, framework)
    assert set(found) == {locate(framework, sample, "renewal_practices", "auto_renewal",
                                 "item_id"),
                          locate(framework, sample, "excellence_practices", "goal_cascade",
                                 "item_id")}


def test_value_in_a_row_without_id(framework: Framework, sample: IntakeData,
                                   tmp_intake: Make) -> None:
    def orphan(wb: Workbook) -> None:
        ws = wb[SHEETS["kpis"]]
        section = cell(wb, "kpis", "support_cost_pct_revenue", "current").row - 1
        ws.cell(section, 6).value = 0.5

    found = problems(tmp_intake(framework, sample, orphan), framework)
    assert len(found) == 1 and "without a kpi_id" in next(iter(found.values()))


# ----------------------------------------------------------------------------- answers


def test_answer_outside_the_list(framework: Framework, sample: IntakeData,
                                 tmp_intake: Make) -> None:
    path = tmp_intake(framework, sample, edits(
        ("excellence_practices", "strategic_role", "answer", "maybe")))
    found = problems(path, framework)
    loc = locate(framework, sample, "excellence_practices", "strategic_role", "answer")
    assert re.fullmatch(r"Excellence practices!D\d+", loc)
    assert list(found) == [loc]
    assert "'maybe' is outside the list of answers" in found[loc]
    assert "0 – Not in place" in found[loc] and "n/a" in found[loc]


@pytest.mark.parametrize(("value", "expected"), [
    (0, 0), (4, 4), (2.0, 2), ("3", 3), ("3 - Managed", 3), ("1 – Ad hoc", 1), ("2: defined", 2),
    ("4 – Optimized", 4), ("n/a", NA), ("N/A", NA), ("na", NA), ("Defined", 2),
])
def test_answers_accepted(framework: Framework, value: Any, expected: Any) -> None:
    assert parse_answer(value, answer_labels(framework)) == expected


@pytest.mark.parametrize("value", [5, -1, 2.5, "3.5", "34", "five", True, "5 - best"])
def test_answers_refused(framework: Framework, value: Any) -> None:
    with pytest.raises(Exception, match="outside the list of answers"):
        parse_answer(value, answer_labels(framework))


def test_rating_outside_1_to_5(framework: Framework, sample: IntakeData,
                               tmp_intake: Make) -> None:
    path = tmp_intake(framework, sample, edits(
        ("customer_expectations", "availability", "importance", 6),
        ("customer_expectations", "self_help", "performance", 3.7)))
    found = problems(path, framework)
    loc = locate(framework, sample, "customer_expectations", "availability", "importance")
    assert list(found) == [loc] and "rating from 1 to 5" in found[loc]


# ----------------------------------------------------------------------------- version, sheets


def test_missing_template_version(framework: Framework, sample: IntakeData,
                                  tmp_intake: Make) -> None:
    def blank(wb: Workbook) -> None:
        wb["Instructions"]["B3"].value = None

    found = problems(tmp_intake(framework, sample, blank), framework)
    assert list(found) == ["Instructions!B3"]
    assert "template version is missing" in found["Instructions!B3"]
    assert "2.0" in found["Instructions!B3"]
    assert "support-excellence template" in found["Instructions!B3"]


def test_unknown_template_version(framework: Framework, sample: IntakeData,
                                  tmp_intake: Make) -> None:
    def old(wb: Workbook) -> None:
        wb["Instructions"]["B3"].value = "0.9"

    found = problems(tmp_intake(framework, sample, old), framework)
    assert found == {"Instructions!B3": "Instructions!B3: template version '0.9' is not "
                     "supported — template version 2.0 — download a fresh template with "
                     "`support-excellence template`"}


def test_version_1_workbook_refused_with_the_upgrade_command(framework: Framework) -> None:
    """The committed 1.0 Northwind workbook: one issue, on the version cell, saying how to
    upgrade it (nothing else is read: the layout differs)."""
    found = problems(V1_WORKBOOK, framework)
    assert list(found) == ["Instructions!B3"]
    text = found["Instructions!B3"]
    assert text.startswith("Instructions!B3: this is a version 1.0 intake; this tool reads "
                           "version 2.0")
    assert "upgrade it with `support-excellence upgrade-intake OLD.xlsx NEW.xlsx`" in text


def test_version_found_by_label_without_defined_name(framework: Framework, sample: IntakeData,
                                                     tmp_intake: Make) -> None:
    def drop_name(wb: Workbook) -> None:
        del wb.defined_names["template_version"]

    assert read_intake(tmp_intake(framework, sample, drop_name), framework).current


def test_no_version_anywhere(framework: Framework, sample: IntakeData, tmp_intake: Make) -> None:
    def strip(wb: Workbook) -> None:
        del wb.defined_names["template_version"]
        wb["Instructions"]["A3"].value = None

    assert "Instructions!B3" in problems(tmp_intake(framework, sample, strip), framework)


def test_renamed_sheet(framework: Framework, sample: IntakeData, tmp_intake: Make) -> None:
    def rename(wb: Workbook) -> None:
        wb["Renewal practices"].title = "Renewals"

    found = problems(tmp_intake(framework, sample, rename), framework)
    assert list(found) == ["Renewal practices"]
    assert "renamed or missing sheet" in found["Renewal practices"]
    assert "Renewals" in found["Renewal practices"]


def test_missing_sheet(framework: Framework, sample: IntakeData, tmp_intake: Make) -> None:
    def remove(wb: Workbook) -> None:
        del wb["Customer expectations"]

    found = problems(tmp_intake(framework, sample, remove), framework)
    assert list(found) == ["Customer expectations"]
    assert "sheet 'Customer expectations' not found" in found["Customer expectations"]


def test_sheet_title_case_tolerated(framework: Framework, sample: IntakeData,
                                    tmp_intake: Make) -> None:
    def rename(wb: Workbook) -> None:
        wb["KPIs"].title = "kpis "

    read = read_intake(tmp_intake(framework, sample, rename), framework)
    assert read.current == sample.current


def test_missing_key_column(framework: Framework, sample: IntakeData, tmp_intake: Make) -> None:
    def unkey(wb: Workbook) -> None:
        cell(wb, "kpis", "csat", "target").parent.cell(KEY_ROW, 7).value = "Target!"

    found = problems(tmp_intake(framework, sample, unkey), framework)
    assert list(found) == [f"KPIs!A{KEY_ROW}"]
    assert f"header row {KEY_ROW} lacks the column key(s) target" in found[f"KPIs!A{KEY_ROW}"]


def test_added_and_reordered_columns(framework: Framework, sample: IntakeData,
                                     tmp_intake: Make) -> None:
    def reshape(wb: Workbook) -> None:
        ws = wb[SHEETS["kpis"]]
        ws.insert_cols(2, 2)  # two new human columns
        ws.move_range("H1:H200", cols=5)  # 'current' moved to the far right

    read = read_intake(tmp_intake(framework, sample, reshape), framework)
    assert read.current == sample.current


# ----------------------------------------------------------------------------- file checks


def _only_issue(path: Path, framework: Framework, **kwargs: Any) -> str:
    with pytest.raises(IntakeError) as caught:
        read_intake(path, framework, **kwargs)
    (issue,) = caught.value.issues
    assert issue.sheet is None and issue.cell is None
    assert caught.value.source == str(path)
    return str(issue)


def test_missing_file(framework: Framework, tmp_path: Path) -> None:
    assert "'nowhere.xlsx' not found" in _only_issue(tmp_path / "nowhere.xlsx", framework)


def test_csv_renamed_xlsx(framework: Framework, tmp_path: Path) -> None:
    path = tmp_path / "intake.xlsx"
    path.write_text("kpi_id,current\ncsat,0.85\n")
    text = _only_issue(path, framework)
    assert "'intake.xlsx' is not an Excel workbook" in text
    assert "save it as an Excel workbook (.xlsx)" in text


def test_old_xls(framework: Framework, tmp_path: Path) -> None:
    path = tmp_path / "intake.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    assert "save it as an Excel workbook (.xlsx)" in _only_issue(path, framework)


def test_ods(framework: Framework, tmp_path: Path) -> None:
    path = tmp_path / "intake.ods"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    text = _only_issue(path, framework)
    assert "OpenDocument" in text and "(.xlsx)" in text


def test_corrupted_zip(framework: Framework, sample: IntakeData, tmp_intake: Make) -> None:
    path = tmp_intake(framework, sample)
    path.write_bytes(path.read_bytes()[:3000])
    assert "damaged" in _only_issue(path, framework)


def test_empty_file(framework: Framework, tmp_path: Path) -> None:
    path = tmp_path / "intake.xlsx"
    path.write_bytes(b"")
    assert "'intake.xlsx' is empty" in _only_issue(path, framework)


def test_file_over_max_bytes(framework: Framework, sample: IntakeData,
                             tmp_intake: Make) -> None:
    path = tmp_intake(framework, sample)
    assert "over the 1,000 bytes limit" in _only_issue(path, framework, max_bytes=1000)


def test_zip_bomb_refused(framework: Framework, tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * 5_000_000)
    assert path.stat().st_size < 50_000
    assert "zip bomb" in _only_issue(path, framework, max_bytes=100_000)


def test_macros_ignored_with_warning(framework: Framework, sample: IntakeData,
                                     tmp_intake: Make) -> None:
    path = tmp_intake(framework, sample, name="intake.xlsm")
    with zipfile.ZipFile(path) as src:
        parts = {name: src.read(name) for name in src.namelist()}
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
    parts["xl/vbaProject.bin"] = b"not run"
    with zipfile.ZipFile(path, "w") as dst:
        for name, data in parts.items():
            dst.writestr(name, data)
    read = read_intake(path, framework)
    assert b"macroEnabled" in parts["[Content_Types].xml"]
    assert read.current == sample.current
    assert read.warnings == [
        "intake.xlsm: the workbook contains macros; they were ignored and never run"]


# ----------------------------------------------------------------------------- targets


def test_target_on_the_wrong_side_of_its_floor(framework: Framework, sample: IntakeData,
                                               tmp_intake: Make) -> None:
    path = tmp_intake(framework, sample, edits(("kpis", "csat", "target", 0.5),
                                               ("kpis", "time_to_resolve", "target", 200)))
    found = problems(path, framework)
    csat = locate(framework, sample, "kpis", "csat", "target")
    ttr = locate(framework, sample, "kpis", "time_to_resolve", "target")
    assert re.fullmatch(r"KPIs!G\d+", csat)
    assert set(found) == {csat, ttr}
    assert found[csat] == (
        f"{csat}: target 50% for Customer satisfaction (CSAT) (csat) is on the wrong side of "
        "its floor 60% — a target above 60% (higher is better), or the framework's 85%")
    assert "target 200 for Time to resolve (time_to_resolve)" in found[ttr]
    assert "a target below 120 (lower is better)" in found[ttr]


def test_percent_sign_on_a_non_percent_kpi(framework: Framework, sample: IntakeData,
                                           tmp_intake: Make) -> None:
    path = tmp_intake(framework, sample, edits(("kpis", "nps", "current", "36%")))
    loc = locate(framework, sample, "kpis", "nps", "current")
    assert "has a % sign but Net Promoter Score (NPS) is not a percentage" in problems(
        path, framework)[loc]


def test_workbook_of_another_framework_warns(framework: Framework, sample: IntakeData,
                                             tmp_intake: Make) -> None:
    def other(wb: Workbook) -> None:
        wb["Instructions"]["B4"].value = "Client framework"

    read = read_intake(tmp_intake(framework, sample, other), framework)
    assert read.warnings == [
        "Instructions!B4: the workbook was made for framework name 'Client framework', it is "
        f"read with '{framework.name}'; KPIs and items are matched by key"]


def test_blank_or_equal_target_is_no_override(framework: Framework, sample: IntakeData,
                                              tmp_intake: Make) -> None:
    path = tmp_intake(framework, sample, edits(("kpis", "csat", "target", None),
                                               ("kpis", "nps", "target", "40"),
                                               ("kpis", "cost_per_case", "target", 30)))
    assert read_intake(path, framework).targets == {"cost_per_case": 30}


# ----------------------------------------------------------------------------- profile


def test_profile_values_normalized(framework: Framework, sample: IntakeData,
                                   tmp_intake: Make) -> None:
    path = tmp_intake(framework, sample, edits(
        ("profile", "support_model", "value", "Internal"),
        ("profile", "currency", "value", " eur "),
        ("profile", "assessment_date", "value", "2025-06-30"),
        ("profile", "organization", "value", "  Acme\tSupport\u202e "),
    ))
    profile = read_intake(path, framework).profile
    assert profile["support_model"] == "internal"
    assert profile["currency"] == "EUR"
    assert profile["assessment_date"] == dt.date(2025, 6, 30)
    assert profile["organization"] == "Acme Support"


def test_untrusted_text_kept_as_plain_text(framework: Framework, sample: IntakeData,
                                           tmp_intake: Make) -> None:
    data = copy.deepcopy(sample)
    data.profile["organization"] = "=cmd|' /C calc'!A0\x07"
    read = read_intake(tmp_intake(framework, data), framework)
    assert read.profile["organization"] == "=cmd|' /C calc'!A0"


def test_profile_problems(framework: Framework, sample: IntakeData, tmp_intake: Make) -> None:
    path = tmp_intake(framework, sample, edits(
        ("profile", "organization", "value", None),
        ("profile", "support_model", "value", "outsourced"),
        ("profile", "currency", "value", "Euro"),
        ("profile", "assessment_date", "value", "31/03/2025"),
    ))
    found = problems(path, framework)
    assert set(found) == {locate(framework, sample, "profile", key, "value")
                          for key in ("organization", "support_model", "currency",
                                      "assessment_date")}
    assert all(loc.startswith("Profile!C") for loc in found)


# ----------------------------------------------------------------------------- all at once


def test_multiple_problems_reported_together(framework: Framework, sample: IntakeData,
                                             tmp_intake: Make) -> None:
    path = tmp_intake(framework, sample, edits(
        ("profile", "support_model", "value", "outsourced"),
        ("kpis", "csat", "current", "abc"),
        ("kpis", "nps", "current", 500),
        ("kpis", "support_gross_margin", "target", 0.1),
        ("renewal_practices", "auto_renewal", "answer", "sometimes"),
        ("customer_expectations", "self_help", "priority", 0),
    ))
    found = problems(path, framework)
    assert set(found) == {
        locate(framework, sample, "profile", "support_model", "value"),
        locate(framework, sample, "kpis", "csat", "current"),
        locate(framework, sample, "kpis", "nps", "current"),
        locate(framework, sample, "kpis", "support_gross_margin", "target"),
        locate(framework, sample, "renewal_practices", "auto_renewal", "answer"),
        locate(framework, sample, "customer_expectations", "self_help", "priority"),
    }
    with pytest.raises(IntakeError) as caught:
        read_intake(path, framework)
    assert caught.value.report().startswith("6 problem(s) in intake")


def test_template_itself_reads_as_empty_intake(framework: Framework, tmp_path: Path) -> None:
    path = write_template(framework, tmp_path / "blank.xlsx")
    found = problems(path, framework)
    assert set(found) == {f"Profile!C{r}" for r in range(5, 10)}  # the five required fields


def test_xml_entities_refused(framework: Framework, sample: IntakeData, tmp_intake: Make) -> None:
    """XML is parsed through defusedxml: entity tricks (billion laughs, XXE) are refused."""
    assert openpyxl.xml.DEFUSEDXML
    path = tmp_intake(framework, sample)
    with zipfile.ZipFile(path) as src:
        parts = {name: src.read(name) for name in src.namelist()}
    parts["xl/workbook.xml"] = (b'<!DOCTYPE w [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
                                + parts["xl/workbook.xml"])
    with zipfile.ZipFile(path, "w") as dst:
        for name, data in parts.items():
            dst.writestr(name, data)
    assert "unsafe XML: entity declarations are refused" in _only_issue(path, framework)


def test_long_text_is_not_a_number_quickly() -> None:
    with pytest.raises(Exception, match="is not a number"):
        parse_number("1 " * 10_000 + "x")


# ----------------------------------------------------------------------------- version 2.0 profile


def test_profile_rows_where_the_messages_say(framework: Framework, sample: IntakeData) -> None:
    """The hand-counted rows above match the template (a moved row must update both)."""
    for key, row in ROW.items():
        assert locate(framework, sample, "profile", key, "value") == f"Profile!C{row}"
    assert [f.key for f in PROFILE_FIELDS][ROW["fx_rate"] - FIRST_ROW] == "fx_rate"


def test_eur_intake_without_a_rate_is_refused_naming_the_cell(
        framework: Framework, sample: IntakeData, tmp_intake: Make) -> None:
    data = copy.deepcopy(sample)
    del data.profile["fx_rate"]
    found = problems(tmp_intake(framework, data), framework)
    assert found == {"Profile!C11": (
        "Profile!C11: EUR differs from the framework's USD: give the exchange rate — the "
        "Exchange rate: how many EUR one USD buys (a number above 0, e.g. 0.92 for EUR), the "
        "rate used for the assessment period")}


def test_a_rate_of_0_9_converts_money_targets(framework: Framework, sample: IntakeData,
                                              tmp_intake: Make) -> None:
    data = copy.deepcopy(sample)
    data.profile["fx_rate"] = 0.9
    read = read_intake(tmp_intake(framework, data), framework)
    assert read.profile["fx_rate"] == 0.9
    kpis = {k["id"]: k for k in score(framework, read)["kpis"]}
    # cost per case: the framework's USD 25 target and USD 60 floor, times 0.9 (in EUR)
    assert (kpis["cost_per_case"]["target"], kpis["cost_per_case"]["floor"]) == (
        pytest.approx(22.5), pytest.approx(54.0))
    assert kpis["cost_per_case"]["currency"] == "EUR"
    assert kpis["csat"]["target"] == pytest.approx(0.85)  # not money: unchanged
    resolved = framework.resolved(None, 0.9)
    assert resolved.kpi("cost_per_case").target == pytest.approx(25 * 0.9)
    # with a peer group: its own target (USD 75 for B2B software), converted the same way
    data.profile["segment"] = "b2b_software"
    kpis = {k["id"]: k for k in score(framework, read_intake(tmp_intake(framework, data),
                                                             framework))["kpis"]}
    assert kpis["cost_per_case"]["target"] == pytest.approx(75 * 0.9)


def test_jpy_target_checked_against_the_converted_floor(
        framework: Framework, sample: IntakeData, tmp_intake: Make) -> None:
    """Issue 12: a ¥3,750 target was refused against the USD floor of 60; at 150 yen per
    dollar the floor is ¥9,000 and the target ¥3,750 (USD 25 x 150), so ¥3,750 is accepted
    (it is the framework's own target: no override), ¥3,500 is an own target, ¥9,500 is
    refused."""
    data = copy.deepcopy(sample)
    data.profile.update(currency="JPY", fx_rate=150)
    data.current["cost_per_case"] = 3100  # about USD 21: better than target
    data.targets = {"cost_per_case": 3750}
    read = read_intake(tmp_intake(framework, data), framework)
    assert read.targets == {}
    row = next(k for k in score(framework, read)["kpis"] if k["id"] == "cost_per_case")
    assert (row["target"], row["floor"], row["score"]) == (3750, 9000, 100)
    data.targets = {"cost_per_case": 3500}
    read = read_intake(tmp_intake(framework, data), framework)
    assert read.targets == {"cost_per_case": 3500}
    row = next(k for k in score(framework, read)["kpis"] if k["id"] == "cost_per_case")
    assert row["target_overridden"] and row["score"] == 100
    data.targets = {"cost_per_case": 9500}
    found = problems(tmp_intake(framework, data), framework)
    loc = locate(framework, data, "kpis", "cost_per_case", "target")
    assert found == {loc: f"{loc}: target 9500 for Cost per case (cost_per_case) is on the "
                          "wrong side of its floor 9000 — a target below 9000 (lower is "
                          "better), or the framework's 3750"}


def test_usd_intake_with_a_rate_warns_and_drops_it(framework: Framework, sample: IntakeData,
                                                   tmp_intake: Make) -> None:
    data = copy.deepcopy(sample)
    data.profile.update(currency="USD", fx_rate=0.9)
    read = read_intake(tmp_intake(framework, data), framework)
    assert "fx_rate" not in read.profile
    assert read.warnings == ["Profile!C11: Exchange rate 0.9 ignored: the currency USD is the "
                             "framework's own, so no rate applies"]
    data.profile["fx_rate"] = 1
    read = read_intake(tmp_intake(framework, data), framework)
    assert "fx_rate" not in read.profile and read.warnings == []


@pytest.mark.parametrize(("value", "message"), [
    (0, "Exchange rate '0' is not a number above 0"),
    (-1.5, "Exchange rate '-1.5' is not a number above 0"),
    ("abc", "Exchange rate 'abc' is not a number"),
    ("92%", "Exchange rate '92%' is not a number above 0"),
])
def test_bad_rates_refused(framework: Framework, sample: IntakeData, tmp_intake: Make,
                           value: Any, message: str) -> None:
    path = tmp_intake(framework, sample, edits(("profile", "fx_rate", "value", value)))
    found = problems(path, framework)
    assert list(found) == ["Profile!C11"]  # the rate's own problem, not also "give a rate"
    assert found["Profile!C11"].startswith(f"Profile!C11: {message} — a number above 0")


@pytest.mark.parametrize(("typed", "stored"), [
    ("b2b_software", "b2b_software"), ("B2B_Software", "b2b_software"),
    ("  it_service_desk ", "it_service_desk"), ("Internal IT service desk", "it_service_desk"),
])
def test_segment_by_id_or_name_in_any_case(framework: Framework, sample: IntakeData,
                                           tmp_intake: Make, typed: str, stored: str) -> None:
    path = tmp_intake(framework, sample, edits(("profile", "segment", "value", typed)))
    assert read_intake(path, framework).profile["segment"] == stored


def test_segment_typo_gets_did_you_mean(framework: Framework, sample: IntakeData,
                                        tmp_intake: Make) -> None:
    path = tmp_intake(framework, sample, edits(("profile", "segment", "value", "b2b_sofware")))
    found = problems(path, framework)
    assert list(found) == ["Profile!C10"]
    assert found["Profile!C10"].startswith(
        "Profile!C10: Peer group 'b2b_sofware' is not one of the framework's peer groups; did "
        "you mean 'b2b_software' (B2B software support)? — one of it_service_desk (Internal IT "
        "service desk), b2b_software (B2B software support)")


@pytest.mark.parametrize(("value", "ok"), [(0, True), (7.5, True), (10, True), (11, False),
                                           (-1, False), ("70%", False), ("high", False)])
def test_self_rated_alignment_0_to_10(framework: Framework, sample: IntakeData,
                                      tmp_intake: Make, value: Any, ok: bool) -> None:
    path = tmp_intake(framework, sample, edits(("profile", "self_rated_alignment", "value",
                                                value)))
    if ok:
        assert read_intake(path, framework).profile["self_rated_alignment"] == value
        return
    found = problems(path, framework)
    assert list(found) == ["Profile!C12"]
    assert f"Alignment with customers (0–10) '{value}' is not" in found["Profile!C12"]
    assert "a number from 0 (not at all aligned) to 10 (completely)" in found["Profile!C12"]


def test_negative_volume_refused(framework: Framework, sample: IntakeData,
                                 tmp_intake: Make) -> None:
    path = tmp_intake(framework, sample, edits(("profile", "support_cost", "value", -5)))
    assert problems(path, framework) == {"Profile!C16": (
        "Profile!C16: Annual support cost '-5' is not a number of 0 or more — a number of 0 or "
        "more, such as 850,000")}


def test_segment_override_rechecks_targets(framework: Framework, sample: IntakeData,
                                           tmp_intake: Make) -> None:
    """``--segment`` replaces the intake's peer group before targets are checked: a USD 70
    cost-per-case target is fine for B2B software (floor 250) but not for consumer support
    (floor 25)."""
    data = copy.deepcopy(sample)
    data.profile.update(currency="USD", segment="b2b_software")
    del data.profile["fx_rate"]
    data.targets = {"cost_per_case": 70}
    path = tmp_intake(framework, data)
    assert read_intake(path, framework).targets == {"cost_per_case": 70}
    read = read_intake(path, framework, segment="Hardware_Field_Service")
    assert read.profile["segment"] == "hardware_field_service"
    assert "profile.segment" not in read.cells  # the value no longer comes from the cell
    found = problems(path, framework, segment="consumer")
    loc = locate(framework, data, "kpis", "cost_per_case", "target")
    assert list(found) == [loc] and "wrong side of its floor 25" in found[loc]
    found = problems(path, framework, segment="consumr")
    assert "--segment: Peer group 'consumr' is not one of the framework's peer groups; did " \
           "you mean 'consumer' (Consumer support)?" in next(iter(found.values()))


def test_cells_name_every_answer(framework: Framework, sample: IntakeData,
                                 tmp_intake: Make) -> None:
    path = tmp_intake(framework, sample)
    read = read_intake(path, framework)
    book = openpyxl.load_workbook(path)
    for kpi in framework.kpis:
        assert read.cells[f"kpi.{kpi.id}"] == where(book, "kpis", kpi.id, "current")
        if kpi.direction != "band":
            assert read.cells[f"kpi.{kpi.id}.target"] == where(book, "kpis", kpi.id, "target")
        else:
            assert f"kpi.{kpi.id}.target" not in read.cells
    for spec in PROFILE_FIELDS:
        assert read.cells[f"profile.{spec.key}"] == where(book, "profile", spec.key, "value")
    for qid in ("renewal_practices", "excellence_practices"):
        for item in framework.questionnaires[qid].items:
            assert read.cells[f"{qid}.{item.id}"] == where(book, qid, item.id, "answer")
    for item in framework.questionnaires["customer_expectations"].items:
        key = f"customer_expectations.{item.id}"
        assert read.cells[key] == where(book, "customer_expectations", item.id, "importance")
        for rating in ("importance", "performance", "priority"):
            assert read.cells[f"{key}.{rating}"] == where(book, "customer_expectations",
                                                          item.id, rating)
    assert read.cells["kpi.csat"] == "KPIs!F11"  # by hand: 4 profit rows after its section


def test_cli_segment_option(framework: Framework, sample: IntakeData, tmp_intake: Make,
                            tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--segment`` on validate and score: the override's targets apply; an unknown id is
    exit 2 before anything is read or written."""
    from assessment.cli import main

    data = copy.deepcopy(sample)
    data.profile.update(segment="b2b_software")
    data.targets = {"cost_per_case": 70 * 0.92}
    path = tmp_intake(framework, data)
    assert main(["validate", str(path)]) == 0
    assert main(["validate", str(path), "--segment", "consumer"]) == 2
    err = capsys.readouterr().err
    assert "wrong side of its floor 23" in err  # consumer floor USD 25 x 0.92
    out = tmp_path / "out"
    assert main(["score", str(path), "--out", str(out), "--segment", "nope", "--quiet"]) == 2
    assert "unknown segment 'nope'" in capsys.readouterr().err and not out.exists()
    assert main(["score", str(path), "--out", str(out), "--format", "json", "--quiet",
                 "--segment", "hardware_field_service"]) == 0
    results = next(out.rglob("results.json")).read_text(encoding="utf-8")
    assert '"segment": "hardware_field_service"' in results


# ----------------------------------------------------------------------------- tracking sheets


@pytest.fixture
def tracked() -> Framework:
    """The mini framework with two initiatives and two finding rules (the optional sheets)."""
    from conftest import mini_framework_dict

    from assessment.core.framework import parse_framework

    raw = mini_framework_dict()
    raw["initiatives"] = [
        {"id": "fix_faster", "name": "Fix faster", "description": "Swarm the hard cases.",
         "kpis": ["hours_to_fix"], "practices": ["excellence_practices.exc_1"],
         "effort": "M", "horizon": "months_3_6", "owner": "Support operations lead"},
        {"id": "keep_revenue", "name": "Keep revenue", "description": "A renewal desk.",
         "kpis": ["revenue_kept"], "effort": "S", "horizon": "days_0_90",
         "owner": "Renewals manager"},
    ]
    raw["findings"] = [
        {"id": "largest_gap", "rule": "largest_gap", "text": "{name}: {points} points."},
        {"id": "weak_element", "rule": "weak_element", "text": "{element} trails ({score}).",
         "params": {"margin": 10}},
    ]
    return parse_framework(raw)


def tracked_data(tracked: Framework) -> IntakeData:
    data = with_rate(shared_sample(tracked))
    data.initiatives = {
        "fix_faster": {"chosen": True, "owner": "Priya Natarajan",
                       "due_date": dt.date(2026, 9, 30), "status": "in_progress",
                       "inhibitors": "No swarming tool yet;\nteam leads on leave",
                       "notes": "=HYPERLINK(\"x\")"},
        "keep_revenue": {"chosen": False, "owner": None, "due_date": None, "status": "dropped",
                         "inhibitors": None, "notes": None},
    }
    data.finding_wording = {"weak_element": "Efficiency is the one element holding you back."}
    return data


def test_round_trip_of_initiatives_and_findings(tracked: Framework, tmp_intake: Make) -> None:
    data = tracked_data(tracked)
    path = tmp_intake(tracked, data)
    read = read_intake(path, tracked)
    assert read.initiatives == data.initiatives
    assert read.finding_wording == data.finding_wording
    assert read.warnings == []
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[-2:] == ["Initiatives", "Findings"]
    assert cell(book, "initiatives", "fix_faster", "notes").data_type == "s"  # never a formula
    for key in ("chosen", "owner", "due_date", "status", "inhibitors", "notes"):
        assert read.cells[f"initiative.fix_faster.{key}"] == where(book, "initiatives",
                                                                  "fix_faster", key)
    assert read.cells["finding.largest_gap"] == where(book, "findings", "largest_gap",
                                                      "wording")
    assert read.cells["initiative.fix_faster.status"] == "Initiatives!J5"  # by hand


def test_blank_tracking_rows_record_nothing(tracked: Framework, sample_intake: Callable,
                                            tmp_intake: Make) -> None:
    read = read_intake(tmp_intake(tracked, with_rate(sample_intake(tracked))), tracked)
    assert read.initiatives == {} and read.finding_wording == {}


def test_workbook_without_the_optional_sheets_reads(tracked: Framework,
                                                    tmp_intake: Make) -> None:
    def drop(wb: Workbook) -> None:
        del wb[SHEETS["initiatives"]]
        del wb[SHEETS["findings"]]

    data = tracked_data(tracked)
    read = read_intake(tmp_intake(tracked, data, drop), tracked)
    assert read.initiatives == {} and read.finding_wording == {}
    assert read.warnings == []
    assert not any(key.startswith(("initiative.", "finding.")) for key in read.cells)
    assert read.current == data.current


def test_framework_without_initiatives_writes_no_tracking_sheets(mini_framework: Framework
                                                                 ) -> None:
    book = fill_intake(mini_framework, with_rate(shared_sample(mini_framework)))
    assert "Initiatives" not in book.sheetnames and "Findings" not in book.sheetnames


def test_tracking_values_accepted(tracked: Framework, tmp_intake: Make) -> None:
    data = with_rate(shared_sample(tracked))
    path = tmp_intake(tracked, data, edits(
        ("initiatives", "fix_faster", "chosen", "Yes"),
        ("initiatives", "fix_faster", "status", "In progress"),
        ("initiatives", "fix_faster", "due_date", "2026-10-01"),
        ("initiatives", "keep_revenue", "chosen", True),
        ("initiatives", "keep_revenue", "status", "NOT-STARTED"),
        ("initiatives", "keep_revenue", "due_date", dt.datetime(2027, 1, 15, 9, 30)),
        ("findings", "largest_gap", "wording", "  Speed\u202e is  the gap.  ")))
    read = read_intake(path, tracked)
    assert read.initiatives["fix_faster"] == {
        "chosen": True, "owner": None, "due_date": dt.date(2026, 10, 1),
        "status": "in_progress", "inhibitors": None, "notes": None}
    assert read.initiatives["keep_revenue"]["status"] == "not_started"
    assert read.initiatives["keep_revenue"]["due_date"] == dt.date(2027, 1, 15)
    assert read.finding_wording == {"largest_gap": "Speed is the gap."}


def test_bad_tracking_values_name_their_cells(tracked: Framework, tmp_intake: Make) -> None:
    data = with_rate(shared_sample(tracked))
    path = tmp_intake(tracked, data, edits(
        ("initiatives", "fix_faster", "status", "half done"),
        ("initiatives", "fix_faster", "chosen", "maybe"),
        ("initiatives", "keep_revenue", "due_date", "next spring"),
        ("initiatives", "keep_revenue", "owner", "x" * 201),
        ("findings", "weak_element", "wording", "y" * 2001)))
    found = problems(path, tracked)
    book = fill_intake(tracked, data)
    status = where(book, "initiatives", "fix_faster", "status")
    assert status == "Initiatives!J5"
    assert "'half done' is not one of the statuses" in found[status]
    assert "in_progress (under way)" in found[status] and "dropped" in found[status]
    chosen = where(book, "initiatives", "fix_faster", "chosen")
    assert "Chosen 'maybe' is not yes or no" in found[chosen]
    due = where(book, "initiatives", "keep_revenue", "due_date")
    assert "'next spring' is not a date" in found[due] and "YYYY-MM-DD" in found[due]
    assert "over the limit of 200" in found[where(book, "initiatives", "keep_revenue", "owner")]
    assert "over the limit of 2,000" in found[where(book, "findings", "weak_element", "wording")]
    assert len(found) == 5


def test_unknown_and_duplicate_tracking_ids(tracked: Framework, tmp_intake: Make) -> None:
    def edit(wb: Workbook) -> None:
        ws = wb[SHEETS["initiatives"]]
        ws.cell(FIRST_ROW + 1, 1).value = "fix_faster"
        ws = wb[SHEETS["findings"]]
        ws.cell(FIRST_ROW, 1).value = "biggest_gap"

    found = problems(tmp_intake(tracked, tracked_data(tracked), edit), tracked)
    assert "duplicate initiative id 'fix_faster' (first at A5)" in found["Initiatives!A6"]
    assert "unknown finding id 'biggest_gap'" in found["Findings!A5"]
    assert len(found) == 2
