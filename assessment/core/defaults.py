"""Defaults shared by the CLI, the pipeline, the batch, the notebooks and the form.

One place for each: a value changed here changes every entry point. Plain constants only.
"""

from __future__ import annotations

DEFAULT_OUT = "reports"
"""Output folder when none is given (relative to the working directory)."""

DEFAULT_MAX_MB = 20
"""Intake files larger than this many megabytes are refused before they are opened."""
DEFAULT_MAX_BYTES = DEFAULT_MAX_MB * 1024 * 1024

PAPERS: tuple[str, ...] = ("A4", "Letter")
"""Page sizes of printed scorecards."""
DEFAULT_PAPER = "A4"

DEFAULT_FORMATS: tuple[str, ...] = ("xlsx", "html", "json")
"""Scorecard outputs written when none are chosen (``pdf`` is opt-in: it needs Chromium)."""

NOTEBOOK_TIMEOUT_S = 600.0
"""Longest a batch lets one notebook run before its kernel is replaced."""
MAX_TIMEOUT_S = 86400.0
"""The longest timeout a batch accepts: a day (beyond it, timers overflow in the kernel client)."""

MAX_WORKERS = 32
"""The most batch workers: each runs a kernel (about 160 MB with its worker process)."""

PDF_TIMEOUT_S = 120.0
"""Longest headless Chromium may take to print one page."""
