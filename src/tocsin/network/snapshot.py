"""The hierarchy the sharing rules read, kept once per node while it does not change.

Every request of every door needs the whole network (who is whose group, region, relay):
at 3,000 organisations, reading it again per request cost more than the request's own work.
Organisations are only ever added (none is moved, re-kinded or removed: no service or route
changes `kind`, `group_id` or `region_id`), so the number of rows identifies the hierarchy.
Each request still reads that number in its own transaction, so an organisation added by
another node or process is seen by the next request, never a stale network.
"""

from __future__ import annotations

from threading import Lock

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tocsin.db import NODE_MEMO_INFO
from tocsin.network.models import Organisation
from tocsin.sharing.rules import Network, OrgNode

# Where the node's `NetworkCache` is kept in its sessions' shared memo.
NETWORK_CACHE = "network"


class NetworkCache:
    """The last network read by this node, with the number of organisations it held."""

    def __init__(self) -> None:
        self._held: tuple[int, Network] | None = None
        self._lock = Lock()

    def get(self, count: int) -> Network | None:
        held = self._held
        return held[1] if held is not None and held[0] == count else None

    def keep(self, count: int, network: Network) -> None:
        with self._lock:
            if self._held is None or self._held[0] <= count:
                self._held = (count, network)


def read_network(session: Session) -> Network:
    rows = session.execute(
        select(Organisation.id, Organisation.kind, Organisation.group_id, Organisation.region_id)
    )
    return Network.of(
        OrgNode(id=r.id, kind=r.kind.value, group_id=r.group_id, region_id=r.region_id)
        for r in rows
    )


def load_network(*, session: Session) -> Network:
    """A snapshot of the hierarchy for the pure sharing rules, as this transaction sees it."""
    memo = session.info.get(NODE_MEMO_INFO)
    if not isinstance(memo, dict):  # a session made outside a node's sessionmaker
        return read_network(session)
    cache = memo.get(NETWORK_CACHE) or memo.setdefault(NETWORK_CACHE, NetworkCache())
    count = session.scalar(select(func.count()).select_from(Organisation)) or 0
    held = cache.get(count)
    if held is not None:
        return held
    network = read_network(session)
    if len(network.orgs) == count:  # the same snapshot: nothing was added in between
        cache.keep(count, network)
    return network
