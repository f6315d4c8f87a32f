"""The demo network holds the university hospital's declaration, seen by its region."""

from __future__ import annotations

from sqlalchemy import select

from tocsin.db import transaction
from tocsin.demo.seed import seed
from tocsin.network.models import Organisation
from tocsin.network.service import load_network
from tocsin.relay import service
from tocsin.relay.models import Declaration
from tocsin.state import AppState


def test_demo_declares_for_the_university_hospital(state: AppState) -> None:
    with transaction(state.sessions) as session:
        seed(session, state.clock.now())
    with state.sessions() as session:
        declaration = session.scalars(select(Declaration)).one()
        chu = session.get(Organisation, declaration.org_id)
        assert chu is not None and chu.name == "CHU de Rouvray"
        region = session.scalars(
            select(Organisation).where(Organisation.name == "ARS Val-de-Seine (démo)")
        ).one()
        visible = service.list_visible(
            session=session,
            viewer_id=region.id,
            network=load_network(session=session),
            status=None,
            after=None,
            limit=10,
        )
        assert [d.id for d in visible] == [declaration.id]
        assert declaration.relay_deadline is not None


def test_demo_university_hospitals_are_essential_general_hospitals_important(
    state: AppState,
) -> None:
    with transaction(state.sessions) as session:
        seed(session, state.clock.now())
    with state.sessions() as session:
        status = {o.name: o.nis2.value for o in session.scalars(select(Organisation))}
    assert status["CHU de Rouvray"] == "essential"
    assert status["Centre hospitalier de Bellefontaine"] == "important"
    assert status["Clinique du Parc"] == "none"
    assert status["ARS Val-de-Seine (démo)"] == "none"
