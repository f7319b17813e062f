"""The editable PowerPoint deck (assessment/scorecard/pptx.py): slides, native charts, text
that fits, deterministic bytes, the brand, a corporate template, and (slow) the deck as
LibreOffice Impress prints it."""

from __future__ import annotations

import copy
import io
import re
import shutil
import subprocess
import time
import zipfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.opc.constants import RELATIONSHIP_TYPE as RT

from assessment.core.framework import load_framework
from assessment.core.results import ResultsView
from assessment.core.scoring import score
from assessment.intake.reader import read_intake
from assessment.intake.samples import sample_workbooks
from assessment.scorecard import pptx as deck
from assessment.scorecard.brand import DEFAULT_BRAND, Brand, Logo
from assessment.scorecard.formats import REGISTRY, RenderOptions
from tests.conftest import apps_required
from tests.results_data import empty_results, results_v1, sparse_results, v2_results

SAMPLES = [p.stem for p in sample_workbooks()]
CONTINUED = deck.CONTINUED


@cache
def sample_results(name: str) -> dict[str, Any]:
    """A bundled sample intake workbook, read and scored."""
    framework = load_framework()
    return score(framework, read_intake(next(p for p in sample_workbooks() if p.stem == name),
                                        framework))


def open_deck(data: bytes) -> Any:
    return Presentation(io.BytesIO(data))


def titles(prs: Any) -> list[str]:
    return [s.shapes.title.text_frame.text for s in prs.slides]


def expected_titles(results: dict[str, Any]) -> list[str]:
    """The slide titles in order, each "(continued)" slide left out."""
    view = ResultsView.of(results)
    sections = [view.organization.name, deck.EXECUTIVE, *(e.name for e in view.elements),
                deck.RENEWAL, deck.BUSINESS_CASE, deck.ROADMAP]
    if view.roadmap.ranked:
        sections.append(deck.TIMELINE)
    return [*sections, deck.APPENDIX]


def main_titles(prs: Any) -> list[str]:
    """The titles without the continuation slides, each of which must follow its own
    section."""
    found: list[str] = []
    for title in titles(prs):
        if title.endswith(CONTINUED):
            assert found and found[-1] == title[:-len(CONTINUED)], title
            continue
        found.append(title)
    return found


def charts_of(prs: Any) -> list[Any]:
    return [shape.chart for s in prs.slides for shape in s.shapes if shape.has_chart]


# --------------------------------------------------------------------------- every sample


@pytest.mark.parametrize("name", SAMPLES)
def test_every_sample_gives_a_deck_that_opens_with_its_slides_and_charts(name: str) -> None:
    results = sample_results(name)
    data = deck.render(results, RenderOptions())
    prs = open_deck(data)
    assert main_titles(prs) == expected_titles(results)
    assert (prs.slide_width, prs.slide_height) == (deck.SLIDE_WIDTH, deck.SLIDE_HEIGHT)

    # the client's name (from the results) on the title slide
    org = ResultsView.of(results).organization.name
    first = prs.slides[0]
    assert any(org in shape.text_frame.text for shape in first.shapes if shape.has_text_frame)

    # native charts, never pictures: the KPI bars on every element slide, the timeline ...
    found = charts_of(prs)
    assert len(found) >= 6
    assert not any(shape.shape_type == MSO_SHAPE_TYPE.PICTURE for s in prs.slides
                   for shape in s.shapes)  # the default brand has no logo
    by_title = {s.shapes.title.text_frame.text: s for s in prs.slides}
    timeline = next(sh.chart for sh in by_title[deck.TIMELINE].shapes if sh.has_chart)
    start, duration = timeline.plots[0].series
    assert start.format.fill.type is not None  # the start series is there, but not drawn
    assert timeline.chart_type is not None and len(list(duration.values)) >= 1
    assert start._element.xpath("./c:spPr/a:noFill")

    # every text fits its box (by the deck's own estimate), nothing under 9-10 pt
    assert deck.fit_problems(prs) == []


@pytest.mark.parametrize("name", SAMPLES)
def test_the_deck_speaks_the_clients_words(name: str) -> None:
    """Numbers and words as the other outputs write them: the index with both readings, the
    findings, the business-case total, the initiatives, every recommendation."""
    results = sample_results(name)
    view = ResultsView.of(results)
    prs = open_deck(deck.render(results, RenderOptions()))
    text = "\n".join(shape.text_frame.text for s in prs.slides for shape in s.shapes
                     if shape.has_text_frame)
    cells = "\n".join(cell.text_frame.text for s in prs.slides for shape in s.shapes
                      if shape.has_table for row in shape.table.rows for cell in row.cells)
    assert view.readings("index") in text
    summary = view.executive_summary
    assert summary is not None
    for finding in summary.findings:
        assert finding.text in text
    for initiative in summary.initiatives:
        assert initiative.name in cells
    for recommendation in view.recommendations:
        assert recommendation.text in cells
    if view.renewal.applicable:
        assert "Contract revenue kept from the starting cohort" in text
    else:
        assert "Not applicable to an internal support model" in text


def test_two_renders_give_the_same_bytes() -> None:
    """No clock in the file: core properties carry the assessment date, every zip entry and
    each chart's embedded workbook too, even when the renders are seconds apart."""
    results = sample_results(SAMPLES[0])
    first = deck.render(results, RenderOptions())
    time.sleep(1.1)
    assert deck.render(results, RenderOptions()) == first
    prs = open_deck(first)
    when = ResultsView.of(results).organization.date
    assert prs.core_properties.created.date() == when
    assert prs.core_properties.modified.date() == when
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        stamps = {info.date_time[:3] for info in archive.infolist()}
        books = [n for n in archive.namelist() if n.endswith(".xlsx")]
        assert books
        for name in books:
            with zipfile.ZipFile(io.BytesIO(archive.read(name))) as book:
                stamps |= {info.date_time[:3] for info in book.infolist()}
                core = book.read("docProps/core.xml").decode()
                assert re.findall(r"<dcterms:created[^>]*>(\d{4}-\d\d-\d\d)", core) == \
                    [when.isoformat()]
    assert stamps == {(when.year, when.month, when.day)}


def test_the_format_registry_writes_the_deck() -> None:
    fmt = REGISTRY["pptx"]
    assert fmt.module == "assessment.scorecard.pptx"
    assert fmt.render(sample_results(SAMPLES[0]), RenderOptions()).startswith(b"PK")


# --------------------------------------------------------------------------- odd results


@pytest.mark.parametrize("make", [sparse_results, empty_results, results_v1, v2_results],
                         ids=["sparse", "empty", "results@1", "v2"])
def test_any_results_give_a_deck_that_fits(make: Callable[[], dict[str, Any]]) -> None:
    results = make()
    prs = open_deck(deck.render(results, RenderOptions()))
    assert main_titles(prs)[:2] == [ResultsView.of(results).organization.name, deck.EXECUTIVE]
    assert deck.fit_problems(prs) == []
    if ResultsView.of(results).executive_summary is None:
        text = "\n".join(sh.text_frame.text for s in prs.slides for sh in s.shapes
                         if sh.has_text_frame)
        assert "results@1" in text


def test_a_custom_framework_with_many_kpis_in_one_element_is_charted_in_parts() -> None:
    """More KPIs than one chart can label: several charts, the table continued, all fitting."""
    from assessment.core.framework import parse_framework
    from tests.conftest import mini_framework_dict, sample_intake

    spec = mini_framework_dict()
    happy = spec["kpis"][0]
    spec["kpis"] += [dict(happy, id=f"happy_{n}", name=f"A long customer happiness measure {n}")
                     for n in range(20)]
    framework = parse_framework(spec)
    results = score(framework, sample_intake(framework))
    prs = open_deck(deck.render(results, RenderOptions()))
    assert main_titles(prs) == expected_titles(results)
    reputation = [s for s in prs.slides
                  if s.shapes.title.text_frame.text.startswith("Reputation")]
    assert sum(sh.has_chart for s in reputation for sh in s.shapes) >= 2
    charted = [c for s in reputation for sh in s.shapes if sh.has_chart
               for c in sh.chart.plots[0].categories]
    assert len(charted) == 22
    assert deck.fit_problems(prs) == []


def test_an_internal_desk_reads_not_applicable_on_the_renewal_slide() -> None:
    prs = open_deck(deck.render(sparse_results(), RenderOptions()))
    slide = next(s for s in prs.slides if s.shapes.title.text_frame.text == deck.RENEWAL)
    words = " ".join(sh.text_frame.text for sh in slide.shapes if sh.has_text_frame)
    assert "Not applicable to an internal support model" in words
    assert not any(sh.has_chart for sh in slide.shapes)


def test_hostile_text_is_stored_safely_and_still_fits() -> None:
    """A huge name with control characters, a formula-like KPI name and a very long finding:
    the deck opens, nothing overflows, and the embedded chart workbooks hold no formula."""
    results = copy.deepcopy(sample_results(SAMPLES[0]))
    results["organization"]["name"] = "=HYPERLINK(\"http://x\")\x07 " + "Very long name " * 40
    results["kpis"][0]["name"] = "=1+2 {=SUM(A1)}"
    finding = results["executive_summary"]["findings"][0]
    finding["text"] = "A finding that never ends. " * 200
    data = deck.render(results, RenderOptions())
    prs = open_deck(data)
    assert deck.fit_problems(prs) == []
    assert "\x07" not in prs.slides[0].shapes.title.text_frame.text
    assert prs.slides[0].shapes.title.text_frame.text.startswith("=HYPERLINK")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.endswith(".xlsx"):
                with zipfile.ZipFile(io.BytesIO(archive.read(name))) as book:
                    sheet = book.read("xl/worksheets/sheet1.xml").decode()
                    assert "<f>" not in sheet, name
    # the long finding continues on a second executive-summary slide
    assert deck.EXECUTIVE + CONTINUED in titles(prs)


def test_long_lists_continue_on_slides_that_say_so() -> None:
    results = sample_results(SAMPLES[0])
    names = titles(open_deck(deck.render(results, RenderOptions())))
    assert names.count(deck.APPENDIX + CONTINUED) >= 1
    assert names.index(deck.APPENDIX) == names.index(deck.APPENDIX + CONTINUED) - 1


def test_the_estimate_wraps_words_and_measures_boxes() -> None:
    assert deck.wrap("one two three", deck.text_width("one two", 12), 12) == ["one two",
                                                                             "three"]
    assert deck.wrap("a\nb", 1000, 12) == ["a", "b"]
    long = deck.wrap("x" * 50, deck.text_width("x" * 10, 10), 10)
    assert len(long) == 5 and all(len(line) <= 10 for line in long)
    one = deck.paras_height([deck.Para("short", 12)], 2 * deck.EMU_PER_INCH)
    two = deck.paras_height([deck.Para("short " * 30, 12)], 2 * deck.EMU_PER_INCH)
    assert two > 3 * one


# --------------------------------------------------------------------------- brand


def png_logo(width: int = 240, height: int = 80) -> Logo:
    raw = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 60)).save(raw, "PNG")
    return Logo(raw.getvalue(), "png", width, height)


BRAND = Brand(firm="Example Advisory", logo=png_logo(), primary_color="#7A1F3D",
              accent_color="#0E7C86", confidentiality="Confidential: for the client's board",
              prepared_by="Jane Doe")


def test_the_brand_colours_titles_headers_and_charts_and_signs_every_slide() -> None:
    results = sample_results(SAMPLES[0])
    prs = open_deck(deck.render(results, RenderOptions(brand=BRAND)))
    first = prs.slides[0]
    words = " ".join(sh.text_frame.text for sh in first.shapes if sh.has_text_frame)
    assert "Prepared by Jane Doe, Example Advisory" in words
    for number, slide in enumerate(prs.slides, start=1):
        texts = [sh.text_frame.text for sh in slide.shapes if sh.has_text_frame]
        assert any("Example Advisory · Confidential: for the client's board" in t
                   for t in texts), number
        pictures = [sh for sh in slide.shapes if sh.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pictures) == (2 if number == 1 else 1), number  # big on the title slide
    title_run = prs.slides[1].shapes.title.text_frame.paragraphs[0].runs[0]
    assert str(title_run.font.color.rgb) == "7A1F3D"
    table = next(sh.table for s in prs.slides for sh in s.shapes if sh.has_table)
    assert str(table.cell(0, 0).fill.fore_color.rgb) == "7A1F3D"
    xml = "".join(c._chartSpace.xml for c in charts_of(prs))
    assert 'srgbClr val="7A1F3D"' in xml
    assert prs.core_properties.author == "Jane Doe"
    assert deck.fit_problems(prs) == []


def test_prepared_by_names_the_firm_once() -> None:
    both = Brand(firm="Example Advisory", logo=None, primary_color="#1F3A5F",
                 accent_color="#0E7C86", confidentiality=None,
                 prepared_by="Jane Doe, Example Advisory")
    assert deck._prepared_by(both) == "Jane Doe, Example Advisory"
    assert deck._prepared_by(BRAND) == "Jane Doe, Example Advisory"
    assert deck._prepared_by(DEFAULT_BRAND) == "support-excellence"


def test_the_organization_name_comes_from_the_results_not_the_brand() -> None:
    results = sample_results(SAMPLES[0])
    prs = open_deck(deck.render(results, RenderOptions(brand=BRAND)))
    assert prs.slides[0].shapes.title.text_frame.text == \
        ResultsView.of(results).organization.name


# --------------------------------------------------------------------------- template


SECTIONS = (b'<p:extLst><p:ext uri="{521415D9-36F7-43E2-AB2F-B90AF26B5E84}">'
            b'<p14:sectionLst xmlns:p14="http://schemas.microsoft.com/office/powerpoint/2010/'
            b'main"><p14:section name="Intro" id="{9D3D6E4B-2A41-4F1B-8C1E-6B0E8E1F2A01}">'
            b'<p14:sldIdLst><p14:sldId id="ID"/></p14:sldIdLst></p14:section>'
            b'</p14:sectionLst></p:ext></p:extLst>')


def make_template(path: Path, potx: bool = False) -> Path:
    """A corporate template as a consultant might have one: 4:3, its layouts renamed, a
    distinctive first accent colour in its theme, and a slide of its own."""
    prs = Presentation()
    prs.slide_layouts[0]._element.cSld.set("name", "Acme Cover")
    prs.slide_layouts[5]._element.cSld.set("name", "Acme Headline")
    theme = prs.slide_master.part.part_related_by(RT.THEME)
    theme._blob = re.sub(rb"<a:accent1>.*?</a:accent1>",
                         b'<a:accent1><a:srgbClr val="6A2C91"/></a:accent1>', theme.blob,
                         flags=re.S)
    slide = prs.slides.add_slide(prs.slide_layouts[1])
    slide.shapes.title.text = "An old slide of the template"
    prs.save(path)
    # a section listing that slide, as PowerPoint writes it
    data = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(data, "w") as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "ppt/presentation.xml":
                slide_id = re.search(rb'<p:sldId id="(\d+)"', content).group(1)
                content = content.replace(b"</p:presentation>", SECTIONS.replace(
                    b"ID", slide_id) + b"</p:presentation>")
            dst.writestr(info, content)
    path.write_bytes(data.getvalue())
    if potx:  # the same file with a template's content type
        data = io.BytesIO()
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(data, "w") as dst:
            for info in src.infolist():
                content = src.read(info.filename)
                if info.filename == "[Content_Types].xml":
                    content = content.replace(b"presentationml.presentation.main+xml",
                                              b"presentationml.template.main+xml")
                dst.writestr(info, content)
        path.write_bytes(data.getvalue())
    return path


@pytest.mark.parametrize("suffix", [".pptx", ".potx"])
def test_a_corporate_template_gives_its_layouts_theme_and_size(tmp_path: Path,
                                                               suffix: str) -> None:
    template = make_template(tmp_path / f"acme{suffix}", potx=suffix == ".potx")
    results = sample_results(SAMPLES[0])
    data = deck.render(results, RenderOptions(pptx_template=template))
    prs = open_deck(data)
    assert (prs.slide_width, prs.slide_height) == (9144000, 6858000)  # the template's 4:3
    used = [s.slide_layout.name for s in prs.slides]
    assert used[0] == "Acme Cover"
    assert set(used[1:]) == {"Acme Headline"}
    assert main_titles(prs) == expected_titles(results)
    assert "An old slide of the template" not in titles(prs)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        slides = [n for n in archive.namelist() if re.fullmatch(r"ppt/slides/slide\d+\.xml", n)]
        assert len(slides) == len(prs.slides)  # the template's slide is gone, not hidden
        assert b"sectionLst" not in archive.read("ppt/presentation.xml")  # and its section
        theme = next(archive.read(n) for n in archive.namelist() if "theme/theme" in n)
        assert b'<a:srgbClr val="6A2C91"/>' in theme
    # the default brand with a template: the template's theme colours, not the brand's
    xml = "".join(c._chartSpace.xml for c in charts_of(prs))
    assert 'schemeClr val="accent1"' in xml and "1F3A5F" not in xml
    assert deck.fit_problems(prs) == []
    assert deck.render(results, RenderOptions(pptx_template=template)) == data


def test_a_brand_with_its_own_colours_wins_over_the_template_theme(tmp_path: Path) -> None:
    """The brand's colours where it sets them; its firm and footer in any case."""
    template = make_template(tmp_path / "acme.pptx")
    results = sample_results(SAMPLES[0])
    own = open_deck(deck.render(results, RenderOptions(brand=BRAND, pptx_template=template)))
    xml = "".join(c._chartSpace.xml for c in charts_of(own))
    assert 'srgbClr val="7A1F3D"' in xml and 'schemeClr val="accent1"' not in xml
    plain = Brand(firm="Example Advisory", logo=None, primary_color="#1F3A5F",
                  accent_color="#0E7C86", confidentiality=None, prepared_by=None)
    themed = open_deck(deck.render(results, RenderOptions(brand=plain, pptx_template=template)))
    xml = "".join(c._chartSpace.xml for c in charts_of(themed))
    assert 'schemeClr val="accent1"' in xml and "1F3A5F" not in xml
    assert all(any("Example Advisory" in sh.text_frame.text for sh in s.shapes
                   if sh.has_text_frame) for s in themed.slides)


def test_template_layouts_are_found_by_name_first() -> None:
    prs = Presentation()
    title, content = deck.layouts_of(prs)
    assert (title.name, content.name) == ("Title Slide", "Title Only")


# --------------------------------------------------------------------------- Impress (slow)


def impress(system_tool: Callable[[str], str]) -> str:
    """soffice with Impress (the -nogui package may bring Calc alone)."""
    soffice = system_tool("soffice")
    program = Path(soffice).resolve().parent
    if not (program.parent / "share" / "registry" / "impress.xcd").exists():
        if apps_required():
            pytest.fail("LibreOffice Impress is required here; `make system-deps` installs "
                        "libreoffice-impress-nogui")
        pytest.skip("LIBREOFFICE IMPRESS IS NOT INSTALLED: the deck was not converted")
    return soffice


@pytest.mark.slow
def test_every_deck_converts_in_impress_with_every_slides_text(tmp_path: Path,
                                                               system_tool: Any) -> None:
    """Each sample's deck converts to PDF in LibreOffice Impress (no repair, no error): one
    page a slide, each page showing its slide's title, the client's name on page 1."""
    from tests.test_libreoffice import convert

    soffice = impress(system_tool)
    pdftotext = system_tool("pdftotext")
    decks = {}
    for name in SAMPLES:
        path = tmp_path / "decks" / f"{name}.pptx"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(deck.render(sample_results(name), RenderOptions(brand=BRAND)))
        decks[name] = path
    out = convert(soffice, tmp_path, "pdf", decks.values())

    def flat(text: str) -> str:
        return " ".join(text.split())

    for name, path in decks.items():
        pdf = out / f"{name}.pdf"
        assert pdf.exists(), f"{path.name} was not converted"
        pages = subprocess.run([pdftotext, str(pdf), "-"], capture_output=True, text=True,
                               timeout=60, check=True).stdout.split("\f")
        prs = Presentation(str(path))
        assert len([p for p in pages if p.strip()]) == len(prs.slides), name
        org = ResultsView.of(sample_results(name)).organization.name
        assert org in flat(pages[0]), name
        for number, (slide, page) in enumerate(zip(prs.slides, pages, strict=False), start=1):
            title = slide.shapes.title.text_frame.text
            assert flat(title) in flat(page), f"{name}: slide {number} ({title!r})"
            assert "Example Advisory" in page, f"{name}: slide {number} has no footer"


@pytest.mark.slow
def test_a_template_deck_converts_in_impress(tmp_path: Path, system_tool: Any) -> None:
    from tests.test_libreoffice import convert

    soffice = impress(system_tool)
    template = make_template(tmp_path / "acme.pptx")
    path = tmp_path / "decks" / "templated.pptx"
    path.parent.mkdir()
    path.write_bytes(deck.render(sample_results(SAMPLES[-1]),
                                 RenderOptions(pptx_template=template)))
    out = convert(soffice, tmp_path, "pdf", [path])
    pdf = out / "templated.pdf"
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")
    assert shutil.which("pdftotext") is None or subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, timeout=60,
        check=True).stdout.count("\f") == len(Presentation(str(path)).slides)
