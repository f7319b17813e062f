"""Hostile and oversized intake workbooks (issue 11): refused early, cheaply and clearly.

Each bomb is built at test time from a filled template (small on disk). The pre-scan of the
reader refuses it before openpyxl builds anything, naming the sheet and cell, or the zip part.
"""

from __future__ import annotations

import re
import resource
import subprocess
import sys
import time
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from assessment.core.errors import IntakeError, Issue
from assessment.core.framework import Framework
from assessment.core.model import IntakeData
from assessment.intake.layout import MAX_CELLS, MAX_COLUMNS, MAX_ROWS, SHEETS, TEMPLATE_SHEETS
from assessment.intake.reader import (
    MAX_PART_BYTES,
    MAX_XML_OTHER,
    MAX_ZIP_MEMBERS,
    read_intake,
)

Make = Callable[..., Path]
Parts = dict[str, bytes]

#: Address-space ceiling of the child in the subprocess tests: far below what the bombs took
#: (8 GB and more), far above what a refusal or a valid intake needs (about 0.5 GB).
CEILING = 1536 * 1024 * 1024


def parts_of(path: Path) -> Parts:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def rezip(path: Path, parts: Parts, extra: list[tuple[str, bytes]] = ()) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about duplicate names
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in [*parts.items(), *extra]:
                z.writestr(name, data)
    return path


def sheet_part(parts: Parts, role: str) -> str:
    rid = re.search(rf'name="{SHEETS[role]}"[^>]*r:id="(\w+)"'.encode(),
                    parts["xl/workbook.xml"])[1]
    target = re.search(rb'<Relationship[^>]*Id="' + rid + rb'"[^>]*/>',
                       parts["xl/_rels/workbook.xml.rels"])[0]
    return "xl/" + re.search(rb'Target="/?(?:xl/)?([^"]+)"', target)[1].decode()


def edit_sheet(path: Path, role: str, fn: Callable[[bytes], bytes]) -> Path:
    parts = parts_of(path)
    name = sheet_part(parts, role)
    parts[name] = fn(parts[name])
    return rezip(path, parts)


def add_rows(rows: bytes) -> Callable[[bytes], bytes]:
    return lambda xml: xml.replace(b"</sheetData>", rows + b"</sheetData>", 1)


def before_margins(insert: bytes) -> Callable[[bytes], bytes]:
    return lambda xml: xml.replace(b"<pageMargins", insert + b"<pageMargins", 1)


def the_issue(path: Path, framework: Framework) -> Issue:
    with pytest.raises(IntakeError) as caught:
        read_intake(path, framework)
    (issue,) = caught.value.issues
    return issue


def run_capped(path: Path, timeout: float = 60) -> tuple[subprocess.CompletedProcess, float]:
    """``support-excellence validate`` in a child with an address-space ceiling."""
    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (CEILING, CEILING))

    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "assessment", "validate", str(path)],
                          capture_output=True, text=True, timeout=timeout, preexec_fn=cap,
                          check=False)
    return proc, time.perf_counter() - start


# ----------------------------------------------------------------------------- item 1


def test_item01_far_cell_does_not_exhaust_memory(framework: Framework, sample: IntakeData,
                                                 tmp_intake: Make) -> None:
    """One cell at XFD1048576 (a 24 KB file) is refused at once, naming sheet and cell."""
    path = edit_sheet(tmp_intake(framework, sample), "kpis", add_rows(
        b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'))
    assert path.stat().st_size < 40_000
    proc, seconds = run_capped(path)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "KPIs!XFD1048576: a cell at XFD1048576, far beyond what an intake uses" in proc.stderr
    assert "delete the rows below 5,000 and the columns after CV" in proc.stderr
    assert seconds < 10
    issue = the_issue(path, framework)
    assert (issue.sheet, issue.cell) == ("KPIs", "XFD1048576")


@pytest.mark.parametrize(("where", "xml", "cell"), [
    ("row", b'<row r="5001"><c r="A5001"><v>1</v></c></row>', "A5001"),
    ("column", b'<row r="40"><c r="CW40"><v>1</v></c></row>', "CW40"),
    ("implicit column", b'<row r="40">' + b"<c><v>1</v></c>" * (MAX_COLUMNS + 1) + b"</row>",
     "CW40"),
    ("formatted row", b'<row r="900000" ht="30" customHeight="1"/>', "A900000"),
])
def test_item01_sheet_used_range_beyond_the_template(
        framework: Framework, sample: IntakeData, tmp_intake: Make, where: str, xml: bytes,
        cell: str) -> None:
    path = edit_sheet(tmp_intake(framework, sample), "profile", add_rows(xml))
    issue = the_issue(path, framework)
    assert (issue.sheet, issue.cell) == ("Profile", cell), where
    assert f"rows 1 to {MAX_ROWS:,}, columns A to CV" in issue.message
    assert "copy your answers into a fresh template" in issue.expected


@pytest.mark.parametrize(("xml", "what"), [
    (b'<mergeCells count="1"><mergeCell ref="K1:XFD1048576"/></mergeCells>', "a merged range"),
    (b'<hyperlinks><hyperlink ref="K1:XFD1048576" location="A1"/></hyperlinks>',
     "a hyperlink"),
])
def test_item01_ranges_openpyxl_fills_with_cells(framework: Framework, sample: IntakeData,
                                                 tmp_intake: Make, xml: bytes,
                                                 what: str) -> None:
    """Siblings: openpyxl makes a cell for every cell of a merged range or a hyperlink range."""
    def insert(sheet: bytes) -> bytes:
        at = sheet.find(b"<dataValidations") if b"merge" in xml else sheet.find(b"<pageMargins")
        return sheet[:at] + xml + sheet[at:]
    path = edit_sheet(tmp_intake(framework, sample), "kpis", insert)
    issue = the_issue(path, framework)
    assert (issue.sheet, issue.cell) == ("KPIs", "XFD1048576")
    assert issue.message.startswith(f"{what} (K1:XFD1048576) at XFD1048576")


def test_item01_too_many_cells_in_bounds(framework: Framework, sample: IntakeData,
                                         tmp_intake: Make) -> None:
    rows = b"".join(b'<row r="%d">' % r + b"".join(
        b'<c r="%s%d"><v>1</v></c>' % (bytes([col]), r) for col in range(75, 90))
        + b"</row>" for r in range(40, 40 + MAX_CELLS // 15 + 10))
    path = edit_sheet(tmp_intake(framework, sample), "profile", add_rows(rows))
    issue = the_issue(path, framework)
    assert issue.sheet == "Profile" and re.fullmatch(r"[K-Y]\d+", issue.cell or "")
    assert f"more than {MAX_CELLS:,} cells" in issue.message


def test_item01_formula_check_reads_no_rectangle(framework: Framework, sample: IntakeData,
                                                 tmp_intake: Make) -> None:
    """A formula far from A1 but in bounds: found by the pre-scan, its cached value read."""
    path = edit_sheet(tmp_intake(framework, sample), "kpis", add_rows(
        b'<row r="4999"><c r="CV4999"><f>1+1</f><v>2</v></c></row>'))
    read = read_intake(path, framework)
    assert read.current == sample.current


# ----------------------------------------------------------------------------- item 3


@pytest.mark.slow
def test_item03_heavy_workbook_read_quickly_under_memory_ceiling(
        framework: Framework, sample: IntakeData, tmp_intake: Make) -> None:
    """The heaviest accepted shape (cells up to the limit, with formulas: read twice) stays
    within the ceiling and the time budget; before, memory grew with the unpacked size."""
    per_sheet = (MAX_CELLS - 1000) // len(TEMPLATE_SHEETS) // 20
    path = tmp_intake(framework, sample)
    parts = parts_of(path)
    for role in TEMPLATE_SHEETS:
        name = sheet_part(parts, role)
        parts[name] = add_rows(b"".join(b'<row r="%d">' % r + b"".join(
            b'<c r="%s%d"><f>1+1</f><v>2</v></c>' % (bytes([75 + c]), r) for c in range(15))
            + b"</row>" for r in range(40, 40 + per_sheet * 20 // 15)))(parts[name])
    rezip(path, parts)
    proc, seconds = run_capped(path)
    assert "MemoryError" not in proc.stderr and proc.returncode in (0, 2), proc.stderr[-2000:]
    assert seconds < 20


@pytest.mark.parametrize(("shape", "words"), [
    ("deep", "nests XML elements more than 64 deep"),
    ("other", f"more than {MAX_XML_OTHER:,} XML elements other than cells and text"),
    ("long tag", "has an XML tag or text longer than 1.0 MB"),
    ("attributes", "with more than 200 attributes"),
])
def test_item03_xml_shapes_refused_before_openpyxl(framework: Framework, sample: IntakeData,
                                                   tmp_intake: Make, shape: str,
                                                   words: str) -> None:
    insert = {
        "deep": b"<extLst>" + b"<a>" * 1000 + b"</a>" * 1000 + b"</extLst>",
        "other": b"<extLst>" + b"<a/>" * (MAX_XML_OTHER + 1) + b"</extLst>",
        "long tag": b"<extLst " + b" ".join(b'a%d="1"' % i for i in range(120_000)) + b"/>",
        "attributes": b"<extLst " + b" ".join(b'a%d="1"' % i for i in range(201)) + b"/>",
    }[shape]
    path = edit_sheet(tmp_intake(framework, sample), "kpis", before_margins(insert))
    start = time.perf_counter()
    issue = the_issue(path, framework)
    assert time.perf_counter() - start < 5
    assert words in issue.message and issue.sheet == "KPIs"
    assert "part 'xl/worksheets/" in issue.message


def test_item03_unpacked_limits_sized_to_the_template(framework: Framework, sample: IntakeData,
                                                     tmp_intake: Make) -> None:
    """One part over the part limit is refused by name, though the total is under 200 MB."""
    path = tmp_intake(framework, sample)
    rezip(path, parts_of(path), [("xl/media/image1.bmp", b"\0" * (MAX_PART_BYTES + 1))])
    issue = the_issue(path, framework)
    assert "its part 'xl/media/image1.bmp' unpacks to 20.0 MB, over the 20.0 MB limit" in str(
        issue)


def test_item03_entities_in_a_sheet_refused_by_the_prescan(
        framework: Framework, sample: IntakeData, tmp_intake: Make) -> None:
    path = edit_sheet(tmp_intake(framework, sample), "kpis", lambda xml: (
        b'<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>' + xml))
    assert "unsafe XML: entity declarations are refused" in str(the_issue(path, framework))


# ----------------------------------------------------------------------------- items 16, 17


def test_item16_many_entries_message_counts_parts_not_size(
        framework: Framework, sample: IntakeData, tmp_intake: Make) -> None:
    path = tmp_intake(framework, sample)
    parts = len(parts_of(path)) + 6000
    rezip(path, parts_of(path), [(f"customXml/item{i}.bin", b"x") for i in range(6000)])
    issue = str(the_issue(path, framework))
    assert f"is a zip of {parts:,} parts, over the limit of {MAX_ZIP_MEMBERS:,}" in issue
    assert "MB" not in issue.split(" — ")[0]


@pytest.mark.parametrize("case", ["same", "other case"])
def test_item17_duplicate_zip_member_refused(framework: Framework, sample: IntakeData,
                                             tmp_intake: Make, case: str) -> None:
    path = tmp_intake(framework, sample)
    parts = parts_of(path)
    name = sheet_part(parts, "kpis")
    copy = name if case == "same" else name.upper()
    rezip(path, parts, [(copy, parts[name].replace(b"<v>", b"<v>9"))])
    issue = str(the_issue(path, framework))
    assert f"holds the part '{copy}' twice" in issue
    assert ("(also as" in issue) == (case != "same")
