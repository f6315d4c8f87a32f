"""Lockout of an account after repeated wrong passwords, whoever the address.

The rate limit per address (ratelimit.py) slows one attacker; this stops many addresses
guessing one account's password. Kept in the node's memory: a restart or another node
forgets the count, which bounds guessing to a few attempts per account per node and per
lock period, and never locks an account for good (denial of service on a director).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

MAX_FAILURES = 5
LOCK_PERIOD = timedelta(minutes=15)


@dataclass
class Lockout:
    failures: dict[str, int] = field(default_factory=dict)
    locked_until: dict[str, datetime] = field(default_factory=dict)

    def wait(self, email: str, now: datetime) -> int:
        """Seconds until this account may try again; 0 when it may now."""
        until = self.locked_until.get(email.lower())
        if until is None or until <= now:
            self.locked_until.pop(email.lower(), None)
            return 0
        return max(1, int((until - now).total_seconds()))

    def failed(self, email: str, now: datetime) -> None:
        key = email.lower()
        self.failures[key] = self.failures.get(key, 0) + 1
        if self.failures[key] >= MAX_FAILURES:
            self.locked_until[key] = now + LOCK_PERIOD
            self.failures[key] = 0

    def succeeded(self, email: str) -> None:
        self.failures.pop(email.lower(), None)
