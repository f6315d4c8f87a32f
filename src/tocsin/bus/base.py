"""The Bus interface. The database outbox is the truth; the bus only says "look now".

Subjects are dot-separated tokens, NATS style. A subscription subject may end with `>`,
which matches one or more trailing tokens (`alerts.>` matches `alerts.a` and `alerts.a.b`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

Handler = Callable[[str, bytes], Awaitable[None]]


class Subscription(Protocol):
    async def unsubscribe(self) -> None: ...


class Bus(Protocol):
    async def start(self) -> None: ...

    async def publish(self, subject: str, payload: bytes) -> None:
        """Send a message; raises `BusUnavailable` when the bus cannot take it."""
        ...

    async def subscribe(self, subject: str, handler: Handler) -> Subscription: ...

    async def ping(self) -> bool: ...

    async def close(self) -> None: ...


def subject_matches(pattern: str, subject: str) -> bool:
    """Tell whether `subject` is matched by `pattern` (tokens, `*` one token, `>` the rest)."""
    pattern_tokens = pattern.split(".")
    subject_tokens = subject.split(".")
    for index, part in enumerate(pattern_tokens):
        if part == ">" and index == len(pattern_tokens) - 1:
            return len(subject_tokens) > index
        if index >= len(subject_tokens):
            return False
        if part not in ("*", subject_tokens[index]):
            return False
    return len(pattern_tokens) == len(subject_tokens)
