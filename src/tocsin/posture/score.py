"""The posture score, pure: done counts fully, partial half, stale evidence not at all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tocsin.posture.models import ItemStatus

CREDIT = {ItemStatus.done: 1.0, ItemStatus.partial: 0.5, ItemStatus.not_done: 0.0}


@dataclass(frozen=True)
class Line:
    weight: int
    status: ItemStatus | None  # None: not answered yet
    evidenced_on: datetime | None
    max_age_days: int | None


def is_stale(line: Line, now: datetime) -> bool:
    """Evidence for a dated item is missing or older than the item allows."""
    if line.max_age_days is None or line.status not in (ItemStatus.done, ItemStatus.partial):
        return False
    if line.evidenced_on is None:
        return True
    return now - line.evidenced_on > timedelta(days=line.max_age_days)


def score(lines: list[Line], now: datetime) -> int:
    """0 to 100; not-applicable items leave the denominator; nothing applicable scores 0."""
    counted = [line for line in lines if line.status is not ItemStatus.not_applicable]
    total = sum(max(line.weight, 0) for line in counted)
    if total == 0:
        return 0
    earned = sum(
        max(line.weight, 0) * (0.0 if is_stale(line, now) else CREDIT.get(line.status, 0.0))
        for line in counted
        if line.status is not None
    )
    return round(100 * earned / total)
