"""Where other packages plug into the pages, through `AppState.components` (no import cycle).

- `web.response_cells`: `(session, org_id, alert_ids) -> {alert_id: cells}` where cells may hold
  "acknowledged_at", "applicability", "time_to_acknowledge" and, while unacknowledged,
  "escalates_at" (all display strings). Feeds the inbox and the director's dashboard.
- `web.alert_response`: `(session, principal, alert_id, csrf, language) -> str`, an HTML
  fragment (escaped by its producer) shown in the alert page's response section: the
  acknowledge and applicability buttons. Its forms post `csrf_token` = the csrf given.
"""

from __future__ import annotations

import uuid
from typing import Any

from markupsafe import Markup
from sqlalchemy.orm import Session

from tocsin.network.principal import Principal
from tocsin.state import AppState

RESPONSE_CELLS = "web.response_cells"
ALERT_RESPONSE = "web.alert_response"


def response_cells(
    state: AppState, session: Session, org_id: uuid.UUID, alert_ids: list[uuid.UUID]
) -> dict[uuid.UUID, dict[str, str]]:
    source: Any = state.components.get(RESPONSE_CELLS)
    return dict(source(session, org_id, alert_ids)) if source and alert_ids else {}


def alert_response(
    state: AppState, session: Session, principal: Principal, alert_id: uuid.UUID, csrf: str,
    language: str,
) -> Markup:  # fmt: skip
    source: Any = state.components.get(ALERT_RESPONSE)
    if source is None:
        return Markup("")
    return Markup(source(session, principal, alert_id, csrf, language))  # noqa: S704 - producer escapes
