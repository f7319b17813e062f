"""Display words and numbers, the same in every output: HTML, Excel, PDF, terminal, notebooks.

Pure functions of plain values (standard library only). One rule per kind:

- **missing**: an em dash (:data:`DASH`), in every kind below.
- **money**: the currency code, a space, thousands separators; no decimals at or above 1,000
  or for a whole amount, else 2 decimals (``USD 1,234``, ``EUR 25.50``, ``JPY 980``). A
  negative amount keeps the code first (``USD -1,234``). Without a code, just the amount.
- **percent** (a KPI value, a rate): at most 1 decimal, trailing zeros dropped (``85.5%``,
  ``85%``); the value is a fraction (0.855).
- **coverage** (share of weight with data, a blend): whole percent (``86%``).
- **hours**: at most 1 decimal and `` h`` (``24 h``, ``1.5 h``).
- **ratio**: at most 2 decimals (``1.25``); **count** and other units: at most 1 decimal,
  thousands separators (``1,234.5``).
- **score** (0-100): always 1 decimal (``72.4``).
- **points at stake**: always 2 decimals (``3.21``).
- **signed delta**: a sign and 1 decimal (``+1.0``, ``-2.5``, ``0.0``).
- **status** of a KPI: Met / Near / Off target / No data / Not applicable
  (:data:`STATUS_LABELS`); a value a relation derived is marked ``(derived)``.
- **both readings** of missing data (:func:`readings`): ``64.2 (missing data counted as 0);
  71.4 on the 78% of KPIs measured``.
- **RAG** of an aggregate score: Green / Amber / Red, or Not scored.
- **level**: ``Level 3 · Defined`` (``Level 3`` without a name).
- **benchmark**: the value, or the range as ``low to high``, in the KPI's unit and the
  benchmark's own currency, the converted figure beside it, then the source and year:
  ``USD 6 to USD 40 (≈ EUR 5.52 to EUR 36.80) (HDI, 2023)``.
- **evidence** (methodology §11): a value computed from the client's data is marked
  ``evidence`` and followed by :func:`evidence_text`: ``n = 1,234 · 95% interval 71.2%–75.0% ·
  tickets.csv (zendesk export), 2024-03-01 to 2024-03-31`` (the interval's ends in the KPI's
  unit; no interval for a median or a volume). A survey rating reads ``4.2 (sd 0.8, n = 6)``
  (:func:`rating_stat_text`).
- **Excel number format**: :func:`excel_format` gives, for a unit, currency and value, the
  number format that makes a spreadsheet show the same text as :func:`format_value`
  (``"USD "#,##0`` for USD 1,234, ``"USD "#,##0.00`` for USD 25.50, ``0.0%`` for 85.5%).
"""

from __future__ import annotations

from typing import Any

DASH = "\u2014"
"""What a missing value shows."""

STATUS_LABELS = {"met": "Met", "near": "Near", "off": "Off target", "no_data": "No data",
                 "not_applicable": "Not applicable"}
DERIVED = "derived"
"""The mark beside a value a consistency relation filled in (methodology §7)."""
EVIDENCE = "evidence"
"""The mark beside a value computed from the client's data (methodology §11)."""
SET_ASIDE = "set aside: the consultant typed another value"
"""What an evidence figure the intake typed over says (the typed value is scored)."""
MIN_RESPONDENTS = 5
"""Fewer respondents than this in a group flag a survey rating (methodology §6)."""
FEW_RESPONDENTS = f"fewer than {MIN_RESPONDENTS} respondents"
RAG_LABELS = {"green": "Green", "amber": "Amber", "red": "Red"}
NOT_SCORED = "Not scored"
QUADRANT_LABELS = {
    "keep_up": "Keep up the good work",
    "concentrate_here": "Concentrate here",
    "possible_overkill": "Possible overkill",
    "low_priority": "Low priority",
}
DIRECTION_LABELS = {"higher": "higher is better", "lower": "lower is better",
                    "band": "best inside the band"}
RANGE_SEPARATOR = " to "
#: Roadmap words (methodology §10): horizons, efforts, tracking statuses, driver statuses.
HORIZON_LABELS = {"days_0_90": "0–90 days", "months_3_6": "3–6 months",
                  "months_6_12": "6–12 months"}
EFFORT_LABELS = {"S": "S (small)", "M": "M (medium)", "L": "L (large)"}
TRACKING_LABELS = {"not_started": "Not started", "in_progress": "In progress", "done": "Done",
                   "dropped": "Dropped"}
DRIVER_STATUS_LABELS = {"ok": "Counted", "no_gap": "At or above target",
                        "needs_data": "Needs data", "not_applicable": "Not applicable"}


def trim_number(number: float, decimals: int) -> str:
    """``number`` with thousands separators and at most ``decimals`` decimals (1,234.5)."""
    text = f"{number:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def format_number(value: float | None, decimals: int = 2) -> str:
    """A plain number with at most ``decimals`` decimals (``4.5``, ``1,200``), or a dash."""
    return DASH if value is None else trim_number(value, decimals)


def _money_decimals(value: float) -> int:
    return 0 if abs(value) >= 1000 or float(value).is_integer() else 2


def format_money(value: float | None, currency: str | None = None) -> str:
    """Money with its currency code: ``USD 1,234``, ``EUR 25.50``; a dash when missing."""
    if value is None:
        return DASH
    amount = f"{value:,.{_money_decimals(value)}f}"
    return f"{currency} {amount}" if currency else amount


def format_percent(value: float | None) -> str:
    """A fraction as a percent with at most 1 decimal: 0.855 -> ``85.5%``."""
    return DASH if value is None else f"{trim_number(100.0 * value, 1)}%"


def format_coverage(value: float | None) -> str:
    """A share of weight as a whole percent: 0.857 -> ``86%``."""
    return DASH if value is None else f"{100.0 * value:.0f}%"


def format_hours(value: float | None) -> str:
    """Hours with at most 1 decimal: ``24 h``, ``1.5 h``."""
    return DASH if value is None else f"{trim_number(value, 1)} h"


def format_value(value: float | None, unit: str, currency: str | None = None) -> str:
    """A KPI value in its unit: 0.855 percent -> ``85.5%``, 24 hours -> ``24 h``, money with
    the currency code (``USD 25.50``); None shows an em dash."""
    if value is None:
        return DASH
    if unit == "percent":
        return format_percent(value)
    if unit == "currency":
        return format_money(value, currency)
    if unit == "hours":
        return format_hours(value)
    if unit == "ratio":
        return trim_number(value, 2)
    return trim_number(value, 1)


def format_score(value: float | None) -> str:
    """A 0-100 score to one decimal, or an em dash."""
    return DASH if value is None else f"{value:.1f}"


def format_points(value: float | None) -> str:
    """Points at stake, to two decimals: ``3.21``."""
    return DASH if value is None else f"{value:.2f}"


def format_delta(value: float | None, decimals: int = 1) -> str:
    """A signed change: ``+1.0``, ``-2.5``, ``0.0`` (never ``-0.0``)."""
    if value is None:
        return DASH
    text = f"{value:+.{decimals}f}"
    return text[1:] if float(text) == 0 else text


def format_rating(value: float | None, signed: bool = False) -> str:
    """A 1-5 rating or a gap between two, at most 1 decimal: ``4.5``, ``+1``, ``0``."""
    if value is None:
        return DASH
    text = f"{value:+.1f}" if signed else f"{value:.1f}"
    text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "+0") else text


def status_label(status: str | None) -> str:
    """The words of a KPI status: Met, Near, Off target or No data."""
    return STATUS_LABELS.get(status or "no_data", str(status))


def rag_label(rag: str | None) -> str:
    """The words of a RAG colour: Green, Amber, Red, or Not scored."""
    return RAG_LABELS.get(rag, rag.capitalize()) if rag else NOT_SCORED


def readings(score: float | None, measured: float | None, coverage: float | None,
             rule: str = "zero", measured_what: str = "KPIs measured") -> str:
    """Both readings of missing data (methodology §3), in words:
    ``64.2 (missing data counted as 0); 71.4 on the 78% of KPIs measured``.

    With full coverage the two agree: ``71.4 (all KPIs measured)``. Under the ``exclude``
    rule the score leads (it is the figure results.json holds): ``77.2 on the 75% of KPIs
    measured (missing data left out)``; where the score is not the measured figure (an index
    over the elements scored) ``77.9 (missing data left out); 77.2 on the 75% of KPIs
    measured``, or ``not scored`` when it is null.
    """
    if score is None and measured is None:
        return DASH
    if coverage is not None and coverage >= 1 - 1e-9:
        return f"{format_score(score if score is not None else measured)} (all {measured_what})"
    share = format_coverage(coverage)
    if rule == "zero":
        text = f"{format_score(score)} (missing data counted as 0)"
    elif score is None:
        text = "not scored (too little data)"
    elif measured is not None and abs(score - measured) < 1e-9:
        return f"{format_score(score)} on the {share} of {measured_what} (missing data left out)"
    else:
        text = f"{format_score(score)} (missing data left out)"
    if measured is None:
        return f"{text}; nothing measured"
    return f"{text}; {format_score(measured)} on the {share} of {measured_what}"


def value_text(value: float | None, unit: str, currency: str | None = None,
               derived: bool = False) -> str:
    """A KPI value in its unit, marked ``(derived)`` when a relation filled it in."""
    text = format_value(value, unit, currency)
    return f"{text} ({DERIVED})" if derived and value is not None else text


def money_range(low: float | None, high: float | None, currency: str | None = None) -> str:
    """A low-to-high range of money, or one figure when both ends agree."""
    if low is None or high is None:
        return DASH
    if abs(high - low) < 0.5:
        return format_money(low, currency)
    return f"{format_money(low, currency)}{RANGE_SEPARATOR}{format_money(high, currency)}"


def driver_status_text(status: str, counted: bool, needs: tuple[str, ...] | list[str] = ()
                       ) -> str:
    """A business-case driver's status in words: ``needs data: assisted_cases`` when inputs
    are missing, ``Valued, not counted (overlap)`` for one the total leaves out, else
    :data:`DRIVER_STATUS_LABELS`."""
    if status == "needs_data" and needs:
        return needs_data_text(needs)
    if status == "ok" and not counted:
        return "Valued, not counted (overlap)"
    return DRIVER_STATUS_LABELS.get(status, status)


def needs_data_text(fields: list[str] | tuple[str, ...]) -> str:
    """What a business-case driver without its inputs reads: ``needs data: assisted_cases``."""
    return "needs data: " + ", ".join(fields)


def level_text(level: int | None, name: str | None = None) -> str | None:
    """A maturity level: ``Level 3 · Defined``; None when there is no level."""
    if not level:
        return None
    return f"Level {level} \u00b7 {name}" if name else f"Level {level}"


def direction_label(direction: str | None) -> str:
    """What a KPI direction means: ``higher is better`` ..."""
    return DIRECTION_LABELS.get(direction or "", direction or "")


def value_range(low: float | None, high: float | None, unit: str,
                currency: str | None = None) -> str:
    """Two values in their unit as a range: ``85% to 95%``."""
    return (f"{format_value(low, unit, currency)}{RANGE_SEPARATOR}"
            f"{format_value(high, unit, currency)}")


def _figure(bench: dict[str, Any], unit: str, currency: str | None) -> str:
    if bench.get("value") is not None:
        return format_value(bench["value"], unit, currency)
    if bench.get("range"):
        low, high = bench["range"]
        return value_range(low, high, unit, currency)
    return ""


def benchmark_figure(benchmark: dict[str, Any] | None, unit: str,
                     currency: str | None = None) -> str:
    """A benchmark's value or range in its unit and its own currency, with the figure
    converted to the client's beside it: ``USD 6 to USD 40 (≈ EUR 5.52 to EUR 36.80)``;
    ``""`` when it has neither. ``currency`` is used only when the benchmark names none
    (results@1)."""
    bench = benchmark or {}
    figure = _figure(bench, unit, bench.get("currency") or currency)
    converted = bench.get("converted")
    if figure and converted:
        other = _figure(converted, unit, converted.get("currency"))
        if other:
            figure = f"{figure} (≈ {other})"
    return figure


def benchmark_source(benchmark: dict[str, Any] | None) -> str:
    """A benchmark's source and year: ``HDI, 2023``, or ``""``."""
    bench = benchmark or {}
    return ", ".join(str(x) for x in (bench.get("source"), bench.get("year"))
                     if x not in (None, ""))


def benchmark_text(benchmark: dict[str, Any] | None, unit: str,
                   currency: str | None = None) -> str:
    """A benchmark with its source: ``USD 6 to USD 40 (HDI, 2023)``, or ``""`` when none.

    ``benchmark`` is the results' benchmark dict (``value``, ``range``, ``source``, ``year``).
    """
    figure = benchmark_figure(benchmark, unit, currency)
    if not figure:
        return ""
    source = benchmark_source(benchmark)
    return f"{figure} ({source})" if source else figure


# --------------------------------------------------------------------------- evidence


def _interval_end(value: float, unit: str, currency: str | None) -> str:
    """One end of an interval: percent, hours and 1–5 ratings keep their one decimal
    (``51.0%``) so both ends read alike; other units as :func:`format_value`."""
    if unit == "percent":
        return f"{100.0 * value:,.1f}%"
    if unit == "hours":
        return f"{value:,.1f} h"
    if unit == "rating":
        return f"{value:.1f}"
    return format_value(value, unit, currency)


def interval_text(ci: Any, unit: str, currency: str | None = None) -> str:
    """A 95% interval's ends in the unit, joined by an en dash (``23.7%–51.0%``), or by
    `` to `` when an end is negative (``-12.5 to 30``); ``""`` when there is none."""
    if not ci or len(ci) != 2 or None in ci:
        return ""
    low, high = ci
    joint = RANGE_SEPARATOR if min(low, high) < 0 else "\u2013"
    return (f"{_interval_end(low, unit, currency)}{joint}"
            f"{_interval_end(high, unit, currency)}")


def period_text(start: str | None, end: str | None) -> str:
    """``2024-03-01 to 2024-03-31``, ``from 2024-03-01``, ``to 2024-03-31`` or ``""``."""
    if start and end:
        return start if start == end else f"{start}{RANGE_SEPARATOR}{end}"
    if start:
        return f"from {start}"
    return f"to {end}" if end else ""


def evidence_parts(evidence: Any, unit: str, currency: str | None = None
                   ) -> tuple[str, str, str]:
    """The three parts of :func:`evidence_text`: the sample (``n = 10 · 95% interval
    23.7%–76.3%``), the source and the period (``""`` when not known); a page may set them on
    lines of their own. ``("", "", "")`` when ``evidence`` is None."""
    if evidence is None:
        return "", "", ""
    data = evidence.as_dict() if hasattr(evidence, "as_dict") else evidence
    sample = f"n = {int(data.get('n') or 0):,}"
    interval = interval_text(data.get("ci"), unit, currency)
    if interval:
        sample += f" \u00b7 95% interval {interval}"
    period = data.get("period") or {}
    return (sample, str(data.get("source") or ""),
            period_text(period.get("from"), period.get("to")))


def evidence_text(evidence: Any, unit: str, currency: str | None = None) -> str:
    """Where an evidence-backed value comes from, in one line: ``n = 1,234 · 95% interval
    71.2%–75.0% · tickets.csv (zendesk export), 2024-03-01 to 2024-03-31``.

    ``evidence`` is a KPI's ``evidence`` in results.json (``n``, ``ci``, ``source``,
    ``period``) or an object with ``as_dict()`` giving it; ``""`` when None."""
    sample, source, period = evidence_parts(evidence, unit, currency)
    if not sample:
        return ""
    where = ", ".join(x for x in (source, period) if x)
    return f"{sample} \u00b7 {where}" if where else sample


def rating_stat_text(mean: float | None, sd: float | None, n: int | None,
                     show_n: bool = True) -> str:
    """A survey rating's mean with its spread and sample: ``4.2 (sd 0.8, n = 6)``, without
    the n when ``show_n`` is False (a table that gives it apart); a dash when nobody
    answered."""
    if mean is None or not n:
        return DASH
    inner = ", ".join(x for x in (f"sd {format_rating(sd)}" if sd is not None else "",
                                  f"n = {n:,}" if show_n else "") if x)
    return f"{format_rating(mean)} ({inner})" if inner else format_rating(mean)


def group_rating_text(stat: Any, group_n: int) -> str:
    """One group's rating in a customers-and-staff table: ``3.7 (sd 0.8)``, with the rating's
    own n only when it differs from its group's (some left it blank); a dash for none.
    ``stat`` has ``mean``, ``sd`` and ``n``."""
    if stat is None:
        return DASH
    return rating_stat_text(stat.mean, stat.sd, stat.n, show_n=stat.n != group_n)


# --------------------------------------------------------------------------- Excel


PERCENT_FORMATS = ("0%", "0.0%")
COVERAGE_FORMAT = "0%"
SCORE_FORMAT = "0.0"
POINTS_FORMAT = "0.00"
DELTA_FORMAT = "+0.0;-0.0;0.0"


def _trimmed_decimals(number: float, decimals: int) -> int:
    """How many decimals :func:`trim_number` shows for ``number``."""
    text = f"{number:.{decimals}f}"
    return len(text.rstrip("0").rstrip(".").partition(".")[2]) if "." in text else 0


def _decimals(places: int) -> str:
    return "." + "0" * places if places else ""


def excel_format(unit: str | None, currency: str | None = None,
                 value: float | None = None) -> str:
    """The Excel number format that shows ``value`` as :func:`format_value` writes it.

    The decimals follow the value (``"USD "#,##0`` for 1,234, ``"USD "#,##0.00`` for 25.5,
    ``0%`` for 0.85, ``0.0%`` for 0.855); a missing value gets the format with the most
    decimals the unit can show, so a number typed in later still reads right.
    """
    unit = unit or ""
    if unit == "currency":
        places = 2 if value is None else _money_decimals(value)
        prefix = f'"{currency} "' if currency else ""
        return f"{prefix}#,##0{_decimals(places)}"
    if unit == "percent":
        places = 1 if value is None else _trimmed_decimals(100.0 * value, 1)
        return f"0{_decimals(places)}%"
    most = 2 if unit == "ratio" else 1
    places = most if value is None else _trimmed_decimals(value, most)
    number = f"#,##0{_decimals(places)}"
    return f'{number} "h"' if unit == "hours" else number

