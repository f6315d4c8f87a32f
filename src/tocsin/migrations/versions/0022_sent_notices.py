"""notices an organisation sent its staff or director about an alert

Revision ID: 0022_sent_notices
Revises: 0021_on_call
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tocsin.db

revision = "0022_sent_notices"
down_revision = "0021_on_call"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sent_notices",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("alert_id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("audience", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sent_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("sent_at", tocsin.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["alert_id"], ["alerts.id"],
                                name=op.f("fk_sent_notices_alert_id_alerts"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["org_id"], ["organisations.id"],
                                name=op.f("fk_sent_notices_org_id_organisations"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["sent_by_user_id"], ["users.id"],
                                name=op.f("fk_sent_notices_sent_by_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sent_notices")),
    )  # fmt: skip
    with op.batch_alter_table("sent_notices") as batch_op:
        batch_op.create_index(op.f("ix_sent_notices_alert_id"), ["alert_id"], unique=False)
        batch_op.create_index(op.f("ix_sent_notices_org_id"), ["org_id"], unique=False)


def downgrade() -> None:
    op.drop_table("sent_notices")
