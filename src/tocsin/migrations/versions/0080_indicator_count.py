"""alerts carry the count of their live indicators

Revision ID: 0080_indicator_count
Revises: 0051_context_indicators

Lists show how many indicators an alert has; counting them loaded every indicator of every
listed alert (50,000 for one large alert). The count is kept on the alert by the service
that changes its indicators, and filled here from the stored indicators.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0080_indicator_count"
down_revision = "0051_context_indicators"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alerts") as batch_op:
        batch_op.add_column(
            sa.Column("indicator_count", sa.Integer(), nullable=False, server_default="0")
        )
    op.execute(
        "UPDATE alerts SET indicator_count = (SELECT count(*) FROM alert_indicators"
        " WHERE alert_indicators.alert_id = alerts.id"
        " AND alert_indicators.withdrawn_at IS NULL)"
    )


def downgrade() -> None:
    # Not a batch rebuild: on SQLite, dropping the old alerts table would cascade to every
    # table that refers to alerts (indicators, keys, responses, deliveries).
    op.execute("ALTER TABLE alerts DROP COLUMN indicator_count")
