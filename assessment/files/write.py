"""Writing files safely and reproducibly.

- :func:`atomic_write` writes to a temporary file beside the target and renames it, so a failure
  never leaves a half-written file.
- :func:`workbook_bytes` saves an openpyxl workbook with pinned timestamps, so identical inputs
  give byte-identical ``.xlsx`` files.
- :func:`safe_slug` turns an untrusted organization name into a safe file name, and
  :func:`organization_key` says which names are one organization.
- :func:`publish_files` writes a set of files into a folder all or nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import re
import shutil
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any

_EPOCH = dt.datetime(2000, 1, 1)


def atomic_write(path: str | Path, write: Callable[[IO[bytes]], Any] | bytes | str) -> Path:
    """Write ``path`` atomically from bytes, text (UTF-8) or a callable given a binary file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            if isinstance(write, str):
                handle.write(write.encode("utf-8"))
            elif isinstance(write, bytes):
                handle.write(write)
            else:
                write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def publish_files(folder: str | Path, files: Mapping[str, bytes | str],
                  last: str | None = None) -> dict[str, Path]:
    """Write ``files`` (file name -> bytes or UTF-8 text) into ``folder`` all or nothing.

    Every file is first written in full to a hidden staging folder beside ``folder`` (same file
    system); only when all are written are they moved in with ``os.replace``, the file named
    ``last`` last. A failure while writing (disk full, no permission) leaves ``folder`` exactly
    as it was; a failure while moving puts back the files already replaced (kept through hard
    links). Other files in ``folder`` are left alone. Raises the ``OSError``.
    """
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp",
                                    dir=folder.parent))
    created = not folder.exists()
    try:
        for name, content in files.items():
            atomic_write(staging / name, content)
        folder.mkdir(exist_ok=True)
        _swap_in(staging, folder, sorted(files, key=lambda n: n == last))
    except BaseException:
        if created:
            with contextlib.suppress(OSError):
                folder.rmdir()  # only if nothing is in it
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return {name: folder / name for name in files}


def _swap_in(staging: Path, folder: Path, names: list[str]) -> None:
    """Move ``staging/<name>`` over ``folder/<name>`` for every name, undoing on failure."""
    previous = staging / ".previous"
    previous.mkdir()
    done: list[tuple[str, bool]] = []  # (name, it existed before)
    try:
        for name in names:
            target = folder / name
            existed = target.exists()
            if existed:
                with contextlib.suppress(OSError):  # no hard links here: no way back for it
                    os.link(target, previous / name)
            os.replace(staging / name, target)
            done.append((name, existed))
    except BaseException:
        for name, existed in reversed(done):
            with contextlib.suppress(OSError):
                if (previous / name).exists():
                    os.replace(previous / name, folder / name)
                elif not existed:
                    (folder / name).unlink()
        raise


def workbook_bytes(workbook: Any, when: dt.datetime | dt.date | None = None) -> bytes:
    """Save an openpyxl workbook to bytes with every timestamp pinned to ``when``.

    openpyxl stamps ``modified`` with the current time and zip entries with the clock; both
    are replaced here so that the same workbook content always gives the same bytes. The parts
    openpyxl writes are collected in memory (:class:`_Parts`) and zipped once, exactly as
    saving to a zip and copying its entries into a new one with pinned dates did (the same
    names, order, data and compression), without the first compression and the temporary file
    per sheet.
    """
    moment = _as_datetime(when)
    workbook.properties.created = moment
    parts = _Parts()
    _save(workbook, parts)
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    latest = dict(parts.items)  # reading a repeated name back gives its last data
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, _ in parts.items:
            data = latest[name]
            if name == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>" + stamp.encode() + rb"\g<2>", data)
            entry = zipfile.ZipInfo(name, date_time=moment.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, data)
    return out.getvalue()


class _Parts:
    """Stands in for the zip archive openpyxl's writer fills: each part's name (as the zip
    would store it) and bytes, in the order written."""

    def __init__(self) -> None:
        self.items: list[tuple[str, bytes]] = []

    def writestr(self, name: str | zipfile.ZipInfo, data: bytes | str) -> None:
        if isinstance(name, zipfile.ZipInfo):
            name = name.filename
        if isinstance(data, str):
            data = data.encode("utf-8")
        self.items.append((zipfile.ZipInfo(name).filename, data))

    def write(self, filename: str, arcname: str | None = None) -> None:
        name = zipfile.ZipInfo.from_file(filename, arcname).filename
        self.items.append((name, Path(filename).read_bytes()))

    def namelist(self) -> list[str]:
        return [name for name, _ in self.items]

    def close(self) -> None:
        pass


def _save(workbook: Any, parts: _Parts) -> None:
    """What ``workbook.save`` does (openpyxl 3.1), into ``parts``; sheets are serialised in
    memory rather than through a temporary file each."""
    from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
    from openpyxl.worksheet._writer import WorksheetWriter
    from openpyxl.writer.excel import ExcelWriter

    class MemoryWriter(ExcelWriter):  # type: ignore[misc]
        def write_worksheet(self, ws: Any) -> None:
            if self.workbook.write_only:
                super().write_worksheet(ws)
                return
            ws._drawing = SpreadsheetDrawing()
            ws._drawing.charts = ws._charts
            ws._drawing.images = ws._images
            writer = WorksheetWriter(ws, out=io.BytesIO())
            writer.write()
            ws._rels = writer._rels
            self._archive.writestr(ws.path[1:], writer.read())
            self.manifest.append(ws)

    if workbook.read_only:
        raise TypeError("Workbook is read-only")
    if workbook.write_only and not workbook.worksheets:
        workbook.create_sheet()
    workbook.properties.modified = dt.datetime.now(tz=dt.UTC).replace(tzinfo=None)
    MemoryWriter(workbook, parts).save()


def _as_datetime(when: dt.datetime | dt.date | None) -> dt.datetime:
    if when is None:
        return _EPOCH
    if isinstance(when, dt.datetime):
        return when.replace(tzinfo=None, microsecond=0)
    return dt.datetime(when.year, when.month, when.day)


_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
             *(f"lpt{i}" for i in range(10))}
#: A slug is cut to this many UTF-8 bytes too, so that ``<slug>-<tag>-<date>`` and
#: ``<slug>-scorecard.ipynb`` stay far below the usual 255-byte limit of a file name.
SLUG_MAX_BYTES = 120


def safe_slug(name: str | None, fallback: str = "organization", max_length: int = 60) -> str:
    """A file-name-safe slug: lower-case letters and digits (of any script) and single
    hyphens, never empty.

    The name is NFKC-normalised; accents on Latin letters are dropped (``Société`` ->
    ``societe``), letters and digits of other scripts are kept (``ООО Ромашка`` ->
    ``ооо-ромашка``, ``株式会社テスト`` stays); everything else (path separators, dots,
    punctuation, emoji, control and format characters) becomes a hyphen. Windows device names
    such as ``CON`` get a suffix; the result is cut to ``max_length`` characters and
    :data:`SLUG_MAX_BYTES` bytes.
    """
    text = unicodedata.normalize("NFKC", str(name or "")).lower()
    kept: list[str] = []
    for char in unicodedata.normalize("NFKD", text):
        kind = unicodedata.category(char)[0]
        if kind in "LN":
            kept.append(char)
        elif kind == "M":
            # a mark stays on a letter of a non-Latin script (Devanagari vowels, kana voicing)
            if kept and kept[-1] != "-" and not kept[-1].isascii():
                kept.append(char)
        elif kept and kept[-1] != "-":
            kept.append("-")
    text = unicodedata.normalize("NFC", "".join(kept)).strip("-")[:max_length]
    while len(text.encode("utf-8")) > SLUG_MAX_BYTES:
        text = text[:-1]
    text = text.rstrip("-")
    if not text:
        return fallback
    if text.split("-")[0] in _RESERVED:
        text = f"{text}-org"
    return text


def organization_key(name: str | None) -> str:
    """Who an organization is: its name without case and extra spaces. Two results with the
    same key are one client (the portfolio) and may share an output folder (a re-assessment
    replaces its own files); two different keys never share one."""
    return " ".join(str(name or "").split()).casefold()
