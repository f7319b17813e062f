"""The HTML scorecard: one self-contained, printable page per assessed organization.

- :func:`render_html` turns the results structure (methodology §8) into the page text.
- :func:`write_html` writes it atomically: a failure at any point leaves no file behind.

The page has no external resource of any kind (no CDN, web font, script or stylesheet link):
CSS is inline and every chart is inline SVG, so it opens offline, prints, and survives being
mailed. Sections mirror the Excel workbook. Every chart has a data table next to it.

Untrusted text (organization name, profile values, notes, warnings, framework texts) is only
ever escaped by Jinja's autoescape. The one thing marked safe is chart SVG, whose every text
is escaped when the SVG is built (:mod:`assessment.scorecard.svg`). The same results always
give the same bytes: no clock, no random ids.

Charts are drawn by the fast static renderer by default (``charts="static"``);
``charts="vega"`` draws the same chart data as Vega-Lite through vl-convert instead, which takes
about a second longer (measurements in docs/html-scorecard.md).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, Literal

from markupsafe import Markup

from assessment.core.format import (
    QUADRANT_LABELS,
    STATUS_LABELS,
    format_score,
    format_value,
    rag_label,
)
from assessment.files.write import atomic_write
from assessment.scorecard.charts import Chart, area_name, build_charts, to_svg
from assessment.scorecard.vega import to_vega_svg

TEMPLATE = "scorecard.html.j2"
ChartRenderer = Literal["static", "vega"]
_RENDERERS: dict[str, Callable[[Chart], str]] = {"static": to_svg, "vega": to_vega_svg}
DASH = "\u2014"


@functools.lru_cache(maxsize=1)
def environment() -> Any:
    """The Jinja environment: templates from the package, autoescape always on."""
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=PackageLoader("assessment", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "htm", "xml", "j2"),
                                     default_for_string=True, default=True),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["score"] = format_score
    env.filters["pct"] = _pct
    return env


def render_html(results: dict[str, Any], *, charts: ChartRenderer = "static") -> str:
    """The HTML scorecard of one organization, as text."""
    return "".join(_chunks(results, charts))


def write_html(results: dict[str, Any], path: str | Path, *,
               charts: ChartRenderer = "static") -> Path:
    """Render and write the scorecard to ``path`` atomically; returns the path.

    The page is streamed into a temporary file beside ``path`` and renamed over it only when
    complete, so an error mid-way leaves neither a partial file nor a changed old one.
    """
    def write(handle: IO[bytes]) -> None:
        for chunk in _chunks(results, charts):
            handle.write(chunk.encode("utf-8"))

    return atomic_write(path, write)


def _chunks(results: dict[str, Any], charts: ChartRenderer = "static") -> Iterator[str]:
    template = environment().get_template(TEMPLATE)
    return template.generate(**context(results, charts))


# --------------------------------------------------------------------------- view model


def context(results: dict[str, Any], charts: ChartRenderer = "static") -> dict[str, Any]:
    """Everything the template shows, formatted for display (plain values; the template
    escapes them). Exposed for tests and for other renderers."""
    if charts not in _RENDERERS:
        raise ValueError(f"unknown chart renderer {charts!r}; use 'static' or 'vega'")
    render = _RENDERERS[charts]
    org = results.get("organization") or {}
    currency = org.get("currency")
    settings = results["framework"].get("settings", {})
    amber = settings.get("amber", 80)
    figures = {}
    for chart in build_charts(results):
        svg = Markup(render(chart)) if chart.data is not None else None
        figures[chart.id] = {"chart": chart, "svg": svg}

    kpis_by_area: dict[str, list[dict[str, Any]]] = {}
    for kpi in results["kpis"]:
        kpis_by_area.setdefault(kpi["element"], []).append(_kpi_row(kpi, currency))

    elements = []
    for key, element in results["elements"].items():
        elements.append({
            "key": key, "name": element["name"], "score": format_score(element["score"]),
            "rag": element["rag"], "rag_label": rag_label(element["rag"]),
            "coverage": _pct(element["coverage"]), "weight": _num(element["weight"]),
            "kpis": element.get("kpis"), "kpis_with_data": element.get("kpis_with_data"),
            "figure": figures[f"chart-kpis-{key}"], "rows": kpis_by_area.get(key, []),
        })

    renewal = results["renewal"]
    expectations = results["expectations"]
    index = results["index"]
    return {
        "org": {
            "name": org.get("name") or "Unnamed organization",
            "date": org.get("assessment_date") or DASH,
            "profile": [(_label(k), _profile_value(v)) for k, v in org.items() if k != "name"],
        },
        "framework": results["framework"],
        "generator": {"name": "support-excellence", "version": "",
                      **(results.get("generator") or {})},
        "index": {
            "score": format_score(index["score"]), "rag": index.get("rag"),
            "rag_label": rag_label(index.get("rag")), "level": index.get("level"),
            "level_name": index.get("level_name"), "coverage": _pct(index["coverage"]),
            "elements_scored": index.get("elements_scored"),
        },
        "elements": elements,
        "figures": figures,
        "gaps": [{"name": g["name"], "area": area_name(results, g["element"]),
                  "score": format_score(g["score"]),
                  "points": _fixed(g["points_at_stake"])} for g in results["gaps"][:5]],
        "renewal": {
            "health": format_score(renewal["health"]), "rag": renewal.get("rag"),
            "rag_label": rag_label(renewal.get("rag")),
            "kpi_score": format_score(renewal["kpi_score"]),
            "kpi_coverage": _pct(renewal.get("kpi_coverage")),
            "practices_score": format_score(renewal["practices_score"]),
            "blend": _pct(renewal.get("blend")),
            "rate": format_value(renewal.get("contract_renewal_rate"), "percent"),
            "industry_rate": format_value(renewal.get("industry_rate"), "percent"),
            "price_uplift": format_value(renewal.get("price_uplift"), "percent"),
            "rows": kpis_by_area.get("renewal", []),
            "projection": [{
                "year": p["year"],
                **{key: format_value(p.get(key), "percent")
                   for key in ("client", "industry", "target", "client_value")},
            } for p in renewal["projection"]],
        },
        "questionnaires": {qid: _questionnaire(q) for qid, q in results["questionnaires"].items()},
        "expectations": {
            "alignment": "\u2014" if expectations["alignment"] is None
            else f"{expectations['alignment']:.1f}",
            "survey_average": _num(expectations.get("survey_average"), 1),
            "threshold": _num(expectations.get("threshold"), 2),
            "rows": [{
                "n": n, "name": d["name"], "importance": _num(d["importance"], 1),
                "performance": _num(d["performance"], 1), "priority": _num(d["priority"], 1),
                "gap": _num(d["gap"], 1, signed=True),
                "quadrant": QUADRANT_LABELS.get(d["quadrant"], DASH) if d["quadrant"] else DASH,
                "quadrant_key": d["quadrant"] or "none",
            } for n, d in enumerate(expectations["dimensions"], start=1)],
        },
        "recommendations": [{
            "rank": r["rank"], "area": area_name(results, r["area"]), "name": r["name"],
            "basis": r["basis"], "priority": _num(r["priority"], 2), "text": r["text"],
        } for r in results["recommendations"]],
        "warnings": [str(w) for w in results["warnings"]],
        "settings": {
            "amber": _num(amber), "min_coverage": _pct(settings.get("min_coverage")),
            "element_weights": [(results["elements"][k]["name"] if k in results["elements"]
                                 else k, _num(w))
                                for k, w in (settings.get("element_weights") or {}).items()],
            "renewal_blend": _pct(settings.get("renewal_blend")),
            "ipa_threshold": _num(settings.get("ipa_threshold"), 2),
            "industry_renewal_rate": format_value(settings.get("industry_renewal_rate"),
                                                  "percent"),
            "price_uplift": format_value(settings.get("price_uplift"), "percent"),
            "amber_low": _num(amber - 20),
        },
        "levels": list(results["framework"].get("levels") or []),
    }


def _kpi_row(kpi: dict[str, Any], currency: str | None) -> dict[str, Any]:
    unit = kpi["unit"]

    def fmt(value: Any) -> str:
        return format_value(value, unit, currency)

    if kpi["direction"] == "band" and kpi.get("band"):
        lo, hi = kpi["band"]
        target = f"{fmt(lo)} to {fmt(hi)}"
    else:
        target = fmt(kpi["target"])
    floor = kpi["floor"]
    floor_text = (f"{fmt(floor[0])} / {fmt(floor[1])}" if isinstance(floor, (list, tuple))
                  else fmt(floor))
    bench = kpi.get("benchmark")
    bench_value = bench_source = ""
    if bench:
        if bench.get("value") is not None:
            bench_value = fmt(bench["value"])
        elif bench.get("range"):
            bench_value = f"{fmt(bench['range'][0])} to {fmt(bench['range'][1])}"
        bench_source = ", ".join(str(x) for x in (bench.get("source"), bench.get("year"))
                                 if x not in (None, ""))
    points = kpi.get("points_at_stake")
    if kpi["element"] == "renewal":
        points = kpi.get("health_points_at_stake")
    return {
        "id": kpi["id"], "name": kpi["name"], "note": kpi.get("note"),
        "current": fmt(kpi["current"]), "target": target,
        "target_overridden": bool(kpi.get("target_overridden")),
        "framework_target": fmt(kpi.get("framework_target")),
        "floor": floor_text, "benchmark": bench_value or DASH, "benchmark_source": bench_source,
        "benchmark_note": (bench or {}).get("note") or "",
        "direction": {"higher": "higher is better", "lower": "lower is better",
                      "band": "best inside the band"}.get(kpi["direction"], kpi["direction"]),
        "score": format_score(kpi["score"]), "status": kpi["status"],
        "status_label": STATUS_LABELS.get(kpi["status"], kpi["status"]),
        "points": _fixed(points),
    }


def _questionnaire(q: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": q["name"], "score": format_score(q["score"]), "coverage": _pct(q["coverage"]),
        "level": q.get("level"), "level_name": q.get("level_name"), "rag": q.get("rag"),
        "rag_label": rag_label(q.get("rag")),
        "items": [{
            "name": i["name"],
            "answer": "n/a" if i.get("na") else DASH if i["answer"] is None else str(i["answer"]),
            "label": i.get("label") or ("not applicable" if i.get("na") else "not answered"),
            "weight": _num(i["weight"]), "score": format_score(i.get("score")),
            "weak": i["answer"] is not None and i["answer"] <= 1,
        } for i in q["items"]],
    }


def _num(value: Any, decimals: int = 2, signed: bool = False) -> str:
    if value is None:
        return DASH
    text = f"{value:+.{decimals}f}" if signed else f"{value:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "+0") else text


def _fixed(value: Any, decimals: int = 2) -> str:
    return DASH if value is None else f"{value:.{decimals}f}"


def _pct(value: Any) -> str:
    return DASH if value is None else f"{100.0 * value:.0f}%"


def _profile_value(value: Any) -> str:
    """A profile value as text: numbers with thousands separators, blanks as a dash."""
    if value is None or value == "":
        return DASH
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"
    return str(value)


def _label(key: str) -> str:
    return str(key).replace("_", " ").capitalize()
