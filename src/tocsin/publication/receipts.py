"""What a delivery means for a response: the first delivery on any channel marks the
recipient's response `received`. Handed to the delivery dispatchers when a node starts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from tocsin.delivery.receipts import Pairs
from tocsin.responses.service import mark_received_on_delivery


def on_delivered(*, session: Session, pairs: Pairs, at: datetime) -> int:
    """Mark (alert, organisation) pairs received; returns how many were marked now."""
    return mark_received_on_delivery(session=session, pairs=pairs, at=at)
