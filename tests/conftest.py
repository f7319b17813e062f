"""Shared fixtures: the default framework, a sample intake, and filled intake files."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from assessment.core.framework import (
    PRACTICE_QUESTIONNAIRES,
    Framework,
    load_framework,
    parse_framework,
)
from assessment.core.model import NA, IntakeData
from assessment.files.write import workbook_bytes
from assessment.intake.template import fill_intake


@pytest.fixture(scope="session")
def framework() -> Framework:
    """The shipped default framework."""
    return load_framework()


def mini_framework_dict() -> dict[str, Any]:
    """A small custom framework: one KPI per area, odd units and a wide percent range."""
    def kpi(kid: str, element: str, unit: str, **rest: Any) -> dict[str, Any]:
        return {"id": kid, "element": element, "name": kid.replace("_", " ").title(),
                "definition": f"Definition of {kid}.", "unit": unit, "weight": 1, **rest}

    def items(prefix: str, n: int) -> list[dict[str, Any]]:
        return [{"id": f"{prefix}_{i}", "name": f"{prefix} {i}", "text": f"Statement {i}.",
                 "weight": 1} for i in range(1, n + 1)]

    return {
        "name": "Mini", "version": "0.1",
        "levels": ["L1", "L2", "L3", "L4", "L5"],
        "answer_scale": ["None", "Some", "Defined, documented", "Managed", "Optimized"],
        "kpis": [
            kpi("happy", "reputation", "percent", direction="higher", target=0.9, floor=0.5),
            kpi("promoters", "reputation", "score", direction="higher", target=30, floor=-10,
                min=-100, max=100),
            kpi("money_per_case", "profit", "currency", direction="lower", target=20, floor=80),
            kpi("busy", "efficiency", "percent", direction="band", band=[0.5, 0.6],
                floor=[0.3, 0.9]),
            kpi("hours_to_fix", "effectiveness", "hours", direction="lower", target=8,
                floor=72),
            kpi("revenue_kept", "renewal", "percent", direction="higher", target=1.0,
                floor=0.7, max=3),
        ],
        "questionnaires": {
            "renewal_practices": {"name": "Renewal practices", "items": items("ren", 2)},
            "excellence_practices": {"name": "Excellence", "items": items("exc", 3)},
            "customer_expectations": {"name": "Expectations", "items": [
                {**item, "satisfiers": "good", "dissatisfiers": "bad"}
                for item in items("dim", 2)]},
        },
    }


@pytest.fixture(scope="session")
def mini_framework() -> Framework:
    """A small custom framework (as a consultant might pass their own)."""
    return parse_framework(mini_framework_dict())


def sample_intake(framework: Framework) -> IntakeData:
    """A complete, valid intake for any framework: every KPI, answer and rating filled in."""
    current: dict[str, float | None] = {}
    for kpi in framework.kpis:
        lo, hi = framework.valid_range(kpi)
        if kpi.direction == "band":
            assert kpi.band is not None
            current[kpi.id] = (kpi.band[0] + kpi.band[1]) / 2
        else:
            assert kpi.target is not None and isinstance(kpi.floor, float)
            current[kpi.id] = (kpi.target + kpi.floor) / 2
    answers = {
        qid: {item.id: (NA if n == 3 else n % 5)
              for n, item in enumerate(framework.questionnaires[qid].items)}
        for qid in PRACTICE_QUESTIONNAIRES
    }
    ratings = {
        item.id: {"importance": 4.0, "performance": 3.5 if n % 2 else 2.0, "priority": 4.5}
        for n, item in enumerate(framework.questionnaires["customer_expectations"].items)
    }
    return IntakeData(
        profile={"organization": "Acme Support", "industry": "Enterprise software",
                 "support_model": "blended", "currency": "EUR", "fx_rate": 0.92,
                 "assessment_date": dt.date(2025, 3, 31)},
        current=current, answers=answers, ratings=ratings,
    )


@pytest.fixture(name="sample_intake")
def sample_intake_fixture() -> Callable[[Framework], IntakeData]:
    """The :func:`sample_intake` factory, for tests with their own framework."""
    return sample_intake


@pytest.fixture
def sample(framework: Framework) -> IntakeData:
    """A complete, valid intake for the default framework."""
    return sample_intake(framework)


@pytest.fixture
def tmp_intake(tmp_path: Path) -> Callable[..., Path]:
    """Write a filled intake workbook; ``edit(wb)`` may change it before it is saved."""
    counter = iter(range(1_000_000))

    def make(framework: Framework, data: IntakeData,
             edit: Callable[[Workbook], None] | None = None, name: str | None = None) -> Path:
        wb = fill_intake(framework, data)
        if edit is not None:
            edit(wb)
        path = tmp_path / (name or f"intake-{next(counter)}.xlsx")
        path.write_bytes(workbook_bytes(wb))
        return path

    return make


def apps_required() -> bool:
    """Whether a missing application fails a test instead of skipping it: in CI (``CI`` set),
    and under ``make test`` wherever it could install them (root with apt-get), which it
    tells by setting ``SE_REQUIRE_APPS=1``."""
    return bool(os.environ.get("CI") or os.environ.get("SE_REQUIRE_APPS") == "1")


@pytest.fixture
def system_tool() -> Callable[[str], str]:
    """Find a system program a round-trip test needs (soffice, chromium).

    A missing program skips the test, loudly, where it cannot be installed; it fails it where
    it can (:func:`apps_required`).
    """
    def find(name: str) -> str:
        path = shutil.which(name)
        if path is None:
            if apps_required():
                pytest.fail(f"{name} is required here; `make test` installs it with apt-get")
            pytest.skip(f"{name.upper()} IS NOT INSTALLED and cannot be installed here (needs "
                        "root and apt-get): this real-application test did not run")
        return path

    return find


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """A headless Chromium (Debian's, driven by Playwright) shared by the browser tests.

    A missing browser or Playwright skips where it cannot be installed and fails where it can
    (:func:`apps_required`).
    """
    def missing(what: str) -> None:
        if apps_required():
            pytest.fail(f"{what} is required here; `make test` installs it")
        pytest.skip(f"{what.upper()} IS NOT INSTALLED and cannot be installed here: "
                    "this browser test did not run")

    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("playwright (pip install -e '.[test]')")
    from browser import launch

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        missing("chromium (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = launch(playwright, executable)
        try:
            yield browser
        finally:
            browser.close()
