"""Send one webhook attempt without letting any endpoint slow the deliveries to others.

One aiohttp session per node (its pool costs a few hundred microseconds of CPU per request,
where httpx cost 1-2 ms: `bench/webhook_client.py`); each endpoint URL has its own
semaphore, taken before a socket, so a hanging receiver ties up at most `per_endpoint`
connections, and every attempt is bounded by a total deadline. Redirects are not followed
(a receiver must give its final URL) and only the first bytes of a response are read. A
request that fails on a kept-alive connection the receiver had dropped is sent again once on
a new connection, since nothing reached the receiver's application.

Every attempt resolves the host once, checks every address it gets (a name checked at
registration may since have been rebound to loopback), and connects to the checked address
itself, with the name in the Host header and as the TLS server name, so the certificate is
verified for the name and no second lookup can lead elsewhere. Kept-alive connections are
pooled by address, port and server name, so one is never reused for another name.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import socket
import ssl
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import SimpleNamespace, TracebackType

import aiohttp
from yarl import URL

from tocsin.delivery.addresses import first_refused

USER_AGENT = "tocsin-webhook/1"

# A host name and port to the addresses to try; the default asks the system resolver.
Resolver = Callable[[str, int], Awaitable[list[str]]]


async def system_resolver(host: str, port: int) -> list[str]:
    """The addresses of a host, from the system resolver, without blocking the loop."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


class AddressRefused(Exception):
    """The host cannot be resolved, or leads to an address webhooks may not reach."""


@dataclass(frozen=True)
class PinnedTarget:
    """Where one attempt connects: a checked address, and the name it stands for."""

    url: URL
    host_header: str
    server_name: str | None


def _is_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class AttemptResult:
    """The outcome of one POST to one endpoint."""

    status_code: int | None
    error: str | None
    duration_ms: int
    ok: bool


@dataclass(frozen=True)
class WebhookLimits:
    connect_timeout: float = 5.0
    read_timeout: float = 5.0
    attempt_timeout: float = 10.0
    per_endpoint: int = 4
    # Above the per-endpoint bound times the endpoints that may hang at once.
    max_connections: int = 512
    max_response_bytes: int = 16 * 1024


class WebhookClient:
    """POSTs signed bodies to endpoints; one instance per node, closed on shutdown."""

    def __init__(
        self,
        limits: WebhookLimits | None = None,
        *,
        allow_private: bool = False,
        resolver: Resolver = system_resolver,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.limits = limits or WebhookLimits()
        self.allow_private = allow_private
        self._resolver = resolver
        # One TLS context for every endpoint: loading the CA bundle costs ~20 ms each time.
        self._tls = tls or ssl.create_default_context()
        self._session: aiohttp.ClientSession | None = None  # made in the running loop
        self._semaphores: dict[str, asyncio.Semaphore] = {}
        # Bounds the sockets of the node; taken after the endpoint's own semaphore, so a
        # hanging endpoint holds at most `per_endpoint` of them.
        self._sockets = asyncio.Semaphore(self.limits.max_connections)

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            reuse = aiohttp.TraceConfig()
            reuse.on_connection_reuseconn.append(_note_reuse)
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(
                    limit=self.limits.max_connections, limit_per_host=0, ssl=self._tls
                ),
                timeout=aiohttp.ClientTimeout(
                    total=None,
                    sock_connect=self.limits.connect_timeout,
                    sock_read=self.limits.read_timeout,
                ),
                headers={"user-agent": USER_AGENT},
                skip_auto_headers=("accept", "accept-encoding"),
                auto_decompress=False,
                trust_env=False,
                # No cookies: one endpoint's answer must not travel to another on its host.
                cookie_jar=aiohttp.DummyCookieJar(),
                trace_configs=[reuse],
            )
        return self._session

    def _semaphore(self, url: str) -> asyncio.Semaphore:
        semaphore = self._semaphores.get(url)
        if semaphore is None:
            semaphore = self._semaphores[url] = asyncio.Semaphore(self.limits.per_endpoint)
        return semaphore

    async def send(self, url: str, body: bytes, headers: Mapping[str, str]) -> AttemptResult:
        """POST `body` as JSON; never raises for what the endpoint does."""
        async with self._semaphore(url), self._sockets:
            started = time.monotonic()
            status_code, error = await self._attempt(url, body, headers)
            duration_ms = int((time.monotonic() - started) * 1000)
        ok = error is None and status_code is not None and 200 <= status_code < 300
        if error is None and not ok:
            error = _status_error(status_code)
        return AttemptResult(status_code, error, duration_ms, ok)

    async def _attempt(
        self, url: str, body: bytes, headers: Mapping[str, str]
    ) -> tuple[int | None, str | None]:
        answer = _Answer()
        try:
            async with asyncio.timeout(self.limits.attempt_timeout):
                target = await self.pin(url)
                request_headers = {
                    "content-type": "application/json",
                    **headers,
                    "host": target.host_header,
                }
                while True:
                    try:
                        await self._post(target, body, request_headers, answer)
                        break
                    except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError):
                        # A kept-alive connection the receiver had closed: nothing reached
                        # its application, so a new connection gets the same request once.
                        if not answer.reused or answer.status_code is not None or answer.retried:
                            raise
                        answer.retried, answer.reused = True, False
        except AddressRefused as refused:
            return None, str(refused)
        except aiohttp.ClientError as exc:  # before TimeoutError: its timeouts are both
            return answer.status_code, _transport_error(exc)
        except TimeoutError:
            error = f"no complete answer within {self.limits.attempt_timeout:g} s"
            return answer.status_code, error
        return answer.status_code, None

    async def _post(
        self, target: PinnedTarget, body: bytes, headers: dict[str, str], answer: _Answer
    ) -> None:
        async with self._http().post(
            target.url, data=body, headers=headers, allow_redirects=False,
            server_hostname=target.server_name, trace_request_ctx=answer,
        ) as response:  # fmt: skip
            answer.status_code = response.status
            await self._read_capped(response)

    async def pin(self, url: str) -> PinnedTarget:
        """Resolve the URL's host once, check every address, and aim at the first one."""
        parts = _parts(url)
        host = parts.host
        if parts.literal:
            addresses = [host]
        else:
            try:
                addresses = await self._resolver(host, parts.port)
            except (OSError, UnicodeError) as exc:
                raise AddressRefused(f"the host {host} does not resolve: {exc}") from None
        if not addresses:
            raise AddressRefused(f"the host {host} does not resolve")
        refused = None if self.allow_private else first_refused(addresses)
        if refused is not None:
            raise AddressRefused(
                f"refused: {host} resolves to {refused}, a loopback, private or reserved address"
            )
        chosen = addresses[0].split("%", 1)[0]
        server_name = None if parts.literal or parts.scheme != "https" else host
        return PinnedTarget(_aimed(url, chosen), parts.netloc, server_name)

    async def _read_capped(self, response: aiohttp.ClientResponse) -> None:
        # The body is kept for nobody; reading it whole lets the connection be reused, and a
        # body cut at the cap closes the connection instead.
        received = 0
        while received < self.limits.max_response_bytes:
            chunk = await response.content.readany()
            if not chunk:
                return
            received += len(chunk)

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> WebhookClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()


@dataclass(frozen=True)
class _Parts:
    scheme: str
    host: str
    port: int
    netloc: str
    literal: bool


# The URL is read by the same parser that aiohttp sends with (yarl), so the host checked is
# the host a request would go to; an endpoint's URL is parsed once, not at every attempt.
@functools.lru_cache(maxsize=8192)
def _parts(url: str) -> _Parts:
    parsed = URL(url)
    host, port = parsed.raw_host or "", parsed.port or 0
    return _Parts(parsed.scheme, host, port, parsed.host_port_subcomponent or "", _is_literal(host))


@functools.lru_cache(maxsize=8192)
def _aimed(url: str, address: str) -> URL:
    """The URL with the checked address in place of the name."""
    return URL(url).with_host(address)


class _Answer:
    """What one attempt learnt so far: kept when a deadline or an error cuts it short."""

    def __init__(self) -> None:
        self.status_code: int | None = None
        self.reused = False
        self.retried = False


async def _note_reuse(
    _session: aiohttp.ClientSession,
    context: SimpleNamespace,
    _params: aiohttp.TraceConnectionReuseconnParams,
) -> None:
    answer = context.trace_request_ctx
    if isinstance(answer, _Answer):
        answer.reused = True


def _status_error(status_code: int | None) -> str:
    if status_code is not None and 300 <= status_code < 400:
        return f"redirect ({status_code}) not followed"
    return f"HTTP {status_code}"


def _transport_error(exc: aiohttp.ClientError) -> str:
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return "connection timed out"
    if isinstance(exc, aiohttp.ServerTimeoutError):
        return "no answer within the read timeout"
    if isinstance(exc, aiohttp.ClientConnectorError):
        return f"connection failed: {exc}"
    if isinstance(
        exc, aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError | aiohttp.ClientOSError
    ):
        return f"the endpoint closed the connection or broke HTTP: {exc}"
    if isinstance(exc, aiohttp.ClientResponseError):
        return f"the endpoint broke HTTP: {exc.message}"
    return f"{type(exc).__name__}: {exc}"
