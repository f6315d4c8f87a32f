"""alert_indicators.context: context values (MISP to_ids false, observations) kept out of
blocklists, the RPZ and detection exports

Revision ID: 0051_context_indicators
Revises: 0050_feed_outcomes
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0051_context_indicators"
down_revision = "0050_feed_outcomes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alert_indicators", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("context", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("alert_indicators", schema=None) as batch_op:
        batch_op.drop_column("context")
