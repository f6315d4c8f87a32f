"""Deadlines per severity: defaults, and properties over any configuration."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from tocsin.alerts.vocab import Severity
from tocsin.responses.deadlines import DeadlinePolicy, Obligation, Stage, due_at
from tocsin.responses.service import policy_from
from tocsin.settings import Settings

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
DEFAULT = policy_from(Settings(environment="test"))

minutes = st.floats(min_value=0.5, max_value=60 * 24 * 60, allow_nan=False)
policies = st.builds(
    lambda c, h, m, d, r: DeadlinePolicy.of(
        critical_minutes=c, high_minutes=h, medium_minutes=m, first_update_days=d,
        relay_delay_minutes=r,
    ),
    minutes, minutes, minutes,
    st.floats(min_value=0.01, max_value=60, allow_nan=False),
    st.none() | st.floats(min_value=0, max_value=60 * 24 * 30, allow_nan=False),
)  # fmt: skip
moments = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)
)


def test_default_acknowledgement_deadlines():
    ack = {s: due_at(DEFAULT, Obligation.acknowledge, Stage.director, s, T0) for s in Severity}
    assert ack[Severity.critical] == T0 + timedelta(minutes=30)
    assert ack[Severity.high] == T0 + timedelta(hours=4)
    assert ack[Severity.medium] == T0 + timedelta(hours=48)
    assert ack[Severity.low] is None and ack[Severity.info] is None


def test_default_first_update_is_three_days_for_medium_and_above():
    for severity in (Severity.critical, Severity.high, Severity.medium):
        due = due_at(DEFAULT, Obligation.first_update, Stage.director, severity, T0)
        assert due == T0 + timedelta(days=3)
    for severity in (Severity.low, Severity.info):
        assert due_at(DEFAULT, Obligation.first_update, Stage.director, severity, T0) is None


def test_relays_are_told_the_same_deadline_again_by_default():
    relays = due_at(DEFAULT, Obligation.acknowledge, Stage.relays, Severity.critical, T0)
    assert relays == T0 + timedelta(minutes=60)


def test_a_configured_relay_delay_is_used():
    policy = policy_from(Settings(environment="test", escalation_relay_delay_minutes=5))
    relays = due_at(policy, Obligation.acknowledge, Stage.relays, Severity.high, T0)
    assert relays == T0 + timedelta(hours=4, minutes=5)


def test_a_misconfigured_critical_deadline_is_bound_by_the_high_one():
    policy = DeadlinePolicy.of(
        critical_minutes=600, high_minutes=60, medium_minutes=30, first_update_days=1
    )
    critical = due_at(policy, Obligation.acknowledge, Stage.director, Severity.critical, T0)
    assert critical == T0 + timedelta(minutes=30)


def _later_or_equal(a: datetime | None, b: datetime | None) -> bool:
    """a >= b where None means 'never'."""
    if a is None:
        return True
    return b is not None and a >= b


@given(policies, moments, st.sampled_from(list(Obligation)), st.sampled_from(list(Stage)))
def test_deadlines_are_monotone_in_severity(policy, reached, obligation, stage):
    ordered = sorted(Severity, key=lambda s: s.rank)  # info first, critical last
    dues = [due_at(policy, obligation, stage, s, reached) for s in ordered]
    for lesser, greater in itertools.pairwise(dues):
        assert _later_or_equal(lesser, greater)


@given(policies, moments, st.sampled_from(list(Obligation)), st.sampled_from(list(Severity)))
def test_never_before_publication_and_relays_never_before_director(
    policy, reached, obligation, severity
):
    director = due_at(policy, obligation, Stage.director, severity, reached)
    relays = due_at(policy, obligation, Stage.relays, severity, reached)
    assert (director is None) == (relays is None)
    if director is not None and relays is not None:
        assert reached < director <= relays


@given(policies, moments, st.sampled_from(list(Severity)), st.sampled_from(list(Obligation)))
def test_low_and_info_never_have_a_deadline(policy, reached, severity, obligation):
    due = due_at(policy, obligation, Stage.director, severity, reached)
    assert (due is None) == (severity in (Severity.low, Severity.info))


@given(policies, moments, moments, st.sampled_from(list(Severity)))
def test_deadline_moves_with_the_publication_time(policy, first, second, severity):
    a = due_at(policy, Obligation.acknowledge, Stage.director, severity, first)
    b = due_at(policy, Obligation.acknowledge, Stage.director, severity, second)
    if a is not None and b is not None:
        assert a - first == b - second
