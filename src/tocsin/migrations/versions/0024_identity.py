"""identity: second factors, pending second steps, the stored sign-in lockout, identity
providers and their logins in flight; what a web session knows of its second factor

Revision ID: 0024_identity
Revises: 0023_correlation_keys
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tocsin.db

revision = "0024_identity"
down_revision = "0023_correlation_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_lockouts",
        sa.Column("account", sa.String(length=254), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", tocsin.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", tocsin.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("account", name=op.f("pk_sign_in_lockouts")),
    )
    with op.batch_alter_table("sign_in_lockouts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sign_in_lockouts_updated_at"), ["updated_at"], unique=False
        )

    op.create_table(
        "identity_providers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("client_id", sa.String(length=200), nullable=False),
        sa.Column("client_secret_sealed", sa.String(length=700), nullable=True),
        sa.Column("scopes", sa.String(length=300), nullable=False),
        sa.Column("email_claim", sa.String(length=64), nullable=False),
        sa.Column("roles_claim", sa.String(length=64), nullable=True),
        sa.Column("role_map", sa.JSON(), nullable=False),
        sa.Column(
            "default_role",
            sa.Enum(
                "director",
                "security_officer",
                "it_staff",
                "analyst",
                "viewer",
                name="role",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("allowed_domains", sa.JSON(), nullable=False),
        sa.Column("require_mfa", sa.Boolean(), nullable=False),
        sa.Column("accepted_acr", sa.JSON(), nullable=False),
        sa.Column("created_at", tocsin.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_identity_providers_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_providers")),
        sa.UniqueConstraint("slug", name=op.f("uq_identity_providers_slug")),
    )
    with op.batch_alter_table("identity_providers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_identity_providers_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "passkeys",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("credential_id", sa.String(length=1400), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("sign_count", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_at", tocsin.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", tocsin.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_passkeys_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_passkeys")),
        sa.UniqueConstraint("credential_id", name=op.f("uq_passkeys_credential_id")),
    )
    with op.batch_alter_table("passkeys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_passkeys_user_id"), ["user_id"], unique=False)

    op.create_table(
        "pending_sign_ins",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("via", sa.String(length=80), nullable=False),
        sa.Column("next_path", sa.String(length=500), nullable=False),
        sa.Column("challenge", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", tocsin.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", tocsin.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_pending_sign_ins_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_sign_ins")),
        sa.UniqueConstraint("digest", name=op.f("uq_pending_sign_ins_digest")),
    )
    with op.batch_alter_table("pending_sign_ins", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pending_sign_ins_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_pending_sign_ins_user_id"), ["user_id"], unique=False)

    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", tocsin.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", tocsin.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_recovery_codes_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_codes")),
        sa.UniqueConstraint("digest", name=op.f("uq_recovery_codes_digest")),
    )
    with op.batch_alter_table("recovery_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recovery_codes_user_id"), ["user_id"], unique=False)

    op.create_table(
        "totp_factors",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("secret_sealed", sa.String(length=300), nullable=False),
        sa.Column("confirmed_at", tocsin.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_step", sa.BigInteger(), nullable=True),
        sa.Column("created_at", tocsin.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_totp_factors_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_totp_factors")),
        sa.UniqueConstraint("user_id", name=op.f("uq_totp_factors_user_id")),
    )
    op.create_table(
        "passkey_registrations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("web_session_id", sa.Uuid(), nullable=False),
        sa.Column("challenge", sa.LargeBinary(), nullable=False),
        sa.Column("expires_at", tocsin.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["web_session_id"],
            ["web_sessions.id"],
            name=op.f("fk_passkey_registrations_web_session_id_web_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_passkey_registrations")),
        sa.UniqueConstraint("web_session_id", name=op.f("uq_passkey_registrations_web_session_id")),
    )
    op.create_table(
        "sso_logins",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("state_digest", sa.String(length=64), nullable=False),
        sa.Column("binding_digest", sa.String(length=64), nullable=False),
        sa.Column("provider_id", sa.Uuid(), nullable=False),
        sa.Column("nonce", sa.String(length=100), nullable=False),
        sa.Column("code_verifier", sa.String(length=200), nullable=False),
        sa.Column("next_path", sa.String(length=500), nullable=False),
        sa.Column("created_at", tocsin.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", tocsin.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["identity_providers.id"],
            name=op.f("fk_sso_logins_provider_id_identity_providers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sso_logins")),
        sa.UniqueConstraint("state_digest", name=op.f("uq_sso_logins_state_digest")),
    )
    with op.batch_alter_table("sso_logins", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sso_logins_expires_at"), ["expires_at"], unique=False)

    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("last_seen_at", tocsin.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("user_agent", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("second_factor", sa.String(length=32), nullable=True))
        batch_op.add_column(
            sa.Column("enrolment_required", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.drop_column("enrolment_required")
        batch_op.drop_column("second_factor")
        batch_op.drop_column("user_agent")
        batch_op.drop_column("last_seen_at")

    with op.batch_alter_table("sso_logins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sso_logins_expires_at"))

    op.drop_table("sso_logins")
    op.drop_table("passkey_registrations")
    op.drop_table("totp_factors")
    with op.batch_alter_table("recovery_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recovery_codes_user_id"))

    op.drop_table("recovery_codes")
    with op.batch_alter_table("pending_sign_ins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pending_sign_ins_user_id"))
        batch_op.drop_index(batch_op.f("ix_pending_sign_ins_expires_at"))

    op.drop_table("pending_sign_ins")
    with op.batch_alter_table("passkeys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_passkeys_user_id"))

    op.drop_table("passkeys")
    with op.batch_alter_table("identity_providers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identity_providers_organisation_id"))

    op.drop_table("identity_providers")
    with op.batch_alter_table("sign_in_lockouts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sign_in_lockouts_updated_at"))

    op.drop_table("sign_in_lockouts")
