"""One contract, two buses: the in-process one and NATS JetStream."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from nats_service import delete_stream, nats_url, unique_stream_name

from tocsin.bus import Bus, make_bus, subject_matches
from tocsin.errors import BusUnavailable

BusMaker = Callable[[], Awaitable[Bus]]
SETTLE = 0.3  # lets a NATS consumer be created before the first publish


class Inbox:
    """Collects what a handler receives and lets the test wait for a count."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, bytes]] = []
        self._changed = asyncio.Event()

    async def handler(self, subject: str, payload: bytes) -> None:
        self.messages.append((subject, payload))
        self._changed.set()

    async def wait_for(self, count: int, timeout: float = 5.0) -> list[tuple[str, bytes]]:
        async with asyncio.timeout(timeout):
            while len(self.messages) < count:
                self._changed.clear()
                await self._changed.wait()
        return self.messages


@pytest.fixture(params=["memory", "nats"])
async def make(request: pytest.FixtureRequest) -> AsyncIterator[tuple[str, BusMaker]]:
    """Yield (stream prefix, factory); each call of the factory is one more node."""
    started: list[Bus] = []
    if request.param == "memory":
        shared = make_bus("memory://", "T")

        async def make_node() -> Bus:
            # Nodes of one process share the in-process bus.
            if not started:
                await shared.start()
                started.append(shared)
            return shared

        yield "T", make_node
    else:
        url = nats_url()
        stream = unique_stream_name()

        async def make_node() -> Bus:
            bus = make_bus(url, stream)
            await bus.start()
            started.append(bus)
            return bus

        yield stream, make_node
    for bus in started:
        await bus.close()
    if request.param == "nats":
        await delete_stream(url, stream)


async def test_a_subscriber_receives_what_is_published(make: tuple[str, BusMaker]) -> None:
    stream, make_node = make
    bus = await make_node()
    inbox = Inbox()
    await bus.subscribe(f"{stream}.alerts", inbox.handler)
    await asyncio.sleep(SETTLE)
    await bus.publish(f"{stream}.alerts", b"one")
    await bus.publish(f"{stream}.other", b"not for us")
    await bus.publish(f"{stream}.alerts", b"two")
    assert await inbox.wait_for(2) == [(f"{stream}.alerts", b"one"), (f"{stream}.alerts", b"two")]
    await asyncio.sleep(SETTLE)
    assert len(inbox.messages) == 2


async def test_the_wildcard_matches_every_trailing_subject(make: tuple[str, BusMaker]) -> None:
    stream, make_node = make
    bus = await make_node()
    inbox = Inbox()
    await bus.subscribe(f"{stream}.delivery.>", inbox.handler)
    await asyncio.sleep(SETTLE)
    await bus.publish(f"{stream}.delivery.webhook", b"w")
    await bus.publish(f"{stream}.alerts.published", b"no")
    await bus.publish(f"{stream}.delivery.email.org1", b"e")
    received = await inbox.wait_for(2)
    assert [subject for subject, _ in received] == [
        f"{stream}.delivery.webhook",
        f"{stream}.delivery.email.org1",
    ]


async def test_two_subscribers_both_receive(make: tuple[str, BusMaker]) -> None:
    stream, make_node = make
    bus = await make_node()
    first, second = Inbox(), Inbox()
    await bus.subscribe(f"{stream}.x", first.handler)
    await bus.subscribe(f"{stream}.>", second.handler)
    await asyncio.sleep(SETTLE)
    await bus.publish(f"{stream}.x", b"hello")
    assert await first.wait_for(1) == [(f"{stream}.x", b"hello")]
    assert await second.wait_for(1) == [(f"{stream}.x", b"hello")]


async def test_an_unsubscribed_handler_receives_nothing_more(make: tuple[str, BusMaker]) -> None:
    stream, make_node = make
    bus = await make_node()
    kept, dropped = Inbox(), Inbox()
    await bus.subscribe(f"{stream}.x", kept.handler)
    subscription = await bus.subscribe(f"{stream}.x", dropped.handler)
    await asyncio.sleep(SETTLE)
    await bus.publish(f"{stream}.x", b"1")
    await dropped.wait_for(1)
    await subscription.unsubscribe()
    await bus.publish(f"{stream}.x", b"2")
    await kept.wait_for(2)
    await asyncio.sleep(SETTLE)
    assert dropped.messages == [(f"{stream}.x", b"1")]


async def test_two_nodes_both_receive_a_message(make: tuple[str, BusMaker]) -> None:
    stream, make_node = make
    node_a, node_b = await make_node(), await make_node()
    inbox_a, inbox_b = Inbox(), Inbox()
    await node_a.subscribe(f"{stream}.wake", inbox_a.handler)
    await node_b.subscribe(f"{stream}.wake", inbox_b.handler)
    await asyncio.sleep(SETTLE)
    await node_a.publish(f"{stream}.wake", b"go")
    assert await inbox_a.wait_for(1) == [(f"{stream}.wake", b"go")]
    assert await inbox_b.wait_for(1) == [(f"{stream}.wake", b"go")]


async def test_a_slow_handler_does_not_delay_another(make: tuple[str, BusMaker]) -> None:
    stream, make_node = make
    bus = await make_node()
    release = asyncio.Event()
    fast = Inbox()

    async def stuck(subject: str, payload: bytes) -> None:
        await release.wait()

    await bus.subscribe(f"{stream}.x", stuck)
    await bus.subscribe(f"{stream}.x", fast.handler)
    await asyncio.sleep(SETTLE)
    for index in range(5):
        await bus.publish(f"{stream}.x", str(index).encode())
    assert len(await fast.wait_for(5, timeout=3)) == 5
    release.set()


async def test_a_failing_handler_keeps_its_subscription(make: tuple[str, BusMaker]) -> None:
    stream, make_node = make
    bus = await make_node()
    inbox = Inbox()

    async def flaky(subject: str, payload: bytes) -> None:
        if payload == b"boom":
            raise RuntimeError("handler bug")
        await inbox.handler(subject, payload)

    await bus.subscribe(f"{stream}.x", flaky)
    await asyncio.sleep(SETTLE)
    await bus.publish(f"{stream}.x", b"boom")
    await bus.publish(f"{stream}.x", b"fine")
    assert await inbox.wait_for(1) == [(f"{stream}.x", b"fine")]


async def test_ping_is_true_while_up_and_publish_fails_once_closed(
    make: tuple[str, BusMaker],
) -> None:
    stream, make_node = make
    bus = await make_node()
    assert await bus.ping() is True
    await bus.close()
    assert await bus.ping() is False
    with pytest.raises(BusUnavailable):
        await bus.publish(f"{stream}.x", b"late")


@pytest.mark.parametrize(
    ("pattern", "subject", "expected"),
    [
        ("a.b", "a.b", True),
        ("a.b", "a.c", False),
        ("a.b", "a.b.c", False),
        ("a.>", "a.b", True),
        ("a.>", "a.b.c", True),
        ("a.>", "a", False),
        ("a.*", "a.b", True),
        ("a.*", "a.b.c", False),
        ("a.*.c", "a.b.c", True),
    ],
)
def test_subject_matching_follows_nats_rules(pattern: str, subject: str, expected: bool) -> None:
    assert subject_matches(pattern, subject) is expected


def test_an_unknown_bus_url_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported bus URL"):
        make_bus("redis://localhost", "T")
