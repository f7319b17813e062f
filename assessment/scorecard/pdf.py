"""The PDF scorecard: the HTML scorecard printed by headless Chromium.

Chromium is found on ``PATH`` as ``chromium``, ``chromium-browser`` or ``google-chrome``, or
given by the ``SUPPORT_EXCELLENCE_CHROMIUM`` environment variable. Without it,
:func:`pdf_bytes` raises :class:`PdfUnavailable`, whose message says what to install.

The page size is set for the PDF only (a ``@page { size: ... }`` rule injected into a copy of
the page); the HTML scorecard itself is unchanged. Pages of the named page ``wide`` (CSS
``page: wide``, the portfolio's wide tables) print on the same paper turned sideways. The
running header and "Page X of Y" are the page's own CSS margin
boxes (``@page { @top-left {...} }``), which Chromium prints; its own header and footer (a
file URL and the date) are turned off. The PDF embeds its creation date, so two runs give
equal content but not byte-identical files.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assessment.core.defaults import DEFAULT_PAPER, PAPERS, PDF_TIMEOUT_S

if TYPE_CHECKING:
    from assessment.scorecard.brand import Brand
    from assessment.scorecard.formats import RenderOptions

DEFAULT_TIMEOUT_S = PDF_TIMEOUT_S
CHROMIUM_ENV = "SUPPORT_EXCELLENCE_CHROMIUM"
_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
          "--disable-background-networking", "--disable-component-update", "--disable-sync",
          "--no-pdf-header-footer")
#: The named page (CSS ``page: wide``) printed in landscape.
WIDE_PAGE = "wide"


class PdfError(RuntimeError):
    """The PDF scorecard could not be produced."""


class PdfUnavailable(PdfError):
    """No Chromium to print the PDF with."""

    def __init__(self, detail: str = "") -> None:
        super().__init__("PDF needs Chromium: install it with `apt-get install chromium` "
                         f"(or set {CHROMIUM_ENV}){detail}")


def find_chromium() -> str | None:
    """The Chromium executable: ``$SUPPORT_EXCELLENCE_CHROMIUM`` or the first on ``PATH``."""
    configured = os.environ.get(CHROMIUM_ENV)
    if configured:
        return shutil.which(configured)
    for name in _CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def _paper(paper: str) -> str:
    for known in PAPERS:
        if paper.strip().lower() == known.lower():
            return known
    raise ValueError(f"unknown paper {paper!r}; choose from {', '.join(PAPERS)}")


def print_html(page: str, *, paper: str = DEFAULT_PAPER,
               timeout: float = DEFAULT_TIMEOUT_S) -> bytes:
    """Print an HTML page (text) to PDF bytes on ``paper`` (A4 or Letter)."""
    size = _paper(paper)
    browser = find_chromium()
    if browser is None:
        configured = os.environ.get(CHROMIUM_ENV)
        raise PdfUnavailable(f"; {CHROMIUM_ENV}={configured!r} is not a program"
                             if configured else "")
    style = (f"<style>@page {{ size: {size}; }} "
             f"@page {WIDE_PAGE} {{ size: {size} landscape; }}</style>")
    page = page.replace("</head>", style + "</head>", 1) if "</head>" in page else style + page
    with tempfile.TemporaryDirectory(prefix="se-pdf-") as tmp:
        folder = Path(tmp)
        source, target = folder / "scorecard.html", folder / "scorecard.pdf"
        source.write_text(page, encoding="utf-8")
        command = [browser, *_FLAGS, f"--user-data-dir={folder / 'profile'}",
                   f"--print-to-pdf={target}", source.as_uri()]
        try:
            done = subprocess.run(command, capture_output=True, timeout=timeout,
                                  stdin=subprocess.DEVNULL, check=False)
        except subprocess.TimeoutExpired as exc:
            raise PdfError(f"Chromium did not print the PDF within {timeout:g} s") from exc
        except OSError as exc:
            raise PdfUnavailable(f"; {browser} could not start: {exc}") from exc
        if done.returncode != 0 or not target.is_file() or target.stat().st_size == 0:
            tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
            raise PdfError(f"Chromium failed to print the PDF (exit {done.returncode})"
                           + (": " + " | ".join(tail) if tail else ""))
        return target.read_bytes()


def pdf_bytes(results: dict[str, Any], *, paper: str = DEFAULT_PAPER,
              timeout: float = DEFAULT_TIMEOUT_S, brand: Brand | None = None) -> bytes:
    """The PDF scorecard of one organization: its HTML scorecard (under ``brand``, default
    the project's own) printed by Chromium."""
    from assessment.scorecard.html import render_html

    return print_html(render_html(results, brand=brand), paper=paper, timeout=timeout)


def render(results: dict[str, Any], options: RenderOptions) -> bytes:
    """The ``pdf`` output format (:mod:`assessment.scorecard.formats`), under the options'
    brand."""
    return pdf_bytes(results, paper=options.paper, brand=options.brand)
