"""Build the configured bus from its URL (`TOCSIN_BUS_URL`, `TOCSIN_BUS_STREAM`)."""

from __future__ import annotations

from urllib.parse import urlsplit

from tocsin.bus.base import Bus
from tocsin.bus.memory import MemoryBus
from tocsin.bus.nats import NatsBus


def make_bus(url: str, stream: str) -> Bus:
    """Return an unstarted bus for `memory://` or `nats://host:port` (comma-separated servers)."""
    scheme = urlsplit(url).scheme
    if scheme == "memory":
        return MemoryBus()
    if scheme in ("nats", "tls"):
        return NatsBus(servers=url.split(","), stream=stream)
    raise ValueError(f"unsupported bus URL scheme {scheme!r}; use memory:// or nats://host:port")
