"""The interactive assessment form (ipywidgets): edit inputs, see the scores live.

``form = AssessmentForm(framework=None, intake=None, charts="svg")`` builds the form for a
framework (the shipped default when None), blank with the framework's targets or filled from an
intake workbook (a path), with static SVG charts or ``charts="altair"`` (see Charts);
``form.widget`` is the root to display. Methods: :meth:`data`,
:meth:`results`, :meth:`issues`, :meth:`export`, :meth:`save_intake`, :meth:`reset`,
:meth:`load`, :meth:`snapshot`, :meth:`compare`; the same actions have buttons.

Entry rules
    - Percent KPIs are shown and entered as percentages: the box shows ``85`` for 0.85, next
      to a ``%`` label; ``85`` and ``85%`` both mean 0.85. Other units are plain numbers.
    - A blank current value is missing data: under ``missing_kpi: zero`` it scores 0 in every
      aggregate, so no blank or invalid entry can raise a score. A target box shows the
      framework's target as the organization sees it (:meth:`Framework.resolved`: the chosen
      segment's, money converted at the exchange rate) and follows segment and rate changes
      until a target of the client's own is typed; a target equal to it is not an override.
      Band KPIs show their band, which is not editable.
    - The profile decides what is scored (methodology v2): the segment dropdown picks the
      targets; KPIs and questionnaires that do not apply to the support model are disabled and
      shown *Not applicable*; a currency other than the framework's shows the exchange rate
      row, and until a valid rate is given the panel shows the problem of
      :func:`~assessment.core.scoring.check_profile` instead of a score (:meth:`results`
      raises ``ValueError`` then). The panel gives both readings of missing data, the index's
      band name, derived values and the consistency checks that fail.
    - Validation uses the intake reader's parsing and its messages (number syntax, the valid
      range of ``Framework.valid_range``, a target on the wrong side of its floor, ratings
      1-5, profile fields). An invalid entry gets a red border, the CSS class ``se-invalid``
      and the message beside it; it is left out of scoring (a KPI value counts as missing, a
      target falls back to the framework's). Blank required profile fields are listed by
      :meth:`issues` (as the reader does) but not marked red.
    - A value loaded from a workbook keeps its exact float while its text is not edited, so
      saving and re-reading an intake gives identical inputs.
    - Callbacks never raise: an exception is logged in the form's error area.

Panels
    The results column opens on the executive summary (methodology §10, :attr:`executive`):
    the index in both readings with its colour and band, the elements and renewal health,
    the business-case total a year (low, base, high), the 3-5 key findings with the rule
    that produced each, the top initiatives with their money, and the data-quality caveats.
    Under it three tabs: *Scores* (the live panel :attr:`summary` and the charts), *Business
    case* (:attr:`business_view`: each driver's value low/base/high with its formula or the
    fields it needs, whether the total counts it, the sensitivity and the assumptions with
    their sources) and *Roadmap* (:attr:`roadmap_view`: the initiatives ranked by value for
    effort, with horizon, effort, owner, index points and money, and the roadmap timeline
    chart under it). Every panel is an
    ``ipywidgets.HTML`` whose value is replaced on each edit only when it changed, so an
    edit stays at a few milliseconds. A scenario comparison gives the money it is worth:
    the change of the business-case total and of each driver beside the index change.

Evidence
    The *Evidence* section under the form (:attr:`evidence_panel`, see
    :mod:`assessment.interactive.evidence`) computes figures from a ticket export or survey
    file (methodology §11) and previews them beside the form's values; only *Accept*
    (:meth:`accept_evidence`) fills the boxes, re-scores and keeps the figures as the form's
    evidence: ``data().evidence`` carries them, a value typed over one is set aside
    (``data().evidence_overridden``), :meth:`save_intake` writes the Evidence sheet, and
    :meth:`load` and :meth:`reset` replace them with the workbook's (or none).

Charts
    The charts (elements, the current tab's bullets/practices/expectations, the renewal
    projection, and the roadmap timeline in the *Roadmap* tab) are the chart data of
    :mod:`assessment.scorecard.charts`, kept up to date in
    :attr:`AssessmentForm.chart_data`, and drawn as static SVG
    (:func:`assessment.scorecard.charts.to_svg`) in ``ipywidgets.HTML``. This is offline by
    construction (no CDN, no extra JS package, works
    in Voila), takes a few milliseconds per edit and replaces the picture in place, so nothing
    flickers; a chart whose data did not change is not drawn again. It is the default
    (``charts="svg"``), used by the notebook and the Voila app.

    ``charts="altair"`` (opt-in) shows the same four panels as ``alt.JupyterChart`` widgets
    (needs ``anywidget``), interactive (tooltips, Vega's export menu). Each chart is built
    from the same chart data with :func:`assessment.scorecard.vega.to_altair` and assigned to
    the existing JupyterChart's ``.chart`` only when its data changed, so nothing is recreated and
    nothing flickers; a panel with no chart is hidden, one without data shows its note.
    The roadmap timeline's JupyterChart is updated only while the *Roadmap* tab is shown (and
    when it is opened), since most edits change its money labels.
    ``alt.JupyterChart.enable_offline()`` (once a process) serves the JavaScript as a bundle
    made by vl-convert, so nothing loads from a CDN (checked in headless Chromium with every
    outside host blocked). Measured costs: the first build in a process about 3-4 s (Altair
    import and the 1.7 s bundle), later builds about 0.25-0.4 s; specs go to Altair
    unvalidated (``to_altair(chart, validate=False)``; the tests validate every kind), so an
    edit takes a median of about 3 ms and one that redraws a chart about 120 ms (90th
    percentile), against about 3 ms in SVG mode (methodology v2 scoring included). Altair is
    only imported in this mode.
"""

from __future__ import annotations

import html
import math
import tempfile
import traceback
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import ipywidgets as w

from assessment.core.defaults import DEFAULT_PAPER, PAPERS
from assessment.core.errors import ExportError, InputError, Issue
from assessment.core.evidence import (
    EvidenceFigure,
    EvidenceReport,
    apply_evidence,
    typed_over,
    unknown_targets,
)
from assessment.core.format import (
    DASH,
    DRIVER_STATUS_LABELS,
    EFFORT_LABELS,
    HORIZON_LABELS,
    STATUS_LABELS,
    TRACKING_LABELS,
    benchmark_figure,
    benchmark_source,
    format_money,
    format_points,
    format_score,
    format_value,
    money_range,
    needs_data_text,
    rag_label,
    value_range,
    value_text,
)
from assessment.core.framework import PRACTICE_QUESTIONNAIRES, Framework, Kpi, load_framework
from assessment.core.model import NA, RATING_KEYS, SUPPORT_MODELS, IntakeData
from assessment.core.results import KpiRow as KpiResult
from assessment.core.results import ResultsView
from assessment.core.scoring import check_profile, fx_rate, score
from assessment.intake.layout import NA_LABEL, PROFILE_FIELDS, answer_labels, profile_help
from assessment.intake.reader import (
    InvalidValue,
    clean_text,
    format_number,
    kpi_number,
    parse_number,
    profile_value,
    read_intake,
    target_problem,
)
from assessment.intake.template import write_intake
from assessment.interactive.display import consistency_table
from assessment.interactive.evidence import EvidencePanel
from assessment.interactive.scenarios import Scenario, compare, render_comparison, snapshot
from assessment.scorecard.brand import Brand, as_brand
from assessment.scorecard.charts import (
    STATUS_COLORS,
    Chart,
    element_chart,
    expectations_chart,
    kpi_chart,
    practices_chart,
    projection_chart,
    timeline_chart,
    to_svg,
)
from assessment.scorecard.outputs import FORMATS, write_outputs
from assessment.scorecard.pdf import PdfError
from assessment.scorecard.summary import alignment_words, band_text, not_applicable_text
from assessment.scorecard.vega import to_altair

TABS: tuple[tuple[str, str], ...] = (
    ("Profile", "profile"), ("Profit", "profit"), ("Reputation", "reputation"),
    ("Efficiency", "efficiency"), ("Effectiveness", "effectiveness"), ("Renewal", "renewal"),
    ("Practices", "practices"), ("Expectations", "customer_expectations"),
)
#: Grey of a KPI that does not apply (or cannot be scored while the profile stops scoring).
MUTED = "#9e9e9e"
STATUS_COLOR: dict[str, str] = {s: STATUS_COLORS.get(label, MUTED)
                                for s, label in STATUS_LABELS.items()}
#: What the score cell of a KPI shows while the profile stops scoring (see check_profile).
UNSCORED = "unscored"
INVALID_BORDER = "2px solid #c62828"
INVALID_CLASS = "se-invalid"
RATING_EXPECTED = "a rating from 1 (very low) to 5 (very high); decimals allowed"
TOP_GAPS = 5
#: The form's own styles, scoped to its root (``se-assessment-form``). Tabs take the width of
#: their title instead of shrinking to a share of the bar (ipywidgets' default), which cut
#: titles such as "Effectiveness"; a bar too narrow for them wraps onto a second row.
FORM_CSS = """<style>
.se-assessment-form .jupyter-widgets.jupyter-widget-tab > .lm-TabBar .lm-TabBar-tab {
  flex: 0 0 auto;
}
.se-assessment-form .jupyter-widgets.jupyter-widget-tab > .lm-TabBar > .lm-TabBar-content {
  flex-wrap: wrap;
}
</style>"""
#: The tabs under the executive summary in the results column.
RESULT_TABS = ("Scores", "Business case", "Roadmap")
ROADMAP_TAB = RESULT_TABS.index("Roadmap")
CHART_MODES = ("svg", "altair")
#: The chart panels: the first three under *Scores*, the roadmap timeline under *Roadmap*.
CHART_KEYS = ("elements", "tab", "projection", "timeline")

Entry = tuple[Any, Issue | None]


# --------------------------------------------------------------------------- pure entry rules


def show_value(kpi: Kpi, value: float | None) -> str:
    """The text a box shows for a value (percent KPIs in %)."""
    if value is None:
        return ""
    return format_number(value * 100) if kpi.unit == "percent" else format_number(value)


def parse_kpi_entry(framework: Framework, kpi: Kpi, text: str, field: str = "current") -> Entry:
    """A typed KPI value -> (value in computation units or None, issue), reader's messages.

    The boxes of percent KPIs are in percent: 85 and 85% both mean 0.85.
    """
    text = clean_text(text or "")
    if not text:
        return None, None
    lo, hi = framework.valid_range(kpi)
    try:
        return kpi_number(kpi, text, lo, hi, typed_in_percent=True)[0], None
    except InvalidValue as bad:
        example = "85 or 85%" if kpi.unit == "percent" else "1200 or 1,200.50"
        return None, Issue(bad.message, bad.expected or f"a number such as {example}",
                           path=f"{kpi.id}.{field}")


def target_issue(kpi: Kpi, target: float) -> Issue | None:
    """The reader's check of a target override against the KPI's floor."""
    problem = target_problem(kpi, target)
    return None if problem is None else Issue(*problem, path=f"{kpi.id}.target")


def parse_rating_entry(text: str, where: str) -> Entry:
    text = clean_text(text or "")
    if not text:
        return None, None
    try:
        number, typed_percent = parse_number(text)
        if typed_percent or not 1 <= number <= 5:
            raise InvalidValue(f"{text} is not a rating from 1 to 5")
    except InvalidValue as bad:
        return None, Issue(bad.message, RATING_EXPECTED, path=where)
    return number, None


def parse_profile_entry(key: str, text: str, framework: Framework | None = None) -> Entry:
    """A typed profile value -> (value or None, issue), with the intake reader's messages."""
    try:
        value = profile_value(key, text if clean_text(text or "") else None, framework)
    except InvalidValue as bad:
        return None, Issue(bad.message, bad.expected, path=f"profile.{key}")
    return value, None  # a required field left blank is an InvalidValue of profile_value


def _profile_text(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return format_number(value) if isinstance(value, float) else str(value)


def _resolve(framework: Framework, profile: dict[str, Any],
             blocking: list[Issue]) -> tuple[Framework, bool]:
    """The framework as the organization sees it (segment values, money converted), and
    whether its money values are known: not while the exchange rate is missing or invalid."""
    paths = {issue.path for issue in blocking}
    segment = None if "profile.segment" in paths else profile.get("segment") or None
    money_known = "profile.fx_rate" not in paths and "profile.currency" not in paths
    rate = fx_rate(framework, profile) if money_known else None
    return framework.resolved(segment, rate), money_known


# --------------------------------------------------------------------------- widget helpers


class _Box:
    """A text box that remembers the exact value it was filled with."""

    def __init__(self, widget: w.Text, message: w.HTML) -> None:
        self.widget, self.message = widget, message
        self.shown: tuple[str, Any] = ("", None)

    def fill(self, text: str, value: Any) -> None:
        self.shown = (text, value)
        self.widget.value = text

    def exact(self) -> tuple[bool, Any]:
        return self.widget.value == self.shown[0], self.shown[1]

    def mark(self, issue: Issue | None, soft: bool = False) -> None:
        invalid = issue is not None and not soft
        border = INVALID_BORDER if invalid else ""
        if self.widget.layout.border != border:
            self.widget.layout.border = border
        if invalid:
            self.widget.add_class(INVALID_CLASS)
        elif INVALID_CLASS in self.widget._dom_classes:
            self.widget.remove_class(INVALID_CLASS)
        text = "" if issue is None else html.escape(str(issue.message) + (
            f" — {issue.expected}" if issue.expected else ""))
        color = "#757575" if soft else "#c62828"
        value = f"<span style='color:{color};font-size:90%'>{text}</span>" if text else ""
        if self.message.value != value:
            self.message.value = value


def _box(width: str = "110px", placeholder: str = "") -> _Box:
    return _Box(w.Text(placeholder=placeholder, layout=w.Layout(width=width)), w.HTML())


class KpiRow:
    """One KPI: current value, target (or band), live score with status colour, benchmark.

    ``kpi`` is the KPI as the organization sees it (its segment's values, money converted);
    :meth:`resolve` replaces it when the profile changes. ``default`` is its target then (None
    for a band KPI, and for a money KPI while the exchange rate is missing): a target box
    showing it is not an override.
    """

    def __init__(self, framework: Framework, kpi: Kpi) -> None:
        self.kpi = kpi
        self.default: float | None = None
        self.applicable = True
        self.unit = w.HTML(self._unit_text(None), layout=w.Layout(width="40px"))
        self.current = _box(placeholder="blank = no data")
        self.target: _Box | None = None
        self.band: w.HTML | None = None
        if kpi.direction == "band":
            self.band = w.HTML(layout=w.Layout(width="150px"))
            target_widget: w.Widget = self.band
        else:
            self.target = _box(width="90px")
            target_widget = w.HBox([w.HTML("target"), self.target.widget])
        self.score = w.HTML(layout=w.Layout(width="130px"))
        self.status = "no_data"
        self.color = STATUS_COLOR["no_data"]
        self.benchmark = w.HTML(layout=w.Layout(width="160px"))
        self._benchmark_shown: dict[str, Any] | None = None
        self.note = w.HTML()
        name = w.HTML(f"<b>{html.escape(kpi.name)}</b>", tooltip=kpi.definition,
                      layout=w.Layout(width="240px"))
        messages = [self.current.message] + ([self.target.message] if self.target else [])
        self.widget = w.VBox([
            w.HBox([name, self.current.widget, self.unit, target_widget, self.score,
                    self.benchmark]),
            w.HBox([*messages, self.note]),
        ])
        self.resolve(kpi, True, True, None)

    def _unit_text(self, currency: str | None) -> str:
        if self.kpi.unit == "currency":
            return html.escape(currency or "cur.")
        return "%" if self.kpi.unit == "percent" else {"hours": "h"}.get(self.kpi.unit, "")

    def resolve(self, kpi: Kpi, applicable: bool, money_known: bool,
                currency: str | None) -> None:
        """Show the KPI as the organization sees it: band, default target (a target box still
        showing the old default takes the new one), benchmark, unit, applicability."""
        self.kpi = kpi
        default = None if kpi.direction == "band" or (
            kpi.unit == "currency" and not money_known) else kpi.target
        if self.target is not None:
            text = show_value(kpi, default)
            if self._at_default(self.target):
                self.target.fill(text, default)
            placeholder = text or "needs the exchange rate"
            if self.target.widget.placeholder != placeholder:
                self.target.widget.placeholder = placeholder
        self.default = default
        if self.band is not None:
            band = ("band needs the exchange rate" if kpi.unit == "currency" and not money_known
                    else f"band {value_range(*kpi.band, kpi.unit, currency)}" if kpi.band
                    else "")
            _set(self.band, html.escape(band))
        _set(self.unit, self._unit_text(currency))
        bench = kpi.benchmark
        if bench is not None:
            facts = {"value": bench.value, "range": bench.range, "source": bench.source,
                     "year": bench.year, "currency": bench.currency}
            self.show_benchmark(facts)
        else:
            self._benchmark_shown = None
            _set(self.benchmark, "")
        self.applicable = applicable
        for box in (self.current, self.target):
            if box is not None and box.widget.disabled == applicable:
                box.widget.disabled = not applicable

    def _at_default(self, box: _Box) -> bool:
        """Whether a target box shows the default target (no client target typed or loaded)."""
        if box.widget.value != show_value(self.kpi, self.default):
            return False
        same, exact = box.exact()
        return not same or exact is None or self.default is None or math.isclose(
            exact, self.default, rel_tol=1e-9, abs_tol=1e-12)

    def show_benchmark(self, facts: dict[str, Any]) -> None:
        """The benchmark in its own currency, the converted figure beside it; source as tip."""
        if facts == self._benchmark_shown:
            return
        self._benchmark_shown = facts
        figure = benchmark_figure(facts, self.kpi.unit)
        text = html.escape(f"bench. {figure}") if figure else ""
        tip = benchmark_source(facts) + (f" — {facts['note']}" if facts.get("note") else "")
        _set(self.benchmark, text)
        if self.benchmark.tooltip != tip:
            self.benchmark.tooltip = tip

    def _badge(self, status: str, text: str) -> None:
        self.status = status
        self.color = STATUS_COLOR.get(status, MUTED)
        _set(self.score, f"<span class='se-status-{status}' style='background:{self.color};"
                         f"color:white;padding:1px 6px;border-radius:3px'>"
                         f"{html.escape(text)}</span>")

    def show_score(self, row: KpiResult, derived_by: str | None = None) -> None:
        """The KPI's live score and status; "Not applicable" (no score) when it does not
        apply; a value a consistency relation derived is shown beside it."""
        label = STATUS_LABELS.get(row.status, row.status)
        self._badge(row.status, label if row.status == "not_applicable"
                    else f"{format_score(row.score)} {label}")
        if row.benchmark is not None:
            self.show_benchmark(row.benchmark.as_dict())
        note = ""
        if row.derived:
            note = (f"{value_text(row.current, row.unit, row.currency, derived=True)}"
                    f" from {derived_by or row.derived_from or 'a consistency relation'}")
        _set(self.note, f"<span class='se-derived' style='color:#1565c0;font-size:90%'>"
                        f"{html.escape(note)}</span>" if note else "")

    def show_unscored(self) -> None:
        """No score while the profile stops scoring (its problem is shown in the panel)."""
        if not self.applicable:
            self._badge("not_applicable", STATUS_LABELS["not_applicable"])
        else:
            self._badge(UNSCORED, f"{DASH} not scored")
        _set(self.note, "")


def _set(widget: w.HTML, value: str) -> None:
    """Assign an HTML widget's value only when it changes (no redraw otherwise)."""
    if widget.value != value:
        widget.value = value


# --------------------------------------------------------------------------- the form


class AssessmentForm:
    """The interactive assessment; see the module docstring."""

    def __init__(self, framework: Framework | None = None,
                 intake: str | Path | None = None, charts: str = "svg") -> None:
        if charts not in CHART_MODES:
            raise ValueError(f"charts must be one of {', '.join(CHART_MODES)}, not {charts!r}")
        self.framework = framework or load_framework()
        self.charts = charts
        self.scenarios: dict[str, Scenario] = {}
        self.chart_data: dict[str, Chart | None] = {}
        self._drawn: dict[str, Chart | None] = {}  # the chart each SVG panel shows
        self._loading = False
        self._extra_profile: dict[str, Any] = {}
        self._notes: dict[str, str] = {}
        self._source = ""
        self._cells: dict[str, str] = {}  # where a loaded workbook held each value
        self._evidence: list[EvidenceFigure] = []  # figures from raw exports (Evidence)
        self._results: dict[str, Any] = {}
        self._view: ResultsView | None = None  # the typed view of _results, built once a score
        self._issues: list[Issue] = []
        self._blocking: list[Issue] = []  # check_profile's problems: no score until fixed
        self._followed: tuple[Any, ...] | None = None  # the profile the KPI rows show
        self._build()
        if intake is None:
            self.reset()
        else:
            self.load(intake)

    # ------------------------------------------------------------------ building

    def _build(self) -> None:
        fw = self.framework
        self.errors = w.HTML()
        self.status_line = w.HTML()
        self.profile: dict[str, _Box] = {}
        self.support_model = w.Dropdown(options=["", *SUPPORT_MODELS], value="",
                                        layout=w.Layout(width="200px"))
        segments = fw.settings.segments
        self.segment = w.Dropdown(
            options=[("(none: the general targets)", ""),
                     *((s.name, s.id) for s in segments.values())],
            value="", disabled=not segments, layout=w.Layout(width="260px"))
        self.fx_row = w.HBox()
        profile_rows = []
        for spec in PROFILE_FIELDS:
            tip = profile_help(spec, fw)
            required = spec.required or spec.key == "fx_rate"  # shown only when it is needed
            label = w.HTML(html.escape(spec.label + (" *" if required else "")),
                           tooltip=tip, layout=w.Layout(width="160px"))
            if spec.key == "support_model":
                profile_rows.append(w.HBox([label, self.support_model]))
                continue
            if spec.key == "segment":
                profile_rows.append(w.HBox([label, self.segment]))
                continue
            box = _box(width="260px", placeholder=tip)
            self.profile[spec.key] = box
            row = w.HBox([label, box.widget, box.message])
            if spec.key == "fx_rate":
                self.fx_row = row
                row.layout.display = "none"
            profile_rows.append(row)
        self.kpi_rows = {k.id: KpiRow(fw, k) for k in fw.kpis}
        labels = answer_labels(fw)
        choices = [("(blank)", ""), *((lab, str(i)) for i, lab in enumerate(labels)),
                   (NA_LABEL, NA)]
        self.answers: dict[str, dict[str, w.Dropdown]] = {}
        self.practice_notes: dict[str, w.HTML] = {}
        practice_boxes = []
        for qid in PRACTICE_QUESTIONNAIRES:
            q = fw.questionnaires[qid]
            self.answers[qid] = {}
            self.practice_notes[qid] = w.HTML()
            practice_boxes += [w.HTML(f"<h4>{html.escape(q.name)}</h4>"),
                               self.practice_notes[qid]]
            for item in q.items:
                dd = w.Dropdown(options=choices, value="", layout=w.Layout(width="280px"))
                self.answers[qid][item.id] = dd
                practice_boxes.append(w.HBox([
                    w.HTML(html.escape(item.name), tooltip=item.text,
                           layout=w.Layout(width="300px")), dd]))
        self.ratings: dict[str, dict[str, _Box]] = {}
        rating_rows = [w.HTML("<i>Ratings 1 (very low) to 5 (very high); blank allowed.</i>"),
                       w.HBox([w.HTML("", layout=w.Layout(width="240px")),
                               *(w.HTML(f"<b>{k}</b>", layout=w.Layout(width="90px"))
                                 for k in RATING_KEYS)])]
        for item in fw.questionnaires["customer_expectations"].items:
            self.ratings[item.id] = {k: _box(width="80px") for k in RATING_KEYS}
            boxes = self.ratings[item.id]
            rating_rows.append(w.HBox([
                w.HTML(html.escape(item.name), tooltip=item.text, layout=w.Layout(width="240px")),
                *(boxes[k].widget for k in RATING_KEYS), *(boxes[k].message for k in RATING_KEYS)]))
        pages = []
        for _title, area in TABS:
            if area == "profile":
                pages.append(w.VBox(profile_rows))
            elif area == "practices":
                pages.append(w.VBox(practice_boxes))
            elif area == "customer_expectations":
                pages.append(w.VBox(rating_rows))
            else:
                pages.append(w.VBox([r.widget for r in self.kpi_rows.values()
                                     if r.kpi.element == area]))
        # eight tabs, each as wide as its title (FORM_CSS), fit in 780 px
        self.tabs = w.Tab(children=pages, titles=[t for t, _ in TABS],
                          layout=w.Layout(min_width="780px"))
        self.tabs.observe(self._guarded(self._refresh_charts), names="selected_index")
        self.summary = w.HTML()
        if self.charts == "altair":
            self.chart_views = {key: _AltairView() for key in CHART_KEYS}
            chart_boxes = [view.widget for view in self.chart_views.values()]
            timeline_box = chart_boxes.pop()
        else:
            self.chart_views = {key: w.HTML() for key in CHART_KEYS}
            chart_boxes = list(self.chart_views.values())
            timeline_box = chart_boxes.pop()
        self.scenario_view = w.HTML()
        self.executive = w.HTML()
        self.business_view = w.HTML()
        self.roadmap_view = w.HTML()
        self._build_buttons()
        for box in self._boxes():
            box.widget.observe(self._guarded(self._changed), names="value")
        for dd in self._dropdowns():
            dd.observe(self._guarded(self._changed), names="value")
        self.result_tabs = w.Tab(
            children=[w.VBox([self.summary, *chart_boxes]), self.business_view,
                      w.VBox([self.roadmap_view, timeline_box])], titles=RESULT_TABS)
        self.result_tabs.observe(self._guarded(self._refresh_charts), names="selected_index")
        results = w.VBox([self.executive, self.result_tabs],
                         layout=w.Layout(flex="1 1 0", min_width="360px"))
        self.style = w.HTML(FORM_CSS, layout=w.Layout(display="none"))
        self.evidence_panel = EvidencePanel(self)
        self.evidence_section = w.Accordion(children=[self.evidence_panel.widget],
                                            titles=("Evidence",), selected_index=None)
        self.widget = w.VBox([self.controls, self.status_line, self.errors,
                              w.HBox([self.tabs, results]), self.evidence_section,
                              self.scenario_box, self.style],
                             layout=w.Layout(width="100%"))
        self.widget.add_class("se-assessment-form")

    def _build_buttons(self) -> None:
        def button(text: str, action: Callable[[], Any]) -> w.Button:
            b = w.Button(description=text)
            b.on_click(self._guarded(lambda _b: action()))
            return b

        self.upload = w.FileUpload(accept=".xlsx", multiple=False, description="Load intake")
        self.upload.observe(self._guarded(self._uploaded), names="value")
        labels = {"description_width": "90px"}  # "Output folder" in full
        self.out_dir = w.Text(value="output", description="Output folder", style=labels)
        self.intake_path = w.Text(value="intake-filled.xlsx", description="Intake file",
                                  style=labels)
        self.pdf = w.Checkbox(value=False, description="PDF too", indent=False,
                              tooltip="also print the HTML scorecard to PDF (needs Chromium)",
                              layout=w.Layout(width="80px"))
        self.paper = w.Dropdown(options=PAPERS, value=DEFAULT_PAPER, tooltip="PDF page size",
                                layout=w.Layout(width="80px"))
        self.deck = w.Checkbox(value=False, description="Deck too", indent=False,
                               tooltip="also write an editable PowerPoint deck",
                               layout=w.Layout(width="90px"))
        self.brand_path = w.Text(value="", description="Brand file", style=labels,
                                 placeholder="optional: your firm's brand.yaml")
        self.scenario_name = w.Text(value="today", description="Scenario")
        self.scenario_a = w.Dropdown(options=[], description="A")
        self.scenario_b = w.Dropdown(options=[], description="B")
        self.controls = w.VBox([
            w.HBox([self.upload, button("Reset", self.reset)]),
            w.HBox([self.out_dir, button("Export scorecards", self._export_clicked),
                    self.pdf, self.paper, self.deck]),
            w.HBox([self.brand_path]),
            w.HBox([self.intake_path, button("Save intake", self._save_clicked)]),
        ])
        self.scenario_box = w.VBox([
            w.HBox([self.scenario_name,
                    button("Snapshot", self._snapshot_clicked)]),
            w.HBox([self.scenario_a, self.scenario_b, button("Compare", self._compare_clicked)]),
            self.scenario_view,
        ])

    def _boxes(self) -> Iterable[_Box]:
        yield from self.profile.values()
        for row in self.kpi_rows.values():
            yield row.current
            if row.target is not None:
                yield row.target
        for boxes in self.ratings.values():
            yield from boxes.values()

    def _dropdowns(self) -> Iterable[w.Dropdown]:
        yield self.support_model
        yield self.segment
        for items in self.answers.values():
            yield from items.values()

    # ------------------------------------------------------------------ callbacks

    def _guarded(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any) -> Any:
            try:
                return fn(*args)
            except Exception as exc:  # a callback must never raise into the front end
                # what went wrong in a sentence; the traceback only for whoever opens it
                self.errors.value = (
                    "<details style='color:#c62828'><summary>This change could not be "
                    f"applied: {html.escape(f'{type(exc).__name__}: {exc}')}</summary><pre>"
                    + html.escape(traceback.format_exc(limit=5)) + "</pre></details>")
                return None
        return run

    def _changed(self, _change: Any = None) -> None:
        if not self._loading:
            self.refresh()

    def _uploaded(self, change: dict[str, Any]) -> None:
        files = change["new"]
        if not files:
            return
        upload = files[-1]
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / Path(str(upload["name"])).name
            path.write_bytes(bytes(upload["content"]))
            self.load(path)

    def _export_clicked(self) -> None:
        formats = (*FORMATS, *(["pdf"] if self.pdf.value else []),
                   *(["pptx"] if self.deck.value else []))
        try:
            written = self.export(self.out_dir.value, formats, paper=self.paper.value,
                                  brand=self.brand_path.value)
        except InputError as error:  # a brand file refused: its problems, nothing written
            self.status_line.value = ("<span style='color:#c62828'>Nothing was exported: "
                                      + "; ".join(html.escape(str(i)) for i in error.issues)
                                      + "</span>")
            return
        except (PdfError, OSError, ValueError) as exc:
            # no Chromium, an unwritable folder, or a profile that stops scoring: say so
            self.status_line.value = ("<span style='color:#c62828'>Nothing was exported: "
                                      f"{html.escape(str(exc))}</span>")
            return
        self.status_line.value = "Exported: " + ", ".join(
            html.escape(str(p)) for p in written.values()) + self._left_out()

    def _save_clicked(self) -> None:
        path = self.save_intake(self.intake_path.value)
        self.status_line.value = f"Intake saved: {html.escape(str(path))}" + self._left_out()

    def _left_out(self) -> str:
        n = len(self.issues())
        return (f" <span style='color:#c62828'>({n} invalid or missing entr"
                f"{'y' if n == 1 else 'ies'} not included)</span>") if n else ""

    def _snapshot_clicked(self) -> None:
        try:
            self.snapshot(self.scenario_name.value)
        except ValueError as exc:  # the profile stops scoring: say why, no traceback
            self.status_line.value = ("<span style='color:#c62828'>No snapshot taken: "
                                      f"{html.escape(str(exc))}</span>")

    def _compare_clicked(self) -> None:
        if self.scenario_a.value and self.scenario_b.value:
            self.compare(self.scenario_a.value, self.scenario_b.value)

    # ------------------------------------------------------------------ collecting

    def _collect(self, mark: bool) -> tuple[IntakeData, list[Issue]]:
        """The valid inputs and every problem; with ``mark``, boxes are marked and the KPI
        rows follow the profile (segment targets, converted money, applicability)."""
        fw, issues = self.framework, []

        def take(box: _Box, entry: Entry, soft: bool = False) -> Any:
            same, exact = box.exact()
            value, issue = (exact, None) if same and exact is not None else entry
            if issue is not None:
                issues.append(issue)
            if mark:
                box.mark(issue, soft)
            return value

        profile = dict(self._extra_profile)
        fx_needed = self._fx_needed()
        for key, box in self.profile.items():
            if key == "fx_rate" and not fx_needed:  # hidden: the currency is the framework's
                if mark:
                    box.mark(None)
                continue
            value, issue = parse_profile_entry(key, box.widget.value, fw)
            soft = issue is not None and not clean_text(box.widget.value or "")
            value = take(box, (value, issue), soft)
            if value is not None:
                profile[key] = value
        model, issue = parse_profile_entry("support_model", self.support_model.value, fw)
        if issue is not None:
            issues.append(issue)
        if model is not None:
            profile["support_model"] = model
        if self.segment.value:
            profile["segment"] = self.segment.value
        refused = {i.path for i in issues}
        blocking = [Issue(p.message, p.expected, path=f"profile.{p.path}")
                    for p in check_profile(fw, profile) if f"profile.{p.path}" not in refused]
        issues += blocking
        for problem in blocking:
            box = self.profile.get((problem.path or "").removeprefix("profile."))
            if mark and box is not None:
                box.mark(problem)
        self._blocking = blocking
        resolved, money_known = _resolve(fw, profile, blocking)
        followed = (model, profile.get("segment"), profile.get("currency"),
                    profile.get("fx_rate"), money_known, fx_needed)
        if mark and followed != self._followed:  # the rows follow only a change of these
            self._follow_profile(resolved, model, money_known, fx_needed,
                                 profile.get("currency"))
            self._followed = followed
        data = IntakeData(profile=profile, notes=dict(self._notes), source=self._source,
                          cells=dict(self._cells))
        for kpi in resolved.kpis:
            row = self.kpi_rows[kpi.id]
            data.current[kpi.id] = take(row.current,
                                        parse_kpi_entry(resolved, kpi, row.current.widget.value))
            if row.target is None:
                continue
            target, problem = parse_kpi_entry(resolved, kpi, row.target.widget.value, "target")
            if target is not None and problem is None and (kpi.unit != "currency"
                                                           or money_known):
                problem = target_issue(kpi, target)
                target = None if problem else target
            target = take(row.target, (target, problem))
            if target is not None and (row.default is None or not math.isclose(
                    target, row.default, rel_tol=1e-9, abs_tol=1e-12)):
                data.targets[kpi.id] = target
        for qid, items in self.answers.items():
            data.answers[qid] = {
                item: (None if dd.value == "" else NA if dd.value == NA else int(dd.value))
                for item, dd in items.items()}
        for dim, boxes in self.ratings.items():
            data.ratings[dim] = {
                k: take(box, parse_rating_entry(box.widget.value, f"{dim}.{k}"))
                for k, box in boxes.items()}
        data.evidence = list(self._evidence)
        data.evidence_overridden = typed_over(data)
        return data, issues

    def _fx_needed(self) -> bool:
        """Whether the currency typed differs from the framework's (the rate is then asked)."""
        currency = parse_profile_entry("currency", self.profile["currency"].widget.value)[0]
        return currency is not None and currency != self.framework.settings.currency

    def _follow_profile(self, resolved: Framework, model: str | None, money_known: bool,
                        fx_needed: bool, currency: str | None) -> None:
        """Show the exchange rate row when needed, each KPI as the organization sees it, and
        what does not apply to its support model as not applicable (disabled)."""
        loading, self._loading = self._loading, True  # refilled targets must not re-enter
        try:
            display = "" if fx_needed else "none"
            if self.fx_row.layout.display != display:
                self.fx_row.layout.display = display
            for kpi in resolved.kpis:
                self.kpi_rows[kpi.id].resolve(kpi, kpi.applies(model), money_known, currency)
            for qid, items in self.answers.items():
                q = self.framework.questionnaires[qid]
                applies = q.applies(model)
                for dd in items.values():
                    if dd.disabled == applies:
                        dd.disabled = not applies
                _set(self.practice_notes[qid], "" if applies else (
                    f"<i>Not applicable to {'an' if str(model)[:1] in 'aeiou' else 'a'} "
                    f"{html.escape(str(model))} support model: not scored.</i>"))
        finally:
            self._loading = loading

    # ------------------------------------------------------------------ public API

    def data(self) -> IntakeData:
        """The valid inputs as :class:`IntakeData` (invalid entries left out)."""
        return self._collect(mark=False)[0]

    def issues(self) -> list[Issue]:
        """Every problem of the current entries, with the intake reader's messages."""
        return list(self._collect(mark=False)[1])

    def results(self) -> dict[str, Any]:
        """``score(framework, form.data())``; raises ValueError (the problems of
        :func:`~assessment.core.scoring.check_profile`) while the profile stops scoring."""
        return score(self.framework, self.data())

    def refresh(self) -> dict[str, Any]:
        """Validate, mark, re-score and redraw; returns the results (``{}`` while the profile
        stops scoring: the panel then shows why instead of a score)."""
        data, self._issues = self._collect(mark=True)
        if self._blocking:
            self._results, self._view = {}, None
            for row in self.kpi_rows.values():
                row.show_unscored()
            blocked = _blocked_html(self._blocking)
            for panel in (self.executive, self.summary):
                _set(panel, blocked)
            for panel in (self.business_view, self.roadmap_view):
                _set(panel, NOT_SCORED_PANEL)
            self._refresh_charts()
            return self._results
        self._results = score(self.framework, data)
        self._view = view = ResultsView.from_dict(self._results)
        relations = {c.relation: c.name for c in view.consistency}
        for row in view.kpis:
            self.kpi_rows[row.id].show_score(row, relations.get(row.derived_from or ""))
        _set(self.summary, _summary_html(view, len(self._issues)))
        _set(self.executive, executive_html(view))
        _set(self.business_view, business_case_html(view))
        _set(self.roadmap_view, roadmap_html(view))
        self._refresh_charts()
        return self._results

    def _refresh_charts(self, _change: Any = None) -> None:
        view = self._view
        area = TABS[self.tabs.selected_index or 0][1]
        charts: dict[str, Chart | None] = dict.fromkeys(CHART_KEYS) if view is None else {
            "elements": element_chart(view), "tab": _tab_chart(view, area),
            "projection": projection_chart(view), "timeline": timeline_chart(view)}
        for key, chart in charts.items():
            self.chart_data[key] = chart
            if self.charts == "altair":
                if key != "timeline" or self.result_tabs.selected_index == ROADMAP_TAB:
                    self.chart_views[key].show(chart)  # the timeline: when it can be seen
                continue
            if key in self._drawn and self._drawn[key] == chart:
                continue  # the same chart: no SVG to draw again
            self._drawn[key] = chart
            drawn = _chart_html(chart)
            if self.chart_views[key].value != drawn:
                self.chart_views[key].value = drawn

    def export(self, out_dir: str | Path, formats: Iterable[str] = FORMATS, *,
               paper: str = DEFAULT_PAPER, brand: str | Path | Brand | None = None,
               ) -> dict[str, Path]:
        """Write the scorecards via :func:`assessment.scorecard.outputs.write_outputs` (as the CLI).

        ``formats`` may include ``pdf`` (headless Chromium, on ``paper`` A4 or Letter) and
        ``pptx`` (the deck); ``brand`` is a brand file or a loaded Brand (default: the
        project's own). A brand file with problems raises its BrandError, nothing written.
        """
        look = as_brand(brand)
        return write_outputs(self.results(), out_dir, tuple(formats), paper=paper, brand=look)

    def save_intake(self, path: str | Path) -> Path:
        """Save the inputs as a filled intake workbook (read back to identical inputs)."""
        return write_intake(self.framework, self.data(), path)

    def reset(self) -> None:
        """Back to a blank form with the framework's default targets."""
        self._fill(IntakeData(profile={}))

    def load(self, path: str | Path) -> list[Issue]:
        """Fill the form from an intake workbook; returns (and shows) the reader's issues."""
        try:
            data = read_intake(path, self.framework)
        except InputError as error:
            self._show_issues(error.issues)
            return list(error.issues)
        self._fill(data)
        if data.warnings:
            self.status_line.value = "<br>".join(html.escape(x) for x in data.warnings)
        return []

    def accept_evidence(self, reports: Iterable[EvidenceReport]) -> IntakeData:
        """Put the reports' figures into the form and re-score: KPI current values, profile
        volumes (whole counts) and expectation ratings fill their boxes, and the form keeps the
        figures as its evidence (``data().evidence``; a saved intake gets the Evidence sheet).
        Only the boxes the figures fill change. Raises :class:`ExportError` (nothing changed)
        for a figure this framework has no place for. Returns the form's data."""
        reports = list(reports)
        fw = self.framework
        unknown = unknown_targets([f for r in reports for f in r.figures], fw)
        unknown += [f for r in reports for f in r.figures
                    if f.target == "profile" and f.id not in self.profile]
        if unknown:
            raise ExportError([Issue(f"{f.target} {f.id} is not in the framework "
                                     f"{fw.name} {fw.version}",
                                     "use the framework the figures were computed for")
                               for f in unknown])
        filled = apply_evidence(self.data(), reports)
        new = {(f.target, f.id) for r in reports for f in r.figures if f.value is not None}
        self._loading = True
        try:
            for fig in filled.evidence:
                if (fig.target, fig.id) not in new:
                    continue  # an earlier figure keeps whatever its box holds now
                if fig.target == "kpi":
                    row = self.kpi_rows[fig.id]
                    value = filled.current[fig.id]
                    row.current.fill(show_value(row.kpi, value), value)
                elif fig.target == "profile":
                    value = filled.profile[fig.id]
                    self.profile[fig.id].fill(_profile_text(value), value)
                else:
                    dim, _, rating = fig.id.rpartition(".")
                    value = filled.ratings[dim][rating]
                    self.ratings[dim][rating].fill(format_number(value), value)
        finally:
            self._loading = False
        self._evidence = list(filled.evidence)
        self.refresh()
        return self.data()

    def snapshot(self, name: str) -> Scenario:
        """Keep the current inputs and results as the named scenario."""
        name = clean_text(name or "") or f"scenario {len(self.scenarios) + 1}"
        data = self.data()
        self.scenarios[name] = snapshot(name, data, score(self.framework, data))
        names = list(self.scenarios)
        a, b = self.scenario_a.value, self.scenario_b.value
        self.scenario_a.options = self.scenario_b.options = names
        self.scenario_a.value = a if a in names else names[0]
        self.scenario_b.value = b if b in names and b != self.scenario_a.value else names[-1]
        return self.scenarios[name]

    def compare(self, a: str, b: str) -> dict[str, Any]:
        """Scenario ``b`` against ``a`` as plain data; the HTML goes to the scenarios view."""
        comparison = compare(self.scenarios[a], self.scenarios[b])
        self.scenario_view.value = render_comparison(comparison)
        return comparison

    # ------------------------------------------------------------------ filling

    def _fill(self, data: IntakeData) -> None:
        known = {spec.key for spec in PROFILE_FIELDS}
        self._loading = True
        try:
            self._extra_profile = {k: v for k, v in data.profile.items() if k not in known}
            self._notes = dict(data.notes)
            self._source = data.source
            self._cells = dict(data.cells)  # consistency checks name the workbook's cells
            self._evidence = list(data.evidence)
            for key, box in self.profile.items():
                value = data.profile.get(key)
                box.fill(_profile_text(value), value)
            model = data.profile.get("support_model")
            self.support_model.value = str(model or "")
            segment = data.profile.get("segment")
            self.segment.value = segment if segment in self.framework.settings.segments else ""
            # the KPI rows as this profile sees them: a target box left at its default shows it
            blocking = [Issue(p.message, p.expected, path=f"profile.{p.path}")
                        for p in check_profile(self.framework, data.profile)]
            resolved, money_known = _resolve(self.framework, data.profile, blocking)
            self._follow_profile(resolved, model, money_known, self._fx_needed(),
                                 data.profile.get("currency"))
            self._followed = None  # the next refresh checks the rows against the profile
            for kpi_id, row in self.kpi_rows.items():
                current = data.current.get(kpi_id)
                row.current.fill(show_value(row.kpi, current), current)
                if row.target is not None:
                    target = data.targets.get(kpi_id, row.default)
                    row.target.fill(show_value(row.kpi, target), target)
            for qid, items in self.answers.items():
                answers = data.answers.get(qid, {})
                for item, dd in items.items():
                    answer = answers.get(item)
                    dd.value = "" if answer is None else str(answer)
            for dim, boxes in self.ratings.items():
                ratings = data.ratings.get(dim, {})
                for key, box in boxes.items():
                    value = ratings.get(key)
                    box.fill("" if value is None else format_number(value), value)
        finally:
            self._loading = False
        self.errors.value = ""
        self.refresh()

    def _show_issues(self, issues: list[Issue]) -> None:
        items = "".join(f"<li>{html.escape(str(i))}</li>" for i in issues)
        self.errors.value = (f"<div style='color:#c62828'><b>The intake could not be loaded "
                             f"({len(issues)} problem(s)):</b><ul>{items}</ul></div>")


# --------------------------------------------------------------------------- rendering


def _tab_chart(view: ResultsView, area: str) -> Chart | None:
    if view.element(area) is not None or area == "renewal":
        return kpi_chart(view, area)
    if area == "practices":
        return practices_chart(view, "excellence_practices")
    if area == "customer_expectations":
        return expectations_chart(view)
    return None


class _AltairView:
    """One chart panel as an ``alt.JupyterChart`` (offline JS bundle), updated in place.

    The JupyterChart is created once; a new Altair chart is assigned to its ``.chart`` only
    when the chart's data changed. A missing chart hides it; a chart without data shows its
    note.
    """

    def __init__(self) -> None:
        import altair as alt

        _enable_offline(alt)
        self.shown: Chart | None = None
        self.chart = alt.JupyterChart(alt.Chart().mark_point(), layout=w.Layout(display="none"))
        self.note = w.HTML()
        self.widget = w.VBox([self.chart, self.note])

    def show(self, chart: Chart | None) -> None:
        drawn = chart if chart is not None and chart.data is not None else None
        if drawn is not None and drawn != self.shown:
            self.chart.chart = to_altair(drawn, validate=False)
        self.shown = drawn
        display = "" if drawn is not None else "none"
        if self.chart.layout.display != display:
            self.chart.layout.display = display
        note = _chart_html(chart) if chart is not None and drawn is None else ""
        if self.note.value != note:
            self.note.value = note


def _enable_offline(alt: Any) -> None:
    """Serve JupyterChart's JavaScript from the vl-convert bundle (no CDN), once a process."""
    if not getattr(alt.JupyterChart, "_is_offline", False):
        alt.JupyterChart.enable_offline()


def _chart_html(chart: Chart | None) -> str:
    if chart is None:
        return ""
    if chart.data is None:
        return f"<p><i>{html.escape(chart.note or chart.title)}</i></p>"
    # the SVG scales down to the panel's width (it has a viewBox), never overflows it
    svg = to_svg(chart).replace("<svg ", "<svg style='max-width:100%;height:auto' ", 1)
    return f"<div class='se-chart' id='{chart.id}'>{svg}</div>"


def _summary_html(view: ResultsView, n_issues: int) -> str:
    """The live panel: the index with its colour and band name and both readings of missing
    data, each element, renewal, alignment, top gaps, derived values and failing checks."""
    idx = view.index
    status = " · ".join(x for x in (rag_label(idx.rag) if idx.score is not None else None,
                                    band_text(view)) if x)
    rows = "".join(
        f"<tr><td>{html.escape(e.name)}</td><td>"
        + (html.escape(view.readings(e.key)) if e.applicable else "not applicable")
        + f"</td><td>{rag_label(e.rag) if e.applicable else ''}</td></tr>"
        for e in view.elements)
    renewal = view.renewal
    not_applicable = not_applicable_text(view)
    renewal_text = html.escape(
        f"Renewal health: {format_score(renewal.health)} ({rag_label(renewal.rag)})"
        if renewal.applicable else f"Renewal: {not_applicable[:1].lower()}{not_applicable[1:]}")
    gaps = "".join(f"<li>{html.escape(g.name)}: {format_points(g.points_at_stake)} points"
                   + (" (not measured: measure it)" if g.kind == "measure" else "") + "</li>"
                   for g in view.gaps[:TOP_GAPS]) or "<li>none</li>"
    problems = (f"<p style='color:#c62828'>{n_issues} entr{'y' if n_issues == 1 else 'ies'} "
                "left out (see the messages)</p>") if n_issues else ""
    return (f"<div class='se-summary'><h3>Support Excellence Index: "
            f"<span class='se-index'>{format_score(idx.score)}</span>"
            + (f" — {html.escape(status)}" if status else "") + "</h3>"
            f"<p class='se-readings'>{html.escape(view.readings('index'))}</p>"
            f"<table>{rows}</table><p>{renewal_text}</p>{_alignment_html(view)}"
            f"<p>Top gaps by points at stake:</p><ol>{gaps}</ol>"
            f"{_derived_html(view)}{_checks_html(view)}{problems}</div>")


def _alignment_html(view: ResultsView) -> str:
    """The computed alignment as this toolkit's own measure, and the self-rated one against
    the survey average it is comparable with (with the survey's source and year)."""
    computed, rated = alignment_words(view)
    return (f"<p>Alignment computed from the ratings: {html.escape(computed)}<br>"
            f"Self-rated alignment: {html.escape(rated)}</p>")


def _derived_html(view: ResultsView) -> str:
    derived = [k for k in view.kpis if k.derived]
    if not derived:
        return ""
    names = {c.relation: c.name for c in view.consistency}
    items = "".join(
        f"<li>{html.escape(k.name)}: {html.escape(value_text(k.current, k.unit, k.currency, True))}"
        f" from {html.escape(names.get(k.derived_from or '', k.derived_from or ''))}</li>"
        for k in derived)
    return f"<p>Derived values:</p><ul class='se-derived'>{items}</ul>"


def _checks_html(view: ResultsView) -> str:
    failing = [c for c in view.consistency if c.ok is False]
    if not failing:
        return ""
    table = consistency_table(view, failing_only=True)
    return f"<div class='se-consistency'>{table._repr_html_()}</div>"


NOT_SCORED_PANEL = ("<p class='se-blocked'><i>Not scored: the profile stops scoring "
                    "(see the summary above).</i></p>")


def _money_words(value: Mapping[str, float] | None, currency: str | None) -> str:
    """A yearly sum in the base case with its low-to-high range, in words."""
    if not value:
        return DASH
    text = f"{format_money(value['base'], currency)} a year"
    if abs(value["high"] - value["low"]) < 0.5:
        return text
    return (f"{text} (low {format_money(value['low'], currency)}, "
            f"high {format_money(value['high'], currency)})")


def _initiative_money(view: ResultsView, drivers: Iterable[str],
                      money: Mapping[str, float] | None) -> str:
    """An initiative's money a year, or what its drivers need, or a dash (no driver)."""
    if money:
        return _money_words(money, view.currency)
    own = [d for d in view.business_case.drivers if d.id in set(drivers)]
    needs = [n for d in own if d.status == "needs_data" for n in d.needs]
    if needs:
        return needs_data_text(list(dict.fromkeys(needs)))
    return "no gap in money" if own else DASH


def executive_html(view: ResultsView) -> str:
    """The executive summary panel (the first the form shows): the index in both readings
    with colour and band, elements and renewal health, the business-case total, the key
    findings with their rules, the top initiatives with their money, and the caveats."""
    idx, es = view.index, view.executive_summary
    status = " · ".join(x for x in (rag_label(idx.rag) if idx.score is not None else None,
                                    band_text(view)) if x)
    parts = ["<div class='se-executive'><h3>Executive summary</h3>",
             f"<p><b>Support Excellence Index: <span class='se-exec-index'>"
             f"{format_score(idx.score)}</span></b>"
             + (f" — {html.escape(status)}" if status else "")
             + f"<br><small>{html.escape(view.readings('index'))}</small></p>"]
    areas = [f"{html.escape(e.name)} {format_score(e.score)} ({rag_label(e.rag)})"
             if e.applicable else f"{html.escape(e.name)} not applicable"
             for e in view.elements]
    renewal = view.renewal
    areas.append(f"Renewal health {format_score(renewal.health)} ({rag_label(renewal.rag)})"
                 if renewal.applicable else "Renewal not applicable")
    parts.append(f"<p class='se-exec-areas'>{' · '.join(areas)}</p>")
    case = view.business_case
    if case.total:
        low, high = (format_money(case.total[c], view.currency) for c in ("low", "high"))
        cases = ("the same in the low and high cases" if low == high
                 else f"base case; low {low}, high {high}")
        total = (f"<b>Business case: <span class='se-exec-money'>"
                 f"{html.escape(format_money(case.total['base'], view.currency))}</span> a "
                 f"year</b> ({html.escape(cases)})")
    else:
        total = "<b>Business case: no total yet</b>"
    needs = [d for d in case.drivers if d.status == "needs_data"]
    incomplete = "".join(f"<br><small class='se-needs-data'>{html.escape(d.name)}: "
                         f"{html.escape(needs_data_text(d.needs))}</small>" for d in needs)
    parts.append(f"<p class='se-exec-total'>{total}{incomplete}</p>")
    if es is None:
        return "".join(parts) + "</div>"
    if es.findings:
        items = "".join(
            f"<li>{html.escape(f.text)} <small style='color:#757575' title='finding rule'>"
            f"[{html.escape(f.rule)}{', own wording' if f.overridden else ''}]</small></li>"
            for f in es.findings)
        parts.append(f"<p>Key findings:</p><ol class='se-findings'>{items}</ol>")
    roadmap = {r.id: r for r in view.roadmap.initiatives}
    items = []
    for top in es.initiatives:
        full = roadmap.get(top.id)
        money = _initiative_money(view, full.drivers if full else (),
                                  full.money if full else None)
        items.append(f"<li><b>{html.escape(top.name)}</b>: "
                     + (f"{html.escape(money)}; " if money != DASH else "")
                     + f"{format_points(top.index_points)} index points; "
                     f"{html.escape(HORIZON_LABELS.get(top.horizon, top.horizon))}, "
                     f"{html.escape(top.owner)}</li>")
    if items:
        parts.append(f"<p>Top initiatives:</p><ol class='se-top-initiatives'>"
                     f"{''.join(items)}</ol>")
    if es.caveats:
        caveats = "".join(f"<li>{html.escape(c)}</li>" for c in es.caveats)
        parts.append(f"<p>Caveats:</p><ul class='se-caveats'>{caveats}</ul>")
    return "".join(parts) + "</div>"


def _assumption_value(value: float, unit: str, currency: str | None) -> str:
    return format_value(value, "ratio" if unit == "count" else unit, currency)


def business_case_html(view: ResultsView) -> str:
    """The business-case tab: each driver a year (low, base, high) with its formula, the
    fields it needs or why the total leaves it out; the total; the sensitivity; the
    assumptions with source and year."""
    case, currency = view.business_case, view.currency
    if not case.drivers:
        return "<p><i>The framework defines no business-case drivers.</i></p>"
    rows = []
    for d in case.drivers:
        details = ["" if d.status == "needs_data" else d.formula_text,  # said in the cells
                   d.excluded_because or ""]
        detail = "<br>".join(html.escape(x) for x in details if x)
        values = (f"<td colspan='3' class='se-needs-data'>"
                  f"{html.escape(needs_data_text(d.needs))}</td>"
                  if d.status == "needs_data" else "".join(
                      f"<td>{html.escape(format_money(getattr(d, c), currency))}</td>"
                      for c in ("low", "base", "high")))
        counted = ("yes" if d.counted else "no (overlap)" if d.excluded_because
                   else "no: " + DRIVER_STATUS_LABELS.get(d.status, d.status).lower())
        rows.append(f"<tr class='se-driver-{d.status}'><td><b>{html.escape(d.name)}</b>"
                    + (f"<br><small>{detail}</small>" if detail else "") + f"</td>{values}"
                    f"<td>{html.escape(counted)}</td></tr>")
    total = case.total
    sums = ("".join(f"<th>{html.escape(format_money(total[c], currency))}</th>"
                    for c in ("low", "base", "high")) if total else f"<th colspan='3'>{DASH}</th>")
    rows.append(f"<tr class='se-total'><th>Total a year</th>{sums}<th></th></tr>")
    parts = ["<div class='se-business'><table class='se-business-case'><tr><th>Driver</th>"
             "<th>Low</th><th>Base</th><th>High</th><th>In the total</th></tr>"
             f"{''.join(rows)}</table>",
             "<p><small>Money a year in the client's currency. Overlapping drivers are never "
             "added twice: the total takes the larger.</small></p>"]
    moving = [s for s in case.sensitivity if s.swing > 0.5]
    if moving:
        s = moving[0]
        parts.append(f"<p class='se-sensitivity'>Moves the total most: "
                     f"<b>{html.escape(s.name)}</b> (total "
                     f"{html.escape(money_range(s.low_total, s.high_total, currency))} "
                     f"between its low and high values)</p>")
    elif total:
        parts.append("<p class='se-sensitivity'>No assumption moves the total: it rests on "
                     "the client's own figures.</p>")
    used = {a.id: a for d in case.drivers for a in d.assumptions}
    if used:
        items = "".join(
            f"<li>{html.escape(a.name)}: "
            + " / ".join(html.escape(_assumption_value(getattr(a, c), a.unit, currency))
                         for c in ("low", "base", "high"))
            + f" (low / base / high) — {html.escape(a.source or 'no source')}"
            + (f", {html.escape(str(a.year))}" if a.year else "") + "</li>"
            for a in used.values())
        parts.append(f"<p>Assumptions:</p><ul class='se-assumptions'>{items}</ul>")
    return "".join(parts) + "</div>"


def roadmap_html(view: ResultsView) -> str:
    """The roadmap tab: the initiatives that apply, ranked by value for effort, with
    horizon, effort, owner, index points, money a year and the client's tracking."""
    ranked = view.roadmap.ranked
    if not ranked:
        return "<p><i>No initiative applies.</i></p>"
    rows = []
    for r in ranked:
        track = r.tracking or {}
        tracked = " · ".join(html.escape(str(x)) for x in (
            "chosen" if track.get("chosen") else "not chosen" if track.get("chosen") is False
            else None,
            track.get("owner"), f"due {track['due_date']}" if track.get("due_date") else None,
            TRACKING_LABELS.get(track.get("status") or "", track.get("status"))) if x)
        rows.append(
            f"<tr><td>{r.rank}</td><td><b>{html.escape(r.name)}</b>"
            + (f"<br><small class='se-tracking'>{tracked}</small>" if tracked else "")
            + f"</td><td>{html.escape(HORIZON_LABELS.get(r.horizon, r.horizon))}</td>"
            f"<td>{html.escape(EFFORT_LABELS.get(r.effort, r.effort))}</td>"
            f"<td>{html.escape(r.owner)}</td><td>{format_points(r.index_points)}</td>"
            f"<td>{html.escape(_initiative_money(view, r.drivers, r.money))}</td></tr>")
    return ("<div class='se-roadmap'><table class='se-roadmap-table'><tr><th>#</th>"
            "<th>Initiative</th><th>When</th><th>Effort</th><th>Owner</th>"
            "<th>Index points</th><th>Money</th></tr>" + "".join(rows) + "</table>"
            f"<p><small>Ranked by {html.escape(view.roadmap.ranking)}.</small></p></div>")


def _blocked_html(blocking: list[Issue]) -> str:
    """The panel while the profile stops scoring: why, instead of a score."""
    items = "".join(f"<li>{html.escape(issue.message)}"
                    + (f" — {html.escape(issue.expected)}" if issue.expected else "") + "</li>"
                    for issue in blocking)
    return ("<div class='se-summary se-blocked'><h3>Support Excellence Index: not scored</h3>"
            "<p style='color:#c62828'>The profile stops scoring until this is fixed:</p>"
            f"<ul>{items}</ul></div>")
