"""Opening a client's export for DuckDB: format, encoding and delimiter, said or detected.

Nothing is guessed in silence: a byte-order mark decides the encoding, otherwise the file must
decode as UTF-8 (or ``--encoding`` names another); the header line decides the delimiter when
exactly one of comma, semicolon and tab appears in it, otherwise ``--delimiter`` must.
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import os
import tempfile
import threading
import zoneinfo
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assessment.core.errors import ExportError, Issue

if TYPE_CHECKING:
    import duckdb

#: What ``--encoding`` accepts (DuckDB's own CSV encodings), and ``auto``.
ENCODINGS: tuple[str, ...] = ("auto", "utf-8", "utf-16", "latin-1")
#: What ``--delimiter`` accepts: the name or the character.
DELIMITERS: dict[str, str] = {"auto": "", "comma": ",", "semicolon": ";", "tab": "\t",
                              ",": ",", ";": ";", "\t": "\t"}
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
#: How much of the file is read to check the encoding and find the header line.
SNIFF_BYTES = 1 << 20
#: DuckDB's working memory for an export of up to about 10 million tickets; beyond it, reading
#: and grouping spill to a temporary folder, so exports larger than memory stream through (the
#: 10-million-ticket benchmark peaks under 1 GB). Exact medians keep every duration (16 bytes a
#: ticket), so a larger export gets :data:`BYTES_PER_ROW` per estimated row, up to
#: :data:`MAX_MEMORY_SHARE` of the machine's memory.
MEMORY_LIMIT_MB = 600
BYTES_PER_ROW = 60
MAX_MEMORY_SHARE = 0.6
#: Bytes per ticket, to estimate the rows of a file from its size (a generous guess).
ROW_BYTES = {"csv": 100, "parquet": 28}
_HASHING = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sha256")


@dataclass(frozen=True)
class ExportFile:
    """One export, ready to read: its DuckDB table expression and how it was read."""

    path: Path
    format: str  # csv | parquet
    encoding: str | None
    delimiter: str | None
    digest: Future[str] | str
    size: int
    #: The file the client gave, when ``path`` is a CSV made from it (a survey workbook).
    original: Path | None = None

    @property
    def sha256(self) -> str:
        """The file's SHA-256, computed beside the reading (a future until first asked)."""
        return self.digest if isinstance(self.digest, str) else self.digest.result()

    @property
    def name(self) -> str:
        return (self.original or self.path).name

    def source(self) -> dict[str, object]:
        """The evidence JSON's ``source`` fields about the file."""
        return {"file": self.name, "sha256": self.sha256, "bytes": self.size,
                "format": "xlsx" if self.original else self.format, "encoding": self.encoding,
                "delimiter": DELIMITER_NAMES.get(self.delimiter or "")}

    def table(self) -> str:
        """The SQL table function that reads the file (every CSV cell as text)."""
        path = sql_string(str(self.path))
        if self.format == "parquet":
            return f"read_parquet({path}, file_row_number=true)"
        delim = sql_string(self.delimiter or ",")
        return (f"read_csv({path}, header=true, all_varchar=true, delim={delim}, "
                f"quote='\"', escape='\"', encoding={sql_string(self.encoding or 'utf-8')}, "
                "max_line_size=4194304)")


def sql_string(text: str) -> str:
    """``text`` as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def sql_name(name: str) -> str:
    """``name`` as a quoted SQL identifier (export headers may hold any character)."""
    return '"' + name.replace('"', '""') + '"'


def open_export(path: str | Path, *, encoding: str = "auto", delimiter: str = "auto",
                formats: tuple[str, ...] = ("csv", "parquet")) -> ExportFile:
    """Check ``path`` and settle how to read it, or raise :class:`ExportError`."""
    path = Path(path)
    where = path.name

    def refuse(message: str, expected: str) -> ExportError:
        return ExportError([Issue(message, expected, path=where)], source=str(path))

    if not path.is_file():
        raise refuse("the file does not exist", "give the path of a CSV or Parquet export")
    fmt = _format(path)
    if fmt not in formats:
        raise refuse(f"a {path.suffix or 'file without extension'} file cannot be read here",
                     "give a " + " or ".join(f".{f}" for f in formats) + " file")
    size = path.stat().st_size
    if fmt != "csv":
        if fmt == "parquet" and not _is_parquet(path):
            raise refuse("the file is not Parquet (no PAR1 marker)",
                         "export again as Parquet, or give the CSV export")
        return ExportFile(path, fmt, None, None, _digest(path), size)
    if encoding not in ENCODINGS:
        raise refuse(f"unknown encoding {encoding!r}", "use one of " + ", ".join(ENCODINGS))
    if delimiter not in DELIMITERS:
        raise refuse(f"unknown delimiter {delimiter!r}",
                     "use comma, semicolon, tab or auto")
    head = _head(path)
    enc = _encoding(head, encoding, refuse)
    header = _header_line(head, enc)
    delim = DELIMITERS[delimiter] or _delimiter(header, refuse)
    return ExportFile(path, "csv", enc, delim, _digest(path), size)


def memory_limit_mb(export: ExportFile | None = None) -> int:
    """DuckDB's memory cap for ``export``: :data:`MEMORY_LIMIT_MB`, or more for a file of
    more than about 10 million tickets (within :data:`MAX_MEMORY_SHARE` of the machine)."""
    if export is None:
        return MEMORY_LIMIT_MB
    rows = export.size / ROW_BYTES.get(export.format, 100)
    wanted = int(rows * BYTES_PER_ROW / 2**20)
    try:
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**20
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not POSIX
        physical = 4096
    return max(MEMORY_LIMIT_MB, min(wanted, int(physical * MAX_MEMORY_SHARE)))


def connect(tz: str | None = None,
            export: ExportFile | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection for one computation: naive timestamps are read in ``tz``
    (UTC by default), memory is capped (:func:`memory_limit_mb`) and spills to a temporary
    folder."""
    import duckdb

    con = duckdb.connect(":memory:")
    spill = Path(tempfile.gettempdir()) / f"support-excellence-duckdb-{os.getpid()}"
    con.execute(f"SET memory_limit='{memory_limit_mb(export)}MB'")
    con.execute(f"SET temp_directory={sql_string(str(spill))}")
    con.execute(f"SET TimeZone={sql_string(tz or 'UTC')}")
    con.execute("SET enable_progress_bar=false")
    return con


def fetch(con: duckdb.DuckDBPyConnection, export: ExportFile,
          sql: str) -> list[tuple[object, ...]]:
    """The rows of ``sql``; DuckDB's failures as :class:`ExportError`: a line it cannot read
    (its message names the line), or running out of working memory."""
    return _reported(con, export, sql, lambda result: result.fetchall())


def fetch_column(con: duckdb.DuckDBPyConnection, export: ExportFile, sql: str,
                 column: str) -> Any:
    """One column of ``sql`` as a NumPy array, its failures reported as :func:`fetch`'s."""
    return _reported(con, export, sql, lambda result: result.fetchnumpy()[column])


def _reported(con: duckdb.DuckDBPyConnection, export: ExportFile, sql: str,
              take: Callable[[duckdb.DuckDBPyConnection], Any]) -> Any:
    try:
        return take(con.execute(sql))
    except Exception as error:  # noqa: BLE001 - a malformed line surfaces here
        if "Out of Memory" in str(error):
            raise ExportError([Issue(
                f"the computation needed more than its {memory_limit_mb(export)} MB of working "
                "memory (exact medians keep every ticket's durations)",
                "free memory or run it on a larger machine; or split the export by period "
                "(--from/--to) and compute each part", path=export.name)],
                source=str(export.path)) from None
        raise ExportError([Issue(f"the file cannot be read: {error_line(error)}",
                                 "fix or remove that line and export again",
                                 path=export.name)], source=str(export.path)) from None


def error_line(error: Exception) -> str:
    """The first line of DuckDB's message (it names the file's line), at most 300 characters."""
    text = str(error).strip()
    return text.splitlines()[0][:300] if text else type(error).__name__


def check_timezone(tz: str | None) -> str:
    """``tz`` if it is an IANA time-zone name (``Europe/Berlin``), else raises ``ValueError``."""
    name = tz or "UTC"
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not a time zone: give an IANA name such as "
                         "Europe/Berlin, America/New_York or UTC") from None
    return name


def _format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        return "csv"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    return suffix.lstrip(".") or "unknown"


def _digest(path: Path) -> Future[str]:
    """The file's SHA-256 in a background thread: hashlib releases the GIL, so it overlaps
    DuckDB's reading instead of adding to it."""
    return _HASHING.submit(_sha256, path)


def _sha256(path: Path) -> str:
    with contextlib.suppress(AttributeError, OSError):  # Linux: this thread alone
        # lowest priority, so it fills the moments DuckDB leaves a core idle rather than
        # taking one from it
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()


def _is_parquet(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(4) == b"PAR1"


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(SNIFF_BYTES)


def _encoding(head: bytes, asked: str, refuse) -> str:  # noqa: ANN001 - local factory
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        if asked not in ("auto", "utf-16"):
            raise refuse(f"the file starts with a UTF-16 mark, not {asked}",
                         "leave --encoding out, or give --encoding utf-16")
        if head.startswith(codecs.BOM_UTF16_BE):
            raise refuse("the file is UTF-16 big-endian, which cannot be read",
                         "save it as UTF-8 (CSV UTF-8) or Excel's Unicode text")
        return "utf-16"
    if asked == "utf-16":
        raise refuse("the file has no UTF-16 byte-order mark",
                     "leave --encoding out, or save the file as Excel's Unicode text")
    if asked == "latin-1":
        return "latin-1"
    if b"\x00" in head[:4096]:
        raise refuse("the file holds NUL bytes: it looks like UTF-16 without a byte-order mark",
                     "save it again as CSV UTF-8, or as Excel's Unicode text")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError as error:
        raise refuse(f"the file is not UTF-8 (byte {error.start + 1} cannot be decoded)",
                     "save it as CSV UTF-8, or give --encoding latin-1 for a Windows export"
                     ) from None
    return "utf-8"


def _header_line(head: bytes, encoding: str) -> str:
    codec = {"utf-16": "utf-16", "latin-1": "latin-1"}.get(encoding, "utf-8-sig")
    text = codecs.getincrementaldecoder(codec)(errors="replace").decode(head, final=False)
    return text.splitlines()[0] if text else ""


def _delimiter(header: str, refuse) -> str:  # noqa: ANN001 - local factory
    counts = {d: 0 for d in DELIMITER_NAMES}
    quoted = False
    for char in header:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    found = [d for d, n in counts.items() if n]
    if len(found) > 1:
        names = " and ".join(DELIMITER_NAMES[d] for d in found)
        raise refuse(f"the header line holds both {names}: the delimiter is ambiguous",
                     "give --delimiter comma, semicolon or tab")
    return found[0] if found else ","
