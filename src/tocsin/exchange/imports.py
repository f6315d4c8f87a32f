"""The import service shared by STIX and MISP: plans become drafts, the valid part of a file.

A parser turns a document into `DraftPlan`s (the content of each draft and what to keep
attached) and the objects it refused, each with its reason; this module checks every plan,
chooses a scope the importer may use, and stores the drafts in the caller's transaction.
Real peers send files with a few bad values: the rest is imported and each refusal reported;
`strict` makes the import all or nothing. Exports go through here too, behind the TLP rule.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tocsin.alerts import reads
from tocsin.alerts.models import Alert
from tocsin.alerts.schemas import MAX_INDICATORS, AlertContent, AlertPatch, IndicatorIn
from tocsin.alerts.vocab import Status
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
    follows: uuid.UUID | None = Field(
        None,
        description="the live alert imported earlier from the same report or event: this "
        "draft is its newer version, to review and publish as an update",
    )


class Refusal(BaseModel):
    object: str = Field(description="the refused object, e.g. objects[4] indicator--...")
    reason: str


class ImportReport(BaseModel):
    format: Format
    dry_run: bool
    drafts: list[DraftOut]
    refused: list[Refusal] = Field(
        default_factory=list, description="objects left out, each with the reason"
    )


@dataclass
class Parsed:
    """What a parser read from a document: the drafts to create and what it refused."""

    format: Format
    plans: list[DraftPlan]
    refused: list[FieldError] = field(default_factory=list)


def _is_stix_object(document: dict[str, Any]) -> bool:
    kind = document.get("type")
    return isinstance(kind, str) and str(document.get("id", "")).startswith(f"{kind}--")


def _is_misp_event(document: dict[str, Any]) -> bool:
    """A MISP event, wrapped ({"Event": ...}) or bare, as PyMISP's MISPEvent.load reads it."""
    if isinstance(document.get("Event"), dict):
        return True
    return isinstance(document.get("info"), str) and "type" not in document


def detect_format(document: Any) -> Format:
    """STIX (a bundle or one lone object) or MISP (an event); anything else is refused."""
    if isinstance(document, dict) and (
        document.get("type") == "bundle" or _is_stix_object(document)
    ):
        return "stix"
    if isinstance(document, dict) and _is_misp_event(document):
        return "misp"
    raise InvalidInput.one(
        "body", "neither a STIX 2.1 bundle or object (type, id) nor a MISP event (Event or info)"
    )


def parse(document: Any) -> Parsed:
    """Parse a document into draft plans and per-object refusals.

    InvalidInput only when the document as a whole is unreadable (not STIX nor MISP, a bad
    bundle id, an event PyMISP cannot load).
    """
    # Imported here, and each only when needed: PyMISP takes seconds to import.
    kind = detect_format(document)
    if kind == "stix":
        from tocsin.exchange import stix_import

        plans, refused = stix_import.plan_bundle(stix_import.as_bundle(document))
        return Parsed(kind, plans, refused)
    from tocsin.exchange import misp_import

    plan, refused = misp_import.plan_event(document)
    return Parsed(kind, [plan], refused)


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


def _summary(
    content: AlertContent, alert_id: uuid.UUID | None, plan: DraftPlan, follows: Alert | None
) -> DraftOut:
    return DraftOut(
        follows=follows.id if follows is not None else None,
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
    follows: Alert | None = None,
) -> Alert:  # fmt: skip
    """Create the draft of one plan (or rewrite `replacing`, a draft), with its attachments;
    `follows`: the live alert it is a newer version of."""
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
        details={"format": kind, "origin": plan.origin_id, "attachments": len(plan.attachments),
                 "follows": str(follows.id) if follows is not None else None},
    )  # fmt: skip
    return alert


def _checked_plans(
    parsed: Parsed, org_id: uuid.UUID, network: Network
) -> list[tuple[DraftPlan, AlertContent]]:
    """The plans that make valid alerts; a plan that does not joins the refusals."""
    checked = []
    for plan in parsed.plans:
        try:
            checked.append((plan, checked_content(plan, org_id, network)))
        except InvalidInput as exc:
            parsed.refused += exc.errors
    return checked


def _imported_from(
    session: Session, origin_id: str, org_id: uuid.UUID, statuses: tuple[Status, ...]
) -> Alert | None:
    """The organisation's latest alert in one of `statuses` imported from this report or
    event, if any."""
    return session.scalar(
        select(Alert).join(AlertAttachment, AlertAttachment.alert_id == Alert.id)
        .where(AlertAttachment.kind == "origin", AlertAttachment.stix_id == origin_id,
               Alert.source_org_id == org_id, Alert.status.in_(statuses))
        .order_by(Alert.created_at.desc()).limit(1)
    )  # fmt: skip


def _earlier_version(
    session: Session, plan: DraftPlan, org_id: uuid.UUID
) -> tuple[Alert | None, Alert | None]:
    """(the draft to rewrite, the live alert the new draft follows) for a newer version of
    something imported before. A live alert is never changed by an import: its recipients
    get an update only once someone has reviewed it, so the newer version becomes a draft
    that names the alert it follows, and later versions rewrite that draft."""
    if not plan.origin_id:
        return None, None
    draft = _imported_from(session, plan.origin_id, org_id, (Status.draft,))
    if draft is not None:
        return draft, None
    return None, _imported_from(session, plan.origin_id, org_id, (Status.published, Status.updated))


def import_document(
    *, session: Session, document: Any, org_id: uuid.UUID, by: Actor, network: Network,
    now: datetime, dry_run: bool = False, strict: bool = False, update_drafts: bool = False,
) -> ImportReport:  # fmt: skip
    """Drafts from a STIX bundle or object or a MISP event, and the objects refused.

    Every plan is checked before any is stored. InvalidInput (nothing stored) when objects
    were refused and nothing is left to import, or when `strict` and anything was refused.
    `update_drafts` rewrites the organisation's draft from the same report or event, if one
    is still a draft, rather than adding another (a newer version of what was imported).
    """
    parsed = parse(document)
    checked = _checked_plans(parsed, org_id, network)
    if parsed.refused and (strict or not checked):
        raise InvalidInput(parsed.refused)
    drafts = []
    for plan, content in checked:
        alert_id, replacing, follows = None, None, None
        if update_drafts:
            replacing, follows = _earlier_version(session, plan, org_id)
        if not dry_run:
            alert_id = store_plan(
                session=session, plan=plan, content=content, org_id=org_id, by=by,
                network=network, now=now, kind=parsed.format, replacing=replacing,
                follows=follows,
            ).id  # fmt: skip
        drafts.append(_summary(content, alert_id, plan, follows))
    refused = [Refusal(object=e.field, reason=e.reason) for e in parsed.refused]
    return ImportReport(format=parsed.format, dry_run=dry_run, drafts=drafts, refused=refused)


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
