"""Revisions said as plain sentences, once per field, in the reader's words."""

from __future__ import annotations

from tocsin.web.timeline import sentences
from tocsin.web.views import Change, changes


def _same(text: str) -> str:
    return text


def test_a_severity_raise_and_indicators_read_as_sentences() -> None:
    found = [Change("severity", "high", "critical"), Change("indicators", None, "ipv4 192.0.2.1"),
             Change("indicators", "domain a.example", None)]  # fmt: skip
    assert sentences(found, _same) == [
        "Severity raised from high to critical.",
        "Indicator added: ipv4 192.0.2.1",
        "Indicator withdrawn: domain a.example",
    ]


def test_a_list_of_parts_makes_one_sentence_and_bookkeeping_none() -> None:
    before = {
        "status": "published",
        "summary": "a",
        "care_impact": {"services": ["imaging"]},
        "countermeasures": [{"action": "x"}, {"action": "y"}],
        "tlp": "amber",
    }
    after = {"status": "updated", "summary": "b", "care_impact": {"services": ["surgery"]},
             "countermeasures": [{"action": "z"}, {"action": "w"}], "tlp": "red"}  # fmt: skip
    assert sentences(changes(before, after), _same) == [
        "Impact on care changed.",
        "Countermeasures and rules changed.",
        "Summary rewritten.",
        "TLP changed from TLP:AMBER to TLP:RED.",
    ]


def test_vocabulary_words_are_translated() -> None:
    french = {"Severity raised from %(before)s to %(after)s.": "Gravité relevée de %(before)s à "
              "%(after)s.", "high": "élevée", "critical": "critique"}  # fmt: skip
    said = sentences([Change("severity", "high", "critical")], lambda t: french.get(t, t))
    assert said == ["Gravité relevée de élevée à critique."]
