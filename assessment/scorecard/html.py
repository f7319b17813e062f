"""The HTML scorecard: one self-contained, printable page per assessed organization.

- :func:`render_html` turns the results structure (methodology §8) into the page text.
- :func:`write_html` writes it atomically: a failure at any point leaves no file behind.

The page opens on a cover (the consulting firm's name and logo, the client, the assessment
date, who prepared it and the confidentiality line: :class:`~assessment.scorecard.brand.Brand`;
printed, page 1 on its own, every later page carrying a running header and "Page X of Y"),
then the executive summary (index, elements, renewal, the key findings, the top
initiatives with their money, the business-case total and the caveats), then the scores, the
business case, the roadmap, the detail sections, and ends with the appendix of every
recommendation. results that predate the executive summary render without those three parts.

The page has no external resource of any kind (no CDN, web font, script or stylesheet link):
CSS is inline and every chart is inline SVG, so it opens offline, prints, and survives being
mailed. Sections mirror the Excel workbook. Every chart has a data table next to it.

Untrusted text (organization name, profile values, notes, warnings, framework texts, the
brand's texts) is only ever escaped by Jinja's autoescape. Two things are marked safe: chart
SVG, whose every text is escaped when the SVG is built (:mod:`assessment.scorecard.svg`), and
the running header's CSS strings, in which :func:`css_string` writes every character but
letters, digits and spaces as a CSS escape. The logo is an ``<img>`` of a ``data:`` URI, which
cannot run script. The same results always
give the same bytes: no clock, no random ids.

Charts are drawn by the fast static renderer by default (``charts="static"``);
``charts="vega"`` draws the same chart data as Vega-Lite through vl-convert instead, which takes
about a second longer (measurements in docs/html-scorecard.md).
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal

from markupsafe import Markup

from assessment.core.format import (
    DASH,
    DERIVED,
    EFFORT_LABELS,
    FEW_RESPONDENTS,
    HORIZON_LABELS,
    MIN_RESPONDENTS,
    QUADRANT_LABELS,
    TRACKING_LABELS,
    benchmark_figure,
    benchmark_source,
    direction_label,
    driver_status_text,
    evidence_parts,
    format_coverage,
    format_money,
    format_number,
    format_percent,
    format_points,
    format_rating,
    format_score,
    format_value,
    group_rating_text,
    interval_text,
    level_text,
    money_range,
    needs_data_text,
    period_text,
    rag_label,
    status_label,
    value_range,
    value_text,
)
from assessment.core.results import (
    AssumptionUse,
    DriverResult,
    EvidenceEntry,
    InitiativeResult,
    KpiRow,
    Questionnaire,
    ResultsView,
)
from assessment.files.write import atomic_write
from assessment.scorecard.charts import Chart, build_charts, to_svg
from assessment.scorecard.summary import (
    BAND_SIDES,
    CHECK_LABELS,
    MONEY_FIELDS,
    OWN_FIGURES,
    TARGET_BASIS,
    alignment_words,
    band_text,
    check_result,
    check_stated_term,
    check_status,
    evidence_order,
    evidence_status,
    evidence_unit,
    evidence_value,
    finding_rule_text,
    fx_text,
    kpi_evidence_text,
    not_applicable_text,
    questionnaire_readings,
    readings_of,
    segment_text,
    term_label,
    term_value,
    total_spread,
    value_basis_text,
)
from assessment.scorecard.vega import to_vega_svg

if TYPE_CHECKING:
    from assessment.scorecard.brand import Brand
    from assessment.scorecard.formats import RenderOptions

TEMPLATE = "scorecard.html.j2"
ChartRenderer = Literal["static", "vega"]
_RENDERERS: dict[str, Callable[[Chart], str]] = {"static": to_svg, "vega": to_vega_svg}


@functools.lru_cache(maxsize=1)
def environment() -> Any:
    """The Jinja environment: templates from the package, autoescape always on."""
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=PackageLoader("assessment", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "htm", "xml", "j2"),
                                     default_for_string=True, default=True),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True, bytecode_cache=_bytecode_cache(),
    )
    env.filters["score"] = format_score
    env.filters["pct"] = format_coverage
    env.filters["css_string"] = css_string
    return env


def _bytecode_cache() -> Any:
    """Jinja's cache of compiled templates on disk, best effort.

    Compiling the scorecard template takes about 0.1 s, in every new process (each ``score``
    run, each batch kernel); loading the compiled code takes about 2 ms and renders exactly the
    same page. The cache is Jinja's own (a private directory of the user's in the system's
    temporary folder, entries checked against the template's source and the Python version).
    When it cannot be used (no safe directory, a read-only or full disk) templates are simply
    compiled as before: a cache problem never stops a scorecard.
    """
    from jinja2 import FileSystemBytecodeCache
    from jinja2.bccache import Bucket

    class QuietCache(FileSystemBytecodeCache):
        def load_bytecode(self, bucket: Bucket) -> None:
            try:
                super().load_bytecode(bucket)
            except OSError:
                bucket.reset()

        def dump_bytecode(self, bucket: Bucket) -> None:
            with contextlib.suppress(OSError):
                super().dump_bytecode(bucket)

    try:
        return QuietCache()
    except (OSError, RuntimeError):  # Jinja found no private directory to use
        return None


_CSS_PLAIN = re.compile(r"[A-Za-z0-9 ]")
_CSS_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def css_string(text: str) -> Markup:
    """``text`` as a quoted CSS string for ``content:`` in a ``<style>`` element.

    Every character but ASCII letters, digits and spaces becomes a CSS escape (``\\3C `` for
    ``<``), so the result can end neither the string nor the style element; control characters
    and line breaks become one space.
    """
    flat = _CSS_CONTROL.sub(" ", str(text))
    body = "".join(c if _CSS_PLAIN.match(c) else f"\\{ord(c):X} " for c in flat)
    return Markup(f'"{body}"')


def render_html(results: dict[str, Any], *, charts: ChartRenderer = "static",
                brand: Brand | None = None) -> str:
    """The HTML scorecard of one organization, as text, under ``brand`` (default: the
    project's own)."""
    return "".join(_chunks(results, charts, brand))


def write_html(results: dict[str, Any], path: str | Path, *,
               charts: ChartRenderer = "static", brand: Brand | None = None) -> Path:
    """Render and write the scorecard to ``path`` atomically; returns the path.

    The page is streamed into a temporary file beside ``path`` and renamed over it only when
    complete, so an error mid-way leaves neither a partial file nor a changed old one.
    """
    def write(handle: IO[bytes]) -> None:
        for chunk in _chunks(results, charts, brand):
            handle.write(chunk.encode("utf-8"))

    return atomic_write(path, write)


def _chunks(results: dict[str, Any], charts: ChartRenderer = "static",
            brand: Brand | None = None) -> Iterator[str]:
    template = environment().get_template(TEMPLATE)
    return template.generate(**context(results, charts, brand))


# --------------------------------------------------------------------------- view model


def context(results: dict[str, Any], charts: ChartRenderer = "static",
            brand: Brand | None = None) -> dict[str, Any]:
    """Everything the template shows, formatted for display (plain values; the template
    escapes them). Exposed for tests and for other renderers."""
    if charts not in _RENDERERS:
        raise ValueError(f"unknown chart renderer {charts!r}; use 'static' or 'vega'")
    render = _RENDERERS[charts]
    view = ResultsView.from_dict(results)
    settings = view.settings
    amber = settings.get("amber", 80)
    figures = {}
    for chart in build_charts(view):
        svg = Markup(render(chart)) if chart.data is not None else None
        figures[chart.id] = {"chart": chart, "svg": svg}

    kpis_by_area: dict[str, list[dict[str, Any]]] = {}
    for kpi in view.kpis:
        kpis_by_area.setdefault(kpi.area, []).append(_kpi_row(view, kpi))

    elements = [{
        "key": e.key, "name": e.name, "score": format_score(e.score),
        "rag": e.rag, "rag_label": rag_label(e.rag), "applicable": e.applicable,
        "insufficient": e.applicable and e.score is not None and not e.sufficient,
        "readings": readings_of(view, e.key) if e.applicable else NOT_APPLICABLE,
        "coverage": format_coverage(e.coverage), "weight": format_number(e.weight),
        "kpis": e.kpis, "kpis_with_data": e.kpis_with_data,
        "kpis_not_applicable": e.kpis_not_applicable,
        "missing": [k.name for k in view.kpis_of(e.key) if k.applicable and k.current is None],
        "figure": figures[f"chart-kpis-{e.key}"], "rows": kpis_by_area.get(e.key, []),
    } for e in view.elements]

    index = view.index
    renewal = _renewal(view, kpis_by_area.get("renewal", []))
    org = _organization(view)
    return {
        "version": view.version,
        "brand": _brand(brand, org),
        "executive": _executive(view, elements, renewal),
        "business_case": _business_case(view),
        "roadmap": _roadmap(view, figures),
        "org": org,
        "framework": {"name": view.framework.name, "version": view.framework.version},
        "generator": {"name": "support-excellence", "version": "", **view.generator},
        "index": {
            "score": format_score(index.score), "rag": index.rag,
            "rag_label": rag_label(index.rag), "level": index.level,
            "level_name": index.level_name, "level_text": band_text(view),
            "insufficient": index.score is not None and not index.sufficient,
            "readings": readings_of(view, "index"),
            "coverage": format_coverage(index.coverage),
            "elements_scored": index.elements_scored,
            "elements": sum(1 for e in view.elements if e.applicable),
        },
        "elements": elements,
        "figures": figures,
        "gaps": [{"name": g.name, "area": view.area_name(g.area), "score": format_score(g.score),
                  "points": format_points(g.points_at_stake), "measure": g.kind == "measure"}
                 for g in view.gaps[:5]],
        "renewal": renewal,
        "questionnaires": {qid: _questionnaire(view, q)
                           for qid, q in view.questionnaires.items()},
        "expectations": _expectations(view),
        "recommendations": [{
            "rank": r.rank, "area": view.area_name(r.area), "name": r.name,
            "basis": r.basis, "priority": format_number(r.priority), "text": r.text,
            "measure": r.kind == "measure", "side": BAND_SIDES.get(r.side or ""),
        } for r in view.recommendations],
        "quality": _quality(view),
        "warnings": list(view.warnings),
        "settings": {
            "amber": format_number(amber),
            "min_coverage": format_coverage(settings.get("min_coverage")),
            "element_weights": [(view.element(k).name if view.element(k) else k,
                                 format_number(w))
                                for k, w in (settings.get("element_weights") or {}).items()],
            "renewal_blend": format_coverage(settings.get("renewal_blend")),
            "ipa_threshold": format_number(settings.get("ipa_threshold")),
            "industry_renewal_rate": format_percent(settings.get("industry_renewal_rate")),
            "price_uplift": format_percent(settings.get("price_uplift")),
            "amber_low": format_number(amber - 20),
            "missing_kpi": view.missing_kpi,
            "currency": view.framework.currency,
        },
        "levels": list(view.framework.levels),
        "answer_scale": list(view.framework.answer_scale),
        "evidence_styles": bool(view.evidence) or any(d.survey for d in
                                                      view.expectations.dimensions),
    }


# --------------------------------------------------------------------------- brand

_HEX_COLOR = re.compile(r"#[0-9A-Fa-f]{6}")
#: Longest client name and confidentiality line in the running header of a printed page; the
#: cover shows them whole.
RUNNING_CLIENT = 60
RUNNING_LINE = 90


_LONG_WORD = re.compile(r"\S{25,}")


def _clip(text: str, limit: int) -> str:
    """``text`` shortened to ``limit`` characters with an ellipsis, a zero-width space put
    every 24 characters of a longer word: a printed page's margin box wraps only at a break
    opportunity, and would run off the paper."""
    text = text if len(text) <= limit else text[:limit - 1].rstrip() + "\u2026"
    return _LONG_WORD.sub(
        lambda m: "\u200b".join(m[0][i:i + 24] for i in range(0, len(m[0]), 24)), text)


def _brand(brand: Brand | None, org: dict[str, Any]) -> dict[str, Any]:
    """The cover, the colours and the running header of a printed page.

    The default brand keeps the project's own look: no firm line or logo on the cover and the
    stylesheet's colours. The client's name and date come from the results, never the brand.
    """
    if brand is None:
        from assessment.scorecard.brand import DEFAULT_BRAND

        brand = DEFAULT_BRAND
    colors = None
    if not brand.is_default and all(_HEX_COLOR.fullmatch(c or "")
                                    for c in (brand.primary_color, brand.accent_color)):
        colors = {"primary": brand.primary_color, "accent": brand.accent_color}
    logo = None
    if brand.logo is not None:
        width, height = brand.logo.width, brand.logo.height
        # at most 48 px high and 200 px wide on the page, the logo's own proportions kept
        scale = min(1.0, 48 / max(height, 1), 200 / max(width, 1))
        logo = {"uri": brand.logo.data_uri(), "width": max(1, round(width * scale)),
                "height": max(1, round(height * scale))}
    confidentiality = brand.confidentiality or ""
    client = _clip(str(org["name"]), RUNNING_CLIENT)
    return {
        "firm": brand.firm, "show_firm": not brand.is_default, "logo": logo, "colors": colors,
        "prepared_by": brand.prepared_by or "", "confidentiality": confidentiality,
        "running_left": f"{client} \u00b7 {org['date']}",
        "running_right": _clip(confidentiality, RUNNING_LINE),
        "running_firm": "" if brand.is_default else _clip(brand.firm, RUNNING_CLIENT),
    }


# --------------------------------------------------------------------------- decision parts


def _money(value: float | None, currency: str | None) -> str:
    return DASH if value is None else format_money(value, currency)


def _executive(view: ResultsView, elements: list[dict[str, Any]],
               renewal: dict[str, Any]) -> dict[str, Any] | None:
    """The executive summary (results made with it only): index with both readings and band,
    elements, renewal health, findings with the rule behind each, top initiatives with their
    money, the business-case total and the caveats."""
    summary = view.executive_summary
    if summary is None:
        return None
    currency = summary.currency or view.currency
    total = summary.total
    ranks = {i.id: i.rank for i in view.roadmap.initiatives}
    return {
        "elements": [{"key": e["key"], "name": e["name"], "score": e["score"], "rag": e["rag"],
                      "rag_label": e["rag_label"], "applicable": e["applicable"]}
                     for e in elements],
        "renewal": renewal,
        "findings": [{
            "id": f.id, "rule": f.rule, "text": f.text, "overridden": f.overridden,
            "title": (("Consultant's wording. " if f.overridden else "")
                      + f"Chosen by the {finding_rule_text(f.rule)}."),
        } for f in summary.findings],
        "initiatives": [{
            "rank": ranks.get(i.id) or n, "name": i.name, "owner": i.owner or DASH,
            "horizon": HORIZON_LABELS.get(i.horizon, i.horizon or DASH),
            "effort": EFFORT_LABELS.get(i.effort, i.effort or DASH),
            "money": (f"{format_money(i.money_base, currency)} a year" if i.money_base
                      else "no money figure"),
            "points": format_points(i.index_points),
        } for n, i in enumerate(summary.initiatives, start=1)],
        "total": _total(total, currency),
        "caveats": list(summary.caveats),
    }


def _total(total: Any, currency: str | None) -> dict[str, str] | None:
    """A business-case total as text: base a year and the low-to-high range."""
    if not total:
        return None
    return {"base": format_money(total.get("base"), currency),
            "low": format_money(total.get("low"), currency),
            "high": format_money(total.get("high"), currency),
            "range": money_range(total.get("low"), total.get("high"), currency),
            "spread": total_spread(total, currency)}


def _assumption_value(value: float | None, unit: str, currency: str | None) -> str:
    """An assumption's value in its unit (money already in the client's currency)."""
    if unit == "currency":
        return _money(value, currency)
    if unit == "percent":
        return format_percent(value)
    return format_number(value)


def _assumption(a: AssumptionUse, currency: str | None) -> dict[str, Any]:
    source = ", ".join(str(x) for x in (a.source, a.year) if x) or "practitioner estimate"
    return {"id": a.id, "name": a.name, "source": source, "note": a.note or "",
            **{case: _assumption_value(getattr(a, case), a.unit, currency)
               for case in ("low", "base", "high")}}


def _driver_in_total(d: DriverResult) -> str:
    """Whether a driver is in the total, and why not."""
    if d.counted:
        return "Counted in the total"
    if d.excluded_because:
        return f"Not counted: {d.excluded_because}"
    if d.status == "needs_data":
        return "Not counted until its data is given"
    if d.status == "no_gap":
        return "Not counted: nothing to gain (at or above target)"
    if d.status == "not_applicable":
        return "Not counted: does not apply"
    return "Not counted"


def _driver(d: DriverResult, currency: str | None) -> dict[str, Any]:
    if d.status == "ok" and not d.counted:
        status = "excluded" if d.excluded_because else "not_counted"
    else:
        status = d.status
    label = driver_status_text(d.status, d.counted)  # the fields needed are shown apart
    values = d.status in ("ok", "no_gap")
    return {
        "id": d.id, "name": d.name, "description": d.description, "status": status,
        "status_label": label, "has_values": values,
        "needs": needs_data_text(d.needs) if d.status == "needs_data" else None,
        "low": _money(d.low, currency), "base": _money(d.base, currency),
        "high": _money(d.high, currency),
        "five_year": _money(d.five_year, currency) if d.five_year is not None else None,
        "formula": d.formula_text, "counted": d.counted, "in_total": _driver_in_total(d),
        "excluded_because": d.excluded_because,
        "assumptions": [_assumption(a, currency) for a in d.assumptions],
    }


def _business_case(view: ResultsView) -> dict[str, Any] | None:
    """The business case (§10): drivers, renewal money (§5), total and sensitivity; None for
    results made before it."""
    case = view.business_case
    if view.executive_summary is None and not case.drivers:
        return None
    currency = case.currency or view.currency
    money = view.renewal.money
    renewal = None
    if money is not None:
        renewal = {
            "base": _money(money.base, currency), "at_stake": _money(money.at_stake, currency),
            "years": [{"year": y.year, "client": _money(y.client, currency),
                       "target": _money(y.target, currency),
                       "industry": _money(y.industry, currency),
                       "gap": _money(y.target - y.client, currency)} for y in money.years],
        }
    sensitivity = [{"name": s.name, "low_total": _money(s.low_total, currency),
                    "high_total": _money(s.high_total, currency),
                    "swing": _money(s.swing, currency)} for s in case.sensitivity]
    own_figures = all(s.swing < 0.5 for s in case.sensitivity)
    return {
        "currency": currency or DASH,
        "drivers": [_driver(d, currency) for d in case.drivers],
        "total": _total(case.total, currency),
        "counted": [d.name for d in case.drivers if d.counted],
        "needs_data": [f"{d.name} ({needs_data_text(d.needs)})" for d in case.drivers
                       if d.status == "needs_data"],
        "renewal": renewal, "renewal_applicable": view.renewal.applicable,
        "renewal_needs": next((needs_data_text(d.needs) for d in case.drivers
                               if d.formula == "renewal_at_stake" and d.needs), None),
        "sensitivity": [] if own_figures else sensitivity,
        "own_figures": OWN_FIGURES if own_figures and case.total else None,
    }


def _practice_name(view: ResultsView, ref: str) -> str:
    """``<questionnaire>.<item>`` as the practice's name."""
    qid, _, item = ref.partition(".")
    q = view.questionnaires.get(qid)
    found = next((i for i in q.items if i.id == item), None) if q else None
    return found.name if found else item.replace("_", " ")


def _tracking(tracking: Any) -> dict[str, str] | None:
    if not tracking:
        return None
    chosen = tracking.get("chosen")
    return {
        "status": TRACKING_LABELS.get(tracking.get("status") or "", DASH),
        "status_key": tracking.get("status") or "none",
        "chosen": DASH if chosen is None else "chosen" if chosen else "not chosen",
        "owner": tracking.get("owner") or "", "due": str(tracking.get("due_date") or ""),
        "inhibitors": tracking.get("inhibitors") or "", "notes": tracking.get("notes") or "",
    }


def _initiative(view: ResultsView, i: InitiativeResult, currency: str | None) -> dict[str, Any]:
    money = i.money or {}
    return {
        "id": i.id, "rank": i.rank, "name": i.name, "description": i.description,
        "kpis": [k.name if (k := view.kpi(kid)) else kid for kid in i.kpis],
        "practices": [_practice_name(view, p) for p in i.practices],
        "effort": EFFORT_LABELS.get(i.effort, i.effort or DASH),
        "horizon": HORIZON_LABELS.get(i.horizon, i.horizon or DASH),
        "owner": i.owner or DASH, "points": format_points(i.index_points),
        "renewal_points": format_points(i.renewal_points) if i.renewal_points else None,
        "money": _money(money.get("base"), currency) if money else None,
        "money_range": (money_range(money.get("low"), money.get("high"), currency)
                        if money and abs(money["high"] - money["low"]) >= 0.5 else None),
        "recommendations": list(i.recommendations), "tracking": _tracking(i.tracking),
    }


def _roadmap(view: ResultsView, figures: dict[str, Any]) -> dict[str, Any] | None:
    """The ranked initiatives with the timeline chart; None for results made before it."""
    roadmap = view.roadmap
    if not roadmap.initiatives:
        return None
    currency = view.business_case.currency or view.currency
    return {
        "ranking": roadmap.ranking, "figure": figures["chart-timeline"],
        "rows": [_initiative(view, i, currency) for i in roadmap.ranked],
        "not_applicable": [i.name for i in roadmap.initiatives if i.rank is None],
        "tracked": any(i.tracking for i in roadmap.initiatives),
    }


NOT_APPLICABLE = "not applicable"
_ORG_FIELDS = ("segment", "segment_name", "fx_rate", "currency")


def _organization(view: ResultsView) -> dict[str, Any]:
    """Name, date, the segment, currency and exchange rate (results@2), and the profile."""
    org = view.organization
    rows = [(_label(k), _profile_value(v, k, org.currency)) for k, v in org.profile
            if k not in _ORG_FIELDS]
    money = []
    if view.version >= 2:
        money.append(("Segment", segment_text(view) or DASH))
        money.append(("Currency", org.currency or DASH))
        fx = fx_text(view)
        if fx:
            money.append(("Exchange rate", fx[:1].upper() + fx[1:]))
    else:
        money.append(("Currency", org.currency or DASH))
    return {"name": org.name, "date": org.date_text or DASH, "profile": rows, "money": money,
            "segment": segment_text(view), "fx": fx_text(view)}


def _kpi_row(view: ResultsView, kpi: KpiRow) -> dict[str, Any]:
    unit = kpi.unit
    currency = kpi.currency or view.currency

    def fmt(value: Any) -> str:
        return format_value(value, unit, currency)

    if kpi.direction == "band" and kpi.band:
        target = value_range(*kpi.band, unit, currency)
    else:
        target = fmt(kpi.target)
    floor = kpi.floor
    floor_text = (f"{fmt(floor[0])} / {fmt(floor[1])}" if isinstance(floor, tuple)
                  else fmt(floor))
    bench = kpi.benchmark.as_dict() if kpi.benchmark else None
    # A results@2 benchmark without a currency is in the framework's; a results@1 one has no
    # stated currency, so its figure is shown without a code rather than relabelled.
    bench_currency = view.framework.currency if view.version >= 2 else None
    derived_from = None
    if kpi.derived:
        check = next((c for c in view.consistency if c.relation == kpi.derived_from), None)
        derived_from = check.name if check else kpi.derived_from
    basis = _target_basis(view, kpi)
    applicable = kpi.applicable
    return {
        "id": kpi.id, "name": kpi.name, "note": kpi.note, "applicable": applicable,
        "current": value_text(kpi.current, unit, currency, kpi.derived),
        "derived_from": derived_from,
        "target": target, "target_basis": basis,
        "target_overridden": kpi.target_overridden,
        "framework_target": fmt(kpi.framework_target),
        "floor": floor_text,
        "benchmark": benchmark_figure(bench, unit, bench_currency) or DASH,
        "benchmark_source": benchmark_source(bench),
        "benchmark_note": (bench or {}).get("note") or "",
        "direction": direction_label(kpi.direction),
        "score": format_score(kpi.score) if applicable else DASH,
        "status": kpi.status if applicable else "not_applicable",
        "status_label": status_label(kpi.status if applicable else "not_applicable"),
        "measure": applicable and kpi.current is None,
        "points": format_points(kpi.points_at_stake) if applicable else DASH,
        "evidence": kpi_evidence_text(view, kpi),
        "evidence_parts": evidence_parts(kpi.evidence, unit, currency),
        "evidence_definition": kpi.evidence.definition if kpi.evidence else "",
    }


def _target_basis(view: ResultsView, kpi: KpiRow) -> str | None:
    """Where a KPI's target comes from, in words (None for a results@1 framework target)."""
    if kpi.target_overridden or kpi.target_basis == "intake":
        framework = format_value(kpi.framework_target, kpi.unit, kpi.currency or view.currency)
        return f"{TARGET_BASIS['intake']}; framework {framework}"
    if kpi.target_basis == "segment":
        name = view.organization.segment_name or view.organization.segment
        return f"{name} target" if name else TARGET_BASIS["segment"]
    if kpi.target_basis == "framework":
        return TARGET_BASIS["framework"]
    return None


def _renewal(view: ResultsView, rows: list[dict[str, Any]]) -> dict[str, Any]:
    renewal = view.renewal
    return {
        "applicable": renewal.applicable,
        "not_applicable": not_applicable_text(view),
        "health": format_score(renewal.health), "rag": renewal.rag,
        "rag_label": rag_label(renewal.rag),
        "kpi_score": format_score(renewal.kpi_score),
        "kpi_readings": readings_of(view, "renewal"),
        "kpi_coverage": format_coverage(renewal.kpi_coverage),
        "practices_score": format_score(renewal.practices_score),
        "blend": format_coverage(renewal.blend),
        "rate": format_percent(renewal.contract_renewal_rate),
        "industry_rate": format_percent(renewal.industry_rate),
        "price_uplift": format_percent(renewal.price_uplift),
        "value_basis": value_basis_text(view),
        "rows": rows,
        "projection": [{
            "year": p.year, "client": format_percent(p.client),
            "industry": format_percent(p.industry), "target": format_percent(p.target),
            "client_value": format_percent(p.client_value),
        } for p in renewal.projection],
    }


def _questionnaire(view: ResultsView, q: Questionnaire) -> dict[str, Any]:
    return {
        "name": q.name, "applicable": q.applicable,
        "not_applicable": not_applicable_text(view),
        "score": format_score(q.score), "coverage": format_coverage(q.coverage),
        "readings": questionnaire_readings(view, q) if q.applicable else NOT_APPLICABLE,
        "insufficient": q.applicable and q.score is not None and not q.sufficient,
        "level": q.level, "level_name": q.level_name,
        "level_text": level_text(q.level, q.level_name), "rag": q.rag,
        "rag_label": rag_label(q.rag),
        "items": [{
            "name": i.name,
            "answer": "n/a" if i.na else DASH if i.answer is None else str(i.answer),
            "label": i.label or ("not applicable" if i.na else "not answered"),
            "weight": format_number(i.weight), "score": format_score(i.score),
            "weak": i.answer is not None and i.answer <= 1,
        } for i in q.items],
    }


def _expectations(view: ResultsView) -> dict[str, Any]:
    exp = view.expectations
    computed, rated = alignment_words(view)
    return {
        "alignment": format_score(exp.alignment),
        "alignment_words": computed,
        "self_rated": format_rating(exp.self_rated_alignment),
        "self_rated_words": rated,
        "survey_average": format_rating(exp.survey_average),
        "survey_source": ", ".join(str(x) for x in (exp.survey_source, exp.survey_year) if x),
        "threshold": format_number(exp.threshold),
        "rows": [{
            "n": n, "name": d.name, "importance": format_rating(d.importance),
            "performance": format_rating(d.performance),
            "priority": format_rating(d.priority),
            "gap": format_rating(d.gap, signed=True),
            "quadrant": QUADRANT_LABELS.get(d.quadrant, DASH) if d.quadrant else DASH,
            "quadrant_key": d.quadrant or "none",
        } for n, d in enumerate(exp.dimensions, start=1)],
        "survey": _survey(view),
    }


def _survey(view: ResultsView) -> dict[str, Any] | None:
    """The customers' and the staff's view of each dimension side by side (methodology §6),
    when the ratings come from a survey; None when every rating was typed."""
    dims = view.expectations.dimensions
    if not any(d.survey for d in dims):
        return None

    rows = []
    for d in dims:
        s = d.survey
        if s is None:
            rows.append({"name": d.name, "surveyed": False})
            continue
        rows.append({
            "name": d.name, "surveyed": True, "flagged": s.flagged,
            "importance": group_rating_text(s.importance, s.customer_n),
            "performance": group_rating_text(s.performance, s.customer_n),
            "customer_n": f"{s.customer_n:,}", "priority": group_rating_text(s.priority, s.staff_n),
            "staff_n": f"{s.staff_n:,}",
            "customer_few": s.customer_n < MIN_RESPONDENTS,
            "staff_few": s.staff_n < MIN_RESPONDENTS,
            "gap": format_rating(s.importance.mean - s.priority.mean, signed=True)
            if s.importance and s.priority and s.importance.mean is not None
            and s.priority.mean is not None else DASH,
        })
    sources = sorted({d.survey.source for d in dims if d.survey and d.survey.source})
    return {"rows": rows, "source": "; ".join(sources), "few": FEW_RESPONDENTS,
            "flagged": sum(1 for d in dims if d.survey and d.survey.flagged)}


def _quality(view: ResultsView) -> dict[str, Any]:
    """The data-quality section: coverage, the consistency relations, and the warnings."""
    checks = []
    for c in view.consistency:
        term = check_stated_term(c)
        status = check_status(c)
        cells = []
        for cell, (t, v) in zip(c.cells, c.terms.items(), strict=False):
            value = term_value(view, t, v)
            if c.derived and t == term:
                value = f"{term_value(view, t, c.implied)} ({DERIVED})"
            cells.append({"cell": cell, "term": term_label(view, t), "value": value,
                          "missing": t in c.missing})
        checks.append({
            "id": c.relation, "name": c.name, "cells": cells, "status": status,
            "status_label": CHECK_LABELS[status], "result": check_result(view, c),
            "stated": term_value(view, term, c.stated) if term else DASH,
            "implied": term_value(view, term, c.implied) if term else DASH,
            "tolerance": format_coverage(c.tolerance) if c.tolerance is not None else DASH,
            "derived": c.derived,
        })
    index = view.index
    return {
        "evidence": _evidence_groups(view),
        "few": FEW_RESPONDENTS,
        "coverage": format_coverage(index.coverage),
        "index_readings": readings_of(view, "index"),
        "insufficient": not index.sufficient,
        "missing": [{"name": k.name, "area": view.area_name(k.area)} for k in view.kpis
                    if k.applicable and k.current is None],
        "not_applicable": [k.name for k in view.kpis if not k.applicable],
        "derived": [k.name for k in view.kpis if k.derived],
        "checks": checks,
        "failed": sum(1 for c in checks if c["status"] == "failed"),
    }


def _evidence_groups(view: ResultsView) -> list[dict[str, Any]]:
    """The evidence of the data-quality section, one group per source file and period (in the
    order they first appear), its figures in :func:`evidence_order`."""
    groups: dict[tuple[str, str], list[EvidenceEntry]] = {}
    for entry in view.evidence:
        period = period_text(entry.period_from, entry.period_to)
        groups.setdefault((entry.source, period), []).append(entry)
    return [{"source": source or DASH, "period": period or "period not known",
             "rows": [_evidence_row(view, e)
                      for e in sorted(entries, key=lambda e: evidence_order(view, e))]}
            for (source, period), entries in groups.items()]


def _evidence_row(view: ResultsView, entry: EvidenceEntry) -> dict[str, Any]:
    """One figure computed from the client's data, for the data-quality table."""
    unit = evidence_unit(view, entry)
    return {
        "target": view.evidence_target(entry), "kind": entry.target,
        "value": evidence_value(view, entry), "n": f"{entry.n:,}",
        "interval": interval_text(entry.ci, unit, view.currency) or DASH,
        "definition": entry.definition or DASH,
        "cell": entry.cell, "used": entry.used, "flagged": entry.flagged,
        "status": evidence_status(entry),
    }


def _profile_value(value: Any, key: str = "", currency: str | None = None) -> str:
    """A profile value as text: money fields with the currency code, numbers with thousands
    separators, blanks as a dash."""
    if value is None or value == "":
        return DASH
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if key in MONEY_FIELDS:
            return format_money(float(value), currency)
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"
    return str(value)


def _label(key: str) -> str:
    return str(key).replace("_", " ").capitalize()


def render(results: dict[str, Any], options: RenderOptions) -> str:
    """The ``html`` output format (:mod:`assessment.scorecard.formats`), under the options'
    brand."""
    return render_html(results, brand=options.brand)
