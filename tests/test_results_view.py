"""core.results: the typed view is built once from the results dict and reads the same values."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest

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
    assert view.framework.levels[0] == "Reactive"
    assert view.index.score == results["index"]["score"]
    assert view.index.level == 4 and view.index.level_name == "Advanced"
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
    assert cost.benchmark is not None and cost.benchmark.range == (6, 40)
    assert cost.benchmark.as_dict()["source"] == "HDI"
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
