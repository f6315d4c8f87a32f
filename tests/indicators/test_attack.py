"""ATT&CK technique ids and their pages."""

from __future__ import annotations

import pytest

from tocsin.indicators.attack import technique_url, validate_technique
from tocsin.indicators.types import IndicatorError


@pytest.mark.parametrize(("raw", "canonical"), [("T1566", "T1566"), (" t1566.001 ", "T1566.001")])
def test_validate_technique(raw: str, canonical: str) -> None:
    assert validate_technique(raw) == canonical


@pytest.mark.parametrize("raw", ["T156", "T15660", "T1566.01", "1566", "TA0001", "T1566.001.1"])
def test_invalid_technique(raw: str) -> None:
    with pytest.raises(IndicatorError, match="ATT&CK technique"):
        validate_technique(raw)


def test_technique_url() -> None:
    assert technique_url("T1234") == "https://attack.mitre.org/techniques/T1234/"
    assert technique_url("t1234.001") == "https://attack.mitre.org/techniques/T1234/001/"
