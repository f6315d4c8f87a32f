"""intel: index keys, warninglist flags, confidence, sightings, campaigns

Revision ID: 0005_intel
Revises: 0004_taxii
Create Date: 2026-11-23 19:18:23.510147
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tocsin.db

revision = "0005_intel"
down_revision = "0004_taxii"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "campaigns",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("suggested", sa.Boolean(), nullable=False),
        sa.Column("created_at", tocsin.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", tocsin.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("merged_into", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["merged_into"], ["campaigns.id"], name=op.f("fk_campaigns_merged_into_campaigns")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
    )
    op.create_table(
        "campaign_alerts",
        sa.Column("alert_id", sa.Uuid(), nullable=False),
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("added_at", tocsin.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("added_by", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["alerts.id"],
            name=op.f("fk_campaign_alerts_alert_id_alerts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_alerts_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("alert_id", name=op.f("pk_campaign_alerts")),
    )
    with op.batch_alter_table("campaign_alerts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_campaign_alerts_campaign_id"), ["campaign_id"], unique=False
        )

    op.create_table(
        "indicator_confidence",
        sa.Column("indicator_id", sa.Uuid(), nullable=False),
        sa.Column("confidence", sa.Integer(), nullable=False),
        sa.Column("updated_at", tocsin.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["alert_indicators.id"],
            name=op.f("fk_indicator_confidence_indicator_id_alert_indicators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("indicator_id", name=op.f("pk_indicator_confidence")),
    )
    op.create_table(
        "indicator_flags",
        sa.Column("indicator_id", sa.Uuid(), nullable=False),
        sa.Column("lists", sa.Text(), nullable=False),
        sa.Column("flagged_at", tocsin.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", tocsin.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("confirmed_by_org", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["confirmed_by_org"],
            ["organisations.id"],
            name=op.f("fk_indicator_flags_confirmed_by_org_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["alert_indicators.id"],
            name=op.f("fk_indicator_flags_indicator_id_alert_indicators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("indicator_id", name=op.f("pk_indicator_flags")),
    )
    op.create_table(
        "indicator_keys",
        sa.Column("indicator_id", sa.Uuid(), nullable=False),
        sa.Column("domain", sa.String(length=255), nullable=True),
        sa.Column("ip_start", sa.String(length=32), nullable=True),
        sa.Column("ip_end", sa.String(length=32), nullable=True),
        sa.Column("prefix", sa.SmallInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["alert_indicators.id"],
            name=op.f("fk_indicator_keys_indicator_id_alert_indicators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("indicator_id", name=op.f("pk_indicator_keys")),
    )
    with op.batch_alter_table("indicator_keys", schema=None) as batch_op:
        batch_op.create_index("ix_indicator_keys_domain", ["domain"], unique=False)
        batch_op.create_index(
            "ix_indicator_keys_prefix",
            ["prefix"],
            unique=False,
            sqlite_where=sa.text("prefix IS NOT NULL"),
            postgresql_where=sa.text("prefix IS NOT NULL"),
        )
        batch_op.create_index("ix_indicator_keys_ip_start", ["ip_start"], unique=False)

    op.create_table(
        "sightings",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("indicator_id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("first_seen", tocsin.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen", tocsin.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("false_positive", sa.Boolean(), nullable=False),
        sa.Column("created_at", tocsin.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["alert_indicators.id"],
            name=op.f("fk_sightings_indicator_id_alert_indicators"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_sightings_org_id_organisations")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_sightings_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sightings")),
    )
    with op.batch_alter_table("sightings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sightings_indicator_id"), ["indicator_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_sightings_org_id"), ["org_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("sightings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sightings_org_id"))
        batch_op.drop_index(batch_op.f("ix_sightings_indicator_id"))

    op.drop_table("sightings")
    with op.batch_alter_table("indicator_keys", schema=None) as batch_op:
        batch_op.drop_index("ix_indicator_keys_ip_start")
        batch_op.drop_index(
            "ix_indicator_keys_prefix",
            sqlite_where=sa.text("prefix IS NOT NULL"),
            postgresql_where=sa.text("prefix IS NOT NULL"),
        )
        batch_op.drop_index("ix_indicator_keys_domain")

    op.drop_table("indicator_keys")
    op.drop_table("indicator_flags")
    op.drop_table("indicator_confidence")
    with op.batch_alter_table("campaign_alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_campaign_alerts_campaign_id"))

    op.drop_table("campaign_alerts")
    op.drop_table("campaigns")
