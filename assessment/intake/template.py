"""The intake workbook: the blank template clients fill in, and filled copies of it.

Layout (methodology §7): an Instructions sheet, a Profile sheet, a KPI sheet and one sheet per
questionnaire. Every table has a human label row and, below it, a row of stable machine keys
(``kpi_id``, ``current``, ``target`` …) that :mod:`assessment.intake.reader` finds tables by. Input
cells are yellow, unlocked and validated; everything else is locked on sheets protected without
a password. The template version sits in a locked cell on Instructions that the workbook-level
defined name ``template_version`` points to.

Version 2.0 (methodology §7): the Profile asks for the peer group (segment), the exchange rate
to the framework's currency, HDI's 0-10 alignment question and the volumes; the KPI sheet's
target cells are left blank (blank = the framework's target for the peer group, converted to
the client's currency), and the framework's targets per peer group are shown beside them.
Two optional sheets follow when the framework has rows for them (still version 2.0): Initiatives
(which of the framework's initiatives the client takes on, with owner, due date, status and
what stands in the way: steps 7-8 of the ten practices) and Findings (the consultant's own
wording of an executive-summary finding).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.utils.datetime import to_excel
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from assessment.core.format import (
    EFFORT_LABELS,
    HORIZON_LABELS,
    benchmark_text,
    direction_label,
    format_value,
    value_range,
)
from assessment.core.framework import AREAS, PRACTICE_QUESTIONNAIRES, Framework, Kpi
from assessment.core.model import NA, RATING_KEYS, SUPPORT_MODELS, IntakeData
from assessment.files.write import atomic_write, workbook_bytes
from assessment.files.xlsx import (
    fit_row_heights,
    list_formula,
    set_text,
    set_value,
    short_text,
)
from assessment.intake.layout import (
    ANSWER_MEANINGS,
    CURRENCIES,
    EVIDENCE_COLUMNS,
    EXPECTATION_COLUMNS,
    FINDING_COLUMNS,
    FINDING_RULES,
    FIRST_ROW,
    INFO_CELLS,
    INITIATIVE_COLUMNS,
    INITIATIVE_INPUTS,
    INITIATIVE_STATUSES,
    KEY_ROW,
    KPI_COLUMNS,
    LABEL_ROW,
    MAX_OWNER_TEXT,
    MAX_TRACKING_TEXT,
    NA_LABEL,
    PRACTICE_COLUMNS,
    PROFILE_COLUMNS,
    PROFILE_FIELDS,
    PROFILE_FORMATS,
    RATING_LABELS,
    SHEETS,
    TEMPLATE_DATE,
    TEMPLATE_VERSION,
    UNIT_FORMATS,
    UNIT_LABELS,
    UPGRADE_COMMAND,
    VERSION_LABEL,
    YES_NO,
    Column,
    ProfileField,
    answer_labels,
    profile_help,
)

# ----------------------------------------------------------------------------- styles

_THIN = Side(style="thin", color="B7B7B7")
_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_SECTION_FILL = PatternFill("solid", fgColor="DDEBF7")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_TITLE_FONT = Font(bold=True, size=14, color="1F4E79")
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_KEY_FONT = Font(size=8, italic=True, color="808080")
_LOCKED = Protection(locked=True)
_UNLOCKED = Protection(locked=False)
_WRAP = Alignment(wrap_text=True, vertical="top")
_TOP = Alignment(vertical="top")


# ----------------------------------------------------------------------------- public API


def build_template(framework: Framework) -> Workbook:
    """The blank intake workbook for ``framework``."""
    wb = Workbook()
    _instructions(wb.active, framework)
    _profile(wb.create_sheet(SHEETS["profile"]), framework)
    _kpis(wb.create_sheet(SHEETS["kpis"]), framework)
    for qid in PRACTICE_QUESTIONNAIRES:
        _practices(wb.create_sheet(SHEETS[qid]), framework, qid)
    _expectations(wb.create_sheet(SHEETS["customer_expectations"]), framework)
    if framework.initiatives:
        _initiatives(wb.create_sheet(SHEETS["initiatives"]), framework)
    if framework.findings:
        _findings(wb.create_sheet(SHEETS["findings"]), framework)
    for ws in wb.worksheets:
        fit_row_heights(ws)
    for name, cell in INFO_CELLS.items():
        ref = f"{quote_sheetname(SHEETS['instructions'])}!${cell[0]}${cell[1:]}"
        wb.defined_names[name] = DefinedName(name, attr_text=ref)
    props = wb.properties
    props.title = short_text(f"Support excellence intake — {framework.name}", 250)
    props.subject = "Technical support excellence assessment: intake workbook"
    props.creator = props.lastModifiedBy = "support-excellence"
    props.keywords = f"template_version={TEMPLATE_VERSION}"
    props.version = TEMPLATE_VERSION
    props.description = short_text(f"Intake template {TEMPLATE_VERSION} for framework "
                                   f"{framework.name} {framework.version}", 250)
    return wb


def fill_intake(framework: Framework, data: IntakeData) -> Workbook:
    """The template with the values of ``data`` in its input cells.

    Percents are written as fractions in percent-formatted cells, answers as dropdown labels,
    n/a as ``"n/a"``; blanks (None) stay blank. Initiative tracking (``data.initiatives``) and
    finding wording (``data.finding_wording``) go on their optional sheets; ids the framework
    does not have are left out. A target is written only where ``data.targets``
    has one (the client's own); the others stay blank. Notes of questionnaire items are looked up
    under ``"<questionnaire>.<item id>"``, as :func:`assessment.intake.reader.read_intake`
    stores them.
    """
    wb = build_template(framework)
    _fill_profile(wb[SHEETS["profile"]], data.profile)
    ws = wb[SHEETS["kpis"]]
    cols = _key_columns(ws)
    for kpi_id, row in _id_rows(ws).items():
        kpi = framework.kpi(kpi_id)
        _put(ws.cell(row, cols["current"]), data.current.get(kpi_id))
        if kpi_id in data.targets and kpi.direction != "band":
            _put(ws.cell(row, cols["target"]), data.targets[kpi_id])
        _put(ws.cell(row, cols["notes"]), data.notes.get(kpi_id))
    labels = answer_labels(framework)
    for qid in PRACTICE_QUESTIONNAIRES:
        ws = wb[SHEETS[qid]]
        cols = _key_columns(ws)
        answers = data.answers.get(qid, {})
        for item_id, row in _id_rows(ws).items():
            answer = answers.get(item_id)
            value = NA_LABEL if answer == NA else None if answer is None else labels[int(answer)]
            _put(ws.cell(row, cols["answer"]), value)
            _put(ws.cell(row, cols["notes"]), data.notes.get(f"{qid}.{item_id}"))
    ws = wb[SHEETS["customer_expectations"]]
    cols = _key_columns(ws)
    for dim_id, row in _id_rows(ws).items():
        for key in RATING_KEYS:
            _put(ws.cell(row, cols[key]), data.ratings.get(dim_id, {}).get(key))
        _put(ws.cell(row, cols["notes"]), data.notes.get(f"customer_expectations.{dim_id}"))
    _fill_tracking(wb, data)
    if data.evidence:
        _evidence(wb, data)
    return wb


def write_template(framework: Framework, path: str | Path) -> Path:
    """Write the blank template to ``path``, byte for byte reproducibly."""
    return atomic_write(path, workbook_bytes(build_template(framework), TEMPLATE_DATE))


def write_intake(framework: Framework, data: IntakeData, path: str | Path) -> Path:
    """Write a filled intake workbook, timestamped with the assessment date."""
    when = data.assessment_date or TEMPLATE_DATE
    return atomic_write(path, workbook_bytes(fill_intake(framework, data), when))


# ----------------------------------------------------------------------------- sheets


def _instructions(ws: Worksheet, fw: Framework) -> None:
    ws.title = SHEETS["instructions"]
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = 100
    set_text(ws["A1"], "Support excellence assessment — intake workbook").font = _TITLE_FONT
    for cell, label, value in zip(
            INFO_CELLS.values(), (VERSION_LABEL, "Framework", "Framework version"),
            (TEMPLATE_VERSION, fw.name, fw.version), strict=True):
        set_text(ws[f"A{cell[1:]}"], label).font = Font(bold=True)
        _text(ws[cell], value)
    labels = answer_labels(fw)
    sections: list[tuple[str, list[str]]] = [
        ("How to fill it in", [
            "Type only in the yellow cells; everything else is locked. The sheets are protected "
            "without a password, only to prevent accidental edits.",
            "Profile: who you are, your peer group, your currency and your yearly volumes. "
            "KPIs: your current figures and, if you want, your own targets. Renewal "
            "practices and Excellence practices: how established each practice is. Customer "
            "expectations: three 1–5 ratings per dimension.",
            "Do not rename the sheets or change the small grey key row under each header: the "
            "scoring tool finds every table by those keys. You may add notes.",
            "Formulas are fine, but save the file in Excel or LibreOffice so their results are "
            "stored: the scoring tool never calculates a formula itself.",
        ]),
        ("Blank means missing", [
            "Leave a cell blank when you do not have the figure. Blank means missing data and "
            "is never read as zero; type 0 only when the true value is zero.",
        ]),
        ("Units", [
            "Percentages: type them as percentages, e.g. 85% (Excel stores this as 0.85). "
            "Typing 0.85 also works.",
            "Currency: amounts in the currency chosen on the Profile sheet, without symbols.",
            "Hours: decimal hours, e.g. 1.5 for 90 minutes. Scores (such as NPS): -100 to 100.",
        ]),
        ("Peer group, currency and targets", [
            "Peer group: choose the kind of support organization you are on the Profile sheet; "
            "each peer group has its own targets (an internal IT desk is not held to the "
            "targets of product support). Left blank, the framework's general targets apply.",
            f"The framework's money figures are in {fw.settings.currency}. If your currency "
            "is another one, give the exchange rate on the Profile sheet: how many units of "
            f"your currency one {fw.settings.currency} buys (e.g. 0.92 for EUR). Without it "
            "the intake cannot be scored.",
            "Leave the target cells blank to use the framework's target for your peer group, "
            "converted to your currency (the column 'Framework target' shows them). Type a "
            "target only to use your own, in your currency. Targets of band KPIs (best "
            "inside a range) are fixed.",
        ]),
        ("Practice answers (0–4)", [
            *(f"{label}: {meaning}." for label, meaning in zip(labels, ANSWER_MEANINGS,
                                                              strict=True)),
            f"{NA_LABEL}: the practice does not apply to you; it is left out of the score. "
            "Leave the answer blank if you do not know.",
        ]),
        ("Customer expectation ratings (1–5)", [
            "For each dimension rate, from 1 (very low) to 5 (very high): how important it is "
            "to your customers, how customers see your current performance, and how high your "
            "support team itself ranks it. Averages of survey results such as 3.7 are fine.",
        ]),
        *([("Initiatives and findings (optional)", [
            *(["Initiatives: the framework groups its recommendations into initiatives. Mark "
               "the ones you take on (Chosen), with an owner, a due date (YYYY-MM-DD), a "
               "status and what stands in the way, so the next assessment reports progress "
               "on them. Statuses: " + "; ".join(
                   f"{key} = {text}" for key, text in INITIATIVE_STATUSES.items()) + "."]
              if fw.initiatives else []),
            *(["Findings: the executive summary's key findings are sentences the tool writes "
               "from the results. To say one in your own words, type your sentence in 'Your "
               "wording'; it is shown exactly as written. Blank = the generated sentence."]
              if fw.findings else []),
            "Both sheets may stay blank; a workbook without them is read as well.",
        ])] if fw.initiatives or fw.findings else []),
        ("Version", [
            f"This is intake template version {TEMPLATE_VERSION} for the framework "
            f"'{fw.name}' version {fw.version}. Workbooks of other template versions are "
            "refused: download a fresh template with `support-excellence template`. A "
            "version 1.0 workbook keeps its answers when upgraded with "
            f"`{UPGRADE_COMMAND}`.",
        ]),
    ]
    row = 7
    for heading, lines in sections:
        set_text(ws.cell(row, 1), heading).font = Font(bold=True, size=12, color="1F4E79")
        row += 1
        for line in lines:
            set_text(ws.cell(row, 2), line).alignment = _WRAP
            row += 1
        row += 1
    _finish(ws, freeze=None)
    ws.page_setup.fitToHeight = 1  # one printed page


def _profile(ws: Worksheet, fw: Framework) -> None:
    _table_head(ws, "Organization profile",
                "Required (*): organization, industry, support model, currency and assessment "
                f"date; the exchange rate too if your currency is not {fw.settings.currency}. "
                "The rest makes the assessment sharper: blank = unknown.", PROFILE_COLUMNS)
    for row, spec in enumerate(PROFILE_FIELDS, FIRST_ROW):
        set_text(ws.cell(row, 1), spec.key)
        set_text(ws.cell(row, 2), spec.label + (" *" if spec.required else "")).font = Font(
            bold=spec.required)
        help_text = profile_help(spec, fw)
        set_text(ws.cell(row, 4), help_text).alignment = _WRAP
        cell = ws.cell(row, 3)
        _input(cell)
        cell.number_format = PROFILE_FORMATS.get(spec.kind, "@")
        _validate(ws, cell, *_profile_rule(spec, fw, help_text))
    _finish(ws, freeze=f"A{FIRST_ROW}")


def _profile_rule(spec: ProfileField, fw: Framework,
                  help_text: str) -> tuple[dict[str, Any], str, str]:
    """Validation rule, prompt title and prompt of one profile row."""
    currency = fw.settings.currency
    if spec.kind == "segment":
        if not fw.settings.segments:
            return _text_rule(0), spec.label, help_text
        return (_list_rule(fw.settings.segments), spec.label,
                "Choose your peer group; the Help column names each one. Blank = the "
                "framework's general targets.")
    if spec.kind == "rate":
        rule = {"type": "decimal", "operator": "greaterThan", "formula1": "0"}
        return (rule, spec.label, f"Units of your currency that 1 {currency} buys, e.g. 0.92 "
                f"for EUR. Blank if your currency is {currency}.")
    if spec.kind == "scale":
        rule = {"type": "decimal", "operator": "between", "formula1": "0", "formula2": "10"}
        return rule, spec.label, "Your own answer from 0 (not at all) to 10 (completely)."
    if spec.kind == "choice":
        return _list_rule(SUPPORT_MODELS), spec.label, "Choose " + " / ".join(SUPPORT_MODELS)
    if spec.kind == "currency":
        rule = {**_list_rule(CURRENCIES), "errorStyle": "warning"}
        return rule, spec.label, "Choose the 3-letter ISO code, or type another one (e.g. THB)."
    if spec.kind == "date":
        rule = {"type": "date", "operator": "between",
                "formula1": _num(to_excel(dt.date(2000, 1, 1))),
                "formula2": _num(to_excel(dt.date(2100, 12, 31)))}
        return rule, spec.label, "A date such as 2025-03-31."
    if spec.kind in ("amount", "count", "fte"):
        rule = {"type": "whole" if spec.kind == "count" else "decimal",
                "operator": "greaterThanOrEqual", "formula1": "0"}
        return rule, spec.label, f"{help_text}. A number of 0 or more; blank if unknown."
    required = "Required." if spec.required else "Optional."
    prompt = help_text if help_text.startswith(required[:-1]) else f"{help_text}. {required}"
    return _text_rule(200), spec.label, prompt


def _kpis(ws: Worksheet, fw: Framework) -> None:
    _table_head(ws, "Key performance indicators",
                "Enter current values in the yellow cells; leave blank when unknown (blank is "
                "missing, never zero). Percentages: type 85%. Leave 'Your own target' blank to "
                "use the framework's target for your peer group.", KPI_COLUMNS)
    by_segment = {sid: fw.resolved(sid) for sid in fw.settings.segments}
    row = FIRST_ROW
    for area in AREAS:
        kpis = fw.kpis_of(area)
        if not kpis:
            continue
        name = fw.element_names.get(area, "Renewal")
        for col in range(1, len(KPI_COLUMNS) + 1):
            ws.cell(row, col).fill = _SECTION_FILL
        set_text(ws.cell(row, 2), name).font = Font(bold=True, size=12)
        set_value(ws.cell(row, 3), fw.element_descriptions.get(area) or (
            "Contract renewals and recurring revenue." if area == "renewal" else ""))
        ws.cell(row, 3).font = Font(italic=True, color="595959")
        ws.cell(row, 3).alignment = _WRAP
        row += 1
        for kpi in kpis:
            _kpi_row(ws, fw, kpi, row, by_segment)
            row += 1
    _finish(ws, freeze=f"C{FIRST_ROW}")


def _kpi_row(ws: Worksheet, fw: Framework, kpi: Kpi, row: int,
             by_segment: dict[str, Framework]) -> None:
    fmt = UNIT_FORMATS[kpi.unit]
    lo, hi = fw.valid_range(kpi)
    set_text(ws.cell(row, 1), kpi.id)
    set_text(ws.cell(row, 2), kpi.name).font = Font(bold=True)
    set_text(ws.cell(row, 3), kpi.definition)
    set_text(ws.cell(row, 4), UNIT_LABELS[kpi.unit] + _range_note(kpi, lo, hi))
    set_text(ws.cell(row, 5), direction_label(kpi.direction))
    current, target, notes = ws.cell(row, 6), ws.cell(row, 7), ws.cell(row, 8)
    versions = {sid: seg_fw.kpi(kpi.id) for sid, seg_fw in by_segment.items()}
    inputs = [current]
    if kpi.direction == "band":
        assert kpi.band is not None
        same = all(k.band == kpi.band for k in versions.values())
        _text(target, f"{value_range(kpi.band[0], kpi.band[1], kpi.unit)} (band)" if same
              else "a band for each peer group (see Framework target)")
    else:
        inputs.append(target)
    for cell in inputs:
        _input(cell)
        cell.number_format = fmt
    set_text(ws.cell(row, 9), _framework_text(fw, kpi, versions))
    set_value(ws.cell(row, 10), _benchmark_text(fw, kpi))
    example = "85%" if kpi.unit == "percent" else "a number"
    prompt = (f"{kpi.name}: {_range_text(kpi, lo, hi)}. Type e.g. {example}. "
              "Blank = no data (never read as 0).")
    error = f"Enter {_range_text(kpi, lo, hi)}, e.g. {example}, or leave it blank."
    _validate(ws, current, _number_rule(lo, hi), "Current value", prompt, error)
    if len(inputs) > 1:
        money = " in your currency" if kpi.unit == "currency" else ""
        prompt = (f"Optional: your own target for {kpi.name}{money}. Blank = the framework's "
                  f"target for your peer group (column I). Allowed: {_range_text(kpi, lo, hi)}.")
        _validate(ws, target, _number_rule(lo, hi), "Your own target", prompt, error)
    _input(notes)
    _validate(ws, notes, _text_rule(2000), "Notes", "Optional: source, period, caveats.")
    for col in range(1, len(KPI_COLUMNS) + 1):
        cell = ws.cell(row, col)
        cell.border = _BORDER
        if col not in (6, 7, 8):
            cell.alignment = _WRAP if KPI_COLUMNS[col - 1].wrap else _TOP


def _practices(ws: Worksheet, fw: Framework, qid: str) -> None:
    questionnaire = fw.questionnaires[qid]
    _table_head(ws, questionnaire.name,
                "Answer each practice on the 0–4 scale (see Instructions) or n/a; leave blank "
                "if you do not know.", PRACTICE_COLUMNS)
    choices = [*answer_labels(fw), NA_LABEL]
    dv = _validation(ws, _list_rule(choices), "Answer",
                     "0 not in place … 4 optimized, or n/a if it does not apply. "
                     "Blank = unknown.")
    notes_dv = _validation(ws, _text_rule(2000), "Notes", "Optional: evidence, context.")
    for row, item in enumerate(questionnaire.items, FIRST_ROW):
        set_text(ws.cell(row, 1), item.id)
        set_text(ws.cell(row, 2), item.name).font = Font(bold=True)
        set_text(ws.cell(row, 3), item.text)
        for col in range(1, 6):
            ws.cell(row, col).border = _BORDER
            ws.cell(row, col).alignment = _WRAP
        _input(ws.cell(row, 4))
        dv.add(ws.cell(row, 4))
        _input(ws.cell(row, 5))
        notes_dv.add(ws.cell(row, 5))
    _finish(ws, freeze=f"A{FIRST_ROW}")


def _expectations(ws: Worksheet, fw: Framework) -> None:
    questionnaire = fw.questionnaires["customer_expectations"]
    _table_head(ws, questionnaire.name,
                "Rate each dimension from 1 (very low) to 5 (very high); decimals such as "
                "survey averages are fine. Blank = unknown.", EXPECTATION_COLUMNS)
    rating_dvs = {key: _validation(ws, {"type": "decimal", "operator": "between",
                                        "formula1": "1", "formula2": "5"},
                                   RATING_LABELS[key][:32], "A rating from 1 to 5, e.g. 4.")
                  for key in RATING_KEYS}
    notes_dv = _validation(ws, _text_rule(2000), "Notes", "Optional.")
    for row, item in enumerate(questionnaire.items, FIRST_ROW):
        values = (item.id, item.name, item.satisfiers or "", item.dissatisfiers or "")
        for col, value in enumerate(values, 1):
            set_value(ws.cell(row, col), value)
        ws.cell(row, 2).font = Font(bold=True)
        for col in range(1, len(EXPECTATION_COLUMNS) + 1):
            ws.cell(row, col).border = _BORDER
            ws.cell(row, col).alignment = _WRAP
        for offset, key in enumerate(RATING_KEYS):
            cell = ws.cell(row, 5 + offset)
            _input(cell)
            cell.number_format = "0.0"
            rating_dvs[key].add(cell)
        _input(ws.cell(row, 8))
        notes_dv.add(ws.cell(row, 8))
    _finish(ws, freeze=f"C{FIRST_ROW}")


def _initiatives(ws: Worksheet, fw: Framework) -> None:
    statuses = "; ".join(f"{key} = {text}" for key, text in INITIATIVE_STATUSES.items())
    _table_head(ws, "Initiatives: what you will do, who owns it, what stands in the way",
                "Optional. Mark the initiatives you take on (Chosen = yes), with an owner, a "
                "due date (YYYY-MM-DD) and a status, and note what stands in the way. Status: "
                f"{statuses}. Blank rows record nothing.", INITIATIVE_COLUMNS)
    cols = {c.key: n for n, c in enumerate(INITIATIVE_COLUMNS, 1)}
    chosen = _validation(ws, _list_rule(YES_NO), "Chosen?",
                         "yes = you take this initiative on; no = you decided against it. "
                         "Blank = not decided.")
    owner = _validation(ws, _text_rule(MAX_OWNER_TEXT), "Owner",
                        "Optional: the person (or role) who owns it.")
    due = _validation(ws, {"type": "date", "operator": "between",
                           "formula1": _num(to_excel(dt.date(2000, 1, 1))),
                           "formula2": _num(to_excel(dt.date(2100, 12, 31)))},
                      "Due date", "Optional: when it should be done, e.g. 2026-09-30.")
    status = _validation(ws, _list_rule(INITIATIVE_STATUSES), "Status",
                         short_text(f"{statuses}. Blank = not tracked.", 255))
    texts = {key: _validation(ws, _text_rule(MAX_TRACKING_TEXT), title, prompt) for
             key, title, prompt in (
                 ("inhibitors", "What stands in the way",
                  "Optional: budget, tools, skills, ownership, other priorities …"),
                 ("notes", "Notes", "Optional."))}
    rules = {"chosen": chosen, "owner": owner, "due_date": due, "status": status, **texts}
    for row, item in enumerate(fw.initiatives, FIRST_ROW):
        shown = (item.id, item.name, item.description,
                 EFFORT_LABELS.get(item.effort, item.effort),
                 HORIZON_LABELS.get(item.horizon, item.horizon), item.owner)
        for col, value in enumerate(shown, 1):
            set_value(ws.cell(row, col), value)
        ws.cell(row, cols["name"]).font = Font(bold=True)
        for col, spec in enumerate(INITIATIVE_COLUMNS, 1):
            cell = ws.cell(row, col)
            cell.border = _BORDER
            cell.alignment = _WRAP if spec.wrap else _TOP
        for key in INITIATIVE_INPUTS:
            cell = ws.cell(row, cols[key])
            _input(cell)
            if INITIATIVE_COLUMNS[cols[key] - 1].wrap:
                cell.alignment = _WRAP
            rules[key].add(cell)
        ws.cell(row, cols["due_date"]).number_format = "yyyy-mm-dd"
    _finish(ws, freeze=f"C{FIRST_ROW}")


def _findings(ws: Worksheet, fw: Framework) -> None:
    _table_head(ws, "Key findings: your own wording",
                "Optional. The executive summary states 3–5 findings, each chosen by a rule "
                "below. To word one yourself, type your sentence under 'Your wording'; it "
                "replaces the generated sentence exactly as written. Blank = the generated "
                "sentence.", FINDING_COLUMNS)
    wording = _validation(ws, _text_rule(MAX_TRACKING_TEXT), "Your wording",
                          "Optional: one sentence that replaces the generated one, shown as "
                          "written. Blank = the generated sentence.")
    for row, finding in enumerate(fw.findings, FIRST_ROW):
        params = ", ".join(f"{key} {_num(value)}" for key, value in finding.params.items())
        what = FINDING_RULES.get(finding.rule, finding.rule)
        shown = (finding.id, finding.rule, f"{what} ({params})" if params else what,
                 finding.text)
        for col, value in enumerate(shown, 1):
            set_value(ws.cell(row, col), value)
        for col, spec in enumerate(FINDING_COLUMNS, 1):
            ws.cell(row, col).border = _BORDER
            ws.cell(row, col).alignment = _WRAP if spec.wrap else _TOP
        cell = ws.cell(row, len(FINDING_COLUMNS))
        _input(cell)
        cell.alignment = _WRAP
        wording.add(cell)
    _finish(ws, freeze=f"B{FIRST_ROW}")


# ----------------------------------------------------------------------------- helpers


def _table_head(ws: Worksheet, title: str, help_text: str, columns: Iterable[Column]) -> None:
    set_text(ws["A1"], title).font = _TITLE_FONT
    set_text(ws["A2"], help_text).font = Font(italic=True, color="595959")
    for col, spec in enumerate(columns, 1):
        letter = get_column_letter(col)
        ws.column_dimensions[letter].width = spec.width
        label = set_text(ws.cell(LABEL_ROW, col), spec.label)
        label.font, label.fill, label.border = _HEADER_FONT, _HEADER_FILL, _BORDER
        label.alignment = Alignment(wrap_text=True, vertical="center")
        set_text(ws.cell(KEY_ROW, col), spec.key).font = _KEY_FONT


def _finish(ws: Worksheet, freeze: str | None) -> None:
    ws.freeze_panes = freeze
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # let people widen columns…
    ws.protection.formatRows = False  # …and rows, on the protected sheet
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if freeze:
        ws.print_title_rows = f"{LABEL_ROW}:{KEY_ROW}"


def _input(cell: Cell) -> None:
    cell.fill, cell.border, cell.protection = _INPUT_FILL, _BORDER, _UNLOCKED
    cell.alignment = _TOP


def _text(cell: Cell, value: str) -> None:
    """Store ``value`` as locked plain text (never a formula)."""
    set_text(cell, value)
    cell.protection = _LOCKED


def _put(cell: Cell, value: Any) -> None:
    """Write a value; text stays text (never a formula), minus characters XML cannot hold."""
    set_value(cell, value)


def _validation(ws: Worksheet, rule: dict[str, Any], title: str, prompt: str,
                error: str | None = None) -> DataValidation:
    dv = DataValidation(
        allow_blank=True, showInputMessage=True, showErrorMessage=True,
        promptTitle=short_text(title, 32), prompt=short_text(prompt, 255),
        errorTitle="Not accepted", error=short_text(error or _error_text(rule), 255), **rule,
    )
    ws.add_data_validation(dv)
    return dv


def _validate(ws: Worksheet, cell: Cell, rule: dict[str, Any], title: str, prompt: str,
              error: str | None = None) -> None:
    _validation(ws, rule, title, prompt, error).add(cell)


def _error_text(rule: dict[str, Any]) -> str:
    kind, op = rule.get("type"), rule.get("operator")
    if kind == "list":
        return "Choose a value from the dropdown list."
    if kind == "textLength":
        return f"Keep it under {rule['formula1']} characters."
    if kind == "date":
        return "Enter a date such as 2025-03-31."
    if op == "between":
        return f"Enter a number between {rule['formula1']} and {rule['formula2']}."
    return f"Enter a number of at least {rule['formula1']}."


def _list_rule(choices: Iterable[str]) -> dict[str, Any]:
    return {"type": "list", "formula1": list_formula(list(choices))}


def _text_rule(max_length: int) -> dict[str, Any]:
    return {"type": "textLength", "operator": "lessThanOrEqual", "formula1": str(max_length)}


def _number_rule(lo: float | None, hi: float | None) -> dict[str, Any]:
    if lo is not None and hi is not None:
        return {"type": "decimal", "operator": "between",
                "formula1": _num(lo), "formula2": _num(hi)}
    if lo is not None:
        return {"type": "decimal", "operator": "greaterThanOrEqual", "formula1": _num(lo)}
    if hi is not None:
        return {"type": "decimal", "operator": "lessThanOrEqual", "formula1": _num(hi)}
    return {"type": "decimal", "operator": "between", "formula1": "-1E+300", "formula2": "1E+300"}


def _num(value: float) -> str:
    """A number for a validation formula: no exponent, no trailing '.0'."""
    value = float(value)
    return str(int(value)) if value.is_integer() else repr(value)


def _show(value: Any, unit: str) -> str:
    """An input limit as people type it, exactly: 85% for 0.85, 1,200 for 1200.

    Validation prompts show limits unrounded; values shown for reading use core.format."""
    if not isinstance(value, (int, float)):
        return str(value)
    if unit == "percent":
        return f"{value * 100:.10g}%"
    return f"{value:,.10g}" if abs(value) < 1e15 else str(value)


def _range_note(kpi: Kpi, lo: float | None, hi: float | None) -> str:
    if kpi.unit == "percent" and (lo, hi) != (0.0, 1.0):
        return f" ({_show(lo, 'percent')} to {_show(hi, 'percent')})"
    if kpi.unit == "score":
        return f" ({_show(lo, 'score')} to {_show(hi, 'score')})"
    return ""


def _range_text(kpi: Kpi, lo: float | None, hi: float | None) -> str:
    what = "a percentage" if kpi.unit == "percent" else "a number"
    if lo is not None and hi is not None:
        return f"{what} from {_show(lo, kpi.unit)} to {_show(hi, kpi.unit)}"
    if lo is not None:
        return f"{what} of {_show(lo, kpi.unit)} or more"
    if hi is not None:
        return f"{what} of {_show(hi, kpi.unit)} or less"
    return what


def _target_words(kpi: Kpi, currency: str | None) -> str:
    """``target 85%, 0 at 60%``; for a band ``50% to 60%, 0 at 30% / 85%``."""
    if kpi.direction == "band":
        assert kpi.band is not None
        floor = kpi.floor if isinstance(kpi.floor, tuple) else (kpi.floor, kpi.floor)
        return (f"{value_range(kpi.band[0], kpi.band[1], kpi.unit, currency)}, 0 at "
                f"{format_value(floor[0], kpi.unit, currency)} / "
                f"{format_value(floor[1], kpi.unit, currency)}")
    floor = kpi.floor if isinstance(kpi.floor, (int, float)) else None
    return (f"target {format_value(kpi.target, kpi.unit, currency)}, 0 at "
            f"{format_value(floor, kpi.unit, currency)}")


def _framework_text(fw: Framework, kpi: Kpi, versions: dict[str, Kpi]) -> str:
    """The framework's target and floor of ``kpi``: one line, or one per peer group whose
    values differ from the general ones (money in the framework's currency)."""
    currency = fw.settings.currency if kpi.unit == "currency" else None
    general = _target_words(kpi, currency)
    lines = [f"{fw.settings.segments[sid].name}: {_target_words(k, currency)}"
             for sid, k in versions.items() if _target_words(k, currency) != general]
    if not lines:
        return general
    return "\n".join([f"General: {general}", *lines])


def _benchmark_text(fw: Framework, kpi: Kpi) -> str:
    """The published benchmark in the words of every scorecard, then its note; money in the
    benchmark's own currency (else the framework's)."""
    bench = kpi.benchmark
    if bench is None:
        return ""
    currency = (bench.currency or fw.settings.currency) if kpi.unit == "currency" else None
    text = benchmark_text({"value": bench.value, "range": bench.range, "source": bench.source,
                           "year": bench.year}, kpi.unit, currency)
    return f"{text}. {bench.note}" if bench.note else text


def _key_columns(ws: Worksheet) -> dict[str, int]:
    return {str(c.value): c.column for c in ws[KEY_ROW] if c.value}


def _id_rows(ws: Worksheet) -> dict[str, int]:
    """Id -> row of the data rows of a sheet built by this module (id in column A)."""
    return {str(ws.cell(row, 1).value): row for row in range(FIRST_ROW, ws.max_row + 1)
            if ws.cell(row, 1).value}


def _fill_tracking(wb: Workbook, data: IntakeData) -> None:
    """Initiative tracking and finding wording on their sheets (when the template has them)."""
    if SHEETS["initiatives"] in wb.sheetnames:
        ws = wb[SHEETS["initiatives"]]
        cols = _key_columns(ws)
        for iid, row in _id_rows(ws).items():
            record = data.initiatives.get(iid) or {}
            chosen = record.get("chosen")
            _put(ws.cell(row, cols["chosen"]), None if chosen is None else YES_NO[not chosen])
            for key in INITIATIVE_INPUTS[1:]:
                _put(ws.cell(row, cols[key]), record.get(key))
    if SHEETS["findings"] in wb.sheetnames:
        ws = wb[SHEETS["findings"]]
        cols = _key_columns(ws)
        for fid, row in _id_rows(ws).items():
            _put(ws.cell(row, cols["wording"]), data.finding_wording.get(fid))


#: Cells filled from evidence: a pale blue, so a reader sees at once which values were computed.
_EVIDENCE_FILL = PatternFill("solid", start_color="DDEBF7", end_color="DDEBF7")


def _evidence(wb: Workbook, data: IntakeData) -> None:
    """The Evidence sheet (one row per figure) and, in each cell a figure filled, the pale blue
    evidence fill and a comment naming the source."""
    ws = wb.create_sheet(SHEETS["evidence"])
    _table_head(ws, "Evidence: values computed from the client's own data",
                "Written by support-excellence evidence; do not edit. Each row is a value "
                "computed from a raw export and put into the cell named. If you type another "
                "value into that cell, yours is scored and this row is shown as set aside.",
                EVIDENCE_COLUMNS)
    targets = _evidence_cells(wb)
    for row, fig in enumerate(data.evidence, FIRST_ROW):
        key = f"{fig.target}.{fig.id}"
        where = targets.get(key)
        ci = fig.ci or (None, None)
        values = (key, where[0].title + "!" + where[1].coordinate if where else "", fig.value,
                  fig.n, ci[0], ci[1], fig.sd, fig.period_from, fig.period_to, fig.source,
                  fig.definition, "yes" if fig.flagged else "no", fig.note)
        for col, value in enumerate(values, 1):
            cell = ws.cell(row, col)
            set_value(cell, value)
            cell.border = _BORDER
            cell.alignment = _WRAP if EVIDENCE_COLUMNS[col - 1].wrap else _TOP
        if where:
            cell = where[1]
            cell.fill = _EVIDENCE_FILL
            interval = (f", 95% interval {_num(ci[0])} to {_num(ci[1])}"
                        if fig.ci else "")
            cell.comment = Comment(short_text(
                f"From evidence: {fig.source}, n = {fig.n:,}{interval}"
                f" ({fig.period_from or '?'} to {fig.period_to or '?'}). {fig.definition}",
                1000), "support-excellence", width=320, height=120)
    _finish(ws, freeze=f"B{FIRST_ROW}")
    ws.protection.sheet = True


def _evidence_cells(wb: Workbook) -> dict[str, tuple[Worksheet, Cell]]:
    """``kpi.<id>`` / ``profile.<field>`` / ``expectation.<dim>.<rating>`` -> its input cell."""
    out: dict[str, tuple[Worksheet, Cell]] = {}
    ws = wb[SHEETS["kpis"]]
    col = _key_columns(ws)["current"]
    for kpi_id, row in _id_rows(ws).items():
        out[f"kpi.{kpi_id}"] = (ws, ws.cell(row, col))
    ws = wb[SHEETS["profile"]]
    for key, row in _id_rows(ws).items():
        out[f"profile.{key}"] = (ws, ws.cell(row, 3))
    ws = wb[SHEETS["customer_expectations"]]
    cols = _key_columns(ws)
    for dim, row in _id_rows(ws).items():
        for key in RATING_KEYS:
            out[f"expectation.{dim}.{key}"] = (ws, ws.cell(row, cols[key]))
    return out


def _fill_profile(ws: Worksheet, profile: dict[str, Any]) -> None:
    rows = _id_rows(ws)
    for key, value in profile.items():
        if key not in rows:  # an extra field: append a row for it
            row = ws.max_row + 1
            rows[key] = row
            _text(ws.cell(row, 1), key)
            _text(ws.cell(row, 2), key.replace("_", " ").capitalize())
            _input(ws.cell(row, 3))
            rule = _text_rule(2000) if isinstance(value, str) else _number_rule(None, None)
            _validate(ws, ws.cell(row, 3), rule, key[:32], "Additional field.")
        cell = ws.cell(rows[key], 3)
        _put(cell, value)
        if isinstance(value, dt.date):
            cell.number_format = "yyyy-mm-dd"
