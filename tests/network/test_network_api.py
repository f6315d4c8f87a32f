"""Organisations, users and tokens through the API, with scopes and roles enforced."""

from __future__ import annotations

from datetime import timedelta

from tocsin.network.secrets import token_digest


def test_who_am_i(client, world):
    me = client.get("/api/v1/me", headers=world.auth("E1")).json()
    assert me["organisation"]["id"] == str(world.ids["E1"])
    assert me["roles"] == ["security_officer"]
    assert me["scopes"] == ["read", "write"]


def test_no_token_or_a_bad_one_is_401_problem(client):
    for headers in ({}, {"Authorization": "Bearer tcn_nope"}, {"Authorization": "Basic !!"}):
        response = client.get("/api/v1/me", headers=headers)
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["www-authenticate"].startswith("Bearer")


def test_http_basic_with_the_token_as_password_is_accepted(client, world):
    response = client.get("/api/v1/me", auth=("anyone", world.tokens["so_E2"]))
    assert response.status_code == 200
    assert response.json()["organisation"]["id"] == str(world.ids["E2"])


def test_organisations_are_paged_by_cursor(client, world):
    names, cursor = [], None
    while True:
        params = {"limit": 5, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/organisations", params=params, headers=world.auth("E1")).json()
        names += [o["name"] for o in page["items"]]
        cursor = page["next"]
        if not cursor:
            break
    assert names == sorted(f"Org {n}" for n in world.ids)


def test_only_admin_creates_organisations_and_finess_is_validated(client, world):
    body = {"name": "CH de Test", "kind": "establishment", "finess": "2A0000001",
            "group_id": str(world.ids["G1"]), "region_id": str(world.ids["R1"])}  # fmt: skip
    assert (
        client.post("/api/v1/organisations", json=body, headers=world.auth("E1")).status_code == 403
    )
    created = client.post("/api/v1/organisations", json=body, headers=world.auth("admin"))
    assert created.status_code == 201, created.text
    assert created.json()["finess"] == "2A0000001"
    for finess, reason in (("2C0000001", "2A/2B"), ("12345", "9 characters")):
        bad = client.post(
            "/api/v1/organisations", json=body | {"finess": finess}, headers=world.auth("admin")
        )
        assert bad.status_code == 422
        assert bad.json()["errors"][0]["field"] == "finess"
        assert reason in bad.json()["errors"][0]["reason"]


def test_an_establishment_needs_a_consistent_group_and_region(client, world):
    body = {"name": "Orphan", "kind": "establishment", "finess": "990000099",
            "group_id": str(world.ids["G3"]), "region_id": str(world.ids["R1"])}  # fmt: skip
    response = client.post("/api/v1/organisations", json=body, headers=world.auth("admin"))
    assert response.status_code == 422
    assert {
        "field": "group_id",
        "reason": "the group belongs to another region",
    } in response.json()["errors"]


def test_tokens_are_shown_once_stored_as_digests_and_revocable(client, world, state):
    created = client.post(
        "/api/v1/tokens",
        json={"name": "firewall", "organisation_id": str(world.ids["N"]), "scopes": ["read"]},
        headers=world.auth("admin"),
    )
    assert created.status_code == 201, created.text
    secret = created.json()["secret"]
    assert secret.startswith("tcn_")
    with state.engine.connect() as connection:
        stored = connection.exec_driver_sql("SELECT digest FROM api_tokens").scalars().all()
    assert token_digest(secret) in stored and secret not in stored
    listed = client.get("/api/v1/tokens", headers=world.auth("admin")).json()
    assert all("secret" not in t for t in listed)
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    revoked = client.delete(f"/api/v1/tokens/{created.json()['id']}", headers=world.auth("admin"))
    assert revoked.json()["revoked_at"] is not None
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_an_expired_token_is_refused(client, world, clock):
    created = client.post(
        "/api/v1/tokens",
        json={"name": "short", "organisation_id": str(world.ids["N"]), "scopes": ["read"],
              "expires_at": (clock.now() + timedelta(hours=1)).isoformat()},
        headers=world.auth("admin"),
    ).json()  # fmt: skip
    headers = {"Authorization": f"Bearer {created['secret']}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    clock.advance(timedelta(hours=2))
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_a_read_token_cannot_write_and_a_viewer_cannot_publish(client, world):
    from tests.alerts.factory import alert_body

    read_only = client.post("/api/v1/alerts", json=alert_body(), headers=world.auth("viewer_E1"))
    assert read_only.status_code == 403
    assert "write" in read_only.json()["detail"]


def test_only_admin_grants_admin_scope(client, world):
    body = {"name": "x", "organisation_id": str(world.ids["E1"]), "scopes": ["admin"]}
    assert client.post("/api/v1/tokens", json=body, headers=world.auth("E1")).status_code == 403


def test_users_of_an_organisation_are_visible_to_it_and_its_relays_only(client, world):
    path = f"/api/v1/organisations/{world.ids['E1']}/users"
    assert client.get(path, headers=world.auth("E1")).status_code == 200
    assert client.get(path, headers=world.auth("R1")).status_code == 200
    assert client.get(path, headers=world.auth("E2")).status_code == 404
