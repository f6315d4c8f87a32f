"""Rate limits on writes (per token and per address) and on failed authentication (per address).

Failed authentication is throttled, never a valid credential: an address behind which a
hospital's whole network sits (NAT, proxy) may hold one guesser and many honest callers.
Once an address has failed too often, a bearer token from it is still checked, and only a
failure is answered 429 instead of 401 (so a guesser learns nothing more per try); a valid
token is served. The sign-in form is refused before it runs (each try costs a password
hash), and each account has its own stored lockout besides (identity/lockout.py).

Token buckets kept in the node's memory: each node limits what it serves, which bounds abuse
without a shared store; behind several nodes the effective limit is per node.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tocsin.clock import Clock

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
MAX_KEYS = 100_000


@dataclass
class _Bucket:
    tokens: float
    updated: float


class TokenBuckets:
    """`rate` events per minute, bursts up to `rate`; pure arithmetic on a clock."""

    def __init__(self, per_minute: int, clock: Clock) -> None:
        self.capacity = float(per_minute)
        self.refill_per_second = per_minute / 60.0
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}

    def _bucket(self, key: str) -> _Bucket:
        now = self.clock.now().timestamp()
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= MAX_KEYS:  # forget the idle ones first
                self._buckets = {k: b for k, b in self._buckets.items() if b.tokens < self.capacity}
            bucket = self._buckets[key] = _Bucket(self.capacity, now)
        bucket.tokens = min(
            self.capacity, bucket.tokens + (now - bucket.updated) * self.refill_per_second
        )
        bucket.updated = now
        return bucket

    def wait_seconds(self, key: str) -> int:
        """0 if an event may happen now, else how long until one may."""
        bucket = self._bucket(key)
        if bucket.tokens >= 1:
            return 0
        return max(1, math.ceil((1 - bucket.tokens) / self.refill_per_second))

    def take(self, key: str) -> int:
        """Spend one event; return 0, or the seconds to wait when the bucket is empty."""
        wait = self.wait_seconds(key)
        if wait == 0:
            self._buckets[key].tokens -= 1
        return wait


class RateLimit:
    """ASGI middleware answering 429 with Retry-After."""

    def __init__(self, app: ASGIApp, *, writes_per_minute: int, auth_failures_per_minute: int,
                 clock: Clock) -> None:  # fmt: skip
        self.app = app
        self.writes = TokenBuckets(writes_per_minute, clock)
        self.writes_by_address = TokenBuckets(writes_per_minute * 4, clock)
        self.failures = TokenBuckets(auth_failures_per_minute, clock)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        address = scope["client"][0] if scope.get("client") else "unknown"
        headers = dict(scope.get("headers", []))
        credentials = headers.get(b"authorization", b"")
        # A browser signing in sends its password (then its code or key) in the form, not in
        # a header: both steps are credentials (/signin, /signin/verify, /signin/passkey).
        signing_in = scope["method"] == "POST" and str(scope.get("path", "")).startswith("/signin")
        throttled = self.failures.wait_seconds(address) if credentials or signing_in else 0
        wait = (throttled if signing_in else 0) or self._write_wait(
            scope["method"], address, credentials or (b"form" if signing_in else b"")
        )
        if wait:
            await _too_many(send, wait)
            return
        failed = False

        async def watch(message: Message) -> None:
            nonlocal failed
            if message["type"] == "http.response.start" and message["status"] == 401:
                failed = True
                self.failures.take(address)
                if throttled:
                    await _too_many(send, throttled)
            if not (failed and throttled):
                await send(message)

        await self.app(scope, receive, watch)

    def _write_wait(self, method: str, address: str, credentials: bytes) -> int:
        if method not in WRITE_METHODS:
            return 0
        caller = hashlib.sha256(credentials).hexdigest() if credentials else address
        return self.writes.take(caller) or self.writes_by_address.take(address)


async def _too_many(send: Send, wait: int) -> None:
    problem = {"type": "urn:tocsin:problem:rate-limited", "title": "Too many requests",
               "status": 429, "detail": f"slow down; retry in {wait} s"}  # fmt: skip
    body = json.dumps(problem).encode()
    await send({"type": "http.response.start", "status": 429, "headers": [
        (b"content-type", b"application/problem+json"), (b"retry-after", str(wait).encode()),
        (b"content-length", str(len(body)).encode())]})  # fmt: skip
    await send({"type": "http.response.body", "body": body})
