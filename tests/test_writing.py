"""Safe file names, atomic writes and all-or-nothing outputs."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
import types

import pytest

from assessment.core.framework import Framework
from assessment.core.model import IntakeData
from assessment.core.scoring import score
from assessment.files.write import atomic_write, safe_slug
from assessment.scorecard import formats
from assessment.scorecard import outputs as exports


@pytest.mark.parametrize(("name", "slug"), [
    ("../../etc", "etc"),
    ("CON", "con-org"),
    ("nul.txt", "nul-txt-org"),
    ("a/b", "a-b"),
    ("a\\b", "a-b"),
    ("🚀 Rocket Support 🚀", "rocket-support"),
    ("🚀🚀", "organization"),
    ("", "organization"),
    (None, "organization"),
    ("Société Générale Support", "societe-generale-support"),
    ("x" * 300, "x" * 60),
    ("ООО Ромашка", "ооо-ромашка"),  # letters of every script stay (issue 11 item 2)
    ("株式会社テスト", "株式会社テスト"),
    ("Straße AG", "straße-ag"),
    ("ＣＯＮ", "con-org"),
])
def test_safe_slug(name: str | None, slug: str) -> None:
    assert safe_slug(name) == slug


def test_slug_is_always_a_plain_file_name() -> None:
    for name in ("..", ".", "/", "-", "a" * 59 + "-b", " . . ", "\x00evil\n"):
        slug = safe_slug(name)
        assert slug and len(slug) <= 60 and "/" not in slug and not slug.startswith((".", "-"))
        assert not slug.endswith("-")


def test_atomic_write_leaves_previous_file_on_failure(tmp_path) -> None:
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")

    def explode(handle) -> None:
        handle.write(b"half")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        atomic_write(target, explode)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]


def test_failing_renderer_writes_no_output_at_all(framework: Framework, sample: IntakeData,
                                                  tmp_path, monkeypatch) -> None:
    results = score(framework, sample)

    broken = types.ModuleType("broken_renderer")

    def render(_results, _options):
        raise RuntimeError("renderer bug")

    broken.render = render
    monkeypatch.setitem(sys.modules, "broken_renderer", broken)
    monkeypatch.setitem(formats.REGISTRY, "html",
                        dataclasses.replace(formats.REGISTRY["html"], module="broken_renderer"))
    with pytest.raises(RuntimeError):
        exports.write_outputs(results, tmp_path)
    assert list(tmp_path.rglob("*.*")) == []


def test_hostile_name_stays_inside_the_output_folder(framework: Framework, sample: IntakeData,
                                                     tmp_path) -> None:
    sample.profile["organization"] = "../../etc/passwd"
    sample.profile["assessment_date"] = dt.date(2026, 1, 2)
    written = exports.write_outputs(score(framework, sample), tmp_path / "out")
    for path in written.values():
        assert path.resolve().is_relative_to((tmp_path / "out").resolve())
    assert written["json"].parent.name == "etc-passwd-2026-01-02"


def test_parse_formats() -> None:
    assert exports.parse_formats("html, XLSX,html") == ("html", "xlsx")
    assert exports.parse_formats("xlsx,PDF") == ("xlsx", "pdf")
    with pytest.raises(ValueError, match="docx"):
        exports.parse_formats("xlsx,docx")
    with pytest.raises(ValueError):
        exports.parse_formats(" , ")
