"""The readers by name, and format detection from the first lines of a file."""

from __future__ import annotations

import json
from collections.abc import Mapping

from tocsin.sweep.base import SKIP, Reader
from tocsin.sweep.readers_struct import (
    CsvReader,
    MappedJsonReader,
    SuricataReader,
    ZeekJsonReader,
    ZeekTsvReader,
)
from tocsin.sweep.readers_text import (
    BindReader,
    CombinedReader,
    DnsmasqReader,
    HashListReader,
    SquidReader,
    WindowsDnsReader,
)
from tocsin.sweep.records import Record

FORMATS = (
    "squid",
    "combined",
    "bind",
    "dnsmasq",
    "windns",
    "zeek",
    "suricata",
    "csv",
    "jsonl",
    "hashes",
)
# Tried in this order on text logs; the first with most lines parsed wins.
_TEXT_READERS: tuple[type[Reader], ...] = (
    SquidReader,
    BindReader,
    WindowsDnsReader,
    DnsmasqReader,
    CombinedReader,
    HashListReader,
)


class UnknownFormat(ValueError):
    """The format is not one we read, or could not be detected."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"{detail}; known formats: {', '.join(FORMATS)}")


def build_reader(name: str, head: list[str], mapping: Mapping[str, str] | None = None) -> Reader:
    """Return a reader for the named format, configured from the file's first lines."""
    if name == "zeek":
        first = next((line for line in head if line.strip()), "")
        if first.lstrip().startswith("{"):
            return ZeekJsonReader(mapping)
        return ZeekTsvReader.from_head(head)
    if name == "jsonl":
        return MappedJsonReader(mapping)
    if name == "csv":
        reader = CsvReader.from_head(head)
        assert isinstance(reader, CsvReader)
        return reader.with_mapping(mapping) if mapping else reader
    readers: tuple[type[Reader], ...] = (*_TEXT_READERS, SuricataReader)
    by_name = {cls.name: cls for cls in readers}
    if name not in by_name:
        raise UnknownFormat(f"unknown format {name!r}")
    return by_name[name].from_head(head)


def _json_format(first: str) -> str | None:
    try:
        obj = json.loads(first)
    except ValueError:
        return None
    if not isinstance(obj, dict):
        return None
    if "event_type" in obj:
        return "suricata"
    if "uid" in obj or "id.orig_h" in obj:
        return "zeek"
    return "jsonl"


def _records_parsed(reader: Reader, lines: list[str]) -> tuple[int, int]:
    parsed = [reader.parse(line) for line in lines]
    events = [item for item in parsed if item is not SKIP]
    return sum(isinstance(item, Record) for item in events), len(events)


def detect_format(head: list[str]) -> str:
    """Name the format of a file from its first lines, or raise UnknownFormat."""
    lines = [line.rstrip("\r\n") for line in head if line.strip()]
    if not lines:
        raise UnknownFormat("empty input: cannot detect the format")
    if any(line.startswith(("#separator", "#fields\t")) for line in lines[:10]):
        return "zeek"
    if lines[0].lstrip().startswith("{"):
        found = _json_format(lines[0])
        if found:
            return found
    best, best_score = "", 0.0
    for cls in _TEXT_READERS:
        good, events = _records_parsed(cls.from_head(lines), lines)
        score = good / events if events else 0.0
        if good and score > best_score:
            best, best_score = cls.name, score
    if best and best_score >= 0.5:
        return best
    if "," in lines[0]:
        reader = CsvReader.from_head(lines)
        if isinstance(reader, CsvReader) and reader.picks:
            return "csv"
    raise UnknownFormat("could not detect the format from the first lines; pass --format")
