"""Issue 13: renewal money (§5), the business case (§10), the roadmap and the executive summary,
against numbers computed by hand.

A small framework is built inline (:func:`raw_framework`): one KPI per element, the renewal
rate, two items per questionnaire, the four driver formulas and assumptions with round values
of our own (the self-service cost runs from 30 in the cautious case to 0.05, wide enough to
show a swing), seven finding rules and six initiatives. Only
:func:`test_northwind_money_matches_section_5_by_hand` reads the shipped framework and a
bundled sample.

The hand figures of the main intake (:data:`CURRENT`, 10,000 assisted cases, a contract
revenue base of 1,000,000, USD):

- renewal: r = 0.86, target 0.90; Σ_k (0.9^(k−1) − 0.86^(k−1)) = 0 + 0.04 + 0.0704 +
  0.092944 + 0.10909184 = 0.31243584, so at stake 312,435.84 over five years, 62,487.168 a
  year;
- cost-per-case gap: 10,000 × (120 − 100) = 200,000;
- self-service shift: 10,000 × (0.30 − 0.10) = 2,000 issues × (120 − s): base s = 0.10 gives
  239,800, low s = 30 gives 180,000, high s = 0.05 gives 239,900;
- repeat contacts: 10,000 × (0.80 − 0.70) = 1,000 × m × 120: m = 1.0, 0.5, 1.5 give
  120,000, 60,000, 180,000.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from assessment.core import business
from assessment.core.errors import FrameworkError
from assessment.core.format import format_value, needs_data_text
from assessment.core.framework import (
    EFFORTS,
    FINDING_PLACEHOLDERS,
    Finding,
    Framework,
    load_framework,
    parse_framework,
)
from assessment.core.model import IntakeData
from assessment.core.results import ResultsView
from assessment.core.scoring import score
from assessment.intake.samples import sample_data

NAMES = {"cost_per_case": "Cost per case", "csat": "Customer satisfaction",
         "self_service_resolution_rate": "Self-service resolution rate",
         "first_contact_resolution": "First contact resolution",
         "contract_renewal_rate": "Contract renewal rate"}

#: The main intake's KPI values: every KPI measured, each short of its target.
CURRENT: dict[str, float | None] = {
    "cost_per_case": 120.0, "csat": 0.80, "self_service_resolution_rate": 0.10,
    "first_contact_resolution": 0.70, "contract_renewal_rate": 0.86}
#: Every KPI exactly at its target: nothing to gain.
AT_TARGET: dict[str, float | None] = {
    "cost_per_case": 100.0, "csat": 0.90, "self_service_resolution_rate": 0.30,
    "first_contact_resolution": 0.80, "contract_renewal_rate": 0.90}
#: Σ_{k=1..5} (0.9^(k−1) − 0.86^(k−1)), by hand (see the module docstring).
RENEWAL_SHARE_SUM = 0.31243584


def approx(x: float) -> Any:
    return pytest.approx(x, rel=1e-9, abs=1e-6)


def _kpi(kid: str, element: str, unit: str, direction: str, target: float,
         floor: float) -> dict[str, Any]:
    return {"id": kid, "element": element, "name": NAMES[kid], "definition": f"{kid}.",
            "unit": unit, "direction": direction, "target": target, "floor": floor,
            "weight": 1, "recommendations": [f"Improve {NAMES[kid].lower()}."]}


def _items(prefix: str) -> list[dict[str, Any]]:
    return [{"id": f"{prefix}{i}", "name": f"{prefix}{i}", "text": "t", "weight": 1,
             "recommendations": [f"Put {prefix}{i} in place."]} for i in range(2)]


def _finding(rule: str) -> dict[str, Any]:
    """A finding whose text is every placeholder of its rule, joined by '|'."""
    return {"id": rule, "rule": rule,
            "text": "|".join(f"{{{p}}}" for p in FINDING_PLACEHOLDERS[rule])}


def raw_framework() -> dict[str, Any]:
    """The worked framework of this file (framework currency USD)."""
    return {
        "name": "Business case test", "version": "t13",
        "settings": {"currency": "USD"},
        "levels": ["L1", "L2", "L3", "L4", "L5"],
        "answer_scale": ["a0", "a1", "a2", "a3", "a4"],
        "kpis": [
            _kpi("cost_per_case", "profit", "currency", "lower", 100, 300),
            _kpi("csat", "reputation", "percent", "higher", 0.9, 0.5),
            _kpi("self_service_resolution_rate", "efficiency", "percent", "higher", 0.3, 0.0),
            _kpi("first_contact_resolution", "effectiveness", "percent", "higher", 0.8, 0.4),
            _kpi("contract_renewal_rate", "renewal", "percent", "higher", 0.9, 0.7),
        ],
        "questionnaires": {
            "renewal_practices": {"name": "Renewal practices", "items": _items("r")},
            "excellence_practices": {"name": "Excellence practices", "items": _items("x")},
            "customer_expectations": {"name": "Expectations", "items": _items("d")},
        },
        "business_case": {
            "assumptions": [
                {"id": "ss_cost", "name": "Self-service cost", "unit": "currency",
                 "low": 30, "base": 0.10, "high": 0.05, "source": "Test source", "year": 2019},
                {"id": "assisted_cost", "name": "Assisted cost", "unit": "currency",
                 "low": 6, "base": 8, "high": 10, "source": "Test source", "year": 2019},
                {"id": "repeats", "name": "Repeats per unresolved case", "unit": "count",
                 "low": 0.5, "base": 1.0, "high": 1.5, "source": "Practitioner estimate"},
            ],
            "drivers": [
                {"id": "renewal", "name": "Renewal revenue at stake",
                 "formula": "renewal_at_stake",
                 "inputs": ["profile.contract_revenue_base", "kpi.contract_renewal_rate"]},
                {"id": "cost_gap", "name": "Cost-per-case gap", "formula": "cost_gap",
                 "inputs": ["profile.assisted_cases", "kpi.cost_per_case"],
                 "overlaps": ["self_service", "repeats"]},
                {"id": "self_service", "name": "Self-service shift",
                 "formula": "self_service_shift",
                 "inputs": ["profile.assisted_cases", "kpi.self_service_resolution_rate"],
                 "assumptions": ["ss_cost", "assisted_cost"]},
                {"id": "repeats", "name": "Repeat contacts avoided",
                 "formula": "repeat_contacts",
                 "inputs": ["profile.assisted_cases", "kpi.first_contact_resolution"],
                 "assumptions": ["repeats", "assisted_cost"]},
            ],
        },
        "findings": [_finding(rule) for rule in FINDING_PLACEHOLDERS],
        "initiatives": [
            {"id": "i_self", "name": "Self-service", "kpis": ["self_service_resolution_rate"],
             "drivers": ["self_service"], "effort": "M", "horizon": "months_3_6",
             "owner": "Knowledge manager"},
            {"id": "i_cost", "name": "Cost", "kpis": ["cost_per_case"],
             "drivers": ["cost_gap"], "effort": "L", "horizon": "months_6_12",
             "owner": "Operations manager"},
            {"id": "i_fcr", "name": "First time", "kpis": ["first_contact_resolution"],
             "drivers": ["repeats"], "effort": "S", "horizon": "days_0_90",
             "owner": "Front-line manager"},
            {"id": "i_renew", "name": "Renewals", "kpis": ["contract_renewal_rate"],
             "practices": ["renewal_practices.r0"], "drivers": ["renewal"], "effort": "L",
             "horizon": "months_3_6", "owner": "Renewals manager"},
            {"id": "i_csat", "name": "Feedback", "kpis": ["csat"], "effort": "S",
             "horizon": "days_0_90", "owner": "CX manager"},
            {"id": "i_measure", "name": "Measurement",
             "practices": ["excellence_practices.x0"], "effort": "S",
             "horizon": "days_0_90", "owner": "Head of operations"},
        ],
    }


FW: Framework = parse_framework(raw_framework())


def intake(current: dict[str, float | None] | None = None, **profile: Any) -> IntakeData:
    """The main intake (USD, 10,000 cases, revenue base 1,000,000); ``profile`` overrides
    fields (None removes one)."""
    base = {"organization": "Test Org", "industry": "Software", "support_model": "external",
            "currency": "USD", "assessment_date": dt.date(2026, 11, 1),
            "contract_revenue_base": 1_000_000.0, "assisted_cases": 10_000}
    base.update(profile)
    answers = {"renewal_practices": {"r0": 2, "r1": 2}, "excellence_practices": {"x0": 0,
                                                                                "x1": 2}}
    return IntakeData(profile={k: v for k, v in base.items() if v is not None},
                      current=dict(CURRENT if current is None else current), answers=answers)


def run(data: IntakeData, fw: Framework = FW) -> dict[str, Any]:
    return score(fw, copy.deepcopy(data))


def drivers(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["id"]: d for d in results["business_case"]["drivers"]}


def cases(d: dict[str, Any]) -> tuple[Any, Any, Any]:
    return d["low"], d["base"], d["high"]


@pytest.fixture(scope="module")
def main() -> dict[str, Any]:
    return run(intake())


# --------------------------------------------------------------------------- renewal money


def test_renewal_money_is_v_times_the_contract_curves(main: dict[str, Any]) -> None:
    """§5 money: V·r^(k−1), V·target^(k−1), V·0.824^(k−1); at stake Σ V·(target − client)."""
    money = main["renewal"]["money"]
    v = 1_000_000
    assert money["base"] == v and money["currency"] == "USD"
    assert money["basis"] == "contract_renewal_rate"
    client = [1, 0.86, 0.7396, 0.636056, 0.54700816]
    target = [1, 0.9, 0.81, 0.729, 0.6561]
    industry = [1, 0.824, 0.678976, 0.559476224, 0.461008408576]
    assert [y["year"] for y in money["years"]] == [1, 2, 3, 4, 5]
    for y, c, t, i in zip(money["years"], client, target, industry, strict=True):
        assert (y["client"], y["target"], y["industry"]) == (approx(v * c), approx(v * t),
                                                             approx(v * i))
    assert money["at_stake"] == approx(312_435.84)
    assert money["at_stake"] == approx(v * RENEWAL_SHARE_SUM)


def test_renewal_money_ignores_the_value_curve() -> None:
    """The money follows the contract renewal rate even when R (recurring revenue rate) would
    give another value curve: basis is always contract_renewal_rate."""
    raw = raw_framework()
    raw["kpis"].append({**_kpi("contract_renewal_rate", "renewal", "ratio", "higher", 1.0,
                               0.8), "id": "recurring_revenue_rate", "name": "R",
                        "max": 3})
    fw = parse_framework(raw)
    r = run(IntakeData(**{**intake().__dict__,
                          "current": {**CURRENT, "recurring_revenue_rate": 1.04}}), fw)
    assert r["renewal"]["value_basis"] == "recurring_revenue_rate"
    assert r["renewal"]["money"]["basis"] == "contract_renewal_rate"
    assert r["renewal"]["money"]["at_stake"] == approx(312_435.84)


def test_renewal_money_absent_without_base_or_rate() -> None:
    no_base = run(intake(contract_revenue_base=None))
    assert no_base["renewal"]["money"] is None
    d = drivers(no_base)["renewal"]
    assert d["status"] == "needs_data" and d["needs"] == ["contract_revenue_base"]
    assert cases(d) == (None, None, None) and d["five_year"] is None
    no_rate = run(intake({**CURRENT, "contract_renewal_rate": None}))
    assert no_rate["renewal"]["money"] is None
    assert drivers(no_rate)["renewal"]["needs"] == ["contract_renewal_rate"]


def test_renewal_driver_is_one_fifth_of_the_five_year_sum(main: dict[str, Any]) -> None:
    d = drivers(main)["renewal"]
    assert d["status"] == "ok" and d["counted"] is True
    assert d["five_year"] == approx(312_435.84)
    assert cases(d) == (approx(62_487.168),) * 3  # no assumption: the same in every case
    assert "USD 1,000,000" in d["formula_text"] and "USD 312,436" in d["formula_text"]
    assert d["formula_text"].endswith("= USD 62,487 a year")


def test_renewal_formula_text_puts_in_the_rates(main: dict[str, Any]) -> None:
    """§10 "the formula with the numbers put in": the renewal driver's text names V and the
    result but not the two rates the sum is made of (client 86%, target 90%), so it cannot be
    recomputed from the text alone as the other drivers' texts can (found in review; fixed)."""
    text = drivers(main)["renewal"]["formula_text"]
    assert "86%" in text and "90%" in text, text


def test_renewal_above_target_is_no_gap() -> None:
    d = drivers(run(intake({**CURRENT, "contract_renewal_rate": 0.95})))["renewal"]
    assert d["status"] == "no_gap" and d["base"] == 0.0 and d["five_year"] < 0
    assert d["counted"] is False and d["excluded_because"] is None


def test_northwind_money_matches_section_5_by_hand() -> None:
    """The bundled Northwind sample with the shipped framework: V = 6,800,000, r = 0.86 against
    the b2b_software target 0.90 (docs/methodology.md, 'Business case, worked for
    Northwind')."""
    r = score(load_framework(), sample_data("northwind-cloud"))
    money = r["renewal"]["money"]
    assert money["base"] == 6_800_000 and money["basis"] == "contract_renewal_rate"
    assert money["at_stake"] == approx(6_800_000 * RENEWAL_SHARE_SUM)
    assert money["at_stake"] == approx(2_124_563.712)
    assert money["years"][4]["client"] == approx(3_719_655.488)
    assert money["years"][4]["target"] == approx(4_461_480.0)
    assert money["years"][1]["industry"] == approx(5_603_200.0)
    d = drivers(r)
    assert d["renewal_revenue_at_stake"]["base"] == approx(424_912.7424)
    assert d["cost_per_case_gap"]["base"] == approx(42_300 * (104 - 75))        # 1,226,700
    # Gartner (2019) about $0.10 per self-service contact; the client's $104 cost per case
    assert d["self_service_shift"]["base"] == approx(42_300 * 0.09 * (104 - 0.10))
    assert d["self_service_shift"]["counted"] is False
    assert d["repeat_contacts_avoided"]["status"] == "no_gap"                   # 74% > 70%
    assert r["business_case"]["total"]["base"] == approx(1_226_700 + 424_912.7424)


# --------------------------------------------------------------------------- drivers


def test_each_driver_base_value_matches_its_formula(main: dict[str, Any]) -> None:
    d = drivers(main)
    assert cases(d["cost_gap"]) == (approx(200_000),) * 3
    assert cases(d["self_service"]) == (approx(2_000 * (120 - 30)), approx(2_000 * 119.9),
                                        approx(2_000 * 119.95))
    assert cases(d["repeats"]) == (approx(60_000), approx(120_000), approx(180_000))
    assert all(x["status"] == "ok" and x["needs"] == [] for x in d.values())


def test_formula_texts_put_in_the_clients_numbers(main: dict[str, Any]) -> None:
    d = drivers(main)
    assert d["cost_gap"]["formula_text"] == (
        "10,000 assisted cases × max(0, USD 120 − USD 100 target) = USD 200,000 a year")
    assert d["self_service"]["formula_text"] == (
        "10,000 assisted cases × max(0, 30% target − 10%) × (USD 120 cost per case − "
        "USD 0.10 "
        "self-service cost) = USD 239,800 a year")
    assert d["repeats"]["formula_text"] == (
        "10,000 assisted cases × max(0, 80% target − 70%) × 1 (repeats per unresolved case) × "
        "USD 120 cost per case = USD 120,000 a year")


def test_drivers_list_their_assumptions_with_sources(main: dict[str, Any]) -> None:
    d = drivers(main)
    assert d["cost_gap"]["assumptions"] == []
    ss = d["self_service"]["assumptions"]
    assert [a["id"] for a in ss] == ["ss_cost", "assisted_cost"]
    assert ss[0] == {"id": "ss_cost", "name": "Self-service cost", "unit": "currency",
                     "source": "Test source", "year": 2019, "note": None,
                     "low": 30, "base": 0.10, "high": 0.05}


def test_the_clients_own_target_is_the_one_used() -> None:
    data = intake()
    data.targets = {"cost_per_case": 110.0}
    assert drivers(run(data))["cost_gap"]["base"] == approx(10_000 * (120 - 110))


def test_fx_converts_money_assumptions_and_blank_cost_uses_the_assumption() -> None:
    """EUR at 0.9 per USD and cost per case blank: the assisted-cost assumption (8 USD ->
    EUR 7.20) stands in for it, and the self-service cost is converted too (0.10 -> 0.09).
    The repeats multiplier is a count: not converted."""
    data = intake({**CURRENT, "cost_per_case": None}, currency="EUR", fx_rate=0.9,
                  contract_revenue_base=None)
    r = run(data)
    d = drivers(r)
    assert d["cost_gap"]["status"] == "needs_data"
    assert d["cost_gap"]["needs"] == ["cost_per_case"]
    assert cases(d["cost_gap"]) == (None, None, None)
    # 2,000 issues × (assisted − self-service), each case converted at 0.9:
    # low max(0, 5.40 − 27) = 0, base 7.20 − 0.09 = 7.11, high 9 − 0.045 = 8.955
    assert cases(d["self_service"]) == (0.0, approx(14_220), approx(17_910))
    # 1,000 unresolved × multiplier × assisted: 0.5·5.40, 1·7.20, 1.5·9
    assert cases(d["repeats"]) == (approx(2_700), approx(7_200), approx(13_500))
    converted = {a["id"]: a for a in d["self_service"]["assumptions"]}
    assert (converted["ss_cost"]["base"], converted["assisted_cost"]["base"]) == (
        approx(0.09), approx(7.2))
    assert d["repeats"]["assumptions"][0]["base"] == 1.0
    assert "EUR 7.20 assisted cost (assumption)" in d["self_service"]["formula_text"]
    assert "EUR 0.09 self-service cost" in d["self_service"]["formula_text"]
    assert r["business_case"]["currency"] == "EUR"
    assert r["business_case"]["total"] == {"low": approx(2_700), "base": approx(21_420),
                                           "high": approx(31_410)}
    # sensitivity: pinned values are framework money, converted before use
    sens = {s["assumption"]: s for s in r["business_case"]["sensitivity"]}
    assert [s["assumption"] for s in r["business_case"]["sensitivity"]] == [
        "ss_cost", "assisted_cost", "repeats"]
    assert (sens["ss_cost"]["low_total"], sens["ss_cost"]["high_total"]) == (
        approx(7_200), approx(2_000 * (7.2 - 0.045) + 7_200))           # 7,200 / 21,510
    assert (sens["assisted_cost"]["low_total"], sens["assisted_cost"]["high_total"]) == (
        approx(2_000 * (5.4 - 0.09) + 5_400), approx(2_000 * (9 - 0.09) + 9_000))
    assert sens["repeats"]["swing"] == approx(10_800 - 3_600)


def test_blank_volume_needs_data_never_zero() -> None:
    r = run(intake(assisted_cases=None))
    d = drivers(r)
    for did in ("cost_gap", "self_service", "repeats"):
        assert d[did]["status"] == "needs_data", did
        assert d[did]["needs"] == ["assisted_cases"], did
        assert cases(d[did]) == (None, None, None), did
        assert d[did]["counted"] is False and d[did]["formula_text"] == ""
        assert needs_data_text(d[did]["needs"]) == "needs data: assisted_cases"
    assert r["business_case"]["needs_data"] == ["cost_gap", "self_service", "repeats"]
    assert r["business_case"]["total"] == {case: approx(62_487.168)
                                           for case in ("low", "base", "high")}
    caveat = next(c for c in r["executive_summary"]["caveats"] if "business case" in c)
    assert "Cost-per-case gap needs data: assisted_cases" in caveat


def test_blank_kpi_and_volume_are_both_named() -> None:
    d = drivers(run(intake({**CURRENT, "first_contact_resolution": None},
                           assisted_cases=None)))["repeats"]
    assert d["needs"] == ["assisted_cases", "first_contact_resolution"]
    assert d["base"] is None


def test_kpi_at_target_is_no_gap_with_zero_not_none() -> None:
    d = drivers(run(intake({**CURRENT, "first_contact_resolution": 0.85})))["repeats"]
    assert d["status"] == "no_gap" and cases(d) == (0.0, 0.0, 0.0)
    assert d["counted"] is False and d["excluded_because"] is None


def test_nothing_at_stake_gives_no_total() -> None:
    r = run(intake(AT_TARGET))
    assert {d["status"] for d in r["business_case"]["drivers"]} == {"no_gap"}
    assert r["business_case"]["total"] is None and r["business_case"]["needs_data"] == []


# --------------------------------------------------------------------------- overlaps


def test_overlapping_drivers_are_not_added_twice(main: dict[str, Any]) -> None:
    """The set of drivers no two of which overlap with the largest sum: self-service 239,800
    + repeats 120,000 = 359,800 beats the cost gap's 200,000 (the two overlap the cost gap,
    not each other); renewal overlaps nothing."""
    d = drivers(main)
    assert {k: v["counted"] for k, v in d.items()} == {
        "renewal": True, "cost_gap": False, "self_service": True, "repeats": True}
    assert d["cost_gap"]["excluded_because"].startswith(
        "overlaps with Self-service shift, counted instead")
    assert all(d[k]["excluded_because"] is None for k in ("renewal", "self_service",
                                                            "repeats"))
    total = main["business_case"]["total"]
    assert total["base"] == approx(239_800 + 120_000 + 62_487.168)
    # the low and high totals add the same drivers, each at its low or high value
    assert total["low"] == approx(180_000 + 60_000 + 62_487.168)
    assert total["high"] == approx(239_900 + 180_000 + 62_487.168)
    assert total["base"] == approx(sum(x["base"] for x in d.values() if x["counted"]))


def test_the_largest_overlapping_driver_excludes_the_others() -> None:
    """Cost per case 200 (gap 100 a case): 1,000,000 beats self-service 2,000 × 199.90 =
    399,800 plus repeats 1,000 × 200 = 200,000 together."""
    r = run(intake({**CURRENT, "cost_per_case": 200.0}))
    d = drivers(r)
    assert d["cost_gap"]["base"] == approx(1_000_000) and d["cost_gap"]["counted"]
    assert (d["self_service"]["base"], d["repeats"]["base"]) == (approx(399_800),
                                                                 approx(200_000))
    for did in ("self_service", "repeats"):
        assert not d[did]["counted"]
        assert d[did]["excluded_because"].startswith("overlaps with Cost-per-case gap")
    assert r["business_case"]["total"]["base"] == approx(1_000_000 + 62_487.168)


#: Self-service at 20% (gap 0.10: 1,000 issues): the cost gap (200,000) is the largest
#: single driver, yet self-service 119,900 + repeats 120,000 = 239,900 together beat it.
PAIR = {**CURRENT, "self_service_resolution_rate": 0.20}


def test_two_smaller_drivers_beat_one_larger_that_overlaps_both() -> None:
    """Not greedy: taking the largest driver first would count the cost gap alone."""
    r = run(intake(PAIR))
    d = drivers(r)
    assert cases(d["self_service"]) == (approx(90_000), approx(119_900), approx(119_950))
    assert {k: v["counted"] for k, v in d.items()} == {
        "renewal": True, "cost_gap": False, "self_service": True, "repeats": True}
    total = r["business_case"]["total"]
    assert total == {"low": approx(90_000 + 60_000 + 62_487.168),
                     "base": approx(119_900 + 120_000 + 62_487.168),
                     "high": approx(119_950 + 180_000 + 62_487.168)}


def test_overlaps_are_symmetric_in_the_loader() -> None:
    """Only the cost gap names its overlaps; the other two overlap it as well."""
    by_id = {d.id: d for d in FW.drivers}
    assert by_id["cost_gap"].overlaps == ("repeats", "self_service")
    assert by_id["self_service"].overlaps == ("cost_gap",)
    assert by_id["repeats"].overlaps == ("cost_gap",)
    assert by_id["renewal"].overlaps == ()


# --------------------------------------------------------------------------- sensitivity


def test_sensitivity_by_hand(main: dict[str, Any]) -> None:
    """Each assumption at low then high, the others at base (R = 62,487.168 renewal).

    - repeats at 0.5: 239,800 + 60,000 + R; at 1.5: 239,800 + 180,000 + R. Swing 120,000.
    - self-service cost at 30: 180,000 + 120,000 + R; at 0.05: 239,900 + 120,000 + R.
      Swing 59,900.
    - assisted cost: not used (the client's cost per case is known). Swing 0.
    """
    sens = main["business_case"]["sensitivity"]
    assert [s["assumption"] for s in sens] == ["repeats", "ss_cost", "assisted_cost"]
    by = {s["assumption"]: s for s in sens}
    assert (by["repeats"]["low_total"], by["repeats"]["high_total"]) == (
        approx(362_287.168), approx(482_287.168))
    assert by["repeats"]["swing"] == approx(120_000)
    assert (by["ss_cost"]["low_total"], by["ss_cost"]["high_total"]) == (
        approx(362_487.168), approx(422_387.168))
    assert by["ss_cost"]["swing"] == approx(59_900)
    base_total = main["business_case"]["total"]["base"]
    assert by["assisted_cost"]["low_total"] == by["assisted_cost"]["high_total"] == approx(
        base_total)
    assert by["assisted_cost"]["swing"] == 0
    assert by["ss_cost"]["name"] == "Self-service cost"


def test_sensitivity_chooses_the_drivers_again() -> None:
    """:data:`PAIR` with repeats at 0.5: self-service 119,900 + repeats 60,000 = 179,900 now
    lose to the cost gap's 200,000, so the low total is 200,000 + R, not 179,900 + R.

    - repeats: 262,487.168 to 119,900 + 180,000 + R = 362,387.168. Swing 99,900.
    - self-service cost at 30: 90,000 + 120,000 = 210,000 still beats 200,000: 272,487.168;
      at 0.05: 119,950 + 120,000 + R = 302,437.168. Swing 29,950.
    """
    sens = run(intake(PAIR))["business_case"]["sensitivity"]
    assert [(s["assumption"], s["low_total"], s["high_total"], s["swing"]) for s in sens] == [
        ("repeats", approx(262_487.168), approx(362_387.168), approx(99_900)),
        ("ss_cost", approx(272_487.168), approx(302_437.168), approx(29_950)),
        ("assisted_cost", approx(302_387.168), approx(302_387.168), 0.0)]


def test_sensitivity_lists_only_assumptions_of_drivers_with_data() -> None:
    r = run(intake(assisted_cases=None))
    assert r["business_case"]["sensitivity"] == []


# --------------------------------------------------------------------------- roadmap


def test_roadmap_value_score_and_rank_by_hand(main: dict[str, Any]) -> None:
    """(share of index points + share of money) / effort.

    Points at stake, one KPI per element of four: 0.25 · (100 − s): cost (s 90) 2.5, csat
    (s 75) 6.25, self-service (s 33.3) 16.667, FCR (s 75) 6.25; all 95/3 = 31.667. Money is
    each initiative's own drivers (base), over all initiatives' money: 239,800 + 200,000 +
    120,000 + 62,487.168 = 622,287.168 (the excluded cost gap included: an initiative's money
    is its own value, not its share of the total)."""
    points, money = 95 / 3, 622_287.168
    want = {
        "i_self": (50 / 3 / points + 239_800 / money) / 2,
        "i_cost": (2.5 / points + 200_000 / money) / 3,
        "i_fcr": (6.25 / points + 120_000 / money) / 1,
        "i_renew": (0 + 62_487.168 / money) / 3,
        "i_csat": (6.25 / points) / 1,
        "i_measure": 0.0,
    }
    rows = {i["id"]: i for i in main["roadmap"]["initiatives"]}
    for iid, value in want.items():
        assert rows[iid]["value_score"] == approx(value), iid
    assert [i["id"] for i in main["roadmap"]["initiatives"]] == [
        "i_self", "i_fcr", "i_csat", "i_cost", "i_renew", "i_measure"]
    assert [i["rank"] for i in main["roadmap"]["initiatives"]] == [1, 2, 3, 4, 5, 6]
    assert rows["i_self"]["index_points"] == approx(50 / 3)
    assert rows["i_cost"]["money"] == {"low": approx(200_000), "base": approx(200_000),
                                       "high": approx(200_000)}
    assert rows["i_csat"]["money"] is None and rows["i_measure"]["money"] is None
    assert rows["i_renew"]["index_points"] == 0 and rows["i_renew"]["renewal_points"] > 0
    assert main["roadmap"]["ranking"] == business.RANKING
    assert EFFORTS == {"S": 1, "M": 2, "L": 3}


def test_roadmap_groups_recommendations_and_keeps_framework_fields(
        main: dict[str, Any]) -> None:
    rows = {i["id"]: i for i in main["roadmap"]["initiatives"]}
    recs = {(r["source"], r["id"]): r["rank"] for r in main["recommendations"]}
    assert rows["i_self"]["recommendations"] == [recs[("kpi",
                                                       "self_service_resolution_rate")]]
    assert rows["i_measure"]["recommendations"] == [recs[("practice", "x0")]]  # answered 0
    assert rows["i_renew"]["practices"] == ["renewal_practices.r0"]
    assert rows["i_fcr"]["horizon"] == "days_0_90" and rows["i_fcr"]["effort"] == "S"
    assert rows["i_fcr"]["owner"] == "Front-line manager"
    assert rows["i_fcr"]["drivers"] == ["repeats"]


def test_practice_recommendations_are_matched_within_their_questionnaire() -> None:
    """Item ids need only be unique within a questionnaire. An initiative that moves
    renewal_practices.p0 must not claim the recommendation of excellence_practices.p0
    (recommendations are matched on the questionnaire, the recommendation's ``area``)."""
    raw = raw_framework()
    for qid in ("renewal_practices", "excellence_practices"):
        for n, item in enumerate(raw["questionnaires"][qid]["items"]):
            item["id"] = f"p{n}"
    for init in raw["initiatives"]:
        init["practices"] = [p.replace(".r", ".p").replace(".x", ".p")
                             for p in init.get("practices", [])]
    data = intake()
    data.answers = {"renewal_practices": {"p0": 3, "p1": 3},
                    "excellence_practices": {"p0": 0, "p1": 3}}
    r = run(data, parse_framework(raw))
    practice_recs = [x for x in r["recommendations"] if x["source"] == "practice"]
    assert [x["area"] for x in practice_recs] == ["excellence_practices"]
    rows = {i["id"]: i for i in r["roadmap"]["initiatives"]}
    assert rows["i_measure"]["recommendations"] == [practice_recs[0]["rank"]]
    assert rows["i_renew"]["recommendations"] == [
        x["rank"] for x in r["recommendations"] if x["id"] == "contract_renewal_rate"]


def test_roadmap_initiative_not_applicable_has_no_rank() -> None:
    """An internal desk: the renewal KPI and practices do not apply."""
    raw = raw_framework()
    raw["kpis"][-1]["applies_to"] = ["external", "blended"]
    raw["questionnaires"]["renewal_practices"]["applies_to"] = ["external", "blended"]
    r = run(intake(support_model="internal"), parse_framework(raw))
    rows = {i["id"]: i for i in r["roadmap"]["initiatives"]}
    assert rows["i_renew"]["rank"] is None and rows["i_renew"]["value_score"] == 0
    assert r["roadmap"]["initiatives"][-1]["id"] == "i_renew"
    assert drivers(r)["renewal"]["status"] == "not_applicable"
    assert drivers(r)["renewal"]["base"] is None and r["renewal"]["money"] is None


def test_tracking_is_echoed_into_the_roadmap() -> None:
    data = intake()
    data.initiatives = {"i_fcr": {"chosen": True, "owner": "Ana Ruiz",
                                  "due_date": dt.date(2027, 3, 31), "status": "in_progress",
                                  "inhibitors": "No knowledge base", "notes": None}}
    rows = {i["id"]: i for i in run(data)["roadmap"]["initiatives"]}
    assert rows["i_fcr"]["tracking"] == {
        "chosen": True, "owner": "Ana Ruiz", "due_date": "2027-03-31",
        "status": "in_progress", "inhibitors": "No knowledge base", "notes": None}
    assert all(rows[i]["tracking"] is None for i in rows if i != "i_fcr")


# --------------------------------------------------------------------------- loader


def _refused(raw: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(FrameworkError) as info:
        parse_framework(raw)
    return {issue.path: str(issue) for issue in info.value.issues}


def test_a_driver_in_two_initiatives_is_refused() -> None:
    raw = raw_framework()
    raw["initiatives"][4]["drivers"] = ["self_service"]
    found = _refused(raw)
    assert "initiatives[4](i_csat).drivers" in found
    assert "already belongs to initiative 'i_self'" in found["initiatives[4](i_csat).drivers"]


def test_an_unknown_finding_placeholder_is_refused() -> None:
    raw = raw_framework()
    raw["findings"][0]["text"] = "{name} costs {money}"  # money belongs to largest_driver
    found = _refused(raw)
    assert list(found) == ["findings[0](largest_gap).text"]
    assert "unknown placeholder {money}" in found["findings[0](largest_gap).text"]


# --------------------------------------------------------------------------- findings


def findings_of(rule: str, results: dict[str, Any], data: IntakeData,
                **params: float) -> list[dict[str, Any]]:
    """The findings of a framework holding only ``rule`` (with ``params``)."""
    text = "|".join(f"{{{p}}}" for p in FINDING_PLACEHOLDERS[rule])
    fw = dataclasses.replace(FW, findings=(Finding(rule, rule, text, params),))
    return business.executive_summary(fw, results, data)["findings"]


def values_of(rule: str, results: dict[str, Any], data: IntakeData,
              **params: float) -> dict[str, str] | None:
    found = findings_of(rule, results, data, **params)
    if not found:
        return None
    assert found[0]["text"] == "|".join(found[0]["values"][p]
                                        for p in FINDING_PLACEHOLDERS[rule])
    return found[0]["values"]


@pytest.fixture(scope="module")
def at_target() -> tuple[dict[str, Any], IntakeData]:
    data = intake(AT_TARGET)
    return run(data), data


def test_largest_gap_fires_on_the_kpi_with_most_points(main: dict[str, Any],
                                                       at_target: Any) -> None:
    assert values_of("largest_gap", main, intake()) == {
        "name": "Self-service resolution rate", "points": "16.67", "score": "33.3",
        "element": "Efficiency"}
    assert values_of("largest_gap", *at_target) is None


def test_weak_element_fires_beyond_its_margin(main: dict[str, Any], at_target: Any) -> None:
    """Elements 90, 75, 33.3, 75: efficiency is 80 − 33.3 = 46.7 below the others' mean."""
    assert values_of("weak_element", main, intake(), margin=15) == {
        "element": "Efficiency", "score": "33.3", "others": "80.0", "margin": "46.7"}
    assert values_of("weak_element", main, intake(), margin=50) is None
    assert values_of("weak_element", *at_target, margin=15) is None


def test_renewal_erosion_fires_below_the_industry_curve(main: dict[str, Any]) -> None:
    data = intake({**CURRENT, "contract_renewal_rate": 0.80})
    # 0.80⁴ = 40.96% in year 5 against 0.824⁴ = 46.1%
    assert values_of("renewal_erosion", run(data), data) == {
        "rate": "80%", "client_year5": "41%", "industry_year5": "46.1%",
        "industry_rate": "82.4%"}
    assert values_of("renewal_erosion", main, intake()) is None  # 86% beats 82.4%


def _with_relation(kpi: str, product: str, divide: str) -> Framework:
    raw = raw_framework()
    raw["relations"] = [{"id": "check", "name": "Check", "value": f"kpi.{kpi}",
                         "equals": {"product": [product], "divide": [divide]},
                         "tolerance": 0.1}]
    return parse_framework(raw)


def test_failing_relation_fires_only_when_a_check_fails() -> None:
    fw = _with_relation("cost_per_case", "profile.support_cost", "profile.assisted_cases")
    bad = intake(support_cost=1_500_000.0)  # implies 150 a case, 120 stated: 25% off
    r = run(bad, fw)
    text = "|".join(f"{{{p}}}" for p in FINDING_PLACEHOLDERS["failing_relation"])
    one = dataclasses.replace(fw, findings=(Finding("f", "failing_relation", text),))
    found = business.executive_summary(one, r, bad)["findings"]
    assert found[0]["values"]["relation"] == "Check"
    assert (found[0]["values"]["stated"], found[0]["values"]["implied"]) == (
        "USD 120", "USD 150")  # in the KPI's unit, as the warning says
    good = intake(support_cost=1_200_000.0)
    assert business.executive_summary(one, run(good, fw), good)["findings"] == []


def test_failing_relation_shows_values_in_their_unit() -> None:
    """A percent KPI's check must read '40%' and '50%', as the warning does, not the fractions
    0.4 and 0.5."""
    fw = _with_relation("csat", "profile.annual_revenue", "profile.support_cost")
    data = intake({**CURRENT, "csat": 0.40}, annual_revenue=500_000.0,
                  support_cost=1_000_000.0)
    r = run(data, fw)
    text = "|".join(f"{{{p}}}" for p in FINDING_PLACEHOLDERS["failing_relation"])
    one = dataclasses.replace(fw, findings=(Finding("f", "failing_relation", text),))
    values = business.executive_summary(one, r, data)["findings"][0]["values"]
    assert (values["stated"], values["implied"]) == (
        format_value(0.40, "percent"), format_value(0.5, "percent"))


def test_low_coverage_fires_below_its_threshold(main: dict[str, Any]) -> None:
    data = intake({**CURRENT, "csat": None})  # reputation unmeasured: coverage 3/4
    r = run(data)
    assert values_of("low_coverage", r, data, below=0.8) == {
        "coverage": "75%", "missing": "Customer satisfaction"}
    assert values_of("low_coverage", r, data, below=0.7) is None
    assert values_of("low_coverage", main, intake(), below=0.8) is None


def test_largest_driver_fires_when_money_is_counted(main: dict[str, Any],
                                                    at_target: Any) -> None:
    assert values_of("largest_driver", main, intake()) == {
        "driver": "Self-service shift", "money": "USD 239,800", "low": "USD 180,000",
        "high": "USD 239,900"}
    assert values_of("largest_driver", *at_target) is None


def test_not_measured_fires_on_blank_applicable_kpis(main: dict[str, Any]) -> None:
    data = intake({**CURRENT, "csat": None})
    assert values_of("not_measured", run(data), data) == {
        "count": "1", "names": "Customer satisfaction"}
    assert values_of("not_measured", main, intake()) is None


def test_a_wording_override_replaces_the_text(main: dict[str, Any]) -> None:
    data = intake()
    data.finding_wording = {"largest_gap": "Self-service is where the points are."}
    found = {f["id"]: f for f in business.executive_summary(FW, main, data)["findings"]}
    assert found["largest_gap"]["text"] == "Self-service is where the points are."
    assert found["largest_gap"]["overridden"] is True
    assert found["largest_gap"]["values"]["points"] == "16.67"  # the number is still there
    assert not any(f["overridden"] for k, f in found.items() if k != "largest_gap")


def test_executive_summary_three_to_five_findings(main: dict[str, Any]) -> None:
    """The main intake: largest gap, weak element and largest driver fire (coverage is full,
    renewal beats the industry, there is no relation)."""
    summary = main["executive_summary"]
    assert [f["id"] for f in summary["findings"]] == [
        "largest_gap", "weak_element", "largest_driver"]
    assert all(not f["overridden"] and f["rule"] == f["id"] for f in summary["findings"])
    # everything wrong at once: all seven rules fire, the first five in framework order
    fw = _with_relation("cost_per_case", "profile.support_cost", "profile.assisted_cases")
    data = intake({**CURRENT, "csat": None, "contract_renewal_rate": 0.80},
                  support_cost=1_500_000.0)
    r = run(data, fw)
    assert [f["id"] for f in r["executive_summary"]["findings"]] == list(
        FINDING_PLACEHOLDERS)[:5]
    assert business.MIN_FINDINGS == 3 and business.MAX_FINDINGS == 5


def test_executive_summary_contents(main: dict[str, Any]) -> None:
    summary = main["executive_summary"]
    assert summary["index"]["score"] == main["index"]["score"] == approx(820 / 12)
    assert summary["index"]["words"] and summary["index"]["band"] == main["index"][
        "level_name"]
    assert [e["key"] for e in summary["elements"]] == ["profit", "reputation", "efficiency",
                                                      "effectiveness"]
    assert summary["renewal"] == {"applicable": True, "health": main["renewal"]["health"],
                                  "rag": main["renewal"]["rag"]}
    assert [i["id"] for i in summary["initiatives"]] == ["i_self", "i_fcr", "i_csat"]
    top = summary["initiatives"][0]
    assert top == {"id": "i_self", "name": "Self-service", "horizon": "months_3_6",
                   "owner": "Knowledge manager", "effort": "M",
                   "index_points": approx(50 / 3), "money_base": approx(239_800)}
    assert summary["initiatives"][2]["money_base"] is None
    assert summary["total"] == main["business_case"]["total"]
    assert summary["currency"] == "USD"
    assert summary["caveats"] == ["No peer segment chosen: the framework's general targets "
                                  "apply."]


def test_results_view_reads_the_business_case(main: dict[str, Any]) -> None:
    view = ResultsView.from_dict(main)
    assert view.renewal.money is not None
    assert view.renewal.money.at_stake == main["renewal"]["money"]["at_stake"]
    bc = view.business_case
    assert [d.id for d in bc.drivers] == ["renewal", "cost_gap", "self_service", "repeats"]
    assert bc.drivers[1].excluded_because and not bc.drivers[1].counted
    assert [s.assumption for s in bc.sensitivity] == ["repeats", "ss_cost", "assisted_cost"]
    assert [i.id for i in view.roadmap.ranked][:2] == ["i_self", "i_fcr"]
    assert view.executive_summary is not None
    assert len(view.executive_summary.findings) == 3


def test_a_wording_override_is_never_formatted(main: dict[str, Any]) -> None:
    """The consultant's text is used as written: braces in it are not placeholders."""
    data = intake()
    data.finding_wording = {"largest_gap": "Keep {name.__class__} and {0} as typed."}
    found = business.executive_summary(FW, main, data)["findings"]
    assert found[0]["text"] == "Keep {name.__class__} and {0} as typed."


def test_the_docs_give_these_figures(main: dict[str, Any]) -> None:
    """docs/methodology.md §9 works this file's client by hand, and 'Business case, worked for
    Northwind' the sample: the figures the engine computes are the ones printed there."""
    docs = (Path(__file__).parents[1] / "docs" / "methodology.md").read_text(encoding="utf-8")
    section = docs.split("## 9. Business case", 1)[1].split("## results.json", 1)[0]
    d = drivers(main)
    total = main["business_case"]["total"]
    sens = {s["assumption"]: s["swing"] for s in main["business_case"]["sensitivity"]}
    for figure in (d["cost_gap"]["base"], d["self_service"]["low"], d["self_service"]["base"],
                   d["self_service"]["high"], d["repeats"]["low"], d["repeats"]["high"],
                   d["renewal"]["base"], total["base"], total["low"], total["high"],
                   sens["repeats"], sens["ss_cost"]):
        assert f"{figure:,.2f}".removesuffix(".00") in section, figure
    assert f"{main['renewal']['money']['at_stake']:,.2f}" in docs
    northwind = score(load_framework(), sample_data("northwind-cloud"))
    tail = docs.split("## Business case, worked for Northwind", 1)[1]
    for figure in (northwind["renewal"]["money"]["at_stake"],
                   northwind["business_case"]["total"]["base"],
                   *(x["base"] for x in northwind["business_case"]["drivers"] if x["base"])):
        assert f"{figure:,.2f}".removesuffix(".00") in tail, figure


def test_not_measured_never_says_a_renewal_kpi_counts_in_the_index() -> None:
    """Northwind with only its win-back rate blank: a renewal KPI counts 0 in renewal health,
    not in the index (index coverage stays 100%): the not_measured rule lists the index's
    KPIs only, as its sentence says each is 'counted as 0 in the index'."""
    data = sample_data("northwind-cloud")
    data.current["win_back_rate"] = None
    r = score(load_framework(), data)
    assert r["index"]["coverage"] == 1
    for f in r["executive_summary"]["findings"]:
        if f["rule"] == "not_measured":
            assert not ("Win-back" in f["text"] and "index" in f["text"]), f["text"]
