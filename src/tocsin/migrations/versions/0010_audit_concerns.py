"""audit concerns index

Revision ID: 0010_audit_concerns
Revises: 0009_idempotency
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_audit_concerns"
down_revision = "0009_idempotency"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_concerns",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["seq"], ["audit_records.seq"],
            name=op.f("fk_audit_concerns_seq_audit_records"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("seq", "org_id", name=op.f("pk_audit_concerns")),
    )  # fmt: skip
    with op.batch_alter_table("audit_concerns") as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_concerns_org_id"), ["org_id"], unique=False)


def downgrade() -> None:
    op.drop_table("audit_concerns")
