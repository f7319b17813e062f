"""Writing files safely and reproducibly.

- :func:`atomic_write` writes to a temporary file beside the target and renames it, so a failure
  never leaves a half-written file.
- :func:`workbook_bytes` saves an openpyxl workbook with pinned timestamps, so identical inputs
  give byte-identical ``.xlsx`` files.
- :func:`safe_slug` turns an untrusted organization name into a safe file name.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable
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


def workbook_bytes(workbook: Any, when: dt.datetime | dt.date | None = None) -> bytes:
    """Save an openpyxl workbook to bytes with every timestamp pinned to ``when``.

    openpyxl stamps ``modified`` with the current time and zip entries with the clock; both
    are replaced here so that the same workbook content always gives the same bytes.
    """
    moment = _as_datetime(when)
    workbook.properties.created = moment
    raw = io.BytesIO()
    workbook.save(raw)
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>" + stamp.encode() + rb"\g<2>", data)
            entry = zipfile.ZipInfo(info.filename, date_time=moment.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, data)
    return out.getvalue()


def _as_datetime(when: dt.datetime | dt.date | None) -> dt.datetime:
    if when is None:
        return _EPOCH
    if isinstance(when, dt.datetime):
        return when.replace(tzinfo=None, microsecond=0)
    return dt.datetime(when.year, when.month, when.day)


_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
             *(f"lpt{i}" for i in range(10))}


def safe_slug(name: str | None, fallback: str = "organization", max_length: int = 60) -> str:
    """A file-name-safe slug: ASCII letters, digits and single hyphens, never empty.

    Path separators, dots, emoji and control characters vanish; Windows device names such as
    ``CON`` get a suffix; the result is cut to ``max_length`` characters.
    """
    text = unicodedata.normalize("NFKD", str(name or ""))
    text = text.encode("ascii", "ignore").decode("ascii").lower()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    text = text[:max_length].rstrip("-")
    if not text:
        return fallback
    if text.split("-")[0] in _RESERVED:
        text = f"{text}-org"
    return text
