"""A member's large alert must not slow the others: on SQLite the first write of a
transaction takes the database's one write lock until the commit, so the work that grows
with the number of indicators and needs no database (warninglist matching, the revision's
snapshot, the STIX objects of the TAXII feed, the response body) is done before it or after
the commit, and what is written is written in as few statements as possible. Counted, not
timed: what runs between the first write of a transaction and its commit."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, select

from tests.alerts.factory import alert_body, publish
from tocsin.alerts import present, schemas
from tocsin.alerts import service as alerts
from tocsin.audit.models import AuditRecord
from tocsin.intel import warninglists
from tocsin.interop.taxii import alert_feed
from tocsin.interop.taxii.models import TaxiiAlertBacklog, TaxiiObject
from tocsin.network.models import ApiToken
from tocsin.network.secrets import token_digest

WRITES = ("INSERT", "UPDATE", "DELETE")
HEAVY = ("match", "snapshot", "stix", "answer")


@contextmanager
def work_while_writing(engine: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, int]]:
    """Calls of the pure heavy steps, counted apart while a transaction has written."""
    writing = {"now": False}
    counts = {f"{name}_{when}": 0 for name in HEAVY for when in ("before", "writing")}

    def saw(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        if sql.lstrip().upper().startswith(WRITES):
            writing["now"] = True

    def ended(_conn: Any) -> None:
        writing["now"] = False

    def counted(name: str, real: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            counts[f"{name}_{'writing' if writing['now'] else 'before'}"] += 1
            return real(*args, **kwargs)

        return call

    monkeypatch.setattr(warninglists.Warninglists, "match",
                        counted("match", warninglists.Warninglists.match))  # fmt: skip
    monkeypatch.setattr(alerts, "snapshot", counted("snapshot", alerts.snapshot))
    monkeypatch.setattr(alert_feed, "stix_objects_for_every_reader",
                        counted("stix", alert_feed.stix_objects_for_every_reader))  # fmt: skip
    monkeypatch.setattr(present, "alert_out", counted("answer", present.alert_out))
    hooks = (("before_cursor_execute", saw), ("commit", ended), ("rollback", ended))
    for name, hook in hooks:
        event.listen(engine, name, hook)
    try:
        yield counts
    finally:
        for name, hook in hooks:
            event.remove(engine, name, hook)


def _indicators(count: int) -> list[dict[str, str]]:
    return [{"type": "ipv4", "value": f"198.51.{n // 250}.{n % 250 + 1}"} for n in range(count)]


def test_creating_publishing_and_updating_match_and_snapshot_before_the_first_write(
    client, world, state, monkeypatch
):
    with work_while_writing(state.engine, monkeypatch) as counts:
        listed = {"type": "domain", "value": "google.com"}
        body = alert_body(tlp="green", indicators=[*_indicators(40), listed])
        created = client.post("/api/v1/alerts", json=body, headers=world.auth("E1"))
        assert created.status_code == 201, created.text
        alert_id = created.json()["id"]
        published = client.post(f"/api/v1/alerts/{alert_id}/publish", headers=world.auth("E1"))
        assert published.status_code == 200, published.text
        assert counts["snapshot_before"] == 1, counts  # the publish's revision
        assert counts["snapshot_writing"] == 0, counts
        changed = client.patch(f"/api/v1/alerts/{alert_id}", headers=world.auth("E1"),
                               json={"indicators": _indicators(45)})  # fmt: skip
        assert changed.status_code == 200, changed.text
    # Only what is new is matched, once: the draft's 41 at its creation, nothing at the
    # publish (indexed and flagged with the draft), the update's 5 new values.
    assert counts["match_before"] == 41 + 5, counts
    assert counts["match_writing"] == 0, counts


def test_a_token_used_by_a_request_is_stamped_when_the_request_commits(client, world, state, clock):
    stamped = []

    def saw(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        stamped.append(sql)

    event.listen(state.engine, "before_cursor_execute", saw)
    try:
        created = client.post("/api/v1/alerts", json=alert_body(), headers=world.auth("E1"))
    finally:
        event.remove(state.engine, "before_cursor_execute", saw)
    assert created.status_code == 201, created.text
    stamps = [n for n, sql in enumerate(stamped) if "UPDATE api_tokens SET last_used_at" in sql]
    alert_insert = next(n for n, sql in enumerate(stamped) if sql.startswith("INSERT INTO alerts"))
    assert len(stamps) == 1 and stamps[0] > alert_insert, stamped
    with state.sessions() as session:
        used = session.scalars(select(ApiToken.last_used_at)).all()
    assert clock.now() in used


def test_the_taxii_objects_and_the_answers_are_built_outside_a_written_transaction(
    client, world, state, monkeypatch
):
    with work_while_writing(state.engine, monkeypatch) as counts:
        body = alert_body(tlp="green", indicators=_indicators(30))
        created = client.post("/api/v1/alerts", json=body, headers=world.auth("E1"))
        assert created.status_code == 201, created.text
        alert_id = created.json()["id"]
        published = client.post(f"/api/v1/alerts/{alert_id}/publish", headers=world.auth("E1"))
        assert published.status_code == 200, published.text
        assert len(published.json()["indicators"]) == 30
    assert counts["stix_before"] == 1 and counts["stix_writing"] == 0, counts
    assert counts["answer_before"] == 2 and counts["answer_writing"] == 0, counts
    with state.sessions() as session:  # written at once, after the publish committed
        stored = session.scalars(
            select(TaxiiObject.stix_id).where(TaxiiObject.alert_id == uuid.UUID(alert_id))
        )
        assert sum(1 for i in stored if i.startswith("indicator--")) >= 30
        assert session.scalars(select(TaxiiAlertBacklog)).all() == []


def _statements(engine: Any) -> tuple[list[tuple[str, int]], Any]:
    seen: list[tuple[str, int]] = []

    def saw(_c: Any, _cur: Any, sql: str, params: Any, _ctx: Any, many: bool) -> None:
        seen.append((" ".join(sql.split()), len(params) if many else 1))

    event.listen(engine, "before_cursor_execute", saw)
    return seen, saw


def test_publishing_a_draft_reads_no_keys_again_and_sets_expiry_one_statement_per_type(
    client, world, state, clock
):
    mixed = [*_indicators(20), *({"type": "domain", "value": f"c2-{n}.example.org"}
                                 for n in range(20))]  # fmt: skip
    created = client.post("/api/v1/alerts", json=alert_body(tlp="green", indicators=mixed),
                          headers=world.auth("E1"))  # fmt: skip
    assert created.status_code == 201, created.text
    clock.advance(timedelta(minutes=5))
    seen, saw = _statements(state.engine)
    try:
        published = client.post(f"/api/v1/alerts/{created.json()['id']}/publish",
                                headers=world.auth("E1"))  # fmt: skip
    finally:
        event.remove(state.engine, "before_cursor_execute", saw)
    assert published.status_code == 200, published.text
    assert not [s for s, _ in seen if "FROM indicator_keys" in s and "indicator_id IN" in s]
    assert not [s for s, _ in seen if s.startswith("INSERT INTO indicator_keys")]
    expiry = [(s, n) for s, n in seen if s.startswith("UPDATE alert_indicators SET valid_until")]
    assert len(expiry) == 2 and all(n == 1 for _, n in expiry), expiry  # ipv4, domain
    until = {i["type"]: i["valid_until"] for i in published.json()["indicators"]}
    assert until["ipv4"] is not None and until["domain"] is not None, until


def test_taxii_objects_left_owed_by_a_failure_are_written_by_the_periodic_job(
    client, world, state, clock, monkeypatch
):
    real = alert_feed.publish_alert_objects

    def broken(**_kwargs: Any) -> int:
        raise RuntimeError("the writer after the commit failed")

    monkeypatch.setattr(alert_feed, "publish_alert_objects", broken)
    body = alert_body(tlp="green", indicators=_indicators(5))
    created = client.post("/api/v1/alerts", json=body, headers=world.auth("E1"))
    alert_id = created.json()["id"]
    published = client.post(f"/api/v1/alerts/{alert_id}/publish", headers=world.auth("E1"))
    assert published.status_code == 200, published.text  # the revision itself is stored
    monkeypatch.setattr(alert_feed, "publish_alert_objects", real)

    def stored() -> list[str]:
        with state.sessions() as session:
            query = select(TaxiiObject.stix_id).where(TaxiiObject.alert_id == uuid.UUID(alert_id))
            return list(session.scalars(query))

    assert stored() == []
    assert alert_feed.write_owed(state) == 0  # young: the writer after the commit may run
    clock.advance(timedelta(minutes=1))
    assert alert_feed.write_owed(state) == 1
    assert sum(1 for i in stored() if i.startswith("indicator--")) >= 5
    assert alert_feed.write_owed(state) == 0


def test_publishing_normalises_no_stored_indicator_again(client, world, monkeypatch):
    body = alert_body(tlp="green", indicators=_indicators(25))
    created = client.post("/api/v1/alerts", json=body, headers=world.auth("E1"))
    assert created.status_code == 201, created.text
    calls = []
    real = schemas.normalize

    def counted(*args: Any) -> str:
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(schemas, "normalize", counted)
    published = client.post(f"/api/v1/alerts/{created.json()['id']}/publish",
                            headers=world.auth("E1"))  # fmt: skip
    assert published.status_code == 200, published.text
    assert calls == []  # they were normalised on the way in


def test_reading_an_alert_already_received_writes_nothing(client, world, state, clock):
    """A recipient's second read of an alert needs no write, so on SQLite it never queues
    for the write lock behind a member's large alert; its first read marks it received."""
    published = publish(client, world, "E1", tlp="green", indicators=_indicators(3))
    clock.advance(timedelta(minutes=5))  # the token's once-a-minute stamp falls in the first
    reads = []
    for _ in range(2):
        seen, saw = _statements(state.engine)
        try:
            read = client.get(f"/api/v1/alerts/{published['id']}", headers=world.auth("E2"))
            listed = client.get("/api/v1/alerts", params={"limit": 5}, headers=world.auth("E2"))
        finally:
            event.remove(state.engine, "before_cursor_execute", saw)
        assert read.status_code == 200 and listed.status_code == 200, (read.text, listed.text)
        reads.append([s for s, _ in seen if s.startswith(WRITES)])
    assert any(s.startswith("UPDATE alert_responses SET received_at") for s in reads[0]), reads
    assert reads[1] == [], reads[1]


def test_every_read_of_a_red_alert_is_audited_even_when_already_received(
    client, world, state, clock
):
    e2 = world.ids["E2"]
    published = publish(client, world, "E1", tlp="red", indicators=_indicators(2),
                        scope={"kind": "explicit", "organisations": [str(e2)]})  # fmt: skip
    for _ in range(3):
        read = client.get(f"/api/v1/alerts/{published['id']}", headers=world.auth("E2"))
        assert read.status_code == 200, read.text
    with state.sessions() as session:
        records = session.scalars(
            select(AuditRecord).where(AuditRecord.action == "alert.read",
                                      AuditRecord.target_id == published["id"])
        ).all()  # fmt: skip
    assert len(records) == 3


def test_a_read_never_waits_for_the_write_lock_to_stamp_its_token(
    client, world, state, clock, database_url
):
    """While another transaction holds SQLite's write lock (a member's large alert), a read
    whose token is due its once-a-minute stamp answers at once and a later read stamps it.
    PostgreSQL has no database-wide write lock: there the read stamps its token itself."""
    published = publish(client, world, "E1", tlp="green")
    client.get(f"/api/v1/alerts/{published['id']}", headers=world.auth("E2"))  # received
    clock.advance(timedelta(minutes=5))

    def stamped() -> datetime | None:
        with state.sessions() as session:
            digest = token_digest(world.auth("E2")["Authorization"].removeprefix("Bearer "))
            return session.scalar(select(ApiToken.last_used_at).where(ApiToken.digest == digest))

    def read() -> None:
        # Had it queued for the lock, it would have answered 503 after the busy timeout.
        answer = client.get(f"/api/v1/alerts/{published['id']}", headers=world.auth("E2"))
        assert answer.status_code == 200, answer.text

    if database_url.startswith("sqlite"):
        holder = sqlite3.connect(database_url.split("///", 1)[1], timeout=0)
        holder.execute("BEGIN IMMEDIATE")
        try:
            read()
        finally:
            holder.rollback()
            holder.close()
        assert stamped() != clock.now()
    read()
    assert stamped() == clock.now()
