"""core.format: one rule per display kind, with the exact strings every output shows."""

from __future__ import annotations

import pytest

from assessment.core import format as fmt


@pytest.mark.parametrize(("value", "currency", "text"), [
    (25.5, "USD", "USD 25.50"),
    (999.99, "EUR", "EUR 999.99"),
    (1234.5, "USD", "USD 1,234"),
    (1234567.0, "EUR", "EUR 1,234,567"),
    (980.0, "JPY", "JPY 980"),
    (125000.0, "JPY", "JPY 125,000"),
    (-1234.0, "USD", "USD -1,234"),
    (-25.5, "EUR", "EUR -25.50"),
    (25.5, None, "25.50"),
    (None, "USD", "\u2014"),
])
def test_money_has_its_code_and_decimals_only_below_1000(value, currency, text) -> None:
    assert fmt.format_money(value, currency) == text
    assert fmt.format_value(value, "currency", currency) == text


@pytest.mark.parametrize(("value", "currency", "number_format"), [
    (25.5, "USD", '"USD "#,##0.00'),
    (1234.5, "USD", '"USD "#,##0'),
    (980.0, "JPY", '"JPY "#,##0'),
    (None, "EUR", '"EUR "#,##0.00'),
    (25.5, None, "#,##0.00"),
])
def test_excel_money_format_follows_the_same_rule(value, currency, number_format) -> None:
    assert fmt.excel_format("currency", currency, value) == number_format


def test_percent_coverage_hours_ratio_and_counts() -> None:
    assert fmt.format_percent(0.855) == "85.5%"
    assert fmt.format_percent(0.85) == "85%"
    assert fmt.format_percent(-0.05) == "-5%"
    assert fmt.format_percent(None) == "\u2014"
    assert fmt.format_coverage(0.857) == "86%"
    assert fmt.format_coverage(1.0) == "100%"
    assert fmt.format_hours(24.0) == "24 h"
    assert fmt.format_hours(1.25) == "1.2 h"
    assert fmt.format_value(2.5, "hours") == "2.5 h"
    assert fmt.format_value(3.125, "ratio") == "3.12"
    assert fmt.format_value(1234.5, "count") == "1,234.5"
    assert fmt.format_value(31.0, "score") == "31"
    assert fmt.excel_format("percent", None, 0.855) == "0.0%"
    assert fmt.excel_format("percent", None, 0.85) == "0%"
    assert fmt.excel_format("hours", None, 24.0) == '#,##0 "h"'
    assert fmt.excel_format("hours", None, 2.5) == '#,##0.0 "h"'
    assert fmt.excel_format("ratio", None, 3.1) == "#,##0.0"
    assert fmt.excel_format("count", None, None) == "#,##0.0"


def test_scores_points_deltas_and_ratings() -> None:
    assert fmt.format_score(72.44) == "72.4"
    assert fmt.format_score(100.0) == "100.0"
    assert fmt.format_score(None) == "\u2014"
    assert fmt.format_points(3.2149) == "3.21"
    assert fmt.format_delta(1.0) == "+1.0"
    assert fmt.format_delta(-2.46) == "-2.5"
    assert fmt.format_delta(-0.01) == "0.0"
    assert fmt.format_delta(None) == "\u2014"
    assert fmt.format_rating(4.5) == "4.5"
    assert fmt.format_rating(4.0) == "4"
    assert fmt.format_rating(1.0, signed=True) == "+1"
    assert fmt.format_rating(-0.0, signed=True) == "0"


def test_status_rag_and_level_words() -> None:
    assert [fmt.status_label(s) for s in ("met", "near", "off", "no_data", None)] == [
        "Met", "Near", "Off target", "No data", "No data"]
    assert [fmt.rag_label(r) for r in ("green", "amber", "red", None)] == [
        "Green", "Amber", "Red", "Not scored"]
    assert fmt.level_text(3, "Established") == "Level 3 \u00b7 Established"
    assert fmt.level_text(2) == "Level 2"
    assert fmt.level_text(None, "Reactive") is None
    assert fmt.direction_label("band") == "best inside the band"


def test_benchmark_value_and_range_with_source_and_year() -> None:
    value = {"value": 0.82, "range": None, "source": "Zendesk Benchmark", "year": 2013}
    assert fmt.benchmark_text(value, "percent") == "82% (Zendesk Benchmark, 2013)"
    money = {"value": None, "range": [6, 40], "source": "HDI", "year": None}
    assert fmt.benchmark_text(money, "currency", "USD") == "USD 6 to USD 40 (HDI)"
    assert fmt.benchmark_text(money, "currency") == "6 to 40 (HDI)"
    assert fmt.benchmark_figure(money, "currency", "EUR") == "EUR 6 to EUR 40"
    assert fmt.benchmark_source(value) == "Zendesk Benchmark, 2013"
    assert fmt.benchmark_text({"value": 24, "range": None}, "hours") == "24 h"
    assert fmt.benchmark_text(None, "percent") == ""
    assert fmt.benchmark_text({"value": None, "range": None, "source": "X"}, "percent") == ""


# --------------------------------------------------------------------------- version 2 words


def test_both_readings_of_missing_data() -> None:
    """Methodology §3: every score with its two readings; the numbers of the worked example."""
    assert fmt.readings(58.125, 77.1875, 0.75) == (
        "58.1 (missing data counted as 0); 77.2 on the 75% of KPIs measured")
    assert fmt.readings(80.0, 80.0, 1.0) == "80.0 (all KPIs measured)"
    assert fmt.readings(0.0, None, 0.0) == (
        "0.0 (missing data counted as 0); nothing measured")
    assert fmt.readings(None, None, 0.0) == "\u2014"
    assert fmt.readings(45.0, 56.25, 0.8, measured_what="items answered") == (
        "45.0 (missing data counted as 0); 56.2 on the 80% of items answered")
    assert fmt.readings(77.1875, 77.1875, 0.75, "exclude") == (
        "77.2 on the 75% of KPIs measured (missing data left out)")


def test_status_of_a_kpi_that_does_not_apply_and_a_derived_value() -> None:
    assert fmt.status_label("not_applicable") == "Not applicable"
    assert fmt.STATUS_LABELS["no_data"] == "No data"
    assert fmt.value_text(32.5, "currency", "USD", derived=True) == "USD 32.50 (derived)"
    assert fmt.value_text(0.655, "percent", derived=False) == "65.5%"
    assert fmt.value_text(None, "percent", derived=True) == "\u2014"


def test_benchmark_in_its_own_currency_with_the_converted_figure() -> None:
    """Methodology §2: never relabelled; the converted figure beside it (rate 0.9)."""
    bench = {"value": None, "range": [6, 40], "source": "HDI", "year": None,
             "currency": "USD",
             "converted": {"value": None, "range": [5.4, 36.0], "currency": "EUR"}}
    assert fmt.benchmark_figure(bench, "currency", "EUR") == (
        "USD 6 to USD 40 (\u2248 EUR 5.40 to EUR 36)")
    assert fmt.benchmark_text(bench, "currency", "EUR") == (
        "USD 6 to USD 40 (\u2248 EUR 5.40 to EUR 36) (HDI)")
    single = {"value": 20, "source": "S", "year": 2024, "currency": "EUR", "converted": None}
    assert fmt.benchmark_text(single, "currency", "GBP") == "EUR 20 (S, 2024)"
    # a results@1 benchmark names no currency: the client's code is used, as version 1 did
    assert fmt.benchmark_figure({"value": 25, "source": "S"}, "currency", "USD") == "USD 25"


# --------------------------------------------------------------------------- every output agrees


@pytest.fixture(scope="module")
def northwind() -> dict:
    from assessment.core.framework import load_framework
    from assessment.core.scoring import score
    from assessment.intake.samples import sample_data

    return score(load_framework(), sample_data("northwind-cloud"))


def _kpi_cells(ws, kpi_id: str) -> dict:
    headers = [c.value for c in ws[4]]
    row = next(r for r in ws.iter_rows(min_row=5) if r[2].value == kpi_id)
    return dict(zip(headers, row, strict=False))


def test_html_excel_and_terminal_show_the_same_words(northwind: dict) -> None:
    from assessment.scorecard.excel import build_workbook
    from assessment.scorecard.html import render_html
    from assessment.scorecard.summary import summary_text

    page = render_html(northwind)
    wb = build_workbook(northwind)
    terminal = summary_text(northwind)
    currency = northwind["organization"]["currency"]
    kpis = {k["id"]: k for k in northwind["kpis"]}
    ws = wb["KPIs"]

    # a money value: the HTML text, and the Excel cell shows the same through its format
    cost = kpis["cost_per_case"]
    money = fmt.format_value(cost["current"], "currency", currency)
    assert money.startswith(f"{currency} ")
    assert f">{money}<" in page
    cell = _kpi_cells(ws, "cost_per_case")["Current"]
    assert cell.value == cost["current"]
    assert cell.number_format == fmt.excel_format("currency", currency, cost["current"])

    # a percent: HTML, Excel (number format) and terminal
    rate = northwind["renewal"]["projection"][-1]["client"]
    percent = fmt.format_percent(rate)
    assert f">{percent}<" in page and f"client {percent}" in terminal
    csat = kpis["csat"]
    cell = _kpi_cells(ws, "csat")["Current"]
    assert f">{fmt.format_percent(csat['current'])}<" in page
    assert cell.number_format == fmt.excel_format("percent", None, csat["current"])

    # a status word: the same in HTML and Excel, for every KPI
    for k in northwind["kpis"]:
        assert _kpi_cells(ws, k["id"])["Status"].value == fmt.status_label(k["status"])
    off = next(k for k in northwind["kpis"] if k["status"] == "off")
    assert fmt.status_label("off") == "Off target" and ">Off target<" in page
    assert _kpi_cells(ws, off["id"])["Status"].value == "Off target"

    # RAG and band words: HTML and terminal (results@2: the index band beside its colour)
    from assessment.core.results import ResultsView
    from assessment.scorecard.summary import band_text

    view = ResultsView.from_dict(northwind)
    index = northwind["index"]
    band = band_text(view)
    assert band == f"{index['level_name']} (band {20 * index['level'] - 20}\u2013" \
                   f"{20 * index['level']})"
    assert band in page and band in terminal
    assert fmt.rag_label(index["rag"]) in terminal and fmt.rag_label(index["rag"]) in page
    # both readings of missing data: HTML and terminal
    assert view.readings("index") in page and view.readings("index") in terminal

    # a benchmark range: the same text in HTML and Excel
    figure = fmt.benchmark_figure(cost["benchmark"], "currency", currency)
    assert cost["benchmark"]["currency"] == currency == "USD"  # no conversion: USD client
    assert figure == "USD 45 to USD 150"  # the B2B software segment's benchmark
    assert f">{figure}<" in page
    assert _kpi_cells(ws, "cost_per_case")["Benchmark"].value == figure
    assert _kpi_cells(ws, "cost_per_case")["Benchmark source"].value == fmt.benchmark_source(
        cost["benchmark"])


def test_intake_template_uses_the_same_words() -> None:
    """The blank template shows benchmarks, bands and floors as the scorecards do: the
    framework's own benchmarks (no segment is chosen yet), money in the benchmark's own
    currency, as a scorecard of a client without a segment shows them."""
    from assessment.core.framework import load_framework
    from assessment.core.scoring import score
    from assessment.intake.layout import KEY_ROW, SHEETS
    from assessment.intake.samples import sample_data
    from assessment.intake.template import build_template

    fw = load_framework()
    ws = build_template(fw)[SHEETS["kpis"]]
    keys = {c.value: c.column for c in ws[KEY_ROW] if c.value}
    rows = {r[0].value: r[0].row for r in ws.iter_rows(min_row=5) if r[0].value}
    data = sample_data("northwind-cloud")
    data.profile["segment"] = None
    kpis = {k["id"]: k for k in score(fw, data)["kpis"]}
    csat, cost = kpis["csat"], kpis["cost_per_case"]
    bench_col = keys["benchmark"]
    assert ws.cell(rows["csat"], bench_col).value.startswith(
        fmt.benchmark_text(csat["benchmark"], "percent"))
    assert ws.cell(rows["cost_per_case"], bench_col).value.startswith(
        fmt.benchmark_text(cost["benchmark"], "currency"))
    assert ws.cell(rows["cost_per_case"], bench_col).value.startswith("USD 6 to USD 40 (")
    util = fw.kpi("engineer_utilization")
    assert ws.cell(rows["engineer_utilization"], keys["target"]).value == (
        f"{fmt.value_range(util.band[0], util.band[1], 'percent')} (band)")
    assert ws.cell(rows["csat"], keys["direction"]).value == fmt.direction_label("higher")
