"""Money and a plan (methodology §5 money, §10): renewal money, the business case, the
roadmap and the executive summary. Pure: plain data in, plain data out.

:func:`extend` adds ``renewal.money``, ``business_case``, ``roadmap`` and
``executive_summary`` to a results structure that :func:`assessment.core.scoring.score` has
built. Every money figure is in the client's currency: framework-currency assumptions are
multiplied by the exchange rate, as targets are. The formulas are the fixed set of
:data:`~assessment.core.framework.FORMULAS`, written out in docs/methodology.md.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from typing import Any

from assessment.core.format import (
    format_coverage,
    format_money,
    format_number,
    format_percent,
    format_points,
    format_score,
    format_value,
    readings,
)
from assessment.core.framework import (
    EFFORTS,
    ELEMENTS,
    FINDING_PLACEHOLDERS,
    MONEY_VOLUMES,
    Assumption,
    Driver,
    Framework,
)
from assessment.core.model import IntakeData

__all__ = ["FINDING_PLACEHOLDERS", "extend"]

#: Cases of the business case, in order.
CASES: tuple[str, ...] = ("low", "base", "high")
#: Findings the executive summary shows at most (and tries to show at least).
MAX_FINDINGS, MIN_FINDINGS = 5, 3
#: Initiatives the executive summary lists.
TOP_INITIATIVES = 3
#: How the roadmap ranks, in words (shown with it).
RANKING = ("value for effort: the initiative's share of all index points at stake plus its "
           "share of all money at stake (base case), divided by its effort (S 1, M 2, L 3)")


def extend(base: Framework, intake: IntakeData, results: dict[str, Any],
           fx: float | None) -> None:
    """Add the money parts and the plan to ``results`` (in place).

    ``base`` is the framework as loaded (targets come from the scored KPI rows, already
    resolved), ``fx`` the exchange rate (None in the framework's currency).
    """
    currency = intake.profile.get("currency")
    results["renewal"]["money"] = renewal_money(results, intake.profile)
    results["business_case"] = business_case(base, results, intake.profile, fx, currency)
    results["roadmap"] = roadmap(base, results, intake)
    results["executive_summary"] = executive_summary(base, results, intake)


# --------------------------------------------------------------------------- renewal money


def renewal_money(results: Mapping[str, Any], profile: Mapping[str, Any]) -> dict | None:
    """§5 in money: ``V·curve(k)`` for the client, the target and the industry curve (the
    contract renewal rate's curves: the starting cohort's contract value at constant price),
    and the renewal revenue at stake ``Σ_k V·(target(k) − client(k))``.

    None without a revenue base or a client renewal rate, or where renewal does not apply.
    Uplifts and expansion are not in it: they are the value curve's, shown beside.
    """
    renewal = results["renewal"]
    base = _number(profile.get("contract_revenue_base"))
    projection = renewal.get("projection") or []
    if not renewal.get("applicable") or base is None or not projection or any(
            p["client"] is None or p["target"] is None for p in projection):
        return None
    years = [{"year": p["year"], "client": base * p["client"], "target": base * p["target"],
              "industry": base * p["industry"]} for p in projection]
    return {"base": base, "currency": profile.get("currency"), "basis": "contract_renewal_rate",
            "years": years, "at_stake": sum(y["target"] - y["client"] for y in years)}


# --------------------------------------------------------------------------- business case


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _assumption_value(a: Assumption, case: str, fx: float | None,
                      values: Mapping[str, float] | None = None) -> float:
    """An assumption's value in ``case``, money converted to the client's currency;
    ``values`` pins some assumptions (sensitivity)."""
    value = values[a.id] if values and a.id in values else getattr(a, case)
    return value * fx if fx and a.unit == "currency" else value


class _DriverPlan:
    """What a driver needs that depends on the framework alone: computed once per framework."""

    __slots__ = ("driver", "field", "kpi_id", "roles")

    def __init__(self, driver: Driver, assumptions: Mapping[str, Assumption]) -> None:
        self.driver = driver
        self.field = driver.inputs[0].partition(".")[2]
        self.kpi_id = driver.inputs[1].partition(".")[2]
        self.roles = tuple(assumptions[aid] for aid in driver.assumptions)


def _driver_plans(base: Framework) -> dict[str, _DriverPlan]:
    """Each driver's plan by id, kept on the framework (:meth:`Framework.memo`)."""
    def build() -> dict[str, _DriverPlan]:
        assumptions = {}
        for a in base.assumptions:  # the first of an id, as a scan would find
            assumptions.setdefault(a.id, a)
        return {d.id: _DriverPlan(d, assumptions) for d in base.drivers}
    return base.memo("business.driver_plans", build)


class _Figures:
    """One organization's figures the drivers read: the KPI rows by id and the profile."""

    __slots__ = ("kpis", "own_cost", "profile", "fx")

    def __init__(self, results: Mapping[str, Any], profile: Mapping[str, Any],
                 fx: float | None) -> None:
        kpis: dict[str, Any] = {}
        for k in results["kpis"]:
            kpis.setdefault(k["id"], k)  # the first of an id, as a scan would find
        self.kpis = kpis
        own = kpis.get("cost_per_case")
        self.own_cost = own["current"] if own is not None else None
        self.profile = profile
        self.fx = fx


def _driver(base: Framework, driver: Driver, results: Mapping[str, Any],
            profile: Mapping[str, Any], fx: float | None, currency: str | None,
            figures: _Figures | None = None) -> dict[str, Any]:
    """One driver: its annual value in each case, or why it has none."""
    plan = _driver_plans(base)[driver.id]
    figures = figures or _Figures(results, profile, fx)
    field, kpi_id = plan.field, plan.kpi_id
    row = figures.kpis.get(kpi_id) or {}
    out: dict[str, Any] = {
        "id": driver.id, "name": driver.name, "formula": driver.formula,
        "description": driver.description, "overlaps": list(driver.overlaps),
        "status": "ok", "needs": [], "low": None, "base": None, "high": None,
        "five_year": None, "formula_text": "", "counted": False, "excluded_because": None,
        "inputs": {field: _number(profile.get(field)), kpi_id: row.get("current")},
        "assumptions": [{
            "id": a_id, "name": name, "unit": unit, "source": source, "year": year,
            "note": note, "low": low, "base": base_value, "high": high,
        } for a_id, name, unit, source, year, note, low, base_value, high
            in _assumption_rows(base, plan, fx)],
    }
    if not row.get("applicable", True):
        out["status"] = "not_applicable"
        return out
    if driver.formula == "renewal_at_stake":
        money = results["renewal"].get("money")
        if not results["renewal"].get("applicable"):
            out["status"] = "not_applicable"
        elif money is None:
            out["needs"] = [n for n, v in ((field, profile.get(field)),
                                           (kpi_id, row.get("current"))) if v is None]
            out["status"] = "needs_data"
        else:
            _renewal_value(out, money, currency, row.get("current"), row.get("target"))
        return out
    volume = _number(profile.get(field))
    needs = [n for n, v in ((field, volume), (kpi_id, row.get("current"))) if v is None]
    if row.get("target") is None:
        needs.append(f"{kpi_id} target")
    if needs:
        out["needs"], out["status"] = needs, "needs_data"
        return out
    for case in CASES:
        out[case] = _value(plan, figures, case)
    out["formula_text"] = _formula_text(plan, figures, currency, out["base"])
    if not out["base"]:
        out["status"] = "no_gap"
    return out


def _assumption_rows(base: Framework, plan: _DriverPlan,
                     fx: float | None) -> tuple[tuple[Any, ...], ...]:
    """The parts of a driver's ``assumptions`` rows at rate ``fx``, kept on the framework."""
    def build() -> tuple[tuple[Any, ...], ...]:
        return tuple((a.id, a.name, a.unit, a.source, a.year, a.note,
                      *(_assumption_value(a, case, fx) for case in CASES))
                     for a in plan.roles)
    return base.memo(("business.assumption_rows", plan.driver.id, fx), build)


def _renewal_value(out: dict[str, Any], money: Mapping[str, Any], currency: str | None,
                   rate: float | None, target: float | None) -> None:
    at_stake = money["at_stake"]
    years = len(money["years"])
    annual = max(0.0, at_stake) / years
    out.update(low=annual, base=annual, high=annual, five_year=at_stake,
               status="ok" if at_stake > 0 else "no_gap")
    out["formula_text"] = (
        f"{format_money(money['base'], currency)} × Σ over years k = 1–{years} of "
        f"({format_percent(target)}^(k−1) target − {format_percent(rate)}^(k−1) client) = "
        f"{format_money(at_stake, currency)} over {years} years; ÷ {years} = "
        f"{format_money(annual, currency)} a year")


def _cost_per_contact(results: Mapping[str, Any], assumption: Assumption, case: str,
                      fx: float | None, values: Mapping[str, float] | None) -> float:
    """The client's cost per case where known, else the assumption."""
    own = next((k["current"] for k in results["kpis"] if k["id"] == "cost_per_case"), None)
    return own if own is not None else _assumption_value(assumption, case, fx, values)


def driver_value(driver: Driver, base: Framework, results: Mapping[str, Any],
                 profile: Mapping[str, Any], fx: float | None, case: str = "base",
                 values: Mapping[str, float] | None = None) -> float:
    """A driver's annual value in ``case`` (inputs known; see :func:`_driver`)."""
    return _value(_driver_plans(base)[driver.id], _Figures(results, profile, fx), case, values)


def _value(plan: _DriverPlan, figures: _Figures, case: str,
           values: Mapping[str, float] | None = None) -> float:
    """:func:`driver_value` from the driver's plan and the organization's figures."""
    driver = plan.driver
    row = figures.kpis[plan.kpi_id]
    volume = float(figures.profile[plan.field])
    c, t = row["current"], row["target"]
    gap = max(0.0, c - t) if row["direction"] == "lower" else max(0.0, t - c)
    if driver.formula == "cost_gap":
        return volume * gap
    roles, fx = plan.roles, figures.fx
    own = figures.own_cost
    if driver.formula == "self_service_shift":
        self_service = _assumption_value(roles[0], case, fx, values)
        assisted = own if own is not None else _assumption_value(roles[1], case, fx, values)
        return volume * gap * max(0.0, assisted - self_service)
    if driver.formula == "repeat_contacts":
        repeats = _assumption_value(roles[0], case, fx, values)
        cost = own if own is not None else _assumption_value(roles[1], case, fx, values)
        return volume * gap * repeats * cost
    raise ValueError(f"formula {driver.formula!r} has no annual value of its own")


def formula_text(driver: Driver, base: Framework, results: Mapping[str, Any],
                 profile: Mapping[str, Any], fx: float | None, currency: str | None) -> str:
    """The base-case formula with the client's numbers put in."""
    plan, figures = _driver_plans(base)[driver.id], _Figures(results, profile, fx)
    return _formula_text(plan, figures, currency, _value(plan, figures, "base"))


def _formula_text(plan: _DriverPlan, figures: _Figures, currency: str | None,
                  base_value: float) -> str:
    """:func:`formula_text`, given the driver's base-case value."""
    driver, field, roles, fx = plan.driver, plan.field, plan.roles, figures.fx
    row = figures.kpis[plan.kpi_id]
    volume = format_number(float(figures.profile[field]), 0)
    unit = row["unit"]
    c, t = (format_value(row["current"], unit, currency),
            format_value(row["target"], unit, currency))
    gap = (f"max(0, {c} − {t} target)" if row["direction"] == "lower"
           else f"max(0, {t} target − {c})")
    value = format_money(base_value, currency)
    if driver.formula == "cost_gap":
        return f"{volume} {field.replace('_', ' ')} × {gap} = {value} a year"
    own = figures.own_cost
    cost = (f"{format_money(own, currency)} cost per case" if own is not None else
            f"{format_money(_assumption_value(roles[1], 'base', fx), currency)} "
            f"{roles[1].name.lower()} (assumption)")
    if driver.formula == "self_service_shift":
        ss = format_money(_assumption_value(roles[0], "base", fx), currency)
        return (f"{volume} {field.replace('_', ' ')} × {gap} × ({cost} − {ss} "
                f"{roles[0].name.lower()}) = {value} a year")
    repeats = format_number(_assumption_value(roles[0], "base", fx))
    return (f"{volume} {field.replace('_', ' ')} × {gap} × {repeats} "
            f"({roles[0].name.lower()}) × {cost} = {value} a year")


def business_case(base: Framework, results: Mapping[str, Any], profile: Mapping[str, Any],
                  fx: float | None, currency: str | None) -> dict[str, Any]:
    """Methodology §10: every driver, the total without overlaps, and the sensitivity."""
    figures = _Figures(results, profile, fx)
    drivers = [_driver(base, d, results, profile, fx, currency, figures) for d in base.drivers]
    counted = _counted({d["id"]: d["base"] for d in drivers if d["status"] == "ok"},
                       {d["id"]: d["overlaps"] for d in drivers})
    names = {}
    for x in drivers:
        names.setdefault(x["id"], x["name"])
    for d in drivers:
        d["counted"] = d["id"] in counted
        clash = next((c for c in counted if c in d["overlaps"]), None)
        if d["status"] == "ok" and not d["counted"] and clash is not None:
            d["excluded_because"] = (f"overlaps with {names[clash]}, counted instead because "
                                     "that gives the larger total: the same money is not "
                                     "counted twice")
    chosen = [d for d in drivers if d["counted"]]
    total = {case: sum(d[case] for d in chosen) for case in CASES} if chosen else None
    return {
        "currency": currency, "drivers": drivers, "total": total,
        "needs_data": [d["id"] for d in drivers if d["status"] == "needs_data"],
        "sensitivity": _sensitivity(base, results, profile, fx, drivers, figures),
    }


#: Drivers in one group of overlapping drivers above which the group is chosen greedily.
EXACT_LIMIT = 16


def _counted(values: Mapping[str, float], overlaps: Mapping[str, list[str]],
             memo: dict[tuple[str, ...], Any] | None = None) -> list[str]:
    """The drivers the total adds: the set with the largest sum in which no two drivers
    overlap. Drivers without a positive value are never counted; a driver that overlaps none
    is always counted; each group of drivers linked by overlaps is searched exactly (up to
    :data:`EXACT_LIMIT` drivers; a larger group greedily, largest first). Ties: the set found
    first in framework order.

    ``memo`` (for calls with the same ``overlaps``) keeps the groups found for each set of
    positive drivers."""
    ids = tuple(d for d, v in values.items() if v > 0)
    found = memo.get(ids) if memo is not None else None
    if found is None:
        found = _groups(ids, overlaps)
        if memo is not None:
            memo[ids] = found
    groups, order = found
    out: list[str] = []
    for group, shape in groups:
        if shape is None:  # overlaps no driver with a value: as _best_set would choose
            if values[group[0]] > 0.0 + 1e-9:
                out.append(group[0])
            continue
        out.extend(_best_set(group, values, overlaps, shape))
    return sorted(out, key=order.__getitem__)


def _groups(ids: tuple[str, ...], overlaps: Mapping[str, list[str]],
            ) -> tuple[list[tuple[list[str], Any]], dict[str, int]]:
    """The groups of positive drivers ``ids`` linked by overlaps, each in ``ids`` order with
    its shape for :func:`_disjoint_sets` (None for a driver alone), and each id's position."""
    positive = set(ids)
    order = {d: i for i, d in enumerate(ids)}
    groups: list[tuple[list[str], Any]] = []
    seen: set[str] = set()
    for start in ids:
        if start in seen:
            continue
        group, todo = [], [start]
        while todo:  # the overlap graph's component holding ``start``
            d = todo.pop()
            if d in seen:
                continue
            seen.add(d)
            group.append(d)
            todo.extend(o for o in overlaps[d] if o in positive)
        if len(group) == 1:
            groups.append((group, None))
            continue
        group.sort(key=order.__getitem__)
        groups.append((group, tuple((d, tuple(o for o in overlaps[d] if o in group))
                                    for d in group)))
    return groups, order


def _best_set(group: list[str], values: Mapping[str, float],
              overlaps: Mapping[str, list[str]], shape: Any = None) -> list[str]:
    if len(group) > EXACT_LIMIT:
        chosen: list[str] = []
        for did in sorted(group, key=lambda d: -values[d]):
            if not any(c in overlaps[did] for c in chosen):
                chosen.append(did)
        return chosen
    best: list[str] = []
    best_sum = 0.0
    if shape is None:
        shape = tuple((d, tuple(o for o in overlaps[d] if o in group)) for d in group)
    for chosen in _disjoint_sets(shape):  # in the order of the masks 1 .. 2^n − 1
        total = sum(values[d] for d in chosen)
        if total > best_sum + 1e-9:
            best, best_sum = list(chosen), total
    return best


@functools.lru_cache(maxsize=256)
def _disjoint_sets(shape: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[tuple[str, ...], ...]:
    """Every set of a group's drivers in which no two overlap, in the order of the bit masks
    ``1 .. 2^n − 1`` over the group; ``shape`` is each driver with the ones it overlaps. They
    depend on the framework alone, so each group's are listed once."""
    group = [d for d, _ in shape]
    overlaps = dict(shape)
    sets = []
    for mask in range(1, 1 << len(group)):
        chosen = [d for i, d in enumerate(group) if mask >> i & 1]
        if any(o in overlaps[d] for d in chosen for o in chosen):
            continue
        sets.append(tuple(chosen))
    return tuple(sets)


def _sensitivity(base: Framework, results: Mapping[str, Any], profile: Mapping[str, Any],
                 fx: float | None, drivers: list[dict[str, Any]],
                 figures: _Figures | None = None) -> list[dict[str, Any]]:
    """Each assumption at its low and its high value, the others at base: the total (drivers
    chosen again without overlaps) at each, and the swing between them, largest first.

    Only the drivers that take the assumption are valued again; every other driver keeps its
    base-case value (the same computation, so the same number)."""
    plans = _driver_plans(base)
    figures = figures or _Figures(results, profile, fx)
    live = [d for d in drivers if d["status"] in ("ok", "no_gap")]
    overlaps = {d["id"]: d["overlaps"] for d in drivers}
    used = [a for a in base.assumptions
            if any(a.id in plans[d["id"]].driver.assumptions for d in live)]
    at_base = {d["id"]: d["base"] for d in live}

    totals: dict[tuple[float, ...], float] = {}  # the same values give the same total
    groups: dict[tuple[str, ...], Any] = {}  # the overlap groups, by the positive drivers

    def total(movers: list[tuple[str, _DriverPlan]], pinned: Mapping[str, float]) -> float:
        values = dict(at_base)
        for did, plan in movers:
            values[did] = _value(plan, figures, "base", pinned)
        key = tuple(values.values())
        if key not in totals:
            totals[key] = sum(values[c] for c in _counted(values, overlaps, groups))
        return totals[key]

    out = []
    for a in used:
        movers = [(d["id"], plans[d["id"]]) for d in live
                  if plans[d["id"]].driver.formula != "renewal_at_stake"
                  and a.id in plans[d["id"]].driver.assumptions]
        low, high = total(movers, {a.id: a.low}), total(movers, {a.id: a.high})
        out.append({"assumption": a.id, "name": a.name, "low_total": low, "high_total": high,
                    "swing": abs(high - low)})
    out.sort(key=lambda s: -s["swing"])
    return out


# --------------------------------------------------------------------------- roadmap


def _initiative_parts(base: Framework) -> tuple[tuple[Any, tuple[tuple[str, str], ...]], ...]:
    """Each initiative with its practices as ``(practice, questionnaire id)``, kept on the
    framework."""
    return base.memo("business.initiatives", lambda: tuple(
        (init, tuple((p, p.partition(".")[0]) for p in init.practices))
        for init in base.initiatives))


def roadmap(base: Framework, results: Mapping[str, Any], intake: IntakeData) -> dict[str, Any]:
    """The initiatives with their value, ranked by value for effort (:data:`RANKING`)."""
    kpis = {k["id"]: k for k in results["kpis"]}
    drivers = {d["id"]: d for d in results["business_case"]["drivers"]}
    questionnaires = results["questionnaires"]
    kpi_ranks: dict[str, list[int]] = {}  # KPI id -> ranks of its recommendations
    practice_ranks: dict[str, list[int]] = {}  # <questionnaire>.<item> -> ranks
    for r in results["recommendations"]:
        if r["source"] == "kpi":
            kpi_ranks.setdefault(r["id"], []).append(r["rank"])
        elif r["source"] == "practice":
            practice_ranks.setdefault(f"{r['area']}.{r['id']}", []).append(r["rank"])
    rows = []
    for init, practice_parts in _initiative_parts(base):
        moved = [kpis[k] for k in init.kpis if k in kpis and kpis[k]["applicable"]]
        practices = [p for p, qid in practice_parts if questionnaires[qid]["applicable"]]
        own = [drivers[d] for d in init.drivers if drivers[d]["status"] == "ok"]
        points = sum(k["points_at_stake"] or 0.0 for k in moved if k["element"] in ELEMENTS)
        renewal_points = sum(k.get("health_points_at_stake") or 0.0 for k in moved
                             if k["element"] == "renewal")
        money = ({case: sum(d[case] for d in own) for case in ("low", "base", "high")}
                 if own else None)
        recs = sorted({rank for k in moved for rank in kpi_ranks.get(k["id"], ())}
                      | {rank for p in practices for rank in practice_ranks.get(p, ())})
        tracking = intake.initiatives.get(init.id)
        rows.append({
            "id": init.id, "name": init.name, "description": init.description,
            "kpis": [k["id"] for k in moved], "practices": practices,
            "drivers": list(init.drivers), "effort": init.effort, "horizon": init.horizon,
            "owner": init.owner, "index_points": points, "renewal_points": renewal_points,
            "money": money, "applicable": bool(moved or practices or own),
            "recommendations": recs, "value_score": 0.0, "rank": None,
            "tracking": None if tracking is None else {
                k: (v.isoformat() if isinstance(v, dt.date) else v)
                for k, v in tracking.items()},
        })
    live = [r for r in rows if r["applicable"]]
    all_points = sum(r["index_points"] for r in live)
    all_money = sum(r["money"]["base"] for r in live if r["money"])
    for r in live:
        share = (r["index_points"] / all_points if all_points else 0.0) + (
            (r["money"]["base"] if r["money"] else 0.0) / all_money if all_money else 0.0)
        r["value_score"] = share / EFFORTS[r["effort"]]
    order = sorted(live, key=lambda r: -r["value_score"])
    for rank, r in enumerate(order, start=1):
        r["rank"] = rank
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0))
    return {"initiatives": rows, "ranking": RANKING}


# --------------------------------------------------------------------------- summary


def executive_summary(base: Framework, results: Mapping[str, Any],
                      intake: IntakeData) -> dict[str, Any]:
    """The page a VP reads first: index with both readings, elements, renewal, 3–5 findings
    chosen by the framework's rules, the top initiatives in money, and the caveats."""
    index = results["index"]
    currency = intake.profile.get("currency")
    findings = []
    facts: dict[str, Any] = {}  # what several rules read, worked out once
    for rule in base.findings:
        values = _finding_values(rule.rule, rule.params, results, currency, facts)
        if values is None:
            continue
        own = intake.finding_wording.get(rule.id)
        findings.append({"id": rule.id, "rule": rule.rule, "values": values,
                         "text": own or rule.text.format(**values),
                         "overridden": own is not None})
        if len(findings) >= MAX_FINDINGS:
            break
    ranked = [r for r in results["roadmap"]["initiatives"] if r["rank"] is not None]
    top = [{"id": r["id"], "name": r["name"], "horizon": r["horizon"], "owner": r["owner"],
            "effort": r["effort"], "index_points": r["index_points"],
            "money_base": r["money"]["base"] if r["money"] else None} for r in ranked]
    renewal = results["renewal"]
    return {
        "index": {"score": index["score"], "measured_score": index["measured_score"],
                  "coverage": index["coverage"], "rag": index["rag"],
                  "band": index["level_name"],
                  "words": readings(index["score"], index["measured_score"], index["coverage"],
                                    index["missing_kpi"])},
        "elements": [{"key": k, "name": e["name"], "score": e["score"], "rag": e["rag"],
                      "applicable": e["applicable"]} for k, e in results["elements"].items()],
        "renewal": {"applicable": renewal["applicable"], "health": renewal["health"],
                    "rag": renewal["rag"]},
        "findings": findings,
        "initiatives": top[:TOP_INITIATIVES],
        "total": results["business_case"]["total"],
        "currency": currency,
        "caveats": _caveats(results),
    }


def _finding_values(rule: str, params: Mapping[str, float], results: Mapping[str, Any],
                    currency: str | None,
                    facts: dict[str, Any] | None = None) -> dict[str, str] | None:
    """The placeholders of one finding rule, or None when the rule finds nothing.

    ``facts`` keeps what several rules of one summary read (worked out by the first)."""
    facts = {} if facts is None else facts
    if "elements" not in facts:
        facts["elements"] = {k: e for k, e in results["elements"].items() if e["applicable"]}
    elements = facts["elements"]
    if rule == "largest_gap":
        gaps = [g for g in results["gaps"] if g["kind"] == "improve"]
        if not gaps:
            return None
        g = gaps[0]
        return {"name": g["name"], "points": format_points(g["points_at_stake"]),
                "score": format_score(g["score"]),
                "element": results["elements"][g["element"]]["name"]}
    if rule == "weak_element":
        scored = {k: e["score"] for k, e in elements.items() if e["score"] is not None}
        if len(scored) < 2:
            return None
        low = min(scored, key=lambda k: scored[k])
        others = [v for k, v in scored.items() if k != low]
        mean = sum(others) / len(others)
        if mean - scored[low] < params.get("margin", 15.0):
            return None
        return {"element": elements[low]["name"], "score": format_score(scored[low]),
                "others": format_score(mean), "margin": format_score(mean - scored[low])}
    if rule == "renewal_erosion":
        projection = results["renewal"].get("projection") or []
        last = projection[-1] if projection else None
        if not last or last["client"] is None or last["client"] >= last["industry"]:
            return None
        return {"rate": format_percent(results["renewal"]["contract_renewal_rate"]),
                "client_year5": format_percent(last["client"]),
                "industry_year5": format_percent(last["industry"]),
                "industry_rate": format_percent(results["renewal"]["industry_rate"])}
    if rule == "failing_relation":
        failed = [c for c in results["consistency"] if c["ok"] is False]
        if not failed:
            return None
        c = failed[0]
        kind, _, key = next(iter(c["terms"])).partition(".")
        unit = (next(k["unit"] for k in results["kpis"] if k["id"] == key) if kind == "kpi"
                else "currency" if key in MONEY_VOLUMES else "count")
        return {"relation": c["name"], "stated": format_value(c["stated"], unit, currency),
                "implied": format_value(c["implied"], unit, currency),
                "cells": ", ".join(c["cells"])}
    if "unmeasured" not in facts:
        facts["unmeasured"] = [k["name"] for k in results["kpis"] if k["applicable"]
                               and k["score"] is None and k["element"] in ELEMENTS]
    unmeasured = facts["unmeasured"]
    if rule == "low_coverage":
        coverage = results["index"]["coverage"]
        if coverage >= params.get("below", 0.8):
            return None
        missing = unmeasured
        return {"coverage": format_coverage(coverage), "missing": ", ".join(missing)}
    if rule == "largest_driver":
        counted = [d for d in results["business_case"]["drivers"] if d["counted"]]
        if not counted:
            return None
        d = max(counted, key=lambda d: d["base"])
        return {"driver": d["name"], "money": format_money(d["base"], currency),
                "low": format_money(d["low"], currency),
                "high": format_money(d["high"], currency)}
    if rule == "not_measured":  # the index's KPIs: renewal KPIs are not in the index
        if not unmeasured:
            return None
        return {"count": str(len(unmeasured)), "names": ", ".join(unmeasured)}
    raise ValueError(f"unknown finding rule {rule!r}")


def _caveats(results: Mapping[str, Any]) -> list[str]:
    """The data-quality facts that change how the scores read."""
    out = []
    index = results["index"]
    if not index["sufficient"]:
        out.append(f"Only {format_coverage(index['coverage'])} of the KPI weight is measured: "
                   "the index is below the minimum coverage.")
    elif index["coverage"] < 1 - 1e-9:
        out.append(f"{format_coverage(index['coverage'])} of the KPI weight is measured; "
                   "missing KPIs count as 0, and the measured-only reading is shown beside.")
    failed = [c for c in results["consistency"] if c["ok"] is False]
    if failed:
        out.append(f"{len(failed)} consistency check(s) failed: "
                   + "; ".join(c["name"] for c in failed) + ".")
    derived = [k["name"] for k in results["kpis"] if k.get("derived")]
    if derived:
        out.append("Derived from other figures, not measured: " + ", ".join(derived) + ".")
    needs = [d for d in results["business_case"]["drivers"] if d["status"] == "needs_data"]
    if needs:
        out.append("The business case is incomplete: " + "; ".join(
            f"{d['name']} needs data: {', '.join(d['needs'])}" for d in needs) + ".")
    if not results["organization"].get("segment"):
        out.append("No peer segment chosen: the framework's general targets apply.")
    return out
