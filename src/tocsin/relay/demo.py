"""The demo declaration: the university hospital declares an intrusion, still unqualified,
so the relay deadline and the regulatory export can be shown."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from tocsin.audit.service import Actor
from tocsin.network import service as network_service
from tocsin.relay import service
from tocsin.relay.deadlines import DeadlinePolicy
from tocsin.relay.models import Declaration
from tocsin.relay.schemas import DeclarationIn


def intrusion(now: datetime) -> DeclarationIn:
    discovered = now - timedelta(hours=1)
    return DeclarationIn.model_validate(
        {
            "title": "Intrusion sur le serveur de messagerie",
            "category": 2,
            "kind": "intrusion",
            "nature": "malicious",
            "severity": "high",
            "identity": {"declarant": {"name": "RSSI du CHU", "role": "RSSI"}},
            "description": {
                "discovered_at": discovered,
                "summary": "Webshell found on the webmail server; mailboxes possibly read.",
                "perimeter": "Messagerie",
                "systems": ["Webmail"],
                "data_concerned": "Courriels contenant des données de santé",
                "handling_status": "contained",
            },
            "impacts": {"personal_data": True, "on_data": "Possible leak of e-mails"},
            "causes": {"known": True, "initial_access": "Unpatched webmail (CVE)"},
            "indicators": [{"type": "ipv4", "value": "198.51.100.23"}],
            "countermeasures": [{"action": "Patch the webmail and rotate passwords"}],
        }
    )


def declare_demo(*, session: Session, org_id: uuid.UUID, now: datetime) -> Declaration:
    """Declare the demo intrusion for the given establishment."""
    return service.declare(
        session=session,
        content=intrusion(now),
        org_id=org_id,
        by=Actor(org_id=org_id),
        network=network_service.load_network(session=session),
        policy=DeadlinePolicy(),
        now=now,
    )
