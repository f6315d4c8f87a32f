"""Telling the layer above that deliveries reached their recipients.

Delivery does not know what a receipt means for a response (that is the publication
layer's business, above this package): the node passes an `OnDelivered` when it starts the
dispatchers, and each dispatcher reports what it handed over in the transaction that
records it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin.delivery.models import Delivery

Pairs = set[tuple[uuid.UUID, uuid.UUID]]  # (alert id, recipient organisation id)


class OnDelivered(Protocol):
    def __call__(self, *, session: Session, pairs: Pairs, at: datetime) -> object:
        """The alerts `pairs` reached those organisations at `at` (first time or not)."""
        ...


def ignore_deliveries(*, session: Session, pairs: Pairs, at: datetime) -> None:
    """For a node that records no receipts (benchmarks of delivery alone)."""


def report_delivered(
    *, session: Session, seqs: Sequence[int], at: datetime, on_delivered: OnDelivered
) -> None:
    """Deliveries `seqs` (outbox sequence numbers) were handed over at `at`."""
    if not seqs:
        return
    rows = session.execute(
        select(Delivery.alert_id, Delivery.recipient_org_id).where(
            Delivery.seq.in_(seqs), Delivery.alert_id.is_not(None)
        )
    )
    pairs = {(alert_id, org_id) for alert_id, org_id in rows if alert_id is not None}
    if pairs:
        on_delivered(session=session, pairs=pairs, at=at)
