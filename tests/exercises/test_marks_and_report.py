"""An exercise's marks in STIX and MISP, its timers (start, injects, end), its report as PDF
and against the previous exercise of the same scope, its library, and the demo's how-to."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from stix2validator import ValidationOptions, validate_instance

from tests.briefing.test_documents import pdf_text
from tests.exercises.helpers import create, start
from tocsin.clock import ManualClock
from tocsin.demo.seed import Credential
from tocsin.exercises import tasks
from tocsin.exercises.howto import demo_exercise_body, exercise_howto
from tocsin.state import AppState


def _export(client: Any, world: Any, alert_id: str, kind: str) -> dict[str, Any]:
    answer = client.get(f"/api/v1/alerts/{alert_id}/export?format={kind}", headers=world.auth("E2"))
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def test_stix_objects_say_exercise_and_misp_tags_it_and_blocks_nothing(
    client: Any, world: Any
) -> None:
    alert_id = start(client, world, create(client, world))["alert_id"]
    bundle = _export(client, world, alert_id, "stix")
    report = next(o for o in bundle["objects"] if o["type"] == "report")
    indicators = [o for o in bundle["objects"] if o["type"] == "indicator"]
    assert report["x_tocsin_exercise"] is True and report["name"] == "Rançongiciel simulé"
    assert indicators and all(o["x_tocsin_exercise"] is True for o in indicators)
    assert validate_instance(bundle, ValidationOptions(version="2.1")).is_valid
    event = _export(client, world, alert_id, "misp")["Event"]
    assert {"name": "exercise"} in [{"name": t["name"]} for t in event["Tag"]]
    assert event["Attribute"] and not any(a["to_ids"] for a in event["Attribute"])


def test_the_clock_starts_it_releases_injects_and_ends_it(
    client: Any, world: Any, state: AppState, clock: ManualClock
) -> None:
    begins = clock.now() + timedelta(minutes=10)
    body = {"starts_at": begins.isoformat(), "ends_at": (begins + timedelta(hours=1)).isoformat(),
            "injects": [{"offset_minutes": 20, "note": "Le prestataire confirme",
                         "changes": {"severity": "high", "summary": "Mise à jour du scénario"}}]}  # fmt: skip
    exercise = create(client, world, **body)
    assert tasks.tick(state) == 0  # not yet
    clock.advance(timedelta(minutes=10))
    assert tasks.tick(state) == 1
    read = client.get(f"/api/v1/exercises/{exercise['id']}", headers=world.auth("R1")).json()
    assert read["status"] == "running" and read["alert_id"]
    clock.advance(timedelta(minutes=20))
    assert tasks.tick(state) == 1
    alert = client.get(f"/api/v1/alerts/{read['alert_id']}", headers=world.auth("E2")).json()
    assert (alert["revision"], alert["severity"], alert["exercise"]) == (2, "high", True)
    history = client.get(f"/api/v1/alerts/{read['alert_id']}/revisions", headers=world.auth("E2"))
    assert history.json()[-1]["note"] == "Le prestataire confirme"
    clock.advance(timedelta(minutes=40))  # an hour after the start
    tasks.tick(state)
    ended = client.get(f"/api/v1/exercises/{exercise['id']}", headers=world.auth("R1")).json()
    assert ended["status"] == "ended" and ended["injects"][0]["released_at"]
    closed = client.get(f"/api/v1/alerts/{read['alert_id']}", headers=world.auth("E2")).json()
    assert closed["status"] == "closed"


def _acknowledged_after(client: Any, world: Any, clock: ManualClock, minutes: int) -> str:
    exercise = create(client, world)
    alert_id = start(client, world, exercise)["alert_id"]
    clock.advance(timedelta(minutes=minutes))
    client.put(f"/api/v1/alerts/{alert_id}/response", json={"acknowledged": True},
               headers=world.auth("E2"))  # fmt: skip
    client.post(f"/api/v1/exercises/{exercise['id']}/end", headers=world.auth("R1"))
    return str(exercise["id"])


def test_the_report_compares_with_the_previous_exercise_and_prints_with_notes(
    client: Any, world: Any, clock: ManualClock, tmp_path: Path
) -> None:
    first = _acknowledged_after(client, world, clock, 20)
    clock.advance(timedelta(days=30))
    second = _acknowledged_after(client, world, clock, 4)
    note = client.put(f"/api/v1/exercises/{second}/observations/{world.ids['E2']}",
                      json={"note": "Cellule réunie en 10 minutes"}, headers=world.auth("R1"))  # fmt: skip
    assert note.status_code == 204
    report = client.get(f"/api/v1/exercises/{second}/report", headers=world.auth("R1")).json()
    assert report["median_time_to_acknowledge_seconds"] == 240.0
    assert report["previous"]["id"] == first
    assert report["previous"]["median_time_to_acknowledge_seconds"] == 1200.0
    [e2] = [r for r in report["rows"] if r["organisation"]["id"] == str(world.ids["E2"])]
    assert e2["observation"] == "Cellule réunie en 10 minutes"
    pdf = client.get(f"/api/v1/exercises/{second}/report.pdf", headers=world.auth("R1"))
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = pdf_text(pdf.content, tmp_path)
    assert "EXERCICE" in text and "Rapport d'exercice" in text
    assert "Cellule" in text and "4.0 min" in text  # the note, the time to acknowledge


def test_the_library_ships_french_scenarios_that_relays_edit_and_exercises_use(
    client: Any, world: Any
) -> None:
    listed = client.get("/api/v1/exercise-scenarios", headers=world.auth("E2")).json()
    assert len(listed) >= 3 and all(s["title"] for s in listed)
    key = listed[0]["key"]
    edited = {"title": "Scénario revu", "content": {**listed[0]["content"], "severity": "high"}}
    refused = client.put(f"/api/v1/exercise-scenarios/{key}", json=edited, headers=world.auth("E2"))
    assert refused.status_code == 403
    kept = client.put(f"/api/v1/exercise-scenarios/{key}", json=edited, headers=world.auth("R1"))
    assert kept.status_code == 200 and kept.json()["title"] == "Scénario revu"
    exercise = create(client, world, scenario=None, scenario_key=key)
    alert_id = start(client, world, exercise)["alert_id"]
    alert = client.get(f"/api/v1/alerts/{alert_id}", headers=world.auth("E2")).json()
    assert alert["severity"] == "high" and alert["exercise"] is True


def test_the_demo_prints_commands_that_run_an_exercise(client: Any, world: Any) -> None:
    officer = Credential(organisation="Org R1", organisation_id=str(world.ids["R1"]),
                         kind="region", region="Org R1", user="so_R1", role="security_officer",
                         password="x", token=world.tokens["so_R1"])  # fmt: skip
    text = exercise_howto([officer], "http://127.0.0.1:8000")
    assert world.tokens["so_R1"] in text and "/api/v1/exercises" in text and "/start" in text
    created = client.post("/api/v1/exercises", json=demo_exercise_body(), headers=world.auth("R1"))
    assert created.status_code == 201, created.text
    assert start(client, world, created.json())["alert_id"]
