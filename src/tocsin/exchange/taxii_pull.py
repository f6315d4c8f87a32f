"""Pull a remote TAXII 2.1 collection into drafts, incrementally (`tocsin taxii-pull`, a job).

Each pull asks the remote collection only for the objects added after the last
`X-TAXII-Date-Added-Last` it read (kept per organisation and collection in `taxii_pulls`),
follows the pages, and imports what it got as one STIX bundle through the same importer as
`tocsin import`: the valid objects become drafts (a newer version of a report rewrites its
draft while it is still one), each refused one is reported. The marker
moves forward in the same transaction as the drafts, so a crash re-reads, never skips; a
pull where nothing was importable still moves it, so a re-run imports nothing new.
"""

from __future__ import annotations

import contextlib
import json
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from tocsin.audit.service import Actor
from tocsin.clock import Clock
from tocsin.db import transaction
from tocsin.errors import InvalidInput
from tocsin.exchange import imports
from tocsin.interop.exchange_models import TaxiiPull
from tocsin.jobs import Job
from tocsin.network import service as network_service
from tocsin.settings import TaxiiPullSource
from tocsin.state import AppState

TAXII_MEDIA = "application/taxii+json;version=2.1"
PAGE_LIMIT = 1000
REFS_PER_REQUEST = 40  # ids per match[id] query, to keep the URL short
MAX_PAGES = 10_000  # a remote that always says "more" must not hold a pull forever
log = logging.getLogger(__name__)


class PullError(Exception):
    """The remote collection could not be read (HTTP error, not a TAXII envelope)."""


@dataclass(frozen=True)
class Remote:
    """A remote collection: its API root (ending in /), its id, the Bearer token if any."""

    api_root: str
    collection_id: str
    token: str | None = None

    @property
    def objects_url(self) -> str:
        return f"{self.api_root.rstrip('/')}/collections/{self.collection_id}/objects/"


@dataclass
class PullReport:
    objects: int = 0
    added_after: str | None = None
    added_last: str | None = None
    drafts: list[imports.DraftOut] = field(default_factory=list)
    refused: list[imports.Refusal] = field(default_factory=list)
    overtaken: bool = False  # another node pulled meanwhile: nothing stored by this one

    def as_json(self) -> dict[str, Any]:
        """The report as plain JSON values, for `--json` and logs."""
        return {
            "objects": self.objects, "added_after": self.added_after,
            "added_last": self.added_last,
            "drafts": [d.model_dump(mode="json") for d in self.drafts],
            "refused": [r.model_dump(mode="json") for r in self.refused],
            "overtaken": self.overtaken,
        }  # fmt: skip


def _page(client: httpx.Client, remote: Remote, params: dict[str, str]) -> httpx.Response:
    headers = {"Accept": TAXII_MEDIA}
    if remote.token:
        headers["Authorization"] = f"Bearer {remote.token}"
    try:
        response = client.get(remote.objects_url, params=params, headers=headers)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise PullError(f"cannot read {remote.objects_url}: {exc}") from None
    return response


def _envelope(response: httpx.Response) -> dict[str, Any]:
    try:
        envelope = response.json() if response.content else {}
    except ValueError as exc:
        raise PullError(f"not a TAXII envelope: {exc}") from None
    if not isinstance(envelope, dict) or not isinstance(envelope.get("objects", []), list):
        raise PullError("not a TAXII envelope: no list of objects")
    return envelope


def fetch_added_after(
    *, client: httpx.Client, remote: Remote, added_after: str | None
) -> tuple[list[Any], str | None]:
    """Every object added to the remote collection after `added_after`, over all pages,
    and the remote's `X-TAXII-Date-Added-Last` (None when nothing was added); a report
    comes with every object it refers to, so that an updated report imports whole."""
    params = {"limit": str(PAGE_LIMIT)} | ({"added_after": added_after} if added_after else {})
    objects, last = _fetch_pages(client, remote, params)
    have = {o.get("id") for o in objects if isinstance(o, dict)}
    refs = {ref for o in objects if isinstance(o, dict) and o.get("type") == "report"
            for ref in o.get("object_refs", []) if isinstance(ref, str)}  # fmt: skip
    missing = sorted(refs - have)
    for start in range(0, len(missing), REFS_PER_REQUEST):
        ids = ",".join(missing[start : start + REFS_PER_REQUEST])
        objects += _fetch_pages(client, remote, {"limit": str(PAGE_LIMIT), "match[id]": ids})[0]
    return objects, last


def _fetch_pages(
    client: httpx.Client, remote: Remote, params: dict[str, str]
) -> tuple[list[Any], str | None]:
    objects: list[Any] = []
    last: str | None = None
    for _ in range(MAX_PAGES):
        response = _page(client, remote, params)
        envelope = _envelope(response)
        objects += envelope.get("objects", [])
        last = response.headers.get("X-TAXII-Date-Added-Last") or last
        if not envelope.get("more"):
            break
        if envelope.get("next"):
            params["next"] = str(envelope["next"])
        elif last:  # no `next` token: page on by date (TAXII 2.1, section 3.4)
            params.pop("next", None)
            params["added_after"] = last
        else:
            raise PullError("the remote says more but gives neither next nor a date")
    return objects, last


def _marker(session: Session, remote: Remote, org_id: uuid.UUID) -> TaxiiPull | None:
    return session.scalar(select(TaxiiPull).where(
        TaxiiPull.org_id == org_id, TaxiiPull.api_root == remote.api_root,
        TaxiiPull.collection_id == remote.collection_id))  # fmt: skip


def _advance(
    session: Session, remote: Remote, org_id: uuid.UUID, last: str | None, now: datetime,
    detail: str | None,
) -> None:  # fmt: skip
    marker = _marker(session, remote, org_id)
    if marker is None:
        marker = TaxiiPull(org_id=org_id, api_root=remote.api_root,
                           collection_id=remote.collection_id)  # fmt: skip
        session.add(marker)
    marker.added_last = last or marker.added_last
    marker.pulled_at, marker.detail = now, detail


def _bundle(objects: list[Any]) -> dict[str, Any]:
    return {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": objects}


class _Overtaken(Exception):
    """Another node pulled the same collection for the same organisation meanwhile."""


def _claim(session: Session, remote: Remote, org_id: uuid.UUID, expected: str | None) -> None:
    """Lock the marker; _Overtaken when it moved since this pull read it."""
    marker = session.scalar(select(TaxiiPull).where(
        TaxiiPull.org_id == org_id, TaxiiPull.api_root == remote.api_root,
        TaxiiPull.collection_id == remote.collection_id).with_for_update())  # fmt: skip
    if (marker.added_last if marker else None) != expected:
        raise _Overtaken


def _store(
    sessions: sessionmaker[Session], remote: Remote, org_id: uuid.UUID, by: Actor, clock: Clock,
    objects: list[Any], last: str | None, report: PullReport,
) -> None:  # fmt: skip
    """Import the objects and move the marker in one transaction."""
    try:
        with transaction(sessions) as session:
            _claim(session, remote, org_id, report.added_after)
            if objects:
                result = imports.import_document(
                    session=session, document=_bundle(objects), org_id=org_id, by=by,
                    network=network_service.load_network(session=session), now=clock.now(),
                    update_drafts=True,
                )  # fmt: skip
                report.drafts, report.refused = result.drafts, result.refused
            _advance(session, remote, org_id, last, clock.now(), None)
    except InvalidInput as exc:  # nothing importable: report it and do not read it again
        report.refused = [imports.Refusal(object=e.field, reason=e.reason) for e in exc.errors]
        with transaction(sessions) as session:
            _claim(session, remote, org_id, report.added_after)
            _advance(session, remote, org_id, last, clock.now(), json.dumps(
                [r.model_dump() for r in report.refused])[:10_000])  # fmt: skip


def pull(
    *, sessions: sessionmaker[Session], remote: Remote, org_id: uuid.UUID, by: Actor,
    clock: Clock, client: httpx.Client,
) -> PullReport:  # fmt: skip
    """Import what the remote collection added since the last pull as drafts of `org_id`.

    PullError (nothing stored, the marker kept) when the remote cannot be read. When another
    node pulled the same collection meanwhile, nothing is stored and `overtaken` is set.
    """
    with transaction(sessions) as session:
        marker = _marker(session, remote, org_id)
        report = PullReport(added_after=marker.added_last if marker else None)
    objects, last = fetch_added_after(client=client, remote=remote, added_after=report.added_after)
    report.objects, report.added_last = len(objects), last or report.added_after
    try:
        _store(sessions, remote, org_id, by, clock, objects, last, report)
    except (_Overtaken, IntegrityError):  # IntegrityError: both inserted the first marker
        report.overtaken, report.drafts, report.refused = True, [], []
    return report


def _due(state: AppState, source: TaxiiPullSource, remote: Remote) -> bool:
    with transaction(state.sessions) as session:
        marker = _marker(session, remote, source.org)
        last_pull = marker.pulled_at if marker else None
    period = timedelta(minutes=source.every_minutes)
    return last_pull is None or state.clock.now() - last_pull >= period


def remote_of(source: TaxiiPullSource) -> Remote:
    """The remote collection a configured source names."""
    token = source.token.get_secret_value() if source.token else None
    return Remote(api_root=source.url, collection_id=source.collection, token=token)


def tick(state: AppState, client: httpx.Client | None = None) -> list[PullReport]:
    """Pull each configured source whose period has passed; a failing remote waits for the
    next tick and does not stop the others."""
    reports = []
    owned = contextlib.nullcontext(client) if client else httpx.Client(timeout=60)
    with owned as http:
        for source in state.settings.taxii_pull_sources:
            remote = remote_of(source)
            if not _due(state, source, remote):
                continue
            try:
                reports.append(pull(sessions=state.sessions, remote=remote, org_id=source.org,
                                    by=Actor(org_id=source.org), clock=state.clock,
                                    client=http))  # fmt: skip
            except PullError as exc:
                log.warning("taxii pull of %s failed: %s", remote.objects_url, exc)
    return reports


def job() -> Job:
    """The periodic pull of `TOCSIN_TAXII_PULL_SOURCES` (each at its own period)."""
    return Job("taxii-pull", 60, tick)
