"""An alert's revisions as a reader follows them: one plain sentence per change. Pure.

A reader in a crisis wants "Severity raised from high to critical", not a table of dotted
paths; `views.changes` finds what differs, this module says it in the reader's language.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tocsin.web.views import Change

Gettext = Callable[[str], str]

# Top-level fields a reader knows by name; their values are words of the vocabulary.
NAMED = {
    "title": "Title",
    "severity": "Severity",
    "tlp": "TLP",
    "pap": "PAP",
    "category": "Category",
    "first_seen": "First seen",
    "scope": "Scope",
    "anonymous": "Anonymity",
}
VOCABULARY = frozenset({"severity", "category", "scope"})
# Fields whose text is too long for a sentence: the sentence says they were rewritten.
PROSE = {"summary": "Summary", "handling": "Handling"}
# Fields made of parts: the sentence says the part changed, the page shows the new state.
PARTS = {
    "care_impact": "Impact on care",
    "origin": "Origin of the attack",
    "attack_steps": "Attack timeline",
    "countermeasures": "Countermeasures and rules",
    "affected_organisation": "Establishment hit",
    "scope": "Scope",
}
ACTIONS = {
    "publish": "Published",
    "update": "Updated",
    "close": "Closed",
    "retract": "Retracted",
    "create": "Created",
}
SEVERITY_ORDER = ["info", "low", "medium", "high", "critical"]
_ROOT = re.compile(r"^[a-z_]+")


@dataclass(frozen=True)
class Entry:
    """One revision on the timeline: when, what was done, by whom, and what changed."""

    number: int
    at: datetime
    action: str
    author: str | None
    note: str | None
    sentences: list[str]


def _root(path: str) -> str:
    match = _ROOT.match(path)
    return match.group(0) if match else path


def _word(field: str, value: Any, _: Gettext) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if field == "tlp":
        return f"TLP:{str(value).upper()}"
    return _(str(value)) if field in VOCABULARY else str(value)


def _named(change: Change, field: str, _: Gettext) -> str:
    before, after = _word(field, change.before, _), _word(field, change.after, _)
    if field == "severity" and change.before in SEVERITY_ORDER and change.after in SEVERITY_ORDER:
        raised = SEVERITY_ORDER.index(change.after) > SEVERITY_ORDER.index(change.before)
        pattern = "Severity raised from %(before)s to %(after)s." if raised else (
            "Severity lowered from %(before)s to %(after)s.")  # fmt: skip
        return _(pattern) % {"before": before, "after": after}
    return _("%(field)s changed from %(before)s to %(after)s.") % {
        "field": _(NAMED[field]), "before": before, "after": after}  # fmt: skip


def sentences(changes: Sequence[Change], _: Gettext) -> list[str]:
    """What changed, said once per field (a list's many paths make one sentence)."""
    said: list[str] = []
    for change in changes:
        field = _root(change.path)
        if field == "indicators":
            pattern = "Indicator added: %(value)s" if change.after else (
                "Indicator withdrawn: %(value)s")  # fmt: skip
            text = _(pattern) % {"value": change.after or change.before}
        elif field in NAMED and change.path in (field, f"{field}.kind"):
            text = _named(Change(field, change.before, change.after), field, _)
        elif field in PROSE:
            text = _("%(field)s rewritten.") % {"field": _(PROSE[field])}
        elif field in PARTS:
            text = _("%(field)s changed.") % {"field": _(PARTS[field])}
        else:
            continue  # lifecycle bookkeeping (status, times) is said by the action
        if text not in said:
            said.append(text)
    return said


def entries(revisions: Sequence[tuple[Any, list[Change]]], _: Gettext) -> list[Entry]:
    """The timeline, newest first, from (RevisionOut, its changes) pairs oldest first."""
    found = []
    for revision, changes in revisions:
        author = revision.author.name if revision.author else None
        found.append(Entry(number=revision.number, at=revision.created_at,
                           action=_(ACTIONS.get(revision.action, revision.action)),
                           author=author, note=revision.note,
                           sentences=sentences(changes, _)))  # fmt: skip
    return list(reversed(found))
