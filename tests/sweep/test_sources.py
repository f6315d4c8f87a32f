"""Inputs: directories, .gz, binary and unreadable files, byte ranges split across workers."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from tests.sweep.helpers import indicator_set, write
from tocsin.sweep import sources
from tocsin.sweep.scan import Tally

BIND_LINE = (
    "23-Nov-2026 10:00:{s:02d}.000 queries: info: client @0x1 10.0.0.{c}#5353 ({n}): "
    "query: {n} IN A + (10.0.0.53)\n"
)


def _bind(count: int, every: int = 7) -> str:
    names = ("benign.fr", "www.evil.com", "notevil.com")
    return "".join(
        BIND_LINE.format(s=i % 60, c=i % 250, n=names[0] if i % every else names[1 + i % 2])
        for i in range(count)
    )


def _hits(reports: list[sources.FileReport]) -> dict[str, int]:
    total = Tally()
    for report in reports:
        total.merge(report.tally)
    return {value: s.count for (_, value), s in total.sightings.items()}


def test_directories_are_walked_and_gz_read(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    write(tmp_path / "a", "query.log", _bind(70))
    with gzip.open(tmp_path / "a" / "b" / "query.log.1.gz", "wt") as stream:
        stream.write(_bind(70))
    reports = sources.run(paths=[str(tmp_path)], indicators=indicator_set("evil.com"))
    assert [r.format for r in reports] == ["bind", "bind"]
    assert _hits(reports) == {"evil.com": 10}
    assert all(r.tally.lines == 70 for r in reports)


def test_binary_and_unreadable_files_are_reported_and_the_rest_continues(tmp_path: Path) -> None:
    good = write(tmp_path, "query.log", _bind(14))
    (tmp_path / "core.bin").write_bytes(b"\x7fELF\x00\x00\x01" * 100)
    missing = str(tmp_path / "gone.log")
    reports = sources.run(
        paths=[good, str(tmp_path / "core.bin"), missing], indicators=indicator_set("evil.com")
    )
    errors = {Path(r.source).name: r.error for r in reports}
    assert errors["core.bin"] == "binary file skipped"
    assert errors["gone.log"] is not None and errors["gone.log"].startswith("unreadable")
    assert errors["query.log"] is None
    assert _hits(reports) == {"evil.com": 1}


def test_undetectable_file_is_refused_with_the_formats(tmp_path: Path) -> None:
    path = write(tmp_path, "notes.txt", "hello\nworld\n")
    [report] = sources.run(paths=[path], indicators=indicator_set("evil.com"))
    assert report.error is not None and "known formats: squid" in report.error


@pytest.mark.parametrize("jobs", [1, 2])
def test_byte_ranges_cover_every_line_exactly_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    text = _bind(3000, every=13)
    path = write(tmp_path, "query.log", text)
    whole = sources.run(paths=[path], indicators=indicator_set("evil.com"))
    monkeypatch.setattr(sources, "RANGE", 4099)  # ranges cut lines in the middle
    monkeypatch.setattr(sources, "BLOCK", 1021)
    split = sources.run(paths=[path], indicators=indicator_set("evil.com"), jobs=jobs)
    assert split[0].tally.lines == whole[0].tally.lines == 3000
    assert split[0].tally.bytes == len(text.encode())
    assert _hits(split) == _hits(whole) == {"evil.com": text.count("query: www.evil.com")}


def test_malformed_lines_are_counted_per_file(tmp_path: Path) -> None:
    text = (
        _bind(20) + "23-Nov-2026 10:00:00.000 queries: info: client @0x1 10.0.0.1#1 (x): query:\n"
    )
    path = write(tmp_path, "query.log", text)
    [report] = sources.run(paths=[path], indicators=indicator_set("evil.com"))
    assert report.tally.malformed == 1
    assert report.tally.first_malformed is not None
    assert report.tally.first_malformed.endswith("query:")
