"""Scan one block of log lines: the bulk fast path, the per-line path, and the tallies."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from tocsin.sweep.base import SKIP, Reader
from tocsin.sweep.matcher import IndicatorSet, Key
from tocsin.sweep.records import Record

SAMPLES_KEPT = 3
_MEMO_LIMIT = 500_000  # hosts remembered as clean per worker (about 40 MB)


@dataclass
class Sighting:
    """What one indicator matched in the logs (samples stay local, never sent)."""

    count: int = 0
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    samples: list[tuple[str, str]] = field(default_factory=list)

    def see(self, when: datetime | None, source: str, line: str) -> None:
        """Count one matching line."""
        self.count += 1
        if when is not None:
            if self.first_seen is None or when < self.first_seen:
                self.first_seen = when
            if self.last_seen is None or when > self.last_seen:
                self.last_seen = when
        if len(self.samples) < SAMPLES_KEPT:
            self.samples.append((source, line))

    def merge(self, other: Sighting) -> None:
        """Fold another block's sighting of the same indicator into this one."""
        self.count += other.count
        for when in (other.first_seen, other.last_seen):
            if when is not None:
                self.first_seen = min(self.first_seen or when, when)
                self.last_seen = max(self.last_seen or when, when)
        self.samples.extend(other.samples[: SAMPLES_KEPT - len(self.samples)])


@dataclass
class Tally:
    """Lines read, lines skipped as malformed, and the sightings of one block or file."""

    bytes: int = 0
    lines: int = 0
    malformed: int = 0
    first_malformed: str | None = None
    sightings: dict[Key, Sighting] = field(default_factory=dict)

    def merge(self, other: Tally) -> None:
        """Add another tally (of a later block of the same file, or of another file)."""
        self.bytes += other.bytes
        self.lines += other.lines
        self.malformed += other.malformed
        self.first_malformed = self.first_malformed or other.first_malformed
        for key, sighting in other.sightings.items():
            if key in self.sightings:
                self.sightings[key].merge(sighting)
            else:
                self.sightings[key] = sighting


class Scanner:
    """Matches blocks against one indicator set, remembering which hosts it has classified."""

    def __init__(self, indicators: IndicatorSet, since: datetime | None = None) -> None:
        self.indicators = indicators
        self.since = since
        self.clean: set[bytes] = set()
        self.hot: set[bytes] = set()

    def scan(self, reader: Reader, block: bytes, source: str) -> Tally:
        """Scan whole lines; the fast path when the reader has one and every line fits it."""
        tally = Tally(bytes=len(block))
        if not block:
            return tally
        tally.lines = block.count(b"\n") + (0 if block.endswith(b"\n") else 1)
        if reader.fast is not None and self._fast(reader, block, source, tally):
            return tally
        self._slow(reader, block, source, tally)
        return tally

    def _slow(self, reader: Reader, block: bytes, source: str, tally: Tally) -> None:
        for line in block.decode("utf-8", "replace").split("\n"):
            line = line.rstrip("\r")
            if not line:
                continue
            parsed = reader.parse(line)
            if parsed is None:
                tally.malformed += 1
                tally.first_malformed = tally.first_malformed or line[:300]
            elif parsed is not SKIP and isinstance(parsed, Record):
                self._record(reader, parsed, source, line, tally)

    def _record(self, reader: Reader, record: Record, source: str, line: str, tally: Tally) -> None:
        hits = self.indicators.match(record)
        if not hits:
            return
        when = reader.timestamp(record.when) if record.when else None
        if self.since is not None and when is not None and when < self.since:
            return
        for key in hits:
            tally.sightings.setdefault(key, Sighting()).see(when, source, line)

    def _fast(self, reader: Reader, block: bytes, source: str, tally: Tally) -> bool:
        assert reader.fast is not None
        lowered = b"\n" + block.lower()
        found = reader.fast.pattern.findall(lowered)
        if len(found) != tally.lines:
            return False  # some line does not fit: let the per-line path count it
        if reader.fast.valid is not None and not reader.fast.valid(found):
            return False
        columns = [found] if len(reader.fast.kinds) == 1 else list(zip(*found, strict=True))
        hits: set[int] = set()
        for kind, column in zip(reader.fast.kinds, columns, strict=True):
            if kind == "hash":
                hot = self.indicators.hash_bytes.intersection(column)
            elif kind == "ip" and not (self.indicators.ips or self.indicators.networks):
                continue
            else:
                hot = self._hot_hosts(set(column))
            if hot:
                # one match per line, in order: a value's index in the column is its line's
                hits.update(index for index, value in enumerate(column) if value in hot)
        for pattern, kind in reader.fast.loose:
            if kind == "ip" and not (self.indicators.ips or self.indicators.networks):
                continue
            hot = self._hot_hosts(set(pattern.findall(lowered)))
            if hot:
                hits.update(self._line_indices(lowered, hot))
        if hits:
            lines = block.split(b"\n")
            for index in sorted(hits):
                line = lines[index].decode("utf-8", "replace").rstrip("\r")
                parsed = reader.parse(line)
                if isinstance(parsed, Record):
                    self._record(reader, parsed, source, line, tally)
        return True

    @staticmethod
    def _line_indices(lowered: bytes, hot: set[bytes]) -> set[int]:
        """The indices of the lines where hot values occur (in `lowered`, led by a newline)."""
        offsets: set[int] = set()
        for value in hot:
            at = lowered.find(value)
            while at >= 0:
                offsets.add(at)
                at = lowered.find(value, at + 1)
        indices, newlines, done = set(), 0, 0
        for at in sorted(offsets):
            newlines += lowered.count(b"\n", done, at + 1)
            done = at + 1
            indices.add(newlines - 1)
        return indices

    def _hot_hosts(self, hosts: set[bytes]) -> set[bytes]:
        fresh = hosts - self.clean - self.hot
        if len(self.clean) > _MEMO_LIMIT:
            self.clean.clear()
        is_candidate = self.indicators.host_is_candidate
        for host in fresh:
            if is_candidate(host):
                self.hot.add(host)
            else:
                self.clean.add(host)
        return hosts & self.hot
