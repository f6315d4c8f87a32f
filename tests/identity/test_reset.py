"""An administrator resets a person's second factors: audited, sessions ended, the person
told by e-mail, and the next sign-in asks for enrolment again."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.identity.helpers import enrol_totp
from tests.web.helpers import sign_in
from tests.world import World
from tocsin.audit.models import AuditRecord
from tocsin.clock import ManualClock
from tocsin.db import transaction
from tocsin.identity.models import RecoveryCode, TotpFactor
from tocsin.mailer import MemoryMailer
from tocsin.state import AppState


def test_a_reset_removes_every_factor_ends_the_sessions_and_tells_the_person(
    client: TestClient, world: World, state: AppState, clock: ManualClock
) -> None:
    mailer = MemoryMailer()
    state.mailer = mailer
    state.settings = state.settings.model_copy(update={"mfa_required": "privileged"})
    sign_in(client, "so_E1")
    enrol_totp(client, clock.now())
    assert client.get("/inbox").status_code == 200
    path = f"/api/v1/users/{world.users['so_E1']}/factors"
    assert client.delete(path, headers=world.auth("so_E1")).status_code == 403  # not a director
    assert client.delete(path, headers=world.auth("viewer_E1")).status_code == 403
    reset = client.delete(path, headers=world.auth("admin"))
    assert reset.status_code == 204
    assert client.get("/inbox", follow_redirects=False).headers["location"].startswith("/signin")
    with transaction(state.sessions) as session:
        assert session.scalar(select(TotpFactor)) is None
        assert session.scalar(select(RecoveryCode)) is None
        records = list(session.scalars(select(AuditRecord).where(
            AuditRecord.action == "identity.factors_reset")))  # fmt: skip
    assert [r.target_id for r in records] == [str(world.users["so_E1"])]
    assert records[0].actor_token_id is not None
    assert [m["To"] for m in mailer.sent] == ["so_e1@test.example.org"]
    assert "réinitialisé" in mailer.sent[0].get_content()
    again = sign_in(client, "so_E1")
    assert again.headers["location"] == "/account/security"  # enrol before any page
