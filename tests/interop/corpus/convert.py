"""Run by build.py inside the tools' own environment (misp-stix, stix2-generator).

Usage: convert.py EVENTS_DIR MISP_STIX_OUT GENERATOR_OUT COUNT
Run with PYTHONHASHSEED=0 (build.py does): the generator iterates over sets.
Each MISP event becomes the STIX 2.1 bundle MISP's exporter writes; an event the exporter
itself cannot convert is skipped (it stays in the MISP part of the corpus). Then COUNT
bundles come from stix2-generator with fixed seeds.
"""

import json
import random
import sys
import uuid
from pathlib import Path


def _misp_to_stix(events: Path, out: Path) -> None:
    from misp_stix_converter import MISPtoSTIX21Parser

    out.mkdir(parents=True, exist_ok=True)
    for path in sorted(events.glob("*.json")):
        parser = MISPtoSTIX21Parser()
        try:
            parser.parse_misp_event(json.loads(path.read_bytes()))
            bundle = parser.bundle
        except Exception as exc:  # the exporter's own limits; reported, not fatal
            print(f"misp-stix cannot convert {path.name}: {type(exc).__name__}", file=sys.stderr)
            continue
        (out / path.name).write_text(bundle.serialize(pretty=True))


def _generated(out: Path, count: int) -> None:
    import stix2
    import stix2generator
    from faker import Faker
    from stix2generator.generation.stix_generator import Config

    out.mkdir(parents=True, exist_ok=True)
    # The generator draws ids from uuid4: draw them from the seeded generator instead.
    uuid.uuid4 = lambda: uuid.UUID(int=random.getrandbits(128), version=4)
    for seed in range(count):
        random.seed(seed)
        Faker.seed(seed)
        generator = stix2generator.create_stix_generator(
            stix_generator_config=Config(complete_ref_properties=True)
        )
        objects = list(generator.generate().values())
        bundle = stix2.Bundle(objects=objects, allow_custom=True)
        (out / f"generated-{seed}.json").write_text(bundle.serialize(pretty=True))


if __name__ == "__main__":
    _misp_to_stix(Path(sys.argv[1]), Path(sys.argv[2]))
    _generated(Path(sys.argv[3]), int(sys.argv[4]))
