"""The Excel scorecard: layout, formats, charts, print setup, text safety, reproducibility."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import openpyxl
import pytest
from openpyxl.chart import BarChart, LineChart
from openpyxl.worksheet.worksheet import Worksheet

from assessment.core import format as fmt
from assessment.core.framework import Framework, load_framework
from assessment.core.model import NA, IntakeData
from assessment.core.scoring import score
from assessment.files import xlsx
from assessment.intake.samples import sample_data, sample_names
from assessment.scorecard import excel
from assessment.scorecard.brand import Brand, Logo
from assessment.scorecard.excel import SHEETS, build_workbook, excel_bytes, safe_text, write_excel
from assessment.scorecard.formats import RenderOptions

HOSTILE_NAME = '=HYPERLINK("http://x","y")'
HOSTILE_NOTES = {"csat": "+1+2", "nps": "-3", "cost_per_case": "@SUM(A1)",
                 "reopen_rate": "\t=cmd|' /C calc'!A0", "sla_attainment": "#N/A"}
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}

# --------------------------------------------------------------------------- fixtures

FULL_CURRENT: dict[str, float] = {
    "support_cost_pct_revenue": 0.08, "support_gross_margin": 0.62,
    "support_revenue_growth": 0.03,
    "support_sourced_revenue": 0.05, "csat": 0.83, "nps": 31.0,
    "customer_effort_score": 0.71, "customer_retention_rate": 0.9, "escalation_rate": 0.07,
    "cost_per_case": 31.5, "cases_per_engineer_month": 160.0,
    "self_service_resolution_rate": 0.12, "engineer_utilization": 0.72,
    "support_demand_per_customer": 3.1, "engineer_satisfaction": 0.74,
    "first_contact_resolution": 0.66, "time_to_resolve": 36.0, "time_to_first_response": 2.5,
    "sla_attainment": 0.91, "reopen_rate": 0.05, "contract_renewal_rate": 0.86,
    "recurring_revenue_rate": 0.97, "on_time_renewal_rate": 0.7, "attach_rate": 0.78,
    "win_back_rate": 0.1, "annual_price_uplift": 0.03,
}
REVENUE_KPIS = ("support_gross_margin", "support_revenue_growth", "support_sourced_revenue")


def _answers(framework: Framework, cycle: tuple[Any, ...]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for qid in ("renewal_practices", "excellence_practices"):
        items = framework.questionnaires[qid].items
        out[qid] = {item.id: cycle[n % len(cycle)] for n, item in enumerate(items)}
    return out


def _ratings(framework: Framework) -> dict[str, dict[str, float | None]]:
    items = framework.questionnaires["customer_expectations"].items
    return {item.id: {"importance": 5 - n % 3, "performance": 2 + n % 4, "priority": 1 + n % 5}
            for n, item in enumerate(items)}


def _profile(name: str = "Acme Support & Co", **extra: Any) -> dict[str, Any]:
    return {"organization": name, "industry": "Software", "support_model": "blended",
            "currency": "USD", "assessment_date": dt.date(2024, 5, 17), **extra}


def _excluding(framework: Framework) -> Framework:
    """The framework with ``missing_kpi: exclude`` (the version 1 rule)."""
    return replace(framework, settings=replace(framework.settings, missing_kpi="exclude"))


def kpi_of(results: dict[str, Any], kpi_id: str) -> dict[str, Any]:
    return next(k for k in results["kpis"] if k["id"] == kpi_id)


@pytest.fixture(scope="module")
def framework() -> Framework:
    return load_framework()


@pytest.fixture(scope="module")
def full_intake(framework: Framework) -> IntakeData:
    """Every KPI filled in, all questionnaires answered (with one n/a), one target overridden."""
    return IntakeData(
        profile=_profile(region="EMEA", employees=1200, segment="b2b_software",
                         self_rated_alignment=7),
        current=dict(FULL_CURRENT),
        targets={"csat": 0.9},
        notes={"csat": "Measured quarterly by survey.",
               "time_to_resolve": "Business hours, excluding waiting on customer."},
        answers=_answers(framework, (3, 2, 4, 1, 0, NA, 2, 3)),
        ratings=_ratings(framework),
        warnings=["Intake: the NPS sample is small (n=41)."],
    )


@pytest.fixture(scope="module")
def full(framework: Framework, full_intake: IntakeData) -> dict[str, Any]:
    return score(framework, full_intake)


@pytest.fixture(scope="module")
def sparse(framework: Framework) -> dict[str, Any]:
    """Most KPIs missing, under the version 1 rule (``exclude``): no element is scored, no
    index, no renewal health, no ratings."""
    return score(_excluding(framework), IntakeData(
        profile=_profile("Sparse Ltd", currency="CHF", fx_rate=0.9),
        current={"csat": 0.8, "time_to_resolve": 50.0},
        answers={"excellence_practices": {"strategic_role": 2, "kpi_targets": NA}},
    ))


@pytest.fixture(scope="module")
def sparse_zero(framework: Framework) -> dict[str, Any]:
    """The same sparse intake under the default rule: missing KPIs count as 0."""
    return score(framework, IntakeData(
        profile=_profile("Sparse Ltd", currency="CHF", fx_rate=0.9),
        current={"csat": 0.8, "time_to_resolve": 50.0},
        answers={"excellence_practices": {"strategic_role": 2, "kpi_targets": NA}},
    ))


@pytest.fixture(scope="module")
def partial(framework: Framework) -> dict[str, Any]:
    """Two elements measured (``exclude``): element chart present but no index."""
    keep = [k.id for k in framework.kpis if k.element in ("profit", "reputation")]
    return score(_excluding(framework), IntakeData(
        profile=_profile("Partial GmbH", currency="EUR", fx_rate=0.9),
        current={k: FULL_CURRENT[k] for k in keep},
        answers=_answers(framework, (1, 2)), ratings=_ratings(framework)))


@pytest.fixture(scope="module")
def internal(framework: Framework) -> dict[str, Any]:
    """An internal IT service desk in EUR: revenue and renewal KPIs do not apply."""
    current = {k: v for k, v in FULL_CURRENT.items() if k not in REVENUE_KPIS}
    return score(framework, IntakeData(
        profile=_profile("Harbour IT Desk", support_model="internal", currency="EUR",
                         fx_rate=0.9, segment="it_service_desk"),
        current=current, answers=_answers(framework, (1,)), ratings=_ratings(framework)))


@pytest.fixture(scope="module")
def inconsistent(framework: Framework) -> dict[str, Any]:
    """Cost per case 31.50 against USD 13 M / 41,000 cases (about 317); demand per customer
    left blank and derived from the profile volumes."""
    current = dict(FULL_CURRENT, support_demand_per_customer=None)
    return score(framework, IntakeData(
        profile=_profile("Checked Inc", support_cost=13_000_000, assisted_cases=41_000,
                         active_customers=10_000),
        current=current, answers=_answers(framework, (2,)), ratings=_ratings(framework),
        cells={"kpi.cost_per_case": "KPIs!F14", "profile.support_cost": "Profile!C21",
               "profile.assisted_cases": "Profile!C23",
               "profile.active_customers": "Profile!C25",
               "kpi.support_demand_per_customer": "KPIs!F18"}))


@pytest.fixture(scope="module")
def hostile(framework: Framework, full_intake: IntakeData) -> dict[str, Any]:
    intake = IntakeData(
        profile=_profile(HOSTILE_NAME, industry="-3", region="\tTabbed",
                         contact="@evil", note="\rreturn"),
        current=dict(FULL_CURRENT), notes=dict(HOSTILE_NOTES),
        answers=full_intake.answers, ratings=full_intake.ratings,
        warnings=["=1+1", "plain warning", "bell\x07 and \x00 null"],
        initiatives={"customer_feedback_loop": {
            "chosen": True, "owner": "@owner", "due_date": dt.date(2024, 9, 30),
            "status": "in_progress", "inhibitors": "=HYPERLINK(\"x\")", "notes": "-2"}},
        finding_wording={"largest_gap": "+margin first"},
    )
    return score(framework, intake)


MONEY_PROFILE = {"assisted_cases": 40_000, "contract_revenue_base": 5_000_000}


@pytest.fixture(scope="module")
def money(framework: Framework, full_intake: IntakeData) -> dict[str, Any]:
    """The full intake with the volumes the business case needs, a cost per case far above
    target (so the cost-per-case gap overlaps and outweighs the self-service and repeat-contact
    drivers), a recorded initiative and a consultant's wording of one finding."""
    return score(framework, IntakeData(
        profile={**full_intake.profile, **MONEY_PROFILE},
        current=dict(FULL_CURRENT, cost_per_case=120.0), targets=dict(full_intake.targets),
        answers=full_intake.answers, ratings=full_intake.ratings,
        initiatives={"self_service_and_knowledge": {
            "chosen": True, "owner": "Maya Chen", "due_date": dt.date(2024, 9, 30),
            "status": "in_progress", "inhibitors": "No budget for the portal",
            "notes": None}},
        finding_wording={"largest_gap": "Margin is where the money is."}))


@pytest.fixture(scope="module")
def assumed(framework: Framework, full_intake: IntakeData) -> dict[str, Any]:
    """Volumes given but cost per case blank: the cost-per-case gap needs data and the other
    cost drivers rest on the framework's assumptions (a non-zero sensitivity)."""
    return score(framework, IntakeData(
        profile={**full_intake.profile, **MONEY_PROFILE},
        current=dict(FULL_CURRENT, cost_per_case=None), answers=full_intake.answers,
        ratings=full_intake.ratings))


@pytest.fixture(scope="module")
def money_book(money: dict[str, Any], tmp_path_factory: pytest.TempPathFactory,
               ) -> openpyxl.Workbook:
    return openpyxl.load_workbook(write_excel(money, tmp_path_factory.mktemp("money")
                                              / "money.xlsx"))


@pytest.fixture(scope="module")
def full_book(full: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_excel(full, tmp_path_factory.mktemp("xlsx") / "full.xlsx")


@pytest.fixture(scope="module")
def wb(full_book: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(full_book)


# --------------------------------------------------------------------------- helpers


def find(ws: Worksheet, label: str, col: int = 1) -> int:
    """Row of the first cell in column ``col`` whose value is ``label``."""
    for (cell,) in ws.iter_rows(min_col=col, max_col=col):
        if cell.value == label:
            return cell.row
    raise AssertionError(f"{label!r} not found in column {col} of {ws.title}")


def row_of(ws: Worksheet, header: int, key: str, col: int = 2) -> dict[str, Any]:
    """The row of a table (headers on row ``header``) whose column ``col`` is ``key``, as
    header -> cell."""
    headers = [c.value for c in ws[header]]
    for row in ws.iter_rows(min_row=header + 1):
        if row[col - 1].value == key:
            return dict(zip(headers, row, strict=False))
    raise AssertionError(f"{key!r} not found in column {col} of {ws.title}")


def headers_of(ws: Worksheet, row: int) -> list[str]:
    """The headers of a table on ``row``, without the blanks of merged header cells."""
    return [c.value for c in ws[row] if c.value is not None]


def kpi_row(ws: Worksheet, kpi_id: str) -> dict[str, Any]:
    """The KPI sheet row of ``kpi_id`` as header -> cell."""
    headers = [c.value for c in ws[4]]
    row = find(ws, kpi_id, col=3)
    return dict(zip(headers, ws[row], strict=False))


def sheet_xml(path: Path, index: int) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read(f"xl/worksheets/sheet{index + 1}.xml")


def has_formula(xml: bytes, coordinate: str) -> bool:
    root = ElementTree.fromstring(xml)
    cell = root.find(f".//m:c[@r='{coordinate}']", NS)
    assert cell is not None, coordinate
    return cell.find("m:f", NS) is not None


# --------------------------------------------------------------------------- structure


def test_sheet_names_and_order(wb: openpyxl.Workbook) -> None:
    """The cover first, then the executive summary, the scores, the business case and the
    roadmap; the long recommendation list is an appendix at the end."""
    assert wb.sheetnames == list(SHEETS)
    assert wb.sheetnames[:2] == ["Cover", "Executive summary"]
    assert wb.sheetnames[2:5] == ["Scores", "Business case", "Roadmap"]
    assert wb.sheetnames[-1] == "Appendix - recommendations"
    assert "Recommendations" not in wb.sheetnames and "Summary" not in wb.sheetnames
    assert wb.active.title == "Cover"
    assert all(len(name) <= 31 and not set(name) & set("[]:*?/\\") for name in wb.sheetnames)


#: The sheets that hold tables (their header rows repeat on every printed page) and the
#: orientation each prints in.
TABLE_SHEETS = {"KPIs": "$1:$4", "Practices": "$1:$4", "Expectations": "$1:$4",
                excel.APPENDIX: "$1:$4"}
PORTRAIT = {"Cover", "Executive summary", "Practices", "Expectations", "Method"}


def test_every_sheet_has_title_row_and_print_setup(wb: openpyxl.Workbook) -> None:
    for ws in wb.worksheets[1:]:
        assert ws["A1"].value == "Acme Support & Co"
        assert ws["A1"].font.bold
        assert ws.freeze_panes is not None
    for ws in wb.worksheets:
        assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4) == 9
        assert int(ws.page_setup.fitToWidth) == 1
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_setup.orientation == ("portrait" if ws.title in PORTRAIT
                                             else "landscape"), ws.title
        if ws.title in ("Cover", "Executive summary"):  # one printed page each
            assert int(ws.page_setup.fitToHeight) == 1
        else:
            assert int(ws.page_setup.fitToHeight) == 0
        assert ws.print_title_rows and ws.print_title_rows.startswith("$1:")
        if ws.title in TABLE_SHEETS:
            assert ws.print_title_rows == TABLE_SHEETS[ws.title]


def test_document_properties_pinned(wb: openpyxl.Workbook) -> None:
    props = wb.properties
    assert "Acme Support & Co" in props.title
    assert props.creator == "support-excellence"
    assert props.subject and props.keywords
    assert props.created == dt.datetime(2024, 5, 17)
    assert props.modified == dt.datetime(2024, 5, 17)


# --------------------------------------------------------------------------- Scores


def both_readings(score_: float, measured: float | None, coverage: float) -> str:
    """Both readings written out by hand (methodology §3), independent of core.format."""
    if coverage >= 1:
        return f"{score_:.1f} (all KPIs measured)"
    return (f"{score_:.1f} (missing data counted as 0); {measured:.1f} on the "
            f"{100 * coverage:.0f}% of KPIs measured")


def test_summary_index_elements_and_gaps(wb: openpyxl.Workbook, full: dict[str, Any]) -> None:
    ws = wb["Scores"]
    row = find(ws, "Support Excellence Index")
    index = full["index"]
    assert ws.cell(row, 2).value == pytest.approx(index["score"])
    assert ws.cell(row, 2).number_format == "0.0"
    assert ws.cell(row, 2).fill.fgColor.rgb.endswith(xlsx.RAG_COLOURS[index["rag"]][0])
    assert ws.cell(row, 3).value == "Green"
    assert index["level"] == 5 and index["level_name"] == "Strong"
    band = ws.cell(find(ws, "Index band"), 2)
    assert band.value == "Strong (band 5 of 5: 80 to 100)"
    assert band.fill.fgColor.rgb.endswith(xlsx.RAG_COLOURS["green"][0])
    assert ws.cell(find(ws, "Index band"), 3).value == "Green"
    assert ws.cell(find(ws, "Missing KPIs"), 2).value == "Counted as 0 (missing_kpi: zero)"
    assert ws.cell(find(ws, "Data"), 2).value == "Sufficient"

    header = find(ws, "Element")
    assert [c.value for c in ws[header]][:8] == excel.ELEMENT_HEADERS
    for element in full["elements"].values():
        r = find(ws, element["name"])
        assert ws.cell(r, 2).value == pytest.approx(element["score"])
        assert ws.cell(r, 3).value == pytest.approx(element["measured_score"])
        assert ws.cell(r, 4).value == pytest.approx(element["coverage"])
        assert ws.cell(r, 4).number_format == "0%"

    top = find(ws, "Top five gaps by index points at stake") + 2
    ids = [ws.cell(top + n, 2).value for n in range(5)]
    assert ids == [g["id"] for g in full["gaps"][:5]]
    assert ws.cell(top, 5).value == pytest.approx(full["gaps"][0]["points_at_stake"])
    assert ws.cell(top, 6).value == "Improve"


def test_summary_shows_both_readings(sparse_zero: dict[str, Any], tmp_path: Path) -> None:
    """Missing data counted as 0 and the measured reading, for the index and each element,
    in words and as numbers, with the insufficient-data flags."""
    index = sparse_zero["index"]
    assert index["score"] < index["measured_score"] and not index["sufficient"]
    book = openpyxl.load_workbook(write_excel(sparse_zero, tmp_path / "zero.xlsx"))
    ws = book["Scores"]
    assert ws.cell(find(ws, "Support Excellence Index"), 2).value == pytest.approx(
        index["score"])
    assert ws.cell(find(ws, "Measured score (KPIs with data only)"), 2).value == pytest.approx(
        index["measured_score"])
    words = ws.cell(find(ws, "Both readings of missing data"), 2).value
    assert words == both_readings(index["score"], index["measured_score"], index["coverage"])
    assert words == "9.8 (missing data counted as 0); 76.5 on the 13% of KPIs measured"
    flag = ws.cell(find(ws, "Data"), 2)
    assert flag.value == "Insufficient data"
    assert flag.fill.fgColor.rgb.endswith(xlsx.RAG_COLOURS["amber"][0])
    for element in sparse_zero["elements"].values():
        r = find(ws, element["name"])
        assert ws.cell(r, 2).value == pytest.approx(element["score"])
        assert ws.cell(r, 3).value == (None if element["measured_score"] is None
                                       else pytest.approx(element["measured_score"]))
        assert ws.cell(r, 7).value == "Insufficient data"
        if element["measured_score"] is not None:
            assert ws.cell(r, 8).value == both_readings(
                element["score"], element["measured_score"], element["coverage"])
    reputation = sparse_zero["elements"]["reputation"]
    assert ws.cell(find(ws, "Reputation"), 8).value == (
        f"{reputation['score']:.1f} (missing data counted as 0); "
        f"{reputation['measured_score']:.1f} on the {100 * reputation['coverage']:.0f}% of "
        "KPIs measured")
    # missing KPIs are gaps to measure, on the Scores and the KPI sheets
    top = find(ws, "Top five gaps by index points at stake") + 2
    first = sparse_zero["gaps"][0]
    assert first["kind"] == "measure"
    assert (ws.cell(top, 2).value, ws.cell(top, 6).value) == (first["id"], "Measure this")
    kpis = book["KPIs"]
    missing = kpi_row(kpis, first["id"])
    assert missing["Status"].value == "No data"
    assert missing["Points at stake"].value == pytest.approx(first["points_at_stake"])
    assert missing["Action"].value == "Measure this"
    assert missing["Value source"].value == "Not measured"


def test_summary_profile_renewal_and_alignment(wb: openpyxl.Workbook,
                                               full: dict[str, Any]) -> None:
    ws = wb["Scores"]
    assert ws.cell(find(ws, "Industry"), 2).value == "Software"
    assert ws.cell(find(ws, "Support model"), 2).value == "blended"
    assert ws.cell(find(ws, "Segment"), 2).value == "B2B software support"
    assert ws.cell(find(ws, "Currency"), 2).value == "USD"
    assert ws.cell(find(ws, "Exchange rate used"), 2).value == (
        "None needed: amounts are in USD, the framework's currency")
    assert ws.cell(find(ws, "Region"), 2).value == "EMEA"
    assert ws.cell(find(ws, "Employees"), 2).value == 1200
    date_cell = ws.cell(find(ws, "Assessment date"), 2)
    assert date_cell.value == dt.datetime(2024, 5, 17) and date_cell.is_date
    assert ws.cell(find(ws, "Renewal health"), 2).value == pytest.approx(
        full["renewal"]["health"])
    row = find(ws, "Computed alignment (this toolkit's own measure, 0–10)")
    assert ws.cell(row, 2).value == pytest.approx(full["expectations"]["alignment"])
    assert ws.cell(find(ws, "Self-rated alignment (HDI's question, 0–10)"), 2).value == 7
    row = find(ws, "HDI survey average, self-rated (0–10)")
    assert ws.cell(row, 2).value == 6.6
    assert ws.cell(row, 3).value == (
        f"{full['expectations']['survey_source']}, {full['expectations']['survey_year']}")
    assert ws.cell(row, 3).value.endswith(", 2014")
    assert ws.cell(find(ws, "Self-rated minus HDI average"), 2).value == pytest.approx(0.4)


def test_summary_currency_and_exchange_rate(partial: dict[str, Any]) -> None:
    ws = build_workbook(partial)["Scores"]
    row = find(ws, "Exchange rate used")
    assert (ws.cell(row, 2).value, ws.cell(row, 3).value) == (0.9, "EUR per 1 USD")
    assert ws.cell(find(ws, "Currency"), 2).value == "EUR"
    assert ws.cell(find(ws, "Segment"), 2).value == "None chosen: the framework's own targets"


def test_summary_bar_chart(wb: openpyxl.Workbook) -> None:
    charts = wb["Scores"]._charts
    assert len(charts) == 1
    chart = charts[0]
    assert isinstance(chart, BarChart)
    assert chart.y_axis.scaling.min == 0 and chart.y_axis.scaling.max == 100
    first, last = find(wb["Scores"], "Profit"), find(wb["Scores"], "Effectiveness")
    assert chart.series[0].cat.strRef.f == f"'Scores'!$A${first}:$A${last}"
    assert chart.series[0].val.numRef.f == f"'Scores'!$B${first}:$B${last}"


# --------------------------------------------------------------------------- KPIs


def test_kpi_sheet_lists_every_kpi(wb: openpyxl.Workbook, full: dict[str, Any]) -> None:
    ws = wb["KPIs"]
    assert [c.value for c in ws[4]] == excel.KPI_HEADERS
    ids = [ws.cell(r, 3).value for r in range(5, 5 + len(full["kpis"]))]
    assert ids == [k["id"] for k in full["kpis"]]
    for k in full["kpis"]:
        row = kpi_row(ws, k["id"])
        assert row["Score"].value == pytest.approx(k["score"])
        assert row["Score"].number_format == "0.0"
        assert row["Status"].value == fmt.STATUS_LABELS[k["status"]]
        assert row["Value source"].value == "Intake"


def test_kpi_unit_number_formats(wb: openpyxl.Workbook) -> None:
    ws = wb["KPIs"]
    # the format shows what core.format writes: 83%, USD 31.50, 36 h, 160, 3.1, 31
    assert kpi_row(ws, "csat")["Current"].number_format == "0%"
    assert kpi_row(ws, "csat")["Current"].value == pytest.approx(0.83)
    assert kpi_row(ws, "cost_per_case")["Current"].number_format == '"USD "#,##0.00'
    assert kpi_row(ws, "time_to_resolve")["Current"].number_format == '#,##0 "h"'
    assert kpi_row(ws, "time_to_first_response")["Current"].number_format == '#,##0.0 "h"'
    assert kpi_row(ws, "cases_per_engineer_month")["Current"].number_format == "#,##0"
    assert kpi_row(ws, "support_demand_per_customer")["Current"].number_format == "#,##0.0"
    assert kpi_row(ws, "nps")["Current"].number_format == "#,##0"
    assert kpi_row(ws, "escalation_rate")["Target"].number_format == "0%"
    assert kpi_row(ws, "csat")["Current"].alignment.horizontal == "right"


def test_kpi_targets_bands_and_benchmarks(wb: openpyxl.Workbook, full: dict[str, Any]) -> None:
    ws = wb["KPIs"]
    csat = kpi_row(ws, "csat")
    assert csat["Target"].value == pytest.approx(0.9)
    framework_csat = kpi_of(full, "csat")["framework_target"]
    assert csat["Target basis"].value == (
        f"Client's own (framework {fmt.format_percent(framework_csat)})")
    assert csat["Benchmark"].value == pytest.approx(kpi_of(full, "csat")["benchmark"]["value"])
    assert csat["Benchmark source"].value == fmt.benchmark_source(
        kpi_of(full, "csat")["benchmark"])
    assert kpi_row(ws, "sla_attainment")["Target basis"].value == "Framework"
    assert kpi_row(ws, "nps")["Target basis"].value == "Segment: B2B software support"
    band = kpi_row(ws, "engineer_utilization")
    assert band["Target"].value == "band 50% to 60%"
    assert band["Floor (scores 0)"].value == "below 30% / above 85%"
    cost = kpi_of(full, "cost_per_case")["benchmark"]
    low, high = cost["range"]
    assert kpi_row(ws, "cost_per_case")["Benchmark"].value == (
        f"USD {fmt.trim_number(low, 2)} to USD {fmt.trim_number(high, 2)}")


def test_benchmark_in_its_own_currency_with_the_converted_figure(
        partial: dict[str, Any]) -> None:
    cost = kpi_of(partial, "cost_per_case")["benchmark"]
    assert cost["currency"] == "USD" and cost["converted"]["currency"] == "EUR"
    ws = build_workbook(partial)["KPIs"]
    text = kpi_row(ws, "cost_per_case")["Benchmark"].value
    assert text == fmt.benchmark_figure(cost, "currency", "EUR")
    low, high = cost["range"]
    assert text == (f"USD {fmt.format_money(low)} to USD {fmt.format_money(high)} "
                    f"(≈ EUR {fmt.format_money(low * 0.9)} to EUR {fmt.format_money(high * 0.9)})")
    # money targets and floors are the framework's × 0.9, in the client's currency
    row = kpi_row(ws, "cost_per_case")
    assert row["Target"].value == pytest.approx(kpi_of(partial, "cost_per_case")["target"])
    assert row["Target"].number_format.startswith('"EUR "')


def test_kpi_conditional_formatting_freeze_and_filter(wb: openpyxl.Workbook) -> None:
    ws = wb["KPIs"]
    status_col = openpyxl.utils.get_column_letter(excel.KPI_HEADERS.index("Status") + 1)
    rules = {}
    for cf in ws.conditional_formatting:
        for rule in cf.rules:
            rules[rule.formula[0]] = (str(cf.sqref), rule)
    assert set(rules) == {'"Met"', '"Near"', '"Off target"', '"No data"', '"Not applicable"'}
    for sqref, rule in rules.values():
        assert sqref.startswith(f"{status_col}5:")
        assert rule.type == "cellIs" and rule.operator == "equal"
        assert rule.dxf.fill is not None
    assert rules['"Met"'][1].dxf.fill.fgColor.rgb.endswith("C6EFCE")
    assert rules['"Off target"'][1].dxf.fill.fgColor.rgb.endswith("FFC7CE")
    assert rules['"Not applicable"'][1].dxf.fill.fgColor.rgb.endswith("E7E6E6")
    assert ws.freeze_panes == "C5"
    last = 4 + len([c for c in ws["C"][4:] if c.value])
    assert ws.auto_filter.ref == f"A4:R{last}"
    assert ws.print_title_rows == "$1:$4"


def test_derived_value_is_marked_with_its_relation(inconsistent: dict[str, Any]) -> None:
    demand = kpi_of(inconsistent, "support_demand_per_customer")
    assert demand["derived"] and demand["derived_from"] == "support_demand_check"
    ws = build_workbook(inconsistent)["KPIs"]
    row = kpi_row(ws, "support_demand_per_customer")
    assert row["Current"].value == pytest.approx(4.1)
    assert row["Current"].number_format == '#,##0.0" (derived)"'
    assert row["Value source"].value == "(derived) from relation support_demand_check"
    assert excel.derived_format('"USD "#,##0.00') == '"USD "#,##0.00" (derived)"'
    assert excel.derived_format('#,##0 "h"') == '#,##0 "h (derived)"'


# --------------------------------------------------------------------------- internal desk


def test_internal_desk_revenue_kpis_not_applicable(internal: dict[str, Any],
                                                   tmp_path: Path) -> None:
    book = openpyxl.load_workbook(write_excel(internal, tmp_path / "internal.xlsx"))
    ws = book["KPIs"]
    for kpi_id in (*REVENUE_KPIS, "contract_renewal_rate", "customer_retention_rate"):
        row = kpi_row(ws, kpi_id)
        assert row["Status"].value == "Not applicable", kpi_id
        assert row["Value source"].value == "Not applicable"
        assert row["Score"].value is None
        assert row["Points at stake"].value is None
        assert row["Action"].value is None
        assert row["KPI"].font.color.rgb.endswith("808080") and row["KPI"].font.i
    assert kpi_row(ws, "csat")["Status"].value != "Not applicable"
    assert not kpi_row(ws, "csat")["KPI"].font.i
    assert kpi_row(ws, "cost_per_case")["Target basis"].value == (
        "Segment: Internal IT service desk")
    assert any(c.value == "Greyed rows: not applicable to an internal support model; left out "
               "of every score, coverage and gap." for c in ws["A"])

    summary = book["Scores"]
    assert summary.cell(find(summary, "Renewal health"), 2).value == (
        "Not applicable to an internal support model")
    assert summary.cell(find(summary, "Segment"), 2).value == "Internal IT service desk"
    assert summary.cell(find(summary, "Profit"), 4).value == pytest.approx(
        internal["elements"]["profit"]["coverage"])

    renewal = book["Renewal"]
    assert renewal["A5"].value == "Renewal health"
    assert renewal["B5"].value == "Not applicable to an internal support model"
    assert renewal._charts == []
    assert find(renewal, "No projection: not applicable to an internal support model.")
    assert not any(c.value == "Contract year" for c in renewal["A"])
    row = find(renewal, "contract_renewal_rate", col=2)
    assert renewal.cell(row, 7).value == "Not applicable"
    assert renewal.cell(find(renewal, "renewal_ownership", col=2), 1).font.i  # greyed out
    q_row = find(renewal, "Questionnaire score")
    assert renewal.cell(q_row, 2).value == "Not applicable to an internal support model"
    assert renewal.cell(q_row + 1, 2).value == "Not applicable"

    practices = book["Practices"]  # labels across A:B, values in C
    assert practices.cell(find(practices, "Maturity level"), 3).value == "Level 2 · Ad hoc"


# --------------------------------------------------------------------------- other sheets


def test_renewal_sheet(wb: openpyxl.Workbook, full: dict[str, Any]) -> None:
    ws = wb["Renewal"]
    renewal = full["renewal"]
    assert ws.cell(find(ws, "Renewal KPI score"), 2).value == pytest.approx(
        renewal["kpi_score"])
    assert ws.cell(find(ws, "Renewal KPI measured score"), 2).value == pytest.approx(
        renewal["kpi_measured_score"])
    assert ws.cell(find(ws, "Renewal practices score"), 2).value == pytest.approx(
        renewal["practices_score"])
    assert ws.cell(find(ws, "Recurring revenue rate"), 2).value == pytest.approx(0.97)
    assert renewal["value_basis"] == "recurring_revenue_rate"
    assert ws.cell(find(ws, "Value curve basis"), 2).value == (
        "Client value follows the client's recurring-revenue rate R: value in year k = "
        "R^(k−1)")
    q = full["questionnaires"]["renewal_practices"]
    first = q["items"][0]
    row = find(ws, first["id"], col=2)  # the practice in A, its id in B
    header = find(ws, "Practice")
    assert [ws.cell(header, c).value for c in range(1, 7)] == excel.RENEWAL_PRACTICE_HEADERS
    assert ws.cell(row, 1).value == first["name"]
    assert ws.cell(row, 4).value == first["answer"]
    assert ws.cell(row, 5).value == first["label"]
    assert ws.cell(row, 6).value == pytest.approx(first["answer"] / 4 * 100)
    na = next(i for i in q["items"] if i["na"])
    assert ws.cell(find(ws, na["id"], col=2), 4).value == "n/a"

    header = find(ws, "Contract year")
    assert ws.cell(header, 5).value == "Client value (recurring-revenue rate)"
    start = header + 1
    for n, point in enumerate(renewal["projection"]):
        assert ws.cell(start + n, 1).value == point["year"]
        assert ws.cell(start + n, 2).value == pytest.approx(point["client"])
        assert ws.cell(start + n, 3).value == pytest.approx(point["industry"])
        assert ws.cell(start + n, 5).value == pytest.approx(point["client_value"])
        assert ws.cell(start + n, 5).value == pytest.approx(0.97 ** n)
        assert ws.cell(start + n, 2).number_format == fmt.excel_format("percent", None,
                                                                       point["client"])
    assert ws.cell(start + 4, 3).value == pytest.approx(0.461, abs=1e-3)
    charts = ws._charts
    assert len(charts) == 1 and isinstance(charts[0], LineChart)
    assert len(charts[0].series) == 3


def test_practices_expectations_recommendations(wb: openpyxl.Workbook,
                                                full: dict[str, Any]) -> None:
    ws = wb["Practices"]  # the labels of the summary across A:B (the "#" column is narrow)
    q = full["questionnaires"]["excellence_practices"]
    assert ws.cell(find(ws, "Questionnaire score"), 3).value == pytest.approx(q["score"])
    assert "A{0}:B{0}".format(find(ws, "Questionnaire score")) in {
        str(m) for m in ws.merged_cells.ranges}
    assert ws.cell(find(ws, "Measured score (answered questions only)"), 3).value == \
        pytest.approx(q["measured_score"])
    scale = full["framework"]["answer_scale"]
    assert ws.cell(find(ws, "Maturity level"), 3).value == (
        f"Level {q['level']} · {scale[q['level'] - 1]}")
    assert [ws.cell(r, 3).value for r in range(5, 5 + len(q["items"]))] == [
        i["id"] for i in q["items"]]
    assert ws.cell(find(ws, "Both readings of missing data"), 3).value == (
        f"{q['score']:.1f} (all questions answered)")

    ws = wb["Expectations"]
    dims = full["expectations"]["dimensions"]
    focus = next(d for d in dims if d["quadrant"] == "concentrate_here")
    row = find(ws, focus["id"], col=2)
    assert ws.cell(row, 7).value == "Concentrate here"
    assert ws.cell(row, 6).value == pytest.approx(focus["gap"])
    row = find(ws, "Computed alignment (this toolkit's own measure, 0–10)")
    assert ws.cell(row, 2).value == pytest.approx(full["expectations"]["alignment"])
    assert ws.cell(row + 1, 1).value == "Self-rated alignment (HDI's question, 0–10)"
    assert ws.cell(row + 1, 2).value == 7
    assert ws.cell(row + 2, 2).value == 6.6
    assert ws.cell(row + 2, 3).value.startswith("HDI survey of 771")

    ws = wb[excel.APPENDIX]
    recs = full["recommendations"]
    assert recs, "the full fixture should produce recommendations"
    assert ws.cell(5, 1).value == 1
    assert ws.cell(5, 5).value == recs[0]["id"]
    assert ws.cell(5, 6).value == pytest.approx(recs[0]["priority"])
    assert ws.cell(5, 7).value == recs[0]["basis"]
    assert ws.cell(5, 8).value == excel.recommendation_action(recs[0]["kind"], recs[0]["side"])
    assert ws.cell(5, 9).value == recs[0]["text"]
    assert ws.cell(5, 9).alignment.wrap_text
    long_row = next(r for r in range(5, 5 + len(recs)) if len(ws.cell(r, 9).value) > 100)
    assert ws.row_dimensions[long_row].height >= 30
    assert ws.cell(4 + len(recs), 1).value == len(recs)
    side = next((r for r in recs if r["side"]), None)
    if side is not None:
        row = 4 + side["rank"]
        assert ws.cell(row, 8).value == f"Improve ({side['side']} the band)"


def test_data_quality_and_method(wb: openpyxl.Workbook, full: dict[str, Any]) -> None:
    ws = wb["Data quality"]
    assert ws.freeze_panes == "A3"
    assert ws.print_title_rows == "$1:$2"
    header = find(ws, "Area")
    assert [c.value for c in ws[header]][:7] == excel.COVERAGE_HEADERS
    assert ws.cell(header + 1, 1).value == "Support Excellence Index"
    for n, element in enumerate(full["elements"].values(), start=2):
        assert ws.cell(header + n, 1).value == element["name"]
        assert ws.cell(header + n, 4).value == pytest.approx(element["coverage"])
        assert ws.cell(header + n, 5).value == element["kpis"]
    checks = find(ws, "Relation")
    assert [c.value for c in ws[checks]][:10] == excel.CHECK_HEADERS
    not_checked = ws.cell(checks + 1, 8)
    assert not_checked.value == "Not checked"
    assert ws.cell(checks + 1, 9).value == (
        "profile.support_cost (Profile: support_cost), "
        "profile.assisted_cases (Profile: assisted_cases)")
    warnings = find(ws, "Warning")
    assert [ws.cell(warnings + 1 + n, 1).value for n in range(len(full["warnings"]))] == \
        full["warnings"]

    ws = wb["Method"]
    assert ws.cell(find(ws, "Framework"), 2).value == full["framework"]["name"]
    assert ws.cell(find(ws, "Version"), 2).value == full["framework"]["version"]
    assert ws.cell(find(ws, "Results schema"), 2).value == "support-excellence/results@2"
    assert ws.cell(find(ws, "Index bands"), 2).value.startswith("1 Critical (0–20), 2 Poor")
    assert ws.cell(find(ws, "Answer scale (questionnaire levels)"), 2).value.startswith(
        "0 Not in place, 1 Ad hoc")
    assert ws.cell(find(ws, "Missing KPIs"), 2).value == "Counted as 0 (missing_kpi: zero)"
    assert ws.cell(find(ws, "Framework currency"), 2).value == "USD"
    assert ws.cell(find(ws, "Amber threshold"), 2).value == 80
    assert ws.cell(find(ws, "Industry renewal rate"), 2).value == pytest.approx(0.824)
    for topic in ("Support Excellence Index", "Points at stake", "Renewal health", "Quadrants",
                  "Missing data", "Consistency checks", "Applicability"):
        assert ws.cell(find(ws, topic), 2).value


def test_data_quality_lists_a_failing_relation_with_its_cells(inconsistent: dict[str, Any],
                                                               tmp_path: Path) -> None:
    book = openpyxl.load_workbook(write_excel(inconsistent, tmp_path / "checked.xlsx"))
    ws = book["Data quality"]
    row = find(ws, "cost_per_case_check", col=2)
    values = {h: ws.cell(row, n).value for n, h in enumerate(excel.CHECK_HEADERS, start=1)}
    assert values == {
        "Relation": "Cost per case x assisted cases = annual support cost",
        "ID": "cost_per_case_check",
        "Cells involved": "KPIs!F14, Profile!C21, Profile!C23",
        "Stated": 31.5,
        "Implied": pytest.approx(13_000_000 / 41_000),
        "Difference": pytest.approx((31.5 - 13_000_000 / 41_000) / (13_000_000 / 41_000)),
        "Tolerance": 0.15,
        "Result": "Failed",
        "Missing terms": None,
        "Derived": "No",
    }
    assert ws.cell(row, 8).fill.fgColor.rgb.endswith(xlsx.RAG_COLOURS["red"][0])
    assert ws.cell(row, 4).number_format == '"USD "#,##0.00'
    assert ws.cell(row, 7).number_format == '"±"0%'

    derived = find(ws, "support_demand_check", col=2)
    assert ws.cell(derived, 3).value == "KPIs!F18, Profile!C23, Profile!C25"
    assert ws.cell(derived, 4).value is None
    assert ws.cell(derived, 5).value == pytest.approx(4.1)
    assert (ws.cell(derived, 8).value, ws.cell(derived, 10).value) == ("Not checked", "Yes")

    missing = find(ws, "cases_per_engineer_check", col=2)
    assert ws.cell(missing, 9).value == (
        "profile.support_headcount (Profile: support_headcount)")

    warnings = find(ws, "Warning")
    texts = [ws.cell(warnings + 1 + n, 1).value for n in range(len(inconsistent["warnings"]))]
    assert texts == inconsistent["warnings"]
    assert any("KPIs!F14" in t and "Profile!C21" in t for t in texts)


# --------------------------------------------------------------------------- executive summary

#: The horizons' months written out by hand (methodology §10), independent of the engine.
MONTHS = {"days_0_90": (0, 3), "months_3_6": (3, 6), "months_6_12": (6, 12)}
USD = '"USD "#,##0'


def test_executive_summary_is_the_first_sheet(money_book: openpyxl.Workbook,
                                              money: dict[str, Any]) -> None:
    """Index with both readings and band, elements and renewal health, the findings with
    their rule (the consultant's wording marked), the top initiatives in money, the
    business-case total and the caveats, on one printed page."""
    ws = money_book.worksheets[1]
    assert money_book.sheetnames[1] == ws.title == "Executive summary"
    assert ws.page_setup.orientation == "portrait" and int(ws.page_setup.fitToHeight) == 1
    summary, index = money["executive_summary"], money["index"]
    row = find(ws, "Support Excellence Index")
    assert ws.cell(row, 2).value == pytest.approx(index["score"])
    assert ws.cell(row, 2).fill.fgColor.rgb.endswith(xlsx.RAG_COLOURS[index["rag"]][0])
    assert ws.cell(row, 3).value == fmt.rag_label(index["rag"])
    assert ws.cell(find(ws, "Index band"), 2).value == "Strong (band 5 of 5: 80 to 100)"
    assert ws.cell(find(ws, "Both readings of missing data"), 2).value == (
        summary["index"]["words"]) == f"{index['score']:.1f} (all KPIs measured)"
    for element in summary["elements"]:
        r = find(ws, element["name"])
        assert ws.cell(r, 2).value == pytest.approx(element["score"])
        assert ws.cell(r, 3).value == fmt.rag_label(element["rag"])
    r = find(ws, "Renewal health")
    assert ws.cell(r, 2).value == pytest.approx(money["renewal"]["health"])
    assert ws.cell(r, 3).value == fmt.rag_label(money["renewal"]["rag"])

    header = find(ws, "Key finding")
    assert [ws.cell(header, c).value for c in (1, 5, 6)] == ["Key finding", "Rule", "Wording"]
    findings = summary["findings"]
    assert findings
    for n, finding in enumerate(findings, start=1):
        assert ws.cell(header + n, 1).value == finding["text"]
        assert ws.cell(header + n, 5).value == finding["id"]
        assert ws.cell(header + n, 6).value == (
            "Consultant's own" if finding["overridden"] else "From the rule")
        assert f"A{header + n}:D{header + n}" in {str(m) for m in ws.merged_cells.ranges}
        assert ws.cell(header + n, 1).alignment.wrap_text
    own = next(f for f in findings if f["overridden"])
    assert own["id"] == "largest_gap" and own["text"] == "Margin is where the money is."

    header = find(ws, "Initiative")
    assert [ws.cell(header, c).value for c in range(1, 7)] == [
        "Initiative", "Horizon", "Effort", "Index points", "Owner", "Value a year (base)"]
    top = summary["initiatives"]
    assert len(top) == 3
    for n, item in enumerate(top, start=1):
        assert ws.cell(header + n, 1).value == item["name"]
        assert ws.cell(header + n, 2).value == fmt.HORIZON_LABELS[item["horizon"]]
        assert ws.cell(header + n, 5).value == item["owner"]
        cell = ws.cell(header + n, 6)
        if item["money_base"] is None:
            assert cell.value is None
        else:
            assert cell.value == pytest.approx(item["money_base"])
            assert cell.number_format == fmt.excel_format("currency", "USD", item["money_base"])
    assert any(i["money_base"] for i in top)

    total = money["business_case"]["total"]
    r = find(ws, "Total of the counted drivers")
    assert [ws.cell(r, c).value for c in (2, 3, 4)] == pytest.approx(
        [total["low"], total["base"], total["high"]])
    assert ws.cell(r, 3).number_format == USD
    assert ws.cell(r + 1, 1).value.startswith("Counted: ")

    header = find(ws, "What changes the picture")
    caveats = summary["caveats"]
    if caveats:
        assert [ws.cell(header + n, 1).value for n in range(1, len(caveats) + 1)] == caveats
    else:
        assert ws.cell(header + 1, 1).value.startswith("None: ")


def test_needs_data_driver_reads_needs_data_and_has_no_money(wb: openpyxl.Workbook,
                                                              full: dict[str, Any]) -> None:
    """Without assisted cases and the contract revenue base no driver has a value: each reads
    'needs data: <field>' and its money cells stay empty (never 0)."""
    ws = wb["Business case"]
    assert headers_of(ws, 4) == excel.DRIVER_HEADERS
    assert ws.freeze_panes == "B5"
    cost = row_of(ws, 4, "cost_per_case_gap")
    assert cost["Status"].value == "needs data: assisted_cases" == fmt.needs_data_text(
        ["assisted_cases"])
    assert cost["Status"].fill.fgColor.rgb.endswith(xlsx.RAG_COLOURS["amber"][0])
    for header in ("Low (a year)", "Base (a year)", "High (a year)", "Five years (renewal)"):
        assert cost[header].value is None, header
        assert cost[header].number_format.startswith('"USD "')
    assert cost["In the total"].value == "No"
    assert row_of(ws, 4, "renewal_revenue_at_stake")["Status"].value == (
        "needs data: contract_revenue_base")
    total = find(ws, "Total, each overlap counted once")
    assert ws.cell(total, 3).value == "No driver valued"
    assert all(ws.cell(total, c).value is None for c in (4, 5, 6))
    assert ws.cell(find(ws, "Renewal revenue at stake (the projection in money)") + 1,
                   1).value == "No renewal money: needs data: contract_revenue_base."
    section = find(ws, "Sensitivity: which assumption moves the total most")
    assert any("no total to test" in str(c.value) for c in ws["A"][section:])

    summary = wb["Executive summary"]
    r = find(summary, "Total of the counted drivers")
    assert summary.cell(r, 2).value == "not valued"
    assert summary.cell(r, 3).value is None
    assert "Cost-per-case gap (needs data: assisted_cases)" in summary.cell(r + 1, 1).value
    caveats = [summary.cell(row, 1).value
               for row in range(find(summary, "What changes the picture") + 1,
                                summary.max_row + 1)]
    assert any("needs data: assisted_cases" in str(c) for c in caveats)


def test_overlapping_driver_is_not_added_twice(money_book: openpyxl.Workbook,
                                               money: dict[str, Any]) -> None:
    """The cost-per-case gap and the self-service shift overlap: the total keeps the larger
    and shows the other as valued but not counted, with the reason."""
    ws = money_book["Business case"]
    target = kpi_of(money, "cost_per_case")["target"]
    gap = 40_000 * (120.0 - target)  # assisted cases × (cost per case − target)
    cost = row_of(ws, 4, "cost_per_case_gap")
    assert cost["Base (a year)"].value == pytest.approx(gap)
    assert cost["Base (a year)"].number_format == fmt.excel_format("currency", "USD", gap)
    assert (cost["Status"].value, cost["In the total"].value) == ("Counted", "Yes")
    valuation = find(ws, "How each driver is valued") + 1
    assert headers_of(ws, valuation) == excel.VALUATION_HEADERS
    assert row_of(ws, valuation, "cost_per_case_gap")[
        "Formula with the client's numbers (base case)"].value.startswith("40,000 assisted cases")

    shift = row_of(ws, 4, "self_service_shift")
    assert 0 < shift["Base (a year)"].value < gap
    assert shift["Status"].value == "Valued, not counted (overlap)"
    assert shift["In the total"].value == "No"
    assert "Cost-per-case gap" in shift["Why not in the total"].value

    rate, renewal_target = 0.86, kpi_of(money, "contract_renewal_rate")["target"]
    five = sum(5_000_000 * (renewal_target ** k - rate ** k) for k in range(5))
    renewal = row_of(ws, 4, "renewal_revenue_at_stake")
    assert renewal["Five years (renewal)"].value == pytest.approx(five)
    assert renewal["Base (a year)"].value == pytest.approx(five / 5)

    total = find(ws, "Total, each overlap counted once")
    counted = [d for d in money["business_case"]["drivers"] if d["counted"]]
    assert {d["id"] for d in counted} == {"cost_per_case_gap", "renewal_revenue_at_stake"}
    assert ws.cell(total, 5).value == pytest.approx(gap + five / 5)
    assert ws.cell(total, 5).value == pytest.approx(money["business_case"]["total"]["base"])
    assert ws.cell(total, 5).font.bold


def test_renewal_money_per_year_with_its_chart(money_book: openpyxl.Workbook,
                                               money: dict[str, Any]) -> None:
    ws = money_book["Business case"]
    header = find(ws, "Contract year")
    assert [ws.cell(header, c).value for c in range(1, 6)] == excel.MONEY_HEADERS
    rate, target = 0.86, kpi_of(money, "contract_renewal_rate")["target"]
    industry = money["renewal"]["industry_rate"]
    for k in range(1, 6):
        row = [ws.cell(header + k, c).value for c in range(1, 6)]
        client, goal = 5_000_000 * rate ** (k - 1), 5_000_000 * target ** (k - 1)
        assert row == [k, pytest.approx(client), pytest.approx(goal),
                       pytest.approx(5_000_000 * industry ** (k - 1)),
                       pytest.approx(goal - client)]
        assert ws.cell(header + k, 2).number_format == USD
    assert ws.cell(header + 6, 1).value == "5 years"
    assert ws.cell(header + 6, 5).value == pytest.approx(money["renewal"]["money"]["at_stake"])
    charts = [c for c in ws._charts if isinstance(c, LineChart)]
    assert len(charts) == 1 and len(charts[0].series) == 3
    assert charts[0].series[0].val.numRef.f == (
        f"'Business case'!$B${header + 1}:$B${header + 5}")


def test_assumptions_with_sources_and_sensitivity(money_book: openpyxl.Workbook,
                                                  assumed: dict[str, Any],
                                                  tmp_path: Path) -> None:
    ws = money_book["Business case"]
    header = find(ws, "Assumptions (every figure with its source)") + 1
    assert headers_of(ws, header) == excel.ASSUMPTION_HEADERS
    ss = row_of(ws, header, "self_service_cost_per_contact")
    assert ss["Source"].value.startswith("Gartner") and ss["Year"].value == 2019
    assert ss["Base case"].value == pytest.approx(0.10)
    assert ss["Base case"].number_format == '"USD "#,##0.00'
    assert ss["Unit"].value == "Money (USD)"
    repeat = row_of(ws, header, "repeat_contacts_per_unresolved")
    assert repeat["Source"].value == "Practitioner estimate" and repeat["Year"].value == fmt.DASH
    assert repeat["Used by"].value == "Repeat contacts avoided"
    notes = find(ws, "Note", col=3)  # the notes follow the table, across the sheet
    assert row_of(ws, notes, "self_service_cost_per_contact")["Note"].value.startswith(
        "The base value is Gartner's")
    # the counted drivers use no assumption: every swing is 0, and the sheet says why
    section = find(ws, "Sensitivity: which assumption moves the total most")
    words = [str(c.value) for c in ws["A"][section:]]
    assert any("rests on the client's own figures" in w for w in words)

    book = openpyxl.load_workbook(write_excel(assumed, tmp_path / "assumed.xlsx"))
    ws = book["Business case"]
    assert row_of(ws, 4, "cost_per_case_gap")["Status"].value == "needs data: cost_per_case"
    header = find(ws, "Sensitivity: which assumption moves the total most") + 1
    sensitivity = assumed["business_case"]["sensitivity"]
    assert sensitivity[0]["swing"] > 0
    for n, s in enumerate(sensitivity, start=1):
        assert ws.cell(header + n, 2).value == s["assumption"]
        assert ws.cell(header + n, 5).value == pytest.approx(s["swing"])
    swings = [ws.cell(header + n, 5).value for n in range(1, len(sensitivity) + 1)]
    assert swings == sorted(swings, reverse=True)
    assert "Largest first" in ws.cell(header + len(sensitivity) + 1, 1).value


def test_roadmap_ranked_with_recorded_progress(money_book: openpyxl.Workbook,
                                               money: dict[str, Any]) -> None:
    ws = money_book["Roadmap"]
    assert [c.value for c in ws[4]] == excel.ROADMAP_HEADERS
    assert ws.freeze_panes == "C5"
    initiatives = money["roadmap"]["initiatives"]
    for row, item in enumerate(initiatives, start=5):
        cells = dict(zip(excel.ROADMAP_HEADERS, ws[row], strict=False))
        assert cells["ID"].value == item["id"]
        assert cells["Rank"].value == (item["rank"] if item["rank"] is not None
                                       else "Not applicable")
        assert cells["Horizon"].value == fmt.HORIZON_LABELS[item["horizon"]]
        assert cells["Effort"].value == fmt.EFFORT_LABELS[item["effort"]]
        assert cells["Owner role"].value == item["owner"]
        assert cells["Index points"].value == pytest.approx(item["index_points"])
        base = cells["Base (a year)"].value
        assert base == (None if item["money"] is None
                        else pytest.approx(item["money"]["base"]))
    involves = find(ws, "What each initiative involves") + 1
    assert headers_of(ws, involves) == [h for h, _ in excel.INVOLVES_COLUMNS]
    for row, item in enumerate(initiatives, start=involves + 1):
        cells = dict(zip(headers_of(ws, involves), (ws.cell(row, c) for c in (1, 2, 3, 6, 9, 11)),
                         strict=True))
        assert cells["Initiative"].value == item["name"]
        assert cells["What it involves"].value == item["description"]
        ranks = ", ".join(str(r) for r in item["recommendations"]) or None
        assert cells["Recommendations (appendix ranks)"].value == ranks
    assert [i["rank"] for i in initiatives if i["rank"]] == list(
        range(1, 1 + sum(1 for i in initiatives if i["rank"])))

    header = find(ws, "Progress recorded in the intake") + 1
    rank = next(i["rank"] for i in initiatives if i["id"] == "self_service_and_knowledge")
    tracked = [ws.cell(header + 1, c).value for c in (1, 2, 3, 4, 5, 6, 8)]
    assert tracked == [rank, "Self-service and knowledge", "Yes", "In progress", "Maya Chen",
                       dt.datetime(2024, 9, 30), "No budget for the portal"]
    assert ws.cell(header + 1, 6).is_date


def test_roadmap_timeline_is_a_stacked_bar_chart(money_book: openpyxl.Workbook,
                                                 money: dict[str, Any]) -> None:
    """One bar per ranked initiative: an invisible series up to the start month and a
    visible one for the duration, on a 0-12 month axis."""
    ws = money_book["Roadmap"]
    header = find(ws, "Timeline (months from the start of the plan)") + 1
    assert [ws.cell(header, c).value for c in range(1, 7)] == excel.TIMELINE_HEADERS
    ranked = sorted((i for i in money["roadmap"]["initiatives"] if i["rank"]),
                    key=lambda i: i["rank"])
    for n, item in enumerate(ranked, start=1):
        start, end = MONTHS[item["horizon"]]
        assert [ws.cell(header + n, c).value for c in (1, 2, 4, 5, 6)] == [
            item["rank"], item["name"], start, end, end - start]
    last = header + len(ranked)
    charts = [c for c in ws._charts if isinstance(c, BarChart)]
    assert len(charts) == 1
    chart = charts[0]
    assert (chart.type, chart.grouping, chart.overlap) == ("bar", "stacked", 100)
    assert (chart.y_axis.scaling.min, chart.y_axis.scaling.max) == (0, 12)
    start, duration = chart.series
    assert start.val.numRef.f == f"'Roadmap'!$D${header + 1}:$D${last}"
    assert duration.val.numRef.f == f"'Roadmap'!$F${header + 1}:$F${last}"
    assert start.cat.strRef.f == f"'Roadmap'!$B${header + 1}:$B${last}"
    assert start.graphicalProperties.noFill and start.graphicalProperties.line.noFill
    assert not duration.graphicalProperties.noFill


def test_appendix_of_recommendations_names_the_initiative(money_book: openpyxl.Workbook,
                                                          money: dict[str, Any]) -> None:
    ws = money_book["Appendix - recommendations"]
    assert ws["A2"].value.startswith("Appendix: recommendations")
    assert [c.value for c in ws[4]] == excel.RECOMMENDATION_HEADERS
    owner = {r: i["name"] for i in money["roadmap"]["initiatives"]
             for r in i["recommendations"]}
    for row in range(5, 5 + len(money["recommendations"])):
        assert ws.cell(row, 10).value == owner.get(ws.cell(row, 1).value)
    assert any(ws.cell(row, 10).value for row in range(5, 10))


# --------------------------------------------------------------------------- null-heavy


def test_sparse_results_still_make_a_valid_workbook(sparse: dict[str, Any],
                                                     tmp_path: Path) -> None:
    assert sparse["index"]["score"] is None and sparse["renewal"]["health"] is None
    path = write_excel(sparse, tmp_path / "sparse.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == list(SHEETS)
    ws = book["Scores"]
    cell = ws.cell(find(ws, "Support Excellence Index"), 2)
    assert cell.value == "not computed"
    assert cell.fill.fgColor.rgb.endswith(xlsx.RAG_COLOURS["grey"][0])
    index = sparse["index"]
    assert ws.cell(find(ws, "Both readings of missing data"), 2).value == (
        f"not scored (too little data); {index['measured_score']:.1f} on the "
        f"{100 * index['coverage']:.0f}% of KPIs measured")
    assert ws.cell(find(ws, "Missing KPIs"), 2).value == (
        "Left out of the scores (missing_kpi: exclude)")
    assert ws._charts == []
    assert ws["D4"].value.startswith("No chart")
    assert ws.cell(find(ws, "Renewal health"), 2).value == "not computed"
    assert ws.cell(find(ws, "Top five gaps by index points at stake") + 2, 1).value.startswith(
        "No gaps")
    renewal = book["Renewal"]
    assert renewal._charts == []
    assert any(str(c.value).startswith("No chart") for row in renewal.iter_rows()
               for c in row if c.value)
    kpis = book["KPIs"]
    csat = kpi_row(kpis, "csat")
    assert csat["Status"].value in fmt.STATUS_LABELS.values()
    missing = kpi_row(kpis, "nps")
    assert missing["Current"].value is None and missing["Status"].value == "No data"
    assert kpi_row(kpis, "cost_per_case")["Current"].number_format == '"CHF "#,##0.00'
    practices = book["Practices"]
    assert practices.cell(find(practices, "kpi_targets", col=3), 5).value == "n/a"
    assert practices.cell(find(practices, "quantified_benefits", col=3), 5).value is None
    assert book[excel.APPENDIX]["A5"].value == "No recommendations"


def test_partial_results_chart_elements_without_index(partial: dict[str, Any],
                                                      tmp_path: Path) -> None:
    assert partial["index"]["score"] is None
    book = openpyxl.load_workbook(write_excel(partial, tmp_path / "partial.xlsx"))
    ws = book["Scores"]
    assert len(ws._charts) == 1
    assert ws.cell(find(ws, "Efficiency"), 6).value == "not computed"
    assert ws.cell(find(ws, "Efficiency"), 7).value == "Insufficient data"
    cost = kpi_of(partial, "cost_per_case")
    assert kpi_row(book["KPIs"], "cost_per_case")["Target"].number_format == \
        fmt.excel_format("currency", "EUR", cost["target"])


def test_empty_warnings_and_minimal_results(full: dict[str, Any], tmp_path: Path) -> None:
    minimal = {"schema": full["schema"], "organization": {"name": None}, "warnings": [],
               "recommendations": [], "gaps": []}
    book = openpyxl.load_workbook(write_excel(minimal, tmp_path / "minimal.xlsx"))
    assert book.sheetnames == list(SHEETS)
    ws = book["Data quality"]
    assert ws.cell(find(ws, "Warning") + 1, 1).value == "No warnings"
    assert ws.cell(find(ws, "Relation") + 1, 1).value == (
        "The framework declares no consistency relations.")
    assert book["Scores"]["A1"].value == "Unnamed organization"
    blank = {**minimal, "organization": {"name": "\x00\x01 "}}
    assert build_workbook(blank)["KPIs"]["A1"].value == "Unnamed organization"


V2_ONLY = {
    "index": ("measured_score", "sufficient", "missing_kpi"),
    "element": ("measured_score", "sufficient", "applicable", "kpis_not_applicable"),
    "kpi": ("applicable", "derived", "derived_from", "target_basis", "currency"),
    "renewal": ("applicable", "kpi_measured_score", "recurring_revenue_rate", "value_basis",
                "money"),
    "questionnaire": ("applicable", "measured_score", "sufficient"),
    "expectations": ("self_rated_alignment", "survey_source", "survey_year"),
}


def as_results_v1(results: dict[str, Any]) -> dict[str, Any]:
    """The results as results@1 held them: no v2 keys, v1 level names, no consistency."""
    old = json.loads(json.dumps(results))
    old["schema"] = "support-excellence/results@1"
    for key in ("consistency", "business_case", "roadmap", "executive_summary"):
        old.pop(key, None)
    old["framework"].pop("answer_scale", None)
    old["framework"].pop("currency", None)
    for key in ("missing_kpi", "currency", "segments", "alignment_survey_source",
                "alignment_survey_year"):
        old["framework"]["settings"].pop(key, None)
    old["framework"]["levels"] = ["Reactive", "Emerging", "Established", "Advanced", "Leading"]
    for key in ("segment", "segment_name", "fx_rate"):
        old["organization"].pop(key, None)
    for key in V2_ONLY["index"]:
        old["index"].pop(key, None)
    old["index"]["level_name"] = "Advanced"
    for element in old["elements"].values():
        for key in V2_ONLY["element"]:
            element.pop(key, None)
    for kpi in old["kpis"]:
        for key in V2_ONLY["kpi"]:
            kpi.pop(key, None)
        if kpi["benchmark"]:
            kpi["benchmark"].pop("currency", None)
            kpi["benchmark"].pop("converted", None)
    for key in V2_ONLY["renewal"]:
        old["renewal"].pop(key, None)
    for q in old["questionnaires"].values():
        for key in V2_ONLY["questionnaire"]:
            q.pop(key, None)
    for key in V2_ONLY["expectations"]:
        old["expectations"].pop(key, None)
    for gap in old["gaps"]:
        gap.pop("kind", None)
    for rec in old["recommendations"]:
        rec.pop("side", None)
        rec.pop("kind", None)
    return old


def test_results_v1_still_write_a_workbook(full: dict[str, Any], tmp_path: Path) -> None:
    old = as_results_v1(full)
    book = openpyxl.load_workbook(write_excel(old, tmp_path / "v1.xlsx"))
    assert book.sheetnames == list(SHEETS)
    ws = book["Scores"]
    assert ws.cell(find(ws, "Support Excellence Index"), 2).value == pytest.approx(
        full["index"]["score"])
    assert ws.cell(find(ws, "Maturity level"), 2).value == (
        f"Level {full['index']['level']} · Advanced")
    assert ws.cell(find(ws, "Both readings of missing data"), 2).value == (
        f"{full['index']['score']:.1f} (all KPIs measured)")
    assert ws.cell(find(ws, "Elements scored"), 2).value == "4 of 4 (at least 3 needed)"
    kpis = book["KPIs"]
    assert kpi_row(kpis, "csat")["Target basis"].value.startswith("Client's own (framework ")
    assert kpi_row(kpis, "sla_attainment")["Target basis"].value == "Framework"
    assert kpi_row(kpis, "csat")["Value source"].value == "Intake"
    dq = book["Data quality"]
    assert dq.cell(find(dq, "Relation") + 1, 1).value == (
        "No consistency checks: these results follow methodology version 1.")
    method = book["Method"]
    assert method.cell(find(method, "Results schema"), 2).value == (
        "support-excellence/results@1")
    assert method.cell(find(method, "Maturity levels"), 2).value.startswith("1 Reactive")
    assert method.cell(find(method, "Support Excellence Index"), 2).value == (
        excel.METHOD_V1[5][1])
    renewal = book["Renewal"]
    assert len(renewal._charts) == 1
    # no findings, money or initiatives in results@1: the executive summary says so
    first = book.worksheets[1]
    assert first.title == "Executive summary"
    assert first.cell(find(first, "Support Excellence Index"), 2).value == pytest.approx(
        full["index"]["score"])
    assert first.cell(find(first, "Maturity level"), 2).value == (
        f"Level {full['index']['level']} · Advanced")
    assert excel.NO_PLAN in [c.value for c in first["A"]]
    assert "results@1" in excel.NO_PLAN
    for title in ("Business case", "Roadmap"):
        assert book[title]["A5"].value == excel.NO_PLAN, title
        assert book[title]._charts == []


# --------------------------------------------------------------------------- text safety


def test_safe_text_strips_illegal_characters() -> None:
    assert safe_text("a\x00b\x07c\x1fd\te\nf\rg\r\nh") == "abcd\te\nf\ng\nh"
    assert safe_text("x" * 40000) == "x" * 32767
    assert safe_text("bad\ud800surrogate") == "badsurrogate"


def test_hostile_text_is_stored_as_text(hostile: dict[str, Any], tmp_path: Path) -> None:
    path = write_excel(hostile, tmp_path / "hostile.xlsx")
    book = openpyxl.load_workbook(path)
    for n, ws in enumerate(book.worksheets):
        title = "B8" if ws.title == "Cover" else "A1"  # the cover names the client in B8
        assert ws[title].value == HOSTILE_NAME
        assert ws[title].data_type == "s"
        xml = sheet_xml(path, n)
        assert not re.search(rb"<f[ >]", xml), ws.title
        assert not has_formula(xml, title)

    summary = book["Scores"]
    for label, expected in (("Industry", "-3"), ("Region", "\tTabbed"), ("Contact", "@evil"),
                            ("Note", "\nreturn")):
        cell = summary.cell(find(summary, label), 2)
        assert cell.value == expected and cell.data_type == "s"
        assert cell.quotePrefix

    kpis = book["KPIs"]
    for kpi_id, note in HOSTILE_NOTES.items():
        cell = kpi_row(kpis, kpi_id)["Client note"]
        assert cell.value == note
        assert cell.data_type == "s"
        assert not has_formula(sheet_xml(path, SHEETS.index("KPIs")), cell.coordinate)

    summary = book["Executive summary"]
    cell = summary.cell(find(summary, "+margin first"), 1)
    assert cell.data_type == "s" and cell.quotePrefix
    roadmap = book["Roadmap"]
    header = find(roadmap, "Progress recorded in the intake") + 1
    for col, text in ((5, "@owner"), (8, '=HYPERLINK("x")'), (11, "-2")):
        cell = roadmap.cell(header + 1, col)
        assert cell.value == text and cell.data_type == "s" and cell.quotePrefix, col

    warnings = book["Data quality"]
    first = warnings.cell(find(warnings, "Warning") + 1, 1)
    assert first.value == "=1+1" and first.data_type == "s" and first.quotePrefix
    assert "bell and  null" in [c.value for c in warnings["A"]]
    assert HOSTILE_NAME in book.properties.title


def test_header_footer_escapes_ampersand_and_stays_short(full: dict[str, Any]) -> None:
    long_name = "R&D " + "x" * 300
    results = {**full, "organization": {**full["organization"], "name": long_name}}
    ws = build_workbook(results)["KPIs"]
    text = ws.oddHeader.left.text
    assert re.match(r"&\d+R&&D ", text) and len(text) < 100


# --------------------------------------------------------------------------- print quality


def sample_books(framework: Framework, paper: str) -> dict[str, openpyxl.Workbook]:
    """The scorecard of every sample intake, on ``paper``."""
    return {name: build_workbook(score(framework, sample_data(name)), RenderOptions(paper=paper))
            for name in sample_names()}


@pytest.mark.parametrize(("paper", "code"), [("A4", 9), ("Letter", 1)])
def test_every_sheet_prints_legibly_on_the_chosen_paper(
        framework: Framework, full: dict[str, Any], sparse: dict[str, Any],
        internal: dict[str, Any], money: dict[str, Any], paper: str, code: int) -> None:
    """Per sheet of every sample and fixture: the paper asked for, fitted to one page wide,
    landscape where wide, never below 8 pt by the estimated scale, no label or value cut,
    and the table sheets with their header rows repeated."""
    books = sample_books(framework, paper)
    books |= {name: build_workbook(results, RenderOptions(paper=paper)) for name, results in
              (("full", full), ("sparse", sparse), ("internal", internal), ("money", money))}
    for name, book in books.items():
        for ws in book.worksheets:
            where = f"{name}: {ws.title}"
            setup = ws.page_setup
            assert int(setup.paperSize) == code, where
            assert int(setup.fitToWidth) == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
            one_page = ws.title in ("Cover", "Executive summary")
            assert int(setup.fitToHeight) == (1 if one_page else 0), where
            assert setup.orientation == ("portrait" if ws.title in PORTRAIT else "landscape"), \
                where
            scale = excel.estimate_scale(ws)
            assert scale >= excel.minimum_scale(ws), f"{where}: prints at {scale:.0%}"
            assert scale * excel.smallest_font(ws) >= excel.MIN_PRINTED_PT, where
            assert excel.clipped_cells(ws) == [], where
            if ws.title in TABLE_SHEETS:
                assert ws.print_title_rows == TABLE_SHEETS[ws.title], where
            if ws.title != "Cover":
                assert ws.print_title_rows.startswith("$1:$"), where
            widths = [excel.content_width(ws)]
            if setup.orientation == "portrait":  # a portrait sheet is not one that is wide
                assert widths[0] <= excel.printable_size(paper, "portrait")[0] / 0.8, where


def test_the_kpi_sheet_prints_in_two_bands_with_its_names_repeated(wb: openpyxl.Workbook
                                                                   ) -> None:
    """18 columns do not fit a page legibly: the assessment columns print first, then the
    definition columns, Element, KPI and ID repeated on both, the header row on every page."""
    ws = wb["KPIs"]
    last = 4 + len([c for c in ws["C"][4:] if c.value])
    assert ws.print_title_cols == "$A:$C"
    assert ws.print_title_rows == "$1:$4"
    areas = str(ws.print_area).replace("'KPIs'!", "").replace("$", "").split(",")
    assert areas[0].startswith("A1:K") and areas[1] == f"L1:R{last}"
    groups = excel.column_groups(ws)
    assert groups == [list(range(1, 12)), [1, 2, 3, *range(12, 19)]]
    assert [ws.cell(4, c).value for c in groups[0]][3:7] == ["Current", "Target", "Score",
                                                             "Status"]
    assert excel.estimate_scale(ws) >= 0.8


def test_estimated_scale_and_the_8_point_threshold() -> None:
    """The estimate: the widest band (column widths at 5.25 pt a unit) against the page's
    printable width; a one-page sheet against its height too; the threshold from the smallest
    font."""
    book = openpyxl.Workbook()
    ws = book.active
    for col in range(1, 11):
        ws.column_dimensions[openpyxl.utils.get_column_letter(col)].width = 20  # 200 units
        ws.cell(row=1, column=col, value="x")
    ws.page_setup.paperSize, ws.page_setup.orientation = 9, "landscape"
    a4 = (11.69 - 1) * 72  # A4 landscape less 0.5 inch margins each side
    assert excel.content_width(ws) == pytest.approx(200 * 5.25)
    assert excel.estimate_scale(ws) == pytest.approx(a4 / 1050)  # about 73 %
    ws.page_setup.paperSize = 1  # Letter: 11 inches wide
    assert excel.estimate_scale(ws) == pytest.approx((11 - 1) * 72 / 1050)
    ws.page_setup.orientation = "portrait"
    assert excel.estimate_scale(ws) == pytest.approx((8.5 - 1) * 72 / 1050)
    assert excel.minimum_scale(ws) == pytest.approx(8 / 11)  # the 11 pt body font
    ws["A1"].font = openpyxl.styles.Font(size=10)
    assert excel.smallest_font(ws) == 10 and excel.minimum_scale(ws) == pytest.approx(0.8)
    for col in range(1, 11):  # narrow: the width no longer limits the scale
        ws.column_dimensions[openpyxl.utils.get_column_letter(col)].width = 5
    assert excel.estimate_scale(ws) == 1.0
    for row in range(1, 101):
        ws.row_dimensions[row].height = 15
    ws.cell(row=100, column=1, value="end")
    ws.page_setup.fitToHeight = 1  # on one page: 1,500 pt of rows on 9.5 inches
    assert excel.estimate_scale(ws) == pytest.approx((11 - 1.5) * 72 / 1500)
    assert excel.printable_size("A4", "portrait") == pytest.approx(((8.27 - 1) * 72,
                                                                    (11.69 - 1.5) * 72))


def test_clipped_cells_finds_a_cut_label_and_the_layout_has_none(wb: openpyxl.Workbook) -> None:
    """The Practices sheet once printed "Questi", "Covera" and "Maturi": its labels sat in the
    6-wide "#" column. The check finds such a label; the sheet now has none."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.column_dimensions["A"].width = 6
    for row, label in enumerate(("Questionnaire score", "Coverage", "Maturity level"), 1):
        xlsx.put(ws, row, 1, label, border=True)
        xlsx.put(ws, row, 2, "x", border=True)
    ws["A5"] = "#"
    xlsx.put(ws, 6, 1, xlsx.V("wrapped words stay whole", wrap=True), border=True)
    xlsx.put(ws, 7, 1, xlsx.V(1234567.0, '"USD "#,##0'), border=True)
    assert [c.split(":")[0] for c in excel.clipped_cells(ws)] == ["A1", "A2", "A3", "A6",
                                                                  "A7"]
    assert excel.text_width("Questionnaire score") > 6 > excel.text_width("#")
    assert excel.wrapped_lines("Questionnaire score", 12) == 2
    assert excel.number_text(1234567.0, '"USD "#,##0') == "USD 1,234,567"
    assert excel.number_text(0.125, "+0.0%;-0.0%;0.0%") == "+12.5%"
    practices = wb["Practices"]
    assert excel.clipped_cells(practices) == []
    label = practices.cell(find(practices, "Questionnaire score"), 1)
    assert excel.text_width(label.value, bold=True) <= (
        practices.column_dimensions["A"].width + practices.column_dimensions["B"].width)


def test_tables_and_charts_are_kept_whole_on_a_page(money_book: openpyxl.Workbook) -> None:
    """Where a block (a heading with its table, a chart) would be split by a page break, a
    manual break moves it to the next page; no break falls inside a block."""
    for title in ("Scores", "Business case", "Roadmap", "Renewal"):
        ws = money_book[title]
        blocks = excel.layout_of(ws).blocks if excel.layout_of(ws).blocks else []
        for brk in ws.row_breaks.brk:
            assert not any(first <= brk.id < last for first, last in blocks), (title, brk.id)
    assert money_book["Business case"].row_breaks.brk  # its tables fill more than a page


# --------------------------------------------------------------------------- cover and brand


def png_logo(width: int = 300, height: int = 100) -> Logo:
    from PIL import Image as PILImage

    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), "#7A1F3D").save(buffer, "PNG")
    return Logo(buffer.getvalue(), "png", width, height)


BRAND = Brand(firm="Harbour & Vale Advisory", logo=None, primary_color="#7A1F3D",
              accent_color="#C0842B",
              confidentiality="Confidential: prepared for the client's management team",
              prepared_by="Jane Doe, Harbour & Vale Advisory")


def test_the_cover_is_first_with_the_firm_and_the_client(wb: openpyxl.Workbook,
                                                        full: dict[str, Any]) -> None:
    """The default brand: the project's name in large type, the title band in the workbook's
    navy, the client from the results, the date, and a contents list linking every sheet."""
    cover = wb.worksheets[0]
    assert cover.title == "Cover" and wb.active is cover
    texts = [c.value for row in cover.iter_rows() for c in row if c.value is not None]
    assert texts[0] == "support-excellence" and cover["B2"].font.sz == 26
    assert cover["B5"].value == "Support excellence scorecard"
    assert cover["B5"].fill.fgColor.rgb.endswith(xlsx.NAVY)
    assert cover["B8"].value == full["organization"]["name"] == "Acme Support & Co"
    row = find(cover, "Assessment date", col=2)
    assert cover.cell(row, 3).value == dt.datetime(2024, 5, 17)
    assert "Prepared by" not in texts  # the default brand names nobody
    contents = find(cover, "Contents", col=2)
    listed = [cover.cell(contents + n, 2).value for n in range(1, len(SHEETS))]
    assert listed == list(SHEETS[1:])
    link = cover.cell(contents + 1, 2).hyperlink
    assert link.location == "'Executive summary'!A1"
    assert cover._images == []


def test_a_brand_names_the_firm_and_colours_the_workbook(full: dict[str, Any],
                                                         tmp_path: Path) -> None:
    brand = replace(BRAND, logo=png_logo())
    path = write_excel(full, tmp_path / "brand.xlsx", RenderOptions(paper="Letter",
                                                                     brand=brand))
    book = openpyxl.load_workbook(path)
    cover = book["Cover"]
    assert len(cover._images) == 1  # the PNG logo, the firm's name under it
    assert cover["B3"].value == "Harbour & Vale Advisory"
    texts = [c.value for row in cover.iter_rows() for c in row if c.value is not None]
    assert "Jane Doe, Harbour & Vale Advisory" in texts
    assert "Confidential: prepared for the client's management team" in texts
    assert cover["B8"].value == "Acme Support & Co"  # the client from the results
    assert cover["B5"].fill.fgColor.rgb.endswith("7A1F3D")
    assert cover["B6"].fill.fgColor.rgb.endswith("C0842B")
    kpis = book["KPIs"]
    assert kpis["A4"].fill.fgColor.rgb.endswith("7A1F3D")  # table headers
    assert kpis["A1"].font.color.rgb.endswith("7A1F3D")  # the title
    status = kpi_row(kpis, "csat")["Status"]
    assert not status.fill.fgColor.rgb.endswith("7A1F3D")  # RAG colours stay
    scores = book["Scores"]
    index = scores.cell(find(scores, "Support Excellence Index"), 2)
    assert index.fill.fgColor.rgb.endswith(xlsx.RAG_COLOURS[full["index"]["rag"]][0])
    assert not any(str(c.fill.fgColor.rgb).endswith(xlsx.NAVY) for ws in book.worksheets
                   for row in ws.iter_rows() for c in row if c.fill.fill_type == "solid")
    timeline = book["Roadmap"]._charts
    assert all("1F3864" not in str(s.graphicalProperties) for c in timeline for s in c.series)
    for ws in book.worksheets:
        assert int(ws.page_setup.paperSize) == 1
        assert "Harbour && Vale Advisory" in ws.oddFooter.left.text
        assert "Confidential: prepared for the client" in ws.oddHeader.center.text
    # the same brand gives the same bytes
    again = write_excel(full, tmp_path / "again.xlsx", RenderOptions(paper="Letter",
                                                                      brand=brand))
    assert again.read_bytes() == path.read_bytes()


def test_an_svg_logo_is_drawn_for_the_cover(full: dict[str, Any]) -> None:
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" width="300" height="100">'
           b'<rect width="300" height="100" fill="#7A1F3D"/></svg>')
    cover = build_workbook(full, RenderOptions(brand=replace(
        BRAND, logo=Logo(svg, "svg", 300, 100))))["Cover"]
    (image,) = cover._images
    assert (image.width, image.height) == (270, 90)  # within the logo's box, its proportions
    assert cover["B3"].value == "Harbour & Vale Advisory"


def test_a_logo_that_cannot_be_drawn_leaves_the_firm_in_large_type(full: dict[str, Any]
                                                                   ) -> None:
    broken = Logo(b"<svg", "svg", 10, 10)
    cover = build_workbook(full, RenderOptions(brand=replace(BRAND, logo=broken)))["Cover"]
    assert cover._images == []
    assert cover["B2"].value == "Harbour & Vale Advisory" and cover["B2"].font.sz == 26


def test_hostile_brand_texts_stay_text(full: dict[str, Any], tmp_path: Path) -> None:
    """A firm, a confidentiality line and a preparer that read as formulas are written as
    text on the cover, and escaped in the header and footer."""
    brand = Brand(firm='=HYPERLINK("http://x","y")', logo=None, primary_color="#7A1F3D",
                  accent_color="#C0842B", confidentiality="@SUM(1) & more", prepared_by="+1")
    path = write_excel(full, tmp_path / "hostile-brand.xlsx", RenderOptions(brand=brand))
    book = openpyxl.load_workbook(path)
    cover = book["Cover"]
    cells = {c.value: c for row in cover.iter_rows() for c in row if c.value is not None}
    for text in (brand.firm, brand.confidentiality, brand.prepared_by):
        assert cells[text].data_type == "s" and cells[text].quotePrefix, text
    for n in range(len(book.worksheets)):
        assert not re.search(rb"<f[ >]", sheet_xml(path, n))
    assert book["KPIs"].oddHeader.center.text == "@SUM(1) && more"
    assert book["KPIs"].oddFooter.left.text == brand.firm


def test_header_and_footer_on_every_sheet(wb: openpyxl.Workbook, full: dict[str, Any]) -> None:
    """Left the client, centre the confidentiality line (none for the default brand), right the
    page of pages; the firm in the footer's left, the sheet and the date after it; 9 pt once
    the sheet is scaled to the page."""
    for ws in build_workbook(full).worksheets:
        size = round(9 / excel.estimate_scale(ws)) if excel.estimate_scale(ws) < 1 else 9
        assert ws.oddHeader.left.text == f"&{size}Acme Support && Co", ws.title
        assert size * excel.estimate_scale(ws) >= 8.5
    for ws in wb.worksheets:  # as read back: the "&9" size code is the part's size
        assert ws.oddHeader.left.text == "Acme Support && Co"
        assert ws.oddHeader.center.text is None
        assert ws.oddHeader.right.text == "Page &P of &N"
        assert ws.oddFooter.left.text == "support-excellence"
        assert ws.oddFooter.center.text == ws.title
        assert ws.oddFooter.right.text == "Assessed 2024-05-17"
        sizes = {part.size for part in (ws.oddHeader.left, ws.oddHeader.right,
                                        ws.oddFooter.left, ws.oddFooter.center,
                                        ws.oddFooter.right)}
        assert len(sizes) == 1 and sizes.pop() >= 9
    long = replace(BRAND, confidentiality="Strictly confidential " * 9)
    book = build_workbook(full, RenderOptions(brand=long))
    for ws in book.worksheets:  # cut to the room between the client and the page number
        centre = ws.oddHeader.center.text
        assert "Strictly confidential" in centre and centre.endswith("…")
        assert len(centre) < 160
    assert long.confidentiality in [c.value for c in book["Cover"]["B"]]  # whole on the cover


# --------------------------------------------------------------------------- writing


def test_output_is_byte_identical(full: dict[str, Any], tmp_path: Path) -> None:
    a = write_excel(full, tmp_path / "a.xlsx").read_bytes()
    b = write_excel(full, tmp_path / "b.xlsx").read_bytes()
    assert a == b
    assert excel_bytes(full) == a
    with zipfile.ZipFile(tmp_path / "a.xlsx") as z:
        core = z.read("docProps/core.xml").decode()
        assert all(info.date_time[:3] == (2024, 5, 17) for info in z.infolist())
    assert "2024-05-17T00:00:00Z" in core


def test_same_bytes_from_results_json_in_another_process(full: dict[str, Any],
                                                         tmp_path: Path) -> None:
    """Results read back from results.json, in a fresh interpreter, give the same file."""
    source = tmp_path / "results.json"
    source.write_text(json.dumps(full), encoding="utf-8")
    target = tmp_path / "other.xlsx"
    code = ("import json, sys; from assessment.scorecard.excel import write_excel; "
            "write_excel(json.load(open(sys.argv[1], encoding='utf-8')), sys.argv[2])")
    env = {**os.environ, "PYTHONHASHSEED": "12345",
           "PYTHONPATH": os.pathsep.join([str(Path(excel.__file__).parent.parent),
                                          os.environ.get("PYTHONPATH", "")])}
    subprocess.run([sys.executable, "-c", code, str(source), str(target)], env=env, check=True,
                   timeout=120)
    assert target.read_bytes() == excel_bytes(full)


def test_no_formulas_anywhere(full_book: Path) -> None:
    with zipfile.ZipFile(full_book) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert len(sheets) == len(SHEETS)
        for name in sheets:
            assert not re.search(rb"<f[ >]", z.read(name)), name


def test_failed_render_leaves_no_file(full: dict[str, Any], tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_args: Any, **_kwargs: Any) -> bytes:
        raise OSError("disk on fire")

    monkeypatch.setattr(excel, "workbook_bytes", boom)
    target = tmp_path / "out" / "scorecard.xlsx"
    with pytest.raises(OSError, match="disk on fire"):
        write_excel(full, target)
    assert not target.exists()
    assert not target.parent.exists() or list(target.parent.iterdir()) == []


def test_failed_write_keeps_previous_file(full: dict[str, Any], tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "scorecard.xlsx"
    target.write_bytes(b"previous")

    def boom(*_args: Any, **_kwargs: Any) -> None:
        raise OSError("rename failed")

    monkeypatch.setattr("assessment.files.write.os.replace", boom)
    with pytest.raises(OSError, match="rename failed"):
        write_excel(full, target)
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["scorecard.xlsx"]


@pytest.mark.slow
def test_libreoffice_round_trip(full_book: Path, internal: dict[str, Any],
                                inconsistent: dict[str, Any], money: dict[str, Any],
                                tmp_path: Path, system_tool) -> None:
    """LibreOffice opens the v2 scorecards (and a results@1 one) and converts them without
    complaint; what a client reads survives the round trip."""
    books = {"full.xlsx": full_book,
             "money.xlsx": write_excel(money, tmp_path / "in" / "money.xlsx"),
             "internal.xlsx": write_excel(internal, tmp_path / "in" / "internal.xlsx"),
             "checked.xlsx": write_excel(inconsistent, tmp_path / "in" / "checked.xlsx"),
             "v1.xlsx": write_excel(as_results_v1(inconsistent), tmp_path / "in" / "v1.xlsx")}
    profile = (tmp_path / "lo-profile").as_uri()
    out = tmp_path / "converted"
    proc = subprocess.run(
        [system_tool("soffice"), f"-env:UserInstallation={profile}", "--headless",
         "--norestore", "--convert-to", "xlsx", "--outdir", str(out),
         *map(str, books.values())],
        capture_output=True, text=True, timeout=240, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "Error:" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    converted = {name: out / path.name for name, path in books.items()}
    for name, path in converted.items():
        assert path.exists(), name + proc.stdout + proc.stderr
        assert openpyxl.load_workbook(path).sheetnames == list(SHEETS), name
    book = openpyxl.load_workbook(converted["full.xlsx"])
    assert book["Scores"]["A1"].value == "Acme Support & Co"
    assert [ws.title for ws in book.worksheets[:2]] == ["Cover", "Executive summary"]
    assert book["Cover"]["B8"].value == "Acme Support & Co"
    assert book["KPIs"].print_title_cols == "$A:$C"  # the print bands survive
    cost = row_of(book["Business case"], 4, "cost_per_case_gap")
    assert cost["Status"].value == "needs data: assisted_cases"
    assert cost["Base (a year)"].value is None

    book = openpyxl.load_workbook(converted["money.xlsx"])
    ws = book["Business case"]
    assert row_of(ws, 4, "cost_per_case_gap")["Base (a year)"].value == pytest.approx(
        next(d["base"] for d in money["business_case"]["drivers"]
             if d["id"] == "cost_per_case_gap"))
    assert ws.cell(find(ws, "Total, each overlap counted once"), 5).value == pytest.approx(
        money["business_case"]["total"]["base"])
    summary = book["Executive summary"]
    assert summary.cell(find(summary, "Total of the counted drivers"), 3).value == \
        pytest.approx(money["business_case"]["total"]["base"])
    header = find(book["Roadmap"], "Timeline (months from the start of the plan)") + 1
    assert book["Roadmap"].cell(header, 4).value == "Starts (month)"

    book = openpyxl.load_workbook(converted["internal.xlsx"])
    assert kpi_row(book["KPIs"], "support_gross_margin")["Status"].value == "Not applicable"
    assert book["Renewal"]["B5"].value == "Not applicable to an internal support model"
    ws = book["Scores"]
    assert ws.cell(find(ws, "Both readings of missing data"), 2).value == \
        openpyxl.load_workbook(books["internal.xlsx"])["Scores"].cell(
            find(ws, "Both readings of missing data"), 2).value

    book = openpyxl.load_workbook(converted["checked.xlsx"])
    ws = book["Data quality"]
    row = find(ws, "cost_per_case_check", col=2)
    assert ws.cell(row, 3).value == "KPIs!F14, Profile!C21, Profile!C23"
    assert ws.cell(row, 8).value == "Failed"
    assert kpi_row(book["KPIs"], "support_demand_per_customer")["Current"].value == \
        pytest.approx(4.1)
