"""The scoring engine: methodology §2–§6, pure.

:func:`score` takes a :class:`~assessment.core.framework.Framework` and an
:class:`~assessment.core.model.IntakeData` and returns the results as plain data (dicts, lists,
floats, strings) that serialize to ``results.json`` exactly per methodology §8. No I/O, no
Jupyter, no openpyxl. Scores are unrounded; only displays round.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from assessment import __version__
from assessment.core.framework import ELEMENTS, PRACTICE_QUESTIONNAIRES, Framework, Kpi
from assessment.core.model import NA, Answer, IntakeData

SCHEMA = "support-excellence/results@1"
RENEWAL_RATE_KPI = "contract_renewal_rate"
PRICE_UPLIFT_KPI = "annual_price_uplift"
PROJECTION_YEARS = 5
#: Slack when a score is compared with a threshold, so binary floating-point noise
#: (0.24 / 0.30 = 0.7999999999999999) never flips a status, colour or level.
EPSILON = 1e-9


# --------------------------------------------------------------------------- building blocks


def clamp01(x: float) -> float:
    return min(1.0, max(0.0, x))


def kpi_score(direction: str, current: float, target: float | None,
              floor: float | Sequence[float], band: Sequence[float] | None = None) -> float:
    """Score one KPI value 0–100 (methodology §2)."""
    if direction == "higher":
        assert target is not None and target > floor, "higher KPI needs target > floor"
        return 100.0 * clamp01((current - floor) / (target - floor))
    if direction == "lower":
        assert target is not None and target < floor, "lower KPI needs target < floor"
        return 100.0 * clamp01((floor - current) / (floor - target))
    if direction == "band":
        assert band is not None
        (lo, hi), (f_lo, f_hi) = band, floor
        if current < lo:
            return 100.0 * clamp01((current - f_lo) / (lo - f_lo))
        if current > hi:
            return 100.0 * clamp01((f_hi - current) / (f_hi - hi))
        return 100.0
    raise ValueError(f"unknown direction {direction!r}")


def kpi_status(score: float | None, amber: float) -> str:
    """``met`` at 100, ``near`` from amber up, ``off`` below amber, ``no_data`` when missing."""
    if score is None:
        return "no_data"
    if score >= 100.0 - EPSILON:
        return "met"
    return "near" if score >= amber - EPSILON else "off"


def rag(score: float | None, amber: float) -> str | None:
    """Traffic light for an aggregate score: green from amber, amber 20 points below, red under."""
    if score is None:
        return None
    if score >= amber - EPSILON:
        return "green"
    return "amber" if score >= amber - 20 - EPSILON else "red"


def weighted_mean(pairs: Iterable[tuple[float, float | None]],
                  min_coverage: float) -> tuple[float | None, float]:
    """``(Σ w·s / Σ w over values present, coverage)``; the mean is None below min_coverage.

    ``pairs`` are ``(weight, value)``; a None value is missing data.
    """
    pairs = list(pairs)
    total = sum(w for w, _ in pairs)
    present = [(w, s) for w, s in pairs if s is not None]
    covered = sum(w for w, _ in present)
    coverage = covered / total if total else 0.0
    if not present or coverage < min_coverage - EPSILON:
        return None, coverage
    return sum(w * s for w, s in present) / covered, coverage


def maturity_level(score: float | None) -> int | None:
    """Level 1–5 from a 0–100 questionnaire score: ``min(5, floor(Q / 20) + 1)``."""
    return None if score is None else min(5, math.floor(score / 20 + EPSILON) + 1)


def questionnaire_score(items: Sequence[tuple[float, Answer]],
                        min_coverage: float) -> tuple[float | None, float]:
    """Methodology §4: ``Q = 100·Σ w·a / (4·Σ w)`` over answered items, with coverage.

    n/a items leave both the score and the coverage base; blank items count against coverage.
    """
    applicable = [(w, None if a is None else 100.0 * a / 4.0) for w, a in items if a != NA]
    return weighted_mean(applicable, min_coverage)


def alignment(pairs: Sequence[tuple[float | None, float | None]]) -> float | None:
    """Methodology §6: ``A = 10·(1 − Σ|I − T| / (4n))`` over dimensions with both ratings."""
    both = [(i, t) for i, t in pairs if i is not None and t is not None]
    if not both:
        return None
    return 10.0 * (1.0 - sum(abs(i - t) for i, t in both) / (4.0 * len(both)))


def quadrant(importance: float | None, performance: float | None, threshold: float) -> str | None:
    """Importance–performance quadrant of one dimension (methodology §6)."""
    if importance is None or performance is None:
        return None
    if importance >= threshold:
        return "keep_up" if performance >= threshold else "concentrate_here"
    return "possible_overkill" if performance >= threshold else "low_priority"


def retention_curve(rate: float | None, years: int = PROJECTION_YEARS) -> list[float | None]:
    """Share of a starting cohort still under contract in contract years 1..n: ``r^(k−1)``."""
    return [None if rate is None else rate ** (k - 1) for k in range(1, years + 1)]


# --------------------------------------------------------------------------- the engine


def score(framework: Framework, intake: IntakeData) -> dict[str, Any]:
    """Score one organization; returns the results structure of methodology §8."""
    settings = framework.settings
    warnings: list[str] = list(intake.warnings)

    kpis = [_kpi_result(k, intake, settings.amber) for k in framework.kpis]
    by_area: dict[str, list[dict[str, Any]]] = {}
    for row in kpis:
        by_area.setdefault(row["element"], []).append(row)

    elements: dict[str, dict[str, Any]] = {}
    for element in ELEMENTS:
        rows = by_area.get(element, [])
        value, coverage = weighted_mean(((r["weight"], r["score"]) for r in rows),
                                        settings.min_coverage)
        elements[element] = {
            "name": framework.element_names[element],
            "score": value, "coverage": coverage,
            "weight": settings.element_weights[element],
            "rag": rag(value, settings.amber),
            "kpis": len(rows), "kpis_with_data": sum(r["score"] is not None for r in rows),
        }
        if value is None:
            warnings.append(
                f"{framework.element_names[element]}: insufficient data (coverage "
                f"{coverage:.0%} is below the minimum {settings.min_coverage:.0%}); "
                "the element is not scored.")

    index = _index(elements, settings.amber, framework.levels, warnings)
    _points_at_stake(kpis, elements)

    questionnaires = {
        qid: _questionnaire(framework, qid, intake.answers.get(qid, {}), warnings)
        for qid in PRACTICE_QUESTIONNAIRES
    }
    renewal = _renewal(framework, intake, by_area.get("renewal", []),
                       questionnaires["renewal_practices"]["score"], warnings)
    expectations = _expectations(framework, intake)

    missing = [r["id"] for r in kpis if r["score"] is None]
    if missing:
        warnings.append(f"{len(missing)} KPI(s) have no current value and are not scored: "
                        + ", ".join(missing) + ".")

    return {
        "schema": SCHEMA,
        "generator": {"name": "support-excellence", "version": __version__},
        "organization": _organization(intake.profile),
        "framework": {
            "name": framework.name, "version": framework.version,
            "settings": {
                "amber": settings.amber, "min_coverage": settings.min_coverage,
                "element_weights": dict(settings.element_weights),
                "renewal_blend": settings.renewal_blend,
                "ipa_threshold": settings.ipa_threshold,
                "industry_renewal_rate": settings.industry_renewal_rate,
                "price_uplift": settings.price_uplift,
            },
            "levels": list(framework.levels),
        },
        "index": index,
        "elements": elements,
        "kpis": kpis,
        "gaps": _gaps(kpis),
        "renewal": renewal,
        "questionnaires": questionnaires,
        "expectations": expectations,
        "recommendations": _recommendations(framework, kpis, questionnaires, expectations),
        "warnings": warnings,
    }


def _organization(profile: dict[str, Any]) -> dict[str, Any]:
    org = {key: (value.isoformat() if hasattr(value, "isoformat") else value)
           for key, value in profile.items() if key != "organization"}
    return {"name": profile.get("organization"), **org}


def _kpi_result(kpi: Kpi, intake: IntakeData, amber: float) -> dict[str, Any]:
    current = intake.current.get(kpi.id)
    target = kpi.target
    overridden = kpi.direction != "band" and kpi.id in intake.targets
    if overridden:
        target = intake.targets[kpi.id]
    value = None if current is None else kpi_score(kpi.direction, current, target, kpi.floor,
                                                   kpi.band)
    bench = kpi.benchmark
    return {
        "id": kpi.id, "element": kpi.element, "name": kpi.name, "unit": kpi.unit,
        "direction": kpi.direction, "current": current, "target": target,
        "framework_target": kpi.target, "target_overridden": overridden,
        "floor": list(kpi.floor) if isinstance(kpi.floor, tuple) else kpi.floor,
        "band": list(kpi.band) if kpi.band else None,
        "weight": kpi.weight, "score": value, "status": kpi_status(value, amber),
        "points_at_stake": None,
        "benchmark": None if bench is None else {
            "value": bench.value, "range": list(bench.range) if bench.range else None,
            "source": bench.source, "year": bench.year, "note": bench.note,
        },
        "note": intake.notes.get(kpi.id),
    }


def _index(elements: dict[str, dict[str, Any]], amber: float, levels: Sequence[str],
           warnings: list[str]) -> dict[str, Any]:
    total = sum(e["weight"] for e in elements.values())
    scored = {k: e for k, e in elements.items() if e["score"] is not None}
    w_scored = sum(e["weight"] for e in scored.values())
    value = None
    if len(scored) >= 3:
        value = sum(e["weight"] * e["score"] for e in scored.values()) / w_scored
    else:
        warnings.append(f"Support Excellence Index not computed: only {len(scored)} of 4 "
                        "elements are scored (at least 3 are needed).")
    level = maturity_level(value)
    return {
        "score": value, "coverage": w_scored / total if total else 0.0,
        "elements_scored": len(scored), "level": level,
        "level_name": levels[level - 1] if level else None, "rag": rag(value, amber),
    }


def _points_at_stake(kpis: list[dict[str, Any]], elements: dict[str, dict[str, Any]]) -> None:
    """``p_i = (W_e / ΣW_scored)·(w_i / Σw_e,with data)·(100 − s_i)``, set in place."""
    w_scored = sum(e["weight"] for e in elements.values() if e["score"] is not None)
    for element, info in elements.items():
        rows = [r for r in kpis if r["element"] == element]
        w_data = sum(r["weight"] for r in rows if r["score"] is not None)
        for r in rows:
            if info["score"] is not None and r["score"] is not None:
                r["points_at_stake"] = ((info["weight"] / w_scored) * (r["weight"] / w_data)
                                        * (100.0 - r["score"]))


def _gaps(kpis: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """KPIs below target, largest points at stake first (ties by framework order)."""
    ranked = [r for r in kpis if r["points_at_stake"]]
    ranked.sort(key=lambda r: -r["points_at_stake"])
    return [{"id": r["id"], "element": r["element"], "name": r["name"],
             "points_at_stake": r["points_at_stake"], "score": r["score"]} for r in ranked]


def _questionnaire(framework: Framework, qid: str, answers: dict[str, Answer],
                   warnings: list[str]) -> dict[str, Any]:
    q = framework.questionnaires[qid]
    settings = framework.settings
    items = []
    for item in q.items:
        answer = answers.get(item.id)
        items.append({
            "id": item.id, "name": item.name,
            "answer": None if answer == NA else answer, "na": answer == NA,
            "weight": item.weight,
            "score": None if answer in (None, NA) else 100.0 * answer / 4.0,
            "label": None if answer in (None, NA) else framework.answer_scale[answer],
        })
    value, coverage = questionnaire_score([(i.weight, answers.get(i.id)) for i in q.items],
                                          settings.min_coverage)
    if value is None:
        warnings.append(f"{q.name}: insufficient answers (coverage {coverage:.0%} is below the "
                        f"minimum {settings.min_coverage:.0%}); not scored.")
    level = maturity_level(value)
    return {
        "name": q.name, "score": value, "coverage": coverage, "level": level,
        "level_name": framework.levels[level - 1] if level else None,
        "rag": rag(value, settings.amber), "items": items,
    }


def _renewal(framework: Framework, intake: IntakeData, rows: list[dict[str, Any]],
             practices: float | None, warnings: list[str]) -> dict[str, Any]:
    settings = framework.settings
    kpi_value, coverage = weighted_mean(((r["weight"], r["score"]) for r in rows),
                                        settings.min_coverage)
    b = settings.renewal_blend
    if kpi_value is not None and practices is not None:
        health = b * kpi_value + (1 - b) * practices
    elif kpi_value is not None or practices is not None:
        health = kpi_value if kpi_value is not None else practices
        part, other = (("renewal KPIs", "renewal practices") if kpi_value is not None
                       else ("renewal practices", "renewal KPIs"))
        warnings.append(f"Renewal health is the {part} score alone: the {other} score is "
                        "missing.")
    else:
        health = None
        warnings.append("Renewal health not computed: neither renewal KPIs nor renewal "
                        "practices have enough data.")
    for row in rows:
        row["health_points_at_stake"] = (
            None if row["score"] is None or kpi_value is None
            else (b if practices is not None else 1.0) * row["weight"]
            / sum(r["weight"] for r in rows if r["score"] is not None) * (100.0 - row["score"]))

    rate_row = next((r for r in rows if r["id"] == RENEWAL_RATE_KPI), None)
    rate = rate_row["current"] if rate_row else None
    target = rate_row["target"] if rate_row else None
    if rate is None:
        warnings.append("Renewal projection: no current contract renewal rate, so the client "
                        "curve is empty.")
    uplift_row = next((r for r in rows if r["id"] == PRICE_UPLIFT_KPI), None)
    uplift = (uplift_row["current"] if uplift_row and uplift_row["current"] is not None
              else settings.price_uplift)
    value_rate = None if rate is None or uplift is None else rate * (1 + uplift)
    curves = zip(retention_curve(rate), retention_curve(settings.industry_renewal_rate),
                 retention_curve(target), retention_curve(value_rate), strict=True)
    projection = [
        {"year": k, "client": c, "industry": i, "target": t, "client_value": v}
        for k, (c, i, t, v) in enumerate(curves, start=1)
    ]
    return {
        "health": health, "kpi_score": kpi_value, "kpi_coverage": coverage,
        "practices_score": practices, "blend": b, "rag": rag(health, settings.amber),
        "contract_renewal_rate": rate, "industry_rate": settings.industry_renewal_rate,
        "price_uplift": uplift, "projection": projection,
    }


def _expectations(framework: Framework, intake: IntakeData) -> dict[str, Any]:
    settings = framework.settings
    dims = []
    for item in framework.questionnaires["customer_expectations"].items:
        r = intake.ratings.get(item.id, {})
        i, p, t = r.get("importance"), r.get("performance"), r.get("priority")
        dims.append({
            "id": item.id, "name": item.name, "importance": i, "performance": p,
            "priority": t, "gap": None if i is None or p is None else i - p,
            "quadrant": quadrant(i, p, settings.ipa_threshold),
        })
    return {
        "alignment": alignment([(d["importance"], d["priority"]) for d in dims]),
        "survey_average": settings.alignment_survey_average,
        "threshold": settings.ipa_threshold,
        "dimensions": dims,
    }


def _recommendations(framework: Framework, kpis: list[dict[str, Any]],
                     questionnaires: dict[str, dict[str, Any]],
                     expectations: dict[str, Any]) -> list[dict[str, Any]]:
    """Ranked recommendations, each with where it comes from and why it ranks where it does.

    Order: element KPIs by points at stake; renewal KPIs by renewal-health points at stake;
    practice items answered 0 or 1 by ``w·(4 − a)``; expectation dimensions to concentrate on,
    by gap. Ties keep framework order.
    """
    out: list[dict[str, Any]] = []

    def add(source: str, ident: str, name: str, area: str, priority: float, basis: str,
            texts: Iterable[str]) -> None:
        out.extend({"source": source, "id": ident, "name": name, "area": area,
                    "priority": priority, "basis": basis, "text": text} for text in texts)

    element_rows = sorted((r for r in kpis if r["points_at_stake"]),
                          key=lambda r: -r["points_at_stake"])
    renewal_rows = sorted((r for r in kpis if r.get("health_points_at_stake")),
                          key=lambda r: -r["health_points_at_stake"])
    for r in element_rows:
        add("kpi", r["id"], r["name"], r["element"], r["points_at_stake"],
            "index points at stake", framework.kpi(r["id"]).recommendations)
    for r in renewal_rows:
        add("kpi", r["id"], r["name"], "renewal", r["health_points_at_stake"],
            "renewal health points at stake", framework.kpi(r["id"]).recommendations)
    for qid in PRACTICE_QUESTIONNAIRES:
        items = {i.id: i for i in framework.questionnaires[qid].items}
        weak = [i for i in questionnaires[qid]["items"]
                if i["answer"] is not None and i["answer"] <= 1]
        weak.sort(key=lambda i: -i["weight"] * (4 - i["answer"]))
        for i in weak:
            add("practice", i["id"], i["name"], qid, i["weight"] * (4 - i["answer"]),
                "weight × (4 − answer)", items[i["id"]].recommendations)
    dims = {i.id: i for i in framework.questionnaires["customer_expectations"].items}
    focus = [d for d in expectations["dimensions"] if d["quadrant"] == "concentrate_here"]
    focus.sort(key=lambda d: -d["gap"])
    for d in focus:
        add("expectation", d["id"], d["name"], "customer_expectations", d["gap"],
            "importance − performance", dims[d["id"]].recommendations)
    for rank, rec in enumerate(out, start=1):
        rec["rank"] = rank
    return out
