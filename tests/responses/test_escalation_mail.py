"""Escalation e-mails as people receive them (real SMTP server, aiosmtpd): one digest per
person and alert, in the person's language, linking to the alert's page, deadlines on the
hub's clock."""

from __future__ import annotations

from datetime import timedelta

from tests.alerts.factory import publish
from tests.delivery.test_letters import speaks
from tests.mailbox import html_of, smtp_server, text_of
from tocsin.responses import escalation


def test_silent_establishments_reach_a_relay_person_as_one_digest_per_alert(
    client, world, state, clock
):
    speaks(state, world.users["so_G1"], "en")
    alert = publish(client, world, "E1", severity="critical")  # E2, E3, E4 must answer
    clock.advance(timedelta(minutes=31))
    escalation.run_once(state)  # stage 1: no director in the world, nobody mailed
    clock.advance(timedelta(minutes=30))
    with smtp_server() as (inbox, mailer):
        state.mailer = mailer
        assert len(escalation.run_once(state)) == 3
    [to_region] = inbox.to("so_r1@test.example.org")
    [to_group] = inbox.to("so_g1@test.example.org")
    assert len(inbox.messages) == 3  # R1, G1 and G2: one each, not one per silent hospital
    region = text_of(to_region)
    assert str(to_region["Subject"]).startswith("[TLP:AMBER] 3 organisation(s) sans réponse")
    assert all(f"Org {e} : pas d'accusé de réception" in region for e in ("E2", "E3", "E4"))
    page = f"{state.settings.public_url}/alerts/{alert['id']}"
    assert page in region and f'href="{page}"' in html_of(to_region)
    assert "/api/v1/" not in region
    assert "échéance 1 janv. 2026 10:00 +0100" in region  # 08:00 UTC + 2 × 30 min, in Paris
    group = text_of(to_group)
    assert str(to_group["Subject"]).startswith("[TLP:AMBER] 2 organisation(s) have not answered")
    assert "Org E2: not acknowledged, due 1 Jan 2026 10:00 +0100" in group
    assert "Org E4" not in group
    assert to_region["Auto-Submitted"] == "auto-generated" and to_region["Date"]
