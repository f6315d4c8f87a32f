"""How one audit record reads for one reader, pure: the record keeps the facts, each reader
sees them through the same sharing rules as the alert the record is about.

- A record about an alert the reader may not open is not shown at all (a RED alert sent to
  someone else, a draft of another organisation): not its title, its source, the
  organisations it concerns, nor that it exists. The reader's own deed stays visible.
- A record about an alert the reader may open names the source only to those the alert
  names it to, and the affected establishment likewise: a hidden organisation is removed
  from `concerns` and `details`, and an act of the hidden organisation loses its actor.
- A record that reached the reader only through a hidden organisation is not shown.
- An act recorded as anonymous (an anonymous sighting) names its actor only to the actor
  and its relays, as an anonymous alert names its source.
Other records read as stored.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tocsin.audit.schemas import AuditRecordOut
from tocsin.sharing.rules import AlertFacts, Network, can_see, reveals_affected, reveals_source

HIDDEN = "hidden"


@dataclass(frozen=True)
class Reader:
    """Who reads the trail: an organisation and the organisations whose records it may read.
    `org_id` None is an administrator of the hub, who reads the records as stored."""

    org_id: uuid.UUID | None
    perimeter: frozenset[uuid.UUID] | None


def hidden_orgs(viewer_id: uuid.UUID, alert: AlertFacts, network: Network) -> frozenset[str]:
    """The organisations of the alert this viewer may not learn, as record strings."""
    hidden: set[uuid.UUID] = set()
    if not reveals_source(viewer_id, alert, network):
        hidden.add(alert.source_id)
    if alert.affected_id is not None and not reveals_affected(viewer_id, alert, network):
        hidden.add(alert.affected_id)
    hidden.discard(viewer_id)
    return frozenset(str(o) for o in hidden)


def named_alerts(value: Any) -> set[str]:
    """The ids of other alerts a record's details name (`alert_id` entries, e.g. the related
    alerts of a correlation)."""
    if isinstance(value, list):
        return {a for v in value for a in named_alerts(v)}
    if isinstance(value, dict):
        found = {a for v in value.values() for a in named_alerts(v)}
        if isinstance(value.get("alert_id"), str):
            found.add(value["alert_id"])
        return found
    return set()


def _hides(value: Any, hidden: frozenset[str]) -> bool:
    if isinstance(value, dict):
        return value.get("alert_id") in hidden
    return isinstance(value, str) and value in hidden


def _scrub(value: Any, hidden: frozenset[str]) -> Any:
    """The value with every mention of a hidden organisation or alert taken out."""
    if isinstance(value, str):
        return HIDDEN if value in hidden else value
    if isinstance(value, list):
        return [_scrub(v, hidden) for v in value if not _hides(v, hidden)]
    if isinstance(value, dict):
        return {k: _scrub(v, hidden) for k, v in value.items()}
    return value


def render(
    record: AuditRecordOut,
    reader: Reader,
    alert: AlertFacts | None,
    network: Network,
    *,
    about_alert: bool,
    unseen_alerts: frozenset[str] = frozenset(),
) -> AuditRecordOut | None:
    """The record as this reader may read it, or None when the reader may not see it.

    `about_alert`: the record is about an alert; `alert` its facts (None: the alert is gone,
    so only the record's own actor still reads it). `unseen_alerts`: other alerts its
    details name that the reader may not open, taken out of them."""
    if reader.org_id is None:
        return record
    viewer = reader.org_id
    hidden = _anonymous_actor(record, viewer, network)
    if not about_alert:
        return _shown(record, hidden, reader)
    own_deed = record.actor_org_id == viewer
    if alert is None:
        return record if own_deed else None
    if not (own_deed or can_see(viewer, alert, network)):
        return None
    return _shown(record, hidden | hidden_orgs(viewer, alert, network) | unseen_alerts, reader)


def _anonymous_actor(record: AuditRecordOut, viewer: uuid.UUID, network: Network) -> frozenset[str]:
    """The actor of an act recorded as anonymous, unless the viewer is it or its relay."""
    actor = record.actor_org_id
    if record.details.get("anonymous") is not True or actor is None or actor == viewer:
        return frozenset()
    return frozenset() if viewer in network.relays_of(actor) else frozenset({str(actor)})


def _shown(record: AuditRecordOut, hidden: frozenset[str], reader: Reader) -> AuditRecordOut | None:
    """The record without the hidden organisations and alerts; None when nothing of the
    reader's perimeter is left in it."""
    if not hidden:
        return record
    changes: dict[str, Any] = {
        "concerns": [o for o in record.concerns if o not in hidden],
        "details": _scrub(record.details, hidden),
    }
    if record.actor_org_id is not None and str(record.actor_org_id) in hidden:
        changes |= {"actor_org_id": None, "actor_user_id": None, "actor_token_id": None,
                    "source_ip": None}  # fmt: skip
    shown = record.model_copy(update=changes)
    if reader.perimeter is not None and not _reaches(shown, reader.perimeter):
        return None
    return shown


def _reaches(record: AuditRecordOut, perimeter: frozenset[uuid.UUID]) -> bool:
    """Does the record, as shown, still concern an organisation of the reader's perimeter?"""
    named = {uuid.UUID(o) for o in record.concerns}
    if record.actor_org_id is not None:
        named.add(record.actor_org_id)
    return bool(named & perimeter)


def alert_of(record: AuditRecordOut, indicator_alerts: Mapping[str, uuid.UUID]) -> str | None:
    """The id of the alert a record is about, if any: its target, or the alert of its
    indicator."""
    if record.target_type == "alert":
        return record.target_id
    if record.target_type == "indicator":
        found = indicator_alerts.get(record.target_id)
        return str(found) if found else record.target_id
    return None
