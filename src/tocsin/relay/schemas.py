"""API shapes of declarations: the four blocks of the regulatory form and the relay's work.

Only the title and the regulatory category are required: in a crisis a declaration is
saved first and completed later. Indicators and attack steps reuse the alert shapes, so
they are normalised and validated exactly as in an alert.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from pydantic import AwareDatetime, BaseModel, EmailStr, Field, ValidationError, model_validator

from tocsin.alerts.schemas import (
    AlertPatch,
    AttackStep,
    CareImpact,
    Countermeasure,
    IndicatorIn,
    OrgRef,
    ScopeIn,
    ShortText,
    Strict,
)
from tocsin.alerts.vocab import Category, Severity
from tocsin.clock import as_utc
from tocsin.errors import FieldError, InvalidInput
from tocsin.relay.vocab import (
    DEFAULT_SHARE_PARTS,
    DeclarationStatus,
    HandlingStatus,
    HistoryAction,
    LogKind,
    Nature,
    ProposalStatus,
    RegulatoryCategory,
    SharePart,
)
from tocsin.sharing.rules import ScopeKind
from tocsin.sharing.tlp import TLP

LongText = str
MAX_TEXT = 20_000


class Declarant(Strict):
    name: ShortText | None = None
    role: ShortText | None = None
    email: EmailStr | None = None
    phone: str | None = Field(default=None, max_length=40)


class Identity(Strict):
    """Block 1: who declares. The structure itself comes from the organisation record."""

    declarant: Declarant = Field(default_factory=Declarant)
    essential_services_operator: bool = Field(
        default=False,
        description="kept for old clients (NIS1); the organisation's `nis2` status now decides",
    )


class Description(Strict):
    """Block 2: what happened."""

    started_at: AwareDatetime | None = Field(
        default=None, description="when the incident began, if known"
    )
    discovered_at: AwareDatetime | None = None
    summary: str | None = Field(default=None, max_length=MAX_TEXT)
    perimeter: str | None = Field(default=None, max_length=MAX_TEXT)
    systems: list[ShortText] = Field(default_factory=list, max_length=200)
    data_concerned: str | None = Field(default=None, max_length=MAX_TEXT)
    handling_status: HandlingStatus | None = None


class Impacts(Strict):
    """Block 3: consequences, care first."""

    personal_data: bool = Field(default=False, description="personal data affected (CNIL, 72 h)")
    personal_data_categories: list[ShortText] = Field(
        default_factory=list, max_length=50, description="health data, identity, contact, ..."
    )
    people_concerned: int | None = Field(
        default=None, ge=0, description="estimated number of people whose data are concerned"
    )
    high_risk_to_people: bool = Field(
        default=False, description="likely high risk to the people: they are told (GDPR art. 34)"
    )
    on_data: str | None = Field(default=None, max_length=MAX_TEXT)
    on_persons: str | None = Field(default=None, max_length=MAX_TEXT)
    on_systems: str | None = Field(default=None, max_length=MAX_TEXT)
    on_structure: str | None = Field(default=None, max_length=MAX_TEXT)
    care: CareImpact = Field(default_factory=CareImpact)


class Causes(Strict):
    """Block 4: causes, if known."""

    known: bool = False
    description: str | None = Field(default=None, max_length=MAX_TEXT)
    initial_access: ShortText | None = None
    malware_family: ShortText | None = None
    threat_actor: ShortText | None = None


class AutoShare(Strict):
    """What may be published automatically if no relay qualifies in time."""

    parts: list[SharePart] = Field(default_factory=lambda: list(DEFAULT_SHARE_PARTS))
    anonymous: bool = True
    tlp: TLP = TLP.amber
    scope: ScopeKind = Field(default=ScopeKind.region, description="group, region or national")

    @model_validator(mode="after")
    def _an_area_not_a_list(self) -> AutoShare:
        if self.tlp is TLP.red:
            raise ValueError("TLP:RED needs named recipients; it cannot be shared automatically")
        if self.scope is ScopeKind.explicit:
            raise ValueError("automatic sharing goes to a group, region or national area")
        return self


class DeclarationIn(Strict):
    """A new declaration. Only `title` and `category` are required."""

    title: str = Field(min_length=1, max_length=300)
    category: RegulatoryCategory = Field(description="regulatory category, 1 to 5")
    organisation_id: uuid.UUID | None = Field(
        default=None, description="the declaring establishment; must be your own"
    )
    kind: Category | None = Field(default=None, description="ransomware, intrusion, ...")
    nature: Nature = Nature.unknown
    severity: Severity = Severity.high
    anonymous: bool = Field(default=False, description="do not name us when sharing")
    aware_at: AwareDatetime | None = Field(
        default=None,
        description="when the establishment became aware of the incident: the legal clocks "
        "start here (NIS2 art. 23, GDPR art. 33); default: the declaration time",
    )
    identity: Identity = Field(default_factory=Identity)
    description: Description = Field(default_factory=Description)
    impacts: Impacts = Field(default_factory=Impacts)
    causes: Causes = Field(default_factory=Causes)
    attack_steps: list[AttackStep] = Field(default_factory=list, max_length=1000)
    indicators: list[IndicatorIn] = Field(default_factory=list, max_length=50_000)
    countermeasures: list[Countermeasure] = Field(default_factory=list, max_length=1000)
    auto_share: AutoShare = Field(default_factory=AutoShare)


class DeclarationPatch(Strict):
    """A partial change by the declaring establishment: given fields replace current ones."""

    title: str | None = Field(default=None, min_length=1, max_length=300)
    category: RegulatoryCategory | None = None
    kind: Category | None = None
    nature: Nature | None = None
    severity: Severity | None = None
    anonymous: bool | None = None
    aware_at: AwareDatetime | None = None
    identity: Identity | None = None
    description: Description | None = None
    impacts: Impacts | None = None
    causes: Causes | None = None
    attack_steps: list[AttackStep] | None = Field(default=None, max_length=1000)
    indicators: list[IndicatorIn] | None = Field(default=None, max_length=50_000)
    countermeasures: list[Countermeasure] | None = Field(default=None, max_length=1000)
    auto_share: AutoShare | None = None
    note: str | None = Field(default=None, max_length=5000, description="what changed, for relays")


class QualifyIn(Strict):
    """The relay's shareable version: anything left out is proposed from the declaration."""

    title: str | None = Field(default=None, min_length=1, max_length=300)
    summary: str | None = Field(default=None, max_length=50_000)
    severity: Severity | None = None
    tlp: TLP = TLP.amber
    scope: ScopeIn | None = Field(default=None, description="default: the declarant's region")
    anonymous: bool | None = Field(default=None, description="default: what the declarant asked")
    include: list[SharePart] = Field(default_factory=lambda: list(SharePart))
    note: str | None = Field(default=None, max_length=5000)


class ApplyIn(Strict):
    """Apply a pending revision; `patch` replaces the proposed change (sanitised by the relay)."""

    patch: AlertPatch | None = None
    note: str | None = Field(default=None, max_length=5000)


class ResolutionIn(Strict):
    """The follow-up declaration when the incident is over."""

    ended_at: AwareDatetime
    summary: str = Field(min_length=1, max_length=MAX_TEXT)
    measures: str | None = Field(default=None, max_length=MAX_TEXT)
    care_restored_at: AwareDatetime | None = None


class LogEntryIn(Strict):
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    at: AwareDatetime | None = Field(default=None, description="when it happened; default: now")


class TickIn(Strict):
    done: bool = True
    note: str | None = Field(default=None, max_length=5000)


class ChecklistItemOut(BaseModel):
    key: str
    text: str
    done_at: datetime | None
    done_by: uuid.UUID | None


class DeclarationOut(BaseModel):
    id: uuid.UUID
    organisation: OrgRef | None
    status: DeclarationStatus
    version: int
    title: str
    category: RegulatoryCategory
    category_label: str
    significant: bool
    kind: Category | None
    nature: Nature
    severity: Severity
    tlp: TLP
    anonymous: bool
    aware_at: datetime
    identity: Identity
    description: Description
    impacts: Impacts
    causes: Causes
    attack_steps: list[AttackStep]
    indicators: list[IndicatorIn]
    countermeasures: list[Countermeasure]
    auto_share: AutoShare
    checklist: list[ChecklistItemOut]
    alert_id: uuid.UUID | None
    relay_deadline: datetime | None
    qualified_by: OrgRef | None
    qualified_at: datetime | None
    auto_published_at: datetime | None
    resolution: ResolutionIn | None
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None


class DeclarationSummary(BaseModel):
    id: uuid.UUID
    organisation: OrgRef | None
    status: DeclarationStatus
    title: str
    category: RegulatoryCategory
    significant: bool
    severity: Severity
    alert_id: uuid.UUID | None
    relay_deadline: datetime | None
    created_at: datetime
    updated_at: datetime


class HistoryOut(BaseModel):
    version: int
    action: HistoryAction
    at: datetime
    by_org: uuid.UUID | None
    by_user: uuid.UUID | None
    fields: list[str]
    note: str | None
    document: dict[str, Any]


class LogEntryOut(BaseModel):
    id: uuid.UUID
    at: datetime
    recorded_at: datetime
    kind: LogKind
    text: str
    checklist_item: str | None
    author: OrgRef | None
    author_user_id: uuid.UUID | None


class ProposalOut(BaseModel):
    id: uuid.UUID
    declaration_version: int
    status: ProposalStatus
    fields: list[str]
    patch: dict[str, Any]
    note: str | None
    created_at: datetime
    applied_at: datetime | None
    applied_by: uuid.UUID | None


# Tolerated client clock drift: a discovery "in 2 minutes" is a skewed clock, not a lie.
CLOCK_SKEW = timedelta(minutes=5)


def _dated_fields(content: DeclarationIn) -> Iterator[tuple[str, datetime | None]]:
    yield "aware_at", content.aware_at
    yield "description.started_at", content.description.started_at
    yield "description.discovered_at", content.description.discovered_at
    for index, step in enumerate(content.attack_steps):
        yield f"attack_steps.{index}.at", step.at
    for index, indicator in enumerate(content.indicators):
        yield f"indicators.{index}.first_seen", indicator.first_seen


def future_dates(content: DeclarationIn, now: datetime) -> list[FieldError]:
    """Fields dated after now (beyond the tolerated clock skew): the past cannot be later."""
    limit = now + CLOCK_SKEW
    return [
        FieldError(name, "is in the future")
        for name, value in _dated_fields(content)
        if value is not None and as_utc(value) > limit
    ]


def awareness_errors(content: DeclarationIn) -> list[FieldError]:
    """Awareness cannot come before the incident began."""
    started, aware = content.description.started_at, content.aware_at
    if started is not None and aware is not None and as_utc(aware) < as_utc(started):
        return [FieldError("aware_at", "is before the incident's start (description.started_at)")]
    return []


def invalid(exc: ValidationError) -> InvalidInput:
    """A pydantic error as our 422, naming each field by its dotted path."""
    return InvalidInput(
        [FieldError(".".join(str(p) for p in e["loc"]) or "body", e["msg"]) for e in exc.errors()]
    )
