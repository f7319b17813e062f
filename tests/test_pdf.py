"""The PDF scorecard: printed by headless Chromium, on A4 or Letter; without Chromium, a clear
message naming what to install, exit 1 and nothing written."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

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
    # page 1 is the executive summary: findings, top initiatives and the business-case total
    page_one = " ".join(text.split("\f")[0].split())
    assert page_one.index(results["organization"]["name"]) < page_one.index("Executive summary")
    assert "Key findings" in page_one and "Top initiatives" in page_one
    top = results["executive_summary"]["initiatives"][0]["name"]
    assert top in page_one and "business case, a year" in page_one.lower()  # CSS capitals
    total = results["business_case"]["total"]["base"]
    assert f"{results['organization']['currency']} {total:,.0f}" in page_one
    # the appendix of recommendations is the last section
    assert flat.rindex("Appendix: all recommendations") > flat.rindex("How the numbers are made")


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
