"""Portfolio analytics (hand-computed), the Excel/HTML portfolio summary and the notebook."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import io
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from results_data import results_v1, sparse_results, v2_results

from assessment.core.framework import load_framework
from assessment.core.scoring import score
from assessment.intake.samples import sample_data
from assessment.portfolio import model as pf
from assessment.portfolio import report
from assessment.portfolio.charts import portfolio_figures
from assessment.scorecard.outputs import results_json

ROOT = Path(__file__).resolve().parents[1]
ELEMENTS = ("profit", "reputation", "efficiency", "effectiveness")
HOSTILE = "<script>alert(1)</script>"


def make(org: str, date: str, scores: tuple[float | None, ...], *, version: str = "1.0",
         weights: tuple[float, ...] = (1, 1, 1, 1), kpis: list[dict[str, Any]] | None = None,
         currency: str = "USD", min_coverage: float = 0.5) -> dict[str, Any]:
    """A minimal results@1 structure (methodology §8) with the given element scores."""
    pairs = [(w, s) for w, s in zip(weights, scores, strict=True) if s is not None]
    index = (sum(w * s for w, s in pairs) / sum(w for w, _ in pairs)) if len(pairs) >= 3 else None
    return {
        "schema": "support-excellence/results@1",
        "organization": {"name": org, "assessment_date": date, "currency": currency},
        "framework": {"name": "Default", "version": version,
                      "settings": {"amber": 80.0, "min_coverage": min_coverage,
                                   "element_weights": dict(zip(ELEMENTS, weights,
                                                               strict=True))}},
        "index": {"score": index, "coverage": 1.0},
        "elements": {e: {"name": e.capitalize(), "score": s, "coverage": 1.0, "weight": w}
                     for e, s, w in zip(ELEMENTS, scores, weights, strict=True)},
        "kpis": kpis or [],
        "renewal": {"health": None}, "expectations": {"alignment": None}, "warnings": [],
    }


def make2(org: str, date: str, scores: tuple[float | None, ...], *,
          measured: tuple[float | None, ...] | None = None, segment: str | None = None,
          rule: str = "zero", renewal: bool = True, kpis: list[dict[str, Any]] | None = None,
          currency: str = "USD") -> dict[str, Any]:
    """A minimal results@2 structure: element scores (None = the element does not apply),
    their measured readings, the segment and the missing-data rule."""
    r = make(org, date, tuple(0.0 if s is None else s for s in scores), version="2.0",
             kpis=kpis, currency=currency)
    measured = measured or scores
    applied = [(s, m) for s, m in zip(scores, measured, strict=True) if s is not None]
    r["schema"] = "support-excellence/results@2"
    r["organization"].update({"segment": segment, "fx_rate": None,
                              "segment_name": segment.replace("_", " ").title()
                              if segment else None})
    r["framework"]["settings"]["missing_kpi"] = rule
    r["framework"]["currency"] = "USD"
    r["index"] = {"score": sum(s for s, _ in applied) / len(applied),
                  "measured_score": sum(m for _, m in applied) / len(applied),
                  "coverage": 0.8, "sufficient": True, "missing_kpi": rule}
    for e, s, m in zip(ELEMENTS, scores, measured, strict=True):
        r["elements"][e].update({"score": s, "measured_score": m, "applicable": s is not None,
                                 "sufficient": s is not None})
    r["renewal"] = {"health": 50.0 if renewal else None, "applicable": renewal,
                    "projection": []}
    return r


@cache
def _sample(name: str) -> dict[str, Any]:
    return score(load_framework(), sample_data(name))


def sample(name: str = "northwind-cloud", org: str | None = None,
           date: str | None = None) -> dict[str, Any]:
    """A bundled sample scored by the default framework (results@2), renamed and re-dated."""
    results = copy.deepcopy(_sample(name))
    if org is not None:
        results["organization"]["name"] = org
    if date is not None:
        results["organization"]["assessment_date"] = dt.date.fromisoformat(date).isoformat()
    return results


def as_v1(results: dict[str, Any], version: str = "1.0") -> dict[str, Any]:
    """A results@2 structure as a version 1 file would hold it (no v2 keys)."""
    old = copy.deepcopy(results)
    old["schema"] = "support-excellence/results@1"
    old["framework"]["version"] = version
    for key in ("segment", "segment_name", "fx_rate"):
        old["organization"].pop(key, None)
    old["framework"]["settings"].pop("missing_kpi", None)
    for part in (old["index"], *old["elements"].values()):
        for key in ("measured_score", "sufficient", "applicable", "missing_kpi"):
            part.pop(key, None)
    old["kpis"] = [k for k in old["kpis"] if k.get("applicable", True)]
    for k in old["kpis"]:
        for key in ("applicable", "derived", "derived_from"):
            k.pop(key, None)
    old["renewal"].pop("applicable", None)
    return old


def kpi(kid: str, current: float | None, *, direction: str = "higher", unit: str = "percent",
        score: float | None = None, benchmark: dict[str, Any] | None = None,
        element: str = "effectiveness") -> dict[str, Any]:
    return {"id": kid, "name": kid.replace("_", " ").title(), "element": element, "unit": unit,
            "direction": direction, "current": current, "target": 1.0, "framework_target": 1.0,
            "score": score, "benchmark": benchmark, "band": None}


# --------------------------------------------------------------------------- percentile ranks


def test_percentile_rank_counts_lower_and_half_of_ties() -> None:
    # 50 among others [40, 50, 60, 70]: one lower, one tied -> (1 + 0.5) / 4 = 37.5
    assert pf.percentile_rank(50, [40, 50, 60, 70]) == 37.5
    assert pf.percentile_rank(80, [40, 50]) == 100.0
    assert pf.percentile_rank(10, [40, 50]) == 0.0
    assert pf.percentile_rank(50, [50]) == 50.0
    assert pf.percentile_rank(None, [1, 2]) is None
    assert pf.percentile_rank(5, []) is None


def test_percentile_ranks_hand_computed() -> None:
    results = [
        make("A", "2025-01-01", (10, 10, 10, 10)),  # older: must be ignored
        make("A", "2025-06-01", (80, 70, 50, 50), kpis=[
            kpi("time_to_resolve", 10, direction="lower", unit="hours"),
            kpi("cost_per_case", 10, direction="lower", unit="currency"),
            kpi("utilization", 0.9, direction="band", score=60)]),
        make("B", "2025-06-01", (60, 70, 50, 50), kpis=[
            kpi("time_to_resolve", 20, direction="lower", unit="hours"),
            kpi("cost_per_case", 20, direction="lower", unit="currency"),
            kpi("utilization", 0.55, direction="band", score=100)]),
        make("C", "2025-06-01", (60, 90, 50, 50), currency="EUR", kpis=[
            kpi("time_to_resolve", 30, direction="lower", unit="hours"),
            kpi("cost_per_case", 5, direction="lower", unit="currency"),
            kpi("utilization", 0.3, direction="band", score=0)]),
        make("D", "2025-06-01", (None, 50, 50, 50), kpis=[
            kpi("time_to_resolve", None, direction="lower", unit="hours")]),
    ]
    ranks = {(r["organization"], r["metric"]): r for r in pf.percentile_ranks(results)}
    # profit: A 80, B 60, C 60, D missing
    assert ranks["A", "profit"]["percentile"] == 100.0
    assert ranks["B", "profit"]["percentile"] == 25.0  # (0 + 0.5) / 2
    assert ranks["C", "profit"]["percentile"] == 25.0
    assert ranks["D", "profit"]["percentile"] is None and ranks["D", "profit"]["peers"] == 0
    # reputation: A 70, B 70, C 90, D 50 -> A: (1 lower + 0.5 tie) / 3
    assert ranks["A", "reputation"]["percentile"] == pytest.approx(50.0)
    assert ranks["C", "reputation"]["percentile"] == 100.0
    assert ranks["D", "reputation"]["percentile"] == 0.0
    # lower is better: 10 h beats 20 h and 30 h; D has no value
    assert [ranks[o, "time_to_resolve"]["percentile"] for o in "ABC"] == [100.0, 50.0, 0.0]
    assert ranks["D", "time_to_resolve"]["percentile"] is None
    assert ranks["A", "time_to_resolve"]["value"] == 10
    # currency: only USD clients compare; C (EUR) has no peer
    assert ranks["A", "cost_per_case"]["percentile"] == 100.0
    assert ranks["B", "cost_per_case"]["percentile"] == 0.0
    assert ranks["C", "cost_per_case"]["percentile"] is None
    assert ranks["B", "cost_per_case"]["peers"] == 1
    # band: by score, B inside the band is best
    assert [ranks[o, "utilization"]["percentile"] for o in "ABC"] == [50.0, 100.0, 0.0]
    # the index uses the latest assessment of A: (80+70+50+50)/4 = 62.5
    assert ranks["A", "index"]["value"] == 62.5

    metrics, rows = pf.percentile_table(pf.percentile_ranks(results))
    assert [m["metric"] for m in metrics] == ["index", *ELEMENTS]
    assert [r["organization"] for r in rows] == ["A", "B", "C", "D"]
    assert rows[0]["profit"] == 100.0


# --------------------------------------------------------------------------- distributions


def test_quantiles_interpolate_like_quartile_inc() -> None:
    values = [1.0, 2.0, 3.0, 4.0]
    assert pf.quantile(values, 0.25) == 1.75
    assert pf.quantile(values, 0.5) == 2.5
    assert pf.quantile(values, 0.75) == 3.25
    assert pf.quantile([7.0], 0.25) == 7.0
    with pytest.raises(ValueError):
        pf.quantile([], 0.5)


def test_kpi_distribution_against_benchmark() -> None:
    bench = {"value": 0.64, "range": None, "source": "HDI", "year": 2013, "note": "n=196"}
    results = [make(o, "2025-01-01", (50, 50, 50, 50), kpis=[
        kpi("fcr", v, benchmark=bench), kpi("empty", None),
        kpi("cost", c, unit="currency", direction="lower")], currency=cur)
        for o, v, c, cur in (("A", 0.4, 10, "USD"), ("B", 0.3, 20, "USD"), ("C", 0.1, 5, "EUR"),
                             ("D", 0.2, 30, "USD"))]
    rows = {(r["id"], r["currency"]): r for r in pf.kpi_distribution(results)}
    fcr = rows["fcr", None]
    assert (fcr["n"], fcr["min"], fcr["max"]) == (4, 0.1, 0.4)
    assert fcr["q1"] == pytest.approx(0.175)
    assert fcr["median"] == pytest.approx(0.25)
    assert fcr["q3"] == pytest.approx(0.325)
    assert fcr["benchmark"] == {**bench, "currency": None, "converted": None}
    assert fcr["benchmark_plot"] == {"value": 0.64, "range": None}
    assert fcr["segment"] is None and fcr["not_applicable"] == 0
    assert [v["organization"] for v in fcr["values"]] == ["C", "D", "B", "A"]
    assert rows["empty", None]["n"] == 0 and rows["empty", None]["median"] is None
    assert rows["cost", "USD"]["n"] == 3 and rows["cost", "USD"]["median"] == 20
    assert rows["cost", "EUR"]["n"] == 1 and rows["cost", "EUR"]["q1"] == 5


# --------------------------------------------------------------------------- trends


def test_trend_flags_a_framework_version_change_and_shows_no_movement() -> None:
    results = [
        make("Acme", "2025-01-10", (60, 60, 60, 60)),
        make("ACME ", "2025-07-10", (70, 60, 60, 70)),  # same client: case and spaces ignored
        make("Acme", "2026-01-10", (40, 40, 40, 40), version="2.0"),
        make("Acme", "2026-07-10", (45, 40, 40, 40), version="2.0"),
        make("Solo", "2025-03-01", (50, 50, 50, 50)),
    ]
    trends = pf.trends(results)
    assert [t["organization"] for t in trends] == ["Acme"]
    points = trends[0]["points"]
    assert [p["assessment_date"] for p in points] == ["2025-01-10", "2025-07-10", "2026-01-10",
                                                      "2026-07-10"]
    first, second, changed, after = points
    assert first["delta"] is None and not first["method_changed"]
    assert second["delta"]["index"] == pytest.approx(5.0)
    assert second["delta"]["profit"] == pytest.approx(10.0)
    assert second["delta"]["reputation"] == 0
    assert changed["method_changed"] is True
    assert changed["delta"] is None  # never shown as movement (it would read -25)
    assert "1.0 to 2.0" in changed["method_change"]
    assert "not comparable" in changed["note"]
    assert not after["method_changed"]
    assert after["delta"]["index"] == pytest.approx(1.25)


def test_trend_flags_changed_element_weights_and_keeps_missing_deltas_empty() -> None:
    results = [make("Acme", "2025-01-10", (60, 60, 60, None)),
               make("Acme", "2025-07-10", (70, 60, 60, 80)),
               make("Acme", "2026-01-10", (70, 60, 60, 80), weights=(2, 1, 1, 1))]
    points = pf.trends(results)[0]["points"]
    assert points[1]["delta"]["effectiveness"] is None  # was not scored before
    assert points[1]["delta"]["profit"] == pytest.approx(10.0)
    assert points[2]["method_changed"] and points[2]["delta"] is None
    assert "element weights" in points[2]["method_change"]


# ------------------------------------------------------------------ results@1 beside results@2


def test_a_results1_and_a_results2_file_of_one_client_are_a_method_change() -> None:
    old = as_v1(sample("northwind-cloud-2026-04"))
    new = sample()  # the same organization, results@2, segment b2b_software
    assert pf.validate(old) is None and pf.validate(new) is None
    (trend,) = pf.trends([new, old])
    first, step = trend["points"]
    assert (first["results_version"], step["results_version"]) == (1, 2)
    assert step["method_changed"] is True and step["delta"] is None  # never movement
    assert "results@1 to results@2" in step["method_change"]
    assert "missing data left out to missing data counted as 0" in step["method_change"]
    assert "segment changed from none to" in step["method_change"]
    assert "not comparable" in step["note"] and "Version 2 counts missing data as 0" in step["note"]
    # both readings: a results@1 file's measured index is its index
    assert first[pf.MEASURED] == first["index"] == old["index"]["score"]
    assert step[pf.MEASURED] == new["index"]["measured_score"]

    p = pf.summarize([old, new])
    wb = load_workbook(io.BytesIO(report.portfolio_workbook_bytes(p)))
    ws = wb["Trends"]
    columns = [c.value for c in ws[4]]
    row = {name: ws.cell(row=6, column=n + 1).value for n, name in enumerate(columns)}
    assert row["Method change"] == "Yes" and row["Results"] == "results@2"
    assert row["Δ index"] is None and row["Δ measured"] is None
    assert "not comparable" in row["Note"]
    page = report.render_portfolio_html(p)
    assert page.count('<span class="flag">Method change</span>') == 1
    (chart,) = portfolio_figures(p)["trends"]
    assert "method change" in chart.svg and "results@1 to results@2" in chart.description
    # the lines are not joined across the change: no line between the two dates' points
    assert 'stroke="#1f3a5f" stroke-width="3"' not in chart.svg


def test_an_authentic_results1_file_beside_results2_of_the_same_client(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    for n, r in enumerate((results_v1(), v2_results())):  # Acme, 2023-05-17 and 2024-05-17
        (folder / str(n)).mkdir(parents=True)
        (folder / str(n) / "results.json").write_text(results_json(r), encoding="utf-8")
    loaded = pf.load_results(folder)
    assert not loaded.warnings and len(loaded.results) == 2
    (trend,) = pf.trends(loaded.results)
    old, new = trend["points"]
    assert old["results_version"] == 1 and old["missing_kpi"] == "exclude"
    assert old[pf.MEASURED] == old["index"]  # version 1: one reading
    assert new["method_changed"] and new["delta"] is None
    assert new[pf.MEASURED] > new["index"]  # nps is missing: counted 0 in the score
    p = pf.summarize(loaded.results)
    (client,) = p.clients
    assert (client["segment"], client["currency"]) == ("b2b_software", "EUR")
    assert client["readings"].startswith(f"{client['index']:.1f} (missing data counted as 0)")
    written = report.write_portfolio(p, tmp_path / "out")
    page = written["html"].read_text(encoding="utf-8")
    assert "results@1 → results@2" in page and '<span class="flag">Method change</span>' in page


def test_both_readings_of_the_index_are_shown() -> None:
    v2 = make2("Gaps Co", "2025-03-01", (60, 40, 50, 50), measured=(75, 50, 50, 50))
    v1 = make("Old Co", "2025-03-01", (60, 40, 50, 50))
    rows = {r["organization"]: r for r in pf.comparison([v1, v2])}
    assert rows["Gaps Co"]["index"] == 50 and rows["Gaps Co"]["index_measured"] == 56.25
    assert rows["Old Co"]["index_measured"] == rows["Old Co"]["index"] == 50
    assert rows["Gaps Co"]["readings"].startswith("50.0 (missing data counted as 0); 56.2")
    assert rows["Old Co"]["results_version"] == 1 and rows["Gaps Co"]["results_version"] == 2
    p = pf.summarize([v1, v2])
    ws = report.portfolio_workbook(p)["Clients"]
    header = [c.value for c in ws[4]]
    measured = {ws.cell(row=r, column=1).value:
                ws.cell(row=r, column=header.index("Index (measured)") + 1).value
                for r in (5, 6)}
    assert measured == {"Gaps Co": 56.25, "Old Co": 50}
    page = report.render_portfolio_html(p)
    assert "56.2" in page and "Index (measured)" in page
    chart = portfolio_figures(p)["index"]
    assert "measured 56.2" in chart.svg and "measured 56.2" in chart.description


def test_peers_are_compared_within_their_segment_and_rule() -> None:
    results = [make2("A", "2025-01-01", (80, 80, 80, 80), segment="b2b_software"),
               make2("B", "2025-01-01", (60, 60, 60, 60), segment="b2b_software"),
               make2("C", "2025-01-01", (70, 70, 70, 70), segment="b2b_software"),
               make2("D", "2025-01-01", (90, 90, 90, 90), segment="consumer"),
               make2("E", "2025-01-01", (50, 50, 50, 50)),
               make2("F", "2025-01-01", (40, 40, 40, 40), rule="exclude"),
               make("G", "2025-01-01", (30, 30, 30, 30))]  # results@1: rule exclude
    ranks = {r["organization"]: r for r in pf.percentile_ranks(results) if r["metric"] == "index"}
    # A among B, C of its segment: both lower -> 100; B: none lower -> 0; C: one lower -> 50
    assert [ranks[o]["percentile"] for o in "ABC"] == [100.0, 0.0, 50.0]
    assert ranks["A"]["peers"] == 2
    assert ranks["A"]["group"] == ("clients in segment B2B Software scored with missing data "
                                   "counted as 0")
    assert ranks["D"]["percentile"] is None and ranks["D"]["peers"] == 0  # alone
    assert ranks["E"]["percentile"] is None  # no segment, rule zero: alone
    # F (v2 exclude) and G (results@1) follow the same rule and have no segment
    assert ranks["F"]["percentile"] == 100.0 and ranks["G"]["percentile"] == 0.0
    assert ranks["G"]["group"] == ("clients without a segment scored with missing data "
                                   "left out")
    sens = {r["organization"]: r for r in pf.weight_sensitivity(results)}
    assert (sens["A"]["rank"]["base"], sens["B"]["rank"]["base"], sens["A"]["ranked"]) == (
        1, 3, 3)
    assert sens["D"]["rank"]["base"] == 1 and sens["D"]["ranked"] == 1
    p = pf.summarize(results)
    assert any("compared only within their comparison group" in n for n in p.notes)
    assert any("results@1 and results@2" in n for n in p.notes)
    ws = report.portfolio_workbook(p)["Percentiles"]
    assert ws.cell(row=4, column=3).value == "Compared with"
    page = report.render_portfolio_html(p)
    assert "clients in segment B2B Software scored with missing data counted as 0" in page
    # without segments and with one rule, every client is compared with all the others
    plain = pf.percentile_ranks([make2("X", "2025-01-01", (80,) * 4),
                                 make2("Y", "2025-01-01", (60,) * 4)])
    assert {r["group"] for r in plain} == {"all clients"}


def test_not_applicable_areas_show_n_a_never_zero_or_missing() -> None:
    desk = sample("harbor-city-it")  # an internal IT service desk: renewal does not apply
    assert desk["renewal"]["applicable"] is False
    saas = sample()
    (row,) = [r for r in pf.comparison([desk, saas]) if r["organization"] == pf.org_name(desk)]
    assert "renewal_health" in row["not_applicable"]
    p = pf.summarize([desk, saas])
    ws = report.portfolio_workbook(p)["Clients"]
    header = [c.value for c in ws[4]]
    cells = {ws.cell(row=r, column=1).value:
             ws.cell(row=r, column=header.index("Renewal health") + 1).value for r in (5, 6)}
    assert cells[pf.org_name(desk)] == "n/a"
    assert isinstance(cells[pf.org_name(saas)], float)
    page = report.render_portfolio_html(p)
    assert '<td class="num score cell-na">n/a</td>' in page
    kpi_ranks = {(r["organization"], r["metric"]): r for r in p.percentiles}
    renewal = kpi_ranks[pf.org_name(desk), "contract_renewal_rate"]
    assert renewal["applicable"] is False and renewal["percentile"] is None
    rows = [d for d in p.distributions if d["id"] == "contract_renewal_rate"]
    assert sum(d["not_applicable"] for d in rows) == 1
    assert sum(d["n"] for d in rows) == 1  # the desk's value is not counted
    # an element that does not apply
    none = make2("Desk", "2025-01-01", (None, 60, 60, 60), renewal=False)
    (row,) = pf.comparison([none])
    assert row["not_applicable"] == ["profit", "renewal_health"]
    html = report.render_portfolio_html(pf.summarize([none]))
    assert html.count('cell-na">n/a</td>') >= 4  # clients and assessments, profit and renewal


def test_distribution_splits_by_segment_only_where_targets_differ() -> None:
    def bench(value: float, currency: str | None = None,
              converted: dict[str, Any] | None = None) -> dict[str, Any]:
        return {"value": value, "range": None, "source": "S", "year": 2020, "note": None,
                "currency": currency, "converted": converted}

    results = [
        make2("A", "2025-01-01", (50,) * 4, segment="b2b_software", kpis=[
            kpi("fcr", 0.7, benchmark=bench(0.64)), kpi("csat", 0.8, benchmark=bench(0.75)),
            kpi("cost", 100, unit="currency", direction="lower", benchmark=bench(
                40, "USD"))]),
        make2("B", "2025-01-01", (50,) * 4, segment="it_service_desk", kpis=[
            kpi("fcr", 0.6, benchmark=bench(0.64)), kpi("csat", 0.9, benchmark=bench(0.82)),
            kpi("cost", 18, unit="currency", direction="lower", benchmark=bench(
                22, "USD", {"value": 19.8, "range": None, "currency": "EUR"}))],
            currency="EUR"),
    ]
    rows = pf.kpi_distribution(results)
    fcr = [r for r in rows if r["id"] == "fcr"]
    assert len(fcr) == 1 and fcr[0]["segment"] is None and fcr[0]["n"] == 2  # same benchmark
    csat = {r["segment"]: r for r in rows if r["id"] == "csat"}
    assert set(csat) == {"b2b_software", "it_service_desk"}
    assert csat["it_service_desk"]["benchmark"]["value"] == 0.82
    assert csat["it_service_desk"]["segment_name"] == "It Service Desk"
    cost = {r["currency"]: r for r in rows if r["id"] == "cost"}
    assert cost["USD"]["benchmark_plot"] == {"value": 40, "range": None}
    # a USD benchmark is drawn on the EUR row at its converted figure, never relabelled
    assert cost["EUR"]["benchmark_plot"] == {"value": 19.8, "range": None}
    assert cost["EUR"]["benchmark"]["currency"] == "USD"
    assert "USD" in report.html_context(pf.summarize(results))["distributions"][-1]["benchmark"]


def test_an_unknown_results_version_is_skipped() -> None:
    future = make("Future", "2025-01-01", (1, 2, 3, 4))
    future["schema"] = "support-excellence/results@3"
    assert "results@3 is not one this toolkit reads" in (pf.validate(future) or "")


# --------------------------------------------------------------------------- weight sensitivity


def sensitivity_clients() -> list[dict[str, Any]]:
    return [make("A", "2025-01-01", (80, 60, 40, 20)), make("B", "2025-01-01", (52, 52, 52, 52)),
            make("C", "2025-01-01", (20, 40, 60, 80)), make("D", "2025-01-01", (None, 90, 60, 30)),
            make("E", "2025-01-01", (None, None, 70, 70))]


def test_weight_sensitivity_hand_computed() -> None:
    # Index per scenario (each weight x2 in turn):
    #        base  profit  reputation  efficiency  effectiveness
    #   A     50    56        52          48           44
    #   B     52    52        52          52           52
    #   C     50    44        48          52           56
    #   D     60    60        67.5        60           52.5
    # Ranks (ties share the better rank):
    #   A     3     2         2           4            4
    #   B     2     3         2           2            3
    #   C     3     4         4           2            1
    #   D     1     1         1           1            2
    rows = {r["organization"]: r for r in pf.weight_sensitivity(sensitivity_clients())}
    a, b, c, d, e = (rows[k] for k in "ABCDE")
    assert a["index"] == pytest.approx({"base": 50, "profit": 56, "reputation": 52,
                                        "efficiency": 48, "effectiveness": 44})
    assert d["index"] == pytest.approx({"base": 60, "profit": 60, "reputation": 67.5,
                                        "efficiency": 60, "effectiveness": 52.5})
    assert (a["index_min"], a["index_max"]) == pytest.approx((44, 56))
    assert (b["index_min"], b["index_max"]) == pytest.approx((52, 52))
    assert (c["index_min"], c["index_max"]) == pytest.approx((44, 56))
    assert (d["index_min"], d["index_max"]) == pytest.approx((52.5, 67.5))
    assert a["rank"] == {"base": 3, "profit": 2, "reputation": 2, "efficiency": 4,
                         "effectiveness": 4}
    assert [(r["rank_min"], r["rank_max"]) for r in (a, b, c, d)] == [(2, 4), (2, 3), (1, 4),
                                                                       (1, 2)]
    assert e["index_min"] is None and e["rank_min"] is None and e["rank"]["base"] is None
    assert a["ranked"] == 4


def test_weight_sensitivity_factor() -> None:
    rows = pf.weight_sensitivity(sensitivity_clients(), factor=3)
    assert rows[0]["index"]["profit"] == pytest.approx(60.0)  # (3*80 + 60 + 40 + 20) / 6
    for bad in (0, -1, float("nan")):
        with pytest.raises(ValueError):
            pf.weight_sensitivity(sensitivity_clients(), factor=bad)


def test_base_index_matches_the_scoring_engine() -> None:
    for results in (sample(), sample("harbor-city-it"), sparse_results(), as_v1(sample())):
        row = pf.weight_sensitivity([results])[0]
        assert row["index"]["base"] == pytest.approx(results["index"]["score"])


def test_reweighted_index_follows_the_missing_data_rule() -> None:
    # zero: every element that applies counts, a null score as 0; reputation does not apply
    elements = {"profit": {"score": 80, "weight": 1}, "efficiency": {"score": None, "weight": 1},
                "effectiveness": {"score": 40, "weight": 1},
                "reputation": {"score": None, "weight": 1, "applicable": False}}
    assert pf.reweighted_index(elements, rule="zero") == pytest.approx(40.0)  # (80+0+40)/3
    assert pf.reweighted_index(elements, "profit", 2.0, "zero") == pytest.approx(50.0)  # 200/4
    assert pf.reweighted_index(elements, rule="exclude") is None  # only 2 scored


# --------------------------------------------------------------------------- loading


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")


def test_load_results_skips_bad_files_with_warnings(tmp_path: Path) -> None:
    write_json(tmp_path / "b-2025" / "results.json", make("Beta", "2025-02-01", (1, 2, 3, 4)))
    write_json(tmp_path / "deep" / "a" / "results.json", make("Alpha", "2025-03-01", (5, 6, 7, 8)))
    write_json(tmp_path / "a-old" / "results.json", make("Alpha", "2024-03-01", (5, 6, 7, 8)))
    write_json(tmp_path / "corrupt" / "results.json", '{"schema": "support-excellence/resu')
    write_json(tmp_path / "other" / "results.json", {"schema": "something-else", "x": 1})
    write_json(tmp_path / "nan" / "results.json",
               json.dumps(make("Nan", "2025-01-01", (1, 2, 3, 4))).replace('"score": 1',
                                                                          '"score": NaN'))
    write_json(tmp_path / "z-dup" / "results.json", make("beta", "2025-02-01", (9, 9, 9, 9)))
    write_json(tmp_path / "notes.json", {"ignored": True})
    write_json(tmp_path / ".staging" / "x" / "results.json", make("Beta", "2025-02-01", (0,) * 4))

    loaded = pf.load_results(tmp_path)
    assert [(pf.org_name(r), pf.assessment_date(r)) for r in loaded.results] == [
        ("Alpha", "2024-03-01"), ("Alpha", "2025-03-01"), ("Beta", "2025-02-01")]
    warnings = "\n".join(loaded.warnings)
    assert len(loaded.warnings) == 4
    assert "corrupt/results.json: skipped, not readable JSON" in warnings
    assert "other/results.json: skipped, schema" in warnings
    assert "nan/results.json: skipped" in warnings
    assert "z-dup/results.json: skipped, a second assessment" in warnings
    assert str(tmp_path) not in warnings  # relative names only
    results, _ = loaded  # unpacks like a tuple
    assert len(results) == 3


def test_load_results_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        pf.load_results(tmp_path / "nope")


def test_comparison_rows() -> None:
    rows = pf.comparison([make("B", "2025-01-01", (1, 2, 3, 4)),
                          make("a", "2025-01-01", (10, 20, 30, None)),
                          make("a", "2024-01-01", (5, 5, 5, 5), version="0.9")])
    assert [(r["organization"], r["assessment_date"], r["latest"]) for r in rows] == [
        ("a", "2024-01-01", False), ("a", "2025-01-01", True), ("B", "2025-01-01", True)]
    assert rows[1]["index"] == 20.0 and rows[1]["effectiveness"] is None
    assert rows[0]["framework_version"] == "0.9"
    assert {"framework", "renewal_health", "alignment", *ELEMENTS} <= set(rows[0])


# --------------------------------------------------------------------------- report files


@pytest.fixture(scope="module")
def portfolio_results() -> list[dict[str, Any]]:
    first = sample("ironclad-systems", org=HOSTILE, date="2024-05-17")
    later = sample("ironclad-systems", org=HOSTILE, date="2025-05-17")
    later["framework"]["version"] = "2.1"
    formula = sample(org="=HYPERLINK(\"http://evil\",\"x\")", date="2024-09-01")
    return [first, later, formula, sparse_results()]


def test_workbook_structure(tmp_path: Path, portfolio_results: list[dict[str, Any]]) -> None:
    written = report.write_portfolio(portfolio_results, tmp_path)
    assert set(written) == {"xlsx", "html"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["portfolio.html", "portfolio.xlsx"]
    wb = load_workbook(written["xlsx"])
    assert wb.sheetnames == list(report.SHEETS)
    clients = wb["Clients"]
    assert clients.freeze_panes == "B5"
    assert len(clients._charts) == 1
    assert clients.page_setup.orientation == "landscape"
    assert clients.page_setup.fitToWidth == 1 and clients.sheet_properties.pageSetUpPr.fitToPage
    assert clients.print_title_rows == "$1:$4"
    assert clients.conditional_formatting  # RAG colours
    assert wb["Percentiles"].conditional_formatting
    assert wb["Trends"].conditional_formatting
    assert wb.properties.created.date().isoformat() == "2025-05-17"  # the latest assessment
    names = [clients.cell(row=r, column=1).value for r in range(5, 8)]
    assert HOSTILE in names
    hyperlink = next(c for c in clients["A"] if str(c.value).startswith("=HYPER"))
    assert hyperlink.data_type == "s"  # text, never a formula
    header = [c.value for c in clients[4]]
    index_cell = clients.cell(row=names.index(HOSTILE) + 5, column=header.index("Index") + 1)
    assert isinstance(index_cell.value, float) and index_cell.number_format == "0.0"
    trends = wb["Trends"]
    columns = [c.value for c in trends[4]]
    flags = [trends.cell(row=r, column=columns.index("Method change") + 1).value
             for r in range(5, 7)]
    assert flags == ["No", "Yes"]
    for name in ("Δ index", "Δ measured", "Δ profit"):  # no delta across the method change
        assert trends.cell(row=6, column=columns.index(name) + 1).value is None
    for ws in wb.worksheets:
        assert ws.freeze_panes, ws.title
        assert ws.page_setup.orientation == "landscape", ws.title


def test_html_is_offline_and_escapes_client_text(portfolio_results: list[dict[str, Any]]) -> None:
    page = report.render_portfolio_html(pf.summarize(portfolio_results))
    assert HOSTILE not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    for attr in re.findall(r'(?:src|href)\s*=\s*"([^"]*)"', page, flags=re.I):
        assert attr.startswith("#"), attr
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", "").replace(
        "http://evil", "")
    assert "<script" not in page.lower()
    assert "@media print" in page
    assert page.count("<svg") >= 4  # index, distribution, trend, sensitivity
    assert "Method change" in page


def test_outputs_are_byte_identical(tmp_path: Path,
                                    portfolio_results: list[dict[str, Any]]) -> None:
    one = report.write_portfolio(portfolio_results, tmp_path / "one")
    two = report.write_portfolio(list(reversed(portfolio_results)), tmp_path / "two")
    for fmt in one:
        assert one[fmt].read_bytes() == two[fmt].read_bytes(), fmt


def test_write_portfolio_from_a_folder(tmp_path: Path) -> None:
    for r in (sample(org="Alpha"), sparse_results()):
        folder = tmp_path / "in" / pf.org_name(r)
        folder.mkdir(parents=True)
        (folder / "results.json").write_text(results_json(r), encoding="utf-8")
    (tmp_path / "in" / "broken").mkdir()
    (tmp_path / "in" / "broken" / "results.json").write_text("{", encoding="utf-8")
    written = report.write_portfolio(tmp_path / "in", tmp_path / "out")
    page = written["html"].read_text(encoding="utf-8")
    assert "broken/results.json: skipped" in page
    ws = load_workbook(written["xlsx"])["Data quality"]
    assert ws.cell(row=5, column=2).value == "broken/results.json"


def test_empty_portfolio_still_writes(tmp_path: Path) -> None:
    written = report.write_portfolio([], tmp_path)
    assert load_workbook(written["xlsx"]).sheetnames == list(report.SHEETS)
    assert "No assessments found." in written["html"].read_text(encoding="utf-8")
    assert all(f.svg is None for k, f in portfolio_figures(pf.summarize([])).items()
               if k != "trends")


def test_build_scores_the_bundled_samples() -> None:
    p = report.build(None)
    assert p.source == "the bundled samples"
    assert len(p.clients) == 3 and len(p.assessments) == 4
    assert [t["organization"] for t in p.trends] == ["Northwind Cloud Software"]
    assert not p.trends[0]["points"][1]["method_changed"]


# --------------------------------------------------------------------------- notebook


def test_notebook_is_parameterized_and_has_no_machine_paths() -> None:
    nb = json.loads((ROOT / "notebooks" / "portfolio.ipynb").read_text(encoding="utf-8"))
    params = [c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", [])]
    assert len(params) == 1
    source = "".join(params[0]["source"])
    for name in ("results_dir: str", "output_dir: str", "weight_factor: float"):
        assert name in source
    outputs = json.dumps([c.get("outputs", []) for c in nb["cells"]])
    assert "outputs" in json.dumps(nb["cells"][4]) and outputs.count("svg") >= 4
    for machine in ("/tmp", "/home", "/work", "/Users", "C:\\\\"):
        assert machine not in outputs, machine

    papermill = pytest.importorskip("papermill")
    inferred = papermill.inspect_notebook(str(ROOT / "notebooks" / "portfolio.ipynb"))
    assert set(inferred) == {"results_dir", "output_dir", "weight_factor"}
    assert all(p["help"] for p in inferred.values())  # every parameter is commented


# --------------------------------------------------------------------------- initiatives


def tracked(status: str | None, due: str | None = "2026-12-31", owner: str = "Maya Chen",
            chosen: bool | None = True, inhibitors: str | None = None) -> dict[str, Any]:
    """One initiative as the intake's Initiatives sheet records it (IntakeData.initiatives)."""
    return {"chosen": chosen, "owner": owner, "status": status, "inhibitors": inhibitors,
            "due_date": None if due is None else dt.date.fromisoformat(due), "notes": None}


def scored_with(name: str, initiatives: dict[str, dict[str, Any]],
                date: str | None = None) -> dict[str, Any]:
    """A bundled sample scored with the given initiative tracking (results@2)."""
    data = dataclasses.replace(sample_data(name), initiatives=initiatives)
    if date is not None:
        data.profile["assessment_date"] = dt.date.fromisoformat(date)
    return score(load_framework(), data)


@pytest.fixture(scope="module")
def tracked_pair() -> tuple[dict[str, Any], dict[str, Any]]:
    """Northwind on 2026-04-14 and 2026-10-15 with four initiatives recorded."""
    before = scored_with("northwind-cloud-2026-04", {
        "self_service_and_knowledge": tracked("not_started"),
        "resolve_first_time": tracked("in_progress", "2026-09-30", inhibitors=HOSTILE),
        "customer_feedback_loop": tracked("in_progress", "2026-08-31"),
        "demand_prevention": tracked("in_progress"),
    })
    after = scored_with("northwind-cloud", {
        "self_service_and_knowledge": tracked("in_progress"),
        "resolve_first_time": tracked("in_progress", "2026-09-30", owner="=cmd|' /C calc'!A0"),
        "customer_feedback_loop": tracked("done", "2026-08-31"),
        "demand_prevention": tracked("dropped"),
        "renewals_and_retention": tracked("not_started", "2027-03-31"),
    })
    return before, after


def test_initiative_status_across_two_assessments(tracked_pair) -> None:
    before, after = tracked_pair
    (trend,) = pf.trends([after, before])
    assert [p["assessment_date"] for p in trend["points"]] == ["2026-04-14", "2026-10-15"]
    rows = {row["id"]: row["cells"] for row in trend["initiatives"]}
    assert set(rows) == {"self_service_and_knowledge", "resolve_first_time",
                         "customer_feedback_loop", "demand_prevention",
                         "renewals_and_retention"}
    changes = {iid: [c["change"] for c in cells] for iid, cells in rows.items()}
    assert changes == {"self_service_and_knowledge": [None, "progressed"],  # not started -> in
                       "resolve_first_time": [None, "slipped"],  # due 09-30, still in progress
                       "customer_feedback_loop": [None, "done"],
                       "demand_prevention": [None, "dropped"],
                       "renewals_and_retention": [None, "new"]}
    slipped = rows["resolve_first_time"]
    assert [c["past_due"] for c in slipped] == [False, True]  # relative to each date
    assert slipped[1]["due_date"] == "2026-09-30" and slipped[1]["status"] == "in_progress"
    assert rows["customer_feedback_loop"][1]["past_due"] is False  # done is never past due
    assert rows["renewals_and_retention"][0]["state"] == "absent"
    first, step = trend["points"]
    assert first["initiatives"] == {"tracked": 4, "changes": {}}
    assert step["initiatives"] == {"tracked": 4, "changes": {
        "new": 1, "progressed": 1, "done": 1, "slipped": 1, "dropped": 1}}
    assert step["delta"]["index"] == pytest.approx(after["index"]["score"]
                                                   - before["index"]["score"])

    p = pf.summarize([before, after])
    ws = load_workbook(io.BytesIO(report.portfolio_workbook_bytes(p)))["Initiatives"]
    header = [c.value for c in ws[4]]
    got = {(ws.cell(row=r, column=2).value, ws.cell(row=r, column=3).value.date().isoformat()):
           {name: ws.cell(row=r, column=n + 1) for n, name in enumerate(header)}
           for r in range(5, ws.max_row + 1) if ws.cell(row=r, column=3).value
           and not isinstance(ws.cell(row=r, column=3).value, str)}
    late = got["Resolve it the first time", "2026-10-15"]
    assert late["Change"].value == "Slipped" and late["Past due"].value == "Yes"
    assert late["Status"].value == "In progress"
    assert late["Owner"].value == "=cmd|' /C calc'!A0" and late["Owner"].data_type == "s"
    assert late["Δ index"].value == pytest.approx(step["delta"]["index"])
    assert late["Since"].value.date().isoformat() == "2026-04-14"
    assert got["Self-service and knowledge", "2026-10-15"]["Change"].value == "Progressed"
    assert got["Close the loop on customer feedback", "2026-10-15"]["Change"].value == "Done"
    assert got["Self-service and knowledge", "2026-04-14"]["Change"].value is None
    assert got["Self-service and knowledge", "2026-04-14"]["Δ index"].value is None
    assert ws.freeze_panes == "C5" and ws.print_title_rows == "$1:$4"
    assert ws.page_setup.orientation == "landscape" and ws.conditional_formatting
    trends_ws = load_workbook(io.BytesIO(report.portfolio_workbook_bytes(p)))["Trends"]
    columns = [c.value for c in trends_ws[4]]
    assert trends_ws.cell(row=6, column=columns.index("Initiatives") + 1).value == (
        "1 new, 1 progressed, 1 done, 1 slipped, 1 dropped")

    page = report.render_portfolio_html(p)
    assert 'id="initiative-table-1"' in page
    for word in ("Progressed", "Slipped", "Done", "Dropped", "New"):
        assert f'">{word}</span>' in page, word
    assert "due 2026-09-30 (past due)" in page
    assert HOSTILE not in page and "Inhibitors: &lt;script&gt;" in page


def test_a_method_change_shows_initiative_status_but_no_delta(tracked_pair) -> None:
    before, after = copy.deepcopy(tracked_pair[0]), copy.deepcopy(tracked_pair[1])
    after["framework"]["version"] = "2.1"
    (trend,) = pf.trends([before, after])
    step = trend["points"][1]
    assert step["method_changed"] and step["delta"] is None
    assert step["initiatives"]["changes"]["progressed"] == 1
    assert step["initiatives"]["changes"]["slipped"] == 1
    p = pf.summarize([before, after])
    ws = load_workbook(io.BytesIO(report.portfolio_workbook_bytes(p)))["Initiatives"]
    header = [c.value for c in ws[4]]
    late = [{name: ws.cell(row=r, column=n + 1).value for n, name in enumerate(header)}
            for r in range(5, ws.max_row + 1)
            if ws.cell(row=r, column=header.index("Method change") + 1).value == "Yes"]
    assert len(late) == 5
    assert {r["Change"] for r in late} == {"New", "Progressed", "Slipped", "Done", "Dropped"}
    assert all(r["Δ index"] is None and r["Δ measured"] is None for r in late)
    page = report.render_portfolio_html(p)
    assert "— (method change: not comparable)" in page and '">Slipped</span>' in page
    assert "Δ +" not in page.split('id="initiative-table-1"')[1].split("</table>")[0]


def test_initiative_change_rules() -> None:
    on = dt.date(2026, 10, 15)
    change = pf.initiative_change
    assert change(None, None, on) is None
    assert change(tracked("done"), tracked("done"), on) == "unchanged"
    assert change(tracked("done"), tracked("in_progress"), on) == "reopened"
    assert change(tracked("in_progress"), tracked("in_progress"), on) == "unchanged"
    assert change(tracked("in_progress"), tracked("not_started"), on) == "unchanged"
    assert change(tracked("in_progress"), None, on) == "not recorded"
    assert change(tracked("in_progress"), tracked(None, chosen=False), on) == "dropped"
    assert change(tracked(None, chosen=False), tracked(None, chosen=False), on) is None
    assert change(tracked("dropped"), tracked("in_progress"), on) == "new"
    assert change(None, tracked("dropped"), on) == "dropped"
    assert change(tracked("dropped"), tracked("dropped"), on) == "unchanged"
    # due on the assessment date is not past due; the day before is
    assert change(tracked("in_progress"), tracked("in_progress", "2026-10-15"), on) == (
        "unchanged")
    assert change(tracked("in_progress"), tracked("in_progress", "2026-10-14"), on) == "slipped"
    assert change(None, tracked("not_started", "2026-01-01"), on) == "slipped"
    assert change(tracked("not_started"), tracked(None), on) == "unchanged"  # no status
    assert pf.past_due({"status": "in_progress", "due_date": "not a date"}, on) is False


def test_bundled_northwind_reports_its_initiatives() -> None:
    p = report.build(None)
    (trend,) = p.trends
    changes = {row["name"]: row["cells"][-1]["change"] for row in trend["initiatives"]}
    assert changes == {"Self-service and knowledge": "done",
                       "Renewals and retention": "progressed"}
    assert not trend["points"][1]["method_changed"]


# --------------------------------------------------------------------------- business case


def test_business_case_per_client_never_added_across_currencies() -> None:
    usd = sample("northwind-cloud")
    eur = sample("harbor-city-it")
    gbp = sample("ironclad-systems")
    usd_two = sample("northwind-cloud", org="Second USD Co")
    rows = {r["organization"]: r for r in pf.comparison([usd, eur, gbp, usd_two])}
    assert rows["Northwind Cloud Software"]["business_case"] == {
        "currency": "USD", **{k: usd["business_case"]["total"][k]
                              for k in ("low", "base", "high")}}
    assert rows["Harbor City Health IT Service Desk"]["business_case"]["currency"] == "EUR"
    top = rows["Ironclad Systems"]["top_initiative"]
    first = next(i for i in gbp["roadmap"]["initiatives"] if i["rank"] == 1)
    assert (top["name"], top["money_base"], top["currency"]) == (
        first["name"], first["money"]["base"], "GBP")
    totals = {t["currency"]: t for t in pf.business_case_totals([usd, eur, gbp, usd_two])}
    assert set(totals) == {"EUR", "GBP", "USD"}
    assert totals["USD"]["base"] == pytest.approx(2 * usd["business_case"]["total"]["base"])
    assert totals["EUR"]["base"] == pytest.approx(eur["business_case"]["total"]["base"])
    assert totals["GBP"]["clients"] == ["Ironclad Systems"]
    p = pf.summarize([usd, eur, gbp, usd_two])
    assert p.business_totals == list(totals.values())
    page = report.render_portfolio_html(p)
    grand = sum(t["base"] for t in totals.values())
    assert f"{grand:,.0f}" not in page  # nothing adds EUR, GBP and USD
    assert f"USD {totals['USD']['base']:,.0f} (2 clients)" in page
    ws = load_workbook(io.BytesIO(report.portfolio_workbook_bytes(p)))["Clients"]
    header = [c.value for c in ws[4]]
    col = header.index("Business case (base, a year)") + 1
    cells = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=col) for r in range(5, 9)}
    assert cells["Ironclad Systems"].value == pytest.approx(gbp["business_case"]["total"]["base"])
    assert cells["Ironclad Systems"].number_format.startswith('"GBP "')
    assert cells["Harbor City Health IT Service Desk"].number_format.startswith('"EUR "')
    row = next(r for r in range(5, 9) if ws.cell(row=r, column=1).value == "Ironclad Systems")
    assert first["name"] in ws.cell(row=row, column=header.index("Top initiative") + 1).value
    notes = " ".join(str(c.value) for c in ws["A"] if c.value)
    assert "never added across currencies" in notes and "GBP 6," in notes


def test_results_without_a_business_case_show_a_dash() -> None:
    early = sample("harbor-city-it", org="Early V2 Co")
    for key in ("business_case", "roadmap", "executive_summary"):
        early.pop(key)
    early["renewal"].pop("money")
    old = results_v1()
    rows = {r["organization"]: r for r in pf.comparison([early, old, sample()])}
    assert rows["Early V2 Co"]["business_case"] is None
    assert rows[pf.org_name(old)]["business_case"] is None
    assert rows[pf.org_name(old)]["top_initiative"] is None
    totals = {t["currency"]: t for t in pf.business_case_totals([early, old, sample()])}
    assert totals["EUR"]["base"] is None and totals["EUR"]["without"] == sorted(
        [pf.org_name(old), "Early V2 Co"], key=str.lower)
    p = pf.summarize([early, old, sample()])
    context = report.html_context(p)
    cases = {c["name"]: (c["business_case"], c["top_initiative"]) for c in context["clients"]}
    assert cases["Early V2 Co"] == ("—", "—") and cases[pf.org_name(old)] == ("—", "—")
    assert cases["Northwind Cloud Software"][0].startswith("USD ")
    ws = load_workbook(io.BytesIO(report.portfolio_workbook_bytes(p)))["Clients"]
    header = [c.value for c in ws[4]]
    values = {ws.cell(row=r, column=1).value:
              ws.cell(row=r, column=header.index("Business case (base, a year)") + 1).value
              for r in range(5, 8)}
    assert values["Early V2 Co"] == "—" and values[pf.org_name(old)] == "—"
    assert report.tables(p)["business_case"].loc["Early V2 Co", "Top initiative"] == "—"
