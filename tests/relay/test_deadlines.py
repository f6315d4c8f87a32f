"""The relay deadline arithmetic: a table of the defaults, and properties of any policy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tocsin.alerts.vocab import Severity
from tocsin.relay.deadlines import DeadlinePolicy, from_minutes, is_due, remaining

T0 = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("severity", "expected"),
    [
        (Severity.critical, T0 + timedelta(minutes=30)),
        (Severity.high, T0 + timedelta(hours=2)),
        (Severity.medium, None),
        (Severity.low, None),
        (Severity.info, None),
    ],
)
def test_default_deadlines(severity: Severity, expected: datetime | None) -> None:
    assert DeadlinePolicy().deadline(T0, severity) == expected


def test_settings_minutes_make_the_policy() -> None:
    policy = from_minutes(critical=5, high=None, medium=600)
    assert policy.deadline(T0, Severity.critical) == T0 + timedelta(minutes=5)
    assert policy.deadline(T0, Severity.high) is None
    assert policy.deadline(T0, Severity.medium) == T0 + timedelta(hours=10)


def test_a_zero_delay_is_refused() -> None:
    with pytest.raises(ValueError, match="critical"):
        DeadlinePolicy({Severity.critical: timedelta(0)})


@pytest.mark.parametrize(
    ("offset", "due"),
    [(timedelta(seconds=-1), False), (timedelta(0), True), (timedelta(seconds=1), True)],
)
def test_due_at_the_exact_instant(offset: timedelta, due: bool) -> None:
    deadline = T0 + timedelta(minutes=30)
    assert is_due(deadline, deadline + offset) is due
    assert is_due(None, deadline + offset) is False


delays = st.timedeltas(min_value=timedelta(seconds=1), max_value=timedelta(days=30))
moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)


@given(
    declared=moments,
    delay=delays,
    elapsed=st.timedeltas(max_value=timedelta(days=60), min_value=timedelta(0)),
)
def test_due_exactly_when_nothing_remains(
    declared: datetime, delay: timedelta, elapsed: timedelta
) -> None:
    policy = DeadlinePolicy({Severity.critical: delay})
    deadline = policy.deadline(declared, Severity.critical)
    assert deadline == declared + delay
    now = declared + elapsed
    left = remaining(deadline, now)
    assert left is not None and left >= timedelta(0)
    assert is_due(deadline, now) == (elapsed >= delay)
    assert (left == timedelta(0)) == is_due(deadline, now)
    assert now + left >= deadline


@given(declared=moments, short=delays, extra=delays)
def test_a_more_severe_incident_never_waits_longer(
    declared: datetime, short: timedelta, extra: timedelta
) -> None:
    policy = DeadlinePolicy({Severity.critical: short, Severity.high: short + extra})
    critical = policy.deadline(declared, Severity.critical)
    high = policy.deadline(declared, Severity.high)
    assert critical is not None and high is not None and critical < high
