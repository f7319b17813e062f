"""Methodology version 2, rule by rule, against numbers computed by hand.

Every case here is a worked example in docs/methodology.md, with the same numbers. The
framework is a small one built inline (:func:`worked_raw`) so that each figure can be followed
with a pencil; the property test at the end also runs on the shipped default framework.
"""

from __future__ import annotations

import copy
import datetime as dt
import random
from typing import Any

import pytest

from assessment.core import format as fmt
from assessment.core.framework import (
    ELEMENTS,
    PRACTICE_QUESTIONNAIRES,
    Framework,
    load_framework,
    parse_framework,
)
from assessment.core.model import NA, IntakeData
from assessment.core.results import ResultsView
from assessment.core.scoring import (
    SCHEMA,
    check_profile,
    index_band,
    maturity_level,
    rag,
    score,
)

# --------------------------------------------------------------------------- the framework


def _kpi(kid: str, element: str, unit: str, direction: str, weight: float,
         **rest: Any) -> dict[str, Any]:
    spec = {"id": kid, "element": element, "name": kid.replace("_", " ").capitalize(),
            "definition": f"Definition of {kid}.", "unit": unit, "direction": direction,
            "weight": weight, **rest}
    spec.setdefault("recommendations", [f"Improve {kid}."])
    return spec


def _items(prefix: str, weights: list[float]) -> list[dict[str, Any]]:
    return [{"id": f"{prefix}{n}", "name": f"{prefix}{n}", "text": f"Statement {n}.",
             "weight": w, "recommendations": [f"Do {prefix}{n}."]}
            for n, w in enumerate(weights, start=1)]


EXTERNAL = ["external", "blended"]
ILLUSTRATIVE = "Illustrative figure for the worked example (not a published benchmark)"


def worked_raw(missing_kpi: str = "zero") -> dict[str, Any]:
    """The worked-example framework of docs/methodology.md (framework currency USD)."""
    return {
        "name": "Worked example", "version": "2.0",
        "settings": {
            "currency": "USD", "missing_kpi": missing_kpi,
            "segments": {"b2b_software": {"name": "B2B software support"},
                         "it_service_desk": {"name": "Internal IT service desk"}},
            "alignment_survey_average": 6.6,
            "alignment_survey_source": "HDI survey of 771 support professionals",
            "alignment_survey_year": 2014,
        },
        "levels": ["Critical", "Poor", "Weak", "Fair", "Strong"],
        "answer_scale": ["Not in place", "Ad hoc", "Defined", "Managed and measured",
                         "Optimized"],
        "kpis": [
            _kpi("margin", "profit", "percent", "higher", 2, target=0.6, floor=0.2,
                 applies_to=EXTERNAL),
            _kpi("cost_share", "profit", "percent", "lower", 1, target=0.05, floor=0.15),
            _kpi("csat", "reputation", "percent", "higher", 3, target=0.9, floor=0.6),
            _kpi("nps", "reputation", "score", "higher", 1, target=40, floor=-20),
            _kpi("cost_per_case", "efficiency", "currency", "lower", 2, target=25, floor=60,
                 benchmark={"range": [6, 40], "source": ILLUSTRATIVE, "currency": "USD"},
                 by_segment={"b2b_software": {
                     "target": 40, "floor": 120,
                     "benchmark": {"range": [45, 150], "source": ILLUSTRATIVE}}}),
            _kpi("cases_per_engineer", "efficiency", "count", "higher", 1, target=120,
                 floor=40),
            _kpi("utilization", "efficiency", "percent", "band", 1, band=[0.5, 0.6],
                 floor=[0.3, 0.85],
                 recommendations={"below": ["Fill idle time with knowledge work."],
                                  "above": ["Add capacity before quality drops."]},
                 by_segment={"b2b_software": {"band": [0.6, 0.7], "floor": [0.4, 0.9]}}),
            _kpi("fcr", "effectiveness", "percent", "higher", 3, target=0.8, floor=0.5),
            _kpi("ttr", "effectiveness", "hours", "lower", 1, target=8, floor=48),
            _kpi("contract_renewal_rate", "renewal", "percent", "higher", 2, target=0.9,
                 floor=0.7, applies_to=EXTERNAL),
            _kpi("recurring_revenue_rate", "renewal", "percent", "higher", 1, target=1.0,
                 floor=0.7, max=3, applies_to=EXTERNAL),
            _kpi("annual_price_uplift", "renewal", "percent", "higher", 1, target=0.05,
                 floor=0.0, applies_to=EXTERNAL),
        ],
        "questionnaires": {
            "renewal_practices": {"name": "Renewal practices", "items": _items("r", [1] * 4),
                                  "applies_to": EXTERNAL},
            "excellence_practices": {"name": "Excellence practices",
                                     "items": _items("x", [2, 1, 1, 1, 1])},
            "customer_expectations": {"name": "Customer expectations",
                                      "items": _items("d", [1, 1, 1])},
        },
        "relations": [
            {"id": "cost_per_case_check", "name": "Cost per case x assisted cases = support cost",
             "value": "kpi.cost_per_case",
             "equals": {"product": ["profile.support_cost"],
                        "divide": ["profile.assisted_cases"]},
             "tolerance": 0.15},
            {"id": "cases_per_engineer_check",
             "name": "Cases per engineer per month = assisted cases / headcount / 12",
             "value": "kpi.cases_per_engineer",
             "equals": {"product": ["profile.assisted_cases"],
                        "divide": ["profile.support_headcount"], "factor": 1 / 12},
             "tolerance": 0.35},
            {"id": "cost_share_check", "name": "Support cost / annual revenue = cost share",
             "value": "kpi.cost_share",
             "equals": {"product": ["profile.support_cost"],
                        "divide": ["profile.annual_revenue"]},
             "tolerance": 0.1},
        ],
    }


@pytest.fixture(scope="module")
def fw() -> Framework:
    return parse_framework(worked_raw())


@pytest.fixture(scope="module")
def fw_exclude() -> Framework:
    return parse_framework(worked_raw("exclude"))


def profile(**extra: Any) -> dict[str, Any]:
    base = {"organization": "Example Co", "industry": "Software", "support_model": "external",
            "currency": "USD", "assessment_date": dt.date(2026, 1, 15)}
    return {**base, **extra}


#: Scenario A of docs/methodology.md: two KPIs blank (nps and fcr).
SCENARIO_A: dict[str, float | None] = {
    "margin": 0.5, "cost_share": 0.06, "csat": 0.84, "nps": None, "cost_per_case": 32.0,
    "cases_per_engineer": 100.0, "utilization": 0.7, "fcr": None, "ttr": 18.0,
}


def run(framework: Framework, current: dict[str, float | None] | None = None,
        **kw: Any) -> dict[str, Any]:
    prof = profile(**kw.pop("profile", {}))
    return score(framework, IntakeData(profile=prof, current=dict(current or {}), **kw))


def kpi(results: dict[str, Any], kid: str) -> dict[str, Any]:
    return next(k for k in results["kpis"] if k["id"] == kid)


A = pytest.approx

# --------------------------------------------------------------------------- §3 missing data


def test_kpi_scores_of_scenario_a(fw: Framework) -> None:
    r = run(fw, SCENARIO_A)
    expected = {"margin": 75.0,            # (0.50 − 0.20) / (0.60 − 0.20)
                "cost_share": 90.0,        # (0.15 − 0.06) / (0.15 − 0.05)
                "csat": 80.0,              # (0.84 − 0.60) / (0.90 − 0.60)
                "cost_per_case": 80.0,     # (60 − 32) / (60 − 25)
                "cases_per_engineer": 75.0,  # (100 − 40) / (120 − 40)
                "utilization": 60.0,       # above the band: (0.85 − 0.70) / (0.85 − 0.60)
                "ttr": 75.0}               # (48 − 18) / (48 − 8)
    for kid, value in expected.items():
        assert kpi(r, kid)["score"] == A(value), kid
    for kid in ("nps", "fcr"):  # a missing KPI keeps score null and status no_data
        row = kpi(r, kid)
        assert row["score"] is None and row["status"] == "no_data" and row["applicable"]


def test_elements_and_index_under_zero(fw: Framework) -> None:
    r = run(fw, SCENARIO_A)
    el = r["elements"]
    # profit (2·75 + 1·90) / 3 = 80, all measured
    assert (el["profit"]["score"], el["profit"]["measured_score"]) == (A(80), A(80))
    # reputation: nps (weight 1) counts 0: (3·80 + 1·0) / 4 = 60; measured 80; coverage 3/4
    rep = el["reputation"]
    assert (rep["score"], rep["measured_score"], rep["coverage"]) == (A(60), A(80), A(0.75))
    assert rep["sufficient"] is True
    # efficiency (2·80 + 1·75 + 1·60) / 4 = 73.75
    assert el["efficiency"]["score"] == A(73.75)
    # effectiveness: fcr (weight 3) counts 0: (3·0 + 1·75) / 4 = 18.75; coverage 1/4
    eff = el["effectiveness"]
    assert (eff["score"], eff["measured_score"], eff["coverage"]) == (A(18.75), A(75), A(0.25))
    assert eff["sufficient"] is False  # flagged, but still scored and counted in the index
    assert any("Effectiveness: insufficient data" in w and "count as 0" in w
               for w in r["warnings"])
    index = r["index"]
    assert index["missing_kpi"] == "zero"
    assert index["score"] == A((80 + 60 + 73.75 + 18.75) / 4)          # 58.125
    assert index["measured_score"] == A((80 + 80 + 73.75 + 75) / 4)    # 77.1875
    assert index["coverage"] == A((1 + 0.75 + 1 + 0.25) / 4)           # 0.75
    assert index["sufficient"] is True and index["elements_scored"] == 4
    assert (index["level"], index["level_name"], index["rag"]) == (3, "Weak", "red")
    assert fmt.readings(index["score"], index["measured_score"], index["coverage"]) == (
        "58.1 (missing data counted as 0); 77.2 on the 75% of KPIs measured")


def test_elements_and_index_under_exclude(fw_exclude: Framework) -> None:
    r = run(fw_exclude, SCENARIO_A)
    el = r["elements"]
    assert el["reputation"]["score"] == A(80)             # over csat alone
    assert el["effectiveness"]["score"] is None           # coverage 25% < 50%
    assert el["effectiveness"]["measured_score"] == A(75)
    index = r["index"]
    assert index["missing_kpi"] == "exclude" and index["elements_scored"] == 3
    assert index["score"] == A((80 + 80 + 73.75) / 3)                  # 77.9167
    assert index["measured_score"] == A((80 + 80 + 73.75 + 75) / 4)    # 77.1875
    assert index["coverage"] == A(0.75)
    assert (index["level"], index["level_name"], index["rag"]) == (4, "Fair", "amber")


def test_both_readings_in_words(fw: Framework, fw_exclude: Framework) -> None:
    view = ResultsView.from_dict(run(fw, SCENARIO_A))
    assert view.readings("index") == (
        "58.1 (missing data counted as 0); 77.2 on the 75% of KPIs measured")
    assert view.readings("reputation") == (
        "60.0 (missing data counted as 0); 80.0 on the 75% of KPIs measured")
    assert view.readings("profit") == "80.0 (all KPIs measured)"


def test_readings_under_exclude_show_the_index_score(fw_exclude: Framework) -> None:
    """Under exclude the index (77.92, over the three elements scored) is not the measured
    index (77.19, which also averages in effectiveness's 75 on 25% coverage): the words must
    show the score the index is, as results.json holds it."""
    r = run(fw_exclude, SCENARIO_A)
    words = ResultsView.from_dict(r).readings("index")
    assert words.startswith(fmt.format_score(r["index"]["score"]) + " "), words  # "77.9 ..."


def test_exclude_lets_missing_data_raise_the_index_zero_never(fw: Framework,
                                                              fw_exclude: Framework) -> None:
    """Why v2 counts missing KPIs as 0: under exclude, blanking fcr (50) leaves
    effectiveness without enough data and the index rises from 72.50 to 77.92."""
    full = dict(SCENARIO_A, nps=None, fcr=0.65)  # fcr (0.65 − 0.5) / 0.3 = 50
    blank = dict(full, fcr=None)
    ex_full = run(fw_exclude, full)["index"]["score"]
    ex_blank = run(fw_exclude, blank)["index"]["score"]
    # effectiveness with fcr: (3·50 + 75) / 4 = 56.25; index (80 + 80 + 73.75 + 56.25) / 4
    assert ex_full == A(72.5)
    assert ex_blank == A(233.75 / 3) and ex_blank > ex_full
    assert run(fw, blank)["index"]["score"] < run(fw, full)["index"]["score"]


def test_points_at_stake_under_zero_include_missing_kpis(fw: Framework) -> None:
    r = run(fw, SCENARIO_A)
    # p = (W_e / ΣW_e) · (w_i / Σw_e,applicable) · (100 − s_i), s_i = 0 when missing
    expected = {"fcr": 0.25 * 3 / 4 * 100,            # 18.75, measure it
                "nps": 0.25 * 1 / 4 * 100,            # 6.25, measure it
                "margin": 0.25 * 2 / 3 * 25,          # 4.1667
                "csat": 0.25 * 3 / 4 * 20,            # 3.75
                "cost_per_case": 0.25 * 2 / 4 * 20,   # 2.5
                "utilization": 0.25 * 1 / 4 * 40,     # 2.5
                "cases_per_engineer": 0.25 * 1 / 4 * 25,  # 1.5625
                "ttr": 0.25 * 1 / 4 * 25,             # 1.5625
                "cost_share": 0.25 * 1 / 3 * 10}      # 0.8333
    for kid, value in expected.items():
        assert kpi(r, kid)["points_at_stake"] == A(value), kid
    gaps = r["gaps"]
    assert [g["id"] for g in gaps[:4]] == ["fcr", "nps", "margin", "csat"]
    assert [g["kind"] for g in gaps[:3]] == ["measure", "measure", "improve"]
    assert gaps[-1]["id"] == "cost_share"
    first = r["recommendations"][0]
    assert (first["id"], first["kind"], first["priority"]) == ("fcr", "measure", A(18.75))
    assert "Start measuring" in first["text"] and "counts as 0" in first["text"]
    # the stake is exactly what the index gains at target, missing KPIs included
    for kid, target in (("nps", 40.0), ("fcr", 0.8), ("csat", 0.9)):
        after = run(fw, dict(SCENARIO_A, **{kid: target}))["index"]["score"]
        assert after - r["index"]["score"] == A(expected[kid]), kid


def test_points_at_stake_under_exclude_keep_version_1(fw_exclude: Framework) -> None:
    r = run(fw_exclude, SCENARIO_A)
    # p = (W_e / ΣW_scored) · (w_i / Σw_e,with data) · (100 − s_i); three elements scored
    assert kpi(r, "csat")["points_at_stake"] == A((1 / 3) * (3 / 3) * 20)    # 6.6667
    assert kpi(r, "margin")["points_at_stake"] == A((1 / 3) * (2 / 3) * 25)  # 5.5556
    assert kpi(r, "nps")["points_at_stake"] is None
    assert kpi(r, "ttr")["points_at_stake"] is None  # its element is not scored
    assert all(g["kind"] == "improve" for g in r["gaps"])


# --------------------------------------------------------------------------- §4 questionnaires


def test_questionnaire_blanks_count_zero_and_level_is_anchored(fw: Framework) -> None:
    # weights 2, 1, 1, 1, 1; answers 3, 2, blank, n/a, 1
    answers = {"excellence_practices": {"x1": 3, "x2": 2, "x3": None, "x4": NA, "x5": 1}}
    q = run(fw, SCENARIO_A, answers=answers)["questionnaires"]["excellence_practices"]
    # zero: over x1, x2, x3, x5 (Σw = 5): 100 · (2·3 + 2 + 0 + 1) / (4 · 5) = 45
    assert q["score"] == A(45.0)
    # measured: over the answered x1, x2, x5 (Σw = 4): 100 · 9 / 16 = 56.25
    assert q["measured_score"] == A(56.25)
    assert q["coverage"] == A(4 / 5) and q["sufficient"] is True
    # average answer 9 / 5 = 1.8: level min(5, floor(45 / 25) + 1) = 2, named "Ad hoc"
    assert (q["level"], q["level_name"]) == (2, "Ad hoc")
    assert q["rag"] == "red"


def test_questionnaire_under_exclude_is_version_1(fw_exclude: Framework) -> None:
    answers = {"excellence_practices": {"x1": 3, "x2": 2, "x3": None, "x4": NA, "x5": 1}}
    q = run(fw_exclude, SCENARIO_A, answers=answers)["questionnaires"]["excellence_practices"]
    assert q["score"] == A(56.25) and (q["level"], q["level_name"]) == (3, "Defined")


def test_all_practice_answers_one_give_level_two(fw: Framework) -> None:
    answers = {qid: {i.id: 1 for i in fw.questionnaires[qid].items}
               for qid in PRACTICE_QUESTIONNAIRES}
    r = run(fw, SCENARIO_A, answers=answers)
    for qid in PRACTICE_QUESTIONNAIRES:
        q = r["questionnaires"][qid]
        assert q["score"] == A(25.0)  # 100 · 1 / 4
        assert (q["level"], q["level_name"]) == (2, "Ad hoc"), qid


@pytest.mark.parametrize(("q", "level"), [
    (0, 1), (24.99, 1), (25, 2), (42.5, 2), (49.99, 2), (50, 3), (74.99, 3), (75, 4),
    (99.99, 4), (100, 5),
])
def test_questionnaire_level_boundaries(q: float, level: int) -> None:
    assert maturity_level(q) == level


def test_questionnaire_level_ignores_floating_point_noise() -> None:
    # 0.33 / 0.55 · 100 is 60 by hand and 59.99999999999999 in binary; 75 likewise
    assert maturity_level(100 * 0.3 / 0.4) == 4
    assert maturity_level(74.99999999999999) == 4


def test_blank_questionnaire_counts_zero_with_a_warning(fw: Framework) -> None:
    r = run(fw, SCENARIO_A, answers={"excellence_practices": {"x1": 4}})
    q = r["questionnaires"]["excellence_practices"]
    # 100 · 2·4 / (4 · 6) = 33.33; coverage 2/6 below 50%
    assert q["score"] == A(100 * 8 / 24) and q["measured_score"] == A(100.0)
    assert q["sufficient"] is False and (q["level"], q["level_name"]) == (2, "Ad hoc")
    assert any("Excellence practices: only 33% answered" in w for w in r["warnings"])


# --------------------------------------------------------------------------- index bands


@pytest.mark.parametrize(("value", "band", "name", "colour"), [
    (0, 1, "Critical", "red"), (19.99, 1, "Critical", "red"), (20, 2, "Poor", "red"),
    (40, 3, "Weak", "red"), (59.99, 3, "Weak", "red"), (60, 4, "Fair", "amber"),
    (79.99, 4, "Fair", "amber"), (80, 5, "Strong", "green"), (100, 5, "Strong", "green"),
])
def test_index_band_names_never_sound_better_than_the_colour(value: float, band: int,
                                                             name: str, colour: str) -> None:
    levels = tuple(worked_raw()["levels"])
    assert index_band(value) == band
    assert levels[band - 1] == name and rag(value, 80) == colour


# --------------------------------------------------------------------------- band advice


@pytest.mark.parametrize(("value", "side", "text"), [
    (0.70, "above", "Add capacity before quality drops."),
    (0.40, "below", "Fill idle time with knowledge work."),
])
def test_band_kpi_recommends_only_its_side(fw: Framework, value: float, side: str,
                                           text: str) -> None:
    r = run(fw, dict(SCENARIO_A, utilization=value))
    recs = [x for x in r["recommendations"] if x["id"] == "utilization"]
    assert [(x["side"], x["text"]) for x in recs] == [(side, text)]


def test_band_kpi_inside_its_band_recommends_nothing(fw: Framework) -> None:
    r = run(fw, dict(SCENARIO_A, utilization=0.55))
    assert kpi(r, "utilization")["score"] == 100.0
    assert not [x for x in r["recommendations"] if x["id"] == "utilization"]


# --------------------------------------------------------------------------- applicability


def test_internal_desk_revenue_and_contract_kpis_not_applicable(fw: Framework) -> None:
    current = dict(SCENARIO_A, contract_renewal_rate=0.86)
    answers = {"renewal_practices": {"r1": 2}}
    r = run(fw, current, answers=answers, profile={"support_model": "internal"})
    for kid in ("margin", "contract_renewal_rate", "recurring_revenue_rate",
                "annual_price_uplift"):
        row = kpi(r, kid)
        assert row["status"] == "not_applicable" and row["applicable"] is False, kid
        assert row["score"] is None and row["points_at_stake"] is None, kid
    profit = r["elements"]["profit"]
    # profit is cost share alone: 90, coverage 1/1; margin is not a missing KPI
    assert (profit["score"], profit["coverage"]) == (A(90.0), 1.0)
    assert (profit["kpis"], profit["kpis_not_applicable"]) == (1, 1)
    assert r["index"]["score"] == A((90 + 60 + 73.75 + 18.75) / 4)     # 60.625
    listed = {g["id"] for g in r["gaps"]} | {x["id"] for x in r["recommendations"]}
    assert not listed & {"margin", "contract_renewal_rate", "recurring_revenue_rate",
                         "annual_price_uplift", "r1", "r2", "r3", "r4"}
    ren = r["renewal"]
    assert ren["applicable"] is False and ren["projection"] == [] and ren["health"] is None
    rp = r["questionnaires"]["renewal_practices"]
    assert rp["applicable"] is False and rp["score"] is None and rp["level"] is None
    assert any("does not apply to the internal support model" in w for w in r["warnings"])
    assert not any("Renewal health" in w for w in r["warnings"])


def test_renewal_kpis_that_do_not_apply_are_not_called_missing() -> None:
    """Renewal practices that apply to an internal desk, renewal KPIs that do not: health is the
    practices alone, and the warning must not call the KPI part 'missing' (methodology §1:
    shown as not applicable, never as missing)."""
    raw = worked_raw()
    raw["questionnaires"]["renewal_practices"].pop("applies_to")
    fw = parse_framework(raw)
    answers = {"renewal_practices": {f"r{n}": 2 for n in range(1, 5)}}
    r = run(fw, SCENARIO_A, answers=answers, profile={"support_model": "internal"})
    assert r["renewal"]["health"] == A(50.0)  # 100 · 2 / 4
    assert not any("missing" in w for w in r["warnings"] if "Renewal" in w), r["warnings"]


def test_not_applicable_warning_reads_right_for_every_model() -> None:
    raw = worked_raw()
    raw["kpis"][0]["applies_to"] = ["internal"]
    fw = parse_framework(raw)
    r = run(fw, SCENARIO_A, profile={"support_model": "blended"})
    warning = next(w for w in r["warnings"] if w.startswith("Margin does not apply"))
    assert "an blended" not in warning, warning


def test_element_without_an_applicable_kpi_leaves_the_index() -> None:
    raw = worked_raw()
    for spec in raw["kpis"]:
        if spec["element"] == "profit":
            spec["applies_to"] = EXTERNAL
    fw = parse_framework(raw)
    r = run(fw, SCENARIO_A, profile={"support_model": "internal"})
    profit = r["elements"]["profit"]
    assert profit["applicable"] is False and profit["score"] is None
    # the index over the three other elements: (60 + 73.75 + 18.75) / 3 = 50.8333
    assert r["index"]["score"] == A(152.5 / 3)
    assert r["index"]["coverage"] == A((0.75 + 1 + 0.25) / 3)
    # points at stake over the three: csat (1/3)·(3/4)·20 = 5
    assert kpi(r, "csat")["points_at_stake"] == A(5.0)


# --------------------------------------------------------------------------- currency


def test_fx_rate_converts_money_targets_floors_and_benchmark(fw: Framework) -> None:
    # EUR client at 0.9 EUR per USD: cost per case target 25 → 22.50, floor 60 → 54
    r = run(fw, dict(SCENARIO_A, cost_per_case=27.0),
            profile={"currency": "EUR", "fx_rate": 0.9})
    row = kpi(r, "cost_per_case")
    assert (row["target"], row["floor"]) == (A(22.5), A(54.0))
    assert row["framework_target"] == A(22.5) and row["target_basis"] == "framework"
    assert row["currency"] == "EUR"
    # (54 − 27) / (54 − 22.5) = 85.714, the same as USD 30 against the USD scale
    assert row["score"] == A(100 * 27 / 31.5)
    usd = kpi(run(fw, dict(SCENARIO_A, cost_per_case=30.0)), "cost_per_case")
    assert usd["score"] == A(row["score"])
    # non-money KPIs are untouched
    assert (kpi(r, "csat")["target"], kpi(r, "csat")["currency"]) == (0.9, None)
    bench = row["benchmark"]
    assert (bench["range"], bench["currency"]) == ([6, 40], "USD")
    assert bench["converted"]["range"] == [A(5.4), A(36.0)]
    assert bench["converted"]["currency"] == "EUR"
    assert r["organization"]["fx_rate"] == 0.9 and r["organization"]["currency"] == "EUR"
    assert r["framework"]["currency"] == "USD"
    assert fmt.benchmark_figure(bench, "currency", "EUR") == (
        "USD 6 to USD 40 (≈ EUR 5.40 to EUR 36)")


def test_yen_client_is_scored_on_a_converted_scale(fw: Framework) -> None:
    """The issue's example: JPY 3,100 a case at 150 JPY per USD is about USD 20.67, better
    than the USD 25 target; it used to score 0 against a floor of 60."""
    r = run(fw, dict(SCENARIO_A, cost_per_case=3100.0),
            profile={"currency": "JPY", "fx_rate": 150})
    row = kpi(r, "cost_per_case")
    assert (row["target"], row["floor"], row["score"]) == (A(3750), A(9000), 100.0)


def test_the_intake_target_is_the_clients_own_and_not_converted(fw: Framework) -> None:
    r = run(fw, dict(SCENARIO_A, cost_per_case=27.0), targets={"cost_per_case": 30.0},
            profile={"currency": "EUR", "fx_rate": 0.9})
    row = kpi(r, "cost_per_case")
    assert (row["target"], row["framework_target"], row["target_basis"]) == (
        30.0, A(22.5), "intake")
    assert row["score"] == A(100.0)  # 27 is below the client's own EUR 30 target


def test_foreign_currency_without_a_rate_is_refused(fw: Framework) -> None:
    prof = profile(currency="EUR")
    issues = check_profile(fw, prof)
    assert [i.path for i in issues] == ["fx_rate"]
    assert "EUR" in issues[0].message and "USD" in issues[0].message
    with pytest.raises(ValueError, match="no exchange rate"):
        score(fw, IntakeData(profile=prof, current=dict(SCENARIO_A)))
    assert check_profile(fw, profile(currency="EUR", fx_rate=0.9)) == []
    assert [i.path for i in check_profile(fw, profile(currency="EUR", fx_rate=-1))] == [
        "fx_rate"]


def test_benchmark_in_its_own_currency_is_never_relabelled() -> None:
    raw = worked_raw()
    cost = next(k for k in raw["kpis"] if k["id"] == "cost_per_case")
    cost["benchmark"] = {"value": 20, "source": ILLUSTRATIVE, "currency": "EUR", "year": 2024}
    fw = parse_framework(raw)
    # a GBP client: the EUR figure is shown as EUR, and not converted (no EUR rate is known)
    bench = kpi(run(fw, SCENARIO_A, profile={"currency": "GBP", "fx_rate": 0.8}),
                "cost_per_case")["benchmark"]
    assert (bench["value"], bench["currency"], bench["converted"]) == (20, "EUR", None)
    assert fmt.benchmark_figure(bench, "currency", "GBP") == "EUR 20"
    # a client in the framework currency: no conversion needed
    same = kpi(run(fw, SCENARIO_A), "cost_per_case")["benchmark"]
    assert same["converted"] is None


def test_a_percent_benchmark_is_never_converted() -> None:
    """A currency written on a non-money benchmark (a framework author's slip the loader
    accepts) must not turn CSAT's 82% into '73.8% EUR' at a rate of 0.9."""
    raw = worked_raw()
    csat = next(k for k in raw["kpis"] if k["id"] == "csat")
    csat["benchmark"] = {"value": 0.82, "source": ILLUSTRATIVE, "currency": "USD"}
    fw = parse_framework(raw)
    bench = kpi(run(fw, SCENARIO_A, profile={"currency": "EUR", "fx_rate": 0.9}),
                "csat")["benchmark"]
    assert bench["value"] == 0.82 and bench["converted"] is None, bench


# --------------------------------------------------------------------------- segments


def test_segment_picks_target_floor_and_benchmark(fw: Framework) -> None:
    r = run(fw, dict(SCENARIO_A, cost_per_case=104.0), profile={"segment": "b2b_software"})
    row = kpi(r, "cost_per_case")
    # (120 − 104) / (120 − 40) = 20; against the framework's 25/60 it would score 0
    assert (row["target"], row["floor"], row["score"]) == (40.0, 120.0, A(20.0))
    assert row["target_basis"] == "segment" and row["benchmark"]["range"] == [45, 150]
    assert r["organization"]["segment"] == "b2b_software"
    assert r["organization"]["segment_name"] == "B2B software support"
    assert kpi(run(fw, dict(SCENARIO_A, cost_per_case=104.0)), "cost_per_case")["score"] == 0


def test_segment_band_and_currency_together(fw: Framework) -> None:
    r = run(fw, dict(SCENARIO_A, cost_per_case=90.0),
            profile={"segment": "b2b_software", "currency": "EUR", "fx_rate": 0.9})
    row = kpi(r, "cost_per_case")
    # segment 40 / 120, times 0.9: 36 / 108; (108 − 90) / (108 − 36) = 25
    assert (row["target"], row["floor"], row["score"]) == (A(36), A(108), A(25.0))
    assert row["benchmark"]["converted"]["range"] == [A(40.5), A(135)]
    util = kpi(r, "utilization")  # segment band 60–70%: 70% is inside it
    assert (util["band"], util["score"], util["target_basis"]) == ([0.6, 0.7], 100.0, "segment")


def test_segment_without_values_uses_the_framework(fw: Framework) -> None:
    r = run(fw, SCENARIO_A, profile={"segment": "it_service_desk"})
    row = kpi(r, "cost_per_case")
    assert (row["target"], row["floor"], row["target_basis"]) == (25.0, 60.0, "framework")


def test_unknown_segment_is_refused(fw: Framework) -> None:
    assert [i.path for i in check_profile(fw, profile(segment="retail"))] == ["segment"]
    with pytest.raises(ValueError, match="unknown segment"):
        run(fw, SCENARIO_A, profile={"segment": "retail"})


# --------------------------------------------------------------------------- consistency


CELLS = {"kpi.cost_per_case": "KPIs!F14", "kpi.cases_per_engineer": "KPIs!F15",
         "kpi.cost_share": "KPIs!F6", "profile.support_cost": "Profile!C14",
         "profile.assisted_cases": "Profile!C15", "profile.support_headcount": "Profile!C16",
         "profile.annual_revenue": "Profile!C13"}


def check(results: dict[str, Any], rel: str) -> dict[str, Any]:
    return next(c for c in results["consistency"] if c["relation"] == rel)


def test_a_failing_relation_names_its_cells_and_implied_value(fw: Framework) -> None:
    volumes = {"support_cost": 13_000_000, "assisted_cases": 40_000, "support_headcount": 40,
               "annual_revenue": 200_000_000}
    r = run(fw, dict(SCENARIO_A, cases_per_engineer=120.0), cells=CELLS, profile=volumes)
    cpc = check(r, "cost_per_case_check")
    # 13,000,000 / 40,000 = 325 per case against 32 stated: |32 − 325| > 0.15 · 325
    assert cpc["cells"] == ["KPIs!F14", "Profile!C14", "Profile!C15"]
    assert (cpc["stated"], cpc["implied"], cpc["ok"]) == (32.0, A(325.0), False)
    assert cpc["derived"] is False and cpc["missing"] == []
    assert ("Consistency: Cost per case x assisted cases = support cost does not hold within "
            "15%: KPIs!F14 states USD 32, while Profile!C14, Profile!C15 imply USD 325."
            ) in r["warnings"]
    # 40,000 / 40 / 12 = 83.33 a month against 120: |120 − 83.33| = 36.67 > 0.35 · 83.33
    cpe = check(r, "cases_per_engineer_check")
    assert (cpe["implied"], cpe["ok"]) == (A(40_000 / 40 / 12), False)
    # 13,000,000 / 200,000,000 = 6.5% against 6%: |0.06 − 0.065| ≤ 0.1 · 0.065
    share = check(r, "cost_share_check")
    assert (share["implied"], share["ok"]) == (A(0.065), True)


def test_a_relation_without_its_data_is_not_checkable(fw: Framework) -> None:
    r = run(fw, SCENARIO_A)
    cpc = check(r, "cost_per_case_check")
    assert cpc["ok"] is None and cpc["implied"] is None
    assert cpc["missing"] == ["profile.support_cost", "profile.assisted_cases"]
    assert cpc["cells"] == ["KPIs: cost_per_case", "Profile: support_cost",
                            "Profile: assisted_cases"]


def test_a_blank_kpi_a_relation_determines_is_derived(fw: Framework) -> None:
    volumes = {"support_cost": 1_300_000, "assisted_cases": 40_000}
    r = run(fw, dict(SCENARIO_A, cost_per_case=None), cells=CELLS, profile=volumes)
    row = kpi(r, "cost_per_case")
    # 1,300,000 / 40,000 = 32.50; score (60 − 32.5) / (60 − 25) = 78.571
    assert row["current"] == A(32.5) and row["score"] == A(100 * 27.5 / 35)
    assert row["derived"] is True and row["derived_from"] == "cost_per_case_check"
    assert row["status"] == "off"
    cpc = check(r, "cost_per_case_check")
    assert (cpc["derived"], cpc["ok"], cpc["missing"]) == (True, None, [])
    assert any("KPIs!F14" in w and "derived as USD 32.50" in w for w in r["warnings"])
    assert fmt.value_text(row["current"], "currency", "USD", row["derived"]) == (
        "USD 32.50 (derived)")


def test_a_derived_value_feeds_a_later_relation() -> None:
    raw = worked_raw()
    raw["relations"].insert(1, {
        "id": "cases_from_cost", "name": "Cases per engineer from cost per case",
        "value": "kpi.cases_per_engineer",
        "equals": {"product": ["profile.support_cost"],
                   "divide": ["kpi.cost_per_case", "profile.support_headcount"],
                   "factor": 1 / 12},
        "tolerance": 0.2})
    fw = parse_framework(raw)
    volumes = {"support_cost": 1_300_000, "assisted_cases": 40_000, "support_headcount": 25}
    r = run(fw, dict(SCENARIO_A, cost_per_case=None, cases_per_engineer=None),
            profile=volumes)
    # cost per case 32.5 first, then 1,300,000 / 32.5 / 25 / 12 = 133.33
    assert kpi(r, "cost_per_case")["current"] == A(32.5)
    cases = kpi(r, "cases_per_engineer")
    assert cases["current"] == A(1_300_000 / 32.5 / 25 / 12)
    assert cases["derived_from"] == "cases_from_cost" and cases["score"] == 100.0
    # the third relation then finds the value already there and checks it
    later = check(r, "cases_per_engineer_check")
    assert later["stated"] == A(133.333333) and later["ok"] is True


def test_a_derived_value_outside_the_valid_range_is_not_derived(fw: Framework) -> None:
    volumes = {"support_cost": 1_300_000, "annual_revenue": 1_000_000}
    r = run(fw, dict(SCENARIO_A, cost_share=None), profile=volumes)
    row = kpi(r, "cost_share")
    assert row["current"] is None and row["derived"] is False and row["status"] == "no_data"
    share = check(r, "cost_share_check")
    assert (share["implied"], share["derived"], share["ok"]) == (A(1.3), False, None)
    assert any("130%, outside its valid range: not derived" in w for w in r["warnings"])


def test_relations_on_a_kpi_that_does_not_apply_are_left_out() -> None:
    raw = worked_raw()
    raw["relations"].append({
        "id": "margin_check", "name": "Margin", "value": "kpi.margin",
        "equals": {"product": ["profile.annual_revenue"], "divide": ["profile.support_cost"]},
        "tolerance": 0.1})
    fw = parse_framework(raw)
    internal = run(fw, SCENARIO_A, profile={"support_model": "internal"})
    assert "margin_check" not in {c["relation"] for c in internal["consistency"]}
    assert "margin_check" in {c["relation"] for c in run(fw, SCENARIO_A)["consistency"]}


# --------------------------------------------------------------------------- §5 value curve


def test_value_curve_uses_the_recurring_revenue_rate(fw: Framework) -> None:
    renewal = {"contract_renewal_rate": 0.86, "recurring_revenue_rate": 1.04,
               "annual_price_uplift": 0.035}
    ren = run(fw, dict(SCENARIO_A, **renewal))["renewal"]
    assert ren["value_basis"] == "recurring_revenue_rate"
    assert ren["recurring_revenue_rate"] == 1.04
    year5 = ren["projection"][4]
    assert year5["client"] == A(0.86 ** 4)            # 54.70%
    assert year5["industry"] == A(0.824 ** 4)         # 46.10%
    assert year5["target"] == A(0.9 ** 4)             # 65.61%
    assert year5["client_value"] == A(1.04 ** 4)      # 116.99%, not (0.86·1.035)^4 = 62.77%
    assert [p["client_value"] for p in ren["projection"]] == [A(1.04 ** k) for k in range(5)]


def test_value_curve_without_r_uses_renewal_rate_and_uplift(fw: Framework) -> None:
    ren = run(fw, dict(SCENARIO_A, contract_renewal_rate=0.86,
                       annual_price_uplift=0.035))["renewal"]
    assert ren["value_basis"] == "renewal_rate_uplift"
    assert ren["projection"][4]["client_value"] == A((0.86 * 1.035) ** 4)  # 62.77%
    none = run(fw, dict(SCENARIO_A, contract_renewal_rate=0.86))["renewal"]
    assert none["value_basis"] is None and none["projection"][4]["client_value"] is None


# --------------------------------------------------------------------------- §6 alignment


def test_self_rated_alignment_is_echoed_beside_the_computed_measure(fw: Framework) -> None:
    ratings = {"d1": {"importance": 5, "performance": 3, "priority": 3},
               "d2": {"importance": 4, "performance": 4, "priority": 4},
               "d3": {"importance": 3, "performance": 4, "priority": 5}}
    exp = run(fw, SCENARIO_A, ratings=ratings,
              profile={"self_rated_alignment": 7})["expectations"]
    # computed A = 10 · (1 − (2 + 0 + 2) / (4 · 3)) = 6.667, this toolkit's own measure
    assert exp["alignment"] == A(20 / 3)
    assert exp["self_rated_alignment"] == 7
    assert (exp["survey_average"], exp["survey_year"]) == (6.6, 2014)
    assert exp["survey_source"] == "HDI survey of 771 support professionals"
    issues = check_profile(fw, profile(self_rated_alignment=11))
    assert [i.path for i in issues] == ["self_rated_alignment"]


# --------------------------------------------------------------------------- results@2 shape


def test_results_at_2_carry_the_v2_keys(fw: Framework) -> None:
    r = run(fw, SCENARIO_A, profile={"segment": "b2b_software"})
    assert r["schema"] == SCHEMA == "support-excellence/results@2"
    settings = r["framework"]["settings"]
    assert settings["missing_kpi"] == "zero" and settings["currency"] == "USD"
    assert settings["segments"] == {"b2b_software": "B2B software support",
                                    "it_service_desk": "Internal IT service desk"}
    assert r["framework"]["answer_scale"][1] == "Ad hoc"
    for part in (r["index"], *r["elements"].values(),
                 r["questionnaires"]["excellence_practices"]):
        assert {"measured_score", "sufficient"} <= set(part)
    for row in r["kpis"]:
        assert {"applicable", "derived", "target_basis", "currency"} <= set(row)
    assert set(r["organization"]) >= {"segment", "segment_name", "fx_rate"}
    assert all({"relation", "cells", "implied", "stated", "ok"} <= set(c)
               for c in r["consistency"])
    assert all("client_value" in p for p in r["renewal"]["projection"])


# --------------------------------------------------------------------------- property


def _random_intake(rng: random.Random, framework: Framework) -> IntakeData:
    """An intake with every KPI drawn across and beyond its scale, about 20% left blank."""
    current: dict[str, float | None] = {}
    for k in framework.kpis:
        if rng.random() < 0.2:
            current[k.id] = None
            continue
        if k.direction == "band":
            lo, hi = k.floor[0], k.floor[1]
        else:
            lo, hi = sorted((k.target, k.floor))
        span = hi - lo
        value = rng.uniform(lo - 0.3 * span, hi + 0.3 * span)
        vlo, vhi = framework.valid_range(k)
        if vlo is not None:
            value = max(vlo, value)
        if vhi is not None:
            value = min(vhi, value)
        current[k.id] = value
    answers = {qid: {i.id: rng.choice([None, NA, 0, 1, 2, 3, 4])
                     for i in framework.questionnaires[qid].items}
               for qid in PRACTICE_QUESTIONNAIRES}
    segments = [None, *framework.settings.segments]
    return IntakeData(
        profile=profile(support_model=rng.choice(["internal", "external", "blended"]),
                        segment=rng.choice(segments)),
        current=current, answers=answers)


def _blanked(data: IntakeData, current: dict[str, None] | None = None,
             answers: tuple[str, str] | None = None) -> IntakeData:
    """A copy of ``data`` with KPIs in ``current`` blanked, or one ``(questionnaire, item)``."""
    out = copy.deepcopy(data)
    out.current.update(current or {})
    if answers:
        out.answers[answers[0]][answers[1]] = None
    return out


@pytest.mark.parametrize("which", ["worked", "default"])
def test_blanking_never_raises_a_score(fw: Framework, which: str) -> None:
    """Property (seeded, 300 random intakes): blanking one KPI, one practice answer or a whole
    element never raises ``index.score`` under ``zero`` (nor the element's score, a
    questionnaire's score or renewal health)."""
    framework = fw if which == "worked" else load_framework()
    assert framework.settings.missing_kpi == "zero"
    rng = random.Random(20260115)
    eps = 1e-9
    for _ in range(300):
        data = _random_intake(rng, framework)
        base = score(framework, data)
        filled = [k for k, v in data.current.items() if v is not None]
        for kid in rng.sample(filled, min(3, len(filled))):
            after = score(framework, _blanked(data, current={kid: None}))
            element = framework.kpi(kid).element
            assert after["index"]["score"] <= base["index"]["score"] + eps, kid
            if element in ELEMENTS and base["elements"][element]["score"] is not None:
                assert (after["elements"][element]["score"]
                        <= base["elements"][element]["score"] + eps), kid
            if base["renewal"]["health"] is not None:
                assert after["renewal"]["health"] <= base["renewal"]["health"] + eps, kid
        for element in ELEMENTS:
            ids = {k.id: None for k in framework.kpis_of(element)}
            after = score(framework, _blanked(data, current=ids))
            assert after["index"]["score"] <= base["index"]["score"] + eps, element
        for qid in PRACTICE_QUESTIONNAIRES:
            answered = [i for i, a in data.answers[qid].items() if a not in (None, NA)]
            if not answered:
                continue
            item = rng.choice(answered)
            after = score(framework, _blanked(data, answers=(qid, item)))
            assert after["index"]["score"] == base["index"]["score"]
            before_q = base["questionnaires"][qid]["score"]
            if before_q is not None:
                assert after["questionnaires"][qid]["score"] <= before_q + eps, item
            if base["renewal"]["health"] is not None:
                assert after["renewal"]["health"] <= base["renewal"]["health"] + eps, item


# --------------------------------------------------------------------------- Northwind


def test_northwind_worked_example_of_the_docs() -> None:
    """docs/methodology.md, 'Worked example: Northwind Cloud Software', number by number."""
    from assessment.intake.samples import sample_data

    r = score(load_framework(), sample_data("northwind-cloud"))
    assert (r["organization"]["segment"], r["organization"]["currency"]) == (
        "b2b_software", "USD")
    el = {k: v["score"] for k, v in r["elements"].items()}
    assert el["reputation"] == A((1.5 * 96 + 82 + 80 + 1.5 * 100 * 0.19 / 0.22
                                  + 100 * 0.14 / 0.15) / 6)                       # 88.15
    assert kpi(r, "cost_per_case")["score"] == A(100 * 146 / 175)                # 83.43
    assert el["efficiency"] == A((100 * 146 / 175 + 100 * 58 / 90 + 55 + 100
                                  + 1.25 * 100 * 5.4 / 7 + 76) / 6.25)            # 76.05
    assert (round(el["profit"], 2), round(el["effectiveness"], 2)) == (48.00, 98.55)
    index = r["index"]
    assert round(index["score"], 2) == 77.69 and index["measured_score"] == index["score"]
    assert (index["level"], index["level_name"], index["rag"]) == (4, "Fair", "amber")
    assert kpi(r, "support_gross_margin")["points_at_stake"] == A(0.25 * (1.5 / 4.5) * 60)
    assert r["gaps"][0]["id"] == "support_gross_margin"
    assert kpi(r, "customer_retention_rate")["points_at_stake"] == A(
        0.25 * (1.5 / 6) * (100 - 100 * 0.19 / 0.22))                               # 0.85
    ren = r["renewal"]
    assert round(ren["kpi_score"], 2) == 68.50 and ren["practices_score"] == A(
        100 * 22.5 / (4 * 13.5))
    q = r["questionnaires"]["renewal_practices"]
    assert (q["level"], q["level_name"]) == (2, "Ad hoc")
    assert round(ren["health"], 2) == 55.09
    year5 = ren["projection"][4]
    assert (round(year5["client"], 3), round(year5["industry"], 3),
            round(year5["target"], 3)) == (0.547, 0.461, 0.656)
    assert year5["client_value"] == A(1.04 ** 4) and ren["value_basis"] == (
        "recurring_revenue_rate")
    implied = {c["relation"]: (c["implied"], c["ok"]) for c in r["consistency"]}
    assert implied["cost_per_case_check"] == (A(4_420_000 / 42_300), True)
    assert implied["cases_per_engineer_check"] == (A(42_300 / 38 / 12), True)
    assert implied["support_cost_share_check"] == (A(4_420_000 / 48_000_000), True)
    assert implied["support_demand_check"] == (A(42_300 / 9_200), True)
    exp = r["expectations"]
    assert exp["alignment"] == A(10 * (1 - 8.5 / 36)) and exp["self_rated_alignment"] == 7
    assert {d["id"] for d in exp["dimensions"] if d["quadrant"] == "concentrate_here"} == {
        "availability", "product_quality", "self_help"}
