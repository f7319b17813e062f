"""Chart data built from the results, its static SVG, and the Vega-Lite view derived from it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from results_data import empty_results, sparse_results
from test_html import acme_results as full_results
from test_html import sample_results

from assessment.core import format as fmt
from assessment.core.format import format_value
from assessment.core.framework import HORIZONS
from assessment.core.results import KpiRow, ResultsView
from assessment.scorecard import charts
from assessment.scorecard.charts import build_charts, to_svg
from assessment.scorecard.vega import to_altair, to_vega_svg, vega_lite

HOSTILE = '<script>alert(1)</script> "><img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def full() -> dict[str, Any]:
    return full_results()


@pytest.fixture(scope="module")
def sparse() -> dict[str, Any]:
    return sparse_results()


def by_id(results: dict[str, Any]) -> dict[str, charts.Chart]:
    return {c.id: c for c in build_charts(results)}


# --------------------------------------------------------------------------- chart data


EXPECTED_IDS = [
    "chart-elements", "chart-timeline", "chart-kpis-profit", "chart-kpis-reputation",
    "chart-kpis-efficiency", "chart-kpis-effectiveness", "chart-kpis-renewal",
    "chart-practices-renewal_practices", "chart-projection",
    "chart-practices-excellence_practices", "chart-expectations",
]


def test_build_charts_ids_and_order(full):
    assert [c.id for c in build_charts(full)] == EXPECTED_IDS
    assert all(c.data is not None for c in build_charts(full))
    assert [c.kind for c in build_charts(full)] == [
        "bars", "timeline", *["bullets"] * 5, "practices", "lines", "practices", "scatter"]


def test_builders_read_one_view(full, monkeypatch):
    """build_charts reads a dict into one view for all charts, or uses a view as given; each
    builder takes the view and gives the chart build_charts gives."""
    view = ResultsView.from_dict(full)
    expected = build_charts(full)
    built = []
    real = ResultsView.from_dict.__func__

    def counting(cls, results):
        built.append(results)
        return real(cls, results)

    monkeypatch.setattr(ResultsView, "from_dict", classmethod(counting))
    assert build_charts(full) == expected and len(built) == 1
    assert build_charts(view) == expected and len(built) == 1  # no view built again
    singles = [charts.element_chart(view), charts.timeline_chart(view),
               *(charts.kpi_chart(view, e.key) for e in view.elements),
               charts.kpi_chart(view, "renewal"),
               charts.practices_chart(view, "renewal_practices"),
               charts.projection_chart(view),
               charts.practices_chart(view, "excellence_practices"),
               charts.expectations_chart(view)]
    assert singles == expected and len(built) == 1


def test_names_and_subtitles_come_from_the_view():
    results = full_results()
    results["elements"]["profit"]["name"] = "Margin"
    by = by_id(results)
    assert by["chart-kpis-profit"].title == "Margin KPIs"
    assert by["chart-elements"].data.rows[0].name == "Margin"
    assert by["chart-kpis-renewal"].title == "Renewal KPIs"
    assert by["chart-elements"].subtitle == results["organization"]["name"]
    unnamed = by_id(full_results(org="  "))
    assert unnamed["chart-elements"].subtitle is None  # no made-up name on a chart
    assert unnamed["chart-projection"].subtitle is None


def test_benchmark_scores_of_a_kpi_row():
    def row(**fields):
        base = {"id": "k", "direction": "lower", "target": 25.0, "floor": 60.0,
                "benchmark": {"value": 32.0, "range": [6, 40]}}
        return KpiRow.from_dict(base | fields)

    point, lo, hi = charts.benchmark_scores(row())
    assert point == pytest.approx(100 * (60 - 32) / 35)
    assert (lo, hi) == (pytest.approx(100 * (60 - 40) / 35), 100.0)
    band = row(direction="band", target=None, floor=[0.3, 0.9], band=[0.5, 0.6],
               benchmark={"value": 0.45, "range": None})
    assert charts.benchmark_scores(band) == (pytest.approx(100 * 0.15 / 0.2), None, None)
    assert charts.benchmark_scores(row(benchmark=None)) == (None, None, None)
    # A benchmark the KPI cannot score (a target on the floor's side) is left out.
    assert charts.benchmark_scores(row(target=70.0)) == (None, None, None)


@pytest.mark.parametrize("make", [full_results, sparse_results, empty_results])
def test_every_derived_spec_validates_with_altair(make):
    for chart in build_charts(make()):
        if chart.data is None:
            with pytest.raises(ValueError, match="no data"):
                vega_lite(chart)
            continue
        spec = vega_lite(chart)
        alt_chart = to_altair(chart)  # validates against Altair's Vega-Lite schema
        out = alt_chart.to_dict()  # and validates again on the way out
        data = out["data"]
        values = out["datasets"][data["name"]] if "name" in data else data["values"]
        assert values == spec["data"]["values"]


def test_vega_spec_is_derived_from_the_chart_data(full):
    """The Vega-Lite view reads the same data as the SVG: rows, axes, colours, threshold."""
    charts_ = by_id(full)
    for cid in ("chart-elements", "chart-kpis-efficiency", "chart-practices-renewal_practices"):
        chart = charts_[cid]
        spec = vega_lite(chart)
        rows = spec["data"]["values"]
        assert [(r["key"], r["value"], r["label"], r["group"]) for r in rows] == [
            (b.key, b.value, b.label, b.group) for b in chart.data.rows]
        x = spec["layer"][0]["encoding"]["x"]
        assert x["title"] == chart.data.axis.title
        assert x["scale"]["domain"] == [chart.data.axis.lo, chart.data.axis.hi]
        assert x["axis"]["values"] == list(chart.data.axis.ticks)
        color = spec["layer"][1]["encoding"]["color"]["scale"]
        assert dict(zip(color["domain"], color["range"], strict=True)) == chart.data.colors
        assert chart.data.axis.title in to_svg(chart)
    amber = [layer for layer in vega_lite(charts_["chart-elements"])["layer"]
             if layer["mark"]["type"] == "rule"]
    assert amber[0]["data"]["values"] == [{"amber": full["framework"]["settings"]["amber"]}]
    projection = charts_["chart-projection"]
    rows = vega_lite(projection)["data"]["values"]
    assert [(r["series"], r["year"], r["share"]) for r in rows] == [
        (s.name, p.year, p.share) for s in projection.data.series for p in s.points]
    scatter = charts_["chart-expectations"]
    spec = vega_lite(scatter)
    assert [(r["n"], r["performance"], r["importance"]) for r in spec["data"]["values"]] == [
        (d.n, d.performance, d.importance) for d in scatter.data.dots]
    assert spec["layer"][0]["data"]["values"] == [{"t": scatter.data.threshold}]


def test_specs_are_plain_json_with_title_and_description(full):
    for chart in build_charts(full):
        spec = vega_lite(chart)
        assert spec["$schema"].endswith("vega-lite/v5.json")
        assert spec["title"]["text"] == chart.title
        assert spec["title"].get("subtitle") == chart.subtitle
        assert spec["description"] == chart.description and chart.description
        json.dumps(spec, allow_nan=False)  # strict JSON: no NaN, no objects


def test_chart_data_and_specs_are_deterministic(full):
    assert build_charts(full) == build_charts(full_results())
    first = json.dumps([vega_lite(c) for c in build_charts(full)], sort_keys=True)
    again = json.dumps([vega_lite(c) for c in build_charts(full_results())], sort_keys=True)
    assert first == again


def test_building_and_drawing_charts_does_not_import_altair():
    code = ("import sys; from test_html import acme_results as full_results; "
            "from assessment.scorecard.charts import build_charts, to_svg; "
            "from assessment.scorecard.vega import vega_lite; "
            "drawn = [c for c in build_charts(full_results()) if c.data]; "
            "[to_svg(c) for c in drawn]; [vega_lite(c) for c in drawn]; "
            "assert 'altair' not in sys.modules and 'vl_convert' not in sys.modules")
    root = Path(__file__).resolve().parents[1]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root,
                   env={"PYTHONPATH": f"{root}{os.pathsep}{root / 'tests'}", "PATH": ""})


def test_element_chart_values_equal_results(full):
    chart = by_id(full)["chart-elements"]
    rows = {r.key: r for r in chart.data.rows}
    for key, element in full["elements"].items():
        assert rows[key].name == element["name"]
        assert rows[key].value == element["score"]
        assert rows[key].group == element["rag"].capitalize()
        assert rows[key].color == charts.RAG_COLORS[element["rag"].capitalize()]
        assert rows[key].label == f"{element['score']:.1f} ({element['rag'].capitalize()})"
    assert chart.data.amber == full["framework"]["settings"]["amber"]
    assert chart.data.amber_label == "amber threshold 80"
    assert (chart.data.axis.lo, chart.data.axis.hi) == (0, 100)
    assert chart.subtitle == full["organization"]["name"]


def test_kpi_chart_values_equal_results(full):
    for area in (*full["elements"], "renewal"):
        chart = by_id(full)[f"chart-kpis-{area}"]
        kpis = [k for k in full["kpis"] if k["element"] == area]
        assert [r.key for r in chart.data.rows] == [k["id"] for k in kpis]
        for row, kpi in zip(chart.data.rows, kpis, strict=True):
            assert row.value == kpi["score"]
            assert row.group == fmt.STATUS_LABELS[kpi["status"]]
            assert row.color == charts.STATUS_COLORS[row.group]
            if kpi["score"] is None:
                assert row.label == "no data (counts as 0)"  # missing_kpi: zero
            else:
                assert row.label.endswith(f"score {kpi['score']:.1f}")
        assert chart.data.target == 100
        assert chart.data.amber_label == "amber 80"


def test_kpi_benchmark_is_converted_to_a_score(full):
    kpis = {k["id"]: k for k in full["kpis"]}
    rows = {r.key: r for r in by_id(full)["chart-kpis-reputation"].data.rows}
    # CSAT: benchmark 75%, client target 88% overrides 85%, floor 60%.
    assert kpis["csat"]["benchmark"]["value"] == 0.75 and kpis["csat"]["floor"] == 0.6
    assert rows["csat"].bench == pytest.approx(100 * (0.75 - 0.6) / (0.88 - 0.6))
    assert rows["csat"].bench_lo is None
    efficiency = {r.key: r for r in by_id(full)["chart-kpis-efficiency"].data.rows}
    # Cost per case, B2B software segment in EUR at 0.92: target 69, floor 230; the USD
    # 45-150 benchmark range is scored by its converted figure, EUR 41.40-138.
    cost = kpis["cost_per_case"]
    assert (cost["target"], cost["floor"]) == (pytest.approx(69.0), pytest.approx(230.0))
    assert cost["benchmark"]["converted"]["range"] == pytest.approx([41.4, 138.0])
    assert efficiency["cost_per_case"].bench is None
    assert efficiency["cost_per_case"].bench_lo == pytest.approx(100 * (230 - 138) / (230 - 69))
    assert efficiency["cost_per_case"].bench_hi == pytest.approx(100.0)
    # Band KPI: benchmark 47.8% utilization, band 50-60%, floor 30%.
    assert efficiency["engineer_utilization"].bench == pytest.approx(
        100 * (0.478 - 0.3) / (0.5 - 0.3))


def test_projection_values_equal_results(full):
    chart = by_id(full)["chart-projection"]
    keys = ("client", "industry", "target", "client_value")
    assert [s.name.split(" ")[0] for s in chart.data.series] == [
        "Client", "Industry", "Target", "Client"]
    # the value curve names its basis: the client's recurring-revenue rate (97%)
    assert chart.data.series[3].name == "Client value retained (recurring-revenue rate 97%)"
    for key, series in zip(keys, chart.data.series, strict=True):
        assert [p.year for p in series.points] == [1, 2, 3, 4, 5]
        for p in series.points:
            assert p.share == full["renewal"]["projection"][p.year - 1][key]
            assert p.label == f"{fmt.trim_number(100.0 * p.share, 1)}%"
    assert [s.color for s in chart.data.series] == list(charts.SERIES_COLORS)
    assert [s.dasharray for s in chart.data.series] == [None, "6 3", "2 2", "6 2 2 2"]
    assert chart.note is None


def test_expectations_values_equal_results(full):
    chart = by_id(full)["chart-expectations"]
    dims = full["expectations"]["dimensions"]
    assert [(d.importance, d.performance) for d in chart.data.dots] == [
        (d["importance"], d["performance"]) for d in dims]
    assert [d.quadrant for d in chart.data.dots] == [
        fmt.QUADRANT_LABELS[d["quadrant"]] for d in dims]
    assert chart.data.threshold == full["expectations"]["threshold"]
    # Dimensions rated alike share one label, so labels never print over each other.
    positions = {(d.performance, d.importance) for d in chart.data.dots}
    assert len(chart.data.labels) == len(positions)
    numbers = sorted(int(n) for lab in chart.data.labels for n in lab.text.split(", "))
    assert numbers == list(range(1, len(dims) + 1))


def test_practice_values_equal_results(full):
    for qid in ("renewal_practices", "excellence_practices"):
        chart = by_id(full)[f"chart-practices-{qid}"]
        items = full["questionnaires"][qid]["items"]
        assert [r.value for r in chart.data.rows] == [i["answer"] for i in items]
        for row, item in zip(chart.data.rows, items, strict=True):
            if item["na"]:
                assert row.label == "n/a" and row.group is None
            elif item["answer"] is None:
                assert row.label == "not answered" and row.group is None
            else:
                assert row.label.startswith(str(item["answer"]))
                assert row.color == charts.PRACTICE_GROUPS[row.group]
        assert (chart.data.axis.lo, chart.data.axis.hi) == (0, 4)


def test_timeline_values_equal_the_roadmap(full):
    chart = by_id(full)["chart-timeline"]
    assert (chart.section, chart.kind, chart.title) == ("roadmap", "timeline",
                                                         "Roadmap timeline")
    ranked = [i for i in full["roadmap"]["initiatives"] if i["rank"] is not None]
    assert len(chart.data.rows) == len(ranked) >= 5
    for row, init in zip(chart.data.rows, ranked, strict=True):
        assert row.key == init["id"] and row.name == f"{init['rank']}. {init['name']}"
        assert (row.start, row.end) == HORIZONS[init["horizon"]]
        assert row.group == f"Effort {fmt.EFFORT_LABELS[init['effort']]}"
        assert row.color == charts.EFFORT_COLORS[row.group]
        assert row.label.startswith(fmt.HORIZON_LABELS[init["horizon"]])
        if init["money"]:
            assert row.label.endswith(f"{fmt.format_money(init['money']['base'], 'EUR')} a year")
        else:
            assert row.label.endswith(f"{init['index_points']:.2f} index points")
    axis = chart.data.axis
    assert (axis.lo, axis.hi, axis.ticks) == (0, 12, (0, 3, 6, 9, 12))
    spec = vega_lite(chart)
    assert [(r["key"], r["start"], r["end"], r["group"]) for r in spec["data"]["values"]] == [
        (r.key, r.start, r.end, r.group) for r in chart.data.rows]
    bars = spec["layer"][1]["encoding"]
    assert (bars["x"]["field"], bars["x2"]["field"]) == ("start", "end")
    assert dict(zip(bars["color"]["scale"]["domain"], bars["color"]["scale"]["range"],
                    strict=True)) == chart.data.colors


def test_no_roadmap_means_no_timeline(full):
    results = json.loads(json.dumps(full))
    for init in results["roadmap"]["initiatives"]:
        init["rank"] = None
    chart = by_id(results)["chart-timeline"]
    assert chart.data is None and "No initiative applies" in chart.note
    results.pop("roadmap")
    chart = by_id(results)["chart-timeline"]
    assert chart.data is None and "no roadmap" in chart.note


def test_sparse_charts_skip_with_notes(sparse):
    assert sparse["index"]["sufficient"] is False
    charts_ = by_id(sparse)
    assert charts_["chart-elements"].data is not None
    for cid in ("chart-kpis-profit", "chart-kpis-efficiency", "chart-kpis-renewal",
                "chart-practices-renewal_practices", "chart-practices-excellence_practices",
                "chart-expectations", "chart-projection"):
        assert charts_[cid].data is None, cid
        assert charts_[cid].note, cid
        with pytest.raises(ValueError):
            to_svg(charts_[cid])
    assert "No Profit KPI has a current value" in charts_["chart-kpis-profit"].note


def test_an_internal_desk_has_no_renewal_charts_and_no_zero_bars():
    results = sample_results("harbor-city-it")
    charts_ = by_id(results)
    words = "Not applicable to an internal support model"
    for cid in ("chart-kpis-renewal", "chart-practices-renewal_practices", "chart-projection"):
        assert charts_[cid].data is None and charts_[cid].note.startswith(words), cid
    profit = charts_["chart-kpis-profit"]
    not_applicable = {k["id"] for k in results["kpis"] if not k["applicable"]}
    rows = [r for r in profit.data.rows if r.key in not_applicable]
    assert rows and all(r.value is None and r.label == "not applicable" and r.group is None
                        for r in rows)
    assert "Support gross margin: not applicable;" in profit.description


def test_an_element_none_of_whose_kpis_applies_is_not_drawn_as_zero(full):
    results = json.loads(json.dumps(full))
    results["elements"]["profit"].update(applicable=False, score=None, measured_score=None,
                                         coverage=0.0, kpis=0, rag=None)
    chart = by_id(results)["chart-elements"]
    row = next(r for r in chart.data.rows if r.key == "profit")
    assert (row.value, row.label, row.group) == (None, "not applicable", None)


def test_value_curve_by_renewal_rate_and_uplift_without_recurring_rate(full):
    results = json.loads(json.dumps(full))
    results["renewal"].update(value_basis="renewal_rate_uplift", recurring_revenue_rate=None,
                              price_uplift=0.03)
    chart = by_id(results)["chart-projection"]
    assert chart.data.series[3].name == "Client value retained (renewal rate with 3% uplift)"


def test_insufficient_elements_say_so_on_their_bar():
    rows = by_id(sparse_results())["chart-elements"].data.rows
    insufficient = [r for r in rows if r.label.endswith("insufficient data")]
    assert insufficient and all(r.value is not None for r in insufficient)


def test_no_element_measured_means_no_element_chart():
    chart = by_id(empty_results())["chart-elements"]
    assert chart.data is None and "No element" in chart.note


@pytest.mark.parametrize(("value", "unit", "expected"), [
    (0.855, "percent", "85.5%"), (0.06, "percent", "6%"), (-0.05, "percent", "-5%"),
    (455.5, "currency", "EUR 455.50"), (300.0, "currency", "EUR 300"),
    (1234.5, "currency", "EUR 1,234"), (24.0, "hours", "24 h"), (2.5, "hours", "2.5 h"),
    (160.0, "count", "160"), (31.0, "score", "31"), (3.14159, "ratio", "3.14"),
    (None, "percent", "\u2014"),
])
def test_format_value(value, unit, expected):
    assert format_value(value, unit, "EUR") == expected


# --------------------------------------------------------------------------- static SVG


def test_static_svg_is_wellformed_accessible_and_deterministic(full):
    for chart in build_charts(full):
        svg = to_svg(chart)
        root = ET.fromstring(svg)
        assert root.tag == "svg"
        assert root.get("role") == "img"
        assert root.get("aria-labelledby") == f"{chart.id}-svg-title {chart.id}-svg-desc"
        assert root.find("title").text == chart.title
        assert root.find("desc").text == chart.description
        assert "http" not in svg and "url(" not in svg
        assert svg == to_svg(by_id(full_results())[chart.id])


def test_static_svg_escapes_client_text():
    results = full_results(org=HOSTILE)
    results["elements"]["profit"]["name"] = HOSTILE  # framework texts are not trusted either
    results["expectations"]["dimensions"][0]["name"] = HOSTILE
    for chart in build_charts(results):
        svg = to_svg(chart)
        assert "<script" not in svg and "<img" not in svg
        ET.fromstring(svg)  # still well-formed


def test_vega_svg_is_prefixed_and_labelled(full):
    pytest.importorskip("vl_convert")
    chart = by_id(full)["chart-kpis-efficiency"]
    svg = to_vega_svg(chart)
    head = svg.split(">", 1)[0]
    assert 'role="img"' in head
    assert f'<title id="{chart.id}-svg-title">' in svg
    ids = [part.split('"')[0] for part in svg.split(' id="')[1:]]
    assert ids and all(i.startswith(chart.id) for i in ids)
