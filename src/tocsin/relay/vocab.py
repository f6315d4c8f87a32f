"""Closed vocabularies of a declaration, from the regulatory form of security incidents."""

from __future__ import annotations

import enum


class RegulatoryCategory(enum.IntEnum):
    """The five categories of the form (arrêté of 30 October 2017); 4 and 5 are significant."""

    care_safety = 1
    health_data = 2
    normal_operation = 3
    care_organisation = 4
    other_establishments = 5

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]

    @property
    def significant(self) -> bool:
        return self >= RegulatoryCategory.care_organisation


CATEGORY_LABELS = {
    RegulatoryCategory.care_safety: "Safety of care (conséquences potentielles ou avérées)",
    RegulatoryCategory.health_data: "Confidentiality or integrity of health data",
    RegulatoryCategory.normal_operation: "Normal operation of the structure",
    RegulatoryCategory.care_organisation: "Regional or national organisation of care",
    RegulatoryCategory.other_establishments: "Possible impact on other establishments",
}


class Nature(enum.StrEnum):
    malicious = "malicious"
    accidental = "accidental"
    unknown = "unknown"


class HandlingStatus(enum.StrEnum):
    ongoing = "ongoing"
    contained = "contained"
    resolved = "resolved"


class DeclarationStatus(enum.StrEnum):
    """open: waiting for a relay; qualified: a relay published it; auto_published: the
    deadline passed and the shareable part went out; closed: the incident is over."""

    open = "open"
    qualified = "qualified"
    auto_published = "auto_published"
    closed = "closed"


class SharePart(enum.StrEnum):
    """Parts of a declaration the declarant allows to be published at the relay deadline."""

    indicators = "indicators"
    malware_family = "malware_family"
    initial_access = "initial_access"
    countermeasures = "countermeasures"
    attack_steps = "attack_steps"
    care_impact = "care_impact"
    summary = "summary"  # the declarant's own description of what happened


DEFAULT_SHARE_PARTS = (
    SharePart.summary,
    SharePart.indicators,
    SharePart.malware_family,
    SharePart.initial_access,
    SharePart.countermeasures,
)


class HistoryAction(enum.StrEnum):
    create = "create"
    edit = "edit"
    qualify = "qualify"
    auto_publish = "auto_publish"
    auto_publish_failed = "auto_publish_failed"
    apply_revision = "apply_revision"
    close = "close"


class LogKind(enum.StrEnum):
    note = "note"
    checklist = "checklist"
    event = "event"


class ProposalStatus(enum.StrEnum):
    pending = "pending"
    applied = "applied"
