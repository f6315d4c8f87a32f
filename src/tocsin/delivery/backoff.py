"""When to retry a failed delivery: exponential backoff with full jitter, for 24 hours.

Full jitter (a delay drawn uniformly below the exponential ceiling) spreads the retries of many
deliveries that failed together, e.g. when one hospital's gateway came back, so they do not
all hit it again at the same second.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

BASE_DELAY = timedelta(seconds=10)
MAX_DELAY = timedelta(hours=1)
RETRY_WINDOW = timedelta(hours=24)
# Never retry sooner than this, even when the jitter draws zero.
MIN_DELAY = timedelta(seconds=1)


def delay_ceiling(attempt: int) -> timedelta:
    """The largest delay after failed attempt number `attempt` (1 for the first failure)."""
    if attempt < 1:
        raise ValueError("attempt numbers start at 1")
    doublings = min(attempt - 1, 32)  # 10 s * 2**32 is far past the cap; avoids huge ints
    return min(MAX_DELAY, BASE_DELAY * (2**doublings))


def next_attempt_at(
    attempt: int, first_failure_at: datetime, now: datetime, rng: random.Random
) -> datetime | None:
    """When to try again after failed attempt `attempt`, or None to give up (disable endpoint).

    Retries stop 24 hours after the first failure; the last one is scheduled at the end of
    that window rather than past it.
    """
    give_up_at = first_failure_at + RETRY_WINDOW
    if now >= give_up_at:
        return None
    ceiling = delay_ceiling(attempt).total_seconds()
    delay = max(MIN_DELAY, timedelta(seconds=rng.uniform(0, ceiling)))
    return min(now + delay, give_up_at)
