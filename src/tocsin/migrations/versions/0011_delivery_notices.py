"""deliveries and payloads may carry a notice instead of an alert revision

Revision ID: 0011_delivery_notices
Revises: 0010_audit_concerns
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_delivery_notices"
down_revision = "0010_audit_concerns"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("deliveries", "delivery_payloads"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column("alert_id", existing_type=sa.Uuid(), nullable=True)


def downgrade() -> None:
    # Notices have no alert: they cannot survive the older schema.
    op.execute("DELETE FROM deliveries WHERE alert_id IS NULL")
    op.execute("DELETE FROM delivery_payloads WHERE alert_id IS NULL")
    for table in ("deliveries", "delivery_payloads"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column("alert_id", existing_type=sa.Uuid(), nullable=False)
