"""Exercise tests post webhooks to receivers on loopback: allow private targets here."""

from __future__ import annotations

from pathlib import Path

import pytest

from tocsin.settings import Settings


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        environment="test",
        data_dir=tmp_path,
        database_url=database_url,
        run_workers=False,
        webhook_allow_private=True,
        rate_limit_writes_per_minute=1_000_000,
        rate_limit_auth_failures_per_minute=1_000_000,
    )
