"""The callers the matrix tries: every role in each kind of organisation, and the odd tokens.

E1 is inside the scope of every alert under test (E2's group G1, region R1), E5 outside it;
G1 and R1 relay the source, R2 does not; N is the national CERT, P a partner; E2 publishes.
"""

from __future__ import annotations

import functools

from tests.authz.rules import Actor
from tests.world import PASSWORD, World
from tocsin.audit.service import SYSTEM
from tocsin.db import transaction
from tocsin.network import service
from tocsin.network.models import Role, Scope
from tocsin.network.secrets import hash_password
from tocsin.state import AppState

ORGS = ["E1", "E5", "G1", "R1", "R2", "N", "P", "E2"]  # the source last: its writes change things
KINDS = {"E1": "establishment", "E2": "establishment", "E5": "establishment", "G1": "group",
         "R1": "region", "R2": "region", "N": "national", "P": "partner"}  # fmt: skip
ANONYMOUS = Actor("anonymous", None, None, None, frozenset())
READ_WRITE = frozenset({Scope.read, Scope.write})


@functools.cache
def _password_hash() -> str:
    return hash_password(PASSWORD)


def build_actors(state: AppState, world: World) -> list[Actor]:
    """A person per (organisation, role) with a read-write token, plus three odd tokens."""
    now = state.clock.now()
    actors = [ANONYMOUS]
    with transaction(state.sessions) as session:

        def token(org: str, user: object, name: str, scopes: frozenset[Scope]) -> str:
            _, secret = service.issue_token(
                session=session, organisation_id=world.ids[org], name=name, now=now,
                user_id=getattr(user, "id", None), scopes=sorted(scopes), actor=SYSTEM,
            )  # fmt: skip
            return secret

        for org in ORGS:
            for role in Role:
                email = f"authz-{role.value}-{org.lower()}@test.example.org"
                user = service.create_user(
                    session=session, email=email, display_name=f"{role.value} of {org}",
                    organisation_id=world.ids[org], roles=[role], now=now, actor=SYSTEM,
                )  # fmt: skip
                user.password_hash = _password_hash()
                label = f"{role.value}@{org}"
                secret = token(org, user, label, READ_WRITE)
                actors.append(Actor(label, org, KINDS[org], role, READ_WRITE, secret, email))
                if org == "E1" and role is Role.director:
                    ro = frozenset({Scope.read})
                    secret = token(org, user, "read-only", ro)
                    actors.append(Actor("director@E1 read-only token", org, KINDS[org], role,
                                        ro, secret))  # fmt: skip
        secret = token("E1", None, "integration", READ_WRITE)
        actors.append(Actor("integration@E1", "E1", "establishment", None, READ_WRITE, secret))
    admin_scopes = frozenset({Scope.read, Scope.write, Scope.admin})
    actors.append(Actor("admin (N director)", "N", "national", Role.director, admin_scopes,
                        world.tokens["admin"]))  # fmt: skip
    return actors


def headers(actor: Actor) -> dict[str, str]:
    return {"Authorization": f"Bearer {actor.token}"} if actor.token else {}
