"""Closed vocabularies of an alert."""

from __future__ import annotations

import enum


class Category(enum.StrEnum):
    ransomware = "ransomware"
    phishing = "phishing"
    intrusion = "intrusion"
    data_leak = "data_leak"
    ddos = "ddos"
    vulnerability = "vulnerability"
    supply_chain = "supply_chain"
    outage = "outage"
    other = "other"


class Severity(enum.StrEnum):
    info = "info"
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"

    @property
    def rank(self) -> int:
        return list(Severity).index(self)


class CareService(enum.StrEnum):
    emergency = "emergency"
    surgery = "surgery"
    imaging = "imaging"
    laboratory = "laboratory"
    pharmacy = "pharmacy"
    radiotherapy = "radiotherapy"
    admissions = "admissions"
    other = "other"


class RuleKind(enum.StrEnum):
    yara = "yara"
    sigma = "sigma"
    snort = "snort"
    suricata = "suricata"
    other = "other"


class Status(enum.StrEnum):
    draft = "draft"
    published = "published"
    updated = "updated"
    closed = "closed"
    retracted = "retracted"

    @property
    def is_live(self) -> bool:
        return self in (Status.published, Status.updated)


class RevisionAction(enum.StrEnum):
    publish = "publish"
    update = "update"
    close = "close"
    retract = "retract"
