"""Declarations for tests, and relay analysts created through the network services."""

from __future__ import annotations

from typing import Any

from tests.world import World
from tocsin.audit.service import SYSTEM
from tocsin.db import transaction
from tocsin.network import service as network_service
from tocsin.network.models import Role, Scope
from tocsin.state import AppState

URL = "/api/v1/declarations"


def declaration_body(**changes: Any) -> dict[str, Any]:
    """A complete ransomware declaration, discovered an hour before the test clock's start."""
    body: dict[str, Any] = {
        "title": "Ransomware on the imaging servers",
        "category": 4,
        "kind": "ransomware",
        "nature": "malicious",
        "severity": "critical",
        "identity": {
            "declarant": {
                "name": "Camille Martin",
                "role": "RSSI",
                "email": "rssi@e1.example.org",
                "phone": "+33 2 00 00 00 00",
            },
            "essential_services_operator": True,
        },
        "description": {
            "discovered_at": "2026-01-01T07:00:00Z",
            "summary": "PACS servers encrypted; ransom note found.",
            "perimeter": "Imaging department",
            "systems": ["PACS", "RIS"],
            "data_concerned": "Medical images",
            "handling_status": "ongoing",
        },
        "impacts": {
            "personal_data": True,
            "on_data": "Images unavailable",
            "care": {
                "services": ["imaging", "emergency"],
                "degraded_mode": True,
                "patients_transferred": 2,
            },
        },
        "causes": {
            "known": True,
            "description": "VPN account without MFA",
            "initial_access": "VPN without MFA",
            "malware_family": "LockBit 3.0",
            "threat_actor": "unknown affiliate",
        },
        "attack_steps": [
            {"at": "2026-01-01T02:00:00Z", "description": "Brute force", "technique": "t1110.001"}
        ],
        "indicators": [
            {"type": "domain", "value": "evil[.]example.com"},
            {"type": "ipv4", "value": "203.0.113.7"},
        ],
        "countermeasures": [{"action": "Enforce MFA on VPN"}],
    }
    body.update(changes)
    return body


def declare(client: Any, world: World, who: str = "E1", **changes: Any) -> dict[str, Any]:
    """Declare as the security officer of `who`; return the stored declaration."""
    response = client.post(URL, json=declaration_body(**changes), headers=world.auth(who))
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def add_analyst(state: AppState, world: World, org: str) -> str:
    """A person with the analyst role in `org`; returns the key of its token in `world`."""
    key = f"analyst_{org}"
    with transaction(state.sessions) as session:
        user = network_service.create_user(
            session=session,
            email=f"{key.lower()}@test.example.org",
            display_name=key,
            organisation_id=world.ids[org],
            roles=[Role.analyst],
            now=state.clock.now(),
            actor=SYSTEM,
        )
        _, secret = network_service.issue_token(
            session=session,
            organisation_id=world.ids[org],
            user_id=user.id,
            name=key,
            scopes=[Scope.read, Scope.write],
            now=state.clock.now(),
            actor=SYSTEM,
        )
    world.users[key] = user.id
    world.tokens[key] = secret
    return key
