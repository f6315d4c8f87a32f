"""regulatory obligations: organisations' NIS2 and public-health-code status, the moment of
awareness of a declaration, and the table of NIS2, CNIL and ARS steps

Revision ID: 0090_regulatory_obligations
Revises: 0080_indicator_count
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tocsin.db

revision = "0090_regulatory_obligations"
down_revision = "0080_indicator_count"
branch_labels = None
depends_on = None

NIS2 = sa.Enum("essential", "important", "none", name="nis2status", native_enum=False, length=32)


def upgrade() -> None:
    with op.batch_alter_table("organisations") as batch_op:
        batch_op.add_column(sa.Column("nis2", NIS2, server_default="none", nullable=False))
        batch_op.add_column(
            sa.Column("csp_health", sa.Boolean(), server_default="0", nullable=False)
        )
    # Establishments were all held to the ARS declaration before this status existed.
    op.execute("UPDATE organisations SET csp_health = (kind = 'establishment')")
    with op.batch_alter_table("declarations") as batch_op:
        batch_op.add_column(
            sa.Column("aware_at", tocsin.db.UTCDateTime(timezone=True), nullable=True)
        )
    op.execute("UPDATE declarations SET aware_at = created_at")
    when = tocsin.db.UTCDateTime(timezone=True)
    op.create_table(
        "regulatory_obligations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("declaration_id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("regime", sa.String(length=16), nullable=False),
        sa.Column("step", sa.String(length=32), nullable=False),
        sa.Column("applicable", sa.Boolean(), nullable=False),
        sa.Column("starts_at", when, nullable=True),
        sa.Column("due_at", when, nullable=True),
        sa.Column("submitted_at", when, nullable=True),
        sa.Column("submitted_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("submitted_by_org_id", sa.Uuid(), nullable=True),
        sa.Column("reference", sa.String(length=200), nullable=True),
        sa.Column("file_name", sa.String(length=255), nullable=True),
        sa.Column("file_sha256", sa.String(length=64), nullable=True),
        sa.Column("late_reason", sa.Text(), nullable=True),
        sa.Column("sent_document", sa.JSON(), nullable=True),
        sa.Column("reminders_sent", sa.JSON(), nullable=False),
        sa.Column("created_at", when, nullable=False),
        sa.Column("updated_at", when, nullable=False),
        sa.ForeignKeyConstraint(
            ["declaration_id"], ["declarations.id"],
            name=op.f("fk_regulatory_obligations_declaration_id_declarations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"],
            name=op.f("fk_regulatory_obligations_org_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_regulatory_obligations")),
        sa.UniqueConstraint(
            "declaration_id", "regime", "step",
            name=op.f("uq_regulatory_obligations_declaration_id_regime_step"),
        ),
    )  # fmt: skip
    with op.batch_alter_table("regulatory_obligations") as batch_op:
        batch_op.create_index(
            "ix_regulatory_obligations_open_due", ["submitted_at", "due_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_regulatory_obligations_declaration_id"), ["declaration_id"]
        )
        batch_op.create_index(batch_op.f("ix_regulatory_obligations_org_id"), ["org_id"])


def downgrade() -> None:
    op.drop_table("regulatory_obligations")
    with op.batch_alter_table("declarations") as batch_op:
        batch_op.drop_column("aware_at")
    with op.batch_alter_table("organisations") as batch_op:
        batch_op.drop_column("csp_health")
        batch_op.drop_column("nis2")
