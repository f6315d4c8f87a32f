"""SMS texts: short, in the reader's language, nothing of a RED alert, the link never cut."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tocsin.sms.phone import e164
from tocsin.sms.text import AlertText, alert_sms, capacity, silence_sms, units

LINK = "https://tocsin.ars-normandie.example/alerts/7f0c6a4e-2d1b-4c3a-9e8f-0a1b2c3d4e5f"


def _alert(**changes: object) -> AlertText:
    values: dict[str, object] = {
        "language": "fr", "severity": "critical", "tlp": "amber",
        "title": "Rançongiciel via le VPN d'un prestataire", "link": LINK,
        "affected": "CHU de Rouvray",
    }  # fmt: skip
    values.update(changes)
    return AlertText(**values)  # type: ignore[arg-type]


def test_an_alert_says_severity_tlp_the_hospital_hit_and_links_in_french() -> None:
    text = alert_sms(_alert(), max_parts=3)
    assert text == (
        "tocsin · CRITIQUE · TLP:AMBER · CHU de Rouvray · "
        f"Rançongiciel via le VPN d'un prestataire {LINK}"
    )
    english = alert_sms(_alert(language="en", affected=None), max_parts=3)
    assert english.startswith("tocsin · CRITICAL · TLP:AMBER · Rançongiciel")


def test_a_red_alert_says_nothing_but_open_tocsin() -> None:
    text = alert_sms(_alert(tlp="red"), max_parts=3)
    assert text == f"tocsin : alerte TLP:RED pour vous, ouvrez tocsin : {LINK}"
    assert "Rouvray" not in text and "VPN" not in text


def test_a_long_title_gives_way_at_a_word_boundary_and_the_link_stays_whole() -> None:
    long_title = "Chiffrement des serveurs d'imagerie médicale " * 10
    text = alert_sms(_alert(title=long_title), max_parts=3)
    assert units(text) <= capacity(3) and text.endswith(f"… {LINK}")
    assert text.split(" · ")[-1].split("…")[0].endswith(("médicale", "d'imagerie", "serveurs",
                                                          "des", "Chiffrement"))  # fmt: skip
    tight = alert_sms(_alert(title=long_title), max_parts=2)
    assert tight == f"tocsin · CRITIQUE · TLP:AMBER · CHU de Rouvray {LINK}"  # no half word


def test_an_exercise_says_so_first() -> None:
    assert alert_sms(_alert(exercise=True), 3).startswith("EXERCICE · tocsin · CRITIQUE")
    assert alert_sms(_alert(exercise=True, tlp="red", language="en"), 3).startswith(
        "EXERCISE · tocsin: TLP:RED"
    )


def test_silence_is_told_in_one_message() -> None:
    text = silence_sms(language="fr", organisation="CH de Bellefontaine", severity="critical",
                       link=LINK, max_parts=1)  # fmt: skip
    assert text.endswith(LINK) and units(text) <= 70 + units(LINK)


@settings(max_examples=300, deadline=None)
@given(
    title=st.text(min_size=1, max_size=400),
    affected=st.one_of(st.none(), st.text(min_size=1, max_size=60)),
    parts=st.integers(1, 5),
    language=st.sampled_from(["fr", "en"]),
)
def test_any_alert_fits_its_parts_and_ends_with_the_whole_link(
    title: str, affected: str | None, parts: int, language: str
) -> None:
    text = alert_sms(_alert(title=title, affected=affected, language=language), parts)
    assert text.endswith(f" {LINK}")
    fixed = units(text) - units(LINK)
    if affected is None or units(affected) < 20:
        assert units(text) <= max(capacity(parts), fixed + units(LINK))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("+33 6 12 34 56 78", "+33612345678"), ("+590690123456", "+590690123456")],
)
def test_numbers_are_kept_in_e164(raw: str, expected: str) -> None:
    assert e164(raw) == expected


@pytest.mark.parametrize("raw", ["0612345678", "+33 1", "+999 123", "tel:+33612345678", ""])
def test_a_number_that_is_not_e164_is_refused_with_the_reason(raw: str) -> None:
    with pytest.raises(ValueError, match=r"E\.164|not a|valid"):
        e164(raw)
