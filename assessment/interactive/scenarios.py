"""Named what-if scenarios of one assessment, compared side by side. Pure: no ipywidgets.

A :class:`Scenario` is a snapshot of the inputs (:class:`~assessment.core.model.IntakeData`) and
the results ``score()`` gave for them. :func:`compare` returns plain data (the index and element
scores under both readings of missing data and their deltas, the profile fields that decide
targets and applicability when they differ, the KPIs whose value, effective target or
applicability changed); :func:`render_comparison` turns it into an HTML table for the form's
scenarios view.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from html import escape
from typing import Any

from assessment.core.format import (
    DASH,
    STATUS_LABELS,
    format_coverage,
    format_delta,
    format_score,
    value_text,
)
from assessment.core.model import IntakeData
from assessment.core.results import ResultsView

#: Profile fields that change which targets apply, how money converts, or what applies.
PROFILE_KEYS = ("support_model", "segment", "currency", "fx_rate")


@dataclass(frozen=True)
class Scenario:
    name: str
    data: IntakeData
    results: dict[str, Any]


def snapshot(name: str, data: IntakeData, results: dict[str, Any]) -> Scenario:
    """A scenario holding deep copies, so later edits of the form never change it."""
    return Scenario(name, copy.deepcopy(data), copy.deepcopy(results))


def _delta(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else b - a


def compare(a: Scenario, b: Scenario) -> dict[str, Any]:
    """Scenario ``b`` against ``a``: index, elements, profile and the KPIs that changed."""
    va, vb = ResultsView.from_dict(a.results), ResultsView.from_dict(b.results)
    ia, ib = va.index, vb.index
    index = {"a": ia.score, "b": ib.score, "delta": _delta(ia.score, ib.score),
             "measured_a": ia.measured_score, "measured_b": ib.measured_score,
             "coverage_a": ia.coverage, "coverage_b": ib.coverage,
             "level_a": ia.level_name, "level_b": ib.level_name,
             "readings_a": va.readings("index"), "readings_b": vb.readings("index")}
    elements = {}
    for el in va.elements:
        other = vb.element(el.key)
        score_b = None if other is None else other.score
        elements[el.key] = {
            "name": el.name, "a": el.score, "b": score_b, "delta": _delta(el.score, score_b),
            "measured_a": el.measured_score,
            "measured_b": None if other is None else other.measured_score,
            "coverage_a": el.coverage, "coverage_b": None if other is None else other.coverage,
            "applicable_a": el.applicable,
            "applicable_b": other is not None and other.applicable,
        }
    profile = {key: {"a": va.organization.value(key), "b": vb.organization.value(key)}
               for key in PROFILE_KEYS
               if va.organization.value(key) != vb.organization.value(key)}
    kpis_b = {row.id: row for row in vb.kpis}
    changed = []
    for row in va.kpis:
        other = kpis_b.get(row.id)
        if other is None:
            continue
        fields = [f for f in ("current", "target", "applicable", "derived")
                  if getattr(row, f) != getattr(other, f)]
        if fields:
            changed.append({
                "id": row.id, "name": row.name, "element": row.area,
                "unit": row.unit, "fields": fields,
                "current_a": row.current, "current_b": other.current,
                "target_a": row.target, "target_b": other.target,
                "score_a": row.score, "score_b": other.score,
                "score_delta": _delta(row.score, other.score),
                "status_a": row.status, "status_b": other.status,
                "derived_a": row.derived, "derived_b": other.derived,
                "currency_a": row.currency or va.currency,
                "currency_b": other.currency or vb.currency,
            })
    return {"a": a.name, "b": b.name, "index": index, "elements": elements,
            "profile": profile, "changed_kpis": changed, "currency": va.currency,
            "missing_kpi": va.missing_kpi}


def _cell(score: float | None, measured: float | None, coverage: float | None,
          applicable: bool = True) -> str:
    """A score with, under it, the reading over the measured data when it differs."""
    if not applicable:
        return "<td class='se-na'>not applicable</td>"
    text = format_score(score)
    if coverage is not None and coverage < 1 - 1e-9:
        text += (f"<br><small>measured {format_score(measured)} on "
                 f"{format_coverage(coverage)}</small>")
    return f"<td>{text}</td>"


def render_comparison(comparison: dict[str, Any]) -> str:
    """The comparison as an HTML fragment (every text escaped)."""
    a, b = escape(comparison["a"]), escape(comparison["b"])
    idx = comparison["index"]
    rows = [f"<tr><th>Support Excellence Index</th>"
            f"{_cell(idx['a'], idx.get('measured_a'), idx.get('coverage_a'))}"
            f"{_cell(idx['b'], idx.get('measured_b'), idx.get('coverage_b'))}"
            f"<td>{format_delta(idx['delta'])}</td></tr>"]
    for el in comparison["elements"].values():
        cells = "".join(_cell(el[side], el.get(f"measured_{side}"), el.get(f"coverage_{side}"),
                              el.get(f"applicable_{side}", True)) for side in ("a", "b"))
        rows.append(f"<tr><td>{escape(el['name'])}</td>{cells}"
                    f"<td>{format_delta(el['delta'])}</td></tr>")
    head = f"<tr><th></th><th>{a}</th><th>{b}</th><th>Δ</th></tr>"
    parts = [f"<table class='se-compare'>{head}{''.join(rows)}</table>"]
    if comparison.get("missing_kpi") == "zero":
        parts.append("<p><small>Scores count missing data as 0; the reading over the measured "
                     "data is shown under a score when some data is missing.</small></p>")
    profile = comparison.get("profile") or {}
    if profile:
        items = "".join(f"<li>{escape(key.replace('_', ' '))}: {escape(str(v['a'] or DASH))} → "
                        f"{escape(str(v['b'] or DASH))}</li>" for key, v in profile.items())
        parts.append(f"<p>Profile changed (targets, money or applicability differ):</p>"
                     f"<ul>{items}</ul>")
    changed = comparison["changed_kpis"]
    if changed:
        items = []
        for k in changed:
            def value(side: str, k: dict[str, Any] = k) -> str:
                if k.get(f"status_{side}") == "not_applicable":
                    return STATUS_LABELS["not_applicable"].lower()
                return value_text(k[f"current_{side}"], k["unit"],
                                  k.get(f"currency_{side}") or comparison.get("currency"),
                                  bool(k.get(f"derived_{side}")))

            bits = []
            if {"current", "applicable", "derived"} & set(k["fields"]):
                bits.append(f"current {value('a')} → {value('b')}")
            if "target" in k["fields"]:
                bits.append(f"target {value_text(k['target_a'], k['unit'], k.get('currency_a'))}"
                            f" → {value_text(k['target_b'], k['unit'], k.get('currency_b'))}")
            items.append(f"<li>{escape(k['name'])}: {escape('; '.join(bits))} "
                         f"(score {format_delta(k['score_delta'])})</li>")
        parts.append(f"<p>KPIs changed ({len(changed)}):</p><ul>{''.join(items)}</ul>")
    else:
        parts.append("<p>No KPI changed.</p>")
    return "".join(parts)
