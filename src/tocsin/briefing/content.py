"""The documents of an alert as data: what the sheet, the staff notice and the director's
brief say to one reader. Pure: the alert as that reader may see it in, words out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from tocsin.alerts.schemas import AlertOut
from tocsin.alerts.vocab import Category, Severity
from tocsin.briefing import advice
from tocsin.briefing.words import label
from tocsin.indicators.normalize import defang
from tocsin.indicators.types import IndicatorError, IndicatorType
from tocsin.localtime import moment_text
from tocsin.marking import shown_title

MAX_NAMED = 8  # senders or files named in a notice: more would not be read


@dataclass(frozen=True)
class Caller:
    """One person to call, from the reader's on-call list."""

    name: str
    role: str
    phone: str
    hours: str


@dataclass(frozen=True)
class Facts:
    """What every document states first, in the reader's words and clock."""

    language: str
    title: str
    tlp: str  # "TLP:AMBER"
    handling: str
    severity: str
    category: str
    affected: str | None
    publisher: str | None
    first_seen: str | None
    published: str | None


@dataclass(frozen=True)
class StaffNotice:
    facts: Facts
    situation: str
    do: list[str]
    dont: list[str]
    measures: list[str]
    callers: list[Caller]


@dataclass(frozen=True)
class DirectorBrief:
    facts: Facts
    summary: str
    care: list[str]
    decisions: list[str]
    measures: list[str] = field(default_factory=list)


def _lang(language: str) -> str:
    return "fr" if language == "fr" else "en"


def facts_of(alert: AlertOut, *, language: str, zone_name: str) -> Facts:
    lang = _lang(language)

    def when(moment: datetime | None) -> str | None:
        if moment is None:
            return None
        return moment_text(moment, zone_name=zone_name, language=lang, with_zone=True)

    return Facts(
        language=lang, title=shown_title(alert.title, exercise=alert.exercise, language=lang),
        tlp=alert.tlp_label, handling=alert.handling,
        severity=label(lang, alert.severity.value), category=label(lang, alert.category.value),
        affected=alert.affected.name if alert.affected else None,
        publisher=alert.source.name if alert.source else None,
        first_seen=when(alert.first_seen), published=when(alert.published_at),
    )  # fmt: skip


def _defanged(kind: IndicatorType, value: str) -> str:
    try:
        return defang(value, kind)
    except IndicatorError:
        return value


def _named(alert: AlertOut, kinds: set[IndicatorType]) -> list[str]:
    found = [_defanged(i.type, i.value) for i in alert.indicators if i.type in kinds]
    return found[:MAX_NAMED]


def _situation(alert: AlertOut, lang: str) -> str:
    what = label(lang, f"situation.{alert.category.value}")
    where = alert.affected.name if alert.affected else label(lang, "situation.someone")
    return what.format(where=where)


def staff_notice(
    alert: AlertOut, *, language: str, zone_name: str, callers: list[Caller]
) -> StaffNotice:
    """What every employee must know, do and not do now (never for a TLP:RED alert: the
    caller refuses it before)."""
    lang = _lang(language)
    category = Category(alert.category)
    dont = list(advice.DONT.get(category, {}).get(lang, []))
    senders = _named(alert, {IndicatorType.EMAIL, IndicatorType.DOMAIN})
    files = _named(alert, {IndicatorType.FILENAME})
    if senders and category in (Category.phishing, Category.ransomware, Category.intrusion):
        dont.append(advice.SENDERS_LINE[lang].format(senders=", ".join(senders)))
    if files:
        dont.append(advice.ATTACHMENTS_LINE[lang].format(files=", ".join(files)))
    return StaffNotice(
        facts=facts_of(alert, language=lang, zone_name=zone_name),
        situation=_situation(alert, lang),
        do=advice.DO.get(category, {}).get(lang, []) + advice.ALWAYS_DO[lang],
        dont=dont, measures=[c.action.splitlines()[0] for c in alert.countermeasures],
        callers=callers,
    )  # fmt: skip


def _care(alert: AlertOut, lang: str) -> list[str]:
    impact = alert.care_impact
    lines = []
    if impact.services:
        services = ", ".join(label(lang, s.value) for s in impact.services)
        lines.append(label(lang, "care.services").format(services=services))
    if impact.degraded_mode:
        lines.append(label(lang, "care.degraded"))
    if impact.patients_transferred:
        lines.append(label(lang, "care.transferred").format(n=impact.patients_transferred))
    if impact.notes:
        lines.append(impact.notes)
    return lines or [label(lang, "care.none")]


def director_brief(alert: AlertOut, *, language: str, zone_name: str) -> DirectorBrief:
    """One page: what happened, the impact on care, the decisions needed."""
    lang = _lang(language)
    decisions = list(advice.DECIDE_ALWAYS[lang])
    if alert.severity in (Severity.critical, Severity.high):
        decisions = advice.DECIDE_CRITICAL[lang] + decisions
    measures = [c.action.splitlines()[0] for c in alert.countermeasures]
    if measures:
        decisions.append(advice.DECIDE_MEASURES[lang])
    return DirectorBrief(
        facts=facts_of(alert, language=lang, zone_name=zone_name),
        summary=alert.summary,
        care=_care(alert, lang), decisions=decisions, measures=measures,
    )  # fmt: skip
