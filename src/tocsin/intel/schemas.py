"""API shapes of shared knowledge."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field

from tocsin.alerts.schemas import AlertSummary, IndicatorOut, OrgRef
from tocsin.indicators.types import IndicatorType
from tocsin.intel.correlate import How


class IndicatorMatch(BaseModel):
    indicator: IndicatorOut = Field(description="the indicator of the alert asked about")
    other_indicator: IndicatorOut = Field(description="the indicator of the related alert")
    how: How
    since: datetime = Field(description="when the later of the two indicators appeared")


class RelatedAlert(BaseModel):
    alert: AlertSummary
    matches: list[IndicatorMatch]
    since: datetime = Field(description="when the two alerts first shared an indicator")


class RelatedOut(BaseModel):
    alert_id: uuid.UUID
    campaign_id: uuid.UUID | None
    related: list[RelatedAlert]


class SightingBody(BaseModel):
    """What `tocsin sweep --report` sends, or an analyst by hand."""

    indicator_id: uuid.UUID
    count: int = Field(gt=0, le=10**9)
    first_seen: AwareDatetime
    last_seen: AwareDatetime
    anonymous: bool = False
    source: Literal["sweep", "manual"] = "manual"
    false_positive: bool = False


class SightingOut(BaseModel):
    id: uuid.UUID
    indicator_id: uuid.UUID
    count: int
    first_seen: datetime
    last_seen: datetime
    anonymous: bool
    source: str
    false_positive: bool
    created_at: datetime


class SightingsOut(BaseModel):
    """Sightings of one indicator across the network."""

    indicator_id: uuid.UUID
    organisations: int = Field(description="how many organisations saw it")
    sightings: int
    total_count: int
    first_seen: datetime | None
    last_seen: datetime | None
    false_positives: int
    confidence: int = Field(description="0-100; lowered by false-positive reports")
    reported_by: list[OrgRef] = Field(description="organisations that did not ask anonymity")
    warninglists: list[str] = Field(description="benign-value lists the indicator is on")
    confirmed: bool = Field(description="an analyst vouched for it despite the warninglists")


class SweepIndicator(BaseModel):
    id: uuid.UUID
    alert_id: uuid.UUID
    type: IndicatorType
    value: str
    valid_until: datetime | None
    first_seen: datetime | None
    excluded_by: list[str] = Field(
        default_factory=list,
        description="warninglists holding it back until an analyst confirms it (listed only "
        "with include_excluded=true); empty: swept",
    )


class FlagOut(BaseModel):
    indicator_id: uuid.UUID
    warninglists: list[str]
    confirmed_at: datetime | None


class CampaignBody(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    alert_ids: list[uuid.UUID] = Field(min_length=1, max_length=1000)


class CampaignName(BaseModel):
    name: str = Field(min_length=1, max_length=200)


class CampaignMerge(BaseModel):
    other_id: uuid.UUID


class CampaignSplit(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    alert_ids: list[uuid.UUID] = Field(min_length=1, max_length=1000)


class TimelineEvent(BaseModel):
    at: datetime
    alert_id: uuid.UUID
    what: str


class CampaignOut(BaseModel):
    id: uuid.UUID
    name: str | None
    suggested: bool
    created_at: datetime
    updated_at: datetime
    alerts: list[AlertSummary]
    organisations: list[OrgRef] = Field(description="affected organisations you may know of")
    timeline: list[TimelineEvent]
    indicators: list[IndicatorOut] = Field(description="combined, one per distinct value")
