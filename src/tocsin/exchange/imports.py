"""The import service shared by STIX and MISP: plans become drafts, all or nothing.

A parser turns a document into `DraftPlan`s (the content of each draft and what to keep
attached); this module checks every plan, chooses a scope the importer may use, and stores
the drafts in the caller's transaction. Exports go through here too, behind the TLP rule.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ValidationError
from sqlalchemy import delete
from sqlalchemy.orm import Session

from tocsin.alerts import reads
from tocsin.alerts.models import Alert
from tocsin.alerts.schemas import MAX_INDICATORS, AlertContent, AlertPatch, IndicatorIn
from tocsin.audit.service import Actor
from tocsin.audit.service import record as audit
from tocsin.errors import FieldError, Forbidden, InvalidInput
from tocsin.interop.exchange_models import AlertAttachment
from tocsin.publication import service
from tocsin.publication.opening import open_alert
from tocsin.sharing.rules import Network, ScopeKind
from tocsin.sharing.tlp import TLP

Format = Literal["stix", "misp"]


@dataclass(frozen=True)
class Attachment:
    kind: str
    stix_id: str | None
    document: dict[str, Any]


@dataclass
class DraftPlan:
    """One draft to create: its content (without scope) and what to keep attached."""

    label: str  # names the report or event in error messages, e.g. "objects[0] report--..."
    content: dict[str, Any]
    origin_id: str | None = None
    attachments: list[Attachment] = field(default_factory=list)


class DraftOut(BaseModel):
    id: uuid.UUID | None
    title: str
    tlp: TLP
    indicators: int
    attack_steps: int
    countermeasures: int
    attachments: int


class ImportReport(BaseModel):
    format: Format
    dry_run: bool
    drafts: list[DraftOut]


def detect_format(document: Any) -> Format:
    """STIX bundle or MISP event; anything else is refused."""
    if isinstance(document, dict) and document.get("type") == "bundle":
        return "stix"
    if isinstance(document, dict) and (
        isinstance(document.get("Event"), dict) or {"info", "Attribute"} <= document.keys()
    ):
        return "misp"
    raise InvalidInput.one(
        "body", "neither a STIX 2.1 bundle (type: bundle) nor a MISP event ({Event: {...}})"
    )


def plans_of(document: Any) -> tuple[Format, list[DraftPlan]]:
    """Parse a document into draft plans; InvalidInput lists every failing object."""
    # Imported here, and each only when needed: PyMISP takes seconds to import.
    kind = detect_format(document)
    if kind == "stix":
        from tocsin.exchange import stix_import

        return kind, stix_import.plan_bundle(document)
    from tocsin.exchange import misp_import

    return kind, [misp_import.plan_event(document)]


def default_scope(org_id: uuid.UUID, tlp: TLP, network: Network) -> dict[str, Any]:
    """The narrowest scope the importer may use; the author widens it before publishing."""
    if tlp is TLP.red:
        return {"kind": ScopeKind.explicit.value, "organisations": [str(org_id)]}
    for kind in (ScopeKind.group, ScopeKind.region, ScopeKind.national):
        if network.default_area(org_id, kind) is not None:
            return {"kind": kind.value}
    return {"kind": ScopeKind.explicit.value, "organisations": [str(org_id)]}


def checked_content(plan: DraftPlan, org_id: uuid.UUID, network: Network) -> AlertContent:
    """The plan's content as a valid alert, or InvalidInput naming the report or event.

    Indicators arrive as IndicatorIn instances, already normalised one by one (to name the
    failing object); they are merged here rather than validated again, which would normalise
    every value a second time (the bulk of an import's time).
    """
    tlp = TLP(plan.content.get("tlp", TLP.amber.value))
    scope = default_scope(org_id, tlp, network)
    indicators: list[IndicatorIn] = plan.content.get("indicators", [])
    if len(indicators) > MAX_INDICATORS:
        raise InvalidInput.one(plan.label, f"more than {MAX_INDICATORS} indicators")
    try:
        content = AlertContent.model_validate(plan.content | {"scope": scope, "indicators": []})
    except ValidationError as exc:
        raise InvalidInput(
            [
                FieldError(plan.label, f"{'.'.join(map(str, e['loc']))}: {e['msg']}")
                for e in exc.errors()
            ]
        ) from None
    content.indicators = AlertContent._merge_duplicates(indicators)
    return content


def _summary(content: AlertContent, alert_id: uuid.UUID | None, plan: DraftPlan) -> DraftOut:
    return DraftOut(
        id=alert_id,
        title=content.title,
        tlp=content.tlp,
        indicators=len(content.indicators),
        attack_steps=len(content.attack_steps),
        countermeasures=len(content.countermeasures),
        attachments=len(plan.attachments),
    )


def attach(
    session: Session, alert: Alert, plan: DraftPlan, now: datetime, *, replace: bool = False
) -> None:
    """Store the plan's origin and kept objects with the draft."""
    if replace:
        session.execute(delete(AlertAttachment).where(AlertAttachment.alert_id == alert.id))
    rows = [Attachment("origin", plan.origin_id, {})] if plan.origin_id else []
    rows += plan.attachments
    session.add_all(
        AlertAttachment(
            alert_id=alert.id, position=n, kind=a.kind, stix_id=a.stix_id,
            document=a.document, created_at=now,
        )
        for n, a in enumerate(rows)
    )  # fmt: skip


def store_plan(
    *, session: Session, plan: DraftPlan, content: AlertContent, org_id: uuid.UUID, by: Actor,
    network: Network, now: datetime, kind: Format, replacing: Alert | None = None,
) -> Alert:  # fmt: skip
    """Create the draft of one plan (or rewrite `replacing`, a draft), with its attachments."""
    if replacing is not None:
        patch = AlertPatch.model_validate(content.model_dump())
        alert = service.update(
            session=session, alert_id=replacing.id, patch=patch, org_id=org_id, by=by,
            network=network, now=now,
        )  # fmt: skip
    else:
        alert = service.create_draft(
            session=session, content=content, source_org_id=org_id, by=by, network=network,
            now=now,
        )  # fmt: skip
    attach(session, alert, plan, now, replace=replacing is not None)
    audit(
        session=session, actor=by, action="alert.import", target_type="alert",
        target_id=alert.id, at=now, concerns=[org_id],
        details={"format": kind, "origin": plan.origin_id, "attachments": len(plan.attachments)},
    )  # fmt: skip
    return alert


def import_document(
    *, session: Session, document: Any, org_id: uuid.UUID, by: Actor, network: Network,
    now: datetime, dry_run: bool = False,
) -> ImportReport:  # fmt: skip
    """Drafts from a STIX bundle or a MISP event: every plan is checked before any is stored."""
    kind, plans = plans_of(document)
    contents = [checked_content(plan, org_id, network) for plan in plans]
    drafts = []
    for plan, content in zip(plans, contents, strict=True):
        alert_id = None
        if not dry_run:
            alert_id = store_plan(
                session=session, plan=plan, content=content, org_id=org_id, by=by,
                network=network, now=now, kind=kind,
            ).id  # fmt: skip
        drafts.append(_summary(content, alert_id, plan))
    return ImportReport(format=kind, dry_run=dry_run, drafts=drafts)


def export_alert(
    *, session: Session, alert_id: uuid.UUID, viewer_id: uuid.UUID, by: Actor, network: Network,
    now: datetime, format: str, door: str,
) -> dict[str, Any]:  # fmt: skip
    """One alert as a STIX bundle or a MISP event, for a viewer that may read it.

    Exports feed tools that re-share: AMBER+STRICT and RED go to their source only.
    """
    from tocsin.interop import stix

    visible = reads.get_visible(
        session=session, alert_id=alert_id, viewer_id=viewer_id, network=network
    )
    if not visible.tlp.in_resharing_feeds and viewer_id != visible.source_org_id:
        raise Forbidden(f"{visible.tlp.label} alerts are not exported for re-sharing")
    alert = open_alert(session=session, alert_id=alert_id, viewer_id=viewer_id, by=by,
                       network=network, now=now, door=door)  # fmt: skip
    if format == "misp":
        from tocsin.interop import misp

        return misp.alert_to_event(
            session=session, alert=alert, viewer_id=viewer_id, network=network
        )
    return stix.alert_to_bundle(session=session, alert=alert, viewer_id=viewer_id, network=network)
