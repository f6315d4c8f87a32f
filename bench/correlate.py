"""Correlation at scale: time to find what a new 10,000-indicator alert shares with 1,000,000
stored indicators over 20,000 alerts, and the size of the correlation index.

    .venv/bin/python bench/correlate.py [--quick] [--db sqlite|postgresql|both] [--verbose]

Rows are bulk-inserted (executemany on SQLite, COPY on PostgreSQL), not through the API.
The new alert has 10,000 indicators of which 500 overlap the stored ones: 300 equal values,
100 subdomains of stored registered domains, 100 addresses inside stored networks.
The floor, timed in turn with each run: reading the alert's own 10,000 indicators back.
`--verbose` prints, for one more run, each statement with its time and its plan (EXPLAIN
ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN on SQLite) on standard error.
Prints one JSON object as its last line: each database's median, its floor and the ratio
between them (`summary`), the target, and the load average before and after the runs.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, event, insert, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from tocsin.alerts.models import Alert, AlertIndicator
from tocsin.db import load_all_models, make_engine, make_sessionmaker, migrate
from tocsin.intel.correlate import _SETTINGS, correlations
from tocsin.intel.keys import index_key

NOW = datetime(2026, 11, 1, tzinfo=UTC)
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
TLDS = ["com", "net", "org", "top", "xyz", "fr", "co.uk", "info"]


def _ip(rng: random.Random) -> str:
    return str(ipaddress.IPv4Address(rng.randint(0x01000000, 0xDFFFFFFF)))


def _value(rng: random.Random, i: int) -> tuple[str, str]:
    roll = rng.random()
    if roll < 0.40:
        return "ipv4", _ip(rng)
    if roll < 0.41:
        net = ipaddress.ip_network(f"{_ip(rng)}/{rng.choice([24, 28, 29])}", strict=False)
        return "cidr", str(net)
    if roll < 0.65:  # three hosts per registered domain
        return "domain", f"h{i % 3}.d{i // 3}.{TLDS[i % len(TLDS)]}"
    if roll < 0.75:
        return "url", f"http://u{i}.s{i // 2}.{TLDS[i % len(TLDS)]}/p/{i}"
    return "sha256", f"{rng.getrandbits(256):064x}"


def _alert_row(alert_id: uuid.UUID, org_id: uuid.UUID, n: int) -> dict[str, Any]:
    return {
        "id": alert_id,
        "source_org_id": org_id,
        "status": "published",
        "revision": 1,
        "title": f"alert {n}",
        "summary": "bench",
        "category": "ransomware",
        "severity": "high",
        "tlp": "green",
        "pap": "green",
        "scope_kind": "national",
        "named": [],
        "anonymous": False,
        "care_impact": {},
        "origin": {},
        "attack_steps": [],
        "countermeasures": [],
        "created_at": NOW,
        "updated_at": NOW,
        "published_at": NOW,
    }


def _org(engine: Engine) -> uuid.UUID:
    org_id = uuid.uuid4()
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO organisations (id, name, kind, created_at) VALUES (:i, 'b', "
                "'national', :t)"
            ),
            {"i": org_id.hex if engine.dialect.name == "sqlite" else org_id, "t": NOW},
        )
    return org_id


def _rows(alert_ids: list[uuid.UUID], per_alert: int, seed: int) -> Iterator[tuple[Any, ...]]:
    rng = random.Random(seed)
    n = 0
    for alert_id in alert_ids:
        for position in range(per_alert):
            kind, value = _value(rng, n)
            n += 1
            yield uuid.uuid4(), alert_id, position, kind, value


def _key_rows(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    keyed = []
    for row_id, _, _, kind, value in rows:
        key = index_key(kind, value)
        if not key.empty:
            keyed.append((row_id, key.domain, key.ip_start, key.ip_end, key.prefix))
    return keyed


def _load(engine: Engine, rows: list[tuple[Any, ...]]) -> None:
    keys = _key_rows(rows)
    if engine.dialect.name == "postgresql":
        _copy(engine, rows, keys)
        return
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.executemany(
            "INSERT INTO alert_indicators (id, alert_id, position, type, value, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(r[0].hex, r[1].hex, r[2], r[3], r[4], NOW.isoformat(sep=" ")) for r in rows],
        )
        cur.executemany(
            "INSERT INTO indicator_keys (indicator_id, domain, ip_start, ip_end, prefix) "
            "VALUES (?, ?, ?, ?, ?)",
            [(k[0].hex, *k[1:]) for k in keys],
        )
        raw.commit()
    finally:
        raw.close()


def _copy(engine: Engine, rows: list[tuple[Any, ...]], keys: list[tuple[Any, ...]]) -> None:
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        sql = "COPY alert_indicators (id, alert_id, position, type, value, created_at) FROM STDIN"
        with cur.copy(sql) as copy:  # type: ignore[attr-defined]
            for r in rows:
                copy.write_row((*r, NOW))
        sql = "COPY indicator_keys (indicator_id, domain, ip_start, ip_end, prefix) FROM STDIN"
        with cur.copy(sql) as copy:  # type: ignore[attr-defined]
            for k in keys:
                copy.write_row(k)
        raw.commit()
    finally:
        raw.close()


def _new_alert(stored: list[tuple[Any, ...]], total: int, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    exact = [(r[3], r[4]) for r in rng.sample(stored, 300)]
    domains = [r[4] for r in stored if r[3] == "domain"]
    parents = [
        ("domain", f"fresh{i}." + d.split(".", 1)[1])
        for i, d in enumerate(rng.sample(domains, 100))
    ]
    networks = [ipaddress.ip_network(r[4]) for r in stored if r[3] == "cidr"]
    inside = [
        ("ipv4", str(n[rng.randrange(n.num_addresses)]))
        for n in rng.sample(networks, min(100, len(networks)))
    ]
    fresh = []
    while len(exact) + len(parents) + len(inside) + len(fresh) < total:
        kind, value = _value(rng, 10**9 + len(fresh))
        fresh.append((kind, value.replace(".d", ".nd") if kind == "domain" else value))
    return exact + parents + inside + fresh


def _sizes(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            q = (
                "SELECT pg_relation_size('alert_indicators'), "
                "pg_total_relation_size('indicator_keys'), "
                "pg_relation_size('ix_alert_indicators_value')"
            )
            table, keys, value_ix = conn.execute(text(q)).one()
        else:
            rows = dict(
                conn.execute(text("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name")).all()
            )
            table = rows["alert_indicators"]
            keys = sum(
                v
                for k, v in rows.items()
                if k.startswith(
                    ("indicator_keys", "ix_indicator_keys", "sqlite_autoindex_indicator_keys")
                )
            )
            value_ix = rows["ix_alert_indicators_value"]
    return {"indicator_table": table, "keys_table_and_indexes": keys, "value_index": value_ix}


@contextmanager
def _database(kind: str) -> Iterator[str]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{Path(tmp) / 'bench.db'}"
        return
    import psycopg

    name = f"tocsin_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_READ_ALERT = select(
    AlertIndicator.id, AlertIndicator.type, AlertIndicator.value, AlertIndicator.created_at
).where(AlertIndicator.alert_id == bindparam("a"), AlertIndicator.withdrawn_at.is_(None))


def _explain(engine: Engine, sessions: sessionmaker[Session], alert_id: uuid.UUID) -> None:
    """Run the correlation once more, then print each statement's time and plan."""
    seen: list[tuple[float, str, Any]] = []

    def before(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        conn.info["started"] = time.perf_counter()

    def after(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        seen.append((time.perf_counter() - conn.info["started"], statement, params))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    with sessions() as session:
        correlations(session=session, alert_id=alert_id)
    event.remove(engine, "before_cursor_execute", before)
    event.remove(engine, "after_cursor_execute", after)
    pg = engine.dialect.name == "postgresql"
    explain = "EXPLAIN (ANALYZE, BUFFERS) " if pg else "EXPLAIN QUERY PLAN "
    with engine.connect() as conn:
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        if pg:
            for name, value in _SETTINGS.items():  # as correlations() runs it
                cursor.execute(f"SET {name} = '{value}'")
        for seconds, statement, params in seen:
            print(f"--- {seconds * 1000:.1f} ms (until the first row on SQLite)", file=sys.stderr)
            print(statement, file=sys.stderr)
            if (
                statement.lstrip().upper().startswith(("WITH", "SELECT"))
                and "set_config" not in statement
            ):
                cursor.execute(explain + statement, params)
                for row in cursor.fetchall():
                    print("    " + " ".join(str(v) for v in row), file=sys.stderr)


def run(
    kind: str, indicators: int, alerts: int, new: int, runs: int, verbose: bool = False
) -> dict[str, Any]:
    with _database(kind) as url:
        engine = make_engine(url)
        migrate(engine)
        org_id = _org(engine)
        alert_ids = [uuid.uuid4() for _ in range(alerts + 1)]
        started = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(insert(Alert), [_alert_row(a, org_id, n) for n, a in enumerate(alert_ids)])
        stored = list(_rows(alert_ids[:-1], indicators // alerts, seed=1))
        _load(engine, stored)
        wanted = _new_alert(stored, new, seed=2)
        new_rows = [(uuid.uuid4(), alert_ids[-1], p, k, v) for p, (k, v) in enumerate(wanted)]
        load_s = time.perf_counter() - started
        t0 = time.perf_counter()
        _load(engine, new_rows)
        publish_index_s = time.perf_counter() - t0
        # What autovacuum does after a bulk load on PostgreSQL: statistics, and the visibility
        # map that lets index-only scans skip the table.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE" if kind == "postgresql" else "ANALYZE"))
        sessions = make_sessionmaker(engine)
        timings, cpu, found, floor = [], [], [], []
        load_before = _load_average()
        for _ in range(runs + 1):
            with sessions() as session:
                t0, c0 = time.perf_counter(), time.process_time()
                found = correlations(session=session, alert_id=alert_ids[-1])
                timings.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
            with sessions() as session:  # the floor, in turn with each run
                t0 = time.perf_counter()
                session.execute(_READ_ALERT, {"a": alert_ids[-1]}).all()
                floor.append((time.perf_counter() - t0) * 1000)
        load_after = _load_average()
        if verbose:
            _explain(engine, sessions, alert_ids[-1])
        sizes = _sizes(engine)
        engine.dispose()
    hows: dict[str, int] = {}
    for match in found:
        hows[match.how.value] = hows.get(match.how.value, 0) + 1
    return {
        "db": kind,
        "stored_indicators": len(stored),
        "alerts": alerts,
        "new_indicators": new,
        "load_s": round(load_s, 1),
        "index_new_alert_s": round(publish_index_s, 2),
        "correlate_ms_median": round(statistics.median(timings[1:]), 1),
        # The floor: reading the alert's own indicators, which any correlation starts with.
        "floor_read_alert_ms_median": round(statistics.median(floor[1:]), 1),
        "ratio_to_floor": round(statistics.median(timings[1:]) / statistics.median(floor[1:]), 1),
        "correlate_ms_runs": [round(t, 1) for t in timings[1:]],
        # CPU of this process (the database's own work is in wall time only on PostgreSQL):
        # on a shared machine wall time mostly measures waiting for a core.
        "correlate_cpu_ms_median": round(statistics.median(cpu[1:]), 1),
        "load_average": [load_before, load_after],  # 1-minute, before and after the runs
        "matches": len(found),
        "by_how": hows,
        "related_alerts": len({m.other_alert_id for m in found}),
        "keys_vs_table": round(sizes["keys_table_and_indexes"] / sizes["indicator_table"], 2),
        "keys_and_value_index_vs_table": round(
            (sizes["keys_table_and_indexes"] + sizes["value_index"]) / sizes["indicator_table"], 2
        ),
        **sizes,
    }


TARGET_MS = 200


def _load_average() -> float:
    """The 1-minute load average: on a shared machine, what the wall times are read with."""
    return round(os.getloadavg()[0], 2)


def summary(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Per database: the median, its floor in the same run, their ratio, and the target."""
    return {
        r["db"]: {
            "correlate_ms": r["correlate_ms_median"],
            "floor_ms": r["floor_read_alert_ms_median"],
            "ratio_to_floor": r["ratio_to_floor"],
            "target_ms": TARGET_MS,
            "met": r["correlate_ms_median"] <= TARGET_MS,
            "load_average": r["load_average"],
        }
        for r in results
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 indicators, 2,000 alerts")
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--verbose", action="store_true", help="print statements and plans")
    args = parser.parse_args()
    indicators, alerts = (100_000, 2_000) if args.quick else (1_000_000, 20_000)
    load_all_models()
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    results = []
    for kind in kinds:
        result = run(kind, indicators, alerts, 10_000, args.runs, args.verbose)
        print(json.dumps(result), file=sys.stderr)
        results.append(result)
    last = {"benchmark": "correlate", "quick": args.quick, "summary": summary(results)}
    print(json.dumps({**last, "results": results}))


if __name__ == "__main__":
    main()
