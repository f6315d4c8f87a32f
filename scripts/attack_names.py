"""Regenerate src/tocsin/indicators/attack_names.json from MITRE's published ATT&CK data.

Usage: python scripts/attack_names.py SOURCE
SOURCE is the enterprise-attack STIX bundle (enterprise-attack/enterprise-attack.json of
the mitre/cti repository) or its enterprise-attack/attack-pattern directory. The table maps
each technique and sub-technique id to ATT&CK's own name, as MISP's mitre-attack-pattern
galaxy spells its clusters ("<name> - <id>"), and to the uuid of its attack-pattern object,
which MISP's clusters reuse; revoked and deprecated techniques are left out.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

TARGET = Path(__file__).resolve().parents[1] / "src/tocsin/indicators/attack_names.json"


def _objects(source: Path) -> Iterator[dict[str, Any]]:
    if source.is_dir():
        for path in sorted(source.glob("*.json")):
            yield from json.loads(path.read_bytes()).get("objects", [])
    else:
        yield from json.loads(source.read_bytes()).get("objects", [])


def technique_names(source: Path) -> dict[str, list[str]]:
    """ATT&CK id -> [name, uuid] of every current enterprise technique."""
    names = {}
    for obj in _objects(source):
        if obj.get("type") != "attack-pattern" or obj.get("revoked"):
            continue
        if obj.get("x_mitre_deprecated"):
            continue
        for ref in obj.get("external_references", []):
            if ref.get("source_name") == "mitre-attack" and ref.get("external_id"):
                names[ref["external_id"]] = [
                    obj["name"],
                    obj["id"].removeprefix("attack-pattern--"),
                ]
    return dict(sorted(names.items()))


if __name__ == "__main__":
    table = technique_names(Path(sys.argv[1]))
    lines = [f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in table.items()]
    TARGET.write_text("{\n" + ",\n".join(lines) + "\n}\n")  # one technique a line: small diffs
    print(f"{len(table)} techniques written to {TARGET}")
