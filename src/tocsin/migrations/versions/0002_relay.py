"""relay: declarations, their history, the incident log, proposals to relays

Revision ID: 0002_relay
Revises: 0001
Create Date: 2026-11-23 19:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tocsin.db

revision = "0002_relay"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "declarations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("declared_by", sa.Uuid(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "qualified",
                "auto_published",
                "closed",
                name="declarationstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("category", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "ransomware",
                "phishing",
                "intrusion",
                "data_leak",
                "ddos",
                "vulnerability",
                "supply_chain",
                "outage",
                "other",
                name="category",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "nature",
            sa.Enum(
                "malicious", "accidental", "unknown", name="nature", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column(
            "severity",
            sa.Enum(
                "info",
                "low",
                "medium",
                "high",
                "critical",
                name="severity",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "tlp",
            sa.Enum(
                "clear",
                "green",
                "amber",
                "amber+strict",
                "red",
                name="tlp",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("identity", sa.JSON(), nullable=False),
        sa.Column("description", sa.JSON(), nullable=False),
        sa.Column("impacts", sa.JSON(), nullable=False),
        sa.Column("causes", sa.JSON(), nullable=False),
        sa.Column("attack_steps", sa.JSON(), nullable=False),
        sa.Column("indicators", sa.JSON(), nullable=False),
        sa.Column("countermeasures", sa.JSON(), nullable=False),
        sa.Column("auto_share", sa.JSON(), nullable=False),
        sa.Column("checklist", sa.JSON(), nullable=False),
        sa.Column("alert_id", sa.Uuid(), nullable=True),
        sa.Column("relay_deadline", tocsin.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("qualified_by_org_id", sa.Uuid(), nullable=True),
        sa.Column("qualified_at", tocsin.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("auto_published_at", tocsin.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolution", sa.JSON(), nullable=True),
        sa.Column("created_at", tocsin.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", tocsin.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", tocsin.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["alerts.id"],
            name=op.f("fk_declarations_alert_id_alerts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["declared_by"], ["users.id"], name=op.f("fk_declarations_declared_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_declarations_org_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["qualified_by_org_id"],
            ["organisations.id"],
            name=op.f("fk_declarations_qualified_by_org_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_declarations")),
    )
    with op.batch_alter_table("declarations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_declarations_alert_id"), ["alert_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_declarations_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_declarations_org_id"), ["org_id"], unique=False)
        batch_op.create_index(
            "ix_declarations_status_deadline", ["status", "relay_deadline"], unique=False
        )

    op.create_table(
        "declaration_history",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("declaration_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "action",
            sa.Enum(
                "create",
                "edit",
                "qualify",
                "auto_publish",
                "auto_publish_failed",
                "apply_revision",
                "close",
                name="historyaction",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("at", tocsin.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("by_org_id", sa.Uuid(), nullable=True),
        sa.Column("by_user_id", sa.Uuid(), nullable=True),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["declarations.id"],
            name=op.f("fk_declaration_history_declaration_id_declarations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_declaration_history")),
        sa.UniqueConstraint(
            "declaration_id", "version", name=op.f("uq_declaration_history_declaration_id_version")
        ),
    )
    op.create_table(
        "incident_log",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("declaration_id", sa.Uuid(), nullable=False),
        sa.Column("at", tocsin.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", tocsin.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("note", "checklist", "event", name="logkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("checklist_item", sa.String(length=64), nullable=True),
        sa.Column("author_org_id", sa.Uuid(), nullable=True),
        sa.Column("author_user_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_org_id"],
            ["organisations.id"],
            name=op.f("fk_incident_log_author_org_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["declarations.id"],
            name=op.f("fk_incident_log_declaration_id_declarations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_log")),
    )
    with op.batch_alter_table("incident_log", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_log_declaration_id"), ["declaration_id"], unique=False
        )

    op.create_table(
        "relay_proposals",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("declaration_id", sa.Uuid(), nullable=False),
        sa.Column("declaration_version", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("pending", "applied", name="proposalstatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("patch", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", tocsin.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("applied_at", tocsin.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("applied_by_org_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["declarations.id"],
            name=op.f("fk_relay_proposals_declaration_id_declarations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_relay_proposals")),
    )
    with op.batch_alter_table("relay_proposals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_relay_proposals_declaration_id"), ["declaration_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("relay_proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_relay_proposals_declaration_id"))

    op.drop_table("relay_proposals")
    with op.batch_alter_table("incident_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_log_declaration_id"))

    op.drop_table("incident_log")
    op.drop_table("declaration_history")
    with op.batch_alter_table("declarations", schema=None) as batch_op:
        batch_op.drop_index("ix_declarations_status_deadline")
        batch_op.drop_index(batch_op.f("ix_declarations_org_id"))
        batch_op.drop_index(batch_op.f("ix_declarations_created_at"))
        batch_op.drop_index(batch_op.f("ix_declarations_alert_id"))

    op.drop_table("declarations")
