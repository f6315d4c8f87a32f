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
            "alert_ids": sorted(
                {ref.alert_id for ref in loaded.refs.get((kind, value), []) if ref.alert_id}
            ),
            "samples": [{"source": src, "line": line} for src, line in sighting.samples],
        }
        for (kind, value), sighting in ordered
    ]


def write(
    kind: str, results: list[dict[str, Any]], stream: IO[str], console: Console,
    covered: tuple[int, int] = (0, 0),
) -> None:  # fmt: skip
    """Write the results in the chosen output format (`covered`: lines read, indicators)."""
    if kind == "json":
        json.dump(results, stream, indent=1)
        stream.write("\n")
    elif kind == "csv":
        writer = csv.writer(stream)
        writer.writerow(["value", "type", "count", "first_seen", "last_seen", "alerts"])
        for row in results:
            writer.writerow(
                [
                    spreadsheet_cell(str(row["value"] or "")),
                    row["type"] or "",
                    row["count"] or "",
                    row["first_seen"] or "",
                    row["last_seen"] or "",
                    " ".join(row.get("alert_ids") or []),
                ]
            )
    else:
        _table(results, console, covered)


def _table(results: list[dict[str, Any]], console: Console, covered: tuple[int, int]) -> None:
    lines, indicators = covered
    swept = f"{lines:,} line(s) swept for {indicators:,} indicator(s)"
    if not results:
        console.print(f"No indicator found in the logs swept ({swept}).", highlight=False)
        return
    table = Table(title=f"{len(results)} indicator(s) seen", caption=swept)
    for column in ("value", "type", "alert", "count", "first seen", "last seen"):
        table.add_column(column, overflow="fold")
    for row in results:
        table.add_row(
            row["value"], row["type"], "\n".join(row.get("alert_ids") or ["-"]),
            str(row["count"]), row["first_seen"] or "-", row["last_seen"] or "-",
        )  # fmt: skip
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
