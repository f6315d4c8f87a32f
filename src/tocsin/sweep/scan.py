"""Scan one block of log lines: the bulk fast path, the per-line path, and the tallies."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from tocsin.sweep.base import SKIP, Reader
from tocsin.sweep.matcher import IndicatorSet, Key
from tocsin.sweep.records import Record

SAMPLES_KEPT = 3
_MEMO_LIMIT = 500_000  # values remembered per kind and worker (about 40 MB)


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


# The host of each URL of a column joined with newlines, one match per line, as
# `records.host_of_url` reads it: after the first "://", before the first of "/?#", after
# the last "@", a bracketed address whole or a name up to its port.
_URL_HOSTS = re.compile(rb"\n(?:[^\n]*?://)?(?:[^\n/?#]*@)?(\[[^\n/?#\]]*\]|(?!\[)[^\n/?#:]*|)")
# The same without user info, for the usual column with no "@" at all: the host is then
# walked once, not twice (a quarter less time on a squid block).
_URL_HOSTS_NO_USER = re.compile(rb"\n(?:[^\n]*?://)?(\[[^\n/?#\]]*\]|(?!\[)[^\n/?#:]*|)")
_FEW = 8  # values that may hit in a block, found one by one below this, in one pass above
_STRETCH = 1 << 16  # bytes skipped at once when looking for a line by its index
_LINE_END = b"\0"  # marks line ends among the fields of a block (a block holding it is refused)


def _lines_at(block: bytes, wanted: list[int], stretch: int = _STRETCH) -> Iterator[bytes]:
    """The lines of a block at the given ascending indices, without splitting it all: whole
    stretches are skipped by counting their newlines, the last few lines walked."""
    position, line = 0, 0  # `position` lies in the line numbered `line`
    for target in wanted:
        while True:
            newlines = block.count(b"\n", position, position + stretch)
            if line + newlines >= target or position + stretch >= len(block):
                break
            position, line = position + stretch, line + newlines
        while line < target:
            position = block.find(b"\n", position) + 1
            line += 1
        start = block.rfind(b"\n", 0, position) + 1
        end = block.find(b"\n", position)
        yield block[start : end if end >= 0 else len(block)]


def url_hosts(joined: bytes) -> list[bytes]:
    """The host of each URL of a column joined with newlines (and led by one)."""
    pattern = _URL_HOSTS if b"@" in joined else _URL_HOSTS_NO_USER
    return pattern.findall(joined)


def _index(values: Sequence[bytes], value: bytes, start: int) -> int:
    try:
        return values.index(value, start)
    except ValueError:
        return -1


class Scanner:
    """Matches blocks against one indicator set, remembering which values it has classified."""

    def __init__(self, indicators: IndicatorSet, since: datetime | None = None) -> None:
        self.indicators = indicators
        self.since = since
        # per kind of value: those already classified, and those that may hit
        self.memo: dict[str, tuple[set[bytes], set[bytes]]] = {}
        candidate = indicators.host_is_candidate
        self.checks: dict[str, Callable[[bytes], bool]] = {
            "host": candidate,
            "ip": candidate,
            "peer": lambda field: candidate(field.rpartition(b"/")[2].lower()),
        }

    def scan(self, reader: Reader, block: bytes, source: str) -> Tally:
        """Scan whole lines: by fields or the fast path when every line fits, else per line."""
        tally = Tally(bytes=len(block))
        if not block:
            return tally
        tally.lines = block.count(b"\n") + (0 if block.endswith(b"\n") else 1)
        if reader.fields is not None and self._fields(reader, block, source, tally):
            return tally
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

    def _confirm(
        self, reader: Reader, block: bytes, hits: set[int], source: str, tally: Tally
    ) -> None:
        """Parse the lines holding candidates: only `parse` decides what matched."""
        for raw in _lines_at(block, sorted(hits)):
            line = raw.decode("utf-8", "replace").rstrip("\r")
            parsed = reader.parse(line)
            if isinstance(parsed, Record):
                self._record(reader, parsed, source, line, tally)

    def _fields(self, reader: Reader, block: bytes, source: str, tally: Tally) -> bool:
        path = reader.fields
        assert path is not None
        if _LINE_END in block:
            return False
        marked = block.replace(b"\n", b" \0 ")
        if not block.endswith(b"\n"):
            marked += b" \0"
        fields = marked.split()
        stride = path.width + 1
        if (
            len(fields) != stride * tally.lines
            or fields[path.width :: stride].count(_LINE_END) != tally.lines
        ):
            return False  # some line has another number of fields
        if not path.valid(fields, stride):
            return False
        hits: set[int] = set()
        for index, kind in path.fields:
            column = fields[index::stride]
            if kind == "url":
                column = url_hosts(b"\n" + b"\n".join(column).lower())
                kind = "host"
            hits.update(self._hit_lines(kind, column))
        self._confirm(reader, block, hits, source, tally)
        return True

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
            # one match per line, in order: a value's index in the column is its line's
            hits.update(self._hit_lines(kind, column))
        for pattern, kind in reader.fast.loose:
            if self._may_hit(kind):
                hot = self._hot(kind, set(pattern.findall(lowered)))
                if hot:
                    hits.update(self._line_indices(lowered, hot))
        self._confirm(reader, block, hits, source, tally)
        return True

    def _may_hit(self, kind: str) -> bool:
        return kind not in ("ip", "peer") or bool(self.indicators.ips or self.indicators.networks)

    def _hit_lines(self, kind: str, column: Sequence[bytes]) -> list[int]:
        """The indices of the values of a column that may hit."""
        if kind == "hash":
            hot = self.indicators.hash_bytes.intersection(column)
        elif self._may_hit(kind):
            hot = self._hot(kind, column)
        else:
            return []
        if len(hot) > _FEW:  # a log full of hits: one pass over the column
            return [index for index, value in enumerate(column) if value in hot]
        lines = []
        for value in hot:  # usually none or a handful: each found by a scan in C
            at = column.index(value)
            while at >= 0:
                lines.append(at)
                at = _index(column, value, at + 1)
        return lines

    def _hot(self, kind: str, values: Collection[bytes]) -> set[bytes]:
        """Those of the values that may hit, classifying each distinct value once per worker.

        Once the memo holds a block's values (the usual case), no set is built for them:
        one pass checks they were all seen, one finds those that may hit (`hot` is small).
        """
        seen, hot = self.memo.setdefault(kind, (set(), set()))
        if not seen.issuperset(values):
            fresh = set(values) - seen
            if len(seen) > _MEMO_LIMIT:
                seen.clear()
                hot.clear()
                fresh = set(values)
            check = self.checks[kind]
            hot.update(value for value in fresh if check(value))
            seen |= fresh
        return hot.intersection(values)

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
