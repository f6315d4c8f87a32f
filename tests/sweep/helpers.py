"""Helpers for the sweep tests: build indicator sets and scan text as a file would be."""

from __future__ import annotations

from pathlib import Path

from tocsin.sweep.formats import build_reader, detect_format
from tocsin.sweep.loading import load_text
from tocsin.sweep.matcher import IndicatorSet
from tocsin.sweep.scan import Scanner, Tally


def indicator_set(*values: str) -> IndicatorSet:
    """Load bare values the way `--indicators FILE` does."""
    loaded = load_text("\n".join(values))
    assert not loaded.rejected, loaded.rejected
    return loaded.indicators


def scan_text(text: str, *values: str, fmt: str = "auto") -> Tally:
    """Detect the format of text (unless given) and scan it as one block."""
    head = text.splitlines()[:50]
    reader = build_reader(detect_format(head) if fmt == "auto" else fmt, head)
    return Scanner(indicator_set(*values)).scan(reader, text.encode(), "sample")


def counts(tally: Tally) -> dict[str, int]:
    """The count per matched value."""
    return {value: sighting.count for (_, value), sighting in tally.sightings.items()}


def write(tmp: Path, name: str, text: str) -> str:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return str(path)
