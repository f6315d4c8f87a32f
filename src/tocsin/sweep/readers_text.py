"""Readers for line-oriented text logs: squid, Apache/nginx, BIND, dnsmasq, Windows DNS, hashes."""

from __future__ import annotations

import ipaddress
import re
from datetime import UTC, datetime

from tocsin.sweep.base import SKIP, FastPath, FieldsPath, Parsed, Reader
from tocsin.sweep.records import (
    Record,
    epoch_time,
    hash_type,
    host_of_url,
    strptime_utc,
)


def is_ip(text: str) -> bool:
    """Tell whether text is a literal IPv4 or IPv6 address (brackets allowed)."""
    if not text or not (text[0].isdigit() or ":" in text or text[0] == "["):
        return False
    try:
        ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return False
    return True


def add_host(record: Record, host: str) -> None:
    """File a host under ips or domains by its shape."""
    host = host.rstrip(".").lower()
    if not host or host == "-":
        return
    if is_ip(host):
        record.ips.append(host.strip("[]"))
    else:
        record.domains.append(host)


def add_url(record: Record, url: str) -> None:
    """Keep an absolute URL and its host."""
    if "://" in url:
        record.urls.append(url)
        add_host(record, host_of_url(url))


_ALL_BUT_SLASH = bytes(range(256)).translate(None, b"/\n")


def _all_slashed(column: list[bytes]) -> bool:
    """Every value holds a slash (checked on the newline-joined column, in bulk)."""
    slashes = (b"\n" + b"\n".join(column) + b"\n").translate(None, _ALL_BUT_SLASH)
    return b"\n\n" not in slashes


def _all_numbers(column: list[bytes]) -> bool:
    """Every value is digits with at most one dot, as `str.isdigit` after one dot removed."""
    joined = b"\n" + b"\n".join(column) + b"\n"
    dots = joined.translate(None, b"0123456789")
    return not dots.translate(None, b".\n") and b".." not in dots and b"\n.\n" not in joined


def _squid_valid(fields: list[bytes], stride: int) -> bool:
    """What `SquidReader.parse` asks of the time, code/status and hierarchy/peer fields."""
    return (
        _all_slashed(fields[3::stride])
        and _all_slashed(fields[8::stride])
        and _all_numbers(fields[0::stride])
    )


class SquidReader(Reader):
    """Squid native access.log: time elapsed client code/status bytes method URL user hier/peer."""

    name = "squid"
    fields = FieldsPath(10, ((6, "url"), (8, "peer")), valid=_squid_valid)
    fast = FastPath(
        re.compile(
            rb"\n[0-9.]+ +\S+ \S+ \S+ \S+ \S+ (?:[a-z][a-z0-9+.-]*://)?(?:[^\s/?#]*@)?"
            rb"(\[[^\]\s/]*\]|[^\s/:?#]+)"
        ),
        ("host",),
        loose=(
            (re.compile(rb"direct/([0-9a-f.:]+)"), "ip"),  # literal prefixes search fastest
            (re.compile(rb"original_dst/([0-9a-f.:]+)"), "ip"),
        ),
    )

    def parse(self, line: str) -> Parsed:
        fields = line.split()
        if len(fields) < 10 or "/" not in fields[3] or "/" not in fields[8]:
            return None
        if not fields[0].replace(".", "", 1).isdigit():
            return None
        record = Record(when=fields[0], client=fields[2])
        url = fields[6]
        if "://" in url:
            add_url(record, url)
        else:
            add_host(record, host_of_url(url))
        code, _, peer = fields[8].partition("/")
        # only a direct fetch names the origin server; a parent or sibling is another proxy
        if code.lower().endswith(("direct", "original_dst")) and is_ip(peer):
            record.ips.append(peer)
        return record

    def timestamp(self, raw: str) -> datetime | None:
        return epoch_time(raw)


_COMBINED = re.compile(
    r'^(\S+) \S+ \S+ \[([^\]]+)\] "([^"]*)" (?:\d{3}|-) \S+'
    r'(?: "((?:[^"\\]|\\.)*)" "(?:[^"\\]|\\.)*")?'
)


class CombinedReader(Reader):
    """Apache/nginx common and combined logs: the client, an absolute request URL, the referer."""

    name = "combined"

    def parse(self, line: str) -> Parsed:
        match = _COMBINED.match(line)
        if match is None:
            return None
        client, when, request, referer = match.groups()
        record = Record(when=when, client=client)
        if is_ip(client):
            record.ips.append(client)
        parts = request.split(" ")
        if len(parts) >= 2:
            target = parts[1]
            if "://" in target:
                add_url(record, target)
            elif parts[0] == "CONNECT":
                add_host(record, host_of_url(target))
        if referer and referer != "-":
            add_url(record, referer)
        return record

    def timestamp(self, raw: str) -> datetime | None:
        return strptime_utc(raw, "%d/%b/%Y:%H:%M:%S %z")


class BindReader(Reader):
    """BIND query log: `... client [@0x..] 10.0.0.5#53211 (name): query: name IN A + (server)`."""

    name = "bind"
    fast = FastPath(re.compile(rb"query: (\S+) "), ("host",))

    def parse(self, line: str) -> Parsed:
        head, sep, tail = line.partition(" query: ")
        if not sep or " client " not in head:
            return SKIP if "query: " not in line and "client" not in line else None
        name = tail.split(" ", 1)[0]
        if not name:
            return None
        after_client = head.partition(" client ")[2].split()
        client_tokens = [t for t in after_client if not t.startswith("@0x")]
        client = client_tokens[0].rpartition("#")[0] if client_tokens else None
        record = Record(when=" ".join(line.split(" ", 2)[:2]), client=client)
        add_host(record, name)
        return record

    def timestamp(self, raw: str) -> datetime | None:
        return strptime_utc(raw, "%d-%b-%Y %H:%M:%S.%f") or strptime_utc(raw, "%d-%b-%Y %H:%M:%S")


_DNSMASQ = re.compile(
    r"^(\w{3} [ \d]\d \d\d:\d\d:\d\d) (?:\S+ )?dnsmasq(?:\[\d+\])?: (?:\d+ )?(?:[\d.:a-f]+/\d+ )?"
    r"(.*)$"
)


class DnsmasqReader(Reader):
    """dnsmasq log-queries lines (syslog time without a year: the current year is assumed)."""

    name = "dnsmasq"

    def __init__(self, year: int | None = None) -> None:
        self.year = year or datetime.now(UTC).year

    def parse(self, line: str) -> Parsed:
        match = _DNSMASQ.match(line)
        if match is None:
            return None
        when, message = match.groups()
        words = message.split(" ")
        if len(words) < 3 or not (words[0].startswith("query[") or words[0] in _DNSMASQ_VERBS):
            return SKIP
        record = Record(when=when)
        add_host(record, words[1])
        if words[0].startswith("query[") and words[2] == "from" and len(words) > 3:
            record.client = words[3]
        elif words[2] == "is" and len(words) > 3 and is_ip(words[3]):
            record.ips.append(words[3])
        return record

    def timestamp(self, raw: str) -> datetime | None:
        return strptime_utc(f"{self.year} {raw}", "%Y %b %d %H:%M:%S")


_DNSMASQ_VERBS = frozenset({"reply", "cached", "forwarded", "config", "/etc/hosts"})

_WINDNS = re.compile(
    r"^(\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d\d:\d\d(?: [AP]M)?) \w+ PACKET +\w+ "
    r"(?:UDP|TCP) (?:Rcv|Snd) "
    r"(\S+) +\w+ +R? (\w) \[[^\]]*\] +\w+ +(\S+)\s*$"
)
_WIRE_LABEL = re.compile(r"\(\d+\)")


class WindowsDnsReader(Reader):
    """Windows DNS server debug log (packet lines; the banner and details are skipped)."""

    name = "windns"

    def parse(self, line: str) -> Parsed:
        if " PACKET " not in line:
            return SKIP
        match = _WINDNS.match(line)
        if match is None:
            return None
        when, client, _opcode, wire_name = match.groups()
        name = ".".join(label for label in _WIRE_LABEL.split(wire_name) if label)
        record = Record(when=when, client=client)
        add_host(record, name)
        return record

    def timestamp(self, raw: str) -> datetime | None:
        if raw.endswith("M"):
            return strptime_utc(raw, "%m/%d/%Y %I:%M:%S %p")
        return strptime_utc(raw, "%d/%m/%Y %H:%M:%S")


def _all_digests(column: list[bytes]) -> bool:
    """Tell whether every value is a hex digest of an MD5, SHA-1 or SHA-256 length."""
    if not set(map(len, column)) <= {32, 40, 64}:
        return False
    return not b"".join(column).translate(None, b"0123456789abcdef")


class HashListReader(Reader):
    """sha256sum/sha1sum/md5sum output (`digest  path`, `digest *path`) and BSD `SHA256 (p) = d`."""

    name = "hashes"
    # `\w+` scans faster than a hex class; the digests are then checked in bulk
    fast = FastPath(re.compile(rb"\n(\w+) [ *]"), ("hash",), valid=_all_digests)

    def parse(self, line: str) -> Parsed:
        if line.startswith("#") or not line.strip():
            return SKIP
        digest, _, rest = line.partition(" ")
        digest = digest.lower()
        if hash_type(digest) is not None and rest[:1] in (" ", "*"):
            return Record(hashes=[digest])
        if ") = " not in line:
            return None
        digest = line.rpartition(") = ")[2].strip().lower()
        if hash_type(digest) is None:
            return None
        return Record(hashes=[digest])

    def timestamp(self, raw: str) -> datetime | None:
        return None
