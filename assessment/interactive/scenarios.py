"""Named what-if scenarios of one assessment, compared side by side. Pure: no ipywidgets.

A :class:`Scenario` is a snapshot of the inputs (:class:`~assessment.core.model.IntakeData`) and
the results ``score()`` gave for them. :func:`compare` returns plain data (the index and element
scores under both readings of missing data and their deltas, the profile fields that decide
targets and applicability when they differ, the KPIs whose value, effective target or
applicability changed, and the money: the business-case total (low, base and high, a year) and
each driver's base value with their changes); :func:`render_comparison` turns it into HTML for
the form's scenarios view, the money beside the index change.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from html import escape
from typing import Any

from assessment.core.format import (
    DASH,
    DRIVER_STATUS_LABELS,
    STATUS_LABELS,
    format_coverage,
    format_delta,
    format_money,
    format_score,
    needs_data_text,
    value_text,
)
from assessment.core.model import IntakeData
from assessment.core.results import ResultsView

#: Profile fields that change which targets apply, how money converts, or what applies.
PROFILE_KEYS = ("support_model", "segment", "currency", "fx_rate")
#: The cases of the business case, in order.
CASES = ("low", "base", "high")


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
            "missing_kpi": va.missing_kpi, "business_case": compare_money(va, vb)}


def compare_money(va: ResultsView, vb: ResultsView) -> dict[str, Any]:
    """The business case of ``vb`` against ``va`` (methodology §10), a year: the total in
    each case and each driver's base value, with the change. A change is None where either
    side has no figure, and everywhere when the two scenarios report in different currencies
    (money in two currencies is not subtracted)."""
    ca, cb = va.business_case, vb.business_case
    same = va.currency == vb.currency
    total_a, total_b = ca.total or {}, cb.total or {}
    total = {case: {"a": total_a.get(case), "b": total_b.get(case),
                    "delta": _delta(total_a.get(case), total_b.get(case)) if same else None}
             for case in CASES}
    drivers_b = {d.id: d for d in cb.drivers}
    drivers = []
    for d in ca.drivers:
        other = drivers_b.get(d.id)
        base_b = None if other is None else other.base
        drivers.append({
            "id": d.id, "name": d.name, "a": d.base, "b": base_b,
            "delta": _delta(d.base, base_b) if same else None,
            "status_a": d.status, "status_b": None if other is None else other.status,
            "needs_a": list(d.needs), "needs_b": [] if other is None else list(other.needs),
            "counted_a": d.counted, "counted_b": other is not None and other.counted,
        })
    return {"currency_a": va.currency, "currency_b": vb.currency, "same_currency": same,
            "total": total, "drivers": drivers}


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
    parts = [money_headline(comparison),
             f"<table class='se-compare'>{head}{''.join(rows)}</table>",
             _money_table(comparison, head)]
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


def _signed_money(value: float | None, currency: str | None) -> str:
    """A change of money with its sign: ``+USD 253,800``, ``-USD 1,200``, ``USD 0``."""
    if value is None:
        return DASH
    if abs(value) < 0.5:
        return format_money(0.0, currency)
    sign = "+" if value > 0 else "-"
    return sign + format_money(abs(value), currency)


def money_headline(comparison: dict[str, Any]) -> str:
    """One sentence: the index change and what the scenario is worth a year, as an HTML
    paragraph. The business-case total is the money still at stake (what reaching the targets
    is worth), so a scenario that closes gaps lowers it: the fall is what the scenario is
    worth; the change is given in the base, low and high cases."""
    money = comparison.get("business_case")
    index = f"index {format_delta(comparison['index']['delta'])} points"
    if not money:
        return f"<p class='se-money-delta'><b>{escape(comparison['b'])}</b>: {index}.</p>"
    total = money["total"]
    currency = money["currency_b"]
    if not money["same_currency"]:
        worth = ("money not compared: the scenarios report in different currencies "
                 f"({money['currency_a'] or DASH} and {money['currency_b'] or DASH})")
    elif total["base"]["delta"] is None:
        worth = "no business-case total on " + ("both sides" if total["base"]["a"] is None
                                                and total["base"]["b"] is None else "one side")
    else:
        delta = total["base"]["delta"]
        change = (f"{_signed_money(delta, currency)} a year (base case; low "
                  f"{_signed_money(total['low']['delta'], currency)}, high "
                  f"{_signed_money(total['high']['delta'], currency)})")
        if delta <= -0.5:
            worth = (f"worth about {format_money(-delta, currency)} a year: the money still "
                     f"at stake in the business case changes by {change}")
        elif delta >= 0.5:
            worth = (f"the money still at stake in the business case grows by {change}, "
                     "so it is worth less than the first")
        else:
            worth = "no change in the money at stake in the business case"
    return (f"<p class='se-money-delta'><b>{escape(comparison['b'])}</b> against "
            f"<b>{escape(comparison['a'])}</b>: {index}; {escape(worth)}.</p>")


def _driver_cell(value: float | None, status: str | None, needs: list[str], counted: bool,
                 currency: str | None) -> str:
    if status == "needs_data":
        return f"<td class='se-needs-data'>{escape(needs_data_text(needs))}</td>"
    if value is None:
        label = DRIVER_STATUS_LABELS.get(status or "", DASH)
        return f"<td>{escape(label.lower() if status else DASH)}</td>"
    mark = "" if counted or not value else " <small>(not in the total)</small>"
    return f"<td>{escape(format_money(value, currency))}{mark}</td>"


def _money_table(comparison: dict[str, Any], head: str) -> str:
    """The business case of both scenarios, a year: the total in each case, then each
    driver's base value, with the change."""
    money = comparison.get("business_case")
    if not money:
        return ""
    ca, cb = money["currency_a"], money["currency_b"]
    rows = []
    for case in ("base", "low", "high"):
        t = money["total"][case]
        label = "Business case total a year" + ("" if case == "base" else f" ({case} case)")
        rows.append(f"<tr><th>{label}</th><td>{escape(format_money(t['a'], ca))}</td>"
                    f"<td>{escape(format_money(t['b'], cb))}</td>"
                    f"<td>{escape(_signed_money(t['delta'], cb))}</td></tr>")
    for d in money["drivers"]:
        rows.append(f"<tr><td>{escape(d['name'])}</td>"
                    + _driver_cell(d["a"], d["status_a"], d["needs_a"], d["counted_a"], ca)
                    + _driver_cell(d["b"], d["status_b"], d["needs_b"], d["counted_b"], cb)
                    + f"<td>{escape(_signed_money(d['delta'], cb))}</td></tr>")
    return (f"<table class='se-compare se-compare-money'>{head}{''.join(rows)}</table>"
            "<p><small>Money a year, base case unless marked; the total adds the drivers "
            "that do not overlap (the larger of two overlapping ones).</small></p>")
