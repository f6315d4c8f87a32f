"""Routes of the STIX/MISP exchange: export one alert, import a bundle or an event."""

from __future__ import annotations

import enum
import uuid
from typing import Any

from fastapi import APIRouter, Body, Query, status
from fastapi.responses import Response

from tocsin.deps import NowDep, SessionDep
from tocsin.exchange import imports
from tocsin.exchange.files import MEDIA_TYPES, export_response
from tocsin.exchange.imports import ImportReport
from tocsin.network.auth import NetworkDep, PrincipalDep
from tocsin.network.models import Scope
from tocsin.schemas_common import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1", tags=["interop"], responses=PROBLEM_RESPONSES)


class ExportFormat(enum.StrEnum):
    stix = "stix"
    misp = "misp"


_EXPORT_CONTENT: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "the bundle or the event, with a file name (Content-Disposition)",
        "content": {media: {"schema": {"type": "object"}} for media in MEDIA_TYPES.values()},
    }
}


@router.get("/alerts/{alert_id}/export", response_class=Response, responses=_EXPORT_CONTENT)
def export_alert(
    alert_id: uuid.UUID,
    principal: PrincipalDep,
    session: SessionDep,
    network: NetworkDep,
    now: NowDep,
    format: ExportFormat = ExportFormat.stix,
) -> Response:
    """The alert as a STIX 2.1 bundle or a MISP event, as you may see it.

    AMBER+STRICT and RED alerts are exported to their source only: exports are for tools
    that re-share.
    """
    principal.require_scope(Scope.read)
    document = imports.export_alert(
        session=session,
        alert_id=alert_id,
        viewer_id=principal.org_id,
        by=principal.actor,
        network=network,
        now=now,
        format=format.value,
        door=format.value,
    )
    return export_response(document, alert_id, format.value)


@router.post("/imports", response_model=ImportReport, status_code=status.HTTP_201_CREATED)
def import_document(
    principal: PrincipalDep,
    session: SessionDep,
    network: NetworkDep,
    now: NowDep,
    body: dict[str, Any] = Body(
        description="a STIX 2.1 bundle or lone object, or a MISP event (wrapped or bare)"
    ),
    dry_run: bool = Query(default=False, description="report what would be created, store none"),
    strict: bool = Query(default=False, description="refuse the whole file on any bad object"),
) -> ImportReport:
    """Turn a STIX bundle (one draft per report) or a MISP event into draft alerts.

    The valid objects are imported; each refused one is listed in `refused` with its reason.
    A 422 when nothing could be imported, or with `strict` when anything was refused.
    """
    principal.require_writer()
    return imports.import_document(
        session=session,
        document=body,
        org_id=principal.org_id,
        by=principal.actor,
        network=network,
        now=now,
        dry_run=dry_run,
        strict=strict,
    )
