"""People and tokens the response tests need beyond the shared world."""

from __future__ import annotations

import uuid

from tests.world import World
from tocsin.audit.service import SYSTEM
from tocsin.db import transaction
from tocsin.network.models import Role, Scope
from tocsin.network.service import create_user, issue_token
from tocsin.state import AppState


def add_director(state: AppState, world: World, org: str) -> uuid.UUID:
    """A director of `org` with a read/write token `director_<org>`; returns the user id."""
    with transaction(state.sessions) as session:
        user = create_user(
            session=session,
            email=f"director.{org.lower()}@test.example.org",
            display_name=f"Director {org}",
            organisation_id=world.ids[org],
            roles=[Role.director],
            now=state.clock.now(),
            actor=SYSTEM,
        )
        _, secret = issue_token(
            session=session, organisation_id=world.ids[org], user_id=user.id,
            name=f"director_{org}", scopes=[Scope.read, Scope.write], now=state.clock.now(),
            actor=SYSTEM,
        )  # fmt: skip
    world.tokens[f"director_{org}"] = secret
    world.users[f"director_{org}"] = user.id
    return user.id


def add_integration(state: AppState, world: World, org: str) -> str:
    """A read/write token of `org` that acts for no person; its key in `world.tokens`."""
    key = f"integration_{org}"
    with transaction(state.sessions) as session:
        _, secret = issue_token(
            session=session, organisation_id=world.ids[org], name=key,
            scopes=[Scope.read, Scope.write], now=state.clock.now(), actor=SYSTEM,
        )  # fmt: skip
    world.tokens[key] = secret
    return key
