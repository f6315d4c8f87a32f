"""The correlation statement: the alert's indicators probe the indexes of everyone else's.

The alert's indicators (and their keys) are the outer side of every join, so the work
grows with the alert's size, never with the number of indicators stored. Each database
has to be kept to that plan:
- PostgreSQL prices thousands of probes of a cached index above one scan of the whole
  table, and would hash-join millions of rows: each probe is a LATERAL subquery behind
  OFFSET 0, which the planner may not flatten into a hash join.
- SQLite reorders inner joins by its estimates, which are wrong for a CTE (once, without
  statistics, by a factor of a thousand): each probe is a CROSS JOIN, which SQLite keeps
  in the written order. Its Bloom filters, built by scanning the probed table when a
  lookup is expected to fail often, are kept away by checking the other indicator (alert,
  withdrawal, warninglist) outside the statement, for the few candidates found.

`candidates` finds (indicator of the alert, other indicator) pairs by the three ways to
match; `matches` (PostgreSQL) also keeps only the current indicators of live alerts.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    FromClause,
    Integer,
    Join,
    Select,
    String,
    Uuid,
    and_,
    bindparam,
    case,
    cast,
    exists,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler

from tocsin.alerts.models import Alert, AlertIndicator
from tocsin.alerts.vocab import Status
from tocsin.indicators.types import IndicatorType
from tocsin.intel.models import IndicatorFlag, IndicatorKey

CORRELATING = (Status.published, Status.updated, Status.closed)
# The types `keys.index_key` derives a domain or an address key for.
KEYED = (
    IndicatorType.DOMAIN,
    IndicatorType.URL,
    IndicatorType.EMAIL,
    IndicatorType.IPV4,
    IndicatorType.IPV6,
    IndicatorType.CIDR,
)
# The statements are built once per dialect; these are bound at each call.
ALERT = bindparam("alert_id", type_=Uuid())
COMMON = bindparam("common_parent", type_=Integer())

INDICATORS = AlertIndicator.__table__
KEYS = IndicatorKey.__table__
FLAGS = IndicatorFlag.__table__
ALERTS = Alert.__table__
Condition = Callable[[FromClause], ColumnElement[bool]]


class _InOrder(Join):
    """An inner join SQLite keeps in the written order (`CROSS JOIN ... ON`)."""

    inherit_cache = True


@compiles(_InOrder, "sqlite")
def _cross_join(join: _InOrder, compiler: SQLCompiler, **kw: Any) -> str:
    """`visit_join` with the one word changed."""
    kw.pop("asfrom", None)
    linter = kw.get("from_linter")
    if linter:  # the join links its sides: no cartesian-product warning
        linter.edges.update(
            itertools.product(
                [f._de_clone() for f in join.left._from_objects],
                [f._de_clone() for f in join.right._from_objects],
            )
        )
    left = join.left._compiler_dispatch(compiler, asfrom=True, **kw)
    right = join.right._compiler_dispatch(compiler, asfrom=True, **kw)
    on = join.onclause._compiler_dispatch(compiler, **kw)  # type: ignore[union-attr]
    return f"{left} CROSS JOIN {right} ON {on}"


def _probe(
    pg: bool, outer: FromClause, table: FromClause, condition: Condition
) -> tuple[FromClause, FromClause]:
    """`outer` joined to `table` on `condition`, one index probe per outer row; returns the
    join and the probed side (whose columns keep the table's names)."""
    alias = table.alias()
    if pg:
        probed = select(alias).where(condition(alias)).offset(0).lateral()
        return outer.join(probed, true()), probed
    return _InOrder(outer, alias, condition(alias)), alias


def unconfirmed(indicator_id: ColumnElement[Any]) -> ColumnElement[bool]:
    """The indicator is on a warninglist and no analyst has confirmed it."""
    return exists().where(FLAGS.c.indicator_id == indicator_id, FLAGS.c.confirmed_at.is_(None))


def _pair(
    mine: FromClause, other_id: ColumnElement[Any], how: str, value: bool
) -> list[ColumnElement[Any]]:
    """A candidate; `mine_value` when the other must hold a different value."""
    return [
        mine.c.id.label("mine_id"),
        mine.c.created_at.label("mine_at"),
        (mine.c.value if value else cast(null(), String)).label("mine_value"),
        other_id.label("other_id"),
        literal_column(f"'{how}'").label("how"),
    ]


def _mine(pg: bool) -> tuple[CTE, CTE]:
    """The alert's current indicators not held back, and those of them with keys."""
    row = INDICATORS.alias("mine_row")
    mine = (
        select(row.c.id, row.c.type, row.c.value, row.c.created_at)
        .where(row.c.alert_id == ALERT, row.c.withdrawn_at.is_(None), ~unconfirmed(row.c.id))
        .cte("mine")
    )
    joined, key = _probe(pg, mine, KEYS, lambda k: k.c.indicator_id == mine.c.id)
    keyed = (
        select(mine.c.id, mine.c.value, mine.c.created_at)
        .add_columns(key.c.domain, key.c.ip_start, key.c.ip_end, key.c.prefix)
        .select_from(joined)
        .where(mine.c.type.in_(KEYED))
        .cte("keyed")
    )
    return mine, keyed


def _exact(pg: bool, mine: CTE) -> Select[Any]:
    """The same normalised value in another alert (`ix_alert_indicators_value`)."""
    joined, other = _probe(
        pg,
        mine,
        INDICATORS,
        lambda o: and_(
            o.c.value == mine.c.value,
            o.c.type == mine.c.type,
            o.c.alert_id != ALERT,
            o.c.withdrawn_at.is_(None),
        ),
    )
    return select(*_pair(mine, other.c.id, "exact", value=False)).select_from(joined)


def _parent_domain(pg: bool, keyed: CTE) -> Select[Any]:
    """The same registered domain. A parent carried by more than COMMON indicators is
    skipped (a hosting or dynamic-DNS domain links everything to everything): one probe
    that stops at the first indicator past the threshold."""
    carriers = KEYS.alias()
    common = exists(
        select(carriers.c.domain).where(carriers.c.domain == keyed.c.domain).offset(COMMON)
    )
    joined, key = _probe(
        pg,
        keyed,
        KEYS,
        lambda k: and_(k.c.domain == keyed.c.domain, k.c.indicator_id != keyed.c.id),
    )
    return (
        select(*_pair(keyed, key.c.indicator_id, "parent_domain", value=True))
        .select_from(joined)
        .where(keyed.c.domain.is_not(None), ~common)
    )


def _inside_my_networks(pg: bool, keyed: CTE) -> Select[Any]:
    """Stored addresses and networks inside one of the alert's networks (a range scan)."""
    joined, key = _probe(
        pg,
        keyed,
        KEYS,
        lambda k: and_(
            k.c.ip_start.between(keyed.c.ip_start, keyed.c.ip_end),
            func.coalesce(k.c.ip_end, k.c.ip_start) <= keyed.c.ip_end,
            k.c.indicator_id != keyed.c.id,
        ),
    )
    return (
        select(*_pair(keyed, key.c.indicator_id, "cidr", value=True))
        .select_from(joined)
        .where(keyed.c.ip_end.is_not(None))
    )


def _lengths() -> CTE:
    """Prefix lengths of the stored networks, skipping from one to the next in the network
    index: a probe per length in use, however many networks are stored."""
    lengths = (
        select(func.min(KEYS.c.prefix).label("prefix"))
        .where(KEYS.c.prefix.is_not(None))
        .cte("lengths", recursive=True)
    )
    after = KEYS.alias()
    following = select(func.min(after.c.prefix)).where(after.c.prefix > lengths.c.prefix)
    return lengths.union_all(
        select(following.scalar_subquery()).where(lengths.c.prefix.is_not(None))
    )


_ZEROS = b"\0" * 16


def _masked(address: ColumnElement[Any], length: ColumnElement[Any]) -> ColumnElement[Any]:
    """PostgreSQL: the first `length` bits of a 16-byte key, the other bits cleared."""
    whole = length // 8  # bytes kept whole; the next one keeps its first `length % 8` bits
    kept = func.substring(address, 1, whole).concat(func.substring(_ZEROS, 1, 16 - whole))
    partial = func.get_byte(address, whole).op("&")(255 - literal(255).op(">>")(length % 8))
    return case((length >= 128, address), else_=func.set_byte(kept, whole, partial))


def _network_start(
    pg: bool, address: ColumnElement[Any], length: ColumnElement[Any]
) -> ColumnElement[Any]:
    """The start of the only stored network of `length` that may hold `address`.

    Networks of one length never overlap: on PostgreSQL it is the address with its host
    bits cleared (an equality a hash join can use); SQLite, which cannot clear bits of a
    blob, probes for the last network of that length starting at or before the address.
    """
    if pg:
        return _masked(address, length)
    before = KEYS.alias()
    return (
        select(before.c.ip_start)
        .where(before.c.prefix == length, before.c.ip_start <= address)
        .order_by(before.c.ip_start.desc())
        .limit(1)
        .correlate_except(before)
        .scalar_subquery()
    )


def _inside_stored_networks(pg: bool, keyed: CTE) -> Select[Any]:
    """The alert's addresses and networks inside a wider stored network: for each prefix
    length in use (a handful), one lookup in the network index."""
    lengths = _lengths()
    wider = lengths.c.prefix < func.coalesce(keyed.c.prefix, 129)
    outer = _InOrder(keyed, lengths, wider) if not pg else keyed.join(lengths, wider)
    network = KEYS.alias()
    holds = and_(
        network.c.prefix == lengths.c.prefix,
        network.c.ip_start == _network_start(pg, keyed.c.ip_start, lengths.c.prefix),
        network.c.ip_end >= func.coalesce(keyed.c.ip_end, keyed.c.ip_start),
    )
    # PostgreSQL may hash the networks here (they are few); SQLite probes in order.
    joined = outer.join(network, holds) if pg else _InOrder(outer, network, holds)
    return (
        select(*_pair(keyed, network.c.indicator_id, "cidr", value=False))
        .select_from(joined)
        .where(keyed.c.ip_start.is_not(None))
    )


def candidates(pg: bool) -> Select[Any]:
    """Pairs (mine_id, mine_at, mine_value, other_id, how) that may match: the other
    indicator is not yet checked for being current, in a live alert, and not held back."""
    mine, keyed = _mine(pg)
    union = union_all(
        _exact(pg, mine),
        _parent_domain(pg, keyed),
        _inside_my_networks(pg, keyed),
        _inside_stored_networks(pg, keyed),
    )
    return select(union.subquery("pairs"))


def matches(pg: bool) -> Select[Any]:
    """PostgreSQL: the candidates whose other indicator is current, of another live alert,
    not held back, with a different value where that matters: (mine_id, mine_at, other_id,
    other_alert_id, other_at, how)."""
    pairs = candidates(pg).subquery("candidates")
    joined, other = _probe(
        pg,
        pairs,
        INDICATORS,
        lambda o: and_(
            o.c.id == pairs.c.other_id,
            o.c.alert_id != ALERT,
            o.c.withdrawn_at.is_(None),
            or_(pairs.c.mine_value.is_(None), o.c.value != pairs.c.mine_value),
        ),
    )
    joined, _ = _probe(
        pg,
        joined,
        ALERTS,
        lambda a: and_(
            a.c.id == other.c.alert_id, a.c.status.in_(CORRELATING), a.c.exercise.is_(False)
        ),
    )
    return (
        select(
            pairs.c.mine_id,
            pairs.c.mine_at,
            other.c.id.label("other_id"),
            other.c.alert_id.label("other_alert_id"),
            other.c.created_at.label("other_at"),
            pairs.c.how,
        )
        .select_from(joined)
        .where(~unconfirmed(other.c.id))
    )
