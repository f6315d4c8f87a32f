"""taxii: stored STIX objects per collection and POST statuses

Revision ID: 0004_taxii
Revises: 0003_interop_stix
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import tocsin.db

revision = "0004_taxii"
down_revision = "0003_interop_stix"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "taxii_objects",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("collection_id", sa.String(length=64), nullable=False),
        sa.Column("added_us", sa.BigInteger(), nullable=False),
        sa.Column("stix_id", sa.String(length=128), nullable=False),
        sa.Column("stix_type", sa.String(length=64), nullable=False),
        sa.Column("spec_version", sa.String(length=8), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("version_us", sa.BigInteger(), nullable=False),
        sa.Column("earliest", sa.Boolean(), nullable=False),
        sa.Column("latest", sa.Boolean(), nullable=False),
        sa.Column("alert_id", sa.Uuid(), nullable=True),
        sa.Column("owner_org_id", sa.Uuid(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["alerts.id"],
            name=op.f("fk_taxii_objects_alert_id_alerts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_org_id"],
            ["organisations.id"],
            name=op.f("fk_taxii_objects_owner_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_taxii_objects")),
        sa.UniqueConstraint("added_us", name=op.f("uq_taxii_objects_added_us")),
        sa.UniqueConstraint(
            "collection_id",
            "stix_id",
            "version_us",
            name=op.f("uq_taxii_objects_collection_id_stix_id_version_us"),
        ),
    )
    with op.batch_alter_table("taxii_objects", schema=None) as batch_op:
        batch_op.create_index(
            "ix_taxii_objects_collection_id_added_us", ["collection_id", "added_us"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_taxii_objects_alert_id"), ["alert_id"], unique=False)

    op.create_table(
        "taxii_statuses",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("collection_id", sa.String(length=64), nullable=False),
        sa.Column("requested_at", tocsin.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("total_count", sa.Integer(), nullable=False),
        sa.Column("success_count", sa.Integer(), nullable=False),
        sa.Column("failure_count", sa.Integer(), nullable=False),
        sa.Column(
            "details",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_taxii_statuses_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taxii_statuses")),
    )
    with op.batch_alter_table("taxii_statuses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_taxii_statuses_org_id"), ["org_id"], unique=False)


def downgrade() -> None:
    op.drop_table("taxii_statuses")
    op.drop_table("taxii_objects")
