"""Helpers for tests that edit filled intake workbooks cell by cell."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell

from assessment.intake.layout import KEY_ROW, SHEETS


def cell(wb: Workbook, role: str, row_id: str, key: str) -> Cell:
    """The cell of a table row (by its id in column A) and column (by machine key)."""
    ws = wb[SHEETS[role]]
    col = next(c.column for c in ws[KEY_ROW] if c.value == key)
    row = next(r for r in range(KEY_ROW + 1, ws.max_row + 1) if ws.cell(r, 1).value == row_id)
    return ws.cell(row, col)


def where(wb: Workbook, role: str, row_id: str, key: str) -> str:
    return f"{SHEETS[role]}!{cell(wb, role, row_id, key).coordinate}"


def edits(*changes: tuple[str, str, str, Any], general: bool = False) -> Callable:
    """An ``edit`` that sets cells by (role, row id, key, value)."""
    def edit(wb: Workbook) -> None:
        for role, row_id, key, value in changes:
            target = cell(wb, role, row_id, key)
            target.value = value
            if general:
                target.number_format = "General"
    return edit
