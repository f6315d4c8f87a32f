"""`Idempotency-Key` for writes: a client that retries gets the first answer, not a duplicate.

The key is scoped to the caller's credentials (a digest of the Authorization header) and bound
to a digest of the request (method, path, body): the same key with another request is a 422,
and a retry while the first is still running is a 409. Answers below 500 are kept for a day;
a 5xx is forgotten so the client may try again. A kept answer is replayed only while the
credentials that earned it still authenticate: a revoked or expired token gets 401.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta

import anyio.to_thread
from sqlalchemy import LargeBinary, String, delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tocsin.clock import Clock, as_utc
from tocsin.db import Base, transaction

KEEP_FOR = timedelta(hours=24)
WRITE_METHODS = {b"POST", b"PUT", b"PATCH", b"DELETE"}


class IdempotentRequest(Base):
    __tablename__ = "idempotent_requests"

    caller_digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_digest: Mapped[str] = mapped_column(String(64))
    status: Mapped[int | None]
    content_type: Mapped[str | None] = mapped_column(String(100))
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]


def _problem(send_status: int, detail: str) -> tuple[int, bytes]:
    title = {401: "Unauthenticated", 409: "Conflict", 422: "Invalid input"}[send_status]
    body = {"type": "urn:tocsin:problem:idempotency", "title": title, "status": send_status,
            "detail": detail}  # fmt: skip
    return send_status, json.dumps(body).encode()


# Whether an Authorization header still authenticates: (session, header, now) -> bool.
CredentialCheck = Callable[[Session, str, datetime], bool]


class Idempotency:
    """ASGI middleware; the database it writes to is the node's own."""

    def __init__(
        self, app: ASGIApp, sessions: sessionmaker[Session], clock: Clock,
        still_authenticates: CredentialCheck,
    ) -> None:  # fmt: skip
        self.app = app
        self.sessions = sessions
        self.clock = clock
        self.still_authenticates = still_authenticates

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers", [])) if scope["type"] == "http" else {}
        key = headers.get(b"idempotency-key", b"").decode("latin-1").strip()
        if not key or scope.get("method", "").encode() not in WRITE_METHODS:
            await self.app(scope, receive, send)
            return
        if len(key) > 200:
            await _reply(send, *_problem(422, "Idempotency-Key is longer than 200 characters"))
            return
        body = await _read_body(receive)
        caller = hashlib.sha256(headers.get(b"authorization", b"")).hexdigest()
        digest = hashlib.sha256(
            scope["method"].encode() + b" " + scope["path"].encode() + b"\n" + body
        ).hexdigest()
        # Database work in a thread: the event loop also serves live streams.
        earlier = await anyio.to_thread.run_sync(self._claim, caller, key, digest)
        if earlier is not None:
            authorization = headers.get(b"authorization", b"").decode("latin-1")
            if not await anyio.to_thread.run_sync(self._authenticates, authorization):
                await _reply(send, *_problem(401, "invalid, revoked or expired token"), "",
                             [(b"www-authenticate", b'Bearer realm="tocsin"')])  # fmt: skip
                return
            await _reply(send, *earlier)
            return
        captured = await self._run(scope, body, send)
        await anyio.to_thread.run_sync(self._remember, caller, key, captured)

    def _authenticates(self, authorization: str) -> bool:
        with transaction(self.sessions) as session:
            return self.still_authenticates(session, authorization, self.clock.now())

    def _claim(self, caller: str, key: str, digest: str) -> tuple[int, bytes, str] | None:
        """Insert the in-flight marker, or return the answer to replay."""
        now = self.clock.now()
        with transaction(self.sessions) as session:
            session.execute(
                delete(IdempotentRequest).where(IdempotentRequest.created_at < now - KEEP_FOR)
            )
        try:
            with transaction(self.sessions) as session:
                session.add(IdempotentRequest(caller_digest=caller, key=key,
                                              request_digest=digest, created_at=now))  # fmt: skip
            return None
        except IntegrityError:
            pass
        with self.sessions() as session:
            row = session.get(IdempotentRequest, (caller, key))
        if row is None or as_utc(row.created_at) < now - KEEP_FOR:
            return (*_problem(409, "retry: the earlier request with this key just ended"), "")
        if row.request_digest != digest:
            return (*_problem(422, "this Idempotency-Key was used for another request"), "")
        if row.status is None:
            return (*_problem(409, "a request with this Idempotency-Key is in progress"), "")
        return row.status, row.body or b"", row.content_type or "application/json"

    async def _run(self, scope: Scope, body: bytes, send: Send) -> tuple[int, bytes, str]:
        status, content_type, chunks = 500, "", []
        sent_body = False

        async def replay_receive() -> Message:
            nonlocal sent_body
            if sent_body:
                return {"type": "http.disconnect"}
            sent_body = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def capture(message: Message) -> None:
            nonlocal status, content_type
            if message["type"] == "http.response.start":
                status = message["status"]
                content_type = dict(message.get("headers", [])).get(b"content-type", b"").decode()
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        await self.app(scope, replay_receive, capture)
        return status, b"".join(chunks), content_type

    def _remember(self, caller: str, key: str, captured: tuple[int, bytes, str]) -> None:
        status, body, content_type = captured
        with transaction(self.sessions) as session:
            row = session.get(IdempotentRequest, (caller, key))
            if row is None:
                return
            if status >= 500:
                session.delete(row)
            else:
                row.status, row.body, row.content_type = status, body, content_type


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def _reply(
    send: Send, status: int, body: bytes, content_type: str = "",
    extra: list[tuple[bytes, bytes]] | None = None,
) -> None:  # fmt: skip
    media = content_type or "application/problem+json"
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", media.encode()), (b"content-length", str(len(body)).encode()),
        (b"idempotent-replayed", b"true"), *(extra or [])]})  # fmt: skip
    await send({"type": "http.response.body", "body": body})
