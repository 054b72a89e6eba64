"""Small inline SVG drawings for the review: attainment by direction, completeness bars.

Attainment is drawn on each indicator's own scale, oriented so that better is always to the
right: a ceiling (lower is better, e.g. the poverty rate) is drawn reversed, so a beaten
ceiling sits inside the green zone, never as a "% of target" bar of 81.
"""

from __future__ import annotations

import html

from chitieu.review.data import Target

COLOURS = {"met": "#2e7d32", "exceeded": "#1b5e20", "missed": "#c62828", "at_risk": "#ef6c00",
           "on_track": "#1565c0", "no_data": "#9e9e9e"}
GOOD = "#c8e6c9"
BEYOND = "#a5d6a7"
BAD = "#f5f5f5"


def _good_zone(t: Target) -> tuple[float | None, float | None]:
    """The target's zone on the raw scale (None = open)."""
    if t.kind == "at_least":
        return t.low, None
    if t.kind == "at_most":
        return None, t.low
    return t.low, t.high  # range and change


def attainment_svg(t: Target, width: int = 100, height: int = 16) -> str:
    """A bullet: grey scale, green target zone, the actual as a dot coloured by status."""
    lo, hi = _good_zone(t)
    points = [p for p in (lo, hi, t.actual) if p is not None]
    if not points:
        return ""
    span = (max(points) - min(points)) or abs(max(points)) or 1.0
    vmin, vmax = min(points) - 0.35 * span, max(points) + 0.35 * span
    reverse = t.indicator.direction == "lower"

    def x(v: float | None, open_end: str) -> float:
        if v is None:  # an open side of the zone runs to the edge
            v = vmin if open_end == "min" else vmax
        frac = (v - vmin) / (vmax - vmin)
        return 2 + (1 - frac if reverse else frac) * (width - 4)

    parts = [f'<svg class="bullet" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             f'role="img" aria-label="{html.escape(t.status)}">',
             f'<rect x="0" y="3" width="{width}" height="{height - 6}" fill="{BAD}"/>']
    x1, x2 = sorted((x(lo, "min"), x(hi, "max")))
    parts.append(f'<rect x="{x1:.1f}" y="3" width="{max(x2 - x1, 1.5):.1f}" height="{height - 6}" '
                 f'fill="{GOOD}"/>')
    if t.kind in ("range", "change"):  # beyond the range in the good direction: exceeded
        edge = x(lo if reverse else hi, "max")
        parts.append(f'<rect x="{edge:.1f}" y="3" width="{max(width - edge, 0):.1f}" '
                     f'height="{height - 6}" fill="{BEYOND}"/>')
    if t.actual is not None:
        ax = x(t.actual, "min")
        colour = COLOURS.get(t.status, "#555")
        parts.append(f'<circle cx="{ax:.1f}" cy="{height / 2}" r="4.5" fill="{colour}" '
                     'stroke="white" stroke-width="1"/>')
    parts.append("</svg>")
    return "".join(parts)


def bar_svg(pct: float | None, colour: str = "#1565c0", width: int = 120, height: int = 12) -> str:
    """A 0-100 % bar."""
    share = max(0.0, min(100.0, pct or 0.0)) / 100
    return (f'<svg class="bar" width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
            f'<rect width="{width}" height="{height}" fill="{BAD}"/>'
            f'<rect width="{share * width:.1f}" height="{height}" fill="{colour}"/></svg>')
