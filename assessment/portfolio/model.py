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
- :func:`trends`: organizations assessed more than once, with method changes flagged, and
  the initiatives they chose (:func:`initiative_progress`) beside the score movement.
- :func:`business_case_totals`: the business case of the latest assessments per currency
  (never added across currencies).
- :func:`weight_sensitivity`: the index and rank under alternative element weightings.
- :func:`summarize` bundles them all into a :class:`Portfolio` for the report writers.

A *client* is an organization (names compared without case and extra spaces); the
cross-sectional views use each client's latest assessment.

results@1 and results@2 files are read side by side through
:class:`~assessment.core.results.ResultsView` (a results@1 file's measured score is its score,
and everything in it applies). Peers are compared within their comparison group (the same
segment, scored under the same missing-data rule), and every row says which group that was.
Areas that do not apply to an organization (an internal desk's renewal) are reported as not
applicable, never as missing.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from assessment.core.framework import ELEMENTS
from assessment.core.results import SCHEMA_V1, SCHEMA_V2, ResultsView
from assessment.core.scoring import EPSILON
from assessment.files.write import organization_key
from assessment.scorecard.outputs import folder_name

SCHEMA_PREFIX = "support-excellence/results@"
#: The results schemas the portfolio reads, and their version numbers.
SCHEMAS: dict[str, int] = {SCHEMA_V1: 1, SCHEMA_V2: 2}
RESULTS_NAME = "results.json"
#: Settings whose change alters scores, so a trend step across them is a method change.
METHOD_SETTINGS: tuple[str, ...] = ("element_weights", "min_coverage", "currency")
SERIES: tuple[str, ...] = ("index", *ELEMENTS)
#: The index's second reading: over the KPIs with data only (results@1: the score itself).
MEASURED = "index_measured"
#: What a score shows for an area that does not apply to the organization.
NOT_APPLICABLE = "n/a"
#: The missing-data rules (methodology §3) in words; results@1 files follow ``exclude``.
RULE_WORDS: dict[str, str] = {"zero": "missing data counted as 0",
                              "exclude": "missing data left out"}

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
    schema = str(data.get("schema", ""))
    if not schema.startswith(SCHEMA_PREFIX):
        return f"schema is not {SCHEMA_PREFIX}*"
    if schema not in SCHEMAS:
        return (f"schema {schema} is not one this toolkit reads ("
                + ", ".join(SCHEMAS) + ")")
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
    try:
        ResultsView.from_dict(data)
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        return f"not readable as results ({type(exc).__name__}: {_short(exc)})"
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


def view(results: Results) -> ResultsView:
    """The typed view of one results structure (results@1 or results@2)."""
    return ResultsView.from_dict(results)


def results_version(results: Results) -> int:
    """1 for a results@1 file, 2 for results@2."""
    return SCHEMAS.get(str(results.get("schema")), 1)


def missing_rule(v: ResultsView) -> str:
    """How the assessment counted missing data: ``zero`` or ``exclude`` (results@1)."""
    return "zero" if v.version == 2 and v.missing_kpi == "zero" else "exclude"


def not_applicable(v: ResultsView) -> list[str]:
    """The areas that do not apply to the organization: element keys, and
    ``renewal_health`` when the renewal area does not apply (results@1: none)."""
    keys = [e.key for e in v.elements if e.key in ELEMENTS and not e.applicable]
    return keys + ([] if v.renewal.applicable else ["renewal_health"])


def segment_label(v: ResultsView) -> str | None:
    """The segment's name (or id) when the assessment names one."""
    org = v.organization
    return (org.segment_name or org.segment) if org.segment else None


def _framework(results: Results) -> tuple[str, str]:
    fw = results["framework"]
    return str(fw["name"]), str(fw["version"])


def _series_value(results: Results, series: str) -> float | None:
    return results["index"]["score"] if series == "index" else results["elements"][series]["score"]


def _amber(results: Results) -> float:
    return float(((results["framework"].get("settings") or {}).get("amber")) or 80.0)


# --------------------------------------------------------------------------- comparison groups


@dataclass(frozen=True)
class PeerGroups:
    """How clients are grouped for comparison (percentiles, ranks, distributions).

    Scores are compared only among clients in the same segment (when any client names one)
    and scored under the same missing-data rule (methodology §3: a results@1 file or
    ``missing_kpi: exclude`` leaves missing data out, ``zero`` counts it as 0); KPI values
    only within the same segment (and, for money, the same currency). ``segments`` and
    ``rules`` say whether the portfolio's latest assessments differ in segment or rule, which
    decides how a group is named.
    """

    segments: bool = False
    rules: bool = False

    @classmethod
    def of(cls, views: Iterable[ResultsView]) -> PeerGroups:
        views = list(views)
        return cls(any(v.organization.segment for v in views),
                   len({missing_rule(v) for v in views}) > 1)

    @staticmethod
    def key(v: ResultsView, scores: bool = True) -> tuple[str | None, str | None]:
        """The group a client's scores (``scores``) or KPI values are compared in."""
        return (v.organization.segment or None, missing_rule(v) if scores else None)

    def label(self, v: ResultsView, scores: bool = True, currency: str | None = None) -> str:
        """The group in words, e.g. ``clients in segment B2B software support``."""
        segment = segment_label(v)
        if segment:
            text = f"clients in segment {segment}"
        else:
            text = "clients without a segment" if self.segments else "all clients"
        if scores and self.rules:
            text = ("clients" if text == "all clients" else text) \
                + f" scored with {RULE_WORDS[missing_rule(v)]}"
        if currency:
            text = ("clients" if text == "all clients" else text) + f" reporting in {currency}"
        return text


# --------------------------------------------------------------------------- comparison


def comparison(results_list: Iterable[Results]) -> list[dict[str, Any]]:
    """One row per assessment, sorted by organization and date.

    Keys: ``organization``, ``assessment_date``, ``framework``, ``framework_version``,
    ``results_version`` (1 or 2), ``index`` and ``index_measured`` (both readings; a
    results@1 file's measured index is its index), ``index_sufficient``, ``readings`` (both
    readings in words), ``missing_kpi`` (``zero`` or ``exclude``), ``level``, ``level_name``,
    ``coverage``, the four element keys and ``measured`` (element -> measured score),
    ``renewal_health``, ``alignment``, ``not_applicable`` (areas that do not apply: element
    keys and ``renewal_health``), ``segment``, ``segment_name``, ``currency``, ``fx_rate``,
    ``peer_group`` (the group its scores are compared in), ``amber``, ``latest`` (the
    client's latest), ``warnings`` (how many data-quality warnings the assessment has),
    ``business_case`` and ``top_initiative`` (:func:`business_case_of`).
    """
    ordered = sort_results(results_list)
    newest = {id(r) for r in latest(ordered)}
    views = {id(r): view(r) for r in ordered}
    groups = PeerGroups.of(views[i] for i in newest)
    rows = []
    for r in ordered:
        v = views[id(r)]
        name, version = _framework(r)
        index = r["index"]
        rows.append({
            "organization": org_name(r), "assessment_date": assessment_date(r),
            "framework": name, "framework_version": version, "results_version": v.version,
            "index": index["score"], "index_measured": v.index.measured_score,
            "index_sufficient": v.index.sufficient, "readings": v.readings("index"),
            "missing_kpi": missing_rule(v), "level": index.get("level"),
            "level_name": index.get("level_name"), "coverage": index.get("coverage"),
            **{e: r["elements"][e]["score"] for e in ELEMENTS},
            "measured": {e.key: e.measured_score for e in v.elements if e.key in ELEMENTS},
            "renewal_health": (r.get("renewal") or {}).get("health"),
            "alignment": (r.get("expectations") or {}).get("alignment"),
            "not_applicable": not_applicable(v),
            "segment": v.organization.segment, "segment_name": segment_label(v),
            "currency": v.organization.currency, "fx_rate": v.organization.fx_rate,
            "peer_group": groups.label(v),
            "amber": _amber(r), "latest": id(r) in newest,
            "warnings": len(r.get("warnings") or []),
            **business_case_of(r),
        })
    return rows


def business_case_of(results: Results) -> dict[str, Any]:
    """The business case of one assessment in brief (methodology §10).

    ``business_case``: ``{"currency", "low", "base", "high"}`` (annual, in the client's
    currency; the three figures None when no driver could be counted), or None when the
    results carry no business case (results@1, or results@2 written before it existed).
    ``top_initiative``: ``{"id", "name", "money_base", "index_points", "currency"}`` of the
    roadmap's first-ranked initiative (``money_base`` None when it carries no money), or None.
    """
    if not isinstance(results.get("business_case"), dict):
        return {"business_case": None, "top_initiative": None}
    v = view(results)
    currency = v.business_case.currency or v.organization.currency
    total = v.business_case.total or {}
    case = {"currency": currency, **{k: total.get(k) for k in ("low", "base", "high")}}
    ranked = v.roadmap.ranked
    top = None
    if ranked:
        first = ranked[0]
        top = {"id": first.id, "name": first.name,
               "money_base": (first.money or {}).get("base"),
               "index_points": first.index_points, "currency": currency}
    return {"business_case": case, "top_initiative": top}


def business_case_totals(results_list: Iterable[Results]) -> list[dict[str, Any]]:
    """The business cases of the clients' latest assessments, added up per currency.

    Money in different currencies is never added: one row per currency (None: results that
    name none), sorted by currency, with ``clients`` (names whose total counts),
    ``low``/``base``/``high`` (sums) and ``without`` (clients of that currency whose results
    have no business case or no counted driver).
    """
    rows: dict[str | None, dict[str, Any]] = {}
    for r in latest(results_list):
        case = business_case_of(r)["business_case"]
        currency = case["currency"] if case else view(r).organization.currency
        row = rows.setdefault(currency, {"currency": currency, "clients": [], "without": [],
                                         "low": 0.0, "base": 0.0, "high": 0.0})
        if case is None or case["base"] is None:
            row["without"].append(org_name(r))
            continue
        row["clients"].append(org_name(r))
        for k in ("low", "base", "high"):
            row[k] += case[k] or 0.0
    out = sorted(rows.values(), key=lambda row: (row["currency"] is None, row["currency"] or ""))
    for row in out:
        if not row["clients"]:
            row["low"] = row["base"] = row["high"] = None
    return out


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


def _applies(kpi: dict[str, Any]) -> bool:
    """Whether the KPI applies to the organization (results@1: always)."""
    return kpi.get("applicable", True) is not False


def _currency(results: Results, kpi: dict[str, Any]) -> str | None:
    if kpi.get("unit") != "currency":
        return None
    return str(results["organization"].get("currency") or "").strip().upper() or None


def _oriented(kpi: dict[str, Any]) -> float | None:
    """A KPI's current value oriented so that higher is better (band KPIs: their score)."""
    current = kpi.get("current")
    if not _number(current) or not _applies(kpi):
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


class _Value(NamedTuple):
    shown: float | None
    ranked: float | None
    currency: str | None
    applicable: bool


def _metric_values(clients: list[Results], views: list[ResultsView],
                   metric: dict[str, Any]) -> list[_Value]:
    """Per client: the value shown, the value ranked, its currency and whether it applies."""
    out: list[_Value] = []
    for r, v in zip(clients, views, strict=True):
        if metric["kind"] != "kpi":
            value = _series_value(r, metric["metric"])
            out.append(_Value(value, value, None,
                              metric["metric"] not in not_applicable(v)))
            continue
        kpi = next((k for k in _kpi_rows(r) if k["id"] == metric["metric"]), None)
        if kpi is None:
            out.append(_Value(None, None, None, True))
            continue
        current = kpi.get("current") if _number(kpi.get("current")) else None
        out.append(_Value(current, _oriented(kpi), _currency(r, kpi), _applies(kpi)))
    return out


def percentile_ranks(results_list: Iterable[Results]) -> list[dict[str, Any]]:
    """Each client's percentile rank per index, element and KPI, within its comparison group.

    Uses each client's latest assessment; clients without a value are left out. Scores are
    compared within the client's group (:class:`PeerGroups`: same segment, same missing-data
    rule), KPI values within the same segment. A higher percentile is always better: KPIs
    where lower is better rank by the negated value, band KPIs by their score, and currency
    KPIs only among clients reporting in the same currency. An area or KPI that does not
    apply to a client has no percentile and ``applicable`` False.
    Rows (long format): ``organization``, ``assessment_date``, ``kind`` (index, element, kpi),
    ``metric``, ``name``, ``element``, ``currency``, ``value``, ``applicable``,
    ``percentile``, ``peers`` (other clients compared with) and ``group`` (who they are, in
    words).
    """
    clients = latest(results_list)
    views = [view(r) for r in clients]
    groups = PeerGroups.of(views)
    rows = []
    for metric in _metrics(clients):
        scores = metric["kind"] != "kpi"
        keys = [groups.key(v, scores) for v in views]
        values = _metric_values(clients, views, metric)
        for i, r in enumerate(clients):
            mine = values[i]
            others = [o.ranked for j, o in enumerate(values)
                      if j != i and o.ranked is not None and o.currency == mine.currency
                      and keys[j] == keys[i]]
            ranked = mine.ranked is not None and mine.applicable
            rows.append({
                "organization": org_name(r), "assessment_date": assessment_date(r),
                **metric, "currency": mine.currency,
                "value": mine.shown if mine.applicable else None,
                "applicable": mine.applicable,
                "percentile": percentile_rank(mine.ranked, others) if ranked else None,
                "peers": len(others) if ranked else 0,
                "group": groups.label(views[i], scores, mine.currency),
            })
    return rows


def percentile_table(ranks: Sequence[dict[str, Any]], kinds: Sequence[str] = ("index", "element"),
                     ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Percentile ranks in wide form: ``(metrics, rows)``.

    ``metrics`` lists the columns (``metric``, ``name``, ``kind``, ``element``) in order;
    each row is ``{"organization": ..., "assessment_date": ..., "group": ..., "peers": ...,
    "not_applicable": [metrics], <metric>: percentile}``; ``group`` and ``peers`` are those of
    the first metric (for the index and elements: the client's comparison group).
    """
    metrics: dict[str, dict[str, Any]] = {}
    rows: dict[str, dict[str, Any]] = {}
    for rank in ranks:
        if rank["kind"] not in kinds:
            continue
        metrics.setdefault(rank["metric"], {k: rank[k] for k in ("metric", "name", "kind",
                                                                   "element")})
        row = rows.setdefault(rank["organization"], {
            "organization": rank["organization"], "assessment_date": rank["assessment_date"],
            "group": rank.get("group"), "peers": rank.get("peers"), "not_applicable": []})
        row[rank["metric"]] = rank["percentile"]
        if rank.get("applicable") is False:
            row["not_applicable"].append(rank["metric"])
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


class _Entry(NamedTuple):
    results: Results
    view: ResultsView
    kpi: dict[str, Any]


def _reference(entry: _Entry) -> tuple[Any, ...]:
    """What a KPI is measured against for one client, in the framework's currency: the
    direction, framework target, band and benchmark. Clients whose references differ (their
    segments have their own targets) get a distribution row each."""
    kpi, fx = entry.kpi, entry.view.organization.fx_rate

    def norm(value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            return tuple(norm(v) for v in value)
        if not _number(value):
            return value
        money = kpi.get("unit") == "currency" and _number(fx) and fx > 0
        return round(value / fx if money else value, 6)

    bench = kpi.get("benchmark") if isinstance(kpi.get("benchmark"), dict) else {}
    return (kpi.get("direction"), norm(kpi.get("framework_target", kpi.get("target"))),
            norm(kpi.get("band")),
            tuple(norm(bench.get(k)) if k in ("value", "range") else bench.get(k)
                  for k in ("value", "range", "source", "year", "currency")))


def kpi_distribution(results_list: Iterable[Results]) -> list[dict[str, Any]]:
    """Per KPI, the spread of the clients' current values next to the KPI's benchmark.

    Uses each client's latest assessment; missing values are left out, and clients the KPI
    does not apply to are counted apart (``not_applicable``). Currency KPIs get one row per
    currency (values are never converted). Where the clients' segments give the KPI
    different targets or benchmarks, each segment gets its own row (``segment``,
    ``segment_name``; None when the row spans every segment). Row keys: ``id``, ``name``,
    ``element``, ``unit``, ``direction``, ``currency``, ``segment``, ``segment_name``, ``n``,
    ``not_applicable``, ``min``, ``q1``, ``median``, ``q3``, ``max`` (None when n is 0),
    ``values`` (``[{"organization", "value"}]``), ``target``, ``band`` and ``benchmark``
    (``value``, ``range``, ``source``, ``year``, ``note``, ``currency``, ``converted``, or
    None), from the latest assessment in the row that has the KPI and applies it, and
    ``benchmark_plot`` (the benchmark's ``value``/``range`` in the row's currency, for a
    chart; None when it cannot be placed on the row's scale).
    """
    clients = latest(results_list)
    order: list[str] = []
    for r in clients:
        for kpi in _kpi_rows(r):
            if kpi["id"] not in order:
                order.append(kpi["id"])
    by_id: dict[str, list[_Entry]] = {kid: [] for kid in order}
    for r in sorted(clients, key=assessment_date):
        v = view(r)
        for kpi in _kpi_rows(r):
            by_id[kpi["id"]].append(_Entry(r, v, kpi))
    rows = []
    for kid in order:
        entries = by_id[kid]
        currencies = sorted({c for e in entries if (c := _currency(e.results, e.kpi))})
        for currency in (currencies or [None]):
            same = [e for e in entries if _currency(e.results, e.kpi) == currency]
            applied = [e for e in same if _applies(e.kpi)]
            if len({_reference(e) for e in applied}) <= 1:
                parts: dict[str | None, list[_Entry]] = {None: same}
            else:
                parts = {}
                for e in same:
                    parts.setdefault(e.view.organization.segment or None, []).append(e)
            for segment in sorted(parts, key=lambda s: (s is not None, s or "")):
                rows.append(_distribution_row(parts[segment], currency, segment))
    return rows


def _distribution_row(entries: list[_Entry], currency: str | None,
                      segment: str | None) -> dict[str, Any]:
    applied = [e for e in entries if _applies(e.kpi)]
    ref = (applied or entries)[-1].kpi
    values = sorted(((org_name(e.results), e.kpi["current"]) for e in applied
                     if _number(e.kpi.get("current"))),
                    key=lambda pair: (pair[1], pair[0].casefold()))
    numbers = [v for _, v in values]
    stats: dict[str, float | None] = dict.fromkeys(("min", "q1", "median", "q3", "max"))
    if numbers:
        stats = {"min": numbers[0], "q1": quantile(numbers, 0.25),
                 "median": quantile(numbers, 0.5), "q3": quantile(numbers, 0.75),
                 "max": numbers[-1]}
    bench = ref.get("benchmark") if isinstance(ref.get("benchmark"), dict) else None
    benchmark = None
    if bench:
        benchmark = {k: bench.get(k) for k in ("value", "range", "source", "year", "note",
                                               "currency")}
        converted = [e.kpi.get("benchmark", {}).get("converted") for e in applied
                     if isinstance(e.kpi.get("benchmark"), dict)]
        same = converted and all(c == converted[0] for c in converted)
        benchmark["converted"] = converted[0] if same else None
    return {
        "id": ref["id"], "name": str(ref.get("name") or ref["id"]), "element": ref.get("element"),
        "unit": ref.get("unit"), "direction": ref.get("direction"), "currency": currency,
        "segment": segment,
        "segment_name": segment_label(entries[-1].view) if segment else None,
        "n": len(numbers), "not_applicable": len(entries) - len(applied), **stats,
        "values": [{"organization": name, "value": v} for name, v in values],
        "target": ref.get("framework_target", ref.get("target")),
        "band": ref.get("band"),
        "benchmark": benchmark,
        "benchmark_plot": _benchmark_plot(benchmark, ref.get("unit"), currency),
    }


def _benchmark_plot(bench: dict[str, Any] | None, unit: str | None,
                    currency: str | None) -> dict[str, Any] | None:
    """The benchmark's value or range on the row's scale: as given unless it is money in
    another currency, then its converted figure, or None when there is none."""
    if not bench or (bench.get("value") is None and not bench.get("range")):
        return None
    own = bench.get("currency")
    if unit != "currency" or not own or not currency or own == currency:
        return {"value": bench.get("value"), "range": bench.get("range")}
    converted = bench.get("converted") or {}
    if converted.get("currency") == currency:
        return {"value": converted.get("value"), "range": converted.get("range")}
    return None


# --------------------------------------------------------------------------- trends


SETTING_WORDS: dict[str, str] = {"element_weights": "element weights",
                                 "min_coverage": "minimum coverage",
                                 "currency": "framework currency"}


def method_changes(previous: Results, current: Results) -> list[str]:
    """Every way the method differs between two assessments (empty when nothing does).

    The results schema (results@1 to results@2: methodology version 2), the framework name
    or version, the missing-data rule, the segment (its own targets), and the settings of
    :data:`METHOD_SETTINGS` (element weights, minimum coverage, framework currency).
    """
    v0, v1 = view(previous), view(current)
    changes = []
    if v0.version != v1.version:
        changes.append(f"results schema changed from results@{v0.version} to "
                       f"results@{v1.version} (methodology version {v1.version})")
    before, after = _framework(previous), _framework(current)
    if before[0] == after[0] and before[1] != after[1]:
        changes.append(f"framework version changed from {before[1]} to {after[1]}")
    elif before != after:
        changes.append(f"framework changed from {before[0]} {before[1]} to {after[0]} "
                       f"{after[1]}")
    if missing_rule(v0) != missing_rule(v1):
        changes.append(f"missing data rule changed from {RULE_WORDS[missing_rule(v0)]} to "
                       f"{RULE_WORDS[missing_rule(v1)]}")
    if (v0.organization.segment or None) != (v1.organization.segment or None):
        changes.append(f"segment changed from {segment_label(v0) or 'none'} to "
                       f"{segment_label(v1) or 'none'}")
    s0 = previous["framework"].get("settings") or {}
    s1 = current["framework"].get("settings") or {}
    changed = [SETTING_WORDS.get(key, key.replace("_", " ")) for key in METHOD_SETTINGS
               if s0.get(key) != s1.get(key)]
    if v0.version != v1.version:  # results@1 has no framework currency: part of the version
        changed = [c for c in changed if c != SETTING_WORDS["currency"]]
    if changed:
        changes.append("scoring settings changed (" + ", ".join(changed) + ")")
    return changes


def method_change(previous: Results, current: Results) -> str | None:
    """What changed in the method between two assessments (:func:`method_changes` joined
    with ``; ``), or None when nothing did."""
    return "; ".join(method_changes(previous, current)) or None


#: Why a method change is never shown as movement (the note of such a trend step).
METHOD_NOTE = ("Method change: {change}. Scores made under different methods are not "
               "comparable, so no change is shown.")
VERSION_NOTE = (" Version 2 counts missing data as 0 (the measured reading is the version 1 "
                "rule), leaves out what does not apply and scores against the segment's "
                "targets.")


def trends(results_list: Iterable[Results]) -> list[dict[str, Any]]:
    """The index and elements over time, for clients assessed on more than one date.

    Returns ``[{"organization", "points": [...]}]``; each point has ``assessment_date``,
    ``framework``, ``framework_version``, ``results_version``, ``missing_kpi``, ``segment``,
    ``segment_name``, ``coverage``, the ``SERIES`` values, ``index_measured``,
    ``not_applicable``, ``method_changed``, ``method_change`` (what changed), ``delta``
    (series and ``index_measured`` -> change since the previous assessment, None per series
    when either value is missing), ``note`` and ``initiatives`` (how the chosen initiatives
    moved at this step: :func:`initiative_counts`). A step with a method change (see
    :func:`method_changes`), and the first point, have ``delta`` None: it is never shown as
    movement. Initiative status is not a score, so it is shown across a method change too:
    each trend's ``initiatives`` is :func:`initiative_progress` of its assessments.
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
        points: list[dict[str, Any]] = []
        for i, r in enumerate(series):
            v = view(r)
            name, version = _framework(r)
            change = method_change(series[i - 1], r) if i else None
            values = {s: _series_value(r, s) for s in SERIES}
            values[MEASURED] = v.index.measured_score
            if i == 0:
                delta, note = None, "first assessment"
            elif change:
                delta = None
                note = METHOD_NOTE.format(change=change)
                if points[-1]["results_version"] != v.version:
                    note += VERSION_NOTE
            else:
                prev = points[-1]
                delta = {s: None if values[s] is None or prev[s] is None else values[s] - prev[s]
                         for s in (*SERIES, MEASURED)}
                note = f"change since {prev['assessment_date']}"
            points.append({"assessment_date": assessment_date(r), "framework": name,
                           "framework_version": version, "results_version": v.version,
                           "missing_kpi": missing_rule(v), "segment": v.organization.segment,
                           "segment_name": segment_label(v), "coverage": v.index.coverage,
                           **values, "not_applicable": not_applicable(v),
                           "method_changed": bool(change), "method_change": change,
                           "delta": delta, "note": note})
        progress = initiative_progress(series)
        for i, point in enumerate(points):
            point["initiatives"] = initiative_counts(progress, i)
        out.append({"organization": org_name(series[-1]), "points": points,
                    "initiatives": progress})
    return out


# --------------------------------------------------------------------------- initiatives


#: How a chosen initiative moved between two assessments of one client, in display order
#: (docs/portfolio.md, "Initiatives across assessments").
CHANGES: tuple[str, ...] = ("new", "progressed", "done", "slipped", "dropped", "reopened",
                            "unchanged", "not recorded")
#: Tracking statuses in the order of progress (methodology §2 intake: Initiatives sheet).
PROGRESS: dict[str, int] = {"not_started": 0, "in_progress": 1, "done": 2}
#: States of an initiative that the client is working on (or has finished).
ACTIVE: frozenset[str] = frozenset({"not_started", "in_progress", "done", "chosen"})


def initiative_state(tracking: Mapping[str, Any] | None) -> str:
    """Where one initiative stands at one assessment, from its ``tracking`` record.

    ``absent`` (nothing recorded, or results without a roadmap), ``dropped`` (status dropped),
    ``not_chosen`` (chosen: no), its status (``not_started``, ``in_progress``, ``done``), or
    ``chosen`` (recorded but without a status).
    """
    if not tracking:
        return "absent"
    status = tracking.get("status")
    if status == "dropped":
        return "dropped"
    if tracking.get("chosen") is False:
        return "not_chosen"
    return status if status in PROGRESS else "chosen"


def due_date(tracking: Mapping[str, Any] | None) -> dt.date | None:
    """The tracking record's due date (ISO text or a date), None when absent or unreadable."""
    raw = (tracking or {}).get("due_date")
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw)[:10]) if raw else None
    except ValueError:
        return None


def past_due(tracking: Mapping[str, Any] | None, on: dt.date | None) -> bool:
    """Whether an initiative being worked on (not done, not dropped) is past its due date on
    ``on`` (an assessment date): due strictly before it."""
    due = due_date(tracking)
    return (due is not None and on is not None
            and initiative_state(tracking) in ACTIVE - {"done"} and due < on)


def initiative_change(previous: Mapping[str, Any] | None, current: Mapping[str, Any] | None,
                      on: dt.date | None) -> str | None:
    """How an initiative moved from one assessment to the next (one of :data:`CHANGES`), or
    None when it was chosen at neither. ``on`` is the later assessment's date.

    In order: no record now of an initiative chosen before is ``not recorded``; chosen
    before and marked not chosen now is ``dropped``; status dropped is ``dropped`` (then
    ``unchanged``); done is ``done`` (then ``unchanged``); not done and past its due date on
    ``on`` is ``slipped``; chosen now but not before is ``new``; done before and not now is
    ``reopened``; a later status than before is ``progressed``; else ``unchanged``.
    """
    was, now = initiative_state(previous), initiative_state(current)
    if now in ("absent", "not_chosen"):
        return None if was not in ACTIVE else ("not recorded" if now == "absent" else "dropped")
    if now in ("dropped", "done"):
        return "unchanged" if was == now else now
    if past_due(current, on):
        return "slipped"
    if was not in ACTIVE:
        return "new"
    if was == "done":
        return "reopened"
    if was in PROGRESS and now in PROGRESS and PROGRESS[now] > PROGRESS[was]:
        return "progressed"
    return "unchanged"


def _initiatives(results: Results) -> dict[str, tuple[str, Mapping[str, Any] | None]]:
    """Initiative id -> (name, tracking record) of one assessment, in roadmap order (rank)."""
    return {i.id: (i.name, i.tracking) for i in view(results).roadmap.initiatives}


def initiative_progress(series: Sequence[Results]) -> list[dict[str, Any]]:
    """The initiatives one client chose, across its assessments (oldest first).

    One row per initiative chosen (or dropped) at one assessment at least, in the latest
    roadmap's order, then any others in the order first seen: ``id``, ``name`` (the latest
    given) and ``cells``, one per assessment: ``assessment_date``, ``state``
    (:func:`initiative_state`), ``status``, ``chosen``, ``owner``, ``due_date`` (text),
    ``inhibitors``, ``notes``, ``past_due`` (:func:`past_due` on that assessment's date) and
    ``change`` (:func:`initiative_change` since the previous assessment; None at the first).
    Results without a roadmap (results@1, early results@2) have nothing recorded: ``absent``.
    """
    found = [_initiatives(r) for r in series]
    order: dict[str, str] = {}
    for per in (found[-1:] + found[:-1]) if found else []:
        for iid, (name, _) in per.items():
            order.setdefault(iid, name)
    for per in found:  # the latest name wins
        for iid, (name, _) in per.items():
            order[iid] = name
    dates = [_as_date(assessment_date(r)) for r in series]
    rows = []
    for iid, name in order.items():
        records = [per.get(iid, (name, None))[1] for per in found]
        if not any(initiative_state(t) in ACTIVE | {"dropped"} for t in records):
            continue
        cells = []
        for i, t in enumerate(records):
            t = t or {}
            cells.append({
                "assessment_date": assessment_date(series[i]),
                "state": initiative_state(t), "status": t.get("status"),
                "chosen": t.get("chosen"), "owner": t.get("owner"),
                "due_date": None if t.get("due_date") is None else str(t["due_date"]),
                "inhibitors": t.get("inhibitors"), "notes": t.get("notes"),
                "past_due": past_due(t, dates[i]),
                "change": initiative_change(records[i - 1], t, dates[i]) if i else None})
        rows.append({"id": iid, "name": name, "cells": cells})
    return rows


def initiative_counts(progress: Sequence[Mapping[str, Any]], step: int) -> dict[str, Any]:
    """The initiatives at assessment ``step`` of a trend: ``tracked`` (chosen and not
    dropped there) and ``changes`` (word -> how many, in :data:`CHANGES` order; empty at the
    first assessment)."""
    cells = [row["cells"][step] for row in progress]
    counts = {w: sum(c["change"] == w for c in cells) for w in CHANGES}
    return {"tracked": sum(c["state"] in ACTIVE for c in cells),
            "changes": {w: n for w, n in counts.items() if n}}


def _as_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


# --------------------------------------------------------------------------- weight sensitivity


def scenarios() -> list[str]:
    """Scenario keys: ``base``, then one per element (that element's weight × factor)."""
    return ["base", *ELEMENTS]


def reweighted_index(elements: dict[str, dict[str, Any]], boost: str | None = None,
                     factor: float = 2.0, rule: str = "exclude") -> float | None:
    """The index (methodology §3) with element ``boost``'s weight multiplied by ``factor``.

    ``exclude`` (results@1): over the scored elements, None unless at least 3 of the 4 are
    scored. ``zero``: over every element that applies (a score of None counts 0).
    """
    def weight(key: str, e: dict[str, Any]) -> float:
        return e["weight"] * (factor if key == boost else 1.0)

    if rule == "zero":
        applied = [(weight(key, e), e.get("score") or 0.0) for key, e in elements.items()
                   if key in ELEMENTS and e.get("applicable", True) is not False]
        total = sum(w for w, _ in applied)
        return sum(w * s for w, s in applied) / total if total else None
    scored = [(weight(key, e), e["score"])
              for key, e in elements.items() if key in ELEMENTS and e.get("score") is not None]
    if len(scored) < 3:
        return None
    return sum(w * s for w, s in scored) / sum(w for w, _ in scored)


def competition_ranks(values: Sequence[float | None]) -> list[int | None]:
    """1 + the number of values strictly higher (ties share the best rank); None stays None."""
    present = [v for v in values if v is not None]
    return [None if v is None else 1 + sum(o > v + EPSILON for o in present) for v in values]


def _ranks_by_group(values: Sequence[float | None], keys: Sequence[Any]) -> list[int | None]:
    """:func:`competition_ranks` within each group of equal ``keys``."""
    ranks: list[int | None] = [None] * len(values)
    for key in dict.fromkeys(keys):
        members = [i for i, k in enumerate(keys) if k == key]
        for i, rank in zip(members, competition_ranks([values[i] for i in members]),
                           strict=True):
            ranks[i] = rank
    return ranks


def weight_sensitivity(results_list: Iterable[Results],
                       factor: float = 2.0) -> list[dict[str, Any]]:
    """Each client's index and rank under the base weights and each element's weight × factor.

    Uses each client's latest assessment, its own element weights as the base and its own
    missing-data rule. Ranks are among the clients of its comparison group
    (:class:`PeerGroups`). Row keys: ``organization``, ``assessment_date``, ``index``
    (scenario -> index), ``rank`` (scenario -> rank among the group's clients with an
    index), ``index_min``, ``index_max``, ``rank_min`` (best), ``rank_max`` (worst),
    ``ranked`` (clients of the group ranked) and ``group``. All None for a client without an
    index.
    """
    if not (isinstance(factor, (int, float)) and math.isfinite(factor) and factor > 0):
        raise ValueError(f"factor must be a positive number, not {factor!r}")
    clients = latest(results_list)
    views = [view(r) for r in clients]
    groups = PeerGroups.of(views)
    keys = [groups.key(v) for v in views]
    indexes = {s: [reweighted_index(r["elements"], None if s == "base" else s, factor,
                                    missing_rule(v)) for r, v in zip(clients, views, strict=True)]
               for s in scenarios()}
    ranks = {s: _ranks_by_group(indexes[s], keys) for s in scenarios()}
    rows = []
    for i, r in enumerate(clients):
        values = {s: indexes[s][i] for s in scenarios()}
        places = {s: ranks[s][i] for s in scenarios()}
        some = [v for v in values.values() if v is not None]
        spots = [p for p in places.values() if p is not None]
        ranked = sum(indexes["base"][j] is not None for j, k in enumerate(keys) if k == keys[i])
        rows.append({
            "organization": org_name(r), "assessment_date": assessment_date(r),
            "index": values, "rank": places,
            "index_min": min(some) if some else None, "index_max": max(some) if some else None,
            "rank_min": min(spots) if spots else None, "rank_max": max(spots) if spots else None,
            "ranked": ranked, "group": groups.label(views[i]),
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
    #: How the clients were grouped for comparison, in sentences (:func:`comparison_notes`).
    notes: list[str] = field(default_factory=list)
    #: The latest business cases added up per currency (:func:`business_case_totals`).
    business_totals: list[dict[str, Any]] = field(default_factory=list)

    @property
    def clients(self) -> list[dict[str, Any]]:
        """The comparison rows of each client's latest assessment."""
        return [row for row in self.assessments if row["latest"]]


def comparison_notes(results_list: Iterable[Results]) -> list[str]:
    """Which comparison groups the clients' latest assessments fall into, in sentences."""
    clients = latest(results_list)
    views = [view(r) for r in clients]
    groups = PeerGroups.of(views)
    members: dict[str, list[str]] = {}
    for r, v in zip(clients, views, strict=True):
        members.setdefault(groups.label(v), []).append(org_name(r))
    notes = []
    if len(members) > 1:
        notes.append("Clients are compared only within their comparison group (percentiles, "
                     "ranks): " + "; ".join(f"{label}: {', '.join(names)}"
                                             for label, names in members.items()) + ".")
    elif members:
        notes.append(f"Every client is compared with the others ({next(iter(members))}).")
    versions = sorted({v.version for v in views})
    if len(versions) > 1:
        notes.append("The latest assessments were made with different methods (results@"
                     + " and results@".join(map(str, versions)) + "); clients scored with a "
                     "different missing-data rule are never ranked against each other.")
    return notes


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
        warnings=list(warnings), source=source, notes=comparison_notes(ordered),
        business_totals=business_case_totals(ordered))
