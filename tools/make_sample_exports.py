"""Write the bundled synthetic exports: ``python tools/make_sample_exports.py``.

Harbor City IT (the internal service-desk sample) gets one week of a ServiceNow incident list
export (CSV, field names as headers, display values in the desk's time zone, Europe/Berlin)
and the closure survey's CSAT answers of the same week. The figures are drawn from a fixed seed
around the sample's typed values, so ``make demo`` can show an intake filled from evidence; a
few rows are deliberately unusable (a repeated number, a resolution before opening, an answer
of 7 on a 1-5 scale) so the account of rows left out has something to show. Fictional data.
A maintenance script of the repository: it is not part of the package.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "assessment" / "data" / "samples" / "exports"
START = dt.datetime(2026, 3, 2)  # a Monday; the week runs to the next Monday 00:00
TICKETS = 1553  # about 81,000 a year
ENGINEERS = [f"{first} {last}" for first, last in zip(
    ("Anna", "Bram", "Carla", "Daan", "Eva", "Femke", "Gijs", "Hanna", "Ivo", "Jet", "Koen",
     "Lotte", "Milan", "Noor", "Olaf", "Pien", "Quinn", "Ruben", "Sanne", "Thijs", "Uma",
     "Vera", "Wout", "Xena", "Yara", "Zeger", "Amir", "Bo", "Cas", "Dewi", "Emre", "Fleur",
     "Guus", "Hugo", "Ilse", "Joris"),
    ("de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder",
     "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer",
     "de Wit", "Dijkstra", "Smits", "de Graaf", "van der Meer", "van der Linden", "Kok",
     "Jacobs", "de Haan", "Vermeulen", "van den Berg", "van der Heijden", "Schouten",
     "van Beek", "Willems", "van Vliet", "van de Ven", "Hoekstra", "Maas", "Verhoeven"),
    strict=True)]
HEADER = ["number", "short_description", "state", "priority", "assignment_group", "assigned_to",
          "contact_type", "opened_at", "resolved_at", "closed_at", "reopen_count",
          "reassignment_count", "escalation", "made_sla"]
SUBJECTS = ("Password reset", "Printer offline", "VPN drops", "Ward PC slow",
            "EPR login fails", "New starter account", "Badge reader", "Email quota")


def _stamp(when: dt.datetime | None) -> str:
    return "" if when is None else when.strftime("%Y-%m-%d %H:%M:%S")


def incidents(rng: random.Random) -> str:
    rows = []
    week = 7 * 86400
    for i in range(TICKETS):
        # the first and the last incident open exactly a week apart: a period of 7.0 days
        offset = 0 if i == 0 else week if i == TICKETS - 1 else rng.randrange(1, week)
        opened = START + dt.timedelta(seconds=offset)
        resolved = None
        if rng.random() < 0.95 and i != TICKETS - 1:
            hours = rng.lognormvariate(3.4, 0.9)  # median about 30 hours
            resolved = opened + dt.timedelta(seconds=round(hours * 3600))
        reopen = 1 if resolved and rng.random() < 0.06 else 0
        rows.append([
            f"INC{20000 + i:07d}", rng.choice(SUBJECTS),
            "Resolved" if resolved else "In Progress", f"{rng.choice((2, 3, 3, 4))} - Normal",
            "Service Desk", rng.choice(ENGINEERS),
            rng.choice(("Phone", "Phone", "Email", "Self-service", "Walk-in")),
            _stamp(opened), _stamp(resolved),
            _stamp(resolved + dt.timedelta(days=3) if resolved else None), str(reopen),
            str(rng.choice((0, 0, 0, 1, 2))),
            "Moderate" if rng.random() < 0.09 else "Normal",
            "true" if rng.random() < 0.88 else "false",
        ])
    rows.sort(key=lambda r: r[7])
    rows.insert(400, list(rows[399]))  # a repeated incident (an export paged twice)
    bad = rows[800]
    bad[8] = _stamp(dt.datetime.fromisoformat(bad[7]) - dt.timedelta(hours=2))  # clock skew
    return _csv([HEADER, *rows])


def csat(rng: random.Random) -> str:
    rows = []
    for i in range(420):
        when = START + dt.timedelta(seconds=rng.randrange(0, 7 * 86400))
        answer = rng.choices((5, 4, 3, 2, 1), weights=(62, 28, 6, 2, 2))[0]
        rows.append([f"R{i + 1:04d}", when.strftime("%Y-%m-%dT%H:%M:%S+01:00"), str(answer)])
    rows.sort(key=lambda r: r[1])
    rows[57][2] = "7"  # a 1-10 survey answer mixed in
    rows[210][2] = ""  # opened the survey, did not answer
    return _csv([["response_id", "responded_at", "csat"], *rows])


def _csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def main() -> int:
    folder = OUT / "harbor-city-it"
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(2026)
    for name, text in (("incidents-servicenow.csv", incidents(rng)),
                       ("closure-survey-csat.csv", csat(rng))):
        (folder / name).write_text(text, encoding="utf-8", newline="")
        print(f"wrote {folder / name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
