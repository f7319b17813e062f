"""An intake filled from evidence: a copy, never the original (methodology §11).

The intake is read and validated as usual, the figures replace its current values, profile
volumes and expectation ratings, and a new workbook is written (atomically) with an Evidence
sheet listing every figure and each filled cell marked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from assessment.core.errors import ExportError, Issue
from assessment.core.evidence import EvidenceReport, apply_evidence, slot, unknown_targets
from assessment.core.framework import Framework
from assessment.intake.reader import read_intake
from assessment.intake.template import write_intake


@dataclass(frozen=True)
class Change:
    """One filled value: its key, the cell, what it held and what it holds now."""

    key: str
    cell: str
    before: object
    after: object


def fill_intake_copy(intake: str | Path, out: str | Path, reports: Iterable[EvidenceReport],
                     framework: Framework) -> list[Change]:
    """Write ``out``: ``intake`` with the reports' figures filled in. Raises
    :class:`~assessment.core.errors.IntakeError` for an invalid intake and
    :class:`ExportError` when ``out`` is the intake itself or a figure has no place in it."""
    intake, out = Path(intake), Path(out)
    if out.exists() and out.resolve() == intake.resolve():
        raise ExportError([Issue("--out is the intake itself; the original is never modified",
                                 "give a new file name for the filled copy", path=out.name)])
    reports = list(reports)
    data = read_intake(intake, framework)
    figures = [f for r in reports for f in r.figures]
    unknown = unknown_targets(figures, framework)
    if unknown:
        raise ExportError([Issue(f"{f.target} {f.id} is not in the framework "
                                 f"{framework.name} {framework.version}",
                                 "use the framework the intake was made with")
                           for f in unknown])
    filled = apply_evidence(data, reports)
    new = {(f.target, f.id) for f in figures if f.value is not None}
    changes = []
    for fig in filled.evidence:
        if (fig.target, fig.id) not in new:
            continue  # filled by an earlier run; kept as it was
        before, cell = slot(data, fig.target, fig.id)
        after = slot(filled, fig.target, fig.id)[0]
        changes.append(Change(f"{fig.target}.{fig.id}", cell, before, after))
    write_intake(framework, filled, out)
    return changes
