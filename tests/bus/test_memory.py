"""What only the in-process bus promises: a stuck handler's backlog is bounded."""

from __future__ import annotations

import asyncio

from tocsin.bus.memory import MemoryBus


async def test_a_stuck_handler_keeps_at_most_its_backlog_and_others_get_everything() -> None:
    bus = MemoryBus(backlog=3)
    await bus.start()
    release = asyncio.Event()
    stuck_saw: list[bytes] = []
    fast_saw: list[bytes] = []

    async def stuck(subject: str, payload: bytes) -> None:
        await release.wait()
        stuck_saw.append(payload)

    async def fast(subject: str, payload: bytes) -> None:
        fast_saw.append(payload)

    await bus.subscribe("T.>", stuck)
    await bus.subscribe("T.>", fast)
    await asyncio.sleep(0)
    for number in range(10):
        await bus.publish("T.x", bytes([number]))
        await asyncio.sleep(0)
    release.set()
    for _ in range(20):
        await asyncio.sleep(0)
    assert fast_saw == [bytes([n]) for n in range(10)]
    # The one being handled when it got stuck, then the three its backlog could hold.
    assert stuck_saw == [bytes([0]), bytes([1]), bytes([2]), bytes([3])]
    await bus.close()
