"""Portfolio analytics: compare many organizations' results (methodology §8), pure.

Every function takes a list of results structures (what ``results.json`` holds) and returns
plain data (dicts, lists, floats, strings); only :func:`load_results` reads files. The
definitions (percentile rank, quartiles, the trend rule, the sensitivity scenarios) are in
docs/portfolio.md.

- :func:`load_results` reads every ``results.json`` below a folder, skipping bad files with a
  warning.
- :func:`comparison`: one row per assessment.
- :func:`percentile_ranks`: each client's percentile rank per index, element and KPI.
- :func:`kpi_distribution`: per KPI, the spread of current values beside its benchmark.
- :func:`trends`: organizations assessed more than once, with method changes flagged.
- :func:`weight_sensitivity`: the index and rank under alternative element weightings.
- :func:`summarize` bundles them all into a :class:`Portfolio` for the report writers.

A *client* is an organization (names compared without case and extra spaces); the
cross-sectional views use each client's latest assessment.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from assessment.core.framework import ELEMENTS
from assessment.core.scoring import EPSILON
from assessment.files.write import organization_key
from assessment.scorecard.outputs import folder_name

SCHEMA_PREFIX = "support-excellence/results@"
RESULTS_NAME = "results.json"
#: Settings whose change alters scores, so a trend step across them is a method change.
METHOD_SETTINGS: tuple[str, ...] = ("element_weights", "min_coverage")
SERIES: tuple[str, ...] = ("index", *ELEMENTS)

Results = dict[str, Any]


class Loaded(NamedTuple):
    """What :func:`load_results` found: valid results (sorted), one warning per skipped file and
    one per folder name that different organizations share."""

    results: list[Results]
    warnings: list[str]


# --------------------------------------------------------------------------- reading


def load_results(folder: str | Path) -> Loaded:
    """Every ``results.json`` below ``folder`` (recursive), sorted by organization and date.

    Hidden folders (a name starting with ``.``, such as a batch's staging area) are not
    searched. Unreadable, invalid or duplicate files (same organization and assessment date as an
    earlier file in path order) are skipped with a warning that names the file relative to
    ``folder``. Different organizations whose results would have the same folder name (their
    names give the same slug, e.g. two names without Latin letters) are two clients, each read
    from its own folder; a warning names them. Raises FileNotFoundError when ``folder`` is not
    a directory.
    """
    root = Path(folder)
    if not root.is_dir():
        raise FileNotFoundError(f"results folder not found: {folder}")
    found: list[tuple[str, Results]] = []
    warnings: list[str] = []
    for path in sorted(root.rglob(RESULTS_NAME), key=lambda p: p.relative_to(root).as_posix()):
        rel = path.relative_to(root).as_posix()
        if any(part.startswith(".") for part in path.relative_to(root).parts[:-1]):
            continue  # hidden folders: staging areas, checkpoints
        try:
            data = json.loads(path.read_text(encoding="utf-8"), parse_constant=_reject)
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            warnings.append(f"{rel}: skipped, not readable JSON ({_short(exc)}).")
            continue
        problem = validate(data)
        if problem:
            warnings.append(f"{rel}: skipped, {problem}.")
            continue
        found.append((rel, data))
    seen: dict[tuple[str, str], str] = {}
    results = []
    where: dict[int, str] = {}
    for rel, data in found:
        key = (client_key(data), assessment_date(data))
        if key in seen:
            warnings.append(f"{rel}: skipped, a second assessment of {org_name(data)} on "
                            f"{key[1]} (already read from {seen[key]}).")
            continue
        seen[key] = rel
        results.append(data)
        where[id(data)] = rel
    return Loaded(sort_results(results), warnings + _shared_folder_names(results, where))


def _shared_folder_names(results: list[Results], where: dict[int, str]) -> list[str]:
    """A warning per folder name (``<slug>-<date>``) that different organizations share."""
    groups: dict[str, dict[str, Results]] = {}
    for r in results:
        groups.setdefault(folder_name(r), {}).setdefault(client_key(r), r)
    return [f"{name}: {len(clients)} different organizations have this folder name ("
            + ", ".join(f"{org_name(r)!r} in {where[id(r)]}" for r in clients.values())
            + "); they are compared as separate clients."
            for name, clients in sorted(groups.items()) if len(clients) > 1]


def _reject(token: str) -> float:
    raise ValueError(f"{token} is not a number in strict JSON")


def _short(exc: Exception) -> str:
    return str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__


def validate(data: Any) -> str | None:
    """Why ``data`` is not a usable results structure, or None when it is."""
    if not isinstance(data, dict):
        return "not a JSON object"
    if not str(data.get("schema", "")).startswith(SCHEMA_PREFIX):
        return f"schema is not {SCHEMA_PREFIX}*"
    org = data.get("organization")
    if not isinstance(org, dict) or not str(org.get("name") or "").strip():
        return "no organization name"
    try:
        dt.date.fromisoformat(str(org.get("assessment_date")))
    except ValueError:
        return "no valid assessment_date (YYYY-MM-DD)"
    fw = data.get("framework")
    if not isinstance(fw, dict) or fw.get("name") is None or fw.get("version") is None:
        return "no framework name and version"
    if not isinstance(data.get("index"), dict) or not _score_ok(data["index"].get("score")):
        return "no valid index score"
    elements = data.get("elements")
    if not isinstance(elements, dict):
        return "no elements"
    for key in ELEMENTS:
        element = elements.get(key)
        if not isinstance(element, dict) or not _score_ok(element.get("score")):
            return f"element {key} is missing or has an invalid score"
        weight = element.get("weight")
        if not _number(weight) or weight <= 0:
            return f"element {key} has no positive weight"
    if not isinstance(data.get("kpis", []), list):
        return "kpis is not a list"
    return None


def _number(value: Any) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))


def _score_ok(value: Any) -> bool:
    return value is None or _number(value)


# --------------------------------------------------------------------------- access


def org_name(results: Results) -> str:
    return " ".join(str(results["organization"]["name"]).split())


def client_key(results: Results) -> str:
    """Who the client is: the organization name without case and extra spaces (the rule the
    output folders follow too: :func:`assessment.files.write.organization_key`)."""
    return organization_key(results["organization"]["name"])


def assessment_date(results: Results) -> str:
    return str(results["organization"]["assessment_date"])


def sort_results(results_list: Iterable[Results]) -> list[Results]:
    """Results sorted by organization (case-insensitive), then assessment date."""
    return sorted(results_list, key=lambda r: (client_key(r), assessment_date(r), org_name(r)))


def latest(results_list: Iterable[Results]) -> list[Results]:
    """Each client's latest assessment, in organization order."""
    last: dict[str, Results] = {}
    for r in sort_results(results_list):
        last[client_key(r)] = r
    return list(last.values())


def _framework(results: Results) -> tuple[str, str]:
    fw = results["framework"]
    return str(fw["name"]), str(fw["version"])


def _series_value(results: Results, series: str) -> float | None:
    return results["index"]["score"] if series == "index" else results["elements"][series]["score"]


def _amber(results: Results) -> float:
    return float(((results["framework"].get("settings") or {}).get("amber")) or 80.0)


# --------------------------------------------------------------------------- comparison


def comparison(results_list: Iterable[Results]) -> list[dict[str, Any]]:
    """One row per assessment, sorted by organization and date.

    Keys: ``organization``, ``assessment_date``, ``framework``, ``framework_version``,
    ``index``, ``level``, ``level_name``, ``coverage``, the four element keys,
    ``renewal_health``, ``alignment``, ``amber``, ``latest`` (the client's latest) and
    ``warnings`` (how many data-quality warnings the assessment has).
    """
    ordered = sort_results(results_list)
    newest = {id(r) for r in latest(ordered)}
    rows = []
    for r in ordered:
        name, version = _framework(r)
        index = r["index"]
        rows.append({
            "organization": org_name(r), "assessment_date": assessment_date(r),
            "framework": name, "framework_version": version,
            "index": index["score"], "level": index.get("level"),
            "level_name": index.get("level_name"), "coverage": index.get("coverage"),
            **{e: r["elements"][e]["score"] for e in ELEMENTS},
            "renewal_health": (r.get("renewal") or {}).get("health"),
            "alignment": (r.get("expectations") or {}).get("alignment"),
            "amber": _amber(r), "latest": id(r) in newest,
            "warnings": len(r.get("warnings") or []),
        })
    return rows


# --------------------------------------------------------------------------- percentile ranks


def percentile_rank(value: float | None, others: Sequence[float]) -> float | None:
    """``100 × (others strictly below + ½ × others tied) / number of others``.

    ``others`` are the other clients' values; None when ``value`` is None or there are none.
    """
    if value is None or not others:
        return None
    below = sum(o < value - EPSILON for o in others)
    tied = sum(abs(o - value) <= EPSILON for o in others)
    return 100.0 * (below + 0.5 * tied) / len(others)


def _kpi_rows(results: Results) -> list[dict[str, Any]]:
    return [k for k in results.get("kpis") or [] if isinstance(k, dict) and k.get("id")]


def _currency(results: Results, kpi: dict[str, Any]) -> str | None:
    if kpi.get("unit") != "currency":
        return None
    return str(results["organization"].get("currency") or "").strip().upper() or None


def _oriented(kpi: dict[str, Any]) -> float | None:
    """A KPI's current value oriented so that higher is better (band KPIs: their score)."""
    current = kpi.get("current")
    if not _number(current):
        return None
    if kpi.get("direction") == "lower":
        return -current
    if kpi.get("direction") == "band":
        return kpi.get("score") if _number(kpi.get("score")) else None
    return current


def _metrics(clients: list[Results]) -> list[dict[str, Any]]:
    """Index, elements, then every KPI (first-seen order): ``kind``, ``metric``, ``name``…"""
    metrics: list[dict[str, Any]] = [
        {"kind": "index", "metric": "index", "name": "Support Excellence Index",
         "element": None}]
    for key in ELEMENTS:
        names = [r["elements"][key].get("name") for r in clients if r["elements"][key].get("name")]
        metrics.append({"kind": "element", "metric": key,
                        "name": str(names[-1]) if names else key.capitalize(), "element": key})
    kpis: dict[str, dict[str, Any]] = {}
    for r in clients:
        for k in _kpi_rows(r):
            if k["id"] not in kpis:
                kpis[k["id"]] = {"kind": "kpi", "metric": k["id"], "element": k.get("element")}
            kpis[k["id"]]["name"] = str(k.get("name") or k["id"])
    return metrics + list(kpis.values())


def _metric_values(clients: list[Results], metric: dict[str, Any],
                   ) -> list[tuple[float | None, float | None, str | None]]:
    """Per client: ``(value shown, value ranked, currency group)``."""
    out: list[tuple[float | None, float | None, str | None]] = []
    for r in clients:
        if metric["kind"] != "kpi":
            value = _series_value(r, metric["metric"])
            out.append((value, value, None))
            continue
        kpi = next((k for k in _kpi_rows(r) if k["id"] == metric["metric"]), None)
        if kpi is None:
            out.append((None, None, None))
            continue
        current = kpi.get("current") if _number(kpi.get("current")) else None
        out.append((current, _oriented(kpi), _currency(r, kpi)))
    return out


def percentile_ranks(results_list: Iterable[Results]) -> list[dict[str, Any]]:
    """Each client's percentile rank per index, element and KPI, in the portfolio.

    Uses each client's latest assessment; clients without a value are left out. A higher
    percentile is always better: KPIs where lower is better rank by the negated value, band
    KPIs by their score, and currency KPIs only among clients reporting in the same currency.
    Rows (long format): ``organization``, ``assessment_date``, ``kind`` (index, element, kpi),
    ``metric``, ``name``, ``element``, ``currency``, ``value``, ``percentile``, ``peers``
    (other clients compared with).
    """
    clients = latest(results_list)
    rows = []
    for metric in _metrics(clients):
        values = _metric_values(clients, metric)
        for i, r in enumerate(clients):
            shown, ranked, currency = values[i]
            others = [v[1] for j, v in enumerate(values)
                      if j != i and v[1] is not None and v[2] == currency]
            rows.append({
                "organization": org_name(r), "assessment_date": assessment_date(r),
                **metric, "currency": currency, "value": shown,
                "percentile": percentile_rank(ranked, others) if ranked is not None else None,
                "peers": len(others) if ranked is not None else 0,
            })
    return rows


def percentile_table(ranks: Sequence[dict[str, Any]], kinds: Sequence[str] = ("index", "element"),
                     ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Percentile ranks in wide form: ``(metrics, rows)``.

    ``metrics`` lists the columns (``metric``, ``name``, ``kind``, ``element``) in order;
    each row is ``{"organization": ..., "assessment_date": ..., <metric>: percentile}``.
    """
    metrics: dict[str, dict[str, Any]] = {}
    rows: dict[str, dict[str, Any]] = {}
    for rank in ranks:
        if rank["kind"] not in kinds:
            continue
        metrics.setdefault(rank["metric"], {k: rank[k] for k in ("metric", "name", "kind",
                                                                   "element")})
        row = rows.setdefault(rank["organization"], {"organization": rank["organization"],
                                                     "assessment_date": rank["assessment_date"]})
        row[rank["metric"]] = rank["percentile"]
    return list(metrics.values()), list(rows.values())


# --------------------------------------------------------------------------- distributions


def quantile(sorted_values: Sequence[float], p: float) -> float:
    """Quantile ``p`` by linear interpolation between closest ranks (Excel QUARTILE.INC)."""
    if not sorted_values:
        raise ValueError("no values")
    pos = (len(sorted_values) - 1) * p
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def kpi_distribution(results_list: Iterable[Results]) -> list[dict[str, Any]]:
    """Per KPI, the spread of the clients' current values next to the KPI's benchmark.

    Uses each client's latest assessment; missing values are left out. Currency KPIs get one
    row per currency (values are never converted). Row keys: ``id``, ``name``, ``element``,
    ``unit``, ``direction``, ``currency``, ``n``, ``min``, ``q1``, ``median``, ``q3``, ``max``
    (None when n is 0), ``values`` (``[{"organization", "value"}]``), ``target`` and
    ``benchmark`` (``value``, ``range``, ``source``, ``year``, ``note``, or None), both from
    the latest assessment that has the KPI.
    """
    clients = latest(results_list)
    order: list[str] = []
    for r in clients:
        for kpi in _kpi_rows(r):
            if kpi["id"] not in order:
                order.append(kpi["id"])
    by_id: dict[str, list[tuple[Results, dict[str, Any]]]] = {kid: [] for kid in order}
    for r in sorted(clients, key=assessment_date):
        for kpi in _kpi_rows(r):
            by_id[kpi["id"]].append((r, kpi))
    rows = []
    for kid in order:
        entries = by_id[kid]
        ref = entries[-1][1]
        currencies = sorted({c for r, k in entries if (c := _currency(r, k))})
        for currency in (currencies or [None]):
            values = sorted(((org_name(r), k["current"]) for r, k in entries
                             if _number(k.get("current")) and _currency(r, k) == currency),
                            key=lambda pair: (pair[1], pair[0].casefold()))
            rows.append(_distribution_row(ref, currency, values))
    return rows


def _distribution_row(ref: dict[str, Any], currency: str | None,
                      values: list[tuple[str, float]]) -> dict[str, Any]:
    numbers = [v for _, v in values]
    stats: dict[str, float | None] = dict.fromkeys(("min", "q1", "median", "q3", "max"))
    if numbers:
        stats = {"min": numbers[0], "q1": quantile(numbers, 0.25),
                 "median": quantile(numbers, 0.5), "q3": quantile(numbers, 0.75),
                 "max": numbers[-1]}
    bench = ref.get("benchmark") if isinstance(ref.get("benchmark"), dict) else None
    return {
        "id": ref["id"], "name": str(ref.get("name") or ref["id"]), "element": ref.get("element"),
        "unit": ref.get("unit"), "direction": ref.get("direction"), "currency": currency,
        "n": len(numbers), **stats,
        "values": [{"organization": name, "value": v} for name, v in values],
        "target": ref.get("framework_target", ref.get("target")),
        "band": ref.get("band"),
        "benchmark": None if not bench else {k: bench.get(k) for k in
                                             ("value", "range", "source", "year", "note")},
    }


# --------------------------------------------------------------------------- trends


def method_change(previous: Results, current: Results) -> str | None:
    """What changed in the method between two assessments, or None when nothing did.

    A different framework name or version, or different element weights or minimum coverage.
    """
    before, after = _framework(previous), _framework(current)
    if before[0] == after[0] and before[1] != after[1]:
        return f"framework version changed from {before[1]} to {after[1]}"
    if before != after:
        return f"framework changed from {before[0]} {before[1]} to {after[0]} {after[1]}"
    s0 = previous["framework"].get("settings") or {}
    s1 = current["framework"].get("settings") or {}
    changed = [key.replace("_", " ") for key in METHOD_SETTINGS if s0.get(key) != s1.get(key)]
    if changed:
        return "scoring settings changed (" + ", ".join(changed) + ")"
    return None


def trends(results_list: Iterable[Results]) -> list[dict[str, Any]]:
    """The index and elements over time, for clients assessed on more than one date.

    Returns ``[{"organization", "points": [...]}]``; each point has ``assessment_date``,
    ``framework``, ``framework_version``, the ``SERIES`` values, ``method_changed``,
    ``method_change`` (what changed), ``delta`` (series -> change since the previous
    assessment, None per series when either value is missing) and ``note``. A step with a
    method change, and the first point, have ``delta`` None: it is never shown as movement.
    """
    groups: dict[str, list[Results]] = {}
    for r in sort_results(results_list):
        group = groups.setdefault(client_key(r), [])
        if not group or assessment_date(group[-1]) != assessment_date(r):
            group.append(r)
    out = []
    for series in groups.values():
        if len(series) < 2:
            continue
        points = []
        for i, r in enumerate(series):
            name, version = _framework(r)
            change = method_change(series[i - 1], r) if i else None
            values = {s: _series_value(r, s) for s in SERIES}
            if i == 0:
                delta, note = None, "first assessment"
            elif change:
                delta = None
                note = f"Method change: {change}; not comparable, no movement shown."
            else:
                prev = points[-1]
                delta = {s: None if values[s] is None or prev[s] is None else values[s] - prev[s]
                         for s in SERIES}
                note = f"change since {prev['assessment_date']}"
            points.append({"assessment_date": assessment_date(r), "framework": name,
                           "framework_version": version, **values,
                           "method_changed": bool(change), "method_change": change,
                           "delta": delta, "note": note})
        out.append({"organization": org_name(series[-1]), "points": points})
    return out


# --------------------------------------------------------------------------- weight sensitivity


def scenarios() -> list[str]:
    """Scenario keys: ``base``, then one per element (that element's weight × factor)."""
    return ["base", *ELEMENTS]


def reweighted_index(elements: dict[str, dict[str, Any]], boost: str | None = None,
                     factor: float = 2.0) -> float | None:
    """The index (methodology §3) with element ``boost``'s weight multiplied by ``factor``.

    None unless at least 3 of the 4 elements are scored.
    """
    scored = [(e["weight"] * (factor if key == boost else 1.0), e["score"])
              for key, e in elements.items() if key in ELEMENTS and e.get("score") is not None]
    if len(scored) < 3:
        return None
    return sum(w * s for w, s in scored) / sum(w for w, _ in scored)


def competition_ranks(values: Sequence[float | None]) -> list[int | None]:
    """1 + the number of values strictly higher (ties share the best rank); None stays None."""
    present = [v for v in values if v is not None]
    return [None if v is None else 1 + sum(o > v + EPSILON for o in present) for v in values]


def weight_sensitivity(results_list: Iterable[Results],
                       factor: float = 2.0) -> list[dict[str, Any]]:
    """Each client's index and rank under the base weights and each element's weight × factor.

    Uses each client's latest assessment and its own element weights as the base. Row keys:
    ``organization``, ``assessment_date``, ``index`` (scenario -> index), ``rank`` (scenario
    -> rank among the clients with an index), ``index_min``, ``index_max``, ``rank_min``
    (best), ``rank_max`` (worst) and ``ranked`` (clients ranked). All None for a client
    without an index (fewer than 3 elements scored).
    """
    if not (isinstance(factor, (int, float)) and math.isfinite(factor) and factor > 0):
        raise ValueError(f"factor must be a positive number, not {factor!r}")
    clients = latest(results_list)
    keys = scenarios()
    indexes = {s: [reweighted_index(r["elements"], None if s == "base" else s, factor)
                   for r in clients] for s in keys}
    ranks = {s: competition_ranks(indexes[s]) for s in keys}
    ranked = sum(v is not None for v in indexes["base"])
    rows = []
    for i, r in enumerate(clients):
        values = {s: indexes[s][i] for s in keys}
        places = {s: ranks[s][i] for s in keys}
        some = [v for v in values.values() if v is not None]
        spots = [p for p in places.values() if p is not None]
        rows.append({
            "organization": org_name(r), "assessment_date": assessment_date(r),
            "index": values, "rank": places,
            "index_min": min(some) if some else None, "index_max": max(some) if some else None,
            "rank_min": min(spots) if spots else None, "rank_max": max(spots) if spots else None,
            "ranked": ranked,
        })
    return rows


# --------------------------------------------------------------------------- summary


@dataclass(frozen=True)
class Portfolio:
    """Everything the portfolio report shows, as plain data."""

    assessments: list[dict[str, Any]]
    percentiles: list[dict[str, Any]]
    distributions: list[dict[str, Any]]
    trends: list[dict[str, Any]]
    sensitivity: list[dict[str, Any]]
    factor: float
    as_of: str | None
    warnings: list[str] = field(default_factory=list)
    source: str = ""

    @property
    def clients(self) -> list[dict[str, Any]]:
        """The comparison rows of each client's latest assessment."""
        return [row for row in self.assessments if row["latest"]]


def summarize(results_list: Iterable[Results], warnings: Sequence[str] = (),
              factor: float = 2.0, source: str = "") -> Portfolio:
    """Every portfolio view of ``results_list``; ``as_of`` is the latest assessment date.

    ``warnings`` (e.g. files :func:`load_results` skipped) and ``source`` (where the results
    came from, for display) are carried along.
    """
    ordered = sort_results(results_list)
    return Portfolio(
        assessments=comparison(ordered), percentiles=percentile_ranks(ordered),
        distributions=kpi_distribution(ordered), trends=trends(ordered),
        sensitivity=weight_sensitivity(ordered, factor), factor=factor,
        as_of=max((assessment_date(r) for r in ordered), default=None),
        warnings=list(warnings), source=source)
