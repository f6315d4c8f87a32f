"""Writing STIX objects into collections: validation, date_added, first/last version flags."""

from __future__ import annotations

import json
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, delete, exists, func, insert, select, text, update
from sqlalchemy.orm import Session

from tocsin.interop.taxii.models import TaxiiObject
from tocsin.interop.taxii.stamps import format_us, parse_us, to_us

# Writers of date_added take this PostgreSQL advisory lock until they commit, so the order
# of date_added is the order of commits: a reader paging with added_after never misses a row.
_DATE_ADDED_LOCK = 0x7A11_0001
_CHUNK = 500
_TYPE = re.compile(r"^[a-z0-9][a-z0-9-]{1,248}[a-z0-9]$")


@dataclass(frozen=True)
class Outcome:
    id: str
    version: str | None = None
    message: str | None = None

    def as_json(self) -> dict[str, str]:
        out = {"id": self.id}
        if self.version:
            out["version"] = self.version
        if self.message:
            out["message"] = self.message
        return out


@dataclass
class AddResult:
    successes: list[Outcome] = field(default_factory=list)
    failures: list[Outcome] = field(default_factory=list)


@dataclass(frozen=True)
class _Checked:
    stix_id: str
    stix_type: str
    spec_version: str
    version: str | None
    version_us: int | None
    body: str


def check_object(obj: Any) -> _Checked:
    """The fields the store needs from one STIX object; ValueError with the reason if bad."""
    if not isinstance(obj, dict):
        raise ValueError("a STIX object is a JSON object")
    stix_type, stix_id = obj.get("type"), obj.get("id")
    if not isinstance(stix_type, str) or not _TYPE.match(stix_type):
        raise ValueError("type is missing or malformed")
    if not isinstance(stix_id, str) or not stix_id.startswith(f"{stix_type}--"):
        raise ValueError("id must be '<type>--<uuid>'")
    uuid.UUID(stix_id.split("--", 1)[1])
    spec_version = obj.get("spec_version", "2.1")
    if spec_version not in ("2.0", "2.1"):
        raise ValueError("spec_version must be 2.0 or 2.1")
    version = obj.get("modified", obj.get("created"))
    version_us = parse_us(version) if version is not None else None
    body = json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
    return _Checked(stix_id, stix_type, spec_version, version, version_us, body)


def _first_added_us(session: Session, now: datetime) -> int:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _DATE_ADDED_LOCK})
    last = session.scalar(select(func.max(TaxiiObject.added_us)))
    return max(to_us(now), (last or 0) + 1)


def _existing_versions(
    session: Session, collection_id: str, stix_ids: Iterable[str]
) -> dict[str, list[tuple[int, int]]]:
    """(version_us, seq) of every stored version of these ids in the collection."""
    found: dict[str, list[tuple[int, int]]] = defaultdict(list)
    in_collection = TaxiiObject.collection_id == collection_id
    if not session.scalar(select(exists().where(in_collection))):
        return found
    ids = sorted(set(stix_ids))
    for start in range(0, len(ids), _CHUNK):
        query = select(TaxiiObject.stix_id, TaxiiObject.version_us, TaxiiObject.seq).where(
            in_collection, TaxiiObject.stix_id.in_(ids[start : start + _CHUNK])
        )
        for stix_id, version_us, seq in session.execute(query):
            found[stix_id].append((version_us, seq))
    return found


def add_objects(
    *,
    session: Session,
    collection_id: str,
    objects: Sequence[Any],
    now: datetime,
    alert_id: uuid.UUID | None = None,
    owner_org_id: uuid.UUID | None = None,
    check: Callable[[Any], None] | None = None,
) -> AddResult:
    """Store each valid object as a new version; report each one as a success or a failure.

    `check` refuses more than the store needs (ValueError with the reason), for objects that
    come from outside."""
    result = AddResult()
    checked: list[_Checked] = []
    for position, obj in enumerate(objects):
        try:
            if check is not None:
                check(obj)
            checked.append(check_object(obj))
        except ValueError as exc:
            given = obj.get("id") if isinstance(obj, dict) else None
            result.failures.append(Outcome(str(given or f"objects[{position}]"), None, str(exc)))
    if not checked:
        return result
    next_us = _first_added_us(session, now)
    existing = _existing_versions(session, collection_id, (c.stix_id for c in checked))
    rows: list[dict[str, Any]] = []
    for item in checked:
        version_us = item.version_us if item.version_us is not None else next_us
        known = existing[item.stix_id]
        if any(v == version_us for v, _ in known):
            result.successes.append(Outcome(item.stix_id, item.version, "already present"))
            continue
        known.append((version_us, -len(rows) - 1))  # negative: a row of this batch
        rows.append(_row(item, collection_id, next_us, version_us, alert_id, owner_org_id))
        result.successes.append(Outcome(item.stix_id, item.version or format_us(next_us)))
        next_us += 1
    _set_flags(session, rows, existing)
    if rows:  # a Core executemany: the ORM's per-row bookkeeping would double the cost
        session.execute(insert(cast(Table, TaxiiObject.__table__)), rows)
    return result


def _row(
    item: _Checked,
    collection_id: str,
    added_us: int,
    version_us: int,
    alert_id: uuid.UUID | None,
    owner_org_id: uuid.UUID | None,
) -> dict[str, Any]:
    return {
        "collection_id": collection_id,
        "added_us": added_us,
        "stix_id": item.stix_id,
        "stix_type": item.stix_type,
        "spec_version": item.spec_version,
        "version": item.version or format_us(added_us),
        "version_us": version_us,
        "earliest": True,
        "latest": True,
        "alert_id": alert_id,
        "owner_org_id": owner_org_id,
        "body": item.body,
    }


def _set_flags(
    session: Session, rows: list[dict[str, Any]], versions: dict[str, list[tuple[int, int]]]
) -> None:
    """Mark the first and last version of each id, in the new rows and the stored ones."""
    changes: dict[tuple[str, bool], list[int]] = defaultdict(list)
    for known in versions.values():
        if len(known) < 2:
            continue
        low, high = min(v for v, _ in known), max(v for v, _ in known)
        for version_us, seq in known:
            if seq < 0:
                row = rows[-seq - 1]
                row["earliest"], row["latest"] = version_us == low, version_us == high
            else:
                changes[("earliest", version_us == low)].append(seq)
                changes[("latest", version_us == high)].append(seq)
    for (flag, value), seqs in changes.items():
        for start in range(0, len(seqs), _CHUNK):
            chunk = seqs[start : start + _CHUNK]
            session.execute(
                update(TaxiiObject).where(TaxiiObject.seq.in_(chunk)).values({flag: value})
            )


def delete_versions(
    *, session: Session, collection_id: str, stix_id: str, seqs: Sequence[int]
) -> int:
    """Delete these stored versions of one object, then mark the first and last left."""
    if not seqs:
        return 0
    session.execute(delete(TaxiiObject).where(TaxiiObject.seq.in_(list(seqs))))
    left = _existing_versions(session, collection_id, [stix_id])
    _set_flags(session, [], left)
    if len(left.get(stix_id, [])) == 1:
        (only_seq,) = [seq for _, seq in left[stix_id]]
        session.execute(
            update(TaxiiObject)
            .where(TaxiiObject.seq == only_seq)
            .values(earliest=True, latest=True)
        )
    return len(seqs)
