"""The scorecard charts as Vega-Lite, derived from the chart data of :mod:`.charts`.

The static SVG is what the scorecard ships; this module gives the same charts, from the same
:class:`~assessment.scorecard.charts.Chart` data, to the tools that want Vega:

- :func:`vega_lite` returns the JSON-ready Vega-Lite v5 spec of a chart (a layered chart, its
  rows inline), built without importing Altair: ``import altair`` alone costs more than the
  whole ``score`` command may take.
- :func:`to_altair` gives the Altair chart object (imports Altair on first use): the opt-in
  ``charts="altair"`` mode of the interactive form shows it in JupyterLab.
- :func:`to_vega_svg` draws the chart through vl-convert (``render_html(charts="vega")``).
"""

from __future__ import annotations

import re
from typing import Any

from assessment.scorecard.charts import Axis, Bars, Chart, Lines, Scatter, Timeline
from assessment.scorecard.svg import title_desc

SCHEMA_URL = "https://vega.github.io/schema/vega-lite/v5.json"

#: System font stack, shared with the HTML page (no web fonts: the scorecard is offline).
#: DejaVu Sans comes first because vl-convert measures text with the fonts it finds and a
#: missing first choice makes every measurement slower; browsers fall through to their own.
FONT = "DejaVu Sans, Helvetica Neue, Helvetica, Arial, sans-serif"

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

#: Per bar kind: plot width, row step, track and bar heights, legend title.
_BAR_LAYOUT: dict[str, tuple[int, int, int, int, str | None]] = {
    "bars": (480, 36, 22, 22, "RAG"),
    "bullets": (300, 28, 18, 10, "Status"),
    "practices": (300, 24, 16, 16, None),
}


def vega_lite(chart: Chart) -> dict[str, Any]:
    """The chart's Vega-Lite spec (strict JSON: no NaN); ``ValueError`` if it has no data."""
    data = chart.data
    if data is None:
        raise ValueError(f"{chart.id} has no data to draw")
    spec: dict[str, Any] = {"$schema": SCHEMA_URL, "title": {"text": chart.title}}
    if chart.subtitle:
        spec["title"]["subtitle"] = chart.subtitle
    spec["description"] = chart.description
    spec["config"] = BASE_CONFIG
    if isinstance(data, Bars):
        spec.update(_bars(chart.kind, data))
    elif isinstance(data, Lines):
        spec.update(_lines(data))
    elif isinstance(data, Scatter):
        spec.update(_scatter(data))
    elif isinstance(data, Timeline):
        spec.update(_timeline(data))
    else:  # pragma: no cover - ChartData is one of the four
        raise TypeError(f"{chart.id}: no Vega-Lite view for {type(data).__name__}")
    return spec


def _scale(axis: Axis) -> dict[str, Any]:
    return {"domain": [axis.lo, axis.hi], "nice": False}


def _axis(axis: Axis) -> dict[str, Any]:
    """Tick values and format as the SVG writes them (``20``, ``2.5``, ``40%``)."""
    return {"values": list(axis.ticks), "format": ".0%" if axis.percent else "~g"}


def _colors(colors: dict[str, str]) -> dict[str, Any]:
    return {"domain": list(colors), "range": list(colors.values())}


def _bars(kind: str, data: Bars) -> dict[str, Any]:
    width, step, track_h, bar_h, legend = _BAR_LAYOUT[kind]
    axis = data.axis
    rows = [{"key": r.key, "name": r.name, "value": r.value, "label": r.label,
             "group": r.group, "scale": axis.hi, "target": data.target, "bench": r.bench,
             "bench_lo": r.bench_lo, "bench_hi": r.bench_hi} for r in data.rows]
    y = {"field": "name", "type": "nominal", "sort": None, "title": None}
    scale = _scale(axis)
    layers: list[dict[str, Any]] = [
        {"mark": {"type": "bar", "color": "#eceff1", "height": track_h},
         "encoding": {"y": y, "x": {"field": "scale", "type": "quantitative", "scale": scale,
                                    "title": axis.title, "axis": _axis(axis)}}},
        {"mark": {"type": "bar", "height": bar_h},
         "encoding": {
             "y": y, "x": {"field": "value", "type": "quantitative", "scale": scale},
             "color": {"field": "group", "type": "nominal", "scale": _colors(data.colors),
                       "legend": {"title": legend}},
             "tooltip": [{"field": "name", "type": "nominal", "title": "Name"},
                         {"field": "label", "type": "nominal", "title": "Value"}]}},
    ]
    if data.target is not None:
        layers.append(
            {"mark": {"type": "tick", "color": "#212121", "thickness": 2, "size": track_h + 2},
             "encoding": {"y": y, "x": {"field": "target", "type": "quantitative",
                                        "scale": scale}}})
    if any(r.bench_lo is not None for r in data.rows):
        layers.append(
            {"mark": {"type": "bar", "color": "#37474f", "height": 3, "opacity": 0.8},
             "encoding": {"y": y, "x": {"field": "bench_lo", "type": "quantitative",
                                        "scale": scale},
                          "x2": {"field": "bench_hi"}}})
    if any(r.bench is not None for r in data.rows):
        layers.append(
            {"mark": {"type": "point", "shape": "diamond", "filled": True, "size": 70,
                      "color": "#212121"},
             "encoding": {"y": y, "x": {"field": "bench", "type": "quantitative",
                                        "scale": scale}}})
    layers.append(
        {"mark": {"type": "text", "align": "left", "dx": 10, "fontSize": 11},
         "encoding": {"y": y, "x": {"field": "scale", "type": "quantitative", "scale": scale},
                      "text": {"field": "label", "type": "nominal"}}})
    if data.amber is not None:
        layers.append(
            {"data": {"values": [{"amber": data.amber}]},
             "mark": {"type": "rule", "strokeDash": [4, 3], "color": "#616161"},
             "encoding": {"x": {"field": "amber", "type": "quantitative", "scale": scale}}})
    return {"width": width, "height": {"step": step}, "data": {"values": rows},
            "layer": layers}


def _lines(data: Lines) -> dict[str, Any]:
    names = [s.name for s in data.series]
    rows = [{"year": p.year, "series": s.name, "order": n, "share": p.share, "label": p.label}
            for n, s in enumerate(data.series) for p in s.points]
    color = {"field": "series", "type": "nominal", "sort": names,
             "scale": {"domain": names, "range": [s.color for s in data.series]},
             "legend": {"title": None, "orient": "bottom", "columns": 2}}
    dash = {"field": "series", "type": "nominal", "sort": names,
            "scale": {"domain": names, "range": [list(s.dash) for s in data.series]},
            "legend": None}
    x = {"field": "year", "type": "quantitative", "title": data.x.title,
         "scale": _scale(data.x), "axis": _axis(data.x)}
    y = {"field": "share", "type": "quantitative", "title": data.y.title,
         "scale": {"domain": [data.y.lo, data.y.hi]}, "axis": _axis(data.y)}
    last = max((s.points[-1].year for s in data.series), default=data.x.hi)
    return {
        "width": 480, "height": 260, "data": {"values": rows},
        "layer": [
            {"mark": {"type": "line", "point": True, "strokeWidth": 2},
             "encoding": {"x": x, "y": y, "color": color, "strokeDash": dash,
                          "order": {"field": "year", "type": "quantitative"},
                          "tooltip": [{"field": "series", "type": "nominal"},
                                      {"field": "year", "type": "quantitative"},
                                      {"field": "label", "type": "nominal", "title": "Share"}]}},
            {"transform": [{"filter": f"datum.year == {last}"}],
             "mark": {"type": "text", "align": "left", "dx": 8, "fontSize": 10},
             "encoding": {"x": x, "y": y, "text": {"field": "label", "type": "nominal"},
                          "color": {**color, "legend": None}}},
        ],
    }


def _scatter(data: Scatter) -> dict[str, Any]:
    rows = [{"n": d.n, "name": d.name, "performance": d.performance,
             "importance": d.importance, "gap": d.gap, "quadrant": d.quadrant}
            for d in data.dots]
    x = {"field": "performance", "type": "quantitative", "scale": _scale(data.x),
         "title": data.x.title, "axis": _axis(data.x)}
    y = {"field": "importance", "type": "quantitative", "scale": _scale(data.y),
         "title": data.y.title, "axis": _axis(data.y)}
    pad_x, pad_y = 0.0125 * (data.x.hi - data.x.lo), 0.0125 * (data.y.hi - data.y.lo)
    corners = [{"performance": data.x.hi - pad_x if c.right else data.x.lo + pad_x,
                "importance": data.y.hi - pad_y if c.top else data.y.lo + 2 * pad_y,
                "text": c.text, "align": "right" if c.right else "left"}
               for c in data.corners]
    corner_mark = {"type": "text", "fontSize": 10, "color": "#9e9e9e", "fontStyle": "italic",
                   "baseline": "top"}
    threshold = {"values": [{"t": data.threshold}]}
    rule = {"type": "rule", "color": "#9e9e9e", "strokeDash": [4, 3]}
    labels = [{"performance": lab.performance, "importance": lab.importance, "text": lab.text}
              for lab in data.labels]
    return {
        "width": 400, "height": 400, "data": {"values": rows},
        "layer": [
            {"data": threshold, "mark": rule,
             "encoding": {"x": {"field": "t", "type": "quantitative", "scale": _scale(data.x)}}},
            {"data": threshold, "mark": rule,
             "encoding": {"y": {"field": "t", "type": "quantitative", "scale": _scale(data.y)}}},
            *({"data": {"values": [c for c in corners if c["align"] == align]},
               "mark": {**corner_mark, "align": align},
               "encoding": {"x": x, "y": y, "text": {"field": "text", "type": "nominal"}}}
              for align in ("left", "right")),
            {"mark": {"type": "point", "filled": True, "size": 90, "opacity": 0.9},
             "encoding": {
                 "x": x, "y": y,
                 "color": {"field": "quadrant", "type": "nominal",
                           "scale": _colors(data.colors),
                           "legend": {"title": "Quadrant", "columns": 2}},
                 "tooltip": [{"field": "n", "type": "ordinal", "title": "#"},
                             {"field": "name", "type": "nominal", "title": "Dimension"},
                             {"field": "importance", "type": "quantitative"},
                             {"field": "performance", "type": "quantitative"}]}},
            {"data": {"values": labels},
             "mark": {"type": "text", "align": "left", "dx": 7, "dy": -7, "fontSize": 10},
             "encoding": {"x": x, "y": y, "text": {"field": "text", "type": "nominal"}}},
        ],
    }


def _timeline(data: Timeline) -> dict[str, Any]:
    """The roadmap: a bar per initiative from ``start`` to ``end`` month, coloured by effort."""
    axis = data.axis
    rows = [{"key": r.key, "name": r.name, "start": r.start, "end": r.end, "label": r.label,
             "group": r.group, "scale_lo": axis.lo, "scale_hi": axis.hi} for r in data.rows]
    y = {"field": "name", "type": "nominal", "sort": None, "title": None}
    scale = _scale(axis)
    return {
        "width": 360, "height": {"step": 26}, "data": {"values": rows},
        "layer": [
            {"mark": {"type": "bar", "color": "#eceff1", "height": 16},
             "encoding": {"y": y,
                          "x": {"field": "scale_lo", "type": "quantitative", "scale": scale,
                                "title": axis.title, "axis": _axis(axis)},
                          "x2": {"field": "scale_hi"}}},
            {"mark": {"type": "bar", "height": 16},
             "encoding": {
                 "y": y, "x": {"field": "start", "type": "quantitative", "scale": scale},
                 "x2": {"field": "end"},
                 "color": {"field": "group", "type": "nominal", "scale": _colors(data.colors),
                           "legend": {"title": None}},
                 "tooltip": [{"field": "name", "type": "nominal", "title": "Initiative"},
                             {"field": "label", "type": "nominal", "title": "Horizon"}]}},
            {"mark": {"type": "text", "align": "left", "dx": 10, "fontSize": 11},
             "encoding": {"y": y, "x": {"field": "scale_hi", "type": "quantitative",
                                        "scale": scale},
                          "text": {"field": "label", "type": "nominal"}}},
        ],
    }


def to_altair(chart: Chart, validate: bool = True) -> Any:
    """The Altair chart object of a chart (an ``alt.LayerChart``; imports Altair on first use).

    The spec is checked against the Vega-Lite schema unless ``validate`` is false; the live
    form skips that check (most of a redraw's cost) because the test suite validates every
    kind of chart.
    """
    import altair as alt

    return alt.LayerChart.from_dict(vega_lite(chart), validate=validate)


def to_vega_svg(chart: Chart) -> str:
    """The chart drawn by Vega through vl-convert, made safe to inline in an HTML page.

    Ids inside the SVG (clip paths, gradients) get the chart id as a prefix so that several
    charts can share one page, and the root element gets ``role="img"`` with a ``<title>`` and
    ``<desc>``. Vega escapes every text it draws. Slow: about 0.5 s for the first chart of a
    process and 0.05-0.15 s for each further one (see docs/html-scorecard.md).
    """
    spec = vega_lite(chart)
    import vl_convert

    svg = vl_convert.vegalite_to_svg(spec)
    prefix = chart.id
    ids = set(re.findall(r'\bid="([^"]+)"', svg))
    for ident in sorted(ids, key=len, reverse=True):
        new = f"{prefix}-{ident}"
        svg = (svg.replace(f'id="{ident}"', f'id="{new}"')
               .replace(f"url(#{ident})", f"url(#{new})")
               .replace(f'href="#{ident}"', f'href="#{new}"'))
    head, rest = svg.split(">", 1)
    return (f'{head} role="img" aria-labelledby="{prefix}-svg-title {prefix}-svg-desc">'
            + title_desc(prefix, chart.title, chart.description) + rest)
