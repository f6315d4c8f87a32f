"""Shared fixtures: a real database per run (SQLite and PostgreSQL), the app, a network."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import settings
from sqlalchemy import text
from sqlalchemy.engine import Engine

from tests.services import PG_HOST, PG_PORT, require
from tests.world import World, build_world
from tocsin.app import create_app
from tocsin.clock import ManualClock
from tocsin.db import Base, load_all_models, make_engine, make_sessionmaker, migrate
from tocsin.settings import Settings
from tocsin.state import AppState

BACKENDS = ["sqlite", "postgresql"]

# Properties are checked for what they say, never for how fast: the machine running the suite
# is shared, and a per-example time limit only made them fail under load. Speed lives in bench/.
settings.register_profile("tocsin", deadline=None)
settings.load_profile("tocsin")


def _postgres_database() -> Iterator[str]:
    require("PostgreSQL", PG_HOST, PG_PORT)
    import psycopg

    name = f"tocsin_test_{uuid.uuid4().hex[:12]}"
    admin_url = f"host={PG_HOST} port={PG_PORT} user=postgres dbname=postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """One database per backend per run, migrated with Alembic, dropped at the end."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'tocsin.db'}"
    else:
        yield from _postgres_database()


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    load_all_models()
    engine = make_engine(database_url)
    migrate(engine)
    yield engine
    engine.dispose()


def _empty_all_tables(engine: Engine) -> None:
    tables = list(reversed(Base.metadata.sorted_tables))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    # Workers off: tests drive ticks and dispatchers themselves, with the manual clock.
    # Rate limits high: tests of the limits set their own.
    return Settings(
        environment="test",
        data_dir=tmp_path,
        database_url=database_url,
        run_workers=False,
        rate_limit_writes_per_minute=1_000_000,
        rate_limit_auth_failures_per_minute=1_000_000,
    )


@pytest.fixture
def state(engine: Engine, settings: Settings, clock: ManualClock) -> Iterator[AppState]:
    """A node on the run's database, emptied after each test."""
    yield AppState(
        settings=settings, engine=engine, sessions=make_sessionmaker(engine), clock=clock
    )
    _empty_all_tables(engine)


@pytest.fixture
def client(state: AppState) -> Iterator[TestClient]:
    with TestClient(create_app(state=state)) as test_client:
        yield test_client


@pytest.fixture
def world(state: AppState) -> World:
    """A small network with people and tokens (see tests/world.py)."""
    return build_world(state)
