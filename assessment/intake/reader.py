"""Read a filled intake workbook into :class:`~assessment.core.model.IntakeData`.

The file comes from a client and is untrusted. Before parsing, its size, type and unpacked size
are checked; XML is parsed through defusedxml; macros are dropped, never run; formulas are never
evaluated (their cached results are used, and a formula without one is an error); text is kept
as plain text with control characters removed. Tables are found by their machine-key header row,
so added or reordered human columns do not matter. Every problem is collected and raised in one
:class:`~assessment.core.errors.IntakeError`, each located as ``Sheet!Cell``.

Template version 2.0 (methodology §7): the profile's peer group (segment), exchange rate,
self-rated alignment and volumes are checked here, including the rule that an intake in
another currency than the framework's needs an exchange rate. Target overrides are checked
against the framework as the organization sees it (:meth:`Framework.resolved`: its segment,
money converted). ``IntakeData.cells`` maps every answer to its ``Sheet!Cell``. A version 1.0
workbook is refused with the command that upgrades it (:mod:`assessment.intake.upgrade`).
The optional Initiatives and Findings sheets fill ``IntakeData.initiatives`` (only rows with
something recorded) and ``IntakeData.finding_wording``; a workbook without them records nothing.
"""

from __future__ import annotations

import datetime as dt
import difflib
import io
import math
import posixpath
import re
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.parsers import expat

import defusedxml  # openpyxl parses through defusedxml when it is importable
import openpyxl
import openpyxl.xml
from openpyxl.utils.cell import coordinate_to_tuple, get_column_letter, range_boundaries
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula
from openpyxl.worksheet.worksheet import Worksheet

from assessment.core.defaults import DEFAULT_MAX_BYTES
from assessment.core.errors import IntakeError, Issue, printable
from assessment.core.evidence import EvidenceFigure, holds, slot
from assessment.core.framework import PRACTICE_QUESTIONNAIRES, Framework, Kpi
from assessment.core.model import (
    NA,
    PROFILE_REQUIRED,
    RATING_KEYS,
    SUPPORT_MODELS,
    Answer,
    IntakeData,
)
from assessment.core.scoring import check_profile
from assessment.intake.layout import (
    HEADER_SCAN_ROWS,
    INFO_CELLS,
    INITIATIVE_INPUTS,
    INITIATIVE_STATUSES,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_OWNER_TEXT,
    MAX_ROWS,
    MAX_TRACKING_TEXT,
    NA_LABEL,
    PROFILE_FIELDS,
    SHEETS,
    SUPPORTED_VERSIONS,
    TEMPLATE_VERSION,
    UPGRADABLE_VERSIONS,
    UPGRADE_COMMAND,
    VERSION_LABEL,
    VERSION_NAME,
    VOLUME_FIELDS,
    answer_labels,
)

#: Upper bound of the unpacked size, whatever ``max_bytes`` is (zip-bomb guard). A filled
#: default template unpacks to about 150 KB; every notes cell filled to Excel's 32,767
#: characters would add about 10 MB.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
#: Upper bound of one part (zip member) unpacked.
MAX_PART_BYTES = 20 * 1024 * 1024
#: Parts in the zip; the template has 16 (with its two optional sheets), a LibreOffice re-save 17.
MAX_ZIP_MEMBERS = 1000
#: XML elements in all parts together (the filled template has about 7,000); of them, elements
#: other than cells, values and plain strings (styles, validations, formatting, drawings:
#: openpyxl spends about 60 microseconds on each); attributes of one element; nesting depth.
MAX_XML_ELEMENTS = 400_000
MAX_XML_OTHER = 50_000
MAX_XML_ATTRIBUTES = 200
MAX_XML_DEPTH = 64
#: Longest stretch of an XML part without a ``>``: one tag, or the text of one cell (at most
#: 32,767 characters, under 200 KB even escaped). expat holds a whole tag before handing it on.
MAX_XML_RUN = 1024 * 1024
#: Rows read below a header; intake tables are far shorter.
MAX_TABLE_ROWS = 5000

_SAVE_AS_XLSX = "save it as an Excel workbook (.xlsx) and try again"
_FRESH = "download a fresh template with `support-excellence template`"
_FORMULA_HELP = ("the reader never guesses a formula's value — enter the value itself, or open "
                 "and save the file in Excel/LibreOffice so the result is stored")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_NUMBER = re.compile(
    r"(?P<sign>[-+−]?)\s*(?:(?P<code>[A-Za-z]{3})\s*)?(?P<sym>[$€£¥])?\s*(?P<sign2>[-+−]?)\s*"
    r"(?P<num>\d[\d ,]*(?:\.\d*)?|\.\d+)\s*(?P<sym2>[$€£¥])?\s*(?P<code2>[A-Za-z]{3})?\s*"
    r"(?P<pct>%)?")
_GROUPED = re.compile(
    r"\d{1,3}(?:,\d{3})+(?:\.\d*)?|\d{1,3}(?: \d{3})+(?:\.\d*)?|\d+(?:\.\d*)?|\.\d+")
_LEADING_ANSWER = re.compile(r"([0-4])(?:\.0+)?(?:\s*[-–—:)]\s*\S.*|\.\s+\S.*|\s+\D.*)?")
_NA_TEXTS = {"n/a", "na", "n.a.", "n.a", "not applicable"}


def kpi_number(kpi: Kpi, value: Any, lo: float | None, hi: float | None,
               number_format: str = "", typed_in_percent: bool = False,
               ) -> tuple[float, str | None]:
    """One KPI entry in computation units by the reader's rules: ``(value, warning)``.

    ``number_format`` is the cell's (it tells a percent-formatted cell); ``typed_in_percent``
    says the entry box itself is in percent (the widgets' boxes). Raises
    :class:`InvalidValue` with the message and what is expected.
    """
    number, typed_percent = parse_number(value)
    if kpi.unit == "percent":
        fraction, warn = percent_value(number, typed_percent or typed_in_percent, number_format,
                                       lo, hi)
        note = (f"{format_number(number)} read as {format_number(number)}% (percent typed as a "
                "whole number) — check it") if warn else None
        return fraction, note
    if typed_percent:
        raise InvalidValue(f"{clean_text(value)!r} has a % sign but {kpi.name} is not a "
                           f"percentage (unit: {kpi.unit})",
                           f"a plain number such as {format_number(number)}")
    if (lo is not None and number < lo) or (hi is not None and number > hi):
        raise InvalidValue(f"{format_number(number)} is out of range for {kpi.name}",
                           range_text(lo, hi))
    return number, None


def target_problem(kpi: Kpi, target: float) -> tuple[str, str] | None:
    """``(message, expected)`` when a target override is on the wrong side of its floor."""
    floor = kpi.floor if isinstance(kpi.floor, (int, float)) else None
    if floor is None or (kpi.direction == "higher" and target > floor) or (
            kpi.direction == "lower" and target < floor):
        return None
    show = format_percent if kpi.unit == "percent" else format_number
    side = "above" if kpi.direction == "higher" else "below"
    return (f"target {show(target)} for {kpi.name} ({kpi.id}) is on the wrong side of its "
            f"floor {show(floor)}",
            f"a target {side} {show(floor)} ({kpi.direction} is better), or the "
            f"framework's {show(kpi.target)}")


def _example(kpi: Kpi) -> str:
    return "a number such as " + ("85% or 0.85" if kpi.unit == "percent" else "1200 or 1,200.50")


class _Invalid:
    """Marks a cell whose problem has already been reported."""


INVALID = _Invalid()


class InvalidValue(Exception):
    """A value that breaks a reader rule: ``message`` and what is ``expected`` instead."""

    def __init__(self, message: str, expected: str = "") -> None:
        super().__init__(message)
        self.message, self.expected = message, expected


# ----------------------------------------------------------------------------- entry point


def read_intake(path: str | Path, framework: Framework, *,
                max_bytes: int = DEFAULT_MAX_BYTES, segment: str | None = None) -> IntakeData:
    """Read and validate the intake workbook at ``path`` against ``framework``.

    ``segment`` (a peer group id of the framework, e.g. from ``--segment``) replaces the one
    the intake gives, before target overrides are checked. Raises :class:`IntakeError` listing
    every problem found; warnings (values accepted but worth a look) are returned in
    ``IntakeData.warnings``.
    """
    source = str(path)
    formulas, values, file_warnings = open_workbook(path, max_bytes)
    reader = WorkbookReader(framework, formulas, values, segment=segment)
    data = reader.read()
    if reader.issues:
        raise IntakeError(reader.issues, source)
    data.warnings[:0] = file_warnings
    data.source = source
    return data


def open_workbook(path: str | Path,
                  max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[Workbook, Workbook, list[str]]:
    """An untrusted workbook opened safely: ``(with formulas, with cached values, notes)``.

    Every check on the file comes first (size, type, zip parts, a streaming pass over the XML
    that bounds what openpyxl builds; :class:`IntakeError` naming the problem), then openpyxl
    parses it through defusedxml without macros or external links.
    """
    if not openpyxl.xml.DEFUSEDXML:  # pragma: no cover - defusedxml is a dependency
        raise RuntimeError("defusedxml must be installed to read untrusted workbooks safely")
    content, notes, has_formulas = _check_file(Path(path), max_bytes)
    formulas, values = _load(content, Path(path).name, str(path), has_formulas)
    return formulas, values, notes


# ----------------------------------------------------------------------------- file checks


def _check_file(path: Path, max_bytes: int) -> tuple[bytes, list[str], bool]:
    """The file's bytes, notes on it and whether a sheet holds formulas, after every check
    that can be made before openpyxl parses it (sizes, parts, and a streaming pass over every
    XML part that bounds what openpyxl would build)."""
    name = path.name

    def fail(message: str, expected: str = _SAVE_AS_XLSX) -> IntakeError:
        return IntakeError([Issue(message, expected)], str(path))

    if not path.exists():
        raise fail(f"file '{name}' not found", "the path of a filled .xlsx intake workbook")
    if not path.is_file():
        raise fail(f"'{name}' is not a file", "the path of a filled .xlsx intake workbook")
    size = path.stat().st_size
    if size == 0:
        raise fail(f"file '{name}' is empty (0 bytes)", _SAVE_AS_XLSX)
    if size > max_bytes:
        raise fail(f"file '{name}' is {_size(size)}, over the {_size(max_bytes)} limit",
                   "an intake workbook without pasted images or extra data")
    with path.open("rb") as handle:
        content = handle.read(min(max_bytes, size) + 1)
    if len(content) > max_bytes:
        raise fail(f"file '{name}' is over the {_size(max_bytes)} limit")
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise fail(f"file '{name}' is an old Excel 97-2003 (.xls) file or a password-protected "
                   "workbook", "remove any password and " + _SAVE_AS_XLSX)
    if not content.startswith(b"PK"):
        raise fail(f"file '{name}' is not an Excel workbook (it looks like "
                   f"{'text or CSV' if _looks_like_text(content) else 'another kind of file'})")
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise fail(f"file '{name}' is damaged: it cannot be opened as an Excel workbook "
                   "(truncated or corrupted)",
                   "save it again from Excel as .xlsx, or send the original file") from None
    ordinary = "an ordinary intake workbook; remove pasted images or extra data"
    if len(infos) > MAX_ZIP_MEMBERS:
        raise fail(f"file '{name}' is a zip of {len(infos):,} parts, over the limit of "
                   f"{MAX_ZIP_MEMBERS:,} (an intake workbook has about 16; refused as a "
                   "possible zip bomb)", f"{ordinary}, or copy your answers into a fresh "
                   "template")
    limit = min(10 * max_bytes, MAX_UNPACKED_BYTES)
    unpacked = sum(info.file_size for info in infos)  # zipfile never inflates past these
    if unpacked > limit:
        raise fail(f"file '{name}' unpacks to {_size(unpacked)}, over the {_size(limit)} limit "
                   "(refused as a possible zip bomb)", ordinary)
    seen: dict[str, str] = {}
    for info in infos:
        first = seen.get(info.filename.lower())
        seen.setdefault(info.filename.lower(), info.filename)
        if first is not None:
            also = "" if first == info.filename else f" (also as '{first}')"
            raise fail(f"file '{name}' holds the part '{info.filename}' twice{also}: a damaged "
                       "or tampered workbook", "save it again from Excel as .xlsx, or send "
                       "the original file")
        if info.file_size > min(limit, MAX_PART_BYTES):
            raise fail(f"file '{name}': its part '{info.filename}' unpacks to "
                       f"{_size(info.file_size)}, over the {_size(min(limit, MAX_PART_BYTES))} "
                       "limit for one part (refused as a possible zip bomb)", ordinary)
    members = {info.filename for info in infos}
    if "mimetype" in members and b"opendocument" in archive.read("mimetype")[:100]:
        raise fail(f"file '{name}' is an OpenDocument spreadsheet (.ods)")
    if "xl/workbook.bin" in members:
        raise fail(f"file '{name}' is an Excel binary workbook (.xlsb)")
    if "xl/workbook.xml" not in members:
        raise fail(f"file '{name}' is a zip archive but not an Excel workbook")
    has_formulas = _Parts(archive, name, str(path)).check()
    notes = []
    if any(m.lower().endswith("vbaproject.bin") for m in members):
        notes.append(f"{name}: the workbook contains macros; they were ignored and never run")
    return content, notes, has_formulas


def _load(content: bytes, name: str, source: str,
          has_formulas: bool = True) -> tuple[Workbook, Workbook]:
    """The workbook with formulas (to spot them) and with cached values (to read them).

    Most intakes hold no formula at all (``has_formulas``, from the pre-scan, says so); then one
    load serves as both.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            formulas = _open(content, data_only=False)
            values = _open(content, data_only=True) if has_formulas else formulas
    except Exception as exc:  # any parser failure means the same to the client
        chain = [exc, exc.__cause__, exc.__context__]
        reason = ("unsafe XML: entity declarations are refused" if any(
            isinstance(e, defusedxml.DefusedXmlException) for e in chain)
            else type(exc).__name__)
        raise IntakeError([Issue(
            f"file '{name}' could not be read as an Excel workbook ({reason})",
            "save it again from Excel as .xlsx, or send the original file")], source) from None
    return formulas, values


def _open(content: bytes, data_only: bool) -> Workbook:
    return openpyxl.load_workbook(io.BytesIO(content), data_only=data_only, keep_vba=False,
                                  keep_links=False, rich_text=False)


_DAMAGED = "save it again from Excel as .xlsx, or send the original file"
_WORKBOOK, _WORKBOOK_RELS = "xl/workbook.xml", "xl/_rels/workbook.xml.rels"
_LIGHT = frozenset({"c", "v", "f", "row", "si", "t", "is"})  # cheap for openpyxl


class _Parts:
    """One streaming pass over every XML part of the zip, before openpyxl builds anything.

    expat reads each part in chunks and only counters are kept. Entity declarations are refused
    (as defusedxml does for openpyxl). Refused, naming the sheet and cell or the part: a cell
    beyond :data:`MAX_ROWS` x :data:`MAX_COLUMNS` (also a merged range, hyperlink or comment
    reaching there, which openpyxl turns into cells; the ``<dimension>`` element is not trusted),
    more than :data:`MAX_CELLS` cells, more than :data:`MAX_XML_ELEMENTS` elements, nesting
    deeper than :data:`MAX_XML_DEPTH`. Malformed XML only ends the pass over that part: openpyxl
    reports it if it reads the part.
    """

    def __init__(self, archive: zipfile.ZipFile, name: str, source: str) -> None:
        self.archive, self.name, self.source = archive, name, source
        self.elements = self.other = self.cells = 0
        self.formulas = False
        self.sheet_ids: dict[str, str] = {}  # r:id -> sheet title (xl/workbook.xml)
        self.targets: dict[str, str] = {}  # r:id -> part (its relationships)
        self.titles: dict[str, str] = {}  # part -> sheet title
        self.member, self.title, self.kind = "", None, ""
        self.depth = self.row = self.col = 0

    def check(self) -> bool:
        """Scan every part; raises :class:`IntakeError`; returns whether a sheet has formulas."""
        infos = self.archive.infolist()
        first = [i for i in infos if i.filename in (_WORKBOOK, _WORKBOOK_RELS)]
        for info in first + [i for i in infos if i not in first]:
            self.scan(info)
            if info.filename in (_WORKBOOK, _WORKBOOK_RELS):
                self.titles = {_part(self.targets[rid]): title
                               for rid, title in self.sheet_ids.items() if rid in self.targets}
        return self.formulas

    def scan(self, info: zipfile.ZipInfo) -> None:
        self.member, self.title = info.filename, self.titles.get(info.filename)
        self.kind, self.depth, self.row, self.col = "", 0, 0, 0
        parser = expat.ParserCreate()
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.EntityDeclHandler = parser.UnparsedEntityDeclHandler = self.entity
        parser.ExternalEntityRefHandler = self.entity
        try:
            with self.archive.open(info) as handle:
                chunk = handle.read(1 << 16)
                if not chunk.lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n").startswith(b"<"):
                    return  # not XML (an image, macros): its size is all that matters
                run = 0  # bytes since the last ">"
                while chunk:
                    first = chunk.find(b">")
                    if run + (len(chunk) if first < 0 else first) > MAX_XML_RUN:
                        raise self.refuse(f"file '{self.name}' has an XML tag or text longer "
                                          f"than {_size(MAX_XML_RUN)} (a damaged or hostile "
                                          "file)", _DAMAGED, at_part=True)
                    run = run + len(chunk) if first < 0 else len(chunk) - chunk.rfind(b">") - 1
                    parser.Parse(chunk, False)
                    chunk = handle.read(1 << 16)
                parser.Parse(b"", True)
        except expat.ExpatError:
            return
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError,
                OSError) as exc:
            raise self.refuse(f"file '{self.name}' could not be read as an Excel workbook "
                              f"({type(exc).__name__})", _DAMAGED, at_part=True) from None

    def refuse(self, message: str, expected: str, cell: str | None = None,
               at_part: bool = False) -> IntakeError:
        where = f" (part '{self.member}')" if at_part or self.title is None else ""
        return IntakeError([Issue(message + where, expected, sheet=self.title, cell=cell)],
                           self.source)

    def entity(self, *_args: Any) -> None:
        raise self.refuse(f"file '{self.name}' could not be read as an Excel workbook (unsafe "
                          "XML: entity declarations are refused)", _DAMAGED, at_part=True)

    def end(self, _tag: str) -> None:
        self.depth -= 1

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        local = tag.rpartition(":")[2]
        self.elements += 1
        self.other += local not in _LIGHT
        self.depth += 1
        if self.elements > MAX_XML_ELEMENTS or self.other > MAX_XML_OTHER:
            what = ("" if self.elements > MAX_XML_ELEMENTS else
                    " other than cells and text (styles, validations, formatting, drawings)")
            limit = min(MAX_XML_ELEMENTS, MAX_XML_OTHER if what else MAX_XML_ELEMENTS)
            raise self.refuse(f"file '{self.name}' holds more than {limit:,} XML elements{what} "
                              "(a filled intake has about 7,000; refused as a possible XML "
                              "bomb)", f"copy your answers into a fresh template; {_FRESH}",
                              at_part=True)
        if self.depth > MAX_XML_DEPTH or len(attrib) > MAX_XML_ATTRIBUTES:
            what = (f"nests XML elements more than {MAX_XML_DEPTH} deep"
                    if self.depth > MAX_XML_DEPTH else
                    f"has an XML element <{local[:40]}> with more than {MAX_XML_ATTRIBUTES} "
                    "attributes")
            raise self.refuse(f"file '{self.name}' {what} (a damaged or hostile file)",
                              _DAMAGED, at_part=True)
        if self.depth == 1:
            self.kind = local
        elif self.kind == "worksheet":
            if local == "c":
                self.cell(attrib.get("r"))
            elif local == "row":
                self.new_row(attrib)
            elif local == "f":
                self.formulas = True
            elif local in ("mergeCell", "hyperlink"):
                self.area(attrib.get("ref"), "a merged range" if local == "mergeCell"
                          else "a hyperlink")
        elif self.kind == "comments" and local == "comment":
            self.area(attrib.get("ref"), "a comment")
        elif self.kind == "workbook" and local == "sheet" and self.member == _WORKBOOK:
            rid = next((v for k, v in attrib.items() if k.endswith(":id")), None)
            if rid is not None:
                self.sheet_ids[rid] = attrib.get("name", "")
        elif (self.kind == "Relationships" and local == "Relationship"
              and self.member == _WORKBOOK_RELS and "Id" in attrib):
            self.targets[attrib["Id"]] = attrib.get("Target", "")

    def new_row(self, attrib: dict[str, str]) -> None:
        """Follow openpyxl: ``r``, or the row after the last one."""
        try:
            self.row = int(float(attrib["r"])) if "r" in attrib else self.row + 1
        except ValueError:
            return  # openpyxl refuses it itself
        self.col = 0
        if set(attrib) - {"r", "spans"}:  # openpyxl builds a row object for it
            self.bound(self.row, 1, "a formatted row")

    def cell(self, ref: str | None) -> None:
        if ref:
            try:
                row, self.col = coordinate_to_tuple(ref)
            except (ValueError, TypeError):
                return  # openpyxl refuses it itself
        else:
            row, self.col = self.row, self.col + 1
        self.cells += 1
        self.bound(row, self.col, "a cell")
        if self.cells > MAX_CELLS:
            raise self.refuse(
                f"the workbook holds more than {MAX_CELLS:,} cells (a filled intake has about "
                "900); the limit is reached at this cell",
                "delete what is not part of the intake (extra sheets, pasted data, formatted "
                f"empty cells), or copy your answers into a fresh template; {_FRESH}",
                f"{get_column_letter(self.col)}{row}")

    def area(self, ref: str | None, what: str) -> None:
        try:
            _c1, _r1, col, row = range_boundaries(ref or "")
        except (ValueError, TypeError):
            return
        self.bound(row or 1, col or 1, f"{what} ({ref})")

    def bound(self, row: int, col: int, what: str) -> None:
        if row <= MAX_ROWS and col <= MAX_COLUMNS:
            return
        last = get_column_letter(MAX_COLUMNS)
        far = f"{get_column_letter(min(col, 18278))}{row}"
        raise self.refuse(
            f"{what} at {far}, far beyond what an intake uses (rows 1 to {MAX_ROWS:,}, columns "
            f"A to {last}); it would make the workbook too large to read",
            f"delete the rows below {MAX_ROWS:,} and the columns after {last} on this sheet "
            "(or clear that content), or copy your answers into a fresh template", far)


def _part(target: str) -> str:
    """The zip member a workbook relationship's target names."""
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(
        posixpath.join("xl", target))


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n:,} bytes"


def _looks_like_text(content: bytes) -> bool:
    head = content[:2048]
    return b"\x00" not in head and sum(b < 9 or 13 < b < 32 for b in head) == 0


# ----------------------------------------------------------------------------- values


def clean_text(value: Any, multiline: bool = False) -> str:
    """Untrusted cell content as plain text: control characters removed, whitespace trimmed."""
    if isinstance(value, bool):
        text = "TRUE" if value else "FALSE"
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, (dt.date, dt.time)):
        text = value.isoformat()
    else:
        text = str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n") if multiline else " ".join(text.split())
    return _CONTROL.sub("", text).strip()


def parse_number(value: Any) -> tuple[float, bool]:
    """A cell value as a number, and whether it was text with a % sign.

    Accepts numbers and text such as ``"85%"``, ``"1,200"``, ``"1 200"``, ``"$1,200.50"``,
    ``"€40"``, ``"USD 40"``. Booleans, dates and other text raise ``InvalidValue``.
    """
    if isinstance(value, (bool, dt.date, dt.time, dt.timedelta)):
        raise InvalidValue(f"{clean_text(value)} is not a number")
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise InvalidValue(f"{value} is not a number")
        return float(value), False
    text = clean_text(value)  # also turns no-break spaces (1\u00a0200) into plain ones
    if len(text) > 40:
        raise InvalidValue(f"{text[:40]!r}… is not a number")
    match = _NUMBER.fullmatch(text)
    if not match or not _GROUPED.fullmatch(match["num"].strip()):
        raise InvalidValue(f"{text!r} is not a number")
    codes = [c for c in (match["code"], match["code2"]) if c]
    money = len(codes) + bool(match["sym"]) + bool(match["sym2"])
    if (codes and not all(c.isupper() for c in codes)) or money > 1 or (money and match["pct"]):
        raise InvalidValue(f"{text!r} is not a number")
    if match["sign"] and match["sign2"]:
        raise InvalidValue(f"{text!r} is not a number")
    number = float(match["num"].replace(",", "").replace(" ", ""))
    if (match["sign"] or match["sign2"]) in ("-", "−"):
        number = -number
    return number, bool(match["pct"])


def percent_value(number: float, typed_percent: bool, number_format: str,
                  lo: float | None, hi: float | None) -> tuple[float, bool]:
    """Interpret a percent KPI's cell; returns (fraction, needs_warning) or raises ``InvalidValue``.

    ``[lo, hi]`` is the KPI's valid range in fractions and ``v`` the number in the cell:

    - text with a % sign ("85%"): ``v / 100``, no warning (then range-checked);
    - exactly 1 in a cell without a percent format, where both 100% and 1% are in range:
      ambiguous, refused with both readings (methodology §7);
    - (a) ``lo <= v <= hi`` and (``v <= 1`` or the cell is percent-formatted): ``v`` as is;
    - (b) ``lo <= v/100 <= hi`` while ``v`` is outside ``[lo, hi]``: ``v / 100``, with a warning
      ("85 read as 85%");
    - (c) both ``v`` and ``v/100`` in range, ``v > 1`` and no percent format (150 vs 1.5% for a
      KPI whose maximum is 300%): ambiguous, refused;
    - (d) anything else: out of range, refused with the range in percent.
    """
    def inside(x: float) -> bool:
        return (lo is None or x >= lo) and (hi is None or x <= hi)

    pct, num = format_percent, format_number
    span = (f"a percentage from {pct(lo)} to {pct(hi)}" if lo is not None and hi is not None
            else "a percentage in the valid range")
    if typed_percent:
        if inside(number / 100):
            return number / 100, False
        raise InvalidValue(f"{num(number)}% is out of range", span)
    formatted = "%" in (number_format or "")
    if number == 1 and not formatted and inside(1.0) and inside(0.01):
        # methodology §7: 1 reads as 100% (a fraction) or 1% (a whole-number percent)
        raise InvalidValue("1 is ambiguous: it could mean 100% or 1%",
                           "type it with a % sign, as 100% or 1%")
    if inside(number) and (number <= 1 or formatted):
        return number, False
    if inside(number / 100) and not inside(number):
        return number / 100, True
    if inside(number) and inside(number / 100):
        raise InvalidValue(f"{num(number)} is ambiguous: it could mean {pct(number)} or "
                           f"{num(number)}%",
                           f"type it with a % sign, as {pct(number)} or {num(number)}%")
    shown = pct(number) if formatted else num(number)
    hint = f"; to mean {pct(number)} type it as {pct(number)}" if inside(number) else ""
    raise InvalidValue(f"{shown} is out of range", span + hint)


def parse_rating(value: Any) -> float:
    """A customer-expectation rating, 1 to 5 with decimals, or raises ``InvalidValue``."""
    expected = "a rating from 1 (very low) to 5 (very high); decimals allowed"
    try:
        number, typed_percent = parse_number(value)
    except InvalidValue as bad:
        raise InvalidValue(bad.message, expected) from None
    if typed_percent or not 1 <= number <= 5:
        raise InvalidValue(f"{clean_text(value)} is not a rating from 1 to 5", expected)
    return number


def parse_answer(value: Any, labels: list[str]) -> Answer:
    """A practice answer: 0-4, :data:`NA`, or raises ``InvalidValue``."""
    allowed = "one of " + ", ".join([*labels, NA_LABEL])
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and 0 <= value <= 4:
            return int(value)
        raise InvalidValue(f"{format_number(float(value))} is outside the list of answers", allowed)
    text = clean_text(value)
    if text.lower() in _NA_TEXTS:
        return NA
    match = _LEADING_ANSWER.fullmatch(text)
    if match:
        return int(match[1])
    names = {label.split(" – ", 1)[1].lower(): i for i, label in enumerate(labels)}
    if text.lower() in names:
        return names[text.lower()]
    raise InvalidValue(f"{text!r} is outside the list of answers", allowed)


def format_number(x: float) -> str:
    return f"{x:.10g}"


def format_percent(x: float | None) -> str:
    return "?" if x is None else f"{x * 100:.10g}%"


# ----------------------------------------------------------------------------- tables


@dataclass
class Table:
    title: str
    formulas: Worksheet
    values: Worksheet
    header: int
    cols: dict[str, int]

    def rows(self) -> range:
        last = min(self.values.max_row, self.header + MAX_TABLE_ROWS)
        return range(self.header + 1, last + 1)

    def coord(self, row: int, key: str) -> str:
        return self.values.cell(row, self.cols[key]).coordinate


class WorkbookReader:
    """One pass over the workbook, collecting issues and warnings."""

    def __init__(self, framework: Framework, formulas: Workbook, values: Workbook,
                 segment: str | None = None) -> None:
        self.fw = framework
        #: The framework as this organization sees it (segment, currency); None when the
        #: profile leaves it open (a bad segment or a missing rate: targets are not checked).
        self.resolved: Framework | None = framework
        self.segment_override = segment
        self.formulas, self.values = formulas, values
        self.issues: list[Issue] = []
        self.warnings: list[str] = []
        self.cells: dict[str, str] = {}

    def issue(self, sheet: str | None, cell: str | None, message: str, expected: str = "") -> None:
        self.issues.append(Issue(message, expected, sheet=sheet, cell=cell))

    def warn(self, sheet: str, cell: str | None, text: str) -> None:
        sheet = printable(sheet)  # a sheet name may hold control characters; cell text is clean
        self.warnings.append(f"{sheet}!{cell}: {text}" if cell else f"{sheet}: {text}")

    def locate(self, key: str, t: Table, row: int, column: str) -> None:
        """Record where the answer ``key`` (``kpi.<id>``, ``profile.<field>`` …) lives."""
        self.cells[key] = f"{printable(t.title)}!{t.coord(row, column)}"

    # ------------------------------------------------------------------- structure

    def read(self) -> IntakeData:
        if not self.version_ok():
            return IntakeData(profile={})
        self.check_framework()
        data = IntakeData(profile=self.profile(), warnings=self.warnings, cells=self.cells)
        self.kpis(data)
        for qid in PRACTICE_QUESTIONNAIRES:
            data.answers[qid] = self.practices(qid, data.notes)
        data.ratings = self.expectations(data.notes)
        data.initiatives = self.initiatives()
        data.finding_wording = self.finding_wording()
        self.evidence(data)
        return data

    def sheet(self, role: str, report: bool = True) -> tuple[Worksheet, Worksheet] | None:
        wanted = SHEETS[role]
        titles = self.values.sheetnames
        match = next((t for t in titles if t == wanted), None) or next(
            (t for t in titles if t.strip().lower() == wanted.lower()), None)
        if match is None or not isinstance(self.values[match], Worksheet):
            if report:
                self.issue(wanted, None, f"sheet '{wanted}' not found (renamed or missing "
                           f"sheet); sheets found: {', '.join(titles)}",
                           f"a sheet named '{wanted}' — rename it back, or {_FRESH}")
            return None
        return self.formulas[match], self.values[match]

    def table(self, role: str, required: tuple[str, ...], optional: bool = False) -> Table | None:
        """The table of the sheet ``role`` found by its key row; an ``optional`` sheet that is
        absent gives None without an issue."""
        found = self.sheet(role, report=not optional)
        if found is None:
            return None
        formulas, values = found
        title = values.title
        id_key = required[0]
        for row in range(1, min(values.max_row, HEADER_SCAN_ROWS) + 1):
            keys: dict[str, int] = {}
            for cell in values[row]:
                if isinstance(cell.value, str) and cell.value.strip():
                    keys.setdefault(cell.value.strip().lower(), cell.column)
            if id_key not in keys:
                continue
            missing = [k for k in required if k not in keys]
            if missing:
                self.issue(title, f"A{row}", f"the header row {row} lacks the column key(s) "
                           f"{', '.join(missing)}",
                           f"the grey key row with {', '.join(required)} — {_FRESH}")
                return None
            return Table(title, formulas, values, row, keys)
        self.issue(title, None, f"no header row with the column keys {', '.join(required)} "
                   f"in the first {HEADER_SCAN_ROWS} rows",
                   f"the grey key row of the template left as it was — {_FRESH}")
        return None

    def raw(self, formulas: Worksheet, values: Worksheet, row: int, col: int) -> Any:
        """A cell's value (cached for formulas); reports and returns INVALID when unusable."""
        fcell, vcell = formulas.cell(row, col), values.cell(row, col)
        value = vcell.value
        is_formula = fcell.data_type == "f" or isinstance(
            fcell.value, (ArrayFormula, DataTableFormula))
        if is_formula and value is None:
            self.issue(values.title, vcell.coordinate,
                       "the cell holds a formula with no stored result", _FORMULA_HELP)
            return INVALID
        if vcell.data_type == "e":
            self.issue(values.title, vcell.coordinate, f"the cell shows the error {value}",
                       "a value, or a formula that gives one")
            return INVALID
        if isinstance(value, str):
            value = clean_text(value, multiline=True)
        return None if value == "" else value

    def cell(self, t: Table, row: int, key: str) -> Any:
        if key not in t.cols:
            return None
        return self.raw(t.formulas, t.values, row, t.cols[key])

    def text(self, t: Table, row: int, key: str, multiline: bool = False) -> Any:
        value = self.cell(t, row, key)
        if value is None or value is INVALID:
            return value
        return clean_text(value, multiline) or None

    # ------------------------------------------------------------------- version

    def version_ok(self) -> bool:
        """Check the template version; False stops reading (another layout: noise follows)."""
        sheet, cell = SHEETS["instructions"], INFO_CELLS[VERSION_NAME]
        expected = f"template version {' or '.join(SUPPORTED_VERSIONS)} — {_FRESH}"
        where = self.defined_cell(VERSION_NAME) or self.labelled_cell(VERSION_LABEL)
        if where is None:
            self.issue(sheet, cell, "the template version is missing", expected)
            return True
        formulas, values, cell = where
        value = self.raw(formulas, values, *coordinate_to_tuple(cell))
        sheet = values.title
        if value is None or value is INVALID:
            if value is None:
                self.issue(sheet, cell, "the template version is missing", expected)
            return True
        version = clean_text(value)
        if isinstance(value, float):
            version = repr(value)
        if version in UPGRADABLE_VERSIONS:
            self.issue(sheet, cell, f"this is a version {version} intake; this tool reads "
                       f"version {TEMPLATE_VERSION}, which also asks for the peer group, the "
                       "exchange rate and the yearly volumes",
                       f"upgrade it with `{UPGRADE_COMMAND}`: it copies every answer into a "
                       f"version {TEMPLATE_VERSION} workbook and lists what is left to fill in")
            return False
        if version not in SUPPORTED_VERSIONS:
            self.issue(sheet, cell, f"template version {version!r} is not supported", expected)
            return False
        return True

    def defined_cell(self, name: str) -> tuple[Worksheet, Worksheet, str] | None:
        try:
            defined = self.formulas.defined_names.get(name)
            destinations = list(defined.destinations) if defined is not None else []
        except Exception:  # a malformed name is the same as a missing one
            return None
        for title, ref in destinations:
            cell = ref.replace("$", "")
            if title in self.values.sheetnames and re.fullmatch(r"[A-Z]{1,3}\d{1,7}", cell):
                return self.formulas[title], self.values[title], cell
        return None

    def labelled_cell(self, label: str) -> tuple[Worksheet, Worksheet, str] | None:
        found = self.sheet("instructions", report=False)
        if found is None:
            return None
        for row in range(1, min(found[1].max_row, 30) + 1):
            if clean_text(found[1].cell(row, 1).value or "").lower() == label.lower():
                return found[0], found[1], f"B{row}"
        return None

    def check_framework(self) -> None:
        for name, expected in (("framework_name", self.fw.name),
                               ("framework_version", self.fw.version)):
            where = self.defined_cell(name)
            if where is None:
                continue
            value = where[1][where[2]].value
            if value is not None and clean_text(value) != str(expected):
                self.warn(where[1].title, where[2],
                          f"the workbook was made for {name.replace('_', ' ')} "
                          f"{clean_text(value)!r}, it is read with {expected!r}; "
                          "KPIs and items are matched by key")

    # ------------------------------------------------------------------- profile

    def profile(self) -> dict[str, Any]:
        t = self.table("profile", ("field", "value"))
        if t is None:
            self.resolved = None
            return {}
        out: dict[str, Any] = {}
        bad: set[str] = set()
        seen: dict[str, str] = {}
        for row in t.rows():
            key = self.text(t, row, "field")
            if key is INVALID:
                continue
            value = self.cell(t, row, "value")
            if key is None:
                if value is not None and value is not INVALID:
                    self.issue(t.title, t.coord(row, "value"), "a value in a row without a key",
                               "a key in the Key column, or no value")
                continue
            key = key.lower()
            if key in seen:
                self.issue(t.title, t.coord(row, "field"),
                           f"the {profile_label(key)} row appears twice (first at {seen[key]})",
                           "each field once — delete one of the rows")
                continue
            seen[key] = t.coord(row, "field")
            if key in RESERVED_PROFILE_KEYS:
                self.issue(t.title, t.coord(row, "field"),
                           f"the key {key!r} is reserved for the organization's name, which "
                           f"comes from the {PROFILE_LABELS['organization']} row",
                           "another key for this extra row (e.g. trading_name), or delete it")
                continue
            self.locate(f"profile.{key}", t, row, "value")
            if value is INVALID:
                bad.add(key)
                continue
            try:
                parsed = profile_value(key, value, self.fw)
            except InvalidValue as problem:
                self.issue(t.title, t.coord(row, "value"), problem.message, problem.expected)
                bad.add(key)
                continue
            if parsed is not None:
                out[key] = parsed
        for key in PROFILE_REQUIRED:
            if key not in seen:
                self.issue(t.title, None, f"the required {profile_label(key)} row is missing",
                           f"a row with '{key}' in the Key column — {_FRESH}")
        self.check_profile(t, out, bad)
        return out

    def check_profile(self, t: Table, profile: dict[str, Any], bad: set[str]) -> None:
        """What the fields say together: the exchange rate the currency needs, the
        ``--segment`` override; then the framework the targets are checked against."""
        def where(key: str) -> str | None:
            return self.cells.get(f"profile.{key}", "").rpartition("!")[2] or None

        if self.segment_override is not None:
            try:
                profile["segment"] = segment_value(self.segment_override, self.fw)
                bad.discard("segment")
                self.cells.pop("profile.segment", None)
            except InvalidValue as problem:
                self.issue(None, None, f"--segment: {problem.message}", problem.expected)
                bad.add("segment")
        currency, own = profile.get("currency"), self.fw.settings.currency
        rate = profile.get("fx_rate")
        for problem in check_profile(self.fw, profile):  # the core's rules, cells added here
            key = problem.path or ""
            if key in bad:
                continue  # its value was refused already
            bad.add(key)
            if key == "fx_rate" and rate is None:
                self.issue(t.title, where(key), f"{currency} differs from the framework's "
                           f"{own}: give the exchange rate",
                           f"the {PROFILE_LABELS['fx_rate']}: how many {currency} one {own} "
                           f"buys (a number above 0, e.g. {fx_example(currency)}), the rate "
                           "used for the assessment period")
            else:
                self.issue(t.title, where(key), problem.message, problem.expected)
        if currency == own and rate is not None:
            del profile["fx_rate"]
            if not math.isclose(rate, 1.0):
                self.warn(t.title, where("fx_rate"),
                          f"{PROFILE_LABELS['fx_rate']} {format_number(rate)} ignored: the "
                          f"currency {currency} is the framework's own, so no rate applies")
        if bad & {"segment", "fx_rate", "currency"}:
            self.resolved = None
        else:
            self.resolved = self.fw.resolved(profile.get("segment"), profile.get("fx_rate"))

    # ------------------------------------------------------------------- KPIs

    def kpis(self, data: IntakeData) -> None:
        data.current.update(dict.fromkeys(k.id for k in self.fw.kpis))
        t = self.table("kpis", ("kpi_id", "current", "target"))
        if t is None:
            return
        known = {k.id: k for k in (self.resolved or self.fw).kpis}
        for kpi_id, kpi, row in self.keyed_rows(t, "kpi_id", known, "KPI", ("current", "target")):
            self.locate(f"kpi.{kpi_id}", t, row, "current")
            current = self.kpi_value(t, row, "current", kpi)
            if current is not INVALID:
                data.current[kpi_id] = current
            if kpi.direction != "band":
                self.locate(f"kpi.{kpi_id}.target", t, row, "target")
                target = self.kpi_value(t, row, "target", kpi)
                if target is not None and target is not INVALID:
                    self.target(t, row, kpi, target, data.targets)
            note = self.text(t, row, "notes", multiline=True)
            if isinstance(note, str):
                data.notes[kpi_id] = note

    def kpi_value(self, t: Table, row: int, key: str, kpi: Kpi) -> Any:
        value = self.cell(t, row, key)
        if value is None or value is INVALID:
            return value
        coord = t.coord(row, key)
        lo, hi = (self.resolved or self.fw).valid_range(kpi)
        try:
            number, warning = kpi_number(kpi, value, lo, hi, t.values[coord].number_format)
        except InvalidValue as bad:
            self.issue(t.title, coord, bad.message, bad.expected or _example(kpi))
            return INVALID
        if warning:
            self.warn(t.title, coord, warning)
        return number

    def target(self, t: Table, row: int, kpi: Kpi, target: float,
               targets: dict[str, float]) -> None:
        """Keep an override that differs from the (resolved) framework's target; one on the
        wrong side of its floor is refused. Unchecked while the profile leaves the framework
        open (its problem is reported there)."""
        problem = target_problem(kpi, target) if self.resolved is not None else None
        if problem:
            self.issue(t.title, t.coord(row, "target"), *problem)
        elif kpi.target is None or not math.isclose(target, kpi.target, rel_tol=1e-9,
                                                    abs_tol=1e-12):
            targets[kpi.id] = target

    def keyed_rows(self, t: Table, id_key: str, known: dict[str, Any], what: str,
                   inputs: tuple[str, ...],
                   warn_missing: bool = True) -> list[tuple[str, Any, int]]:
        """Rows with a known, first-seen id; reports unknown/duplicate ids and orphan values,
        and warns of a known id without a row unless ``warn_missing`` is False."""
        seen: dict[str, str] = {}
        out = []
        for row in t.rows():
            raw_id = self.text(t, row, id_key)
            if raw_id is INVALID:
                continue
            coord = t.coord(row, id_key)
            if raw_id is None:
                for key in inputs:
                    value = self.cell(t, row, key)
                    if value is not None and value is not INVALID:
                        self.issue(t.title, t.coord(row, key),
                                   f"a value in a row without a {id_key}",
                                   f"values only on the rows of the template, next to a {id_key}")
                continue
            item_id = raw_id.lower()
            if item_id not in known:
                self.issue(t.title, coord, f"unknown {what} id {raw_id!r}",
                           f"one of the {what} keys of the framework; do not edit the key "
                           "column — put comments in Notes")
            elif item_id in seen:
                self.issue(t.title, coord,
                           f"duplicate {what} id {item_id!r} (first at {seen[item_id]})",
                           f"each {what} once — delete one of the rows")
            else:
                seen[item_id] = coord
                out.append((item_id, known[item_id], row))
        for item_id, item in known.items():
            if warn_missing and item_id not in seen:
                self.warn(t.title, None, f"no row for {what} '{item_id}' ({item.name}); "
                          "treated as missing data")
        return out

    # ------------------------------------------------------------------- questionnaires

    def table_rows(self, t: Table, id_key: str, known: dict[str, Any], what: str,
                   inputs: tuple[str, ...]) -> list[tuple[str, int]]:
        """``(id, row)`` of the questionnaire rows to read (:meth:`keyed_rows`); upgrade-intake
        overrides it to list the rows of ids the framework no longer has."""
        return [(item_id, row) for item_id, _item, row in
                self.keyed_rows(t, id_key, known, what, inputs)]

    def practices(self, qid: str, notes: dict[str, str]) -> dict[str, Answer]:
        items = {item.id: item for item in self.fw.questionnaires[qid].items}
        answers: dict[str, Answer] = dict.fromkeys(items)
        t = self.table(qid, ("item_id", "answer"))
        if t is None:
            return answers
        labels = answer_labels(self.fw)
        for item_id, row in self.table_rows(t, "item_id", items, "practice", ("answer",)):
            self.locate(f"{qid}.{item_id}", t, row, "answer")
            value = self.cell(t, row, "answer")
            if value is not None and value is not INVALID:
                try:
                    answers[item_id] = parse_answer(value, labels)
                except InvalidValue as bad:
                    self.issue(t.title, t.coord(row, "answer"), bad.message, bad.expected)
            note = self.text(t, row, "notes", multiline=True)
            if isinstance(note, str):
                notes[f"{qid}.{item_id}"] = note
        return answers

    def expectations(self, notes: dict[str, str]) -> dict[str, dict[str, float | None]]:
        qid = "customer_expectations"
        items = {item.id: item for item in self.fw.questionnaires[qid].items}
        ratings = {item_id: dict.fromkeys(RATING_KEYS) for item_id in items}
        t = self.table(qid, ("dimension_id", *RATING_KEYS))
        if t is None:
            return ratings
        for dim_id, row in self.table_rows(t, "dimension_id", items, "dimension", RATING_KEYS):
            self.locate(f"{qid}.{dim_id}", t, row, RATING_KEYS[0])
            for key in RATING_KEYS:
                self.locate(f"{qid}.{dim_id}.{key}", t, row, key)
                value = self.cell(t, row, key)
                if value is None or value is INVALID:
                    continue
                try:
                    ratings[dim_id][key] = parse_rating(value)
                except InvalidValue as bad:
                    self.issue(t.title, t.coord(row, key), bad.message, bad.expected)
            note = self.text(t, row, "notes", multiline=True)
            if isinstance(note, str):
                notes[f"{qid}.{dim_id}"] = note
        return ratings

    # ------------------------------------------------------------------- tracking (optional)

    def initiatives(self) -> dict[str, dict[str, Any]]:
        """What the client recorded per initiative (the optional Initiatives sheet): only
        initiatives with at least one value; every row's cells located."""
        out: dict[str, dict[str, Any]] = {}
        t = self.table("initiatives", ("initiative_id", *INITIATIVE_INPUTS[:-1]), optional=True)
        if t is None:
            return out
        known = {item.id: item for item in self.fw.initiatives}
        for iid, _item, row in self.keyed_rows(t, "initiative_id", known, "initiative",
                                               INITIATIVE_INPUTS, warn_missing=False):
            record: dict[str, Any] = {}
            for key in INITIATIVE_INPUTS:
                if key not in t.cols:
                    record[key] = None
                    continue
                self.locate(f"initiative.{iid}.{key}", t, row, key)
                value = self.cell(t, row, key)
                if value is None or value is INVALID:
                    record[key] = None
                    continue
                try:
                    record[key] = tracking_value(key, value)
                except InvalidValue as bad:
                    self.issue(t.title, t.coord(row, key), bad.message, bad.expected)
                    record[key] = None
            if any(v is not None for v in record.values()):
                out[iid] = record
        return out

    def finding_wording(self) -> dict[str, str]:
        """The consultant's own wording per finding (the optional Findings sheet)."""
        out: dict[str, str] = {}
        t = self.table("findings", ("finding_id", "wording"), optional=True)
        if t is None:
            return out
        known = {f.id: f for f in self.fw.findings}
        for fid, _finding, row in self.keyed_rows(t, "finding_id", known, "finding",
                                                  ("wording",), warn_missing=False):
            self.locate(f"finding.{fid}", t, row, "wording")
            value = self.cell(t, row, "wording")
            if value is None or value is INVALID:
                continue
            try:
                text = bounded_text(value, "Your wording", MAX_TRACKING_TEXT, multiline=False)
            except InvalidValue as bad:
                self.issue(t.title, t.coord(row, "wording"), bad.message, bad.expected)
                continue
            if text:
                out[fid] = text
        return out


    # ------------------------------------------------------------------- evidence (optional)

    def evidence(self, data: IntakeData) -> None:
        """The figures on the optional Evidence sheet (methodology §11) into ``data.evidence``;
        a figure whose cell now holds another value is recorded as overridden, with a warning."""
        t = self.table("evidence", ("evidence_key", "value", "n"), optional=True)
        if t is None:
            return
        kpis = {k.id for k in self.fw.kpis}
        dims = {item.id for item in self.fw.questionnaires["customer_expectations"].items}
        for row in t.rows():
            key = self.text(t, row, "evidence_key")
            if key is None or key is INVALID:
                continue
            target, _, fid = str(key).partition(".")
            known = (target == "kpi" and fid in kpis) or (
                target == "profile" and fid in VOLUME_FIELDS) or (
                target == "expectation" and fid.rpartition(".")[0] in dims
                and fid.rpartition(".")[2] in RATING_KEYS)
            if not known:
                self.issue(t.title, t.coord(row, "evidence_key"),
                           f"'{key}' is not a KPI, profile volume or expectation rating",
                           "leave the Evidence sheet as support-excellence evidence wrote it")
                continue
            fields: dict[str, Any] = {}
            for name in ("value", "n", "ci_low", "ci_high", "sd"):
                value = self.cell(t, row, name)
                if value is INVALID or (value is not None and not _finite(value)):
                    self.issue(t.title, t.coord(row, name), f"{name} must be a number",
                               "leave the Evidence sheet as support-excellence evidence wrote "
                               "it")
                    value = None
                fields[name] = value
            if fields["value"] is None:
                continue
            texts = {name: self.text(t, row, name, multiline=True) for name in (
                "period_from", "period_to", "source", "definition", "flagged", "note")}
            texts = {k: None if v is INVALID else v for k, v in texts.items()}
            lo, hi = fields["ci_low"], fields["ci_high"]
            fig = EvidenceFigure(
                target=target, id=fid, value=float(fields["value"]),
                n=int(fields["n"] or 0), definition=texts["definition"] or "",
                ci=(float(lo), float(hi)) if lo is not None and hi is not None else None,
                sd=None if fields["sd"] is None else float(fields["sd"]),
                period_from=_day_text(texts["period_from"]),
                period_to=_day_text(texts["period_to"]), source=texts["source"] or "",
                flagged=str(texts["flagged"] or "").lower() == "yes", note=texts["note"] or "")
            data.evidence.append(fig)
            if not holds(data, fig):
                typed, cell = slot(data, target, fid)
                data.evidence_overridden[(target, fid)] = cell
                self.warn(t.title, t.coord(row, "value"),
                          f"{key} was computed as {_shown_number(fig.value)} from "
                          f"{fig.source}, but {cell or 'its cell'} now holds "
                          f"{'nothing' if typed is None else _shown_number(typed)}: the typed "
                          "value is scored and the evidence is shown as set aside")


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(
        value)


def _day_text(value: Any) -> str | None:
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%Y-%m-%d")
    return None if value is None else str(value)


def _shown_number(value: Any) -> str:
    return f"{float(value):,.6g}"


# ----------------------------------------------------------------------------- tracking values

_YES = {"yes", "y", "true", "x", "1"}
_NO = {"no", "n", "false", "0"}


def tracking_value(key: str, value: Any) -> Any:
    """One cell of the Initiatives sheet (``key`` one of :data:`INITIATIVE_INPUTS`) parsed:
    ``chosen`` a bool, ``due_date`` a date, ``status`` a key of :data:`INITIATIVE_STATUSES`,
    texts cleaned and bounded (None when blank); raises ``InvalidValue``."""
    if key == "chosen":
        return yes_no(value)
    if key == "due_date":
        day = _date(value, "Due date")
        if not 2000 <= day.year <= 2100:
            raise InvalidValue(f"Due date {day.isoformat()} is not between 2000 and 2100",
                               "a date such as 2026-09-30 (YYYY-MM-DD)")
        return day
    if key == "status":
        return initiative_status(value)
    limit = MAX_OWNER_TEXT if key == "owner" else MAX_TRACKING_TEXT
    label = {"owner": "Owner", "inhibitors": "What stands in the way"}.get(key, "Notes")
    return bounded_text(value, label, limit, multiline=key != "owner") or None


def yes_no(value: Any) -> bool:
    """``yes``/``no`` (also y/n, true/false, a TRUE/FALSE cell) as a bool."""
    text = clean_text(value).lower()
    if isinstance(value, bool) or text in _YES | _NO:
        return value if isinstance(value, bool) else text in _YES
    raise InvalidValue(f"Chosen {clean_text(value)[:40]!r} is not yes or no",
                       "yes or no (the dropdown), or blank while not decided")


def initiative_status(value: Any) -> str:
    """A status key of :data:`INITIATIVE_STATUSES` from its key or words, in any case
    (``In progress``, ``in-progress`` and ``in_progress`` alike)."""
    text = clean_text(value)
    key = re.sub(r"[\s\-]+", "_", text.lower())
    if key in INITIATIVE_STATUSES:
        return key
    choices = ", ".join(f"{k} ({words})" for k, words in INITIATIVE_STATUSES.items())
    raise InvalidValue(f"Status {text[:40]!r} is not one of the statuses",
                       f"one of {choices}, or blank")


def bounded_text(value: Any, label: str, limit: int, multiline: bool = True) -> str:
    """Untrusted text, cleaned (:func:`clean_text`); longer than ``limit`` is refused."""
    text = clean_text(value, multiline)
    if len(text) > limit:
        raise InvalidValue(f"{label} is {len(text):,} characters long, over the limit of "
                           f"{limit:,}", f"a shorter text (at most {limit:,} characters)")
    return text


# ----------------------------------------------------------------------------- profile values

PROFILE_EXPECTED = {
    "organization": "the organization's name",
    "industry": "the industry, e.g. enterprise software",
    "support_model": "one of " + ", ".join(SUPPORT_MODELS),
    "currency": "a 3-letter currency code such as USD or EUR",
    "assessment_date": "a date such as 2025-03-31",
}
#: Volumes (numbers of 0 or more) with the example their message gives.
_PROFILE_NUMBERS = {"annual_revenue": "1,200,000", "support_cost": "850,000",
                    "contract_revenue_base": "600,000", "assisted_cases": "42,300",
                    "support_headcount": "12", "active_customers": "250"}
assert set(_PROFILE_NUMBERS) == set(VOLUME_FIELDS)
#: Volumes in money: kept as given (never turned into whole numbers).
_MONEY = ("annual_revenue", "support_cost", "contract_revenue_base")
#: Typical rates per US dollar for the examples of messages (never used to convert).
_FX_EXAMPLES = {"EUR": "0.92", "GBP": "0.79", "JPY": "150", "CHF": "0.88", "CAD": "1.37",
                "AUD": "1.52", "INR": "83"}
#: The label the client sees for each built-in key (messages name it, not the hidden key).
PROFILE_LABELS = {f.key: f.label for f in PROFILE_FIELDS}
#: Keys an extra Profile row may not use: the results keep the organization's name under
#: ``name`` (built-in keys are refused anyway, as a field given twice).
RESERVED_PROFILE_KEYS = ("name",)


def profile_label(key: str) -> str:
    """How messages name a profile field: its label, or the key of an extra row in quotes."""
    return PROFILE_LABELS.get(key) or repr(key)


def fx_example(currency: str | None) -> str:
    """An example exchange rate for messages: ``0.92`` for EUR, else a generic one."""
    known = _FX_EXAMPLES.get(currency or "")
    return f"{known} for {currency}" if known else "0.92 for EUR or 150 for JPY"


def segment_value(value: Any, framework: Framework | None) -> str:
    """A peer group id of ``framework`` from its id or name, in any case; raises
    ``InvalidValue`` with a did-you-mean for a near miss."""
    label = PROFILE_LABELS["segment"]
    text = clean_text(value)
    if framework is None:
        return text.lower()
    segments = framework.settings.segments
    if not segments:
        raise InvalidValue(f"{label} {text!r} given, but the framework has no peer groups",
                           "leave it blank")
    by_name = {s.id.lower(): s.id for s in segments.values()}
    by_name.update({" ".join(s.name.lower().split()): s.id for s in segments.values()})
    found = by_name.get(" ".join(text.lower().split()))
    if found is not None:
        return found
    close = difflib.get_close_matches(text.lower()[:80], list(by_name), n=1, cutoff=0.6)
    hint = ""
    if close:
        match = segments[by_name[close[0]]]
        hint = f"; did you mean {match.id!r} ({match.name})?"
    choices = ", ".join(f"{s.id} ({s.name})" for s in segments.values())
    raise InvalidValue(f"{label} {text!r} is not one of the framework's peer groups{hint}",
                       f"one of {choices}, or blank for the general targets")


def profile_value(key: str, value: Any, framework: Framework | None = None) -> Any:
    """Parse one profile value (None when a free field is blank); raises ``InvalidValue``
    naming the field by its label, also for a required field left blank. ``framework``
    gives the peer groups a segment must be one of (without it any text is taken)."""
    label = profile_label(key)
    if key in PROFILE_REQUIRED and (value is None or not clean_text(value)):
        raise InvalidValue(f"{label} is required", PROFILE_EXPECTED[key])
    if value is None:
        return None
    if key == "assessment_date":
        return _date(value, label)
    if key == "segment":
        return segment_value(value, framework)
    if key in _SPECIAL:
        lo, hi, what, expected = _SPECIAL[key]
        try:
            number, typed_percent = parse_number(value)
        except InvalidValue as bad:
            raise InvalidValue(f"{label} {bad.message}", expected) from None
        if typed_percent or not lo <= number <= hi or (key == "fx_rate" and number == 0):
            raise InvalidValue(f"{label} {clean_text(value)!r} is not {what}", expected)
        return number
    if key in _PROFILE_NUMBERS:
        expected = f"a number of 0 or more, such as {_PROFILE_NUMBERS[key]}"
        try:
            number, typed_percent = parse_number(value)
        except InvalidValue as bad:
            raise InvalidValue(f"{label} {bad.message}", expected) from None
        if typed_percent or number < 0:
            raise InvalidValue(f"{label} {clean_text(value)!r} is not a number of 0 or more",
                               expected)
        return int(number) if number.is_integer() and key not in _MONEY else number
    if key not in PROFILE_REQUIRED:
        if isinstance(value, float) and not math.isfinite(value):
            raise InvalidValue(f"{label} holds a number too large to use ({value})",
                               "text, or an ordinary number")
        if isinstance(value, (int, float, dt.date)) and not isinstance(value, bool):
            return value.date() if isinstance(value, dt.datetime) else value
        return clean_text(value, multiline=True) or None
    text = clean_text(value)
    if key == "support_model":
        if text.lower() not in SUPPORT_MODELS:
            raise InvalidValue(f"{label} {text!r} is not one of the choices",
                               PROFILE_EXPECTED[key])
        return text.lower()
    if key == "currency":
        if not re.fullmatch(r"[A-Za-z]{3}", text):
            raise InvalidValue(f"{label} {text!r} is not a 3-letter currency code",
                               PROFILE_EXPECTED[key])
        return text.upper()
    return text


#: Profile numbers with their own range: (lowest, highest, what they must be, expected).
_SPECIAL: dict[str, tuple[float, float, str, str]] = {
    "fx_rate": (0.0, math.inf, "a number above 0",
                "a number above 0: how many units of your currency one unit of the framework's "
                "currency buys, e.g. 0.92 for EUR per USD; blank when your currency is the "
                "framework's"),
    "self_rated_alignment": (0.0, 10.0, "a number from 0 to 10",
                             "a number from 0 (not at all aligned) to 10 (completely), e.g. 7"),
}


def _date(value: Any, label: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = clean_text(value)
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    raise InvalidValue(f"{label} {text!r} is not a date", "a date such as 2025-03-31 (YYYY-MM-DD)")


def range_text(lo: float | None, hi: float | None) -> str:
    if lo is not None and hi is not None:
        return f"a number from {format_number(lo)} to {format_number(hi)}"
    if lo is not None:
        return f"a number of {format_number(lo)} or more"
    return f"a number of {format_number(hi)} or less" if hi is not None else "a number"
