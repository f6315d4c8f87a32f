"""An alert as STIX 2.1 objects, as one viewer may see it.

The objects are plain dicts built directly (the stix2 classes check every pattern with an
ANTLR parser, about 5 ms per indicator: too slow for alerts with thousands of indicators);
the tests check each export with stix2-validator 3.2.0 and `stix2.parse`.

Ids are deterministic: the report id comes from the alert id (or from the report an imported
draft came from), every other id from the report id and what the object stands for, so an
export, its import and the import's export carry the same ids.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin.alerts.models import Alert, AlertIndicator
from tocsin.alerts.projection import facts
from tocsin.alerts.vocab import RuleKind, Status
from tocsin.indicators.attack import technique_url
from tocsin.indicators.types import IndicatorType
from tocsin.interop import stix_vocab as v
from tocsin.interop.exchange_models import AlertAttachment
from tocsin.network.models import Organisation
from tocsin.sharing.rules import Network, told, told_every_reader

_ONE_SECOND = timedelta(seconds=1)


@dataclass(frozen=True)
class Source:
    """Who the viewer may see as the author: an organisation, or None for anonymous."""

    org_id: uuid.UUID
    name: str


@dataclass
class _Builder:
    alert: Alert
    report_uuid: uuid.UUID
    identity_id: str
    objects: list[dict[str, Any]] = field(default_factory=list)

    def sdo(self, kind: str, key: str, **properties: Any) -> dict[str, Any]:
        """An object of the report, marked and attributed like the report."""
        obj: dict[str, Any] = {
            "type": kind,
            "spec_version": "2.1",
            "id": v.derived_id(kind, self.report_uuid, key),
            "created": v.timestamp(self.alert.created_at),
            "modified": v.timestamp(self.alert.updated_at),
            "created_by_ref": self.identity_id,
        }
        obj.update({k: value for k, value in properties.items() if value is not None})
        if self.alert.exercise:
            obj["x_tocsin_exercise"] = True
        if any(k.startswith("x_tocsin_") for k in obj):
            obj["extensions"] = v.USES_EXTENSION
        obj["object_marking_refs"] = [v.TLP2_MARKING_IDS[self.alert.tlp]]
        self.objects.append(obj)
        return obj

    def relate(self, source: dict[str, Any], kind: str, target: dict[str, Any]) -> None:
        key = f"relationship/{source['id']}/{kind}/{target['id']}"
        self.sdo(
            "relationship", key, relationship_type=kind,
            source_ref=source["id"], target_ref=target["id"],
        )  # fmt: skip


def escape_pattern_value(value: str) -> str:
    """A value quoted for a STIX pattern: backslash and quote escaped."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def indicator_pattern(kind: IndicatorType, value: str) -> str:
    """The STIX pattern matching one indicator (CIDR ranges as an address value)."""
    if kind is IndicatorType.CIDR:
        path = "ipv6-addr:value" if ":" in value else "ipv4-addr:value"
    else:
        path = v.PATTERN_PATHS[kind]
    return f"[{path} = {escape_pattern_value(value)}]"


def identity_object(source: Source | None) -> dict[str, Any]:
    """The author of the report (or the establishment an incident hit), or one anonymous
    identity shared by every hidden source."""
    if source is None:
        return {
            "type": "identity", "spec_version": "2.1", "id": v.ANONYMOUS_IDENTITY_ID,
            "created": v.FIXED_TIME, "modified": v.FIXED_TIME,
            "name": "Anonymous healthcare organisation",
            "description": "The source of this alert is not disclosed to you.",
            "identity_class": "organization", "sectors": ["healthcare"],
        }  # fmt: skip
    return {
        "type": "identity", "spec_version": "2.1",
        "id": f"identity--{uuid.uuid5(v.NAMESPACE, f'organisation/{source.org_id}')}",
        "created": v.FIXED_TIME, "modified": v.FIXED_TIME,
        "name": source.name, "identity_class": "organization", "sectors": ["healthcare"],
    }  # fmt: skip


def _indicator(b: _Builder, row: AlertIndicator) -> dict[str, Any]:
    if row.type is IndicatorType.CVE:
        return b.sdo(
            "vulnerability", f"indicator/{row.type.value}/{row.value}", name=row.value,
            description=row.comment,
            external_references=[{"source_name": "cve", "external_id": row.value}],
        )  # fmt: skip
    valid_from = row.first_seen or b.alert.first_seen or b.alert.created_at
    if row.valid_until is not None and row.valid_until <= valid_from:
        valid_from = row.valid_until.replace(microsecond=0) - _ONE_SECOND
    return b.sdo(
        "indicator", f"indicator/{row.type.value}/{row.value}", name=row.value,
        description=row.comment, indicator_types=["malicious-activity"],
        pattern=indicator_pattern(row.type, row.value), pattern_type="stix",
        pattern_version="2.1", valid_from=v.timestamp(valid_from),
        valid_until=v.timestamp(row.valid_until) if row.valid_until else None,
    )  # fmt: skip


# Where a context value sits in an observable: (object type, property, hash algorithm).
_OBSERVABLE_OF = {
    IndicatorType.IPV4: ("ipv4-addr", "value", None),
    IndicatorType.CIDR: ("ipv4-addr", "value", None),
    IndicatorType.IPV6: ("ipv6-addr", "value", None),
    IndicatorType.DOMAIN: ("domain-name", "value", None),
    IndicatorType.URL: ("url", "value", None),
    IndicatorType.EMAIL: ("email-addr", "value", None),
    IndicatorType.FILENAME: ("file", "name", None),
    IndicatorType.MD5: ("file", "hashes", "MD5"),
    IndicatorType.SHA1: ("file", "hashes", "SHA-1"),
    IndicatorType.SHA256: ("file", "hashes", "SHA-256"),
}


def _observable(b: _Builder, row: AlertIndicator) -> dict[str, Any]:
    """A context value as a cyber-observable: observed, not a pattern to detect."""
    kind, prop, algorithm = _OBSERVABLE_OF[row.type]
    if row.type is IndicatorType.CIDR and ":" in row.value:
        kind = "ipv6-addr"
    return {
        "type": kind, "spec_version": "2.1",
        "id": v.derived_id(kind, b.report_uuid, f"observable/{row.type.value}/{row.value}"),
        prop: {algorithm: row.value} if algorithm else row.value,
        "object_marking_refs": [v.TLP2_MARKING_IDS[b.alert.tlp]],
    }  # fmt: skip


def _observations(b: _Builder, rows: list[AlertIndicator]) -> None:
    """Context values: their observables and one observed-data, never indicator objects."""
    observables = [_observable(b, row) for row in rows]
    if not observables:
        return
    seen = [row.first_seen for row in rows if row.first_seen] or [
        b.alert.first_seen or b.alert.created_at]  # fmt: skip
    b.objects += observables
    b.sdo(
        "observed-data", "observed-data/context", first_observed=v.timestamp(min(seen)),
        last_observed=v.timestamp(max(seen)), number_observed=1,
        object_refs=[o["id"] for o in observables],
    )  # fmt: skip


def _attack_pattern(b: _Builder, index: int, step: dict[str, Any]) -> dict[str, Any]:
    technique = step.get("technique")
    references = None
    if technique:
        references = [
            {"source_name": "mitre-attack", "external_id": technique,
             "url": technique_url(technique)}
        ]  # fmt: skip
    description = step["description"]
    return b.sdo(
        "attack-pattern", f"attack-step/{index}", name=_first_line(description),
        description=description, external_references=references, x_tocsin_at=step.get("at"),
    )  # fmt: skip


def _course_of_action(b: _Builder, index: int, measure: dict[str, Any]) -> None:
    action, kind, rule = measure["action"], measure.get("rule_kind"), measure.get("rule")
    carried = {"kind": kind, "rule": rule} if rule and kind == RuleKind.other.value else None
    coa = b.sdo(
        "course-of-action", f"countermeasure/{index}", name=_first_line(action),
        description=action, x_tocsin_rule=carried,
    )  # fmt: skip
    if rule and kind in v.RULE_PATTERN_TYPES:
        rule_indicator = b.sdo(
            "indicator", f"countermeasure/{index}/rule", name=f"{kind} rule",
            description=f"Detection rule of: {_first_line(action)}",
            indicator_types=["malicious-activity"], pattern=rule, pattern_type=kind,
            valid_from=v.timestamp(b.alert.first_seen or b.alert.created_at),
        )  # fmt: skip
        b.relate(coa, "investigates", rule_indicator)


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else text
    return line if len(line) <= 250 else line[:249] + "…"


def _report(b: _Builder, refs: list[str], published: str) -> dict[str, Any]:
    alert = b.alert
    report: dict[str, Any] = {
        "type": "report", "spec_version": "2.1", "id": f"report--{b.report_uuid}",
        "created": v.timestamp(alert.created_at), "modified": v.timestamp(alert.updated_at),
        "created_by_ref": b.identity_id, "name": alert.title,
        "description": alert.summary or None, "published": published,
        "report_types": ["threat-report"], "object_refs": refs,
        "revoked": True if alert.status is Status.retracted else None,
        "x_tocsin_category": alert.category.value, "x_tocsin_severity": alert.severity.value,
        "x_tocsin_pap": alert.pap.value,
        "x_tocsin_first_seen": v.timestamp(alert.first_seen) if alert.first_seen else None,
        "x_tocsin_initial_access": alert.origin.get("initial_access"),
        "x_tocsin_care_impact": alert.care_impact,
        "x_tocsin_exercise": True if alert.exercise else None,
        "extensions": v.USES_EXTENSION,
        "object_marking_refs": [v.TLP2_MARKING_IDS[alert.tlp]],
    }  # fmt: skip
    return {k: value for k, value in report.items() if value is not None}


def _victim(
    b: _Builder, victim: Source | None, attackers: list[dict[str, Any]], author: dict[str, Any]
) -> dict[str, Any] | None:
    """The establishment the incident hit, as an identity that what attacked it targets."""
    if victim is None:
        return None
    identity = identity_object(victim)
    for attacker in attackers:
        b.relate(attacker, "targets", identity)
    return None if identity["id"] == author["id"] else identity


def build_objects(
    alert: Alert, *, source: Source | None, report_uuid: uuid.UUID, kept: list[dict[str, Any]],
    victim: Source | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """The STIX objects of an alert (pure): the report first, then what it refers to."""
    identity = identity_object(source)
    b = _Builder(alert=alert, report_uuid=report_uuid, identity_id=identity["id"])
    origin = alert.origin
    malware = actor = None
    if origin.get("malware_family"):
        malware = b.sdo("malware", "malware", name=origin["malware_family"], is_family=True)
    if origin.get("threat_actor"):
        actor = b.sdo("threat-actor", "threat-actor", name=origin["threat_actor"])
        if malware:
            b.relate(actor, "uses", malware)
    current = [i for i in alert.indicators if i.withdrawn_at is None]
    _observations(b, [i for i in current if i.context and i.type is not IndicatorType.CVE])
    for row in (i for i in current if not i.context or i.type is IndicatorType.CVE):
        indicator = _indicator(b, row)
        if malware and indicator["type"] == "indicator":
            b.relate(indicator, "indicates", malware)
    steps = [_attack_pattern(b, n, step) for n, step in enumerate(alert.attack_steps)]
    for step in steps:
        if malware or actor:
            b.relate(malware or actor or {}, "uses", step)
    first_coa = len(b.objects)
    for n, measure in enumerate(alert.countermeasures):
        _course_of_action(b, n, measure)
    for coa in [o for o in b.objects[first_coa:] if o["type"] == "course-of-action"]:
        for target in [malware] if malware else steps:
            if target:
                b.relate(coa, "mitigates", target)
    attackers = [o for o in (malware, actor) if o] or steps
    hit = [i for i in [_victim(b, victim, attackers, identity)] if i]
    refs = [identity["id"]] + [o["id"] for o in hit + b.objects] + [o["id"] for o in kept]
    published = v.timestamp(alert.published_at or alert.updated_at)
    fixed = [v.marking_definition(alert.tlp), v.system_identity(), v.extension_definition()]
    return [_report(b, refs, published), identity, *hit, *b.objects, *kept, *fixed]


def report_uuid_of(session: Session, alert: Alert) -> uuid.UUID:
    """The report id of an alert: that of the report it was imported from, if any."""
    origin = session.scalar(
        select(AlertAttachment.stix_id).where(
            AlertAttachment.alert_id == alert.id, AlertAttachment.kind == "origin"
        )
    )
    if origin and origin.startswith("report--"):
        return uuid.UUID(origin.removeprefix("report--"))
    if origin:
        return uuid.uuid5(v.NAMESPACE, origin)
    return uuid.uuid5(v.NAMESPACE, f"alert/{alert.id}")


def kept_objects(session: Session, alert: Alert) -> list[dict[str, Any]]:
    """STIX objects an import kept attached to the alert, in their import order."""
    rows = session.scalars(
        select(AlertAttachment.document)
        .where(AlertAttachment.alert_id == alert.id, AlertAttachment.kind == "stix-object")
        .order_by(AlertAttachment.position)
    )
    return list(rows)


def _named(session: Session, org_id: uuid.UUID | None) -> Source | None:
    org = session.get(Organisation, org_id) if org_id else None
    return Source(org_id=org.id, name=org.name) if org else None


def named_for(
    session: Session, alert: Alert, viewer_id: uuid.UUID | None, network: Network
) -> tuple[Source | None, Source | None]:
    """The source and the establishment hit as this viewer may know them (None: not named)."""
    source, affected = told(viewer_id, facts(alert), network)
    return (_named(session, alert.source_org_id) if source else None,
            _named(session, alert.affected_org_id) if affected else None)  # fmt: skip


def _objects_for_class(
    session: Session, alert: Alert, shown: tuple[bool, bool]
) -> list[dict[str, Any]]:
    """The objects for one reader class, `shown` = (source named, establishment hit named).

    Every door renders a class the same way. The class every reader is in keeps the base ids
    (TAXII collections carry it); a class told more (an anonymous source and its relays) gets
    ids of its own, so that one id and `modified` never name two contents.
    """
    report_uuid = report_uuid_of(session, alert)
    if shown != told_every_reader(facts(alert)):
        report_uuid = uuid.uuid5(report_uuid, f"reader-class/{shown[0]}/{shown[1]}")
    return build_objects(
        alert,
        source=_named(session, alert.source_org_id) if shown[0] else None,
        report_uuid=report_uuid,
        kept=kept_objects(session, alert),
        victim=_named(session, alert.affected_org_id) if shown[1] else None,
    )


def stix_objects_for_alert(
    *, session: Session, alert: Alert, viewer_id: uuid.UUID | None, network: Network
) -> list[dict[str, Any]]:
    """Every STIX object of one alert as `viewer_id` may see it (the caller checked it may).

    The report comes first; the TLP marking definition, tocsin's identity and extension
    definition come last. Ids and timestamps are deterministic.
    """
    return _objects_for_class(session, alert, told(viewer_id, facts(alert), network))


def stix_objects_for_every_reader(*, session: Session, alert: Alert) -> list[dict[str, Any]]:
    """The objects as every reader allowed to read the alert sees them (TAXII collections)."""
    return _objects_for_class(session, alert, told_every_reader(facts(alert)))


RETRACTED_LABEL = "tocsin-retracted"  # whatever the TLP: a consumer stops blocking on it


def with_retractions(alert: Alert, objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Carry retraction into every door (file export and TAXII alike): withdrawn indicators
    come back revoked, and every object the report owns is revoked when the alert is
    retracted, so tools fed by either stop blocking. Identities and definitions are shared
    with other alerts, and objects kept from an import belong to their author: left as is."""
    report, identity = objects[0], objects[1]
    b = _Builder(alert=alert, report_uuid=uuid.UUID(report["id"].removeprefix("report--")),
                 identity_id=identity["id"])  # fmt: skip
    for row in alert.indicators:
        if row.withdrawn_at is not None and row.type is not IndicatorType.CVE:
            _indicator(b, row)
    retracted = alert.status is Status.retracted
    for obj in [*objects, *b.objects]:
        owned = obj["type"] != "identity" and obj.get("created_by_ref") == identity["id"]
        if obj in b.objects or (retracted and owned):
            obj.update(revoked=True, labels=sorted({*obj.get("labels", []), RETRACTED_LABEL}))
    report["object_refs"] = report["object_refs"] + [o["id"] for o in b.objects]
    return [report, identity, *b.objects, *objects[2:]]


def alert_to_bundle(
    *, session: Session, alert: Alert, viewer_id: uuid.UUID | None, network: Network
) -> dict[str, Any]:
    """A STIX 2.1 bundle of one alert, as the viewer may see it, retractions carried."""
    objects = with_retractions(
        alert, stix_objects_for_alert(session=session, alert=alert, viewer_id=viewer_id,
                                      network=network)
    )  # fmt: skip
    report = objects[0]
    bundle_key = f"bundle/{report['modified']}"
    bundle_uuid = uuid.uuid5(uuid.UUID(report["id"].removeprefix("report--")), bundle_key)
    return {"type": "bundle", "id": f"bundle--{bundle_uuid}", "objects": objects}
