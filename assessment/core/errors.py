"""Errors that carry data: every problem found, each with where it is and how to fix it.

The CLI, the notebooks and the widgets all present the same list of :class:`Issue`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

#: Characters a terminal acts on instead of showing: C0 controls (newline included, so one
#: issue stays one line), DEL, C1 controls (U+009B is CSI, the start of an escape sequence) and
#: the invisible bidirectional controls (U+202E reverses the text that follows it).
_UNPRINTABLE = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` safe to print: every control character shown as a visible escape (``\\x9b``,
    ``\\u202e``), everything else unchanged. For terminals and plain-text listings; HTML and
    Excel escape on their own."""
    return _UNPRINTABLE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match[0])
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


@dataclass(frozen=True)
class Issue:
    """One problem in an input: where it is, what is wrong and what is expected.

    ``sheet``/``cell`` locate a problem in a workbook, ``path`` one in a YAML file. Every text
    is kept :func:`printable`, as parts of it (sheet names, cell text) come from the input.
    """

    message: str
    expected: str = ""
    sheet: str | None = None
    cell: str | None = None
    path: str | None = None

    def __post_init__(self) -> None:
        for name in ("message", "expected", "sheet", "cell", "path"):
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, printable(value))

    @property
    def location(self) -> str:
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or self.path or ""

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}" if self.location else self.message
        return f"{text} — {self.expected}" if self.expected else text

    def as_dict(self) -> dict[str, str | None]:
        return {
            "location": self.location,
            "sheet": self.sheet,
            "cell": self.cell,
            "path": self.path,
            "message": self.message,
            "expected": self.expected,
        }


class InputError(Exception):
    """Raised when an input has problems; ``issues`` holds all of them."""

    kind = "input"

    def __init__(self, issues: Iterable[Issue], source: str = "") -> None:
        self.issues: list[Issue] = list(issues)
        self.source = source
        super().__init__(self.report())

    def report(self) -> str:
        head = f"{len(self.issues)} problem(s) in {self.kind}"
        head += f" {printable(self.source)}" if self.source else ""
        return head + ":\n" + "\n".join(f"  {issue}" for issue in self.issues)


class FrameworkError(InputError):
    """The framework file is invalid."""

    kind = "framework"


class IntakeError(InputError):
    """The intake workbook is invalid."""

    kind = "intake"


class ExportError(InputError):
    """A raw export (tickets or survey responses) or its column mapping cannot be used."""

    kind = "export"


class MappingError(ExportError):
    """A column mapping (``--mapping`` or a shipped one) is invalid."""

    kind = "column mapping"
