"""Portfolio charts as static SVG, drawn with the toolkit of :mod:`assessment.scorecard.svg`.

Each builder takes a :class:`~assessment.portfolio.model.Portfolio` and returns a :class:`Figure`
whose ``svg`` is None (with a ``note``) when there is nothing to draw. Every text is escaped
by the toolkit's canvas, ids are stable and nothing depends on the clock, so the same
portfolio always gives the same bytes (the notebook's committed outputs rely on it). Each SVG
carries its namespace, so it also stands alone (notebook outputs, files).

- :func:`index_chart`: the index per client (RAG bar, its measured reading as a tick) with its
  four element scores (an element that does not apply has no marker and says so).
- :func:`distribution_chart`: each KPI's spread across clients next to its benchmark.
- :func:`trend_charts`: one line chart per client assessed more than once (the index, its
  measured reading dotted, the elements); a method change (results@1 to results@2, another
  framework version, missing-data rule or segment...) breaks the lines and is marked, never
  drawn as movement.
- :func:`sensitivity_chart`: each client's index range under the alternative weightings.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from assessment.core.format import benchmark_text as format_benchmark
from assessment.core.format import format_score, format_value
from assessment.core.framework import ELEMENTS
from assessment.core.scoring import rag
from assessment.portfolio.model import MEASURED, NOT_APPLICABLE, Portfolio
from assessment.scorecard.charts import RAG_COLORS
from assessment.scorecard.svg import (
    GRID,
    INK,
    MUTED,
    TRACK,
    Canvas,
    Swatch,
    amber_rule,
    label_column,
    marker,
    text_width,
    x_axis,
)

#: Element colour (Okabe–Ito, colour-blind safe) and marker shape, so print in grey still reads.
ELEMENT_STYLE: dict[str, tuple[str, str]] = {
    "profit": ("#0072b2", "circle"), "reputation": ("#cc79a7", "square"),
    "efficiency": ("#d55e00", "triangle"), "effectiveness": ("#009e73", "diamond"),
}
ELEMENT_NAMES = {e: e.capitalize() for e in ELEMENTS}
NAVY = "#1f3a5f"
BOX = "#c6d7ea"
CHANGE = "#c62828"
TICKS = [0, 20, 40, 60, 80, 100]
#: The smallest gap between the two readings of the index that is drawn apart.
READINGS_APART = 0.05


def _measured(row: dict[str, Any]) -> float | None:
    """The measured reading of the index when it differs from the index, else None."""
    index, measured = row.get("index"), row.get(MEASURED)
    if measured is None or (index is not None and abs(measured - index) < READINGS_APART):
        return None
    return measured


def _area_text(row: dict[str, Any], key: str) -> str:
    if key in (row.get("not_applicable") or ()):
        return NOT_APPLICABLE
    return format_score(row[key])


@dataclass(frozen=True)
class Figure:
    """One portfolio chart: inline SVG text, or None with a ``note`` saying why."""

    id: str
    title: str
    description: str
    svg: str | None
    note: str | None = None


def _element_names(portfolio: Portfolio) -> dict[str, str]:
    names = dict(ELEMENT_NAMES)
    for rank in portfolio.percentiles:
        if rank["kind"] == "element":
            names[rank["metric"]] = rank["name"]
    return names


def _element_items(names: dict[str, str]) -> list[Swatch]:
    return [(ELEMENT_STYLE[e][1], ELEMENT_STYLE[e][0], names[e]) for e in ELEMENTS]


# --------------------------------------------------------------------------- index per client


def index_chart(portfolio: Portfolio) -> Figure:
    """Index per client (bar in its RAG colour) and the four element scores below it."""
    fid, title = "chart-portfolio-index", "Index and elements per client"
    clients = portfolio.clients
    names = _element_names(portfolio)
    parts = []
    for row in clients:
        elements = ", ".join(f"{names[e]} {_area_text(row, e)}" for e in ELEMENTS)
        measured = _measured(row)
        reading = f", measured {format_score(measured)}" if measured is not None else ""
        parts.append(f"{row['organization']}: index {format_score(row['index'])}{reading} "
                     f"({elements})")
    description = ("Horizontal bars of the Support Excellence Index per client on a 0 to 100 "
                   "scale, latest assessment, with the element scores as markers and, where "
                   "it differs, the index measured on the KPIs with data only as a tick. "
                   + "; ".join(parts) + ".")
    if not any(row["index"] is not None or any(row[e] is not None for e in ELEMENTS)
               for row in clients):
        return Figure(fid, title, description, None, "No client has a scored index or element.")
    left = label_column([r["organization"] for r in clients], 12)
    plot_w, row_h, top = 420.0, 48.0, 24.0
    labels = [_index_label(r) for r in clients]
    right = min(max((text_width(t, 12) for t in labels), default=40) + 24, 260)
    width = left + plot_w + right
    bottom = top + row_h * len(clients)
    c = Canvas()
    x_axis(c, left, plot_w, top, bottom, TICKS, 0, 100, "Score (0\u2013100)")
    for i, row in enumerate(clients):
        y = top + i * row_h
        c.text(left - 8, y + 14, row["organization"], 12, "end", limit=38)
        c.rect(left, y + 7, plot_w, 15, TRACK)
        if row["index"] is not None:
            color = RAG_COLORS.get((rag(row["index"], row["amber"]) or "").capitalize(), MUTED)
            c.rect(left, y + 7, plot_w * row["index"] / 100, 15, color)
        c.text(left + plot_w + 10, y + 14, labels[i], 12,
               fill=INK if row["index"] is not None else MUTED,
               weight="bold" if row["index"] is not None else None)
        measured = _measured(row)
        if measured is not None:
            c.rect(left + plot_w * measured / 100 - 1.25, y + 3, 2.5, 23, INK)
        c.line(left, y + 34, left + plot_w, y + 34, "#cfd8dc", 1)
        for e in ELEMENTS:
            if row[e] is not None and e not in (row.get("not_applicable") or ()):
                color, shape = ELEMENT_STYLE[e]
                marker(c, shape, left + plot_w * row[e] / 100, y + 34, 5, color)
    ambers = {row["amber"] for row in clients}
    if len(ambers) == 1:
        amber = ambers.pop()
        amber_rule(c, left + plot_w * amber / 100, top, bottom, f"amber threshold {amber:g}")
    items = [("box", color, f"Index {label.lower()}") for label, color in RAG_COLORS.items()]
    if any(_measured(row) is not None for row in clients):
        items.append(("tick", INK, "index measured on the KPIs with data"))
    used = c.legend(bottom + 40, 8, width - 16, items + _element_items(names))
    return Figure(fid, title, description, c.svg(fid, title, description, width,
                                                  bottom + 40 + used, standalone=True))


def _index_label(row: dict[str, Any]) -> str:
    if row["index"] is None:
        return "index not computed"
    measured = _measured(row)
    return f"{row['index']:.1f}" + (f" \u00b7 measured {measured:.1f}"
                                    if measured is not None else "")


# --------------------------------------------------------------------------- KPI distribution


def _kpi_label(row: dict[str, Any]) -> str:
    return f"{row['name']} ({row['currency']})" if row.get("currency") else str(row["name"])


def distribution_label(row: dict[str, Any]) -> str:
    """A distribution row's display name: the KPI name, with its currency when it has one
    and its segment when the row is one segment's."""
    text = _kpi_label(row)
    return f"{text} \u00b7 {row['segment_name']}" if row.get("segment_name") else text


def benchmark_text(row: dict[str, Any]) -> str:
    """The benchmark of a distribution row in its unit, with source and year, or ``""``:
    in its own currency with the converted figure beside it (results@2); a results@1
    benchmark has no currency (:func:`assessment.core.format.benchmark_text`).
    """
    return format_benchmark(row.get("benchmark"), row.get("unit") or "")


def _domain(row: dict[str, Any]) -> tuple[float, float]:
    bench = row.get("benchmark_plot") or {}
    points = [row["min"], row["max"]]
    if bench.get("value") is not None:
        points.append(bench["value"])
    points += list(bench.get("range") or [])
    lo, hi = min(points), max(points)
    pad = (hi - lo) * 0.06 or (abs(lo) * 0.1 or 1.0)
    return lo - pad, hi + pad


def distribution_chart(portfolio: Portfolio) -> Figure:
    """Per KPI on its own scale: clients' values (dots), quartile box, median, range and the
    published benchmark (diamond, or a dark bar for a range)."""
    fid, title = "chart-portfolio-distribution", "KPI distribution against benchmarks"
    rows = [r for r in portfolio.distributions if r["n"]]
    missing = len(portfolio.distributions) - len(rows)
    description = ("For each KPI, the current values of the clients (latest assessment) on the "
                   "KPI's own scale: range, quartile box, median and the published benchmark. "
                   + "; ".join(f"{distribution_label(r)}: n {r['n']}, median "
                               f"{format_value(r['median'], r['unit'], r['currency'])}"
                               + (f", benchmark {benchmark_text(r)}" if benchmark_text(r)
                                  else "") for r in rows) + ".")
    note = (f"{missing} KPI row(s) without any client value are left out of the chart."
            if missing else None)
    if not rows:
        return Figure(fid, title, description, None, "No client has a value for any KPI.")
    names = _element_names(portfolio)
    labels = [_kpi_label(r) for r in rows]  # the segment goes on a second line
    left = label_column(labels, 11)
    plot_w, row_h, head_h, top = 300.0, 38.0, 24.0, 8.0
    texts = [_distribution_text(r) for r in rows]
    right = min(max((text_width(t, 10) for t in texts), default=40) + 24, 330)
    width = left + plot_w + right
    c = Canvas()
    y, element = top, None
    for r, label, text in zip(rows, labels, texts, strict=True):
        if r["element"] != element:
            element = r["element"]
            c.text(8, y + head_h / 2 + 2, names.get(element, str(element).capitalize()), 12,
                   fill=NAVY, weight="bold")
            c.line(8, y + head_h - 2, width - 8, y + head_h - 2, GRID)
            y += head_h
        _distribution_row(c, r, label, text, left, plot_w, y + row_h / 2)
        y += row_h
    items = [("circle", NAVY, "client"), ("box", BOX, "middle half (Q1\u2013Q3)"),
             ("tick", INK, "median"), ("diamond", "#b26a00", "benchmark"),
             ("range", "#b26a00", "benchmark range")]
    used = c.legend(y + 12, 8, width - 16, items)
    return Figure(fid, title, description,
                  c.svg(fid, title, description, width, y + 12 + used,
                        standalone=True), note)


def _distribution_text(row: dict[str, Any]) -> str:
    unit, currency = row["unit"] or "", row["currency"]
    text = f"median {format_value(row['median'], unit, currency)} \u00b7 n {row['n']}"
    bench = benchmark_text(row)
    return f"{text} \u00b7 benchmark {bench}" if bench else text


def _distribution_row(c: Canvas, r: dict[str, Any], label: str, text: str, left: float,
                      plot_w: float, cy: float) -> None:
    lo, hi = _domain(r)

    def px(v: float) -> float:
        return left + plot_w * (v - lo) / (hi - lo)

    unit, currency = r["unit"] or "", r["currency"]
    if r.get("segment_name"):
        c.text(left - 8, cy - 6, label, 11, "end", limit=38)
        c.text(left - 8, cy + 7, str(r["segment_name"]), 9, "end", MUTED, limit=44)
    else:
        c.text(left - 8, cy, label, 11, "end", limit=38)
    c.rect(left, cy - 8, plot_w, 16, "#f5f7f9")
    c.line(px(r["min"]), cy, px(r["max"]), cy, MUTED, 1.2)
    c.rect(px(r["q1"]), cy - 6, max(px(r["q3"]) - px(r["q1"]), 1.5), 12, BOX,
           f' stroke="{NAVY}" stroke-width="0.8"')
    c.rect(px(r["median"]) - 1.1, cy - 8, 2.2, 16, INK)
    bench = r.get("benchmark_plot") or {}
    if bench.get("range"):
        b_lo, b_hi = bench["range"]
        c.rect(px(min(b_lo, b_hi)), cy + 9, abs(px(b_hi) - px(b_lo)), 3, "#b26a00")
    if bench.get("value") is not None:
        c.diamond(px(bench["value"]), cy - 11, 4.5, "#b26a00")
    for v in r["values"]:
        c.circle(px(v["value"]), cy, 3.2, NAVY, ' stroke="#ffffff" stroke-width="0.8"')
    c.text(left + plot_w + 10, cy, text, 10, fill="#424242", limit=60)
    c.text(px(r["min"]) + 4, cy + 18, format_value(r["min"], unit, currency), 8, "end", MUTED)
    if r["max"] != r["min"]:
        c.text(px(r["max"]) - 4, cy + 18, format_value(r["max"], unit, currency), 8, fill=MUTED)


# --------------------------------------------------------------------------- trends


def trend_charts(portfolio: Portfolio) -> list[Figure]:
    """One chart per client assessed more than once (index and elements over time)."""
    names = _element_names(portfolio)
    return [_trend_chart(n, trend, names) for n, trend in enumerate(portfolio.trends, start=1)]


def _trend_chart(n: int, trend: dict[str, Any], names: dict[str, str]) -> Figure:
    fid = f"chart-portfolio-trend-{n}"
    org, points = trend["organization"], trend["points"]
    title = f"Trend: {org}"
    steps = []
    for p in points:
        flag = (f" (method change: {p['method_change']}; not comparable with the previous "
                "assessment)") if p["method_changed"] else ""
        measured = _measured(p)
        reading = f", measured {format_score(measured)}" if measured is not None else ""
        steps.append(f"{p['assessment_date']} index {format_score(p['index'])}{reading}{flag}")
    description = (f"Index and element scores of {org} at each assessment, 0 to 100, with "
                   "the index measured on the KPIs with data only where it differs. "
                   "Lines join only assessments made with the same method. "
                   + "; ".join(steps) + ".")
    dates = [dt.date.fromisoformat(p["assessment_date"]) for p in points]
    left, top, plot_w, plot_h, right = 48.0, 28.0, 460.0, 220.0, 40.0
    width, bottom = left + plot_w + right, top + plot_h
    span = (dates[-1] - dates[0]).days or 1

    def px(i: int) -> float:
        return left + 30 + (plot_w - 60) * (dates[i] - dates[0]).days / span

    def py(v: float) -> float:
        return bottom - plot_h * v / 100

    c = Canvas()
    for t in TICKS:
        c.line(left, py(t), left + plot_w, py(t))
        c.text(left - 6, py(t), f"{t:g}", 10, "end", MUTED)
    for i, d in enumerate(dates):
        c.line(px(i), bottom, px(i), bottom + 4, MUTED)
        c.text(px(i), bottom + 13, d.isoformat(), 10, "middle", MUTED)
    c.text(left + plot_w / 2, bottom + 30, "Assessment date", 11, "middle", MUTED)
    for i, p in enumerate(points):
        if p["method_changed"]:
            x = (px(i - 1) + px(i)) / 2
            c.line(x, top - 8, x, bottom, CHANGE, 1.5, "5 3")
            c.text(x, top - 16, "method change", 10, "middle", CHANGE, weight="bold")
            before, after = points[i - 1].get("results_version"), p.get("results_version")
            if before and after and before != after:
                c.text(x + 4, bottom - 8, f"results@{before} \u2192 results@{after}", 9,
                       fill=CHANGE)
    readings = any(_measured(p) is not None for p in points)
    styles: list[tuple[str, str, str, float, float, str | None]] = [
        ("index", NAVY, "line", 3.0, 4.5, None)]
    if readings:
        styles.append((MEASURED, NAVY, "ring", 1.5, 3.5, "2 3"))
    styles += [(e, ELEMENT_STYLE[e][0], ELEMENT_STYLE[e][1], 1.5, 4.0, None) for e in ELEMENTS]
    for key, color, shape, stroke, r, dash in styles:
        for i in range(1, len(points)):
            a, b = points[i - 1].get(key), points[i].get(key)
            if a is not None and b is not None and not points[i]["method_changed"]:
                c.line(px(i - 1), py(a), px(i), py(b), color, stroke, dash)
        for i, p in enumerate(points):
            if p.get(key) is None:
                continue
            if shape == "ring":
                if _measured(p) is None:  # the same as the index: its marker says it
                    continue
                c.circle(px(i), py(p[key]), r, "#ffffff", f' stroke="{color}" stroke-width="1.5"')
            else:
                marker(c, "circle" if shape == "line" else shape, px(i), py(p[key]), r, color)
    last = points[-1]
    if last["index"] is not None:
        c.text(px(len(points) - 1) + 8, py(last["index"]) - 10, f"{last['index']:.1f}", 11,
               fill=NAVY, weight="bold")
    items = [("line:", NAVY, "Index")]
    if readings:
        items.append(("line:2 3", NAVY, "Index measured on the KPIs with data"))
    items += _element_items(names)
    if any(p["method_changed"] for p in points):
        items.append(("dash", CHANGE, "method change (not movement)"))
    used = c.legend(bottom + 44, 8, width - 16, items)
    return Figure(fid, title, description,
                  c.svg(fid, title, description, width, bottom + 44 + used,
                        standalone=True))


# --------------------------------------------------------------------------- sensitivity


def sensitivity_chart(portfolio: Portfolio) -> Figure:
    """Each client's index range across the weighting scenarios, base index marked."""
    fid, title = "chart-portfolio-sensitivity", "Index range under alternative element weights"
    rows = portfolio.sensitivity
    description = (f"For each client, the lowest and highest index when each element's weight "
                   f"is multiplied by {portfolio.factor:g} in turn, with the base index marked. "
                   + "; ".join(f"{r['organization']}: {_range_text(r)}" for r in rows) + ".")
    ranged = [r for r in rows if r["index_min"] is not None]
    if not ranged:
        return Figure(fid, title, description, None,
                      "No client has an index (at least 3 scored elements are needed).")
    lo = max(0.0, math.floor(min(r["index_min"] for r in ranged) / 10) * 10 - 10)
    hi = min(100.0, math.ceil(max(r["index_max"] for r in ranged) / 10) * 10 + 10)
    left = label_column([r["organization"] for r in rows], 12)
    plot_w, row_h, top = 380.0, 32.0, 10.0
    labels = [_rank_text(r) for r in rows]
    right = min(max((text_width(t, 11) for t in labels), default=40) + 24, 260)
    width, bottom = left + plot_w + right, top + row_h * len(rows)

    def px(v: float) -> float:
        return left + plot_w * (v - lo) / (hi - lo)

    c = Canvas()
    ticks = [t for t in range(int(lo), int(hi) + 1, 10)]
    x_axis(c, left, plot_w, top, bottom, ticks, lo, hi, "Index")
    for i, r in enumerate(rows):
        cy = top + i * row_h + row_h / 2
        c.text(left - 8, cy, r["organization"], 12, "end", limit=38)
        if r["index_min"] is not None:
            c.rect(px(r["index_min"]), cy - 6, max(px(r["index_max"]) - px(r["index_min"]), 2),
                   12, BOX, f' stroke="{NAVY}" stroke-width="0.8"')
            c.rect(px(r["index"]["base"]) - 1.25, cy - 9, 2.5, 18, INK)
        c.text(left + plot_w + 10, cy, labels[i], 11,
               fill=INK if r["index_min"] is not None else MUTED)
    used = c.legend(bottom + 40, 8, width - 16,
                   [("box", BOX, f"index range (each element \u00d7{portfolio.factor:g})"),
                    ("tick", INK, "base weights")])
    return Figure(fid, title, description,
                  c.svg(fid, title, description, width, bottom + 40 + used,
                        standalone=True))


def _range_text(r: dict[str, Any]) -> str:
    if r["index_min"] is None:
        return "no index, not ranked"
    return (f"index {r['index_min']:.1f} to {r['index_max']:.1f}, "
            f"rank {r['rank_min']} to {r['rank_max']} of {r['ranked']}")


def _rank_text(r: dict[str, Any]) -> str:
    if r["rank_min"] is None:
        return "not ranked (no index)"
    ranks = (f"rank {r['rank_min']}" if r["rank_min"] == r["rank_max"]
             else f"rank {r['rank_min']}\u2013{r['rank_max']}")
    return f"{ranks} of {r['ranked']}"


def portfolio_figures(portfolio: Portfolio) -> dict[str, Any]:
    """Every portfolio chart: ``index``, ``distribution``, ``sensitivity`` and ``trends``
    (a list, one per client assessed more than once)."""
    return {"index": index_chart(portfolio), "distribution": distribution_chart(portfolio),
            "trends": trend_charts(portfolio), "sensitivity": sensitivity_chart(portfolio)}
