"""Headless Chromium for the browser tests, driven by Playwright over the DevTools protocol.

Playwright drives the Debian ``chromium`` that ``make test`` installs with apt-get; it never
downloads a browser of its own. :func:`watched_page` opens a page, by default with the network
cut off (``offline=True``: every request but ``file:`` fails, 127.0.0.1 included; a test of a
local server aborts the requests that leave it instead), and records every failed request,
console error and uncaught page error, so a test can assert there were none.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

#: Flags for a quiet headless Chromium on a closed network (no sandbox: tests run as root).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-quic",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]

#: JavaScript: the rendered size of every chart (an ``svg`` or ``canvas`` in a figure or a
#: Vega embed), with the nearest heading or caption naming it.
CHART_SIZES_JS = """
(selector) => Array.from(document.querySelectorAll(selector)).map((el) => {
  const box = el.getBoundingClientRect();
  const holder = el.closest('figure, section, .vega-embed') || el.parentElement;
  const name = holder && (holder.querySelector('figcaption, h2, h3, h4') || {}).textContent;
  return {tag: el.tagName.toLowerCase(), width: box.width, height: box.height,
          name: (name || el.getAttribute('aria-label') || '').trim().slice(0, 80)};
})
"""


@dataclass
class PageLog:
    """What went wrong while a page loaded: failed requests, console and page errors."""

    failed_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return ([f"request failed: {r}" for r in self.failed_requests]
                + [f"console error: {m}" for m in self.console_errors]
                + [f"page error: {m}" for m in self.page_errors])


def launch(playwright: Any, executable: str) -> Any:
    """Start headless Chromium from ``executable`` (never a Playwright download)."""
    return playwright.chromium.launch(executable_path=executable, headless=True,
                                      args=CHROMIUM_ARGS)


@contextmanager
def watched_page(browser: Any, *, offline: bool = True,
                 viewport: tuple[int, int] = (1280, 900)) -> Iterator[tuple[Any, PageLog]]:
    """A new page in its own context, offline by default, with a :class:`PageLog` attached."""
    context = browser.new_context(offline=offline,
                                  viewport={"width": viewport[0], "height": viewport[1]})
    page = context.new_page()
    log = PageLog()
    page.on("requestfailed",
            lambda r: log.failed_requests.append(f"{r.url} ({r.failure})"))
    page.on("console", lambda m: log.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: log.page_errors.append(str(e)))
    try:
        yield page, log
    finally:
        context.close()


def chart_sizes(page: Any, selector: str = "figure svg, figure canvas") -> list[dict[str, Any]]:
    """Every chart element matching ``selector`` with its rendered width, height and name."""
    return page.evaluate(CHART_SIZES_JS, selector)


#: JavaScript: every table wider than the box that holds it (its frame, or its section), with
#: the section it is in; an empty list when every table fits. Invisible tables are skipped.
TABLES_TOO_WIDE_JS = """
(sections) => Array.from(document.querySelectorAll('table')).filter((t) => {
  const section = t.closest('section');
  return t.offsetParent !== null
    && (!sections || (section && sections.includes(section.id)));
}).map((t) => ({
  table: t.id || t.className, section: (t.closest('section') || {}).id || '',
  width: t.scrollWidth, room: t.parentElement.clientWidth,
})).filter((t) => t.width > t.room + 1)
"""


def tables_too_wide(page: Any, sections: list[str] | None = None) -> list[dict[str, Any]]:
    """The tables (of ``sections``, by id, or all) whose ``scrollWidth`` exceeds their
    parent's ``clientWidth`` by more than a pixel: each with its id, section and both widths."""
    return page.evaluate(TABLES_TOO_WIDE_JS, sections)


def page_width(page: Any) -> tuple[int, int]:
    """The document's scroll width and the window's inner width: equal when the page does not
    scroll sideways."""
    return tuple(page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"))
