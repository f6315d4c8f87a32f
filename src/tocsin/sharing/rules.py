"""Who receives an alert and who may read it: TLP 2.0 and scope, pure (no I/O).

Vocabulary:
- the *area* of a scope is the organisation it is anchored on: a group, a region,
  or the national CERT; its *members* are the organisations below it, itself included;
- the *relays* of an organisation are its group, its region and the national CERTs;
- *recipients* get the alert delivered; *readers* may find and read it.

Rules:
- a draft is read by its source organisation only;
- the source always reads its own alerts, and the *affected* establishment (the one the
  incident hit, when the alert names one) always reads the published alert about it;
- recipients = members of the area (or the named organisations), minus the source and the
  affected establishment; *responders* are the recipients that owe a response (not the
  relays: groups, regions and the national CERT oversee, they are not chased);
- CLEAR: anyone, including anonymous public feeds;
- GREEN: every member organisation of the hub;
- AMBER and AMBER+STRICT: the recipients and the relays above the source and above
  each recipient;
- RED: the named recipient organisations only (RED requires an explicit scope);
- an anonymous alert names its source only to the source and the source's relays, and its
  affected establishment only to that establishment, the source and the establishment's
  relays; when a relay publishes about an establishment, anonymity hides the establishment,
  not the relay.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from tocsin.sharing.tlp import TLP

OrgId = uuid.UUID

RELAY_KINDS = frozenset({"group", "region", "national"})


class ScopeKind(enum.StrEnum):
    group = "group"
    region = "region"
    national = "national"
    explicit = "explicit"


@dataclass(frozen=True)
class OrgNode:
    """What the rules need to know of an organisation."""

    id: OrgId
    kind: str
    group_id: OrgId | None = None
    region_id: OrgId | None = None


@dataclass(frozen=True)
class Network:
    """A snapshot of the organisations of the hub."""

    orgs: Mapping[OrgId, OrgNode]
    _members: dict[OrgId, frozenset[OrgId]] = field(default_factory=dict, compare=False)
    _nationals: list[frozenset[OrgId]] = field(default_factory=list, compare=False)

    @classmethod
    def of(cls, nodes: Iterable[OrgNode]) -> Network:
        return cls({n.id: n for n in nodes})

    @property
    def national_ids(self) -> frozenset[OrgId]:
        # Asked once per organisation when an alert goes to thousands: computed once.
        if not self._nationals:
            self._nationals.append(
                frozenset(o.id for o in self.orgs.values() if o.kind == "national")
            )
        return self._nationals[0]

    def relays_of(self, org_id: OrgId) -> frozenset[OrgId]:
        """The group, region and national relays above an organisation (not itself)."""
        node = self.orgs.get(org_id)
        if node is None:
            return frozenset()
        above = {node.group_id, node.region_id}
        if node.kind == "group" or node.group_id:
            group = self.orgs.get(node.group_id) if node.group_id else None
            if group is not None:
                above.add(group.region_id)
        relays = {i for i in above if i is not None and i in self.orgs} | self.national_ids
        relays.discard(org_id)
        return frozenset(relays)

    def members(self, area_id: OrgId) -> frozenset[OrgId]:
        """The organisations within an area (a group, region or national CERT), itself included."""
        cached = self._members.get(area_id)
        if cached is not None:
            return cached
        area = self.orgs.get(area_id)
        if area is None:
            result: frozenset[OrgId] = frozenset()
        elif area.kind == "national":
            result = frozenset(self.orgs)
        elif area.kind in ("group", "region"):
            result = frozenset(
                o.id for o in self.orgs.values() if o.id == area_id or area_id in self._above(o)
            )
        else:
            result = frozenset({area_id})
        self._members[area_id] = result
        return result

    def _above(self, node: OrgNode) -> set[OrgId]:
        above = {i for i in (node.group_id, node.region_id) if i is not None}
        if node.group_id and node.group_id in self.orgs:
            region = self.orgs[node.group_id].region_id
            if region:
                above.add(region)
        return above

    def escalation_relays(self, org_id: OrgId) -> frozenset[OrgId]:
        """Who is told when an organisation stays silent past its director's deadline: its
        group and its region (the group's region when it names none itself); the national
        CERTs only for an organisation with neither (a partner, a lone group)."""
        node = self.orgs.get(org_id)
        if node is None:
            return frozenset()
        above = {i for i in self._above(node) if i in self.orgs}
        above.discard(org_id)
        if not above:
            above = set(self.national_ids)
            above.discard(org_id)
        return frozenset(above)

    def in_perimeter(self, relay_id: OrgId, org_id: OrgId) -> bool:
        """Is `org_id` within the perimeter of the relay `relay_id`?"""
        return org_id in self.members(relay_id)

    def default_area(self, source_id: OrgId, kind: ScopeKind) -> OrgId | None:
        """The area a scope of this kind means for this source, if any."""
        node = self.orgs.get(source_id)
        if node is None or kind is ScopeKind.explicit:
            return None
        if kind is ScopeKind.national:
            return next(iter(sorted(self.national_ids)), None)
        if kind is ScopeKind.group:
            return node.id if node.kind == "group" else node.group_id
        if node.kind == "region":
            return node.id
        if node.region_id:
            return node.region_id
        group = self.orgs.get(node.group_id) if node.group_id else None
        return group.region_id if group else None


@dataclass(frozen=True)
class AlertFacts:
    """What the rules need to know of an alert."""

    source_id: OrgId
    tlp: TLP
    scope: ScopeKind
    area_id: OrgId | None = None
    named: frozenset[OrgId] = frozenset()
    draft: bool = False
    anonymous: bool = False
    affected_id: OrgId | None = None

    @property
    def published_for_another(self) -> bool:
        """A relay publishing about an establishment it oversees."""
        return self.affected_id is not None and self.affected_id != self.source_id


def scope_error(alert: AlertFacts, network: Network) -> str | None:
    """Why this scope cannot be used by this source, or None when it can."""
    if alert.tlp is TLP.red and alert.scope is not ScopeKind.explicit:
        return "TLP:RED is shared with named organisations only: use an explicit scope"
    if alert.scope is ScopeKind.explicit:
        if not alert.named:
            return "an explicit scope names at least one organisation"
        unknown = [str(o) for o in alert.named if o not in network.orgs]
        return f"unknown organisations: {', '.join(sorted(unknown))}" if unknown else None
    if alert.area_id is None:
        return f"the source has no {alert.scope.value} to share with"
    area = network.orgs.get(alert.area_id)
    if area is None or area.kind != alert.scope.value:
        return f"the area must be a {alert.scope.value} organisation"
    source_is_inside = alert.source_id in network.members(alert.area_id)
    source_is_relay_above = network.in_perimeter(alert.source_id, alert.area_id)
    if not (source_is_inside or source_is_relay_above):
        return "the area is outside the source's perimeter"
    return None


def affected_error(source_id: OrgId, affected_id: OrgId, network: Network) -> str | None:
    """Why this source may not name this establishment as the one hit, or None when it may:
    an organisation speaks of its own incident, a relay of one within its perimeter."""
    if affected_id not in network.orgs:
        return "unknown organisation"
    if affected_id == source_id or network.in_perimeter(source_id, affected_id):
        return None
    return "only the establishment itself or one of its relays names it as affected"


def recipients(alert: AlertFacts, network: Network) -> frozenset[OrgId]:
    """The organisations that receive the alert. The one place that decides it."""
    if alert.draft:
        return frozenset()
    if alert.scope is ScopeKind.explicit:
        chosen = alert.named
    elif alert.area_id is not None:
        chosen = network.members(alert.area_id)
    else:
        chosen = frozenset()
    left_out = {alert.source_id, alert.affected_id}
    return frozenset(o for o in chosen if o in network.orgs and o not in left_out)


def responders(alert: AlertFacts, network: Network) -> frozenset[OrgId]:
    """The recipients that owe a response: not the relays, which oversee the answers."""
    return frozenset(
        o for o in recipients(alert, network) if network.orgs[o].kind not in RELAY_KINDS
    )


def _relay_readers(alert: AlertFacts, network: Network, to: frozenset[OrgId]) -> set[OrgId]:
    """The relays above the source, the affected establishment and every recipient."""
    readers = set(network.relays_of(alert.source_id))
    if alert.affected_id is not None:
        readers |= network.relays_of(alert.affected_id)
    for org_id in to:
        readers |= network.relays_of(org_id)
    return readers


def can_see(viewer_id: OrgId | None, alert: AlertFacts, network: Network) -> bool:
    """May the organisation `viewer_id` (None: an anonymous reader) read the alert?"""
    if viewer_id is not None and viewer_id == alert.source_id:
        return True
    if alert.draft:
        return False
    if viewer_id is not None and viewer_id == alert.affected_id and viewer_id in network.orgs:
        return True
    if alert.tlp is TLP.clear:
        return True
    if viewer_id is None or viewer_id not in network.orgs:
        return False
    if alert.tlp is TLP.green:
        return True
    to = recipients(alert, network)
    if viewer_id in to:
        return True
    if alert.tlp is TLP.red:
        return False
    return viewer_id in _relay_readers(alert, network, to)


def readers(alert: AlertFacts, network: Network) -> frozenset[OrgId]:
    """Every member organisation that may read the alert (for listing and auditing).

    The same decision as `can_see` for each organisation, computed once for all of them:
    asking `can_see` per organisation recomputes the recipients each time, which made
    publishing to 3,000 establishments take tens of seconds."""
    if alert.draft:
        allowed: set[OrgId] = {alert.source_id}
    elif alert.tlp in (TLP.clear, TLP.green):
        return frozenset(network.orgs)
    else:
        to = recipients(alert, network)
        allowed = {alert.source_id, *to}
        if alert.affected_id is not None:
            allowed.add(alert.affected_id)
        if alert.tlp is not TLP.red:
            allowed |= _relay_readers(alert, network, to)
    return frozenset(o for o in allowed if o in network.orgs)


def reveals_source(viewer_id: OrgId | None, alert: AlertFacts, network: Network) -> bool:
    """May this viewer learn who the source is?"""
    if not alert.anonymous or alert.published_for_another:
        return can_see(viewer_id, alert, network)
    if viewer_id is None:
        return False
    return viewer_id == alert.source_id or viewer_id in network.relays_of(alert.source_id)


def source_readers(alert: AlertFacts, network: Network) -> frozenset[OrgId]:
    """Every member organisation that may learn who the source is: `reveals_source` for all
    of them at once (rendering one alert for thousands of recipients asks it for each)."""
    if alert.anonymous and not alert.published_for_another:
        return frozenset({alert.source_id, *network.relays_of(alert.source_id)})
    return readers(alert, network)


def told_every_reader(alert: AlertFacts) -> tuple[bool, bool]:
    """What every organisation allowed to read the alert learns: (its source, the establishment
    it hit). Readers told more (an anonymous source and its relays) get a rendering of their
    own; a collection shared by many readers shows this one."""
    source = not alert.anonymous or alert.published_for_another
    return source, alert.affected_id is not None and not alert.anonymous


def told(viewer_id: OrgId | None, alert: AlertFacts, network: Network) -> tuple[bool, bool]:
    """What this viewer learns: (the source, the establishment hit), its reader class."""
    return reveals_source(viewer_id, alert, network), reveals_affected(viewer_id, alert, network)


def _told_affected(alert: AlertFacts, network: Network) -> set[OrgId]:
    assert alert.affected_id is not None
    return {alert.affected_id, alert.source_id, *network.relays_of(alert.affected_id)}


def reveals_affected(viewer_id: OrgId | None, alert: AlertFacts, network: Network) -> bool:
    """May this viewer learn which establishment the incident hit?"""
    if alert.affected_id is None or not can_see(viewer_id, alert, network):
        return False
    return not alert.anonymous or viewer_id in _told_affected(alert, network)


def affected_readers(alert: AlertFacts, network: Network) -> frozenset[OrgId]:
    """Every member organisation that may learn the affected establishment: `reveals_affected`
    for all of them at once."""
    if alert.affected_id is None:
        return frozenset()
    allowed = readers(alert, network)
    if alert.anonymous:
        allowed = allowed & _told_affected(alert, network)
    return frozenset(allowed)


def is_relay_of(viewer_id: OrgId, org_id: OrgId, network: Network) -> bool:
    """Is the viewer one of the organisation's relays?"""
    return viewer_id in network.relays_of(org_id)


@dataclass(frozen=True)
class Audience:
    """Who one revision of an alert concerns, decided once and handed to every step of the
    publication (audience index, responses, outbox): asking the rules again per step, or
    per recipient, made a national fan-out cost seconds."""

    facts: AlertFacts
    recipients: frozenset[OrgId]
    responders: frozenset[OrgId]  # the recipients that owe a response
    readers: frozenset[OrgId]
    told_source: frozenset[OrgId]  # the readers who may learn who the source is
    told_affected: frozenset[OrgId]  # ... and which establishment was hit


def audience(alert: AlertFacts, network: Network) -> Audience:
    """The recipients, readers and source-knowing readers of an alert, in one pass."""
    return Audience(
        facts=alert,
        recipients=recipients(alert, network),
        responders=responders(alert, network),
        readers=readers(alert, network),
        told_source=source_readers(alert, network),
        told_affected=affected_readers(alert, network),
    )
