"""Issue 11, hostile framework files: items 4, 8, 10, 12 and 18.

Each hostile file is built at test time. The loader must refuse it with a FrameworkError naming
the YAML path (or line) and the fix; the command line shows it with exit 2 and no traceback.
"""

from __future__ import annotations

import copy
import math
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from assessment.cli import main
from assessment.core import framework as fw_module
from assessment.core.errors import FrameworkError
from assessment.core.framework import load_framework, parse_framework
from assessment.core.scoring import score
from assessment.intake.samples import sample_data, sample_workbooks

DEFAULT = Path(load_framework().source)


def raw_default() -> dict[str, Any]:
    return yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))


def problems(raw: Any) -> dict[str, str]:
    """``{path: message — expected}`` of every problem ``parse_framework`` reports."""
    with pytest.raises(FrameworkError) as info:
        parse_framework(raw)
    return {issue.path: str(issue).split(": ", 1)[1] for issue in info.value.issues}


def load_problems(path: Path) -> list[str]:
    with pytest.raises(FrameworkError) as info:
        load_framework(path)
    return [str(issue) for issue in info.value.issues]


def write(tmp_path: Path, raw: Any, name: str = "fw.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def cli(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str]:
    code = main([str(a) for a in argv])
    _, err = capsys.readouterr()
    return code, err


def kpi_index(raw: dict[str, Any], kpi_id: str) -> int:
    return next(i for i, k in enumerate(raw["kpis"]) if k["id"] == kpi_id)


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    """A few hundred bytes of YAML whose aliases expand to ``width ** levels`` strings."""
    lines = [f"a0: &a0 [{', '.join(['lol'] * width)}]"]
    for level in range(1, levels):
        lines.append(f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * width)}]")
    return "\n".join([*lines, f"name: *a{levels - 1}", "kpis: *a5", ""])


# ----------------------------------------------------------------------------- item 4

#: Loads a framework under a 1 GB address-space ceiling and prints what the user would see.
LIMITED = textwrap.dedent("""
    import resource, sys
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
    from assessment.cli import main
    sys.exit(main(["template", "--framework", sys.argv[1], "--out", sys.argv[2]]))
""")


def test_item04_alias_bomb_refused_fast_with_small_memory(tmp_path):
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(alias_bomb(), encoding="utf-8")
    assert bomb.stat().st_size < 1000
    out = tmp_path / "t.xlsx"
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-c", LIMITED, str(bomb), str(out)],
                          capture_output=True, text=True, timeout=120)
    elapsed = time.monotonic() - start
    assert done.returncode == 2, done.stderr
    assert "alias bomb" in done.stderr and "Traceback" not in done.stderr
    assert f"the framework {bomb} has 1 problem(s)" in done.stderr
    assert not out.exists()
    assert elapsed < 30


#: parse_framework over what safe_load builds from aliases: one list shared 9**8 times over.
SHARED = textwrap.dedent("""
    import resource, sys, time, yaml
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
    from assessment.core.errors import FrameworkError
    from assessment.core.framework import default_framework_path, parse_framework
    raw = yaml.safe_load(default_framework_path().read_text(encoding="utf-8"))
    shared = ["lol"] * 9
    for _ in range(8):
        shared = [shared] * 9
    raw["name"] = shared
    raw["kpis"][0]["unit"] = shared
    raw["questionnaires"]["renewal_practices"]["name"] = shared
    raw["elements"]["profit"]["description"] = shared
    raw["kpis"][1]["benchmark"] = {"source": "x", "value": 1, "year": shared, "note": shared}
    start = time.monotonic()
    try:
        parse_framework(raw)
    except FrameworkError as error:
        print(max(len(str(issue)) for issue in error.issues), time.monotonic() - start)
        print(error.issues[0])
""")


def test_item04_shared_values_never_expanded_into_messages():
    done = subprocess.run([sys.executable, "-c", SHARED], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    longest, elapsed = map(float, done.stdout.split("\n")[0].split())
    assert longest < 400 and elapsed < 2
    assert done.stdout.split("\n")[1] == "(top).name: expected a text, got a list of 9 — a text"


@pytest.mark.parametrize(("text", "says"), [
    ("name: &a [*a]\n", "recursive alias"),
    ("name: " + "[" * 5000 + "\n", "nested deeper than 20 levels"),
    ("a: &a [[[[[[[[[[1]]]]]]]]]]\nb: &b [[[[[[[[[[*a]]]]]]]]]]\nname: [[[*b]]]\n",
     "aliases nest this value deeper than 20 levels"),
    ("name: x\nversion: 1\nsettings:\n  amber: " + "9" * 5000 + "\n", "more than 30 digits"),
    ("name: x\nversion: 2024-13-45\n", "looks like a date but is not one"),
    ("kpis: [" + ",".join(["{}"] * 50_001) + "]\n", "the file holds over 50,000 values"),
])
def test_item04_yaml_structure_siblings_refused(tmp_path, text, says):
    path = tmp_path / "fw.yaml"
    path.write_text(text, encoding="utf-8")
    found = load_problems(path)
    assert len(found) == 1 and says in found[0] and found[0].startswith("line ")


def test_item04_a_few_aliases_still_work(tmp_path):
    text = DEFAULT.read_text(encoding="utf-8").replace(
        "  amber: 80", "  amber: &amber 80\n  ipa_threshold: 3.5", 1)
    text = text.replace("  ipa_threshold: 3.5\n", "", 1)
    path = tmp_path / "fw.yaml"
    path.write_text(text.replace("alignment_survey_average: 6.6",
                                 "alignment_survey_average: *amber"), encoding="utf-8")
    found = load_problems(path)  # the alias works: its value is checked like any other
    assert found == ["settings.alignment_survey_average: 80.0 is out of range — between 0 and 10"]


def test_item04_oversized_file_refused_unread(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(DEFAULT.read_bytes() + b"#" * fw_module.MAX_FRAMEWORK_BYTES)
    found = load_problems(big)
    assert found == ["(file): the file is larger than the 256 KB limit for a framework — "
                     "a framework file under 256 KB (the default is about 41 KB)"]


def test_item04_strings_and_lists_bounded():
    raw = raw_default()
    raw["kpis"][0]["name"] = "N" * (fw_module.MAX_NAME + 1)
    raw["kpis"][1]["definition"] = "D" * (fw_module.MAX_TEXT + 1)
    raw["kpis"][2]["recommendations"] = ["do it"] * (fw_module.MAX_RECOMMENDATIONS + 1)
    raw["kpis"][3]["name"] = "bell\x07"
    raw["kpis"][4]["recommendations"] = ["fine", "R" * (fw_module.MAX_TEXT + 1)]
    raw["questionnaires"]["excellence_practices"]["items"] *= fw_module.MAX_ITEMS
    raw["answer_scale"][1] = 'Ad "hoc"'
    raw["answer_scale"][2] = "not in PLACE"
    raw["levels"][0] = "L" * (fw_module.MAX_LABEL + 1)
    raw["version"] = "v" * 100
    ids = [k["id"] for k in raw["kpis"]]
    found = problems(raw)
    assert "too long" in found[f"kpis[0]({ids[0]}).name"]
    assert "at most 2,000 characters" in found[f"kpis[1]({ids[1]}).definition"]
    assert "too many" in found[f"kpis[2]({ids[2]}).recommendations"]
    assert "control character U+0007" in found[f"kpis[3]({ids[3]}).name"]
    assert "too long" in found[f"kpis[4]({ids[4]}).recommendations[1]"]
    assert "1,000 items are too many" in found["questionnaires.excellence_practices.items"]
    assert "double quote" in found["answer_scale[1]"]
    assert "repeats answer_scale[0]" in found["answer_scale[2]"]
    assert "too long" in found["levels[0]"] and "too long" in found["version"]
    many = raw_default()
    many["kpis"] = many["kpis"] * 20
    assert f"{len(many['kpis'])} KPIs are too many" in problems(many)["kpis"]


def test_item04_problem_list_is_capped():
    raw = raw_default()
    raw["relations"] = []  # counted on their own in the test below
    for kpi in raw["kpis"] * 1:
        kpi.update(wieght=1, unti="x", nmae="y", defintion="z", tagret=1, flor=2, dirction=3,
                   elemnt=4, benchmrk=5)
    with pytest.raises(FrameworkError) as info:
        parse_framework(raw)
    issues = info.value.issues
    assert len(issues) == fw_module.MAX_ISSUES + 1
    nine = len(raw["kpis"]) * 9  # nine unknown keys on every KPI
    assert issues[-1].message == f"{nine - fw_module.MAX_ISSUES} more problem(s) not listed"


def test_one_bad_kpi_is_one_problem_not_a_relation_cascade():
    """A KPI refused for its own fault (weight 0) still exists for the relations that name it:
    they must not add 'unknown term kpi.cost_per_case; did you mean kpi.reopen_rate?'."""
    raw = raw_default()
    i = kpi_index(raw, "cost_per_case")
    raw["kpis"][i]["weight"] = 0
    assert any("kpi.cost_per_case" in r.terms for r in load_framework().relations)
    found = problems(raw)
    assert list(found) == [f"kpis[{i}](cost_per_case).weight"], found


# ----------------------------------------------------------------------------- item 8


def test_item08_non_utf8_framework_names_the_first_bad_byte(tmp_path, capsys):
    text = DEFAULT.read_text(encoding="utf-8")
    version = f'version: "{load_framework().version}"'  # 'version: "2.0"'
    start = text.index(f"\n{version}\n") + 1
    line = text[:start].count("\n") + 1
    column = len(version) - 1 + len(" caf") + 1  # the é, after 'version: "2.0 caf'
    latin = tmp_path / "latin1.yaml"
    latin.write_bytes(text.replace(version, version[:-1] + ' café"', 1).encode("latin-1"))
    found = load_problems(latin)
    assert found == [f"line {line}: the file is not UTF-8 text: byte 0xE9 at line {line}, "
                     f"column {column} (byte {start + column} of the file) is not valid "
                     "UTF-8 — save the file with the encoding UTF-8 (it looks like another "
                     "encoding, such as Windows-1252 or Latin-1)"]
    code, err = cli(capsys, "template", "--framework", latin, "--out", tmp_path / "t.xlsx")
    assert code == 2 and "0xE9" in err and "Traceback" not in err
    utf16 = tmp_path / "utf16.yaml"
    utf16.write_bytes(text.encode("utf-16"))
    assert load_problems(utf16) == ["(file): the file is UTF-16 text; a framework file must be "
                                    "UTF-8 — save the file with the encoding UTF-8"]


def test_item08_utf8_with_bom_still_loads(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + DEFAULT.read_bytes())
    assert load_framework(path).name == load_framework().name


# ----------------------------------------------------------------------------- item 10


def test_item10_huge_weights_refused_with_their_path(tmp_path, capsys):
    raw = raw_default()
    raw["settings"]["element_weights"]["profit"] = 1e308
    raw["kpis"][0]["weight"] = 1e308
    raw["questionnaires"]["renewal_practices"]["items"][0]["weight"] = float("inf")
    raw["kpis"][1]["target"] = 1e308
    raw["kpis"][2]["max"] = 1e300
    raw["settings"]["price_uplift"] = 1e300
    raw["kpis"][3]["weight"] = 1e-300
    path = write(tmp_path, raw)
    found = {line.split(": ", 1)[0]: line for line in load_problems(path)}
    ids = [k["id"] for k in raw["kpis"]]
    item = raw["questionnaires"]["renewal_practices"]["items"][0]["id"]
    assert "weight 1e+308 is too large" in found["settings.element_weights.profit"]
    assert "weight 1e+308 is too large" in found[f"kpis[0]({ids[0]}).weight"]
    assert "inf is not a finite number" in found[
        f"questionnaires.renewal_practices.items[0]({item}).weight"]
    assert "too large" in found[f"kpis[1]({ids[1]}).target"]
    assert "1e+300 is too large" in found[f"kpis[2]({ids[2]}).max"]
    assert "too large" in found["settings.price_uplift"]
    assert "weight 1e-300 is too small" in found[f"kpis[3]({ids[3]}).weight"]
    code, err = cli(capsys, "score", sample_workbooks()[0], "--framework", path,
                    "--out", tmp_path / "out")
    assert code == 2 and "Traceback" not in err and not (tmp_path / "out").exists()
    huge = raw_default()
    huge["kpis"][2]["max"] = 10**400                     # no float holds it (parse_framework)
    assert problems(huge)[f"kpis[2]({ids[2]}).max"].startswith(
        "a very large number is not a finite number")


def test_item10_exponent_without_point_is_explained(tmp_path):
    path = tmp_path / "fw.yaml"
    path.write_text(DEFAULT.read_text(encoding="utf-8").replace(
        "    profit: 1\n", "    profit: 1e308\n", 1), encoding="utf-8")
    found = load_problems(path)
    assert len(found) == 1 and found[0].startswith(
        "settings.element_weights.profit: '1e308' is text, not a number")


def test_item10_largest_allowed_weights_score_finite():
    raw = raw_default()
    for element in raw["settings"]["element_weights"]:
        raw["settings"]["element_weights"][element] = fw_module.MAX_WEIGHT
    for kpi in raw["kpis"]:
        kpi["weight"] = fw_module.MAX_WEIGHT
    for questionnaire in raw["questionnaires"].values():
        for item in questionnaire["items"]:
            item["weight"] = fw_module.MIN_WEIGHT
    results = score(parse_framework(raw), sample_data("northwind-cloud"))
    assert math.isfinite(results["index"]["score"])


# ----------------------------------------------------------------------------- item 12


@pytest.mark.parametrize("bad", ["Strategic_Role", "STRATEGIC", "café", "1st", "_private",
                                 "with space", "x" * 65])
def test_item12_mixed_case_or_odd_item_ids_refused(bad):
    raw = raw_default()
    raw["questionnaires"]["excellence_practices"]["items"][0]["id"] = bad
    raw["kpis"][0]["id"] = bad
    found = problems(raw)
    shown = repr(bad) if len(bad) <= 40 else None
    if shown:
        assert found[f"kpis[0]({shown}).id"].startswith(f"{shown} is not a snake_case id")
        where = f"questionnaires.excellence_practices.items[0]({shown}).id"
        assert "reads it back in lower case" in found[where]
    else:
        assert "too long" in found["kpis[0].id"]


def test_item12_every_accepted_id_round_trips(tmp_path, capsys):
    raw = raw_default()
    item = raw["questionnaires"]["excellence_practices"]["items"][0]
    old, item["id"] = f"excellence_practices.{item['id']}", "strategic_role_2"
    for initiative in raw["initiatives"]:  # the roadmap names practices by id (issue 13)
        initiative["practices"] = [
            "excellence_practices.strategic_role_2" if p == old else p
            for p in initiative.get("practices") or []]
    path = write(tmp_path, raw)
    code, err = cli(capsys, "template", "--framework", path, "--out", tmp_path / "t.xlsx")
    assert code == 0, err
    code, err = cli(capsys, "validate", tmp_path / "t.xlsx", "--framework", path)
    assert "strategic_role_2" not in err and "unknown practice id" not in err


# ----------------------------------------------------------------------------- item 18


def test_item18_unknown_keys_named_with_a_suggestion():
    raw = raw_default()
    raw["kpi"] = []                                            # top level
    raw["settings"]["ambre"] = 80                              # settings
    raw["elements"]["profit"]["nmae"] = "Profit"               # element
    raw["kpis"][3]["wieght"] = raw["kpis"][3].pop("weight")    # KPI
    util = kpi_index(raw, "contract_renewal_rate")
    raw["kpis"][util]["benchmark"]["sorce"] = "x"              # benchmark
    raw["questionnaires"]["renewal_practices"]["descripton"] = "x"  # questionnaire
    raw["questionnaires"]["customer_expectations"]["items"][0]["satisfier"] = "x"  # item
    raw["kpis"][0]["unit"] = "precent"                         # a value, not a key
    raw["settings"]["element_weights"]["efficency"] = 1
    raw[7] = "number key"
    ids = [k["id"] for k in raw["kpis"]]
    item = raw["questionnaires"]["customer_expectations"]["items"][0]["id"]
    found = problems(raw)
    assert found["kpi"].startswith("unknown key 'kpi'; did you mean 'kpis'?")
    assert found["settings.ambre"].startswith("unknown setting 'ambre'; did you mean 'amber'?")
    assert found["elements.profit.nmae"].startswith("unknown key 'nmae'; did you mean 'name'?")
    assert found[f"kpis[3]({ids[3]}).wieght"].startswith(
        "unknown key 'wieght'; did you mean 'weight'? — one of id, element, name")
    assert found[f"kpis[3]({ids[3]}).weight"] == "required field is missing — a number"
    assert found[f"kpis[{util}](contract_renewal_rate).benchmark.sorce"].startswith(
        "unknown key 'sorce'; did you mean 'source'?")
    assert found["questionnaires.renewal_practices.descripton"].startswith(
        "unknown key 'descripton'; did you mean 'description'?")
    assert found[f"questionnaires.customer_expectations.items[0]({item}).satisfier"].startswith(
        "unknown key 'satisfier'; did you mean 'satisfiers'?")
    assert found[f"kpis[0]({ids[0]}).unit"].startswith(
        "unknown unit 'precent'; did you mean 'percent'?")
    assert found["settings.element_weights.efficency"].startswith(
        "unknown element 'efficency'; did you mean 'efficiency'?")
    assert found["7"].startswith("unknown key 7 — one of name, version")


def test_item18_min_above_max_blames_the_framework(tmp_path, capsys):
    raw = raw_default()
    rrr = kpi_index(raw, "recurring_revenue_rate")
    raw["kpis"][rrr]["min"] = 4                               # max is 3
    csat = kpi_index(raw, "csat")
    raw["kpis"][csat]["max"] = -0.5                           # percent: min defaults to 0
    sla = kpi_index(raw, "sla_attainment")
    raw["kpis"][sla]["target"] = 1.2                          # percent: max defaults to 1
    found = problems(raw)
    assert found[f"kpis[{rrr}](recurring_revenue_rate).min"] == (
        "the valid range 4 to 3 is empty: min must be below max — "
        "min < max (a percent KPI defaults to 0 to 1)")
    assert found[f"kpis[{csat}](csat).max"].startswith("the valid range 0 to -0.5 is empty")
    assert found[f"kpis[{sla}](sla_attainment).target"].startswith(
        "target 1.2 is outside the KPI's valid range (0 to 1); the intake would refuse it")
    path = write(tmp_path, raw)
    for argv in (("template", "--out", tmp_path / "t.xlsx"),
                 ("validate", sample_workbooks()[0]),
                 ("score", sample_workbooks()[0], "--out", tmp_path / "out")):
        code, err = cli(capsys, *argv, "--framework", path)
        assert code == 2, argv
        assert f"error: the framework {path} has 3 problem(s)" in err
        assert "Traceback" not in err
        assert all(line.startswith("  kpis[") for line in err.splitlines()[1:]), err


def test_item18_default_and_custom_frameworks_unchanged():
    before = copy.deepcopy(raw_default())
    assert parse_framework(before) == load_framework()
    assert parse_framework(raw_default()).kpis == load_framework().kpis


def test_item18_duplicate_key_refused_with_both_lines(tmp_path, capsys):
    """Sibling of item 18: a key given twice in one mapping is refused, not silently replaced
    by the last copy as ``yaml.safe_load`` would do."""
    default = Path(fw_module.default_framework_path()).read_text(encoding="utf-8")
    assert "settings:\n  amber: 80\n" in default
    path = tmp_path / "dup.yaml"
    path.write_text(default.replace("settings:\n  amber: 80\n",
                                    "settings:\n  amber: 80\n  amber: 55\n", 1), encoding="utf-8")
    line = default.splitlines().index("  amber: 80") + 1
    assert load_problems(path) == [
        f"line {line + 1}: the key 'amber' appears twice in one mapping (first at line {line}) "
        "\u2014 each key once: delete or rename one of them"]
    code, err = cli(capsys, "template", "--framework", path, "--out", tmp_path / "t.xlsx")
    assert code == 2 and "appears twice" in err and "Traceback" not in err
    assert not (tmp_path / "t.xlsx").exists()


# ----------------------------------------------------------------------------- issue 13

#: Finding texts that would reach past a placeholder's value, or are not templates at all.
BAD_TEMPLATES = ["{name.__class__}", "{name[0]}", "{0}", "{}", "{name!r}", "{name:>99999}",
                 "Open {name", "Close } alone"]


def test_issue13_finding_texts_are_plain_templates():
    """str.format would read attributes, items, positions, conversions and widths: only a
    bare placeholder of the rule's own is accepted."""
    raw = raw_default()
    n = next(i for i, f in enumerate(raw["findings"]) if f["rule"] == "largest_gap")
    fid = raw["findings"][n]["id"]
    for text in BAD_TEMPLATES:
        raw["findings"][n]["text"] = text
        found = problems(raw)
        assert list(found) == [f"findings[{n}]({fid}).text"], (text, found)
    raw["findings"][n]["text"] = "Braces are written {{like this}} around {name}."
    finding = next(f for f in parse_framework(raw).findings if f.id == fid)
    assert finding.text.format(name="X") == "Braces are written {like this} around X."


def test_issue13_lists_texts_and_numbers_bounded():
    raw = raw_default()
    bc = raw["business_case"]
    bc["drivers"] = bc["drivers"] * 13                                   # 52
    raw["initiatives"] = raw["initiatives"] * 6                          # 54
    raw["findings"][0]["text"] = "F" * (fw_module.MAX_TEXT + 1)
    a = bc["assumptions"]
    a[0]["base"], a[1]["low"], a[2]["high"] = True, float("inf"), 1e16
    raw["findings"][3]["params"] = {"margin": float("nan")}
    raw["findings"][1]["text"] = "Money\u202e reversed"
    found = problems(raw)
    assert found["business_case.drivers"].startswith("52 drivers are too many")
    assert found["initiatives"].startswith("54 initiatives are too many")
    f = [f"findings[{n}]({x['id']})" for n, x in enumerate(raw["findings"])]
    assert "too long" in found[f"{f[0]}.text"]
    assert "control character U+202E" in found[f"{f[1]}.text"]
    assert "not a finite number" in found[f"{f[3]}.params.margin"]
    p = [f"business_case.assumptions[{n}]({x['id']})" for n, x in enumerate(a)]
    assert "is not a number" in found[f"{p[0]}.base"]                    # a boolean
    assert "not a finite number" in found[f"{p[1]}.low"]
    assert "too large" in found[f"{p[2]}.high"]


def test_issue13_one_bad_assumption_is_one_problem_not_a_driver_cascade():
    """An assumption refused for its own fault (unknown unit) still exists for the drivers that
    name it, as a refused KPI does for relations: they must not add 'unknown assumption'."""
    raw = raw_default()
    raw["business_case"]["assumptions"][1]["unit"] = "dollars"
    aid = raw["business_case"]["assumptions"][1]["id"]
    found = problems(raw)
    assert list(found) == [f"business_case.assumptions[1]({aid}).unit"], found


def test_issue13_one_bad_driver_is_one_problem_not_an_initiative_cascade():
    """A driver refused for its own fault still exists for the initiative that carries it."""
    raw = raw_default()
    drivers = raw["business_case"]["drivers"]
    n = next(i for i, d in enumerate(drivers) if d["formula"] == "cost_gap")
    drivers[n]["name"] = "N" * (fw_module.MAX_NAME + 1)
    found = problems(raw)
    assert list(found) == [f"business_case.drivers[{n}]({drivers[n]['id']}).name"], found


#: Scores an inline framework with many drivers that overlap nothing, each with its own two
#: assumptions (within the loader's limits), and prints the seconds it took.
MANY_DRIVERS = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, sys.argv[1])
    import test_business_case as t
    from assessment.core.framework import parse_framework
    raw = t.raw_framework()
    bc = raw["business_case"]
    bc["assumptions"], bc["drivers"] = [], []
    for init in raw["initiatives"]:
        init.pop("drivers", None)
    for i in range(int(sys.argv[2])):
        bc["assumptions"] += [
            {"id": f"s{i}", "name": "s", "unit": "currency", "low": 1, "base": 0.1,
             "high": 0.05, "source": "x"},
            {"id": f"a{i}", "name": "a", "unit": "currency", "low": 6, "base": 8, "high": 10,
             "source": "x"}]
        bc["drivers"].append({
            "id": f"d{i}", "name": "d", "formula": "self_service_shift",
            "inputs": ["profile.assisted_cases", "kpi.self_service_resolution_rate"],
            "assumptions": [f"s{i}", f"a{i}"]})
    fw = parse_framework(raw)
    start = time.perf_counter()
    t.run(t.intake(), fw)
    print(time.perf_counter() - start)
""")


def test_issue13_many_drivers_score_in_seconds_not_minutes():
    """16 drivers and 32 assumptions are within the loader's limits (50 each). The total tries
    every set of non-overlapping drivers (2^16) and the sensitivity does so again twice per
    assumption would be over a minute of scoring. The search is bounded: drivers that overlap
    nothing are always counted, and only groups of overlapping drivers are searched."""
    tests = Path(__file__).parent
    try:
        done = subprocess.run([sys.executable, "-c", MANY_DRIVERS, str(tests), "16"],
                              capture_output=True, text=True, timeout=10, check=True)
    except subprocess.TimeoutExpired:
        pytest.fail("scoring a framework of 16 drivers took over 10 s")
    assert float(done.stdout) < 5, done.stdout
