"""The hub client's request shapes (the lead adds the end-to-end test against the real hub)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest
from rich.console import Console

from tocsin.sweep.cli import _report_back
from tocsin.sweep.hub import HubClient, HubError, load_from_hub
from tocsin.sweep.scan import Sighting

ALERT = "7a1e0c9e-0000-4000-8000-000000000001"
IOC = "7a1e0c9e-0000-4000-8000-0000000000aa"


class Recorder:
    """A MockTransport handler serving two pages of indicators and recording every request."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == "/api/v1/sweep/indicators":
            if "cursor" not in request.url.params:
                item = {
                    "id": IOC,
                    "alert_id": ALERT,
                    "type": "domain",
                    "value": "Evil.COM",
                    "valid_until": None,
                    "first_seen": "2026-11-20T08:00:00Z",
                }
                return httpx.Response(200, json={"items": [item], "next": "p2"})
            item = {
                "id": "b",
                "alert_id": ALERT,
                "type": "ipv4",
                "value": "45.9.8.7",
                "valid_until": None,
                "first_seen": "2026-11-21T08:00:00Z",
            }
            return httpx.Response(200, json={"items": [item], "next": None})
        return httpx.Response(204 if request.method == "PUT" else 201)


def _client(recorder: Recorder) -> HubClient:
    return HubClient("https://hub.example/", "T0K", transport=httpx.MockTransport(recorder))


def test_indicators_follow_the_cursor_with_the_token_and_alert() -> None:
    recorder = Recorder()
    loaded, earliest = load_from_hub(_client(recorder), ALERT)
    assert loaded.indicators.domains == {"evil.com"}
    assert loaded.indicators.ips == {"45.9.8.7"}
    assert earliest == datetime(2026, 11, 20, 8, tzinfo=UTC)
    first, second = recorder.requests
    assert first.headers["authorization"] == "Bearer T0K"
    assert first.url.params["alert"] == ALERT
    assert second.url.params["cursor"] == "p2"
    assert loaded.refs[("domain", "evil.com")][0].indicator_id == IOC


def test_sightings_carry_counts_never_lines_and_set_affected() -> None:
    recorder = Recorder()
    client = _client(recorder)
    loaded, _ = load_from_hub(client, None)
    seen = Sighting()
    seen.see(datetime(2026, 11, 22, 9, tzinfo=UTC), "/var/log/squid/access.log", "SECRET LINE")
    _report_back(
        client,
        loaded,
        {("domain", "evil.com"): seen},
        alert=None,
        anonymous=True,
        confirm_clean=False,
        covers_alert=False,
        console=Console(quiet=True),
    )
    post, put = recorder.requests[2:]
    body = json.loads(post.content)
    assert post.url.path == "/api/v1/sightings"
    assert body == {
        "indicator_id": IOC,
        "count": 1,
        "first_seen": "2026-11-22T09:00:00+00:00",
        "last_seen": "2026-11-22T09:00:00+00:00",
        "anonymous": True,
        "source": "sweep",
    }
    assert b"SECRET" not in post.content
    assert (put.method, put.url.path) == ("PUT", f"/api/v1/alerts/{ALERT}/response")
    assert json.loads(put.content) == {"applicability": "affected"}


@pytest.mark.parametrize(
    ("confirm", "covers", "expected"),
    [
        (True, True, [{"applicability": "not_affected"}]),
        (False, True, []),
        (True, False, []),
    ],
)
def test_not_affected_only_after_a_confirmed_sweep_covering_the_alert(
    confirm: bool, covers: bool, expected: list[dict[str, str]]
) -> None:
    recorder = Recorder()
    client = _client(recorder)
    loaded, _ = load_from_hub(client, ALERT)
    _report_back(
        client,
        loaded,
        {},
        alert=ALERT,
        anonymous=False,
        confirm_clean=confirm,
        covers_alert=covers,
        console=Console(quiet=True),
    )
    assert [json.loads(r.content) for r in recorder.requests[2:]] == expected


def test_hub_errors_are_raised_as_hub_error() -> None:
    client = HubClient(
        "https://hub.example", "bad", transport=httpx.MockTransport(lambda r: httpx.Response(401))
    )
    with pytest.raises(HubError, match="401"):
        list(client.indicators())
