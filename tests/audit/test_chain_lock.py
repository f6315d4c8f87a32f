"""Records are linked into the chain when their transaction commits: a long transaction
(a member's large alert, recorded first) must not hold the chain, which every audited
action of every other member needs, for the rest of its work."""

from __future__ import annotations

import uuid
from itertools import pairwise

import psycopg
from sqlalchemy import func, select

from tocsin.audit.models import AuditConcern, AuditRecord
from tocsin.audit.service import _CHAIN_LOCK, SYSTEM, Actor, record


def _chain_is_free(session, database_url: str) -> bool:
    """Whether another connection could append to the chain right now."""
    if database_url.startswith("sqlite"):  # the chain needs the one write lock
        raw = session.connection().connection.dbapi_connection
        return not raw.in_transaction
    url = database_url.replace("postgresql+psycopg", "postgresql")
    with psycopg.connect(url, autocommit=True) as other:
        taken = other.execute("SELECT pg_try_advisory_lock(%s)", (_CHAIN_LOCK,)).fetchone()
        other.execute("SELECT pg_advisory_unlock_all()")
        return bool(taken and taken[0])


def test_a_record_holds_nothing_until_its_transaction_commits(state, database_url, clock):
    org = uuid.uuid4()
    with state.sessions() as session:
        for n in range(3):
            record(session=session, actor=Actor(org_id=org), action="probe.step",
                   target_type="probe", target_id=f"p{n}", at=clock.now())  # fmt: skip
        assert _chain_is_free(session, database_url)
        session.commit()
    with state.sessions() as session:
        stored = session.scalars(
            select(AuditRecord).where(AuditRecord.action == "probe.step").order_by(AuditRecord.seq)
        ).all()
        assert [r.target_id for r in stored] == ["p0", "p1", "p2"]
        assert all(b.prev_digest == a.digest for a, b in pairwise(stored))
        concerns = session.scalar(
            select(func.count()).select_from(AuditConcern).where(AuditConcern.org_id == org)
        )
        assert concerns == 3


def test_a_rolled_back_transaction_leaves_no_record_and_the_next_one_links(state, clock):
    with state.sessions() as session:
        record(session=session, actor=SYSTEM, action="probe.lost", target_type="probe",
               target_id="lost", at=clock.now())  # fmt: skip
        session.rollback()
        record(session=session, actor=SYSTEM, action="probe.kept", target_type="probe",
               target_id="kept", at=clock.now())  # fmt: skip
        session.commit()
    with state.sessions() as session:
        actions = session.scalars(
            select(AuditRecord.action).where(AuditRecord.target_type == "probe")
        ).all()
    assert "probe.lost" not in actions and "probe.kept" in actions
