"""Publish benchmark: the publish call of one critical alert to N establishments, in process.

Usage:  .venv/bin/python bench/publish.py [--quick] [--subscribers N] [--db sqlite|postgresql|both]
                                          [--runs 5] [--profile]

A network of N establishments in one region, each with a webhook endpoint and a user who
wants critical alerts by e-mail, so one revision writes the audience index, N responses and
3 N outbox rows (live, webhook, e-mail). Timed: `publication.service.publish` and the commit
for a draft made beforehand (median of --runs alerts, each after a warm-up). The floor, in
the same run and transaction shape: the same number of outbox rows written by one bare
executemany into a table of the same columns (no rendering, no audience, no response rows).
The last line is JSON with the medians and `ratio_to_floor` per database.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Uuid,
    create_engine,
    insert,
)
from sqlalchemy import text as sql_text

from tocsin.alerts.schemas import AlertContent
from tocsin.audit.service import SYSTEM
from tocsin.clock import SystemClock
from tocsin.db import load_all_models, make_engine, make_sessionmaker, migrate, transaction
from tocsin.delivery import fanout as fanout_rows
from tocsin.delivery.models import NotificationPreference, WebhookEndpoint
from tocsin.network.models import Membership, Organisation, OrgKind, Role, User
from tocsin.network.service import load_network
from tocsin.publication import service as publication

TARGET_MS = 150.0
LEASE = timedelta(seconds=60)
ALERT = {
    "title": "Bench: ransomware via VPN", "summary": "Encrypted hypervisors.",
    "category": "ransomware", "severity": "critical", "tlp": "amber", "pap": "amber",
    "scope": {"kind": "region"}, "care_impact": {"services": ["emergency"]},
    "origin": {"initial_access": "VPN"}, "attack_steps": [],
    "indicators": [{"type": "domain", "value": "evil.example.com"}], "countermeasures": [],
}  # fmt: skip


def build_network(url: str, count: int) -> uuid.UUID:
    """Region, group, N+1 establishments with a webhook and a mail user each; the source id."""
    load_all_models()
    engine = make_engine(url)
    migrate(engine)
    now = SystemClock().now()
    region, group = uuid.uuid4(), uuid.uuid4()
    orgs = [{"id": region, "name": "Region", "kind": OrgKind.region, "created_at": now},
            {"id": group, "name": "Group", "kind": OrgKind.group, "region_id": region,
             "created_at": now}]  # fmt: skip
    ids = [uuid.uuid4() for _ in range(count + 1)]
    orgs += [{"id": org_id, "name": f"Establishment {i}", "kind": OrgKind.establishment,
              "finess": f"75{i:07d}", "group_id": group, "region_id": region, "created_at": now}
             for i, org_id in enumerate(ids)]  # fmt: skip
    users = [uuid.uuid4() for _ in ids]
    with transaction(make_sessionmaker(engine)) as session:
        session.execute(insert(Organisation), orgs)
        session.execute(insert(User), [
            {"id": u, "email": f"u{i}@bench.test", "display_name": f"U{i}", "active": True,
             "created_at": now} for i, u in enumerate(users)])  # fmt: skip
        session.execute(insert(Membership), [
            {"user_id": u, "organisation_id": o, "role": Role.analyst}
            for u, o in zip(users, ids, strict=True)])  # fmt: skip
        session.execute(
            insert(NotificationPreference),
            [{"user_id": u, "severities": ["critical"], "updated_at": now} for u in users[1:]],
        )
        session.execute(insert(WebhookEndpoint), [
            {"id": uuid.uuid4(), "org_id": o, "url": f"http://127.0.0.1:9/hook/{i}",
             "secret": "whsec_" + "A" * 32, "active": True, "created_at": now}
            for i, o in enumerate(ids[1:])])  # fmt: skip
    engine.dispose()
    return ids[0]


def publish_once(factory: Any, source: uuid.UUID) -> tuple[float, float]:
    """Make a draft (untimed), then time the publish call and its commit; then, apart, the
    expansion of its fan-out into the deliveries, as a dispatching node does after it."""
    now = SystemClock().now()
    content = AlertContent.model_validate(ALERT)
    with transaction(factory) as session:
        network = load_network(session=session)
        draft = publication.create_draft(session=session, content=content, source_org_id=source,
                                         by=SYSTEM, network=network, now=now)  # fmt: skip
    with transaction(factory) as session:
        network = load_network(session=session)
        started = time.perf_counter()
        publication.publish(session=session, alert_id=draft.id, org_id=source, by=SYSTEM,
                            network=network, now=SystemClock().now())  # fmt: skip
        session.commit()
        published = time.perf_counter() - started
    started = time.perf_counter()
    with transaction(factory) as session:
        now = SystemClock().now()
        for fanout in fanout_rows.claim_fanouts(session, now=now, lease=LEASE, limit=10):
            fanout_rows.expand(session, fanout, now=now)
    return published, time.perf_counter() - started


def floor_once(url: str, rows: int) -> float:
    """The same number of outbox-shaped rows by one bare executemany, and the commit."""
    engine = create_engine(url)
    table = Table("bench_floor", MetaData(), Column("seq", Integer, primary_key=True),
                  Column("event_id", Uuid), Column("alert_id", Uuid),
                  Column("recipient_org_id", Uuid), Column("channel", String(16)),
                  Column("status", String(16)),
                  Column("created_at", DateTime(timezone=True)))  # fmt: skip
    table.drop(engine, checkfirst=True)
    table.create(engine)
    now, alert = SystemClock().now(), uuid.uuid4()
    values = [{"event_id": uuid.uuid4(), "alert_id": alert, "recipient_org_id": uuid.uuid4(),
               "channel": "webhook", "status": "pending", "created_at": now}
              for _ in range(rows)]  # fmt: skip
    with engine.connect() as connection:
        started = time.perf_counter()
        connection.execute(table.insert(), values)
        connection.commit()
        elapsed = time.perf_counter() - started
    table.drop(engine)
    engine.dispose()
    return elapsed


def run(url: str, count: int, runs: int, profile: bool) -> dict[str, Any]:
    source = build_network(url, count)
    factory = make_sessionmaker(make_engine(url))
    # A dispatching node: the fan-out is expanded after the commit, not within it.
    factory.configure(info={**factory.kw.get("info", {}), fanout_rows.DEFERRED: True})
    publish_once(factory, source)  # warm-up: imports, warninglists, statement caches
    both = [publish_once(factory, source) for _ in range(runs)]
    times, expansions = [t for t, _ in both], [e for _, e in both]
    floors = [floor_once(url, 3 * count) for _ in range(runs)]
    if profile:
        profiler = cProfile.Profile()
        profiler.enable()
        publish_once(factory, source)
        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(35)
    median, floor = statistics.median(times), statistics.median(floors)
    return {"publish_ms": round(median * 1000, 1),
            "publish_runs_ms": [round(t * 1000, 1) for t in times],
            "expand_ms": round(statistics.median(expansions) * 1000, 1),
            "floor_ms": round(floor * 1000, 1), "ratio_to_floor": round(median / floor, 2),
            "target_ms": TARGET_MS,
            "ratio_to_target": round(median * 1000 / TARGET_MS, 2)}  # fmt: skip


def postgres_url() -> tuple[str, str]:
    admin = os.environ.get("BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    name = f"tocsin_bench_{uuid.uuid4().hex[:8]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sql_text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return admin, admin.rsplit("/", 1)[0] + f"/{name}"


def drop_postgres(admin: str, url: str) -> None:
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        name = url.rsplit("/", 1)[1]
        connection.execute(sql_text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="300 establishments, 3 runs")
    parser.add_argument("--subscribers", type=int, default=3000)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="cProfile one more publish")
    args = parser.parse_args()
    count, runs = (300, 3) if args.quick else (args.subscribers, args.runs)
    result: dict[str, Any] = {"benchmark": "publish", "subscribers": count,
                              "load_average": os.getloadavg()[0]}  # fmt: skip
    if args.db in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as directory:
            url = f"sqlite:///{Path(directory) / 'bench.db'}"
            result["sqlite"] = run(url, count, runs, args.profile)
            print("sqlite", result["sqlite"], file=sys.stderr)
    if args.db in ("postgresql", "both"):
        admin, url = postgres_url()
        try:
            result["postgresql"] = run(url, count, runs, args.profile)
            print("postgresql", result["postgresql"], file=sys.stderr)
        finally:
            drop_postgres(admin, url)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
