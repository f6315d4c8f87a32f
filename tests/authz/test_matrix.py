"""Every operation and page against the gates and resources of the authorisation table
(tests/authz/table.py; that it lists exactly the operations and pages is tested there).

1. Gates: anonymous callers get 401 (API) or are sent to sign in (pages); a read-only token
   never passes a write or admin gate; a read-write token never passes an admin gate.
2. Resources: for alerts of every TLP and a draft, and for a declaration, every operation
   on them answers 404 to each organisation the TLP 2.0 oracle says may not read them, and
   the content never shows; the organisations that may read them do.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.alerts.factory import alert_body, publish
from tests.authz.calls import EXERCISE_SCENARIO, IDENTITY_PROVIDER
from tests.authz.table import (
    ADMIN_GATE,
    API,
    PAGE_GATE,
    PAGES,
    PUBLIC_GATE,
    WRITE_GATE,
    gate,
)
from tests.relay.factory import URL as DECLARATIONS
from tests.relay.factory import declaration_body
from tests.sharing.oracle import expected_readers
from tests.web.helpers import sign_in
from tests.world import LAYOUT, World
from tocsin.alerts.models import Alert
from tocsin.alerts.projection import facts
from tocsin.db import transaction
from tocsin.network import service as network_service
from tocsin.state import AppState

ORGS = [name for name, *_ in LAYOUT]
_PARAM = re.compile(r"{(\w+)}")


def _fill(path: str, **known: str) -> str:
    defaults = {"org_id": known.get("org_id", ""), "kind": "domains", "name": "app.css",
                "item": "x", "key": "x", "collection_id": "x", "delivery_id": "1",
                "object_id": f"indicator--{uuid.uuid4()}"}  # fmt: skip
    return _PARAM.sub(lambda m: known.get(m[1]) or defaults.get(m[1]) or str(uuid.uuid4()), path)


def _bodies(world: World) -> dict[tuple[str, str], Any]:
    """Valid bodies, so that the gate and the resource answer, not input validation."""
    some = str(uuid.uuid4())
    when = "2026-01-01T06:00:00Z"
    e1 = str(world.ids["E1"])
    return {
        ("POST", "/api/v1/alerts"): alert_body(),
        ("POST", "/api/v1/alerts/{alert_id}/retract"): {"reason": "mistaken"},
        ("POST", "/api/v1/campaigns"): {"name": "c", "alert_ids": [some]},
        ("PATCH", "/api/v1/campaigns/{campaign_id}"): {"name": "c"},
        ("POST", "/api/v1/campaigns/{campaign_id}/merge"): {"other_id": some},
        ("POST", "/api/v1/campaigns/{campaign_id}/split"): {"name": "c", "alert_ids": [some]},
        ("POST", "/api/v1/declarations"): declaration_body(),
        ("POST", "/api/v1/declarations/{declaration_id}/close"): {"ended_at": when,
                                                                  "summary": "over"},
        ("POST", "/api/v1/declarations/{declaration_id}/log"): {"text": "called the CERT"},
        ("POST", "/api/v1/organisations"): {"name": "Org X", "kind": "partner"},
        ("POST", "/api/v1/users"): {"email": "x@example.org", "display_name": "X",
                                    "organisation_id": e1, "roles": ["viewer"]},
        ("POST", "/api/v1/posture/items"): {"key": "x", "domain": "governance",
                                            "title_fr": "x", "title_en": "x"},
        ("PUT", "/api/v1/posture/organisations/{org_id}/items/{key}"): {"status": "done"},
        ("POST", "/api/v1/sightings"): {"indicator_id": some, "count": 1,
                                        "first_seen": when, "last_seen": when},
        ("POST", "/api/v1/tokens"): {"name": "t", "organisation_id": e1, "scopes": ["read"]},
        ("POST", "/api/v1/webhooks"): {"url": "https://hooks.example.org/x"},
        ("POST", "/api/v1/alerts/{alert_id}/notices"): {"audience": "director", "text": "x"},
        ("PUT", "/api/v1/organisations/{org_id}/on-call"): {
            "contacts": [{"name": "RSSI", "phone": "+33612345678"}]},
        ("PATCH", "/api/v1/users/{user_id}"): {"active": False},
        ("POST", "/api/v1/organisations/{org_id}/identity-providers"): IDENTITY_PROVIDER,
        ("POST", "/api/v1/declarations/{declaration_id}/affected-notice"): {
            "audience": "people", "subject": "s", "text": "t", "recipients": ["p@example.org"]},
        ("PUT", "/api/v1/exercise-scenarios/{key}"): {"title": "x", "content": EXERCISE_SCENARIO},
        ("POST", "/api/v1/exercises"): {"title": "x", "scenario": EXERCISE_SCENARIO,
                                        "scope": {"kind": "explicit", "organisations": [e1]}},
        ("POST", "/api/v1/exercises/{exercise_id}/injects"): {"offset_minutes": 5, "note": "x"},
        ("PUT", "/api/v1/exercises/{exercise_id}/observations/{org_id}"): {"note": "x"},
    }  # fmt: skip


TAXII = "application/taxii+json;version=2.1"


def _call(client: TestClient, method: str, path: str, body: Any = None, **headers: str) -> Any:
    if body is None and method not in ("GET", "DELETE"):
        body = {}
    if path.startswith("/taxii2/"):
        headers |= {"Accept": TAXII} | ({"Content-Type": TAXII} if method == "POST" else {})
        body = {"objects": []} if method == "POST" else None
    if path == "/api/v1/stream":  # an open stream never ends: only its gate is asked
        headers["Last-Event-ID"] = "not a number"
    if body is not None and path.startswith("/taxii2/"):
        content = json.dumps(body).encode()
        return client.request(method, path, content=content, headers=headers,
                              follow_redirects=False)  # fmt: skip
    return client.request(method, path, json=body, headers=headers, follow_redirects=False)


def test_gates(client: TestClient, world: World) -> None:
    wrong: list[str] = []
    e1 = str(world.ids["E1"])
    bodies = _bodies(world)
    for (method, template), checks in API.items():
        door = gate(checks)
        if door == PUBLIC_GATE:
            continue
        path = _fill(template, org_id=e1)
        tries = [("anonymous", {}, {401})]
        if door in (WRITE_GATE, ADMIN_GATE):
            tries.append(("viewer_E1", world.auth("viewer_E1"), {403, 404}))
        if door == ADMIN_GATE:
            tries.append(("so_E1", world.auth("E1"), {403}))
        for who, headers, denied in tries:
            status = _call(client, method, path, bodies.get((method, template)), **headers)
            status = status.status_code
            if status not in denied:
                wrong.append(f"{method} {template} as {who}: {status}, expected {denied}")
    assert wrong == []


def test_pages_send_anonymous_visitors_to_sign_in(client: TestClient, world: World) -> None:
    wrong = []
    for (method, template), checks in PAGES.items():
        if gate(checks, page=True) != PAGE_GATE:
            continue
        answer = _call(client, method, _fill(template, org_id=str(world.ids["E1"])))
        sent_to_sign_in = answer.status_code == 303 and "/signin" in answer.headers["location"]
        csrf_refused = method == "POST" and answer.status_code == 403
        if not (sent_to_sign_in or csrf_refused):
            wrong.append(f"{method} {template}: {answer.status_code}")
    assert wrong == []


ALERT_CASES = {
    "amber, group": {"tlp": "amber", "scope": {"kind": "group"}},
    "amber+strict, region": {"tlp": "amber+strict", "scope": {"kind": "region"}},
    "red, named": {"tlp": "red", "scope": {"kind": "explicit", "organisations": ["E3"]}},
    "green, group": {"tlp": "green", "scope": {"kind": "group"}},
    "draft": {"tlp": "amber", "scope": {"kind": "group"}},
}
SECRET_TITLE = "Wiper on the maternity ward network"


def _alert(client: TestClient, world: World, case: str) -> str:
    changes: dict[str, Any] = dict(ALERT_CASES[case])
    scope = changes["scope"]
    if "organisations" in scope:
        scope = {**scope, "organisations": [str(world.ids[o]) for o in scope["organisations"]]}
    changes["scope"] = scope
    if case == "draft":
        answer = client.post("/api/v1/alerts", json=alert_body(**changes, title=SECRET_TITLE),
                             headers=world.auth("E2"))  # fmt: skip
        assert answer.status_code == 201, answer.text
        return str(answer.json()["id"])
    return str(publish(client, world, "E2", **changes, title=SECRET_TITLE)["id"])


def _readers(state: AppState, world: World, alert_id: str) -> set[str]:
    with transaction(state.sessions) as session:
        network = network_service.load_network(session=session)
        alert = session.get(Alert, uuid.UUID(alert_id))
        assert alert is not None
        allowed = expected_readers(network, facts(alert))
    return {name for name in ORGS if world.ids[name] in allowed}


@pytest.mark.parametrize("case", list(ALERT_CASES))
def test_no_operation_on_an_alert_answers_those_who_may_not_read_it(
    client: TestClient, world: World, state: AppState, case: str
) -> None:
    alert_id = _alert(client, world, case)
    readers = _readers(state, world, alert_id)
    assert (readers and set(ORGS) - readers) or case.startswith("green")
    wrong: list[str] = []
    bound = [(m, p) for (m, p) in API if "{alert_id}" in p]
    bodies = _bodies(world)
    for name in ORGS:
        for method, template in bound:
            if name in readers and method != "GET":
                continue  # a reader's writes would change the alert under test
            path = _fill(template, alert_id=alert_id)
            answer = _call(client, method, path, bodies.get((method, template)), **world.auth(name))
            if name in readers:
                if (
                    method == "GET"
                    and template.endswith("{alert_id}")
                    and answer.status_code != 200
                ):
                    wrong.append(f"{name} may read but got {answer.status_code}")
            elif answer.status_code != 404 or SECRET_TITLE in answer.text:
                wrong.append(f"{method} {template} as {name}: {answer.status_code}")
    assert wrong == [], f"{case}: readers {sorted(readers)}"


def test_no_page_of_an_alert_shows_to_those_who_may_not_read_it(
    client: TestClient, world: World
) -> None:
    alert_id = _alert(client, world, "red, named")
    outsider = "E1"  # same group as the source, not named
    sign_in(client, f"so_{outsider}")
    for template in [p for (m, p) in PAGES if "{alert_id}" in p and m == "GET"]:
        answer = client.get(_fill(template, alert_id=alert_id))
        assert answer.status_code == 404 and SECRET_TITLE not in answer.text, template


def test_no_operation_on_a_declaration_answers_those_who_may_not_see_it(
    client: TestClient, world: World
) -> None:
    created = client.post(DECLARATIONS, json=declaration_body(), headers=world.auth("E1"))
    assert created.status_code == 201, created.text
    declaration_id = created.json()["id"]
    bound = [(m, p) for (m, p) in API if "{declaration_id}" in p]
    bodies = _bodies(world)
    wrong = []
    for name in ("E2", "E4", "E5", "G2", "R2", "P"):  # peers and other areas, not relays
        for method, template in bound:
            path = _fill(template, declaration_id=declaration_id)
            answer = _call(client, method, path, bodies.get((method, template)), **world.auth(name))
            if answer.status_code != 404:
                wrong.append(f"{method} {template} as {name}: {answer.status_code}")
    for name in ("E1", "G1", "R1", "N"):  # the declarant and its relays
        answer = client.get(f"{DECLARATIONS}/{declaration_id}", headers=world.auth(name))
        assert answer.status_code == 200, name
    assert wrong == []
