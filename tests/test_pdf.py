"""The PDF scorecard: printed by headless Chromium, on A4 or Letter; without Chromium, a clear
message naming what to install, exit 1 and nothing written."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from test_html import logo_png

from assessment.cli import main
from assessment.core.format import format_score as fmt_score
from assessment.intake.samples import sample_workbooks
from assessment.scorecard import pdf

#: page size in points as pdfinfo prints it
PAGE_SIZES = {"A4": "595 x 842", "Letter": "612 x 792"}


def files_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def score_pdf(tmp_path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[Path, dict]:
    code = main(["score", str(sample_workbooks()[0]), "--out", str(tmp_path), "--quiet",
                 "--format", "json,pdf", *extra])
    out, err = capsys.readouterr()
    assert code == 0, err
    written = [Path(line.removeprefix("wrote ")) for line in out.splitlines()
               if line.startswith("wrote ")]
    pdfs = [p for p in written if p.suffix == ".pdf"]
    assert len(pdfs) == 1 and pdfs[0].name.endswith("-scorecard.pdf")
    results_file = next(p for p in written if p.name == "results.json")
    assert pdfs[0].parent == results_file.parent
    return pdfs[0], json.loads(results_file.read_text(encoding="utf-8"))


@pytest.mark.slow
@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_score_writes_pdf_scorecard(paper, tmp_path, capsys, system_tool) -> None:
    system_tool("chromium")
    pdftotext, pdfinfo = system_tool("pdftotext"), system_tool("pdfinfo")
    path, results = score_pdf(tmp_path, capsys, "--paper", paper)
    data = path.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 10_000

    info = subprocess.run([pdfinfo, str(path)], capture_output=True, text=True, check=True,
                          timeout=60).stdout
    sizes = re.findall(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert sizes, info
    assert {f"{round(float(w))} x {round(float(h))}" for w, h in sizes} == {PAGE_SIZES[paper]}
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages >= 2

    text = subprocess.run([pdftotext, "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True, timeout=60).stdout
    flat = " ".join(text.split())
    assert results["organization"]["name"] in flat
    assert "Support Excellence Index" in flat
    assert fmt_score(results["index"]["score"]) in flat
    for element in results["elements"].values():
        assert element["name"] in flat
    first = " ".join(results["recommendations"][0]["text"].split()[:6])
    assert first in flat
    # page 1 is the cover (the client and the date, no page number); page 2 the executive
    # summary: findings, top initiatives and the business-case total; every page after the
    # cover is numbered
    sheets = [" ".join(p.split()) for p in text.split("\f")[:pages]]
    cover, page_two = sheets[0], sheets[1]
    org = results["organization"]
    assert org["name"] in cover and str(org["assessment_date"]) in cover
    assert "Page 1 of" not in cover and "Executive summary" not in cover
    assert page_two.index(results["organization"]["name"]) < page_two.index("Executive summary")
    assert "Key findings" in page_two and "Top initiatives" in page_two
    top = results["executive_summary"]["initiatives"][0]["name"]
    assert all(word in page_two for word in top.split())  # a long name may wrap
    assert "business case, a year" in page_two.lower()  # CSS capitals
    total = results["business_case"]["total"]["base"]
    assert f"{results['organization']['currency']} {total:,.0f}" in page_two
    for n, sheet in enumerate(sheets[1:], start=2):
        assert f"Page {n} of {pages}" in sheet, n
    # the appendix of recommendations is the last section
    assert flat.rindex("Appendix: all recommendations") > flat.rindex("How the numbers are made")


@pytest.mark.slow
def test_score_with_a_brand_prints_the_firm_on_the_cover_and_every_page(tmp_path, capsys,
                                                                        system_tool) -> None:
    system_tool("chromium")
    pdftotext = system_tool("pdftotext")
    look = tmp_path / "look"
    look.mkdir()
    (look / "logo.png").write_bytes(logo_png())
    (look / "brand.yaml").write_text(
        "firm: Quillon Partners\nlogo: logo.png\nprimary_color: '#0B3D2E'\n"
        "confidentiality: Strictly confidential\nprepared_by: Jane Doe\n", encoding="utf-8")
    path, results = score_pdf(tmp_path / "out", capsys, "--brand", str(look / "brand.yaml"))
    text = subprocess.run([pdftotext, str(path), "-"], capture_output=True, text=True,
                          check=True, timeout=60).stdout
    sheets = [" ".join(p.split()) for p in text.split("\f") if p.strip()]
    assert "Quillon Partners" in sheets[0] and results["organization"]["name"] in sheets[0]
    assert "Prepared by Jane Doe" in sheets[0] and "Strictly confidential" in sheets[0]
    for n, sheet in enumerate(sheets[1:], start=2):
        assert "Strictly confidential" in sheet and f"Page {n} of {len(sheets)}" in sheet


def test_missing_chromium_exits_1_names_it_writes_nothing(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(pdf, "find_chromium", lambda: None)
    out = tmp_path / "out"
    code = main(["score", str(sample_workbooks()[0]), "--out", str(out),
                 "--format", "xlsx,html,json,pdf"])
    stdout, stderr = capsys.readouterr()
    assert code == 1
    assert "chromium" in stderr.lower() and "apt-get install chromium" in stderr
    assert pdf.CHROMIUM_ENV in stderr
    assert "Traceback" not in stderr + stdout
    assert files_in(out) == []


def test_configured_browser_that_does_not_exist_is_unavailable(monkeypatch) -> None:
    monkeypatch.setenv(pdf.CHROMIUM_ENV, "/nowhere/chromium")
    with pytest.raises(pdf.PdfUnavailable, match="apt-get install chromium"):
        pdf.print_html("<html><head></head><body>x</body></html>")


def test_unknown_paper_refused(tmp_path, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["score", str(sample_workbooks()[0]), "--out", str(tmp_path), "--format", "pdf",
              "--paper", "A3"])
    assert exit_info.value.code == 2
    assert "--paper" in capsys.readouterr().err
    assert files_in(tmp_path) == []
