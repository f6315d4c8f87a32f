"""A MISP event (parsed with PyMISP's MISPEvent) into one draft plan.

Attributes and object attributes of indicator types become indicators (context ones when
`to_ids` is false: kept out of blocklists; composites whole); tags give the TLP,
the PAP, ATT&CK techniques (`misp-galaxy:mitre-attack-pattern="Name - T1234"`), malware and
threat actor; sightings date the indicators and are kept; course-of-action, yara, sigma and
suricata objects become countermeasures; everything else is kept attached.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from pymisp import MISPAttribute, MISPEvent, MISPObject

from tocsin.alerts.schemas import IndicatorIn
from tocsin.errors import FieldError, InvalidInput
from tocsin.exchange.imports import Attachment, DraftPlan
from tocsin.exchange.loose_values import received
from tocsin.indicators.types import IndicatorType
from tocsin.interop.misp import RETRACTED_TAG, TOCSIN_FIELDS
from tocsin.sharing.tlp import PAP, TLP

_GALAXY_TECHNIQUE = re.compile(
    r'misp-galaxy:mitre-attack-pattern="(.{1,500}) - (T\d{4}(?:\.\d{3})?)"'
)
_GALAXY_MALWARE = re.compile(
    r'misp-galaxy:(?:malpedia|ransomware|tool|botnet|banker|stealer|rat|backdoor)="(.{1,500})"'
)
_GALAXY_ACTOR = re.compile(r'misp-galaxy:(?:threat-actor|mitre-intrusion-set)="(.{1,500})"')
_TOCSIN_TAG = re.compile(r'tocsin:(category|severity)="([a-z_]{1,40})"')
_TLP_ALIASES = {"white": TLP.clear} | {t.value: t for t in TLP}
_SEVERITY_OF_LEVEL = {"1": "high", "2": "medium", "3": "low", "4": "info"}
_SIMPLE_TYPES = {
    "domain": IndicatorType.DOMAIN, "hostname": IndicatorType.DOMAIN, "url": IndicatorType.URL,
    "email": IndicatorType.EMAIL, "email-src": IndicatorType.EMAIL,
    "email-dst": IndicatorType.EMAIL, "md5": IndicatorType.MD5, "sha1": IndicatorType.SHA1,
    "sha256": IndicatorType.SHA256, "filename": IndicatorType.FILENAME,
    "vulnerability": IndicatorType.CVE,
}  # fmt: skip
_RULE_TYPES = frozenset({"yara", "sigma", "snort", "suricata"})
_HASH_TYPES = frozenset({IndicatorType.MD5, IndicatorType.SHA1, IndicatorType.SHA256})


def _ip_type(value: str) -> IndicatorType:
    if "/" in value:
        return IndicatorType.CIDR
    return IndicatorType.IPV6 if ":" in value else IndicatorType.IPV4


def typed_values(kind: str, value: str) -> tuple[list[tuple[IndicatorType, str]], str] | None:
    """The indicators a MISP attribute holds and a note of the context it carries with them,
    or None when it holds none tocsin knows.

    A composite observation stays whole: the part that identifies becomes the indicator (the
    hash of `filename|sha256`, the address of `ip-dst|port`) and the rest its note, so a
    bare file name never reaches a blocklist on its own.
    """
    if kind in ("ip-src", "ip-dst"):
        return [(_ip_type(value), value)], ""
    if kind in ("ip-src|port", "ip-dst|port"):
        address, _, port = value.rpartition("|")
        return [(_ip_type(address or value), address or value)], f"port: {port}" if address else ""
    if kind == "domain|ip":
        domain, _, address = value.partition("|")
        return [(IndicatorType.DOMAIN, domain), (_ip_type(address), address)], ""
    if kind.startswith("filename|"):
        name, _, digest = value.rpartition("|")
        second = _SIMPLE_TYPES.get(kind.removeprefix("filename|"))
        if second is None:
            return [(IndicatorType.FILENAME, name)], ""
        return [(second, digest)], f"file name: {name}"
    simple = _SIMPLE_TYPES.get(kind)
    return ([(simple, value)], "") if simple else None


@dataclass
class _Draft:
    indicators: list[IndicatorIn] = field(default_factory=list)
    measures: list[dict[str, Any]] = field(default_factory=list)
    kept: list[Attachment] = field(default_factory=list)
    errors: list[FieldError] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)


def _first_seen(attribute: MISPAttribute) -> datetime | None:
    seen = [attribute.first_seen] if getattr(attribute, "first_seen", None) else []
    for sighting in attribute.sightings:
        stamp = getattr(sighting, "date_sighting", None)
        if stamp is not None:
            seen.append(stamp if isinstance(stamp, datetime) else
                        datetime.fromtimestamp(int(stamp), UTC))  # fmt: skip
    return min(seen) if seen else None


def _comment(attribute: MISPAttribute) -> str | None:
    return getattr(attribute, "comment", None) or None


def _attribute(d: _Draft, attribute: MISPAttribute, label: str) -> bool:
    """Map one attribute; False when tocsin has no field for it."""
    if attribute.type == "text" and _comment(attribute) == TOCSIN_FIELDS:
        try:
            d.fields = json.loads(attribute.value)
        except ValueError:
            d.errors.append(FieldError(f"{label} {attribute.uuid}", "TOCSIN_FIELDS is not JSON"))
        return True
    if attribute.type in _RULE_TYPES:
        d.measures.append({"action": _comment(attribute) or f"Deploy this {attribute.type} rule",
                           "rule_kind": attribute.type, "rule": attribute.value})  # fmt: skip
        return True
    if any(t.name == RETRACTED_TAG for t in attribute.tags):
        return False  # withdrawn at its source: kept attached, never an indicator again
    typed = typed_values(attribute.type, str(attribute.value))
    if typed is None:
        return False
    values, note = typed
    seen = _first_seen(attribute)
    context = getattr(attribute, "to_ids", True) is False
    for kind, raw in values:
        value, comment = received(kind, raw, _comment(attribute))
        comment = "\n".join(c for c in (comment, note) if c) or None
        row = {"type": kind.value, "value": value, "comment": comment, "first_seen": seen,
               "context": context}  # fmt: skip
        try:
            d.indicators.append(IndicatorIn.model_validate(row))
        except ValidationError as exc:
            reason = exc.errors()[0]["msg"].removeprefix("Value error, ")
            d.errors.append(FieldError(f"{label} {attribute.uuid}", reason))
    for sighting in attribute.sightings:
        kept = {"attribute_uuid": attribute.uuid, **json.loads(sighting.to_json())}
        d.kept.append(Attachment("misp-sighting", None, kept))
    return True


def _value(obj: MISPObject, relation: str) -> str | None:
    found = obj.get_attributes_by_relation(relation)
    return str(found[0].value) if found else None


def _object(d: _Draft, obj: MISPObject, label: str) -> None:
    if obj.name in ("yara", "sigma", "suricata"):
        name = _value(obj, f"{obj.name}-rule-name")
        action = _value(obj, "comment") or name or f"Deploy this {obj.name} rule"
        d.measures.append({"action": action, "rule_kind": obj.name,
                           "rule": _value(obj, obj.name)})  # fmt: skip
        return
    if obj.name == "course-of-action":
        action = _value(obj, "description") or _value(obj, "name") or "Countermeasure"
        d.measures.append({"action": action})
        return
    names = [a for a in obj.attributes if obj.name == "file" and a.type == "filename"]
    first = len(d.indicators)
    unmapped = [
        a for n, a in enumerate(obj.attributes)
        if a not in names and not _attribute(d, a, f"{label} Attribute[{n}]")
    ]  # fmt: skip
    hashes = [row for row in d.indicators[first:] if row.type in _HASH_TYPES]
    if hashes:  # a file observed whole: its name is context of the hashes, not a blocklist entry
        note = "; ".join(f"file name: {a.value}" for a in names)
        for row in hashes:
            row.comment = "\n".join(c for c in (row.comment, note) if c)[:2000]
    else:
        unmapped += [a for a in names if not _attribute(d, a, f"{label} {a.object_relation}")]
    if unmapped:
        d.kept.append(Attachment("misp-object", None, json.loads(obj.to_json())))


def _tags(event: MISPEvent) -> dict[str, Any]:
    names = [t.name for t in event.tags]
    tlps = [_TLP_ALIASES[n[4:].lower()] for n in names
            if n.lower().startswith("tlp:") and n[4:].lower() in _TLP_ALIASES]  # fmt: skip
    paps = [n[4:].lower() for n in names if n.upper().startswith("PAP:")]
    origin: dict[str, Any] = {}
    steps = []
    known: dict[str, str] = {}
    for name in names:
        if technique := _GALAXY_TECHNIQUE.fullmatch(name):
            steps.append({"description": technique.group(1), "technique": technique.group(2)})
        elif malware := _GALAXY_MALWARE.fullmatch(name):
            origin.setdefault("malware_family", malware.group(1))
        elif actor := _GALAXY_ACTOR.fullmatch(name):
            origin.setdefault("threat_actor", actor.group(1))
        elif own := _TOCSIN_TAG.fullmatch(name):
            known[own.group(1)] = own.group(2)
    return {
        "tlp": max(tlps, key=lambda t: t.rank, default=TLP.amber).value,
        "pap": next((p for p in paps if p in PAP.__members__), PAP.green.value),
        "origin": origin, "attack_steps": steps, **known,
    }  # fmt: skip


def loaded_event(document: dict[str, Any]) -> MISPEvent:
    """The event as PyMISP reads it; InvalidInput with PyMISP's reason otherwise."""
    event = MISPEvent()
    try:
        event.load(document)
    except Exception as exc:  # PyMISP raises many kinds; each is a bad event for us
        inner = document.get("Event") or document
        ident = inner.get("uuid", "?") if isinstance(inner, dict) else "?"
        raise InvalidInput.one(f"Event {ident}", str(exc) or type(exc).__name__) from None
    info = getattr(event, "info", None)
    if not isinstance(info, str) or not info.strip():
        raise InvalidInput.one("Event.info", "the event needs a title: a non-empty text")
    return event


def _aware(stamp: Any, name: str) -> datetime:
    """A time of tocsin's own fields: ISO 8601 with its zone, or the import is refused."""
    try:
        moment = datetime.fromisoformat(stamp) if isinstance(stamp, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise InvalidInput.one(name, "a time in ISO 8601 with its time zone is needed")
    return moment


def _content(event: MISPEvent, d: _Draft) -> dict[str, Any]:
    tags = _tags(event)
    own = d.fields
    expiry = own.get("valid_until")
    for row in d.indicators:
        key = f"{row.type.value}/{row.value}"
        until = expiry.get(key) if isinstance(expiry, dict) else None
        row.valid_until = _aware(until, f"{TOCSIN_FIELDS}.valid_until.{key}") if until else None
    origin = tags["origin"] | ({"initial_access": own["initial_access"]}
                               if own.get("initial_access") else {})  # fmt: skip
    reports = [r for r in event.event_reports if getattr(r, "content", None)]
    content = {
        "title": event.info[:300], "summary": reports[0].content if reports else "",
        "category": own.get("category") or tags.get("category", "other"),
        "severity": own.get("severity") or tags.get("severity")
        or _SEVERITY_OF_LEVEL.get(str(getattr(event, "threat_level_id", "")), "medium"),
        "tlp": tags["tlp"], "pap": own.get("pap", tags["pap"]),
        "first_seen": own.get("first_seen"), "origin": origin,
        "attack_steps": own.get("attack_steps", tags["attack_steps"]),
        "countermeasures": own.get("countermeasures", d.measures),
        "indicators": d.indicators,
    }  # fmt: skip
    if "care_impact" in own:
        content["care_impact"] = own["care_impact"]
    return content


def plan_event(document: dict[str, Any]) -> tuple[DraftPlan, list[FieldError]]:
    """The draft plan of a MISP event and the attributes refused, each with its reason.

    InvalidInput only when PyMISP cannot read the event or it has no title.
    """
    event = loaded_event(document)
    d = _Draft()
    for n, attribute in enumerate(event.attributes):
        if not _attribute(d, attribute, f"Attribute[{n}]"):
            d.kept.append(Attachment("misp-attribute", None, json.loads(attribute.to_json())))
    for n, obj in enumerate(event.objects):
        _object(d, obj, f"Object[{n}] {obj.uuid}")
    try:
        origin = f"report--{uuid.UUID(str(event.uuid))}"
    except ValueError:
        origin = None
    return DraftPlan(f"Event {event.uuid}", _content(event, d), origin, d.kept), d.errors
