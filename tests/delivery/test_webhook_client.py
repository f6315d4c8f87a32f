"""Webhook attempts against real local servers: misbehaving endpoints isolate themselves."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from tocsin.delivery.webhook_client import AttemptResult, WebhookClient, WebhookLimits

Behaviour = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
FAST_LIMITS = WebhookLimits(connect_timeout=1, read_timeout=1.5, attempt_timeout=2.5)


async def read_request(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return await reader.readexactly(length)


def answer(status: int, extra: str = "", body: bytes = b"ok") -> Behaviour:
    async def behave(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                await read_request(reader)
            except (asyncio.IncompleteReadError, ConnectionError):
                return
            head = f"HTTP/1.1 {status} X\r\ncontent-length: {len(body)}\r\n{extra}\r\n"
            writer.write(head.encode() + body)
            await writer.drain()

    return behave


async def hang(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    await asyncio.sleep(3600)


async def close_at_once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    writer.close()


async def one_answer_per_connection(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    """Keeps the connection open after its answer, then drops it at the next request, as a
    receiver whose idle timeout fires while the next request is on its way."""
    await read_request(reader)
    writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
    await writer.drain()
    await read_request(reader)
    writer.close()


async def drip(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Answers, then sends its body one byte at a time, never quite silent long enough."""
    await read_request(reader)
    writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\n")
    for _ in range(100_000):
        writer.write(b".")
        await writer.drain()
        await asyncio.sleep(0.5)


async def endless_body(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await read_request(reader)
    writer.write(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")
    chunk = b"x" * 65536
    while True:
        writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        await writer.drain()


class Servers:
    """Real HTTP endpoints on 127.0.0.1, one port each."""

    def __init__(self) -> None:
        self._servers: list[asyncio.Server] = []
        self.open_connections: dict[int, int] = {}
        self.peak_connections: dict[int, int] = {}

    async def start(self, behaviour: Behaviour, path: str = "/hook") -> str:
        port_box: list[int] = []

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            port = port_box[0]
            self.open_connections[port] = self.open_connections.get(port, 0) + 1
            self.peak_connections[port] = max(
                self.peak_connections.get(port, 0), self.open_connections[port]
            )
            try:
                await behaviour(reader, writer)
            except (ConnectionError, asyncio.IncompleteReadError):
                pass
            finally:
                self.open_connections[port] -= 1
                writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port_box.append(server.sockets[0].getsockname()[1])
        self._servers.append(server)
        return f"http://127.0.0.1:{port_box[0]}{path}"

    async def close(self) -> None:
        for server in self._servers:
            server.close()
            # Handlers of hanging connections are cancelled with the loop; do not wait for them.


@pytest.fixture
async def servers() -> AsyncIterator[Servers]:
    running = Servers()
    yield running
    await running.close()


@pytest.fixture
async def client() -> AsyncIterator[WebhookClient]:
    async with WebhookClient(FAST_LIMITS, allow_private=True) as webhook_client:
        yield webhook_client


async def post(client: WebhookClient, url: str) -> AttemptResult:
    return await client.send(url, b'{"type":"alert.published"}', {"webhook-id": "msg_1"})


async def test_a_2xx_answer_is_a_success(servers: Servers, client: WebhookClient) -> None:
    result = await post(client, await servers.start(answer(204, body=b"")))
    assert (result.ok, result.status_code, result.error) == (True, 204, None)
    assert result.duration_ms >= 0


async def test_a_500_answer_is_a_failure_with_its_status(
    servers: Servers, client: WebhookClient
) -> None:
    result = await post(client, await servers.start(answer(500)))
    assert (result.ok, result.status_code, result.error) == (False, 500, "HTTP 500")


async def test_a_redirect_is_not_followed(servers: Servers, client: WebhookClient) -> None:
    url = await servers.start(answer(302, extra="location: /hook\r\n"))
    result = await post(client, url)
    assert (result.ok, result.status_code) == (False, 302)
    assert result.error == "redirect (302) not followed"


async def test_a_closed_connection_is_reported(servers: Servers, client: WebhookClient) -> None:
    result = await post(client, await servers.start(close_at_once))
    assert result.ok is False
    assert result.status_code is None
    assert result.error is not None and "closed" in result.error


async def test_a_refused_connection_is_reported(client: WebhookClient) -> None:
    server = await asyncio.start_server(answer(200), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()
    result = await post(client, f"http://127.0.0.1:{port}/hook")
    assert result.ok is False
    assert result.error is not None and result.error.startswith("connection failed")


async def test_a_kept_alive_connection_found_dead_is_replaced_by_a_new_one(
    servers: Servers, client: WebhookClient
) -> None:
    url = await servers.start(one_answer_per_connection)
    port = int(url.split(":")[2].split("/")[0])
    first, second = await post(client, url), await post(client, url)
    assert first.ok and second.ok, second.error
    assert servers.peak_connections[port] == 1  # the first was dropped before the second


async def test_a_connection_dropped_at_once_is_not_sent_again(client: WebhookClient) -> None:
    connections: list[int] = []

    async def count_and_close(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        await close_at_once(reader, writer)

    server = await asyncio.start_server(count_and_close, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    result = await post(client, f"http://127.0.0.1:{port}/hook")
    server.close()
    assert not result.ok and len(connections) == 1


async def test_a_cookie_set_by_one_endpoint_is_not_sent_to_another_on_its_host(
    client: WebhookClient,
) -> None:
    heads: list[bytes] = []

    async def remember(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError):
                return
            heads.append(head.lower())
            writer.write(
                b"HTTP/1.1 200 OK\r\nset-cookie: session=A; Path=/\r\ncontent-length: 0\r\n\r\n"
            )
            await writer.drain()

    server = await asyncio.start_server(remember, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    await client.send(f"http://127.0.0.1:{port}/a", b"{}", {})
    await client.send(f"http://127.0.0.1:{port}/b", b"{}", {})
    server.close()
    assert len(heads) == 2 and not any(b"cookie:" in head for head in heads)


async def test_a_hanging_endpoint_times_out(servers: Servers, client: WebhookClient) -> None:
    result = await post(client, await servers.start(hang))
    assert (result.ok, result.status_code) == (False, None)
    assert result.error == "no answer within the read timeout"


async def test_a_dripping_endpoint_is_cut_at_the_attempt_deadline(
    servers: Servers, client: WebhookClient
) -> None:
    result = await post(client, await servers.start(drip))
    assert (result.ok, result.status_code) == (False, 200)
    assert result.error == "no complete answer within 2.5 s"
    assert result.duration_ms < 4000


async def test_an_endless_response_is_read_only_up_to_the_cap(
    servers: Servers, client: WebhookClient
) -> None:
    result = await post(client, await servers.start(endless_body))
    assert (result.ok, result.status_code, result.error) == (True, 200, None)


async def test_an_endpoint_never_gets_more_than_its_share_of_connections(
    servers: Servers, client: WebhookClient
) -> None:
    url = await servers.start(hang)
    port = int(url.split(":")[2].split("/")[0])
    tasks = [asyncio.create_task(post(client, url)) for _ in range(10)]
    await asyncio.sleep(0.5)
    assert servers.open_connections[port] == FAST_LIMITS.per_endpoint
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def test_misbehaving_endpoints_do_not_slow_deliveries_to_others(
    servers: Servers, client: WebhookClient
) -> None:
    bad_urls = [
        await servers.start(hang),
        await servers.start(drip),
        await servers.start(answer(500)),
        await servers.start(close_at_once),
        await servers.start(answer(301, extra="location: /hook\r\n")),
    ]
    good_urls = [await servers.start(answer(200)) for _ in range(50)]
    # Ten deliveries queue on each bad endpoint: more than its concurrency allows.
    bad_tasks = [asyncio.create_task(post(client, url)) for url in bad_urls for _ in range(10)]
    hanging_tasks = bad_tasks[:20]
    await asyncio.sleep(0.1)
    good_results = await asyncio.gather(*(post(client, url) for url in good_urls))
    assert all(result.ok for result in good_results)
    # The good endpoints were all served while the hanging ones still waited for an answer.
    assert not any(task.done() for task in hanging_tasks)
    bad_results = await asyncio.gather(*bad_tasks)
    assert not any(result.ok for result in bad_results)
