"""Bulk inserts: the rows read back as an ordinary INSERT would have stored them, on both
databases, on the executemany path and on PostgreSQL's COPY path."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import JSON, Column, Integer, MetaData, String, Table, Uuid, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tocsin.bulk import COPY_FROM_ROWS, SQLITE_ROWS_PER_STATEMENT, insert_rows
from tocsin.db import UTCDateTime, str_enum
from tocsin.delivery.models import Channel

ROWS = Table(
    "bulk_probe",
    MetaData(),
    Column("id", Uuid, primary_key=True, default=uuid.uuid4),
    Column("channel", str_enum(Channel)),
    Column("at", UTCDateTime()),
    Column("items", JSON),
    Column("note", String(40)),
    Column("attempts", Integer, default=7),
)


@pytest.fixture
def probe(engine: Engine) -> Iterator[Engine]:
    ROWS.create(engine, checkfirst=True)
    yield engine
    ROWS.drop(engine)


def _rows(count: int) -> list[dict[str, object]]:
    at = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    return [
        {"channel": Channel.webhook if i % 2 else Channel.live, "at": at + timedelta(seconds=i),
         "items": [{"n": i, "text": "tab\there, quote \" and newline\n"}] if i % 3 else [],
         "note": None if i % 5 == 0 else f"ligne {i} été\\"}
        for i in range(count)
    ]  # fmt: skip


@pytest.mark.parametrize("count", [COPY_FROM_ROWS - 1, COPY_FROM_ROWS + 50])
def test_bulk_rows_read_back_as_written_with_defaults(probe: Engine, count: int) -> None:
    written = _rows(count)
    with Session(probe) as session:
        assert insert_rows(session, ROWS, written) == count
        session.commit()
    with Session(probe) as session:
        stored = session.execute(select(ROWS).order_by(ROWS.c.at)).mappings().all()
    assert len(stored) == count
    assert len({row["id"] for row in stored}) == count  # the key's Python default, per row
    assert {row["attempts"] for row in stored} == {7}  # the scalar default
    for row, expected in zip(stored, written, strict=True):
        assert {k: row[k] for k in expected} == expected


def test_bulk_insert_is_part_of_the_callers_transaction(probe: Engine) -> None:
    with Session(probe) as session:
        insert_rows(session, ROWS, _rows(COPY_FROM_ROWS + 1))
        session.rollback()
    with Session(probe) as session:
        assert session.execute(select(ROWS)).first() is None


class CountingUTC(UTCDateTime):
    cache_ok = True
    converted: list[datetime] = []

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None:
            CountingUTC.converted.append(value)
        return super().process_bind_param(value, dialect)


SHARED = Table(
    "bulk_shared_probe",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("channel", str_enum(Channel)),
    Column("at", CountingUTC()),
    Column("note", String(40)),
)


@pytest.mark.parametrize("count", [COPY_FROM_ROWS - 1, COPY_FROM_ROWS + 50])
def test_a_value_shared_by_many_rows_is_converted_once(engine: Engine, count: int) -> None:
    """A fan-out's thousands of rows share their alert, payload and time: converting the
    same time for each row was a large part of writing them."""
    SHARED.create(engine, checkfirst=True)
    CountingUTC.converted.clear()
    at = datetime(2026, 11, 27, 23, 0, tzinfo=UTC)
    written = [{"channel": Channel.live, "at": at, "note": str(i)} for i in range(count)]
    try:
        with Session(engine) as session:
            insert_rows(session, SHARED, written)
            session.commit()
        converted = len(CountingUTC.converted)
        with Session(engine) as session:
            stored = session.execute(select(SHARED.c.at, SHARED.c.channel)).all()
    finally:
        SHARED.drop(engine)
    assert set(stored) == {(at, Channel.live)} and len(stored) == count
    if engine.dialect.name == "sqlite" or count >= COPY_FROM_ROWS:  # else SQLAlchemy's path
        assert converted == 1


def test_many_rows_go_in_few_statements_and_read_back_in_full(probe: Engine) -> None:
    """On SQLite each statement carries hundreds of rows: one statement per row gave the
    interpreter up at every row, and a large alert's insert then held the write lock while
    waiting to take it back behind every other request of the node."""
    count = SQLITE_ROWS_PER_STATEMENT * 2 + 37
    statements: list[str] = []

    def saw(_c: Any, _cur: Any, sql: str, *_args: Any) -> None:
        if "bulk_probe" in sql:
            statements.append(sql)

    event.listen(probe, "before_cursor_execute", saw)
    try:
        with Session(probe) as session:
            assert insert_rows(session, ROWS, _rows(count)) == count
            session.commit()
    finally:
        event.remove(probe, "before_cursor_execute", saw)
    with Session(probe) as session:
        stored = session.execute(select(ROWS.c.note).order_by(ROWS.c.at)).scalars().all()
    assert stored == [row["note"] for row in _rows(count)]
    # PostgreSQL streams them with one COPY, through the driver's own cursor.
    assert len(statements) == (3 if probe.dialect.name == "sqlite" else 0), statements
