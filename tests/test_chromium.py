"""The HTML scorecards and the portfolio page as Chromium really shows and prints them.

Every sample organization's scorecard and the portfolio page are opened in headless Chromium
with the network cut off: no request may fail, no console or page error may appear, and every
chart must have drawn at a non-zero size. A full-page screenshot is taken of each (kept in the
test's temporary folder; ``SE_SCREENSHOTS=DIR`` copies them to ``DIR`` for a look by eye).

The printed scorecard (the PDF) must break pages sensibly: the executive summary fills the first
page alone, the scores the second, and no chart is cut across two pages. The check reads the
words of the PDF with their positions (``pdftotext -bbox``): every word a chart draws must sit
on the page of its caption, above it.
A control case makes one chart taller than a page and shows that the check catches the cut.
"""

from __future__ import annotations

import html as html_lib
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from browser import chart_sizes, watched_page

from assessment.intake.samples import sample_names, sample_workbooks
from assessment.pipeline import run
from assessment.portfolio.report import build, render_portfolio_html
from assessment.scorecard import pdf
from assessment.scorecard.html import render_html

pytestmark = pytest.mark.slow

FIGURE = re.compile(r'<figure class="chart[^"]*" id="([^"]+)".*?</figure>', re.S)
SVG_TEXT = re.compile(r"<text\b[^>]*>(.*?)</text>", re.S)
CAPTION_TITLE = re.compile(r"<figcaption[^>]*>\s*<strong>(.*?)</strong>", re.S)
TAG = re.compile(r"<[^>]+>")
TOOLTIP = re.compile(r"<title>.*?</title>", re.S)  # hover text of a shortened label: not drawn
WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">(.*?)</word>')
PAGE = re.compile(r"<page\b[^>]*>(.*?)</page>", re.S)


@dataclass(frozen=True)
class Chart:
    """One chart of a page: its id, caption title and the words its SVG draws."""

    id: str
    title: str
    words: tuple[str, ...]


def charts_of(page: str) -> list[Chart]:
    """The drawn charts of an HTML page (figures without an SVG are empty-state notes)."""
    found = []
    for match in FIGURE.finditer(page):
        body = match.group(0)
        if "<svg" not in body:
            continue
        title = html_lib.unescape(TAG.sub("", CAPTION_TITLE.search(body).group(1)))
        title = title.strip().removesuffix(".")
        texts = [html_lib.unescape(TAG.sub("", TOOLTIP.sub("", t)))
                 for t in SVG_TEXT.findall(body)]
        found.append(Chart(match.group(1), title,
                           tuple(w for t in texts for w in t.split())))
    return found


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every sample's HTML scorecard, as ``score`` writes it, and the portfolio page."""
    out = tmp_path_factory.mktemp("scorecards")
    written = {name: run(book, out, formats=("html", "json")).written
               for name, book in zip(sample_names(), sample_workbooks(), strict=True)}
    found = {name: files["html"] for name, files in written.items()}
    portfolio = out / "portfolio.html"
    portfolio.write_text(render_portfolio_html(build(out)), encoding="utf-8")
    found["portfolio"] = portfolio
    return found


PAGE_NAMES = [*sample_names(), "portfolio"]


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_page_renders_offline(name: str, pages: dict[str, Path], chromium: Any,
                              tmp_path: Path) -> None:
    path = pages[name]
    source = path.read_text(encoding="utf-8")
    expected = charts_of(source)
    assert expected, f"{name}: the page has no chart to check"
    with watched_page(chromium, offline=True) as (page, log):
        page.goto(path.as_uri(), wait_until="load")
        sizes = chart_sizes(page)
        title = page.title()
        shot = tmp_path / f"{name}.png"
        page.screenshot(path=str(shot), full_page=True)
        page.emulate_media(media="print")
        printed = chart_sizes(page)

    assert log.problems() == [], f"{name}: {log.problems()}"
    assert title, f"{name}: the page has no title"
    assert len(sizes) == len(expected), (name, sizes)
    flat = [s for s in sizes + printed if not (s["width"] > 50 and s["height"] > 50)]
    assert flat == [], f"{name}: charts not drawn (or drawn at no size): {flat}"
    assert shot.stat().st_size > 20_000, "the screenshot is blank"
    if os.environ.get("SE_SCREENSHOTS"):
        keep = Path(os.environ["SE_SCREENSHOTS"])
        keep.mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, keep / shot.name)


def page_words(pdf_file: Path, pdftotext: str) -> list[list[tuple[float, str]]]:
    """Per PDF page, its words as (top y, text), in reading order."""
    markup = subprocess.run([pdftotext, "-bbox", str(pdf_file), "-"], capture_output=True,
                            text=True, check=True, timeout=60).stdout
    return [[(float(y0), html_lib.unescape(text)) for _x, y0, _y1, text in WORD.findall(body)]
            for body in PAGE.findall(markup)]


def cut_charts(charts: list[Chart], pages: list[list[tuple[float, str]]]) -> list[str]:
    """Why each chart is not whole on one page: empty when every chart is.

    A chart's caption title (its last word ends with ".") is found in the PDF; every word the
    chart draws must then appear on that page above the caption, as often as the chart has it.
    """
    problems = []
    for chart in charts:
        title = f"{chart.title}.".split()
        spots = [(n, i) for n, words in enumerate(pages) for i in range(len(words))
                 if [w for _, w in words[i:i + len(title)]] == title]
        if len(spots) != 1:
            problems.append(f"{chart.id}: caption {' '.join(title)!r} found {len(spots)} times")
            continue
        page_no, at = spots[0]
        caption_y = pages[page_no][at][0]
        above = " ".join(w for y, w in pages[page_no] if y < caption_y)
        missing = []
        # pdftotext may join labels drawn side by side ("2024)median"): consume substrings
        for word in sorted(chart.words, key=len, reverse=True):
            if word in above:
                above = above.replace(word, " ", 1)
            else:
                missing.append(word)
        if missing:
            problems.append(f"{chart.id} (caption on page {page_no + 1}): "
                            f"{len(missing)} of its words are not above the caption "
                            f"on that page, e.g. {sorted(missing)[:5]}")
    return problems


def printed(page: str, paper: str, folder: Path, name: str) -> Path:
    target = folder / f"{name}-{paper}.pdf"
    target.write_bytes(pdf.print_html(page, paper=paper))
    return target


@pytest.mark.parametrize("paper", pdf.PAPERS)
@pytest.mark.parametrize("name", PAGE_NAMES)
def test_printed_pages_never_cut_a_chart(name: str, paper: str, pages: dict[str, Path],
                                         system_tool: Any, tmp_path: Path) -> None:
    system_tool("chromium")
    pdftotext = system_tool("pdftotext")
    source = pages[name].read_text(encoding="utf-8")
    words = page_words(printed(source, paper, tmp_path, name), pdftotext)
    assert cut_charts(charts_of(source), words) == []
    if name != "portfolio":
        # the executive summary prints on the first page alone, caveats included; the scores,
        # organization profile included, on the second
        first = " ".join(w for _, w in words[0])
        second = " ".join(w for _, w in words[1])
        third = " ".join(w for _, w in words[2])
        assert "Executive summary" in first and "Caveats" in first, first[:200]
        assert "Organization profile" not in first
        assert second.startswith("Scores") and "Organization profile" in second, second[:80]
        assert third.startswith("Business case"), third[:80]


def test_the_cut_check_catches_a_chart_taller_than_a_page(system_tool: Any,
                                                          tmp_path: Path) -> None:
    system_tool("chromium")
    pdftotext = system_tool("pdftotext")
    results = run(sample_workbooks()[0], tmp_path / "out", formats=("json",)).results
    source = render_html(results)
    charts = charts_of(source)
    tall = charts[0]
    stretched = source.replace(
        "</head>", f"<style>#{tall.id} svg {{ height: 400mm !important; "
                   "max-height: none !important; }</style></head>", 1)
    problems = cut_charts(charts, page_words(printed(stretched, "A4", tmp_path, "tall"),
                                             pdftotext))
    assert [p.split(" ")[0] for p in problems] == [tall.id], problems
