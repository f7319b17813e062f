"""One assessment end to end: read the intake, score it, write the deliverables.

:func:`run` is the single entry point that the ``score`` command, the scorecard notebook and
the batch (through the notebook) all call, so they always produce the same files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assessment.core.defaults import DEFAULT_MAX_BYTES, DEFAULT_PAPER
from assessment.core.errors import IntakeError, Issue
from assessment.core.framework import Framework, load_framework
from assessment.core.scoring import score
from assessment.intake.reader import read_intake
from assessment.scorecard.brand import Brand, as_brand, check_pptx_template
from assessment.scorecard.outputs import FORMATS, write_outputs


@dataclass(frozen=True)
class Outcome:
    """What :func:`run` produced: the results structure and the files written."""

    results: dict[str, Any]
    written: dict[str, Path]


def run(intake: str | Path, output_dir: str | Path, *,
        framework: str | Path | Framework | None = None,
        formats: Iterable[str] = FORMATS,
        assessment_date: str | dt.date | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES, paper: str = DEFAULT_PAPER,
        segment: str | None = None, brand: str | Path | Brand | None = None,
        pptx_template: str | Path | None = None) -> Outcome:
    """Validate, score and write one organization.

    Raises :class:`~assessment.core.errors.IntakeError` or
    :class:`~assessment.core.errors.FrameworkError` (listing every problem) before anything is
    written. ``assessment_date`` (``YYYY-MM-DD``) overrides the date in the intake.
    ``paper`` (``A4`` or ``Letter``) is the page size of the PDF scorecard (``formats``
    with ``pdf``). ``segment`` overrides the peer segment chosen in the intake.
    ``brand`` is a brand file (or a loaded Brand; None or ``""`` for the default brand) and
    ``pptx_template`` the deck's .pptx/.potx master (None or ``""`` for none): both are
    checked first, before the framework or the intake is read, and a bad one raises
    :class:`~assessment.scorecard.brand.BrandError` or
    :class:`~assessment.scorecard.brand.TemplateError` with nothing written.
    """
    look = as_brand(brand)
    template = check_pptx_template(pptx_template)
    fw = framework if isinstance(framework, Framework) else load_framework(framework)
    check_segment(fw, segment)
    data = read_intake(intake, fw, max_bytes=max_bytes, segment=segment)
    if assessment_date:
        data.profile["assessment_date"] = (
            assessment_date if isinstance(assessment_date, dt.date)
            else dt.date.fromisoformat(str(assessment_date)))
    results = score(fw, data)
    return Outcome(results, write_outputs(results, output_dir, tuple(formats), paper=paper,
                                          brand=look, pptx_template=template))


def check_segment(framework: Framework, segment: str | None) -> None:
    """Refuse a ``--segment`` override the framework does not know (IntakeError)."""
    if segment is None or segment in framework.settings.segments:
        return
    known = ", ".join(framework.settings.segments) or "none (this framework has no segments)"
    raise IntakeError([Issue(f"unknown segment {segment!r}", f"one of {known}",
                             path="--segment")], "--segment")
