"""The pure rendering of one audit record for one reader, over random networks and alerts:
whatever the record says, the reader learns no more of the alert than the alert shows."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.sharing.test_rules import shared
from tocsin.audit.schemas import AuditRecordOut
from tocsin.sharing.rules import (
    AlertFacts,
    Network,
    OrgNode,
    ScopeKind,
    can_see,
    reveals_affected,
    reveals_source,
)
from tocsin.sharing.tlp import TLP
from tocsin.trail.render import Reader, render


def _record(alert: AlertFacts, actor: uuid.UUID, others: list[uuid.UUID]) -> AuditRecordOut:
    """A record about the alert naming its source and affected establishment everywhere."""
    named = [str(o) for o in {alert.source_id, alert.affected_id, *others} if o is not None]
    return AuditRecordOut(
        seq=1, at=datetime(2026, 1, 1, tzinfo=UTC), actor_user_id=uuid.uuid4(),
        actor_org_id=actor, actor_token_id=uuid.uuid4(), source_ip="192.0.2.1",
        action="alert.read", target_type="alert", target_id=str(uuid.uuid4()),
        concerns=sorted(named),
        details={"title": "secret", "organisations": named, "source": str(alert.source_id)},
        prev_digest="0" * 64, digest="1" * 64,
    )  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(shared(), st.data())
def test_a_rendered_record_never_names_what_the_alert_hides(
    case: tuple[Network, AlertFacts], data: st.DataObject
) -> None:
    net, alert = case
    orgs = sorted(net.orgs)
    viewer = data.draw(st.sampled_from(orgs))
    actor = data.draw(st.sampled_from(orgs))
    record = _record(alert, actor, data.draw(st.lists(st.sampled_from(orgs), max_size=3)))
    reader = Reader(org_id=viewer, perimeter=frozenset(net.members(viewer)) | {viewer})
    shown = render(record, reader, alert, net, about_alert=True)
    if not (can_see(viewer, alert, net) or actor == viewer):
        assert shown is None
        return
    if shown is None:
        return  # reached the reader only through an organisation it may not learn
    text = json.dumps(shown.model_dump(mode="json"))
    if not reveals_source(viewer, alert, net) and alert.source_id != viewer:
        assert str(alert.source_id) not in text
    hides_affected = not reveals_affected(viewer, alert, net)
    if alert.affected_id not in (None, viewer) and hides_affected:
        assert str(alert.affected_id) not in text


def test_an_administrator_reads_the_record_as_stored() -> None:
    alert = AlertFacts(source_id=uuid.uuid4(), tlp=TLP.red, scope=ScopeKind.explicit)
    record = _record(alert, alert.source_id, [])
    shown = render(record, Reader(org_id=None, perimeter=None), alert, Network.of([]),
                   about_alert=True)  # fmt: skip
    assert shown == record


def test_related_alerts_the_reader_may_not_open_are_taken_out_of_a_correlation() -> None:
    me, other = uuid.uuid4(), uuid.uuid4()
    net = Network.of([OrgNode(me, "establishment"), OrgNode(other, "establishment")])
    alert = AlertFacts(source_id=other, tlp=TLP.green, scope=ScopeKind.national)
    seen, unseen = str(uuid.uuid4()), str(uuid.uuid4())
    record = _record(alert, other, []).model_copy(update={"details": {"related": [
        {"alert_id": seen, "matches": 1}, {"alert_id": unseen, "matches": 2}]}})  # fmt: skip
    shown = render(record, Reader(org_id=me, perimeter=frozenset({me, other})), alert, net,
                   about_alert=True, unseen_alerts=frozenset({unseen}))  # fmt: skip
    assert shown is not None
    assert shown.details == {"related": [{"alert_id": seen, "matches": 1}]}
