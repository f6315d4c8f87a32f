"""Incremental import of a MISP feed (`manifest.json` plus `<uuid>.json`) from disk or URL.

Each event is imported in its own transaction together with its progress row, oldest first.
Each event's outcome is recorded: imported (its refused attributes listed) or refused (an
event PyMISP cannot read, or one with nothing valid), and the run goes on to the next; a
refused event is not read again until the feed shows a newer version of it. An event that
cannot be fetched is skipped and tried again on the next run. An event is imported again
only when the manifest shows a newer timestamp; its draft is then rewritten if still a
draft, or a new draft is created.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
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
from tocsin.errors import FieldError, TocsinError
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
    refused: list[tuple[str, str]] = field(default_factory=list)  # (event uuid, reason)
    # (event uuid or manifest.json, reason): unreadable now, tried again on the next run
    unreadable: list[tuple[str, str]] = field(default_factory=list)
    left_out: list[tuple[str, str]] = field(default_factory=list)  # (event: object, reason)


def _pending(manifest: dict[str, Any], done: dict[str, int]) -> list[tuple[int, str]]:
    entries = []
    for event_uuid, meta in manifest.items():
        stamp = int(meta.get("timestamp", 0)) if isinstance(meta, dict) else 0
        entries.append((stamp, event_uuid))
    return sorted(e for e in entries if done.get(e[1], -1) < e[0])


def _progress(session: Session, source: FeedSource, org_id: uuid.UUID, event_uuid: str,
              stamp: int, now: datetime) -> FeedImport:  # fmt: skip
    progress = session.scalar(select(FeedImport).where(
        FeedImport.org_id == org_id, FeedImport.feed == source.location,
        FeedImport.event_uuid == event_uuid))  # fmt: skip
    if progress is None:
        progress = FeedImport(org_id=org_id, feed=source.location, event_uuid=event_uuid)
        session.add(progress)
    progress.event_timestamp, progress.imported_at = stamp, now
    return progress


def _import_one(
    session: Session, document: dict[str, Any], progress: FeedImport, org_id: uuid.UUID,
    by: Actor, now: datetime,
) -> tuple[uuid.UUID, list[FieldError]]:  # fmt: skip
    """Store the event's draft; InvalidInput when nothing of it can be imported."""
    network = network_service.load_network(session=session)
    plan, refused = misp_import.plan_event(document)
    content = imports.checked_content(plan, org_id, network)
    previous = session.get(Alert, progress.alert_id) if progress.alert_id else None
    if previous is not None and previous.status is not Status.draft:
        previous = None
    alert = imports.store_plan(
        session=session, plan=plan, content=content, org_id=org_id, by=by, network=network,
        now=now, kind="misp", replacing=previous,
    )  # fmt: skip
    progress.alert_id, progress.outcome = alert.id, "imported"
    progress.detail = "; ".join(f"{e.field}: {e.reason}" for e in refused) or None
    return alert.id, refused


def _read_one(
    sessions: sessionmaker[Session], source: FeedSource, event_uuid: str, stamp: int,
    org_id: uuid.UUID, by: Actor, clock: Clock, report: FeedReport,
) -> None:  # fmt: skip
    """Import one event in its own transaction and record its outcome in the report."""
    try:
        document = source.event(event_uuid)
    except FeedError as exc:
        report.unreadable.append((event_uuid, str(exc)))
        return
    try:
        with transaction(sessions) as session:
            progress = _progress(session, source, org_id, event_uuid, stamp, clock.now())
            alert_id, refused = _import_one(session, document, progress, org_id, by, clock.now())
    except TocsinError as exc:
        with transaction(sessions) as session:
            progress = _progress(session, source, org_id, event_uuid, stamp, clock.now())
            progress.outcome, progress.detail = "refused", str(exc)
        report.refused.append((event_uuid, str(exc)))
        return
    report.imported.append(alert_id)
    report.left_out += [(f"{event_uuid}: {e.field}", e.reason) for e in refused]


def import_feed(
    *, sessions: sessionmaker[Session], source: FeedSource, org_id: uuid.UUID, by: Actor,
    clock: Clock,
) -> FeedReport:  # fmt: skip
    """Import the new and changed events of a feed, each in its own transaction."""
    report = FeedReport()
    try:
        manifest = source.manifest()
    except FeedError as exc:
        report.unreadable.append(("manifest.json", str(exc)))
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
        _read_one(sessions, source, event_uuid, stamp, org_id, by, clock, report)
    return report
