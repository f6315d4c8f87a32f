"""Incremental import of a MISP feed (`manifest.json` plus `<uuid>.json`) from disk or URL.

Each event is imported in its own transaction together with its progress row, oldest first:
a run that fails half-way keeps what it did, and the next run resumes at the failed event.
An event is imported again only when the manifest shows a newer timestamp; its draft is then
rewritten if still a draft, or a new draft is created.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tocsin.alerts.models import Alert
from tocsin.alerts.vocab import Status
from tocsin.audit.service import Actor
from tocsin.clock import Clock
from tocsin.db import transaction
from tocsin.errors import TocsinError
from tocsin.exchange import imports, misp_import
from tocsin.interop.exchange_models import FeedImport
from tocsin.network import service as network_service


class FeedError(Exception):
    """The feed could not be read (missing file, HTTP error, not JSON)."""


class FeedSource(Protocol):
    @property
    def location(self) -> str: ...

    def manifest(self) -> dict[str, Any]: ...

    def event(self, event_uuid: str) -> dict[str, Any]: ...


def _json(text: str | bytes, what: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise FeedError(f"{what} is not JSON: {exc}") from None


@dataclass
class DirectoryFeed:
    path: Path

    @property
    def location(self) -> str:
        return str(self.path.resolve())

    def _read(self, name: str) -> Any:
        try:
            return _json((self.path / name).read_bytes(), name)
        except OSError as exc:
            raise FeedError(f"cannot read {name}: {exc.strerror}") from None

    def manifest(self) -> dict[str, Any]:
        return dict(self._read("manifest.json"))

    def event(self, event_uuid: str) -> dict[str, Any]:
        return dict(self._read(f"{event_uuid}.json"))


@dataclass
class HttpFeed:
    url: str
    client: httpx.Client

    @property
    def location(self) -> str:
        return self.url.rstrip("/")

    def _get(self, name: str) -> Any:
        try:
            response = self.client.get(f"{self.location}/{name}")
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise FeedError(f"cannot fetch {name}: {exc}") from None
        return _json(response.content, name)

    def manifest(self) -> dict[str, Any]:
        return dict(self._get("manifest.json"))

    def event(self, event_uuid: str) -> dict[str, Any]:
        return dict(self._get(f"{event_uuid}.json"))


def open_feed(location: str, client: httpx.Client | None = None) -> FeedSource:
    """A feed from a directory path or an http(s) URL."""
    if location.startswith(("http://", "https://")):
        return HttpFeed(location, client or httpx.Client(timeout=30, follow_redirects=True))
    return DirectoryFeed(Path(location))


@dataclass
class FeedReport:
    imported: list[uuid.UUID] = field(default_factory=list)
    unchanged: int = 0
    failed: tuple[str, str] | None = None  # (event uuid, reason): the next run starts there


def _pending(manifest: dict[str, Any], done: dict[str, int]) -> list[tuple[int, str]]:
    entries = []
    for event_uuid, meta in manifest.items():
        stamp = int(meta.get("timestamp", 0)) if isinstance(meta, dict) else 0
        entries.append((stamp, event_uuid))
    return sorted(e for e in entries if done.get(e[1], -1) < e[0])


def _import_one(
    session: Session, source: FeedSource, event_uuid: str, stamp: int, org_id: uuid.UUID,
    by: Actor, clock: Clock,
) -> uuid.UUID:  # fmt: skip
    network = network_service.load_network(session=session)
    plan = misp_import.plan_event(source.event(event_uuid))
    content = imports.checked_content(plan, org_id, network)
    progress = session.scalar(select(FeedImport).where(
        FeedImport.org_id == org_id, FeedImport.feed == source.location,
        FeedImport.event_uuid == event_uuid))  # fmt: skip
    previous = session.get(Alert, progress.alert_id) if progress and progress.alert_id else None
    if previous is not None and previous.status is not Status.draft:
        previous = None
    now = clock.now()
    alert = imports.store_plan(
        session=session, plan=plan, content=content, org_id=org_id, by=by, network=network,
        now=now, kind="misp", replacing=previous,
    )  # fmt: skip
    if progress is None:
        progress = FeedImport(org_id=org_id, feed=source.location, event_uuid=event_uuid)
        session.add(progress)
    progress.event_timestamp, progress.alert_id, progress.imported_at = stamp, alert.id, now
    return alert.id


def import_feed(
    *, sessions: sessionmaker[Session], source: FeedSource, org_id: uuid.UUID, by: Actor,
    clock: Clock,
) -> FeedReport:  # fmt: skip
    """Import the new and changed events of a feed, each in its own transaction."""
    report = FeedReport()
    try:
        manifest = source.manifest()
    except FeedError as exc:
        report.failed = ("manifest.json", str(exc))
        return report
    with transaction(sessions) as session:
        rows = session.execute(
            select(FeedImport.event_uuid, FeedImport.event_timestamp).where(
                FeedImport.org_id == org_id, FeedImport.feed == source.location)
        )  # fmt: skip
        done = {row.event_uuid: row.event_timestamp for row in rows}
    pending = _pending(manifest, done)
    report.unchanged = len(manifest) - len(pending)
    for stamp, event_uuid in pending:
        try:
            with transaction(sessions) as session:
                alert_id = _import_one(session, source, event_uuid, stamp, org_id, by, clock)
        except (FeedError, TocsinError) as exc:
            report.failed = (event_uuid, str(exc))
            return report
        report.imported.append(alert_id)
    return report
