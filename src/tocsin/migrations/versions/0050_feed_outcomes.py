"""feed_imports: each feed event's outcome (imported or refused) and its detail

Revision ID: 0050_feed_outcomes
Revises: 0060_notification_channels
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0050_feed_outcomes"
down_revision = "0060_notification_channels"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feed_imports", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("outcome", sa.String(length=16), server_default="imported", nullable=False)
        )
        batch_op.add_column(sa.Column("detail", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("feed_imports", schema=None) as batch_op:
        batch_op.drop_column("detail")
        batch_op.drop_column("outcome")
