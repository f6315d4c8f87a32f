"""One typed settings class; every value comes from a `TOCSIN_` environment variable."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from tocsin.localtime import zone

DEVELOPMENT_SECRET = "tocsin-development-secret-do-not-use-in-production"  # noqa: S105
DEVELOPMENT_AUDIT_KEY = "tocsin-development-audit-key-do-not-use-in-production"


class TaxiiPullSource(BaseModel):
    """One remote TAXII 2.1 collection pulled periodically into an organisation's drafts."""

    url: str = Field(description="the remote API root, e.g. https://hub.example/taxii2/api/")
    collection: str
    org: uuid.UUID = Field(description="the organisation the drafts are imported for")
    token: SecretStr | None = Field(default=None, description="sent as a Bearer token")
    every_minutes: float = Field(default=15, gt=0)


class Settings(BaseSettings):
    """Settings of one tocsin node. Documented in README.md (a test checks it)."""

    model_config = SettingsConfigDict(env_prefix="TOCSIN_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("data")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; defaults to SQLite in data_dir"
    )
    bus_url: str = Field(default="memory://", description="memory:// or nats://host:port")
    bus_stream: str = Field(default="TOCSIN", description="JetStream stream name")
    secret_key: SecretStr = SecretStr(DEVELOPMENT_SECRET)
    public_url: str = "http://127.0.0.1:8000"
    max_body_bytes: int = Field(default=5 * 1024 * 1024, gt=0)
    rate_limit_writes_per_minute: int = Field(default=600, gt=0, description="per token")
    rate_limit_auth_failures_per_minute: int = Field(default=30, gt=0, description="per address")
    page_size_max: int = Field(default=200, gt=0)
    language: str = "fr"
    time_zone: str = Field(
        default="Europe/Paris", description="the zone of times on pages, e-mails and documents"
    )
    log_json: bool = False
    run_workers: bool = Field(default=True, description="run dispatchers and timers in this node")

    # Relay deadlines (minutes after a declaration, per severity): if no relay has qualified
    # the declaration by then, its pre-approved shareable part is published automatically.
    # None: no automatic publication for that severity (low and info never have one).
    relay_deadline_critical_minutes: int | None = Field(
        default=30, gt=0, description="minutes relays have to qualify a critical declaration"
    )
    relay_deadline_high_minutes: int | None = Field(
        default=120, gt=0, description="minutes relays have to qualify a high declaration"
    )
    relay_deadline_medium_minutes: int | None = Field(
        default=None, gt=0, description="minutes for a medium declaration; none by default"
    )

    delivery_poll_seconds: float = Field(default=1.0, gt=0, description="outbox poll period")
    stream_heartbeat_seconds: float = Field(default=15.0, gt=0, description="SSE comment period")
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, description="per attempt")
    webhook_allow_private: bool = Field(default=False, description="allow loopback/private URLs")

    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    mail_from: str = "tocsin@localhost"

    sms_url: str | None = Field(default=None, description="Kannel's sendsms URL; unset: memory")
    sms_username: str | None = None
    sms_password: SecretStr | None = None
    sms_from: str | None = Field(default=None, description="sender shown on phones")
    sms_max_parts: int = Field(
        default=3, ge=1, le=10, description="parts of a concatenated SMS, as Kannel allows"
    )
    sms_per_user_per_hour: int = Field(
        default=10, ge=1, description="SMS one person receives in an hour at most; then skipped"
    )
    sms_alert_interval_minutes: float = Field(
        default=30, ge=0, description="minutes before one alert texts the same person again"
    )

    ack_deadline_critical_minutes: float = Field(
        default=30, gt=0, description="a critical alert is acknowledged within this time"
    )
    ack_deadline_high_minutes: float = Field(default=240, gt=0)
    ack_deadline_medium_minutes: float = Field(default=2880, gt=0)
    first_update_deadline_days: float = Field(
        default=3, gt=0, description="first update on a medium or worse alert (low/info: none)"
    )
    escalation_relay_delay_minutes: float | None = Field(
        default=None, ge=0, description="director to relays; default: the same deadline again"
    )

    # Identity: who must have a second factor, how long a browser stays signed in, and the
    # client secrets of OpenID Connect providers kept out of the database (by provider slug).
    mfa_required: Literal["none", "privileged", "all"] | None = Field(
        default=None, description="who needs a second factor; default: privileged in production"
    )
    session_lifetime_hours: float = Field(default=10, gt=0, description="then sign in again")
    session_idle_minutes: float = Field(default=30, gt=0, description="idle time that ends one")
    oidc_client_secrets: dict[str, SecretStr] = Field(
        default_factory=dict, description='JSON: {"provider slug": "client secret"}'
    )

    # The audit trail: the key of its chain (kept out of the database), the earlier keys
    # that still verify older records, and where checkpoints of the chain are kept.
    audit_key: SecretStr = Field(
        default=SecretStr(DEVELOPMENT_AUDIT_KEY), description="HMAC key of the audit chain"
    )
    audit_previous_keys: list[SecretStr] = Field(
        default_factory=list, description="JSON list: earlier audit keys, to verify old records"
    )
    audit_checkpoint_file: Path | None = Field(
        default=None, description="append-only file of checkpoints; default data_dir"
    )
    audit_syslog: str | None = Field(
        default=None, description="host:port (UDP) or /dev/log: checkpoints to syslog"
    )
    audit_checkpoint_minutes: float = Field(
        default=60, gt=0, description="how often the chain's head is checkpointed"
    )
    # Regulatory clocks (obligations/): when the declarant's director and security officer
    # are reminded before each due time (fractions of the time allowed, minutes before it).
    obligation_reminder_fractions: list[float] = Field(
        default_factory=lambda: [0.5], description="JSON list, e.g. [0.5]: at half the time"
    )
    obligation_reminder_minutes_before: list[int] = Field(
        default_factory=lambda: [60], description="JSON list, e.g. [60]: one hour before"
    )
    regulatory_rules_file: Path | None = Field(
        default=None, description="JSON file replacing the table of regulatory steps"
    )
    # Pulling from other hubs: remote TAXII 2.1 collections read periodically, each into
    # drafts of one local organisation (JSON list of {"url", "collection", "org", "token",
    # "every_minutes"}; `url` is the remote API root).
    taxii_pull_sources: list[TaxiiPullSource] = Field(
        default_factory=list, description="JSON list of remote TAXII collections to pull"
    )

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        zone(value)  # raises ValueError naming the zone
        return value

    @model_validator(mode="after")
    def _refuse_default_secret_in_production(self) -> Settings:
        if (
            self.environment == "production"
            and self.secret_key.get_secret_value() == DEVELOPMENT_SECRET
        ):
            raise ValueError("TOCSIN_SECRET_KEY must be set in production")
        if self.environment == "production":
            key = self.audit_key.get_secret_value()
            if key == DEVELOPMENT_AUDIT_KEY or len(key) < 32:
                raise ValueError("TOCSIN_AUDIT_KEY must be set in production (32+ characters)")
            if key == self.secret_key.get_secret_value():
                raise ValueError("TOCSIN_AUDIT_KEY must differ from TOCSIN_SECRET_KEY")
        return self

    @property
    def effective_audit_checkpoint_file(self) -> Path:
        """Where checkpoints of the audit chain are appended."""
        return self.audit_checkpoint_file or self.data_dir / "audit-checkpoints.jsonl"

    @property
    def effective_mfa_required(self) -> Literal["none", "privileged", "all"]:
        """The second-factor policy: as set, else `privileged` in production, `none` elsewhere."""
        if self.mfa_required is not None:
            return self.mfa_required
        return "privileged" if self.environment == "production" else "none"

    @property
    def effective_database_url(self) -> str:
        """The configured URL, or a SQLite file under the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'tocsin.db').resolve()}"
