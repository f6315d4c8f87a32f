"""Every parser of outside input, fed random and mutated input: it answers or refuses with
a typed error naming what is wrong, never crashes, never hangs (each example has a deadline).

Parsers: the log readers of `tocsin sweep`, the free-text indicator extractor, the STIX 2.1
bundle import and the MISP event import. (Indicator normalisation has its own properties in
tests/indicators/test_properties.py; the HTTP API is fuzzed by test_openapi_fuzz.py.)
"""

from __future__ import annotations

import json
import os
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tocsin.errors import InvalidInput
from tocsin.exchange.misp_import import plan_event
from tocsin.exchange.stix_import import plan_bundle
from tocsin.indicators.extract import extract
from tocsin.sweep.base import SKIP
from tocsin.sweep.formats import build_reader
from tocsin.sweep.records import Record

BOUNDED = settings(
    max_examples=int(os.environ.get("TOCSIN_FUZZ_EXAMPLES", "150")),
    deadline=timedelta(seconds=2),
    suppress_health_check=list(HealthCheck),
)

# Lines that look like each log format, then bent: random fields, cut, doubled, binary.
LOG_SHAPES = [
    "1793000000.004  51576 10.3.234.92 TCP_MISS/200 204065 GET http://{w}/x - HIER_DIRECT/{w} text/html",
    '10.0.0.1 - - [26/Oct/2026:07:55:15 +0100] "GET /{w} HTTP/1.1" 200 512 "-" "{w}"',
    "26-Oct-2026 07:55:15.878 queries: info: client @0x7f 10.3.249.164#39526 ({w}): query: {w} IN A +E(0)K (10.0.0.53)",
    "Oct 26 07:55:15 dnsmasq[812]: query[A] {w} from 10.0.0.9",
    '{{"timestamp":"2026-10-26T07:55:15.1+0000","event_type":"dns","dns":{{"rrname":"{w}"}}}}',
    "{w}  /var/tmp/{w}",
]
FORMAT_HEADS = {
    "squid": LOG_SHAPES[0], "combined": LOG_SHAPES[1], "bind": LOG_SHAPES[2],
    "dnsmasq": LOG_SHAPES[3], "suricata": LOG_SHAPES[4], "hashes": "a" * 64 + "  /x",
    "jsonl": '{"domain": "evil.example.com"}', "csv": "timestamp,domain\n1,evil.example.com",
    "zeek": "#separator \\x09\n#fields\tts\tquery\n#types\ttime\tstring",
}  # fmt: skip
words = st.text(min_size=0, max_size=40)


@st.composite
def log_lines(draw: st.DrawFn) -> str:
    shape = draw(st.sampled_from(LOG_SHAPES))
    line = shape.replace("{w}", draw(words)).replace("{{", "{").replace("}}", "}")
    cut = draw(st.integers(min_value=0, max_value=len(line)))
    return draw(st.sampled_from([line, line[:cut], line + line, draw(st.text(max_size=200))]))


@BOUNDED
@given(name=st.sampled_from(sorted(FORMAT_HEADS)), line=log_lines())
def test_log_readers_parse_or_skip_any_line(name: str, line: str) -> None:
    reader = build_reader(name, FORMAT_HEADS[name].split("\n"))
    parsed = reader.parse(line)
    assert parsed is None or parsed is SKIP or isinstance(parsed, Record)


@BOUNDED
@given(text=st.one_of(
    st.text(max_size=2000),
    st.lists(st.sampled_from(["hxxp://", "[.]", "evil", "example", "com", "198.51.100",
                              "[:]//", " ", "\n", "@", "/", "::", "a" * 64, ".", "xn--"]),
             max_size=80).map("".join),
))  # fmt: skip
def test_the_indicator_extractor_never_fails_on_pasted_text(text: str) -> None:
    for found in extract(text):
        assert found.value  # whatever it keeps is a normalised, typed value


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                max_size=4),
    max_leaves=20,
)  # fmt: skip
STIX_KEYS = ["type", "id", "spec_version", "created", "modified", "pattern", "pattern_type",
             "valid_from", "name", "object_refs", "source_ref", "target_ref", "published",
             "relationship_type", "x_tocsin_severity", "object_marking_refs"]  # fmt: skip


@st.composite
def stix_bundles(draw: st.DrawFn) -> dict[str, Any]:
    objects = draw(st.lists(st.dictionaries(st.sampled_from(STIX_KEYS), json_values | st.sampled_from(
        ["report", "indicator", "malware", "relationship", "report--0f8e2d44-2a35-4a52-9a64-7a5c0f0b7b11",
         "2026-01-01T00:00:00Z", "[domain-name:value = 'evil.example.com']", "stix", "2.1"])),
        max_size=6))  # fmt: skip
    return {"type": "bundle", "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d",
            "objects": objects}  # fmt: skip


@BOUNDED
@given(bundle=stix_bundles())
def test_stix_import_refuses_bad_bundles_by_object_and_never_crashes(
    bundle: dict[str, Any],
) -> None:
    try:
        _, refused = plan_bundle(json.loads(json.dumps(bundle)))
    except InvalidInput as exc:
        refused = exc.errors
        assert refused
    assert all(e.field and e.reason for e in refused)


MISP_KEYS = ["info", "uuid", "date", "threat_level_id", "Attribute", "Object", "Tag", "analysis"]


@BOUNDED
@given(event=st.dictionaries(st.sampled_from(MISP_KEYS), json_values, max_size=6))
def test_misp_import_refuses_bad_events_and_never_crashes(event: dict[str, Any]) -> None:
    try:
        _, refused = plan_event({"Event": event})
    except InvalidInput as exc:
        refused = exc.errors
        assert refused
    assert all(e.field and e.reason for e in refused)
