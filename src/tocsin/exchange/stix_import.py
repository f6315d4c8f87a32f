"""A STIX 2.1 bundle into draft plans: one per report, the loose objects into one more.

Every object type with a meaning in tocsin is mapped (indicator, vulnerability, malware,
threat-actor, intrusion-set, attack-pattern, course-of-action, TLP markings, the x_tocsin
properties); identities are ignored (the importer is the source); everything else, unknown
and custom types included, is kept attached to the draft and exported again with it.

Cyber-observable objects (ipv4-addr, file, url, network-traffic…) have no created/modified
in STIX 2.1: they are read as they are. An object that breaks the specification or carries
an invalid value is refused alone, with its reason; the rest of the bundle is imported.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from tocsin.alerts.schemas import IndicatorIn
from tocsin.errors import FieldError, InvalidInput
from tocsin.exchange.imports import Attachment, DraftPlan
from tocsin.exchange.loose_values import received
from tocsin.exchange.stix_observables import HASH_TYPES, OBSERVABLES, context_rows, is_observable
from tocsin.indicators.attack import validate_technique
from tocsin.indicators.types import IndicatorError, IndicatorType
from tocsin.interop import stix_vocab as v
from tocsin.interop.stix_checks import check_stix21
from tocsin.interop.stix_patterns import UnsupportedPattern, indicators_of
from tocsin.sharing.tlp import TLP

_IGNORED = frozenset({"identity", "extension-definition", "language-content"})
_MAX_TITLE = 300


@dataclass
class _Group:
    """The objects that become one draft."""

    label: str
    origin_id: str
    report: dict[str, Any] | None
    members: list[dict[str, Any]] = field(default_factory=list)


def as_bundle(document: dict[str, Any]) -> dict[str, Any]:
    """A bundle as it is; a lone STIX object wrapped into one whose id derives from its own."""
    if document.get("type") == "bundle":
        return document
    ident = uuid.uuid5(v.NAMESPACE, f"bundle-of/{document.get('id')}")
    return {"type": "bundle", "id": f"bundle--{ident}", "objects": [document]}


def _objects(bundle: dict[str, Any]) -> list[Any]:
    objects = bundle.get("objects", [])
    if not isinstance(objects, list):
        raise InvalidInput.one("objects", "must be a list of STIX objects")
    if v.object_type_of(bundle.get("id")) != "bundle":
        raise InvalidInput.one("id", "a bundle id looks like bundle--<uuid>")
    return objects


def _observable(obj: Any) -> bool:
    """STIX 2.1 cyber-observables carry no created/modified: they are checked without them."""
    kind = obj.get("type") if isinstance(obj, dict) else None
    return isinstance(kind, str) and is_observable(kind, obj)


def _label(index: int, obj: Any) -> str:
    ident = obj.get("id", "?") if isinstance(obj, dict) else "?"
    return f"objects[{index}] {ident}"


def _checked(objects: list[Any], errors: list[FieldError]) -> dict[str, tuple[int, dict[str, Any]]]:
    """Every sound object by id (the latest version wins); each bad one joins `errors`."""
    by_id: dict[str, tuple[int, dict[str, Any]]] = {}
    for index, obj in enumerate(objects):
        try:
            check_stix21(obj, observable=_observable(obj))
        except ValueError as exc:
            errors.append(FieldError(_label(index, obj), str(exc)))
            continue
        known = by_id.get(obj["id"])
        if known is None or str(obj.get("modified", "")) >= str(known[1].get("modified", "")):
            by_id[obj["id"]] = (index, obj)
    return by_id


def _groups(bundle_id: str, by_id: dict[str, tuple[int, dict[str, Any]]]) -> list[_Group]:
    groups: list[_Group] = []
    claimed: set[str] = set()
    for ident, (index, obj) in by_id.items():
        if obj["type"] != "report":
            continue
        members = [by_id[r][1] for r in obj["object_refs"] if r in by_id and r != ident]
        inside = {m["id"] for m in members}
        members += [
            o for o in (p for _, p in by_id.values())
            if o["type"] == "relationship" and o["id"] not in inside
            and o["source_ref"] in inside and o["target_ref"] in inside
        ]  # fmt: skip
        claimed |= {ident} | {m["id"] for m in members}
        groups.append(_Group(_label(index, obj), ident, obj, members))
    loose = [
        o for ident, (_, o) in by_id.items()
        if ident not in claimed and o["type"] not in _IGNORED and o["type"] != "marking-definition"
    ]  # fmt: skip
    if loose:
        groups.append(_Group(f"bundle {bundle_id}", bundle_id, None, loose))
    return groups


@dataclass
class _Draft:
    """What a group maps to, filled object by object."""

    indicators: list[IndicatorIn] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    measures: dict[str, dict[str, Any]] = field(default_factory=dict)
    origin: dict[str, Any] = field(default_factory=dict)
    kept: list[Attachment] = field(default_factory=list)
    mapped: set[str] = field(default_factory=set)
    tlps: set[TLP] = field(default_factory=set)
    rows_of: dict[str, list[IndicatorIn]] = field(default_factory=dict)  # by STIX indicator id


def _whole(found: list[tuple[IndicatorType, str]], pattern: str) -> list[tuple[IndicatorType, str]]:
    """An AND of a file's name and hashes is one observation: the hashes identify it."""
    hashes = [f for f in found if f[0] in HASH_TYPES]
    if " AND " not in pattern or not hashes:
        return found
    return [f for f in found if f[0] is not IndicatorType.FILENAME]


def _indicator_rows(obj: dict[str, Any]) -> list[IndicatorIn]:
    rows = []
    found = indicators_of(obj["pattern"])
    kept = _whole(found, obj["pattern"])
    names = "; ".join(f"file name: {value}" for kind, value in found if (kind, value) not in kept)
    for kind, raw in kept:
        value, comment = received(kind, raw, obj.get("description"))
        if names and kind in HASH_TYPES:
            comment = "\n".join(c for c in (comment, names) if c)[:2000]
        row = {
            "type": kind.value, "value": value, "comment": comment,
            "first_seen": obj["valid_from"], "valid_until": obj.get("valid_until"),
        }  # fmt: skip
        try:
            rows.append(IndicatorIn.model_validate(row))
        except ValidationError as exc:
            raise ValueError(exc.errors()[0]["msg"].removeprefix("Value error, ")) from None
    return rows


def _cve_of(obj: dict[str, Any]) -> str | None:
    names = [obj.get("name", "")] + [
        r.get("external_id", "") for r in obj.get("external_references", [])
        if isinstance(r, dict) and r.get("source_name") == "cve"
    ]  # fmt: skip
    return next((n for n in names if str(n).upper().startswith("CVE-")), None)


def _technique_of(obj: dict[str, Any]) -> str | None:
    for ref in obj.get("external_references", []):
        if isinstance(ref, dict) and ref.get("source_name") == "mitre-attack":
            try:
                return validate_technique(str(ref.get("external_id", "")))
            except IndicatorError:
                return None
    return None


def _action_of(obj: dict[str, Any]) -> str:
    name, description = obj.get("name") or "", obj.get("description") or ""
    if description and name and not description.startswith(name.rstrip("…")):
        return f"{name}: {description}"
    return description or name


def _map(d: _Draft, obj: dict[str, Any]) -> bool:
    """Map one object onto the draft; False when tocsin has no field for it."""
    kind = obj["type"]
    if obj.get("revoked") is True:
        return False  # withdrawn by its producer: kept attached, never an indicator again
    if kind in OBSERVABLES:
        rows = context_rows(obj)
        d.indicators += rows
        return bool(rows)
    if kind == "indicator" and obj["pattern_type"] == "stix":
        d.rows_of[obj["id"]] = _indicator_rows(obj)
        d.indicators += d.rows_of[obj["id"]]
    elif kind == "indicator" and obj["pattern_type"] in v.RULE_PATTERN_TYPES:
        action = obj.get("description") or obj.get("name") or "Deploy this detection rule"
        d.measures[obj["id"]] = {
            "action": action, "rule_kind": obj["pattern_type"], "rule": obj["pattern"]}  # fmt: skip
    elif kind == "vulnerability" and _cve_of(obj):
        row = {"type": IndicatorType.CVE.value, "value": _cve_of(obj),
               "comment": obj.get("description")}  # fmt: skip
        d.indicators.append(IndicatorIn.model_validate(row))
    elif kind == "malware" and "malware_family" not in d.origin:
        d.origin["malware_family"] = obj.get("name") or "unnamed malware"
    elif kind in ("threat-actor", "intrusion-set") and "threat_actor" not in d.origin:
        d.origin["threat_actor"] = obj["name"]
    elif kind == "attack-pattern":
        step = {"description": obj.get("description") or obj["name"],
                "technique": _technique_of(obj), "at": obj.get("x_tocsin_at")}  # fmt: skip
        d.steps.append(step)
    elif kind == "course-of-action":
        carried = obj.get("x_tocsin_rule")
        rule: dict[str, Any] = carried if isinstance(carried, dict) else {}
        d.measures[obj["id"]] = {"action": _action_of(obj), "rule_kind": rule.get("kind"),
                                 "rule": rule.get("rule")}  # fmt: skip
    elif kind == "marking-definition" and obj["id"] in v.TLP_BY_MARKING_ID:
        pass
    else:
        return kind in _IGNORED or kind == "relationship"
    return True


def _link_rules(d: _Draft, relationships: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A rule investigated by a course of action becomes that countermeasure's rule."""
    measures = dict(d.measures)
    for rel in relationships:
        coa, rule = measures.get(rel["source_ref"]), measures.get(rel["target_ref"])
        if rel["relationship_type"] != "investigates" or not coa or not rule:
            continue
        if rule.get("rule_kind") and not coa.get("rule") and rel["target_ref"] in measures:
            coa["rule_kind"], coa["rule"] = rule["rule_kind"], rule["rule"]
            del measures[rel["target_ref"]]
    return list(measures.values())


def _markings(d: _Draft, obj: dict[str, Any]) -> None:
    refs = obj.get("object_marking_refs", [])
    d.tlps |= {v.TLP_BY_MARKING_ID[r] for r in refs if r in v.TLP_BY_MARKING_ID}


def _date_sighted(d: _Draft) -> None:
    """A sighting, kept attached, dates the indicator it saw: first seen at the earliest."""
    for kept in (a.document for a in d.kept if a.document.get("type") == "sighting"):
        try:
            seen = v.parse_timestamp(kept.get("first_seen"))
        except ValueError:
            continue
        for row in d.rows_of.get(str(kept.get("sighting_of_ref")), []):
            row.first_seen = min(row.first_seen, seen) if row.first_seen else seen


def _fill(
    group: _Group, by_id: dict[str, tuple[int, dict[str, Any]]], errors: list[FieldError]
) -> _Draft:
    """Map the group's objects; one that fails is left out and joins `errors`."""
    d = _Draft()
    for obj in group.members:
        _markings(d, obj)
        try:
            is_mapped = _map(d, obj)
        except UnsupportedPattern:
            is_mapped = False
        except (ValueError, ValidationError) as exc:
            errors.append(FieldError(_label(by_id[obj["id"]][0], obj), str(exc)))
            continue
        if is_mapped and obj["type"] != "relationship":
            d.mapped.add(obj["id"])
        elif not is_mapped:
            d.kept.append(Attachment("stix-object", obj["id"], obj))
    _date_sighted(d)
    for observed in [a for a in d.kept if a.document.get("type") == "observed-data"]:
        refs = observed.document.get("object_refs")
        if isinstance(refs, list) and refs and set(refs) <= d.mapped:
            d.kept.remove(observed)  # all its observables are context indicators now
    for rel in (o for o in group.members if o["type"] == "relationship"):
        if not {rel["source_ref"], rel["target_ref"]} <= d.mapped:
            d.kept.append(Attachment("stix-object", rel["id"], rel))
    return d


def _content(group: _Group, d: _Draft, relationships: list[dict[str, Any]]) -> dict[str, Any]:
    report = group.report or {}
    _markings(d, report)
    title = report.get("name") or f"Imported STIX bundle {group.origin_id}"
    if report.get("x_tocsin_initial_access"):
        d.origin["initial_access"] = report["x_tocsin_initial_access"]
    content = {
        "title": title if len(title) <= _MAX_TITLE else title[: _MAX_TITLE - 1] + "…",
        "summary": report.get("description") or "",
        "category": report.get("x_tocsin_category", "other"),
        "severity": report.get("x_tocsin_severity", "medium"),
        "tlp": max(d.tlps, key=lambda t: t.rank, default=TLP.amber).value,
        "pap": report.get("x_tocsin_pap", "green"),
        "first_seen": report.get("x_tocsin_first_seen"),
        "origin": d.origin,
        "attack_steps": d.steps,
        "indicators": d.indicators,
        "countermeasures": _link_rules(d, relationships),
    }
    if "x_tocsin_care_impact" in report:
        content["care_impact"] = report["x_tocsin_care_impact"]
    return content


def plan_bundle(bundle: dict[str, Any]) -> tuple[list[DraftPlan], list[FieldError]]:
    """Draft plans of a STIX 2.1 bundle and the objects refused, each with its reason.

    A report always makes a draft; the loose objects make one only when something of them
    is left once the refused ones are out.
    """
    refused: list[FieldError] = []
    by_id = _checked(_objects(bundle), refused)
    plans = []
    for group in _groups(bundle["id"], by_id):
        draft = _fill(group, by_id, refused)
        if group.report is None and not (draft.mapped or draft.kept):
            continue
        relationships = [o for o in group.members if o["type"] == "relationship"]
        content = _content(group, draft, relationships)
        plans.append(DraftPlan(group.label, content, group.origin_id, draft.kept))
    return plans, refused
