"""The retry schedule: bounded, jittered, and over after 24 hours."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tocsin.delivery.backoff import (
    BASE_DELAY,
    MAX_DELAY,
    MIN_DELAY,
    RETRY_WINDOW,
    delay_ceiling,
    next_attempt_at,
)

FIRST = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
attempts = st.integers(min_value=1, max_value=10_000)
elapsed = st.timedeltas(min_value=timedelta(0), max_value=RETRY_WINDOW - timedelta(microseconds=1))
seeds = st.integers(min_value=0, max_value=2**32)


@given(attempt=attempts, since_first=elapsed, seed=seeds)
def test_a_delay_never_exceeds_the_cap_nor_the_window(
    attempt: int, since_first: timedelta, seed: int
) -> None:
    now = FIRST + since_first
    scheduled = next_attempt_at(attempt, FIRST, now, random.Random(seed))
    assert scheduled is not None
    assert now < scheduled <= now + MAX_DELAY
    assert scheduled <= FIRST + RETRY_WINDOW


@given(attempt=attempts, since_first=elapsed, seed=seeds)
def test_a_delay_stays_below_its_attempts_ceiling(
    attempt: int, since_first: timedelta, seed: int
) -> None:
    now = FIRST + since_first
    scheduled = next_attempt_at(attempt, FIRST, now, random.Random(seed))
    assert scheduled is not None
    assert scheduled - now <= max(MIN_DELAY, delay_ceiling(attempt))


@given(first=attempts, second=attempts)
def test_ceilings_grow_with_the_attempt_number_up_to_the_cap(first: int, second: int) -> None:
    low, high = sorted((first, second))
    assert BASE_DELAY <= delay_ceiling(low) <= delay_ceiling(high) <= MAX_DELAY


@given(since_window_end=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=30)))
def test_retries_stop_after_the_window(since_window_end: timedelta) -> None:
    now = FIRST + RETRY_WINDOW + since_window_end
    assert next_attempt_at(3, FIRST, now, random.Random(0)) is None


def test_the_ceiling_doubles_from_ten_seconds_to_one_hour() -> None:
    assert [delay_ceiling(n).total_seconds() for n in range(1, 11)] == [
        10,
        20,
        40,
        80,
        160,
        320,
        640,
        1280,
        2560,
        3600,
    ]
    with pytest.raises(ValueError):
        delay_ceiling(0)


def test_the_jitter_spreads_retries_of_many_deliveries() -> None:
    rng = random.Random(42)
    delays = {next_attempt_at(8, FIRST, FIRST, rng) for _ in range(200)}
    assert len(delays) > 150


def test_a_failing_endpoint_is_retried_until_the_window_closes_then_given_up() -> None:
    rng = random.Random(7)
    now, attempt = FIRST, 1
    while (scheduled := next_attempt_at(attempt, FIRST, now, rng)) is not None:
        assert scheduled > now
        now, attempt = scheduled, attempt + 1
    assert now == FIRST + RETRY_WINDOW
    # Roughly one try per half hour once capped: between 24 and a few hundred attempts.
    assert 30 < attempt < 500
