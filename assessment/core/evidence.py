"""Evidence from raw data (methodology §11): figures computed from exports, as plain data.

What the readers at the edge (:mod:`assessment.evidence`) hand over, the statistics they share,
and how the figures fill an intake. Pure: no files, no DuckDB.

- :class:`EvidenceFigure` is one value with its sample size, 95% interval, period and source;
- :class:`EvidenceReport` is one export's figures plus every row left out, and serializes to the
  ``support-excellence/evidence@1`` document of §11;
- :func:`apply_evidence` fills a copy of an :class:`~assessment.core.model.IntakeData`.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from assessment.core.model import IntakeData

EVIDENCE_SCHEMA = "support-excellence/evidence@1"
#: The normal quantile of a two-sided 95% interval.
Z95 = 1.96
#: Fewer respondents than this in a group flags an expectation dimension (methodology §6).
MIN_RESPONDENTS = 5
#: How many first row numbers an exclusion lists.
FIRST_ROWS = 10
#: Days in a month for ``cases_per_engineer_month`` (methodology §11: days / (365/12)).
DAYS_PER_MONTH = 365 / 12
TARGETS = ("kpi", "profile", "expectation")


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """Wilson's score interval for the proportion ``k / n``; None when ``n`` is 0."""
    if n <= 0:
        return None
    p = k / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def nps_interval(promoters: int, detractors: int, n: int,
                 z: float = Z95) -> tuple[float, float] | None:
    """The 95% interval of an NPS in points (§11): ``±1.96·100·sqrt((p+ + p− − (p+ − p−)²)/n)``,
    kept within -100..100 (the contract's normal approximation can reach past them for very few
    answers). None when ``n`` is 0."""
    if n <= 0:
        return None
    pp, pd = promoters / n, detractors / n
    score = 100 * (pp - pd)
    half = z * 100 * math.sqrt(max(0.0, pp + pd - (pp - pd) ** 2) / n)
    return max(-100.0, score - half), min(100.0, score + half)


def mean_sd(values: Iterable[float]) -> tuple[float | None, float | None, int]:
    """Mean, sample standard deviation (n − 1; None below two values) and n."""
    data = list(values)
    n = len(data)
    if not n:
        return None, None, 0
    mean = math.fsum(data) / n
    sd = math.sqrt(math.fsum((x - mean) ** 2 for x in data) / (n - 1)) if n > 1 else None
    return mean, sd, n


@dataclass(frozen=True)
class EvidenceFigure:
    """One figure computed from raw data.

    ``target`` says what it fills: ``"kpi"`` (a KPI's current value), ``"profile"`` (a profile
    volume such as ``assisted_cases``) or ``"expectation"`` (``id`` is ``"<dimension>.<rating>"``,
    a mean rating). Percent KPIs are fractions, NPS is in points, durations are hours.
    """

    target: str
    id: str
    value: float | None
    n: int
    definition: str
    ci: tuple[float, float] | None = None
    sd: float | None = None
    period_from: str | None = None
    period_to: str | None = None
    source: str = ""
    flagged: bool = False
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"target": self.target, "id": self.id, "value": self.value, "n": self.n,
                "ci": list(self.ci) if self.ci else None, "sd": self.sd,
                "period": {"from": self.period_from, "to": self.period_to},
                "source": self.source, "definition": self.definition, "flagged": self.flagged,
                "note": self.note}


@dataclass(frozen=True)
class Exclusion:
    """Rows left out for one reason: how many, and the first spreadsheet row numbers (the header
    is row 1)."""

    reason: str
    rows: int
    first_rows: tuple[int, ...]
    description: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"reason": self.reason, "rows": self.rows, "first_rows": list(self.first_rows),
                "description": self.description}


@dataclass
class EvidenceReport:
    """Everything one export gave: its figures, what it could not give, and what it left out."""

    kind: str
    source: dict[str, Any]
    period_from: str | None
    period_to: str | None
    period_days: float | None
    figures: list[EvidenceFigure] = field(default_factory=list)
    unavailable: list[tuple[str, str]] = field(default_factory=list)
    excluded: list[Exclusion] = field(default_factory=list)
    #: Expectations kind: dimension -> rating -> {"mean", "sd", "n"}, plus "flagged".
    expectations: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def source_label(self) -> str:
        """How a figure names its source, e.g. ``"tickets.csv (zendesk export)"``."""
        name = self.source.get("file", "")
        what = self.source.get("system") or self.kind
        return f"{name} ({what} {'export' if self.kind == 'tickets' else 'survey'})"

    @property
    def rows_left_out(self) -> int:
        return sum(e.rows for e in self.excluded)

    def figure(self, target: str, fid: str) -> EvidenceFigure | None:
        return next((f for f in self.figures if f.target == target and f.id == fid), None)

    def to_json(self) -> dict[str, Any]:
        """The ``support-excellence/evidence@1`` document (methodology §11)."""
        doc: dict[str, Any] = {
            "schema": EVIDENCE_SCHEMA,
            "source": dict(self.source, kind=self.kind),
            "period": {"from": self.period_from, "to": self.period_to,
                       "days": self.period_days},
            "kpis": {f.id: {"value": f.value, "n": f.n, "ci": list(f.ci) if f.ci else None,
                            "definition": f.definition}
                     for f in self.figures if f.target == "kpi"},
            "profile": {f.id: f.value for f in self.figures if f.target == "profile"},
            "unavailable": [{"kpi": k, "reason": r} for k, r in self.unavailable],
            "excluded": [e.as_dict() for e in self.excluded],
        }
        if self.kind == "expectations":
            doc["expectations"] = self.expectations
        return doc


def apply_evidence(intake: IntakeData, reports: Iterable[EvidenceReport]) -> IntakeData:
    """A copy of ``intake`` with each report's figures as current values (KPIs), profile volumes
    and expectation ratings, recorded in ``evidence``. A later report's figure replaces an
    earlier one for the same target."""
    data = copy.deepcopy(intake)
    chosen: dict[tuple[str, str], EvidenceFigure] = {
        (f.target, f.id): f for f in data.evidence}
    for report in reports:
        for fig in report.figures:
            if fig.value is not None:
                chosen[(fig.target, fig.id)] = fig
    for (target, fid), fig in chosen.items():
        if target == "kpi":
            data.current[fid] = fig.value
        elif target == "profile":
            data.profile[fid] = fig.value
        else:
            dim, rating = fid.split(".", 1)
            data.ratings.setdefault(dim, {})[rating] = fig.value
    data.evidence = sorted(chosen.values(), key=lambda f: (TARGETS.index(f.target), f.id))
    return data


def figure_from_dict(raw: Mapping[str, Any]) -> EvidenceFigure:
    """The inverse of :meth:`EvidenceFigure.as_dict` (results.json and the intake sheet)."""
    period = raw.get("period") or {}
    ci = raw.get("ci")
    return EvidenceFigure(
        target=str(raw["target"]), id=str(raw["id"]), value=raw.get("value"),
        n=int(raw.get("n") or 0), definition=str(raw.get("definition") or ""),
        ci=(float(ci[0]), float(ci[1])) if ci else None, sd=raw.get("sd"),
        period_from=period.get("from"), period_to=period.get("to"),
        source=str(raw.get("source") or ""), flagged=bool(raw.get("flagged")),
        note=str(raw.get("note") or ""))
