"""The scoring engine: methodology §2–§6, pure.

:func:`score` takes a :class:`~assessment.core.framework.Framework` and an
:class:`~assessment.core.model.IntakeData` and returns the results as plain data (dicts, lists,
floats, strings) that serialize to ``results.json`` exactly per methodology §8. No I/O, no
Jupyter, no openpyxl. Scores are unrounded; only displays round.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from assessment import __version__
from assessment.core import business
from assessment.core.errors import Issue
from assessment.core.evidence import dimension_survey, kpi_evidence, results_evidence
from assessment.core.format import format_value
from assessment.core.framework import (
    ELEMENTS,
    MODELS,
    PRACTICE_QUESTIONNAIRES,
    Framework,
    Kpi,
    Relation,
)
from assessment.core.model import NA, Answer, IntakeData

SCHEMA = "support-excellence/results@2"
RECURRING_RATE_KPI = "recurring_revenue_rate"
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


@dataclass(frozen=True)
class Aggregate:
    """One weighted aggregate under both readings of missing data (methodology §3).

    ``score`` follows the rule (``zero``: missing counts 0; ``exclude``: over the values
    present, None below min_coverage); ``measured`` is always over the values present.
    """

    score: float | None
    measured: float | None
    coverage: float
    sufficient: bool


def aggregate(pairs: Iterable[tuple[float, float | None]], min_coverage: float,
              rule: str = "zero") -> Aggregate:
    """Aggregate ``(weight, value)`` pairs, a None value being missing data."""
    pairs = list(pairs)
    total = sum([w for w, _ in pairs])
    present = [(w, s) for w, s in pairs if s is not None]
    covered = sum([w for w, _ in present])
    coverage = covered / total if total else 0.0
    sufficient = bool(present) and coverage >= min_coverage - EPSILON
    weighted = sum([w * s for w, s in present])  # the same sum for both readings
    measured = weighted / covered if present else None
    if not total:
        return Aggregate(None, None, 0.0, False)
    if rule == "zero":
        value: float | None = weighted / total
    else:
        value = measured if sufficient else None
    return Aggregate(value, measured, coverage, sufficient)


def maturity_level(score: float | None) -> int | None:
    """Questionnaire level 1–5 anchored to the answer scale: ``min(5, floor(Q / 25) + 1)``."""
    return None if score is None else min(5, math.floor(score / 25 + EPSILON) + 1)


def index_band(score: float | None) -> int | None:
    """The index's 20-point band 1–5: ``min(5, floor(I / 20) + 1)``."""
    return None if score is None else min(5, math.floor(score / 20 + EPSILON) + 1)


def questionnaire_score(items: Sequence[tuple[float, Answer]], min_coverage: float,
                        rule: str = "exclude") -> tuple[float | None, float]:
    """Methodology §4: ``Q = 100·Σ w·a / (4·Σ w)``, with coverage.

    n/a items leave both the score and the coverage base; blank items count against coverage
    and, with ``rule="zero"``, as 0 (not in place) in the score.
    """
    agg = questionnaire_aggregate(items, min_coverage, rule)
    return agg.score, agg.coverage


def questionnaire_aggregate(items: Sequence[tuple[float, Answer]], min_coverage: float,
                            rule: str = "zero") -> Aggregate:
    applicable = [(w, None if a is None else 100.0 * a / 4.0) for w, a in items if a != NA]
    return aggregate(applicable, min_coverage, rule)


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


# --------------------------------------------------------------------------- the profile


def check_profile(framework: Framework, profile: dict[str, Any]) -> list[Issue]:
    """What in a profile stops scoring (methodology §2, §7), each with the field in ``path``.

    The reader puts the sheet and cell on each issue; the form shows them beside its fields.
    """
    issues: list[Issue] = []
    settings = framework.settings
    currency = profile.get("currency")
    rate = profile.get("fx_rate")
    if currency and currency != settings.currency and not rate:
        issues.append(Issue(
            f"the amounts are in {currency} but the framework's targets are in "
            f"{settings.currency}, and no exchange rate is given",
            f"the exchange rate: how many {currency} one {settings.currency} buys "
            f"(for example 0.92)", path="fx_rate"))
    if rate is not None and (not isinstance(rate, (int, float)) or isinstance(rate, bool)
                             or not math.isfinite(rate) or rate <= 0):
        issues.append(Issue(f"exchange rate {rate!r} is not a number above 0",
                            "a rate such as 0.92", path="fx_rate"))
    segment = profile.get("segment")
    if segment not in (None, "") and segment not in settings.segments:
        issues.append(Issue(f"unknown segment {segment!r}",
                            "one of " + ", ".join(settings.segments) if settings.segments
                            else "no segment: this framework has none", path="segment"))
    model = profile.get("support_model")
    if model is not None and model not in MODELS:
        issues.append(Issue(f"unknown support model {model!r}", "one of " + ", ".join(MODELS),
                            path="support_model"))
    rated = profile.get("self_rated_alignment")
    if rated is not None and (not isinstance(rated, (int, float)) or isinstance(rated, bool)
                              or not 0 <= rated <= 10):
        issues.append(Issue(f"self-rated alignment {rated!r} is not from 0 to 10",
                            "a number from 0 (not aligned) to 10 (completely aligned)",
                            path="self_rated_alignment"))
    return issues


def fx_rate(framework: Framework, profile: dict[str, Any]) -> float | None:
    """The rate money figures are converted with, or None when the currencies are the same."""
    currency = profile.get("currency")
    if not currency or currency == framework.settings.currency:
        return None
    return float(profile["fx_rate"])


def for_organization(framework: Framework, profile: dict[str, Any]) -> Framework:
    """The framework with the organization's segment and currency applied
    (:meth:`Framework.resolved`); raises ValueError listing :func:`check_profile`'s issues."""
    issues = check_profile(framework, profile)
    if issues:
        raise ValueError("; ".join(str(i) for i in issues))
    return framework.resolved(profile.get("segment") or None, fx_rate(framework, profile))


# --------------------------------------------------------------------------- the engine


class ScoringPlan:
    """What scoring needs that does not depend on the organization's figures, for one
    framework, segment, exchange rate, client currency and support model: the resolved KPIs
    with their constant row parts, the relations that apply, each element's and
    questionnaire's fixed parts and the recommendation texts. Built once and kept on the
    framework (:meth:`Framework.memo`); read-only."""

    def __init__(self, base: Framework, fw: Framework, segment: str | None, fx: float | None,
                 currency: Any, model: str | None) -> None:
        settings = base.settings
        self.fw = fw
        self.kpis: list[tuple[Any, ...]] = []
        not_applicable: dict[str, int] = {}
        for kpi in fw.kpis:
            own = base.kpi(kpi.id).by_segment.get(segment) if segment else None
            basis = ("segment" if own is not None and (
                own.target is not None or own.band is not None or own.floor is not None)
                else "framework")
            applicable = kpi.applies(model)
            if not applicable:
                not_applicable[kpi.element] = not_applicable.get(kpi.element, 0) + 1
            self.kpis.append((
                kpi.id, kpi.element, kpi.name, kpi.unit, kpi.direction, kpi.target,
                kpi.floor, isinstance(kpi.floor, tuple), kpi.band, kpi.weight, applicable,
                basis, _benchmark_parts(kpi, settings.currency, fx, currency),
                currency if kpi.unit == "currency" else None, kpi.direction != "band"))
        self.not_applicable = not_applicable
        self.relations = []
        for rel in fw.relations:
            kpi_ids = [t.partition(".")[2] for t in rel.terms if t.startswith("kpi.")]
            if any(not fw.kpi(k).applies(model) for k in kpi_ids):
                continue
            self.relations.append((rel, tuple(
                (t, f"KPIs: {t.partition('.')[2]}" if t.startswith("kpi.")
                 else f"Profile: {t.partition('.')[2]}") for t in rel.terms)))
        self.elements = [(e, base.element_names[e], settings.element_weights[e],
                          not_applicable.get(e, 0)) for e in ELEMENTS]
        self.questionnaires = {
            qid: (q, q.applies(model), tuple((i.id, i.name, i.weight) for i in q.items))
            for qid in PRACTICE_QUESTIONNAIRES for q in (base.questionnaires[qid],)}
        self.dimensions = tuple((i.id, i.name)
                                for i in base.questionnaires["customer_expectations"].items)
        self.measure = {kpi.id: measure_text(kpi) for kpi in fw.kpis}
        self.items = {qid: {i.id: i for i in fw.questionnaires[qid].items}
                      for qid in (*PRACTICE_QUESTIONNAIRES, "customer_expectations")}


def scoring_plan(base: Framework, fw: Framework, segment: str | None, fx: float | None,
                 currency: Any, model: str | None) -> ScoringPlan:
    """The :class:`ScoringPlan` for these, kept on ``base`` (built afresh for an odd currency)."""
    if currency is not None and not isinstance(currency, str):
        return ScoringPlan(base, fw, segment, fx, currency, model)
    return base.memo(("scoring.plan", segment, fx, currency, model),
                     lambda: ScoringPlan(base, fw, segment, fx, currency, model))


def score(framework: Framework, intake: IntakeData) -> dict[str, Any]:
    """Score one organization; returns the results structure of methodology §8 (results@2).

    Money and the plan (renewal money, business case, roadmap, executive summary) are added
    by :func:`assessment.core.business.extend`. Raises ValueError when the profile cannot be
    scored (:func:`check_profile`); the reader and the form report those problems with their
    cells first.
    """
    settings = framework.settings
    rule = settings.missing_kpi
    profile = intake.profile
    model = profile.get("support_model")
    fw = for_organization(framework, profile)
    fx = fx_rate(framework, profile)
    segment = profile.get("segment") or None
    plan = scoring_plan(framework, fw, segment, fx, profile.get("currency"), model)
    warnings: list[str] = list(intake.warnings)

    current = dict(intake.current)
    consistency, derived = _consistency(plan, intake, current, warnings)
    kpis = _kpi_rows(plan, intake, current, derived, settings.amber)
    for row in kpis:
        if not row["applicable"] and row["current"] is not None:
            warnings.append(f"{row['name']} does not apply to the {model} support model; "
                            "its value is shown but not scored.")
    by_area: dict[str, list[dict[str, Any]]] = {}
    for row in kpis:
        if row["applicable"]:
            by_area.setdefault(row["element"], []).append(row)

    elements: dict[str, dict[str, Any]] = {}
    for element, name, weight, not_applicable in plan.elements:
        rows = by_area.get(element, [])
        agg = aggregate([(r["weight"], r["score"]) for r in rows], settings.min_coverage, rule)
        elements[element] = {
            "name": name, "score": agg.score, "measured_score": agg.measured,
            "coverage": agg.coverage, "sufficient": agg.sufficient, "applicable": bool(rows),
            "weight": weight, "rag": rag(agg.score, settings.amber),
            "kpis": len(rows), "kpis_with_data": sum(r["score"] is not None for r in rows),
            "kpis_not_applicable": not_applicable,
        }
        if rows and not agg.sufficient:
            warnings.append(
                f"{name}: insufficient data (coverage {agg.coverage:.0%} is below the minimum "
                f"{settings.min_coverage:.0%}); "
                + ("KPIs without data count as 0 in its score." if rule == "zero"
                   else "the element is not scored."))

    index = _index(elements, settings, framework.levels, warnings)
    _points_at_stake(by_area, elements, rule)

    questionnaires = {
        qid: _questionnaire(framework, plan.questionnaires[qid], intake.answers.get(qid, {}),
                            warnings)
        for qid in PRACTICE_QUESTIONNAIRES
    }
    renewal = _renewal(framework, by_area.get("renewal", []),
                       questionnaires["renewal_practices"], warnings)
    expectations = _expectations(framework, plan, intake)

    missing = [r["id"] for r in kpis if r["applicable"] and r["score"] is None]
    if missing:
        counted = ("count as 0 in every score" if rule == "zero"
                   else "are left out of the scores")
        warnings.append(f"{len(missing)} KPI(s) have no current value and {counted}: "
                        + ", ".join(missing) + ".")

    results = {
        "schema": SCHEMA,
        "generator": {"name": "support-excellence", "version": __version__},
        "organization": {
            **_organization(profile), "segment": segment,
            "segment_name": settings.segments[segment].name if segment else None,
            "fx_rate": fx,
        },
        "framework": {
            "name": framework.name, "version": framework.version,
            "currency": settings.currency,
            "settings": {
                "amber": settings.amber, "min_coverage": settings.min_coverage,
                "element_weights": dict(settings.element_weights),
                "renewal_blend": settings.renewal_blend,
                "ipa_threshold": settings.ipa_threshold,
                "industry_renewal_rate": settings.industry_renewal_rate,
                "price_uplift": settings.price_uplift,
                "missing_kpi": rule, "currency": settings.currency,
                "segments": {k: v.name for k, v in settings.segments.items()},
                "alignment_survey_average": settings.alignment_survey_average,
                "alignment_survey_source": settings.alignment_survey_source,
                "alignment_survey_year": settings.alignment_survey_year,
            },
            "levels": list(framework.levels),
            "answer_scale": list(framework.answer_scale),
        },
        "index": index,
        "elements": elements,
        "kpis": kpis,
        "gaps": _gaps(kpis),
        "renewal": renewal,
        "questionnaires": questionnaires,
        "expectations": expectations,
        "consistency": consistency,
        "evidence": results_evidence(intake) if intake.evidence else [],
        "recommendations": _recommendations(plan, kpis, questionnaires, expectations),
        "warnings": warnings,
    }
    business.extend(framework, intake, results, fx)
    return results


def _organization(profile: dict[str, Any]) -> dict[str, Any]:
    org = {key: (value.isoformat() if hasattr(value, "isoformat") else value)
           for key, value in profile.items() if key not in ("organization", "segment",
                                                            "fx_rate")}
    return {"name": profile.get("organization"), **org}


# --------------------------------------------------------------------------- consistency


def _term_value(term: str, current: dict[str, float | None],
                profile: dict[str, Any]) -> float | None:
    kind, _, key = term.partition(".")
    value = current.get(key) if kind == "kpi" else profile.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _term_cell(term: str, intake: IntakeData) -> str:
    kind, _, key = term.partition(".")
    return intake.cells.get(term) or (f"KPIs: {key}" if kind == "kpi" else f"Profile: {key}")


def relation_implied(relation: Relation, values: dict[str, float | None]) -> float | None:
    """``factor · Π product / Π divide``, or None when a term is missing or a divisor is 0."""
    parts = [values[t] for t in (*relation.product, *relation.divide)]
    if any(v is None for v in parts) or any(values[t] == 0 for t in relation.divide):
        return None
    implied = relation.factor
    for t in relation.product:
        implied *= values[t]
    for t in relation.divide:
        implied /= values[t]
    return implied


def _consistency(plan: ScoringPlan, intake: IntakeData, current: dict[str, float | None],
                 warnings: list[str]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Check every relation in framework order; derive a blank stated KPI from the others.

    ``current`` gains the derived values (a relation's derived value may feed a later one).
    Relations naming a KPI that does not apply to the support model are left out (the plan
    holds only those that apply).
    """
    fw = plan.fw
    out: list[dict[str, Any]] = []
    derived: dict[str, str] = {}
    profile = intake.profile
    own_cells = intake.cells
    for rel, terms in plan.relations:
        values = {t: _term_value(t, current, profile) for t, _ in terms}
        implied = relation_implied(rel, values)
        stated = values[rel.value]
        missing = [t for t, _ in terms if values[t] is None]
        ok: bool | None = None
        was_derived = False
        cells = [own_cells.get(t) or cell for t, cell in terms]
        if stated is None and implied is not None and rel.value.startswith("kpi."):
            kpi = fw.kpi(rel.value[4:])
            lo, hi = fw.valid_range(kpi)
            shown = format_value(implied, kpi.unit, profile.get("currency"))
            if (lo is None or implied >= lo) and (hi is None or implied <= hi):
                current[kpi.id] = implied
                derived[kpi.id] = rel.id
                was_derived = True
                warnings.append(f"{kpi.name} ({cells[0]}) is blank: derived as {shown} from "
                                f"{', '.join(cells[1:])} ({rel.name}).")
            else:
                warnings.append(f"{kpi.name} ({cells[0]}) is blank and {rel.name} implies "
                                f"{shown}, outside its valid range: not derived; check "
                                f"{', '.join(cells[1:])}.")
        elif stated is not None and implied is not None:
            ok = abs(stated - implied) <= rel.tolerance * abs(implied) + EPSILON
            if not ok:
                unit, currency = _term_unit(fw, rel.value), profile.get("currency")
                warnings.append(
                    f"Consistency: {rel.name} does not hold within {rel.tolerance:.0%}: "
                    f"{cells[0]} states {format_value(stated, unit, currency)}, while "
                    f"{', '.join(cells[1:])} imply {format_value(implied, unit, currency)}.")
        out.append({"relation": rel.id, "name": rel.name, "cells": cells,
                    "terms": values, "implied": implied, "stated": stated,
                    "tolerance": rel.tolerance, "ok": ok, "derived": was_derived,
                    "missing": [] if was_derived else missing})
    return out, derived


def _term_unit(fw: Framework, term: str) -> str:
    kind, _, key = term.partition(".")
    if kind == "kpi":
        return fw.kpi(key).unit
    return "currency" if key in ("annual_revenue", "support_cost", "contract_revenue_base") \
        else "count"


# --------------------------------------------------------------------------- KPIs


def _kpi_rows(plan: ScoringPlan, intake: IntakeData, current_values: dict[str, float | None],
              derived: dict[str, str], amber: float) -> list[dict[str, Any]]:
    """One results row per KPI, in framework order (methodology §2)."""
    targets, notes, evidence = intake.targets, intake.notes, intake.evidence
    rows = []
    for (kid, element, name, unit, direction, framework_target, floor, floor_pair, band,
         weight, applicable, basis, bench, currency, has_target) in plan.kpis:
        current = current_values.get(kid)
        target = framework_target
        overridden = has_target and kid in targets
        if overridden:
            target = targets[kid]
        value = (None if current is None or not applicable
                 else kpi_score(direction, current, target, floor, band))
        rows.append({
            "id": kid, "element": element, "name": name, "unit": unit,
            "direction": direction, "current": current, "target": target,
            "framework_target": framework_target, "target_overridden": overridden,
            "target_basis": "intake" if overridden else basis,
            "floor": list(floor) if floor_pair else floor,
            "band": list(band) if band else None,
            "weight": weight, "score": value,
            "status": kpi_status(value, amber) if applicable else "not_applicable",
            "applicable": applicable, "derived": kid in derived,
            "derived_from": derived.get(kid),
            "points_at_stake": None,
            "benchmark": _benchmark_dict(bench),
            "note": notes.get(kid),
            "currency": currency,
            "evidence": kpi_evidence(intake, kid) if evidence else None,
        })
    return rows


def _benchmark_parts(kpi: Kpi, framework_currency: str, fx: float | None,
                     client_currency: str | None) -> tuple[Any, ...] | None:
    """The benchmark in its own currency, with the figure converted when the rate is known:
    the parts of :func:`_benchmark_dict`, computed once per plan."""
    bench = kpi.benchmark
    if bench is None:
        return None
    own = bench.currency or (framework_currency if kpi.unit == "currency" else None)
    converted = None
    if (kpi.unit == "currency" and own is not None and fx and own == framework_currency
            and client_currency != own):
        converted = (None if bench.value is None else bench.value * fx,
                     tuple(x * fx for x in bench.range) if bench.range else None,
                     client_currency)
    return (bench.value, bench.range, bench.source, bench.year, bench.note, own, converted)


def _benchmark_dict(parts: tuple[Any, ...] | None) -> dict[str, Any] | None:
    """A KPI row's ``benchmark``, built afresh from :func:`_benchmark_parts`."""
    if parts is None:
        return None
    value, span, source, year, note, own, converted = parts
    if converted is not None:
        converted = {"value": converted[0],
                     "range": list(converted[1]) if converted[1] is not None else None,
                     "currency": converted[2]}
    return {"value": value, "range": list(span) if span else None,
            "source": source, "year": year, "note": note,
            "currency": own, "converted": converted}


def _index(elements: dict[str, dict[str, Any]], settings: Any, levels: Sequence[str],
           warnings: list[str]) -> dict[str, Any]:
    """The Support Excellence Index (methodology §3) with both readings and its band."""
    rule = settings.missing_kpi
    applicable = {k: e for k, e in elements.items() if e["applicable"]}
    total = sum(e["weight"] for e in applicable.values())
    scored = {k: e for k, e in applicable.items() if e["score"] is not None}
    w_scored = sum(e["weight"] for e in scored.values())
    value = None
    if rule == "zero":
        value = sum(e["weight"] * e["score"] for e in scored.values()) / total if total else None
    elif len(scored) >= 3:
        value = sum(e["weight"] * e["score"] for e in scored.values()) / w_scored
    else:
        warnings.append(f"Support Excellence Index not computed: only {len(scored)} of 4 "
                        "elements are scored (at least 3 are needed).")
    measured = {k: e for k, e in applicable.items() if e["measured_score"] is not None}
    w_measured = sum(e["weight"] for e in measured.values())
    measured_value = (sum(e["weight"] * e["measured_score"] for e in measured.values())
                      / w_measured if w_measured else None)
    coverage = (sum(e["weight"] * e["coverage"] for e in applicable.values()) / total
                if total else 0.0)
    sufficient = coverage >= settings.min_coverage - EPSILON
    if not sufficient:
        warnings.append(f"Support Excellence Index: insufficient data (coverage {coverage:.0%} "
                        f"is below the minimum {settings.min_coverage:.0%}).")
    level = index_band(value)
    return {
        "score": value, "measured_score": measured_value, "coverage": coverage,
        "sufficient": sufficient, "missing_kpi": rule,
        "elements_scored": len(scored), "level": level,
        "level_name": levels[level - 1] if level else None,
        "rag": rag(value, settings.amber),
    }


def _points_at_stake(by_area: dict[str, list[dict[str, Any]]],
                     elements: dict[str, dict[str, Any]], rule: str) -> None:
    """Index points a KPI would add at its target (methodology §3), set in place.

    ``zero``: ``(W_e / ΣW_e)·(w_i / Σw_e,applicable)·(100 − s_i)``, a missing KPI at s = 0;
    ``exclude``: ``(W_e / ΣW_scored)·(w_i / Σw_e,with data)·(100 − s_i)``. ``by_area``: each
    element's applicable KPI rows, in framework order.
    """
    if rule == "zero":
        w_all = sum(e["weight"] for e in elements.values() if e["applicable"])
    else:
        w_all = sum(e["weight"] for e in elements.values() if e["score"] is not None)
    for element, info in elements.items():
        rows = by_area.get(element, [])
        if rule == "zero":
            w_base = sum(r["weight"] for r in rows)
            if not rows or not w_all:
                continue
            for r in rows:
                s = r["score"] if r["score"] is not None else 0.0
                r["points_at_stake"] = ((info["weight"] / w_all) * (r["weight"] / w_base)
                                        * (100.0 - s))
            continue
        w_data = sum(r["weight"] for r in rows if r["score"] is not None)
        for r in rows:
            if info["score"] is not None and r["score"] is not None:
                r["points_at_stake"] = ((info["weight"] / w_all) * (r["weight"] / w_data)
                                        * (100.0 - r["score"]))


def _gaps(kpis: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Element KPIs short of target or not measured, largest points at stake first."""
    ranked = [r for r in kpis if r["points_at_stake"] and r["element"] in ELEMENTS]
    ranked.sort(key=lambda r: -r["points_at_stake"])
    return [{"id": r["id"], "element": r["element"], "name": r["name"],
             "points_at_stake": r["points_at_stake"], "score": r["score"],
             "kind": "measure" if r["score"] is None else "improve"} for r in ranked]


# --------------------------------------------------------------------------- questionnaires


def _questionnaire(framework: Framework, planned: tuple[Any, ...], answers: dict[str, Answer],
                   warnings: list[str]) -> dict[str, Any]:
    q, applicable, item_parts = planned
    settings = framework.settings
    scale = framework.answer_scale
    items = []
    for item_id, name, weight in item_parts:
        answer = answers.get(item_id)
        blank = answer in (None, NA)
        items.append({
            "id": item_id, "name": name,
            "answer": None if answer == NA else answer, "na": answer == NA,
            "weight": weight,
            "score": None if blank else 100.0 * answer / 4.0,
            "label": None if blank else scale[answer],
        })
    if not applicable:
        return {"name": q.name, "applicable": False, "score": None, "measured_score": None,
                "coverage": 0.0, "sufficient": False, "level": None, "level_name": None,
                "rag": None, "items": items}
    given = [answers.get(item_id) for item_id, _, _ in item_parts]
    weighted = [(weight, a) for (_, _, weight), a in zip(item_parts, given, strict=True)]
    agg = questionnaire_aggregate(weighted, settings.min_coverage, settings.missing_kpi)
    if agg.score is not None and not agg.sufficient:
        warnings.append(f"{q.name}: only {agg.coverage:.0%} answered, below the minimum "
                        f"{settings.min_coverage:.0%}; blank answers count as 0 (not in place).")
    elif agg.score is None and any(a != NA for a in given):
        warnings.append(f"{q.name}: insufficient answers (coverage {agg.coverage:.0%} is below "
                        f"the minimum {settings.min_coverage:.0%}); not scored.")
    level = maturity_level(agg.score)
    return {
        "name": q.name, "applicable": True, "score": agg.score,
        "measured_score": agg.measured, "coverage": agg.coverage,
        "sufficient": agg.sufficient, "level": level,
        "level_name": scale[level - 1] if level else None,
        "rag": rag(agg.score, settings.amber), "items": items,
    }


# --------------------------------------------------------------------------- renewal


def _renewal(framework: Framework, rows: list[dict[str, Any]],
             practices_q: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    """Renewal health and the projection (methodology §5); ``rows``: the applicable renewal
    KPI rows, in framework order."""
    settings = framework.settings
    rule = settings.missing_kpi
    practices = practices_q["score"]
    b = settings.renewal_blend
    applicable = bool(rows) or practices_q["applicable"]
    agg = aggregate(((r["weight"], r["score"]) for r in rows), settings.min_coverage, rule)
    kpi_value = agg.score
    health = None
    if kpi_value is not None and practices is not None:
        health = b * kpi_value + (1 - b) * practices
    elif kpi_value is not None or practices is not None:
        health = kpi_value if kpi_value is not None else practices
        part, other = (("renewal KPIs", "renewal practices") if kpi_value is not None
                       else ("renewal practices", "renewal KPIs"))
        other_applies = practices_q["applicable"] if kpi_value is not None else bool(rows)
        reason = ("the {} score is missing" if other_applies
                  else "the {} do not apply to this support model").format(other)
        warnings.append(f"Renewal health is the {part} score alone: {reason}.")
    elif applicable:
        warnings.append("Renewal health not computed: neither renewal KPIs nor renewal "
                        "practices have enough data.")
    share = b if practices is not None else 1.0
    w_all = sum(r["weight"] for r in rows)
    w_data = sum(r["weight"] for r in rows if r["score"] is not None)
    for row in rows:
        if rule == "zero":
            s = row["score"] if row["score"] is not None else 0.0
            row["health_points_at_stake"] = share * row["weight"] / w_all * (100.0 - s)
        else:
            row["health_points_at_stake"] = (
                None if row["score"] is None or kpi_value is None
                else share * row["weight"] / w_data * (100.0 - row["score"]))

    by_id: dict[str, dict[str, Any]] = {}
    for r in rows:
        by_id.setdefault(r["id"], r)  # the first of an id, as a scan would find
    rate_row = by_id.get(RENEWAL_RATE_KPI)
    rate = rate_row["current"] if rate_row else None
    target = rate_row["target"] if rate_row else None
    recurring_row = by_id.get(RECURRING_RATE_KPI)
    recurring = recurring_row["current"] if recurring_row else None
    uplift_row = by_id.get(PRICE_UPLIFT_KPI)
    uplift = (uplift_row["current"] if uplift_row and uplift_row["current"] is not None
              else settings.price_uplift)
    projection: list[dict[str, Any]] = []
    basis = None
    if rate_row is not None:
        if rate is None:
            warnings.append("Renewal projection: no current contract renewal rate, so the "
                            "client curve is empty.")
        if recurring is not None:
            value_rate, basis = recurring, "recurring_revenue_rate"
        elif rate is not None and uplift is not None:
            value_rate, basis = rate * (1 + uplift), "renewal_rate_uplift"
        else:
            value_rate = None
        curves = zip(retention_curve(rate), retention_curve(settings.industry_renewal_rate),
                     retention_curve(target), retention_curve(value_rate), strict=True)
        projection = [
            {"year": k, "client": c, "industry": i, "target": t, "client_value": v}
            for k, (c, i, t, v) in enumerate(curves, start=1)
        ]
    return {
        "applicable": applicable,
        "health": health, "kpi_score": kpi_value, "kpi_measured_score": agg.measured,
        "kpi_coverage": agg.coverage, "practices_score": practices, "blend": b,
        "rag": rag(health, settings.amber),
        "contract_renewal_rate": rate, "recurring_revenue_rate": recurring,
        "industry_rate": settings.industry_renewal_rate,
        "price_uplift": uplift, "value_basis": basis, "projection": projection,
    }


# --------------------------------------------------------------------------- expectations


def _expectations(framework: Framework, plan: ScoringPlan, intake: IntakeData) -> dict[str, Any]:
    settings = framework.settings
    threshold = settings.ipa_threshold
    ratings, evidence = intake.ratings, intake.evidence
    dims = []
    for item_id, name in plan.dimensions:
        r = ratings.get(item_id, {})
        i, p, t = r.get("importance"), r.get("performance"), r.get("priority")
        dims.append({
            "id": item_id, "name": name, "importance": i, "performance": p,
            "priority": t, "gap": None if i is None or p is None else i - p,
            "quadrant": quadrant(i, p, threshold),
            "survey": dimension_survey(intake, item_id) if evidence else None,
        })
    return {
        "alignment": alignment([(d["importance"], d["priority"]) for d in dims]),
        "self_rated_alignment": intake.profile.get("self_rated_alignment"),
        "survey_average": settings.alignment_survey_average,
        "survey_source": settings.alignment_survey_source,
        "survey_year": settings.alignment_survey_year,
        "threshold": settings.ipa_threshold,
        "dimensions": dims,
    }


# --------------------------------------------------------------------------- recommendations


def band_side(row: dict[str, Any]) -> str | None:
    """``below`` or ``above`` for a band KPI outside its band, else None."""
    if row["direction"] != "band" or row["current"] is None or not row["band"]:
        return None
    lo, hi = row["band"]
    return "below" if row["current"] < lo else "above" if row["current"] > hi else None


def measure_text(kpi: Kpi) -> str:
    """The recommendation for an applicable KPI that has no value: measure it."""
    return (f"Start measuring {kpi.name}: {kpi.definition.rstrip('.')}. Until it is measured "
            "it counts as 0 in the index.")


def _recommendations(plan: ScoringPlan, kpis: list[dict[str, Any]],
                     questionnaires: dict[str, dict[str, Any]],
                     expectations: dict[str, Any]) -> list[dict[str, Any]]:
    """Ranked recommendations, each with where it comes from and why it ranks where it does.

    Order: element KPIs by points at stake (a KPI without data: measure it); renewal KPIs by
    renewal-health points at stake; practice items answered 0 or 1 by ``w·(4 − a)``;
    expectation dimensions to concentrate on, by gap. Ties keep framework order. A band KPI
    gets the advice for the side of the band its value is on, and no other.
    """
    fw = plan.fw
    measure = plan.measure
    out: list[dict[str, Any]] = []

    def add(source: str, ident: str, name: str, area: str, priority: float, basis: str,
            texts: Iterable[str], side: str | None = None, kind: str = "improve") -> None:
        for text in texts:
            out.append({"source": source, "id": ident, "name": name, "area": area,
                        "priority": priority, "basis": basis, "text": text, "side": side,
                        "kind": kind, "rank": len(out) + 1})

    def kpi_advice(r: dict[str, Any], priority: float, basis: str, area: str) -> None:
        if r["score"] is None:
            add("kpi", r["id"], r["name"], area, priority, basis + " (not measured)",
                [measure[r["id"]]], kind="measure")
            return
        side = band_side(r)
        add("kpi", r["id"], r["name"], area, priority, basis, fw.kpi(r["id"]).advice(side),
            side)

    element_rows = sorted((r for r in kpis if r["points_at_stake"]
                           and r["element"] in ELEMENTS), key=lambda r: -r["points_at_stake"])
    renewal_rows = sorted((r for r in kpis if r.get("health_points_at_stake")),
                          key=lambda r: -r["health_points_at_stake"])
    for r in element_rows:
        kpi_advice(r, r["points_at_stake"], "index points at stake", r["element"])
    for r in renewal_rows:
        kpi_advice(r, r["health_points_at_stake"], "renewal health points at stake", "renewal")
    for qid in PRACTICE_QUESTIONNAIRES:
        if not questionnaires[qid]["applicable"]:
            continue
        items = plan.items[qid]
        weak = [i for i in questionnaires[qid]["items"]
                if i["answer"] is not None and i["answer"] <= 1]
        weak.sort(key=lambda i: -i["weight"] * (4 - i["answer"]))
        for i in weak:
            add("practice", i["id"], i["name"], qid, i["weight"] * (4 - i["answer"]),
                "weight × (4 − answer)", items[i["id"]].recommendations)
    dims = plan.items["customer_expectations"]
    focus = [d for d in expectations["dimensions"] if d["quadrant"] == "concentrate_here"]
    focus.sort(key=lambda d: -d["gap"])
    for d in focus:
        add("expectation", d["id"], d["name"], "customer_expectations", d["gap"],
            "importance − performance", dims[d["id"]].recommendations)
    return out
