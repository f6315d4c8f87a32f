"""The scanner's bulk helpers agree with the per-line reading they stand in for."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.sweep.helpers import counts, scan_text
from tocsin.sweep.records import host_of_url
from tocsin.sweep.scan import _lines_at, url_hosts

# URL fields as logs hold them: no whitespace, and every character that steers the reading
url_fields = st.text(alphabet="aZ.-_:/?#@[]%09", min_size=0, max_size=40)


@given(st.lists(url_fields, min_size=1, max_size=20))
def test_url_hosts_in_bulk_are_those_read_one_by_one(urls: list[str]) -> None:
    column = "\n".join(urls).lower().encode()
    assert url_hosts(b"\n" + column) == [host_of_url(u).encode() for u in urls]


@given(st.lists(st.text(alphabet="ab\r ", max_size=12), min_size=1, max_size=60), st.data())
def test_lines_by_index_are_those_of_a_full_split(lines: list[str], data: st.DataObject) -> None:
    block = "\n".join(lines).encode()
    wanted = sorted(data.draw(st.sets(st.integers(0, len(lines) - 1))))
    stretch = data.draw(st.integers(1, 40))  # short stretches: skipping is exercised too
    assert list(_lines_at(block, wanted, stretch)) == [block.split(b"\n")[i] for i in wanted]


SQUID = (
    "1793000000.004  51576 10.3.234.92 TCP_MISS/200 204065 GET http://u:p@CDN.Evil.com:8080/a.js"
    " - HIER_DIRECT/198.18.110.46 application/javascript\n"
    "1793000001.120    312 10.3.62.248 TCP_TUNNEL/200 5120 CONNECT login.evil.com:443 -"
    " HIER_DIRECT/45.9.8.7 -\n"
    "1793000002.500     88 10.0.0.9 TCP_MISS/200 900 GET http://benign.fr/r?u=http://evil.com/"
    " - HIER_DIRECT/45.9.9.1 text/html\n"
)


@pytest.mark.parametrize(
    "extra",
    [
        "",  # every line ten fields: read by fields
        "1793000003.0 1 10.0.0.9 TCP_MISS/200 9 GET http://evil.com/ - HIER_NONE/- text/html x\n",
    ],
)
def test_squid_blocks_read_by_fields_or_by_pattern_find_the_same(extra: str) -> None:
    tally = scan_text(SQUID + extra, "evil.com", "45.9.8.0/24", fmt="squid")
    assert tally.malformed == 0
    assert counts(tally) == {"evil.com": 2 + (1 if extra else 0), "45.9.8.0/24": 1}


def test_a_log_where_most_lines_hit_is_counted_line_by_line() -> None:
    digests = [f"{n:064x}" for n in range(1, 41)]
    text = "".join(f"{d}  /srv/file{n}.exe\n" for n, d in enumerate(digests * 3))
    tally = scan_text(text, *digests, fmt="hashes")
    assert counts(tally) == dict.fromkeys(digests, 3)
