"""Write one organization's deliverables, in the formats of :mod:`assessment.scorecard.formats`.

Everything is rendered in memory first and only then written, each file atomically, so a
failure in any renderer (e.g. no Chromium for the PDF) leaves no new or half-written file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from assessment.core.defaults import DEFAULT_PAPER
from assessment.files.write import atomic_write, safe_slug
from assessment.scorecard.formats import (
    ALL_FORMATS,
    FORMATS,
    REGISTRY,
    RenderOptions,
    parse_formats,
)
from assessment.scorecard.resultsfile import results_json

__all__ = ["ALL_FORMATS", "FORMATS", "output_dir", "output_paths", "parse_formats",
           "results_json", "write_outputs"]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def output_dir(results: dict[str, Any], out: str | Path) -> Path:
    """The folder of one assessment: ``OUT/<organization slug>-<assessment date>``.

    The date keeps a re-assessment of the same organization beside the earlier one.
    """
    slug = safe_slug(results["organization"].get("name"))
    date = str(results["organization"].get("assessment_date") or "")
    return Path(out) / (f"{slug}-{date}" if _ISO_DATE.fullmatch(date) else slug)


def output_paths(results: dict[str, Any], out: str | Path,
                 formats: Iterable[str] = FORMATS) -> dict[str, Path]:
    """Where each format goes, all in :func:`output_dir`: ``<slug>-scorecard.xlsx``,
    ``<slug>-scorecard.html``, ``results.json``, ``<slug>-scorecard.pdf`` (the registry's names)."""
    folder = output_dir(results, out)
    slug = safe_slug(results["organization"].get("name"))
    return {fmt: folder / REGISTRY[fmt].file_name(slug) for fmt in formats}


def write_outputs(results: dict[str, Any], out: str | Path, formats: Iterable[str] = FORMATS,
                  *, paper: str = DEFAULT_PAPER) -> dict[str, Path]:
    """Render the chosen formats, then write them; returns format -> written path.

    ``paper`` (``A4`` or ``Letter``) is the page size of printed formats. Any renderer
    failing, e.g. :class:`assessment.scorecard.pdf.PdfUnavailable` without Chromium, leaves
    no file written.
    """
    paths = output_paths(results, out, formats)
    options = RenderOptions(paper=paper)
    rendered = {fmt: REGISTRY[fmt].render(results, options) for fmt in paths}
    return {fmt: atomic_write(paths[fmt], rendered[fmt]) for fmt in paths}
