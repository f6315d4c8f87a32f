"""Blocklist feeds: current indicators a caller may use, as text, CSV and an RPZ zone."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import dns.rdatatype
import dns.zone

from tests.alerts.factory import alert_body, publish
from tests.world import World
from tocsin.clock import ManualClock


def feed(client: Any, world: World, who: str, name: str, **headers: str) -> Any:
    return client.get(f"/api/v1/feeds/{name}", headers={**world.auth(who), **headers})


def lines(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return response.text.splitlines()


def test_text_feeds_by_type(client: Any, world: World) -> None:
    publish(client, world, "E1", tlp="green")
    assert lines(feed(client, world, "E5", "domain.txt")) == ["evil.example.com"]
    assert lines(feed(client, world, "E5", "ipv4.txt")) == ["203.0.113.7"]
    assert lines(feed(client, world, "E5", "url.txt")) == ["https://evil.example.com/payload?x=1"]
    assert lines(feed(client, world, "E5", "sha256.txt")) == ["a" * 64]
    assert lines(feed(client, world, "E5", "md5.txt")) == []
    response = feed(client, world, "E5", "ipv4.txt")
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert feed(client, world, "E5", "nonsense.txt").status_code == 404
    assert client.get("/api/v1/feeds/ipv4.txt").status_code == 401


def test_csv_lists_every_current_indicator(client: Any, world: World) -> None:
    alert = publish(client, world, "E1", tlp="clear")
    response = feed(client, world, "E4", "indicators.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert sorted((r["type"], r["value"]) for r in rows) == sorted(
        [
            ("domain", "evil.example.com"),
            ("ipv4", "203.0.113.7"),
            ("url", "https://evil.example.com/payload?x=1"),
            ("sha256", "a" * 64),
        ]
    )
    assert {r["alert_id"] for r in rows} == {alert["id"]}
    assert {r["tlp"] for r in rows} == {"clear"}


def test_rpz_zone_parses_and_blocks_domain_and_subdomains(client: Any, world: World) -> None:
    publish(client, world, "E1", tlp="green")
    extra = [{"type": "domain", "value": "c2.bad-actor.example"}]
    publish(client, world, "E2", tlp="green", indicators=extra)
    response = feed(client, world, "E5", "rpz.zone")
    assert response.status_code == 200
    zone = dns.zone.from_text(response.text, origin="rpz.tocsin.test.", relativize=True)
    assert zone.get_rdataset("@", dns.rdatatype.SOA) is not None
    assert zone.get_rdataset("@", dns.rdatatype.NS) is not None
    blocked = {
        str(name)
        for name, node in zone.nodes.items()
        if (rdataset := node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.CNAME))
        and [str(r.target) for r in rdataset] == ["."]
    }
    assert blocked == {
        "evil.example.com",
        "*.evil.example.com",
        "c2.bad-actor.example",
        "*.c2.bad-actor.example",
    }


def test_etag_and_if_none_match(client: Any, clock: ManualClock, world: World) -> None:
    alert = publish(client, world, "E1", tlp="green")
    for name in ("domain.txt", "indicators.csv", "rpz.zone"):
        first = feed(client, world, "E5", name)
        etag = first.headers["etag"]
        unchanged = feed(client, world, "E5", name, **{"If-None-Match": etag})
        assert unchanged.status_code == 304 and unchanged.content == b"", name
        assert unchanged.headers["etag"] == etag
        assert feed(client, world, "E5", name, **{"If-None-Match": '"other"'}).status_code == 200
    etags = {n: feed(client, world, "E5", n).headers["etag"] for n in ("domain.txt", "rpz.zone")}
    clock.advance(timedelta(minutes=5))
    kept = alert_body()["indicators"][1:]  # withdraw the domain
    patched = client.patch(
        f"/api/v1/alerts/{alert['id']}", json={"indicators": kept}, headers=world.auth("E1")
    )
    assert patched.status_code == 200, patched.text
    for name, etag in etags.items():
        changed = feed(client, world, "E5", name, **{"If-None-Match": etag})
        assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert lines(feed(client, world, "E5", "domain.txt")) == []


def test_expired_withdrawn_and_retracted_indicators_leave(
    client: Any, clock: ManualClock, world: World
) -> None:
    soon = (clock.now() + timedelta(days=1)).isoformat()
    indicators = [
        {"type": "ipv4", "value": "198.51.100.1", "valid_until": soon},
        {"type": "ipv4", "value": "198.51.100.2"},
    ]
    publish(client, world, "E1", tlp="green", indicators=indicators)
    retracted = publish(client, world, "E2", tlp="green", indicators=[
        {"type": "ipv4", "value": "198.51.100.3"}])  # fmt: skip
    assert lines(feed(client, world, "E5", "ipv4.txt")) == [
        "198.51.100.1",
        "198.51.100.2",
        "198.51.100.3",
    ]
    gone = client.post(
        f"/api/v1/alerts/{retracted['id']}/retract",
        json={"reason": "false positive"},
        headers=world.auth("E2"),
    )
    assert gone.status_code == 200, gone.text
    clock.advance(timedelta(days=1, seconds=1))
    assert lines(feed(client, world, "E5", "ipv4.txt")) == ["198.51.100.2"]


def test_feeds_follow_the_sharing_rules(client: Any, world: World) -> None:
    publish(client, world, "E1", tlp="amber", scope={"kind": "group"},
            indicators=[{"type": "ipv4", "value": "198.51.100.10"}])  # fmt: skip
    publish(client, world, "E1", tlp="amber+strict", scope={"kind": "group"},
            indicators=[{"type": "ipv4", "value": "198.51.100.11"}])  # fmt: skip
    publish(client, world, "E1", tlp="red", indicators=[{"type": "ipv4", "value": "198.51.100.12"}],
            scope={"kind": "explicit", "organisations": [str(world.ids["E2"])]})  # fmt: skip
    for reader in ("E1", "E2", "G1", "R1", "N"):
        assert lines(feed(client, world, reader, "ipv4.txt")) == ["198.51.100.10"], reader
    for outsider in ("E4", "E5", "P"):
        assert lines(feed(client, world, outsider, "ipv4.txt")) == [], outsider


HOSTILE_NAMES = ["invoice\r\n198.51.100.7.exe", "tab\there.exe", "=HYPERLINK(\"x\").exe",
                 "+cmd.exe", "-x.exe", "@SUM(1).exe", "plain.exe"]  # fmt: skip


def test_line_breaks_in_values_cannot_add_lines_to_text_feeds(client: Any, world: World) -> None:
    files = [{"type": "filename", "value": v} for v in HOSTILE_NAMES]
    publish(client, world, "E1", tlp="clear", indicators=files)
    response = feed(client, world, "E4", "filename.txt")
    assert response.status_code == 200
    assert response.text.splitlines() == sorted(
        ['=HYPERLINK("x").exe', "+cmd.exe", "-x.exe", "@SUM(1).exe", "plain.exe"]
    )
    assert "198.51.100.7.exe" not in response.text
    assert response.headers["tocsin-left-out"] == "2"
    assert "tocsin-left-out" not in feed(client, world, "E4", "domain.txt").headers


def test_csv_cells_never_start_a_formula(client: Any, world: World) -> None:
    files = [{"type": "filename", "value": v} for v in HOSTILE_NAMES]
    publish(client, world, "E1", tlp="clear", indicators=files)
    rows = list(csv.DictReader(io.StringIO(feed(client, world, "E4", "indicators.csv").text)))
    values = {r["value"] for r in rows}
    assert values == {"invoice\r\n198.51.100.7.exe", "tab\there.exe", "'=HYPERLINK(\"x\").exe",
                      "'+cmd.exe", "'-x.exe", "'@SUM(1).exe", "plain.exe"}  # fmt: skip
    assert not any(v.startswith(("=", "+", "-", "@", "\t", "\r")) for v in values)


def test_csv_lines_end_in_crlf_and_the_rpz_reports_what_it_cannot_hold(
    client: Any, world: World
) -> None:
    long_name = ".".join(["a" * 62] * 3 + ["a" * 60, "fr"])  # 252 characters: *. makes 254
    odd = [{"type": "domain", "value": "-dash.example.org"},
           {"type": "domain", "value": long_name}]  # fmt: skip
    publish(client, world, "E1", tlp="green", indicators=odd + alert_body()["indicators"])
    body = feed(client, world, "E5", "indicators.csv").content
    assert body.count(b"\r\n") == len(body.splitlines()) and b"\n" not in body.replace(b"\r\n", b"")
    zone = feed(client, world, "E5", "rpz.zone").text
    assert "; not listed: -dash.example.org: not a host name" in zone
    assert f"; not listed: {long_name}: too long" in zone
    parsed = dns.zone.from_text(zone, origin="rpz.tocsin.test.", relativize=True)
    assert {str(name) for name in parsed.nodes} == {
        "@", "evil.example.com", "*.evil.example.com"}  # fmt: skip
