"""Fault drills on storage: SQLite's disk fills up; PostgreSQL restarts during writes.

Each drill runs a node on its own database and checks what a user depends on: a clear
problem (507 or 503 with Retry-After, never a bare 500), nothing half-written, a database
that is intact afterwards, and writes that succeed again once the fault is gone.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select, text
from sqlalchemy.engine import Engine

from tests.alerts.factory import alert_body
from tests.conftest import _postgres_database
from tests.services import PG_HOST, PG_PORT
from tests.world import World, build_world
from tocsin.alerts.models import Alert
from tocsin.app import create_app
from tocsin.clock import ManualClock
from tocsin.db import load_all_models, make_engine, make_sessionmaker, migrate
from tocsin.settings import Settings
from tocsin.state import AppState


def _node(engine: Engine, tmp_path: Path, url: str) -> tuple[AppState, TestClient]:
    settings = Settings(environment="test", data_dir=tmp_path, database_url=url,
                        run_workers=False, rate_limit_writes_per_minute=100_000)  # fmt: skip
    state = AppState(settings=settings, engine=engine, sessions=make_sessionmaker(engine),
                     clock=ManualClock())  # fmt: skip
    return state, TestClient(create_app(state=state))


def _alerts(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(Alert)) or 0)


def _draft(client: TestClient, world: World, size: int = 0) -> Any:
    body = alert_body(summary="x" * size) if size else alert_body()
    return client.post("/api/v1/alerts", json=body, headers=world.auth("E1"))


# --- SQLite: the disk is full ---------------------------------------------------------------


def test_a_full_disk_gives_a_clear_error_stores_nothing_and_recovers(tmp_path: Path) -> None:
    load_all_models()
    url = f"sqlite:///{tmp_path / 'full.db'}"
    engine = make_engine(url)
    migrate(engine)
    limit = {"pages": 1_000_000}

    # SQLite's page cap stands in for the file system: the same SQLITE_FULL error, the same
    # code paths, without mounting a small disk (which needs privileges CI may not have).
    @event.listens_for(engine, "connect")
    def _cap(connection: Any, _record: Any) -> None:
        connection.execute(f"PRAGMA max_page_count = {limit['pages']}")

    state, client = _node(engine, tmp_path, url)
    world = build_world(state)
    with engine.connect() as connection:
        limit["pages"] = int(connection.scalar(text("PRAGMA page_count")) or 0) + 40
    engine.dispose()  # new connections take the new cap
    with client:
        statuses = []
        for _ in range(200):
            before = _alerts(engine)
            answer = _draft(client, world, size=20_000)
            statuses.append(answer.status_code)
            if answer.status_code != 201:
                break
        assert statuses[-1] == 507, statuses
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["type"] == "urn:tocsin:problem:storage-full"
        assert _alerts(engine) == before  # the refused alert left nothing behind
        assert client.get("/api/v1/alerts", headers=world.auth("E1")).status_code == 200
        with engine.connect() as connection:
            assert connection.scalar(text("PRAGMA integrity_check")) == "ok"
        limit["pages"] = 1_000_000  # space comes back
        engine.dispose()
        assert _draft(client, world).status_code == 201
    engine.dispose()


# --- PostgreSQL: the server restarts while requests write -----------------------------------


class Outage:
    """A TCP proxy in front of PostgreSQL that can drop every connection and refuse new
    ones, as a restarting server does, without touching the server other tests share."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.down = threading.Event()
        self.pairs: list[tuple[socket.socket, socket.socket]] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.down.is_set():
                client.close()  # refused while the server is "restarting"
                continue
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.pairs.append((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                end.close()

    def cut(self) -> None:
        self.down.set()
        with self.lock:
            pairs, self.pairs = self.pairs, []
        for pair in pairs:
            for end in pair:
                end.shutdown(socket.SHUT_RDWR) if end.fileno() >= 0 else None
                end.close()

    def restore(self) -> None:
        self.down.clear()

    def close(self) -> None:
        self.cut()
        self.listener.close()


@pytest.fixture
def outage() -> Iterator[tuple[Outage, Engine, str]]:
    """A database of its own, an engine straight to it, and the URL through the proxy."""
    for url in _postgres_database():  # skips locally, fails in CI, when PostgreSQL is down
        load_all_models()
        direct = make_engine(url)
        migrate(direct)
        proxy = Outage((PG_HOST, PG_PORT))
        yield proxy, direct, url.replace(f"@{PG_HOST}:{PG_PORT}/", f"@127.0.0.1:{proxy.port}/")
        proxy.close()
        direct.dispose()


def test_a_postgresql_restart_fails_requests_cleanly_and_they_succeed_after(
    outage: tuple[Outage, Engine, str], tmp_path: Path
) -> None:
    proxy, engine, proxied_url = outage
    proxied = make_engine(proxied_url, pool_size=2, max_overflow=0, pool_timeout=5,
                          connect_args={"connect_timeout": 3})  # fmt: skip
    state, client = _node(proxied, tmp_path, proxied_url)
    world = build_world(state)
    with client:
        assert _draft(client, world).status_code == 201
        stored = _alerts(engine)  # read directly, not through the proxy
        proxy.cut()
        for _ in range(3):
            answer = _draft(client, world)
            assert answer.status_code == 503, answer.text
            assert answer.json()["type"] == "urn:tocsin:problem:unavailable"
            assert answer.headers["retry-after"] == "5"
        assert client.get("/readyz").status_code == 503
        assert _alerts(engine) == stored  # nothing half-written
        proxy.restore()
        assert client.get("/readyz").status_code == 200
        assert _draft(client, world).status_code == 201
        assert _alerts(engine) == stored + 1
    proxied.dispose()
