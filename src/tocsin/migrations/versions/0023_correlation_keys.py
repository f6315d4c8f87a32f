"""correlation keys: 16-byte binary address keys, partial indexes, a network index

Revision ID: 0023_correlation_keys
Revises: 0022_sent_notices

Address keys were 32 hex digits of text; the same order holds for 16 raw bytes at half the
weight. The domain and address indexes skipped nothing: each now covers only the rows its
key applies to. Networks get one index by (prefix length, first address), carrying their
end and indicator, replacing the index on the prefix alone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0023_correlation_keys"
down_revision = "0022_sent_notices"
branch_labels = None
depends_on = None

_BATCH = 5000


def _rewrite_addresses(convert: Callable[[Any], Any], stored_as: str) -> None:
    """SQLite: rewrite the address keys row by row (it has no hex decoding before 3.41)."""
    connection = op.get_bind()
    rows = connection.execute(
        sa.text(
            "SELECT indicator_id, ip_start, ip_end FROM indicator_keys "
            "WHERE ip_start IS NOT NULL AND typeof(ip_start) != :stored"
        ),
        {"stored": stored_as},
    ).all()
    update = sa.text("UPDATE indicator_keys SET ip_start = :s, ip_end = :e WHERE indicator_id = :i")
    for offset in range(0, len(rows), _BATCH):
        connection.execute(
            update,
            [
                {"i": i, "s": convert(s), "e": None if e is None else convert(e)}
                for i, s, e in rows[offset : offset + _BATCH]
            ],
        )


def _drop_indexes(names: list[str]) -> None:
    with op.batch_alter_table("indicator_keys") as batch_op:
        for name in names:
            batch_op.drop_index(name)


def upgrade() -> None:
    _drop_indexes(
        ["ix_indicator_keys_ip_start", "ix_indicator_keys_prefix", "ix_indicator_keys_domain"]
    )
    if op.get_bind().dialect.name == "postgresql":
        for column in ("ip_start", "ip_end"):
            op.alter_column(
                "indicator_keys",
                column,
                type_=sa.LargeBinary(length=16),
                existing_type=sa.String(length=32),
                postgresql_using=f"decode({column}, 'hex')",
            )
    else:
        _rewrite_addresses(lambda hexa: bytes.fromhex(hexa), "blob")
        with op.batch_alter_table("indicator_keys") as batch_op:
            for column in ("ip_start", "ip_end"):
                batch_op.alter_column(
                    column, type_=sa.LargeBinary(length=16), existing_type=sa.String(length=32)
                )
    partial = {
        "ix_indicator_keys_domain": (["domain"], "domain IS NOT NULL"),
        "ix_indicator_keys_ip_start": (["ip_start"], "ip_start IS NOT NULL"),
        "ix_indicator_keys_network": (
            ["prefix", "ip_start", "ip_end", "indicator_id"],
            "prefix IS NOT NULL",
        ),
    }
    with op.batch_alter_table("indicator_keys") as batch_op:
        for name, (columns, where) in partial.items():
            batch_op.create_index(
                name,
                columns,
                unique=False,
                sqlite_where=sa.text(where),
                postgresql_where=sa.text(where),
            )


def downgrade() -> None:
    _drop_indexes(
        ["ix_indicator_keys_network", "ix_indicator_keys_ip_start", "ix_indicator_keys_domain"]
    )
    if op.get_bind().dialect.name == "postgresql":
        for column in ("ip_start", "ip_end"):
            op.alter_column(
                "indicator_keys",
                column,
                type_=sa.String(length=32),
                existing_type=sa.LargeBinary(length=16),
                postgresql_using=f"encode({column}, 'hex')",
            )
    else:
        _rewrite_addresses(lambda raw: bytes(raw).hex(), "text")
        with op.batch_alter_table("indicator_keys") as batch_op:
            for column in ("ip_start", "ip_end"):
                batch_op.alter_column(
                    column, type_=sa.String(length=32), existing_type=sa.LargeBinary(length=16)
                )
    with op.batch_alter_table("indicator_keys") as batch_op:
        batch_op.create_index("ix_indicator_keys_domain", ["domain"], unique=False)
        batch_op.create_index(
            "ix_indicator_keys_prefix",
            ["prefix"],
            unique=False,
            sqlite_where=sa.text("prefix IS NOT NULL"),
            postgresql_where=sa.text("prefix IS NOT NULL"),
        )
        batch_op.create_index("ix_indicator_keys_ip_start", ["ip_start"], unique=False)
