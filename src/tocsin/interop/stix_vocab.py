"""Fixed STIX 2.1 vocabulary of tocsin: TLP 2.0 markings, its own extension, id derivation.

The TLP 2.0 marking-definition ids are the official ones of the OASIS "TLP 2.0" extension
(cti-stix-common-objects, extension-definition--60a3c5c5-...); the TLP 1.0 ids are those the
STIX 2.1 specification fixes, still read on import (WHITE is CLEAR).
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

import stix2

from tocsin.indicators.types import IndicatorType
from tocsin.sharing.tlp import TLP

# Namespace of tocsin's deterministic STIX ids (uuid5); never change it: ids would change.
NAMESPACE = uuid.UUID("70d52023-57cc-480f-ad39-93a2a8b1275d")

TLP2_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP2_CREATED = "2022-10-01T00:00:00.000Z"
TLP2_MARKING_IDS = {
    TLP.clear: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    TLP.green: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    TLP.amber: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    TLP.amber_strict: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    TLP.red: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
TLP1_MARKING_IDS = {
    stix2.TLP_WHITE["id"]: TLP.clear,
    stix2.TLP_GREEN["id"]: TLP.green,
    stix2.TLP_AMBER["id"]: TLP.amber,
    stix2.TLP_RED["id"]: TLP.red,
}
TLP_BY_MARKING_ID = {v: k for k, v in TLP2_MARKING_IDS.items()} | TLP1_MARKING_IDS

# Identities and definitions that never change: a constant creation time keeps them stable.
FIXED_TIME = "2026-01-01T00:00:00.000Z"
SYSTEM_IDENTITY_ID = f"identity--{uuid.uuid5(NAMESPACE, 'tocsin')}"
ANONYMOUS_IDENTITY_ID = f"identity--{uuid.uuid5(NAMESPACE, 'anonymous-member')}"
EXTENSION_ID = f"extension-definition--{uuid.uuid5(NAMESPACE, 'x_tocsin/1.0')}"
EXTENSION_SCHEMA = "Described in docs/stix-extension.md of the tocsin source distribution."
EXTENSION_PROPERTIES = [
    "x_tocsin_category",
    "x_tocsin_severity",
    "x_tocsin_pap",
    "x_tocsin_first_seen",
    "x_tocsin_initial_access",
    "x_tocsin_care_impact",
    "x_tocsin_at",
    "x_tocsin_rule",
    "x_tocsin_exercise",
]
USES_EXTENSION = {EXTENSION_ID: {"extension_type": "toplevel-property-extension"}}

# Pattern object paths of each indicator type (CVE becomes a vulnerability object instead).
PATTERN_PATHS = {
    IndicatorType.IPV4: "ipv4-addr:value",
    IndicatorType.IPV6: "ipv6-addr:value",
    IndicatorType.DOMAIN: "domain-name:value",
    IndicatorType.URL: "url:value",
    IndicatorType.EMAIL: "email-addr:value",
    IndicatorType.MD5: "file:hashes.MD5",
    IndicatorType.SHA1: "file:hashes.'SHA-1'",
    IndicatorType.SHA256: "file:hashes.'SHA-256'",
    IndicatorType.FILENAME: "file:name",
}
RULE_PATTERN_TYPES = frozenset({"yara", "sigma", "snort", "suricata"})

_OBJECT_ID = re.compile(
    r"^([a-z0-9][a-z0-9-]{0,248}[a-z0-9])--"
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)


def object_type_of(stix_id: Any) -> str | None:
    """The type part of a well-formed STIX identifier, or None."""
    match = _OBJECT_ID.match(stix_id) if isinstance(stix_id, str) else None
    return match.group(1) if match else None


def derived_id(kind: str, base: uuid.UUID, key: str) -> str:
    """A deterministic STIX id for an object of `kind` within the object `base`."""
    return f"{kind}--{uuid.uuid5(base, key)}"


def timestamp(moment: datetime) -> str:
    """STIX timestamp: UTC, millisecond precision, `Z` suffix."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def parse_timestamp(value: Any) -> datetime:
    """A STIX timestamp as an aware datetime; ValueError if it is not one."""
    if not isinstance(value, str) or not value.endswith("Z"):
        raise ValueError(f"not a STIX timestamp (RFC 3339, UTC, ending in Z): {value!r}")
    parsed = datetime.fromisoformat(value[:-1] + "+00:00")
    return parsed.astimezone(UTC)


def marking_definition(tlp: TLP) -> dict[str, Any]:
    """The official TLP 2.0 marking-definition object of a level."""
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": TLP2_MARKING_IDS[tlp],
        "created": TLP2_CREATED,
        "name": tlp.label,
        "extensions": {
            TLP2_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": tlp.value}
        },
    }


def system_identity() -> dict[str, Any]:
    return {
        "type": "identity",
        "spec_version": "2.1",
        "id": SYSTEM_IDENTITY_ID,
        "created": FIXED_TIME,
        "modified": FIXED_TIME,
        "name": "tocsin",
        "description": "The tocsin alert-sharing hub that defined the x_tocsin extension.",
        "identity_class": "system",
    }


def extension_definition() -> dict[str, Any]:
    """The definition of tocsin's top-level properties (see docs/stix-extension.md)."""
    return {
        "type": "extension-definition",
        "spec_version": "2.1",
        "id": EXTENSION_ID,
        "created_by_ref": SYSTEM_IDENTITY_ID,
        "created": FIXED_TIME,
        "modified": FIXED_TIME,
        "name": "tocsin alert properties",
        "description": "Category, severity, PAP, impact on patient care and other fields of "
        "a tocsin alert that STIX 2.1 has no property for.",
        "schema": EXTENSION_SCHEMA,
        "version": "1.0.0",
        "extension_types": ["toplevel-property-extension"],
        "extension_properties": EXTENSION_PROPERTIES,
    }
