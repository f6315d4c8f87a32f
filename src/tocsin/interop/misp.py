"""An alert as a MISP event (built and checked with PyMISP), and a MISP event into a draft.

Indicators become attributes of the right MISP type and category, the TLP and PAP become
`tlp:` and `PAP:` tags, ATT&CK techniques `misp-galaxy:mitre-attack-pattern` tags, the
countermeasures course-of-action, yara, sigma and suricata objects. What MISP has no place for
(care impact, step times, which rule belongs to which countermeasure, indicator expiry) rides
in one `text` attribute, commented `TOCSIN_FIELDS`, that the import reads back.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from pymisp import MISPAttribute, MISPEvent, MISPEventReport, MISPObject, MISPOrganisation
from sqlalchemy.orm import Session

from tocsin.alerts.models import Alert
from tocsin.alerts.vocab import Severity, Status
from tocsin.indicators.attack import technique_name, technique_uuid
from tocsin.indicators.types import IndicatorType
from tocsin.interop import stix
from tocsin.interop import stix_vocab as v
from tocsin.sharing.rules import Network
from tocsin.sharing.tlp import TLP

TOCSIN_FIELDS = "TOCSIN_FIELDS"
# MISP's mitre-attack-pattern galaxy (misp-galaxy, galaxies/mitre-attack-pattern.json).
ATTACK_GALAXY_UUID = "c4e851fa-775f-11e7-8163-b774922098cd"
RETRACTED_TAG = "tocsin:retracted"  # whatever the TLP: a consumer stops blocking on it
ATTRIBUTE_OF = {
    IndicatorType.IPV4: ("ip-dst", "Network activity"),
    IndicatorType.IPV6: ("ip-dst", "Network activity"),
    IndicatorType.CIDR: ("ip-dst", "Network activity"),
    IndicatorType.DOMAIN: ("domain", "Network activity"),
    IndicatorType.URL: ("url", "Network activity"),
    IndicatorType.EMAIL: ("email-src", "Payload delivery"),
    IndicatorType.MD5: ("md5", "Payload delivery"),
    IndicatorType.SHA1: ("sha1", "Payload delivery"),
    IndicatorType.SHA256: ("sha256", "Payload delivery"),
    IndicatorType.FILENAME: ("filename", "Payload delivery"),
    IndicatorType.CVE: ("vulnerability", "External analysis"),
}
THREAT_LEVEL = {
    Severity.critical: 1, Severity.high: 1, Severity.medium: 2, Severity.low: 3, Severity.info: 4,
}  # fmt: skip
DISTRIBUTION = {TLP.clear: 3, TLP.green: 1}  # other levels: 0, the producer's organisation
RULE_OBJECTS = {"yara": "yara", "sigma": "sigma", "suricata": "suricata"}


def tlp_tag(tlp: TLP) -> str:
    return f"tlp:{tlp.value}"


def technique_tag(description: str, technique: str) -> str:
    """MISP's cluster tag: ATT&CK's own name (the step's text only for an unknown id)."""
    name = technique_name(technique) or description.strip().splitlines()[0][:200]
    return f'misp-galaxy:mitre-attack-pattern="{name.replace(chr(34), chr(39))} - {technique}"'


def _galaxy(event: MISPEvent, techniques: list[str]) -> None:
    """The Galaxy block MISP writes next to the cluster tags, for the known techniques."""
    known = [t for t in dict.fromkeys(techniques) if technique_uuid(t)]
    if not known:
        return
    galaxy = event.add_galaxy(
        type="mitre-attack-pattern", name="Attack Pattern", namespace="mitre-attack",
        uuid=ATTACK_GALAXY_UUID, description="ATT&CK Tactic",
    )  # fmt: skip
    for technique in known:
        galaxy.add_galaxy_cluster(
            type="mitre-attack-pattern", uuid=technique_uuid(technique),
            value=f"{technique_name(technique)} - {technique}",
            tag_name=technique_tag("", technique), meta={"external_id": [technique]},
        )  # fmt: skip


def _organisation(source: stix.Source | None) -> MISPOrganisation:
    org = MISPOrganisation()
    if source is None:
        org.from_dict(name="Anonymous healthcare organisation",
                      uuid=v.ANONYMOUS_IDENTITY_ID.removeprefix("identity--"))  # fmt: skip
    else:
        org_uuid = uuid.uuid5(v.NAMESPACE, f"organisation/{source.org_id}")
        org.from_dict(name=source.name, uuid=str(org_uuid))
    return org


def _header(event: MISPEvent, alert: Alert, event_uuid: uuid.UUID) -> None:
    event.uuid = str(event_uuid)
    event.info = alert.title
    event.date = (alert.first_seen or alert.created_at).date()
    event.threat_level_id = THREAT_LEVEL[alert.severity]
    event.analysis = 0 if alert.status is Status.draft else 1 if alert.status.is_live else 2
    event.distribution = DISTRIBUTION.get(alert.tlp, 0)
    event.published = alert.status not in (Status.draft, Status.retracted)
    event.timestamp = alert.updated_at
    if alert.status is Status.retracted:
        event.add_tag(RETRACTED_TAG)
    for tag in (tlp_tag(alert.tlp), f"PAP:{alert.pap.value.upper()}",
                f'tocsin:category="{alert.category.value}"',
                f'tocsin:severity="{alert.severity.value}"'):  # fmt: skip
        event.add_tag(tag)
    if alert.exercise:
        event.add_tag("exercise")  # and no attribute is for IDS: nothing blocks on a scenario
    origin = alert.origin
    if origin.get("malware_family"):
        event.add_tag(f'misp-galaxy:malpedia="{origin["malware_family"]}"')
    if origin.get("threat_actor"):
        event.add_tag(f'misp-galaxy:threat-actor="{origin["threat_actor"]}"')
    for step in alert.attack_steps:
        if step.get("technique"):
            event.add_tag(technique_tag(step["description"], step["technique"]))
    _galaxy(event, [s["technique"] for s in alert.attack_steps if s.get("technique")])


def _indicators(event: MISPEvent, alert: Alert, event_uuid: uuid.UUID) -> dict[str, str]:
    """Attributes of the indicators; withdrawn ones, and all of a retracted alert, are kept
    with to_ids false and the retraction tag, so consumers fed by exports stop blocking."""
    expiry: dict[str, str] = {}
    for row in alert.indicators:
        kind, category = ATTRIBUTE_OF[row.type]
        retracted = row.withdrawn_at is not None or alert.status is Status.retracted
        detection = row.type is not IndicatorType.CVE and not row.context and not retracted
        detection = detection and not alert.exercise
        attribute = event.add_attribute(
            kind, row.value, category=category, to_ids=detection,
            comment=row.comment or "", first_seen=row.first_seen,
            uuid=str(uuid.uuid5(event_uuid, f"indicator/{row.type.value}/{row.value}")),
        )  # fmt: skip
        if retracted and isinstance(attribute, MISPAttribute):
            attribute.add_tag(RETRACTED_TAG)
        if row.valid_until:
            expiry[f"{row.type.value}/{row.value}"] = v.timestamp(row.valid_until)
    return expiry


def _countermeasures(event: MISPEvent, alert: Alert, event_uuid: uuid.UUID) -> None:
    for n, measure in enumerate(alert.countermeasures):
        action, kind, rule = measure["action"], measure.get("rule_kind"), measure.get("rule")
        name = action.strip().splitlines()[0][:250]
        ident = uuid.uuid5(event_uuid, f"countermeasure/{n}")
        if rule and kind == "snort":  # MISP has no snort object: an attribute
            event.add_attribute("snort", rule, category="Network activity", comment=action,
                                to_ids=False, uuid=str(ident))  # fmt: skip
            continue
        if rule and kind in RULE_OBJECTS:
            obj = MISPObject(RULE_OBJECTS[kind])
            parts = {kind: rule, "comment": action}
            if kind != "suricata":
                parts[f"{kind}-rule-name"] = name
        else:
            obj = MISPObject("course-of-action")
            parts = {"name": name, "description": action}
        for relation, value in parts.items():
            obj.add_attribute(relation, value=value, to_ids=False,
                              uuid=str(uuid.uuid5(ident, relation)))  # fmt: skip
        obj.uuid = str(ident)
        event.add_object(obj)


def _fields(alert: Alert, expiry: dict[str, str]) -> dict[str, Any]:
    return {
        "category": alert.category.value, "severity": alert.severity.value,
        "pap": alert.pap.value, "care_impact": alert.care_impact,
        "initial_access": alert.origin.get("initial_access"),
        "first_seen": v.timestamp(alert.first_seen) if alert.first_seen else None,
        "attack_steps": alert.attack_steps, "countermeasures": alert.countermeasures,
        "valid_until": expiry,
    }  # fmt: skip


def _victim(event: MISPEvent, victim: stix.Source, event_uuid: uuid.UUID) -> None:
    """The establishment the incident hit, as MISP's `victim` object."""
    ident = uuid.uuid5(event_uuid, f"victim/{victim.org_id}")
    obj = MISPObject("victim")
    for relation, value in (("name", victim.name), ("sectors", "Health")):
        obj.add_attribute(relation, value=value, to_ids=False,
                          uuid=str(uuid.uuid5(ident, relation)))  # fmt: skip
    obj.uuid = str(ident)
    event.add_object(obj)


def build_event(
    alert: Alert, *, source: stix.Source | None, event_uuid: uuid.UUID,
    victim: stix.Source | None = None,
) -> MISPEvent:  # fmt: skip
    """The MISP event of an alert (pure apart from PyMISP's own checks)."""
    event = MISPEvent(force_timestamps=True)  # else PyMISP drops the edited event's timestamp
    _header(event, alert, event_uuid)
    event.Orgc = _organisation(source)
    if victim is not None:
        _victim(event, victim, event_uuid)
    expiry = _indicators(event, alert, event_uuid)
    _countermeasures(event, alert, event_uuid)
    if alert.summary:
        report = MISPEventReport()
        report.from_dict(name="Summary", content=alert.summary, distribution=5,
                         uuid=str(uuid.uuid5(event_uuid, "summary")))  # fmt: skip
        event.event_reports.append(report)
    event.add_attribute(
        "text", json.dumps(_fields(alert, expiry), sort_keys=True), category="Other",
        comment=TOCSIN_FIELDS, to_ids=False, uuid=str(uuid.uuid5(event_uuid, TOCSIN_FIELDS)),
    )  # fmt: skip
    return event


def alert_to_event(
    *, session: Session, alert: Alert, viewer_id: uuid.UUID, network: Network
) -> dict[str, Any]:
    """`{"Event": {...}}` as MISP writes it, for a viewer allowed to read the alert."""
    source, victim = stix.named_for(session, alert, viewer_id, network)
    event = build_event(
        alert, source=source, event_uuid=stix.report_uuid_of(session, alert), victim=victim
    )
    document: dict[str, Any] = json.loads(event.to_json())
    return {"Event": document}
