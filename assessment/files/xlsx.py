"""openpyxl helpers shared by the two workbook writers (intake template and scorecard).

- :func:`set_text` stores untrusted text as plain text: never a formula, never an error value.
- :func:`fit_row_heights` sizes rows with wrapped text, which Excel does not do on opening.
"""

from __future__ import annotations

import math
import re
from typing import Any

from openpyxl.cell.cell import Cell
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
