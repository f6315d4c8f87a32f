"""Pure helpers of the pages: revision differences, CSV of indicators, filter parsing."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from tocsin.exports import spreadsheet_cell

E = TypeVar("E", bound=StrEnum)

# Fields of a revision document that change at every revision and say nothing to a reader.
IGNORED = frozenset({"revision", "updated_at", "status_changed_at"})


@dataclass(frozen=True)
class Change:
    path: str
    before: Any
    after: Any


def _flatten(value: Any, prefix: str, into: dict[str, Any]) -> None:
    if isinstance(value, Mapping):
        for key in value:
            _flatten(value[key], f"{prefix}.{key}" if prefix else str(key), into)
    elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
        for index, item in enumerate(value):
            _flatten(item, f"{prefix}[{index}]", into)
    else:
        into[prefix] = value


def flatten(document: Mapping[str, Any]) -> dict[str, Any]:
    """A nested document as {dotted.path[index]: leaf value}."""
    flat: dict[str, Any] = {}
    _flatten(document, "", flat)
    return flat


def _indicator_set(document: Mapping[str, Any]) -> set[str]:
    return {f"{i.get('type')} {i.get('value')}" for i in document.get("indicators") or []}


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Change]:
    """What differs between two revision documents, path by path, in a stable order.

    Indicators are compared as a set (added, removed): their order carries no meaning.
    """
    strip = IGNORED | {"indicators"}
    old = flatten({k: v for k, v in before.items() if k not in strip})
    new = flatten({k: v for k, v in after.items() if k not in strip})
    found = [
        Change(path, old.get(path), new.get(path))
        for path in sorted(set(old) | set(new))
        if old.get(path) != new.get(path)
    ]
    was, now = _indicator_set(before), _indicator_set(after)
    found += [Change("indicators", value, None) for value in sorted(was - now)]
    found += [Change("indicators", None, value) for value in sorted(now - was)]
    return found


def indicators_csv(rows: Iterable[tuple[str, str, str | None]]) -> str:
    """type,value,comment lines of an alert's indicators, safe to open in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["type", "value", "comment"])
    for kind, value, comment in rows:
        writer.writerow([kind, spreadsheet_cell(value), spreadsheet_cell(comment or "")])
    return out.getvalue()


def enum_or_none(cls: type[E], raw: str | None) -> E | None:
    """A filter value from a query string; anything unknown means 'no filter'."""
    try:
        return cls(raw) if raw else None
    except ValueError:
        return None
