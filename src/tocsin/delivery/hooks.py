"""Reactions of other packages to deliveries, called in the transaction that records them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session


def on_delivered(*, session: Session, seqs: Sequence[int], at: datetime) -> None:
    """Deliveries `seqs` (outbox sequence numbers) were just handed over at `at`.

    The responses package marks its `received` state from here (one call line), or reads
    `delivery.service.first_delivered_at` instead; nothing to do for delivery itself.
    """
    return None
