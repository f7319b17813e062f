"""The columnar engine (assessment.core.table) gives score()'s numbers exactly.

Hand-computed cases of docs/methodology.md's worked example, then every sample and seeded
random intakes (both missing-data rules, every segment and support model, n/a answers, target
overrides, another currency, derived values, profiles that cannot be scored) compared with
``==``, not approximately.
"""

from __future__ import annotations

import copy
import math
import random
from dataclasses import replace
from typing import Any

import pytest
from test_methodology_v2 import SCENARIO_A, profile, worked_raw

from assessment.core.framework import (
    ELEMENTS,
    PRACTICE_QUESTIONNAIRES,
    Framework,
    load_framework,
    parse_framework,
)
from assessment.core.model import NA, IntakeData
from assessment.core.scoring import score
from assessment.core.table import score_table
from assessment.intake.samples import sample_data, sample_names


def _intake(current: dict[str, float | None], **extra: Any) -> IntakeData:
    return IntakeData(profile=profile(**extra.pop("profile", {})), current=dict(current),
                      **extra)


def test_scenario_a_hand_computed() -> None:
    """docs/methodology.md, scenario A: nps and fcr blank, missing data counted as 0."""
    table = score_table(parse_framework(worked_raw()), [_intake(SCENARIO_A)])
    row = table.record(0)
    assert row["kpis"]["utilization"]["score"] == pytest.approx(60.0)  # above its band
    assert row["kpis"]["nps"]["score"] is None
    el = row["elements"]
    assert el["profit"]["score"] == pytest.approx(80.0)          # (2·75 + 1·90) / 3
    assert el["reputation"]["score"] == pytest.approx(60.0)      # (3·80 + 1·0) / 4
    assert el["reputation"]["measured_score"] == pytest.approx(80.0)
    assert el["efficiency"]["score"] == pytest.approx(73.75)     # (2·80 + 1·75 + 1·60) / 4
    assert el["effectiveness"]["score"] == pytest.approx(18.75)  # (3·0 + 1·75) / 4
    assert el["effectiveness"]["sufficient"] is False
    index = row["index"]
    assert index["score"] == pytest.approx(58.125)
    assert index["measured_score"] == pytest.approx(77.1875)
    assert index["coverage"] == pytest.approx(0.75)
    assert (index["level"], index["level_name"], index["rag"]) == (3, "Weak", "red")


def test_scenario_a_under_exclude() -> None:
    table = score_table(parse_framework(worked_raw("exclude")), [_intake(SCENARIO_A)])
    row = table.record(0)
    assert row["elements"]["effectiveness"]["score"] is None     # coverage 25% < 50%
    assert row["index"]["score"] == pytest.approx((80 + 80 + 73.75) / 3)
    assert row["index"]["level"] == 4


def test_derived_value_and_its_score() -> None:
    """cost per case blank: 1,300,000 / 40,000 = 32.50, scored (60 − 32.5) / (60 − 25)."""
    current = {**SCENARIO_A, "cost_per_case": None}
    table = score_table(parse_framework(worked_raw()), [_intake(
        current, profile={"support_cost": 1_300_000, "assisted_cases": 40_000})])
    kpi = table.record(0)["kpis"]["cost_per_case"]
    assert kpi["derived"] is True
    assert kpi["current"] == 32.5
    assert kpi["score"] == pytest.approx(100 * 27.5 / 35)


def test_a_profile_that_cannot_be_scored_is_its_own_row() -> None:
    fw = parse_framework(worked_raw())
    table = score_table(fw, [_intake(SCENARIO_A, profile={"currency": "EUR"}),
                             _intake(SCENARIO_A)])
    assert "no exchange rate" in table.errors[0] and table.errors[1] is None
    assert table.record(0)["index"]["score"] is None
    assert table.record(1)["index"]["score"] == pytest.approx(58.125)
    assert table.columns()["index"][0] is None


# --------------------------------------------------------------------------- against score()


def _random_intake(rng: random.Random, framework: Framework, number: int) -> IntakeData:
    """Values across and beyond each KPI's scale, ~20% blank; every segment, model, answer
    kind; some target overrides, volumes that derive blank KPIs, another currency."""
    segment = rng.choice([None, *framework.settings.segments])
    current: dict[str, float | None] = {}
    targets: dict[str, float] = {}
    for k in framework.kpis:
        if rng.random() < 0.2:
            current[k.id] = None
            continue
        lo, hi = k.floor if k.direction == "band" else sorted((k.target, k.floor))
        span = hi - lo
        value = rng.uniform(lo - 0.3 * span, hi + 0.3 * span)
        vlo, vhi = framework.valid_range(k)
        value = max(vlo, value) if vlo is not None else value
        current[k.id] = min(vhi, value) if vhi is not None else value
        own = framework.resolved(segment).kpi(k.id)  # the floor the override must clear
        if k.direction == "higher" and k.unit != "currency" and rng.random() < 0.1:
            targets[k.id] = own.floor + rng.uniform(0.5, 1.5) * (own.target - own.floor)
    answers = {qid: {i.id: rng.choice([None, NA, 0, 1, 2, 3, 4])
                     for i in framework.questionnaires[qid].items}
               for qid in PRACTICE_QUESTIONNAIRES}
    ratings = {i.id: {key: rng.choice([None, 1, 2, 3, 4, 5])
                      for key in ("importance", "performance", "priority")}
               for i in framework.questionnaires["customer_expectations"].items}
    volumes = {key: rng.choice([None, 0, rng.uniform(10, 5_000_000)])
               for key in ("support_cost", "assisted_cases", "support_headcount",
                           "annual_revenue", "active_customers")}
    extra: dict[str, Any] = {key: v for key, v in volumes.items() if v is not None}
    if number % 7 == 3:
        extra.update(currency="EUR", fx_rate=rng.choice([0.92, 1.1]))
    if number % 50 == 17:
        extra.update(currency="EUR")  # no rate: cannot be scored
    return IntakeData(
        profile=profile(support_model=rng.choice(["internal", "external", "blended"]),
                        segment=segment, **extra),
        current=current, targets=targets, answers=answers, ratings=ratings)


def _same(a: Any, b: Any) -> bool:
    """Equal, NaN and None aside (score() never gives NaN)."""
    if isinstance(a, float) and math.isnan(a):
        return False
    return a == b and type(a) is type(b) if a is None or b is None else a == b


def _compare(framework: Framework, intakes: list[IntakeData]) -> int:
    """Compare every number of the table with score()'s; returns how many rows scored."""
    table = score_table(framework, intakes)
    scored = 0
    for i, intake in enumerate(intakes):
        row = table.record(i)
        try:
            r = score(framework, copy.deepcopy(intake))
        except ValueError as error:
            assert row["error"] == str(error)
            assert row["index"]["score"] is None
            continue
        scored += 1
        assert row["error"] is None
        pairs = [(f"index.{k}", r["index"][k], row["index"][k])
                 for k in ("score", "measured_score", "coverage", "sufficient", "level",
                           "level_name", "rag")]
        for e in ELEMENTS:
            pairs += [(f"{e}.{k}", r["elements"][e][k], row["elements"][e][k])
                      for k in ("score", "measured_score", "coverage", "sufficient")]
        for k in r["kpis"]:
            mine = row["kpis"][k["id"]]
            pairs += [(f"{k['id']}.{key}", k[key], mine[key])
                      for key in ("current", "score", "derived")]
        for q in PRACTICE_QUESTIONNAIRES:
            pairs += [(f"{q}.{k}", r["questionnaires"][q][k], row["questionnaires"][q][k])
                      for k in ("score", "measured_score", "coverage", "level")]
        pairs += [("renewal.health", r["renewal"]["health"], row["renewal"]["health"]),
                  ("renewal.kpi_score", r["renewal"]["kpi_score"], row["renewal"]["kpi_score"]),
                  ("alignment", r["expectations"]["alignment"], row["alignment"])]
        wrong = [(name, a, b) for name, a, b in pairs if not _same(a, b)]
        assert not wrong, (i, wrong[:5])
    return scored


def test_every_sample_exactly() -> None:
    assert _compare(load_framework(), [sample_data(n) for n in sample_names()]) == 4


@pytest.mark.parametrize("rule", ["zero", "exclude"])
def test_random_intakes_exactly_on_the_worked_framework(rule: str) -> None:
    framework = parse_framework(worked_raw(rule))
    rng = random.Random(20261201)
    intakes = [_random_intake(rng, framework, i) for i in range(600)]
    assert _compare(framework, intakes) > 500


@pytest.mark.parametrize("rule", ["zero", "exclude"])
def test_random_intakes_exactly_on_the_shipped_framework(rule: str) -> None:
    framework = load_framework()
    framework = replace(framework, settings=replace(framework.settings, missing_kpi=rule))
    rng = random.Random(7)
    intakes = [_random_intake(rng, framework, i) for i in range(400)]
    assert _compare(framework, intakes) > 350


def test_order_and_grouping_do_not_change_a_row() -> None:
    """Rows are grouped by segment, currency and model inside; each keeps its own place."""
    framework = load_framework()
    rng = random.Random(11)
    intakes = [_random_intake(rng, framework, i) for i in range(60)]
    forward = score_table(framework, intakes).columns()
    backward = score_table(framework, intakes[::-1]).columns()
    assert forward["organization"] == backward["organization"][::-1]
    for name, values in forward.items():
        assert values == backward[name][::-1], name


def test_empty_input() -> None:
    table = score_table(load_framework(), [])
    assert len(table) == 0 and table.kpi_score.shape == (0, len(table.kpi_ids))
