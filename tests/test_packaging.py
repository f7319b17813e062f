"""Packaging: pyproject.toml, requirements.lock and environment.yml declare the same
dependencies, and the wheel carries everything ``batch`` and ``demo`` need (the notebooks)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import nbformat
import pytest
import yaml
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements.lock"
#: conda-forge names that differ from PyPI names (PyPI name -> conda name)
CONDA_NAMES: dict[str, str] = {}
#: The notebooks the wheel carries, as assessment/notebooks/ (the repository's notebooks/).
NOTEBOOKS = ["interactive_assessment.ipynb", "portfolio.ipynb", "scorecard.ipynb"]


def _split(requirement: str) -> tuple[str, str]:
    """``("moto", ">=5.0")`` for ``"moto[s3]>=5.0"``: the name and its bounds, extras aside."""
    match = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(?:\[[^\]]*\])?\s*(.*)$", requirement)
    assert match, requirement
    return _name(match.group(1)), match.group(2).replace(" ", "")


def _name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def pyproject_deps() -> dict[str, str]:
    reqs = project()["dependencies"] + project()["optional-dependencies"]["test"]
    deps = dict(_split(r) for r in reqs)
    deps["python"] = project()["requires-python"].replace(" ", "")
    return {CONDA_NAMES.get(k, k): v for k, v in deps.items()}


def conda_deps() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"]
    deps = [d for d in env["dependencies"] if isinstance(d, str) and d != "pip"]
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert pip == ["-e ."], "environment.yml must install the project itself with pip"
    return dict(_split(d) for d in deps)


def locked(python: str = "3.11.7", platform: str = "linux") -> dict[str, Version]:
    """The exact versions requirements.lock installs for this Python on this platform."""
    env = {"python_version": python.rsplit(".", 1)[0], "python_full_version": python,
           "sys_platform": platform, "os_name": "posix", "platform_system": "Linux",
           "implementation_name": "cpython", "platform_python_implementation": "CPython"}
    pins: dict[str, Version] = {}
    for line in LOCK.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        req = Requirement(line)
        assert str(req.specifier).startswith("==") and len(req.specifier) == 1, line
        if req.marker is None or Marker(str(req.marker)).evaluate(env):
            assert _name(req.name) not in pins, f"{req.name} pinned twice for {env}"
            pins[_name(req.name)] = Version(next(iter(req.specifier)).version)
    return pins


def test_environment_matches_pyproject():
    py, conda = pyproject_deps(), conda_deps()
    assert sorted(set(py) - set(conda)) == [], "in pyproject.toml but not environment.yml"
    assert sorted(set(conda) - set(py)) == [], "in environment.yml but not pyproject.toml"
    differing = {k: (py[k], conda[k]) for k in py if py[k] != conda[k]}
    assert differing == {}, "version bounds differ (pyproject, environment.yml)"


def test_every_dependency_has_a_lower_bound():
    assert all(spec.startswith(">=") for spec in pyproject_deps().values())


@pytest.mark.parametrize("python", ["3.11.7", "3.12.3", "3.13.1"])
def test_lock_pins_every_dependency_within_its_bounds(python: str):
    """Every dependency of pyproject.toml (test extras included) and of environment.yml has
    one exact version in requirements.lock, inside their bounds: run `make lock` if not."""
    pins = locked(python)
    wanted = {k: v for k, v in pyproject_deps().items() if k != "python"}
    assert sorted(set(wanted) - set(pins)) == [], "not in requirements.lock: run `make lock`"
    for source in (wanted, {k: v for k, v in conda_deps().items() if k != "python"}):
        outside = {k: (str(pins[k]), spec) for k, spec in source.items()
                   if pins[k] not in SpecifierSet(spec)}
        assert outside == {}, "requirements.lock is outside the bounds: run `make lock`"
    assert Version(python) in SpecifierSet(project()["requires-python"])


def test_lock_is_what_the_makefile_installs():
    makefile = (ROOT / "Makefile").read_text()
    assert "LOCK   := requirements.lock" in makefile
    # pip shows its progress (make demo on a fresh machine is not silent), pinned by the lock
    assert "--disable-pip-version-check -c $(LOCK) -e .\n" in makefile
    assert "--disable-pip-version-check -c $(LOCK) \\\n\t\t-e '.[test]'" in makefile
    assert 'echo "installing dependencies' in makefile
    assert LOCK.read_text().splitlines()[:2] == [
        "# This file was autogenerated by uv via the following command:", "#    make lock"]


def test_readme_opens_with_the_two_commands():
    text = (ROOT / "README.md").read_text()
    first_code = re.search(r"```(?:bash|sh)?\n(.*?)```", text, re.S).group(1)
    assert first_code.split() == ["make", "demo", "make", "test"]
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_every_subpackage_is_packaged():
    """pyproject.toml lists the packages by hand (notebooks/ is mapped in): none forgotten."""
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    found = sorted(".".join(p.parent.relative_to(ROOT).parts)
                   for p in (ROOT / "assessment").rglob("__init__.py"))
    assert setuptools["packages"] == sorted([*found, "assessment.notebooks"])
    assert setuptools["package-dir"] == {"assessment.notebooks": "notebooks"}
    assert setuptools["package-data"]["assessment.notebooks"] == ["*.ipynb"]
    assert sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb")) == NOTEBOOKS


def test_batch_runs_the_packaged_notebooks():
    from assessment.batch import runner

    assert runner.SCORECARD_NOTEBOOK == ROOT / "notebooks" / "scorecard.ipynb"
    assert runner.PORTFOLIO_NOTEBOOK == ROOT / "notebooks" / "portfolio.ipynb"


# ----------------------------------------------------------------------------- the wheel


@pytest.mark.slow
def test_installed_wheel_runs_demo_from_an_empty_folder(tmp_path: Path):
    """``pip wheel .``, installed where the checkout cannot shadow it, runs ``demo`` from an
    empty folder: the wheel carries the notebooks the batch executes."""
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    # built from a copy of what the wheel is made of: setuptools leaves build/ in its source
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    for name in ("assessment", "notebooks"):
        shutil.copytree(ROOT / name, source / name,
                        ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    subprocess.run([*pip, "wheel", str(source), "--no-deps", "--wheel-dir", str(tmp_path)],
                   check=True, timeout=300, cwd=tmp_path)
    wheel = next(tmp_path.glob("support_excellence-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert sorted(n for n in names if n.startswith("assessment/notebooks/")) == [
        "assessment/notebooks/__init__.py", *(f"assessment/notebooks/{n}" for n in NOTEBOOKS)]
    assert not [n for n in names if n.startswith(("tests/", "tools/", "notebooks/"))]
    assert "assessment/data/samples/northwind-cloud.xlsx" in names

    site = tmp_path / "site"
    subprocess.run([*pip, "install", "--no-deps", "--target", str(site), str(wheel)],
                   check=True, timeout=300, cwd=tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    # PYTHONPATH comes before site-packages, where the editable install of the checkout is:
    # this process, its workers and their kernels all import the installed wheel
    env = {**os.environ, "PYTHONPATH": str(site)}
    where = subprocess.run([sys.executable, "-c", "import assessment; print(assessment.__file__)"],
                           check=True, timeout=60, cwd=empty, env=env, capture_output=True,
                           text=True).stdout.strip()
    assert Path(where) == site / "assessment" / "__init__.py"

    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "assessment", "demo", "--out", str(out)],
                          timeout=600, cwd=empty, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert list(empty.iterdir()) == []
    summary = json.loads((out / "batch-summary.json").read_text(encoding="utf-8"))
    assert summary["counts"] == {"succeeded": 4, "failed": 0, "skipped": 0}
    assert summary["portfolio"]["status"] == "succeeded"
    for entry in summary["intakes"]:
        folder = out / entry["folder"]
        assert sorted(p.suffix for p in folder.iterdir()) == [".html", ".ipynb", ".json",
                                                              ".xlsx"], folder
        executed = nbformat.read(out / entry["notebook"], as_version=4)
        assert executed.metadata.papermill.input_path == str(
            site / "assessment" / "notebooks" / "scorecard.ipynb")
        assert executed.metadata.papermill.exception is None
    portfolio = nbformat.read(out / "portfolio" / "portfolio.ipynb", as_version=4)
    assert portfolio.metadata.papermill.input_path == str(
        site / "assessment" / "notebooks" / "portfolio.ipynb")
    assert sorted(p.suffix for p in (out / "portfolio").iterdir()) == [".html", ".ipynb",
                                                                       ".xlsx"]
