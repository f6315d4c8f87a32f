"""Webhook SSRF by DNS rebinding: the address checked is the address connected to.

A name answers a public address when the endpoint is registered and 127.0.0.1 when a
delivery is attempted; the real server on 127.0.0.1 must receive nothing. When private
addresses are allowed, the attempt reaches the resolved address itself, with the name in
the Host header and, over TLS, as the server name the certificate is verified for.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator

import pytest
import trustme

from tocsin.delivery.service import check_webhook_url
from tocsin.delivery.webhook_client import Resolver, WebhookClient, WebhookLimits

NAME = "hooks.rebind.test"
LIMITS = WebhookLimits(connect_timeout=1, read_timeout=2, attempt_timeout=3)


class Receiver:
    """A real HTTP server on 127.0.0.1 that keeps the head of every request it gets."""

    def __init__(self) -> None:
        self.heads: list[str] = []
        self.server: asyncio.Server | None = None

    async def start(self, tls: ssl.SSLContext | None = None) -> int:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0, ssl=tls)
        return int(self.server.sockets[0].getsockname()[1])

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            self.heads.append(head.decode("latin-1"))
            writer.write(b"HTTP/1.1 204 No Content\r\n\r\n")
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
            pass
        finally:
            writer.close()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    running = Receiver()
    yield running
    if running.server is not None:
        running.server.close()


def answering(*addresses: str) -> Resolver:
    async def resolve(host: str, port: int) -> list[str]:
        assert host == NAME
        return list(addresses)

    return resolve


async def test_a_name_rebound_to_loopback_after_registration_reaches_nothing(
    receiver: Receiver,
) -> None:
    port = await receiver.start()
    url = f"http://{NAME}:{port}/hook"
    assert check_webhook_url(url, allow_private=False, resolve=lambda h, p: ["93.184.216.34"])
    async with WebhookClient(LIMITS, resolver=answering("127.0.0.1")) as client:
        result = await client.send(url, b"{}", {})
    assert not result.ok and result.status_code is None
    assert result.error and "127.0.0.1" in result.error and "refused" in result.error
    await asyncio.sleep(0.05)
    assert receiver.heads == []


@pytest.mark.parametrize("disguise", ["::ffff:127.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::1"])
async def test_every_address_is_checked_and_ipv6_disguises_of_loopback_refused(
    receiver: Receiver, disguise: str
) -> None:
    port = await receiver.start()
    async with WebhookClient(LIMITS, resolver=answering("93.184.216.34", disguise)) as client:
        result = await client.send(f"http://{NAME}:{port}/hook", b"{}", {})
    assert not result.ok and result.error and disguise in result.error
    assert receiver.heads == []


async def test_the_attempt_connects_to_the_checked_address_with_the_name_as_host(
    receiver: Receiver,
) -> None:
    port = await receiver.start()
    resolved: list[str] = []

    async def resolve(host: str, port: int) -> list[str]:
        resolved.append(host)
        return ["127.0.0.1"]

    async with WebhookClient(LIMITS, allow_private=True, resolver=resolve) as client:
        result = await client.send(f"http://{NAME}:{port}/hook", b"{}", {})
    assert result.ok, result.error
    assert resolved == [NAME]  # resolved once, by the check; the connection did not ask again
    [head] = receiver.heads
    assert f"\r\nhost: {NAME}:{port}\r\n" in head.lower()


async def test_over_tls_the_certificate_is_verified_for_the_name(receiver: Receiver) -> None:
    authority = trustme.CA()
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert(NAME).configure_cert(server_tls)
    port = await receiver.start(server_tls)
    client_tls = ssl.create_default_context()
    authority.configure_trust(client_tls)
    async with WebhookClient(
        LIMITS, allow_private=True, resolver=answering("127.0.0.1"), tls=client_tls
    ) as client:
        good = await client.send(f"https://{NAME}:{port}/hook", b"{}", {})
        assert good.ok, good.error
        wrong = await client.send(f"https://127.0.0.1:{port}/hook", b"{}", {})
    assert not wrong.ok and wrong.error and "certificate" in wrong.error.lower()
    assert len(receiver.heads) == 1
