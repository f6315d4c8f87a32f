"""The readers of an alert, written from the TLP 2.0 definitions rather than from can_see."""

from __future__ import annotations

import uuid

from tocsin.sharing.rules import AlertFacts, Network, recipients
from tocsin.sharing.tlp import TLP


def expected_readers(net: Network, facts: AlertFacts) -> set[uuid.UUID]:
    if facts.draft:
        return {facts.source_id}
    to = set(recipients(facts, net))
    if facts.tlp in (TLP.clear, TLP.green):
        return set(net.orgs)
    # The establishment the incident hit reads what is shared about it, whatever the scope.
    involved = {facts.source_id}
    if facts.affected_id in net.orgs:
        involved.add(facts.affected_id)
    if facts.tlp is TLP.red:
        return to | involved
    relays = set().union(*(net.relays_of(o) for o in to | involved))
    return to | relays | involved
