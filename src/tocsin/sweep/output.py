"""Write the results: a table on a terminal, JSON or CSV for scripts; the per-file summary."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from datetime import datetime
from typing import IO, Any

from rich.console import Console
from rich.table import Table

from tocsin.exports import spreadsheet_cell
from tocsin.sweep.loading import Loaded
from tocsin.sweep.matcher import Key
from tocsin.sweep.scan import Sighting
from tocsin.sweep.sources import FileReport

OUTPUTS = ("table", "json", "csv")


def merged(reports: Iterable[FileReport]) -> dict[Key, Sighting]:
    """Fold the sightings of every input into one per indicator."""
    total: dict[Key, Sighting] = {}
    for report in reports:
        for key, sighting in report.tally.sightings.items():
            total.setdefault(key, Sighting()).merge(sighting)
    return total


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def rows(sightings: dict[Key, Sighting], loaded: Loaded) -> list[dict[str, Any]]:
    """One object per matched indicator, most seen first."""
    ordered = sorted(sightings.items(), key=lambda item: (-item[1].count, item[0]))
    return [
        {
            "value": value,
            "type": kind,
            "count": sighting.count,
            "first_seen": _iso(sighting.first_seen),
            "last_seen": _iso(sighting.last_seen),
            "indicator_ids": [ref.indicator_id for ref in loaded.refs.get((kind, value), [])],
            "samples": [{"source": src, "line": line} for src, line in sighting.samples],
        }
        for (kind, value), sighting in ordered
    ]


def write(kind: str, results: list[dict[str, Any]], stream: IO[str], console: Console) -> None:
    """Write the results in the chosen output format."""
    if kind == "json":
        json.dump(results, stream, indent=1)
        stream.write("\n")
    elif kind == "csv":
        writer = csv.writer(stream)
        writer.writerow(["value", "type", "count", "first_seen", "last_seen"])
        for row in results:
            value = spreadsheet_cell(str(row["value"] or ""))
            seen = (row["first_seen"] or "", row["last_seen"] or "")
            writer.writerow([value, row["type"] or "", row["count"] or "", *seen])
    else:
        _table(results, console)


def _table(results: list[dict[str, Any]], console: Console) -> None:
    if not results:
        console.print("No indicator found in the logs swept.")
        return
    table = Table(title=f"{len(results)} indicator(s) seen")
    for column in ("value", "type", "count", "first seen", "last seen"):
        table.add_column(column)
    for row in results:
        table.add_row(
            row["value"],
            row["type"],
            str(row["count"]),
            row["first_seen"] or "-",
            row["last_seen"] or "-",
        )
    console.print(table)
    for row in results:
        for sample in row["samples"]:
            console.print(
                f"[dim]{row['value']}  {sample['source']}:[/dim] {sample['line']}",
                markup=True,
                highlight=False,
                soft_wrap=True,
            )


def summary(reports: list[FileReport], console: Console) -> None:
    """Say per input how many lines were read and skipped, and what could not be read."""
    for report in reports:
        tally = report.tally
        if report.error:
            console.print(f"[yellow]{report.source}[/yellow]: {report.error}")
        elif tally.malformed:
            console.print(
                f"{report.source} ({report.format}): {tally.lines} lines, "
                f"{tally.malformed} malformed skipped; first: {tally.first_malformed!r}",
                highlight=False,
            )
