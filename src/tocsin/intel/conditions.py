"""SQL conditions other packages (feeds, TAXII, sweep) use to pick indicators to hand out.

    select(AlertIndicator).where(currently_valid(now), not_excluded())

- `currently_valid(now)`: not withdrawn, and `valid_until` absent or in the future;
- `not_excluded()`: not flagged by a warninglist, or flagged and confirmed by an analyst.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.orm import Session

from tocsin.alerts.models import AlertIndicator
from tocsin.intel.models import IndicatorFlag


def currently_valid(now: datetime) -> ColumnElement[bool]:
    """Indicators still worth acting on at `now` (expired ones stay in history only)."""
    return and_(
        AlertIndicator.withdrawn_at.is_(None),
        or_(AlertIndicator.valid_until.is_(None), AlertIndicator.valid_until > now),
    )


def _unconfirmed_flag() -> ColumnElement[bool]:
    return and_(
        IndicatorFlag.indicator_id == AlertIndicator.id, IndicatorFlag.confirmed_at.is_(None)
    )


def not_excluded() -> ColumnElement[bool]:
    """Indicators not held back by a warninglist match awaiting an analyst's confirmation."""
    return ~exists().where(_unconfirmed_flag())


def is_excluded(*, session: Session, indicator_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """Those of the given indicators that are warninglisted and not confirmed."""
    ids = list(indicator_ids)
    excluded: set[uuid.UUID] = set()
    for start in range(0, len(ids), 500):
        query = select(IndicatorFlag.indicator_id).where(
            IndicatorFlag.indicator_id.in_(ids[start : start + 500]),
            IndicatorFlag.confirmed_at.is_(None),
        )
        excluded.update(session.scalars(query))
    return excluded
