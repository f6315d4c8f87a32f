"""Regulatory statuses for the test network, set as an administrator would."""

from __future__ import annotations

from tests.world import World
from tocsin.db import transaction
from tocsin.network.models import Nis2Status, Organisation
from tocsin.state import AppState


def set_status(
    state: AppState, world: World, org: str, nis2: str, *, csp_health: bool = True
) -> None:
    with transaction(state.sessions) as session:
        row = session.get(Organisation, world.ids[org])
        assert row is not None
        row.nis2, row.csp_health = Nis2Status(nis2), csp_health
