"""Write one organization's deliverables: Excel scorecard, HTML scorecard and results.json
(and, on request, the PDF scorecard).

Everything is rendered in memory first and only then written, each file atomically, so a
failure in any renderer leaves no new or half-written file behind.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from assessment.core.defaults import DEFAULT_FORMATS, DEFAULT_PAPER
from assessment.files.write import atomic_write, safe_slug

FORMATS: tuple[str, ...] = DEFAULT_FORMATS
"""The default outputs."""
ALL_FORMATS: tuple[str, ...] = (*FORMATS, "pdf")
"""Every output; ``pdf`` (headless Chromium, :mod:`assessment.scorecard.pdf`) is opt-in."""
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def results_json(results: dict[str, Any]) -> str:
    """Serialize results deterministically (strict JSON: no NaN)."""
    return json.dumps(results, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def output_dir(results: dict[str, Any], out: str | Path) -> Path:
    """The folder of one assessment: ``OUT/<organization slug>-<assessment date>``.

    The date keeps a re-assessment of the same organization beside the earlier one.
    """
    slug = safe_slug(results["organization"].get("name"))
    date = str(results["organization"].get("assessment_date") or "")
    return Path(out) / (f"{slug}-{date}" if _ISO_DATE.fullmatch(date) else slug)


def output_paths(results: dict[str, Any], out: str | Path,
                 formats: Iterable[str] = FORMATS) -> dict[str, Path]:
    """Where each format goes: ``<slug>-scorecard.xlsx``, ``<slug>-scorecard.html``,
    ``results.json``, ``<slug>-scorecard.pdf``, all in :func:`output_dir`."""
    folder = output_dir(results, out)
    slug = safe_slug(results["organization"].get("name"))
    names = {"xlsx": f"{slug}-scorecard.xlsx", "html": f"{slug}-scorecard.html",
             "json": "results.json", "pdf": f"{slug}-scorecard.pdf"}
    return {fmt: folder / names[fmt] for fmt in formats}


def parse_formats(text: str) -> tuple[str, ...]:
    """``"xlsx,html"`` -> ``("xlsx", "html")``; raises ValueError naming unknown formats."""
    chosen = tuple(dict.fromkeys(part.strip().lower() for part in text.split(",") if part.strip()))
    unknown = [f for f in chosen if f not in ALL_FORMATS]
    if unknown or not chosen:
        raise ValueError(f"unknown format(s) {', '.join(unknown) or '(none)'}; "
                         f"choose from {', '.join(ALL_FORMATS)}")
    return chosen


def _renderers(paper: str) -> dict[str, Callable[[dict[str, Any]], bytes | str]]:
    from assessment.scorecard.excel import excel_bytes
    from assessment.scorecard.html import render_html

    def pdf(results: dict[str, Any]) -> bytes:
        from assessment.scorecard.pdf import pdf_bytes

        return pdf_bytes(results, paper=paper)

    return {"xlsx": excel_bytes, "html": render_html, "json": results_json, "pdf": pdf}


def write_outputs(results: dict[str, Any], out: str | Path, formats: Iterable[str] = FORMATS,
                  *, paper: str = DEFAULT_PAPER) -> dict[str, Path]:
    """Render the chosen formats, then write them; returns format -> written path.

    ``paper`` (``A4`` or ``Letter``) is the PDF's page size. Any renderer failing, e.g.
    :class:`assessment.scorecard.pdf.PdfUnavailable` without Chromium, leaves no file written.
    """
    paths = output_paths(results, out, formats)
    renderers = _renderers(paper)
    rendered = {fmt: renderers[fmt](results) for fmt in paths}
    return {fmt: atomic_write(paths[fmt], rendered[fmt]) for fmt in paths}
