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

from assessment.core.framework import Framework
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
    (rounded to whole counts) and expectation ratings, recorded in ``evidence``. A later
    report's figure replaces an earlier one for the same target; figures the intake's framework
    does not know are left to the caller to refuse (:func:`unknown_targets`)."""
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
        elif target == "profile":  # volumes are whole counts in the intake
            data.profile[fid] = round(fig.value) if fig.value is not None else None
        else:
            dim, rating = fid.split(".", 1)
            data.ratings.setdefault(dim, {})[rating] = fig.value
    data.evidence = sorted(chosen.values(), key=lambda f: (TARGETS.index(f.target), f.id))
    return data


def unknown_targets(figures: Iterable[EvidenceFigure],
                    framework: Framework) -> list[EvidenceFigure]:
    """The figures whose KPI or expectation dimension is not in ``framework``."""
    known_kpis = {k.id for k in framework.kpis}
    known_dims = {i.id for i in framework.questionnaires["customer_expectations"].items}
    return [f for f in figures
            if (f.target == "kpi" and f.id not in known_kpis)
            or (f.target == "expectation" and f.id.rpartition(".")[0] not in known_dims)]


def slot(intake: IntakeData, target: str, fid: str) -> tuple[Any, str]:
    """What ``intake`` holds where a figure of ``target`` and ``fid`` goes, and the cell that
    value was read from (empty when it was not read from a workbook)."""
    if target == "kpi":
        return intake.current.get(fid), intake.cells.get(f"kpi.{fid}", "")
    if target == "profile":
        return intake.profile.get(fid), intake.cells.get(f"profile.{fid}", "")
    dim, _, rating = fid.rpartition(".")
    return (intake.ratings.get(dim, {}).get(rating),
            intake.cells.get(f"customer_expectations.{dim}.{rating}", ""))


def holds(intake: IntakeData, fig: EvidenceFigure) -> bool:
    """Whether ``intake`` still holds ``fig``'s value in its place (a profile volume holds it
    rounded to a whole count, as :func:`apply_evidence` puts it)."""
    typed, _cell = slot(intake, fig.target, fig.id)
    if fig.value is None or not isinstance(typed, int | float) or isinstance(typed, bool):
        return False
    expected = round(fig.value) if fig.target == "profile" else fig.value
    return math.isclose(float(typed), expected, rel_tol=1e-9, abs_tol=1e-12)


def typed_over(intake: IntakeData) -> dict[tuple[str, str], str]:
    """The figures of ``intake.evidence`` whose place no longer holds their value (typed over
    or cleared): ``(target, id)`` -> the cell."""
    return {(f.target, f.id): slot(intake, f.target, f.id)[1] for f in intake.evidence
            if f.value is not None and not holds(intake, f)}


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


# --------------------------------------------------------------------------- into results


def results_evidence(intake: IntakeData) -> list[dict[str, Any]]:
    """results.json's ``evidence``: every figure of the intake, whether it is ``used`` (the
    intake still holds its value) and the ``cell`` it filled."""
    out = []
    for fig in intake.evidence:
        key = (fig.target, fig.id)
        record = fig.as_dict()
        record["used"] = key not in intake.evidence_overridden
        record["cell"] = slot(intake, fig.target, fig.id)[1]
        out.append(record)
    return out


def kpi_evidence(intake: IntakeData, kpi_id: str) -> dict[str, Any] | None:
    """A KPI's ``evidence`` in results.json: n, interval, source, period, definition; None when
    its value was typed (or typed over the evidence)."""
    fig = _used(intake, "kpi", kpi_id)
    if fig is None:
        return None
    return {"n": fig.n, "ci": list(fig.ci) if fig.ci else None, "source": fig.source,
            "period": {"from": fig.period_from, "to": fig.period_to},
            "definition": fig.definition}


def dimension_survey(intake: IntakeData, dim: str) -> dict[str, Any] | None:
    """An expectation dimension's ``survey`` in results.json (methodology §6): the customers'
    and the staff's means with sd and n, and ``flagged`` when a group has fewer than
    :data:`MIN_RESPONDENTS`; None when its ratings were typed."""
    figs = {rating: _used(intake, "expectation", f"{dim}.{rating}")
            for rating in ("importance", "performance", "priority")}
    if not any(figs.values()):
        return None

    def stat(fig: EvidenceFigure | None) -> dict[str, Any] | None:
        return None if fig is None else {"mean": fig.value, "sd": fig.sd, "n": fig.n}

    customer = [f for k, f in figs.items() if f and k != "priority"]
    return {
        "customer": {"n": max((f.n for f in customer), default=0),
                     "importance": stat(figs["importance"]),
                     "performance": stat(figs["performance"])},
        "staff": {"n": figs["priority"].n if figs["priority"] else 0,
                  "priority": stat(figs["priority"])},
        "flagged": any(f.flagged for f in figs.values() if f),
        "source": next(f.source for f in figs.values() if f),
    }


def _used(intake: IntakeData, target: str, fid: str) -> EvidenceFigure | None:
    if (target, fid) in intake.evidence_overridden:
        return None
    return next((f for f in intake.evidence if f.target == target and f.id == fid), None)


