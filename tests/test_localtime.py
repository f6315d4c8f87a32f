"""Times as people read them: the hub's zone, the reader's language, never bare UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from tocsin.localtime import duration_text, local, moment_text
from tocsin.settings import Settings

WINTER = datetime(2026, 1, 31, 23, 30, tzinfo=UTC)  # already 1 February in Paris
SUMMER = datetime(2026, 7, 14, 8, 0, tzinfo=UTC)


def test_a_moment_shows_on_the_paris_clock_with_the_season_s_offset() -> None:
    assert moment_text(WINTER, zone_name="Europe/Paris", language="fr") == "1 févr. 2026 00:30"
    assert moment_text(SUMMER, zone_name="Europe/Paris", language="en") == "14 Jul 2026 10:00"
    assert moment_text(SUMMER, zone_name="Europe/Paris", language="fr", with_zone=True).endswith(
        "+0200"
    )
    assert local(WINTER, "America/Cayenne").hour == 20  # an overseas hub keeps its own clock


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        local(datetime(2026, 1, 1, 8, 0), "Europe/Paris")


def test_countdowns_read_in_words() -> None:
    assert duration_text(timedelta(minutes=35, seconds=59), "fr") == "35 min"
    assert duration_text(timedelta(hours=2, minutes=5), "en") == "2 h 05 min"
    assert duration_text(timedelta(days=3, hours=4, minutes=1), "fr") == "3 j 4 h"
    assert duration_text(timedelta(days=3, hours=4), "en") == "3 d 4 h"
    assert duration_text(timedelta(minutes=-5), "fr") == "0 min"


def test_an_unknown_time_zone_is_refused_by_name() -> None:
    with pytest.raises(ValidationError, match="Mars/Olympus"):
        Settings(time_zone="Mars/Olympus")
