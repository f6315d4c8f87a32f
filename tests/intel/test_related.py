"""Related alerts: exact values, parent domains and networks, as each viewer may see them."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.alerts.factory import alert_body, publish
from tests.world import World
from tocsin.audit.models import AuditRecord
from tocsin.db import transaction
from tocsin.intel.correlate import correlations
from tocsin.state import AppState

FIRST = [
    {"type": "ipv4", "value": "45.155.205.233"},
    {"type": "domain", "value": "c2.qzx-ransom-relay.top"},
    {"type": "cidr", "value": "91.215.85.0/24"},
    {"type": "sha256", "value": "b" * 64},
]
SECOND = [
    {"type": "ipv4", "value": "45.155.205.233"},  # exact
    {"type": "domain", "value": "beacon.qzx-ransom-relay.top"},  # same parent domain
    {"type": "ipv4", "value": "91.215.85.12"},  # inside the first alert's network
    {"type": "md5", "value": "0" * 31 + "1"},  # nothing in common
]


def related(client: TestClient, world: World, who: str, alert_id: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/alerts/{alert_id}/related", headers=world.auth(who))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def hows(item: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {
        (m["indicator"]["value"], m["other_indicator"]["value"], m["how"]) for m in item["matches"]
    }


def test_each_alert_shows_the_other_with_what_matched_and_how(
    client: TestClient, world: World
) -> None:
    first = publish(client, world, "E1", indicators=FIRST)
    second = publish(client, world, "E2", indicators=SECOND, anonymous=True)
    seen_by_first = related(client, world, "E1", first["id"])["related"]
    assert [r["alert"]["id"] for r in seen_by_first] == [second["id"]]
    assert hows(seen_by_first[0]) == {
        ("45.155.205.233", "45.155.205.233", "exact"),
        ("c2.qzx-ransom-relay.top", "beacon.qzx-ransom-relay.top", "parent_domain"),
        ("91.215.85.0/24", "91.215.85.12", "cidr"),
    }
    assert seen_by_first[0]["alert"]["source"] is None  # E2 asked for anonymity
    seen_by_second = related(client, world, "E2", second["id"])["related"]
    assert [r["alert"]["id"] for r in seen_by_second] == [first["id"]]
    assert ("91.215.85.12", "91.215.85.0/24", "cidr") in hows(seen_by_second[0])
    assert seen_by_second[0]["alert"]["source"]["id"] == str(world.ids["E1"])


def test_the_relay_of_an_anonymous_source_learns_who_it_is(
    client: TestClient, world: World
) -> None:
    first = publish(client, world, "E1", indicators=FIRST)
    publish(client, world, "E2", indicators=SECOND, anonymous=True)
    item = related(client, world, "G1", first["id"])["related"][0]
    assert item["alert"]["source"]["id"] == str(world.ids["E2"])


def test_a_viewer_sees_only_correlations_with_alerts_it_may_read(
    client: TestClient, world: World
) -> None:
    first = publish(client, world, "E1", indicators=FIRST, tlp="green")
    secret = publish(
        client,
        world,
        "E5",
        indicators=SECOND,
        tlp="red",
        scope={"kind": "explicit", "organisations": [str(world.ids["N"])]},
    )
    assert related(client, world, "E1", first["id"])["related"] == []
    assert [r["alert"]["id"] for r in related(client, world, "N", first["id"])["related"]] == [
        secret["id"]
    ]
    hidden = client.get(f"/api/v1/alerts/{secret['id']}/related", headers=world.auth("E1"))
    assert hidden.status_code == 404


def test_withdrawn_indicators_and_drafts_do_not_correlate(client: TestClient, world: World) -> None:
    first = publish(client, world, "E1", indicators=FIRST)
    draft = client.post(
        "/api/v1/alerts",
        json=alert_body(indicators=SECOND),
        headers=world.auth("E2"),
    )
    assert draft.status_code == 201
    assert related(client, world, "E1", first["id"])["related"] == []
    second = publish(client, world, "E2", indicators=SECOND)
    patch = client.patch(
        f"/api/v1/alerts/{second['id']}",
        json={"indicators": SECOND[3:]},
        headers=world.auth("E2"),
    )
    assert patch.status_code == 200, patch.text
    assert related(client, world, "E1", first["id"])["related"] == []


def test_publishing_notifies_authors_and_relays_of_both_alerts(
    client: TestClient, world: World, state: AppState
) -> None:
    first = publish(client, world, "E1", indicators=FIRST)
    second = publish(client, world, "E4", indicators=SECOND)
    with transaction(state.sessions) as session:
        told = {
            record.details["notify"]
            for record in session.query(AuditRecord).filter_by(action="intel.correlation")
            if record.target_id == second["id"]
        }
    expected = {world.ids[o] for o in ("E1", "E4", "G1", "G2", "R1", "N")}
    assert told == {str(i) for i in expected}
    assert first["id"] != second["id"]


def test_correlated_alerts_form_a_suggested_campaign(client: TestClient, world: World) -> None:
    first = publish(client, world, "E1", indicators=FIRST)
    second = publish(client, world, "E2", indicators=SECOND)
    campaign_id = related(client, world, "E1", first["id"])["campaign_id"]
    assert campaign_id == related(client, world, "E2", second["id"])["campaign_id"]
    response = client.get(f"/api/v1/campaigns/{campaign_id}", headers=world.auth("R1"))
    assert response.status_code == 200, response.text
    campaign = response.json()
    assert campaign["suggested"] is True
    assert {a["id"] for a in campaign["alerts"]} == {first["id"], second["id"]}
    assert {o["id"] for o in campaign["organisations"]} == {
        str(world.ids["E1"]),
        str(world.ids["E2"]),
    }
    assert len(campaign["indicators"]) == 7  # 8 values, one shared
    assert [e["what"] for e in campaign["timeline"]].count("published") == 2


def test_a_parent_domain_shared_by_too_many_indicators_links_nothing(
    client: TestClient, world: World, monkeypatch: Any
) -> None:
    # A dynamic-DNS or hosting domain carries many unrelated hosts: lower the threshold
    # rather than store hundreds of indicators.
    monkeypatch.setattr("tocsin.intel.correlate.COMMON_PARENT", 2)
    hosts = [{"type": "domain", "value": f"h{n}.dyn-hosting.net"} for n in range(3)]
    publish(client, world, "E1", indicators=[*hosts, {"type": "domain", "value": "a.rare-c2.top"}])
    second = publish(
        client, world, "E2", indicators=[{"type": "domain", "value": "x.dyn-hosting.net"},
                                         {"type": "domain", "value": "b.rare-c2.top"}],
    )  # fmt: skip
    [item] = related(client, world, "E2", second["id"])["related"]
    assert hows(item) == {("b.rare-c2.top", "a.rare-c2.top", "parent_domain")}


def test_correlating_leaves_the_settings_of_the_callers_transaction_as_they_were(
    client: TestClient, world: World, state: AppState
) -> None:
    first = publish(client, world, "E1", indicators=FIRST)
    publish(client, world, "E2", indicators=SECOND)
    with transaction(state.sessions) as session:
        if session.get_bind().dialect.name != "postgresql":
            return  # the settings are PostgreSQL's
        session.execute(text("SELECT set_config('work_mem', '5MB', true)"))
        before = session.execute(text(_SHOWN)).one()
        found = correlations(session=session, alert_id=uuid.UUID(first["id"]))
        assert len(found) == 3
        assert session.execute(text(_SHOWN)).one() == before
        assert before[1] == "5MB"


_SHOWN = "SELECT current_setting('jit'), current_setting('work_mem')"
