"""The HTML scorecards and the portfolio page as Chromium really shows and prints them.

Every sample organization's scorecard and the portfolio page are opened in headless Chromium
with the network cut off: no request may fail, no console or page error may appear, and every
chart must have drawn at a non-zero size. A full-page screenshot is taken of each (kept in the
test's temporary folder; ``SE_SCREENSHOTS=DIR`` copies them to ``DIR`` for a look by eye).

At 1280 px no table is wider than the box that holds it, and at 400 px the page never scrolls
sideways (the widest tables reflow, the others scroll inside their frame). In print (media
emulated at the paper's width) every table fits the paper too.

The printed scorecard (the PDF) must break pages sensibly: the cover is page 1 alone, the
executive summary page 2, the scores (organization profile included) page 3, the business case
page 4; every page but the cover carries the running header (client and date) and "Page N of
M"; no table's caption and header row are left at a page's foot without a row; and no chart is
cut across two pages. The checks read the words of the PDF with their positions
(``pdftotext -bbox``): every word a chart draws must sit on the page of its caption, above it.
A control case makes one chart taller than a page and shows that the check catches the cut.
A branded PDF shows the firm, the client and the confidentiality line, and a brand's hostile
text is printed as text.
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
from browser import chart_sizes, page_width, tables_too_wide, watched_page
from test_html import HOSTILE, acme_results, branded

from assessment.intake.samples import sample_names, sample_workbooks
from assessment.pipeline import run
from assessment.portfolio.report import build, render_portfolio_html
from assessment.scorecard import pdf
from assessment.scorecard.html import RUNNING_CLIENT, render_html

pytestmark = pytest.mark.slow

FIGURE = re.compile(r'<figure class="chart[^"]*" id="([^"]+)".*?</figure>', re.S)
SVG_TEXT = re.compile(r"<text\b[^>]*>(.*?)</text>", re.S)
CAPTION_TITLE = re.compile(r"<figcaption[^>]*>\s*<strong>(.*?)</strong>", re.S)
TAG = re.compile(r"<[^>]+>")
TOOLTIP = re.compile(r"<title>.*?</title>", re.S)  # hover text of a shortened label: not drawn
WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">(.*?)</word>')
PAGE = re.compile(r"<page\b[^>]*>(.*?)</page>", re.S)
PAGE_HEIGHT = re.compile(r'<page width="[\d.]+" height="([\d.]+)">')
MM = 72 / 25.4  # PDF points in a millimetre
#: The printed scorecard's top and bottom margins (scorecard.css @page), in points: the
#: running header sits above the first, the page number below the second.
TOP, BOTTOM = 17 * MM, 15 * MM
#: The width of the printed area in CSS pixels (96 a inch): the paper less 2 x 12 mm margins.
PRINT_WIDTH = {"A4": 703, "Letter": 725}
LANDSCAPE_WIDTH = {"A4": 1031, "Letter": 965}
#: The portfolio's sections printed on landscape paper (portfolio.html.j2, page: wide).
WIDE_SECTIONS = ["clients", "percentiles", "trends", "sensitivity", "assessments"]
TABLE = re.compile(r"<table\b[^>]*>(.*?)</table>", re.S)
CAPTION = re.compile(r"<caption>(.*?)</caption>", re.S)
FIRST_ROW_NAME = re.compile(
    r'<tbody\b[^>]*>\s*<tr\b[^>]*>(?:(?!</tr>).)*?<th scope="row">([^<]*)', re.S)
PAGE_NUMBER = re.compile(r"Page (\d+) of (\d+)")


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
def test_tables_fit_at_1280_and_a_narrow_screen_never_scrolls_sideways(
        name: str, pages: dict[str, Path], chromium: Any) -> None:
    with watched_page(chromium, viewport=(1280, 900)) as (page, log):
        page.goto(pages[name].as_uri(), wait_until="load")
        wide = tables_too_wide(page)
        assert page_width(page) == (1280, 1280)
    assert wide == [], f"{name} at 1280 px: {wide}"
    with watched_page(chromium, viewport=(400, 800)) as (page, log):
        page.goto(pages[name].as_uri(), wait_until="load")
        scroll, window = page_width(page)
        stacked = page.evaluate(
            "() => Array.from(document.querySelectorAll('table.stack tbody tr'))"
            ".map((tr) => getComputedStyle(tr).display)")
    assert scroll <= window, f"{name} at 400 px scrolls sideways: {scroll} > {window}"
    if name != "portfolio":
        assert stacked and set(stacked) == {"block"}  # the KPI and roadmap tables reflow
    assert log.problems() == []


@pytest.mark.parametrize("paper", pdf.PAPERS)
@pytest.mark.parametrize("name", PAGE_NAMES)
def test_printed_tables_fit_the_paper(name: str, paper: str, pages: dict[str, Path],
                                      chromium: Any) -> None:
    """Print media at the width of the paper's printed area: no table is wider than its box
    (the portfolio's wide sections on landscape paper, the rest upright)."""
    with watched_page(chromium, viewport=(PRINT_WIDTH[paper], 1000)) as (page, _log):
        page.goto(pages[name].as_uri(), wait_until="load")
        page.emulate_media(media="print")
        upright = [t for t in tables_too_wide(page)
                   if name != "portfolio" or t["section"] not in WIDE_SECTIONS]
        page.set_viewport_size({"width": LANDSCAPE_WIDTH[paper], "height": 800})
        sideways = tables_too_wide(page, WIDE_SECTIONS) if name == "portfolio" else []
    assert upright == [] and sideways == [], (upright, sideways)


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
    return [body for _height, body in printed_pages(pdf_file, pdftotext)]


def printed_pages(pdf_file: Path, pdftotext: str) -> list[tuple[float, list[tuple[float, str]]]]:
    """Per PDF page, its height and its words as (top y, text), in reading order."""
    markup = subprocess.run([pdftotext, "-bbox", str(pdf_file), "-"], capture_output=True,
                            text=True, check=True, timeout=60).stdout
    return [(float(height), [(float(y0), html_lib.unescape(text))
                             for _x, y0, _y1, text in WORD.findall(body)])
            for height, body in zip(PAGE_HEIGHT.findall(markup), PAGE.findall(markup),
                                    strict=True)]


def margins(height: float, words: list[tuple[float, str]]) -> tuple[str, str, str]:
    """A printed scorecard page's running header, body and footer, as text."""
    def text(keep: Any) -> str:
        return " ".join(w for y, w in words if keep(y))

    return (text(lambda y: y < TOP), text(lambda y: TOP <= y < height - BOTTOM),
            text(lambda y: y >= height - BOTTOM))


def orphaned_tables(page: str, pages: list[list[tuple[float, str]]]) -> list[str]:
    """Tables whose caption (and header row) ends a page without their first row.

    A table's caption is found as its words (the last occurrence: a heading or a chart's
    caption may repeat it earlier); the first words of the name of its first row must follow
    on the same page.
    """
    problems = []
    for body in TABLE.findall(page):
        caption, first = CAPTION.search(body), FIRST_ROW_NAME.search(body)
        if not caption or not first or not first.group(1).split():
            continue
        words = html_lib.unescape(TAG.sub("", caption.group(1))).split()
        row = html_lib.unescape(first.group(1)).split()[:2]
        spots = [(n, i) for n, found in enumerate(pages) for i in range(len(found))
                 if [w for _, w in found[i:i + len(words)]] == words]
        if not spots:
            problems.append(f"caption {' '.join(words)!r} not found")
            continue
        n, i = spots[-1]
        after = [w for _, w in pages[n][i + len(words):]]
        if not any(after[j:j + len(row)] == row for j in range(len(after))):
            problems.append(f"{' '.join(words)!r} on page {n + 1} without its first row "
                            f"{' '.join(row)!r}")
    return problems


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
def test_printed_pages(name: str, paper: str, pages: dict[str, Path], system_tool: Any,
                       tmp_path: Path) -> None:
    """No chart cut, no table header orphaned, every page numbered, a sane page count; the
    scorecard's pages in order (cover, executive summary, scores, business case) with the
    running header; the portfolio's widest table keeps its last columns."""
    system_tool("chromium")
    pdftotext = system_tool("pdftotext")
    source = pages[name].read_text(encoding="utf-8")
    sheets = printed_pages(printed(source, paper, tmp_path, name), pdftotext)
    words = [body for _height, body in sheets]
    assert cut_charts(charts_of(source), words) == []
    assert orphaned_tables(source, words) == []
    count = len(sheets)
    flat = [" ".join(w for _, w in body) for body in words]
    if name == "portfolio":
        assert 8 <= count <= 30, count
        for n, text in enumerate(flat, start=1):
            assert f"Page {n} of {count}" in text, (n, text[-80:])
        position = next(t for t in flat if "position among peers and business case" in t)
        for header in ("Index percentile", "Rank range", "Business case", "Top initiative"):
            for word in header.split():
                assert word in position, header
        return
    assert 10 <= count <= 45, count
    client = source.split('<h1 id="org-name">', 1)[1].split("</h1>", 1)[0]
    client = html_lib.unescape(client)[:RUNNING_CLIENT - 1]
    parts = [margins(height, body) for height, body in sheets]
    # page 1: the cover alone, without running header or number
    cover = flat[0]
    assert client in cover and "Support Excellence Scorecard".upper() in cover
    assert not PAGE_NUMBER.search(cover) and "Executive summary" not in cover
    for n, (header, _body, footer) in enumerate(parts[1:], start=2):
        assert client in header, (n, header)
        assert footer.endswith(f"Page {n} of {count}"), (n, footer)
    # the executive summary prints on page 2 alone, caveats included; the scores, organization
    # profile included, on page 3; the business case starts page 4
    second, third, fourth = (body for _h, body, _f in parts[1:4])
    assert second.startswith("Executive summary") and "Caveats" in second, second[:200]
    assert "Organization profile" not in second
    assert third.startswith("Scores") and "Organization profile" in third, third[:80]
    assert fourth.startswith("Business case"), fourth[:80]


def test_long_unbroken_texts_never_widen_the_page(chromium: Any, tmp_path: Path) -> None:
    """An organization name, a note and a warning of hundreds of characters without a space,
    and brand texts at their length limits, break rather than widen a table or the page."""
    word = "Averyverylongorganizationnamewithoutanyspaces" * 6
    results = acme_results(org=word, note="N" * 300, warning="W" * 300)
    target = tmp_path / "long.html"
    target.write_text(render_html(results, brand=branded(
        firm="F" * 80, confidentiality="C" * 200, prepared_by="P" * 120)), encoding="utf-8")
    with watched_page(chromium, viewport=(1280, 900)) as (page, _log):
        page.goto(target.as_uri(), wait_until="load")
        wide, width = tables_too_wide(page), page_width(page)
        page.emulate_media(media="print")
        page.set_viewport_size({"width": PRINT_WIDTH["A4"], "height": 900})
        printed_wide, printed_width = tables_too_wide(page), page_width(page)
    assert wide == [] and width == (1280, 1280), (wide, width)
    assert printed_wide == [] and printed_width == (703, 703), (printed_wide, printed_width)
    with watched_page(chromium, viewport=(400, 800)) as (page, _log):
        page.goto(target.as_uri(), wait_until="load")
        assert page_width(page) == (400, 400)


def brand_pdf(tmp_path: Path, brand: Any, paper: str = "A4") -> tuple[str, list[str]]:
    results = run(sample_workbooks()[0], tmp_path / "out", formats=("json",)).results
    target = tmp_path / "branded.pdf"
    target.write_bytes(pdf.pdf_bytes(results, paper=paper, brand=brand))
    text = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True,
                          check=True, timeout=60).stdout
    return results["organization"]["name"], [" ".join(p.split()) for p in text.split("\f")
                                             if p.strip()]


@pytest.mark.parametrize("paper", pdf.PAPERS)
def test_a_branded_pdf_shows_the_firm_the_client_and_the_confidentiality_line(
        paper: str, system_tool: Any, tmp_path: Path) -> None:
    system_tool("chromium")
    system_tool("pdftotext")
    client, pages_text = brand_pdf(tmp_path, branded(), paper)
    cover = pages_text[0]
    for text in ("Quillon Partners", client, "Prepared by Jane Doe, Quillon Partners",
                 "Strictly confidential: for the board only"):
        assert text in cover, text
    count = len(pages_text)
    for n, text in enumerate(pages_text[1:], start=2):
        assert "Strictly confidential: for the board only" in text, n
        assert "Quillon Partners" in text and f"Page {n} of {count}" in text, n


def test_a_hostile_brand_prints_as_text_and_runs_nothing(system_tool: Any, chromium: Any,
                                                          tmp_path: Path) -> None:
    system_tool("chromium")
    system_tool("pdftotext")
    brand = branded(firm=HOSTILE, confidentiality='"; } </style><script>alert(2)</script>',
                    prepared_by=HOSTILE)
    _client, pages_text = brand_pdf(tmp_path, brand)
    assert HOSTILE in pages_text[0]
    # the running header puts a zero-width space into a word over 24 characters
    assert '"; } </style><script>alert(2)</script>' in pages_text[1].replace("\u200b", "")
    results = run(sample_workbooks()[0], tmp_path / "page", formats=("json",)).results
    page_file = tmp_path / "hostile.html"
    page_file.write_text(render_html(results, brand=brand), encoding="utf-8")
    with watched_page(chromium) as (page, log):
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(page_file.as_uri(), wait_until="load")
        firm = page.inner_text("#cover-firm")
        visible = page.evaluate("() => getComputedStyle(document.body).display")
    assert dialogs == [] and log.problems() == []
    assert firm == HOSTILE and visible == "block"


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


def control_page(spacer_mm: int, keep_rule: bool) -> str:
    """A page with the scorecard's stylesheet: a block ``spacer_mm`` high, then a captioned
    table; without ``keep_rule`` the rules that keep a table's header with its first row are
    switched off."""
    css = (Path(render_html.__code__.co_filename).parents[1] / "templates"
           / "scorecard.css").read_text(encoding="utf-8")
    off = "" if keep_rule else ("@media print { thead { break-after: auto !important; } "
                                "thead + tbody > tr:first-child "
                                "{ break-before: auto !important; } }")
    rows = "".join(f'<tr><th scope="row">Row{i} name</th><td class="num">{i}</td></tr>'
                   for i in range(6))
    return (f"<!DOCTYPE html><html><head><style>{css}{off}</style></head><body>"
            f"<main class='wrap'><section><div style='height:{spacer_mm}mm'>spacer</div>"
            "<div class='table-wrap'><table><caption>Control caption words</caption>"
            "<thead><tr><th scope='col'>Name</th><th scope='col' class='num'>N</th></tr>"
            f"</thead><tbody>{rows}</tbody></table></div></section></main></body></html>")


def test_the_orphan_check_catches_a_table_header_left_at_a_page_foot(system_tool: Any,
                                                                      tmp_path: Path) -> None:
    """Pushed to the foot of a page, a table's caption and header row follow it to the next
    page with the stylesheet's rule, and stay behind without it (which the check reports)."""
    system_tool("chromium")
    pdftotext = system_tool("pdftotext")
    caught = []
    for spacer in (244, 246, 248, 250):
        for keep in (True, False):
            source = control_page(spacer, keep)
            words = page_words(printed(source, "A4", tmp_path, f"ctl-{spacer}-{keep}"),
                               pdftotext)
            problems = orphaned_tables(source, words)
            if keep:
                assert problems == [], (spacer, problems)
            else:
                caught += problems
    assert caught and all("without its first row 'Row0 name'" in p for p in caught), caught
