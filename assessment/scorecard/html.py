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
from typing import IO, TYPE_CHECKING, Any, Literal

from markupsafe import Markup

from assessment.core.format import (
    DASH,
    QUADRANT_LABELS,
    benchmark_figure,
    benchmark_source,
    direction_label,
    format_coverage,
    format_number,
    format_percent,
    format_points,
    format_rating,
    format_score,
    format_value,
    level_text,
    rag_label,
    status_label,
    value_range,
)
from assessment.core.results import KpiRow, Questionnaire, ResultsView
from assessment.files.write import atomic_write
from assessment.scorecard.charts import Chart, build_charts, to_svg
from assessment.scorecard.vega import to_vega_svg

if TYPE_CHECKING:
    from assessment.scorecard.formats import RenderOptions

TEMPLATE = "scorecard.html.j2"
ChartRenderer = Literal["static", "vega"]
_RENDERERS: dict[str, Callable[[Chart], str]] = {"static": to_svg, "vega": to_vega_svg}


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
    env.filters["pct"] = format_coverage
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
    view = ResultsView.from_dict(results)
    currency = view.currency
    settings = view.settings
    amber = settings.get("amber", 80)
    figures = {}
    for chart in build_charts(view):
        svg = Markup(render(chart)) if chart.data is not None else None
        figures[chart.id] = {"chart": chart, "svg": svg}

    kpis_by_area: dict[str, list[dict[str, Any]]] = {}
    for kpi in view.kpis:
        kpis_by_area.setdefault(kpi.area, []).append(_kpi_row(kpi, currency))

    elements = [{
        "key": e.key, "name": e.name, "score": format_score(e.score),
        "rag": e.rag, "rag_label": rag_label(e.rag),
        "coverage": format_coverage(e.coverage), "weight": format_number(e.weight),
        "kpis": e.kpis, "kpis_with_data": e.kpis_with_data,
        "figure": figures[f"chart-kpis-{e.key}"], "rows": kpis_by_area.get(e.key, []),
    } for e in view.elements]

    renewal, expectations, index = view.renewal, view.expectations, view.index
    org = view.organization
    return {
        "org": {
            "name": org.name,
            "date": org.date_text or DASH,
            "profile": [(_label(k), _profile_value(v)) for k, v in org.profile],
        },
        "framework": {"name": view.framework.name, "version": view.framework.version},
        "generator": {"name": "support-excellence", "version": "", **view.generator},
        "index": {
            "score": format_score(index.score), "rag": index.rag,
            "rag_label": rag_label(index.rag), "level": index.level,
            "level_name": index.level_name, "level_text": level_text(index.level,
                                                                     index.level_name),
            "coverage": format_coverage(index.coverage),
            "elements_scored": index.elements_scored,
        },
        "elements": elements,
        "figures": figures,
        "gaps": [{"name": g.name, "area": view.area_name(g.area), "score": format_score(g.score),
                  "points": format_points(g.points_at_stake)} for g in view.gaps[:5]],
        "renewal": {
            "health": format_score(renewal.health), "rag": renewal.rag,
            "rag_label": rag_label(renewal.rag),
            "kpi_score": format_score(renewal.kpi_score),
            "kpi_coverage": format_coverage(renewal.kpi_coverage),
            "practices_score": format_score(renewal.practices_score),
            "blend": format_coverage(renewal.blend),
            "rate": format_percent(renewal.contract_renewal_rate),
            "industry_rate": format_percent(renewal.industry_rate),
            "price_uplift": format_percent(renewal.price_uplift),
            "rows": kpis_by_area.get("renewal", []),
            "projection": [{
                "year": p.year, "client": format_percent(p.client),
                "industry": format_percent(p.industry), "target": format_percent(p.target),
                "client_value": format_percent(p.client_value),
            } for p in renewal.projection],
        },
        "questionnaires": {qid: _questionnaire(q) for qid, q in view.questionnaires.items()},
        "expectations": {
            "alignment": format_score(expectations.alignment),
            "survey_average": format_rating(expectations.survey_average),
            "threshold": format_number(expectations.threshold),
            "rows": [{
                "n": n, "name": d.name, "importance": format_rating(d.importance),
                "performance": format_rating(d.performance),
                "priority": format_rating(d.priority),
                "gap": format_rating(d.gap, signed=True),
                "quadrant": QUADRANT_LABELS.get(d.quadrant, DASH) if d.quadrant else DASH,
                "quadrant_key": d.quadrant or "none",
            } for n, d in enumerate(expectations.dimensions, start=1)],
        },
        "recommendations": [{
            "rank": r.rank, "area": view.area_name(r.area), "name": r.name,
            "basis": r.basis, "priority": format_number(r.priority), "text": r.text,
        } for r in view.recommendations],
        "warnings": list(view.warnings),
        "settings": {
            "amber": format_number(amber),
            "min_coverage": format_coverage(settings.get("min_coverage")),
            "element_weights": [(view.element(k).name if view.element(k) else k,
                                 format_number(w))
                                for k, w in (settings.get("element_weights") or {}).items()],
            "renewal_blend": format_coverage(settings.get("renewal_blend")),
            "ipa_threshold": format_number(settings.get("ipa_threshold")),
            "industry_renewal_rate": format_percent(settings.get("industry_renewal_rate")),
            "price_uplift": format_percent(settings.get("price_uplift")),
            "amber_low": format_number(amber - 20),
        },
        "levels": list(view.framework.levels),
    }


def _kpi_row(kpi: KpiRow, currency: str | None) -> dict[str, Any]:
    unit = kpi.unit

    def fmt(value: Any) -> str:
        return format_value(value, unit, currency)

    if kpi.direction == "band" and kpi.band:
        target = value_range(*kpi.band, unit, currency)
    else:
        target = fmt(kpi.target)
    floor = kpi.floor
    floor_text = (f"{fmt(floor[0])} / {fmt(floor[1])}" if isinstance(floor, tuple)
                  else fmt(floor))
    bench = kpi.benchmark.as_dict() if kpi.benchmark else None
    return {
        "id": kpi.id, "name": kpi.name, "note": kpi.note,
        "current": fmt(kpi.current), "target": target,
        "target_overridden": kpi.target_overridden,
        "framework_target": fmt(kpi.framework_target),
        "floor": floor_text, "benchmark": benchmark_figure(bench, unit, currency) or DASH,
        "benchmark_source": benchmark_source(bench),
        "benchmark_note": (bench or {}).get("note") or "",
        "direction": direction_label(kpi.direction),
        "score": format_score(kpi.score), "status": kpi.status,
        "status_label": status_label(kpi.status),
        "points": format_points(kpi.points_at_stake),
    }


def _questionnaire(q: Questionnaire) -> dict[str, Any]:
    return {
        "name": q.name, "score": format_score(q.score), "coverage": format_coverage(q.coverage),
        "level": q.level, "level_name": q.level_name,
        "level_text": level_text(q.level, q.level_name), "rag": q.rag,
        "rag_label": rag_label(q.rag),
        "items": [{
            "name": i.name,
            "answer": "n/a" if i.na else DASH if i.answer is None else str(i.answer),
            "label": i.label or ("not applicable" if i.na else "not answered"),
            "weight": format_number(i.weight), "score": format_score(i.score),
            "weak": i.answer is not None and i.answer <= 1,
        } for i in q.items],
    }


def _profile_value(value: Any) -> str:
    """A profile value as text: numbers with thousands separators, blanks as a dash."""
    if value is None or value == "":
        return DASH
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"
    return str(value)


def _label(key: str) -> str:
    return str(key).replace("_", " ").capitalize()


def render(results: dict[str, Any], options: RenderOptions) -> str:
    """The ``html`` output format (:mod:`assessment.scorecard.formats`)."""
    return render_html(results)
