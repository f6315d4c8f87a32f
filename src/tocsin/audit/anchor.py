"""Checkpoints of the chain kept outside the database: the sequence number and digest of
the last record at a time, sealed with the audit key. Someone who deletes the last records,
or the whole trail, leaves a chain that links perfectly; only a copy kept elsewhere shows
what is gone. Each checkpoint is one JSON line appended to a file (make it append-only:
`chattr +a`), and optionally sent to syslog (RFC 5424) and to the national CERT.
"""

from __future__ import annotations

import hmac
import json
import logging
import logging.handlers
import os
import socket
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from tocsin.audit.chain import ChainBreak, Keyring, canonical

# The private enterprise number of RFC 5424 examples: our structured data is named under it.
SD_ID = "checkpoint@32473"


@dataclass(frozen=True)
class Checkpoint:
    seq: int  # the last record's sequence number (0: an empty trail)
    digest: str  # its digest
    at: datetime
    key_id: str
    mac: str

    def body(self) -> dict[str, object]:
        return {"seq": self.seq, "digest": self.digest, "at": self.at.isoformat(),
                "key_id": self.key_id}  # fmt: skip

    def line(self) -> str:
        return json.dumps({**self.body(), "mac": self.mac}, sort_keys=True)


def _mac(key: bytes, body: Mapping[str, object]) -> str:
    return hmac.new(key, canonical(body), "sha256").hexdigest()


def seal(*, seq: int, digest: str, at: datetime, keyring: Keyring) -> Checkpoint:
    """A checkpoint of the chain's head, sealed with the current key."""
    unsealed = Checkpoint(seq=seq, digest=digest, at=at, key_id=keyring.current_id, mac="")
    return Checkpoint(**{**unsealed.__dict__, "mac": _mac(keyring.current, unsealed.body())})


def parse(lines: Iterable[str], keyring: Keyring) -> tuple[list[Checkpoint], list[str]]:
    """The checkpoints whose seal verifies, and a reason for every line that does not."""
    keys = keyring.by_id()
    good: list[Checkpoint] = []
    bad: list[str] = []
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            data = json.loads(text)
            point = Checkpoint(seq=int(data["seq"]), digest=str(data["digest"]),
                               at=datetime.fromisoformat(data["at"]), key_id=str(data["key_id"]),
                               mac=str(data["mac"]))  # fmt: skip
        except (ValueError, KeyError, TypeError):
            bad.append(f"checkpoint line {number} cannot be read")
            continue
        key = keys.get(point.key_id)
        if key is None or not hmac.compare_digest(_mac(key, point.body()), point.mac):
            bad.append(f"checkpoint line {number} does not verify: forged or another key")
            continue
        good.append(point)
    return good, bad


def read_file(path: Path, keyring: Keyring) -> tuple[list[Checkpoint], list[str]]:
    """The checkpoints of the file (none when it does not exist yet)."""
    if not path.exists():
        return [], []
    with path.open(encoding="utf-8") as lines:
        return parse(lines, keyring)


def append_to_file(path: Path, point: Checkpoint) -> None:
    """Append one line and flush it to the disk before saying it is written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(descriptor, (point.line() + "\n").encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def compare(
    checkpoints: list[Checkpoint], last_seq: int, digests: Mapping[int, str]
) -> list[ChainBreak]:
    """What the database lost or changed since the checkpoints: `last_seq` is its last
    record (0: none), `digests` the stored digest of every checkpointed record still there."""
    breaks: list[ChainBreak] = []
    for point in checkpoints:
        if point.seq and point.seq in digests and digests[point.seq] != point.digest:
            when = point.at.isoformat()
            reason = f"differs from the checkpoint of {when}: the chain was rewritten"
            breaks.append(ChainBreak(point.seq, reason))
    latest = max(checkpoints, key=lambda p: p.seq, default=None)
    if latest is not None and latest.seq > last_seq:
        first, count = last_seq + 1, latest.seq - last_seq
        gone = "the whole trail" if last_seq == 0 else f"the last {count}"
        what = f"records {first} to {latest.seq} ({gone})" if count > 1 else f"record {first}"
        reason = (f"missing: {what} deleted; the checkpoint of {latest.at.isoformat()} saw "
                  f"the chain up to record {latest.seq}")  # fmt: skip
        breaks.append(ChainBreak(first, reason))
    elif latest is not None and latest.seq and latest.seq not in digests:
        breaks.append(ChainBreak(latest.seq, "missing: the latest checkpoint names it"))
    return breaks


class Rfc5424Formatter(logging.Formatter):
    """`1 TIMESTAMP HOST APP - MSGID [SD] MSG`; SysLogHandler puts the <PRI> in front."""

    def format(self, record: logging.LogRecord) -> str:
        point: Checkpoint = record.checkpoint  # type: ignore[attr-defined]
        data = " ".join(f'{k}="{v}"' for k, v in point.body().items())
        return (f"1 {point.at.isoformat()} {socket.gethostname()} tocsin - audit-checkpoint "
                f"[{SD_ID} {data} mac=\"{point.mac}\"] {record.getMessage()}")  # fmt: skip


def syslog_address(text: str) -> str | tuple[str, int]:
    """`host:port` (UDP) or the path of a local socket such as /dev/log."""
    if text.startswith("/"):
        return text
    host, _, port = text.rpartition(":")
    return (host.strip("[]"), int(port))


def send_to_syslog(address: str, point: Checkpoint) -> None:
    """Send the checkpoint as one RFC 5424 message (facility authpriv, severity warning)."""
    handler = logging.handlers.SysLogHandler(
        address=syslog_address(address), facility=logging.handlers.SysLogHandler.LOG_AUTHPRIV
    )
    handler.setFormatter(Rfc5424Formatter())
    handler.append_nul = False
    try:
        message = f"audit trail up to record {point.seq}"
        record = logging.LogRecord("tocsin.audit", logging.WARNING, __file__, 0, message, (), None)
        record.checkpoint = point
        handler.emit(record)
    finally:
        handler.close()
