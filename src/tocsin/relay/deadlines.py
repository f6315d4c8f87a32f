"""The relay deadline of a declaration, pure: when must a relay have qualified it?

A deadline is counted from the declaration time and depends on the severity only; a
severity without a configured delay has no deadline (nothing is published automatically).
Changing the severity of a declaration that no relay has qualified yet moves its deadline
(recounted from the declaration time, never from the change).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tocsin.alerts.vocab import Severity

DEFAULT_DELAYS: Mapping[Severity, timedelta] = {
    Severity.critical: timedelta(minutes=30),
    Severity.high: timedelta(hours=2),
}


@dataclass(frozen=True)
class DeadlinePolicy:
    """How long relays have, per severity."""

    delays: Mapping[Severity, timedelta] = field(default_factory=lambda: dict(DEFAULT_DELAYS))

    def __post_init__(self) -> None:
        for severity, delay in self.delays.items():
            if delay <= timedelta(0):
                raise ValueError(f"the relay delay for {severity.value} must be positive")

    def delay(self, severity: Severity) -> timedelta | None:
        return self.delays.get(severity)

    def deadline(self, declared_at: datetime, severity: Severity) -> datetime | None:
        """When the shareable part goes out if no relay acted; None: never automatically."""
        delay = self.delay(severity)
        return declared_at + delay if delay is not None else None


def is_due(deadline: datetime | None, now: datetime) -> bool:
    """Has the deadline passed (it is due at the exact instant too)?"""
    return deadline is not None and now >= deadline


def remaining(deadline: datetime | None, now: datetime) -> timedelta | None:
    """Time left before the deadline, zero once it has passed, None without deadline."""
    if deadline is None:
        return None
    return max(deadline - now, timedelta(0))


def from_minutes(
    *, critical: int | None, high: int | None, medium: int | None = None
) -> DeadlinePolicy:
    """A policy from the `relay_deadline_*_minutes` settings (None: no deadline)."""
    given = {Severity.critical: critical, Severity.high: high, Severity.medium: medium}
    return DeadlinePolicy({s: timedelta(minutes=m) for s, m in given.items() if m is not None})
