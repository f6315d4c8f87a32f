"""one outbox record per alert revision, expanded after the commit

Revision ID: 0130_revision_fanouts
Revises: 0110_taxii_pulls

Publishing wrote one `deliveries` row per recipient and channel in its transaction (9,000
rows for 3,000 establishments); it now writes one `revision_fanouts` row, which a node
expands into those rows after the commit, under a lease, once.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tocsin.db

revision = "0130_revision_fanouts"
down_revision = "0110_taxii_pulls"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "revision_fanouts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("alert_id", sa.Uuid(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("targets", sa.JSON(), nullable=False),
        sa.Column("created_at", tocsin.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("lease_until", tocsin.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("live_sent_at", tocsin.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("expanded_at", tocsin.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["alerts.id"],
            name=op.f("fk_revision_fanouts_alert_id_alerts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revision_fanouts")),
        sa.UniqueConstraint(
            "alert_id", "revision", name=op.f("uq_revision_fanouts_alert_id_revision")
        ),
    )
    op.create_index(
        "ix_revision_fanouts_due", "revision_fanouts", ["expanded_at", "created_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_revision_fanouts_due", table_name="revision_fanouts")
    op.drop_table("revision_fanouts")
