"""API shapes of alerts. Every field is validated here, at the edge, naming the field."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from tocsin.alerts.vocab import CareService, Category, RuleKind, Severity, Status
from tocsin.indicators.attack import validate_technique
from tocsin.indicators.normalize import normalize
from tocsin.indicators.types import IndicatorError, IndicatorType
from tocsin.sharing.rules import ScopeKind
from tocsin.sharing.tlp import PAP, TLP

MAX_INDICATORS = 50_000


def _technique(value: str) -> str:
    try:
        return validate_technique(value)
    except IndicatorError as exc:
        raise ValueError(str(exc)) from exc


Technique = Annotated[str, AfterValidator(_technique)]
ShortText = Annotated[str, Field(max_length=500)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ScopeIn(Strict):
    kind: ScopeKind
    area_id: uuid.UUID | None = Field(
        default=None, description="the group, region or national CERT; defaults to the source's"
    )
    organisations: list[uuid.UUID] = Field(
        default_factory=list, max_length=5000, description="named recipients (explicit scope)"
    )


class CareImpact(Strict):
    services: list[CareService] = Field(default_factory=list)
    degraded_mode: bool = False
    patients_transferred: int = Field(default=0, ge=0, le=100_000)
    notes: str | None = Field(default=None, max_length=5000)


class Origin(Strict):
    initial_access: ShortText | None = None
    threat_actor: ShortText | None = None
    malware_family: ShortText | None = None


class AttackStep(Strict):
    at: AwareDatetime | None = None
    description: str = Field(min_length=1, max_length=5000)
    technique: Technique | None = None


class IndicatorIn(Strict):
    type: IndicatorType
    value: str = Field(min_length=1, max_length=4096)
    comment: str | None = Field(default=None, max_length=2000)
    first_seen: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None
    context: bool = Field(
        default=False,
        description="context only: shown, searched and correlated, never in blocklists, "
        "the RPZ or detection exports (MISP to_ids false)",
    )

    @model_validator(mode="after")
    def _normalise(self) -> IndicatorIn:
        try:
            self.value = normalize(self.type, self.value)
        except IndicatorError as exc:
            raise ValueError(f"{self.type.value} value {self.value!r}: {exc}") from exc
        return self


class Countermeasure(Strict):
    action: str = Field(min_length=1, max_length=5000)
    rule_kind: RuleKind | None = None
    rule: str | None = Field(default=None, max_length=100_000)

    @model_validator(mode="after")
    def _rule_needs_kind(self) -> Countermeasure:
        if self.rule and self.rule_kind is None:
            raise ValueError("a detection rule needs its rule_kind (yara, sigma, snort, ...)")
        return self


class AlertContent(Strict):
    """Everything an author writes in an alert."""

    title: str = Field(min_length=1, max_length=300)
    summary: str = Field(default="", max_length=50_000)
    category: Category
    severity: Severity
    tlp: TLP
    pap: PAP = PAP.green
    scope: ScopeIn
    anonymous: bool = Field(
        default=False,
        description="name neither the affected establishment (but to itself, the source and "
        "its relays) nor, when it speaks of its own incident, the source",
    )
    affected_organisation: uuid.UUID | None = Field(
        default=None,
        description="the establishment the incident hit: the source itself, or for a relay "
        "one within its perimeter",
    )
    first_seen: AwareDatetime | None = None
    care_impact: CareImpact = Field(default_factory=CareImpact)
    origin: Origin = Field(default_factory=Origin)
    attack_steps: list[AttackStep] = Field(default_factory=list, max_length=1000)
    indicators: list[IndicatorIn] = Field(default_factory=list, max_length=MAX_INDICATORS)
    countermeasures: list[Countermeasure] = Field(default_factory=list, max_length=1000)

    @field_validator("indicators")
    @classmethod
    def _merge_duplicates(cls, indicators: list[IndicatorIn]) -> list[IndicatorIn]:
        """Equal values after normalisation are one indicator; their comments are joined."""
        merged: dict[tuple[str, str], IndicatorIn] = {}
        for item in indicators:
            key = (item.type.value, item.value)
            kept = merged.get(key)
            if kept is None:
                merged[key] = item
                continue
            kept.context = kept.context and item.context  # detection wins over context
            if item.comment and item.comment != kept.comment:
                kept.comment = "; ".join(c for c in (kept.comment, item.comment) if c)
        return list(merged.values())


class AlertPatch(Strict):
    """A partial change: the fields given replace the current ones."""

    title: str | None = Field(default=None, min_length=1, max_length=300)
    summary: str | None = Field(default=None, max_length=50_000)
    category: Category | None = None
    severity: Severity | None = None
    tlp: TLP | None = None
    pap: PAP | None = None
    scope: ScopeIn | None = None
    anonymous: bool | None = None
    affected_organisation: uuid.UUID | None = None
    first_seen: AwareDatetime | None = None
    care_impact: CareImpact | None = None
    origin: Origin | None = None
    attack_steps: list[AttackStep] | None = Field(default=None, max_length=1000)
    indicators: list[IndicatorIn] | None = Field(default=None, max_length=MAX_INDICATORS)
    countermeasures: list[Countermeasure] | None = Field(default=None, max_length=1000)
    note: str | None = Field(default=None, max_length=5000, description="what changed, for peers")


class Reason(Strict):
    reason: str = Field(min_length=1, max_length=5000)


class Note(Strict):
    note: str | None = Field(default=None, max_length=5000)


class OrgRef(BaseModel):
    id: uuid.UUID
    name: str
    kind: str


class IndicatorOut(BaseModel):
    id: uuid.UUID
    type: IndicatorType
    value: str
    comment: str | None
    first_seen: datetime | None
    valid_until: datetime | None
    context: bool = False


class ScopeOut(BaseModel):
    kind: ScopeKind
    area_id: uuid.UUID | None
    organisations: list[uuid.UUID]


class AlertOut(BaseModel):
    id: uuid.UUID
    status: Status
    revision: int
    title: str
    summary: str
    category: Category
    severity: Severity
    tlp: TLP
    tlp_label: str
    handling: str = Field(description="what recipients may do with it, from the TLP")
    pap: PAP
    scope: ScopeOut
    anonymous: bool
    source: OrgRef | None = Field(description="absent when the source is anonymous to you")
    affected: OrgRef | None = Field(
        description="the establishment the incident hit; absent when none is named or it is "
        "anonymous to you"
    )
    first_seen: datetime | None
    care_impact: CareImpact
    origin: Origin
    attack_steps: list[AttackStep]
    indicators: list[IndicatorOut]
    countermeasures: list[Countermeasure]
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    closed_at: datetime | None
    retracted_at: datetime | None
    retract_reason: str | None
    exercise: bool = Field(
        default=False, description="a rehearsal: act on it as practice, block nothing"
    )


class AlertSummary(BaseModel):
    id: uuid.UUID
    status: Status
    revision: int
    title: str
    category: Category
    severity: Severity
    tlp: TLP
    anonymous: bool
    source: OrgRef | None
    affected: OrgRef | None
    indicator_count: int
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    exercise: bool = False


class RevisionOut(BaseModel):
    number: int
    action: str
    created_at: datetime
    author: OrgRef | None
    note: str | None
    document: dict[str, Any]


class IndicatorHit(BaseModel):
    indicator: IndicatorOut
    alert: AlertSummary
