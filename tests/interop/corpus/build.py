"""Build the interoperability corpus from the package registries (run: python build.py [DIR]).

What real peers send, never copied by hand:
- `stix/validator/`: the STIX 2.1 examples shipped in the stix2-validator 3.2.0 sdist;
- `misp/pymisp/`: the MISP events among PyMISP's test files (its sdist, the installed version);
- `stix/misp-stix/`: those events as MISP's own exporter (misp-stix) writes them in STIX 2.1;
- `stix/generator/`: bundles from the OASIS stix2-generator, seeded so they are stable.

misp-stix and stix2-generator run in a virtual environment of their own inside DIR, so their
dependencies never touch the project's. A build that completed writes DIR/COMPLETE.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from importlib.metadata import version
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_DIR = HERE.parents[2] / "test-artifacts" / "corpus"
VALIDATOR = "stix2-validator==3.2.0"
TOOLS = ["misp-stix==2026.10.12", "stix2-generator==0.2.0"]
GENERATED_BUNDLES = 6


def _download_sdist(requirement: str, into: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
         "-d", str(into), requirement],
        check=True,
    )  # fmt: skip
    name, _, wanted = requirement.partition("==")
    return next(into.glob(f"{name.replace('-', '?')}-{wanted}.tar.gz"))


def _extract(sdist: Path, keep: str, into: Path, *, flat_name: bool = False) -> list[Path]:
    """Members of an sdist under `keep` ending in .json, written into `into`."""
    written = []
    with tarfile.open(sdist) as archive:
        for member in archive.getmembers():
            inner = member.name.split("/", 1)[-1]
            if not member.isfile() or not inner.startswith(keep) or not inner.endswith(".json"):
                continue
            relative = inner.removeprefix(keep)
            name = relative.replace("/", "__") if flat_name else Path(relative).name
            target = into / name
            target.parent.mkdir(parents=True, exist_ok=True)
            extracted = archive.extractfile(member)
            assert extracted is not None
            target.write_bytes(extracted.read())
            written.append(target)
    return written


def _is_event(path: Path) -> bool:
    """A MISP event, wrapped ({"Event": ...}) or bare (as MISPEvent.load accepts)."""
    try:
        document = json.loads(path.read_bytes())
    except ValueError:
        return False
    inner = document.get("Event", document) if isinstance(document, dict) else None
    return isinstance(inner, dict) and isinstance(inner.get("info"), str)


def _misp_events(sdists: Path, into: Path) -> None:
    sdist = _download_sdist(f"pymisp=={version('pymisp')}", sdists)
    with tempfile.TemporaryDirectory() as scratch:
        for path in _extract(sdist, "tests/", Path(scratch), flat_name=True):
            if _is_event(path):
                into.mkdir(parents=True, exist_ok=True)
                shutil.copy(path, into / path.name)


def _tools_python(directory: Path) -> Path:
    venv = directory / ".venv"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *TOOLS], check=True)
    return python


def build(directory: Path = DEFAULT_DIR) -> Path:
    """Download and convert everything into `directory`; return it."""
    (directory / "COMPLETE").unlink(missing_ok=True)
    for part in ("stix", "misp"):
        shutil.rmtree(directory / part, ignore_errors=True)
    sdists = directory / "sdists"
    sdists.mkdir(parents=True, exist_ok=True)
    validator = _download_sdist(VALIDATOR, sdists)
    _extract(validator, "stix2validator/schemas-2.1/examples/", directory / "stix" / "validator")
    _misp_events(sdists, directory / "misp" / "pymisp")
    subprocess.run(
        [str(_tools_python(directory)), str(HERE / "convert.py"), str(directory / "misp" / "pymisp"),
         str(directory / "stix" / "misp-stix"), str(directory / "stix" / "generator"),
         str(GENERATED_BUNDLES)],
        check=True, env={**os.environ, "PYTHONHASHSEED": "0"},
    )  # fmt: skip
    (directory / "COMPLETE").write_text("\n".join([VALIDATOR, *TOOLS]) + "\n")
    return directory


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DIR))
