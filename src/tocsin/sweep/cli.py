"""`tocsin sweep`: match the shared indicators against local logs; only sightings leave."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import DownloadColumn, Progress, TextColumn, TransferSpeedColumn

from tocsin.sweep import output, sources
from tocsin.sweep.formats import FORMATS
from tocsin.sweep.hub import HubClient, HubError, load_from_hub
from tocsin.sweep.loading import Loaded, load_text
from tocsin.sweep.readers_struct import FIELD_KINDS
from tocsin.sweep.scan import Sighting

app = typer.Typer(help="Sweep local logs for shared indicators.")
EXIT_CLEAN, EXIT_HITS, EXIT_ERROR = 0, 1, 2


def _fail(message: str) -> typer.Exit:
    Console(stderr=True).print(f"[red]error:[/red] {message}", highlight=False)
    return typer.Exit(EXIT_ERROR)


def _parse_since(raw: str | None) -> datetime | None:
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise _fail(
            f"--since {raw!r} is not an ISO date (2026-11-23 or 2026-11-23T08:00)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _parse_mapping(fields: list[str]) -> dict[str, str] | None:
    mapping: dict[str, str] = {}
    for item in fields:
        name, sep, kind = item.partition("=")
        if not sep or kind not in FIELD_KINDS:
            raise _fail(
                f"--field {item!r}: expected NAME=KIND, KIND one of {', '.join(FIELD_KINDS)}"
            )
        mapping[name] = kind
    return mapping or None


@contextmanager
def _progress(total: int, console: Console) -> Iterator[sources.Progress | None]:
    """A progress bar with bytes, lines and MB/s on a terminal; nothing in a pipe."""
    if not console.is_terminal:
        yield None
        return
    columns = (
        TextColumn("sweeping"),
        DownloadColumn(),
        TextColumn("{task.fields[lines]:,} lines"),
        TransferSpeedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("sweep", total=total or None, lines=0)

        def advance(done: int, lines: int) -> None:
            bar.update(task, advance=done, lines=bar.tasks[0].fields["lines"] + lines)

        yield advance


def _load(
    indicators: Path | None, hub: HubClient | None, alert: str | None, include_excluded: bool
) -> tuple[Loaded, datetime | None]:
    if hub is not None:
        return load_from_hub(hub, alert, include_excluded)
    if indicators is None:
        raise _fail("give --indicators FILE, or --hub URL with --token")
    try:
        return load_text(indicators.read_text(encoding="utf-8")), None
    except (OSError, ValueError) as exc:
        raise _fail(f"cannot load {indicators}: {exc}") from None


def _report_back(
    hub: HubClient,
    loaded: Loaded,
    sightings: dict[tuple[str, str], Sighting],
    *,
    alert: str | None,
    anonymous: bool,
    confirm_clean: bool,
    covers_alert: bool,
    console: Console,
) -> None:
    """Send sightings (never lines) and set applicability on the alerts concerned."""
    affected: set[str] = set()
    for key, sighting in sightings.items():
        for ref in loaded.refs.get(key, []):
            hub.post_sighting(
                indicator_id=ref.indicator_id,
                count=sighting.count,
                first_seen=sighting.first_seen,
                last_seen=sighting.last_seen,
                anonymous=anonymous,
            )
            if ref.alert_id:
                affected.add(ref.alert_id)
    for alert_id in sorted(affected):
        hub.set_applicability(alert_id, "affected")
    if not sightings and alert and covers_alert and confirm_clean:
        hub.set_applicability(alert, "not_affected")
    console.print(f"reported {len(sightings)} sighting(s) to the hub", highlight=False)


def coverage(loaded: Loaded, include_excluded: bool) -> str:
    """`12 indicators, 2 excluded by warninglist X: use --include-excluded to sweep them`."""
    said = f"{len(loaded.indicators)} indicator(s)"
    if loaded.excluded:
        lists = ", ".join(
            f"{n} by warninglist {name}" for name, n in sorted(loaded.excluded.items())
        )
        if include_excluded:
            said += f", including {lists} (--include-excluded)"
        else:
            said += f", excluded {lists}: use --include-excluded to sweep them"
    if loaded.rejected:
        said += f", {len(loaded.rejected)} refused (first: {loaded.rejected[0][1]})"
    return said


def _usable(loaded: Loaded, include_excluded: bool, err: Console) -> None:
    """Say what is swept; a sweep with nothing to look for is an error, never a clean run."""
    err.print(coverage(loaded, include_excluded), highlight=False)
    if not len(loaded.indicators):
        raise _fail("no usable indicator to sweep for: the sweep would prove nothing")


def _stdout_console() -> Console:
    """The table at the terminal's width; in a file or a pipe, wide enough never to cut it."""
    return Console() if sys.stdout.isatty() else Console(width=400)


@app.command()
def sweep(
    paths: Annotated[
        list[str] | None, typer.Argument(help="files, directories, .gz; - for stdin")
    ] = None,
    since: Annotated[str | None, typer.Option(help="ignore lines before this ISO date")] = None,
    alert: Annotated[
        str | None, typer.Option(help="only this alert's indicators (with --hub)")
    ] = None,
    indicators: Annotated[
        Path | None, typer.Option(help="list, CSV type,value, STIX or MISP")
    ] = None,
    hub: Annotated[str | None, typer.Option(help="hub URL to fetch indicators from")] = None,
    token: Annotated[str | None, typer.Option(envvar="TOCSIN_TOKEN", help="hub API token")] = None,
    log_format: Annotated[
        str, typer.Option("--format", help="auto or " + ", ".join(FORMATS))
    ] = "auto",
    field: Annotated[list[str] | None, typer.Option(help="csv/jsonl mapping NAME=KIND")] = None,
    jobs: Annotated[int, typer.Option(help="worker processes")] = min(2, os.cpu_count() or 1),
    report: Annotated[bool, typer.Option(help="send sightings to the hub")] = False,
    anonymous: Annotated[bool, typer.Option(help="report sightings anonymously")] = False,
    confirm_clean: Annotated[
        bool, typer.Option(help="mark the alert not_affected if clean")
    ] = False,
    output_format: Annotated[str, typer.Option("--output", help="table, json or csv")] = "table",
    include_excluded: Annotated[
        bool, typer.Option(help="also sweep for indicators a warninglist holds back")
    ] = False,
) -> None:
    """Find the shared indicators in local logs. Exit 0: none seen, 1: seen, 2: error."""
    err = Console(stderr=True)
    if log_format != "auto" and log_format not in FORMATS:
        raise _fail(f"unknown format {log_format!r}; known formats: {', '.join(FORMATS)}")
    if output_format not in output.OUTPUTS:
        raise _fail(f"unknown output {output_format!r}; one of {', '.join(output.OUTPUTS)}")
    if report and hub is None:
        raise _fail("--report needs --hub and --token")
    start = _parse_since(since)
    mapping = _parse_mapping(field or [])
    client = HubClient(hub, token or "") if hub else None
    try:
        loaded, alert_start = _load(indicators, client, alert, include_excluded)
        _usable(loaded, include_excluded, err)
        window = start or (alert_start if alert else None)
        inputs = paths or (["-"] if not sys.stdin.isatty() else [])
        if not inputs:
            raise _fail("nothing to sweep: give files or directories, or pipe logs in")
        total = sum(os.path.getsize(p) for p in sources.expand(inputs) if os.path.isfile(p))
        with _progress(total, err) as advance:
            reports = sources.run(
                paths=inputs,
                indicators=loaded.indicators,
                since=window,
                fmt=log_format,
                mapping=mapping,
                jobs=jobs,
                progress=advance,
            )
        sightings = output.merged(reports)
        covered = (sum(r.tally.lines for r in reports), len(loaded.indicators))
        results = output.rows(sightings, loaded)
        output.write(output_format, results, sys.stdout, _stdout_console(), covered)
        output.summary(reports, err)
        if client is not None and report:
            covers = window is None or (alert_start is not None and window <= alert_start)
            if alert and covers and not sightings and not confirm_clean and sys.stdin.isatty():
                confirm_clean = typer.confirm(f"Nothing seen: mark alert {alert} not affected?")
            _report_back(
                client,
                loaded,
                sightings,
                alert=alert,
                anonymous=anonymous,
                confirm_clean=confirm_clean,
                covers_alert=covers,
                console=err,
            )
    except HubError as exc:
        raise _fail(str(exc)) from None
    finally:
        if client is not None:
            client.close()
    if sightings:
        raise typer.Exit(EXIT_HITS)
    if any(r.error for r in reports):
        raise typer.Exit(EXIT_ERROR)
