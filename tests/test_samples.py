"""The bundled sample organizations: in sync with their data, and scored as their story says."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import pytest

from assessment.core.framework import Framework
from assessment.core.scoring import score
from assessment.intake.reader import read_intake
from assessment.intake.samples import SAMPLES_DIR, sample_data, sample_names
from assessment.intake.template import write_intake


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_four_samples_one_reassessed() -> None:
    assert sample_names() == ["harbor-city-it", "ironclad-systems", "northwind-cloud",
                              "northwind-cloud-2026-04"]


@pytest.mark.parametrize("name", sample_names())
def test_bundled_workbook_matches_its_data(name: str, framework: Framework,
                                           tmp_path: Path) -> None:
    fresh = write_intake(framework, sample_data(name), tmp_path / f"{name}.xlsx")
    assert members(fresh) == members(SAMPLES_DIR / f"{name}.xlsx"), (
        f"{name}.xlsx is out of date: run `make templates`")


@pytest.mark.parametrize("name", sample_names())
def test_reading_the_workbook_gives_back_the_data(name: str, framework: Framework) -> None:
    read = read_intake(SAMPLES_DIR / f"{name}.xlsx", framework)
    data = sample_data(name)
    assert read.profile == data.profile
    assert read.current == data.current
    assert read.targets == data.targets
    assert read.warnings == []
    for qid, answers in read.answers.items():
        assert answers == {i: data.answers[qid].get(i) for i in answers}
    for dim, ratings in read.ratings.items():
        assert ratings == data.ratings[dim]
    assert read.initiatives == data.initiatives
    assert read.finding_wording == data.finding_wording


def test_reassessment_tracks_the_chosen_initiatives(framework: Framework) -> None:
    """The April assessment chose two initiatives; the October one reports their progress,
    beside the scores they move (the portfolio's trends show both)."""
    april = sample_data("northwind-cloud-2026-04").initiatives
    october = sample_data("northwind-cloud").initiatives
    assert set(april) == set(october) == {"self_service_and_knowledge", "renewals_and_retention"}
    order = ["not_started", "in_progress", "done"]
    for iid, before in april.items():
        after = october[iid]
        assert before["chosen"] is after["chosen"] is True
        assert before["owner"] == after["owner"] and before["due_date"] == after["due_date"]
        assert order.index(after["status"]) > order.index(before["status"]), iid
        assert before["inhibitors"] and after["inhibitors"]
    known = {i.id for i in framework.initiatives}
    tracked = score(framework, sample_data("northwind-cloud"))["roadmap"]["initiatives"]
    status = {i["id"]: (i["tracking"] or {}).get("status") for i in tracked}
    assert status["self_service_and_knowledge"] == "done"
    assert status["renewals_and_retention"] == "in_progress"
    for name in sample_names():
        data = sample_data(name)
        assert set(data.initiatives) <= known
        assert set(data.finding_wording) <= {f.id for f in framework.findings}


def test_a_consultant_wording_replaces_a_finding(framework: Framework) -> None:
    data = sample_data("ironclad-systems")
    assert list(data.finding_wording) == ["failing_relation"]
    findings = score(framework, data)["executive_summary"]["findings"]
    own = next(f for f in findings if f["id"] == "failing_relation")
    assert own["overridden"] and own["text"] == data.finding_wording["failing_relation"]
    assert "52 front-line engineers" in own["text"]
    # the sentence's own arithmetic: 55,700 cases over 52 engineers and 12 months
    assert round(data.profile["assisted_cases"] / 52 / 12) == 89
    assert data.current["cases_per_engineer_month"] == 89


def kpi(results: dict, kpi_id: str) -> dict:
    return next(k for k in results["kpis"] if k["id"] == kpi_id)


def test_sample_stories(framework: Framework) -> None:
    harbor = score(framework, sample_data("harbor-city-it"))
    assert harbor["organization"]["segment"] == "it_service_desk"
    assert harbor["organization"]["fx_rate"] == 0.92          # EUR per USD
    assert kpi(harbor, "support_gross_margin")["status"] == "not_applicable"  # internal desk
    assert not harbor["renewal"]["applicable"] and harbor["renewal"]["projection"] == []
    # the it_service_desk target of USD 20 per case, in EUR at 0.92
    assert kpi(harbor, "cost_per_case")["target"] == pytest.approx(20 * 0.92)

    ironclad = score(framework, sample_data("ironclad-systems"))
    fcr = kpi(ironclad, "first_contact_resolution")
    assert fcr["target_overridden"] and fcr["target"] == 0.65
    year5 = ironclad["renewal"]["projection"][4]
    assert year5["client"] < year5["industry"]                # renews below 82.4%

    northwind = score(framework, sample_data("northwind-cloud"))
    rrr = kpi(northwind, "recurring_revenue_rate")
    assert rrr["current"] > 1.0                               # above 100% with uplift/upsell
    assert northwind["index"]["coverage"] == 1.0


VOLUMES = ("annual_revenue", "support_cost", "assisted_cases", "support_headcount",
           "active_customers")


@pytest.mark.parametrize("name", sample_names())
def test_samples_give_the_v2_profile(name: str, framework: Framework) -> None:
    data = sample_data(name)
    assert "cost_per_customer" not in data.current
    assert data.profile["segment"] in framework.settings.segments
    assert 0 <= data.profile["self_rated_alignment"] <= 10
    assert all(data.profile[key] > 0 for key in VOLUMES)
    if data.profile["currency"] != framework.settings.currency:
        assert data.profile["fx_rate"] == {"EUR": 0.92, "GBP": 0.79}[data.profile["currency"]]


def _implied(p: dict, relation: str) -> float:
    """Each relation of the framework, computed by hand from the profile volumes."""
    return {"cost_per_case_check": p["support_cost"] / p["assisted_cases"],
            "cases_per_engineer_check": p["assisted_cases"] / p["support_headcount"] / 12,
            "support_cost_share_check": p["support_cost"] / p["annual_revenue"],
            "support_demand_check": p["assisted_cases"] / p["active_customers"]}[relation]


STATED = {"cost_per_case_check": "cost_per_case",
          "cases_per_engineer_check": "cases_per_engineer_month",
          "support_cost_share_check": "support_cost_pct_revenue",
          "support_demand_check": "support_demand_per_customer"}


@pytest.mark.parametrize("name", ["harbor-city-it", "northwind-cloud", "northwind-cloud-2026-04"])
def test_consistent_samples_hold_every_relation(name: str, framework: Framework) -> None:
    data = sample_data(name)
    results = score(framework, data)
    assert {c["relation"] for c in results["consistency"]} == set(STATED)
    for check in results["consistency"]:
        stated = data.current[STATED[check["relation"]]]
        implied = _implied(data.profile, check["relation"])
        assert check["implied"] == pytest.approx(implied)
        assert abs(stated - implied) <= check["tolerance"] * implied, check["relation"]
        assert check["ok"] is True


def test_ironclad_fails_one_relation_and_derives_one_kpi(framework: Framework) -> None:
    """The data-quality demonstration: headcount counts everyone, cases per engineer only the
    52 front-line FTE; demand per customer is left blank and derived."""
    data = sample_data("ironclad-systems")
    results = score(framework, data)
    checks = {c["relation"]: c for c in results["consistency"]}
    failed = [r for r, c in checks.items() if c["ok"] is False]
    assert failed == ["cases_per_engineer_check"]
    assert checks["cases_per_engineer_check"]["implied"] == pytest.approx(55_700 / 84 / 12)
    assert checks["cost_per_case_check"]["ok"] and checks["support_cost_share_check"]["ok"]
    assert data.current["support_demand_per_customer"] is None
    demand = kpi(results, "support_demand_per_customer")
    assert demand["derived"] and demand["derived_from"] == "support_demand_check"
    assert demand["current"] == pytest.approx(55_700 / 11_500)


def test_cells_of_a_sample_workbook(framework: Framework) -> None:
    """Hand-checked cells of the committed Ironclad workbook (Profile rows 5-20, KPI rows by
    element with a section row before each)."""
    read = read_intake(SAMPLES_DIR / "ironclad-systems.xlsx", framework)
    assert read.cells["profile.organization"] == "Profile!C5"
    assert read.cells["profile.segment"] == "Profile!C10"
    assert read.cells["profile.fx_rate"] == "Profile!C11"
    assert read.cells["profile.support_headcount"] == "Profile!C19"
    assert read.cells["kpi.support_cost_pct_revenue"] == "KPIs!F6"
    assert read.cells["kpi.support_cost_pct_revenue.target"] == "KPIs!G6"
    assert read.cells["kpi.first_contact_resolution.target"].startswith("KPIs!G")
    assert read.cells["renewal_practices.renewal_ownership"] == "Renewal practices!D5"
    assert read.cells["customer_expectations.availability"] == "Customer expectations!E5"


@pytest.mark.slow
def test_workbook_saved_by_libreoffice_reads_the_same(framework: Framework, tmp_path: Path,
                                                      system_tool) -> None:
    """A client who fills the intake in LibreOffice: its re-saved file reads identically,
    initiative tracking (dates, dropdowns) and finding wording included."""
    sources = [SAMPLES_DIR / "ironclad-systems.xlsx", SAMPLES_DIR / "northwind-cloud.xlsx"]
    subprocess.run(
        [system_tool("soffice"), f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
         "--headless", "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir",
         str(tmp_path / "out"), *map(str, sources)],
        check=True, capture_output=True, timeout=180)
    for source in sources:
        resaved = read_intake(tmp_path / "out" / source.name, framework)
        original = read_intake(source, framework)
        assert resaved.profile == original.profile
        assert resaved.current == pytest.approx(original.current)
        assert resaved.targets == pytest.approx(original.targets)
        assert resaved.answers == original.answers
        assert resaved.ratings == original.ratings
        assert resaved.notes == original.notes
        assert resaved.initiatives == original.initiatives
        assert resaved.finding_wording == original.finding_wording
    assert original.initiatives and resaved.initiatives  # northwind-cloud tracks two


def test_methodology_worked_example_matches_the_engine(framework: Framework) -> None:
    doc = (Path(__file__).resolve().parents[1] / "docs" / "methodology.md").read_text("utf-8")
    r = score(framework, sample_data("northwind-cloud"))
    quoted = {
        "index": r["index"]["score"],
        "reputation": r["elements"]["reputation"]["score"],
        "renewal KPIs": r["renewal"]["kpi_score"],
        "renewal practices": r["questionnaires"]["renewal_practices"]["score"],
        "renewal health": r["renewal"]["health"],
        "alignment": r["expectations"]["alignment"],
    }
    for name, value in quoted.items():
        assert f"**{value:.2f}**" in doc, f"docs/methodology.md: {name} is not {value:.2f}"
