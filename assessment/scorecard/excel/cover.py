"""The cover sheet of the Excel scorecard with its contents."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.drawing.image import Image
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from assessment.core.results import ResultsView
from assessment.files.xlsx import (
    BORDER,
    FONT_NAME,
    LABEL_FONT,
    NAVY,
    SECTION_BORDER,
    SECTION_FONT,
    V,
    merge_cells,
    put,
    safe_text,
    set_text,
)
from assessment.scorecard.brand import DEFAULT_BRAND, Brand
from assessment.scorecard.excel.common import COVER, org_name
from assessment.scorecard.excel.layout import LAYOUTS, SheetLayout, layout_of

# --------------------------------------------------------------------------- cover

COVER_TITLE = "Support excellence scorecard"
#: The logo on the cover is at most this size (pixels).
LOGO_BOX = (280, 90)


def _colours(brand: Brand) -> tuple[str, str]:
    """Primary and accent colours (``RRGGBB``); the default brand keeps the workbook's navy."""
    primary = NAVY if brand.is_default else brand.rgb("primary")
    return primary, brand.rgb("accent")


def _logo_image(brand: Brand) -> Image | None:
    """The brand's logo as an image for the cover, or None (no logo, or one that cannot be
    drawn here)."""
    if brand.logo is None:
        return None
    try:
        data = brand.logo.png()
        image = Image(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - a logo that cannot be drawn: the firm's name instead
        return None
    box_w, box_h = LOGO_BOX
    ratio = min(box_w / image.width, box_h / image.height, 1.0)
    image.width, image.height = max(1, round(image.width * ratio)), max(1, round(
        image.height * ratio))
    return image


def cover_sheet(wb: Workbook, view: ResultsView, brand: Brand) -> Worksheet:
    """The cover: the firm (its logo, or its name in large type), the title, the client, the
    date, who prepared it, the confidentiality line and the contents."""
    ws = wb.create_sheet(COVER)
    LAYOUTS[ws] = SheetLayout(print_rows="1:1", orientation="portrait", one_page=True,
                               wrap=frozenset({2, 3}))
    ws.sheet_view.showGridLines = False
    primary, accent = _colours(brand)
    for col, width in zip("ABC", (2, 26, 62), strict=True):
        ws.column_dimensions[col].width = width
    ws.row_dimensions[1].height = 12

    def line(row: int, text: str, font: Font, height: float | None = None) -> Cell:
        cell = set_text(ws.cell(row=row, column=2), text)
        cell.font = font
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        merge_cells(ws, row, 2, row, 3)
        if height:
            ws.row_dimensions[row].height = height
        return cell

    firm = safe_text(brand.firm).strip() or DEFAULT_BRAND.firm
    image = _logo_image(brand)
    if image is not None:
        ws.add_image(image, "B2")
        ws.row_dimensions[2].height = image.height * 0.75 + 6
        line(3, firm, Font(name=FONT_NAME, size=12, bold=True, color="595959"))
    else:
        line(2, firm, Font(name=FONT_NAME, size=26, bold=True, color=primary))
    band = line(5, COVER_TITLE, Font(name=FONT_NAME, size=22, bold=True, color="FFFFFF"), 40)
    band.fill = PatternFill("solid", fgColor=primary)
    band.alignment = Alignment(vertical="center", indent=1)
    ws.row_dimensions[6].height = 5
    ws.cell(row=6, column=2).fill = PatternFill("solid", fgColor=accent)
    merge_cells(ws, 6, 2, 6, 3)
    line(8, org_name(view), Font(name=FONT_NAME, size=20, bold=True, color="000000"))
    line(9, "Technical support excellence assessment",
         Font(name=FONT_NAME, size=12, italic=True, color="595959"))
    framework = " ".join(str(x) for x in (view.framework.name, view.framework.version) if x)
    details: list[tuple[str, Any]] = [("Client", org_name(view)),
                                      ("Assessment date", view.organization.date)]
    if brand.prepared_by:
        details.append(("Prepared by", brand.prepared_by))
    details += [("Prepared with", "support-excellence" + (f", {framework}" if framework
                                                          else ""))]
    row = 11
    for label, value in details:
        set_text(ws.cell(row=row, column=2), label).font = LABEL_FONT
        ws.cell(row=row, column=2).border = BORDER
        cell = put(ws, row, 3, V(value, wrap=True) if isinstance(value, str) else value,
                   border=True)
        cell.alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)
        row += 1
    if brand.confidentiality:
        row = row + 1
        line(row, brand.confidentiality, Font(name=FONT_NAME, size=11, italic=True,
                                               color="595959"))
        row += 1
    _section_at(ws, row + 1, "Contents", 2, 3)
    LAYOUTS[ws].blocks.append((row + 1, row + 2))
    return ws


def _section_at(ws: Worksheet, row: int, text: str, first: int, last: int) -> None:
    set_text(ws.cell(row=row, column=first), text).font = SECTION_FONT
    for col in range(first, last + 1):
        ws.cell(row=row, column=col).border = SECTION_BORDER


def add_contents(wb: Workbook, cover: Worksheet) -> None:
    """The cover's list of the sheets, each a link to its sheet."""
    row = next(r for r in range(1, cover.max_row + 1)
               if cover.cell(row=r, column=2).value == "Contents") + 1
    for ws in wb.worksheets:
        if ws is cover:
            continue
        put(cover, row, 2, ws.title, border=True)
        put(cover, row, 3, V(layout_of(ws).subtitle or None, wrap=True), border=True)
        link = cover.cell(row=row, column=2)
        link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{ws.title}'!A1",
                                   display=ws.title)
        link.font = Font(name=FONT_NAME, color="0563C1", underline="single")
        row += 1


