"""The bundled fictional sample organizations.

Each sample is data (``assessment/data/samples/<name>.yaml``); its intake workbook
(``<name>.xlsx``, beside it) is generated from that data with the intake template, so the two
never drift apart. ``tools/regenerate_samples.py`` (``make templates``, a repository script, not
part of the package) rewrites the workbooks and the committed blank template
``templates/intake.xlsx``.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from assessment.core.model import NA, IntakeData
from assessment.intake.layout import INITIATIVE_INPUTS

SAMPLES_DIR = Path(str(resources.files("assessment") / "data" / "samples"))


def sample_names() -> list[str]:
    return sorted(p.stem for p in SAMPLES_DIR.glob("*.yaml"))


def sample_workbooks() -> list[Path]:
    """The bundled sample intake workbooks, in name order."""
    return [SAMPLES_DIR / f"{name}.xlsx" for name in sample_names()]


def sample_data(name: str) -> IntakeData:
    """One sample organization as :class:`IntakeData` (what a perfect reader would return)."""
    path = SAMPLES_DIR / f"{name}.yaml"
    raw: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    kpis = raw.get("kpis") or {}
    return IntakeData(
        profile={k: v for k, v in raw["profile"].items() if v is not None},
        current={k: _number(v.get("current")) for k, v in kpis.items()},
        targets={k: float(v["target"]) for k, v in kpis.items() if v.get("target") is not None},
        notes={k: str(v["note"]) for k, v in kpis.items() if v.get("note")},
        answers={q: {item: (NA if a == NA else a) for item, a in answers.items()}
                 for q, answers in (raw.get("answers") or {}).items()},
        ratings={d: {k: _number(v) for k, v in r.items()}
                 for d, r in (raw.get("ratings") or {}).items()},
        initiatives={iid: _tracking(record)
                     for iid, record in (raw.get("initiatives") or {}).items()},
        finding_wording={fid: str(text) for fid, text in (raw.get("finding_wording") or {}).items()
                         if text},
        source=str(path),
    )


def _tracking(record: dict[str, Any]) -> dict[str, Any]:
    """One initiative's tracking as the reader returns it: every key, None when not given."""
    unknown = set(record) - set(INITIATIVE_INPUTS)
    if unknown:
        raise ValueError(f"unknown initiative tracking key(s): {', '.join(sorted(unknown))}")
    return {key: record.get(key) for key in INITIATIVE_INPUTS}


def _number(value: Any) -> float | None:
    return None if value is None else float(value)
