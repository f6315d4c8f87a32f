"""The legal clocks of a declared incident, pure (no I/O): which steps apply to an
organisation and an incident, when each is due, whether a submission was late, and when
to remind. The table of steps and their sources is `regimes.py`.

Calendar months follow `dateutil.relativedelta`: one month after 31 January is the last
day of February (28th, or 29th in a leap year), never 3 March.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta

from tocsin.obligations.regimes import DEFAULT_RULES, Reminders, StepRule


class Status(enum.StrEnum):
    running = "running"  # a clock runs: due at `due_at`
    overdue = "overdue"  # past `due_at`, not sent
    submitted = "submitted"
    late = "late"  # sent after `due_at`
    waiting = "waiting"  # its clock starts when an earlier step is sent
    on_request = "on_request"  # only when the authority asks
    no_deadline = "no_deadline"  # "without undue delay": no hour count
    not_applicable = "not_applicable"  # applied once, no longer does (kept: it was recorded)


@dataclass(frozen=True)
class Facts:
    """What the clocks depend on: the organisation's status and the incident."""

    nis2: str  # essential | important | none
    csp_health: bool
    personal_data: bool
    high_risk: bool
    aware_at: datetime


@dataclass(frozen=True)
class Clock:
    rule: StepRule
    starts_at: datetime | None  # when its time began to run
    due_at: datetime | None


def add_months(moment: datetime, months: int) -> datetime:
    """The same time `months` calendar months later, clamped to the month's last day."""
    return moment + relativedelta(months=months)


def applies(rule: StepRule, facts: Facts) -> bool:
    """Whether the organisation and the incident fall under this step."""
    return (
        (rule.nis2 is None or facts.nis2 in rule.nis2)
        and (facts.personal_data or not rule.needs_personal_data)
        and (facts.high_risk or not rule.needs_high_risk)
        and (facts.csp_health or not rule.needs_csp_health)
    )


def _due(rule: StepRule, start: datetime) -> datetime | None:
    if rule.hours is not None:
        return start + timedelta(hours=rule.hours)
    if rule.months is not None:
        return add_months(start, rule.months)
    return None


def clock_of(rule: StepRule, facts: Facts, submitted: Mapping[str, datetime]) -> Clock:
    """When the step's time starts and ends, given the steps already sent (key -> when)."""
    if rule.on_request:
        return Clock(rule, None, None)
    start = facts.aware_at if rule.after is None else submitted.get(f"{rule.regime}.{rule.after}")
    if start is None:
        return Clock(rule, None, None)
    return Clock(rule, start, _due(rule, start))


def clocks(
    facts: Facts,
    submitted: Mapping[str, datetime] | None = None,
    rules: Sequence[StepRule] = DEFAULT_RULES,
) -> list[Clock]:
    """Every step that applies, in the table's order, with its due time."""
    sent = submitted or {}
    return [clock_of(rule, facts, sent) for rule in rules if applies(rule, facts)]


def status_of(
    rule: StepRule,
    *,
    due_at: datetime | None,
    submitted_at: datetime | None,
    applicable: bool,
    now: datetime,
) -> Status:
    """The step's state at `now`."""
    if submitted_at is not None:
        return Status.late if is_late(due_at, submitted_at) else Status.submitted
    if not applicable:
        return Status.not_applicable
    if due_at is None:
        if rule.on_request:
            return Status.on_request
        return Status.waiting if rule.after else Status.no_deadline
    return Status.overdue if now > due_at else Status.running


def is_late(due_at: datetime | None, submitted_at: datetime) -> bool:
    """Sent after its due time: GDPR art. 33(1) asks for the reasons of the delay."""
    return due_at is not None and submitted_at > due_at


def reminder_moments(
    starts_at: datetime, due_at: datetime, reminders: Reminders
) -> list[tuple[str, datetime]]:
    """(key, when) of each reminder before the due time, then `overdue` at the due time;
    reminders that would fall before the clock started are dropped."""
    moments: list[tuple[str, datetime]] = []
    span = due_at - starts_at
    for fraction in reminders.fractions:
        moments.append((f"at:{fraction:g}", starts_at + span * fraction))
    for minutes in reminders.minutes_before:
        moments.append((f"before:{minutes}m", due_at - timedelta(minutes=minutes)))
    kept = sorted((m for m in moments if starts_at < m[1] < due_at), key=lambda m: m[1])
    return [*kept, ("overdue", due_at)]


def reminders_due(
    starts_at: datetime,
    due_at: datetime,
    reminders: Reminders,
    sent: Sequence[str],
    now: datetime,
) -> list[str]:
    """The keys of reminders whose moment has come and that were not sent yet."""
    return [
        key
        for key, moment in reminder_moments(starts_at, due_at, reminders)
        if moment <= now and key not in sent
    ]
