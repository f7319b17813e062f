"""``support-excellence batch`` and ``demo``: outputs, failure isolation, warm kernels, atomicity.

The batch runs the real ``notebooks/scorecard.ipynb`` and ``notebooks/portfolio.ipynb``. The
misbehaviours (a kernel that dies, a cell that hangs, a variable left for the next client) are
played by ``tests/notebooks/scorecard_stub.ipynb``, driven by the intake's file name.
Batches are shared across assertions through module-scoped fixtures, with at most 2 workers.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import nbformat
import pytest
from openpyxl import load_workbook
from workbooks import edits, where

from assessment.batch import kernel, report
from assessment.batch import runner as batch
from assessment.cli import main
from assessment.core.format import format_score
from assessment.core.framework import load_framework
from assessment.core.scoring import score
from assessment.files.write import workbook_bytes
from assessment.intake.samples import sample_data, sample_workbooks
from assessment.intake.template import fill_intake

STUBS = Path(__file__).parent / "notebooks"
SCORECARD_STUB = STUBS / "scorecard_stub.ipynb"
PORTFOLIO_STUB = STUBS / "portfolio_stub.ipynb"
SAMPLES = {p.stem: p for p in sample_workbooks()}


def cli(*argv: Any) -> tuple[int, str]:
    """Run the command line in this process; its exit code and what it printed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main([str(a) for a in argv])
    return code, out.getvalue()


def copy(sample: str, folder: Path, name: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(SAMPLES[sample], folder / (name or f"{sample}.xlsx")))


def visible_files(out: Path) -> list[Path]:
    """Every file under ``out`` except the staging folder (not even entered: orphaned workers
    may still be removing their folders in it)."""
    found: list[Path] = []
    for root, folders, files in os.walk(out):
        folders[:] = [f for f in folders if not (Path(root) == out and f == batch.STAGING_NAME)]
        found += [Path(root) / name for name in files]
    return sorted(found)


def assert_no_partial_files(out: Path) -> None:
    """Every file in ``out`` is complete: JSON parses, workbooks open, notebooks validate,
    HTML is whole, and no temporary file is left outside the staging folder."""
    for path in visible_files(out):
        assert not path.name.startswith("."), f"temporary file left: {path}"
        assert path.suffix in {".json", ".xlsx", ".html", ".ipynb", ".log"}, path
        if path.suffix == ".json":
            json.loads(path.read_text(encoding="utf-8"))
        elif path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as archive:
                assert archive.testzip() is None
            load_workbook(path, read_only=True).close()
        elif path.suffix == ".ipynb":
            nbformat.validate(nbformat.read(path, as_version=4))
        elif path.suffix == ".html":
            assert path.read_text(encoding="utf-8").rstrip().endswith("</html>"), path


# ----------------------------------------------------------------------------- a real batch


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """An intake with text in a number cell, and the ``Sheet!Cell`` its error must name."""
    framework = load_framework()
    wb = fill_intake(framework, sample_data("ironclad-systems"))
    location = where(wb, "kpis", "csat", "current")
    edits(("kpis", "csat", "current", "about 80"))(wb)
    path = tmp_path_factory.mktemp("broken") / "broken-client.xlsx"
    path.write_bytes(workbook_bytes(wb))
    return path, location


@pytest.fixture(scope="module")
def real_batch(tmp_path_factory: pytest.TempPathFactory,
               broken: tuple[Path, str]) -> dict[str, Any]:
    """``support-excellence batch`` on a folder of two good intakes plus a broken one."""
    assert batch.SCORECARD_NOTEBOOK.exists(), "notebooks/scorecard.ipynb is missing"
    inputs = tmp_path_factory.mktemp("intakes")
    for name in ("harbor-city-it", "northwind-cloud"):
        copy(name, inputs)
    shutil.copy(broken[0], inputs)
    out = tmp_path_factory.mktemp("batch") / "out"
    code, printed = cli("batch", inputs, "--out", out, "--workers", 2)
    summary = json.loads((out / report.SUMMARY_NAME).read_text(encoding="utf-8"))
    return {"code": code, "printed": printed, "out": out, "summary": summary,
            "inputs": inputs, "broken": broken}


def by_name(summary: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {Path(entry["intake"]).stem: entry for entry in summary["intakes"]}


@pytest.mark.slow
def test_good_intakes_get_scorecards_and_executed_notebook(real_batch):
    out, entries = real_batch["out"], by_name(real_batch["summary"])
    for stem in ("harbor-city-it", "northwind-cloud"):
        entry = entries[stem]
        assert entry["status"] == "succeeded"
        folder = out / entry["folder"]
        results = json.loads((folder / "results.json").read_text(encoding="utf-8"))
        assert folder.name.endswith(results["organization"]["assessment_date"])
        slug = Path(entry["notebook"]).name.removesuffix("-scorecard.ipynb")
        assert sorted(p.name for p in folder.iterdir()) == sorted(
            [f"{slug}-scorecard.html", f"{slug}-scorecard.ipynb", f"{slug}-scorecard.xlsx",
             "results.json"])
        executed = nbformat.read(folder / f"{slug}-scorecard.ipynb", as_version=4)
        assert executed.metadata.papermill.parameters["intake"] == entry["intake"]
        # the audit trail names the folder the files are in, not the staging folder
        assert executed.metadata.papermill.parameters["output_dir"] == str(out)
        assert batch.STAGING_NAME not in nbformat.writes(executed)
        counts = [c.execution_count for c in executed.cells if c.cell_type == "code"]
        assert counts == list(range(1, len(counts) + 1))  # a fresh session on a warm kernel


@pytest.mark.slow
def test_broken_intake_is_listed_with_its_cell_and_others_complete(real_batch):
    path, location = real_batch["broken"]
    entry = by_name(real_batch["summary"])["broken-client"]
    assert entry["status"] == "failed" and entry["folder"] is None
    assert any(issue.startswith(f"{location}: ") for issue in entry["issues"])
    assert real_batch["summary"]["counts"] == {"succeeded": 2, "failed": 1, "skipped": 0}
    assert real_batch["code"] == 1
    assert f"FAILED {real_batch['inputs'] / path.name}" in real_batch["printed"]
    assert f"    {location}: " in real_batch["printed"]
    log = (real_batch["out"] / report.LOG_NAME).read_text(encoding="utf-8")
    assert f"[failed] {real_batch['inputs'] / path.name}" in log and f"{location}: " in log
    names = "\n".join(p.name for p in real_batch["out"].rglob("*"))
    assert "ironclad" not in names  # the broken intake wrote nothing


@pytest.mark.slow
def test_portfolio_summary_and_no_leftovers(real_batch):
    out, summary = real_batch["out"], real_batch["summary"]
    if not batch.PORTFOLIO_NOTEBOOK.exists():
        pytest.skip("notebooks/portfolio.ipynb does not exist yet")
    assert summary["portfolio"]["status"] == "succeeded"
    assert (out / "portfolio" / "portfolio.ipynb").is_file()
    assert len(list((out / "portfolio").iterdir())) > 1
    assert summary["finished"] and summary["workers"] == 2
    assert not (out / batch.STAGING_NAME).exists()
    assert_no_partial_files(out)


@pytest.mark.slow
def test_warm_kernels_ran_several_notebooks(real_batch):
    entries = [e for e in real_batch["summary"]["intakes"]]
    kernels = [e["kernel"] for e in entries] + [real_batch["summary"]["portfolio"].get("kernel")]
    assert len(set(kernels)) < len(kernels)  # at least one kernel ran two notebooks


@pytest.mark.slow
def test_skip_existing_skips_up_to_date_intakes(real_batch, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(real_batch["out"], out)
    inputs = real_batch["inputs"]
    good = [inputs / "harbor-city-it.xlsx", inputs / "northwind-cloud.xlsx"]
    code, _ = cli("batch", *good, "--out", out, "--skip-existing", "--no-portfolio")
    summary = json.loads((out / report.SUMMARY_NAME).read_text(encoding="utf-8"))
    assert code == 0 and summary["counts"] == {"succeeded": 0, "failed": 0, "skipped": 2}

    later = time.time() + 5
    os.utime(good[0], (later, later))  # edited after it was scored: score it again
    code, _ = cli("batch", *good, "--out", out, "--skip-existing", "--no-portfolio")
    entries = by_name(json.loads((out / report.SUMMARY_NAME).read_text(encoding="utf-8")))
    assert code == 0
    assert entries["harbor-city-it"]["status"] == "succeeded"
    assert entries["northwind-cloud"]["status"] == "skipped"
    # the index that --skip-existing reads keeps every intake scored so far
    index = json.loads((out / report.SUMMARY_NAME).read_text(encoding="utf-8"))["index"]
    assert {str(p) for p in good} <= set(index)


# ----------------------------------------------------------------------------- warm kernels


@pytest.mark.slow
def test_reset_clears_what_the_previous_notebook_defined(tmp_path):
    """Without the reset, the second client sees the first one's variable; with it, not."""
    from jupyter_core.utils import run_sync
    from papermill import execute_notebook
    from papermill.exceptions import PapermillExecutionError

    def run(intake: str) -> nbformat.NotebookNode:
        return execute_notebook(str(SCORECARD_STUB), None, km=warm.km,
                                parameters={"intake": intake, "output_dir": str(tmp_path)},
                                progress_bar=False, request_save_on_cell_execute=False)

    a, b = copy("harbor-city-it", tmp_path, "a.xlsx"), copy("ironclad-systems", tmp_path, "b.xlsx")
    warm = kernel.WarmKernel()
    try:
        warm.reset()
        run(str(a))
        with pytest.raises(PapermillExecutionError, match="leaked from"):
            run(str(b))  # same kernel, no reset: client A's PREVIOUS_CLIENT is visible
        warm.reset()
        executed = run(str(b))
        counts = [c.execution_count for c in executed.cells if c.cell_type == "code"]
        assert counts == list(range(1, len(counts) + 1))
        # papermill and nbclient leave alone a kernel they were given
        assert run_sync(warm.km.is_alive)()
    finally:
        warm.shutdown()


@pytest.fixture(scope="module")
def stub_batch(tmp_path_factory: pytest.TempPathFactory) -> report.BatchResult:
    """One worker runs, in order: two good clients, one that kills its kernel, one that
    hangs past the timeout, and a last good one."""
    inputs = tmp_path_factory.mktemp("stub-intakes")
    paths = [copy("harbor-city-it", inputs, "1-a.xlsx"),
             copy("ironclad-systems", inputs, "2-b.xlsx"),
             copy("northwind-cloud", inputs, "3-die.xlsx"),
             copy("northwind-cloud", inputs, "4-hang.xlsx"),
             copy("northwind-cloud-2026-04", inputs, "5-c.xlsx")]
    return batch.run_batch(paths, tmp_path_factory.mktemp("stub") / "out", workers=1,
                           timeout=10, scorecard_notebook=SCORECARD_STUB,
                           portfolio_notebook=PORTFOLIO_STUB, progress=False)


def stub_results(result: report.BatchResult) -> dict[str, report.JobResult]:
    return {Path(r.intake or "").stem.split("-", 1)[1]: r for r in result.intakes}


@pytest.mark.slow
def test_namespace_does_not_leak_between_clients_on_one_kernel(stub_batch):
    runs = stub_results(stub_batch)
    assert runs["a"].kernel == runs["b"].kernel  # the same warm kernel ...
    assert runs["b"].status == "succeeded", runs["b"].error  # ... and b saw nothing of a


@pytest.mark.slow
def test_dead_kernel_is_replaced_and_the_batch_goes_on(stub_batch):
    runs = stub_results(stub_batch)
    assert runs["die"].status == "failed" and "kernel died" in (runs["die"].error or "")
    assert runs["die"].kernel_replaced
    assert runs["hang"].kernel != runs["die"].kernel


@pytest.mark.slow
def test_hanging_cell_times_out_and_kernel_is_replaced(stub_batch):
    runs = stub_results(stub_batch)
    assert runs["hang"].status == "failed" and "timed out" in (runs["hang"].error or "")
    assert runs["hang"].kernel_replaced
    assert runs["c"].status == "succeeded" and runs["c"].kernel != runs["hang"].kernel
    assert stub_batch.exit_code == 1
    assert stub_batch.portfolio is not None and stub_batch.portfolio.status == "succeeded"
    assert_no_partial_files(stub_batch.out)


# ----------------------------------------------------------------------------- atomicity


@pytest.mark.slow
def test_sigkill_leaves_no_partial_file_and_next_run_cleans_up(tmp_path):
    inputs = tmp_path / "intakes"
    for i in range(2):
        for name in SAMPLES:
            copy(name, inputs, f"{i}-{name}.xlsx")
    out = tmp_path / "out"
    process = subprocess.Popen([sys.executable, "-m", "assessment", "batch", str(inputs),
                                "--out", str(out), "--workers", "2", "--no-portfolio"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not list(out.glob("*/results.json")) and time.monotonic() < deadline:
            assert process.poll() is None, "the batch ended before it could be killed"
            time.sleep(0.05)
        assert list(out.glob("*/results.json")), "no intake was scored within 120 s"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert process.returncode == -signal.SIGKILL
    assert_no_partial_files(out)
    time.sleep(1)  # the orphaned workers notice and exit: nothing more appears
    assert_no_partial_files(out)

    code, _ = cli("batch", inputs, "--out", out, "--skip-existing", "--no-portfolio")
    summary = json.loads((out / report.SUMMARY_NAME).read_text(encoding="utf-8"))
    assert code == 0 and summary["counts"]["failed"] == 0
    assert not (out / batch.STAGING_NAME).exists()
    assert len(list(out.glob("*/results.json"))) == len(SAMPLES)
    assert_no_partial_files(out)


# ----------------------------------------------------------------------------- --format, --paper


@pytest.mark.slow
def test_format_pdf_and_paper_reach_every_scorecard(tmp_path, system_tool):
    system_tool("chromium")
    pdfinfo = system_tool("pdfinfo")
    out = tmp_path / "out"
    code, _ = cli("batch", SAMPLES["harbor-city-it"], SAMPLES["ironclad-systems"], "--out", out,
                  "--format", "pdf,html", "--paper", "letter", "--no-portfolio")
    assert code == 0
    for folder in sorted(p.parent for p in out.glob("*/results.json")):
        # json is always written: the batch publishes by it and the portfolio reads it
        assert sorted(p.suffix for p in folder.iterdir()) == [".html", ".ipynb", ".json",
                                                              ".pdf"], folder
        info = subprocess.run([pdfinfo, str(next(folder.glob("*.pdf")))], check=True,
                              capture_output=True, text=True, timeout=60).stdout
        assert "612 x 792 pts" in info, info
    assert len(list(out.glob("*/results.json"))) == 2


def test_unknown_format_exits_2_and_writes_nothing(tmp_path):
    out = tmp_path / "out"
    assert cli("batch", SAMPLES["ironclad-systems"], "--out", out, "--format", "pdf,docx")[0] == 2
    assert not out.exists()


def test_pdf_without_chromium_exits_1_names_it_and_writes_nothing(tmp_path, monkeypatch,
                                                                   capsys):
    from assessment.scorecard import pdf

    monkeypatch.setattr(pdf, "find_chromium", lambda: None)
    out = tmp_path / "out"
    code = main(["batch", str(SAMPLES["ironclad-systems"]), "--out", str(out),
                 "--format", "xlsx,pdf"])
    printed, errors = capsys.readouterr()
    assert code == 1
    assert "apt-get install chromium" in errors and "nothing was written" in errors
    assert "Traceback" not in printed + errors
    assert not out.exists()


# ----------------------------------------------------------------------------- --segment


def test_unknown_segment_exits_2_names_the_choices_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["batch", str(SAMPLES["ironclad-systems"]), "--out", str(out),
                 "--segment", "retail_banking"])
    errors = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert "--segment: unknown segment 'retail_banking'" in errors
    assert "b2b_software" in errors


def test_segment_needs_the_notebook_parameter(tmp_path):
    with pytest.raises(batch.BatchError, match="no parameter.*segment"):
        batch.run_batch([SAMPLES["ironclad-systems"]], tmp_path / "out",
                        segment="b2b_software", scorecard_notebook=SCORECARD_STUB,
                        portfolio=False, progress=False)
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_segment_reaches_every_results_json(tmp_path):
    if "segment" not in batch.notebook_parameters(batch.SCORECARD_NOTEBOOK, ()):
        pytest.skip("notebooks/scorecard.ipynb has no segment parameter yet")
    out = tmp_path / "out"
    code, printed = cli("batch", SAMPLES["northwind-cloud"], SAMPLES["ironclad-systems"],
                        "--out", out, "--segment", "it_service_desk", "--no-portfolio",
                        "--format", "json", "--workers", 1)
    assert code == 0, printed
    found = sorted(out.glob("*/results.json"))
    assert len(found) == 2
    for path in found:
        results = json.loads(path.read_text(encoding="utf-8"))
        assert results["schema"] == "support-excellence/results@2"
        assert results["organization"]["segment"] == "it_service_desk"
    summary = json.loads((out / report.SUMMARY_NAME).read_text(encoding="utf-8"))
    assert summary["segment"] == "it_service_desk"
    assert [(e["schema"], e["segment"]) for e in summary["intakes"]] == [
        ("support-excellence/results@2", "it_service_desk")] * 2
    log = (out / report.LOG_NAME).read_text(encoding="utf-8")
    assert log.count("[results@2, segment it_service_desk]") == 2
    assert "segment it_service_desk for every intake" in log
    assert "scored for segment it_service_desk (--segment)" in printed


# ----------------------------------------------------------------------------- usage, demo


def test_usage_errors_exit_2(tmp_path):
    assert cli("batch", tmp_path / "missing.xlsx", "--out", tmp_path / "out")[0] == 2
    (tmp_path / "empty").mkdir()
    assert cli("batch", tmp_path / "empty", "--out", tmp_path / "out")[0] == 2
    with pytest.raises(SystemExit) as exit_info:
        cli("batch", "--out", tmp_path / "out")
    assert exit_info.value.code == 2
    assert not (tmp_path / "out").exists()


def test_second_batch_into_the_same_folder_is_refused(tmp_path):
    fcntl = pytest.importorskip("fcntl")
    staging = tmp_path / "out" / batch.STAGING_NAME
    staging.mkdir(parents=True)
    handle = os.open(staging, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)  # as a running batch holds it
        code, _ = cli("batch", SAMPLES["ironclad-systems"], "--out", tmp_path / "out")
    finally:
        os.close(handle)
    assert code == 2 and not (tmp_path / "out" / report.SUMMARY_NAME).exists()


def test_collect_intakes_takes_workbooks_of_folders_sorted(tmp_path):
    for name in ("b.xlsx", "a.xlsm", "notes.txt", "~$a.xlsx", ".hidden.xlsx"):
        (tmp_path / name).write_bytes(b"x")
    single = tmp_path / "sub" / "c.xlsx"
    single.parent.mkdir()
    single.write_bytes(b"x")
    found = batch.collect_intakes([tmp_path, single, tmp_path / "b.xlsx"])
    assert [p.name for p in found] == ["a.xlsm", "b.xlsx", "c.xlsx"]


@pytest.mark.slow
def test_demo_writes_the_expected_layout(tmp_path):
    out = tmp_path / "reports"
    code, printed = cli("demo", "--out", out)
    assert code == 0
    folders = sorted(p.name for p in out.iterdir() if p.is_dir())
    assert len([f for f in folders if f.startswith("northwind-cloud-software-")]) == 2
    for folder in (out / f for f in folders if f != "portfolio"):
        assert {p.suffix for p in folder.iterdir()} == {".xlsx", ".html", ".json", ".ipynb"}
        assert str(folder) in printed
    assert (out / report.SUMMARY_NAME).is_file() and (out / report.LOG_NAME).is_file()
    # the scores of every assessment, as the portfolio compares them (results@2)
    ironclad = score(load_framework(), sample_data("ironclad-systems"))
    assert (f"Ironclad Systems                    2026-11-05  "
            f"{format_score(ironclad['index']['score']):>6}"
            f"{format_score(ironclad['elements']['profit']['score']):>8}") in printed
    assert printed.count("Northwind Cloud Software") >= 2
    if batch.PORTFOLIO_NOTEBOOK.exists():
        assert (out / "portfolio" / "portfolio.ipynb").is_file()
        assert str(out / "portfolio") in printed
    assert_no_partial_files(out)


# ----------------------------------------------------------------------------- --brand


def test_bad_brand_exits_2_before_the_batch_starts(tmp_path, capsys):
    bad = tmp_path / "brand.yaml"
    bad.write_text("firm: X\naccent_color: '#FFFF00'\n", encoding="utf-8")
    out = tmp_path / "out"
    code = main(["batch", str(SAMPLES["ironclad-systems"]), str(SAMPLES["harbor-city-it"]),
                 "--out", str(out), "--brand", str(bad)])
    errors = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert f"error: the brand file {bad} has 1 problem(s); nothing was written." in errors
    assert "  brand.yaml: accent_color: #FFFF00 is too light: it against white has a " \
           "contrast of 1.07:1 — at least 3:1" in errors
    assert "Traceback" not in errors


def test_bad_pptx_template_exits_2_before_the_batch_starts(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["batch", str(SAMPLES["ironclad-systems"]), "--out", str(out),
                 "--format", "pptx", "--pptx-template", str(tmp_path / "missing.potx")])
    assert code == 2 and not out.exists()
    assert "--pptx-template: cannot read missing.potx" in capsys.readouterr().err


def test_brand_and_template_reach_the_notebook_as_absolute_paths(tmp_path, monkeypatch):
    from pptx import Presentation

    monkeypatch.chdir(tmp_path)
    Path("brand.yaml").write_text("firm: Example Advisory\n", encoding="utf-8")
    Presentation().save("corporate.pptx")
    options = batch.notebook_options(None, ["pptx"], None, brand="brand.yaml",
                                     pptx_template="corporate.pptx")
    assert options == {"formats": "pptx,json", "brand": str(tmp_path / "brand.yaml"),
                       "pptx_template": str(tmp_path / "corporate.pptx")}
    assert batch.notebook_options(None, None, None, brand="", pptx_template="") == {}
    # a notebook without the parameters is a usage error, before anything runs
    with pytest.raises(batch.BatchError, match="no parameter.*brand"):
        batch.run_batch([SAMPLES["ironclad-systems"]], tmp_path / "out", brand="brand.yaml",
                        scorecard_notebook=SCORECARD_STUB, portfolio=False, progress=False)
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_brand_reaches_every_scorecard(tmp_path):
    declared = batch.notebook_parameters(batch.SCORECARD_NOTEBOOK, ())
    if not {"brand", "pptx_template"} <= declared:
        pytest.skip("notebooks/scorecard.ipynb has no brand/pptx_template parameters yet")
    brand = tmp_path / "look" / "brand.yaml"
    brand.parent.mkdir()
    brand.write_text("firm: Quillon Partners\nconfidentiality: Strictly confidential\n",
                     encoding="utf-8")
    from pptx import Presentation

    template = tmp_path / "look" / "corporate.pptx"
    Presentation().save(str(template))  # 4:3, where the deck's own layout is 16:9
    out = tmp_path / "out"
    code, printed = cli("batch", SAMPLES["northwind-cloud"], SAMPLES["ironclad-systems"],
                        "--out", out, "--brand", brand, "--pptx-template", template,
                        "--no-portfolio", "--format", "html,json,pptx", "--workers", 1)
    assert code == 0, printed
    pages = sorted(out.glob("*/*-scorecard.html"))
    decks = sorted(out.glob("*/*.pptx"))
    assert len(pages) == len(decks) == 2
    for page in pages:
        assert "Quillon Partners" in page.read_text(encoding="utf-8"), page
    for deck in decks:
        shown = Presentation(str(deck))
        assert shown.slide_width == Presentation(str(template)).slide_width, deck
        assert any("Quillon Partners" in shape.text_frame.text for slide in shown.slides
                   for shape in slide.shapes if shape.has_text_frame), deck
