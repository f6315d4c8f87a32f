"""how far each remote TAXII collection was pulled

Revision ID: 0110_taxii_pulls
Revises: 0090_regulatory_obligations

`tocsin taxii-pull` and the periodic pull remember, per organisation and remote collection,
the last `X-TAXII-Date-Added-Last` they read, so each pull asks only for newer objects.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tocsin.db

revision = "0110_taxii_pulls"
down_revision = "0090_regulatory_obligations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "taxii_pulls",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("api_root", sa.String(length=2000), nullable=False),
        sa.Column("collection_id", sa.String(length=200), nullable=False),
        sa.Column("added_last", sa.String(length=40), nullable=True),
        sa.Column("pulled_at", tocsin.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_taxii_pulls_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taxii_pulls")),
        sa.UniqueConstraint(
            "org_id",
            "api_root",
            "collection_id",
            name=op.f("uq_taxii_pulls_org_id_api_root_collection_id"),
        ),
    )


def downgrade() -> None:
    op.drop_table("taxii_pulls")
