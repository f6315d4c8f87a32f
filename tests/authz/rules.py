"""The checks a request meets on its way in, as the matrix names them (tests/authz/table.py).

Each check looks at the caller (an Actor) and what the request is about (a Target) and
returns the status that refuses the caller, or None to let it through. A row of the matrix
is the list of checks in the order the operation applies them: the first refusal is the
expected answer; a caller who passes them all is expected to get past authorisation.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from tocsin.network.models import Role, Scope
from tocsin.sharing.rules import RELAY_KINDS, Network

WRITERS = {Role.director, Role.security_officer, Role.it_staff, Role.analyst}


@dataclass(frozen=True)
class Actor:
    """A caller: a person with one role (or an integration token, role None) in one org."""

    label: str
    org: str | None  # None: anonymous
    kind: str | None
    role: Role | None
    scopes: frozenset[Scope]
    token: str | None = None
    email: str | None = None

    @property
    def person(self) -> bool:
        return self.role is not None


@dataclass(frozen=True)
class Target:
    """What the request is about: the network, the alert and the declaration under test."""

    network: Network
    ids: dict[str, uuid.UUID]
    alert_source: str = "E2"
    alert_tlp: str = ""
    alert_readers: frozenset[str] = frozenset()
    alert_recipients: frozenset[str] = frozenset()
    alert_responders: frozenset[str] = frozenset()  # recipients that are not relays
    declarant: str = "E1"
    cell: frozenset[str] = field(default_factory=frozenset)

    def relays_of(self, org: str) -> set[str]:
        relays = self.network.relays_of(self.ids[org])
        return {name for name, i in self.ids.items() if i in relays}


Check = Callable[[Actor, Target], int | None]


def _refuse(code: int, allowed: Callable[[Actor, Target], bool], name: str) -> Check:
    def check(actor: Actor, target: Target) -> int | None:
        return None if allowed(actor, target) else code

    check.__name__ = name
    return check


def _scope(scope: Scope) -> Callable[[Actor, Target], bool]:
    order = [Scope.read, Scope.write, Scope.admin]
    return lambda a, _: any(order.index(s) >= order.index(scope) for s in a.scopes)


def _role(*roles: Role) -> Callable[[Actor, Target], bool]:
    return lambda a, _: a.role is None or a.role in roles


def _kind(*kinds: str) -> Callable[[Actor, Target], bool]:
    return lambda a, _: a.kind in kinds


def _writer(a: Actor, t: Target) -> bool:
    return _scope(Scope.write)(a, t) and _role(*WRITERS)(a, t)


def _e1_or_relay(a: Actor, t: Target) -> bool:
    return a.org == "E1" or a.org in t.relays_of("E1")


def _overseer(a: Actor, t: Target) -> bool:
    watched = {t.alert_source} | set(t.alert_recipients)
    return a.org == t.alert_source or any(a.org in t.relays_of(o) for o in watched)


def _is_admin(a: Actor) -> bool:
    return Scope.admin in a.scopes


# Gates of scope and role (403).
READ = _refuse(403, _scope(Scope.read), "read scope")
# A person's token writes only while their role may: write scope is a writer's (or a machine's).
WRITE_SCOPE = _refuse(403, _writer, "write scope, held by a writer role")
WRITER = _refuse(403, _writer, "write scope and a writer role")
ADMIN = _refuse(403, _scope(Scope.admin), "admin scope")
PERSON = _refuse(403, lambda a, _: a.person, "a person, not an integration")
DIRECTOR = _refuse(403, _role(Role.director), "director")
RELAY_ANALYST = _refuse(403, _role(Role.analyst, Role.security_officer), "relay analyst")
RELAY_ORG = _refuse(403, _kind(*RELAY_KINDS), "a group, region or national CERT")
RELAY_ORG_404 = _refuse(404, _kind(*RELAY_KINDS), "a group, region or national CERT")
ESTABLISHMENT_404 = _refuse(404, _kind("establishment"), "an establishment")
NATIONAL = _refuse(403, _kind("national"), "the national CERT")
ESTABLISHMENT = _refuse(403, _kind("establishment"), "an establishment")
AUDITOR = _refuse(
    403,
    lambda a, _: (
        _is_admin(a)
        or a.role is Role.director
        or (a.kind in RELAY_KINDS and a.role in {Role.analyst, Role.security_officer})
    ),
    "admin, director, or a relay's analyst",
)
MANAGER = _refuse(403, lambda a, _: _is_admin(a) or a.role is Role.director, "director or admin")
MANAGES_E1 = _refuse(
    403, lambda a, _: _is_admin(a) or (a.org == "E1" and a.role is Role.director), "E1's director"
)
# Resources: the alert under test (TLP 2.0 oracle), the declaration, E1's people and posture.
SEES_ALERT = _refuse(404, lambda a, t: a.org in t.alert_readers, "reads the alert (oracle)")
SOURCE = _refuse(404, lambda a, t: a.org == t.alert_source, "the alert's source")
SOURCE_OR_RELAY_ORG = _refuse(
    403, lambda a, t: a.org == t.alert_source or a.kind in RELAY_KINDS, "the source, or a relay"
)
RESHARABLE = _refuse(
    403,
    lambda a, t: t.alert_tlp in ("clear", "green", "amber") or a.org == t.alert_source,
    "a TLP that tools may re-share, or the source",
)
NOT_RED = _refuse(
    403, lambda a, t: t.alert_tlp != "red", "not TLP:RED (it cannot become a notice to all staff)"
)
RESPONDER = _refuse(
    403, lambda a, t: a.org in t.alert_responders, "a recipient that owes a response (not a relay)"
)
OVERSEER = _refuse(403, _overseer, "source, or a relay of the source or of a recipient")
IN_CELL = _refuse(404, lambda a, t: a.org in t.cell, "the declaration's crisis cell")
DECLARANT = _refuse(403, lambda a, t: a.org == t.declarant, "the declarant")
DECLARANT_404 = _refuse(404, lambda a, t: a.org == t.declarant, "the declarant")
NOT_DECLARANT = _refuse(403, lambda a, t: a.org != t.declarant, "a relay, not the declarant")
SEES_E1 = _refuse(404, _e1_or_relay, "E1 or its relays")
SEES_E1_PEOPLE = _refuse(404, lambda a, t: _is_admin(a) or _e1_or_relay(a, t), "E1's people")
IS_E1 = _refuse(403, lambda a, _: a.org == "E1", "E1 itself")
IS_E1_404 = _refuse(404, lambda a, _: a.org == "E1", "E1 itself")


def expected(checks: tuple[Check, ...], actor: Actor, target: Target) -> int | None:
    """The status of the first refusal, 401 for anonymous callers, None when allowed."""
    if actor.org is None:
        return 401
    for check in checks:
        refused = check(actor, target)
        if refused is not None:
            return refused
    return None
