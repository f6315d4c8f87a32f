"""Reactions of other packages to deliveries, called in the transaction that records them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin.delivery.models import Delivery
from tocsin.responses.service import mark_received_on_delivery


def on_delivered(*, session: Session, seqs: Sequence[int], at: datetime) -> None:
    """Deliveries `seqs` (outbox sequence numbers) were just handed over at `at`: the alert
    reached those recipients, which their response records as `received`."""
    if not seqs:
        return
    rows = session.execute(
        select(Delivery.alert_id, Delivery.recipient_org_id).where(
            Delivery.seq.in_(seqs), Delivery.alert_id.is_not(None)
        )
    )
    pairs = {(alert_id, org_id) for alert_id, org_id in rows if alert_id is not None}
    if pairs:
        mark_received_on_delivery(session=session, pairs=pairs, at=at)
