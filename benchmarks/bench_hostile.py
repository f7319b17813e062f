"""Benchmark: hostile and oversized intake workbooks are refused (or scored) cheaply.

Target (issue 11, item 3): every input up to the size limit is refused or scored within 10 s and
500 MB peak RSS on the project's 2-core machine. Each shape is built from a bundled sample
workbook (small on disk), then ``support-excellence validate`` (or ``score``) runs on it in a
child process; its wall time and peak RSS (``os.wait4``) are measured. The child also gets an
address-space cap (``--cap-mb``) and a timeout, so a regression fails instead of exhausting the
machine. Prints a Markdown table and exits non-zero when a row fails.

    python benchmarks/bench_hostile.py [--command score] [--only far_cell,many_styles]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from openpyxl.utils import get_column_letter

from assessment.core.defaults import DEFAULT_MAX_BYTES
from assessment.intake.layout import MAX_CELLS, MAX_COLUMNS, MAX_ROWS, SHEETS, TEMPLATE_SHEETS
from assessment.intake.reader import MAX_PART_BYTES, MAX_UNPACKED_BYTES, MAX_XML_ELEMENTS
from assessment.intake.samples import sample_workbooks

BUDGET_S, BUDGET_MB = 10.0, 500.0
Parts = dict[str, bytes]


@dataclass
class Shape:
    name: str
    build: Callable[[Path], None]
    what: str


# ----------------------------------------------------------------------------- building


def base_parts() -> Parts:
    with zipfile.ZipFile(next(p for p in sample_workbooks() if p.stem == "northwind-cloud")) as z:
        return {name: z.read(name) for name in z.namelist()}


def sheet_part(parts: Parts, role: str) -> str:
    """The zip member of a layout sheet, through workbook.xml and its relationships."""
    rid = re.search(rf'name="{SHEETS[role]}"[^>]*r:id="(\w+)"'.encode(),
                    parts["xl/workbook.xml"])[1]
    target = re.search(rb'Id="' + rid + rb'"[^>]*Target="([^"]+)"|Target="([^"]+)"[^>]*Id="'
                       + rid + rb'"', parts["xl/_rels/workbook.xml.rels"])
    return "xl/" + (target[1] or target[2]).decode().lstrip("/").removeprefix("xl/")


def write(path: Path, parts: Parts, extra: list[tuple[str, bytes]] = (),
          level: int = 9) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        for name, data in parts.items():
            z.writestr(name, data)
        for name, data in extra:
            z.writestr(name, data)


def append_rows(xml: bytes, rows: bytes) -> bytes:
    return xml.replace(b"</sheetData>", rows + b"</sheetData>", 1)


def before(xml: bytes, tag: bytes, insert: bytes) -> bytes:
    """``insert`` just before ``tag`` (schema order), else before the end of the worksheet."""
    at = xml.find(tag)
    at = at if at >= 0 else xml.rfind(b"</worksheet>")
    return xml[:at] + insert + xml[at:]


def edit_sheet(role: str, fn: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        parts = base_parts()
        name = sheet_part(parts, role)
        parts[name] = fn(parts[name])
        write(path, parts)
    return build


def cells(first_row: int, rows: int, cols: int, value: Callable[[int, int], bytes]) -> bytes:
    letters = [get_column_letter(c).encode() for c in range(1, cols + 1)]
    out = []
    for r in range(first_row, first_row + rows):
        rb = str(r).encode()
        out.append(b'<row r="' + rb + b'">' + b"".join(
            b'<c r="' + letters[c] + rb + b'">' + value(r, c) + b"</c>" for c in range(cols))
            + b"</row>")
    return b"".join(out)


def far_cell(path: Path) -> None:
    edit_sheet("kpis", lambda x: append_rows(x, b'<row r="1048576"><c r="XFD1048576">'
                                                b"<v>1</v></c></row>"))(path)


def every_sheet(fn: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        parts = base_parts()
        for role in TEMPLATE_SHEETS:
            name = sheet_part(parts, role)
            parts[name] = fn(parts[name])
        write(path, parts)
    return build


def shared_strings(count: int, text: Callable[[int], str]) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        parts = base_parts()
        body = "".join(f"<si><t>{text(i)}</t></si>" for i in range(count)).encode()
        parts["xl/sharedStrings.xml"] = (
            b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="'
            + str(count).encode() + b'">' + body + b"</sst>")
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
            b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
        parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
            b"</Relationships>", b'<Relationship Id="rIdSst" Type="http://schemas.openxmlformats'
            b'.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
            b"</Relationships>")
        write(path, parts)
    return build


def many_styles(path: Path) -> None:
    parts = base_parts()
    xml = parts["xl/styles.xml"]
    count = MAX_XML_ELEMENTS  # each <xf> is one element: just past the element limit
    xfs = b'<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' * count
    parts["xl/styles.xml"] = re.sub(rb'<cellXfs count="\d+">', lambda m: b'<cellXfs count="'
                                    + str(count).encode() + b'">' + xfs, xml, count=1)
    write(path, parts)


def styles_under_limit(path: Path) -> None:
    """As many cell formats as Excel allows (64,000): accepted, and must stay cheap."""
    parts = base_parts()
    xfs = b'<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' * 64_000
    parts["xl/styles.xml"] = re.sub(rb'<cellXfs count="\d+">', lambda m: b'<cellXfs count="'
                                    b'64000">' + xfs, parts["xl/styles.xml"], count=1)
    write(path, parts)


def long_notes(path: Path) -> None:
    """Every notes cell of the KPI and practice sheets filled to Excel's 32,767 characters."""
    parts = base_parts()
    text = ("é" * 32_767).encode()
    for role in ("kpis", "renewal_practices", "excellence_practices", "customer_expectations"):
        name = sheet_part(parts, role)
        xml = parts[name]
        col = {"kpis": "H", "customer_expectations": "H"}.get(role, "E")
        for r in range(5, 40):
            ref = f"{col}{r}".encode()
            xml = re.sub(rb'<c r="' + ref + rb'"([^>]*?)(/>|>.*?</c>)',
                         lambda m, ref=ref: b'<c r="' + ref + b'" t="inlineStr"><is><t>' + text
                         + b"</t></is></c>", xml, count=1)
        parts[name] = xml
    write(path, parts)


def many_entries(path: Path) -> None:
    write(path, base_parts(), [(f"customXml/item{i}.bin", b"x") for i in range(6000)])


def duplicate_member(path: Path) -> None:
    parts = base_parts()
    name = sheet_part(parts, "kpis")
    with warnings_off():
        write(path, parts, [(name, parts[name])])


class warnings_off:
    def __enter__(self) -> None:
        import warnings
        self.cm = warnings.catch_warnings()
        self.cm.__enter__()
        warnings.simplefilter("ignore")

    def __exit__(self, *exc: object) -> None:
        self.cm.__exit__(*exc)


def near_size_limit(path: Path) -> None:
    """A file just under the size limit: random numbers in cells (barely compressible)."""
    rng = random.Random(11)
    parts = base_parts()
    name = sheet_part(parts, "profile")
    rows, cols = 600, MAX_COLUMNS  # filler that fits the row/column bounds
    filler = cells(40, rows, cols, lambda r, c: b"<v>" + str(rng.random()).encode() + b"</v>")
    parts[name] = append_rows(parts[name], filler)
    write(path, parts, level=1)
    room = DEFAULT_MAX_BYTES - path.stat().st_size - 64 * 1024  # top up with random bytes
    write(path, parts, [("xl/media/filler.bin", rng.randbytes(max(room, 0)))], level=1)


def deep_nesting(path: Path) -> None:
    depth = 200_000
    edit_sheet("kpis", lambda x: before(x, b"<pageMargins", b"<extLst>" + b"<a>" * depth
                                        + b"</a>" * depth + b"</extLst>"))(path)


def huge_merge(path: Path) -> None:
    edit_sheet("kpis", lambda x: before(x, b"<dataValidations", b'<mergeCells count="1">'
                                        b'<mergeCell ref="K1:XFD1048576"/></mergeCells>'))(path)


def huge_hyperlink(path: Path) -> None:
    edit_sheet("kpis", lambda x: before(x, b"<pageMargins", b'<hyperlinks><hyperlink '
                                        b'ref="K1:XFD1048576" location="A1"/></hyperlinks>'))(path)


def formatted_rows(path: Path) -> None:
    rows = b"".join(b'<row r="%d" ht="20" customHeight="1"/>' % r for r in range(40, 300_000))
    edit_sheet("kpis", lambda x: append_rows(x, rows))(path)


def many_validations(path: Path) -> None:
    count = MAX_XML_ELEMENTS // 2 - 10_000  # <dataValidation><formula1>: two elements each
    dv = b"".join(b'<dataValidation sqref="K%d" type="whole"><formula1>1</formula1>'
                  b"</dataValidation>" % (1 + i % MAX_ROWS) for i in range(count))

    def add(x: bytes) -> bytes:
        x = re.sub(rb"<dataValidations[^>]*>.*?</dataValidations>", b"", x, flags=re.S)
        return before(x, b"<pageMargins", b"<dataValidations>" + dv + b"</dataValidations>")
    edit_sheet("kpis", add)(path)


def big_attributes(path: Path) -> None:
    attrs = b" ".join(b'a%d="1"' % i for i in range(1_500_000))
    edit_sheet("kpis", lambda x: before(x, b"<pageMargins", b"<extLst " + attrs
                                        + b"/>"))(path)


def numbers(r: int, c: int) -> bytes:
    return b"<v>%d</v>" % (r * c)


def formulas(r: int, c: int) -> bytes:
    return b"<f>1+1</f><v>2</v>"


def _cells_shape(rows: int, cols: int, value: Callable[[int, int], bytes],
                 role: str = "instructions") -> Callable[[Path], None]:
    def fix(xml: bytes) -> bytes:
        return append_rows(xml, cells(60, rows, cols, value))
    return edit_sheet(role, fix)


def shapes() -> list[Shape]:
    per_sheet = (MAX_CELLS - 1000) // 6
    return [
        Shape("valid_sample", lambda p: write(p, base_parts()), "the sample, unchanged"),
        Shape("far_cell", far_cell, "one cell at XFD1048576 (item 1)"),
        Shape("huge_used_range", _cells_shape(400, 1000, numbers),
              "400 x 1,000 filled cells"),
        Shape("many_rows_every_sheet", every_sheet(lambda x: append_rows(
            x, cells(60, 100_000, 1, numbers))), "100,000 rows on every sheet"),
        Shape("cells_at_limit", every_sheet(lambda x: append_rows(
            x, cells(60, per_sheet // 20, 20, numbers))), f"~{MAX_CELLS:,} cells, in bounds"),
        Shape("formulas_at_limit", every_sheet(lambda x: append_rows(
            x, cells(60, per_sheet // 20, 20, formulas))),
              f"~{MAX_CELLS:,} formula cells (read twice)"),
        Shape("too_many_cells", every_sheet(lambda x: append_rows(
            x, cells(60, 4000, 20, numbers))), "80,000 cells per sheet, in bounds"),
        Shape("giant_shared_strings", shared_strings(3_000_000, lambda i: ""),
              "3,000,000 empty shared strings"),
        Shape("long_shared_strings", shared_strings(600, lambda i: "x" * 32_767),
              "600 shared strings of 32,767 characters"),
        Shape("many_styles", many_styles, f"{MAX_XML_ELEMENTS:,} cell formats"),
        Shape("styles_64000", styles_under_limit, "64,000 cell formats (Excel's maximum)"),
        Shape("long_notes", long_notes, "every notes cell 32,767 characters (valid)"),
        Shape("many_entries", many_entries, "6,000 zip entries (item 16)"),
        Shape("duplicate_member", duplicate_member, "a sheet part twice (item 17)"),
        Shape("near_size_limit", near_size_limit, "a file just under the size limit"),
        Shape("deep_nesting", deep_nesting, "XML nested 200,000 deep"),
        Shape("huge_merge", huge_merge, "a merged range K1:XFD1048576"),
        Shape("huge_hyperlink", huge_hyperlink, "a hyperlink on K1:XFD1048576"),
        Shape("formatted_rows", formatted_rows, "300,000 formatted empty rows"),
        Shape("many_validations", many_validations, "190,000 data validations"),
        Shape("big_attributes", big_attributes, "one element with 1.5 M attributes"),
        Shape("bomb_part", lambda p: write(p, base_parts(), [
            ("xl/media/zeros.bin", b"\0" * (MAX_PART_BYTES + 1))]),
              "one part unpacking past the part limit"),
        Shape("bomb_total", lambda p: write(p, base_parts(), [
            (f"xl/media/zeros{i}.bin", b"\0" * (MAX_PART_BYTES - 1))
            for i in range(MAX_UNPACKED_BYTES // MAX_PART_BYTES + 1)]),
              "parts unpacking past the total limit"),
    ]


# ----------------------------------------------------------------------------- running


def unpacked(path: Path) -> int:
    try:
        with zipfile.ZipFile(path) as z:
            return sum(i.file_size for i in z.infolist())
    except zipfile.BadZipFile:
        return 0


def run(path: Path, command: str, out: Path, timeout: float, cap_mb: int
        ) -> tuple[str, float, float]:
    """(outcome, seconds, peak RSS MB) of one CLI run on ``path``."""
    argv = [sys.executable, "-m", "assessment", command, str(path)]
    if command == "score":
        argv += ["--out", str(out), "--quiet"]

    def limit() -> None:
        cap = cap_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    log = out.with_suffix(".log")
    with log.open("wb") as sink:  # a file, not a pipe: a long report must not block the child
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=sink, stderr=subprocess.STDOUT, preexec_fn=limit)
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > start + timeout:
                proc.send_signal(signal.SIGKILL)
                _pid, status, usage = os.wait4(proc.pid, 0)
                proc.returncode = -signal.SIGKILL
                return f"timeout after {timeout:.0f} s", timeout, usage.ru_maxrss / 1024
            time.sleep(0.02)
    seconds = time.perf_counter() - start
    output = log.read_text(errors="replace")
    proc.returncode = os.waitstatus_to_exitcode(status)
    code = proc.returncode
    if code == 0:
        outcome = "scored" if command == "score" else "valid"
    elif code < 0 or "MemoryError" in output:
        outcome = f"killed ({'MemoryError' if 'MemoryError' in output else -code})"
    else:
        lines = [line.strip() for line in output.splitlines() if line.strip()]
        issue = next((line for line in lines[1:]), lines[0] if lines else "")
        outcome = "refused: " + issue
    return outcome, seconds, usage.ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--command", choices=("validate", "score"), default="validate")
    parser.add_argument("--only", default="", help="comma-separated shape names")
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--cap-mb", type=int, default=3000,
                        help="address-space cap of the child (safety net)")
    parser.add_argument("--width", type=int, default=110, help="outcome column width")
    args = parser.parse_args(argv)
    wanted = {s for s in args.only.split(",") if s}
    failed = 0
    print(f"| shape | file | unpacked | outcome ({args.command}) | s | peak MB | "
          f"{BUDGET_S:.0f} s / {BUDGET_MB:.0f} MB |")
    print("|---|--:|--:|---|--:|--:|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for shape in shapes():
            if wanted and shape.name not in wanted:
                continue
            path = Path(tmp) / f"{shape.name}.xlsx"
            shape.build(path)
            outcome, seconds, peak = run(path, args.command, Path(tmp) / "out", args.timeout,
                                         args.cap_mb)
            ok = (seconds <= BUDGET_S and peak <= BUDGET_MB
                  and not outcome.startswith(("killed", "timeout")))
            failed += not ok
            text = outcome if len(outcome) <= args.width else outcome[:args.width - 1] + "…"
            print(f"| {shape.name} ({shape.what}) | {_mb(path.stat().st_size)} | "
                  f"{_mb(unpacked(path))} | {text.replace('|', '/')} | {seconds:.2f} | "
                  f"{peak:.0f} | {'PASS' if ok else 'FAIL'} |", flush=True)
            path.unlink()
    return 1 if failed else 0


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.2f} MB" if n >= 100 * 1024 else f"{n / 1024:.0f} KB"


if __name__ == "__main__":
    sys.exit(main())
