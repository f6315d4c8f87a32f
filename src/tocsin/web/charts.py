"""Small charts drawn on the server as SVG: no script, nothing for the CSP to allow.

Every chart has its axes (values on the left, days below) and a legend in the reader's
words; the caller passes the words (translated labels, dates as the reader reads them), so
this module stays pure.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date

from markupsafe import Markup, escape

WIDTH, HEIGHT, GAP = 600, 120, 2
LEFT, BOTTOM, TOP, LEGEND = 34, 18, 8, 20  # room for the value axis, the days, the legend
DayLabel = Callable[[date], str]


def _svg_open(css: str, title: str, height: int) -> list[str]:
    return [f'<svg class="{css}" viewBox="0 0 {LEFT + WIDTH} {height}" role="img" '
            f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
            f"<title>{escape(title)}</title>"]  # fmt: skip


def _axes(peak: int, first: str, last: str, unit: str = "") -> list[str]:
    """The value axis (0, half, peak) with faint grid lines, and the first and last day."""
    base = TOP + HEIGHT
    right = LEFT + WIDTH
    parts = [f'<line class="axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{base}"/>',
             f'<line class="axis" x1="{LEFT}" y1="{base}" x2="{right}" y2="{base}"/>']  # fmt: skip
    for value in sorted({0, peak // 2, peak}):
        y = base - HEIGHT * value / max(peak, 1)
        parts.append(
            f'<line class="grid" x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + WIDTH}" y2="{y:.1f}"/>'
        )
        parts.append(f'<text class="tick" x="{LEFT - 4}" y="{y + 3:.1f}" text-anchor="end">'
                     f"{value}{escape(unit)}</text>")  # fmt: skip
    parts.append(f'<text class="tick" x="{LEFT}" y="{base + 14}">{escape(first)}</text>')
    parts.append(f'<text class="tick" x="{LEFT + WIDTH}" y="{base + 14}" text-anchor="end">'
                 f"{escape(last)}</text>")  # fmt: skip
    return parts


def _legend(entries: Mapping[str, str], y: int) -> list[str]:
    parts, x = [], LEFT
    for css, label in entries.items():
        parts.append(
            f'<rect class="key bar-{escape(css)}" x="{x}" y="{y - 9}" width="10" height="10"/>'
        )
        parts.append(f'<text class="legend" x="{x + 14}" y="{y}">{escape(label)}</text>')
        x += 24 + 7 * len(label)
    return parts


def daily_bars(
    days: Sequence[date], series: Mapping[str, Sequence[int]], title: str,
    legend: Mapping[str, str] | None = None, day_label: DayLabel = date.isoformat,
) -> Markup:  # fmt: skip
    """Stacked bars, one per day, one colour class per series (styled in app.css), with the
    count axis, the first and last day, and a legend naming each series."""
    if not days:
        return Markup("")
    totals = [sum(values[i] for values in series.values()) for i in range(len(days))]
    peak = max(max(totals), 1)
    bar = WIDTH / len(days)
    height = TOP + HEIGHT + BOTTOM + LEGEND
    parts = _svg_open("timeline", title, height)
    parts += _axes(peak, day_label(days[0]), day_label(days[-1]))
    for i, day in enumerate(days):
        top = float(TOP + HEIGHT)
        for name, values in series.items():
            size = HEIGHT * values[i] / peak
            if size:
                top -= size
                label = (legend or {}).get(name, name)
                parts.append(
                    f'<rect class="bar-{escape(name)}" x="{LEFT + i * bar:.1f}" y="{top:.1f}" '
                    f'width="{max(bar - GAP, 1):.1f}" height="{size:.1f}">'
                    f"<title>{escape(day_label(day))} : {values[i]} {escape(label)}</title></rect>"
                )
    parts += _legend(legend or {name: name for name in series}, height - 4)
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above is escaped or a number


def score_line(
    points: Sequence[tuple[date, int]], title: str, label: str, day_label: DayLabel = date.isoformat
) -> Markup:
    """A score out of 100 over time: one dot per sign-off joined by a line, with axes."""
    if not points:
        return Markup("")
    height = TOP + HEIGHT + BOTTOM + LEGEND
    first, last = points[0][0], points[-1][0]
    span = max((last - first).days, 1)
    parts = _svg_open("score-history", title, height)
    parts += _axes(100, day_label(first), day_label(last))
    where = [(LEFT + WIDTH * (d - first).days / span if len(points) > 1 else LEFT + WIDTH / 2,
              TOP + HEIGHT - HEIGHT * score / 100, d, score) for d, score in points]  # fmt: skip
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in where)
    parts.append(f'<polyline class="score" points="{line}"/>')
    for x, y, day, score in where:
        parts.append(f'<circle class="score" cx="{x:.1f}" cy="{y:.1f}" r="4">'
                     f"<title>{escape(day_label(day))} : {score}/100</title></circle>")  # fmt: skip
    parts += _legend({"score": label}, height - 4)
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above is escaped or a number
