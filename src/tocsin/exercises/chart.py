"""The report's chart: one bar per participant, its time to acknowledge, drawn as SVG on the
server (no script for the pages' CSP to allow; WeasyPrint draws it in the PDF). Pure."""

from __future__ import annotations

from markupsafe import Markup, escape

from tocsin.exercises.schemas import ExerciseReport

WIDTH, ROW, LABEL = 480, 22, 150


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.0f} min" if seconds >= 60 else f"{seconds:.0f} s"


def acknowledgement_bars(report: ExerciseReport, title: str, silent_word: str) -> Markup:
    """Horizontal bars of the time to acknowledge; a silent participant gets a red stub."""
    if not report.rows:
        return Markup("")
    longest = max((r.time_to_acknowledge_seconds or 0 for r in report.rows), default=0) or 1
    room = WIDTH - LABEL - 70
    height = ROW * len(report.rows) + 4
    parts = [f'<svg class="ack-chart" viewBox="0 0 {WIDTH} {height}" role="img" '
             f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg" '
             f'font-family="sans-serif" font-size="12"><title>{escape(title)}</title>']  # fmt: skip
    for i, row in enumerate(report.rows):
        y = i * ROW + 2
        took = row.time_to_acknowledge_seconds
        name = escape(row.organisation.name[:22])
        parts.append(f'<text x="0" y="{y + 14}">{name}</text>')
        if took is None:
            parts.append(
                f'<rect x="{LABEL}" y="{y + 3}" width="6" height="14" fill="#b42318"/>'
                f'<text x="{LABEL + 12}" y="{y + 14}">{escape(silent_word)}</text>'
            )
            continue
        width = max(2.0, room * took / longest)
        parts.append(f'<rect x="{LABEL}" y="{y + 3}" width="{width:.1f}" height="14" '
                     f'fill="#1f5f99"/><text x="{LABEL + width + 6:.1f}" y="{y + 14}">'
                     f"{_minutes(took)}</text>")  # fmt: skip
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above is escaped or a number
