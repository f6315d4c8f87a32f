"""Upgrading a hub with stored correlation keys keeps them, in their new binary form."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from tests.conftest import BACKENDS, _postgres_database
from tocsin.db import make_engine, migrate, migrate_down
from tocsin.intel.keys import index_key

BEFORE = "0022_sent_notices"
NETWORK, ADDRESS = "192.0.2.0/24", "192.0.2.7"


@pytest.fixture(params=BACKENDS)
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database of its own: this test walks the migrations back and forth."""
    urls = (
        iter([f"sqlite:///{tmp_path / 'hub.db'}"])
        if request.param == "sqlite"
        else _postgres_database()
    )
    engine = make_engine(next(urls))
    yield engine
    engine.dispose()
    next(urls, None)  # drops the PostgreSQL database


def _stored(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT ip_start, ip_end, prefix FROM indicator_keys ORDER BY ip_start")
        )
        return [tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in rows]


def test_hex_keys_become_bytes_and_back(fresh: Engine) -> None:
    migrate(fresh, BEFORE)
    ids = {name: uuid.uuid4() for name in ("org", "alert", "network", "address")}
    sqlite = fresh.dialect.name == "sqlite"
    value = {k: (v.hex if sqlite else v) for k, v in ids.items()}
    with fresh.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO organisations (id, name, kind, created_at) "
                "VALUES (:org, 'o', 'national', '2026-11-01')"
            ),
            value,
        )
        connection.execute(
            text(
                "INSERT INTO alerts (id, source_org_id, status, revision, title, summary, "
                "category, severity, tlp, pap, scope_kind, named, anonymous, care_impact, "
                "origin, attack_steps, countermeasures, created_at, updated_at) VALUES "
                "(:alert, :org, 'published', 1, 't', 's', 'ransomware', 'high', 'green', "
                "'green', 'national', '[]', false, '{}', '{}', '[]', '[]', '2026-11-01', "
                "'2026-11-01')"
            ),
            value,
        )
        for name, kind, indicator in (("network", "cidr", NETWORK), ("address", "ipv4", ADDRESS)):
            connection.execute(
                text(
                    "INSERT INTO alert_indicators (id, alert_id, position, type, value, "
                    "created_at) VALUES (:id, :alert, 0, :kind, :value, '2026-11-01')"
                ),
                {"id": value[name], "alert": value["alert"], "kind": kind, "value": indicator},
            )
        # the keys as the previous schema held them: 32 hex digits
        connection.execute(
            text(
                "INSERT INTO indicator_keys (indicator_id, ip_start, ip_end, prefix) VALUES "
                "(:network, '00000000000000000000ffffc0000200', "
                "'00000000000000000000ffffc00002ff', 120), "
                "(:address, '00000000000000000000ffffc0000207', NULL, NULL)"
            ),
            value,
        )
    network, address = index_key("cidr", NETWORK), index_key("ipv4", ADDRESS)
    migrate(fresh)
    assert _stored(fresh) == [
        (network.ip_start, network.ip_end, 120),
        (address.ip_start, None, None),
    ]
    migrate_down(fresh, BEFORE)
    assert _stored(fresh) == [
        ("00000000000000000000ffffc0000200", "00000000000000000000ffffc00002ff", 120),
        ("00000000000000000000ffffc0000207", None, None),
    ]
