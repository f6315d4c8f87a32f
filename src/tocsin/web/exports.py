"""Downloads from the alert page: the STIX 2.1 bundle and the MISP event, as the API's
export gives them (the same read path, the same refusal of AMBER+STRICT and RED
re-sharing)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from fastapi.responses import Response

from tocsin.deps import NowDep, SessionDep
from tocsin.errors import NotFound
from tocsin.exchange import files, imports
from tocsin.network.auth import NetworkDep
from tocsin.web.auth import MemberDep, principal_of

router = APIRouter(include_in_schema=False)


@router.get("/alerts/{alert_id}/export.{kind}.json")
def download(
    alert_id: uuid.UUID, kind: str, who: MemberDep, session: SessionDep,
    network: NetworkDep, now: NowDep,
) -> Response:  # fmt: skip
    """The alert as a file for the tools of the establishment."""
    if kind not in files.FILE_SUFFIX:
        raise NotFound("no such download")
    principal = principal_of(who)
    document = imports.export_alert(
        session=session, alert_id=alert_id, viewer_id=principal.org_id, by=principal.actor,
        network=network, now=now, format=kind, door=f"page.{kind}",
    )  # fmt: skip
    return files.export_response(document, alert_id, kind)
