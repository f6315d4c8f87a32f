"""A Suricata rule feed: the detection rules alerts carry and rules made from indicators.

Rules carried by alerts (countermeasures of kind suricata or snort) are given as their
authors wrote them. Network indicators get generated rules: DNS queries, TLS SNI and HTTP
hosts for a domain (and its subdomains), HTTP host and path for a URL, any IP traffic for
an address or network. A generated rule's sid derives from what it matches, so it stays the
same from one download to the next (rev 1: a different match is a different sid); withdrawn,
expired and context indicators and retracted alerts are not in the feed.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from tocsin.alerts.models import Alert
from tocsin.alerts.reads import visible_alerts
from tocsin.indicators.types import IndicatorType
from tocsin.interop.feeds import FEED_LEVELS, FEED_STATUSES, FeedEntry
from tocsin.interop.taxii.query import facts_of
from tocsin.sharing.rules import Network, can_see

# Generated sids live in 3,000,000,000-3,999,999,999, clear of the public rule sets' ranges.
SID_BASE = 3_000_000_000
SID_SPAN = 1_000_000_000
CARRIED_KINDS = ("suricata", "snort")
_ESCAPED = {'"': "|22|", ";": "|3B|", "\\": "|5C|", "|": "|7C|"}


def _content(text: str) -> str:
    return "".join(_ESCAPED.get(ch, ch) for ch in text)


def _sid(key: str) -> int:
    digest = hashlib.sha256(key.encode()).digest()
    return SID_BASE + int.from_bytes(digest[:8], "big") % SID_SPAN


def _rule(header: str, msg: str, body: str, key: str) -> str:
    return (
        f'alert {header} (msg:"tocsin {_content(msg)}"; {body} '
        f"classtype:trojan-activity; sid:{_sid(key)}; rev:1;)"
    )


def _domain_rules(domain: str) -> list[str]:
    dotted = _content("." + domain)
    match = f'dotprefix; content:"{dotted}"; nocase; endswith;'
    return [
        _rule("dns any any -> any any", f"DNS query {domain}", f"dns.query; {match}",
              f"dns/{domain}"),
        _rule("tls any any -> any any", f"TLS SNI {domain}", f"tls.sni; {match}",
              f"tls/{domain}"),
        _rule("http any any -> any any", f"HTTP host {domain}", f"http.host; {match}",
              f"http/{domain}"),
    ]  # fmt: skip


def _url_rules(url: str) -> list[str]:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not host or parts.scheme not in ("http", "https"):
        return []
    if parts.scheme == "https":  # the path is encrypted: the SNI is what the wire shows
        return [_rule("tls any any -> any any", f"TLS SNI of URL {url}",
                      f'tls.sni; content:"{_content(host)}"; nocase; startswith; endswith;',
                      f"url-tls/{host}")]  # fmt: skip
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    body = (
        f'http.host; content:"{_content(host)}"; nocase; startswith; endswith; '
        f'http.uri; content:"{_content(path)}"; startswith;'
    )
    return [_rule("http any any -> any any", f"HTTP URL {url}", body, f"url/{url}")]


def _ip_rules(address: str) -> list[str]:
    return [_rule(f"ip any any <> [{address}] any", f"IP reputation {address}", "",
                  f"ip/{address}")]  # fmt: skip


def generated_rules(entries: Iterable[FeedEntry]) -> list[str]:
    """Rules for the network indicators, each value once, in a stable order."""
    rules: dict[str, None] = {}
    for entry in sorted({(e.type, e.value) for e in entries}):
        kind, value = entry
        if kind is IndicatorType.DOMAIN:
            made = _domain_rules(value)
        elif kind is IndicatorType.URL:
            made = _url_rules(value)
        elif kind in (IndicatorType.IPV4, IndicatorType.IPV6, IndicatorType.CIDR):
            made = _ip_rules(value)
        else:
            continue
        rules.update(dict.fromkeys(made))
    return list(rules)


def carried_rules(*, session: Session, viewer_id: uuid.UUID, network: Network) -> list[str]:
    """The suricata and snort rules of the alerts the viewer may use in a feed."""
    visible = visible_alerts(viewer_id).with_only_columns(Alert.id)
    query = (
        select(Alert.id, Alert.countermeasures)
        .where(Alert.id.in_(visible), Alert.tlp.in_(FEED_LEVELS))
        .where(Alert.status.in_(FEED_STATUSES))
        .order_by(Alert.published_at, Alert.id)
    )
    rows = list(session.execute(query))
    facts = facts_of(session, Alert.id.in_({alert_id for alert_id, _ in rows}))
    rules: dict[str, None] = {}
    for alert_id, measures in rows:
        if not can_see(viewer_id, facts[alert_id], network):
            continue
        for measure in measures:
            if measure.get("rule_kind") in CARRIED_KINDS and measure.get("rule"):
                lines = (line.strip() for line in str(measure["rule"]).splitlines())
                rules.update(dict.fromkeys(x for x in lines if x and not x.startswith("#")))
    return list(rules)


def rules_file(carried: list[str], generated: list[str]) -> str:
    """The whole file: the carried rules first, then the generated ones."""
    head = "# tocsin rule feed: detection rules of current alerts and indicators\n"
    return (
        head + "# rules carried by alerts\n" + "".join(f"{r}\n" for r in carried)
        + "# rules generated from network indicators\n" + "".join(f"{r}\n" for r in generated)
    )  # fmt: skip
