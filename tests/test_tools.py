"""The repository's maintenance scripts in tools/: they regenerate exactly the committed files,
clean notebooks for nbval, and stay out of the package."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import zipfile
from pathlib import Path
from types import ModuleType

import nbformat

from assessment.core.framework import Framework
from assessment.intake.samples import SAMPLES_DIR, sample_names

ROOT = Path(__file__).resolve().parents[1]


def tool(name: str) -> ModuleType:
    """``tools/<name>.py``, imported by path (tools/ is not a package)."""
    spec = importlib.util.spec_from_file_location(f"tools_{name}", ROOT / "tools" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_regenerate_writes_the_committed_template_and_samples(framework: Framework,
                                                               tmp_path: Path) -> None:
    regen = tool("regenerate_samples")
    assert regen.TEMPLATE == ROOT / "templates" / "intake.xlsx"
    written = regen.regenerate(framework, template=tmp_path / "intake.xlsx",
                               samples_dir=tmp_path)
    names = sample_names()
    assert written == [tmp_path / "intake.xlsx", *(tmp_path / f"{n}.xlsx" for n in names)]
    assert members(written[0]) == members(regen.TEMPLATE), "run `make templates`"
    for name in names:
        assert members(tmp_path / f"{name}.xlsx") == members(SAMPLES_DIR / f"{name}.xlsx"), name


def test_regenerate_without_template_writes_only_the_samples(framework: Framework,
                                                             tmp_path: Path) -> None:
    written = tool("regenerate_samples").regenerate(framework, template=None,
                                                   samples_dir=tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in written)
    assert len(written) == len(sample_names())


def test_clean_strips_run_metadata_and_merges_streams() -> None:
    nb = nbformat.v4.new_notebook(metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python", "version": "3.11.7"},
        "papermill": {"duration": 1.5}})
    cell = nbformat.v4.new_code_cell("print(1)", execution_count=1, outputs=[
        nbformat.v4.new_output("stream", name="stdout", text="a\n"),
        nbformat.v4.new_output("stream", name="stdout", text="b\n"),
        nbformat.v4.new_output("stream", name="stderr", text="c\n")])
    cell.metadata = {"tags": ["parameters"], "papermill": {"status": "completed"},
                     "execution": {"iopub.status.busy": "2026-01-01"}, "jupyter": {}}
    nb.cells.append(cell)
    cleaned = tool("refresh_notebooks").clean(nb)
    assert dict(cleaned.metadata) == {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python", "file_extension": ".py",
                          "mimetype": "text/x-python"}}
    assert dict(cleaned.cells[0].metadata) == {"tags": ["parameters"]}
    assert [(o["name"], o["text"]) for o in cleaned.cells[0].outputs] == [
        ("stdout", "a\nb\n"), ("stderr", "c\n")]


def test_scripts_show_their_usage_from_any_folder(tmp_path: Path) -> None:
    for name in ("refresh_notebooks", "regenerate_samples"):
        done = subprocess.run([sys.executable, str(ROOT / "tools" / f"{name}.py"), "--help"],
                              cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith(f"usage: python tools/{name}.py"), done.stdout
