"""Scorecard charts: each chart's data built once from the results, and drawn as static SVG.

A builder reads the typed results (:class:`~assessment.core.results.ResultsView`, built once
from the results structure of methodology §8) and returns a :class:`Chart`: id,
section, kind, title, description, an optional note, and its ``data`` as plain typed values
(:class:`Bars`, :class:`Lines`, :class:`Scatter` or :class:`Timeline`: values, labels,
colours, axes). A chart
with nothing to show has ``data=None`` and a ``note`` that says why. Everything that draws a
chart reads that data, never anything else:

- :func:`to_svg` draws it as inline SVG with the toolkit of :mod:`assessment.scorecard.svg`
  (fast, deterministic, every text escaped). The HTML scorecard, the notebooks and the
  interactive form show this drawing.
- :mod:`assessment.scorecard.vega` turns the same data into a Vega-Lite spec, an Altair chart
  (JupyterLab) or a Vega-drawn SVG.

- :func:`build_charts` returns every chart of a scorecard, in reading order; it takes the
  results dict or its view, and builds the view once for all charts.
- The builders: :func:`element_chart`, :func:`timeline_chart` (the roadmap),
  :func:`kpi_chart`, :func:`projection_chart`, :func:`expectations_chart`,
  :func:`practices_chart`, each taking a ``ResultsView``.

Data values are the unrounded numbers of the results; only text labels round. KPI bullets are
on the 0-100 *score* scale so that KPIs of different units line up: the target is the tick at
100, the amber threshold is a dashed line, and a published benchmark is converted to the score
it would earn (a diamond, or a thin bar for a benchmark range).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from assessment.core.format import (
    EFFORT_LABELS,
    HORIZON_LABELS,
    QUADRANT_LABELS,
    STATUS_LABELS,
    format_money,
    format_points,
    level_text,
    rag_label,
    trim_number,
    value_text,
)
from assessment.core.framework import HORIZONS
from assessment.core.results import KpiRow, ResultsView
from assessment.core.scoring import kpi_score
from assessment.scorecard.svg import (
    INK,
    MUTED,
    TRACK,
    Canvas,
    Swatch,
    amber_rule,
    label_column,
    text_width,
    x_axis,
)

RAG_COLORS = {"Green": "#2e7d32", "Amber": "#e0a100", "Red": "#c62828"}
STATUS_COLORS = {"Met": "#2e7d32", "Near": "#e0a100", "Off target": "#c62828",
                 "No data": "#9e9e9e"}
QUADRANT_COLORS = {"Keep up the good work": "#2e7d32", "Concentrate here": "#c62828",
                   "Possible overkill": "#1565c0", "Low priority": "#757575"}
PRACTICE_GROUPS = {"Needs action (0-1)": "#c62828", "Defined (2)": "#e0a100",
                   "Managed or better (3-4)": "#2e7d32"}
SERIES_COLORS = ("#1f4e79", "#8c8c8c", "#2e7d32", "#5b9bd5")
SERIES_DASHES = ((1, 0), (6, 3), (2, 2), (6, 2, 2, 2))
SCORE_TICKS = (0, 20, 40, 60, 80, 100)
#: Roadmap bars are coloured by effort (the horizon is where the bar sits).
EFFORT_COLORS = {f"Effort {EFFORT_LABELS[e]}": color
                 for e, color in (("S", "#5b9bd5"), ("M", "#2d5a8c"), ("L", "#1f3a5f"))}
MONTH_TICKS = (0, 3, 6, 9, 12)
THRESHOLD_GREY = "#9e9e9e"


# --------------------------------------------------------------------------- chart data


@dataclass(frozen=True)
class Axis:
    """A linear value axis from ``lo`` to ``hi``, with its tick values and title."""

    lo: float
    hi: float
    ticks: tuple[float, ...]
    title: str
    percent: bool = False  # the values are shares (0-1), ticks read 0% to 100%

    def tick_label(self, t: float) -> str:
        """The label of tick ``t``: ``20``, or ``20%`` on a percent axis."""
        return f"{t:.0%}" if self.percent else f"{t:g}"


@dataclass(frozen=True)
class Bar:
    """One row of a bar chart: an element score, a KPI bullet or a practice answer.

    ``group`` is the legend entry (RAG, status or practice group) whose ``color`` fills the
    bar; ``None`` when the row has no value. ``bench``/``bench_lo``/``bench_hi`` are a KPI
    benchmark converted to a score (a point, or a range), on the same axis.
    """

    key: str
    name: str
    value: float | None
    label: str
    group: str | None
    color: str
    bench: float | None = None
    bench_lo: float | None = None
    bench_hi: float | None = None


@dataclass(frozen=True)
class Bars:
    """Horizontal bars on one axis, one :class:`Bar` a row, in reading order.

    ``amber`` is the amber threshold drawn as a dashed rule (``None``: no rule), ``target`` the
    axis value of a target tick on every row (``None``: no tick). ``legend`` lists what the
    drawing explains; its ``box`` swatches are the colour of each group.
    """

    rows: tuple[Bar, ...]
    axis: Axis
    legend: tuple[Swatch, ...]
    amber: float | None = None
    amber_label: str = ""
    target: float | None = None

    @property
    def colors(self) -> dict[str, str]:
        """Group -> colour, in legend order."""
        return {label: color for kind, color, label in self.legend if kind == "box"}


@dataclass(frozen=True)
class LinePoint:
    """One point of a projection line: share still under contract in a contract year."""

    year: int
    share: float
    label: str


@dataclass(frozen=True)
class Series:
    """One line: name, colour, dash pattern (``(1, 0)`` is solid) and points by year."""

    name: str
    color: str
    dash: tuple[int, ...]
    points: tuple[LinePoint, ...]

    @property
    def dasharray(self) -> str | None:
        """The SVG ``stroke-dasharray``, or ``None`` for a solid line."""
        return None if self.dash == (1, 0) else " ".join(str(d) for d in self.dash)


@dataclass(frozen=True)
class Lines:
    """Line chart: the series that have at least one point, on two axes."""

    series: tuple[Series, ...]
    x: Axis
    y: Axis


@dataclass(frozen=True)
class Dot:
    """One customer-expectation dimension: ``n`` is its number in the key and the labels."""

    n: int
    name: str
    performance: float
    importance: float
    gap: float | None
    quadrant: str
    color: str


@dataclass(frozen=True)
class DotLabel:
    """The numbers of every dimension at one position, so that labels never overlap."""

    performance: float
    importance: float
    text: str


@dataclass(frozen=True)
class Corner:
    """A quadrant's name, written in a corner of the plot."""

    text: str
    right: bool
    top: bool


@dataclass(frozen=True)
class Scatter:
    """Importance (up) against performance (across), with quadrant lines at ``threshold``."""

    dots: tuple[Dot, ...]
    labels: tuple[DotLabel, ...]
    threshold: float
    x: Axis
    y: Axis
    corners: tuple[Corner, ...]
    legend: tuple[Swatch, ...]

    @property
    def colors(self) -> dict[str, str]:
        """Quadrant -> colour, in legend order."""
        return {label: color for _kind, color, label in self.legend}


@dataclass(frozen=True)
class Span:
    """One ranked initiative on the roadmap timeline: a bar from month ``start`` to ``end``
    (its horizon), coloured by its effort (``group``)."""

    key: str
    name: str
    start: float
    end: float
    label: str
    group: str
    color: str


@dataclass(frozen=True)
class Timeline:
    """The roadmap: one :class:`Span` a ranked initiative, in rank order, on a month axis."""

    rows: tuple[Span, ...]
    axis: Axis
    legend: tuple[Swatch, ...]

    @property
    def colors(self) -> dict[str, str]:
        """Effort -> colour, in legend order."""
        return {label: color for _kind, color, label in self.legend}


ChartData = Bars | Lines | Scatter | Timeline


@dataclass(frozen=True)
class Chart:
    """One scorecard chart: its data, or ``data=None`` with a ``note`` saying why.

    ``id`` is stable and HTML-safe (``chart-elements``, ``chart-kpis-profit``, ...);
    ``section`` names the scorecard section the chart belongs to; ``kind`` is how it is drawn
    (``bars``, ``bullets``, ``practices``, ``lines``, ``scatter``, ``timeline``). ``note``
    may also be set on a chart that is drawn, to say what it leaves out.
    """

    id: str
    section: str
    kind: str
    title: str
    subtitle: str | None
    description: str
    data: ChartData | None
    note: str | None = None


# --------------------------------------------------------------------------- reading results


def benchmark_scores(kpi: KpiRow) -> tuple[float | None, float | None, float | None]:
    """The benchmark of a KPI converted to scores: ``(point, range_lo, range_hi)``.

    A single benchmark value gives ``point``; a range gives the scores of both ends, lowest
    first. Scores use the KPI's own target, floor and band (methodology §2). A benchmark in
    another currency than the client's is scored by its converted figure (results@2), the one
    in the unit of the KPI's target and floor.
    """
    bench = kpi.benchmark
    if bench is None:
        return None, None, None
    converted = bench.converted or {}
    value = converted.get("value") if converted else bench.value
    ends = _tuple_of(converted.get("range")) if converted else bench.range

    def to_score(value: float) -> float | None:
        try:
            return kpi_score(kpi.direction, value, kpi.target, kpi.floor, kpi.band)
        except (AssertionError, TypeError, ValueError):
            return None

    point = None if value is None else to_score(value)
    lo = hi = None
    if ends:
        scores = [to_score(v) for v in ends]
        if None not in scores:
            lo, hi = min(scores), max(scores)  # type: ignore[type-var]
    return point, lo, hi


def _tuple_of(value: Any) -> tuple[float, ...] | None:
    return tuple(value) if isinstance(value, (list, tuple)) else None


def _org(view: ResultsView) -> str | None:
    """The chart subtitle: the organization's name, None when the results give none."""
    return view.organization.name if view.organization.named else None


def _amber(view: ResultsView) -> float:
    return view.settings["amber"]


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _boxes(colors: dict[str, str]) -> tuple[Swatch, ...]:
    return tuple(("box", color, label) for label, color in colors.items())


NOT_APPLICABLE = "not applicable"


def _not_applicable(view: ResultsView) -> str:
    """``Not applicable to an internal support model`` (the organization's model)."""
    model = str(view.organization.support_model or "this")
    article = "an" if model[:1].lower() in "aeiou" else "a"
    return f"Not applicable to {article} {model} support model"


# --------------------------------------------------------------------------- builders


def element_chart(view: ResultsView) -> Chart:
    """Element scores 0-100 as bars coloured by RAG, with a rule at the amber threshold."""
    amber = _amber(view)
    rows = []
    for element in view.elements:
        if not element.applicable:  # no KPI of it applies: not drawn, never a zero bar
            rows.append(Bar(element.key, element.name, None, NOT_APPLICABLE, None, MUTED))
            continue
        value = element.score
        rag = rag_label(element.rag)
        label = (f"{value:.1f} ({rag})" if value is not None
                 else f"not scored (coverage {element.coverage:.0%})")
        if value is not None and not element.sufficient:
            label += " \u00b7 insufficient data"
        rows.append(Bar(
            key=element.key, name=element.name, value=value, label=label,
            group=rag if value is not None else None,
            color=RAG_COLORS.get(rag, MUTED) if value is not None else MUTED))
    title = "Element scores"
    description = (f"Bar chart of the four element scores on a 0 to 100 scale, with a dashed "
                   f"line at the amber threshold of {trim_number(amber, 1)}. "
                   + "; ".join(f"{r.name} {r.label}" for r in rows) + ".")
    note = None
    if view.missing_kpi == "zero" and not any(e.applicable and e.coverage > 0
                                              for e in view.elements):
        note = ("No element has a KPI with data (each missing KPI counts as 0), so there is "
                "no element chart.")
    elif not any(r.value is not None for r in rows):
        note = "No element has enough data to be scored, so there is no element chart."
    if note:
        return Chart("chart-elements", "summary", "bars", title, _org(view), description,
                     None, note)
    data = Bars(tuple(rows), Axis(0, 100, SCORE_TICKS, "Score (0\u2013100)"),
                _boxes(RAG_COLORS), amber, f"amber threshold {trim_number(amber, 1)}")
    return Chart("chart-elements", "summary", "bars", title, _org(view), description, data)


def timeline_chart(view: ResultsView) -> Chart:
    """The roadmap as a timeline: one bar per ranked initiative across the months of its
    horizon (0-3, 3-6 or 6-12), in rank order, coloured by effort."""
    title = "Roadmap timeline"
    subtitle = _org(view)
    ranked = view.roadmap.ranked
    currency = view.currency
    rows, said = [], []
    for init in ranked:
        start, end = HORIZONS.get(init.horizon, (0, 12))
        money = (init.money or {}).get("base")
        value = (f"{format_money(money, currency)} a year" if money else
                 f"{format_points(init.index_points)} index points")
        effort = f"Effort {EFFORT_LABELS.get(init.effort, init.effort)}"
        name = f"{init.rank}. {init.name}"
        rows.append(Span(init.id, name, float(start), float(end),
                         f"{HORIZON_LABELS.get(init.horizon, init.horizon)} \u00b7 {value}",
                         effort, EFFORT_COLORS.get(effort, MUTED)))
        said.append(f"{name}: months {start} to {end}, {effort.lower()}, {value}")
    description = ("Timeline of the roadmap's initiatives in rank order over the first 12 "
                   "months, each bar across its horizon. " + "; ".join(said) + ".")
    if not view.roadmap.initiatives:
        return Chart("chart-timeline", "roadmap", "timeline", title, subtitle, description,
                     None, "These results hold no roadmap (they were made before it).")
    if not rows:
        return Chart("chart-timeline", "roadmap", "timeline", title, subtitle, description,
                     None, "No initiative applies to this organization, so there is no "
                     "timeline.")
    data = Timeline(tuple(rows), Axis(0, 12, MONTH_TICKS, "Months from the start of the plan"),
                    _boxes(EFFORT_COLORS))
    return Chart("chart-timeline", "roadmap", "timeline", title, subtitle, description, data)


def kpi_chart(view: ResultsView, area: str) -> Chart:
    """Bullet chart of one area's KPIs on the score scale, coloured by status.

    Grey bar: the 0-100 scale; coloured bar: the score; black tick: the target (score 100);
    dashed line: the amber threshold; diamond or thin dark bar: the benchmark (or benchmark
    range) converted to a score. The label gives the current value in its unit and the score.
    """
    amber = _amber(view)
    currency = view.currency
    name = view.area_name(area)
    chart_id = f"chart-kpis-{area}"
    section = "renewal" if area == "renewal" else "kpis"
    zero = view.missing_kpi == "zero"
    rows = []
    for kpi in view.kpis_of(area):
        if not kpi.applicable:  # left out of every score: labelled, never drawn as zero
            rows.append(Bar(kpi.id, kpi.name, None, NOT_APPLICABLE, None, MUTED))
            continue
        point, lo, hi = benchmark_scores(kpi)
        status = STATUS_LABELS.get(kpi.status, kpi.status)
        current = value_text(kpi.current, kpi.unit, kpi.currency or currency, kpi.derived)
        if kpi.score is not None:
            label = f"{current} \u00b7 score {kpi.score:.1f}"
        else:
            label = "no data (counts as 0)" if zero else "no data"
        rows.append(Bar(kpi.id, kpi.name, kpi.score, label, status,
                        STATUS_COLORS.get(status, MUTED), point, lo, hi))
    title = f"{name} KPIs"
    subtitle = "Score 0-100: tick = target, diamond or dark bar = benchmark"
    description = (
        f"Bullet chart of the {name} KPIs on the 0 to 100 score scale; the target scores 100 "
        f"and the amber threshold is {trim_number(amber, 1)}. "
        + "; ".join(f"{r.name}: {r.label}" + (f" ({r.group})" if r.group else "")
                    for r in rows) + ".")
    if not rows:
        return Chart(chart_id, section, "bullets", title, subtitle, description, None,
                     f"The framework has no {name} KPI.")
    if all(r.label == NOT_APPLICABLE for r in rows) or (
            area == "renewal" and not view.renewal.applicable):
        return Chart(chart_id, section, "bullets", title, subtitle, description, None,
                     f"{_not_applicable(view)}: no {name} KPI applies.")
    if not any(r.value is not None for r in rows):
        return Chart(chart_id, section, "bullets", title, subtitle, description, None,
                     f"No {name} KPI has a current value, so there is nothing to chart.")
    legend = _boxes(STATUS_COLORS) + (("tick", INK, "target"), ("diamond", INK, "benchmark"),
                                      ("range", "#37474f", "benchmark range"))
    data = Bars(tuple(rows), Axis(0, 100, SCORE_TICKS, "Score (0\u2013100; the target scores 100)"),
                legend, amber, f"amber {trim_number(amber, 1)}", target=100)
    return Chart(chart_id, section, "bullets", title, subtitle, description, data)


def projection_chart(view: ResultsView) -> Chart:
    """Share of a starting cohort still under contract, years 1-5: client, industry, target."""
    renewal = view.renewal
    projection = renewal.projection
    title = "Renewal projection"
    if not renewal.applicable:
        return Chart("chart-projection", "renewal", "lines", title, _org(view),
                     "No renewal projection: the renewal area does not apply.", None,
                     f"{_not_applicable(view)}: there is no renewal projection.")
    target = view.kpi("contract_renewal_rate")
    if renewal.value_basis == "recurring_revenue_rate":
        value_name = (f"Client value retained (recurring-revenue rate "
                      f"{_rate(renewal.recurring_revenue_rate)})")
    elif renewal.value_basis == "renewal_rate_uplift":
        value_name = (f"Client value retained (renewal rate with "
                      f"{_rate(renewal.price_uplift)} uplift)")
    else:
        value_name = "Client, value retained with price uplift"
    names = {
        "client": f"Client ({_rate(renewal.contract_renewal_rate)} renewal)",
        "industry": f"Industry ({_rate(renewal.industry_rate)})",
        "target": f"Target ({_rate(None if target is None else target.target)})",
        "client_value": value_name,
    }
    series = []
    for (key, name), color, dash in zip(names.items(), SERIES_COLORS, SERIES_DASHES,
                                        strict=True):
        shares = ((p.year, getattr(p, key)) for p in projection)
        points = sorted((LinePoint(year, share, f"{trim_number(100.0 * share, 1)}%")
                         for year, share in shares if _finite(share)), key=lambda q: q.year)
        if points:
            series.append(Series(name, color, dash, tuple(points)))
    last_year = max((p.year for p in projection), default=0)
    description = ("Line chart of the share of a starting cohort of customers still under "
                   "contract in contract years 1 to 5. "
                   + "; ".join(f"{s.name}: {p.label} in year {p.year}"
                               for s in series for p in s.points if p.year == last_year)
                   + ".")
    note = None
    if renewal.contract_renewal_rate is None:
        note = ("The client curve is missing: the intake gives no current contract renewal "
                "rate.")
    if not series:
        return Chart("chart-projection", "renewal", "lines", title, _org(view), description,
                     None, "No renewal rate is known, so there is no projection to chart.")
    data = Lines(tuple(series), Axis(1, 5, (1, 2, 3, 4, 5), "Contract year"),
                 Axis(0, 1, (0, 0.2, 0.4, 0.6, 0.8, 1.0), "Customers still under contract",
                      percent=True))
    return Chart("chart-projection", "renewal", "lines", title, _org(view), description,
                 data, note)


def _rate(value: float | None) -> str:
    return "n/a" if value is None else f"{trim_number(100.0 * value, 1)}%"


def expectations_chart(view: ResultsView) -> Chart:
    """Importance-performance scatter with quadrant lines at the IPA threshold."""
    dimensions = view.expectations.dimensions
    threshold = view.expectations.threshold
    if threshold is None:
        threshold = view.settings["ipa_threshold"]
    dots = []
    for number, dim in enumerate(dimensions, start=1):
        if _finite(dim.importance) and _finite(dim.performance):
            quadrant = QUADRANT_LABELS.get(dim.quadrant, str(dim.quadrant))
            dots.append(Dot(number, dim.name, dim.performance, dim.importance,
                            dim.gap, quadrant, QUADRANT_COLORS.get(quadrant, MUTED)))
    title = "Customer expectations: importance and performance"
    description = (
        "Scatter plot of the customer-expectation dimensions, current performance (1 to 5) "
        f"across and importance (1 to 5) up, with quadrant lines at {trim_number(threshold, 2)}. "
        + "; ".join(f"{d.name}: importance {trim_number(d.importance, 1)}, performance "
                    f"{trim_number(d.performance, 1)} ({d.quadrant})" for d in dots) + ".")
    missing = len(dimensions) - len(dots)
    note = (f"{missing} dimension(s) without both importance and performance ratings are left "
            "out." if missing and dots else None)
    if not dots:
        return Chart("chart-expectations", "expectations", "scatter", title, _org(view),
                     description, None,
                     "No dimension has both an importance and a performance rating.")
    # Points are labelled with the dimension's number (the key and the data table give the
    # names), one label per position, so that labels of dimensions rated alike never collide.
    numbers: dict[tuple[float, float], list[str]] = {}
    for d in dots:
        numbers.setdefault((d.performance, d.importance), []).append(str(d.n))
    labels = tuple(DotLabel(x, y, ", ".join(ns)) for (x, y), ns in numbers.items())
    ticks = (1, 2, 3, 4, 5)
    corners = (Corner("Concentrate here", right=False, top=True),
               Corner("Keep up the good work", right=True, top=True),
               Corner("Low priority", right=False, top=False),
               Corner("Possible overkill", right=True, top=False))
    data = Scatter(tuple(dots), labels, threshold,
                   Axis(1, 5, ticks, "Performance as customers see it (1\u20135)"),
                   Axis(1, 5, ticks, "Importance to customers (1\u20135)"),
                   corners, _boxes(QUADRANT_COLORS))
    return Chart("chart-expectations", "expectations", "scatter", title, _org(view),
                 description, data, note)


def practices_chart(view: ResultsView, questionnaire: str) -> Chart:
    """One practice questionnaire's answers 0-4 as bars; n/a and blanks are labelled."""
    q = view.questionnaires[questionnaire]
    chart_id = f"chart-practices-{questionnaire}"
    section = "renewal" if questionnaire == "renewal_practices" else "practices"
    title = f"{q.name}: answers (0-4)"
    if not q.applicable:
        note = f"{_not_applicable(view)}: the {q.name} questionnaire is not scored."
        return Chart(chart_id, section, "practices", title, None, note, None, note)
    rows = []
    for number, item in enumerate(q.items, start=1):
        answer = item.answer
        if answer is None:
            label = "n/a" if item.na else "not answered"
            group = None
        else:
            label = f"{answer} \u00b7 {item.label}" if item.label else str(answer)
            group = ("Needs action (0-1)" if answer <= 1 else
                     "Defined (2)" if answer == 2 else "Managed or better (3-4)")
        rows.append(Bar(str(item.id or number), item.name, answer, label, group,
                        PRACTICE_GROUPS.get(group, MUTED) if group else MUTED))
    level = level_text(q.level, q.level_name)
    subtitle = ((f"Score {q.score:.1f}, {level}" if level else f"Score {q.score:.1f}")
                if q.score is not None else "Not scored: too few answers")
    description = (f"Bar chart of the {q.name} answers on the 0 to 4 maturity scale. "
                   f"{subtitle}. " + "; ".join(f"{r.name}: {r.label}" for r in rows) + ".")
    if not any(r.value is not None for r in rows):
        return Chart(chart_id, section, "practices", title, subtitle, description, None,
                     f"No {q.name} item is answered on the 0-4 scale.")
    data = Bars(tuple(rows), Axis(0, 4, (0, 1, 2, 3, 4),
                                  "Answer (0 not in place \u2013 4 optimized)"),
                _boxes(PRACTICE_GROUPS))
    return Chart(chart_id, section, "practices", title, subtitle, description, data)


def build_charts(results: ResultsView | Mapping[str, Any]) -> list[Chart]:
    """Every chart of the scorecard, in reading order (ids are unique).

    ``results`` is the results structure or its :class:`ResultsView` (a view passed in is
    used as is; a dict is read into one view for all the charts).
    """
    view = ResultsView.of(results)
    charts = [element_chart(view), timeline_chart(view)]
    charts += [kpi_chart(view, e.key) for e in view.elements]
    charts.append(kpi_chart(view, "renewal"))
    charts.append(practices_chart(view, "renewal_practices"))
    charts.append(projection_chart(view))
    charts.append(practices_chart(view, "excellence_practices"))
    charts.append(expectations_chart(view))
    return charts


# --------------------------------------------------------------------------- static SVG
#
# The HTML scorecard draws its charts here rather than through Vega: ten charts take a few
# milliseconds against more than a second through vl-convert, which would break the time
# budget of the ``score`` command (docs/html-scorecard.md).


def _right_column(labels: list[str], size: float, cap: float) -> float:
    return min(max((text_width(t, size) for t in labels), default=40) + 24, cap)


def _row_frame(data: Bars | Timeline, plot_w: float, row_h: float, top: float, size: float,
               cap: float, limit: int = 38) -> tuple[Canvas, float, float, float]:
    """What the one-row-per-item charts share: the name column on the left, the label
    column on the right (``size`` pt text, at most ``cap`` wide) and the x axis. Returns the
    canvas and the widths of the two columns, ``left`` and ``right``, and ``bottom``."""
    rows, axis = data.rows, data.axis
    left = label_column([r.name for r in rows], limit=limit)
    right = _right_column([r.label for r in rows], size, cap)
    bottom = top + row_h * len(rows)
    c = Canvas()
    x_axis(c, left, plot_w, top, bottom, axis.ticks, axis.lo, axis.hi, axis.title,
           axis.tick_label)
    return c, left, right, bottom


def _svg_bars(chart: Chart, data: Bars) -> str:
    """Element scores: one bar per element on 0-100, amber rule, RAG colours."""
    rows, axis = data.rows, data.axis
    plot_w, row_h, bar_h, top = 400.0, 36.0, 22.0, 22.0
    c, left, right, bottom = _row_frame(data, plot_w, row_h, top, 12, 260)
    width = left + plot_w + right
    span = axis.hi - axis.lo
    for i, r in enumerate(rows):
        y = top + i * row_h + (row_h - bar_h) / 2
        c.text(left - 8, y + bar_h / 2, r.name, 12, "end", limit=38)
        c.rect(left, y, plot_w, bar_h, TRACK)
        if r.value is not None:
            c.rect(left, y, plot_w * (r.value - axis.lo) / span, bar_h, r.color)
        c.text(left + plot_w + 10, y + bar_h / 2, r.label, 12,
               fill=INK if r.value is not None else MUTED,
               weight="bold" if r.value is not None else None)
    if data.amber is not None:
        amber_rule(c, left + plot_w * (data.amber - axis.lo) / span, top, bottom,
                   data.amber_label)
    used = c.legend(bottom + 40, left, plot_w + right - 10, data.legend)
    return c.svg(chart.id, chart.title, chart.description, width, bottom + 40 + used)


def _svg_bullets(chart: Chart, data: Bars) -> str:
    """KPI bullets on the score scale: track, score bar, target tick, benchmark, amber rule."""
    rows, axis = data.rows, data.axis
    plot_w, row_h, top = 340.0, 30.0, 22.0
    c, left, right, bottom = _row_frame(data, plot_w, row_h, top, 11, 240)
    width = left + plot_w + right
    span = axis.hi - axis.lo

    def px(v: float) -> float:
        return left + plot_w * (v - axis.lo) / span

    for i, r in enumerate(rows):
        cy = top + i * row_h + row_h / 2
        c.text(left - 8, cy, r.name, 11, "end", limit=38)
        c.rect(left, cy - 9, plot_w, 18, TRACK)
        if r.value is not None:
            c.rect(left, cy - 6, plot_w * (r.value - axis.lo) / span, 10, r.color)
        if r.bench_lo is not None and r.bench_hi is not None:
            c.rect(px(r.bench_lo), cy + 5, plot_w * (r.bench_hi - r.bench_lo) / span, 3,
                   "#37474f")
        if r.bench is not None:
            c.diamond(px(r.bench), cy - 1, 5.5, INK)
        if data.target is not None:
            c.rect(px(data.target) - 1.25, cy - 10, 2.5, 20, INK)
        c.text(left + plot_w + 12, cy, r.label, 11, fill=INK if r.value is not None else MUTED)
    if data.amber is not None:
        amber_rule(c, px(data.amber), top, bottom, data.amber_label, MUTED)
    used = c.legend(bottom + 40, 8, width - 16, data.legend)
    return c.svg(chart.id, chart.title, chart.description, width, bottom + 40 + used)


def _svg_practices(chart: Chart, data: Bars) -> str:
    """Practice answers on the 0-4 scale; n/a and blanks are labelled, not drawn."""
    rows, axis = data.rows, data.axis
    plot_w, row_h, top = 280.0, 26.0, 8.0
    c, left, right, bottom = _row_frame(data, plot_w, row_h, top, 11, 240)
    width = left + plot_w + right
    for i, r in enumerate(rows):
        cy = top + i * row_h + row_h / 2
        c.text(left - 8, cy, r.name, 11, "end", limit=38)
        c.rect(left, cy - 8, plot_w, 16, TRACK)
        if r.value is not None:  # an answer of 0 still shows a stub in its colour
            c.rect(left, cy - 8, max(plot_w * (r.value - axis.lo) / (axis.hi - axis.lo), 3), 16,
                   r.color)
        c.text(left + plot_w + 12, cy, r.label, 11, fill=INK if r.value is not None else MUTED)
    used = c.legend(bottom + 40, 8, width - 16, data.legend)
    return c.svg(chart.id, chart.title, chart.description, width, bottom + 40 + used)


def _svg_lines(chart: Chart, data: Lines) -> str:
    """Projection lines: share still under contract (0-100%) by contract year 1-5."""
    left, top, plot_w, plot_h, right = 56.0, 12.0, 460.0, 260.0, 70.0
    width = left + plot_w + right
    bottom = top + plot_h
    x, y = data.x, data.y

    def px(year: float) -> float:
        return left + plot_w * (year - x.lo) / (x.hi - x.lo)

    def py(share: float) -> float:
        return bottom - plot_h * max(0.0, min(1.0, (share - y.lo) / (y.hi - y.lo)))

    c = Canvas()
    for t in y.ticks:
        c.line(left, py(t), left + plot_w, py(t))
        c.text(left - 6, py(t), y.tick_label(t), 10, "end", MUTED)
    for t in x.ticks:
        c.line(px(t), bottom, px(t), bottom + 4, MUTED)
        c.text(px(t), bottom + 12, x.tick_label(t), 10, "middle", MUTED)
    c.text(left + plot_w / 2, bottom + 28, x.title, 11, "middle", MUTED)
    c.text(14, top + plot_h / 2, y.title, 11, "middle", MUTED, rotate=True)
    ends = []
    for s in data.series:
        c.polyline([(px(p.year), py(p.share)) for p in s.points], s.color, 2, s.dasharray)
        for p in s.points:
            c.circle(px(p.year), py(p.share), 3, s.color)
        last = s.points[-1]
        ends.append([py(last.share), last.label, s.color, px(last.year)])
    ends.sort(key=lambda e: e[0])
    for i in range(1, len(ends)):  # keep end labels at least 12 px apart
        ends[i][0] = max(ends[i][0], ends[i - 1][0] + 12)
    for end_y, label, color, end_x in ends:
        c.text(end_x + 8, end_y, label, 10, fill=color, weight="bold")
    used = c.legend(bottom + 44, 8, width - 16,
                    [(f"line:{s.dasharray or ''}", s.color, s.name) for s in data.series])
    return c.svg(chart.id, chart.title, chart.description, width, bottom + 44 + used)


def _svg_scatter(chart: Chart, data: Scatter) -> str:
    """Importance (up) against performance (across), 1-5, quadrant lines at the threshold."""
    left, top, size, right = 56.0, 24.0, 340.0, 250.0
    width = left + size + right
    bottom = top + size
    x, y = data.x, data.y

    def px(v: float) -> float:
        return left + size * (v - x.lo) / (x.hi - x.lo)

    def py(v: float) -> float:
        return bottom - size * (v - y.lo) / (y.hi - y.lo)

    c = Canvas()
    for tx, ty in zip(x.ticks, y.ticks, strict=True):
        c.line(px(tx), top, px(tx), bottom)
        c.line(left, py(ty), left + size, py(ty))
        c.text(px(tx), bottom + 12, x.tick_label(tx), 10, "middle", MUTED)
        c.text(left - 8, py(ty), y.tick_label(ty), 10, "end", MUTED)
    c.text(left + size / 2, bottom + 30, x.title, 11, "middle", MUTED)
    c.text(16, top + size / 2, y.title, 11, "middle", MUTED, rotate=True)
    c.line(px(data.threshold), top, px(data.threshold), bottom, THRESHOLD_GREY, 1.2, "4 3")
    c.line(left, py(data.threshold), left + size, py(data.threshold), THRESHOLD_GREY, 1.2,
           "4 3")
    for corner in data.corners:
        c.text(left + size - 6 if corner.right else left + 6,
               top + 10 if corner.top else bottom - 10, corner.text, 10,
               "end" if corner.right else "start", THRESHOLD_GREY, italic=True)
    for d in data.dots:
        c.circle(px(d.performance), py(d.importance), 6, d.color,
                 ' stroke="#ffffff" stroke-width="1"')
    for lab in data.labels:
        c.text(px(lab.performance) + 8, py(lab.importance) - 9, lab.text, 11, weight="bold")
    for i, d in enumerate(sorted(data.dots, key=lambda d: d.n)):  # the key, right of the plot
        c.text(left + size + 24, top + 8 + i * 18, f"{d.n}  {d.name}", 11, limit=38)
    used = c.legend(bottom + 46, 8, width - 16, data.legend)
    return c.svg(chart.id, chart.title, chart.description, width, bottom + 46 + used)


def _svg_timeline(chart: Chart, data: Timeline) -> str:
    """The roadmap: one bar per initiative from its horizon's first month to its last."""
    rows, axis = data.rows, data.axis
    plot_w, row_h, bar_h, top = 360.0, 26.0, 16.0, 8.0
    c, left, right, bottom = _row_frame(data, plot_w, row_h, top, 11, 240, limit=44)
    width = left + plot_w + right
    span = axis.hi - axis.lo

    def px(month: float) -> float:
        return left + plot_w * (month - axis.lo) / span

    for i, r in enumerate(rows):
        cy = top + i * row_h + row_h / 2
        c.text(left - 8, cy, r.name, 11, "end", limit=44)
        c.rect(left, cy - bar_h / 2, plot_w, bar_h, TRACK)
        c.rect(px(r.start), cy - bar_h / 2, px(r.end) - px(r.start), bar_h, r.color)
        c.text(left + plot_w + 12, cy, r.label, 11)
    used = c.legend(bottom + 40, 8, width - 16, data.legend)
    return c.svg(chart.id, chart.title, chart.description, width, bottom + 40 + used)


_RENDERERS: dict[str, Callable[[Chart, Any], str]] = {
    "bars": _svg_bars, "bullets": _svg_bullets, "practices": _svg_practices,
    "lines": _svg_lines, "scatter": _svg_scatter, "timeline": _svg_timeline}


def to_svg(chart: Chart) -> str:
    """The chart as a self-contained inline SVG (fast, deterministic, every text escaped).

    The root has ``role="img"`` and is labelled by its own ``<title>`` and ``<desc>``.
    """
    if chart.data is None:
        raise ValueError(f"{chart.id} has no data to draw")
    return _RENDERERS[chart.kind](chart, chart.data)
