"""The registry of scorecard output formats: name -> the module that renders it.

Every place that offers a choice of outputs reads it from here: ``score --format`` and
``batch --format`` (their choices and help), the scorecard notebook's ``formats`` parameter,
the batch, and the interactive form's export. A new format is one module that defines

    def render(results: dict, options: RenderOptions) -> bytes | str

plus one line in :data:`REGISTRY`. Modules are imported only when their format is written, so
choosing ``json`` never imports openpyxl, and ``score`` never imports a browser driver.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assessment.core.defaults import DEFAULT_FORMATS, DEFAULT_PAPER
from assessment.scorecard.brand import DEFAULT_BRAND, Brand


@dataclass(frozen=True)
class RenderOptions:
    """How to render, the same for every format; each writer reads what concerns it."""

    paper: str = DEFAULT_PAPER
    """Page size of printed formats (``A4`` or ``Letter``)."""
    brand: Brand = DEFAULT_BRAND
    """The consulting firm's name, logo, colours and confidentiality line
    (:mod:`assessment.scorecard.brand`); the organization's name always comes from the
    results."""
    pptx_template: Path | None = None
    """A checked .pptx/.potx whose layouts and theme the deck uses
    (:func:`assessment.scorecard.brand.check_pptx_template`), or None for the built-in one."""


@dataclass(frozen=True)
class OutputFormat:
    """One output: its name, file name, description and the module that renders it."""

    name: str
    filename: str
    """File name in the organization's folder; ``{slug}`` is the organization's safe slug."""
    module: str
    """Module defining ``render(results, options)``."""
    description: str
    needs: str | None = None
    """What must be installed besides the package (shown in ``--help``), or None."""

    @property
    def render(self) -> Callable[[dict[str, Any], RenderOptions], bytes | str]:
        """The format's ``render`` function (imports its module on first use)."""
        return importlib.import_module(self.module).render  # type: ignore[no-any-return]

    def file_name(self, slug: str) -> str:
        return self.filename.format(slug=slug)


REGISTRY: dict[str, OutputFormat] = {f.name: f for f in (
    OutputFormat("xlsx", "{slug}-scorecard.xlsx", "assessment.scorecard.excel",
                 "Excel scorecard with native charts"),
    OutputFormat("html", "{slug}-scorecard.html", "assessment.scorecard.html",
                 "single-file HTML scorecard (offline, prints cleanly)"),
    OutputFormat("json", "results.json", "assessment.scorecard.resultsfile",
                 "results.json, the machine-readable results (methodology §8)"),
    OutputFormat("pdf", "{slug}-scorecard.pdf", "assessment.scorecard.pdf",
                 "PDF scorecard printed from the HTML", needs="Chromium"),
    OutputFormat("pptx", "{slug}-deck.pptx", "assessment.scorecard.pptx",
                 "editable PowerPoint deck with native charts"),
)}
"""Every output format, in the order they are written and listed."""

FORMATS: tuple[str, ...] = DEFAULT_FORMATS
"""The outputs written when none are chosen."""
ALL_FORMATS: tuple[str, ...] = tuple(REGISTRY)
"""Every output format's name."""


def parse_formats(text: str) -> tuple[str, ...]:
    """``"xlsx,html"`` -> ``("xlsx", "html")``; raises ValueError naming unknown formats.

    Case and spaces do not matter, and a name given twice counts once.
    """
    chosen = tuple(dict.fromkeys(part.strip().lower() for part in text.split(",") if part.strip()))
    unknown = [f for f in chosen if f not in REGISTRY]
    if unknown or not chosen:
        raise ValueError(f"unknown format(s) {', '.join(unknown) or '(none)'}; "
                         f"choose from {', '.join(ALL_FORMATS)}")
    return chosen


def chosen_formats(text: str) -> tuple[str, ...]:
    """The formats a notebook parameter asks for: blank means :data:`FORMATS`."""
    return parse_formats(text) if text.strip() else FORMATS


def formats_help() -> str:
    """One line per format for ``--help``: name, description, what it needs."""
    return "; ".join(f"{f.name}: {f.description}" + (f" (needs {f.needs})" if f.needs else "")
                     for f in REGISTRY.values())
