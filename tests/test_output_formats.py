"""The registry of output formats: one module plus one line makes a new format everywhere."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import pytest

from assessment.batch.runner import BatchError, notebook_options
from assessment.cli import build_parser, main
from assessment.core.defaults import DEFAULT_FORMATS
from assessment.core.framework import Framework
from assessment.core.model import IntakeData
from assessment.core.scoring import score
from assessment.scorecard import formats
from assessment.scorecard.outputs import write_outputs

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def csv_format(monkeypatch: pytest.MonkeyPatch) -> str:
    """A made-up ``csv`` format: a module with ``render`` and one registry entry."""
    module = types.ModuleType("csv_scorecard")

    def render(results: dict, options: formats.RenderOptions) -> str:
        return f"index,{results['index']['score']:.1f},{options.paper}\n"

    module.render = render
    monkeypatch.setitem(sys.modules, "csv_scorecard", module)
    monkeypatch.setitem(formats.REGISTRY, "csv", formats.OutputFormat(
        "csv", "{slug}-index.csv", "csv_scorecard", "the index as CSV"))
    monkeypatch.setattr(formats, "ALL_FORMATS", tuple(formats.REGISTRY))
    return "csv"


def test_registry_lists_every_format_with_its_module() -> None:
    assert formats.ALL_FORMATS == ("xlsx", "html", "json", "pdf", "pptx")
    assert formats.FORMATS == DEFAULT_FORMATS == ("xlsx", "html", "json")
    for fmt in formats.REGISTRY.values():
        assert callable(fmt.render), fmt.name
    assert formats.REGISTRY["pdf"].needs == "Chromium"


def test_parse_and_choose_formats() -> None:
    assert formats.parse_formats(" PDF,xlsx,pdf") == ("pdf", "xlsx")
    assert formats.chosen_formats("") == formats.chosen_formats("  ") == DEFAULT_FORMATS
    assert formats.chosen_formats("json") == ("json",)
    with pytest.raises(ValueError, match="docx; choose from xlsx, html, json, pdf"):
        formats.parse_formats("docx")


def test_score_and_batch_help_name_every_registered_format() -> None:
    parser = build_parser()
    helps = [action.choices[name].format_help() for action in parser._subparsers._actions
             if isinstance(action.choices, dict) for name in ("score", "batch")]
    for text in helps:
        flat = " ".join(text.split())
        for fmt in formats.REGISTRY.values():
            assert f"{fmt.name}: {fmt.description}" in flat


def test_a_new_format_is_one_module_and_one_line(csv_format: str, framework: Framework,
                                                 sample: IntakeData, tmp_path: Path) -> None:
    sample.profile = {"fx_rate": 0.92, **sample.profile}  # a EUR client needs its rate (v2)
    results = score(framework, sample)
    written = write_outputs(results, tmp_path, ("json", csv_format), paper="Letter")
    assert written[csv_format].name.endswith("-index.csv")
    assert written[csv_format].read_text() == f"index,{results['index']['score']:.1f},Letter\n"
    assert formats.parse_formats("csv,json") == ("csv", "json")
    assert notebook_options(None, ["csv"], None)["formats"] == "csv,json"


def test_score_command_writes_a_registered_format(csv_format: str, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    intake = ROOT / "assessment" / "data" / "samples" / "northwind-cloud.xlsx"
    assert main(["score", str(intake), "--out", str(tmp_path), "--format", "csv",
                 "--quiet"]) == 0
    [csv] = tmp_path.rglob("*-index.csv")
    assert csv.read_text().startswith("index,")
    assert not list(tmp_path.rglob("*.html"))


def test_unknown_format_is_refused_by_batch() -> None:
    with pytest.raises(BatchError, match="--format: unknown format"):
        notebook_options(None, ["docx"], None)


def test_scorecard_notebook_formats_parameter_defaults_to_the_registry() -> None:
    nb = json.loads((ROOT / "notebooks" / "scorecard.ipynb").read_text(encoding="utf-8"))
    source = "".join(next(c for c in nb["cells"] if "parameters" in
                          c["metadata"].get("tags", []))["source"])
    assert 'formats: str = ""' in source
    code = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    assert "chosen_formats(formats)" in code
