"""A payload serialised once and wrapped per event gives the same bytes, hence signatures."""

from __future__ import annotations

from typing import Any

import pytest

from tocsin.delivery.content import data_bytes, envelope_around, envelope_bytes

ALERTS: list[dict[str, Any]] = [
    {},
    {"title": "Rançongiciel — « LockBit »", "zeta": [3, {"b": 1, "a": None}], "exercise": True},
    {"id": "x", "indicators": [{"value": "10.0.0.1", "type": "ipv4"}], "score": 1.5},
]


@pytest.mark.parametrize("alert", ALERTS)
@pytest.mark.parametrize("exercise", [False, True])
def test_wrapping_a_serialised_payload_gives_the_envelope_bytes(
    alert: dict[str, Any], exercise: bool
) -> None:
    fields = {
        "event_id": "6f1d8c2e-3b7a-5e4f-9a10-2c4d6e8f0a1b", "action": "publish", "revision": 2,
        "timestamp": "2026-11-27T22:00:00+00:00", "exercise": exercise,
    }  # fmt: skip
    assert envelope_around(data_bytes(alert), **fields) == envelope_bytes(alert=alert, **fields)
