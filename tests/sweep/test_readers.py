"""Each reader on realistic samples, with malformed lines counted and skipped."""

from __future__ import annotations

import pytest

from tests.sweep.helpers import counts, indicator_set, scan_text
from tocsin.sweep.formats import UnknownFormat, build_reader, detect_format
from tocsin.sweep.readers_text import DnsmasqReader
from tocsin.sweep.records import Record
from tocsin.sweep.scan import Scanner

SQUID = """\
1793000000.004  51576 10.3.234.92 TCP_MISS/200 204065 GET http://cdn.evil.com/a.js?x=1 - HIER_DIRECT/198.18.110.46 application/javascript
1793000001.120    312 10.3.62.248 TCP_TUNNEL/200 5120 CONNECT login.notevil.com:443 - HIER_DIRECT/198.19.42.107 -
1793000002.500     88 10.0.0.9 TCP_MISS/200 900 GET http://benign.fr/r?u=evil.com - HIER_DIRECT/45.9.8.7 text/html
garbage line that is not squid
1793000003.000     12 10.0.0.9 TCP_DENIED/403 0 CONNECT evil.com:443 - HIER_NONE/- text/html
"""


def test_squid_matches_host_fields_not_substrings() -> None:
    tally = scan_text(SQUID, "evil.com", "45.9.8.0/24")
    assert counts(tally) == {"evil.com": 2, "45.9.8.0/24": 1}
    assert tally.malformed == 1
    assert tally.first_malformed == "garbage line that is not squid"
    sighting = next(s for (_, v), s in tally.sightings.items() if v == "evil.com")
    assert sighting.first_seen is not None and sighting.first_seen.year == 2026
    assert sighting.last_seen is not None and sighting.last_seen > sighting.first_seen


def test_squid_fast_path_and_per_line_path_agree() -> None:
    clean = "".join(line + "\n" for line in SQUID.splitlines() if not line.startswith("garbage"))
    fast = scan_text(clean, "evil.com", "45.9.8.0/24")
    assert fast.malformed == 0
    assert counts(fast) == {"evil.com": 2, "45.9.8.0/24": 1}


COMBINED = """\
203.0.113.9 - - [23/Nov/2026:10:00:00 +0100] "GET /index.html HTTP/1.1" 200 512 "http://www.evil.com/x" "Mozilla/5.0"
198.51.100.4 - bob [23/Nov/2026:10:00:01 +0100] "POST /login HTTP/1.1" 302 0 "-" "curl/8.0"
203.0.113.9 - - [23/Nov/2026:10:00:02 +0100] "GET http://evil.com/proxy HTTP/1.1" 200 10 "-" "-"
not a web log line
"""


def test_combined_reads_client_referer_and_absolute_urls() -> None:
    tally = scan_text(COMBINED, "evil.com", "203.0.113.9")
    assert counts(tally) == {"evil.com": 2, "203.0.113.9": 2}
    assert tally.malformed == 1
    sighting = next(s for (_, v), s in tally.sightings.items() if v == "203.0.113.9")
    assert sighting.first_seen is not None and sighting.first_seen.utcoffset() is not None
    assert sighting.first_seen.isoformat() == "2026-11-23T10:00:00+01:00"


BIND = """\
23-Nov-2026 10:00:00.123 queries: info: client @0x7f3a10c0 10.1.2.3#53211 (A.Evil.COM): query: A.Evil.COM IN A +E(0)K (10.0.0.53)
23-Nov-2026 10:00:01.001 queries: info: client @0x7f3a10c0 10.1.2.4#53212 (xevil.com): query: xevil.com IN AAAA + (10.0.0.53)
23-Nov-2026 10:00:02.002 client 10.1.2.5#1234 (evil.com): query: evil.com IN TXT + (10.0.0.53)
23-Nov-2026 10:00:03.003 queries: info: client @0x7f3a10c0 10.1.2.6#1 (broken): query:
"""


def test_bind_query_names_case_insensitive_and_old_layout() -> None:
    tally = scan_text(BIND, "evil.com")
    assert counts(tally) == {"evil.com": 2}
    assert tally.malformed == 1
    reader = build_reader("bind", [])
    record = reader.parse(BIND.splitlines()[0])
    assert isinstance(record, Record) and record.client == "10.1.2.3"


DNSMASQ = """\
Nov 23 10:00:00 dnsmasq[812]: started, version 2.89 cachesize 150
Nov 23 10:00:01 dnsmasq[812]: query[A] update.evil.com from 192.168.1.20
Nov 23 10:00:01 dnsmasq[812]: forwarded update.evil.com to 9.9.9.9
Nov 23 10:00:01 dnsmasq[812]: reply update.evil.com is 45.9.8.7
Nov 23 10:00:02 dnsmasq[812]: query[AAAA] safe.example.org from 192.168.1.21
Nov 23 10:00:0 dnsmasq[812 broken
"""


def test_dnsmasq_queries_replies_and_banners() -> None:
    reader = DnsmasqReader(year=2026)
    assert isinstance(reader.parse(DNSMASQ.splitlines()[1]), Record)
    tally = scan_text(DNSMASQ, "evil.com", "45.9.8.7", fmt="dnsmasq")
    assert counts(tally) == {"evil.com": 3, "45.9.8.7": 1}
    assert tally.malformed == 1
    assert detect_format(DNSMASQ.splitlines()) == "dnsmasq"


WINDNS = """\
DNS Server log file creation at 11/23/2026 09:59:58 AM
Message logging key (for packets - other items use a subset of these fields):
\tField #  Information         Values
11/23/2026 10:00:00 AM 0E8C PACKET  000000D5E1C0 UDP Rcv 10.0.0.5        1a2b   Q [0001   D   NOERROR] A      (3)www(4)evil(3)com(0)
11/23/2026 10:00:00 AM 0E8C PACKET  000000D5E1C0 UDP Snd 10.0.0.5        1a2b R Q [8081   DR  NOERROR] A      (3)www(4)evil(3)com(0)
11/23/2026 10:00:01 AM 0E8C PACKET  000000D5E1C1 UDP Rcv 10.0.0.6        1a2c   Q [0001   D   NOERROR] A      (7)notevil(3)com(0)
11/23/2026 10:00:02 AM 0E8C PACKET  truncated
"""


def test_windows_dns_debug_log() -> None:
    tally = scan_text(WINDNS, "evil.com")
    assert counts(tally) == {"evil.com": 2}
    assert tally.malformed == 1
    sighting = next(iter(tally.sightings.values()))
    assert sighting.first_seen is not None and sighting.first_seen.hour == 10


HASHES = """\
# sha256sum -b /srv/partage -r
2C26B46B68FFC68FF99B453C1D30413413422D706483BFA0F98A5E886266E7AE *setup.exe
fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9  /srv/partage/docs/readme.txt
d41d8cd98f00b204e9800998ecf8427e  /srv/empty
SHA256 (/srv/bsd/tool.bin) = fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9
not-a-digest  /srv/oops
"""


def test_hash_lists_by_type_gnu_and_bsd() -> None:
    tally = scan_text(
        HASHES,
        "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
        "fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9",
        "d41d8cd98f00b204e9800998ecf8427e",
    )
    assert sorted(counts(tally).values()) == [1, 1, 2]
    assert tally.malformed == 1
    kinds = {kind for kind, _ in tally.sightings}
    assert kinds == {"sha256", "md5"}


def test_md5_indicator_does_not_match_inside_a_longer_digest() -> None:
    md5 = "d41d8cd98f00b204e9800998ecf8427e"
    text = f"{md5}{'0' * 32}  /srv/x\n"
    assert counts(scan_text(text, md5, fmt="hashes")) == {}


ZEEK_TSV = """\
#separator \\x09
#set_separator\t,
#path\tdns
#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tquery\tanswers
#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tvector[string]
1793000000.000000\tCx1\t10.0.0.5\t5353\t10.0.0.53\t53\tudp\tcdn.evil.com\t45.9.8.7,cdn2.example.org
1793000001.000000\tCx2\t10.0.0.6\t5353\t10.0.0.53\t53\tudp\tnotevil.com\t-
1793000002.000000\tCx3\tshort
#close\t2026-11-23-10-00-00
"""


def test_zeek_tsv_uses_the_fields_header() -> None:
    tally = scan_text(ZEEK_TSV, "evil.com", "45.9.8.7")
    assert counts(tally) == {"evil.com": 1, "45.9.8.7": 1}
    assert tally.malformed == 1


ZEEK_JSON = """\
{"ts":1793000000.5,"uid":"C1","id.orig_h":"10.0.0.5","id.resp_h":"45.9.8.7","host":"evil.com","uri":"/gate.php","method":"GET"}
{"ts":1793000001.5,"uid":"C2","id.orig_h":"10.0.0.5","id.resp_h":"10.0.0.80","sha256":"fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9"}
{"ts":1793000002.5,"uid":"C3", broken json
"""


def test_zeek_json_http_and_files() -> None:
    tally = scan_text(
        ZEEK_JSON,
        "http://evil.com/gate.php",
        "fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9",
    )
    assert set(counts(tally)) == {
        "http://evil.com/gate.php",
        "fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9",
    }
    assert tally.malformed == 1


EVE = """\
{"timestamp":"2026-11-23T10:00:00.123456+0100","event_type":"dns","src_ip":"10.0.0.5","dest_ip":"10.0.0.53","dns":{"type":"query","rrname":"c2.evil.com","rrtype":"A"}}
{"timestamp":"2026-11-23T10:00:01.000000+0100","event_type":"tls","src_ip":"10.0.0.5","dest_ip":"45.9.8.7","tls":{"sni":"login.evil.com","version":"TLS 1.3"}}
{"timestamp":"2026-11-23T10:00:02.000000+0100","event_type":"http","src_ip":"10.0.0.5","dest_ip":"198.18.0.1","http":{"hostname":"www.notevil.com","url":"/?q=evil.com"}}
{"timestamp":"2026-11-23T10:00:03.000000+0100","event_type":"fileinfo","src_ip":"198.18.0.1","dest_ip":"10.0.0.5","fileinfo":{"filename":"a.exe","md5":"d41d8cd98f00b204e9800998ecf8427e"}}
{"timestamp":"2026-11-23T10:00:04.000000+0100","event_type":"dns","dns":{"version":3,"queries":[{"rrname":"x.evil.com"}],"answers":[{"rrname":"x.evil.com","rdata":"45.9.8.7"}]}}
["not", "an", "event"]
"""


def test_suricata_eve_dns_tls_http_fileinfo() -> None:
    tally = scan_text(EVE, "evil.com", "45.9.8.7", "d41d8cd98f00b204e9800998ecf8427e")
    assert counts(tally) == {"evil.com": 3, "45.9.8.7": 2, "d41d8cd98f00b204e9800998ecf8427e": 1}
    assert tally.malformed == 1
    first = next(s for (_, v), s in tally.sightings.items() if v == "evil.com").first_seen
    assert first is not None and first.isoformat() == "2026-11-23T10:00:00.123456+01:00"


CSV = """\
time,sender,recipient,subject
2026-11-23T10:00:00Z,Invoice@Evil.com,alice@hospital.fr,Facture
2026-11-23T10:00:01Z,bob@partner.fr,carol@hospital.fr,Hello
2026-11-23T10:00:02Z,only,two
"""


def test_csv_mail_log_matches_addresses_and_sender_domains() -> None:
    tally = scan_text(CSV, "invoice@evil.com", "partner.fr")
    assert counts(tally) == {"invoice@evil.com": 1, "partner.fr": 1}
    assert tally.malformed == 1


JSONL = """\
{"@timestamp":"2026-11-23T10:00:00Z","source":{"ip":"10.0.0.5"},"destination":{"domain":"api.evil.com"}}
{"@timestamp":"2026-11-23T10:00:01Z","source":{"ip":"10.0.0.6"},"destination":{"domain":"evil.com.example.net"}}
"""


def test_jsonl_with_a_field_mapping() -> None:
    reader = build_reader("jsonl", [], {"@timestamp": "timestamp", "destination.domain": "domain"})
    tally = Scanner(indicator_set("evil.com")).scan(reader, JSONL.encode(), "x")
    assert counts(tally) == {"evil.com": 1}


def test_unknown_format_is_refused_with_the_list() -> None:
    with pytest.raises(UnknownFormat, match="known formats: squid, combined, bind"):
        detect_format(["hello world", "nothing to see"])
    with pytest.raises(UnknownFormat, match="known formats"):
        build_reader("syslog-ng", [])


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        (SQUID, "squid"),
        (COMBINED, "combined"),
        (BIND, "bind"),
        (WINDNS, "windns"),
        (HASHES, "hashes"),
        (ZEEK_TSV, "zeek"),
        (ZEEK_JSON, "zeek"),
        (EVE, "suricata"),
        (CSV, "csv"),
        (JSONL, "jsonl"),
    ],
)
def test_detection_from_the_first_lines(sample: str, expected: str) -> None:
    assert detect_format(sample.splitlines()) == expected


def test_word_tokens_that_are_not_digests_are_counted_malformed() -> None:
    digest = "d41d8cd98f00b204e9800998ecf8427e"
    text = f"{digest}  /srv/a\n{'z' * 32}  /srv/b\n{digest[:31]}  /srv/c\n"
    tally = scan_text(text, digest, fmt="hashes")
    assert counts(tally) == {digest: 1}
    assert tally.malformed == 2
