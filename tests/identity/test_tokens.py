"""The rules of API tokens: who lists, creates and revokes an organisation's tokens; a
person's token acts with that person's rights at each use; a disabled person's stop."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.alerts.factory import alert_body
from tests.world import World
from tocsin.audit.service import SYSTEM
from tocsin.db import transaction
from tocsin.network import service
from tocsin.network.models import Role, Scope
from tocsin.state import AppState

TOKENS = "/api/v1/tokens"


def _person(state: AppState, world: World, key: str, role: Role, org: str = "E1") -> str:
    """A person of `org` with this role and a read-write token; returns the token."""
    now = state.clock.now()
    with transaction(state.sessions) as session:
        user = service.create_user(session=session, email=f"{key}@test.example.org",
                                   display_name=key, organisation_id=world.ids[org],
                                   roles=[role], now=now, actor=SYSTEM)  # fmt: skip
        _, secret = service.issue_token(session=session, organisation_id=world.ids[org],
                                        user_id=user.id, name=key, now=now, actor=SYSTEM,
                                        scopes=[Scope.read, Scope.write])  # fmt: skip
        world.users[key] = user.id
    return secret


def _auth(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def _integration(state: AppState, world: World) -> str:
    with transaction(state.sessions) as session:
        _, secret = service.issue_token(session=session, organisation_id=world.ids["E1"],
                                        name="SIEM", now=state.clock.now(), actor=SYSTEM,
                                        scopes=[Scope.read, Scope.write])  # fmt: skip
    return secret


def test_a_director_sees_every_token_and_others_only_their_own(
    client: TestClient, world: World, state: AppState
) -> None:
    director = _person(state, world, "dir_e1", Role.director)
    siem = _integration(state, world)
    everyone = {t["name"] for t in client.get(TOKENS, headers=_auth(director)).json()}
    assert {"so_E1", "viewer_E1", "dir_e1", "SIEM"} <= everyone
    assert [t["name"] for t in client.get(TOKENS, headers=world.auth("so_E1")).json()] == ["so_E1"]
    assert [t["name"] for t in client.get(TOKENS, headers=world.auth("viewer_E1")).json()] == [
        "viewer_E1"
    ]
    assert [t["name"] for t in client.get(TOKENS, headers=_auth(siem)).json()] == ["SIEM"]


def test_only_a_director_or_an_admin_revokes_someone_elses_token(
    client: TestClient, world: World, state: AppState
) -> None:
    director = _person(state, world, "dir_e1", Role.director)
    listed = {t["name"]: t["id"] for t in client.get(TOKENS, headers=_auth(director)).json()}
    # A viewer's read-write token used to revoke every other token: now it does not see them.
    refused = client.delete(f"{TOKENS}/{listed['so_E1']}", headers=world.auth("viewer_E1"))
    assert refused.status_code == 404
    assert client.get("/api/v1/me", headers=world.auth("so_E1")).status_code == 200
    refused = client.delete(f"{TOKENS}/{listed['viewer_E1']}", headers=world.auth("so_E1"))
    assert refused.status_code == 404
    other_org = client.delete(f"{TOKENS}/{listed['so_E1']}", headers=world.auth("so_E2"))
    assert other_org.status_code == 404
    revoked = client.delete(f"{TOKENS}/{listed['so_E1']}", headers=_auth(director))
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert client.get("/api/v1/me", headers=world.auth("so_E1")).status_code == 401


def test_anyone_may_give_up_their_own_token_even_a_viewer(client: TestClient, world: World) -> None:
    mine = client.get(TOKENS, headers=world.auth("viewer_E1")).json()[0]["id"]
    assert client.delete(f"{TOKENS}/{mine}", headers=world.auth("viewer_E1")).status_code == 200
    assert client.get("/api/v1/me", headers=world.auth("viewer_E1")).status_code == 401


def test_only_a_director_or_an_admin_creates_tokens(
    client: TestClient, world: World, state: AppState
) -> None:
    director = _person(state, world, "dir_e1", Role.director)
    body = {"name": "firewall", "organisation_id": str(world.ids["E1"]), "scopes": ["read"]}
    assert client.post(TOKENS, json=body, headers=world.auth("so_E1")).status_code == 403
    assert client.post(TOKENS, json=body, headers=world.auth("viewer_E1")).status_code == 403
    assert client.post(TOKENS, json=body, headers=_auth(director)).status_code == 201
    assert client.post(TOKENS, json=body, headers=world.auth("admin")).status_code == 201


def test_a_persons_token_follows_their_role_at_each_use(
    client: TestClient, world: World, state: AppState
) -> None:
    analyst = _person(state, world, "ana_e1", Role.analyst)
    assert (
        client.post("/api/v1/alerts", json=alert_body(), headers=_auth(analyst)).status_code == 201
    )
    with transaction(state.sessions) as session:  # demoted to viewer
        for membership in session.get(service.User, world.users["ana_e1"]).memberships:  # type: ignore[union-attr]
            membership.role = Role.viewer
    me = client.get("/api/v1/me", headers=_auth(analyst)).json()
    assert me["scopes"] == ["read"] and me["roles"] == ["viewer"]
    refused = client.post("/api/v1/alerts", json=alert_body(), headers=_auth(analyst))
    assert refused.status_code == 403
    with transaction(state.sessions) as session:  # and then leaves the organisation
        user = session.get(service.User, world.users["ana_e1"])
        assert user is not None
        user.memberships.clear()
    assert client.get("/api/v1/me", headers=_auth(analyst)).status_code == 401


def test_a_disabled_persons_tokens_and_sessions_stop_at_once(
    client: TestClient, world: World, state: AppState
) -> None:
    from tests.web.helpers import sign_in

    director = _person(state, world, "dir_e1", Role.director)
    sign_in(client, "so_E1")
    assert client.get("/inbox").status_code == 200
    user = f"/api/v1/users/{world.users['so_E1']}"
    assert (
        client.patch(user, json={"active": False}, headers=world.auth("so_E2")).status_code == 403
    )
    assert (
        client.patch(user, json={"active": False}, headers=world.auth("so_E1")).status_code == 403
    )
    foreign = client.patch(f"/api/v1/users/{world.users['so_E2']}", json={"active": False},
                           headers=_auth(director))  # fmt: skip
    assert foreign.status_code == 404  # not a person of the director's organisation
    disabled = client.patch(user, json={"active": False}, headers=_auth(director))
    assert disabled.status_code == 200 and disabled.json()["active"] is False
    assert client.get("/api/v1/me", headers=world.auth("so_E1")).status_code == 401
    assert client.get("/inbox", follow_redirects=False).status_code == 303
    assert client.patch(user, json={"active": True}, headers=_auth(director)).status_code == 200
    assert client.get("/api/v1/me", headers=world.auth("so_E1")).status_code == 200
