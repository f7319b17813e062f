"""Errors that carry data: every problem found, each with where it is and how to fix it.

The CLI, the notebooks and the widgets all present the same list of :class:`Issue`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Issue:
    """One problem in an input: where it is, what is wrong and what is expected.

    ``sheet``/``cell`` locate a problem in a workbook, ``path`` one in a YAML file.
    """

    message: str
    expected: str = ""
    sheet: str | None = None
    cell: str | None = None
    path: str | None = None

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
        head += f" {self.source}" if self.source else ""
        return head + ":\n" + "\n".join(f"  {issue}" for issue in self.issues)


class FrameworkError(InputError):
    """The framework file is invalid."""

    kind = "framework"


class IntakeError(InputError):
    """The intake workbook is invalid."""

    kind = "intake"
