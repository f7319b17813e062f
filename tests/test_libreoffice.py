"""End-to-end checks in headless LibreOffice: our workbooks as a client's spreadsheet sees them.

Each test runs one ``soffice`` call with its own throw-away profile and converts all its files
at once (starting LibreOffice costs seconds; a file costs a fraction of that).
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils import get_column_letter, range_boundaries

from assessment.core.framework import Framework
from assessment.core.model import IntakeData
from assessment.core.scoring import score
from assessment.intake.layout import SHEETS
from assessment.intake.reader import IntakeError, read_intake
from assessment.intake.samples import sample_data, sample_names, sample_workbooks
from assessment.scorecard.outputs import write_outputs
from tests.workbooks import cell, edits

REPO_TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "intake.xlsx"

pytestmark = pytest.mark.slow

TIMEOUT = 240
XLSX_FILTER = "xlsx:Calc MS Excel 2007 XML"


def convert(soffice: str, tmp_path: Path, target: str, sources: Iterable[Path]) -> Path:
    """Convert ``sources`` in one headless LibreOffice run; returns the output folder."""
    sources = list(sources)
    names = [s.name for s in sources]
    assert len(set(names)) == len(names), f"outputs would collide: {names}"
    out = tmp_path / f"lo-out-{target.split(':')[0]}"
    proc = subprocess.run(
        [soffice, f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}", "--headless",
         "--norestore", "--convert-to", target, "--outdir", str(out), *map(str, sources)],
        capture_output=True, text=True, timeout=TIMEOUT, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Error:" not in proc.stdout + proc.stderr, proc.stderr
    return out


def inputs(data: IntakeData) -> dict[str, Any]:
    return {"profile": data.profile, "current": data.current, "targets": data.targets,
            "answers": data.answers, "ratings": data.ratings, "notes": data.notes}


def test_everything_we_ship_opens_and_prints_in_libreoffice(framework: Framework,
                                                            tmp_path: Path,
                                                            system_tool) -> None:
    """The blank template, every sample intake and every Excel scorecard convert to PDF."""
    soffice = system_tool("soffice")
    scorecards = []
    for name in sample_names():
        written = write_outputs(score(framework, sample_data(name)), tmp_path / "cards",
                                formats=("xlsx",))
        scorecard = tmp_path / "scorecards" / f"scorecard-{name}.xlsx"
        scorecard.parent.mkdir(exist_ok=True)
        written["xlsx"].rename(scorecard)
        scorecards.append(scorecard)
    sources = [REPO_TEMPLATE, *sample_workbooks(), *scorecards]
    assert len(sources) > 2

    out = convert(soffice, tmp_path, "pdf", sources)
    for source in sources:
        pdf = out / f"{source.stem}.pdf"
        assert pdf.exists(), f"{source.name} was not converted"
        content = pdf.read_bytes()
        assert content.startswith(b"%PDF"), pdf.name
        assert len(content) > 10_000, f"{pdf.name} is only {len(content)} bytes"

    # a scorecard prints the executive summary, with its money and initiatives, on page 1
    # alone (each page's header names its sheet)
    pdftotext = system_tool("pdftotext")
    for card in scorecards:
        text = subprocess.run([pdftotext, "-layout", str(out / f"{card.stem}.pdf"), "-"],
                              capture_output=True, text=True, timeout=60, check=True).stdout
        first, second = text.split("\f")[:2]
        for words in ("Executive summary", "Key findings", "Top initiatives",
                      "Total of the counted drivers", "Data-quality caveats"):
            assert words in first, f"{card.name}: {words!r} not on page 1"
        assert "Key findings" not in second and "Scores" in second, card.name


def test_intake_saved_by_libreoffice_reads_identically(framework: Framework, sample: IntakeData,
                                                       tmp_intake: Callable[..., Path],
                                                       tmp_path: Path, system_tool) -> None:
    """A client fills the intake, LibreOffice saves it: our reader sees the same inputs.

    Covers percent-formatted numbers, a currency typed as text with a thousands separator,
    a percentage typed as text, and blank cells of every kind.
    """
    soffice = system_tool("soffice")
    sample.current.update({"csat": 0.85, "first_contact_resolution": 0.85,
                           "escalation_rate": None, "nps": None})
    sample.ratings["availability"]["performance"] = None
    sample.notes["csat"] = "Survey Q1, 1,200 responses"
    edit = edits(("kpis", "cost_per_case", "current", "1,200"),
                 ("kpis", "sla_attainment", "current", "85%"),
                 ("kpis", "self_service_resolution_rate", "current", None),
                 ("customer_expectations", "rapid_response", "priority", None))
    original_path = tmp_intake(framework, sample, edit, name="client.xlsx")
    book = openpyxl.load_workbook(original_path)
    assert cell(book, "kpis", "csat", "current").value == 0.85
    assert "%" in cell(book, "kpis", "csat", "current").number_format
    assert cell(book, "kpis", "cost_per_case", "current").value == "1,200"
    assert cell(book, "kpis", "sla_attainment", "current").value == "85%"

    out = convert(soffice, tmp_path, XLSX_FILTER, [original_path])
    original = read_intake(original_path, framework)
    resaved = read_intake(out / original_path.name, framework)

    assert original.current["csat"] == pytest.approx(0.85)
    assert original.current["cost_per_case"] == pytest.approx(1200)
    assert original.current["sla_attainment"] == pytest.approx(0.85)
    for kid in ("escalation_rate", "nps", "self_service_resolution_rate"):
        assert original.current[kid] is None
    assert original.ratings["availability"]["performance"] is None
    assert original.ratings["rapid_response"]["priority"] is None

    expected, got = inputs(original), inputs(resaved)
    for key in ("profile", "answers", "ratings", "notes"):
        assert got[key] == expected[key], key
    for key in ("current", "targets"):
        assert got[key].keys() == expected[key].keys(), key
        for kid, value in expected[key].items():
            assert got[key][kid] == (None if value is None else pytest.approx(value)), kid


def validated_cells(path: Path) -> dict[str, dict[str, dict[str, Any]]]:
    """Sheet -> cell -> the rule that guards it: type, operator, formulas, flags, texts."""
    book = openpyxl.load_workbook(path)
    found: dict[str, dict[str, dict[str, Any]]] = {}
    for title in SHEETS.values():
        cells: dict[str, dict[str, Any]] = {}
        for dv in book[title].data_validations.dataValidation:
            # LibreOffice writes operator="between" on list rules and formula2="0" on
            # one-operand rules; Excel ignores both, so compare only what takes effect.
            operator = None if dv.type == "list" else (dv.operator or "between")
            two = operator in ("between", "notBetween")
            rule = {"type": dv.type, "operator": operator,
                    "formula1": dv.formula1, "formula2": dv.formula2 if two else None,
                    "showErrorMessage": bool(dv.showErrorMessage),
                    "allow_blank": bool(dv.allow_blank),
                    "errorStyle": dv.errorStyle or "stop",
                    "showInputMessage": bool(dv.showInputMessage),
                    "texts": (dv.promptTitle, dv.prompt, dv.errorTitle, dv.error)}
            for block in str(dv.sqref).split():
                lo_col, lo_row, hi_col, hi_row = range_boundaries(block)
                for row in range(lo_row, hi_row + 1):
                    for col in range(lo_col, hi_col + 1):
                        cells[f"{get_column_letter(col)}{row}"] = rule
        found[title] = cells
    return found


def test_template_keeps_its_validations_when_libreoffice_saves_it(framework: Framework,
                                                                  tmp_path: Path,
                                                                  system_tool) -> None:
    soffice = system_tool("soffice")
    out = convert(soffice, tmp_path, XLSX_FILTER, [REPO_TEMPLATE])
    resaved_path = out / REPO_TEMPLATE.name

    before, after = validated_cells(REPO_TEMPLATE), validated_cells(resaved_path)
    assert all(before[SHEETS[role]] for role in SHEETS if role != "instructions")
    original_book = openpyxl.load_workbook(REPO_TEMPLATE)
    resaved_book = openpyxl.load_workbook(resaved_path)
    for title in SHEETS.values():
        dvs = original_book[title].data_validations.dataValidation
        if dvs:
            kept = resaved_book[title].data_validations.dataValidation
            assert len(kept) >= len({str(dv.sqref) for dv in dvs}), title
        missing = sorted(before[title].keys() - after[title].keys())
        assert not missing, f"{title}: validations lost on {missing}"
        changed = {ref: (before[title][ref], after[title][ref]) for ref in before[title]
                   if before[title][ref] != after[title][ref]}
        assert not changed, f"{title}: validations changed {changed}"
        lists = [rule for rule in after[title].values() if rule["type"] == "list"]
        assert all(rule["formula1"] and rule["formula1"].startswith('"') for rule in lists)
    assert any(rule["type"] == "list" for cells in after.values() for rule in cells.values())

    def outcome(path: Path) -> Any:
        try:
            return inputs(read_intake(path, framework))
        except IntakeError as err:
            return [str(issue) for issue in err.issues]

    assert outcome(resaved_path) == outcome(REPO_TEMPLATE)
