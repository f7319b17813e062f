"""Display words and numbers, the same in every output: HTML, Excel, PDF, terminal, notebooks.

Pure functions of plain values. A score has one decimal, a percent one decimal at most, money
its currency code, and a KPI status or a quadrant the same words everywhere.
"""

from __future__ import annotations

DASH = "\u2014"
"""What a missing value shows."""

STATUS_LABELS = {"met": "Met", "near": "Near", "off": "Off target", "no_data": "No data"}
QUADRANT_LABELS = {
    "keep_up": "Keep up the good work",
    "concentrate_here": "Concentrate here",
    "possible_overkill": "Possible overkill",
    "low_priority": "Low priority",
}


def trim_number(number: float, decimals: int) -> str:
    """``number`` with thousands separators and at most ``decimals`` decimals (1,234.5)."""
    text = f"{number:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def format_value(value: float | None, unit: str, currency: str | None = None) -> str:
    """A KPI value for display: 0.855 percent -> ``85.5%``, 24 hours -> ``24 h``.

    Currency shows the profile's currency code (``USD 25.50``); None shows an em dash.
    """
    if value is None:
        return "\u2014"
    if unit == "percent":
        return f"{trim_number(100.0 * value, 1)}%"
    if unit == "currency":
        amount = (f"{value:,.0f}" if abs(value) >= 1000 or float(value).is_integer()
                  else f"{value:,.2f}")
        return f"{currency} {amount}" if currency else amount
    if unit == "hours":
        return f"{trim_number(value, 1)} h"
    if unit == "ratio":
        return trim_number(value, 2)
    return trim_number(value, 1)


def format_score(value: float | None) -> str:
    """A 0-100 score to one decimal, or an em dash."""
    return "\u2014" if value is None else f"{value:.1f}"


def rag_label(rag: str | None) -> str:
    return rag.capitalize() if rag else "Not scored"
