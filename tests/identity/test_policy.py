"""Who must have a second factor (`TOCSIN_MFA_REQUIRED`), and how a person without one is
sent to enrol before any page."""

from __future__ import annotations

import itertools

import pytest
from fastapi.testclient import TestClient

from tests.identity.helpers import EN, enrol_totp
from tests.web.helpers import page_token, sign_in
from tests.world import World
from tocsin.clock import ManualClock
from tocsin.identity.policy import PRIVILEGED_ROLES, RELAY_KINDS, second_factor_required
from tocsin.network.models import OrgKind, Role
from tocsin.settings import Settings
from tocsin.state import AppState


def _with_policy(state: AppState, policy: str) -> None:
    state.settings = state.settings.model_copy(update={"mfa_required": policy})


def test_the_rule_for_every_role_kind_and_policy() -> None:
    pairs = list(itertools.product(Role, OrgKind))
    for (role, kind), admin in itertools.product(pairs, (False, True)):
        held = [(role, kind)]
        assert second_factor_required(policy="all", memberships=held, hub_admin=admin)
        assert not second_factor_required(policy="none", memberships=held, hub_admin=admin)
        privileged = admin or role in PRIVILEGED_ROLES or kind in RELAY_KINDS
        got = second_factor_required(policy="privileged", memberships=held, hub_admin=admin)
        assert got == privileged, (role, kind, admin)
    # A viewer of an establishment who is also a group's analyst is bound by the latter.
    mixed = [(Role.viewer, OrgKind.establishment), (Role.it_staff, OrgKind.group)]
    assert second_factor_required(policy="privileged", memberships=mixed, hub_admin=False)
    assert not second_factor_required(policy="privileged", memberships=[], hub_admin=False)


def test_production_asks_the_privileged_by_default_and_development_nobody() -> None:
    assert Settings(environment="development").effective_mfa_required == "none"
    production = Settings(
        environment="production",
        secret_key="a real secret of production",
        audit_key="a real audit key of production, 32+",
    )
    assert production.effective_mfa_required == "privileged"
    assert Settings(environment="development", mfa_required="all").effective_mfa_required == "all"


@pytest.mark.parametrize(
    ("policy", "who", "owes"),
    [("privileged", "so_E1", True), ("privileged", "viewer_E1", False),
     ("privileged", "viewer_G1", True), ("privileged", "admin", True),
     ("all", "viewer_E1", True), ("none", "so_N", False)],
)  # fmt: skip
def test_a_person_the_policy_binds_enrols_before_any_page(
    client: TestClient, world: World, state: AppState, policy: str, who: str, owes: bool
) -> None:
    _with_policy(state, policy)
    signed = sign_in(client, who)
    assert signed.headers["location"] == ("/account/security" if owes else "/inbox")
    inbox = client.get("/inbox", follow_redirects=False)
    if owes:
        assert inbox.headers["location"] == "/account/security"
        assert client.get("/api/v1/stream", follow_redirects=False).status_code == 401
        page = client.get("/account/security", headers=EN)
        assert "Your role requires a second factor." in page.text
    else:
        assert inbox.status_code == 200


def test_enrolling_frees_the_session_and_the_last_factor_cannot_be_removed(
    client: TestClient, world: World, state: AppState, clock: ManualClock
) -> None:
    _with_policy(state, "privileged")
    sign_in(client, "so_E1")
    enrol_totp(client, clock.now())
    assert client.get("/inbox").status_code == 200
    token = page_token(client, "/account/security")
    refused = client.post("/account/security/totp/remove", data={"csrf_token": token},
                          headers=EN)  # fmt: skip
    assert refused.status_code == 409
    assert "your role requires a second factor" in refused.text
    assert "Enrolled" in client.get("/account/security", headers=EN).text
