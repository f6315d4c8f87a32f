"""Upgrading a hub with stored alerts gives each alert the count of its live indicators."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from tests.conftest import BACKENDS, _postgres_database
from tocsin.db import make_engine, migrate

BEFORE = "0051_context_indicators"  # the revision before the count


@pytest.fixture(params=BACKENDS)
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database of its own, migrated step by step by the test."""
    urls = (
        iter([f"sqlite:///{tmp_path / 'hub.db'}"])
        if request.param == "sqlite"
        else _postgres_database()
    )
    engine = make_engine(next(urls))
    yield engine
    engine.dispose()
    next(urls, None)  # drops the PostgreSQL database


def test_stored_alerts_get_the_count_of_their_live_indicators(fresh: Engine) -> None:
    migrate(fresh, BEFORE)
    sqlite = fresh.dialect.name == "sqlite"
    org, busy, empty = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()

    def key(value: uuid.UUID) -> object:
        return value.hex if sqlite else value

    with fresh.begin() as connection:
        connection.execute(
            text("INSERT INTO organisations (id, name, kind, created_at) "
                 "VALUES (:org, 'o', 'national', '2026-11-01')"), {"org": key(org)})  # fmt: skip
        for alert in (busy, empty):
            connection.execute(
                text("INSERT INTO alerts (id, source_org_id, status, revision, title, summary, "
                     "category, severity, tlp, pap, scope_kind, named, anonymous, care_impact, "
                     "origin, attack_steps, countermeasures, created_at, updated_at) VALUES "
                     "(:alert, :org, 'published', 1, 't', 's', 'ransomware', 'high', 'green', "
                     "'green', 'national', '[]', false, '{}', '{}', '[]', '[]', '2026-11-01', "
                     "'2026-11-01')"),
                {"alert": key(alert), "org": key(org)},
            )  # fmt: skip
        for position in range(5):
            connection.execute(
                text("INSERT INTO alert_indicators (id, alert_id, position, type, value, "
                     "created_at, withdrawn_at) VALUES (:id, :alert, :position, 'ipv4', :value, "
                     "'2026-11-01', :withdrawn)"),
                {"id": key(uuid.uuid4()), "alert": key(busy), "position": position,
                 "value": f"192.0.2.{position}",
                 "withdrawn": "2026-11-02" if position == 4 else None},
            )  # fmt: skip
    migrate(fresh)
    with fresh.connect() as connection:
        counts = dict(connection.execute(text("SELECT id, indicator_count FROM alerts")).all())
    assert {uuid.UUID(str(k)): v for k, v in counts.items()} == {busy: 4, empty: 0}
