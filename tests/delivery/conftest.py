"""Delivery tests post to receivers on loopback: allow private webhook targets here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.delivery.helpers import nobody_notified

from tocsin.settings import Settings
from tocsin.state import AppState


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        environment="test",
        data_dir=tmp_path,
        database_url=database_url,
        run_workers=False,
        webhook_allow_private=True,
    )


@pytest.fixture
def quiet(world: Any, state: AppState) -> None:
    """Only the people a test opts in receive e-mail or SMS."""
    nobody_notified(state)
