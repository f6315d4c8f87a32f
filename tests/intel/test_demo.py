"""The demo network shows two related alerts, the anonymous source hidden where it should be."""

from __future__ import annotations

from sqlalchemy import select

from tocsin.alerts.models import Alert
from tocsin.db import transaction
from tocsin.demo.seed import seed
from tocsin.intel import present, service
from tocsin.network import service as network_service
from tocsin.network.models import Organisation
from tocsin.state import AppState


def test_the_two_demo_alerts_are_related(state: AppState) -> None:
    with transaction(state.sessions) as session:
        seed(session, state.clock.now())
    with transaction(state.sessions) as session:
        network = network_service.load_network(session=session)
        orgs = {o.name: o.id for o in session.scalars(select(Organisation))}
        chu, evreval = orgs["CHU de Rouvray"], orgs["Centre hospitalier d'Évreval"]
        alerts = {a.source_org_id: a for a in session.scalars(select(Alert))}
        views = {}
        for viewer, mine, theirs in ((chu, chu, evreval), (evreval, evreval, chu)):
            alert, related = service.related(
                session=session, alert_id=alerts[mine].id, viewer_id=viewer, network=network
            )
            views[viewer] = present.related_out(session, alert, related, viewer, network)
            assert [r.alert.id for r in views[viewer].related] == [alerts[theirs].id]
        hidden = views[chu].related[0]
        assert hidden.alert.anonymous and hidden.alert.source is None
        assert {m.how.value for m in hidden.matches} >= {"exact", "parent_domain"}
        assert views[evreval].related[0].alert.source is not None
