"""An exercise as the API shows it, and its report as a document (HTML, then PDF)."""

from __future__ import annotations

import functools
from datetime import datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.orm import Session

from tocsin.alerts.present import org_ref
from tocsin.alerts.schemas import ScopeOut
from tocsin.exercises.chart import acknowledgement_bars
from tocsin.exercises.models import Exercise
from tocsin.exercises.schemas import ExerciseOut, ExerciseReport, InjectOut
from tocsin.localtime import moment_text
from tocsin.marking import exercise_word

TEMPLATES = Path(__file__).parent / "templates"

WORDS = {
    "fr": {"report": "Rapport d'exercice", "participants": "Participants", "received": "Reçue",
           "acknowledged": "Accusé de réception", "silent": "silencieux",
           "median_ack": "Délai médian d'accusé de réception", "median_receive":
           "Délai médian de réception", "escalations": "Escalades", "organisation":
           "Organisation", "first_channel": "Premier canal", "observation": "Observations",
           "previous": "Exercice précédent du même périmètre", "none": "aucun",
           "chart": "Délai d'accusé de réception par participant", "started": "Lancé le"},
    "en": {"report": "Exercise report", "participants": "Participants", "received": "Received",
           "acknowledged": "Acknowledged", "silent": "silent",
           "median_ack": "Median time to acknowledge", "median_receive":
           "Median time to receive", "escalations": "Escalations", "organisation":
           "Organisation", "first_channel": "First channel", "observation": "Observations",
           "previous": "Previous exercise of the same scope", "none": "none",
           "chart": "Time to acknowledge per participant", "started": "Started"},
}  # fmt: skip


def exercise_out(session: Session, exercise: Exercise) -> ExerciseOut:
    scope = ScopeOut.model_validate(exercise.content["scope"])
    return ExerciseOut(
        id=exercise.id, title=exercise.title, status=exercise.status,
        organiser=org_ref(session, exercise.org_id),
        scope=scope,
        starts_at=exercise.starts_at, ends_at=exercise.ends_at,
        acknowledge_minutes=exercise.acknowledge_minutes, alert_id=exercise.alert_id,
        created_at=exercise.created_at, started_at=exercise.started_at,
        ended_at=exercise.ended_at,
        injects=[InjectOut(id=i.id, offset_minutes=i.offset_minutes, note=i.note,
                           released_at=i.released_at) for i in exercise.injects],
    )  # fmt: skip


def words(language: str) -> dict[str, str]:
    return WORDS["en" if language == "en" else "fr"]


def chart(report: ExerciseReport, language: str) -> object:
    said = words(language)
    return acknowledgement_bars(report, said["chart"], said["silent"])


def minutes(seconds: float | None) -> str:
    """A time in seconds, as a reader counts it."""
    if seconds is None:
        return "—"
    return f"{seconds / 60:.1f} min" if seconds >= 60 else f"{seconds:.0f} s"


@functools.cache
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                       trim_blocks=True, lstrip_blocks=True)  # fmt: skip


def report_html(report: ExerciseReport, *, language: str, zone_name: str) -> str:
    """The report as a printable HTML document."""
    lang = "en" if language == "en" else "fr"

    def when(moment: object) -> str:
        if not isinstance(moment, datetime):
            return "—"
        return moment_text(moment, zone_name=zone_name, language=lang, with_zone=True)

    return _environment().get_template("report.html").render(
        r=report, w=words(lang), lang=lang, mark=exercise_word(lang), chart=chart(report, lang),
        when=when, minutes=minutes,
    )  # fmt: skip


def report_pdf(report: ExerciseReport, *, language: str, zone_name: str) -> bytes:
    """The report laid out on A4 pages (WeasyPrint; imported here: it loads pango)."""
    from weasyprint import HTML

    html = report_html(report, language=language, zone_name=zone_name)
    document: bytes = HTML(string=html, base_url=str(TEMPLATES)).write_pdf()
    return document
