"""Matching against the MISP warninglists shipped with pymispwarninglists (offline)."""

from __future__ import annotations

import gc
import subprocess
import sys

from tocsin.indicators.types import IndicatorType as T
from tocsin.intel import warninglists


def test_well_known_benign_values_are_on_named_lists() -> None:
    lists = warninglists.default()
    assert "List of known IPv4 public DNS resolvers" in lists.match(T.IPV4, "8.8.8.8")
    assert "List of RFC 1918 CIDR blocks" in lists.match(T.IPV4, "10.1.2.3")
    assert "List of RFC 1918 CIDR blocks" in lists.match(T.CIDR, "192.168.4.0/24")
    assert lists.match(T.DOMAIN, "www.google.com")
    assert lists.match(T.URL, "https://drive.google.com/file/x")
    assert lists.match(T.MD5, "d41d8cd98f00b204e9800998ecf8427e")  # the empty file


def test_unknown_values_and_bare_suffixes_are_not_flagged() -> None:
    lists = warninglists.default()
    assert lists.match(T.DOMAIN, "beacon.qzx-ransom-relay.top") == []
    assert lists.match(T.IPV4, "45.155.205.233") == []
    assert lists.match(T.SHA256, "b" * 64) == []


def test_the_loaded_lists_are_out_of_the_garbage_collectors_walks() -> None:
    """Every full collection walked the lists' objects, a second of CPU in the middle of a
    national fan-out; once loaded they are frozen."""
    lists = warninglists.default()
    walked = gc.get_objects()
    assert not any(o is lists or o is lists.exact for o in walked)
    assert gc.get_freeze_count() > 100_000


def test_the_lists_load_without_the_packages_schema_machinery() -> None:
    """Importing pymispwarninglists builds jsonschema's format grammar, 3 s of a node's first
    alert; the lists are plain JSON files read by path."""
    probe = (
        "import sys\nfrom tocsin.intel import warninglists\n"
        "assert warninglists.default().exact\n"
        "print(sorted(m for m in ('jsonschema', 'pymispwarninglists') if m in sys.modules))"
    )
    ran = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert ran.stdout.strip() == "[]"
