"""No organisation outside an alert's readers can read it through any endpoint: get, list,
revisions or indicator search. Random alerts against the oracle of tests/sharing/oracle.py."""

from __future__ import annotations

import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.alerts.factory import alert_body
from tests.sharing.oracle import expected_readers
from tests.world import LAYOUT
from tocsin.alerts.models import Alert
from tocsin.alerts.projection import facts
from tocsin.db import transaction
from tocsin.network.service import load_network

ORGS = [name for name, *_ in LAYOUT]
SCOPES = ["group", "region", "national", "explicit"]
TLPS = ["clear", "green", "amber", "amber+strict", "red"]


def _attempt(client, world, source, tlp, scope, named, anonymous, publish, marker):
    scope_body: dict = {"kind": scope}
    if scope == "explicit":
        scope_body["organisations"] = [str(world.ids[n]) for n in named]
    body = alert_body(
        tlp=tlp, scope=scope_body, anonymous=anonymous,
        indicators=[{"type": "domain", "value": f"{marker}.example.net"}],
    )  # fmt: skip
    created = client.post("/api/v1/alerts", json=body, headers=world.auth(source))
    if created.status_code != 201:
        return None  # refused combinations (e.g. RED without names) are tested elsewhere
    alert_id = created.json()["id"]
    if publish:
        response = client.post(f"/api/v1/alerts/{alert_id}/publish", headers=world.auth(source))
        assert response.status_code == 200, response.text
    return alert_id


def _reads(client, world, who, alert_id, marker):
    headers = world.auth(who)
    got = client.get(f"/api/v1/alerts/{alert_id}", headers=headers).status_code == 200
    revisions = client.get(f"/api/v1/alerts/{alert_id}/revisions", headers=headers)
    listed = any(
        a["id"] == alert_id
        for a in client.get("/api/v1/alerts", params={"limit": 1000}, headers=headers).json()[
            "items"
        ]
    )
    hits = client.get(
        "/api/v1/indicators", params={"value": f"{marker}.example.net"}, headers=headers
    )
    found = any(h["alert"]["id"] == alert_id for h in hits.json())
    return {got, revisions.status_code == 200, listed, found}


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    source=st.sampled_from(ORGS),
    tlp=st.sampled_from(TLPS),
    scope=st.sampled_from(SCOPES),
    named=st.lists(st.sampled_from(ORGS), min_size=1, max_size=3, unique=True),
    anonymous=st.booleans(),
    publish=st.booleans(),
)
def test_every_door_agrees_with_the_tlp_definitions(
    client, world, state, source, tlp, scope, named, anonymous, publish
):
    marker = f"m{uuid.uuid4().hex[:12]}"
    alert_id = _attempt(client, world, source, tlp, scope, named, anonymous, publish, marker)
    if alert_id is None:
        return
    with transaction(state.sessions) as session:
        expected = expected_readers(
            load_network(session=session), facts(session.get(Alert, uuid.UUID(alert_id)))
        )
    for org in ORGS:
        doors = _reads(client, world, org, alert_id, marker)
        should = world.ids[org] in expected
        assert doors == {should}, (org, doors, should, tlp, scope, publish)
