"""The small SVG toolkit that draws every static chart: the scorecard's and the portfolio's.

Plain string building, no dependency but markupsafe, fast and deterministic: the same calls
always give the same bytes. Every text that reaches the SVG is escaped here.

- :class:`Canvas` collects shapes (``rect``, ``line``, ``polyline``, ``circle``, ``diamond``,
  ``text``), draws a :meth:`Canvas.legend` and closes as one ``<svg>`` (:meth:`Canvas.svg`)
  that is labelled by its own ``<title>`` and ``<desc>`` (:func:`title_desc`).
- :func:`x_axis` (vertical grid lines with tick labels and a title), :func:`amber_rule`
  (the dashed threshold rule), :func:`marker` (circle, square, triangle or diamond).
- :func:`text_width`, :func:`clip` and :func:`label_column` lay out labels without measuring
  fonts; :func:`num` writes a coordinate, :func:`escape_text` escapes a text.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from markupsafe import escape

SVG_FONT = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif"
INK = "#212121"
MUTED = "#616161"
TRACK = "#eceff1"
GRID = "#e0e0e0"
SVG_NS = "http://www.w3.org/2000/svg"

#: A legend entry: ``(kind, colour, label)``; see :meth:`Canvas.legend` for the kinds.
Swatch = tuple[str, str, str]


def num(x: float) -> str:
    """A coordinate: at most one decimal, no trailing ``.0``."""
    text = f"{x:.1f}"
    return "0" if text == "-0.0" else text[:-2] if text.endswith(".0") else text


def escape_text(text: Any) -> str:
    """``text`` as SVG/HTML-safe character data (also safe inside a double-quoted attribute)."""
    return str(escape(str(text)))


def text_width(text: str, size: float) -> float:
    """A rough width of ``text`` in a sans-serif font: good enough to lay out labels."""
    return len(text) * size * 0.56


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, ending in an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def title_desc(ident: str, title: str, description: str) -> str:
    """The ``<title>`` and ``<desc>`` an SVG root ``aria-labelledby`` points at."""
    return (f'<title id="{ident}-svg-title">{escape_text(title)}</title>'
            f'<desc id="{ident}-svg-desc">{escape_text(description)}</desc>')


class Canvas:
    """Shapes and texts in drawing order, closed into one ``<svg>`` by :meth:`svg`."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def rect(self, x: float, y: float, w: float, h: float, fill: str, extra: str = "") -> None:
        """A rectangle (a negative width draws nothing visible: it is clamped to 0)."""
        self.parts.append(f'<rect x="{num(x)}" y="{num(y)}" width="{num(max(w, 0))}" '
                          f'height="{num(h)}" fill="{fill}"{extra}/>')

    def line(self, x1: float, y1: float, x2: float, y2: float, stroke: str = GRID,
             width: float = 1, dash: str | None = None) -> None:
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        self.parts.append(f'<line x1="{num(x1)}" y1="{num(y1)}" x2="{num(x2)}" y2="{num(y2)}" '
                          f'stroke="{stroke}" stroke-width="{num(width)}"{extra}/>')

    def polyline(self, points: Sequence[tuple[float, float]], stroke: str, width: float = 2,
                 dash: str | None = None) -> None:
        path = " ".join(f"{num(x)},{num(y)}" for x, y in points)
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        self.parts.append(f'<polyline points="{path}" fill="none" stroke="{stroke}" '
                          f'stroke-width="{num(width)}"{extra}/>')

    def text(self, x: float, y: float, text: str, size: float = 11, anchor: str = "start",
             fill: str = INK, weight: str | None = None, italic: bool = False,
             limit: int | None = None, rotate: bool = False) -> None:
        """A text centred vertically on ``y``; clipped to ``limit`` characters, the full text
        then stays as its tooltip (``<title>``)."""
        shown = clip(text, limit) if limit else text
        attrs = f' text-anchor="{anchor}"' if anchor != "start" else ""
        attrs += f' font-weight="{weight}"' if weight else ""
        attrs += ' font-style="italic"' if italic else ""
        attrs += f' transform="rotate(-90 {num(x)} {num(y)})"' if rotate else ""
        full = f"<title>{escape_text(text)}</title>" if shown != text else ""
        self.parts.append(f'<text x="{num(x)}" y="{num(y + 0.35 * size)}" font-size="{num(size)}" '
                          f'fill="{fill}"{attrs}>{full}{escape_text(shown)}</text>')

    def legend(self, y: float, x0: float, width: float, items: Sequence[Swatch]) -> float:
        """Swatches in rows from ``(x0, y)``, wrapped at ``width``; returns the height used.

        Kinds: ``box``, ``tick``, ``diamond``, ``range``, ``dash``, ``line:<dasharray>``
        (empty: solid) and the :func:`marker` shapes ``circle``, ``square``, ``triangle``.
        """
        x, row = x0, 0
        for kind, color, label in items:
            need = 22 + text_width(label, 11) + 16
            if x > x0 and x + need > x0 + width:
                x, row = x0, row + 1
            cy = y + 8 + row * 20
            if kind == "box":
                self.rect(x, cy - 5, 12, 10, color)
            elif kind == "tick":
                self.rect(x + 5, cy - 7, 2.5, 14, color)
            elif kind == "diamond":
                self.diamond(x + 6, cy, 5, color)
            elif kind == "range":
                self.rect(x, cy - 1.5, 14, 3, color)
            elif kind == "dash":
                self.line(x + 6, cy - 8, x + 6, cy + 8, color, 1.2, "4 3")
            elif kind.startswith("line:"):
                self.line(x, cy, x + 16, cy, color, 2, kind[5:] or None)
                self.circle(x + 8, cy, 2.5, color)
            else:
                marker(self, kind, x + 6, cy, 5, color)
            self.text(x + 20, cy, label, 11, fill="#424242")
            x += need
        return (row + 1) * 20 + 4

    def diamond(self, cx: float, cy: float, r: float, fill: str) -> None:
        self.parts.append(f'<path d="M{num(cx)} {num(cy - r)}L{num(cx + r)} {num(cy)}L{num(cx)} '
                          f'{num(cy + r)}L{num(cx - r)} {num(cy)}Z" fill="{fill}"/>')

    def circle(self, cx: float, cy: float, r: float, fill: str, extra: str = "") -> None:
        self.parts.append(f'<circle cx="{num(cx)}" cy="{num(cy)}" r="{num(r)}" '
                          f'fill="{fill}"{extra}/>')

    def svg(self, ident: str, title: str, description: str, width: float, height: float,
            *, standalone: bool = False) -> str:
        """The drawing as ``<svg id="{ident}-svg" role="img">``, sized up to whole pixels.

        ``standalone`` adds the SVG namespace, so that the text is also a valid SVG file
        (notebook outputs); inline in HTML it is not needed.
        """
        width, height = math.ceil(width), math.ceil(height)
        xmlns = f'xmlns="{SVG_NS}" ' if standalone else ""
        return (f'<svg {xmlns}class="chart-svg" id="{ident}-svg" viewBox="0 0 {width} {height}" '
                f'width="{width}" height="{height}" role="img" '
                f'aria-labelledby="{ident}-svg-title {ident}-svg-desc" '
                f'font-family="{SVG_FONT}">' + title_desc(ident, title, description)
                + "".join(self.parts) + "</svg>")


def marker(c: Canvas, shape: str, x: float, y: float, r: float, fill: str) -> None:
    """A point marker of radius ``r``: ``square``, ``triangle``, ``diamond`` or a circle."""
    edge = ' stroke="#ffffff" stroke-width="1"'
    if shape == "square":
        c.rect(x - r * 0.85, y - r * 0.85, r * 1.7, r * 1.7, fill, edge)
    elif shape == "triangle":
        c.parts.append(f'<path d="M{x:.1f} {y - r:.1f}L{x + r:.1f} {y + r * 0.8:.1f}'
                       f'L{x - r:.1f} {y + r * 0.8:.1f}Z" fill="{fill}"{edge}/>')
    elif shape == "diamond":
        c.diamond(x, y, r * 1.15, fill)
    else:
        c.circle(x, y, r, fill, edge)


def label_column(labels: Sequence[str], size: float = 11, limit: int = 38) -> float:
    """Width of the row-label column left of a plot: the longest (clipped) label, 250 at most."""
    return min(max((text_width(clip(t, limit), size) for t in labels), default=40) + 14, 250)


def tick_text(t: float) -> str:
    """A tick label: ``20``, ``2.5`` (the ``g`` format)."""
    return f"{t:g}"


def x_axis(c: Canvas, left: float, plot_w: float, top: float, bottom: float,
           ticks: Sequence[float], lo: float, hi: float, title: str,
           fmt: Callable[[float], str] = tick_text) -> None:
    """Vertical grid lines at ``ticks`` (``lo``..``hi`` across ``plot_w``), labels below, and
    the axis title under them."""
    for t in ticks:
        x = left + plot_w * (t - lo) / (hi - lo)
        c.line(x, top, x, bottom)
        c.text(x, bottom + 10, fmt(t), 10, "middle", MUTED)
    c.text(left + plot_w / 2, bottom + 26, title, 11, "middle", MUTED)


def amber_rule(c: Canvas, x: float, top: float, bottom: float, label: str,
               color: str = "#424242") -> None:
    """The dashed amber-threshold rule down the plot at ``x``, labelled above it."""
    c.line(x, top - 6, x, bottom, color, 1.2, "4 3")
    c.text(x, top - 13, label, 10, "middle", color)
