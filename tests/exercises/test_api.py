"""Exercises through the API: planned, started through the publication layer, refused when
the input is wrong (and then nothing is sent)."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

import pytest

from tests.delivery.helpers import deliveries
from tests.exercises.helpers import create, exercise_body, scenario, start
from tocsin.clock import ManualClock
from tocsin.state import AppState


def test_an_exercise_waits_until_started_then_publishes_a_marked_alert(
    client: Any, world: Any, state: AppState
) -> None:
    exercise = create(client, world)
    assert exercise["status"] == "scheduled" and exercise["alert_id"] is None
    assert deliveries(state) == []  # nothing sent before the start
    started = start(client, world, exercise)
    assert started["status"] == "running" and started["alert_id"]
    read = client.get(f"/api/v1/exercises/{exercise['id']}", headers=world.auth("R1")).json()
    assert read["alert_id"] == started["alert_id"]
    alert = client.get(f"/api/v1/alerts/{started['alert_id']}", headers=world.auth("E2")).json()
    assert alert["exercise"] is True
    recipients = {r.recipient_org_id for r in deliveries(state)}
    assert world.ids["E2"] in recipients and world.ids["E5"] not in recipients
    again = client.post(f"/api/v1/exercises/{exercise['id']}/start", headers=world.auth("R1"))
    assert again.status_code == 409


def test_only_the_organiser_and_relays_above_it_see_the_exercise(client: Any, world: Any) -> None:
    exercise = create(client, world, "G1", scope={"kind": "group"})
    for who, code in [("G1", 200), ("R1", 200), ("N", 200), ("E2", 404), ("R2", 404)]:
        answer = client.get(f"/api/v1/exercises/{exercise['id']}", headers=world.auth(who))
        assert answer.status_code == code, who
    refused = client.post(f"/api/v1/exercises/{exercise['id']}/start", headers=world.auth("R1"))
    assert refused.status_code == 404  # only the organiser starts it


@pytest.mark.parametrize(
    ("who", "changes", "field"),
    [
        ("G1", {"scope": {"kind": "region", "area_id": "R2"}}, "scope"),
        ("E2", {"scope": {"kind": "region"}}, "scope"),  # its own region, but not from above
        ("G1", {"scope": {"kind": "explicit", "organisations": ["E5"]}}, "scope.organisations"),
        ("R1", {"starts_at": "2020-01-01T00:00:00Z"}, "starts_at"),
        ("R1", {"scenario": scenario(tlp="red")}, "scope"),
        ("R1", {"ends_at": "2026-01-01T08:30:00Z",
                "injects": [{"offset_minutes": 45, "note": "trop tard"}]}, "injects"),
        ("R1", {"from_alert_id": "00000000-0000-0000-0000-000000000000", "scenario": None},
         "from_alert_id"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_naming_the_field_and_nothing_is_sent(
    client: Any, world: Any, state: AppState, who: str, changes: dict[str, Any], field: str
) -> None:
    changes = copy.deepcopy(changes)  # the same cases run on both databases
    scope = changes.get("scope")
    if scope and scope.get("area_id"):
        scope["area_id"] = str(world.ids[scope["area_id"]])
    if scope and scope.get("organisations"):
        scope["organisations"] = [str(world.ids[o]) for o in scope["organisations"]]
    answer = client.post("/api/v1/exercises", json=exercise_body(**changes),
                         headers=world.auth(who))  # fmt: skip
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert field in [e["field"] for e in problem["errors"]], problem
    assert deliveries(state) == []


def test_an_inject_after_the_end_is_refused_and_an_ended_exercise_takes_none(
    client: Any, world: Any, clock: ManualClock
) -> None:
    ends = (clock.now() + timedelta(hours=1)).isoformat()
    exercise = create(client, world, ends_at=ends)
    late = client.post(f"/api/v1/exercises/{exercise['id']}/injects",
                       json={"offset_minutes": 90, "note": "trop tard"}, headers=world.auth("R1"))  # fmt: skip
    assert late.status_code == 422 and late.json()["errors"][0]["field"] == "offset_minutes"
    start(client, world, exercise)
    client.post(f"/api/v1/exercises/{exercise['id']}/end", headers=world.auth("R1"))
    after = client.post(f"/api/v1/exercises/{exercise['id']}/injects",
                        json={"offset_minutes": 5, "note": "après"}, headers=world.auth("R1"))  # fmt: skip
    assert after.status_code == 422


def test_a_past_alert_becomes_an_anonymised_scenario(client: Any, world: Any) -> None:
    body = scenario(title="Incident à Org E1", summary="Org E1 a été chiffré.",
                    anonymous=False, affected_organisation=str(world.ids["E1"]))  # fmt: skip
    past = client.post("/api/v1/alerts", json={**body, "scope": {"kind": "region"}},
                       headers=world.auth("R1")).json()  # fmt: skip
    client.post(f"/api/v1/alerts/{past['id']}/publish", headers=world.auth("R1"))
    exercise = create(client, world, scenario=None, from_alert_id=past["id"])
    alert_id = start(client, world, exercise)["alert_id"]
    seen = client.get(f"/api/v1/alerts/{alert_id}", headers=world.auth("E2")).json()
    assert seen["affected"] is None and seen["anonymous"] is True
    assert "Org E1" not in seen["title"] and "Org E1" not in seen["summary"]
    assert "[établissement]" in seen["summary"]
