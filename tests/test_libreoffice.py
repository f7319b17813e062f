"""End-to-end checks in headless LibreOffice: our workbooks as a client's spreadsheet sees them.

Each test runs one ``soffice`` call with its own throw-away profile and converts all its files
at once (starting LibreOffice costs seconds; a file costs a fraction of that).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable, Iterable
from html import unescape
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils import get_column_letter, range_boundaries

from assessment.core.framework import Framework
from assessment.core.model import IntakeData
from assessment.core.scoring import score
from assessment.intake.layout import SHEETS, TEMPLATE_SHEETS
from assessment.intake.reader import IntakeError, read_intake
from assessment.intake.samples import sample_data, sample_names, sample_workbooks
from assessment.scorecard.brand import DEFAULT_BRAND, Brand
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


#: Labels the Excel scorecard once printed cut ("Questi", "Covera", "Maturi", the Renewal
#: sheet's headers): each must print whole.
WHOLE_WORDS = ("Questionnaire", "Coverage", "Maturity", "Measured", "Benchmark", "Health",
               "Weight", "Answer", "meaning", "Practice", "Current", "Target", "Status")
#: Printed text at least this tall (points, pdftotext's word boxes): 8 pt less 10 %.
MIN_WORD_HEIGHT = 8 * 0.9
PAGE_SIZES = {"A4": (595, 842), "Letter": (612, 792)}
BRAND = Brand(firm="Harbour & Vale Advisory", logo=None, primary_color="#7A1F3D",
              accent_color="#C0842B", confidentiality="Confidential: for the management team",
              prepared_by="Jane Doe")


def printed_words(pdftotext: str, pdf: Path) -> list[list[tuple[str, float, float, float]]]:
    """Per page of ``pdf``: its words with their height and the page's width and height."""
    html = subprocess.run([pdftotext, "-bbox", str(pdf), "-"], capture_output=True, text=True,
                          timeout=60, check=True).stdout
    pages = []
    for page in html.split("<page ")[1:]:
        width, height = (float(x) for x in re.search(
            r'width="([\d.]+)" height="([\d.]+)"', page).groups())
        words = [(unescape(w), float(y1) - float(y0), width, height) for y0, y1, w in
                 re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)<', page)]
        pages.append(words)
    return pages


def ids_of(results: dict[str, Any]) -> set[str]:
    """Every id the scorecard prints in a table: KPIs, practices, drivers, initiatives."""
    ids = {k["id"] for k in results["kpis"]}
    for qid in ("renewal_practices", "excellence_practices"):
        ids |= {i["id"] for i in results["questionnaires"][qid]["items"]}
    ids |= {d["id"] for d in results["business_case"]["drivers"]}
    ids |= {i["id"] for i in results["roadmap"]["initiatives"]}
    return ids


def check_printed_scorecard(pdftotext: str, pdf: Path, results: dict[str, Any], paper: str,
                            firm: str = "support-excellence") -> None:
    """The cover on page 1, the executive summary alone on page 2 and the scores after it;
    every page on ``paper`` with no text under 8 pt; no label or id cut."""
    pages = printed_words(pdftotext, pdf)
    name = pdf.name
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True,
                          text=True, timeout=60, check=True).stdout.split("\f")
    cover, summary, scores = text[:3]
    assert firm in cover and results["organization"]["name"] in cover, name
    assert "Contents" in cover and "Support excellence scorecard" in cover, name
    for words in ("Executive summary", "Key findings", "Top initiatives",
                  "Total of the counted drivers", "Data-quality caveats"):
        assert words in summary, f"{name}: {words!r} not on page 2"
    assert "Key findings" not in scores and "Scores" in scores, name
    for n, words in enumerate(pages, start=1):
        assert words, f"{name}: page {n} is empty"
        width, height = sorted(words[0][2:])
        assert (round(width), round(height)) == PAGE_SIZES[paper], f"{name}: page {n}"
        small = [(w, round(h, 1)) for w, h, *_ in words if h < MIN_WORD_HEIGHT]
        assert not small, f"{name}: page {n} prints below 8 pt: {small[:5]}"
        assert f"Page {n} of {len(pages)}" in text[n - 1], f"{name}: page {n} unnumbered"
    printed = {w for page in pages for w, *_ in page}
    for word in WHOLE_WORDS:
        assert word in printed, f"{name}: {word!r} is not printed whole"
    for cut in ("Questi", "Covera", "Maturi"):
        assert cut not in printed, f"{name}: {cut!r} printed cut"
    missing = sorted(i for i in ids_of(results) if i not in printed)
    assert not missing, f"{name}: ids cut or missing: {missing}"


def test_everything_we_ship_opens_and_prints_in_libreoffice(framework: Framework,
                                                            tmp_path: Path,
                                                            system_tool) -> None:
    """The blank template, every sample intake and every Excel scorecard convert to PDF; each
    scorecard prints legibly (see :func:`check_printed_scorecard`), one of them on Letter in a
    firm's brand."""
    soffice = system_tool("soffice")
    scorecards: dict[Path, tuple[dict[str, Any], str, str]] = {}
    folder = tmp_path / "scorecards"
    folder.mkdir()
    for n, name in enumerate(sample_names()):
        results = score(framework, sample_data(name))
        paper, brand = ("Letter", BRAND) if n == 0 else ("A4", DEFAULT_BRAND)
        written = write_outputs(results, tmp_path / "cards" / name, formats=("xlsx",),
                                paper=paper, brand=brand)
        scorecard = folder / f"scorecard-{name}.xlsx"
        written["xlsx"].rename(scorecard)
        scorecards[scorecard] = (results, paper, brand.firm)
    sources = [REPO_TEMPLATE, *sample_workbooks(), *scorecards]
    assert len(sources) > 2

    out = convert(soffice, tmp_path, "pdf", sources)
    for source in sources:
        pdf = out / f"{source.stem}.pdf"
        assert pdf.exists(), f"{source.name} was not converted"
        content = pdf.read_bytes()
        assert content.startswith(b"%PDF"), pdf.name
        assert len(content) > 10_000, f"{pdf.name} is only {len(content)} bytes"

    pdftotext = system_tool("pdftotext")
    for card, (results, paper, firm) in scorecards.items():
        check_printed_scorecard(pdftotext, out / f"{card.stem}.pdf", results, paper, firm)


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
    for title in (SHEETS[role] for role in TEMPLATE_SHEETS):
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
    assert all(before[SHEETS[role]] for role in TEMPLATE_SHEETS if role != "instructions")
    original_book = openpyxl.load_workbook(REPO_TEMPLATE)
    resaved_book = openpyxl.load_workbook(resaved_path)
    for title in (SHEETS[role] for role in TEMPLATE_SHEETS):
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
