"""Posture of an establishment: items, answers, score and sign-off. Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin.audit.service import Actor
from tocsin.audit.service import record as audit
from tocsin.errors import Conflict, Forbidden, NotFound
from tocsin.network import service as network_service
from tocsin.network.models import OrgKind, Role
from tocsin.network.principal import Principal
from tocsin.posture import score as scoring
from tocsin.posture.defaults import DEFAULT_ITEMS
from tocsin.posture.models import PostureAnswer, PostureItem, PostureSignoff
from tocsin.posture.schemas import AnswerIn, ItemIn, ItemPatch
from tocsin.sharing.rules import Network, is_relay_of


@dataclass(frozen=True)
class Posture:
    organisation_id: uuid.UUID
    lines: list[tuple[PostureItem, PostureAnswer | None, bool]]  # item, answer, stale
    score: int
    last_signoff: PostureSignoff | None


def ensure_default_items(*, session: Session, now: datetime) -> None:
    """Seed the default checklist the first time it is needed (the items are data)."""
    if session.scalar(select(PostureItem.id).limit(1)) is not None:
        return
    for position, item in enumerate(DEFAULT_ITEMS):
        session.add(
            PostureItem(
                key=item.key,
                domain=item.domain,
                title_fr=item.title_fr,
                title_en=item.title_en,
                weight=item.weight,
                max_age_days=item.max_age_days,
                position=position * 10,
                active=True,
                updated_at=now,
            )
        )
    session.flush()


def list_items(
    *, session: Session, now: datetime, include_inactive: bool = False
) -> list[PostureItem]:
    """The checklist in display order."""
    ensure_default_items(session=session, now=now)
    query = select(PostureItem).order_by(PostureItem.position, PostureItem.key)
    if not include_inactive:
        query = query.where(PostureItem.active.is_(True))
    return list(session.scalars(query))


def get_item(*, session: Session, key: str, now: datetime) -> PostureItem:
    ensure_default_items(session=session, now=now)
    item = session.scalar(select(PostureItem).where(PostureItem.key == key))
    if item is None:
        raise NotFound("no such checklist item")
    return item


def require_national_editor(principal: Principal) -> None:
    """Only the national CERT edits the checklist itself."""
    principal.require_writer()
    if principal.org_kind != OrgKind.national.value:
        raise Forbidden("only the national CERT edits the checklist")


def create_item(*, session: Session, body: ItemIn, by: Actor, now: datetime) -> PostureItem:
    """Add an item to the checklist of every establishment."""
    ensure_default_items(session=session, now=now)
    if session.scalar(select(PostureItem.id).where(PostureItem.key == body.key)):
        raise Conflict(f"an item with key {body.key!r} exists")
    item = PostureItem(**body.model_dump(), active=True, updated_at=now)
    session.add(item)
    session.flush()
    audit(
        session=session,
        actor=by,
        action="posture.item_create",
        target_type="posture_item",
        target_id=item.id,
        at=now,
        details={"key": item.key},
    )
    return item


def edit_item(
    *, session: Session, key: str, patch: ItemPatch, by: Actor, now: datetime
) -> PostureItem:
    """Change an item's wording, weight, domain or validity; retire it with active=false."""
    item = get_item(session=session, key=key, now=now)
    changes = patch.model_dump(exclude_unset=True)
    for name, value in changes.items():
        setattr(item, name, value)
    item.updated_at = now
    session.flush()
    audit(
        session=session,
        actor=by,
        action="posture.item_edit",
        target_type="posture_item",
        target_id=item.id,
        at=now,
        details={"key": key, "fields": sorted(changes)},
    )
    return item


def require_reader(principal: Principal, org_id: uuid.UUID, network: Network) -> None:
    """The establishment itself and its relays read its posture; others see nothing."""
    if principal.org_id != org_id and not is_relay_of(principal.org_id, org_id, network):
        raise NotFound("no such organisation")


def posture_of(*, session: Session, org_id: uuid.UUID, now: datetime) -> Posture:
    """Every active item with this organisation's answer, the score and the last sign-off."""
    items = list_items(session=session, now=now)
    answers = {
        a.item_id: a
        for a in session.scalars(
            select(PostureAnswer).where(PostureAnswer.organisation_id == org_id)
        )
    }
    lines = []
    score_lines = []
    for item in items:
        answer = answers.get(item.id)
        line = scoring.Line(
            item.weight,
            answer.status if answer else None,
            answer.evidenced_on if answer else None,
            item.max_age_days,
        )
        score_lines.append(line)
        lines.append((item, answer, scoring.is_stale(line, now)))
    last = session.scalar(
        select(PostureSignoff)
        .where(PostureSignoff.organisation_id == org_id)
        .order_by(PostureSignoff.signed_at.desc())
        .limit(1)
    )
    return Posture(org_id, lines, scoring.score(score_lines, now), last)


def signoffs_of(*, session: Session, org_id: uuid.UUID, since: datetime) -> list[PostureSignoff]:
    """The organisation's sign-offs since a moment, oldest first: its score's history."""
    query = (
        select(PostureSignoff)
        .where(PostureSignoff.organisation_id == org_id, PostureSignoff.signed_at >= since)
        .order_by(PostureSignoff.signed_at, PostureSignoff.id)
    )
    return list(session.scalars(query))


def weakest(
    *, session: Session, org_ids: Iterable[uuid.UUID], now: datetime, limit: int
) -> list[tuple[uuid.UUID, str, int]]:
    """(id, name, score) of the establishments among `org_ids`, weakest first; a national
    perimeter is the whole country, so at most `limit` of them (by name) are scored."""
    orgs = network_service.establishments_among(session=session, org_ids=org_ids, limit=limit)
    scored = [(o.id, o.name, posture_of(session=session, org_id=o.id, now=now).score)
              for o in orgs]  # fmt: skip
    return sorted(scored, key=lambda row: (row[2], row[1]))


def answer(
    *, session: Session, org_id: uuid.UUID, key: str, body: AnswerIn, by: Actor, now: datetime
) -> PostureAnswer:
    """Record where the establishment stands on one item (status, evidence, date, who)."""
    item = get_item(session=session, key=key, now=now)
    row = session.scalar(
        select(PostureAnswer).where(
            PostureAnswer.organisation_id == org_id, PostureAnswer.item_id == item.id
        )
    )
    if row is None:
        row = PostureAnswer(organisation_id=org_id, item_id=item.id)
        session.add(row)
    row.status = body.status
    row.evidence = body.evidence
    row.evidenced_on = body.evidenced_on
    row.updated_by = by.user_id
    row.updated_at = now
    session.flush()
    audit(
        session=session,
        actor=by,
        action="posture.answer",
        target_type="organisation",
        target_id=org_id,
        at=now,
        concerns=[org_id],
        details={"item": key, "status": body.status.value},
    )
    return row


def sign_off(
    *, session: Session, principal: Principal, org_id: uuid.UUID, note: str, now: datetime
) -> PostureSignoff:
    """The director signs the checklist as it stands; the score is kept with the signature."""
    if principal.org_id != org_id:
        raise NotFound("no such organisation")
    principal.require_role(Role.director)
    if principal.is_integration:
        raise Forbidden("a director signs, not an integration")
    current = posture_of(session=session, org_id=org_id, now=now)
    row = PostureSignoff(
        organisation_id=org_id,
        signed_by=principal.user_id,
        signed_at=now,
        score=current.score,
        note=note,
    )
    session.add(row)
    session.flush()
    audit(
        session=session,
        actor=principal.actor,
        action="posture.sign_off",
        target_type="organisation",
        target_id=org_id,
        at=now,
        concerns=[org_id],
        details={"score": current.score},
    )
    return row
