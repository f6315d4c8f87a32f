"""The legal clocks: which steps apply and when each is due (pure, every regime)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tocsin.obligations.clocks import (
    Facts,
    Status,
    add_months,
    clocks,
    is_late,
    reminder_moments,
    reminders_due,
    status_of,
)
from tocsin.obligations.regimes import DEFAULT_RULES, Reminders, rules_from_json

AWARE = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)
H = timedelta(hours=1)
NIS2_STEPS = {
    "nis2.early_warning": AWARE + 24 * H,
    "nis2.notification": AWARE + 72 * H,
    "nis2.intermediate_report": None,  # on request
    "nis2.final_report": None,  # counts from the notification's submission
    "nis2.recipients_notice": None,  # without undue delay
}
CNIL_STEPS = {"cnil.notification": AWARE + 72 * H}
ARS_STEPS = {"ars.declaration": AWARE + 24 * H}


def _facts(nis2: str, personal: bool, *, csp: bool = True, high_risk: bool = False) -> Facts:
    return Facts(nis2=nis2, csp_health=csp, personal_data=personal, high_risk=high_risk,
                 aware_at=AWARE)  # fmt: skip


@pytest.mark.parametrize("nis2", ["essential", "important", "none"])
@pytest.mark.parametrize("personal", [True, False])
def test_each_regime_and_step_with_its_due_time(nis2: str, personal: bool) -> None:
    expected = dict(NIS2_STEPS) if nis2 != "none" else {}
    if personal:
        expected |= CNIL_STEPS
    expected |= ARS_STEPS
    found = {c.rule.key: c.due_at for c in clocks(_facts(nis2, personal))}
    assert found == expected


def test_no_ars_declaration_outside_the_public_health_code() -> None:
    keys = [c.rule.key for c in clocks(_facts("important", False, csp=False))]
    assert "ars.declaration" not in keys and "nis2.early_warning" in keys


def test_people_are_told_only_when_the_risk_is_high() -> None:
    low = [c.rule.key for c in clocks(_facts("none", True))]
    high = [c.rule.key for c in clocks(_facts("none", True, high_risk=True))]
    assert "cnil.data_subjects" not in low
    assert "cnil.data_subjects" in high


@pytest.mark.parametrize(
    ("notified", "final"),
    [
        (datetime(2026, 1, 31, 9, tzinfo=UTC), datetime(2026, 2, 28, 9, tzinfo=UTC)),
        (datetime(2028, 1, 31, 9, tzinfo=UTC), datetime(2028, 2, 29, 9, tzinfo=UTC)),  # leap
        (datetime(2026, 3, 31, 9, tzinfo=UTC), datetime(2026, 4, 30, 9, tzinfo=UTC)),
        (datetime(2026, 12, 15, 23, tzinfo=UTC), datetime(2027, 1, 15, 23, tzinfo=UTC)),
    ],
)
def test_final_report_one_calendar_month_after_the_notification(
    notified: datetime, final: datetime
) -> None:
    for nis2 in ("essential", "important"):
        found = {
            c.rule.key: c
            for c in clocks(_facts(nis2, False), submitted={"nis2.notification": notified})
        }
        assert found["nis2.final_report"].starts_at == notified
        assert found["nis2.final_report"].due_at == final
    assert add_months(notified, 1) == final


def test_status_at_each_moment() -> None:
    rules = {r.key: r for r in DEFAULT_RULES}
    warning, due = rules["nis2.early_warning"], AWARE + 24 * H

    def status(**kw: object) -> Status:
        base = {"due_at": due, "submitted_at": None, "applicable": True, "now": AWARE}
        return status_of(warning, **(base | kw))  # type: ignore[arg-type]

    assert status() is Status.running
    assert status(now=due + H) is Status.overdue
    assert status(submitted_at=due - H) is Status.submitted
    assert status(submitted_at=due + H) is Status.late
    assert status(applicable=False) is Status.not_applicable
    assert status_of(rules["nis2.final_report"], due_at=None, submitted_at=None,
                     applicable=True, now=AWARE) is Status.waiting  # fmt: skip
    assert status_of(rules["nis2.intermediate_report"], due_at=None, submitted_at=None,
                     applicable=True, now=AWARE) is Status.on_request  # fmt: skip
    assert is_late(due, due) is False and is_late(due, due + timedelta(seconds=1))


def test_reminders_at_half_time_one_hour_before_then_overdue() -> None:
    due = AWARE + 24 * H
    moments = reminder_moments(AWARE, due, Reminders())
    assert moments == [("at:0.5", AWARE + 12 * H), ("before:60m", due - H), ("overdue", due)]
    assert reminders_due(AWARE, due, Reminders(), [], AWARE + 11 * H) == []
    assert reminders_due(AWARE, due, Reminders(), [], AWARE + 23 * H) == ["at:0.5", "before:60m"]
    assert reminders_due(AWARE, due, Reminders(), ["at:0.5"], due) == ["before:60m", "overdue"]


def test_reminders_are_configurable_and_never_before_the_start() -> None:
    due = AWARE + 2 * H
    moments = reminder_moments(AWARE, due, Reminders(fractions=(0.25,), minutes_before=(180,)))
    assert moments == [("at:0.25", AWARE + 30 * timedelta(minutes=1)), ("overdue", due)]


def test_the_table_can_be_replaced_by_configuration() -> None:
    rules = rules_from_json([
        {"regime": "nis2", "step": "early_warning", "authority": "ANSSI", "source": "décret",
         "nis2": ["essential"], "hours": 12},
    ])  # fmt: skip
    found = clocks(_facts("essential", False), rules=rules)
    assert [(c.rule.key, c.due_at) for c in found] == [("nis2.early_warning", AWARE + 12 * H)]
    assert clocks(_facts("important", False), rules=rules) == []
    with pytest.raises(ValueError, match="rule 0"):
        rules_from_json([{"regime": "nis2", "stage": "x"}])
