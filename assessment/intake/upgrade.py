"""Upgrade a version 1.0 intake workbook to the current template (``upgrade-intake``).

Version 2.0 (methodology §7) asks for more than 1.0 did (peer group, exchange rate, HDI's
alignment question, the yearly volumes) and leaves targets blank instead of pre-filling them.
:func:`upgrade_intake` reads a 1.0 workbook as carefully as the reader reads any client file
(the same size, zip and XML checks, defusedxml, no formula evaluated), finds its tables by their
machine keys, and writes a fresh 2.0 workbook with every answer copied:

- profile values, KPI current values, notes, practice answers and expectation ratings;
- a 1.0 target only where it differs from the 1.0 framework's default: the 1.0 template
  pre-filled every target with the default, so an unchanged one was never the client's own and
  must not become an override (blank now means the framework's target for the peer group);
- KPIs and items the framework no longer has (``cost_per_customer``) are dropped and listed
  with their values.

A 1.0 workbook has no Initiatives or Findings sheet: the new workbook gets them blank.

The :class:`UpgradeReport` says what was copied, what was dropped and what the client still has
to fill in, each with its cell. A problem in the old workbook (a value no version accepts, a
missing sheet) raises :class:`~assessment.core.errors.IntakeError` naming the old cell; nothing
is written then. The old file is never written to.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl.utils.cell import coordinate_to_tuple, get_column_letter
from openpyxl.workbook.workbook import Workbook

from assessment.core.defaults import DEFAULT_MAX_BYTES
from assessment.core.errors import IntakeError, Issue, printable
from assessment.core.format import format_value
from assessment.core.framework import PRACTICE_QUESTIONNAIRES, Framework, Kpi
from assessment.core.model import PROFILE_REQUIRED, IntakeData
from assessment.files.write import atomic_write, workbook_bytes
from assessment.intake.layout import (
    FIRST_ROW,
    INFO_CELLS,
    KEY_ROW,
    PROFILE_FIELDS,
    SHEETS,
    SUPPORTED_VERSIONS,
    TEMPLATE_DATE,
    TEMPLATE_VERSION,
    UPGRADABLE_VERSIONS,
    VERSION_LABEL,
    VERSION_NAME,
    VOLUME_FIELDS,
    profile_help,
)
from assessment.intake.reader import (
    INVALID,
    PROFILE_LABELS,
    RESERVED_PROFILE_KEYS,
    InvalidValue,
    Table,
    WorkbookReader,
    clean_text,
    open_workbook,
    profile_value,
)
from assessment.intake.template import fill_intake

#: The framework the shipped 1.0 template was made for, and its default targets (every KPI
#: that was not a band): the 1.0 template pre-filled these into the Target column.
V1_FRAMEWORK = ("Support Excellence Default Framework", "1.0")
V1_DEFAULT_TARGETS: dict[str, float] = {
    "support_cost_pct_revenue": 0.06, "support_gross_margin": 0.7, "support_revenue_growth": 0.08,
    "cost_per_customer": 300.0, "support_sourced_revenue": 0.05, "csat": 0.85, "nps": 40.0,
    "customer_effort_score": 0.8, "customer_retention_rate": 0.92, "escalation_rate": 0.05,
    "cost_per_case": 25.0, "cases_per_engineer_month": 175.0,
    "self_service_resolution_rate": 0.2, "support_demand_per_customer": 2.0,
    "engineer_satisfaction": 0.8, "first_contact_resolution": 0.8, "time_to_resolve": 24.0,
    "time_to_first_response": 1.0, "sla_attainment": 0.95, "reopen_rate": 0.03,
    "contract_renewal_rate": 0.9, "recurring_revenue_rate": 1.0, "on_time_renewal_rate": 0.9,
    "attach_rate": 0.85, "win_back_rate": 0.25, "annual_price_uplift": 0.05,
}
#: Why a KPI of the 1.0 framework is gone (shown when its values are dropped).
REMOVED_KPIS: dict[str, str] = {
    "cost_per_customer": "framework 2.0 removed it: cost per customer is cost per case × "
                         "support demand per customer, one cost driver counted twice",
}


@dataclass(frozen=True)
class Dropped:
    """A value of the old workbook that has no place in the new one."""

    cell: str  # Sheet!Cell in the old workbook
    what: str
    value: str
    reason: str

    def __str__(self) -> str:
        return printable(f"{self.cell}: {self.what} = {self.value} — {self.reason}")


@dataclass(frozen=True)
class ToFill:
    """A cell of the new workbook the client still has to fill in (or check)."""

    cell: str  # Sheet!Cell in the new workbook
    what: str
    why: str = ""

    def __str__(self) -> str:
        return printable(f"{self.cell}: {self.what}" + (f" — {self.why}" if self.why else ""))


@dataclass
class UpgradeReport:
    """What :func:`upgrade_intake` did: counts copied, values dropped, cells left to fill."""

    old: Path
    new: Path
    old_version: str
    data: IntakeData
    copied: dict[str, int] = field(default_factory=dict)
    kept_targets: list[ToFill] = field(default_factory=list)
    default_targets: list[str] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)
    to_fill: list[ToFill] = field(default_factory=list)
    blank_kpis: list[ToFill] = field(default_factory=list)
    blank_answers: int = 0
    warnings: list[str] = field(default_factory=list)

    def text(self) -> str:
        """The report as the command prints it."""
        lines = [f"Upgraded {printable(self.old.name)} (intake template {self.old_version}) to "
                 f"{printable(str(self.new))} (template {TEMPLATE_VERSION}).",
                 "Copied: " + ", ".join(f"{n} {what}" for what, n in self.copied.items()) + "."]
        if self.kept_targets:
            lines.append("Own targets kept (they differ from the old framework's default; "
                         "check them against the targets of your peer group):")
            lines += [f"  {t}" for t in self.kept_targets]
        if self.default_targets:
            lines.append(f"Not copied: {len(self.default_targets)} target(s) the old template "
                         "had pre-filled with the framework's default; a blank target now "
                         "means the framework's target for your peer group ("
                         + ", ".join(self.default_targets) + ").")
        if self.dropped:
            lines.append("Dropped (no place in the new framework):")
            lines += [f"  {d}" for d in self.dropped]
        lines += [f"warning: {printable(w)}" for w in self.warnings]
        lines.append(f"Still to fill in, in {printable(self.new.name)}:")
        lines += [f"  {t}" for t in self.to_fill] or ["  nothing on the Profile sheet"]
        if self.blank_kpis:
            lines.append(f"  {len(self.blank_kpis)} KPI(s) without a current value "
                         "(blank counts as missing data):")
            lines += [f"    {t}" for t in self.blank_kpis]
        if self.blank_answers:
            lines.append(f"  {self.blank_answers} practice answer(s) or rating(s) left blank")
        return "\n".join(lines)


def upgrade_intake(old: str | Path, new: str | Path, framework: Framework, *,
                   max_bytes: int = DEFAULT_MAX_BYTES) -> UpgradeReport:
    """Copy every answer of the version 1.0 workbook ``old`` into a new current-version
    workbook ``new`` (written atomically) for ``framework``; returns the report.

    Raises :class:`IntakeError` (nothing written) when ``old`` cannot be upgraded: not a
    readable workbook, not version 1.0, a value that is not valid, or ``new`` is ``old``.
    """
    old, new = Path(old), Path(new)
    source = str(old)
    _check_target(old, new)
    formulas, values, file_warnings = open_workbook(old, max_bytes)
    upgrader = _Upgrader(framework, formulas, values)
    report = upgrader.collect(old, new)
    if upgrader.issues:
        raise IntakeError(upgrader.issues, source)
    report.warnings[:0] = file_warnings
    wb = fill_intake(framework, report.data)
    atomic_write(new, workbook_bytes(wb, report.data.assessment_date or TEMPLATE_DATE))
    upgrader.left_to_fill(wb, report)
    return report


def _check_target(old: Path, new: Path) -> None:
    def refuse(message: str, expected: str) -> IntakeError:
        return IntakeError([Issue(message, expected, path=str(new))], str(old))

    if new.suffix.lower() != ".xlsx":
        raise refuse(f"the new workbook '{new.name}' must be an .xlsx file",
                     "a name such as intake-v2.xlsx")
    same = new.resolve() == old.resolve() or (
        new.exists() and old.exists() and new.samefile(old))
    if same:
        raise refuse("the new workbook would overwrite the old one",
                     "another file name for the new workbook; the old one is kept as it is")
    if new.exists() and not new.is_file():
        raise refuse(f"'{new}' is not a file", "the path of the new .xlsx workbook")


class _Upgrader(WorkbookReader):
    """Reads a 1.0 workbook by its machine keys with the reader's cell rules; unknown rows
    are dropped and listed instead of refused, and a required profile value may be blank."""

    #: Where :meth:`table_rows` lists dropped rows (set by :meth:`collect`).
    report: UpgradeReport

    def collect(self, old: Path, new: Path) -> UpgradeReport:
        """Everything the old workbook says (issues collected in ``self.issues``)."""
        data = IntakeData(profile={}, warnings=self.warnings)
        report = UpgradeReport(old, new, "", data, warnings=self.warnings)
        version = self.old_version()
        if version is None:
            return report
        report.old_version = version
        defaults = self.old_defaults()
        data.profile = self.old_profile()
        data.current = dict.fromkeys(k.id for k in self.fw.kpis)
        self.old_kpis(data, report, defaults)
        self.report = report
        for qid in PRACTICE_QUESTIONNAIRES:
            data.answers[qid] = self.practices(qid, data.notes)
        data.ratings = self.expectations(data.notes)
        answers = sum(a is not None for q in data.answers.values() for a in q.values())
        ratings = sum(v is not None for r in data.ratings.values() for v in r.values())
        report.copied = {
            "profile answers": len(data.profile),
            "KPI current values": sum(v is not None for v in data.current.values()),
            "own targets": len(data.targets), "notes": len(data.notes),
            "practice answers": answers, "ratings": ratings,
        }
        return report

    # ------------------------------------------------------------------- version, framework

    def old_version(self) -> str | None:
        sheet, cell = SHEETS["instructions"], INFO_CELLS[VERSION_NAME]
        expected = (f"an intake workbook of template version {' or '.join(UPGRADABLE_VERSIONS)}"
                    " (Instructions, cell B3)")
        where = self.defined_cell(VERSION_NAME) or self.labelled_cell(VERSION_LABEL)
        if where is None:
            self.issue(sheet, cell, "the template version is missing", expected)
            return None
        formulas, values, cell = where
        value = self.raw(formulas, values, *coordinate_to_tuple(cell))
        if value is None or value is INVALID:
            if value is None:
                self.issue(values.title, cell, "the template version is missing", expected)
            return None
        version = repr(value) if isinstance(value, float) else clean_text(value)
        if version in SUPPORTED_VERSIONS:
            self.issue(values.title, cell, f"this workbook is already template version "
                       f"{version}: there is nothing to upgrade",
                       "score or validate it as it is")
            return None
        if version not in UPGRADABLE_VERSIONS:
            self.issue(values.title, cell, f"template version {version!r} cannot be upgraded",
                       expected)
            return None
        return version

    def old_defaults(self) -> dict[str, float]:
        """The targets the old template pre-filled: the shipped 1.0 framework's, or (for a
        workbook of another framework, whose defaults are not known) the current framework's."""
        names = []
        for name in ("framework_name", "framework_version"):
            where = self.defined_cell(name)
            value = where[1][where[2]].value if where else None
            names.append(clean_text(value) if value is not None else "")
        if tuple(names) == V1_FRAMEWORK:
            return V1_DEFAULT_TARGETS
        self.warnings.append(
            f"the workbook was made for the framework {names[0] or '?'!r} {names[1] or '?'}, "
            "whose default targets are not known here: only targets that differ from the "
            f"current framework's ({self.fw.name} {self.fw.version}) are kept")
        return {k.id: k.target for k in self.fw.kpis if k.target is not None}

    # ------------------------------------------------------------------- profile

    def old_profile(self) -> dict[str, Any]:
        t = self.table("profile", ("field", "value"))
        out: dict[str, Any] = {}
        if t is None:
            return out
        seen: dict[str, str] = {}
        for row in t.rows():
            key = self.text(t, row, "field")
            value = self.cell(t, row, "value")
            if key is INVALID or value is INVALID or key is None:
                continue  # a value without a key was never read: nothing to copy
            key = key.lower()
            if key in seen:
                self.issue(t.title, t.coord(row, "field"),
                           f"the {PROFILE_LABELS.get(key) or repr(key)} row appears twice "
                           f"(first at {seen[key]})", "each field once — delete one of the rows")
                continue
            seen[key] = t.coord(row, "field")
            if key in RESERVED_PROFILE_KEYS:
                self.issue(t.title, t.coord(row, "field"),
                           f"the key {key!r} is reserved for the organization's name",
                           "another key for this extra row (e.g. trading_name), or delete it")
                continue
            if value is None or (key in PROFILE_REQUIRED and not clean_text(value)):
                continue  # blank: listed as still to fill in
            try:
                parsed = profile_value(key, value, self.fw)
            except InvalidValue as bad:
                self.issue(t.title, t.coord(row, "value"), bad.message, bad.expected)
                continue
            if parsed is not None:
                out[key] = parsed
        return out

    # ------------------------------------------------------------------- KPIs

    def old_kpis(self, data: IntakeData, report: UpgradeReport,
                 defaults: dict[str, float]) -> None:
        t = self.table("kpis", ("kpi_id", "current", "target"))
        if t is None:
            return
        known = {k.id: k for k in self.fw.kpis}
        for kpi_id, row in self.old_rows(t, "kpi_id", "KPI", known, report,
                                         ("current", "target", "notes")):
            kpi = known[kpi_id]
            current = self.kpi_value(t, row, "current", kpi)
            if current is not INVALID:
                data.current[kpi_id] = current
            note = self.text(t, row, "notes", multiline=True)
            if isinstance(note, str):
                data.notes[kpi_id] = note
            if kpi.direction != "band":
                self.old_target(t, row, kpi, data, report, defaults)

    def old_target(self, t: Table, row: int, kpi: Kpi, data: IntakeData,
                   report: UpgradeReport, defaults: dict[str, float]) -> None:
        target = self.kpi_value(t, row, "target", kpi)
        if target is None or target is INVALID:
            return
        default = defaults.get(kpi.id)
        if default is not None and math.isclose(target, default, rel_tol=1e-9, abs_tol=1e-12):
            report.default_targets.append(kpi.id)
            return
        data.targets[kpi.id] = target
        report.kept_targets.append(ToFill(
            f"{printable(t.title)}!{t.coord(row, 'target')} (old)",
            f"{kpi.name} ({kpi.id}) {format_value(target, kpi.unit)}",
            "old default " + format_value(default, kpi.unit) if default is not None else ""))

    def old_rows(self, t: Table, id_key: str, what: str, known: dict[str, Any],
                 report: UpgradeReport, inputs: tuple[str, ...]) -> list[tuple[str, int]]:
        """Rows with a known, first-seen id; rows of ids the framework no longer has are
        dropped into the report with their values."""
        seen: dict[str, str] = {}
        out = []
        for row in t.rows():
            raw_id = self.text(t, row, id_key)
            if raw_id is None or raw_id is INVALID:
                continue
            item_id = raw_id.lower()
            coord = t.coord(row, id_key)
            if item_id in seen:
                self.issue(t.title, coord,
                           f"duplicate {what} id {item_id!r} (first at {seen[item_id]})",
                           f"each {what} once — delete one of the rows")
                continue
            seen[item_id] = coord
            if item_id in known:
                out.append((item_id, row))
                continue
            shown = []
            for key in inputs:
                value = self.cell(t, row, key) if key in t.cols else None
                if value is not None and value is not INVALID:
                    shown.append(f"{key} {_shown(value)}")
            reason = REMOVED_KPIS.get(item_id) or (
                f"framework {self.fw.name} {self.fw.version} has no {what} {item_id!r}")
            report.dropped.append(Dropped(f"{printable(t.title)}!{coord}", f"{what} {item_id}",
                                          ", ".join(shown) or "blank", reason))
        return out

    # ------------------------------------------------------------------- questionnaires

    def table_rows(self, t: Table, id_key: str, known: dict[str, Any], what: str,
                   inputs: tuple[str, ...]) -> list[tuple[str, int]]:
        """The questionnaire rows to copy: rows of removed ids go into the report."""
        return self.old_rows(t, id_key, what, known, self.report, (*inputs, "notes"))

    # ------------------------------------------------------------------- what is left

    def left_to_fill(self, wb: Workbook, report: UpgradeReport) -> None:
        """The cells of the new workbook ``wb`` the client still has to fill in."""
        profile, fw = report.data.profile, self.fw
        ws = wb[SHEETS["profile"]]
        rows = _rows(ws)
        own = fw.settings.currency
        currency = profile.get("currency")
        for spec in PROFILE_FIELDS:
            if spec.key in profile or spec.key not in rows:
                continue
            cell = f"{ws.title}!C{rows[spec.key]}"
            if spec.required:
                report.to_fill.append(ToFill(cell, spec.label, "required"))
            elif spec.key == "segment" and fw.settings.segments:
                report.to_fill.append(ToFill(cell, spec.label, "one of " + ", ".join(
                    fw.settings.segments) + "; it picks the targets you are compared with"))
            elif spec.key == "fx_rate":
                if currency is None or currency != own:
                    why = (f"how many {currency} one {own} buys: required, as {currency} is not "
                           f"{own}" if currency else f"required if your currency is not {own}")
                    report.to_fill.append(ToFill(cell, spec.label, why))
            elif spec.key == "self_rated_alignment" or spec.key in VOLUME_FIELDS:
                why = "" if spec.key in VOLUME_FIELDS else profile_help(spec, fw)
                if spec.key == "contract_revenue_base" and profile.get(
                        "support_model") == "internal":
                    continue
                report.to_fill.append(ToFill(cell, spec.label, why or "new in version 2.0"))
        ws = wb[SHEETS["kpis"]]
        rows = _rows(ws)
        column = get_column_letter(
            next(c.column for c in ws[KEY_ROW] if c.value == "current"))
        model = profile.get("support_model")
        for kpi in fw.kpis:
            if report.data.current.get(kpi.id) is None and kpi.applies(model) \
                    and kpi.id in rows:
                report.blank_kpis.append(ToFill(f"{ws.title}!{column}{rows[kpi.id]}",
                                                f"{kpi.name} ({kpi.id})"))
        report.blank_answers = sum(
            a is None for qid, q in report.data.answers.items()
            if fw.questionnaires[qid].applies(model) for a in q.values()) + sum(
            v is None for r in report.data.ratings.values() for v in r.values())


def _rows(ws: Any) -> dict[str, int]:
    """Id in column A -> row, on a sheet of the new workbook."""
    return {str(ws.cell(row, 1).value): row for row in range(FIRST_ROW, ws.max_row + 1)
            if ws.cell(row, 1).value and row > KEY_ROW}


def _shown(value: Any) -> str:
    """An old cell's value as the report shows it (a number unrounded, text quoted)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:.10g}"
    text = clean_text(value)
    return repr(text[:80] + ("…" if len(text) > 80 else ""))

