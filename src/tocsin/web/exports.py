"""Downloads from the alert page: the STIX 2.1 bundle and the MISP event, as the API's
export gives them (same visibility, same refusal of AMBER+STRICT and RED re-sharing)."""

from __future__ import annotations

import json
import uuid

from fastapi import APIRouter, Request
from fastapi.responses import Response

from tocsin.deps import NetworkDep, SessionDep
from tocsin.errors import Forbidden, NotFound
from tocsin.interop import imports
from tocsin.web.auth import MemberDep, org_id_of
from tocsin.web.inbox import not_found_page, page

router = APIRouter(include_in_schema=False)

FORMATS = {"stix": "stix.json", "misp": "misp.json"}


@router.get("/alerts/{alert_id}/export.{kind}.json")
def download(
    request: Request, alert_id: uuid.UUID, kind: str, who: MemberDep, session: SessionDep,
    network: NetworkDep,
) -> Response:  # fmt: skip
    """The alert as a file for the tools of the establishment."""
    if kind not in FORMATS:
        return not_found_page(request, who)
    try:
        document = imports.export_alert(
            session=session,
            alert_id=alert_id,
            viewer_id=org_id_of(who),
            network=network,
            format=kind,
        )
    except NotFound:
        return not_found_page(request, who)
    except Forbidden as refused:
        return page(request, who, "message.html", 403, message=refused.detail)
    headers = {
        "Content-Disposition": f'attachment; filename="tocsin-{alert_id}.{FORMATS[kind]}"',
        "X-Content-Type-Options": "nosniff",
    }
    return Response(json.dumps(document, indent=2), media_type="application/json",
                    headers=headers)  # fmt: skip
