"""notebooks/scorecard.ipynb: parameters, committed outputs, and runs through papermill.

nbval re-executes the committed notebook and compares every output (``make test``); these
tests cover what nbval cannot: the papermill parameters, the files written compared with the
``score`` command, a bad intake stopping the notebook with its ``Sheet!Cell`` messages, and the
executed notebook reading as the client's own report (issue 14: the organization's name in the
title, element headings over the KPI tables, no tool instructions, the firm's brand).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat
import papermill
import pytest
import yaml
from workbooks import edits, where

from assessment.cli import main as cli
from assessment.core.framework import Framework, default_framework_path
from assessment.core.model import IntakeData
from assessment.core.scoring import score
from assessment.intake.reader import read_intake
from assessment.intake.samples import sample_workbooks
from assessment.intake.template import fill_intake
from assessment.interactive.display import default_intake
from assessment.pipeline import run
from assessment.scorecard.summary import summary_text

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "scorecard.ipynb"
PARAMETERS = {"intake", "output_dir", "framework", "formats", "assessment_date", "paper",
              "segment", "brand", "pptx_template"}
ELEMENTS = ("Profit", "Reputation", "Efficiency", "Effectiveness")
#: Words of tool instructions and developer references that a client's report never shows.
TOOL_WORDS = ("papermill", "support-excellence score", "output_dir", "out_dir", "docs/",
              "```", "run all", "the notebook", "this notebook", "parameter", "`")
BRAND = """\
firm: Example Advisory <Partners>
primary_color: "#1F3A5F"
accent_color: "#0E7C86"
confidentiality: Confidential - prepared for the client's management team
prepared_by: Jane Doe
"""

Make = Callable[..., Path]


@pytest.fixture(autouse=True)
def kernel_finds_package(monkeypatch: pytest.MonkeyPatch) -> None:
    """Kernels inherit the environment: make ``import assessment`` work in them from any
    working directory, even when the package is not installed (``PYTHONPATH=.`` is relative)."""
    paths = [str(ROOT), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(paths))


def execute(output: Path, **parameters: Any) -> nbformat.NotebookNode:
    return papermill.execute_notebook(str(NOTEBOOK), str(output), parameters=parameters,
                                      progress_bar=False)


def files_in(folder: Path) -> dict[str, bytes]:
    if not folder.exists():
        return {}
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def texts(cell: nbformat.NotebookNode) -> str:
    """Every text/plain and stream text of a cell's outputs."""
    parts = []
    for out in cell.get("outputs", []):
        parts.append(out.get("text", ""))
        parts.append(out.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


# ----------------------------------------------------------------------------- no kernel


def test_parameters_are_listed_with_types_and_help() -> None:
    params = papermill.inspect_notebook(str(NOTEBOOK))
    assert set(params) == PARAMETERS
    for name, param in params.items():
        if name != "segment":
            assert param["inferred_type_name"] == "str", name
        assert len(param["help"]) > 20, f"{name} has no help comment"
    assert params["formats"]["default"] == '""'  # blank: the registry's default formats
    # the batch passes segment only with --segment; None keeps the intake's peer group
    assert params["segment"]["default"] == "None"
    nb = nbformat.read(NOTEBOOK, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    score = next(c for c in nb.cells if c.get("id") == "score")
    assert "segment=segment or None" in score.source
    assert "brand=brand or None" in score.source
    assert "pptx_template=pptx_template or None" in score.source


def test_committed_outputs_are_clean_and_match_the_current_scores(tmp_path: Path) -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    assert set(nb.metadata) == {"kernelspec", "language_info"}
    assert "version" not in nb.metadata["language_info"]
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1))
    for cell in nb.cells:
        assert set(cell.metadata) <= {"tags", "jupyter"}, cell.id
        for out in cell.get("outputs", []):
            assert out["output_type"] in ("stream", "display_data", "execute_result"), cell.id
            assert out.get("name", "stdout") == "stdout", f"{cell.id} writes to stderr"
            for mime in out.get("data", {}):
                assert mime in ("text/plain", "text/html", "image/svg+xml"), (cell.id, mime)
                assert "text/plain" in out["data"], cell.id
    text = NOTEBOOK.read_text(encoding="utf-8")
    for needle in ("/tmp/", str(ROOT), str(Path.home()), '"papermill":', "scorecard-"):
        assert needle not in text, needle
    # The committed scores are those of the current code (nbval checks every output too).
    results = run(default_intake(), tmp_path, formats=("json",)).results
    glance = next(c for c in nb.cells if c.get("id") == "glance")
    assert summary_text(results) in texts(glance)


def test_narrative_leads_with_the_executive_summary_and_ends_with_the_appendix() -> None:
    """Issue 13: the first output after the parameters is the report's title (issue 14), then
    the executive summary, the business case and the roadmap; the recommendation list is an
    appendix at the end."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    with_outputs = [c.get("id") for c in code if c.outputs]
    assert with_outputs[:2] == ["title", "summary"]
    ids = [c.get("id") for c in nb.cells]
    assert ids[:3] == ["parameters", "score", "title"]
    assert ids.index("title") < ids.index("summary") < ids.index("business") \
        < ids.index("roadmap") < ids.index("glance") < ids.index("recommendations")
    assert ids[-4:] == ["recommendations-md", "recommendations", "files-md", "files"]
    assert "Appendix" in nb.cells[ids.index("recommendations-md")].source
    for cell in code:  # thin: the package does the work
        assert "def " not in cell.source and "class " not in cell.source, cell.get("id")
    summary = texts(nb.cells[ids.index("summary")])
    assert "Executive summary" in summary and "Business case" in summary
    assert "key finding(s)" in summary and "Top initiatives" in summary
    assert "In the total" in texts(nb.cells[ids.index("business")])


def test_executed_notebook_reads_as_the_clients_report() -> None:
    """Issue 14: the title carries the organization's name, each element's KPI table has the
    element's heading (with its score) over it, and no markdown or output gives tool
    instructions (how to run papermill, parameter names, file paths of the repository)."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    cells = {c.get("id"): c for c in nb.cells}
    title = cells["title"].outputs
    assert len(title) == 1
    assert title[0]["data"]["text/plain"].splitlines() == [
        "Northwind Cloud Software: support excellence assessment",
        "Assessed 2026-10-15 by Dana Whitfield \u00b7 B2B software support"]
    assert title[0]["data"]["text/html"].startswith(
        "<h1>Northwind Cloud Software: support excellence assessment</h1>")
    assert not any(c.cell_type == "markdown" and c.source.lstrip().startswith("# ")
                   for c in nb.cells), "the only level-1 heading is the client's title"

    kpis = [o["data"] for o in cells["kpis-profit"].outputs]
    headings = [d["text/plain"] for d in kpis if d["text/html"].startswith("<h3>")]
    assert [h.split(":")[0] for h in headings] == list(ELEMENTS)
    assert headings[0] == "Profit: 48.0 (Red)"
    for n, data in enumerate(kpis):  # each heading is followed by its element's KPI table
        if data["text/html"].startswith("<h3>"):
            assert kpis[n + 1]["text/plain"].startswith("KPI "), data["text/plain"]

    shown = [c.source for c in nb.cells if c.cell_type == "markdown"]
    shown += [texts(c) for c in nb.cells if c.cell_type == "code"]
    shown += [out.get("data", {}).get("text/html", "") for c in nb.cells
              if c.cell_type == "code" for out in c.outputs]
    for word in TOOL_WORDS:
        found = [text[:80] for text in shown if word.lower() in text.lower()]
        assert found == [], f"{word!r} in the report: {found}"


def test_title_and_headings_escape_untrusted_names() -> None:
    from assessment.interactive import display as nb
    from assessment.scorecard.brand import DEFAULT_BRAND, Brand

    results = {"organization": {"name": "<b>Acme</b> & Co", "assessment_date": "2027-01-31"}}
    assert nb.report_title(results, DEFAULT_BRAND) == [
        "<b>Acme</b> & Co: support excellence assessment", "Assessed 2027-01-31"]
    firm = Brand(firm="Example <i>Advisory</i>", logo=None, primary_color="#1F3A5F",
                 accent_color="#0E7C86", confidentiality="Confidential", prepared_by="J. Doe")
    assert nb.report_title(results, firm)[2:] == [
        "Prepared by Example <i>Advisory</i> \u00b7 J. Doe", "Confidential"]
    assert nb.report_title({"organization": {}})[0] == \
        "Unnamed organization: support excellence assessment"

    shown: list[dict[str, str]] = []
    display = pytest.MonkeyPatch()
    display.setattr(nb, "_display", shown.append)
    try:
        nb.show_title(results, firm)
        nb.show_heading("<script>x</script>", level=9)
    finally:
        display.undo()
    assert "<b>" not in shown[0]["text/html"] and "&lt;b&gt;Acme&lt;/b&gt; &amp; Co" in \
        shown[0]["text/html"]
    assert "&lt;i&gt;Advisory" in shown[0]["text/html"]
    assert shown[1] == {"text/plain": "<script>x</script>",
                        "text/html": "<h4>&lt;script&gt;x&lt;/script&gt;</h4>"}


def test_element_heading_says_not_applicable_and_insufficient() -> None:
    from assessment.interactive import display as nb

    view = {"elements": [
        {"key": "profit", "name": "Profit", "score": "\u2014", "rag_label": "Grey",
         "applicable": False},
        {"key": "reputation", "name": "Reputation", "score": "41.0", "rag_label": "Red",
         "insufficient": True}]}
    assert nb.element_heading(view, "profit") == "Profit: not applicable"
    assert nb.element_heading(view, "reputation") == "Reputation: 41.0 (Red, insufficient data)"


def test_decision_tables_show_money_needs_data_and_overlaps(framework: Framework,
                                                           tmp_path: Path) -> None:
    from assessment.interactive import display as nb

    results = run(default_intake(), tmp_path, formats=("json",)).results
    case = results["business_case"]
    table = nb.business_case_table(results)
    assert [r[0] for r in table.rows] == [d["name"] for d in case["drivers"]]
    assert all(r[-1] == "yes" for r, d in zip(table.rows, case["drivers"], strict=True)
               if d["counted"])
    assert any(r[-1].startswith("no: overlaps with") for r in table.rows)
    total = case["total"]["base"]
    assert f"USD {total:,.0f} a year" in table.caption
    formulas = nb.formula_table(results)
    assert all("=" in r[1] for r in formulas.rows)
    tops = nb.top_initiatives_table(results)
    assert len(tops) == 3
    roadmap = nb.roadmap_table(results)
    assert [int(r[0]) for r in roadmap.rows] == list(range(1, len(roadmap) + 1))
    assert nb.renewal_money_table(results).rows[0][1] == "USD 6,800,000"

    # a blank input: the driver names the field, never 0 money
    data = read_intake(default_intake(), framework)
    data.profile.pop("assisted_cases")
    blank = score(framework, data)
    rows = {r[0]: r for r in nb.business_case_table(blank).rows}
    assert rows["Cost-per-case gap"][1] == "needs data: assisted_cases"
    assert "needs data: assisted_cases" in nb.formula_table(blank).rows[1][1]
    assert "needs data: assisted_cases" in nb.caveats_text(blank)


# ----------------------------------------------------------------------------- papermill


@pytest.mark.slow
def test_bad_intake_stops_early_with_cell_messages_and_writes_nothing(
        framework: Framework, sample: IntakeData, tmp_intake: Make, tmp_path: Path) -> None:
    changes = [("kpis", "csat", "current", "about 80"),
               ("customer_expectations", "availability", "importance", 9)]
    wb = fill_intake(framework, sample)
    locations = [where(wb, role, row, key) for role, row, key, _ in changes]
    intake = tmp_intake(framework, sample, edits(*changes))
    out = tmp_path / "out"
    executed = tmp_path / "executed.ipynb"

    with pytest.raises(papermill.PapermillExecutionError) as caught:
        execute(executed, intake=str(intake), output_dir=str(out))

    error = caught.value
    assert error.ename == "InvalidInput"
    message = str(error)
    for location in locations:
        assert f"  {location}: " in message
        assert f"  {location}: " in error.evalue
    assert "2 problem(s); nothing was written" in message
    assert "pipeline.py" not in message, "the error should be the problems, not a stack"
    assert not out.exists()
    assert files_in(out) == {}

    nb = nbformat.read(executed, as_version=4)
    score = next(c for c in nb.cells if c.get("id") == "score")
    shown = texts(score)
    assert all(location in shown for location in locations)  # the problems table
    later = [c for c in nb.cells if c.cell_type == "code" and c.get("id") == "glance"]
    assert later[0].execution_count is None, "the notebook must stop at the bad intake"


@pytest.mark.slow
def test_writes_the_same_files_as_the_score_command(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Relative paths resolve against the process's working directory (papermill's ``cwd``
    is never set), and the files are byte-identical to ``support-excellence score``."""
    source = next(p for p in sample_workbooks() if p.stem == "harbor-city-it")
    shutil.copy(source, tmp_path / "client.xlsx")
    monkeypatch.chdir(tmp_path)

    execute(tmp_path / "client.ipynb", intake="client.xlsx", output_dir="nb-out")
    assert cli(["score", "client.xlsx", "--out", "cli-out", "--quiet"]) == 0

    notebook_files, cli_files = files_in(tmp_path / "nb-out"), files_in(tmp_path / "cli-out")
    assert sorted(notebook_files) == sorted(cli_files)
    assert len(cli_files) == 3
    for name, content in cli_files.items():
        assert notebook_files[name] == content, f"{name} differs"


@pytest.mark.slow
def test_brand_parameter_puts_the_firm_under_the_title(tmp_path: Path) -> None:
    brand = tmp_path / "brand.yaml"
    brand.write_text(BRAND, encoding="utf-8")
    nb = execute(tmp_path / "executed.ipynb", output_dir=str(tmp_path / "nb"), formats="json",
                 brand=str(brand))
    title = next(c for c in nb.cells if c.get("id") == "title").outputs[0]["data"]
    assert title["text/plain"].splitlines() == [
        "Northwind Cloud Software: support excellence assessment",
        "Assessed 2026-10-15 by Dana Whitfield \u00b7 B2B software support",
        "Prepared by Example Advisory <Partners> \u00b7 Jane Doe",
        "Confidential - prepared for the client's management team"]
    assert "Example Advisory &lt;Partners&gt;" in title["text/html"]
    assert len(files_in(tmp_path / "nb")) == 1


@pytest.mark.slow
def test_bad_brand_stops_the_notebook_and_writes_nothing(tmp_path: Path) -> None:
    brand = tmp_path / "brand.yaml"
    brand.write_text(BRAND.replace('"#1F3A5F"', '"#EEEEEE"'), encoding="utf-8")
    out = tmp_path / "nb"
    with pytest.raises(papermill.PapermillExecutionError) as caught:
        execute(tmp_path / "executed.ipynb", output_dir=str(out), brand=str(brand))
    assert caught.value.ename == "InvalidInput"
    assert "primary_color" in caught.value.evalue
    assert files_in(out) == {}


@pytest.mark.slow
def test_segment_parameter_overrides_the_intakes_peer_group(tmp_path: Path) -> None:
    nb = execute(tmp_path / "executed.ipynb", output_dir=str(tmp_path / "nb"), formats="json",
                 segment="consumer")
    written = files_in(tmp_path / "nb")
    assert len(written) == 1
    results = json.loads(next(iter(written.values())))
    assert results["organization"]["segment"] == "consumer"
    expected = run(default_intake(), tmp_path / "lib", formats=("json",), segment="consumer")
    assert next(iter(written.values())) == expected.written["json"].read_bytes()
    glance = next(c for c in nb.cells if c.get("id") == "glance")
    assert results["organization"]["segment_name"] in texts(glance)


@pytest.mark.slow
def test_framework_formats_and_date_parameters(sample: IntakeData, framework: Framework,
                                               tmp_intake: Make, tmp_path: Path) -> None:
    raw = yaml.safe_load(default_framework_path().read_text(encoding="utf-8"))
    raw.setdefault("settings", {})["element_weights"] = {"profit": 3}
    custom = tmp_path / "custom.yaml"
    custom.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    intake = tmp_intake(framework, sample)

    nb = execute(tmp_path / "executed.ipynb", intake=str(intake), output_dir=str(tmp_path / "nb"),
                 framework=str(custom), formats="json", assessment_date="2027-01-31")

    written = files_in(tmp_path / "nb")
    assert list(written) == ["acme-support-2027-01-31/results.json"]
    expected = run(intake, tmp_path / "lib", framework=custom, formats=("json",),
                   assessment_date="2027-01-31")
    assert written["acme-support-2027-01-31/results.json"] == \
        expected.written["json"].read_bytes()
    results = json.loads(written["acme-support-2027-01-31/results.json"])
    assert results["elements"]["profit"]["weight"] == 3
    shown = "\n".join(texts(c) for c in nb.cells if c.cell_type == "code")
    assert str(tmp_path) not in shown, "outputs name files relative to output_dir"


def test_offline_altair_turns_on_the_bundled_jupyter_renderer() -> None:
    from assessment.interactive import display as nb

    alt = pytest.importorskip("altair")
    before = alt.renderers.active
    try:
        assert nb.offline_altair() is alt
        assert alt.renderers.active == "jupyter"
        chart = alt.Chart(alt.Data(values=[{"x": 1}])).mark_point().encode(x="x:Q")
        bundle = chart._repr_mimebundle_()
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        # a JupyterChart widget carrying the vl-convert bundle: no HTML, no CDN import
        assert "application/vnd.jupyter.widget-view+json" in data and "text/html" not in data
        assert alt.JupyterChart._is_offline
    finally:
        alt.renderers.enable(before)


def test_charts_display_as_img_data_uri_that_untrusted_notebooks_show() -> None:
    import base64
    import re

    from assessment.interactive import display as nb

    svg = '<svg viewBox="0 0 10 10" width="10" height="10"><text>a &lt; b</text></svg>'
    bundle = nb.svg_bundle(svg, 'Scores "<b>" & more')
    assert set(bundle) == {"text/plain", "text/html"}  # no image/svg+xml: Lab hides it untrusted
    assert bundle["text/plain"] == 'Scores "<b>" & more'
    found = re.fullmatch(r'<img alt="([^"]*)" src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)">',
                         bundle["text/html"])
    assert found, bundle["text/html"]
    assert found.group(1) == "Scores &quot;&lt;b&gt;&quot; &amp; more"
    assert base64.b64decode(found.group(2)).decode() == (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" width="10" height="10">'
        "<text>a &lt; b</text></svg>")
