"""The authorisation tests run once, on SQLite: who may pass which door is decided by the
code, not by the database (the database-specific paths are tested everywhere else on both)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from tocsin.db import load_all_models, make_engine, migrate
from tocsin.settings import Settings


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    load_all_models()
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('authz') / 'tocsin.db'}")
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def settings(tmp_path: Path, engine: Engine) -> Settings:
    return Settings(
        environment="test",
        data_dir=tmp_path,
        database_url=engine.url.render_as_string(hide_password=False),
        run_workers=False,
        rate_limit_writes_per_minute=1_000_000,
        rate_limit_auth_failures_per_minute=1_000_000,
    )
