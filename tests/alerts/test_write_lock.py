"""A member's large alert must not slow the others: on SQLite the first write of a
transaction takes the database's one write lock until the commit, so the work that grows
with the number of indicators and needs no database (warninglist matching, the revision's
snapshot) is done before it. Counted, not timed: what runs between the first write of the
request's transaction and its commit."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, select

from tests.alerts.factory import alert_body
from tocsin.alerts import service as alerts
from tocsin.intel import warninglists
from tocsin.network.models import ApiToken

WRITES = ("INSERT", "UPDATE", "DELETE")


@contextmanager
def work_while_writing(engine: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, int]]:
    """Calls of the pure heavy steps, counted apart while a transaction has written."""
    writing = {"now": False}
    counts = {"match_before": 0, "match_writing": 0, "snapshot_before": 0, "snapshot_writing": 0}

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
    # An update writes its new indicators before its revision, so only matching is checked.
    assert counts["match_before"] >= 41 + 41 + 45, counts
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
