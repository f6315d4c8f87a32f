"""Readers for structured logs: Zeek (TSV, JSON), Suricata eve.json, generic CSV and JSON lines."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from tocsin.sweep.base import SKIP, Parsed, Reader
from tocsin.sweep.readers_text import add_host, add_url, is_ip
from tocsin.sweep.records import Record, epoch_time, hash_type, iso_time

# Field kinds a mapping may name; "timestamp" and "client" are kept, the others are matched.
FIELD_KINDS = ("timestamp", "client", "domain", "ip", "url", "hash", "email", "host")

# Zeek columns worth matching, whatever the log (conn, dns, http, files, ssl, x509 ...).
_ZEEK_FIELDS: dict[str, str] = {
    "id.orig_h": "ip",
    "id.resp_h": "ip",
    "query": "domain",
    "answers": "host",
    "host": "host",
    "server_name": "domain",
    "tx_hosts": "ip",
    "rx_hosts": "ip",
    "md5": "hash",
    "sha1": "hash",
    "sha256": "hash",
    "mailfrom": "email",
    "rcptto": "email",
}


def _values(raw: Any) -> Iterable[str]:
    """Flatten a field value (scalar, Zeek set "a,b", JSON list) into strings."""
    if raw is None:
        return ()
    if isinstance(raw, list):
        return [str(item) for item in raw]
    text = str(raw)
    if text in ("-", "(empty)", ""):
        return ()
    return text.split(",")


def _add(record: Record, kind: str, raw: Any) -> None:
    """File a mapped field's value(s) into the record under their kind."""
    for value in _values(raw):
        value = value.strip()
        if kind == "timestamp":
            record.when = value
        elif kind == "client":
            record.client = value
        elif kind in ("domain", "host"):
            add_host(record, value)
        elif kind == "ip":
            if is_ip(value):
                record.ips.append(value.strip("[]"))
        elif kind == "url":
            add_url(record, value)
        elif kind == "hash":
            if hash_type(value.lower()) is not None:
                record.hashes.append(value.lower())
        elif kind == "email":
            record.emails.append(value.strip("<>").lower())


def _any_time(raw: str) -> datetime | None:
    return epoch_time(raw) or iso_time(raw)


def _dig(obj: Mapping[str, Any], dotted: str) -> Any:
    """Read a flat key ("id.orig_h") or a nested path ("dns.rrname")."""
    if dotted in obj:
        return obj[dotted]
    current: Any = obj
    for part in dotted.split("."):
        if not isinstance(current, Mapping) or part not in current:
            return None
        current = current[part]
    return current


class MappedJsonReader(Reader):
    """JSON lines with a field mapping {key or dotted path: kind}."""

    name = "jsonl"

    def __init__(self, mapping: Mapping[str, str] | None = None) -> None:
        self.mapping = dict(mapping or _GUESSED_NAMES)

    def parse(self, line: str) -> Parsed:
        if not line.strip():
            return SKIP
        try:
            obj = json.loads(line)
        except ValueError:
            return None
        if not isinstance(obj, dict):
            return None
        record = Record()
        for key, kind in self.mapping.items():
            _add(record, kind, _dig(obj, key))
        self.complete(record, obj)
        return record

    def complete(self, record: Record, obj: Mapping[str, Any]) -> None:
        """Add what the mapping alone cannot express (a hook for specialised readers)."""

    def timestamp(self, raw: str) -> datetime | None:
        return _any_time(raw)


class ZeekJsonReader(MappedJsonReader):
    """Zeek logs written as JSON (LogAscii::use_json)."""

    name = "zeek"

    def __init__(self, mapping: Mapping[str, str] | None = None) -> None:
        super().__init__({"ts": "timestamp", **_ZEEK_FIELDS, **(mapping or {})})

    def complete(self, record: Record, obj: Mapping[str, Any]) -> None:
        host, uri = obj.get("host"), obj.get("uri")
        if host and uri and host != "-":
            record.urls.append(f"http://{host}{uri}")
        if record.ips:
            record.client = record.ips[0]


class ZeekTsvReader(Reader):
    """Zeek TSV logs; the `#fields` header names the columns."""

    name = "zeek"

    def __init__(self, columns: list[str] | None = None) -> None:
        self.columns = columns or []
        self.picks = [
            (index, _ZEEK_FIELDS.get(column) or ("timestamp" if column == "ts" else ""))
            for index, column in enumerate(self.columns)
        ]
        self.picks = [(index, kind) for index, kind in self.picks if kind]
        self.uri_at = self.columns.index("uri") if "uri" in self.columns else -1
        self.host_at = self.columns.index("host") if "host" in self.columns else -1

    @classmethod
    def from_head(cls, head: list[str]) -> Reader:
        for line in head:
            if line.startswith("#fields\t"):
                return cls(line.rstrip("\r\n").split("\t")[1:])
        return cls()

    def parse(self, line: str) -> Parsed:
        if line.startswith("#"):
            return SKIP
        cells = line.rstrip("\r").split("\t")
        if not self.columns or len(cells) != len(self.columns):
            return None
        record = Record()
        for index, kind in self.picks:
            _add(record, kind, cells[index])
        if self.uri_at >= 0 and self.host_at >= 0 and cells[self.host_at] not in ("-", ""):
            record.urls.append(f"http://{cells[self.host_at]}{cells[self.uri_at]}")
        if record.ips:
            record.client = record.ips[0]
        return record

    def timestamp(self, raw: str) -> datetime | None:
        return epoch_time(raw)


def _suricata_dns(record: Record, dns: Mapping[str, Any]) -> None:
    if "rrname" in dns:
        add_host(record, str(dns["rrname"]))
    for query in dns.get("queries") or []:
        add_host(record, str(query.get("rrname", "")))
    answers = list(dns.get("answers") or [])
    if "rdata" in dns:
        answers.append({"rdata": dns["rdata"]})
    for answer in answers:
        if isinstance(answer, Mapping) and answer.get("rdata"):
            add_host(record, str(answer["rdata"]))


class SuricataReader(Reader):
    """Suricata eve.json: addresses, dns names and answers, http host/url, tls sni, file hashes."""

    name = "suricata"

    def parse(self, line: str) -> Parsed:
        if not line.strip():
            return SKIP
        try:
            event = json.loads(line)
        except ValueError:
            return None
        if not isinstance(event, dict) or "event_type" not in event:
            return None
        record = Record(when=event.get("timestamp"), client=event.get("src_ip"))
        for key in ("src_ip", "dest_ip"):
            _add(record, "ip", event.get(key))
        _suricata_dns(record, event.get("dns") or {})
        http = event.get("http") or {}
        if http.get("hostname"):
            add_host(record, str(http["hostname"]))
            record.urls.append(f"http://{http['hostname']}{http.get('url', '/')}")
        _add(record, "domain", (event.get("tls") or {}).get("sni"))
        fileinfo = event.get("fileinfo") or {}
        for key in ("md5", "sha1", "sha256"):
            _add(record, "hash", fileinfo.get(key))
        return record

    def timestamp(self, raw: str) -> datetime | None:
        return iso_time(raw)


# Column names recognised without a mapping, for CSV and JSON lines.
_GUESSED_NAMES: dict[str, str] = {
    **{name: "timestamp" for name in ("timestamp", "time", "ts", "date", "@timestamp")},
    **{name: "client" for name in ("client", "client_ip", "src", "source")},
    **{name: "domain" for name in ("domain", "query", "qname", "hostname", "fqdn", "sni")},
    **{name: "ip" for name in ("ip", "src_ip", "dst_ip", "dest_ip", "remote_ip", "server_ip")},
    **{name: "url" for name in ("url", "uri", "referer", "referrer")},
    **{name: "hash" for name in ("hash", "md5", "sha1", "sha256")},
    **{name: "email" for name in ("email", "from", "to", "sender", "recipient", "rcpt")},
    "host": "host",
}


class CsvReader(Reader):
    """Comma-separated logs with a header row, mapped by column name."""

    name = "csv"

    def __init__(self, header: list[str] | None = None, mapping: Mapping[str, str] | None = None):
        self.header = header or []
        wanted = {key.lower(): kind for key, kind in (mapping or _GUESSED_NAMES).items()}
        self.picks = [
            (index, wanted[column.strip().lower()])
            for index, column in enumerate(self.header)
            if column.strip().lower() in wanted
        ]

    @classmethod
    def from_head(cls, head: list[str]) -> Reader:
        try:
            return cls(next(csv.reader(head[:1]), []))
        except csv.Error:  # an unreadable header: no column to read, every line malformed
            return cls([])

    def with_mapping(self, mapping: Mapping[str, str]) -> CsvReader:
        """Return the same reader with an explicit column mapping."""
        return CsvReader(self.header, mapping)

    def parse(self, line: str) -> Parsed:
        try:
            cells = next(csv.reader([line]), [])
        except csv.Error:  # e.g. a bare carriage return inside a field: a malformed line
            return None
        if not cells or cells == self.header:
            return SKIP
        if len(cells) != len(self.header):
            return None
        record = Record()
        for index, kind in self.picks:
            _add(record, kind, cells[index])
        return record

    def timestamp(self, raw: str) -> datetime | None:
        return _any_time(raw)
