"""openpyxl helpers shared by the two workbook writers (intake template and scorecard).

- :func:`set_text` stores untrusted text as plain text: never a formula, never an error value.
  It is the one path for every string cell of every workbook we write (template, scorecard,
  portfolio); :func:`set_value` sends strings through it and keeps numbers numbers.
  :func:`short_text` is the same rule for texts with their own limits (validation prompts,
  document properties) and :func:`list_formula` for the choices of a dropdown.
- :func:`fit_row_heights` sizes rows with wrapped text, which Excel does not do on opening.
- The report look both workbooks share (scorecard and portfolio): fonts, fills and borders,
  :class:`V` (a value with its presentation) written by :func:`put`, :func:`table`,
  :func:`note`, :func:`print_setup` and :func:`header_footer_text`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Sequence
from copy import copy
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from openpyxl import Workbook
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

#: Characters XML 1.0 forbids (openpyxl raises IllegalCharacterError on the C0 ones), plus
#: lone surrogates and the two non-characters, which cannot be encoded.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: A cell holds at most this many characters in Excel.
_MAX_CELL = 32767
#: Leading characters that spreadsheet programs may read as the start of a formula.
#: (A leading carriage return is stored as a line feed, see :func:`safe_text`.)
FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_text(value: Any) -> str:
    """``value`` as a string that is safe to store.

    Characters XML forbids are removed, line ends become ``\n`` (XML would turn a bare ``\r``
    into ``\n`` on reading anyway) and the text is cut to Excel's cell limit.
    """
    text = _ILLEGAL.sub("", str(value)).replace("\r\n", "\n").replace("\r", "\n")
    return text[:_MAX_CELL]


def set_text(cell: Cell, value: Any) -> Cell:
    """Store ``value`` in ``cell`` as plain text, never as a formula or an error value.

    openpyxl turns a string starting with ``=`` into a formula and ``#N/A`` into an error;
    forcing the data type back to ``s`` writes an inline string instead. Text that a spreadsheet
    could read as a formula also gets Excel's quote prefix, so it stays text when edited.
    """
    text = safe_text(value)
    cell.value = text
    cell.data_type = "s"
    if text.startswith(FORMULA_TRIGGERS):
        cell.quotePrefix = True
    return cell


def set_value(cell: Cell, value: Any) -> Cell:
    """Store ``value`` in ``cell``: strings as :func:`set_text` does, numbers, dates and blanks as
    they are (a negative number stays a number); a non-finite float is left blank."""
    if isinstance(value, str):
        return set_text(cell, value)
    if isinstance(value, float) and not math.isfinite(value):
        value = None
    cell.value = value
    return cell


def short_text(value: Any, limit: int) -> str:
    """:func:`safe_text` cut to ``limit`` characters (Excel's limits on validation titles (32)
    and messages (255), document properties, headers)."""
    return safe_text(value)[:limit]


#: Excel refuses a dropdown list written in the validation itself if it is longer than this
#: (quotes included) and "repairs" the workbook by dropping the validation.
_MAX_LIST = 255


def list_formula(choices: Sequence[str]) -> str:
    """The formula of a dropdown list of ``choices``: ``"a,b,c"``.

    Inside the list a double quote would end the text and a comma splits a choice, so quotes
    become single quotes and commas semicolons; choices are shortened (with …) until the whole
    list fits Excel's 255 characters. Short, plain choices are written unchanged.
    """
    items = [safe_text(c).replace('"', "'").replace(",", ";").replace("\n", " ")
             for c in choices]
    budget = (_MAX_LIST - 2 - max(0, len(items) - 1)) // max(1, len(items))
    if sum(map(len, items)) + len(items) + 1 > _MAX_LIST:
        items = [c if len(c) <= budget else c[: budget - 1] + "…" for c in items]
    return '"' + ",".join(items) + '"'


#: Excel reads at most this many characters of a number format.
_MAX_FORMAT = 255


def safe_format(fmt: str | None) -> str | None:
    """A number format fit to store, or None (General) for one that is not.

    Formats are built from our own patterns plus, at most, a currency code; a code that is not
    plain text (a control character, an odd number of quotes, far too long) would break the
    style sheet, so the value is shown in General format instead.
    """
    if fmt is None:
        return None
    if _ILLEGAL.search(fmt) or fmt.count('"') % 2 or len(fmt) > _MAX_FORMAT:
        return None
    return fmt


def fit_row_heights(ws: Worksheet, line_height: float = 15.0) -> None:
    """Give rows with wrapped text room for all their lines (Excel does not do it on opening).

    The line count is an estimate from the text length and the column width.
    """
    for row in ws.iter_rows():
        lines = 1
        for cell in row:
            if not (cell.alignment and cell.alignment.wrap_text and isinstance(cell.value, str)):
                continue
            width = ws.column_dimensions[cell.column_letter].width or 8.43
            per_line = max(1, int(width * 1.15))
            needed = sum(max(1, math.ceil(len(part) / per_line))
                         for part in cell.value.split("\n"))
            lines = max(lines, needed)
        if lines > 1:
            dims = ws.row_dimensions[row[0].row]
            dims.height = max(dims.height or 0, min(409, line_height * lines))


# --------------------------------------------------------------------------- report styles

NAVY = "1F3864"
FONT_NAME = "Calibri"
TITLE_FONT = Font(name=FONT_NAME, size=14, bold=True, color=NAVY)
SUBTITLE_FONT = Font(name=FONT_NAME, size=10, italic=True, color="595959")
SECTION_FONT = Font(name=FONT_NAME, size=12, bold=True, color=NAVY)
HEADER_FONT = Font(name=FONT_NAME, bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor=NAVY)
LABEL_FONT = Font(name=FONT_NAME, bold=True)
NOTE_FONT = Font(name=FONT_NAME, italic=True, color="595959")
DATE_FORMAT = "yyyy-mm-dd"
THIN = Side(style="thin", color="BFBFBF")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
SECTION_BORDER = Border(bottom=Side(style="medium", color=NAVY))
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)

#: RAG key -> (fill colour, font colour); Excel's own "good / neutral / bad" palette.
RAG_COLOURS: dict[str, tuple[str, str]] = {
    "green": ("C6EFCE", "006100"),
    "amber": ("FFEB9C", "9C5700"),
    "red": ("FFC7CE", "9C0006"),
    "grey": ("E7E6E6", "595959"),
}


def rag_style(key: str | None) -> tuple[PatternFill, Font]:
    """Fill and font of a RAG key (``None`` is grey: not computed)."""
    fill, font = RAG_COLOURS.get(key or "grey", RAG_COLOURS["grey"])
    return PatternFill("solid", fgColor=fill), Font(name=FONT_NAME, bold=True, color=font)


@dataclass(frozen=True)
class V:
    """A cell value with its presentation: number format, RAG fill, emphasis, wrapping."""

    value: Any
    fmt: str | None = None
    rag: str | None = None
    italic: bool = False
    bold: bool = False
    wrap: bool = False


#: Per workbook: style key -> the StyleArray of the first cell styled that way. openpyxl hashes
#: every Font/Fill/Alignment it is given, which made styling half the cost of a workbook;
#: copying a known StyleArray is cheap and gives the same style ids.
_STYLE_CACHE: WeakKeyDictionary[Workbook, dict[tuple[Any, ...], StyleArray]] = (
    WeakKeyDictionary())


def put(ws: Worksheet, row: int, col: int, item: Any, *, border: bool = False) -> Cell:
    """Write one value (plain or :class:`V`) with its style; every string goes via set_text."""
    spec = item if isinstance(item, V) else V(item)
    value = spec.value
    cell = ws.cell(row=row, column=col)
    numeric = is_date = False
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        pass
    elif isinstance(value, bool):
        set_text(cell, "Yes" if value else "No")
    elif isinstance(value, (int, float)):
        cell.value = value
        numeric = True
    elif isinstance(value, dt.date):
        cell.value = value
        numeric = is_date = True
    else:
        set_text(cell, value)
    # blanks get the format too, so a value typed in later is formatted
    fmt = (safe_format(spec.fmt) if spec.fmt and (numeric or value is None)
           else DATE_FORMAT if is_date else None)
    key = (fmt, spec.rag, spec.italic, spec.bold, numeric or bool(spec.fmt), spec.wrap, border,
           bool(cell.quotePrefix))
    known = _STYLE_CACHE.setdefault(ws.parent, {})
    if key in known:
        cell._style = copy(known[key])
        return cell
    if fmt:
        cell.number_format = fmt
    if spec.rag:
        cell.fill, cell.font = rag_style(spec.rag)
    elif spec.italic or spec.bold:
        cell.font = Font(name=FONT_NAME, italic=spec.italic, bold=spec.bold)
    cell.alignment = Alignment(
        horizontal="right" if numeric or spec.fmt else None,
        vertical="top", wrap_text=spec.wrap or None)
    if border:
        cell.border = BORDER
    known[key] = copy(cell._style)
    return cell


# --------------------------------------------------------------------------- fast styling
#
# openpyxl stores a cell's font, fill, border and alignment as indexes into the workbook's
# lists of distinct styles, and finds an object's index by hashing and comparing it field by
# field, recursively. Done for every cell that made most of a scorecard's build time. The
# helpers below give every cell the very same indexes, in the same order of first use, but look
# each combination up only once per workbook: the lists only grow, so an index once found
# stays right.

#: Per workbook: (what, key) -> style index found for it.
_INDEXES: WeakKeyDictionary[Workbook, dict[tuple[Any, ...], Any]] = WeakKeyDictionary()


def _indexes(ws: Worksheet) -> dict[tuple[Any, ...], Any]:
    found = _INDEXES.get(ws.parent)
    if found is None:
        found = _INDEXES[ws.parent] = {}
    return found


def style_ids(cell: Any) -> StyleArray:
    """The style indexes of a cell (font, fill, border, alignment …), made if it has none yet
    (as reading ``cell.font`` would)."""
    if not cell._style:
        cell._style = StyleArray()
    return cell._style


def style(cell: Cell, *, font: Font | None = None, fill: PatternFill | None = None,
          border: Border | None = None, alignment: Alignment | None = None) -> Cell:
    """``cell.font = font`` (and the others given), in that order, for style objects that are
    never changed once made (the constants of this module): each is looked up by identity."""
    known = _indexes(cell.parent)
    for attr, key, value in (("font", "fontId", font), ("fill", "fillId", fill),
                             ("border", "borderId", border),
                             ("alignment", "alignmentId", alignment)):
        if value is None:
            continue
        hit = known.get((attr, id(value)))
        if hit is not None and hit[0] is value:
            setattr(style_ids(cell), key, hit[1])
            continue
        setattr(cell, attr, value)
        known[(attr, id(value))] = (value, getattr(cell._style, key))
    return cell


def rewrap(cell: Cell, vertical: str | None = "top") -> None:
    """``cell.alignment = Alignment(horizontal=<the cell's>, vertical=vertical,
    wrap_text=True)``, looked up once per workbook for each alignment it replaces
    (``vertical=None`` keeps the cell's own vertical alignment, or top when it has none)."""
    st = style_ids(cell)
    known = _indexes(cell.parent)
    key = ("rewrap", st.alignmentId, vertical)
    hit = known.get(key)
    if hit is None:
        old = cell.alignment
        cell.alignment = Alignment(horizontal=old.horizontal,
                                   vertical=vertical or old.vertical or "top", wrap_text=True)
        hit = known[key] = st.alignmentId
    st.alignmentId = hit


def _add_border(known: dict[tuple[Any, ...], Any], cell: Any, key: tuple[Any, ...],
                make: Any) -> None:
    """``cell.border += make()``; the result looked up once per (cell's border, key)."""
    st = style_ids(cell)
    full = (*key, st.borderId)
    hit = known.get(full)
    if hit is None:
        cell.border += make()
        hit = known[full] = st.borderId
    st.borderId = hit


def merge_cells(ws: Worksheet, start_row: int, start_column: int, end_row: int,
                end_column: int) -> None:
    """``ws.merge_cells(start_row=…, …)``: the same merged range, cells, borders and
    protection as openpyxl 3.1 gives (``MergedCellRange`` and ``Worksheet._clean_merge_range``),
    with every border sum looked up once per workbook."""
    cells = ws._cells
    known = _indexes(ws)
    coord = CellRange(min_col=start_column, min_row=start_row, max_col=end_column,
                      max_row=end_row).coord
    mcr = MergedCellRange.__new__(MergedCellRange)
    mcr.ws = ws
    CellRange.__init__(mcr, range_string=coord)
    # MergedCellRange._get_borders: the top left cell takes the bottom right one's right and
    # bottom borders
    start = cells.get((mcr.min_row, mcr.min_col))
    if start is None:
        start = ws.cell(row=mcr.min_row, column=mcr.min_col)
    mcr.start_cell = start
    end = cells.get((mcr.max_row, mcr.max_col))
    if end is not None:
        end_border = style_ids(end).borderId
        _add_border(known, start, ("corner", end_border),
                    lambda: Border(right=end.border.right, bottom=end.border.bottom))
    ws.merged_cells.add(mcr)
    # Worksheet._clean_merge_range, then MergedCellRange.format
    first = True
    for row, col in mcr.cells:
        if first:
            first = False
            continue
        cells[row, col] = MergedCell(ws, row, col)
    for name in ("top", "left", "right", "bottom"):
        start_border = style_ids(start).borderId
        side = getattr(start.border, name)
        if side and side.style is None:
            continue
        for where in getattr(mcr, name):
            cell = cells.get(where)
            if cell is None:
                cell = cells[where] = MergedCell(ws, row=where[0], column=where[1])
            _add_border(known, cell, ("edge", name, start_border),
                        lambda side=side, name=name: Border(**{name: side}))
    protection = style_ids(start).protectionId
    for where in mcr.cells:
        cell = cells.get(where)
        if cell is None:
            cell = cells[where] = MergedCell(ws, row=where[0], column=where[1])
        style_ids(cell).protectionId = protection


# --------------------------------------------------------------------------- page and tables


def header_footer_text(text: str, limit: int = 80) -> str:
    """Text for a page header or footer: one line, short, with ``&`` escaped."""
    text = re.sub(r"\s+", " ", safe_text(text)).strip()
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text.replace("&", "&&")


#: Paper name -> openpyxl's ``paperSize`` code.
PAPER_SIZES: dict[str, int] = {"A4": 9, "Letter": 1}


def print_setup(ws: Worksheet, name: str, when: dt.date | None, rows: str, *,
                paper: str = "A4", orientation: str = "landscape") -> None:
    """Fit to one page wide on ``paper`` (A4 or Letter, landscape unless told), ``rows``
    repeated, name/sheet/date on every page."""
    ws.page_setup.orientation = orientation
    ws.page_setup.paperSize = PAPER_SIZES.get(paper, PAPER_SIZES["A4"])
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins = PageMargins(left=0.5, right=0.5, top=0.75, bottom=0.75,
                                  header=0.3, footer=0.3)
    ws.print_options.horizontalCentered = True
    ws.print_title_rows = rows
    ws.oddHeader.left.text = header_footer_text(name)
    ws.oddHeader.right.text = header_footer_text(ws.title)
    ws.oddFooter.left.text = header_footer_text(f"Assessed {when.isoformat()}" if when else "")
    ws.oddFooter.center.text = "Page &P of &N"
    ws.oddFooter.right.text = "Support excellence scorecard"


def note(ws: Worksheet, row: int, text: str, col: int = 1) -> int:
    """An italic grey note in one cell; returns the next row."""
    style(set_text(ws.cell(row=row, column=col), text), font=NOTE_FONT)
    return row + 1


def header_row(ws: Worksheet, row: int, headers: Sequence[str]) -> None:
    """A navy header row with white bold text."""
    for col, text in enumerate(headers, start=1):
        cell = set_text(ws.cell(row=row, column=col), text)
        style(cell, font=HEADER_FONT, fill=HEADER_FILL, border=BORDER,
              alignment=HEADER_ALIGNMENT)


def table(ws: Worksheet, row: int, headers: Sequence[str], rows: Iterable[Sequence[Any]],
          empty: str = "None") -> tuple[int, int]:
    """Header and bordered rows; returns ``(header_row, last_row)`` (``empty`` if no rows)."""
    header_row(ws, row, headers)
    last = row
    for values in rows:
        last += 1
        for col, item in enumerate(values, start=1):
            put(ws, last, col, item, border=True)
    if last == row:
        last += 1
        note(ws, last, empty)
    return row, last
