"""Every bundled sample, and new intakes, recomputed from the contract alone.

The issue's "done when": results@2 agree with a hand recomputation from methodology §2–§7.
This file re-derives every score with the contract's formulas written out plainly, from the
framework YAML read with ``yaml.safe_load`` (not the toolkit's loader) and the intake as read,
and compares them with what :func:`assessment.core.scoring.score` returns. It shares no code
with the engine, so an engine bug cannot hide in both. Issue 13 adds the money: §5's renewal
money and §10's four drivers and their total, from the framework's ``business_case`` and the
formulas as docs/methodology.md writes them out.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import math
from pathlib import Path
from typing import Any

import pytest
import yaml

from assessment.core.framework import default_framework_path, load_framework
from assessment.core.model import NA, IntakeData
from assessment.core.scoring import score
from assessment.intake.reader import read_intake
from assessment.intake.samples import SAMPLES_DIR, sample_names

ELEMENTS = ("profit", "reputation", "efficiency", "effectiveness")
MODELS = ["internal", "external", "blended"]
MONEY = ("annual_revenue", "support_cost", "contract_revenue_base")


def approx(x: float | None) -> Any:
    return None if x is None else pytest.approx(x, rel=1e-12, abs=1e-12)


def clamp(x: float) -> float:
    return min(1.0, max(0.0, x))


def kpi_value(spec: dict, current: float, target: float | None, floor: Any, band: Any) -> float:
    """Methodology §2, the three formulas as written."""
    if spec["direction"] == "higher":
        return 100 * clamp((current - floor) / (target - floor))
    if spec["direction"] == "lower":
        return 100 * clamp((floor - current) / (floor - target))
    lo, hi = band
    if current < lo:
        return 100 * clamp((current - floor[0]) / (lo - floor[0]))
    if current > hi:
        return 100 * clamp((floor[1] - current) / (floor[1] - hi))
    return 100.0


def scale_of(spec: dict, segment: str | None, fx: float | None) -> tuple[Any, Any, Any]:
    """Target, floor and band for the segment (§1), money × fx_rate (§2)."""
    own = (spec.get("by_segment") or {}).get(segment or "", {})
    target = own.get("target", spec.get("target"))
    floor = own.get("floor", spec.get("floor"))
    band = own.get("band", spec.get("band"))
    if fx and spec["unit"] == "currency":
        target = None if target is None else target * fx
        floor = [f * fx for f in floor] if isinstance(floor, list) else floor * fx
        band = None if band is None else [b * fx for b in band]
    return target, floor, band


def recompute(raw: dict, data: IntakeData) -> dict[str, Any]:
    """The contract's numbers for one intake (missing_kpi: zero, the default)."""
    settings = raw["settings"]
    assert settings.get("missing_kpi", "zero") == "zero"
    amin = settings.get("min_coverage", 0.5)
    profile = data.profile
    model, segment = profile["support_model"], profile.get("segment")
    fx = profile["fx_rate"] if profile["currency"] != settings.get("currency", "USD") else None

    # §7 consistency: a blank KPI a relation determines is derived, relations in order
    current = dict(data.current)
    for rel in raw.get("relations") or []:
        terms = [rel["value"], *rel["equals"]["product"], *rel["equals"].get("divide", [])]
        kpis = {s["id"]: s for s in raw["kpis"]}
        if any(model not in kpis[t[4:]].get("applies_to", MODELS)
               for t in terms if t.startswith("kpi.")):
            continue

        def value(term: str) -> float | None:
            kind, key = term.split(".", 1)
            return current.get(key) if kind == "kpi" else profile.get(key)

        parts = [value(t) for t in terms[1:]]
        if value(rel["value"]) is None and None not in parts and rel["value"].startswith("kpi."):
            implied = rel["equals"].get("factor", 1)
            for t in rel["equals"]["product"]:
                implied *= value(t)
            for t in rel["equals"].get("divide", []):
                implied /= value(t)
            current[rel["value"][4:]] = implied

    rows: dict[str, dict[str, Any]] = {}
    for spec in raw["kpis"]:
        applies = model in spec.get("applies_to", MODELS)
        target, floor, band = scale_of(spec, segment, fx)
        if spec["direction"] != "band" and spec["id"] in data.targets:
            target = data.targets[spec["id"]]  # the client's own, in its own currency
        c = current.get(spec["id"])
        s = kpi_value(spec, c, target, floor, band) if applies and c is not None else None
        rows[spec["id"]] = {"spec": spec, "applies": applies, "score": s, "target": target,
                            "floor": floor, "current": c}

    # §3 elements and index, missing data counted as 0
    weights = {e: (settings.get("element_weights") or {}).get(e, 1) for e in ELEMENTS}
    elements: dict[str, dict[str, Any]] = {}
    for e in ELEMENTS:
        mine = [r for r in rows.values() if r["spec"]["element"] == e and r["applies"]]
        total = sum(r["spec"]["weight"] for r in mine)
        with_data = [r for r in mine if r["score"] is not None]
        covered = sum(r["spec"]["weight"] for r in with_data)
        elements[e] = {
            "score": sum(r["spec"]["weight"] * r["score"] for r in with_data) / total,
            "measured_score": (sum(r["spec"]["weight"] * r["score"] for r in with_data)
                               / covered if covered else None),
            "coverage": covered / total,
        }
    w_total = sum(weights.values())
    index = sum(weights[e] * elements[e]["score"] for e in ELEMENTS) / w_total
    measured = [e for e in ELEMENTS if elements[e]["measured_score"] is not None]
    index_measured = (sum(weights[e] * elements[e]["measured_score"] for e in measured)
                      / sum(weights[e] for e in measured))
    coverage = sum(weights[e] * elements[e]["coverage"] for e in ELEMENTS) / w_total
    stake = {}
    for kid, r in rows.items():
        e = r["spec"]["element"]
        if e not in ELEMENTS or not r["applies"]:
            continue
        w_e = sum(x["spec"]["weight"] for x in rows.values()
                  if x["spec"]["element"] == e and x["applies"])
        stake[kid] = weights[e] / w_total * r["spec"]["weight"] / w_e * (100 - (r["score"] or 0))

    # §4 questionnaires: blank counts 0 over items not n/a; level min(5, floor(Q/25) + 1)
    questionnaires = {}
    for qid in ("renewal_practices", "excellence_practices"):
        q = raw["questionnaires"][qid]
        if model not in q.get("applies_to", MODELS):
            questionnaires[qid] = None
            continue
        items = [(i["weight"], data.answers.get(qid, {}).get(i["id"])) for i in q["items"]]
        items = [(w, a) for w, a in items if a != NA]
        total = sum(w for w, _ in items)
        answered = [(w, a) for w, a in items if a is not None]
        value = 100 * sum(w * a for w, a in answered) / (4 * total)
        questionnaires[qid] = {
            "score": value, "level": min(5, math.floor(value / 25 + 1e-9) + 1),
            "measured_score": (100 * sum(w * a for w, a in answered)
                               / (4 * sum(w for w, _ in answered)) if answered else None)}

    # §4 renewal health and §5 projection
    renewal_rows = [r for r in rows.values() if r["spec"]["element"] == "renewal"
                    and r["applies"]]
    health = projection = None
    if renewal_rows:
        total = sum(r["spec"]["weight"] for r in renewal_rows)
        k = sum(r["spec"]["weight"] * (r["score"] or 0) for r in renewal_rows) / total
        practices = questionnaires["renewal_practices"]
        b = settings.get("renewal_blend", 0.5)
        health = b * k + (1 - b) * practices["score"] if practices else k
        r_rate = rows["contract_renewal_rate"]["current"]
        big_r = rows["recurring_revenue_rate"]["current"]
        industry = settings.get("industry_renewal_rate", 0.824)
        target = rows["contract_renewal_rate"]["target"]
        projection = [{"year": y, "client": r_rate ** (y - 1), "industry": industry ** (y - 1),
                       "target": target ** (y - 1),
                       "client_value": None if big_r is None else big_r ** (y - 1)}
                      for y in range(1, 6)]

    # §6 alignment over dimensions with both I and T
    pairs = [(d["importance"], d["priority"]) for d in data.ratings.values()
             if d.get("importance") is not None and d.get("priority") is not None]
    alignment = 10 * (1 - sum(abs(i - t) for i, t in pairs) / (4 * len(pairs))) if pairs else None
    return {"rows": rows, "elements": elements, "index": index, "index_measured": index_measured,
            "coverage": coverage, "stake": stake, "questionnaires": questionnaires,
            "health": health, "projection": projection, "alignment": alignment, "amin": amin}


def recompute_money(raw: dict, data: IntakeData, want: dict[str, Any]) -> dict[str, Any]:
    """§5 money and §10 drivers: annual low/base/high per driver, and the total over the
    non-overlapping set of drivers with the largest base sum."""
    profile, rows = data.profile, want["rows"]
    settings = raw["settings"]
    fx = profile["fx_rate"] if profile["currency"] != settings.get("currency", "USD") else None

    # §5: V·r^(k−1), V·target^(k−1), V·industry^(k−1); at stake Σ V·(target − client)
    v, rate = profile.get("contract_revenue_base"), rows["contract_renewal_rate"]["current"]
    money = None
    if want["projection"] is not None and v is not None and rate is not None:
        years = [{"year": p["year"], "client": v * p["client"], "target": v * p["target"],
                  "industry": v * p["industry"]} for p in want["projection"]]
        money = {"base": v, "years": years,
                 "at_stake": sum(y["target"] - y["client"] for y in years)}

    # §10: the drivers
    bc = raw["business_case"]
    assumptions = {a["id"]: a for a in bc["assumptions"]}

    def assumed(aid: str, case: str) -> float:
        a = assumptions[aid]
        return a[case] * fx if fx and a["unit"] == "currency" else a[case]

    own_cost = rows["cost_per_case"]["current"]
    drivers: dict[str, dict[str, Any]] = {}
    for d in bc["drivers"]:
        field, kid = (term.split(".", 1)[1] for term in d["inputs"])
        row, out = rows[kid], {"needs": [], "low": None, "base": None, "high": None}
        drivers[d["id"]] = out
        if not row["applies"]:
            out["status"] = "not_applicable"
            continue
        if d["formula"] == "renewal_at_stake":
            if money is None:
                out["status"] = "needs_data"
                out["needs"] = [n for n, x in ((field, v), (kid, rate)) if x is None]
                continue
            annual = max(0.0, money["at_stake"]) / 5
            out.update(low=annual, base=annual, high=annual, five_year=money["at_stake"])
            out["status"] = "ok" if annual > 0 else "no_gap"
            continue
        volume, c, t = profile.get(field), row["current"], row["target"]
        out["needs"] = [n for n, x in ((field, volume), (kid, c)) if x is None]
        if out["needs"]:
            out["status"] = "needs_data"
            continue
        gap = max(0.0, c - t) if row["spec"]["direction"] == "lower" else max(0.0, t - c)
        for case in ("low", "base", "high"):
            if d["formula"] == "cost_gap":
                out[case] = volume * gap
                continue
            first, assisted_id = d["assumptions"]
            assisted = own_cost if own_cost is not None else assumed(assisted_id, case)
            if d["formula"] == "self_service_shift":
                out[case] = volume * gap * max(0.0, assisted - assumed(first, case))
            else:  # repeat_contacts
                out[case] = volume * gap * assumed(first, case) * assisted
        out["status"] = "ok" if out["base"] > 0 else "no_gap"

    # overlaps are symmetric; the total adds the best set in which no two overlap
    clash = {(a["id"], b) for a in bc["drivers"] for b in a.get("overlaps") or []}
    clash |= {(b, a) for a, b in clash}
    positive = [i for i, d in drivers.items() if d["status"] == "ok"]
    best: tuple[str, ...] = ()
    for n in range(1, len(positive) + 1):
        for group in itertools.combinations(positive, n):
            if any((a, b) in clash for a in group for b in group):
                continue
            if sum(drivers[i]["base"] for i in group) > sum(drivers[i]["base"] for i in best):
                best = group
    total = ({case: sum(drivers[i][case] for i in best) for case in ("low", "base", "high")}
             if best else None)
    return {"money": money, "drivers": drivers, "counted": set(best), "total": total}


def assert_money_agrees(r: dict[str, Any], want: dict[str, Any]) -> None:
    money, ref = r["renewal"]["money"], want["money"]
    if ref is None:
        assert money is None
    else:
        assert money["base"] == ref["base"] and money["at_stake"] == approx(ref["at_stake"])
        assert money["basis"] == "contract_renewal_rate"
        assert money["currency"] == r["organization"]["currency"]
        for got, year in zip(money["years"], ref["years"], strict=True):
            assert got == {k: approx(x) if isinstance(x, float) else x for k, x in year.items()}
    got = {d["id"]: d for d in r["business_case"]["drivers"]}
    assert list(got) == list(want["drivers"])
    for did, ref in want["drivers"].items():
        d = got[did]
        assert (d["status"], d["needs"]) == (ref["status"], ref["needs"]), did
        for case in ("low", "base", "high"):
            assert d[case] == approx(ref[case]), (did, case)
        assert d["counted"] is (did in want["counted"]), did
        if "five_year" in ref:
            assert d["five_year"] == approx(ref["five_year"])
    total = r["business_case"]["total"]
    if want["total"] is None:
        assert total is None
    else:
        assert total == {k: approx(x) for k, x in want["total"].items()}


def assert_agree(raw: dict, data: IntakeData) -> dict[str, Any]:
    r = score(load_framework(), copy.deepcopy(data))
    want = recompute(raw, data)
    assert r["schema"] == "support-excellence/results@2"
    for row in r["kpis"]:
        ref = want["rows"][row["id"]]
        assert row["applicable"] is ref["applies"], row["id"]
        assert row["status"] == "not_applicable" or ref["applies"], row["id"]
        assert row["score"] == approx(ref["score"]), row["id"]
        assert row["current"] == approx(ref["current"]) or not ref["applies"], row["id"]
        if ref["applies"]:
            assert row["target"] == approx(ref["target"]), row["id"]
            assert row["points_at_stake"] == approx(want["stake"].get(row["id"])), row["id"]
        else:
            assert row["points_at_stake"] is None, row["id"]
    for e in ELEMENTS:
        got, ref = r["elements"][e], want["elements"][e]
        assert (got["score"], got["measured_score"], got["coverage"]) == (
            approx(ref["score"]), approx(ref["measured_score"]), approx(ref["coverage"])), e
    assert r["index"]["score"] == approx(want["index"])
    assert r["index"]["measured_score"] == approx(want["index_measured"])
    assert r["index"]["coverage"] == approx(want["coverage"])
    assert r["index"]["level"] == min(5, math.floor(want["index"] / 20 + 1e-9) + 1)
    for qid, ref in want["questionnaires"].items():
        got = r["questionnaires"][qid]
        if ref is None:
            assert got["applicable"] is False and got["score"] is None
        else:
            assert (got["score"], got["measured_score"], got["level"]) == (
                approx(ref["score"]), approx(ref["measured_score"]), ref["level"]), qid
    assert r["renewal"]["health"] == approx(want["health"])
    if want["projection"] is None:
        assert r["renewal"]["projection"] == []
    else:
        for got, ref in zip(r["renewal"]["projection"], want["projection"], strict=True):
            assert {k: approx(v) if isinstance(v, float) else v for k, v in ref.items()} == got
    assert r["expectations"]["alignment"] == approx(want["alignment"])
    assert_money_agrees(r, recompute_money(raw, data, want))
    return r


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load(Path(default_framework_path()).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sample_names())
def test_every_sample_agrees_with_the_contract(name: str, raw: dict) -> None:
    data = read_intake(SAMPLES_DIR / f"{name}.xlsx", load_framework())
    r = assert_agree(raw, data)
    assert r["organization"]["segment"] == data.profile["segment"]


def kumo_intake() -> IntakeData:
    """A client none of the samples is like: JPY at 150 to the dollar, consumer segment,
    blanks, an own target, a derived KPI and n/a answers."""
    fw = load_framework()
    current: dict[str, float | None] = {k.id: None for k in fw.kpis}
    current.update(csat=0.78, nps=21, cost_per_case=3100, time_to_resolve=30,
                   first_contact_resolution=0.7, engineer_utilization=0.64,
                   contract_renewal_rate=0.81, recurring_revenue_rate=0.97,
                   self_service_resolution_rate=0.11)
    answers = {q: {i.id: (NA if n % 5 == 4 else None if n % 3 == 2 else n % 5)
                   for n, i in enumerate(fw.questionnaires[q].items)}
               for q in ("renewal_practices", "excellence_practices")}
    ratings = {i.id: {"importance": 4.0 + (n % 2) / 2, "performance": 3.0,
                      "priority": 2.5 + n % 3}
               for n, i in enumerate(fw.questionnaires["customer_expectations"].items)}
    data = IntakeData(
        profile={"organization": "Kumo Devices KK", "industry": "Consumer electronics",
                 "support_model": "external", "currency": "JPY", "fx_rate": 150.0,
                 "segment": "consumer", "assessment_date": dt.date(2026, 11, 1),
                 "support_cost": 310_000_000.0, "assisted_cases": 100_000,
                 "active_customers": 250_000},
        current=current, targets={"time_to_resolve": 36.0}, answers=answers, ratings=ratings)
    return data


def test_a_new_intake_agrees_with_the_contract(raw: dict) -> None:
    r = assert_agree(raw, kumo_intake())
    derived = {k["id"] for k in r["kpis"] if k["derived"]}
    assert derived == {"support_demand_per_customer"}
    cost = next(k for k in r["kpis"] if k["id"] == "cost_per_case")
    spec = next(s for s in raw["kpis"] if s["id"] == "cost_per_case")
    assert cost["target"] == approx(spec["by_segment"]["consumer"]["target"] * 150)
    money = {d["id"]: d for d in r["business_case"]["drivers"]}
    assert money["renewal_revenue_at_stake"]["needs"] == ["contract_revenue_base"]
    assert money["cost_per_case_gap"]["base"] == approx(100_000 * (3100 - cost["target"]))


def test_money_assumptions_converted_when_cost_per_case_is_blank(raw: dict) -> None:
    """Without the client's cost per case (and no support cost to derive it), the self-service
    and repeat-contact drivers price a case with the assisted-contact assumption × 150 JPY."""
    data = kumo_intake()
    data.current["cost_per_case"] = None
    del data.profile["support_cost"]
    data.profile["contract_revenue_base"] = 900_000_000.0
    r = assert_agree(raw, data)
    money = {d["id"]: d for d in r["business_case"]["drivers"]}
    assert money["cost_per_case_gap"]["needs"] == ["cost_per_case"]
    assisted = next(a for a in money["self_service_shift"]["assumptions"]
                    if a["id"] == "assisted_cost_per_contact")
    spec = next(a for a in raw["business_case"]["assumptions"]
                if a["id"] == "assisted_cost_per_contact")
    assert assisted["base"] == approx(spec["base"] * 150)
    assert r["renewal"]["money"]["base"] == 900_000_000


def test_an_internal_desk_agrees_with_the_contract(raw: dict) -> None:
    data = read_intake(SAMPLES_DIR / "harbor-city-it.xlsx", load_framework())
    r = assert_agree(raw, data)
    assert r["renewal"]["applicable"] is False and r["renewal"]["projection"] == []
