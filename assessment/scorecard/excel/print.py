"""Finishing each sheet for print: orientation, column bands, header and footer, brand."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.styles import Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from assessment.core.results import ResultsView
from assessment.files.xlsx import NAVY, header_footer_text, print_setup, rewrap, style_ids
from assessment.scorecard.brand import Brand
from assessment.scorecard.excel.common import org_name
from assessment.scorecard.excel.layout import (
    COMFORTABLE_SCALE,
    END_MARGIN,
    ROW_PT,
    SIDE_MARGIN,
    autofit,
    cell_rows,
    content_width,
    estimate_scale,
    fit_charts,
    fit_rows,
    last_cell_column,
    layout_of,
    merge_overflow,
    minimum_scale,
    paginate,
    paper_of,
    printable_size,
    shrink_columns,
    wrap_columns,
    wraps,
)

# --------------------------------------------------------------------------- finishing


def _wrap_merged(ws: Worksheet) -> None:
    """Wrap the text of every merged range (its width is the sum of the merged columns)."""
    for merged in ws.merged_cells.ranges:
        cell = ws.cell(row=merged.min_row, column=merged.min_col)
        if isinstance(cell.value, str) and not wraps(cell):
            rewrap(cell, None)


def _orientation(ws: Worksheet, paper: str) -> str:
    """Portrait when the sheet prints at 80 % or more on a portrait page, else landscape."""
    fixed = layout_of(ws).orientation
    if fixed:
        return fixed
    width, _ = printable_size(paper, "portrait")
    return "portrait" if width / content_width(ws) >= 0.8 else "landscape"


def _bands(ws: Worksheet) -> None:
    """Print a wide table in its column bands: the first band with every row of the sheet,
    then each further band with the table's rows; the title columns repeated on each."""
    layout = layout_of(ws)
    if not layout.bands:
        return
    (first, last), *rest = layout.bands
    areas = [f"{get_column_letter(first)}1:{get_column_letter(last)}{ws.max_row}"]
    areas += [f"{get_column_letter(lo)}1:{get_column_letter(hi)}{layout.band_rows[1]}"
              for lo, hi in rest]
    ws.print_area = areas
    if layout.title_cols:
        ws.print_title_cols = f"A:{get_column_letter(layout.title_cols)}"


#: The running header's and footer's printed type size (points). Applications scale them with
#: the sheet (LibreOffice does whatever the workbook asks), so their size is set to this over
#: the sheet's estimated scale.
RUNNING_PT = 9
#: The width of a character of header text per point of type size, on the wide side (the
#: application's fallback fonts are wider than the body font).
_HEADER_CHAR_EM = 0.5


def _header_centre(ws: Worksheet, text: str, left: str, right: str) -> str:
    """``text`` for the header's centre: as much as fits between the left and right texts
    (cut with … beyond that; the cover carries it whole)."""
    width, _ = printable_size(paper_of(ws), ws.page_setup.orientation or "portrait")
    side = max(len(left), len(right)) * RUNNING_PT * _HEADER_CHAR_EM
    room = int((width - 2 * side - 18) / (RUNNING_PT * _HEADER_CHAR_EM))
    return header_footer_text(text, max(12, room))


def _running_text(ws: Worksheet, view: ResultsView, brand: Brand) -> None:
    """Header: the client left, the confidentiality line centred, the page number right.
    Footer: the firm left, the sheet centred, the assessment date right. They print at
    :data:`RUNNING_PT` points, scaled with the sheet."""
    when = view.organization.date
    size = f"&{max(RUNNING_PT, round(RUNNING_PT / estimate_scale(ws)))}"
    client, page = header_footer_text(org_name(view), 40), "Page &P of &N"
    confidentiality = (brand.confidentiality or "").strip()
    parts = ((ws.oddHeader.left, size + client),
             (ws.oddHeader.center, size
              + _header_centre(ws, confidentiality, client, "Page 99 of 99")
              if confidentiality else ""),
             (ws.oddHeader.right, size + page),
             (ws.oddFooter.left, size + header_footer_text(brand.firm, 40)),
             (ws.oddFooter.center, size + header_footer_text(ws.title)),
             (ws.oddFooter.right, size + f"Assessed {when.isoformat()}" if when else ""))
    for part, text in parts:
        part.text = text or None


def finish(ws: Worksheet, view: ResultsView, paper: str, brand: Brand) -> None:
    """Lay a built sheet out for print (see "print layout" above)."""
    layout = layout_of(ws)
    layout.last_cell = last_cell_column(ws)  # the cells are all written: known from now on
    ws.sheet_format.defaultRowHeight = ROW_PT
    ws.sheet_format.customHeight = True
    wrap_columns(ws)
    floor = autofit(ws)
    fit_charts(ws)
    orientation = _orientation(ws, paper)
    width, _ = printable_size(paper, orientation)
    shrink_columns(ws, width / max(minimum_scale(ws) * 1.02, COMFORTABLE_SCALE), floor)
    fit_charts(ws)
    merge_overflow(ws)
    _wrap_merged(ws)
    fit_rows(ws)
    print_setup(ws, org_name(view), view.organization.date, layout.print_rows, paper=paper,
                orientation=orientation)
    ws.page_margins.left = ws.page_margins.right = SIDE_MARGIN
    ws.page_margins.top = ws.page_margins.bottom = END_MARGIN
    _bands(ws)
    if layout.one_page:
        ws.page_setup.fitToHeight = 1
        if estimate_scale(ws) < minimum_scale(ws):  # too long for one legible page
            ws.page_setup.fitToHeight = 0
    if not (ws.page_setup.fitToHeight and int(ws.page_setup.fitToHeight) == 1):
        paginate(ws, estimate_scale(ws))
    _running_text(ws, view, brand)


def recolour(wb: Workbook, brand: Brand) -> None:
    """The brand's primary colour where the default look has navy: header fills, titles,
    section headings and their rules, the timeline bars. RAG colours stay as they are."""
    primary = brand.rgb("primary")
    fill = PatternFill("solid", fgColor=primary)
    done: dict[tuple[str, int], int] = {}  # (what, style index) -> its index once recoloured
    for ws in wb.worksheets:
        for row in cell_rows(ws):
            for cell in row:
                ids = style_ids(cell)
                if ("fill", ids.fillId) in done:
                    ids.fillId = done["fill", ids.fillId]
                else:
                    was = ids.fillId
                    if cell.fill is not None and cell.fill.fill_type == "solid"\
                            and str(cell.fill.fgColor.rgb).endswith(NAVY):
                        cell.fill = fill
                    done["fill", was] = ids.fillId
                if ("font", ids.fontId) in done:
                    ids.fontId = done["font", ids.fontId]
                else:
                    was = ids.fontId
                    if cell.font is not None and cell.font.color is not None\
                            and str(cell.font.color.rgb).endswith(NAVY):
                        cell.font = _copy_font(cell.font, primary)
                    done["font", was] = ids.fontId
                if ("border", ids.borderId) in done:
                    ids.borderId = done["border", ids.borderId]
                    continue
                was = ids.borderId
                bottom = cell.border.bottom if cell.border is not None else None
                if bottom is not None and bottom.color is not None\
                        and str(bottom.color.rgb).endswith(NAVY):
                    cell.border = Border(left=cell.border.left, right=cell.border.right,
                                         top=cell.border.top,
                                         bottom=Side(style=bottom.style, color=primary))
                done["border", was] = ids.borderId
        for chart in ws._charts:
            for series in chart.series:
                props = series.graphicalProperties
                colour = getattr(getattr(props, "solidFill", None), "srgbClr", None)
                if str(getattr(colour, "val", colour) or "").endswith(NAVY):
                    series.graphicalProperties = GraphicalProperties(solidFill=primary)


def _copy_font(font: Font, color: str) -> Font:
    return Font(name=font.name, size=font.sz, bold=font.b, italic=font.i, color=color)


