"""Times on the declaration form are typed and shown on the hub's clock, stored in UTC."""

from __future__ import annotations

from tocsin.web.declaration_form import local_of, steps_of, utc_of


def test_a_time_typed_on_the_hubs_clock_is_stored_in_utc_and_shown_back_as_typed() -> None:
    assert utc_of("2026-11-23T07:30", "Europe/Paris") == "2026-11-23T06:30:00Z"
    assert utc_of("2026-06-23 07:30", "Europe/Paris") == "2026-06-23T05:30:00Z"
    assert local_of("2026-11-23T06:30:00Z", "Europe/Paris") == "2026-11-23 07:30"
    [step] = steps_of("2026-11-23 07:30 T1566 Phishing opened", "Europe/Paris")
    assert step["at"] == "2026-11-23T06:30:00Z" and step["technique"] == "T1566"
