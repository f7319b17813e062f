"""The form's *Evidence* section: compute figures from a raw export and preview them first.

``EvidencePanel(form)`` (built by :class:`~assessment.interactive.form.AssessmentForm`, shown in
its *Evidence* section) takes one ticket export or survey file (CSV or Parquet), computes its
figures with the same engine as ``support-excellence evidence``
(:func:`assessment.evidence.tickets.ticket_evidence`,
:func:`assessment.evidence.survey.survey_evidence`; methodology §11) and shows a preview: each
KPI or field with the value the form holds now, the value computed, n, the 95% interval and the
period, the rows left out by reason with their first row numbers, and what the file could not
give. Nothing in the form changes until *Accept*, which puts the values into the form's boxes
(:meth:`AssessmentForm.accept_evidence`), so the scores update and the form keeps the figures
as its evidence (a saved intake gets the Evidence sheet). *Discard* drops the preview.

Driven without a browser: :meth:`load_bytes` (or setting ``upload.value``), then
:meth:`compute` / :meth:`accept` / :meth:`discard` or ``compute_button.click()`` and so on.
Problems with the file or its mapping are listed in the panel, never as a traceback.
"""

from __future__ import annotations

import dataclasses
import html
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol

import ipywidgets as w

from assessment.core.errors import InputError, Issue
from assessment.core.evidence import EvidenceFigure, EvidenceReport, slot, unknown_targets
from assessment.core.format import DASH, format_number, format_value
from assessment.core.framework import Framework
from assessment.core.model import IntakeData
from assessment.intake.layout import PROFILE_FIELDS

#: The kinds of file the panel reads, as the dropdown shows them.
KINDS: tuple[tuple[str, str], ...] = (
    ("Tickets (help-desk export)", "tickets"), ("CSAT survey", "csat"),
    ("NPS survey", "nps"), ("CES survey", "ces"), ("Expectation survey", "expectations"),
)
SCORE_SURVEYS = ("csat", "nps", "ces")
ACCEPT = ".csv,.parquet"
COMPUTING = "computing…"
#: Longest stem kept for the temporary copy of an uploaded file.
MAX_STEM = 120
_UNSAFE = re.compile(r"[^\w.\-() ]+")
RED = "#c62828"
#: How the preview shows a profile volume (a whole count) and a mean rating (2 decimals).
WHOLE, RATING = "<whole count>", "<rating>"


def safe_file_name(name: str) -> str:
    """A name safe to write in a temporary folder, keeping the original suffix: no folder
    part, no character that a file system or a shell treats specially, never empty."""
    base = str(name).replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, suffix = base.rpartition(".")
    if not dot or not re.fullmatch(r"\w{1,12}", suffix, re.ASCII):
        stem, suffix = base, ""
    stem = _UNSAFE.sub("_", stem).strip(" .")[:MAX_STEM] or "export"
    return f"{stem}.{suffix}" if suffix else stem


class EvidenceTarget(Protocol):
    """What the panel needs of the form it sits in (the form, or a test's stand-in)."""

    framework: Framework

    def data(self) -> IntakeData: ...

    def accept_evidence(self, reports: Iterable[EvidenceReport]) -> IntakeData: ...


class EvidencePanel:
    """One export at a time: choose, compute, preview, then accept into the form or discard."""

    def __init__(self, form: EvidenceTarget) -> None:
        from assessment.evidence.mapping import systems  # the shipped mappings

        self.form = form
        self.report: EvidenceReport | None = None  # the previewed report, until accepted
        self.file: tuple[str, bytes] | None = None  # the chosen file's name and bytes
        wide = {"description_width": "90px"}
        self.upload = w.FileUpload(accept=ACCEPT, multiple=False, description="Export file")
        self.upload.observe(self._guarded(self._uploaded), names="value")
        self.file_label = w.HTML()
        self.kind = w.Dropdown(options=KINDS, value="tickets", description="Kind", style=wide)
        names = systems()
        self.system = w.Dropdown(options=names, value="generic" if "generic" in names
                                 else (names[0] if names else None),
                                 description="System", style=wide)
        self.timezone = w.Text(value="UTC", description="Time zone", style=wide,
                               tooltip="the time zone of timestamps written without an offset",
                               layout=w.Layout(width="260px"))
        self.column = w.Text(value="", description="Answer column", style=wide,
                             placeholder="default: csat, nps or ces")
        self.compute_button = w.Button(description="Compute", button_style="primary",
                                       tooltip="compute the figures and show a preview")
        self.accept_button = w.Button(description="Accept", disabled=True,
                                      tooltip="put the computed values into the form")
        self.discard_button = w.Button(description="Discard", disabled=True,
                                       tooltip="drop the preview; the form is left as it is")
        self.compute_button.on_click(self._guarded(lambda _b: self.compute()))
        self.accept_button.on_click(self._guarded(lambda _b: self.accept()))
        self.discard_button.on_click(self._guarded(lambda _b: self.discard()))
        self.status = w.HTML()
        self.issues = w.HTML()
        self.preview = w.HTML()
        self.system_row = w.HBox([self.system])
        self.column_row = w.HBox([self.column], layout=w.Layout(display="none"))
        self.kind.observe(self._guarded(self._kind_changed), names="value")
        self.widget = w.VBox([
            w.HTML("<small>Compute KPIs from a ticket export or survey answers (methodology "
                   "§11). The preview shows what would change; nothing enters the form "
                   "until you accept it.</small>"),
            w.HBox([self.upload, self.file_label]),
            w.HBox([self.kind, self.timezone]), self.system_row, self.column_row,
            w.HBox([self.compute_button, self.accept_button, self.discard_button,
                    self.status]),
            self.issues, self.preview,
        ])
        self.widget.add_class("se-evidence-panel")

    # ------------------------------------------------------------------ actions

    def load_bytes(self, name: str, content: bytes | memoryview) -> None:
        """Choose a file by its name and bytes (what the upload button does); drops any
        preview."""
        self.file = (str(name), bytes(content))
        self.discard()
        self.issues.value = ""
        self.file_label.value = (f"<span class='se-evidence-file'>{html.escape(self.file[0])}"
                                 f" ({len(self.file[1]):,} bytes)</span>")

    def compute(self) -> EvidenceReport | None:
        """Compute the chosen file's figures and show the preview (the form is not changed);
        returns the report, or None after showing the problems."""
        self.discard()
        self.issues.value = ""
        if self.file is None:
            self._show_issues([Issue("no file chosen", "choose a CSV or Parquet export first")])
            return None
        self._busy(COMPUTING)
        try:
            report = self._run(*self.file)
        except InputError as error:  # ExportError included: the file or its mapping
            self._show_issues(error.issues)
            return None
        except OSError as error:
            self._show_issues([Issue(f"the file could not be written for reading: {error}",
                                     "check the disk space of the temporary folder")])
            return None
        finally:
            self.compute_button.disabled = False
            self.status.value = ""
        self.report = report
        self.preview.value = preview_html(self.form.framework, self.form.data(), report,
                                          self.file[0])
        self.accept_button.disabled = self.discard_button.disabled = False
        usable = len(self._known(report).figures)
        self.status.value = (f"Preview: {usable} value{'' if usable == 1 else 's'} to put "
                             "into the form. Accept or Discard.")
        return report

    def accept(self) -> IntakeData | None:
        """Put the previewed figures into the form (it re-scores and keeps them as evidence);
        returns the form's data, or None when there is no preview."""
        report = self.report
        if report is None:
            return None
        known = self._known(report)
        data = self.form.accept_evidence([known])
        n = len(known.figures)
        self.report = None
        self.preview.value = ""
        self.accept_button.disabled = self.discard_button.disabled = True
        self.status.value = (f"<span class='se-evidence-accepted'>Accepted: {n} "
                             f"value{'' if n == 1 else 's'} from "
                             f"{html.escape(report.source_label)} in the form.</span>")
        return data

    def discard(self) -> None:
        """Drop the preview; the form is left as it is."""
        self.report = None
        self.preview.value = ""
        self.status.value = ""
        self.accept_button.disabled = self.discard_button.disabled = True

    # ------------------------------------------------------------------ internals

    def _run(self, name: str, content: bytes) -> EvidenceReport:
        from assessment.evidence.survey import survey_evidence
        from assessment.evidence.tickets import ticket_evidence

        kind, tz = self.kind.value, self.timezone.value.strip() or None
        with tempfile.TemporaryDirectory(prefix="se-evidence-") as tmp:
            path = Path(tmp) / safe_file_name(name)
            path.write_bytes(content)
            if kind == "tickets":
                return ticket_evidence(path, system=self.system.value or "generic", tz=tz,
                                       progress=self._busy)
            dims = [item.id for item in
                    self.form.framework.questionnaires["customer_expectations"].items]
            column = (self.column.value.strip() or None) if kind in SCORE_SURVEYS else None
            return survey_evidence(path, kind, column=column, tz=tz,
                                   dimensions=dims if kind == "expectations" else ())

    def _known(self, report: EvidenceReport) -> EvidenceReport:
        """The report without the figures the form's framework has no place for."""
        unknown = set(_unknown(self.form, report.figures))
        return dataclasses.replace(report, figures=[f for f in report.figures
                                                    if f not in unknown])

    def _busy(self, text: str) -> None:
        """The status while computing (each step of the engine is shown as it starts)."""
        self.compute_button.disabled = True
        shown = text if text == COMPUTING else f"{COMPUTING} {text}"
        self.status.value = f"<i class='se-evidence-busy'>{html.escape(shown)}</i>"

    def _uploaded(self, change: dict[str, Any]) -> None:
        files = change["new"]
        if files:
            upload = files[-1]
            self.load_bytes(str(upload["name"]), upload["content"])

    def _kind_changed(self, change: dict[str, Any]) -> None:
        kind = change["new"]
        self.system_row.layout.display = "" if kind == "tickets" else "none"
        self.column_row.layout.display = "" if kind in SCORE_SURVEYS else "none"
        self.discard()

    def _show_issues(self, issues: Iterable[Issue]) -> None:
        issues = list(issues)
        items = "".join(f"<li>{html.escape(str(i))}</li>" for i in issues)
        self.issues.value = (f"<div class='se-evidence-issues' style='color:{RED}'><b>The file "
                             f"could not be used ({len(issues)} problem"
                             f"{'' if len(issues) == 1 else 's'}):</b><ul>{items}</ul></div>")

    def _guarded(self, fn: Any) -> Any:
        """A callback that never raises into the front end: an unexpected error is shown in
        one sentence in the panel."""
        def run(*args: Any) -> Any:
            try:
                return fn(*args)
            except Exception as exc:  # noqa: BLE001 - shown, not raised
                self.compute_button.disabled = False
                self.status.value = ""
                self._show_issues([Issue(f"{type(exc).__name__}: {exc}",
                                         "report this with the file's first lines")])
                return None
        return run


def _unknown(form: EvidenceTarget, figures: Iterable[EvidenceFigure]) -> list[EvidenceFigure]:
    return unknown_targets(figures, form.framework)


# --------------------------------------------------------------------------- the preview


def preview_html(framework: Any, data: IntakeData, report: EvidenceReport, name: str) -> str:
    """The preview of ``report`` against the form's ``data``: one row per figure (what the
    form holds now, the computed value, n, 95% interval, period), the rows left out by reason
    and what could not be computed. Every text from the file is escaped."""
    kpis = {k.id: k for k in framework.kpis}
    dims = {i.id: i.name for i in framework.questionnaires["customer_expectations"].items}
    labels = {spec.key: spec.label for spec in PROFILE_FIELDS}
    currency = data.profile.get("currency") or framework.settings.currency
    unknown = set(unknown_targets(report.figures, framework))
    rows = []
    for fig in report.figures:
        now = None if fig in unknown else slot(data, fig.target, fig.id)[0]
        if fig in unknown:
            label, unit = fig.id, ""
        elif fig.target == "kpi":
            label, unit = kpis[fig.id].name, kpis[fig.id].unit
        elif fig.target == "profile":
            label, unit = labels.get(fig.id, fig.id), WHOLE
        else:
            dim, _, rating = fig.id.rpartition(".")
            label, unit = f"{dims.get(dim, dim)}: {rating}", RATING
        rows.append(_figure_row(fig, label, unit, now, currency, fig in unknown))
    period = (f"{report.period_from or '?'} to {report.period_to or '?'}"
              + (f" ({format_number(report.period_days, 1)} days)"
                 if report.period_days is not None else ""))
    rows_read = report.source.get("rows")
    head = (f"<p><b>Preview</b> of <span class='se-evidence-name'>{html.escape(name)}</span>"
            f" ({html.escape(report.source_label)}): "
            + (f"{rows_read:,} rows read, " if isinstance(rows_read, int) else "")
            + f"period {html.escape(period)}. Nothing is in the form until you accept it.</p>")
    table = ("<table class='se-evidence-table'><tr><th>KPI / field</th><th>In the form now</th>"
             "<th>Computed</th><th>n</th><th>95% interval</th><th>Period</th></tr>"
             + "".join(rows) + "</table>") if rows else "<p><i>No value could be computed.</i></p>"
    parts = ["<div class='se-evidence-preview'>", head, table]
    if report.excluded:
        items = "".join(
            f"<tr><td>{html.escape(e.reason)}</td><td>{html.escape(e.description)}</td>"
            f"<td>{e.rows:,}</td><td>{html.escape(', '.join(map(str, e.first_rows)))}"
            + (", …" if e.rows > len(e.first_rows) else "") + "</td></tr>"
            for e in report.excluded)
        parts.append(f"<p>Rows left out ({report.rows_left_out:,}; the header is row 1):</p>"
                     "<table class='se-evidence-excluded'><tr><th>Reason</th><th>Meaning</th>"
                     f"<th>Rows</th><th>First rows</th></tr>{items}</table>")
    if report.unavailable:
        names = {**{k: v.name for k, v in kpis.items()}, **dims}
        items = "".join(f"<li>{html.escape(names.get(k, k))}: {html.escape(reason)}</li>"
                        for k, reason in report.unavailable)
        parts.append(f"<p>Could not be computed:</p><ul class='se-evidence-unavailable'>"
                     f"{items}</ul>")
    return "".join(parts) + "</div>"


def _figure_row(fig: EvidenceFigure, label: str, unit: str, now: Any, currency: str | None,
                unknown: bool) -> str:
    def shown(value: Any) -> str:
        if value is None:
            return DASH
        if not isinstance(value, int | float) or isinstance(value, bool):
            return str(value)
        if unit == WHOLE:
            return format_number(value, 0)
        if unit == RATING:
            return format_number(value, 2)
        if unit == "hours":  # a median of minutes: 52.5 min is 0.88 h, not 0.9
            return f"{format_number(value, 2)} h"
        return format_value(value, unit, currency)

    computed = shown(round(fig.value) if unit == WHOLE and fig.value is not None
                     else fig.value)
    notes = [x for x in (
        f"sd {format_number(fig.sd, 2)}" if fig.sd is not None else "",
        fig.note, "not in this framework: not applied" if unknown else "") if x]
    if notes:
        computed += f" ({'; '.join(notes)})"
    interval = (f"{shown(fig.ci[0])} to {shown(fig.ci[1])}" if fig.ci else DASH)
    period = f"{fig.period_from or '?'} to {fig.period_to or '?'}"
    return (f"<tr class='se-evidence-row' data-target='{html.escape(fig.target)}' "
            f"data-id='{html.escape(fig.id)}'><td title='{html.escape(fig.definition)}'>"
            f"{html.escape(label)}</td><td>{html.escape(shown(now))}</td>"
            f"<td><b>{html.escape(computed)}</b></td><td>{fig.n:,}</td>"
            f"<td>{html.escape(interval)}</td><td>{html.escape(period)}</td></tr>")
