"""the on-call list of each organisation

Revision ID: 0021_on_call
Revises: 0017_affected_establishment
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tocsin.db

revision = "0021_on_call"
down_revision = "0017_affected_establishment"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "on_call_contacts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("hours", sa.String(length=200), nullable=False),
        sa.Column("updated_at", tocsin.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_on_call_contacts_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_on_call_contacts")),
    )
    with op.batch_alter_table("on_call_contacts") as batch_op:
        batch_op.create_index(op.f("ix_on_call_contacts_org_id"), ["org_id"], unique=False)


def downgrade() -> None:
    op.drop_table("on_call_contacts")
