"""Alert bodies for tests: a complete valid one, changed where a test needs."""

from __future__ import annotations

from typing import Any


def alert_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Ransomware via VPN without MFA",
        "summary": "Hypervisors encrypted overnight.",
        "category": "ransomware",
        "severity": "critical",
        "tlp": "amber",
        "pap": "amber",
        "scope": {"kind": "region"},
        "care_impact": {"services": ["emergency", "imaging"], "degraded_mode": True,
                        "patients_transferred": 3},
        "origin": {"initial_access": "VPN without MFA", "malware_family": "LockBit 3.0"},
        "attack_steps": [
            {"at": "2026-01-01T02:00:00Z", "description": "Brute force", "technique": "t1110.001"},
            {"description": "Encryption", "technique": "T1486"},
        ],
        "indicators": [
            {"type": "domain", "value": "evil[.]example.com"},
            {"type": "ipv4", "value": "203.0.113.7"},
            {"type": "url", "value": "hxxps://EVIL.example.com:443/payload?x=1#frag"},
            {"type": "sha256", "value": "A" * 64},
        ],
        "countermeasures": [
            {"action": "Enforce MFA on VPN"},
            {"action": "Hunt the beacon", "rule_kind": "yara",
             "rule": "rule x { condition: true }"},
        ],
    }  # fmt: skip
    body.update(changes)
    return body


def publish(client: Any, world: Any, who: str, **changes: Any) -> dict[str, Any]:
    """Create and publish an alert as the security officer of `who`; return it."""
    created = client.post("/api/v1/alerts", json=alert_body(**changes), headers=world.auth(who))
    assert created.status_code == 201, created.text
    published = client.post(
        f"/api/v1/alerts/{created.json()['id']}/publish", headers=world.auth(who)
    )
    assert published.status_code == 200, published.text
    result: dict[str, Any] = published.json()
    return result
