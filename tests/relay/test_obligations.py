"""Which obligations a declaration triggers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tocsin.alerts.vocab import Category
from tocsin.relay.obligations import obligations
from tocsin.relay.vocab import Nature

DECLARED = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("personal", "operator", "nature", "kind", "codes"),
    [
        (False, False, Nature.accidental, Category.outage, ["ars"]),
        (True, False, Nature.accidental, Category.outage, ["ars", "cnil"]),
        (False, True, Nature.accidental, None, ["ars", "anssi"]),
        (False, False, Nature.malicious, Category.phishing, ["ars", "complaint"]),
        (False, False, Nature.unknown, Category.ransomware, ["ars", "complaint"]),
        (False, False, Nature.unknown, Category.outage, ["ars"]),
        (True, True, Nature.malicious, Category.intrusion, ["ars", "cnil", "anssi", "complaint"]),
    ],
)
def test_obligations_triggered(
    personal: bool, operator: bool, nature: Nature, kind: Category | None, codes: list[str]
) -> None:
    found = obligations(
        personal_data=personal,
        essential_services_operator=operator,
        nature=nature,
        kind=kind,
        discovered_at=None,
        declared_at=DECLARED,
    )
    assert [o.code for o in found] == codes


def test_cnil_deadline_counts_from_discovery() -> None:
    discovered = DECLARED - timedelta(hours=10)
    found = obligations(
        personal_data=True,
        essential_services_operator=False,
        nature=Nature.accidental,
        kind=None,
        discovered_at=discovered,
        declared_at=DECLARED,
    )
    cnil = next(o for o in found if o.code == "cnil")
    assert cnil.due_at == discovered + timedelta(hours=72)
