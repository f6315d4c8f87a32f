"""The pure pieces: how a title says exercise, and an exercise's own escalation deadline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tocsin.delivery.content import envelope
from tocsin.delivery.letters import alert_subject
from tocsin.marking import shown_title
from tocsin.responses.deadlines import Stage, own_due_at
from tocsin.sms.text import AlertText, alert_sms


def test_titles_say_exercise_in_the_readers_language_and_only_for_exercises() -> None:
    assert shown_title("Rançongiciel", exercise=True, language="fr") == "EXERCICE · Rançongiciel"
    assert shown_title("Ransomware", exercise=True, language="en") == "EXERCISE · Ransomware"
    assert shown_title("Ransomware", exercise=False, language="fr") == "Ransomware"
    alert = {"tlp": "amber", "severity": "high", "title": "Ransomware", "exercise": True}
    assert (
        alert_subject(alert, "update", "en") == "[TLP:AMBER] [HIGH] Update: EXERCISE · Ransomware"
    )
    assert alert_subject(alert, "publish", "fr").endswith("] EXERCICE · Ransomware")
    red = {**alert, "tlp": "red"}
    assert "EXERCICE · " in alert_subject(red, "publish", "fr")
    sms = AlertText(language="fr", severity="high", tlp="amber", title="X", link="l",
                    exercise=True)  # fmt: skip
    assert alert_sms(sms, 1).startswith("EXERCICE · ")


def test_every_envelope_carries_the_flag() -> None:
    fields = {"event_id": "e", "action": "publish", "revision": 1, "timestamp": "t", "alert": {}}
    assert envelope(**fields, exercise=True)["exercise"] is True
    assert envelope(**fields)["exercise"] is False


def test_an_exercise_escalates_on_its_own_deadline_then_twice_as_late_to_relays() -> None:
    reached = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
    assert own_due_at(15, Stage.director, reached) == reached + timedelta(minutes=15)
    assert own_due_at(15, Stage.relays, reached) == reached + timedelta(minutes=30)
