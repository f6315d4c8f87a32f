"""What the machine channels send: the event envelope (live, webhook); e-mails to people
are `letters`.

The envelope depends only on stored facts (the delivery row and its rendered payload), so a
delivery sent twice after a crash carries the same bytes and the same event id.
"""

from __future__ import annotations

import json
from typing import Any

# Deliveries that carry a notice (to relays, to authors) rather than an alert revision.
NOTICE_ACTIONS = frozenset({"declaration", "correlation", "escalation"})


def event_type(action: str) -> str:
    """`alert.publish`, `alert.update`, `alert.close`, `alert.retract`; or a notice:
    `notice.declaration` (to relays), `notice.correlation` (to authors and relays),
    `notice.escalation` (a recipient stayed silent: to its director, then its relays)."""
    return f"notice.{action}" if action in NOTICE_ACTIONS else f"alert.{action}"


def envelope(
    *, event_id: str, action: str, revision: int, timestamp: str, alert: dict[str, Any]
) -> dict[str, Any]:
    """The JSON document of one event, the same for the live stream and webhooks."""
    return {
        "type": event_type(action),
        "event_id": event_id,
        "timestamp": timestamp,
        "revision": revision,
        "data": alert,
    }


def envelope_bytes(**fields: Any) -> bytes:
    return json.dumps(envelope(**fields), separators=(",", ":"), sort_keys=True).encode()
