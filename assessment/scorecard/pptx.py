"""The editable PowerPoint deck (``--format pptx``), built with python-pptx.

:func:`render` lays one organization's results out on slides, in the client's words (every
number and word from :mod:`assessment.core.format` and :mod:`assessment.scorecard.summary`):

1. a title slide: the organization's name (always from the results), the assessment date,
   who prepared it for which firm (the brand), the firm's logo;
2. the executive summary: the index with both readings of missing data, the key findings, the
   top initiatives with their money and the caveats;
3. one slide per element: score, both readings, a native bar chart of its KPI scores against
   the target, the KPI table and the largest gaps;
4. renewal: health, a native line chart of the projection (client, target, industry) and the
   renewal money, or "Not applicable to an internal support model";
5. the business case: the drivers low/base/high with what the total counts, and a native bar
   chart; 6. the roadmap: the ranked initiatives and a native timeline chart (a stacked bar
   whose first series, the start month, is invisible); 7. an appendix: the recommendations.

Charts are native PowerPoint charts (their data sits in an embedded workbook), so that a
consultant can restyle and edit them; the data comes from :mod:`assessment.scorecard.charts`,
built once. Text fits its boxes: every font size is set (body never below
:data:`MIN_BODY_PT`, dense tables never below :data:`MIN_TABLE_PT`), every box is sized by a
characters-per-line estimate (:func:`text_width`), and long lists and tables continue on
"(continued)" slides. :func:`fit_problems` applies the same estimate to a saved deck.

A corporate template (``RenderOptions.pptx_template``) gives the slide size, layouts, master
and theme; its own slides are removed. Without one, python-pptx's default template is used at
16:9 (13.333 × 7.5 in). The brand (``RenderOptions.brand``) colours titles, table headers and
chart series, and puts the firm's name and confidentiality line in a footer on every slide;
with a template and a brand that keeps the default colours, the template's theme colours are
used instead.

The bytes are deterministic: the document properties carry the assessment date and every zip
entry, including each chart's embedded workbook, is stamped with it.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import (
    XL_AXIS_CROSSES,
    XL_CHART_TYPE,
    XL_LABEL_POSITION,
    XL_LEGEND_POSITION,
    XL_MARKER_STYLE,
)
from pptx.enum.dml import MSO_LINE_DASH_STYLE, MSO_THEME_COLOR
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.util import Emu, Pt

from assessment.core.format import (
    DASH,
    EFFORT_LABELS,
    HORIZON_LABELS,
    STATUS_LABELS,
    driver_status_text,
    format_coverage,
    format_money,
    format_percent,
    format_points,
    format_score,
    rag_label,
    value_range,
    value_text,
)
from assessment.core.results import DriverResult, KpiRow, ResultsView
from assessment.files.xlsx import safe_text
from assessment.scorecard import charts
from assessment.scorecard.brand import DEFAULT_BRAND, Brand
from assessment.scorecard.summary import (
    band_text,
    not_applicable_text,
    readings_of,
    total_spread,
)

if TYPE_CHECKING:
    from pptx.presentation import Presentation as PresentationType
    from pptx.slide import Slide, SlideLayout

    from assessment.scorecard.formats import RenderOptions

# --------------------------------------------------------------------------- geometry and type

EMU_PER_INCH = 914400
EMU_PER_PT = 12700
SLIDE_WIDTH = 12192000  # 13.333 in: 16:9
SLIDE_HEIGHT = 6858000  # 7.5 in
MARGIN = int(0.5 * EMU_PER_INCH)
GUTTER = int(0.3 * EMU_PER_INCH)
BLOCK_GAP = int(0.12 * EMU_PER_INCH)
FOOTER_HEIGHT = int(0.42 * EMU_PER_INCH)
FOOTER_GAP = int(0.08 * EMU_PER_INCH)
#: Inner margins of every text box and table cell.
INSET_X = int(0.06 * EMU_PER_INCH)
INSET_Y = int(0.04 * EMU_PER_INCH)

TITLE_PT = 28
MIN_TITLE_PT = 18
HEADING_PT = 14
BODY_PT = 12
NOTE_PT = 10
TABLE_PT = 10
FOOTER_PT = 10
CHART_PT = 10
#: The smallest sizes anything is set in: body text and dense (long) tables.
MIN_BODY_PT = 10
MIN_TABLE_PT = 9
LINE_SPACING = 1.2

#: What a body of text may not exceed before it is cut (a hostile finding or name).
MAX_TEXT = 1200
MAX_CELL = 400

INK = "222222"
MUTED = "595959"
TRACK = "D9D9D9"
BAND_FILL = "F2F2F2"
WHITE = "FFFFFF"

TITLE_SLIDE = "Title"
EXECUTIVE = "Executive summary"
RENEWAL = "Renewal"
BUSINESS_CASE = "Business case"
ROADMAP = "Roadmap"
TIMELINE = "Roadmap timeline"
APPENDIX = "Appendix: recommendations"
CONTINUED = " (continued)"
DECK_TITLE = "Support excellence assessment"

NO_PLAN = ("These results carry no key findings, business case or roadmap: they follow "
           "methodology version 1 (results@1) or were written before those parts existed. "
           "Score the intake again with this toolkit to get them.")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


# --------------------------------------------------------------------------- measuring text


_NARROW = set(".,;:'!|ijlI()[]-/ ·ft\"`")
_WIDE = set("mwMW%@—#&≈×")


def char_width(char: str) -> float:
    """A character's advance in ems, a little wider than DejaVu Sans (the font LibreOffice
    falls back on) and so wider than Calibri: narrow punctuation 0.36, lower case 0.6,
    digits 0.64, capitals 0.72, wide letters and signs 1.0."""
    if char in _NARROW:
        return 0.36
    if char in _WIDE:
        return 1.0
    if char.isdigit():
        return 0.64
    if char.isupper():
        return 0.72
    if char.islower():
        return 0.6
    return 0.7


def text_width(text: str, size: float, bold: bool = False) -> float:
    """The estimated width of ``text`` set at ``size`` points, in points."""
    return sum(char_width(c) for c in text) * size * (1.12 if bold else 1.0)


def wrap(text: str, width_pt: float, size: float, bold: bool = False) -> list[str]:
    """``text`` broken into lines no wider than ``width_pt`` (greedy, on spaces; a word too
    long for a line is broken inside). Hard line breaks are kept."""
    lines: list[str] = []
    for part in re.split(r"[\n\v]", text):
        line = ""
        for word in part.split(" "):
            candidate = f"{line} {word}" if line else word
            if text_width(candidate, size, bold) <= width_pt:
                line = candidate
                continue
            if line:
                lines.append(line)
            line = word
            while text_width(line, size, bold) > width_pt and len(line) > 1:
                cut = len(line)
                while cut > 1 and text_width(line[:cut], size, bold) > width_pt:
                    cut -= 1
                lines.append(line[:cut])
                line = line[cut:]
        lines.append(line)
    return lines


def lines_height(lines: int, size: float) -> float:
    """The height of ``lines`` lines at ``size`` points, in points."""
    return lines * size * LINE_SPACING


@dataclass(frozen=True)
class Para:
    """One paragraph of a text box: its text, size, weight, colour role and space before."""

    text: str
    size: float = BODY_PT
    bold: bool = False
    italic: bool = False
    color: str | None = None  # "primary", "accent", "muted" or None (ink)
    space: float = 0.0  # points before the paragraph
    keep: bool = False  # kept with the paragraph after it (a heading)


def para_height(para: Para, width: int) -> float:
    """The estimated height of one paragraph in a box ``width`` EMU wide, in points."""
    inner = (width - 2 * INSET_X) / EMU_PER_PT
    return para.space + lines_height(len(wrap(para.text, inner, para.size, para.bold)),
                                     para.size)


def paras_height(paras: Sequence[Para], width: int) -> int:
    """The height a text box ``width`` EMU wide needs for ``paras``, in EMU."""
    points = sum(para_height(p, width) for p in paras)
    return int(points * EMU_PER_PT) + 2 * INSET_Y + 1


def clean(value: Any, limit: int = MAX_TEXT) -> str:
    """Untrusted text made safe to store (no characters XML forbids), on one line per
    paragraph, cut to ``limit`` characters with an ellipsis."""
    text = safe_text("" if value is None else value).replace("\t", " ")
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _chart_text(value: Any) -> str:
    """A chart category or series name: clean, never read as a formula by the embedded
    workbook (XlsxWriter writes a string starting with ``=`` or ``{`` as a formula)."""
    text = clean(value, 120).replace("\n", " ")
    return f" {text}" if text[:1] in ("=", "{") else text


def _fit_to(text: str, width: int, height: int, size: float, bold: bool) -> str:
    """``text`` cut (with an ellipsis) to as many words as fit ``width`` x ``height`` EMU."""
    para = Para(text, size, bold)
    if paras_height([para], width) <= height:
        return text
    words = text.split(" ")
    lo, hi = 0, len(words)
    while lo < hi:  # the most words that fit with an ellipsis
        mid = (lo + hi + 1) // 2
        if paras_height([replace(para, text=" ".join(words[:mid]) + "…")], width) <= height:
            lo = mid
        else:
            hi = mid - 1
    return " ".join(words[:lo]) + "…" if lo else "…"


# --------------------------------------------------------------------------- blocks and flow


@dataclass(frozen=True)
class Col:
    """A table column: header, share of the table's width, right-aligned numbers."""

    header: str
    share: float
    numeric: bool = False


@dataclass
class TextBlock:
    """Paragraphs in one text box; split between paragraphs onto a continuation slide."""

    paras: list[Para]


@dataclass
class TableBlock:
    """A table with its header repeated on every slide it spans; split between rows.
    ``bold`` holds the indexes of rows set in bold (a total)."""

    cols: list[Col]
    rows: list[list[str]]
    size: float = TABLE_PT
    bold: set[int] = field(default_factory=set)
    heading: Para | None = None


@dataclass
class ChartBlock:
    """A native chart, ``height`` EMU tall at most, never split: where it does not fit it
    shrinks to the room left if that is ``least`` or more (or the column is empty), else it
    moves to the next slide."""

    height: int
    draw: Callable[[Slide, int, int, int, int], None]
    least: int = int(2.0 * EMU_PER_INCH)


Block = TextBlock | TableBlock | ChartBlock


def _cell_lines(text: str, width: int, size: float, bold: bool) -> int:
    inner = (width - 2 * INSET_X) / EMU_PER_PT
    return len(wrap(text, inner, size, bold))


def row_height(cells: Sequence[str], widths: Sequence[int], size: float,
               bold: bool = False) -> int:
    """The estimated height of one table row, in EMU."""
    lines = max((_cell_lines(t, w, size, bold) for t, w in zip(cells, widths, strict=True)),
                default=1)
    return int(lines_height(lines, size) * EMU_PER_PT) + 2 * INSET_Y + 1


def _widths(cols: Sequence[Col], width: int) -> list[int]:
    total = sum(c.share for c in cols)
    widths = [int(width * c.share / total) for c in cols]
    widths[-1] = width - sum(widths[:-1])
    return widths


def _table_heights(block: TableBlock, width: int) -> tuple[int, list[int], int]:
    """Heights of the table's heading (0 when none), its rows and its header row."""
    widths = _widths(block.cols, width)
    heading = paras_height([block.heading], width) if block.heading else 0
    header = row_height([c.header for c in block.cols], widths, block.size, True)
    rows = [row_height(r, widths, block.size, n in block.bold)
            for n, r in enumerate(block.rows)]
    return heading, rows, header


def _take(block: Block, width: int, room: int, empty: bool
          ) -> tuple[Block | None, int, Block | None]:
    """What of ``block`` fits in ``room`` EMU: (the part placed or None, its height, the
    rest or None). On an ``empty`` column something is always placed."""
    if isinstance(block, ChartBlock):
        if block.height <= room:
            return block, block.height, None
        if empty or room >= block.least:
            return replace(block, height=room), room, None
        return None, 0, block
    if isinstance(block, TextBlock):
        used, n = 2 * INSET_Y + 1, 0
        for para in block.paras:
            step = int(para_height(para, width) * EMU_PER_PT)
            if used + step > room:
                break
            used += step
            n += 1
        while 0 < n < len(block.paras) and block.paras[n - 1].keep:
            n -= 1  # a heading goes with what follows it
        if n == 0:
            if not empty:
                return None, 0, block
            first = block.paras[0]
            text = _fit_to(first.text, width, room - int(first.space * EMU_PER_PT),
                           first.size, first.bold)
            placed = TextBlock([replace(first, text=text)])
            rest = TextBlock(block.paras[1:]) if len(block.paras) > 1 else None
            return placed, paras_height(placed.paras, width), rest
        placed = TextBlock(block.paras[:n])
        rest = TextBlock(block.paras[n:]) if n < len(block.paras) else None
        return placed, paras_height(placed.paras, width), rest
    heading, rows, header = _table_heights(block, width)
    used, n = heading + header, 0
    for h in rows:
        if used + h > room:
            break
        used += h
        n += 1
    if n == 0 and rows:
        if not empty:
            return None, 0, block
        n, used = 1, used + rows[0]  # a row taller than a slide: cut by MAX_CELL already
    placed = replace(block, rows=block.rows[:n])
    rest = None
    if n < len(block.rows):
        rest = replace(block, rows=block.rows[n:], bold={i - n for i in block.bold if i >= n},
                       heading=(replace(block.heading, text=block.heading.text + CONTINUED)
                                if block.heading else None))
    return placed, used, rest


# --------------------------------------------------------------------------- the deck


@dataclass
class Deck:
    """One presentation being built: the view, the brand, the layouts and the geometry."""

    prs: PresentationType
    view: ResultsView
    brand: Brand
    themed: bool  # a template and no colours of the brand's own: the template's theme
    custom: bool  # a template was given
    title_layout: SlideLayout
    content_layout: SlideLayout
    logo: bytes | None
    count: int = 0

    # ----------------------------------------------------------------- colours

    def rgb(self, role: str | None) -> RGBColor:
        if role == "primary":
            return RGBColor.from_string(self.brand.rgb("primary"))
        if role == "accent":
            return RGBColor.from_string(self.brand.rgb("accent"))
        if role == "muted":
            return RGBColor.from_string(MUTED)
        if role == "white":
            return RGBColor.from_string(WHITE)
        return RGBColor.from_string(INK)

    def paint(self, color: Any, role: str | None, text: bool = True) -> None:
        """Set a colour format to a role: the brand's colours, or when themed the template's
        own (its dark text colour 2 for text, accents 1 and 2 for fills and lines)."""
        if self.themed and role in ("primary", "accent"):
            color.theme_color = (MSO_THEME_COLOR.TEXT_2 if text else
                                 MSO_THEME_COLOR.ACCENT_1 if role == "primary"
                                 else MSO_THEME_COLOR.ACCENT_2)
        else:
            color.rgb = self.rgb(role)

    def fill(self, fill: Any, role: str | None, hex_color: str | None = None) -> None:
        fill.solid()
        if hex_color:
            fill.fore_color.rgb = RGBColor.from_string(hex_color)
        else:
            self.paint(fill.fore_color, role, text=False)

    # ----------------------------------------------------------------- geometry

    @property
    def width(self) -> int:
        return int(self.prs.slide_width)

    @property
    def height(self) -> int:
        return int(self.prs.slide_height)

    @property
    def footer_top(self) -> int:
        return self.height - FOOTER_HEIGHT - FOOTER_GAP

    def content_box(self) -> tuple[int, int, int, int]:
        """Left, top, width and height of the room under the title and above the footer."""
        left, width = MARGIN, self.width - 2 * MARGIN
        top = int(1.3 * EMU_PER_INCH)
        title = next((p for p in self.content_layout.placeholders
                      if p.placeholder_format.type == PP_PLACEHOLDER.TITLE), None)
        if self.custom and title is not None:
            below = int(title.top or 0) + int(title.height or 0) + BLOCK_GAP
            if below < 0.4 * self.height:
                top = below
            if title.left is not None and 0 < int(title.left) < self.width / 4:
                left = int(title.left)
                width = self.width - 2 * left
        return left, top, width, self.footer_top - BLOCK_GAP - top

    # ----------------------------------------------------------------- slides

    def slide(self, title: str, layout: SlideLayout | None = None) -> Slide:
        """A new slide with its title, footer and (small) logo."""
        slide = self.prs.slides.add_slide(layout or self.content_layout)
        self.count += 1
        _remove_empty_placeholders(slide, keep=(PP_PLACEHOLDER.TITLE,
                                                PP_PLACEHOLDER.CENTER_TITLE,
                                                PP_PLACEHOLDER.SUBTITLE))
        if layout is None:
            self.set_title(slide, title)
        self.footer(slide)
        return slide

    def set_title(self, slide: Slide, text: str) -> None:
        shape = slide.shapes.title
        if shape is None:  # a layout without a title placeholder: a text box in its place
            shape = slide.shapes.add_textbox(MARGIN, int(0.3 * EMU_PER_INCH),
                                             self.width - 2 * MARGIN,
                                             int(0.9 * EMU_PER_INCH))
        elif not self.custom:
            shape.left, shape.top = MARGIN, int(0.3 * EMU_PER_INCH)
            shape.width, shape.height = self.width - 2 * MARGIN, int(0.9 * EMU_PER_INCH)
        width, height = int(shape.width), int(shape.height)
        size = TITLE_PT
        while size > MIN_TITLE_PT and paras_height([Para(text, size, True)], width) > height:
            size -= 2
        text = _fit_to(text, width, height, size, True)
        frame = shape.text_frame
        frame.word_wrap = True
        _insets(frame)
        frame.text = ""
        if not self.custom:  # the default master centres titles; a content slide reads left
            frame.paragraphs[0].alignment = PP_ALIGN.LEFT
        run = frame.paragraphs[0].add_run()
        run.text = text
        run.font.size = Pt(size)
        run.font.bold = True
        if not self.themed:
            self.paint(run.font.color, "primary")

    def footer(self, slide: Slide) -> None:
        """Firm and confidentiality line (left), the small logo and the slide number."""
        top = self.footer_top
        number_w = int(0.6 * EMU_PER_INCH)
        logo_w = int(1.2 * EMU_PER_INCH) if self.logo else 0
        left_w = self.width - 2 * MARGIN - number_w - logo_w
        words = clean(self.brand.firm, 200)
        if self.brand.confidentiality:
            words += f" · {clean(self.brand.confidentiality, 400)}"
        words = _fit_to(words.replace("\n", " "), left_w, FOOTER_HEIGHT, FOOTER_PT, False)
        _text(self, slide, MARGIN, top, left_w, FOOTER_HEIGHT,
              [Para(words, FOOTER_PT, color="muted")], anchor=MSO_ANCHOR.MIDDLE)
        _text(self, slide, self.width - MARGIN - number_w, top, number_w, FOOTER_HEIGHT,
              [Para(str(self.count), FOOTER_PT, color="muted")], anchor=MSO_ANCHOR.MIDDLE,
              align=PP_ALIGN.RIGHT)
        if self.logo:
            _picture(slide, self.logo, self.width - MARGIN - number_w - logo_w, top,
                     logo_w - int(0.1 * EMU_PER_INCH), FOOTER_HEIGHT, align_right=True)

    def flow(self, title: str, columns: Sequence[tuple[float, Sequence[Block]]]) -> None:
        """Slides titled ``title`` (then ``title (continued)``) holding ``columns`` of
        blocks side by side (each ``(share of the width, blocks)``), until every block is
        placed."""
        queues = [list(blocks) for _, blocks in columns]
        shares = [share for share, _ in columns]
        first = True
        while first or any(queues):
            slide = self.slide(title if first else title + CONTINUED)
            left, top, width, height = self.content_box()
            widths = _widths([Col("", s) for s in shares], width - GUTTER * (len(shares) - 1))
            x = left
            for queue, col_w in zip(queues, widths, strict=True):
                y, empty = top, True
                while queue:
                    placed, used, rest = _take(queue[0], col_w, top + height - y, empty)
                    if placed is None:
                        break
                    _draw(self, slide, placed, x, y, col_w, used)
                    y += used + BLOCK_GAP
                    empty = False
                    if rest is None:
                        queue.pop(0)
                    else:
                        queue[0] = rest
                        break
                x += col_w + GUTTER
            first = False


def _insets(frame: Any) -> None:
    frame.margin_left = frame.margin_right = Emu(INSET_X)
    frame.margin_top = frame.margin_bottom = Emu(INSET_Y)


def _write(deck: Deck, frame: Any, paras: Sequence[Para], align: Any = None) -> None:
    """Write ``paras`` into a text frame, every size set, wrapping on, no autofit."""
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    _insets(frame)
    for i, p in enumerate(paras):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        if p.space:
            paragraph.space_before = Pt(p.space)
        if align is not None:
            paragraph.alignment = align
        run = paragraph.add_run()
        run.text = p.text
        font = run.font
        font.size = Pt(p.size)
        font.bold = p.bold
        font.italic = p.italic or None
        deck.paint(font.color, p.color)


def _text(deck: Deck, slide: Slide, x: int, y: int, w: int, h: int, paras: Sequence[Para],
          anchor: Any = MSO_ANCHOR.TOP, align: Any = None) -> Any:
    box = slide.shapes.add_textbox(Emu(x), Emu(y), Emu(w), Emu(h))
    box.text_frame.vertical_anchor = anchor
    _write(deck, box.text_frame, paras, align)
    return box


def _picture(slide: Slide, data: bytes, x: int, y: int, w: int, h: int,
             align_right: bool = False) -> None:
    """A picture inside the box ``w`` x ``h``, aspect kept, centred vertically."""
    pic = slide.shapes.add_picture(io.BytesIO(data), Emu(x), Emu(y))
    scale = min(w / pic.width, h / pic.height)
    pic.width, pic.height = int(pic.width * scale), int(pic.height * scale)
    pic.top = Emu(y + (h - int(pic.height)) // 2)
    if align_right:
        pic.left = Emu(x + w - int(pic.width))


def _remove_empty_placeholders(slide: Slide, keep: Iterable[Any]) -> None:
    """Drop placeholders a layout gave the slide that the deck does not fill, so that no
    "Click to add text" box is left behind."""
    kept = set(keep)
    for shape in list(slide.placeholders):
        if shape.placeholder_format.type not in kept:
            shape._element.getparent().remove(shape._element)


def _draw(deck: Deck, slide: Slide, block: Block, x: int, y: int, w: int, h: int) -> None:
    if isinstance(block, ChartBlock):
        block.draw(slide, x, y, w, h)
    elif isinstance(block, TextBlock):
        _text(deck, slide, x, y, w, h, block.paras)
    else:
        _table(deck, slide, block, x, y, w)


def _table(deck: Deck, slide: Slide, block: TableBlock, x: int, y: int, w: int) -> None:
    heading, rows, header = _table_heights(block, w)
    if block.heading is not None:
        _text(deck, slide, x, y, w, heading, [block.heading])
        y += heading
    widths = _widths(block.cols, w)
    shape = slide.shapes.add_table(len(block.rows) + 1, len(block.cols), Emu(x), Emu(y),
                                   Emu(w), Emu(header + sum(rows)))
    table = shape.table
    table.first_row = True
    table.horz_banding = False
    for col, width in zip(table.columns, widths, strict=True):
        col.width = Emu(width)
    for r, height in enumerate([header, *rows]):
        table.rows[r].height = Emu(height)
    for c, col in enumerate(block.cols):
        cell = table.cell(0, c)
        _cell(deck, cell, col.header, block.size, True, "white", col.numeric)
        if not deck.themed:
            deck.fill(cell.fill, "primary")
    for r, values in enumerate(block.rows, start=1):
        for c, col in enumerate(block.cols):
            cell = table.cell(r, c)
            _cell(deck, cell, values[c], block.size, r - 1 in block.bold, None, col.numeric)
            if not deck.themed:
                deck.fill(cell.fill, None, BAND_FILL if r % 2 == 0 else WHITE)


def _cell(deck: Deck, cell: Any, text: str, size: float, bold: bool, color: str | None,
          numeric: bool) -> None:
    cell.margin_left = cell.margin_right = Emu(INSET_X)
    cell.margin_top = cell.margin_bottom = Emu(INSET_Y)
    cell.vertical_anchor = MSO_ANCHOR.TOP
    frame = cell.text_frame
    frame.word_wrap = True
    paragraph = frame.paragraphs[0]
    if numeric:
        paragraph.alignment = PP_ALIGN.RIGHT
    run = paragraph.add_run()
    run.text = text
    run.font.size = Pt(size)
    run.font.bold = bold
    if color == "white":
        if deck.themed:
            run.font.color.theme_color = MSO_THEME_COLOR.BACKGROUND_1
        else:
            run.font.color.rgb = deck.rgb("white")
    else:
        deck.paint(run.font.color, color)


# --------------------------------------------------------------------------- native charts


def _style_chart(deck: Deck, chart: Any, title: str | None, legend: bool) -> None:
    chart.font.size = Pt(CHART_PT)
    chart.has_title = bool(title)
    if title:
        chart.chart_title.text_frame.text = _chart_text(title)
        font = chart.chart_title.text_frame.paragraphs[0].runs[0].font
        font.size = Pt(BODY_PT)
        font.bold = True
    chart.has_legend = legend
    if legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
        chart.legend.font.size = Pt(CHART_PT)


def _axis_title(axis: Any, text: str) -> None:
    axis.has_title = True
    axis.axis_title.text_frame.text = _chart_text(text)
    axis.axis_title.text_frame.paragraphs[0].runs[0].font.size = Pt(CHART_PT)
    axis.axis_title.text_frame.paragraphs[0].runs[0].font.bold = False


def _kpi_chart(deck: Deck, data: charts.Bars) -> Callable[..., None]:
    """A horizontal bar chart of KPI scores 0-100: a grey bar to the target (it scores 100)
    behind each KPI's score in the brand colour."""
    def draw(slide: Slide, x: int, y: int, w: int, h: int) -> None:
        chart_data = CategoryChartData(number_format="0.0")
        chart_data.categories = [_chart_text(r.name) for r in data.rows]
        chart_data.add_series("Target (scores 100)",
                              [data.target if r.value is not None else None
                               for r in data.rows])
        chart_data.add_series("Score (0–100)", [r.value for r in data.rows])
        chart = slide.shapes.add_chart(XL_CHART_TYPE.BAR_CLUSTERED, Emu(x), Emu(y), Emu(w),
                                       Emu(h), chart_data).chart
        _style_chart(deck, chart, None, True)  # the legend says what the bars are
        plot = chart.plots[0]
        plot.overlap = 100
        plot.gap_width = 60
        target, scored = chart.series
        deck.fill(target.format.fill, None, TRACK)
        deck.fill(scored.format.fill, "primary")
        labels = scored.data_labels
        labels.show_value = True
        labels.number_format = "0.0"
        labels.number_format_is_linked = False
        labels.position = XL_LABEL_POSITION.INSIDE_BASE
        labels.font.size = Pt(CHART_PT)
        labels.font.color.rgb = deck.rgb("white")
        labels.font.bold = True
        _score_axis(chart, data.axis.hi)
    return draw


def _score_axis(chart: Any, top: float, unit: float = 20) -> None:
    axis = chart.value_axis
    axis.minimum_scale, axis.maximum_scale, axis.major_unit = 0, top, unit
    axis.has_major_gridlines = True
    axis.major_gridlines.format.line.color.rgb = RGBColor.from_string(TRACK)
    axis.tick_labels.font.size = Pt(CHART_PT)
    _rows_down(chart)


def _rows_down(chart: Any) -> None:
    """The first category on top of a horizontal bar chart, the value axis still below the
    bars (it crosses the reversed category axis at its maximum)."""
    cats = chart.category_axis
    cats.reverse_order = True
    cats.tick_labels.font.size = Pt(CHART_PT)
    value_axis = chart.value_axis._element
    value_axis._remove_crosses()
    value_axis._remove_crossesAt()
    value_axis._add_crosses(val=XL_AXIS_CROSSES.MAXIMUM)


def _projection_chart(deck: Deck, data: charts.Lines) -> Callable[..., None]:
    """Share of the starting cohort still under contract, years 1-5: client (brand colour),
    target (accent) and industry (grey, dashed)."""
    def draw(slide: Slide, x: int, y: int, w: int, h: int) -> None:
        years = sorted({p.year for s in data.series for p in s.points})
        chart_data = CategoryChartData(number_format="0.0%")
        chart_data.categories = [f"Year {year}" for year in years]
        kept = [s for s in data.series if not s.name.startswith("Client value")
                and not s.name.startswith("Client, value")]
        for series in kept:
            by_year = {p.year: p.share for p in series.points}
            chart_data.add_series(_chart_text(series.name), [by_year.get(y) for y in years])
        chart = slide.shapes.add_chart(XL_CHART_TYPE.LINE_MARKERS, Emu(x), Emu(y), Emu(w),
                                       Emu(h), chart_data).chart
        _style_chart(deck, chart, "Customers still under contract, by contract year", True)
        for series, source in zip(chart.series, kept, strict=True):
            role = ("primary" if source.name.startswith("Client") else
                    "accent" if source.name.startswith("Target") else "muted")
            line = series.format.line
            line.width = Pt(2.25)
            deck.paint(line.color, role, text=False)
            if role == "muted":
                line.dash_style = MSO_LINE_DASH_STYLE.DASH
            series.smooth = False
            series.marker.style = XL_MARKER_STYLE.CIRCLE
            series.marker.size = 6
            deck.fill(series.marker.format.fill, role)
            deck.paint(series.marker.format.line.color, role, text=False)
        axis = chart.value_axis
        axis.minimum_scale, axis.maximum_scale, axis.major_unit = 0, 1, 0.2
        axis.tick_labels.number_format = "0%"
        axis.tick_labels.number_format_is_linked = False
        axis.tick_labels.font.size = Pt(CHART_PT)
        axis.major_gridlines.format.line.color.rgb = RGBColor.from_string(TRACK)
        chart.category_axis.tick_labels.font.size = Pt(CHART_PT)
    return draw


def _money_format(currency: str | None) -> str:
    return f'"{currency} "#,##0' if currency else "#,##0"


def _driver_chart(deck: Deck, drivers: Sequence[DriverResult],
                  currency: str | None) -> Callable[..., None]:
    """The base case a year of each valued driver as horizontal bars: counted ones in the
    brand colour, ones the total leaves out (overlap) in grey."""
    def draw(slide: Slide, x: int, y: int, w: int, h: int) -> None:
        chart_data = CategoryChartData(number_format=_money_format(currency))
        chart_data.categories = [_chart_text(d.name) for d in drivers]
        chart_data.add_series("Base case, a year", [d.base for d in drivers])
        chart = slide.shapes.add_chart(XL_CHART_TYPE.BAR_CLUSTERED, Emu(x), Emu(y), Emu(w),
                                       Emu(h), chart_data).chart
        _style_chart(deck, chart, f"Value a year, base case ({currency or 'money'})", False)
        chart.plots[0].gap_width = 60
        series = chart.series[0]
        deck.fill(series.format.fill, "primary")
        for n, d in enumerate(drivers):
            if not d.counted:
                deck.fill(series.points[n].format.fill, None, "A6A6A6")
        labels = series.data_labels
        labels.show_value = True
        labels.number_format = _money_format(currency)
        labels.number_format_is_linked = False
        labels.position = XL_LABEL_POSITION.OUTSIDE_END
        labels.font.size = Pt(CHART_PT)
        axis = chart.value_axis  # the labels give the figures: no axis, room for the labels
        axis.minimum_scale = 0
        axis.maximum_scale = max(max(d.base or 0.0 for d in drivers), 1.0) * 1.6
        axis.has_major_gridlines = False
        axis.visible = False
        _rows_down(chart)
    return draw


def _timeline_chart(deck: Deck, data: charts.Timeline) -> Callable[..., None]:
    """The roadmap timeline: a stacked bar per initiative, its first series (the start
    month) invisible, the second (the duration) in the brand colour."""
    def draw(slide: Slide, x: int, y: int, w: int, h: int) -> None:
        chart_data = CategoryChartData(number_format="0")
        chart_data.categories = [_chart_text(r.name) for r in data.rows]
        chart_data.add_series("Starts (month)", [r.start for r in data.rows])
        chart_data.add_series("Duration (months)", [r.end - r.start for r in data.rows])
        chart = slide.shapes.add_chart(XL_CHART_TYPE.BAR_STACKED, Emu(x), Emu(y), Emu(w),
                                       Emu(h), chart_data).chart
        _style_chart(deck, chart, "Months from the start of the plan", False)
        plot = chart.plots[0]
        plot.overlap = 100
        plot.gap_width = 50
        start, duration = chart.series
        start.format.fill.background()
        start.format.line.fill.background()
        deck.fill(duration.format.fill, "primary")
        _score_axis(chart, data.axis.hi, 3)
    return draw


# --------------------------------------------------------------------------- slide contents


def _date_text(view: ResultsView) -> str | None:
    when = view.organization.date
    if when is None:
        return clean(view.organization.date_text, 40) or None
    return f"{when.day} {MONTHS[when.month - 1]} {when.year}"


def _prepared_by(brand: Brand) -> str:
    """``Jane Doe, Example Advisory``: who prepared the deck, then the firm unless that
    already names it."""
    person, firm = clean(brand.prepared_by or "", 200), clean(brand.firm or "", 200)
    if person and firm and firm.casefold() not in person.casefold():
        return f"{person}, {firm}"
    return person or firm


def _title_slide(deck: Deck) -> None:
    view, brand = deck.view, deck.brand
    slide = deck.slide(TITLE_SLIDE, deck.title_layout)
    title = next((p for p in slide.placeholders if p.placeholder_format.type in (
        PP_PLACEHOLDER.CENTER_TITLE, PP_PLACEHOLDER.TITLE)), None)
    subtitle = next((p for p in slide.placeholders
                     if p.placeholder_format.type == PP_PLACEHOLDER.SUBTITLE), None)
    width = deck.width
    box = (int(0.8 * EMU_PER_INCH), int(2.2 * EMU_PER_INCH), width - int(1.6 * EMU_PER_INCH),
           int(1.5 * EMU_PER_INCH))
    if title is None:
        title = slide.shapes.add_textbox(*map(Emu, box))
    elif not deck.custom:
        title.left, title.top, title.width, title.height = map(Emu, box)
    name = clean(view.organization.name, 300).replace("\n", " ")
    size = 40
    t_w, t_h = int(title.width), int(title.height)
    while size > 20 and paras_height([Para(name, size, True)], t_w) > t_h:
        size -= 4
    frame = title.text_frame
    frame.text = ""
    _write(deck, frame, [Para(_fit_to(name, t_w, t_h, size, True), size, True,
                              color=None if deck.themed else "primary")])
    lines = [Para(DECK_TITLE, 20, color=None if deck.themed else "accent")]
    date = _date_text(view)
    if date:
        lines.append(Para(f"Assessed {date}", 16, space=6))
    who = _prepared_by(brand)
    if who:
        lines.append(Para(f"Prepared by {who}", 16, space=6))
    if brand.confidentiality:
        lines.append(Para(clean(brand.confidentiality, 400), NOTE_PT + 2, italic=True,
                          color="muted", space=12))
    sub_box = (box[0], box[1] + box[3] + int(0.2 * EMU_PER_INCH), box[2],
               deck.footer_top - (box[1] + box[3] + int(0.3 * EMU_PER_INCH)))
    if subtitle is None:
        subtitle = slide.shapes.add_textbox(*map(Emu, sub_box))
    elif not deck.custom:
        subtitle.left, subtitle.top, subtitle.width, subtitle.height = map(Emu, sub_box)
    s_w, s_h = int(subtitle.width), int(subtitle.height)
    while paras_height(lines, s_w) > s_h and len(lines) > 1:
        lines.pop()  # a template's small subtitle box: the firm's line is in the footer too
    lines[0] = replace(lines[0], text=_fit_to(lines[0].text, s_w, s_h, lines[0].size, False))
    frame = subtitle.text_frame
    frame.text = ""
    _write(deck, frame, lines)
    if deck.logo:
        _picture(slide, deck.logo, width - MARGIN - int(2.4 * EMU_PER_INCH),
                 int(0.5 * EMU_PER_INCH), int(2.4 * EMU_PER_INCH), int(1.2 * EMU_PER_INCH),
                 align_right=True)


def _heading(text: str) -> Para:
    return Para(text, HEADING_PT, True, color="primary", space=6, keep=True)


def _bullets(items: Iterable[str], size: float = BODY_PT, numbered: bool = False) -> list[Para]:
    return [Para(f"{n}. {clean(t)}" if numbered else f"• {clean(t)}", size, space=3)
            for n, t in enumerate(items, start=1)]


def _index_paras(view: ResultsView) -> list[Para]:
    index = view.index
    band = band_text(view)
    head = (f"{format_score(index.score)} · {rag_label(index.rag)}" if index.score is not None
            else "Not scored")
    paras = [_heading("Support Excellence Index"),
             Para(head + (f" · {band}" if band else ""), 22, True, space=2),
             Para(f"Both readings of missing data: {readings_of(view, 'index')}", BODY_PT,
                  space=4)]
    renewal = view.renewal
    if not renewal.applicable:
        health = not_applicable_text(view)
    elif renewal.health is None:
        health = "not scored"
    else:
        health = f"{format_score(renewal.health)} ({rag_label(renewal.rag)})"
    paras.append(Para(f"Renewal health: {health}", BODY_PT, space=4))
    scores = " · ".join(
        f"{clean(e.name, 80)} {format_score(e.score) if e.applicable else 'n/a'}"
        for e in view.elements)
    if scores:
        paras.append(Para(f"Elements: {scores}", BODY_PT, space=4))
    return paras


def _executive(deck: Deck) -> None:
    view = deck.view
    summary = view.executive_summary
    left: list[Block] = [TextBlock(_index_paras(view))]
    if summary is None:
        deck.flow(EXECUTIVE, [(0.55, left), (0.45, [TextBlock([Para(NO_PLAN, BODY_PT)])])])
        return
    findings = ([_heading("Key findings"), *_bullets((f.text for f in summary.findings),
                                                      numbered=True)]
                if summary.findings else
                [_heading("Key findings"), Para("No finding rule matched.", BODY_PT)])
    left.append(TextBlock(findings))
    currency = summary.currency or view.currency
    right: list[Block] = []
    if summary.initiatives:
        right.append(TableBlock(
            [Col("Initiative", 3.0), Col("Horizon", 1.3), Col("Value a year (base)", 1.7, True)],
            [[clean(i.name, MAX_CELL), HORIZON_LABELS.get(i.horizon, clean(i.horizon, 40)),
              format_money(i.money_base, currency)] for i in summary.initiatives],
            heading=_heading("Top initiatives")))
        if any(i.money_base is not None for i in summary.initiatives):
            right.append(TextBlock([Para(
                "An initiative's value counts its own drivers, overlaps included, so the "
                "values do not add up to the total.", NOTE_PT, italic=True, color="muted")]))
    else:
        right.append(TextBlock([_heading("Top initiatives"),
                                Para("No initiative applies to this organization.")]))
    total = summary.total
    if total:
        money = [Para(f"{format_money(total.get('base'), currency)} a year (base case)",
                      16, True, space=2),
                 Para(f"{total_spread(total, currency).capitalize()}; each overlap counted "
                      "once.", BODY_PT)]
    else:
        money = [Para("Not valued: no driver has a value yet.", BODY_PT)]
    right.append(TextBlock([_heading("Business case"), *money]))
    caveats = (_bullets(summary.caveats, NOTE_PT + 1) if summary.caveats else
               [Para("None: the data raise no caveat that changes the picture.", BODY_PT)])
    right.append(TextBlock([_heading("Caveats"), *caveats]))
    deck.flow(EXECUTIVE, [(0.55, left), (0.45, right)])


def _target_text(view: ResultsView, k: KpiRow) -> str:
    currency = k.currency or view.currency
    if k.direction == "band" and k.band:
        return f"band {value_range(*k.band[:2], k.unit, currency)}"
    return value_text(k.target, k.unit, currency)


def _kpi_rows(view: ResultsView, key: str) -> list[list[str]]:
    rows = []
    for k in view.kpis_of(key):
        currency = k.currency or view.currency
        status = STATUS_LABELS["not_applicable"] if not k.applicable else \
            STATUS_LABELS.get(k.status, clean(k.status, 40))
        rows.append([clean(k.name, MAX_CELL), value_text(k.current, k.unit, currency, k.derived),
                     _target_text(view, k), format_score(k.score), status])
    return rows


KPI_COLS = [Col("KPI", 3.0), Col("Current", 1.4, True), Col("Target", 1.6, True),
            Col("Score", 0.9, True), Col("Status", 1.6)]


def _element(deck: Deck, key: str) -> None:
    view = deck.view
    element = view.element(key)
    assert element is not None
    name = clean(element.name, 120)
    left: list[Block] = []
    if not element.applicable:
        left.append(TextBlock([Para(not_applicable_text(view), 16, True),
                               Para(f"No {name} KPI applies, so the element is left out of "
                                    "the index.", BODY_PT, space=4)]))
    else:
        head = (f"{format_score(element.score)} · {rag_label(element.rag)}"
                if element.score is not None else "Not scored")
        left.append(TextBlock([
            _heading("Score"), Para(head, 24, True),
            Para(f"Both readings of missing data: {readings_of(view, key)}", BODY_PT, space=4),
            Para(f"Coverage: {format_coverage(element.coverage)} of its KPI weight is "
                 "measured.", BODY_PT, space=4)]))
        gaps = [g for g in view.gaps if g.area == key][:3]
        items = [f"{clean(g.name, 200)}: {format_points(g.points_at_stake)} index points at "
                 f"stake" + (" (measure it first)" if g.kind == "measure" else "")
                 for g in gaps]
        left.append(TextBlock([_heading("Largest gaps"),
                               *(_bullets(items) if items else
                                 [Para("No gap: every KPI of it meets its target.")])]))
    right: list[Block] = []
    chart = charts.kpi_chart(view, key)
    rows = _kpi_rows(view, key)
    table = TableBlock(KPI_COLS, rows, TABLE_PT if len(rows) <= 8 else MIN_TABLE_PT)
    shares = (0.38, 0.62)
    if isinstance(chart.data, charts.Bars):
        # as tall as its rows need, but leaving the table room under it where it can; an
        # element with more KPIs than one chart can label is charted in parts
        _, _, width, height = deck.content_box()
        col_w = _widths([Col("", s) for s in shares], width - GUTTER)[1]
        _, row_heights, header = _table_heights(table, col_w)
        room = height - header - sum(row_heights) - BLOCK_GAP
        per_chart = max(1, int((height / EMU_PER_INCH - 0.7) / 0.34))
        bars = chart.data.rows
        for start in range(0, len(bars), per_chart):
            part = replace(chart.data, rows=bars[start:start + per_chart])
            n = len(part.rows)
            want = int((0.8 + 0.42 * n) * EMU_PER_INCH)
            least = min(int((0.7 + 0.34 * n) * EMU_PER_INCH), height)  # every label shown
            right.append(ChartBlock(max(least, min(want, int(3.4 * EMU_PER_INCH), room)),
                                    _kpi_chart(deck, part), least))
    elif chart.note:
        right.append(TextBlock([Para(clean(chart.note), BODY_PT, italic=True,
                                     color="muted")]))
    if rows:
        right.append(table)
    deck.flow(name, [(shares[0], left), (shares[1], right)])


def _renewal(deck: Deck) -> None:
    view = deck.view
    renewal = view.renewal
    if not renewal.applicable:
        deck.flow(RENEWAL, [(1.0, [TextBlock([
            Para(not_applicable_text(view), 20, True),
            Para("Contract renewal KPIs and renewal practices are left out of every score, "
                 "and there is no renewal projection or renewal revenue at stake.", BODY_PT,
                 space=6)])])])
        return
    health = (f"{format_score(renewal.health)} · {rag_label(renewal.rag)}"
              if renewal.health is not None else "Not scored")
    paras = [_heading("Renewal health"), Para(health, 22, True),
             Para(f"Renewal KPIs, both readings of missing data: {readings_of(view, 'renewal')}",
                  BODY_PT, space=4)]
    if renewal.practices_score is not None:
        paras.append(Para(f"Renewal practices: {format_score(renewal.practices_score)}",
                          BODY_PT, space=4))
    paras.append(Para(f"Contract renewal rate {format_percent(renewal.contract_renewal_rate)}"
                      f" against the industry's {format_percent(renewal.industry_rate)}.",
                      BODY_PT, space=4))
    left: list[Block] = [TextBlock(paras)]
    money = renewal.money
    if money is not None:
        cur = money.currency or view.currency
        rows = [[str(y.year), format_money(y.client, cur), format_money(y.target, cur),
                 format_money(y.industry, cur), format_money(y.target - y.client, cur)]
                for y in money.years]
        rows.append(["Total", "", "", "", format_money(money.at_stake, cur)])
        left.append(TableBlock(
            [Col("Year", 0.7), Col("Client", 1.5, True), Col("Target", 1.5, True),
             Col("Industry", 1.5, True), Col("At stake", 1.5, True)], rows, TABLE_PT,
            bold={len(rows) - 1},
            heading=_heading("Contract revenue kept from the starting cohort")))
        left.append(TextBlock([Para(
            f"The contract revenue base, {format_money(money.base, cur)} a year, followed "
            "along the renewal curves; at stake is the target minus the client, summed over "
            "the years.", NOTE_PT, italic=True, color="muted")]))
    else:
        driver = next((d for d in view.business_case.drivers
                       if d.formula == "renewal_at_stake"), None)
        why = (f"needs data: {', '.join(driver.needs)}" if driver is not None and driver.needs
               else "the contract revenue base or the renewal rates are missing")
        left.append(TextBlock([_heading("Renewal revenue"),
                               Para(f"No renewal money: {clean(why)}.", BODY_PT)]))
    chart = charts.projection_chart(view)
    right: list[Block] = []
    if isinstance(chart.data, charts.Lines):
        right.append(ChartBlock(int(4.2 * EMU_PER_INCH), _projection_chart(deck, chart.data)))
    if chart.note:
        right.append(TextBlock([Para(clean(chart.note), NOTE_PT + 1, italic=True,
                                     color="muted")]))
    deck.flow(RENEWAL, [(0.46, left), (0.54, right)])


def _business_case(deck: Deck) -> None:
    view = deck.view
    case = view.business_case
    if not case.drivers:
        deck.flow(BUSINESS_CASE, [(1.0, [TextBlock([Para(NO_PLAN, BODY_PT)])])])
        return
    currency = case.currency or view.currency
    rows = []
    for d in case.drivers:
        valued = d.status in ("ok", "no_gap")
        money = [format_money(getattr(d, c), currency) if valued else DASH
                 for c in ("low", "base", "high")]
        rows.append([clean(d.name, MAX_CELL), clean(driver_status_text(d.status, d.counted,
                                                                      d.needs), MAX_CELL),
                     *money])
    total = case.total
    rows.append(["Total, each overlap counted once", "",
                 *(format_money(total.get(c), currency) if total else DASH
                   for c in ("low", "base", "high"))])
    left: list[Block] = [TableBlock(
        [Col("Driver", 2.1), Col("Status", 2.0), Col("Low", 1.5, True),
         Col("Base", 1.5, True), Col("High", 1.5, True)], rows, TABLE_PT,
        bold={len(rows) - 1}, heading=_heading(f"Drivers, a year in {currency or 'money'}"))]
    counted = [clean(d.name, 200) for d in case.drivers if d.counted]
    words = [f"Counted: {', '.join(counted)}." if counted else "No driver has a value yet."]
    needs = [f"{clean(d.name, 200)} ({', '.join(d.needs)})" for d in case.drivers
             if d.status == "needs_data" and d.needs]
    if needs:
        words.append("Not valued for want of data: " + "; ".join(needs) + ".")
    words.append("Drivers that overlap (the same money reached another way) are never added "
                 "twice: the total keeps the larger. Low is the cautious case.")
    left.append(TextBlock([Para(w, NOTE_PT + 1, space=3) for w in words]))
    valued = [d for d in case.drivers if d.status == "ok" and d.base is not None]
    right: list[Block] = []
    if valued:
        height = min(int(4.2 * EMU_PER_INCH), int((1.2 + 0.55 * len(valued)) * EMU_PER_INCH))
        right.append(ChartBlock(height, _driver_chart(deck, valued, currency)))
        if any(not d.counted for d in valued):
            right.append(TextBlock([Para("Grey: valued, but left out of the total because it "
                                         "overlaps a larger driver.", NOTE_PT, italic=True,
                                         color="muted")]))
    else:  # nothing to chart: the table takes the whole width
        left.append(TextBlock([Para("No driver has a value yet, so there is no chart.",
                                    NOTE_PT + 1, italic=True, color="muted")]))
        deck.flow(BUSINESS_CASE, [(1.0, left)])
        return
    deck.flow(BUSINESS_CASE, [(0.62, left), (0.38, right)])


def _roadmap(deck: Deck) -> None:
    view = deck.view
    roadmap = view.roadmap
    if not roadmap.initiatives:
        deck.flow(ROADMAP, [(1.0, [TextBlock([Para(NO_PLAN, BODY_PT)])])])
        return
    currency = view.business_case.currency or view.currency
    rows = [[str(i.rank), clean(i.name, MAX_CELL), HORIZON_LABELS.get(i.horizon, i.horizon),
             EFFORT_LABELS.get(i.effort, i.effort), clean(i.owner, MAX_CELL),
             format_points(i.index_points), format_money((i.money or {}).get("base"), currency)]
            for i in roadmap.ranked]
    blocks: list[Block] = []
    if rows:
        blocks.append(TableBlock(
            [Col("#", 0.4), Col("Initiative", 3.2), Col("Horizon", 1.3), Col("Effort", 1.2),
             Col("Owner", 2.6), Col("Index points", 1.1, True),
             Col("Value a year (base)", 1.6, True)], rows, TABLE_PT))
    words = []
    if roadmap.ranking:
        words.append(f"Ranked by {clean(roadmap.ranking, 200)}.")
    words.append("Value is the initiative's own business-case drivers a year, overlaps "
                 "included, so it does not add up to the business-case total; a dash: no "
                 "driver, or its driver needs data. Index points are what its KPIs would add "
                 "to the index at target.")
    skipped = [clean(i.name, 200) for i in roadmap.initiatives if i.rank is None]
    if skipped:
        words.append(f"Not applicable here, so not ranked: {'; '.join(skipped)}.")
    blocks.append(TextBlock([Para(w, NOTE_PT + 1, space=3) for w in words]))
    deck.flow(ROADMAP, [(1.0, blocks)])
    chart = charts.timeline_chart(view)
    if isinstance(chart.data, charts.Timeline):
        n = len(chart.data.rows)
        height = int((1.0 + 0.45 * n) * EMU_PER_INCH)
        deck.flow(TIMELINE, [(1.0, [ChartBlock(height, _timeline_chart(deck, chart.data),
                                               least=int(3.0 * EMU_PER_INCH))])])


def _appendix(deck: Deck) -> None:
    view = deck.view
    grouped = {rank: i.name for i in view.roadmap.initiatives for rank in i.recommendations}
    if not view.recommendations:
        deck.flow(APPENDIX, [(1.0, [TextBlock([Para("No recommendations.", BODY_PT)])])])
        return
    rows = [[str(r.rank), clean(view.area_name(r.area), 120), clean(r.name, MAX_CELL),
             "Measure this" if r.kind == "measure" else "Improve", clean(r.text, MAX_CELL),
             clean(grouped.get(r.rank) or DASH, MAX_CELL)] for r in view.recommendations]
    deck.flow(APPENDIX, [(1.0, [TableBlock(
        [Col("#", 0.45), Col("Area", 1.3), Col("KPI or practice", 2.2), Col("Action", 1.1),
         Col("Recommendation", 6.0), Col("Initiative", 2.0)], rows, MIN_TABLE_PT)])])


# --------------------------------------------------------------------------- the presentation


def _find_layout(prs: PresentationType, names: Sequence[str], test: Callable[[set], bool],
                 index: int) -> SlideLayout:
    """A layout by name (case-insensitive), else the first whose placeholder types pass
    ``test``, else the one at ``index`` (or the last)."""
    layouts = list(prs.slide_layouts)
    for layout in layouts:
        if layout.name.strip().lower() in names:
            return layout
    for layout in layouts:
        if test({p.placeholder_format.type for p in layout.placeholders}):
            return layout
    return layouts[min(index, len(layouts) - 1)]


_CONTENT = {PP_PLACEHOLDER.BODY, PP_PLACEHOLDER.OBJECT, PP_PLACEHOLDER.PICTURE,
            PP_PLACEHOLDER.CHART, PP_PLACEHOLDER.TABLE, PP_PLACEHOLDER.MEDIA_CLIP,
            PP_PLACEHOLDER.ORG_CHART, PP_PLACEHOLDER.BITMAP, PP_PLACEHOLDER.SUBTITLE,
            PP_PLACEHOLDER.VERTICAL_BODY, PP_PLACEHOLDER.VERTICAL_OBJECT}


def layouts_of(prs: PresentationType) -> tuple[SlideLayout, SlideLayout]:
    """The title layout and the layout of every other slide ("Title Only", else one with a
    title and no content placeholder, else "Title and Content")."""
    title = _find_layout(prs, ("title slide", "title"),
                         lambda t: PP_PLACEHOLDER.CENTER_TITLE in t
                         or (PP_PLACEHOLDER.TITLE in t and PP_PLACEHOLDER.SUBTITLE in t), 0)
    content = _find_layout(prs, ("title only",),
                           lambda t: PP_PLACEHOLDER.TITLE in t and not t & _CONTENT, 5)
    if content.name.strip().lower() not in ("title only",) and (
            PP_PLACEHOLDER.TITLE not in {p.placeholder_format.type
                                         for p in content.placeholders}):
        content = _find_layout(prs, ("title and content",),
                               lambda t: PP_PLACEHOLDER.TITLE in t, 1)
    return title, content


def _widen(prs: PresentationType) -> None:
    """python-pptx's default template (4:3) at 16:9: the slide 13.333 in wide, and every
    master and layout shape with its own position stretched across."""
    factor = SLIDE_WIDTH / prs.slide_width
    prs.slide_width, prs.slide_height = Emu(SLIDE_WIDTH), Emu(SLIDE_HEIGHT)
    shapes = [*prs.slide_master.shapes,
              *(shape for layout in prs.slide_layouts for shape in layout.shapes)]
    for shape in shapes:
        if shape._element.xpath("./p:spPr/a:xfrm"):
            shape.left = Emu(int(shape.left * factor))
            shape.width = Emu(int(shape.width * factor))


_TEMPLATE_TYPE = b"presentationml.template.main+xml"
_PRESENTATION_TYPE = b"presentationml.presentation.main+xml"


def open_template(path: str | Path) -> PresentationType:
    """A corporate template opened with python-pptx; a .potx (a template's content type,
    which python-pptx does not open) is read as the presentation it otherwise is."""
    data = Path(path).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        types = src.read("[Content_Types].xml")
        if _TEMPLATE_TYPE in types:
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
                for info in src.infolist():
                    content = src.read(info.filename)
                    if info.filename == "[Content_Types].xml":
                        content = content.replace(_TEMPLATE_TYPE, _PRESENTATION_TYPE)
                    dst.writestr(info, content)
            data = out.getvalue()
    return Presentation(io.BytesIO(data))


def _drop_slides(prs: PresentationType) -> None:
    """Remove every slide a template holds (the master, layouts and theme stay), with the
    custom shows and sections that list them: a reference to a slide that is gone makes
    PowerPoint offer to repair the file."""
    ids = prs.slides._sldIdLst
    for sld_id in list(ids):
        ids.remove(sld_id)
        prs.part.drop_rel(sld_id.rId)
    root = prs.part._element
    for stale in root.xpath("./p:custShowLst | ./p:extLst/p:ext[.//*[local-name()='section']]"):
        stale.getparent().remove(stale)


def _logo(brand: Brand) -> bytes | None:
    """The brand's logo as PNG bytes (an SVG logo is drawn to PNG), or None."""
    if brand.logo is None:
        return None
    try:
        return brand.logo.png()
    except Exception:  # noqa: BLE001 - a logo that cannot be drawn is left out, not fatal
        return None


def _moment(view: ResultsView) -> dt.datetime:
    when = view.organization.date or dt.date(2000, 1, 1)
    return dt.datetime(when.year, when.month, when.day)


def _properties(deck: Deck) -> None:
    view, brand = deck.view, deck.brand
    props = deck.prs.core_properties
    name = clean(view.organization.name, 200).replace("\n", " ")
    props.title = f"{DECK_TITLE} — {name}"[:250]
    props.subject = "Technical support excellence assessment: the deck"
    props.author = clean(brand.prepared_by or brand.firm, 200)
    props.last_modified_by = clean(brand.firm, 200)
    props.keywords = "support excellence, assessment, KPIs, renewal, business case, roadmap"
    props.comments = ""
    props.category = ""
    props.revision = 1
    moment = _moment(view)
    props.created = props.modified = props.last_printed = moment


def build_deck(results: ResultsView | Mapping[str, Any], brand: Brand = DEFAULT_BRAND,
               template: str | Path | None = None) -> PresentationType:
    """The deck of one organization's results as a python-pptx presentation."""
    view = ResultsView.of(results)
    if template is not None:
        prs = open_template(template)
        _drop_slides(prs)
    else:
        prs = Presentation()
        _widen(prs)
    title_layout, content_layout = layouts_of(prs)
    default_colours = (brand.primary_color, brand.accent_color) == (
        DEFAULT_BRAND.primary_color, DEFAULT_BRAND.accent_color)
    deck = Deck(prs, view, brand, themed=template is not None and default_colours,
                custom=template is not None, title_layout=title_layout,
                content_layout=content_layout, logo=_logo(brand))
    _title_slide(deck)
    _executive(deck)
    for element in view.elements:
        _element(deck, element.key)
    _renewal(deck)
    _business_case(deck)
    _roadmap(deck)
    _appendix(deck)
    _properties(deck)
    return prs


def _pin(data: bytes, moment: dt.datetime) -> bytes:
    """A zip package with every entry stamped ``moment`` and its document dates set to it
    (embedded workbooks too, one level down)."""
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                                 rb"\g<1>" + stamp + rb"\g<2>", content)
            elif info.filename.endswith(".xlsx"):
                content = _pin(content, moment)
            entry = zipfile.ZipInfo(info.filename, date_time=moment.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, content)
    return out.getvalue()


def deck_bytes(results: ResultsView | Mapping[str, Any], brand: Brand = DEFAULT_BRAND,
               template: str | Path | None = None) -> bytes:
    """The deck as ``.pptx`` bytes, the same bytes for the same results, brand and
    template."""
    view = ResultsView.of(results)
    raw = io.BytesIO()
    build_deck(view, brand, template).save(raw)
    return _pin(raw.getvalue(), _moment(view))


def render(results: dict[str, Any], options: RenderOptions) -> bytes:
    """The ``pptx`` output format (:mod:`assessment.scorecard.formats`)."""
    return deck_bytes(results, options.brand, options.pptx_template)


# --------------------------------------------------------------------------- checking a deck


def _frame_height(frame: Any, width: int) -> int:
    """The estimated height of a saved text frame's paragraphs, in EMU (run sizes as set,
    18 pt where none is)."""
    paras = []
    for paragraph in frame.paragraphs:
        runs = paragraph.runs
        size = next((r.font.size.pt for r in runs if r.font.size is not None), 18.0)
        bold = any(r.font.bold for r in runs)
        space = paragraph.space_before.pt if paragraph.space_before is not None else 0.0
        paras.append(Para(paragraph.text, size, bold, space=space))
    return paras_height(paras, width)


def fit_problems(prs: PresentationType) -> list[str]:
    """Every text box whose text would overflow it by the estimate of :func:`wrap`, every
    body text below :data:`MIN_BODY_PT` (:data:`MIN_TABLE_PT` in tables), and every shape
    outside the slide or reaching into the footer; empty when the deck fits."""
    problems = []
    width, height = int(prs.slide_width), int(prs.slide_height)
    footer = height - FOOTER_HEIGHT - FOOTER_GAP
    for number, slide in enumerate(prs.slides, start=1):
        for shape in slide.shapes:
            where = f"slide {number}, {shape.name}"
            left, top = int(shape.left or 0), int(shape.top or 0)
            right, bottom = left + int(shape.width or 0), top + int(shape.height or 0)
            if left < 0 or top < 0 or right > width or bottom > height:
                problems.append(f"{where}: outside the slide")
            if top < footer and bottom > footer + 1:
                problems.append(f"{where}: reaches into the footer")
            if shape.has_text_frame and shape.text_frame.text.strip():
                need = _frame_height(shape.text_frame, int(shape.width))
                if need > int(shape.height) + 1:
                    problems.append(f"{where}: text needs {need / EMU_PER_INCH:.2f} in, "
                                    f"box is {int(shape.height) / EMU_PER_INCH:.2f} in")
                for paragraph in shape.text_frame.paragraphs:
                    for run in paragraph.runs:
                        if run.font.size is not None and run.font.size.pt < MIN_BODY_PT:
                            problems.append(f"{where}: {run.font.size.pt} pt text")
            if shape.has_table:
                table = shape.table
                widths = [int(c.width) for c in table.columns]
                total = 0
                for row in table.rows:
                    cells = [c.text_frame.text for c in row.cells]
                    sizes = [r.font.size.pt for c in row.cells for p in c.text_frame.paragraphs
                             for r in p.runs if r.font.size is not None]
                    size = max(sizes, default=18.0)
                    if min(sizes, default=size) < MIN_TABLE_PT:
                        problems.append(f"{where}: {min(sizes)} pt table text")
                    bold = any(r.font.bold for c in row.cells for p in c.text_frame.paragraphs
                               for r in p.runs)
                    need = row_height(cells, widths, size, bold)
                    total += max(need, int(row.height))
                if top + total > footer + 1:
                    over = (top + total - footer) / EMU_PER_INCH
                    problems.append(f"{where}: the table runs {over:.2f} in into the footer")
    return problems
