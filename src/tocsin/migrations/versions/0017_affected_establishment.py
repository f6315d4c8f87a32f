"""alerts name the establishment the incident hit; payloads vary by who may know it

Revision ID: 0017_affected_establishment
Revises: 0011_delivery_notices
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_affected_establishment"
down_revision = "0011_delivery_notices"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alerts") as batch_op:
        batch_op.add_column(sa.Column("affected_org_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_alerts_affected_org_id_organisations"),
            "organisations",
            ["affected_org_id"],
            ["id"],
        )
        batch_op.create_index(op.f("ix_alerts_affected_org_id"), ["affected_org_id"])
    with op.batch_alter_table("delivery_payloads") as batch_op:
        batch_op.add_column(
            sa.Column("with_affected", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("delivery_payloads") as batch_op:
        batch_op.drop_column("with_affected")
    with op.batch_alter_table("alerts") as batch_op:
        batch_op.drop_index(op.f("ix_alerts_affected_org_id"))
        batch_op.drop_constraint(
            op.f("fk_alerts_affected_org_id_organisations"), type_="foreignkey"
        )
        batch_op.drop_column("affected_org_id")
