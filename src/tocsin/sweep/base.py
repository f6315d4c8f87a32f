"""The reader interface: turn one log line into a Record, optionally with a bulk fast path."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar, Final

from tocsin.sweep.records import Record


class _Skip:
    """A line that carries no event (comment, header, banner): neither a record nor malformed."""

    def __repr__(self) -> str:
        return "SKIP"


SKIP: Final = _Skip()
Parsed = Record | _Skip | None


@dataclass(frozen=True)
class FastPath:
    """A regex run over a whole lowercased chunk, matching once per well-formed line.

    The chunk is given with a newline in front, so a pattern may start with a literal "\\n"
    (the regex engine then skips ahead to each line quickly; `(?m)^` would try every position).

    Each group holds a field of the kind named in `kinds` ("host" for a domain or an IP,
    "ip", "hash"). It only proposes candidates: every hit is confirmed by `Reader.parse` on the
    line, so the fast path may over-propose but must never miss a field `parse` would extract.
    """

    pattern: re.Pattern[bytes]
    kinds: tuple[str, ...]
    # Patterns of one group not tied to line starts (faster when they begin with a literal);
    # the lines of their hot values are found by position.
    loose: tuple[tuple[re.Pattern[bytes], str], ...] = ()
    # A bulk check of the first column, when the pattern itself accepts more than `parse` does.
    valid: Callable[[list[bytes]], bool] | None = None


@dataclass(frozen=True)
class FieldsPath:
    """Blocks whose lines all have exactly `width` whitespace-separated fields.

    One split of the whole block costs a fraction of a regex walking every line. Each of
    `fields` is (index, kind): "url" (its host is the candidate) or "peer" (`code/address`:
    the address is). `valid` checks in bulk, given the block's fields and the stride (fields
    per line, plus one marking its end), what `Reader.parse` requires of a line beyond its
    width; when it fails, or a line has another width, the block takes the `FastPath`.
    """

    width: int
    fields: tuple[tuple[int, str], ...]
    valid: Callable[[list[bytes], int], bool]


class Reader:
    """One log format. Stateless, except formats whose header names the columns."""

    name: ClassVar[str]
    fields: ClassVar[FieldsPath | None] = None
    fast: ClassVar[FastPath | None] = None

    def parse(self, line: str) -> Parsed:
        """Return a line's typed fields, SKIP for a line without an event, None if malformed."""
        raise NotImplementedError

    def timestamp(self, raw: str) -> datetime | None:
        """Parse the raw time of a record."""
        raise NotImplementedError

    @classmethod
    def from_head(cls, head: list[str]) -> Reader:
        """Build a reader for a file whose first lines are `head` (headers name columns)."""
        return cls()
