"""Real data in: every file of the corpus imports, and only truly invalid objects are refused.

The corpus is built from the package registries by `tests/interop/corpus/build.py` (the
stix2-validator examples, PyMISP's test events, MISP's own STIX exporter run on them, the
OASIS generator); `corpus/expected.json` records, for each file, how many drafts and
indicators it must give and which objects must be refused (each one checked by hand: a
domain with a space in it, a URL whose host is an IP address cut short, a path given as a
URL).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.interop.corpus.build import DEFAULT_DIR, build
from tests.world import World

EXPECTED: dict[str, dict[str, Any]] = json.loads(
    (Path(__file__).parent / "corpus" / "expected.json").read_text()
)


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The corpus directory, built on first use (a few minutes: downloads and conversions)."""
    if not (DEFAULT_DIR / "COMPLETE").exists():
        build(DEFAULT_DIR)
    return DEFAULT_DIR


def outcome(report: dict[str, Any]) -> dict[str, Any]:
    return {
        "drafts": len(report["drafts"]),
        "indicators": sum(d["indicators"] for d in report["drafts"]),
        "refused": sorted(r["object"] for r in report["refused"]),
    }


def test_the_corpus_holds_exactly_the_files_with_an_expectation(corpus: Path) -> None:
    found = {
        str(path.relative_to(corpus)) for part in ("stix", "misp")
        for path in (corpus / part).rglob("*.json")
    }  # fmt: skip
    assert found == set(EXPECTED)
    assert sum(name.startswith("stix/misp-stix/") for name in found) >= 13


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_file_of_the_corpus_imports_dry_and_for_real(
    name: str, corpus: Path, client: TestClient, world: World
) -> None:
    document = json.loads((corpus / name).read_bytes())
    url, auth = "/api/v1/imports", world.auth("E1")
    dry = client.post(url, json=document, params={"dry_run": "true"}, headers=auth)
    assert dry.status_code == 201, dry.text
    assert outcome(dry.json()) == EXPECTED[name]
    real = client.post(url, json=document, headers=auth)
    assert real.status_code == 201, real.text
    assert outcome(real.json()) == EXPECTED[name]
    assert all(d["id"] for d in real.json()["drafts"])
    if EXPECTED[name]["refused"]:
        strict = client.post(url, json=document, params={"strict": "true"}, headers=auth)
        assert strict.status_code == 422
