"""Who hears of a silent organisation at the second stage, against the rule the escalation
job applied before it read the pure network: the group and the region above (the group's
region when the organisation names none); the national CERTs for one with neither."""

from __future__ import annotations

import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.sharing.test_rules import NET, I, networks, shared
from tocsin.sharing.rules import AlertFacts, Network, audience, readers, recipients, source_readers


def former_rule(net: Network, org_id: uuid.UUID) -> set[uuid.UUID]:
    node = net.orgs[org_id]
    group = net.orgs.get(node.group_id) if node.group_id else None
    region_id = node.region_id or (group.region_id if group else None)
    above = {i for i in (node.group_id, region_id) if i is not None}
    if not above:
        above = {o.id for o in net.orgs.values() if o.kind == "national" and o.id != org_id}
    return above


def test_an_establishment_escalates_to_its_group_and_region_not_the_nation() -> None:
    assert NET.escalation_relays(I["E1"]) == {I["G1"], I["R1"]}
    assert NET.escalation_relays(I["G3"]) == {I["R2"]}
    assert NET.escalation_relays(I["R1"]) == {I["N"]}  # a region answers to the nation
    assert NET.escalation_relays(I["P"]) == {I["N"]}  # a partner has nobody else above
    assert NET.escalation_relays(I["N"]) == set()
    assert NET.escalation_relays(uuid.uuid4()) == set()


@settings(max_examples=300, deadline=None)
@given(networks(), st.data())
def test_escalation_relays_follow_the_former_rule(net: Network, data: st.DataObject) -> None:
    org_id = data.draw(st.sampled_from(sorted(net.orgs)))
    assert set(net.escalation_relays(org_id)) == former_rule(net, org_id)


@settings(max_examples=300, deadline=None)
@given(networks(), st.data())
def test_escalation_relays_are_relays_of_the_organisation(
    net: Network, data: st.DataObject
) -> None:
    org_id = data.draw(st.sampled_from(sorted(net.orgs)))
    assert net.escalation_relays(org_id) <= net.relays_of(org_id)


@settings(max_examples=200, deadline=None)
@given(shared())
def test_an_audience_is_the_rules_asked_once(case: tuple[Network, AlertFacts]) -> None:
    net, facts = case
    who = audience(facts, net)
    assert who.facts == facts
    assert who.recipients == recipients(facts, net)
    assert who.readers == readers(facts, net)
    assert who.told_source == source_readers(facts, net)
