"""One typed, read-only view of the results structure (methodology §8), built once.

:func:`assessment.core.scoring.score` returns plain data, and ``results.json`` stays exactly
that contract. Writers read it through :class:`ResultsView` (``ResultsView.from_dict(results)``)
instead of each keeping its own accessors: the organization's name, date and currency, area
names, and KPI rows of one shape for element and renewal KPIs (``points_at_stake`` is the
index points for an element KPI and the renewal-health points for a renewal KPI), and the
evidence of results@2 (methodology §11): :attr:`ResultsView.evidence` lists every figure computed
from the client's data, :attr:`KpiRow.evidence` says where an evidence-backed value comes from,
and :attr:`Dimension.survey` holds the customers' and the staff's ratings of a dimension. Results
without these keys (results@1, or @2 from before them) read as having no evidence. Pure.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from assessment.core.format import readings

UNNAMED = "Unnamed organization"
_KNOWN_PROFILE = ("name", "assessment_date", "industry", "support_model", "currency",
                  "segment", "segment_name", "fx_rate")
SCHEMA_V1 = "support-excellence/results@1"
SCHEMA_V2 = "support-excellence/results@2"


def _label(key: str) -> str:
    return str(key).replace("_", " ").strip().capitalize()


def _tuple(value: Any) -> tuple[float, ...] | None:
    return tuple(value) if isinstance(value, (list, tuple)) else None


def _interval(value: Any) -> tuple[float, float] | None:
    """A 95% interval ``[lo, hi]`` as a pair, or None."""
    if isinstance(value, (list, tuple)) and len(value) == 2 and None not in value:
        return float(value[0]), float(value[1])
    return None


@dataclass(frozen=True)
class KpiEvidence:
    """Where an evidence-backed KPI value comes from (results@2 ``kpis[].evidence``): the
    sample size, the 95% interval (None for a median or a volume), the source file and the
    period, and the definition used."""

    n: int
    ci: tuple[float, float] | None
    source: str
    period_from: str | None
    period_to: str | None
    definition: str

    @classmethod
    def from_dict(cls, e: Mapping[str, Any] | None) -> KpiEvidence | None:
        if not e:
            return None
        period = e.get("period") or {}
        return cls(int(e.get("n") or 0), _interval(e.get("ci")), str(e.get("source") or ""),
                   period.get("from"), period.get("to"), str(e.get("definition") or ""))

    def as_dict(self) -> dict[str, Any]:
        """The evidence as results.json holds it (what ``format.evidence_text`` reads)."""
        return {"n": self.n, "ci": list(self.ci) if self.ci else None, "source": self.source,
                "period": {"from": self.period_from, "to": self.period_to},
                "definition": self.definition}


@dataclass(frozen=True)
class EvidenceEntry:
    """One figure computed from the client's data (results@2 top-level ``evidence``).

    ``target`` is ``kpi``, ``profile`` or ``expectation`` (``id`` then is
    ``<dimension>.<rating>``); ``used`` is False when the consultant typed another value over
    it (the typed value is scored); ``flagged`` marks an expectation rating with fewer than 5
    respondents in its group."""

    target: str
    id: str
    value: float | None
    n: int
    ci: tuple[float, float] | None
    sd: float | None
    period_from: str | None
    period_to: str | None
    source: str
    definition: str
    flagged: bool
    used: bool
    cell: str
    note: str = ""

    @classmethod
    def from_dict(cls, e: Mapping[str, Any]) -> EvidenceEntry:
        period = e.get("period") or {}
        return cls(str(e.get("target") or ""), str(e.get("id") or ""), e.get("value"),
                   int(e.get("n") or 0), _interval(e.get("ci")), e.get("sd"),
                   period.get("from"), period.get("to"), str(e.get("source") or ""),
                   str(e.get("definition") or ""), bool(e.get("flagged")),
                   e.get("used", True) is not False, str(e.get("cell") or ""),
                   str(e.get("note") or ""))

    def as_dict(self) -> dict[str, Any]:
        """The entry's n, interval, source and period (what ``format.evidence_text`` reads)."""
        return {"n": self.n, "ci": list(self.ci) if self.ci else None, "source": self.source,
                "period": {"from": self.period_from, "to": self.period_to},
                "definition": self.definition}


@dataclass(frozen=True)
class RatingStat:
    """One rating's mean over the respondents of a survey, its standard deviation and n."""

    mean: float | None
    sd: float | None
    n: int

    @classmethod
    def from_dict(cls, s: Mapping[str, Any] | None) -> RatingStat | None:
        if not s:
            return None
        return cls(s.get("mean"), s.get("sd"), int(s.get("n") or 0))


@dataclass(frozen=True)
class DimensionSurvey:
    """An expectation dimension rated by many respondents (methodology §6, results@2
    ``dimensions[].survey``): the customers' importance and performance, the staff's
    priority, each group's n, and ``flagged`` when a group has fewer than 5 respondents."""

    customer_n: int
    importance: RatingStat | None
    performance: RatingStat | None
    staff_n: int
    priority: RatingStat | None
    flagged: bool
    source: str

    @classmethod
    def from_dict(cls, s: Mapping[str, Any] | None) -> DimensionSurvey | None:
        if not s:
            return None
        customer, staff = s.get("customer") or {}, s.get("staff") or {}
        return cls(int(customer.get("n") or 0), RatingStat.from_dict(customer.get("importance")),
                   RatingStat.from_dict(customer.get("performance")),
                   int(staff.get("n") or 0), RatingStat.from_dict(staff.get("priority")),
                   bool(s.get("flagged")), str(s.get("source") or ""))


@dataclass(frozen=True)
class Organization:
    """Who was assessed. ``name`` is never blank (:data:`UNNAMED` when the results give
    none; ``named`` says whether they do). ``currency`` is a three-letter code or None;
    ``profile`` holds every field of the results' organization except the name, in their
    order."""

    name: str
    named: bool
    date: dt.date | None
    date_text: str | None
    industry: str | None
    support_model: str | None
    currency: str | None
    profile: tuple[tuple[str, Any], ...]
    segment: str | None = None
    segment_name: str | None = None
    fx_rate: float | None = None

    @classmethod
    def from_dict(cls, org: Mapping[str, Any] | None) -> Organization:
        org = org or {}
        given = str(org.get("name") or "").strip()
        raw = org.get("assessment_date")
        date: dt.date | None
        if isinstance(raw, dt.date):
            date = raw
        else:
            try:
                date = dt.date.fromisoformat(str(raw)[:10])
            except ValueError:
                date = None
        code = str(org.get("currency") or "").strip().upper()
        return cls(
            name=given or UNNAMED, named=bool(given), date=date,
            date_text=None if raw in (None, "") else str(raw),
            industry=org.get("industry"), support_model=org.get("support_model"),
            currency=code if re.fullmatch(r"[A-Z]{3}", code) else None,
            profile=tuple((k, v) for k, v in org.items() if k != "name"),
            segment=org.get("segment"), segment_name=org.get("segment_name"),
            fx_rate=org.get("fx_rate"))

    def value(self, key: str) -> Any:
        """One profile field's value (None when absent)."""
        return dict(self.profile).get(key)

    @property
    def extra(self) -> tuple[tuple[str, Any], ...]:
        """Profile fields beyond name, date, industry, support model and currency."""
        return tuple((k, v) for k, v in self.profile if k not in _KNOWN_PROFILE)


@dataclass(frozen=True)
class Benchmark:
    value: float | None
    range: tuple[float, ...] | None
    source: str | None
    year: int | None
    note: str | None
    #: The benchmark's own currency (results@2), and its figure in the client's currency.
    currency: str | None = None
    converted: Mapping[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        """The benchmark as the results hold it (for :mod:`assessment.core.format`)."""
        return {"value": self.value, "range": self.range, "source": self.source,
                "year": self.year, "note": self.note, "currency": self.currency,
                "converted": self.converted}


@dataclass(frozen=True)
class KpiRow:
    """One KPI, element or renewal, in one shape."""

    id: str
    name: str
    area: str
    unit: str
    direction: str
    current: float | None
    target: float | None
    framework_target: float | None
    target_overridden: bool
    floor: float | tuple[float, ...] | None
    band: tuple[float, ...] | None
    weight: float
    score: float | None
    status: str
    points_at_stake: float | None
    benchmark: Benchmark | None
    note: str | None
    applicable: bool = True
    derived: bool = False
    derived_from: str | None = None
    target_basis: str | None = None
    currency: str | None = None
    #: Set when the current value was computed from the client's data (results@2).
    evidence: KpiEvidence | None = None

    @classmethod
    def from_dict(cls, k: Mapping[str, Any]) -> KpiRow:
        area = k.get("element") or ""
        bench = k.get("benchmark")
        floor = k.get("floor")
        return cls(
            id=k["id"], name=k.get("name") or k["id"], area=area, unit=k.get("unit") or "",
            direction=k.get("direction") or "", current=k.get("current"),
            target=k.get("target"), framework_target=k.get("framework_target"),
            target_overridden=bool(k.get("target_overridden")),
            floor=_tuple(floor) or floor, band=_tuple(k.get("band")),
            weight=k.get("weight", 0.0), score=k.get("score"),
            status=k.get("status") or "no_data",
            points_at_stake=(k.get("health_points_at_stake") if area == "renewal"
                             else k.get("points_at_stake")),
            benchmark=None if not bench else Benchmark(
                bench.get("value"), _tuple(bench.get("range")), bench.get("source"),
                bench.get("year"), bench.get("note"), bench.get("currency"),
                bench.get("converted")),
            note=k.get("note"), applicable=k.get("applicable", True) is not False,
            derived=bool(k.get("derived")), derived_from=k.get("derived_from"),
            target_basis=k.get("target_basis"), currency=k.get("currency"),
            evidence=KpiEvidence.from_dict(k.get("evidence")))


@dataclass(frozen=True)
class Element:
    key: str
    name: str
    score: float | None
    coverage: float
    weight: float
    rag: str | None
    kpis: int | None
    kpis_with_data: int | None
    measured_score: float | None = None
    sufficient: bool = True
    applicable: bool = True
    kpis_not_applicable: int = 0


@dataclass(frozen=True)
class Index:
    score: float | None
    coverage: float
    elements_scored: int
    level: int | None
    level_name: str | None
    rag: str | None
    measured_score: float | None = None
    sufficient: bool = True
    missing_kpi: str = "exclude"


@dataclass(frozen=True)
class ProjectionYear:
    year: int
    client: float | None
    industry: float | None
    target: float | None
    client_value: float | None


@dataclass(frozen=True)
class Renewal:
    health: float | None
    rag: str | None
    kpi_score: float | None
    kpi_coverage: float | None
    practices_score: float | None
    blend: float | None
    contract_renewal_rate: float | None
    industry_rate: float | None
    price_uplift: float | None
    projection: tuple[ProjectionYear, ...]
    applicable: bool = True
    kpi_measured_score: float | None = None
    recurring_revenue_rate: float | None = None
    value_basis: str | None = None
    money: RenewalMoney | None = None


@dataclass(frozen=True)
class MoneyYear:
    year: int
    client: float
    target: float
    industry: float


@dataclass(frozen=True)
class RenewalMoney:
    """§5 in money: the contract revenue base V and ``V·curve(k)`` per year."""

    base: float
    currency: str | None
    basis: str
    years: tuple[MoneyYear, ...]
    at_stake: float

    @classmethod
    def from_dict(cls, m: Mapping[str, Any] | None) -> RenewalMoney | None:
        if not m:
            return None
        return cls(m["base"], m.get("currency"), m.get("basis") or "contract_renewal_rate",
                   tuple(MoneyYear(y["year"], y["client"], y["target"], y["industry"])
                         for y in m.get("years") or ()), m["at_stake"])


@dataclass(frozen=True)
class AssumptionUse:
    id: str
    name: str
    unit: str
    low: float
    base: float
    high: float
    source: str | None
    year: int | str | None
    note: str | None


@dataclass(frozen=True)
class DriverResult:
    """One business-case driver (methodology §10); ``low``/``base``/``high`` are annual
    money in the client's currency, None unless ``status`` is ``ok`` or ``no_gap``."""

    id: str
    name: str
    formula: str
    description: str
    status: str
    needs: tuple[str, ...]
    low: float | None
    base: float | None
    high: float | None
    five_year: float | None
    formula_text: str
    assumptions: tuple[AssumptionUse, ...]
    overlaps: tuple[str, ...]
    counted: bool
    excluded_because: str | None

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> DriverResult:
        return cls(d["id"], d.get("name") or d["id"], d.get("formula") or "",
                   d.get("description") or "", d.get("status") or "needs_data",
                   tuple(d.get("needs") or ()), d.get("low"), d.get("base"), d.get("high"),
                   d.get("five_year"), d.get("formula_text") or "",
                   tuple(AssumptionUse(a["id"], a.get("name") or a["id"], a.get("unit") or "",
                                       a["low"], a["base"], a["high"], a.get("source"),
                                       a.get("year"), a.get("note"))
                         for a in d.get("assumptions") or ()),
                   tuple(d.get("overlaps") or ()), bool(d.get("counted")),
                   d.get("excluded_because"))


@dataclass(frozen=True)
class Sensitivity:
    assumption: str
    name: str
    low_total: float
    high_total: float
    swing: float


@dataclass(frozen=True)
class BusinessCase:
    currency: str | None
    drivers: tuple[DriverResult, ...]
    total: Mapping[str, float] | None
    needs_data: tuple[str, ...]
    sensitivity: tuple[Sensitivity, ...]

    @classmethod
    def from_dict(cls, b: Mapping[str, Any] | None) -> BusinessCase:
        b = b or {}
        return cls(b.get("currency"),
                   tuple(DriverResult.from_dict(d) for d in b.get("drivers") or ()),
                   b.get("total"), tuple(b.get("needs_data") or ()),
                   tuple(Sensitivity(s["assumption"], s.get("name") or s["assumption"],
                                     s["low_total"], s["high_total"], s["swing"])
                         for s in b.get("sensitivity") or ()))


@dataclass(frozen=True)
class InitiativeResult:
    """One roadmap initiative; ``rank`` is None when it does not apply."""

    id: str
    name: str
    description: str
    rank: int | None
    kpis: tuple[str, ...]
    practices: tuple[str, ...]
    drivers: tuple[str, ...]
    effort: str
    horizon: str
    owner: str
    index_points: float
    renewal_points: float
    money: Mapping[str, float] | None
    value_score: float
    recommendations: tuple[int, ...]
    tracking: Mapping[str, Any] | None

    @classmethod
    def from_dict(cls, r: Mapping[str, Any]) -> InitiativeResult:
        return cls(r["id"], r.get("name") or r["id"], r.get("description") or "",
                   r.get("rank"), tuple(r.get("kpis") or ()), tuple(r.get("practices") or ()),
                   tuple(r.get("drivers") or ()), r.get("effort") or "",
                   r.get("horizon") or "", r.get("owner") or "",
                   r.get("index_points") or 0.0, r.get("renewal_points") or 0.0,
                   r.get("money"), r.get("value_score") or 0.0,
                   tuple(r.get("recommendations") or ()), r.get("tracking"))


@dataclass(frozen=True)
class Roadmap:
    initiatives: tuple[InitiativeResult, ...]
    ranking: str

    @property
    def ranked(self) -> tuple[InitiativeResult, ...]:
        """The initiatives that apply, in rank order."""
        return tuple(i for i in self.initiatives if i.rank is not None)


@dataclass(frozen=True)
class FindingResult:
    id: str
    rule: str
    text: str
    overridden: bool


@dataclass(frozen=True)
class TopInitiative:
    id: str
    name: str
    horizon: str
    owner: str
    effort: str
    index_points: float
    money_base: float | None


@dataclass(frozen=True)
class ExecutiveSummary:
    """The first page: index in words, 3–5 findings, top initiatives, caveats."""

    words: str
    findings: tuple[FindingResult, ...]
    initiatives: tuple[TopInitiative, ...]
    total: Mapping[str, float] | None
    currency: str | None
    caveats: tuple[str, ...]

    @classmethod
    def from_dict(cls, e: Mapping[str, Any] | None) -> ExecutiveSummary | None:
        if not e:
            return None
        return cls(
            (e.get("index") or {}).get("words") or "",
            tuple(FindingResult(f["id"], f.get("rule") or "", f.get("text") or "",
                                bool(f.get("overridden"))) for f in e.get("findings") or ()),
            tuple(TopInitiative(i["id"], i.get("name") or i["id"], i.get("horizon") or "",
                                i.get("owner") or "", i.get("effort") or "",
                                i.get("index_points") or 0.0, i.get("money_base"))
                  for i in e.get("initiatives") or ()),
            e.get("total"), e.get("currency"), tuple(e.get("caveats") or ()))


@dataclass(frozen=True)
class Item:
    id: str
    name: str
    answer: int | None
    na: bool
    weight: float
    score: float | None
    label: str | None


@dataclass(frozen=True)
class Questionnaire:
    key: str
    name: str
    score: float | None
    coverage: float
    level: int | None
    level_name: str | None
    rag: str | None
    items: tuple[Item, ...]
    applicable: bool = True
    measured_score: float | None = None
    sufficient: bool = True


@dataclass(frozen=True)
class Dimension:
    id: str
    name: str
    importance: float | None
    performance: float | None
    priority: float | None
    gap: float | None
    quadrant: str | None
    #: The survey behind the ratings, when they come from many respondents (results@2).
    survey: DimensionSurvey | None = None


@dataclass(frozen=True)
class Expectations:
    alignment: float | None
    survey_average: float | None
    threshold: float | None
    dimensions: tuple[Dimension, ...]
    self_rated_alignment: float | None = None
    survey_source: str | None = None
    survey_year: int | None = None


@dataclass(frozen=True)
class Gap:
    id: str
    name: str
    area: str
    points_at_stake: float
    score: float | None
    kind: str = "improve"


@dataclass(frozen=True)
class Check:
    """One consistency relation as checked for this organization (methodology §7)."""

    relation: str
    name: str
    cells: tuple[str, ...]
    implied: float | None
    stated: float | None
    tolerance: float | None
    ok: bool | None
    derived: bool
    missing: tuple[str, ...]
    terms: Mapping[str, float | None]


@dataclass(frozen=True)
class Recommendation:
    rank: int
    source: str
    id: str
    name: str
    area: str
    priority: float
    basis: str
    text: str
    side: str | None = None
    kind: str = "improve"


@dataclass(frozen=True)
class Framework:
    name: str
    version: str
    settings: Mapping[str, Any]
    levels: tuple[str, ...]
    currency: str | None = None
    answer_scale: tuple[str, ...] = ()

    @property
    def missing_kpi(self) -> str:
        """How missing KPIs count: ``zero`` (results@2 default) or ``exclude`` (results@1)."""
        return str(self.settings.get("missing_kpi") or "exclude")


@dataclass(frozen=True)
class ResultsView:
    """The results, typed. Build it with :meth:`from_dict`; the dict stays the contract."""

    schema: str | None
    generator: Mapping[str, Any]
    organization: Organization
    framework: Framework
    index: Index
    elements: tuple[Element, ...]
    kpis: tuple[KpiRow, ...]
    gaps: tuple[Gap, ...]
    renewal: Renewal
    questionnaires: Mapping[str, Questionnaire]
    expectations: Expectations
    recommendations: tuple[Recommendation, ...]
    warnings: tuple[str, ...]
    consistency: tuple[Check, ...] = ()
    business_case: BusinessCase = BusinessCase(None, (), None, (), ())
    roadmap: Roadmap = Roadmap((), "")
    executive_summary: ExecutiveSummary | None = None
    #: Every figure computed from the client's data, used or set aside (results@2).
    evidence: tuple[EvidenceEntry, ...] = ()

    @property
    def version(self) -> int:
        """The results schema's version: 2 for results@2, else 1."""
        return 2 if self.schema == SCHEMA_V2 else 1

    @classmethod
    def of(cls, results: ResultsView | Mapping[str, Any]) -> ResultsView:
        """``results`` itself when it is a view already, else its view (built once here)."""
        return results if isinstance(results, ResultsView) else cls.from_dict(results)

    @classmethod
    def from_dict(cls, results: Mapping[str, Any]) -> ResultsView:
        """The view of one results structure (as :func:`~assessment.core.scoring.score`
        returns it or ``results.json`` holds it)."""
        fw = results.get("framework") or {}
        index = results.get("index") or {}
        renewal = results.get("renewal") or {}
        exp = results.get("expectations") or {}
        return cls(
            schema=results.get("schema"),
            generator=dict(results.get("generator") or {}),
            organization=Organization.from_dict(results.get("organization")),
            framework=Framework(fw.get("name") or "", str(fw.get("version") or ""),
                                dict(fw.get("settings") or {}), tuple(fw.get("levels") or ()),
                                fw.get("currency"), tuple(fw.get("answer_scale") or ())),
            index=Index(index.get("score"), index.get("coverage") or 0.0,
                        index.get("elements_scored") or 0, index.get("level"),
                        index.get("level_name"), index.get("rag"),
                        index.get("measured_score", index.get("score")),
                        index.get("sufficient", index.get("score") is not None),
                        index.get("missing_kpi") or "exclude"),
            elements=tuple(
                Element(key, e.get("name") or _label(key), e.get("score"),
                        e.get("coverage") or 0.0, e.get("weight", 0.0), e.get("rag"),
                        e.get("kpis"), e.get("kpis_with_data"),
                        e.get("measured_score", e.get("score")),
                        e.get("sufficient", e.get("score") is not None),
                        e.get("applicable", True) is not False,
                        e.get("kpis_not_applicable") or 0)
                for key, e in (results.get("elements") or {}).items()),
            kpis=tuple(KpiRow.from_dict(k) for k in results.get("kpis") or ()),
            gaps=tuple(Gap(g["id"], g.get("name") or g["id"], g.get("element") or "",
                           g["points_at_stake"], g.get("score"), g.get("kind") or "improve")
                       for g in results.get("gaps") or ()),
            renewal=Renewal(
                renewal.get("health"), renewal.get("rag"), renewal.get("kpi_score"),
                renewal.get("kpi_coverage"), renewal.get("practices_score"),
                renewal.get("blend"), renewal.get("contract_renewal_rate"),
                renewal.get("industry_rate"), renewal.get("price_uplift"),
                tuple(ProjectionYear(p["year"], p.get("client"), p.get("industry"),
                                     p.get("target"), p.get("client_value"))
                      for p in renewal.get("projection") or ()),
                renewal.get("applicable", True) is not False,
                renewal.get("kpi_measured_score", renewal.get("kpi_score")),
                renewal.get("recurring_revenue_rate"), renewal.get("value_basis"),
                RenewalMoney.from_dict(renewal.get("money"))),
            questionnaires={
                qid: Questionnaire(
                    qid, q.get("name") or _label(qid), q.get("score"), q.get("coverage") or 0.0,
                    q.get("level"), q.get("level_name"), q.get("rag"),
                    tuple(Item(i["id"], i.get("name") or i["id"], i.get("answer"),
                               bool(i.get("na")), i.get("weight", 0.0), i.get("score"),
                               i.get("label")) for i in q.get("items") or ()),
                    q.get("applicable", True) is not False,
                    q.get("measured_score", q.get("score")),
                    q.get("sufficient", q.get("score") is not None))
                for qid, q in (results.get("questionnaires") or {}).items()},
            expectations=Expectations(
                exp.get("alignment"), exp.get("survey_average"), exp.get("threshold"),
                tuple(Dimension(d["id"], d.get("name") or d["id"], d.get("importance"),
                                d.get("performance"), d.get("priority"), d.get("gap"),
                                d.get("quadrant"), DimensionSurvey.from_dict(d.get("survey")))
                      for d in exp.get("dimensions") or ()),
                exp.get("self_rated_alignment"), exp.get("survey_source"),
                exp.get("survey_year")),
            recommendations=tuple(
                Recommendation(r.get("rank", n), r.get("source") or "", r.get("id") or "",
                               r.get("name") or r.get("id") or "", r.get("area") or "",
                               r.get("priority", 0.0), r.get("basis") or "",
                               r.get("text") or "", r.get("side"), r.get("kind") or "improve")
                for n, r in enumerate(results.get("recommendations") or (), start=1)),
            warnings=tuple(str(w) for w in results.get("warnings") or ()),
            consistency=tuple(
                Check(c.get("relation") or "", c.get("name") or c.get("relation") or "",
                      tuple(str(x) for x in c.get("cells") or ()), c.get("implied"),
                      c.get("stated"), c.get("tolerance"), c.get("ok"),
                      bool(c.get("derived")), tuple(c.get("missing") or ()),
                      dict(c.get("terms") or {}))
                for c in results.get("consistency") or ()),
            business_case=BusinessCase.from_dict(results.get("business_case")),
            roadmap=Roadmap(
                tuple(InitiativeResult.from_dict(r)
                      for r in (results.get("roadmap") or {}).get("initiatives") or ()),
                (results.get("roadmap") or {}).get("ranking") or ""),
            executive_summary=ExecutiveSummary.from_dict(results.get("executive_summary")),
            evidence=tuple(EvidenceEntry.from_dict(e) for e in results.get("evidence") or ()),
        )

    @property
    def settings(self) -> Mapping[str, Any]:
        return self.framework.settings

    @property
    def currency(self) -> str | None:
        return self.organization.currency

    def element(self, key: str) -> Element | None:
        return next((e for e in self.elements if e.key == key), None)

    def area_name(self, key: str) -> str:
        """The display name of an element, a questionnaire or another area key."""
        element = self.element(key)
        if element is not None:
            return element.name
        if key in self.questionnaires:
            return self.questionnaires[key].name
        return _label(key)

    def kpi(self, kpi_id: str) -> KpiRow | None:
        """The KPI row with id ``kpi_id``, or None."""
        return next((k for k in self.kpis if k.id == kpi_id), None)

    def dimension(self, dim_id: str) -> Dimension | None:
        """The expectation dimension with id ``dim_id``, or None."""
        return next((d for d in self.expectations.dimensions if d.id == dim_id), None)

    def evidence_target(self, entry: EvidenceEntry) -> str:
        """What an evidence figure filled, in words: a KPI's name, a profile field's label
        (``Assisted cases``) or ``Availability of service: importance``."""
        if entry.target == "kpi":
            kpi = self.kpi(entry.id)
            return kpi.name if kpi else entry.id
        if entry.target == "expectation":
            dim, _, rating = entry.id.rpartition(".")
            found = self.dimension(dim)
            return f"{found.name if found else dim}: {rating}"
        return _label(entry.id)

    def kpis_of(self, area: str) -> tuple[KpiRow, ...]:
        """The KPI rows of one element or of ``"renewal"``, in framework order."""
        return tuple(k for k in self.kpis if k.area == area)

    @property
    def missing_kpi(self) -> str:
        return self.framework.missing_kpi

    def readings(self, key: str = "index") -> str:
        """Both readings of missing data for the index or an element, in words
        (:func:`assessment.core.format.readings`)."""
        part = self.index if key == "index" else self.element(key)
        if part is None:
            return readings(None, None, None)
        return readings(part.score, part.measured_score, part.coverage, self.missing_kpi)
