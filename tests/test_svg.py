"""The geometry of the static SVG charts: positions and lengths proportional to the values.

Each drawing is parsed (xml.etree) and its numbers checked against the chart data: bar lengths
and positions, axis ticks (position and label), the target tick, the amber rule, line points,
scatter points and quadrant lines, and the portfolio's index and sensitivity figures.
Coordinates are written with one decimal, hence the tolerance (:data:`TOL`).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from test_html import acme_results as full_results

from assessment.core.results import ResultsView
from assessment.core.scoring import rag
from assessment.portfolio.charts import index_chart, sensitivity_chart
from assessment.portfolio.report import build
from assessment.scorecard import charts, svg
from assessment.scorecard.charts import build_charts, to_svg

TOL = 0.101  # coordinates carry one decimal; a derived origin (left, top) adds its own


def near(a: float, b: float, tol: float = TOL) -> bool:
    return abs(a - b) <= tol


def parse(text: str) -> list[ET.Element]:
    """Every element of an SVG, namespace dropped from the tag."""
    elements = list(ET.fromstring(text).iter())
    for el in elements:
        el.tag = el.tag.rsplit("}", 1)[-1]
    return elements


def f(el: ET.Element, name: str) -> float:
    return float(el.get(name, "nan"))


def rects(els: list[ET.Element], **attrs: str) -> list[ET.Element]:
    return [e for e in els if e.tag == "rect" and all(e.get(k) == v for k, v in attrs.items())]


def texts(els: list[ET.Element], size: float | None = None) -> list[ET.Element]:
    return [e for e in els if e.tag == "text"
            and (size is None or f(e, "font-size") == size)]


def content(el: ET.Element) -> str:
    """A text element's shown text (a clipped text keeps the full one in a <title> child)."""
    return "".join(el.itertext()) if el.find("title") is None else el.find("title").tail or ""


def text_center(el: ET.Element) -> float:
    """The y a text was centred on (the canvas writes y + 0.35 * size)."""
    return f(el, "y") - 0.35 * f(el, "font-size")


def x_ticks(els: list[ET.Element], labels: list[str]) -> dict[str, float]:
    """x of each centred tick label (font size 10) below a plot."""
    found = {content(t): f(t, "x") for t in texts(els, 10)
             if t.get("text-anchor") == "middle" and content(t) in labels}
    assert sorted(found) == sorted(labels), found
    return found


def dashed(els: list[ET.Element]) -> list[ET.Element]:
    return [e for e in els if e.tag == "line" and e.get("stroke-dasharray") == "4 3"]


@pytest.fixture(scope="module")
def full() -> dict[str, Any]:
    return full_results()


@pytest.fixture(scope="module")
def drawn(full: dict[str, Any]) -> dict[str, tuple[charts.Chart, list[ET.Element]]]:
    """Every drawn chart, built from the typed view as the HTML scorecard builds them."""
    built = build_charts(ResultsView.from_dict(full))
    assert built == build_charts(full)  # the same charts as from the dict
    return {c.id: (c, parse(to_svg(c))) for c in built if c.data is not None}


def track_geometry(els: list[ET.Element], height: str) -> tuple[float, float, list[float]]:
    """``left``, plot width and the y of each row's track (the grey full-scale bar)."""
    tracks = rects(els, fill=svg.TRACK, height=height)
    assert tracks
    left, width = f(tracks[0], "x"), f(tracks[0], "width")
    assert all(f(t, "x") == left and f(t, "width") == width for t in tracks)
    return left, width, [f(t, "y") for t in tracks]


# --------------------------------------------------------------------------- element bars


def test_element_bars_are_proportional_to_the_scores(full, drawn) -> None:
    chart, els = drawn["chart-elements"]
    left, plot_w, rows_y = track_geometry(els, "22")
    assert plot_w == 400
    assert len(rows_y) == len(full["elements"])
    assert [b - a for a, b in zip(rows_y, rows_y[1:], strict=False)] == [36.0] * 3
    for row, y in zip(chart.data.rows, rows_y, strict=True):
        bar = [r for r in rects(els, y=svg.num(y), height="22") if r.get("fill") != svg.TRACK]
        assert len(bar) == 1
        assert f(bar[0], "x") == left
        assert near(f(bar[0], "width"), plot_w * row.value / 100)
        assert bar[0].get("fill") == charts.RAG_COLORS[row.group]
        label = [t for t in texts(els, 12) if content(t) == row.label]
        assert len(label) == 1 and near(f(label[0], "x"), left + plot_w + 10)
        assert near(text_center(label[0]), y + 11)
    ticks = x_ticks(els, ["0", "20", "40", "60", "80", "100"])
    for label, x in ticks.items():
        assert near(x, left + plot_w * int(label) / 100)
    grid = [e for e in els if e.tag == "line" and e.get("stroke") == svg.GRID]
    assert sorted(f(g, "x1") for g in grid) == pytest.approx(sorted(ticks.values()), abs=TOL)
    top, bottom = rows_y[0] - 7, rows_y[-1] + 22 + 7
    assert all(near(f(g, "y1"), top) and near(f(g, "y2"), bottom) for g in grid)


def test_element_amber_rule_is_at_the_threshold(full, drawn) -> None:
    chart, els = drawn["chart-elements"]
    left, plot_w, rows_y = track_geometry(els, "22")
    amber = full["framework"]["settings"]["amber"]
    (rule,) = dashed(els)
    assert near(f(rule, "x1"), left + plot_w * amber / 100) and f(rule, "x1") == f(rule, "x2")
    assert near(f(rule, "y2"), rows_y[-1] + 29)  # down to the bottom of the plot
    (label,) = [t for t in texts(els, 10) if content(t) == "amber threshold 80"]
    assert f(label, "x") == f(rule, "x1")


# --------------------------------------------------------------------------- roadmap timeline


def test_timeline_bars_sit_at_their_horizons_months(full, drawn) -> None:
    chart, els = drawn["chart-timeline"]
    left, plot_w, rows_y = track_geometry(els, "16")
    assert plot_w == 360 and len(rows_y) == len(chart.data.rows)
    assert [b - a for a, b in zip(rows_y, rows_y[1:], strict=False)] == [26.0] * (
        len(rows_y) - 1)
    months = {"days_0_90": (0, 3), "months_3_6": (3, 6), "months_6_12": (6, 12)}
    horizon = {i["id"]: i["horizon"] for i in full["roadmap"]["initiatives"]}
    for row, y in zip(chart.data.rows, rows_y, strict=True):
        start, end = months[horizon[row.key]]
        (bar,) = [r for r in rects(els, y=svg.num(y), height="16")
                  if r.get("fill") != svg.TRACK]
        assert near(f(bar, "x"), left + plot_w * start / 12)
        assert near(f(bar, "width"), plot_w * (end - start) / 12)
        assert bar.get("fill") == charts.EFFORT_COLORS[row.group]
        (label,) = [t for t in texts(els, 11) if content(t) == row.label]
        assert near(f(label, "x"), left + plot_w + 12) and near(text_center(label), y + 8)
        (name,) = [t for t in texts(els, 11) if content(t) == row.name]
        assert name.get("text-anchor") == "end" and near(text_center(name), y + 8)
    ticks = x_ticks(els, ["0", "3", "6", "9", "12"])
    for label, x in ticks.items():
        assert near(x, left + plot_w * int(label) / 12)


# --------------------------------------------------------------------------- KPI bullets


def test_kpi_bullets_place_score_target_benchmark_and_amber(full, drawn) -> None:
    chart, els = drawn["chart-kpis-efficiency"]
    left, plot_w, rows_y = track_geometry(els, "18")
    assert plot_w == 340
    assert len(rows_y) == len(chart.data.rows)

    def px(score: float) -> float:
        return left + plot_w * score / 100

    scores = [r for r in rects(els, height="10") if f(r, "x") == left]  # not legend boxes
    drawn_rows = [r for r in chart.data.rows if r.value is not None]
    assert len(scores) == len(drawn_rows)
    for row, bar in zip(drawn_rows, scores, strict=True):
        assert f(bar, "x") == left
        assert near(f(bar, "width"), plot_w * row.value / 100)
        assert bar.get("fill") == charts.STATUS_COLORS[row.group]
    # the target tick: one a row, centred on score 100 (the right end of the scale)
    targets = rects(els, width="2.5", height="20", fill=svg.INK)
    assert len(targets) == len(rows_y)
    assert all(near(f(t, "x") + 1.25, px(100)) for t in targets)
    assert [f(t, "y") + 10 for t in targets] == pytest.approx([y + 9 for y in rows_y], abs=TOL)
    # the benchmark range of cost per case, and the diamond of engineer utilization
    by_key = {r.key: (r, y) for r, y in zip(chart.data.rows, rows_y, strict=True)}
    row, y = by_key["cost_per_case"]
    (band,) = [r for r in rects(els, height="3", fill="#37474f") if near(f(r, "y"), y + 14)]
    assert near(f(band, "x"), px(row.bench_lo))
    assert near(f(band, "x") + f(band, "width"), px(row.bench_hi), 2 * TOL)
    tips = [tuple(map(float, re.match(r"M([-\d.]+) ([-\d.]+)L", e.get("d")).groups()))
            for e in els if e.tag == "path" and e.get("fill") == svg.INK]
    bottom = rows_y[-1] + 24  # the legend's diamond is below the plot
    centres = [(x, y + 5.5) for x, y in tips if y < bottom]
    expected = [(px(r.bench), y + 8) for r, y in zip(chart.data.rows, rows_y, strict=True)
                if r.bench is not None]
    assert len(centres) == len(expected) == 3
    assert all(near(a, c) and near(b, d) for (a, b), (c, d) in zip(centres, expected,
                                                                    strict=True))
    # the amber rule
    (rule,) = dashed(els)
    assert near(f(rule, "x1"), px(full["framework"]["settings"]["amber"]))
    ticks = x_ticks(els, ["0", "20", "40", "60", "80", "100"])
    assert all(near(x, px(int(label))) for label, x in ticks.items())
    assert any(content(t) == "Score (0\u2013100; the target scores 100)" for t in texts(els, 11))


# --------------------------------------------------------------------------- practices


def test_practice_bars_are_proportional_to_the_answers(drawn) -> None:
    chart, els = drawn["chart-practices-renewal_practices"]
    left, plot_w, rows_y = track_geometry(els, "16")
    assert plot_w == 280
    answered = [f for f in rects(els, height="16") if f.get("fill") != svg.TRACK]
    rows = [(r, y) for r, y in zip(chart.data.rows, rows_y, strict=True) if r.value is not None]
    assert len(answered) == len(rows)
    for (row, y), bar in zip(rows, answered, strict=True):
        assert f(bar, "y") == y
        assert near(f(bar, "width"), max(plot_w * row.value / 4, 3))  # 0 keeps a stub
        assert bar.get("fill") == charts.PRACTICE_GROUPS[row.group]
    assert any(r.value == 0 for r, _ in rows) and any(r.value == 4 for r, _ in rows)
    ticks = x_ticks(els, ["0", "1", "2", "3", "4"])
    assert all(near(x, left + plot_w * int(label) / 4) for label, x in ticks.items())
    skipped = [r.label for r in chart.data.rows if r.value is None]
    assert skipped and all(any(content(t) == s for t in texts(els, 11)) for s in skipped)


# --------------------------------------------------------------------------- projection


def test_projection_lines_follow_the_shares(drawn) -> None:
    chart, els = drawn["chart-projection"]
    years = x_ticks(els, ["1", "2", "3", "4", "5"])
    y_ticks = {content(t): text_center(t) for t in texts(els, 10)
               if t.get("text-anchor") == "end"}
    assert list(y_ticks) == ["0%", "20%", "40%", "60%", "80%", "100%"]
    bottom, top = y_ticks["0%"], y_ticks["100%"]
    assert near(bottom - top, 260)
    for label, y in y_ticks.items():
        assert near(y, bottom - (bottom - top) * int(label[:-1]) / 100)
    assert [years[str(n + 1)] - years[str(n)] for n in range(1, 5)] == pytest.approx(
        [115.0] * 4, abs=TOL)
    lines = [e for e in els if e.tag == "polyline"]
    assert len(lines) == len(chart.data.series) == 4
    for line, series in zip(lines, chart.data.series, strict=True):
        assert line.get("stroke") == series.color
        assert line.get("stroke-dasharray") == series.dasharray
        points = [tuple(map(float, p.split(","))) for p in line.get("points").split()]
        assert len(points) == len(series.points)
        for (x, y), p in zip(points, series.points, strict=True):
            assert near(x, years[str(p.year)])
            assert near(y, bottom - (bottom - top) * p.share)
        dots = [e for e in els if e.tag == "circle" and e.get("fill") == series.color
                and e.get("r") == "3"]
        assert [(f(d, "cx"), f(d, "cy")) for d in dots] == points


# --------------------------------------------------------------------------- expectations


def test_expectation_dots_sit_at_performance_and_importance(drawn) -> None:
    chart, els = drawn["chart-expectations"]
    data = chart.data
    xs = x_ticks(els, ["1", "2", "3", "4", "5"])
    ys = {content(t): text_center(t) for t in texts(els, 10)
          if t.get("text-anchor") == "end" and content(t) in "12345"}
    assert list(ys) == ["1", "2", "3", "4", "5"]

    def px(v: float) -> float:
        return xs["1"] + (xs["5"] - xs["1"]) * (v - 1) / 4

    def py(v: float) -> float:
        return ys["1"] - (ys["1"] - ys["5"]) * (v - 1) / 4

    assert near(xs["5"] - xs["1"], 340) and near(ys["1"] - ys["5"], 340)
    assert all(near(xs[str(n)], px(n)) and near(ys[str(n)], py(n)) for n in range(1, 6))
    dots = [e for e in els if e.tag == "circle" and e.get("r") == "6"]
    assert len(dots) == len(data.dots)
    for dot, d in zip(dots, data.dots, strict=True):
        assert near(f(dot, "cx"), px(d.performance)) and near(f(dot, "cy"), py(d.importance))
        assert dot.get("fill") == charts.QUADRANT_COLORS[d.quadrant]
    vertical, horizontal = dashed(els)
    assert near(f(vertical, "x1"), px(data.threshold)) and f(vertical, "x2") == f(vertical, "x1")
    assert near(f(horizontal, "y1"), py(data.threshold))
    labels = [t for t in texts(els, 11) if t.get("font-weight") == "bold"]
    assert [content(t) for t in labels] == [lab.text for lab in data.labels]
    for t, lab in zip(labels, data.labels, strict=True):
        assert near(f(t, "x"), px(lab.performance) + 8)
        assert near(text_center(t), py(lab.importance) - 9)


# --------------------------------------------------------------------------- toolkit


def test_toolkit_numbers_clipping_and_escaping() -> None:
    assert [svg.num(x) for x in (12.0, 12.34, 12.36, -0.04, 3)] == ["12", "12.3", "12.4", "0",
                                                                    "3"]
    assert svg.clip("abcdefgh", 5) == "abcd\u2026" and svg.clip("abc", 5) == "abc"
    c = svg.Canvas()
    c.text(10, 20, "<b>&\"x\"</b> a long text", 10, limit=8)
    c.rect(0, 0, -5, 3, "#000")
    root = ET.fromstring(c.svg("chart-x", "T <1>", "D & d", 10.2, 20.7, standalone=True))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert (root.get("width"), root.get("height"), root.get("viewBox")) == ("11", "21",
                                                                            "0 0 11 21")
    els = parse(c.svg("chart-x", "T <1>", "D & d", 10, 20))
    assert [e.text for e in els if e.tag in ("title", "desc")][:2] == ["T <1>", "D & d"]
    (text,) = texts(els)
    assert text.find("title").text == "<b>&\"x\"</b> a long text"  # full text as tooltip
    assert text.find("title").tail == "<b>&\"x\"\u2026"
    assert f(text, "y") == 23.5  # centred: y + 0.35 * size
    assert rects(els)[0].get("width") == "0"


def test_legend_wraps_rows_inside_its_width() -> None:
    c = svg.Canvas()
    items = [("box", "#111111", "first entry"), ("circle", "#222222", "second entry"),
             ("line:6 3", "#333333", "third entry with a longer label")]
    height = c.legend(100, 8, 250, items)
    els = parse(c.svg("chart-l", "t", "d", 300, 200))
    labels = {t.text: (f(t, "x"), text_center(t)) for t in texts(els, 11)}
    assert labels["first entry"] == pytest.approx((28, 108), abs=TOL)
    assert labels["second entry"] == pytest.approx((28 + 22 + 11 * 0.56 * 11 + 16, 108),
                                                   abs=TOL)  # fits on the first row
    assert labels["third entry with a longer label"] == pytest.approx((28, 128), abs=TOL)
    assert height == 44
    assert [e.get("stroke-dasharray") for e in els if e.tag == "line"] == ["6 3"]


# --------------------------------------------------------------------------- portfolio


@pytest.fixture(scope="module")
def portfolio() -> Any:
    return build()  # the bundled sample organizations


def test_portfolio_index_bars_and_element_markers(portfolio) -> None:
    figure = index_chart(portfolio)
    els = parse(figure.svg)
    left, plot_w, rows_y = track_geometry(els, "15")
    assert plot_w == 420 and len(rows_y) == len(portfolio.clients)
    ticks = x_ticks(els, ["0", "20", "40", "60", "80", "100"])
    assert all(near(x, left + plot_w * int(label) / 100) for label, x in ticks.items())
    for client, y in zip(portfolio.clients, rows_y, strict=True):
        (bar,) = [r for r in rects(els, y=svg.num(y), height="15") if r.get("fill") != svg.TRACK]
        assert f(bar, "x") == left
        assert near(f(bar, "width"), plot_w * client["index"] / 100)
        assert bar.get("fill") == charts.RAG_COLORS[rag(client["index"], 80).capitalize()]
        # profit is a circle on the element line under the bar; not scored, no circle
        circle = [e for e in els if e.tag == "circle" and near(f(e, "cy"), y + 27)]
        assert [f(e, "cx") for e in circle] == pytest.approx(
            [] if client["profit"] is None else [left + plot_w * client["profit"] / 100],
            abs=TOL)
    # results@2 score every applicable element (a missing KPI counts 0), so every bundled
    # sample has a profit circle; a results@1 client without one is drawn without it above
    assert all(c["profit"] is not None for c in portfolio.clients)
    (rule,) = dashed(els)
    assert near(f(rule, "x1"), left + plot_w * 80 / 100)


def test_portfolio_sensitivity_axis_and_ranges(portfolio) -> None:
    figure = sensitivity_chart(portfolio)
    els = parse(figure.svg)
    rows = portfolio.sensitivity
    lo = max(0, min(r["index_min"] for r in rows) // 10 * 10 - 10)
    hi = min(100, -(-max(r["index_max"] for r in rows) // 10) * 10 + 10)
    labels = [f"{t:g}" for t in range(int(lo), int(hi) + 1, 10)]
    ticks = x_ticks(els, labels)
    x_lo, x_hi = ticks[labels[0]], ticks[labels[-1]]
    assert near(x_hi - x_lo, 380)

    def px(v: float) -> float:
        return x_lo + (x_hi - x_lo) * (v - lo) / (hi - lo)

    assert all(near(x, px(float(label))) for label, x in ticks.items())
    boxes = rects(els, height="12")
    bases = rects(els, width="2.5", height="18")
    assert len(boxes) == len(bases) == len(rows)
    for r, box, base in zip(rows, boxes, bases, strict=True):
        assert near(f(box, "x"), px(r["index_min"]))
        assert near(f(box, "x") + f(box, "width"), px(r["index_max"]), 2 * TOL)
        assert near(f(base, "x") + 1.25, px(r["index"]["base"]))
