"""Where everything lives in the intake workbook: sheets, cells, tables, labels, versions.

The one description of the layout (methodology §7) that :mod:`assessment.intake.template` writes
and :mod:`assessment.intake.reader` reads, so the two cannot disagree. Plain data only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from assessment.core.format import TRACKING_LABELS
from assessment.core.framework import Framework
from assessment.core.model import RATING_KEYS

#: Layout version of the intake workbook; bump it whenever the reader's expectations change.
TEMPLATE_VERSION = "2.0"
#: Versions :func:`assessment.intake.reader.read_intake` accepts.
SUPPORTED_VERSIONS: tuple[str, ...] = ("2.0",)
#: Older versions that :mod:`assessment.intake.upgrade` turns into the current one.
UPGRADABLE_VERSIONS: tuple[str, ...] = ("1.0",)
#: The command that upgrades an older intake (named in the reader's refusal).
UPGRADE_COMMAND = "support-excellence upgrade-intake OLD.xlsx NEW.xlsx"
#: Fixed timestamp of the blank template, so regenerating it gives identical bytes.
TEMPLATE_DATE = dt.datetime(2025, 1, 1)

SHEETS: dict[str, str] = {
    "instructions": "Instructions",
    "profile": "Profile",
    "kpis": "KPIs",
    "renewal_practices": "Renewal practices",
    "excellence_practices": "Excellence practices",
    "customer_expectations": "Customer expectations",
    "initiatives": "Initiatives",
    "findings": "Findings",
    "evidence": "Evidence",
}
#: Sheets a 2.0 workbook may leave out (absent = nothing recorded); the template writes each
#: one only when the framework has rows for it (initiatives, executive-summary findings).
OPTIONAL_SHEETS: tuple[str, ...] = ("initiatives", "findings", "evidence")
#: The sheets of the blank template (and of a workbook filled without evidence): all but the
#: Evidence sheet, which only ``support-excellence evidence … --intake`` writes.
TEMPLATE_SHEETS: tuple[str, ...] = tuple(role for role in SHEETS if role != "evidence")

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
#: workbook. A filled default template uses 43 rows, columns A to L and about 860 cells; larger
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
    """One row of the Profile sheet. ``kind`` decides its validation and number format:
    text | choice (support model) | currency | date | segment | rate (exchange rate, > 0) |
    scale (0-10) | amount (money, >= 0) | count (whole, >= 0) | fte (decimal, >= 0)."""

    key: str
    label: str
    kind: str
    required: bool
    help: str


#: Money and volume fields of the profile (methodology §7): the business case and the
#: consistency checks use them.
VOLUME_FIELDS: tuple[str, ...] = ("annual_revenue", "support_cost", "contract_revenue_base",
                                  "assisted_cases", "support_headcount", "active_customers")

PROFILE_FIELDS: tuple[ProfileField, ...] = (
    ProfileField("organization", "Organization", "text", True, "Name of the support organization"),
    ProfileField("industry", "Industry", "text", True, "e.g. enterprise software, healthcare"),
    ProfileField("support_model", "Support model", "choice", True,
                 "internal (IT help desk), external (customer support) or blended"),
    ProfileField("currency", "Currency", "currency", True,
                 "ISO code of the currency all amounts are in, e.g. USD"),
    ProfileField("assessment_date", "Assessment date", "date", True,
                 "Date the figures refer to, YYYY-MM-DD"),
    ProfileField("segment", "Peer group", "segment", False,
                 "Which kind of support organization you are; its targets are used"),
    ProfileField("fx_rate", "Exchange rate", "rate", False,
                 "How many units of your currency one {fw_currency} buys, e.g. 0.92 for EUR or "
                 "150 for JPY; the rate used for the assessment period. Needed only if your "
                 "currency is not {fw_currency}"),
    ProfileField("self_rated_alignment", "Alignment with customers (0–10)", "scale", False,
                 "HDI's question, answered by the support leadership: \"On a scale of 0 to 10, "
                 "how well aligned are your support priorities with what your customers "
                 "expect?\" 0 = not at all, 10 = completely"),
    ProfileField("consultant", "Consultant", "text", False, "Optional"),
    ProfileField("region", "Region", "text", False, "Optional, e.g. EMEA"),
    ProfileField("annual_revenue", "Annual revenue", "amount", False,
                 "Company revenue over the last 12 months, in your currency, e.g. 48,000,000"),
    ProfileField("support_cost", "Annual support cost", "amount", False,
                 "Everything support costs in 12 months (staff, tools, facilities, outsourcing), "
                 "in your currency, e.g. 4,400,000"),
    ProfileField("contract_revenue_base", "Support contract revenue", "amount", False,
                 "Yearly revenue from support or maintenance contracts that come up for renewal, "
                 "in your currency, e.g. 6,500,000; blank if you sell none"),
    ProfileField("assisted_cases", "Assisted cases per year", "count", False,
                 "Cases (tickets, calls, chats) handled by a person in 12 months, e.g. 42,300; "
                 "self-service sessions do not count"),
    ProfileField("support_headcount", "Support headcount (FTE)", "fte", False,
                 "People who work in support, in full-time equivalents, e.g. 38 or 12.5"),
    ProfileField("active_customers", "Active customers", "count", False,
                 "Customers entitled to support during the year (for an internal desk: the "
                 "employees it serves), e.g. 9,200"),
)


KPI_COLUMNS: tuple[Column, ...] = (
    Column("kpi_id", "KPI key", 26), Column("name", "KPI", 30, True),
    Column("definition", "Definition", 52, True), Column("unit", "Unit", 16, True),
    Column("direction", "Direction", 19), Column("current", "Current value", 15),
    Column("target", "Your own target (optional)", 15, True), Column("notes", "Notes", 36, True),
    Column("framework", "Framework target (scores 0 at)", 40, True),
    Column("benchmark", "Benchmark", 44, True),
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
#: The Initiatives sheet (steps 7-8 of the ten practices): the framework's initiatives shown
#: read-only, then what the client records about each one.
INITIATIVE_COLUMNS: tuple[Column, ...] = (
    Column("initiative_id", "Initiative key", 26), Column("name", "Initiative", 26, True),
    Column("description", "What it involves", 48, True), Column("effort", "Effort", 11, True),
    Column("horizon", "Horizon", 13, True), Column("owner_role", "Suggested owner", 20, True),
    Column("chosen", "Chosen? (yes/no)", 12, True), Column("owner", "Owner", 22, True),
    Column("due_date", "Due date", 13), Column("status", "Status", 14),
    Column("inhibitors", "What stands in the way", 40, True),
    Column("notes", "Notes", 36, True),
)
#: The machine keys of the Initiatives sheet the client fills in, in order.
INITIATIVE_INPUTS: tuple[str, ...] = ("chosen", "owner", "due_date", "status", "inhibitors",
                                      "notes")
#: Status of a chosen initiative: machine key (:data:`~assessment.core.format.TRACKING_LABELS`)
#: -> what it means, in the words a client reads in the sheet's help.
INITIATIVE_STATUSES: dict[str, str] = {
    "not_started": "not started yet", "in_progress": "under way", "done": "finished",
    "dropped": "decided against or stopped",
}
assert set(INITIATIVE_STATUSES) == set(TRACKING_LABELS)
YES_NO: tuple[str, str] = ("yes", "no")
#: The Findings sheet: each executive-summary rule of the framework, and the consultant's own
#: wording that replaces its generated sentence (blank = the generated sentence).
FINDING_COLUMNS: tuple[Column, ...] = (
    Column("finding_id", "Finding key", 24), Column("rule", "Rule", 17),
    Column("description", "What the rule reports", 44, True),
    Column("generated", "Generated sentence (numbers filled in by the tool)", 48, True),
    Column("wording", "Your wording (optional)", 60, True),
)
#: The Evidence sheet (written by ``support-excellence evidence … --intake``, never typed): one
#: row per value computed from a raw export (methodology §11), keyed ``kpi.<id>``,
#: ``profile.<field>`` or ``expectation.<dimension>.<rating>``.
EVIDENCE_COLUMNS: tuple[Column, ...] = (
    Column("evidence_key", "Filled value", 34), Column("filled_cell", "Cell filled", 16),
    Column("value", "Value", 13), Column("n", "n", 10),
    Column("ci_low", "95% interval from", 13), Column("ci_high", "95% interval to", 13),
    Column("sd", "Standard deviation", 12), Column("period_from", "Period from", 12),
    Column("period_to", "Period to", 12), Column("source", "Source", 36, True),
    Column("definition", "Definition used", 48, True),
    Column("flagged", "Flagged (too few)", 10), Column("note", "Note", 30, True),
)
#: What each kind of finding rule reports, in a consultant's words.
FINDING_RULES: dict[str, str] = {
    "largest_gap": "The KPI with the most index points at stake.",
    "weak_element": "An element scoring well below the other elements (by at least the "
                    "margin).",
    "renewal_erosion": "Renewals losing more revenue over five years than the industry does.",
    "failing_relation": "A KPI that does not agree with the profile volumes (a failed "
                        "consistency check).",
    "low_coverage": "Too little of the index measured: coverage below the threshold.",
    "largest_driver": "The business-case driver worth the most money.",
    "not_measured": "The KPIs left blank (not measured).",
}
#: Longest text a tracking cell may hold: the owner's name, and every other text (as notes).
MAX_OWNER_TEXT = 200
MAX_TRACKING_TEXT = 2000

PROFILE_COLUMNS: tuple[Column, ...] = (
    Column("field", "Key", 20), Column("label", "Profile item", 24),
    Column("value", "Your answer", 34), Column("help", "Help", 56, True),
)

UNIT_LABELS = {"percent": "percent", "currency": "currency (see Profile)", "hours": "hours",
               "count": "count", "score": "score", "ratio": "ratio"}
UNIT_FORMATS = {"percent": "0.0%", "currency": "#,##0.00", "hours": "#,##0.0",
                "count": "#,##0", "score": "0.0", "ratio": "0.00"}
PROFILE_FORMATS = {"date": "yyyy-mm-dd", "amount": "#,##0", "count": "#,##0",
                   "fte": "#,##0.0", "rate": "#,##0.00##", "scale": "0.0"}


def profile_help(spec: ProfileField, framework: Framework) -> str:
    """The help text of a profile row for ``framework`` (its currency and segments)."""
    currency = framework.settings.currency
    text = spec.help.format(fw_currency=currency)
    if spec.kind == "segment":
        segments = framework.settings.segments
        if not segments:
            return "This framework has no peer groups: leave it blank"
        choices = "; ".join(f"{s.id} = {s.name}" for s in segments.values())
        return f"{text}. Choose one: {choices}. Blank = the framework's general targets"
    return text


def answer_labels(framework: Framework) -> list[str]:
    """Dropdown labels of the 0-4 answers, e.g. ``"0 – Not in place"`` (no commas: list syntax)."""
    return [f"{i} – {text.replace(',', ';')}" for i, text in enumerate(framework.answer_scale)]
