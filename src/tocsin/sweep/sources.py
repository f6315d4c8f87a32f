"""Inputs (files, directories, .gz, standard input), their split into line-aligned byte ranges,
and the parallel run over a pool of worker processes."""

from __future__ import annotations

import gzip
import itertools
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import BinaryIO

from tocsin.sweep.base import Reader
from tocsin.sweep.formats import build_reader, detect_format
from tocsin.sweep.matcher import IndicatorSet
from tocsin.sweep.scan import Scanner, Tally

BLOCK = 4 << 20  # scanned at once: large enough for bulk regexes, small enough for the cache
RANGE = 32 << 20  # one task; a file larger than this is split across workers
HEAD_BYTES = 64 << 10
STDIN = "-"


@dataclass
class FileReport:
    """How one input went: its format and tally, or why it was skipped."""

    source: str
    format: str | None = None
    tally: Tally = field(default_factory=Tally)
    error: str | None = None


@dataclass(frozen=True)
class Task:
    source: str
    reader: Reader
    start: int
    end: int
    gz: bool


def expand(paths: list[str]) -> Iterator[str]:
    """Yield files, walking directories recursively in a stable order; '-' is standard input."""
    for path in paths:
        if path != STDIN and os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                dirs.sort()
                for name in sorted(files):
                    yield os.path.join(root, name)
        else:
            yield path


def _open(source: str, gz: bool) -> BinaryIO:
    if gz:
        return gzip.open(source, "rb")  # type: ignore[return-value]
    return open(source, "rb")


def _head(raw: bytes) -> list[str]:
    lines = raw.decode("utf-8", "replace").split("\n")
    return lines[:-1] if len(lines) > 1 else lines


def _is_gzip(source: str) -> bool:
    with open(source, "rb") as stream:
        return stream.read(2) == b"\x1f\x8b"


def plan(source: str, fmt: str, mapping: Mapping[str, str] | None) -> tuple[FileReport, list[Task]]:
    """Detect a file's format and cut it into tasks; problems go into the report."""
    report = FileReport(source)
    try:
        gz = _is_gzip(source)
        with _open(source, gz) as stream:
            raw = stream.read(HEAD_BYTES)
        if b"\x00" in raw[:8192]:
            report.error = "binary file skipped"
            return report, []
        head = _head(raw)
        name = detect_format(head[:50]) if fmt == "auto" else fmt
        reader = build_reader(name, head[:50], mapping)
        size = os.path.getsize(source)
    except (OSError, EOFError, ValueError) as exc:
        report.error = str(exc) if not isinstance(exc, OSError) else f"unreadable: {exc.strerror}"
        return report, []
    report.format = name
    if gz or size <= RANGE:
        return report, [Task(source, reader, 0, size, gz)]
    cuts = [*range(0, size, RANGE), size]
    return report, [Task(source, reader, a, b, False) for a, b in itertools.pairwise(cuts)]


def _blocks(task: Task) -> Iterator[bytes]:
    """Yield the whole lines that start inside the task's byte range, a block at a time."""
    with _open(task.source, task.gz) as stream:
        if task.gz:
            yield from _carry_lines(iter(lambda: stream.read(BLOCK), b""))
            return
        if task.start > 0:
            stream.seek(task.start - 1)
            if stream.read(1) != b"\n":
                stream.readline()  # that line belongs to the previous range
        position = stream.tell()
        while position < task.end:
            data = stream.read(min(BLOCK, task.end - position))
            if not data:
                return
            position += len(data)
            if not data.endswith(b"\n"):
                # finish the line here (one copy), rather than carry it into the next block
                rest = stream.readline()
                position += len(rest)
                data += rest
            yield data


def _carry_lines(chunks: Iterator[bytes]) -> Iterator[bytes]:
    carry = b""
    for data in chunks:
        data = carry + data
        cut = data.rfind(b"\n") + 1
        carry = data[cut:]
        if cut:
            yield data[:cut]
    if carry:
        yield carry


_WORKER: Scanner | None = None


def _run_task(task: Task) -> tuple[str, Tally, str | None]:
    assert _WORKER is not None
    tally = Tally()
    try:
        for block in _blocks(task):
            tally.merge(_WORKER.scan(task.reader, block, task.source))
    except (OSError, EOFError) as exc:
        return task.source, tally, f"read error: {exc}"
    return task.source, tally, None


Progress = Callable[[int, int], None]  # (bytes, lines) just scanned


def run(
    *,
    paths: list[str],
    indicators: IndicatorSet,
    since: datetime | None = None,
    fmt: str = "auto",
    mapping: Mapping[str, str] | None = None,
    jobs: int = 1,
    progress: Progress | None = None,
) -> list[FileReport]:
    """Sweep every input, in parallel over `jobs` processes; return one report per input."""
    global _WORKER
    _WORKER = Scanner(indicators, since)
    reports: dict[str, FileReport] = {}
    tasks: list[Task] = []
    for source in expand(paths):
        if source == STDIN:
            reports[STDIN] = _run_stdin(_WORKER, fmt, mapping, progress)
            continue
        report, planned = plan(source, fmt, mapping)
        reports[source] = report
        tasks += planned
    for source, tally, error in _execute(tasks, jobs):
        reports[source].tally.merge(tally)
        reports[source].error = reports[source].error or error
        if progress:
            progress(tally.bytes, tally.lines)
    return list(reports.values())


def _execute(tasks: list[Task], jobs: int) -> Iterator[tuple[str, Tally, str | None]]:
    if jobs <= 1 or len(tasks) <= 1:
        yield from map(_run_task, tasks)
        return
    # fork shares the loaded indicator set with the workers without pickling it
    context = multiprocessing.get_context("fork")
    with context.Pool(jobs) as pool:
        yield from pool.imap_unordered(_run_task, tasks)


def _run_stdin(
    scanner: Scanner, fmt: str, mapping: Mapping[str, str] | None, progress: Progress | None
) -> FileReport:
    report = FileReport("<stdin>")
    chunks = _carry_lines(iter(lambda: sys.stdin.buffer.read(BLOCK), b""))
    first = next(chunks, b"")
    head = _head(first[:HEAD_BYTES])
    try:
        report.format = detect_format(head[:50]) if fmt == "auto" else fmt
        reader = build_reader(report.format, head[:50], mapping)
    except ValueError as exc:
        report.error = str(exc)
        return report
    for block in (first, *chunks):
        tally = scanner.scan(reader, block, report.source)
        report.tally.merge(tally)
        if progress:
            progress(tally.bytes, tally.lines)
    return report
