"""The self-contained HTML scorecard: offline, escaped, deterministic, atomic."""

from __future__ import annotations

import copy
import datetime as dt
import re
import struct
import subprocess
import sys
import zlib
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from results_data import CURRENT, intake_data, sparse_results

from assessment.core.format import benchmark_figure
from assessment.core.framework import HORIZONS, load_framework
from assessment.core.model import IntakeData
from assessment.core.results import ResultsView
from assessment.core.scoring import score
from assessment.intake.reader import read_intake
from assessment.intake.samples import SAMPLES_DIR, sample_data
from assessment.scorecard import html as scorecard
from assessment.scorecard.brand import DEFAULT_BRAND, Brand, Logo
from assessment.scorecard.charts import build_charts
from assessment.scorecard.formats import RenderOptions
from assessment.scorecard.html import css_string, environment, render_html, write_html
from assessment.scorecard.summary import summary_text

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
HOSTILE = f"{SCRIPT} {IMG}"
SECTIONS = ("executive-summary", "summary", "business-case", "roadmap", "kpis", "renewal",
            "practices", "expectations", "data-quality", "method", "appendix")
SECTION_TAG = re.compile(r'<section id="([^"]+)"')


def acme_intake(org: str = "Acme Support GmbH", note: str = "Survey changed in Q2",
                warning: str = "KPIs!C12: check this value", model: str = "blended",
                **profile: Any) -> IntakeData:
    """The intake of :func:`acme_results`."""
    fw = load_framework()
    ids = {k.id for k in fw.kpis}
    current: dict[str, float | None] = {k: v for k, v in CURRENT.items() if k in ids}
    current.update(customer_effort_score=None, cases_per_engineer_month=None)
    return intake_data(
        org, note, warning, current,
        **{"support_model": model, "fx_rate": 0.92, "segment": "b2b_software",
           "self_rated_alignment": 7, "support_cost": 13_000_000, "assisted_cases": 40_000,
           "support_headcount": 30, **profile})


def acme_results(org: str = "Acme Support GmbH", note: str = "Survey changed in Q2",
                 warning: str = "KPIs!C12: check this value", model: str = "blended",
                 **profile: Any) -> dict[str, Any]:
    """A full results@2 structure for the scorecard tests: a EUR client (rate 0.92) in the
    B2B software segment, every area answered, with one KPI missing (customer effort), one
    derived by a relation (cases per engineer, from assisted cases and headcount), one
    relation failing (cost per case against support cost / assisted cases), a client target
    (CSAT 88%), a note and a warning. Without a contract revenue base, its renewal driver
    needs data."""
    return score(load_framework(), acme_intake(org, note, warning, model, **profile))



def sample_results(name: str) -> dict[str, Any]:
    """A bundled sample organization, scored with the default framework."""
    return score(load_framework(), sample_data(name))


def v1_results(results: dict[str, Any]) -> dict[str, Any]:
    """``results`` as a version 1 file holds them: schema results@1, none of the keys
    results@2 added, missing KPIs left out (the measured reading is the score), maturity
    level names."""
    old = copy.deepcopy(results)
    old["schema"] = "support-excellence/results@1"
    for key in ("consistency", "business_case", "roadmap", "executive_summary"):
        old.pop(key, None)
    old["renewal"].pop("money", None)
    for key in ("segment", "segment_name", "fx_rate", "self_rated_alignment", "support_cost",
                "assisted_cases", "support_headcount"):
        old["organization"].pop(key, None)
    old["framework"].pop("currency", None)
    old["framework"].pop("answer_scale", None)
    for key in ("missing_kpi", "currency", "segments", "alignment_survey_source",
                "alignment_survey_year"):
        old["framework"]["settings"].pop(key, None)
    old["framework"]["levels"] = ["Reactive", "Developing", "Established", "Advanced",
                                  "Leading"]
    for part in (old["index"], *old["elements"].values(), *old["questionnaires"].values()):
        part["score"] = part.get("measured_score", part.get("score"))
        for key in ("measured_score", "sufficient", "applicable", "missing_kpi",
                    "kpis_not_applicable"):
            part.pop(key, None)
    old["index"]["level_name"] = old["framework"]["levels"][old["index"]["level"] - 1]
    for kpi in old["kpis"]:
        for key in ("applicable", "derived", "derived_from", "target_basis", "currency"):
            kpi.pop(key, None)
        if kpi.get("benchmark"):
            kpi["benchmark"].pop("currency", None)
            kpi["benchmark"].pop("converted", None)
    for key in ("applicable", "kpi_measured_score", "recurring_revenue_rate", "value_basis"):
        old["renewal"].pop(key, None)
    for key in ("self_rated_alignment", "survey_source", "survey_year"):
        old["expectations"].pop(key, None)
    for gap in old["gaps"]:
        gap.pop("kind", None)
    for rec in old["recommendations"]:
        rec.pop("kind", None)
        rec.pop("side", None)
    return old



class Page(HTMLParser):
    """Collects tags, attributes, ids, text by id and the inline CSS of a page."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.ids: dict[str, dict[str, str | None]] = {}
        self.text_by_id: dict[str, str] = {}
        self.styles: list[str] = []
        self._open: list[tuple[str, str | None]] = []
        self._in_style = False
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if attributes.get("id"):
            self.ids[attributes["id"]] = {"tag": tag, **attributes}
        if attributes.get("style"):
            self.styles.append(attributes["style"])
        self._in_style = tag == "style"
        void = tag in ("meta", "br", "img", "input", "link", "hr", "rect", "line", "circle",
                       "path", "polyline")
        if not void:
            self._open.append((tag, attributes.get("id")))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        self._in_style = False
        while self._open:
            open_tag, _ = self._open.pop()
            if open_tag == tag:
                break

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)
        for _, ident in self._open:
            if ident:
                self.text_by_id[ident] = self.text_by_id.get(ident, "") + " " + data

    def text(self, ident: str) -> str:
        return " ".join(self.text_by_id.get(ident, "").split())


@pytest.fixture(scope="module")
def full() -> dict[str, Any]:
    return acme_results()


@pytest.fixture(scope="module")
def page_text(full) -> str:
    return render_html(full)


@pytest.fixture(scope="module")
def page(page_text) -> Page:
    return Page(page_text)


EXTERNAL = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:|//)", re.I)


def assert_offline(parsed: Page) -> None:
    """No attribute may load anything: only in-page ``#fragment`` links are allowed."""
    for tag, attrs in parsed.tags:
        assert tag not in ("script", "link", "iframe", "object", "embed", "img", "base"), tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)  # no event handler attributes
            if name in ("src", "href", "xlink:href", "action", "formaction", "poster",
                        "data", "srcset", "background"):
                assert value and value.startswith("#"), (tag, name, value)
                assert not EXTERNAL.match(value), (tag, name, value)
    for css in parsed.styles:
        assert "url(" not in css and "@import" not in css


def test_page_is_self_contained(page, page_text):
    assert page_text.startswith("<!DOCTYPE html>")
    assert_offline(page)
    assert "http:" not in page_text and "https:" not in page_text
    assert page.ids["summary"]["tag"] == "section"
    metas = [a for t, a in page.tags if t == "meta"]
    assert {"name": "viewport", "content": "width=device-width, initial-scale=1"} in metas
    css = "".join(page.styles)
    assert "@page" in css and "break-before: page" in css and "@media print" in css


def test_sections_present_in_order(page, page_text):
    for section in SECTIONS:
        assert page.ids[section]["tag"] == "section", section
    # the executive summary is the first section and nothing but the header comes before it;
    # the appendix of recommendations is the last
    assert SECTION_TAG.findall(page_text) == list(SECTIONS)
    main = page_text.split('<main class="wrap">', 1)[1]
    assert main.lstrip().startswith('<section id="executive-summary"')
    assert page_text.index("</header>") < page_text.index('<section id="executive-summary"')
    assert page.text("appendix-h") == "Appendix: all recommendations"


def test_every_chart_is_drawn_with_a_data_table(full, page):
    charts = build_charts(full)
    figures = [a for t, a in page.tags if t == "figure" and "chart" in a.get("class", "")]
    svgs = [a for t, a in page.tags if t == "svg"]
    assert len(figures) == len(charts) == len(svgs) == 11
    for chart in charts:
        figure = page.ids[chart.id]
        assert figure["tag"] == "figure"
        assert page.ids[f"{chart.id}-svg"]["role"] == "img"
        table_id = figure["aria-describedby"]
        assert page.ids[table_id]["tag"] == "table", chart.id
        assert chart.title in page.text(f"{chart.id}-caption")


def test_summary_numbers(full, page):
    assert page.text("index-score") == f"{full['index']['score']:.1f}"
    assert page.text("index-level") == "Fair (band 60\u201380)"  # the band beside its colour
    assert full["index"]["level_name"] == "Fair" and "Amber" in page.text("summary")
    assert page.text("renewal-health") == f"{full['renewal']['health']:.1f}"
    assert page.text("alignment").startswith(f"{full['expectations']['alignment']:.1f}")
    assert page.text("org-name") == full["organization"]["name"]
    assert page.text("assessment-date") == "2024-05-17"
    for key, element in full["elements"].items():
        row = page.text(f"element-{key}")
        assert f"{element['score']:.1f}" in row
        assert element["rag"].capitalize() in row
    gaps = page.text("gaps-table")
    for gap in full["gaps"][:5]:
        assert gap["name"] in gaps and f"{gap['points_at_stake']:.2f}" in gaps


def test_both_readings_of_missing_data_for_the_index_and_each_element(full, page):
    view = ResultsView.from_dict(full)
    assert full["index"]["coverage"] < 1 and full["framework"]["settings"]["missing_kpi"] == "zero"
    words = view.readings("index")
    assert words == (f"{full['index']['score']:.1f} (missing data counted as 0); "
                     f"{full['index']['measured_score']:.1f} on the "
                     f"{100 * full['index']['coverage']:.0f}% of KPIs measured")
    assert page.text("index-readings") == words
    assert words in page.text("element-table") and words in page.text("data-quality")
    reputation = view.element("reputation")
    assert reputation.coverage < 1
    assert view.readings("reputation") in page.text("element-reputation")
    assert "missing data counted as 0" in view.readings("reputation")
    for e in view.elements:
        assert view.readings(e.key) in page.text(f"element-{e.key}")
        assert view.readings(e.key) in page.text(f"kpis-{e.key}")


def test_organization_segment_currency_and_rate(page):
    profile = page.text("profile-table")
    assert "Segment B2B software support" in profile
    assert "Currency EUR" in profile
    assert "Targets converted from USD at 0.92 EUR per USD" in profile
    assert "Support cost EUR 13,000,000" in profile and "Assisted cases 40,000" in profile
    assert "Fx rate" not in profile and "Segment name" not in profile


def test_kpi_rows_are_formatted_by_unit(full, page):
    kpis = {k["id"]: k for k in full["kpis"]}
    csat = page.text("kpi-csat")
    assert "81%" in csat and "88%" in csat and "client's own target; framework 85%" in csat
    assert "SQM Group, 2021-2022" in csat
    assert f"{kpis['csat']['score']:.1f}" in csat and "Survey changed in Q2" in csat
    # money in the client's currency, the segment's target converted at 0.92
    cost = page.text("kpi-cost_per_case")
    assert "EUR 31.25" in cost and "EUR 69" in cost and "EUR 230" in cost
    assert "B2B software support target" in cost
    assert "30.5 h" in page.text("kpi-time_to_resolve")
    assert "24 h" in page.text("kpi-time_to_resolve")
    assert "framework target" in page.text("kpi-engineer_utilization")
    utilization = page.text("kpi-engineer_utilization")
    assert "72%" in utilization and "50% to 60%" in utilization and "30% / 85%" in utilization
    points = kpis["first_contact_resolution"]["points_at_stake"]
    assert f"{points:.2f}" in page.text("kpi-first_contact_resolution")
    renewal_points = kpis["win_back_rate"]["health_points_at_stake"]
    assert f"{renewal_points:.2f}" in page.text("kpi-win_back_rate")


def test_a_foreign_currency_benchmark_shows_the_converted_figure_beside_it(full, page):
    cost = next(k for k in full["kpis"] if k["id"] == "cost_per_case")
    assert cost["benchmark"]["currency"] == "USD"
    figure = benchmark_figure(cost["benchmark"], "currency")
    assert figure == "USD 45 to USD 150 (\u2248 EUR 41.40 to EUR 138)"
    assert f">{figure}<" in render_html(full)
    assert "EUR 45 to" not in page.text("kpi-cost_per_case")  # never relabelled


def test_a_derived_value_is_marked_with_its_relation(full, page):
    row = page.text("kpi-cases_per_engineer_month")
    assert "111.1 (derived)" in row
    relation = next(c for c in full["consistency"] if c["derived"])
    assert f"derived from {relation['name']}" in row


def test_missing_kpis_are_gaps_and_recommendations_to_measure(full, page):
    missing = next(g for g in full["gaps"] if g["kind"] == "measure")
    assert missing["id"] == "customer_effort_score"
    gaps = page.text("gaps-table")
    assert f"{missing['name']} Reputation no data {missing['points_at_stake']:.2f} " \
           "Measure this" in gaps
    row = page.text("kpi-customer_effort_score")
    assert "No data" in row and "measure this" in row
    recs = page.text("recommendation-list")
    assert "Measure this" in recs and "Start measuring Customer Effort Score" in recs
    # a band KPI above its band is advised for that side only
    assert "value above the band" in recs and "value below the band" not in recs


def test_projection_practices_expectations_recommendations(full, page):
    projection = page.text("projection-table")
    for point in full["renewal"]["projection"]:
        assert f"{100 * point['industry']:.1f}".rstrip("0").rstrip(".") + "%" in projection
    assert "46.1%" in projection  # 0.824^4, methodology §5
    assert full["renewal"]["value_basis"] == "recurring_revenue_rate"
    assert "recurring-revenue rate R (97%) to the power k \u2212 1" in page.text("renewal")
    practices = page.text("practice-table-excellence_practices")
    assert "not answered" in practices and "Not in place" in practices
    assert "not applicable" in page.text("practice-table-renewal_practices")
    renewal_q = full["questionnaires"]["renewal_practices"]
    assert renewal_q["level_name"] == "Ad hoc"
    assert "Level 2 \u00b7 Ad hoc" in page.text("practices-card-renewal_practices")
    expectations = page.text("expectations-table")
    assert "Concentrate here" in expectations and "+3" in expectations
    recs = page.text("recommendation-list")
    assert len(full["recommendations"]) > 5
    for rec in full["recommendations"][:5]:
        assert rec["name"] in recs
    assert "KPIs!C12: check this value" in page.text("data-quality")
    assert full["framework"]["name"] in page.text("method")


def test_alignment_is_the_toolkits_measure_and_the_self_rating_meets_hdi(full, page):
    exp = full["expectations"]
    card = page.text("alignment")
    assert card == f"{exp['alignment']:.1f} / 10" and "6.6" not in card
    assert "this toolkit's own measure" in page.text("alignment-detail")
    rated = page.text("self-rated-alignment")
    assert rated == "7 / 10"
    detail = page.text("self-rated-detail")
    assert "7 out of 10, against the survey average of 6.6" in detail
    assert exp["survey_source"] in detail and str(exp["survey_year"]) in detail
    assert "HDI average 6.6" in page.text("summary")
    # the computed measure is never set against HDI's 6.6
    assert "6.6" not in page.text("alignment-detail")


def test_data_quality_lists_a_failing_relation_with_its_cells(full, page):
    failed = next(c for c in full["consistency"] if c["ok"] is False)
    row = page.text(f"check-{failed['relation']}")
    assert failed["name"] in row and "Failed" in row
    for cell in failed["cells"]:
        assert cell in row
    assert "EUR 31.25" in row and "EUR 325" in row and "15%" in row
    assert "1 failed" in page.text("consistency-table")
    quality = page.text("data-quality")
    assert "No data, to be measured: Customer Effort Score (CES) (Reputation)" in quality
    derived = next(c for c in full["consistency"] if c["derived"])
    assert "Derived" in page.text(f"check-{derived['relation']}")
    unchecked = next(c for c in full["consistency"] if c["ok"] is None and not c["derived"])
    assert "Not checked: no value for" in page.text(f"check-{unchecked['relation']}")


def test_a_sample_with_failing_and_derived_relations():
    fw = load_framework()
    workbook = SAMPLES_DIR / "ironclad-systems.xlsx"
    results = score(fw, read_intake(workbook, fw))  # the reader names the real cells
    parsed = Page(render_html(results))
    failed = [c for c in results["consistency"] if c["ok"] is False]
    assert failed
    for check in failed:
        row = parsed.text(f"check-{check['relation']}")
        assert "Failed" in row and all(cell in row for cell in check["cells"])
        assert "!" in check["cells"][0]  # real workbook cells, e.g. KPIs!E14


def test_an_internal_desk_has_no_renewal_and_its_revenue_kpis_are_not_applicable():
    results = sample_results("harbor-city-it")
    assert results["organization"]["support_model"] == "internal"
    assert results["renewal"]["applicable"] is False and results["renewal"]["projection"] == []
    text = render_html(results)
    parsed = Page(text)
    words = "Not applicable to an internal support model"
    assert words in parsed.text("renewal") and words in parsed.text("renewal-health")
    assert words in parsed.text("practices-card-renewal_practices")
    for ident in ("projection-table", "kpi-table-renewal", "chart-projection",
                  "chart-kpis-renewal", "practice-table-renewal_practices"):
        assert ident not in parsed.ids, ident
    not_applicable = [k for k in results["kpis"] if not k["applicable"]]
    assert {"support_gross_margin", "contract_renewal_rate"} <= {k["id"] for k in
                                                                 not_applicable}
    for kpi in not_applicable:
        if kpi["element"] == "renewal":
            continue
        row = parsed.text(f"kpi-{kpi['id']}")
        assert "Not applicable" in row and "No data" not in row
        assert parsed.ids[f"kpi-{kpi['id']}"]["class"] == "na"
    assert "left out of every score: Support gross margin" in parsed.text("data-quality")
    terminal = summary_text(results)
    assert "not applicable to an internal support model" in terminal
    assert "Renewal projection" not in terminal


def test_an_element_none_of_whose_kpis_applies():
    results = acme_results()
    results["elements"]["profit"].update(applicable=False, score=None, measured_score=None,
                                         coverage=0.0, kpis=0)
    parsed = Page(render_html(results))
    row = parsed.text("element-profit")
    assert "Not applicable" in row and "0.0" not in row
    assert "Profit not applicable" in parsed.text("chart-elements")


def test_the_terminal_summary_shows_both_readings_and_the_band():
    results = sample_results("northwind-cloud-2026-04")
    view = ResultsView.from_dict(results)
    assert view.index.coverage < 1
    terminal = summary_text(results)
    assert view.readings("index") in terminal
    assert "(missing data counted as 0)" in terminal
    for e in view.elements:
        assert view.readings(e.key) in terminal
    assert f"Amber \u00b7 {view.index.level_name} (band" in terminal or \
        f"\u00b7 {view.index.level_name} (band" in terminal
    assert ": measure this" in terminal
    assert "Segment: B2B software support" in terminal
    page = Page(render_html(results))
    assert page.text("index-readings") == view.readings("index")


def test_insufficient_data_is_said_beside_the_number():
    results = sparse_results()
    assert results["index"]["sufficient"] is False and results["index"]["score"] is not None
    parsed = Page(render_html(results))
    assert "insufficient data" in parsed.text("index-insufficient")
    assert "insufficient data" in summary_text(results)


def test_results_version_1_still_render(full):
    old = v1_results(full)
    view = ResultsView.from_dict(old)
    assert view.version == 1 and view.missing_kpi == "exclude"
    text = render_html(old)
    parsed = Page(text)
    assert_offline(parsed)
    assert parsed.text("index-level") == "Level 4 \u00b7 Advanced"
    assert "(missing data left out)" in parsed.text("index-readings")
    assert "self-rated-alignment" not in parsed.ids
    assert "these results predate the checks" in parsed.text("data-quality")
    # a results@1 benchmark names no currency: its figure is not relabelled in the client's
    assert "USD 45 to USD 150" not in text and "EUR 45 to EUR 150" not in text
    assert "45 to 150" in parsed.text("kpi-cost_per_case")
    terminal = summary_text(old)
    assert "Level 4 \u00b7 Advanced" in terminal and "Self-rated" not in terminal
    # no executive summary, business case or roadmap: a note says why; the appendix stays last
    assert SECTION_TAG.findall(text) == [s for s in SECTIONS if s not in (
        "executive-summary", "business-case", "roadmap")]
    assert "made before the executive summary" in parsed.text("no-executive-summary")
    assert "chart-timeline" not in parsed.ids
    assert not terminal.startswith("Executive summary")



# --------------------------------------------------------------------------- decision parts


def harbor() -> dict[str, Any]:
    """An internal desk whose cost drivers overlap: the cost-per-case gap is counted, the
    self-service shift and repeat contacts are not."""
    return sample_results("harbor-city-it")


def test_executive_summary_holds_the_story_a_vp_reads_first(full, page):
    summary = full["executive_summary"]
    exec_text = page.text("executive-summary")
    assert page.text("exec-readings") == ResultsView.from_dict(full).readings("index")
    assert page.text("exec-band") == "Fair (band 60\u201380)" and "Amber" in exec_text
    for key, element in full["elements"].items():
        assert page.text(f"exec-element-{key}").startswith(
            f"{element['name']} {element['score']:.1f}")
    assert f"{full['renewal']['health']:.1f}" in page.text("exec-renewal")
    # 3-5 findings, each sentence as given, the rule behind it on hover
    assert 3 <= len(summary["findings"]) <= 5
    for f in summary["findings"]:
        item = page.ids[f"finding-{f['id']}"]
        assert page.text(f"finding-{f['id']}") == f["text"]
        assert item["data-rule"] == f["rule"] and f"rule {f['rule']}:" in item["title"]
    # the top initiatives with their base money, horizon and owner
    rows = page.text("exec-initiatives")
    for n, i in enumerate(summary["initiatives"], start=1):
        assert i["name"] in rows and i["owner"] in rows
        assert f"{n} {i['name']}" in rows
    first = summary["initiatives"][0]
    assert first["money_base"] and f"EUR {first['money_base']:,.0f} a year" in rows
    assert "3\u20136 months" in rows
    total = summary["total"]
    assert f"EUR {total['base']:,.0f}" in page.text("exec-total")
    assert (f"EUR {total['low']:,.0f} to EUR {total['high']:,.0f} from the cautious to the "
            "high case") in page.text("exec-total")
    caveats = page.text("exec-caveats")
    assert summary["caveats"] and all(c in caveats for c in summary["caveats"])
    # nothing of the later sections on the first page
    assert "Organization profile" not in exec_text and "Assumptions" not in exec_text


def test_a_consultants_wording_is_marked_and_names_its_rule():
    intake = acme_intake()
    intake.finding_wording = {"largest_gap": "Grow the revenue support sources <b>first</b>."}
    results = score(load_framework(), intake)
    text = render_html(results)
    parsed = Page(text)
    item = parsed.ids["finding-largest_gap"]
    assert parsed.text("finding-largest_gap") == (
        "Grow the revenue support sources <b>first</b>. consultant's wording")
    assert "<b>first" not in text  # escaped
    assert item["title"].startswith("Consultant's wording. Chosen by the rule largest_gap:")
    others = [f for f in results["executive_summary"]["findings"] if not f["overridden"]]
    assert others and "consultant's wording" not in parsed.text(f"finding-{others[0]['id']}")
    terminal = summary_text(results)
    assert "Grow the revenue support sources <b>first</b>. [consultant's wording]" in terminal


def test_a_driver_without_its_data_says_so_and_never_zero(full, page):
    driver = next(d for d in full["business_case"]["drivers"]
                  if d["id"] == "renewal_revenue_at_stake")
    assert driver["status"] == "needs_data" and driver["needs"] == ["contract_revenue_base"]
    row = page.text("driver-renewal_revenue_at_stake")
    assert "needs data: contract_revenue_base" in row and "Needs data" in row
    assert not re.search(r"\b0\b", row), row
    detail = page.text("driver-detail-renewal_revenue_at_stake")
    assert "needs data: contract_revenue_base" in detail and "EUR 0" not in detail
    assert "Renewal revenue at stake (needs data: contract_revenue_base)" in page.text(
        "bc-needs-data")
    assert page.text("renewal-money-missing") == (
        "No renewal money yet: needs data: contract_revenue_base.")


def test_each_driver_shows_its_formula_assumptions_and_values(full, page):
    drivers = {d["id"]: d for d in full["business_case"]["drivers"]}
    shift = drivers["self_service_shift"]
    assert shift["counted"]
    row = page.text("driver-self_service_shift")
    for case in ("low", "base", "high"):
        assert f"EUR {shift[case]:,.0f}" in row
    assert "Counted in the total" in row
    detail = page.text("driver-detail-self_service_shift")
    assert shift["formula_text"] in detail
    table = page.text("assumptions-self_service_shift")
    for a in shift["assumptions"]:
        assert a["name"] in table and f"{a['source']}, {a['year']}" in table
    # a driver at its target reads so, and is not in the total
    assert drivers["cost_per_case_gap"]["status"] == "no_gap"
    assert "At or above target" in page.text("driver-cost_per_case_gap")
    total = full["business_case"]["total"]
    total_row = page.text("driver-total")
    assert all(f"EUR {total[c]:,.0f}" in total_row for c in ("low", "base", "high"))
    assert "Self-service shift + Repeat contacts avoided" in total_row


def test_an_overlapping_driver_is_left_out_of_the_total_and_says_why():
    results = harbor()
    case = results["business_case"]
    drivers = {d["id"]: d for d in case["drivers"]}
    excluded = drivers["self_service_shift"]
    assert excluded["status"] == "ok" and not excluded["counted"]
    assert excluded["excluded_because"]
    parsed = Page(render_html(results))
    row = parsed.text("driver-self_service_shift")
    assert "Valued, not counted (overlap)" in row and excluded["excluded_because"] in row
    assert f"EUR {excluded['base']:,.0f}" in row  # its own value is still shown
    counted = [d for d in case["drivers"] if d["counted"]]
    assert case["total"]["base"] == pytest.approx(sum(d["base"] for d in counted))
    total_row = parsed.text("driver-total")
    assert "Self-service shift" not in total_row
    assert f"EUR {case['total']['base']:,.0f}" in total_row
    # every swing is 0: the total rests on the client's own figures
    assert all(s["swing"] == 0 for s in case["sensitivity"])
    assert "rests on the client's own figures" in parsed.text("sensitivity-own-figures")
    assert "sensitivity-table" not in parsed.ids
    # renewal money does not apply to an internal desk
    assert "Not applicable to an internal support model" in parsed.text("business-case")


def test_sensitivity_lists_the_largest_swing_first(full, page):
    sensitivity = full["business_case"]["sensitivity"]
    assert sensitivity[0]["swing"] > 0
    table = page.text("sensitivity-table")
    positions = [table.index(s["name"]) for s in sensitivity]
    assert positions == sorted(positions)
    assert f"EUR {sensitivity[0]['swing']:,.0f}" in table


def test_renewal_money_table():
    results = sample_results("northwind-cloud")
    money = results["renewal"]["money"]
    assert money and len(money["years"]) == 5
    parsed = Page(render_html(results))
    table = parsed.text("renewal-money-table")
    for y in money["years"]:
        assert f"USD {y['client']:,.0f}" in table and f"USD {y['target']:,.0f}" in table
        assert f"USD {y['industry']:,.0f}" in table
    assert f"USD {money['at_stake']:,.0f}" in table
    row = parsed.text("driver-renewal_revenue_at_stake")
    assert "Counted" in row


def test_roadmap_table_ranks_initiatives_and_points_into_the_appendix(full, page):
    ranked = [i for i in full["roadmap"]["initiatives"] if i["rank"] is not None]
    table = page.text("roadmap-table")
    positions = [table.index(i["name"]) for i in ranked]
    assert positions == sorted(positions)
    first = ranked[0]
    row = page.text(f"initiative-{first['id']}")
    assert row.startswith(f"1 {first['name']}") and first["owner"] in row
    assert "3\u20136 months" in row and "M (medium)" in row
    assert f"EUR {first['money']['base']:,.0f}" in row
    assert "Self-service resolution rate" in row  # the KPIs it moves, by name
    assert f"{first['index_points']:.2f}" in row
    practices = next(i for i in ranked if i["practices"])
    assert "Practices:" in page.text(f"initiative-{practices['id']}")
    for i in ranked:
        for n in i["recommendations"]:
            assert page.ids[f"rec-{n}"]["tag"] == "li"
    links = [a["href"] for t, a in page.tags if t == "a" and a.get("href", "").startswith(
        "#rec-")]
    assert len(links) == sum(len(i["recommendations"]) for i in ranked)
    assert full["roadmap"]["ranking"] in " ".join(page.text("roadmap").split())
    assert "Tracking" not in table  # nothing recorded: no tracking column


def test_roadmap_shows_what_the_intake_tracks():
    intake = acme_intake()
    intake.initiatives = {"self_service_and_knowledge": {
        "chosen": True, "owner": "Dana <Lee>", "due_date": dt.date(2025, 3, 31),
        "status": "in_progress", "inhibitors": "No knowledge tool", "notes": None}}
    text = render_html(score(load_framework(), intake))
    parsed = Page(text)
    row = parsed.text("initiative-self_service_and_knowledge")
    assert "In progress" in row and "chosen" in row and "Dana <Lee>" in row
    assert "due 2025-03-31" in row and "Inhibitors: No knowledge tool" in row
    assert "Dana <Lee>" not in text  # escaped
    assert "not recorded" in parsed.text("initiative-customer_feedback_loop")


def test_timeline_chart_is_drawn_with_the_roadmap(full, page):
    chart = next(c for c in build_charts(full) if c.id == "chart-timeline")
    assert page.ids["chart-timeline"]["aria-describedby"] == "roadmap-table"
    assert [r.key for r in chart.data.rows] == [
        i["id"] for i in full["roadmap"]["initiatives"] if i["rank"] is not None]
    for row, init in zip(chart.data.rows, full["roadmap"]["initiatives"], strict=False):
        assert (row.start, row.end) == HORIZONS[init["horizon"]]


def test_the_terminal_summary_starts_with_the_executive_block(full):
    terminal = summary_text(full)
    lines = terminal.splitlines()
    assert lines[0] == "Executive summary: Acme Support GmbH, assessed 2024-05-17"
    flat = " ".join(terminal.split())
    block = flat.split("Acme Support GmbH \u2014 assessed")[0]
    for f in full["executive_summary"]["findings"]:
        assert " ".join(f["text"].split()) in block
    for i in full["executive_summary"]["initiatives"]:
        assert i["name"] in block
    first = full["executive_summary"]["initiatives"][0]
    assert f"{first['name']}: EUR {first['money_base']:,.0f}" in block
    total = full["business_case"]["total"]
    assert f"Business case: EUR {total['base']:,.0f} a year in the base case" in block
    # the existing tables follow
    assert flat.index("Key findings") < flat.index("Support Excellence Index")


@pytest.mark.parametrize("where", ["org", "note", "warning"])
def test_hostile_text_is_escaped(where):
    kwargs = {"org": {"org": HOSTILE}, "note": {"note": HOSTILE},
              "warning": {"warning": HOSTILE}}[where]
    text = render_html(acme_results(**kwargs))
    assert "<script>alert" not in text and "<img src=x" not in text
    parsed = Page(text)
    assert_offline(parsed)
    if where == "org":
        assert parsed.text("org-name") == HOSTILE  # shown as text, byte for byte
        title = text.split("<title>", 1)[1].split("</title>", 1)[0]
        assert "&lt;script&gt;" in title


def test_hostile_text_in_vega_charts():
    pytest.importorskip("vl_convert")
    results = acme_results(org=HOSTILE, note=HOSTILE)
    text = render_html(results, charts="vega")
    assert "<script>alert" not in text and "<img src=x" not in text
    parsed = Page(text)
    assert len([1 for t, _ in parsed.tags if t == "svg"]) == 11
    for tag, attrs in parsed.tags:
        assert not any(name.startswith("on") for name in attrs), tag
        for name in ("src", "href", "xlink:href"):
            value = attrs.get(name)
            assert value is None or not EXTERNAL.match(value), (tag, name, value)
    # vl-convert's SVG declares XML namespaces: identifiers, not requests.
    for match in re.finditer(r"https?://", text):
        before = text[max(0, match.start() - 20):match.start()]
        assert re.search(r'xmlns(:\w+)?="$', before), before


def test_same_results_same_bytes(full, page_text):
    assert render_html(full) == page_text
    assert render_html(acme_results()) == page_text


def test_profile_values_are_formatted():
    results = acme_results()
    results["organization"].update({"annual_revenue": 48000000.0, "note": None, "ratio": 1.5})
    parsed = Page(render_html(results))
    profile = parsed.text("profile-table")
    assert "Annual revenue EUR 48,000,000" in profile and "Ratio 1.5" in profile
    assert "Note \u2014" in profile


def test_organization_framework_and_currency_come_from_the_view():
    """The page reads the same typed view as the workbook: a blank name shows as unnamed, a
    missing date as a dash, a currency code in capitals however it was written."""
    results = acme_results()
    results["organization"].update({"name": "  ", "assessment_date": None, "currency": "eur"})
    results["framework"].update({"name": "Test framework", "version": "9.9"})
    text = render_html(results)
    parsed = Page(text)
    assert parsed.text("org-name") == "Unnamed organization"
    assert parsed.text("assessment-date") == "\u2014"
    assert "\u00b7 Test framework 9.9</p>" in text
    assert "Framework: Test framework , version 9.9." in parsed.text("method")
    cost = parsed.text("kpi-cost_per_case")
    assert "EUR " in cost and "eur " not in cost
    assert scorecard.context(results)["org"]["name"] == "Unnamed organization"


def test_sparse_results_render_with_notes():
    results = sparse_results()
    text = render_html(results)
    parsed = Page(text)
    assert_offline(parsed)
    assert parsed.text("index-score") == f"{results['index']['score']:.1f}"
    assert "No Profit KPI has a current value" in parsed.text("chart-kpis-profit")
    assert "Not applicable to an internal support model" in parsed.text("renewal")
    assert "No dimension has both" in parsed.text("chart-expectations")
    drawn = [c for c in build_charts(results) if c.data is not None]
    assert len([1 for t, _ in parsed.tags if t == "svg"]) == len(drawn)


def test_autoescape_is_on_for_templates_and_strings():
    env = environment()
    assert env.autoescape("scorecard.html.j2") and env.autoescape(None)
    assert env.from_string("{{ x }}").render(x=SCRIPT) == "&lt;script&gt;alert(1)&lt;/script&gt;"


def test_unknown_chart_renderer(full):
    with pytest.raises(ValueError, match="unknown chart renderer"):
        render_html(full, charts="png")  # type: ignore[arg-type]


def test_write_html(tmp_path, full, page_text):
    path = write_html(full, tmp_path / "out" / "acme.html")
    assert path == tmp_path / "out" / "acme.html"
    assert path.read_bytes() == page_text.encode("utf-8")
    assert [p.name for p in path.parent.iterdir()] == ["acme.html"]


def test_failure_mid_write_leaves_no_file(tmp_path, full, monkeypatch):
    def broken(results, charts="static", brand=None):
        yield "<!DOCTYPE html><html><body>" + "x" * 100_000
        raise RuntimeError("renderer broke half-way")

    monkeypatch.setattr(scorecard, "_chunks", broken)
    target = tmp_path / "acme.html"
    with pytest.raises(RuntimeError, match="half-way"):
        write_html(full, target)
    assert list(tmp_path.iterdir()) == []

    target.write_text("previous scorecard", encoding="utf-8")
    with pytest.raises(RuntimeError):
        write_html(full, target)
    assert target.read_text(encoding="utf-8") == "previous scorecard"
    assert [p.name for p in tmp_path.iterdir()] == ["acme.html"]


def test_module_import_is_light():
    """Importing the HTML module must not pull in Altair or vl-convert (time budget)."""
    code = ("import sys, assessment.scorecard.html; "
            "assert 'altair' not in sys.modules and 'vl_convert' not in sys.modules")
    root = Path(__file__).resolve().parents[1]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root,
                   env={"PYTHONPATH": str(root), "PATH": ""})


# --------------------------------------------------------------------------- brand and cover


def logo_png(width: int = 240, height: int = 80) -> bytes:
    """A small, valid RGB PNG (a navy block) for a brand's logo."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    rows = b"".join(b"\x00" + b"\x0b\x3d\x2e" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def branded(firm: str = "Quillon Partners", *, logo: bool = True,
            confidentiality: str | None = "Strictly confidential: for the board only",
            prepared_by: str | None = "Jane Doe, Quillon Partners") -> Brand:
    """A consulting firm's brand as load_brand gives it (the values are not checked here)."""
    return Brand(firm=firm, logo=Logo(logo_png(), "png", 240, 80) if logo else None,
                 primary_color="#0B3D2E", accent_color="#8A4B08",
                 confidentiality=confidentiality, prepared_by=prepared_by)


#: The text of the printed page's running header and footer (CSS margin boxes).
CSS_CONTENT = re.compile(r'@(?:top|bottom)-(?:left|right) \{ content: ("[^"]*"); \}')
CSS_ESCAPE = re.compile(r"\\([0-9A-Fa-f]{1,6}) ?")


def css_text(quoted: str) -> str:
    """A CSS string written by css_string, read back (its escapes undone)."""
    assert quoted[0] == quoted[-1] == '"'
    return CSS_ESCAPE.sub(lambda m: chr(int(m[1], 16)), quoted[1:-1])


def assert_offline_with_logo(parsed: Page) -> None:
    """As :func:`assert_offline`, but the cover's logo (an ``<img>`` of a data URI) is allowed."""
    for tag, attrs in parsed.tags:
        if tag == "img":
            assert attrs.get("id") == "cover-logo"
            assert attrs["src"].startswith(("data:image/png;base64,",
                                            "data:image/svg+xml;base64,"))
            assert set(attrs) == {"class", "id", "src", "alt", "width", "height"}
            continue
        assert tag not in ("script", "link", "iframe", "object", "embed", "base"), tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            if name in ("src", "href", "xlink:href", "action", "formaction", "poster",
                        "data", "srcset", "background"):
                assert value and value.startswith("#") and not EXTERNAL.match(value)
    for css in parsed.styles:
        assert "url(" not in css and "@import" not in css


def test_default_brand_keeps_the_look(full, page, page_text):
    assert render_html(full, brand=DEFAULT_BRAND) == page_text
    assert page.ids["cover"]["tag"] == "header"
    for ident in ("cover-brand", "cover-firm", "cover-logo", "cover-prepared-by",
                  "cover-confidentiality"):
        assert ident not in page.ids
    css = "".join(page.styles)
    assert "--brand-primary: #1f3a5f; --brand-accent: #2d5a8c;" in css  # today's colours
    assert ":root { --brand-primary:" not in css  # no override
    # printed: the running header (client and date) and the page number, none on the cover
    contents = [css_text(c) for c in CSS_CONTENT.findall(css)]
    assert contents == [f"{full['organization']['name']} \u00b7 2024-05-17"]
    assert '"Page " counter(page) " of " counter(pages)' in css
    assert "@page :first" in css and "@bottom-right { content: none; }" in css


def test_brand_cover_colours_and_running_header(full):
    brand = branded()
    text = render_html(full, brand=brand)
    parsed = Page(text)
    assert_offline_with_logo(parsed)
    assert parsed.text("cover-firm") == "Quillon Partners"
    assert parsed.text("org-name") == full["organization"]["name"]  # the intake's, not the brand's
    assert parsed.text("assessment-date") == "2024-05-17"
    assert parsed.text("cover-prepared-by") == "Prepared by Jane Doe, Quillon Partners"
    assert parsed.text("cover-confidentiality") == "Strictly confidential: for the board only"
    logo = parsed.ids["cover-logo"]
    assert logo["src"] == brand.logo.data_uri() and logo["alt"] == "Quillon Partners"
    assert (logo["width"], logo["height"]) == ("144", "48")  # 48 px high, proportions kept
    # the cover comes before the executive summary
    assert text.index('id="cover"') < text.index('<section id="executive-summary"')
    css = "".join(parsed.styles)
    assert ":root { --brand-primary: #0B3D2E; --brand-accent: #8A4B08; }" in css
    for rag in ("--green: #2e7d32", "--amber: #e0a100", "--red: #c62828"):
        assert rag in css  # RAG colours never follow the brand
    contents = [css_text(c) for c in CSS_CONTENT.findall(css)]
    assert contents == [f"{full['organization']['name']} \u00b7 2024-05-17",
                        "Strictly confidential: for the board only", "Quillon Partners"]
    # the html format reads the options' brand
    assert scorecard.render(full, RenderOptions(brand=brand)) == text


def test_a_brand_without_logo_or_lines():
    text = render_html(acme_results(), brand=branded(logo=False, confidentiality=None,
                                                     prepared_by=None))
    parsed = Page(text)
    assert parsed.text("cover-firm") == "Quillon Partners"
    for ident in ("cover-logo", "cover-prepared-by", "cover-confidentiality"):
        assert ident not in parsed.ids
    assert "<img" not in text
    contents = CSS_CONTENT.findall("".join(parsed.styles))
    assert len(contents) == 2  # client and date; the firm; no confidentiality line


def test_long_texts_are_shortened_in_the_running_header_only():
    name = "Acme " + "Support " * 20 + "GmbH"
    line = "Confidential " * 15
    text = render_html(acme_results(org=name), brand=branded(confidentiality=line.strip()))
    parsed = Page(text)
    assert parsed.text("org-name") == name and parsed.text("cover-confidentiality") == line.strip()
    left, right, _firm = (css_text(c) for c in CSS_CONTENT.findall("".join(parsed.styles)))
    assert left.endswith("\u2026 \u00b7 2024-05-17") and len(left) <= scorecard.RUNNING_CLIENT + 13
    assert right.endswith("\u2026") and len(right) == scorecard.RUNNING_LINE
    # a word too long to wrap gets a break opportunity (zero-width space) every 24 characters
    text = render_html(acme_results(org="A" * 50), brand=branded(confidentiality="C" * 80))
    left, right, _firm = (css_text(c) for c in CSS_CONTENT.findall("".join(Page(text).styles)))
    assert left == "A" * 24 + "\u200b" + "A" * 24 + "\u200b" + "AA \u00b7 2024-05-17"
    assert right.split("\u200b") == ["C" * 24] * 3 + ["C" * 8]


STYLE_INJECTION = '"; } body { display: none } </style><script>alert(1)</script>'


def test_hostile_brand_text_is_escaped():
    brand = branded(firm=HOSTILE, confidentiality=STYLE_INJECTION, prepared_by=HOSTILE)
    org = '"; } </style><script>x</script>'
    text = render_html(acme_results(org=org), brand=brand)
    assert "<script>" not in text and "<img src=x" not in text
    assert text.count("</style>") == 1
    parsed = Page(text)
    assert_offline_with_logo(parsed)
    assert parsed.text("cover-firm") == HOSTILE
    assert parsed.text("cover-prepared-by") == f"Prepared by {HOSTILE}"
    assert parsed.text("cover-confidentiality") == STYLE_INJECTION
    assert parsed.ids["cover-logo"]["alt"] == HOSTILE
    css = "".join(parsed.styles)
    contents = CSS_CONTENT.findall(css)
    for quoted in contents:  # nothing but letters, digits, spaces and escapes inside
        assert re.fullmatch(r'"(?:[A-Za-z0-9 ]|\\[0-9A-F]{1,6} )*"', quoted), quoted
    assert [css_text(c).replace("\u200b", "") for c in contents] == [
        f"{org} \u00b7 2024-05-17", STYLE_INJECTION, HOSTILE]


def test_bad_brand_colours_are_never_written_into_the_style():
    brand = Brand(firm="X", logo=None, primary_color="red; } .evil-marker { color: red",
                  accent_color="#8A4B08", confidentiality=None, prepared_by=None)
    text = render_html(acme_results(), brand=brand)
    assert "evil-marker" not in text and ":root { --brand-primary" not in text


@pytest.mark.parametrize("text", ["plain", "", "a\"b\\c", "</style><script>", "line\nbreak",
                                  "\u00e9t\u00e9 \u2014 \u00b7 \U0001F600", "5 \\3C  x"])
def test_css_string_round_trips(text):
    quoted = str(css_string(text))
    assert re.fullmatch(r'"(?:[A-Za-z0-9 ]|\\[0-9A-F]{1,6} )*"', quoted)
    assert css_text(quoted) == text.replace("\n", " ")


def test_tables_are_built_to_fit(page, page_text):
    """What keeps tables inside 1280 px (checked in Chromium by test_chromium.py): headers
    wrap, row names and ids may break, the KPI and roadmap tables reflow on a narrow screen,
    and the roadmap puts each initiative's text on a second row."""
    css = "".join(page.styles)
    assert "thead th, thead th.num { white-space: normal; }" in css
    assert "tbody th, .cell, .recs-ref, .profile td { overflow-wrap: anywhere; }" in css
    assert "@media screen and (max-width: 700px)" in css
    assert "thead + tbody > tr:first-child { break-before: avoid;" in css
    assert "thead { display: table-header-group; }" in css
    assert page_text.count('class="kpi-table stack"') == 5
    bodies = [a for t, a in page.tags if t == "tbody" and a.get("class") == "initiative"]
    assert bodies and all(a["id"].startswith("initiative-") for a in bodies)
