"""What each channel sends: the event envelope (live, webhook) and the e-mail message.

The envelope depends only on stored facts (the delivery row and its rendered payload), so a
delivery sent twice after a crash carries the same bytes and the same event id.
"""

from __future__ import annotations

import json
from email.message import EmailMessage
from typing import Any

from tocsin.indicators.normalize import defang
from tocsin.indicators.types import IndicatorError, IndicatorType
from tocsin.sharing.tlp import TLP

# Deliveries that carry a notice (to relays, to authors) rather than an alert revision.
NOTICE_ACTIONS = frozenset({"declaration", "correlation", "escalation", "reminder"})


def event_type(action: str) -> str:
    """`alert.publish`, `alert.update`, `alert.close`, `alert.retract`; or a notice:
    `notice.declaration` (to relays), `notice.correlation` (to authors and relays),
    `notice.escalation` (a recipient stayed silent: to its director, then its relays)."""
    return f"notice.{action}" if action in NOTICE_ACTIONS else f"alert.{action}"


def notice_message(
    *, notice: dict[str, Any], event_id: str, to: str, sender: str, public_url: str
) -> EmailMessage:
    """The e-mail of a notice: its subject and a link; the detail stays behind sign-in."""
    message = EmailMessage()
    message["Subject"] = f"[tocsin] {notice['subject']}"
    message["From"] = sender
    message["To"] = to
    message["Message-ID"] = f"<{event_id}@tocsin>"
    message["X-Tocsin-Event-Id"] = event_id
    link = f"{public_url.rstrip('/')}{notice['link']}"
    message.set_content(f"{notice['text']}\n\nRead it: {link}\n")
    return message


def envelope(
    *, event_id: str, action: str, revision: int, timestamp: str, alert: dict[str, Any]
) -> dict[str, Any]:
    """The JSON document of one event, the same for the live stream and webhooks."""
    return {
        "type": event_type(action),
        "event_id": event_id,
        "timestamp": timestamp,
        "revision": revision,
        "data": alert,
    }


def envelope_bytes(**fields: Any) -> bytes:
    return json.dumps(envelope(**fields), separators=(",", ":"), sort_keys=True).encode()


def _defanged(indicator: dict[str, Any]) -> str:
    try:
        return defang(str(indicator["value"]), IndicatorType(indicator["type"]))
    except (IndicatorError, ValueError, KeyError):
        return "[value withheld: could not be defanged]"


def subject_line(alert: dict[str, Any], action: str) -> str:
    label = TLP(alert["tlp"]).label
    verb = {"publish": "", "update": "Update: ", "close": "Closed: ", "retract": "Retracted: "}
    return f"[{label}] [{alert['severity'].upper()}] {verb.get(action, '')}{alert['title']}"


def _body_lines(alert: dict[str, Any], link: str) -> list[str]:
    lines = [alert["title"], ""]
    if alert.get("affected"):
        lines.append(f"Affected establishment: {alert['affected']['name']}")
    if alert.get("source"):
        lines.append(f"Published by: {alert['source']['name']}")
    lines += ["", alert["summary"], ""]
    lines.append(f"Severity: {alert['severity']}   Category: {alert['category']}")
    lines.append(f"Handling: {alert['handling']}")
    if alert.get("retract_reason"):
        lines.append(f"Retracted: {alert['retract_reason']}")
    indicators = alert.get("indicators") or []
    if indicators:
        lines += ["", "Indicators (defanged):"]
        lines += [f"  - {item['type']}: {_defanged(item)}" for item in indicators]
    countermeasures = alert.get("countermeasures") or []
    if countermeasures:
        lines += ["", "Countermeasures:"]
        lines += [f"  - {item['action']}" for item in countermeasures]
    lines += ["", f"Read it and acknowledge: {link}"]
    return lines


def email_message(
    *,
    alert: dict[str, Any],
    action: str,
    event_id: str,
    to: str,
    sender: str,
    public_url: str,
) -> EmailMessage:
    """The e-mail of one alert revision; TLP:RED content never leaves in a body, only a link."""
    link = f"{public_url.rstrip('/')}/alerts/{alert['id']}"
    message = EmailMessage()
    message["Subject"] = subject_line(alert, action)
    message["From"] = sender
    message["To"] = to
    message["Message-ID"] = f"<{event_id}@tocsin>"
    message["X-Tocsin-Event-Id"] = event_id
    if not TLP(alert["tlp"]).in_email_body:  # TLP:RED: a link, never the content
        text = (
            f"A {alert['tlp'].upper()} alert of severity {alert['severity']} concerns your "
            f"organisation. Its content is not sent by e-mail.\n\nRead it: {link}\n"
        )
    else:
        text = "\n".join(_body_lines(alert, link)) + "\n"
    message.set_content(text)
    return message
