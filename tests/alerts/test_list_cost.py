"""A member's large alert must not slow the others: lists and checks of visibility never read
the indicators they do not return, and the count they show stays right."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import event

from tests.alerts.factory import alert_body, publish


@contextmanager
def statements(engine: Any) -> Iterator[list[str]]:
    """Every SQL statement the engine runs inside the block."""
    seen: list[str] = []

    def keep(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        seen.append(sql)

    event.listen(engine, "before_cursor_execute", keep)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", keep)


def _many(count: int) -> list[dict[str, str]]:
    return [{"type": "ipv4", "value": f"198.51.{n // 250}.{n % 250 + 1}"} for n in range(count)]


def test_the_alert_list_never_reads_the_indicators_table(client, world, state, clock):
    publish(client, world, "E1", title="large", indicators=_many(300))
    clock.advance(timedelta(seconds=1))
    publish(client, world, "E2", title="small")
    with statements(state.engine) as seen:
        page = client.get("/api/v1/alerts", params={"limit": 5}, headers=world.auth("E3"))
    assert page.status_code == 200
    assert [a["title"] for a in page.json()["items"]] == ["small", "large"]
    assert seen, "the listener saw the list's statements"
    touching = [sql for sql in seen if "alert_indicators" in sql]
    assert not touching, touching


def test_the_listed_count_follows_added_and_withdrawn_indicators(client, world):
    alert = publish(client, world, "E1", indicators=_many(5))

    def listed() -> int:
        items = client.get("/api/v1/alerts", headers=world.auth("E2")).json()["items"]
        return int(next(a for a in items if a["id"] == alert["id"])["indicator_count"])

    assert listed() == 5
    changed = client.patch(f"/api/v1/alerts/{alert['id']}", headers=world.auth("E1"),
                           json={"indicators": _many(7)[4:]})  # fmt: skip
    assert changed.status_code == 200, changed.text
    assert listed() == 3  # 4 withdrawn, 2 added, 1 kept
    body = alert_body()
    draft = client.post("/api/v1/alerts", json=body, headers=world.auth("E1")).json()
    assert draft["indicators"] and len(draft["indicators"]) == 4
    mine = client.get("/api/v1/alerts", params={"status": "draft"}, headers=world.auth("E1"))
    assert mine.json()["items"][0]["indicator_count"] == 4


def test_a_page_of_alerts_reads_their_sources_in_one_statement(client, world, state, clock):
    sources = ["E1", "E2", "E3", "G1", "R1"]
    for who in sources:
        publish(client, world, who, title=f"from {who}", tlp="green")
        clock.advance(timedelta(seconds=1))
    with statements(state.engine) as seen:
        page = client.get("/api/v1/alerts", params={"limit": 10}, headers=world.auth("E2"))
    assert page.status_code == 200, page.text
    named = {a["source"]["name"] for a in page.json()["items"] if a.get("source")}
    assert len(named) == len(sources), page.json()
    org_reads = [sql for sql in seen if "FROM organisations" in sql and "WHERE" in sql]
    assert len(org_reads) <= 2, [
        " ".join(s.split())[-90:] for s in org_reads
    ]  # the token's organisation, then the page's
