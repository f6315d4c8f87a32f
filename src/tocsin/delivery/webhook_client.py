"""Send one webhook attempt without letting any endpoint slow the deliveries to others.

Each endpoint URL gets its own small `httpx.AsyncClient` pool and semaphore, so
a hanging receiver ties up at most `per_endpoint` connections, and every attempt is bounded
by a total deadline. Redirects are not followed (a receiver must give its final URL) and only
the first bytes of a response are read.

Every attempt resolves the host once, checks every address it gets (a name checked at
registration may since have been rebound to loopback), and connects to the checked address
itself, with the name in the Host header and as the TLS server name, so the certificate is
verified for the name and no second lookup can lead elsewhere.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import TracebackType

import httpx

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

    url: httpx.URL
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
        transport: httpx.AsyncBaseTransport | None = None,
        *,
        allow_private: bool = False,
        resolver: Resolver = system_resolver,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.limits = limits or WebhookLimits()
        self.allow_private = allow_private
        self._resolver = resolver
        timeout = httpx.Timeout(
            connect=self.limits.connect_timeout,
            read=self.limits.read_timeout,
            write=self.limits.read_timeout,
            pool=self.limits.attempt_timeout,
        )
        self._timeout = timeout
        self._transport = transport
        # One TLS context for every endpoint: loading the CA bundle costs ~20 ms each time.
        self._tls = tls or ssl.create_default_context()
        # One small pool per endpoint: a hanging endpoint fills only its own, and httpcore's
        # pool, which scans all its connections and waiting requests on every event, stays
        # tiny (a single pool for 3,000 endpoints spent the event loop scanning).
        self._clients: dict[str, httpx.AsyncClient] = {}
        self._semaphores: dict[str, asyncio.Semaphore] = {}
        # Bounds the sockets of the node; taken after the endpoint's own semaphore, so a
        # hanging endpoint holds at most `per_endpoint` of them.
        self._sockets = asyncio.Semaphore(self.limits.max_connections)

    def _client(self, url: str) -> httpx.AsyncClient:
        client = self._clients.get(url)
        if client is None:
            size = self.limits.per_endpoint
            client = self._clients[url] = httpx.AsyncClient(
                timeout=self._timeout,
                follow_redirects=False,
                limits=httpx.Limits(max_connections=size, max_keepalive_connections=size),
                headers={"user-agent": USER_AGENT},
                transport=self._transport,
                trust_env=False,
                verify=self._tls,
            )
        return client

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
        request_headers = {"content-type": "application/json", **headers}
        status_code: int | None = None
        try:
            async with asyncio.timeout(self.limits.attempt_timeout):
                target = await self.pin(url)
                client = self._client(url)
                request_headers["host"] = target.host_header
                extensions = {"sni_hostname": target.server_name} if target.server_name else {}
                request = client.build_request(
                    "POST", target.url, content=body, headers=request_headers,
                    extensions=extensions,
                )  # fmt: skip
                response = await client.send(request, stream=True)
                status_code = response.status_code
                try:
                    await self._read_capped(response)
                finally:
                    await response.aclose()
        except AddressRefused as refused:
            return None, str(refused)
        except TimeoutError:
            return status_code, f"no complete answer within {self.limits.attempt_timeout:g} s"
        except httpx.HTTPError as exc:
            return status_code, _transport_error(exc)
        return status_code, None

    async def pin(self, url: str) -> PinnedTarget:
        """Resolve the URL's host once, check every address, and aim at the first one."""
        parsed = httpx.URL(url)
        host, port = parsed.host, parsed.port or (443 if parsed.scheme == "https" else 80)
        if _is_literal(host):
            addresses = [host]
        else:
            try:
                addresses = await self._resolver(host, port)
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
        server_name = None if _is_literal(host) or parsed.scheme != "https" else host
        return PinnedTarget(parsed.copy_with(host=chosen), parsed.netloc.decode(), server_name)

    async def _read_capped(self, response: httpx.Response) -> None:
        # The body is only kept for nobody; reading a little lets the connection be reused.
        received = 0
        async for chunk in response.aiter_raw():
            received += len(chunk)
            if received >= self.limits.max_response_bytes:
                return

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()

    async def __aenter__(self) -> WebhookClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()


def _status_error(status_code: int | None) -> str:
    if status_code is not None and 300 <= status_code < 400:
        return f"redirect ({status_code}) not followed"
    return f"HTTP {status_code}"


def _transport_error(exc: httpx.HTTPError) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return "connection timed out"
    if isinstance(exc, httpx.ReadTimeout):
        return "no answer within the read timeout"
    if isinstance(exc, httpx.PoolTimeout):
        return "no free connection"
    if isinstance(exc, httpx.ConnectError):
        return f"connection failed: {exc}"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"the endpoint closed the connection or broke HTTP: {exc}"
    return f"{type(exc).__name__}: {exc}"
