"""Display helpers for the notebooks: tables, charts and input problems, cheap and deterministic.

``notebooks/scorecard.ipynb`` calls :func:`assessment.pipeline.run` (the same call as the
``score`` command) and shows the results with the helpers below. They only format what the
package already computes (:func:`assessment.scorecard.html.context` for display values,
:mod:`assessment.scorecard.charts` for the static SVG charts), so the notebook, the HTML page
and the Excel workbook always agree.

Every output carries a ``text/plain`` form next to its HTML or SVG, holds no clock, random id or
absolute path, and imports neither pandas nor Altair, so that a notebook executed twice gives
identical outputs (nbval compares them) and a warm kernel scores an organization quickly.

- Inputs: :func:`intake_path`, :func:`output_folder`, :func:`framework` (cached per file).
- Problems: :func:`show_issues` shows every ``Sheet!Cell`` problem of an
  :class:`~assessment.core.errors.InputError` as a table and raises :class:`InvalidInput`, whose
  short message (and notebook traceback) is just those lines.
- Display: :class:`Table`, :func:`show_table`, :func:`show_charts`, :func:`show_text`,
  :func:`show_written`, :func:`show_title` (the report's title with the organization's name),
  :func:`show_heading` and :func:`element_heading`, and one table builder per scorecard
  section (:func:`element_table`,
  :func:`kpi_table`, :func:`gap_table`, :func:`evidence_table` ...), each taking the display
  values ``view`` that
  :func:`assessment.scorecard.html.context` returns.
- Decision (methodology §5 money, §10), taking the results or their
  :class:`~assessment.core.results.ResultsView`: the executive summary
  (:func:`headline_table`, :func:`findings_table`, :func:`top_initiatives_table`,
  :func:`caveats_text`), the business case (:func:`business_case_table`,
  :func:`formula_table`, :func:`assumptions_table`, :func:`sensitivity_table`,
  :func:`renewal_money_table`) and the roadmap (:func:`roadmap_table`).

Refreshing the committed notebooks is a repository chore, not part of the package:
``tools/refresh_notebooks.py`` (``make notebooks``, see docs/notebooks.md).
"""

from __future__ import annotations

import base64
import functools
import html
import re
import tempfile
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

from assessment.core.errors import InputError
from assessment.core.format import (
    DASH,
    DRIVER_STATUS_LABELS,
    EFFORT_LABELS,
    EVIDENCE,
    HORIZON_LABELS,
    TRACKING_LABELS,
    format_coverage,
    format_money,
    format_points,
    format_score,
    format_value,
    needs_data_text,
    rag_label,
)
from assessment.core.framework import Framework, default_framework_path, load_framework
from assessment.core.results import ResultsView
from assessment.scorecard.summary import check_result, check_stated_term, term_value

#: The bundled sample the scorecard notebook shows when no intake is given.
DEFAULT_SAMPLE = "northwind-cloud"
#: Widest a text/plain table cell gets before it wraps.
WRAP = 60
#: What a table shows for an area, KPI or questionnaire that does not apply.
NOT_APPLICABLE = "not applicable"

# --------------------------------------------------------------------------- inputs


def default_intake() -> Path:
    """The bundled Northwind sample intake workbook (an absolute path inside the package)."""
    from assessment.intake.samples import SAMPLES_DIR

    return SAMPLES_DIR / f"{DEFAULT_SAMPLE}.xlsx"


def intake_path(intake: str | Path = "") -> Path:
    """The intake to score: ``intake`` (``~`` expanded), or the bundled sample when empty.

    A relative path is relative to the kernel's working directory: where papermill was started
    from (the batch never changes it), or the notebook's folder in Jupyter.
    """
    return Path(intake).expanduser() if str(intake).strip() else default_intake()


def output_folder(output_dir: str | Path = "") -> Path:
    """Where the scorecards go: ``output_dir``, or a fresh temporary folder when empty.

    A given folder is not created here: :func:`assessment.pipeline.run` creates it only once
    the intake is valid, so a bad intake leaves nothing behind.
    """
    if str(output_dir).strip():
        return Path(output_dir).expanduser()
    return Path(tempfile.mkdtemp(prefix="scorecard-"))


def framework(path: str | Path | None = "") -> Framework:
    """The framework at ``path`` (the shipped default when empty), loaded once per kernel.

    The cache is keyed by the file's resolved path, size and modification time, so an edited
    file is reloaded. Raises :class:`~assessment.core.errors.FrameworkError` like
    :func:`~assessment.core.framework.load_framework`.
    """
    file = Path(path).expanduser() if path and str(path).strip() else default_framework_path()
    try:
        stat = file.stat()
    except OSError:
        return load_framework(file)  # raises FrameworkError naming the file
    return _load_framework(str(file.resolve()), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=8)
def _load_framework(path: str, mtime_ns: int, size: int) -> Framework:
    return load_framework(path)


# --------------------------------------------------------------------------- problems


class InvalidInput(Exception):
    """An intake or framework has problems; nothing was written.

    ``str()`` is the headline and one ``Sheet!Cell: message — expected`` line per problem. In
    IPython the traceback is exactly that text (no stack): papermill's
    ``PapermillExecutionError`` then reports ``ename == "InvalidInput"`` and those lines.
    """

    def __init__(self, error: InputError) -> None:
        self.kind = error.kind
        self.source = error.source
        self.issues = list(error.issues)
        what = "framework" if error.kind == "framework" else "intake"
        source = f" {error.source}" if error.source else ""
        head = (f"the {what}{source} has {len(self.issues)} problem(s); nothing was written")
        super().__init__("\n".join([head, *(f"  {issue}" for issue in self.issues)]))

    def _render_traceback_(self) -> list[str]:
        """What IPython shows instead of a stack trace."""
        return f"{type(self).__name__}: {self}".splitlines()


def issues_table(error: InputError) -> Table:
    """Every problem of ``error``: where (``Sheet!Cell``), what is wrong, what is expected."""
    return Table(["Where", "Problem", "Expected"],
                 [[issue.location or DASH, issue.message, issue.expected or DASH]
                  for issue in error.issues],
                 caption=f"{len(error.issues)} problem(s) found; nothing was written")


def show_issues(error: InputError) -> NoReturn:
    """Show every problem of ``error`` as a table, then stop the notebook with
    :class:`InvalidInput` (a short message listing the same ``Sheet!Cell`` lines)."""
    show_table(issues_table(error))
    raise InvalidInput(error) from None


# --------------------------------------------------------------------------- display


_NUMERIC = re.compile(r"^[+\-\u2212]?[A-Z]{0,3} ?[\d.,]+ ?(%|h)?$|^\u2014?$")


class Table:
    """A small display table: HTML for Jupyter, aligned text for ``text/plain`` (and nbval).

    ``rows`` are sequences of already formatted cells (None shows a dash). Columns whose
    cells all look numeric are right-aligned. Long text wraps in the plain-text form.
    """

    def __init__(self, columns: Sequence[str], rows: Iterable[Sequence[Any]],
                 caption: str | None = None) -> None:
        self.columns = [str(c) for c in columns]
        self.rows = [[DASH if v is None else str(v) for v in row] for row in rows]
        self.caption = caption
        self.numeric = [bool(self.rows) and all(_NUMERIC.match(r[i]) for r in self.rows)
                        for i in range(len(self.columns))]

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any]],
                     columns: Mapping[str, str] | Sequence[str] | None = None,
                     caption: str | None = None) -> Table:
        """A table of dicts; ``columns`` maps keys to headers (default: every key)."""
        records = list(records)
        if columns is None:
            columns = list(records[0]) if records else []
        mapping = dict(columns) if isinstance(columns, Mapping) else {c: c for c in columns}
        return cls(list(mapping.values()), [[r.get(k) for k in mapping] for r in records],
                   caption)

    def __len__(self) -> int:
        return len(self.rows)

    def _repr_html_(self) -> str:
        def cell(tag: str, text: str, right: bool) -> str:
            style = ' style="text-align:right"' if right else ' style="text-align:left"'
            return f"<{tag}{style}>{html.escape(text)}</{tag}>"

        parts = ['<table class="se-table">']
        if self.caption:
            parts.append(f'<caption style="text-align:left">{html.escape(self.caption)}'
                         "</caption>")
        parts.append("<thead><tr>" + "".join(
            cell("th", c, n) for c, n in zip(self.columns, self.numeric, strict=True))
            + "</tr></thead><tbody>")
        for row in self.rows:
            parts.append("<tr>" + "".join(
                cell("td", v, n) for v, n in zip(row, self.numeric, strict=True)) + "</tr>")
        parts.append("</tbody></table>")
        return "".join(parts)

    def __str__(self) -> str:
        wrapped = [[textwrap.wrap(v, WRAP, break_long_words=False, break_on_hyphens=False)
                    or [""] for v in row] for row in self.rows]
        widths = [max([len(c)] + [len(line) for row in wrapped for line in row[i]])
                  for i, c in enumerate(self.columns)]

        def line(cells: Sequence[str]) -> str:
            return "  ".join(c.rjust(w) if n else c.ljust(w) for c, w, n
                             in zip(cells, widths, self.numeric, strict=True)).rstrip()

        out = [self.caption] if self.caption else []
        out += [line(self.columns), line(["-" * w for w in widths])]
        for row in wrapped:
            for k in range(max(len(cell) for cell in row)):
                out.append(line([cell[k] if k < len(cell) else "" for cell in row]))
        return "\n".join(out)

    def __repr__(self) -> str:
        return str(self)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {"text/plain": str(self), "text/html": self._repr_html_()}


def _display(bundle: dict[str, str]) -> None:
    from IPython.display import display

    display(bundle, raw=True)


def show_table(table: Table | Iterable[Mapping[str, Any]],
               columns: Mapping[str, str] | Sequence[str] | None = None, *,
               caption: str | None = None) -> None:
    """Display a :class:`Table`, or records (dicts) as one, as HTML with a text form."""
    if not isinstance(table, Table):
        table = Table.from_records(table, columns, caption)
    _display(table._repr_mimebundle_())


def show_text(text: str) -> None:
    """Display a paragraph of (untrusted) text: escaped HTML plus the same plain text."""
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in str(text).split("\n\n"))
    _display({"text/plain": str(text), "text/html": paragraphs})


def chart_ids(results: ResultsView | Mapping[str, Any]) -> list[str]:
    """The ids of every chart of the scorecard (results or their view), in reading order."""
    from assessment.scorecard.charts import build_charts

    return [chart.id for chart in build_charts(results)]


def show_charts(results: ResultsView | Mapping[str, Any],
                ids: str | Iterable[str] | None = None) -> None:
    """Display scorecard charts as static SVG (the renderer of the HTML scorecard).

    ``results`` is the results structure or its :class:`ResultsView`, or the display values from
    :func:`assessment.scorecard.html.context`, whose charts are already drawn (cheaper). ``ids`` are
    chart ids, with or without the ``chart-`` prefix (``"elements"``, ``"kpis-profit"``,
    ``"projection"``; see :func:`chart_ids`); default: every chart. Each chart's
    ``text/plain`` form is its title and description, which state the values drawn; a chart
    without data shows its note instead.
    """
    from assessment.scorecard.charts import build_charts, to_svg

    if isinstance(results, Mapping) and "figures" in results:
        # display values: charts built and drawn once by context()
        figures = {key: (f["chart"], f["svg"]) for key, f in results["figures"].items()}
    else:
        figures = {c.id: (c, None) for c in build_charts(results)}
    wanted = list(figures) if ids is None else [ids] if isinstance(ids, str) else list(ids)
    for ident in wanted:
        key = ident if ident.startswith("chart-") else f"chart-{ident}"
        if key not in figures:
            raise KeyError(f"no chart {ident!r}; charts: {', '.join(figures)}")
        chart, svg = figures[key]
        if chart.data is None:
            show_text(f"{chart.title}: {chart.note}")
            continue
        text = f"{chart.title}. {chart.description}"
        if chart.note:
            text += f" ({chart.note})"
        show_svg(str(svg) if svg else to_svg(chart), text)


def offline_altair() -> Any:
    """Make every Altair chart of this kernel draw offline, and return ``altair``.

    Altair's default renderer loads Vega from a CDN, and its ``jupyterlab`` renderer emits a
    Vega-Lite version that JupyterLab's built-in renderer may not know. This enables Altair's
    ``jupyter`` renderer in offline mode: each chart is shown as an ``alt.JupyterChart``
    widget whose JavaScript is the bundle shipped with vl-convert, so it needs no network (see
    docs/jupyterlab.md). Call it once, before showing your own ``alt.Chart``.
    """
    import altair as alt

    alt.renderers.enable("jupyter", offline=True)
    return alt


def svg_bundle(svg: str, text: str) -> dict[str, str]:
    """A chart's display bundle: an HTML ``<img>`` of the SVG (a ``data:`` URI) and ``text``.

    JupyterLab draws no ``image/svg+xml`` output in an untrusted notebook (one opened but not
    run, as the committed notebooks are): it shows its text instead. HTML it sanitizes and
    shows, and an ``<img>`` with a ``data:`` source survives that, so the charts show before
    a run too, and in nbconvert, Voila and GitHub alike. ``text`` (the chart's title and
    description, which state the values drawn) is also the image's ``alt`` text.
    """
    data = base64.b64encode(standalone_svg(svg).encode("utf-8")).decode("ascii")
    return {"text/plain": text,
            "text/html": f'<img alt="{html.escape(text)}" src="data:image/svg+xml;base64,{data}">'}


def show_svg(svg: str, text: str) -> None:
    """Display an SVG chart with its text form; see :func:`svg_bundle`."""
    _display(svg_bundle(svg, text))


def show_figure(figure: Any) -> None:
    """Display a portfolio :class:`~assessment.portfolio.charts.Figure`, or its note when it
    has no data to draw."""
    if figure.svg is None:
        show_text(f"{figure.title}: {figure.note}")
    else:
        show_svg(figure.svg, f"{figure.title}. {figure.description}")


SVG_NS = "http://www.w3.org/2000/svg"


def standalone_svg(svg: str) -> str:
    """``svg`` with the SVG namespace on its root. Inline in HTML it is optional, but Jupyter
    and nbconvert show ``image/svg+xml`` through an ``<img>``, which draws nothing without it.
    """
    head, sep, rest = svg.partition(">")
    if "xmlns=" in head or not head.startswith("<svg"):
        return svg
    return f'<svg xmlns="{SVG_NS}"{head[4:]}{sep}{rest}'


def written_table(written: Mapping[str, Path], root: str | Path) -> Table:
    """The files :func:`~assessment.pipeline.run` wrote, relative to ``root`` (no absolute
    path, so the output does not depend on where the notebook ran)."""
    root = Path(root)

    def rel(path: Path) -> str:
        try:
            return Path(path).relative_to(root).as_posix()
        except ValueError:
            return Path(path).name

    return Table(["Format", "File"], [[fmt, rel(path)] for fmt, path in written.items()])


def show_written(written: Mapping[str, Path], root: str | Path, temporary: bool = False) -> None:
    """Show the files written under ``root`` (the ``output_dir`` parameter, or a temporary
    folder when ``temporary``), by their paths relative to it."""
    table = written_table(written, root)
    where = "a new temporary folder" if temporary else "the output folder"
    table.caption = f"{len(table)} file(s) written in {where}"
    show_table(table)


# --------------------------------------------------------------------------- report headings


#: What follows the organization's name in the report's title.
TITLE_SUFFIX = "support excellence assessment"


def report_title(results: ResultsView | Mapping[str, Any], brand: Any = None) -> list[str]:
    """The report's title lines: ``"<organization>: support excellence assessment"``, then
    when and by whom it was assessed and the peer group, then (for a brand of the firm's own,
    :class:`~assessment.scorecard.brand.Brand`) who prepared it and the confidentiality line.
    The organization's name always comes from the results, never from the brand."""
    org = ResultsView.of(results).organization
    consultant = org.value("consultant")
    assessed = " ".join(x for x in (f"Assessed {org.date_text}" if org.date_text else "",
                                    f"by {consultant}" if consultant else "") if x)
    lines = [f"{org.name}: {TITLE_SUFFIX}",
             " \u00b7 ".join(str(x) for x in (assessed, org.segment_name) if x)]
    if brand is not None and not brand.is_default:
        lines.append(" \u00b7 ".join(x for x in (f"Prepared by {brand.firm}",
                                                  brand.prepared_by) if x))
    if brand is not None and brand.confidentiality:
        lines.append(brand.confidentiality)
    return [line for line in lines if line]


def show_title(results: ResultsView | Mapping[str, Any], brand: Any = "") -> None:
    """Display the report's title (:func:`report_title`) as a level-1 heading with its lines
    under it, escaped; ``brand`` is a brand file's path, a loaded Brand, or blank for the
    default brand (which adds no line). A brand's logo shows beside the title."""
    from assessment.scorecard.brand import as_brand

    look = as_brand(brand or None)
    title, *rest = report_title(results, look)
    logo = (f'<img alt="{html.escape(look.firm)}" src="{look.logo.data_uri()}" '
            'style="max-height:56px;float:right">' if look.logo is not None else "")
    body = "".join(f"<p>{html.escape(line)}</p>" for line in rest)
    _display({"text/plain": "\n".join([title, *rest]),
              "text/html": f"{logo}<h1>{html.escape(title)}</h1>{body}"})


def show_heading(text: str, level: int = 3) -> None:
    """Display an (untrusted) heading: an escaped ``<h2>``-``<h4>`` plus the same text."""
    level = min(max(int(level), 2), 4)
    _display({"text/plain": str(text),
              "text/html": f"<h{level}>{html.escape(str(text))}</h{level}>"})


def element_heading(view: dict[str, Any], element: str) -> str:
    """The heading over an element's KPIs: ``"Profit: 48.0 (Red)"``, ``"Profit: 48.0 (Red,
    insufficient data)"``, or ``"Renewal: not applicable"``."""
    e = next(e for e in view["elements"] if e["key"] == element)
    status = _status(e["rag_label"], e.get("insufficient", False), e.get("applicable", True))
    if status == NOT_APPLICABLE:
        return f"{e['name']}: {NOT_APPLICABLE}"
    return f"{e['name']}: {e['score']} ({status})"


# --------------------------------------------------------------------------- sections


def profile_table(view: dict[str, Any]) -> Table:
    """The organization's profile, as given in the intake, with the segment whose targets
    were used, the currency and the exchange rate (results@2)."""
    org = view["org"]
    return Table(["Field", "Value"],
                 [["Organization", org["name"]], *org.get("money", ()), *org["profile"]])


def _status(rag_label: str, insufficient: bool, applicable: bool = True) -> str:
    if not applicable:
        return NOT_APPLICABLE
    return f"{rag_label}, insufficient data" if insufficient else rag_label


def element_table(view: dict[str, Any], framework: Framework) -> Table:
    """Each element: what it measures (the framework's description), weight, its score in
    both readings of missing data, and status, with the Support Excellence Index on top."""
    index = view["index"]
    status = " \u00b7 ".join(x for x in (_status(index["rag_label"],
                                                 index.get("insufficient", False)),
                                         index["level_text"]) if x)
    rows = [["Support Excellence Index", "The weighted average of the four element scores.",
             "", index.get("readings") or index["score"], status]]
    for e in view["elements"]:
        rows.append([e["name"], framework.element_descriptions.get(e["key"]) or DASH,
                     e["weight"], e.get("readings") or e["score"],
                     _status(e["rag_label"], e.get("insufficient", False),
                             e.get("applicable", True))])
    return Table(["Area", "What it measures", "Weight", "Score (both readings)", "Status"], rows)


def kpi_table(view: dict[str, Any], area: str) -> Table:
    """The KPIs of one element (or ``"renewal"``): value (marked when derived, or computed from
    the client's data with its n, 95% interval, source and period), target and
    where it comes from, benchmark, score, status and index points at stake (renewal KPIs:
    renewal-health points). A KPI that does not apply says so."""
    rows = (view["renewal"]["rows"] if area == "renewal"
            else next(e["rows"] for e in view["elements"] if e["key"] == area))

    def target(r: dict[str, Any]) -> str:
        if not r.get("applicable", True):
            return DASH
        basis = r.get("target_basis")
        if basis:
            return f"{r['target']} ({basis})"
        return r["target"] + (" (client)" if r["target_overridden"] else "")

    def current(r: dict[str, Any]) -> str:
        if r.get("evidence"):
            return f"{r['current']} ({EVIDENCE}: {r['evidence']})"
        return r["current"] + (f" from {r['derived_from']}" if r.get("derived_from") else "")

    return Table(["KPI", "Current", "Target", "Benchmark", "Score", "Status", "Points at stake"],
                 [[r["name"], current(r), target(r), r["benchmark"], r["score"],
                   r["status_label"], r["points"]]
                  for r in rows])


def gap_table(view: dict[str, Any]) -> Table:
    """The five KPIs with the most index points at stake; a KPI without data is a gap to
    measure (it counts as 0), the others to improve."""
    return Table(["Rank", "KPI", "Element", "Score", "Index points at stake", "Action"],
                 [[n, g["name"], g["area"], g["score"], g["points"],
                   "measure it" if g.get("measure") else "improve it"]
                  for n, g in enumerate(view["gaps"], start=1)])


def renewal_table(view: dict[str, Any]) -> Table:
    """Renewal health and its two parts (or why renewal does not apply)."""
    r = view["renewal"]
    if not r.get("applicable", True):
        return Table(["Measure", "Value"], [["Renewal", r["not_applicable"]]])
    rows = [
        ["Renewal health", f"{r['health']} ({r['rag_label']})"],
        ["Renewal KPI score", r.get("kpi_readings") or r["kpi_score"]],
        ["Renewal practices score", r["practices_score"]],
        ["Weight of the KPIs in the blend", r["blend"]],
        ["Contract renewal rate", r["rate"]],
        ["Industry renewal rate", r["industry_rate"]],
        ["Annual price uplift", r["price_uplift"]],
    ]
    if r.get("value_basis"):
        rows.append(["Value curve based on", r["value_basis"]])
    return Table(["Measure", "Value"], rows)


def projection_table(view: dict[str, Any]) -> Table:
    """Share of a starting cohort still under contract, by contract year."""
    rows = view["renewal"]["projection"]
    columns = {"year": "Contract year", "client": "Client", "industry": "Industry",
               "target": "At target rate"}
    if any(p["client_value"] != DASH for p in rows):
        columns["client_value"] = "Client value"
    caption = None if rows else view["renewal"].get("not_applicable") or "No projection"
    return Table.from_records(rows, columns, caption)


def practice_table(view: dict[str, Any], questionnaire: str) -> Table:
    """One practice questionnaire's answers (0-4, with the answer scale's words) and item
    scores; the caption gives both readings and the level named after the answer scale."""
    q = view["questionnaires"][questionnaire]
    columns = ["Practice", "Answer", "Meaning", "Weight", "Score"]
    if not q.get("applicable", True):
        return Table(columns, [], caption=f"{q['name']}: {q['not_applicable'].lower()}")
    level = q.get("level_text")
    return Table(columns,
                 [[i["name"], i["answer"], i["label"], i["weight"], i["score"]]
                  for i in q["items"]],
                 caption=f"{q['name']}: score {q.get('readings') or q['score']}"
                 + (f"; {level}" if level else "")
                 + ("; insufficient data" if q.get("insufficient") else ""))


def expectations_table(view: dict[str, Any]) -> Table:
    """The nine dimensions: importance, performance, the team's priority, gap, quadrant. The
    caption keeps the two alignments apart: the computed one is this toolkit's own measure;
    the client's self-rating is the one compared with the survey average."""
    e = view["expectations"]
    if "alignment_words" in e:
        caption = (f"Alignment computed from the ratings: {e['alignment_words']}. Self-rated "
                   f"alignment: {e['self_rated_words']}. Quadrant threshold {e['threshold']}")
    else:
        caption = (f"Alignment with customers: {e['alignment']} out of 10 (HDI survey average "
                   f"{e['survey_average']}); quadrant threshold {e['threshold']}")
    survey = e.get("survey")
    if survey:
        caption += (f". Ratings from a survey ({survey['source']}): customers' and staff's "
                    f"means with sd; a group with {survey['few']} is flagged")
        return Table(["#", "Dimension", "Customers: importance", "Customers: performance",
                      "Customers (n)", "Staff: priority", "Staff (n)", "Gap", "Quadrant",
                      "Flag"],
                     [[d["n"], d["name"], *_survey_cells(s), d["gap"], d["quadrant"],
                       survey["few"] if s.get("flagged") else ""]
                      for d, s in zip(e["rows"], survey["rows"], strict=True)],
                     caption=caption)
    return Table(["#", "Dimension", "Importance", "Performance", "Team priority", "Gap",
                  "Quadrant"],
                 [[d["n"], d["name"], d["importance"], d["performance"], d["priority"],
                   d["gap"], d["quadrant"]] for d in e["rows"]],
                 caption=caption)


def _survey_cells(s: dict[str, Any]) -> list[str]:
    """A dimension's survey means and group sizes, or that it was typed in the intake."""
    if not s.get("surveyed"):
        return ["typed in the intake", DASH, DASH, DASH, DASH]
    return [s["importance"], s["performance"], s["customer_n"], s["priority"], s["staff_n"]]



def recommendation_table(view: dict[str, Any], top: int | None = 10) -> Table:
    """The ranked recommendations (the first ``top``; None for all). A KPI without data is
    to be measured first; band advice names the side the value is on."""
    recs = view["recommendations"]
    shown = recs if top is None else recs[:top]
    caption = (f"Top {len(shown)} of {len(recs)} recommendations (all are in the scorecards)"
               if len(shown) < len(recs) else f"{len(recs)} recommendations")

    def kind(r: dict[str, Any]) -> str:
        return "measure this" if r.get("measure") else r.get("side") or "improve"

    return Table(["Rank", "Area", "For", "Kind", "Recommendation", "Priority"],
                 [[r["rank"], r["area"], r["name"], kind(r), r["text"], r["priority"]]
                  for r in shown],
                 caption=caption)


def about(framework: Framework, questionnaire: str) -> str:
    """The framework's description of a questionnaire (for the narrative)."""
    q = framework.questionnaires[questionnaire]
    return f"{q.name}: {q.description}" if q.description else q.name


def reading_key(view: dict[str, Any]) -> str:
    """How to read the scores, from the framework's settings, band names and answer scale."""
    s = view["settings"]
    text = ("Every score runs from 0 (at or beyond the floor) to 100 (the target is met). "
            f"The index, the elements, renewal health and the questionnaires are green from "
            f"{s['amber']}, amber from {s['amber_low']} and red below that. A KPI is met at "
            f"100, near from {s['amber']} and off target below. An element with less than "
            f"{s['min_coverage']} of its KPI weight measured is flagged as having insufficient "
            "data.")
    if s.get("missing_kpi") == "zero":
        text += (" A KPI without data counts as 0, so missing data never raises a score; the "
                 "score over the measured KPIs alone is shown beside it.")
    elif s.get("missing_kpi"):
        text += " KPIs without data are left out of the scores (the framework's choice)."
    bands = ", ".join(f"{20 * (n - 1)}\u2013{20 * n} {name}"
                      for n, name in enumerate(view["levels"], start=1))
    if bands:
        text += f" The index is named by its 20-point band: {bands}."
    scale = view.get("answer_scale") or []
    if scale:
        levels = ", ".join(f"{n} {name}" for n, name in enumerate(scale, start=1))
        text += (" A questionnaire's level is 1 + the whole part of its average answer "
                 f"(every 25 points), named after the answer scale: {levels}.")
    return text


def data_quality_table(view: dict[str, Any]) -> Table:
    """What the scores rest on: coverage with both readings, the KPIs without data, those
    that do not apply and those a consistency relation derived."""
    q = view.get("quality")
    if q is None:
        return Table(["Measure", "Value"], [["Index coverage", view["index"]["coverage"]]])
    missing = ("KPIs without data (count as 0)" if view["settings"].get("missing_kpi") == "zero"
               else "KPIs without data")
    rows = [
        ["Index coverage", q["coverage"] + (" (insufficient data)" if q["insufficient"]
                                            else "")],
        ["Index, both readings", q["index_readings"]],
        [missing, ", ".join(m["name"] for m in q["missing"]) or "none"],
        ["KPIs not applicable", ", ".join(q["not_applicable"]) or "none"],
        ["KPIs derived from a relation", ", ".join(q["derived"]) or "none"],
    ]
    if q.get("evidence"):
        rows.append(["Values from the client's data",
                     f"{sum(len(g['rows']) for g in q['evidence'])} figure(s) from "
                     + "; ".join(g["source"] for g in q["evidence"])
                     + " (see the evidence table)"])
    return Table(["Measure", "Value"], rows, caption="Data quality")


def evidence_table(view: dict[str, Any]) -> Table:
    """Every figure computed from the client's data (methodology §11), by source file: what
    it fills, value, n, 95% interval, period, definition and whether it was used or set aside
    (the consultant typed another value); a survey rating with fewer than 5 respondents in
    its group says so."""
    groups = (view.get("quality") or {}).get("evidence") or []
    rows = [[e["target"], e["value"], e["n"], e["interval"], g["period"], g["source"],
             e["definition"], e["status"]] for g in groups for e in g["rows"]]
    caption = ("Evidence from the client's data" if rows
               else "No value comes from the client's data: every figure was typed")
    return Table(["Fills", "Value", "n", "95% interval", "Period", "Source", "Definition",
                  "Status"], rows, caption=caption)


def consistency_table(results: ResultsView | Mapping[str, Any],
                      failing_only: bool = False) -> Table:
    """The consistency relations of the data-quality section (methodology §7): each with the
    cells involved, the value stated, the value the other cells imply, the tolerance and the
    result in words. ``failing_only`` keeps the relations that do not hold."""
    view = ResultsView.of(results)
    rows = []
    for c in view.consistency:
        if failing_only and c.ok is not False:
            continue
        term = check_stated_term(c) or ""
        rows.append([c.name, ", ".join(c.cells) or DASH, term_value(view, term, c.stated),
                     term_value(view, term, c.implied),
                     DASH if c.tolerance is None else format_coverage(c.tolerance),
                     check_result(view, c)])
    failing = sum(c.ok is False for c in view.consistency)
    total = len(view.consistency)
    caption = (f"{failing} of {total} consistency check(s) fail" if failing
               else f"{total} consistency check(s), none fails" if total
               else "No consistency check applies")
    return Table(["Check", "Cells", "Stated", "Implied", "Tolerance", "Result"], rows,
                 caption=caption)


def warnings_text(results: ResultsView | Mapping[str, Any]) -> str:
    """The data-quality warnings of the results (or their view), one per line, or a line
    saying there are none."""
    warnings = ResultsView.of(results).warnings
    if not warnings:
        return "No data-quality warnings."
    return "\n".join([f"{len(warnings)} data-quality warning(s):",
                      *(f"- {w}" for w in warnings)])


# --------------------------------------------------------------------------- decision


CASES = ("low", "base", "high")


def _money(value: float | None, view: ResultsView) -> str:
    return format_money(value, view.currency)


def _total_words(view: ResultsView) -> str:
    """The business-case total a year in its three cases, or why there is none."""
    total = view.business_case.total
    if not total:
        needs = [d for d in view.business_case.drivers if d.status == "needs_data"]
        return "no total" + (": " + "; ".join(f"{d.name} {needs_data_text(d.needs)}"
                                              for d in needs) if needs else "")
    if abs(total["high"] - total["low"]) < 0.5:
        return f"{_money(total['base'], view)} a year (the same in the low and high cases)"
    return (f"{_money(total['base'], view)} a year (base case; low "
            f"{_money(total['low'], view)}, high {_money(total['high'], view)})")


def headline_table(results: ResultsView | Mapping[str, Any]) -> Table:
    """The executive summary's headline: the index in both readings with colour and band,
    each element, renewal health and the business-case total a year."""
    view = ResultsView.of(results)
    index = view.index
    band = index.level_name
    status = " \u00b7 ".join(x for x in (rag_label(index.rag) if index.score is not None
                                         else None, band) if x)
    rows = [["Support Excellence Index", view.readings("index"), status]]
    for e in view.elements:
        rows.append([e.name, view.readings(e.key) if e.applicable else NOT_APPLICABLE,
                     rag_label(e.rag) if e.applicable else ""])
    renewal = view.renewal
    rows.append(["Renewal health", format_score(renewal.health) if renewal.applicable
                 else NOT_APPLICABLE, rag_label(renewal.rag) if renewal.applicable else ""])
    rows.append(["Business case", _total_words(view), ""])
    return Table(["Measure", "Value", "Status"], rows, caption="Executive summary")


def findings_table(results: ResultsView | Mapping[str, Any]) -> Table:
    """The key findings, each one sentence with its number, and the framework rule that
    produced it (marked when a consultant's own wording replaces the generated one)."""
    view = ResultsView.of(results)
    findings = view.executive_summary.findings if view.executive_summary else ()
    return Table(["#", "Finding", "Rule"],
                 [[n, f.text, f.rule + (" (own wording)" if f.overridden else "")]
                  for n, f in enumerate(findings, start=1)],
                 caption=f"{len(findings)} key finding(s)" if findings
                 else "No finding rule applies")


def _initiative_money(view: ResultsView, drivers: Sequence[str],
                      money: Mapping[str, float] | None, case: str = "base") -> str:
    """An initiative's money a year in ``case``, what its drivers need, or a dash."""
    if money:
        return _money(money[case], view)
    own = [d for d in view.business_case.drivers if d.id in set(drivers)]
    needs = list(dict.fromkeys(n for d in own if d.status == "needs_data" for n in d.needs))
    if needs:
        return needs_data_text(needs)
    return "no gap" if own else DASH


def top_initiatives_table(results: ResultsView | Mapping[str, Any]) -> Table:
    """The top initiatives of the roadmap with their money a year (base case) and index
    points, horizon and owner."""
    view = ResultsView.of(results)
    tops = view.executive_summary.initiatives if view.executive_summary else ()
    full = {r.id: r for r in view.roadmap.initiatives}
    rows = []
    for n, top in enumerate(tops, start=1):
        r = full.get(top.id)
        rows.append([n, top.name, _initiative_money(view, r.drivers if r else (),
                                                    r.money if r else None),
                     format_points(top.index_points), HORIZON_LABELS.get(top.horizon,
                                                                         top.horizon),
                     top.owner])
    return Table(["#", "Initiative", "Money a year (base)", "Index points", "Horizon", "Owner"],
                 rows, caption="Top initiatives (ranked by value for effort)")


def caveats_text(results: ResultsView | Mapping[str, Any]) -> str:
    """The data-quality caveats that change the picture, one per line, or a line saying
    there are none."""
    view = ResultsView.of(results)
    caveats = view.executive_summary.caveats if view.executive_summary else ()
    if not caveats:
        return "No data-quality caveat changes the picture."
    return "\n".join(["Caveats:", *(f"- {c}" for c in caveats)])


def counted_text(driver: Any) -> str:
    """Whether the total counts a driver (a :class:`~assessment.core.results.DriverResult`),
    and why not: ``yes``, ``no: overlaps with ...``, ``no: needs data``, ..."""
    if driver.counted:
        return "yes"
    if driver.excluded_because:
        return f"no: {driver.excluded_because}"
    return "no: " + DRIVER_STATUS_LABELS.get(driver.status, driver.status).lower()


def business_case_table(results: ResultsView | Mapping[str, Any]) -> Table:
    """Each driver a year in the low, base and high cases (or the fields it needs), its
    status and whether the total counts it, with the total in the caption."""
    view = ResultsView.of(results)
    rows = []
    for d in view.business_case.drivers:
        if d.status == "needs_data":
            values = [needs_data_text(d.needs), DASH, DASH]
        else:
            values = [_money(getattr(d, c), view) for c in CASES]
        rows.append([d.name, *values, counted_text(d)])
    return Table(["Driver", "Low", "Base", "High", "In the total"], rows,
                 caption=f"Business case, money a year: {_total_words(view)}. Overlapping "
                 "drivers are never added twice: the total takes the larger.")


def formula_table(results: ResultsView | Mapping[str, Any]) -> Table:
    """Each driver's formula with the client's numbers put in (base case), or the fields
    it needs."""
    view = ResultsView.of(results)
    rows = []
    for d in view.business_case.drivers:
        if d.status == "needs_data":
            text = needs_data_text(d.needs)
        elif d.status == "not_applicable":
            text = NOT_APPLICABLE
        else:
            text = d.formula_text
        rows.append([d.name, text])
    return Table(["Driver", "Formula with the client's numbers (base case)"], rows)


def _assumption_value(value: float, unit: str, view: ResultsView) -> str:
    return format_value(value, "ratio" if unit == "count" else unit, view.currency)


def assumptions_table(results: ResultsView | Mapping[str, Any]) -> Table:
    """Every assumption the drivers use: low, base and high values (money in the client's
    currency), source and year, the drivers using it, and its note."""
    view = ResultsView.of(results)
    used: dict[str, Any] = {}
    users: dict[str, list[str]] = {}
    for d in view.business_case.drivers:
        for a in d.assumptions:
            used.setdefault(a.id, a)
            users.setdefault(a.id, []).append(d.name)
    rows = [[a.name, *(_assumption_value(getattr(a, c), a.unit, view) for c in CASES),
             a.source or DASH, a.year or DASH, ", ".join(users[a.id]), a.note or DASH]
            for a in used.values()]
    return Table(["Assumption", "Low", "Base", "High", "Source", "Year", "Used by", "Note"],
                 rows, caption="Assumptions (low is the value that gives the lower benefit)"
                 if rows else "No driver uses an assumption")


def sensitivity_table(results: ResultsView | Mapping[str, Any]) -> Table:
    """Which assumption moves the total most: the total with each assumption at its low and
    its high value (the others at base), largest swing first."""
    view = ResultsView.of(results)
    rows = [[s.name, _money(s.low_total, view), _money(s.high_total, view),
             _money(s.swing, view)] for s in view.business_case.sensitivity]
    moving = any(s.swing > 0.5 for s in view.business_case.sensitivity)
    if moving:
        caption = "Sensitivity: the total a year with one assumption at a time at its ends"
    elif view.business_case.total:
        caption = ("Sensitivity: no assumption moves the total; it rests on the client's own "
                   "figures")
    else:
        caption = "Sensitivity: no total to move"
    return Table(["Assumption", "Total at its low", "Total at its high", "Swing"], rows,
                 caption=caption)


def renewal_money_table(results: ResultsView | Mapping[str, Any]) -> Table:
    """The renewal projection in money (methodology §5): the contract revenue base kept each
    contract year at the client's, the target and the industry renewal rate, and the
    revenue at stake (target minus client, summed)."""
    view = ResultsView.of(results)
    money = view.renewal.money
    columns = ["Contract year", "Client", "At target rate", "Industry"]
    if money is None:
        why = ("renewal does not apply to this support model" if not view.renewal.applicable
               else "needs the contract revenue base and the contract renewal rate")
        return Table(columns, [], caption=f"Renewal revenue: {why}")
    rows = [[y.year, format_money(y.client, money.currency), format_money(y.target, money.currency),
             format_money(y.industry, money.currency)] for y in money.years]
    return Table(columns, rows, caption=(
        f"Renewal revenue from a contract base of {format_money(money.base, money.currency)}: "
        f"{format_money(money.at_stake, money.currency)} at stake over {len(money.years)} "
        "years (target minus client)"))


def _ranks(ranks: Sequence[int]) -> str:
    """Recommendation ranks as short runs: ``1–8, 44, 45``."""
    runs: list[list[int]] = []
    for r in sorted(ranks):
        if runs and r == runs[-1][-1] + 1:
            runs[-1].append(r)
        else:
            runs.append([r])
    return ", ".join(f"{run[0]}\u2013{run[-1]}" if len(run) > 2 else
                     ", ".join(str(x) for x in run) for run in runs) or DASH


def _tracking(tracking: Mapping[str, Any] | None) -> str:
    if not tracking:
        return DASH
    chosen = tracking.get("chosen")
    parts = ["chosen" if chosen else "not chosen" if chosen is False else None,
             tracking.get("owner"),
             f"due {tracking['due_date']}" if tracking.get("due_date") else None,
             TRACKING_LABELS.get(tracking.get("status") or "", tracking.get("status")),
             f"inhibitors: {tracking['inhibitors']}" if tracking.get("inhibitors") else None]
    return "; ".join(str(p) for p in parts if p) or DASH


def roadmap_table(results: ResultsView | Mapping[str, Any]) -> Table:
    """The initiatives that apply, ranked by value for effort: horizon, effort, owner, index
    points, money a year (base case), the appendix recommendations they group, and the
    client's tracking where the intake records it."""
    view = ResultsView.of(results)
    ranked = view.roadmap.ranked
    tracked = any(r.tracking for r in ranked)
    columns = ["Rank", "Initiative", "Horizon", "Effort", "Owner", "Index points",
               "Money a year (base)", "Recommendations"] + (["Tracking"] if tracked else [])
    rows = [[r.rank, r.name, HORIZON_LABELS.get(r.horizon, r.horizon),
             EFFORT_LABELS.get(r.effort, r.effort), r.owner, format_points(r.index_points),
             _initiative_money(view, r.drivers, r.money), _ranks(r.recommendations)]
            + ([_tracking(r.tracking)] if tracked else []) for r in ranked]
    left = len(view.roadmap.initiatives) - len(ranked)
    caption = (f"Roadmap: ranked by {view.roadmap.ranking}" if view.roadmap.ranking
               else "Roadmap")
    if left:
        caption += f"; {left} initiative(s) do not apply"
    return Table(columns, rows, caption=caption)

