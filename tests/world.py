"""A small network for tests, built through the services like a real one.

    N (national CERT)          P (partner)
    ├── R1 (region)
    │   ├── G1 (group): E1, E2, E3
    │   └── G2 (group): E4
    └── R2 (region)
        └── G3 (group): E5

Every organisation has a security officer `so_<NAME>` (read, write) and a viewer
`viewer_<NAME>` (read); N's director has an admin token `admin`. Every user
signs in to the web pages with PASSWORD.
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass, field
from typing import Any

from tocsin.audit.service import SYSTEM
from tocsin.db import transaction
from tocsin.network import service
from tocsin.network.models import OrgKind, Role, Scope
from tocsin.network.secrets import hash_password
from tocsin.state import AppState

PASSWORD = "correct horse battery staple"

LAYOUT: list[tuple[str, OrgKind, str | None, str | None]] = [
    ("N", OrgKind.national, None, None),
    ("P", OrgKind.partner, None, None),
    ("R1", OrgKind.region, None, None),
    ("R2", OrgKind.region, None, None),
    ("G1", OrgKind.group, None, "R1"),
    ("G2", OrgKind.group, None, "R1"),
    ("G3", OrgKind.group, None, "R2"),
    ("E1", OrgKind.establishment, "G1", "R1"),
    ("E2", OrgKind.establishment, "G1", "R1"),
    ("E3", OrgKind.establishment, "G1", "R1"),
    ("E4", OrgKind.establishment, "G2", "R1"),
    ("E5", OrgKind.establishment, "G3", "R2"),
]


@dataclass
class World:
    ids: dict[str, uuid.UUID] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    users: dict[str, uuid.UUID] = field(default_factory=dict)

    def auth(self, who: str) -> dict[str, str]:
        """Headers for the security officer of an organisation (or a named token)."""
        key = who if who in self.tokens else f"so_{who}"
        return {"Authorization": f"Bearer {self.tokens[key]}"}

    def name_of(self, org_id: Any) -> str:
        return next(k for k, v in self.ids.items() if str(v) == str(org_id))


@functools.cache
def _password_hash() -> str:
    return hash_password(PASSWORD)


def _finess(index: int) -> str:
    return f"99{index:07d}"


def _person(
    state: AppState, world: World, session: Any, org: str, role: Role, key: str, scopes: list[Scope]
) -> None:
    now = state.clock.now()
    user = service.create_user(
        session=session,
        email=f"{key.lower()}@test.example.org",
        display_name=key,
        organisation_id=world.ids[org],
        roles=[role],
        now=now,
        actor=SYSTEM,
    )
    _, secret = service.issue_token(
        session=session,
        organisation_id=world.ids[org],
        user_id=user.id,
        name=key,
        scopes=scopes,
        now=now,
        actor=SYSTEM,
    )
    # One argon2id hash shared by every test user: hashing per user would cost a
    # quarter of a second each, for every test.
    user.password_hash = _password_hash()
    world.users[key] = user.id
    world.tokens[key] = secret


def build_world(state: AppState) -> World:
    world = World()
    now = state.clock.now()
    with transaction(state.sessions) as session:
        for index, (name, kind, group, region) in enumerate(LAYOUT):
            org = service.create_organisation(
                session=session,
                name=f"Org {name}",
                kind=kind,
                now=now,
                actor=SYSTEM,
                finess=_finess(index) if kind is OrgKind.establishment else None,
                group_id=world.ids[group] if group else None,
                region_id=world.ids[region] if region else None,
            )
            world.ids[name] = org.id
        for name, *_ in LAYOUT:
            _person(state, world, session, name, Role.security_officer, f"so_{name}",
                    [Scope.read, Scope.write])  # fmt: skip
            _person(state, world, session, name, Role.viewer, f"viewer_{name}", [Scope.read])
        _person(state, world, session, "N", Role.director, "admin",
                [Scope.read, Scope.write, Scope.admin])  # fmt: skip
    return world
