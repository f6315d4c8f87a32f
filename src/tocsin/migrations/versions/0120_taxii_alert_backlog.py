"""alerts whose TAXII objects are still to be written

Revision ID: 0120_taxii_alert_backlog
Revises: 0110_taxii_pulls

A revision no longer renders and stores its alert's TAXII objects inside its own
transaction (on SQLite that held the database's one write lock for seconds on a large
alert): it records the alert here, and the objects are written after the commit in a short
transaction of their own, or by the periodic job if that one never ran.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tocsin.db

revision = "0120_taxii_alert_backlog"
down_revision = "0130_revision_fanouts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "taxii_alert_backlog",
        sa.Column("alert_id", sa.Uuid(), nullable=False),
        sa.Column("since", tocsin.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["alerts.id"],
            name=op.f("fk_taxii_alert_backlog_alert_id_alerts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("alert_id", name=op.f("pk_taxii_alert_backlog")),
    )


def downgrade() -> None:
    op.drop_table("taxii_alert_backlog")
