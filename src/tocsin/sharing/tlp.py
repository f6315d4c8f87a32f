"""Traffic Light Protocol 2.0 and Permissible Actions Protocol markings, pure."""

from __future__ import annotations

import enum


class TLP(enum.StrEnum):
    clear = "clear"
    green = "green"
    amber = "amber"
    amber_strict = "amber+strict"
    red = "red"

    @property
    def label(self) -> str:
        return f"TLP:{self.value.upper()}"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @property
    def leaves_organisation(self) -> bool:
        """May recipients pass it on beyond their own organisation?"""
        return self in (TLP.clear, TLP.green, TLP.amber)

    @property
    def in_resharing_feeds(self) -> bool:
        """May it appear in exports and feeds meant for re-sharing (TAXII, MISP, blocklists)?"""
        return self in (TLP.clear, TLP.green, TLP.amber)

    @property
    def in_email_body(self) -> bool:
        """RED content never travels in an e-mail body: a link is sent instead."""
        return self is not TLP.red


_RANK = {TLP.clear: 0, TLP.green: 1, TLP.amber: 2, TLP.amber_strict: 3, TLP.red: 4}

# Colours of the FIRST TLP 2.0 standard (text on black background).
TLP_COLOURS = {
    TLP.clear: "#FFFFFF",
    TLP.green: "#33FF00",
    TLP.amber: "#FFC000",
    TLP.amber_strict: "#FFC000",
    TLP.red: "#FF2B2B",
}


class PAP(enum.StrEnum):
    """What recipients may do with the indicators (MISP PAP taxonomy)."""

    clear = "clear"
    green = "green"
    amber = "amber"
    red = "red"
