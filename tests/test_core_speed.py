"""Issue 16, core speed: the framework cache, the C YAML loader, and the scoring engine's
per-organization work (structural checks, not timings; benchmarks/bench_engine.py times it)."""

from __future__ import annotations

import copy
import dataclasses
import json
import os
import pickle
from pathlib import Path
from typing import Any

import pytest
import yaml

from assessment.core import business, scoring
from assessment.core import framework as fw_module
from assessment.core.errors import FrameworkError
from assessment.core.framework import (
    FrozenDict,
    clear_framework_cache,
    default_framework_path,
    load_framework,
    parse_framework,
)
from assessment.core.scoring import score
from assessment.intake.samples import sample_data, sample_names

DEFAULT_TEXT = default_framework_path().read_text(encoding="utf-8")
HAS_LIBYAML = getattr(yaml, "CSafeLoader", None) is not None


@pytest.fixture(autouse=True)
def _fresh_cache():
    clear_framework_cache()
    yield
    clear_framework_cache()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def dumps(results: dict[str, Any]) -> str:
    return json.dumps(results, sort_keys=True, default=repr)


# --------------------------------------------------------------------------- the cache


def test_same_bytes_give_one_parsed_framework_named_for_each_path(tmp_path):
    a = write(tmp_path, "a.yaml", DEFAULT_TEXT)
    b = write(tmp_path, "b.yaml", DEFAULT_TEXT)
    fa, fb = load_framework(a), load_framework(b)
    assert fa == fb
    assert (fa.source, fb.source) == (str(a), str(b))
    assert fa.kpis is fb.kpis  # one parse, shared: the key is the content, not the path
    assert load_framework(a) is fa and load_framework(b) is fb


def test_changed_bytes_are_parsed_afresh_never_served_stale(tmp_path):
    path = write(tmp_path, "fw.yaml", DEFAULT_TEXT)
    first = load_framework(path)
    stat = path.stat()
    # same size, same modification time: only the bytes tell the versions apart
    changed = DEFAULT_TEXT.replace("  amber: 80\n", "  amber: 70\n", 1)
    assert len(changed) == len(DEFAULT_TEXT)
    path.write_text(changed, encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    second = load_framework(path)
    assert (first.settings.amber, second.settings.amber) == (80.0, 70.0)
    assert second != first
    path.write_text(DEFAULT_TEXT, encoding="utf-8")
    assert load_framework(path) == first


def test_invalid_file_is_refused_every_time_and_never_cached(tmp_path):
    path = write(tmp_path, "fw.yaml", DEFAULT_TEXT.replace("  amber: 80\n", "  amber: 800\n"))
    for _ in range(2):
        with pytest.raises(FrameworkError, match="settings.amber"):
            load_framework(path)
    path.write_text(DEFAULT_TEXT, encoding="utf-8")
    assert load_framework(path).settings.amber == 80.0


def test_cache_is_bounded(tmp_path):
    for i in range(fw_module.FRAMEWORK_CACHE_SIZE + 3):
        load_framework(write(tmp_path, f"{i}.yaml", DEFAULT_TEXT + f"\n# copy {i}\n"))
    assert len(fw_module._cache) == fw_module.FRAMEWORK_CACHE_SIZE


def test_a_shared_framework_cannot_be_changed_by_one_caller():
    fw = load_framework()
    mappings = [fw.element_names, fw.element_descriptions, fw.questionnaires,
                fw.settings.segments, fw.settings.element_weights, fw.kpis[0].by_segment,
                fw.findings[0].params]
    band = next(k for k in fw.kpis if k.band_recommendations is not None)
    mappings.append(band.band_recommendations)
    for mapping in mappings:
        assert isinstance(mapping, FrozenDict)
        with pytest.raises(TypeError, match="read-only"):
            mapping["x"] = 1  # type: ignore[index]
        with pytest.raises(TypeError):
            mapping.update(x=1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fw.name = "changed"  # type: ignore[misc]
    plain = dict(fw.element_names)
    plain["profit"] = "Money"  # a copy is a plain dict
    assert load_framework().element_names["profit"] != "Money"


def test_frozen_framework_pickles_copies_and_serializes():
    fw = load_framework()
    fw.resolved(next(iter(fw.settings.segments)), 0.9)  # something in the memo
    again = pickle.loads(pickle.dumps(fw))
    assert again == fw and isinstance(again.settings.segments, FrozenDict)
    assert "_memo_store" not in again.__dict__
    assert copy.deepcopy(fw) == fw
    assert json.loads(json.dumps(fw.element_names)) == dict(fw.element_names)


# --------------------------------------------------------------------------- the C loader


@pytest.mark.skipif(not HAS_LIBYAML, reason="PyYAML without libyaml")
def test_the_c_parser_is_used_when_pyyaml_has_it(tmp_path, monkeypatch):
    made: list[object] = []

    class Counting(yaml.CSafeLoader):  # type: ignore[name-defined,misc]
        def __init__(self, stream: str) -> None:
            made.append(self)
            super().__init__(stream)

    monkeypatch.setattr(yaml, "CSafeLoader", Counting)
    assert issubclass(fw_module._loader_class(), Counting)
    load_framework(write(tmp_path, "fw.yaml", DEFAULT_TEXT))
    assert len(made) == 1


@pytest.mark.skipif(not HAS_LIBYAML, reason="PyYAML without libyaml")
def test_pure_python_fallback_gives_the_identical_framework(tmp_path, monkeypatch):
    # an anchor and aliases too, so both loaders also walk the alias checks
    text = DEFAULT_TEXT.replace("    weight: 1\n", "    weight: &one 1\n", 1).replace(
        "    weight: 1\n", "    weight: *one\n")
    assert text.count("*one") > 10
    path = write(tmp_path, "fw.yaml", text)
    with_c = load_framework(path)
    default_c = load_framework()
    clear_framework_cache()
    monkeypatch.delattr(yaml, "CSafeLoader")
    assert fw_module._loader_class() is fw_module._FrameworkLoader
    pure = load_framework(path)
    assert pure == with_c and pure is not with_c
    assert pure.kpis == with_c.kpis and pure.initiatives == with_c.initiatives
    assert load_framework() == default_c
    data = sample_data("northwind-cloud")
    assert dumps(score(pure, data)) == dumps(score(with_c, data))


HOSTILE = [
    "name: &a [*a]\n",
    "name: " + "[" * 5000 + "\n",
    "name: " + "[" * 30 + "]" * 30 + "\n",
    "a: &a [[[[[[[[[[1]]]]]]]]]]\nb: &b [[[[[[[[[[*a]]]]]]]]]]\nname: [[[*b]]]\n",
    "name: x\nversion: 1\nsettings:\n  amber: " + "9" * 5000 + "\n",
    "name: x\nversion: 2024-13-45\n",
    "name: x\nname: y\n",
    "name: [unclosed\n",
    "kpis: [" + ",".join(["{}"] * 50_001) + "]\n",
]


@pytest.mark.skipif(not HAS_LIBYAML, reason="PyYAML without libyaml")
@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_files_are_refused_alike_by_both_loaders(tmp_path, monkeypatch, text):
    path = write(tmp_path, "fw.yaml", text)
    with pytest.raises(FrameworkError) as with_c:
        load_framework(path)
    monkeypatch.delattr(yaml, "CSafeLoader")
    with pytest.raises(FrameworkError) as pure:
        load_framework(path)
    assert [str(i) for i in with_c.value.issues] == [str(i) for i in pure.value.issues]
    assert str(with_c.value.issues[0]).startswith("line ")


def test_alias_free_files_skip_only_a_check_that_cannot_fail(tmp_path, monkeypatch):
    """Without aliases the composed tree is within every limit already (depth and values are
    counted while composing; text is bounded by the file size): the expansion walk is only
    needed, and only run, when the file uses an alias."""
    walked: list[object] = []
    real = fw_module._check_expansion
    monkeypatch.setattr(fw_module, "_check_expansion", lambda node: walked.append(node)
                        or real(node))
    load_framework(write(tmp_path, "plain.yaml", DEFAULT_TEXT))
    assert walked == []
    assert fw_module.MAX_FRAMEWORK_BYTES < fw_module.MAX_EXPANDED_CHARS
    aliased = DEFAULT_TEXT.replace("  amber: 80", "  amber: &amber 80", 1).replace(
        "alignment_survey_average: 6.6", "alignment_survey_average: *amber", 1)
    with pytest.raises(FrameworkError, match="alignment_survey_average"):
        load_framework(write(tmp_path, "aliased.yaml", aliased))
    assert len(walked) >= 1


# --------------------------------------------------------------------------- computed once


def test_resolved_is_computed_once_per_segment_and_rate(monkeypatch):
    fw = dataclasses.replace(load_framework())  # a new instance: an empty memo
    calls: list[tuple[str, Any, Any]] = []
    real = fw_module._resolve_kpi

    def counting(kpi: Any, segment: Any, fx: Any) -> Any:
        calls.append((kpi.id, segment, fx))
        return real(kpi, segment, fx)

    monkeypatch.setattr(fw_module, "_resolve_kpi", counting)
    segment = next(iter(fw.settings.segments))
    first = fw.resolved(segment, 0.92)
    assert fw.resolved(segment, 0.92) is first
    assert len(calls) == len(fw.kpis)
    assert fw.resolved(segment, None) is not first
    assert fw.resolved(None, 0.92) is not first
    assert len(calls) == 3 * len(fw.kpis)
    assert fw.resolved(None, None) is fw
    with pytest.raises(KeyError):
        fw.resolved("no_such_segment", None)


def test_scoring_plan_is_built_once_per_segment_rate_currency_and_model(monkeypatch):
    fw = dataclasses.replace(load_framework())
    built: list[tuple[Any, ...]] = []
    real = scoring.ScoringPlan

    class Counting(real):  # type: ignore[misc,valid-type]
        def __init__(self, *args: Any) -> None:
            built.append(args[2:])
            super().__init__(*args)

    monkeypatch.setattr(scoring, "ScoringPlan", Counting)
    data = sample_data("harbor-city-it")  # a segment and a currency of its own
    first = score(fw, data)
    assert dumps(score(fw, data)) == dumps(first)
    assert len(built) == 1
    other = dataclasses.replace(data, profile={**data.profile, "support_model": "external"})
    score(fw, other)
    score(fw, other)
    assert len(built) == 2


def test_cached_framework_scores_as_a_freshly_parsed_one():
    cached = load_framework()
    fresh = parse_framework(yaml.safe_load(DEFAULT_TEXT), source="fresh")
    for name in sample_names():
        data = sample_data(name)
        assert dumps(score(cached, data)) == dumps(score(fresh, data))
        assert dumps(score(cached, data)) == dumps(score(cached, data))  # nothing left over


def test_results_of_two_organizations_share_no_mutable_part():
    fw = load_framework()
    a = score(fw, sample_data("northwind-cloud"))
    b = score(fw, sample_data("northwind-cloud"))

    def containers(value: Any, out: dict[int, Any]) -> dict[int, Any]:
        if isinstance(value, (dict, list)):
            out[id(value)] = value
            for item in value.values() if isinstance(value, dict) else value:
                containers(item, out)
        return out

    assert not set(containers(a, {})) & set(containers(b, {}))


# --------------------------------------------------------------------------- business case


def test_sensitivity_equals_valuing_every_driver_again():
    """The sensitivity values again only the drivers that take the assumption: the totals must
    be those of valuing every live driver with the assumption pinned (the definition)."""
    fw = load_framework()
    for name in sample_names():
        data = sample_data(name)
        results = score(fw, data)
        case = results["business_case"]
        live = [d for d in case["drivers"] if d["status"] in ("ok", "no_gap")]
        overlaps = {d["id"]: d["overlaps"] for d in case["drivers"]}
        by_id = {d.id: d for d in fw.drivers}
        fx = results["organization"]["fx_rate"]

        def total(pinned: dict[str, float], live=live, by_id=by_id, results=results,
                  data=data, fx=fx, overlaps=overlaps) -> float:
            values = {d["id"]: d["base"] if by_id[d["id"]].formula == "renewal_at_stake"
                      else business.driver_value(by_id[d["id"]], fw, results, data.profile,
                                                 fx, "base", pinned) for d in live}
            return sum(values[c] for c in business._counted(values, overlaps))

        expected = []
        for a in fw.assumptions:
            if not any(a.id in by_id[d["id"]].assumptions for d in live):
                continue
            low, high = total({a.id: a.low}), total({a.id: a.high})
            expected.append({"assumption": a.id, "name": a.name, "low_total": low,
                             "high_total": high, "swing": abs(high - low)})
        expected.sort(key=lambda s: -s["swing"])
        assert case["sensitivity"] == expected, name


def test_counted_keeps_the_exact_search_rule_for_a_lone_driver():
    """A driver overlapping none is counted when the search would choose it: its value must
    beat the empty set by more than 1e-9."""
    assert business._counted({"a": 5.0}, {"a": []}) == ["a"]
    assert business._counted({"a": 1e-12}, {"a": []}) == []
    assert business._counted({"a": 0.0, "b": 2.0}, {"a": ["b"], "b": ["a"]}) == ["b"]
    assert business._counted({"a": 3.0, "b": 2.0, "c": 2.0},
                             {"a": ["b", "c"], "b": ["a"], "c": ["a"]}) == ["b", "c"]


def test_memo_is_bounded_and_keeps_the_most_recently_used():
    fw = dataclasses.replace(load_framework())
    built: list[int] = []
    fw.memo("hot", lambda: built.append(0) or "hot value")
    for i in range(fw_module.MEMO_LIMIT * 2):
        assert fw.memo("hot", lambda: built.append(1) or "rebuilt") == "hot value"
        fw.memo(("cold", i), lambda i=i: i)
    assert built == [0]
    assert len(fw._memo_store) == fw_module.MEMO_LIMIT
