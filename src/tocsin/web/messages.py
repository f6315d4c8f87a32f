"""Messages the templates translate from values (enums, handling notes), for the catalogues.

Templates call `_(value)` on these; the catalogue test checks both languages hold them all.
"""

from __future__ import annotations

from tocsin.alerts.present import HANDLING
from tocsin.alerts.vocab import CareService, Category, RevisionAction, Severity, Status
from tocsin.network.models import Role
from tocsin.sharing.rules import ScopeKind


def dynamic_messages() -> set[str]:
    values: set[str] = set(HANDLING.values())
    for vocabulary in (CareService, Category, RevisionAction, Severity, Status, ScopeKind, Role):
        values |= {member.value for member in vocabulary}
    return values
