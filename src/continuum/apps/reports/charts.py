"""Small charts drawn on the server as SVG: horizontal bars and lines.

Each chart is an image with a title and a description (``role="img"``, ``aria-labelledby``); the
figure's table beside it carries the same numbers for people who cannot see the chart, so the
chart itself need not be read out point by point. No JavaScript; it prints in black and white
(the series differ by dash pattern as well as colour).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 260
# GOV.UK colours: blue, then orange; dashes tell the series apart in print.
FONT = "GDS Transport, arial, sans-serif"
SERIES_STYLES: tuple[tuple[str, str], ...] = (("#1d70b8", ""), ("#f47738", "6 4"), ("#00703c", "2 3"))


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _clip(text: str, limit: int = 38) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bars(chart_id: str, title: str, labels: Sequence[str], values: Sequence[object]) -> SafeString:
    """Horizontal bars, one per label; a value that is not a number (not yet recorded) draws no bar."""
    numbers = [_number(v) for v in values]
    top = max((n for n in numbers if n is not None), default=0.0) or 1.0
    height = len(labels) * (BAR_HEIGHT + GAP) + GAP
    span = WIDTH - LABEL_WIDTH - 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" font-family="{FONT}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">A bar chart; the table below gives the same figures.</desc>',
    ]
    for i, (label, value, number) in enumerate(zip(labels, values, numbers, strict=True)):
        y = GAP + i * (BAR_HEIGHT + GAP)
        middle = y + BAR_HEIGHT / 2 + 5
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{middle}" text-anchor="end" font-size="14">{escape(_clip(str(label)))}</text>'
        )
        if number is None:
            parts.append(
                f'<text x="{LABEL_WIDTH}" y="{middle}" font-size="14" font-style="italic">{escape(str(value))}</text>'
            )
            continue
        length = round(span * number / top, 1)
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length}" height="{BAR_HEIGHT}" fill="{SERIES_STYLES[0][0]}"/>'
        )
        parts.append(
            f'<text x="{LABEL_WIDTH + length + 6}" y="{middle}" font-size="14">{escape(_format(number))}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def lines(
    chart_id: str, title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[object]]]
) -> SafeString:
    """One line per series over the labels (e.g. months); points that are not numbers are skipped."""
    height, left, bottom, right, top_pad = 260, 50, 40, 20, 30
    plot_w, plot_h = WIDTH - left - right, height - bottom - top_pad
    top = max((n for _, vs in series for n in map(_number, vs) if n is not None), default=0.0) or 1.0
    step = plot_w / max(len(labels) - 1, 1)

    def x_of(i: int) -> float:
        return left + (plot_w / 2 if len(labels) == 1 else i * step)  # one point: in the middle of the axis

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" font-family="{FONT}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">A line chart; the table below gives the same figures.</desc>',
        f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{left + plot_w}" y2="{top_pad + plot_h}" stroke="#0b0c0c"/>',
        f'<line x1="{left}" y1="{top_pad}" x2="{left}" y2="{top_pad + plot_h}" stroke="#0b0c0c"/>',
        f'<text x="{left - 6}" y="{top_pad + 5}" text-anchor="end" font-size="13">{escape(_format(top))}</text>',
        f'<text x="{left - 6}" y="{top_pad + plot_h + 5}" text-anchor="end" font-size="13">0</text>',
    ]
    every = max(1, len(labels) // 6)
    for i, label in enumerate(labels):
        if i % every == 0 or i == len(labels) - 1:
            x = x_of(i)
            parts.append(
                f'<text x="{x:.1f}" y="{height - 14}" text-anchor="middle" font-size="13">{escape(str(label))}</text>'
            )
    for index, (name, values) in enumerate(series):
        colour, dash = SERIES_STYLES[index % len(SERIES_STYLES)]
        points = [
            f"{x_of(i):.1f},{top_pad + plot_h - plot_h * n / top:.1f}"
            for i, n in enumerate(map(_number, values))
            if n is not None
        ]
        if not points:
            continue
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="3"{dashes} points="{" ".join(points)}"/>')
        for point in points:  # markers: a single month is a point, and the series differ in shape as well
            x_text, y_text = point.split(",")
            px, py = float(x_text), float(y_text)
            if index % 2:
                parts.append(f'<rect x="{px - 5:.1f}" y="{py - 5:.1f}" width="10" height="10" fill="{colour}"/>')
            else:
                parts.append(f'<circle cx="{x_text}" cy="{y_text}" r="5" fill="{colour}"/>')
        legend_x = left + 10 + index * 220
        parts.append(
            f'<line x1="{legend_x}" y1="12" x2="{legend_x + 24}" y2="12" stroke="{colour}" stroke-width="3"{dashes}/>'
        )
        parts.append(f'<text x="{legend_x + 30}" y="17" font-size="13">{escape(name)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


def _format(number: float) -> str:
    return str(int(number)) if number == int(number) else f"{number:.1f}"
