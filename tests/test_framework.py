"""The framework loader: the shipped default is valid, and every rule names its YAML path."""

from __future__ import annotations

import pytest
import yaml

from assessment.core.errors import FrameworkError
from assessment.core.framework import ELEMENTS, load_framework, parse_framework


@pytest.fixture(scope="module")
def default():
    return load_framework()


def raw_default():
    with open(load_framework().source, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def problems(raw):
    with pytest.raises(FrameworkError) as info:
        parse_framework(raw)
    return {issue.path: issue.message for issue in info.value.issues}


def test_default_framework_shape(default):
    for element in ELEMENTS:
        assert 5 <= len(default.kpis_of(element)) <= 8, element
        for kpi in default.kpis_of(element):
            assert 1 <= len(kpi.recommendations) <= 3, kpi.id
    renewal = {k.id for k in default.kpis_of("renewal")}
    assert {"contract_renewal_rate", "recurring_revenue_rate", "on_time_renewal_rate",
            "attach_rate", "win_back_rate", "annual_price_uplift"} <= renewal
    util = default.kpi("engineer_utilization")
    assert util.direction == "band" and util.band == (0.5, 0.6)
    nps = default.kpi("nps")
    assert nps.unit == "score" and default.valid_range(nps) == (-100, 100)
    assert default.valid_range(default.kpi("recurring_revenue_rate"))[1] > 1
    for kid in ("support_demand_per_customer", "time_to_resolve",
                "self_service_resolution_rate", "csat"):
        default.kpi(kid)
    assert default.kpi("contract_renewal_rate").benchmark.value == 0.824
    q = default.questionnaires
    assert len(q["renewal_practices"].items) >= 10
    assert len(q["excellence_practices"].items) == 10
    assert len(q["customer_expectations"].items) == 9
    assert default.settings.amber == 80 and default.settings.industry_renewal_rate == 0.824


def test_every_problem_reported_with_its_path():
    raw = raw_default()
    kpis = raw["kpis"]
    kpis[0]["element"] = "happiness"                       # unknown element
    kpis[1]["unit"] = "furlongs"                           # unknown unit
    kpis[2]["target"], kpis[2]["floor"] = 0.1, 0.5         # higher KPI, target below floor
    util = next(k for k in kpis if k["id"] == "engineer_utilization")
    del util["floor"]                                      # band without floors
    kpis[3]["id"] = kpis[4]["id"]                          # duplicate id
    kpis[5]["weight"] = 0                                  # weight <= 0
    del kpis[6]["definition"]                              # missing required field
    found = problems(raw)
    ids = [k["id"] for k in kpis]
    assert found[f"kpis[0]({ids[0]}).element"].startswith("unknown element 'happiness'")
    assert found[f"kpis[1]({ids[1]}).unit"].startswith("unknown unit 'furlongs'")
    assert "must be above the floor" in found[f"kpis[2]({ids[2]}).target"]
    i = ids.index("engineer_utilization")
    assert found[f"kpis[{i}](engineer_utilization).floor"] == "is missing"
    assert found[f"kpis[4]({ids[4]}).id"].startswith("duplicate KPI id")
    assert "greater than 0" in found[f"kpis[5]({ids[5]}).weight"]
    assert found[f"kpis[6]({ids[6]}).definition"] == "required field is missing"


def test_lower_kpi_target_must_be_below_floor():
    raw = raw_default()
    kpi = next(k for k in raw["kpis"] if k["direction"] == "lower")
    kpi["target"] = kpi["floor"] + 1
    assert any("must be below the floor" in m for m in problems(raw).values())


def test_band_floors_must_lie_outside_band():
    raw = raw_default()
    util = next(k for k in raw["kpis"] if k["id"] == "engineer_utilization")
    util["floor"] = [0.55, 0.9]
    assert any("must lie outside the band" in m for m in problems(raw).values())


def test_questionnaire_and_settings_checks():
    raw = raw_default()
    raw["settings"]["element_weights"]["profit"] = -1
    raw["settings"]["colour"] = "blue"
    raw["questionnaires"]["excellence_practices"]["items"][1]["id"] = (
        raw["questionnaires"]["excellence_practices"]["items"][0]["id"])
    del raw["questionnaires"]["customer_expectations"]
    found = problems(raw)
    assert "settings.element_weights.profit" in found
    assert found["settings.colour"].startswith("unknown setting")
    assert any(p.startswith("questionnaires.excellence_practices.items[1]") for p in found)
    assert found["questionnaires.customer_expectations"] == "questionnaire is missing"


def test_bad_yaml_and_missing_file(tmp_path):
    bad = tmp_path / "fw.yaml"
    bad.write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(FrameworkError) as info:
        load_framework(bad)
    assert "not valid YAML" in str(info.value)
    with pytest.raises(FrameworkError) as info:
        load_framework(tmp_path / "nope.yaml")
    assert "cannot read" in str(info.value)


def test_custom_framework_file_loads(tmp_path):
    raw = raw_default()
    raw["name"] = "Client variant"
    raw["kpis"][0]["weight"] = 5
    path = tmp_path / "custom.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    fw = load_framework(path)
    assert fw.name == "Client variant" and fw.kpis[0].weight == 5
