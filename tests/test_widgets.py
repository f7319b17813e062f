"""The interactive form, driven headless: set widget values, check scores, exports, scenarios."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import re
import subprocess
import sys
from pathlib import Path

import ipywidgets as widgets
import pytest

from assessment.core.format import (
    format_delta,
    format_money,
    format_points,
    format_score,
    rag_label,
)
from assessment.core.framework import MODELS, Framework
from assessment.core.results import ResultsView
from assessment.core.scoring import check_profile, score
from assessment.intake.reader import read_intake
from assessment.intake.samples import sample_workbooks
from assessment.interactive.form import (
    INVALID_BORDER,
    INVALID_CLASS,
    STATUS_COLOR,
    TABS,
    TOP_GAPS,
    AssessmentForm,
    show_value,
)
from assessment.scorecard.charts import build_charts
from assessment.scorecard.outputs import write_outputs

INPUTS = ("profile", "current", "targets", "notes", "answers", "ratings")


def _inputs(data: object) -> dict[str, object]:
    return {key: getattr(data, key) for key in INPUTS}


@pytest.fixture(scope="module")
def sample() -> Path:
    return sample_workbooks()[0]


@pytest.fixture()
def form(framework: Framework, sample: Path) -> AssessmentForm:
    return AssessmentForm(framework, sample)


def _kpi(framework: Framework, unit: str, direction: str = "higher") -> str:
    """A KPI of ``unit`` and ``direction`` that applies to every support model."""
    return next(k.id for k in framework.kpis if k.unit == unit and k.direction == direction
                and k.applies_to == MODELS)


def test_blank_form_has_default_targets(framework: Framework) -> None:
    form = AssessmentForm(framework)
    data = form.data()
    assert data.targets == {}
    assert all(v is None for v in data.current.values())
    assert {i.path for i in form.issues()} >= {"profile.organization"}
    assert form.errors.value == ""
    assert form.widget.children  # a displayable root


def test_editing_a_kpi_rescored_like_score(framework: Framework, form: AssessmentForm) -> None:
    kpi_id = _kpi(framework, "percent")
    row = form.kpi_rows[kpi_id]
    row.current.widget.value = "85"
    assert form.data().current[kpi_id] == pytest.approx(0.85)
    expected = score(framework, form.data())
    kpi = next(r for r in expected["kpis"] if r["id"] == kpi_id)
    assert row.status == kpi["status"]
    assert row.color == STATUS_COLOR[kpi["status"]]
    assert f"{kpi['score']:.1f}" in row.score.value
    assert f"{expected['index']['score']:.1f}" in form.summary.value
    assert form.results() == expected
    assert form.chart_data["elements"].data is not None


def test_percent_entry_and_exact_values(framework: Framework, form: AssessmentForm) -> None:
    kpi_id = _kpi(framework, "percent")
    row = form.kpi_rows[kpi_id]
    for text in ("85", "85%", " 85 "):
        row.current.widget.value = text
        assert form.data().current[kpi_id] == pytest.approx(0.85)
    row.current.widget.value = ""
    assert form.data().current[kpi_id] is None


@pytest.mark.parametrize("field,text,message", [
    ("current", "abc", "is not a number"),
    ("current", "250", "out of range"),
    ("target", "abc", "is not a number"),
])
def test_invalid_entry_is_marked_and_excluded(framework: Framework, form: AssessmentForm,
                                              field: str, text: str, message: str) -> None:
    kpi_id = _kpi(framework, "percent")
    row = form.kpi_rows[kpi_id]
    box = getattr(row, field)
    box.widget.value = text  # must not raise
    assert box.widget.layout.border == INVALID_BORDER
    assert INVALID_CLASS in box.widget._dom_classes
    assert message in box.message.value
    assert any(message in i.message for i in form.issues())
    data = form.data()
    if field == "current":
        assert data.current[kpi_id] is None
    else:
        assert kpi_id not in data.targets
    assert form.errors.value == ""
    box.widget.value = "99"  # valid as a value and as a target (above the floor)
    assert box.widget.layout.border == ""
    assert INVALID_CLASS not in box.widget._dom_classes


def test_target_on_wrong_side_of_floor(framework: Framework, form: AssessmentForm) -> None:
    kpi = next(k for k in framework.kpis if k.direction == "higher" and k.unit != "percent"
               and isinstance(k.floor, float) and k.floor >= 0
               and framework.valid_range(k)[0] is not None
               and framework.valid_range(k)[0] <= k.floor)
    row = form.kpi_rows[kpi.id]
    assert row.target is not None
    row.target.widget.value = f"{kpi.floor:g}"
    assert "wrong side of its floor" in row.target.message.value
    assert row.target.widget.layout.border == INVALID_BORDER
    assert kpi.id not in form.data().targets


def test_non_number_target_override_and_band(framework: Framework, form: AssessmentForm) -> None:
    kpi_id = _kpi(framework, "percent")
    row = form.kpi_rows[kpi_id]
    assert row.target is not None
    row.target.widget.value = "99"
    assert form.data().targets[kpi_id] == pytest.approx(0.99)
    band = next((k for k in framework.kpis if k.direction == "band"), None)
    if band is not None:
        assert form.kpi_rows[band.id].target is None


def test_ratings_and_answers(framework: Framework, form: AssessmentForm) -> None:
    dim = next(iter(form.ratings))
    box = form.ratings[dim]["importance"]
    box.widget.value = "7"
    assert "not a rating from 1 to 5" in box.message.value
    assert form.data().ratings[dim]["importance"] is None
    box.widget.value = "4.5"
    assert form.data().ratings[dim]["importance"] == 4.5
    qid = next(iter(form.answers))
    item, dd = next(iter(form.answers[qid].items()))
    dd.value = "n/a"
    assert form.data().answers[qid][item] == "n/a"
    dd.value = "3"
    assert form.data().answers[qid][item] == 3
    dd.value = ""
    assert form.data().answers[qid][item] is None


def test_callback_exception_is_logged_not_raised(form: AssessmentForm,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    def boom() -> None:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(form, "refresh", boom)
    next(iter(form.kpi_rows.values())).current.widget.value = "1"
    assert "kaboom" in form.errors.value
    # a sentence for the consultant; the traceback folded away under it
    summary = re.search(r"<summary>(.*?)</summary>", form.errors.value)
    assert summary and _text(summary.group(1)) == \
        "This change could not be applied: RuntimeError: kaboom"
    assert form.errors.value.startswith("<details") and "Traceback" not in summary.group(1)


def test_tab_titles_are_whole_words_shown_whole(form: AssessmentForm) -> None:
    """Issue 14: the tab titles are the areas' full names, and the form's own style makes each
    tab as wide as its title (ipywidgets shrinks tabs to a share of the bar, which cut
    "Effectiveness" to "Effectivenes"); tests/test_app.py measures them in a browser."""
    from assessment.interactive.form import FORM_CSS

    assert list(form.tabs.titles) == [title for title, _ in TABS] == [
        "Profile", "Profit", "Reputation", "Efficiency", "Effectiveness", "Renewal",
        "Practices", "Expectations"]
    assert list(form.result_tabs.titles) == ["Scores", "Business case", "Roadmap"]
    assert "se-assessment-form" in form.widget._dom_classes
    style = form.widget.children[-1]
    assert style.value == FORM_CSS and style.layout.display == "none"
    assert re.search(r"\.se-assessment-form [^{]*\.lm-TabBar-tab \{\s*flex: 0 0 auto;", FORM_CSS)
    for text in (*form.tabs.titles, *form.result_tabs.titles):
        assert "()" not in text and "_" not in text


@pytest.mark.parametrize("sample", sample_workbooks(), ids=lambda p: p.stem)
def test_round_trip(framework: Framework, sample: Path, tmp_path: Path) -> None:
    form = AssessmentForm(framework, sample)
    original = read_intake(sample, framework)
    assert _inputs(form.data()) == _inputs(original)
    saved = form.save_intake(tmp_path / "saved.xlsx")
    assert _inputs(read_intake(saved, framework)) == _inputs(original)


def test_round_trip_after_edit(framework: Framework, form: AssessmentForm,
                               tmp_path: Path) -> None:
    kpi_id = _kpi(framework, "percent")
    form.kpi_rows[kpi_id].current.widget.value = "42.5"
    saved = form.save_intake(tmp_path / "edited.xlsx")
    assert _inputs(read_intake(saved, framework)) == _inputs(form.data())


def test_load_bad_workbook_shows_issues(framework: Framework, tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook")
    form = AssessmentForm(framework, bad)
    assert "could not be loaded" in form.errors.value
    assert form.load(tmp_path / "missing.xlsx")


def test_upload_widget_loads_bytes(framework: Framework, sample: Path) -> None:
    form = AssessmentForm(framework)
    form.upload.value = ({"name": sample.name, "type": "", "size": sample.stat().st_size,
                          "content": memoryview(sample.read_bytes()),
                          "last_modified": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)},)
    assert _inputs(form.data()) == _inputs(read_intake(sample, framework))
    assert form.errors.value == ""


def test_export_same_bytes_as_cli(form: AssessmentForm, framework: Framework,
                                  tmp_path: Path) -> None:
    written = form.export(tmp_path / "form")
    direct = write_outputs(score(framework, form.data()), tmp_path / "direct")
    assert set(written) == {"xlsx", "html", "json"}
    for fmt, path in written.items():
        assert path.read_bytes() == direct[fmt].read_bytes(), fmt


def test_reset(framework: Framework, form: AssessmentForm) -> None:
    form.reset()
    assert _inputs(form.data()) == _inputs(AssessmentForm(framework).data())


def test_scenarios(framework: Framework, form: AssessmentForm) -> None:
    form.snapshot("today")
    kpi_id = _kpi(framework, "percent")
    form.kpi_rows[kpi_id].current.widget.value = "99"
    form.snapshot("plan")
    result = form.compare("today", "plan")
    today, plan = form.scenarios["today"].results, form.scenarios["plan"].results
    assert [k["id"] for k in result["changed_kpis"]] == [kpi_id]
    assert result["index"]["delta"] == pytest.approx(
        plan["index"]["score"] - today["index"]["score"])
    assert "today" in form.scenario_view.value and "plan" in form.scenario_view.value
    changed = result["changed_kpis"][0]
    row_a = next(k for k in today["kpis"] if k["id"] == kpi_id)
    assert (changed["fields"], changed["current_b"]) == (["current"], pytest.approx(0.99))
    assert (changed["element"], changed["current_a"]) == (row_a["element"], row_a["current"])
    assert result["currency"] == today["organization"]["currency"]
    for key, element in result["elements"].items():
        a, b = today["elements"][key]["score"], plan["elements"][key]["score"]
        assert (element["name"], element["a"], element["b"]) == (
            today["elements"][key]["name"], a, b)
        assert element["delta"] == (None if a is None or b is None else pytest.approx(b - a))
    assert dataclasses.asdict(form.scenarios["today"].data) != dataclasses.asdict(form.data())
    assert list(form.scenario_a.options) == ["today", "plan"]


def test_tab_switch_updates_tab_chart(form: AssessmentForm) -> None:
    form.tabs.selected_index = 1
    first = form.chart_data["tab"]
    form.tabs.selected_index = 2
    assert form.chart_data["tab"] != first
    assert form.errors.value == ""


def test_every_tab_shows_the_scorecard_chart_of_its_area(form: AssessmentForm) -> None:
    """The form's panels hold exactly the charts of the scorecard for the same results."""
    scorecard = {c.id: c for c in build_charts(form.results())}
    assert form.chart_data["elements"] == scorecard["chart-elements"]
    assert form.chart_data["projection"] == scorecard["chart-projection"]
    assert form.chart_data["timeline"] == scorecard["chart-timeline"]
    expected = {"profile": None, "practices": "chart-practices-excellence_practices",
                "customer_expectations": "chart-expectations"}
    for number, (_label, area) in enumerate(TABS):
        form.tabs.selected_index = number
        wanted = expected.get(area, f"chart-kpis-{area}")
        assert form.chart_data["tab"] == (scorecard[wanted] if wanted else None), area


def test_summary_panel_and_buttons(form: AssessmentForm, tmp_path: Path) -> None:
    results = form.results()
    text = form.summary.value
    assert "Support Excellence Index" in text
    assert f"<span class='se-index'>{format_score(results['index']['score'])}</span>" in text
    view = ResultsView.from_dict(results)
    if view.renewal.applicable:
        assert f"Renewal health: {format_score(results['renewal']['health'])} (" in text
    else:
        assert "Renewal: not applicable to an" in text
    assert "Alignment" in text and "points at stake" in text
    for gap in results["gaps"][:TOP_GAPS]:
        assert (f"<li>{html.escape(gap['name'])}: {format_points(gap['points_at_stake'])} "
                "points") in text
    for element in view.elements:
        assert (f"<tr><td>{html.escape(element.name)}</td>"
                f"<td>{html.escape(view.readings(element.key))}</td>") in text
    form.out_dir.value = str(tmp_path / "out")
    form.intake_path.value = str(tmp_path / "saved.xlsx")
    for row in form.controls.children[1:]:
        for button in row.children:
            if isinstance(button, widgets.Button):
                button.click()
    assert form.errors.value == ""
    assert (tmp_path / "saved.xlsx").exists()
    assert list((tmp_path / "out").rglob("results.json"))


def export_button(form: AssessmentForm) -> widgets.Button:
    return next(b for b in form.controls.children[1].children
                if isinstance(b, widgets.Button) and b.description == "Export scorecards")


def test_export_button_without_chromium_says_what_to_install(form: AssessmentForm,
                                                              tmp_path: Path,
                                                              monkeypatch) -> None:
    from assessment.scorecard import pdf

    monkeypatch.setattr(pdf, "find_chromium", lambda: None)
    form.out_dir.value = str(tmp_path / "out")
    form.pdf.value = True
    try:
        export_button(form).click()
    finally:
        form.pdf.value = False
    assert form.errors.value == ""  # no traceback
    assert "Nothing was exported" in form.status_line.value
    assert "apt-get install chromium" in form.status_line.value
    assert not (tmp_path / "out").exists()


def test_export_button_writes_the_deck_under_the_firms_brand(form: AssessmentForm,
                                                            tmp_path: Path) -> None:
    brand = tmp_path / "brand.yaml"
    brand.write_text("firm: Harbour & Reed Consulting\n", encoding="utf-8")
    form.out_dir.value = str(tmp_path / "out")
    form.deck.value, form.brand_path.value = True, str(brand)
    try:
        export_button(form).click()
    finally:
        form.deck.value, form.brand_path.value = False, ""
    decks = list((tmp_path / "out").glob("*/*-deck.pptx"))
    assert len(decks) == 1 and "Exported" in form.status_line.value
    from pptx import Presentation

    words = " ".join(shape.text_frame.text for slide in Presentation(decks[0]).slides
                     for shape in slide.shapes if shape.has_text_frame)
    assert "Harbour & Reed Consulting" in words


def test_export_button_refuses_a_bad_brand_and_writes_nothing(form: AssessmentForm,
                                                             tmp_path: Path) -> None:
    brand = tmp_path / "brand.yaml"
    brand.write_text("firm: Acme\nprimary_color: '#FFFF00'\n", encoding="utf-8")
    form.out_dir.value = str(tmp_path / "out")
    form.brand_path.value = str(brand)
    try:
        export_button(form).click()
    finally:
        form.brand_path.value = ""
    assert "Nothing was exported: primary_color" in form.status_line.value
    assert form.errors.value == "" and not (tmp_path / "out").exists()


@pytest.mark.slow
def test_export_button_writes_a_letter_pdf(form: AssessmentForm, tmp_path: Path,
                                           system_tool) -> None:
    system_tool("chromium")
    pdfinfo = system_tool("pdfinfo")
    form.out_dir.value = str(tmp_path / "out")
    form.pdf.value, form.paper.value = True, "Letter"
    try:
        export_button(form).click()
    finally:
        form.pdf.value, form.paper.value = False, "A4"
    assert form.errors.value == "", form.errors.value
    pdfs = list((tmp_path / "out").rglob("*-scorecard.pdf"))
    assert len(pdfs) == 1 and pdfs[0].name in form.status_line.value
    info = subprocess.run([pdfinfo, str(pdfs[0])], capture_output=True, text=True, check=True,
                          timeout=60).stdout
    assert "612 x 792 pts" in info


# --------------------------------------------------------------------------- altair chart mode


@pytest.fixture(scope="module")
def altair_form(sample: Path) -> AssessmentForm:
    pytest.importorskip("anywidget")
    return AssessmentForm(None, sample, charts="altair")


def _jupyter_charts(widget: object) -> list[object]:
    import altair as alt

    found = [widget] if isinstance(widget, alt.JupyterChart) else []
    for child in getattr(widget, "children", ()):
        found += _jupyter_charts(child)
    return found


def _values(spec: dict) -> list[dict]:
    data = spec["data"]
    return spec["datasets"][data["name"]] if "name" in data else data["values"]


def test_svg_mode_does_not_import_altair() -> None:
    code = ("import sys; from assessment.interactive.form import AssessmentForm; AssessmentForm(); "
            "assert 'altair' not in sys.modules and 'anywidget' not in sys.modules")
    root = Path(__file__).resolve().parents[1]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root, timeout=120,
                   env={"PYTHONPATH": str(root), "PATH": ""})


def test_unknown_chart_mode_is_refused(framework: Framework) -> None:
    with pytest.raises(ValueError, match="charts must be one of"):
        AssessmentForm(framework, charts="png")


def test_altair_mode_shows_four_offline_jupyter_charts(altair_form: AssessmentForm) -> None:
    import altair as alt

    charts = _jupyter_charts(altair_form.widget)
    assert len(charts) == 4  # elements, the tab's, projection; the roadmap timeline
    assert charts == [view.chart for view in altair_form.chart_views.values()]
    assert alt.JupyterChart._is_offline  # JS bundled by vl-convert, not fetched
    assert "https://esm.sh" not in alt.JupyterChart._esm
    assert altair_form.errors.value == ""


def test_altair_mode_edit_updates_the_elements_chart(framework: Framework,
                                                     altair_form: AssessmentForm) -> None:
    row = altair_form.kpi_rows[_kpi(framework, "percent")]
    row.current.widget.value = "12" if row.current.widget.value != "12" else "13"
    chart = altair_form.chart_views["elements"].chart
    expected = {k: e["score"] for k, e in altair_form.results()["elements"].items()}
    assert {v["key"]: v["value"] for v in _values(chart.spec)} == pytest.approx(expected)
    assert altair_form.chart_views["elements"].shown == altair_form.chart_data["elements"]


def test_altair_mode_reassigns_only_changed_charts(altair_form: AssessmentForm) -> None:
    views = altair_form.chart_views
    before = {key: view.chart.chart for key, view in views.items()}
    altair_form.tabs.selected_index = 2  # another tab: only the tab chart changes
    altair_form.tabs.selected_index = 3
    assert views["elements"].chart.chart is before["elements"]
    assert views["projection"].chart.chart is before["projection"]
    assert views["tab"].chart.chart is not before["tab"]
    assert views["tab"].chart.layout.display == ""
    altair_form.tabs.selected_index = 0  # Profile has no chart: hidden, not replaced
    assert views["tab"].chart.layout.display == "none"


def test_altair_mode_draws_the_timeline_when_the_roadmap_tab_opens(
        framework: Framework, altair_form: AssessmentForm) -> None:
    view = altair_form.chart_views["timeline"]
    altair_form.result_tabs.selected_index = 0
    altair_form.kpi_rows["first_contact_resolution"].current.widget.value = "41"
    assert view.shown != altair_form.chart_data["timeline"]  # not redrawn while hidden
    altair_form.result_tabs.selected_index = 2
    assert view.shown == altair_form.chart_data["timeline"]
    assert view.chart.layout.display == ""
    altair_form.kpi_rows["first_contact_resolution"].current.widget.value = "42"
    assert view.shown == altair_form.chart_data["timeline"]  # follows edits while shown
    altair_form.result_tabs.selected_index = 0


# --------------------------------------------------------------------------- methodology v2


def _sample(name: str) -> Path:
    return next(p for p in sample_workbooks() if p.stem == name)


def _text(value: str) -> str:
    """An HTML widget's text without its tags."""
    return html.unescape(re.sub(r"<[^>]+>", " ", value))


@pytest.mark.parametrize("sample", sample_workbooks(), ids=lambda p: p.stem)
def test_abc_in_first_contact_resolution_never_raises_the_live_index(
        framework: Framework, sample: Path) -> None:
    """Regression (issue 12): "abc" typed into a KPI box is an error and counts as missing;
    under missing_kpi zero the live index never rises because of it."""
    assert framework.settings.missing_kpi == "zero"
    form = AssessmentForm(framework, sample)
    row = form.kpi_rows["first_contact_resolution"]
    for typed in ("", "40", "99"):  # whatever the value was, and from low and high values
        row.current.widget.value = typed
        before = form.refresh()["index"]["score"]
        row.current.widget.value = "abc"
        assert row.current.widget.layout.border == INVALID_BORDER
        assert "is not a number" in row.current.message.value
        assert form.data().current["first_contact_resolution"] is None
        after = form._results["index"]["score"]
        assert after <= before + 1e-9, (typed, before, after)
        assert row.status == "no_data"
        assert f"<span class='se-index'>{format_score(after)}</span>" in form.summary.value


def test_internal_model_shows_revenue_kpis_as_not_applicable(framework: Framework) -> None:
    form = AssessmentForm(framework)
    form.support_model.value = "internal"
    results = form._results
    skipped = [k for k in framework.kpis if not k.applies("internal")]
    assert {"support_gross_margin", "contract_renewal_rate"} <= {k.id for k in skipped}
    for kpi in skipped:
        row = form.kpi_rows[kpi.id]
        assert row.status == "not_applicable" and row.color == STATUS_COLOR["not_applicable"]
        assert row.current.widget.disabled
        assert row.target is None or row.target.widget.disabled
        assert "Not applicable" in row.score.value and "No data" not in row.score.value
        shown = next(r for r in results["kpis"] if r["id"] == kpi.id)
        assert shown["status"] == "not_applicable"
        assert kpi.id not in {g["id"] for g in results["gaps"]}
    assert all(dd.disabled for dd in form.answers["renewal_practices"].values())
    assert "Not applicable" in form.practice_notes["renewal_practices"].value
    assert "Renewal: not applicable to an internal support model" in form.summary.value
    form.support_model.value = "external"  # and back: enabled, scored (no data) again
    row = form.kpi_rows["support_gross_margin"]
    assert not row.current.widget.disabled and row.status == "no_data"
    assert not any(dd.disabled for dd in form.answers["renewal_practices"].values())


def test_foreign_currency_needs_a_rate_then_money_targets_are_converted(
        framework: Framework) -> None:
    form = AssessmentForm(framework)
    fx_box = form.profile["fx_rate"]
    assert form.fx_row.layout.display == "none"  # the framework's own currency: no rate
    form.profile["currency"].widget.value = "EUR"
    assert form.fx_row.layout.display == ""
    problem = next(i for i in check_profile(framework, {"currency": "EUR"})
                   if i.path == "fx_rate")
    panel = _text(form.summary.value)
    assert "not scored" in panel and problem.message in panel
    assert "se-index" not in form.summary.value  # the problem instead of a score
    assert fx_box.widget.layout.border == INVALID_BORDER
    assert any(i.path == "profile.fx_rate" for i in form.issues())
    with pytest.raises(ValueError, match="exchange rate"):
        form.results()
    money = [k for k in framework.kpis if k.unit == "currency" and k.direction != "band"]
    assert money
    for kpi in money:
        assert form.kpi_rows[kpi.id].target.widget.value == ""  # not shown unconverted

    fx_box.widget.value = "0.9"
    assert fx_box.widget.layout.border == ""
    results = form._results
    assert results["organization"]["fx_rate"] == 0.9
    for kpi in money:
        row = form.kpi_rows[kpi.id]
        assert row.target.widget.value == show_value(kpi, kpi.target * 0.9)
        assert "EUR" in row.unit.value
        shown = next(r for r in results["kpis"] if r["id"] == kpi.id)
        assert shown["target"] == pytest.approx(kpi.target * 0.9)
        assert not shown["target_overridden"]
    assert form.data().targets == {}  # converted defaults are not overrides
    cost = form.kpi_rows["cost_per_case"]
    assert "≈ EUR" in cost.benchmark.value  # the benchmark in USD, converted beside it

    cost.target.widget.value = "30"  # the client's own target survives a new rate
    form.profile["fx_rate"].widget.value = "0.8"
    assert cost.target.widget.value == "30"
    assert form.data().targets == {"cost_per_case": 30.0}
    cost.target.widget.value = ""  # blank: the framework's target, converted
    form.profile["fx_rate"].widget.value = "0.7"
    assert form.data().targets == {}
    target = next(r["target"] for r in form._results["kpis"] if r["id"] == "cost_per_case")
    assert target == pytest.approx(framework.kpi("cost_per_case").target * 0.7)
    form.profile["currency"].widget.value = "USD"  # back: no rate asked, none used
    assert form.fx_row.layout.display == "none"
    assert form.results()["organization"]["fx_rate"] is None


def test_segment_dropdown_takes_its_targets(framework: Framework) -> None:
    form = AssessmentForm(framework)
    segments = framework.settings.segments
    assert [v for _label, v in form.segment.options] == ["", *segments]
    segment = "b2b_software"
    resolved = framework.resolved(segment)
    form.segment.value = segment
    assert form._results["organization"]["segment"] == segment
    for kpi in resolved.kpis:
        row = form.kpi_rows[kpi.id]
        if row.target is not None:
            assert row.target.widget.value == show_value(kpi, kpi.target), kpi.id
    assert form.data().targets == {}
    assert form.data().profile["segment"] == segment


def test_panel_shows_both_readings_and_the_band_name(framework: Framework) -> None:
    form = AssessmentForm(framework, _sample("northwind-cloud"))
    for kpi in framework.kpis:  # no consistency relation derives these
        if kpi.element == "effectiveness":
            form.kpi_rows[kpi.id].current.widget.value = ""
    view = ResultsView.from_dict(form._results)
    panel = _text(form.summary.value)
    assert view.readings("index") in panel
    assert "missing data counted as 0" in panel and "% of KPIs measured" in panel
    blanked = view.element("effectiveness")
    assert blanked.score == 0 and blanked.measured_score is None
    assert view.readings("effectiveness") in panel
    assert view.index.level_name in panel
    assert rag_label(view.index.rag) in panel
    assert "not measured: measure it" in panel  # missing KPIs rank as "measure" gaps
    assert "Self-rated alignment: 7 out of 10" in panel
    assert "6.6" in panel and str(view.expectations.survey_year) in panel


def test_panel_shows_derived_values_and_failing_checks(framework: Framework) -> None:
    form = AssessmentForm(framework, _sample("ironclad-systems"))
    view = ResultsView.from_dict(form._results)
    derived = [k for k in view.kpis if k.derived]
    failing = [c for c in view.consistency if c.ok is False]
    assert derived and failing
    panel = _text(form.summary.value)
    for kpi in derived:
        assert kpi.name in panel and "(derived)" in panel
        assert "(derived)" in form.kpi_rows[kpi.id].note.value
    for check in failing:
        assert check.name in panel
        assert all("!" in cell and cell in panel for cell in check.cells)  # the workbook's cells
    held = [c for c in view.consistency if c.ok is True]
    assert all(c.name not in panel for c in held)  # only the failing ones


def test_questionnaire_levels_are_named_from_the_answer_scale(framework: Framework) -> None:
    form = AssessmentForm(framework)
    for dd in form.answers["excellence_practices"].values():
        dd.value = "1"
    q = form._results["questionnaires"]["excellence_practices"]
    assert (q["level"], q["level_name"]) == (2, framework.answer_scale[1])


def test_scenarios_compare_both_readings_profile_and_applicability(
        framework: Framework) -> None:
    form = AssessmentForm(framework, _sample("northwind-cloud"))
    form.snapshot("external")
    form.support_model.value = "internal"
    form.kpi_rows["first_contact_resolution"].current.widget.value = ""
    form.snapshot("internal")
    result = form.compare("external", "internal")
    assert result["profile"] == {"support_model": {"a": "external", "b": "internal"}}
    changed = {k["id"]: k for k in result["changed_kpis"]}
    assert changed["support_gross_margin"]["fields"] == ["applicable"]
    assert changed["support_gross_margin"]["status_b"] == "not_applicable"
    effectiveness = result["elements"]["effectiveness"]
    internal = form.scenarios["internal"].results["elements"]["effectiveness"]
    assert effectiveness["measured_b"] == internal["measured_score"]
    assert effectiveness["b"] == internal["score"] < internal["measured_score"]
    shown = _text(form.scenario_view.value)
    assert "support model: external → internal" in shown
    assert "not applicable" in shown
    assert f"measured {format_score(internal['measured_score'])}" in shown


# ----------------------------------------------------------------------------- money (issue 13)


def _total(form: AssessmentForm) -> dict[str, float]:
    return ResultsView.from_dict(form._results).business_case.total


def _driver(form: AssessmentForm, driver_id: str):  # noqa: ANN202
    return next(d for d in ResultsView.from_dict(form._results).business_case.drivers
                if d.id == driver_id)


def test_executive_summary_is_the_first_panel_and_updates_live(framework: Framework) -> None:
    form = AssessmentForm(framework, _sample("northwind-cloud"))
    results_column = form.widget.children[3].children[1]
    assert results_column.children[0] is form.executive
    assert list(form.result_tabs.titles) == ["Scores", "Business case", "Roadmap"]
    view = ResultsView.from_dict(form._results)
    es = view.executive_summary
    panel = _text(form.executive.value)
    assert view.readings("index") in panel and view.index.level_name in panel
    assert 3 <= len(es.findings) <= 5
    for finding in es.findings:
        assert finding.text in panel and finding.rule in panel
    assert len(es.initiatives) == 3
    for top in es.initiatives:
        assert top.name in panel
        if top.money_base:
            assert format_money(top.money_base, "USD") in panel
    for case in ("low", "base", "high"):
        assert format_money(es.total[case], "USD") in panel
    for caveat in es.caveats:
        assert caveat in panel
    assert form.chart_views["timeline"] in form.result_tabs.children[2].children
    assert "<svg" in form.chart_views["timeline"].value
    roadmap = _text(form.roadmap_view.value)
    ranked = [r.name for r in view.roadmap.ranked]
    assert [roadmap.index(name) for name in ranked] == sorted(roadmap.index(n) for n in ranked)
    # an edit that moves the index redraws the summary at once
    before = form.executive.value
    form.kpi_rows["first_contact_resolution"].current.widget.value = "40"
    assert form.executive.value != before
    assert format_score(form._results["index"]["score"]) in _text(form.executive.value)


def test_editing_cost_per_case_moves_the_total_by_the_hand_computed_amount(
        framework: Framework) -> None:
    form = AssessmentForm(framework, _sample("northwind-cloud"))
    data = form.data()
    assisted, old = data.profile["assisted_cases"], data.current["cost_per_case"]
    before = _total(form)
    assert _driver(form, "cost_per_case_gap").counted
    form.kpi_rows["cost_per_case"].current.widget.value = str(old + 6)
    after = _total(form)
    for case in ("low", "base", "high"):  # the gap driver rests on the client's own figures
        assert after[case] - before[case] == pytest.approx(assisted * 6)
    assert format_money(after["base"], "USD") in _text(form.executive.value)
    table = _text(form.business_view.value)
    assert format_money(after["base"], "USD") in table
    target = next(k for k in form._results["kpis"] if k["id"] == "cost_per_case")["target"]
    assert format_money(assisted * (old + 6 - target), "USD") in table
    assert form.errors.value == ""


def test_editing_assisted_cases_moves_the_total_by_the_hand_computed_amount(
        framework: Framework) -> None:
    form = AssessmentForm(framework, _sample("northwind-cloud"))
    data = form.data()
    assisted, cost = data.profile["assisted_cases"], data.current["cost_per_case"]
    target = next(k for k in form._results["kpis"] if k["id"] == "cost_per_case")["target"]
    before = _total(form)["base"]
    form.profile["assisted_cases"].widget.value = str(int(assisted) + 1000)
    assert _total(form)["base"] - before == pytest.approx(1000 * (cost - target))
    assert f"{int(assisted) + 1000:,} assisted cases" in _text(form.business_view.value)


def test_a_driver_without_its_input_says_needs_data_in_the_panels(framework: Framework) -> None:
    form = AssessmentForm(framework, _sample("northwind-cloud"))
    renewal = _driver(form, "renewal_revenue_at_stake").base
    form.profile["assisted_cases"].widget.value = ""
    gap = _driver(form, "cost_per_case_gap")
    assert (gap.status, gap.base, gap.needs) == ("needs_data", None, ("assisted_cases",))
    assert "needs data: assisted_cases" in _text(form.business_view.value)
    assert "needs data: assisted_cases" in _text(form.executive.value)
    assert _total(form)["base"] == pytest.approx(renewal)  # never counted as 0 money
    assert format_money(renewal, "USD") in _text(form.executive.value)


def test_scenario_comparison_reports_the_money_it_is_worth(framework: Framework) -> None:
    form = AssessmentForm(framework, _sample("northwind-cloud"))
    assisted = form.data().profile["assisted_cases"]
    old = form.data().current["cost_per_case"]
    form.snapshot("today")
    form.kpi_rows["cost_per_case"].current.widget.value = str(old - 10)
    form.snapshot("plan")
    result = form.compare("today", "plan")
    money = result["business_case"]
    saved = assisted * 10
    for case in ("low", "base", "high"):
        assert money["total"][case]["delta"] == pytest.approx(-saved)
    gap = next(d for d in money["drivers"] if d["id"] == "cost_per_case_gap")
    assert gap["delta"] == pytest.approx(-saved)
    renewal = next(d for d in money["drivers"] if d["id"] == "renewal_revenue_at_stake")
    assert renewal["delta"] == 0
    shown = _text(form.scenario_view.value)
    assert f"worth about {format_money(saved, 'USD')} a year" in shown
    assert f"changes by -{format_money(saved, 'USD')} a year (base case" in shown
    assert f"index {format_delta(result['index']['delta'])} points" in shown
    assert "Business case total a year" in shown


def test_scenarios_in_two_currencies_do_not_subtract_money(framework: Framework) -> None:
    form = AssessmentForm(framework, _sample("northwind-cloud"))
    form.snapshot("usd")
    form.profile["currency"].widget.value = "EUR"
    form.profile["fx_rate"].widget.value = "0.9"
    form.snapshot("eur")
    money = form.compare("usd", "eur")["business_case"]
    assert not money["same_currency"]
    assert all(t["delta"] is None for t in money["total"].values())
    assert "money not compared" in _text(form.scenario_view.value)


def test_blocked_profile_shows_why_in_every_panel(framework: Framework) -> None:
    form = AssessmentForm(framework, _sample("northwind-cloud"))
    form.profile["currency"].widget.value = "EUR"  # no exchange rate yet
    assert "not scored" in _text(form.executive.value)
    assert "Not scored" in _text(form.business_view.value)
    assert "Not scored" in _text(form.roadmap_view.value)
