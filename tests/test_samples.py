"""The bundled sample organizations: in sync with their data, and scored as their story says."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import pytest

from assessment.core.framework import Framework
from assessment.core.scoring import score
from assessment.intake.reader import read_intake
from assessment.intake.samples import SAMPLES_DIR, sample_data, sample_names
from assessment.intake.template import write_intake


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_four_samples_one_reassessed() -> None:
    assert sample_names() == ["harbor-city-it", "ironclad-systems", "northwind-cloud",
                              "northwind-cloud-2026-04"]


@pytest.mark.parametrize("name", sample_names())
def test_bundled_workbook_matches_its_data(name: str, framework: Framework,
                                           tmp_path: Path) -> None:
    fresh = write_intake(framework, sample_data(name), tmp_path / f"{name}.xlsx")
    assert members(fresh) == members(SAMPLES_DIR / f"{name}.xlsx"), (
        f"{name}.xlsx is out of date: run `make templates`")


@pytest.mark.parametrize("name", sample_names())
def test_reading_the_workbook_gives_back_the_data(name: str, framework: Framework) -> None:
    read = read_intake(SAMPLES_DIR / f"{name}.xlsx", framework)
    data = sample_data(name)
    assert read.profile == data.profile
    assert read.current == data.current
    assert read.targets == data.targets
    assert read.warnings == []
    for qid, answers in read.answers.items():
        assert answers == {i: data.answers[qid].get(i) for i in answers}
    for dim, ratings in read.ratings.items():
        assert ratings == data.ratings[dim]


def test_sample_stories(framework: Framework) -> None:
    harbor = score(framework, sample_data("harbor-city-it"))
    assert harbor["elements"]["profit"]["score"] is None      # internal desk: no revenue KPIs
    assert harbor["index"]["elements_scored"] == 3 and harbor["index"]["score"] is not None
    assert harbor["renewal"]["health"] is None

    ironclad = score(framework, sample_data("ironclad-systems"))
    fcr = next(k for k in ironclad["kpis"] if k["id"] == "first_contact_resolution")
    assert fcr["target_overridden"] and fcr["target"] == 0.70
    year5 = ironclad["renewal"]["projection"][4]
    assert year5["client"] < year5["industry"]                # renews below 82.4%

    northwind = score(framework, sample_data("northwind-cloud"))
    rrr = next(k for k in northwind["kpis"] if k["id"] == "recurring_revenue_rate")
    assert rrr["current"] > 1.0                               # above 100% with uplift/upsell
    assert northwind["index"]["coverage"] == 1.0


@pytest.mark.slow
def test_workbook_saved_by_libreoffice_reads_the_same(framework: Framework, tmp_path: Path,
                                                      system_tool) -> None:
    """A client who fills the intake in LibreOffice: its re-saved file reads identically."""
    source = SAMPLES_DIR / "ironclad-systems.xlsx"
    subprocess.run(
        [system_tool("soffice"), f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
         "--headless", "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir",
         str(tmp_path / "out"), str(source)],
        check=True, capture_output=True, timeout=180)
    resaved = read_intake(tmp_path / "out" / source.name, framework)
    original = read_intake(source, framework)
    assert resaved.profile == original.profile
    assert resaved.current == pytest.approx(original.current)
    assert resaved.targets == pytest.approx(original.targets)
    assert resaved.answers == original.answers
    assert resaved.ratings == original.ratings
    assert resaved.notes == original.notes


def test_methodology_worked_example_matches_the_engine(framework: Framework) -> None:
    doc = (Path(__file__).resolve().parents[1] / "docs" / "methodology.md").read_text("utf-8")
    r = score(framework, sample_data("northwind-cloud"))
    quoted = {
        "index": r["index"]["score"],
        "reputation": r["elements"]["reputation"]["score"],
        "renewal KPIs": r["renewal"]["kpi_score"],
        "renewal practices": r["questionnaires"]["renewal_practices"]["score"],
        "renewal health": r["renewal"]["health"],
        "alignment": r["expectations"]["alignment"],
    }
    for name, value in quoted.items():
        assert f"**{value:.2f}**" in doc, f"docs/methodology.md: {name} is not {value:.2f}"
