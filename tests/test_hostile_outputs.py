"""Issue 11, hostile and oversized inputs: where the outputs go, and the options that steer them.

Items 2 (organizations that overwrite each other), 6 (a fractional ``--timeout``), 9 (a full
disk in the middle of ``score``), 13 (``--max-size``), 19 (``--workers 0``) and 20
(``--skip-existing`` after a kill). Each test is named after its item.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest

from assessment import cli
from assessment.batch import kernel, report
from assessment.batch import runner as batch
from assessment.core.framework import Framework
from assessment.core.model import IntakeData
from assessment.core.scoring import score
from assessment.files import write
from assessment.files.write import safe_slug
from assessment.intake import reader
from assessment.portfolio.model import load_results
from assessment.scorecard import outputs

NON_LATIN = ("株式会社テスト", "ООО Ромашка", "شركة الدعم الفني", "हिन्दी सहायता",
             "Ελληνική Υποστήριξη")


def results_of(framework: Framework, sample: IntakeData, name: str,
               date: dt.date = dt.date(2026, 1, 2)) -> dict:
    sample.profile["organization"] = name
    sample.profile["assessment_date"] = date
    return score(framework, sample)


def org_in(folder: Path) -> str:
    return json.loads((folder / "results.json").read_text(encoding="utf-8"))["organization"]["name"]


def exits_2(capsys: pytest.CaptureFixture[str], *argv: object) -> str:
    """Run the command line, expect argparse's exit 2, return what it printed on stderr."""
    with pytest.raises(SystemExit) as info:
        cli.main([str(a) for a in argv])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


# ----------------------------------------------------------------------------- item 2


def test_item02_slugs_keep_the_letters_of_every_script() -> None:
    slugs = [safe_slug(name) for name in NON_LATIN]
    assert slugs == ["株式会社テスト", "ооо-ромашка", "شركة-الدعم-الفني", "हिन्दी-सहायता",
                     "ελληνική-υποστήριξη"]
    # the guarantees of every slug hold for hostile Unicode too
    for name in (*NON_LATIN, "ＣＯＮ", "a\u202eexe.txt", "..\u2215..\u2215etc", "語" * 200,
                 "\u0301\u0301", "Ａ\x00Ｂ\n", "ｃｏｍ１"):
        slug = safe_slug(name)
        assert slug and len(slug) <= 60 and len(slug.encode("utf-8")) <= write.SLUG_MAX_BYTES
        assert not any(c in slug for c in "/\\.:") and slug.isprintable()
        assert not slug.startswith("-") and not slug.endswith("-")
        assert slug not in {"con", "com1"}, slug
    # Latin names give the slugs they always gave (the bundled samples' folders stay)
    assert safe_slug("Société Générale Support") == "societe-generale-support"
    assert safe_slug("Northwind Cloud Software") == "northwind-cloud-software"


def test_item02_different_organizations_never_share_a_folder(framework, sample, tmp_path) -> None:
    out = tmp_path / "out"
    # two names without any letter at all still give the same slug: 'organization'
    first, second = "🚀🚀🚀", "🔥🔥🔥"
    a = outputs.write_outputs(results_of(framework, sample, first), out)
    b = outputs.write_outputs(results_of(framework, sample, second), out)
    assert a["json"].parent.name == "organization-2026-01-02"
    assert b["json"].parent != a["json"].parent
    assert b["json"].parent.name.startswith("organization-")
    assert b["json"].parent.name.endswith("-2026-01-02")
    assert org_in(a["json"].parent) == first and org_in(b["json"].parent) == second
    note = outputs.collision_note(results_of(framework, sample, second), b["json"].parent)
    assert note and "organization-2026-01-02/" in note and repr(first) in note
    # the suffix is stable: the same organization, scored again, finds its own folder ...
    again = outputs.write_outputs(results_of(framework, sample, " 🔥🔥🔥 "), out)
    assert again["json"].parent == b["json"].parent
    # ... and re-assessing the first one still replaces its own files
    assert outputs.write_outputs(results_of(framework, sample, first), out) == a
    assert outputs.collision_note(results_of(framework, sample, first), a["json"].parent) is None
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [a["json"].parent.name, b["json"].parent.name])
    # a results.json that cannot be read is nobody's to overwrite
    (a["json"].parent / "results.json").write_text("{not json", encoding="utf-8")
    c = outputs.write_outputs(results_of(framework, sample, first), out)
    assert c["json"].parent != a["json"].parent
    assert (a["json"].parent / "results.json").read_text(encoding="utf-8") == "{not json"


def test_item02_portfolio_sees_two_clients_and_the_shared_name(framework, sample,
                                                               tmp_path) -> None:
    out = tmp_path / "out"
    for name in ("株式会社テスト", "株式会社テスト!", "ООО Ромашка"):
        outputs.write_outputs(results_of(framework, sample, name), out, ("json",))
    loaded = load_results(out)
    assert sorted(r["organization"]["name"] for r in loaded.results) == [
        "ООО Ромашка", "株式会社テスト", "株式会社テスト!"]
    [warning] = loaded.warnings
    assert warning.startswith("株式会社テスト-2026-01-02: 2 different organizations")
    assert "'株式会社テスト!'" in warning and "separate clients" in warning


def test_item02_score_prints_where_a_colliding_organization_went(framework, sample, tmp_intake,
                                                                 tmp_path, capsys) -> None:
    out = tmp_path / "out"
    sample.profile["assessment_date"] = dt.date(2026, 1, 2)
    written = {}
    for name in ("Acme Support", "ACME support", "Acme-Support"):
        sample.profile["organization"] = name
        assert cli.main(["score", str(tmp_intake(framework, sample)), "--out", str(out),
                         "--quiet", "--format", "json"]) == 0
        written[name] = capsys.readouterr().out
    # 'ACME support' is the same client (case): it replaces its own folder
    assert "note:" not in written["Acme Support"] + written["ACME support"]
    assert "note: acme-support-2026-01-02/ already holds the results of 'ACME support'" in \
        written["Acme-Support"]
    assert sorted(org_in(p) for p in out.iterdir()) == ["ACME support", "Acme-Support"]


# ----------------------------------------------------------------------------- item 6


def test_item06_fractional_timeout_reaches_nbclient_in_whole_seconds() -> None:
    from nbclient import NotebookClient
    from traitlets import TraitError

    notebook = nbformat.v4.new_notebook()
    with pytest.raises(TraitError):
        NotebookClient(notebook, timeout=2.5)  # what every intake failed with
    assert [kernel.cell_timeout(s) for s in (2.5, 90.5, 600.0, 0.01)] == [3, 91, 600, 1]
    assert NotebookClient(notebook, timeout=kernel.cell_timeout(2.5)).timeout == 3


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "0", "-1", "abc", "1e9"])
def test_item06_timeout_must_be_a_positive_finite_number(value, capsys, tmp_path) -> None:
    err = exits_2(capsys, "batch", tmp_path, "--out", tmp_path / "out", f"--timeout={value}")
    assert "argument --timeout" in err and repr(value) in err
    assert not (tmp_path / "out").exists()
    args = cli.build_parser().parse_args(["batch", "x", "--out", "o", "--timeout", "2.5"])
    assert args.timeout == 2.5
    with pytest.raises(batch.BatchError, match="--timeout"):
        batch.run_batch([tmp_path], tmp_path / "out", timeout=float(value)
                        if value != "abc" else float("nan"))


# ----------------------------------------------------------------------------- item 9


def _fail_after(count: int, error: OSError) -> Callable[..., Path]:
    real, calls = write.atomic_write, iter(range(1_000_000))

    def flaky(path, content):
        if next(calls) >= count:
            raise error
        return real(path, content)

    return flaky


def test_item09_full_disk_keeps_the_previous_set(framework, sample, tmp_path,
                                                 monkeypatch) -> None:
    out = tmp_path / "out"
    first = outputs.write_outputs(results_of(framework, sample, "Acme"), out)
    before = {p: p.read_bytes() for p in first.values()}
    sample.current = {k: None for k in sample.current}  # different results, same folder
    changed = results_of(framework, sample, "Acme")
    monkeypatch.setattr(write, "atomic_write",
                        _fail_after(1, OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))))
    with pytest.raises(outputs.OutputsNotWritten) as info:
        outputs.write_outputs(changed, out)
    message = str(info.value)
    assert "\n" not in message and "No space left on device" in message
    assert "nothing was changed" in message and str(first["json"].parent) in message
    assert {p: p.read_bytes() for p in first.values()} == before
    assert sorted(p.name for p in out.rglob("*")) == sorted(
        [first["json"].parent.name, *(p.name for p in first.values())])  # no leftovers
    # a brand-new organization: no folder at all is left behind
    with pytest.raises(outputs.OutputsNotWritten):
        outputs.write_outputs(results_of(framework, sample, "Beta"), out)
    assert sorted(p.name for p in out.iterdir()) == [first["json"].parent.name]


def test_item09_portfolio_pair_is_published_all_or_nothing(framework, sample, tmp_path,
                                                           monkeypatch) -> None:
    """Sibling of item 9: the portfolio's xlsx and html are one set too."""
    from assessment.portfolio.report import write_portfolio

    out = tmp_path / "portfolio"
    first = write_portfolio([results_of(framework, sample, "Acme")], out)
    before = {p: p.read_bytes() for p in first.values()}
    two = [results_of(framework, sample, "Acme"), results_of(framework, sample, "Beta")]
    monkeypatch.setattr(write, "atomic_write",
                        _fail_after(1, OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))))
    with pytest.raises(OSError, match="No space left"):
        write_portfolio(two, out)
    assert {p: p.read_bytes() for p in first.values()} == before
    assert sorted(p.name for p in out.iterdir()) == ["portfolio.html", "portfolio.xlsx"]


def test_item09_failure_while_moving_in_puts_the_previous_files_back(framework, sample,
                                                                     tmp_path,
                                                                     monkeypatch) -> None:
    out = tmp_path / "out"
    first = outputs.write_outputs(results_of(framework, sample, "Acme"), out)
    before = {p: p.read_bytes() for p in first.values()}
    real, calls = os.replace, iter(range(1_000_000))

    def flaky(src, dst):  # 3 staged writes, then the second move into the folder fails
        if next(calls) == 4:
            raise OSError(errno.EIO, "I/O error")
        return real(src, dst)

    monkeypatch.setattr(write.os, "replace", flaky)
    sample.current = {k: None for k in sample.current}
    with pytest.raises(outputs.OutputsNotWritten):
        outputs.write_outputs(results_of(framework, sample, "Acme"), out)
    monkeypatch.undo()
    assert {p: p.read_bytes() for p in first.values()} == before
    assert not [p for p in out.rglob("*") if p.name.startswith(".")]


def test_item09_score_on_a_full_disk_is_one_line_and_exit_1(framework, sample, tmp_intake,
                                                            tmp_path, monkeypatch,
                                                            capsys) -> None:
    intake = tmp_intake(framework, sample)
    out = tmp_path / "out"
    assert cli.main(["score", str(intake), "--out", str(out), "--quiet"]) == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    capsys.readouterr()
    monkeypatch.setattr(write, "atomic_write",
                        _fail_after(1, OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))))
    assert cli.main(["score", str(intake), "--out", str(out), "--quiet"]) == 1
    printed, err = capsys.readouterr()
    assert err.count("\n") == 1 and err.startswith("error: could not write the scorecards")
    assert "No space left on device" in err and "Traceback" not in err and printed == ""
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


# ----------------------------------------------------------------------------- item 13


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "-1", "0", "abc", "1e6"])
@pytest.mark.parametrize("command", ["score", "validate"])
def test_item13_max_size_must_be_a_sensible_number_of_megabytes(command, value, capsys,
                                                                tmp_path) -> None:
    err = exits_2(capsys, command, tmp_path / "x.xlsx", f"--max-size={value}")
    assert "argument --max-size" in err and repr(value) in err


def test_item13_max_size_bounds_match_the_reader() -> None:
    assert cli.max_size_mb() * 1024 * 1024 == reader.MAX_UNPACKED_BYTES
    args = cli.build_parser().parse_args(["validate", "x.xlsx", "--max-size", "0.5"])
    assert args.max_size == 0.5
    assert cli.MAX_TIMEOUT_S == batch.MAX_TIMEOUT and cli.MAX_WORKERS == batch.MAX_WORKERS


# ----------------------------------------------------------------------------- item 19


@pytest.mark.parametrize("value", ["0", "-2", "1000", "1.5", "two"])
def test_item19_workers_must_be_a_real_count(value, capsys, tmp_path) -> None:
    err = exits_2(capsys, "batch", tmp_path, "--out", tmp_path / "out", f"--workers={value}")
    assert "argument --workers" in err and repr(value) in err
    err = exits_2(capsys, "demo", "--out", tmp_path / "out", f"--workers={value}")
    assert "argument --workers" in err
    assert not (tmp_path / "out").exists()
    with pytest.raises(batch.BatchError, match="--workers"):
        batch.run_batch([tmp_path], tmp_path / "out", workers=0)


# ----------------------------------------------------------------------------- item 20


def _publish_by_hand(intake: Path, out: Path, folder: str) -> None:
    """A scorecard folder as the batch publishes it, without running a kernel."""
    (out / folder).mkdir(parents=True)
    notebook = nbformat.v4.new_notebook()
    notebook.metadata[batch.SOURCE_KEY] = batch.fingerprint(intake)
    nbformat.write(notebook, out / folder / "x-scorecard.ipynb")
    (out / folder / "results.json").write_text("{}", encoding="utf-8")


def test_item20_skip_existing_reads_the_published_folders(tmp_path) -> None:
    intakes = [tmp_path / f"{name}.xlsx" for name in ("a", "b")]
    for path in intakes:
        path.write_bytes(b"PK not really")
    out = tmp_path / "out"
    for path in intakes:
        _publish_by_hand(path, out, f"{path.stem}-2026-01-02")
    # killed before the summary (rewritten once a second) named them: no index at all
    assert not (out / report.SUMMARY_NAME).exists()
    result = batch.run_batch(intakes, out, skip_existing=True, portfolio=False, progress=False)
    assert [r.status for r in result.intakes] == ["skipped", "skipped"]
    assert [r.folder for r in result.intakes] == ["a-2026-01-02", "b-2026-01-02"]
    published = batch.published_sources(out)
    assert batch.is_current(intakes[0], published) == "a-2026-01-02"
    # an intake edited since (size or time) is scored again; so is one never published
    os.utime(intakes[0], ns=(1, 1))
    assert batch.is_current(intakes[0], published) is None
    assert batch.is_current(tmp_path / "c.xlsx", published) is None
    # a folder without results.json (its publication was cut short) is not done
    (out / "b-2026-01-02" / "results.json").unlink()
    assert batch.is_current(intakes[1], batch.published_sources(out)) is None


@pytest.mark.slow
def test_item02_item06_item20_batch_of_colliding_names(framework, sample, tmp_intake,
                                                       tmp_path) -> None:
    """One real batch: two organizations with the same slug and date, a fractional timeout;
    then, with the summary's index gone, --skip-existing redoes nothing."""
    sample.profile["assessment_date"] = dt.date(2026, 1, 2)
    inputs = tmp_path / "intakes"
    inputs.mkdir()
    for stem, name in (("1", "株式会社テスト"), ("2", "株式会社テスト!")):
        sample.profile["organization"] = name
        shutil.move(tmp_intake(framework, sample), inputs / f"{stem}.xlsx")
    out = tmp_path / "out"
    result = batch.run_batch([inputs], out, workers=2, timeout=90.5, portfolio=False,
                             progress=False)
    assert [r.status for r in result.intakes] == ["succeeded", "succeeded"], [
        r.error for r in result.intakes]
    folders = sorted(out / r.folder for r in result.intakes if r.folder)
    assert len(set(folders)) == 2
    assert sorted(org_in(f) for f in folders) == ["株式会社テスト", "株式会社テスト!"]
    [noted] = [r for r in result.intakes if r.note]
    assert "already holds the results of" in (noted.note or "")
    assert "NOTE " in report.summary_text(result)
    summary = json.loads((out / report.SUMMARY_NAME).read_text(encoding="utf-8"))
    assert [e["note"] is not None for e in summary["intakes"]].count(True) == 1
    for folder in folders:  # the audit trail names the folder the files are in
        [notebook] = folder.glob("*.ipynb")
        text = notebook.read_text(encoding="utf-8")
        assert batch.STAGING_NAME not in text and str(folder) in text
    # as after a kill before the summary caught up: no index
    summary.pop("index")
    (out / report.SUMMARY_NAME).write_text(json.dumps(summary), encoding="utf-8")
    again = batch.run_batch([inputs], out, skip_existing=True, portfolio=False, progress=False)
    assert [r.status for r in again.intakes] == ["skipped", "skipped"]
