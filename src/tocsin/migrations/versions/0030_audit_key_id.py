"""audit records name the key of their digest

Revision ID: 0030_audit_key_id
Revises: 0024_identity

Records written before this revision were chained with plain SHA-256: they keep their
digests and are marked "sha256". They are not re-keyed: re-signing them would vouch, with
today's key, for rows nobody can prove were untouched. Instead the first record signed
with the key covers the last of them, so once a keyed record follows (and a checkpoint is
written), they can no longer be rewritten unseen; `tocsin audit verify` accepts such records
only at the start of the chain.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0030_audit_key_id"
down_revision = "0024_identity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN with a default on both backends: SQLite's batch mode would copy
    # the table, and dropping the old copy would cascade to the audit_concerns rows.
    op.add_column(
        "audit_records",
        sa.Column("key_id", sa.String(16), nullable=False, server_default="sha256"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("audit_records", "key_id", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("audit_records") as batch_op:
        batch_op.drop_column("key_id")
