"""The running regulatory clocks, as a fragment the director's dashboard and the relay
board load (`_clocks.html`, htmx, refreshed every minute): each step not yet sent of the
incidents the reader's organisation declared or relays, with its countdown."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin.deps import NowDep, SessionDep, SettingsDep
from tocsin.localtime import moment_text
from tocsin.network import service as network_service
from tocsin.network.auth import NetworkDep
from tocsin.obligations import service as obligations
from tocsin.relay.models import Declaration
from tocsin.relay.vocab import DeclarationStatus
from tocsin.sharing.rules import Network
from tocsin.web.auth import MemberDep, org_id_of
from tocsin.web.render import page

router = APIRouter(include_in_schema=False)


def _perimeter(viewer: uuid.UUID, network: Network) -> list[uuid.UUID] | None:
    """The organisations whose clocks the viewer follows: its own and those it relays."""
    node = network.orgs.get(viewer)
    if node is not None and node.kind == "national":
        return None
    return sorted(network.members(viewer) | {viewer})


def running_clocks(
    session: Session, viewer: uuid.UUID, network: Network, now: datetime, *, zone: str,
    language: str,
) -> list[dict[str, Any]]:  # fmt: skip
    """Each running step with its incident, establishment, due time in the hub's zone and
    seconds left (negative: late)."""
    rows = obligations.running(session=session, org_ids=_perimeter(viewer, network))
    ids = {r.declaration_id for r in rows}
    query = select(Declaration.id, Declaration.title).where(
        Declaration.id.in_(ids), Declaration.status != DeclarationStatus.closed
    )
    open_titles = {i: title for i, title in session.execute(query)} if ids else {}
    names = network_service.names_of(session=session, org_ids={r.org_id for r in rows})
    return [
        {"declaration_id": r.declaration_id, "title": open_titles[r.declaration_id],
         "organisation": names.get(r.org_id, "?"), "regime": r.regime, "step": r.step,
         "due_at": r.due_at, "seconds": int((r.due_at - now).total_seconds()),
         "due_text": moment_text(r.due_at, zone_name=zone, language=language)}
        for r in rows
        if r.declaration_id in open_titles and r.due_at is not None
    ]  # fmt: skip


@router.get("/clocks")
def clocks_fragment(
    request: Request, who: MemberDep, session: SessionDep, network: NetworkDep, now: NowDep,
    settings: SettingsDep,
) -> Response:  # fmt: skip
    """The fragment of running clocks (also readable alone)."""
    rows = running_clocks(session, org_id_of(who), network, now, zone=settings.time_zone,
                          language=who.language)  # fmt: skip
    return page(request, who, "_clocks_rows.html", clocks=rows)
