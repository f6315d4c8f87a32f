"""The collections a caller sees, derived from who it is (pure, no I/O).

- one collection per TLP level that may appear in re-sharing feeds (CLEAR, GREEN, AMBER),
  holding the STIX objects of the alerts of that level, each row checked with the sharing
  rules on every read;
- "received": the indicators of the alerts the caller's organisation received (a view
  over the TLP collections);
- "submissions": the caller's organisation's own writable collection.
AMBER+STRICT and RED never leave tocsin through TAXII.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass

from tocsin.errors import Forbidden
from tocsin.network.principal import Principal
from tocsin.sharing.tlp import TLP

# Fixed namespace so collection ids are stable across nodes and restarts.
NAMESPACE = uuid.UUID("6f3f0b9e-4d1c-5a8e-9b7a-2c1d0e5f4a31")

FEED_LEVELS = tuple(t for t in TLP if t.in_resharing_feeds)


class Kind(enum.StrEnum):
    tlp = "tlp"
    received = "received"
    submissions = "submissions"


@dataclass(frozen=True)
class CollectionView:
    id: str
    kind: Kind
    title: str
    description: str
    can_read: bool
    can_write: bool
    tlp: TLP | None = None
    org_id: uuid.UUID | None = None


def tlp_collection_id(tlp: TLP) -> str:
    return str(uuid.uuid5(NAMESPACE, f"tlp:{tlp.value}"))


def received_collection_id() -> str:
    return str(uuid.uuid5(NAMESPACE, "received"))


def submissions_collection_id(org_id: uuid.UUID) -> str:
    return str(uuid.uuid5(NAMESPACE, f"submissions:{org_id}"))


def _may_write(principal: Principal) -> bool:
    try:
        principal.require_writer()
    except Forbidden:  # a read-only token or role
        return False
    return True


def collections_for(principal: Principal) -> list[CollectionView]:
    """Every collection the caller may use, in a stable order."""
    views = [
        CollectionView(
            id=tlp_collection_id(tlp),
            kind=Kind.tlp,
            title=f"Alerts {tlp.label}",
            description=f"STIX objects of the {tlp.label} alerts you may read.",
            can_read=True,
            can_write=False,
            tlp=tlp,
        )
        for tlp in FEED_LEVELS
    ]
    views.append(
        CollectionView(
            id=received_collection_id(),
            kind=Kind.received,
            title="Indicators received",
            description="Indicators of the alerts your organisation received.",
            can_read=True,
            can_write=False,
        )
    )
    views.append(
        CollectionView(
            id=submissions_collection_id(principal.org_id),
            kind=Kind.submissions,
            title="Submissions",
            description="STIX objects your organisation submitted; readable by it only.",
            can_read=True,
            can_write=_may_write(principal),
            org_id=principal.org_id,
        )
    )
    return views


def find_collection(principal: Principal, collection_id: str) -> CollectionView | None:
    """The caller's collection with this id, or None (unknown and invisible look the same)."""
    return next((c for c in collections_for(principal) if c.id == collection_id), None)
