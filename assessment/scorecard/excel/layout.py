"""Print layout of the Excel scorecard: measuring text, fitting columns, scale and page breaks."""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from weakref import WeakKeyDictionary

from openpyxl.cell.cell import Cell
from openpyxl.chart.text import RichText
from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from assessment.files.xlsx import PAPER_SIZES, merge_cells, rewrap, style_ids

# --------------------------------------------------------------------------- print layout
#
# Every sheet is laid out for print once it is built (:func:`finish`): columns wide enough
# for every table value and word, wrapped text given its rows, long notes merged across the
# printed width, the paper and orientation chosen, and the print scale estimated so that
# nothing prints below :data:`MIN_PRINTED_PT` points. A table too wide for one page prints
# in column bands (:class:`SheetLayout.bands`), its first columns repeated on each band;
# blocks (a table with its heading, a chart) move whole to the next page rather than split.

#: Paper name -> (width, height) in inches, portrait.
PAPER_INCHES: dict[str, tuple[float, float]] = {"A4": (8.27, 11.69), "Letter": (8.5, 11.0)}
#: openpyxl's ``paperSize`` codes.
PAPER_CODES: dict[str, int] = dict(PAPER_SIZES)
SIDE_MARGIN = 0.5
"""Left and right page margins (inches)."""
END_MARGIN = 0.75
"""Top and bottom page margins (inches); the running header and footer sit inside them."""
UNIT_PT = 5.25
"""One unit of column width (the width of a digit of the 11 pt body font, 7 px at 96 dpi)
in points."""
ROW_PT = 15.0
"""The height of a one-line row of 11 pt text, in points."""
BODY_PT = 11.0
MIN_PRINTED_PT = 8.0
"""No text prints smaller than this (points, after the print scale)."""
COMFORTABLE_SCALE = 0.8
"""Wrapped columns are narrowed until a sheet prints at this scale or more where they can be
(the body text at 8.8 points)."""
CHART_TEXT_PT = 11
"""Chart texts (axes, labels, legend) in points: as large as the body text."""

#: Advance widths of the body font (Calibri, metric twin Carlito) in thousandths of an em.
_WIDTHS: dict[str, int] = {
    " ": 226, "!": 326, '"': 401, "#": 498, "$": 507, "%": 715, "&": 682, "'": 221,
    "(": 303, ")": 303, "*": 498, "+": 498, ",": 250, "-": 306, ".": 252, "/": 386,
    ":": 268, ";": 268, "<": 498, "=": 498, ">": 498, "?": 463, "@": 894, "[": 307,
    "\\": 386, "]": 307, "^": 498, "_": 498, "`": 291, "{": 314, "|": 460, "}": 314,
    "~": 498, "·": 252, "…": 690, "—": 905, "–": 498, "−": 498, "×": 498, "±": 498,
    "≈": 498, "€": 507, "£": 507, "¥": 507,
    **dict.fromkeys("0123456789", 507),
    **dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ",
               (579, 544, 533, 615, 488, 459, 631, 623, 252, 319, 520, 420, 855, 646, 662,
                517, 673, 543, 459, 487, 642, 567, 890, 519, 487, 468), strict=True)),
    **dict(zip("abcdefghijklmnopqrstuvwxyz",
               (479, 525, 423, 525, 498, 305, 471, 525, 230, 239, 455, 230, 799, 525, 527,
                525, 525, 349, 391, 335, 525, 452, 715, 433, 453, 395), strict=True)),
}
#: A character not in :data:`_WIDTHS` (accented letters, other scripts) counts this wide.
_OTHER_WIDTH = 620
#: Estimates err on the wide side: a little more than the font's own widths, plus the cell's
#: inner margins (units).
_WIDTH_SLACK = 1.06
_CELL_PADDING = 0.8


def text_width(text: str, *, size: float = BODY_PT, bold: bool = False) -> float:
    """The width of one line of ``text`` in column-width units (an estimate on the wide side,
    cell margins included)."""
    em = _ems(text)
    factor = _WIDTH_SLACK * (1.07 if bold else 1.0)
    return em * size * factor / UNIT_PT + _CELL_PADDING


@functools.lru_cache(maxsize=16384)
def _ems(text: str) -> float:
    """The advance width of ``text`` in ems (measured once per text: the layout passes
    measure the same words many times)."""
    return sum(_WIDTHS.get(ch, _OTHER_WIDTH) for ch in text) / 1000


def wrapped_lines(text: str, width: float, *, size: float = BODY_PT,
                  bold: bool = False) -> int:
    """How many lines ``text`` takes wrapped in a column ``width`` units wide (words are
    kept whole; a word wider than the column counts the lines it is broken into)."""
    lines = 0
    for paragraph in str(text).split("\n"):
        lines += 1
        used = 0.0
        space = text_width(" ", size=size, bold=bold) - _CELL_PADDING
        for word in paragraph.split(" "):
            need = text_width(word, size=size, bold=bold) - _CELL_PADDING
            if used and used + space + need > width - _CELL_PADDING:
                lines += 1
                used = 0.0
            if need > width - _CELL_PADDING:  # broken across lines
                extra = math.ceil(need / max(1.0, width - _CELL_PADDING)) - 1
                lines += extra
                need -= extra * (width - _CELL_PADDING)
            used += (space if used else 0.0) + need
    return lines


def longest_word(text: str, *, size: float = BODY_PT, bold: bool = False) -> float:
    """The width of the widest word of ``text`` (units): a wrapped cell narrower than that
    breaks the word."""
    words = str(text).split()
    return max((text_width(w, size=size, bold=bold) for w in words), default=0.0)


def number_text(value: float, fmt: str | None) -> str:
    """``value`` roughly as a number format shows it (for widths): literals in their place,
    decimals, thousands separators and percent; the first section of the format only."""
    fmt = (fmt or "General").split(";")[0]
    if fmt == "General":
        return f"{value:.10g}"
    if re.search(r"[ymd]", re.sub(r'"[^"]*"', "", fmt)):
        return "0000-00-00"
    percent = "%" in re.sub(r'"[^"]*"', "", fmt)
    shown = abs(value) * (100 if percent else 1)

    def digits(match: re.Match[str]) -> str:
        code = match.group(0)
        decimals = len(code.split(".")[1]) if "." in code else 0
        text = f"{shown:,.{decimals}f}" if "," in code else f"{shown:.{decimals}f}"
        return ("-" if value < 0 else "") + text

    parts = re.split(r'("[^"]*")', fmt)
    done = False
    for n, part in enumerate(parts):
        if part.startswith('"'):
            parts[n] = part.strip('"')
        elif not done and re.search(r"[#0]", part):
            parts[n] = re.sub(r"[#0][#0,.]*", digits, part, count=1)
            done = True
    return "".join(parts)


def cell_text(cell: Cell) -> str | None:
    """What a cell shows, near enough to measure it: its text, a number in its format, a date
    as yyyy-mm-dd; None when blank."""
    value = cell.value
    if value is None:
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return "0000-00-00"
    if isinstance(value, bool):
        return "Yes"
    if isinstance(value, (int, float)):
        return number_text(float(value), cell.number_format)
    return str(value)


def cell_rows(ws: Worksheet) -> Iterator[tuple[Cell, ...]]:
    """``ws.iter_rows()``: every row from 1 to the last, each a tuple of its cells from column
    1 to the last, missing ones created (as openpyxl does), without its per-cell call
    overhead. Each row's tuple is made when that row is reached."""
    if ws._current_row == 0:
        return iter(())
    return _cell_rows(ws, ws.max_column, ws.max_row)


def _cell_rows(ws: Worksheet, max_col: int, max_row: int) -> Iterator[tuple[Cell, ...]]:
    cells = ws._cells
    for row in range(1, max_row + 1):
        found = []
        for col in range(1, max_col + 1):
            cell = cells.get((row, col))
            if cell is None:
                cell = ws.cell(row=row, column=col)
            found.append(cell)
        yield tuple(found)


# The style readers below look the cell's font, border and alignment up in the workbook's
# lists directly: ``cell.font`` would build a proxy object each time, for every cell of every
# pass over a sheet.


def _font(cell: Cell) -> tuple[float, bool]:
    font = cell.parent.parent._fonts[style_ids(cell).fontId]
    return (float(font.sz) if font.sz else BODY_PT, bool(font.b))


def _column_width(ws: Worksheet, col: int) -> float:
    width = ws.column_dimensions[get_column_letter(col)].width
    return float(width) if width else 8.43


def _merged_at(ws: Worksheet) -> dict[tuple[int, int], tuple[int, int]]:
    """(row, first column) of every merged range -> (last column, last row)."""
    return {(m.min_row, m.min_col): (m.max_col, m.max_row) for m in ws.merged_cells.ranges}


def _in_table(cell: Cell) -> bool:
    """A table or label/value cell (thin borders all round), not a heading or a note."""
    left = cell.parent.parent._borders[style_ids(cell).borderId].left
    return bool(left is not None and left.style)


def wraps(cell: Cell) -> bool:
    return bool(cell.parent.parent._alignments[style_ids(cell).alignmentId].wrap_text)


@dataclass
class SheetLayout:
    """How a sheet prints, recorded while it is built and applied by :func:`finish`."""

    print_rows: str = "1:2"
    """Rows repeated at the top of every printed page."""
    wrap: frozenset[int] = frozenset()
    """Columns whose texts wrap (names, long texts); their width may shrink to fit the page."""
    orientation: str | None = None
    """Fixed orientation, else portrait when the sheet fits a portrait page legibly."""
    one_page: bool = False
    """The whole sheet on one printed page (fit to height as well)."""
    blocks: list[tuple[int, int]] = field(default_factory=list)
    """Row ranges kept together on one page (a heading with its table, a chart)."""
    bands: tuple[tuple[int, int], ...] = ()
    """Column ranges printed one after the other, the :attr:`title_cols` first columns
    repeated on each; empty when the sheet prints in one band."""
    title_cols: int = 0
    band_rows: tuple[int, int] = (0, 0)
    """The rows (header to last) of the table the bands split."""
    subtitle: str = ""
    """What the sheet shows (listed on the cover)."""
    last_cell: int = 0
    """The last column of the sheet's cells, once it is built (0: not yet known)."""


LAYOUTS: WeakKeyDictionary[Worksheet, SheetLayout] = WeakKeyDictionary()


def layout_of(ws: Worksheet) -> SheetLayout:
    """The print layout recorded for ``ws`` (a new one if none was)."""
    return LAYOUTS.setdefault(ws, SheetLayout())


def keep(ws: Worksheet, first: int, last: int) -> None:
    """Keep rows ``first`` to ``last`` together on one printed page when they fit one."""
    if last >= first:
        layout_of(ws).blocks.append((first, last))


def printable_size(paper: str, orientation: str) -> tuple[float, float]:
    """The printable width and height of a page in points (margins taken off)."""
    width, height = PAPER_INCHES.get(paper, PAPER_INCHES["A4"])
    if orientation == "landscape":
        width, height = height, width
    return (width - 2 * SIDE_MARGIN) * 72, (height - 2 * END_MARGIN) * 72


def paper_of(ws: Worksheet) -> str:
    """``A4`` or ``Letter``, from the sheet's page setup."""
    code = int(ws.page_setup.paperSize or PAPER_CODES["A4"])
    return next((name for name, c in PAPER_CODES.items() if c == code), "A4")


def _chart_box(ws: Worksheet, chart: Any) -> tuple[int, int, float, float]:
    """A chart's anchor (column, row) and its size in column units and points."""
    if isinstance(chart.anchor, str):
        col, row = coordinate_to_tuple(chart.anchor)[::-1]
    else:  # a chart read back from a file
        marker = getattr(chart.anchor, "_from", None)
        col, row = (marker.col + 1, marker.row + 1) if marker is not None else (1, 1)
    return col, row, chart.width / 2.54 * 72 / UNIT_PT, chart.height / 2.54 * 72


def column_groups(ws: Worksheet) -> list[list[int]]:
    """The columns printed side by side on a page: one group per print range (with the
    repeated columns), or every column up to the last one used (charts included)."""
    layout = layout_of(ws)
    bands = list(layout.bands)
    titles = list(range(1, layout.title_cols + 1))
    if not bands and ws.print_area:  # a workbook read back: its print ranges
        for area in str(ws.print_area).split(","):
            first, _, last = area.split("!")[-1].replace("$", "").partition(":")
            bands.append((coordinate_to_tuple(first)[1], coordinate_to_tuple(last or first)[1]))
        if ws.print_title_cols:
            letters = ws.print_title_cols.replace("$", "").split(":")
            titles = list(range(column_index_from_string(letters[0]),
                                column_index_from_string(letters[-1]) + 1))
    if bands:
        return [sorted(set(titles) | set(range(lo, hi + 1))) for lo, hi in bands]
    return [list(range(1, last_column(ws) + 1))]


def last_column(ws: Worksheet, *, charts: bool = True) -> int:
    """The last column with a value, a table border or (unless ``charts`` is false) a chart
    on it."""
    last = layout_of(ws).last_cell or last_cell_column(ws)
    for chart in ws._charts if charts else ():
        col, _, width, _ = _chart_box(ws, chart)
        end, used = col, 0.0
        while used + _column_width(ws, end) < width - 0.01:
            used += _column_width(ws, end)
            end += 1
        last = max(last, end)
    for image in ws._images:
        last = max(last, coordinate_to_tuple(image.anchor)[1]
                   if isinstance(image.anchor, str) else 1)
    return last


def last_cell_column(ws: Worksheet) -> int:
    last = 1
    for row in cell_rows(ws):
        for cell in row:
            if cell.column > last and (cell.value is not None or _in_table(cell)):
                last = cell.column
    for merged in ws.merged_cells.ranges:
        last = max(last, merged.max_col)
    return last


def content_width(ws: Worksheet) -> float:
    """The width of the widest printed band, in points."""
    return max(sum(_column_width(ws, c) for c in group) * UNIT_PT
               for group in column_groups(ws))


def _row_height(ws: Worksheet, row: int) -> float:
    height = ws.row_dimensions[row].height
    return float(height) if height else ROW_PT


def content_height(ws: Worksheet) -> float:
    """The height of every row to the last one used (charts included), in points."""
    last = ws.max_row
    for chart in ws._charts:
        _, row, _, height = _chart_box(ws, chart)
        last = max(last, row + math.ceil(height / ROW_PT))
    return sum(_row_height(ws, r) for r in range(1, last + 1))


def estimate_scale(ws: Worksheet) -> float:
    """The print scale the sheet's page setup gives (1 at most): its widest band fitted to the
    page width, and to the page height too when it prints on one page."""
    orientation = ws.page_setup.orientation or "portrait"
    width, height = printable_size(paper_of(ws), orientation)
    scale = min(1.0, width / content_width(ws))
    if ws.page_setup.fitToHeight and int(ws.page_setup.fitToHeight) == 1:
        scale = min(scale, height / content_height(ws))
    return scale


def smallest_font(ws: Worksheet) -> float:
    """The size of the smallest text on the sheet, in points (charts included)."""
    sizes = {_font(c)[0] for row in cell_rows(ws) for c in row if c.value is not None}
    sizes |= {float(CHART_TEXT_PT) for _ in ws._charts}
    return min(sizes, default=BODY_PT)


def minimum_scale(ws: Worksheet) -> float:
    """The smallest print scale at which the sheet's smallest text is still
    :data:`MIN_PRINTED_PT` points."""
    return MIN_PRINTED_PT / smallest_font(ws)


def clipped_cells(ws: Worksheet) -> list[str]:
    """Cells whose text would print cut (``"B7: Questionnaire score"``): a table value wider
    than its column, a wrapped word wider than its column, a text running past the printed
    width or a wrapped text taller than its row. An estimate, on the safe side."""
    merged = _merged_at(ws)
    inside = {(r, c) for m in ws.merged_cells.ranges for r in range(m.min_row, m.max_row + 1)
              for c in range(m.min_col, m.max_col + 1)} - set(merged)
    last = max(len(g) and g[-1] for g in column_groups(ws))
    found = []
    for row in cell_rows(ws):
        for cell in row:
            text = cell_text(cell)
            if not text or (cell.row, cell.column) in inside:
                continue
            size, bold = _font(cell)
            end = merged.get((cell.row, cell.column), (cell.column, cell.row))[0]
            width = sum(_column_width(ws, c) for c in range(cell.column, end + 1))
            numeric = isinstance(cell.value, (int, float, dt.date))
            if wraps(cell) and not numeric:
                lines = wrapped_lines(text, width, size=size, bold=bold)
                short = lines * ROW_PT * size / BODY_PT > _row_height(ws, cell.row) + 1
                if longest_word(text, size=size, bold=bold) > width or short:
                    found.append(f"{cell.coordinate}: {text[:40]}")
                continue
            if not numeric and not _in_table(cell) and (cell.row, cell.column) not in merged:
                nxt = cell.column + 1  # text runs on over empty cells, to the printed edge
                while nxt <= last and ws.cell(cell.row, nxt).value is None\
                        and (cell.row, nxt) not in inside and (cell.row, nxt) not in merged:
                    width += _column_width(ws, nxt)
                    nxt += 1
            if max(text_width(line, size=size, bold=bold) for line in text.split("\n")) > width:
                found.append(f"{cell.coordinate}: {text[:40]}")
    return found


def autofit(ws: Worksheet) -> dict[int, float]:
    """Widen columns so that every table value fits (a wrapped text: its longest word);
    returns each wrapping column's narrowest width (its longest word)."""
    merged = _merged_at(ws)
    inside = {(r, c) for m in ws.merged_cells.ranges for r in range(m.min_row, m.max_row + 1)
              for c in range(m.min_col, m.max_col + 1)}
    need: dict[int, float] = {}
    floor: dict[int, float] = {}
    for row in cell_rows(ws):
        for cell in row:
            text = cell_text(cell)
            if not text or not _in_table(cell) or (cell.row, cell.column) in inside:
                continue
            size, bold = _font(cell)
            numeric = isinstance(cell.value, (int, float, dt.date))
            if wraps(cell) and not numeric:
                width = longest_word(text, size=size, bold=bold)
            else:
                width = max(text_width(line, size=size, bold=bold) for line in text.split("\n"))
            need[cell.column] = max(need.get(cell.column, 0.0), width)
            floor[cell.column] = max(floor.get(cell.column, 0.0), width)
    for col, width in need.items():
        if width > _column_width(ws, col):
            ws.column_dimensions[get_column_letter(col)].width = math.ceil(width)
    del merged
    return floor


def shrink_columns(ws: Worksheet, target: float, floor: dict[int, float]) -> None:
    """Narrow the wrapping columns (down to their widest word or value, and never below 8
    units) until every band is at most ``target`` points wide, or as near as they allow."""
    wrap = layout_of(ws).wrap
    for group in column_groups(ws):
        excess = sum(_column_width(ws, c) for c in group) - target / UNIT_PT
        least = {c: math.ceil(max(8.0, floor.get(c, 0.0)) * 2) / 2 for c in group if c in wrap}
        room = sum(max(0.0, _column_width(ws, c) - low) for c, low in least.items())
        if excess <= 0 or room <= 0:
            continue
        share = min(1.0, excess / room)
        for col, low in least.items():
            width = _column_width(ws, col)
            if width > low:
                narrower = math.floor((width - (width - low) * share) * 2) / 2
                ws.column_dimensions[get_column_letter(col)].width = max(low, narrower)


def wrap_columns(ws: Worksheet) -> None:
    """Wrap every table text in the layout's wrapping columns."""
    wrap = layout_of(ws).wrap
    for row in cell_rows(ws):
        for cell in row:
            if (cell.column in wrap and isinstance(cell.value, str) and _in_table(cell)
                    and not wraps(cell)):
                rewrap(cell, "top")


def merge_overflow(ws: Worksheet) -> None:
    """A title, note or heading longer than the printed width is merged across it and
    wrapped (else the page edge would cut it)."""
    last = max(g[-1] for g in column_groups(ws))
    if layout_of(ws).bands:
        last = layout_of(ws).bands[0][1]
    taken = {(r, c) for m in ws.merged_cells.ranges for r in range(m.min_row, m.max_row + 1)
             for c in range(m.min_col, m.max_col + 1)}
    for row in cell_rows(ws):
        for cell in row:
            if (not isinstance(cell.value, str) or _in_table(cell) or wraps(cell)
                    or (cell.row, cell.column) in taken or cell.column >= last):
                continue
            rest = range(cell.column + 1, last + 1)
            if any(ws.cell(cell.row, c).value is not None or (cell.row, c) in taken
                   for c in rest):
                continue
            size, bold = _font(cell)
            width = sum(_column_width(ws, c) for c in range(cell.column, last + 1))
            if max(text_width(t, size=size, bold=bold) for t in cell.value.split("\n"))\
                    <= width:
                continue
            merge_cells(ws, cell.row, cell.column, cell.row, last)
            rewrap(cell, "top")


def fit_rows(ws: Worksheet) -> None:
    """Give every row the height of its tallest cell: the lines of wrapped text (the merged
    width for a merged cell) and the size of its font."""
    merged = _merged_at(ws)
    heights: dict[int, float] = {}
    for row in cell_rows(ws):
        for cell in row:
            text = cell_text(cell)
            if not text:
                continue
            size, bold = _font(cell)
            lines = 1
            if wraps(cell) and not isinstance(cell.value, (int, float, dt.date)):
                end = merged.get((cell.row, cell.column), (cell.column, cell.row))[0]
                width = sum(_column_width(ws, c) for c in range(cell.column, end + 1))
                lines = wrapped_lines(text, width, size=size, bold=bold)
            elif "\n" in text:
                lines = text.count("\n") + 1
            height = lines * ROW_PT * max(size, BODY_PT) / BODY_PT
            heights[cell.row] = max(heights.get(cell.row, ROW_PT), height)
    last = ws.max_row  # every row gets its height: applications differ in their default
    for chart in ws._charts:
        _, row, _, height = _chart_box(ws, chart)
        last = max(last, row + math.ceil(height / ROW_PT))
    for row in range(1, last + 1):
        dims = ws.row_dimensions[row]
        wanted = min(409.0, math.ceil(heights.get(row, ROW_PT)))
        dims.height = max(dims.height or 0.0, wanted)


def fit_charts(ws: Worksheet) -> None:
    """Charts no wider than the columns from their anchor to the last column of the sheet's
    cells, with their texts at :data:`CHART_TEXT_PT`."""
    last = last_column(ws, charts=False)
    for chart in ws._charts:
        col, _, width, _ = _chart_box(ws, chart)
        room = sum(_column_width(ws, c) for c in range(col, last + 1)) - 1
        if width > room > 20:
            chart.width = room * UNIT_PT / 72 * 2.54
        size = CHART_TEXT_PT * 100
        chart.txPr = RichText(p=[Paragraph(pPr=ParagraphProperties(
            defRPr=CharacterProperties(sz=size)), endParaRPr=CharacterProperties(sz=size))])


def paginate(ws: Worksheet, scale: float) -> None:
    """Move each block that would be split by a page break to the next page (when it fits
    one page), by a manual page break above it."""
    layout = layout_of(ws)
    orientation = ws.page_setup.orientation or "portrait"
    _, height = printable_size(paper_of(ws), orientation)
    page = height / scale * 0.95  # a margin for rounding in the application's own layout
    titles = layout.print_rows.split(":")
    repeated = sum(_row_height(ws, r) for r in range(int(titles[0]), int(titles[-1]) + 1))
    blocks = dict(sorted(layout.blocks))
    for chart in ws._charts:
        _, row, _, chart_height = _chart_box(ws, chart)
        rows, span = row, 0.0
        while span < chart_height:
            span += _row_height(ws, rows)
            rows += 1
        start = max((b for b, e in blocks.items() if b <= row <= e), default=row)
        blocks[start] = max(blocks.get(start, row), rows - 1)
    last = max([ws.max_row, *blocks.values()])
    used = 0.0
    breaks = []
    for row in range(1, last + 1):
        if row in blocks:
            size = sum(_row_height(ws, r) for r in range(row, blocks[row] + 1))
            if used + size > page and size <= page - repeated and used > repeated + ROW_PT:
                breaks.append(row - 1)
                used = repeated
        height = _row_height(ws, row)
        if used + height > page:
            used = repeated
        used += height
    for row in breaks:
        ws.row_breaks.append(Break(id=row))


