"""Which obligations a declaration triggers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tocsin.alerts.vocab import Category
from tocsin.relay.obligations import obligations
from tocsin.relay.vocab import Nature

DECLARED = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("personal", "nis2", "nature", "kind", "codes"),
    [
        (False, "none", Nature.accidental, Category.outage, ["ars"]),
        (True, "none", Nature.accidental, Category.outage, ["ars", "cnil"]),
        (False, "essential", Nature.accidental, None, ["ars", "anssi"]),
        (False, "important", Nature.accidental, None, ["ars", "anssi"]),
        (False, "none", Nature.malicious, Category.phishing, ["ars", "complaint"]),
        (False, "none", Nature.unknown, Category.ransomware, ["ars", "complaint"]),
        (False, "none", Nature.unknown, Category.outage, ["ars"]),
        (
            True,
            "essential",
            Nature.malicious,
            Category.intrusion,
            ["ars", "cnil", "anssi", "complaint"],
        ),
    ],
)
def test_obligations_triggered(
    personal: bool, nis2: str, nature: Nature, kind: Category | None, codes: list[str]
) -> None:
    found = obligations(
        personal_data=personal,
        nis2=nis2,
        nature=nature,
        kind=kind,
        aware_at=DECLARED,
    )
    assert [o.code for o in found] == codes


def test_cnil_and_anssi_deadlines_count_from_awareness() -> None:
    aware = DECLARED - timedelta(hours=10)
    found = obligations(
        personal_data=True, nis2="important", nature=Nature.accidental, kind=None, aware_at=aware
    )
    due = {o.code: o.due_at for o in found}
    assert due["cnil"] == aware + timedelta(hours=72)
    assert due["anssi"] == aware + timedelta(hours=24)
