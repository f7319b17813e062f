"""Where everything lives in the intake workbook: sheets, cells, tables, labels, versions.

The one description of the layout (methodology §7) that :mod:`assessment.intake.template` writes
and :mod:`assessment.intake.reader` reads, so the two cannot disagree. Plain data only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from assessment.core.framework import Framework
from assessment.core.model import RATING_KEYS

#: Layout version of the intake workbook; bump it whenever the reader's expectations change.
TEMPLATE_VERSION = "1.0"
#: Versions :func:`assessment.intake.reader.read_intake` accepts.
SUPPORTED_VERSIONS: tuple[str, ...] = (TEMPLATE_VERSION,)
#: Fixed timestamp of the blank template, so regenerating it gives identical bytes.
TEMPLATE_DATE = dt.datetime(2025, 1, 1)

SHEETS: dict[str, str] = {
    "instructions": "Instructions",
    "profile": "Profile",
    "kpis": "KPIs",
    "renewal_practices": "Renewal practices",
    "excellence_practices": "Excellence practices",
    "customer_expectations": "Customer expectations",
}

#: Where the version and framework identity are recorded (cells on Instructions + names).
VERSION_NAME = "template_version"
VERSION_LABEL = "Template version"
INFO_CELLS: dict[str, str] = {
    VERSION_NAME: "B3", "framework_name": "B4", "framework_version": "B5",
}

#: Rows of every table sheet: title, help line, human labels, machine keys, then data.
LABEL_ROW, KEY_ROW, FIRST_ROW = 3, 4, 5
#: How far down the reader looks for the machine-key row.
HEADER_SCAN_ROWS = 15

#: The most any sheet of a filled intake may use: rows, columns (A to CV) and cells in the whole
#: workbook. A filled default template uses 36 rows, columns A to J and about 700 cells; larger
#: workbooks are refused before they are opened (each cell costs the reader about 0.5 KB).
MAX_ROWS = 5000
MAX_COLUMNS = 100
MAX_CELLS = 50_000

NA_LABEL = "n/a"
CURRENCIES: tuple[str, ...] = (
    "USD", "EUR", "GBP", "CAD", "AUD", "CHF", "JPY", "SEK", "NOK", "DKK", "INR", "BRL", "CNY",
    "HKD", "SGD", "NZD", "ZAR", "MXN", "PLN", "CZK", "HUF", "ILS", "KRW", "TRY", "AED", "SAR",
)
#: What each step of the 0-4 practice scale means (methodology §4).
ANSWER_MEANINGS: tuple[str, ...] = (
    "the practice does not exist",
    "it happens sometimes, depending on individuals",
    "it is documented and mostly followed",
    "it is followed consistently, measured and reviewed",
    "it is measured, continuously improved and tied to business outcomes",
)
RATING_LABELS: dict[str, str] = {
    "importance": "Importance to customers",
    "performance": "Performance as customers see it",
    "priority": "Support team's own priority",
}


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: float
    wrap: bool = False


@dataclass(frozen=True)
class ProfileField:
    key: str
    label: str
    kind: str  # text | choice | currency | date | amount | count
    required: bool
    help: str


PROFILE_FIELDS: tuple[ProfileField, ...] = (
    ProfileField("organization", "Organization", "text", True, "Name of the support organization"),
    ProfileField("industry", "Industry", "text", True, "e.g. enterprise software, healthcare"),
    ProfileField("support_model", "Support model", "choice", True,
                 "internal (IT help desk), external (customer support) or blended"),
    ProfileField("currency", "Currency", "currency", True,
                 "ISO code of the currency all amounts are in, e.g. USD"),
    ProfileField("assessment_date", "Assessment date", "date", True,
                 "Date the figures refer to, YYYY-MM-DD"),
    ProfileField("consultant", "Consultant", "text", False, "Optional"),
    ProfileField("region", "Region", "text", False, "Optional, e.g. EMEA"),
    ProfileField("annual_revenue", "Annual revenue", "amount", False,
                 "Optional, company revenue in the currency above"),
    ProfileField("active_customers", "Active customers", "count", False, "Optional"),
    ProfileField("support_headcount", "Support headcount", "count", False,
                 "Optional, full-time equivalents"),
)

KPI_COLUMNS: tuple[Column, ...] = (
    Column("kpi_id", "KPI key", 26), Column("name", "KPI", 30, True),
    Column("definition", "Definition", 52, True), Column("unit", "Unit", 16, True),
    Column("direction", "Direction", 19), Column("current", "Current value", 15),
    Column("target", "Target", 15), Column("notes", "Notes", 36, True),
    Column("floor", "Floor (scores 0)", 15), Column("benchmark", "Benchmark", 44, True),
)
PRACTICE_COLUMNS: tuple[Column, ...] = (
    Column("item_id", "Practice key", 26), Column("practice", "Practice", 30, True),
    Column("statement", "Statement", 64, True), Column("answer", "Answer (0–4 or n/a)", 28),
    Column("notes", "Notes", 40, True),
)
EXPECTATION_COLUMNS: tuple[Column, ...] = (
    Column("dimension_id", "Dimension key", 26), Column("dimension", "Dimension", 28, True),
    Column("satisfiers", "What satisfies customers", 40, True),
    Column("dissatisfiers", "What dissatisfies customers", 40, True),
    *(Column(key, f"{RATING_LABELS[key]} (1–5)", 16, True) for key in RATING_KEYS),
    Column("notes", "Notes", 36, True),
)
PROFILE_COLUMNS: tuple[Column, ...] = (
    Column("field", "Key", 20), Column("label", "Profile item", 24),
    Column("value", "Your answer", 34), Column("help", "Help", 56, True),
)

UNIT_LABELS = {"percent": "percent", "currency": "currency (see Profile)", "hours": "hours",
               "count": "count", "score": "score", "ratio": "ratio"}
UNIT_FORMATS = {"percent": "0.0%", "currency": "#,##0.00", "hours": "#,##0.0",
                "count": "#,##0", "score": "0.0", "ratio": "0.00"}
PROFILE_FORMATS = {"date": "yyyy-mm-dd", "amount": "#,##0", "count": "#,##0"}


def answer_labels(framework: Framework) -> list[str]:
    """Dropdown labels of the 0-4 answers, e.g. ``"0 – Not in place"`` (no commas: list syntax)."""
    return [f"{i} – {text.replace(',', ';')}" for i, text in enumerate(framework.answer_scale)]
