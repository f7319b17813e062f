"""Scores for many organizations at once, column by column (methodology §2–§6).

:func:`score_table` takes a framework and a sequence of :class:`IntakeData` and returns a
:class:`ScoreTable`: every organization's KPI scores (derived values included), the four
elements, the index, the two practice questionnaires, renewal health and the alignment, in both
readings of missing data, as NumPy columns. It is the engine for work over many organizations
(a back office scoring every customer nightly, a portfolio, a what-if grid) where
:func:`~assessment.core.scoring.score`'s full results structure (about 2,500 Python objects an
organization: texts, money, plan, warnings) is not needed.

The numbers are :func:`score`'s, bit for bit: each column is computed with the same floating-
point operations in the same order (sums run KPI by KPI in framework order, as Python's ``sum``
does), so ``tests/test_table.py`` compares them with ``==``. Organizations are grouped by what
fixes their targets (segment, exchange rate, currency, support model) and each group is scored
with NumPy operations over its rows. Pure: no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import Any

import numpy as np

from assessment.core.framework import ELEMENTS, PRACTICE_QUESTIONNAIRES, Framework
from assessment.core.model import NA, IntakeData
from assessment.core.scoring import (
    EPSILON,
    ScoringPlan,
    check_profile,
    fx_rate,
    index_band,
    maturity_level,
    rag,
    scoring_plan,
)

_NAN = math.nan
_EMPTY: dict[str, Any] = {}
#: An answer marked "not applicable", as the answer matrices hold it.
_NA_CODE = -1.0


@dataclass(frozen=True)
class ScoreTable:
    """Scores of ``len(organizations)`` organizations, one row each, NaN where :func:`score`
    gives None. Columns of the 2-D arrays follow ``kpi_ids``, ``ELEMENTS`` and
    ``PRACTICE_QUESTIONNAIRES``. A row whose profile cannot be scored has its problems in
    ``errors`` and NaN everywhere."""

    framework: Framework
    organizations: tuple[str, ...]
    errors: tuple[str | None, ...]
    kpi_ids: tuple[str, ...]
    current: np.ndarray  # the values scored: the intake's, with derived ones filled in
    derived: np.ndarray  # bool: the value was derived from a consistency relation
    kpi_score: np.ndarray
    element_score: np.ndarray
    element_measured: np.ndarray
    element_coverage: np.ndarray
    element_sufficient: np.ndarray  # bool
    index_score: np.ndarray
    index_measured: np.ndarray
    index_coverage: np.ndarray
    index_sufficient: np.ndarray  # bool
    questionnaire_score: np.ndarray
    questionnaire_measured: np.ndarray
    questionnaire_coverage: np.ndarray
    renewal_kpi_score: np.ndarray
    renewal_health: np.ndarray
    alignment: np.ndarray

    def __len__(self) -> int:
        return len(self.organizations)

    def record(self, row: int) -> dict[str, Any]:
        """One organization's scores as plain data, keyed as in results.json (None for NaN)."""
        settings = self.framework.settings
        value = _value
        index = value(self.index_score[row])
        band = index_band(index)
        elements = {e: {"score": value(self.element_score[row, j]),
                        "measured_score": value(self.element_measured[row, j]),
                        "coverage": float(self.element_coverage[row, j]),
                        "sufficient": bool(self.element_sufficient[row, j])}
                    for j, e in enumerate(ELEMENTS)}
        questionnaires = {}
        for j, qid in enumerate(PRACTICE_QUESTIONNAIRES):
            q = value(self.questionnaire_score[row, j])
            questionnaires[qid] = {"score": q,
                                   "measured_score": value(self.questionnaire_measured[row, j]),
                                   "coverage": float(self.questionnaire_coverage[row, j]),
                                   "level": maturity_level(q)}
        return {
            "organization": self.organizations[row], "error": self.errors[row],
            "index": {"score": index, "measured_score": value(self.index_measured[row]),
                      "coverage": float(self.index_coverage[row]),
                      "sufficient": bool(self.index_sufficient[row]), "level": band,
                      "level_name": self.framework.levels[band - 1] if band else None,
                      "rag": rag(index, settings.amber)},
            "elements": elements,
            "kpis": {k: {"current": value(self.current[row, j]),
                         "score": value(self.kpi_score[row, j]),
                         "derived": bool(self.derived[row, j])}
                     for j, k in enumerate(self.kpi_ids)},
            "questionnaires": questionnaires,
            "renewal": {"health": value(self.renewal_health[row]),
                        "kpi_score": value(self.renewal_kpi_score[row])},
            "alignment": value(self.alignment[row]),
        }

    def columns(self) -> dict[str, list[Any]]:
        """A flat table, one list per column (``pandas.DataFrame(table.columns())``): the
        organization, the error, the index, elements, questionnaires, renewal health, the
        alignment and every KPI's score, None for no score."""
        def col(values: np.ndarray) -> list[Any]:
            return [_value(v) for v in values]

        out: dict[str, list[Any]] = {"organization": list(self.organizations),
                                     "error": list(self.errors),
                                     "index": col(self.index_score),
                                     "index_measured": col(self.index_measured),
                                     "index_coverage": col(self.index_coverage)}
        for j, e in enumerate(ELEMENTS):
            out[e] = col(self.element_score[:, j])
            out[f"{e}_measured"] = col(self.element_measured[:, j])
        for j, qid in enumerate(PRACTICE_QUESTIONNAIRES):
            out[qid] = col(self.questionnaire_score[:, j])
        out["renewal_health"] = col(self.renewal_health)
        out["alignment"] = col(self.alignment)
        for j, k in enumerate(self.kpi_ids):
            out[f"kpi.{k}"] = col(self.kpi_score[:, j])
        return out


def _value(x: Any) -> float | None:
    x = float(x)
    return None if x != x else x


def score_table(framework: Framework, intakes: Sequence[IntakeData]) -> ScoreTable:
    """Score every intake; the numbers equal :func:`score`'s (see the module docstring)."""
    n = len(intakes)
    kpi_ids = tuple(k.id for k in framework.kpis)
    k_count, e_count, q_count = len(kpi_ids), len(ELEMENTS), len(PRACTICE_QUESTIONNAIRES)

    def nan(*shape: int) -> np.ndarray:
        return np.full(shape, _NAN)

    cols = {
        "current": nan(n, k_count), "derived": np.zeros((n, k_count), bool),
        "kpi_score": nan(n, k_count),
        "element_score": nan(n, e_count), "element_measured": nan(n, e_count),
        "element_coverage": np.zeros((n, e_count)),
        "element_sufficient": np.zeros((n, e_count), bool),
        "index_score": nan(n), "index_measured": nan(n), "index_coverage": np.zeros(n),
        "index_sufficient": np.zeros(n, bool),
        "questionnaire_score": nan(n, q_count), "questionnaire_measured": nan(n, q_count),
        "questionnaire_coverage": np.zeros((n, q_count)),
        "renewal_kpi_score": nan(n), "renewal_health": nan(n), "alignment": nan(n),
    }
    errors: list[str | None] = [None] * n
    groups: dict[Any, list[int]] = {}
    for i, intake in enumerate(intakes):
        profile = intake.profile
        issues = check_profile(framework, profile)
        if issues:
            errors[i] = "; ".join(str(issue) for issue in issues)
            continue
        currency = profile.get("currency")
        key = (profile.get("segment") or None, fx_rate(framework, profile),
               currency if currency is None or isinstance(currency, str) else ("odd", i),
               profile.get("support_model"))
        groups.setdefault(key, []).append(i)
    with np.errstate(divide="ignore", invalid="ignore"):
        for (segment, fx, _, model), rows in groups.items():
            profile = intakes[rows[0]].profile
            fw = framework.resolved(segment, fx)
            plan = scoring_plan(framework, fw, segment, fx, profile.get("currency"), model)
            _score_group(framework, plan, [intakes[i] for i in rows], np.asarray(rows), cols)
    organizations = tuple(str(i.profile.get("organization") or "") for i in intakes)
    return ScoreTable(framework=framework, organizations=organizations, errors=tuple(errors),
                      kpi_ids=kpi_ids, **cols)


def _score_group(framework: Framework, plan: ScoringPlan, intakes: list[IntakeData], at: np.ndarray,
                 cols: dict[str, np.ndarray]) -> None:
    """Score organizations sharing one plan; write their rows ``at`` into ``cols``."""
    settings = framework.settings
    rule, min_cov = settings.missing_kpi, settings.min_coverage - EPSILON
    fw = plan.fw
    n = len(intakes)
    ids = [p[0] for p in plan.kpis]
    column = {kid: j for j, kid in enumerate(ids)}
    current = np.array([[c.get(k) for k in ids] for c in (i.current for i in intakes)],
                       dtype=float).reshape(n, len(ids))

    # consistency relations (§7): a blank stated KPI takes the implied value, in order
    derived = np.zeros(current.shape, bool)
    profile_terms: dict[str, np.ndarray] = {}
    for rel, _ in plan.relations:
        values = {t: _term(t, current, column, intakes, profile_terms) for t in rel.terms}
        implied = np.full(n, float(rel.factor))
        for t in rel.product:
            implied = implied * values[t]
        for t in rel.divide:
            implied = implied / values[t]
        for t in rel.divide:
            implied[values[t] == 0] = _NAN
        if not rel.value.startswith("kpi."):
            continue
        kpi = fw.kpi(rel.value[4:])
        lo, hi = fw.valid_range(kpi)
        take = np.isnan(values[rel.value]) & ~np.isnan(implied)
        if lo is not None:
            take &= implied >= lo
        if hi is not None:
            take &= implied <= hi
        j = column[kpi.id]
        current[take, j] = implied[take]
        derived[take, j] = True

    # KPI scores (§2)
    scores = np.full(current.shape, _NAN)
    overrides = [(r, i.targets) for r, i in enumerate(intakes) if i.targets]
    by_area: dict[str, list[tuple[int, float]]] = {}
    for j, (kid, element, _, _, direction, target, floor, _, band, weight, applicable,
            *_rest) in enumerate(plan.kpis):
        if not applicable:
            continue
        by_area.setdefault(element, []).append((j, weight))
        c = current[:, j]
        if direction == "band":
            (lo, hi), (f_lo, f_hi) = band, floor
            below = 100.0 * _clamp01((c - f_lo) / (lo - f_lo))
            above = 100.0 * _clamp01((f_hi - c) / (f_hi - hi))
            scores[:, j] = np.where(c < lo, below, np.where(c > hi, above, 100.0))
        else:
            t = np.full(n, float(target))
            for r, targets in overrides:
                if kid in targets:
                    t[r] = targets[kid]
            if direction == "higher":
                scores[:, j] = 100.0 * _clamp01((c - floor) / (t - floor))
            else:
                scores[:, j] = 100.0 * _clamp01((floor - c) / (floor - t))
        scores[np.isnan(c), j] = _NAN

    # elements and the index (§3)
    e_score, e_measured = np.full((n, len(ELEMENTS)), _NAN), np.full((n, len(ELEMENTS)), _NAN)
    e_cov, e_suff = np.zeros((n, len(ELEMENTS))), np.zeros((n, len(ELEMENTS)), bool)
    applicable_elements = []
    for e, element in enumerate(ELEMENTS):
        members = by_area.get(element, [])
        if not members:
            continue
        applicable_elements.append(e)
        agg = _aggregate(scores, members, min_cov, rule)
        e_score[:, e], e_measured[:, e], e_cov[:, e], e_suff[:, e] = agg
    weights = [settings.element_weights[e] for e in ELEMENTS]
    total = sum(weights[e] for e in applicable_elements)
    value, value_w, measured, measured_w, coverage = (np.zeros(n) for _ in range(5))
    scored_count = np.zeros(n, int)
    for e in applicable_elements:
        w, s, m = weights[e], e_score[:, e], e_measured[:, e]
        has, has_m = ~np.isnan(s), ~np.isnan(m)
        value += np.where(has, w * s, 0.0)
        value_w += np.where(has, w, 0.0)
        scored_count += has
        measured += np.where(has_m, w * m, 0.0)
        measured_w += np.where(has_m, w, 0.0)
        coverage += w * e_cov[:, e]
    if rule == "zero":
        index = value / total if total else np.full(n, _NAN)
    else:
        index = np.where(scored_count >= 3, value / value_w, _NAN)
    index_measured = np.where(measured_w != 0, measured / measured_w, _NAN)
    index_coverage = coverage / total if total else np.zeros(n)

    # the practice questionnaires (§4)
    q_score = np.full((n, len(PRACTICE_QUESTIONNAIRES)), _NAN)
    q_measured, q_cov = q_score.copy(), np.zeros(q_score.shape)
    code = {NA: _NA_CODE, None: _NAN}
    for j, qid in enumerate(PRACTICE_QUESTIONNAIRES):
        _, q_applies, items = plan.questionnaires[qid]
        if not q_applies or not items:
            continue
        item_ids = [i[0] for i in items]
        answers = np.array([[code.get(a, a) for a in map(given.get, item_ids)]
                            for given in [i.answers.get(qid, _EMPTY) for i in intakes]],
                           dtype=float).reshape(n, len(items))
        q_score[:, j], q_measured[:, j], q_cov[:, j], _ = _questionnaire(
            answers, [i[2] for i in items], min_cov, rule)

    # renewal health (§5)
    renewal = by_area.get("renewal", [])
    practices = q_score[:, PRACTICE_QUESTIONNAIRES.index("renewal_practices")]
    kpi_value = (_aggregate(scores, renewal, min_cov, rule)[0] if renewal
                 else np.full(n, _NAN))
    b = settings.renewal_blend
    health = np.where(np.isnan(kpi_value), practices,
                      np.where(np.isnan(practices), kpi_value,
                               b * kpi_value + (1 - b) * practices))

    # alignment (§6)
    dims = [d for d, _ in plan.dimensions]
    ratings = np.array([[x for r in map(given.get, dims, repeat(_EMPTY))
                         for x in (r.get("importance"), r.get("priority"))]
                        for given in [i.ratings for i in intakes]],
                       dtype=float).reshape(n, len(dims), 2)
    gaps, count = np.zeros(n), np.zeros(n, int)
    for d in range(len(dims)):
        importance, priority = ratings[:, d, 0], ratings[:, d, 1]
        both = ~(np.isnan(importance) | np.isnan(priority))
        gaps += np.where(both, np.abs(importance - priority), 0.0)
        count += both
    alignment = np.where(count > 0, 10.0 * (1.0 - gaps / (4.0 * count)), _NAN)

    for name, values in (
            ("current", current), ("derived", derived), ("kpi_score", scores),
            ("element_score", e_score), ("element_measured", e_measured),
            ("element_coverage", e_cov), ("element_sufficient", e_suff),
            ("index_score", index), ("index_measured", index_measured),
            ("index_coverage", index_coverage),
            ("index_sufficient", index_coverage >= min_cov),
            ("questionnaire_score", q_score), ("questionnaire_measured", q_measured),
            ("questionnaire_coverage", q_cov), ("renewal_kpi_score", kpi_value),
            ("renewal_health", health), ("alignment", alignment)):
        cols[name][at] = values


def _clamp01(x: np.ndarray) -> np.ndarray:
    """``min(1, max(0, x))`` as :func:`scoring.clamp01` (NaN stays NaN; -0.0 becomes 0.0)."""
    return np.minimum(1.0, np.maximum(0.0, x)) + 0.0


def _term(term: str, current: np.ndarray, column: dict[str, int], intakes: list[IntakeData],
          profile_terms: dict[str, np.ndarray]) -> np.ndarray:
    """A relation term's values: a KPI column as scored so far, or a numeric profile field
    (kept in ``profile_terms``: the profile does not change)."""
    kind, _, key = term.partition(".")
    if kind == "kpi":
        return current[:, column[key]].copy() if key in column else np.full(len(intakes), _NAN)
    if key not in profile_terms:
        profile_terms[key] = np.array(
            [float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else _NAN
             for v in [i.profile.get(key) for i in intakes]], dtype=float)
    return profile_terms[key]


def _aggregate(scores: np.ndarray, members: list[tuple[int, float]], min_cov: float,
               rule: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`scoring.aggregate` over the KPI columns ``members`` ((column, weight), in
    framework order): score, measured score, coverage, sufficient."""
    n = scores.shape[0]
    total = sum([w for _, w in members])
    covered, weighted, count = np.zeros(n), np.zeros(n), np.zeros(n, int)
    for j, w in members:
        s = scores[:, j]
        has = ~np.isnan(s)
        covered += np.where(has, w, 0.0)
        weighted += np.where(has, w * s, 0.0)
        count += has
    return _finish(total, covered, weighted, count, min_cov, rule)


def _questionnaire(answers: np.ndarray, weights: list[float], min_cov: float,
                   rule: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`scoring.questionnaire_aggregate`: n/a items leave the base, blanks count."""
    n = answers.shape[0]
    total, covered, weighted = np.zeros(n), np.zeros(n), np.zeros(n)
    count = np.zeros(n, int)
    for j, w in enumerate(weights):
        a = answers[:, j]
        applies = a != _NA_CODE
        has = applies & ~np.isnan(a)
        total += np.where(applies, w, 0.0)
        covered += np.where(has, w, 0.0)
        weighted += np.where(has, w * (100.0 * a / 4.0), 0.0)
        count += has
    return _finish(total, covered, weighted, count, min_cov, rule)


def _finish(total: Any, covered: np.ndarray, weighted: np.ndarray, count: np.ndarray,
            min_cov: float, rule: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Score, measured, coverage and sufficiency from the sums of the weights, of the
    weights with a value and of weight × value, and the count of values (``total`` is a
    number or a column; 0 means nothing applies, as in :func:`scoring.aggregate`)."""
    total = np.broadcast_to(np.asarray(total, float), covered.shape)
    present = count > 0
    some = total != 0
    coverage = np.where(some, covered / total, 0.0)
    sufficient = present & some & (coverage >= min_cov)
    measured = np.where(present & some, weighted / covered, _NAN)
    if rule == "zero":
        value = np.where(some, weighted / total, _NAN)
    else:
        value = np.where(sufficient, measured, _NAN)
    return value, measured, coverage, sufficient
