"""The scoring engine against hand-computed cases (methodology §2–§6) and properties.

The framework here leaves ``missing_kpi`` at its version 2 default, ``zero``; tests of the
version 1 rule build it with ``exclude`` (:func:`fw_rule`). The v2 rules one by one, with the
numbers of docs/methodology.md, are in test_methodology_v2.py.
"""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessment.core.framework import parse_framework
from assessment.core.model import NA, IntakeData
from assessment.core.scoring import (
    alignment,
    index_band,
    kpi_score,
    kpi_status,
    maturity_level,
    quadrant,
    questionnaire_score,
    retention_curve,
    score,
)

PROFILE = {"organization": "Test Org", "industry": "Software", "support_model": "external",
           "currency": "USD", "assessment_date": dt.date(2026, 11, 1)}


def _kpi(kid, element, direction="higher", target=100.0, floor=0.0, weight=1.0, **extra):
    spec = {"id": kid, "element": element, "name": kid.title(), "definition": "d",
            "unit": "count", "direction": direction, "weight": weight,
            "recommendations": [f"improve {kid}"], **extra}
    if direction == "band":
        spec.update(band=extra.get("band", [50, 60]), floor=extra.get("floor", [30, 85]))
    else:
        spec.update(target=target, floor=floor)
    return spec


def _items(prefix, n, weights=None):
    weights = weights or [1.0] * n
    return [{"id": f"{prefix}{i}", "name": f"{prefix}{i}", "text": "t", "weight": w,
             "recommendations": [f"do {prefix}{i}"]} for i, w in enumerate(weights)]


def raw_framework():
    """Two KPIs per element (weights 1 and 3), two renewal KPIs, small questionnaires."""
    kpis = []
    for e in ("profit", "reputation", "efficiency", "effectiveness"):
        kpis += [_kpi(f"{e}_a", e, weight=1), _kpi(f"{e}_b", e, weight=3)]
    kpis += [_kpi("contract_renewal_rate", "renewal", target=0.9, floor=0.7, unit="percent"),
             _kpi("annual_price_uplift", "renewal", target=0.05, floor=0.0, unit="percent")]
    return {
        "name": "Test framework", "version": "t1",
        "levels": ["L1", "L2", "L3", "L4", "L5"],
        "answer_scale": ["a0", "a1", "a2", "a3", "a4"],
        "kpis": kpis,
        "questionnaires": {
            "renewal_practices": {"name": "Renewal", "items": _items("r", 4, [1, 1, 2, 4])},
            "excellence_practices": {"name": "Excellence", "items": _items("x", 4)},
            "customer_expectations": {"name": "Expectations", "items": _items("d", 4)},
        },
    }


@pytest.fixture
def fw():
    return parse_framework(raw_framework())


def fw_rule(rule, **settings):
    """The test framework with ``settings.missing_kpi = rule`` (and other settings)."""
    raw = raw_framework()
    raw["settings"] = {"missing_kpi": rule, **settings}
    return parse_framework(raw)


def intake(current=None, **kw):
    return IntakeData(profile=dict(PROFILE), current=current or {}, **kw)


def full_current(value=50.0):
    return {f"{e}_{s}": value for e in ("profit", "reputation", "efficiency", "effectiveness")
            for s in "ab"}


# --------------------------------------------------------------------------- §2 KPI score


@pytest.mark.parametrize(("direction", "c", "t", "f", "expected"), [
    ("higher", 0.75, 0.85, 0.60, 60.0),       # (0.75-0.60)/(0.85-0.60)
    ("higher", 0.90, 0.85, 0.60, 100.0),      # clamped at 100
    ("higher", 0.50, 0.85, 0.60, 0.0),        # clamped at 0
    ("lower", 40.0, 24.0, 120.0, 83.33333333333334),  # (120-40)/(120-24)
    ("lower", 10.0, 24.0, 120.0, 100.0),
    ("lower", 200.0, 24.0, 120.0, 0.0),
    ("higher", -10.0, 40.0, -20.0, 16.666666666666664),  # NPS: (−10+20)/(40+20)
])
def test_kpi_score_directions(direction, c, t, f, expected):
    assert kpi_score(direction, c, t, f) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(("c", "expected"), [
    (0.55, 100.0), (0.50, 100.0), (0.60, 100.0),
    (0.40, 50.0),        # below: (0.40-0.30)/(0.50-0.30)
    (0.30, 0.0), (0.10, 0.0),
    (0.70, 60.0),        # above: (0.85-0.70)/(0.85-0.60)
    (0.85, 0.0), (0.95, 0.0),
])
def test_band_both_sides(c, expected):
    assert kpi_score("band", c, None, (0.30, 0.85), (0.50, 0.60)) == pytest.approx(expected)


def test_thresholds_ignore_floating_point_noise():
    # by hand (0.74 − 0.50) / (0.80 − 0.50) = 0.8 exactly; in binary it is 0.7999999999999999
    s = kpi_score("higher", 0.74, 0.80, 0.50)
    assert s == pytest.approx(80.0) and kpi_status(s, 80) == "near"
    q = kpi_score("higher", 0.3, 0.4, 0.0)  # 75 by hand, 74.99999999999999 in binary
    assert q == pytest.approx(75.0) and maturity_level(q) == 4
    i = kpi_score("higher", 0.6, 1.0, 0.0)  # 60 by hand, 59.99999999999999 in binary
    assert i == pytest.approx(60.0) and index_band(i) == 4


def test_status_thresholds():
    assert kpi_status(100.0, 80) == "met"
    assert kpi_status(80.0, 80) == "near"
    assert kpi_status(79.99, 80) == "off"
    assert kpi_status(None, 80) == "no_data"


# --------------------------------------------------------------------------- §3 elements, index


def _mixed():
    cur = full_current(100.0)
    cur["profit_a"] = 20.0            # profit: (1·20 + 3·100)/4 = 80
    cur["reputation_b"] = None        # reputation: only a (weight 1) -> coverage 0.25 < 0.5
    cur["efficiency_a"] = 0.0         # efficiency: (0 + 300)/4 = 75
    return cur


def test_element_score_coverage_and_index(fw):
    r = score(fw, intake(_mixed()))
    assert r["elements"]["profit"]["score"] == pytest.approx(80.0)
    assert r["elements"]["profit"]["coverage"] == 1.0
    rep = r["elements"]["reputation"]
    # zero: reputation_b (weight 3) counts 0: (1·100 + 3·0)/4 = 25, still in the index
    assert rep["score"] == pytest.approx(25.0) and rep["measured_score"] == 100.0
    assert rep["coverage"] == 0.25 and rep["sufficient"] is False
    assert any("Reputation: insufficient data" in w for w in r["warnings"])
    # (80 + 25 + 75 + 100) / 4; coverage (1 + 0.25 + 1 + 1) / 4
    assert r["index"]["score"] == pytest.approx(70.0)
    assert r["index"]["measured_score"] == pytest.approx((80 + 100 + 75 + 100) / 4)
    assert r["index"]["coverage"] == pytest.approx(0.8125)
    assert r["index"]["elements_scored"] == 4


def test_element_score_coverage_and_index_under_exclude():
    r = score(fw_rule("exclude"), intake(_mixed()))
    assert r["elements"]["reputation"]["score"] is None
    assert r["elements"]["reputation"]["coverage"] == 0.25
    assert any("Reputation: insufficient data" in w and "not scored" in w
               for w in r["warnings"])
    # 3 elements scored: (80 + 75 + 100) / 3; coverage stays weighted by element coverage
    assert r["index"]["score"] == pytest.approx(85.0)
    assert r["index"]["coverage"] == pytest.approx(0.8125)
    assert r["index"]["elements_scored"] == 3


def test_index_needs_three_elements_under_exclude(fw):
    cur = full_current(100.0)
    cur.update(reputation_a=None, reputation_b=None, efficiency_a=None, efficiency_b=None)
    r = score(fw_rule("exclude"), intake(cur))
    assert r["index"]["score"] is None
    assert r["index"]["coverage"] == 0.5
    assert any("only 2 of 4" in w for w in r["warnings"])
    # zero: the two blank elements score 0 and the index is (100 + 0 + 0 + 100) / 4
    zero = score(fw, intake(cur))["index"]
    assert zero["score"] == pytest.approx(50.0) and zero["measured_score"] == 100.0
    assert zero["sufficient"] is True and zero["level_name"] == "L3"


def test_element_weights_in_index():
    raw = raw_framework()
    raw["settings"] = {"element_weights": {"profit": 2}}
    fw = parse_framework(raw)
    cur = full_current(100.0)
    cur.update(profit_a=0.0, profit_b=0.0)  # profit 0, others 100
    r = score(fw, intake(cur))
    assert r["index"]["score"] == pytest.approx(300 / 5)


def test_min_coverage_boundary_is_inclusive(fw):
    cur = full_current(100.0)
    cur["profit_a"] = None  # coverage 3/4 = 0.75: still sufficient
    profit = score(fw_rule("zero", min_coverage=0.75), intake(cur))["elements"]["profit"]
    assert profit["sufficient"] is True and profit["score"] == pytest.approx(75.0)
    excluded = score(fw_rule("exclude", min_coverage=0.75), intake(cur))
    assert excluded["elements"]["profit"]["score"] == 100.0


def test_points_at_stake_equal_true_index_gain(fw):
    cur = full_current(50.0)
    cur["profit_a"] = 10.0
    cur["reputation_a"] = None  # reputation covered only by b (weight 3): coverage .75
    before = score(fw, intake(cur))
    for kid in ("profit_a", "profit_b", "reputation_b", "effectiveness_a"):
        p = next(k for k in before["kpis"] if k["id"] == kid)["points_at_stake"]
        at_target = dict(cur, **{kid: 100.0})
        after = score(fw, intake(at_target))
        assert p == pytest.approx(after["index"]["score"] - before["index"]["score"])
    # hand-computed: profit_a: (1/4)·(1/4)·(100−10) = 5.625
    pa = next(k for k in before["kpis"] if k["id"] == "profit_a")
    assert pa["points_at_stake"] == pytest.approx(5.625)
    assert before["gaps"][0]["id"] in {"profit_b", "reputation_b", "efficiency_b",
                                       "effectiveness_b"}
    # zero: the missing KPI has its full stake (1/4)·(1/4)·100 = 6.25, to be measured
    missing = next(k for k in before["kpis"] if k["id"] == "reputation_a")
    assert missing["points_at_stake"] == pytest.approx(6.25)
    assert missing["status"] == "no_data" and missing["score"] is None
    gap = next(g for g in before["gaps"] if g["id"] == "reputation_a")
    assert gap["kind"] == "measure"
    after = score(fw, intake(dict(cur, reputation_a=100.0)))
    assert after["index"]["score"] - before["index"]["score"] == pytest.approx(6.25)


def test_points_at_stake_under_exclude_equal_true_index_gain():
    fw = fw_rule("exclude")
    cur = full_current(50.0)
    cur["profit_a"] = 10.0
    cur["reputation_a"] = None  # reputation covered only by b (weight 3): coverage .75
    before = score(fw, intake(cur))
    for kid in ("profit_a", "profit_b", "reputation_b", "effectiveness_a"):
        p = next(k for k in before["kpis"] if k["id"] == kid)["points_at_stake"]
        after = score(fw, intake(dict(cur, **{kid: 100.0})))
        assert p == pytest.approx(after["index"]["score"] - before["index"]["score"])
    missing = next(k for k in before["kpis"] if k["id"] == "reputation_a")
    assert missing["points_at_stake"] is None and missing["status"] == "no_data"


def test_gaps_and_recommendations_ranked_by_points(fw):
    cur = full_current(100.0)
    # p: profit_a 1/4·1/4·100 = 6.25; efficiency_b 1/4·3/4·50 = 9.375
    cur.update(profit_a=0.0, efficiency_b=50.0)
    r = score(fw, intake(cur))
    assert [g["id"] for g in r["gaps"]] == ["efficiency_b", "profit_a"]
    kpi_recs = [x for x in r["recommendations"]
                if x["source"] == "kpi" and x["area"] != "renewal"]
    assert [x["id"] for x in kpi_recs] == ["efficiency_b", "profit_a"]
    assert kpi_recs[0]["priority"] == pytest.approx(9.375)
    assert [x["rank"] for x in r["recommendations"]] == list(
        range(1, len(r["recommendations"]) + 1))


def test_target_override_from_intake(fw):
    cur = full_current(100.0)
    cur["profit_a"] = 60.0
    r = score(fw, intake(cur, targets={"profit_a": 80.0}))
    row = next(k for k in r["kpis"] if k["id"] == "profit_a")
    assert row["target"] == 80.0 and row["framework_target"] == 100.0
    assert row["target_overridden"] is True
    assert row["score"] == pytest.approx(75.0)  # (60−0)/(80−0)
    assert row["status"] == "off"


# --------------------------------------------------------------------------- §4 questionnaires


def test_questionnaire_na_and_levels():
    # weights 1,1,2,4; answers 4, n/a, 2, blank
    items = [(1.0, 4), (1.0, NA), (2.0, 2), (4.0, None)]
    # exclude (version 1): over the answered items, Q = 100·(4+4)/(4·3) = 66.67
    q, coverage = questionnaire_score(items, 0.0, "exclude")
    assert q == pytest.approx(200 / 3)
    assert coverage == pytest.approx(3 / 7)  # n/a leaves the base; blank counts against
    assert questionnaire_score(items, 0.5, "exclude") == (None, pytest.approx(3 / 7))
    # zero: the blank counts 0 over all but the n/a item: 100·8/(4·7) = 28.57, even below
    # the minimum coverage (flagged insufficient, still scored)
    assert questionnaire_score(items, 0.5, "zero") == (pytest.approx(800 / 28),
                                                       pytest.approx(3 / 7))
    # anchored to the answer scale: min(5, floor(Q/25) + 1)
    assert [maturity_level(x) for x in (0, 24.99, 25, 49.9, 50, 74.9, 75, 99.9, 100)] == [
        1, 1, 2, 2, 3, 3, 4, 4, 5]
    assert maturity_level(None) is None


def test_practice_recommendations_from_low_answers(fw):
    answers = {"renewal_practices": {"r0": 1, "r1": 0, "r2": 4, "r3": 1}}
    r = score(fw, intake(full_current(), answers=answers))
    q = r["questionnaires"]["renewal_practices"]
    # Q = 100·(1 + 0 + 8 + 4)/(4·8) = 40.625 -> level floor(40.625/25) + 1 = 2, "a1"
    assert q["score"] == pytest.approx(40.625) and q["level"] == 2 and q["level_name"] == "a1"
    recs = [x for x in r["recommendations"] if x["source"] == "practice"]
    # priorities w·(4−a): r3 4·3=12, r1 1·4=4, r0 1·3=3; r2 (answered 4) excluded
    assert [(x["id"], x["priority"]) for x in recs] == [("r3", 12.0), ("r1", 4.0), ("r0", 3.0)]


def test_na_answer_serializes_null(fw):
    r = score(fw, intake(answers={"excellence_practices": {"x0": NA, "x1": 3}}))
    items = r["questionnaires"]["excellence_practices"]["items"]
    assert items[0]["answer"] is None and items[0]["na"] is True
    assert items[1]["answer"] == 3 and items[2]["answer"] is None and items[2]["na"] is False


# --------------------------------------------------------------------------- renewal


def test_renewal_projection_industry_461_percent(fw):
    r = score(fw, intake({"contract_renewal_rate": 0.824, "annual_price_uplift": 0.05}))
    proj = r["renewal"]["projection"]
    assert [p["year"] for p in proj] == [1, 2, 3, 4, 5]
    assert round(proj[4]["industry"], 3) == 0.461
    assert proj[4]["client"] == pytest.approx(0.824 ** 4)
    assert proj[4]["target"] == pytest.approx(0.9 ** 4)
    assert proj[4]["client_value"] == pytest.approx((0.824 * 1.05) ** 4)
    assert proj[0] == {"year": 1, "client": 1.0, "industry": 1.0, "target": 1.0,
                       "client_value": 1.0}


def test_renewal_curve_function():
    assert retention_curve(0.824)[4] == pytest.approx(0.461, abs=5e-4)
    assert retention_curve(None) == [None] * 5


def test_renewal_health_blend_and_fallback(fw):
    # renewal KPIs: rate 0.8 -> 50, uplift 0.05 -> 100: KPI score 75
    cur = {"contract_renewal_rate": 0.8, "annual_price_uplift": 0.05}
    answers = {"renewal_practices": {"r0": 2, "r1": 2, "r2": 2, "r3": 2}}  # 50
    r = score(fw, intake(cur, answers=answers))
    assert r["renewal"]["kpi_score"] == pytest.approx(75.0)
    assert r["renewal"]["practices_score"] == pytest.approx(50.0)
    assert r["renewal"]["health"] == pytest.approx(62.5)
    # zero: unanswered practices count 0, so health is 0.5·75 + 0.5·0
    no_answers = score(fw, intake(cur))
    assert no_answers["renewal"]["practices_score"] == 0.0
    assert no_answers["renewal"]["health"] == pytest.approx(37.5)
    # exclude: the practices are not scored and health is the KPI part alone, with a warning
    only_kpis = score(fw_rule("exclude"), intake(cur))
    assert only_kpis["renewal"]["health"] == pytest.approx(75.0)
    assert any("renewal KPIs score alone" in w for w in only_kpis["warnings"])


# --------------------------------------------------------------------------- §6 expectations


def test_alignment_hand_computed():
    # |5−3| + |4−4| + |2−5| = 5 over n=3: 10·(1 − 5/12) = 5.8333
    assert alignment([(5, 3), (4, 4), (2, 5), (None, 2)]) == pytest.approx(70 / 12)
    assert alignment([(3, 3)]) == 10.0
    assert alignment([(None, 3)]) is None


@pytest.mark.parametrize(("i", "p", "expected"), [
    (4.0, 4.0, "keep_up"), (3.5, 3.5, "keep_up"),
    (4.5, 2.0, "concentrate_here"),
    (2.0, 4.0, "possible_overkill"),
    (2.0, 2.0, "low_priority"),
    (None, 3.0, None),
])
def test_all_four_quadrants(i, p, expected):
    assert quadrant(i, p, 3.5) == expected


def test_expectations_in_results(fw):
    ratings = {"d0": {"importance": 5, "performance": 2, "priority": 3},
               "d1": {"importance": 2, "performance": 5, "priority": 2}}
    r = score(fw, intake(ratings=ratings))
    dims = {d["id"]: d for d in r["expectations"]["dimensions"]}
    assert dims["d0"]["gap"] == 3 and dims["d0"]["quadrant"] == "concentrate_here"
    assert dims["d1"]["quadrant"] == "possible_overkill"
    assert r["expectations"]["alignment"] == pytest.approx(10 * (1 - 2 / 8))
    assert r["expectations"]["survey_average"] == 6.6
    recs = [x for x in r["recommendations"] if x["source"] == "expectation"]
    assert [x["id"] for x in recs] == ["d0"]


# --------------------------------------------------------------------------- §8 shape


def test_results_keys_match_contract(fw):
    r = score(fw, intake(full_current()))
    assert r["schema"] == "support-excellence/results@2"
    for key in ("organization", "framework", "index", "elements", "kpis", "renewal",
                "questionnaires", "expectations", "recommendations", "warnings"):
        assert key in r
    assert r["organization"]["name"] == "Test Org"
    assert r["organization"]["assessment_date"] == "2026-11-01"
    assert set(r["elements"]) == {"profit", "reputation", "efficiency", "effectiveness"}
    kpi_keys = {"id", "element", "unit", "direction", "current", "target", "floor", "band",
                "weight", "score", "status", "points_at_stake", "benchmark", "applicable",
                "derived"}
    assert r["framework"]["settings"]["missing_kpi"] == "zero"
    assert r["framework"]["currency"] == "USD"
    assert {"segment", "fx_rate"} <= set(r["organization"])
    for part in (r["index"], *r["elements"].values(), *r["questionnaires"].values()):
        assert {"measured_score", "sufficient"} <= set(part)
    assert isinstance(r["consistency"], list)
    assert all(kpi_keys <= set(k) for k in r["kpis"])
    assert len(r["renewal"]["projection"]) == 5
    assert all("client_value" in p for p in r["renewal"]["projection"])


def test_scoring_is_pure(fw):
    data = intake(full_current(), answers={"renewal_practices": {"r0": 1}})
    snapshot = copy.deepcopy(data)
    assert score(fw, data) == score(fw, data)
    assert data == snapshot


# --------------------------------------------------------------------------- properties

values = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@given(c=values, t=values, f=values)
def test_score_in_range(c, t, f):
    if t == f:
        return
    direction = "higher" if t > f else "lower"
    assert 0.0 <= kpi_score(direction, c, t, f) <= 100.0


@given(c=values, lo=values, width=st.floats(0, 1e3), gap_lo=st.floats(1e-3, 1e3),
       gap_hi=st.floats(1e-3, 1e3))
def test_band_score_in_range(c, lo, width, gap_lo, gap_hi):
    hi = lo + width
    assert 0.0 <= kpi_score("band", c, None, (lo - gap_lo, hi + gap_hi), (lo, hi)) <= 100.0


@given(a=values, b=values, t=st.floats(-100, 100), gap=st.floats(1e-3, 100))
def test_monotonic_in_current(a, b, t, gap):
    lo, hi = sorted((a, b))
    assert kpi_score("higher", lo, t, t - gap) <= kpi_score("higher", hi, t, t - gap)
    assert kpi_score("lower", lo, t, t + gap) >= kpi_score("lower", hi, t, t + gap)


@given(st.lists(st.one_of(st.none(), st.floats(0, 100)), min_size=8, max_size=8))
def test_index_between_element_extremes(scores):
    fw = parse_framework(raw_framework())
    ids = [f"{e}_{s}" for e in ("profit", "reputation", "efficiency", "effectiveness")
           for s in "ab"]
    r = score(fw, intake(dict(zip(ids, scores, strict=True))))
    elements = [e["score"] for e in r["elements"].values() if e["score"] is not None]
    if r["index"]["score"] is None:
        assert len(elements) < 3
    else:
        assert min(elements) - 1e-9 <= r["index"]["score"] <= max(elements) + 1e-9
        assert all(0.0 <= k["score"] <= 100.0 for k in r["kpis"] if k["score"] is not None)
