"""Issue 15: evidence from ticket exports and survey responses (methodology §11 and §6).

Every expected number is computed by hand in the comments next to it; the engine
(:mod:`assessment.evidence`) and the command line must agree with them.

The ticket fixture (generic export, times in UTC; spreadsheet row = ticket number + 1):

  #   created (UTC)  first reply after  resolved after  reopens  replies  assignee  esc    SLA
  T1  05-01 08:00    1 h                2 h             0        1        ann       false  true
  T2  05-02 10:00    0.5 h              4 h             0        1        ben       false  true
  T3  05-03 12:00    2 h                10 h            1        3        ann       true   false
  T4  05-04 09:00    3 h                6 h             0        2        cem       false  true
  T5  05-05 14:00    none               1 h             0        0        ben       false  -
  T6  05-06 07:00    4 h                24 h            2        4        cem       true   false
  T7  05-07 11:00    1.5 h              open            0        1        ann       false  -
  T8  05-08 16:00    none               open            0        0        (none)    false  -
  T9  05-09 08:00    0.75 h             3 h             0        1        dan       false  true
  T10 05-11 08:00    5 h                8 h             0        1        ann       true   true

Hand computation (2024):
- period 05-01 08:00 .. 05-11 08:00 = 10.0 days; months = 10 / (365/12) = 120/365.
- resolved: T1-T6, T9, T10 = 8.
- first_contact_resolution: resolved with reopens 0 and replies <= 1: T1 T2 T5 T9 T10 = 5/8.
- time_to_first_response: 8 tickets with a reply (not T5, T8); hours sorted
  0.5 0.75 1 1.5 | 2 3 4 5 -> (1.5 + 2) / 2 = 1.75 h.
- time_to_resolve: 8 resolved; hours sorted 1 2 3 4 | 6 8 10 24 -> (4 + 6) / 2 = 5.0 h.
- reopen_rate: resolved with reopens > 0: T3 T6 = 2/8 = 0.25.
- escalation_rate: T3 T6 T10 = 3/10.
- sla_attainment: given on T1-T4 T6 T9 T10 = 7; met T1 T2 T4 T9 T10 = 5 -> 5/7.
- cases_per_engineer_month: 8 resolved / 4 assignees (ann ben cem dan) / (120/365)
  = 2 * 365 / 120 = 6.08333...
- assisted_cases: 10 * 365 / 10 = 365.
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
import math
from pathlib import Path

import pytest

from assessment.core.errors import ExportError
from assessment.evidence import tickets as tickets_module
from assessment.evidence.survey import survey_evidence
from assessment.evidence.tickets import REASONS, ticket_evidence

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "assessment" / "data" / "samples" / "northwind-cloud.xlsx"
HEADER = ("ticket_id,created_at,first_response_at,resolved_at,reopens,agent_replies,assignee,"
          "channel,escalated,sla_met")
# (id, created UTC, first reply after h, resolved after h, reopens, replies, assignee, channel,
#  escalated, sla_met)
TICKETS: list[tuple] = [
    ("T1", dt.datetime(2024, 5, 1, 8), 1, 2, 0, 1, "ann", "email", "false", "true"),
    ("T2", dt.datetime(2024, 5, 2, 10), 0.5, 4, 0, 1, "ben", "chat", "false", "true"),
    ("T3", dt.datetime(2024, 5, 3, 12), 2, 10, 1, 3, "ann", "email", "true", "false"),
    ("T4", dt.datetime(2024, 5, 4, 9), 3, 6, 0, 2, "cem", "phone", "false", "true"),
    ("T5", dt.datetime(2024, 5, 5, 14), None, 1, 0, 0, "ben", "chat", "false", ""),
    ("T6", dt.datetime(2024, 5, 6, 7), 4, 24, 2, 4, "cem", "email", "true", "false"),
    ("T7", dt.datetime(2024, 5, 7, 11), 1.5, None, 0, 1, "ann", "email", "false", ""),
    ("T8", dt.datetime(2024, 5, 8, 16), None, None, 0, 0, "", "web", "false", ""),
    ("T9", dt.datetime(2024, 5, 9, 8), 0.75, 3, 0, 1, "dan", "chat", "false", "true"),
    ("T10", dt.datetime(2024, 5, 11, 8), 5, 8, 0, 1, "ann", "phone", "true", "true"),
]
EXPECTED = {
    "first_contact_resolution": (5 / 8, 8),
    "time_to_first_response": (1.75, 8),
    "time_to_resolve": (5.0, 8),
    "reopen_rate": (2 / 8, 8),
    "escalation_rate": (3 / 10, 10),
    "sla_attainment": (5 / 7, 7),
    "cases_per_engineer_month": (8 / 4 / (10 / (365 / 12)), 8),
}


def hand_wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson's score interval written out: (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)."""
    p = k / n
    centre = p + z ** 2 / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z ** 2 / (4 * n ** 2))
    return (centre - half) / (1 + z ** 2 / n), (centre + half) / (1 + z ** 2 / n)


def stamp(when: dt.datetime | None, style: str) -> str:
    """A UTC time written as 'Z', as '+02:00' local time, or naive Berlin summer time (UTC+2)."""
    if when is None:
        return ""
    if style == "utc":
        return when.strftime("%Y-%m-%dT%H:%M:%SZ")
    local = when + dt.timedelta(hours=2)
    if style == "offset":
        return local.strftime("%Y-%m-%dT%H:%M:%S+02:00")
    return local.strftime("%Y-%m-%d %H:%M:%S")  # naive, Europe/Berlin (CEST in May)


def ticket_rows(style: str = "utc") -> list[list[str]]:
    rows = []
    for tid, created, fr, res, reopens, replies, who, channel, esc, sla in TICKETS:
        first = None if fr is None else created + dt.timedelta(hours=fr)
        resolved = None if res is None else created + dt.timedelta(hours=res)
        rows.append([tid, stamp(created, style), stamp(first, style), stamp(resolved, style),
                     str(reopens), str(replies), who, channel, esc, sla])
    return rows


def ticket_csv(style: str = "utc", sep: str = ",") -> str:
    lines = [HEADER] + [",".join(r) for r in ticket_rows(style)]
    return "\n".join(line.replace(",", sep) for line in lines) + "\n"


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def check_kpis(report, *, tickets: int = 10, days: float = 10.0) -> None:
    """The hand-computed KPIs of the module docstring."""
    doc = report.to_json()
    for kpi, (value, n) in EXPECTED.items():
        assert doc["kpis"][kpi]["value"] == pytest.approx(value, rel=1e-12, abs=1e-12), kpi
        assert doc["kpis"][kpi]["n"] == n, kpi
    assert doc["period"] == {"from": "2024-05-01", "to": "2024-05-11",
                             "days": pytest.approx(days, abs=1e-9)}
    # assisted_cases = 10 * 365 / 10 = 365
    assert doc["profile"]["assisted_cases"] == pytest.approx(tickets * 365 / days, rel=1e-12)
    assert doc["excluded"] == []


# --------------------------------------------------------------------------- 1. ticket KPIs


def test_ticket_kpis_by_hand(tmp_path: Path) -> None:
    report = ticket_evidence(write(tmp_path, "t.csv", ticket_csv()), system="generic")
    check_kpis(report)
    kpis = report.to_json()["kpis"]
    # FCR 5/8 with Wilson: p = 0.625, z = 1.96, n = 8
    lo, hi = hand_wilson(5, 8)
    assert kpis["first_contact_resolution"]["ci"][0] == pytest.approx(lo, abs=1e-12)
    assert kpis["first_contact_resolution"]["ci"][1] == pytest.approx(hi, abs=1e-12)
    assert 0.30 < lo < 0.31 and 0.86 < hi < 0.87  # 0.3057.. and 0.8632.. (sanity)
    for kpi, (k, n) in {"reopen_rate": (2, 8), "escalation_rate": (3, 10),
                        "sla_attainment": (5, 7)}.items():
        assert kpis[kpi]["ci"] == pytest.approx(list(hand_wilson(k, n)), abs=1e-12), kpi
    assert kpis["time_to_resolve"]["ci"] is None
    assert all(k["definition"] for k in kpis.values())
    # 2 * 365 / 120 = 6.083333...
    assert kpis["cases_per_engineer_month"]["value"] == pytest.approx(730 / 120, rel=1e-12)


def test_offsets_are_converted_to_utc(tmp_path: Path) -> None:
    # the same instants written as local time +02:00 give the same KPIs and UTC period
    report = ticket_evidence(write(tmp_path, "t.csv", ticket_csv("offset")))
    check_kpis(report)


def test_naive_times_in_the_given_zone(tmp_path: Path) -> None:
    # naive Berlin summer time (UTC+2) read with tz=Europe/Berlin: the same KPIs
    report = ticket_evidence(write(tmp_path, "t.csv", ticket_csv("naive")), tz="Europe/Berlin")
    check_kpis(report)
    assert report.to_json()["source"]["timezone"] == "Europe/Berlin"


def test_zone_is_applied_across_daylight_saving(tmp_path: Path) -> None:
    # Berlin goes from CET (+01:00) to CEST (+02:00) at 2024-03-31 02:00 local.
    # created 03-30 12:00 local = 11:00 UTC, resolved 03-31 12:00 local = 10:00 UTC -> 23 h;
    # read as UTC the same text is 24 h.
    text = (HEADER + "\n" + "D1,2024-03-30 12:00:00,,2024-03-31 12:00:00,0,1,ann,web,false,\n"
            "D2,2024-03-30 13:00:00,,2024-03-31 13:00:00,0,1,ann,web,false,\n")
    path = write(tmp_path, "dst.csv", text)
    berlin = ticket_evidence(path, tz="Europe/Berlin").to_json()["kpis"]["time_to_resolve"]
    utc = ticket_evidence(path).to_json()["kpis"]["time_to_resolve"]
    assert berlin["value"] == pytest.approx(23.0, abs=1e-12)
    assert utc["value"] == pytest.approx(24.0, abs=1e-12)


def test_from_to_narrow_the_period(tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", ticket_csv())
    report = ticket_evidence(path, date_from=dt.date(2024, 5, 2), date_to=dt.date(2024, 5, 9))
    doc = report.to_json()
    # T1 (row 2, 05-01) and T10 (row 11, 05-11) are outside 05-02..05-09
    assert doc["excluded"] == [{"reason": "outside_period", "rows": 2, "first_rows": [2, 11],
                                "description": REASONS["outside_period"]}]
    # days = 05-02 00:00 .. 05-10 00:00 (inclusive span) = 8.0
    assert doc["period"] == {"from": "2024-05-02", "to": "2024-05-09",
                             "days": pytest.approx(8.0, abs=1e-12)}
    # tickets T2-T9 = 8 -> assisted 8 * 365 / 8 = 365
    assert doc["profile"]["assisted_cases"] == pytest.approx(365.0, rel=1e-12)
    # resolved T2-T6, T9 = 6; FCR T2 T5 T9 = 3/6
    assert doc["kpis"]["first_contact_resolution"]["value"] == pytest.approx(0.5)
    assert doc["kpis"]["first_contact_resolution"]["n"] == 6
    # escalated T3 T6 of 8 = 0.25
    assert doc["kpis"]["escalation_rate"]["value"] == pytest.approx(0.25)
    # resolved 6 / assignees ann ben cem dan = 4 / (8 / (365/12)) months = 6*365/(4*8*12)
    assert doc["kpis"]["cases_per_engineer_month"]["value"] == pytest.approx(
        6 * 365 / (4 * 8 * 12), rel=1e-12)


# --------------------------------------------------------------------------- 2. bad rows

BAD_ROWS = [  # row number: what it is
    "A1,2024-05-02T08:00:00Z,2024-05-02T09:00:00Z,2024-05-02T10:00:00Z,0,1,ann,web,false,true",
    ",2024-05-02T08:00:00Z,,,0,1,ann,web,false,",                    # 3 missing_id
    "A1,yesterday,,,0,1,ann,web,false,",                             # 4 duplicate_id (first)
    "B1,yesterday,,,0,1,ann,web,false,",                             # 5 unparsable_timestamp
    "B2,,,,0,1,ann,web,false,",                                      # 6 missing_created
    "B3,2024-05-03T10:00:00Z,2024-05-03T09:00:00Z,,0,1,ann,web,false,",  # 7 responded before
    "B4,2024-05-03T10:00:00Z,,2024-05-03T09:00:00Z,0,1,ann,web,false,",  # 8 resolved before
    "B5,2024-05-03T10:00:00Z,,,two,1,ann,web,false,",                # 9 unparsable_count
    "B6,2024-05-03T10:00:00Z,,,0,-1,ann,web,false,",                 # 10 negative_count
    "B7,2024-05-03T10:00:00Z,,2024-05-03T12:00:00Z,,1,ann,web,false,",  # 11 missing_count
    "B8,2024-05-03T10:00:00Z,,,0,1,ann,web,maybe,",                  # 12 unparsable_flag
    "B9,2024-04-20T10:00:00Z,,,0,1,ann,web,false,",                  # 13 outside_period
    "A2,2024-05-04T08:00:00Z,,2024-05-04T12:00:00Z,0,1,ben,web,false,true",  # 14 good
    "B10,not a date,,,-3,1,ann,web,false,",                          # 15 unparsable_ts (first)
    ",,,,,,,,,",                                                     # 16 missing_id (first)
    "A3,2024-05-05T08:00:00Z,,,,,cem,web,false,",                    # 17 open, blank counts: ok
    "B11,2024-05-05T08:00:00Z,,,1.5,1,ann,web,false,",               # 18 unparsable_count
]


def test_bad_rows_without_blank_ids(tmp_path: Path) -> None:
    # BAD_ROWS without its two blank-id rows (3 and 16): every other reason, renumbered
    lines = [r for i, r in enumerate(BAD_ROWS) if i not in (1, 14)]
    path = write(tmp_path, "bad.csv", HEADER + "\n" + "\n".join(lines) + "\n")
    doc = ticket_evidence(path, date_from=dt.date(2024, 5, 1)).to_json()
    got = {e["reason"]: (e["rows"], e["first_rows"]) for e in doc["excluded"]}
    assert got == {
        "duplicate_id": (1, [3]),            # A1 again; its bad date is not counted too
        "unparsable_timestamp": (2, [4, 14]),  # B1, B10 (B10's -3 not counted again)
        "missing_created": (1, [5]),
        "responded_before_created": (1, [6]),
        "resolved_before_created": (1, [7]),
        "unparsable_count": (2, [8, 16]),    # "two" and "1.5"
        "negative_count": (1, [9]),
        "missing_count": (1, [10]),
        "unparsable_flag": (1, [11]),
        "outside_period": (1, [12]),
    }
    assert doc["source"]["rows"] == 15
    # kept A1 A2 A3: 3 tickets; resolved A1 A2, both FCR -> 2/2
    assert doc["kpis"]["first_contact_resolution"]["value"] == 1.0
    assert doc["kpis"]["first_contact_resolution"]["n"] == 2
    assert doc["kpis"]["escalation_rate"]["n"] == 3


def test_duplicate_with_a_blank_id(tmp_path: Path) -> None:
    # row 2 X1, row 3 blank id, row 4 X1 again: count(id) = 2, count(DISTINCT hash(id)) = 2
    text = (HEADER + "\n" + "X1,2024-05-01T08:00:00Z,,,0,1,ann,web,false,\n"
            ",2024-05-01T09:00:00Z,,,0,1,ann,web,false,\n"
            "X1,2024-05-01T10:00:00Z,,,0,1,ann,web,false,\n")
    doc = ticket_evidence(write(tmp_path, "d.csv", text)).to_json()
    got = {e["reason"]: (e["rows"], e["first_rows"]) for e in doc["excluded"]}
    assert got == {"missing_id": (1, [3]), "duplicate_id": (1, [4])}


def test_bad_rows_by_first_reason(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.csv", HEADER + "\n" + "\n".join(BAD_ROWS) + "\n")
    report = ticket_evidence(path, date_from=dt.date(2024, 5, 1))
    doc = report.to_json()
    got = {e["reason"]: (e["rows"], e["first_rows"]) for e in doc["excluded"]}
    assert got == {
        "missing_id": (2, [3, 16]),
        "duplicate_id": (1, [4]),
        "unparsable_timestamp": (2, [5, 15]),
        "missing_created": (1, [6]),
        "responded_before_created": (1, [7]),
        "resolved_before_created": (1, [8]),
        "unparsable_count": (2, [9, 18]),
        "negative_count": (1, [10]),
        "missing_count": (1, [11]),
        "unparsable_flag": (1, [12]),
        "outside_period": (1, [13]),
    }
    assert [e["reason"] for e in doc["excluded"]] == list(REASONS)  # listed in REASONS order
    assert doc["source"]["rows"] == 17  # every data row counted once
    # kept: A1, A2, A3 -> 3 tickets; resolved A1 A2 both FCR -> 2/2
    assert doc["kpis"]["first_contact_resolution"]["value"] == 1.0
    assert doc["kpis"]["first_contact_resolution"]["n"] == 2
    assert doc["kpis"]["escalation_rate"]["n"] == 3


def test_spaces_around_csv_cells_and_all_space_cells(tmp_path: Path) -> None:
    # row 2: every cell padded; row 3: ' A1 ' repeats row 2's id once trimmed; row 4: blank
    # (all-space) first response, resolution and counts: an open ticket, not a bad row;
    # row 5: a padded but unreadable count
    text = (HEADER + "\n"
            "  A1 , 2024-05-02T08:00:00Z ,  2024-05-02T09:00:00Z , 2024-05-02 10:00:00 "
            ", 0 , 1 , ann ,web, TRUE ,  yes \n"
            " A1 ,2024-05-02T08:00:00Z,,,0,1,ann,web,false,\n"
            "B1,2024-05-03T08:00:00Z,   ,   ,  ,  ,ben,web,false,\n"
            "B2,2024-05-03T08:00:00Z,,, 1.5 ,1,ben,web,false,\n")
    doc = ticket_evidence(write(tmp_path, "s.csv", text)).to_json()
    got = {e["reason"]: (e["rows"], e["first_rows"]) for e in doc["excluded"]}
    assert got == {"duplicate_id": (1, [3]), "unparsable_count": (1, [5])}
    kpis = doc["kpis"]
    assert kpis["time_to_first_response"]["value"] == 1.0  # A1 only: B1's is blank
    assert kpis["time_to_first_response"]["n"] == 1
    assert kpis["time_to_resolve"]["value"] == 2.0
    assert kpis["first_contact_resolution"]["n"] == 1  # B1 is open
    assert kpis["escalation_rate"]["value"] == 0.5  # A1 TRUE, B1 false
    assert kpis["sla_attainment"]["n"] == 1  # B1's SLA is blank


def test_repeated_ids_found_the_same_by_sorting_and_by_the_spilling_aggregate(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # many repeats (every id of 300 rows seen three times, plus a blank id) so both paths work
    lines = [f"R{i % 100},2024-05-01T08:00:00Z,,,0,1,ann,web,false," for i in range(300)]
    lines.insert(150, ",2024-05-01T08:00:00Z,,,0,1,ann,web,false,")
    path = write(tmp_path, "r.csv", HEADER + "\n" + "\n".join(lines) + "\n")
    sorted_doc = ticket_evidence(path).to_json()
    monkeypatch.setattr(tickets_module, "SORT_HASHES_MAX_ROWS", 0)
    spilled_doc = ticket_evidence(path).to_json()
    got = {e["reason"]: (e["rows"], e["first_rows"]) for e in sorted_doc["excluded"]}
    # rows 2..101 are the first R0..R99; row 102 is the first repeat; row 152 the blank id
    assert got == {"missing_id": (1, [152]),
                   "duplicate_id": (200, list(range(102, 112)))}
    assert sorted_doc["excluded"] == spilled_doc["excluded"]
    assert sorted_doc["kpis"] == spilled_doc["kpis"]


# --------------------------------------------------------------------------- 3. Parquet


def test_parquet_gives_the_same_kpis(tmp_path: Path) -> None:
    import duckdb

    csv = write(tmp_path, "t.csv", ticket_csv("offset"))
    out = tmp_path / "t.parquet"
    con = duckdb.connect()
    con.execute("SET TimeZone='UTC'")
    con.execute(f"""COPY (SELECT ticket_id,
            CAST(created_at AS TIMESTAMPTZ) AS created_at,
            CAST(nullif(first_response_at, '') AS TIMESTAMPTZ) AS first_response_at,
            CAST(nullif(resolved_at, '') AS TIMESTAMPTZ) AS resolved_at,
            CAST(reopens AS INTEGER) AS reopens, CAST(agent_replies AS INTEGER) AS agent_replies,
            nullif(assignee, '') AS assignee, channel,
            CAST(escalated AS BOOLEAN) AS escalated,
            CAST(nullif(sla_met, '') AS BOOLEAN) AS sla_met
        FROM read_csv('{csv}', all_varchar=true, header=true))
        TO '{out}' (FORMAT parquet)""")
    types = dict(con.execute(f"DESCRIBE SELECT * FROM '{out}'").fetchall()[i][:2]
                 for i in range(10))
    con.close()
    assert types["created_at"] == "TIMESTAMP WITH TIME ZONE"
    assert types["reopens"] == "INTEGER" and types["sla_met"] == "BOOLEAN"
    report = ticket_evidence(out)
    check_kpis(report)
    assert report.to_json()["source"]["format"] == "parquet"


# --------------------------------------------------------------------------- 4. encodings


def test_utf8_bom(tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", codecs.BOM_UTF8 + ticket_csv().encode("utf-8"))
    check_kpis(ticket_evidence(path))


def test_utf16_tab_unicode_text(tmp_path: Path) -> None:
    path = write(tmp_path, "t.txt",
                 codecs.BOM_UTF16_LE + ticket_csv(sep="\t").encode("utf-16-le"))
    report = ticket_evidence(path)
    check_kpis(report)
    assert report.source["encoding"] == "utf-16" and report.source["delimiter"] == "tab"


def test_semicolon(tmp_path: Path) -> None:
    report = ticket_evidence(write(tmp_path, "t.csv", ticket_csv(sep=";")))
    check_kpis(report)
    assert report.source["delimiter"] == "semicolon"


def test_ambiguous_delimiter_refused(tmp_path: Path) -> None:
    text = ticket_csv().replace("created_at,", "created_at;", 1)
    with pytest.raises(ExportError) as caught:
        ticket_evidence(write(tmp_path, "t.csv", text))
    assert "--delimiter" in caught.value.report()


def test_latin1_needs_encoding(tmp_path: Path) -> None:
    text = ticket_csv().replace(",ann,", ",José,")
    path = write(tmp_path, "t.csv", text.encode("latin-1"))
    with pytest.raises(ExportError) as caught:
        ticket_evidence(path)
    assert "latin-1" in caught.value.report()
    check_kpis(ticket_evidence(path, encoding="latin-1"))


# --------------------------------------------------------------------------- 5. surveys


def test_csat(tmp_path: Path) -> None:
    # rows 2-9 valid: 5 4 3 5 2 4 1 5 -> 4-5 answers: 5 of 8 = 0.625
    # row 10 "6" outside, 11 "abc" not a number, 12 blank, 13 "4.5" outside (not whole)
    path = write(tmp_path, "csat.csv", "id,csat\n" + "".join(
        f"r{i},{v}\n" for i, v in enumerate(["5", "4", "3", "5", "2", "4", "1", "5",
                                             "6", "abc", "", "4.5"])))
    report = survey_evidence(path, "csat")
    doc = report.to_json()
    assert doc["kpis"]["csat"]["value"] == pytest.approx(0.625)
    assert doc["kpis"]["csat"]["n"] == 8
    assert doc["kpis"]["csat"]["ci"] == pytest.approx(list(hand_wilson(5, 8)), abs=1e-12)
    got = {e["reason"]: (e["rows"], e["first_rows"]) for e in doc["excluded"]}
    assert got == {"blank": (1, [12]), "not_a_number": (1, [11]),
                   "outside_scale": (2, [10, 13])}


def test_csat_from_a_workbook(tmp_path: Path) -> None:
    """The same answers in an .xlsx (first sheet, header in row 1) give the same figure and
    the same sheet rows; dates typed as Excel dates set the period."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["id", "responded_at", "csat"])
    answers = [5, 4, 3, 5, 2, 4, 1, 5, 6, "abc", None, 4.5]
    for i, value in enumerate(answers):
        ws.append([f"r{i}", dt.datetime(2026, 3, 2 + i % 5, 9), value])
    path = tmp_path / "csat.xlsx"
    wb.save(path)
    doc = survey_evidence(path, "csat").to_json()
    assert doc["source"]["format"] == "xlsx" and doc["source"]["file"] == "csat.xlsx"
    assert doc["kpis"]["csat"]["value"] == pytest.approx(0.625)
    assert doc["kpis"]["csat"]["ci"] == pytest.approx(list(hand_wilson(5, 8)), abs=1e-12)
    got = {e["reason"]: (e["rows"], e["first_rows"]) for e in doc["excluded"]}
    assert got == {"blank": (1, [12]), "not_a_number": (1, [11]),
                   "outside_scale": (2, [10, 13])}
    assert doc["period"]["from"] == "2026-03-02" and doc["period"]["to"] == "2026-03-06"


def test_nps(tmp_path: Path) -> None:
    # valid 10 9 9 10 8 7 6 3 9 10: promoters (9-10) 6, detractors (0-6) 2, n 10
    # NPS = 100 (0.6 - 0.2) = 40; half = 1.96 * 100 * sqrt((0.6 + 0.2 - 0.4²) / 10)
    #     = 196 * sqrt(0.064) = 196 * 0.252982 = 49.5845; interval (-9.5845, 89.5845)
    answers = ["10", "9", "9", "10", "8", "7", "6", "3", "9", "10", "11", "-1"]
    path = write(tmp_path, "nps.csv", "nps\n" + "\n".join(answers) + "\n")
    doc = survey_evidence(path, "nps").to_json()
    half = 1.96 * 100 * math.sqrt((0.6 + 0.2 - (0.6 - 0.2) ** 2) / 10)
    assert doc["kpis"]["nps"]["value"] == pytest.approx(40.0, abs=1e-9)
    assert doc["kpis"]["nps"]["n"] == 10
    assert doc["kpis"]["nps"]["ci"] == pytest.approx([40 - half, 40 + half], abs=1e-9)
    assert half == pytest.approx(49.5845, abs=1e-4)
    assert doc["excluded"][0]["reason"] == "outside_scale"
    assert doc["excluded"][0]["first_rows"] == [12, 13]


def test_ces(tmp_path: Path) -> None:
    # valid 7 5 6 4 3 5 2 7 -> agreeing 5-7: 7 5 6 5 7 = 5 of 8; "0" and "8" are off the 1-7 scale
    answers = ["7", "5", "6", "4", "3", "5", "2", "7", "0", "8"]
    path = write(tmp_path, "ces.csv", "effort\n" + "\n".join(answers) + "\n")
    doc = survey_evidence(path, "ces", column="effort").to_json()
    fig = doc["kpis"]["customer_effort_score"]
    assert fig["value"] == pytest.approx(5 / 8) and fig["n"] == 8
    assert fig["ci"] == pytest.approx(list(hand_wilson(5, 8)), abs=1e-12)
    assert doc["excluded"][0]["rows"] == 2 and doc["excluded"][0]["first_rows"] == [10, 11]


def test_expectations(tmp_path: Path) -> None:
    head = ("respondent,group,availability.importance,availability.performance,"
            "availability.priority,self_help.importance,self_help.performance,"
            "self_help.priority")
    rows = [
        "c1,customer,5,3,,2,4,", "c2,customer,4,3,,3,4,", "c3,Customer,4,2,,3,5,",
        "c4,customer,3,4,,2,3,", "c5,customer,5,3,,4,4,",
        "s1,staff,,,4,,,2", "s2,staff,,,5,,,2", "s3,staff,,,3,,,3", "s4,staff,,,4,,,",
        "s5,staff,,,4,,,",
        "p1,partner,5,5,5,5,5,5",  # row 12: unknown group
        "x1,,1,1,1,1,1,1",         # row 13: no group
    ]
    path = write(tmp_path, "exp.csv", head + "\n" + "\n".join(rows) + "\n")
    report = survey_evidence(path, "expectations", dimensions=["availability", "self_help"])
    exp = report.to_json()["expectations"]
    # availability.importance 5 4 4 3 5: mean 21/5 = 4.2; squares of deviations
    #   .64 .04 .04 1.44 .64 = 2.8, / (5-1) = 0.7 -> sd sqrt(0.7)
    # availability.performance 3 3 2 4 3: mean 3.0; 0 0 1 1 0 = 2 / 4 -> sd sqrt(0.5)
    # availability.priority 4 5 3 4 4 (staff, 5): mean 4.0; sd sqrt(2/4)
    # self_help.importance 2 3 3 2 4: mean 2.8; 2.8 / 4 -> sd sqrt(0.7)
    # self_help.performance 4 4 5 3 4: mean 4.0; sd sqrt(0.5)
    # self_help.priority 2 2 3 (3 staff answered): mean 7/3; (1/9+1/9+4/9)/2 = 1/3 -> sd sqrt(1/3)
    want = {
        ("availability", "importance"): (4.2, math.sqrt(0.7), 5),
        ("availability", "performance"): (3.0, math.sqrt(0.5), 5),
        ("availability", "priority"): (4.0, math.sqrt(0.5), 5),
        ("self_help", "importance"): (2.8, math.sqrt(0.7), 5),
        ("self_help", "performance"): (4.0, math.sqrt(0.5), 5),
        ("self_help", "priority"): (7 / 3, math.sqrt(1 / 3), 3),
    }
    for (dim, rating), (mean, sd, n) in want.items():
        got = exp[dim][rating]
        assert got["mean"] == pytest.approx(mean, abs=1e-12), (dim, rating)
        assert got["sd"] == pytest.approx(sd, abs=1e-12), (dim, rating)
        assert got["n"] == n, (dim, rating)
    # fewer than 5 staff rated self_help -> flagged; availability has 5 in each group
    assert exp["self_help"]["flagged"] is True
    assert exp["availability"]["flagged"] is False
    fig = report.figure("expectation", "self_help.priority")
    assert fig is not None and fig.flagged and fig.n == 3
    excluded = {e.reason: (e.rows, e.first_rows) for e in report.excluded}
    assert excluded == {"unknown_group": (2, (12, 13))}


# --------------------------------------------------------------------------- 6. command line


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    from assessment.cli import main

    try:
        code = main(list(argv))
    except SystemExit as stop:  # argparse: --help and usage errors
        code = int(stop.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = write(tmp_path, "t.csv", ticket_csv())
    out = tmp_path / "ev.json"
    code, _, err = run(capsys, "evidence", "tickets", str(src), "--system", "generic",
                       "--json", str(out))
    assert code == 0, err
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["schema"] == "support-excellence/evidence@1"
    assert doc["source"]["file"] == "t.csv" and doc["source"]["kind"] == "tickets"
    assert set(doc["period"]) >= {"from", "to"}
    for kpi, (value, n) in EXPECTED.items():
        entry = doc["kpis"][kpi]
        assert set(entry) == {"value", "n", "ci", "definition"}
        assert entry["value"] == pytest.approx(value, rel=1e-12) and entry["n"] == n
    assert doc["profile"] == {"assisted_cases": pytest.approx(365.0)}
    assert doc["excluded"] == []


def test_cli_bad_rows_in_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # rows 2 A1, 3 A1 again (with a bad date: duplicate_id comes first), 4 B1 bad date
    lines = [BAD_ROWS[0], BAD_ROWS[2], BAD_ROWS[3]]
    src = write(tmp_path, "bad.csv", HEADER + "\n" + "\n".join(lines) + "\n")
    out = tmp_path / "ev.json"
    code, _, err = run(capsys, "evidence", "tickets", str(src), "--json", str(out))
    assert code == 0, err
    excluded = json.loads(out.read_text(encoding="utf-8"))["excluded"]
    assert [{k: e[k] for k in ("reason", "rows", "first_rows")} for e in excluded] == [
        {"reason": "duplicate_id", "rows": 1, "first_rows": [3]},
        {"reason": "unparsable_timestamp", "rows": 1, "first_rows": [4]}]


def test_cli_missing_columns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = write(tmp_path, "t.csv", "id,opened,closed\n1,2024-05-01,2024-05-02\n")
    out = tmp_path / "ev.json"
    code, _, err = run(capsys, "evidence", "tickets", str(src), "--json", str(out))
    assert code == 2
    for column in ("ticket_id", "created_at", "resolved_at"):
        assert f"{column} (column '{column}')" in err
    assert "Mapping used: generic" in err
    assert "'id', 'opened', 'closed'" in err  # what the file has instead
    assert "Traceback" not in err
    assert not out.exists()


def test_cli_intake_needs_out(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = write(tmp_path, "t.csv", ticket_csv())
    code, _, err = run(capsys, "evidence", "tickets", str(src), "--intake", str(SAMPLE))
    assert code == 2 and "--out" in err


def test_cli_out_is_intake_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = write(tmp_path, "t.csv", ticket_csv())
    intake = tmp_path / "in.xlsx"
    intake.write_bytes(SAMPLE.read_bytes())
    before = intake.read_bytes()
    code, _, err = run(capsys, "evidence", "tickets", str(src), "--intake", str(intake),
                       "--out", str(intake))
    assert code == 2, err
    assert "Traceback" not in err
    assert intake.read_bytes() == before


def test_cli_fills_a_copy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import openpyxl

    from assessment.core.framework import load_framework
    from assessment.core.scoring import score
    from assessment.intake.reader import read_intake

    src = write(tmp_path, "t.csv", ticket_csv())
    intake = tmp_path / "in.xlsx"
    intake.write_bytes(SAMPLE.read_bytes())
    before = intake.read_bytes()
    new, out = tmp_path / "new.xlsx", tmp_path / "ev.json"
    code, _, err = run(capsys, "evidence", "tickets", str(src), "--json", str(out),
                       "--intake", str(intake), "--out", str(new))
    assert code == 0, err
    assert new.is_file() and intake.read_bytes() == before
    kpis = json.loads(out.read_text(encoding="utf-8"))["kpis"]
    framework = load_framework()
    data = read_intake(new, framework)
    for kpi, entry in kpis.items():
        assert data.current[kpi] == pytest.approx(entry["value"], rel=1e-9), kpi
    assert data.profile["assisted_cases"] == 365
    results = score(framework, data)
    listed = {(e["target"], e["id"]): e for e in results["evidence"]}
    assert listed[("profile", "assisted_cases")]["used"] is True
    for kpi, entry in kpis.items():
        assert listed[("kpi", kpi)]["used"] is True, kpi
        assert listed[("kpi", kpi)]["value"] == pytest.approx(entry["value"], rel=1e-9)
    per_kpi = {k["id"]: k for k in results["kpis"]}
    for kpi, entry in kpis.items():
        assert per_kpi[kpi]["current"] == pytest.approx(entry["value"], rel=1e-9), kpi
        ev = per_kpi[kpi]["evidence"]
        assert ev["n"] == entry["n"], kpi
        assert (ev["ci"] is None) == (entry["ci"] is None), kpi
        if entry["ci"]:
            assert ev["ci"] == pytest.approx(entry["ci"], rel=1e-9), kpi

    # type another value over one KPI: set aside (used=False) with a warning naming the cell
    cell = data.cells["kpi.reopen_rate"]
    sheet, _, coord = cell.partition("!")
    book = openpyxl.load_workbook(new)
    book[sheet.strip("'")][coord] = 0.5
    book.save(new)
    typed = read_intake(new, framework)
    assert typed.current["reopen_rate"] == 0.5
    assert any(cell in w and "reopen_rate" in w for w in typed.warnings), typed.warnings
    results = score(framework, typed)
    entry = next(e for e in results["evidence"] if e["id"] == "reopen_rate")
    assert entry["used"] is False
    per_kpi = {k["id"]: k for k in results["kpis"]}
    assert per_kpi["reopen_rate"]["evidence"] is None
    assert per_kpi["first_contact_resolution"]["evidence"] is not None


@pytest.mark.parametrize(("argv", "words"), [
    (["evidence", "--help"], ["tickets", "survey"]),
    (["evidence", "tickets", "--help"], ["--system"]),
    (["evidence", "survey", "--help"], ["--kind"]),
])
def test_cli_help(argv: list[str], words: list[str],
                  capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, *argv)
    assert code == 0
    for word in words:
        assert word in out


def test_cli_bad_mapping_names_each_key(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    """A consultant's own mapping with mistakes: exit 2, every mistake with its YAML key."""
    mapping = write(tmp_path, "mine.yaml", "schema: support-excellence/mapping@1\ncolumns:\n"
                    "  ticket_id: {column: ID}\n  created_at: {column: Created, plus_days: X}\n"
                    "  resolved: {column: Solved}\n")
    tickets = write(tmp_path, "t.csv", "ID,Created,Solved\nA,2024-01-01,2024-01-02\n")
    code, _, err = run(capsys, "evidence", "tickets", str(tickets), "--mapping", str(mapping),
                       "--json", str(tmp_path / "out.json"))
    assert code == 2
    assert "the column mapping" in err and "3 problem(s)" in err
    assert "mine.yaml: columns.created_at: plus_days cannot be used" in err
    assert "mine.yaml: columns.resolved: 'resolved' is not a canonical column" in err
    assert "the required column resolved_at is not mapped" in err
    assert not (tmp_path / "out.json").exists()
