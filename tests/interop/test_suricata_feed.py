"""The Suricata rule feed: carried rules and generated ones, stable sids, revoked ones gone.

Debian's suricata package cannot be installed on the CI machines (no installation
candidate), so the rules are checked against Suricata's rule grammar here: a header
(action, protocol, addresses, ports, direction) and options `name;` or `name:value;` with
quoted contents free of raw quotes and semicolons.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.alerts.factory import alert_body, publish
from tests.interop.test_feeds import feed
from tests.world import World

_HEADER = re.compile(
    r"alert (ip|dns|tls|http) (any|\[[0-9a-f.:/]+\]) any (->|<>) (any|\[[0-9a-f.:/]+\]) any "
)
_OPTION = re.compile(r'\s*([a-z_.]+)(?::("(?:[^"\\;]|\\.)*"|[^;"]+))?;')
_KNOWN = {"msg", "dns.query", "tls.sni", "http.host", "http.uri", "dotprefix", "content",
          "nocase", "startswith", "endswith", "classtype", "sid", "rev"}  # fmt: skip
CARRIED = 'alert http any any -> any any (msg:"carried"; content:"x"; sid:1000001; rev:2;)'


def options(rule: str) -> list[tuple[str, str | None]]:
    """The options of a rule per the grammar; AssertionError where it departs from it."""
    header = _HEADER.match(rule)
    assert header, rule
    body = rule[header.end() :]
    assert body.startswith("(") and body.endswith(")"), rule
    inner, found, at = body[1:-1], [], 0
    while at < len(inner):
        option = _OPTION.match(inner, at)
        assert option, f"bad option at {inner[at:]!r} in {rule}"
        found.append((option.group(1), option.group(2)))
        at = option.end()
    return found


def rules(client: TestClient, world: World, who: str) -> list[str]:
    response = feed(client, world, who, "suricata.rules")
    assert response.status_code == 200, response.text
    return [line for line in response.text.splitlines() if line and not line.startswith("#")]


def test_the_rule_feed_is_valid_stable_and_drops_revoked_indicators(
    client: TestClient, world: World
) -> None:
    extra = [{"type": "cidr", "value": "198.51.100.0/24"},
             {"type": "url", "value": 'http://bad.example.org/a;b"c'}]  # fmt: skip
    measures = [{"action": "Deploy it", "rule_kind": "suricata", "rule": CARRIED}]
    alert = publish(client, world, "E1", tlp="green", countermeasures=measures,
                    indicators=alert_body()["indicators"] + extra)  # fmt: skip
    first = rules(client, world, "E5")
    assert first[0] == CARRIED
    generated = first[1:]
    parsed = [dict(options(r)) for r in generated]
    assert all(set(p) <= _KNOWN for p in parsed)
    sids = [p["sid"] for p in parsed]
    assert len(set(sids)) == len(sids) and all(p["rev"] == "1" for p in parsed)
    text = "\n".join(generated)
    assert 'dns.query; dotprefix; content:".evil.example.com"; nocase; endswith;' in text
    assert "tls.sni" in text and "http.host" in text
    assert "<> [203.0.113.7] any" in text and "<> [198.51.100.0/24] any" in text
    assert 'http.uri; content:"/a|3B|b|22|c"; startswith;' in text
    assert rules(client, world, "E5") == first  # same sids, same order, download after download

    kept = [i for i in alert_body()["indicators"] if i["type"] != "domain"] + extra
    client.patch(f"/api/v1/alerts/{alert['id']}", json={"indicators": kept},
                 headers=world.auth("E1"))  # fmt: skip
    after: Any = rules(client, world, "E5")
    assert '".evil.example.com"' not in "\n".join(after)  # the domain's rules are gone
    assert set(after) < set(first)
    client.post(f"/api/v1/alerts/{alert['id']}/retract", json={"reason": "false positive"},
                headers=world.auth("E1"))  # fmt: skip
    assert rules(client, world, "E5") == []
