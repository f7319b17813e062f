"""Named what-if scenarios of one assessment, compared side by side. Pure: no ipywidgets.

A :class:`Scenario` is a snapshot of the inputs (:class:`~assessment.core.model.IntakeData`) and
the results ``score()`` gave for them. :func:`compare` returns plain data (index, element
scores and their deltas, the KPIs whose current value or effective target changed);
:func:`render_comparison` turns it into an HTML table for the form's scenarios view.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from html import escape
from typing import Any

from assessment.core.format import format_delta, format_score, format_value
from assessment.core.model import IntakeData
from assessment.core.results import ResultsView


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
    """Scenario ``b`` against ``a``: index, elements and the KPIs that changed."""
    va, vb = ResultsView.from_dict(a.results), ResultsView.from_dict(b.results)
    index = {"a": va.index.score, "b": vb.index.score,
             "delta": _delta(va.index.score, vb.index.score),
             "level_a": va.index.level_name, "level_b": vb.index.level_name}
    elements = {}
    for el in va.elements:
        other = vb.element(el.key)
        score_b = None if other is None else other.score
        elements[el.key] = {"name": el.name, "a": el.score, "b": score_b,
                            "delta": _delta(el.score, score_b)}
    kpis_b = {row.id: row for row in vb.kpis}
    changed = []
    for row in va.kpis:
        other = kpis_b.get(row.id)
        if other is None:
            continue
        fields = [f for f in ("current", "target") if getattr(row, f) != getattr(other, f)]
        if fields:
            changed.append({
                "id": row.id, "name": row.name, "element": row.area,
                "unit": row.unit, "fields": fields,
                "current_a": row.current, "current_b": other.current,
                "target_a": row.target, "target_b": other.target,
                "score_a": row.score, "score_b": other.score,
                "score_delta": _delta(row.score, other.score),
            })
    return {"a": a.name, "b": b.name, "index": index, "elements": elements,
            "changed_kpis": changed, "currency": va.currency}


def render_comparison(comparison: dict[str, Any]) -> str:
    """The comparison as an HTML fragment (every text escaped)."""
    a, b = escape(comparison["a"]), escape(comparison["b"])
    idx = comparison["index"]
    rows = [f"<tr><th>Support Excellence Index</th><td>{format_score(idx['a'])}</td>"
            f"<td>{format_score(idx['b'])}</td><td>{format_delta(idx['delta'])}</td></tr>"]
    for el in comparison["elements"].values():
        rows.append(f"<tr><td>{escape(el['name'])}</td><td>{format_score(el['a'])}</td>"
                    f"<td>{format_score(el['b'])}</td><td>{format_delta(el['delta'])}</td></tr>")
    head = f"<tr><th></th><th>{a}</th><th>{b}</th><th>Δ</th></tr>"
    parts = [f"<table class='se-compare'>{head}{''.join(rows)}</table>"]
    changed = comparison["changed_kpis"]
    if changed:
        items = []
        currency = comparison.get("currency")
        for k in changed:
            bits = []
            if "current" in k["fields"]:
                bits.append(f"current {format_value(k['current_a'], k['unit'], currency)} → "
                            f"{format_value(k['current_b'], k['unit'], currency)}")
            if "target" in k["fields"]:
                bits.append(f"target {format_value(k['target_a'], k['unit'], currency)} → "
                            f"{format_value(k['target_b'], k['unit'], currency)}")
            items.append(f"<li>{escape(k['name'])}: {escape('; '.join(bits))} "
                         f"(score {format_delta(k['score_delta'])})</li>")
        parts.append(f"<p>KPIs changed ({len(changed)}):</p><ul>{''.join(items)}</ul>")
    else:
        parts.append("<p>No KPI changed.</p>")
    return "".join(parts)
