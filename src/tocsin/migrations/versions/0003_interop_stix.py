"""interop: attachments kept by STIX/MISP imports, MISP feed progress

Revision ID: 0003_interop_stix
Revises: 0002_relay
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tocsin.db

revision = "0003_interop_stix"
down_revision = "0002_relay"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_attachments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("alert_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("stix_id", sa.String(length=300), nullable=True),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("created_at", tocsin.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["alerts.id"],
            name=op.f("fk_alert_attachments_alert_id_alerts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_attachments")),
    )
    with op.batch_alter_table("alert_attachments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_alert_attachments_alert_id"), ["alert_id"], unique=False
        )
    op.create_table(
        "feed_imports",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("feed", sa.String(length=2000), nullable=False),
        sa.Column("event_uuid", sa.String(length=64), nullable=False),
        sa.Column("event_timestamp", sa.BigInteger(), nullable=False),
        sa.Column("alert_id", sa.Uuid(), nullable=True),
        sa.Column("imported_at", tocsin.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["alerts.id"],
            name=op.f("fk_feed_imports_alert_id_alerts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_feed_imports_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_imports")),
        sa.UniqueConstraint(
            "org_id", "feed", "event_uuid", name=op.f("uq_feed_imports_org_id_feed_event_uuid")
        ),
    )


def downgrade() -> None:
    op.drop_table("feed_imports")
    with op.batch_alter_table("alert_attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_attachments_alert_id"))
    op.drop_table("alert_attachments")
