"""Issue 11, item 5: hostile text never becomes a formula, nor breaks a workbook we write.

Framework texts (KPI names, definitions, benchmark notes, questionnaire items, level and answer
names) and results texts (organization, notes, warnings, currency) are replaced by formula
look-alikes, a control character and an over-long string. Every workbook we write from them
(template, filled intake, scorecard, portfolio) is read back as raw sheet XML: no ``<f>``
element, every string cell that starts like a formula is a plain string with Excel's quote
prefix, every part is well-formed XML, and openpyxl (and, in the slow test, LibreOffice) opens
the file.
"""

from __future__ import annotations

import copy
import dataclasses as dc
import datetime as dt
import io
import itertools
import re
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import openpyxl
import pytest
import yaml
from results_data import CURRENT, full_results

from assessment.cli import main
from assessment.core.framework import Benchmark, Framework, default_framework_path
from assessment.core.model import IntakeData
from assessment.core.scoring import score
from assessment.files.write import workbook_bytes
from assessment.files.xlsx import FORMULA_TRIGGERS, list_formula, safe_format, set_value
from assessment.intake.layout import SHEETS
from assessment.intake.reader import read_intake
from assessment.intake.template import build_template, fill_intake
from assessment.portfolio import report
from assessment.portfolio.model import summarize
from assessment.scorecard.excel import excel_bytes

HYPERLINK = '=HYPERLINK("http://x","y")'
LONG = "x" * 40000
#: The texts an attacker (or an unlucky copy-paste) puts into a framework or an intake.
HOSTILE: tuple[str, ...] = (HYPERLINK, "@SUM(1)", "+1", "-1", "text\x07bell", LONG,
                            "\tTab", "\rreturn", 'quote " comma, amp & <tag>')
#: The formula-looking ones, which must reach the workbook unchanged (as text).
TRIGGERING: tuple[str, ...] = (HYPERLINK, "@SUM(1)", "+1", "-1", "\tTab")

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
M = f"{{{NS['m']}}}"


# --------------------------------------------------------------------------- hostile inputs


def texts() -> Iterator[str]:
    return itertools.cycle(HOSTILE)


def hostile_framework(fw: Framework) -> Framework:
    """``fw`` with every text people read replaced by hostile ones (built without the loader,
    so the test does not depend on what the loader accepts)."""
    t = texts()

    def bench(b: Benchmark | None) -> Benchmark | None:
        return None if b is None else dc.replace(b, note=next(t), source=next(t))

    kpis = tuple(dc.replace(k, name=next(t), definition=next(t), recommendations=(next(t),),
                            benchmark=bench(k.benchmark)) for k in fw.kpis)
    questionnaires = {
        qid: dc.replace(q, name=next(t), description=next(t), items=tuple(
            dc.replace(i, name=next(t), text=next(t), recommendations=(next(t),),
                       satisfiers=i.satisfiers and next(t),
                       dissatisfiers=i.dissatisfiers and next(t)) for i in q.items))
        for qid, q in fw.questionnaires.items()}
    return dc.replace(
        fw, name=HYPERLINK, version="-1\x07", kpis=kpis, questionnaires=questionnaires,
        element_names={k: next(t) for k in fw.element_names},
        element_descriptions={k: next(t) for k in fw.element_descriptions},
        levels=tuple(next(t) for _ in fw.levels),
        answer_scale=tuple(next(t) for _ in fw.answer_scale))


def hostile_intake(fw: Framework) -> IntakeData:
    """An intake of the default KPIs (ids are not free text) with hostile profile, notes and
    warnings, and a negative number that must stay a number."""
    t = texts()
    answers = {qid: {item.id: n % 5 for n, item in enumerate(fw.questionnaires[qid].items)}
               for qid in ("renewal_practices", "excellence_practices")}
    ratings = {item.id: {"importance": 4.0, "performance": 3.0, "priority": 5.0}
               for item in fw.questionnaires["customer_expectations"].items}
    return IntakeData(
        profile={"organization": HYPERLINK, "industry": "@SUM(1)", "support_model": "blended",
                 "currency": "EUR", "fx_rate": 0.92, "assessment_date": dt.date(2025, 3, 31),
                 "region": "+1", "contact": "text\x07bell", "comment": LONG},
        current={**CURRENT, "nps": -20.0}, answers=answers, ratings=ratings,
        notes={k: next(t) for k in CURRENT},
        warnings=[next(t) for _ in range(len(HOSTILE))])


@pytest.fixture(scope="module")
def hostile_fw() -> Framework:
    from assessment.core.framework import load_framework
    return hostile_framework(load_framework())


@pytest.fixture(scope="module")
def hostile_results(hostile_fw: Framework) -> dict[str, Any]:
    return score(hostile_fw, hostile_intake(hostile_fw))


# --------------------------------------------------------------------------- the XML check


def check_workbook(raw: bytes, quote_prefix: bool = True) -> list[str]:
    """Assert the workbook's raw XML holds no formula and no live-looking text; returns every
    string stored in a cell (so a test can check what was written).

    ``quote_prefix``: text that starts like a formula carries Excel's quote prefix (ours do;
    LibreOffice drops the prefix when it saves, keeping the cell a plain string)."""
    z = zipfile.ZipFile(io.BytesIO(raw))
    parts = {name: z.read(name) for name in z.namelist()}
    for name, data in parts.items():
        if name.endswith((".xml", ".rels")):
            ET.fromstring(data)  # raises on a control character or broken markup
    shared = []
    if "xl/sharedStrings.xml" in parts:
        for si in ET.fromstring(parts["xl/sharedStrings.xml"]).iter(f"{M}si"):
            shared.append("".join(t.text or "" for t in si.iter(f"{M}t")))
    xfs = ET.fromstring(parts["xl/styles.xml"]).find("m:cellXfs", NS)
    assert xfs is not None
    quoted = [xf.get("quotePrefix") in ("1", "true") for xf in xfs.iter(f"{M}xf")]
    strings: list[str] = []
    sheets = [n for n in parts if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)]
    assert sheets
    for name in sheets:
        for c in ET.fromstring(parts[name]).iter(f"{M}c"):
            where = f"{name} {c.get('r')}"
            assert c.find("m:f", NS) is None, f"formula in {where}"
            kind = c.get("t", "n")
            assert kind not in ("str", "e"), f"{where} is a formula result or error ({kind})"
            if kind == "s":
                v = c.find("m:v", NS)
                assert v is not None and v.text is not None
                text = shared[int(v.text)]
            elif kind == "inlineStr":
                text = "".join(t.text or "" for t in c.iter(f"{M}t"))
            else:
                continue
            assert len(text) <= 32767, where
            if quote_prefix and text.startswith(FORMULA_TRIGGERS):
                assert quoted[int(c.get("s", "0"))], f"{where} {text[:20]!r} has no quote prefix"
            strings.append(text)
    openpyxl.load_workbook(io.BytesIO(raw))  # opens
    return strings


def assert_hostile_texts_written(strings: list[str]) -> None:
    """The formula look-alikes are in the workbook as text, the long one cut to 32,767."""
    for text in TRIGGERING:
        assert text in strings, f"{text!r} was not written as text"
    assert "x" * 32767 in strings
    assert "textbell" in strings  # the bell removed, the text kept


# --------------------------------------------------------------------------- template


def test_item05_template_from_hostile_framework_has_no_formula(hostile_fw: Framework) -> None:
    raw = workbook_bytes(build_template(hostile_fw))
    strings = check_workbook(raw)
    assert_hostile_texts_written(strings)
    ws = openpyxl.load_workbook(io.BytesIO(raw))[SHEETS["kpis"]]
    names = [ws.cell(r, 2).value for r in range(1, ws.max_row + 1)]
    assert HYPERLINK in names
    cell = ws.cell(names.index(HYPERLINK) + 1, 2)
    assert cell.data_type == "s" and cell.quotePrefix


def test_item05_at_plus_minus_get_quote_prefix(hostile_fw: Framework) -> None:
    wb = build_template(hostile_fw)
    seen = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(("@", "+", "-")):
                    assert cell.data_type == "s" and cell.quotePrefix, cell.coordinate
                    seen.add(cell.value[0])
    assert seen == {"@", "+", "-"}


def test_item05_control_character_in_framework_does_not_crash(framework: Framework) -> None:
    kpi = dc.replace(framework.kpis[0], name="bell\x07name", definition="nul\x00here")
    fw = dc.replace(framework, kpis=(kpi, *framework.kpis[1:]), version="1\x1b")
    wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes(build_template(fw))))
    ws = wb[SHEETS["kpis"]]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == kpi.id)
    assert (ws.cell(row, 2).value, ws.cell(row, 3).value) == ("bellname", "nulhere")


def hostile_framework_file(tmp_path: Path) -> Path:
    """The default framework file with hostile names, definitions, items and levels (the long
    text once, so the file stays far below the loader's size limit)."""
    raw = yaml.safe_load(default_framework_path().read_text(encoding="utf-8"))
    t = itertools.cycle([text for text in HOSTILE if text != LONG])
    for kpi in raw["kpis"]:
        kpi["name"], kpi["definition"] = next(t), next(t)
        if kpi.get("benchmark"):
            kpi["benchmark"]["note"] = next(t)
    for q in raw["questionnaires"].values():
        for item in q["items"]:
            item["name"], item["text"] = next(t), next(t)
    raw["levels"] = [next(t) for _ in raw["levels"]]
    raw["answer_scale"] = [next(t) for _ in raw["answer_scale"]]
    raw["kpis"][0]["definition"] = LONG
    path = tmp_path / "hostile.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_item05_template_command_with_hostile_framework(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    out = tmp_path / "intake.xlsx"
    code = main(["template", "--framework", str(hostile_framework_file(tmp_path)),
                 "--out", str(out)])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    if code == 0:
        check_workbook(out.read_bytes())
    else:
        # The framework loader may refuse some hostile texts (control characters, over-long
        # text) with a clear message naming where; then nothing is written. Either way no
        # traceback. (Formula look-alikes it accepts: see the next test.)
        assert code == 2 and not out.exists(), captured.err
        assert "kpis" in captured.err or "levels" in captured.err, captured.err


def test_item05_template_command_with_formula_lookalikes(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    raw = yaml.safe_load(default_framework_path().read_text(encoding="utf-8"))
    for kpi, text in zip(raw["kpis"], itertools.cycle(TRIGGERING[:4])):
        kpi["name"] = kpi["definition"] = text
    raw["levels"] = ["=1", "@2", "+3", "-4", "=HYPERLINK(\"x\")"]
    path = tmp_path / "formulas.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    out = tmp_path / "intake.xlsx"
    assert main(["template", "--framework", str(path), "--out", str(out)]) == 0
    assert "Traceback" not in "".join(capsys.readouterr())
    strings = check_workbook(out.read_bytes())
    assert {HYPERLINK, "@SUM(1)", "+1", "-1"} <= set(strings)


def test_item05_validation_texts_and_dropdown_fit_excel(hostile_fw: Framework) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes(build_template(hostile_fw))))
    lists = []
    for ws in wb.worksheets:
        for dv in ws.data_validations.dataValidation:
            assert len(dv.promptTitle or "") <= 32 and len(dv.errorTitle or "") <= 32
            assert len(dv.prompt or "") <= 255 and len(dv.error or "") <= 255
            if dv.type == "list":
                lists.append(dv.formula1)
    assert lists
    for formula in lists:
        assert len(formula) <= 255, formula
        assert formula.startswith('"') and formula.endswith('"') and formula.count('"') == 2
    labels = next(f for f in lists if f.endswith(',n/a"'))[1:-1].split(",")
    assert len(labels) == 6 and labels[-1] == "n/a"
    assert [label[:4] for label in labels[:5]] == [f"{i} – " for i in range(5)]


def test_item05_dropdown_list_formula() -> None:
    assert list_formula(["0 – Not in place", "1 – Ad hoc", "n/a"]) == (
        '"0 – Not in place,1 – Ad hoc,n/a"')
    assert list_formula(['a"b', "c,d", "e\x07f"]) == "\"a'b,c;d,ef\""
    long = list_formula([f"{i} – " + "y" * 500 for i in range(5)] + ["n/a"])
    assert len(long) <= 255 and long.count(",") == 5 and ",n/a\"" in long


def test_item05_filled_intake_keeps_numbers_and_reads_back(hostile_fw: Framework,
                                                           framework: Framework,
                                                           tmp_path: Path) -> None:
    data = hostile_intake(framework)
    raw = workbook_bytes(fill_intake(hostile_fw, data))
    strings = check_workbook(raw)
    assert HYPERLINK in strings and "@SUM(1)" in strings and "+1" in strings
    ws = openpyxl.load_workbook(io.BytesIO(raw))[SHEETS["kpis"]]
    nps = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "nps")
    assert ws.cell(nps, 6).value == -20 and ws.cell(nps, 6).data_type == "n"
    # the default framework's intake, filled with hostile notes, reads back to the same notes
    path = tmp_path / "filled.xlsx"
    path.write_bytes(workbook_bytes(fill_intake(framework, data)))
    back = read_intake(path, framework)
    assert back.profile["organization"] == HYPERLINK
    assert back.current["nps"] == -20


def test_item05_set_value_keeps_numbers_numbers() -> None:
    ws = openpyxl.Workbook().active
    assert set_value(ws["A1"], -1.5).data_type == "n" and ws["A1"].value == -1.5
    assert set_value(ws["A2"], "-1.5").data_type == "s" and ws["A2"].quotePrefix
    assert set_value(ws["A3"], float("nan")).value is None
    assert set_value(ws["A4"], dt.date(2025, 1, 2)).data_type == "d"


# --------------------------------------------------------------------------- scorecard, portfolio


def test_item05_scorecard_from_hostile_results_has_no_formula(
        hostile_results: dict[str, Any]) -> None:
    strings = check_workbook(excel_bytes(hostile_results))
    assert_hostile_texts_written(strings)


def portfolio_inputs(hostile_results: dict[str, Any]) -> list[dict[str, Any]]:
    odd_currency = copy.deepcopy(full_results(org="@SUM(1)"))
    odd_currency["organization"]["currency"] = 'E"\x07'
    long_currency = full_results(org="+1")
    long_currency["organization"]["currency"] = "C" * 300
    return [hostile_results, odd_currency, long_currency, full_results()]


def test_item05_portfolio_from_hostile_results_has_no_formula(
        hostile_results: dict[str, Any]) -> None:
    strings = check_workbook(portfolio_bytes(portfolio_inputs(hostile_results)))
    assert HYPERLINK in strings and "@SUM(1)" in strings and "+1" in strings
    assert "-1 skipped" in strings  # a warning of the loader, shown as text


def portfolio_bytes(results: list[dict[str, Any]]) -> bytes:
    """The portfolio workbook, with hostile loader warnings and source too."""
    p = summarize(results, warnings=["-1 skipped", "bell\x07"], factor=2.0, source="=A1")
    return report.portfolio_workbook_bytes(p)


def test_item05_bad_number_format_falls_back_to_general() -> None:
    assert safe_format('"EUR "#,##0') == '"EUR "#,##0'
    assert safe_format('"E"" "#,##0') == '"E"" "#,##0'
    assert safe_format('"E" "#,##0') is None  # an odd quote would break the format
    assert safe_format('"E\x07 "#,##0') is None
    assert safe_format('"' + "C" * 300 + ' "#,##0') is None
    assert safe_format(None) is None


# --------------------------------------------------------------------------- LibreOffice


@pytest.mark.slow
def test_item05_hostile_workbooks_open_in_libreoffice(hostile_fw: Framework,
                                                      hostile_results: dict[str, Any],
                                                      system_tool: Any, tmp_path: Path) -> None:
    soffice = system_tool("soffice")
    files = {"template.xlsx": workbook_bytes(build_template(hostile_fw)),
             "scorecard.xlsx": excel_bytes(hostile_results),
             "portfolio.xlsx": portfolio_bytes(portfolio_inputs(hostile_results))}
    for name, raw in files.items():
        (tmp_path / name).write_bytes(raw)
    out = tmp_path / "csv"
    proc = subprocess.run(
        [soffice, f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}", "--headless",
         "--norestore", "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out),
         *(str(tmp_path / n) for n in files)],
        capture_output=True, text=True, timeout=240, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for name in files:
        saved = out / name
        assert saved.exists(), proc.stdout + proc.stderr
        # after LibreOffice saved it, the look-alikes are still text, never formulas
        strings = check_workbook(saved.read_bytes(), quote_prefix=False)
        assert HYPERLINK in strings or "@SUM(1)" in strings, name
