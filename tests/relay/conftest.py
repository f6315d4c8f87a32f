"""Cheap argon2 parameters for the test network: the world fixture hashes ~25 passwords,
which takes half a minute per test with production parameters on a loaded machine.
A real hasher with test-sized costs, not a mock; hashes stay verifiable."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from tocsin.network import secrets


@pytest.fixture(autouse=True)
def _fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        secrets, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )
