"""Routes of the STIX/MISP exchange: export one alert, import a bundle or an event."""

from __future__ import annotations

import enum
import uuid
from typing import Any

from fastapi import APIRouter, Body, Query, status

from tocsin.deps import NowDep, SessionDep
from tocsin.exchange import imports
from tocsin.exchange.imports import ImportReport
from tocsin.network.auth import NetworkDep, PrincipalDep
from tocsin.network.models import Scope
from tocsin.schemas_common import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1", tags=["interop"], responses=PROBLEM_RESPONSES)


class ExportFormat(enum.StrEnum):
    stix = "stix"
    misp = "misp"


@router.get("/alerts/{alert_id}/export", response_model=dict[str, Any])
def export_alert(
    alert_id: uuid.UUID,
    principal: PrincipalDep,
    session: SessionDep,
    network: NetworkDep,
    now: NowDep,
    format: ExportFormat = ExportFormat.stix,
) -> dict[str, Any]:
    """The alert as a STIX 2.1 bundle or a MISP event, as you may see it.

    AMBER+STRICT and RED alerts are exported to their source only: exports are for tools
    that re-share.
    """
    principal.require_scope(Scope.read)
    return imports.export_alert(
        session=session,
        alert_id=alert_id,
        viewer_id=principal.org_id,
        by=principal.actor,
        network=network,
        now=now,
        format=format.value,
        door=format.value,
    )


@router.post("/imports", response_model=ImportReport, status_code=status.HTTP_201_CREATED)
def import_document(
    principal: PrincipalDep,
    session: SessionDep,
    network: NetworkDep,
    now: NowDep,
    body: dict[str, Any] = Body(description="a STIX 2.1 bundle or a MISP event (detected)"),
    dry_run: bool = Query(default=False, description="report what would be created, store none"),
) -> ImportReport:
    """Turn a STIX bundle (one draft per report) or a MISP event into draft alerts."""
    principal.require_writer()
    return imports.import_document(
        session=session,
        document=body,
        org_id=principal.org_id,
        by=principal.actor,
        network=network,
        now=now,
        dry_run=dry_run,
    )
