"""Scorecard charts as plain Vega-Lite specs, built from the results structure.

Every chart is a JSON-ready ``dict`` in the Vega-Lite v5 grammar (what Altair emits), made
without importing Altair: ``import altair`` alone costs more than the whole ``score`` command
may take. The HTML scorecard turns the specs into inline SVG with vl-convert; in a notebook,
:func:`to_altair` gives the matching Altair chart object.

- :func:`build_charts` returns every chart of a scorecard, in reading order, as :class:`Chart`
  records. A chart with no data to show has ``spec=None`` and a ``note`` that says why.
- The builders (:func:`element_chart`, :func:`kpi_chart`, :func:`projection_chart`,
  :func:`expectations_chart`, :func:`practices_chart`) each return one :class:`Chart`.
- :func:`format_value` formats a KPI value for display by its unit (shared with the HTML).

Data values in the specs are the unrounded numbers of the results; only text labels round.
KPI bullets are drawn on the 0-100 *score* scale so that KPIs of different units line up: the
target is the tick at 100, the amber threshold is a dashed line, and a published benchmark is
converted to the score it would earn (a diamond, or a thin bar for a benchmark range).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from markupsafe import escape

from assessment.core.format import (
    QUADRANT_LABELS,
    STATUS_LABELS,
    format_value,
    rag_label,
    trim_number,
)
from assessment.core.scoring import kpi_score

SCHEMA_URL = "https://vega.github.io/schema/vega-lite/v5.json"

#: System font stack, shared with the HTML page (no web fonts: the scorecard is offline).
#: DejaVu Sans comes first because vl-convert measures text with the fonts it finds and a
#: missing first choice makes every measurement slower; browsers fall through to their own.
FONT = "DejaVu Sans, Helvetica Neue, Helvetica, Arial, sans-serif"
WIDTH = 480

RAG_COLORS = {"Green": "#2e7d32", "Amber": "#e0a100", "Red": "#c62828"}
STATUS_COLORS = {"Met": "#2e7d32", "Near": "#e0a100", "Off target": "#c62828",
                 "No data": "#9e9e9e"}
QUADRANT_COLORS = {"Keep up the good work": "#2e7d32", "Concentrate here": "#c62828",
                   "Possible overkill": "#1565c0", "Low priority": "#757575"}
PRACTICE_GROUPS = {"Needs action (0-1)": "#c62828", "Defined (2)": "#e0a100",
                   "Managed or better (3-4)": "#2e7d32"}
SERIES_COLORS = ("#1f4e79", "#8c8c8c", "#2e7d32", "#5b9bd5")
SERIES_DASHES = ([1, 0], [6, 3], [2, 2], [6, 2, 2, 2])

BASE_CONFIG: dict[str, Any] = {
    "font": FONT,
    "view": {"stroke": None},
    # labelLimit 0: no truncation. vl-convert measures text slowly, and truncating a label
    # measures it over and over (about 10 ms a label), so labels are kept short instead.
    "axis": {"labelFontSize": 11, "titleFontSize": 11, "labelLimit": 0},
    "legend": {"labelFontSize": 11, "titleFontSize": 11, "orient": "bottom", "labelLimit": 0},
    "title": {"fontSize": 14, "anchor": "start", "subtitleFontSize": 11,
              "subtitleColor": "#555555"},
}


@dataclass(frozen=True)
class Chart:
    """One scorecard chart: a Vega-Lite spec, or ``None`` with a ``note`` saying why.

    ``id`` is stable and HTML-safe (``chart-elements``, ``chart-kpis-profit``, ...);
    ``section`` names the scorecard section the chart belongs to. ``note`` may also be set on
    a chart that is drawn, to say what it leaves out.
    """

    id: str
    section: str
    kind: str
    title: str
    description: str
    spec: dict[str, Any] | None
    note: str | None = None
    meta: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def rows(self) -> list[dict[str, Any]]:
        """The chart's data rows (the spec's inline ``data.values``), or ``[]``."""
        return list(self.spec["data"]["values"]) if self.spec else []


def benchmark_scores(kpi: dict[str, Any]) -> tuple[float | None, float | None, float | None]:
    """The benchmark of a KPI result converted to scores: ``(point, range_lo, range_hi)``.

    A single benchmark value gives ``point``; a range gives the scores of both ends, lowest
    first. Scores use the KPI's own target, floor and band (methodology §2).
    """
    bench = kpi.get("benchmark")
    if not bench:
        return None, None, None

    def to_score(value: float) -> float | None:
        try:
            return kpi_score(kpi["direction"], value, kpi["target"], kpi["floor"], kpi["band"])
        except (AssertionError, TypeError, ValueError):
            return None

    point = None if bench.get("value") is None else to_score(bench["value"])
    lo = hi = None
    if bench.get("range"):
        ends = [to_score(v) for v in bench["range"]]
        if None not in ends:
            lo, hi = min(ends), max(ends)
    return point, lo, hi


# --------------------------------------------------------------------------- helpers


def _base(title: str, subtitle: str | None, description: str) -> dict[str, Any]:
    spec: dict[str, Any] = {"$schema": SCHEMA_URL, "title": {"text": title}}
    if subtitle:
        spec["title"]["subtitle"] = subtitle
    spec["description"] = description
    spec["config"] = BASE_CONFIG
    return spec


def _org(results: dict[str, Any]) -> str | None:
    name = (results.get("organization") or {}).get("name")
    return str(name) if name else None


def _currency(results: dict[str, Any]) -> str | None:
    code = (results.get("organization") or {}).get("currency")
    return str(code) if code else None


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _scale(domain: dict[str, str]) -> dict[str, Any]:
    return {"domain": list(domain), "range": list(domain.values())}


def area_name(results: dict[str, Any], area: str) -> str:
    """Display name of an element, ``renewal``, a questionnaire or the expectations area."""
    if area in results.get("elements", {}):
        return str(results["elements"][area]["name"])
    if area in results.get("questionnaires", {}):
        return str(results["questionnaires"][area]["name"])
    return {"renewal": "Renewal", "customer_expectations": "Customer expectations"}.get(
        area, area.replace("_", " ").capitalize())


# --------------------------------------------------------------------------- charts


def element_chart(results: dict[str, Any]) -> Chart:
    """Element scores 0-100 as bars coloured by RAG, with a rule at the amber threshold."""
    amber = results["framework"]["settings"]["amber"]
    rows = []
    for key, element in results["elements"].items():
        value = element["score"]
        rag = rag_label(element["rag"])
        rows.append({
            "key": key, "element": element["name"], "score": value,
            "coverage": element["coverage"], "rag": rag, "scale": 100,
            "label": (f"{value:.1f} ({rag})" if value is not None
                      else f"not scored (coverage {element['coverage']:.0%})"),
        })
    title = "Element scores"
    parts = [f"{r['element']} {r['label']}" for r in rows]
    description = (f"Bar chart of the four element scores on a 0 to 100 scale, with a dashed "
                   f"line at the amber threshold of {trim_number(amber, 1)}. "
                   + "; ".join(parts) + ".")
    if not any(r["score"] is not None for r in rows):
        return Chart("chart-elements", "summary", "bars", title, description, None,
                     "No element has enough data to be scored, so there is no element chart.")
    y = {"field": "element", "type": "nominal", "sort": None, "title": None}
    x_scale = {"domain": [0, 100], "nice": False}
    spec = _base(title, _org(results), description)
    spec.update({
        "width": WIDTH, "height": {"step": 36},
        "data": {"values": rows},
        "layer": [
            {"mark": {"type": "bar", "color": "#eceff1", "height": 22},
             "encoding": {"y": y, "x": {"field": "scale", "type": "quantitative",
                                        "scale": x_scale, "title": "Score (0-100)",
                                        "axis": {"values": [0, 20, 40, 60, 80, 100]}}}},
            {"mark": {"type": "bar", "height": 22},
             "encoding": {
                 "y": y,
                 "x": {"field": "score", "type": "quantitative", "scale": x_scale},
                 "color": {"field": "rag", "type": "nominal", "scale": _scale(RAG_COLORS),
                           "legend": {"title": "RAG"}},
                 "tooltip": [{"field": "element", "type": "nominal"},
                             {"field": "label", "type": "nominal", "title": "Score"}]}},
            {"mark": {"type": "text", "align": "left", "dx": 10, "fontSize": 11},
             "encoding": {"y": y, "x": {"field": "scale", "type": "quantitative",
                                        "scale": x_scale},
                          "text": {"field": "label", "type": "nominal"}}},
            {"data": {"values": [{"amber": amber}]},
             "mark": {"type": "rule", "strokeDash": [4, 3], "color": "#424242"},
             "encoding": {"x": {"field": "amber", "type": "quantitative", "scale": x_scale}}},
        ],
    })
    return Chart("chart-elements", "summary", "bars", title, description, spec,
                 meta={"amber": amber})


def kpi_chart(results: dict[str, Any], area: str) -> Chart:
    """Bullet chart of one area's KPIs on the score scale, coloured by status.

    Grey bar: the 0-100 scale; coloured bar: the score; black tick: the target (score 100);
    dashed line: the amber threshold; diamond or thin dark bar: the benchmark (or benchmark
    range) converted to a score. The label gives the current value in its unit and the score.
    """
    amber = results["framework"]["settings"]["amber"]
    currency = _currency(results)
    name = area_name(results, area)
    chart_id = f"chart-kpis-{area}"
    section = "renewal" if area == "renewal" else "kpis"
    rows = []
    for kpi in (k for k in results["kpis"] if k["element"] == area):
        point, lo, hi = benchmark_scores(kpi)
        status = STATUS_LABELS.get(kpi["status"], kpi["status"])
        current = format_value(kpi["current"], kpi["unit"], currency)
        label = ("no data" if kpi["score"] is None
                 else f"{current} \u00b7 score {kpi['score']:.1f}")
        rows.append({
            "id": kpi["id"], "kpi": kpi["name"], "score": kpi["score"], "status": status,
            "current": kpi["current"], "current_label": current, "label": label,
            "scale": 100, "target": 100, "bench": point, "bench_lo": lo, "bench_hi": hi,
        })
    title = f"{name} KPIs"
    description = (
        f"Bullet chart of the {name} KPIs on the 0 to 100 score scale; the target scores 100 "
        f"and the amber threshold is {trim_number(amber, 1)}. "
        + "; ".join(f"{r['kpi']}: {r['label']} ({r['status']})" for r in rows) + ".")
    if not rows:
        return Chart(chart_id, section, "bullets", title, description, None,
                     f"The framework has no {name} KPI.")
    if not any(r["score"] is not None for r in rows):
        return Chart(chart_id, section, "bullets", title, description, None,
                     f"No {name} KPI has a current value, so there is nothing to chart.")
    y = {"field": "kpi", "type": "nominal", "sort": None, "title": None}
    x_scale = {"domain": [0, 100], "nice": False}
    layers: list[dict[str, Any]] = [
        {"mark": {"type": "bar", "color": "#eceff1", "height": 18},
         "encoding": {"y": y, "x": {"field": "scale", "type": "quantitative", "scale": x_scale,
                                    "title": "Score (0-100; target = 100)",
                                    "axis": {"values": [0, 20, 40, 60, 80, 100]}}}},
        {"mark": {"type": "bar", "height": 10},
         "encoding": {
             "y": y, "x": {"field": "score", "type": "quantitative", "scale": x_scale},
             "color": {"field": "status", "type": "nominal", "scale": _scale(STATUS_COLORS),
                       "legend": {"title": "Status"}},
             "tooltip": [{"field": "kpi", "type": "nominal", "title": "KPI"},
                         {"field": "label", "type": "nominal", "title": "Current"},
                         {"field": "status", "type": "nominal"}]}},
        {"mark": {"type": "tick", "color": "#212121", "thickness": 2, "size": 20},
         "encoding": {"y": y, "x": {"field": "target", "type": "quantitative",
                                    "scale": x_scale}}},
    ]
    if any(r["bench_lo"] is not None for r in rows):
        layers.append(
            {"mark": {"type": "bar", "color": "#37474f", "height": 3, "opacity": 0.8},
             "encoding": {"y": y, "x": {"field": "bench_lo", "type": "quantitative",
                                        "scale": x_scale},
                          "x2": {"field": "bench_hi"}}})
    if any(r["bench"] is not None for r in rows):
        layers.append(
            {"mark": {"type": "point", "shape": "diamond", "filled": True, "size": 70,
                      "color": "#212121"},
             "encoding": {"y": y, "x": {"field": "bench", "type": "quantitative",
                                        "scale": x_scale}}})
    layers += [
        {"mark": {"type": "text", "align": "left", "dx": 10, "fontSize": 11},
         "encoding": {"y": y, "x": {"field": "scale", "type": "quantitative", "scale": x_scale},
                      "text": {"field": "label", "type": "nominal"}}},
        {"data": {"values": [{"amber": amber}]},
         "mark": {"type": "rule", "strokeDash": [4, 3], "color": "#616161"},
         "encoding": {"x": {"field": "amber", "type": "quantitative", "scale": x_scale}}},
    ]
    spec = _base(title, "Score 0-100: tick = target, diamond or dark bar = benchmark",
                 description)
    spec.update({"width": 300, "height": {"step": 28}, "data": {"values": rows},
                 "layer": layers})
    return Chart(chart_id, section, "bullets", title, description, spec, meta={"amber": amber})


def projection_chart(results: dict[str, Any]) -> Chart:
    """Share of a starting cohort still under contract, years 1-5: client, industry, target."""
    renewal = results["renewal"]
    series = [
        ("client", f"Client ({_rate(renewal.get('contract_renewal_rate'))} renewal)"),
        ("industry", f"Industry ({_rate(renewal.get('industry_rate'))})"),
        ("target", f"Target ({_rate(_target_rate(results))})"),
        ("client_value", "Client, value retained with price uplift"),
    ]
    rows = []
    for point in renewal["projection"]:
        for order, (key, label) in enumerate(series):
            value = point.get(key)
            if _finite(value):
                rows.append({"year": point["year"], "series": label, "order": order,
                             "share": value, "label": f"{trim_number(100.0 * value, 1)}%"})
    present = [label for key, label in series
               if any(_finite(p.get(key)) for p in renewal["projection"])]
    title = "Renewal projection"
    last = [r for r in rows if r["year"] == max((p["year"] for p in renewal["projection"]),
                                                 default=0)]
    description = ("Line chart of the share of a starting cohort of customers still under "
                   "contract in contract years 1 to 5. "
                   + "; ".join(f"{r['series']}: {r['label']} in year {r['year']}" for r in last)
                   + ".")
    note = None
    if renewal.get("contract_renewal_rate") is None:
        note = ("The client curve is missing: the intake gives no current contract renewal "
                "rate.")
    if not rows:
        return Chart("chart-projection", "renewal", "lines", title, description, None,
                     "No renewal rate is known, so there is no projection to chart.")
    colors = dict(zip([label for _, label in series], SERIES_COLORS, strict=True))
    dashes = dict(zip([label for _, label in series], SERIES_DASHES, strict=True))
    color = {"field": "series", "type": "nominal", "sort": present,
             "scale": {"domain": present, "range": [colors[s] for s in present]},
             "legend": {"title": None, "orient": "bottom", "columns": 2}}
    dash = {"field": "series", "type": "nominal", "sort": present,
            "scale": {"domain": present, "range": [dashes[s] for s in present]},
            "legend": None}
    x = {"field": "year", "type": "quantitative", "title": "Contract year",
         "scale": {"domain": [1, 5], "nice": False},
         "axis": {"values": [1, 2, 3, 4, 5], "format": "d"}}
    y = {"field": "share", "type": "quantitative", "title": "Customers still under contract",
         "scale": {"domain": [0, 1]}, "axis": {"format": ".0%"}}
    spec = _base(title, _org(results), description)
    spec.update({
        "width": WIDTH, "height": 260, "data": {"values": rows},
        "layer": [
            {"mark": {"type": "line", "point": True, "strokeWidth": 2},
             "encoding": {"x": x, "y": y, "color": color, "strokeDash": dash,
                          "order": {"field": "year", "type": "quantitative"},
                          "tooltip": [{"field": "series", "type": "nominal"},
                                      {"field": "year", "type": "quantitative"},
                                      {"field": "label", "type": "nominal", "title": "Share"}]}},
            {"transform": [{"filter": "datum.year == 5"}],
             "mark": {"type": "text", "align": "left", "dx": 8, "fontSize": 10},
             "encoding": {"x": x, "y": y, "text": {"field": "label", "type": "nominal"},
                          "color": {**color, "legend": None}}},
        ],
    })
    return Chart("chart-projection", "renewal", "lines", title, description, spec, note,
                 meta={"series": [(s, colors[s], dashes[s]) for s in present]})


def _rate(value: float | None) -> str:
    return "n/a" if value is None else f"{trim_number(100.0 * value, 1)}%"


def _target_rate(results: dict[str, Any]) -> float | None:
    row = next((k for k in results["kpis"] if k["id"] == "contract_renewal_rate"), None)
    return None if row is None else row.get("target")


def expectations_chart(results: dict[str, Any]) -> Chart:
    """Importance-performance scatter with quadrant lines at the IPA threshold."""
    expectations = results["expectations"]
    threshold = expectations.get("threshold")
    if threshold is None:
        threshold = results["framework"]["settings"]["ipa_threshold"]
    points = []
    for number, dim in enumerate(expectations["dimensions"], start=1):
        if _finite(dim["importance"]) and _finite(dim["performance"]):
            points.append({
                "n": number, "dimension": dim["name"], "importance": dim["importance"],
                "performance": dim["performance"], "gap": dim["gap"],
                "quadrant": QUADRANT_LABELS.get(dim["quadrant"], str(dim["quadrant"])),
            })
    title = "Customer expectations: importance and performance"
    description = (
        "Scatter plot of the customer-expectation dimensions, current performance (1 to 5) "
        f"across and importance (1 to 5) up, with quadrant lines at {trim_number(threshold, 2)}. "
        + "; ".join(f"{p['dimension']}: importance {trim_number(p['importance'], 1)}, performance "
                    f"{trim_number(p['performance'], 1)} ({p['quadrant']})" for p in points) + ".")
    missing = len(expectations["dimensions"]) - len(points)
    note = (f"{missing} dimension(s) without both importance and performance ratings are left "
            "out." if missing and points else None)
    if not points:
        return Chart("chart-expectations", "expectations", "scatter", title, description, None,
                     "No dimension has both an importance and a performance rating.")
    # Points are labelled with the dimension's number (the key and the data table give the
    # names), one label per position, so that labels of dimensions rated alike never collide.
    labels: dict[tuple[float, float], list[str]] = {}
    for p in points:
        labels.setdefault((p["performance"], p["importance"]), []).append(str(p["n"]))
    label_rows = [{"performance": x, "importance": y, "text": ", ".join(numbers)}
                  for (x, y), numbers in labels.items()]
    scale = {"domain": [1, 5], "nice": False}
    x = {"field": "performance", "type": "quantitative", "scale": scale,
         "title": "Performance as customers see it (1-5)", "axis": {"tickCount": 5}}
    y = {"field": "importance", "type": "quantitative", "scale": scale,
         "title": "Importance to customers (1-5)", "axis": {"tickCount": 5}}
    corners = [
        {"performance": 1.05, "importance": 4.95, "text": "Concentrate here", "align": "left"},
        {"performance": 4.95, "importance": 4.95, "text": "Keep up the good work",
         "align": "right"},
        {"performance": 1.05, "importance": 1.1, "text": "Low priority", "align": "left"},
        {"performance": 4.95, "importance": 1.1, "text": "Possible overkill", "align": "right"},
    ]
    corner_mark = {"type": "text", "fontSize": 10, "color": "#9e9e9e", "fontStyle": "italic",
                   "baseline": "top"}
    spec = _base(title, _org(results), description)
    spec.update({
        "width": 400, "height": 400, "data": {"values": points},
        "layer": [
            {"data": {"values": [{"t": threshold}]},
             "mark": {"type": "rule", "color": "#9e9e9e", "strokeDash": [4, 3]},
             "encoding": {"x": {"field": "t", "type": "quantitative", "scale": scale}}},
            {"data": {"values": [{"t": threshold}]},
             "mark": {"type": "rule", "color": "#9e9e9e", "strokeDash": [4, 3]},
             "encoding": {"y": {"field": "t", "type": "quantitative", "scale": scale}}},
            {"data": {"values": [c for c in corners if c["align"] == "left"]},
             "mark": {**corner_mark, "align": "left"},
             "encoding": {"x": x, "y": y, "text": {"field": "text", "type": "nominal"}}},
            {"data": {"values": [c for c in corners if c["align"] == "right"]},
             "mark": {**corner_mark, "align": "right"},
             "encoding": {"x": x, "y": y, "text": {"field": "text", "type": "nominal"}}},
            {"mark": {"type": "point", "filled": True, "size": 90, "opacity": 0.9},
             "encoding": {
                 "x": x, "y": y,
                 "color": {"field": "quadrant", "type": "nominal",
                           "scale": _scale(QUADRANT_COLORS),
                           "legend": {"title": "Quadrant", "columns": 2}},
                 "tooltip": [{"field": "n", "type": "ordinal", "title": "#"},
                             {"field": "dimension", "type": "nominal"},
                             {"field": "importance", "type": "quantitative"},
                             {"field": "performance", "type": "quantitative"}]}},
            {"data": {"values": label_rows},
             "mark": {"type": "text", "align": "left", "dx": 7, "dy": -7, "fontSize": 10},
             "encoding": {"x": x, "y": y, "text": {"field": "text", "type": "nominal"}}},
        ],
    })
    return Chart("chart-expectations", "expectations", "scatter", title, description, spec,
                 note, meta={"threshold": threshold, "labels": label_rows})


def practices_chart(results: dict[str, Any], questionnaire: str) -> Chart:
    """One practice questionnaire's answers 0-4 as bars; n/a and blanks are labelled."""
    q = results["questionnaires"][questionnaire]
    chart_id = f"chart-practices-{questionnaire}"
    section = "renewal" if questionnaire == "renewal_practices" else "practices"
    rows = []
    for item in q["items"]:
        answer = item["answer"]
        if answer is None:
            label = "n/a" if item.get("na") else "not answered"
            group = None
        else:
            label = f"{answer} \u00b7 {item['label']}" if item.get("label") else str(answer)
            group = ("Needs action (0-1)" if answer <= 1 else
                     "Defined (2)" if answer == 2 else "Managed or better (3-4)")
        rows.append({"practice": item["name"], "answer": answer, "group": group,
                     "label": label, "scale": 4})
    title = f"{q['name']}: answers (0-4)"
    subtitle = (f"Score {q['score']:.1f}, level {q['level']} {q['level_name']}"
                if q["score"] is not None else "Not scored: too few answers")
    description = (f"Bar chart of the {q['name']} answers on the 0 to 4 maturity scale. "
                   f"{subtitle}. " + "; ".join(f"{r['practice']}: {r['label']}"
                                               for r in rows) + ".")
    if not any(r["answer"] is not None for r in rows):
        return Chart(chart_id, section, "practices", title, description, None,
                     f"No {q['name']} item is answered on the 0-4 scale.")
    y = {"field": "practice", "type": "nominal", "sort": None, "title": None}
    x_scale = {"domain": [0, 4], "nice": False}
    spec = _base(title, subtitle, description)
    spec.update({
        "width": 300, "height": {"step": 24}, "data": {"values": rows},
        "layer": [
            {"mark": {"type": "bar", "color": "#eceff1", "height": 16},
             "encoding": {"y": y, "x": {"field": "scale", "type": "quantitative",
                                        "scale": x_scale, "title": "Answer (0-4)",
                                        "axis": {"values": [0, 1, 2, 3, 4], "format": "d"}}}},
            {"mark": {"type": "bar", "height": 16},
             "encoding": {"y": y, "x": {"field": "answer", "type": "quantitative",
                                        "scale": x_scale},
                          "color": {"field": "group", "type": "nominal",
                                    "scale": _scale(PRACTICE_GROUPS),
                                    "legend": {"title": None}}}},
            {"mark": {"type": "text", "align": "left", "dx": 10, "fontSize": 11},
             "encoding": {"y": y, "x": {"field": "scale", "type": "quantitative",
                                        "scale": x_scale},
                          "text": {"field": "label", "type": "nominal"}}},
        ],
    })
    return Chart(chart_id, section, "practices", title, description, spec)


def build_charts(results: dict[str, Any]) -> list[Chart]:
    """Every chart of the scorecard, in reading order (ids are unique)."""
    charts = [element_chart(results)]
    charts += [kpi_chart(results, area) for area in results["elements"]]
    charts.append(kpi_chart(results, "renewal"))
    charts.append(practices_chart(results, "renewal_practices"))
    charts.append(projection_chart(results))
    charts.append(practices_chart(results, "excellence_practices"))
    charts.append(expectations_chart(results))
    return charts


def to_altair(spec: dict[str, Any], validate: bool = True) -> Any:
    """The Altair chart object for a spec (imports Altair on first use).

    The spec is checked against the Vega-Lite schema unless ``validate`` is false; the live
    form skips that check (most of a redraw's cost) because every spec builder is validated by
    the test suite.
    """
    import altair as alt

    for key, cls in (("layer", alt.LayerChart), ("vconcat", alt.VConcatChart),
                     ("hconcat", alt.HConcatChart), ("concat", alt.ConcatChart),
                     ("facet", alt.FacetChart), ("repeat", alt.RepeatChart)):
        if key in spec:
            return cls.from_dict(spec, validate=validate)
    return alt.Chart.from_dict(spec, validate=validate)


def to_vega_svg(chart: Chart) -> str:
    """The chart drawn by Vega through vl-convert, made safe to inline in an HTML page.

    Ids inside the SVG (clip paths, gradients) get the chart id as a prefix so that several
    charts can share one page, and the root element gets ``role="img"`` with a ``<title>`` and
    ``<desc>``. Vega escapes every text it draws. Slow: about 0.5 s for the first chart of a
    process and 0.05-0.15 s for each further one (see docs/html-scorecard.md).
    """
    if chart.spec is None:
        raise ValueError(f"{chart.id} has no data to draw")
    import vl_convert

    svg = vl_convert.vegalite_to_svg(chart.spec)
    prefix = chart.id
    ids = set(re.findall(r'\bid="([^"]+)"', svg))
    for ident in sorted(ids, key=len, reverse=True):
        new = f"{prefix}-{ident}"
        svg = (svg.replace(f'id="{ident}"', f'id="{new}"')
               .replace(f"url(#{ident})", f"url(#{new})")
               .replace(f'href="#{ident}"', f'href="#{new}"'))
    head, rest = svg.split(">", 1)
    return (f'{head} role="img" aria-labelledby="{prefix}-svg-title {prefix}-svg-desc">'
            + _title_desc(chart) + rest)


# --------------------------------------------------------------------------- static SVG
#
# The HTML scorecard draws its charts with the small renderer below instead of Vega: ten
# charts take a few milliseconds here against more than a second through vl-convert, which
# would break the time budget of the ``score`` command. It reads the same data rows as the
# Vega-Lite specs, so the two drawings show the same numbers. Every text is escaped.

SVG_FONT = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif"
INK = "#212121"
MUTED = "#616161"
TRACK = "#eceff1"
GRID = "#e0e0e0"


def _n(x: float) -> str:
    """A coordinate: at most one decimal, no trailing ``.0``."""
    text = f"{x:.1f}"
    return "0" if text == "-0.0" else text[:-2] if text.endswith(".0") else text


def _e(text: Any) -> str:
    return str(escape(str(text)))


def text_width(text: str, size: float) -> float:
    """A rough width of ``text`` in a sans-serif font: good enough to lay out labels."""
    return len(text) * size * 0.56


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _title_desc(chart: Chart) -> str:
    return (f'<title id="{chart.id}-svg-title">{_e(chart.title)}</title>'
            f'<desc id="{chart.id}-svg-desc">{_e(chart.description)}</desc>')


class Canvas:
    def __init__(self) -> None:
        self.parts: list[str] = []

    def rect(self, x: float, y: float, w: float, h: float, fill: str, extra: str = "") -> None:
        self.parts.append(f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(max(w, 0))}" '
                          f'height="{_n(h)}" fill="{fill}"{extra}/>')

    def line(self, x1: float, y1: float, x2: float, y2: float, stroke: str = GRID,
             width: float = 1, dash: str | None = None) -> None:
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        self.parts.append(f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" '
                          f'stroke="{stroke}" stroke-width="{_n(width)}"{extra}/>')

    def text(self, x: float, y: float, text: str, size: float = 11, anchor: str = "start",
             fill: str = INK, weight: str | None = None, italic: bool = False,
             limit: int | None = None, rotate: bool = False) -> None:
        shown = _clip(text, limit) if limit else text
        attrs = f' text-anchor="{anchor}"' if anchor != "start" else ""
        attrs += f' font-weight="{weight}"' if weight else ""
        attrs += ' font-style="italic"' if italic else ""
        attrs += f' transform="rotate(-90 {_n(x)} {_n(y)})"' if rotate else ""
        full = f"<title>{_e(text)}</title>" if shown != text else ""
        self.parts.append(f'<text x="{_n(x)}" y="{_n(y + 0.35 * size)}" font-size="{_n(size)}" '
                          f'fill="{fill}"{attrs}>{full}{_e(shown)}</text>')

    def legend(self, y: float, x0: float, width: float, items: list[tuple[str, str, str]],
               marker: Callable[[Canvas, str, float, float, str], None] | None = None) -> float:
        """Swatches in rows from ``(x0, y)``; items are ``(kind, colour, label)``.

        Kinds: ``box``, ``tick``, ``diamond``, ``range``, ``dash`` and ``line:<dasharray>``;
        any other kind is drawn by ``marker(canvas, kind, x, y, colour)``. Returns the height
        used.
        """
        x, row = x0, 0
        for kind, color, label in items:
            need = 22 + text_width(label, 11) + 16
            if x > x0 and x + need > x0 + width:
                x, row = x0, row + 1
            cy = y + 8 + row * 20
            if kind == "box":
                self.rect(x, cy - 5, 12, 10, color)
            elif kind == "tick":
                self.rect(x + 5, cy - 7, 2.5, 14, color)
            elif kind == "diamond":
                self.diamond(x + 6, cy, 5, color)
            elif kind == "range":
                self.rect(x, cy - 1.5, 14, 3, color)
            elif kind == "dash":
                self.line(x + 6, cy - 8, x + 6, cy + 8, color, 1.2, "4 3")
            elif kind.startswith("line:"):
                dash = kind[5:] or None
                self.line(x, cy, x + 16, cy, color, 2, dash)
                self.circle(x + 8, cy, 2.5, color)
            elif marker is not None:
                marker(self, kind, x + 6, cy, color)
            self.text(x + 20, cy, label, 11, fill="#424242")
            x += need
        return (row + 1) * 20 + 4

    def diamond(self, cx: float, cy: float, r: float, fill: str) -> None:
        self.parts.append(f'<path d="M{_n(cx)} {_n(cy - r)}L{_n(cx + r)} {_n(cy)}L{_n(cx)} '
                          f'{_n(cy + r)}L{_n(cx - r)} {_n(cy)}Z" fill="{fill}"/>')

    def circle(self, cx: float, cy: float, r: float, fill: str, extra: str = "") -> None:
        self.parts.append(f'<circle cx="{_n(cx)}" cy="{_n(cy)}" r="{_n(r)}" '
                          f'fill="{fill}"{extra}/>')

    def svg(self, chart: Chart, width: float, height: float) -> str:
        width, height = math.ceil(width), math.ceil(height)
        return (f'<svg class="chart-svg" id="{chart.id}-svg" viewBox="0 0 {width} {height}" '
                f'width="{width}" height="{height}" role="img" '
                f'aria-labelledby="{chart.id}-svg-title {chart.id}-svg-desc" '
                f'font-family="{SVG_FONT}">' + _title_desc(chart)
                + "".join(self.parts) + "</svg>")


def label_column(labels: list[str], size: float = 11, limit: int = 38) -> float:
    return min(max((text_width(_clip(t, limit), size) for t in labels), default=40) + 14, 250)


def amber_rule(c: Canvas, x: float, top: float, bottom: float, label: str,
               color: str = "#424242") -> None:
    """The dashed amber-threshold rule down the plot at ``x``, labelled above it."""
    c.line(x, top - 6, x, bottom, color, 1.2, "4 3")
    c.text(x, top - 13, label, 10, "middle", color)


def x_axis(c: Canvas, left: float, plot_w: float, top: float, bottom: float,
            ticks: list[float], lo: float, hi: float, fmt: Any, title: str) -> None:
    for t in ticks:
        x = left + plot_w * (t - lo) / (hi - lo)
        c.line(x, top, x, bottom)
        c.text(x, bottom + 10, fmt(t), 10, "middle", MUTED)
    c.text(left + plot_w / 2, bottom + 26, title, 11, "middle", MUTED)


def _svg_bars(chart: Chart) -> str:
    """Element scores: one bar per element on 0-100, amber rule, RAG colours."""
    rows, amber = chart.rows, chart.meta["amber"]
    left = label_column([r["element"] for r in rows])
    plot_w, row_h, bar_h, top = 400.0, 36.0, 22.0, 22.0
    right = min(max((text_width(r["label"], 12) for r in rows), default=40) + 24, 260)
    width = left + plot_w + right
    bottom = top + row_h * len(rows)
    c = Canvas()
    x_axis(c, left, plot_w, top, bottom, [0, 20, 40, 60, 80, 100], 0, 100, lambda t: f"{t:g}",
            "Score (0\u2013100)")
    for i, r in enumerate(rows):
        y = top + i * row_h + (row_h - bar_h) / 2
        c.text(left - 8, y + bar_h / 2, r["element"], 12, "end", limit=38)
        c.rect(left, y, plot_w, bar_h, TRACK)
        if r["score"] is not None:
            c.rect(left, y, plot_w * r["score"] / 100, bar_h, RAG_COLORS.get(r["rag"], MUTED))
        c.text(left + plot_w + 10, y + bar_h / 2, r["label"], 12,
               fill=INK if r["score"] is not None else MUTED,
               weight="bold" if r["score"] is not None else None)
    amber_rule(c, left + plot_w * amber / 100, top, bottom,
               f"amber threshold {trim_number(amber, 1)}")
    used = c.legend(bottom + 40, left, plot_w + right - 10,
                    [("box", color, label) for label, color in RAG_COLORS.items()])
    return c.svg(chart, width, bottom + 40 + used)


def _svg_bullets(chart: Chart) -> str:
    """KPI bullets on the score scale: track, score bar, target tick, benchmark, amber rule."""
    rows, amber = chart.rows, chart.meta["amber"]
    left = label_column([r["kpi"] for r in rows])
    plot_w, row_h, top = 340.0, 30.0, 22.0
    right = min(max((text_width(r["label"], 11) for r in rows), default=40) + 24, 240)
    width = left + plot_w + right
    bottom = top + row_h * len(rows)
    c = Canvas()
    x_axis(c, left, plot_w, top, bottom, [0, 20, 40, 60, 80, 100], 0, 100, lambda t: f"{t:g}",
            "Score (0\u2013100; the target scores 100)")
    for i, r in enumerate(rows):
        cy = top + i * row_h + row_h / 2
        c.text(left - 8, cy, r["kpi"], 11, "end", limit=38)
        c.rect(left, cy - 9, plot_w, 18, TRACK)
        if r["score"] is not None:
            c.rect(left, cy - 6, plot_w * r["score"] / 100, 10,
                   STATUS_COLORS.get(r["status"], MUTED))
        if r["bench_lo"] is not None and r["bench_hi"] is not None:
            c.rect(left + plot_w * r["bench_lo"] / 100, cy + 5,
                   plot_w * (r["bench_hi"] - r["bench_lo"]) / 100, 3, "#37474f")
        if r["bench"] is not None:
            c.diamond(left + plot_w * r["bench"] / 100, cy - 1, 5.5, INK)
        c.rect(left + plot_w - 1.25, cy - 10, 2.5, 20, INK)
        c.text(left + plot_w + 12, cy, r["label"], 11,
               fill=INK if r["score"] is not None else MUTED)
    amber_rule(c, left + plot_w * amber / 100, top, bottom, f"amber {trim_number(amber, 1)}", MUTED)
    items = [("box", color, label) for label, color in STATUS_COLORS.items()]
    items += [("tick", INK, "target"), ("diamond", INK, "benchmark"),
              ("range", "#37474f", "benchmark range")]
    used = c.legend(bottom + 40, 8, width - 16, items)
    return c.svg(chart, width, bottom + 40 + used)


def _svg_practices(chart: Chart) -> str:
    """Practice answers on the 0-4 scale; n/a and blanks are labelled, not drawn."""
    rows = chart.rows
    left = label_column([r["practice"] for r in rows])
    plot_w, row_h, top = 280.0, 26.0, 8.0
    right = min(max((text_width(r["label"], 11) for r in rows), default=40) + 24, 240)
    width = left + plot_w + right
    bottom = top + row_h * len(rows)
    c = Canvas()
    x_axis(c, left, plot_w, top, bottom, [0, 1, 2, 3, 4], 0, 4, lambda t: f"{t:g}",
            "Answer (0 not in place \u2013 4 optimized)")
    for i, r in enumerate(rows):
        cy = top + i * row_h + row_h / 2
        c.text(left - 8, cy, r["practice"], 11, "end", limit=38)
        c.rect(left, cy - 8, plot_w, 16, TRACK)
        if r["answer"] is not None:  # an answer of 0 still shows a stub in its colour
            c.rect(left, cy - 8, max(plot_w * r["answer"] / 4, 3), 16,
                   PRACTICE_GROUPS.get(r["group"], MUTED))
        c.text(left + plot_w + 12, cy, r["label"], 11,
               fill=INK if r["answer"] is not None else MUTED)
    used = c.legend(bottom + 40, 8, width - 16,
                    [("box", color, label) for label, color in PRACTICE_GROUPS.items()])
    return c.svg(chart, width, bottom + 40 + used)


def _svg_lines(chart: Chart) -> str:
    """Projection lines: share still under contract (0-100%) by contract year 1-5."""
    rows, series = chart.rows, chart.meta["series"]
    left, top, plot_w, plot_h, right = 56.0, 12.0, 460.0, 260.0, 70.0
    width = left + plot_w + right
    bottom = top + plot_h

    def px(year: float) -> float:
        return left + plot_w * (year - 1) / 4

    def py(share: float) -> float:
        return bottom - plot_h * max(0.0, min(1.0, share))

    c = Canvas()
    for t in (0, 0.2, 0.4, 0.6, 0.8, 1.0):
        c.line(left, py(t), left + plot_w, py(t))
        c.text(left - 6, py(t), f"{t:.0%}", 10, "end", MUTED)
    for year in range(1, 6):
        c.line(px(year), bottom, px(year), bottom + 4, MUTED)
        c.text(px(year), bottom + 12, str(year), 10, "middle", MUTED)
    c.text(left + plot_w / 2, bottom + 28, "Contract year", 11, "middle", MUTED)
    c.text(14, top + plot_h / 2, "Customers still under contract", 11, "middle", MUTED,
           rotate=True)
    ends = []
    for label, color, dash in series:
        points = sorted((r for r in rows if r["series"] == label), key=lambda r: r["year"])
        if not points:
            continue
        dasharray = None if dash == [1, 0] else " ".join(str(d) for d in dash)
        path = " ".join(f"{_n(px(p['year']))},{_n(py(p['share']))}" for p in points)
        extra = f' stroke-dasharray="{dasharray}"' if dasharray else ""
        c.parts.append(f'<polyline points="{path}" fill="none" stroke="{color}" '
                       f'stroke-width="2"{extra}/>')
        for p in points:
            c.circle(px(p["year"]), py(p["share"]), 3, color)
        last = points[-1]
        ends.append([py(last["share"]), last["label"], color, px(last["year"])])
    ends.sort(key=lambda e: e[0])
    for i in range(1, len(ends)):  # keep end labels at least 12 px apart
        ends[i][0] = max(ends[i][0], ends[i - 1][0] + 12)
    for y, label, color, x in ends:
        c.text(x + 8, y, label, 10, fill=color, weight="bold")
    used = c.legend(bottom + 44, 8, width - 16,
                    [(f"line:{'' if d == [1, 0] else ' '.join(map(str, d))}", col, lab)
                     for lab, col, d in series])
    return c.svg(chart, width, bottom + 44 + used)


def _svg_scatter(chart: Chart) -> str:
    """Importance (up) against performance (across), 1-5, quadrant lines at the threshold."""
    rows, threshold, labels = chart.rows, chart.meta["threshold"], chart.meta["labels"]
    left, top, size, right = 56.0, 24.0, 340.0, 250.0
    width = left + size + right
    bottom = top + size

    def px(v: float) -> float:
        return left + size * (v - 1) / 4

    def py(v: float) -> float:
        return bottom - size * (v - 1) / 4

    c = Canvas()
    for t in (1, 2, 3, 4, 5):
        c.line(px(t), top, px(t), bottom)
        c.line(left, py(t), left + size, py(t))
        c.text(px(t), bottom + 12, str(t), 10, "middle", MUTED)
        c.text(left - 8, py(t), str(t), 10, "end", MUTED)
    c.text(left + size / 2, bottom + 30, "Performance as customers see it (1\u20135)", 11,
           "middle", MUTED)
    c.text(16, top + size / 2, "Importance to customers (1\u20135)", 11, "middle", MUTED,
           rotate=True)
    c.line(px(threshold), top, px(threshold), bottom, "#9e9e9e", 1.2, "4 3")
    c.line(left, py(threshold), left + size, py(threshold), "#9e9e9e", 1.2, "4 3")
    for x, y, text, anchor in ((left + 6, top + 10, "Concentrate here", "start"),
                               (left + size - 6, top + 10, "Keep up the good work", "end"),
                               (left + 6, bottom - 10, "Low priority", "start"),
                               (left + size - 6, bottom - 10, "Possible overkill", "end")):
        c.text(x, y, text, 10, anchor, "#9e9e9e", italic=True)
    for r in rows:
        c.circle(px(r["performance"]), py(r["importance"]), 6,
                 QUADRANT_COLORS.get(r["quadrant"], MUTED),
                 ' stroke="#ffffff" stroke-width="1"')
    for lab in labels:
        c.text(px(lab["performance"]) + 8, py(lab["importance"]) - 9, lab["text"], 11,
               weight="bold")
    for i, r in enumerate(sorted(rows, key=lambda r: r["n"])):  # the key, right of the plot
        c.text(left + size + 24, top + 8 + i * 18, f"{r['n']}  {r['dimension']}", 11,
               limit=38)
    used = c.legend(bottom + 46, 8, width - 16,
                    [("box", color, label) for label, color in QUADRANT_COLORS.items()])
    return c.svg(chart, width, bottom + 46 + used)


_RENDERERS = {"bars": _svg_bars, "bullets": _svg_bullets, "practices": _svg_practices,
              "lines": _svg_lines, "scatter": _svg_scatter}


def to_svg(chart: Chart) -> str:
    """The chart as a self-contained inline SVG (fast, deterministic, every text escaped).

    The root has ``role="img"`` and is labelled by its own ``<title>`` and ``<desc>``.
    """
    if chart.spec is None:
        raise ValueError(f"{chart.id} has no data to draw")
    return _RENDERERS[chart.kind](chart)
