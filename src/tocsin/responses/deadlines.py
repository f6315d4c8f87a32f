"""When a recipient must have acknowledged an alert, or posted a first update (pure, no I/O).

A deadline runs from the publication of the revision that first reached the recipient.
Stage 1 (the recipient's director is told) falls at that time plus the deadline of the
alert's severity; stage 2 (its group and region relays are told) a further delay later,
by default the same deadline again. Low and info alerts have no deadline.

A more severe alert never gets a later deadline than a less severe one, whatever the
configuration says: the duration of a severity is the shortest configured for it or for
any lesser severity.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tocsin.alerts.vocab import Severity


class Obligation(enum.StrEnum):
    acknowledge = "acknowledge"
    first_update = "first_update"


class Stage(enum.IntEnum):
    director = 1
    relays = 2


@dataclass(frozen=True)
class DeadlinePolicy:
    """Configured durations per obligation and severity; absent severities have no deadline."""

    acknowledge: Mapping[Severity, timedelta]
    first_update: Mapping[Severity, timedelta]
    relay_delay: timedelta | None = None  # None: the obligation's own duration again
    _cache: dict[tuple[Obligation, Severity], timedelta | None] = field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def of(
        cls,
        *,
        critical_minutes: float,
        high_minutes: float,
        medium_minutes: float,
        first_update_days: float,
        relay_delay_minutes: float | None = None,
    ) -> DeadlinePolicy:
        """The policy of the settings: acknowledgement per severity, first update for all three."""
        update = timedelta(days=first_update_days)
        return cls(
            acknowledge={
                Severity.critical: timedelta(minutes=critical_minutes),
                Severity.high: timedelta(minutes=high_minutes),
                Severity.medium: timedelta(minutes=medium_minutes),
            },
            first_update={s: update for s in (Severity.critical, Severity.high, Severity.medium)},
            relay_delay=(
                None if relay_delay_minutes is None else timedelta(minutes=relay_delay_minutes)
            ),
        )

    def duration(self, obligation: Obligation, severity: Severity) -> timedelta | None:
        """The effective duration: never longer than that of a lesser severity."""
        key = (obligation, severity)
        if key not in self._cache:
            table = self.acknowledge if obligation is Obligation.acknowledge else self.first_update
            candidates = [
                table[s] for s in Severity if s.rank <= severity.rank and table.get(s) is not None
            ]
            # Only severities that have a deadline of their own are bound by lesser ones.
            self._cache[key] = min(candidates) if table.get(severity) is not None else None
        return self._cache[key]


def own_due_at(minutes: int, stage: Stage, reached_at: datetime) -> datetime:
    """The deadline of an alert that sets its own (an exercise's): the director is told after
    `minutes`, the relays after twice as long."""
    return reached_at + timedelta(minutes=minutes) * int(stage)


def due_at(
    policy: DeadlinePolicy,
    obligation: Obligation,
    stage: Stage,
    severity: Severity,
    reached_at: datetime,
) -> datetime | None:
    """When this stage of escalation falls due, or None when the severity has no deadline."""
    duration = policy.duration(obligation, severity)
    if duration is None:
        return None
    if stage is Stage.director:
        return reached_at + duration
    further = duration if policy.relay_delay is None else policy.relay_delay
    return reached_at + duration + further
