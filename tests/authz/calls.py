"""Requests for the matrix: path parameters filled, minimal valid bodies, answers classed."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from fastapi.testclient import TestClient

from tests.alerts.factory import alert_body
from tests.relay.factory import declaration_body
from tocsin.interop.taxii.collections import submissions_collection_id, tlp_collection_id
from tocsin.sharing.tlp import TLP

_PARAM = re.compile(r"{(\w+)(?::\w+)?}")
TAXII = "application/taxii+json;version=2.1"
WHEN = "2026-01-01T06:00:00Z"
# Ids the test makes up: a 404 on a path naming one says nothing about authorisation.
MADE_UP = {"token_id", "endpoint_id", "delivery_id", "status_id", "object_id", "indicator_id",
           "campaign_id", "proposal_id", "key", "item", "rest", "user_id", "provider_id",
           "passkey_id", "session_id", "exercise_id", "obligation_id"}  # fmt: skip


# Operations whose body names an id the test makes up (campaigns of unknown alerts).
BODY_MADE_UP = {("POST", "/api/v1/campaigns"), ("POST", "/api/v1/campaigns/{campaign_id}/merge"),
                ("POST", "/api/v1/campaigns/{campaign_id}/split")}  # fmt: skip


def fill(template: str, known: dict[str, str], writes_to: uuid.UUID | None) -> str:
    """The path with known ids; a TAXII write goes to the caller's own submissions."""
    collection = submissions_collection_id(writes_to) if writes_to else tlp_collection_id(TLP.amber)
    defaults = {"kind": "domain", "name": "app.css", "item": "x", "key": "x",
                "collection_id": collection, "delivery_id": "1",
                "object_id": f"indicator--{uuid.uuid4()}"}  # fmt: skip
    values = defaults | known
    return _PARAM.sub(lambda m: values.get(m[1]) or str(uuid.uuid4()), template)


IDENTITY_PROVIDER = {"slug": "authz-idp", "name": "IdP", "issuer": "https://idp.example.org",
                     "client_id": "tocsin", "allowed_domains": ["example.org"]}  # fmt: skip


# The library's scenario: an alert's content without its scope.
EXERCISE_SCENARIO = {k: v for k, v in alert_body().items() if k != "scope"}


def bodies(e1: str, indicator: str) -> dict[tuple[str, str], Any]:
    """Valid bodies, so that authorisation answers rather than input validation.

    `indicator` is one of a CLEAR alert, which every organisation may report sightings of.
    """
    some = str(uuid.uuid4())
    a, d = "/api/v1/alerts/{alert_id}", "/api/v1/declarations/{declaration_id}"
    return {
        ("POST", "/api/v1/alerts"): alert_body(),
        ("PATCH", a): {"summary": "Hypervisors encrypted overnight; backups intact."},
        ("POST", f"{a}/retract"): {"reason": "mistaken"},
        ("PUT", f"{a}/response"): {"applicability": "not_affected"},
        ("POST", "/api/v1/campaigns"): {"name": "c", "alert_ids": [some]},
        ("PATCH", "/api/v1/campaigns/{campaign_id}"): {"name": "c"},
        ("POST", "/api/v1/campaigns/{campaign_id}/merge"): {"other_id": some},
        ("POST", "/api/v1/campaigns/{campaign_id}/split"): {"name": "c", "alert_ids": [some]},
        ("POST", "/api/v1/declarations"): declaration_body(),
        ("PATCH", d): declaration_body(),
        ("POST", f"{d}/close"): {"ended_at": WHEN, "summary": "over"},
        ("POST", f"{d}/log"): {"text": "called the CERT"},
        ("POST", "/api/v1/organisations"): {"name": "Org X", "kind": "partner"},
        ("POST", "/api/v1/users"): {"email": "x@example.org", "display_name": "X",
                                    "organisation_id": e1, "roles": ["viewer"]},
        ("POST", "/api/v1/posture/items"): {"key": "x", "domain": "governance",
                                            "title_fr": "x", "title_en": "x"},
        ("PUT", "/api/v1/posture/organisations/{org_id}/items/{key}"): {"status": "done"},
        ("POST", "/api/v1/sightings"): {"indicator_id": indicator, "count": 1,
                                        "first_seen": WHEN, "last_seen": WHEN},
        ("POST", "/api/v1/tokens"): {"name": "t", "organisation_id": e1, "scopes": ["read"]},
        ("POST", "/api/v1/webhooks"): {"url": "https://hooks.example.org/x"},
        ("PUT", "/api/v1/me/notifications"): {"severities": ["critical"]},
        ("POST", f"{a}/notices"): {"audience": "director", "text": "Réunir la cellule."},
        ("PUT", "/api/v1/organisations/{org_id}/on-call"): {
            "contacts": [{"name": "RSSI", "phone": "+33612345678"}]},
        ("PATCH", "/api/v1/users/{user_id}"): {"active": False},
        ("POST", "/api/v1/organisations/{org_id}/identity-providers"): IDENTITY_PROVIDER,
        ("PUT", "/api/v1/exercise-scenarios/{key}"): {"title": "x", "content": EXERCISE_SCENARIO},
        ("POST", "/api/v1/exercises"): {"title": "x", "scenario": EXERCISE_SCENARIO,
                                        "scope": {"kind": "explicit", "organisations": [e1]}},
        ("POST", "/api/v1/exercises/{exercise_id}/injects"): {"offset_minutes": 5, "note": "x"},
        ("PUT", "/api/v1/exercises/{exercise_id}/observations/{org_id}"): {"note": "x"},
        ("POST", f"{d}/affected-notice"): {"audience": "people", "subject": "s", "text": "t",
                                           "recipients": ["p@example.org"]},
    }  # fmt: skip


def call(client: TestClient, method: str, path: str, body: Any, headers: dict[str, str]) -> Any:
    if body is None and method not in ("GET", "DELETE"):
        body = {}
    if path.startswith("/taxii2/"):
        headers = (
            headers | {"Accept": TAXII} | ({"Content-Type": TAXII} if method == "POST" else {})
        )
        content = json.dumps({"objects": []}).encode() if method == "POST" else None
        return client.request(method, path, content=content, headers=headers,
                              follow_redirects=False)  # fmt: skip
    if path == "/api/v1/stream":  # an open stream never ends: only its gate is asked
        headers = headers | {"Last-Event-ID": "not a number"}
    return client.request(method, path, json=body, headers=headers, follow_redirects=False)


def answer_class(status: int, made_up_ids: bool, want: int | None) -> int | None:
    """401, 403 or 404 as refusals; None for an answer past authorisation.

    A 404 on a made-up id is what both a hidden and an allowed caller get.
    """
    if status == 404 and made_up_ids:
        return want if want in (404, None) else status
    return status if status in (401, 403, 404) else None
