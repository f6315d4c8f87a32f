"""The sign-in lockout lives in the database: a restart and every other node see it."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from tests.web.helpers import sign_in
from tests.world import World
from tocsin.app import create_app
from tocsin.clock import ManualClock
from tocsin.db import make_sessionmaker, transaction
from tocsin.identity import lockout
from tocsin.state import AppState

EN = {"Accept-Language": "en"}


def _other_node(state: AppState) -> AppState:
    """A second node (or the same one restarted): same database, nothing in memory shared."""
    return AppState(settings=state.settings, engine=state.engine,
                    sessions=make_sessionmaker(state.engine), clock=state.clock)  # fmt: skip


def test_a_lock_survives_a_restart_and_holds_on_another_node(
    client: TestClient, world: World, state: AppState, clock: ManualClock
) -> None:
    for _ in range(3):
        assert sign_in(client, "so_E1", password="guess").status_code == 401
    with TestClient(create_app(state=_other_node(state))) as restarted:
        for _ in range(2):  # the count goes on where the first node left it
            assert sign_in(restarted, "so_E1", password="guess").status_code == 401
        assert sign_in(restarted, "so_E1", **EN).status_code == 429
    with TestClient(create_app(state=_other_node(state))) as third:
        assert sign_in(third, "so_E1", **EN).status_code == 429
    assert sign_in(client, "so_E2").status_code == 303  # other accounts are not locked
    clock.advance(timedelta(minutes=16))
    assert sign_in(client, "so_E1").status_code == 303


def test_failures_spread_over_a_long_time_do_not_lock(
    client: TestClient, world: World, clock: ManualClock
) -> None:
    for _ in range(4):
        assert sign_in(client, "so_E1", password="guess").status_code == 401
    clock.advance(timedelta(minutes=20))  # older failures are forgotten
    for _ in range(4):
        assert sign_in(client, "so_E1", password="guess").status_code == 401
    assert sign_in(client, "so_E1").status_code == 303


def test_an_unknown_account_locks_the_same_way(state: AppState, clock: ManualClock) -> None:
    """The lock says nothing about whether an e-mail belongs to someone."""
    now = clock.now()
    with transaction(state.sessions) as session:
        locks = [lockout.record_failure(session=session, email=" Nobody@Example.org", now=now)
                 for _ in range(5)]  # fmt: skip
    assert locks == [False, False, False, False, True]
    with transaction(state.sessions) as session:
        assert lockout.wait_seconds(session=session, email="nobody@example.org", now=now) == 900
        assert lockout.purge(session=session, now=now + timedelta(minutes=10)) == 0  # locked
        assert lockout.purge(session=session, now=now + timedelta(minutes=16)) == 1


def test_the_node_holds_no_lockout_in_memory(state: AppState) -> None:
    assert not hasattr(state, "sign_in_lockout")
