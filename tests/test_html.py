"""The self-contained HTML scorecard: offline, escaped, deterministic, atomic."""

from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from results_data import full_results, sparse_results

from assessment.scorecard import html as scorecard
from assessment.scorecard.charts import build_charts
from assessment.scorecard.html import environment, render_html, write_html

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
HOSTILE = f"{SCRIPT} {IMG}"
SECTIONS = ("summary", "kpis", "renewal", "practices", "expectations", "recommendations",
            "data-quality", "method")



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
    return full_results()


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
    positions = [page_text.index(f'<section id="{s}"') for s in SECTIONS]
    assert positions == sorted(positions)


def test_every_chart_is_drawn_with_a_data_table(full, page):
    charts = build_charts(full)
    figures = [a for t, a in page.tags if t == "figure" and "chart" in a.get("class", "")]
    svgs = [a for t, a in page.tags if t == "svg"]
    assert len(figures) == len(charts) == len(svgs) == 10
    for chart in charts:
        figure = page.ids[chart.id]
        assert figure["tag"] == "figure"
        assert page.ids[f"{chart.id}-svg"]["role"] == "img"
        table_id = figure["aria-describedby"]
        assert page.ids[table_id]["tag"] == "table", chart.id
        assert chart.title in page.text(f"{chart.id}-caption")


def test_summary_numbers(full, page):
    assert page.text("index-score") == f"{full['index']['score']:.1f}"
    assert full["index"]["level_name"] in page.text("index-level")
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


def test_kpi_rows_are_formatted_by_unit(full, page):
    kpis = {k["id"]: k for k in full["kpis"]}
    csat = page.text("kpi-csat")
    assert "81%" in csat and "88%" in csat and "framework 85%" in csat
    assert "82%" in csat and "Zendesk Benchmark, 2013" in csat
    assert f"{kpis['csat']['score']:.1f}" in csat and "Survey changed in Q2" in csat
    assert "EUR 455.50" in page.text("kpi-cost_per_customer")
    assert "EUR 300" in page.text("kpi-cost_per_customer")
    assert "30.5 h" in page.text("kpi-time_to_resolve")
    assert "24 h" in page.text("kpi-time_to_resolve")
    utilization = page.text("kpi-engineer_utilization")
    assert "72%" in utilization and "50% to 60%" in utilization and "30% / 85%" in utilization
    points = kpis["first_contact_resolution"]["points_at_stake"]
    assert f"{points:.2f}" in page.text("kpi-first_contact_resolution")
    renewal_points = kpis["win_back_rate"]["health_points_at_stake"]
    assert f"{renewal_points:.2f}" in page.text("kpi-win_back_rate")


def test_projection_practices_expectations_recommendations(full, page):
    projection = page.text("projection-table")
    for point in full["renewal"]["projection"]:
        assert f"{100 * point['industry']:.1f}".rstrip("0").rstrip(".") + "%" in projection
    assert "46.1%" in projection  # 0.824^4, methodology §5
    practices = page.text("practice-table-excellence_practices")
    assert "not answered" in practices and "Not in place" in practices
    assert "not applicable" in page.text("practice-table-renewal_practices")
    expectations = page.text("expectations-table")
    assert "Concentrate here" in expectations and "+3" in expectations
    recs = page.text("recommendation-list")
    assert len(full["recommendations"]) > 5
    for rec in full["recommendations"][:5]:
        assert rec["name"] in recs
    assert "KPIs!C12: check this value" in page.text("data-quality")
    assert full["framework"]["name"] in page.text("method")


@pytest.mark.parametrize("where", ["org", "note", "warning"])
def test_hostile_text_is_escaped(where):
    kwargs = {"org": {"org": HOSTILE}, "note": {"note": HOSTILE},
              "warning": {"warning": HOSTILE}}[where]
    text = render_html(full_results(**kwargs))
    assert "<script>alert" not in text and "<img src=x" not in text
    parsed = Page(text)
    assert_offline(parsed)
    if where == "org":
        assert parsed.text("org-name") == HOSTILE  # shown as text, byte for byte
        title = text.split("<title>", 1)[1].split("</title>", 1)[0]
        assert "&lt;script&gt;" in title


def test_hostile_text_in_vega_charts():
    pytest.importorskip("vl_convert")
    results = full_results(org=HOSTILE, note=HOSTILE)
    text = render_html(results, charts="vega")
    assert "<script>alert" not in text and "<img src=x" not in text
    parsed = Page(text)
    assert len([1 for t, _ in parsed.tags if t == "svg"]) == 10
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
    assert render_html(full_results()) == page_text


def test_profile_values_are_formatted():
    results = full_results()
    results["organization"].update({"annual_revenue": 48000000.0, "note": None, "ratio": 1.5})
    parsed = Page(render_html(results))
    profile = parsed.text("profile-table")
    assert "Annual revenue 48,000,000" in profile and "Ratio 1.5" in profile
    assert "Note \u2014" in profile


def test_organization_framework_and_currency_come_from_the_view():
    """The page reads the same typed view as the workbook: a blank name shows as unnamed, a
    missing date as a dash, a currency code in capitals however it was written."""
    results = full_results()
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
    assert results["index"]["score"] is None
    text = render_html(results)
    parsed = Page(text)
    assert_offline(parsed)
    assert parsed.text("index-score") == "\u2014"
    assert "Not scored" in parsed.text("summary")
    assert "No Profit KPI has a current value" in parsed.text("chart-kpis-profit")
    assert "client curve is missing" in parsed.text("chart-projection")
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
    def broken(results, charts="static"):
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
