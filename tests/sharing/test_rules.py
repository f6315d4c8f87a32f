"""The sharing rules: examples of each TLP and scope, then properties over random networks."""

from __future__ import annotations

import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.sharing.oracle import expected_readers
from tocsin.sharing.rules import (
    AlertFacts,
    Network,
    OrgNode,
    ScopeKind,
    affected_readers,
    can_see,
    readers,
    recipients,
    responders,
    reveals_affected,
    reveals_source,
    scope_error,
    source_readers,
)
from tocsin.sharing.tlp import TLP


def _ids(*names: str) -> dict[str, uuid.UUID]:
    return {n: uuid.uuid5(uuid.NAMESPACE_DNS, n) for n in names}


I = _ids("N", "P", "R1", "R2", "G1", "G2", "G3", "E1", "E2", "E3", "E4", "E5")
NET = Network.of(
    [
        OrgNode(I["N"], "national"),
        OrgNode(I["P"], "partner"),
        OrgNode(I["R1"], "region"),
        OrgNode(I["R2"], "region"),
        OrgNode(I["G1"], "group", region_id=I["R1"]),
        OrgNode(I["G2"], "group", region_id=I["R1"]),
        OrgNode(I["G3"], "group", region_id=I["R2"]),
        *[OrgNode(I[e], "establishment", I["G1"], I["R1"]) for e in ("E1", "E2", "E3")],
        OrgNode(I["E4"], "establishment", I["G2"], I["R1"]),
        OrgNode(I["E5"], "establishment", I["G3"], I["R2"]),
    ]
)


def names(ids: frozenset[uuid.UUID]) -> set[str]:
    return {k for k, v in I.items() if v in ids}


def alert(tlp: TLP, scope: ScopeKind, source: str = "E1", **kw: object) -> AlertFacts:
    area = NET.default_area(I[source], scope)
    return AlertFacts(source_id=I[source], tlp=tlp, scope=scope, area_id=area, **kw)  # type: ignore[arg-type]


def test_relays_of_an_establishment_are_its_group_region_and_national():
    assert names(NET.relays_of(I["E1"])) == {"G1", "R1", "N"}
    assert names(NET.relays_of(I["G3"])) == {"R2", "N"}
    assert names(NET.relays_of(I["N"])) == set()


def test_region_scope_reaches_every_member_of_the_region_but_the_source():
    assert names(recipients(alert(TLP.amber, ScopeKind.region), NET)) == {
        "R1", "G1", "G2", "E2", "E3", "E4",
    }  # fmt: skip


def test_group_scope_reaches_the_group_only():
    assert names(recipients(alert(TLP.amber, ScopeKind.group), NET)) == {"G1", "E2", "E3"}


def test_amber_is_read_by_recipients_and_relays_above_never_by_another_region():
    facts = alert(TLP.amber, ScopeKind.group)
    assert names(readers(facts, NET)) == {"E1", "G1", "E2", "E3", "R1", "N"}
    assert not can_see(I["E5"], facts, NET)
    assert not can_see(I["E4"], facts, NET)  # same region, other group: not in a group scope


def test_green_is_read_by_every_member_but_only_the_scope_receives_it():
    facts = alert(TLP.green, ScopeKind.group)
    assert can_see(I["E5"], facts, NET) and can_see(I["P"], facts, NET)
    assert not can_see(None, facts, NET)
    assert I["E5"] not in recipients(facts, NET)


def test_clear_is_public():
    assert can_see(None, alert(TLP.clear, ScopeKind.group), NET)


def test_red_is_for_named_recipients_only_not_even_their_relays():
    facts = alert(TLP.red, ScopeKind.explicit, named=frozenset({I["E5"]}))
    assert names(readers(facts, NET)) == {"E1", "E5"}


def test_red_needs_an_explicit_scope():
    assert "explicit" in (scope_error(alert(TLP.red, ScopeKind.region), NET) or "")


def test_a_draft_is_read_by_its_source_only():
    facts = alert(TLP.clear, ScopeKind.national, draft=True)
    assert names(readers(facts, NET)) == {"E1"}
    assert recipients(facts, NET) == frozenset()


def test_an_establishment_cannot_scope_another_region():
    facts = AlertFacts(I["E1"], TLP.amber, ScopeKind.region, area_id=I["R2"])
    assert scope_error(facts, NET) == "the area is outside the source's perimeter"


def test_a_national_cert_may_scope_any_region():
    facts = AlertFacts(I["N"], TLP.amber, ScopeKind.region, area_id=I["R2"])
    assert scope_error(facts, NET) is None
    assert names(recipients(facts, NET)) == {"R2", "G3", "E5"}


def test_an_anonymous_source_is_revealed_to_itself_and_its_relays_only():
    facts = alert(TLP.amber, ScopeKind.region, anonymous=True)
    revealed = {n for n, i in I.items() if reveals_source(i, facts, NET)}
    assert revealed == {"E1", "G1", "R1", "N"}


# --- properties over random networks -------------------------------------------------------


@st.composite
def networks(draw: st.DrawFn) -> Network:
    regions = [uuid.uuid4() for _ in range(draw(st.integers(1, 3)))]
    groups = [
        (uuid.uuid4(), draw(st.sampled_from(regions))) for _ in range(draw(st.integers(1, 4)))
    ]
    nodes = [OrgNode(uuid.uuid4(), "national")]
    nodes += [OrgNode(r, "region") for r in regions]
    nodes += [OrgNode(g, "group", region_id=r) for g, r in groups]
    for _ in range(draw(st.integers(1, 12))):
        g, r = draw(st.sampled_from(groups))
        nodes.append(OrgNode(uuid.uuid4(), "establishment", g, r))
    nodes += [OrgNode(uuid.uuid4(), "partner") for _ in range(draw(st.integers(0, 2)))]
    return Network.of(nodes)


@st.composite
def shared(draw: st.DrawFn) -> tuple[Network, AlertFacts]:
    net = draw(networks())
    orgs = sorted(net.orgs)
    source = draw(st.sampled_from(orgs))
    kind = draw(st.sampled_from(list(ScopeKind)))
    tlp = draw(st.sampled_from(list(TLP)))
    named = frozenset(draw(st.lists(st.sampled_from(orgs), max_size=4)))
    area = net.default_area(source, kind)
    affected = draw(st.one_of(st.none(), st.just(source), st.sampled_from(orgs)))
    facts = AlertFacts(
        source, tlp, kind, area_id=area, named=named,
        draft=draw(st.booleans()), anonymous=draw(st.booleans()), affected_id=affected,
    )  # fmt: skip
    return net, facts


@settings(max_examples=300, deadline=None)
@given(shared())
def test_readers_are_exactly_what_the_tlp_definitions_allow(case: tuple[Network, AlertFacts]):
    net, facts = case
    assert set(readers(facts, net)) == expected_readers(net, facts)


@settings(max_examples=300, deadline=None)
@given(shared())
def test_readers_and_can_see_make_the_same_decision(case: tuple[Network, AlertFacts]):
    # readers() is the fast path used when publishing; can_see() guards every single read.
    net, facts = case
    assert set(readers(facts, net)) == {o for o in net.orgs if can_see(o, facts, net)}


@settings(max_examples=300, deadline=None)
@given(shared())
def test_source_readers_and_reveals_source_make_the_same_decision(
    case: tuple[Network, AlertFacts],
):
    net, facts = case
    told = {o for o in net.orgs if reveals_source(o, facts, net)}
    assert set(source_readers(facts, net)) & set(net.orgs) == told


@settings(max_examples=300, deadline=None)
@given(shared())
def test_recipients_can_read_and_never_include_the_source(case: tuple[Network, AlertFacts]):
    net, facts = case
    to = recipients(facts, net)
    assert facts.source_id not in to
    assert all(can_see(o, facts, net) for o in to)


@settings(max_examples=300, deadline=None)
@given(shared())
def test_nobody_outside_recipients_and_their_relays_reads_a_restricted_alert(
    case: tuple[Network, AlertFacts],
):
    net, facts = case
    if facts.tlp in (TLP.clear, TLP.green):
        return
    allowed = set(recipients(facts, net)) | {facts.source_id}
    if facts.affected_id is not None:
        allowed.add(facts.affected_id)  # the establishment hit reads what is said of it
    if facts.tlp is not TLP.red:
        allowed |= set().union(*(net.relays_of(o) for o in allowed))
    assert set(readers(facts, net)) <= allowed


@settings(max_examples=300, deadline=None)
@given(shared())
def test_an_anonymous_source_stays_hidden_from_peers(case: tuple[Network, AlertFacts]):
    net, facts = case
    if not facts.anonymous or facts.published_for_another:
        return  # a relay publishing about an establishment hides the establishment
    for org in net.orgs:
        if reveals_source(org, facts, net):
            assert org == facts.source_id or org in net.relays_of(facts.source_id)


@settings(max_examples=300, deadline=None)
@given(shared())
def test_an_anonymous_affected_establishment_is_named_to_itself_the_source_and_its_relays(
    case: tuple[Network, AlertFacts],
):
    net, facts = case
    told = {o for o in net.orgs if reveals_affected(o, facts, net)}
    assert told == set(affected_readers(facts, net))
    assert told <= set(readers(facts, net))
    if facts.affected_id is None:
        assert told == set()
    elif facts.anonymous:
        assert told <= {facts.affected_id, facts.source_id, *net.relays_of(facts.affected_id)}
    else:
        assert told == set(readers(facts, net))


@settings(max_examples=300, deadline=None)
@given(shared())
def test_the_affected_establishment_reads_but_neither_receives_nor_responds(
    case: tuple[Network, AlertFacts],
):
    net, facts = case
    if facts.affected_id is None or facts.draft:
        return
    assert can_see(facts.affected_id, facts, net)
    assert facts.affected_id not in recipients(facts, net)
    assert responders(facts, net) <= recipients(facts, net)
    assert all(
        net.orgs[o].kind not in ("group", "region", "national") for o in responders(facts, net)
    )
