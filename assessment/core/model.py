"""Plain data handed from the intake stage to the scoring stage.

The intake reader, the widgets and tests all build an :class:`IntakeData`; the scoring engine
only reads it. Values are in computation units: percents are fractions (0.85 means 85%).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

#: The answer recorded for a questionnaire item marked "not applicable".
NA: Literal["n/a"] = "n/a"

#: One practice answer: 0-4 on the maturity scale, ``NA``, or None when left blank.
Answer = int | Literal["n/a"] | None

RATING_KEYS: tuple[str, ...] = ("importance", "performance", "priority")
PROFILE_REQUIRED: tuple[str, ...] = (
    "organization", "industry", "support_model", "currency", "assessment_date",
)
SUPPORT_MODELS: tuple[str, ...] = ("internal", "external", "blended")


@dataclass
class IntakeData:
    """Everything one organization's intake says, validated and in computation units.

    - ``profile``: at least the keys of ``PROFILE_REQUIRED``; ``assessment_date`` is a date.
    - ``current``: KPI id -> current value, None when left blank (missing, never zero).
    - ``targets``: KPI id -> target that overrides the framework's (only ids that override).
    - ``notes``: KPI id -> the client's note.
    - ``answers``: questionnaire id -> item id -> :data:`Answer`.
    - ``ratings``: dimension id -> {"importance", "performance", "priority"} -> 1-5 or None.
    - ``warnings``: what the reader accepted but wants a person to check.
    - ``cells``: where each value was read from, for messages.
    """

    profile: dict[str, Any]
    current: dict[str, float | None] = field(default_factory=dict)
    targets: dict[str, float] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    answers: dict[str, dict[str, Answer]] = field(default_factory=dict)
    ratings: dict[str, dict[str, float | None]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    source: str = ""
    #: Where each value came from, as ``"Sheet!A1"``: keys ``kpi.<id>``, ``kpi.<id>.target``,
    #: ``profile.<field>`` and ``<questionnaire>.<item>`` (empty for data not read from a
    #: workbook); messages name these cells.
    cells: dict[str, str] = field(default_factory=dict)
    #: Initiative id -> what the client recorded: ``chosen`` (bool or None), ``owner``,
    #: ``due_date`` (a date), ``status`` (not_started, in_progress, done, dropped),
    #: ``inhibitors``, ``notes``; only initiatives with something recorded.
    initiatives: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Finding id -> the consultant's own wording of that executive-summary finding.
    finding_wording: dict[str, str] = field(default_factory=dict)
    #: Figures computed from raw exports (methodology §11) that filled values of this intake,
    #: as :class:`assessment.core.evidence.EvidenceFigure`; the intake's "Evidence" sheet.
    evidence: list[Any] = field(default_factory=list)
    #: Evidence figures whose target the consultant changed afterwards: ``(target, id)`` ->
    #: the cell holding the typed value (that value is scored; the evidence is shown as set
    #: aside).
    evidence_overridden: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def organization(self) -> str:
        return str(self.profile.get("organization") or "")

    @property
    def assessment_date(self) -> dt.date | None:
        value = self.profile.get("assessment_date")
        return value if isinstance(value, dt.date) else None
