"""The shipped ticket-export mappings: each loads, cites its sources, and maps its fixture.

Every fixture in tests/fixtures/exports/ holds the same 13 tickets, written in that system's
own layout and date format, plus one later row that repeats ticket 5's id (spreadsheet row 15,
an overlap between two exports), which must be left out as ``duplicate_id``.

The 13 tickets (times in UTC; Zendesk writes them at +01:00, which converts back to these):

  #   created          first reply  resolved after  reopens  replies  assignee  esc  SLA met
  1   03-01 08:00      30 min       2 h             0        1        Alice     -    yes
  2   03-02 09:00      60 min       4 h             0        1        Bob       -    yes
  3   03-04 10:00      90 min       6 h             0        2        Alice     -    yes
  4   03-06 11:00      120 min      8 h             1        3        Carol     -    no
  5   03-08 12:00      15 min       1 h             0        1        Bob       -    yes
  6   03-10 13:00      45 min       24 h            0        2        Carol     yes  no
  7   03-12 14:00      240 min      48 h            2        4        Alice     yes  no
  8   03-15 08:30      30 min       3 h             0        1        Bob       -    yes
  9   03-18 09:15      60 min       5 h             0        1        Alice     -    yes
  10  03-21 10:00      20 min       open            0        1        Carol     -    (blank)
  11  03-25 16:00      none         open            0        0        (none)    -    (blank)
  12  03-28 11:00      180 min      12 h            0        2        Bob       yes  yes
  13  03-31 08:00      10 min       open            0        1        Alice     yes  (blank)

Hand computation (methodology section 11):
- period: 2024-03-01 08:00 to 2024-03-31 08:00 = 30.0 days; months = 30 / (365/12) = 360/365.
- resolved: tickets 1-9 and 12 = 10.
- first_contact_resolution: resolved with reopens 0 and replies <= 1 = 1, 2, 5, 8, 9 -> 5/10.
- time_to_first_response: 12 tickets with a reply (all but 11); minutes sorted
  10 15 20 30 30 45 | 60 60 90 120 180 240 -> median (45 + 60) / 2 = 52.5 min = 0.875 h.
- time_to_resolve: hours sorted 1 2 3 4 5 | 6 8 12 24 48 -> median (5 + 6) / 2 = 5.5 h.
- reopen_rate: resolved with reopens > 0 = 4, 7 -> 2/10 = 0.2.
- escalation_rate: escalated 6, 7, 12, 13 over all 13 tickets -> 4/13.
- sla_attainment: SLA given on the 10 resolved tickets, met on 1 2 3 5 8 9 12 -> 7/10.
  ServiceNow's made_sla is also "true" on the 3 open incidents (it stays true until a breach),
  so there it is given on 13 and met on 10 -> 10/13.
- cases_per_engineer_month: 10 resolved / 3 assignees of resolved tickets (Alice, Bob, Carol)
  / (360/365) months = 3650/1080 = 3.3796...
- assisted_cases (annual): 13 x 365 / 30 = 158.1666...
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml

from assessment.evidence.mapping import load_mapping
from assessment.evidence.tickets import ticket_evidence

MAPPINGS = Path(__file__).resolve().parents[1] / "assessment" / "data" / "mappings"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "exports"
SYSTEMS = ["zendesk", "servicenow", "jira", "freshdesk", "salesforce", "generic"]

RESOLVED = 10
TICKETS = 13
DAYS = 30.0
FCR = 5 / 10
TTFR_HOURS = 52.5 / 60
TTR_HOURS = 5.5
REOPEN = 2 / 10
ESCALATION = 4 / 13
SLA = 7 / 10
CPEM = RESOLVED / 3 / (DAYS / (365 / 12))
ASSISTED = TICKETS * 365 / DAYS

# KPI id -> (value, n) the fixture of each system must give; a KPI left out must be reported
# unavailable, because the system's export has no column for it (see the mapping's notes).
EXPECTED: dict[str, dict[str, tuple[float, int]]] = {
    "generic": {
        "first_contact_resolution": (FCR, RESOLVED),
        "time_to_first_response": (TTFR_HOURS, 12),
        "time_to_resolve": (TTR_HOURS, RESOLVED),
        "reopen_rate": (REOPEN, RESOLVED),
        "escalation_rate": (ESCALATION, TICKETS),
        "sla_attainment": (SLA, RESOLVED),
        "cases_per_engineer_month": (CPEM, RESOLVED),
    },
    # the CSV export has no SLA columns
    "zendesk": {
        "first_contact_resolution": (FCR, RESOLVED),
        "time_to_first_response": (TTFR_HOURS, 12),
        "time_to_resolve": (TTR_HOURS, RESOLVED),
        "reopen_rate": (REOPEN, RESOLVED),
        "escalation_rate": (ESCALATION, TICKETS),
        "cases_per_engineer_month": (CPEM, RESOLVED),
    },
    # no first response and no reply count on the incident table
    "servicenow": {
        "time_to_resolve": (TTR_HOURS, RESOLVED),
        "reopen_rate": (REOPEN, RESOLVED),
        "escalation_rate": (ESCALATION, TICKETS),
        "sla_attainment": (10 / 13, TICKETS),
        "cases_per_engineer_month": (CPEM, RESOLVED),
    },
    # no reopen count, reply count, escalation flag or SLA flag in the issue export
    "jira": {
        "time_to_first_response": (TTFR_HOURS, 12),
        "time_to_resolve": (TTR_HOURS, RESOLVED),
        "cases_per_engineer_month": (CPEM, RESOLVED),
    },
    # no reopen count, so first contact resolution (reopens and replies) is unavailable too
    "freshdesk": {
        "time_to_first_response": (TTFR_HOURS, 12),
        "time_to_resolve": (TTR_HOURS, RESOLVED),
        "escalation_rate": (ESCALATION, TICKETS),
        "sla_attainment": (SLA, RESOLVED),
        "cases_per_engineer_month": (CPEM, RESOLVED),
    },
    # a Cases report has no first response, reply count, reopen count or SLA flag
    "salesforce": {
        "time_to_resolve": (TTR_HOURS, RESOLVED),
        "escalation_rate": (ESCALATION, TICKETS),
        "cases_per_engineer_month": (CPEM, RESOLVED),
    },
}

ALL_KPIS = [
    "first_contact_resolution", "time_to_first_response", "time_to_resolve", "reopen_rate",
    "escalation_rate", "sla_attainment", "cases_per_engineer_month",
]


@pytest.mark.parametrize("system", SYSTEMS)
def test_mapping_loads_and_cites_documentation(system: str) -> None:
    path = MAPPINGS / f"{system}.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert raw["system"] == system
    urls = [entry["url"] for entry in raw["documentation"]]
    assert any(url.startswith("https://") for url in urls), urls
    assert raw["notes"].strip()
    load_mapping(system)
    load_mapping(str(path))


def test_every_shipped_mapping_has_a_fixture() -> None:
    shipped = sorted(p.stem for p in MAPPINGS.glob("*.yaml"))
    assert shipped == sorted(SYSTEMS)
    for system in shipped:
        assert (FIXTURES / f"{system}-tickets.csv").is_file()


@pytest.mark.parametrize("system", SYSTEMS)
def test_every_mapped_column_is_in_the_fixture(system: str) -> None:
    raw = yaml.safe_load((MAPPINGS / f"{system}.yaml").read_text(encoding="utf-8"))
    with (FIXTURES / f"{system}-tickets.csv").open(encoding="utf-8", newline="") as fh:
        header = {name.strip() for name in next(csv.reader(fh))}
    for canonical, rule in raw["columns"].items():
        for key in ("column", "plus_minutes", "plus_hours"):
            if key not in rule:
                continue
            names = rule[key] if isinstance(rule[key], list) else [rule[key]]
            assert header & set(names), f"{system}: {canonical}.{key} {names} not in the fixture"


@pytest.fixture(scope="module", params=SYSTEMS)
def evidence(request: pytest.FixtureRequest) -> tuple[str, dict]:
    system = request.param
    report = ticket_evidence(FIXTURES / f"{system}-tickets.csv", system=system)
    return system, report.to_json()


def test_fixture_maps_every_row_but_the_duplicate(evidence: tuple[str, dict]) -> None:
    system, doc = evidence
    assert doc["source"]["system"] == system
    assert doc["source"]["rows"] == 14
    excluded = [(e["reason"], e["rows"], e["first_rows"]) for e in doc["excluded"]]
    assert excluded == [("duplicate_id", 1, [15])]
    assert doc["period"]["from"] == "2024-03-01"
    assert doc["period"]["to"] == "2024-03-31"
    assert doc["period"]["days"] == pytest.approx(DAYS)


def test_fixture_kpis_equal_the_hand_computation(evidence: tuple[str, dict]) -> None:
    system, doc = evidence
    expected = EXPECTED[system]
    for kpi, (value, n) in expected.items():
        got = doc["kpis"].get(kpi)
        assert got is not None, f"{system}: {kpi} missing from {sorted(doc['kpis'])}"
        assert got["value"] == pytest.approx(value), f"{system}: {kpi}"
        assert got["n"] == n, f"{system}: {kpi} n"
    unavailable = {entry["kpi"] for entry in doc["unavailable"]}
    for kpi in ALL_KPIS:
        if kpi not in expected:
            assert kpi in unavailable, f"{system}: {kpi} should be reported unavailable"
            assert kpi not in doc["kpis"], f"{system}: {kpi} given without its columns"
    assert doc["profile"]["assisted_cases"] == pytest.approx(ASSISTED)
