"""What the machine channels send: the event envelope (live, webhook); e-mails to people
are `letters`.

The envelope depends only on stored facts (the delivery row and its rendered payload), so a
delivery sent twice after a crash carries the same bytes and the same event id.
"""

from __future__ import annotations

import json
from typing import Any

# Deliveries that carry a notice (to relays, to authors) rather than an alert revision.
NOTICE_ACTIONS = frozenset({"declaration", "correlation", "escalation", "reminder"})


def event_type(action: str) -> str:
    """`alert.publish`, `alert.update`, `alert.close`, `alert.retract`; or a notice:
    `notice.declaration` (to relays), `notice.correlation` (to authors and relays),
    `notice.escalation` (a recipient stayed silent: to its director, then its relays)."""
    return f"notice.{action}" if action in NOTICE_ACTIONS else f"alert.{action}"


def envelope(
    *, event_id: str, action: str, revision: int, timestamp: str, alert: dict[str, Any],
    exercise: bool = False,
) -> dict[str, Any]:  # fmt: skip
    """The JSON document of one event, the same for the live stream and webhooks;
    `exercise` is true for a rehearsal, so a receiver's automation can tell at once."""
    return {
        "type": event_type(action),
        "event_id": event_id,
        "timestamp": timestamp,
        "revision": revision,
        "exercise": exercise,
        "data": alert,
    }


def is_exercise(body: dict[str, Any]) -> bool:
    """Whether a stored payload (an alert or a notice) belongs to an exercise."""
    return bool(body.get("exercise"))


def envelope_bytes(**fields: Any) -> bytes:
    return json.dumps(envelope(**fields), separators=(",", ":"), sort_keys=True).encode()


def data_bytes(alert: dict[str, Any]) -> bytes:
    """A payload serialised once, to be wrapped in many envelopes (`envelope_around`)."""
    return json.dumps(alert, separators=(",", ":"), sort_keys=True).encode()


def envelope_around(
    data: bytes, *, event_id: str, action: str, revision: int, timestamp: str,
    exercise: bool = False,
) -> bytes:  # fmt: skip
    """The same bytes as `envelope_bytes`, around an already serialised payload: a national
    alert goes to thousands of endpoints with a handful of payloads. `data` sorts before
    every other key, so it opens the document."""
    rest = envelope(
        event_id=event_id, action=action, revision=revision, timestamp=timestamp, alert={},
        exercise=exercise,
    )  # fmt: skip
    del rest["data"]
    tail = json.dumps(rest, separators=(",", ":"), sort_keys=True).encode()
    return b'{"data":' + data + b"," + tail[1:]
