"""Small charts drawn on the server as SVG: no script, nothing for the CSP to allow."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from markupsafe import Markup, escape

WIDTH, HEIGHT, GAP = 600, 120, 2


def daily_bars(days: Sequence[date], series: Mapping[str, Sequence[int]], title: str) -> Markup:
    """Stacked bars, one per day, one colour class per series (styled in app.css)."""
    if not days:
        return Markup("")
    totals = [sum(values[i] for values in series.values()) for i in range(len(days))]
    peak = max(max(totals), 1)
    bar = WIDTH / len(days)
    parts = [f'<svg class="timeline" viewBox="0 0 {WIDTH} {HEIGHT + 16}" role="img" '
             f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(title)}</title>"]  # fmt: skip
    for i, day in enumerate(days):
        top = float(HEIGHT)
        for name, values in series.items():
            height = HEIGHT * values[i] / peak
            if height:
                top -= height
                parts.append(
                    f'<rect class="bar-{escape(name)}" x="{i * bar:.1f}" y="{top:.1f}" '
                    f'width="{max(bar - GAP, 1):.1f}" height="{height:.1f}">'
                    f"<title>{day.isoformat()}: {values[i]} {escape(name)}</title></rect>"
                )
    parts.append(f'<text x="0" y="{HEIGHT + 14}">{days[0].isoformat()}</text>')
    parts.append(
        f'<text x="{WIDTH}" y="{HEIGHT + 14}" text-anchor="end">{days[-1].isoformat()}</text>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above is escaped or a number
