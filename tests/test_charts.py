"""Chart specs (Vega-Lite, validated by Altair) and the static SVG renderer."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from results_data import empty_results, full_results, sparse_results

from assessment.core import format as fmt
from assessment.core.format import format_value
from assessment.scorecard import charts
from assessment.scorecard.charts import build_charts, to_altair, to_svg

HOSTILE = '<script>alert(1)</script> "><img src=x onerror=alert(1)>'



@pytest.fixture(scope="module")
def full() -> dict[str, Any]:
    return full_results()


@pytest.fixture(scope="module")
def sparse() -> dict[str, Any]:
    return sparse_results()


def by_id(results: dict[str, Any]) -> dict[str, charts.Chart]:
    return {c.id: c for c in build_charts(results)}


# --------------------------------------------------------------------------- specs


EXPECTED_IDS = [
    "chart-elements", "chart-kpis-profit", "chart-kpis-reputation", "chart-kpis-efficiency",
    "chart-kpis-effectiveness", "chart-kpis-renewal", "chart-practices-renewal_practices",
    "chart-projection", "chart-practices-excellence_practices", "chart-expectations",
]


def test_build_charts_ids_and_order(full):
    assert [c.id for c in build_charts(full)] == EXPECTED_IDS
    assert all(c.spec is not None for c in build_charts(full))


@pytest.mark.parametrize("make", [full_results, sparse_results, empty_results])
def test_every_spec_validates_with_altair(make):
    for chart in build_charts(make()):
        if chart.spec is None:
            continue
        alt_chart = to_altair(chart.spec)  # validates against Altair's Vega-Lite schema
        out = alt_chart.to_dict()  # and validates again on the way out
        data = out["data"]
        values = out["datasets"][data["name"]] if "name" in data else data["values"]
        assert values == chart.spec["data"]["values"]


def test_specs_are_plain_json_with_title_and_description(full):
    for chart in build_charts(full):
        spec = chart.spec
        assert spec["$schema"].endswith("vega-lite/v5.json")
        assert spec["title"]["text"] == chart.title
        assert spec["description"] == chart.description and chart.description
        json.dumps(spec, allow_nan=False)  # strict JSON: no NaN, no objects


def test_specs_are_deterministic(full):
    first = json.dumps([c.spec for c in build_charts(full)], sort_keys=True)
    again = json.dumps([c.spec for c in build_charts(full_results())], sort_keys=True)
    assert first == again


def test_building_specs_does_not_import_altair():
    code = ("import sys; from results_data import full_results; "
            "from assessment.scorecard.charts import build_charts, to_svg; "
            "[to_svg(c) for c in build_charts(full_results()) if c.spec]; "
            "assert 'altair' not in sys.modules and 'vl_convert' not in sys.modules")
    root = Path(__file__).resolve().parents[1]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root,
                   env={"PYTHONPATH": f"{root}{os.pathsep}{root / 'tests'}", "PATH": ""})


def test_element_chart_values_equal_results(full):
    chart = by_id(full)["chart-elements"]
    rows = {r["key"]: r for r in chart.rows}
    for key, element in full["elements"].items():
        assert rows[key]["score"] == element["score"]
        assert rows[key]["coverage"] == element["coverage"]
        assert rows[key]["rag"] == element["rag"].capitalize()
        assert rows[key]["label"].startswith(f"{element['score']:.1f}")
    amber_layer = chart.spec["layer"][-1]
    assert amber_layer["data"]["values"] == [{"amber": full["framework"]["settings"]["amber"]}]


def test_kpi_chart_values_equal_results(full):
    for area in (*full["elements"], "renewal"):
        chart = by_id(full)[f"chart-kpis-{area}"]
        kpis = [k for k in full["kpis"] if k["element"] == area]
        assert [r["id"] for r in chart.rows] == [k["id"] for k in kpis]
        for row, kpi in zip(chart.rows, kpis, strict=True):
            assert row["score"] == kpi["score"]
            assert row["current"] == kpi["current"]
            assert row["status"] == fmt.STATUS_LABELS[kpi["status"]]
            assert row["target"] == 100


def test_kpi_benchmark_is_converted_to_a_score(full):
    rows = {r["id"]: r for r in by_id(full)["chart-kpis-reputation"].rows}
    # CSAT: benchmark 82%, client target 88% overrides 85%, floor 60%.
    assert rows["csat"]["bench"] == pytest.approx(100 * (0.82 - 0.6) / (0.88 - 0.6))
    assert rows["csat"]["bench_lo"] is None
    efficiency = {r["id"]: r for r in by_id(full)["chart-kpis-efficiency"].rows}
    # Cost per case: benchmark range 6-40, lower is better, target 25, floor 60.
    assert efficiency["cost_per_case"]["bench"] is None
    assert efficiency["cost_per_case"]["bench_lo"] == pytest.approx(100 * (60 - 40) / 35)
    assert efficiency["cost_per_case"]["bench_hi"] == pytest.approx(100.0)
    # Band KPI: benchmark 47.8% utilization, band 50-60%, floor 30%.
    assert efficiency["engineer_utilization"]["bench"] == pytest.approx(
        100 * (0.478 - 0.3) / (0.5 - 0.3))


def test_projection_values_equal_results(full):
    chart = by_id(full)["chart-projection"]
    series = {label: key for key, label in zip(
        ("client", "industry", "target", "client_value"),
        [s for s, _, _ in chart.meta["series"]], strict=True)}
    for row in chart.rows:
        point = full["renewal"]["projection"][row["year"] - 1]
        assert row["share"] == point[series[row["series"]]]
    assert len(chart.rows) == 4 * 5
    assert chart.note is None


def test_expectations_values_equal_results(full):
    chart = by_id(full)["chart-expectations"]
    dims = full["expectations"]["dimensions"]
    assert [(r["importance"], r["performance"]) for r in chart.rows] == [
        (d["importance"], d["performance"]) for d in dims]
    assert [r["quadrant"] for r in chart.rows] == [
        fmt.QUADRANT_LABELS[d["quadrant"]] for d in dims]
    assert chart.meta["threshold"] == full["expectations"]["threshold"]
    # Dimensions rated alike share one label, so labels never print over each other.
    positions = {(r["performance"], r["importance"]) for r in chart.rows}
    assert len(chart.meta["labels"]) == len(positions)
    numbers = sorted(int(n) for lab in chart.meta["labels"] for n in lab["text"].split(", "))
    assert numbers == list(range(1, len(dims) + 1))


def test_practice_values_equal_results(full):
    for qid in ("renewal_practices", "excellence_practices"):
        chart = by_id(full)[f"chart-practices-{qid}"]
        items = full["questionnaires"][qid]["items"]
        assert [r["answer"] for r in chart.rows] == [i["answer"] for i in items]
        labels = [r["label"] for r in chart.rows]
        for label, item in zip(labels, items, strict=True):
            if item["na"]:
                assert label == "n/a"
            elif item["answer"] is None:
                assert label == "not answered"
            else:
                assert label.startswith(str(item["answer"]))


def test_sparse_charts_skip_with_notes(sparse):
    assert sparse["index"]["score"] is None
    charts_ = by_id(sparse)
    assert charts_["chart-elements"].spec is not None
    for cid in ("chart-kpis-profit", "chart-kpis-efficiency", "chart-kpis-renewal",
                "chart-practices-renewal_practices", "chart-practices-excellence_practices",
                "chart-expectations"):
        assert charts_[cid].spec is None, cid
        assert charts_[cid].note, cid
        with pytest.raises(ValueError):
            to_svg(charts_[cid])
    projection = charts_["chart-projection"]
    assert projection.spec is not None  # industry and target curves are still known
    assert "client curve is missing" in projection.note
    assert {r["series"].split(" ")[0] for r in projection.rows} == {"Industry", "Target"}


def test_no_element_scored_means_no_element_chart():
    chart = by_id(empty_results())["chart-elements"]
    assert chart.spec is None and "No element" in chart.note


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
    svg = charts.to_vega_svg(chart)
    head = svg.split(">", 1)[0]
    assert 'role="img"' in head
    assert f'<title id="{chart.id}-svg-title">' in svg
    ids = [part.split('"')[0] for part in svg.split(' id="')[1:]]
    assert ids and all(i.startswith(chart.id) for i in ids)
