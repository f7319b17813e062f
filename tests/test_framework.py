"""The framework loader: the shipped default is valid, and every rule names its YAML path."""

from __future__ import annotations

import pytest
import yaml

from assessment.core.errors import FrameworkError
from assessment.core.framework import (
    EFFORTS,
    ELEMENTS,
    FINDING_PLACEHOLDERS,
    FORMULA_ASSUMPTIONS,
    FORMULAS,
    HORIZONS,
    MODELS,
    PRACTICE_QUESTIONNAIRES,
    PROFILE_VOLUMES,
    default_framework_path,
    load_framework,
    parse_framework,
)


@pytest.fixture(scope="module")
def default():
    return load_framework()


def raw_default():
    with open(default_framework_path(), encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def problems(raw):
    with pytest.raises(FrameworkError) as info:
        parse_framework(raw)
    return {issue.path: issue.message for issue in info.value.issues}


def test_default_framework_shape(default):
    for element in ELEMENTS:
        assert 4 <= len(default.kpis_of(element)) <= 8, element
        for kpi in default.kpis_of(element):
            if kpi.direction == "band":
                assert kpi.recommendations == () and kpi.band_recommendations, kpi.id
                assert all(1 <= len(t) <= 3 for t in kpi.band_recommendations.values())
            else:
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


def test_default_framework_version_2(default):
    """Methodology v2 §1: currency, missing data rule, segments, applicability, band advice by
    side, one cost driver counted once, relations, index bands, the HDI survey's source."""
    s = default.settings
    assert default.version.startswith("2")
    assert s.currency == "USD" and s.missing_kpi == "zero"
    assert {"it_service_desk", "b2b_software", "hardware_field_service",
            "consumer"} <= set(s.segments)
    assert all(seg.name and seg.description for seg in s.segments.values())
    assert (s.alignment_survey_average, s.alignment_survey_year) == (6.6, 2014)
    assert "771" in s.alignment_survey_source
    assert default.levels == ("Critical", "Poor", "Weak", "Fair", "Strong")
    assert default.answer_scale == ("Not in place", "Ad hoc", "Defined",
                                    "Managed and measured", "Optimized")
    ids = {k.id for k in default.kpis}
    assert "cost_per_customer" not in ids  # cost per case x demand per customer
    # revenue and contract KPIs do not apply to an internal IT service desk
    for kid in ("support_gross_margin", "support_revenue_growth", "support_sourced_revenue",
                *(k.id for k in default.kpis_of("renewal"))):
        assert not default.kpi(kid).applies("internal"), kid
        assert default.kpi(kid).applies("external"), kid
    assert not default.questionnaires["renewal_practices"].applies("internal")
    assert default.questionnaires["excellence_practices"].applies("internal")
    util = default.kpi("engineer_utilization")
    assert set(util.band_recommendations) == {"below", "above"}
    assert util.advice("below") != util.advice("above") and util.advice(None) == ()
    # every money benchmark states its currency
    for kpi in default.kpis:
        benches = [kpi.benchmark, *(v.benchmark for v in kpi.by_segment.values())]
        for bench in filter(None, benches):
            if kpi.unit == "currency":
                assert bench.currency, kpi.id
    assert "call" in default.kpi("first_contact_resolution").benchmark.note.lower()
    relations = {r.id: r for r in default.relations}
    assert "cost_per_case_check" in relations and len(relations) >= 3
    for rel in default.relations:
        assert 0 < rel.tolerance < 1 and rel.value.startswith(("kpi.", "profile."))
        for term in rel.terms:
            kind, _, key = term.partition(".")
            assert key in ids if kind == "kpi" else key in PROFILE_VOLUMES, term


def test_resolved_applies_segment_then_currency(default):
    cost = default.kpi("cost_per_case")
    seg = cost.by_segment["b2b_software"]
    b2b = default.resolved("b2b_software").kpi("cost_per_case")
    assert (b2b.target, b2b.floor, b2b.benchmark) == (seg.target, seg.floor, seg.benchmark)
    assert b2b.by_segment == {}
    eur = default.resolved("b2b_software", 0.9).kpi("cost_per_case")
    assert (eur.target, eur.floor) == (pytest.approx(seg.target * 0.9),
                                       pytest.approx(seg.floor * 0.9))
    assert eur.benchmark == seg.benchmark  # benchmarks keep their own currency
    csat = default.resolved("b2b_software", 0.9).kpi("csat")
    assert csat.target == default.resolved("b2b_software").kpi("csat").target  # not money
    assert default.resolved(None, None) is default
    plain = default.resolved(None, 2.0).kpi("cost_per_case")
    assert (plain.target, plain.floor) == (cost.target * 2, cost.floor * 2)
    with pytest.raises(KeyError):
        default.resolved("retail")


def _v2_raw():
    raw = raw_default()
    raw["settings"]["segments"] = {"b2b_software": {"name": "B2B"}}
    for kpi in raw["kpis"]:
        kpi.pop("by_segment", None)
    raw["relations"] = []
    return raw


def test_v2_keys_are_validated_with_their_paths():
    raw = _v2_raw()
    raw["settings"]["currency"] = "usd"
    raw["settings"]["missing_kpi"] = "ignore"
    raw["settings"]["alignment_survey_year"] = 14
    kpis = {k["id"]: k for k in raw["kpis"]}
    ids = [k["id"] for k in raw["kpis"]]
    kpis["csat"]["applies_to"] = ["internal", "outsourced"]
    kpis["csat"]["by_segment"] = {"retail": {"target": 0.9}}
    kpis["cost_per_case"]["by_segment"] = {"b2b_software": {"target": 90, "floor": 80}}
    kpis["first_contact_resolution"]["benchmark"]["currency"] = "dollars"
    kpis["nps"]["recommendations"] = {"below": ["x"]}
    kpis["engineer_utilization"]["recommendations"] = ["low or high"]
    raw["relations"] = [{"id": "r1", "name": "n", "value": "kpi.cost_per_case",
                         "equals": {"product": ["profile.support_costs"]}, "tolerance": 2}]
    found = problems(raw)

    def at(kid):
        return f"kpis[{ids.index(kid)}]({kid})"
    assert "not a currency code" in found["settings.currency"]
    assert found["settings.missing_kpi"].startswith("unknown rule 'ignore'")
    assert "not a year" in found["settings.alignment_survey_year"]
    assert found[f"{at('csat')}.applies_to[1]"].startswith("unknown support model")
    assert found[f"{at('csat')}.by_segment.retail"].startswith("unknown segment 'retail'")
    assert "must be below the floor" in found[f"{at('cost_per_case')}.by_segment."
                                              "b2b_software.target"]
    assert "not a currency code" in found[
        f"{at('first_contact_resolution')}.benchmark.currency"]
    assert "only band KPIs" in found[f"{at('nps')}.recommendations"]
    assert "split by side" in found[f"{at('engineer_utilization')}.recommendations"]
    assert found["relations[0](r1).equals.product[0]"].startswith(
        "unknown term 'profile.support_costs'; did you mean 'profile.support_cost'?")
    assert "out of range" in found["relations[0](r1).tolerance"]


def test_v2_keys_default_when_absent():
    raw = _v2_raw()
    for key in ("currency", "missing_kpi", "segments", "alignment_survey_source",
                "alignment_survey_year"):
        raw["settings"].pop(key, None)
    for kpi in raw["kpis"]:
        kpi.pop("applies_to", None)
    fw = parse_framework(raw)
    assert fw.settings.currency == "USD" and fw.settings.missing_kpi == "zero"
    assert fw.settings.segments == {} and fw.relations == ()
    assert all(k.applies_to == MODELS and k.applies("internal") and k.applies(None)
               for k in fw.kpis)


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


# --------------------------------------------------------------------------- issue 13 keys


def test_default_business_case(default):
    """Methodology §10: the four drivers, each assumption with a source (and a year unless it
    is a practitioner estimate) and a low/base/high value; Gartner (2019) $8.01 vs about $0.10
    per contact for the self-service gap."""
    assumptions = {a.id: a for a in default.assumptions}
    for a in default.assumptions:
        assert a.source and a.unit in ("currency", "percent", "ratio", "count"), a.id
        assert a.year or "practitioner estimate" in a.source.lower(), a.id
        assert all(isinstance(v, float) for v in (a.low, a.base, a.high)), a.id
    ss = assumptions["self_service_cost_per_contact"]
    assisted = assumptions["assisted_cost_per_contact"]
    assert (ss.base, assisted.base) == (0.10, 8.01) and ss.year == assisted.year == 2019
    assert ss.unit == assisted.unit == "currency" and "Gartner" in ss.source
    # "low" is the value giving the smaller benefit: a dearer self-service contact
    assert ss.low > ss.base > ss.high and assisted.low < assisted.base < assisted.high
    drivers = {d.formula: d for d in default.drivers}
    assert set(drivers) == set(FORMULAS)
    assert drivers["renewal_at_stake"].inputs == ("profile.contract_revenue_base",
                                                  "kpi.contract_renewal_rate")
    assert drivers["cost_gap"].inputs == ("profile.assisted_cases", "kpi.cost_per_case")
    assert drivers["self_service_shift"].inputs[1] == "kpi.self_service_resolution_rate"
    assert drivers["repeat_contacts"].inputs[1] == "kpi.first_contact_resolution"
    for d in default.drivers:
        assert len(d.assumptions) == len(FORMULA_ASSUMPTIONS[d.formula]), d.id
        assert d.name and d.description, d.id
    by_id = {d.id: d for d in default.drivers}
    cost = drivers["cost_gap"]
    assert set(cost.overlaps) == {drivers["self_service_shift"].id,
                                  drivers["repeat_contacts"].id}
    assert drivers["renewal_at_stake"].overlaps == ()
    for d in default.drivers:  # overlaps are symmetric
        assert all(d.id in by_id[o].overlaps for o in d.overlaps), d.id


def test_default_findings_and_initiatives(default):
    rules = [f.rule for f in default.findings]
    assert set(rules) == set(FINDING_PLACEHOLDERS) and len(rules) == len(set(rules))
    for f in default.findings:  # every sentence fills from its own placeholders
        text = f.text.format(**{p: f"<{p}>" for p in FINDING_PLACEHOLDERS[f.rule]})
        assert "{" not in text and text.endswith("."), f.id
    assert 5 <= len(default.initiatives) <= 10
    owners: dict[str, str] = {}
    for i in default.initiatives:
        assert i.effort in EFFORTS and i.horizon in HORIZONS and i.owner and i.description
        for d in i.drivers:
            assert d not in owners, d
            owners[d] = i.id
    assert set(owners) == {d.id for d in default.drivers}  # all money lands in the roadmap
    # every KPI and every practice is moved by exactly one initiative
    kpis = [k for i in default.initiatives for k in i.kpis]
    assert sorted(kpis) == sorted(k.id for k in default.kpis)
    practices = [p for i in default.initiatives for p in i.practices]
    assert sorted(practices) == sorted(f"{q}.{item.id}" for q in PRACTICE_QUESTIONNAIRES
                                       for item in default.questionnaires[q].items)


def test_issue_13_keys_are_validated_with_their_paths():
    raw = raw_default()
    bc = raw["business_case"]
    bc["assumptions"][0]["unit"] = "furlongs"
    bc["assumptions"][2]["low"] = "lots"
    bc["drivers"][0]["formula"] = "magic"
    bc["drivers"][1]["inputs"] = ["kpi.cost_per_case", "profile.assisted_cases"]
    bc["drivers"][3]["overlaps"] = ["repeat_contacts_avoided"]
    bc["drivers"][3]["inputs"][0] = "profile.assisted_case"
    raw["findings"][0]["rule"] = "biggest_gap"
    raw["findings"][2]["text"] = "{name} is worth {driver}."
    raw["findings"][3]["params"] = {"margin": "wide", "limit": 3}
    ini = raw["initiatives"]
    ini[0]["effort"] = "XL"
    ini[1]["horizon"] = "next_year"
    ini[2]["practices"] = ["customer_expectations.reliability"]
    ini[3]["kpis"] = ["cost_per_kase"]
    del ini[4]["owner"]
    raw["business_case"]["horizon_years"] = 5
    found = problems(raw)

    def path(section, n, spec):
        return f"{section}[{n}]({spec['id']})"
    a = [path("business_case.assumptions", n, x) for n, x in enumerate(bc["assumptions"])]
    d = [path("business_case.drivers", n, x) for n, x in enumerate(bc["drivers"])]
    f = [path("findings", n, x) for n, x in enumerate(raw["findings"])]
    i = [path("initiatives", n, x) for n, x in enumerate(ini)]
    assert found[f"{a[0]}.unit"].startswith("unknown unit 'furlongs'")
    assert "not a number" in found[f"{a[2]}.low"]
    assert found[f"{d[0]}.formula"].startswith("unknown formula 'magic'")
    assert found[f"{d[1]}.inputs"] == "formula cost_gap takes profile then kpi terms"
    assert found[f"{d[3]}.overlaps[0]"].startswith("unknown driver")  # itself
    assert "did you mean 'profile.assisted_cases'" in found[f"{d[3]}.inputs[0]"]
    assert "did you mean 'largest_gap'" in found[f"{f[0]}.rule"]
    assert found[f"{f[2]}.text"] == "unknown placeholder {driver}"
    assert "not a number" in found[f"{f[3]}.params.margin"]
    assert found[f"{f[3]}.params.limit"].startswith("unknown parameter 'limit'")
    assert found[f"{i[0]}.effort"].startswith("unknown effort 'XL'")
    assert found[f"{i[1]}.horizon"].startswith("unknown horizon 'next_year'")
    assert found[f"{i[2]}.practices[0]"].startswith("unknown practice")  # not a practice
    assert "did you mean 'cost_per_case'" in found[f"{i[3]}.kpis[0]"]
    assert found[f"{i[4]}.owner"] == "required field is missing"
    assert found["business_case.horizon_years"].startswith("unknown key")


def test_formula_takes_its_number_of_assumptions():
    raw = raw_default()
    ss = next(d for d in raw["business_case"]["drivers"]
              if d["formula"] == "self_service_shift")
    ss["assumptions"] = ss["assumptions"][:1]
    n = raw["business_case"]["drivers"].index(ss)
    found = problems(raw)
    assert found[f"business_case.drivers[{n}]({ss['id']}).assumptions"] == (
        "formula self_service_shift takes 2 assumption(s)")


def test_a_driver_in_two_initiatives_is_refused():
    raw = raw_default()
    ini = raw["initiatives"]
    owner = next(n for n, x in enumerate(ini) if x.get("drivers"))
    other = next(n for n, x in enumerate(ini) if n > owner and not x.get("drivers"))
    driver = ini[owner]["drivers"][0]
    ini[other]["drivers"] = [driver]
    found = problems(raw)
    assert found == {f"initiatives[{other}]({ini[other]['id']}).drivers": (
        f"driver {driver!r} already belongs to initiative {ini[owner]['id']!r}")}


def test_issue_13_keys_are_optional():
    raw = raw_default()
    for key in ("business_case", "findings", "initiatives"):
        del raw[key]
    fw = parse_framework(raw)
    assert fw.assumptions == fw.drivers == fw.findings == fw.initiatives == ()
