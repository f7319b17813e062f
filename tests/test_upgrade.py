"""upgrade-intake: a version 1.0 intake's answers copied into a 2.0 workbook.

The fixture tests/data/v1/northwind-cloud.xlsx is the 1.0 Northwind sample as it was committed
before template 2.0 (every target pre-filled with the 1.0 framework default, a cost per
customer of 480). Expected values are read from it here independently of the upgrader, by the
machine keys of its tables.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from assessment.cli import main
from assessment.core.errors import IntakeError
from assessment.core.framework import Framework
from assessment.intake.layout import KEY_ROW, SHEETS, TEMPLATE_VERSION
from assessment.intake.reader import read_intake
from assessment.intake.upgrade import V1_DEFAULT_TARGETS, upgrade_intake

V1 = Path(__file__).resolve().parent / "data" / "v1" / "northwind-cloud.xlsx"


def table(path: Path, role: str) -> dict[str, dict[str, Any]]:
    """Row id -> {machine key: value} of one table of a workbook (id in column A)."""
    ws = openpyxl.load_workbook(path)[SHEETS[role]]
    keys = {c.column: c.value for c in ws[KEY_ROW] if c.value}
    return {str(row[0].value): {keys[c.column]: c.value for c in row if c.column in keys}
            for row in ws.iter_rows(min_row=KEY_ROW + 1) if row[0].value}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def old(tmp_path: Path) -> Path:
    """A private copy of the 1.0 fixture (tests that edit it never touch the committed one)."""
    return Path(shutil.copy(V1, tmp_path / "northwind-1.0.xlsx"))


def edit_old(path: Path, role: str, row_id: str, key: str, value: Any) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEETS[role]]
    col = next(c.column for c in ws[KEY_ROW] if c.value == key)
    row = next(r for r in range(KEY_ROW + 1, ws.max_row + 1) if ws.cell(r, 1).value == row_id)
    ws.cell(row, col).value = value
    wb.save(path)


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


# ----------------------------------------------------------------------------- round trip


def test_fixture_is_a_version_1_workbook() -> None:
    book = openpyxl.load_workbook(V1)
    assert book["Instructions"]["B3"].value == "1.0"
    assert table(V1, "kpis")["cost_per_customer"]["current"] == 480


def test_every_answer_copied(framework: Framework, old: Path, tmp_path: Path) -> None:
    new = tmp_path / "northwind-2.0.xlsx"
    report = upgrade_intake(old, new, framework)
    read = read_intake(new, framework)  # a USD intake: valid as it stands
    assert openpyxl.load_workbook(new)["Instructions"]["B3"].value == TEMPLATE_VERSION

    profile = {k: v["value"] for k, v in table(V1, "profile").items() if v["value"] is not None}
    assert set(read.profile) == set(profile)
    for key, value in profile.items():
        shown = read.profile[key]
        assert (shown.isoformat() if key == "assessment_date" else shown) == (
            value.date().isoformat() if key == "assessment_date" else value), key

    kpis = table(V1, "kpis")
    for kpi in framework.kpis:
        assert read.current[kpi.id] == kpis[kpi.id]["current"], kpi.id
        if kpis[kpi.id].get("notes"):
            assert read.notes[kpi.id] == kpis[kpi.id]["notes"]
    labels = {}
    for qid in ("renewal_practices", "excellence_practices"):
        for item_id, row in table(V1, qid).items():
            labels[f"{qid}.{item_id}"] = row["answer"]
            answer = read.answers[qid][item_id]
            assert (row["answer"] or "").startswith("n/a" if answer == "n/a" else str(answer))
            assert read.notes.get(f"{qid}.{item_id}") == row.get("notes")
    for dim_id, row in table(V1, "customer_expectations").items():
        assert read.ratings[dim_id] == {k: row[k] for k in ("importance", "performance",
                                                            "priority")}
    assert report.copied == {"profile answers": 10, "KPI current values": 26, "own targets": 0,
                             "notes": 17, "practice answers": 24, "ratings": 27}


def test_new_workbook_gets_blank_tracking_sheets(framework: Framework, old: Path,
                                                 tmp_path: Path) -> None:
    """A 1.0 workbook has no Initiatives or Findings sheet: the new one has them, blank."""
    assert SHEETS["initiatives"] not in openpyxl.load_workbook(V1).sheetnames
    new = tmp_path / "northwind-2.0.xlsx"
    report = upgrade_intake(old, new, framework)
    initiatives, findings = table(new, "initiatives"), table(new, "findings")
    assert list(initiatives) == [i.id for i in framework.initiatives]
    assert list(findings) == [f.id for f in framework.findings]
    for row in initiatives.values():
        assert all(row.get(key) is None for key in ("chosen", "owner", "due_date", "status",
                                                      "inhibitors", "notes"))
    assert all(row.get("wording") is None for row in findings.values())
    read = read_intake(new, framework)
    assert read.initiatives == {} and read.finding_wording == {}
    assert "Initiatives" not in report.text() and "Findings" not in report.text()


def test_default_targets_are_not_overrides(framework: Framework, old: Path,
                                           tmp_path: Path) -> None:
    """The 1.0 template pre-filled every target with the 1.0 default: none is copied."""
    old_targets = {k: v["target"] for k, v in table(V1, "kpis").items()
                   if isinstance(v["target"], (int, float))}
    assert old_targets == {k: pytest.approx(v) for k, v in V1_DEFAULT_TARGETS.items()}
    new = tmp_path / "new.xlsx"
    report = upgrade_intake(old, new, framework)
    assert report.data.targets == {} and report.kept_targets == []
    assert len(report.default_targets) == 25 and "cost_per_customer" not in report.default_targets
    assert read_intake(new, framework).targets == {}
    new_kpis = table(new, "kpis")
    assert all(new_kpis[k.id]["target"] is None for k in framework.kpis if k.direction != "band")


def test_own_target_kept(framework: Framework, old: Path, tmp_path: Path) -> None:
    edit_old(old, "kpis", "csat", "target", 0.9)
    report = upgrade_intake(old, tmp_path / "new.xlsx", framework)
    assert report.data.targets == {"csat": 0.9}
    assert [str(t) for t in report.kept_targets] == [
        "KPIs!G12 (old): Customer satisfaction (CSAT) (csat) 90% — old default 85%"]
    assert read_intake(tmp_path / "new.xlsx", framework).targets == {"csat": 0.9}


def test_cost_per_customer_reported_dropped(framework: Framework, old: Path,
                                            tmp_path: Path) -> None:
    report = upgrade_intake(old, tmp_path / "new.xlsx", framework)
    # v1 KPI sheet by hand: the Profit section row 5, then rows 6-9, cost per customer last
    assert [str(d) for d in report.dropped] == [
        "KPIs!A9: KPI cost_per_customer = current 480, target 300, notes 'USD 4.42M support "
        "cost / 9,200 paying accounts' — framework 2.0 removed it: cost per customer is cost "
        "per case × support demand per customer, one cost driver counted twice"]
    assert "cost_per_customer" not in report.data.current


def test_what_is_left_to_fill_in(framework: Framework, old: Path, tmp_path: Path) -> None:
    report = upgrade_intake(old, tmp_path / "new.xlsx", framework)
    assert [(t.cell, t.what) for t in report.to_fill] == [
        ("Profile!C10", "Peer group"), ("Profile!C12", "Alignment with customers (0–10)"),
        ("Profile!C16", "Annual support cost"), ("Profile!C17", "Support contract revenue"),
        ("Profile!C18", "Assisted cases per year")]
    assert report.blank_kpis == [] and report.blank_answers == 0  # Northwind answered all


def test_foreign_currency_needs_a_rate(framework: Framework, old: Path, tmp_path: Path) -> None:
    edit_old(old, "profile", "currency", "value", "EUR")
    edit_old(old, "kpis", "csat", "current", None)
    edit_old(old, "excellence_practices", "goal_cascade", "answer", None)
    new = tmp_path / "new.xlsx"
    report = upgrade_intake(old, new, framework)
    rate = next(t for t in report.to_fill if t.what == "Exchange rate")
    assert str(rate) == ("Profile!C11: Exchange rate — how many EUR one USD buys: required, as "
                         "EUR is not USD")
    assert [str(t) for t in report.blank_kpis] == ["KPIs!F11: Customer satisfaction (CSAT) "
                                                   "(csat)"]
    assert report.blank_answers == 1
    with pytest.raises(IntakeError) as caught:
        read_intake(new, framework)
    assert [i.location for i in caught.value.issues] == ["Profile!C11"]


def test_unknown_item_dropped(framework: Framework, old: Path, tmp_path: Path) -> None:
    edit_old(old, "renewal_practices", "auto_renewal", "item_id", "fax_reminders")
    report = upgrade_intake(old, tmp_path / "new.xlsx", framework)
    dropped = [str(d) for d in report.dropped if "fax" in d.what]
    assert dropped == [f"Renewal practices!A9: practice fax_reminders = answer '4 – Optimized' — "
                       f"framework {framework.name} 2.0 has no practice 'fax_reminders'"]
    assert report.data.answers["renewal_practices"]["auto_renewal"] is None


# ----------------------------------------------------------------------------- command line


def test_cli_prints_the_report(framework: Framework, old: Path, tmp_path: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    before = digest(old)
    new = tmp_path / "out" / "northwind-2.0.xlsx"
    code, out, err = run(capsys, "upgrade-intake", old, new)
    assert code == 0, err
    assert out.startswith(f"Upgraded {old.name} (intake template 1.0) to {new} "
                          "(template 2.0).\nCopied: 10 profile answers, 26 KPI current values")
    assert "Not copied: 25 target(s) the old template had pre-filled" in out
    assert "KPIs!A9: KPI cost_per_customer = current 480" in out
    assert "Still to fill in, in northwind-2.0.xlsx:\n  Profile!C10: Peer group — one of " \
           "it_service_desk, b2b_software, hardware_field_service, consumer" in out
    assert digest(old) == before
    assert sorted(p.name for p in new.parent.iterdir()) == [new.name]  # no temporary left
    code, out, _ = run(capsys, "validate", new)
    assert code == 0 and "valid (Northwind Cloud Software)" in out


def test_cli_never_overwrites_old(old: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = digest(old)
    for target in (old, old.parent / "." / old.name):
        code, _, err = run(capsys, "upgrade-intake", old, target)
        assert code == 2
        assert "the new workbook would overwrite the old one" in err
        assert digest(old) == before


def test_cli_refuses_a_version_2_workbook(old: Path, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    new = tmp_path / "new.xlsx"
    assert run(capsys, "upgrade-intake", old, new)[0] == 0
    code, _, err = run(capsys, "upgrade-intake", new, tmp_path / "again.xlsx")
    assert code == 2
    assert "  Instructions!B3: this workbook is already template version 2.0: there is " \
           "nothing to upgrade" in err
    assert not (tmp_path / "again.xlsx").exists()


def test_cli_names_the_old_cell_of_a_bad_value(old: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    edit_old(old, "kpis", "csat", "current", "abc")
    edit_old(old, "customer_expectations", "availability", "importance", 7)
    code, stdout, err = run(capsys, "upgrade-intake", old, tmp_path / "new.xlsx")
    assert code == 2 and "Traceback" not in stdout + err
    assert "nothing was written" in err
    assert "  KPIs!F12: 'abc' is not a number" in err  # v1: csat on row 12
    assert "  Customer expectations!E5: 7 is not a rating from 1 to 5" in err
    assert not (tmp_path / "new.xlsx").exists()


def test_cli_refuses_what_is_not_a_workbook(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    fake = tmp_path / "intake.xlsx"
    fake.write_text("kpi_id,current\ncsat,0.85\n")
    code, _, err = run(capsys, "upgrade-intake", fake, tmp_path / "new.xlsx")
    assert code == 2 and "is not an Excel workbook" in err


def test_cli_help_explains(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["upgrade-intake", "--help"])
    assert done.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    for phrase in ("version 1.0", "version 2.0 workbook with every answer copied",
                   "differs from the 1.0 framework's default", "cost_per_customer",
                   "still has to fill in", "OLD is never changed", "--framework"):
        assert phrase in text, phrase
