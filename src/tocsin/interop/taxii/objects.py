"""STIX 2.1 indicator objects for an alert's indicators (an interim builder).

Used until `tocsin.interop.stix.stix_objects_for_alert` (the full export) is merged; ids
are deterministic (uuid5 of the tocsin indicator id), so switching keeps the same ids if
the export uses the same namespace.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

import stix2

from tocsin.alerts.models import Alert, AlertIndicator
from tocsin.alerts.vocab import Status
from tocsin.indicators.types import IndicatorType
from tocsin.sharing.tlp import TLP

INDICATOR_NAMESPACE = uuid.UUID("0d6c3f4e-7c55-5b7e-8f0e-41a5d1c2b9a7")

# The OASIS TLP 2.0 marking definitions.
TLP_MARKINGS = {
    TLP.clear: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    TLP.green: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    TLP.amber: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    TLP.amber_strict: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    TLP.red: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}

_PATHS: dict[IndicatorType, tuple[str, list[str]]] = {
    IndicatorType.IPV4: ("ipv4-addr", ["value"]),
    IndicatorType.IPV6: ("ipv6-addr", ["value"]),
    IndicatorType.DOMAIN: ("domain-name", ["value"]),
    IndicatorType.URL: ("url", ["value"]),
    IndicatorType.EMAIL: ("email-addr", ["value"]),
    IndicatorType.MD5: ("file", ["hashes", "MD5"]),
    IndicatorType.SHA1: ("file", ["hashes", "SHA-1"]),
    IndicatorType.SHA256: ("file", ["hashes", "SHA-256"]),
    IndicatorType.FILENAME: ("file", ["name"]),
}


def indicator_stix_id(indicator_id: uuid.UUID) -> str:
    return f"indicator--{uuid.uuid5(INDICATOR_NAMESPACE, str(indicator_id))}"


def pattern_of(kind: IndicatorType, value: str) -> str | None:
    """The STIX pattern matching this indicator, or None for kinds that are no observable."""
    if kind is IndicatorType.CIDR:
        path = ("ipv6-addr" if ":" in value else "ipv4-addr", ["value"])
    elif kind in _PATHS:
        path = _PATHS[kind]
    else:
        return None  # a CVE is a vulnerability, not an observable pattern
    comparison = stix2.EqualityComparisonExpression(
        stix2.ObjectPath(path[0], path[1]), stix2.StringConstant(value)
    )
    return str(stix2.ObservationExpression(comparison))


def _indicator(alert: Alert, item: AlertIndicator, modified: datetime) -> dict[str, Any] | None:
    pattern = pattern_of(item.type, item.value)
    if pattern is None:
        return None
    valid_from = item.first_seen or item.created_at
    fields: dict[str, Any] = {
        "id": indicator_stix_id(item.id),
        "created": item.created_at,
        "modified": max(modified, item.created_at),
        "name": f"{item.type.value}: {item.value}",
        "indicator_types": ["malicious-activity"],
        "pattern": pattern,
        "pattern_type": "stix",
        "valid_from": valid_from,
        "revoked": item.withdrawn_at is not None or alert.status is Status.retracted,
        "object_marking_refs": [TLP_MARKINGS[alert.tlp]],
        "external_references": [{"source_name": "tocsin", "external_id": str(alert.id)}],
    }
    if item.comment:
        fields["description"] = item.comment
    if item.valid_until is not None and item.valid_until > valid_from:
        fields["valid_until"] = item.valid_until
    built = stix2.v21.Indicator(**fields)
    result: dict[str, Any] = json.loads(built.serialize())
    return result


def indicator_objects(alert: Alert, modified: datetime) -> list[dict[str, Any]]:
    """One STIX indicator per indicator of the alert, stamped `modified` for this revision."""
    found = (_indicator(alert, item, modified) for item in alert.indicators)
    return [obj for obj in found if obj is not None]
