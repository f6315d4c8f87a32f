"""Routes of the audit trail: directors for their establishment, relays for their perimeter."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse
from pydantic import AwareDatetime

from tocsin.audit.schemas import AuditPage
from tocsin.deps import SessionDep, StateDep
from tocsin.errors import Forbidden, InvalidInput
from tocsin.network.auth import NetworkDep, PrincipalDep
from tocsin.network.models import Role, Scope
from tocsin.network.principal import Principal
from tocsin.schemas_common import PROBLEM_RESPONSES
from tocsin.sharing.rules import RELAY_KINDS, Network
from tocsin.trail.render import Reader
from tocsin.trail.service import TrailQuery, read_page

router = APIRouter(prefix="/api/v1", tags=["audit"], responses=PROBLEM_RESPONSES)

RELAY_READERS = frozenset({Role.director, Role.analyst, Role.security_officer})


def readable_orgs(principal: Principal, network: Network) -> set[uuid.UUID] | None:
    """Whose trail the caller may read (None: everyone's, for admins)."""
    principal.require_scope(Scope.read)
    if Scope.admin in principal.scopes:
        return None
    if principal.org_kind in RELAY_KINDS and principal.roles & RELAY_READERS:
        return set(network.members(principal.org_id))
    if Role.director in principal.roles:
        return {principal.org_id}
    raise Forbidden("the audit trail is for directors, relays and administrators")


def reader_of(principal: Principal, network: Network) -> Reader:
    """The caller as a reader of the trail: whose records, seen from which organisation."""
    orgs = readable_orgs(principal, network)
    if orgs is None:
        return Reader(org_id=None, perimeter=None)
    return Reader(org_id=principal.org_id, perimeter=frozenset(orgs))


def _cursor(after: str | None) -> int | None:
    if after is None:
        return None
    if not after.isdigit():
        raise InvalidInput.one("after", "a sequence number from a previous page")
    return int(after)


@router.get("/audit", response_model=AuditPage)
def read_audit(
    principal: PrincipalDep,
    session: SessionDep,
    network: NetworkDep,
    after: str | None = Query(default=None, description="the `next` of the previous page"),
    since: AwareDatetime | None = None,
    action: str | None = Query(default=None, max_length=64),
    limit: int = Query(default=100, ge=1, le=1000),
) -> AuditPage:
    """The records concerning your organisation, or your perimeter for a relay; oldest first.
    Each record shows only what the sharing rules of its alert let you read."""
    items, next_seq = read_page(
        session=session, reader=reader_of(principal, network), network=network,
        query=TrailQuery(after_seq=_cursor(after), since=since, action=action), limit=limit,
    )  # fmt: skip
    return AuditPage(items=items, next=str(next_seq) if next_seq is not None else None)


@router.get(
    "/audit/export",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/x-ndjson": {}}}},
)
def export_audit(
    principal: PrincipalDep, network: NetworkDep, state: StateDep
) -> StreamingResponse:
    """The same records as JSON lines, streamed in batches."""
    reader = reader_of(principal, network)

    def lines() -> Iterator[bytes]:
        after: int | None = None
        while True:
            with state.sessions() as session:
                items, after = read_page(
                    session=session, reader=reader, network=network,
                    query=TrailQuery(after_seq=after), limit=1000,
                )  # fmt: skip
            batch = [item.model_dump(mode="json") for item in items]
            if batch:
                yield b"".join(json.dumps(item).encode() + b"\n" for item in batch)
            if after is None:
                return

    return StreamingResponse(lines(), media_type="application/x-ndjson")
