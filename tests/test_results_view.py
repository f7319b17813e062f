"""core.results: the typed view is built once from the results dict and reads the same values."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from results_data import results_v1, sparse_results, v2_results

from assessment.core.framework import load_framework
from assessment.core.results import UNNAMED, KpiRow, ResultsView
from assessment.core.scoring import score
from assessment.intake.samples import sample_data


@pytest.fixture(scope="module")
def results() -> dict:
    return score(load_framework(), sample_data("northwind-cloud"))


def test_organization_framework_and_index(results: dict) -> None:
    view = ResultsView.from_dict(results)
    org = view.organization
    assert org.name == "Northwind Cloud Software"
    assert org.date == dt.date(2026, 10, 15) and org.date_text == "2026-10-15"
    assert org.currency == view.currency == "USD"
    assert org.industry == results["organization"]["industry"]
    assert [k for k, _ in org.profile] == [k for k in results["organization"] if k != "name"]
    assert view.framework.name == results["framework"]["name"]
    assert view.framework.levels[0] == "Critical"
    assert view.index.score == results["index"]["score"]
    # 77.69: band floor(77.69 / 20) + 1 = 4, "Fair" (amber)
    assert view.index.level == 4 and view.index.level_name == "Fair"
    assert view.version == 2 and view.missing_kpi == "zero"
    assert org.segment == "b2b_software" and org.segment_name == "B2B software support"
    assert org.fx_rate is None and view.framework.currency == "USD"
    assert "segment" not in dict(org.extra) and org.value("self_rated_alignment") == 7
    assert view.settings["amber"] == results["framework"]["settings"]["amber"]


def test_elements_area_names_and_gaps(results: dict) -> None:
    view = ResultsView.from_dict(results)
    assert [e.key for e in view.elements] == list(results["elements"])
    profit = view.element("profit")
    assert profit is not None and profit.name == "Profit"
    assert profit.score == results["elements"]["profit"]["score"]
    assert view.area_name("efficiency") == "Efficiency"
    assert view.area_name("renewal_practices") == results["questionnaires"][
        "renewal_practices"]["name"]
    assert view.area_name("customer_expectations") == "Customer expectations"
    assert [g.id for g in view.gaps] == [g["id"] for g in results["gaps"]]
    assert view.gaps[0].area == results["gaps"][0]["element"]


def test_kpi_rows_have_one_shape_for_element_and_renewal_kpis(results: dict) -> None:
    view = ResultsView.from_dict(results)
    assert [k.id for k in view.kpis] == [k["id"] for k in results["kpis"]]
    fields = {f.name for f in dataclasses.fields(KpiRow)}
    assert {"id", "name", "area", "unit", "direction", "current", "target", "floor", "band",
            "weight", "score", "status", "points_at_stake", "benchmark"} <= fields
    raw = {k["id"]: k for k in results["kpis"]}
    renewal = view.kpis_of("renewal")
    assert renewal and all(k.area == "renewal" for k in renewal)
    rate = next(k for k in renewal if k.id == "contract_renewal_rate")
    assert rate.points_at_stake == raw["contract_renewal_rate"]["health_points_at_stake"]
    cost = next(k for k in view.kpis if k.id == "cost_per_case")
    assert cost.points_at_stake == raw["cost_per_case"]["points_at_stake"]
    bench = raw["cost_per_case"]["benchmark"]  # the B2B software segment's benchmark
    assert cost.benchmark is not None and cost.benchmark.range == tuple(bench["range"])
    assert cost.benchmark.as_dict()["source"] == bench["source"]
    assert cost.benchmark.currency == "USD" and cost.benchmark.converted is None
    assert cost.target_basis == "segment" and cost.currency == "USD"
    assert cost.applicable and not cost.derived
    band = next(k for k in view.kpis if k.direction == "band")
    assert isinstance(band.band, tuple) and isinstance(band.floor, tuple)


def test_renewal_questionnaires_expectations_and_recommendations(results: dict) -> None:
    view = ResultsView.from_dict(results)
    assert view.renewal.health == results["renewal"]["health"]
    assert len(view.renewal.projection) == 5
    assert view.renewal.projection[-1].client == results["renewal"]["projection"][-1]["client"]
    q = view.questionnaires["excellence_practices"]
    assert len(q.items) == len(results["questionnaires"]["excellence_practices"]["items"])
    assert len(view.expectations.dimensions) == 9
    assert view.recommendations[0].rank == 1
    assert view.warnings == tuple(results["warnings"])


def test_the_view_is_frozen_and_leaves_the_dict_alone(results: dict) -> None:
    before = json.dumps(results, sort_keys=True, default=str)
    view = ResultsView.from_dict(results)
    with pytest.raises(dataclasses.FrozenInstanceError):
        view.index = None  # type: ignore[misc]
    assert json.dumps(results, sort_keys=True, default=str) == before
    assert "points_at_stake" in results["kpis"][0]  # the contract is unchanged


def test_a_sparse_dict_gives_defaults() -> None:
    view = ResultsView.from_dict({"organization": {"name": "  ", "currency": "usd",
                                                   "assessment_date": "not a date"}})
    assert view.organization.name == UNNAMED and not view.organization.named
    assert view.organization.currency == "USD"
    assert view.organization.date is None and view.organization.date_text == "not a date"
    assert view.kpis == () and view.elements == () and view.index.score is None
    assert ResultsView.from_dict({"organization": {"currency": "dollars"}}).currency is None


def test_named_of_and_kpi_lookup(results: dict) -> None:
    view = ResultsView.from_dict(results)
    assert view.organization.named
    assert ResultsView.of(view) is view  # a view passes through, never rebuilt
    assert ResultsView.of(results) == view  # a dict is read into an equal view
    rate = view.kpi("contract_renewal_rate")
    assert rate is not None and rate.area == "renewal"
    assert rate.target == next(k["target"] for k in results["kpis"]
                               if k["id"] == "contract_renewal_rate")
    assert view.kpi("no_such_kpi") is None
    named = ResultsView.from_dict({"organization": {"name": " Acme "}}).organization
    assert (named.name, named.named) == ("Acme", True)


def test_v2_fields_read_from_results_at_2() -> None:
    results = v2_results()
    view = ResultsView.from_dict(results)
    assert view.version == 2 and view.organization.fx_rate == 0.9
    assert view.index.measured_score == results["index"]["measured_score"]
    assert view.index.sufficient is True and view.index.missing_kpi == "zero"
    rep = view.element("reputation")
    assert rep is not None and rep.measured_score == results["elements"]["reputation"][
        "measured_score"] and rep.score < rep.measured_score  # nps counts 0
    nps = view.kpi("nps")
    assert nps is not None and nps.status == "no_data" and nps.score is None
    assert next(g for g in view.gaps if g.id == "nps").kind == "measure"
    demand = view.kpi("support_demand_per_customer")
    assert demand is not None and demand.derived and demand.derived_from == "support_demand_check"
    assert demand.current == pytest.approx(50_000 / 16_000)
    cost = view.kpi("cost_per_case")
    assert cost is not None and cost.currency == "EUR" and cost.benchmark.currency == "USD"
    assert cost.benchmark.converted["currency"] == "EUR"
    failing = [c for c in view.consistency if c.ok is False]
    assert [c.relation for c in failing] == ["cases_per_engineer_check"]
    assert failing[0].cells == ("KPIs!F18", "Profile!C17", "Profile!C18")
    assert failing[0].implied == pytest.approx(50_000 / 60 / 12)
    derived = next(c for c in view.consistency if c.derived)
    assert derived.relation == "support_demand_check" and derived.missing == ()
    assert view.expectations.self_rated_alignment == 7
    assert view.expectations.survey_year == 2014 and "771" in view.expectations.survey_source
    assert view.renewal.value_basis == "recurring_revenue_rate"
    assert view.renewal.recurring_revenue_rate == 0.97
    assert any(r.kind == "measure" for r in view.recommendations)
    util = [r for r in view.recommendations if r.id == "engineer_utilization"]
    assert util and {r.side for r in util} == {"above"}  # 72% is above the 50-60% band
    assert view.readings("index") == (
        f"{results['index']['score']:.1f} (missing data counted as 0); "
        f"{results['index']['measured_score']:.1f} on the "
        f"{results['index']['coverage']:.0%} of KPIs measured")


def test_not_applicable_parts_of_an_internal_desk() -> None:
    view = ResultsView.from_dict(sparse_results())
    margin = view.kpi("support_gross_margin")
    assert margin is not None and not margin.applicable and margin.status == "not_applicable"
    assert not view.renewal.applicable and view.renewal.projection == ()
    assert not view.questionnaires["renewal_practices"].applicable
    profit = view.element("profit")
    assert profit is not None and profit.kpis_not_applicable == 3


def test_results_at_1_read_with_version_1_meanings() -> None:
    """A results@1 file: missing KPIs were left out, so the measured reading is the score;
    no v2 key is required."""
    old = results_v1()
    view = ResultsView.from_dict(old)
    assert view.version == 1 and view.missing_kpi == "exclude"
    assert view.index.score == old["index"]["score"]
    assert view.index.measured_score == view.index.score and view.index.sufficient
    assert view.index.level_name == "Advanced" and view.framework.levels[0] == "Reactive"
    assert view.framework.currency is None and view.framework.answer_scale == ()
    assert view.organization.segment is None and view.organization.fx_rate is None
    assert all(e.measured_score == e.score and e.applicable for e in view.elements)
    assert all(k.applicable and not k.derived and k.target_basis is None for k in view.kpis)
    assert view.kpi("cost_per_customer") is not None  # a version 1 KPI, still shown
    cost = view.kpi("cost_per_case")
    assert cost.benchmark.currency is None and cost.benchmark.converted is None
    assert view.renewal.applicable and len(view.renewal.projection) == 5
    assert view.renewal.value_basis is None
    assert view.consistency == () and view.expectations.self_rated_alignment is None
    assert all(g.kind == "improve" for g in view.gaps)
    assert view.readings("index") == f"{old['index']['score']:.1f} (all KPIs measured)"
    assert ResultsView.from_dict(results_v1("Renamed")).organization.name == "Renamed"


# --------------------------------------------------------------------------- issue 13


def test_business_case_roadmap_and_summary_are_typed(results: dict) -> None:
    view = ResultsView.from_dict(results)
    money = view.renewal.money
    raw_money = results["renewal"]["money"]
    assert money is not None and money.basis == "contract_renewal_rate"
    assert (money.base, money.at_stake, money.currency) == (
        raw_money["base"], raw_money["at_stake"], "USD")
    assert [y.year for y in money.years] == [1, 2, 3, 4, 5]
    assert money.years[-1].client == raw_money["years"][-1]["client"]
    bc = view.business_case
    raw_bc = results["business_case"]
    assert [d.id for d in bc.drivers] == [d["id"] for d in raw_bc["drivers"]]
    for d, raw in zip(bc.drivers, raw_bc["drivers"], strict=True):
        assert (d.status, d.base, d.counted, d.formula_text) == (
            raw["status"], raw["base"], raw["counted"], raw["formula_text"])
        assert [a.id for a in d.assumptions] == [a["id"] for a in raw["assumptions"]]
        assert d.needs == tuple(raw["needs"]) and d.overlaps == tuple(raw["overlaps"])
    assert bc.total == raw_bc["total"] and bc.currency == "USD"
    assert [s.assumption for s in bc.sensitivity] == [s["assumption"]
                                                      for s in raw_bc["sensitivity"]]
    roadmap = view.roadmap
    assert [i.id for i in roadmap.initiatives] == [
        i["id"] for i in results["roadmap"]["initiatives"]]
    assert [i.rank for i in roadmap.ranked] == list(range(1, len(roadmap.ranked) + 1))
    assert roadmap.ranking == results["roadmap"]["ranking"]
    for i, raw in zip(roadmap.initiatives, results["roadmap"]["initiatives"], strict=True):
        assert (i.value_score, i.money, i.tracking, i.recommendations) == (
            raw["value_score"], raw["money"], raw["tracking"], tuple(raw["recommendations"]))
    summary = view.executive_summary
    raw_summary = results["executive_summary"]
    assert summary is not None and 3 <= len(summary.findings) <= 5
    assert [f.id for f in summary.findings] == [f["id"] for f in raw_summary["findings"]]
    assert summary.words == raw_summary["index"]["words"]
    assert [i.id for i in summary.initiatives] == [i.id for i in roadmap.ranked[:3]]
    assert summary.total == bc.total and summary.caveats == tuple(raw_summary["caveats"])


def test_issue_13_parts_survive_a_json_round_trip(results: dict) -> None:
    """Tracking dates are ISO text: results.json holds them and reads back the same."""
    again = json.loads(json.dumps(results))
    assert ResultsView.from_dict(again) == ResultsView.from_dict(results)
    tracked = [i for i in results["roadmap"]["initiatives"] if i["tracking"]]
    for i in tracked:
        due = i["tracking"]["due_date"]
        assert due is None or dt.date.fromisoformat(due)


def test_issue_13_parts_default_for_older_results(results: dict) -> None:
    """results@1, and results@2 written before issue 13: no money, no plan, no summary."""
    for old in (results_v1(), {k: v for k, v in results.items()
                               if k not in ("business_case", "roadmap", "executive_summary")}):
        old = json.loads(json.dumps(old))
        old["renewal"].pop("money", None)
        view = ResultsView.from_dict(old)
        assert view.renewal.money is None
        assert view.business_case.drivers == () and view.business_case.total is None
        assert view.business_case.sensitivity == () and view.business_case.needs_data == ()
        assert view.roadmap.initiatives == () and view.roadmap.ranked == ()
        assert view.executive_summary is None


def test_an_internal_desk_has_no_renewal_money() -> None:
    view = ResultsView.from_dict(sparse_results())
    assert view.renewal.money is None
    renewal = [d for d in view.business_case.drivers if d.formula == "renewal_at_stake"]
    assert [d.status for d in renewal] == ["not_applicable"]
    assert renewal[0].base is None and not renewal[0].counted
    carrier = next(i for i in view.roadmap.initiatives if renewal[0].id in i.drivers)
    assert carrier.rank is None and carrier.money is None  # nothing in it applies
    assert carrier.kpis == () and carrier.practices == ()
    assert carrier not in view.roadmap.ranked
