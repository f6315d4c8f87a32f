"""Blocklist feeds for machines: the indicators a caller may use now, as text, CSV and RPZ.

An indicator is in a feed while it is valid (no `valid_until`, or one in the future), not
withdrawn, of a published, updated or closed alert the caller may read, at a level that
may be re-shared (never AMBER+STRICT nor RED). Each feed carries an ETag; a client sending
it back in `If-None-Match` gets 304 while nothing changed.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Response
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from tocsin.alerts.models import Alert, AlertIndicator
from tocsin.alerts.reads import visible_alerts
from tocsin.alerts.vocab import Status
from tocsin.deps import NowDep, SessionDep
from tocsin.errors import NotFound
from tocsin.exports import fits_one_line, spreadsheet_cell
from tocsin.indicators.types import IndicatorType
from tocsin.interop.taxii.query import facts_of
from tocsin.network.auth import NetworkDep, PrincipalDep
from tocsin.network.models import Scope
from tocsin.schemas_common import PROBLEM_RESPONSES
from tocsin.sharing.rules import Network, can_see
from tocsin.sharing.tlp import TLP

FEED_LEVELS = [t for t in TLP if t.in_resharing_feeds]
FEED_STATUSES = [Status.published, Status.updated, Status.closed]
CSV_COLUMNS = ["type", "value", "valid_until", "alert_id", "tlp", "severity", "category"]
# Owner names an RPZ zone can hold as they are: letters, digits, hyphens, dots, underscores.
_DNS_NAME = re.compile(r"^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9-]+$")
RPZ_TTL = 300
LEFT_OUT_HEADER = "Tocsin-Left-Out"


@dataclass(frozen=True)
class FeedEntry:
    type: IndicatorType
    value: str
    valid_until: datetime | None
    alert_id: uuid.UUID
    tlp: TLP
    severity: str
    category: str


def current_indicators(
    *,
    session: Session,
    viewer_id: uuid.UUID,
    network: Network,
    now: datetime,
    kind: IndicatorType | None = None,
) -> list[FeedEntry]:
    """The indicators valid now in the alerts the viewer may read, sorted by type and value."""
    visible = visible_alerts(viewer_id).with_only_columns(Alert.id)
    query = (
        select(
            AlertIndicator.type,
            AlertIndicator.value,
            AlertIndicator.valid_until,
            Alert.id,
            Alert.tlp,
            Alert.severity,
            Alert.category,
        )
        .join(Alert, Alert.id == AlertIndicator.alert_id)
        .where(Alert.id.in_(visible), Alert.tlp.in_(FEED_LEVELS))
        .where(Alert.exercise.is_(False))  # no firewall blocks on a scenario
        .where(Alert.status.in_(FEED_STATUSES), AlertIndicator.withdrawn_at.is_(None))
        .where(AlertIndicator.context.is_(False))  # context never reaches a blocklist
        .where(or_(AlertIndicator.valid_until.is_(None), AlertIndicator.valid_until > now))
        .order_by(AlertIndicator.type, AlertIndicator.value, Alert.id)
    )
    if kind is not None:
        query = query.where(AlertIndicator.type == kind)
    rows = [
        FeedEntry(t, v, until, alert_id, tlp, severity.value, category.value)
        for t, v, until, alert_id, tlp, severity, category in session.execute(query)
    ]
    facts = facts_of(session, Alert.id.in_({r.alert_id for r in rows}))
    allowed = {a for a, f in facts.items() if can_see(viewer_id, f, network)}
    return [r for r in rows if r.alert_id in allowed]


def as_text(entries: list[FeedEntry]) -> tuple[str, int]:
    """One value a line, each once; and how many values were left out for a line break."""
    values = sorted({e.value for e in entries})
    kept = [v for v in values if fits_one_line(v)]
    return "".join(f"{v}\n" for v in kept), len(values) - len(kept)


def as_csv(entries: list[FeedEntry]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180
    writer.writerow(CSV_COLUMNS)
    for e in entries:
        until = e.valid_until.isoformat().replace("+00:00", "Z") if e.valid_until else ""
        value = spreadsheet_cell(e.value)
        writer.writerow([e.type.value, value, until, e.alert_id, e.tlp.value, e.severity,
                         e.category])  # fmt: skip
    return out.getvalue()


def _rpz_refusal(domain: str) -> str | None:
    """Why a domain cannot be a rule of the zone, or None when it can."""
    if not _DNS_NAME.match(domain):
        return "not a host name a DNS zone can hold"
    if len(domain) + 2 > 253:
        return "too long to block its subdomains (*.name exceeds 253 characters)"
    return None


def rpz_records(entries: list[FeedEntry]) -> str:
    """NXDOMAIN rules (`CNAME .`) for each blocked domain and its subdomains.

    A domain the zone cannot hold is listed in a comment with the reason, never dropped
    silently: the resolver's administrator sees what is not blocked.
    """
    domains = sorted({e.value for e in entries if e.type is IndicatorType.DOMAIN})
    refused = [(d, why) for d in domains if (why := _rpz_refusal(d))]
    held = [d for d in domains if not _rpz_refusal(d)]
    notes = "".join(f"; not listed: {d}: {why}\n" for d, why in refused)
    return notes + "".join(f"{d} CNAME .\n*.{d} CNAME .\n" for d in held)


def as_rpz(records: str, serial: int) -> str:
    """A complete zone file: relative owner names, so any zone name the resolver gives fits."""
    return (
        "; tocsin response-policy zone: domains of current indicators\n"
        f"$TTL {RPZ_TTL}\n"
        f"@ IN SOA localhost. hostmaster.localhost. {serial} 3600 600 86400 {RPZ_TTL}\n"
        "@ IN NS localhost.\n" + records
    )


def _etag(text: str, weak: bool = False) -> str:
    digest = hashlib.sha256(text.encode()).hexdigest()[:32]
    return f'W/"{digest}"' if weak else f'"{digest}"'


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    bare = etag.removeprefix("W/")
    given = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return "*" in given or bare in given


def _answer(
    body: str, etag: str, media_type: str, if_none_match: str | None,
    extra: dict[str, str] | None = None,
) -> Response:  # fmt: skip
    headers = {"ETag": etag, "Cache-Control": "private, no-cache", **(extra or {})}
    if _matches(if_none_match, etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


router = APIRouter(prefix="/api/v1/feeds", tags=["feeds"], responses=PROBLEM_RESPONSES)
IfNoneMatch = Annotated[str | None, Header()]
_NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "unchanged since the ETag sent in If-None-Match"}
}


@router.get("/indicators.csv", response_class=Response, responses=_NOT_MODIFIED)
def feed_csv(
    session: SessionDep,
    principal: PrincipalDep,
    network: NetworkDep,
    now: NowDep,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """Every current indicator you may use, as CSV."""
    principal.require_scope(Scope.read)
    entries = current_indicators(
        session=session, viewer_id=principal.org_id, network=network, now=now
    )
    body = as_csv(entries)
    return _answer(body, _etag(body), "text/csv; charset=utf-8", if_none_match)


@router.get("/rpz.zone", response_class=Response, responses=_NOT_MODIFIED)
def feed_rpz(
    session: SessionDep,
    principal: PrincipalDep,
    network: NetworkDep,
    now: NowDep,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """A DNS response-policy zone blocking the current domains (BIND, Unbound, PowerDNS)."""
    principal.require_scope(Scope.read)
    entries = current_indicators(
        session=session,
        viewer_id=principal.org_id,
        network=network,
        now=now,
        kind=IndicatorType.DOMAIN,
    )
    records = rpz_records(entries)
    # The serial follows the clock; the ETag follows the records only, hence weak.
    body = as_rpz(records, serial=int(now.timestamp()))
    return _answer(body, _etag(records, weak=True), "text/dns", if_none_match)


@router.get("/suricata.rules", response_class=Response, responses=_NOT_MODIFIED)
def feed_suricata(
    session: SessionDep,
    principal: PrincipalDep,
    network: NetworkDep,
    now: NowDep,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """Suricata rules: those the alerts carry and rules generated for network indicators."""
    from tocsin.interop import suricata

    principal.require_scope(Scope.read)
    viewer = principal.org_id
    entries = current_indicators(session=session, viewer_id=viewer, network=network, now=now)
    carried = suricata.carried_rules(session=session, viewer_id=viewer, network=network)
    body = suricata.rules_file(carried, suricata.generated_rules(entries))
    return _answer(body, _etag(body), "text/plain; charset=utf-8", if_none_match)


@router.get("/{kind}.txt", response_class=Response, responses=_NOT_MODIFIED)
def feed_text(
    kind: str,
    session: SessionDep,
    principal: PrincipalDep,
    network: NetworkDep,
    now: NowDep,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """The current indicators of one type (ipv4, domain, url, sha256...), one a line.

    A value holding a line break or a tab (a file name may) is left out, never split: the
    `Tocsin-Left-Out` header counts them, and the CSV feed carries them quoted."""
    principal.require_scope(Scope.read)
    try:
        wanted = IndicatorType(kind)
    except ValueError as exc:
        raise NotFound(f"no feed of type {kind!r}") from exc
    entries = current_indicators(
        session=session, viewer_id=principal.org_id, network=network, now=now, kind=wanted
    )
    body, left_out = as_text(entries)
    # Values holding a line break cannot stand on a line of their own; the CSV feed has them.
    extra = {LEFT_OUT_HEADER: str(left_out)} if left_out else None
    return _answer(body, _etag(body), "text/plain; charset=utf-8", if_none_match, extra)
