"""notification preferences per channel: SMS severities and the phone number

Revision ID: 0060_notification_channels
Revises: 0100_exercises
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0060_notification_channels"
down_revision = "0100_exercises"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notification_preferences") as batch_op:
        batch_op.add_column(sa.Column("sms_severities", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("phone", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notification_preferences") as batch_op:
        batch_op.drop_column("phone")
        batch_op.drop_column("sms_severities")
