"""exercises: the exercise flag and deadline of alerts, exercises, injects, observations,
the scenario library

Revision ID: 0100_exercises
Revises: 0030_audit_key_id
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tocsin.db

revision = "0100_exercises"
down_revision = "0030_audit_key_id"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alerts") as batch_op:
        batch_op.add_column(
            sa.Column("exercise", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("acknowledge_minutes", sa.Integer(), nullable=True))
    op.create_table(
        "exercises",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("org_id", sa.Uuid(), sa.ForeignKey("organisations.id"), nullable=False),
        sa.Column("created_by", sa.Uuid(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "scheduled", "running", "ended", name="exercisestatus", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("scope_key", sa.String(120), nullable=False),
        sa.Column("from_alert_id", sa.Uuid(), nullable=True),
        sa.Column("starts_at", tocsin.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ends_at", tocsin.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("acknowledge_minutes", sa.Integer(), nullable=True),
        sa.Column("alert_id", sa.Uuid(), sa.ForeignKey("alerts.id"), nullable=True),
        sa.Column("created_at", tocsin.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", tocsin.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", tocsin.db.UTCDateTime(timezone=True), nullable=True),
    )
    for column in ("org_id", "status", "scope_key", "starts_at", "alert_id"):
        op.create_index(f"ix_exercises_{column}", "exercises", [column])
    op.create_table(
        "exercise_injects",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column(
            "exercise_id",
            sa.Uuid(),
            sa.ForeignKey("exercises.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("offset_minutes", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("patch", sa.JSON(), nullable=False),
        sa.Column("released_at", tocsin.db.UTCDateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_exercise_injects_exercise_id", "exercise_injects", ["exercise_id"])
    op.create_table(
        "exercise_observations",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column(
            "exercise_id",
            sa.Uuid(),
            sa.ForeignKey("exercises.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "org_id",
            sa.Uuid(),
            sa.ForeignKey("organisations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("written_by", sa.Uuid(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("written_at", tocsin.db.UTCDateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("exercise_id", "org_id"),
    )
    op.create_index(
        "ix_exercise_observations_exercise_id", "exercise_observations", ["exercise_id"]
    )
    op.create_table(
        "exercise_scenarios",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("key", sa.String(64), nullable=False, unique=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("injects", sa.JSON(), nullable=False),
        sa.Column("updated_at", tocsin.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), sa.ForeignKey("users.id"), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("exercise_scenarios")
    op.drop_table("exercise_observations")
    op.drop_table("exercise_injects")
    op.drop_table("exercises")
    with op.batch_alter_table("alerts") as batch_op:
        batch_op.drop_column("acknowledge_minutes")
        batch_op.drop_column("exercise")
