"""The command line: outputs for good intakes, exit 2 and nothing written for bad ones."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook
from workbooks import edits, where

from assessment.cli import main
from assessment.core.framework import Framework
from assessment.core.model import IntakeData
from assessment.files.write import safe_slug
from assessment.intake.samples import sample_workbooks
from assessment.intake.template import fill_intake

Make = Callable[..., Path]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def files_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


# ----------------------------------------------------------------------------- bad input


def _rename_sheet(wb: Workbook) -> None:
    wb["Renewal practices"].title = "Renewals"


def _general(role: str, row_id: str, key: str, value: object) -> Callable[[Workbook], None]:
    return edits((role, row_id, key, value), general=True)


#: case -> (edit, (role, row id, key) of the cell the message must name)
CELL_CASES = {
    "text in a number cell": (edits(("kpis", "csat", "current", "about 80")),
                              ("kpis", "csat", "current")),
    "out of range": (edits(("kpis", "nps", "current", 250)), ("kpis", "nps", "current")),
    "ambiguous percent": (_general("kpis", "recurring_revenue_rate", "current", 1.5),
                          ("kpis", "recurring_revenue_rate", "current")),
    "formula without cached value": (edits(("kpis", "csat", "current", "=0.5+0.3")),
                                     ("kpis", "csat", "current")),
    "unknown KPI id": (edits(("kpis", "csat", "kpi_id", "happiness")),
                       ("kpis", "csat", "kpi_id")),
    "target on the wrong side of its floor": (edits(("kpis", "csat", "target", 0.5)),
                                              ("kpis", "csat", "target")),
    "answer outside the list": (edits(("renewal_practices", "renewal_ownership", "answer", 7)),
                                ("renewal_practices", "renewal_ownership", "answer")),
    "rating outside 1-5": (edits(("customer_expectations", "availability", "importance", 9)),
                           ("customer_expectations", "availability", "importance")),
}


@pytest.mark.parametrize("case", list(CELL_CASES))
def test_bad_cell_exits_2_names_cell_writes_nothing(case, framework: Framework,
                                                    sample: IntakeData, tmp_intake: Make,
                                                    tmp_path: Path, capsys) -> None:
    edit, (role, row_id, key) = CELL_CASES[case]
    location = where(fill_intake(framework, sample), role, row_id, key)
    path = tmp_intake(framework, sample, edit)
    out = tmp_path / "out"
    code, stdout, stderr = run(capsys, "score", path, "--out", out)
    assert code == 2
    assert f"  {location}: " in stderr
    assert "nothing was written" in stderr
    assert "Traceback" not in stderr + stdout
    assert files_in(out) == []


def test_duplicate_kpi_id_names_second_row(framework, sample, tmp_intake, tmp_path, capsys):
    wb = fill_intake(framework, sample)
    second = where(wb, "kpis", "nps", "kpi_id")
    path = tmp_intake(framework, sample, edits(("kpis", "nps", "kpi_id", "csat")))
    code, _, stderr = run(capsys, "score", path, "--out", tmp_path / "out")
    assert code == 2 and f"  {second}: duplicate" in stderr
    assert files_in(tmp_path / "out") == []


def _version(wb: Workbook) -> None:
    wb["Instructions"]["B3"] = "0.9"


@pytest.mark.parametrize(("case", "edit", "location"), [
    ("wrong template version", _version, "Instructions!B3"),
    ("renamed sheet", _rename_sheet, "Renewal practices"),
])
def test_workbook_level_problems(case, edit, location, framework, sample, tmp_intake, tmp_path,
                                 capsys):
    path = tmp_intake(framework, sample, edit)
    code, _, stderr = run(capsys, "score", path, "--out", tmp_path / "out")
    assert code == 2 and f"  {location}: " in stderr
    assert files_in(tmp_path / "out") == []


@pytest.mark.parametrize(("case", "content", "phrase"), [
    ("empty file", b"", "is empty"),
    ("not an Excel file", b"kpi_id,current\ncsat,0.8\n", "not an excel workbook"),
    ("corrupted workbook", None, "corrupt"),
])
def test_unreadable_files(case, content, phrase, framework, sample, tmp_intake, tmp_path,
                          capsys):
    path = tmp_path / "intake.xlsx"
    if content is None:
        good = tmp_intake(framework, sample).read_bytes()
        content = good[: len(good) // 2]
    path.write_bytes(content)
    code, _, stderr = run(capsys, "score", path, "--out", tmp_path / "out")
    assert code == 2 and phrase in stderr.lower()
    assert files_in(tmp_path / "out") == []


def test_file_over_size_limit(framework, sample, tmp_intake, tmp_path, capsys):
    path = tmp_intake(framework, sample)
    code, _, stderr = run(capsys, "score", path, "--out", tmp_path / "out", "--max-size", "0.001")
    assert code == 2 and "limit" in stderr
    assert files_in(tmp_path / "out") == []


def test_missing_file(tmp_path, capsys):
    code, _, stderr = run(capsys, "score", tmp_path / "nope.xlsx", "--out", tmp_path / "out")
    assert code == 2 and "nope.xlsx" in stderr


def test_bad_custom_framework_names_yaml_path(tmp_path, capsys):
    custom = tmp_path / "fw.yaml"
    custom.write_text("name: x\nversion: 1\nkpis: []\n", encoding="utf-8")
    code, _, stderr = run(capsys, "template", "--framework", custom, "--out", tmp_path / "t.xlsx")
    assert code == 2 and "  kpis: must be a non-empty list" in stderr
    assert not (tmp_path / "t.xlsx").exists()


def test_unknown_format_refused(tmp_path, capsys):
    code, _, stderr = run(capsys, "score", sample_workbooks()[0], "--out", tmp_path,
                          "--format", "docx")
    assert code == 2 and "unknown format(s) docx" in stderr


# ----------------------------------------------------------------------------- good input


def test_percent_typed_as_whole_number_warns_in_results(framework, sample, tmp_intake,
                                                        tmp_path, capsys):
    location = where(fill_intake(framework, sample), "kpis", "csat", "current")
    path = tmp_intake(framework, sample, _general("kpis", "csat", "current", 85))
    code, _, _ = run(capsys, "score", path, "--out", tmp_path / "out", "--format", "json")
    assert code == 0
    [results_path] = files_in(tmp_path / "out")
    results = json.loads(results_path.read_text())
    csat = next(k for k in results["kpis"] if k["id"] == "csat")
    assert csat["current"] == pytest.approx(0.85)
    assert any(w.startswith(f"{location}: 85 read as 85%") for w in results["warnings"])


#: methodology §8, key for key, with the keys results@2 adds
CONTRACT = {
    "top": {"schema", "organization", "framework", "index", "elements", "kpis", "renewal",
            "questionnaires", "expectations", "recommendations", "warnings", "consistency"},
    "organization": {"name", "industry", "support_model", "assessment_date", "segment",
                     "fx_rate"},
    "framework": {"name", "version", "currency", "settings"},
    "index": {"score", "coverage", "measured_score", "sufficient"},
    "element": {"score", "coverage", "weight", "measured_score", "sufficient"},
    "kpi": {"id", "element", "unit", "direction", "current", "target", "floor", "band",
            "weight", "score", "status", "points_at_stake", "benchmark", "applicable",
            "derived"},
    "renewal": {"health", "kpi_score", "practices_score", "projection"},
    "projection": {"year", "client", "industry", "target", "client_value"},
    "questionnaire": {"score", "coverage", "level", "items", "measured_score", "sufficient"},
    "item": {"id", "answer", "weight"},
    "expectations": {"alignment", "dimensions"},
    "dimension": {"id", "importance", "performance", "priority", "gap", "quadrant"},
    "consistency": {"relation", "cells", "implied", "stated", "ok"},
    "recommendation": {"source", "id", "priority", "text"},
}


def check_contract(r: dict) -> None:
    def has(obj: dict, key: str) -> None:
        missing = CONTRACT[key] - set(obj)
        assert not missing, f"{key} lacks {missing}"

    has(r, "top")
    assert r["schema"] == "support-excellence/results@2"
    has(r["organization"], "organization")
    has(r["framework"], "framework")
    assert r["framework"]["settings"]["missing_kpi"] in {"zero", "exclude"}
    has(r["index"], "index")
    assert set(r["elements"]) == {"profit", "reputation", "efficiency", "effectiveness"}
    for element in r["elements"].values():
        has(element, "element")
    for kpi in r["kpis"]:
        has(kpi, "kpi")
        assert kpi["status"] in {"met", "near", "off", "no_data", "not_applicable"}
        assert (kpi["status"] == "not_applicable") == (not kpi["applicable"])
    has(r["renewal"], "renewal")
    if r["renewal"]["applicable"]:
        assert [p["year"] for p in r["renewal"]["projection"]] == [1, 2, 3, 4, 5]
    else:  # an internal desk: no contracts, no projection
        assert r["renewal"]["projection"] == [] and r["renewal"]["health"] is None
    for year in r["renewal"]["projection"]:
        has(year, "projection")
    assert {"renewal_practices", "excellence_practices"} <= set(r["questionnaires"])
    for q in ("renewal_practices", "excellence_practices"):
        has(r["questionnaires"][q], "questionnaire")
        for item in r["questionnaires"][q]["items"]:
            has(item, "item")
    has(r["expectations"], "expectations")
    for dim in r["expectations"]["dimensions"]:
        has(dim, "dimension")
    for check in r["consistency"]:
        has(check, "consistency")
    for rec in r["recommendations"]:
        has(rec, "recommendation")
        assert rec["source"] in {"kpi", "practice", "expectation"}
    assert all(isinstance(w, str) for w in r["warnings"])


@pytest.mark.parametrize("workbook", sample_workbooks(), ids=lambda p: p.stem)
def test_score_sample_writes_contract_results(workbook: Path, tmp_path: Path, capsys) -> None:
    code, out, _ = run(capsys, "score", workbook, "--out", tmp_path, "--format", "json")
    assert code == 0 and "Support Excellence Index" in out
    [results_path] = files_in(tmp_path)
    assert results_path.name == "results.json"
    results = json.loads(results_path.read_text(encoding="utf-8"))
    check_contract(results)
    org = results["organization"]
    assert results_path.parent.name == f"{safe_slug(org['name'])}-{org['assessment_date']}"


def test_score_writes_three_files_and_rerun_is_identical(tmp_path, capsys):
    workbook = sample_workbooks()[0]
    assert run(capsys, "score", workbook, "--out", tmp_path)[0] == 0
    first = {p: p.read_bytes() for p in files_in(tmp_path)}
    assert sorted(p.suffix for p in first) == [".html", ".json", ".xlsx"]
    assert run(capsys, "score", workbook, "--out", tmp_path, "--quiet")[0] == 0
    assert {p: p.read_bytes() for p in files_in(tmp_path)} == first


def test_template_command(tmp_path, capsys):
    code, out, _ = run(capsys, "template", "--out", tmp_path / "blank.xlsx")
    assert code == 0 and (tmp_path / "blank.xlsx").stat().st_size > 0


def test_validate_command(capsys):
    code, out, _ = run(capsys, "validate", sample_workbooks()[0])
    assert code == 0 and "valid" in out


def test_python_dash_m_help():
    done = subprocess.run([sys.executable, "-m", "assessment", "score", "--help"],
                          capture_output=True, text=True, check=True)
    assert "Sheet!Cell" in done.stdout and "--format" in done.stdout


# ----------------------------------------------------------------------------- --brand


def _brand(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_bad_brand_exits_2_lists_every_problem_and_writes_nothing(tmp_path, capsys):
    bad = _brand(tmp_path / "look", "firm: \"Acme\\u202e\"\nprimary_color: '#EEEEEE'\n"
                                    "colour: red\nlogo: /etc/passwd\n")
    out = tmp_path / "out"
    code, stdout, stderr = run(capsys, "score", sample_workbooks()[0], "--out", out,
                               "--brand", bad)
    assert code == 2
    assert f"error: the brand file {bad} has 4 problem(s); nothing was written." in stderr
    assert "  bad.yaml: firm: holds the control character U+202E" in stderr
    assert "  bad.yaml: primary_color: #EEEEEE is too light: white text on it has a contrast " \
           "of 1.16:1 — at least 4.5:1" in stderr
    assert "  bad.yaml: colour: unknown key 'colour'" in stderr
    assert "  bad.yaml: logo: /etc/passwd: neither a PNG nor an SVG image" in stderr
    assert "\u202e" not in stderr and "Traceback" not in stdout + stderr
    assert files_in(out) == []


def test_bad_brand_is_reported_before_a_bad_intake(tmp_path, capsys):
    bad = _brand(tmp_path, "firm: X\nprimary_colr: '#1F3A5F'\n")
    code, _, stderr = run(capsys, "score", tmp_path / "nope.xlsx", "--out", tmp_path / "out",
                          "--brand", bad)
    assert code == 2 and "did you mean 'primary_color'?" in stderr
    assert "nope.xlsx" not in stderr


def test_bad_pptx_template_exits_2_and_writes_nothing(tmp_path, capsys):
    (tmp_path / "corporate.pptx").write_bytes(b"not a zip")
    out = tmp_path / "out"
    code, _, stderr = run(capsys, "score", sample_workbooks()[0], "--out", out,
                          "--format", "json,pptx", "--pptx-template", tmp_path / "corporate.pptx")
    assert code == 2
    assert "error: the PowerPoint template" in stderr and "nothing was written" in stderr
    assert "  --pptx-template: corporate.pptx is not a PowerPoint file" in stderr
    assert files_in(out) == []


def test_good_brand_scores(tmp_path, capsys):
    good = _brand(tmp_path / "look", "firm: Example Advisory\nprimary_color: '#0B3D2E'\n")
    code, _, stderr = run(capsys, "score", sample_workbooks()[0], "--out", tmp_path / "out",
                          "--format", "json", "--brand", good, "--pptx-template", "")
    assert code == 0, stderr
    assert [p.name for p in files_in(tmp_path / "out")] == ["results.json"]


def test_pptx_template_without_the_pptx_format_is_noted(tmp_path, capsys):
    from pptx import Presentation

    Presentation().save(str(tmp_path / "corporate.pptx"))
    code, _, stderr = run(capsys, "score", sample_workbooks()[0], "--out", tmp_path / "out",
                          "--format", "json", "--pptx-template", tmp_path / "corporate.pptx")
    assert code == 0 and "--pptx-template is used by the pptx format only" in stderr


@pytest.mark.parametrize("command", ["score", "batch"])
def test_help_explains_brand_and_template(command):
    done = subprocess.run([sys.executable, "-m", "assessment", command, "--help"],
                          capture_output=True, text=True, check=True)
    flat = " ".join(done.stdout.split())
    assert "--brand FILE" in flat and "--pptx-template FILE" in flat
    assert "primary_color, accent_color, confidentiality and prepared_by" in flat
    assert "docs/branding.md" in flat and "pptx: editable PowerPoint deck" in flat


def test_brand_reaches_every_format(tmp_path, capsys):
    """The firm's name on the workbook, the page and the deck; the client's name stays the
    intake's (issue 14)."""
    from openpyxl import load_workbook
    from pptx import Presentation

    look = tmp_path / "look"
    look.mkdir()
    (look / "brand.yaml").write_text("firm: Quillon Partners\nprimary_color: '#0B3D2E'\n"
                                     "confidentiality: Strictly confidential\n",
                                     encoding="utf-8")
    out = tmp_path / "out"
    code, _, stderr = run(capsys, "score", sample_workbooks()[0], "--out", out, "--quiet",
                          "--format", "xlsx,html,json,pptx", "--brand", look / "brand.yaml")
    assert code == 0, stderr
    found = {p.suffix: p for p in files_in(out)}
    assert sorted(found) == [".html", ".json", ".pptx", ".xlsx"]
    client = json.loads(found[".json"].read_text(encoding="utf-8"))["organization"]["name"]
    assert "Quillon" not in client
    page = found[".html"].read_text(encoding="utf-8")
    assert "Quillon Partners" in page and client in page
    cells = [str(cell.value) for sheet in load_workbook(found[".xlsx"]).worksheets
             for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert any("Quillon Partners" in text for text in cells)
    deck = [shape.text_frame.text for slide in Presentation(str(found[".pptx"])).slides
            for shape in slide.shapes if shape.has_text_frame]
    assert any("Quillon Partners" in text for text in deck)
    assert any(client in text for text in deck)
