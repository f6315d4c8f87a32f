"""Correlation: which other alerts share indicators with an alert, looked up in indexes.

Three ways to match, each one indexed probe per indicator of the alert:
- exact: the same normalised value (`ix_alert_indicators_value`);
- parent_domain: the same registered domain (`indicator_keys.domain`);
- cidr: an address or network inside a network indicator (`indicator_keys.ip_start`), or
  the alert's addresses and networks inside a stored network (`ix_indicator_keys_network`,
  one lookup per prefix length in use).
Withdrawn indicators, drafts, retracted alerts and warninglisted values not yet confirmed
by an analyst never correlate (8.8.8.8 would link every alert to every other one).

One statement finds them all (`intel.probes`): the alert's indicators are the outer side of
every join, so the work grows with the alert's size, not with the number of indicators
stored. SQLite then checks the few candidates' alerts in a second one.
"""

from __future__ import annotations

import enum
import functools
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, select, text
from sqlalchemy.orm import Session

from tocsin.bulk import insert_rows
from tocsin.indicators.types import IndicatorType
from tocsin.intel.keys import IndexKey, index_key
from tocsin.intel.models import IndicatorKey
from tocsin.intel.probes import (
    ALERTS,
    CORRELATING,
    INDICATORS,
    candidates,
    matches,
    unconfirmed,
)

# A registered domain carried by more indicators than this is a shared platform, not a lead.
COMMON_PARENT = 200


class How(enum.StrEnum):
    exact = "exact"
    parent_domain = "parent_domain"
    cidr = "cidr"


_ORDER = {How.exact: 0, How.parent_domain: 1, How.cidr: 2}


@dataclass(frozen=True)
class Match:
    indicator_id: uuid.UUID  # of the alert asked about
    other_indicator_id: uuid.UUID
    other_alert_id: uuid.UUID
    how: How
    since: datetime  # when the later of the two indicators appeared


def store_keys(
    *, session: Session, indicators: Iterable[Mapping[str, Any]],
    keys: Mapping[tuple[IndicatorType, str], IndexKey] | None = None,
) -> None:  # fmt: skip
    """Write the derived keys of indicators just inserted (rows with id, type and value);
    `keys` holds those derived before the transaction's first write."""
    given = keys or {}
    rows = []
    for row in indicators:
        pair = (row["type"], row["value"])
        key = given[pair] if pair in given else index_key(*pair)
        if not key.empty:
            rows.append({"indicator_id": row["id"], "domain": key.domain, "ip_start": key.ip_start,
                         "ip_end": key.ip_end, "prefix": key.prefix})  # fmt: skip
    insert_rows(session, IndicatorKey.__table__, rows)  # one statement for a large alert


_CHUNK = 500
# PostgreSQL settings for the one statement, set local to the transaction and restored after.
_SETTINGS = {
    # Thousands of probes put the estimate past the JIT threshold: compiling the plan
    # would take several times longer than running it.
    "jit": "off",
    # The stored networks are hashed. Their count is estimated from the join alone, as
    # every key row (75 times too many), so within the default 4 MB the hash is split into
    # 16 batches written to temporary files; in one batch, 10,000 networks take 9 MB.
    "work_mem": "64MB",
}
_SAVE = "SELECT " + ", ".join(
    f"current_setting('{name}') AS {name}, set_config('{name}', '{value}', true)"
    for name, value in _SETTINGS.items()
)
_RESTORE = "SELECT " + ", ".join(f"set_config('{name}', :{name}, true)" for name in _SETTINGS)


@functools.cache
def _statement(pg: bool) -> Select[Any]:
    """Built once per dialect: the alert and the threshold are bound at each call."""
    return matches(pg) if pg else candidates(pg)


def _checked(session: Session, alert_id: uuid.UUID, pairs: Sequence[Row[Any]]) -> list[Match]:
    """SQLite: keep the candidates whose other indicator is current, of another live alert,
    not held back, with a different value where that matters."""
    ids = sorted({pair.other_id for pair in pairs})
    other: dict[uuid.UUID, tuple[uuid.UUID, datetime, str]] = {}
    o = INDICATORS
    for offset in range(0, len(ids), _CHUNK):
        query = (
            select(o.c.id, o.c.alert_id, o.c.created_at, o.c.value)
            .join(ALERTS, ALERTS.c.id == o.c.alert_id)
            .where(o.c.id.in_(ids[offset : offset + _CHUNK]), o.c.alert_id != alert_id)
            .where(o.c.withdrawn_at.is_(None), ALERTS.c.status.in_(CORRELATING))
            .where(ALERTS.c.exercise.is_(False))
            .where(~unconfirmed(o.c.id))
        )
        other.update(
            (row.id, (row.alert_id, row.created_at, row.value)) for row in session.execute(query)
        )
    return [
        Match(pair.mine_id, pair.other_id, found[0], How(pair.how), max(pair.mine_at, found[1]))
        for pair in pairs
        if (found := other.get(pair.other_id)) is not None
        and (pair.mine_value is None or pair.mine_value != found[2])
    ]


def correlations(*, session: Session, alert_id: uuid.UUID) -> list[Match]:
    """Every match between the alert's indicators and those of other (non-draft) alerts."""
    pg = session.get_bind().dialect.name == "postgresql"
    params = {"alert_id": alert_id, "common_parent": COMMON_PARENT}
    if pg:
        saved = session.execute(text(_SAVE)).one()._mapping
        rows = session.execute(_statement(pg), params).all()
        session.execute(text(_RESTORE), {name: saved[name] for name in _SETTINGS})
        found = [
            Match(r.mine_id, r.other_id, r.other_alert_id, How(r.how), max(r.mine_at, r.other_at))
            for r in rows
        ]
    else:
        found = _checked(session, alert_id, session.execute(_statement(pg), params).all())
    found.sort(key=lambda m: (_ORDER[m.how], m.since, m.indicator_id, m.other_indicator_id))
    return found


def by_alert(matches: Iterable[Match]) -> dict[uuid.UUID, list[Match]]:
    """Matches grouped by the other alert, in the order first met."""
    grouped: dict[uuid.UUID, list[Match]] = {}
    for match in matches:
        grouped.setdefault(match.other_alert_id, []).append(match)
    return grouped
