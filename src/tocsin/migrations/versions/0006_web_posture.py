"""web sessions and posture: checklist items, answers, sign-offs

Revision ID: 0006_web_posture
Revises: 0005_intel
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tocsin.db

revision = "0006_web_posture"
down_revision = "0005_intel"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "posture_items",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column(
            "domain",
            sa.Enum(
                "governance",
                "resilience",
                "awareness",
                "operational_security",
                name="domain",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("title_fr", sa.String(length=300), nullable=False),
        sa.Column("title_en", sa.String(length=300), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("max_age_days", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", tocsin.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posture_items")),
        sa.UniqueConstraint("key", name=op.f("uq_posture_items_key")),
    )
    op.create_table(
        "posture_answers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "done",
                "partial",
                "not_done",
                "not_applicable",
                name="itemstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("evidenced_on", tocsin.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("updated_at", tocsin.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["posture_items.id"],
            name=op.f("fk_posture_answers_item_id_posture_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_posture_answers_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"], ["users.id"], name=op.f("fk_posture_answers_updated_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posture_answers")),
        sa.UniqueConstraint(
            "organisation_id", "item_id", name=op.f("uq_posture_answers_organisation_id_item_id")
        ),
    )
    with op.batch_alter_table("posture_answers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_posture_answers_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "posture_signoffs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("signed_by", sa.Uuid(), nullable=True),
        sa.Column("signed_at", tocsin.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_posture_signoffs_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["signed_by"], ["users.id"], name=op.f("fk_posture_signoffs_signed_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posture_signoffs")),
    )
    with op.batch_alter_table("posture_signoffs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_posture_signoffs_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "web_sessions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", tocsin.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", tocsin.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("source_ip", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_web_sessions_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_web_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
        sa.UniqueConstraint("digest", name=op.f("uq_web_sessions_digest")),
    )
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_web_sessions_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_web_sessions_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_sessions_user_id"))
        batch_op.drop_index(batch_op.f("ix_web_sessions_expires_at"))

    op.drop_table("web_sessions")
    with op.batch_alter_table("posture_signoffs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_posture_signoffs_organisation_id"))

    op.drop_table("posture_signoffs")
    with op.batch_alter_table("posture_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_posture_answers_organisation_id"))

    op.drop_table("posture_answers")
    op.drop_table("posture_items")
