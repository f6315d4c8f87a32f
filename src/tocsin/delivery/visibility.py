"""The sharing rules checked again at send time: a scope narrowed since the revision wins."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin.alerts.models import Alert
from tocsin.alerts.projection import facts
from tocsin.delivery.models import Delivery
from tocsin.network import service as network_service
from tocsin.sharing.rules import readers


def still_visible(session: Session, rows: list[Delivery]) -> tuple[list[Delivery], list[Delivery]]:
    """Split rows into those whose recipient may still see the alert, and the others."""
    if not rows:
        return [], []
    network = network_service.load_network(session=session)
    alert_ids = {row.alert_id for row in rows if row.alert_id is not None}
    alerts = {a.id: a for a in session.scalars(select(Alert).where(Alert.id.in_(alert_ids)))}
    # The readers of each alert once, not can_see per row: a batch holds thousands of rows
    # of the same alert.
    allowed = {alert_id: readers(facts(alert), network) for alert_id, alert in alerts.items()}
    visible: list[Delivery] = []
    hidden: list[Delivery] = []
    for row in rows:
        # A notice's recipients were chosen by its writer under the sharing rules.
        seen = row.alert_id is None or (
            row.alert_id in allowed and row.recipient_org_id in allowed[row.alert_id]
        )
        (visible if seen else hidden).append(row)
    return visible, hidden
