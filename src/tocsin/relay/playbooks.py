"""First-response playbooks, as data: which declarations get a checklist, and its items."""

from __future__ import annotations

from dataclasses import dataclass

from tocsin.alerts.vocab import Category


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    text: str


FIRST_RESPONSE = (
    ChecklistItem(
        "isolate", "Isolate the affected systems from the network without powering them off"
    ),
    ChecklistItem("crisis_cell", "Open the crisis cell and switch care to the degraded mode"),
    ChecklistItem("do_not_pay", "Do not pay any ransom and do not contact the attackers"),
    ChecklistItem("preserve_evidence", "Preserve logs and take disk and memory images"),
    ChecklistItem("declare", "Declare the incident (this declaration, then the regulators)"),
    ChecklistItem("complaint", "File a police complaint before reinstalling anything"),
    ChecklistItem("backups", "Check the backups and isolate them from the network"),
    ChecklistItem("hunt", "Hunt for the indicators shared by peers on tocsin"),
)

PLAYBOOKS: dict[Category, tuple[ChecklistItem, ...]] = {
    Category.ransomware: FIRST_RESPONSE,
    Category.intrusion: FIRST_RESPONSE,
}


def checklist_for(kind: Category | None) -> tuple[ChecklistItem, ...]:
    """The checklist of a declaration of this kind (empty when none applies)."""
    return PLAYBOOKS.get(kind, ()) if kind is not None else ()


def item(kind: Category | None, key: str) -> ChecklistItem | None:
    return next((i for i in checklist_for(kind) if i.key == key), None)
