"""Helpers for the bus tests: a NATS URL that skips (locally) or fails (CI=true) if absent."""

from __future__ import annotations

import os
import socket
import uuid

import nats
import pytest

NATS_HOST = "127.0.0.1"
NATS_PORT = 4222


def port_open(host: str, port: int, timeout: float = 1.0) -> bool:
    """Tell whether a TCP connection to host:port succeeds."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def require_service(name: str, host: str, port: int) -> None:
    """Skip (locally) or fail (under CI=true) when the service is unreachable."""
    if port_open(host, port):
        return
    reason = f"{name} is not reachable on {host}:{port}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: the service is required)")
    pytest.skip(reason)


def nats_url() -> str:
    """The shared NATS server's URL; skips or fails the calling test if it is down."""
    require_service("NATS JetStream", NATS_HOST, NATS_PORT)
    return f"nats://{NATS_HOST}:{NATS_PORT}"


def unique_stream_name() -> str:
    return f"TOCSIN_TEST_{uuid.uuid4().hex[:12].upper()}"


async def delete_stream(url: str, stream: str) -> None:
    client = await nats.connect(url)
    try:
        await client.jetstream().delete_stream(stream)
    except nats.js.errors.NotFoundError:
        pass
    finally:
        await client.close()


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
