"""What a stored alert is, as plain data: its sharing facts, its content, its revision
document. Pure: no query, no clock, no write; the publication layer computes these once per
revision and hands them down.
"""

from __future__ import annotations

import uuid
from typing import Any

from tocsin.alerts.models import Alert
from tocsin.alerts.schemas import AlertContent, IndicatorIn
from tocsin.alerts.vocab import Status
from tocsin.sharing.rules import AlertFacts


def facts(alert: Alert) -> AlertFacts:
    """What the sharing rules need to know of a stored alert."""
    return AlertFacts(
        source_id=alert.source_org_id,
        tlp=alert.tlp,
        scope=alert.scope_kind,
        area_id=alert.scope_area_id,
        named=frozenset(uuid.UUID(o) for o in alert.named),
        draft=alert.status is Status.draft,
        anonymous=alert.anonymous,
        affected_id=alert.affected_org_id,
    )


def content_of(alert: Alert) -> AlertContent:
    """The current content of a stored alert, as its author would write it."""
    content = AlertContent.model_validate(
        {
            "title": alert.title,
            "summary": alert.summary,
            "category": alert.category,
            "severity": alert.severity,
            "tlp": alert.tlp,
            "pap": alert.pap,
            "scope": {
                "kind": alert.scope_kind,
                "area_id": alert.scope_area_id,
                "organisations": [uuid.UUID(o) for o in alert.named],
            },
            "anonymous": alert.anonymous,
            "affected_organisation": alert.affected_org_id,
            "first_seen": alert.first_seen,
            "care_impact": alert.care_impact,
            "origin": alert.origin,
            "attack_steps": alert.attack_steps,
            "indicators": [],
            "countermeasures": alert.countermeasures,
        }
    )
    # Stored values were normalised on the way in: not again (50,000 of them, twice per
    # publish). Assigned after validation, because validating the content would run each
    # indicator's normalising validator again, even on constructed instances.
    content.indicators = [
        IndicatorIn.model_construct(
            type=i.type,
            value=i.value,
            comment=i.comment,
            first_seen=i.first_seen,
            valid_until=i.valid_until,
            context=i.context,
        )
        for i in alert.indicators
        if i.withdrawn_at is None
    ]
    return content


def snapshot(alert: Alert) -> dict[str, Any]:
    """The document kept in a revision: the content and the lifecycle fields."""
    document = content_of(alert).model_dump(mode="json")
    document["status"] = alert.status.value
    if alert.exercise:
        document["exercise"] = True
    document["indicators"] = [
        {"id": str(i.id), **item}
        for i, item in zip(
            [i for i in alert.indicators if i.withdrawn_at is None],
            document["indicators"],
            strict=True,
        )
    ]
    return document
