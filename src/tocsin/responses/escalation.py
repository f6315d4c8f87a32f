"""Escalation of silence, the job: a periodic tick plans timers, claims the due ones and
tells people (who and what: `escalation_rules`).

Each tick, in one transaction: (1) plan the next pending timer of every unmet obligation
of a live alert's recipient (derived from the responses and the settings, so a restart or
a changed setting needs nothing special); (2) claim pending rows whose `due_at` has passed,
moving them to `fired` (SKIP LOCKED on PostgreSQL, and a conditional UPDATE everywhere,
so two nodes never fire one row twice); (3) record and audit them. After the commit, the
e-mails and live events go out: the database says what happened, even if a mail fails.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from typing import Any

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from tocsin.alerts.models import Alert
from tocsin.alerts.vocab import Severity, Status
from tocsin.audit.service import SYSTEM
from tocsin.audit.service import record as audit
from tocsin.clock import as_utc
from tocsin.db import transaction
from tocsin.delivery.letters import Envelope, Reader, compose, message_id, reader_language
from tocsin.delivery.notify import Notice as DeliveryNotice
from tocsin.delivery.notify import write_notice
from tocsin.jobs import Job
from tocsin.mailer import Mailer, MemoryMailer
from tocsin.network import service as network_service
from tocsin.network.models import Membership, Role, User
from tocsin.responses import escalation_rules as rules
from tocsin.responses.deadlines import DeadlinePolicy, Obligation, Stage, due_at, own_due_at
from tocsin.responses.escalation_sms import queue_texts
from tocsin.responses.models import AlertResponse, Escalation, EscalationStatus
from tocsin.responses.service import obligation_met, policy_from
from tocsin.state import AppState

log = logging.getLogger(__name__)

TICK_SECONDS = 30.0
BATCH = 500
MAX_ROUNDS = 20
LIVE = (Status.published, Status.updated)
DIGEST_NAMESPACE = uuid.UUID("3c0e7f52-9a41-5b6d-8e2f-7a1b9c4d0e63")


@dataclass
class Notice:
    """What to send once an escalation is committed."""

    escalation_id: uuid.UUID
    alert_id: uuid.UUID
    org_id: uuid.UUID
    silence: rules.Silence | None = None
    people: list[str] = field(default_factory=list)  # mailboxes told
    live: DeliveryNotice | None = None  # for the outbox: live stream and webhooks of `told`
    record: dict[str, Any] = field(default_factory=dict)  # what the audit trail keeps
    notified_orgs: list[str] = field(default_factory=list)
    notified_emails: list[str] = field(default_factory=list)


def _unmet(obligation: Obligation) -> Any:
    if obligation is Obligation.acknowledge:
        return AlertResponse.acknowledged_at.is_(None)
    return and_(AlertResponse.last_update_at.is_(None), AlertResponse.closed_at.is_(None))


@dataclass(frozen=True)
class _Unmet:
    alert_id: uuid.UUID
    org_id: uuid.UUID
    reached_at: datetime
    severity: Severity
    stage: Stage
    own_minutes: int | None = None  # the alert's own deadline to acknowledge (an exercise's)


def _to_plan(session: Session, policy: DeadlinePolicy, obligation: Obligation) -> list[_Unmet]:
    """Unmet obligations with a deadline, no pending timer and fewer than two stages fired."""
    with_deadline = [s for s in Severity if policy.duration(obligation, s) is not None]
    has_deadline: ColumnElement[bool] = Alert.severity.in_(with_deadline)
    if obligation is Obligation.acknowledge:
        has_deadline = or_(has_deadline, Alert.acknowledge_minutes.is_not(None))
    other = aliased(Escalation)
    same = and_(
        other.alert_id == AlertResponse.alert_id,
        other.org_id == AlertResponse.org_id,
        other.obligation == obligation,
    )
    fired_stage_1 = exists().where(same, other.stage == int(Stage.director))
    query = (
        select(
            AlertResponse.alert_id, AlertResponse.org_id, AlertResponse.reached_at,
            Alert.severity, fired_stage_1, Alert.acknowledge_minutes,
        )
        .join(Alert, Alert.id == AlertResponse.alert_id)
        .where(AlertResponse.recipient.is_(True), Alert.status.in_(LIVE), _unmet(obligation))
        .where(has_deadline)
        .where(~exists().where(same, other.status == EscalationStatus.pending))
        .where(~exists().where(same, other.stage == int(Stage.relays)))
    )  # fmt: skip
    return [
        _Unmet(
            alert_id,
            org_id,
            reached,
            severity,
            Stage.relays if fired else Stage.director,
            own if obligation is Obligation.acknowledge else None,
        )
        for alert_id, org_id, reached, severity, fired, own in session.execute(query)
    ]


def plan(*, session: Session, policy: DeadlinePolicy) -> int:
    """Create the next pending timer of every unmet obligation; returns how many."""
    values: list[dict[str, Any]] = []
    for obligation in Obligation:
        for item in _to_plan(session, policy, obligation):
            due = (
                own_due_at(item.own_minutes, item.stage, as_utc(item.reached_at))
                if item.own_minutes
                else due_at(policy, obligation, item.stage, item.severity, item.reached_at)
            )
            if due is None:
                continue
            values.append(
                {"id": uuid.uuid4(), "alert_id": item.alert_id, "org_id": item.org_id,
                 "obligation": obligation, "stage": int(item.stage), "due_at": due,
                 "status": EscalationStatus.pending, "notified_orgs": [], "notified_emails": []}
            )  # fmt: skip
    if values:
        dialect = session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        # Another node may plan the same timer at the same moment: the unique key decides.
        session.execute(insert(Escalation).on_conflict_do_nothing(), values)
    return len(values)


def claim_due(*, session: Session, now: datetime, limit: int = BATCH) -> list[Escalation]:
    """Move due pending rows to fired; only rows this transaction moved are returned."""
    query = (
        select(Escalation.id)
        .where(Escalation.status == EscalationStatus.pending, Escalation.due_at <= now)
        .order_by(Escalation.due_at)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    due = list(session.scalars(query))
    if not due:
        return []
    # The status condition is the claim: a row another node moved first is not returned.
    moved = session.scalars(
        update(Escalation)
        .where(Escalation.id.in_(due), Escalation.status == EscalationStatus.pending)
        .values(status=EscalationStatus.fired, fired_at=now)
        .returning(Escalation.id)
        .execution_options(synchronize_session=False)
    ).all()
    rows = session.scalars(
        select(Escalation).where(Escalation.id.in_(moved)).execution_options(populate_existing=True)
    )
    return sorted(rows, key=lambda r: (r.due_at, str(r.id)))


class _Lookups:
    """What firing a batch needs to know, each asked of the database once per batch."""

    def __init__(self, session: Session, claimed: list[Escalation]) -> None:
        self.network = network_service.load_network(session=session)
        alert_ids = {e.alert_id for e in claimed}
        self.alerts = {
            a.id: a for a in session.scalars(select(Alert).where(Alert.id.in_(alert_ids)))
        }
        responses = session.scalars(
            select(AlertResponse).where(AlertResponse.alert_id.in_(alert_ids))
        )
        self.responses = {(r.alert_id, r.org_id): r for r in responses}
        silent = {e.org_id for e in claimed}
        everyone = silent | {r for o in silent for r in self.network.escalation_relays(o)}
        self.names = network_service.names_of(session=session, org_ids=silent)
        self._emails: dict[tuple[uuid.UUID, Role], set[str]] = {}
        self.languages: dict[str, str | None] = {}
        for org_id, role, email, language in _people(session, everyone):
            self._emails.setdefault((org_id, role), set()).add(email)
            self.languages[email] = language

    def people(self, org_ids: list[uuid.UUID], stage: Stage) -> list[str]:
        """The mailboxes told at this stage in these organisations."""
        roles = rules.roles_told(stage)
        return sorted({e for o in org_ids for r in roles for e in self._emails.get((o, r), ())})

    def still_due(self, escalation: Escalation) -> bool:
        response = self.responses.get((escalation.alert_id, escalation.org_id))
        alert = self.alerts.get(escalation.alert_id)
        return (
            response is not None
            and response.recipient
            and alert is not None
            and alert.status in LIVE
            and not obligation_met(response, escalation.obligation)
        )


def _fire(lookups: _Lookups, escalation: Escalation) -> Notice:
    """Decide who is told, keep it in the row, audit it; return what to send after commit."""
    alert = lookups.alerts[escalation.alert_id]
    name = lookups.names.get(escalation.org_id)
    notice = Notice(escalation.id, escalation.alert_id, escalation.org_id)
    if name is None:
        return notice
    stage = Stage(escalation.stage)
    silence = rules.Silence(
        alert_id=alert.id, title=alert.title, severity=alert.severity.value, tlp=alert.tlp,
        organisation=name, obligation=escalation.obligation, due_at=escalation.due_at,
        exercise=alert.exercise,
    )  # fmt: skip
    told = rules.told(stage, escalation.org_id, lookups.network)
    emails = lookups.people(told, stage)
    notice.notified_orgs, notice.notified_emails = [str(o) for o in told], emails
    notice.silence, notice.people = silence, emails
    payload: dict[str, Any] = {
        "escalation_id": str(escalation.id), "alert_id": str(alert.id),
        "organisation_id": str(escalation.org_id), "obligation": escalation.obligation.value,
        "stage": stage.name, "due_at": escalation.due_at.isoformat(),
    }  # fmt: skip
    if alert.exercise:
        payload["exercise"] = True
    notice.live = DeliveryNotice(
        kind="escalation", subject=rules.subject(silence), text=rules.text(silence),
        link=f"/alerts/{alert.id}", severity=alert.severity.value, details=payload,
    )  # fmt: skip
    notice.record = {**payload, "notified_orgs": notice.notified_orgs, "emails": len(emails)}
    return notice


def _audit(session: Session, lookups: _Lookups, notices: list[Notice], now: datetime) -> None:
    """One audit record per alert and round, listing each escalation (a national alert
    ignored by thousands must not mean thousands of serialised appends to the chain)."""
    by_alert: dict[uuid.UUID, list[Notice]] = {}
    for notice in notices:
        by_alert.setdefault(notice.alert_id, []).append(notice)
    for alert_id, fired in by_alert.items():
        told = {uuid.UUID(o) for n in fired for o in n.record.get("notified_orgs", [])}
        audit(
            session=session, actor=SYSTEM, action="response.escalate", target_type="alert",
            target_id=alert_id, at=now,
            concerns=[lookups.alerts[alert_id].source_org_id, *{n.org_id for n in fired}, *told],
            details={"escalations": [n.record for n in fired]},
        )  # fmt: skip


def _round(state: AppState) -> tuple[int, list[Notice]]:
    """Plan, claim and record in one transaction; then send. Returns (claimed, fired)."""
    settings = state.settings
    notices: list[Notice] = []
    with transaction(state.sessions) as session:
        plan(session=session, policy=policy_from(settings))
        claimed = claim_due(session=session, now=state.clock.now())
        lookups = _Lookups(session, claimed)
        for escalation in claimed:
            if not lookups.still_due(escalation):
                session.delete(escalation)  # a stale timer: the obligation was met meanwhile
                continue
            notices.append(_fire(lookups, escalation))
        if notices:  # one executemany rather than one UPDATE per row
            session.execute(
                update(Escalation),
                [{"id": n.escalation_id, "notified_orgs": n.notified_orgs,
                  "notified_emails": n.notified_emails} for n in notices],
            )  # fmt: skip
        _audit(session, lookups, notices, state.clock.now())
        _queue_live(session, notices, state.clock.now())
        queue_texts(session=session, fired=notices, now=state.clock.now())
        letters = _digests(state, lookups.languages, notices)
    _send(state, letters)
    return len(claimed), notices


def run_once(state: AppState) -> list[Notice]:
    """One round of at most BATCH escalations; returns those fired."""
    return _round(state)[1]


async def _mail_all(mailer: Mailer, messages: list[EmailMessage]) -> None:
    for message in messages:
        try:
            await mailer.send(message)
        except Exception:  # the escalation is recorded; a lost e-mail must not undo it
            log.exception("escalation digest to %s: e-mail failed", message["To"])


def _people(
    session: Session, org_ids: set[uuid.UUID]
) -> list[tuple[uuid.UUID, Role, str, str | None]]:
    """(organisation, role, e-mail, language) of the active directors and security officers."""
    if not org_ids:
        return []
    rows = session.execute(
        select(Membership.organisation_id, Membership.role, User.email, User.language)
        .join(User, User.id == Membership.user_id)
        .where(Membership.organisation_id.in_(org_ids), User.active.is_(True))
        .where(Membership.role.in_([Role.director, Role.security_officer]))
    )
    return [(org, role, email, language) for org, role, email, language in rows]


def _digests(
    state: AppState, languages: dict[str, str | None], notices: list[Notice]
) -> list[EmailMessage]:
    """One message per person and alert of this round, listing every silent organisation."""
    settings, now = state.settings, state.clock.now()
    grouped: dict[tuple[uuid.UUID, str], list[Notice]] = {}
    for notice in notices:
        for person in notice.people:
            grouped.setdefault((notice.alert_id, person), []).append(notice)
    messages = []
    for (alert_id, person), about in sorted(grouped.items(), key=lambda i: (str(i[0][0]), i[0][1])):
        reader = Reader(
            language=reader_language(languages.get(person), settings.language),
            zone=settings.time_zone, public_url=settings.public_url,
        )  # fmt: skip
        letter = rules.digest_letter([n.silence for n in about if n.silence], reader)
        ids = ",".join(sorted(str(n.escalation_id) for n in about))
        event = uuid.uuid5(DIGEST_NAMESPACE, f"{alert_id}:{person}:{ids}")
        envelope = Envelope(to=person, sender=settings.mail_from, date=now,
                            message_id=message_id(str(event), settings.public_url))  # fmt: skip
        messages.append(compose(letter, envelope))
    return messages


def _queue_live(session: Session, notices: list[Notice], now: datetime) -> None:
    """Live stream and webhooks go through the outbox, in the escalation's transaction, so
    every node's streams get them and a reconnecting client replays them."""
    for notice in notices:
        if notice.live is not None:
            told = [uuid.UUID(o) for o in notice.notified_orgs]
            write_notice(session=session, notice=notice.live, recipients=told, now=now,
                         by_email=False)  # fmt: skip


def _send(state: AppState, messages: list[EmailMessage]) -> None:
    """The digests to named people (directors, then relays), after commit."""
    mailer: Mailer = state.mailer or MemoryMailer()
    if messages:
        asyncio.run(_mail_all(mailer, messages))  # ticks run in a worker thread, off the loop


def tick(state: AppState) -> None:
    """The scheduler's entry point: batches of BATCH until the backlog is done (bounded)."""
    for _ in range(MAX_ROUNDS):
        claimed, _ = _round(state)
        if claimed < BATCH:
            return


def job() -> Job:
    return Job(name="responses.escalation", every_seconds=TICK_SECONDS, tick=tick)
